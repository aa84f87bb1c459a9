//! endpointslicemirroring-controller: EndpointSlices for the Endpoints a user wrote for a Service
//! without a selector, so that EndpointSlice consumers see them too. Subsets with the same ports
//! share a slice (at most 1,000 endpoints, `--mirroring-max-endpoints-per-subset`), named
//! `<endpoints>-<5 random>`, owned by the Endpoints, with its labels and annotations copied and the
//! service name and this controller's name set. Endpoints labelled `endpointslice.kubernetes.io/
//! skip-mirror: "true"` (the API server's own `kubernetes`) are left alone.
//!
//! Upstream: `pkg/controller/endpointslicemirroring/` (`reconciler.go`, `utils.go`:
//! `newEndpointSlice`, `addressToEndpoint`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EndpointAddress, Endpoints, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};

use super::endpointslice::{
    LABEL_MANAGED_BY, LABEL_SERVICE_NAME, SliceContent, SliceOwner, slices_managed_by, sync_slices,
};
use crate::api::{Kind, ObjKey};
use crate::cluster::{Cluster, Propagation};

/// This controller's name in `endpointslice.kubernetes.io/managed-by`.
pub const CONTROLLER_NAME: &str = "endpointslicemirroring-controller.k8s.io";
/// Endpoints with this label set to `"true"` are not mirrored.
const LABEL_SKIP_MIRROR: &str = "endpointslice.kubernetes.io/skip-mirror";
/// Annotations not copied from the Endpoints.
const ANNOTATIONS_NOT_COPIED: &[&str] = &[
    "endpoints.kubernetes.io/last-change-trigger-time",
    "kubectl.kubernetes.io/last-applied-configuration",
];
/// `--mirroring-max-endpoints-per-subset` default.
const MAX_ENDPOINTS_PER_SUBSET: usize = 1_000;

fn endpoint_of(address: &EndpointAddress, ready: bool) -> Endpoint {
    Endpoint {
        addresses: vec![address.ip.clone()],
        conditions: Some(EndpointConditions { ready: Some(ready), ..Default::default() }),
        hostname: address.hostname.clone().filter(|h| !h.is_empty()),
        node_name: address.node_name.clone(),
        target_ref: address.target_ref.clone(),
        ..Default::default()
    }
}

/// Slices' contents: endpoints grouped by their subset's ports, in order of appearance.
fn desired(endpoints: &Endpoints) -> Vec<(Vec<EndpointPort>, Vec<Endpoint>)> {
    let mut groups: Vec<(Vec<EndpointPort>, Vec<Endpoint>)> = Vec::new();
    for subset in endpoints.subsets.iter().flatten() {
        let ports: Vec<EndpointPort> = subset
            .ports
            .iter()
            .flatten()
            .map(|p| EndpointPort {
                // A `*string` upstream: an unnamed port mirrors as `name: ""`.
                name: Some(p.name.clone().unwrap_or_default()),
                port: Some(p.port),
                protocol: p.protocol.clone(),
                app_protocol: p.app_protocol.clone(),
            })
            .collect();
        let ready = subset.addresses.iter().flatten().map(|a| endpoint_of(a, true));
        let not_ready = subset.not_ready_addresses.iter().flatten().map(|a| endpoint_of(a, false));
        let members: Vec<Endpoint> =
            ready.chain(not_ready).take(MAX_ENDPOINTS_PER_SUBSET).collect();
        match groups.iter_mut().find(|(p, _)| *p == ports) {
            Some((_, eps)) => eps.extend(members),
            None => groups.push((ports, members)),
        }
    }
    groups.retain(|(_, eps)| !eps.is_empty());
    groups
}

fn should_mirror(cluster: &Cluster, key: &ObjKey) -> Option<Endpoints> {
    let endpoints = cluster.store.get_typed::<Endpoints>(&key.namespace, &key.name)?;
    let skip = endpoints.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SKIP_MIRROR));
    if skip.map(String::as_str) == Some("true") {
        return None;
    }
    let service = cluster.store.get_typed::<Service>(&key.namespace, &key.name)?;
    let selector = service.spec.as_ref().and_then(|s| s.selector.as_ref());
    selector.is_none().then(|| endpoints.clone())
}

/// Mirrors the Endpoints named by `key` (a Service or Endpoints key: they share the name).
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let existing = slices_managed_by(cluster, &key.namespace, &key.name, CONTROLLER_NAME);
    let Some(endpoints) = should_mirror(cluster, key) else {
        for slice in existing {
            delete_slice(cluster, &key.namespace, &slice);
        }
        return;
    };
    let mut labels = endpoints.metadata.labels.clone().unwrap_or_default();
    labels.insert(LABEL_SERVICE_NAME.into(), key.name.to_string());
    labels.insert(LABEL_MANAGED_BY.into(), CONTROLLER_NAME.into());
    let mut annotations = BTreeMap::new();
    annotations.extend(
        endpoints
            .metadata
            .annotations
            .iter()
            .flatten()
            .filter(|(k, _)| !ANNOTATIONS_NOT_COPIED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let endpoints_key = ObjKey::new(Kind::Endpoints, &key.namespace, &key.name);
    let Some(owner) = cluster.store.get(&endpoints_key).map(super::workload::owner_ref) else {
        return;
    };
    let wanted: Vec<SliceContent> = desired(&endpoints)
        .into_iter()
        .map(|(ports, members)| ((!ports.is_empty()).then_some(ports), members))
        .collect();
    let owned =
        SliceOwner { namespace: &key.namespace, name: &key.name, labels, annotations, owner };
    sync_slices(cluster, &owned, existing, wanted);
}

fn delete_slice(cluster: &mut Cluster, namespace: &str, slice: &EndpointSlice) {
    let name = slice.metadata.name.as_deref().unwrap_or_default();
    let key = ObjKey::new(Kind::EndpointSlice, namespace, name);
    let _ = cluster.delete(&key, None, Propagation::Background);
}
