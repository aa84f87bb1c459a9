//! The node lifecycle controller: marks nodes whose kubelet went quiet as Unknown after the
//! grace period, taints them, marks their pods not ready, evicts pods once their tolerations run
//! out, and keeps the `unschedulable` taint in step with cordoning.

use k8s_openapi::api::core::v1::{Node, Pod, Taint};

use crate::api::{Kind, ObjKey};
use crate::cluster::{Cluster, Propagation};
use crate::time;

use super::Component;

/// `--node-monitor-grace-period` (50 s since Kubernetes 1.32).
pub const NODE_MONITOR_GRACE_MS: u64 = 50_000;
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

fn has_taint(node: &Node, key: &str, effect: &str) -> bool {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .is_some_and(|t| t.iter().any(|t| t.key == key && t.effect == effect))
}

/// Brings a node's conditions, taints and pods in line with its kubelet's health.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let Some(node) = cluster.store.get_typed::<Node>("", &key.name).cloned() else { return };
    let now = cluster.now_ms();
    let mut updated = node.clone();
    let cordoned = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    let taints =
        updated.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
    if cordoned && !taints.iter().any(|t| t.key == UNSCHEDULABLE) {
        taints.push(Taint {
            key: UNSCHEDULABLE.into(),
            effect: "NoSchedule".into(),
            time_added: Some(time::time(now as i64)),
            value: None,
        });
    } else if !cordoned {
        taints.retain(|t| t.key != UNSCHEDULABLE);
    }

    let down_since = cluster.kubelet.node_down_since(&key.name);
    let unreachable = match down_since {
        Some(since) if now >= since + NODE_MONITOR_GRACE_MS => true,
        Some(since) => {
            cluster.clock.schedule_at(
                since + NODE_MONITOR_GRACE_MS,
                crate::cluster::Timer::Requeue(Component::NodeLifecycle, key.clone()),
            );
            false
        }
        None => false,
    };
    let was_unreachable = has_taint(&node, UNREACHABLE, "NoExecute");
    if unreachable && !was_unreachable {
        for effect in ["NoSchedule", "NoExecute"] {
            taints.push(Taint {
                key: UNREACHABLE.into(),
                effect: effect.into(),
                time_added: Some(time::time(now as i64)),
                value: None,
            });
        }
        crate::bootstrap::set_node_conditions_unknown(&mut updated, now);
    } else if !unreachable && was_unreachable {
        taints.retain(|t| t.key != UNREACHABLE);
        crate::bootstrap::set_node_conditions_ready(&mut updated, now);
    }
    if updated.spec.as_ref().and_then(|s| s.taints.as_ref()).is_some_and(Vec::is_empty)
        && let Some(s) = updated.spec.as_mut()
    {
        s.taints = None;
    }
    if updated != node {
        let obj = cluster.update_internal(updated.into());
        if unreachable && !was_unreachable {
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "NodeNotReady",
                format!("Node {} status is now: NodeNotReady", key.name),
                "node-controller",
                None,
            );
            mark_pods_not_ready(cluster, &key.name);
        } else if !unreachable && was_unreachable {
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "NodeReady",
                format!("Node {} status is now: NodeReady", key.name),
                "kubelet",
                Some(&key.name),
            );
        }
    }
    if unreachable {
        evict_intolerant_pods(cluster, key);
    }
}

fn pods_on(cluster: &Cluster, node: &str) -> Vec<Pod> {
    cluster
        .store
        .list_typed::<Pod>(None)
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .cloned()
        .collect()
}

fn mark_pods_not_ready(cluster: &mut Cluster, node: &str) {
    let now = cluster.now();
    for mut pod in pods_on(cluster, node) {
        let mut changed = false;
        for c in pod.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
            if (c.type_ == "Ready" || c.type_ == "ContainersReady") && c.status != "False" {
                c.status = "False".into();
                c.last_transition_time = Some(time::time(now));
                changed = true;
            }
        }
        for cs in pod.status.iter_mut().flat_map(|s| s.container_statuses.iter_mut().flatten()) {
            if cs.ready {
                cs.ready = false;
                changed = true;
            }
        }
        if changed {
            cluster.update_internal(pod.into());
        }
    }
}

// The taint manager: a pod tolerates `unreachable:NoExecute` for its tolerationSeconds, then goes.
fn evict_intolerant_pods(cluster: &mut Cluster, node_key: &ObjKey) {
    let Some(node) = cluster.store.get_typed::<Node>("", &node_key.name).cloned() else { return };
    let Some(taint) = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .and_then(|t| t.iter().find(|t| t.key == UNREACHABLE && t.effect == "NoExecute"))
        .cloned()
    else {
        return;
    };
    let added_ms = taint.time_added.as_ref().map(time::ms_of).unwrap_or(0).max(0) as u64;
    let now = cluster.now_ms();
    let mut next_check: Option<u64> = None;
    for pod in pods_on(cluster, &node_key.name) {
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let toleration = pod.spec.as_ref().and_then(|s| s.tolerations.as_ref()).and_then(|ts| {
            ts.iter()
                .find(|t| {
                    (t.key.as_deref() == Some(UNREACHABLE) || t.key.is_none())
                        && t.effect.as_deref().is_none_or(|e| e == "NoExecute")
                })
                .cloned()
        });
        let evict_at = match toleration {
            None => Some(added_ms),
            Some(t) => t.toleration_seconds.map(|s| added_ms + (s.max(0) as u64) * 1000),
        };
        let Some(at) = evict_at else { continue };
        if at <= now {
            let key = ObjKey::new(
                Kind::Pod,
                pod.metadata.namespace.as_deref().unwrap_or(""),
                pod.metadata.name.as_deref().unwrap_or(""),
            );
            let obj = pod.clone().into();
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "TaintManagerEviction",
                format!("Marking for deletion Pod {}/{}", key.namespace, key.name),
                "taint-eviction-controller",
                None,
            );
            let _ = cluster.delete(&key, None, Propagation::Background);
        } else {
            next_check = Some(next_check.map_or(at, |n: u64| n.min(at)));
        }
    }
    if let Some(at) = next_check {
        cluster.clock.schedule_at(
            at,
            crate::cluster::Timer::Requeue(Component::NodeLifecycle, node_key.clone()),
        );
    }
}
