//! What the front end draws: a plain snapshot of the cluster, detached from the API types.
//!
//! [`ClusterSnapshot::build`] reads the store once and copies out what the view needs (nodes, pods,
//! services with their endpoints, deployments with their ReplicaSets, the newest events). It never
//! changes the cluster. Lists are bounded so a huge cluster cannot make a snapshot huge.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Endpoints, Event, Node, Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::cluster::Cluster;
use crate::kubectl;

/// The most events a snapshot carries (the newest ones).
pub const SNAPSHOT_EVENTS_MAX: usize = 60;

/// A picture of the cluster at one moment of virtual time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterSnapshot {
    /// Virtual time of the snapshot (ms since the cluster was created).
    pub now_ms: u64,
    /// Virtual time since the session started (what a clock in the UI shows).
    pub session_ms: u64,
    /// Nodes in name order.
    pub nodes: Vec<NodeView>,
    /// Pods in namespace/name order.
    pub pods: Vec<PodView>,
    /// Services in namespace/name order, with their endpoints.
    pub services: Vec<ServiceView>,
    /// Deployments in namespace/name order, with their ReplicaSets.
    pub deployments: Vec<DeploymentView>,
    /// The newest events, oldest first (at most [`SNAPSHOT_EVENTS_MAX`]).
    pub events: Vec<EventView>,
    /// Requests of the last [`SNAPSHOT_REQUESTS_WINDOW_MS`] of virtual time, oldest first (at
    /// most [`SNAPSHOT_REQUESTS_MAX`]), for the view to animate.
    pub requests: Vec<RequestView>,
}

/// The most requests a snapshot carries (the newest ones).
pub const SNAPSHOT_REQUESTS_MAX: usize = 40;
/// How far back in virtual time a snapshot's requests reach.
pub const SNAPSHOT_REQUESTS_WINDOW_MS: u64 = 5_000;

/// One request through the network: client to Service to pod.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestView {
    /// Position in the traffic log (each request is animated once).
    pub seq: u64,
    /// The Service that balanced it, as `namespace/name`.
    pub service: Option<String>,
    /// The pod that served it, as `namespace/name`.
    pub pod: Option<String>,
    /// Whether it got an answer below 500.
    pub ok: bool,
}

/// One node lane.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeView {
    /// Node name.
    pub name: String,
    /// `Ready`, `NotReady`, with `,SchedulingDisabled` when cordoned (as `kubectl get nodes`).
    pub status: String,
    /// `control-plane` or empty.
    pub roles: String,
    /// The node's InternalIP.
    pub internal_ip: String,
}

/// One pod card.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodView {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// Node it is bound to, if scheduled.
    pub node: Option<String>,
    /// The pod phase (`Pending`, `Running`, ...).
    pub phase: String,
    /// The STATUS column as `kubectl get pods` prints it (`ContainerCreating`, `CrashLoopBackOff`, ...).
    pub status: String,
    /// Ready containers.
    pub ready_containers: u32,
    /// All containers.
    pub total_containers: u32,
    /// Sum of container restarts.
    pub restarts: u32,
    /// `Kind/name` of the controlling owner, if any.
    pub owner: Option<String>,
    /// The `pod-template-hash` label (which ReplicaSet template the pod came from), if any.
    pub template_hash: Option<String>,
    /// The pod IP, once it has one.
    pub ip: Option<String>,
}

/// One Service and the pods behind it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceView {
    /// Namespace.
    pub namespace: String,
    /// Service name.
    pub name: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    pub type_: String,
    /// The cluster IP (`None` for headless).
    pub cluster_ip: String,
    /// PORT(S) as `kubectl get svc` prints them.
    pub ports: String,
    /// Pods that are ready endpoints (names), sorted.
    pub ready: Vec<String>,
    /// Pods that are endpoints but not ready (names), sorted.
    pub not_ready: Vec<String>,
}

/// One Deployment and its ReplicaSets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeploymentView {
    /// Namespace.
    pub namespace: String,
    /// Deployment name.
    pub name: String,
    /// The `deployment.kubernetes.io/revision` annotation.
    pub revision: String,
    /// `spec.replicas`.
    pub desired: i32,
    /// `status.updatedReplicas`.
    pub updated: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// `status.availableReplicas`.
    pub available: i32,
    /// `RollingUpdate` or `Recreate`.
    pub strategy: String,
    /// maxSurge as written (`25%`, `1`), empty for Recreate.
    pub max_surge: String,
    /// maxUnavailable as written, empty for Recreate.
    pub max_unavailable: String,
    /// maxSurge resolved against `desired` (rounded up, as the controller does).
    pub surge_pods: i32,
    /// maxUnavailable resolved against `desired` (rounded down, as the controller does).
    pub unavailable_pods: i32,
    /// Its ReplicaSets, newest revision first.
    pub replica_sets: Vec<ReplicaSetView>,
}

/// One ReplicaSet of a Deployment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplicaSetView {
    /// ReplicaSet name.
    pub name: String,
    /// The `pod-template-hash` label.
    pub template_hash: String,
    /// Its revision annotation.
    pub revision: String,
    /// `spec.replicas`.
    pub desired: i32,
    /// `status.replicas`.
    pub current: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// Images of its pod template, comma-separated.
    pub images: String,
}

/// One Kubernetes event, for the feed and captions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventView {
    /// The event object's name (unique; a key for the list).
    pub name: String,
    /// Virtual time of the last occurrence, ms since the session started (0 if earlier).
    pub at_ms: u64,
    /// `Normal` or `Warning`.
    pub type_: String,
    /// Reason (`Scheduled`, `Pulling`, `ScalingReplicaSet`, ...).
    pub reason: String,
    /// The object as `kind/name` in lower case (`pod/web-1`).
    pub object: String,
    /// Namespace of the object.
    pub namespace: String,
    /// The message.
    pub message: String,
    /// How many times it happened.
    pub count: i32,
}

fn meta_name(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

fn meta_ns(meta: &ObjectMeta) -> String {
    meta.namespace.clone().unwrap_or_default()
}

fn annotation(meta: &ObjectMeta, key: &str) -> String {
    meta.annotations.as_ref().and_then(|a| a.get(key)).cloned().unwrap_or_default()
}

fn label(meta: &ObjectMeta, key: &str) -> Option<String> {
    meta.labels.as_ref().and_then(|l| l.get(key)).cloned()
}

fn controller_uid(meta: &ObjectMeta) -> Option<&str> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

fn int_or_string(v: Option<&IntOrString>, default: &str) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => default.to_string(),
    }
}

/// `25%` of `total` rounded up (`round_up`) or down, or a plain integer.
fn resolve(value: &str, total: i32, round_up: bool) -> i32 {
    match value.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
        Some(pct) => {
            let scaled = pct * i64::from(total.max(0));
            let v = if round_up { (scaled + 99) / 100 } else { scaled / 100 };
            v.clamp(0, i64::from(i32::MAX)) as i32
        }
        None => value.parse().unwrap_or(0),
    }
}

/// When the cluster's next timer is due (virtual ms), if any: lets a front end advance time in
/// slices that fit a frame budget (step while the next timer is before its target).
pub fn next_due_ms(cluster: &Cluster) -> Option<u64> {
    cluster.clock.next_due_ms()
}

impl ClusterSnapshot {
    /// Reads the cluster into a snapshot.
    pub fn build(cluster: &Cluster) -> ClusterSnapshot {
        let store = cluster.store();
        let now_ms = cluster.now_ms();
        let session_start = crate::time::SESSION_START_MS;
        let nodes = store
            .list_typed::<Node>(None)
            .map(|n| NodeView {
                name: meta_name(&n.metadata),
                status: kubectl::printers::row(&n.clone().into(), false, 0)
                    .get(1)
                    .cloned()
                    .unwrap_or_default(),
                roles: kubectl::printers::node_roles(n).replace("<none>", ""),
                internal_ip: n
                    .status
                    .as_ref()
                    .and_then(|s| s.addresses.as_ref())
                    .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                    .map(|a| a.address.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let pods = store
            .list_typed::<Pod>(None)
            .map(|p| {
                let statuses = p
                    .status
                    .as_ref()
                    .and_then(|s| s.container_statuses.as_ref())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                PodView {
                    namespace: meta_ns(&p.metadata),
                    name: meta_name(&p.metadata),
                    node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
                    phase: p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
                    status: kubectl::printers::pod_status(p),
                    ready_containers: statuses.iter().filter(|c| c.ready).count() as u32,
                    total_containers: p.spec.as_ref().map_or(0, |s| s.containers.len()) as u32,
                    restarts: statuses.iter().map(|c| c.restart_count.max(0) as u32).sum(),
                    owner: p
                        .metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .find(|r| r.controller == Some(true))
                        .map(|r| format!("{}/{}", r.kind, r.name)),
                    template_hash: label(&p.metadata, "pod-template-hash"),
                    ip: p.status.as_ref().and_then(|s| s.pod_ip.clone()),
                }
            })
            .collect();
        let services = store
            .list_typed::<Service>(None)
            .map(|s| {
                let (ns, name) = (meta_ns(&s.metadata), meta_name(&s.metadata));
                let spec = s.spec.as_ref();
                let ports = kubectl::printers::row(&s.clone().into(), false, 0)
                    .get(4)
                    .cloned()
                    .unwrap_or_default();
                let mut ready = Vec::new();
                let mut not_ready = Vec::new();
                if let Some(ep) = store.get_typed::<Endpoints>(&ns, &name) {
                    for subset in ep.subsets.iter().flatten() {
                        let pod_name = |a: &k8s_openapi::api::core::v1::EndpointAddress| {
                            a.target_ref
                                .as_ref()
                                .and_then(|r| r.name.clone())
                                .unwrap_or_else(|| a.ip.clone())
                        };
                        ready.extend(subset.addresses.iter().flatten().map(pod_name));
                        not_ready.extend(subset.not_ready_addresses.iter().flatten().map(pod_name));
                    }
                }
                for v in [&mut ready, &mut not_ready] {
                    crate::sorting::sort(v);
                    v.dedup();
                }
                ServiceView {
                    namespace: ns,
                    name,
                    type_: spec.and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".into()),
                    cluster_ip: spec.and_then(|s| s.cluster_ip.clone()).unwrap_or_default(),
                    ports,
                    ready,
                    not_ready,
                }
            })
            .collect();
        let replica_sets: Vec<&ReplicaSet> = store.list_typed::<ReplicaSet>(None).collect();
        let deployments = store
            .list_typed::<Deployment>(None)
            .map(|d| {
                let uid = d.metadata.uid.as_deref().unwrap_or_default();
                let spec = Some(&d.spec);
                let status = d.status.as_ref();
                let desired = spec.and_then(|s| s.replicas).unwrap_or(1);
                let strategy = spec.and_then(|s| s.strategy.as_ref());
                let kind = strategy
                    .and_then(|s| s.type_.clone())
                    .unwrap_or_else(|| "RollingUpdate".into());
                let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
                let (max_surge, max_unavailable) = if kind == "Recreate" {
                    (String::new(), String::new())
                } else {
                    (
                        int_or_string(rolling.and_then(|r| r.max_surge.as_ref()), "25%"),
                        int_or_string(rolling.and_then(|r| r.max_unavailable.as_ref()), "25%"),
                    )
                };
                let mut sets: Vec<ReplicaSetView> = replica_sets
                    .iter()
                    .filter(|rs| !uid.is_empty() && controller_uid(&rs.metadata) == Some(uid))
                    .map(|rs| ReplicaSetView {
                        name: meta_name(&rs.metadata),
                        template_hash: label(&rs.metadata, "pod-template-hash").unwrap_or_default(),
                        revision: annotation(&rs.metadata, "deployment.kubernetes.io/revision"),
                        desired: rs.spec.replicas.unwrap_or(0),
                        current: rs.status.as_ref().map_or(0, |s| s.replicas),
                        ready: rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0),
                        images: rs
                            .spec
                            .template
                            .as_ref()
                            .and_then(|t| t.spec.as_ref())
                            .map(|s| {
                                s.containers
                                    .iter()
                                    .filter_map(|c| c.image.clone())
                                    .collect::<Vec<_>>()
                                    .join(",")
                            })
                            .unwrap_or_default(),
                    })
                    .collect();
                crate::sorting::sort_by_key(&mut sets, |rs| {
                    std::cmp::Reverse(rs.revision.parse::<u64>().unwrap_or(0))
                });
                DeploymentView {
                    namespace: meta_ns(&d.metadata),
                    name: meta_name(&d.metadata),
                    revision: annotation(&d.metadata, "deployment.kubernetes.io/revision"),
                    desired,
                    updated: status.and_then(|s| s.updated_replicas).unwrap_or(0),
                    ready: status.and_then(|s| s.ready_replicas).unwrap_or(0),
                    available: status.and_then(|s| s.available_replicas).unwrap_or(0),
                    strategy: kind,
                    surge_pods: resolve(&max_surge, desired, true),
                    unavailable_pods: resolve(&max_unavailable, desired, false),
                    max_surge,
                    max_unavailable,
                    replica_sets: sets,
                }
            })
            .collect();
        let mut events: Vec<(i64, &Event)> = store
            .list_typed::<Event>(None)
            .map(|e| {
                let at = crate::cluster::last_seen_ms(e).unwrap_or(0);
                (at, e)
            })
            .collect();
        if events.len() > SNAPSHOT_EVENTS_MAX {
            let cut = events.len() - SNAPSHOT_EVENTS_MAX;
            events.select_nth_unstable_by(cut, |a, b| {
                a.0.cmp(&b.0).then_with(|| a.1.metadata.name.cmp(&b.1.metadata.name))
            });
            events.drain(..cut);
        }
        crate::sorting::sort_by(&mut events, |a, b| {
            a.0.cmp(&b.0).then_with(|| a.1.metadata.name.cmp(&b.1.metadata.name))
        });
        let events = events
            .into_iter()
            .map(|(at, e)| EventView {
                name: meta_name(&e.metadata),
                at_ms: (at.max(0) as u64).saturating_sub(session_start),
                type_: e.type_.clone().unwrap_or_default(),
                reason: e.reason.clone().unwrap_or_default(),
                object: format!(
                    "{}/{}",
                    e.involved_object.kind.as_deref().unwrap_or("").to_lowercase(),
                    e.involved_object.name.as_deref().unwrap_or("")
                ),
                namespace: meta_ns(&e.metadata),
                message: e.message.clone().unwrap_or_default(),
                count: e.series.as_ref().and_then(|s| s.count).or(e.count).unwrap_or(1),
            })
            .collect();
        let since_ms = now_ms.saturating_sub(SNAPSHOT_REQUESTS_WINDOW_MS);
        let mut requests: Vec<RequestView> = cluster
            .traffic_log()
            .rev()
            .take_while(|t| t.at_ms >= since_ms)
            .take(SNAPSHOT_REQUESTS_MAX)
            .map(|t| RequestView {
                seq: t.seq,
                service: t.service.as_ref().map(|k| format!("{}/{}", k.namespace, k.name)),
                pod: t.pod.as_ref().map(|k| format!("{}/{}", k.namespace, k.name)),
                ok: matches!(t.outcome, crate::network::Outcome::Status(code) if code < 500),
            })
            .collect();
        requests.reverse();
        ClusterSnapshot {
            now_ms,
            session_ms: now_ms.saturating_sub(session_start),
            nodes,
            pods,
            services,
            deployments,
            events,
            requests,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_resolve_like_the_controller() {
        assert_eq!(resolve("25%", 10, true), 3);
        assert_eq!(resolve("25%", 10, false), 2);
        assert_eq!(resolve("1", 10, true), 1);
        assert_eq!(resolve("", 10, true), 0);
    }
}
