//! default-scheduler: filters nodes (unschedulable, taints, node affinity/selector, resources)
//! and scores the rest (spreading, least allocated), binding each pending pod to one node.
//! A pod nothing fits stays Pending with the upstream FailedScheduling message.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, btree_map};
use std::iter::{Flatten, Peekable};
use std::option;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{
    Node, NodeSelectorRequirement, Pod, PodCondition, Taint, Toleration,
};

use crate::api::{Kind, ObjKey, Object};
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::controllers::Component;
use crate::fastmap::FastMap;
use crate::quantity::{cpu_millis, memory_bytes};
use crate::time;

/// The most pods a node takes (kubelet `--max-pods`).
pub const MAX_PODS_PER_NODE: usize = 110;

/// Queues every pending pod for another try (a node or free capacity appeared).
pub fn retry_pending(cluster: &mut Cluster) {
    let now = cluster.clock.now_ms();
    // Only pods that failed since the last change can need a retry; in key order, as they queue.
    let mut keys = std::mem::take(&mut cluster.scheduler_cache.awaiting_change);
    crate::sorting::sort(&mut keys);
    keys.dedup();
    for key in keys {
        let Some(pending) = cluster.kubelet.unschedulable.get_mut(&key) else { continue };
        // Already on its way back to the active queue.
        if pending.retry_scheduled {
            continue;
        }
        pending.retry_scheduled = true;
        let until = pending.backoff_until_ms();
        if until <= now {
            cluster.enqueue(Component::Scheduler, key);
        } else {
            cluster.requeue_at(Component::Scheduler, &key, until);
        }
    }
}

/// `podInitialBackoffDuration` and `podMaxBackoffDuration`: a pod that failed to schedule waits
/// this long, doubling per attempt, before a cluster change sends it back to the active queue.
const BACKOFF_INITIAL_MS: Millis = 1_000;
const BACKOFF_MAX_MS: Millis = 10_000;
/// `podMaxInUnschedulablePodsDuration`: with no cluster change, a pod that failed to schedule is
/// tried again after this long, at the next pass of the queue's flush, which runs every 30 s.
const UNSCHEDULABLE_MAX_MS: Millis = 5 * 60_000;
const FLUSH_PERIOD_MS: Millis = 30_000;

/// When the flush sends back a pod that failed to schedule at `attempt_ms`: its first pass at
/// which the pod has waited more than five minutes.
fn flush_due_ms(attempt_ms: Millis) -> Millis {
    ((attempt_ms + UNSCHEDULABLE_MAX_MS) / FLUSH_PERIOD_MS + 1) * FLUSH_PERIOD_MS
}

/// A pod the scheduler could not place yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unschedulable {
    attempts: u32,
    last_attempt_ms: Millis,
    retry_scheduled: bool,
}

impl Unschedulable {
    fn backoff_until_ms(self) -> Millis {
        let doublings = self.attempts.saturating_sub(1).min(8);
        let backoff = (BACKOFF_INITIAL_MS << doublings).min(BACKOFF_MAX_MS);
        self.last_attempt_ms.saturating_add(backoff)
    }
}

fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == taint.effect);
        let key_ok = match t.key.as_deref() {
            None | Some("") => t.operator.as_deref() == Some("Exists"),
            Some(k) => k == taint.key,
        };
        let value_ok = match t.operator.as_deref() {
            Some("Exists") => true,
            _ => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        };
        effect_ok && key_ok && value_ok
    })
}

fn requirement_matches(req: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values: &[String] = req.values.as_deref().unwrap_or_default();
    match req.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(x)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|x| x.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if req.operator == "Gt" { v > x } else { v < x }
        }
        _ => false,
    }
}

/// Whether the pod's nodeSelector and required node affinity accept `node`.
pub fn node_matches(pod: &Pod, node: &Node) -> bool {
    let Some(spec) = pod.spec.as_ref() else { return true };
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|na| na.required_during_scheduling_ignored_during_execution.as_ref());
    // Most pods constrain nothing: the scheduler asks this for every node.
    if spec.node_selector.is_none() && required.is_none() {
        return true;
    }
    let no_labels = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&no_labels);
    let name = node.metadata.name.as_deref().unwrap_or("");
    if let Some(sel) = &spec.node_selector
        && !sel.iter().all(|(k, v)| labels.get(k) == Some(v))
    {
        return false;
    }
    if let Some(req) = required {
        // Terms are ORed; requirements within a term are ANDed.
        return req.node_selector_terms.iter().any(|term| {
            term.match_expressions
                .iter()
                .flatten()
                .all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)))
                && term
                    .match_fields
                    .iter()
                    .flatten()
                    .all(|r| r.key == "metadata.name" && requirement_matches(r, Some(name)))
        });
    }
    true
}

/// CPU (millicores) and memory (bytes) a pod requests.
pub fn pod_requests(pod: &Pod) -> (i64, i64) {
    let mut cpu = 0;
    let mut mem = 0;
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        if let Some(r) = c.resources.as_ref().and_then(|r| r.requests.as_ref()) {
            cpu += r.get("cpu").map(|q| cpu_millis(&q.0)).unwrap_or(0);
            mem += r.get("memory").map(|q| memory_bytes(&q.0)).unwrap_or(0);
        }
    }
    (cpu, mem)
}

fn node_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

/// Why a node was filtered out (the upstream reason text), and whether preempting pods could
/// help.
type Rejection<'a> = (Why<'a>, bool);

/// A filter's reason, made into text only when no node fits: the control plane's taint turns
/// away every pod that does not tolerate it, mostly while other nodes take the pod.
enum Why<'a> {
    Text(&'static str),
    Taint(&'a Taint),
}

impl Why<'_> {
    fn text(&self) -> Cow<'static, str> {
        match self {
            Why::Text(text) => Cow::Borrowed(text),
            Why::Taint(taint) => Cow::Owned(format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint.key,
                taint.value.as_deref().unwrap_or("")
            )),
        }
    }
}

fn filter<'a>(
    pod: &Pod,
    node: &'a Node,
    used: &NodeUsage,
    requests: (i64, i64),
) -> Result<(), Rejection<'a>> {
    let tolerations: &[Toleration] =
        pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or_default();
    let taints: &[Taint] = node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        let t = Taint {
            key: "node.kubernetes.io/unschedulable".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        if !tolerates(tolerations, &t) {
            return Err((Why::Text("node(s) were unschedulable"), false));
        }
    }
    for taint in taints.iter().filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute") {
        if !tolerates(tolerations, taint) {
            return Err((Why::Taint(taint), false));
        }
    }
    if !node_matches(pod, node) {
        return Err((Why::Text("node(s) didn't match Pod's node affinity/selector"), false));
    }
    if !node_ready(node) {
        return Err((
            Why::Text("node(s) had untolerated taint {node.kubernetes.io/not-ready: }"),
            false,
        ));
    }
    let alloc = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    // Parsed only for a pod that requests the resource: most pods request nothing.
    let capacity = |name: &str, parse: fn(&str) -> i64| {
        alloc.and_then(|a| a.get(name)).map(|q| parse(&q.0)).unwrap_or(0)
    };
    let (cpu, mem) = requests;
    if used.pods + 1 > MAX_PODS_PER_NODE {
        return Err((Why::Text("Too many pods"), true));
    }
    if cpu > 0 && used.cpu_millis + cpu > capacity("cpu", cpu_millis) {
        return Err((Why::Text("Insufficient cpu"), true));
    }
    if mem > 0 && used.memory_bytes + mem > capacity("memory", memory_bytes) {
        return Err((Why::Text("Insufficient memory"), true));
    }
    Ok(())
}

/// What the active pods bound to a node take from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct NodeTotals {
    pods: usize,
    cpu_millis: i64,
    memory_bytes: i64,
}

/// What is already placed on a node.
#[derive(Clone, Debug, Default)]
struct NodeUsage {
    pods: usize,
    cpu_millis: i64,
    memory_bytes: i64,
    same_owner: usize,
}

/// What one bound, active pod takes from its node.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Placement {
    node: String,
    cpu_millis: i64,
    memory_bytes: i64,
    owner: Option<String>,
}

/// The scheduler's cache of node usage, kept current from watch events so that placing a pod
/// costs O(nodes), not O(pods).
#[derive(Clone, Debug, Default)]
pub struct Cache {
    placements: FastMap<ObjKey, Placement>,
    /// By node name: in the order the store lists nodes, so that the scheduler's loop over
    /// nodes walks these maps alongside instead of looking each node up.
    totals: BTreeMap<String, NodeTotals>,
    /// Pods per controller uid, by node name.
    by_owner: FastMap<String, BTreeMap<String, usize>>,
    /// Pods that failed since the last cluster change, for `retry_pending` (may repeat keys).
    awaiting_change: Vec<ObjKey>,
    /// The last FailedScheduling message and what it was made of: pods waiting for room fail
    /// for the same reasons again and again.
    last_failure: Option<Failure>,
}

/// Why no node took a pod: the node count, a PreFilter rejection, and each filter's rejections
/// with whether preemption could help.
type Rejections = BTreeMap<Cow<'static, str>, (usize, bool)>;

#[derive(Clone, Debug)]
struct Failure {
    total: usize,
    prefilter: Result<(), String>,
    rejections: Rejections,
    message: Rc<str>,
}

impl Cache {
    /// The upstream FailedScheduling message (`FitError.Error()`), made again only when its
    /// parts changed.
    fn failure_message(
        &mut self,
        total: usize,
        prefilter: Result<(), String>,
        rejections: Rejections,
    ) -> Rc<str> {
        if let Some(last) = &self.last_failure
            && last.total == total
            && last.prefilter == prefilter
            && last.rejections == rejections
        {
            return Rc::clone(&last.message);
        }
        let message: Rc<str> = fit_error(total, &prefilter, &rejections).into();
        self.last_failure =
            Some(Failure { total, prefilter, rejections, message: Rc::clone(&message) });
        message
    }

    fn remove(&mut self, key: &ObjKey) {
        if let Some(p) = self.placements.remove(key) {
            if let Some(t) = self.totals.get_mut(&p.node) {
                t.pods -= 1;
                t.cpu_millis -= p.cpu_millis;
                t.memory_bytes -= p.memory_bytes;
            }
            if let Some(o) = p.owner
                && let Some(nodes) = self.by_owner.get_mut(&o)
                && let Some(n) = nodes.get_mut(&p.node)
            {
                *n -= 1;
                if *n == 0 {
                    nodes.remove(&p.node);
                    if nodes.is_empty() {
                        self.by_owner.remove(&o);
                    }
                }
            }
        }
    }

    /// Updates the cache for a pod that was written (`Some`) or removed (`None`).
    pub fn observe(&mut self, key: &ObjKey, pod: Option<&Pod>) {
        let active = pod.and_then(|pod| {
            let node = pod.spec.as_ref()?.node_name.as_deref()?;
            let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
            (phase != "Succeeded" && phase != "Failed").then_some((pod, node))
        });
        let Some((pod, node)) = active else {
            self.remove(key);
            return;
        };
        let (cpu, mem) = pod_requests(pod);
        let owner = controller_uid(pod);
        // Most pod writes are status changes that leave the placement as it was.
        if self.placements.get(key).is_some_and(|p| {
            p.node == node
                && p.cpu_millis == cpu
                && p.memory_bytes == mem
                && p.owner.as_deref() == owner
        }) {
            return;
        }
        self.remove(key);
        let t = self.totals.entry(node.to_owned()).or_default();
        t.pods += 1;
        t.cpu_millis += cpu;
        t.memory_bytes += mem;
        if let Some(o) = owner {
            *self.by_owner.entry(o.to_owned()).or_default().entry(node.to_owned()).or_default() +=
                1;
        }
        self.placements.insert(
            key.clone(),
            Placement {
                node: node.to_owned(),
                cpu_millis: cpu,
                memory_bytes: mem,
                owner: owner.map(str::to_owned),
            },
        );
    }

    /// The usage of each node, for node names asked in ascending order, with the pods of
    /// controller `owner` counted apart.
    fn usage_walk<'a>(&'a self, owner: Option<&str>) -> UsageWalk<'a> {
        let owned = owner.and_then(|o| self.by_owner.get(o));
        UsageWalk {
            totals: self.totals.iter().peekable(),
            owned: owned.into_iter().flatten().peekable(),
        }
    }
}

/// [`Cache::usage_walk`]: each lookup moves on through maps ordered by node name.
struct UsageWalk<'a> {
    totals: Peekable<btree_map::Iter<'a, String, NodeTotals>>,
    owned: Peekable<Flatten<option::IntoIter<&'a BTreeMap<String, usize>>>>,
}

impl UsageWalk<'_> {
    /// What is placed on `node`, which must come after the nodes asked before.
    fn usage(&mut self, node: &str) -> NodeUsage {
        let NodeTotals { pods, cpu_millis, memory_bytes } =
            walk_to(&mut self.totals, node).copied().unwrap_or_default();
        let same_owner = walk_to(&mut self.owned, node).copied().unwrap_or(0);
        NodeUsage { pods, cpu_millis, memory_bytes, same_owner }
    }
}

/// The value at `name`, skipping the entries before it.
#[inline]
fn walk_to<'a, V: 'a>(
    entries: &mut Peekable<impl Iterator<Item = (&'a String, &'a V)>>,
    name: &str,
) -> Option<&'a V> {
    loop {
        let &(key, value) = entries.peek()?;
        match key.as_str().cmp(name) {
            Ordering::Less => {}
            Ordering::Equal => {
                entries.next();
                return Some(value);
            }
            Ordering::Greater => return None,
        }
        entries.next();
    }
}

fn controller_uid(pod: &Pod) -> Option<&str> {
    pod.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

/// Tries to bind one pending pod.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    // Borrowed: most attempts of a pending pod change nothing.
    let Some(pod) = cluster.store.get_typed::<Pod>(&key.namespace, &key.name) else {
        forget_unschedulable(cluster, key);
        return;
    };
    let spec = pod.spec.as_ref();
    if spec.is_some_and(|s| s.node_name.is_some()) || pod.metadata.deletion_timestamp.is_some() {
        forget_unschedulable(cluster, key);
        return;
    }
    let scheduler = spec.and_then(|s| s.scheduler_name.as_deref());
    if scheduler.unwrap_or("default-scheduler") != "default-scheduler" {
        return;
    }
    let owner = controller_uid(pod);
    let volume_check = crate::volumes::binder::prefilter(cluster, pod);
    let requests = pod_requests(pod);
    // Room for every node at once: growing them by doubling reallocates on most attempts.
    let nodes = cluster.store.count(Kind::Node);
    let mut feasible: Vec<(i64, &str)> = Vec::with_capacity(nodes);
    // Kept only while no node fits: once one does, nobody reads them.
    let mut rejected: Vec<Rejection> = Vec::with_capacity(nodes);
    let mut total = 0;
    // Nodes come in name order, as the walk needs.
    let mut usage = cluster.scheduler_cache.usage_walk(owner);
    for node in cluster.store.list_typed::<Node>(None) {
        total += 1;
        if volume_check.is_err() {
            continue;
        }
        let name = node.metadata.name.as_deref().unwrap_or_default();
        let used = usage.usage(name);
        let verdict = filter(pod, node, &used, requests).and_then(|()| {
            if crate::volumes::binder::node_fits(cluster, pod, node) {
                Ok(())
            } else {
                Err((Why::Text("node(s) had volume node affinity conflict"), false))
            }
        });
        match verdict {
            Ok(()) => {
                // Spread pods of one owner first, then prefer the least loaded node.
                let score = -(used.same_owner as i64) * 1_000 - used.pods as i64;
                feasible.push((score, name));
            }
            Err(rejection) => {
                if feasible.is_empty() {
                    rejected.push(rejection);
                }
            }
        }
    }
    if let Some(best) = feasible.iter().map(|(s, _)| *s).max() {
        let mut top = feasible.iter().filter(|(s, _)| *s == best).map(|(_, n)| *n);
        let pick = cluster.rng.below(top.clone().count() as u64) as usize;
        let node = top.nth(pick).unwrap_or_default().to_string();
        bind(cluster, key, &node);
        forget_unschedulable(cluster, key);
        return;
    }
    let mut reasons = Rejections::new();
    for (why, resource) in rejected {
        reasons.entry(why.text()).or_insert((0, resource)).0 += 1;
    }
    let message = cluster.scheduler_cache.failure_message(total, volume_check, reasons);
    let already = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"))
        .is_some_and(|c| c.message.as_deref() == Some(&*message));
    let now_ms = cluster.clock.now_ms();
    let entry = cluster.kubelet.unschedulable.entry(key.clone()).or_default();
    // The flush's retry records the failure again; a retry a cluster change caused does only
    // if the reason changed (upstream's queueing hints would not have retried it).
    let flushed = entry.attempts > 0 && now_ms >= flush_due_ms(entry.last_attempt_ms);
    let newly_awaiting = entry.attempts == 0 || entry.retry_scheduled;
    entry.attempts += 1;
    entry.last_attempt_ms = now_ms;
    entry.retry_scheduled = false;
    if newly_awaiting {
        let awaiting = &mut cluster.scheduler_cache.awaiting_change;
        awaiting.push(key.clone());
        // Keys of pods deleted while waiting stay until the next change: bound them.
        if awaiting.len() > 2 * cluster.kubelet.unschedulable.len() + 64 {
            let pending = &cluster.kubelet.unschedulable;
            awaiting.retain(|k| pending.get(k).is_some_and(|p| !p.retry_scheduled));
            crate::sorting::sort(awaiting);
            awaiting.dedup();
        }
    }
    cluster.requeue_at(Component::Scheduler, key, flush_due_ms(now_ms));
    if already && !flushed {
        return;
    }
    let obj = if already {
        let Some(obj) = cluster.store.get_shared(key) else { return };
        obj
    } else {
        let condition = PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some(String::from(&*message)),
            last_transition_time: Some(time::time(cluster.now())),
            last_probe_time: None,
            observed_generation: None,
        };
        let Some(obj) = cluster.modify(key, |o| set_scheduled_condition(o, condition)) else {
            return;
        };
        obj
    };
    cluster.record_event(
        &obj,
        None,
        "Warning",
        "FailedScheduling",
        String::from(&*message),
        "default-scheduler",
        None,
    );
}

/// The pod needs no more tries: it is bound, being deleted or gone.
fn forget_unschedulable(cluster: &mut Cluster, key: &ObjKey) {
    if cluster.kubelet.unschedulable.remove(key).is_some() {
        cluster.cancel_requeue(Component::Scheduler, key);
    }
}

/// The FailedScheduling message for these rejections.
fn fit_error(total: usize, volume_check: &Result<(), String>, reasons: &Rejections) -> String {
    let mut parts: Vec<String> = reasons.iter().map(|(r, (n, _))| format!("{n} {r}")).collect();
    crate::sorting::sort(&mut parts);
    let not_helpful: usize = reasons.values().filter(|(_, res)| !res).map(|(n, _)| n).sum();
    let no_victims: usize = reasons.values().filter(|(_, res)| *res).map(|(n, _)| n).sum();
    let mut preemption = Vec::new();
    if not_helpful > 0 {
        preemption.push(format!("{not_helpful} Preemption is not helpful for scheduling"));
    }
    if no_victims > 0 {
        preemption.push(format!("{no_victims} No preemption victims found for incoming pod"));
    }
    crate::sorting::sort(&mut preemption);
    if total == 0 {
        "no nodes available to schedule pods".to_string()
    } else if let Err(why) = volume_check {
        // A PreFilter failure rejects every node at once.
        format!(
            "0/{total} nodes are available: {why}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
        )
    } else {
        format!(
            "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
            parts.join(", "),
            preemption.join(", ")
        )
    }
}

/// Replaces the pod's PodScheduled condition (a status write in place: no copy of the pod).
fn set_scheduled_condition(object: &mut Object, condition: PodCondition) {
    let Object::Pod(pod) = object else { return };
    let status = pod.status.get_or_insert_with(Default::default);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != "PodScheduled");
    conditions.push(condition);
}

fn bind(cluster: &mut Cluster, key: &ObjKey, node: &str) {
    // WaitForFirstConsumer claims are provisioned on the chosen node before the pod binds.
    if let Some(shared) = cluster.store.get_shared(key)
        && let Some(pod) = shared.as_kind::<Pod>()
    {
        crate::volumes::binder::on_pod_bound(cluster, pod, node);
    }
    let condition = PodCondition {
        type_: "PodScheduled".into(),
        status: "True".into(),
        last_transition_time: Some(time::time(cluster.now())),
        ..Default::default()
    };
    let Some(obj) = cluster.modify(key, |o| {
        if let Object::Pod(pod) = o
            && let Some(spec) = pod.spec.as_mut()
        {
            spec.node_name = Some(node.to_string());
        }
        set_scheduled_condition(o, condition);
    }) else {
        return;
    };
    cluster.record_event(
        &obj,
        None,
        "Normal",
        "Scheduled",
        ["Successfully assigned ", &key.namespace, "/", &key.name, " to ", node].concat(),
        "default-scheduler",
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::PodSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    fn pod_on(node: &str, owner: &str) -> Pod {
        Pod {
            metadata: ObjectMeta {
                owner_references: Some(vec![OwnerReference {
                    controller: Some(true),
                    uid: owner.into(),
                    ..Default::default()
                }]),
                ..Default::default()
            },
            spec: Some(PodSpec { node_name: Some(node.into()), ..Default::default() }),
            status: None,
        }
    }

    fn key(name: &str) -> ObjKey {
        ObjKey::new(crate::api::Kind::Pod, "default", name)
    }

    #[test]
    fn usage_walk_counts_each_nodes_pods_and_the_owners_share() {
        let mut cache = Cache::default();
        cache.observe(&key("a"), Some(&pod_on("worker-2", "rs-1")));
        cache.observe(&key("b"), Some(&pod_on("worker-2", "rs-2")));
        cache.observe(&key("c"), Some(&pod_on("worker-10", "rs-1")));
        cache.observe(&key("d"), Some(&pod_on("worker-3", "rs-2")));
        // Moved, then gone: neither counts where it was.
        cache.observe(&key("d"), Some(&pod_on("worker-4", "rs-2")));
        cache.observe(&key("b"), None);

        let mut walk = cache.usage_walk(Some("rs-1"));
        let seen: Vec<(usize, usize)> =
            ["control-plane", "worker-10", "worker-2", "worker-3", "worker-4"]
                .iter()
                .map(|node| {
                    let used = walk.usage(node);
                    (used.pods, used.same_owner)
                })
                .collect();
        assert_eq!(seen, [(0, 0), (1, 1), (1, 1), (0, 0), (1, 0)]);

        // A node skipped by the walk does not stop it from finding the next.
        let mut walk = cache.usage_walk(Some("rs-2"));
        assert_eq!(walk.usage("worker-4").pods, 1);
        assert_eq!(cache.usage_walk(Some("rs-2")).usage("worker-4").same_owner, 1);
        assert_eq!(cache.usage_walk(None).usage("worker-2").same_owner, 0);
        assert!(!cache.by_owner.get("rs-2").is_some_and(|nodes| nodes.contains_key("worker-2")));
    }
}
