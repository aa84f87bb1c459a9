//! default-scheduler: a pod that nothing fits waits, and is placed once room frees up.

mod common;

use common::*;
use kubeplay_engine::SimConfig;
use kubeplay_engine::api::{Kind, ObjKey};
use kubeplay_engine::cluster::Propagation;

fn big_pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources: {{requests: {{cpu: '3'}}}}\n"
    )
}

fn bound(c: &kubeplay_engine::cluster::Cluster) -> Vec<String> {
    let mut names: Vec<String> = live_pods(c, "default", "big-")
        .into_iter()
        .filter(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_some()))
        .filter_map(|p| p.metadata.name)
        .collect();
    names.sort();
    names
}

#[test]
fn waiting_pods_take_the_room_a_deleted_pod_leaves_one_at_a_time() {
    // One worker with 4 CPUs: a pod asking for 3 fits, a second does not.
    let mut c = cluster_with(SimConfig { worker_nodes: 1, ..SimConfig::default() });
    for name in ["big-a", "big-b", "big-c"] {
        apply(&mut c, &big_pod(name));
    }
    advance(&mut c, 30_000);
    assert_eq!(bound(&c), ["big-a"]);
    let waiting = events_for(&c, "default", "big-b");
    assert!(
        waiting.iter().any(|(reason, message)| reason == "FailedScheduling"
            && message.contains("1 Insufficient cpu")),
        "{waiting:?}"
    );

    c.delete(&ObjKey::new(Kind::Pod, "default", "big-a"), Some(0), Propagation::Background)
        .expect("delete");
    advance(&mut c, 30_000);
    let after_first = bound(&c);
    assert_eq!(after_first.len(), 1, "{after_first:?}");
    assert_ne!(after_first, ["big-a"]);

    // The pod that lost the first race failed again, and must be retried on the next deletion.
    c.delete(&ObjKey::new(Kind::Pod, "default", &after_first[0]), Some(0), Propagation::Background)
        .expect("delete");
    advance(&mut c, 30_000);
    let after_second = bound(&c);
    assert_eq!(after_second.len(), 1, "{after_second:?}");
    assert!(!after_first.contains(&after_second[0]) && after_second[0] != "big-a");
}
