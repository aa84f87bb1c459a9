//! The session script: what a user did, in the format of design §3, so that it can be saved,
//! shared and replayed to the same cluster.
//!
//! Commands are recorded as typed; editor buffers as `cat > NAME <<'KUBEPLAY_EOF'` heredocs (the
//! app writes them into the engine's files, which `kubectl apply -f NAME` reads); time that passed
//! (play, step) as `sleep <ms>ms`, consecutive sleeps merged.

use kubeplay_engine::script;

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
        Item::Input(head.to_owned(), body)
    }
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
        }
    }
    out
}

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
                match line.strip_prefix("sleep ").and_then(|d| d.strip_suffix("ms")) {
                    Some(ms) => {
                        let ms =
                            ms.parse().map_err(|_| format!("line {}: bad sleep", c.line_number))?;
                        items.push(Item::Sleep(ms));
                    }
                    None => items.push(Item::Command(line)),
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
        ];
        let text = to_script(&items);
        assert_eq!(from_script(&text).unwrap(), items);
    }

    #[test]
    fn script_commands_become_items() {
        let commands = script::parse(
            "kubectl get pods\ncat > dir/a.conf <<'END'\nx\nEND\nkubectl apply -f - <<EOF\nkind: Pod\nEOF\n",
        )
        .unwrap();
        let items: Vec<Item> = commands.iter().map(Item::of_command).collect();
        assert_eq!(
            items,
            vec![
                Item::Command("kubectl get pods".into()),
                Item::File("dir/a.conf".into(), "x\n".into()),
                Item::Input("kubectl apply -f -".into(), "kind: Pod\n".into()),
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
