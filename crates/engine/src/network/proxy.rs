//! kube-proxy's data path and the network around it: where a request from a pod, a node or the
//! learner's machine goes, who answers, and how it fails.
//!
//! - ClusterIP:port: only inside the cluster; no such port is a timeout (nothing matches, the
//!   packet goes nowhere); no ready endpoints is a refusal (kube-proxy's REJECT rule).
//! - NodePort on any node IP; `externalTrafficPolicy: Local` only to that node's endpoints (else
//!   dropped: a timeout) and keeps the client's IP; `Cluster` masquerades it.
//! - LoadBalancer IP:port from anywhere; the ingress controller on `localhost` (kind's port
//!   mapping) and on the control-plane node's ports 80/443.
//! - Pod IP:port inside the cluster; an unknown address times out.
//!
//! The pick among endpoints is uniform from the seeded PRNG, or pinned per client IP for
//! `sessionAffinity: ClientIP` until `timeoutSeconds` pass without a request.

use k8s_openapi::api::core::v1::{Endpoints, Node, Service, ServicePort};
use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::{Outcome, TrafficEvent, dns, ingress, lb};
use crate::api::service::parse_ipv4;
use crate::api::{Kind, ObjKey};
use crate::cluster::Cluster;
use crate::controllers::endpointslice::LABEL_SERVICE_NAME;
use crate::kubelet;

/// Where the learner's machine sits on the nodes' network (the Docker bridge gateway).
pub const OUTSIDE_IP: &str = "172.18.0.1";
/// curl's user agent.
pub const USER_AGENT: &str = "curl/8.5.0";
/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2_048;

/// Who sends a request.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Client {
    /// A container in this pod (`kubectl exec`).
    Pod(ObjKey),
    /// A node's own network namespace (`docker exec` into a kind node).
    Node(String),
    /// The learner's machine, outside the cluster.
    Outside,
}

/// An HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Body.
    pub body: String,
}

/// A request that got no HTTP answer, in curl's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    /// `(3)`: the URL could not be parsed.
    BadUrl,
    /// `(6)`: the name did not resolve.
    Resolve(String),
    /// `(7)` after 0 ms: connection refused (RST or ICMP port unreachable).
    Refused(String, i32),
    /// `(7)` after ARP gave up: no host at that address on the pod network.
    NoRoute(String, i32),
    /// `(28)`: the SYNs went unanswered.
    Timeout(String, i32),
    /// `(52)`: the server closed without an HTTP answer.
    EmptyReply,
    /// `(60)`: the server's certificate is not trusted (no `--cacert`, no `-k`).
    Tls,
}

impl NetError {
    /// curl's exit code.
    pub fn curl_code(&self) -> i32 {
        match self {
            NetError::BadUrl => 3,
            NetError::Resolve(_) => 6,
            NetError::Refused(..) | NetError::NoRoute(..) => 7,
            NetError::Timeout(..) => 28,
            NetError::EmptyReply => 52,
            NetError::Tls => 60,
        }
    }

    /// curl's message after `curl: `, e.g. `(6) Could not resolve host: foo`.
    pub fn curl_message(&self) -> String {
        match self {
            NetError::BadUrl => "(3) URL using bad/illegal format or missing URL".into(),
            NetError::Tls => "(60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the webpage mentioned above.".into(),
            NetError::Resolve(h) => format!("(6) Could not resolve host: {h}"),
            NetError::Refused(h, p) => {
                format!(
                    "(7) Failed to connect to {h} port {p} after 0 ms: Couldn't connect to server"
                )
            }
            NetError::NoRoute(h, p) => format!(
                "(7) Failed to connect to {h} port {p} after 3074 ms: Couldn't connect to server"
            ),
            NetError::Timeout(h, p) => format!(
                "(28) Failed to connect to {h} port {p} after 133955 ms: Couldn't connect to server"
            ),
            NetError::EmptyReply => "(52) Empty reply from server".into(),
        }
    }
}

/// A parsed `http(s)://host[:port][/path]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `https` or `http`.
    pub https: bool,
    /// Host as written.
    pub host: String,
    /// Port (80/443 by default).
    pub port: i32,
    /// Path with query, `/` at least.
    pub path: String,
}

/// Parses a URL as curl does (a missing scheme means http).
pub fn parse_url(url: &str) -> Option<Url> {
    if url.is_empty() || url.len() > MAX_URL_LEN {
        return None;
    }
    let (https, rest) = match url.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("http") => (false, r),
        Some((s, r)) if s.eq_ignore_ascii_case("https") => (true, r),
        Some(_) => return None,
        None => (false, url),
    };
    let (hostport, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let hostport = hostport.rsplit('@').next().unwrap_or(hostport);
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<i32>().ok().filter(|p| (1..=65535).contains(p))?),
        None => (hostport, if https { 443 } else { 80 }),
    };
    if host.is_empty() {
        return None;
    }
    Some(Url { https, host: host.to_ascii_lowercase(), port, path })
}

/// A ready endpoint chosen for a request.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub ip: String,
    pub port: i32,
    pub node: Option<String>,
}

/// The ready endpoints of `svc` for its port `sp`, from its Endpoints object.
pub(crate) fn ready_targets(cluster: &Cluster, svc: &Service, sp: &ServicePort) -> Vec<Target> {
    let ns = svc.metadata.namespace.as_deref().unwrap_or("");
    let name = svc.metadata.name.as_deref().unwrap_or("");
    let Some(ep) = cluster.store.get_typed::<Endpoints>(ns, name) else { return Vec::new() };
    let want = sp.name.as_deref().unwrap_or("");
    let proto = sp.protocol.as_deref().unwrap_or("TCP");
    let mut out = Vec::new();
    for s in ep.subsets.iter().flatten() {
        let Some(port) = s.ports.iter().flatten().find(|p| {
            p.name.as_deref().unwrap_or("") == want
                && p.protocol.as_deref().unwrap_or("TCP") == proto
        }) else {
            continue;
        };
        for a in s.addresses.iter().flatten() {
            out.push(Target { ip: a.ip.clone(), port: port.port, node: a.node_name.clone() });
        }
    }
    out
}

/// What kube-proxy sends traffic to (`CategorizeEndpoints` in `pkg/proxy/topology.go`): the ready
/// endpoints, on `node` only for `externalTrafficPolicy: Local`; when there are none, it falls
/// back to endpoints that are terminating but still serving (from the EndpointSlices), so a
/// shutting-down pod that still answers is used rather than refusing the connection.
pub(crate) fn proxy_targets(
    cluster: &Cluster,
    svc: &Service,
    sp: &ServicePort,
    node: Option<&str>,
) -> Vec<Target> {
    let on_node = |t: &Target| node.is_none() || t.node.as_deref() == node;
    let mut ready = ready_targets(cluster, svc, sp);
    ready.retain(on_node);
    if !ready.is_empty() {
        return ready;
    }
    let ns = svc.metadata.namespace.as_deref().unwrap_or("");
    let name = svc.metadata.name.as_deref().unwrap_or("");
    let want = sp.name.as_deref().unwrap_or("");
    let proto = sp.protocol.as_deref().unwrap_or("TCP");
    let mut out = Vec::new();
    for slice in cluster.store.list_typed::<EndpointSlice>(Some(ns)) {
        let owned = slice.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE_NAME));
        if owned.map(String::as_str) != Some(name) {
            continue;
        }
        let Some(port) = slice.ports.iter().flatten().find(|p| {
            p.name.as_deref().unwrap_or("") == want
                && p.protocol.as_deref().unwrap_or("TCP") == proto
        }) else {
            continue;
        };
        let Some(port) = port.port else { continue };
        for ep in slice.endpoints.iter().flatten() {
            let c = ep.conditions.as_ref();
            let serving = c.and_then(|c| c.serving).unwrap_or(false);
            let terminating = c.and_then(|c| c.terminating).unwrap_or(false);
            if !(serving && terminating) {
                continue;
            }
            for ip in &ep.addresses {
                let t = Target { ip: ip.clone(), port, node: ep.node_name.clone() };
                if on_node(&t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Picks one target: ClientIP affinity if the service asks for it, else uniformly at random.
pub(crate) fn pick(
    cluster: &mut Cluster,
    svc: &Service,
    client_ip: &str,
    targets: &[Target],
) -> Option<Target> {
    if targets.is_empty() {
        return None;
    }
    let spec = svc.spec.as_ref();
    let now = cluster.now_ms();
    if spec.and_then(|s| s.session_affinity.as_deref()) == Some("ClientIP") {
        let timeout_s = spec
            .and_then(|s| s.session_affinity_config.as_ref())
            .and_then(|c| c.client_ip.as_ref())
            .and_then(|c| c.timeout_seconds)
            .unwrap_or(crate::api::service::DEFAULT_CLIENT_IP_TIMEOUT_SECONDS);
        let key = (
            ObjKey::new(
                Kind::Service,
                svc.metadata.namespace.as_deref().unwrap_or(""),
                svc.metadata.name.as_deref().unwrap_or(""),
            ),
            client_ip.to_string(),
        );
        let expires = now + (timeout_s.max(0) as u64) * 1000;
        if let Some((ip, until)) = cluster.net.affinity.get(&key).cloned()
            && until > now
            && let Some(t) = targets.iter().find(|t| t.ip == ip)
        {
            cluster.net.remember_affinity(key, ip, expires, now);
            return Some(t.clone());
        }
        let t = targets[cluster.rng.below(targets.len() as u64) as usize].clone();
        cluster.net.remember_affinity(key, t.ip.clone(), expires, now);
        return Some(t);
    }
    Some(targets[cluster.rng.below(targets.len() as u64) as usize].clone())
}

/// Sends the request to a pod IP; the serving container answers and logs it.
pub(crate) fn to_pod(
    cluster: &mut Cluster,
    ip: &str,
    port: i32,
    path: &str,
    seen_client_ip: &str,
    host_for_errors: &str,
    error_port: i32,
    ev: &mut TrafficEvent,
) -> Result<Response, NetError> {
    let now = cluster.now_ms();
    let uid = cluster
        .kubelet
        .pods
        .iter()
        .filter(|(_, p)| p.pod_ip.as_deref() == Some(ip))
        // Host-network pods share their node's IP: the same one answers on every platform.
        .map(|(u, _)| u)
        .min()
        .cloned();
    let Some(uid) = uid else {
        return Err(NetError::NoRoute(host_for_errors.to_string(), error_port));
    };
    let Some(prt) = cluster.kubelet.pods.get_mut(&uid) else {
        return Err(NetError::NoRoute(host_for_errors.to_string(), error_port));
    };
    ev.pod = Some(prt.key.clone());
    match kubelet::http_get(prt, port, path, seen_client_ip, USER_AGENT, now) {
        Ok(r) => Ok(Response { status: r.status, body: r.body }),
        Err(e) if e.starts_with("dial tcp") => {
            Err(NetError::Refused(host_for_errors.to_string(), error_port))
        }
        Err(_) => Err(NetError::EmptyReply),
    }
}

fn client_ip(cluster: &Cluster, client: &Client) -> String {
    match client {
        Client::Outside => OUTSIDE_IP.to_string(),
        Client::Node(n) => node_ip(cluster, n).unwrap_or_default(),
        Client::Pod(k) => cluster.kubelet.pod(k).and_then(|p| p.pod_ip.clone()).unwrap_or_default(),
    }
}

/// A node's InternalIP.
pub fn node_ip(cluster: &Cluster, node: &str) -> Option<String> {
    cluster
        .store
        .get_typed::<Node>("", node)?
        .status
        .as_ref()?
        .addresses
        .as_ref()?
        .iter()
        .find(|a| a.type_ == "InternalIP")
        .map(|a| a.address.clone())
}

fn node_by_ip(cluster: &Cluster, ip: &str) -> Option<String> {
    cluster.store.list_typed::<Node>(None).find_map(|n| {
        let name = n.metadata.name.clone()?;
        (node_ip(cluster, &name).as_deref() == Some(ip)).then_some(name)
    })
}

fn node_gateway(cluster: &Cluster, node: &str) -> Option<String> {
    cluster.kubelet.nodes.get(node).map(|n| format!("{}.1", n.cidr_prefix))
}

fn control_plane(cluster: &Cluster) -> Option<String> {
    cluster.store.list_typed::<Node>(None).find_map(|n| {
        let labels = n.metadata.labels.as_ref()?;
        labels
            .contains_key("node-role.kubernetes.io/control-plane")
            .then(|| n.metadata.name.clone())
            .flatten()
    })
}

fn svc_key(svc: &Service) -> ObjKey {
    ObjKey::new(
        Kind::Service,
        svc.metadata.namespace.as_deref().unwrap_or(""),
        svc.metadata.name.as_deref().unwrap_or(""),
    )
}

/// Sends an HTTP GET from `client` to `url` (`headers` as `Name: value`), records it in the
/// traffic log and returns the answer or curl's error.
pub fn http(
    cluster: &mut Cluster,
    client: &Client,
    url: &str,
    headers: &[String],
) -> Result<Response, NetError> {
    let cip = client_ip(cluster, client);
    let mut ev = TrafficEvent {
        seq: 0,
        at_ms: cluster.now_ms(),
        client: client.clone(),
        client_ip: cip.clone(),
        url: url.chars().take(MAX_URL_LEN).collect(),
        node: None,
        ingress: None,
        service: None,
        pod: None,
        outcome: Outcome::Failed(String::new()),
    };
    let result = route(cluster, client, &cip, url, headers, &mut ev);
    ev.outcome = match &result {
        Ok(r) => Outcome::Status(r.status),
        Err(e) => Outcome::Failed(e.curl_message()),
    };
    cluster.net.push(ev);
    result
}

fn route(
    cluster: &mut Cluster,
    client: &Client,
    cip: &str,
    url: &str,
    headers: &[String],
    ev: &mut TrafficEvent,
) -> Result<Response, NetError> {
    let u = parse_url(url).ok_or(NetError::BadUrl)?;
    let host_header = headers
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.trim().eq_ignore_ascii_case("host").then(|| v.trim().to_ascii_lowercase())
        })
        .unwrap_or_else(|| u.host.clone());
    let host_header = host_header.split(':').next().unwrap_or("").to_string();
    let inside = !matches!(client, Client::Outside);
    // A `kubectl port-forward` listening on the learner's loopback goes straight to its pod.
    if !inside
        && matches!(u.host.as_str(), "localhost" | "127.0.0.1")
        && let Some((pod, port)) = cluster.net.port_forwards.get(&u.port).cloned()
    {
        return forward_to_pod(cluster, &pod, port, &u, ev);
    }
    // Name resolution: pods use cluster DNS; nodes and the outside world know only addresses
    // (and the outside world its own `localhost`, which kind maps to the ingress controller).
    // The API server: `kubectl proxy` or an ambassador on localhost, or the `kubernetes` service.
    if let Some(answer) =
        crate::volumes::api_route(cluster, client, &u.host, u.port, u.https, &u.path, headers)
    {
        return answer.map(|(status, body)| Response { status, body });
    }
    let ip = if parse_ipv4(&u.host).is_some() {
        u.host.clone()
    } else if u.host == "localhost" && !inside {
        return serve_ingress(cluster, cip, &u, &host_header, ev);
    } else if let Client::Pod(k) = client {
        dns::address_from_pod(cluster, &k.namespace, &u.host)
            .ok_or_else(|| NetError::Resolve(u.host.clone()))?
    } else {
        return Err(NetError::Resolve(u.host.clone()));
    };
    let timeout = || NetError::Timeout(u.host.clone(), u.port);
    let refused = || NetError::Refused(u.host.clone(), u.port);
    if !inside && ip == "127.0.0.1" {
        return serve_ingress(cluster, cip, &u, &host_header, ev);
    }
    let services: Vec<Service> = cluster.store.list_typed::<Service>(None).cloned().collect();
    // A ClusterIP.
    if let Some(svc) = services.iter().find(|s| {
        s.spec.as_ref().and_then(|s| s.cluster_ips.as_ref()).is_some_and(|v| v.contains(&ip))
    }) {
        if !inside {
            return Err(timeout());
        }
        ev.service = Some(svc_key(svc));
        let sp = svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .and_then(|ps| ps.iter().find(|p| p.port == u.port))
            .cloned()
            .ok_or_else(timeout)?;
        let targets = proxy_targets(cluster, svc, &sp, None);
        let t = pick(cluster, svc, cip, &targets).ok_or_else(refused)?;
        let seen = match client {
            Client::Node(n) => node_gateway(cluster, n).unwrap_or_else(|| cip.to_string()),
            _ => cip.to_string(),
        };
        return deliver(cluster, &t, &u, &seen, ev);
    }
    // A load balancer address.
    if let Some(svc) = services.iter().find(|s| lb::lb_ips(s).contains(&ip)) {
        ev.service = Some(svc_key(svc));
        let sp = svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .and_then(|ps| ps.iter().find(|p| p.port == u.port))
            .cloned()
            .ok_or_else(timeout)?;
        let targets = proxy_targets(cluster, svc, &sp, None);
        let t = pick(cluster, svc, cip, &targets).ok_or_else(refused)?;
        let local =
            svc.spec.as_ref().and_then(|s| s.external_traffic_policy.as_deref()) == Some("Local");
        let seen = if local {
            cip.to_string()
        } else {
            t.node.as_deref().and_then(|n| node_ip(cluster, n)).unwrap_or_else(|| cip.to_string())
        };
        ev.node = t.node.clone();
        return deliver(cluster, &t, &u, &seen, ev);
    }
    // A node: NodePorts, and the ingress controller's host ports on the control plane.
    if let Some(node) = node_by_ip(cluster, &ip) {
        ev.node = Some(node.clone());
        if matches!(u.port, 80 | 443) && control_plane(cluster).as_deref() == Some(node.as_str()) {
            return serve_ingress(cluster, cip, &u, &host_header, ev);
        }
        let found = services.iter().find_map(|s| {
            let spec = s.spec.as_ref()?;
            if !matches!(spec.type_.as_deref(), Some("NodePort") | Some("LoadBalancer")) {
                return None;
            }
            let sp = spec.ports.as_ref()?.iter().find(|p| p.node_port == Some(u.port))?;
            Some((s, sp.clone()))
        });
        let Some((svc, sp)) = found else { return Err(refused()) };
        ev.service = Some(svc_key(svc));
        let local =
            svc.spec.as_ref().and_then(|s| s.external_traffic_policy.as_deref()) == Some("Local");
        let targets = proxy_targets(cluster, svc, &sp, local.then_some(node.as_str()));
        if local && targets.is_empty() {
            return Err(timeout());
        }
        let t = pick(cluster, svc, cip, &targets).ok_or_else(refused)?;
        let seen = if local {
            cip.to_string()
        } else if t.node.as_deref() == Some(node.as_str()) {
            node_gateway(cluster, &node).unwrap_or_else(|| ip.clone())
        } else {
            ip.clone()
        };
        return deliver(cluster, &t, &u, &seen, ev);
    }
    // A pod.
    let on_pod_net = parse_ipv4(&ip).is_some_and(|n| n >> 16 == 0x0af4);
    if on_pod_net {
        if !inside {
            return Err(timeout());
        }
        let host = u.host.clone();
        return to_pod(cluster, &ip, u.port, &u.path, cip, &host, u.port, ev);
    }
    Err(timeout())
}

fn deliver(
    cluster: &mut Cluster,
    t: &Target,
    u: &Url,
    seen: &str,
    ev: &mut TrafficEvent,
) -> Result<Response, NetError> {
    let on_pod_net = parse_ipv4(&t.ip).is_some_and(|n| n >> 16 == 0x0af4);
    if !on_pod_net {
        // A user-written endpoint outside the cluster: nothing answers in the simulation.
        return Err(NetError::Timeout(u.host.clone(), u.port));
    }
    to_pod(cluster, &t.ip, t.port, &u.path, seen, &u.host, u.port, ev)
}

// The forward's pod answers on its own loopback, so the app sees 127.0.0.1 as the client.
fn forward_to_pod(
    cluster: &mut Cluster,
    pod: &ObjKey,
    port: i32,
    u: &Url,
    ev: &mut TrafficEvent,
) -> Result<Response, NetError> {
    let ip = cluster
        .store
        .get_typed::<k8s_openapi::api::core::v1::Pod>(&pod.namespace, &pod.name)
        .and_then(|p| p.status.as_ref()?.pod_ip.clone());
    let Some(ip) = ip else {
        // The forward ends when its pod goes away: kubectl has exited, nothing listens.
        cluster.net.port_forwards.remove(&u.port);
        return Err(NetError::Refused(u.host.clone(), u.port));
    };
    to_pod(cluster, &ip, port, &u.path, "127.0.0.1", &u.host, u.port, ev)
}

fn serve_ingress(
    cluster: &mut Cluster,
    cip: &str,
    u: &Url,
    host: &str,
    ev: &mut TrafficEvent,
) -> Result<Response, NetError> {
    if !matches!(u.port, 80 | 443) {
        return Err(NetError::Refused(u.host.clone(), u.port));
    }
    let _ = cip;
    ingress::serve(cluster, host, &u.path, u.https, ev)
}
