//! The cluster network: kube-proxy's service routing, CoreDNS, NodePorts, a cloud load balancer,
//! an ingress-nginx-like ingress controller, service environment variables, and the traffic log
//! the UI animates.
//!
//! Requests are routed as the real data path would route them: DNS through the pod's search path,
//! a ClusterIP through the service's ready Endpoints (a uniformly random pick from the seeded PRNG,
//! or ClientIP affinity), NodePorts on every node (`externalTrafficPolicy: Local` only to local
//! endpoints), then the serving container's image behaviour answers (`kubelet::http_get`).
//! Failures come back in curl's words.

pub mod dns;
pub mod env;
pub mod ingress;
pub mod lb;
pub mod pod_network;
pub mod proxy;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use k8s_openapi::api::core::v1::{EndpointSubset, Pod, Service};

use crate::api::{Kind, ObjKey, Object, WatchEvent, WatchEventType};
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::controllers::Component;

pub use pod_network::{PodNetwork, exec_in_pod};
pub use proxy::{Client, NetError, Response, http};

/// Traffic events kept for the UI (older ones are dropped).
pub const TRAFFIC_LOG_CAPACITY: usize = 2_000;
/// ClientIP affinity entries kept (expired and then oldest go first).
pub const MAX_AFFINITY_ENTRIES: usize = 4_096;

/// How a request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP response with this status.
    Status(u16),
    /// The request failed before a response (curl's error, e.g. `(7) Failed to connect ...`).
    Failed(String),
}

/// One request through the cluster network, for the UI to animate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficEvent {
    /// Position in the log (the cursor).
    pub seq: u64,
    /// Virtual time of the request.
    pub at_ms: Millis,
    /// Who sent it.
    pub client: Client,
    /// The client's address.
    pub client_ip: String,
    /// The URL as requested.
    pub url: String,
    /// The node whose NodePort (or hostPort) took the request.
    pub node: Option<String>,
    /// The Ingress whose rule matched.
    pub ingress: Option<ObjKey>,
    /// The Service that balanced it.
    pub service: Option<ObjKey>,
    /// The pod that served it.
    pub pod: Option<ObjKey>,
    /// How it ended.
    pub outcome: Outcome,
}

/// Network state the API does not hold.
#[derive(Clone, Debug, Default)]
pub struct NetState {
    traffic: VecDeque<TrafficEvent>,
    next_seq: u64,
    /// (service, client IP) -> (endpoint IP, expiry).
    affinity: BTreeMap<(ObjKey, String), (String, Millis)>,
    /// Pod -> services whose Endpoints list it (to update them when its labels change).
    pod_services: BTreeMap<ObjKey, BTreeSet<ObjKey>>,
    /// Service -> pods listed in its Endpoints.
    service_pods: BTreeMap<ObjKey, BTreeSet<ObjKey>>,
    /// Load balancers being provisioned: service -> due time.
    pub(crate) lb_pending: BTreeMap<ObjKey, Millis>,
    /// Ingresses waiting for their status: ingress -> due time.
    pub(crate) ingress_pending: BTreeMap<ObjKey, Millis>,
    /// `kubectl port-forward`: local port on the learner's machine -> (pod, container port).
    pub(crate) port_forwards: BTreeMap<i32, (ObjKey, i32)>,
}

impl NetState {
    fn push(&mut self, mut event: TrafficEvent) {
        event.seq = self.next_seq;
        self.next_seq += 1;
        if self.traffic.len() == TRAFFIC_LOG_CAPACITY {
            self.traffic.pop_front();
        }
        self.traffic.push_back(event);
    }

    fn remember_affinity(
        &mut self,
        key: (ObjKey, String),
        ip: String,
        expires: Millis,
        now: Millis,
    ) {
        if self.affinity.len() >= MAX_AFFINITY_ENTRIES && !self.affinity.contains_key(&key) {
            self.affinity.retain(|_, (_, e)| *e > now);
            if self.affinity.len() >= MAX_AFFINITY_ENTRIES
                && let Some(oldest) =
                    self.affinity.iter().min_by_key(|(_, (_, e))| *e).map(|(k, _)| k.clone())
            {
                self.affinity.remove(&oldest);
            }
        }
        self.affinity.insert(key, (ip, expires));
    }
}

impl Cluster {
    /// Every traffic event still in the log, oldest first.
    pub fn traffic_log(&self) -> impl DoubleEndedIterator<Item = &TrafficEvent> {
        self.net.traffic.iter()
    }

    /// Traffic events with `seq >= cursor`, and the cursor to pass next time.
    pub fn traffic_since(&self, cursor: u64) -> (Vec<TrafficEvent>, u64) {
        let events: Vec<TrafficEvent> =
            self.net.traffic.iter().filter(|e| e.seq >= cursor).cloned().collect();
        (events, self.net.next_seq)
    }
}

/// Records the services a pod is an endpoint of (called by the endpoints controller).
pub(crate) fn index_service(cluster: &mut Cluster, svc: &ObjKey, subsets: &[EndpointSubset]) {
    let mut pods = BTreeSet::new();
    pods.extend(
        subsets
            .iter()
            .flat_map(|s| {
                s.addresses.iter().flatten().chain(s.not_ready_addresses.iter().flatten())
            })
            .filter_map(|a| a.target_ref.as_ref())
            .filter_map(|r| r.name.as_deref())
            .map(|n| ObjKey::new(Kind::Pod, &svc.namespace, n)),
    );
    forget_service(cluster, svc);
    for p in &pods {
        cluster.net.pod_services.entry(p.clone()).or_default().insert(svc.clone());
    }
    cluster.net.service_pods.insert(svc.clone(), pods);
}

/// Drops a service from the pod index.
pub(crate) fn forget_service(cluster: &mut Cluster, svc: &ObjKey) {
    if let Some(pods) = cluster.net.service_pods.remove(svc) {
        for p in pods {
            if let Some(set) = cluster.net.pod_services.get_mut(&p) {
                set.remove(svc);
                if set.is_empty() {
                    cluster.net.pod_services.remove(&p);
                }
            }
        }
    }
}

/// Hand-written Endpoints of a Service without a selector are mirrored into EndpointSlices.
fn mirror_on_watch_event(cluster: &mut Cluster, event: &WatchEvent, object: &Object) {
    use crate::controllers::endpointslice::{LABEL_MANAGED_BY, LABEL_SERVICE_NAME};
    let key = &event.key;
    let name = match key.kind {
        Kind::Service | Kind::Endpoints => Some(&*key.name),
        Kind::EndpointSlice if event.event_type == WatchEventType::Deleted => {
            let labels = object.meta().labels.as_ref();
            let mirrored = labels.and_then(|l| l.get(LABEL_MANAGED_BY)).map(String::as_str)
                == Some(crate::controllers::endpointslicemirroring::CONTROLLER_NAME);
            labels.and_then(|l| l.get(LABEL_SERVICE_NAME)).map(String::as_str).filter(|_| mirrored)
        }
        _ => None,
    };
    if let Some(name) = name {
        let service = ObjKey::new(Kind::Service, &key.namespace, name);
        cluster.enqueue(Component::EndpointSliceMirroring, service);
    }
}

fn enqueue_service(cluster: &mut Cluster, svc: ObjKey) {
    cluster.enqueue(Component::Endpoints, svc.clone());
    cluster.enqueue(Component::EndpointSlice, svc);
}

/// Routes a watch event to the network's control loops: a Service change reconciles its
/// endpoints and load balancer; a Pod change reconciles the services that select it now or
/// listed it before; an Ingress change reconciles its status.
pub fn on_watch_event(cluster: &mut Cluster, event: &WatchEvent, object: &Object) {
    let key = &event.key;
    mirror_on_watch_event(cluster, event, object);
    match key.kind {
        Kind::Service => {
            enqueue_service(cluster, key.clone());
            cluster.enqueue(Component::ServiceController, key.clone());
        }
        Kind::Pod => {
            let labels = object.as_kind::<Pod>().and_then(|p| p.metadata.labels.as_ref());
            // The services that selected the pod before, and those that select it now, in order.
            let mut services: Vec<ObjKey> =
                cluster.net.pod_services.get(key).into_iter().flatten().cloned().collect();
            for svc in cluster.store.list_typed::<Service>(Some(&key.namespace)) {
                if let Some(sel) = crate::controllers::endpoints::selector(svc)
                    && crate::controllers::endpoints::selects(sel, labels)
                {
                    services.push(ObjKey::new(
                        Kind::Service,
                        &key.namespace,
                        svc.metadata.name.as_deref().unwrap_or(""),
                    ));
                }
            }
            crate::sorting::sort(&mut services);
            services.dedup();
            for s in services {
                enqueue_service(cluster, s);
            }
        }
        Kind::Endpoints | Kind::EndpointSlice if event.event_type == WatchEventType::Deleted => {
            let name = match key.kind {
                Kind::Endpoints => Some(key.name.to_string()),
                _ => object
                    .meta()
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(crate::controllers::endpointslice::LABEL_SERVICE_NAME))
                    .cloned(),
            };
            if let Some(name) = name {
                enqueue_service(cluster, ObjKey::new(Kind::Service, &key.namespace, &name));
            }
        }
        Kind::Ingress => cluster.enqueue(Component::IngressController, key.clone()),
        _ => {}
    }
}
