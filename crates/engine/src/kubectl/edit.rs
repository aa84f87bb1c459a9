//! `kubectl edit`: the object as `get -o yaml` (or `-o json`) prints it, under kubectl's header,
//! goes to an editor; what the editor returns is compared with it and sent to the API server as
//! a merge patch, as `editoptions.go` does. The command waits as a [`Job`] that holds the editor's
//! file until the editor returns ([`Job::editor_returned`]); a rejected edit reopens the file
//! with the failures as comments on top. In a script, a here-document is what the editor
//! returns: one text per editor round ([`split_rounds`]); without one, the editor saves the file
//! unchanged ([`Job::unattended_editor`]).

use std::collections::VecDeque;

use serde_json::{Map, Value};

use super::args::{Flag, boolean, parse, val};
use super::format::{gofmt, to_json, to_yaml};
use super::printers::{name_of, output_json};
use super::resources::resolve;
use super::workloads::merge_patch;
use super::{Ctx, Job, Output, Poll};
use crate::api::decode::{self, DecodeError, MAX_MANIFEST_BYTES};
use crate::api::{ApiError, ObjKey, Reason};
use crate::clock::Millis;
use crate::cluster::Cluster;

/// kubectl's header over the object (`editHeader.writeTo`, normal edit mode).
pub const HEADER: &str =
    "# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";
/// The most times the editor opens for one command; a rejected edit after that cancels it.
pub const MAX_EDIT_ROUNDS: usize = 32;
/// The largest text taken from the editor (what the API server takes in one request).
pub const MAX_EDIT_BYTES: usize = MAX_MANIFEST_BYTES;

/// The file an editor shows while `kubectl edit` waits for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorFile {
    /// The temporary file's name (`kubectl-edit-<n>.yaml`; kubectl puts it in `/tmp`).
    pub name: String,
    /// Its content.
    pub text: String,
}

/// The first line of [`HEADER`]: in a here-document fed to `kubectl edit`, where each editor
/// round after the first starts.
fn round_mark() -> &'static str {
    HEADER.lines().next().unwrap_or_default()
}

/// The texts the editor returns, round by round, from a here-document: a new round starts at
/// each line that is the header's first line (text before the first one is a round of its own).
pub fn split_rounds(heredoc: &str) -> Vec<String> {
    let mut rounds: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in heredoc.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == round_mark() && !current.is_empty() {
            rounds.push(std::mem::take(&mut current));
        }
        current.push_str(line);
    }
    rounds.push(current);
    rounds
}

/// The here-document that replays `rounds` (the inverse of [`split_rounds`]): each round starts
/// with the header's first line, which it has nowhere else. Comment lines are all the same to
/// kubectl, so this changes nothing it compares or sends.
pub fn join_rounds(rounds: &[String]) -> String {
    let mut out = String::new();
    for round in rounds {
        out.push_str(round_mark());
        out.push('\n');
        for line in round.split_inclusive('\n') {
            if line.trim_end_matches(['\n', '\r']) != round_mark() {
                out.push_str(line);
            }
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

const FLAGS: &[Flag] = &[
    val("output", Some('o')),
    val("filename", Some('f')),
    boolean("recursive", Some('R')),
    val("validate", None),
    boolean("windows-line-endings", None),
    val("field-manager", None),
    boolean("save-config", None),
    boolean("record", None),
    val("subresource", None),
    boolean("show-managed-fields", None),
    boolean("allow-missing-template-keys", None),
];

/// `kubectl edit TYPE NAME` / `TYPE/NAME`: the editor's job, or with a here-document on
/// standard input the whole edit at once.
pub fn edit(ctx: &mut Ctx, argv: &[String]) -> (Output, Option<Box<dyn Job>>) {
    let p = match parse("edit", argv, FLAGS) {
        Ok(p) => p,
        Err(e) => return (Output::fail(e), None),
    };
    let json = match p.get("output") {
        None | Some("yaml") => false,
        Some("json") => true,
        Some(other) => {
            return (
                Output::fail(format!(
                    "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,yaml"
                )),
                None,
            );
        }
    };
    if p.given("filename") {
        return (
            Output::fail(
                "error: editing from a file is not available here: kubectl edit TYPE NAME edits an object of the cluster",
            ),
            None,
        );
    }
    let resolved = match resolve(&p.positional) {
        Ok(r) => r,
        Err(e) => return (Output::fail(e), None),
    };
    let Some(target) = resolved.targets.first() else {
        return (
            Output::fail(
                "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
            ),
            None,
        );
    };
    let info = target.kind.info();
    let namespace = if info.namespaced { p.namespace() } else { String::new() };
    // `kubectl edit TYPE`: every object of the type; one is edited as itself, several as a List
    // (which kubeplay does not do).
    let all: Vec<String> = match &target.name {
        Some(_) => Vec::new(),
        None => ctx
            .cluster
            .store
            .list(target.kind, Some(namespace.as_str()))
            .map(|o| o.name().to_string())
            .collect(),
    };
    let name = match (&target.name, all.as_slice()) {
        (Some(n), _) if resolved.targets.len() == 1 => n.clone(),
        (None, [one]) if resolved.targets.len() == 1 => one.clone(),
        (None, []) => return (Output::fail("error: edit cancelled, no objects found"), None),
        _ => {
            return (
                Output::fail(
                    "error: kubectl edit here edits one object at a time: give TYPE NAME or TYPE/NAME",
                ),
                None,
            );
        }
    };
    let key = ObjKey::new(target.kind, &namespace, &name);
    let Some(live) = ctx.cluster.get(&key) else {
        return (
            Output::fail(
                ApiError::not_found(&info.qualified_plural(), &name).kubectl_message(None),
            ),
            None,
        );
    };
    let mut original = output_json(live);
    if let Some(m) = original.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    let printed = if json { to_json(&original) } else { to_yaml(&original) };
    let mut job = EditJob {
        key,
        namespace,
        original,
        printed: parse_and_strip(&printed).1,
        file: EditorFile {
            name: format!(
                "kubectl-edit-{}.{}",
                temp_number(ctx.cluster.now_ms(), ctx.cluster.store.resource_version(), &name),
                if json { "json" } else { "yaml" }
            ),
            text: format!("{HEADER}{printed}"),
        },
        rejected: None,
        rounds: 0,
        script: None,
        last: None,
    };
    job.script = ctx.stdin.map(|body| split_rounds(body).into());
    (Output::default(), Some(Box::new(job)))
}

/// The random part of kubectl's temporary file name (os.CreateTemp's decimal uint32), from the
/// moment, the store's resourceVersion and the object: no draw from the cluster's seeded
/// generator, so an edit abandoned with Ctrl-C leaves the cluster's future as it was.
fn temp_number(now_ms: Millis, resource_version: u64, name: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = now_ms.to_le_bytes().into_iter().chain(resource_version.to_le_bytes());
    for b in bytes.chain(name.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 32) as u32
}

/// The edit in progress.
struct EditJob {
    key: ObjKey,
    /// The command's namespace (`-n`), which the edited object must keep.
    namespace: String,
    /// The object when the edit started.
    original: Value,
    /// The file as first written, comments stripped.
    printed: Stripped,
    file: EditorFile,
    /// The last round's text, comments stripped, when it was rejected (`containsError`).
    rejected: Option<Stripped>,
    rounds: usize,
    /// A here-document's rounds not yet returned: the editor of a script.
    script: Option<VecDeque<String>>,
    /// What the editor returned last.
    last: Option<String>,
}

/// Text with its comments dropped, as kubectl compares two editor files (`cmdutil.StripComments`:
/// the YAML as JSON, or when it does not parse, the lines that are not comments).
#[derive(PartialEq)]
enum Stripped {
    Json(Vec<Value>),
    Text(String),
}

/// The text parsed (once: a hostile text is slow to parse), and its comments stripped.
fn parse_and_strip(text: &str) -> (Result<Vec<Value>, DecodeError>, Stripped) {
    match decode::parse_documents(text) {
        Ok(docs) => {
            let values: Vec<Value> = docs.into_iter().map(|d| d.value).collect();
            (Ok(values.clone()), Stripped::Json(values))
        }
        Err(e) => (Err(e), Stripped::Text(manual_strip(text))),
    }
}

/// `cmdutil.ManualStrip`: the lines that are not comments (`#!` is not one).
fn manual_strip(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| {
            let t = l.trim();
            !t.starts_with('#') || t.starts_with("#!")
        })
        .collect()
}

/// `hashOnLineBreak`: a message's later lines as comments too.
fn hash_on_line_break(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\n' && chars.peek().is_some_and(|n| *n != '#') {
            out.push_str("# ");
        }
    }
    out
}

/// RFC 7386: the merge patch that turns `from` into `to` (`jsonpatch.CreateMergePatch`).
fn create_merge_patch(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            let mut patch = Map::new();
            for (k, v) in b {
                match a.get(k) {
                    Some(old) if old == v => {}
                    Some(old) => {
                        patch.insert(k.clone(), create_merge_patch(old, v));
                    }
                    None => {
                        patch.insert(k.clone(), v.clone());
                    }
                }
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                patch.insert(k.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        (_, to) => to.clone(),
    }
}

impl EditJob {
    fn temp_path(&self) -> String {
        let mut quoted = String::new();
        gofmt::push_go_quote(&mut quoted, &format!("/tmp/{}", self.file.name));
        quoted
    }

    /// `preservedFile`: where the changes were kept, then the error.
    fn preserved(&self, error: &str) -> Output {
        Output::fail(format!(
            "A copy of your changes has been stored to {}\nerror: {error}",
            self.temp_path()
        ))
    }

    /// kubectl's answer to a rejected file saved again without a change.
    fn cancel_unsaved(&self) -> Output {
        self.preserved("Edit cancelled, no valid changes were saved.")
    }

    /// Reopens the editor with `reasons` (head, details) over the rejected text.
    fn reopen(
        &mut self,
        edited: &str,
        stripped: Stripped,
        reasons: &[(String, Vec<String>)],
        printed: Output,
    ) -> Poll {
        let mut text = HEADER.to_string();
        for (head, details) in reasons {
            let colon = if details.is_empty() { "" } else { ":" };
            text.push_str(&format!("# {}{colon}\n", hash_on_line_break(head)));
            for d in details {
                text.push_str(&format!("# * {}\n", hash_on_line_break(d)));
            }
            text.push_str("#\n");
        }
        text.push_str(&manual_strip(edited));
        self.file.text = text;
        self.rejected = Some(stripped);
        if self.rounds >= MAX_EDIT_ROUNDS {
            let mut out = printed;
            out.push(self.cancel_unsaved());
            return Poll::Done(out);
        }
        Poll::Waiting(printed)
    }

    /// One round of `editoptions.go`'s loop, from the editor's return on.
    fn round(&mut self, cluster: &mut Cluster, edited: &str) -> Poll {
        self.rounds += 1;
        let (parsed, stripped) = parse_and_strip(edited);
        if self.rejected.as_ref() == Some(&stripped) {
            return Poll::Done(self.cancel_unsaved());
        }
        if self.printed == stripped {
            return Poll::Done(Output {
                stderr: "Edit cancelled, no changes made.\n".into(),
                ..Output::default()
            });
        }
        if !edited.lines().any(|l| !l.trim().is_empty() && !l.trim().starts_with('#')) {
            return Poll::Done(Output {
                stderr: "Edit cancelled, saved file was empty.\n".into(),
                ..Output::default()
            });
        }
        let resource = self.key.kind.info().qualified_plural();
        let name = self.key.name.clone();
        if edited.len() > MAX_EDIT_BYTES {
            return Poll::Done(self.retryable(&resource, &DecodeError::TooLarge.to_string()));
        }
        let docs = match parsed.and_then(|docs| {
            docs.into_iter()
                .map(|d| decode::resolve_kind(&d).map(|_| d))
                .collect::<Result<Vec<_>, _>>()
        }) {
            Ok(d) => d,
            Err(e) => {
                let reason = (format!("The edited file had a syntax error: {e}"), Vec::new());
                return self.reopen(edited, stripped, &[reason], Output::default());
            }
        };
        // No object in the file: nothing to patch, and kubectl says nothing.
        let Some(mut doc) = docs.into_iter().next() else { return Poll::Done(Output::default()) };
        if self.key.kind.info().namespaced {
            let declared = doc.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
            if !declared.is_empty() && declared != self.namespace {
                return Poll::Done(self.preserved(&format!(
                    "the namespace from the provided object \"{declared}\" does not match the namespace \"{}\". You must pass '--namespace={declared}' to perform this operation.",
                    self.namespace
                )));
            }
            if let Some(m) = doc.get_mut("metadata").and_then(Value::as_object_mut) {
                m.insert("namespace".into(), Value::String(self.namespace.clone()));
            }
        }
        let patch = create_merge_patch(&self.original, &doc);
        let changed = |pointer: &str| patch.pointer(pointer).is_some();
        if ["/apiVersion", "/kind", "/metadata/name", "/metadata/managedFields"]
            .iter()
            .any(|p| changed(p))
        {
            return Poll::Done(
                self.preserved("At least one of apiVersion, kind and name was changed"),
            );
        }
        let Some(live) = cluster.get(&self.key) else {
            return Poll::Done(Output::fail(format!(
                "error: {resource} \"{name}\" could not be found on the server\nThe edits you made on deleted resources have been saved to {}",
                self.temp_path()
            )));
        };
        let merged = merge_patch(&live.to_json(), &patch);
        let object = match decode::decode_object(merged) {
            Ok(o) => o,
            Err(e) => return Poll::Done(self.retryable(&resource, &e.to_string())),
        };
        match cluster.update(object) {
            Ok(o) => Poll::Done(Output::ok(format!("{} edited\n", name_of(&o)))),
            Err(ApiError { reason: Reason::Invalid, invalid: Some(details), .. }) => {
                let head = format!("{resource} \"{name}\" was not valid");
                // Printed at once; the edit goes on and may still succeed (exit 0).
                let printed = Output {
                    stderr: format!("error: {resource} \"{name}\" is invalid\n"),
                    ..Output::default()
                };
                self.reopen(edited, stripped, &[(head, details.causes)], printed)
            }
            Err(e) if e.reason == Reason::NotFound => Poll::Done(Output::fail(format!(
                "error: {resource} \"{name}\" could not be found on the server\nThe edits you made on deleted resources have been saved to {}",
                self.temp_path()
            ))),
            Err(e) => Poll::Done(self.retryable(&resource, &e.message)),
        }
    }

    /// A failure kubectl does not retry in the editor: it points to `kubectl replace -f`.
    fn retryable(&self, resource: &str, message: &str) -> Output {
        Output::fail(format!(
            "error: {resource} \"{}\" could not be patched: {message}\nYou can run `kubectl replace -f /tmp/{}` to try this update again.",
            self.key.name, self.file.name
        ))
    }
}

impl Job for EditJob {
    fn poll(&mut self, _cluster: &Cluster) -> Poll {
        Poll::Waiting(Output::default())
    }

    /// An editor has no deadline: kubectl waits for it as long as it takes.
    fn deadline_ms(&self) -> Millis {
        Millis::MAX
    }

    fn editor_file(&self) -> Option<&EditorFile> {
        self.script.is_none().then_some(&self.file)
    }

    fn editor_returned(&mut self, cluster: &mut Cluster, text: &str) -> Poll {
        self.last = Some(text.to_string());
        self.round(cluster, text)
    }

    /// The here-document's next round; after the last, the same text again, as an editor that
    /// saves without a change (which ends the edit); with no here-document, the file as shown.
    fn unattended_editor(&mut self) -> Option<String> {
        let next = self.script.as_mut().and_then(VecDeque::pop_front);
        Some(next.or_else(|| self.last.clone()).unwrap_or_else(|| self.file.text.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_split_at_the_header_and_join_back() {
        let one = format!("{HEADER}a: 1\n");
        let two = format!("{HEADER}# The edited file had a syntax error: x\n#\na: [\n");
        let joined = join_rounds(&[one.clone(), two.clone()]);
        assert_eq!(split_rounds(&joined), vec![one.clone(), two]);
        // A round without the header gets its first line; a second header line is dropped.
        let bare = "a: 2\n".to_string();
        assert_eq!(split_rounds(&join_rounds(&[bare])), vec![format!("{}\na: 2\n", round_mark())]);
        let doubled = format!("{HEADER}{HEADER}a: 3\n");
        assert_eq!(split_rounds(&join_rounds(&[doubled])).len(), 1);
        assert_eq!(split_rounds("a: 1\n"), vec!["a: 1\n".to_string()]);
        assert_eq!(split_rounds(""), vec![String::new()]);
    }

    #[test]
    fn merge_patches_keep_only_the_difference() {
        let from = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]});
        let to = serde_json::json!({"a": 1, "b": {"c": 5}, "e": [1], "f": true});
        let patch = create_merge_patch(&from, &to);
        assert_eq!(patch, serde_json::json!({"b": {"c": 5, "d": null}, "e": [1], "f": true}));
        assert_eq!(merge_patch(&from, &patch), to);
    }

    #[test]
    fn messages_continue_as_comments() {
        assert_eq!(hash_on_line_break("a\nb\n#c"), "a\n# b\n#c");
        assert_eq!(manual_strip("# x\na: 1\n  # y\n#!z\n"), "a: 1\n#!z\n");
    }
}
