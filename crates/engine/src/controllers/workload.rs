//! Helpers the workload controllers share, after `pkg/controller/controller_utils.go`,
//! `controller_ref_manager.go` and `pkg/api/v1/pod/util.go`: controller references, pod
//! activity and availability, claiming (adopt/release), pod creation from a template,
//! deletion ranking (`ActivePodsWithRanks`), the template hash and one pending requeue per key.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::{ApiKind, Kind, ObjKey, Object, WatchEvent, WatchEventType};
use crate::apimachinery::Selector;
use crate::apimachinery::labels::label_selector_as_selector;
use crate::cluster::{Cluster, Propagation};
use crate::time;

use super::Component;

/// At most this many pods are created or deleted per sync (`burstReplicas`).
pub const BURST_REPLICAS: usize = 500;
/// Replica counts above this are treated as this (a browser page has its limits).
pub const MAX_REPLICAS: i32 = 10_000;

/// The controller reference among `meta`'s owner references.
pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.iter().flatten().find(|r| r.controller == Some(true))
}

/// An owner reference to `owner` as controllers set it (`controller`, `blockOwnerDeletion`).
pub fn owner_ref(owner: &Object) -> OwnerReference {
    let info = owner.kind().info();
    OwnerReference {
        api_version: info.api_version.into(),
        kind: info.kind.into(),
        name: owner.name().into(),
        uid: owner.meta().uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The pod's name (`""` if unset).
pub fn pod_name(pod: &Pod) -> &str {
    pod.metadata.name.as_deref().unwrap_or("")
}

/// The pod's phase (`""` if unset).
pub fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

/// `IsPodActive`: not finished and not being deleted.
pub fn is_active(pod: &Pod) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && pod.metadata.deletion_timestamp.is_none()
}

/// Virtual ms since which the pod is Ready, if it is.
pub fn ready_since_ms(pod: &Pod) -> Option<i64> {
    let c = pod
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "True")?;
    Some(c.last_transition_time.as_ref().map(time::ms_of).unwrap_or(i64::MIN))
}

/// `IsPodReady`.
pub fn is_ready(pod: &Pod) -> bool {
    ready_since_ms(pod).is_some()
}

/// `IsPodAvailable`: Ready, and Ready for longer than `min_ready_s` (strictly, as upstream).
pub fn is_available(pod: &Pod, min_ready_s: i32, now_ms: i64) -> bool {
    match ready_since_ms(pod) {
        None => false,
        Some(_) if min_ready_s <= 0 => true,
        Some(since) => since.saturating_add(i64::from(min_ready_s) * 1000) < now_ms,
    }
}

/// When a Ready pod will turn available, if it is not yet (for a requeue).
pub fn available_at_ms(pod: &Pod, min_ready_s: i32, now_ms: i64) -> Option<i64> {
    let since = ready_since_ms(pod)?;
    if min_ready_s <= 0 {
        return None;
    }
    let at = since.saturating_add(i64::from(min_ready_s) * 1000) + 1;
    (at > now_ms).then_some(at)
}

/// `ClaimObjects`: the names (in order) of the `T`s in `owner`'s namespace that it controls
/// once it has adopted matching orphans and released its objects that no longer match. Reads
/// the store's controller index, so a sync costs what the owner has, not what the namespace has.
pub fn claim<T: ApiKind>(
    cluster: &mut Cluster,
    owner: &Object,
    selector: &Selector,
) -> Vec<Rc<Object>> {
    let Some(uid) = owner.meta().uid.clone().filter(|u| !u.is_empty()) else { return Vec::new() };
    let ns = owner.namespace();
    let owner_deleting = owner.meta().deletion_timestamp.is_some();
    let empty = BTreeMap::new();
    let labels = |o: &Object| selector.matches(o.meta().labels.as_ref().unwrap_or(&empty));
    let store = cluster.store();
    let mut claimed = Vec::new();
    let mut release = Vec::new();
    for o in store.controlled_by_shared(T::KIND, ns, &uid) {
        if owner_deleting || labels(o) {
            claimed.push(Rc::clone(o));
        } else {
            release.push(Object::clone(o));
        }
    }
    let adopt: Vec<Object> = if owner_deleting {
        Vec::new()
    } else {
        store
            .controlled_by(T::KIND, ns, "")
            .filter(|o| o.meta().deletion_timestamp.is_none() && labels(o))
            .cloned()
            .collect()
    };
    for mut obj in release {
        // The object no longer matches: drop our controller reference.
        if let Some(refs) = obj.meta_mut().owner_references.as_mut() {
            refs.retain(|r| r.uid != uid);
        }
        if obj.meta().owner_references.as_ref().is_some_and(Vec::is_empty) {
            obj.meta_mut().owner_references = None;
        }
        cluster.update_internal(obj);
    }
    if !adopt.is_empty() {
        for mut obj in adopt {
            obj.meta_mut().owner_references.get_or_insert_with(Vec::new).push(owner_ref(owner));
            claimed.push(cluster.update_internal(obj));
        }
        crate::sorting::sort_by(&mut claimed, |a, b| a.name().cmp(b.name()));
    }
    claimed
}

/// `claim`, then copies of the claimed objects, for controllers that own few of them.
pub fn claim_cloned<T: ApiKind + Clone>(
    cluster: &mut Cluster,
    owner: &Object,
    selector: &Selector,
) -> Vec<T> {
    claim::<T>(cluster, owner, selector).iter().filter_map(|o| T::from_object(o)).cloned().collect()
}

/// A pod built from `template` for `owner` (`GetPodFromTemplate`), named by the API server.
pub fn pod_from_template(template: &PodTemplateSpec, owner: &Object, generate_name: &str) -> Pod {
    // Only what the pod takes from the template's metadata is copied.
    let tmeta = template.metadata.as_ref();
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(generate_name.into()),
            namespace: Some(owner.namespace().into()),
            labels: tmeta.and_then(|m| m.labels.as_ref()).filter(|l| !l.is_empty()).cloned(),
            annotations: tmeta
                .and_then(|m| m.annotations.as_ref())
                .filter(|a| !a.is_empty())
                .cloned(),
            finalizers: tmeta.and_then(|m| m.finalizers.clone()),
            owner_references: Some(vec![owner_ref(owner)]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// `slowStartBatch`: creates `count` objects in batches of 1, 2, 4, ... and stops at the first
/// batch with a failure. Returns the created objects.
pub fn slow_start<F>(cluster: &mut Cluster, count: usize, mut create: F) -> Vec<Rc<Object>>
where
    F: FnMut(&mut Cluster) -> Option<Rc<Object>>,
{
    let mut created = Vec::new();
    let mut remaining = count;
    let mut batch = 1usize.min(remaining);
    while batch > 0 {
        let mut failed = false;
        for _ in 0..batch {
            match create(cluster) {
                Some(o) => created.push(o),
                None => failed = true,
            }
        }
        if failed {
            break;
        }
        remaining -= batch;
        batch = (2 * batch).min(remaining);
    }
    created
}

/// Deletes pod `name` (in `owner`'s namespace) as a controller does and records
/// `SuccessfulDelete` on `owner`.
pub fn delete_pod(cluster: &mut Cluster, owner: &Object, name: &str, component: &str) {
    let key = ObjKey::new(crate::api::Kind::Pod, owner.namespace(), name);
    if cluster.delete(&key, None, Propagation::Background).is_ok() {
        cluster.record_event(
            owner,
            None,
            "Normal",
            "SuccessfulDelete",
            ["Deleted pod: ", name].concat(),
            component,
            None,
        );
    }
}

fn phase_ordinal(pod: &Pod) -> u8 {
    match phase(pod) {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 3,
    }
}

fn deletion_cost(pod: &Pod) -> i64 {
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("controller.kubernetes.io/pod-deletion-cost"))
        .and_then(|v| v.parse::<i32>().ok())
        .map_or(0, i64::from)
}

fn max_restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().map(|c| c.restart_count).max().unwrap_or(0))
}

// floor(log2(now - t in ns)), the LogarithmicScaleDown bucket; the zero time is newest.
fn log_bucket(t_ms: Option<i64>, now_ms: i64) -> i64 {
    match t_ms {
        None => i64::MIN,
        Some(t) => {
            let d_ns = (now_ms - t).max(0).saturating_mul(1_000_000);
            if d_ns <= 0 { 0 } else { 63 - i64::from(d_ns.leading_zeros()) }
        }
    }
}

/// `ActivePodsWithRanks.Less` (LogarithmicScaleDown and pod-deletion-cost on): pods ordered so
/// that the first ones are deleted first. `rank` is how many related pods share the pod's node.
pub fn deletion_order(pods: &mut [(&Pod, usize)], now_ms: i64) {
    let mut keyed: Vec<(DeletionKey, &Pod, usize)> =
        pods.iter().map(|&(p, rank)| (deletion_key(p, rank, now_ms), p, rank)).collect();
    crate::sorting::sort_by(&mut keyed, |(a, ..), (b, ..)| a.cmp(b));
    for (slot, (_, p, rank)) in pods.iter_mut().zip(keyed) {
        *slot = (p, rank);
    }
}

/// What `ActivePodsWithRanks` compares, worked out once per pod instead of per comparison.
type DeletionKey<'a> =
    (bool, u8, bool, i64, Reverse<usize>, i64, Reverse<i32>, i64, Option<&'a str>);

fn deletion_key(pod: &Pod, rank: usize, now_ms: i64) -> DeletionKey<'_> {
    let ready_since = ready_since_ms(pod);
    let assigned =
        pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
    (
        // 1. Unassigned first.
        assigned,
        // 2. Pending < Unknown < Running.
        phase_ordinal(pod),
        // 3. Not ready first.
        ready_since.is_some(),
        // 4. Lower deletion cost first.
        deletion_cost(pod),
        // 5. More doubled up first.
        Reverse(rank),
        // 6. Ready for a shorter time first (pods equal so far are both ready or both not).
        if ready_since.is_some() { log_bucket(ready_since, now_ms) } else { 0 },
        // 7. More restarts first.
        Reverse(max_restarts(pod)),
        // 8. Newer first.
        log_bucket(pod.metadata.creation_timestamp.as_ref().map(time::ms_of), now_ms),
        pod.metadata.uid.as_deref(),
    )
}

/// Ranks `pods` by how many of `related` (active, assigned) share their node, and returns them in
/// deletion order.
pub fn rank_for_deletion<'a>(pods: Vec<&'a Pod>, related: &[&Pod], now_ms: i64) -> Vec<&'a Pod> {
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for p in related {
        if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            *per_node.entry(n).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&Pod, usize)> = pods
        .into_iter()
        .map(|p| {
            let n = p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("");
            let rank = if n.is_empty() { 0 } else { per_node.get(n).copied().unwrap_or(0) };
            (p, rank)
        })
        .collect();
    deletion_order(&mut ranked, now_ms);
    ranked.into_iter().map(|(p, _)| p).collect()
}

/// FNV-1a, 32 bits.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `rand.SafeEncodeString`: each character mapped into the API server's name alphabet.
pub fn safe_encode(s: &str) -> String {
    let alphabet = crate::cluster::NAME_SUFFIX_ALPHABET;
    s.bytes().map(|b| char::from(alphabet[usize::from(b) % alphabet.len()])).collect()
}

/// `controller.ComputeHash`: FNV-32a over a stable serialisation of the template (JSON with
/// sorted maps, in place of Go's spew dump) plus the collision count, safe-encoded.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut bytes = serde_json::to_vec(template).unwrap_or_default();
    if let Some(c) = collision_count {
        // Upstream writes the count as 8 little-endian bytes (a uint32 in a uint64 buffer).
        bytes.extend_from_slice(&u64::from(c as u32).to_le_bytes());
    }
    safe_encode(&fnv32a(&bytes).to_string())
}

/// Routes watch events to the workload controllers: an object wakes its own loop and its
/// controller's (pod -> RS/RC/DS/Job, RS -> Deployment, Job -> CronJob); orphans wake the
/// controllers that may adopt them; node changes wake every DaemonSet.
pub fn route(cluster: &mut Cluster, event: &WatchEvent, object: &Object) {
    let deleted = event.event_type == WatchEventType::Deleted;
    let key = &event.key;
    let own = match key.kind {
        Kind::ReplicaSet => Some(Component::ReplicaSet),
        Kind::ReplicationController => Some(Component::ReplicationController),
        Kind::Deployment => Some(Component::Deployment),
        Kind::DaemonSet => Some(Component::DaemonSet),
        Kind::Job => Some(Component::Job),
        Kind::CronJob => Some(Component::CronJob),
        _ => None,
    };
    if let (Some(c), false) = (own, deleted) {
        cluster.enqueue(c, key.clone());
    }
    match object {
        Object::Pod(pod) => {
            super::replicaset::wake_owners_of_pod(cluster, pod, &key.namespace);
            // Recreate waits for old pods to be gone: their removal wakes the Deployment.
            if deleted
                && let Some(r) = controller_ref(&pod.metadata).filter(|r| r.kind == "ReplicaSet")
            {
                let rs_key = ObjKey::new(Kind::ReplicaSet, &key.namespace, &r.name);
                let owner = cluster.get(&rs_key).and_then(|rs| controller_ref(rs.meta()).cloned());
                if let Some(d) = owner.filter(|o| o.kind == "Deployment") {
                    cluster.enqueue(
                        Component::Deployment,
                        ObjKey::new(Kind::Deployment, &key.namespace, &d.name),
                    );
                }
            }
        }
        Object::ReplicaSet(rs) => match controller_ref(&rs.metadata) {
            Some(r) if r.kind == "Deployment" => cluster.enqueue(
                Component::Deployment,
                ObjKey::new(Kind::Deployment, &key.namespace, &r.name),
            ),
            Some(_) => {}
            None if !deleted => {
                let labels = rs.metadata.labels.clone().unwrap_or_default();
                let matching: Vec<ObjKey> = cluster
                    .store()
                    .list(Kind::Deployment, Some(&key.namespace))
                    .filter(|d| {
                        d.as_kind::<k8s_openapi::api::apps::v1::Deployment>().is_some_and(|d| {
                            label_selector_as_selector(Some(&d.spec.selector))
                                .is_ok_and(|s| !s.is_empty() && s.matches(&labels))
                        })
                    })
                    .map(ObjKey::of)
                    .collect();
                for k in matching {
                    cluster.enqueue(Component::Deployment, k);
                }
            }
            None => {}
        },
        Object::Job(job) => {
            if let Some(r) = controller_ref(&job.metadata).filter(|r| r.kind == "CronJob") {
                cluster.enqueue(
                    Component::CronJob,
                    ObjKey::new(Kind::CronJob, &key.namespace, &r.name),
                );
            }
        }
        Object::Node(_) => {
            let all: Vec<ObjKey> =
                cluster.store().list(Kind::DaemonSet, None).map(ObjKey::of).collect();
            for k in all {
                cluster.enqueue(Component::DaemonSet, k);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_encoded_and_sensitive_to_template_and_collisions() {
        let t = PodTemplateSpec::default();
        let a = compute_hash(&t, None);
        assert_eq!(a, compute_hash(&t, None));
        assert!(a.len() >= 8 && a.len() <= 10, "{a}");
        assert!(a.bytes().all(|b| crate::cluster::NAME_SUFFIX_ALPHABET.contains(&b)));
        assert_ne!(a, compute_hash(&t, Some(1)));
        let mut u = t.clone();
        u.metadata = Some(ObjectMeta { name: Some("x".into()), ..Default::default() });
        assert_ne!(a, compute_hash(&u, None));
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
    }
}
