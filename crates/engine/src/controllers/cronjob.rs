//! cronjob-controller (v2), after `pkg/controller/cronjob/cronjob_controllerv2.go` and
//! `utils.go`: the schedule is evaluated in virtual time (UTC), a timer is set 100 ms after the
//! next activation, the most recent missed time is started (within startingDeadlineSeconds),
//! jobs are named `<cronjob>-<scheduled unix minutes>`, concurrencyPolicy decides about running
//! jobs, and finished jobs beyond the history limits are deleted.

use k8s_openapi::api::batch::v1::{CronJob, CronJobStatus, Job, JobSpec};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::Timestamp;

use crate::api::{Kind, ObjKey, Object};
use crate::apimachinery::Schedule;
use crate::cluster::{Cluster, Propagation};
use crate::time;

use super::Component;
use super::job::jobs_owned_by;
use super::workload::owner_ref;

const COMPONENT: &str = "cronjob-controller";
/// Annotation with the time a Job was scheduled for.
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/// Missed start times counted before giving up counting (upstream warns past 100).
const MAX_MISSED_COUNT: usize = 100;
/// Upstream requeues this long after the scheduled time, so the time has surely passed.
const NEXT_SCHEDULE_DELTA_MS: i64 = 100;

fn unix_s_of_ms(ms: i64) -> i64 {
    time::instant(ms).as_second()
}

fn ms_of_unix_s(s: i64) -> i64 {
    Timestamp::from_second(s).map(time::ms_of_instant).unwrap_or(0)
}

// Scheduled times in (from, to]: the last one seen and how many (at most `limit` counted).
fn walk(schedule: &Schedule, from_s: i64, to_s: i64, limit: usize) -> (Option<i64>, usize) {
    let mut last = None;
    let mut count = 0;
    let mut t = from_s;
    while count < limit {
        match schedule.next_after(t) {
            Some(next) if next <= to_s => {
                last = Some(next);
                count += 1;
                t = next;
            }
            _ => break,
        }
    }
    (last, count)
}

fn job_finished(job: &Job) -> Option<&'static str> {
    let conds = job.status.as_ref()?.conditions.as_ref()?;
    for c in conds {
        if c.status == "True" {
            if c.type_ == "Complete" {
                return Some("Complete");
            }
            if c.type_ == "Failed" {
                return Some("Failed");
            }
        }
    }
    None
}

fn job_ref(job: &Job) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: job.metadata.name.clone(),
        namespace: job.metadata.namespace.clone(),
        uid: job.metadata.uid.clone(),
        resource_version: job.metadata.resource_version.clone(),
        field_path: None,
    }
}

fn rfc1123z_of_unix(s: i64) -> String {
    let t = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH),
    );
    time::rfc1123z(&t)
}

/// Syncs one CronJob.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let Some(cj) = cluster.get(key).and_then(|o| o.as_kind::<CronJob>()).cloned() else {
        return;
    };
    let obj: Object = cj.clone().into();
    let now = cluster.now();
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let jobs = jobs_owned_by(cluster, &key.namespace, &uid);
    let mut status = cj.status.clone().unwrap_or_default();
    let mut active = status.active.clone().unwrap_or_default();

    // Sync the active list with the jobs as they are.
    for (name, job) in &jobs {
        let in_active = active.iter().any(|r| r.uid == job.metadata.uid);
        match job_finished(job) {
            None => {
                // A job the controller did not make (`kubectl create job --from=cronjob/...`)
                // is not adopted into the active list; each sync warns about it.
                if !in_active {
                    cluster.record_event(
                        &obj,
                        None,
                        "Warning",
                        "UnexpectedJob",
                        format!("Saw a job that the controller did not create or forgot: {name}"),
                        COMPONENT,
                        None,
                    );
                }
            }
            Some(cond) => {
                if in_active {
                    active.retain(|r| r.uid != job.metadata.uid);
                    cluster.record_event(
                        &obj,
                        None,
                        "Normal",
                        "SawCompletedJob",
                        format!("Saw completed job: {name}, condition: {cond}"),
                        COMPONENT,
                        None,
                    );
                }
                if cond == "Complete" {
                    let done = job.status.as_ref().and_then(|s| s.completion_time.clone());
                    if done.as_ref().map(|t| t.0)
                        > status.last_successful_time.as_ref().map(|t| t.0)
                    {
                        status.last_successful_time = done;
                    }
                }
            }
        }
    }
    let missing: Vec<ObjectReference> = active
        .iter()
        .filter(|r| !jobs.values().any(|j| j.metadata.uid == r.uid))
        .cloned()
        .collect();
    for r in missing {
        active.retain(|x| x.uid != r.uid);
        cluster.record_event(
            &obj,
            None,
            "Normal",
            "MissingJob",
            format!("Active job went missing: {}", r.name.unwrap_or_default()),
            COMPONENT,
            None,
        );
    }
    status.active = (!active.is_empty()).then(|| active.clone());

    cleanup_history(cluster, &cj, &obj, &jobs);

    if cj.metadata.deletion_timestamp.is_some() || cj.spec.suspend == Some(true) {
        cluster.cancel_requeue(Component::CronJob, key);
        write_status(cluster, key, status);
        return;
    }
    let schedule = match Schedule::parse(&cj.spec.schedule) {
        Ok(s) => s,
        Err(e) => {
            cluster.record_event(
                &obj,
                None,
                "Warning",
                "UnparseableSchedule",
                format!("unparseable schedule: {:?} : {e}", cj.spec.schedule),
                COMPONENT,
                None,
            );
            write_status(cluster, key, status);
            return;
        }
    };
    let now_s = unix_s_of_ms(now);
    let mut earliest_s = status
        .last_schedule_time
        .as_ref()
        .or(cj.metadata.creation_timestamp.as_ref())
        .map(|t| t.0.as_second())
        .unwrap_or(now_s);
    if let Some(d) = cj.spec.starting_deadline_seconds {
        earliest_s = earliest_s.max(now_s - d);
    }
    // The most recent scheduled time in (earliest, now], counting missed ones (bounded).
    let (mut most_recent, missed) = walk(&schedule, earliest_s, now_s, MAX_MISSED_COUNT + 1);
    if missed > MAX_MISSED_COUNT {
        // Too many to walk: look for the latest one in growing windows before now.
        for window in [3_600, 86_400, 32 * 86_400, 366 * 86_400, 5 * 366 * 86_400] {
            let (latest, _) = walk(&schedule, earliest_s.max(now_s - window), now_s, 100_000);
            if latest.is_some() {
                most_recent = latest;
                break;
            }
        }
    }
    if missed > MAX_MISSED_COUNT {
        cluster.record_event(
            &obj,
            None,
            "Warning",
            "TooManyMissedTimes",
            format!(
                "too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
            ),
            COMPONENT,
            None,
        );
    }
    let next_requeue = |cluster: &mut Cluster| {
        if let Some(next) = schedule.next_after(now_s) {
            let at = ms_of_unix_s(next) + NEXT_SCHEDULE_DELTA_MS;
            cluster.requeue_at(Component::CronJob, key, at.max(0) as u64);
        }
    };
    let Some(scheduled_s) = most_recent else {
        next_requeue(cluster);
        write_status(cluster, key, status);
        return;
    };
    if let Some(d) = cj.spec.starting_deadline_seconds
        && scheduled_s + d < now_s
    {
        cluster.record_event(
            &obj,
            None,
            "Warning",
            "MissSchedule",
            format!("Missed scheduled time to start a job: {}", rfc1123z_of_unix(scheduled_s)),
            COMPONENT,
            None,
        );
        next_requeue(cluster);
        write_status(cluster, key, status);
        return;
    }
    let job_name = format!("{}-{}", key.name, scheduled_s.div_euclid(60));
    if jobs.contains_key(&job_name) {
        // Already started this one.
        next_requeue(cluster);
        write_status(cluster, key, status);
        return;
    }
    match cj.spec.concurrency_policy.as_deref().unwrap_or("Allow") {
        "Forbid" if !active.is_empty() => {
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
                COMPONENT,
                None,
            );
            next_requeue(cluster);
            write_status(cluster, key, status);
            return;
        }
        "Replace" => {
            for r in active.clone() {
                let name = r.name.clone().unwrap_or_default();
                let jkey = ObjKey::new(Kind::Job, &key.namespace, &name);
                if cluster.delete(&jkey, None, Propagation::Background).is_ok() {
                    cluster.record_event(
                        &obj,
                        None,
                        "Normal",
                        "SuccessfulDelete",
                        format!("Deleted job {name}"),
                        COMPONENT,
                        None,
                    );
                }
                active.retain(|x| x.uid != r.uid);
            }
        }
        _ => {}
    }
    let template = cj.spec.job_template.clone();
    let tmeta = template.metadata.clone().unwrap_or_default();
    let mut annotations = tmeta.annotations.clone().unwrap_or_default();
    let scheduled = time::time(ms_of_unix_s(scheduled_s));
    let stamp = serde_json::to_value(&scheduled)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    annotations.insert(SCHEDULED_TIMESTAMP.into(), stamp);
    let job = Job {
        metadata: ObjectMeta {
            name: Some(job_name.clone()),
            namespace: Some(key.namespace.to_string()),
            labels: tmeta.labels.clone(),
            annotations: Some(annotations),
            owner_references: Some(vec![owner_ref(&obj)]),
            ..Default::default()
        },
        spec: Some(template.spec.clone().unwrap_or_else(JobSpec::default)),
        status: None,
    };
    match cluster.create(job.into()) {
        Ok(created) => {
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "SuccessfulCreate",
                format!("Created job {job_name}"),
                COMPONENT,
                None,
            );
            if let Some(j) = created.as_kind::<Job>() {
                active.push(job_ref(j));
            }
        }
        Err(e) => {
            cluster.record_event(
                &obj,
                None,
                "Warning",
                "FailedCreate",
                format!("Error creating job: {}", e.message),
                COMPONENT,
                None,
            );
        }
    }
    status.active = (!active.is_empty()).then_some(active);
    status.last_schedule_time = Some(scheduled);
    next_requeue(cluster);
    write_status(cluster, key, status);
}

// Finished jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit go, oldest first.
fn cleanup_history(
    cluster: &mut Cluster,
    cj: &CronJob,
    obj: &Object,
    jobs: &std::collections::BTreeMap<String, Job>,
) {
    for (cond, limit) in [
        ("Complete", cj.spec.successful_jobs_history_limit),
        ("Failed", cj.spec.failed_jobs_history_limit),
    ] {
        let Some(limit) = limit else { continue };
        let mut done: Vec<&Job> = jobs.values().filter(|j| job_finished(j) == Some(cond)).collect();
        let excess = done.len().saturating_sub(limit.max(0) as usize);
        if excess == 0 {
            continue;
        }
        crate::sorting::sort_by_key(&mut done, |j| {
            let start = j.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| t.0);
            (start, j.metadata.name.clone())
        });
        for j in done.into_iter().take(excess) {
            let name = j.metadata.name.clone().unwrap_or_default();
            let jkey = ObjKey::new(Kind::Job, j.metadata.namespace.as_deref().unwrap_or(""), &name);
            if cluster.delete(&jkey, None, Propagation::Background).is_ok() {
                cluster.record_event(
                    obj,
                    None,
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted job {name}"),
                    COMPONENT,
                    None,
                );
            }
        }
    }
}

fn write_status(cluster: &mut Cluster, key: &ObjKey, status: CronJobStatus) {
    let Some(mut cj) = cluster.get(key).and_then(|o| o.as_kind::<CronJob>()).cloned() else {
        return;
    };
    if cj.status.as_ref() == Some(&status) {
        return;
    }
    cj.status = Some(status);
    cluster.update_internal(cj.into());
}
