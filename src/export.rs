//! "Run on a real cluster": the session as one bash script for kind. It writes the manifests the
//! learner applied as files, then runs the same commands in order against whatever cluster the
//! current kubectl context points at; a header says how to make a kind cluster with the same node
//! names. Playground-only commands (`sim ...`) become comments that say what to do instead. A
//! watch ended with Ctrl-C is a `timeout -s INT` of the same (virtual) length, or a background
//! job and its `kill`. A `kubectl edit` runs real kubectl with `KUBE_EDITOR=cp FILE` (kubectl
//! runs `$KUBE_EDITOR <its temporary file>`), FILE holding the text the editor saved last without
//! the playground's uid, resourceVersion, creationTimestamp and generation (the API server keeps
//! the real ones when a patch leaves them empty).

use kubeplay_engine::bootstrap::{CLUSTER_NAME, control_plane_name, worker_name};

use crate::session::Item;

/// Name of the downloaded script.
pub const SCRIPT_FILE_NAME: &str = "kubeplay-session.sh";

/// The session `items` of a cluster with `workers` worker nodes as a bash script for kind.
pub fn real_cluster_script(items: &[Item], workers: u32) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str("# Exported from kubeplay: the commands and manifests of a playground session.\n");
    out.push_str(&format!(
        "# Make a cluster with the same node names first (kind, https://kind.sigs.k8s.io):\n\
         #   kind create cluster --name {CLUSTER_NAME} --config - <<'KIND'\n"
    ));
    out.push_str("#   kind: Cluster\n#   apiVersion: kind.x-k8s.io/v1alpha4\n#   nodes:\n");
    out.push_str("#   - role: control-plane\n");
    for _ in 0..workers {
        out.push_str("#   - role: worker\n");
    }
    out.push_str("#   KIND\n");
    out.push_str(
        "# LoadBalancer services get an external IP on kind only with cloud-provider-kind (or\n\
         # MetalLB); on minikube run `minikube tunnel`. The addresses will differ from the\n\
         # playground's, so adjust the curl lines. Commands that fail on purpose in the\n\
         # session fail here too: the script goes on.\n",
    );
    // The session's `alias k=kubectl` works in a script only with this.
    out.push_str("set -u\nshopt -s expand_aliases\n");
    out.push_str("step() { printf '\\n$ %s\\n' \"$1\"; }\n\n");
    let nodes: Vec<String> =
        std::iter::once(control_plane_name()).chain((0..workers).map(worker_name)).collect();
    let mut edits = 0;
    for item in items {
        match item {
            Item::Edit { line, body } => {
                edits += 1;
                let file = format!("kubeplay-edit-{edits}.yaml");
                let last = kubeplay_engine::kubectl::split_rounds(body).pop().unwrap_or_default();
                let last = without_playground_identity(&last);
                out.push_str(&format!("step {}\n", shell_word(line)));
                out.push_str(
                    "# the text saved in the editor (at the last try, if kubectl reopened it)\n",
                );
                heredoc(&mut out, &format!("cat > {file}"), &last);
                out.push_str(&format!("KUBE_EDITOR=\"cp {file}\" {line}\n"));
            }
            Item::File(name, content) => {
                heredoc(&mut out, &format!("cat > {}", shell_word(name)), content);
            }
            Item::Input(line, body) => {
                out.push_str(&format!("step {}\n", shell_word(line)));
                heredoc(&mut out, line, body);
            }
            Item::Sleep(ms) => out.push_str(&format!("sleep {}\n", seconds(*ms))),
            Item::Command(line) => out.push_str(&command(line, &nodes)),
            Item::Interrupted { line, after_ms } => {
                // `timeout` runs programs: a loop goes through bash.
                let first = line.split_whitespace().next().unwrap_or_default();
                let command = if matches!(first, "for" | "while" | "until") {
                    format!("bash -c {}", shell_word(line))
                } else {
                    line.clone()
                };
                out.push_str(&format!(
                    "step {}\ntimeout -s INT {} {command}\n",
                    shell_word(line),
                    kubeplay_engine::jobs::seconds(*after_ms)
                ));
            }
        }
    }
    out
}

fn command(line: &str, nodes: &[String]) -> String {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return format!("{trimmed}\n");
    }
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    match words.as_slice() {
        ["sim", "node-down", node] if nodes.iter().any(|n| n == node) => format!(
            "# playground only: {trimmed}\n# on kind, stop the node's container instead:\n# docker stop {node}\n"
        ),
        ["sim", "node-up", node] if nodes.iter().any(|n| n == node) => {
            format!("# playground only: {trimmed}\n# on kind: docker start {node}\n")
        }
        ["sim", ..] => format!("# playground only: {trimmed}\n"),
        // A script's background jobs ignore SIGINT (bash without job control): TERM ends them.
        ["kill", "-s", "INT", job] if job.starts_with('%') => {
            format!("# Ctrl-C on the watch\nkill {job}\n")
        }
        _ => format!("step {}\n{trimmed}\n", shell_word(trimmed)),
    }
}

// `head <<'MARKER'`, the body, the marker.
fn heredoc(out: &mut String, head: &str, body: &str) {
    let marker = heredoc_marker(body);
    out.push_str(&format!("{head} <<'{marker}'\n"));
    out.push_str(body);
    if !body.is_empty() && !body.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&marker);
    out.push('\n');
}

/// An edited YAML object without the top-level metadata fields a real cluster has its own values
/// of: kubectl would send the playground's in its patch (a stale resourceVersion is a Conflict).
fn without_playground_identity(text: &str) -> String {
    const FIELDS: [&str; 4] = ["uid:", "resourceVersion:", "creationTimestamp:", "generation:"];
    let mut in_metadata = false;
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if !line.starts_with([' ', '#']) {
            in_metadata = line.trim_end() == "metadata:";
        }
        let field = line.strip_prefix("  ").filter(|f| !f.starts_with(' '));
        if in_metadata && field.is_some_and(|f| FIELDS.iter().any(|k| f.starts_with(k))) {
            continue;
        }
        out.push_str(line);
    }
    out
}

/// `ms` as the seconds GNU sleep takes (`1.5`, `30`).
fn seconds(ms: u64) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        s.to_string()
    } else {
        format!("{s}.{:03}", frac).trim_end_matches('0').to_string()
    }
}

/// A heredoc end marker that no line of `content` equals.
fn heredoc_marker(content: &str) -> String {
    let mut marker = String::from("KUBEPLAY_EOF");
    while content.lines().any(|l| l == marker) {
        marker.push('_');
    }
    marker
}

/// `s` single-quoted for bash.
fn shell_word(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Vec<Item> {
        vec![
            Item::File("web.yaml".into(), "kind: Pod\nmetadata: {name: it's}\n".into()),
            Item::Command("kubectl apply -f web.yaml".into()),
            Item::Sleep(1_500),
            Item::Command("sim node-down kubeplay-worker2".into()),
            Item::Command("sim kill web".into()),
            Item::Sleep(30_000),
            Item::Command("kubectl get pods -o wide | grep web".into()),
            Item::Interrupted { line: "kubectl get pods -w".into(), after_ms: 37_500 },
            Item::Interrupted { line: "while true; do curl -s http://x; done".into(), after_ms: 9_000 },
            Item::Command("kubectl get deploy -w &".into()),
            Item::Command("kill -s INT %1".into()),
            Item::Edit {
                line: "kubectl edit deploy web".into(),
                body: kubeplay_engine::kubectl::join_rounds(&[
                    "spec: [\n".into(),
                    "metadata:\n  name: web\n  resourceVersion: \"7\"\n  uid: x\nspec:\n  template:\n    metadata:\n      creationTimestamp: null\n  replicas: 3\n".into(),
                ]),
            },
        ]
    }

    #[test]
    fn a_session_becomes_a_kind_script_with_files_commands_and_sleeps() {
        let script = real_cluster_script(&session(), 2);
        assert!(script.starts_with("#!/usr/bin/env bash\n"));
        assert!(script.contains("#   kind create cluster --name kubeplay --config - <<'KIND'\n"));
        assert_eq!(script.matches("#   - role: worker\n").count(), 2);
        assert!(script.contains(
            "cat > 'web.yaml' <<'KUBEPLAY_EOF'\nkind: Pod\nmetadata: {name: it's}\nKUBEPLAY_EOF\n"
        ));
        assert!(script.contains("step 'kubectl apply -f web.yaml'\nkubectl apply -f web.yaml\n"));
        assert!(script.contains("\nsleep 1.5\n"));
        assert!(script.contains("\nsleep 30\n"));
        assert!(script.contains(
            "# on kind, stop the node's container instead:\n# docker stop kubeplay-worker2\n"
        ));
        assert!(script.contains("# playground only: sim kill web\n"));
        assert!(!script.lines().any(|l| l.starts_with("sim ")));
        assert!(script.contains(
            "step 'kubectl get pods -o wide | grep web'\nkubectl get pods -o wide | grep web\n"
        ));
        assert!(
            script
                .contains("step 'kubectl get pods -w'\ntimeout -s INT 37.5s kubectl get pods -w\n")
        );
        assert!(
            script.contains("timeout -s INT 9s bash -c 'while true; do curl -s http://x; done'\n")
        );
        assert!(script.contains("kubectl get deploy -w &\n# Ctrl-C on the watch\nkill %1\n"));
        assert!(script.ends_with(
            "cat > kubeplay-edit-1.yaml <<'KUBEPLAY_EOF'\n# Please edit the object below. Lines beginning with a '#' will be ignored,\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      creationTimestamp: null\n  replicas: 3\nKUBEPLAY_EOF\nKUBE_EDITOR=\"cp kubeplay-edit-1.yaml\" kubectl edit deploy web\n"
        ), "{script}");
    }

    #[test]
    fn quotes_and_markers_inside_the_session_cannot_break_out() {
        let items = vec![
            Item::File("x.yaml".into(), "a\nKUBEPLAY_EOF\nb".into()),
            Item::Command("echo 'hi' && kubectl version".into()),
            Item::Input("kubectl apply -f -".into(), "kind: Pod\n".into()),
        ];
        let script = real_cluster_script(&items, 1);
        assert!(script.contains("<<'KUBEPLAY_EOF_'\na\nKUBEPLAY_EOF\nb\nKUBEPLAY_EOF_\n"));
        assert!(script.contains("step 'echo '\\''hi'\\'' && kubectl version'\n"));
        assert!(script.ends_with(
            "step 'kubectl apply -f -'\nkubectl apply -f - <<'KUBEPLAY_EOF'\nkind: Pod\nKUBEPLAY_EOF\n"
        ));
    }
}
