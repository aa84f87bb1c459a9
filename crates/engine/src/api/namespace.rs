//! Namespace: defaults and initial status.

use k8s_openapi::api::core::v1::{Namespace, NamespaceSpec, NamespaceStatus};

/// The API server labels every namespace with its own name.
pub fn default_namespace(ns: &mut Namespace) {
    if let Some(name) = ns.metadata.name.clone() {
        ns.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("kubernetes.io/metadata.name".into(), name);
    }
}

/// New namespaces are Active, with the `kubernetes` finalizer.
pub fn initial_status(ns: &mut Namespace) {
    ns.spec = Some(NamespaceSpec { finalizers: Some(vec!["kubernetes".into()]) });
    ns.status = Some(NamespaceStatus { phase: Some("Active".into()), conditions: None });
}
