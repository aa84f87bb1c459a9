//! `kubectl describe`: the prose views of `pkg/describe/describe.go`, laid out by the same
//! tab writer settings (padding 2), with the object's events at the end.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerState, Event, Node, Pod, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::args::{boolean, parse, val};
use super::format::{TabWriter, human_duration};
use super::get::fetch;
use super::printers::node_roles;
use super::resources::resolve;
use super::{Ctx, Output};
use crate::api::{Kind, Object};
use crate::apimachinery::labels::Selector;
use crate::cluster::{first_seen_ms, last_seen_ms};
use crate::time::{self, ms_of, rfc1123z};

/// Lines written at an indent level, laid out like describe's PrefixWriter.
#[derive(Default)]
pub(super) struct W {
    pub(super) text: String,
}

impl W {
    pub(super) fn line(&mut self, level: usize, s: &str) {
        for _ in 0..level {
            self.text.push_str("  ");
        }
        self.text.push_str(s);
        self.text.push('\n');
    }

    pub(super) fn kv(&mut self, level: usize, key: &str, value: &str) {
        self.line(level, &format!("{key}:\t{value}"));
    }

    pub(super) fn finish(self) -> String {
        TabWriter::with_layout(0, 2).format(&self.text)
    }
}

pub(super) fn map_lines(
    w: &mut W,
    level: usize,
    key: &str,
    map: Option<&BTreeMap<String, String>>,
    sep: &str,
) {
    match map.filter(|m| !m.is_empty()) {
        None => w.kv(level, key, "<none>"),
        Some(m) => {
            let mut first = true;
            for (k, v) in m {
                if first {
                    w.kv(level, key, &format!("{k}{sep}{v}"));
                    first = false;
                } else {
                    w.line(level, &format!("\t{k}{sep}{v}"));
                }
            }
        }
    }
}

// describe never shows the last-applied configuration (`skipAnnotations` upstream).
pub(super) fn annotation_lines(w: &mut W, annotations: Option<&BTreeMap<String, String>>) {
    let mut shown = annotations.cloned().unwrap_or_default();
    shown.remove(super::manifest::LAST_APPLIED);
    map_lines(w, 0, "Annotations", Some(&shown), ": ");
}

pub(super) fn events_for(ctx: &Ctx, object: &Object) -> Vec<Event> {
    let uid = object.meta().uid.clone();
    let ns = if object.namespace().is_empty() { "default" } else { object.namespace() };
    let mut events: Vec<Event> = ctx
        .cluster
        .store
        .list_typed::<Event>(Some(ns))
        .filter(|e| {
            e.involved_object.uid == uid && e.involved_object.name.as_deref() == Some(object.name())
        })
        .cloned()
        .collect();
    crate::sorting::sort_by_key(&mut events, |e| last_seen_ms(e).unwrap_or(0));
    events
}

/// The Age of an event as `describe` and `kubectl events` show it: since it was first seen, or
/// `<last> (x<count> over <first>)` for a repeated one.
pub(super) fn event_interval(e: &Event, now: i64) -> String {
    let since = |ms: Option<i64>| ms.map_or("<unknown>".into(), |ms| human_duration(now - ms));
    let first = since(first_seen_ms(e));
    let series = e.series.as_ref();
    match (series, e.count.unwrap_or(0)) {
        (Some(series), _) => {
            let last = series.last_observed_time.as_ref().map(|t| time::ms_of_instant(t.0));
            format!("{} (x{} over {first})", since(last), series.count.unwrap_or(0))
        }
        (None, count) if count > 1 => {
            format!("{} (x{count} over {first})", since(e.last_timestamp.as_ref().map(ms_of)))
        }
        _ => first,
    }
}

pub(super) fn write_events(w: &mut W, events: &[Event], now: i64) {
    if events.is_empty() {
        w.kv(0, "Events", "<none>");
        return;
    }
    w.line(0, "Events:");
    w.line(1, "Type\tReason\tAge\tFrom\tMessage");
    w.line(1, "----\t------\t----\t----\t-------");
    for e in events {
        let age = event_interval(e, now);
        let component = e.source.as_ref().and_then(|s| s.component.as_deref());
        let from = component
            .filter(|c| !c.is_empty())
            .or(e.reporting_component.as_deref())
            .unwrap_or_default();
        w.line(
            1,
            &format!(
                "{}\t{}\t{age}\t{from}\t{}",
                e.type_.clone().unwrap_or_default(),
                e.reason.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default().trim()
            ),
        );
    }
}

const DESCRIBE_FLAGS: &[super::args::Flag] = &[
    val("selector", Some('l')),
    boolean("all-namespaces", Some('A')),
    boolean("show-events", None),
    val("filename", Some('f')),
    val("chunk-size", None),
    boolean("recursive", Some('R')),
];

/// `kubectl describe`.
pub fn describe(ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse("describe", argv, DESCRIBE_FLAGS) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let resolved = match resolve(&p.positional) {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    if resolved.targets.is_empty() {
        return Output::fail(
            "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl describe -h' for help and examples",
        );
    }
    let selector = match p.get("selector").map(Selector::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return Output::fail(format!("error: {e}")),
    };
    let mut errors = Vec::new();
    let mut objects = Vec::new();
    for t in &resolved.targets {
        // `describe pods kubia` also matches pods whose name starts with kubia.
        let prefix_target = super::resources::Target { kind: t.kind, name: None };
        let list = match fetch(
            ctx,
            &prefix_target,
            &p.namespace(),
            p.is_set("all-namespaces"),
            selector.as_ref(),
            None,
            &mut Vec::new(),
        ) {
            Ok(l) => l,
            Err(e) => return Output::fail(e),
        };
        match &t.name {
            None => objects.extend(list),
            Some(name) => {
                if let Some(exact) = list.iter().find(|o| o.name() == name) {
                    objects.push(exact.clone());
                } else {
                    let matches: Vec<Object> =
                        list.into_iter().filter(|o| o.name().starts_with(name.as_str())).collect();
                    if matches.is_empty() {
                        errors.push(
                            crate::api::ApiError::not_found(
                                &t.kind.info().qualified_plural(),
                                name,
                            )
                            .kubectl_message(None),
                        );
                    }
                    objects.extend(matches);
                }
            }
        }
    }
    let now = ctx.cluster.now();
    let texts: Vec<String> = objects.iter().map(|o| describe_object(ctx, o, now)).collect();
    let mut out = Output::ok(texts.join("\n\n"));
    if !out.stdout.is_empty() && !out.stdout.ends_with('\n') {
        out.stdout.push('\n');
    }
    if objects.is_empty() && errors.is_empty() {
        // Cluster-scoped kinds are not looked for in a namespace.
        let namespaced = resolved.targets.iter().any(|t| t.kind.info().namespaced);
        out.stderr = if namespaced {
            format!("No resources found in {} namespace.\n", p.namespace())
        } else {
            "No resources found\n".to_string()
        };
    }
    for e in errors {
        out.stderr.push_str(&e);
        out.stderr.push('\n');
        out.exit_code = 1;
    }
    out
}

fn describe_object(ctx: &Ctx, object: &Object, now: i64) -> String {
    let text = match object {
        Object::Pod(p) => describe_pod(ctx, object, p, now),
        Object::Node(n) => describe_node(ctx, object, n, now),
        Object::Deployment(_)
        | Object::ReplicaSet(_)
        | Object::ReplicationController(_)
        | Object::DaemonSet(_)
        | Object::Job(_)
        | Object::CronJob(_)
        | Object::Service(_)
        | Object::Endpoints(_)
        | Object::Ingress(_)
        | Object::Namespace(_) => super::describe_workloads::describe(ctx, object, now),
        _ => match super::describe_storage::describe(ctx, object, now) {
            Some(text) => text,
            None => describe_generic(ctx, object, now),
        },
    };
    text.trim_end_matches('\n').to_string()
}

/// A toleration as describe prints it: `key=value:Effect op=Exists for 300s`.
pub(super) fn toleration_string(t: &k8s_openapi::api::core::v1::Toleration) -> String {
    let mut s = t.key.clone().unwrap_or_default();
    if let Some(v) = t.value.as_ref().filter(|v| !v.is_empty()) {
        s.push('=');
        s.push_str(v);
    }
    if let Some(e) = t.effect.as_ref().filter(|e| !e.is_empty()) {
        s.push(':');
        s.push_str(e);
    }
    if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
        s.push_str(" op=Exists");
    }
    if let Some(sec) = t.toleration_seconds {
        s.push_str(&format!(" for {sec}s"));
    }
    s
}

pub(super) fn probe_line(p: &Probe) -> String {
    let handler = if let Some(h) = &p.http_get {
        let port = match &h.port {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        format!(
            "http-get {}://{}:{port}{}",
            h.scheme.clone().unwrap_or_else(|| "HTTP".into()).to_lowercase(),
            h.host.clone().unwrap_or_default(),
            h.path.clone().unwrap_or_default()
        )
    } else if let Some(t) = &p.tcp_socket {
        let port = match &t.port {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        format!("tcp-socket {}:{port}", t.host.clone().unwrap_or_default())
    } else if let Some(e) = &p.exec {
        format!("exec [{}]", e.command.clone().unwrap_or_default().join(" "))
    } else if let Some(g) = &p.grpc {
        format!("grpc <pod>:{} {}", g.port, g.service.clone().unwrap_or_default())
    } else {
        "unknown".into()
    };
    format!(
        "{handler} delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    )
}

fn state_lines(w: &mut W, label: &str, state: &ContainerState) {
    if let Some(r) = &state.running {
        w.kv(2, label, "Running");
        w.kv(3, "Started", &r.started_at.as_ref().map(rfc1123z).unwrap_or_default());
    } else if let Some(wt) = &state.waiting {
        w.kv(2, label, "Waiting");
        if let Some(reason) = &wt.reason {
            w.kv(3, "Reason", reason);
        }
        if let Some(msg) = wt.message.as_ref().filter(|_| false) {
            w.kv(3, "Message", msg);
        }
    } else if let Some(t) = &state.terminated {
        w.kv(2, label, "Terminated");
        if let Some(reason) = &t.reason {
            w.kv(3, "Reason", reason);
        }
        if let Some(m) = &t.message {
            w.kv(3, "Message", m);
        }
        w.kv(3, "Exit Code", &t.exit_code.to_string());
        if let Some(s) = t.signal.filter(|s| *s > 0) {
            w.kv(3, "Signal", &s.to_string());
        }
        w.kv(3, "Started", &t.started_at.as_ref().map(rfc1123z).unwrap_or_default());
        w.kv(3, "Finished", &t.finished_at.as_ref().map(rfc1123z).unwrap_or_default());
    } else {
        w.kv(2, label, "Waiting");
    }
}

fn container_lines(w: &mut W, c: &Container, pod: &Pod) {
    let status = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|s| s.name == c.name))
        .cloned();
    w.line(1, &format!("{}:", c.name));
    if let Some(id) = status.as_ref().and_then(|s| s.container_id.clone()) {
        w.kv(2, "Container ID", &id);
    }
    w.kv(2, "Image", c.image.as_deref().unwrap_or(""));
    if let Some(s) = &status {
        w.kv(2, "Image ID", &s.image_id);
    }
    let ports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let base = format!(
                "{}/{}",
                p.container_port,
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            );
            match &p.name {
                Some(n) => format!("{base} ({n})"),
                None => base,
            }
        })
        .collect();
    let host_ports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| {
            format!(
                "{}/{}",
                p.host_port.unwrap_or(0),
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            )
        })
        .collect();
    match ports.len() {
        0 => {
            w.kv(2, "Port", "<none>");
            w.kv(2, "Host Port", "<none>");
        }
        1 => {
            w.kv(2, "Port", &ports[0]);
            w.kv(2, "Host Port", &host_ports[0]);
        }
        _ => {
            w.kv(2, "Ports", &ports.join(", "));
            w.kv(2, "Host Ports", &host_ports.join(", "));
        }
    }
    for (label, list) in [("Command", &c.command), ("Args", &c.args)] {
        if let Some(items) = list.as_ref().filter(|l| !l.is_empty()) {
            w.line(2, &format!("{label}:"));
            for i in items {
                w.line(3, i);
            }
        }
    }
    let state = status.as_ref().and_then(|s| s.state.clone()).unwrap_or_default();
    state_lines(w, "State", &state);
    if let Some(last) = status
        .as_ref()
        .and_then(|s| s.last_state.clone())
        .filter(|l| l.running.is_some() || l.waiting.is_some() || l.terminated.is_some())
    {
        state_lines(w, "Last State", &last);
    }
    w.kv(2, "Ready", if status.as_ref().is_some_and(|s| s.ready) { "True" } else { "False" });
    w.kv(2, "Restart Count", &status.as_ref().map_or(0, |s| s.restart_count).to_string());
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
    if env.is_empty() && c.env_from.is_none() {
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
                    } else if let Some(r) = &from.resource_field_ref {
                        format!(
                            "{} ({})",
                            r.resource,
                            r.container_name.clone().unwrap_or_else(|| c.name.clone())
                        )
                    } else if let Some(k) = &from.config_map_key_ref {
                        format!("<set to the key '{}' of config map '{}'>", k.key, k.name)
                    } else if let Some(k) = &from.secret_key_ref {
                        format!("<set to the key '{}' in secret '{}'>", k.key, k.name)
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

fn describe_pod(ctx: &Ctx, object: &Object, pod: &Pod, now: i64) -> String {
    let mut w = W::default();
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    w.kv(0, "Name", object.name());
    w.kv(0, "Namespace", object.namespace());
    w.kv(0, "Priority", &spec.priority.unwrap_or(0).to_string());
    if let Some(pc) = &spec.priority_class_name {
        w.kv(0, "Priority Class Name", pc);
    }
    w.kv(0, "Service Account", spec.service_account_name.as_deref().unwrap_or("default"));
    match (&spec.node_name, &status.host_ip) {
        (Some(n), Some(ip)) => w.kv(0, "Node", &format!("{n}/{ip}")),
        (Some(n), None) => w.kv(0, "Node", n),
        _ => w.kv(0, "Node", "<none>"),
    }
    if let Some(st) = &status.start_time {
        w.kv(0, "Start Time", &rfc1123z(st));
    }
    map_lines(&mut w, 0, "Labels", pod.metadata.labels.as_ref(), "=");
    annotation_lines(&mut w, pod.metadata.annotations.as_ref());
    if let Some(dt) = &pod.metadata.deletion_timestamp {
        w.kv(0, "Status", &format!("Terminating (lasts {})", human_duration(ms_of(dt) - now)));
        w.kv(
            0,
            "Termination Grace Period",
            &format!("{}s", pod.metadata.deletion_grace_period_seconds.unwrap_or(30)),
        );
    } else {
        w.kv(0, "Status", status.phase.as_deref().unwrap_or(""));
    }
    if let Some(r) = &status.reason {
        w.kv(0, "Reason", r);
    }
    if let Some(m) = &status.message {
        w.kv(0, "Message", m);
    }
    w.kv(0, "IP", status.pod_ip.as_deref().unwrap_or(""));
    match &status.pod_ips {
        Some(ips) if !ips.is_empty() => {
            w.line(0, "IPs:");
            for ip in ips {
                w.kv(1, "IP", &ip.ip);
            }
        }
        _ => w.kv(0, "IPs", "<none>"),
    }
    if let Some(owner) =
        pod.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true))
    {
        w.kv(0, "Controlled By", &format!("{}/{}", owner.kind, owner.name));
    }
    w.line(0, "Containers:");
    for c in &spec.containers {
        container_lines(&mut w, c, pod);
    }
    match &status.conditions {
        Some(conds) if !conds.is_empty() => {
            w.line(0, "Conditions:");
            w.line(1, "Type\tStatus");
            for c in conds {
                w.line(1, &format!("{} \t{} ", c.type_, c.status));
            }
        }
        _ => {}
    }
    let volumes = spec.volumes.clone().unwrap_or_default();
    if volumes.is_empty() {
        w.kv(0, "Volumes", "<none>");
    } else {
        w.line(0, "Volumes:");
        for v in volumes {
            w.line(1, &format!("{}:", v.name));
            if let Some(pj) = &v.projected {
                w.kv(
                    2,
                    "Type",
                    "Projected (a volume that contains injected data from multiple sources)",
                );
                for s in pj.sources.iter().flatten() {
                    if let Some(t) = &s.service_account_token {
                        w.kv(
                            2,
                            "TokenExpirationSeconds",
                            &t.expiration_seconds.unwrap_or(3607).to_string(),
                        );
                    }
                    if let Some(cm) = &s.config_map {
                        w.kv(2, "ConfigMapName", &cm.name);
                        w.kv(2, "Optional", &cm.optional.unwrap_or(false).to_string());
                    }
                    if s.downward_api.is_some() {
                        w.kv(2, "DownwardAPI", "true");
                    }
                }
            } else if let Some(e) = &v.empty_dir {
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
    w.kv(0, "QoS Class", status.qos_class.as_deref().unwrap_or("BestEffort"));
    map_lines(&mut w, 0, "Node-Selectors", spec.node_selector.as_ref(), "=");
    let tolerations: Vec<String> =
        spec.tolerations.iter().flatten().map(toleration_string).collect();
    if tolerations.is_empty() {
        w.kv(0, "Tolerations", "<none>");
    } else {
        for (i, t) in tolerations.iter().enumerate() {
            if i == 0 {
                w.kv(0, "Tolerations", t);
            } else {
                w.line(0, &format!("\t{t}"));
            }
        }
    }
    write_events(&mut w, &events_for(ctx, object), now);
    w.finish()
}

fn describe_node(ctx: &Ctx, object: &Object, node: &Node, now: i64) -> String {
    let mut w = W::default();
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    w.kv(0, "Name", object.name());
    w.kv(0, "Roles", &node_roles(node));
    map_lines(&mut w, 0, "Labels", node.metadata.labels.as_ref(), "=");
    annotation_lines(&mut w, node.metadata.annotations.as_ref());
    w.kv(
        0,
        "CreationTimestamp",
        &node.metadata.creation_timestamp.as_ref().map(rfc1123z).unwrap_or_default(),
    );
    let taints: Vec<String> = spec
        .taints
        .iter()
        .flatten()
        .map(|t| match &t.value {
            Some(v) if !v.is_empty() => format!("{}={v}:{}", t.key, t.effect),
            _ => format!("{}:{}", t.key, t.effect),
        })
        .collect();
    if taints.is_empty() {
        w.kv(0, "Taints", "<none>");
    } else {
        for (i, t) in taints.iter().enumerate() {
            if i == 0 { w.kv(0, "Taints", t) } else { w.line(0, &format!("\t{t}")) }
        }
    }
    w.kv(0, "Unschedulable", &spec.unschedulable.unwrap_or(false).to_string());
    w.line(0, "Lease:");
    w.kv(1, "HolderIdentity", object.name());
    w.kv(1, "AcquireTime", "<unset>");
    let renew = if ctx.cluster.kubelet.node_down_since(object.name()).is_some() {
        "<unset>".to_string()
    } else {
        rfc1123z(&crate::time::time(now - now.rem_euclid(10_000)))
    };
    w.kv(1, "RenewTime", &renew);
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
    w.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
    // The kubelet posts full node status every 5 minutes (nodeStatusReportFrequency) while up.
    let created = node.metadata.creation_timestamp.as_ref().map(ms_of).unwrap_or(0);
    let reported_until =
        ctx.cluster.kubelet.node_down_since(object.name()).map_or(now, |d| d as i64);
    let heartbeat = created + (reported_until - created).max(0) / 300_000 * 300_000;
    for c in status.conditions.iter().flatten() {
        let beat = c.last_heartbeat_time.as_ref().map(ms_of).unwrap_or(0).max(heartbeat);
        w.line(
            1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                c.type_,
                c.status,
                rfc1123z(&crate::time::time(beat)),
                c.last_transition_time.as_ref().map(rfc1123z).unwrap_or_default(),
                c.reason.clone().unwrap_or_default(),
                c.message.clone().unwrap_or_default()
            ),
        );
    }
    w.line(0, "Addresses:");
    for a in status.addresses.iter().flatten() {
        w.kv(1, &a.type_, &a.address);
    }
    for (label, map) in [("Capacity", &status.capacity), ("Allocatable", &status.allocatable)] {
        w.line(0, &format!("{label}:"));
        for (k, v) in map.iter().flatten() {
            w.kv(1, k, &v.0);
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    w.line(0, "System Info:");
    w.kv(1, "Machine ID", &info.machine_id);
    w.kv(1, "System UUID", &info.system_uuid);
    w.kv(1, "Boot ID", &info.boot_id);
    w.kv(1, "Kernel Version", &info.kernel_version);
    w.kv(1, "OS Image", &info.os_image);
    w.kv(1, "Operating System", &info.operating_system);
    w.kv(1, "Architecture", &info.architecture);
    w.kv(1, "Container Runtime Version", &info.container_runtime_version);
    w.kv(1, "Kubelet Version", &info.kubelet_version);
    w.kv(1, "Kube-Proxy Version", &info.kube_proxy_version);
    w.kv(0, "PodCIDR", spec.pod_cidr.as_deref().unwrap_or(""));
    w.kv(0, "PodCIDRs", &spec.pod_cidrs.clone().unwrap_or_default().join(","));
    if let Some(pid) = &spec.provider_id {
        w.kv(0, "ProviderID", pid);
    }
    let pods: Vec<&Pod> = ctx
        .cluster
        .store
        .list_typed::<Pod>(None)
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(object.name()))
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded") | Some("Failed")
            )
        })
        .collect();
    let alloc = status.allocatable.clone().unwrap_or_default();
    let cpu_cap = alloc.get("cpu").map(|q| crate::quantity::cpu_millis(&q.0)).unwrap_or(1).max(1);
    let mem_cap =
        alloc.get("memory").map(|q| crate::quantity::memory_bytes(&q.0)).unwrap_or(1).max(1);
    let pct = |v: i64, cap: i64| (v * 100 / cap).to_string();
    w.kv(0, "Non-terminated Pods", &format!("({} in total)", pods.len()));
    w.line(1, "Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge");
    w.line(1, "---------\t----\t------------\t----------\t---------------\t-------------\t---");
    let (mut cpu_req, mut cpu_lim, mut mem_req, mut mem_lim) = (0i64, 0i64, 0i64, 0i64);
    for p in &pods {
        let sum = |which: &str, res: &str| -> (String, i64) {
            let mut total = 0;
            let mut text = Vec::new();
            for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
                let map = c.resources.as_ref().and_then(|r| {
                    if which == "req" { r.requests.clone() } else { r.limits.clone() }
                });
                if let Some(q) = map.as_ref().and_then(|m| m.get(res)) {
                    total += if res == "cpu" {
                        crate::quantity::cpu_millis(&q.0)
                    } else {
                        crate::quantity::memory_bytes(&q.0)
                    };
                    text.push(q.0.clone());
                }
            }
            (
                if text.len() == 1 {
                    text[0].clone()
                } else if total == 0 {
                    "0".into()
                } else if res == "cpu" {
                    format!("{total}m")
                } else {
                    total.to_string()
                },
                total,
            )
        };
        let (cr, crv) = sum("req", "cpu");
        let (cl, clv) = sum("lim", "cpu");
        let (mr, mrv) = sum("req", "memory");
        let (ml, mlv) = sum("lim", "memory");
        cpu_req += crv;
        cpu_lim += clv;
        mem_req += mrv;
        mem_lim += mlv;
        w.line(
            1,
            &format!(
                "{}\t{}\t{cr} ({}%)\t{cl} ({}%)\t{mr} ({}%)\t{ml} ({}%)\t{}",
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
                pct(crv, cpu_cap),
                pct(clv, cpu_cap),
                pct(mrv, mem_cap),
                pct(mlv, mem_cap),
                super::printers::age(p.metadata.creation_timestamp.as_ref(), now)
            ),
        );
    }
    let fmt_cpu = |v: i64| {
        if v == 0 {
            "0".to_string()
        } else if v % 1000 == 0 {
            (v / 1000).to_string()
        } else {
            format!("{v}m")
        }
    };
    let fmt_mem = |v: i64| {
        if v == 0 {
            "0".to_string()
        } else if v % (1024 * 1024) == 0 {
            format!("{}Mi", v / 1024 / 1024)
        } else if v % 1024 == 0 {
            format!("{}Ki", v / 1024)
        } else {
            v.to_string()
        }
    };
    w.line(0, "Allocated resources:");
    w.line(1, "(Total limits may be over 100 percent, i.e., overcommitted.)");
    w.line(1, "Resource\tRequests\tLimits");
    w.line(1, "--------\t--------\t------");
    w.line(
        1,
        &format!(
            "cpu\t{} ({}%)\t{} ({}%)",
            fmt_cpu(cpu_req),
            pct(cpu_req, cpu_cap),
            fmt_cpu(cpu_lim),
            pct(cpu_lim, cpu_cap)
        ),
    );
    w.line(
        1,
        &format!(
            "memory\t{} ({}%)\t{} ({}%)",
            fmt_mem(mem_req),
            pct(mem_req, mem_cap),
            fmt_mem(mem_lim),
            pct(mem_lim, mem_cap)
        ),
    );
    w.line(1, "ephemeral-storage\t0 (0%)\t0 (0%)");
    w.line(1, "hugepages-1Gi\t0 (0%)\t0 (0%)");
    w.line(1, "hugepages-2Mi\t0 (0%)\t0 (0%)");
    write_events(&mut w, &events_for(ctx, object), now);
    w.finish()
}

// Kinds without a dedicated view yet: name, namespace, labels, annotations, the object's
// spec as YAML, and events.
fn describe_generic(ctx: &Ctx, object: &Object, now: i64) -> String {
    let mut w = W::default();
    w.kv(0, "Name", object.name());
    if object.kind().info().namespaced {
        w.kv(0, "Namespace", object.namespace());
    }
    map_lines(&mut w, 0, "Labels", object.meta().labels.as_ref(), "=");
    annotation_lines(&mut w, object.meta().annotations.as_ref());
    w.kv(
        0,
        "CreationTimestamp",
        &object.meta().creation_timestamp.as_ref().map(rfc1123z).unwrap_or_default(),
    );
    let mut text = w.finish();
    let json = object.to_json();
    for field in ["spec", "data", "subsets", "status"] {
        if let Some(v) = json.get(field) {
            if object.kind() == Kind::Secret && field == "data" {
                continue;
            }
            text.push_str(&format!("{}{}:\n", field[..1].to_uppercase(), &field[1..]));
            for line in super::format::to_yaml(v).lines() {
                text.push_str(&format!("  {line}\n"));
            }
        }
    }
    let mut w = W::default();
    write_events(&mut w, &events_for(ctx, object), now);
    text.push_str(&w.finish());
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_layout_aligns_blocks_like_prefix_writer() {
        let mut w = W::default();
        w.kv(0, "Name", "kubia");
        w.kv(0, "Service Account", "default");
        w.line(0, "IPs:");
        w.kv(1, "IP", "10.244.1.2");
        assert_eq!(
            w.finish(),
            "Name:             kubia\nService Account:  default\nIPs:\n  IP:  10.244.1.2\n"
        );
    }

    #[test]
    fn an_events_age_counts_from_its_first_sighting_and_shows_repeats() {
        use k8s_openapi::api::core::v1::EventSeries;
        let now = 600_000;
        let legacy = Event {
            first_timestamp: Some(time::time(0)),
            last_timestamp: Some(time::time(540_000)),
            count: Some(4),
            ..Default::default()
        };
        assert_eq!(event_interval(&legacy, now), "60s (x4 over 10m)");
        let single = Event { count: Some(1), ..legacy.clone() };
        assert_eq!(event_interval(&single, now), "10m");
        let in_series = Event {
            event_time: Some(time::micro_time(300_000)),
            series: Some(EventSeries {
                count: Some(3),
                last_observed_time: Some(time::micro_time(595_000)),
            }),
            ..Default::default()
        };
        assert_eq!(event_interval(&in_series, now), "5s (x3 over 5m)");
    }
}
