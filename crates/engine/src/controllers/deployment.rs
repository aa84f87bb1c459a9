//! deployment-controller, after `pkg/controller/deployment/{deployment_controller,sync,rolling,
//! recreate,progress}.go` and `util/deployment_util.go`.
//!
//! A sync claims the ReplicaSets, finds the new one (the oldest whose template equals the
//! Deployment's, ignoring `pod-template-hash`), and then: paused or a scaling event -> scale only
//! (proportionally across active RSs); RollingUpdate -> scale the new RS up within maxSurge, the
//! old ones down within maxUnavailable (unhealthy first); Recreate -> old to zero, wait for their
//! pods to be gone, new to full size. Status, conditions and the progress deadline follow
//! `syncRolloutStatus`; a stuck rollout is requeued at its deadline in virtual time.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec,
};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::apps::scaled_value;
use crate::api::{Kind, ObjKey, Object, Reason};
use crate::apimachinery::labels::label_selector_as_selector;
use crate::cluster::{Cluster, Propagation};
use crate::time;

use super::Component;
use super::workload::{MAX_REPLICAS, claim_cloned, compute_hash, controller_ref};

/// The label that tells a Deployment's ReplicaSets (and their pods) apart.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// Revision of an RS (and of the Deployment: its new RS's).
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// Earlier revisions an RS had (rolled back to).
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// The Deployment's replicas when the RS was last scaled.
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
/// replicas + maxSurge when the RS was last scaled.
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
const ROLLBACK_TO: &str = "deprecated.deployment.rollback.to";
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
const REVISION_HISTORY_MAX_CHARS: usize = 2000;
const COMPONENT: &str = "deployment-controller";

fn replicas(d: &Deployment) -> i32 {
    d.spec.replicas.unwrap_or(1).clamp(0, MAX_REPLICAS)
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

fn rs_status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}

fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

fn rs_ready(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)
}

fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

fn revision(rs: &ReplicaSet) -> i64 {
    annotation(&rs.metadata, REVISION).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn creation_key(rs: &ReplicaSet) -> (i64, String) {
    (
        rs.metadata.creation_timestamp.as_ref().map_or(0, time::ms_of),
        rs.metadata.name.clone().unwrap_or_default(),
    )
}

fn is_rolling(d: &Deployment) -> bool {
    d.spec.strategy.as_ref().and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate")
        == "RollingUpdate"
}

// ResolveFenceposts: surge rounds up, unavailable down; both zero means one unavailable.
fn fenceposts(d: &Deployment) -> (i32, i32) {
    let desired = replicas(d);
    let ru = d.spec.strategy.as_ref().and_then(|s| s.rolling_update.as_ref());
    let zero = IntOrString::Int(0);
    let ms = ru.and_then(|r| r.max_surge.as_ref()).unwrap_or(&zero);
    let mu = ru.and_then(|r| r.max_unavailable.as_ref()).unwrap_or(&zero);
    let surge = scaled_value(ms, desired, true).unwrap_or(0).max(0);
    let mut unavailable = scaled_value(mu, desired, false).unwrap_or(0).max(0);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// `MaxSurge`: 0 unless RollingUpdate.
pub fn max_surge(d: &Deployment) -> i32 {
    if is_rolling(d) { fenceposts(d).0 } else { 0 }
}

/// `MaxUnavailable`: 0 unless RollingUpdate with replicas; never above replicas.
pub fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling(d) || replicas(d) == 0 {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

fn has_progress_deadline(d: &Deployment) -> bool {
    d.spec.progress_deadline_seconds.is_some_and(|s| s != i32::MAX)
}

// Templates equal but for the hash label (nil and empty label maps are equal, as Semantic.DeepEqual).
// Only the metadata is copied to be stripped; the specs compare as they are.
fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    fn strip(m: Option<&ObjectMeta>) -> ObjectMeta {
        let mut meta = m.cloned().unwrap_or_default();
        if let Some(l) = meta.labels.as_mut() {
            l.remove(POD_TEMPLATE_HASH);
        }
        if meta.labels.as_ref().is_some_and(BTreeMap::is_empty) {
            meta.labels = None;
        }
        if meta.annotations.as_ref().is_some_and(BTreeMap::is_empty) {
            meta.annotations = None;
        }
        meta
    }
    a.spec == b.spec && strip(a.metadata.as_ref()) == strip(b.metadata.as_ref())
}

// ---- conditions ---------------------------------------------------------------------------------

fn condition<'a>(status: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.as_ref()?.iter().find(|c| c.type_.as_deref() == Some(type_))
}

fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: i64,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: Some(type_.into()),
        status: Some(status.into()),
        reason: Some(reason.into()),
        message: Some(message),
        last_update_time: Some(time::time(now)),
        last_transition_time: Some(time::time(now)),
    }
}

// SetDeploymentCondition: same status and reason is a no-op; same status keeps the transition
// time; the condition goes to the end of the list.
fn set_condition(status: &mut DeploymentStatus, mut c: DeploymentCondition) {
    let type_ = c.type_.clone().unwrap_or_default();
    if let Some(cur) = condition(status, &type_) {
        if cur.status == c.status && cur.reason == c.reason {
            return;
        }
        if cur.status == c.status {
            c.last_transition_time = cur.last_transition_time.clone();
        }
    }
    remove_condition(status, &type_);
    status.conditions.get_or_insert_with(Vec::new).push(c);
}

fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(cs) = status.conditions.as_mut() {
        cs.retain(|c| c.type_.as_deref() != Some(type_));
    }
}

// ---- writes -------------------------------------------------------------------------------------

fn save_deployment(cluster: &mut Cluster, d: &mut Deployment) {
    let stored = cluster.update_internal(d.clone().into());
    if let Some(s) = stored.as_kind::<Deployment>() {
        *d = s.clone();
    }
}

fn save_rs(cluster: &mut Cluster, rs: ReplicaSet) -> ReplicaSet {
    let stored = cluster.update_internal(rs.clone().into());
    stored.as_kind::<ReplicaSet>().cloned().unwrap_or(rs)
}

fn event(cluster: &mut Cluster, d: &Deployment, type_: &str, reason: &str, message: String) {
    let obj: Object = d.clone().into();
    cluster.record_event(&obj, None, type_, reason, message, COMPONENT, None);
}

// ---- annotations --------------------------------------------------------------------------------

fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (k, v) in [(DESIRED_REPLICAS, desired), (MAX_REPLICAS_ANNOTATION, max)] {
        let v = v.to_string();
        if a.get(k) != Some(&v) {
            a.insert(k.into(), v);
            changed = true;
        }
    }
    changed
}

fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    annotation(&rs.metadata, DESIRED_REPLICAS) != Some(desired.to_string().as_str())
        || annotation(&rs.metadata, MAX_REPLICAS_ANNOTATION) != Some(max.to_string().as_str())
}

// SetNewReplicaSetAnnotations.
fn set_new_rs_annotations(
    d: &Deployment,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
) -> bool {
    let mut changed = false;
    let skip = [
        LAST_APPLIED,
        REVISION,
        REVISION_HISTORY,
        DESIRED_REPLICAS,
        MAX_REPLICAS_ANNOTATION,
        ROLLBACK_TO,
    ];
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if skip.contains(&k.as_str()) {
            continue;
        }
        if a.get(k) != Some(v) {
            a.insert(k.clone(), v.clone());
            changed = true;
        }
    }
    let old = a.get(REVISION).cloned();
    let old_int: i64 = old.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
    if old_int < new_revision {
        a.insert(REVISION.into(), new_revision.to_string());
        changed = true;
        // A revision already there and raised: a rollback to this RS; keep the old number.
        if let Some(old) = old.filter(|o| !o.is_empty()) {
            let history = a.get(REVISION_HISTORY).cloned().unwrap_or_default();
            if history.is_empty() {
                a.insert(REVISION_HISTORY.into(), old);
            } else {
                let mut parts: Vec<&str> = history.split(',').collect();
                let mut total = history.len() + old.len() + 1;
                while total > REVISION_HISTORY_MAX_CHARS && !parts.is_empty() {
                    total -= parts[0].len() + 1;
                    parts.remove(0);
                }
                if total <= REVISION_HISTORY_MAX_CHARS {
                    parts.push(&old);
                    a.insert(REVISION_HISTORY.into(), parts.join(","));
                }
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)) {
        changed = true;
    }
    changed
}

fn set_deployment_revision(d: &mut Deployment, revision: &str) -> bool {
    let a = d.metadata.annotations.get_or_insert_with(BTreeMap::new);
    if a.get(REVISION).map(String::as_str) == Some(revision) {
        return false;
    }
    a.insert(REVISION.into(), revision.into());
    true
}

// ---- scaling ------------------------------------------------------------------------------------

fn scale_rs(
    cluster: &mut Cluster,
    d: &Deployment,
    rs: ReplicaSet,
    new_scale: i32,
    operation: &str,
) -> (bool, ReplicaSet) {
    let old_scale = rs_replicas(&rs);
    let size_needs = old_scale != new_scale;
    let max = replicas(d) + max_surge(d);
    if !size_needs && !replicas_annotations_need_update(&rs, replicas(d), max) {
        return (false, rs);
    }
    let mut updated = rs;
    updated.spec.replicas = Some(new_scale);
    set_replicas_annotations(&mut updated, replicas(d), max);
    let updated = save_rs(cluster, updated);
    if size_needs {
        let name = updated.metadata.name.clone().unwrap_or_default();
        event(
            cluster,
            d,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled {operation} replica set {name} to {new_scale} from {old_scale}"),
        );
    }
    (size_needs, updated)
}

fn scale_rs_and_record(
    cluster: &mut Cluster,
    d: &Deployment,
    rs: ReplicaSet,
    new_scale: i32,
) -> (bool, ReplicaSet) {
    let current = rs_replicas(&rs);
    if current == new_scale {
        return (false, rs);
    }
    let op = if current < new_scale { "up" } else { "down" };
    scale_rs(cluster, d, rs, new_scale, op)
}

// ---- the new ReplicaSet -------------------------------------------------------------------------

fn new_rs_new_replicas(d: &Deployment, all: &[ReplicaSet], new_rs: &ReplicaSet) -> i32 {
    if !is_rolling(d) {
        return replicas(d);
    }
    let current: i32 = all.iter().map(rs_replicas).sum();
    let max_total = replicas(d) + max_surge(d);
    if current >= max_total {
        return rs_replicas(new_rs);
    }
    let up = (max_total - current).min(replicas(d) - rs_replicas(new_rs));
    rs_replicas(new_rs) + up
}

/// `getAllReplicaSetsAndSyncRevision`: (new RS, old RSs), creating the new one if asked.
fn all_replica_sets(
    cluster: &mut Cluster,
    d: &mut Deployment,
    rss: &[ReplicaSet],
    create: bool,
) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
    let mut sorted: Vec<ReplicaSet> = rss.to_vec();
    crate::sorting::sort_by_key(&mut sorted, creation_key);
    let new_idx = sorted.iter().position(|rs| {
        rs.spec.template.as_ref().is_some_and(|t| equal_ignore_hash(t, &d.spec.template))
    });
    let existing = new_idx.map(|i| sorted.remove(i));
    let old = sorted;
    let new_rs = new_replica_set(cluster, d, existing, &old, create);
    (new_rs, old)
}

fn new_replica_set(
    cluster: &mut Cluster,
    d: &mut Deployment,
    existing: Option<ReplicaSet>,
    old: &[ReplicaSet],
    create: bool,
) -> Option<ReplicaSet> {
    let max_old = old.iter().map(revision).max().unwrap_or(0);
    let new_revision = max_old + 1;
    let now = cluster.now();
    if let Some(rs) = existing {
        let mut updated = rs;
        let annotations_changed = set_new_rs_annotations(d, &mut updated, new_revision, true);
        let min_ready_changed = updated.spec.min_ready_seconds != d.spec.min_ready_seconds;
        if annotations_changed || min_ready_changed {
            updated.spec.min_ready_seconds = d.spec.min_ready_seconds;
            updated = save_rs(cluster, updated);
        }
        let rev = annotation(&updated.metadata, REVISION).unwrap_or("").to_string();
        let mut needs_update = set_deployment_revision(d, &rev);
        let no_progressing =
            d.status.as_ref().is_none_or(|s| condition(s, "Progressing").is_none());
        if has_progress_deadline(d) && no_progressing {
            let name = updated.metadata.name.clone().unwrap_or_default();
            let c = new_condition(
                "Progressing",
                "True",
                "FoundNewReplicaSet",
                format!("Found new replica set \"{name}\""),
                now,
            );
            set_condition(d.status.get_or_insert_with(Default::default), c);
            needs_update = true;
        }
        if needs_update {
            save_deployment(cluster, d);
        }
        return Some(updated);
    }
    if !create {
        return None;
    }
    let collision_count = d.status.as_ref().and_then(|s| s.collision_count);
    let hash = compute_hash(&d.spec.template, collision_count);
    let d_name = d.metadata.name.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let rs_name = format!("{d_name}-{hash}");
    let mut template = d.spec.template.clone();
    let tmeta = template.metadata.get_or_insert_with(Default::default);
    tmeta.labels.get_or_insert_with(BTreeMap::new).insert(POD_TEMPLATE_HASH.into(), hash.clone());
    let labels = tmeta.labels.clone();
    let mut selector = d.spec.selector.clone();
    selector.match_labels.get_or_insert_with(BTreeMap::new).insert(POD_TEMPLATE_HASH.into(), hash);
    let d_obj: Object = d.clone().into();
    let mut new_rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(rs_name.clone()),
            namespace: Some(ns.clone()),
            labels,
            owner_references: Some(vec![super::workload::owner_ref(&d_obj)]),
            ..Default::default()
        },
        spec: ReplicaSetSpec {
            replicas: Some(0),
            min_ready_seconds: d.spec.min_ready_seconds,
            selector,
            template: Some(template),
        },
        status: None,
    };
    let mut all: Vec<ReplicaSet> = old.to_vec();
    all.push(new_rs.clone());
    let new_replicas = new_rs_new_replicas(d, &all, &new_rs);
    new_rs.spec.replicas = Some(new_replicas);
    set_new_rs_annotations(d, &mut new_rs, new_revision, false);
    let mut already_exists = false;
    let created = match cluster.create(new_rs.into()) {
        Ok(o) => o.as_kind::<ReplicaSet>().cloned(),
        Err(e) if e.reason == Reason::AlreadyExists => {
            let key = ObjKey::new(Kind::ReplicaSet, &ns, &rs_name);
            let found = cluster.get(&key).and_then(|o| o.as_kind::<ReplicaSet>()).cloned();
            let d_uid = d.metadata.uid.clone().unwrap_or_default();
            let ours = found.as_ref().is_some_and(|rs| {
                controller_ref(&rs.metadata).is_some_and(|r| r.uid == d_uid)
                    && rs
                        .spec
                        .template
                        .as_ref()
                        .is_some_and(|t| equal_ignore_hash(t, &d.spec.template))
            });
            if ours {
                already_exists = true;
                found
            } else {
                // A hash collision: bump the count and try again with another name.
                let status = d.status.get_or_insert_with(Default::default);
                status.collision_count =
                    Some(status.collision_count.unwrap_or(0).saturating_add(1));
                save_deployment(cluster, d);
                let key = ObjKey::new(Kind::Deployment, &ns, &d_name);
                cluster.enqueue(Component::Deployment, key);
                return None;
            }
        }
        Err(e) => {
            let msg = format!("Failed to create new replica set \"{rs_name}\": {}", e.message);
            if has_progress_deadline(d) {
                let c = new_condition(
                    "Progressing",
                    "False",
                    "ReplicaSetCreateError",
                    msg.clone(),
                    now,
                );
                set_condition(d.status.get_or_insert_with(Default::default), c);
                save_deployment(cluster, d);
            }
            event(cluster, d, "Warning", "FailedCreate", msg);
            return None;
        }
    };
    if !already_exists && new_replicas > 0 {
        event(
            cluster,
            d,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled up replica set {rs_name} to {new_replicas}"),
        );
    }
    let mut needs_update = set_deployment_revision(d, &new_revision.to_string());
    if !already_exists && has_progress_deadline(d) {
        let c = new_condition(
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            format!("Created new replica set \"{rs_name}\""),
            now,
        );
        set_condition(d.status.get_or_insert_with(Default::default), c);
        needs_update = true;
    }
    if needs_update {
        save_deployment(cluster, d);
    }
    created
}

// ---- status -------------------------------------------------------------------------------------

fn calculate_status(
    d: &Deployment,
    old: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
    now: i64,
) -> DeploymentStatus {
    let all = || old.iter().chain(new_rs);
    let available: i32 = all().map(rs_available).sum();
    let total: i32 = all().map(rs_replicas).sum();
    let prev = d.status.clone().unwrap_or_default();
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        // Every count is `omitempty` in Go: zero is not written.
        replicas: Some(all().map(rs_status_replicas).sum()).filter(|n| *n != 0),
        updated_replicas: Some(new_rs.map_or(0, rs_status_replicas)).filter(|n| *n != 0),
        ready_replicas: Some(all().map(rs_ready).sum()).filter(|n| *n != 0),
        available_replicas: Some(available).filter(|n| *n != 0),
        unavailable_replicas: Some((total - available).max(0)).filter(|n| *n != 0),
        collision_count: prev.collision_count,
        conditions: prev.conditions,
        terminating_replicas: prev.terminating_replicas,
    };
    if available >= replicas(d) - max_unavailable(d) {
        let c = new_condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
            now,
        );
        set_condition(&mut status, c);
    } else {
        let c = new_condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
            now,
        );
        set_condition(&mut status, c);
    }
    status
}

fn deployment_complete(d: &Deployment, s: &DeploymentStatus) -> bool {
    let r = replicas(d);
    s.updated_replicas.unwrap_or(0) == r
        && s.replicas.unwrap_or(0) == r
        && s.available_replicas.unwrap_or(0) == r
        && s.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

fn deployment_progressing(d: &Deployment, s: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let old_old = old.replicas.unwrap_or(0) - old.updated_replicas.unwrap_or(0);
    let new_old = s.replicas.unwrap_or(0) - s.updated_replicas.unwrap_or(0);
    s.updated_replicas.unwrap_or(0) > old.updated_replicas.unwrap_or(0)
        || new_old < old_old
        || s.ready_replicas.unwrap_or(0) > old.ready_replicas.unwrap_or(0)
        || s.available_replicas.unwrap_or(0) > old.available_replicas.unwrap_or(0)
}

fn deployment_timed_out(d: &Deployment, s: &DeploymentStatus, now: i64) -> bool {
    if !has_progress_deadline(d) {
        return false;
    }
    let Some(c) = condition(s, "Progressing") else { return false };
    match c.reason.as_deref() {
        Some("NewReplicaSetAvailable") => false,
        Some("ProgressDeadlineExceeded") => true,
        _ => {
            let from = c.last_update_time.as_ref().map_or(0, time::ms_of);
            let deadline_ms = i64::from(d.spec.progress_deadline_seconds.unwrap_or(600)) * 1000;
            from + deadline_ms < now
        }
    }
}

fn rs_name(rs: Option<&ReplicaSet>) -> String {
    rs.and_then(|r| r.metadata.name.clone()).unwrap_or_default()
}

/// `syncRolloutStatus`: status, Available and Progressing (and its deadline). The RSs are
/// `old` and `new_rs`, in that order.
fn sync_rollout_status(
    cluster: &mut Cluster,
    d: &mut Deployment,
    old: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
) {
    let now = cluster.now();
    let mut s = calculate_status(d, old, new_rs, now);
    if !has_progress_deadline(d) {
        remove_condition(&mut s, "Progressing");
    }
    let current = condition(&s, "Progressing").cloned();
    let complete_already = s.replicas == s.updated_replicas
        && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some("NewReplicaSetAvailable"));
    if has_progress_deadline(d) && !complete_already {
        let name = rs_name(new_rs);
        if deployment_complete(d, &s) {
            let msg = if new_rs.is_some() {
                format!("ReplicaSet \"{name}\" has successfully progressed.")
            } else {
                format!(
                    "Deployment \"{}\" has successfully progressed.",
                    d.metadata.name.as_deref().unwrap_or("")
                )
            };
            set_condition(
                &mut s,
                new_condition("Progressing", "True", "NewReplicaSetAvailable", msg, now),
            );
        } else if deployment_progressing(d, &s) {
            let msg = if new_rs.is_some() {
                format!("ReplicaSet \"{name}\" is progressing.")
            } else {
                format!(
                    "Deployment \"{}\" is progressing.",
                    d.metadata.name.as_deref().unwrap_or("")
                )
            };
            let mut c = new_condition("Progressing", "True", "ReplicaSetUpdated", msg, now);
            // Progress refreshes lastUpdateTime; a True condition keeps its transition time.
            if let Some(cur) = &current {
                if cur.status.as_deref() == Some("True") {
                    c.last_transition_time = cur.last_transition_time.clone();
                }
                remove_condition(&mut s, "Progressing");
            }
            set_condition(&mut s, c);
        } else if deployment_timed_out(d, &s, now) {
            let msg = if new_rs.is_some() {
                format!("ReplicaSet \"{name}\" has timed out progressing.")
            } else {
                format!(
                    "Deployment \"{}\" has timed out progressing.",
                    d.metadata.name.as_deref().unwrap_or("")
                )
            };
            set_condition(
                &mut s,
                new_condition("Progressing", "False", "ProgressDeadlineExceeded", msg, now),
            );
        }
    }
    // ReplicaSet failures show on the Deployment.
    let failure = old.iter().chain(new_rs).find_map(|rs| {
        rs.status
            .as_ref()?
            .conditions
            .as_ref()?
            .iter()
            .find(|c| {
                c.type_.as_deref() == Some("ReplicaFailure") && c.status.as_deref() == Some("True")
            })
            .cloned()
    });
    match failure {
        Some(f) => set_condition(
            &mut s,
            DeploymentCondition {
                type_: Some("ReplicaFailure".into()),
                status: f.status,
                reason: f.reason,
                message: f.message,
                last_update_time: f.last_transition_time.clone(),
                last_transition_time: f.last_transition_time,
            },
        ),
        None => remove_condition(&mut s, "ReplicaFailure"),
    }
    if d.status.as_ref() == Some(&s) {
        requeue_stuck(cluster, d, &s);
        return;
    }
    d.status = Some(s);
    save_deployment(cluster, d);
}

fn key_of(d: &Deployment) -> ObjKey {
    ObjKey::new(
        Kind::Deployment,
        d.metadata.namespace.as_deref().unwrap_or(""),
        d.metadata.name.as_deref().unwrap_or(""),
    )
}

// requeueStuckDeployment: come back just after the progress deadline.
fn requeue_stuck(cluster: &mut Cluster, d: &Deployment, s: &DeploymentStatus) {
    let key = key_of(d);
    let Some(c) = condition(s, "Progressing") else {
        cluster.cancel_requeue(Component::Deployment, &key);
        return;
    };
    if !has_progress_deadline(d)
        || deployment_complete(d, s)
        || c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    {
        cluster.cancel_requeue(Component::Deployment, &key);
        return;
    }
    let now = cluster.now();
    let from = c.last_update_time.as_ref().map_or(now, time::ms_of);
    let deadline_ms = i64::from(d.spec.progress_deadline_seconds.unwrap_or(600)) * 1000;
    let after = (from + deadline_ms - now).max(0);
    cluster.requeue_at(Component::Deployment, &key, (now + after + 1000).max(0) as u64);
}

/// `syncDeploymentStatus`: status only, no progress estimate.
fn sync_deployment_status(
    cluster: &mut Cluster,
    d: &mut Deployment,
    old: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
) {
    let s = calculate_status(d, old, new_rs, cluster.now());
    if d.status.as_ref() == Some(&s) {
        return;
    }
    d.status = Some(s);
    save_deployment(cluster, d);
}

// ---- sync paths ---------------------------------------------------------------------------------

fn active(rss: &[ReplicaSet]) -> Vec<ReplicaSet> {
    rss.iter().filter(|rs| rs_replicas(rs) > 0).cloned().collect()
}

fn with_new(old: &[ReplicaSet], new_rs: Option<&ReplicaSet>) -> Vec<ReplicaSet> {
    let mut all = old.to_vec();
    if let Some(n) = new_rs {
        all.push(n.clone());
    }
    all
}

fn replace(list: &mut [ReplicaSet], rs: &ReplicaSet) {
    for x in list.iter_mut() {
        if x.metadata.uid == rs.metadata.uid {
            *x = rs.clone();
        }
    }
}

/// `cleanupDeployment`: old RSs beyond revisionHistoryLimit, fully scaled down, are deleted.
fn cleanup(cluster: &mut Cluster, d: &Deployment, old: &[ReplicaSet]) {
    let Some(limit) = d.spec.revision_history_limit.filter(|l| *l != i32::MAX) else { return };
    let mut cleanable: Vec<&ReplicaSet> =
        old.iter().filter(|rs| rs.metadata.deletion_timestamp.is_none()).collect();
    let diff = cleanable.len() as i64 - i64::from(limit.max(0));
    if diff <= 0 {
        return;
    }
    crate::sorting::sort_by_key(&mut cleanable, |rs| (revision(rs), creation_key(rs)));
    for rs in cleanable.into_iter().take(diff as usize) {
        let observed = rs.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0);
        if rs_status_replicas(rs) != 0
            || rs_replicas(rs) != 0
            || rs.metadata.generation.unwrap_or(0) > observed
        {
            continue;
        }
        let key = ObjKey::new(
            Kind::ReplicaSet,
            rs.metadata.namespace.as_deref().unwrap_or(""),
            rs.metadata.name.as_deref().unwrap_or(""),
        );
        let _ = cluster.delete(&key, None, Propagation::Background);
    }
}

fn find_active_or_latest(new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> Option<ReplicaSet> {
    if new_rs.is_none() && old.is_empty() {
        return None;
    }
    let mut old_sorted = old.to_vec();
    crate::sorting::sort_by_key(&mut old_sorted, creation_key);
    old_sorted.reverse();
    let all = active(&with_new(&old_sorted, new_rs));
    match all.len() {
        0 => new_rs.cloned().or_else(|| old_sorted.first().cloned()),
        1 => all.first().cloned(),
        _ => None,
    }
}

fn is_saturated(d: &Deployment, rs: Option<&ReplicaSet>) -> bool {
    let Some(rs) = rs else { return false };
    let desired: Option<i32> =
        annotation(&rs.metadata, DESIRED_REPLICAS).and_then(|v| v.parse().ok());
    rs_replicas(rs) == replicas(d)
        && desired == Some(replicas(d))
        && rs_available(rs) == replicas(d)
}

// getReplicaSetFraction / GetProportion.
fn proportion(d: &Deployment, rs: &ReplicaSet, to_add: i32, added: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if replicas(d) == 0 {
        -rs_replicas(rs)
    } else {
        let deployment_replicas = i64::from(replicas(d) + max_surge(d));
        let annotated: i64 = annotation(&rs.metadata, MAX_REPLICAS_ANNOTATION)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| i64::from(d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0)));
        if annotated <= 0 {
            0
        } else {
            let size = (i64::from(rs_replicas(rs)) * deployment_replicas) as f64 / annotated as f64;
            (size.round() as i64).clamp(0, i64::from(MAX_REPLICAS) * 2) as i32 - rs_replicas(rs)
        }
    };
    let allowed = to_add - added;
    if to_add > 0 { fraction.min(allowed) } else { fraction.max(allowed) }
}

/// `scale()`: replicas changed while (maybe) several RSs are active.
fn scale(cluster: &mut Cluster, d: &Deployment, new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) {
    if let Some(rs) = find_active_or_latest(new_rs, old) {
        if rs_replicas(&rs) != replicas(d) {
            scale_rs_and_record(cluster, d, rs, replicas(d));
        }
        return;
    }
    if is_saturated(d, new_rs) {
        for rs in active(old) {
            scale_rs_and_record(cluster, d, rs, 0);
        }
        return;
    }
    if !is_rolling(d) {
        return;
    }
    let mut all = active(&with_new(old, new_rs));
    let current: i32 = all.iter().map(rs_replicas).sum();
    let allowed = if replicas(d) > 0 { replicas(d) + max_surge(d) } else { 0 };
    let to_add = allowed - current;
    let operation = match to_add.cmp(&0) {
        std::cmp::Ordering::Greater => {
            // ReplicaSetsBySizeNewer: larger first, then newer.
            crate::sorting::sort_by(&mut all, |a, b| {
                rs_replicas(b).cmp(&rs_replicas(a)).then(creation_key(b).cmp(&creation_key(a)))
            });
            "up"
        }
        std::cmp::Ordering::Less => {
            // ReplicaSetsBySizeOlder: larger first, then older.
            crate::sorting::sort_by(&mut all, |a, b| {
                rs_replicas(b).cmp(&rs_replicas(a)).then(creation_key(a).cmp(&creation_key(b)))
            });
            "down"
        }
        std::cmp::Ordering::Equal => "",
    };
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::with_capacity(all.len());
    for rs in &all {
        if to_add != 0 {
            let p = proportion(d, rs, to_add, added);
            sizes.push(rs_replicas(rs) + p);
            added += p;
        } else {
            sizes.push(rs_replicas(rs));
        }
    }
    for (i, rs) in all.into_iter().enumerate() {
        let mut size = sizes[i];
        if i == 0 && to_add != 0 {
            size = (size + to_add - added).max(0);
        }
        scale_rs(cluster, d, rs, size, operation);
    }
}

fn sync(cluster: &mut Cluster, d: &mut Deployment, rss: &[ReplicaSet]) {
    let (new_rs, old) = all_replica_sets(cluster, d, rss, false);
    scale(cluster, d, new_rs.as_ref(), &old);
    let (new_rs, old) = refresh(cluster, new_rs, old);
    if d.spec.paused == Some(true) && annotation(&d.metadata, ROLLBACK_TO).is_none() {
        cleanup(cluster, d, &old);
    }
    sync_deployment_status(cluster, d, &old, new_rs.as_ref());
}

// Re-reads RSs after scaling (scale writes returned copies, but keep one source of truth).
fn refresh(
    cluster: &Cluster,
    new_rs: Option<ReplicaSet>,
    old: Vec<ReplicaSet>,
) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
    let get = |rs: &ReplicaSet| -> Option<ReplicaSet> {
        let key = ObjKey::new(
            Kind::ReplicaSet,
            rs.metadata.namespace.as_deref().unwrap_or(""),
            rs.metadata.name.as_deref().unwrap_or(""),
        );
        cluster.get(&key).and_then(|o| o.as_kind::<ReplicaSet>()).cloned()
    };
    (new_rs.and_then(|r| get(&r)), old.iter().filter_map(get).collect())
}

fn check_paused_conditions(cluster: &mut Cluster, d: &mut Deployment) {
    if !has_progress_deadline(d) {
        return;
    }
    let status = d.status.clone().unwrap_or_default();
    let cond = condition(&status, "Progressing");
    if cond.is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
        return;
    }
    let paused_exists = cond.is_some_and(|c| c.reason.as_deref() == Some("DeploymentPaused"));
    let paused = d.spec.paused == Some(true);
    let now = cluster.now();
    let c = if paused && !paused_exists {
        new_condition(
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".into(),
            now,
        )
    } else if !paused && paused_exists {
        new_condition(
            "Progressing",
            "Unknown",
            "DeploymentResumed",
            "Deployment is resumed".into(),
            now,
        )
    } else {
        return;
    };
    set_condition(d.status.get_or_insert_with(Default::default), c);
    save_deployment(cluster, d);
}

fn is_scaling_event(cluster: &mut Cluster, d: &mut Deployment, rss: &[ReplicaSet]) -> bool {
    let (new_rs, old) = all_replica_sets(cluster, d, rss, false);
    old.iter().chain(new_rs.as_ref()).filter(|rs| rs_replicas(rs) > 0).any(|rs| {
        annotation(&rs.metadata, DESIRED_REPLICAS)
            .and_then(|v| v.parse::<i32>().ok())
            .is_some_and(|desired| desired != replicas(d))
    })
}

fn rollout_rolling(cluster: &mut Cluster, d: &mut Deployment, rss: &[ReplicaSet]) {
    let (new_rs, mut old) = all_replica_sets(cluster, d, rss, true);
    let Some(mut new_rs) = new_rs else {
        sync_rollout_status(cluster, d, &old, None);
        return;
    };
    // reconcileNewReplicaSet
    let scaled_up = if rs_replicas(&new_rs) == replicas(d) {
        false
    } else if rs_replicas(&new_rs) > replicas(d) {
        let (s, rs) = scale_rs_and_record(cluster, d, new_rs.clone(), replicas(d));
        new_rs = rs;
        s
    } else {
        let count = new_rs_new_replicas(d, &with_new(&old, Some(&new_rs)), &new_rs);
        let (s, rs) = scale_rs_and_record(cluster, d, new_rs.clone(), count);
        new_rs = rs;
        s
    };
    if scaled_up {
        sync_rollout_status(cluster, d, &old, Some(&new_rs));
        return;
    }
    // reconcileOldReplicaSets
    if reconcile_old(cluster, d, &mut old, &new_rs) {
        sync_rollout_status(cluster, d, &old, Some(&new_rs));
        return;
    }
    if d.status.as_ref().is_some_and(|s| deployment_complete(d, s)) {
        cleanup(cluster, d, &old);
    }
    sync_rollout_status(cluster, d, &old, Some(&new_rs));
}

fn reconcile_old(
    cluster: &mut Cluster,
    d: &Deployment,
    old: &mut [ReplicaSet],
    new_rs: &ReplicaSet,
) -> bool {
    let old_count: i32 = old.iter().map(rs_replicas).sum();
    if old_count == 0 {
        return false;
    }
    let all_count = old_count + rs_replicas(new_rs);
    let min_available = replicas(d) - max_unavailable(d);
    let new_unavailable = rs_replicas(new_rs) - rs_available(new_rs);
    let max_scaled_down = all_count - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    // cleanupUnhealthyReplicas: oldest first, the unavailable part of each.
    crate::sorting::sort_by_key(old, creation_key);
    let mut cleaned = 0;
    let snapshot: Vec<ReplicaSet> = old.to_vec();
    for rs in snapshot {
        if cleaned >= max_scaled_down {
            break;
        }
        let r = rs_replicas(&rs);
        if r == 0 || r == rs_available(&rs) {
            continue;
        }
        let down = (max_scaled_down - cleaned).min(r - rs_available(&rs));
        let (_, updated) = scale_rs_and_record(cluster, d, rs, r - down);
        replace(old, &updated);
        cleaned += down;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: only what keeps minAvailable.
    let mut all = old.to_vec();
    all.push(new_rs.clone());
    let available: i32 = all.iter().map(rs_available).sum();
    let mut scaled = 0;
    if available > min_available {
        let total = available - min_available;
        let snapshot: Vec<ReplicaSet> = old.to_vec();
        for rs in snapshot {
            if scaled >= total {
                break;
            }
            let r = rs_replicas(&rs);
            if r == 0 {
                continue;
            }
            let down = r.min(total - scaled);
            let (_, updated) = scale_rs_and_record(cluster, d, rs, r - down);
            replace(old, &updated);
            scaled += down;
        }
    }
    cleaned + scaled > 0
}

fn rollout_recreate(cluster: &mut Cluster, d: &mut Deployment, rss: &[ReplicaSet]) {
    let (mut new_rs, mut old) = all_replica_sets(cluster, d, rss, false);
    let mut scaled_down = false;
    for rs in active(&old) {
        let (s, updated) = scale_rs_and_record(cluster, d, rs, 0);
        replace(&mut old, &updated);
        scaled_down |= s;
    }
    if scaled_down {
        sync_rollout_status(cluster, d, &old, new_rs.as_ref());
        return;
    }
    if old_pods_running(cluster, d, new_rs.as_ref(), &old) {
        sync_rollout_status(cluster, d, &old, new_rs.as_ref());
        return;
    }
    if new_rs.is_none() {
        let (n, o) = all_replica_sets(cluster, d, rss, true);
        new_rs = n;
        old = o;
    }
    if let Some(rs) = new_rs.clone() {
        let (_, updated) = scale_rs_and_record(cluster, d, rs, replicas(d));
        new_rs = Some(updated);
    }
    if d.status.as_ref().is_some_and(|s| deployment_complete(d, s)) {
        cleanup(cluster, d, &old);
    }
    sync_rollout_status(cluster, d, &old, new_rs.as_ref());
}

// oldPodsRunning: any old RS still reports pods, or any pod of an old RS has not finished
// (terminating pods count).
fn old_pods_running(
    cluster: &Cluster,
    d: &Deployment,
    new_rs: Option<&ReplicaSet>,
    old: &[ReplicaSet],
) -> bool {
    if old.iter().map(rs_status_replicas).sum::<i32>() > 0 {
        return true;
    }
    let new_uid = new_rs.and_then(|r| r.metadata.uid.clone());
    // `extend`, not `collect`: collecting into a set compiles another sort.
    let mut old_uids = BTreeSet::new();
    old_uids.extend(old.iter().filter_map(|r| r.metadata.uid.as_deref()));
    let ns = d.metadata.namespace.as_deref().unwrap_or("");
    cluster.store().list_typed::<Pod>(Some(ns)).any(|p| {
        let Some(r) = controller_ref(&p.metadata) else { return false };
        if Some(&r.uid) == new_uid.as_ref() || !old_uids.contains(r.uid.as_str()) {
            return false;
        }
        !matches!(super::workload::phase(p), "Succeeded" | "Failed")
    })
}

/// Syncs one Deployment.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let Some(d_obj) = cluster.store().get_shared(key) else { return };
    let Some(mut d) = d_obj.as_kind::<Deployment>().cloned() else { return };
    let Ok(selector) = label_selector_as_selector(Some(&d.spec.selector)) else { return };
    if selector.is_empty() {
        event(
            cluster,
            &d,
            "Warning",
            "SelectingAll",
            "This deployment is selecting all pods. A non-empty selector is required.".into(),
        );
        return;
    }
    let rss: Vec<ReplicaSet> = claim_cloned(cluster, &d_obj, &selector);
    if d.metadata.deletion_timestamp.is_some() {
        let (new_rs, old) = all_replica_sets(cluster, &mut d, &rss, false);
        sync_deployment_status(cluster, &mut d, &old, new_rs.as_ref());
        return;
    }
    check_paused_conditions(cluster, &mut d);
    if d.spec.paused == Some(true) {
        sync(cluster, &mut d, &rss);
        return;
    }
    if is_scaling_event(cluster, &mut d, &rss) {
        let rss = current(cluster, &rss);
        sync(cluster, &mut d, &rss);
        return;
    }
    let rss = current(cluster, &rss);
    if is_rolling(&d) {
        rollout_rolling(cluster, &mut d, &rss);
    } else {
        rollout_recreate(cluster, &mut d, &rss);
    }
}

// The claimed RSs as stored now (a step may have updated their annotations).
fn current(cluster: &Cluster, rss: &[ReplicaSet]) -> Vec<ReplicaSet> {
    rss.iter()
        .filter_map(|rs| {
            let key = ObjKey::new(
                Kind::ReplicaSet,
                rs.metadata.namespace.as_deref().unwrap_or(""),
                rs.metadata.name.as_deref().unwrap_or(""),
            );
            cluster.get(&key).and_then(|o| o.as_kind::<ReplicaSet>()).cloned()
        })
        .collect()
}
