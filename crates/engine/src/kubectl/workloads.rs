//! The workload verbs: `scale`, `rollout status|history|undo|pause|resume|restart`,
//! `set image|env`, `patch`, and `create deployment|job|cronjob`, with kubectl v1.34's texts
//! (`pkg/cmd/scale`, `pkg/cmd/rollout`, `pkg/polymorphichelpers`, `pkg/cmd/set`, `pkg/cmd/patch`,
//! `pkg/cmd/create`).

use std::collections::{BTreeMap, VecDeque};

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, ReplicaSet};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::{Map, Value};

use super::args::{Flag, Parsed, boolean, parse, val};
use super::printers::name_of;
use super::resources::resolve;
use super::{Ctx, MAX_WAIT_MS, Output, Poll};
use crate::api::{ApiKind, Kind, ObjKey, Object};
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::controllers::deployment::{POD_TEMPLATE_HASH, REVISION};
use crate::controllers::workload::controller_ref;

/// The annotation `--record` writes and `rollout history` shows.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// The annotation `rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// Longest patch text accepted (a pasted patch, not a file system).
const MAX_PATCH_BYTES: usize = 256 * 1024;
/// Most operations in one JSON patch.
const MAX_JSON_PATCH_OPS: usize = 1000;

fn parse_or_fail(command: &str, argv: &[String], flags: &[Flag]) -> Result<Parsed, Output> {
    parse(command, argv, flags).map_err(Output::fail)
}

/// What `--record` stores: kubectl's `Command()` (program, positional words, then each flag).
pub fn change_cause(command_path: &str, p: &Parsed) -> String {
    let mut s = format!("kubectl {command_path}");
    for a in &p.positional {
        s.push(' ');
        s.push_str(a);
    }
    for (name, values) in &p.flags {
        for v in values {
            let v = if v.is_empty() { "true" } else { v.as_str() };
            s.push_str(&format!(" --{name}={v}"));
        }
    }
    s
}

/// What cobra prints on stderr when the deprecated `--record` flag is used.
pub fn record_deprecation(p: &Parsed) -> &'static str {
    if p.given("record") {
        "Flag --record has been deprecated, --record will be removed in the future\n"
    } else {
        ""
    }
}

/// `TYPE NAME...` or `TYPE/NAME...` to (kind, name) pairs; every one must have a name.
fn named_targets(ctx: &mut Ctx, p: &Parsed, command: &str) -> Result<Vec<(Kind, String)>, String> {
    // `-f FILE`: the objects the file names.
    if let Some(file) = p.get("filename") {
        let objects = super::manifest::read_objects(ctx, file, &p.namespace())?;
        return Ok(objects.iter().map(|o| (o.kind(), o.name().to_string())).collect());
    }
    let resolved = resolve(&p.positional)?;
    if resolved.targets.is_empty() {
        return Err(format!(
            "error: required resource not specified\nSee 'kubectl {command} -h' for help and examples"
        ));
    }
    let selector = match p.get("selector").map(crate::apimachinery::labels::Selector::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return Err(format!("error: {e}")),
    };
    let mut out = Vec::new();
    for t in resolved.targets {
        match t.name {
            Some(n) => out.push((t.kind, n)),
            // `TYPE -l SELECTOR` or `TYPE --all`: every object of the type that matches.
            None if selector.is_some() || p.is_set("all") => {
                let ns = p.namespace();
                let scope = if t.kind.info().namespaced { Some(ns.as_str()) } else { None };
                for o in ctx.cluster.store.list(t.kind, scope) {
                    let labels = o.meta().labels.clone().unwrap_or_default();
                    if selector.as_ref().is_none_or(|s| s.matches(&labels)) {
                        out.push((t.kind, o.name().to_string()));
                    }
                }
            }
            None => {
                return Err("error: resource(s) were provided, but no name was specified".into());
            }
        }
    }
    if out.is_empty() {
        return Err(format!("error: no objects passed to {command}"));
    }
    Ok(out)
}

fn lookup(ctx: &Ctx, kind: Kind, namespace: &str, name: &str) -> Result<Object, String> {
    let ns = if kind.info().namespaced { namespace } else { "" };
    ctx.cluster.get(&ObjKey::new(kind, ns, name)).cloned().ok_or_else(|| {
        crate::api::ApiError::not_found(&kind.info().qualified_plural(), name).kubectl_message(None)
    })
}

/// The pod template of a workload, mutably (pods have their spec directly; see `pod_spec_mut`).
pub fn template_mut(object: &mut Object) -> Option<&mut PodTemplateSpec> {
    match object {
        Object::Deployment(d) => Some(&mut d.spec.template),
        Object::ReplicaSet(r) => r.spec.template.as_mut(),
        Object::ReplicationController(r) => r.spec.as_mut().and_then(|s| s.template.as_mut()),
        Object::DaemonSet(d) => Some(&mut d.spec.template),
        Object::Job(j) => j.spec.as_mut().map(|s| &mut s.template),
        Object::CronJob(c) => c.spec.job_template.spec.as_mut().map(|s| &mut s.template),
        _ => None,
    }
}

/// The pod spec of a pod or of a workload's template, mutably.
fn pod_spec_mut(object: &mut Object) -> Option<&mut PodSpec> {
    if let Object::Pod(p) = object {
        return p.spec.as_mut();
    }
    template_mut(object).map(|t| t.spec.get_or_insert_with(Default::default))
}

// ---- scale -----------------------------------------------------------------------------------

/// `kubectl scale`.
pub fn scale(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("replicas", None),
        val("current-replicas", None),
        val("resource-version", None),
        val("selector", Some('l')),
        boolean("all", None),
        val("timeout", None),
        val("dry-run", None),
        val("output", Some('o')),
        val("filename", Some('f')),
        boolean("record", None),
    ];
    let p = match parse_or_fail("scale", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let int_flag = |name: &str, default: i64| -> Result<i64, String> {
        match p.get(name) {
            None => Ok(default),
            Some(v) => v.parse::<i64>().map_err(|_| {
                format!(
                    "error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl scale --help' for usage."
                )
            }),
        }
    };
    let (replicas, current) = match (int_flag("replicas", -1), int_flag("current-replicas", -1)) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(e), _) | (_, Err(e)) => return Output::fail(e),
    };
    if replicas < 0 {
        return Output::fail(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        );
    }
    if current < -1 {
        return Output::fail(
            "error: The --current-replicas must specify an integer of -1 or greater",
        );
    }
    let targets = match named_targets(ctx, &p, "scale") {
        Ok(t) => t,
        Err(e) => return Output::fail(e),
    };
    let ns = p.namespace();
    let mut out = Output::default();
    out.stderr.push_str(record_deprecation(&p));
    for (kind, name) in targets {
        let mut object = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                out.push(Output::fail(e));
                continue;
            }
        };
        let slot: Option<&mut Option<i32>> = match &mut object {
            Object::Deployment(d) => Some(&mut d.spec.replicas),
            Object::ReplicaSet(r) => Some(&mut r.spec.replicas),
            Object::ReplicationController(r) => r.spec.as_mut().map(|s| &mut s.replicas),
            _ => None,
        };
        // Only these kinds serve the scale subresource; kubectl PATCHes it and gets a bare 404.
        let Some(slot) = slot else {
            out.push(Output::fail(format!(
                "Error from server (NotFound): the server could not find the requested resource (patch {} {name})",
                kind.info().qualified_plural()
            )));
            continue;
        };
        // The scale subresource's int32 field overflows; the server rejects the patch.
        if replicas > i64::from(i32::MAX) {
            out.push(Output::fail(format!(
                "The Scale \"{name}\" is invalid: spec.replicas: Invalid value: {}: must be greater than or equal to 0",
                replicas as i32
            )));
            continue;
        }
        if current >= 0 && i64::from(slot.unwrap_or(1)) != current {
            out.push(Output::fail(format!(
                "error: Expected replicas to be {current}, was {}",
                slot.unwrap_or(1)
            )));
            continue;
        }
        *slot = Some(replicas as i32);
        if p.is_set("record") {
            object
                .meta_mut()
                .annotations
                .get_or_insert_with(Default::default)
                .insert(CHANGE_CAUSE.into(), change_cause("scale", &p));
        }
        if matches!(p.get("dry-run"), Some("client") | Some("true")) {
            out.stdout.push_str(&format!("{} scaled (dry run)\n", name_of(&object)));
            continue;
        }
        match ctx.cluster.update(object) {
            Ok(o) => out.stdout.push_str(&format!("{} scaled\n", name_of(&o))),
            Err(e) => out.push(Output::fail(e.kubectl_message(None))),
        }
    }
    out
}

// ---- rollout ---------------------------------------------------------------------------------

const ROLLOUT_HELP: &str = "Manage the rollout of one or many resources.\n\n Valid resource types include:\n\n  *  deployments\n  *  daemonsets\n  *  statefulsets\n\nExamples:\n  # Rollback to the previous deployment\n  kubectl rollout undo deployment/abc\n  \n  # Check the rollout status of a daemonset\n  kubectl rollout status daemonset/foo\n  \n  # Restart a deployment\n  kubectl rollout restart deployment/abc\n  \n  # Restart deployments with the 'app=nginx' label\n  kubectl rollout restart deployment --selector=app=nginx\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        Show the status of the rollout\n  undo          Undo a previous rollout\n\nUsage:\n  kubectl rollout SUBCOMMAND [options]\n\nUse \"kubectl rollout <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

/// `kubectl rollout SUBCOMMAND`; `status` may go on as a job.
pub fn rollout(ctx: &mut Ctx, argv: &[String]) -> (Output, Option<Box<dyn super::Job>>) {
    match argv.first().map(String::as_str) {
        Some("status") => rollout_status(ctx, &argv[1..]),
        _ => (rollout_verb(ctx, argv), None),
    }
}

fn rollout_verb(ctx: &mut Ctx, argv: &[String]) -> Output {
    let Some(sub) = argv.first() else {
        return Output::ok(ROLLOUT_HELP);
    };
    let rest = &argv[1..];
    match sub.as_str() {
        "history" => rollout_history(ctx, rest),
        "undo" => rollout_undo(ctx, rest),
        "pause" => rollout_pause(ctx, rest, true),
        "resume" => rollout_pause(ctx, rest, false),
        "restart" => rollout_restart(ctx, rest),
        "-h" | "--help" => Output::ok(ROLLOUT_HELP),
        other => {
            Output::fail(format!("error: unknown command \"{other}\" for \"kubectl rollout\""))
        }
    }
}

// Rollout verbs report an empty selection on stderr and succeed, as upstream does.
fn rollout_none_or_fail(e: String, p: &Parsed) -> Output {
    if e.starts_with("error: no objects passed to") {
        return Output {
            stderr: format!("No resources found in {} namespace.\n", p.namespace()),
            ..Output::default()
        };
    }
    Output::fail(e)
}

fn rollout_targets(ctx: &mut Ctx, p: &Parsed, verb: &str) -> Result<Vec<(Kind, String)>, String> {
    if p.positional.is_empty() && !p.given("filename") {
        return Err("error: required resource not specified".into());
    }
    named_targets(ctx, p, &format!("rollout {verb}"))
}

/// What `rollout status` prints for the object now, and whether it is done.
fn status_line(object: &Object) -> Result<(String, bool), String> {
    match object {
        Object::Deployment(d) => {
            let name = object.name();
            let spec = &d.spec;
            let st = d.status.clone().unwrap_or_default();
            if object.meta().generation.unwrap_or(0) > st.observed_generation.unwrap_or(0) {
                return Ok((
                    "Waiting for deployment spec update to be observed...\n".into(),
                    false,
                ));
            }
            let timed_out = st.conditions.iter().flatten().any(|c| {
                c.type_.as_deref() == Some("Progressing")
                    && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
            });
            if timed_out {
                return Err(format!("error: deployment \"{name}\" exceeded its progress deadline"));
            }
            let (updated, replicas, available) = (
                st.updated_replicas.unwrap_or(0),
                st.replicas.unwrap_or(0),
                st.available_replicas.unwrap_or(0),
            );
            let want = spec.replicas.unwrap_or(1);
            if updated < want {
                return Ok((
                    format!(
                        "Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated...\n"
                    ),
                    false,
                ));
            }
            if replicas > updated {
                return Ok((
                    format!(
                        "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n",
                        replicas - updated
                    ),
                    false,
                ));
            }
            if available < updated {
                return Ok((
                    format!(
                        "Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"
                    ),
                    false,
                ));
            }
            Ok((format!("deployment \"{name}\" successfully rolled out\n"), true))
        }
        Object::DaemonSet(d) => {
            let name = object.name();
            let st = d.status.clone().unwrap_or_default();
            let strategy = d
                .spec
                .update_strategy
                .as_ref()
                .and_then(|s| s.type_.clone())
                .unwrap_or_else(|| "RollingUpdate".into());
            if strategy != "RollingUpdate" {
                return Err(
                    "error: rollout status is only available for RollingUpdate strategy type"
                        .into(),
                );
            }
            if object.meta().generation.unwrap_or(0) > st.observed_generation.unwrap_or(0) {
                return Ok((
                    "Waiting for daemon set spec update to be observed...\n".into(),
                    false,
                ));
            }
            let desired = st.desired_number_scheduled;
            let updated = st.updated_number_scheduled.unwrap_or(0);
            let available = st.number_available.unwrap_or(0);
            if updated < desired {
                return Ok((
                    format!(
                        "Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...\n"
                    ),
                    false,
                ));
            }
            if available < desired {
                return Ok((
                    format!(
                        "Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...\n"
                    ),
                    false,
                ));
            }
            Ok((format!("daemon set \"{name}\" successfully rolled out\n"), true))
        }
        other => Err(format!(
            "error: no status viewer has been implemented for {}",
            kind_string(other.kind())
        )),
    }
}

// Go's GroupKind String(): `Job.batch`, `Pod` for the core group.
fn kind_string(kind: Kind) -> String {
    let i = kind.info();
    if i.group.is_empty() { i.kind.to_string() } else { format!("{}.{}", i.kind, i.group) }
}

/// `kubectl rollout status`: prints the status line of each object, then, as a job, a line for
/// every change of the object until it is done.
fn rollout_status(ctx: &mut Ctx, argv: &[String]) -> (Output, Option<Box<dyn super::Job>>) {
    let flags = [
        boolean("watch", Some('w')),
        val("revision", None),
        val("timeout", None),
        val("selector", Some('l')),
        val("filename", Some('f')),
    ];
    let p = match parse_or_fail("rollout status", argv, &flags) {
        Ok(p) => p,
        Err(o) => return (o, None),
    };
    let targets = match rollout_targets(ctx, &p, "status") {
        Ok(t) => t,
        Err(e) => return (rollout_none_or_fail(e, &p), None),
    };
    let timeout_ms = match p.get("timeout") {
        None | Some("0") | Some("0s") => MAX_WAIT_MS,
        Some(t) => match super::parse_duration(t) {
            Some(ms) if ms > 0 => ms.min(MAX_WAIT_MS),
            Some(_) => MAX_WAIT_MS,
            None => {
                return (
                    Output::fail(format!(
                        "error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl rollout status --help' for usage."
                    )),
                    None,
                );
            }
        },
    };
    let ns = p.namespace();
    let mut job = RolloutStatus {
        pending: targets.into_iter().map(|(kind, name)| ObjKey::new(kind, &ns, &name)).collect(),
        watch: p.get("watch") != Some("false"),
        timeout_ms,
        current: None,
    };
    ctx.cluster.settle();
    let mut out = Output::default();
    if job.next_targets(ctx.cluster, &mut out) { (out, None) } else { (out, Some(Box::new(job))) }
}

/// The waiting part of `rollout status`: one object at a time, each with its own `--timeout`.
struct RolloutStatus {
    pending: VecDeque<ObjKey>,
    watch: bool,
    timeout_ms: Millis,
    /// The object waited for, the resource version of its last printed line, the deadline.
    current: Option<(ObjKey, Option<String>, Millis)>,
}

impl RolloutStatus {
    /// Prints the status of the next objects until one must be waited for; true when none
    /// is left or one failed.
    fn next_targets(&mut self, cluster: &Cluster, out: &mut Output) -> bool {
        while let Some(key) = self.pending.pop_front() {
            let Some(object) = cluster.get(&key) else {
                out.push(Output::fail(
                    crate::api::ApiError::not_found(&key.kind.info().qualified_plural(), &key.name)
                        .kubectl_message(None),
                ));
                return true;
            };
            match status_line(object) {
                Ok((line, done)) => {
                    out.stdout.push_str(&line);
                    if done || !self.watch {
                        continue;
                    }
                    // Each watch event (a new resourceVersion) prints the viewer's current line.
                    let rv = object.meta().resource_version.clone();
                    let deadline_ms = cluster.now_ms().saturating_add(self.timeout_ms);
                    self.current = Some((key, rv, deadline_ms));
                    return false;
                }
                Err(e) => {
                    out.push(Output::fail(e));
                    return true;
                }
            }
        }
        true
    }
}

impl super::Job for RolloutStatus {
    fn poll(&mut self, cluster: &Cluster) -> Poll {
        let Some((key, last_rv, _)) = &mut self.current else {
            return Poll::Done(Output::default());
        };
        let Some(object) = cluster.get(key) else {
            self.current = None;
            return Poll::Done(Output::fail("error: object has been deleted"));
        };
        if object.meta().resource_version == *last_rv {
            return Poll::Waiting(Output::default());
        }
        *last_rv = object.meta().resource_version.clone();
        let mut out = Output::default();
        match status_line(object) {
            Ok((line, done)) => {
                out.stdout.push_str(&line);
                if !done {
                    return Poll::Waiting(out);
                }
                self.current = None;
                if self.next_targets(cluster, &mut out) {
                    Poll::Done(out)
                } else {
                    Poll::Waiting(out)
                }
            }
            Err(e) => {
                out.push(Output::fail(e));
                self.current = None;
                Poll::Done(out)
            }
        }
    }

    fn deadline_ms(&self) -> Millis {
        self.current.as_ref().map_or(Millis::MAX, |c| c.2)
    }

    fn expire(&mut self, _cluster: &Cluster) -> Output {
        self.current = None;
        Output::fail("error: timed out waiting for the condition")
    }
}

/// The ReplicaSets a deployment controls, with their revision numbers.
fn owned_replicasets(ctx: &Ctx, d: &Object) -> Vec<(i64, ReplicaSet)> {
    let uid = d.meta().uid.clone();
    ctx.cluster
        .store
        .list_typed::<ReplicaSet>(Some(d.namespace()))
        .filter(|rs| controller_ref(&rs.metadata).is_some_and(|r| Some(&r.uid) == uid.as_ref()))
        .filter_map(|rs| {
            let rev = rs.metadata.annotations.as_ref()?.get(REVISION)?.parse::<i64>().ok()?;
            Some((rev, rs.clone()))
        })
        .collect()
}

fn parse_revision(p: &Parsed, command: &str) -> Result<i64, String> {
    match p.get("revision").or(p.get("to-revision")) {
        None => Ok(0),
        Some(v) => v.parse::<i64>().map_err(|_| {
            let flag = if p.given("revision") { "revision" } else { "to-revision" };
            format!(
                "error: invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl {command} --help' for usage."
            )
        }),
    }
}

/// `kubectl rollout history`.
fn rollout_history(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("revision", None),
        val("selector", Some('l')),
        val("output", Some('o')),
        val("filename", Some('f')),
    ];
    let p = match parse_or_fail("rollout history", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let revision = match parse_revision(&p, "rollout history") {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    let targets = match rollout_targets(ctx, &p, "history") {
        Ok(t) => t,
        Err(e) => return rollout_none_or_fail(e, &p),
    };
    let ns = p.namespace();
    let mut out = Output::default();
    for (kind, name) in targets {
        let object = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => return Output::fail(e),
        };
        if kind != Kind::Deployment {
            return Output::fail(format!(
                "error: no history viewer has been implemented for {}",
                kind_string(kind)
            ));
        }
        let mut history: BTreeMap<i64, PodTemplateSpec> = BTreeMap::new();
        for (rev, rs) in owned_replicasets(ctx, &object) {
            let mut t = rs.spec.template.unwrap_or_default();
            if let Some(cause) = rs.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE))
            {
                t.metadata
                    .get_or_insert_with(Default::default)
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(CHANGE_CAUSE.into(), cause.clone());
            }
            history.insert(rev, t);
        }
        let body = if history.is_empty() {
            "No rollout history found.".to_string()
        } else if revision > 0 {
            let Some(t) = history.get(&revision) else {
                return Output::fail("error: unable to find the specified revision");
            };
            super::describe_workloads::pod_template_text(t)
        } else {
            let mut rows = String::from("REVISION\tCHANGE-CAUSE\n");
            for (rev, t) in &history {
                let cause = t
                    .metadata
                    .as_ref()
                    .and_then(|m| m.annotations.as_ref())
                    .and_then(|a| a.get(CHANGE_CAUSE))
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .unwrap_or_else(|| "<none>".into());
                rows.push_str(&format!("{rev}\t{cause}\n"));
            }
            super::format::TabWriter::with_layout(0, 2).format(&rows)
        };
        let with = if revision > 0 { format!("with revision #{revision}") } else { String::new() };
        out.stdout.push_str(&format!("{} {with}\n{body}\n", name_of(&object)));
    }
    out
}

fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH);
    }
    t
}

// Deployment annotations a rollback keeps (`annotationsToSkip` in kubectl's rollback.go).
const ROLLBACK_KEEP: &[&str] = &[
    super::manifest::LAST_APPLIED,
    REVISION,
    crate::controllers::deployment::REVISION_HISTORY,
    crate::controllers::deployment::DESIRED_REPLICAS,
    crate::controllers::deployment::MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
];

/// `kubectl rollout undo`: kubectl's client-side rollback (copy the old ReplicaSet's template).
fn rollout_undo(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("to-revision", None),
        val("selector", Some('l')),
        val("dry-run", None),
        val("output", Some('o')),
        val("filename", Some('f')),
    ];
    let p = match parse_or_fail("rollout undo", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let to = match parse_revision(&p, "rollout undo") {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    let dry = match super::manifest::dry_run(&p) {
        Ok(false) => None,
        Ok(true) => p.get("dry-run"),
        Err(e) => return Output::fail(e),
    };
    let targets = match rollout_targets(ctx, &p, "undo") {
        Ok(t) => t,
        Err(e) => return rollout_none_or_fail(e, &p),
    };
    let ns = p.namespace();
    let mut out = Output::default();
    for (kind, name) in targets {
        let object = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                out.push(Output::fail(e));
                continue;
            }
        };
        let annotations = object.meta().annotations.as_ref();
        if annotations.is_some_and(|a| a.contains_key(super::manifest::LAST_APPLIED)) {
            out.stderr.push_str(&format!(
                "Warning: resource {}/{name} was previously managed with 'kubectl apply'. Rolling back will not update the {} annotation, which may cause unexpected behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your previous configuration file instead.\n",
                kind.info().plural,
                super::manifest::LAST_APPLIED
            ));
        }
        match undo_one(ctx, &object, to, dry) {
            Ok(word) => {
                let suffix = super::manifest::dry_suffix(dry);
                out.stdout.push_str(&format!("{} {word}{suffix}\n", name_of(&object)));
            }
            Err(e) => out.push(Output::fail(format!("error: {e}"))),
        }
    }
    out
}

/// Rolls `object` back to revision `to` (0: the one before), or with `--dry-run=client` shows
/// the template it would roll back to.
fn undo_one(ctx: &mut Ctx, object: &Object, to: i64, dry: Option<&str>) -> Result<String, String> {
    let Some(d) = object.as_kind::<Deployment>() else {
        return Err(format!(
            "no rollbacker has been implemented for \"{}\"",
            kind_string(object.kind())
        ));
    };
    if to < 0 {
        return Err(format!("unable to find specified revision {to} in history"));
    }
    let mut rss = owned_replicasets(ctx, object);
    crate::sorting::sort_by_key(&mut rss, |(rev, _)| *rev);
    let chosen = if to > 0 {
        rss.iter()
            .find(|(rev, _)| *rev == to)
            .map(|(_, rs)| rs.clone())
            .ok_or_else(|| format!("unable to find specified revision {to} in history"))?
    } else {
        if rss.len() < 2 {
            return Err(format!("no rollout history found for deployment \"{}\"", object.name()));
        }
        rss[rss.len() - 2].1.clone()
    };
    let rs_template = chosen.spec.template.clone().unwrap_or_default();
    if matches!(dry, Some("client" | "true")) {
        return Ok(super::describe_workloads::pod_template_text(&rs_template));
    }
    let spec = d.spec.clone();
    if spec.paused == Some(true) {
        return Err("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".into());
    }
    let revision_of_chosen = chosen
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .cloned()
        .unwrap_or_default();
    if without_hash(&rs_template) == without_hash(&spec.template) {
        return Ok(format!(
            "skipped rollback (current template already matches revision {revision_of_chosen})"
        ));
    }
    let mut annotations = BTreeMap::new();
    let current = object.meta().annotations.clone().unwrap_or_default();
    for k in ROLLBACK_KEEP {
        if let Some(v) = current.get(*k) {
            annotations.insert((*k).to_string(), v.clone());
        }
    }
    for (k, v) in chosen.metadata.annotations.clone().unwrap_or_default() {
        if !ROLLBACK_KEEP.contains(&k.as_str()) {
            annotations.insert(k, v);
        }
    }
    let mut updated = d.clone();
    updated.metadata.annotations = Some(annotations);
    updated.spec.template = without_hash(&rs_template);
    // A server dry run writes nothing.
    if dry.is_none() {
        ctx.cluster.update(updated.into_object()).map_err(|e| {
            format!("failed restoring revision {revision_of_chosen}: {}", e.message)
        })?;
    }
    Ok("rolled back".into())
}

/// `kubectl rollout pause` / `resume`.
fn rollout_pause(ctx: &mut Ctx, argv: &[String], pause: bool) -> Output {
    let verb = if pause { "pause" } else { "resume" };
    let flags = [val("selector", Some('l')), val("output", Some('o')), val("filename", Some('f'))];
    let p = match parse_or_fail(&format!("rollout {verb}"), argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let targets = match rollout_targets(ctx, &p, verb) {
        Ok(t) => t,
        Err(e) => return rollout_none_or_fail(e, &p),
    };
    let ns = p.namespace();
    let mut out = Output::default();
    for (kind, name) in targets {
        let mut object = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                out.push(Output::fail(e));
                continue;
            }
        };
        let Object::Deployment(d) = &mut object else {
            let what = if pause { "pausing" } else { "resuming" };
            out.push(Output::fail(format!(
                "error: {} \"{name}\" {what} is not supported",
                kind.info().qualified_plural()
            )));
            continue;
        };
        let spec = &mut d.spec;
        if spec.paused.unwrap_or(false) == pause {
            let state = if pause { "is already paused" } else { "is not paused" };
            out.push(Output::fail(format!(
                "error: {} \"{name}\" {state}",
                kind.info().qualified_plural()
            )));
            continue;
        }
        spec.paused = if pause { Some(true) } else { None };
        match ctx.cluster.update(object) {
            Ok(o) => out.stdout.push_str(&format!(
                "{} {}\n",
                name_of(&o),
                if pause { "paused" } else { "resumed" }
            )),
            Err(e) => out.push(Output::fail(format!("error: failed to patch: {}", e.message))),
        }
    }
    out
}

/// `kubectl rollout restart`: stamps the pod template so the controller rolls every pod.
fn rollout_restart(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [val("selector", Some('l')), val("output", Some('o')), val("filename", Some('f'))];
    let p = match parse_or_fail("rollout restart", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let targets = match rollout_targets(ctx, &p, "restart") {
        Ok(t) => t,
        Err(e) => return rollout_none_or_fail(e, &p),
    };
    let ns = p.namespace();
    // kubectl stamps its own clock in RFC 3339 (UTC on this machine).
    let stamp = k8s_openapi::jiff::fmt::strtime::format(
        "%Y-%m-%dT%H:%M:%SZ",
        crate::time::time(ctx.cluster.now()).0,
    )
    .unwrap_or_default();
    let mut out = Output::default();
    for (kind, name) in targets {
        let mut object = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                out.push(Output::fail(e));
                continue;
            }
        };
        if let Object::Deployment(d) = &object
            && d.spec.paused == Some(true)
        {
            out.push(Output::fail(format!(
                "error: deployments.apps \"{name}\" can't restart paused deployment (run rollout resume first)"
            )));
            continue;
        }
        if !matches!(kind, Kind::Deployment | Kind::DaemonSet) {
            out.push(Output::fail(format!(
                "error: {} \"{name}\" restarting is not supported",
                kind.info().qualified_plural()
            )));
            continue;
        }
        if let Some(t) = template_mut(&mut object) {
            t.metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert(RESTARTED_AT.into(), stamp.clone());
        }
        match ctx.cluster.update(object) {
            Ok(o) => out.stdout.push_str(&format!("{} restarted\n", name_of(&o))),
            Err(e) => out.push(Output::fail(format!("error: failed to patch: {}", e.message))),
        }
    }
    out
}

// ---- set image / set env ---------------------------------------------------------------------

/// `kubectl set SUBCOMMAND`.
pub fn set(ctx: &mut Ctx, argv: &[String]) -> Output {
    match argv.first().map(String::as_str) {
        Some("image") => set_image(ctx, &argv[1..]),
        Some("env") => set_env(ctx, &argv[1..]),
        Some(other) if !other.starts_with('-') => {
            Output::fail(format!("error: unknown command \"{other}\" for \"kubectl set\""))
        }
        _ => Output::ok(
            "Configure application resources.\n\n These commands help you make changes to existing application resources.\n\nAvailable Commands:\n  env              Update environment variables on a pod template\n  image            Update the image of a pod template\n\nUsage:\n  kubectl set SUBCOMMAND [options]\n\nUse \"kubectl set <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n",
        ),
    }
}

fn set_image(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        boolean("record", None),
        boolean("all", None),
        val("selector", Some('l')),
        boolean("local", None),
        val("dry-run", None),
        val("output", Some('o')),
        val("filename", Some('f')),
    ];
    let p = match parse_or_fail("set image", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (pairs, resources): (Vec<String>, Vec<String>) =
        p.positional.iter().cloned().partition(|a| a.contains('='));
    if resources.is_empty() && !p.given("filename") {
        return Output::fail(
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
        );
    }
    if pairs.is_empty() {
        return Output::fail("error: at least one image update is required");
    }
    let images: Vec<(String, String)> = pairs
        .iter()
        .filter_map(|s| s.split_once('=').map(|(a, b)| (a.to_string(), b.to_string())))
        .collect();
    if images.iter().any(|(n, _)| n == "*") && images.len() > 1 {
        return Output::fail(
            "error: all containers are already specified by *, but saw more than one container_name=container_image pairs",
        );
    }
    let rp = Parsed { positional: resources, ..p.clone() };
    let targets = match named_targets(ctx, &rp, "set image") {
        Ok(t) => t,
        Err(e) => return Output::fail(e),
    };
    let ns = p.namespace();
    let cause = change_cause("set image", &p);
    let mut out = Output::default();
    out.stderr.push_str(record_deprecation(&p));
    let mut errors = Vec::new();
    for (kind, name) in targets {
        let original = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut object = original.clone();
        let Some(spec) = pod_spec_mut(&mut object) else {
            errors.push(format!(
                "error: {}/{name} the object is not a pod or does not have a pod template: *v1.{}",
                kind.info().qualified_plural(),
                kind.info().kind
            ));
            continue;
        };
        for (container, image) in &images {
            let mut found = false;
            for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
                if container == "*" || &c.name == container {
                    c.image = Some(image.clone());
                    found = true;
                }
            }
            if !found {
                errors.push(format!("error: unable to find container named \"{container}\""));
            }
        }
        if p.is_set("record") {
            object
                .meta_mut()
                .annotations
                .get_or_insert_with(Default::default)
                .insert(CHANGE_CAUSE.into(), cause.clone());
        }
        if object == original {
            continue;
        }
        if p.is_set("local") || matches!(p.get("dry-run"), Some("client") | Some("true")) {
            out.stdout.push_str(&format!("{} image updated (dry run)\n", name_of(&object)));
            continue;
        }
        match ctx.cluster.update(object) {
            Ok(o) => out.stdout.push_str(&format!("{} image updated\n", name_of(&o))),
            Err(e) => errors.push(format!(
                "error: failed to patch image update to pod template: {}",
                e.kubectl_message(None)
            )),
        }
    }
    for e in errors {
        out.push(Output::fail(e));
    }
    out
}

fn set_env(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("containers", Some('c')),
        boolean("list", None),
        boolean("all", None),
        val("selector", Some('l')),
        boolean("overwrite", None),
        val("dry-run", None),
        val("output", Some('o')),
        val("filename", Some('f')),
        val("env", Some('e')),
    ];
    let p = match parse_or_fail("set env", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (changes, resources): (Vec<String>, Vec<String>) = p
        .positional
        .iter()
        .cloned()
        .partition(|a| a.contains('=') || (a.ends_with('-') && !a.contains('/')));
    let mut changes = changes;
    changes.extend(p.all("env"));
    let rp = Parsed { positional: resources, ..p.clone() };
    let targets = match named_targets(ctx, &rp, "set env") {
        Ok(t) => t,
        Err(e) => return Output::fail(e),
    };
    if changes.is_empty() && !p.is_set("list") {
        return Output::fail("error: at least one environment variable must be provided");
    }
    let only = p.get("containers").unwrap_or("*").to_string();
    let ns = p.namespace();
    let mut out = Output::default();
    for (kind, name) in targets {
        let original = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                out.push(Output::fail(e));
                continue;
            }
        };
        let mut object = original.clone();
        let Some(spec) = pod_spec_mut(&mut object) else {
            out.push(Output::fail(format!(
                "error: {}/{name} the object is not a pod or does not have a pod template",
                kind.info().qualified_plural()
            )));
            continue;
        };
        let mut listing = String::new();
        for c in spec.containers.iter_mut().filter(|c| only == "*" || c.name == only) {
            if p.is_set("list") {
                listing.push_str(&format!(
                    "# {} {name}, container {}\n",
                    kind.info().singular,
                    c.name
                ));
                for e in c.env.iter().flatten() {
                    listing.push_str(&format!(
                        "{}={}\n",
                        e.name,
                        e.value.clone().unwrap_or_default()
                    ));
                }
                continue;
            }
            let env = c.env.get_or_insert_with(Vec::new);
            for ch in &changes {
                if let Some((k, v)) = ch.split_once('=') {
                    match env.iter_mut().find(|e| e.name == k) {
                        Some(e) => {
                            e.value = Some(v.to_string());
                            e.value_from = None;
                        }
                        None => env.push(k8s_openapi::api::core::v1::EnvVar {
                            name: k.to_string(),
                            value: Some(v.to_string()),
                            value_from: None,
                        }),
                    }
                } else if let Some(k) = ch.strip_suffix('-') {
                    env.retain(|e| e.name != k);
                }
            }
            if env.is_empty() {
                c.env = None;
            }
        }
        if p.is_set("list") {
            out.stdout.push_str(&listing);
            continue;
        }
        if object == original {
            continue;
        }
        match ctx.cluster.update(object) {
            Ok(o) => out.stdout.push_str(&format!("{} env updated\n", name_of(&o))),
            Err(e) => out.push(Output::fail(e.kubectl_message(None))),
        }
    }
    out
}

// ---- patch -----------------------------------------------------------------------------------

/// `kubectl patch`.
pub fn patch(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("patch", Some('p')),
        val("patch-file", None),
        val("type", None),
        boolean("local", None),
        val("dry-run", None),
        val("output", Some('o')),
        val("filename", Some('f')),
        boolean("record", None),
        val("subresource", None),
    ];
    let p = match parse_or_fail("patch", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let kind_of_patch = p.get("type").unwrap_or("strategic");
    if !["json", "merge", "strategic"].contains(&kind_of_patch) {
        return Output::fail(format!(
            "error: --type must be one of [json merge strategic], not \"{kind_of_patch}\""
        ));
    }
    let text = match (p.get("patch"), p.get("patch-file")) {
        (Some(_), Some(_)) => {
            return Output::fail("error: cannot specify --patch and --patch-file together");
        }
        (Some(t), None) => t.to_string(),
        (None, Some(f)) => match super::manifest::read_source(ctx, f) {
            Ok(t) => t,
            Err(e) => return Output::fail(e),
        },
        (None, None) => {
            return Output::fail(
                "error: must specify --patch or --patch-file containing the contents of the patch",
            );
        }
    };
    if text.len() > MAX_PATCH_BYTES {
        let head: String = text.chars().take(40).collect();
        return Output::fail(format!("error: unable to parse \"{head}...\": patch too large"));
    }
    let patch_value: Value = match serde_yaml_ng::from_str::<Value>(&text) {
        Ok(v) => v,
        Err(e) => {
            let mut quoted = String::new();
            super::format::gofmt::push_go_quote(&mut quoted, &text);
            let line = e.location().map_or(1, |l| l.line()).min(text.lines().count().max(1));
            return Output::fail(format!(
                "error: unable to parse {quoted}: error converting YAML to JSON: yaml: line {line}: did not find expected node content"
            ));
        }
    };
    let targets = match named_targets(ctx, &p, "patch") {
        Ok(t) => t,
        Err(e) => return Output::fail(e),
    };
    let ns = p.namespace();
    let mut out = Output::default();
    out.stderr.push_str(record_deprecation(&p));
    for (kind, name) in targets {
        let original = match lookup(ctx, kind, &ns, &name) {
            Ok(o) => o,
            Err(e) => {
                out.push(Output::fail(e));
                continue;
            }
        };
        let live = original.to_json();
        let patched = match kind_of_patch {
            "json" => json_patch(&live, &patch_value),
            "merge" => match patch_value.as_object() {
                Some(_) => Ok(merge_patch(&live, &patch_value)),
                None => Err(PatchError::Client(format!(
                    "error: unable to parse \"{text}\": json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    go_json_type(&patch_value)
                ))),
            },
            _ => match patch_value.as_object() {
                Some(_) => Ok(strategic_merge(&live, &patch_value, "")),
                None => Err(PatchError::Client(format!(
                    "error: unable to parse \"{text}\": json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    go_json_type(&patch_value)
                ))),
            },
        };
        let patched = match patched {
            Ok(v) => v,
            Err(PatchError::Client(e)) => {
                out.push(Output::fail(e));
                continue;
            }
            Err(PatchError::Server(e)) => {
                out.push(Output::fail(format!("Error from server: {e}")));
                continue;
            }
            Err(PatchError::Invalid) => {
                out.push(Output::fail(
                    "The request is invalid: the server rejected our request due to an error in our request",
                ));
                continue;
            }
        };
        let mut object = match Object::from_json(kind, patched) {
            Ok(o) => o,
            Err(e) => {
                out.push(Output::fail(format!(
                    "Error from server (BadRequest): {} in version \"{}\" cannot be handled as a {}: json: cannot unmarshal into field {}",
                    kind.info().kind,
                    kind.info().version,
                    kind.info().kind,
                    e.path()
                )));
                continue;
            }
        };
        if object.name() != original.name() || object.namespace() != original.namespace() {
            out.push(Output::fail(format!(
                "The {} \"{name}\" is invalid: metadata.name: Invalid value: \"{}\": field is immutable",
                kind.info().kind,
                object.name()
            )));
            continue;
        }
        if p.is_set("record") {
            object
                .meta_mut()
                .annotations
                .get_or_insert_with(Default::default)
                .insert(CHANGE_CAUSE.into(), change_cause("patch", &p));
        }
        let dry = p.is_set("local") || matches!(p.get("dry-run"), Some("client") | Some("true"));
        let same = object.to_json() == live;
        if dry {
            out.stdout.push_str(&format!("{} patched (dry run)\n", name_of(&object)));
            continue;
        }
        if same {
            out.stdout.push_str(&format!("{} patched (no change)\n", name_of(&object)));
            continue;
        }
        match ctx.cluster.update(object) {
            Ok(o) => {
                let unchanged = o.meta().resource_version == original.meta().resource_version;
                let word = if unchanged { "patched (no change)" } else { "patched" };
                out.stdout.push_str(&format!("{} {word}\n", name_of(&o)));
            }
            Err(e) => out.push(Output::fail(e.kubectl_message(None))),
        }
    }
    out
}

fn go_json_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "object",
    }
}

enum PatchError {
    Client(String),
    Server(String),
    Invalid,
}

/// `--overrides` of `run` and `expose`: kubectl patches the object it generated before sending
/// it, by `--override-type` (a JSON merge patch unless told otherwise).
pub fn apply_overrides(object: Object, p: &Parsed) -> Result<Object, String> {
    let Some(text) = p.get("overrides").filter(|t| !t.is_empty()) else { return Ok(object) };
    let kind = object.kind();
    let generated = object.to_json();
    let override_type = p.get("override-type").unwrap_or("merge");
    let patch: Option<Value> = serde_json::from_str(text).ok();
    let patched = match (override_type, patch) {
        // A patch that is not an object replaces the whole document, which then does not decode.
        ("merge", Some(patch)) if patch.is_object() => merge_patch(&generated, &patch),
        ("merge", _) => return Err("error: Invalid JSON Patch".into()),
        ("strategic", Some(patch)) if patch.is_object() => strategic_merge(&generated, &patch, ""),
        ("strategic", _) => return Err("error: invalid JSON document".into()),
        ("json", Some(patch)) => match json_patch(&generated, &patch) {
            Ok(v) => v,
            Err(PatchError::Client(e)) => return Err(e),
            Err(PatchError::Server(e)) => return Err(format!("error: {e}")),
            Err(PatchError::Invalid) => return Err("error: Invalid JSON Patch".into()),
        },
        ("json", None) => return Err("error: Invalid JSON Patch".into()),
        (other, _) => return Err(format!("error: invalid override type: {other}")),
    };
    Object::from_json(kind, patched)
        .map_err(|e| format!("error: {}", crate::api::decode::type_error(&e)))
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &Value, patch: &Value) -> Value {
    let Some(pm) = patch.as_object() else {
        return patch.clone();
    };
    let mut out = target.as_object().cloned().unwrap_or_default();
    for (k, v) in pm {
        if v.is_null() {
            out.remove(k);
        } else {
            let merged = merge_patch(out.get(k).unwrap_or(&Value::Null), v);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

// The merge keys of the list fields lessons patch (`patchMergeKey` tags in k8s.io/api).
fn patch_merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "ports" => Some("containerPort"),
        "hostAliases" => Some("ip"),
        "conditions" => Some("type"),
        _ => None,
    }
}

/// A strategic merge patch for the fields with merge keys; other lists are replaced, as for
/// lists without a `patchStrategy` upstream. `$patch: delete`/`replace` directives work on maps and
/// merged list items.
pub fn strategic_merge(target: &Value, patch: &Value, field: &str) -> Value {
    match (target, patch) {
        (Value::Object(t), Value::Object(pm)) => {
            if pm.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut m = pm.clone();
                m.remove("$patch");
                return Value::Object(m);
            }
            let mut out = t.clone();
            for (k, v) in pm {
                if k.starts_with('$') {
                    continue;
                }
                if v.is_null() {
                    out.remove(k);
                    continue;
                }
                let merged = strategic_merge(out.get(k).unwrap_or(&Value::Null), v, k);
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(t), Value::Array(pl)) => {
            // Service ports merge on `port`, container ports on `containerPort`.
            let key = if field == "ports"
                && pl.iter().chain(t.iter()).any(|i| i.get("port").is_some())
                && !pl.iter().chain(t.iter()).any(|i| i.get("containerPort").is_some())
            {
                Some("port")
            } else {
                patch_merge_key(field)
            };
            let Some(key) = key else {
                return patch.clone();
            };
            let mut out: Vec<Value> = t.clone();
            for item in pl {
                let Some(id) = item.get(key) else {
                    out.push(item.clone());
                    continue;
                };
                let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                match out.iter().position(|i| i.get(key) == Some(id)) {
                    Some(pos) if delete => {
                        out.remove(pos);
                    }
                    Some(pos) => {
                        let merged = strategic_merge(&out[pos], item, "");
                        out[pos] = merged;
                    }
                    None if delete => {}
                    None => {
                        let mut m = item.clone();
                        if let Some(o) = m.as_object_mut() {
                            o.remove("$patch");
                        }
                        out.push(m);
                    }
                }
            }
            Value::Array(out)
        }
        (_, Value::Object(pm)) => {
            let mut m = pm.clone();
            m.retain(|k, v| !k.starts_with('$') && !v.is_null());
            strategic_merge(&Value::Object(Map::new()), &Value::Object(m), field)
        }
        _ => patch.clone(),
    }
}

fn unescape_pointer(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn pointer_parts(path: &str) -> Result<Vec<String>, PatchError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    if !path.starts_with('/') {
        return Err(PatchError::Invalid);
    }
    Ok(path[1..].split('/').map(unescape_pointer).collect())
}

fn get_at<'a>(doc: &'a Value, parts: &[String]) -> Option<&'a Value> {
    let mut cur = doc;
    for p in parts {
        cur = match cur {
            Value::Object(m) => m.get(p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn parent_mut<'a>(doc: &'a mut Value, parts: &[String]) -> Option<&'a mut Value> {
    let mut cur = doc;
    for p in &parts[..parts.len().saturating_sub(1)] {
        cur = match cur {
            Value::Object(m) => m.get_mut(p)?,
            Value::Array(a) => a.get_mut(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn remove_at(doc: &mut Value, parts: &[String]) -> Result<Value, PatchError> {
    let last = parts.last().ok_or(PatchError::Invalid)?;
    match parent_mut(doc, parts) {
        Some(Value::Object(m)) => m.remove(last).ok_or(PatchError::Invalid),
        Some(Value::Array(a)) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => Ok(a.remove(i)),
            _ => Err(PatchError::Invalid),
        },
        _ => Err(PatchError::Invalid),
    }
}

fn add_at(
    doc: &mut Value,
    parts: &[String],
    value: Value,
    replace: bool,
) -> Result<(), PatchError> {
    let Some(last) = parts.last() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, parts) {
        Some(Value::Object(m)) => {
            if replace && !m.contains_key(last) {
                return Err(PatchError::Invalid);
            }
            m.insert(last.clone(), value);
            Ok(())
        }
        Some(Value::Array(a)) => {
            if last == "-" && !replace {
                a.push(value);
                return Ok(());
            }
            let i = last.parse::<usize>().map_err(|_| PatchError::Invalid)?;
            if replace {
                let slot = a.get_mut(i).ok_or(PatchError::Invalid)?;
                *slot = value;
            } else if i <= a.len() {
                a.insert(i, value);
            } else {
                return Err(PatchError::Invalid);
            }
            Ok(())
        }
        _ => Err(PatchError::Invalid),
    }
}

/// RFC 6902 JSON patch.
fn json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let Some(ops) = patch.as_array() else {
        return Err(PatchError::Client(
            "error: unable to parse patch: json: cannot unmarshal object into Go value of type jsonpatch.Patch".into(),
        ));
    };
    if ops.len() > MAX_JSON_PATCH_OPS {
        return Err(PatchError::Invalid);
    }
    let mut doc = doc.clone();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = pointer_parts(op.get("path").and_then(Value::as_str).unwrap_or(""))?;
        let value = op.get("value").cloned();
        match name {
            "add" => add_at(&mut doc, &path, value.ok_or(PatchError::Invalid)?, false)?,
            "replace" => add_at(&mut doc, &path, value.ok_or(PatchError::Invalid)?, true)?,
            "remove" => {
                remove_at(&mut doc, &path)?;
            }
            "test" => {
                if get_at(&doc, &path) != value.as_ref() {
                    return Err(PatchError::Invalid);
                }
            }
            "move" | "copy" => {
                let from = pointer_parts(op.get("from").and_then(Value::as_str).unwrap_or(""))?;
                let v = if name == "move" {
                    remove_at(&mut doc, &from)?
                } else {
                    get_at(&doc, &from).cloned().ok_or(PatchError::Invalid)?
                };
                add_at(&mut doc, &path, v, false)?;
            }
            other => {
                return Err(PatchError::Server(format!("Unexpected kind: {other}")));
            }
        }
    }
    Ok(doc)
}

// ---- create deployment|job|cronjob -----------------------------------------------------------

/// The container name kubectl derives from an image (`luksa/kubia:v1` -> `kubia`).
pub fn container_name_from_image(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    let base = last.split(':').next().unwrap_or(last);
    base.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

/// The zero-value structs Go's encoder prints for an object built on the client (`strategy: {}`,
/// `resources: {}`, `metadata: {}`, `status: {}`), as `--dry-run=client -o yaml` shows them.
pub fn with_client_zero_structs(mut object: Object) -> Object {
    use k8s_openapi::api::core::v1::{ResourceRequirements, ServiceStatus};
    if let Some(t) = template_mut(&mut object) {
        t.metadata.get_or_insert_with(Default::default);
        for c in t.spec.iter_mut().flat_map(|s| s.containers.iter_mut()) {
            c.resources.get_or_insert_with(ResourceRequirements::default);
        }
    }
    match &mut object {
        Object::Deployment(d) => {
            d.spec.strategy.get_or_insert_with(Default::default);
            d.status.get_or_insert_with(Default::default);
        }
        Object::Job(j) => {
            j.status.get_or_insert_with(Default::default);
        }
        Object::CronJob(c) => {
            c.status.get_or_insert_with(Default::default);
        }
        Object::Service(s) => {
            s.status.get_or_insert_with(|| ServiceStatus {
                load_balancer: Some(Default::default()),
                conditions: None,
            });
        }
        _ => {}
    }
    object
}

fn created(ctx: &mut Ctx, object: Object, p: &Parsed) -> Output {
    let dry = p.get("dry-run");
    if matches!(dry, Some("client") | Some("true")) {
        let object = with_client_zero_structs(object);
        if let Some(o) = p.get("output") {
            return match super::get::parse_format(Some(o)).and_then(|f| {
                super::get::print_objects(&f, std::slice::from_ref(&object), ctx.cluster.now())
            }) {
                Ok(s) => Output::ok(s),
                Err(e) => Output::fail(e),
            };
        }
        return Output::ok(format!("{} created (dry run)\n", name_of(&object)));
    }
    match ctx.cluster.create(object) {
        Ok(o) => match p.get("output") {
            Some(f) => match super::get::parse_format(Some(f)).and_then(|f| {
                super::get::print_objects(&f, std::slice::from_ref(&o), ctx.cluster.now())
            }) {
                Ok(s) => Output::ok(s),
                Err(e) => Output::fail(e),
            },
            None => Output::ok(format!("{} created\n", name_of(&o))),
        },
        Err(e) => Output::fail(e.kubectl_message(None)),
    }
}

/// `-n NS` if given: generated objects carry a namespace only then (`EnforceNamespace`).
pub fn explicit_namespace(p: &Parsed) -> Option<String> {
    p.get("namespace").filter(|n| !n.is_empty()).map(String::from)
}

fn one_name(p: &Parsed, what: &str) -> Result<String, String> {
    match p.positional.as_slice() {
        [name] => Ok(name.clone()),
        other => Err(format!(
            "error: exactly one NAME is required, got {}\nSee 'kubectl create {what} -h' for help and examples",
            other.len()
        )),
    }
}

/// `kubectl create deployment|job|cronjob|service ...` (the forms built from flags).
pub fn create_subcommand(ctx: &mut Ctx, sub: &str, argv: &[String]) -> Output {
    match sub {
        "deployment" | "deploy" => create_deployment(ctx, argv),
        "job" => create_job(ctx, argv),
        "cronjob" | "cj" => create_cronjob(ctx, argv),
        "service" | "svc" => super::services::create_service(ctx, argv),
        other => Output::fail(format!("error: unknown command \"{other}\" for \"kubectl create\"")),
    }
}

fn create_deployment(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("image", None),
        val("replicas", Some('r')),
        val("port", None),
        val("dry-run", None),
        val("output", Some('o')),
        boolean("save-config", None),
    ];
    let p = match parse_or_fail("create deployment", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "deployment") {
        Ok(n) => n,
        Err(e) => return Output::fail(e),
    };
    let images = p.all("image");
    if images.is_empty() {
        return Output::fail("error: required flag(s) \"image\" not set");
    }
    if images.len() > 1 && p.after_dash.is_some() {
        return Output::fail("error: cannot specify multiple --image options and command");
    }
    let replicas = match p.get("replicas").map(str::parse::<i32>) {
        None => 1,
        Some(Ok(r)) => r,
        Some(Err(_)) => {
            let v = p.get("replicas").unwrap_or_default();
            return Output::fail(format!(
                "error: invalid argument \"{v}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl create deployment --help' for usage."
            ));
        }
    };
    let port = match p.get("port").map(str::parse::<i32>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            let v = p.get("port").unwrap_or_default();
            return Output::fail(format!(
                "error: invalid argument \"{v}\" for \"--port\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl create deployment --help' for usage."
            ));
        }
    };
    let labels = BTreeMap::from([("app".to_string(), name.clone())]);
    let containers = images
        .iter()
        .map(|image| Container {
            name: container_name_from_image(image),
            image: Some(image.clone()),
            command: p.after_dash.clone().filter(|c| !c.is_empty()),
            ports: port.map(|n| vec![ContainerPort { container_port: n, ..Default::default() }]),
            ..Default::default()
        })
        .collect();
    let d = Deployment {
        metadata: ObjectMeta {
            name: Some(name),
            labels: Some(labels.clone()),
            namespace: explicit_namespace(&p),
            ..Default::default()
        },
        spec: DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector { match_labels: Some(labels.clone()), ..Default::default() },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(labels), ..Default::default() }),
                spec: Some(PodSpec { containers, ..Default::default() }),
            },
            ..Default::default()
        },
        status: None,
    };
    created(ctx, d.into_object(), &p)
}

fn create_job(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("image", None),
        val("from", None),
        val("dry-run", None),
        val("output", Some('o')),
        boolean("save-config", None),
    ];
    let p = match parse_or_fail("create job", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "job") {
        Ok(n) => n,
        Err(e) => return Output::fail(e),
    };
    let ns = p.namespace();
    let job = match (p.get("image"), p.get("from")) {
        (None, None) => {
            return Output::fail("error: either --image or --from must be specified");
        }
        (Some(_), Some(_)) => {
            return Output::fail("error: either --image or --from must be specified");
        }
        (Some(image), None) => Job {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: explicit_namespace(&p),
                ..Default::default()
            },
            spec: Some(JobSpec {
                template: PodTemplateSpec {
                    metadata: None,
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: name.clone(),
                            image: Some(image.to_string()),
                            command: p.after_dash.clone().filter(|c| !c.is_empty()),
                            ..Default::default()
                        }],
                        restart_policy: Some("Never".into()),
                        ..Default::default()
                    }),
                },
                ..Default::default()
            }),
            status: None,
        },
        (None, Some(from)) => {
            let Some((kind, cj_name)) = from.split_once('/') else {
                return Output::fail(
                    "error: from must be of the form <resource>/<name>".to_string(),
                );
            };
            if Kind::from_resource_name(kind) != Some(Kind::CronJob) {
                return Output::fail("error: from must be an existing cronjob: unknown object type *unstructured.Unstructured".to_string());
            }
            let cj = match lookup(ctx, Kind::CronJob, &ns, cj_name) {
                Ok(o) => o,
                Err(e) => return Output::fail(e),
            };
            let Some(cron) = cj.as_kind::<CronJob>() else {
                return Output::fail("error: from must be an existing cronjob");
            };
            let jt = cron.spec.job_template.clone();
            let mut annotations =
                jt.metadata.as_ref().and_then(|m| m.annotations.clone()).unwrap_or_default();
            annotations.insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
            Job {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    namespace: explicit_namespace(&p),
                    labels: jt.metadata.as_ref().and_then(|m| m.labels.clone()),
                    annotations: Some(annotations),
                    owner_references: Some(vec![crate::controllers::workload::owner_ref(&cj)]),
                    ..Default::default()
                },
                spec: jt.spec,
                status: None,
            }
        }
    };
    created(ctx, job.into_object(), &p)
}

fn create_cronjob(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("image", None),
        val("schedule", None),
        val("restart", None),
        val("dry-run", None),
        val("output", Some('o')),
        boolean("save-config", None),
    ];
    let p = match parse_or_fail("create cronjob", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "cronjob") {
        Ok(n) => n,
        Err(e) => return Output::fail(e),
    };
    let Some(image) = p.get("image") else {
        return Output::fail("error: required flag(s) \"image\", \"schedule\" not set");
    };
    let Some(schedule) = p.get("schedule") else {
        return Output::fail("error: required flag(s) \"schedule\" not set");
    };
    let restart = p.get("restart").unwrap_or("OnFailure").to_string();
    let cj = CronJob {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: explicit_namespace(&p),
            ..Default::default()
        },
        spec: CronJobSpec {
            schedule: schedule.to_string(),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta { name: Some(name.clone()), ..Default::default() }),
                spec: Some(JobSpec {
                    template: PodTemplateSpec {
                        metadata: None,
                        spec: Some(PodSpec {
                            containers: vec![Container {
                                name: name.clone(),
                                image: Some(image.to_string()),
                                command: p.after_dash.clone().filter(|c| !c.is_empty()),
                                ..Default::default()
                            }],
                            restart_policy: Some(restart),
                            ..Default::default()
                        }),
                    },
                    ..Default::default()
                }),
            },
            ..Default::default()
        },
        status: None,
    };
    created(ctx, cj.into_object(), &p)
}

// ---- events ----------------------------------------------------------------------------------

/// `kubectl events`: the newer event list (`pkg/cmd/events`), oldest first, `Kind/name` objects.
pub fn events(ctx: &mut Ctx, argv: &[String]) -> Output {
    use k8s_openapi::api::core::v1::Event;
    let flags = [
        boolean("all-namespaces", Some('A')),
        val("for", None),
        val("types", None),
        boolean("no-headers", None),
        boolean("watch", Some('w')),
        val("output", Some('o')),
        val("chunk-size", None),
    ];
    let p = match parse_or_fail("events", argv, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let all = p.is_set("all-namespaces");
    let types: Vec<String> = p
        .get("types")
        .map(|t| t.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    for t in &types {
        if !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning") {
            return Output::fail("error: valid --types are Normal or Warning");
        }
    }
    let for_object = match p.get("for") {
        None => None,
        Some(f) => {
            let Some((t, n)) = f.split_once('/') else {
                return Output::fail("error: --for must be in resource/name form");
            };
            match Kind::from_resource_name(t) {
                Some(k) => Some((k.info().kind, n.to_string())),
                None => {
                    return Output::fail(format!(
                        "error: the server doesn't have a resource type \"{t}\""
                    ));
                }
            }
        }
    };
    let ns = p.namespace();
    let mut list: Vec<Event> = ctx
        .cluster
        .store
        .list_typed::<Event>(if all { None } else { Some(ns.as_str()) })
        .filter(|e| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| e.type_.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(t)))
        })
        .filter(|e| {
            for_object.as_ref().is_none_or(|(k, n)| {
                e.involved_object.kind.as_deref() == Some(*k)
                    && e.involved_object.name.as_deref() == Some(n.as_str())
            })
        })
        .cloned()
        .collect();
    if list.is_empty() {
        let stderr = if all {
            "No events found.\n".into()
        } else {
            format!("No events found in {ns} namespace.\n")
        };
        return Output { stderr, ..Output::default() };
    }
    crate::sorting::sort_by_key(&mut list, |e| crate::cluster::last_seen_ms(e).unwrap_or(0));
    let now = ctx.cluster.now();
    let mut text = String::new();
    if !p.is_set("no-headers") {
        if all {
            text.push_str("NAMESPACE\t");
        }
        text.push_str("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
    }
    for e in &list {
        let interval = super::describe::event_interval(e, now);
        if all {
            text.push_str(&format!("{}\t", e.metadata.namespace.as_deref().unwrap_or("")));
        }
        text.push_str(&format!(
            "{interval}\t{}\t{}\t{}/{}\t{}\n",
            e.type_.as_deref().unwrap_or(""),
            e.reason.as_deref().unwrap_or(""),
            e.involved_object.kind.as_deref().unwrap_or(""),
            e.involved_object.name.as_deref().unwrap_or(""),
            e.message.as_deref().unwrap_or("").trim()
        ));
    }
    Output::ok(super::format::TabWriter::new().format(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_names_come_from_images() {
        assert_eq!(container_name_from_image("luksa/kubia:v1"), "kubia");
        assert_eq!(container_name_from_image("nginx"), "nginx");
        assert_eq!(
            container_name_from_image("registry.k8s.io/e2e-test-images/agnhost:2.39"),
            "agnhost"
        );
    }

    #[test]
    fn strategic_merge_matches_containers_by_name() {
        let live = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}], "tolerations": [1]}});
        let patch =
            json!({"spec": {"containers": [{"name": "b", "image": "z"}], "tolerations": [2]}});
        let out = strategic_merge(&live, &patch, "");
        assert_eq!(out["spec"]["containers"][1]["image"], "z");
        assert_eq!(out["spec"]["containers"][0]["image"], "x");
        assert_eq!(out["spec"]["tolerations"], json!([2]));
    }

    #[test]
    fn merge_patch_removes_nulls() {
        let out = merge_patch(&json!({"a": 1, "b": {"c": 2}}), &json!({"a": null, "b": {"d": 3}}));
        assert_eq!(out, json!({"b": {"c": 2, "d": 3}}));
    }

    #[test]
    fn json_patch_ops() {
        let doc = json!({"a": [1, 2], "b": "x"});
        let ops = json!([
            {"op": "add", "path": "/a/-", "value": 3},
            {"op": "replace", "path": "/b", "value": "y"},
            {"op": "test", "path": "/b", "value": "y"},
            {"op": "copy", "from": "/b", "path": "/c"},
            {"op": "move", "from": "/c", "path": "/d"},
            {"op": "remove", "path": "/a/0"}
        ]);
        let out = json_patch(&doc, &ops).ok().unwrap_or_default();
        assert_eq!(out, json!({"a": [2, 3], "b": "y", "d": "y"}));
        assert!(json_patch(&doc, &json!([{"op": "remove", "path": "/zz"}])).is_err());
        assert!(json_patch(&doc, &json!([{"op": "test", "path": "/b", "value": 1}])).is_err());
    }
}
