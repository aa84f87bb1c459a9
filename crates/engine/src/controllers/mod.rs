//! The control loops. Each reacts to watch events by queueing object keys, and reconciles one key
//! at a time from the current state, never told why it ran (as kube-runtime controllers do).

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod endpointslice;
pub mod endpointslicemirroring;
pub mod gc;
pub mod job;
pub mod namespace;
pub mod node_lifecycle;
pub mod replicaset;
pub mod workload;

use crate::api::{Kind, ObjKey, Object, WatchEvent, WatchEventType};
use crate::cluster::Cluster;
use crate::{kubelet, scheduler};

/// A control loop (or node agent) that reconciles keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// default-scheduler: binds pending pods to nodes.
    Scheduler,
    /// default-scheduler's event broadcaster: writes its event series (keys are Events).
    SchedulerEvents,
    /// The kubelets: run bound pods' containers.
    Kubelet,
    /// node-lifecycle-controller: node health, taints and evictions.
    NodeLifecycle,
    /// namespace-controller: empties deleted namespaces.
    Namespace,
    /// garbage-collector: deletes dependents whose owners are gone.
    GarbageCollector,
    /// endpoint-controller: a Service's Endpoints (keys are Services).
    Endpoints,
    /// endpointslice-controller: a Service's EndpointSlices (keys are Services).
    EndpointSlice,
    /// service-controller: LoadBalancer provisioning (keys are Services).
    ServiceController,
    /// The ingress controller: Ingress status (keys are Ingresses).
    IngressController,
    /// replicaset-controller.
    ReplicaSet,
    /// replication-controller (ReplicationControllers).
    ReplicationController,
    /// deployment-controller.
    Deployment,
    /// daemonset-controller.
    DaemonSet,
    /// job-controller.
    Job,
    /// cronjob-controller.
    CronJob,
    /// persistentvolume-controller (keys are PVs and PVCs).
    VolumeBinder,
    /// The kubelets' sync of ConfigMap, Secret and downward API volumes (keys are pods).
    VolumeSync,
    /// endpointslicemirroring-controller: slices for hand-written Endpoints (keys are Services).
    EndpointSliceMirroring,
    /// kube-apiserver's kubernetes-service controller: brings back the `kubernetes` Service, its
    /// Endpoints and EndpointSlice (the key is the Service).
    KubernetesService,
}

/// Routes one watch event to the loops that care about it.
pub fn on_watch_event(cluster: &mut Cluster, event: &WatchEvent, object: &Object) {
    gc::observe(cluster, event, object);
    crate::network::on_watch_event(cluster, event, object);
    workload::route(cluster, event, object);
    crate::volumes::on_watch_event(cluster, event, object);
    let key = &event.key;
    match key.kind {
        Kind::Pod => {
            let live = (event.event_type != WatchEventType::Deleted)
                .then(|| object.as_kind::<k8s_openapi::api::core::v1::Pod>())
                .flatten();
            cluster.scheduler_cache.observe(key, live);
            let bound = object
                .as_kind::<k8s_openapi::api::core::v1::Pod>()
                .and_then(|p| p.spec.as_ref())
                .and_then(|s| s.node_name.as_ref())
                .is_some();
            if bound || event.event_type == WatchEventType::Deleted {
                cluster.enqueue(Component::Kubelet, key.clone());
            }
            if !bound && event.event_type != WatchEventType::Deleted {
                cluster.enqueue(Component::Scheduler, key.clone());
            }
            if event.event_type == WatchEventType::Deleted && bound {
                // Freed resources may fit a pending pod now.
                scheduler::retry_pending(cluster);
            }
        }
        Kind::Node => {
            cluster.enqueue(Component::NodeLifecycle, key.clone());
            scheduler::retry_pending(cluster);
        }
        Kind::PersistentVolume | Kind::PersistentVolumeClaim => {
            cluster.enqueue(Component::VolumeBinder, key.clone());
        }
        Kind::Namespace if event.event_type != WatchEventType::Deleted => {
            cluster.enqueue(Component::Namespace, key.clone());
        }
        Kind::Service | Kind::Endpoints | Kind::EndpointSlice
            if event.event_type == WatchEventType::Deleted
                && &*key.namespace == "default"
                && &*key.name == "kubernetes" =>
        {
            // The API server's loop runs every 10 s; it notices at its next run.
            let period = crate::bootstrap::KUBERNETES_SERVICE_RESYNC_MS;
            let next_run = (cluster.now_ms() / period + 1) * period;
            let service = ObjKey::new(Kind::Service, "default", "kubernetes");
            cluster.requeue_at(Component::KubernetesService, &service, next_run);
        }
        _ => {}
    }
}

/// Runs one reconcile of `key` by `component`.
pub fn reconcile(cluster: &mut Cluster, component: Component, key: &ObjKey) {
    match component {
        Component::Scheduler => scheduler::reconcile(cluster, key),
        Component::SchedulerEvents => cluster.write_event_series(key),
        Component::Kubelet => kubelet::reconcile(cluster, key),
        Component::NodeLifecycle => node_lifecycle::reconcile(cluster, key),
        Component::Namespace => namespace::reconcile(cluster, key),
        Component::GarbageCollector => gc::reconcile(cluster, key),
        Component::Endpoints => endpoints::reconcile(cluster, key),
        Component::EndpointSlice => endpointslice::reconcile(cluster, key),
        Component::EndpointSliceMirroring => endpointslicemirroring::reconcile(cluster, key),
        Component::ServiceController => crate::network::lb::reconcile_service(cluster, key),
        Component::IngressController => crate::network::lb::reconcile_ingress(cluster, key),
        Component::ReplicaSet | Component::ReplicationController => {
            replicaset::reconcile(cluster, key)
        }
        Component::Deployment => deployment::reconcile(cluster, key),
        Component::DaemonSet => daemonset::reconcile(cluster, key),
        Component::Job => job::reconcile(cluster, key),
        Component::CronJob => cronjob::reconcile(cluster, key),
        Component::KubernetesService => crate::bootstrap::ensure_kubernetes_service(cluster),
        Component::VolumeBinder => crate::volumes::binder::reconcile(cluster, key),
        Component::VolumeSync => crate::volumes::resync_pod(cluster, key),
    }
}
