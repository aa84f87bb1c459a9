//! Tab completion for the terminal: programs, kubectl subcommands, resource types and object
//! names (from the snapshot).

use kubeplay_engine::view::ClusterSnapshot;

const PROGRAMS: [&str; 10] =
    ["kubectl", "alias", "clear", "curl", "echo", "for", "seq", "sim", "sleep", "timeout"];
const SUBCOMMANDS: [&str; 24] = [
    "annotate",
    "api-resources",
    "apply",
    "cluster-info",
    "cordon",
    "create",
    "delete",
    "describe",
    "drain",
    "edit",
    "exec",
    "explain",
    "expose",
    "get",
    "label",
    "logs",
    "rollout",
    "run",
    "scale",
    "set",
    "top",
    "uncordon",
    "version",
    "wait",
];
const TYPES: [&str; 20] = [
    "all",
    "configmaps",
    "cronjobs",
    "daemonsets",
    "deployments",
    "endpoints",
    "events",
    "ingresses",
    "jobs",
    "namespaces",
    "nodes",
    "persistentvolumeclaims",
    "pods",
    "replicasets",
    "replicationcontrollers",
    "secrets",
    "serviceaccounts",
    "services",
    "deployment",
    "pod",
];
/// Subcommands whose next word is a resource type.
const TAKES_TYPE: [&str; 9] =
    ["get", "describe", "delete", "edit", "label", "annotate", "scale", "expose", "wait"];

/// Names of objects of a resource type (any spelling kubectl takes), or `None` if unknown.
fn names(snapshot: &ClusterSnapshot, ty: &str, ns: &str) -> Option<Vec<String>> {
    let ty = ty.to_ascii_lowercase();
    let list = match ty.as_str() {
        "po" | "pod" | "pods" => {
            snapshot.pods.iter().filter(|p| p.namespace == ns).map(|p| p.name.clone()).collect()
        }
        "no" | "node" | "nodes" => snapshot.nodes.iter().map(|n| n.name.clone()).collect(),
        "svc" | "service" | "services" => {
            snapshot.services.iter().filter(|s| s.namespace == ns).map(|s| s.name.clone()).collect()
        }
        "deploy" | "deployment" | "deployments" => snapshot
            .deployments
            .iter()
            .filter(|d| d.namespace == ns)
            .map(|d| d.name.clone())
            .collect(),
        "rs" | "replicaset" | "replicasets" => snapshot
            .deployments
            .iter()
            .filter(|d| d.namespace == ns)
            .flat_map(|d| d.replica_sets.iter().map(|r| r.name.clone()))
            .collect(),
        _ => return None,
    };
    Some(list)
}

fn matching(cands: impl IntoIterator<Item = String>, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = cands.into_iter().filter(|c| c.starts_with(prefix)).collect();
    kubeplay_engine::sorting::sort(&mut v);
    v.dedup();
    v
}

/// Candidates for the last word of `line` (the full replacement word each).
pub fn candidates(line: &str, snapshot: &ClusterSnapshot) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let partial = if line.ends_with(' ') || line.is_empty() {
        ""
    } else {
        words.last().copied().unwrap_or("")
    };
    let done: Vec<&str> =
        if partial.is_empty() { words.clone() } else { words[..words.len() - 1].to_vec() };
    let ns =
        done.windows(2).find(|w| w[0] == "-n" || w[0] == "--namespace").map_or("default", |w| w[1]);
    let args: Vec<&str> = done
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            let flag_value =
                *i > 0 && matches!(done[i - 1], "-n" | "--namespace" | "-o" | "-c" | "-l");
            !(w.starts_with('-') || flag_value)
        })
        .map(|(_, w)| *w)
        .collect();
    let strs = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    match args.as_slice() {
        [] => matching(strs(&PROGRAMS), partial),
        ["kubectl"] => matching(strs(&SUBCOMMANDS), partial),
        ["kubectl", "rollout"] => {
            matching(strs(&["history", "pause", "restart", "resume", "status", "undo"]), partial)
        }
        ["kubectl", "set"] => matching(strs(&["env", "image", "resources"]), partial),
        ["kubectl", "logs" | "exec" | "port-forward"] => {
            matching(names(snapshot, "pods", ns).unwrap_or_default(), partial)
        }
        ["kubectl", "cordon" | "uncordon" | "drain"] => {
            matching(names(snapshot, "nodes", ns).unwrap_or_default(), partial)
        }
        ["kubectl", sub, ..] if args.len() >= 2 => {
            let typed_position =
                TAKES_TYPE.contains(sub) || (matches!(*sub, "rollout" | "set") && args.len() >= 3);
            if !typed_position {
                return Vec::new();
            }
            // `type/name` in one word.
            if let Some((ty, name)) = partial.split_once('/') {
                return names(snapshot, ty, ns)
                    .map(|n| matching(n, name).into_iter().map(|n| format!("{ty}/{n}")).collect())
                    .unwrap_or_default();
            }
            let skip = if matches!(*sub, "rollout" | "set") { 3 } else { 2 };
            match args.get(skip) {
                None => {
                    let mut types = strs(&TYPES);
                    if matches!(*sub, "rollout" | "set" | "scale") {
                        types = strs(&["deployment", "daemonset", "statefulset", "replicaset"]);
                    }
                    matching(types, partial)
                }
                Some(ty) => matching(names(snapshot, ty, ns).unwrap_or_default(), partial),
            }
        }
        _ => Vec::new(),
    }
}

/// The longest common prefix of `words`.
pub fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else { return String::new() };
    let mut len = first.len();
    for w in &words[1..] {
        len = len.min(first.bytes().zip(w.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_owned()
}

/// `line` completed: `(new line, candidates to list when ambiguous)`.
pub fn complete(line: &str, snapshot: &ClusterSnapshot) -> (String, Vec<String>) {
    let cands = candidates(line, snapshot);
    let partial_len = if line.ends_with(' ') || line.is_empty() {
        0
    } else {
        line.split_whitespace().last().map_or(0, str::len)
    };
    let base = &line[..line.len() - partial_len];
    match cands.len() {
        0 => (line.to_owned(), Vec::new()),
        1 => (format!("{base}{} ", cands[0]), Vec::new()),
        _ => {
            let prefix = common_prefix(&cands);
            if prefix.len() > partial_len {
                (format!("{base}{prefix}"), Vec::new())
            } else {
                (line.to_owned(), cands)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_engine::view::{NodeView, PodView};

    fn snap() -> ClusterSnapshot {
        ClusterSnapshot {
            pods: ["web-abc", "web-abd", "db-1"]
                .iter()
                .map(|n| PodView {
                    namespace: "default".into(),
                    name: (*n).into(),
                    ..Default::default()
                })
                .collect(),
            nodes: vec![NodeView { name: "worker".into(), ..Default::default() }],
            ..Default::default()
        }
    }

    #[test]
    fn completes_commands_types_and_names() {
        let s = snap();
        assert_eq!(complete("kub", &s).0, "kubectl ");
        assert_eq!(complete("kubectl ge", &s).0, "kubectl get ");
        assert_eq!(complete("kubectl get po", &s).0, "kubectl get pod");
        assert_eq!(complete("kubectl get pod", &s).1, vec!["pod", "pods"]);
        assert_eq!(complete("kubectl get pods d", &s).0, "kubectl get pods db-1 ");
        assert_eq!(complete("kubectl get pods w", &s).0, "kubectl get pods web-ab");
        assert_eq!(complete("kubectl get pods web-ab", &s).1, vec!["web-abc", "web-abd"]);
        assert_eq!(complete("kubectl logs d", &s).0, "kubectl logs db-1 ");
        assert_eq!(complete("kubectl describe pod/d", &s).0, "kubectl describe pod/db-1 ");
        assert_eq!(complete("kubectl cordon w", &s).0, "kubectl cordon worker ");
        assert_eq!(complete("kubectl get pods -n kube-system x", &s).1, Vec::<String>::new());
    }
}
