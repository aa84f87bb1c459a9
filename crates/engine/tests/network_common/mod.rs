//! Helpers for the network scenario tests: a bootstrapped cluster, manifests applied through the
//! API server's request path, and virtual time advanced by firing timers.
#![allow(dead_code)]

use kubeplay_engine::SimConfig;
use kubeplay_engine::api::decode::{decode_object, parse_documents};
use kubeplay_engine::api::{Kind, ObjKey, Object};
use kubeplay_engine::cluster::Cluster;
use kubeplay_engine::network::{self, Client};

pub fn cluster(seed: u64) -> Cluster {
    let mut c = Cluster::empty(SimConfig { seed, worker_nodes: 3 });
    kubeplay_engine::bootstrap::bootstrap(&mut c);
    c.settle();
    advance(&mut c, 30_000);
    c
}

pub fn advance(c: &mut Cluster, ms: u64) {
    let until = c.now_ms() + ms;
    c.settle();
    while c.fire_next_timer(until) {}
}

pub fn try_apply(c: &mut Cluster, yaml: &str) -> Result<Vec<Object>, String> {
    let mut out = Vec::new();
    for doc in parse_documents(yaml).map_err(|e| e.to_string())? {
        let obj = decode_object(doc.value).map_err(|e| e.to_string())?;
        out.push(
            c.create(obj).map(std::rc::Rc::unwrap_or_clone).map_err(|e| e.kubectl_message(None))?,
        );
    }
    c.settle();
    Ok(out)
}

pub fn apply(c: &mut Cluster, yaml: &str) -> Vec<Object> {
    match try_apply(c, yaml) {
        Ok(o) => o,
        Err(e) => panic!("apply failed: {e}"),
    }
}

pub fn pod(name: &str, labels: &str, image: &str, extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\nspec:\n  containers:\n  - name: main\n    image: {image}\n    ports:\n    - containerPort: 8080\n      name: http\n{extra}"
    )
}

pub fn kubia_pods(c: &mut Cluster, n: usize) -> Vec<String> {
    let names: Vec<String> = (0..n).map(|i| format!("kubia-{i}")).collect();
    for name in &names {
        apply(c, &pod(name, "app: kubia", "luksa/kubia", ""));
    }
    advance(c, 30_000);
    names
}

pub fn svc_ip(c: &Cluster, ns: &str, name: &str) -> String {
    let svc = c
        .store()
        .get_typed::<k8s_openapi::api::core::v1::Service>(ns, name)
        .expect("service exists");
    svc.spec.as_ref().and_then(|s| s.cluster_ip.clone()).unwrap_or_default()
}

pub fn pod_key(name: &str) -> ObjKey {
    ObjKey::new(Kind::Pod, "default", name)
}

pub fn exec(
    c: &mut Cluster,
    pod: &str,
    cmd: &[&str],
) -> kubeplay_engine::kubelet::shell::ExecOutput {
    let argv: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
    network::exec_in_pod(c, &pod_key(pod), 0, &argv)
}

pub fn get(c: &mut Cluster, client: &Client, url: &str) -> Result<String, String> {
    network::http(c, client, url, &[]).map(|r| r.body).map_err(|e| e.curl_message())
}

/// Which pod answered `You've hit <pod>`.
pub fn hit(body: &str) -> String {
    body.trim().trim_start_matches("You've hit ").to_string()
}
