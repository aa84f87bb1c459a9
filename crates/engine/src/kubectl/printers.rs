//! The server-side table printers: columns and cells of `kubectl get` for every kind, as
//! `pkg/printers/internalversion/printers.go` builds them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, Node, Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use serde_json::Value;

use crate::api::{Kind, Object};
use crate::apimachinery::labels::format_label_selector;
use crate::kubectl::format::human_duration;
use crate::time;

/// `HumanDuration(now - t)`, or `<unknown>`.
pub fn age(t: Option<&Time>, now_ms: i64) -> String {
    match t {
        Some(t) => human_duration(now_ms - time::ms_of(t)),
        None => "<unknown>".into(),
    }
}

fn or_none(s: String) -> String {
    if s.is_empty() { "<none>".into() } else { s }
}

/// `a=b,c=d` (sorted), or empty.
pub fn labels_string(labels: Option<&BTreeMap<String, String>>) -> String {
    labels
        .map(|l| l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

/// The column headers for `kind`.
pub fn headers(kind: Kind, wide: bool) -> Vec<&'static str> {
    let (base, extra): (&[&str], &[&str]) = match kind {
        Kind::Pod => (
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        ),
        Kind::Node => (
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
        ),
        Kind::Namespace => (&["NAME", "STATUS", "AGE"], &[]),
        Kind::Event => (&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &[]),
        Kind::Service => {
            (&["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], &["SELECTOR"])
        }
        Kind::Endpoints => (&["NAME", "ENDPOINTS", "AGE"], &[]),
        Kind::EndpointSlice => (&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]),
        Kind::ReplicaSet | Kind::ReplicationController => {
            (&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], &["CONTAINERS", "IMAGES", "SELECTOR"])
        }
        Kind::Deployment => (
            &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::DaemonSet => (
            &[
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "NODE SELECTOR",
                "AGE",
            ],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::Job => (
            &["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::CronJob => (
            &["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Kind::ConfigMap => (&["NAME", "DATA", "AGE"], &[]),
        Kind::Secret => (&["NAME", "TYPE", "DATA", "AGE"], &[]),
        Kind::ServiceAccount => (&["NAME", "SECRETS", "AGE"], &[]),
        Kind::PersistentVolume => (
            &[
                "NAME",
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "REASON",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Kind::PersistentVolumeClaim => (
            &[
                "NAME",
                "STATUS",
                "VOLUME",
                "CAPACITY",
                "ACCESS MODES",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Kind::StorageClass => (
            &[
                "NAME",
                "PROVISIONER",
                "RECLAIMPOLICY",
                "VOLUMEBINDINGMODE",
                "ALLOWVOLUMEEXPANSION",
                "AGE",
            ],
            &[],
        ),
        Kind::Ingress => (&["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], &[]),
    };
    // Events put their wide columns among the others (`printEvent`).
    if kind == Kind::Event && wide {
        return EVENT_WIDE_HEADERS.to_vec();
    }
    let mut h = base.to_vec();
    if wide {
        h.extend_from_slice(extra);
    }
    h
}

const EVENT_WIDE_HEADERS: &[&str] = &[
    "LAST SEEN",
    "TYPE",
    "REASON",
    "OBJECT",
    "SUBOBJECT",
    "SOURCE",
    "MESSAGE",
    "FIRST SEEN",
    "COUNT",
    "NAME",
];

/// What `kubectl get pods` shows in STATUS (`printPod`).
pub fn pod_status(pod: &Pod) -> String {
    let status = pod.status.clone().unwrap_or_default();
    let mut reason =
        status.reason.clone().unwrap_or_else(|| status.phase.clone().unwrap_or_default());
    let mut initializing = false;
    let init_statuses = status.init_container_statuses.clone().unwrap_or_default();
    let init_total = pod.spec.as_ref().and_then(|s| s.init_containers.as_ref()).map_or(0, Vec::len);
    for (i, c) in init_statuses.iter().enumerate() {
        let state = c.state.clone().unwrap_or_default();
        if let Some(t) = &state.terminated {
            if t.exit_code == 0 {
                continue;
            }
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if t.signal.unwrap_or(0) != 0 => {
                    format!("Init:Signal:{}", t.signal.unwrap_or(0))
                }
                None => format!("Init:ExitCode:{}", t.exit_code),
            };
            initializing = true;
        } else if let Some(w) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .filter(|r| !r.is_empty() && r != "PodInitializing")
        {
            reason = format!("Init:{w}");
            initializing = true;
        } else {
            reason = format!("Init:{i}/{init_total}");
            initializing = true;
        }
        break;
    }
    if !initializing {
        let mut has_running = false;
        for c in status.container_statuses.iter().flatten().rev() {
            let state = c.state.clone().unwrap_or_default();
            if let Some(w) =
                state.waiting.as_ref().and_then(|w| w.reason.clone()).filter(|r| !r.is_empty())
            {
                reason = w;
            } else if let Some(t) = &state.terminated {
                reason = match t.reason.clone().filter(|r| !r.is_empty()) {
                    Some(r) => r,
                    None if t.signal.unwrap_or(0) != 0 => {
                        format!("Signal:{}", t.signal.unwrap_or(0))
                    }
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if c.ready && state.running.is_some() {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            let ready = status
                .conditions
                .iter()
                .flatten()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if ready { "Running".into() } else { "NotReady".into() };
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = if status.reason.as_deref() == Some("NodeLost") {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    reason
}

/// `ready/total` containers.
pub fn pod_ready(pod: &Pod) -> String {
    let total = pod.spec.as_ref().map_or(0, |s| s.containers.len());
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().filter(|c| c.ready).count());
    format!("{ready}/{total}")
}

/// RESTARTS: `N`, or `N (5m2s ago)`.
pub fn pod_restarts(pod: &Pod, now_ms: i64) -> String {
    let statuses =
        pod.status.as_ref().and_then(|s| s.container_statuses.clone()).unwrap_or_default();
    let restarts: i32 = statuses.iter().map(|c| c.restart_count).sum();
    let last = statuses
        .iter()
        .filter_map(|c| c.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref())
        .map(time::ms_of)
        .max();
    match last {
        Some(t) if restarts > 0 => format!("{restarts} ({} ago)", human_duration(now_ms - t)),
        _ => restarts.to_string(),
    }
}

fn node_status(node: &Node) -> String {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone());
    // printNode: a Ready condition that is not True (False or Unknown) reads NotReady.
    let mut s = match ready.as_deref() {
        Some("True") => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        s.push_str(",SchedulingDisabled");
    }
    s
}

/// ROLES of a node from its `node-role.kubernetes.io/*` labels.
pub fn node_roles(node: &Node) -> String {
    let roles: Vec<String> = node
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, v)| {
            k.strip_prefix("node-role.kubernetes.io/")
                .map(str::to_string)
                .or_else(|| (k == "kubernetes.io/role").then(|| v.clone()))
        })
        .filter(|r| !r.is_empty())
        .collect();
    or_none(roles.join(","))
}

fn service_ports(svc: &Service) -> String {
    let ports: Vec<String> = svc
        .spec
        .iter()
        .flat_map(|s| s.ports.iter().flatten())
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            match p.node_port {
                Some(np) => format!("{}:{np}/{proto}", p.port),
                None => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    or_none(ports.join(","))
}

fn service_external_ip(svc: &Service, wide: bool) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let external: Vec<String> = spec.external_ips.clone().unwrap_or_default();
    match spec.type_.as_deref().unwrap_or("ClusterIP") {
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        "LoadBalancer" => {
            let mut ips: Vec<String> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .map(|ing| {
                    ing.iter().filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone())).collect()
                })
                .unwrap_or_default();
            ips.extend(external);
            if ips.is_empty() {
                return "<pending>".into();
            }
            let joined = ips.join(",");
            if !wide && joined.chars().count() > 16 {
                format!("{}...", joined.chars().take(13).collect::<String>())
            } else {
                joined
            }
        }
        _ => or_none(external.join(",")),
    }
}

fn selector_map(sel: Option<&BTreeMap<String, String>>) -> String {
    or_none(labels_string(sel))
}

fn pod_template_columns(
    template: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>,
) -> (String, String) {
    let containers: Vec<k8s_openapi::api::core::v1::Container> =
        template.and_then(|t| t.spec.as_ref()).map(|s| s.containers.clone()).unwrap_or_default();
    (
        containers.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(","),
        containers
            .iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn label_selector(sel: &LabelSelector) -> String {
    format_label_selector(Some(sel))
}

fn int(v: Option<i32>) -> String {
    v.unwrap_or(0).to_string()
}

/// Endpoints as `ip:port` list, first three then ` + N more...`.
fn endpoints_string(ep: &k8s_openapi::api::core::v1::Endpoints) -> String {
    let mut all = Vec::new();
    for s in ep.subsets.iter().flatten() {
        let ports: Vec<i32> = s.ports.iter().flatten().map(|p| p.port).collect();
        for a in s.addresses.iter().flatten() {
            if ports.is_empty() {
                all.push(a.ip.clone());
            }
            for p in &ports {
                all.push(format!("{}:{p}", a.ip));
            }
        }
    }
    if all.is_empty() {
        return "<none>".into();
    }
    if all.len() > 3 {
        format!("{} + {} more...", all[..3].join(","), all.len() - 3)
    } else {
        all.join(",")
    }
}

/// One row of `kubectl get` for `object` at virtual time `now_ms`.
pub fn row(object: &Object, wide: bool, now_ms: i64) -> Vec<String> {
    let name = object.name().to_string();
    let created = object.meta().creation_timestamp.as_ref();
    let age = age(created, now_ms);
    match object {
        Object::Pod(p) => {
            let mut r = vec![name, pod_ready(p), pod_status(p), pod_restarts(p, now_ms), age];
            if wide {
                let status = p.status.clone().unwrap_or_default();
                r.push(status.pod_ip.clone().unwrap_or_else(|| "<none>".into()));
                r.push(
                    p.spec
                        .as_ref()
                        .and_then(|s| s.node_name.clone())
                        .unwrap_or_else(|| "<none>".into()),
                );
                r.push(status.nominated_node_name.clone().unwrap_or_else(|| "<none>".into()));
                let gates =
                    p.spec.as_ref().and_then(|s| s.readiness_gates.as_ref()).map_or(0, Vec::len);
                r.push(if gates == 0 { "<none>".into() } else { format!("0/{gates}") });
            }
            r
        }
        Object::Node(n) => {
            let version = n
                .status
                .as_ref()
                .and_then(|s| s.node_info.as_ref())
                .map(|i| i.kubelet_version.clone())
                .unwrap_or_default();
            let mut r = vec![name, node_status(n), node_roles(n), age, version];
            if wide {
                let status = n.status.clone().unwrap_or_default();
                let addr = |t: &str| {
                    status
                        .addresses
                        .iter()
                        .flatten()
                        .find(|a| a.type_ == t)
                        .map(|a| a.address.clone())
                        .unwrap_or_else(|| "<none>".into())
                };
                let info = status.node_info.clone().unwrap_or_default();
                r.extend([
                    addr("InternalIP"),
                    addr("ExternalIP"),
                    info.os_image,
                    info.kernel_version,
                    info.container_runtime_version,
                ]);
            }
            r
        }
        Object::Namespace(n) => {
            let phase = n.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            vec![name, phase, age]
        }
        Object::Event(e) => event_row(e, wide, now_ms),
        Object::Service(s) => {
            let spec = s.spec.clone().unwrap_or_default();
            let cluster_ip = spec
                .cluster_ips
                .as_ref()
                .and_then(|c| c.first().cloned())
                .or(spec.cluster_ip.clone())
                .unwrap_or_else(|| "<none>".into());
            let mut r = vec![
                name,
                spec.type_.clone().unwrap_or_else(|| "ClusterIP".into()),
                if cluster_ip.is_empty() { "<none>".into() } else { cluster_ip },
                service_external_ip(s, wide),
                service_ports(s),
                age,
            ];
            if wide {
                r.push(selector_map(spec.selector.as_ref()));
            }
            r
        }
        Object::Endpoints(e) => vec![name, endpoints_string(e), age],
        Object::EndpointSlice(e) => {
            let ports: Vec<String> =
                e.ports.iter().flatten().filter_map(|p| p.port.map(|x| x.to_string())).collect();
            let addrs: Vec<String> =
                e.endpoints.iter().flatten().flat_map(|ep| ep.addresses.iter().cloned()).collect();
            let endpoints = if addrs.is_empty() {
                "<unset>".to_string()
            } else if addrs.len() > 3 {
                format!("{} + {} more...", addrs[..3].join(","), addrs.len() - 3)
            } else {
                addrs.join(",")
            };
            vec![
                name,
                e.address_type.clone(),
                if ports.is_empty() { "<unset>".into() } else { ports.join(",") },
                endpoints,
                age,
            ]
        }
        Object::ReplicaSet(rs) => {
            let status = rs.status.clone().unwrap_or_default();
            let mut r = vec![
                name,
                int(rs.spec.replicas.or(Some(1))),
                status.replicas.to_string(),
                int(status.ready_replicas),
                age,
            ];
            if wide {
                let (c, i) = pod_template_columns(rs.spec.template.as_ref());
                r.extend([c, i, label_selector(&rs.spec.selector)]);
            }
            r
        }
        Object::ReplicationController(rc) => {
            let spec = rc.spec.clone().unwrap_or_default();
            let status = rc.status.clone().unwrap_or_default();
            let mut r = vec![
                name,
                int(spec.replicas.or(Some(1))),
                status.replicas.to_string(),
                int(status.ready_replicas),
                age,
            ];
            if wide {
                let (c, i) = pod_template_columns(spec.template.as_ref());
                r.extend([c, i, selector_map(spec.selector.as_ref())]);
            }
            r
        }
        Object::Deployment(d) => {
            let status = d.status.clone().unwrap_or_default();
            let desired = d.spec.replicas.unwrap_or(1);
            let mut r = vec![
                name,
                format!("{}/{desired}", status.ready_replicas.unwrap_or(0)),
                int(status.updated_replicas),
                int(status.available_replicas),
                age,
            ];
            if wide {
                let (c, i) = pod_template_columns(Some(&d.spec.template));
                r.extend([c, i, label_selector(&d.spec.selector)]);
            }
            r
        }
        Object::DaemonSet(ds) => {
            let s = ds.status.clone().unwrap_or_default();
            let node_selector =
                selector_map(ds.spec.template.spec.as_ref().and_then(|p| p.node_selector.as_ref()));
            let mut r = vec![
                name,
                s.desired_number_scheduled.to_string(),
                s.current_number_scheduled.to_string(),
                s.number_ready.to_string(),
                int(s.updated_number_scheduled),
                int(s.number_available),
                node_selector,
                age,
            ];
            if wide {
                let (c, i) = pod_template_columns(Some(&ds.spec.template));
                r.extend([c, i, label_selector(&ds.spec.selector)]);
            }
            r
        }
        Object::Job(j) => {
            let spec = j.spec.clone().unwrap_or_default();
            let s = j.status.clone().unwrap_or_default();
            let cond =
                |t: &str| s.conditions.iter().flatten().any(|c| c.type_ == t && c.status == "True");
            let status = if cond("Complete") {
                "Complete"
            } else if cond("Failed") {
                "Failed"
            } else if j.metadata.deletion_timestamp.is_some() {
                "Terminating"
            } else if cond("FailureTarget") {
                "FailureTarget"
            } else if cond("Suspended") {
                "Suspended"
            } else {
                "Running"
            };
            let succeeded = s.succeeded.unwrap_or(0);
            let completions = match spec.completions {
                Some(c) => format!("{succeeded}/{c}"),
                None => {
                    let p = spec.parallelism.unwrap_or(1);
                    if p > 1 { format!("{succeeded}/1 of {p}") } else { format!("{succeeded}/1") }
                }
            };
            let duration = match (&s.start_time, &s.completion_time) {
                (Some(st), Some(ct)) => human_duration(time::ms_of(ct) - time::ms_of(st)),
                (Some(st), None) => human_duration(now_ms - time::ms_of(st)),
                _ => String::new(),
            };
            let mut r = vec![name, status.into(), completions, duration, age];
            if wide {
                let (c, i) = pod_template_columns(Some(&spec.template));
                r.extend([
                    c,
                    i,
                    spec.selector.as_ref().map(label_selector).unwrap_or_else(|| "<none>".into()),
                ]);
            }
            r
        }
        Object::CronJob(cj) => {
            let s = cj.status.clone().unwrap_or_default();
            let suspend = match cj.spec.suspend {
                Some(true) => "True",
                Some(false) => "False",
                None => "<unset>",
            };
            let last = s
                .last_schedule_time
                .as_ref()
                .map(|t| human_duration(now_ms - time::ms_of(t)))
                .unwrap_or_else(|| "<none>".into());
            let mut r = vec![
                name,
                cj.spec.schedule.clone(),
                cj.spec.time_zone.clone().unwrap_or_else(|| "<none>".into()),
                suspend.into(),
                s.active.as_ref().map_or(0, Vec::len).to_string(),
                last,
                age,
            ];
            if wide {
                let template = cj.spec.job_template.spec.as_ref().map(|s| &s.template);
                let (c, i) = pod_template_columns(template);
                r.extend([c, i, "<none>".into()]);
            }
            r
        }
        Object::ConfigMap(c) => {
            let n = c.data.as_ref().map_or(0, BTreeMap::len)
                + c.binary_data.as_ref().map_or(0, BTreeMap::len);
            vec![name, n.to_string(), age]
        }
        Object::Secret(s) => {
            let n = s.data.as_ref().map_or(0, BTreeMap::len)
                + s.string_data.as_ref().map_or(0, BTreeMap::len);
            vec![name, s.type_.clone().unwrap_or_else(|| "Opaque".into()), n.to_string(), age]
        }
        Object::ServiceAccount(sa) => {
            vec![name, sa.secrets.as_ref().map_or(0, Vec::len).to_string(), age]
        }
        Object::PersistentVolume(pv) => {
            let spec = pv.spec.clone().unwrap_or_default();
            let capacity = spec
                .capacity
                .as_ref()
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_default();
            let modes = access_modes(spec.access_modes.as_deref());
            let claim = spec
                .claim_ref
                .as_ref()
                .map(|c| {
                    format!(
                        "{}/{}",
                        c.namespace.clone().unwrap_or_default(),
                        c.name.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let status = pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            let mut r = vec![
                name,
                capacity,
                modes,
                spec.persistent_volume_reclaim_policy.clone().unwrap_or_else(|| "Retain".into()),
                if pv.metadata.deletion_timestamp.is_some() {
                    "Terminating".into()
                } else {
                    status
                },
                claim,
                spec.storage_class_name.clone().unwrap_or_default(),
                spec.volume_attributes_class_name.clone().unwrap_or_else(|| "<unset>".into()),
                pv.status.as_ref().and_then(|s| s.reason.clone()).unwrap_or_default(),
                age,
            ];
            if wide {
                r.push(spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into()));
            }
            r
        }
        Object::PersistentVolumeClaim(pvc) => {
            let spec = pvc.spec.clone().unwrap_or_default();
            let status = pvc.status.clone().unwrap_or_default();
            let bound = status.phase.as_deref() == Some("Bound");
            let capacity = if bound {
                status
                    .capacity
                    .as_ref()
                    .and_then(|c| c.get("storage"))
                    .map(|q| q.0.clone())
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let modes =
                if bound { access_modes(status.access_modes.as_deref()) } else { String::new() };
            let mut r = vec![
                name,
                if pvc.metadata.deletion_timestamp.is_some() {
                    "Terminating".into()
                } else {
                    status.phase.clone().unwrap_or_default()
                },
                spec.volume_name.clone().unwrap_or_default(),
                capacity,
                modes,
                spec.storage_class_name.clone().unwrap_or_default(),
                spec.volume_attributes_class_name.clone().unwrap_or_else(|| "<unset>".into()),
                age,
            ];
            if wide {
                r.push(spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into()));
            }
            r
        }
        Object::StorageClass(sc) => {
            let default = sc
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                .is_some_and(|v| v == "true");
            vec![
                if default { format!("{name} (default)") } else { name },
                sc.provisioner.clone(),
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
                sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
                sc.allow_volume_expansion.unwrap_or(false).to_string(),
                age,
            ]
        }
        Object::Ingress(ing) => {
            let spec = ing.spec.clone().unwrap_or_default();
            let hosts: Vec<String> =
                spec.rules.iter().flatten().filter_map(|r| r.host.clone()).collect();
            let hosts = if hosts.is_empty() {
                "*".to_string()
            } else if hosts.len() > 3 {
                format!("{} + {} more...", hosts[..3].join(","), hosts.len() - 3)
            } else {
                hosts.join(",")
            };
            let address: Vec<String> = ing
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .map(|i| {
                    i.iter().filter_map(|x| x.ip.clone().or_else(|| x.hostname.clone())).collect()
                })
                .unwrap_or_default();
            let ports =
                if spec.tls.as_ref().is_some_and(|t| !t.is_empty()) { "80, 443" } else { "80" };
            vec![
                name,
                spec.ingress_class_name.clone().unwrap_or_else(|| "<none>".into()),
                hosts,
                address.join(","),
                ports.into(),
                age,
            ]
        }
    }
}

/// `GetAccessModesAsString`: the modes present, always in the order RWO,ROX,RWX,RWOP.
pub(super) fn access_modes(modes: Option<&[String]>) -> String {
    let modes = modes.unwrap_or_default();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(long, _)| modes.iter().any(|m| m == long))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

fn event_row(e: &Event, wide: bool, now_ms: i64) -> Vec<String> {
    let since = |ms: i64| human_duration(now_ms - ms);
    // Events of the events.k8s.io API have an eventTime instead of timestamps, and a series.
    let first_seen = match (&e.first_timestamp, &e.event_time) {
        (Some(t), _) => since(time::ms_of(t)),
        (None, Some(t)) => since(time::ms_of_instant(t.0)),
        (None, None) => "<unknown>".into(),
    };
    let (last_seen, count) = match (&e.series, &e.last_timestamp) {
        (Some(series), _) => {
            let last = series.last_observed_time.as_ref().map(|t| time::ms_of_instant(t.0));
            (last.map_or("<unknown>".into(), since), series.count.unwrap_or(0))
        }
        // Singleton events of the new API have no count.
        (None, last) => (
            last.as_ref().map_or(first_seen.clone(), |t| since(time::ms_of(t))),
            e.count.filter(|c| *c != 0).unwrap_or(1),
        ),
    };
    let obj = &e.involved_object;
    let kind = obj.kind.as_deref().unwrap_or_default().to_ascii_lowercase();
    let object = match obj.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => format!("{kind}/{name}"),
        None => kind,
    };
    let message = e.message.as_deref().unwrap_or_default().trim().to_string();
    let (type_, reason) =
        (e.type_.clone().unwrap_or_default(), e.reason.clone().unwrap_or_default());
    if !wide {
        return vec![last_seen, type_, reason, object, message];
    }
    vec![
        last_seen,
        type_,
        reason,
        object,
        obj.field_path.clone().unwrap_or_default(),
        event_source(e),
        message,
        first_seen,
        count.to_string(),
        e.metadata.name.clone().unwrap_or_default(),
    ]
}

/// `component, host` of the event's source, or of its reporting controller and instance.
fn event_source(e: &Event) -> String {
    let source = e.source.as_ref();
    fn non_empty(s: Option<&str>) -> Option<&str> {
        s.filter(|s| !s.is_empty())
    }
    let component = non_empty(source.and_then(|s| s.component.as_deref()))
        .or(non_empty(e.reporting_component.as_deref()))
        .unwrap_or_default();
    match non_empty(source.and_then(|s| s.host.as_deref()))
        .or(non_empty(e.reporting_instance.as_deref()))
    {
        Some(instance) => format!("{component}, {instance}"),
        None => component.to_string(),
    }
}

/// Values of label keys for `-L` columns.
pub fn label_columns(object: &Object, keys: &[String]) -> Vec<String> {
    let labels = object.meta().labels.clone().unwrap_or_default();
    keys.iter().map(|k| labels.get(k).cloned().unwrap_or_default()).collect()
}

/// `-o name`: `pod/kubia`, `deployment.apps/kubia`.
pub fn name_of(object: &Object) -> String {
    format!("{}/{}", object.kind().info().qualified_singular(), object.name())
}

/// The JSON of an object as `-o yaml|json` shows it: with `lastProbeTime: null` where the API
/// keeps an explicit null, so the text matches a real server's.
pub fn output_json(object: &Object) -> Value {
    let mut v = object.to_json();
    if let Some(conds) = v.pointer_mut("/status/conditions").and_then(Value::as_array_mut)
        && object.kind() == Kind::Pod
    {
        for c in conds {
            if let Some(m) = c.as_object_mut() {
                m.entry("lastProbeTime").or_insert(Value::Null);
            }
        }
    }
    // An Event's three times are plain structs in Go: the one an event does not use is a null.
    if let (Kind::Event, Some(m)) = (object.kind(), v.as_object_mut()) {
        for key in ["eventTime", "firstTimestamp", "lastTimestamp"] {
            m.entry(key).or_insert(Value::Null);
        }
    }
    // apimachinery v0.34 tags creationTimestamp `omitzero`: templates no longer print a null one.
    v
}
