//! The bash a learner types around kubectl: `cmd1; cmd2` lists, and loops such as the book's
//! `while true; do curl http://...; done` or `for i in $(seq 1 10); do ...; done`. A loop is a
//! job: [`crate::Sim`] runs its commands one after another as virtual time goes on, so it prints
//! while the cluster changes, in the foreground or with `&`, until it ends or Ctrl-C.

use std::collections::VecDeque;

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::jobs::bash_error;
use crate::kubectl::{Job, Output, Poll};

/// The most commands one loop runs.
pub const MAX_LOOP_COMMANDS: usize = 10_000;
/// The most virtual time one loop runs.
pub const MAX_LOOP_MS: Millis = 24 * 60 * 60 * 1000;
/// Virtual time each command of a loop takes (a request's round trip, kubectl's start), so that
/// `while true; do curl ...; done` prints a line every so often instead of all at one instant.
pub const COMMAND_MS: Millis = 50;
/// The most numbers `seq` or a `{1..N}` range writes.
pub const MAX_SEQUENCE: usize = 10_000;

/// `for NAME in WORDS; do BODY; done` or `while true; do BODY; done`, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopSpec {
    /// The loop variable (empty for `while`).
    pub name: String,
    /// The list as typed after `in`, before substitution and expansion; `None`: endless.
    pub words: Option<String>,
    /// The commands of the body, in order.
    pub body: Vec<String>,
    /// What the loop's output is piped into (`done | grep v2`), if anything.
    pub filters: Option<String>,
    /// The commands after it on the line (`done; echo $?`), if any.
    pub rest: Option<String>,
}

/// bash's answer to a word that cannot stand where it is.
pub fn syntax_error(token: &str) -> Output {
    bash_error(&format!("bash: syntax error near unexpected token `{token}'\n"), 2)
}

/// Splits `line` at the `;` a shell sees: outside quotes and `$(...)`. `None` when a `;` leaves
/// an empty command (`;;`, a leading `;`), which bash rejects.
pub fn split_list(line: &str) -> Result<Vec<String>, Output> {
    let mut parts = vec![String::new()];
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut escaped = false;
    for c in line.chars() {
        let top_level = quote.is_none() && depth == 0 && !escaped;
        match (quote, c) {
            _ if escaped => escaped = false,
            (None | Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if top_level && c == ';' {
            if parts.last().is_some_and(|p| p.trim().is_empty()) {
                return Err(syntax_error(";"));
            }
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    let mut parts: Vec<String> = parts.into_iter().map(|p| p.trim().to_string()).collect();
    if parts.last().is_some_and(String::is_empty) && parts.len() > 1 {
        parts.pop();
    }
    Ok(parts)
}

/// Whether `line` starts a compound command this terminal reads (`for`), or one it cannot run.
pub fn keyword(line: &str) -> Option<&str> {
    let first = line.split_whitespace().next()?;
    matches!(first, "for" | "while" | "until" | "if" | "do" | "done" | "then" | "fi")
        .then_some(first)
}

/// Reads a loop line: `for NAME in WORDS; do CMD; ...; done` or `while true; do ...; done`
/// (`while :`, `until false`), the conditions that need no command.
pub fn parse_loop(line: &str) -> Result<LoopSpec, Output> {
    let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let parts = split_list(rest)?;
    let Some((header, commands)) = parts.split_first() else {
        return Err(syntax_error("newline"));
    };
    if keyword != "for" {
        let endless = match keyword {
            "while" => matches!(header.as_str(), "true" | ":"),
            _ => header == "false",
        };
        if !endless {
            return Err(Output {
                stderr: format!(
                    "kubeplay: this shell's {keyword} loops run only `{keyword} {}`; for a count, use for i in $(seq 1 20); do ...; done\n",
                    if keyword == "while" { "true" } else { "false" }
                ),
                exit_code: 2,
                ..Default::default()
            });
        }
        let LoopBody { body, filters, rest } = parse_body(commands)?;
        return Ok(LoopSpec { name: String::new(), words: None, body, filters, rest });
    }
    let (name, words) = match header.split_once(char::is_whitespace) {
        Some((name, after)) => match after.trim_start().strip_prefix("in") {
            Some(list) if list.is_empty() || list.starts_with(char::is_whitespace) => {
                (name, list.trim())
            }
            _ => return Err(syntax_error(after.split_whitespace().next().unwrap_or("newline"))),
        },
        None => (header.as_str(), ""),
    };
    let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(Output {
            stderr: format!("bash: `{name}': not a valid identifier\n"),
            exit_code: 1,
            ..Default::default()
        });
    }
    let LoopBody { body, filters, rest } = parse_body(commands)?;
    Ok(LoopSpec { name: name.to_string(), words: Some(words.to_string()), body, filters, rest })
}

/// `do CMD; ...; done [| FILTERS]`, split at its `;`.
fn parse_body(commands: &[String]) -> Result<LoopBody, Output> {
    let Some(end) = commands.iter().position(|c| keyword(c) == Some("done")) else {
        return Err(unexpected_end());
    };
    let (middle, last) = (&commands[..end], &commands[end]);
    let filters = match last["done".len()..].trim_start() {
        "" => None,
        after if after.starts_with('|') => Some(after[1..].trim().to_string()),
        after => return Err(syntax_error(after.split_whitespace().next().unwrap_or(after))),
    };
    let rest = commands.get(end + 1..).filter(|r| !r.is_empty()).map(|r| r.join("; "));
    let mut body = Vec::new();
    for (i, command) in middle.iter().enumerate() {
        let command = if i == 0 {
            match command.strip_prefix("do") {
                // `do ;`: the list after `do` may not be empty.
                Some("") => return Err(syntax_error(";")),
                Some(c) if c.starts_with(char::is_whitespace) => c.trim(),
                _ => return Err(syntax_error(command.split_whitespace().next().unwrap_or(";"))),
            }
        } else {
            command.as_str()
        };
        match keyword(command) {
            Some("for" | "while" | "until") => {
                return Err(Output::fail("kubeplay: a loop inside a loop is not run here"));
            }
            Some(other) => return Err(syntax_error(other)),
            None => {}
        }
        if !command.is_empty() {
            body.push(command.to_string());
        }
    }
    if body.is_empty() {
        return Err(syntax_error("done"));
    }
    Ok(LoopBody { body, filters, rest })
}

/// What `parse_body` read.
struct LoopBody {
    body: Vec<String>,
    filters: Option<String>,
    rest: Option<String>,
}

/// A loop as it runs: which command comes next, the command that waits now (`sleep`, a watch),
/// and its bounds.
pub struct LoopJob {
    name: String,
    /// The words still to take, `None` for an endless loop.
    values: Option<VecDeque<String>>,
    value: String,
    body: Vec<String>,
    position: usize,
    /// The command of the loop that waits, if one does.
    pub child: Option<Box<dyn Job>>,
    /// When the next command may start.
    pub next_at_ms: Millis,
    /// Whether one of its commands runs right now (it then takes no other turn).
    pub running: bool,
    /// The status of the command that ran last: the loop's status at its end.
    pub status: i32,
    started_ms: Millis,
    commands_run: usize,
}

impl LoopJob {
    /// A loop starting at `now_ms` over `values` (`None`: endless).
    pub fn new(spec: LoopSpec, values: Option<Vec<String>>, now_ms: Millis) -> LoopJob {
        LoopJob {
            name: spec.name,
            values: values.map(VecDeque::from),
            value: String::new(),
            body: spec.body,
            position: 0,
            child: None,
            next_at_ms: now_ms,
            running: false,
            status: 0,
            started_ms: now_ms,
            commands_run: 0,
        }
    }

    /// When it wants its next turn; `None` while one of its commands runs.
    pub fn wake_ms(&self) -> Option<Millis> {
        if self.running {
            return None;
        }
        Some(self.child.as_ref().map_or(self.next_at_ms, |c| c.deadline_ms()))
    }

    /// The next command line, `$NAME` replaced; `Ok(None)` at the end of the list, `Err` with
    /// the limit that stops it.
    pub fn next_command(&mut self, now_ms: Millis) -> Result<Option<String>, String> {
        if self.position == 0 {
            match self.values.as_mut().map(VecDeque::pop_front) {
                Some(None) => return Ok(None),
                Some(Some(value)) => self.value = value,
                None => {}
            }
        }
        if self.commands_run >= MAX_LOOP_COMMANDS {
            return Err(format!("{MAX_LOOP_COMMANDS} commands"));
        }
        if now_ms.saturating_sub(self.started_ms) >= MAX_LOOP_MS {
            return Err("24h of virtual time".into());
        }
        let command = self.body.get(self.position).cloned().unwrap_or_default();
        self.position = (self.position + 1) % self.body.len().max(1);
        self.commands_run += 1;
        Ok(Some(if self.name.is_empty() {
            command
        } else {
            expand_variable(&command, &self.name, &self.value)
        }))
    }
}

impl Job for LoopJob {
    // The simulation drives a loop through `as_loop`; polled as a plain job it only waits.
    fn poll(&mut self, _cluster: &Cluster) -> Poll {
        Poll::Waiting(Output::default())
    }

    fn deadline_ms(&self) -> Millis {
        Millis::MAX
    }

    fn as_loop(&mut self) -> Option<&mut LoopJob> {
        Some(self)
    }
}

/// An interactive shell would wait at its `>` prompt for the rest of the command.
fn unexpected_end() -> Output {
    bash_error("bash: syntax error: unexpected end of file\n", 2)
}

/// `$NAME` and `${NAME}` replaced by `value`, except inside single quotes.
pub fn expand_variable(command: &str, name: &str, value: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut in_single = false;
    let mut rest = command;
    while let Some(c) = rest.chars().next() {
        if c == '\'' {
            in_single = !in_single;
        } else if c == '$' && !in_single {
            let after = &rest[1..];
            let braced = format!("{{{name}}}");
            if after.starts_with(&braced) {
                out.push_str(value);
                rest = &after[braced.len()..];
                continue;
            }
            if let Some(tail) = after.strip_prefix(name)
                && !tail.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            {
                out.push_str(value);
                rest = tail;
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Brace ranges in a word list: `{1..5}` and `{a,b}` become their words, as bash expands them.
pub fn expand_braces(word: &str) -> Vec<String> {
    let range = word.strip_prefix('{').and_then(|w| w.strip_suffix('}'));
    if let Some((from, to)) = range.and_then(|r| r.split_once(".."))
        && let (Ok(from), Ok(to)) = (from.parse::<i64>(), to.parse::<i64>())
    {
        let step = if from <= to { 1 } else { -1 };
        return std::iter::successors(Some(from), |n| (*n != to).then_some(n + step))
            .take(MAX_SEQUENCE)
            .map(|n| n.to_string())
            .collect();
    }
    if let Some(list) = range.filter(|r| r.contains(',')) {
        return list.split(',').map(str::to_string).collect();
    }
    vec![word.to_string()]
}

/// `seq LAST`, `seq FIRST LAST`, `seq FIRST INCREMENT LAST` (integers), as coreutils prints them.
pub fn seq(args: &[String]) -> Output {
    let numbers: Result<Vec<i64>, &String> =
        args.iter().map(|a| a.parse::<i64>().map_err(|_| a)).collect();
    let (first, step, last) = match numbers.as_deref() {
        Ok([last]) => (1, 1, *last),
        Ok([first, last]) => (*first, 1, *last),
        Ok([first, step, last]) if *step != 0 => (*first, *step, *last),
        Ok([_, _, _]) => return Output::fail("seq: invalid Zero increment value: '0'"),
        Ok([]) => {
            return Output::fail("seq: missing operand\nTry 'seq --help' for more information.");
        }
        Ok(_) => {
            return Output::fail(format!(
                "seq: extra operand '{}'\nTry 'seq --help' for more information.",
                args.get(3).map_or("", String::as_str)
            ));
        }
        Err(bad) => {
            return Output::fail(format!(
                "seq: invalid floating point argument: '{bad}'\nTry 'seq --help' for more information."
            ));
        }
    };
    let in_range = |n: i64| if step > 0 { n <= last } else { n >= last };
    let text: String = std::iter::successors(Some(first), |n| n.checked_add(step))
        .take_while(|n| in_range(*n))
        .take(MAX_SEQUENCE)
        .map(|n| format!("{n}\n"))
        .collect();
    Output::ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_for_loop_reads_its_name_list_and_body() {
        let parsed = parse_loop("for i in 1 2 3; do curl http://x; sleep 1; done").unwrap();
        assert_eq!(parsed.name, "i");
        assert_eq!(parsed.words.as_deref(), Some("1 2 3"));
        assert_eq!(parsed.body, ["curl http://x", "sleep 1"]);
        assert_eq!(parsed.filters, None);
        let piped = parse_loop("for i in 1 2; do echo $i; done | grep 2 | wc -l").unwrap();
        assert_eq!(piped.filters.as_deref(), Some("grep 2 | wc -l"));
        let listed = parse_loop("for i in 1; do echo $i; done; echo $?; echo end").unwrap();
        assert_eq!(listed.rest.as_deref(), Some("echo $?; echo end"));
        let quoted = parse_loop("for p in $(kubectl get pods -o name); do kubectl delete $p; done");
        assert_eq!(quoted.unwrap().words.as_deref(), Some("$(kubectl get pods -o name)"));
        let endless = parse_loop("while true; do curl http://x; done").unwrap();
        assert_eq!((endless.words, endless.body), (None, vec!["curl http://x".to_string()]));
        assert!(parse_loop("until false; do echo; done").is_ok());
        assert_eq!(parse_loop("while kubectl get pods; do echo; done").unwrap_err().exit_code, 2);
    }

    #[test]
    fn broken_loops_get_bashs_errors() {
        let stderr = |rest: &str| parse_loop(&format!("for {rest}")).unwrap_err().stderr;
        assert_eq!(stderr("i in 1 2; do echo $i"), "bash: syntax error: unexpected end of file\n");
        assert_eq!(
            stderr("i in 1 2; echo $i; done"),
            "bash: syntax error near unexpected token `echo'\n"
        );
        assert_eq!(stderr("i in 1; do ; done"), "bash: syntax error near unexpected token `;'\n");
        assert_eq!(stderr("1x in 1; do echo; done"), "bash: `1x': not a valid identifier\n");
        assert_eq!(
            stderr("i in 1; do if true; done"),
            "bash: syntax error near unexpected token `if'\n"
        );
    }

    #[test]
    fn lists_split_outside_quotes_and_substitutions() {
        assert_eq!(
            split_list("echo a; echo 'b;c'; echo $(x; y)").unwrap(),
            ["echo a", "echo 'b;c'", "echo $(x; y)"]
        );
        assert_eq!(split_list("echo a;").unwrap(), ["echo a"]);
        assert!(split_list("; echo a").is_err());
    }

    #[test]
    fn variables_expand_outside_single_quotes() {
        assert_eq!(expand_variable("echo $i ${i} '$i' $ii", "i", "7"), "echo 7 7 '$i' $ii");
    }

    #[test]
    fn sequences_count_as_seq_and_braces_do() {
        assert_eq!(seq(&["3".into()]).stdout, "1\n2\n3\n");
        assert_eq!(seq(&["5".into(), "-2".into(), "1".into()]).stdout, "5\n3\n1\n");
        assert_eq!(seq(&["x".into()]).exit_code, 1);
        assert_eq!(expand_braces("{1..3}"), ["1", "2", "3"]);
        assert_eq!(expand_braces("{3..1}"), ["3", "2", "1"]);
        assert_eq!(expand_braces("{a,b}"), ["a", "b"]);
        assert_eq!(seq(&["1000000".into()]).stdout.lines().count(), MAX_SEQUENCE);
    }
}
