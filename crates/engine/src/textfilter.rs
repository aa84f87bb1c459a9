//! The text filters a learner pipes kubectl into (`kubectl describe pod web | grep -A 10 Events`):
//! head, tail, grep, wc, sort, and the print programs of awk (`awk 'NR>1 {print $1}'`), with the
//! GNU options people type. A pipeline's status is its last command's, as in bash without
//! `pipefail`.

use crate::kubectl::Output;
use crate::kubelet::shell::split_words;

/// Runs `command` on `input`'s standard output. `Err` ends the pipeline (a command that does not
/// exist, bad usage) with what the terminal shows instead.
pub fn pipe_filter(command: &str, input: Output) -> Result<Output, Output> {
    let words = split_words(command);
    let args = words.get(1..).unwrap_or_default();
    let lines: Vec<&str> = input.stdout.lines().collect();
    let stdout = match words.first().map(String::as_str) {
        Some("head") => join(lines.iter().take(line_count(args, 10).1)),
        Some("tail") => match line_count(args, 10) {
            // `tail -n +2`: from the second line on (the table without its header).
            (true, from) => join(lines.iter().skip(from.saturating_sub(1))),
            (false, n) => join(lines.iter().skip(lines.len().saturating_sub(n))),
        },
        Some("wc") => wc(args, &input.stdout),
        Some("sort") => {
            let mut sorted = lines.clone();
            crate::sorting::sort(&mut sorted);
            if args.iter().any(|a| a == "-r") {
                sorted.reverse();
            }
            join(sorted.iter())
        }
        Some("grep") => return grep(args, &lines, input.stderr),
        Some("awk") => return awk(args, &lines, input.stderr),
        Some(other) => {
            return Err(Output {
                stderr: format!("bash: {other}: command not found\n"),
                exit_code: 127,
                ..Default::default()
            });
        }
        None => return Err(Output::fail("bash: syntax error near unexpected token `|'")),
    };
    Ok(Output { stdout, stderr: input.stderr, ..Default::default() })
}

fn join<'a>(lines: impl Iterator<Item = &'a &'a str>) -> String {
    lines.map(|l| format!("{l}\n")).collect()
}

/// `-n 5`, `-n5`, `-5` or `-n +2` (then the flag is true: count from the start).
fn line_count(args: &[String], default: usize) -> (bool, usize) {
    let value = args
        .iter()
        .position(|a| a == "-n")
        .and_then(|i| args.get(i + 1).map(String::as_str))
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("-n")).filter(|v| !v.is_empty()))
        .or_else(|| args.iter().find_map(|a| a.strip_prefix('-')));
    match value {
        Some(v) => match v.strip_prefix('+') {
            Some(from) => (true, from.parse().unwrap_or(1)),
            None => (false, v.parse().unwrap_or(default)),
        },
        None => (false, default),
    }
}

/// `wc -l` prints the line count alone; plain `wc` lines, words and bytes in GNU's columns for
/// standard input.
fn wc(args: &[String], text: &str) -> String {
    let lines = text.matches('\n').count();
    let words = text.split_whitespace().count();
    let bytes = text.len();
    let wanted: Vec<usize> = [("-l", lines), ("-w", words), ("-c", bytes)]
        .iter()
        .filter(|(flag, _)| args.iter().any(|a| a == flag))
        .map(|(_, n)| *n)
        .collect();
    match wanted.as_slice() {
        [one] => format!("{one}\n"),
        [] => format!("{lines:>7} {words:>7} {bytes:>7}\n"),
        many => many.iter().map(|n| format!("{n:>7}")).collect::<Vec<_>>().join(" ") + "\n",
    }
}

const GREP_TRY_HELP: &str =
    "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n";

/// What `grep` was asked for.
#[derive(Default)]
struct GrepOptions {
    patterns: Vec<String>,
    extended: bool,
    fixed: bool,
    ignore_case: bool,
    invert: bool,
    count: bool,
    line_numbers: bool,
    only_matching: bool,
    quiet: bool,
    word: bool,
    whole_line: bool,
    before: usize,
    after: usize,
    /// Any of `-A`, `-B`, `-C`, `-NUM`, even 0: groups are then separated by `--`.
    context: bool,
    /// `-m NUM`: stop after NUM selected lines.
    max_count: Option<usize>,
}

fn grep_usage(message: String) -> Output {
    Output { stderr: format!("{message}{GREP_TRY_HELP}"), exit_code: 2, ..Default::default() }
}

fn context_value(value: &str) -> Result<usize, Output> {
    value.parse().map_err(|_| Output {
        stderr: format!("grep: {value}: invalid context length argument\n"),
        exit_code: 2,
        ..Default::default()
    })
}

/// Reads grep's options as GNU getopt does: flags bundle (`-vi`), `-A 3`, `-A3` and `-3` give
/// context, `-e` adds a pattern, and the first other word is the pattern.
fn grep_options(args: &[String]) -> Result<(GrepOptions, Vec<String>), Output> {
    let mut opts = GrepOptions::default();
    let mut operands = Vec::new();
    let mut words = args.iter();
    let mut options_done = false;
    while let Some(word) = words.next() {
        if options_done || word == "-" || !word.starts_with('-') {
            operands.push(word.clone());
            continue;
        }
        if word == "--" {
            options_done = true;
            continue;
        }
        if let Some(long) = word.strip_prefix("--") {
            match long.split_once('=').map_or(long, |(name, _)| name) {
                "color" | "colour" => {}
                "invert-match" => opts.invert = true,
                "ignore-case" => opts.ignore_case = true,
                "count" => opts.count = true,
                "extended-regexp" => opts.extended = true,
                "fixed-strings" => opts.fixed = true,
                "line-number" => opts.line_numbers = true,
                "word-regexp" => opts.word = true,
                _ => {
                    return Err(grep_usage(format!("grep: unrecognized option '{word}'\n")));
                }
            }
            continue;
        }
        let mut flags = word[1..].char_indices();
        while let Some((i, flag)) = flags.next() {
            let rest = &word[1 + i + flag.len_utf8()..];
            match flag {
                'v' => opts.invert = true,
                'i' | 'y' => opts.ignore_case = true,
                'c' => opts.count = true,
                'n' => opts.line_numbers = true,
                'o' => opts.only_matching = true,
                'q' => opts.quiet = true,
                'w' => opts.word = true,
                'x' => opts.whole_line = true,
                'E' => opts.extended = true,
                'F' => opts.fixed = true,
                'G' => opts.extended = false,
                // No messages about files, file names: there is only standard input.
                's' | 'h' | 'H' => {}
                'A' | 'B' | 'C' | 'e' | 'm' => {
                    let value = if rest.is_empty() {
                        words.next().cloned().ok_or_else(|| {
                            grep_usage(format!("grep: option requires an argument -- '{flag}'\n"))
                        })?
                    } else {
                        rest.to_string()
                    };
                    opts.context |= matches!(flag, 'A' | 'B' | 'C');
                    match flag {
                        'm' => {
                            let max = value.parse().map_err(|_| Output {
                                stderr: "grep: invalid max count\n".into(),
                                exit_code: 2,
                                ..Default::default()
                            })?;
                            opts.max_count = Some(max);
                        }
                        'A' => opts.after = context_value(&value)?,
                        'B' => opts.before = context_value(&value)?,
                        'C' => {
                            (opts.before, opts.after) =
                                (context_value(&value)?, context_value(&value)?)
                        }
                        _ => opts.patterns.push(value),
                    }
                    break;
                }
                digit if digit.is_ascii_digit() => {
                    let digits: String =
                        word[1 + i..].chars().take_while(char::is_ascii_digit).collect();
                    let n = context_value(&digits)?;
                    (opts.before, opts.after, opts.context) = (n, n, true);
                    let skip = digits.chars().count() - 1;
                    for _ in 0..skip {
                        flags.next();
                    }
                }
                other => {
                    return Err(grep_usage(format!("grep: invalid option -- '{other}'\n")));
                }
            }
        }
    }
    if opts.patterns.is_empty() {
        if operands.is_empty() {
            return Err(grep_usage(String::new()));
        }
        opts.patterns.push(operands.remove(0));
    }
    Ok((opts, operands))
}

/// A basic regular expression (grep's default) in the extended syntax the regex engine reads:
/// `\|`, `\(`, `\)`, `\{`, `\}`, `\+` and `\?` are the operators, the bare characters literal.
fn basic_to_extended(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(op @ ('|' | '(' | ')' | '{' | '}' | '+' | '?')) => out.push(op),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push_str("\\\\"),
            },
            '|' | '(' | ')' | '{' | '}' | '+' | '?' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn grep_regex(opts: &GrepOptions) -> Result<regex_lite::Regex, Output> {
    let alternatives: Vec<String> = opts
        .patterns
        .iter()
        // A pattern holding newlines is one pattern per line, as grep reads it.
        .flat_map(|p| p.split('\n'))
        .map(|p| match (opts.fixed, opts.extended) {
            (true, _) => regex_lite::escape(p),
            (false, true) => p.to_string(),
            (false, false) => basic_to_extended(p),
        })
        .map(|p| match (opts.whole_line, opts.word) {
            (true, _) => format!("^(?:{p})$"),
            (false, true) => format!(r"\b(?:{p})\b"),
            (false, false) => format!("(?:{p})"),
        })
        .collect();
    regex_lite::RegexBuilder::new(&alternatives.join("|"))
        .case_insensitive(opts.ignore_case)
        .size_limit(1 << 20)
        .build()
        .map_err(|_| Output {
            stderr: "grep: Invalid regular expression\n".into(),
            exit_code: 2,
            ..Default::default()
        })
}

fn grep(args: &[String], lines: &[&str], stderr: String) -> Result<Output, Output> {
    let with_stderr = |mut out: Output| {
        out.stderr.insert_str(0, &stderr);
        out
    };
    let (opts, files) = grep_options(args).map_err(with_stderr)?;
    // Only standard input exists here: the terminal has no files to search.
    if let Some(file) = files.first() {
        return Err(with_stderr(Output {
            stderr: format!("grep: {file}: No such file or directory\n"),
            exit_code: 2,
            ..Default::default()
        }));
    }
    let regex = grep_regex(&opts).map_err(with_stderr)?;
    let mut selected: Vec<bool> = lines.iter().map(|l| regex.is_match(l) != opts.invert).collect();
    if let Some(max) = opts.max_count {
        // Reading stops at the NUM-th selected line; what follows is at most its context.
        selected.iter_mut().filter(|s| **s).skip(max).for_each(|s| *s = false);
    }
    let hits = selected.iter().filter(|s| **s).count();
    let exit_code = if hits > 0 { 0 } else { 1 };
    let stdout = if opts.quiet {
        String::new()
    } else if opts.count {
        format!("{hits}\n")
    } else if opts.only_matching {
        grep_only_matching(&opts, &regex, lines, &selected)
    } else {
        grep_with_context(&opts, lines, &selected)
    };
    Ok(Output { stdout, stderr, exit_code, ..Default::default() })
}

/// `-o`: each match on its own line (nothing for `-v`, whose lines hold no match).
fn grep_only_matching(
    opts: &GrepOptions,
    regex: &regex_lite::Regex,
    lines: &[&str],
    selected: &[bool],
) -> String {
    let mut out = String::new();
    if opts.invert {
        return out;
    }
    for (i, line) in lines.iter().enumerate().filter(|(i, _)| selected[*i]) {
        for m in regex.find_iter(line).filter(|m| !m.as_str().is_empty()) {
            if opts.line_numbers {
                out.push_str(&format!("{}:", i + 1));
            }
            out.push_str(m.as_str());
            out.push('\n');
        }
    }
    out
}

/// Selected lines with `-B`/`-A` lines around them, `--` between groups that do not touch, and
/// `-n`'s `12:` on a selected line, `12-` on a context line.
fn grep_with_context(opts: &GrepOptions, lines: &[&str], selected: &[bool]) -> String {
    let mut shown = vec![false; lines.len()];
    for (i, _) in selected.iter().enumerate().filter(|(_, s)| **s) {
        let from = i.saturating_sub(opts.before);
        let to = i.saturating_add(opts.after).min(lines.len().saturating_sub(1));
        shown[from..=to].iter_mut().for_each(|s| *s = true);
    }
    let mut out = String::new();
    let mut last_shown: Option<usize> = None;
    for (i, line) in lines.iter().enumerate().filter(|(i, _)| shown[*i]) {
        if opts.context && last_shown.is_some_and(|last| last + 1 < i) {
            out.push_str("--\n");
        }
        if opts.line_numbers {
            out.push_str(&format!("{}{}", i + 1, if selected[i] { ':' } else { '-' }));
        }
        out.push_str(line);
        out.push('\n');
        last_shown = Some(i);
    }
    out
}

const AWK_SUBSET: &str = "kubeplay: this awk runs print programs such as 'NR>1 {print $1, $NF}' (an NR test or /regex/, then print of $N, $NF, NR, NF or \"text\")\n";

/// What an awk program's pattern tests.
enum AwkPattern {
    All,
    LineNumber(String, usize),
    Regex(regex_lite::Regex, bool),
}

/// One item of a print: a field, `NR`, `NF` or a string.
enum AwkItem {
    Field(usize),
    LastField(usize),
    LineNumber,
    FieldCount,
    Text(String),
}

/// Reads `PATTERN {print ITEMS}`; `None` for anything else awk has.
fn awk_program(program: &str) -> Option<(AwkPattern, Vec<Vec<AwkItem>>)> {
    let program = program.trim();
    let (pattern, action) = match program.find('{') {
        Some(at) => (program[..at].trim(), Some(program[at..].trim())),
        None => (program, None),
    };
    let pattern = if pattern.is_empty() {
        AwkPattern::All
    } else if let Some(re) = pattern.strip_prefix("!/").or(pattern.strip_prefix('/')) {
        let re = re.strip_suffix('/')?;
        AwkPattern::Regex(regex_lite::Regex::new(re).ok()?, pattern.starts_with('!'))
    } else {
        let rest = pattern.strip_prefix("NR")?.trim_start();
        let op = ["==", "!=", ">=", "<=", ">", "<"].into_iter().find(|op| rest.starts_with(op))?;
        AwkPattern::LineNumber(op.to_string(), rest[op.len()..].trim().parse().ok()?)
    };
    let Some(action) = action else { return Some((pattern, vec![vec![AwkItem::Field(0)]])) };
    let body = action.strip_prefix('{')?.strip_suffix('}')?.trim().trim_end_matches(';').trim();
    let args = body.strip_prefix("print")?;
    if !args.is_empty() && !args.starts_with(char::is_whitespace) {
        return None;
    }
    let args = args.trim();
    if args.is_empty() {
        return Some((pattern, vec![vec![AwkItem::Field(0)]]));
    }
    // Items separated by `,` print with a space between; side by side they concatenate.
    let mut printed = Vec::new();
    for group in args.split(',') {
        let mut items = Vec::new();
        let mut rest = group.trim();
        while !rest.is_empty() {
            let (item, len) = if let Some(text) = rest.strip_prefix('"') {
                let end = text.find('"')?;
                (AwkItem::Text(text[..end].to_string()), end + 2)
            } else if let Some(field) = rest.strip_prefix("$(NF-") {
                let end = field.find(')')?;
                (AwkItem::LastField(field[..end].trim().parse().ok()?), end + 6)
            } else if rest.starts_with("$NF") {
                (AwkItem::LastField(0), 3)
            } else if let Some(field) = rest.strip_prefix('$') {
                let digits = field.chars().take_while(char::is_ascii_digit).count();
                (AwkItem::Field(field[..digits].parse().ok()?), digits + 1)
            } else if rest.starts_with("NR") {
                (AwkItem::LineNumber, 2)
            } else if rest.starts_with("NF") {
                (AwkItem::FieldCount, 2)
            } else {
                return None;
            };
            items.push(item);
            rest = rest.get(len..)?.trim_start();
        }
        printed.push(items);
    }
    Some((pattern, printed))
}

/// `awk [-F SEP] 'PROGRAM'` for the print programs people pipe tables into.
fn awk(args: &[String], lines: &[&str], stderr: String) -> Result<Output, Output> {
    let mut separator: Option<String> = None;
    let mut operands = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.strip_prefix("-F") {
            Some("") => separator = words.next().cloned(),
            Some(sep) => separator = Some(sep.to_string()),
            None => operands.push(word.clone()),
        }
    }
    let Some(program) = operands.first() else {
        return Err(crate::jobs::bash_error(
            "usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n",
            2,
        ));
    };
    if let Some(file) = operands.get(1) {
        return Err(crate::jobs::bash_error(
            &format!("awk: cannot open \"{file}\" (No such file or directory)\n"),
            2,
        ));
    }
    let Some((pattern, printed)) = awk_program(program) else {
        return Err(crate::jobs::bash_error(AWK_SUBSET, 2));
    };
    let mut stdout = String::new();
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        let selected = match &pattern {
            AwkPattern::All => true,
            AwkPattern::Regex(re, negated) => re.is_match(line) != *negated,
            AwkPattern::LineNumber(op, n) => match op.as_str() {
                "==" => number == *n,
                "!=" => number != *n,
                ">=" => number >= *n,
                "<=" => number <= *n,
                ">" => number > *n,
                _ => number < *n,
            },
        };
        if !selected {
            continue;
        }
        let fields: Vec<&str> = match separator.as_deref() {
            None | Some(" ") => line.split_whitespace().collect(),
            Some(sep) => line.split(sep).collect(),
        };
        let field =
            |n: usize| if n == 0 { *line } else { fields.get(n - 1).copied().unwrap_or("") };
        let values: Vec<String> = printed
            .iter()
            .map(|items| {
                items
                    .iter()
                    .map(|item| match item {
                        AwkItem::Field(n) => field(*n).to_string(),
                        AwkItem::LastField(back) => {
                            fields.len().checked_sub(*back).map_or("", field).to_string()
                        }
                        AwkItem::LineNumber => number.to_string(),
                        AwkItem::FieldCount => fields.len().to_string(),
                        AwkItem::Text(t) => t.clone(),
                    })
                    .collect()
            })
            .collect();
        stdout.push_str(&values.join(" "));
        stdout.push('\n');
    }
    Ok(Output { stdout, stderr, ..Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIBE: &str =
        "Name: web\nStatus: Running\nEvents:\n  Type Reason\n  Normal Scheduled\n  Normal Pulled\n";
    const PODS: &str =
        "NAME READY STATUS\nweb-1 1/1 Running\nweb-2 0/1 Pending\ndb-1 1/1 Running\n";

    fn run(command: &str, text: &str) -> Output {
        let input = Output { stdout: text.into(), ..Default::default() };
        pipe_filter(command, input).unwrap_or_else(|e| e)
    }

    #[test]
    fn grep_prints_context_after_and_before_a_match() {
        assert_eq!(
            run("grep -A 2 Events", DESCRIBE).stdout,
            "Events:\n  Type Reason\n  Normal Scheduled\n"
        );
        assert_eq!(
            run("grep -A2 Events", DESCRIBE).stdout,
            run("grep -A 2 Events", DESCRIBE).stdout
        );
        assert_eq!(run("grep -B1 Status", DESCRIBE).stdout, "Name: web\nStatus: Running\n");
        assert_eq!(run("grep -1 Status", DESCRIBE).stdout, "Name: web\nStatus: Running\nEvents:\n");
        let huge = format!("grep -A {0} -B {0} Status", usize::MAX);
        assert_eq!(run(&huge, DESCRIBE).stdout, DESCRIBE);
    }

    #[test]
    fn grep_separates_context_groups_and_numbers_lines() {
        assert_eq!(
            run("grep -A1 Running", PODS).stdout,
            "web-1 1/1 Running\nweb-2 0/1 Pending\ndb-1 1/1 Running\n"
        );
        assert_eq!(
            run("grep -n -A0 -e web-1 -e db", PODS).stdout,
            "2:web-1 1/1 Running\n--\n4:db-1 1/1 Running\n"
        );
        assert_eq!(
            run("grep -nB1 Pending", PODS).stdout,
            "2-web-1 1/1 Running\n3:web-2 0/1 Pending\n"
        );
    }

    #[test]
    fn grep_reads_basic_and_extended_patterns() {
        assert_eq!(
            run("grep -E 'Pending|db'", PODS).stdout,
            "web-2 0/1 Pending\ndb-1 1/1 Running\n"
        );
        assert_eq!(
            run(r"grep 'Pending\|db'", PODS).stdout,
            "web-2 0/1 Pending\ndb-1 1/1 Running\n"
        );
        assert_eq!(run("grep '^web.*Running'", PODS).stdout, "web-1 1/1 Running\n");
        // Bare `|` is a literal in a basic pattern, and in a fixed string.
        assert_eq!(run("grep 'Pending|db'", PODS).exit_code, 1);
        assert_eq!(run("grep -F 1/1", PODS).stdout, "web-1 1/1 Running\ndb-1 1/1 Running\n");
        assert_eq!(run("grep -o 'web-[0-9]'", PODS).stdout, "web-1\nweb-2\n");
    }

    #[test]
    fn grep_flags_bundle_and_count() {
        assert_eq!(run("grep -vi running", PODS).stdout, "NAME READY STATUS\nweb-2 0/1 Pending\n");
        assert_eq!(run("grep -c Running", PODS).stdout, "2\n");
        assert_eq!(run("grep -m1 Running", PODS).stdout, "web-1 1/1 Running\n");
        assert_eq!(
            run("grep -m 1 -A1 Running", PODS).stdout,
            "web-1 1/1 Running\nweb-2 0/1 Pending\n"
        );
        assert_eq!(run("grep -m x Running", PODS).stderr, "grep: invalid max count\n");
        assert_eq!(run("grep -cv Running", PODS).stdout, "2\n");
        assert_eq!(run("grep -w web", PODS).stdout, "web-1 1/1 Running\nweb-2 0/1 Pending\n");
        assert_eq!(run("grep -x 'db-1 1/1 Running'", PODS).stdout, "db-1 1/1 Running\n");
        assert_eq!(run("grep -q Running", PODS), Output { exit_code: 0, ..Default::default() });
    }

    #[test]
    fn grep_status_and_errors_are_gnus() {
        assert_eq!(run("grep nothing", PODS).exit_code, 1);
        let bad_option = run("grep -Z web", PODS);
        assert_eq!(
            (bad_option.exit_code, bad_option.stderr.lines().next()),
            (2, Some("grep: invalid option -- 'Z'"))
        );
        assert_eq!(
            run("grep -A", PODS).stderr.lines().next(),
            Some("grep: option requires an argument -- 'A'")
        );
        assert_eq!(run("grep -A x web", PODS).stderr, "grep: x: invalid context length argument\n");
        assert_eq!(run("grep -E 'web(' ", PODS).stderr, "grep: Invalid regular expression\n");
        assert_eq!(
            run("grep web pods.txt", PODS).stderr,
            "grep: pods.txt: No such file or directory\n"
        );
        assert_eq!(run("grep", PODS).exit_code, 2);
    }

    #[test]
    fn awk_prints_fields_of_the_selected_lines() {
        assert_eq!(run("awk '{print $1}'", PODS).stdout, "NAME\nweb-1\nweb-2\ndb-1\n");
        assert_eq!(
            run("awk 'NR>1 {print $1, $NF}'", PODS).stdout,
            "web-1 Running\nweb-2 Pending\ndb-1 Running\n"
        );
        assert_eq!(run("awk '/Pending/'", PODS).stdout, "web-2 0/1 Pending\n");
        assert_eq!(run("awk '!/Running/ {print NR\":\"$1}'", PODS).stdout, "1:NAME\n3:web-2\n");
        assert_eq!(run("awk -F/ 'NR==2 {print $2}'", PODS).stdout, "1 Running\n");
        assert_eq!(run("awk '{print $(NF-1), NF}'", PODS).stdout, "READY 3\n1/1 3\n0/1 3\n1/1 3\n");
        let unsupported = run("awk '{sum += $2} END {print sum}'", PODS);
        assert_eq!(unsupported.exit_code, 2);
        assert!(unsupported.stderr.contains("print programs"), "{unsupported:?}");
        assert_eq!(run("awk", PODS).exit_code, 2);
    }

    #[test]
    fn other_filters_count_and_cut_lines() {
        assert_eq!(
            run("tail -n +2", PODS).stdout,
            "web-1 1/1 Running\nweb-2 0/1 Pending\ndb-1 1/1 Running\n"
        );
        assert_eq!(run("tail -1", PODS).stdout, "db-1 1/1 Running\n");
        assert_eq!(run("head -n 1", PODS).stdout, "NAME READY STATUS\n");
        assert_eq!(run("head -n1", PODS).stdout, "NAME READY STATUS\n");
        assert_eq!(run("wc -l", PODS).stdout, "4\n");
        assert_eq!(run("wc", PODS).stdout, "      4      12      71\n");
        assert_eq!(run("sort -r", PODS).stdout.lines().next(), Some("web-2 0/1 Pending"));
        assert_eq!(run("cut -f1", PODS).exit_code, 127);
    }
}
