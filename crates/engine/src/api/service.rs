//! Service: defaulting (`SetDefaults_Service`), validation (`ValidateService`, worded as upstream),
//! and the API server's allocators: ClusterIPs from the service CIDR and NodePorts from the node
//! port range, both drawn from the seeded PRNG and never colliding.
//!
//! Allocation state is the store itself: an address or port is taken when a stored Service holds
//! it, so deleting a Service frees what it held, as the real allocators' repair loops ensure.
//!
//! Upstream: `pkg/apis/core/v1/defaults.go`, `pkg/apis/core/validation/validation.go`,
//! `pkg/registry/core/service/storage/alloc.go`, `pkg/registry/core/service/ipallocator`.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{ClientIPConfig, Service, ServiceSpec, SessionAffinityConfig};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::apimachinery::labels::validate_labels;
use crate::apimachinery::validation::{
    BadValue, FieldError, FieldPath, is_dns1123_label, is_dns1123_subdomain, is_valid_port_name,
    is_valid_port_num,
};
use crate::cluster::Cluster;

/// The service CIDR (kubeadm's and kind's default).
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
/// First address of the service CIDR, as a number.
pub const SERVICE_CIDR_BASE: u32 = 0x0a60_0000;
/// Addresses in the service CIDR.
pub const SERVICE_CIDR_SIZE: u32 = 1 << 20;
/// Low band kept for user-chosen ClusterIPs (ServiceIPStaticSubrange: min(max(16, size/16), 256)).
pub const SERVICE_IP_STATIC_BAND: u32 = 256;
/// Node port range (`--service-node-port-range` default).
pub const NODE_PORT_MIN: i32 = 30000;
/// Last node port.
pub const NODE_PORT_MAX: i32 = 32767;
/// Low band kept for user-chosen node ports (min(max(16, size/32), 128)).
pub const NODE_PORT_STATIC_BAND: i32 = 86;
/// Default and maximum of `sessionAffinityConfig.clientIP.timeoutSeconds`.
pub const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS: i32 = 10800;
/// Upper bound of the affinity timeout (`MaxClientIPServiceAffinitySeconds`).
pub const MAX_CLIENT_IP_TIMEOUT_SECONDS: i32 = 86400;
/// Random draws before an allocator falls back to a scan.
const ALLOC_RANDOM_TRIES: usize = 64;

/// Parses a dotted IPv4 address.
pub fn parse_ipv4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut n: u32 = 0;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = p.parse().ok()?;
        if v > 255 {
            return None;
        }
        n = (n << 8) | v;
    }
    Some(n)
}

/// Formats a number as a dotted IPv4 address.
pub fn format_ipv4(n: u32) -> String {
    format!("{}.{}.{}.{}", n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

fn spec_type(spec: &ServiceSpec) -> &str {
    spec.type_.as_deref().unwrap_or("ClusterIP")
}

/// Whether the service is headless (`clusterIP: None`).
pub fn is_headless(spec: &ServiceSpec) -> bool {
    spec.cluster_ip.as_deref() == Some("None")
}

fn needs_node_ports(spec: &ServiceSpec) -> bool {
    match spec_type(spec) {
        "NodePort" => true,
        "LoadBalancer" => spec.allocate_load_balancer_node_ports != Some(false),
        _ => false,
    }
}

fn needs_cluster_ip(spec: &ServiceSpec) -> bool {
    spec_type(spec) != "ExternalName" && !is_headless(spec)
}

/// `SetDefaults_Service` plus the ClusterIP/ClusterIPs and IP family defaults of the REST layer.
pub fn default_service(svc: &mut Service) {
    let spec = svc.spec.get_or_insert_with(Default::default);
    if spec.type_.as_deref().is_none_or(str::is_empty) {
        spec.type_ = Some("ClusterIP".into());
    }
    if spec.session_affinity.as_deref().is_none_or(str::is_empty) {
        spec.session_affinity = Some("None".into());
    }
    if spec.session_affinity.as_deref() == Some("ClientIP") {
        let cfg = spec.session_affinity_config.get_or_insert_with(SessionAffinityConfig::default);
        let client = cfg.client_ip.get_or_insert_with(ClientIPConfig::default);
        client.timeout_seconds.get_or_insert(DEFAULT_CLIENT_IP_TIMEOUT_SECONDS);
    }
    for p in spec.ports.iter_mut().flatten() {
        if p.protocol.as_deref().is_none_or(str::is_empty) {
            p.protocol = Some("TCP".into());
        }
        let unset = match &p.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            Some(_) => false,
        };
        if unset {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    let t = spec_type(spec).to_string();
    if matches!(t.as_str(), "NodePort" | "LoadBalancer")
        && spec.external_traffic_policy.as_deref().is_none_or(str::is_empty)
    {
        spec.external_traffic_policy = Some("Cluster".into());
    }
    if t != "ExternalName" && spec.internal_traffic_policy.as_deref().is_none_or(str::is_empty) {
        spec.internal_traffic_policy = Some("Cluster".into());
    }
    if t == "LoadBalancer" && spec.allocate_load_balancer_node_ports.is_none() {
        spec.allocate_load_balancer_node_ports = Some(true);
    }
    // clusterIP and clusterIPs[0] are the same field seen twice.
    let ip = spec.cluster_ip.clone().filter(|s| !s.is_empty());
    let ips = spec.cluster_ips.clone().filter(|v| !v.is_empty());
    match (ip, ips) {
        (Some(ip), None) => spec.cluster_ips = Some(vec![ip]),
        (None, Some(ips)) => spec.cluster_ip = ips.first().cloned(),
        _ => {}
    }
    if t != "ExternalName" {
        spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
        spec.ip_family_policy.get_or_insert_with(|| "SingleStack".into());
    }
}

/// `ValidateService`: field errors as the API server words them.
pub fn validate_service(svc: &Service) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec_path = FieldPath::root("spec");
    let Some(spec) = &svc.spec else {
        errs.push(FieldError::required(&spec_path.child("ports"), ""));
        return errs;
    };
    let t = spec_type(spec);
    if !matches!(t, "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName") {
        errs.push(FieldError::not_supported(
            &spec_path.child("type"),
            t,
            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        ));
    }
    let ports = spec.ports.as_deref().unwrap_or(&[]);
    if ports.is_empty() && !is_headless(spec) && t != "ExternalName" {
        errs.push(FieldError::required(&spec_path.child("ports"), ""));
    }
    if t == "ExternalName" {
        let name = spec.external_name.as_deref().unwrap_or("");
        let path = spec_path.child("externalName");
        if name.is_empty() {
            errs.push(FieldError::required(&path, ""));
        } else {
            let trimmed = name.strip_suffix('.').unwrap_or(name);
            for msg in is_dns1123_subdomain(trimmed) {
                errs.push(FieldError::invalid(&path, name, msg));
            }
        }
    }
    let mut names = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = spec_path.child("ports").index(i);
        let name = p.name.as_deref().unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            errs.push(FieldError::required(&pp.child("name"), ""));
        } else if !name.is_empty() {
            for msg in is_dns1123_label(name) {
                errs.push(FieldError::invalid(&pp.child("name"), name, msg));
            }
            if !names.insert(name.to_string()) {
                errs.push(FieldError::duplicate(&pp.child("name"), name));
            }
        }
        for msg in is_valid_port_num(i64::from(p.port)) {
            errs.push(FieldError::invalid(&pp.child("port"), p.port, msg));
        }
        let proto = p.protocol.as_deref().unwrap_or("TCP");
        if !matches!(proto, "TCP" | "UDP" | "SCTP") {
            errs.push(FieldError::not_supported(
                &pp.child("protocol"),
                proto,
                &["SCTP", "TCP", "UDP"],
            ));
        }
        match &p.target_port {
            Some(IntOrString::Int(n)) => {
                for msg in is_valid_port_num(i64::from(*n)) {
                    errs.push(FieldError::invalid(&pp.child("targetPort"), *n, msg));
                }
            }
            Some(IntOrString::String(s)) => {
                for msg in is_valid_port_name(s) {
                    errs.push(FieldError::invalid(&pp.child("targetPort"), s, msg));
                }
            }
            None => {}
        }
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            if !matches!(t, "NodePort" | "LoadBalancer") {
                errs.push(FieldError::forbidden(
                    &pp.child("nodePort"),
                    &format!("may not be used when `type` is '{t}'"),
                ));
            } else {
                for msg in is_valid_port_num(i64::from(np)) {
                    errs.push(FieldError::invalid(&pp.child("nodePort"), np, msg));
                }
            }
        }
    }
    if let Some(sel) = &spec.selector {
        errs.extend(validate_labels(sel, &spec_path.child("selector")));
    }
    let affinity = spec.session_affinity.as_deref().unwrap_or("None");
    if !matches!(affinity, "None" | "ClientIP") {
        errs.push(FieldError::not_supported(
            &spec_path.child("sessionAffinity"),
            affinity,
            &["ClientIP", "None"],
        ));
    }
    if affinity == "ClientIP" {
        let timeout = spec
            .session_affinity_config
            .as_ref()
            .and_then(|c| c.client_ip.as_ref())
            .and_then(|c| c.timeout_seconds)
            .unwrap_or(DEFAULT_CLIENT_IP_TIMEOUT_SECONDS);
        if timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT_SECONDS {
            errs.push(FieldError::invalid(
                &spec_path.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds"),
                timeout,
                format!("must be greater than 0 and less than {MAX_CLIENT_IP_TIMEOUT_SECONDS}"),
            ));
        }
    }
    if let Some(policy) = spec.external_traffic_policy.as_deref()
        && !matches!(policy, "Cluster" | "Local")
    {
        errs.push(FieldError::not_supported(
            &spec_path.child("externalTrafficPolicy"),
            policy,
            &["Cluster", "Local"],
        ));
    }
    if let Some(policy) = spec.internal_traffic_policy.as_deref()
        && !matches!(policy, "Cluster" | "Local")
    {
        errs.push(FieldError::not_supported(
            &spec_path.child("internalTrafficPolicy"),
            policy,
            &["Cluster", "Local"],
        ));
    }
    if let Some(ip) = spec.cluster_ips.as_ref().and_then(|v| v.first()) {
        if ip != "None" && parse_ipv4(ip).is_none() {
            errs.push(FieldError::invalid(
                &spec_path.child("clusterIPs").index(0),
                ip,
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
        if ip == "None" && matches!(t, "NodePort" | "LoadBalancer") {
            errs.push(FieldError::invalid(
                &spec_path.child("clusterIPs").index(0),
                ip,
                format!("may not be set to 'None' for {t} services"),
            ));
        }
    }
    errs
}

/// Allocation checks the REST layer makes after validation: a requested ClusterIP or node port
/// must be in range and free (the service's own holdings do not count).
pub fn validate_allocation(cluster: &Cluster, svc: &Service) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(spec) = &svc.spec else { return errs };
    let me = (
        svc.metadata.namespace.clone().unwrap_or_default(),
        svc.metadata.name.clone().unwrap_or_default(),
    );
    let path = FieldPath::root("spec");
    if needs_cluster_ip(spec)
        && let Some(ip) = spec.cluster_ips.as_ref().and_then(|v| v.first())
    {
        let ips = spec.cluster_ips.as_deref().unwrap_or(&[]);
        if let Some(n) = parse_ipv4(ip) {
            let detail = if !in_service_cidr(n) {
                Some(format!(
                    "failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}"
                ))
            } else if taken_cluster_ips(cluster, &me).contains(&n) {
                Some(format!("failed to allocate IP {ip}: provided IP is already allocated"))
            } else {
                None
            };
            if let Some(d) = detail {
                errs.push(FieldError::invalid(&path.child("clusterIPs"), ips, d));
            }
        }
    }
    if needs_node_ports(spec) {
        let taken = taken_node_ports(cluster, &me);
        let mut mine = BTreeSet::new();
        for (i, p) in spec.ports.iter().flatten().enumerate() {
            let Some(np) = p.node_port.filter(|n| *n != 0) else { continue };
            let np_path = path.child("ports").index(i).child("nodePort");
            if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&np) {
                errs.push(FieldError::invalid(
                    &np_path,
                    np,
                    format!(
                        "provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"
                    ),
                ));
            } else if taken.contains(&np) || !mine.insert((np, p.protocol.clone())) {
                errs.push(FieldError::invalid(&np_path, np, "provided port is already allocated"));
            }
        }
    }
    errs
}

/// ClusterIP immutability and node-port carry-over rules of `ValidateServiceUpdate`.
pub fn validate_service_update(old: &Service, new: &Service) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (Some(o), Some(n)) = (&old.spec, &new.spec) else { return errs };
    let old_ips = o.cluster_ips.as_deref().unwrap_or(&[]);
    let new_ips = n.cluster_ips.as_deref().unwrap_or(&[]);
    let changing_to_external = spec_type(n) == "ExternalName" && spec_type(o) != "ExternalName";
    if let (Some(a), Some(b)) = (old_ips.first(), new_ips.first())
        && a != b
        && !changing_to_external
    {
        errs.push(FieldError::invalid(
            &FieldPath::root("spec").child("clusterIPs").index(0),
            BadValue::from(new_ips),
            "may not change once set",
        ));
    }
    errs
}

fn in_service_cidr(n: u32) -> bool {
    (SERVICE_CIDR_BASE..SERVICE_CIDR_BASE + SERVICE_CIDR_SIZE).contains(&n)
}

fn others<'a>(cluster: &'a Cluster, me: &'a (String, String)) -> impl Iterator<Item = &'a Service> {
    cluster.store.list_typed::<Service>(None).filter(move |s| {
        s.metadata.namespace.as_deref().unwrap_or("") != me.0
            || s.metadata.name.as_deref().unwrap_or("") != me.1
    })
}

fn taken_cluster_ips(cluster: &Cluster, me: &(String, String)) -> BTreeSet<u32> {
    let mut taken = BTreeSet::new();
    taken.extend(
        others(cluster, me)
            .filter_map(|s| s.spec.as_ref())
            .flat_map(|s| s.cluster_ips.iter().flatten())
            .filter_map(|ip| parse_ipv4(ip)),
    );
    taken
}

fn taken_node_ports(cluster: &Cluster, me: &(String, String)) -> BTreeSet<i32> {
    let mut taken = BTreeSet::new();
    for spec in others(cluster, me).filter_map(|s| s.spec.as_ref()) {
        for p in spec.ports.iter().flatten() {
            if let Some(np) = p.node_port.filter(|n| *n != 0) {
                taken.insert(np);
            }
        }
        if let Some(hc) = spec.health_check_node_port.filter(|n| *n != 0) {
            taken.insert(hc);
        }
    }
    taken
}

/// A free ClusterIP: random in the upper band of the CIDR, as the allocator prefers.
fn allocate_cluster_ip(cluster: &mut Cluster, me: &(String, String)) -> Option<String> {
    let taken = taken_cluster_ips(cluster, me);
    let (lo, hi) = (SERVICE_IP_STATIC_BAND, SERVICE_CIDR_SIZE - 2);
    for _ in 0..ALLOC_RANDOM_TRIES {
        let n = SERVICE_CIDR_BASE + cluster.rng.range_inclusive(lo as u64, hi as u64) as u32;
        if !taken.contains(&n) {
            return Some(format_ipv4(n));
        }
    }
    (1..=hi).map(|o| SERVICE_CIDR_BASE + o).find(|n| !taken.contains(n)).map(format_ipv4)
}

fn allocate_node_port(cluster: &mut Cluster, taken: &BTreeSet<i32>) -> Option<i32> {
    let lo = NODE_PORT_MIN + NODE_PORT_STATIC_BAND;
    for _ in 0..ALLOC_RANDOM_TRIES {
        let n = cluster.rng.range_inclusive(lo as u64, NODE_PORT_MAX as u64) as i32;
        if !taken.contains(&n) {
            return Some(n);
        }
    }
    (NODE_PORT_MIN..=NODE_PORT_MAX).find(|n| !taken.contains(n))
}

/// Allocates what the service still lacks: a ClusterIP, node ports, a health-check node port.
pub fn allocate(cluster: &mut Cluster, svc: &mut Service) {
    let me = (
        svc.metadata.namespace.clone().unwrap_or_default(),
        svc.metadata.name.clone().unwrap_or_default(),
    );
    let Some(spec) = svc.spec.as_mut() else { return };
    if spec_type(spec) == "ExternalName" {
        spec.cluster_ip = None;
        spec.cluster_ips = None;
        spec.ip_families = None;
        spec.ip_family_policy = None;
    } else if !is_headless(spec)
        && spec.cluster_ip.as_deref().is_none_or(str::is_empty)
        && let Some(ip) = allocate_cluster_ip(cluster, &me)
    {
        spec.cluster_ip = Some(ip.clone());
        spec.cluster_ips = Some(vec![ip]);
    }
    let mut taken = taken_node_ports(cluster, &me);
    if needs_node_ports(spec) {
        for p in spec.ports.iter_mut().flatten() {
            match p.node_port.filter(|n| *n != 0) {
                Some(n) => {
                    taken.insert(n);
                }
                None => {
                    p.node_port = allocate_node_port(cluster, &taken);
                    if let Some(n) = p.node_port {
                        taken.insert(n);
                    }
                }
            }
        }
    }
    let wants_hc = spec_type(spec) == "LoadBalancer"
        && spec.external_traffic_policy.as_deref() == Some("Local");
    if wants_hc && spec.health_check_node_port.is_none_or(|n| n == 0) {
        spec.health_check_node_port = allocate_node_port(cluster, &taken);
    } else if !wants_hc {
        spec.health_check_node_port = None;
    }
}

/// On update, values the client left out but the server allocated are kept (`patchAllocatedValues`).
pub fn keep_allocated(old: &Service, new: &mut Service) {
    let (Some(o), Some(n)) = (&old.spec, new.spec.as_mut()) else { return };
    if spec_type(n) != "ExternalName" {
        if n.cluster_ip.as_deref().is_none_or(str::is_empty) {
            n.cluster_ip = o.cluster_ip.clone();
        }
        if n.cluster_ips.as_ref().is_none_or(Vec::is_empty) {
            n.cluster_ips = o.cluster_ips.clone();
        }
    }
    if needs_node_ports(n) {
        for p in n.ports.iter_mut().flatten() {
            if p.node_port.is_some_and(|x| x != 0) {
                continue;
            }
            let same = o.ports.iter().flatten().find(|op| {
                op.port == p.port && op.protocol == p.protocol
                    || (op.name.is_some() && op.name == p.name)
            });
            p.node_port = same.and_then(|op| op.node_port);
        }
        if n.health_check_node_port.is_none() {
            n.health_check_node_port = o.health_check_node_port;
        }
    }
}
