//! The facade: one simulated cluster, driven by command lines and virtual time.

use std::collections::BTreeMap;

use crate::api::{Kind, ObjKey};
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::jobs::{self, Limit, Pending, RunningJob};
use crate::kubectl::{self, Ctx, Files};
use crate::kubelet::shell::split_words;
use crate::shell_alias;
use crate::shell_loop;
use crate::textfilter;
use crate::view::ClusterSnapshot;

/// How a simulated cluster is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// Seed of the engine's PRNG: same seed and same commands give the same cluster.
    pub seed: u64,
    /// Worker nodes besides the control-plane node.
    pub worker_nodes: u32,
}

/// The most worker nodes a cluster may have.
pub const MAX_WORKER_NODES: u32 = 100;
/// The longest command line taken (a huge paste gets an error, not a hang).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// The longest `sleep` one command may ask for.
pub const MAX_SLEEP_MS: Millis = 24 * 60 * 60 * 1000;

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { seed: 1, worker_nodes: 3 }
    }
}

/// What a command printed, as a terminal shows it.
pub type CommandOutput = kubectl::Output;

type FileReader = Box<dyn FnMut(&str) -> Option<String>>;

/// What [`Sim::start`] did with a command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Started {
    /// What it printed at once.
    pub output: CommandOutput,
    /// Whether it goes on as the foreground job: the terminal waits for it, reading what it
    /// prints with [`Sim::take_output`] as time runs, until [`Sim::foreground_end`] or
    /// [`Sim::interrupt`].
    pub waiting: bool,
}

/// How the foreground job ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobEnd {
    /// Virtual time at its end.
    pub at_ms: Millis,
    /// Virtual time it ran.
    pub elapsed_ms: Millis,
    /// Its exit status (130 after Ctrl-C).
    pub exit_code: i32,
}

/// The simulated cluster.
pub struct Sim {
    cluster: Cluster,
    files: BTreeMap<String, String>,
    file_reader: Option<FileReader>,
    /// Waiting commands, oldest first.
    jobs: Vec<RunningJob>,
    next_job_id: u64,
    /// The job the terminal waits for.
    foreground: Option<u64>,
    /// How the last foreground job ended, until read.
    foreground_end: Option<JobEnd>,
    /// Ended jobs someone waits for: id and output.
    finished: Vec<(u64, CommandOutput)>,
    /// What jobs printed to the terminal since the last [`Sim::take_output`].
    stream: String,
    /// Whether a loop's command runs now: its `sleep` then waits as a job, not at once.
    in_loop: bool,
    /// bash aliases (`alias k=kubectl`), bounded by [`shell_alias::MAX_ALIASES`].
    aliases: BTreeMap<String, String>,
    /// `$?`: the exit status of the command that ended last.
    last_status: i32,
}

struct SimFiles<'a> {
    files: &'a BTreeMap<String, String>,
    reader: Option<&'a mut FileReader>,
}

impl Files for SimFiles<'_> {
    fn read(&mut self, path: &str) -> Option<String> {
        if let Some(c) =
            self.files.get(path).or_else(|| self.files.get(path.trim_start_matches("./")))
        {
            return Some(c.clone());
        }
        self.reader.as_mut().and_then(|r| r(path))
    }
    fn list(&mut self, path: &str) -> Option<Vec<String>> {
        crate::kubectl::list_dir(self.files.keys(), path)
    }
}

impl Sim {
    /// A fresh cluster built from `config`, bootstrapped and running.
    pub fn new(config: SimConfig) -> Self {
        let config =
            SimConfig { worker_nodes: config.worker_nodes.min(MAX_WORKER_NODES), ..config };
        let mut cluster = Cluster::empty(config);
        crate::bootstrap::bootstrap(&mut cluster);
        cluster.settle();
        let mut sim = Sim::with_cluster(cluster, BTreeMap::new());
        sim.advance(crate::time::SESSION_START_MS);
        sim
    }

    fn with_cluster(cluster: Cluster, files: BTreeMap<String, String>) -> Self {
        Sim {
            cluster,
            files,
            file_reader: None,
            jobs: Vec::new(),
            next_job_id: 1,
            foreground: None,
            foreground_end: None,
            finished: Vec::new(),
            stream: String::new(),
            in_loop: false,
            aliases: BTreeMap::new(),
            last_status: 0,
        }
    }

    /// An independent copy of this cluster and its files, for looking without touching: whatever
    /// runs on the copy (a check's `curl` moving a load balancer's seeded pick, a request counted
    /// by an app) leaves this one as it was. The copy has no file reader and no jobs.
    pub fn fork(&self) -> Sim {
        Sim::with_cluster(self.cluster.clone(), self.files.clone())
    }

    /// The configuration this cluster was made with.
    pub fn config(&self) -> &SimConfig {
        &self.cluster.config
    }

    /// The cluster, for read access.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Current virtual time (ms since the cluster was created).
    pub fn now_ms(&self) -> Millis {
        self.cluster.now_ms()
    }

    /// Virtual time since the session started.
    pub fn session_ms(&self) -> Millis {
        self.cluster.now_ms().saturating_sub(crate::time::SESSION_START_MS)
    }

    /// Advances virtual time by `ms`, firing every timer due on the way; running jobs print
    /// what they see after each instant.
    pub fn advance(&mut self, ms: Millis) {
        let target = self.cluster.now_ms().saturating_add(ms);
        self.run_time(target, None);
    }

    /// Jumps to the next due timer and fires it; returns the new time, or `None` when idle.
    pub fn step(&mut self) -> Option<Millis> {
        let due = self.cluster.clock.next_due_ms()?;
        self.run_time(due, None);
        Some(self.cluster.now_ms())
    }

    /// The one loop that moves time while jobs run: fire the timers of each instant up to
    /// `target`, then poll every job; a job whose deadline (its own, or `timeout`'s) comes is
    /// ended there, after the timers of that instant and before any later ones. With `until`,
    /// it stops as soon as that job has ended.
    fn run_time(&mut self, target: Millis, until: Option<u64>) {
        // A `timeout` of (under) a millisecond ends its job before anything fires.
        self.expire_jobs();
        self.cluster.settle();
        loop {
            if until.is_some_and(|id| self.jobs.iter().all(|j| j.id != id)) {
                return;
            }
            let deadline = self.jobs.iter().map(RunningJob::deadline_ms).fold(target, Millis::min);
            // A loop's next command (or the end of its sleep) is an instant too.
            let wake = self.jobs.iter_mut().filter_map(|j| j.job.as_loop()?.wake_ms()).min();
            let limit = wake.map_or(deadline, |w| w.max(self.cluster.now_ms()).min(deadline));
            if limit == Millis::MAX {
                return;
            }
            if self.cluster.fire_next_timer(limit) {
                self.poll_jobs();
                continue;
            }
            self.cluster.clock.set_now(limit);
            // A loop's turn at this instant comes before a deadline of the same instant, as a
            // timer of it does: a loop ended at T by `timeout` printed what one stopped at T did.
            if wake.is_some_and(|w| w <= limit) {
                self.poll_jobs();
            }
            self.expire_jobs();
            if limit >= target {
                return;
            }
        }
    }

    /// Polls every job once (after an instant's timers, after a command).
    fn poll_jobs(&mut self) {
        let mut i = 0;
        while i < self.jobs.len() {
            if self.jobs[i].job.as_loop().is_some() {
                let id = self.jobs[i].id;
                self.drive_loop(id);
                // Its commands may have ended jobs (`kill %N`), itself included.
                i = self.jobs.iter().position(|j| j.id == id).map_or(i, |at| at + 1);
                continue;
            }
            match self.jobs[i].job.poll(&self.cluster) {
                kubectl::Poll::Waiting(out) => {
                    self.emit(i, out);
                    i += 1;
                }
                kubectl::Poll::Done(out) => {
                    self.emit(i, out);
                    self.end_job(i);
                }
            }
        }
    }

    /// Ends the jobs whose deadline has come: their own (a `--timeout`, a watch's end) first.
    fn expire_jobs(&mut self) {
        let now = self.cluster.now_ms();
        let mut i = 0;
        while i < self.jobs.len() {
            let job = &mut self.jobs[i];
            if job.job.deadline_ms() <= now {
                let out = job.job.expire(&self.cluster);
                self.emit(i, out);
            } else if let Some(ending) =
                job.limit.as_ref().filter(|l| l.at_ms <= now).map(Limit::ending)
            {
                self.emit(i, ending);
            } else {
                i += 1;
                continue;
            }
            self.end_job(i);
        }
    }

    /// Records what job `i` printed: for whoever waits for it, and for the terminal.
    fn emit(&mut self, i: usize, out: CommandOutput) {
        let job = &mut self.jobs[i];
        if job.to_terminal && self.stream.len() < jobs::MAX_STREAM_BYTES {
            self.stream.push_str(&out.terminal_text());
        }
        // A loop's commands print in turn; a watch's notices lead all it prints.
        if job.job.as_loop().is_some() {
            job.output.then(out);
        } else {
            job.output.push(out);
        }
    }

    fn end_job(&mut self, i: usize) {
        let job = self.jobs.remove(i);
        let now = self.cluster.now_ms();
        if self.foreground == Some(job.id) || job.awaited {
            self.last_status = job.output.exit_code;
        }
        if self.foreground == Some(job.id) {
            self.foreground = None;
            self.foreground_end = Some(JobEnd {
                at_ms: now,
                elapsed_ms: now.saturating_sub(job.started_ms),
                exit_code: job.output.exit_code,
            });
        }
        if job.awaited {
            self.finished.push((job.id, job.output));
        }
    }

    fn add_job(&mut self, pending: Pending, number: Option<u32>, to_terminal: bool) -> u64 {
        let id = self.next_job_id;
        self.next_job_id += 1;
        self.jobs.push(RunningJob {
            id,
            number,
            job: pending.job,
            started_ms: self.cluster.now_ms(),
            limit: pending.limit,
            to_terminal,
            awaited: number.is_none(),
            output: CommandOutput::default(),
        });
        id
    }

    /// Runs time until job `id` ends; what it printed. An editor nobody sits at returns what
    /// the job says (`kubectl edit` in a script: its here-document, or the file unchanged).
    fn wait_for(&mut self, id: u64) -> CommandOutput {
        // Each round ends the edit or reopens the editor; the rounds are bounded.
        for _ in 0..=kubectl::MAX_EDIT_ROUNDS {
            let Some(i) = self.jobs.iter().position(|j| j.id == id) else { break };
            let Some(text) = self.jobs[i].job.unattended_editor() else { break };
            self.feed_editor(id, &text);
        }
        self.run_time(Millis::MAX, Some(id));
        if let Some(i) = self.jobs.iter().position(|j| j.id == id) {
            // Only a job with no deadline at all gets here; none is made so.
            self.end_job(i);
        }
        match self.finished.iter().position(|(j, _)| *j == id) {
            Some(i) => self.finished.remove(i).1,
            None => CommandOutput::default(),
        }
    }

    /// Starts a command line as the terminal does: runs it and, when it is a command that waits
    /// (`kubectl get -w`, `rollout status`, `logs -f`), leaves it running as the foreground job
    /// (or, ending in `&`, in the background). Every job then prints what it sees after the
    /// command. A second waiting command while one waits in the foreground runs to its end.
    pub fn start(&mut self, line: &str, stdin: Option<&str>) -> Started {
        let (line, background) = jobs::split_background(line);
        if background && split_words(line).first().is_some_and(|w| w == "sleep") {
            // A sleep in the background holds nothing up.
            self.poll_jobs();
            return Started::default();
        }
        let (mut output, pending) = self.exec(line, stdin);
        let mut waiting = false;
        if let Some(pending) = pending {
            if background {
                match self.next_job_number() {
                    Some(n) => {
                        self.add_job(pending, Some(n), true);
                    }
                    None => output.push(jobs::bash_error(
                        "bash: fork: retry: Resource temporarily unavailable
",
                        254,
                    )),
                }
            } else if self.foreground.is_none() {
                self.foreground = Some(self.add_job(pending, None, true));
                self.foreground_end = None;
                waiting = true;
            } else {
                let id = self.add_job(pending, None, false);
                output.push(self.wait_for(id));
            }
        }
        self.poll_jobs();
        Started { output, waiting }
    }

    /// Runs time until the foreground job ends (a script's line); what it printed after it
    /// started. Its text also went to [`Sim::take_output`].
    pub fn wait_foreground(&mut self) -> CommandOutput {
        let Some(id) = self.foreground else { return CommandOutput::default() };
        let out = self.wait_for(id);
        self.foreground_end = None;
        out
    }

    /// Whether the terminal waits for a foreground job, and since when.
    pub fn foreground_started_ms(&self) -> Option<Millis> {
        let id = self.foreground?;
        self.jobs.iter().find(|j| j.id == id).map(|j| j.started_ms)
    }

    /// How the foreground job ended by itself, once (it finished, failed or reached its
    /// deadline while time ran).
    pub fn foreground_end(&mut self) -> Option<JobEnd> {
        self.foreground_end.take()
    }

    /// Ctrl-C: ends the foreground job where it is, silently (the terminal echoes `^C`).
    pub fn interrupt(&mut self) -> Option<JobEnd> {
        let id = self.foreground.take()?;
        let i = self.jobs.iter().position(|j| j.id == id)?;
        let job = self.jobs.remove(i);
        let now = self.cluster.now_ms();
        Some(JobEnd {
            at_ms: now,
            elapsed_ms: now.saturating_sub(job.started_ms),
            exit_code: jobs::INTERRUPTED_STATUS,
        })
    }

    /// The file the editor shows for the foreground job (`kubectl edit` waiting for it).
    pub fn editor(&self) -> Option<kubectl::EditorFile> {
        let id = self.foreground?;
        self.jobs.iter().find(|j| j.id == id)?.job.editor_file().cloned()
    }

    /// The editor of the foreground job returned `text` (saved and closed): the job goes on
    /// with it, and ends, or reopens the editor ([`Sim::editor`]) with the failures on top.
    pub fn editor_returned(&mut self, text: &str) {
        if self.editor().is_some()
            && let Some(id) = self.foreground
        {
            self.feed_editor(id, text);
        }
    }

    /// Hands job `id` what its editor returned, and records what it printed.
    fn feed_editor(&mut self, id: u64, text: &str) {
        let Some(i) = self.jobs.iter().position(|j| j.id == id) else { return };
        let mut poll = self.jobs[i].job.editor_returned(&mut self.cluster, text);
        self.cluster.settle();
        // The API server's warnings come first, as kubectl prints them when the answer arrives.
        let warnings = std::mem::take(&mut self.cluster.warnings);
        let (kubectl::Poll::Waiting(out) | kubectl::Poll::Done(out)) = &mut poll;
        let lines: String = warnings.iter().map(|w| format!("Warning: {w}\n")).collect();
        out.stderr.insert_str(0, &lines);
        match poll {
            kubectl::Poll::Waiting(out) => self.emit(i, out),
            kubectl::Poll::Done(out) => {
                self.emit(i, out);
                self.end_job(i);
            }
        }
        self.poll_jobs();
    }

    /// What jobs printed to the terminal since the last call, in order.
    pub fn take_output(&mut self) -> String {
        std::mem::take(&mut self.stream)
    }

    /// Background jobs running (`COMMAND &`).
    pub fn background_jobs(&self) -> usize {
        self.jobs.iter().filter(|j| j.number.is_some()).count()
    }

    /// The number (`%N`) the next background job gets: bash's, one above the highest in use;
    /// `None` when [`jobs::MAX_BACKGROUND_JOBS`] run.
    pub fn next_job_number(&self) -> Option<u32> {
        if self.background_jobs() >= jobs::MAX_BACKGROUND_JOBS {
            return None;
        }
        Some(self.jobs.iter().filter_map(|j| j.number).max().unwrap_or(0) + 1)
    }

    /// Adds or replaces a file that `kubectl apply -f NAME` can read (an editor buffer).
    pub fn write_file(&mut self, name: &str, content: &str) {
        self.files.insert(name.to_string(), content.to_string());
    }

    /// The files written with [`Sim::write_file`].
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// Where `-f` falls back to when no buffer has the name (the CLI reads the disk).
    pub fn set_file_reader(&mut self, reader: impl FnMut(&str) -> Option<String> + 'static) {
        self.file_reader = Some(Box::new(reader));
    }

    /// Runs one command line as typed in the terminal.
    pub fn run(&mut self, line: &str) -> CommandOutput {
        self.run_with_stdin(line, None)
    }

    /// Runs one command line with standard input (a heredoc's body), waiting for a command
    /// that waits (its jobs' text is not sent to the terminal stream).
    pub fn run_with_stdin(&mut self, line: &str, stdin: Option<&str>) -> CommandOutput {
        let (mut output, pending) = self.exec(line, stdin);
        if let Some(pending) = pending {
            let id = self.add_job(pending, None, false);
            output.push(self.wait_for(id));
        }
        output
    }

    /// Runs one command line; a command that waits comes back as its job, not yet registered.
    fn exec(&mut self, line: &str, stdin: Option<&str>) -> (CommandOutput, Option<Pending>) {
        let result = self.exec_line(line, stdin);
        if result.1.is_none() {
            self.last_status = result.0.exit_code;
        }
        result
    }

    fn exec_line(&mut self, line: &str, stdin: Option<&str>) -> (CommandOutput, Option<Pending>) {
        if line.len() > MAX_LINE_BYTES {
            return (
                CommandOutput::fail(format!(
                    "bash: command line too long (over {MAX_LINE_BYTES} bytes)"
                )),
                None,
            );
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return (CommandOutput::default(), None);
        }
        if let Some(result) = self.timeout_around_loop(line) {
            return result;
        }
        match shell_loop::keyword(line) {
            Some("for" | "while" | "until") => return self.shell_loop(line, None),
            Some("if") => {
                let stderr = "kubeplay: this shell runs for and while loops and `;` lists, not if statements\n";
                return (jobs::bash_error(stderr, 2), None);
            }
            Some(keyword) => return (shell_loop::syntax_error(keyword), None),
            None => {}
        }
        let list = match shell_loop::split_list(line) {
            Ok(list) => list,
            Err(out) => return (out, None),
        };
        if let Some((last, before)) = list.split_last().filter(|(_, before)| !before.is_empty()) {
            // `cmd1; cmd2`: each runs to its end, whatever the one before returned; the last may
            // wait as a job. A here-document belongs to the command that names it.
            let stdin_for = |c: &str| stdin.filter(|_| c.contains("<<"));
            let mut output = CommandOutput::default();
            for command in before {
                output.then(self.run_with_stdin(command, stdin_for(command)));
            }
            let (last_output, pending) = self.exec(last, stdin_for(last));
            output.then(last_output);
            return (output, pending);
        }
        let line = shell_loop::expand_variable(line, "?", &self.last_status.to_string());
        let line = match self.substitute_commands(&line) {
            Ok(l) => l,
            Err(out) => return (out, None),
        };
        let mut stages = split_pipeline(&line);
        if stages.len() > 1 {
            let first = stages.remove(0);
            let mut out = self.run_with_stdin(&first, stdin);
            for filter in stages {
                if split_words(&filter).first().is_some_and(|w| w == "xargs") {
                    out = self.xargs(&filter, out);
                    continue;
                }
                out = match textfilter::pipe_filter(&filter, out) {
                    Ok(o) => o,
                    Err(e) => return (e, None),
                };
            }
            return (out, None);
        }
        let words = shell_alias::expand(&self.aliases, &split_words(&line));
        let result = self.exec_words(&words, stdin);
        self.cluster.settle();
        result
    }

    /// A loop line (`for ...; done`, `while true; ...; done`) as a job, with `limit` (a `timeout`
    /// around it). Piped on (`done | grep v2`), it runs to its end and its output through the
    /// filters.
    fn shell_loop(&mut self, line: &str, limit: Option<Limit>) -> (CommandOutput, Option<Pending>) {
        if self.in_loop {
            return (CommandOutput::fail("kubeplay: a loop inside a loop is not run here"), None);
        }
        let spec = match shell_loop::parse_loop(line) {
            Ok(spec) => spec,
            Err(out) => return (out, None),
        };
        let values = match &spec.words {
            Some(words) => match self.substitute_commands(words) {
                Ok(words) => Some(
                    split_words(&words).iter().flat_map(|w| shell_loop::expand_braces(w)).collect(),
                ),
                Err(out) => return (out, None),
            },
            None => None,
        };
        let (filters, rest) = (spec.filters.clone(), spec.rest.clone());
        let job = shell_loop::LoopJob::new(spec, values, self.cluster.now_ms());
        let pending = Pending { job: Box::new(job), limit };
        if filters.is_none() && rest.is_none() {
            return (CommandOutput::default(), Some(pending));
        }
        let id = self.add_job(pending, None, false);
        let output = self.wait_for(id);
        let mut output = match filters {
            Some(filters) => split_pipeline(&filters)
                .iter()
                .try_fold(output, |out, filter| textfilter::pipe_filter(filter, out))
                .unwrap_or_else(|failed| failed),
            None => output,
        };
        self.last_status = output.exit_code;
        let Some(rest) = rest else { return (output, None) };
        // `done; cmd`: the commands after the loop, the last of which may wait.
        let (after, pending) = self.exec(&rest, None);
        output.then(after);
        (output, pending)
    }

    /// `xargs [-r] [-n N] [-I STR] [COMMAND [ARGS]]`: runs COMMAND (`echo` by default) with the
    /// words of standard input, all at once, N at a time, or once per line in place of STR.
    fn xargs(&mut self, line: &str, input: CommandOutput) -> CommandOutput {
        const MAX_ITEMS: usize = 1_000;
        let words = split_words(line);
        let mut skip_empty = false;
        let mut per_run: Option<usize> = None;
        let mut replace: Option<String> = None;
        let mut at = 1;
        let usage = |message: String| CommandOutput {
            stderr: format!(
                "{message}Usage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.\n"
            ),
            exit_code: 1,
            ..Default::default()
        };
        while let Some(word) = words.get(at).filter(|w| w.starts_with('-') && w.len() > 1) {
            let (flag, inline) = word.split_at(2);
            let mut value = || -> Option<String> {
                if inline.is_empty() {
                    at += 1;
                    words.get(at).cloned()
                } else {
                    Some(inline.to_string())
                }
            };
            match flag {
                "-r" if inline.is_empty() => skip_empty = true,
                "-n" => match value().and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0) {
                    Some(n) => per_run = Some(n),
                    None => return usage("xargs: invalid number for -n option\n".into()),
                },
                "-I" => match value() {
                    Some(r) => replace = Some(r),
                    None => return usage("xargs: option requires an argument -- 'I'\n".into()),
                },
                _ if word == "--no-run-if-empty" => skip_empty = true,
                _ => {
                    let c = word.chars().nth(1).unwrap_or('-');
                    return usage(format!("xargs: invalid option -- '{c}'\n"));
                }
            }
            at += 1;
        }
        let command: Vec<String> = match words.get(at..) {
            Some(c) if !c.is_empty() => c.to_vec(),
            _ => vec!["echo".to_string()],
        };
        let items: Vec<String> = match replace {
            Some(_) => input
                .stdout
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            None => split_words(&input.stdout),
        };
        let mut output = CommandOutput { stderr: input.stderr, ..Default::default() };
        if items.len() > MAX_ITEMS {
            output.push(CommandOutput::fail(format!(
                "xargs: kubeplay runs at most {MAX_ITEMS} items"
            )));
            return output;
        }
        let runs: Vec<Vec<String>> = match (&replace, per_run) {
            (Some(r), _) => items
                .iter()
                .map(|item| command.iter().map(|w| w.replace(r.as_str(), item)).collect())
                .collect(),
            _ if items.is_empty() && skip_empty => Vec::new(),
            (None, Some(n)) if !items.is_empty() => items
                .chunks(n)
                .map(|chunk| command.iter().chain(chunk).cloned().collect())
                .collect(),
            _ => vec![command.iter().chain(&items).cloned().collect()],
        };
        let mut status = 0;
        for run in runs {
            let (mut out, pending) = self.exec_words(&run, None);
            self.cluster.settle();
            if out.exit_code == 127 && out.stderr.starts_with("bash: ") {
                out.stderr = format!("xargs: {}: No such file or directory\n", run[0]);
            }
            if let Some(pending) = pending {
                let id = self.add_job(pending, None, false);
                out.push(self.wait_for(id));
            }
            // GNU xargs: 127 when the command is missing, 123 when a run failed.
            status = match out.exit_code {
                0 => status,
                127 => 127,
                _ if status == 127 => 127,
                _ => 123,
            };
            output.then(out);
        }
        output.exit_code = status;
        output
    }

    /// `timeout [OPTION] DURATION LOOP` (how the terminal records a loop ended with Ctrl-C): the
    /// loop as a job that `timeout` ends. `None` when `line` is something else.
    fn timeout_around_loop(&mut self, line: &str) -> Option<(CommandOutput, Option<Pending>)> {
        if !line.starts_with("timeout ") {
            return None;
        }
        let mut words = Vec::new();
        let mut rest = line;
        loop {
            rest = rest.trim_start();
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            if word.is_empty() {
                return None;
            }
            if matches!(word, "for" | "while" | "until") {
                break;
            }
            words.push(word.to_string());
            rest = &rest[end..];
        }
        words.push(rest.split_whitespace().next().unwrap_or_default().to_string());
        let args = match jobs::parse_timeout(&words) {
            Ok(args) if args.command_at == words.len() - 1 => args,
            Ok(_) => return None,
            Err(out) => return Some((out, None)),
        };
        let limit = args.duration_ms.map(|ms| Limit {
            at_ms: self.cluster.now_ms().saturating_add(ms),
            status: args.status,
            notice: args.notice,
        });
        Some(self.shell_loop(rest, limit))
    }

    /// Gives loop job `id` its turns due now: the command that waits is polled (or ended at its
    /// deadline), and once none waits and its time has come, the next command runs. Each
    /// command takes [`shell_loop::COMMAND_MS`] of virtual time unless it waits.
    fn drive_loop(&mut self, id: u64) {
        // Every turn ends a waiting command or runs one; a loop runs boundedly many.
        for _ in 0..=2 * shell_loop::MAX_LOOP_COMMANDS {
            let now = self.cluster.now_ms();
            let Some(i) = self.jobs.iter().position(|j| j.id == id) else { return };
            let Some(job) = self.jobs[i].job.as_loop() else { return };
            if job.running {
                return;
            }
            if let Some(child) = job.child.as_mut() {
                let poll = if child.deadline_ms() <= now {
                    kubectl::Poll::Done(child.expire(&self.cluster))
                } else {
                    child.poll(&self.cluster)
                };
                match poll {
                    kubectl::Poll::Waiting(out) => {
                        self.emit(i, out);
                        return;
                    }
                    kubectl::Poll::Done(out) => {
                        job.child = None;
                        job.status = out.exit_code;
                        self.last_status = out.exit_code;
                        job.next_at_ms = now;
                        self.emit(i, out);
                        continue;
                    }
                }
            }
            if job.next_at_ms > now {
                return;
            }
            let command = match job.next_command(now) {
                Ok(Some(command)) => command,
                Ok(None) => {
                    let status = job.status;
                    self.jobs[i].output.exit_code = status;
                    self.end_job(i);
                    return;
                }
                Err(limit) => {
                    self.emit(
                        i,
                        CommandOutput::fail(format!("kubeplay: loop stopped after {limit}")),
                    );
                    self.end_job(i);
                    return;
                }
            };
            job.running = true;
            // Restored, not cleared: another loop may be running a command around this turn.
            let was_in_loop = std::mem::replace(&mut self.in_loop, true);
            let (out, pending) = self.exec(&command, None);
            self.in_loop = was_in_loop;
            // Its command may have ended it (`kill %1` inside itself).
            let Some(i) = self.jobs.iter().position(|j| j.id == id) else { return };
            let Some(job) = self.jobs[i].job.as_loop() else { return };
            job.running = false;
            job.status = out.exit_code;
            match pending {
                Some(pending) => job.child = Some(pending.into_job()),
                None => {
                    job.next_at_ms = self.cluster.now_ms().saturating_add(shell_loop::COMMAND_MS)
                }
            }
            // A loop's output takes each command's status in turn: it ends with the last one's.
            self.emit(i, out);
        }
    }

    /// Runs one simple command, its words split.
    fn exec_words(
        &mut self,
        words: &[String],
        stdin: Option<&str>,
    ) -> (CommandOutput, Option<Pending>) {
        let Some(program) = words.first() else { return (CommandOutput::default(), None) };
        let out = match program.as_str() {
            "kubectl" => {
                let mut files = SimFiles { files: &self.files, reader: self.file_reader.as_mut() };
                let mut ctx = Ctx { cluster: &mut self.cluster, files: &mut files, stdin };
                let started = kubectl::start(&mut ctx, &words[1..]);
                let pending = started.job.map(|job| Pending { job, limit: None });
                return (started.output, pending);
            }
            "timeout" => return self.timeout(words, stdin),
            "kill" => self.kill(words),
            "sleep" => match words.get(1).and_then(|d| parse_sleep(d)) {
                Some(ms) if self.in_loop => {
                    let until_ms = self.cluster.now_ms().saturating_add(ms.min(MAX_SLEEP_MS));
                    let job = Box::new(jobs::SleepJob { until_ms });
                    return (CommandOutput::default(), Some(Pending { job, limit: None }));
                }
                Some(ms) => {
                    self.advance(ms.min(MAX_SLEEP_MS));
                    CommandOutput::default()
                }
                None => CommandOutput {
                    stderr: "sleep: invalid time interval\n".into(),
                    exit_code: 1,
                    ..Default::default()
                },
            },
            "sim" => self.sim_command(&words[1..]),
            "curl" => self.curl(&words[1..]),
            "echo" => CommandOutput::ok(format!("{}\n", words[1..].join(" "))),
            "seq" => shell_loop::seq(&words[1..]),
            "true" => CommandOutput::default(),
            "alias" => shell_alias::alias(&mut self.aliases, &words[1..]),
            "unalias" => shell_alias::unalias(&mut self.aliases, &words[1..]),
            "false" => CommandOutput { exit_code: 1, ..Default::default() },
            // `cat > NAME <<EOF` writes a file into the working directory (share links and
            // saved sessions carry the editor's buffers this way).
            "cat" if stdin.is_some() => match words.get(1..).unwrap_or_default() {
                [redirect, name] if redirect == ">" => {
                    self.write_file(name, stdin.unwrap_or_default());
                    CommandOutput::default()
                }
                [target] if target.starts_with('>') && target.len() > 1 => {
                    self.write_file(&target[1..], stdin.unwrap_or_default());
                    CommandOutput::default()
                }
                _ => CommandOutput::ok(stdin.unwrap_or_default().to_string()),
            },
            _ => CommandOutput {
                stderr: format!("bash: {program}: command not found\n"),
                exit_code: 127,
                ..Default::default()
            },
        };
        (out, None)
    }

    /// `timeout [OPTION] DURATION COMMAND...`: a command that waits gets a deadline DURATION of
    /// virtual time away; `sleep` sleeps at most that long; the rest run as they would.
    fn timeout(
        &mut self,
        words: &[String],
        stdin: Option<&str>,
    ) -> (CommandOutput, Option<Pending>) {
        let args = match jobs::parse_timeout(words) {
            Ok(a) => a,
            Err(out) => return (out, None),
        };
        let command = &words[args.command_at..];
        let known = ["kubectl", "sleep", "sim", "curl", "echo", "cat", "timeout"];
        if !known.contains(&command[0].as_str()) {
            return (jobs::not_found(&command[0]), None);
        }
        let Some(duration_ms) = args.duration_ms else { return self.exec_words(command, stdin) };
        if command[0] == "sleep"
            && !self.in_loop
            && let Some(ms) = command.get(1).and_then(|d| parse_sleep(d))
        {
            let ms = ms.min(MAX_SLEEP_MS);
            self.advance(ms.min(duration_ms));
            if ms <= duration_ms {
                return (CommandOutput::default(), None);
            }
            let stderr = args.notice.unwrap_or_default();
            return (CommandOutput { stderr, exit_code: args.status, ..Default::default() }, None);
        }
        let (out, pending) = self.exec_words(command, stdin);
        let limit = Limit {
            at_ms: self.cluster.now_ms().saturating_add(duration_ms),
            status: args.status,
            notice: args.notice,
        };
        (out, pending.map(|p| Pending { limit: Some(limit), ..p }))
    }

    /// `kill %N`: ends background job N, silently as a script's shell does.
    fn kill(&mut self, words: &[String]) -> CommandOutput {
        let targets = match jobs::parse_kill(words) {
            Ok(t) => t,
            Err(out) => return out,
        };
        let mut out = CommandOutput::default();
        for t in targets {
            let number = t.strip_prefix('%').and_then(|n| n.parse::<u32>().ok());
            match number.and_then(|n| self.jobs.iter().position(|j| j.number == Some(n))) {
                Some(i) => {
                    self.jobs.remove(i);
                }
                None if t.starts_with('%') => {
                    out.push(jobs::bash_error(&format!("bash: kill: {t}: no such job\n"), 1))
                }
                None if t.parse::<u64>().is_ok() => {
                    out.push(jobs::bash_error(&format!("bash: kill: ({t}) - No such process\n"), 1))
                }
                None => out.push(jobs::bash_error(
                    &format!("bash: kill: {t}: arguments must be process or job IDs\n"),
                    1,
                )),
            }
        }
        out
    }

    // `$(command)` runs the inner command and splices in its output, as a shell does
    // (`kubectl delete pod $(kubectl get pods -o jsonpath={.items[0].metadata.name})`).
    fn substitute_commands(&mut self, line: &str) -> Result<String, CommandOutput> {
        const MAX_SUBSTITUTIONS: usize = 8;
        let mut out = String::new();
        let mut count = 0;
        let mut in_single = false;
        let mut i = 0;
        while i < line.len() {
            let rest = &line[i..];
            let c = rest.chars().next().unwrap_or(' ');
            // Single quotes keep `$(...)` literal, as in a shell.
            if c == '\'' {
                in_single = !in_single;
            } else if !in_single && rest.starts_with("$(") {
                let Some(len) = substitution_len(&rest[2..]) else {
                    return Err(CommandOutput {
                        stderr: "bash: unexpected EOF while looking for matching `)'\n".into(),
                        exit_code: 2,
                        ..Default::default()
                    });
                };
                count += 1;
                if count > MAX_SUBSTITUTIONS {
                    return Err(CommandOutput::fail("bash: too many command substitutions"));
                }
                let result = self.run(&rest[2..2 + len]);
                out.push_str(&result.stdout.split_whitespace().collect::<Vec<_>>().join(" "));
                i += 3 + len;
                continue;
            }
            out.push(c);
            i += c.len_utf8();
        }
        Ok(out)
    }

    // A bare curl runs on the learner's machine, outside the cluster.
    fn curl(&mut self, args: &[String]) -> CommandOutput {
        let mut headers = Vec::new();
        let mut url = None;
        let mut silent = false;
        let mut include = false;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-H" | "--header" => headers.extend(it.next().cloned()),
                "-s" | "--silent" => silent = true,
                "-i" | "--include" => include = true,
                "-m" | "--max-time" | "-o" | "--output" | "-X" | "--request"
                | "--connect-timeout" => {
                    it.next();
                }
                a if a.starts_with('-') => {
                    silent |= a.chars().skip(1).any(|c| c == 's');
                    include |= a.chars().skip(1).any(|c| c == 'i');
                }
                a => url = Some(a.to_string()),
            }
        }
        let Some(url) = url else {
            return CommandOutput {
                stderr: "curl: try 'curl --help' or 'curl --manual' for more information\n".into(),
                exit_code: 2,
                ..Default::default()
            };
        };
        // A running `kubectl port-forward` logs each connection to the same terminal.
        let forwarded = crate::network::proxy::parse_url(&url)
            .filter(|u| matches!(u.host.as_str(), "localhost" | "127.0.0.1"))
            .filter(|u| self.cluster.net.port_forwards.contains_key(&u.port))
            .map(|u| format!("Handling connection for {}\n", u.port))
            .unwrap_or_default();
        match crate::network::http(
            &mut self.cluster,
            &crate::network::Client::Outside,
            &url,
            &headers,
        ) {
            Ok(r) => {
                let head =
                    if include { format!("HTTP/1.1 {}\r\n\r\n", r.status) } else { String::new() };
                CommandOutput::ok(format!("{forwarded}{head}{}", r.body))
            }
            Err(e) => CommandOutput {
                stdout: forwarded,
                stderr: if silent {
                    String::new()
                } else {
                    format!("curl: {}\n", e.curl_message())
                },
                exit_code: e.curl_code(),
                shown: None,
            },
        }
    }

    fn sim_command(&mut self, args: &[String]) -> CommandOutput {
        let usage = "usage: sim node-down NODE | sim node-up NODE | sim kill POD [-c CONTAINER] [-n NAMESPACE]\n";
        match args.first().map(String::as_str) {
            Some("node-down") | Some("node-up") => {
                let Some(node) = args.get(1) else { return CommandOutput::fail(usage) };
                if self.cluster.store.get(&ObjKey::new(Kind::Node, "", node)).is_none() {
                    return CommandOutput::fail(format!(
                        "Error from server (NotFound): nodes \"{node}\" not found"
                    ));
                }
                let down = args[0] == "node-down";
                let now = self.cluster.now_ms();
                if down {
                    crate::kubelet::node_down(&mut self.cluster, node, now);
                    CommandOutput::ok(format!(
                        "node {node}: kubelet stopped (the node goes NotReady after the node-monitor grace period)\n"
                    ))
                } else {
                    crate::kubelet::node_up(&mut self.cluster, node);
                    self.cluster.enqueue(
                        crate::controllers::Component::NodeLifecycle,
                        ObjKey::new(Kind::Node, "", node),
                    );
                    CommandOutput::ok(format!("node {node}: kubelet running again\n"))
                }
            }
            Some("kill") => {
                let mut namespace = "default".to_string();
                let mut container = None;
                let mut pod = None;
                let mut i = 1;
                while i < args.len() {
                    match args[i].as_str() {
                        "-c" => {
                            container = args.get(i + 1).cloned();
                            i += 1;
                        }
                        "-n" => {
                            namespace = args.get(i + 1).cloned().unwrap_or_default();
                            i += 1;
                        }
                        p => pod = Some(p.to_string()),
                    }
                    i += 1;
                }
                let Some(pod) = pod else { return CommandOutput::fail(usage) };
                match crate::kubelet::kill_process(
                    &mut self.cluster,
                    &ObjKey::new(Kind::Pod, &namespace, &pod),
                    container.as_deref(),
                ) {
                    Ok(name) => CommandOutput::ok(format!(
                        "pod {pod}: the process of container {name} was killed\n"
                    )),
                    Err(e) => CommandOutput::fail(e),
                }
            }
            _ => CommandOutput::fail(usage),
        }
    }

    /// A picture of the cluster for the view.
    pub fn snapshot(&self) -> ClusterSnapshot {
        ClusterSnapshot::build(&self.cluster)
    }
}

/// Splits a line at `|` outside quotes.
fn split_pipeline(line: &str) -> Vec<String> {
    let mut stages = vec![String::new()];
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '|') => {
                stages.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = stages.last_mut() {
            last.push(c);
        }
    }
    stages.into_iter().map(|s| s.trim().to_string()).collect()
}

/// Where the body of a `$(...)` ends (`s` starts right after `$(`): at the `)` that closes it, as
/// a shell reads it: quoted text and nested parentheses do not count
/// (`$(kubectl get pods -o jsonpath='{.items[?(@.status.phase=="Running")].metadata.name}')`).
fn substitution_len(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => return Some(i),
            (None, ')') => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `30`, `30s`, `500ms`, `5m`, `1h` -> milliseconds.
pub fn parse_sleep(arg: &str) -> Option<Millis> {
    crate::kubectl::parse_duration(arg)
}
