//! Helpers for the controller scenario tests: a bootstrapped cluster at session start, manifests
//! from YAML, virtual time moved forward, and what a user would look at (pods, events).
#![allow(dead_code)]

use k8s_openapi::api::core::v1::{Event, Pod};
use kubeplay_engine::SimConfig;
use kubeplay_engine::api::{Kind, ObjKey, Object, decode};
use kubeplay_engine::bootstrap;
use kubeplay_engine::cluster::Cluster;
use kubeplay_engine::controllers::Component;
use kubeplay_engine::time::SESSION_START_MS;

/// A bootstrapped cluster whose system pods are up, at the session start (09:00:00Z).
pub fn cluster() -> Cluster {
    cluster_with(SimConfig::default())
}

/// As [`cluster`], from `config`.
pub fn cluster_with(config: SimConfig) -> Cluster {
    let mut c = Cluster::empty(config);
    bootstrap::bootstrap(&mut c);
    c.settle();
    let now = c.now_ms();
    advance(&mut c, SESSION_START_MS - now);
    c
}

/// Decodes a one-document manifest.
pub fn manifest(yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml_ng::from_str(yaml).expect("yaml");
    decode::decode_object(value).expect("decodes")
}

/// Creates a manifest through the API server's request path and settles.
pub fn apply(c: &mut Cluster, yaml: &str) -> Object {
    let o = c.create(manifest(yaml)).expect("created");
    c.settle();
    std::rc::Rc::unwrap_or_clone(o)
}

/// Moves virtual time forward by `ms`, firing everything due on the way.
pub fn advance(c: &mut Cluster, ms: u64) {
    let target = c.now_ms() + ms;
    // A harmless timer at the target, so the clock lands exactly there.
    c.requeue_after(Component::Namespace, ObjKey::new(Kind::Namespace, "", "default"), ms);
    c.settle();
    while c.fire_next_timer(target) {}
}

/// Moves time forward in `step_ms` steps until `done` holds (at most `limit_ms`); returns the
/// virtual time it took.
pub fn run_until(
    c: &mut Cluster,
    step_ms: u64,
    limit_ms: u64,
    mut done: impl FnMut(&Cluster) -> bool,
) -> u64 {
    let start = c.now_ms();
    while !done(c) {
        assert!(c.now_ms() - start <= limit_ms, "condition not reached within {limit_ms} ms");
        advance(c, step_ms);
    }
    c.now_ms() - start
}

/// Pods of `ns` whose name starts with `prefix`, not being deleted.
pub fn live_pods(c: &Cluster, ns: &str, prefix: &str) -> Vec<Pod> {
    c.store()
        .list_typed::<Pod>(Some(ns))
        .filter(|p| p.metadata.name.as_deref().unwrap_or("").starts_with(prefix))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .cloned()
        .collect()
}

/// Names of the pods [`live_pods`] finds.
pub fn pod_names(c: &Cluster, ns: &str, prefix: &str) -> Vec<String> {
    live_pods(c, ns, prefix).into_iter().filter_map(|p| p.metadata.name).collect()
}

/// Whether the pod is Running and Ready.
pub fn is_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// `(reason, message)` of the events about `name`, oldest first.
pub fn events_for(c: &Cluster, ns: &str, name: &str) -> Vec<(String, String)> {
    let mut evs: Vec<&Event> = c
        .store()
        .list_typed::<Event>(Some(ns))
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .collect();
    evs.sort_by_key(|e| (e.first_timestamp.as_ref().map(|t| t.0), e.metadata.name.clone()));
    evs.iter()
        .map(|e| (e.reason.clone().unwrap_or_default(), e.message.clone().unwrap_or_default()))
        .collect()
}

/// Reads an object.
pub fn get(c: &Cluster, kind: Kind, ns: &str, name: &str) -> Option<Object> {
    c.get(&ObjKey::new(kind, ns, name)).cloned()
}
