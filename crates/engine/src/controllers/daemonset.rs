//! daemonset-controller, after `pkg/controller/daemon/daemon_controller.go` and
//! `util/daemonset_util.go`: one pod per eligible node (nodeSelector, required node affinity,
//! taints against the template's tolerations plus the ones the controller adds), placed by the
//! scheduler through a `matchFields metadata.name In [node]` affinity; pods on nodes that no
//! longer qualify are deleted; RollingUpdate replaces pods of an old template one unavailable
//! pod at a time.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodSpec, PodTemplateSpec, Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::apps::scaled_value;
use crate::api::{ObjKey, Object};
use crate::apimachinery::labels::label_selector_as_selector;
use crate::cluster::Cluster;
use crate::scheduler;

use super::Component;
use super::workload::{
    available_at_ms, claim, compute_hash, delete_pod, is_available, is_ready, phase,
    pod_from_template,
};

const COMPONENT: &str = "daemonset-controller";
/// Label with the hash of the template a daemon pod was made from.
pub const CONTROLLER_REVISION_HASH: &str = "controller-revision-hash";
/// Label with the DaemonSet generation a daemon pod was made from (deprecated, still set).
pub const POD_TEMPLATE_GENERATION: &str = "pod-template-generation";

fn toleration(key: &str, effect: &str) -> Toleration {
    Toleration {
        key: Some(key.into()),
        operator: Some("Exists".into()),
        effect: Some(effect.into()),
        ..Default::default()
    }
}

// AddOrUpdateDaemonPodTolerations: daemons survive node trouble.
fn add_daemon_tolerations(template: &mut PodTemplateSpec) {
    let Some(spec) = template.spec.as_mut() else { return };
    let mut wanted = vec![
        toleration("node.kubernetes.io/not-ready", "NoExecute"),
        toleration("node.kubernetes.io/unreachable", "NoExecute"),
        toleration("node.kubernetes.io/disk-pressure", "NoSchedule"),
        toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
        toleration("node.kubernetes.io/pid-pressure", "NoSchedule"),
        toleration("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.host_network == Some(true) {
        wanted.push(toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let list = spec.tolerations.get_or_insert_with(Vec::new);
    for t in wanted {
        list.retain(|x| !(x.key == t.key && x.effect == t.effect));
        list.push(t);
    }
}

// ReplaceDaemonSetPodNodeNameNodeAffinity.
fn pin_to_node(template: &mut PodTemplateSpec, node: &str) {
    if let Some(spec) = template.spec.as_mut() {
        pin_spec_to_node(spec, node);
    }
}

// Pinning again replaces the previous pin, so one spec can be pinned to each node in turn.
fn pin_spec_to_node(spec: &mut PodSpec, node: &str) {
    let field = NodeSelectorRequirement {
        key: "metadata.name".into(),
        operator: "In".into(),
        values: Some(vec![node.into()]),
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    let na = affinity.node_affinity.get_or_insert_with(NodeAffinity::default);
    match na.required_during_scheduling_ignored_during_execution.as_mut() {
        Some(sel) if !sel.node_selector_terms.is_empty() => {
            for term in &mut sel.node_selector_terms {
                term.match_fields = Some(vec![field.clone()]);
            }
        }
        _ => {
            na.required_during_scheduling_ignored_during_execution = Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_fields: Some(vec![field]),
                    ..Default::default()
                }],
            });
        }
    }
}

fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == taint.effect);
        let key_ok = match t.key.as_deref() {
            None | Some("") => t.operator.as_deref() == Some("Exists"),
            Some(k) => k == taint.key,
        };
        let value_ok = t.operator.as_deref() == Some("Exists")
            || t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("");
        effect_ok && key_ok && value_ok
    })
}

/// `NodeShouldRunDaemonPod`: (should run a new pod, may keep an existing one). `probe` is a
/// pod of the DaemonSet's template, pinned here to `node`.
fn should_run(probe: &mut Pod, node: &Node) -> (bool, bool) {
    if let Some(spec) = probe.spec.as_mut() {
        pin_spec_to_node(spec, node.metadata.name.as_deref().unwrap_or_default());
    }
    if !scheduler::node_matches(probe, node) {
        return (false, false);
    }
    let tolerations =
        probe.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or_default();
    let taints = node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
    let untolerated = |effect: &str| {
        taints.iter().any(|taint| taint.effect == effect && !tolerates(tolerations, taint))
    };
    let keep = !untolerated("NoExecute");
    (keep && !untolerated("NoSchedule"), keep)
}

// The node a daemon pod belongs to: its binding, else its pinned affinity.
fn pod_node(pod: &Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    if let Some(n) = &spec.node_name {
        return Some(n.clone());
    }
    let terms = &spec
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    terms.iter().find_map(|t| {
        t.match_fields.iter().flatten().find_map(|f| {
            (f.key == "metadata.name" && f.operator == "In")
                .then(|| f.values.as_ref().and_then(|v| v.first().cloned()))
                .flatten()
        })
    })
}

fn label(pod: &Pod, key: &str) -> Option<String> {
    pod.metadata.labels.as_ref().and_then(|l| l.get(key)).cloned()
}

/// Syncs one DaemonSet.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    // Shared handles, not copies: system DaemonSets have large templates and this runs on every
    // change of one of their pods.
    let Some(shared) = cluster.store().get_shared(key) else { return };
    let Some(ds) = shared.as_kind::<DaemonSet>() else { return };
    let obj: &Object = &shared;
    let Ok(selector) = label_selector_as_selector(Some(&ds.spec.selector)) else { return };
    if selector.is_empty() {
        return;
    }
    let now = cluster.now();
    let claimed = claim::<Pod>(cluster, obj, &selector);
    let hash = compute_hash(&ds.spec.template, ds.status.as_ref().and_then(|s| s.collision_count));
    let generation = ds.metadata.generation.unwrap_or(1);
    let min_ready = ds.spec.min_ready_seconds.unwrap_or(0);
    let mut base = ds.spec.template.clone();
    add_daemon_tolerations(&mut base);

    let mut by_node: BTreeMap<String, Vec<Rc<Object>>> = BTreeMap::new();
    for o in claimed {
        let Some(p) = o.as_kind::<Pod>() else { continue };
        if p.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if let Some(n) = pod_node(p) {
            by_node.entry(n).or_default().push(o);
        }
    }
    let mut probe = Pod { spec: base.spec.clone(), ..Default::default() };
    let nodes: Vec<(String, (bool, bool))> = cluster
        .store()
        .list_typed::<Node>(None)
        .map(|n| (n.metadata.name.clone().unwrap_or_default(), should_run(&mut probe, n)))
        .collect();
    let deleting = ds.metadata.deletion_timestamp.is_some();
    let mut status = DaemonSetStatus {
        observed_generation: ds.metadata.generation,
        collision_count: ds.status.as_ref().and_then(|s| s.collision_count),
        conditions: ds.status.as_ref().and_then(|s| s.conditions.clone()),
        ..Default::default()
    };
    let (mut available, mut updated, mut unavailable_nodes) = (0, 0, 0);
    let mut next_available: Option<i64> = None;
    let mut to_create: Vec<String> = Vec::new();
    let mut to_delete: Vec<Rc<Object>> = Vec::new();
    let mut old_on_nodes: Vec<Rc<Object>> = Vec::new();
    for (name, (run, keep)) in nodes {
        let pods = by_node.remove(&name).unwrap_or_default();
        // A failed daemon pod is replaced.
        let (failed, mut live): (Vec<Rc<Object>>, Vec<Rc<Object>>) = pods
            .into_iter()
            .partition(|o| o.as_kind::<Pod>().is_some_and(|p| phase(p) == "Failed"));
        to_delete.extend(failed);
        if run {
            status.desired_number_scheduled += 1;
        }
        if !(run || keep) {
            if !live.is_empty() {
                status.number_misscheduled += 1;
            }
            to_delete.extend(live);
            continue;
        }
        if live.is_empty() {
            if run {
                to_create.push(name);
                unavailable_nodes += 1;
            }
            continue;
        }
        if !run {
            status.number_misscheduled += 1;
        }
        crate::sorting::sort_by_key(&mut live, |o| {
            o.meta().creation_timestamp.as_ref().map(crate::time::ms_of)
        });
        let first = live.remove(0);
        to_delete.extend(live);
        let Some(first_pod) = first.as_kind::<Pod>() else { continue };
        if run {
            status.current_number_scheduled += 1;
            if is_ready(first_pod) {
                status.number_ready += 1;
            }
            if is_available(first_pod, min_ready, now) {
                available += 1;
            } else {
                unavailable_nodes += 1;
                if let Some(at) = available_at_ms(first_pod, min_ready, now) {
                    next_available = Some(next_available.map_or(at, |n: i64| n.min(at)));
                }
            }
            if label(first_pod, CONTROLLER_REVISION_HASH).as_deref() == Some(hash.as_str()) {
                updated += 1;
            } else {
                old_on_nodes.push(first);
            }
        }
    }
    // Pods pinned to nodes that no longer exist.
    for (_, pods) in by_node {
        to_delete.extend(pods);
    }
    if !deleting {
        for pod in &to_delete {
            delete_pod(cluster, obj, pod.name(), COMPONENT);
        }
        for node in &to_create {
            let mut t = base.clone();
            pin_to_node(&mut t, node);
            let labels = t
                .metadata
                .get_or_insert_with(Default::default)
                .labels
                .get_or_insert_with(BTreeMap::new);
            labels.insert(CONTROLLER_REVISION_HASH.into(), hash.clone());
            labels.insert(POD_TEMPLATE_GENERATION.into(), generation.to_string());
            let pod = pod_from_template(&t, obj, &format!("{}-", key.name));
            match cluster.create(pod.into()) {
                Ok(created) => cluster.record_event(
                    obj,
                    None,
                    "Normal",
                    "SuccessfulCreate",
                    format!("Created pod: {}", created.name()),
                    COMPONENT,
                    None,
                ),
                Err(e) => cluster.record_event(
                    obj,
                    None,
                    "Warning",
                    "FailedCreate",
                    format!("Error creating: {}", e.message),
                    COMPONENT,
                    None,
                ),
            }
        }
        rolling_update(
            cluster,
            ds,
            obj,
            old_on_nodes,
            unavailable_nodes,
            status.desired_number_scheduled,
            min_ready,
            now,
        );
    }
    status.number_available = Some(available);
    status.number_unavailable = Some((status.desired_number_scheduled - available).max(0));
    status.updated_number_scheduled = Some(updated);
    match next_available {
        Some(at) => cluster.requeue_at(Component::DaemonSet, key, at.max(0) as u64),
        None => cluster.cancel_requeue(Component::DaemonSet, key),
    }
    let Some(mut current) = cluster.get(key).and_then(|o| o.as_kind::<DaemonSet>()).cloned() else {
        return;
    };
    current.status = Some(status);
    cluster.update_internal(current.into());
}

// RollingUpdate with maxSurge 0: delete old-template pods while fewer than maxUnavailable nodes
// lack an available daemon pod; the next sync creates their replacements.
#[allow(clippy::too_many_arguments)]
fn rolling_update(
    cluster: &mut Cluster,
    ds: &DaemonSet,
    obj: &Object,
    mut old: Vec<Rc<Object>>,
    unavailable_nodes: i32,
    desired: i32,
    min_ready: i32,
    now: i64,
) {
    let strategy = ds.spec.update_strategy.as_ref();
    if strategy.and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate") != "RollingUpdate" {
        return;
    }
    let mu = strategy
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.max_unavailable.clone())
        .unwrap_or(IntOrString::Int(1));
    let max_unavailable = scaled_value(&mu, desired, true).unwrap_or(1).max(1);
    // Unavailable old pods go first; they cost no availability.
    let available =
        |o: &Rc<Object>| o.as_kind::<Pod>().is_some_and(|p| is_available(p, min_ready, now));
    crate::sorting::sort_by_key(&mut old, available);
    let mut budget = max_unavailable - unavailable_nodes;
    for pod in old {
        if available(&pod) {
            if budget <= 0 {
                break;
            }
            budget -= 1;
        }
        delete_pod(cluster, obj, pod.name(), COMPONENT);
    }
}
