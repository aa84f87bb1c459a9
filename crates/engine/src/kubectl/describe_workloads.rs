//! `kubectl describe` for workloads and networking objects: Deployment, ReplicaSet,
//! ReplicationController, DaemonSet, Job, CronJob, Service, Endpoints, Ingress and Namespace,
//! following `pkg/describe/describe.go` (release-1.34) line by line, including
//! `DescribePodTemplate`, which `rollout history --revision` prints too.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Container, Endpoints, Namespace, Pod, PodTemplateSpec, ReplicationController, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Ctx;
use super::describe::{W, annotation_lines, events_for, map_lines, probe_line, write_events};
use super::format::human_duration;
use crate::api::Object;
use crate::apimachinery::labels::format_label_selector;
use crate::controllers::deployment::POD_TEMPLATE_HASH;
use crate::controllers::workload::controller_ref;
use crate::time::{ms_of, rfc1123z};

/// The describe text of one of the kinds this module knows.
pub fn describe(ctx: &Ctx, object: &Object, now: i64) -> String {
    let mut w = W::default();
    match object {
        Object::Deployment(d) => deployment(ctx, &mut w, object, d),
        Object::ReplicaSet(r) => replicaset(ctx, &mut w, object, r),
        Object::ReplicationController(r) => rc(ctx, &mut w, object, r),
        Object::DaemonSet(d) => daemonset(ctx, &mut w, object, d),
        Object::Job(j) => job(&mut w, j),
        Object::CronJob(c) => cronjob(&mut w, c),
        Object::Service(s) => service(ctx, &mut w, s),
        Object::Endpoints(e) => endpoints(&mut w, e),
        Object::Ingress(i) => ingress(ctx, &mut w, i),
        Object::Namespace(n) => return namespace(n),
        _ => {}
    }
    let mut text = w.finish();
    // Events are flushed separately upstream (`w.Flush()`), so they align on their own.
    let mut ev = W::default();
    write_events(&mut ev, &events_for(ctx, object), now);
    text.push_str(&ev.finish());
    text
}

fn meta_head(w: &mut W, meta: &ObjectMeta) {
    w.kv(0, "Name", meta.name.as_deref().unwrap_or(""));
    w.kv(0, "Namespace", meta.namespace.as_deref().unwrap_or(""));
}

// labels.FormatLabels: `k=v,k2=v2` sorted, `<none>` when empty.
fn format_labels(map: Option<&BTreeMap<String, String>>) -> String {
    match map.filter(|m| !m.is_empty()) {
        None => "<none>".into(),
        Some(m) => m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
    }
}

fn selector_string(s: Option<&LabelSelector>) -> String {
    format_label_selector(s)
}

fn controlled_by(w: &mut W, meta: &ObjectMeta) {
    if let Some(r) = controller_ref(meta) {
        w.kv(0, "Controlled By", &format!("{}/{}", r.kind, r.name));
    }
}

/// (running, waiting, succeeded, failed) among the pods this controller owns.
fn pod_counts(ctx: &Ctx, object: &Object) -> (usize, usize, usize, usize) {
    let uid = object.meta().uid.clone();
    let mut counts = (0, 0, 0, 0);
    for p in ctx.cluster.store.list_typed::<Pod>(Some(object.namespace())) {
        if controller_ref(&p.metadata).is_none_or(|r| Some(&r.uid) != uid.as_ref()) {
            continue;
        }
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => counts.0 += 1,
            Some("Pending") => counts.1 += 1,
            Some("Succeeded") => counts.2 += 1,
            Some("Failed") => counts.3 += 1,
            _ => {}
        }
    }
    counts
}

fn pods_status_line(w: &mut W, (r, wt, s, f): (usize, usize, usize, usize)) {
    w.kv(0, "Pods Status", &format!("{r} Running / {wt} Waiting / {s} Succeeded / {f} Failed"));
}

fn conditions_table<'a>(w: &mut W, conds: impl Iterator<Item = (&'a str, &'a str, &'a str)>) {
    let conds: Vec<_> = conds.collect();
    if conds.is_empty() {
        return;
    }
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tReason");
    w.line(1, "----\t------\t------");
    for (t, s, r) in conds {
        w.line(1, &format!("{t} \t{s}\t{r}"));
    }
}

// ---- DescribePodTemplate ---------------------------------------------------------------------

/// `DescribePodTemplate` written with a bare prefix writer (no column alignment), as
/// `kubectl rollout history --revision=N` prints it.
pub fn pod_template_text(t: &PodTemplateSpec) -> String {
    let mut w = W::default();
    pod_template(&mut w, t);
    w.text
}

fn pod_template(w: &mut W, t: &PodTemplateSpec) {
    w.line(0, "Pod Template:");
    let meta = t.metadata.clone().unwrap_or_default();
    map_lines(w, 0, "  Labels", meta.labels.as_ref(), "=");
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        map_lines(w, 0, "  Annotations", meta.annotations.as_ref(), ": ");
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.kv(1, "Service Account", sa);
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        w.line(0, "  Init Containers:");
        for c in init {
            template_container(w, c);
        }
    }
    if spec.containers.is_empty() {
        w.line(0, "  Containers: <none>");
    } else {
        w.line(0, "  Containers:");
        for c in &spec.containers {
            template_container(w, c);
        }
    }
    let volumes = spec.volumes.clone().unwrap_or_default();
    if volumes.is_empty() {
        w.kv(0, "  Volumes", "<none>");
    } else {
        w.line(0, "  Volumes:");
        for v in volumes {
            w.line(1, &format!(" {}:", v.name));
            if let Some(e) = &v.empty_dir {
                w.kv(2, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)");
                w.kv(2, "Medium", e.medium.as_deref().unwrap_or(""));
                w.kv(
                    2,
                    "SizeLimit",
                    &e.size_limit.as_ref().map(|q| q.0.clone()).unwrap_or_else(|| "<unset>".into()),
                );
            } else if let Some(h) = &v.host_path {
                w.kv(2, "Type", "HostPath (bare host directory volume)");
                w.kv(2, "Path", &h.path);
                w.kv(2, "HostPathType", h.type_.as_deref().unwrap_or(""));
            } else if let Some(c) = &v.config_map {
                w.kv(2, "Type", "ConfigMap (a volume populated by a ConfigMap)");
                w.kv(2, "Name", &c.name);
                w.kv(2, "Optional", &c.optional.unwrap_or(false).to_string());
            } else if let Some(s) = &v.secret {
                w.kv(2, "Type", "Secret (a volume populated by a Secret)");
                w.kv(2, "SecretName", s.secret_name.as_deref().unwrap_or(""));
                w.kv(2, "Optional", &s.optional.unwrap_or(false).to_string());
            } else if let Some(c) = &v.persistent_volume_claim {
                w.kv(2, "Type", "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)");
                w.kv(2, "ClaimName", &c.claim_name);
                w.kv(2, "ReadOnly", &c.read_only.unwrap_or(false).to_string());
            }
        }
    }
    if let Some(pc) = spec.priority_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.kv(1, "Priority Class Name", pc);
    }
    map_lines(w, 0, "  Node-Selectors", spec.node_selector.as_ref(), "=");
    let tolerations: Vec<String> =
        spec.tolerations.iter().flatten().map(super::describe::toleration_string).collect();
    match tolerations.split_first() {
        None => w.kv(0, "  Tolerations", "<none>"),
        Some((first, rest)) => {
            w.kv(0, "  Tolerations", first);
            for t in rest {
                w.line(0, &format!("\t{t}"));
            }
        }
    }
}

fn port_list(c: &Container, host: bool) -> String {
    c.ports
        .iter()
        .flatten()
        .map(|p| {
            let n = if host { p.host_port.unwrap_or(0) } else { p.container_port };
            let base = format!("{n}/{}", p.protocol.as_deref().unwrap_or("TCP"));
            match &p.name {
                Some(name) => format!("{base} ({name})"),
                None => base,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// describeContainers with no statuses: the template's view of a container.
fn template_container(w: &mut W, c: &Container) {
    w.line(1, &format!(" {}:", c.name));
    w.kv(2, "Image", c.image.as_deref().unwrap_or(""));
    for (host, one, many) in [(false, "Port", "Ports"), (true, "Host Port", "Host Ports")] {
        let s = port_list(c, host);
        if s.contains(',') {
            w.kv(2, many, &s);
        } else {
            w.kv(2, one, if s.is_empty() { "<none>" } else { &s });
        }
    }
    for (label, list) in [("Command", &c.command), ("Args", &c.args)] {
        if let Some(items) = list.as_ref().filter(|l| !l.is_empty()) {
            w.line(2, &format!("{label}:"));
            for i in items {
                for s in i.split('\n') {
                    w.line(3, s);
                }
            }
        }
    }
    if let Some(r) = &c.resources {
        for (label, map) in [("Limits", &r.limits), ("Requests", &r.requests)] {
            if let Some(m) = map.as_ref().filter(|m| !m.is_empty()) {
                w.line(2, &format!("{label}:"));
                for (k, v) in m {
                    w.kv(3, k, &v.0);
                }
            }
        }
    }
    for (label, probe) in [
        ("Liveness", &c.liveness_probe),
        ("Readiness", &c.readiness_probe),
        ("Startup", &c.startup_probe),
    ] {
        if let Some(p) = probe {
            w.kv(2, label, &probe_line(p));
        }
    }
    let env = c.env.clone().unwrap_or_default();
    if env.is_empty() {
        w.kv(2, "Environment", "<none>");
    } else {
        w.line(2, "Environment:");
        for e in env {
            let value = match (&e.value, &e.value_from) {
                (Some(v), _) => v.clone(),
                (None, Some(from)) => {
                    if let Some(f) = &from.field_ref {
                        format!(
                            " ({}:{})",
                            f.api_version.clone().unwrap_or_else(|| "v1".into()),
                            f.field_path
                        )
                    } else if let Some(k) = &from.config_map_key_ref {
                        format!(
                            "<set to the key '{}' of config map '{}'>\tOptional: {}",
                            k.key,
                            k.name,
                            k.optional.unwrap_or(false)
                        )
                    } else if let Some(k) = &from.secret_key_ref {
                        format!(
                            "<set to the key '{}' in secret '{}'>\tOptional: {}",
                            k.key,
                            k.name,
                            k.optional.unwrap_or(false)
                        )
                    } else {
                        String::new()
                    }
                }
                _ => String::new(),
            };
            w.kv(3, &e.name, &value);
        }
    }
    let mounts = c.volume_mounts.clone().unwrap_or_default();
    if mounts.is_empty() {
        w.kv(2, "Mounts", "<none>");
    } else {
        w.line(2, "Mounts:");
        for m in mounts {
            let mode = if m.read_only == Some(true) { "ro" } else { "rw" };
            let sub = m.sub_path.as_ref().map(|s| format!(",path=\"{s}\"")).unwrap_or_default();
            w.line(3, &format!("{} from {} ({mode}{sub})", m.mount_path, m.name));
        }
    }
}

// ---- workloads -------------------------------------------------------------------------------

fn owned_rs(ctx: &Ctx, object: &Object) -> Vec<ReplicaSet> {
    let uid = object.meta().uid.clone();
    ctx.cluster
        .store
        .list_typed::<ReplicaSet>(Some(object.namespace()))
        .filter(|rs| controller_ref(&rs.metadata).is_some_and(|r| Some(&r.uid) == uid.as_ref()))
        .cloned()
        .collect()
}

fn template_without_hash(t: Option<&PodTemplateSpec>) -> PodTemplateSpec {
    let mut t = t.cloned().unwrap_or_default();
    if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove(POD_TEMPLATE_HASH);
    }
    t
}

fn rs_summary(list: &[&ReplicaSet]) -> String {
    if list.is_empty() {
        return "<none>".into();
    }
    list.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.status.as_ref().map_or(0, |s| s.replicas),
                rs.spec.replicas.unwrap_or(1)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn int_or_string(v: Option<&IntOrString>, default: &str) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => default.into(),
    }
}

fn deployment(ctx: &Ctx, w: &mut W, object: &Object, d: &Deployment) {
    meta_head(w, &d.metadata);
    w.kv(
        0,
        "CreationTimestamp",
        &d.metadata.creation_timestamp.as_ref().map(rfc1123z).unwrap_or_default(),
    );
    map_lines(w, 0, "Labels", d.metadata.labels.as_ref(), "=");
    annotation_lines(w, d.metadata.annotations.as_ref());
    let spec = d.spec.clone();
    let st = d.status.clone().unwrap_or_default();
    w.kv(0, "Selector", &selector_string(Some(&spec.selector)));
    w.kv(
        0,
        "Replicas",
        &format!(
            "{} desired | {} updated | {} total | {} available | {} unavailable",
            spec.replicas.unwrap_or(1),
            st.updated_replicas.unwrap_or(0),
            st.replicas.unwrap_or(0),
            st.available_replicas.unwrap_or(0),
            st.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.kv(0, "StrategyType", strategy.type_.as_deref().unwrap_or("RollingUpdate"));
    w.kv(0, "MinReadySeconds", &spec.min_ready_seconds.unwrap_or(0).to_string());
    if let Some(ru) = &strategy.rolling_update {
        w.kv(
            0,
            "RollingUpdateStrategy",
            &format!(
                "{} max unavailable, {} max surge",
                int_or_string(ru.max_unavailable.as_ref(), "25%"),
                int_or_string(ru.max_surge.as_ref(), "25%")
            ),
        );
    }
    pod_template(w, &spec.template);
    conditions_table(
        w,
        st.conditions.iter().flatten().map(|c| {
            (
                c.type_.as_deref().unwrap_or(""),
                c.status.as_deref().unwrap_or(""),
                c.reason.as_deref().unwrap_or(""),
            )
        }),
    );
    let mut all = owned_rs(ctx, object);
    crate::sorting::sort_by(&mut all, |a, b| a.metadata.name.cmp(&b.metadata.name));
    let want = template_without_hash(Some(&spec.template));
    let mut by_age: Vec<&ReplicaSet> = all.iter().collect();
    crate::sorting::sort_by_key(&mut by_age, |rs| {
        rs.metadata.creation_timestamp.as_ref().map(ms_of).unwrap_or(0)
    });
    let new =
        by_age.into_iter().find(|rs| template_without_hash(rs.spec.template.as_ref()) == want);
    let new_name = new.and_then(|r| r.metadata.name.clone());
    let old: Vec<&ReplicaSet> = all.iter().filter(|r| r.metadata.name != new_name).collect();
    if !all.is_empty() {
        w.kv(0, "OldReplicaSets", &rs_summary(&old));
        w.kv(0, "NewReplicaSet", &rs_summary(&new.into_iter().collect::<Vec<_>>()));
    }
}

fn replicaset(ctx: &Ctx, w: &mut W, object: &Object, rs: &ReplicaSet) {
    meta_head(w, &rs.metadata);
    let spec = rs.spec.clone();
    w.kv(0, "Selector", &selector_string(Some(&spec.selector)));
    map_lines(w, 0, "Labels", rs.metadata.labels.as_ref(), "=");
    annotation_lines(w, rs.metadata.annotations.as_ref());
    controlled_by(w, &rs.metadata);
    w.kv(
        0,
        "Replicas",
        &format!(
            "{} current / {} desired",
            rs.status.as_ref().map_or(0, |s| s.replicas),
            spec.replicas.unwrap_or(1)
        ),
    );
    pods_status_line(w, pod_counts(ctx, object));
    pod_template(w, &spec.template.unwrap_or_default());
    conditions_table(
        w,
        rs.status.iter().flat_map(|s| s.conditions.iter().flatten()).map(|c| {
            (
                c.type_.as_deref().unwrap_or(""),
                c.status.as_deref().unwrap_or(""),
                c.reason.as_deref().unwrap_or(""),
            )
        }),
    );
}

fn rc(ctx: &Ctx, w: &mut W, object: &Object, rc: &ReplicationController) {
    meta_head(w, &rc.metadata);
    let spec = rc.spec.clone().unwrap_or_default();
    w.kv(0, "Selector", &format_labels(spec.selector.as_ref()));
    map_lines(w, 0, "Labels", rc.metadata.labels.as_ref(), "=");
    annotation_lines(w, rc.metadata.annotations.as_ref());
    w.kv(
        0,
        "Replicas",
        &format!(
            "{} current / {} desired",
            rc.status.as_ref().map_or(0, |s| s.replicas),
            spec.replicas.unwrap_or(1)
        ),
    );
    pods_status_line(w, pod_counts(ctx, object));
    pod_template(w, &spec.template.unwrap_or_default());
    conditions_table(
        w,
        rc.status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .map(|c| (c.type_.as_str(), c.status.as_str(), c.reason.as_deref().unwrap_or(""))),
    );
}

fn daemonset(ctx: &Ctx, w: &mut W, object: &Object, ds: &DaemonSet) {
    meta_head(w, &ds.metadata);
    let spec = ds.spec.clone();
    let st = ds.status.clone().unwrap_or_default();
    w.kv(0, "Selector", &selector_string(Some(&spec.selector)));
    w.kv(
        0,
        "Node-Selector",
        &format_labels(spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref())),
    );
    map_lines(w, 0, "Labels", ds.metadata.labels.as_ref(), "=");
    annotation_lines(w, ds.metadata.annotations.as_ref());
    w.line(0, &format!("Desired Number of Nodes Scheduled: {}", st.desired_number_scheduled));
    w.line(0, &format!("Current Number of Nodes Scheduled: {}", st.current_number_scheduled));
    w.line(
        0,
        &format!(
            "Number of Nodes Scheduled with Up-to-date Pods: {}",
            st.updated_number_scheduled.unwrap_or(0)
        ),
    );
    w.line(
        0,
        &format!(
            "Number of Nodes Scheduled with Available Pods: {}",
            st.number_available.unwrap_or(0)
        ),
    );
    w.line(0, &format!("Number of Nodes Misscheduled: {}", st.number_misscheduled));
    pods_status_line(w, pod_counts(ctx, object));
    pod_template(w, &spec.template);
}

fn job(w: &mut W, j: &Job) {
    meta_head(w, &j.metadata);
    let spec = j.spec.clone().unwrap_or_default();
    let st = j.status.clone().unwrap_or_default();
    w.kv(0, "Selector", &selector_string(spec.selector.as_ref()));
    map_lines(w, 0, "Labels", j.metadata.labels.as_ref(), "=");
    annotation_lines(w, j.metadata.annotations.as_ref());
    controlled_by(w, &j.metadata);
    if let Some(p) = spec.parallelism {
        w.kv(0, "Parallelism", &p.to_string());
    }
    w.kv(0, "Completions", &spec.completions.map_or("<unset>".into(), |c| c.to_string()));
    if let Some(m) = &spec.completion_mode {
        w.kv(0, "Completion Mode", m);
    }
    if let Some(s) = spec.suspend {
        w.kv(0, "Suspend", &s.to_string());
    }
    if let Some(b) = spec.backoff_limit {
        w.kv(0, "Backoff Limit", &b.to_string());
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        w.kv(0, "TTL Seconds After Finished", &t.to_string());
    }
    if let Some(t) = &st.start_time {
        w.kv(0, "Start Time", &rfc1123z(t));
    }
    if let Some(t) = &st.completion_time {
        w.kv(0, "Completed At", &rfc1123z(t));
    }
    if let (Some(a), Some(b)) = (&st.start_time, &st.completion_time) {
        w.kv(0, "Duration", &human_duration(ms_of(b) - ms_of(a)));
    }
    if let Some(a) = spec.active_deadline_seconds {
        w.kv(0, "Active Deadline Seconds", &format!("{a}s"));
    }
    let (active, succeeded, failed) =
        (st.active.unwrap_or(0), st.succeeded.unwrap_or(0), st.failed.unwrap_or(0));
    match st.ready {
        None => w.kv(
            0,
            "Pods Statuses",
            &format!("{active} Active / {succeeded} Succeeded / {failed} Failed"),
        ),
        Some(r) => w.kv(
            0,
            "Pods Statuses",
            &format!("{active} Active ({r} Ready) / {succeeded} Succeeded / {failed} Failed"),
        ),
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        let idx = st.completed_indexes.clone().filter(|s| !s.is_empty());
        w.kv(0, "Completed Indexes", idx.as_deref().unwrap_or("<none>"));
    }
    pod_template(w, &spec.template);
}

fn cronjob(w: &mut W, c: &CronJob) {
    meta_head(w, &c.metadata);
    map_lines(w, 0, "Labels", c.metadata.labels.as_ref(), "=");
    annotation_lines(w, c.metadata.annotations.as_ref());
    let spec = c.spec.clone();
    w.kv(0, "Schedule", &spec.schedule);
    w.kv(0, "Concurrency Policy", spec.concurrency_policy.as_deref().unwrap_or(""));
    w.kv(0, "Suspend", &spec.suspend.map_or("<unset>".into(), |s| s.to_string()));
    let opt = |v: Option<i32>| v.map_or("<unset>".to_string(), |n| n.to_string());
    w.kv(0, "Successful Job History Limit", &opt(spec.successful_jobs_history_limit));
    w.kv(0, "Failed Job History Limit", &opt(spec.failed_jobs_history_limit));
    w.kv(
        0,
        "Starting Deadline Seconds",
        &spec.starting_deadline_seconds.map_or("<unset>".into(), |s| format!("{s}s")),
    );
    let js = spec.job_template.spec.clone().unwrap_or_default();
    w.kv(
        0,
        "Selector",
        &js.selector.as_ref().map_or("<unset>".into(), |s| selector_string(Some(s))),
    );
    w.kv(0, "Parallelism", &opt(js.parallelism));
    w.kv(0, "Completions", &opt(js.completions));
    if let Some(a) = js.active_deadline_seconds {
        w.kv(0, "Active Deadline Seconds", &format!("{a}s"));
    }
    pod_template(w, &js.template);
    let st = c.status.clone().unwrap_or_default();
    w.kv(
        0,
        "Last Schedule Time",
        &st.last_schedule_time.as_ref().map_or("<unset>".into(), rfc1123z),
    );
    let active: Vec<String> = st.active.iter().flatten().filter_map(|r| r.name.clone()).collect();
    w.kv(0, "Active Jobs", &if active.is_empty() { "<none>".into() } else { active.join(", ") });
}

// ---- networking ------------------------------------------------------------------------------

fn slices_for(ctx: &Ctx, namespace: &str, service: &str) -> Vec<EndpointSlice> {
    ctx.cluster
        .store
        .list_typed::<EndpointSlice>(Some(namespace))
        .filter(|s| {
            s.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name"))
                == Some(&service.to_string())
        })
        .cloned()
        .collect()
}

// formatEndpointSlices: ready addresses as host:port, three at most, then "+ N more...".
fn format_slices(slices: &[EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for s in slices {
        let ports = s.ports.clone().unwrap_or_default();
        let ready = |e: &k8s_openapi::api::discovery::v1::Endpoint| {
            e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true)
        };
        if ports.is_empty() {
            for e in s.endpoints.iter().flatten() {
                if list.len() == 3 {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more && let Some(a) = e.addresses.first() {
                    list.push(a.clone());
                }
                count += 1;
            }
        } else {
            for p in &ports {
                if p.name.as_deref().unwrap_or("") != port_name {
                    continue;
                }
                for e in s.endpoints.iter().flatten() {
                    if list.len() == 3 {
                        more = true;
                    }
                    if !ready(e) {
                        continue;
                    }
                    if !more && let Some(a) = e.addresses.first() {
                        list.push(format!("{a}:{}", p.port.unwrap_or(0)));
                    }
                    count += 1;
                }
            }
        }
    }
    let joined = list.join(",");
    if more { format!("{joined} + {} more...", count - 3) } else { joined }
}

fn service(ctx: &Ctx, w: &mut W, s: &Service) {
    meta_head(w, &s.metadata);
    map_lines(w, 0, "Labels", s.metadata.labels.as_ref(), "=");
    annotation_lines(w, s.metadata.annotations.as_ref());
    let spec = s.spec.clone().unwrap_or_default();
    w.kv(0, "Selector", &format_labels(spec.selector.as_ref()));
    w.kv(0, "Type", spec.type_.as_deref().unwrap_or(""));
    if let Some(p) = &spec.ip_family_policy {
        w.kv(0, "IP Family Policy", p);
    }
    match spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => w.kv(0, "IP Families", &f.join(",")),
        None => w.kv(0, "IP Families", "<none>"),
    }
    w.kv(0, "IP", spec.cluster_ip.as_deref().unwrap_or(""));
    match spec.cluster_ips.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => w.kv(0, "IPs", &f.join(",")),
        None => w.kv(0, "IPs", "<none>"),
    }
    if let Some(ips) = spec.external_ips.as_ref().filter(|f| !f.is_empty()) {
        w.kv(0, "External IPs", &ips.join(","));
    }
    if let Some(ip) = spec.load_balancer_ip.as_ref().filter(|s| !s.is_empty()) {
        w.kv(0, "Desired LoadBalancer IP", ip);
    }
    if let Some(n) = spec.external_name.as_ref().filter(|s| !s.is_empty()) {
        w.kv(0, "External Name", n);
    }
    let lb: Vec<String> = s
        .status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.clone())
        .unwrap_or_default()
        .iter()
        .map(|i| match i.ip.as_ref().filter(|ip| !ip.is_empty()) {
            // buildIngressString: `IP (ipMode)`, or the hostname.
            Some(ip) => match &i.ip_mode {
                Some(mode) => format!("{ip} ({mode})"),
                None => ip.clone(),
            },
            None => i.hostname.clone().unwrap_or_default(),
        })
        .collect();
    if !lb.is_empty() {
        w.kv(0, "LoadBalancer Ingress", &lb.join(", "));
    }
    let slices = slices_for(
        ctx,
        s.metadata.namespace.as_deref().unwrap_or(""),
        s.metadata.name.as_deref().unwrap_or(""),
    );
    for sp in spec.ports.iter().flatten() {
        let name = sp.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "<unset>".into());
        let proto = sp.protocol.as_deref().unwrap_or("TCP");
        w.kv(0, "Port", &format!("{name}\t{}/{proto}", sp.port));
        w.kv(
            0,
            "TargetPort",
            &format!("{}/{proto}", int_or_string(sp.target_port.as_ref(), &sp.port.to_string())),
        );
        if let Some(np) = sp.node_port.filter(|n| *n != 0) {
            w.kv(0, "NodePort", &format!("{name}\t{np}/{proto}"));
        }
        w.kv(0, "Endpoints", &format_slices(&slices, sp.name.as_deref().unwrap_or("")));
    }
    w.kv(0, "Session Affinity", spec.session_affinity.as_deref().unwrap_or(""));
    if let Some(p) = spec.external_traffic_policy.as_ref().filter(|s| !s.is_empty()) {
        w.kv(0, "External Traffic Policy", p);
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.kv(0, "Internal Traffic Policy", p);
    }
    if let Some(n) = spec.health_check_node_port.filter(|n| *n != 0) {
        w.kv(0, "HealthCheck NodePort", &n.to_string());
    }
    if let Some(d) = &spec.traffic_distribution {
        w.kv(0, "Traffic Distribution", d);
    }
}

fn endpoints(w: &mut W, e: &Endpoints) {
    meta_head(w, &e.metadata);
    map_lines(w, 0, "Labels", e.metadata.labels.as_ref(), "=");
    annotation_lines(w, e.metadata.annotations.as_ref());
    w.line(0, "Subsets:");
    for s in e.subsets.iter().flatten() {
        let ips = |a: Option<&Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            let v: Vec<String> = a.into_iter().flatten().map(|a| a.ip.clone()).collect();
            if v.is_empty() { "<none>".to_string() } else { v.join(",") }
        };
        w.kv(1, "Addresses", &ips(s.addresses.as_ref()));
        w.kv(1, "NotReadyAddresses", &ips(s.not_ready_addresses.as_ref()));
        if let Some(ports) = s.ports.as_ref().filter(|p| !p.is_empty()) {
            w.line(1, "Ports:");
            w.line(2, "Name\tPort\tProtocol");
            w.line(2, "----\t----\t--------");
            for p in ports {
                let name =
                    p.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "<unset>".into());
                w.line(
                    2,
                    &format!("{name}\t{}\t{}", p.port, p.protocol.as_deref().unwrap_or("TCP")),
                );
            }
        }
        w.line(0, "");
    }
}

fn backend_text(ctx: &Ctx, ns: &str, b: &IngressBackend) -> String {
    let Some(svc) = &b.service else {
        if let Some(r) = &b.resource {
            return format!(
                "APIGroup: {}, Kind: {}, Name: {}",
                r.api_group.as_deref().unwrap_or("<none>"),
                r.kind,
                r.name
            );
        }
        return String::new();
    };
    let port = svc.port.as_ref();
    let sb = match port {
        Some(p) if p.name.as_ref().is_some_and(|n| !n.is_empty()) => {
            format!("{}:{}", svc.name, p.name.as_deref().unwrap_or(""))
        }
        Some(p) => format!("{}:{}", svc.name, p.number.unwrap_or(0)),
        None => svc.name.clone(),
    };
    let Some(service) = ctx.cluster.store.get_typed::<Service>(ns, &svc.name) else {
        return format!("{sb} (<error: services \"{}\" not found>)", svc.name);
    };
    let mut sp_name = String::new();
    for sp in service.spec.iter().flat_map(|s| s.ports.iter().flatten()) {
        let number = port.and_then(|p| p.number).unwrap_or(0);
        let pname = port.and_then(|p| p.name.clone()).unwrap_or_default();
        if (number != 0 && number == sp.port)
            || (!pname.is_empty() && Some(&pname) == sp.name.as_ref())
        {
            sp_name = sp.name.clone().unwrap_or_default();
        }
    }
    format!("{sb} ({})", format_slices(&slices_for(ctx, ns, &svc.name), &sp_name))
}

fn ingress(ctx: &Ctx, w: &mut W, i: &Ingress) {
    w.kv(0, "Name", i.metadata.name.as_deref().unwrap_or(""));
    map_lines(w, 0, "Labels", i.metadata.labels.as_ref(), "=");
    let ns = i.metadata.namespace.clone().unwrap_or_default();
    w.kv(0, "Namespace", &ns);
    let addrs: Vec<String> = i
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.clone())
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.ip.clone().or_else(|| x.hostname.clone()))
        .collect();
    w.kv(0, "Address", &addrs.join(","));
    let spec = i.spec.clone().unwrap_or_default();
    w.kv(0, "Ingress Class", spec.ingress_class_name.as_deref().unwrap_or("<none>"));
    let default = match &spec.default_backend {
        Some(b) => backend_text(ctx, &ns, b),
        None => "<default>".into(),
    };
    w.kv(0, "Default backend", &default);
    if let Some(tls) = spec.tls.as_ref().filter(|t| !t.is_empty()) {
        w.line(0, "TLS:");
        for t in tls {
            let hosts = t.hosts.clone().unwrap_or_default().join(",");
            match &t.secret_name {
                None => w.line(1, &format!("SNI routes {hosts}")),
                Some(s) => w.line(1, &format!("{s} terminates {hosts}")),
            }
        }
    }
    w.line(0, "Rules:");
    w.line(1, "Host\tPath\tBackends");
    w.line(1, "----\t----\t--------");
    let mut count = 0;
    for r in spec.rules.iter().flatten() {
        let Some(http) = &r.http else { continue };
        count += 1;
        let host = r.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| "*".into());
        w.line(1, &format!("{host}\t"));
        for p in &http.paths {
            w.line(
                2,
                &format!(
                    "\t{} \t{}",
                    p.path.as_deref().unwrap_or(""),
                    backend_text(ctx, &ns, &p.backend)
                ),
            );
        }
    }
    if count == 0 {
        w.line(1, &format!("*\t*\t{default}"));
    }
    annotation_lines(w, i.metadata.annotations.as_ref());
}

fn namespace(n: &Namespace) -> String {
    let mut w = W::default();
    w.kv(0, "Name", n.metadata.name.as_deref().unwrap_or(""));
    map_lines(&mut w, 0, "Labels", n.metadata.labels.as_ref(), "=");
    annotation_lines(&mut w, n.metadata.annotations.as_ref());
    w.kv(0, "Status", n.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or(""));
    w.line(0, "");
    w.line(0, "No resource quota.");
    w.line(0, "");
    w.line(0, "No LimitRange resource.");
    w.finish()
}
