//! `kubectl edit` as the browser runs it: the command waits for the editor (`Sim::editor`), the
//! editor returns a text (`Sim::editor_returned`), a rejected edit reopens the file with the
//! failures on top; and the same rounds as a script's here-document replay to the same bytes
//! and the same cluster.

use kubeplay_engine::kubectl::join_rounds;
use kubeplay_engine::{Sim, SimConfig, script};

fn sim() -> Sim {
    let mut sim = Sim::new(SimConfig { seed: 3, ..SimConfig::default() });
    sim.run("kubectl create deployment web --image=nginx:1.27");
    sim.run("kubectl rollout status deployment/web");
    sim
}

/// Edits `web` in the "browser": each round's text is made from the file the editor shows.
fn live_edit(sim: &mut Sim, edits: &[&dyn Fn(&str) -> String]) -> (String, Vec<String>, i32) {
    let started = sim.start("kubectl edit deploy web", None);
    assert!(started.waiting, "kubectl edit waits for its editor");
    let mut shown = started.output.stdout + &started.output.stderr;
    let mut returned = Vec::new();
    for edit in edits {
        let file = sim.editor().expect("the editor is open");
        assert!(file.name.starts_with("kubectl-edit-") && file.name.ends_with(".yaml"));
        let text = edit(&file.text);
        sim.editor_returned(&text);
        returned.push(text);
        shown.push_str(&sim.take_output());
    }
    let end = sim.foreground_end().expect("the edit ended");
    (shown, returned, end.exit_code)
}

fn replicas(n: i32) -> impl Fn(&str) -> String {
    move |t: &str| t.replace("  replicas: 1\n", &format!("  replicas: {n}\n"))
}

fn replay(rounds: &[String]) -> (Sim, String, i32) {
    let mut sim = sim();
    let text = format!("kubectl edit deploy web <<'END'\n{}END\n", join_rounds(rounds));
    let steps = script::run(&mut sim, &script::parse(&text).unwrap());
    (sim, steps[0].text.clone(), steps[0].output.exit_code)
}

#[test]
fn an_edit_opens_the_object_under_kubectls_header_and_patches_it() {
    let mut live = sim();
    live.start("kubectl edit deploy web", None);
    let file = live.editor().unwrap();
    assert!(file.text.starts_with(
        "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit."
    ));
    assert!(file.text.contains("\n  replicas: 1\n") && !file.text.contains("managedFields"));
    live.interrupt();

    let mut live = sim();
    let (shown, rounds, code) = live_edit(&mut live, &[&replicas(3)]);
    assert_eq!((shown.as_str(), code), ("deployment.apps/web edited\n", 0));
    assert_eq!(live.editor(), None, "the editor closed");
    live.advance(20_000);
    let (mut again, text, replayed_code) = replay(&rounds);
    again.advance(20_000);
    assert_eq!((text, replayed_code), (shown, code));
    let pods = |s: &mut Sim| s.run("kubectl get pods -o wide").stdout;
    assert_eq!(pods(&mut live).matches("Running").count(), 3);
    assert_eq!(pods(&mut live), pods(&mut again));
}

#[test]
fn unchanged_and_empty_files_cancel() {
    let mut live = sim();
    let (shown, rounds, code) = live_edit(&mut live, &[&|t: &str| t.to_string()]);
    assert_eq!((shown.as_str(), code), ("Edit cancelled, no changes made.\n", 0));
    assert_eq!(replay(&rounds).1, shown);
    let mut live = sim();
    let (shown, _, _) = live_edit(&mut live, &[&|_: &str| "# nothing\n\n".to_string()]);
    assert_eq!(shown, "Edit cancelled, saved file was empty.\n");
}

#[test]
fn a_rejected_edit_reopens_with_the_error_and_a_second_save_without_change_gives_up() {
    let mut live = sim();
    let started = live.start("kubectl edit deploy web", None);
    assert!(started.waiting);
    live.editor_returned(&replicas(-1)(&live.editor().unwrap().text));
    assert_eq!(live.take_output(), "error: deployments.apps \"web\" is invalid\n");
    let reopened = live.editor().expect("reopened").text;
    assert!(reopened.contains(
        "#\n# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\napiVersion: apps/v1\n"
    ), "{reopened}");
    live.editor_returned(&reopened);
    let end = live.foreground_end().unwrap();
    let shown = live.take_output();
    assert!(shown.starts_with("A copy of your changes has been stored to \"/tmp/kubectl-edit-"));
    assert!(shown.ends_with(".yaml\"\nerror: Edit cancelled, no valid changes were saved.\n"));
    assert_eq!(end.exit_code, 1);

    // Invalid YAML: nothing printed, the file comes back with the syntax error on top.
    let mut live = sim();
    let (shown, rounds, code) = live_edit(
        &mut live,
        &[&|t: &str| t.replace("  replicas: 1\n", "  replicas: [1\n"), &|t: &str| {
            assert!(t.contains("# The edited file had a syntax error: error converting YAML to JSON: yaml: line"), "{t}");
            t.replace("  replicas: [1\n", "  replicas: 2\n")
        }],
    );
    assert_eq!((shown.as_str(), code), ("deployment.apps/web edited\n", 0));
    let (mut again, text, _) = replay(&rounds);
    assert_eq!(text, shown);
    assert_eq!(again.run("kubectl get deploy web -o jsonpath={.spec.replicas}").stdout, "2");
}

#[test]
fn ctrl_c_cancels_an_edit_and_changes_nothing() {
    let mut live = sim();
    let before = live.run("kubectl get deploy web -o yaml").stdout;
    live.start("kubectl edit deploy web", None);
    assert!(live.interrupt().is_some());
    assert_eq!(live.editor(), None);
    live.editor_returned("apiVersion: apps/v1\n");
    assert_eq!(live.run("kubectl get deploy web -o yaml").stdout, before);
}

#[test]
fn hostile_editor_texts_end_or_reopen_cleanly() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d]\n";
    let huge = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nx: \"{}\"\n",
        "y".repeat(4 << 20)
    );
    let texts = [
        bomb.to_string(),
        huge,
        "[".repeat(100_000),
        "---\n---\n".into(),
        "apiVersion: v1\nkind: List\nitems: []\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: other}\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: two}\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicaz: 2}\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\nkind: Pod\napiVersion: v1\n".into(),
        "\u{0}\u{feff}: \u{202e}\n".into(),
    ];
    for text in texts {
        let mut live = sim();
        let before = live.run("kubectl get deploy web -o yaml").stdout;
        live.start("kubectl edit deploy web", None);
        live.editor_returned(&text);
        // Whatever it said, a second save of the same text ends the edit.
        if live.editor().is_some() {
            let again = live.editor().unwrap().text;
            live.editor_returned(&again);
        }
        assert_eq!(live.editor(), None, "{:.80}", text);
        let end = live.foreground_end().expect("ended");
        let shown = live.take_output();
        assert!(!shown.is_empty() || end.exit_code == 0, "{:.80}", text);
        if end.exit_code != 0 {
            assert_eq!(live.run("kubectl get deploy web -o yaml").stdout, before, "{shown}");
        }
    }
}
