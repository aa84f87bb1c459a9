//! `kubectl create`, `apply`, `replace` and `delete`: manifests in (`-f FILE`, `-f -`), objects
//! through the request path, kubectl's words out, and deletion that waits until the objects are
//! gone.

use serde_json::{Map, Value};
use std::rc::Rc;

use super::args::{Flag, Parsed, boolean, parse, val};
use super::get::{Format, fetch, parse_format, print_objects};
use super::printers::name_of;
use super::resources::{Target, resolve};
use super::{Ctx, MAX_WAIT_MS, Output};
use crate::api::decode::{self, DecodeError};
use crate::api::{ApiError, Kind, ObjKey, Object};
use crate::apimachinery::labels::Selector;
use crate::cluster::Propagation;

/// The annotation `kubectl apply` keeps the applied configuration in.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Reads `-f FILE` (`-` is standard input).
pub fn read_source(ctx: &mut Ctx, file: &str) -> Result<String, String> {
    if file == "-" {
        return ctx
            .stdin
            .map(str::to_string)
            .ok_or_else(|| "error: no objects passed to apply".to_string());
    }
    if file.starts_with("http://") || file.starts_with("https://") {
        return Err(format!(
            "error: unable to read URL \"{file}\", server reported 404 Not Found, status code=404"
        ));
    }
    ctx.files.read(file).ok_or_else(|| format!("error: the path \"{file}\" does not exist"))
}

fn source_name(file: &str) -> &str {
    if file == "-" { "STDIN" } else { file }
}

/// One decoded document, or the error kubectl prints for it.
pub type DocResult = Result<Object, String>;

/// Decodes every document of `file`. A file that is not YAML at all fails as a whole.
pub fn decode_file(
    ctx: &mut Ctx,
    file: &str,
    verb: &str,
    command: &str,
) -> Result<Vec<DocResult>, String> {
    let text = read_source(ctx, file)?;
    let name = source_name(file);
    let docs = decode::parse_documents(&text).map_err(|e| match e {
        DecodeError::TooLarge => {
            format!("Error from server (RequestEntityTooLarge): error when {verb} \"{name}\": {e}")
        }
        e => format!("error: error parsing {name}: {e}"),
    })?;
    if docs.is_empty() {
        return Err(format!("error: no objects passed to {command}"));
    }
    Ok(docs
        .into_iter()
        .map(|d| {
            decode::decode_object(d.value).map_err(|e| match e {
                DecodeError::MissingTypeInfo { .. } => format!("error: error validating \"{name}\": {e}; if you choose to ignore these errors, turn validation off with --validate=false"),
                DecodeError::NoKindMatch { name: obj, namespace, kind, api_version, current } => {
                    let mut s = format!("error: resource mapping not found for name: \"{obj}\" namespace: \"{namespace}\" from \"{name}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first");
                    if let Some(cur) = current {
                        s.push_str(&format!("\nhint: {api_version} is no longer served; {kind} is served as apiVersion: {cur}"));
                    }
                    s
                }
                e @ DecodeError::CannotHandle { .. } => ApiError::new(crate::api::Reason::BadRequest, e.to_string()).kubectl_message(Some((verb, name))),
                e => format!("error: error parsing {name}: {e}"),
            })
        })
        .collect())
}

fn set_namespace(object: &mut Object, namespace: &str, explicit: bool) -> Result<(), String> {
    if !object.kind().info().namespaced {
        return Ok(());
    }
    let declared = object.namespace().to_string();
    if declared.is_empty() {
        object.meta_mut().namespace = Some(namespace.into());
    } else if explicit && declared != namespace {
        return Err(format!(
            "error: the namespace from the provided object \"{declared}\" does not match the namespace \"{namespace}\". You must pass '--namespace={declared}' to perform this operation."
        ));
    }
    Ok(())
}

/// The objects a `-f` names (for `get -f`, `delete -f`).
pub fn read_objects(ctx: &mut Ctx, file: &str, namespace: &str) -> Result<Vec<Object>, String> {
    let mut out = Vec::new();
    for d in decode_file(ctx, file, "getting", "get")? {
        let mut o = d?;
        set_namespace(&mut o, namespace, false)?;
        out.push(o);
    }
    Ok(out)
}

const CREATE_FLAGS: &[Flag] = &[
    val("filename", Some('f')),
    val("output", Some('o')),
    val("dry-run", None),
    boolean("save-config", None),
    val("validate", None),
    boolean("record", None),
    boolean("edit", None),
    boolean("recursive", Some('R')),
    val("selector", Some('l')),
    val("field-manager", None),
    val("raw", None),
    boolean("windows-line-endings", None),
];

pub(super) fn dry_run(p: &Parsed) -> Result<bool, String> {
    match p.get("dry-run") {
        None | Some("none") => Ok(false),
        Some("client") | Some("server") | Some("true") => Ok(true),
        Some(other) => Err(format!(
            "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        )),
    }
}

pub(super) fn dry_suffix(dry: Option<&str>) -> &'static str {
    match dry {
        Some("client") | Some("true") => " (dry run)",
        Some("server") => " (server dry run)",
        _ => "",
    }
}

fn record_change_cause(object: &mut Object, p: &Parsed, command_line: &str) {
    if p.is_set("record") {
        object
            .meta_mut()
            .annotations
            .get_or_insert_with(Default::default)
            .insert("kubernetes.io/change-cause".into(), command_line.into());
    }
}

/// `kubectl create`.
pub fn create(ctx: &mut Ctx, argv: &[String]) -> Output {
    if let Some(sub) = argv.first().filter(|a| !a.starts_with('-')) {
        return super::commands::create_subcommand(ctx, sub, &argv[1..]);
    }
    let p = match parse("create", argv, CREATE_FLAGS) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let files = p.all("filename");
    if files.is_empty() {
        return Output::fail(
            "error: must specify one of -f and -k\n\nerror: unknown command \"\" for \"kubectl create\"",
        );
    }
    let dry = match dry_run(&p) {
        Ok(d) => d,
        Err(e) => return Output::fail(e),
    };
    let save_config = p.is_set("save-config");
    for_each_object(
        ctx,
        &p,
        "create",
        &super::workloads::change_cause("create", &p),
        |ctx, mut object, file| {
            if save_config {
                let applied = applied_config(&object);
                object
                    .meta_mut()
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(LAST_APPLIED.into(), applied);
            }
            let result =
                if dry { Ok(object) } else { ctx.cluster.create(object).map(Rc::unwrap_or_clone) };
            result
                .map(|o| (o, "created", None))
                .map_err(|e| e.kubectl_message(Some(("creating", source_name(file)))))
        },
    )
}

/// The result of applying one object: the object, the verb to print, and a warning.
type Applied = Result<(Object, &'static str, Option<String>), String>;

/// Decodes every `-f` file and hands each object (namespaced, change-cause recorded) to `each`,
/// printing what it returns as kubectl does; one object's failure does not stop the others.
fn for_each_object(
    ctx: &mut Ctx,
    p: &Parsed,
    command: &str,
    command_line: &str,
    mut each: impl FnMut(&mut Ctx, Object, &str) -> Applied,
) -> Output {
    let format = match parse_format(p.get("output")) {
        Ok(f) => f,
        Err(e) => return Output::fail(e),
    };
    let mut out = Output::default();
    out.stderr.push_str(super::workloads::record_deprecation(p));
    let verb = if command == "replace" { "replacing" } else { "creating" };
    for file in p.all("filename") {
        let docs = match decode_file(ctx, &file, verb, command) {
            Ok(d) => d,
            Err(e) => {
                out.push(Output::fail(e));
                continue;
            }
        };
        for doc in docs {
            let mut object = match doc {
                Ok(o) => o,
                Err(e) => {
                    out.push(Output::fail(e));
                    continue;
                }
            };
            if let Err(e) = set_namespace(&mut object, &p.namespace(), p.given("namespace")) {
                out.push(Output::fail(e));
                continue;
            }
            record_change_cause(&mut object, p, command_line);
            match each(ctx, object, &file) {
                Ok((obj, verb, warning)) => {
                    if let Some(w) = warning {
                        out.stderr.push_str(&w);
                    }
                    let suffix = dry_suffix(p.get("dry-run"));
                    out.stdout.push_str(&created_line(
                        &format,
                        &obj,
                        verb,
                        suffix,
                        ctx.cluster.now(),
                    ));
                }
                Err(e) => out.push(Output::fail(e)),
            }
        }
    }
    out
}

fn created_line(format: &Format, object: &Object, verb: &str, suffix: &str, now: i64) -> String {
    match format {
        Format::Table => format!("{} {verb}{suffix}\n", name_of(object)),
        Format::Name => format!("{}\n", name_of(object)),
        f => print_objects(f, std::slice::from_ref(object), now).unwrap_or_default(),
    }
}

/// The JSON `kubectl apply` stores as last-applied configuration (the manifest, compacted).
pub fn applied_config(object: &Object) -> String {
    let mut v = object.to_json();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
        if let Some(a) = annotations.as_object_mut() {
            a.remove(LAST_APPLIED);
        }
    }
    let mut s = super::format::gofmt::go_json_compact(&v);
    s.push('\n');
    s
}

// Lists whose elements merge by a key in a strategic merge patch.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "env" | "volumes" | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "ports" => Some("containerPort"),
        _ => None,
    }
}

/// Three-way merge of an applied manifest into the live object (`kubectl apply`'s strategic
/// merge for the fields learners touch; other lists are replaced).
pub fn three_way_merge(live: &Value, last: Option<&Value>, new: &Value, field: &str) -> Value {
    match (live, new) {
        (Value::Object(l), Value::Object(n)) => {
            let mut out = l.clone();
            for (k, nv) in n {
                let lv = l.get(k).unwrap_or(&Value::Null);
                let last_v = last.and_then(|x| x.get(k));
                out.insert(k.clone(), three_way_merge(lv, last_v, nv, k));
            }
            if let Some(Value::Object(last_map)) = last {
                for k in last_map.keys() {
                    if !n.contains_key(k) {
                        out.remove(k);
                    }
                }
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(n)) => {
            let Some(key) = merge_key(field).or(if field == "ports" { Some("port") } else { None })
            else {
                return new.clone();
            };
            let key_of = |v: &Value| v.get(key).cloned().or_else(|| v.get("port").cloned());
            let last_items: Vec<Value> =
                last.and_then(Value::as_array).cloned().unwrap_or_default();
            let mut out: Vec<Value> = Vec::new();
            for nv in n {
                let k = key_of(nv);
                let lv = l.iter().find(|x| key_of(x) == k).cloned().unwrap_or(Value::Null);
                let last_v = last_items.iter().find(|x| key_of(x) == k);
                out.push(three_way_merge(&lv, last_v, nv, ""));
            }
            for lv in l {
                let k = key_of(lv);
                let in_new = n.iter().any(|x| key_of(x) == k);
                let in_last = last_items.iter().any(|x| key_of(x) == k);
                if !in_new && !in_last {
                    out.push(lv.clone());
                }
            }
            Value::Array(out)
        }
        _ => new.clone(),
    }
}

const APPLY_FLAGS: &[Flag] = &[
    val("filename", Some('f')),
    val("output", Some('o')),
    val("dry-run", None),
    val("validate", None),
    boolean("record", None),
    boolean("recursive", Some('R')),
    boolean("server-side", None),
    boolean("force-conflicts", None),
    boolean("prune", None),
    val("selector", Some('l')),
    val("field-manager", None),
    boolean("overwrite", None),
    boolean("force", None),
    val("grace-period", None),
    val("timeout", None),
    boolean("wait", None),
    boolean("openapi-patch", None),
    val("kustomize", Some('k')),
];

/// `kubectl apply`.
pub fn apply(ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse("apply", argv, APPLY_FLAGS) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let files = p.all("filename");
    if files.is_empty() {
        return Output::fail("error: must specify one of -f and -k");
    }
    let dry = match dry_run(&p) {
        Ok(d) => d,
        Err(e) => return Output::fail(e),
    };
    for_each_object(
        ctx,
        &p,
        "apply",
        &super::workloads::change_cause("apply", &p),
        |ctx, object, file| apply_one(ctx, object, dry, file),
    )
}

fn apply_one(
    ctx: &mut Ctx,
    mut object: Object,
    dry: bool,
    file: &str,
) -> Result<(Object, &'static str, Option<String>), String> {
    let applied = applied_config(&object);
    let key = ObjKey::of(&object);
    let Some(live) = ctx.cluster.get(&key).cloned() else {
        object
            .meta_mut()
            .annotations
            .get_or_insert_with(Default::default)
            .insert(LAST_APPLIED.into(), applied);
        if dry {
            return Ok((object, "created", None));
        }
        return ctx
            .cluster
            .create(object)
            .map(|o| (Rc::unwrap_or_clone(o), "created", None))
            .map_err(|e| e.kubectl_message(Some(("creating", source_name(file)))));
    };
    let live_json = live.to_json();
    let last_text = live.meta().annotations.as_ref().and_then(|a| a.get(LAST_APPLIED)).cloned();
    let warning = last_text.is_none().then(|| {
        format!("Warning: resource {} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", resource_plural_name(&live))
    });
    let last: Option<Value> = last_text.as_deref().and_then(|t| serde_json::from_str(t).ok());
    let new_json = object.to_json();
    let mut merged = three_way_merge(&live_json, last.as_ref(), &new_json, "");
    if let Some(a) = merged.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
        a.insert(LAST_APPLIED.into(), Value::String(applied.clone()));
    } else if let Some(m) = merged.get_mut("metadata").and_then(Value::as_object_mut) {
        let mut a = Map::new();
        a.insert(LAST_APPLIED.into(), Value::String(applied.clone()));
        m.insert("annotations".into(), Value::Object(a));
    }
    let updated =
        Object::from_json(live.kind(), merged).map_err(|e| format!("error: {}", e.inner()))?;
    if dry {
        return Ok((updated, "configured", warning));
    }
    let before = ctx.cluster.get(&key).and_then(|o| o.meta().resource_version.clone());
    let result = ctx
        .cluster
        .update(updated)
        .map_err(|e| e.kubectl_message(Some(("applying patch", source_name(file)))))?;
    let changed = result.meta().resource_version != before;
    Ok((Rc::unwrap_or_clone(result), if changed { "configured" } else { "unchanged" }, warning))
}

const REPLACE_FLAGS: &[Flag] = &[
    val("filename", Some('f')),
    val("output", Some('o')),
    val("dry-run", None),
    val("validate", None),
    boolean("record", None),
    boolean("recursive", Some('R')),
    boolean("save-config", None),
    boolean("force", None),
    val("grace-period", None),
    val("timeout", None),
    val("wait", None),
    val("cascade", None),
    val("field-manager", None),
    val("subresource", None),
    val("raw", None),
    val("kustomize", Some('k')),
];

/// `kubectl replace -f FILE`: a full update of each object (PUT), or with `--force` a delete
/// that waits until the objects are gone and a create.
pub fn replace(ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse("replace", argv, REPLACE_FLAGS) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let force = p.is_set("force");
    // replace.go's Validate, in its order.
    if p.given("grace-period") && !force {
        return Output::fail("error: --grace-period must have --force specified");
    }
    if p.given("timeout") && !force {
        return Output::fail("error: --timeout must have --force specified");
    }
    if force && p.given("dry-run") {
        return Output::fail("error: --dry-run can not be used when --force is set");
    }
    if p.all("filename").is_empty() {
        return Output::fail("error: must specify --filename to replace");
    }
    let dry = match dry_run(&p) {
        Ok(d) => d,
        Err(e) => return Output::fail(e),
    };
    let mut out = Output::default();
    if force {
        let mut delete_argv: Vec<String> = Vec::new();
        for (flag, value) in [
            ("filename", p.all("filename")),
            ("grace-period", p.all("grace-period")),
            ("timeout", p.all("timeout")),
            ("cascade", p.all("cascade")),
            ("wait", p.all("wait")),
        ] {
            delete_argv.extend(value.into_iter().map(|v| format!("--{flag}={v}")));
        }
        if p.given("namespace") {
            delete_argv.push(format!("--namespace={}", p.namespace()));
        }
        let deleted = delete(ctx, &delete_argv);
        let failed = deleted.exit_code != 0;
        out.push(deleted);
        if failed {
            return out;
        }
    }
    let save_config = p.is_set("save-config");
    out.push(for_each_object(
        ctx,
        &p,
        "replace",
        &super::workloads::change_cause("replace", &p),
        |ctx, mut object, file| {
            if save_config {
                let applied = applied_config(&object);
                object
                    .meta_mut()
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(LAST_APPLIED.into(), applied);
            }
            let result = if dry {
                Ok(Rc::new(object))
            } else if force {
                ctx.cluster.create(object)
            } else {
                ctx.cluster.update(object)
            };
            // forceReplace returns the create's error as it is; replace names the file.
            let source = (!force).then(|| ("replacing", source_name(file)));
            result
                .map(|o| (Rc::unwrap_or_clone(o), "replaced", None))
                .map_err(|e| e.kubectl_message(source))
        },
    ));
    out
}

fn resource_plural_name(object: &Object) -> String {
    format!("{}/{}", object.kind().info().qualified_plural(), object.name())
}

const DELETE_FLAGS: &[Flag] = &[
    val("filename", Some('f')),
    val("selector", Some('l')),
    val("field-selector", None),
    boolean("all", None),
    boolean("all-namespaces", Some('A')),
    val("grace-period", None),
    boolean("force", None),
    boolean("now", None),
    val("cascade", None),
    val("wait", None),
    val("timeout", None),
    boolean("ignore-not-found", None),
    val("output", Some('o')),
    boolean("recursive", Some('R')),
    val("dry-run", None),
    boolean("interactive", Some('i')),
    val("raw", None),
];

/// `kubectl delete`.
pub fn delete(ctx: &mut Ctx, argv: &[String]) -> Output {
    let p = match parse("delete", argv, DELETE_FLAGS) {
        Ok(p) => p,
        Err(e) => return Output::fail(e),
    };
    let mut out = Output::default();
    let propagation = match p.get("cascade") {
        None | Some("background") | Some("true") => Propagation::Background,
        Some("foreground") => Propagation::Foreground,
        Some("orphan") => Propagation::Orphan,
        Some("false") => {
            out.stderr.push_str("warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n");
            Propagation::Orphan
        }
        Some(other) => {
            return Output::fail(format!(
                "error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
            ));
        }
    };
    let mut grace: Option<i64> = match p.get("grace-period").map(str::parse::<i64>) {
        None => None,
        Some(Ok(g)) if g >= 0 => Some(g),
        Some(Ok(_)) => None,
        Some(Err(_)) => {
            return Output::fail(format!(
                "error: invalid argument \"{}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{}\": invalid syntax",
                p.get("grace-period").unwrap_or(""),
                p.get("grace-period").unwrap_or("")
            ));
        }
    };
    if p.is_set("now") {
        grace = Some(1);
    }
    let force = p.is_set("force");
    if force && grace.is_none() {
        grace = Some(0);
    }
    if grace == Some(0) && !force {
        // kubectl turns --grace-period=0 without --force into 1 second.
        grace = Some(1);
    }
    if force && grace == Some(0) {
        out.stderr.push_str("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let namespace = p.namespace();
    let all_namespaces = p.is_set("all-namespaces");
    let mut targets: Vec<Target> = Vec::new();
    for file in p.all("filename") {
        match read_objects(ctx, &file, &namespace) {
            Ok(objs) => targets.extend(
                objs.iter().map(|o| Target { kind: o.kind(), name: Some(o.name().into()) }),
            ),
            Err(e) => return Output::fail(e),
        }
    }
    if !p.positional.is_empty() {
        match resolve(&p.positional) {
            Ok(r) => targets.extend(r.targets),
            Err(e) => return Output::fail(e),
        }
    }
    if targets.is_empty() {
        return Output::fail(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        );
    }
    let has_selector = p.given("selector") || p.given("field-selector");
    if targets.iter().any(|t| t.name.is_none()) && !p.is_set("all") && !has_selector {
        return Output::fail("error: resource(s) were provided, but no name was specified");
    }
    if p.is_set("all") && targets.iter().any(|t| t.name.is_some()) {
        return Output::fail(
            "error: name cannot be provided when a selector or --all is specified",
        );
    }
    let selector = match p.get("selector").map(Selector::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return Output::fail(format!("error: {e}")),
    };
    let mut errors = Vec::new();
    let mut victims: Vec<Object> = Vec::new();
    for t in &targets {
        // The namespace a file gave wins over -n.
        let ns = match &t.name {
            Some(_) => namespace.clone(),
            None => namespace.clone(),
        };
        match fetch(
            ctx,
            t,
            &ns,
            all_namespaces,
            selector.as_ref(),
            p.get("field-selector"),
            &mut errors,
        ) {
            Ok(objs) => victims.extend(objs),
            Err(e) => return Output::fail(e),
        }
    }
    if p.is_set("ignore-not-found") {
        errors.clear();
    }
    if victims.is_empty() && errors.is_empty() {
        out.stdout.push_str("No resources found\n");
        return out;
    }
    let mut waiting: Vec<(ObjKey, Option<String>)> = Vec::new();
    let name_output = p.get("output") == Some("name");
    for v in victims {
        let key = ObjKey::of(&v);
        let label = if name_output {
            format!("{}\n", name_of(&v))
        } else {
            let ns_suffix = if key.kind.info().namespaced {
                format!(" from {} namespace", key.namespace)
            } else {
                String::new()
            };
            let verb = if force && grace == Some(0) { "force deleted" } else { "deleted" };
            format!("{} \"{}\" {verb}{ns_suffix}\n", key.kind.info().qualified_singular(), key.name)
        };
        match ctx.cluster.delete(&key, grace, propagation) {
            Ok(_) => {
                out.stdout.push_str(&label);
                waiting.push((key, v.meta().uid.clone()));
            }
            Err(e) => errors.push(e.kubectl_message(None)),
        }
    }
    let wait = p.get("wait").is_none_or(|w| w != "false");
    if wait {
        let keys = waiting.clone();
        ctx.wait_until(MAX_WAIT_MS, |c| {
            keys.iter().all(|(k, uid)| c.get(k).is_none_or(|o| o.meta().uid != *uid))
        });
    }
    for e in errors {
        out.stderr.push_str(&e);
        out.stderr.push('\n');
        out.exit_code = 1;
    }
    let _ = Kind::Pod;
    out
}
