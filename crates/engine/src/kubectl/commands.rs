//! The smaller kubectl commands: run, logs, exec, label/annotate, version, cluster-info,
//! api-resources, cordon/uncordon/drain and `create namespace`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, Namespace, Node, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::args::{Flag, Parsed, boolean, parse, val};
use super::get::{Format, parse_format, print_objects};
use super::printers::name_of;
use super::resources::resolve;
use super::{Ctx, Job, MAX_WAIT_MS, Output, Poll};
use crate::api::{ApiError, ApiKind, Kind, ObjKey, Object};
use crate::apimachinery::labels::Selector;
use crate::bootstrap::{API_SERVER_URL, KUBERNETES_VERSION};
use crate::clock::Millis;
use crate::cluster::{Cluster, Propagation};
use crate::kubelet::{self, CState};

/// What `kubectl` alone prints (abridged to the commands this cluster supports).
pub const KUBECTL_HELP: &str = "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod

Advanced Commands:
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Other Commands:
  api-resources   Print the supported API resources on the server
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

// ---- version, cluster-info, api-resources -----------------------------------------------------

/// `kubectl version`.
pub fn version(_ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse("version", argv, &[boolean("client", None), val("output", Some('o'))]) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let client = format!("Client Version: {}\nKustomize Version: v5.7.1\n", "v1.34.1");
    if p.is_set("client") {
        return Output::ok(client);
    }
    Output::ok(format!("{client}Server Version: {KUBERNETES_VERSION}\n"))
}

/// `kubectl cluster-info`.
pub fn cluster_info(_ctx: &mut Ctx, argv: &[String]) -> Output {
    if let Err(e) = parse("cluster-info", argv, &[]) {
        return Output::fail(e);
    }
    if argv.first().map(String::as_str) == Some("dump") {
        return Output::fail(
            "error: cluster-info dump is not available in kubeplay; use kubectl get and describe",
        );
    }
    Output::ok(format!(
        "Kubernetes control plane is running at {API_SERVER_URL}\nCoreDNS is running at {API_SERVER_URL}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"
    ))
}

/// `kubectl api-resources`.
pub fn api_resources(_ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse(
        "api-resources",
        argv,
        &[
            boolean("namespaced", None),
            val("output", Some('o')),
            boolean("no-headers", None),
            val("api-group", None),
            boolean("cached", None),
            val("verbs", None),
            val("sort-by", None),
        ],
    ) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let mut kinds: Vec<Kind> = Kind::ALL.to_vec();
    crate::sorting::sort_by_key(&mut kinds, |k| (k.info().group, k.info().plural));
    if let Some(ns) = p.get("namespaced") {
        let want = ns != "false";
        kinds.retain(|k| k.info().namespaced == want);
    }
    if let Some(g) = p.get("api-group") {
        kinds.retain(|k| k.info().group == g);
    }
    if p.get("output") == Some("name") {
        return Output::ok(
            kinds
                .iter()
                .map(|k| {
                    let i = k.info();
                    if i.group.is_empty() {
                        format!("{}\n", i.plural)
                    } else {
                        format!("{}.{}\n", i.plural, i.group)
                    }
                })
                .collect::<String>(),
        );
    }
    let mut rows = vec![vec![
        "NAME".to_string(),
        "SHORTNAMES".into(),
        "APIVERSION".into(),
        "NAMESPACED".into(),
        "KIND".into(),
    ]];
    for k in kinds {
        let i = k.info();
        rows.push(vec![
            i.plural.into(),
            i.short_names.join(","),
            i.api_version.into(),
            i.namespaced.to_string(),
            i.kind.into(),
        ]);
    }
    if p.is_set("no-headers") {
        rows.remove(0);
    }
    Output::ok(super::format::format_table(&rows))
}

// ---- run -------------------------------------------------------------------------------------

const RUN_FLAGS: &[Flag] = &[
    val("image", None),
    val("port", None),
    val("labels", Some('l')),
    val("env", None),
    val("restart", None),
    boolean("command", None),
    val("dry-run", None),
    val("output", Some('o')),
    boolean("rm", None),
    boolean("stdin", Some('i')),
    boolean("tty", Some('t')),
    boolean("attach", None),
    val("image-pull-policy", None),
    val("overrides", None),
    val("override-type", None),
    val("annotations", None),
    boolean("expose", None),
    boolean("privileged", None),
    boolean("quiet", Some('q')),
    val("pod-running-timeout", None),
    val("serviceaccount", None),
    val("field-manager", None),
];

fn parse_pairs(items: &[String], what: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for item in items.iter().flat_map(|s| s.split(',')) {
        match item.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                out.insert(k.to_string(), v.to_string());
            }
            _ => return Err(format!("error: invalid {what}: \"{item}\"")),
        }
    }
    Ok(out)
}

/// `kubectl run`: creates a Pod, as current kubectl does.
pub fn run(ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse("run", argv, RUN_FLAGS) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let Some(name) = p.positional.first().cloned() else {
        return Output::fail(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and examples",
        );
    };
    let Some(image) = p.get("image").map(str::to_string).filter(|i| !i.is_empty()) else {
        return Output::fail("error: required flag(s) \"image\" not set");
    };
    let restart = p.get("restart").unwrap_or("Always").to_string();
    if !matches!(restart.as_str(), "Always" | "OnFailure" | "Never") {
        return Output::fail(format!("error: invalid restart policy: {restart}"));
    }
    let labels = match p.get("labels") {
        Some(l) => match parse_pairs(&[l.to_string()], "label spec") {
            Ok(l) => l,
            Err(e) => return Output::fail(e),
        },
        None => BTreeMap::from([("run".to_string(), name.clone())]),
    };
    let env: Vec<EnvVar> = match parse_pairs(&p.all("env"), "env") {
        Ok(e) => e
            .into_iter()
            .map(|(k, v)| EnvVar { name: k, value: Some(v), value_from: None })
            .collect(),
        Err(e) => return Output::fail(e),
    };
    let extra = p.after_dash.clone().unwrap_or_default();
    let mut container = Container {
        name: name.clone(),
        image: Some(image),
        resources: Some(Default::default()),
        env: (!env.is_empty()).then_some(env),
        image_pull_policy: p.get("image-pull-policy").map(str::to_string),
        ..Default::default()
    };
    if !extra.is_empty() {
        if p.is_set("command") {
            container.command = Some(extra.clone());
        } else {
            container.args = Some(extra.clone());
        }
    }
    if let Some(port) = p.get("port") {
        match port.parse::<i32>() {
            Ok(n) => {
                container.ports =
                    Some(vec![ContainerPort { container_port: n, ..Default::default() }])
            }
            Err(_) => {
                return Output::fail(format!(
                    "error: strconv.Atoi: parsing \"{port}\": invalid syntax"
                ));
            }
        }
    }
    let annotations = match parse_pairs(&p.all("annotations"), "annotation") {
        Ok(a) => a,
        Err(e) => return Output::fail(e),
    };
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(p.namespace()),
            labels: Some(labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![container],
            restart_policy: Some(restart.clone()),
            dns_policy: Some("ClusterFirst".into()),
            service_account_name: p.get("serviceaccount").map(str::to_string),
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let format = match parse_format(p.get("output")) {
        Ok(f) => f,
        Err(e) => return Output::fail(e),
    };
    let pod = match super::workloads::apply_overrides(pod.into_object(), &p) {
        Ok(pod) => pod,
        Err(e) => return Output::fail(e),
    };
    if matches!(p.get("dry-run"), Some("client") | Some("true") | Some("server")) {
        let obj = pod;
        return match format {
            Format::Table => Output::ok(format!("{} created (dry run)\n", name_of(&obj))),
            f => {
                let mut v = obj.to_json();
                if let Some(m) = v.get_mut("metadata").and_then(serde_json::Value::as_object_mut) {
                    m.remove("namespace");
                    m.insert("creationTimestamp".into(), serde_json::Value::Null);
                }
                match f {
                    Format::Yaml => Output::ok(super::format::to_yaml(&v)),
                    Format::Json => Output::ok(super::format::to_json(&v)),
                    f => {
                        Output::ok(print_objects(&f, &[obj], ctx.cluster.now()).unwrap_or_default())
                    }
                }
            }
        };
    }
    let created = match ctx.cluster.create(pod) {
        Ok(o) => o,
        Err(e) => return Output::fail(e.kubectl_message(None)),
    };
    let interactive = p.is_set("stdin") || p.is_set("attach");
    if !interactive {
        return Output::ok(format!("{} created\n", name_of(&created)));
    }
    run_attached(ctx, &created, &extra, p.is_set("rm"))
}

// `run -i`: wait for the container, show what the command printed, and clean up with --rm.
fn run_attached(ctx: &mut Ctx, pod: &Object, command: &[String], remove: bool) -> Output {
    let key = ObjKey::of(pod);
    let ready = ctx.wait_until(MAX_WAIT_MS, |c| {
        c.kubelet.pod(&key).is_some_and(|p| {
            p.containers.first().is_some_and(|c| {
                matches!(c.state, CState::Running { .. } | CState::Terminated { .. })
                    || c.last_state.is_some()
            })
        })
    });
    let mut out = Output::default();
    if !ready {
        out.push(Output::fail("error: timed out waiting for the condition".to_string()));
        return out;
    }
    if !command.is_empty() {
        let r = crate::network::exec_in_pod(ctx.cluster, &key, 0, command);
        out.stdout.push_str(&r.stdout);
        out.stderr.push_str(&r.stderr);
        if r.exit_code != 0 {
            out.exit_code = 1;
        }
    }
    if remove {
        let _ = ctx.cluster.delete(&key, Some(0), Propagation::Background);
        out.stdout
            .push_str(&format!("pod \"{}\" deleted from {} namespace\n", key.name, key.namespace));
    }
    out
}

// ---- logs ------------------------------------------------------------------------------------

const LOGS_FLAGS: &[Flag] = &[
    val("container", Some('c')),
    boolean("previous", Some('p')),
    val("tail", None),
    boolean("follow", Some('f')),
    boolean("timestamps", None),
    val("since", None),
    boolean("all-containers", None),
    val("selector", Some('l')),
    boolean("prefix", None),
    val("limit-bytes", None),
    val("max-log-requests", None),
    val("pod-running-timeout", None),
    boolean("ignore-errors", None),
];

fn find_pod(ctx: &Ctx, namespace: &str, arg: &str) -> Result<Pod, String> {
    let (kind, name) = match arg.split_once('/') {
        Some((t, n)) => (
            Kind::from_resource_name(t)
                .ok_or_else(|| format!("error: the server doesn't have a resource type \"{t}\""))?,
            n.to_string(),
        ),
        None => (Kind::Pod, arg.to_string()),
    };
    if kind == Kind::Pod {
        return ctx
            .cluster
            .store
            .get_typed::<Pod>(namespace, &name)
            .cloned()
            .ok_or_else(|| ApiError::not_found("pods", &name).kubectl_message(None));
    }
    // deploy/x, rs/x, job/x ...: the first pod the object owns (as kubectl's attachable-pod lookup).
    let owner = ctx.cluster.get(&ObjKey::new(kind, namespace, &name)).ok_or_else(|| {
        ApiError::not_found(&kind.info().qualified_plural(), &name).kubectl_message(None)
    })?;
    let selector = owner.to_json().pointer("/spec/selector").cloned();
    let pods: Vec<Pod> = ctx.cluster.store.list_typed::<Pod>(Some(namespace)).cloned().collect();
    let matches = |p: &Pod| {
        let labels = p.metadata.labels.clone().unwrap_or_default();
        match &selector {
            Some(serde_json::Value::Object(m))
                if m.contains_key("matchLabels") || m.contains_key("matchExpressions") =>
            {
                crate::api::value_de::from_value(serde_json::Value::Object(m.clone()))
                    .ok()
                    .and_then(|ls| {
                        crate::apimachinery::labels::label_selector_as_selector(Some(&ls)).ok()
                    })
                    .is_some_and(|s| s.matches(&labels))
            }
            Some(serde_json::Value::Object(m)) => {
                m.iter().all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
            }
            _ => false,
        }
    };
    pods.into_iter()
        .find(|p| matches(p))
        .ok_or_else(|| "error: timed out waiting for the condition".to_string())
}

fn pick_container(pod: &Pod, requested: Option<&str>, out: &mut Output) -> Result<String, String> {
    let spec = pod.spec.clone().unwrap_or_default();
    let names: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    match requested {
        Some(c) => {
            if names.iter().any(|n| n == c) {
                Ok(c.to_string())
            } else {
                Err(format!("error: container {c} is not valid for pod {pod_name}"))
            }
        }
        None => {
            if names.len() > 1 {
                out.stderr.push_str(&format!(
                    "Defaulted container \"{}\" out of: {}\n",
                    names[0],
                    names.join(", ")
                ));
            }
            names.first().cloned().ok_or_else(|| format!("error: pod {pod_name} has no containers"))
        }
    }
}

/// `kubectl logs`; with `-f`, the job that prints the lines still to come.
pub fn logs(ctx: &mut Ctx, argv: &[String]) -> (Output, Option<Box<dyn Job>>) {
    let p = match parse("logs", argv, LOGS_FLAGS) {
        Ok(p) => p,
        Err(e) => return (Output::fail(e), None),
    };
    let mut job = None;
    let out = logs_or_follow(ctx, &p, &mut job);
    (out, job)
}

fn logs_or_follow(ctx: &mut Ctx, p: &Parsed, job: &mut Option<Box<dyn Job>>) -> Output {
    let Some(target) = p.positional.first() else {
        return Output::fail(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
        );
    };
    let namespace = p.namespace();
    let pod = match find_pod(ctx, &namespace, target) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let mut out = Output::default();
    let container = match pick_container(
        &pod,
        p.get("container").or(p.positional.get(1).map(String::as_str)),
        &mut out,
    ) {
        Ok(c) => c,
        Err(e) => return Output::fail(e),
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let key = ObjKey::new(Kind::Pod, &namespace, &pod_name);
    let Some(prt) = ctx.cluster.kubelet.pod(&key) else {
        return Output::fail(format!(
            "Error from server (BadRequest): container \"{container}\" in pod \"{pod_name}\" is waiting to start: ContainerCreating"
        ));
    };
    let Some(c) = prt.containers.iter().find(|c| c.name == container) else {
        return Output::fail(format!(
            "error: container {container} is not valid for pod {pod_name}"
        ));
    };
    let lines = if p.is_set("previous") {
        if c.last_state.is_none() {
            return Output::fail(format!(
                "Error from server (BadRequest): previous terminated container \"{container}\" in pod \"{pod_name}\" not found"
            ));
        }
        &c.previous_logs
    } else {
        if c.run_id == 0 {
            let reason = match &c.state {
                CState::Waiting { reason, .. } => reason.clone(),
                _ => "ContainerCreating".into(),
            };
            return Output::fail(format!(
                "Error from server (BadRequest): container \"{container}\" in pod \"{pod_name}\" is waiting to start: {reason}"
            ));
        }
        &c.logs
    };
    let tail =
        p.get("tail").and_then(|t| t.parse::<i64>().ok()).filter(|t| *t >= 0).map(|t| t as usize);
    let start = tail.map_or(0, |t| lines.len().saturating_sub(t));
    let timestamps = p.is_set("timestamps");
    for l in &lines[start..] {
        push_log_line(&mut out.stdout, l, timestamps);
    }
    // The stream stays open while the container runs (a finished one has nothing more to say).
    if let (true, false, CState::Running { started_ms }) =
        (p.is_set("follow"), p.is_set("previous"), &c.state)
    {
        let bound_ms = p
            .get("request-timeout")
            .and_then(super::get::parse_go_duration_ms)
            .filter(|ms| *ms > 0)
            .unwrap_or(super::get::WATCH_DEFAULT_MS);
        let last_ms = c.logs.last().map_or(0, |l| l.at_ms);
        *job = Some(Box::new(Follow {
            key,
            container,
            started_ms: *started_ms,
            last_ms,
            seen_at_last: c.logs.iter().filter(|l| l.at_ms == last_ms).count(),
            timestamps,
            deadline_ms: ctx.cluster.now_ms().saturating_add(bound_ms),
        }));
    }
    out
}

fn push_log_line(out: &mut String, line: &kubelet::LogLine, timestamps: bool) {
    if timestamps {
        let ts = k8s_openapi::jiff::fmt::strtime::format(
            "%Y-%m-%dT%H:%M:%S.%fZ",
            crate::time::instant(line.at_ms as i64),
        )
        .unwrap_or_default();
        out.push_str(&format!("{ts} "));
    }
    out.push_str(&line.text);
    out.push('\n');
}

/// `logs -f`: the container's new lines as they are written, until it exits.
struct Follow {
    key: ObjKey,
    container: String,
    /// When the followed run started (a restart begins another log).
    started_ms: Millis,
    /// When the newest printed line was written, and how many lines of that instant were
    /// printed (the log keeps a bounded tail, so positions are not stable).
    last_ms: Millis,
    seen_at_last: usize,
    timestamps: bool,
    deadline_ms: Millis,
}

impl Job for Follow {
    fn poll(&mut self, cluster: &Cluster) -> Poll {
        let c = cluster
            .kubelet
            .pod(&self.key)
            .and_then(|p| p.containers.iter().find(|c| c.name == self.container));
        let ours = |s: &CState| match s {
            CState::Running { started_ms } | CState::Terminated { started_ms, .. } => {
                *started_ms == self.started_ms
            }
            _ => false,
        };
        let Some(c) = c.filter(|c| ours(&c.state)) else {
            return Poll::Done(Output::default());
        };
        let mut text = String::new();
        let mut same_instant = 0;
        for l in &c.logs {
            if l.at_ms < self.last_ms {
                continue;
            }
            if l.at_ms == self.last_ms {
                same_instant += 1;
                if same_instant <= self.seen_at_last {
                    continue;
                }
                self.seen_at_last = same_instant;
            } else {
                self.last_ms = l.at_ms;
                self.seen_at_last = 1;
                same_instant = 1;
            }
            push_log_line(&mut text, l, self.timestamps);
        }
        Poll::printed(text, matches!(c.state, CState::Terminated { .. }))
    }

    fn deadline_ms(&self) -> Millis {
        self.deadline_ms
    }
}

// ---- exec ------------------------------------------------------------------------------------

/// `kubectl exec`.
pub fn exec(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        val("container", Some('c')),
        boolean("stdin", Some('i')),
        boolean("tty", Some('t')),
        boolean("quiet", Some('q')),
        val("filename", Some('f')),
        val("pod-running-timeout", None),
    ];
    let p = match parse("exec", argv, &flags) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let Some(target) = p.positional.first() else {
        return Output::fail("error: pod, type/name or --filename must be specified");
    };
    let Some(command) = p.after_dash.clone().filter(|c| !c.is_empty()) else {
        if p.positional.len() > 1 {
            return Output::fail(
                "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples",
            );
        }
        return Output::fail("error: you must specify at least one command for the container");
    };
    let namespace = p.namespace();
    let pod = match find_pod(ctx, &namespace, target) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let mut out = Output::default();
    let container = match pick_container(&pod, p.get("container"), &mut out) {
        Ok(c) => c,
        Err(e) => return Output::fail(e),
    };
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Output::fail(format!(
            "error: cannot exec into a container in a completed pod; current phase is {phase}"
        ));
    }
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let key = ObjKey::new(Kind::Pod, &namespace, &pod_name);
    let Some(prt) = ctx.cluster.kubelet.pod(&key) else {
        return Output::fail(format!(
            "error: unable to upgrade connection: container not found (\"{container}\")"
        ));
    };
    let Some(ci) = prt.containers.iter().position(|c| c.name == container) else {
        return Output::fail(format!(
            "error: unable to upgrade connection: container not found (\"{container}\")"
        ));
    };
    if !kubelet::shell::is_running(prt, ci) {
        return Output::fail(format!(
            "error: unable to upgrade connection: container not found (\"{container}\")"
        ));
    }
    let r = crate::network::exec_in_pod(ctx.cluster, &key, ci, &command);
    out.stdout.push_str(&r.stdout);
    out.stderr.push_str(&r.stderr);
    if r.exit_code == -1 {
        out.exit_code = 1;
    } else if r.exit_code != 0 {
        out.stderr.push_str(&format!("command terminated with exit code {}\n", r.exit_code));
        out.exit_code = r.exit_code;
    }
    out
}

// ---- label / annotate ------------------------------------------------------------------------

/// Which metadata map `label`/`annotate` edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetaField {
    /// `kubectl label`.
    Labels,
    /// `kubectl annotate`.
    Annotations,
}

/// `kubectl label` and `kubectl annotate`.
pub fn label(ctx: &mut Ctx, argv: &[String], field: MetaField) -> Output {
    let command = if field == MetaField::Labels { "label" } else { "annotate" };
    let flags = [
        boolean("overwrite", None),
        val("selector", Some('l')),
        boolean("all", None),
        boolean("all-namespaces", Some('A')),
        boolean("list", None),
        val("output", Some('o')),
        val("dry-run", None),
        val("resource-version", None),
        val("filename", Some('f')),
        boolean("local", None),
        val("field-selector", None),
    ];
    let p = match parse(command, argv, &flags) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let (changes, resources): (Vec<String>, Vec<String>) = p
        .positional
        .iter()
        .cloned()
        .partition(|a| a.contains('=') || (a.ends_with('-') && !a.contains('/')));
    let noun = if field == MetaField::Labels { "label" } else { "annotation" };
    if changes.is_empty() && !p.is_set("list") {
        return Output::fail(format!("error: at least one {noun} update is required"));
    }
    let mut set = BTreeMap::new();
    let mut remove = Vec::new();
    for c in &changes {
        if let Some(k) = c.strip_suffix('-').filter(|_| !c.contains('=')) {
            remove.push(k.to_string());
        } else if let Some((k, v)) = c.split_once('=') {
            if field == MetaField::Labels {
                let errs = crate::apimachinery::validation::is_qualified_name(k);
                let verrs = crate::apimachinery::validation::is_valid_label_value(v);
                if let Some(e) = errs.first() {
                    return Output::fail(format!("error: invalid label spec: {c}: {e}"));
                }
                if let Some(e) = verrs.first() {
                    return Output::fail(format!("error: invalid label value: \"{c}\": {e}"));
                }
            }
            set.insert(k.to_string(), v.to_string());
        }
    }
    let resolved = match resolve(&resources) {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    if resolved.targets.is_empty() {
        return Output::fail(
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
        );
    }
    let selector = match p.get("selector").map(Selector::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return Output::fail(format!("error: {e}")),
    };
    if resolved.targets.iter().any(|t| t.name.is_none()) && selector.is_none() && !p.is_set("all") {
        return Output::fail("error: resource(s) were provided, but no name was specified");
    }
    let mut errors = Vec::new();
    let mut objects = Vec::new();
    for t in &resolved.targets {
        match super::get::fetch(
            ctx,
            t,
            &p.namespace(),
            p.is_set("all-namespaces"),
            selector.as_ref(),
            p.get("field-selector"),
            &mut errors,
        ) {
            Ok(o) => objects.extend(o),
            Err(e) => return Output::fail(e),
        }
    }
    let mut out = Output::default();
    for mut obj in objects {
        let current = match field {
            MetaField::Labels => obj.meta().labels.clone(),
            MetaField::Annotations => obj.meta().annotations.clone(),
        }
        .unwrap_or_default();
        if p.is_set("list") {
            for (k, v) in &current {
                out.stdout.push_str(&format!("{k}={v}\n"));
            }
            continue;
        }
        if !p.is_set("overwrite")
            && let Some((k, v)) = set.iter().find_map(|(k, _)| current.get(k).map(|v| (k, v)))
        {
            errors
                .push(format!("error: '{k}' already has a value ({v}), and --overwrite is false"));
            continue;
        }
        let mut updated = current.clone();
        for (k, v) in &set {
            updated.insert(k.clone(), v.clone());
        }
        for k in &remove {
            if updated.remove(k).is_none() {
                out.stdout.push_str(&format!("{noun} \"{k}\" not found.\n"));
            }
        }
        let verb_done = if field == MetaField::Labels { "labeled" } else { "annotated" };
        let verb = if updated == current {
            if field == MetaField::Labels { "not labeled" } else { "not annotated" }
        } else if !remove.is_empty() && set.is_empty() && field == MetaField::Labels {
            "unlabeled"
        } else {
            verb_done
        };
        let new_map = (!updated.is_empty()).then_some(updated.clone());
        match field {
            MetaField::Labels => obj.meta_mut().labels = new_map,
            MetaField::Annotations => obj.meta_mut().annotations = new_map,
        }
        if updated != current
            && let Err(e) = ctx.cluster.update(obj.clone())
        {
            errors.push(e.kubectl_message(None));
            continue;
        }
        out.stdout.push_str(&format!("{} {verb}\n", name_of(&obj)));
    }
    for e in errors {
        out.stderr.push_str(&e);
        out.stderr.push('\n');
        out.exit_code = 1;
    }
    out
}

// ---- nodes -----------------------------------------------------------------------------------

fn set_unschedulable(ctx: &mut Ctx, name: &str, value: bool) -> Result<bool, String> {
    let Some(mut node) = ctx.cluster.store.get_typed::<Node>("", name).cloned() else {
        return Err(ApiError::not_found("nodes", name).kubectl_message(None));
    };
    let current = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    if current == value {
        return Ok(false);
    }
    node.spec.get_or_insert_with(Default::default).unschedulable = value.then_some(true);
    ctx.cluster.update(node.into_object()).map_err(|e| e.kubectl_message(None))?;
    Ok(true)
}

/// `kubectl cordon` / `uncordon`.
pub fn cordon(ctx: &mut Ctx, argv: &[String], on: bool) -> Output {
    let command = if on { "cordon" } else { "uncordon" };
    let p = match parse(command, argv, &[val("selector", Some('l')), val("dry-run", None)]) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let Some(name) = p.positional.first() else {
        return Output::fail(format!(
            "error: USAGE: {command} NODE [flags]\nSee 'kubectl {command} -h' for help and examples"
        ));
    };
    match set_unschedulable(ctx, name, on) {
        Ok(true) => Output::ok(format!("node/{name} {command}ed\n")),
        Ok(false) => Output::ok(format!("node/{name} already {command}ed\n")),
        Err(e) => Output::fail(e),
    }
}

/// `kubectl drain`.
pub fn drain(ctx: &mut Ctx, argv: &[String]) -> Output {
    let flags = [
        boolean("ignore-daemonsets", None),
        boolean("delete-emptydir-data", None),
        boolean("force", None),
        val("grace-period", None),
        val("timeout", None),
        val("selector", Some('l')),
        val("pod-selector", None),
        boolean("disable-eviction", None),
        val("dry-run", None),
        val("skip-wait-for-delete-timeout", None),
    ];
    let p = match parse("drain", argv, &flags) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let Some(name) = p.positional.first().cloned() else {
        return Output::fail(
            "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples",
        );
    };
    let mut out = Output::default();
    match set_unschedulable(ctx, &name, true) {
        Ok(true) => out.stdout.push_str(&format!("node/{name} cordoned\n")),
        Ok(false) => out.stdout.push_str(&format!("node/{name} already cordoned\n")),
        Err(e) => return Output::fail(e),
    }
    let pods: Vec<Pod> = ctx
        .cluster
        .store
        .list_typed::<Pod>(None)
        .filter(|pod| pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()))
        .filter(|pod| {
            !matches!(
                pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded") | Some("Failed")
            )
        })
        .cloned()
        .collect();
    let owner_kind = |pod: &Pod| {
        pod.metadata
            .owner_references
            .iter()
            .flatten()
            .find(|r| r.controller == Some(true))
            .map(|r| r.kind.clone())
    };
    let id = |pod: &Pod| {
        format!(
            "{}/{}",
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default()
        )
    };
    let daemon: Vec<String> =
        pods.iter().filter(|p| owner_kind(p).as_deref() == Some("DaemonSet")).map(id).collect();
    let mirror: Vec<String> =
        pods.iter().filter(|p| owner_kind(p).as_deref() == Some("Node")).map(id).collect();
    let unmanaged: Vec<String> = pods.iter().filter(|p| owner_kind(p).is_none()).map(id).collect();
    let mut problems = Vec::new();
    if !daemon.is_empty() && !p.is_set("ignore-daemonsets") {
        problems.push(format!(
            "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}",
            daemon.join(", ")
        ));
    }
    if !unmanaged.is_empty() && !p.is_set("force") {
        problems.push(format!(
            "cannot delete Pods that declare no controller (use --force to override): {}",
            unmanaged.join(", ")
        ));
    }
    if !problems.is_empty() {
        let joined = problems.join(", ");
        out.stderr.push_str(&format!("error: unable to drain node \"{name}\" due to error: {joined}, continuing command...\nThere are pending nodes to be drained:\n {name}\n"));
        for pr in problems {
            out.stderr.push_str(&format!("{pr}\n"));
        }
        out.exit_code = 1;
        return out;
    }
    let mut warnings = Vec::new();
    if !daemon.is_empty() {
        warnings.push(format!("ignoring DaemonSet-managed Pods: {}", daemon.join(", ")));
    }
    if !unmanaged.is_empty() {
        warnings
            .push(format!("deleting Pods that declare no controller: {}", unmanaged.join(", ")));
    }
    if !warnings.is_empty() {
        out.stderr.push_str(&format!("Warning: {}\n", warnings.join("; ")));
    }
    let evict: Vec<&Pod> =
        pods.iter().filter(|p| !daemon.contains(&id(p)) && !mirror.contains(&id(p))).collect();
    let mut keys = Vec::new();
    for pod in &evict {
        out.stdout.push_str(&format!("evicting pod {}\n", id(pod)));
    }
    for pod in &evict {
        let key = ObjKey::new(
            Kind::Pod,
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or(""),
        );
        if ctx.cluster.delete(&key, None, Propagation::Background).is_ok() {
            keys.push((key, pod.metadata.uid.clone()));
        }
    }
    let waited = keys.clone();
    ctx.wait_until(MAX_WAIT_MS, |c| {
        waited.iter().all(|(k, uid)| c.get(k).is_none_or(|o| o.meta().uid != *uid))
    });
    for (k, _) in &keys {
        out.stdout.push_str(&format!("pod/{} evicted\n", k.name));
    }
    out.stdout.push_str(&format!("node/{name} drained\n"));
    out
}

// ---- create <subcommand> ---------------------------------------------------------------------

/// `kubectl create namespace|ns NAME` and friends.
pub fn create_subcommand(ctx: &mut Ctx, sub: &str, argv: &[String]) -> Output {
    match sub {
        "namespace" | "ns" => {
            let p = match parse(
                "create namespace",
                argv,
                &[val("dry-run", None), val("output", Some('o'))],
            ) {
                Ok(p) => p,
                Err(e) => return Output::fail(e),
            };
            let Some(name) = p.positional.first() else {
                return Output::fail(
                    "error: exactly one NAME is required, got 0\nSee 'kubectl create namespace -h' for help and examples",
                );
            };
            let ns = Namespace {
                metadata: ObjectMeta { name: Some(name.clone()), ..Default::default() },
                ..Default::default()
            };
            match ctx.cluster.create(ns.into_object()) {
                Ok(o) => Output::ok(format!("{} created\n", name_of(&o))),
                Err(e) => Output::fail(e.kubectl_message(None)),
            }
        }
        "configmap" | "cm" => super::config::create_configmap(ctx, argv),
        "secret" => super::config::create_secret(ctx, argv),
        other => super::workloads::create_subcommand(ctx, other, argv),
    }
}
