//! `kubectl get`: tables, `-o wide|yaml|json|name|jsonpath|custom-columns`, selectors, label
//! columns, all namespaces, and `--watch` as a [`Job`](super::Job).

use serde_json::{Value, json};

use super::args::{Flag, Parsed, boolean, parse, val};
use super::format::{self, TabWriter, custom_columns, jsonpath::Options, to_json, to_yaml};
use super::printers::{self, headers, label_columns, name_of, output_json, row};
use super::resources::{Target, resolve};
use super::{Ctx, Job, Output, Poll};
use crate::api::{ApiError, Kind, ObjKey, Object};
use crate::apimachinery::labels::Selector;
use crate::clock::Millis;
use crate::cluster::Cluster;

const FLAGS: &[Flag] = &[
    val("output", Some('o')),
    val("selector", Some('l')),
    val("field-selector", None),
    boolean("all-namespaces", Some('A')),
    boolean("show-labels", None),
    val("label-columns", Some('L')),
    boolean("watch", Some('w')),
    boolean("watch-only", None),
    boolean("no-headers", None),
    boolean("show-kind", None),
    boolean("ignore-not-found", None),
    val("sort-by", None),
    val("chunk-size", None),
    val("filename", Some('f')),
    boolean("recursive", Some('R')),
    val("output-watch-events", None),
    val("show-managed-fields", None),
    val("subresource", None),
];

/// How long `get -w` watches when nobody presses Ctrl-C: the API server ends a watch after its
/// request timeout (`--min-request-timeout`, 30 minutes at the least), and kubectl then exits.
pub const WATCH_DEFAULT_MS: Millis = 30 * 60_000;
/// The most rows one watch prints.
pub const WATCH_LINES_MAX: usize = 10_000;

/// The output format asked for with `-o`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// Default table.
    Table,
    /// `-o wide`.
    Wide,
    /// `-o yaml`.
    Yaml,
    /// `-o json`.
    Json,
    /// `-o name`.
    Name,
    /// `-o jsonpath=...` (template, as JSON?).
    JsonPath(String, bool),
    /// `-o custom-columns=...`.
    CustomColumns(String),
}

/// Parses `-o`.
pub fn parse_format(o: Option<&str>) -> Result<Format, String> {
    let Some(o) = o else { return Ok(Format::Table) };
    Ok(match o {
        "" => Format::Table,
        "wide" => Format::Wide,
        "yaml" => Format::Yaml,
        "json" => Format::Json,
        "name" => Format::Name,
        _ => {
            if let Some(t) =
                o.strip_prefix("jsonpath=").or_else(|| o.strip_prefix("jsonpath-as-json="))
            {
                Format::JsonPath(t.to_string(), o.starts_with("jsonpath-as-json"))
            } else if let Some(t) = o.strip_prefix("custom-columns=") {
                Format::CustomColumns(t.to_string())
            } else if o == "jsonpath" || o == "custom-columns" {
                return Err(format!(
                    "error: {o} template format specified but no {o} template given"
                ));
            } else {
                return Err(format!(
                    "error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
                ));
            }
        }
    })
}

/// Renders objects in a machine format (yaml/json/name/jsonpath/custom-columns). `single` says
/// whether one object was asked for by name (printed bare rather than as a List).
pub fn render_machine(format: &Format, objects: &[Object], single: bool) -> Result<String, String> {
    let values: Vec<Value> = objects.iter().map(output_json).collect();
    let doc = if single && values.len() == 1 {
        values[0].clone()
    } else {
        json!({"apiVersion": "v1", "items": values, "kind": "List", "metadata": {"resourceVersion": ""}})
    };
    Ok(match format {
        Format::Yaml => to_yaml(&doc),
        Format::Json => to_json(&doc),
        Format::Name => objects.iter().map(|o| format!("{}\n", name_of(o))).collect(),
        Format::JsonPath(t, as_json) => {
            let jp = format::JsonPath::parse(t).map_err(|e| format!("error: {e}"))?;
            jp.execute(&doc, Options { allow_missing_keys: true, output_json: *as_json })
                .map_err(|e| format!("error: {e}"))?
        }
        Format::CustomColumns(spec) => {
            let cols = custom_columns::parse_spec(spec).map_err(|e| format!("error: {e}"))?;
            let items: Vec<Value> = objects.iter().map(output_json).collect();
            custom_columns::render(&cols, &items, false).map_err(|e| format!("error: {e}"))?
        }
        Format::Table | Format::Wide => String::new(),
    })
}

fn field_matches(object: &Object, selector: &str) -> Result<bool, String> {
    let json = object.to_json();
    for req in selector.split(',').filter(|r| !r.is_empty()) {
        let (key, value, negate) = if let Some((k, v)) = req.split_once("!=") {
            (k, v, true)
        } else if let Some((k, v)) = req.split_once("==") {
            (k, v, false)
        } else if let Some((k, v)) = req.split_once('=') {
            (k, v, false)
        } else {
            return Err(format!("error: invalid selector: '{selector}'; can't understand '{req}'"));
        };
        let pointer = format!("/{}", key.replace('.', "/"));
        let actual = match json.pointer(&pointer) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        };
        if (actual == value) == negate {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Objects a target names, filtered by selectors. Not-found names are reported in `errors`.
pub fn fetch(
    ctx: &Ctx,
    target: &Target,
    namespace: &str,
    all_namespaces: bool,
    selector: Option<&Selector>,
    field_selector: Option<&str>,
    errors: &mut Vec<String>,
) -> Result<Vec<Object>, String> {
    let info = target.kind.info();
    let ns = if info.namespaced { namespace } else { "" };
    let mut found: Vec<Object> = match &target.name {
        Some(name) => match ctx.cluster.get(&ObjKey::new(target.kind, ns, name)) {
            Some(o) => vec![o.clone()],
            None => {
                errors.push(
                    ApiError::not_found(&info.qualified_plural(), name).kubectl_message(None),
                );
                Vec::new()
            }
        },
        None => {
            let scope = if info.namespaced && !all_namespaces { Some(ns) } else { None };
            ctx.cluster.store.list(target.kind, scope).cloned().collect()
        }
    };
    if let Some(sel) = selector {
        found.retain(|o| sel.matches(&o.meta().labels.clone().unwrap_or_default()));
    }
    if let Some(fs) = field_selector {
        let mut kept = Vec::new();
        for o in found {
            if field_matches(&o, fs)? {
                kept.push(o);
            }
        }
        found = kept;
    }
    Ok(found)
}

struct TableOptions {
    wide: bool,
    all_namespaces: bool,
    show_kind: bool,
    show_labels: bool,
    label_keys: Vec<String>,
    no_headers: bool,
}

fn table_rows(
    kind: Kind,
    objects: &[Object],
    opts: &TableOptions,
    now: i64,
    with_header: bool,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let namespaced = kind.info().namespaced || kind == Kind::Event;
    if with_header && !opts.no_headers {
        let mut h: Vec<String> = Vec::new();
        if opts.all_namespaces && namespaced {
            h.push("NAMESPACE".into());
        }
        h.extend(headers(kind, opts.wide).iter().map(|s| s.to_string()));
        h.extend(opts.label_keys.iter().map(|k| k.to_ascii_uppercase()));
        if opts.show_labels {
            h.push("LABELS".into());
        }
        rows.push(h);
    }
    for o in objects {
        let mut r = Vec::new();
        if opts.all_namespaces && namespaced {
            r.push(o.namespace().to_string());
        }
        let mut cells = row(o, opts.wide, now);
        if opts.show_kind && kind != Kind::Event {
            cells[0] = name_of(o);
        }
        r.extend(cells.into_iter().map(|c| format::escape_cell(&c)));
        r.extend(label_columns(o, &opts.label_keys));
        if opts.show_labels {
            let l = printers::labels_string(o.meta().labels.as_ref());
            r.push(if l.is_empty() { "<none>".into() } else { l });
        }
        rows.push(r);
    }
    rows
}

fn sort_objects(objects: &mut [Object], sort_by: &str) -> Result<(), String> {
    let template =
        if sort_by.starts_with('{') { sort_by.to_string() } else { format!("{{{sort_by}}}") };
    let jp = format::JsonPath::parse(&template).map_err(|e| format!("error: {e}"))?;
    let key = |o: &Object| -> (i64, String) {
        let v = jp
            .execute(&o.to_json(), Options { allow_missing_keys: true, output_json: false })
            .unwrap_or_default();
        match v.parse::<i64>() {
            Ok(n) => (n, String::new()),
            Err(_) => (0, v),
        }
    };
    crate::sorting::sort_by_key(objects, key);
    Ok(())
}

/// `kubectl get`; with `--watch`, the job that prints the changes.
pub fn get(ctx: &mut Ctx, argv: &[String]) -> (Output, Option<Box<dyn Job>>) {
    let p = match parse("get", argv, FLAGS) {
        Ok(p) => p,
        Err(e) => return (Output::fail(e), None),
    };
    let mut job = None;
    let out = get_or_watch(ctx, &p, &mut job);
    (out, job)
}

fn get_or_watch(ctx: &mut Ctx, p: &Parsed, job: &mut Option<Box<dyn Job>>) -> Output {
    let format = match parse_format(p.get("output")) {
        Ok(f) => f,
        Err(e) => return Output::fail(e),
    };
    let mut resolved = match resolve(&p.positional) {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    if let Some(file) = p.get("filename") {
        match super::manifest::read_objects(ctx, file, &p.namespace()) {
            Ok(objs) => {
                for o in objs {
                    resolved
                        .targets
                        .push(Target { kind: o.kind(), name: Some(o.name().to_string()) });
                }
            }
            Err(e) => return Output::fail(e),
        }
    }
    if resolved.targets.is_empty() {
        return Output::fail(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples",
        );
    }
    let namespace = p.namespace();
    let all_namespaces = p.is_set("all-namespaces");
    let selector = match p.get("selector").map(Selector::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            let kind = resolved.targets[0].kind.info();
            let group = if kind.group.is_empty() { String::new() } else { kind.group.to_string() };
            return Output::fail(format!(
                "Error from server (BadRequest): Unable to find \"{group}/{}, Resource={}\" that match label selector \"{}\", field selector \"{}\": {e}",
                kind.version,
                kind.plural,
                p.get("selector").unwrap_or_default(),
                p.get("field-selector").unwrap_or_default()
            ));
        }
    };
    let show_kind = resolved.show_kind || p.is_set("show-kind");
    let endpoints_warning = resolved.targets.iter().any(|t| t.kind == Kind::Endpoints);
    let single = resolved.targets.len() == 1 && resolved.targets[0].name.is_some();
    let mut errors = Vec::new();
    // Group consecutive targets of one kind into one table.
    let mut groups: Vec<(Kind, Vec<Object>)> = Vec::new();
    for t in &resolved.targets {
        let objs = match fetch(
            ctx,
            t,
            &namespace,
            all_namespaces,
            selector.as_ref(),
            p.get("field-selector"),
            &mut errors,
        ) {
            Ok(o) => o,
            Err(e) => return Output::fail(e),
        };
        match groups.last_mut() {
            Some((k, list)) if *k == t.kind => list.extend(objs),
            _ => groups.push((t.kind, objs)),
        }
    }
    if let Some(sort_by) = p.get("sort-by") {
        for (_, objs) in groups.iter_mut() {
            if let Err(e) = sort_objects(objs, sort_by) {
                return Output::fail(e);
            }
        }
    }
    if p.is_set("ignore-not-found") {
        errors.retain(|e| !e.contains("(NotFound)"));
    }
    let now = ctx.cluster.now();
    let label_keys: Vec<String> = p
        .all("label-columns")
        .iter()
        .flat_map(|l| l.split(',').map(str::to_string))
        .filter(|s| !s.is_empty())
        .collect();
    let opts = TableOptions {
        wide: format == Format::Wide,
        all_namespaces,
        show_kind,
        show_labels: p.is_set("show-labels"),
        label_keys,
        no_headers: p.is_set("no-headers"),
    };
    let mut out = Output::default();
    if endpoints_warning {
        out.stderr.push_str("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n");
    }
    let total: usize = groups.iter().map(|(_, o)| o.len()).sum();
    match &format {
        Format::Table | Format::Wide => {
            let mut tables = Vec::new();
            for (kind, objs) in &groups {
                if objs.is_empty() {
                    continue;
                }
                let rows = table_rows(*kind, objs, &opts, now, true);
                tables.push(format::format_table(&rows));
            }
            out.stdout = tables.join("\n");
        }
        _ => {
            let objects: Vec<Object> = groups.iter().flat_map(|(_, o)| o.iter().cloned()).collect();
            match render_machine(&format, &objects, single) {
                Ok(s) => out.stdout = s,
                Err(e) => return Output::fail(e),
            }
        }
    }
    if total == 0 && errors.is_empty() && !matches!(format, Format::Yaml | Format::Json) {
        let any_namespaced = groups.iter().any(|(k, _)| k.info().namespaced);
        out.stderr.push_str(&if all_namespaces || !any_namespaced {
            "No resources found\n".to_string()
        } else {
            format!("No resources found in {namespace} namespace.\n")
        });
    }
    for e in &errors {
        out.stderr.push_str(e);
        out.stderr.push('\n');
    }
    if !errors.is_empty() {
        out.exit_code = 1;
    }
    // A name that is not found ends the command before any watch starts, as upstream.
    if (p.is_set("watch") || p.is_set("watch-only")) && errors.is_empty() {
        if p.is_set("watch-only") {
            out.stdout.clear();
        }
        let bound_ms = p
            .get("request-timeout")
            .and_then(parse_go_duration_ms)
            .filter(|ms| *ms > 0)
            .unwrap_or(WATCH_DEFAULT_MS);
        let printed = if p.is_set("watch-only") { Vec::new() } else { groups.clone() };
        *job = Some(Box::new(Watch::new(
            ctx.cluster,
            &groups,
            &printed,
            resolved.targets,
            namespace,
            selector,
            opts,
            bound_ms,
        )));
    }
    out
}

/// `30s`, `1m`, `500ms`, `2h` -> milliseconds.
pub fn parse_go_duration_ms(s: &str) -> Option<Millis> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000.0)
    } else {
        (s, 1000.0)
    };
    num.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).map(|v| (v * mult) as Millis)
}

/// `get --watch`: a row for every change of a watched object, aligned with the table printed
/// first, until the watch's request timeout (or [`WATCH_LINES_MAX`] rows).
struct Watch {
    kinds: Vec<Kind>,
    targets: Vec<Target>,
    namespace: String,
    selector: Option<Selector>,
    opts: TableOptions,
    writer: TabWriter,
    /// Kinds whose header is on screen (the first row of another kind brings its header).
    headed: Vec<Kind>,
    cursor: u64,
    deadline_ms: Millis,
    printed_lines: usize,
}

impl Watch {
    #[allow(clippy::too_many_arguments)]
    fn new(
        cluster: &Cluster,
        initial: &[(Kind, Vec<Object>)],
        printed: &[(Kind, Vec<Object>)],
        targets: Vec<Target>,
        namespace: String,
        selector: Option<Selector>,
        opts: TableOptions,
        bound_ms: Millis,
    ) -> Self {
        let mut writer = TabWriter::new();
        // Prime the column widths with what was printed, as kubectl's watch printer does.
        for (kind, objs) in initial {
            let rows = table_rows(*kind, objs, &opts, cluster.now(), true);
            let _ = writer.format(&rows_text(&rows));
        }
        Watch {
            kinds: initial.iter().map(|(k, _)| *k).collect(),
            targets,
            namespace,
            selector,
            opts,
            writer,
            headed: printed.iter().filter(|(_, o)| !o.is_empty()).map(|(k, _)| *k).collect(),
            cursor: cluster.store.resource_version(),
            deadline_ms: cluster.now_ms().saturating_add(bound_ms),
            printed_lines: 0,
        }
    }
}

impl Job for Watch {
    fn poll(&mut self, cluster: &Cluster) -> Poll {
        let mut text = String::new();
        let mut events: Vec<_> = cluster.store.events_since(self.cursor).cloned().collect();
        if let Some(last) = events.last() {
            self.cursor = last.resource_version;
        }
        // The store keeps objects, not their past versions: an object changed several times
        // since the last poll gets one row, its current one, not copies of it.
        let mut seen = std::collections::BTreeSet::new();
        events.retain(|ev| seen.insert(ev.key.clone()));
        for ev in events {
            if self.printed_lines >= WATCH_LINES_MAX {
                break;
            }
            if !self.kinds.contains(&ev.key.kind) {
                continue;
            }
            let in_scope = self.opts.all_namespaces
                || !ev.key.kind.info().namespaced
                || *ev.key.namespace == *self.namespace;
            let named = self
                .targets
                .iter()
                .filter(|t| t.kind == ev.key.kind)
                .all(|t| t.name.as_ref().is_none_or(|n| **n == *ev.key.name));
            if !in_scope || !named {
                continue;
            }
            let Some(obj) = cluster.get(&ev.key) else { continue };
            if let Some(sel) = &self.selector
                && !sel.matches(&obj.meta().labels.clone().unwrap_or_default())
            {
                continue;
            }
            let header = !self.headed.contains(&ev.key.kind);
            if header {
                self.headed.push(ev.key.kind);
            }
            let rows = table_rows(
                ev.key.kind,
                std::slice::from_ref(obj),
                &self.opts,
                cluster.now(),
                header,
            );
            text.push_str(&self.writer.format(&rows_text(&rows)));
            self.printed_lines += 1;
        }
        Poll::printed(text, self.printed_lines >= WATCH_LINES_MAX)
    }

    fn deadline_ms(&self) -> Millis {
        self.deadline_ms
    }
}

fn rows_text(rows: &[Vec<String>]) -> String {
    rows.iter().map(|r| format!("{}\n", r.join("\t"))).collect()
}

/// Runs `get` with already-parsed flags (used by `kubectl apply -o` and friends).
pub fn print_objects(format: &Format, objects: &[Object], now: i64) -> Result<String, String> {
    match format {
        Format::Table | Format::Wide => {
            let mut tables = Vec::new();
            let mut i = 0;
            while i < objects.len() {
                let kind = objects[i].kind();
                let j = objects[i..]
                    .iter()
                    .position(|o| o.kind() != kind)
                    .map_or(objects.len(), |p| i + p);
                let opts = TableOptions {
                    wide: *format == Format::Wide,
                    all_namespaces: false,
                    show_kind: false,
                    show_labels: false,
                    label_keys: Vec::new(),
                    no_headers: false,
                };
                tables.push(format::format_table(&table_rows(
                    kind,
                    &objects[i..j],
                    &opts,
                    now,
                    true,
                )));
                i = j;
            }
            Ok(tables.join("\n"))
        }
        _ => render_machine(format, objects, objects.len() == 1),
    }
}
