//! Lesson files: parse `lessons/chNN-<slug>.md`, evaluate a step's check, and verify a lesson.
//!
//! A lesson is Markdown with a front matter and `## Step N: title` sections. Fenced blocks carry
//! meaning by their info string:
//!
//! - ```` ```kubectl ```` / ```` ```shell ````: commands the learner clicks to run (session-script
//!   format, one command a line).
//! - ```` ```yaml file=NAME ````: a manifest opened in the editor as NAME (what `-f NAME` reads);
//!   add `invalid` when it is wrong on purpose.
//! - ```` ```check ````: a transcript fragment: `$ command`, then the lines it must print, each
//!   exact or `/regex/` (anchored to the whole line), and `...` for any number of lines.
//! - ```` ```hint ```` or a `> Hint:` paragraph: the nudge shown on request.
//! - ```` ```solution ````: a session script that does the step.
//!
//! The same [`check`] evaluator serves the CLI (`kubeplay lessons check`), the tests and the
//! browser; [`verify`] proves every step's check fails before its solution and passes after.

use crate::script::{self, Command};
use crate::sim::{CommandOutput, MAX_WORKER_NODES, Sim, SimConfig};

/// The largest lesson file accepted.
pub const MAX_LESSON_BYTES: usize = 256 * 1024;
/// The most steps one lesson may have.
pub const MAX_STEPS: usize = 40;
/// The most runnable or file blocks one step may have.
pub const MAX_BLOCKS_PER_STEP: usize = 40;
/// The most commands one check may run.
pub const MAX_CHECK_COMMANDS: usize = 20;
/// The most expected lines one check command may list.
pub const MAX_EXPECTED_LINES: usize = 200;
/// The largest `/regex/` a check may compile (bytes of compiled program).
pub const MAX_REGEX_BYTES: usize = 64 * 1024;
/// Output lines a check looks at; more than this fails the check rather than costing time.
pub const MAX_OUTPUT_LINES: usize = 5_000;
/// The longest `details` text a check result carries.
const MAX_DETAILS_BYTES: usize = 4 * 1024;

/// A parsed lesson.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// `chNN-<slug>`, equal to the file name without `.md`.
    pub id: String,
    /// The book's chapter number.
    pub chapter: u32,
    /// Title shown in the chapter list.
    pub title: String,
    /// Seed of the lesson's cluster.
    pub seed: u64,
    /// Worker nodes of the lesson's cluster.
    pub nodes: u32,
    /// Markdown before the first step (the lesson's introduction).
    pub intro_markdown: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Lesson {
    /// The cluster configuration every run of this lesson starts from.
    pub fn sim_config(&self) -> SimConfig {
        SimConfig { seed: self.seed, worker_nodes: self.nodes }
    }
}

/// One step of a lesson.
#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based step number.
    pub number: usize,
    /// Title from the `## Step N: title` heading.
    pub title: String,
    /// The step's Markdown without its check, hint and solution; runnable and file blocks stay in
    /// place, in the same order as [`Step::blocks`].
    pub body_markdown: String,
    /// Runnable and file blocks, in order of appearance.
    pub blocks: Vec<Block>,
    /// What must hold once the step is done.
    pub check: Check,
    /// The hint (Markdown).
    pub hint: String,
    /// The solution as a session script.
    pub solution: Vec<Command>,
    /// The solution's text as written.
    pub solution_text: String,
    /// 1-based line of the step heading.
    pub line: usize,
}

/// A block the learner acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// What the block is.
    pub kind: BlockKind,
    /// The block's text.
    pub text: String,
    /// 1-based line of the opening fence.
    pub line: usize,
}

/// The kinds of actionable blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// ```` ```kubectl ```` or ```` ```shell ````: click to run, line by line.
    Run {
        /// The fence language (`kubectl` or `shell`).
        lang: String,
    },
    /// ```` ```yaml file=NAME ````: click to open in the editor as `name`.
    File {
        /// The editor buffer name (what `-f NAME` reads).
        name: String,
        /// Wrong on purpose (teaches an error message); not validated against the schemas.
        invalid: bool,
    },
}

/// A step's check: commands and the output each must print.
#[derive(Clone, Debug)]
pub struct Check {
    /// The commands, run in order.
    pub commands: Vec<CheckCommand>,
    /// 1-based line of the opening fence.
    pub line: usize,
}

/// One `$ command` of a check and its expected output.
#[derive(Clone, Debug)]
pub struct CheckCommand {
    /// The command line, as typed.
    pub command: String,
    /// The expected output, line by line.
    pub expected: Vec<Expect>,
    /// 1-based line of the `$` line.
    pub line: usize,
}

/// One expected output line.
#[derive(Clone, Debug)]
pub enum Expect {
    /// The line, exactly (trailing spaces ignored).
    Exact(String),
    /// `/regex/`: the whole line matches.
    Regex {
        /// The pattern as written between the slashes.
        source: String,
        /// The compiled, anchored pattern.
        regex: regex_lite::Regex,
    },
    /// `...`: any number of lines, none included.
    Any,
}

impl Expect {
    fn matches(&self, line: &str) -> bool {
        match self {
            Expect::Exact(s) => s.trim_end() == line.trim_end(),
            Expect::Regex { regex, .. } => regex.is_match(line.trim_end()),
            Expect::Any => true,
        }
    }

    fn describe(&self) -> String {
        match self {
            Expect::Exact(s) => s.clone(),
            Expect::Regex { source, .. } => format!("/{source}/"),
            Expect::Any => "...".into(),
        }
    }
}

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// Every command printed what was expected.
    pub passed: bool,
    /// For the learner and the author: what matched, or the first thing that did not.
    pub details: String,
}

/// Why a lesson file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LessonError {
    /// Larger than [`MAX_LESSON_BYTES`].
    #[error("lesson too large: limit is {MAX_LESSON_BYTES} bytes")]
    TooLarge,
    /// Something is wrong at a line.
    #[error("line {line}: {message}")]
    At {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, LessonError> {
    Err(LessonError::At { line, message: message.into() })
}

/// Commands a check may run: they read the cluster and change nothing the learner made.
fn is_read_only(command: &str) -> bool {
    let words = crate::kubelet::shell::split_words(command);
    match words.first().map(String::as_str) {
        Some("curl") => true,
        Some("kubectl") => {
            // Skip global flags like `-n ns` before the verb.
            let mut i = 1;
            while let Some(w) = words.get(i) {
                if w == "-n" || w == "--namespace" {
                    i += 2;
                } else if w.starts_with('-') {
                    i += 1;
                } else {
                    break;
                }
            }
            match words.get(i).map(String::as_str) {
                Some(
                    "get" | "describe" | "logs" | "exec" | "explain" | "version" | "cluster-info"
                    | "api-resources" | "api-versions" | "top" | "auth",
                ) => true,
                Some("rollout") => words.get(i + 1).map(String::as_str) == Some("history"),
                _ => false,
            }
        }
        _ => false,
    }
}

/// A fenced block as found in the file.
struct Fence {
    info: String,
    body: String,
    line: usize,
    /// Body lines, 1-based line of the first body line.
    body_line: usize,
}

/// Parses a lesson file.
pub fn parse(text: &str) -> Result<Lesson, LessonError> {
    if text.len() > MAX_LESSON_BYTES {
        return Err(LessonError::TooLarge);
    }
    let lines: Vec<&str> = text.lines().collect();
    let (front, mut i) = front_matter(&lines)?;
    let mut intro = String::new();
    let mut steps: Vec<StepBuilder> = Vec::new();
    while i < lines.len() {
        let line = lines[i];
        let number = i + 1;
        if let Some(fence) = fence_open(line) {
            let (f, next) = read_fence(&lines, i, fence)?;
            i = next;
            match steps.last_mut() {
                Some(step) => step.add_fence(f)?,
                None => {
                    if is_special(&f.info) {
                        return err(
                            f.line,
                            "this block belongs in a step: add `## Step 1: ...` first",
                        );
                    }
                    push_fence_text(&mut intro, &lines, f.line - 1, i);
                }
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("## ") {
            let rest = rest.trim();
            let Some(heading) = rest.strip_prefix("Step ") else {
                return err(number, format!("expected `## Step N: title`, found `## {rest}`"));
            };
            let Some((n, title)) = heading.split_once(':') else {
                return err(number, "a step heading is `## Step N: title`");
            };
            let want = steps.len() + 1;
            if n.trim().parse::<usize>().ok() != Some(want) {
                return err(
                    number,
                    format!("expected step {want} here, found `Step {}`", n.trim()),
                );
            }
            if steps.len() >= MAX_STEPS {
                return err(number, format!("too many steps: limit is {MAX_STEPS}"));
            }
            let title = title.trim();
            if title.is_empty() {
                return err(number, "the step has no title");
            }
            steps.push(StepBuilder::new(want, title, number));
            i += 1;
            continue;
        }
        if let Some(step) = steps.last_mut() {
            if let Some(hint) = hint_start(line) {
                // A `> Hint:` paragraph runs until the blockquote ends.
                let mut hint_text = hint.to_string();
                i += 1;
                while i < lines.len() {
                    let Some(more) = lines[i].strip_prefix('>') else { break };
                    hint_text.push('\n');
                    hint_text.push_str(more.trim());
                    i += 1;
                }
                step.set_hint(hint_text.trim().to_string(), number)?;
                continue;
            }
            step.body.push_str(line);
            step.body.push('\n');
        } else {
            intro.push_str(line);
            intro.push('\n');
        }
        i += 1;
    }
    if steps.is_empty() {
        return err(lines.len().max(1), "the lesson has no steps (`## Step 1: title`)");
    }
    let steps = steps.into_iter().map(StepBuilder::finish).collect::<Result<Vec<_>, _>>()?;
    Ok(Lesson {
        id: front.id,
        chapter: front.chapter,
        title: front.title,
        seed: front.seed,
        nodes: front.nodes,
        intro_markdown: intro.trim().to_string() + "\n",
        steps,
    })
}

struct FrontMatter {
    id: String,
    chapter: u32,
    title: String,
    seed: u64,
    nodes: u32,
}

fn front_matter(lines: &[&str]) -> Result<(FrontMatter, usize), LessonError> {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return err(
            1,
            "a lesson starts with front matter: a `---` line, `key: value` lines, `---`",
        );
    }
    let mut id = None;
    let mut chapter = None;
    let mut title = None;
    let mut seed = None;
    let mut nodes = None;
    let mut i = 1;
    loop {
        let Some(line) = lines.get(i) else {
            return err(1, "front matter is not closed with `---`");
        };
        let number = i + 1;
        i += 1;
        let line = line.trim_end();
        if line == "---" {
            break;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return err(number, format!("expected `key: value` in front matter, found `{line}`"));
        };
        let value = value.trim().trim_matches('"');
        let number_of = |what: &str| -> Result<u64, LessonError> {
            value.parse::<u64>().or_else(|_| err(number, format!("{what} must be a number")))
        };
        match key.trim() {
            "id" => id = Some(value.to_string()),
            "chapter" => chapter = Some(number_of("chapter")?.min(u64::from(u32::MAX)) as u32),
            "title" => title = Some(value.to_string()),
            "seed" => seed = Some(number_of("seed")?),
            "nodes" => {
                let n = number_of("nodes")?;
                if n > u64::from(MAX_WORKER_NODES) {
                    return err(number, format!("nodes: at most {MAX_WORKER_NODES}"));
                }
                nodes = Some(n as u32);
            }
            other => return err(number, format!("unknown front matter key `{other}`")),
        }
    }
    let missing =
        |k: &str| LessonError::At { line: 1, message: format!("front matter lacks `{k}`") };
    let id = id.ok_or_else(|| missing("id"))?;
    // Bytes, not str slices: an id with non-ASCII characters must be an error, not a panic.
    let b = id.as_bytes();
    let valid_id = b.len() > 5
        && b.len() <= 64
        && b.starts_with(b"ch")
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
    if !valid_id {
        return err(1, format!("id `{id}` is not of the form chNN-slug"));
    }
    let title = title.filter(|t| !t.is_empty()).ok_or_else(|| missing("title"))?;
    let front = FrontMatter {
        id,
        chapter: chapter.ok_or_else(|| missing("chapter"))?,
        title,
        seed: seed.ok_or_else(|| missing("seed"))?,
        nodes: nodes.ok_or_else(|| missing("nodes"))?,
    };
    Ok((front, i))
}

/// The backtick count of an opening fence line, if it is one.
fn fence_open(line: &str) -> Option<usize> {
    let ticks = line.bytes().take_while(|&b| b == b'`').count();
    (ticks >= 3).then_some(ticks)
}

fn read_fence(lines: &[&str], start: usize, ticks: usize) -> Result<(Fence, usize), LessonError> {
    let info = lines[start][ticks..].trim().to_string();
    let mut body = String::new();
    let mut i = start + 1;
    while i < lines.len() {
        let l = lines[i].trim_end();
        if l.len() >= ticks && l.bytes().all(|b| b == b'`') {
            let fence = Fence { info, body, line: start + 1, body_line: start + 2 };
            return Ok((fence, i + 1));
        }
        body.push_str(lines[i]);
        body.push('\n');
        i += 1;
    }
    err(start + 1, format!("the code block opened by {} is never closed", lines[start].trim()))
}

fn push_fence_text(out: &mut String, lines: &[&str], from: usize, to: usize) {
    for l in &lines[from..to] {
        out.push_str(l);
        out.push('\n');
    }
}

fn lang_of(info: &str) -> &str {
    info.split_whitespace().next().unwrap_or("")
}

fn is_special(info: &str) -> bool {
    matches!(lang_of(info), "check" | "solution" | "hint" | "kubectl" | "shell")
        || info.split_whitespace().any(|w| w.starts_with("file="))
}

fn hint_start(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('>')?.trim_start();
    let rest = rest.strip_prefix("**Hint:**").or_else(|| rest.strip_prefix("Hint:"))?;
    Some(rest.trim())
}

struct StepBuilder {
    number: usize,
    title: String,
    line: usize,
    body: String,
    blocks: Vec<Block>,
    check: Option<Check>,
    hint: Option<String>,
    solution: Option<(Vec<Command>, String)>,
}

impl StepBuilder {
    fn new(number: usize, title: &str, line: usize) -> Self {
        StepBuilder {
            number,
            title: title.to_string(),
            line,
            body: String::new(),
            blocks: Vec::new(),
            check: None,
            hint: None,
            solution: None,
        }
    }

    fn set_hint(&mut self, hint: String, line: usize) -> Result<(), LessonError> {
        if self.hint.is_some() {
            return err(line, format!("step {} has a second hint", self.number));
        }
        if hint.is_empty() {
            return err(line, "the hint is empty");
        }
        self.hint = Some(hint);
        Ok(())
    }

    fn add_fence(&mut self, f: Fence) -> Result<(), LessonError> {
        let words: Vec<&str> = f.info.split_whitespace().collect();
        let lang = words.first().copied().unwrap_or("");
        match lang {
            "check" => {
                if self.check.is_some() {
                    return err(f.line, format!("step {} has a second check block", self.number));
                }
                self.check = Some(parse_check(&f.body, f.line, f.body_line)?);
            }
            "solution" => {
                if self.solution.is_some() {
                    return err(f.line, format!("step {} has a second solution", self.number));
                }
                let commands = parse_script(&f.body, f.body_line)?;
                if commands.is_empty() {
                    return err(f.line, "the solution has no commands");
                }
                self.solution = Some((commands, f.body));
            }
            "hint" => self.set_hint(f.body.trim().to_string(), f.line)?,
            "kubectl" | "shell" => {
                parse_script(&f.body, f.body_line)?;
                self.push_block(BlockKind::Run { lang: lang.to_string() }, &f)?;
            }
            _ => {
                let file = words.iter().find_map(|w| w.strip_prefix("file="));
                let invalid = words.contains(&"invalid");
                if let Some(name) = file {
                    let ok_name = !name.is_empty()
                        && name.len() <= 100
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
                    if !ok_name {
                        return err(f.line, format!("file name `{name}` is not a plain file name"));
                    }
                    if self
                        .blocks
                        .iter()
                        .any(|b| matches!(&b.kind, BlockKind::File { name: n, .. } if n == name))
                    {
                        return err(f.line, format!("file `{name}` appears twice in this step"));
                    }
                    self.push_block(BlockKind::File { name: name.to_string(), invalid }, &f)?;
                } else if invalid {
                    return err(f.line, "`invalid` marks a file block: add `file=NAME`");
                } else {
                    // A plain code block: part of the prose.
                    self.body.push_str(&format!("```{}\n{}```\n", f.info, f.body));
                }
            }
        }
        Ok(())
    }

    fn push_block(&mut self, kind: BlockKind, f: &Fence) -> Result<(), LessonError> {
        if self.blocks.len() >= MAX_BLOCKS_PER_STEP {
            return err(
                f.line,
                format!("too many blocks in one step: limit is {MAX_BLOCKS_PER_STEP}"),
            );
        }
        self.body.push_str(&format!("```{}\n{}```\n", f.info, f.body));
        self.blocks.push(Block { kind, text: f.body.clone(), line: f.line });
        Ok(())
    }

    fn finish(self) -> Result<Step, LessonError> {
        let n = self.number;
        let Some(check) = self.check else {
            return err(self.line, format!("step {n} has no ```check block"));
        };
        let Some(hint) = self.hint else {
            return err(self.line, format!("step {n} has no hint (`> Hint: ...` or ```hint)"));
        };
        let Some((solution, solution_text)) = self.solution else {
            return err(self.line, format!("step {n} has no ```solution block"));
        };
        Ok(Step {
            number: n,
            title: self.title,
            body_markdown: self.body.trim().to_string() + "\n",
            blocks: self.blocks,
            check,
            hint,
            solution,
            solution_text,
            line: self.line,
        })
    }
}

/// A session script inside a lesson, with errors pointing at the lesson's lines.
fn parse_script(body: &str, body_line: usize) -> Result<Vec<Command>, LessonError> {
    match script::parse(body) {
        Ok(mut commands) => {
            for c in &mut commands {
                c.line_number += body_line - 1;
            }
            Ok(commands)
        }
        Err(script::ScriptError::UnterminatedHeredoc(l, marker)) => {
            err(l + body_line - 1, format!("here-document never ends (wanted `{marker}`)"))
        }
        Err(e) => err(body_line, e.to_string()),
    }
}

/// Parses the body of a ```check block; `fence_line` and `body_line` are 1-based.
pub fn parse_check(body: &str, fence_line: usize, body_line: usize) -> Result<Check, LessonError> {
    let mut commands: Vec<CheckCommand> = Vec::new();
    for (k, raw) in body.lines().enumerate() {
        let number = body_line + k;
        if let Some(cmd) = raw.strip_prefix("$ ") {
            let cmd = cmd.trim();
            if cmd.is_empty() {
                return err(number, "a `$` line needs a command");
            }
            if !is_read_only(cmd) {
                return err(
                    number,
                    format!(
                        "a check may only read the cluster (kubectl get/describe/logs/exec/..., curl): `{cmd}`"
                    ),
                );
            }
            if commands.len() >= MAX_CHECK_COMMANDS {
                return err(
                    number,
                    format!("too many check commands: limit is {MAX_CHECK_COMMANDS}"),
                );
            }
            commands.push(CheckCommand {
                command: cmd.to_string(),
                expected: Vec::new(),
                line: number,
            });
            continue;
        }
        let Some(current) = commands.last_mut() else {
            if raw.trim().is_empty() {
                continue;
            }
            return err(number, "a check starts with a `$ command` line");
        };
        if current.expected.len() >= MAX_EXPECTED_LINES {
            return err(number, format!("too many expected lines: limit is {MAX_EXPECTED_LINES}"));
        }
        current.expected.push(expect_line(raw, number)?);
    }
    for c in &mut commands {
        // Trailing blank lines are layout, not output.
        while matches!(c.expected.last(), Some(Expect::Exact(s)) if s.trim().is_empty()) {
            c.expected.pop();
        }
    }
    if commands.is_empty() {
        return err(fence_line, "the check has no `$ command` line");
    }
    Ok(Check { commands, line: fence_line })
}

fn expect_line(raw: &str, number: usize) -> Result<Expect, LessonError> {
    let line = raw.trim_end();
    if line == "..." {
        return Ok(Expect::Any);
    }
    if line.len() >= 2 && line.starts_with('/') && line.ends_with('/') {
        let source = &line[1..line.len() - 1];
        let regex = regex_lite::RegexBuilder::new(&format!("^(?:{source})$"))
            .size_limit(MAX_REGEX_BYTES)
            .build();
        return match regex {
            Ok(regex) => Ok(Expect::Regex { source: source.to_string(), regex }),
            Err(e) => err(number, format!("bad /regex/: {e}")),
        };
    }
    Ok(Expect::Exact(line.to_string()))
}

/// Evaluates a check on a fork of the cluster ([`Sim::fork`]), so that nothing it runs reaches the
/// live session: a `curl` through a Service draws from the cluster's seeded PRNG and is counted by
/// the app that answers, which would make the session diverge from a replay of what the learner
/// typed. What the browser calls after every command and as time runs.
pub fn check_detached(sim: &Sim, check: &Check) -> CheckResult {
    self::check(&mut sim.fork(), check)
}

/// Runs a check's commands against the cluster and compares what they print.
pub fn check(sim: &mut Sim, check: &Check) -> CheckResult {
    for c in &check.commands {
        let mut out = sim.run(&c.command);
        // `-o jsonpath` prints no final newline; keep what stderr says on its own line.
        if !out.stdout.is_empty() && !out.stdout.ends_with('\n') && !out.stderr.is_empty() {
            out.stdout.push('\n');
        }
        let text = out.terminal_text();
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > MAX_OUTPUT_LINES {
            return fail(format!("`{}` printed more than {MAX_OUTPUT_LINES} lines", c.command));
        }
        if !matches_lines(&c.expected, &lines) {
            return fail(mismatch(c, &lines));
        }
    }
    let n = check.commands.len();
    CheckResult {
        passed: true,
        details: format!("{n} command{} printed what was expected", if n == 1 { "" } else { "s" }),
    }
}

fn fail(details: String) -> CheckResult {
    let mut details = details;
    if details.len() > MAX_DETAILS_BYTES {
        let mut cut = MAX_DETAILS_BYTES;
        while !details.is_char_boundary(cut) {
            cut -= 1;
        }
        details.truncate(cut);
        details.push_str("\n[...]");
    }
    CheckResult { passed: false, details }
}

/// Whether `lines` match `expected`, where `...` stands for any run of lines.
fn matches_lines(expected: &[Expect], lines: &[&str]) -> bool {
    // can[j] after processing pattern p: the first j lines can be matched by patterns[..p].
    let mut can = vec![false; lines.len() + 1];
    can[0] = true;
    for e in expected {
        let mut next = vec![false; lines.len() + 1];
        match e {
            Expect::Any => {
                let mut reach = false;
                for j in 0..=lines.len() {
                    reach |= can[j];
                    next[j] = reach;
                }
            }
            _ => {
                for j in 0..lines.len() {
                    if can[j] && e.matches(lines[j]) {
                        next[j + 1] = true;
                    }
                }
            }
        }
        can = next;
    }
    can[lines.len()]
}

/// A learner-readable account of the first difference.
fn mismatch(c: &CheckCommand, lines: &[&str]) -> String {
    let head = format!("`$ {}`", c.command);
    if !c.expected.iter().any(|e| matches!(e, Expect::Any)) {
        for (k, e) in c.expected.iter().enumerate() {
            match lines.get(k) {
                Some(got) if e.matches(got) => {}
                Some(got) => {
                    return format!(
                        "{head}: output line {}: expected `{}`, got `{}`",
                        k + 1,
                        e.describe(),
                        got.trim_end()
                    );
                }
                None => {
                    return format!(
                        "{head}: output ended after {} line(s); expected `{}` next",
                        lines.len(),
                        e.describe()
                    );
                }
            }
        }
        return format!(
            "{head}: printed {} line(s), expected {}; first extra line: `{}`",
            lines.len(),
            c.expected.len(),
            lines.get(c.expected.len()).map_or("", |l| l.trim_end())
        );
    }
    let expected: Vec<String> = c.expected.iter().map(Expect::describe).collect();
    format!("{head}: expected\n  {}\ngot\n  {}", expected.join("\n  "), lines.join("\n  "))
}

/// How one step of a lesson fared under [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// 1-based step number.
    pub number: usize,
    /// The step title.
    pub title: String,
    /// What went wrong; empty when the step is sound.
    pub problems: Vec<String>,
}

impl StepReport {
    /// The step's check failed before its solution and passed after, and its solution ran.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Writes a step's file blocks into the sim, as the browser editor holds them once opened.
pub fn write_files(sim: &mut Sim, step: &Step) {
    for b in &step.blocks {
        if let BlockKind::File { name, .. } = &b.kind {
            sim.write_file(name, &b.text);
        }
    }
}

/// Does a step as its solution does: writes its file blocks ([`write_files`]), then runs each
/// solution command; returns every command with its output. [`verify`] and the browser (which
/// replays steps 1..N-1 when a learner opens step N) both go through here.
pub fn run_solution<'a>(sim: &mut Sim, step: &'a Step) -> Vec<(&'a Command, CommandOutput)> {
    write_files(sim, step);
    step.solution.iter().map(|c| (c, script::run_command(sim, c))).collect()
}

/// Whether a solution command reads a file block marked `invalid` (it must then fail).
fn reads_invalid_file(step: &Step, command: &Command) -> bool {
    let words = crate::kubelet::shell::split_words(&command.line);
    step.blocks.iter().any(|b| match &b.kind {
        BlockKind::File { name, invalid: true } => words.iter().any(|w| w == name),
        _ => false,
    })
}

/// Proves a lesson: from a fresh cluster, each step's check fails, its solution runs, its check
/// passes. Solution commands must succeed, except those reading an `invalid` file, which must fail.
pub fn verify(lesson: &Lesson) -> Vec<StepReport> {
    let mut sim = Sim::new(lesson.sim_config());
    let mut reports = Vec::new();
    for step in &lesson.steps {
        let mut problems = Vec::new();
        write_files(&mut sim, step);
        if check(&mut sim, &step.check).passed {
            problems.push(
                "the check passes before the solution ran (a check that cannot fail is a defect)"
                    .to_string(),
            );
        }
        for (command, out) in run_solution(&mut sim, step) {
            let must_fail = reads_invalid_file(step, command);
            if must_fail && out.exit_code == 0 {
                problems.push(format!(
                    "line {}: `{}` reads a file marked invalid but succeeded",
                    command.line_number, command.line
                ));
            } else if !must_fail && out.exit_code != 0 {
                problems.push(format!(
                    "line {}: solution command `{}` failed: {}",
                    command.line_number,
                    command.line,
                    out.stderr.trim()
                ));
            }
        }
        let after = check(&mut sim, &step.check);
        if !after.passed {
            problems.push(format!("the check fails after the solution: {}", after.details));
        }
        reports.push(StepReport { number: step.number, title: step.title.clone(), problems });
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\nid: ch99-test\nchapter: 99\ntitle: Test\nseed: 7\nnodes: 2\n---\n\
        Intro.\n\n## Step 1: Run a pod\nDo it.\n\n```kubectl\nkubectl run web --image=nginx\n```\n\n\
        ```check\n$ kubectl get pod web -o jsonpath={.metadata.name}\nweb\n```\n\n\
        > Hint: use `kubectl run`.\n\n```solution\nkubectl run web --image=nginx\n```\n";

    fn parse_err(text: &str) -> String {
        match parse(text) {
            Ok(_) => "parsed".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_well_formed_lesson_parses() {
        let l = parse(GOOD).expect("parses");
        assert_eq!((l.id.as_str(), l.chapter, l.seed, l.nodes), ("ch99-test", 99, 7, 2));
        assert_eq!(l.steps.len(), 1);
        let s = &l.steps[0];
        assert_eq!(s.title, "Run a pod");
        assert_eq!(s.blocks.len(), 1);
        assert_eq!(s.hint, "use `kubectl run`.");
        assert_eq!(s.solution.len(), 1);
        assert_eq!(s.check.commands[0].expected.len(), 1);
        assert!(s.body_markdown.contains("kubectl run web"));
        assert!(!s.body_markdown.contains("Hint"));
    }

    #[test]
    fn malformed_front_matter_is_an_error_with_a_line() {
        assert_eq!(
            parse_err("no front matter\n"),
            "line 1: a lesson starts with front matter: a `---` line, `key: value` lines, `---`"
        );
        assert_eq!(
            parse_err(&GOOD.replace("seed: 7", "seed: seven")),
            "line 5: seed must be a number"
        );
        assert_eq!(
            parse_err(&GOOD.replace("nodes: 2\n", "")),
            "line 1: front matter lacks `nodes`"
        );
        assert!(parse_err(&GOOD.replace("id: ch99-test", "id: test")).contains("chNN-slug"));
        assert!(parse_err("---\nid: ch01-x\n").contains("not closed"));
        assert!(
            parse_err(&GOOD.replace("chapter: 99", "colour: blue"))
                .contains("unknown front matter key")
        );
    }

    #[test]
    fn a_step_without_check_hint_or_solution_is_an_error() {
        let no_check = GOOD.replace(
            "```check\n$ kubectl get pod web -o jsonpath={.metadata.name}\nweb\n```\n",
            "",
        );
        assert_eq!(parse_err(&no_check), "line 10: step 1 has no ```check block");
        assert!(parse_err(&GOOD.replace("> Hint: use `kubectl run`.\n", "")).contains("no hint"));
        assert!(
            parse_err(&GOOD.replace("```solution\nkubectl run web --image=nginx\n```\n", ""))
                .contains("no ```solution")
        );
    }

    #[test]
    fn unterminated_fences_and_heredocs_point_at_their_line() {
        let open = GOOD.replace(
            "```solution\nkubectl run web --image=nginx\n```\n",
            "```solution\nkubectl run web\n",
        );
        assert!(
            parse_err(&open)
                .starts_with("line 24: the code block opened by ```solution is never closed"),
            "{}",
            parse_err(&open)
        );
        let heredoc = GOOD.replace(
            "```solution\nkubectl run web --image=nginx\n```",
            "```solution\nkubectl apply -f - <<YAML\nkind: Pod\n```",
        );
        assert_eq!(parse_err(&heredoc), "line 25: here-document never ends (wanted `YAML`)");
    }

    #[test]
    fn steps_must_be_numbered_in_order_and_checks_must_only_read() {
        assert!(parse_err(&GOOD.replace("## Step 1:", "## Step 2:")).contains("expected step 1"));
        assert!(
            parse_err(&GOOD.replace("## Step 1: Run a pod", "## Recap"))
                .contains("expected `## Step N: title`")
        );
        let mutating = GOOD.replace("$ kubectl get pod web", "$ kubectl delete pod web");
        assert!(parse_err(&mutating).contains("may only read the cluster"));
        let empty = GOOD.replace("$ kubectl get pod web -o jsonpath={.metadata.name}\nweb\n", "\n");
        assert!(parse_err(&empty).contains("no `$ command`"));
        assert!(parse_err(&GOOD.replace("\nweb\n```", "\n/([a-z/\n```")).contains("bad /regex/"));
    }

    #[test]
    fn file_blocks_are_named_and_may_be_invalid() {
        let l = parse(&GOOD.replace(
            "```kubectl\n",
            "```yaml file=bad.yaml invalid\nkind: Pod\n```\n\n```kubectl\n",
        ))
        .expect("parses");
        assert_eq!(
            l.steps[0].blocks[0].kind,
            BlockKind::File { name: "bad.yaml".into(), invalid: true }
        );
        assert!(
            parse_err(
                &GOOD.replace("```kubectl\n", "```yaml file=../x\nkind: Pod\n```\n```kubectl\n")
            )
            .contains("plain file name")
        );
    }

    #[test]
    fn a_hint_may_be_a_fenced_block_but_only_one() {
        let fenced =
            GOOD.replace("> Hint: use `kubectl run`.\n", "```hint\nTry `kubectl run`.\n```\n");
        assert_eq!(parse(&fenced).expect("parses").steps[0].hint, "Try `kubectl run`.");
        let two = GOOD.replace("> Hint: use `kubectl run`.\n", "> Hint: one\n\n> Hint: two\n");
        assert!(parse_err(&two).contains("second hint"));
        let multi =
            GOOD.replace("> Hint: use `kubectl run`.\n", "> Hint: first line\n> second line\n");
        assert_eq!(parse(&multi).expect("parses").steps[0].hint, "first line\nsecond line");
    }

    #[test]
    fn odd_ids_are_errors_not_panics() {
        for id in ["ch1é-x", "ché", "ch01-Ünï", "ch01x-abc", "ch"] {
            let text = GOOD.replace("id: ch99-test", &format!("id: {id}"));
            assert!(parse_err(&text).contains("chNN-slug"), "{id}");
        }
    }

    proptest::proptest! {
        // Lesson text comes from authors and, later, from users: no input may panic the parser.
        #[test]
        fn parsing_never_panics(parts in proptest::collection::vec(proptest::sample::select(vec![
            "---\n", "id: ch01-a\n", "chapter: 1\n", "title: T\n", "seed: 1\n", "nodes: 2\n",
            "nodes: 999\n", "## Step 1: a\n", "## Step 2: b\n", "## Step x\n", "```check\n",
            "```solution\n", "```yaml file=a.yaml\n", "```yaml file=é invalid\n", "```\n",
            "````\n", "$ kubectl get pods\n", "$ \n", "/[/\n", "/a.*/\n", "...\n",
            "> Hint: h\n", ">\n", "kubectl apply -f - <<EOF\n", "EOF\n", "é\n", "\n",
        ]), 0..40)) {
            let _ = parse(&parts.concat());
        }
    }

    #[test]
    fn a_too_large_lesson_is_refused() {
        let big = format!("{GOOD}{}", "x".repeat(MAX_LESSON_BYTES));
        assert_eq!(parse(&big).err(), Some(LessonError::TooLarge));
    }

    fn check_of(body: &str) -> Check {
        parse_check(body, 1, 2).expect("check parses")
    }

    #[test]
    fn exact_and_regex_lines_and_ellipsis() {
        let mut sim = Sim::new(SimConfig::default());
        let exact = check_of(
            "$ kubectl get node kubeplay-worker -o jsonpath={.metadata.name}\nkubeplay-worker\n",
        );
        assert!(check(&mut sim, &exact).passed);
        let wrong = check_of(
            "$ kubectl get node kubeplay-worker -o jsonpath={.metadata.name}\nkubeplay-worker2\n",
        );
        let r = check(&mut sim, &wrong);
        assert!(!r.passed);
        assert!(
            r.details.contains("expected `kubeplay-worker2`, got `kubeplay-worker`"),
            "{}",
            r.details
        );
        // A regex must match the whole line: `worker` alone does not.
        let partial = check_of("$ kubectl get node kubeplay-worker -o name\n/worker/\n");
        assert!(!check(&mut sim, &partial).passed);
        let regex =
            check_of("$ kubectl get node kubeplay-worker -o name\n/node\\/kubeplay-worker\\d?/\n");
        assert!(check(&mut sim, &regex).passed);
        let table = check_of(
            "$ kubectl get nodes\n/NAME\\s+STATUS.*/\n...\n/kubeplay-worker3\\s+Ready.*/\n",
        );
        assert!(check(&mut sim, &table).passed);
        let too_short = check_of("$ kubectl get nodes\n/NAME.*/\n");
        let r = check(&mut sim, &too_short);
        assert!(!r.passed && r.details.contains("expected 1"), "{}", r.details);
    }

    #[test]
    fn a_detached_check_leaves_the_live_cluster_as_it_was() {
        // Two identical clusters with kubia behind a LoadBalancer, reached by curl from outside.
        let setup = |sim: &mut Sim| {
            for line in [
                "kubectl create deployment kubia --image=luksa/kubia --replicas=3",
                "kubectl expose deployment kubia --type=LoadBalancer --port=80 --target-port=8080",
                "sleep 30s",
            ] {
                assert_eq!(sim.run(line).exit_code, 0, "{line}");
            }
        };
        let mut live = Sim::new(SimConfig::default());
        let mut twin = Sim::new(SimConfig::default());
        setup(&mut live);
        setup(&mut twin);
        let ip = live.run("kubectl get svc kubia -o jsonpath={.status.loadBalancer.ingress[0].ip}");
        let curl = check_of(&format!("$ curl -s http://{}\n/You've hit kubia-.*/\n", ip.stdout));
        let answers = |sim: &mut Sim| {
            (0..12)
                .map(|_| sim.run(&format!("curl -s http://{}", ip.stdout)).stdout)
                .collect::<Vec<_>>()
        };
        for _ in 0..5 {
            assert!(check_detached(&live, &curl).passed);
        }
        // The live cluster answers what the untouched twin answers, request for request ...
        assert_eq!(answers(&mut live), answers(&mut twin));
        assert_eq!(live.snapshot(), twin.snapshot());
        // ... whereas the same check run in place moves the load balancer's picks on.
        for _ in 0..5 {
            assert!(check(&mut live, &curl).passed);
        }
        assert_ne!(answers(&mut live), answers(&mut twin));
    }

    #[test]
    fn a_check_that_cannot_fail_is_reported_as_a_defect() {
        let text = GOOD.replace(
            "$ kubectl get pod web -o jsonpath={.metadata.name}\nweb\n",
            "$ kubectl get nodes\n...\n",
        );
        let lesson = parse(&text).expect("parses");
        let reports = verify(&lesson);
        assert!(!reports[0].ok());
        assert!(reports[0].problems[0].contains("cannot fail"), "{:?}", reports[0].problems);
    }

    #[test]
    fn a_sound_step_verifies_and_a_broken_solution_does_not() {
        let lesson = parse(GOOD).expect("parses");
        assert_eq!(verify(&lesson)[0].problems, Vec::<String>::new());
        let broken = parse(&GOOD.replace(
            "```solution\nkubectl run web --image=nginx\n```",
            "```solution\nkubectl run web --image=nginx\nkubectl frobnicate\n```",
        ))
        .expect("parses");
        let r = &verify(&broken)[0];
        assert!(
            r.problems.iter().any(|p| p.contains("solution command `kubectl frobnicate` failed")),
            "{:?}",
            r.problems
        );
    }
}
