//! Job and CronJob scenarios from chapter 4: batch-job (120 s), completions and parallelism,
//! activeDeadlineSeconds, and a CronJob firing every fifteen minutes in virtual time.

mod common;

use common::*;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::Pod;
use kubeplay_engine::api::Kind;
use kubeplay_engine::cluster::Cluster;

fn job_yaml(name: &str, extra: &str) -> String {
    format!(
        r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
spec:
{extra}  template:
    metadata:
      labels:
        app: batch-job
    spec:
      restartPolicy: OnFailure
      containers:
      - name: main
        image: luksa/batch-job
"#
    )
}

fn job(c: &Cluster, name: &str) -> Job {
    get(c, Kind::Job, "default", name).unwrap().as_kind::<Job>().unwrap().clone()
}

fn conditions(j: &Job) -> Vec<(String, String)> {
    j.status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.type_, c.reason.unwrap_or_default()))
        .collect()
}

fn succeeded(c: &Cluster, name: &str) -> i32 {
    job(c, name).status.and_then(|s| s.succeeded).unwrap_or(0)
}

fn running(c: &Cluster, name: &str) -> usize {
    live_pods(c, "default", &format!("{name}-"))
        .iter()
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .count()
}

#[test]
fn batch_job_runs_one_pod_for_two_minutes_and_completes() {
    let mut c = cluster();
    apply(&mut c, &job_yaml("batch-job", ""));
    let j = job(&c, "batch-job");
    let spec = j.spec.clone().unwrap();
    assert_eq!(
        (spec.completions, spec.parallelism, spec.backoff_limit),
        (Some(1), Some(1), Some(6))
    );
    assert_eq!(j.metadata.labels.as_ref().unwrap()["app"], "batch-job");
    let pods = live_pods(&c, "default", "batch-job-");
    assert_eq!(pods.len(), 1);
    let p: &Pod = &pods[0];
    let l = p.metadata.labels.as_ref().unwrap();
    let uid = j.metadata.uid.clone().unwrap();
    assert_eq!(l["batch.kubernetes.io/controller-uid"], uid);
    assert_eq!(l["controller-uid"], uid);
    assert_eq!(l["batch.kubernetes.io/job-name"], "batch-job");
    assert_eq!(l["job-name"], "batch-job");
    assert_eq!(p.metadata.name.as_ref().unwrap().len(), "batch-job-".len() + 5);
    let started = c.now_ms();
    let took = run_until(&mut c, 1_000, 300_000, |c| succeeded(c, "batch-job") == 1);
    assert!((120_000..=125_000).contains(&took), "completed after {took} ms");
    let j = job(&c, "batch-job");
    assert_eq!(
        conditions(&j),
        [
            ("SuccessCriteriaMet".to_string(), "CompletionsReached".to_string()),
            ("Complete".to_string(), "CompletionsReached".to_string())
        ]
    );
    let s = j.status.unwrap();
    assert!(s.completion_time.is_some() && s.start_time.is_some());
    assert_eq!(s.active, None);
    let events = events_for(&c, "default", "batch-job");
    assert!(
        events[0].0 == "SuccessfulCreate" && events[0].1.starts_with("Created pod: batch-job-")
    );
    assert_eq!(events.last().unwrap(), &("Completed".to_string(), "Job completed".to_string()));
    let _ = started;
}

#[test]
fn five_completions_run_one_after_another() {
    let mut c = cluster();
    apply(&mut c, &job_yaml("multi-completion-batch-job", "  completions: 5\n"));
    let mut max_running = 0;
    run_until(&mut c, 2_000, 900_000, |c| {
        max_running = max_running.max(running(c, "multi-completion-batch-job"));
        succeeded(c, "multi-completion-batch-job") == 5
    });
    assert_eq!(max_running, 1);
    let created = events_for(&c, "default", "multi-completion-batch-job")
        .iter()
        .filter(|(r, _)| r == "SuccessfulCreate")
        .count();
    assert_eq!(created, 5);
}

#[test]
fn parallelism_two_runs_two_at_a_time() {
    let mut c = cluster();
    apply(&mut c, &job_yaml("multi-completion-batch-job", "  completions: 5\n  parallelism: 2\n"));
    assert_eq!(running(&c, "multi-completion-batch-job"), 2);
    let mut max_running = 0;
    let took = run_until(&mut c, 2_000, 900_000, |c| {
        max_running = max_running.max(running(c, "multi-completion-batch-job"));
        succeeded(c, "multi-completion-batch-job") == 5
    });
    assert_eq!(max_running, 2);
    // Three waves of ~2 minutes.
    assert!((360_000..=400_000).contains(&took), "{took}");
}

#[test]
fn active_deadline_fails_the_job_at_30_seconds() {
    let mut c = cluster();
    apply(&mut c, &job_yaml("time-limited-batch-job", "  activeDeadlineSeconds: 30\n"));
    advance(&mut c, 29_000);
    assert!(conditions(&job(&c, "time-limited-batch-job")).is_empty());
    advance(&mut c, 1_500);
    let j = job(&c, "time-limited-batch-job");
    assert_eq!(conditions(&j)[0], ("FailureTarget".to_string(), "DeadlineExceeded".to_string()));
    run_until(&mut c, 1_000, 120_000, |c| conditions(&job(c, "time-limited-batch-job")).len() == 2);
    let j = job(&c, "time-limited-batch-job");
    assert_eq!(conditions(&j)[1], ("Failed".to_string(), "DeadlineExceeded".to_string()));
    assert_eq!(j.status.as_ref().and_then(|s| s.failed), Some(1));
    let events = events_for(&c, "default", "time-limited-batch-job");
    assert!(events.contains(&(
        "DeadlineExceeded".to_string(),
        "Job was active longer than specified deadline".to_string()
    )));
}

#[test]
fn never_restart_policy_counts_failed_pods_against_backoff_limit() {
    let mut c = cluster();
    let yaml = r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: fails
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", "exit 1"]
"#;
    apply(&mut c, yaml);
    run_until(&mut c, 1_000, 600_000, |c| {
        conditions(&job(c, "fails")).iter().any(|(t, _)| t == "Failed")
    });
    let j = job(&c, "fails");
    assert_eq!(j.status.as_ref().and_then(|s| s.failed), Some(3));
    assert_eq!(conditions(&j).last().unwrap().1, "BackoffLimitExceeded");
    let created =
        events_for(&c, "default", "fails").iter().filter(|(r, _)| r == "SuccessfulCreate").count();
    assert_eq!(created, 3);
}

#[test]
fn job_template_restart_policy_always_is_rejected() {
    let mut c = cluster();
    let yaml = job_yaml("bad", "").replace("restartPolicy: OnFailure", "restartPolicy: Always");
    let err = c.create(manifest(&yaml)).unwrap_err();
    assert!(
        err.message.ends_with("spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""),
        "{}",
        err.message
    );
}

const CRONJOB: &str = r#"
apiVersion: batch/v1
kind: CronJob
metadata:
  name: batch-job-every-fifteen-minutes
spec:
  schedule: "0,15,30,45 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            app: periodic-batch-job
        spec:
          restartPolicy: OnFailure
          containers:
          - name: main
            image: luksa/batch-job
"#;

fn cron_jobs(c: &Cluster) -> Vec<String> {
    c.store()
        .list_typed::<Job>(Some("default"))
        .filter_map(|j| j.metadata.name.clone())
        .filter(|n| n.starts_with("batch-job-every-fifteen-minutes-"))
        .collect()
}

#[test]
fn cronjob_fires_every_fifteen_minutes_in_virtual_time() {
    let mut c = cluster();
    apply(&mut c, CRONJOB);
    let cj = get(&c, Kind::CronJob, "default", "batch-job-every-fifteen-minutes").unwrap();
    let spec = &cj.as_kind::<CronJob>().unwrap().spec;
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Allow"));
    assert_eq!(
        (spec.successful_jobs_history_limit, spec.failed_jobs_history_limit),
        (Some(3), Some(1))
    );
    advance(&mut c, 14 * 60_000 + 59_000);
    assert!(cron_jobs(&c).is_empty(), "nothing before 09:15");
    // The controller wakes 100 ms after the scheduled minute, as upstream does.
    advance(&mut c, 1_000);
    assert!(cron_jobs(&c).is_empty(), "09:15:00.000");
    advance(&mut c, 100);
    // The name carries the scheduled time in unix minutes.
    let minutes_0915 = (1_772_442_000 + 15 * 60) / 60;
    assert_eq!(cron_jobs(&c), [format!("batch-job-every-fifteen-minutes-{minutes_0915}")]);
    advance(&mut c, 60 * 60_000);
    let names = cron_jobs(&c);
    // 09:15 ... 10:15 ran; history keeps the 3 latest successful plus any still active.
    assert!(names.contains(&format!("batch-job-every-fifteen-minutes-{}", minutes_0915 + 60)));
    let cj = get(&c, Kind::CronJob, "default", "batch-job-every-fifteen-minutes").unwrap();
    let status = cj.as_kind::<CronJob>().unwrap().status.clone().unwrap();
    let last = serde_json::to_value(status.last_schedule_time.unwrap()).unwrap();
    assert_eq!(last, "2026-03-02T10:15:00Z");
    assert!(status.last_successful_time.is_some());
    let done = names.len();
    assert!(done <= 4, "history limit: {names:?}");
    let events = events_for(&c, "default", "batch-job-every-fifteen-minutes");
    let kinds: Vec<&str> = events.iter().map(|(r, _)| r.as_str()).collect();
    assert!(
        kinds.contains(&"SuccessfulCreate")
            && kinds.contains(&"SawCompletedJob")
            && kinds.contains(&"SuccessfulDelete")
    );
    assert!(events.iter().any(|(r, m)| r == "SuccessfulCreate"
        && m == &format!("Created job batch-job-every-fifteen-minutes-{}", minutes_0915 + 60)));
    // kube-apiserver's --event-ttl (1 h) has removed the event of the 09:15 creation by now.
    let created_0915 = format!("Created job batch-job-every-fifteen-minutes-{minutes_0915}");
    assert!(!events.iter().any(|(_, m)| *m == created_0915), "{events:?}");
}

#[test]
fn forbid_skips_a_run_while_one_is_active() {
    let mut c = cluster();
    let yaml =
        CRONJOB.replace("\"0,15,30,45 * * * *\"", "\"* * * * *\"\n  concurrencyPolicy: Forbid");
    apply(&mut c, &yaml);
    advance(&mut c, 5 * 60_000);
    // batch-job takes 2 minutes: runs start at most every other minute or so.
    let n = cron_jobs(&c).len();
    assert!((2..=3).contains(&n), "{n}");
    let events = events_for(&c, "default", "batch-job-every-fifteen-minutes");
    assert!(events.iter().any(|(r, _)| r == "JobAlreadyActive"));
}

#[test]
fn starting_deadline_misses_a_late_schedule() {
    let mut c = cluster();
    let yaml = CRONJOB
        .replace("  schedule:", "  startingDeadlineSeconds: 15\n  suspend: true\n  schedule:");
    apply(&mut c, &yaml);
    advance(&mut c, 16 * 60_000);
    assert!(cron_jobs(&c).is_empty(), "suspended");
    let mut cj = get(&c, Kind::CronJob, "default", "batch-job-every-fifteen-minutes").unwrap();
    if let kubeplay_engine::api::Object::CronJob(x) = &mut cj {
        x.spec.suspend = Some(false);
    }
    c.update(cj).unwrap();
    c.settle();
    // 09:15 was a minute ago, more than 15 s late: skipped.
    assert!(cron_jobs(&c).is_empty());
    advance(&mut c, 15 * 60_000);
    assert_eq!(cron_jobs(&c).len(), 1, "09:30 runs");
}
