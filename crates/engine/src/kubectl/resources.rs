//! Turning `TYPE NAME...`, `TYPE/NAME...`, `TYPE1,TYPE2` and `all` into what to fetch, with
//! kubectl's errors for types the server does not have.

use crate::api::Kind;

/// The kinds `kubectl get all` covers, in the order it prints them.
pub const ALL_CATEGORY: &[Kind] = &[
    Kind::Pod,
    Kind::ReplicationController,
    Kind::Service,
    Kind::DaemonSet,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::Job,
    Kind::CronJob,
];

/// One thing to fetch: every object of a kind, or one by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The kind.
    pub kind: Kind,
    /// The name, or `None` for a list.
    pub name: Option<String>,
}

/// The resolved arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// In the order kubectl visits them.
    pub targets: Vec<Target>,
    /// Whether names print with their kind (several types, `all`, or `TYPE/NAME` form).
    pub show_kind: bool,
}

/// Looks up a kind by what the user typed.
pub fn kind_of(name: &str) -> Result<Kind, String> {
    Kind::from_resource_name(name)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{name}\""))
}

/// Resolves positional arguments.
pub fn resolve(args: &[String]) -> Result<Resolved, String> {
    let Some(first) = args.first() else {
        return Ok(Resolved { targets: Vec::new(), show_kind: false });
    };
    if first.contains('/') {
        let mut targets = Vec::new();
        for a in args {
            let Some((t, n)) = a.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
            };
            if n.is_empty() {
                return Err(
                    "error: arguments in resource/name form must have a single resource and name"
                        .to_string(),
                );
            }
            targets.push(Target { kind: kind_of(t)?, name: Some(n.to_string()) });
        }
        let show_kind = targets.iter().any(|t| t.kind != targets[0].kind);
        return Ok(Resolved { targets, show_kind });
    }
    if args[1..].iter().any(|a| a.contains('/')) {
        return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
    }
    let mut kinds = Vec::new();
    let mut show_kind = false;
    for t in first.split(',').filter(|t| !t.is_empty()) {
        if t == "all" {
            show_kind = true;
            kinds.extend_from_slice(ALL_CATEGORY);
        } else {
            kinds.push(kind_of(t)?);
        }
    }
    if kinds.len() > 1 {
        show_kind = true;
    }
    let names = &args[1..];
    let mut targets = Vec::new();
    for k in &kinds {
        if names.is_empty() {
            targets.push(Target { kind: *k, name: None });
        } else {
            targets.extend(names.iter().map(|n| Target { kind: *k, name: Some(n.clone()) }));
        }
    }
    Ok(Resolved { targets, show_kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn forms_resolve() {
        let r = resolve(&v("po a b")).unwrap();
        assert_eq!(r.targets.len(), 2);
        assert!(!r.show_kind);
        let r = resolve(&v("pods,svc")).unwrap();
        assert!(r.show_kind);
        assert_eq!(resolve(&v("pod/a svc/b")).unwrap().targets[1].kind, Kind::Service);
        assert_eq!(
            resolve(&v("foo")).unwrap_err(),
            "error: the server doesn't have a resource type \"foo\""
        );
        assert!(resolve(&v("pod pod/a")).is_err());
    }
}
