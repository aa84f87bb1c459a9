//! The API server as an HTTP endpoint: what `curl` sees through `kubectl proxy` on the
//! learner's machine, through an ambassador container (`luksa/kubectl-proxy`) on a pod's
//! localhost, or at `https://kubernetes` from inside a pod with the service-account token.
//!
//! Answers are JSON in the real API's shapes (`PodList` with `metadata.resourceVersion` and
//! items, `Status` for errors), pretty-printed as kube-apiserver does for curl. Authorization is
//! kind's default RBAC reduced to what these paths need: the kubeconfig's admin may do anything;
//! a service account and any authenticated user may read the discovery paths (`system:discovery`)
//! and nothing else; without a token the caller is `system:anonymous`, allowed nothing.

use serde_json::{Value, json};

use crate::api::{Kind, Object};
use crate::cluster::Cluster;

/// Who is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The kubeconfig's user (kind's `kubernetes-admin`), as `kubectl proxy` authenticates.
    Admin,
    /// A service account (`system:serviceaccount:NS:NAME`).
    ServiceAccount(String),
    /// No credentials.
    Anonymous,
}

impl Caller {
    /// The caller named by an `Authorization: Bearer` header among `headers`.
    pub fn from_headers(headers: &[String]) -> Caller {
        let token = headers.iter().find_map(|h| {
            let (k, v) = h.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("authorization") {
                return None;
            }
            v.trim().strip_prefix("Bearer ").map(|t| t.trim().to_string())
        });
        match token.and_then(|t| super::projection::token_subject(&t)) {
            Some(sa) => Caller::ServiceAccount(sa),
            None => Caller::Anonymous,
        }
    }

    fn user(&self) -> &str {
        match self {
            Caller::Admin => "kubernetes-admin",
            Caller::ServiceAccount(s) => s,
            Caller::Anonymous => "system:anonymous",
        }
    }
}

fn status(code: u16, reason: &str, message: String, details: Value) -> (u16, String) {
    let body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": details,
        "code": code,
    });
    (code, pretty(&body))
}

/// Keys in the order Go's structs declare them (the API server's JSON); others sort after.
const KEY_ORDER: &[&str] = &[
    "kind",
    "apiVersion",
    "groupVersion",
    "name",
    "versions",
    "preferredVersion",
    "generateName",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "metadata",
    "spec",
    "data",
    "binaryData",
    "type",
    "status",
    "items",
    "resources",
    "message",
    "reason",
    "details",
    "code",
];

/// Indented JSON as kube-apiserver writes it for curl, keys in Go struct order.
fn pretty(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, 0, &mut out);
    out.push('\n');
    out
}

fn write_value(v: &Value, depth: usize, out: &mut String) {
    let pad = |d: usize| "  ".repeat(d);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            // An APIResource (discovery) declares its fields in an order of its own.
            let order = if m.contains_key("singularName") { RESOURCE_KEY_ORDER } else { KEY_ORDER };
            crate::sorting::sort_by_key(&mut keys, |k| {
                (order.iter().position(|o| o == k).unwrap_or(order.len()), k.to_string())
            });
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Value::String(k.to_string()).to_string());
                out.push_str(": ");
                write_value(&m[k.as_str()], depth + 1, out);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write_value(x, depth + 1, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The field order of `metav1.APIResource`.
const RESOURCE_KEY_ORDER: &[&str] =
    &["name", "singularName", "namespaced", "kind", "verbs", "shortNames", "categories"];

const DISCOVERY: &[&str] = &["/", "/api", "/apis", "/version", "/healthz", "/livez", "/readyz"];

/// Serves `GET path` for `caller`: (HTTP status, body).
pub fn serve(cluster: &Cluster, caller: &Caller, path: &str) -> (u16, String) {
    let path = path.split('?').next().unwrap_or("/");
    let path = if path.is_empty() { "/" } else { path };
    let discovery = DISCOVERY.contains(&path) || path == "/api/" || path == "/apis/";
    match caller {
        Caller::Anonymous if !matches!(path, "/healthz" | "/livez" | "/readyz" | "/version") => {
            return status(
                403,
                "Forbidden",
                format!("forbidden: User \"system:anonymous\" cannot get path \"{path}\""),
                json!({}),
            );
        }
        Caller::ServiceAccount(_) if !discovery && !path.starts_with("/api") => {
            return status(
                403,
                "Forbidden",
                format!("forbidden: User \"{}\" cannot get path \"{path}\"", caller.user()),
                json!({}),
            );
        }
        _ => {}
    }
    match path.trim_end_matches('/') {
        "" => return (200, pretty(&json!({ "paths": root_paths() }))),
        "/healthz" | "/livez" | "/readyz" => return (200, "ok".into()),
        "/version" => {
            return (
                200,
                pretty(&json!({
                    "major": "1", "minor": "34", "emulationMajor": "1", "emulationMinor": "34",
                    "minCompatibilityMajor": "1", "minCompatibilityMinor": "33",
                    "gitVersion": "v1.34.0", "gitCommit": "f28b4c9efbca5c5c0af716d9f2d5702667ee8a45",
                    "gitTreeState": "clean", "buildDate": "2025-08-27T10:18:02Z",
                    "goVersion": "go1.24.6", "compiler": "gc", "platform": "linux/amd64"
                })),
            );
        }
        "/api" => {
            return (
                200,
                pretty(&json!({
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [
                        {"clientCIDR": "0.0.0.0/0", "serverAddress": "172.18.0.2:6443"}
                    ]
                })),
            );
        }
        _ => {}
    }
    resource(cluster, caller, path)
}

fn root_paths() -> Vec<String> {
    let mut paths: Vec<String> =
        vec!["/api".into(), "/api/v1".into(), "/apis".into(), "/apis/".into()];
    let mut groups: Vec<String> = Kind::ALL
        .iter()
        .map(|k| k.info())
        .filter(|i| !i.group.is_empty())
        .flat_map(|i| [format!("/apis/{}", i.group), format!("/apis/{}/{}", i.group, i.version)])
        .collect();
    crate::sorting::sort(&mut groups);
    groups.dedup();
    paths.extend(groups);
    paths.extend(
        ["/healthz", "/livez", "/metrics", "/openid/v1/jwks", "/readyz", "/version"]
            .iter()
            .map(|s| s.to_string()),
    );
    paths
}

/// `/api/v1/[namespaces/NS/]PLURAL[/NAME]` and `/apis/GROUP/VERSION/...`.
fn resource(cluster: &Cluster, caller: &Caller, path: &str) -> (u16, String) {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ["apis", g] = parts.as_slice() {
        return api_group(g);
    }
    let (group, version, rest) = match parts.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return not_found_path(),
    };
    let (ns, plural, name) = match rest {
        ["namespaces", ns, plural] => (Some(*ns), *plural, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        [] => return resource_list(group, version),
        _ => return not_found_path(),
    };
    let Some(kind) = Kind::ALL.iter().copied().find(|k| {
        let i = k.info();
        i.plural == plural && i.group == group && i.version == version
    }) else {
        return not_found_path();
    };
    let info = kind.info();
    if let Caller::ServiceAccount(_) | Caller::Anonymous = caller {
        let verb = if name.is_some() { "get" } else { "list" };
        let scope = match ns {
            Some(n) => format!(" in the namespace \"{n}\""),
            None => " at the cluster scope".into(),
        };
        return status(
            403,
            "Forbidden",
            format!(
                "{} is forbidden: User \"{}\" cannot {verb} resource \"{}\" in API group \"{}\"{scope}",
                if let Some(n) = name { format!("{plural} \"{n}\"") } else { plural.to_string() },
                caller.user(),
                plural,
                group
            ),
            match name {
                Some(n) => json!({"name": n, "kind": plural}),
                None => json!({"kind": plural}),
            },
        );
    }
    let shown = |o: &Object| {
        let mut v = o.to_json();
        if let Some(m) = v.as_object_mut() {
            m.insert("kind".into(), json!(info.kind));
            m.insert("apiVersion".into(), json!(info.api_version));
        }
        v
    };
    if let Some(name) = name {
        let key = crate::api::ObjKey::new(kind, ns.unwrap_or(""), name);
        return match cluster.store.get(&key) {
            Some(o) => (200, pretty(&shown(o))),
            None => status(
                404,
                "NotFound",
                format!("{plural} \"{name}\" not found"),
                json!({"name": name, "kind": plural}),
            ),
        };
    }
    let items: Vec<Value> = cluster
        .store
        .list(kind, ns)
        .map(|o| {
            let mut v = o.to_json();
            if let Some(m) = v.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            v
        })
        .collect();
    let body = json!({
        "kind": format!("{}List", info.kind),
        "apiVersion": info.api_version,
        "metadata": {"resourceVersion": cluster.store.resource_version().to_string()},
        "items": items,
    });
    (200, pretty(&body))
}

/// The kinds served at `group`/`version`.
fn served(group: &str, version: &str) -> Vec<&'static crate::api::KindInfo> {
    Kind::ALL
        .iter()
        .map(|k| k.info())
        .filter(|i| i.group == group && i.version == version)
        .collect()
}

/// `/apis/GROUP`: the group and its versions (`metav1.APIGroup`).
fn api_group(group: &str) -> (u16, String) {
    let Some(info) = Kind::ALL.iter().map(|k| k.info()).find(|i| i.group == group) else {
        return not_found_path();
    };
    let gv = json!({"groupVersion": info.api_version, "version": info.version});
    (
        200,
        pretty(&json!({
            "kind": "APIGroup",
            "apiVersion": "v1",
            "name": group,
            "versions": [gv.clone()],
            "preferredVersion": gv,
        })),
    )
}

/// `/api/v1` and `/apis/GROUP/VERSION`: the resources served there (`metav1.APIResourceList`).
fn resource_list(group: &str, version: &str) -> (u16, String) {
    let mut kinds = served(group, version);
    if kinds.is_empty() {
        return not_found_path();
    }
    crate::sorting::sort_by_key(&mut kinds, |i| i.plural);
    // What `kubectl get all` lists carries the `all` category.
    let in_all = [
        "pods",
        "services",
        "replicationcontrollers",
        "daemonsets",
        "deployments",
        "replicasets",
        "jobs",
        "cronjobs",
    ];
    let resources: Vec<Value> = kinds
        .iter()
        .map(|i| {
            let mut verbs = vec![
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ];
            if i.plural == "namespaces" {
                verbs.retain(|v| *v != "deletecollection");
            }
            let mut r = json!({
                "name": i.plural,
                "singularName": i.singular,
                "namespaced": i.namespaced,
                "kind": i.kind,
                "verbs": verbs,
            });
            if !i.short_names.is_empty() {
                r["shortNames"] = json!(i.short_names);
            }
            if in_all.contains(&i.plural) {
                r["categories"] = json!(["all"]);
            }
            r
        })
        .collect();
    let group_version =
        if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    (
        200,
        pretty(&json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        })),
    )
}

fn not_found_path() -> (u16, String) {
    (404, "404 page not found\n".into())
}
