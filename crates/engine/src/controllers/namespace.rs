//! The namespace controller: deleting a namespace deletes everything in it, then the namespace.

use crate::api::{Kind, ObjKey};
use crate::cluster::{Cluster, Propagation};

use super::Component;

/// How often a terminating namespace is looked at again while its contents go.
const RECHECK_MS: u64 = 1_000;

/// The CA bundle every namespace gets in `kube-root-ca.crt`.
pub const ROOT_CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIKubeplayCAwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNjAzMDIwODU1NDhaFw0zNjAyMjgwOTAwNDhaMBUx\n-----END CERTIFICATE-----\n";

/// Gives a live namespace its `default` service account and CA config map (the service account
/// and root-CA publisher controllers); empties a terminating one and removes it.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let Some(ns) = cluster.get(key) else { return };
    if ns.meta().deletion_timestamp.is_none() {
        ensure_defaults(cluster, &key.name);
        return;
    }
    let name = key.name.clone();
    for kind in Kind::ALL.iter().copied().filter(|k| k.info().namespaced) {
        let keys: Vec<ObjKey> = cluster.store.list(kind, Some(&name)).map(ObjKey::of).collect();
        for k in keys {
            let deleting = cluster.get(&k).is_some_and(|o| o.meta().deletion_timestamp.is_some());
            if !deleting {
                let _ = cluster.delete(&k, None, Propagation::Background);
            }
        }
    }
    let left = Kind::ALL
        .iter()
        .filter(|k| k.info().namespaced)
        .any(|k| cluster.store.list(*k, Some(&name)).next().is_some());
    if left {
        cluster.requeue_after(Component::Namespace, key.clone(), RECHECK_MS);
    } else {
        cluster.remove(key);
    }
}

fn ensure_defaults(cluster: &mut Cluster, namespace: &str) {
    use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    if cluster.store.get_typed::<ServiceAccount>(namespace, "default").is_none() {
        let sa = ServiceAccount {
            metadata: ObjectMeta {
                name: Some("default".into()),
                namespace: Some(namespace.into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let _ = cluster.create(sa.into());
    }
    if cluster.store.get_typed::<ConfigMap>(namespace, "kube-root-ca.crt").is_none() {
        let cm = ConfigMap {
            metadata: ObjectMeta {
                name: Some("kube-root-ca.crt".into()),
                namespace: Some(namespace.into()),
                annotations: Some(
                    [("kubernetes.io/description".to_string(), "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.".to_string())]
                        .into(),
                ),
                ..Default::default()
            },
            data: Some([("ca.crt".to_string(), ROOT_CA_PEM.to_string())].into()),
            ..Default::default()
        };
        let _ = cluster.create(cm.into());
    }
}
