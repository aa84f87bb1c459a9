//! Engine benchmarks: one step of a 10,000-pod cluster, and 1,000 pods from a manifest to Running.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kubeplay_engine::{Sim, SimConfig};

// As the native `kubeplay` binary (crates/cli) allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn pod_list(count: usize, probe: bool) -> String {
    let mut yaml = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..count {
        yaml.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata: {{name: web-{i}, labels: {{app: web}}}}\n  spec:\n    containers:\n    - name: web\n      image: nginx:1.27\n"
        ));
        if probe {
            yaml.push_str("      readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 10}\n");
        }
    }
    yaml
}

fn running(sim: &Sim) -> usize {
    sim.snapshot().pods.iter().filter(|p| p.namespace == "default" && p.status == "Running").count()
}

fn big_cluster(pods: usize) -> Sim {
    let mut sim = Sim::new(SimConfig { seed: 7, worker_nodes: 100 });
    for chunk in 0..pods / 1000 {
        let yaml = pod_list(1000, true).replace("web-", &format!("web-{chunk}-"));
        sim.write_file("pods.yaml", &yaml);
        let out = sim.run("kubectl apply -f pods.yaml");
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
    }
    sim.advance(60_000);
    assert_eq!(running(&sim), pods);
    sim
}

fn step_10k(c: &mut Criterion) {
    let mut sim = big_cluster(10_000);
    c.bench_function("one step, 10,000 pods", |b| b.iter(|| black_box(sim.step())));
}

fn thousand_to_running(c: &mut Criterion) {
    let yaml = pod_list(1000, false);
    let mut group = c.benchmark_group("manifests");
    group.sample_size(10);
    group.bench_function("1,000 pods from a manifest to Running", |b| {
        b.iter_batched(
            || {
                let mut sim = Sim::new(SimConfig { seed: 7, worker_nodes: 10 });
                sim.write_file("pods.yaml", &yaml);
                sim
            },
            |mut sim| {
                sim.run("kubectl apply -f pods.yaml");
                while running(&sim) < 1000 {
                    sim.advance(5_000);
                }
                // Returned, so that criterion drops the cluster outside the measured time.
                sim
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn deployment_yaml(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1000\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n      - name: web\n        image: {image}\n"
    )
}

fn rolled_out(sim: &mut Sim, image: &str) -> bool {
    let out = sim.run("kubectl get deploy web -o jsonpath={.status.updatedReplicas}/{.status.availableReplicas}/{.status.replicas}");
    let pods_new = sim.run(&format!("kubectl get rs -o 'jsonpath={{range .items[?(@.spec.template.spec.containers[0].image==\"{image}\")]}}{{.status.availableReplicas}}{{end}}'"));
    out.stdout == "1000/1000/1000" && pods_new.stdout == "1000"
}

fn thousand_replica_rollout(c: &mut Criterion) {
    let mut group = c.benchmark_group("deployments");
    group.sample_size(10);
    group.bench_function("1,000-replica Deployment applied and rolled to a new image", |b| {
        b.iter_batched(
            || {
                let mut sim = Sim::new(SimConfig { seed: 7, worker_nodes: 10 });
                sim.write_file("v1.yaml", &deployment_yaml("nginx:1.26"));
                sim.write_file("v2.yaml", &deployment_yaml("nginx:1.27"));
                sim
            },
            |mut sim| {
                sim.run("kubectl apply -f v1.yaml");
                while !rolled_out(&mut sim, "nginx:1.26") {
                    sim.advance(10_000);
                }
                sim.run("kubectl apply -f v2.yaml");
                while !rolled_out(&mut sim, "nginx:1.27") {
                    sim.advance(10_000);
                }
                // Returned, so that criterion drops the cluster outside the measured time.
                sim
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, step_10k, thousand_to_running, thousand_replica_rollout);
criterion_main!(benches);
