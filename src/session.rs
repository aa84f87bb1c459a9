//! The session script: what a user did, in the format of design §3, so that it can be saved,
//! shared and replayed to the same cluster.
//!
//! Commands are recorded as typed; editor buffers as `cat > NAME <<'KUBEPLAY_EOF'` heredocs (the
//! app writes them into the engine's files, which `kubectl apply -f NAME` reads); time that passed
//! (play, step) as `sleep <ms>ms`, consecutive sleeps merged.
//!
//! A finished `kubectl edit` is its line with a here-document of what the editor returned, round
//! by round (each round starts at kubectl's header line, `kubectl::join_rounds`): the engine's
//! script runner feeds it to the edit as the editor's text. Virtual time stands still while the
//! editor is open, so the edit replays at the instant it was made. An edit ended with Ctrl-C
//! changed nothing and is not recorded.
//!
//! A command that waits (`kubectl get -w`, `rollout status`) and was ended with Ctrl-C after E ms
//! of virtual time is `timeout -s INT <E as seconds> LINE` (Ctrl-C sends SIGINT; the duration is
//! exact to the millisecond). When the editor applied something while it ran, or Ctrl-C came
//! before any time passed, it is `LINE &`, the commands of meanwhile, then `kill -s INT %N` at the
//! moment of Ctrl-C: a timeout could not say whether it ended before or after a command of the
//! same instant. A command that finished by itself is the plain line and a `sleep` for the rest
//! of the time that passed, since replaying the line runs it to the same end.

use kubeplay_engine::{jobs, script};

/// Marker closing a buffer's heredoc.
const FILE_MARKER: &str = "KUBEPLAY_EOF";
/// The most commands a replayed script may hold.
pub const REPLAY_COMMANDS_MAX: usize = 2_000;
/// The largest script replayed (bytes).
pub const REPLAY_BYTES_MAX: usize = 512 * 1024;

/// One recorded step of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A command line as typed.
    Command(String),
    /// An editor buffer was written (name, content).
    File(String, String),
    /// Virtual time advanced by this many ms.
    Sleep(u64),
    /// A command line fed a here-document (the line without its `<<MARKER`, the body).
    Input(String, String),
    /// `kubectl edit` that ended after its editor returned `body` (the rounds, joined).
    Edit {
        /// The line as typed.
        line: String,
        /// What the editor returned, as `kubectl::join_rounds` writes it.
        body: String,
    },
    /// A command that waits, ended with Ctrl-C after this many ms (more than 0) of virtual time.
    Interrupted {
        /// The line as typed.
        line: String,
        /// Virtual time it ran.
        after_ms: u64,
    },
}

/// How the terminal's foreground command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEnd {
    /// By itself (done, failed, or its own timeout).
    Finished,
    /// With Ctrl-C.
    Interrupted,
}

/// What Ctrl-C on a background job (`kill -s INT %N`) looks like in a script.
pub fn interrupt_line(number: u32) -> String {
    format!("kill -s INT %{number}")
}

/// The items once the foreground command recorded at `at` (an `Item::Command`) has ended after
/// `elapsed_ms`, in the forms the module header describes. `number` is the job number a
/// background `LINE &` gets at that point of a replay (`None`: none is free, the limit of
/// background jobs is reached).
pub fn ended_job(
    items: &[Item],
    at: usize,
    elapsed_ms: u64,
    end: JobEnd,
    number: Option<u32>,
) -> Vec<Item> {
    let Some(Item::Command(line)) = items.get(at) else { return items.to_vec() };
    let rest = &items[at + 1..];
    let slept: Option<u64> = rest
        .iter()
        .map(|i| match i {
            Item::Sleep(ms) => Some(*ms),
            _ => None,
        })
        .sum();
    let mut out = items[..at].to_vec();
    let foreground = match (end, slept, number) {
        (JobEnd::Finished, Some(_), _) => Some(Item::Command(line.clone())),
        (JobEnd::Interrupted, Some(_), _) if elapsed_ms > 0 => {
            Some(Item::Interrupted { line: line.clone(), after_ms: elapsed_ms })
        }
        // No job number to kill: the closest a timeout can say.
        (JobEnd::Interrupted, Some(_), None) => {
            Some(Item::Interrupted { line: line.clone(), after_ms: elapsed_ms.max(1) })
        }
        _ => None,
    };
    match (foreground, slept) {
        (Some(item), Some(ms)) => {
            out.push(item);
            out = pushed(&out, Item::Sleep(ms.saturating_sub(elapsed_ms)));
        }
        _ => {
            out.push(Item::Command(format!("{line} &")));
            out.extend(rest.iter().cloned());
            if let (JobEnd::Interrupted, Some(n)) = (end, number) {
                out.push(Item::Command(interrupt_line(n)));
            }
        }
    }
    out
}

impl Item {
    /// What a script command does, as a session item: `cat > NAME <<END` writes a file, another
    /// command with a here-document reads it as standard input, the rest are plain lines.
    pub fn of_command(c: &script::Command) -> Item {
        let line = c.line.trim();
        let Some(body) = c.stdin.clone() else { return Item::Command(line.to_owned()) };
        let head = line.split_once("<<").map_or(line, |(head, _)| head).trim_end();
        if let Some(rest) = head.strip_prefix("cat >") {
            let name = rest.trim();
            if valid_file_name(name) {
                return Item::File(name.to_owned(), body);
            }
        }
        if is_edit(head) {
            return Item::Edit { line: head.to_owned(), body };
        }
        Item::Input(head.to_owned(), body)
    }
}

/// Whether `line` is a `kubectl edit` (whose standard input is what its editor returns).
pub fn is_edit(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next() == Some("kubectl") && words.next() == Some("edit")
}

/// A here-document end marker that no line of `body` equals.
fn marker_for(body: &str) -> String {
    let mut marker = String::from(FILE_MARKER);
    while body.lines().any(|l| l.trim() == marker) {
        marker.push('_');
    }
    marker
}

/// `items` with `item` added (a sleep after a sleep is merged).
pub fn pushed(items: &[Item], item: Item) -> Vec<Item> {
    let mut out = items.to_vec();
    match (out.last_mut(), item) {
        (Some(Item::Sleep(a)), Item::Sleep(b)) => *a = a.saturating_add(b),
        (_, Item::Sleep(0)) => {}
        (_, item) => out.push(item),
    }
    out
}

/// The items as a session script.
pub fn to_script(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        match item {
            Item::Command(line) => {
                out.push_str(line);
                out.push('\n');
            }
            Item::File(name, content) => {
                out.push_str(&format!("cat > {name} <<'{FILE_MARKER}'\n"));
                out.push_str(content);
                if !content.ends_with('\n') && !content.is_empty() {
                    out.push('\n');
                }
                out.push_str(FILE_MARKER);
                out.push('\n');
            }
            Item::Sleep(ms) => out.push_str(&format!("sleep {ms}ms\n")),
            Item::Input(line, body) => {
                out.push_str(&format!("{line} <<'{FILE_MARKER}'\n"));
                out.push_str(body);
                if !body.ends_with('\n') && !body.is_empty() {
                    out.push('\n');
                }
                out.push_str(FILE_MARKER);
                out.push('\n');
            }
            Item::Interrupted { line, after_ms } => {
                out.push_str(&format!("{INTERRUPT_PREFIX}{} {line}\n", jobs::seconds(*after_ms)));
            }
            Item::Edit { line, body } => {
                let marker = marker_for(body);
                out.push_str(&format!("{line} <<'{marker}'\n{body}"));
                if !body.ends_with('\n') && !body.is_empty() {
                    out.push('\n');
                }
                out.push_str(&marker);
                out.push('\n');
            }
        }
    }
    out
}

/// How an interrupted command starts in a script.
const INTERRUPT_PREFIX: &str = "timeout -s INT ";

/// A script read back into items, bounded in size and command count.
pub fn from_script(text: &str) -> Result<Vec<Item>, String> {
    if text.len() > REPLAY_BYTES_MAX {
        return Err(format!("the session is too large (over {} KB)", REPLAY_BYTES_MAX / 1024));
    }
    let commands = script::parse(text).map_err(|e| e.to_string())?;
    if commands.len() > REPLAY_COMMANDS_MAX {
        return Err(format!("the session has too many commands (over {REPLAY_COMMANDS_MAX})"));
    }
    let mut items = Vec::with_capacity(commands.len());
    for c in commands {
        let line = c.line.trim();
        if let (Some(rest), Some(_)) = (line.strip_prefix("cat > "), &c.stdin) {
            let name = rest.split_whitespace().next().unwrap_or_default();
            if !valid_file_name(name) {
                return Err(format!("line {}: bad file name {name:?}", c.line_number));
            }
        }
        match Item::of_command(&c) {
            Item::Command(line) => {
                let interrupted = line.strip_prefix(INTERRUPT_PREFIX).and_then(|rest| {
                    let (duration, line) = rest.split_once(' ')?;
                    let after_ms = jobs::parse_duration_ms(duration).ok().filter(|ms| *ms > 0)?;
                    Some(Item::Interrupted { line: line.trim().to_owned(), after_ms })
                });
                match line.strip_prefix("sleep ").and_then(|d| d.strip_suffix("ms")) {
                    Some(ms) => {
                        let ms =
                            ms.parse().map_err(|_| format!("line {}: bad sleep", c.line_number))?;
                        items.push(Item::Sleep(ms));
                    }
                    None => items.push(interrupted.unwrap_or(Item::Command(line))),
                }
            }
            item => items.push(item),
        }
    }
    Ok(items)
}

/// A buffer name the editor and a script accept: a relative path of `/`-separated parts, each of
/// `[A-Za-z0-9._-]` and not `.`/`..` (lessons write `configmap-files/nginx.conf`), 1..=100 chars.
pub fn valid_file_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_round_trip() {
        let items = vec![
            Item::File("web.yaml".into(), "kind: Pod\nmetadata: {name: x}\n".into()),
            Item::Command("kubectl apply -f web.yaml".into()),
            Item::Sleep(1500),
            Item::Command("kubectl get pods".into()),
            Item::File("configmap-files/nginx.conf".into(), "gzip on;\n".into()),
            Item::Input("kubectl apply -f -".into(), "kind: Pod\n".into()),
            Item::Interrupted { line: "kubectl get pods -w".into(), after_ms: 37_500 },
            Item::Interrupted { line: "kubectl get pods -o wide -w".into(), after_ms: 1 },
            Item::Command("kubectl get deploy -w &".into()),
            Item::Command(interrupt_line(1)),
            Item::Edit {
                line: "kubectl edit deploy web".into(),
                body: kubeplay_engine::kubectl::join_rounds(&[
                    "spec:\n  replicas: [3\n".into(),
                    "# a comment\nKUBEPLAY_EOF\nspec:\n  replicas: 3\n".into(),
                ]),
            },
        ];
        let text = to_script(&items);
        assert!(
            text.contains("\nkubectl edit deploy web <<'KUBEPLAY_EOF_'\n# Please edit"),
            "{text}"
        );
        assert!(text.contains("\ntimeout -s INT 37.5s kubectl get pods -w\n"), "{text}");
        assert!(text.contains("\ntimeout -s INT 0.001s kubectl get pods -o wide -w\n"), "{text}");
        assert_eq!(from_script(&text).unwrap(), items);
        // A timeout the user typed stays a command.
        let typed = from_script("timeout 5s kubectl get pods -w\n").unwrap();
        assert_eq!(typed, vec![Item::Command("timeout 5s kubectl get pods -w".into())]);
    }

    #[test]
    fn an_ended_job_is_recorded_in_the_form_that_replays_it() {
        let watch = Item::Command("kubectl get pods -w".into());
        let apply = Item::Command("kubectl apply -f web.yaml".into());
        let before = vec![Item::Sleep(5), watch.clone()];
        let with = |rest: &[Item]| [before.clone(), rest.to_vec()].concat();
        // Ctrl-C after time ran and nothing else: a timeout, then the rest of the last tick.
        assert_eq!(
            ended_job(&with(&[Item::Sleep(1_000)]), 1, 900, JobEnd::Interrupted, Some(1)),
            vec![
                Item::Sleep(5),
                Item::Interrupted { line: "kubectl get pods -w".into(), after_ms: 900 },
                Item::Sleep(100),
            ]
        );
        // Finished by itself: the plain line replays to the same end.
        assert_eq!(
            ended_job(&with(&[Item::Sleep(1_000)]), 1, 1_000, JobEnd::Finished, Some(1)),
            vec![Item::Sleep(5), watch.clone()]
        );
        // With an Apply meanwhile: in the background, killed where Ctrl-C came.
        let rest = [Item::Sleep(300), apply.clone(), Item::Sleep(200)];
        assert_eq!(
            ended_job(&with(&rest), 1, 500, JobEnd::Interrupted, Some(2)),
            vec![
                Item::Sleep(5),
                Item::Command("kubectl get pods -w &".into()),
                Item::Sleep(300),
                apply.clone(),
                Item::Sleep(200),
                Item::Command("kill -s INT %2".into()),
            ]
        );
        assert_eq!(
            ended_job(&with(&rest), 1, 400, JobEnd::Finished, Some(1)),
            [vec![Item::Sleep(5), Item::Command("kubectl get pods -w &".into())], rest.to_vec()]
                .concat()
        );
        // Ctrl-C before any time passed: no timeout can say 0 (it would mean none).
        assert_eq!(
            ended_job(&before, 1, 0, JobEnd::Interrupted, Some(1)),
            vec![
                Item::Sleep(5),
                Item::Command("kubectl get pods -w &".into()),
                Item::Command("kill -s INT %1".into()),
            ]
        );
        assert_eq!(ended_job(&before, 0, 0, JobEnd::Finished, Some(1)), before);
    }

    #[test]
    fn script_commands_become_items() {
        let commands = script::parse(
            "kubectl get pods\ncat > dir/a.conf <<'END'\nx\nEND\nkubectl apply -f - <<EOF\nkind: Pod\nEOF\nkubectl edit cm x <<EOF\ndata: {}\nEOF\n",
        )
        .unwrap();
        let items: Vec<Item> = commands.iter().map(Item::of_command).collect();
        assert_eq!(
            items,
            vec![
                Item::Command("kubectl get pods".into()),
                Item::File("dir/a.conf".into(), "x\n".into()),
                Item::Input("kubectl apply -f -".into(), "kind: Pod\n".into()),
                Item::Edit { line: "kubectl edit cm x".into(), body: "data: {}\n".into() },
            ]
        );
        for bad in ["", "/abs", "a//b", "../x", "a/../b", "a b", "x/"] {
            assert!(!valid_file_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn sleeps_merge_and_bad_input_is_refused() {
        let items = pushed(&pushed(&[], Item::Sleep(100)), Item::Sleep(200));
        assert_eq!(items, vec![Item::Sleep(300)]);
        assert!(from_script("cat > ../x <<'KUBEPLAY_EOF'\nx\nKUBEPLAY_EOF\n").is_err());
        assert!(from_script("cat > /etc/x <<'KUBEPLAY_EOF'\nx\nKUBEPLAY_EOF\n").is_err());
        assert!(from_script("cat > x <<'KUBEPLAY_EOF'\nnever closed\n").is_err());
        assert!(from_script(&"kubectl get pods\n".repeat(REPLAY_COMMANDS_MAX + 1)).is_err());
    }
}
