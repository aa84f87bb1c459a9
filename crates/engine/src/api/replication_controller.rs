//! core/v1 ReplicationController: defaulting (`SetDefaults_ReplicationController`: the selector
//! and the object's labels come from the template labels when empty, 1 replica) and validation
//! (`ValidateReplicationControllerSpec`, same wording).

use k8s_openapi::api::core::v1::ReplicationController;

use super::apps::{default_template, nonnegative, validate_replicated_template};
use crate::apimachinery::labels::validate_labels;
use crate::apimachinery::{FieldError, FieldPath, Selector};

/// `SetDefaults_ReplicationController`.
pub fn default_replication_controller(rc: &mut ReplicationController) {
    let spec = rc.spec.get_or_insert_with(Default::default);
    let template_labels = spec
        .template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    // The book's kubia-rc-and-service-v1.yaml has no selector and relies on this.
    if !template_labels.is_empty() {
        if spec.selector.as_ref().is_none_or(|s| s.is_empty()) {
            spec.selector = Some(template_labels.clone());
        }
        if rc.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            rc.metadata.labels = Some(template_labels);
        }
    }
    spec.replicas.get_or_insert(1);
    if let Some(t) = spec.template.as_mut() {
        default_template(t);
    }
}

/// Validation of a new ReplicationController.
pub fn validate_replication_controller(rc: &ReplicationController) -> Vec<String> {
    let spec_path = FieldPath::root("spec");
    let spec = rc.spec.clone().unwrap_or_default();
    let mut errs = nonnegative(i64::from(spec.replicas.unwrap_or(1)), &spec_path.child("replicas"));
    errs.extend(nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &spec_path.child("minReadySeconds"),
    ));
    let selector = spec.selector.clone().unwrap_or_default();
    if selector.is_empty() {
        errs.push(FieldError::required(&spec_path.child("selector"), ""));
    } else {
        errs.extend(validate_labels(&selector, &spec_path.child("selector")));
    }
    let mut out: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let sel = Selector::from_set(&selector);
    out.extend(validate_replicated_template(
        spec.template.as_ref(),
        Some(&sel),
        &spec_path.child("template"),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        Container, PodSpec, PodTemplateSpec, ReplicationControllerSpec,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    #[test]
    fn selector_defaults_from_template_labels() {
        let labels: std::collections::BTreeMap<String, String> =
            [("app".to_string(), "kubia".to_string())].into();
        let mut rc = ReplicationController {
            metadata: ObjectMeta { name: Some("kubia-v1".into()), ..Default::default() },
            spec: Some(ReplicationControllerSpec {
                template: Some(PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels.clone()),
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
                }),
                ..Default::default()
            }),
            status: None,
        };
        default_replication_controller(&mut rc);
        assert_eq!(rc.spec.as_ref().and_then(|s| s.selector.clone()), Some(labels.clone()));
        assert_eq!(rc.metadata.labels, Some(labels));
        assert_eq!(rc.spec.as_ref().and_then(|s| s.replicas), Some(1));
        assert!(validate_replication_controller(&rc).is_empty());
    }
}
