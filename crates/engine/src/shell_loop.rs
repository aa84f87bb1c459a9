//! The bash a learner types around kubectl: `cmd1; cmd2` lists and
//! `for i in $(seq 1 10); do curl http://...; done` loops (read here, run by [`crate::Sim`]).

use crate::kubectl::Output;

/// The most times one loop runs its body.
pub const MAX_LOOP_COMMANDS: usize = 1_000;
/// The most numbers `seq` or a `{1..N}` range writes.
pub const MAX_SEQUENCE: usize = 10_000;

/// `for NAME in WORDS; do BODY; done`, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForLoop {
    pub name: String,
    /// The list as typed after `in`, before substitution and expansion.
    pub words: String,
    /// The commands of the body, in order.
    pub body: Vec<String>,
    /// What the loop's output is piped into (`done | grep v2`), if anything.
    pub filters: Option<String>,
}

fn syntax_error(token: &str) -> Output {
    Output {
        stderr: format!("bash: syntax error near unexpected token `{token}'\n"),
        exit_code: 2,
        ..Default::default()
    }
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

/// Reads `for NAME in WORDS; do CMD; ...; done` (the text after `for`).
pub fn parse_for(rest: &str) -> Result<ForLoop, Output> {
    let parts = split_list(rest)?;
    let Some((header, commands)) = parts.split_first() else {
        return Err(syntax_error("newline"));
    };
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
    let Some((last, middle)) = commands.split_last() else {
        return Err(unexpected_end());
    };
    let filters = match last.strip_prefix("done") {
        Some("") => None,
        Some(after) if after.trim_start().starts_with('|') => {
            Some(after.trim_start()[1..].trim().to_string())
        }
        _ => return Err(unexpected_end()),
    };
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
        if !command.is_empty() {
            body.push(command.to_string());
        }
    }
    if body.is_empty() {
        return Err(syntax_error("done"));
    }
    Ok(ForLoop { name: name.to_string(), words: words.to_string(), body, filters })
}

/// An interactive shell would wait at its `>` prompt for the rest of the command.
fn unexpected_end() -> Output {
    Output {
        stderr: "bash: syntax error: unexpected end of file\n".into(),
        exit_code: 2,
        ..Default::default()
    }
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
        let parsed = parse_for("i in 1 2 3; do curl http://x; sleep 1; done").unwrap();
        assert_eq!(parsed.name, "i");
        assert_eq!(parsed.words, "1 2 3");
        assert_eq!(parsed.body, ["curl http://x", "sleep 1"]);
        assert_eq!(parsed.filters, None);
        let piped = parse_for("i in 1 2; do echo $i; done | grep 2 | wc -l").unwrap();
        assert_eq!(piped.filters.as_deref(), Some("grep 2 | wc -l"));
        let quoted = parse_for("p in $(kubectl get pods -o name); do kubectl delete $p; done");
        assert_eq!(quoted.unwrap().words, "$(kubectl get pods -o name)");
    }

    #[test]
    fn broken_loops_get_bashs_errors() {
        let stderr = |rest: &str| parse_for(rest).unwrap_err().stderr;
        assert_eq!(stderr("i in 1 2; do echo $i"), "bash: syntax error: unexpected end of file\n");
        assert_eq!(
            stderr("i in 1 2; echo $i; done"),
            "bash: syntax error near unexpected token `echo'\n"
        );
        assert_eq!(stderr("i in 1; do ; done"), "bash: syntax error near unexpected token `;'\n");
        assert_eq!(stderr("1x in 1; do echo; done"), "bash: `1x': not a valid identifier\n");
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
