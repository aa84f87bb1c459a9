//! CoreDNS's `kubernetes` plugin: `<svc>.<ns>.svc.cluster.local` to the ClusterIP, headless
//! services to their ready pod IPs (and `<hostname>.<svc>.<ns>.svc...` to one pod), ExternalName
//! to a CNAME, `a-b-c-d.<ns>.pod.cluster.local` to a pod IP; a pod's resolver walks its search
//! path (`<ns>.svc.cluster.local svc.cluster.local cluster.local`, `ndots:5`). Also the text of
//! `nslookup` as bind9's (Debian images) or BusyBox's prints it.

use k8s_openapi::api::core::v1::{Endpoints, Pod, Service};

use crate::api::service::parse_ipv4;
use crate::bootstrap::DNS_SERVICE_IP;
use crate::cluster::Cluster;

/// The cluster domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// Longest name the resolver accepts.
pub const MAX_NAME_LEN: usize = 253;

/// A DNS answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A records, in answer order.
    A(Vec<String>),
    /// A CNAME to this name (no trailing dot).
    Cname(String),
}

fn ready_ips(cluster: &Cluster, ns: &str, name: &str, hostname: Option<&str>) -> Vec<String> {
    let Some(ep) = cluster.store.get_typed::<Endpoints>(ns, name) else { return Vec::new() };
    let mut ips: Vec<String> = ep
        .subsets
        .iter()
        .flatten()
        .flat_map(|s| s.addresses.iter().flatten())
        .filter(|a| hostname.is_none() || a.hostname.as_deref() == hostname)
        .map(|a| a.ip.clone())
        .collect();
    crate::sorting::sort_by_key(&mut ips, |ip| parse_ipv4(ip).unwrap_or(u32::MAX));
    ips.dedup();
    ips
}

/// Answers a fully qualified name (lowercase, no trailing dot) in the cluster zone.
pub fn lookup_fqdn(cluster: &Cluster, fqdn: &str) -> Option<Record> {
    let rest = fqdn.strip_suffix(CLUSTER_DOMAIN)?.strip_suffix('.')?;
    let labels: Vec<&str> = rest.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => {
            let s = cluster.store.get_typed::<Service>(ns, svc)?;
            let spec = s.spec.as_ref()?;
            if spec.type_.as_deref() == Some("ExternalName") {
                let target = spec.external_name.clone()?;
                return Some(Record::Cname(target.trim_end_matches('.').to_string()));
            }
            if crate::api::service::is_headless(spec) {
                let ips = ready_ips(cluster, ns, svc, None);
                return (!ips.is_empty()).then_some(Record::A(ips));
            }
            spec.cluster_ip.clone().filter(|ip| !ip.is_empty()).map(|ip| Record::A(vec![ip]))
        }
        [host, svc, ns, "svc"] => {
            let ips = ready_ips(cluster, ns, svc, Some(host));
            (!ips.is_empty()).then_some(Record::A(ips))
        }
        [dashed, ns, "pod"] => {
            let ip = dashed.replace('-', ".");
            parse_ipv4(&ip)?;
            let exists = cluster
                .store
                .list_typed::<Pod>(Some(ns))
                .any(|p| p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip.as_str()));
            exists.then_some(Record::A(vec![ip]))
        }
        _ => None,
    }
}

/// The names a pod's resolver tries for `name`, in order (search path, `ndots:5`).
pub fn candidates(namespace: &str, name: &str) -> Vec<String> {
    let name = name.to_ascii_lowercase();
    if let Some(abs) = name.strip_suffix('.') {
        return vec![abs.to_string()];
    }
    let search = [
        format!("{namespace}.svc.{CLUSTER_DOMAIN}"),
        format!("svc.{CLUSTER_DOMAIN}"),
        CLUSTER_DOMAIN.to_string(),
    ];
    let mut out: Vec<String> = search.iter().map(|d| format!("{name}.{d}")).collect();
    if name.matches('.').count() >= 5 {
        out.insert(0, name);
    } else {
        out.push(name);
    }
    out
}

/// Resolves `name` as a pod in `namespace` would: the name that answered and its record.
pub fn resolve_from_pod(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
) -> Option<(String, Record)> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return None;
    }
    candidates(namespace, name)
        .into_iter()
        .find_map(|fqdn| lookup_fqdn(cluster, &fqdn).map(|r| (fqdn, r)))
}

/// An IPv4 address for `name` from inside a pod, following a CNAME within the cluster zone.
pub fn address_from_pod(cluster: &Cluster, namespace: &str, name: &str) -> Option<String> {
    if parse_ipv4(name).is_some() {
        return Some(name.to_string());
    }
    let mut record = resolve_from_pod(cluster, namespace, name)?.1;
    for _ in 0..8 {
        match record {
            Record::A(ips) => return ips.first().cloned(),
            Record::Cname(target) => record = lookup_fqdn(cluster, &target)?,
        }
    }
    None
}

fn ptr_name(cluster: &Cluster, ip: &str) -> Option<String> {
    for s in cluster.store.list_typed::<Service>(None) {
        if s.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some(ip) {
            return Some(format!(
                "{}.{}.svc.{CLUSTER_DOMAIN}",
                s.metadata.name.as_deref().unwrap_or(""),
                s.metadata.namespace.as_deref().unwrap_or("")
            ));
        }
    }
    for p in cluster.store.list_typed::<Pod>(None) {
        if p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip) {
            return Some(format!(
                "{}.{}.pod.{CLUSTER_DOMAIN}",
                ip.replace('.', "-"),
                p.metadata.namespace.as_deref().unwrap_or("")
            ));
        }
    }
    None
}

/// What `nslookup <name>` prints in a pod of `namespace`: Ok for an answer, Err (exit 1) for
/// NXDOMAIN. `busybox` selects BusyBox's `Address: ip:53` header over bind9's `ip#53`.
pub fn nslookup_text(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    busybox: bool,
) -> Result<String, String> {
    let sep = if busybox { ':' } else { '#' };
    let mut out = format!("Server:\t\t{DNS_SERVICE_IP}\nAddress:\t{DNS_SERVICE_IP}{sep}53\n\n");
    if let Some(n) = parse_ipv4(name) {
        let octets = [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >> 24];
        let arpa = format!("{}.{}.{}.{}.in-addr.arpa", octets[0], octets[1], octets[2], octets[3]);
        return match ptr_name(cluster, name) {
            Some(host) => {
                out.push_str(&format!("{arpa}\tname = {host}.\n\n"));
                Ok(out)
            }
            None => {
                out.push_str(&format!("** server can't find {arpa}: NXDOMAIN\n\n"));
                Err(out)
            }
        };
    }
    let Some((fqdn, record)) = resolve_from_pod(cluster, namespace, name) else {
        out.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
        return Err(out);
    };
    let mut current = (fqdn, record);
    for _ in 0..8 {
        match current.1 {
            Record::A(ips) => {
                for ip in ips {
                    out.push_str(&format!("Name:\t{}\nAddress: {ip}\n", current.0));
                }
                break;
            }
            Record::Cname(target) => {
                out.push_str(&format!("{}\tcanonical name = {target}.\n", current.0));
                match lookup_fqdn(cluster, &target) {
                    Some(r) => current = (target, r),
                    None => break,
                }
            }
        }
    }
    out.push('\n');
    Ok(out)
}
