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

/// (count, last seen ms) of the pod's FailedScheduling event, as the API shows it.
fn failed_scheduling(c: &kubeplay_engine::cluster::Cluster, pod: &str) -> Option<(i32, i64)> {
    use k8s_openapi::api::core::v1::Event;
    let event = c.store().list_typed::<Event>(Some("default")).find(|e| {
        e.involved_object.name.as_deref() == Some(pod)
            && e.reason.as_deref() == Some("FailedScheduling")
    })?;
    let count = event.series.as_ref().and_then(|s| s.count).unwrap_or(1);
    Some((count, kubeplay_engine::cluster::last_seen_ms(event)?))
}

#[test]
fn a_pod_nothing_fits_is_tried_again_every_five_minutes_and_the_api_sees_the_series_lag() {
    let mut c = cluster_with(SimConfig { worker_nodes: 1, ..SimConfig::default() });
    let start = c.now_ms() as i64;
    apply(&mut c, &big_pod("big-a"));
    apply(&mut c, &big_pod("big-b"));
    let min = 60_000;
    advance(&mut c, 4 * min as u64);
    assert_eq!(failed_scheduling(&c, "big-b").map(|f| f.0), Some(1));
    // The queue's flush tries it again after five minutes: the series starts, written at once.
    advance(&mut c, 2 * min as u64);
    let (count, last) = failed_scheduling(&c, "big-b").expect("the event");
    assert_eq!(count, 2);
    assert!((start + 5 * min..start + 6 * min).contains(&last), "{}", last - start);
    // The third try only counts in the scheduler's broadcaster until its 30-minute refresh.
    advance(&mut c, 6 * min as u64);
    assert_eq!(failed_scheduling(&c, "big-b").map(|f| f.0), Some(2));
    advance(&mut c, 20 * min as u64);
    let (count, _) = failed_scheduling(&c, "big-b").expect("the event");
    assert!(count >= 5, "{count}");
    // Room frees up: the pod is placed, and the series is written once more when it ends.
    c.delete(&ObjKey::new(Kind::Pod, "default", "big-a"), None, Propagation::Background)
        .expect("deleted");
    advance(&mut c, 20 * min as u64);
    assert_eq!(bound(&c), ["big-b"]);
    let (final_count, _) = failed_scheduling(&c, "big-b").expect("the event");
    assert!(final_count >= count, "{final_count} < {count}");
}
