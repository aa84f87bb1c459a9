//! A container's environment as the kubelet builds it at start (`makeEnvironmentVariables`):
//! `envFrom` sources first, then `env` in order, with `valueFrom` resolved against ConfigMaps,
//! Secrets, the pod's fields and the container's resources, and `$(VAR)` references expanded.
//! The values are fixed for the life of the container: editing a ConfigMap later changes nothing.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Container, Node, Pod, Secret};

use crate::apimachinery::quantity::{Quantity, cpu_to_divisor_string, value_to_divisor_string};
use crate::cluster::Cluster;

/// Variables one container may have (a runaway envFrom stops here).
pub const MAX_ENV_VARS: usize = 1_000;

/// Resolves a container's environment, or the CreateContainerConfigError message.
pub fn resolve(
    cluster: &Cluster,
    pod: &Pod,
    container: &Container,
    pod_ip: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut out: Vec<(String, String)> = Vec::new();
    let set = |out: &mut Vec<(String, String)>, k: String, v: String| {
        if out.len() >= MAX_ENV_VARS {
            return;
        }
        if let Some(e) = out.iter_mut().find(|(n, _)| *n == k) {
            e.1 = v;
        } else {
            out.push((k, v));
        }
    };
    for src in container.env_from.iter().flatten() {
        let prefix = src.prefix.clone().unwrap_or_default();
        if let Some(r) = &src.config_map_ref {
            match cluster.store.get_typed::<ConfigMap>(ns, &r.name) {
                Some(cm) => {
                    for (k, v) in cm.data.iter().flatten() {
                        set(&mut out, format!("{prefix}{k}"), v.clone());
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("configmap \"{}\" not found", r.name)),
            }
        }
        if let Some(r) = &src.secret_ref {
            match cluster.store.get_typed::<Secret>(ns, &r.name) {
                Some(s) => {
                    for (k, v) in s.data.iter().flatten() {
                        set(&mut out, format!("{prefix}{k}"), bytes_text(&v.0));
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("secret \"{}\" not found", r.name)),
            }
        }
    }
    for e in container.env.iter().flatten() {
        let value = match &e.value_from {
            None => Some(expand(e.value.as_deref().unwrap_or(""), &out)),
            Some(from) => {
                if let Some(r) = &from.config_map_key_ref {
                    let optional = r.optional == Some(true);
                    match cluster.store.get_typed::<ConfigMap>(ns, &r.name) {
                        None if optional => None,
                        None => return Err(format!("configmap \"{}\" not found", r.name)),
                        Some(cm) => match cm.data.as_ref().and_then(|d| d.get(&r.key)) {
                            Some(v) => Some(v.clone()),
                            None if optional => None,
                            None => {
                                return Err(format!(
                                    "couldn't find key {} in ConfigMap {ns}/{}",
                                    r.key, r.name
                                ));
                            }
                        },
                    }
                } else if let Some(r) = &from.secret_key_ref {
                    let optional = r.optional == Some(true);
                    match cluster.store.get_typed::<Secret>(ns, &r.name) {
                        None if optional => None,
                        None => return Err(format!("secret \"{}\" not found", r.name)),
                        Some(s) => match s.data.as_ref().and_then(|d| d.get(&r.key)) {
                            Some(v) => Some(bytes_text(&v.0)),
                            None if optional => None,
                            None => {
                                return Err(format!(
                                    "couldn't find key {} in Secret {ns}/{}",
                                    r.key, r.name
                                ));
                            }
                        },
                    }
                } else if let Some(f) = &from.field_ref {
                    Some(field_value(pod, &f.field_path, pod_ip)?)
                } else if let Some(r) = &from.resource_field_ref {
                    Some(resource_value(cluster, pod, container, &r.resource, r.divisor.as_ref())?)
                } else {
                    Some(String::new())
                }
            }
        };
        if let Some(v) = value {
            set(&mut out, e.name.clone(), v);
        }
    }
    Ok(out)
}

/// A secret's bytes as a process sees them (invalid UTF-8 shown lossily).
pub fn bytes_text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Expands `$(VAR)` with the variables defined so far; `$$(VAR)` escapes to `$(VAR)` and an
/// unknown reference stays as written (`expansion.Expand`).
pub fn expand(input: &str, vars: &[(String, String)]) -> String {
    let mut out = String::with_capacity(input.len());
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && i + 1 < chars.len() {
            match chars[i + 1] {
                '$' => {
                    out.push('$');
                    i += 2;
                    continue;
                }
                '(' => {
                    if let Some(end) = chars[i + 2..].iter().position(|c| *c == ')') {
                        let name: String = chars[i + 2..i + 2 + end].iter().collect();
                        match vars.iter().rev().find(|(k, _)| *k == name) {
                            Some((_, v)) => out.push_str(v),
                            None => out.push_str(&format!("$({name})")),
                        }
                        i += end + 3;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A pod field as `fieldRef` reads it (`podutil.ConvertDownwardAPIFieldLabel` and friends).
pub fn field_value(pod: &Pod, path: &str, pod_ip: Option<&str>) -> Result<String, String> {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let map_text = |m: Option<&BTreeMap<String, String>>| {
        m.map(|m| {
            m.iter().map(|(k, v)| format!("{k}={}", go_quote(v))).collect::<Vec<_>>().join("\n")
        })
        .unwrap_or_default()
    };
    if let Some(k) = subscript(path, "metadata.labels") {
        return Ok(meta.labels.as_ref().and_then(|l| l.get(&k)).cloned().unwrap_or_default());
    }
    if let Some(k) = subscript(path, "metadata.annotations") {
        return Ok(meta.annotations.as_ref().and_then(|l| l.get(&k)).cloned().unwrap_or_default());
    }
    Ok(match path {
        "metadata.name" => meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
        "metadata.uid" => meta.uid.clone().unwrap_or_default(),
        "metadata.labels" => map_text(meta.labels.as_ref()),
        "metadata.annotations" => map_text(meta.annotations.as_ref()),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
        "spec.serviceAccountName" => {
            spec.and_then(|s| s.service_account_name.clone()).unwrap_or_default()
        }
        "status.podIP" | "status.podIPs" => pod_ip.unwrap_or_default().to_string(),
        "status.hostIP" | "status.hostIPs" => {
            pod.status.as_ref().and_then(|s| s.host_ip.clone()).unwrap_or_default()
        }
        other => return Err(format!("unsupported fieldPath: {other}")),
    })
}

fn subscript(path: &str, field: &str) -> Option<String> {
    let rest = path.strip_prefix(field)?.strip_prefix("['")?.strip_suffix("']")?;
    Some(rest.to_string())
}

/// Go's `%q` of a label value, as the downward API writes `key="value"` lines.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A container resource as `resourceFieldRef` reads it; an unset limit is the node's
/// allocatable amount, as upstream.
pub fn resource_value(
    cluster: &Cluster,
    pod: &Pod,
    container: &Container,
    resource: &str,
    divisor: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
) -> Result<String, String> {
    let divisor = divisor
        .and_then(|d| Quantity::from_k8s(d).ok())
        .unwrap_or_else(|| Quantity::parse("1").unwrap_or_else(|_| Quantity::zero()));
    let (section, name) = resource
        .split_once('.')
        .ok_or_else(|| format!("unsupported container resource : {resource:?}"))?;
    let res = container.resources.as_ref();
    let from = match section {
        "requests" => res.and_then(|r| r.requests.as_ref()),
        "limits" => res.and_then(|r| r.limits.as_ref()),
        _ => return Err(format!("unsupported container resource : {resource:?}")),
    };
    let node_alloc = || {
        let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("");
        cluster
            .store
            .get_typed::<Node>("", node)
            .and_then(|n| n.status.as_ref())
            .and_then(|s| s.allocatable.as_ref())
            .and_then(|a| a.get(name))
            .cloned()
    };
    let q = from.and_then(|m| m.get(name)).cloned();
    let q = match (q, section) {
        (Some(q), _) => Some(q),
        // Unset limits are the node's allocatable; an unset request is the limit (or 0).
        (None, "limits") => node_alloc(),
        (None, _) => res.and_then(|r| r.limits.as_ref()).and_then(|m| m.get(name)).cloned(),
    };
    let q = q.and_then(|q| Quantity::from_k8s(&q).ok()).unwrap_or_else(Quantity::zero);
    Ok(if name == "cpu" {
        cpu_to_divisor_string(&q, &divisor)
    } else {
        value_to_divisor_string(&q, &divisor)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_follows_upstream_rules() {
        let vars = vec![("INTERVAL".to_string(), "25".to_string())];
        assert_eq!(expand("$(INTERVAL)", &vars), "25");
        assert_eq!(expand("$$(INTERVAL)", &vars), "$(INTERVAL)");
        assert_eq!(expand("$(MISSING) x", &vars), "$(MISSING) x");
        assert_eq!(expand("$(", &vars), "$(");
    }
}
