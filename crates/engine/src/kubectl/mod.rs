//! kubectl: the client side of the simulator, from command lines to the exact text kubectl prints.
//!
//! Each subcommand parses its flags with cobra's rules (`args`), talks to the cluster through the
//! same request path a real client would use, and prints with the upstream printers (`printers`,
//! `format`).

pub mod args;
mod commands;
mod config;
mod describe;
mod describe_storage;
mod describe_workloads;
mod edit;
mod explain;
mod explain_docs;
pub mod format;
mod get;
pub(crate) mod kubeconfig;
mod manifest;
pub mod printers;
mod resources;
mod services;
mod unknown;
mod wait;
mod workloads;

use std::collections::BTreeMap;

use crate::clock::Millis;
use crate::cluster::Cluster;

pub use edit::{EditorFile, MAX_EDIT_ROUNDS, join_rounds, split_rounds};

/// What a command printed, as a terminal shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code.
    pub exit_code: i32,
    /// What the terminal showed, when its order is not notices, stdout, then stderr (a `;` list
    /// whose first command failed before the next one printed).
    pub shown: Option<String>,
}

/// A line kubectl prints before it runs the command or as the answer arrives: a deprecated
/// flag (pflag), kubectl's own warning, the API server's warning.
fn is_notice(line: &str) -> bool {
    line.starts_with("Warning: ")
        || line.starts_with("warning: ")
        || (line.starts_with("Flag --") && line.contains(" has been deprecated"))
}

impl Output {
    /// Success with `stdout`.
    pub fn ok(stdout: impl Into<String>) -> Self {
        Output { stdout: stdout.into(), ..Default::default() }
    }

    /// Failure with `stderr` (a trailing newline is added when missing).
    pub fn fail(stderr: impl Into<String>) -> Self {
        let mut s = stderr.into();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        Output { stderr: s, exit_code: 1, ..Default::default() }
    }

    /// What a terminal shows: the notices that lead standard error first (flag deprecations and
    /// kubectl's warnings as it parses the command, the API server's warnings as the answer
    /// arrives: all before any output), then standard output, then the rest of standard error.
    pub fn terminal_text(&self) -> String {
        if let Some(shown) = &self.shown {
            return shown.clone();
        }
        let notices_len: usize = self
            .stderr
            .split_inclusive('\n')
            .take_while(|line| is_notice(line))
            .map(str::len)
            .sum();
        let (notices, rest) = self.stderr.split_at(notices_len);
        format!("{notices}{}{rest}", self.stdout)
    }

    /// Appends another output (stdout to stdout, stderr to stderr; a failure sticks).
    pub fn push(&mut self, other: Output) {
        // Text already in order (a list's, a loop's) stays in order.
        if self.shown.is_some() || other.shown.is_some() {
            let mut shown = self.terminal_text();
            shown.push_str(&other.terminal_text());
            self.shown = Some(shown);
        }
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        if other.exit_code != 0 {
            self.exit_code = other.exit_code;
        }
    }

    /// Appends what the command that ran next printed (a `;` list, a loop's body): the terminal
    /// shows each command's text in turn, and the status is the later command's.
    pub fn then(&mut self, other: Output) {
        let mut shown = self.terminal_text();
        shown.push_str(&other.terminal_text());
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        self.exit_code = other.exit_code;
        self.shown = Some(shown);
    }
}

/// The longest a command waits in virtual time (`delete` for termination, `rollout status`, ...).
pub const MAX_WAIT_MS: Millis = 15 * 60 * 1000;

/// Where `-f FILE` reads from: the editor's buffers in the browser, the disk in the CLI.
pub trait Files {
    /// The content of `path`, if it exists.
    fn read(&mut self, path: &str) -> Option<String>;
    /// The file names directly inside directory `path`, if it is one (`--from-file=DIR`).
    fn list(&mut self, _path: &str) -> Option<Vec<String>> {
        None
    }
}

/// The names of files directly under `dir` among `paths` (in-memory buffers as a tree).
pub fn list_dir<'a>(paths: impl Iterator<Item = &'a String>, dir: &str) -> Option<Vec<String>> {
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let prefix = format!("{dir}/");
    let names: Vec<String> = paths
        .filter_map(|p| p.trim_start_matches("./").strip_prefix(&prefix).map(str::to_string))
        .filter(|rest| !rest.contains('/'))
        .collect();
    (!names.is_empty()).then_some(names)
}

impl Files for BTreeMap<String, String> {
    fn read(&mut self, path: &str) -> Option<String> {
        self.get(path).or_else(|| self.get(path.trim_start_matches("./"))).cloned()
    }
    fn list(&mut self, path: &str) -> Option<Vec<String>> {
        list_dir(self.keys(), path)
    }
}

/// Everything a command runs against.
pub struct Ctx<'a> {
    /// The cluster.
    pub cluster: &'a mut Cluster,
    /// Files for `-f`.
    pub files: &'a mut dyn Files,
    /// Standard input (a heredoc in scripts).
    pub stdin: Option<&'a str>,
}

impl Ctx<'_> {
    /// Runs virtual time until `done` holds or `max_ms` passed; returns whether it held.
    pub fn wait_until(&mut self, max_ms: Millis, mut done: impl FnMut(&Cluster) -> bool) -> bool {
        let deadline = self.cluster.now_ms().saturating_add(max_ms);
        self.cluster.settle();
        loop {
            if done(self.cluster) {
                return true;
            }
            if !self.cluster.fire_next_timer(deadline) {
                self.cluster.clock.set_now(deadline);
                return done(self.cluster);
            }
        }
    }
}

/// `30`, `30s`, `500ms`, `5m`, `1h` (a bare number is seconds) -> milliseconds.
pub fn parse_duration(arg: &str) -> Option<Millis> {
    get::parse_go_duration_ms(arg)
}

/// A kubectl command that goes on printing while virtual time runs (`get -w`, `rollout status`,
/// `logs -f`). Whoever drives time polls it after every instant's timers have fired and the
/// cluster has settled: the terminal in the browser as time plays, a script at once up to the
/// job's end. Both see the same instants, so both print the same bytes.
pub trait Job {
    /// What it prints after the instant that just passed, and whether it is done.
    fn poll(&mut self, cluster: &Cluster) -> Poll;
    /// When it gives up on its own (its `--timeout`, a watch's request timeout).
    fn deadline_ms(&self) -> Millis;
    /// What it prints when its deadline passes (its exit code included); a watch ends silently.
    fn expire(&mut self, _cluster: &Cluster) -> Output {
        Output::default()
    }
    /// The file an editor shows while this job waits for someone to edit it (`kubectl edit`).
    fn editor_file(&self) -> Option<&EditorFile> {
        None
    }
    /// The editor returned `text`: what the job prints, and whether it is done.
    fn editor_returned(&mut self, _cluster: &mut Cluster, _text: &str) -> Poll {
        Poll::Waiting(Output::default())
    }
    /// For a job that waits for an editor: what the editor returns when nobody sits at it (a
    /// script's here-document); `None` for every other job.
    fn unattended_editor(&mut self) -> Option<String> {
        None
    }
    /// A shell loop, which the simulation drives itself, as it runs commands.
    fn as_loop(&mut self) -> Option<&mut crate::shell_loop::LoopJob> {
        None
    }
}

/// One poll of a [`Job`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll {
    /// Still waiting; printed this.
    Waiting(Output),
    /// Finished; printed this and exits with its code.
    Done(Output),
}

impl Poll {
    /// Lines printed, finished or not (exit code 0).
    pub fn printed(text: String, done: bool) -> Poll {
        if done { Poll::Done(Output::ok(text)) } else { Poll::Waiting(Output::ok(text)) }
    }
}

/// What `kubectl ...` did: its output so far and, for a command that waits, the job that goes on.
pub struct Started {
    /// Printed at once.
    pub output: Output,
    /// The rest of a waiting command.
    pub job: Option<Box<dyn Job>>,
}

/// Runs `kubectl ARGS...` (argv without the leading `kubectl`); a command that waits returns
/// its job instead of waiting.
pub fn start(ctx: &mut Ctx, argv: &[String]) -> Started {
    let argv = kubeconfig::with_context_namespace(&ctx.cluster.kubeconfig, argv);
    let Some(command) = argv.first() else {
        return Started { output: Output::ok(commands::KUBECTL_HELP), job: None };
    };
    let rest = &argv[1..];
    let mut job = None;
    let out = match command.as_str() {
        "get" => {
            let (out, j) = get::get(ctx, rest);
            job = j;
            out
        }
        "describe" => describe::describe(ctx, rest),
        "explain" => explain::explain(ctx, rest),
        "create" => manifest::create(ctx, rest),
        "apply" => manifest::apply(ctx, rest),
        "replace" => manifest::replace(ctx, rest),
        "edit" => {
            let (out, j) = edit::edit(ctx, rest);
            job = j;
            out
        }
        "delete" => manifest::delete(ctx, rest),
        "run" => commands::run(ctx, rest),
        "logs" => {
            let (out, j) = commands::logs(ctx, rest);
            job = j;
            out
        }
        "exec" => commands::exec(ctx, rest),
        "label" => commands::label(ctx, rest, commands::MetaField::Labels),
        "annotate" => commands::label(ctx, rest, commands::MetaField::Annotations),
        "version" => commands::version(ctx, rest),
        "cluster-info" => commands::cluster_info(ctx, rest),
        "api-resources" => commands::api_resources(ctx, rest),
        "cordon" => commands::cordon(ctx, rest, true),
        "uncordon" => commands::cordon(ctx, rest, false),
        "drain" => commands::drain(ctx, rest),
        "scale" => workloads::scale(ctx, rest),
        "rollout" => {
            let (out, j) = workloads::rollout(ctx, rest);
            job = j;
            out
        }
        "set" => workloads::set(ctx, rest),
        "patch" => workloads::patch(ctx, rest),
        "expose" => services::expose(ctx, rest),
        "port-forward" => services::port_forward(ctx, rest),
        "events" => workloads::events(ctx, rest),
        "proxy" => config::proxy(ctx, rest),
        "config" => kubeconfig::config(&mut ctx.cluster.kubeconfig, rest),
        "wait" => {
            let (out, j) = wait::wait(ctx, rest);
            job = j;
            out
        }
        "--help" | "-h" | "help" => Output::ok(commands::KUBECTL_HELP),
        other if other.starts_with('-') => match args::parse("", &argv, &[]) {
            Err(e) => Output::fail(e.replace("See 'kubectl  --help'", "See 'kubectl --help'")),
            Ok(_) => Output::ok(commands::KUBECTL_HELP),
        },
        other => unknown::answer(other),
    };
    ctx.cluster.settle();
    // The API server's warnings come first, as kubectl prints them when the answer arrives.
    let warnings = std::mem::take(&mut ctx.cluster.warnings);
    let mut output = out;
    if !warnings.is_empty() {
        // After the deprecations kubectl printed as it parsed the command.
        let parsed_len: usize = output
            .stderr
            .split_inclusive('\n')
            .take_while(|line| line.starts_with("Flag --"))
            .map(str::len)
            .sum();
        let lines: String = warnings.iter().map(|w| format!("Warning: {w}\n")).collect();
        output.stderr.insert_str(parsed_len, &lines);
    }
    Started { output, job }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_shows_each_commands_text_in_turn() {
        let mut out = Output::fail("Error from server (NotFound): pods \"nope\" not found");
        out.then(Output::ok("1\n"));
        assert_eq!(
            out.terminal_text(),
            "Error from server (NotFound): pods \"nope\" not found\n1\n"
        );
        assert_eq!((out.stdout.as_str(), out.exit_code), ("1\n", 0));
        out.push(Output::fail("late"));
        assert!(out.terminal_text().ends_with("1\nlate\n"));
    }

    #[test]
    fn notices_lead_the_terminal_text_and_errors_follow_the_output() {
        let out = Output {
            stdout: "replicationcontroller \"kubia\" deleted\n".into(),
            stderr: "Flag --record has been deprecated, --record will be removed in the future\nwarning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\nError from server (NotFound): pods \"x\" not found\nWarning: late\n".into(),
            exit_code: 1,
            shown: None,
        };
        assert_eq!(
            out.terminal_text(),
            "Flag --record has been deprecated, --record will be removed in the future\nwarning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\nreplicationcontroller \"kubia\" deleted\nError from server (NotFound): pods \"x\" not found\nWarning: late\n"
        );
    }
}
