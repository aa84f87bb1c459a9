//! The ingress controller's data path, as ingress-nginx routes: the rule whose host matches
//! (exact before wildcard before none), then the longest matching path (Exact before Prefix;
//! `ImplementationSpecific` is nginx's string prefix), to a service port and one of its ready
//! endpoints. Nothing matching is nginx's 404 page; a backend without endpoints its 503 page; a
//! host listed under `tls` answers plain HTTP with a 308 redirect to HTTPS.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};

use super::proxy::{NetError, Response, pick, ready_targets, to_pod};
use super::{TrafficEvent, lb};
use crate::api::{Kind, ObjKey};
use crate::cluster::Cluster;

/// The address the controller's pod would have; backends see requests from it.
pub const CONTROLLER_POD_IP: &str = "10.244.0.1";

fn nginx_page(code: u16, text: &str) -> Response {
    Response {
        status: code,
        body: format!(
            "<html>\r\n<head><title>{code} {text}</title></head>\r\n<body>\r\n<center><h1>{code} {text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        ),
    }
}

/// How well a rule host matches the request host: 2 exact, 1 wildcard, 0 any host.
fn host_rank(rule_host: Option<&str>, host: &str) -> Option<u8> {
    match rule_host.filter(|h| !h.is_empty()) {
        None => Some(0),
        Some(h) if h == host => Some(2),
        Some(h) => {
            let suffix = h.strip_prefix("*.")?;
            let (first, rest) = host.split_once('.')?;
            (!first.is_empty() && rest == suffix).then_some(1)
        }
    }
}

/// Whether `path` matches a rule path, and how long the match is.
fn path_match(path_type: &str, rule: &str, path: &str) -> Option<usize> {
    let path = path.split('?').next().unwrap_or(path);
    match path_type {
        "Exact" => (path == rule).then_some(rule.len() * 2 + 1),
        "Prefix" => {
            let r = rule.trim_end_matches('/');
            if r.is_empty() {
                return Some(1);
            }
            let ok = path == r || path.starts_with(&format!("{r}/"));
            ok.then_some(r.len() * 2)
        }
        _ => {
            let r = if rule.is_empty() { "/" } else { rule };
            path.starts_with(r).then_some(r.len() * 2)
        }
    }
}

struct Match {
    ingress: ObjKey,
    backend: IngressBackend,
    tls: bool,
}

fn find(cluster: &Cluster, host: &str, path: &str) -> Option<Match> {
    let mut best: Option<((u8, usize), Match)> = None;
    let mut default: Option<Match> = None;
    for ing in cluster.store.list_typed::<Ingress>(None) {
        if !lb::claims(ing) {
            continue;
        }
        let Some(spec) = &ing.spec else { continue };
        let key = ObjKey::new(
            Kind::Ingress,
            ing.metadata.namespace.as_deref().unwrap_or(""),
            ing.metadata.name.as_deref().unwrap_or(""),
        );
        let tls_hosts: Vec<&str> = spec
            .tls
            .iter()
            .flatten()
            .flat_map(|t| t.hosts.iter().flatten())
            .map(String::as_str)
            .collect();
        for rule in spec.rules.iter().flatten() {
            let Some(rank) = host_rank(rule.host.as_deref(), host) else { continue };
            for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                let rule_path = p.path.as_deref().unwrap_or("/");
                let Some(len) = path_match(&p.path_type, rule_path, path) else { continue };
                let score = (rank, len);
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((
                        score,
                        Match {
                            ingress: key.clone(),
                            backend: p.backend.clone(),
                            tls: rule.host.as_deref().is_some_and(|h| tls_hosts.contains(&h)),
                        },
                    ));
                }
            }
        }
        if default.is_none()
            && let Some(b) = &spec.default_backend
        {
            default = Some(Match { ingress: key, backend: b.clone(), tls: false });
        }
    }
    best.map(|(_, m)| m).or(default)
}

/// Serves a request that reached the ingress controller.
pub fn serve(
    cluster: &mut Cluster,
    host: &str,
    path: &str,
    https: bool,
    ev: &mut TrafficEvent,
) -> Result<Response, NetError> {
    let Some(m) = find(cluster, host, path) else {
        return Ok(nginx_page(404, "Not Found"));
    };
    ev.ingress = Some(m.ingress.clone());
    if m.tls && !https {
        return Ok(nginx_page(308, "Permanent Redirect"));
    }
    let Some(backend) = m.backend.service.as_ref() else {
        return Ok(nginx_page(503, "Service Temporarily Unavailable"));
    };
    let svc = cluster.store.get_typed::<Service>(&m.ingress.namespace, &backend.name).cloned();
    let Some(svc) = svc else { return Ok(nginx_page(503, "Service Temporarily Unavailable")) };
    ev.service = Some(ObjKey::new(Kind::Service, &m.ingress.namespace, &backend.name));
    let want = backend.port.as_ref();
    let sp = svc.spec.as_ref().and_then(|s| s.ports.as_ref()).and_then(|ps| {
        ps.iter()
            .find(|p| match want {
                Some(w) if w.number.is_some_and(|n| n != 0) => Some(p.port) == w.number,
                Some(w) => p.name.is_some() && p.name == w.name,
                None => false,
            })
            .cloned()
    });
    let Some(sp) = sp else { return Ok(nginx_page(503, "Service Temporarily Unavailable")) };
    let targets = ready_targets(cluster, &svc, &sp);
    let Some(t) = pick(cluster, &svc, CONTROLLER_POD_IP, &targets) else {
        return Ok(nginx_page(503, "Service Temporarily Unavailable"));
    };
    match to_pod(cluster, &t.ip, t.port, path, CONTROLLER_POD_IP, host, 80, ev) {
        Ok(r) => Ok(r),
        Err(_) => Ok(nginx_page(502, "Bad Gateway")),
    }
}
