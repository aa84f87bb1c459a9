//! job-controller, after `pkg/controller/job/job_controller.go` (NonIndexed jobs).
//!
//! Pods carry the `batch.kubernetes.io/job-tracking` finalizer; a finished pod is counted into
//! `status.succeeded`/`failed` once and its finalizer removed, so deleting finished pods later
//! does not lose the count. Active pods = min(parallelism, completions - succeeded); failed
//! pods are replaced after a back-off of 10 s doubling up to 10 min. The Job fails when failures
//! pass `backoffLimit` (restartPolicy Never: failed pods; OnFailure: container restarts) or when
//! `activeDeadlineSeconds` pass; as in 1.34, `FailureTarget`/`SuccessCriteriaMet` come first and
//! `Failed`/`Complete` once no pod is terminating.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::Pod;

use crate::api::{Kind, ObjKey, Object};
use crate::apimachinery::labels::label_selector_as_selector;
use crate::cluster::Cluster;
use crate::time;

use super::Component;
use super::workload::{
    BURST_REPLICAS, MAX_REPLICAS, claim_cloned, delete_pod, is_ready, phase, pod_from_template,
    pod_name, rank_for_deletion, slow_start,
};

const COMPONENT: &str = "job-controller";
/// The finalizer that keeps a Job's pod until it is counted.
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
/// First back-off after a failed pod (`DefaultJobPodFailureBackOff`).
pub const POD_FAILURE_BACKOFF_MS: i64 = 10_000;
/// Back-off cap (`MaxJobPodFailureBackOff`).
pub const POD_FAILURE_BACKOFF_MAX_MS: i64 = 600_000;

fn has_condition(status: &JobStatus, type_: &str) -> bool {
    status.conditions.iter().flatten().any(|c| c.type_ == type_ && c.status == "True")
}

fn finished(status: &JobStatus) -> bool {
    has_condition(status, "Complete") || has_condition(status, "Failed")
}

fn new_condition(type_: &str, reason: &str, message: &str, now: i64) -> JobCondition {
    JobCondition {
        type_: type_.into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_probe_time: Some(time::time(now)),
        last_transition_time: Some(time::time(now)),
    }
}

fn add_condition(status: &mut JobStatus, c: JobCondition) {
    let list = status.conditions.get_or_insert_with(Vec::new);
    if !list.iter().any(|x| x.type_ == c.type_) {
        list.push(c);
    }
}

fn restarts(pod: &Pod) -> i64 {
    let s = pod.status.as_ref();
    s.and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .chain(s.and_then(|s| s.init_container_statuses.as_ref()))
        .flatten()
        .map(|c| i64::from(c.restart_count))
        .sum()
}

fn finish_ms(pod: &Pod) -> i64 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| c.state.as_ref()?.terminated.as_ref()?.finished_at.as_ref())
        .map(time::ms_of)
        .max()
        .unwrap_or(0)
}

fn save(cluster: &mut Cluster, job: &mut Job) {
    let stored = cluster.update_internal(job.clone().into());
    if let Some(j) = stored.as_kind::<Job>() {
        *job = j.clone();
    }
}

fn remove_finalizer(cluster: &mut Cluster, pod: &Pod) {
    let mut p = pod.clone();
    if let Some(f) = p.metadata.finalizers.as_mut() {
        f.retain(|x| x != TRACKING_FINALIZER);
        if f.is_empty() {
            p.metadata.finalizers = None;
        }
    }
    cluster.update_internal(p.into());
}

/// Syncs one Job.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let Some(mut job) = cluster.get(key).and_then(|o| o.as_kind::<Job>()).cloned() else {
        return;
    };
    let obj: Object = job.clone().into();
    let Some(spec) = job.spec.clone() else { return };
    let Ok(selector) = label_selector_as_selector(spec.selector.as_ref()) else { return };
    let now = cluster.now();
    let pods: Vec<Pod> = claim_cloned(cluster, &obj, &selector);
    let mut status = job.status.clone().unwrap_or_default();

    // Count newly finished pods once, then let them go.
    let mut newly_failed_at: Option<i64> = None;
    for p in &pods {
        let done = matches!(phase(p), "Succeeded" | "Failed");
        let tracked = p.metadata.finalizers.iter().flatten().any(|f| f == TRACKING_FINALIZER);
        // podReplacementPolicy TerminatingOrFailed: a deleted pod that did not succeed has failed.
        let deleted = p.metadata.deletion_timestamp.is_some();
        if tracked && (done || deleted) {
            if phase(p) == "Succeeded" {
                status.succeeded = Some(status.succeeded.unwrap_or(0) + 1);
            } else {
                status.failed = Some(status.failed.unwrap_or(0) + 1);
                let at = if done { finish_ms(p) } else { now };
                newly_failed_at = Some(newly_failed_at.unwrap_or(0).max(at));
            }
            remove_finalizer(cluster, p);
        }
    }
    let active: Vec<Pod> = pods
        .iter()
        .filter(|p| {
            !matches!(phase(p), "Succeeded" | "Failed") && p.metadata.deletion_timestamp.is_none()
        })
        .cloned()
        .collect();
    let terminating = pods
        .iter()
        .filter(|p| {
            !matches!(phase(p), "Succeeded" | "Failed") && p.metadata.deletion_timestamp.is_some()
        })
        .count() as i32;
    let succeeded = status.succeeded.unwrap_or(0);
    let failed = status.failed.unwrap_or(0);

    if finished(&status) {
        write_status(cluster, &mut job, status, &active, terminating);
        return;
    }
    let suspended = spec.suspend == Some(true);
    if status.start_time.is_none() && !suspended {
        status.start_time = Some(time::time(now));
    }
    let start_ms = status.start_time.as_ref().map(time::ms_of);

    // Has the Job failed or succeeded?
    let backoff_limit = i64::from(spec.backoff_limit.unwrap_or(6));
    let on_failure =
        spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) == Some("OnFailure");
    let restarts_total: i64 = active.iter().map(restarts).sum();
    let past_backoff = if on_failure {
        (backoff_limit == 0 && restarts_total > 0)
            || (backoff_limit > 0 && restarts_total >= backoff_limit)
    } else {
        false
    } || i64::from(failed) > backoff_limit;
    let deadline_ms = spec.active_deadline_seconds.map(|s| s.saturating_mul(1000));
    let past_deadline = match (deadline_ms, start_ms) {
        (Some(d), Some(start)) if !suspended => now - start >= d,
        _ => false,
    };
    let completions = spec.completions;
    let complete = match completions {
        Some(c) => succeeded >= c,
        None => succeeded > 0 && active.is_empty(),
    };
    let failure_target = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "FailureTarget" && c.status == "True")
        .cloned();
    let success_met = has_condition(&status, "SuccessCriteriaMet");

    if let Some(target) = failure_target.clone().or_else(|| {
        if past_backoff {
            Some(new_condition(
                "FailureTarget",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                now,
            ))
        } else if past_deadline {
            Some(new_condition(
                "FailureTarget",
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
                now,
            ))
        } else {
            None
        }
    }) {
        add_condition(&mut status, target.clone());
        for p in &active {
            delete_pod(cluster, &obj, pod_name(p), COMPONENT);
        }
        let terminating_now = terminating + active.len() as i32;
        if terminating_now == 0 {
            let reason = target.reason.clone().unwrap_or_default();
            let message = target.message.clone().unwrap_or_default();
            add_condition(&mut status, new_condition("Failed", &reason, &message, now));
            cluster.record_event(&obj, None, "Warning", &reason, message, COMPONENT, None);
        }
        cluster.cancel_requeue(Component::Job, key);
        write_status(cluster, &mut job, status, &[], terminating_now);
        return;
    }
    if complete || success_met {
        let msg = "Reached expected number of succeeded pods";
        add_condition(
            &mut status,
            new_condition("SuccessCriteriaMet", "CompletionsReached", msg, now),
        );
        // Surplus pods still running are removed (completions reached).
        for p in &active {
            delete_pod(cluster, &obj, pod_name(p), COMPONENT);
        }
        let terminating_now = terminating + active.len() as i32;
        if terminating_now == 0 {
            add_condition(&mut status, new_condition("Complete", "CompletionsReached", msg, now));
            status.completion_time = Some(time::time(now));
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "Completed",
                "Job completed",
                COMPONENT,
                None,
            );
        }
        cluster.cancel_requeue(Component::Job, key);
        write_status(cluster, &mut job, status, &[], terminating_now);
        return;
    }

    // manageJob: how many should run now.
    let parallelism = spec.parallelism.unwrap_or(1).clamp(0, MAX_REPLICAS);
    let want = if suspended {
        0
    } else {
        match completions {
            Some(c) => parallelism.min((c - succeeded).max(0)),
            None => {
                if succeeded > 0 {
                    0
                } else {
                    parallelism
                }
            }
        }
    } as usize;
    let mut wake_at: Option<i64> = None;
    let mut active_now = active.clone();
    if active.len() > want {
        let n = (active.len() - want).min(BURST_REPLICAS);
        let refs: Vec<&Pod> = active.iter().collect();
        let doomed: Vec<&Pod> =
            rank_for_deletion(refs.clone(), &refs, now).into_iter().take(n).collect();
        for p in doomed {
            delete_pod(cluster, &obj, pod_name(p), COMPONENT);
            active_now.retain(|x| x.metadata.uid != p.metadata.uid);
        }
    } else if active.len() < want {
        // Back-off after failures: 10 s, doubling, capped, from the last failure.
        let last_failure = newly_failed_at.or_else(|| last_failure_ms(&pods));
        let remaining = match (failed, last_failure) {
            (f, Some(at)) if f > 0 => {
                let exp = (f - 1).clamp(0, 16) as u32;
                let delay = (POD_FAILURE_BACKOFF_MS << exp).min(POD_FAILURE_BACKOFF_MAX_MS);
                at + delay - now
            }
            _ => 0,
        };
        if remaining > 0 {
            wake_at = Some(now + remaining);
        } else {
            let n = (want - active.len()).min(BURST_REPLICAS);
            let mut template = spec.template.clone();
            template.metadata.get_or_insert_with(Default::default).finalizers =
                Some(vec![TRACKING_FINALIZER.into()]);
            let generate_name = format!("{}-", key.name);
            let created = slow_start(cluster, n, |cluster| {
                let pod = pod_from_template(&template, &obj, &generate_name);
                match cluster.create(pod.into()) {
                    Ok(o) => {
                        cluster.record_event(
                            &obj,
                            None,
                            "Normal",
                            "SuccessfulCreate",
                            format!("Created pod: {}", o.name()),
                            COMPONENT,
                            None,
                        );
                        Some(o)
                    }
                    Err(e) => {
                        cluster.record_event(
                            &obj,
                            None,
                            "Warning",
                            "FailedCreate",
                            format!("Error creating: {}", e.message),
                            COMPONENT,
                            None,
                        );
                        None
                    }
                }
            });
            active_now.extend(created.iter().filter_map(|o| o.as_kind::<Pod>().cloned()));
        }
    }
    if let (Some(d), Some(start)) = (deadline_ms, start_ms)
        && !suspended
    {
        let at = start + d;
        wake_at = Some(wake_at.map_or(at, |w| w.min(at)));
    }
    match wake_at {
        Some(at) => cluster.requeue_at(Component::Job, key, at.max(0) as u64),
        None => cluster.cancel_requeue(Component::Job, key),
    }
    write_status(cluster, &mut job, status, &active_now, terminating);
}

fn last_failure_ms(pods: &[Pod]) -> Option<i64> {
    pods.iter().filter(|p| phase(p) == "Failed").map(finish_ms).max()
}

fn write_status(
    cluster: &mut Cluster,
    job: &mut Job,
    mut status: JobStatus,
    active: &[Pod],
    terminating: i32,
) {
    status.active = (!active.is_empty()).then_some(active.len() as i32);
    status.ready = Some(active.iter().filter(|p| is_ready(p)).count() as i32);
    status.terminating = Some(terminating);
    status.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());
    // Re-read: counting may have touched pods, never the Job, but keep the latest metadata.
    let key = ObjKey::new(
        Kind::Job,
        job.metadata.namespace.as_deref().unwrap_or(""),
        job.metadata.name.as_deref().unwrap_or(""),
    );
    if let Some(j) = cluster.get(&key).and_then(|o| o.as_kind::<Job>()) {
        *job = j.clone();
    }
    if job.status.as_ref() == Some(&status) {
        return;
    }
    job.status = Some(status);
    save(cluster, job);
}

/// Jobs of `namespace` controlled by the object with `owner_uid`, by name.
pub fn jobs_owned_by(cluster: &Cluster, namespace: &str, owner_uid: &str) -> BTreeMap<String, Job> {
    cluster
        .store()
        .list_typed::<Job>(Some(namespace))
        .filter(|j| {
            super::workload::controller_ref(&j.metadata).is_some_and(|r| r.uid == owner_uid)
        })
        .map(|j| (j.metadata.name.clone().unwrap_or_default(), j.clone()))
        .collect()
}
