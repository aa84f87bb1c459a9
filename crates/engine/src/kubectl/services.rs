//! Reaching workloads: `kubectl expose`, `kubectl create service clusterip|nodeport|loadbalancer|
//! externalname` and `kubectl port-forward`, worded as kubectl v1.34 (`pkg/cmd/expose`,
//! `pkg/cmd/create/create_service.go`, `pkg/cmd/portforward`).
//!
//! Port-forward cannot block a script, so it prints its two `Forwarding from` lines and registers
//! the forward with the cluster's network; a later bare `curl localhost:PORT` reaches the pod, and
//! the forward's `Handling connection for PORT` line appears before that curl's output, where a
//! backgrounded `kubectl port-forward ... &` prints it in a real terminal.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::args::{Parsed, boolean, parse, val};
use super::printers::name_of;
use super::resources::resolve;
use super::{Ctx, Output};
use crate::api::{ApiError, ApiKind, Kind, ObjKey, Object};
use crate::apimachinery::labels::Selector;

/// Most ports one command may name.
const MAX_PORTS: usize = 100;

fn int_or_string(s: &str) -> IntOrString {
    match s.parse::<i32>() {
        Ok(i) => IntOrString::Int(i),
        Err(_) => IntOrString::String(s.to_string()),
    }
}

fn print_created(ctx: &Ctx, p: &Parsed, object: &Object, verb: &str) -> Output {
    match p.get("output") {
        Some(f) => match super::get::parse_format(Some(f)).and_then(|f| {
            super::get::print_objects(&f, std::slice::from_ref(object), ctx.cluster.now())
        }) {
            Ok(s) => Output::ok(s),
            Err(e) => Output::fail(e),
        },
        None => Output::ok(format!("{} {verb}\n", name_of(object))),
    }
}

fn submit(ctx: &mut Ctx, p: &Parsed, object: Object, verb: &str) -> Output {
    if matches!(p.get("dry-run"), Some("client") | Some("true")) {
        let object = super::workloads::with_client_zero_structs(object);
        return print_created(ctx, p, &object, &format!("{verb} (dry run)"));
    }
    match ctx.cluster.create(object) {
        Ok(o) => print_created(ctx, p, &o, verb),
        Err(e) => Output::fail(e.kubectl_message(None)),
    }
}

// ---- create service --------------------------------------------------------------------------

/// `kubectl create service clusterip|nodeport|loadbalancer|externalname NAME ...`.
pub fn create_service(ctx: &mut Ctx, argv: &[String]) -> Output {
    let Some(kind) = argv.first().filter(|a| !a.starts_with('-')) else {
        return Output::fail(
            "error: Required resource not specified.\nSee 'kubectl create service -h' for help and examples",
        );
    };
    let ty = match kind.as_str() {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        other => {
            return Output::fail(format!(
                "error: unknown command \"{other}\" for \"kubectl create service\""
            ));
        }
    };
    let command = format!("create service {kind}");
    let flags = [
        val("tcp", None),
        val("clusterip", None),
        val("node-port", None),
        val("external-name", None),
        val("dry-run", None),
        val("output", Some('o')),
        boolean("save-config", None),
    ];
    let p = match parse(&command, &argv[1..], &flags) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let name = match p.positional.as_slice() {
        [n] => n.clone(),
        other => {
            return Output::fail(format!(
                "error: exactly one NAME is required, got {}\nSee 'kubectl {command} -h' for help and examples",
                other.len()
            ));
        }
    };
    let tcp: Vec<String> = p
        .all("tcp")
        .iter()
        .flat_map(|t| t.split(',').map(String::from).collect::<Vec<_>>())
        .collect();
    if tcp.len() > MAX_PORTS {
        return Output::fail("error: too many ports");
    }
    let cluster_ip = p.get("clusterip").map(String::from);
    if cluster_ip.as_deref() == Some("None") && ty != "ClusterIP" {
        return Output::fail("error: ClusterIP=None can only be used with ClusterIP service type");
    }
    if cluster_ip.as_deref() != Some("None") && tcp.is_empty() && ty != "ExternalName" {
        return Output::fail("error: at least one tcp port specifier must be provided");
    }
    let external = p.get("external-name").map(String::from);
    if ty == "ExternalName" {
        let en = external.clone().unwrap_or_default();
        if en.is_empty() {
            return Output::fail("error: required flag(s) \"external-name\" not set");
        }
        if !crate::apimachinery::validation::is_dns1123_subdomain(&en).is_empty() {
            return Output::fail(format!("error: invalid service external name {en}"));
        }
    }
    let node_port = match p.get("node-port").map(str::parse::<i32>) {
        None => None,
        Some(Ok(n)) if n != 0 => Some(n),
        Some(Ok(_)) => None,
        Some(Err(_)) => {
            let v = p.get("node-port").unwrap_or_default();
            return Output::fail(format!(
                "error: invalid argument \"{v}\" for \"--node-port\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl {command} --help' for usage."
            ));
        }
    };
    let mut ports = Vec::new();
    for t in &tcp {
        let (port, target) = match t.split_once(':') {
            Some((a, b)) => (a, b),
            None => (t.as_str(), t.as_str()),
        };
        let Ok(port) = port.parse::<i32>() else {
            return Output::fail(format!(
                "error: strconv.Atoi: parsing \"{port}\": invalid syntax"
            ));
        };
        ports.push(ServicePort {
            name: Some(t.replace(':', "-")),
            port,
            target_port: Some(int_or_string(target)),
            protocol: Some("TCP".into()),
            node_port,
            ..Default::default()
        });
    }
    let labels = BTreeMap::from([("app".to_string(), name.clone())]);
    let svc = Service {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: super::workloads::explicit_namespace(&p),
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            type_: Some(ty.into()),
            selector: Some(labels),
            ports: (!ports.is_empty()).then_some(ports),
            external_name: external,
            cluster_ip,
            ..Default::default()
        }),
        status: None,
    };
    submit(ctx, &p, svc.into_object(), "created")
}

// ---- expose ----------------------------------------------------------------------------------

/// The selector `expose` copies (`MapBasedSelectorForObject`).
fn selector_of(object: &Object) -> Result<BTreeMap<String, String>, String> {
    let from_label_selector =
        |s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector| {
            if let Some(exprs) = s.match_expressions.as_ref().filter(|e| !e.is_empty()) {
                // Go's %+v of []LabelSelectorRequirement.
                let items: Vec<String> = exprs
                    .iter()
                    .map(|e| {
                        format!(
                            "{{Key:{} Operator:{} Values:[{}]}}",
                            e.key,
                            e.operator,
                            e.values.clone().unwrap_or_default().join(" ")
                        )
                    })
                    .collect();
                return Err(format!(
                    "couldn't convert expressions - \"[{}]\" to map-based selector format",
                    items.join(" ")
                ));
            }
            Ok(s.match_labels.clone().unwrap_or_default())
        };
    match object {
        Object::Pod(p) => match p.metadata.labels.clone().filter(|l| !l.is_empty()) {
            Some(l) => Ok(l),
            None => Err("the pod has no labels and cannot be exposed".into()),
        },
        Object::Service(s) => {
            match s.spec.as_ref().and_then(|s| s.selector.clone()).filter(|l| !l.is_empty()) {
                Some(l) => Ok(l),
                None => Err("the service has no pod selector set".into()),
            }
        }
        Object::ReplicationController(r) => {
            Ok(r.spec.as_ref().and_then(|s| s.selector.clone()).unwrap_or_default())
        }
        Object::ReplicaSet(r) => from_label_selector(&r.spec.selector),
        Object::Deployment(d) => from_label_selector(&d.spec.selector),
        other => Err(format!("cannot extract pod selector from {}", other.kind().info().kind)),
    }
}

/// Ports and protocols (`PortsForObject`, `ProtocolsForObject`), in declaration order.
fn ports_of(object: &Object) -> Vec<(String, String)> {
    let containers = |spec: Option<&k8s_openapi::api::core::v1::PodSpec>| -> Vec<(String, String)> {
        spec.map(|s| {
            s.containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .map(|p| {
                    (
                        p.container_port.to_string(),
                        p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let mut template = object.clone();
    match object {
        Object::Pod(p) => containers(p.spec.as_ref()),
        Object::Service(s) => s
            .spec
            .as_ref()
            .and_then(|s| s.ports.clone())
            .unwrap_or_default()
            .iter()
            .map(|p| (p.port.to_string(), p.protocol.clone().unwrap_or_else(|| "TCP".into())))
            .collect(),
        _ => {
            containers(super::workloads::template_mut(&mut template).and_then(|t| t.spec.as_ref()))
        }
    }
}

/// `kubectl expose`.
pub fn expose(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("port", None),
        val("target-port", None),
        val("type", None),
        val("name", None),
        val("selector", None),
        val("protocol", None),
        val("labels", Some('l')),
        val("external-ip", None),
        val("session-affinity", None),
        val("cluster-ip", None),
        val("load-balancer-ip", None),
        val("dry-run", None),
        val("output", Some('o')),
        val("filename", Some('f')),
        boolean("save-config", None),
        boolean("record", None),
        val("override-type", None),
        val("overrides", None),
    ];
    let p = match parse("expose", argv, &flags) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let resolved = match resolve(&p.positional) {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    let Some(target) = resolved.targets.first() else {
        return Output::fail(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        );
    };
    let Some(name) = target.name.clone() else {
        return Output::fail("error: resource(s) were provided, but no name was specified");
    };
    let ns = p.namespace();
    let key = ObjKey::new(target.kind, &ns, &name);
    let Some(object) = ctx.cluster.get(&key).cloned() else {
        return Output::fail(
            ApiError::not_found(&target.kind.info().qualified_plural(), &name)
                .kubectl_message(None),
        );
    };
    if !matches!(
        object.kind(),
        Kind::Pod
            | Kind::Service
            | Kind::ReplicationController
            | Kind::ReplicaSet
            | Kind::Deployment
    ) {
        let i = object.kind().info();
        let gk =
            if i.group.is_empty() { i.kind.to_string() } else { format!("{}.{}", i.kind, i.group) };
        return Output::fail(format!("error: cannot expose a {gk}"));
    }
    let selector = match p.get("selector") {
        Some(s) => match parse_label_spec(s) {
            Ok(m) => m,
            Err(e) => return Output::fail(format!("error: {e}")),
        },
        None => match selector_of(&object) {
            Ok(m) => m,
            Err(e) => {
                return Output::fail(format!(
                    "error: couldn't retrieve selectors via --selector flag or introspection: {e}"
                ));
            }
        },
    };
    if selector.is_empty() {
        return Output::fail(
            "error: couldn't retrieve selectors via --selector flag or introspection: the object has no selector",
        );
    }
    let headless = p.get("cluster-ip") == Some("None");
    let introspected = ports_of(&object);
    let port_strings: Vec<String> = match p.get("port") {
        Some(port) => port.split(',').map(String::from).collect(),
        None => {
            if introspected.is_empty() && !headless {
                return Output::fail("error: couldn't find port via --port flag or introspection");
            }
            introspected.iter().map(|(p, _)| p.clone()).collect()
        }
    };
    if port_strings.len() > MAX_PORTS {
        return Output::fail("error: too many ports");
    }
    let mut protocols = BTreeMap::new();
    protocols.extend(introspected.iter().cloned());
    let mut ports = Vec::new();
    let many = port_strings.len() > 1;
    for (i, ps) in port_strings.iter().enumerate() {
        let Ok(port) = ps.parse::<i32>() else {
            return Output::fail(format!("error: strconv.Atoi: parsing \"{ps}\": invalid syntax"));
        };
        let protocol = p
            .get("protocol")
            .map(String::from)
            .or_else(|| protocols.get(ps).cloned())
            .unwrap_or_else(|| "TCP".into());
        ports.push(ServicePort {
            name: many.then(|| format!("port-{}", i + 1)),
            port,
            protocol: Some(protocol),
            target_port: Some(match p.get("target-port") {
                Some(t) => int_or_string(t),
                None => IntOrString::Int(port),
            }),
            ..Default::default()
        });
    }
    let labels = match p.get("labels") {
        Some(l) => match parse_label_spec(l) {
            Ok(m) => Some(m),
            Err(e) => return Output::fail(format!("error: {e}")),
        },
        None => object.meta().labels.clone(),
    };
    let affinity = match p.get("session-affinity") {
        None => None,
        Some(a @ ("None" | "ClientIP")) => Some(a.to_string()),
        Some(other) => return Output::fail(format!("error: unknown session affinity: {other}")),
    };
    let svc_name: String =
        p.get("name").map(String::from).unwrap_or_else(|| name.chars().take(63).collect());
    let svc = Service {
        metadata: ObjectMeta {
            name: Some(svc_name),
            namespace: Some(ns),
            labels,
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            selector: Some(selector),
            ports: (!ports.is_empty()).then_some(ports),
            type_: p.get("type").map(String::from),
            external_ips: p.get("external-ip").map(|ip| vec![ip.to_string()]),
            session_affinity: affinity,
            cluster_ip: p.get("cluster-ip").map(String::from),
            load_balancer_ip: p
                .get("load-balancer-ip")
                .filter(|_| p.get("type") == Some("LoadBalancer"))
                .map(String::from),
            ..Default::default()
        }),
        status: None,
    };
    let svc = match super::workloads::apply_overrides(svc.into_object(), &p) {
        Ok(svc) => svc,
        Err(e) => return Output::fail(e),
    };
    let mut out = submit(ctx, &p, svc, "exposed");
    out.stderr.insert_str(0, super::workloads::record_deprecation(&p));
    out
}

fn parse_label_spec(spec: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for part in spec.split(',') {
        let kv: Vec<&str> = part.split('=').collect();
        if kv.len() != 2 {
            return Err(format!("unexpected label spec: {part}"));
        }
        if kv[0].is_empty() {
            return Err("unexpected empty label key".into());
        }
        out.insert(kv[0].to_string(), kv[1].to_string());
    }
    Ok(out)
}

// ---- port-forward ----------------------------------------------------------------------------

/// The pod `port-forward`/`logs` attach to for a workload or service: a running pod its
/// selector matches, the oldest first.
fn attachable_pod(ctx: &Ctx, object: &Object) -> Result<Pod, String> {
    if let Object::Pod(p) = object {
        return Ok(Pod::clone(p));
    }
    let map = selector_of(object)
        .map_err(|e| format!("error: cannot attach to {}: {e}", object.kind().info().kind))?;
    let sel = Selector::from_set(&map);
    let mut pods: Vec<Pod> = ctx
        .cluster
        .store
        .list_typed::<Pod>(Some(object.namespace()))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| sel.matches(&p.metadata.labels.clone().unwrap_or_default()))
        .cloned()
        .collect();
    crate::sorting::sort_by_key(&mut pods, |p| {
        let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
        (!running, p.metadata.creation_timestamp.clone().map(|t| t.0), p.metadata.name.clone())
    });
    pods.into_iter().next().ok_or_else(|| "error: timed out waiting for the condition".to_string())
}

/// `kubectl port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT...`.
pub fn port_forward(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [val("address", None), val("pod-running-timeout", None)];
    let p = match parse("port-forward", argv, &flags) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    if p.positional.len() < 2 {
        return Output::fail(
            "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples",
        );
    }
    let (kind, name) = match p.positional[0].split_once('/') {
        Some((t, n)) => match Kind::from_resource_name(t) {
            Some(k) => (k, n.to_string()),
            None => {
                return Output::fail(format!(
                    "error: the server doesn't have a resource type \"{t}\""
                ));
            }
        },
        None => (Kind::Pod, p.positional[0].clone()),
    };
    let ns = p.namespace();
    let Some(object) = ctx.cluster.get(&ObjKey::new(kind, &ns, &name)).cloned() else {
        return Output::fail(
            ApiError::not_found(&kind.info().qualified_plural(), &name).kubectl_message(None),
        );
    };
    let pod = match attachable_pod(ctx, &object) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let mut mappings = Vec::new();
    for spec in &p.positional[1..] {
        let (local, remote) = match spec.split_once(':') {
            Some((l, r)) => (l, r),
            None => (spec.as_str(), spec.as_str()),
        };
        if remote.is_empty() {
            return Output::fail("error: remote port cannot be empty");
        }
        // A service port translates to its target port; a named port to the container's number.
        let remote_port = match translate_port(&object, &pod, remote) {
            Ok(n) => n,
            Err(e) => return Output::fail(e),
        };
        let local_port = if local.is_empty() && spec.contains(':') {
            // `:REMOTE` asks the kernel for a free ephemeral port.
            32768 + ctx.cluster.rng.below(28232) as i32
        } else if local.is_empty() {
            remote_port
        } else {
            match local.parse::<u16>() {
                Ok(n) => i32::from(n),
                Err(_) => {
                    return Output::fail(format!(
                        "error: Error parsing local port '{local}': strconv.ParseUint: parsing \"{local}\": invalid syntax"
                    ));
                }
            }
        };
        mappings.push((local_port, remote_port));
    }
    let phase =
        pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into());
    if phase != "Running" {
        return Output::fail(format!(
            "error: unable to forward port because pod is not running. Current status={phase}"
        ));
    }
    let pod_key = ObjKey::new(Kind::Pod, &ns, pod.metadata.name.as_deref().unwrap_or(""));
    let mut out = Output::default();
    for (local, remote) in mappings {
        if ctx.cluster.net.port_forwards.len() >= MAX_PORTS
            && !ctx.cluster.net.port_forwards.contains_key(&local)
        {
            return Output::fail("error: too many port forwards");
        }
        if ctx.cluster.net.port_forwards.contains_key(&local) {
            out.push(Output::fail(format!(
                "Unable to listen on port {local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:{local}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:{local}: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{{{local} {remote}}}]"
            )));
            return out;
        }
        ctx.cluster.net.port_forwards.insert(local, (pod_key.clone(), remote));
        out.stdout.push_str(&format!(
            "Forwarding from 127.0.0.1:{local} -> {remote}\nForwarding from [::1]:{local} -> {remote}\n"
        ));
    }
    out
}

fn translate_port(object: &Object, pod: &Pod, remote: &str) -> Result<i32, String> {
    let container_port = |name: &str| -> Option<i32> {
        pod.spec
            .as_ref()?
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .find_map(|p| (p.name.as_deref() == Some(name)).then_some(p.container_port))
    };
    if let Object::Service(s) = object {
        let port: i32 = remote
            .parse()
            .map_err(|_| format!("error: strconv.Atoi: parsing \"{remote}\": invalid syntax"))?;
        let sp = s
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .and_then(|ps| ps.iter().find(|p| p.port == port))
            .ok_or_else(|| {
                format!("error: Service {} does not have a service port {port}", object.name())
            })?;
        return match &sp.target_port {
            None => Ok(port),
            Some(IntOrString::Int(i)) => Ok(*i),
            Some(IntOrString::String(n)) => container_port(n).ok_or_else(|| {
                format!(
                    "error: Pod '{}' does not have a named port '{n}'",
                    pod.metadata.name.as_deref().unwrap_or("")
                )
            }),
        };
    }
    match remote.parse::<u16>() {
        Ok(n) if n > 0 => Ok(i32::from(n)),
        _ => container_port(remote).ok_or_else(|| {
            format!(
                "error: Pod '{}' does not have a named port '{remote}'",
                pod.metadata.name.as_deref().unwrap_or("")
            )
        }),
    }
}
