//! apps/v1 ReplicaSet, Deployment and DaemonSet: defaulting (`pkg/apis/apps/v1/defaults.go`),
//! validation (`pkg/apis/apps/validation/validation.go`, same wording) and the initial status
//! the API server's strategies give a new object.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetUpdateStrategy, Deployment, DeploymentStrategy, ReplicaSet,
    RollingUpdateDaemonSet, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::pod::{default_pod_spec, validate_pod_spec};
use crate::apimachinery::labels::{
    LabelSelectorValidationOptions, label_selector_as_selector, validate_label_selector,
};
use crate::apimachinery::validation::is_valid_percent;
use crate::apimachinery::{FieldError, FieldPath, Selector};

/// Defaults of a pod template (the pod spec defaults, as generated defaulters apply them).
pub fn default_template(template: &mut PodTemplateSpec) {
    if let Some(spec) = template.spec.as_mut() {
        default_pod_spec(spec);
    }
}

/// `SetDefaults_ReplicaSet`.
pub fn default_replica_set(rs: &mut ReplicaSet) {
    let spec = &mut rs.spec;
    spec.replicas.get_or_insert(1);
    if let Some(t) = spec.template.as_mut() {
        default_template(t);
    }
}

/// `SetDefaults_Deployment`: 1 replica, RollingUpdate 25%/25%, history 10, deadline 600 s.
pub fn default_deployment(d: &mut Deployment) {
    let spec = &mut d.spec;
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    let type_ = strategy.type_.get_or_insert_with(|| "RollingUpdate".into()).clone();
    if type_ == "RollingUpdate" {
        let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable.get_or_insert_with(|| IntOrString::String("25%".into()));
        ru.max_surge.get_or_insert_with(|| IntOrString::String("25%".into()));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    default_template(&mut spec.template);
}

/// `SetDefaults_DaemonSet`: RollingUpdate with maxUnavailable 1 and maxSurge 0, history 10.
pub fn default_daemon_set(ds: &mut DaemonSet) {
    let spec = &mut ds.spec;
    let strategy = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
    let type_ = strategy.type_.get_or_insert_with(|| "RollingUpdate".into()).clone();
    if type_ == "RollingUpdate" {
        let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDaemonSet::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
    default_template(&mut spec.template);
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `ValidateNonnegativeField`.
pub fn nonnegative(value: i64, path: &FieldPath) -> Vec<FieldError> {
    if value < 0 {
        vec![FieldError::invalid(path, value, "must be greater than or equal to 0")]
    } else {
        Vec::new()
    }
}

/// A selector present, well formed and not empty (`kind_words`: "deployment", ...).
fn validate_selector(
    selector: Option<&LabelSelector>,
    empty_message: &str,
    path: &FieldPath,
) -> (Vec<FieldError>, Option<Selector>) {
    let mut errs = Vec::new();
    let Some(sel) = selector else {
        errs.push(FieldError::required(path, ""));
        return (errs, None);
    };
    errs.extend(validate_label_selector(
        Some(sel),
        LabelSelectorValidationOptions::default(),
        path,
    ));
    let empty = sel.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && sel.match_expressions.as_ref().is_none_or(Vec::is_empty);
    if empty {
        errs.push(FieldError::invalid(path, json(sel), empty_message));
    }
    match label_selector_as_selector(Some(sel)) {
        Ok(s) => (errs, Some(s)),
        Err(_) => {
            errs.push(FieldError::invalid(path, json(sel), "invalid label selector"));
            (errs, None)
        }
    }
}

/// The template checks every replicating controller makes (`ValidatePodTemplateSpecForReplicaSet`,
/// `ValidatePodTemplateSpecForRC`, the DaemonSet one): labels match, the pod spec is valid,
/// restartPolicy is Always and there is no activeDeadlineSeconds.
pub fn validate_replicated_template(
    template: Option<&PodTemplateSpec>,
    selector: Option<&Selector>,
    path: &FieldPath,
) -> Vec<String> {
    let mut errs: Vec<FieldError> = Vec::new();
    let Some(template) = template else {
        return vec![FieldError::required(path, "").to_string()];
    };
    let labels = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    if let Some(sel) = selector.filter(|s| !s.is_empty())
        && !sel.matches(&labels)
    {
        errs.push(FieldError::invalid(
            &path.child("metadata").child("labels"),
            json(&labels),
            "`selector` does not match template `labels`",
        ));
    }
    let mut out: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let spec_path = path.child("spec");
    match &template.spec {
        None => out.push(FieldError::required(&spec_path.child("containers"), "").to_string()),
        Some(spec) => {
            out.extend(validate_pod_spec(&spec_path.to_string(), spec));
            let policy = spec.restart_policy.as_deref().unwrap_or("Always");
            if policy != "Always" {
                out.push(
                    FieldError::not_supported(
                        &spec_path.child("restartPolicy"),
                        policy,
                        &["Always"],
                    )
                    .to_string(),
                );
            }
            if let Some(ads) = spec.active_deadline_seconds {
                out.push(
                    FieldError::invalid(
                        &spec_path.child("activeDeadlineSeconds"),
                        ads,
                        "activeDeadlineSeconds in ReplicaSet is not Supported",
                    )
                    .to_string(),
                );
            }
        }
    }
    out
}

/// Validation of a new ReplicaSet.
pub fn validate_replica_set(rs: &ReplicaSet) -> Vec<String> {
    let spec_path = FieldPath::root("spec");
    let spec = &rs.spec;
    let mut errs = nonnegative(i64::from(spec.replicas.unwrap_or(1)), &spec_path.child("replicas"));
    errs.extend(nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &spec_path.child("minReadySeconds"),
    ));
    let (sel_errs, selector) = validate_selector(
        Some(&spec.selector),
        "empty selector is invalid for deployment",
        &spec_path.child("selector"),
    );
    errs.extend(sel_errs);
    let mut out: Vec<String> = errs.iter().map(ToString::to_string).collect();
    if let Some(sel) = selector {
        out.extend(validate_replicated_template(
            spec.template.as_ref(),
            Some(&sel),
            &spec_path.child("template"),
        ));
    }
    out
}

/// Resolves an int-or-percent against `total` (`GetScaledValueFromIntOrPercent`); None when the
/// string is not a percentage.
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> Option<i32> {
    match v {
        IntOrString::Int(i) => Some(*i),
        IntOrString::String(s) => {
            if !is_valid_percent(s).is_empty() {
                return None;
            }
            let p: i64 = s.trim_end_matches('%').parse().ok()?;
            let scaled = p * i64::from(total);
            let v = if round_up { (scaled + 99).div_euclid(100) } else { scaled.div_euclid(100) };
            i32::try_from(v).ok()
        }
    }
}

fn validate_int_or_percent(v: &IntOrString, path: &FieldPath) -> Vec<FieldError> {
    match v {
        IntOrString::String(s) => is_valid_percent(s)
            .into_iter()
            .map(|m| FieldError::invalid(path, s.as_str(), m))
            .collect(),
        IntOrString::Int(i) => nonnegative(i64::from(*i), path),
    }
}

fn percent_value(v: &IntOrString) -> Option<i64> {
    match v {
        IntOrString::String(s) if is_valid_percent(s).is_empty() => {
            s.trim_end_matches('%').parse().ok()
        }
        _ => None,
    }
}

fn int_or_percent_value(v: &IntOrString) -> i64 {
    match v {
        IntOrString::Int(i) => i64::from(*i),
        IntOrString::String(_) => percent_value(v).unwrap_or(0),
    }
}

fn int_or_percent_json(v: &IntOrString) -> crate::apimachinery::BadValue {
    match v {
        IntOrString::Int(i) => (*i).into(),
        IntOrString::String(s) => s.as_str().into(),
    }
}

fn validate_rolling_update(ru: &RollingUpdateDeployment, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let zero = IntOrString::Int(0);
    let mu = ru.max_unavailable.as_ref().unwrap_or(&zero);
    let ms = ru.max_surge.as_ref().unwrap_or(&zero);
    errs.extend(validate_int_or_percent(mu, &path.child("maxUnavailable")));
    errs.extend(validate_int_or_percent(ms, &path.child("maxSurge")));
    if int_or_percent_value(mu) == 0 && int_or_percent_value(ms) == 0 {
        errs.push(FieldError::invalid(
            &path.child("maxUnavailable"),
            int_or_percent_json(mu),
            "may not be 0 when `maxSurge` is 0",
        ));
    }
    if percent_value(mu).is_some_and(|p| p > 100) {
        errs.push(FieldError::invalid(
            &path.child("maxUnavailable"),
            int_or_percent_json(mu),
            "must not be greater than 100%",
        ));
    }
    errs
}

/// Validation of a new Deployment.
pub fn validate_deployment(d: &Deployment) -> Vec<String> {
    let spec_path = FieldPath::root("spec");
    let spec = &d.spec;
    let mut errs = nonnegative(i64::from(spec.replicas.unwrap_or(1)), &spec_path.child("replicas"));
    let (sel_errs, selector) = validate_selector(
        Some(&spec.selector),
        "empty selector is invalid for deployment",
        &spec_path.child("selector"),
    );
    errs.extend(sel_errs);
    let mut out: Vec<String> = errs.drain(..).map(|e| e.to_string()).collect();
    if let Some(sel) = &selector {
        out.extend(validate_replicated_template(
            Some(&spec.template),
            Some(sel),
            &spec_path.child("template"),
        ));
    }
    let strategy_path = spec_path.child("strategy");
    if let Some(strategy) = &spec.strategy {
        match strategy.type_.as_deref().unwrap_or("RollingUpdate") {
            "Recreate" => {
                if strategy.rolling_update.is_some() {
                    errs.push(FieldError::forbidden(
                        &strategy_path.child("rollingUpdate"),
                        "may not be specified when strategy `type` is 'Recreate'",
                    ));
                }
            }
            "RollingUpdate" => {
                if let Some(ru) = &strategy.rolling_update {
                    errs.extend(validate_rolling_update(ru, &strategy_path.child("rollingUpdate")));
                }
            }
            other => errs.push(FieldError::not_supported(
                &strategy_path.child("type"),
                other,
                &["Recreate", "RollingUpdate"],
            )),
        }
    }
    let min_ready = i64::from(spec.min_ready_seconds.unwrap_or(0));
    errs.extend(nonnegative(min_ready, &spec_path.child("minReadySeconds")));
    if let Some(limit) = spec.revision_history_limit {
        errs.extend(nonnegative(i64::from(limit), &spec_path.child("revisionHistoryLimit")));
    }
    if let Some(pds) = spec.progress_deadline_seconds {
        let p = spec_path.child("progressDeadlineSeconds");
        errs.extend(nonnegative(i64::from(pds), &p));
        if i64::from(pds) <= min_ready {
            errs.push(FieldError::invalid(&p, pds, "must be greater than minReadySeconds"));
        }
    }
    out.extend(errs.iter().map(ToString::to_string));
    out
}

/// Validation of a new DaemonSet.
pub fn validate_daemon_set(ds: &DaemonSet) -> Vec<String> {
    let spec_path = FieldPath::root("spec");
    let spec = &ds.spec;
    let (mut errs, selector) = validate_selector(
        Some(&spec.selector),
        "empty selector is not valid for daemonset.",
        &spec_path.child("selector"),
    );
    errs.extend(nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &spec_path.child("minReadySeconds"),
    ));
    let mut out: Vec<String> = errs.iter().map(ToString::to_string).collect();
    if let Some(sel) = &selector {
        out.extend(validate_replicated_template(
            Some(&spec.template),
            Some(sel),
            &spec_path.child("template"),
        ));
    }
    if let Some(s) = &spec.update_strategy {
        let p = spec_path.child("updateStrategy").child("type");
        match s.type_.as_deref().unwrap_or("RollingUpdate") {
            "RollingUpdate" | "OnDelete" => {}
            other => out.push(
                FieldError::not_supported(&p, other, &["OnDelete", "RollingUpdate"]).to_string(),
            ),
        }
    }
    out
}

/// `spec.selector` is immutable in apps/v1.
pub fn validate_selector_unchanged(
    old: Option<&LabelSelector>,
    new: Option<&LabelSelector>,
) -> Vec<String> {
    if old == new {
        return Vec::new();
    }
    let value = new.map(json).unwrap_or(Value::Null);
    vec![
        FieldError::invalid(
            &FieldPath::root("spec").child("selector"),
            value,
            "field is immutable",
        )
        .to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::DeploymentSpec;
    use k8s_openapi::api::core::v1::{Container, PodSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn labels(k: &str, v: &str) -> BTreeMap<String, String> {
        [(k.to_string(), v.to_string())].into()
    }

    fn deployment(selector: Option<LabelSelector>, template_app: &str) -> Deployment {
        Deployment {
            metadata: ObjectMeta { name: Some("kubia".into()), ..Default::default() },
            spec: DeploymentSpec {
                selector: selector.unwrap_or_default(),
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels("app", template_app)),
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: "nodejs".into(),
                            image: Some("luksa/kubia:v1".into()),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                },
                ..Default::default()
            },
            status: None,
        }
    }

    #[test]
    fn deployment_defaults_match_apps_v1() {
        let mut d = deployment(None, "kubia");
        default_deployment(&mut d);
        let spec = d.spec;
        assert_eq!(spec.replicas, Some(1));
        assert_eq!(spec.revision_history_limit, Some(10));
        assert_eq!(spec.progress_deadline_seconds, Some(600));
        let ru = spec.strategy.unwrap().rolling_update.unwrap();
        assert_eq!(ru.max_surge, Some(IntOrString::String("25%".into())));
        assert_eq!(ru.max_unavailable, Some(IntOrString::String("25%".into())));
    }

    #[test]
    fn selector_mismatch_and_empty_selector_are_worded_as_upstream() {
        let sel =
            LabelSelector { match_labels: Some(labels("app", "other")), ..Default::default() };
        let mut d = deployment(Some(sel), "kubia");
        default_deployment(&mut d);
        let errs = validate_deployment(&d);
        assert_eq!(
            errs,
            [
                "spec.template.metadata.labels: Invalid value: {\"app\":\"kubia\"}: `selector` does not match template `labels`"
            ]
        );
        let mut d = deployment(None, "kubia");
        default_deployment(&mut d);
        assert_eq!(
            validate_deployment(&d),
            ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]
        );
    }

    #[test]
    fn percentages_scale_with_ceil_for_surge_and_floor_for_unavailable() {
        let p = IntOrString::String("25%".into());
        let got: Vec<(i32, i32)> = (1..=10)
            .map(|n| {
                (scaled_value(&p, n, true).unwrap_or(-1), scaled_value(&p, n, false).unwrap_or(-1))
            })
            .collect();
        assert_eq!(
            got,
            [(1, 0), (1, 0), (1, 0), (1, 1), (2, 1), (2, 1), (2, 1), (2, 2), (3, 2), (3, 2)]
        );
    }
}
