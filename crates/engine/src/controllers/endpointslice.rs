//! endpointslice-controller: the EndpointSlices (discovery.k8s.io/v1) of every Service with a
//! selector. Slices are named `<service>-<5 random>`, labelled with the service name and the
//! managing controller, owned by the Service, hold at most 100 endpoints each and group pods whose
//! target ports resolve alike. Terminating pods stay in, with `ready: false, terminating: true`.
//!
//! Upstream: `pkg/controller/endpointslice/reconciler.go`, `staging/src/k8s.io/endpointslice/
//! utils.go` (`podToEndpoint`), `endpointslice.kubernetes.io/managed-by` = `endpointslice-controller.k8s.io`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::endpoints::{
    PortKey, TRIGGER_TIME_ANNOTATION, find_port, managed_labels, pod_ready, pod_ref, selected_pods,
    selector, should_be_in_endpoints, trigger_time,
};
use crate::api::service::parse_ipv4;
use crate::api::{ApiKind, Kind, ObjKey};
use crate::cluster::{Cluster, Propagation};

/// `kubernetes.io/service-name`.
pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
/// `endpointslice.kubernetes.io/managed-by`.
pub const LABEL_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
/// The controller's name in that label.
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// `--max-endpoints-per-slice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;
/// Pods one service's slices cover (a bound on work per reconcile).
pub const MAX_ENDPOINTS_PER_SERVICE: usize = 10_000;

/// The slices of service `svc` that `controller` manages (by their two labels).
pub fn slices_managed_by(
    cluster: &Cluster,
    ns: &str,
    svc: &str,
    controller: &str,
) -> Vec<EndpointSlice> {
    cluster
        .store
        .list_typed::<EndpointSlice>(Some(ns))
        .filter(|s| {
            let l = s.metadata.labels.as_ref();
            l.and_then(|l| l.get(LABEL_SERVICE_NAME)).map(String::as_str) == Some(svc)
                && l.and_then(|l| l.get(LABEL_MANAGED_BY)).map(String::as_str) == Some(controller)
        })
        .cloned()
        .collect()
}

/// One slice's worth: its ports and endpoints.
pub type SliceContent = (Option<Vec<EndpointPort>>, Vec<Endpoint>);
/// Endpoints keyed for sorting by (numeric IP, pod UID).
type Keyed = Vec<((u32, String), Endpoint)>;

fn desired(cluster: &Cluster, svc: &Service) -> Vec<SliceContent> {
    let spec = svc.spec.clone().unwrap_or_default();
    let publish = spec.publish_not_ready_addresses == Some(true);
    let svc_ports = spec.ports.clone().unwrap_or_default();
    let mut groups: BTreeMap<Vec<PortKey>, Keyed> = BTreeMap::new();
    for pod in selected_pods(cluster, svc).into_iter().take(MAX_ENDPOINTS_PER_SERVICE) {
        if !should_be_in_endpoints(pod, true) {
            continue;
        }
        let ports: Vec<PortKey> = svc_ports
            .iter()
            .filter_map(|sp| {
                find_port(pod, sp).map(|port| PortKey {
                    name: sp.name.clone().unwrap_or_default(),
                    port,
                    protocol: sp.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    app_protocol: sp.app_protocol.clone(),
                })
            })
            .collect();
        let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
        let terminating = pod.metadata.deletion_timestamp.is_some();
        let ready = pod_ready(pod);
        let pspec = pod.spec.as_ref();
        let hostname = pspec
            .filter(|s| s.subdomain.is_some() && s.subdomain == svc.metadata.name)
            .and_then(|s| s.hostname.clone());
        let ep = Endpoint {
            addresses: vec![ip.clone()],
            conditions: Some(EndpointConditions {
                ready: Some(publish || (ready && !terminating)),
                serving: Some(publish || ready),
                terminating: Some(terminating),
            }),
            hostname,
            node_name: pspec.and_then(|s| s.node_name.clone()),
            target_ref: Some(pod_ref(pod)),
            ..Default::default()
        };
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        groups.entry(ports).or_default().push(((parse_ipv4(&ip).unwrap_or(u32::MAX), uid), ep));
    }
    let mut out = Vec::new();
    for (ports, mut eps) in groups {
        crate::sorting::sort_by(&mut eps, |a, b| a.0.cmp(&b.0));
        let slice_ports: Vec<EndpointPort> = ports
            .into_iter()
            .map(|p| EndpointPort {
                name: Some(p.name),
                port: Some(p.port),
                protocol: Some(p.protocol),
                app_protocol: p.app_protocol,
            })
            .collect();
        let eps: Vec<Endpoint> = eps.into_iter().map(|(_, e)| e).collect();
        for chunk in eps.chunks(MAX_ENDPOINTS_PER_SLICE) {
            out.push((Some(slice_ports.clone()), chunk.to_vec()));
        }
    }
    if out.is_empty() {
        // A placeholder slice keeps the service visible to consumers.
        out.push((None, Vec::new()));
    }
    out
}

/// What the slices of one owner carry besides their endpoints.
pub struct SliceOwner<'a> {
    /// Namespace.
    pub namespace: &'a str,
    /// The service's (and the slices' name prefix).
    pub name: &'a str,
    /// Labels every slice has.
    pub labels: BTreeMap<String, String>,
    /// Annotations set on a slice when it is created or changed.
    pub annotations: BTreeMap<String, String>,
    /// The controller reference.
    pub owner: OwnerReference,
}

/// Makes `existing` slices hold `wanted` in order: changes the ones that differ, creates the
/// missing ones (`<name>-<5 random>`), deletes the rest. Shared with the mirroring controller.
pub fn sync_slices(
    cluster: &mut Cluster,
    owned: &SliceOwner,
    existing: Vec<EndpointSlice>,
    wanted: Vec<SliceContent>,
) {
    let mut existing = existing.into_iter();
    for (ports, endpoints) in wanted {
        match existing.next() {
            Some(mut slice) => {
                if slice.ports == ports
                    && slice.endpoints.as_ref() == Some(&endpoints)
                    && slice.metadata.labels.as_ref() == Some(&owned.labels)
                {
                    continue;
                }
                slice.ports = ports;
                slice.endpoints = Some(endpoints);
                slice.metadata.labels = Some(owned.labels.clone());
                if !owned.annotations.is_empty() {
                    let annotations =
                        slice.metadata.annotations.get_or_insert_with(Default::default);
                    annotations.extend(owned.annotations.clone());
                }
                cluster.update_internal(slice.into_object());
            }
            None => {
                let slice = EndpointSlice {
                    metadata: ObjectMeta {
                        generate_name: Some(format!("{}-", owned.name)),
                        namespace: Some(owned.namespace.to_string()),
                        labels: Some(owned.labels.clone()),
                        annotations: (!owned.annotations.is_empty())
                            .then(|| owned.annotations.clone()),
                        owner_references: Some(vec![owned.owner.clone()]),
                        ..Default::default()
                    },
                    address_type: "IPv4".into(),
                    endpoints: Some(endpoints),
                    ports,
                };
                let _ = cluster.create(slice.into_object());
            }
        }
    }
    for surplus in existing {
        let name = surplus.metadata.name.clone().unwrap_or_default();
        let k = ObjKey::new(Kind::EndpointSlice, owned.namespace, &name);
        let _ = cluster.delete(&k, None, Propagation::Background);
    }
}

/// Reconciles the EndpointSlices of the service at `key`.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let existing = slices_managed_by(cluster, &key.namespace, &key.name, CONTROLLER_NAME);
    let svc = cluster.store.get_typed::<Service>(&key.namespace, &key.name).cloned();
    let Some(svc) = svc.filter(|s| selector(s).is_some()) else {
        for s in existing {
            let name = s.metadata.name.clone().unwrap_or_default();
            let k = ObjKey::new(Kind::EndpointSlice, &key.namespace, &name);
            let _ = cluster.delete(&k, None, Propagation::Background);
        }
        return;
    };
    let mut labels = managed_labels(&svc, (LABEL_MANAGED_BY, CONTROLLER_NAME));
    labels.insert(LABEL_SERVICE_NAME.into(), key.name.to_string());
    let service_key = ObjKey::new(Kind::Service, &key.namespace, &key.name);
    let Some(owner) = cluster.store.get(&service_key).map(super::workload::owner_ref) else {
        return;
    };
    let wanted = desired(cluster, &svc);
    let annotations =
        BTreeMap::from([(TRIGGER_TIME_ANNOTATION.to_string(), trigger_time(cluster))]);
    let owned =
        SliceOwner { namespace: &key.namespace, name: &key.name, labels, annotations, owner };
    sync_slices(cluster, &owned, existing, wanted);
}
