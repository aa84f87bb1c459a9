//! `kubectl wait --for=condition=C[=V] | jsonpath='{...}'[=V] | delete | create TYPE/NAME ...`: a job
//! that checks each object in turn after every instant of virtual time, within one `--timeout`
//! (30 s by default) for all of them, and prints `<type>/<name> condition met` for each
//! condition met (`pkg/cmd/wait`).

use serde_json::Value;

use super::args::{Parsed, boolean, parse, val};
use super::format::custom_columns::relaxed_jsonpath;
use super::format::jsonpath::jsonpath;
use super::resources::resolve;
use super::{Ctx, Job, Output, Poll};
use crate::api::{ApiError, ObjKey, Object};
use crate::apimachinery::labels::Selector;
use crate::clock::Millis;
use crate::cluster::Cluster;

/// `--timeout` default.
const DEFAULT_TIMEOUT_MS: Millis = 30_000;
/// A negative `--timeout` waits this long (a week, as kubectl).
const NEGATIVE_TIMEOUT_MS: Millis = 168 * 60 * 60 * 1000;
/// The most objects one `wait` takes.
const MAX_OBJECTS: usize = 1_000;

/// One `--for`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Condition {
    Delete,
    Create,
    /// A status condition's type and the status wanted (compared case-insensitively).
    Status {
        type_: String,
        status: String,
    },
    /// A JSONPath template and, if given, the value it must print.
    JsonPath {
        template: String,
        value: Option<String>,
    },
}

/// kubectl's `splitJSONPathInput`: split on single `=`, keep `==`.
fn split_jsonpath_input(input: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '=' {
            current.push(c);
        } else if chars.peek() == Some(&'=') {
            chars.next();
            current.push_str("==");
        } else {
            parts.push(std::mem::take(&mut current));
        }
    }
    parts.push(current);
    parts
}

fn condition_of(arg: &str) -> Result<Condition, String> {
    let lower = arg.to_lowercase();
    if lower == "delete" {
        return Ok(Condition::Delete);
    }
    if lower == "create" {
        return Ok(Condition::Create);
    }
    if let Some(rest) = arg.strip_prefix("condition=") {
        let (type_, status) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Condition::Status { type_: type_.into(), status: status.into() });
    }
    if let Some(rest) = arg.strip_prefix("jsonpath=") {
        let parts = split_jsonpath_input(rest);
        if parts.is_empty() || parts.len() > 2 {
            return Err("error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'".into());
        }
        if parts[0].is_empty() {
            return Err("error: jsonpath expression cannot be empty".into());
        }
        let template = relaxed_jsonpath(&parts[0]).map_err(|e| format!("error: {e}"))?;
        let value = match parts.get(1) {
            None => None,
            Some(v) => {
                let v = v.trim_matches(|c| c == '\'' || c == '"');
                if v.is_empty() {
                    return Err("error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3".into());
                }
                Some(v.to_string())
            }
        };
        return Ok(Condition::JsonPath { template, value });
    }
    Err(format!("error: unrecognized condition: \"{arg}\""))
}

/// Whether `condition` holds for `object` (`None`: it does not exist).
fn met(condition: &Condition, object: Option<&Object>) -> Result<bool, String> {
    let Some(object) = object else { return Ok(*condition == Condition::Delete) };
    match condition {
        Condition::Delete => Ok(false),
        Condition::Create => Ok(true),
        Condition::Status { type_, status } => {
            let json = object.to_json();
            let generation = json.pointer("/metadata/generation").and_then(Value::as_i64);
            let conditions = json.pointer("/status/conditions").and_then(Value::as_array);
            for c in conditions.into_iter().flatten() {
                let name = c.get("type").and_then(Value::as_str).unwrap_or_default();
                if !name.eq_ignore_ascii_case(type_) {
                    continue;
                }
                let Some(actual) = c.get("status").and_then(Value::as_str) else { continue };
                // A condition about an older generation does not count yet.
                let observed = c
                    .get("observedGeneration")
                    .or_else(|| json.pointer("/status/observedGeneration"))
                    .and_then(Value::as_i64);
                if let (Some(g), Some(o)) = (generation, observed)
                    && o < g
                {
                    return Ok(false);
                }
                return Ok(actual.eq_ignore_ascii_case(status));
            }
            Ok(false)
        }
        Condition::JsonPath { template, value } => {
            let printed =
                jsonpath(template, &object.to_json()).map_err(|e| format!("error: {e}"))?;
            Ok(match value {
                None => !printed.is_empty(),
                Some(v) => printed == *v,
            })
        }
    }
}

/// The waiting part: objects in order, each condition in order, one deadline for all.
struct Wait {
    keys: Vec<ObjKey>,
    conditions: Vec<Condition>,
    /// Next object and condition to check.
    object: usize,
    condition: usize,
    deadline_ms: Millis,
}

impl Wait {
    /// Checks from where it stopped; what it printed and whether it is done.
    fn check(&mut self, cluster: &Cluster) -> (Output, bool) {
        let mut out = Output::default();
        while let Some(key) = self.keys.get(self.object) {
            let object = cluster.get(key);
            while let Some(condition) = self.conditions.get(self.condition) {
                match met(condition, object) {
                    Ok(true) => {
                        out.stdout.push_str(&format!(
                            "{}/{} condition met\n",
                            key.kind.info().qualified_singular(),
                            key.name
                        ));
                        self.condition += 1;
                    }
                    Ok(false) => return (out, false),
                    Err(e) => {
                        out.push(Output::fail(e));
                        return (out, true);
                    }
                }
            }
            self.object += 1;
            self.condition = 0;
        }
        (out, true)
    }
}

impl Job for Wait {
    fn poll(&mut self, cluster: &Cluster) -> Poll {
        let (out, done) = self.check(cluster);
        if done { Poll::Done(out) } else { Poll::Waiting(out) }
    }

    fn deadline_ms(&self) -> Millis {
        self.deadline_ms
    }

    fn expire(&mut self, _cluster: &Cluster) -> Output {
        let Some(key) = self.keys.get(self.object) else { return Output::default() };
        Output::fail(format!(
            "error: timed out waiting for the condition on {}/{}",
            key.kind.info().qualified_plural(),
            key.name
        ))
    }
}

fn timeout_ms(p: &Parsed) -> Result<Millis, Output> {
    let Some(t) = p.get("timeout") else { return Ok(DEFAULT_TIMEOUT_MS) };
    if let Some(negative) = t.strip_prefix('-')
        && super::parse_duration(negative).is_some()
    {
        return Ok(NEGATIVE_TIMEOUT_MS);
    }
    super::parse_duration(t).ok_or_else(|| {
        Output::fail(format!(
            "error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl wait --help' for usage."
        ))
    })
}

/// `kubectl wait`.
pub fn wait(ctx: &mut Ctx, argv: &[String]) -> (Output, Option<Box<dyn Job>>) {
    let flags = [
        val("for", None),
        val("timeout", None),
        val("selector", Some('l')),
        boolean("all", None),
        boolean("all-namespaces", Some('A')),
        val("output", Some('o')),
    ];
    let p = match parse("wait", argv, &flags) {
        Ok(p) => p,
        Err(e) => return (Output::fail(e), None),
    };
    let fors = p.all("for");
    if fors.is_empty() {
        return (Output::fail("error: unrecognized condition: []"), None);
    }
    let conditions = match fors.iter().map(|f| condition_of(f)).collect::<Result<Vec<_>, _>>() {
        Ok(c) => c,
        Err(e) => return (Output::fail(e), None),
    };
    let timeout_ms = match timeout_ms(&p) {
        Ok(t) => t,
        Err(o) => return (o, None),
    };
    if p.positional.is_empty() {
        return (Output::fail("error: resource(s) were provided, but no name was specified"), None);
    }
    let resolved = match resolve(&p.positional) {
        Ok(r) => r,
        Err(e) => return (Output::fail(e), None),
    };
    let selector = match p.get("selector").map(Selector::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return (Output::fail(format!("error: {e}")), None),
    };
    let namespace = p.namespace();
    let all_namespaces = p.is_set("all-namespaces");
    let for_delete = conditions.contains(&Condition::Delete);
    let for_create = conditions.contains(&Condition::Create);
    ctx.cluster.settle();
    let mut keys = Vec::new();
    for target in &resolved.targets {
        let ns = if target.kind.info().namespaced { namespace.as_str() } else { "" };
        match &target.name {
            Some(name) => {
                let key = ObjKey::new(target.kind, ns, name);
                if ctx.cluster.get(&key).is_none() && !for_create {
                    // Already gone: nothing to wait for (kubectl ignores NotFound for delete).
                    if for_delete {
                        continue;
                    }
                    let plural = target.kind.info().qualified_plural();
                    return (
                        Output::fail(ApiError::not_found(&plural, name).kubectl_message(None)),
                        None,
                    );
                }
                keys.push(key);
            }
            None if selector.is_none() && !p.is_set("all") => {
                return (
                    Output::fail("error: resource(s) were provided, but no name was specified"),
                    None,
                );
            }
            None => {
                let scope = (!all_namespaces).then_some(ns);
                keys.extend(
                    ctx.cluster
                        .store
                        .list(target.kind, scope)
                        .filter(|o| {
                            let empty = Default::default();
                            selector.as_ref().is_none_or(|s| {
                                s.matches(o.meta().labels.as_ref().unwrap_or(&empty))
                            })
                        })
                        .map(ObjKey::of)
                        .take(MAX_OBJECTS),
                );
            }
        }
    }
    if keys.is_empty() && !for_delete {
        return (Output::fail("error: no matching resources found"), None);
    }
    let mut job = Wait {
        keys,
        conditions,
        object: 0,
        condition: 0,
        deadline_ms: ctx.cluster.now_ms().saturating_add(timeout_ms),
    };
    let (out, done) = job.check(ctx.cluster);
    if done {
        return (out, None);
    }
    if timeout_ms == 0 {
        // Zero checks once.
        let mut out = out;
        if let Some(key) = job.keys.get(job.object) {
            out.push(Output::fail(format!(
                "error: condition not met for {}/{}",
                key.kind.info().qualified_plural(),
                key.name
            )));
        }
        return (out, None);
    }
    (out, Some(Box::new(job)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_arguments_read_as_kubectl_reads_them() {
        assert_eq!(condition_of("delete"), Ok(Condition::Delete));
        assert_eq!(
            condition_of("condition=Ready"),
            Ok(Condition::Status { type_: "Ready".into(), status: "true".into() })
        );
        assert_eq!(
            condition_of("condition=Ready=false"),
            Ok(Condition::Status { type_: "Ready".into(), status: "false".into() })
        );
        assert_eq!(
            condition_of("jsonpath={.status.phase}=Running"),
            Ok(Condition::JsonPath {
                template: "{.status.phase}".into(),
                value: Some("Running".into())
            })
        );
        assert_eq!(split_jsonpath_input("a==b=c"), ["a==b", "c"]);
        assert!(condition_of("jsonpath={.a}=").is_err());
        assert_eq!(condition_of("ready"), Err("error: unrecognized condition: \"ready\"".into()));
    }
}
