//! Service environment variables, as the kubelet builds them for a container at start
//! (`pkg/kubelet/envvars/envvars.go` `FromServices`): for each service with a ClusterIP in the
//! pod's namespace (all of them only if `enableServiceLinks`), and always the `kubernetes`
//! service, `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT NAME>]` and the Docker-link set
//! `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::Service;

use crate::api::Kind;
use crate::cluster::Cluster;

/// Services one pod's environment lists (a bound on its size).
pub const MAX_SERVICES_IN_ENV: usize = 1_000;

fn env_name(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

fn vars_for(svc: &Service, out: &mut Vec<(String, String)>) {
    let Some(spec) = &svc.spec else { return };
    let Some(ip) = spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty() && *ip != "None") else {
        return;
    };
    let ports = spec.ports.as_deref().unwrap_or(&[]);
    let Some(first) = ports.first() else { return };
    let name = env_name(svc.metadata.name.as_deref().unwrap_or(""));
    out.push((format!("{name}_SERVICE_HOST"), ip.to_string()));
    out.push((format!("{name}_SERVICE_PORT"), first.port.to_string()));
    for p in ports {
        if let Some(pn) = p.name.as_deref().filter(|n| !n.is_empty()) {
            out.push((format!("{name}_SERVICE_PORT_{}", env_name(pn)), p.port.to_string()));
        }
    }
    for (i, p) in ports.iter().enumerate() {
        let proto = p.protocol.as_deref().unwrap_or("TCP");
        let lower = proto.to_ascii_lowercase();
        let url = format!("{lower}://{ip}:{}", p.port);
        if i == 0 {
            out.push((format!("{name}_PORT"), url.clone()));
        }
        let prefix = format!("{name}_PORT_{}_{}", p.port, proto.to_ascii_uppercase());
        out.push((prefix.clone(), url));
        out.push((format!("{prefix}_PROTO"), lower));
        out.push((format!("{prefix}_PORT"), p.port.to_string()));
        out.push((format!("{prefix}_ADDR"), ip.to_string()));
    }
}

/// The last service environment made, while no Service has changed since: containers started
/// together in one namespace share it instead of formatting the same variables again.
#[derive(Clone, Debug, Default)]
pub struct EnvCache {
    namespace: String,
    links: bool,
    services_changed: u64,
    env: Rc<Vec<(String, String)>>,
}

/// [`service_env`], shared with the containers that started before while no Service changed.
pub fn service_env_shared(
    cluster: &mut Cluster,
    namespace: &str,
    enable_service_links: bool,
) -> Rc<Vec<(String, String)>> {
    let services_changed = cluster.store.kind_changed(Kind::Service);
    let cache = &cluster.service_env_cache;
    if cache.services_changed == services_changed
        && cache.links == enable_service_links
        && cache.namespace == namespace
        && services_changed != 0
    {
        return Rc::clone(&cache.env);
    }
    let env = Rc::new(service_env(cluster, namespace, enable_service_links));
    cluster.service_env_cache = EnvCache {
        namespace: namespace.to_string(),
        links: enable_service_links,
        services_changed,
        env: Rc::clone(&env),
    };
    env
}

/// The service variables for a container starting now in `namespace`.
pub fn service_env(
    cluster: &Cluster,
    namespace: &str,
    enable_service_links: bool,
) -> Vec<(String, String)> {
    // Services of the pod's namespace win over the master service of the same name.
    let mut chosen: BTreeMap<String, &Service> = BTreeMap::new();
    if let Some(k) = cluster.store.get_typed::<Service>("default", "kubernetes") {
        chosen.insert("kubernetes".into(), k);
    }
    if enable_service_links {
        for s in cluster.store.list_typed::<Service>(Some(namespace)).take(MAX_SERVICES_IN_ENV) {
            chosen.insert(s.metadata.name.clone().unwrap_or_default(), s);
        }
    }
    let mut out = Vec::new();
    for s in chosen.values() {
        vars_for(s, &mut out);
    }
    out
}
