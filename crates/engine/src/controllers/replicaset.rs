//! replicaset-controller and replication-controller: one `manageReplicas` for both kinds, as
//! upstream wraps RCs in the RS code (`pkg/controller/replicaset/replica_set.go`,
//! `pkg/controller/replication`).
//!
//! A sync claims matching pods (adopting orphans, releasing pods relabelled out), creates missing
//! pods in slow-start batches of 1, 2, 4, ... (at most 500 a sync), deletes surplus pods in
//! `ActivePodsWithRanks` order and writes the status. Expectations are not needed here: the
//! store is read-your-writes, so the next sync already sees the pods this one created.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::ReplicaSetStatus;
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec, ReplicationControllerStatus};

use crate::api::{Kind, ObjKey, Object};
use crate::apimachinery::Selector;
use crate::apimachinery::labels::label_selector_as_selector;
use crate::cluster::Cluster;

use super::Component;
use super::workload::{
    BURST_REPLICAS, MAX_REPLICAS, available_at_ms, claim, controller_ref, delete_pod, is_active,
    is_available, is_ready, pod_from_template, rank_for_deletion, slow_start,
};

/// What a sync needs of an RS or RC, borrowed from it.
struct Spec<'a> {
    replicas: i32,
    min_ready_s: i32,
    selector: Selector,
    template: Option<&'a PodTemplateSpec>,
    generation: i64,
    component: &'static str,
    loop_: Component,
}

fn spec_of(obj: &Object) -> Option<Spec<'_>> {
    match obj {
        Object::ReplicaSet(rs) => Some(Spec {
            replicas: rs.spec.replicas.unwrap_or(1),
            min_ready_s: rs.spec.min_ready_seconds.unwrap_or(0),
            selector: label_selector_as_selector(Some(&rs.spec.selector)).ok()?,
            template: rs.spec.template.as_ref(),
            generation: rs.metadata.generation.unwrap_or(0),
            component: "replicaset-controller",
            loop_: Component::ReplicaSet,
        }),
        Object::ReplicationController(rc) => {
            let spec = rc.spec.as_ref()?;
            let sel = spec.selector.clone().unwrap_or_default();
            // An RC with an empty selector would select everything; validation forbids it.
            if sel.is_empty() {
                return None;
            }
            Some(Spec {
                replicas: spec.replicas.unwrap_or(1),
                min_ready_s: spec.min_ready_seconds.unwrap_or(0),
                selector: Selector::from_set(&sel),
                template: spec.template.as_ref(),
                generation: rc.metadata.generation.unwrap_or(0),
                component: "replication-controller",
                loop_: Component::ReplicationController,
            })
        }
        _ => None,
    }
}

/// Counts a sync reports in the status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    replicas: i32,
    fully_labeled: i32,
    ready: i32,
    available: i32,
}

/// What a sync does about the replica count.
enum Plan {
    Keep,
    Create(usize),
    /// Pod names, in deletion order.
    Delete(Vec<String>),
}

/// Syncs one ReplicaSet or ReplicationController.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let Some(obj) = cluster.store.get_shared(key) else { return };
    let Some(spec) = spec_of(&obj) else { return };
    let now = cluster.now();
    let claimed = claim::<Pod>(cluster, &obj, &spec.selector);
    let active: Vec<&Pod> =
        claimed.iter().filter_map(|o| o.as_kind::<Pod>()).filter(|p| is_active(p)).collect();

    let empty = BTreeMap::new();
    let template_labels = spec
        .template
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.as_ref())
        .unwrap_or(&empty);
    let template_selector = Selector::from_set(template_labels);
    // Claimed pods match the selector; when it asks for exactly the template's labels (as a
    // Deployment's ReplicaSets do), they are all fully labeled. A deleting owner claims them all.
    let claimed_are_fully_labeled =
        obj.meta().deletion_timestamp.is_none() && template_selector == spec.selector;
    let mut counts = Counts { replicas: active.len() as i32, ..Default::default() };
    let mut next_available: Option<i64> = None;
    for p in &active {
        if claimed_are_fully_labeled
            || template_selector.matches(p.metadata.labels.as_ref().unwrap_or(&empty))
        {
            counts.fully_labeled += 1;
        }
        if is_ready(p) {
            counts.ready += 1;
        }
        if is_available(p, spec.min_ready_s, now) {
            counts.available += 1;
        } else if let Some(at) = available_at_ms(p, spec.min_ready_s, now) {
            next_available = Some(next_available.map_or(at, |n: i64| n.min(at)));
        }
    }
    let plan = if obj.meta().deletion_timestamp.is_none() {
        plan_replicas(cluster, &obj, &spec, active, now)
    } else {
        Plan::Keep
    };
    // Deleting a pod changes it in place: holding it here would force a copy.
    drop(claimed);
    manage_replicas(cluster, &obj, &spec, plan);

    // Come back when a ready pod has been ready for minReadySeconds.
    match next_available {
        Some(at) => cluster.requeue_at(spec.loop_, key, at.max(0) as u64),
        None => cluster.cancel_requeue(spec.loop_, key),
    }
    write_status(cluster, key, &spec, counts);
}

fn plan_replicas(
    cluster: &Cluster,
    obj: &Object,
    spec: &Spec,
    active: Vec<&Pod>,
    now: i64,
) -> Plan {
    let want = spec.replicas.clamp(0, MAX_REPLICAS) as usize;
    let have = active.len();
    if have < want {
        Plan::Create((want - have).min(BURST_REPLICAS))
    } else if have > want {
        let n = (have - want).min(BURST_REPLICAS);
        let related = related_pods(cluster, obj, &active);
        let doomed = rank_for_deletion(active, &related, now).into_iter().take(n);
        Plan::Delete(doomed.filter_map(|p| p.metadata.name.clone()).collect())
    } else {
        Plan::Keep
    }
}

fn manage_replicas(cluster: &mut Cluster, obj: &Object, spec: &Spec, plan: Plan) {
    match plan {
        Plan::Keep => {}
        Plan::Create(n) => {
            let Some(template) = spec.template else { return };
            let generate_name = format!("{}-", obj.name());
            let component = spec.component;
            slow_start(cluster, n, |cluster| {
                let pod = pod_from_template(template, obj, &generate_name);
                match cluster.create(pod.into()) {
                    Ok(created) => {
                        cluster.record_event(
                            obj,
                            None,
                            "Normal",
                            "SuccessfulCreate",
                            ["Created pod: ", created.name()].concat(),
                            component,
                            None,
                        );
                        Some(created)
                    }
                    Err(e) => {
                        cluster.record_event(
                            obj,
                            None,
                            "Warning",
                            "FailedCreate",
                            format!("Error creating: {}", e.message),
                            component,
                            None,
                        );
                        None
                    }
                }
            });
        }
        Plan::Delete(doomed) => {
            for name in doomed {
                delete_pod(cluster, obj, &name, spec.component);
            }
        }
    }
}

// Pods of every ReplicaSet controlled by the same owner (a Deployment's RSs): doubling up on a
// node is judged across them (`getIndirectlyRelatedPods`).
fn related_pods<'a>(cluster: &'a Cluster, obj: &Object, own: &[&'a Pod]) -> Vec<&'a Pod> {
    let Some(owner_uid) = controller_ref(obj.meta()).map(|r| r.uid.as_str()) else {
        return own.to_vec();
    };
    let store = cluster.store();
    let ns = obj.namespace();
    store
        .controlled_by(Kind::ReplicaSet, ns, owner_uid)
        .filter_map(|rs| rs.meta().uid.as_deref())
        .flat_map(|uid| store.controlled_by(Kind::Pod, ns, uid))
        .filter_map(|o| o.as_kind::<Pod>())
        .filter(|p| is_active(p))
        .collect()
}

fn write_status(cluster: &mut Cluster, key: &ObjKey, spec: &Spec, c: Counts) {
    // Re-read: the sync may have changed the object (adoption does not, but be safe).
    let Some(mut obj) = cluster.get(key).cloned() else { return };
    match &mut obj {
        Object::ReplicaSet(rs) => {
            let old = rs.status.clone().unwrap_or_default();
            rs.status = Some(ReplicaSetStatus {
                replicas: c.replicas,
                fully_labeled_replicas: omitempty(c.fully_labeled),
                ready_replicas: omitempty(c.ready),
                available_replicas: omitempty(c.available),
                observed_generation: Some(spec.generation),
                conditions: old.conditions,
                terminating_replicas: old.terminating_replicas,
            });
        }
        Object::ReplicationController(rc) => {
            let old = rc.status.clone().unwrap_or_default();
            rc.status = Some(ReplicationControllerStatus {
                replicas: c.replicas,
                fully_labeled_replicas: omitempty(c.fully_labeled),
                ready_replicas: omitempty(c.ready),
                available_replicas: omitempty(c.available),
                observed_generation: Some(spec.generation),
                conditions: old.conditions,
            });
        }
        _ => return,
    }
    cluster.update_internal(obj);
}

/// Wakes the owners for a pod event in namespace `ns`: its controller if it is one of ours, else
/// (an orphan) every RS, RC and DaemonSet there whose selector matches it, which may adopt it.
pub fn wake_owners_of_pod(cluster: &mut Cluster, pod: &Pod, ns: &Rc<str>) {
    if let Some(r) = controller_ref(&pod.metadata) {
        let (component, kind) = match r.kind.as_str() {
            "ReplicaSet" => (Component::ReplicaSet, Kind::ReplicaSet),
            "ReplicationController" => {
                (Component::ReplicationController, Kind::ReplicationController)
            }
            "DaemonSet" => (Component::DaemonSet, Kind::DaemonSet),
            "Job" => (Component::Job, Kind::Job),
            _ => return,
        };
        // The event's namespace is shared, not copied: one pod event each, and shared keys
        // compare by pointer.
        let key = ObjKey { kind, namespace: Rc::clone(ns), name: r.name.as_str().into() };
        cluster.enqueue(component, key);
        return;
    }
    for (c, k) in orphan_owners(cluster, pod, ns) {
        cluster.enqueue(c, k);
    }
}

fn orphan_owners(cluster: &Cluster, pod: &Pod, ns: &str) -> Vec<(Component, ObjKey)> {
    if pod.metadata.deletion_timestamp.is_some() {
        return Vec::new();
    }
    let labels: BTreeMap<String, String> = pod.metadata.labels.clone().unwrap_or_default();
    if labels.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for obj in cluster.store().list(Kind::ReplicaSet, Some(ns)) {
        if spec_of(obj).is_some_and(|s| !s.selector.is_empty() && s.selector.matches(&labels)) {
            out.push((Component::ReplicaSet, ObjKey::of(obj)));
        }
    }
    for obj in cluster.store().list(Kind::ReplicationController, Some(ns)) {
        if spec_of(obj).is_some_and(|s| s.selector.matches(&labels)) {
            out.push((Component::ReplicationController, ObjKey::of(obj)));
        }
    }
    for ds in cluster.store().list_typed::<k8s_openapi::api::apps::v1::DaemonSet>(Some(ns)) {
        let sel = label_selector_as_selector(Some(&ds.spec.selector));
        if sel.is_ok_and(|s| !s.is_empty() && s.matches(&labels)) {
            let key = ObjKey::new(Kind::DaemonSet, ns, ds.metadata.name.as_deref().unwrap_or(""));
            out.push((Component::DaemonSet, key));
        }
    }
    out
}

/// Go's `omitempty` on an int32 status field: zero is not written.
fn omitempty(n: i32) -> Option<i32> {
    (n != 0).then_some(n)
}
