//! Restart back-off as a Kubernetes 1.34 kubelet does it: a crashed container waits 10 s, then
//! 20, 40, ... (at most 5 min); while it waits, the pod worker retries the pod's sync every 10 to
//! 15 s, each retry records another BackOff event, and the restart comes at the first retry
//! after the back-off is over.

mod common;

use common::*;
use k8s_openapi::api::core::v1::{ContainerStatus, Event, Pod};
use kubeplay_engine::api::Kind;
use kubeplay_engine::cluster::Cluster;
use kubeplay_engine::time::ms_of;

const CRASHING_POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: crash
    image: busybox
    command: ["sh", "-c", "exit 1"]
"#;

fn status(c: &Cluster) -> ContainerStatus {
    let pod = get(c, Kind::Pod, "default", "crash").expect("the pod");
    let pod = pod.as_kind::<Pod>().expect("a pod").clone();
    let statuses = pod.status.and_then(|s| s.container_statuses).unwrap_or_default();
    statuses.into_iter().next().expect("a container status")
}

/// The count of the BackOff event about the pod (0 if there is none).
fn backoff_count(c: &Cluster) -> i32 {
    c.store()
        .list_typed::<Event>(Some("default"))
        .filter(|e| e.involved_object.name.as_deref() == Some("crash"))
        .filter(|e| e.reason.as_deref() == Some("BackOff"))
        .map(|e| e.count.unwrap_or(1))
        .sum()
}

/// (started, finished) in ms of each run of the container that has ended, watched every 100 ms
/// for `seconds` (a run shows as the state, then as the last state).
fn runs(c: &mut Cluster, seconds: u64) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for _ in 0..seconds * 10 {
        advance(c, 100);
        let s = status(c);
        let ended = [s.state.and_then(|s| s.terminated), s.last_state.and_then(|s| s.terminated)];
        for t in ended.into_iter().flatten() {
            let run = (
                t.started_at.as_ref().map(ms_of).unwrap_or_default(),
                t.finished_at.as_ref().map(ms_of).unwrap_or_default(),
            );
            if !runs.contains(&run) {
                runs.push(run);
            }
        }
    }
    runs.sort();
    runs
}

#[test]
fn a_restart_waits_for_the_first_retry_after_the_back_off() {
    let mut c = cluster();
    apply(&mut c, CRASHING_POD);
    let runs = runs(&mut c, 330);
    assert!(runs.len() >= 6, "{runs:?}");
    // The first crash restarts at once (the back-off starts with it); then 10, 20, 40, 80 s.
    let waits: Vec<i64> = runs.windows(2).map(|w| w[1].0 - w[0].1).collect();
    assert!(waits[0] < 2_000, "{waits:?}");
    for (wait, back_off) in waits[1..].iter().zip([10_000, 20_000, 40_000, 80_000]) {
        // Timestamps keep whole seconds; the pull and the start take about a second.
        assert!(*wait >= back_off - 1_000, "{wait} ms after a {back_off} ms back-off: {waits:?}");
        assert!(*wait <= back_off + 17_000, "{wait} ms after a {back_off} ms back-off: {waits:?}");
    }
    // The retries fall on a 10-15 s grid, not on the back-off's end.
    assert!(waits[1..].iter().any(|w| w % 10_000 > 2_000), "{waits:?}");
}

#[test]
fn each_retry_inside_the_back_off_counts_another_back_off_event() {
    let mut c = cluster();
    apply(&mut c, CRASHING_POD);
    // Up to the fourth restart: back-offs of 10, 20 and 40 s, retried every 10-15 s (the first
    // restart comes at once).
    run_until(&mut c, 1_000, 300_000, |c| status(c).restart_count >= 4);
    let restarts_from_back_off = 3;
    let back_offs = backoff_count(&c);
    assert!(back_offs >= restarts_from_back_off + 3, "{back_offs} BackOff events");
    // The fourth run crashed at once too: at the next retry it waits twice as long as the last.
    let message = |c: &Cluster| status(c).state.and_then(|s| s.waiting).and_then(|w| w.message);
    run_until(&mut c, 500, 16_000, |c| message(c).is_some());
    let waiting = message(&c);
    assert!(waiting.as_deref().is_some_and(|m| m.starts_with("back-off 1m20s ")), "{waiting:?}");
}

#[test]
fn a_crashed_container_shows_error_then_waits_in_back_off_with_the_count_of_that_run() {
    let mut c = cluster();
    apply(&mut c, CRASHING_POD);
    // The first crash restarts at once; the second one waits. The sync that finds the crash
    // reports the container as ended; the next one, 10-15 s later, as waiting in back-off.
    let crashed_again = |c: &Cluster| {
        let s = status(c);
        s.restart_count == 1 && s.state.and_then(|s| s.terminated).is_some()
    };
    run_until(&mut c, 100, 60_000, crashed_again);
    let mut shown = Vec::new();
    let mut took = 0;
    while status(&c).restart_count == 1 && took <= 20_000 {
        let state = status(&c).state.unwrap_or_default();
        let reason = match (state.terminated, state.waiting) {
            (Some(t), _) => t.reason.unwrap_or_default(),
            (None, Some(w)) => w.reason.unwrap_or_default(),
            _ => "Running".into(),
        };
        if shown.last() != Some(&reason) {
            shown.push(reason);
        }
        advance(&mut c, 100);
        took += 100;
    }
    assert_eq!(shown, ["Error", "CrashLoopBackOff"]);
    // The restart counts up when the next container is made, after the 10 s back-off.
    assert!((10_000..=17_000).contains(&took), "{took} ms");
    assert_eq!(status(&c).restart_count, 2);
}

#[test]
fn a_restarting_container_never_goes_back_to_container_creating() {
    let mut c = cluster();
    apply(&mut c, CRASHING_POD);
    let mut seen = Vec::new();
    for _ in 0..600 {
        advance(&mut c, 100);
        let s = status(&c);
        let waiting = s.state.and_then(|s| s.waiting).and_then(|w| w.reason);
        if s.restart_count > 0 || s.last_state.and_then(|l| l.terminated).is_some() {
            seen.push(waiting.unwrap_or_else(|| "(not waiting)".into()));
        }
    }
    assert!(seen.iter().any(|r| r == "CrashLoopBackOff"), "{seen:?}");
    assert!(!seen.iter().any(|r| r == "ContainerCreating"), "{seen:?}");
}

#[test]
fn the_first_run_that_ended_is_the_state_and_not_yet_also_the_last_state() {
    let mut c = cluster();
    apply(&mut c, CRASHING_POD);
    let ended = |c: &Cluster| status(c).state.and_then(|s| s.terminated).is_some();
    run_until(&mut c, 100, 30_000, ended);
    let s = status(&c);
    assert_eq!(s.restart_count, 0);
    assert!(s.last_state.and_then(|l| l.terminated).is_none(), "no earlier run");
}
