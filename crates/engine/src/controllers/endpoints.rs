//! endpoint-controller: keeps the Endpoints object of every Service with a selector in step with
//! the pods it selects. Ready pods go to `addresses`, the others to `notReadyAddresses` (unless
//! `publishNotReadyAddresses`); terminal, IP-less and terminating pods are left out. Selector-less
//! services are left alone: their Endpoints are the user's (book ch. 5).
//!
//! Upstream: `pkg/controller/endpoint/endpoints_controller.go` (`syncService`, `addEndpointSubset`),
//! `staging/src/k8s.io/endpointslice/util/controller_utils.go` (`ShouldPodBeInEndpoints`),
//! `pkg/api/v1/endpoints/util.go` (`RepackSubsets`), `pkg/api/v1/pod/util.go` (`FindPort`).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
    ServicePort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::service::parse_ipv4;
use crate::api::{ApiKind, Kind, ObjKey};
use crate::cluster::{Cluster, Propagation};
use crate::time;

/// `endpoints.kubernetes.io/managed-by`, set to [`CONTROLLER_NAME`] on the Endpoints it writes.
pub const LABEL_MANAGED_BY: &str = "endpoints.kubernetes.io/managed-by";
/// The controller's name in that label.
pub const CONTROLLER_NAME: &str = "endpoint-controller";
/// Annotation with the time of the change that triggered the last write.
pub const TRIGGER_TIME_ANNOTATION: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// Label on the Endpoints and EndpointSlices of headless services.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";
/// Addresses one Endpoints object holds before the controller truncates (`maxCapacity`).
pub const MAX_ENDPOINTS_CAPACITY: usize = 1000;

/// The service's selector, if it has a non-empty one. ExternalName services get no endpoints
/// from either controller, selector or not (kubernetes#105986).
pub fn selector(svc: &Service) -> Option<&BTreeMap<String, String>> {
    let spec = svc.spec.as_ref()?;
    if spec.type_.as_deref() == Some("ExternalName") {
        return None;
    }
    spec.selector.as_ref().filter(|s| !s.is_empty())
}

/// Whether `labels` carry every `key=value` of `selector`.
pub fn selects(
    selector: &BTreeMap<String, String>,
    labels: Option<&BTreeMap<String, String>>,
) -> bool {
    let Some(labels) = labels else { return selector.is_empty() };
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Whether the pod has its Ready condition True.
pub fn pod_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

/// `ShouldPodBeInEndpoints`: not terminal, has an IP, not terminating unless `include_terminating`.
pub fn should_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    let status = pod.status.as_ref();
    if matches!(status.and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed")) {
        return false;
    }
    if status.and_then(|s| s.pod_ip.as_deref()).is_none_or(str::is_empty) {
        return false;
    }
    include_terminating || pod.metadata.deletion_timestamp.is_none()
}

/// `FindPort`: a numeric target port as is, a named one through the containers' port names.
pub fn find_port(pod: &Pod, sp: &ServicePort) -> Option<i32> {
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => {
            let proto = sp.protocol.as_deref().unwrap_or("TCP");
            pod.spec.as_ref()?.containers.iter().flat_map(|c| c.ports.iter().flatten()).find_map(
                |p| {
                    (p.name.as_deref() == Some(name.as_str())
                        && p.protocol.as_deref().unwrap_or("TCP") == proto)
                        .then_some(p.container_port)
                },
            )
        }
    }
}

/// The pods of the service's namespace that its selector matches, in name order.
pub fn selected_pods<'a>(cluster: &'a Cluster, svc: &'a Service) -> Vec<&'a Pod> {
    let Some(sel) = selector(svc) else { return Vec::new() };
    let ns = svc.metadata.namespace.as_deref().unwrap_or("");
    cluster
        .store
        .list_typed::<Pod>(Some(ns))
        .filter(|p| selects(sel, p.metadata.labels.as_ref()))
        .collect()
}

/// A `targetRef` to a pod.
pub fn pod_ref(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        namespace: pod.metadata.namespace.clone(),
        name: pod.metadata.name.clone(),
        uid: pod.metadata.uid.clone(),
        ..Default::default()
    }
}

/// Sort key of an address: numeric IP, then the pod's UID.
fn addr_key(a: &EndpointAddress) -> (u32, String) {
    (
        parse_ipv4(&a.ip).unwrap_or(u32::MAX),
        a.target_ref.as_ref().and_then(|r| r.uid.clone()).unwrap_or_default(),
    )
}

/// The time of the triggering change, as `RFC3339Nano` text.
pub fn trigger_time(cluster: &Cluster) -> String {
    serde_json::to_value(time::time(cluster.now()))
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Subsets for a service: per pod and port, ready or not, repacked by port set.
pub fn desired_subsets(cluster: &Cluster, svc: &Service) -> Vec<EndpointSubset> {
    let spec = svc.spec.clone().unwrap_or_default();
    let tolerate_unready = spec.publish_not_ready_addresses == Some(true);
    let svc_name = svc.metadata.name.clone().unwrap_or_default();
    // address key -> (address, ready, ports)
    let mut by_addr: BTreeMap<(u32, String), (EndpointAddress, bool, BTreeSet<PortKey>)> =
        BTreeMap::new();
    for pod in selected_pods(cluster, svc).into_iter().take(MAX_ENDPOINTS_CAPACITY) {
        if !should_be_in_endpoints(pod, tolerate_unready) {
            continue;
        }
        let pspec = pod.spec.as_ref();
        let hostname = pspec
            .filter(|s| s.subdomain.as_deref() == Some(svc_name.as_str()))
            .and_then(|s| s.hostname.clone());
        let addr = EndpointAddress {
            ip: pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
            node_name: pspec.and_then(|s| s.node_name.clone()),
            hostname,
            target_ref: Some(pod_ref(pod)),
        };
        let ready = tolerate_unready || pod_ready(pod);
        let mut ports = BTreeSet::new();
        let svc_ports = spec.ports.as_deref().unwrap_or(&[]);
        for sp in svc_ports {
            // A pod without the named port is skipped for that port only.
            if let Some(port) = find_port(pod, sp) {
                ports.insert(PortKey {
                    name: sp.name.clone().unwrap_or_default(),
                    port,
                    protocol: sp.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    app_protocol: sp.app_protocol.clone(),
                });
            }
        }
        if !svc_ports.is_empty() && ports.is_empty() {
            continue;
        }
        by_addr.insert(addr_key(&addr), (addr, ready, ports));
    }
    // RepackSubsets: addresses with the same port set share a subset.
    let mut groups: BTreeMap<Vec<PortKey>, (Vec<EndpointAddress>, Vec<EndpointAddress>)> =
        BTreeMap::new();
    for (_, (addr, ready, ports)) in by_addr {
        let g = groups.entry(ports.into_iter().collect()).or_default();
        if ready { g.0.push(addr) } else { g.1.push(addr) }
    }
    groups
        .into_iter()
        .map(|(ports, (ready, not_ready))| EndpointSubset {
            addresses: (!ready.is_empty()).then_some(ready),
            not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
            ports: (!ports.is_empty()).then(|| ports.into_iter().map(PortKey::into_port).collect()),
        })
        .collect()
}

/// One resolved endpoint port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortKey {
    /// Service port name.
    pub name: String,
    /// Resolved target port.
    pub port: i32,
    /// Protocol.
    pub protocol: String,
    /// Application protocol.
    pub app_protocol: Option<String>,
}

impl PortKey {
    fn into_port(self) -> EndpointPort {
        EndpointPort {
            name: (!self.name.is_empty()).then_some(self.name),
            port: self.port,
            protocol: Some(self.protocol),
            app_protocol: self.app_protocol,
        }
    }
}

/// Labels the controller puts on what it writes: the service's, plus its own.
pub fn managed_labels(svc: &Service, managed_by: (&str, &str)) -> BTreeMap<String, String> {
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    labels.insert(managed_by.0.into(), managed_by.1.into());
    if svc.spec.as_ref().is_some_and(crate::api::service::is_headless) {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    } else {
        labels.remove(HEADLESS_LABEL);
    }
    labels
}

/// Reconciles the Endpoints of the service at `key`.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let ep_key = ObjKey::new(Kind::Endpoints, &key.namespace, &key.name);
    let existing = cluster.store.get_typed::<Endpoints>(&key.namespace, &key.name).cloned();
    let svc = cluster.store.get_typed::<Service>(&key.namespace, &key.name).cloned();
    let Some(svc) = svc.filter(|s| selector(s).is_some()) else {
        // Service gone (or selector removed): delete what this controller made, keep the user's.
        let managed = existing.as_ref().is_some_and(|e| {
            e.metadata.labels.as_ref().and_then(|l| l.get(LABEL_MANAGED_BY)).map(String::as_str)
                == Some(CONTROLLER_NAME)
        });
        if managed {
            let _ = cluster.delete(&ep_key, None, Propagation::Background);
        }
        crate::network::forget_service(cluster, key);
        return;
    };
    let subsets = desired_subsets(cluster, &svc);
    crate::network::index_service(cluster, key, &subsets);
    let labels = managed_labels(&svc, (LABEL_MANAGED_BY, CONTROLLER_NAME));
    let subsets_opt = (!subsets.is_empty()).then_some(subsets);
    match existing {
        Some(mut ep) => {
            if ep.subsets == subsets_opt && ep.metadata.labels.as_ref() == Some(&labels) {
                return;
            }
            ep.subsets = subsets_opt;
            ep.metadata.labels = Some(labels);
            ep.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(TRIGGER_TIME_ANNOTATION.into(), trigger_time(cluster));
            cluster.update_internal(ep.into_object());
        }
        None => {
            let created = svc.metadata.creation_timestamp.clone();
            let annotation = created
                .and_then(|t| serde_json::to_value(t).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| trigger_time(cluster));
            let ep = Endpoints {
                metadata: ObjectMeta {
                    name: Some(key.name.to_string()),
                    namespace: Some(key.namespace.to_string()),
                    labels: Some(labels),
                    annotations: Some(BTreeMap::from([(
                        TRIGGER_TIME_ANNOTATION.to_string(),
                        annotation,
                    )])),
                    ..Default::default()
                },
                subsets: subsets_opt,
            };
            let _ = cluster.create(ep.into_object());
        }
    }
}
