//! batch/v1 Job and CronJob: defaulting (`pkg/apis/batch/v1/defaults.go`), the Job strategy's
//! generated selector (`batch.kubernetes.io/controller-uid`), and validation
//! (`pkg/apis/batch/validation/validation.go`, same wording).

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec, JobStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

use super::apps::{default_template, nonnegative};
use super::pod::validate_pod_spec;
use crate::apimachinery::cron::{validate_schedule, validate_time_zone};
use crate::apimachinery::labels::label_selector_as_selector;
use crate::apimachinery::{FieldError, FieldPath};

/// The label (and selector key) tying a Job's pods to it.
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";
/// The label naming a pod's Job.
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";
/// Legacy forms of the two labels, still set in 1.34.
pub const LEGACY_CONTROLLER_UID_LABEL: &str = "controller-uid";
/// Legacy job-name label.
pub const LEGACY_JOB_NAME_LABEL: &str = "job-name";
/// CronJob names longer than this leave no room for the `-<minutes>` suffix.
pub const CRONJOB_NAME_MAX_LEN: usize = 52;

/// `SetDefaults_Job` on a spec.
pub fn default_job_spec(spec: &mut JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    if spec.backoff_limit.is_none() {
        spec.backoff_limit =
            Some(if spec.backoff_limit_per_index.is_some() { i32::MAX } else { 6 });
    }
    spec.completion_mode.get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    if spec.pod_replacement_policy.is_none() {
        let policy =
            if spec.pod_failure_policy.is_some() { "Failed" } else { "TerminatingOrFailed" };
        spec.pod_replacement_policy = Some(policy.into());
    }
    default_template(&mut spec.template);
}

/// `SetDefaults_Job`: spec defaults, and the Job's labels from its template when it has none.
pub fn default_job(job: &mut Job) {
    let spec = job.spec.get_or_insert_with(Default::default);
    default_job_spec(spec);
    let template_labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone());
    if let Some(l) = template_labels.filter(|l| !l.is_empty())
        && job.metadata.labels.as_ref().is_none_or(BTreeMap::is_empty)
    {
        job.metadata.labels = Some(l);
    }
}

/// The Job strategy's `PrepareForCreate`: unless `manualSelector`, the selector is the Job's UID
/// and the template gets the four controller labels. Status starts empty.
pub fn prepare_job_for_create(job: &mut Job) {
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let name = job.metadata.name.clone().unwrap_or_default();
    let Some(spec) = job.spec.as_mut() else { return };
    if spec.manual_selector != Some(true) {
        let labels = spec
            .template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(BTreeMap::new);
        labels.insert(CONTROLLER_UID_LABEL.into(), uid.clone());
        labels.insert(JOB_NAME_LABEL.into(), name.clone());
        labels.insert(LEGACY_CONTROLLER_UID_LABEL.into(), uid.clone());
        labels.insert(LEGACY_JOB_NAME_LABEL.into(), name);
        spec.selector = Some(LabelSelector {
            match_labels: Some([(CONTROLLER_UID_LABEL.to_string(), uid)].into()),
            ..Default::default()
        });
    }
    if job.metadata.labels.as_ref().is_none_or(BTreeMap::is_empty) {
        job.metadata.labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone());
    }
    job.status = Some(JobStatus::default());
}

fn validate_job_spec(spec: &JobSpec, path: &FieldPath, check_selector: bool) -> Vec<String> {
    let mut errs = Vec::new();
    if let Some(p) = spec.parallelism {
        errs.extend(nonnegative(i64::from(p), &path.child("parallelism")));
    }
    if let Some(c) = spec.completions {
        errs.extend(nonnegative(i64::from(c), &path.child("completions")));
    }
    if let Some(b) = spec.backoff_limit {
        errs.extend(nonnegative(i64::from(b), &path.child("backoffLimit")));
    }
    if let Some(a) = spec.active_deadline_seconds {
        errs.extend(nonnegative(a, &path.child("activeDeadlineSeconds")));
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        errs.extend(nonnegative(i64::from(t), &path.child("ttlSecondsAfterFinished")));
    }
    if let Some(m) = spec.completion_mode.as_deref()
        && !matches!(m, "NonIndexed" | "Indexed")
    {
        errs.push(FieldError::not_supported(
            &path.child("completionMode"),
            m,
            &["NonIndexed", "Indexed"],
        ));
    }
    let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    if check_selector {
        match &spec.selector {
            None => errs.push(FieldError::required(&path.child("selector"), "")),
            Some(sel) => {
                if let Ok(s) = label_selector_as_selector(Some(sel))
                    && !s.is_empty()
                    && !s.matches(&labels)
                {
                    let value = serde_json::to_value(&labels).unwrap_or(Value::Null);
                    errs.push(FieldError::invalid(
                        &path.child("template").child("metadata").child("labels"),
                        value,
                        "`selector` does not match template `labels`",
                    ));
                }
            }
        }
    }
    let mut out: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let spec_path = path.child("template").child("spec");
    match &spec.template.spec {
        None => out.push(FieldError::required(&spec_path.child("containers"), "").to_string()),
        Some(pod_spec) => {
            out.extend(validate_pod_spec(&spec_path.to_string(), pod_spec));
            let policy = pod_spec.restart_policy.as_deref().unwrap_or("Always");
            if !matches!(policy, "OnFailure" | "Never") {
                out.push(
                    FieldError::not_supported(
                        &spec_path.child("restartPolicy"),
                        policy,
                        &["OnFailure", "Never"],
                    )
                    .to_string(),
                );
            }
        }
    }
    out
}

/// Validation of a Job. The request path validates before the UID exists, so a generated
/// selector (no `manualSelector`) is not there yet; it always matches, so only a manual one is
/// checked.
pub fn validate_job(job: &Job) -> Vec<String> {
    match &job.spec {
        None => vec![FieldError::required(&FieldPath::root("spec"), "").to_string()],
        Some(spec) => {
            let manual = spec.manual_selector == Some(true) || job.metadata.uid.is_some();
            validate_job_spec(spec, &FieldPath::root("spec"), manual)
        }
    }
}

/// A Job's pod template may not change once created.
pub fn validate_job_update(old: &Job, new: &Job) -> Vec<String> {
    let (Some(o), Some(n)) = (&old.spec, &new.spec) else { return Vec::new() };
    let mut errs = Vec::new();
    if o.template != n.template {
        let value = serde_json::to_value(&n.template).unwrap_or(Value::Null);
        errs.push(
            FieldError::invalid(
                &FieldPath::root("spec").child("template"),
                value,
                "field is immutable",
            )
            .to_string(),
        );
    }
    if o.selector != n.selector {
        let value = serde_json::to_value(&n.selector).unwrap_or(Value::Null);
        errs.push(
            FieldError::invalid(
                &FieldPath::root("spec").child("selector"),
                value,
                "field is immutable",
            )
            .to_string(),
        );
    }
    errs
}

/// `SetDefaults_CronJob`: Allow, not suspended, keep 3 successful and 1 failed job.
pub fn default_cron_job(cj: &mut CronJob) {
    let spec = &mut cj.spec;
    spec.concurrency_policy.get_or_insert_with(|| "Allow".into());
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(3);
    spec.failed_jobs_history_limit.get_or_insert(1);
    if let Some(js) = spec.job_template.spec.as_mut() {
        default_template(&mut js.template);
    }
}

/// Validation of a CronJob.
pub fn validate_cron_job(cj: &CronJob, old: Option<&CronJob>) -> Vec<String> {
    let mut out = Vec::new();
    let name = cj.metadata.name.as_deref().unwrap_or("");
    if name.len() > CRONJOB_NAME_MAX_LEN {
        out.push(
            FieldError::invalid(
                &FieldPath::root("metadata").child("name"),
                name,
                format!("must be no more than {CRONJOB_NAME_MAX_LEN} characters"),
            )
            .to_string(),
        );
    }
    let path = FieldPath::root("spec");
    let spec = &cj.spec;
    let old_had_tz = old.is_some_and(|o| o.spec.schedule.contains("TZ"));
    let mut errs = validate_schedule(
        &spec.schedule,
        old_had_tz,
        spec.time_zone.is_some(),
        &path.child("schedule"),
    );
    errs.extend(validate_time_zone(spec.time_zone.as_deref(), &path.child("timeZone")));
    if let Some(d) = spec.starting_deadline_seconds {
        errs.extend(nonnegative(d, &path.child("startingDeadlineSeconds")));
    }
    if let Some(p) = spec.concurrency_policy.as_deref()
        && !matches!(p, "Allow" | "Forbid" | "Replace")
    {
        errs.push(FieldError::not_supported(
            &path.child("concurrencyPolicy"),
            p,
            &["Allow", "Forbid", "Replace"],
        ));
    }
    for (field, v) in [
        ("successfulJobsHistoryLimit", spec.successful_jobs_history_limit),
        ("failedJobsHistoryLimit", spec.failed_jobs_history_limit),
    ] {
        if let Some(v) = v {
            errs.extend(nonnegative(i64::from(v), &path.child(field)));
        }
    }
    out.extend(errs.iter().map(ToString::to_string));
    match &spec.job_template.spec {
        None => {
            out.push(FieldError::required(&path.child("jobTemplate").child("spec"), "").to_string())
        }
        Some(js) => {
            // The template's selector is generated per Job, so it is not checked here.
            out.extend(validate_job_spec(js, &path.child("jobTemplate").child("spec"), false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_and_parallelism_default_together() {
        let mut spec = JobSpec::default();
        default_job_spec(&mut spec);
        assert_eq!(
            (spec.completions, spec.parallelism, spec.backoff_limit),
            (Some(1), Some(1), Some(6))
        );
        let mut spec = JobSpec { completions: Some(5), ..Default::default() };
        default_job_spec(&mut spec);
        assert_eq!((spec.completions, spec.parallelism), (Some(5), Some(1)));
        let mut spec = JobSpec { parallelism: Some(2), ..Default::default() };
        default_job_spec(&mut spec);
        assert_eq!((spec.completions, spec.parallelism), (None, Some(2)));
    }
}
