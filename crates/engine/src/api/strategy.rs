//! Per-kind behaviour of the request path (the API server's "strategies"): defaulting,
//! admission, validation, generation and status handling. Each kind's rules live in its own file.

use super::kinds::{Kind, Object};
use super::{apps, batch, endpoints, ingress, namespace, pod, replication_controller, service};
use crate::cluster::Cluster;

/// Applies the kind's defaults, as the API server does when it decodes a request.
pub fn default(_cluster: &Cluster, object: &mut Object) {
    match object {
        Object::Pod(p) => pod::default_pod(p),
        Object::Namespace(n) => namespace::default_namespace(n),
        Object::Service(s) => service::default_service(s),
        Object::Endpoints(e) => endpoints::default_endpoints(e),
        Object::ReplicaSet(r) => apps::default_replica_set(r),
        Object::Deployment(d) => apps::default_deployment(d),
        Object::DaemonSet(d) => apps::default_daemon_set(d),
        Object::ReplicationController(r) => {
            replication_controller::default_replication_controller(r)
        }
        Object::Job(j) => batch::default_job(j),
        Object::CronJob(c) => batch::default_cron_job(c),
        Object::Secret(s) => super::secret::default_secret(s),
        Object::PersistentVolume(pv) => super::storage::default_pv(pv),
        Object::PersistentVolumeClaim(pvc) => super::storage::default_pvc(pvc),
        Object::StorageClass(sc) => super::storage::default_storage_class(sc),
        _ => {}
    }
}

/// Mutating admission on create (service accounts, default tolerations, priority).
pub fn admit(cluster: &mut Cluster, object: &mut Object) {
    match object {
        Object::Pod(p) => pod::admit_pod(cluster, p),
        Object::PersistentVolumeClaim(pvc) => super::storage::admit_pvc(cluster, pvc),
        Object::PersistentVolume(pv) => super::storage::admit_pv(pv),
        _ => {}
    }
}

/// Validation of a new object: field errors rendered as the API server words them.
pub fn validate_create(cluster: &Cluster, object: &Object) -> Vec<String> {
    let mut errs = super::validation::validate_object_meta(object);
    match object {
        Object::Pod(p) => errs.extend(pod::validate_pod(cluster, p)),
        Object::Namespace(_) => {}
        Object::Service(s) => {
            let mut field_errs = service::validate_service(s);
            // The allocators run only for a valid object, as the REST layer's do.
            if field_errs.is_empty() && errs.is_empty() {
                field_errs = service::validate_allocation(cluster, s);
            }
            errs.extend(field_errs.iter().map(ToString::to_string));
        }
        Object::Endpoints(e) => {
            errs.extend(endpoints::validate_endpoints(e).iter().map(ToString::to_string))
        }
        Object::Ingress(i) => {
            errs.extend(ingress::validate_ingress(i).iter().map(ToString::to_string))
        }
        Object::ReplicaSet(r) => errs.extend(apps::validate_replica_set(r)),
        Object::Deployment(d) => errs.extend(apps::validate_deployment(d)),
        Object::DaemonSet(d) => errs.extend(apps::validate_daemon_set(d)),
        Object::ReplicationController(r) => {
            errs.extend(replication_controller::validate_replication_controller(r))
        }
        Object::Job(j) => errs.extend(batch::validate_job(j)),
        Object::CronJob(c) => errs.extend(batch::validate_cron_job(c, None)),
        Object::ConfigMap(c) => errs.extend(super::configmap::validate_config_map(c)),
        Object::Secret(s) => errs.extend(super::secret::validate_secret(s)),
        Object::PersistentVolume(pv) => errs.extend(super::storage::validate_pv(pv)),
        Object::PersistentVolumeClaim(pvc) => errs.extend(super::storage::validate_pvc(pvc)),
        Object::StorageClass(sc) => errs.extend(super::storage::validate_storage_class(sc)),
        _ => {}
    }
    errs
}

/// Warnings returned with a successful write (deprecated fields), as `Warning:` headers.
pub fn warnings(object: &Object) -> Vec<String> {
    match object {
        Object::Pod(p) => {
            p.spec.as_ref().map(|s| crate::volumes::spec_warnings(s, "spec")).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// Validation of an update against the stored object (immutable fields).
pub fn validate_update(_cluster: &Cluster, old: &Object, new: &Object) -> Vec<String> {
    match (old, new) {
        (Object::Pod(o), Object::Pod(n)) => pod::validate_pod_update(o, n),
        (Object::Service(o), Object::Service(n)) => {
            service::validate_service_update(o, n).iter().map(ToString::to_string).collect()
        }
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => {
            apps::validate_selector_unchanged(Some(&o.spec.selector), Some(&n.spec.selector))
        }
        (Object::Deployment(o), Object::Deployment(n)) => {
            apps::validate_selector_unchanged(Some(&o.spec.selector), Some(&n.spec.selector))
        }
        (Object::DaemonSet(o), Object::DaemonSet(n)) => {
            apps::validate_selector_unchanged(Some(&o.spec.selector), Some(&n.spec.selector))
        }
        (Object::Job(o), Object::Job(n)) => batch::validate_job_update(o, n),
        (Object::ConfigMap(_), Object::ConfigMap(n)) => super::configmap::validate_config_map(n),
        (Object::Secret(o), Object::Secret(n)) => {
            let mut errs = super::secret::validate_secret_update(o, n);
            errs.extend(super::secret::validate_secret(n));
            errs
        }
        (Object::PersistentVolumeClaim(o), Object::PersistentVolumeClaim(n)) => {
            super::storage::validate_pvc_update(o, n)
        }
        _ => Vec::new(),
    }
}

/// Whether the kind tracks `metadata.generation`.
pub fn has_generation(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::ReplicationController
            | Kind::ReplicaSet
            | Kind::Deployment
            | Kind::DaemonSet
            | Kind::Job
            | Kind::CronJob
            | Kind::Ingress
    )
}

/// Whether the desired state (spec) differs, which bumps the generation.
pub fn spec_changed(old: &Object, new: &Object) -> bool {
    // Typed comparison for the kinds that track generation: serialising whole objects to JSON on
    // every controller write was a large share of a rollout's cost.
    match (old, new) {
        (Object::Pod(o), Object::Pod(n)) => o.spec != n.spec,
        (Object::ReplicationController(o), Object::ReplicationController(n)) => o.spec != n.spec,
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => o.spec != n.spec,
        (Object::Deployment(o), Object::Deployment(n)) => o.spec != n.spec,
        (Object::DaemonSet(o), Object::DaemonSet(n)) => o.spec != n.spec,
        (Object::Job(o), Object::Job(n)) => o.spec != n.spec,
        (Object::CronJob(o), Object::CronJob(n)) => o.spec != n.spec,
        (Object::Ingress(o), Object::Ingress(n)) => o.spec != n.spec,
        _ => old.to_json().get("spec") != new.to_json().get("spec"),
    }
}

/// Status is written only by the system: an update keeps the stored status.
pub fn keep_status(old: &Object, new: &mut Object) {
    match (old, new) {
        (Object::Pod(o), Object::Pod(n)) => n.status = o.status.clone(),
        (Object::Namespace(o), Object::Namespace(n)) => n.status = o.status.clone(),
        (Object::Node(o), Object::Node(n)) => n.status = o.status.clone(),
        (Object::PersistentVolume(o), Object::PersistentVolume(n)) => n.status = o.status.clone(),
        (Object::PersistentVolumeClaim(o), Object::PersistentVolumeClaim(n)) => {
            n.status = o.status.clone();
            if let (Some(os), Some(ns)) = (&o.spec, n.spec.as_mut())
                && ns.volume_name.is_none()
            {
                ns.volume_name = os.volume_name.clone();
            }
        }
        (Object::ReplicationController(o), Object::ReplicationController(n)) => {
            n.status = o.status.clone()
        }
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => n.status = o.status.clone(),
        (Object::Deployment(o), Object::Deployment(n)) => n.status = o.status.clone(),
        (Object::DaemonSet(o), Object::DaemonSet(n)) => n.status = o.status.clone(),
        (Object::Job(o), Object::Job(n)) => n.status = o.status.clone(),
        (Object::CronJob(o), Object::CronJob(n)) => n.status = o.status.clone(),
        (Object::Service(o), Object::Service(n)) => n.status = o.status.clone(),
        (Object::Ingress(o), Object::Ingress(n)) => n.status = o.status.clone(),
        _ => {}
    }
}

/// Resets what a client may not set on create (status) to its initial value.
pub fn prepare_for_create(cluster: &mut Cluster, object: &mut Object) {
    match object {
        Object::Pod(p) => pod::initial_status(p),
        Object::Namespace(n) => namespace::initial_status(n),
        Object::Service(s) => {
            service::allocate(cluster, s);
            // The API returns `status: {loadBalancer: {}}` for every new Service.
            s.status = Some(k8s_openapi::api::core::v1::ServiceStatus {
                load_balancer: Some(Default::default()),
                conditions: None,
            });
        }
        Object::Ingress(i) => i.status = None,
        // The workload strategies start every status empty.
        Object::ReplicaSet(r) => r.status = Some(Default::default()),
        Object::Deployment(d) => d.status = Some(Default::default()),
        Object::DaemonSet(d) => d.status = Some(Default::default()),
        Object::ReplicationController(r) => r.status = Some(Default::default()),
        Object::Job(j) => batch::prepare_job_for_create(j),
        Object::CronJob(c) => c.status = Some(Default::default()),
        _ => {}
    }
}

/// On update, before validation: what the server allocated and the client left out is kept, and
/// what a changed type now needs is allocated.
pub fn prepare_for_update(cluster: &mut Cluster, old: &Object, new: &mut Object) {
    if let (Object::Service(o), Object::Service(n)) = (old, new) {
        service::keep_allocated(o, n);
        service::allocate(cluster, n);
    }
}
