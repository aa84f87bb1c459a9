//! Engine benchmarks: one step of a 10,000-pod cluster, and 1,000 pods from a manifest to Running.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kubeplay_engine::{Sim, SimConfig};

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
                black_box(sim.now_ms())
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, step_10k, thousand_to_running);
criterion_main!(benches);
