//! The one reducer that owns every state change of a session.
//!
//! [`SimState`] holds the simulated cluster and what the UI derives from it (the last snapshot, the
//! terminal transcript, command history, the play state). Every change is a [`SimAction`] sent
//! through [`SimProvider`]'s reducer; components read the state with [`use_sim`] and never mutate
//! the cluster themselves.
//!
//! The [`Sim`] is not `Clone` (and cloning a cluster per keystroke would be wasteful), so the state
//! keeps it behind an `Rc<RefCell<_>>` handle that successive states share. Only `reduce` borrows
//! it mutably, and every reduction returns a fresh `SimState` whose plain values (snapshot,
//! transcript, ...) tell Yew what changed.
//!
//! While `kubectl edit` waits for its editor ([`EditFile`]), virtual time stands still (play,
//! step and Apply wait): the edit is then recorded as one item that replays at the same instant.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use kubeplay_engine::view::ClusterSnapshot;
use kubeplay_engine::{Sim, SimConfig, lesson, script};

use crate::session::{self, Item, JobEnd};
use yew::prelude::*;

/// Wall-clock period of the play loop.
pub const TICK_MS: u32 = 100;
/// Speeds offered by the time controls, in percent of real time (0.25x ... 50x).
pub const SPEEDS_PCT: [u32; 8] = [25, 50, 100, 200, 500, 1_000, 2_000, 5_000];
/// The terminal keeps at most this many bytes of transcript; older lines scroll away for good.
pub const TRANSCRIPT_BYTES_MAX: usize = 256 * 1024;
/// The terminal remembers at most this many commands for the up/down keys.
pub const HISTORY_LEN_MAX: usize = 500;
/// A command line longer than this is refused before it reaches the engine.
pub const COMMAND_BYTES_MAX: usize = 64 * 1024;

/// Everything the user (or the play loop) can do to a session.
#[derive(Clone, Debug, PartialEq)]
pub enum SimAction {
    /// Run one command line as typed in the terminal.
    Run(String),
    /// The line being typed was abandoned with Ctrl-C (echoed as `$ line^C`).
    Interrupt(String),
    /// Ctrl-C while the terminal waits for a command (`kubectl get -w`): it ends, `^C` shows.
    InterruptJob,
    /// Advance virtual time by this many milliseconds.
    Advance(u64),
    /// Jump to the next due timer of the cluster (the next thing that happens).
    Step,
    /// Start or stop virtual time following the wall clock.
    SetPlaying(bool),
    /// Set the speed, in percent of real time.
    SetSpeed(u32),
    /// Clear the terminal (Ctrl-L, `clear`); history stays.
    ClearTerminal,
    /// Throw the cluster away and start a fresh one from `seed`.
    Reset {
        /// Seed of the new cluster.
        seed: u64,
    },
    /// Replace the session by a replay of `items` on a fresh cluster made from `config` (a share
    /// link or a saved session); `notice` is shown in the error banner (e.g. why a link was
    /// refused).
    Load {
        /// How to make the new cluster.
        config: SimConfig,
        /// What to replay.
        items: Vec<Item>,
        /// A message for the banner, if any.
        notice: Option<String>,
        /// The editor's buffers when the items leave none: the sandbox's template (`true`) or
        /// none (a lesson opens its files itself).
        template: bool,
    },
    /// Start a lesson's cluster from `config` and do `prelude` (the solutions of the steps before
    /// the one opened) quietly: recorded in the session, so a link or reload replays it, but not
    /// typed into the terminal or its history, which show `note` instead.
    StartLesson {
        /// The lesson's cluster.
        config: SimConfig,
        /// What the earlier steps did.
        prelude: Vec<Item>,
        /// The terminal's first line (a `#` comment).
        note: String,
    },
    /// Run a block of a lesson as if typed, command after command (session-script format:
    /// comments, continuations, `cat > FILE <<END` here-documents).
    RunScript(String),
    /// Put `text` into editor buffer `name` (replacing a buffer of that name) and show it.
    OpenFile {
        /// Buffer name (what `-f NAME` reads).
        name: String,
        /// Its content.
        text: String,
    },
    /// Show (or with `None`, dismiss) the error banner.
    SetNotice(Option<String>),
    /// Replace the text of editor buffer `index`.
    EditBuffer {
        /// Which buffer.
        index: usize,
        /// Its new text.
        text: String,
    },
    /// Add an editor buffer (its name is made unique).
    NewBuffer {
        /// Wanted name.
        name: String,
        /// Initial text.
        text: String,
    },
    /// Close editor buffer `index` (the last one stays).
    CloseBuffer(usize),
    /// `kubectl apply -f <buffer>` of buffer `index`.
    Apply(usize),
    /// The text of the file `kubectl edit` waits for, as typed.
    EditText(String),
    /// Save and close the file `kubectl edit` waits for: the editor returns its text.
    EditSave,
    /// Close it without saving: the editor returns the file as kubectl wrote it.
    EditCancel,
}

/// The file `kubectl edit` waits for (kubectl's temporary file), as the editor shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditFile {
    /// kubectl's name for it (`kubectl-edit-<n>.yaml`).
    pub name: String,
    /// The text, with the user's changes.
    pub text: String,
    /// What the editor returned in the rounds before (kubectl reopened it after an error).
    rounds: Vec<String>,
}

/// One editor buffer: a file `kubectl apply -f NAME` can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// File name.
    pub name: String,
    /// Content.
    pub text: String,
}

/// What the last Apply from the editor printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyResult {
    /// The buffer applied.
    pub buffer: String,
    /// Output (stdout then stderr).
    pub text: String,
    /// Whether kubectl succeeded.
    pub ok: bool,
    /// The line of the buffer an error message names, if any.
    pub line: Option<usize>,
}

/// The command the terminal waits for while it prints what happens (`get -w`, `rollout status`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalJob {
    /// The line as typed.
    pub line: String,
    /// Where its `Item::Command` is in the session's items.
    item_at: usize,
    /// The `%N` it would have as a background job in a replay.
    number: Option<u32>,
}

/// One session: the cluster and what the UI shows of it.
#[derive(Clone)]
pub struct SimState {
    sim: Rc<LazySim>,
    /// The cluster as of the last action.
    pub snapshot: Rc<ClusterSnapshot>,
    /// What the terminal printed: `$ command`, then stdout, then stderr, as a terminal shows them.
    pub transcript: Rc<String>,
    /// Commands entered, oldest first.
    pub history: Rc<Vec<String>>,
    /// Whether virtual time follows the wall clock.
    pub playing: bool,
    /// Speed in percent of real time (100 = 1x).
    pub speed_pct: u32,
    /// Seed the cluster was made from.
    pub seed: u64,
    /// What happened in this session, for saving, sharing and replay.
    pub items: Rc<Vec<Item>>,
    /// Editor buffers.
    pub buffers: Rc<Vec<Buffer>>,
    /// What the last Apply from the editor printed.
    pub apply_result: Option<Rc<ApplyResult>>,
    /// A message for the error banner.
    pub notice: Option<Rc<String>>,
    /// What to bring to the front, with a count that changes on every request: an editor buffer
    /// by name, or (empty name) the terminal.
    pub focus: (u64, Rc<str>),
    /// The command the terminal waits for: no prompt until it ends or Ctrl-C.
    pub job: Option<Rc<TerminalJob>>,
    /// The file that job (`kubectl edit`) waits for; virtual time stands still meanwhile.
    pub edit: Option<Rc<EditFile>>,
    /// Lines of a lesson block after a command that waits: they run when it ends by itself
    /// (as typed-ahead lines do in a shell), and Ctrl-C drops them.
    queued: Rc<Vec<Item>>,
    /// What the cluster was made from, while nothing has acted on it yet: a restart from the same
    /// config keeps it, so a first visit does not build the cluster twice.
    untouched: Option<SimConfig>,
}

/// A cluster made on first use: the home page, which shows none, never builds one.
struct LazySim {
    config: SimConfig,
    cell: std::cell::OnceCell<RefCell<Sim>>,
}

impl LazySim {
    fn new(config: SimConfig) -> Rc<Self> {
        Rc::new(LazySim { config, cell: std::cell::OnceCell::new() })
    }

    fn get(&self) -> &RefCell<Sim> {
        self.cell.get_or_init(|| RefCell::new(Sim::new(self.config.clone())))
    }

    fn borrow(&self) -> std::cell::Ref<'_, Sim> {
        self.get().borrow()
    }

    fn borrow_mut(&self) -> std::cell::RefMut<'_, Sim> {
        self.get().borrow_mut()
    }
}

impl PartialEq for SimState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &other.sim)
            && self.snapshot == other.snapshot
            && self.transcript == other.transcript
            && self.history == other.history
            && self.playing == other.playing
            && self.speed_pct == other.speed_pct
            && self.seed == other.seed
            && Rc::ptr_eq(&self.items, &other.items)
            && self.buffers == other.buffers
            && self.apply_result == other.apply_result
            && self.notice == other.notice
            && self.focus == other.focus
            && self.job == other.job
            && self.edit == other.edit
            && Rc::ptr_eq(&self.queued, &other.queued)
    }
}

impl SimState {
    /// A fresh session on a cluster made from `config`; time starts paused.
    pub fn new(config: SimConfig) -> Self {
        let seed = config.seed;
        let untouched = Some(config.clone());
        SimState {
            sim: LazySim::new(config),
            // Empty until the cluster is first used (and snapshotted).
            snapshot: Rc::default(),
            transcript: Rc::default(),
            history: Rc::default(),
            playing: false,
            speed_pct: 100,
            seed,
            items: Rc::default(),
            buffers: Rc::new(default_buffers()),
            apply_result: None,
            notice: None,
            focus: (0, Rc::from("")),
            job: None,
            edit: None,
            queued: Rc::default(),
            untouched,
        }
    }

    /// Evaluates a lesson check against the live cluster without touching it: on a fork (see
    /// [`lesson::check_detached`]), so nothing reaches the transcript, the history, the session's
    /// items (share link, saved session) or the cluster's own future.
    pub fn check(&self, check: &lesson::Check) -> lesson::CheckResult {
        lesson::check_detached(&self.sim.borrow(), check)
    }

    /// The session as items, editor buffers included (written last), for saving and sharing. A
    /// command still waiting is recorded as if Ctrl-C came now.
    pub fn session_items(&self) -> Vec<Item> {
        let mut items = (*self.items).clone();
        if let (Some(job), Some(_)) = (&self.job, &self.edit) {
            // An edit not saved yet changed nothing: it is not recorded.
            items.truncate(job.item_at);
        } else if let Some(job) = &self.job {
            let sim = self.sim.borrow();
            let started_ms = sim.foreground_started_ms().unwrap_or(sim.now_ms());
            let elapsed_ms = sim.now_ms().saturating_sub(started_ms);
            items = session::ended_job(
                &items,
                job.item_at,
                elapsed_ms,
                JobEnd::Interrupted,
                job.number,
            );
        }
        items.extend(self.buffers.iter().map(|b| Item::File(b.name.clone(), b.text.clone())));
        items
    }

    /// Worker nodes of the session's cluster.
    pub fn worker_nodes(&self) -> u32 {
        self.sim.borrow().config().worker_nodes
    }

    /// Output of a read-only command (`kubectl describe`, `get -o yaml`) for the detail pane; not
    /// recorded in the session.
    pub fn query(&self, line: &str) -> String {
        self.sim.borrow_mut().run(line).terminal_text()
    }

    /// Writes editor buffers the engine does not have yet (so `kubectl apply -f NAME` typed in the
    /// terminal reads what the editor shows), recording each write in the session.
    fn sync_buffers(&mut self) {
        let buffers = self.buffers.clone();
        for b in buffers.iter() {
            let stale = self.sim.borrow().files().get(&b.name) != Some(&b.text);
            if stale {
                self.sim.borrow_mut().write_file(&b.name, &b.text);
                self.record(Item::File(b.name.clone(), b.text.clone()));
            }
        }
    }

    fn record(&mut self, item: Item) {
        self.items = Rc::new(session::pushed(&self.items, item));
    }

    /// Runs one command line, echoing it and its output into the transcript. A command that
    /// waits goes on as the terminal's job.
    fn run_line(&mut self, line: &str) -> (bool, String) {
        let mut text = format!("$ {line}\n");
        let mut output = String::new();
        let mut ok = true;
        if line.len() > COMMAND_BYTES_MAX {
            output.push_str("kubeplay: command line too long\n");
            ok = false;
        } else if !line.trim().is_empty() {
            self.sync_buffers();
            let number = self.sim.borrow().next_job_number();
            let (out, waiting) = self.start(line, None);
            output.push_str(&out.terminal_text());
            output.push_str(&self.sim.borrow_mut().take_output());
            ok = out.exit_code == 0;
            self.history = Rc::new(pushed_history(&self.history, line));
            self.record(Item::Command(line.to_owned()));
            if waiting {
                let job =
                    TerminalJob { line: line.to_owned(), item_at: self.items.len() - 1, number };
                self.job = Some(Rc::new(job));
                self.open_editor(Vec::new());
            }
        }
        text.push_str(&output);
        self.transcript = Rc::new(appended_transcript(&self.transcript, &text));
        (ok, output)
    }

    /// Starts a line in the engine; its output, and whether it waits in the foreground.
    fn start(&mut self, line: &str, stdin: Option<&str>) -> (kubeplay_engine::CommandOutput, bool) {
        let started = self.sim.borrow_mut().start(line, stdin);
        (started.output, started.waiting)
    }

    /// Runs a line to its end, waiting for a command that waits; what the terminal showed.
    fn run_to_end(&mut self, line: &str, stdin: Option<&str>) -> String {
        let mut sim = self.sim.borrow_mut();
        let started = sim.start(line, stdin);
        let mut text = started.output.terminal_text();
        if started.waiting {
            sim.wait_foreground();
        }
        text.push_str(&sim.take_output());
        text
    }

    /// Shows the file the terminal's job waits for in the editor, if it waits for one.
    fn open_editor(&mut self, rounds: Vec<String>) {
        let file = self.sim.borrow().editor();
        self.edit = file.map(|f| Rc::new(EditFile { name: f.name, text: f.text, rounds }));
        if let Some(e) = &self.edit {
            self.focus = (self.focus.0 + 1, Rc::from(e.name.as_str()));
        }
    }

    /// The editor returns `text` to `kubectl edit`: it ends (recorded as the line with what the
    /// editor returned, round by round) or reopens the file with the failures on top.
    fn return_edit(&mut self, text: String) {
        let Some(edit) = self.edit.take() else { return };
        self.sim.borrow_mut().editor_returned(&text);
        self.drain();
        let mut rounds = edit.rounds.clone();
        rounds.push(text);
        if self.sim.borrow_mut().foreground_end().is_none() {
            self.open_editor(rounds);
            return;
        }
        if let Some(job) = self.job.take() {
            let body = kubeplay_engine::kubectl::join_rounds(&rounds);
            let mut items = (*self.items).clone();
            if let Some(item) = items.get_mut(job.item_at) {
                *item = Item::Edit { line: job.line.clone(), body };
            }
            self.items = Rc::new(items);
        }
        self.focus = (self.focus.0 + 1, Rc::from(""));
        let queued = std::mem::take(&mut self.queued);
        self.run_items(queued.iter().cloned());
    }

    /// Appends what running jobs printed since the last look to the transcript.
    fn drain(&mut self) {
        let text = self.sim.borrow_mut().take_output();
        if !text.is_empty() {
            self.transcript = Rc::new(appended_transcript(&self.transcript, &text));
        }
    }

    /// After time moved: the job's output, and if it ended by itself, its recording and the
    /// lines queued behind it.
    fn after_time(&mut self) {
        self.drain();
        let end = self.sim.borrow_mut().foreground_end();
        if let Some(end) = end {
            self.end_job(end.elapsed_ms, JobEnd::Finished);
            let queued = std::mem::take(&mut self.queued);
            self.run_items(queued.iter().cloned());
        }
    }

    /// Rewrites the recording of the terminal's job now that it has ended.
    fn end_job(&mut self, elapsed_ms: u64, end: JobEnd) {
        if let Some(job) = self.job.take() {
            let items = session::ended_job(&self.items, job.item_at, elapsed_ms, end, job.number);
            self.items = Rc::new(items);
        }
    }

    /// Ctrl-C on the terminal's job: it ends where it is, the lines queued behind it are dropped.
    fn interrupt_job(&mut self) {
        let end = self.sim.borrow_mut().interrupt();
        if let (Some(_), Some(job)) = (self.edit.take(), &self.job) {
            // kubectl killed in its editor: nothing changed, nothing to replay.
            let items: Vec<Item> = self.items[..job.item_at].to_vec();
            self.items = Rc::new(items);
            self.transcript = Rc::new(appended_transcript(&self.transcript, "^C\n"));
            self.focus = (self.focus.0 + 1, Rc::from(""));
        } else if let Some(end) = end {
            self.drain();
            self.end_job(end.elapsed_ms, JobEnd::Interrupted);
            self.transcript = Rc::new(appended_transcript(&self.transcript, "^C\n"));
        }
        self.job = None;
        self.queued = Rc::default();
    }

    /// Runs items as typed, one after another; once one waits, the rest wait in the queue.
    fn run_items(&mut self, items: impl Iterator<Item = Item>) {
        let mut items = items.peekable();
        while let Some(item) = items.next() {
            self.run_item(item, false);
            if self.job.is_some() {
                self.queued = Rc::new(items.collect());
                return;
            }
        }
    }

    /// A command while the terminal waits for another: the editor's Apply, as if from a second
    /// terminal. Its output is the caller's; what the waiting command prints about it streams.
    fn run_beside_job(&mut self, line: &str) -> (bool, String) {
        self.sync_buffers();
        let (out, _) = self.start(line, None);
        self.record(Item::Command(line.to_owned()));
        self.drain();
        (out.exit_code == 0, out.terminal_text())
    }

    /// Does one session item as typed (`quiet`: recorded, but neither echoed nor remembered in
    /// the history). Files also update an editor buffer of the same name, so that the next
    /// command does not write the buffer's older text over them.
    fn run_item(&mut self, item: Item, quiet: bool) {
        match item {
            Item::Command(line) if quiet => {
                if !line.trim().is_empty() && line.len() <= COMMAND_BYTES_MAX {
                    self.sync_buffers();
                    self.run_to_end(&line, None);
                    self.record(Item::Command(line));
                }
            }
            Item::Command(line) => {
                self.run_line(&line);
            }
            Item::Interrupted { line, after_ms } => {
                let timed =
                    format!("timeout -s INT {} {line}", kubeplay_engine::jobs::seconds(after_ms));
                let out = self.run_to_end(&timed, None);
                if !quiet {
                    let shown = format!("$ {line}\n{out}^C\n");
                    self.transcript = Rc::new(appended_transcript(&self.transcript, &shown));
                    self.history = Rc::new(pushed_history(&self.history, &line));
                }
                self.record(Item::Interrupted { line, after_ms });
            }
            Item::Sleep(ms) => {
                self.sim.borrow_mut().advance(ms);
                self.record(Item::Sleep(ms));
                self.drain();
            }
            Item::File(name, text) => {
                if !quiet {
                    let typed = format!("$ cat > {name} <<'END'\n{}END\n", with_newline(&text));
                    self.transcript = Rc::new(appended_transcript(&self.transcript, &typed));
                    self.history = Rc::new(pushed_history(&self.history, &format!("cat > {name}")));
                }
                if let Some(b) = Rc::make_mut(&mut self.buffers).iter_mut().find(|b| b.name == name)
                {
                    b.text = text.clone();
                }
                self.sim.borrow_mut().write_file(&name, &text);
                self.record(Item::File(name, text));
            }
            Item::Edit { line, body } => {
                let out = self.run_to_end(&line, Some(&body));
                if !quiet {
                    let shown = format!("$ {line}\n{out}");
                    self.transcript = Rc::new(appended_transcript(&self.transcript, &shown));
                    self.history = Rc::new(pushed_history(&self.history, &line));
                }
                self.record(Item::Edit { line, body });
            }
            Item::Input(line, body) => {
                self.sync_buffers();
                let out = self.run_to_end(&line, Some(&body));
                if !quiet {
                    let typed = format!("$ {line} <<'END'\n{}END\n{out}", with_newline(&body));
                    self.transcript = Rc::new(appended_transcript(&self.transcript, &typed));
                    self.history = Rc::new(pushed_history(&self.history, &line));
                }
                self.record(Item::Input(line, body));
            }
        }
    }

    /// A fresh cluster from `config`, nothing recorded yet; the speed and the history of typed
    /// commands (for ↑) stay.
    fn restart(&mut self, config: SimConfig, untouched: Option<SimConfig>) {
        self.seed = config.seed;
        if untouched.as_ref() != Some(&config) {
            self.sim = LazySim::new(config);
        }
        self.job = None;
        self.edit = None;
        self.queued = Rc::default();
        self.items = Rc::default();
        self.transcript = Rc::default();
        self.apply_result = None;
        self.playing = false;
    }

    /// This state with a fresh snapshot of the (just mutated) cluster.
    fn resnapshot(mut self) -> Rc<Self> {
        self.snapshot = Rc::new(self.sim.borrow().snapshot());
        Rc::new(self)
    }
}

impl Default for SimState {
    fn default() -> Self {
        SimState::new(SimConfig::default())
    }
}

impl Reducible for SimState {
    type Action = SimAction;

    fn reduce(self: Rc<Self>, action: SimAction) -> Rc<Self> {
        let mut next = (*self).clone();
        // Every action but a restart may act on the cluster.
        let untouched = next.untouched.take();
        match action {
            // A terminal running a command takes no new line.
            SimAction::Run(_) if next.job.is_some() => self,
            SimAction::Run(line) => {
                let line = line.trim_end_matches(['\r', '\n']).to_owned();
                next.run_line(&line);
                next.resnapshot()
            }
            SimAction::InterruptJob => {
                next.interrupt_job();
                next.resnapshot()
            }
            SimAction::Interrupt(line) => {
                next.transcript =
                    Rc::new(appended_transcript(&next.transcript, &format!("$ {line}^C\n")));
                Rc::new(next)
            }
            // Time stands still while kubectl edit waits for its editor (see the module header).
            SimAction::Advance(_) | SimAction::Step | SimAction::Apply(_)
                if next.edit.is_some() =>
            {
                self
            }
            SimAction::Advance(ms) => {
                let t0 = wall_ms();
                let advanced = advance_within_budget(&mut next.sim.borrow_mut(), ms, t0);
                let t1 = wall_ms();
                next.record(Item::Sleep(advanced));
                next.after_time();
                let next = next.resnapshot();
                probe(t1 - t0, wall_ms() - t1);
                next
            }
            SimAction::Step => {
                let before = next.sim.borrow().now_ms();
                let after = next.sim.borrow_mut().step();
                if let Some(after) = after {
                    next.record(Item::Sleep(after.saturating_sub(before)));
                }
                next.after_time();
                next.resnapshot()
            }
            SimAction::SetPlaying(playing) => {
                next.playing = playing;
                Rc::new(next)
            }
            SimAction::SetSpeed(pct) => {
                next.speed_pct = pct.clamp(SPEEDS_PCT[0], SPEEDS_PCT[SPEEDS_PCT.len() - 1]);
                Rc::new(next)
            }
            SimAction::ClearTerminal => {
                next.transcript = Rc::default();
                Rc::new(next)
            }
            SimAction::Reset { seed } => {
                next.restart(SimConfig { seed, ..SimConfig::default() }, untouched);
                next.resnapshot()
            }
            SimAction::StartLesson { config, prelude, note } => {
                next.restart(config, untouched);
                next.buffers = Rc::default();
                next.notice = None;
                for item in prelude {
                    next.run_item(item, true);
                }
                next.transcript = Rc::new(appended_transcript("", &note));
                next.resnapshot()
            }
            SimAction::RunScript(text) => {
                next.focus = (next.focus.0 + 1, Rc::from(""));
                // A lesson's Run is Ctrl-C and typing: the watch in the terminal ends first.
                next.interrupt_job();
                match script::parse(&text) {
                    Ok(commands) => next.run_items(commands.iter().map(Item::of_command)),
                    Err(e) => {
                        let msg = format!("kubeplay: {e}\n");
                        next.transcript = Rc::new(appended_transcript(&next.transcript, &msg));
                    }
                }
                next.resnapshot()
            }
            SimAction::OpenFile { name, text } => {
                let buffers = Rc::make_mut(&mut next.buffers);
                match buffers.iter_mut().find(|b| b.name == name) {
                    Some(b) => b.text = text,
                    None => {
                        if buffers.len() >= BUFFERS_MAX {
                            buffers.remove(0);
                        }
                        buffers.push(Buffer { name: name.clone(), text });
                    }
                }
                next.focus = (next.focus.0 + 1, Rc::from(name.as_str()));
                Rc::new(next)
            }
            SimAction::Load { config, items, notice, template } => {
                next.restart(config, untouched);
                next.notice = notice.map(Rc::new);
                // Files after the last command are the editor's buffers at save time, not steps.
                let steps =
                    items.iter().rposition(|i| !matches!(i, Item::File(..))).map_or(0, |p| p + 1);
                let mut buffers: Vec<Buffer> = Vec::new();
                // During the replay only the script's own file writes count.
                next.buffers = Rc::default();
                // While a watch recorded as `LINE &` runs: the `kill` that ends it.
                let mut beside: Option<String> = None;
                let rest = items.clone();
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Item::File(name, text) => {
                            if i < steps {
                                next.sim.borrow_mut().write_file(&name, &text);
                                next.record(Item::File(name.clone(), text.clone()));
                            }
                            match buffers.iter_mut().find(|b| b.name == name) {
                                Some(b) => b.text = text,
                                None => buffers.push(Buffer { name, text }),
                            }
                        }
                        // The end of a watch that ran beside editor applies: Ctrl-C, as shown.
                        Item::Command(line) if Some(&line) == beside.as_ref() => {
                            next.run_to_end(&line, None);
                            next.record(Item::Command(line));
                            next.transcript =
                                Rc::new(appended_transcript(&next.transcript, "^C\n"));
                            beside = None;
                        }
                        Item::Command(line) if beside.is_some() => {
                            let (ok, text) = next.run_beside_job(&line);
                            next.apply_result = Some(Rc::new(ApplyResult {
                                buffer: line.rsplit(' ').next().unwrap_or_default().to_owned(),
                                line: if ok { None } else { error_line(&text) },
                                text,
                                ok,
                            }));
                        }
                        Item::Command(line) => {
                            let (head, background) = kubeplay_engine::jobs::split_background(&line);
                            let number = next.sim.borrow().next_job_number();
                            let kill = number.map(session::interrupt_line);
                            let later = &rest[i + 1..];
                            if background
                                && kill.as_ref().is_some_and(|k| {
                                    later.iter().any(|l| matches!(l, Item::Command(c) if c == k))
                                })
                            {
                                // The terminal's watch, recorded in the background form:
                                // shown as typed.
                                let out = next.run_to_end(&line, None);
                                let shown = format!("$ {head}\n{out}");
                                next.transcript =
                                    Rc::new(appended_transcript(&next.transcript, &shown));
                                next.history = Rc::new(pushed_history(&next.history, head));
                                next.record(Item::Command(line.clone()));
                                beside = kill;
                            } else {
                                next.run_item(Item::Command(line), false);
                                // A command that finished by itself when recorded: run it so
                                // (an editor then saves the file unchanged).
                                if next.job.take().is_some() {
                                    next.edit = None;
                                    next.sim.borrow_mut().wait_foreground();
                                    next.drain();
                                }
                            }
                        }
                        item => next.run_item(item, false),
                    }
                }
                buffers.truncate(BUFFERS_MAX);
                next.buffers = Rc::new(if buffers.is_empty() && template {
                    default_buffers()
                } else {
                    buffers
                });
                next.resnapshot()
            }
            SimAction::EditText(text) => {
                if let Some(edit) = next.edit.as_mut() {
                    Rc::make_mut(edit).text = text;
                }
                Rc::new(next)
            }
            SimAction::EditSave => {
                let Some(text) = next.edit.as_ref().map(|e| e.text.clone()) else { return self };
                next.return_edit(text);
                next.resnapshot()
            }
            SimAction::EditCancel => {
                let Some(text) = next.sim.borrow().editor().map(|f| f.text) else { return self };
                next.return_edit(text);
                next.resnapshot()
            }
            SimAction::SetNotice(notice) => {
                next.notice = notice.map(Rc::new);
                Rc::new(next)
            }
            SimAction::EditBuffer { index, text } => {
                if let Some(b) = Rc::make_mut(&mut next.buffers).get_mut(index) {
                    b.text = text;
                }
                Rc::new(next)
            }
            SimAction::NewBuffer { name, text } => {
                if next.buffers.len() < BUFFERS_MAX {
                    let name = unique_name(&next.buffers, &name);
                    Rc::make_mut(&mut next.buffers).push(Buffer { name, text });
                }
                Rc::new(next)
            }
            SimAction::CloseBuffer(index) => {
                if next.buffers.len() > 1 && index < next.buffers.len() {
                    Rc::make_mut(&mut next.buffers).remove(index);
                }
                Rc::new(next)
            }
            SimAction::Apply(index) => {
                let Some(buffer) = next.buffers.get(index).cloned() else { return self };
                let line = format!("kubectl apply -f {}", buffer.name);
                // Beside a watch (it sees what the apply does); a watch that could not be
                // replayed in the background is ended first.
                if next.job.as_ref().is_some_and(|j| j.number.is_none()) {
                    next.interrupt_job();
                }
                let (ok, text) = if next.job.is_some() {
                    next.run_beside_job(&line)
                } else {
                    next.run_line(&line)
                };
                let line = if ok { None } else { error_line(&text) };
                next.apply_result =
                    Some(Rc::new(ApplyResult { buffer: buffer.name, text, ok, line }));
                next.resnapshot()
            }
        }
    }
}

/// The most editor buffers open at once.
pub const BUFFERS_MAX: usize = 12;

/// The buffers a new session starts with.
fn default_buffers() -> Vec<Buffer> {
    vec![Buffer { name: "web.yaml".into(), text: crate::templates::DEPLOYMENT.into() }]
}

/// `name`, or `name-2.yaml`, `name-3.yaml`... if a buffer already has it.
fn unique_name(buffers: &[Buffer], name: &str) -> String {
    let name = if crate::session::valid_file_name(name) { name } else { "untitled.yaml" };
    if buffers.iter().all(|b| b.name != name) {
        return name.to_owned();
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "yaml"));
    (2..)
        .map(|i| format!("{stem}-{i}.{ext}"))
        .find(|n| buffers.iter().all(|b| &b.name != n))
        .unwrap_or_default()
}

/// The line number an error message names (`line 7`, `line 7:`), if any.
pub fn error_line(message: &str) -> Option<usize> {
    let at = message.find("line ")?;
    let digits: String = message[at + 5..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&n| n > 0)
}

/// Wall-clock milliseconds (a constant 0 off the browser, where nothing is timed).
fn wall_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    0.0
}

/// Wall-clock budget of one play-loop tick in the engine (ms): when a busy cluster needs more,
/// virtual time falls behind the chosen speed instead of freezing the page.
pub const TICK_BUDGET_MS: f64 = 40.0;

/// Advances up to `ms` of virtual time, timer by timer, stopping early once [`TICK_BUDGET_MS`] of
/// wall time (counted from `started`) is spent; returns how far it got. Same timers fire in the
/// same order as one `advance(ms)`, so a replay with `sleep` of the result gives the same cluster.
fn advance_within_budget(sim: &mut Sim, ms: u64, started: f64) -> u64 {
    let from = sim.now_ms();
    let target = from.saturating_add(ms);
    while let Some(due) = kubeplay_engine::view::next_due_ms(sim.cluster()) {
        if due > target {
            break;
        }
        if wall_ms() - started > TICK_BUDGET_MS && due > from {
            // Out of budget: stop just before this timer (it fires next tick).
            let to = due.saturating_sub(1).max(sim.now_ms());
            sim.advance(to - sim.now_ms());
            return to - from;
        }
        sim.step();
    }
    sim.advance(target - sim.now_ms());
    ms
}

/// Publishes how long the last play-loop tick spent in the engine and in the snapshot as
/// `[advance_ms, snapshot_ms]` appended to `window.__kpTicks` (read by the e2e frame-time figures).
fn probe(advance_ms: f64, snapshot_ms: f64) {
    probe_push("__kpTicks", advance_ms, snapshot_ms);
}

/// Appends `[a, b]` to the bounded array `window[name]` (created on first use).
fn probe_push(name: &str, a: f64, b: f64) {
    #[cfg(target_arch = "wasm32")]
    if let Some(w) = web_sys::window() {
        let key = wasm_bindgen::JsValue::from_str(name);
        let list = js_sys::Reflect::get(&w, &key)
            .ok()
            .and_then(|v| wasm_bindgen::JsCast::dyn_into::<js_sys::Array>(v).ok())
            .unwrap_or_else(|| {
                let a = js_sys::Array::new();
                let _ = js_sys::Reflect::set(&w, &key, &a);
                a
            });
        if list.length() >= 2_000 {
            list.shift();
        }
        list.push(&js_sys::Array::of2(&a.into(), &b.into()));
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (name, a, b);
}

/// `text`, ending with a newline.
fn with_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') { text.to_owned() } else { format!("{text}\n") }
}

/// `text` appended to `transcript`, dropping whole lines from the front beyond the byte limit.
fn appended_transcript(transcript: &str, text: &str) -> String {
    let mut out = String::with_capacity(transcript.len() + text.len());
    out.push_str(transcript);
    out.push_str(text);
    if out.len() > TRANSCRIPT_BYTES_MAX {
        let cut = out.len() - TRANSCRIPT_BYTES_MAX;
        let cut = out[cut..].find('\n').map_or(out.len(), |i| cut + i + 1);
        out.drain(..cut);
    }
    out
}

/// `history` with `line` added, unless it repeats the last entry; bounded.
fn pushed_history(history: &[String], line: &str) -> Vec<String> {
    let mut out = history.to_vec();
    if out.last().map(String::as_str) != Some(line) {
        out.push(line.to_owned());
    }
    if out.len() > HISTORY_LEN_MAX {
        out.drain(..out.len() - HISTORY_LEN_MAX);
    }
    out
}

/// Virtual milliseconds one play-loop tick advances at `speed_pct`.
pub fn tick_advance_ms(speed_pct: u32) -> u64 {
    u64::from(TICK_MS) * u64::from(speed_pct) / 100
}

/// The session as components see it: read the state, dispatch actions.
pub type SimHandle = UseReducerHandle<SimState>;

/// Props of [`SimProvider`].
#[derive(Properties, PartialEq)]
pub struct SimProviderProps {
    /// The part of the app that may use [`use_sim`].
    pub children: Html,
}

/// Owns the session reducer, shares it through a context, and drives the play loop: while playing,
/// every [`TICK_MS`] of wall time it advances virtual time by that much times the speed.
#[component]
pub fn SimProvider(props: &SimProviderProps) -> Html {
    let sim = use_reducer(SimState::default);
    let dispatcher = sim.dispatcher();
    use_effect_with((sim.playing, sim.speed_pct), move |&(playing, speed_pct)| {
        let tick_ms = tick_advance_ms(speed_pct);
        let interval = playing.then(|| {
            Interval::new(TICK_MS, move || {
                let t0 = wall_ms();
                dispatcher.dispatch(SimAction::Advance(tick_ms));
                probe_push("__kpLoop", wall_ms() - t0, 0.0);
            })
        });
        move || drop(interval)
    });
    html! {
        <ContextProvider<SimHandle> context={sim}>
            { props.children.clone() }
        </ContextProvider<SimHandle>>
    }
}

/// The session of the enclosing [`SimProvider`].
#[hook]
pub fn use_sim() -> SimHandle {
    use_context::<SimHandle>().expect("use_sim() needs a SimProvider above it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_drops_whole_lines_beyond_the_limit() {
        let line = "x".repeat(1023) + "\n";
        let mut t = String::new();
        for _ in 0..300 {
            t = appended_transcript(&t, &line);
        }
        assert!(t.len() <= TRANSCRIPT_BYTES_MAX);
        assert!(t.starts_with('x') && t.ends_with('\n'));
        assert_eq!(t.len() % 1024, 0);
    }

    #[test]
    fn history_skips_repeats_and_is_bounded() {
        let mut h = Vec::new();
        for i in 0..(HISTORY_LEN_MAX + 10) {
            h = pushed_history(&h, &format!("cmd {i}"));
            h = pushed_history(&h, &format!("cmd {i}"));
        }
        assert_eq!(h.len(), HISTORY_LEN_MAX);
        assert_eq!(
            h.last().map(String::as_str),
            Some(format!("cmd {}", HISTORY_LEN_MAX + 9).as_str())
        );
    }

    #[test]
    fn a_restart_starts_clean_whether_or_not_it_reuses_the_untouched_cluster() {
        let names =
            |s: &SimState| s.snapshot.pods.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        let fresh = Rc::new(SimState::default());
        // A first visit's sandbox load: the cluster made at start-up serves as it is.
        let loaded = fresh.clone().reduce(SimAction::Load {
            config: SimConfig::default(),
            items: Vec::new(),
            notice: None,
            template: true,
        });
        assert!(Rc::ptr_eq(&fresh.sim, &loaded.sim), "made the same cluster twice");
        let clean = names(&loaded);
        assert!(clean.iter().any(|n| n.starts_with("coredns-")), "{clean:?}");
        let used = loaded.clone().reduce(SimAction::Apply(0)).reduce(SimAction::Advance(30_000));
        assert!(names(&used).iter().any(|n| n.starts_with("web-")));
        let reset = used.clone().reduce(SimAction::Reset { seed: 1 });
        assert!(!Rc::ptr_eq(&used.sim, &reset.sim), "kept a cluster that was used");
        assert_eq!(names(&reset), clean);
        assert_eq!(reset.snapshot.now_ms, loaded.snapshot.now_ms);
    }

    #[test]
    fn replaying_a_session_gives_the_same_pods() {
        let s = Rc::new(SimState::default());
        let s = s.reduce(SimAction::Apply(0)).reduce(SimAction::Advance(30_000));
        let s = s.reduce(SimAction::EditBuffer {
            index: 0,
            text: crate::templates::DEPLOYMENT.replace("replicas: 3", "replicas: 5"),
        });
        let s = s.reduce(SimAction::Run("kubectl apply -f web.yaml".into()));
        let s = s.reduce(SimAction::Step).reduce(SimAction::Advance(30_000));
        let names =
            |s: &SimState| s.snapshot.pods.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        let pods = names(&s);
        assert_eq!(pods.iter().filter(|n| n.starts_with("web-")).count(), 5);
        let items = s.session_items();
        let script = session::to_script(&items);
        let replayed = Rc::new(SimState::default()).reduce(SimAction::Load {
            config: SimConfig { seed: s.seed, ..SimConfig::default() },
            items: session::from_script(&script).unwrap(),
            notice: None,
            template: true,
        });
        assert_eq!(names(&replayed), pods);
        assert_eq!(replayed.snapshot.now_ms, s.snapshot.now_ms);
        assert_eq!(replayed.buffers, s.buffers);
    }

    #[test]
    fn an_edit_waits_for_the_editor_with_time_still_and_replays_from_its_recording() {
        let s = Rc::new(SimState::default());
        let s = s.reduce(SimAction::Apply(0)).reduce(SimAction::Advance(30_000));
        let s = s.reduce(SimAction::Run("kubectl edit deploy web".into()));
        let edit = s.edit.clone().expect("the editor is open");
        assert!(edit.name.starts_with("kubectl-edit-") && edit.text.contains("  replicas: 3\n"));
        assert_eq!(s.focus.1.as_ref(), edit.name.as_str());
        let now_ms = s.snapshot.now_ms;
        let s = s.reduce(SimAction::Advance(5_000)).reduce(SimAction::Step);
        assert_eq!(s.snapshot.now_ms, now_ms, "time stands still while the editor is open");
        // A rejected edit reopens the file with the error on top; the command still waits.
        let s =
            s.reduce(SimAction::EditText(edit.text.replace("  replicas: 3\n", "  replicas: -1\n")));
        let s = s.reduce(SimAction::EditSave);
        let reopened = s.edit.clone().expect("reopened");
        assert!(
            reopened.text.contains("# * spec.replicas: Invalid value: -1"),
            "{}",
            reopened.text
        );
        assert!(s.transcript.ends_with("error: deployments.apps \"web\" is invalid\n"));
        let s = s.reduce(SimAction::EditText(
            reopened.text.replace("  replicas: -1\n", "  replicas: 5\n"),
        ));
        let s = s.reduce(SimAction::EditSave).reduce(SimAction::Advance(30_000));
        assert!(s.edit.is_none() && s.job.is_none());
        assert!(s.transcript.ends_with("deployment.apps/web edited\n"), "{}", s.transcript);
        let names =
            |s: &SimState| s.snapshot.pods.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&s).iter().filter(|n| n.starts_with("web-")).count(), 5);
        let script = session::to_script(&s.session_items());
        assert!(
            script.contains("\nkubectl edit deploy web <<'KUBEPLAY_EOF'\n# Please edit"),
            "{script}"
        );
        let replayed = Rc::new(SimState::default()).reduce(SimAction::Load {
            config: SimConfig { seed: s.seed, ..SimConfig::default() },
            items: session::from_script(&script).unwrap(),
            notice: None,
            template: true,
        });
        assert_eq!(names(&replayed), names(&s));
        assert_eq!(replayed.snapshot.now_ms, s.snapshot.now_ms);
        assert_eq!(*replayed.transcript, *s.transcript, "the line as typed, not the heredoc");
    }

    #[test]
    fn cancel_and_ctrl_c_end_an_edit_without_a_change() {
        let s = Rc::new(SimState::default());
        let s = s.reduce(SimAction::Apply(0)).reduce(SimAction::Advance(10_000));
        let items = s.session_items();
        let s = s.reduce(SimAction::Run("kubectl edit deploy web".into()));
        let s = s.reduce(SimAction::EditText("spec: {}\n".into())).reduce(SimAction::EditCancel);
        assert!(
            s.transcript.ends_with("$ kubectl edit deploy web\nEdit cancelled, no changes made.\n")
        );
        assert!(s.edit.is_none() && s.job.is_none());
        let s = s.reduce(SimAction::Run("kubectl edit deploy web".into()));
        assert_eq!(s.session_items().len(), items.len() + 1, "an open edit is not recorded");
        let s = s.reduce(SimAction::InterruptJob);
        assert!(s.transcript.ends_with("$ kubectl edit deploy web\n^C\n"));
        assert!(s.edit.is_none() && s.job.is_none());
        assert_eq!(s.session_items().len(), items.len() + 1);
    }

    #[test]
    fn error_lines_are_found() {
        assert_eq!(
            error_line("error converting YAML to JSON: yaml: line 5: did not find"),
            Some(5)
        );
        assert_eq!(error_line("no line here"), None);
    }

    #[test]
    fn run_appends_command_and_output_and_advance_moves_time() {
        let s = Rc::new(SimState::default());
        let s = s.reduce(SimAction::Run("kubectl version".into()));
        assert!(s.transcript.starts_with("$ kubectl version\nClient Version:"));
        assert_eq!(*s.history, vec!["kubectl version".to_owned()]);
        let s = s.reduce(SimAction::SetPlaying(true)).reduce(SimAction::SetSpeed(200));
        assert!(s.playing);
        let tick_ms = tick_advance_ms(s.speed_pct);
        let s = s.reduce(SimAction::Advance(tick_ms));
        assert_eq!(s.snapshot.session_ms, 200);
        let s = s.reduce(SimAction::ClearTerminal);
        assert!(s.transcript.is_empty());
        assert_eq!(s.history.len(), 1);
    }

    fn lesson_state(id: &str, step: usize) -> (Rc<SimState>, crate::lessons::Shared) {
        let lesson = crate::lessons::find(id).expect("embedded");
        let items = lesson
            .steps
            .iter()
            .take(step - 1)
            .flat_map(|s| {
                let files = s.blocks.iter().filter_map(|b| match &b.kind {
                    lesson::BlockKind::File { name, .. } => {
                        Some(Item::File(name.clone(), b.text.clone()))
                    }
                    _ => None,
                });
                files.chain(s.solution.iter().map(Item::of_command)).collect::<Vec<_>>()
            })
            .collect();
        let s = Rc::new(SimState::default()).reduce(SimAction::StartLesson {
            config: lesson.sim_config(),
            prelude: items,
            note: "# note\n".into(),
        });
        (s, lesson)
    }

    #[test]
    fn a_lesson_starts_with_earlier_steps_done_quietly_and_checks_touch_nothing() {
        let (s, lesson) = lesson_state("ch02-first-steps", 3);
        assert_eq!(*s.transcript, "# note\n");
        assert!(s.history.is_empty());
        assert!(s.buffers.is_empty());
        assert!(s.check(&lesson.steps[1].check).passed, "step 2's check holds after its solution");
        let step3 = &lesson.steps[2].check;
        let items = s.session_items();
        let snapshot = s.snapshot.clone();
        for _ in 0..3 {
            assert!(!s.check(step3).passed);
        }
        assert_eq!(s.session_items(), items);
        assert_eq!(*s.transcript, "# note\n");
        assert!(s.history.is_empty());
        assert_eq!(s.sim.borrow().snapshot(), *snapshot);
        // The step's own solution, run as its buttons run it, passes its check ...
        let mut s = s;
        for b in &lesson.steps[2].blocks {
            if let lesson::BlockKind::File { name, .. } = &b.kind {
                s = s.reduce(SimAction::OpenFile { name: name.clone(), text: b.text.clone() });
            }
        }
        let s = s.reduce(SimAction::RunScript(lesson.steps[2].solution_text.clone()));
        assert!(s.check(step3).passed, "{}", s.check(step3).details);
        assert!(s.transcript.contains("$ kubectl apply -f kubia-rc.yaml"), "{}", s.transcript);
        assert!(!s.history.is_empty());
        // ... and the session (earlier steps included) replays to the same cluster, as a lesson
        // link or a reload does.
        let items = session::from_script(&session::to_script(&s.session_items())).unwrap();
        let replayed = Rc::new(SimState::default()).reduce(SimAction::Load {
            config: lesson.sim_config(),
            items,
            notice: None,
            template: false,
        });
        let names =
            |s: &SimState| s.snapshot.pods.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&replayed), names(&s));
        assert_eq!(replayed.snapshot.now_ms, s.snapshot.now_ms);
        assert!(replayed.check(step3).passed);
    }

    #[test]
    fn a_here_document_block_writes_a_file_and_updates_its_buffer() {
        let s = Rc::new(SimState::default())
            .reduce(SimAction::OpenFile { name: "dir/a.conf".into(), text: "old\n".into() })
            .reduce(SimAction::RunScript(
                "cat > dir/a.conf <<'END'\nnew\nEND\nkubectl create configmap c --from-file=dir\n"
                    .into(),
            ));
        assert_eq!(
            s.buffers.iter().find(|b| b.name == "dir/a.conf").map(|b| b.text.as_str()),
            Some("new\n")
        );
        assert!(
            s.query("kubectl describe configmap c").contains("a.conf:\n----\nnew\n"),
            "{}",
            s.query("kubectl describe configmap c")
        );
        assert!(
            s.transcript.contains("$ cat > dir/a.conf <<'END'\nnew\nEND\n"),
            "{}",
            s.transcript
        );
    }

    /// A fresh sandbox replaying `s`'s session through its script text, as a link or reload does.
    fn replayed(s: &SimState) -> Rc<SimState> {
        let script = session::to_script(&s.session_items());
        Rc::new(SimState::default()).reduce(SimAction::Load {
            config: SimConfig { seed: s.seed, ..SimConfig::default() },
            items: session::from_script(&script).unwrap(),
            notice: None,
            template: true,
        })
    }

    fn pod_names(s: &SimState) -> Vec<String> {
        s.snapshot.pods.iter().map(|p| p.name.clone()).collect()
    }

    #[test]
    fn a_watch_streams_beside_an_apply_ends_with_ctrl_c_and_replays_the_same() {
        let s = Rc::new(SimState::default()).reduce(SimAction::Run("kubectl get pods -w".into()));
        assert!(s.job.is_some());
        assert_eq!(
            *s.transcript,
            "$ kubectl get pods -w\nNo resources found in default namespace.\n"
        );
        // Enter does nothing while it runs.
        let s = s.reduce(SimAction::Run("kubectl get nodes".into()));
        assert!(!s.transcript.contains("get nodes"));
        let s = s.reduce(SimAction::Advance(300)).reduce(SimAction::Apply(0));
        assert!(s.job.is_some(), "the apply does not end the watch");
        assert!(s.apply_result.as_ref().is_some_and(|r| r.ok), "{:?}", s.apply_result);
        assert!(!s.transcript.contains("$ kubectl apply"), "{}", s.transcript);
        let mut s = s;
        for ms in [100, 250, 1_000, 2_000, 5_000, 50] {
            s = s.reduce(SimAction::Advance(ms));
        }
        let s = s.reduce(SimAction::Step).reduce(SimAction::InterruptJob);
        assert!(s.job.is_none());
        assert!(s.transcript.ends_with("^C\n"), "{}", s.transcript);
        assert!(s.transcript.contains("Running"), "{}", s.transcript);
        let script = session::to_script(&s.session_items());
        assert!(script.contains("kubectl get pods -w &\n"), "{script}");
        assert!(script.contains("\nkill -s INT %1\n"), "{script}");
        let s = s.reduce(SimAction::Advance(1_000));
        let again = replayed(&s);
        assert_eq!(again.transcript, s.transcript);
        assert_eq!(pod_names(&again), pod_names(&s));
        assert_eq!(again.snapshot.now_ms, s.snapshot.now_ms);
        assert!(again.job.is_none());
    }

    #[test]
    fn a_watch_alone_is_recorded_as_a_timeout_and_a_finished_rollout_as_its_line() {
        let s = Rc::new(SimState::default())
            .reduce(SimAction::Apply(0))
            .reduce(SimAction::Run("kubectl get pods -w".into()))
            .reduce(SimAction::Advance(700))
            .reduce(SimAction::Advance(1_234))
            .reduce(SimAction::InterruptJob)
            .reduce(SimAction::Advance(66));
        let script = session::to_script(&s.session_items());
        assert!(
            script.contains("\ntimeout -s INT 1.934s kubectl get pods -w\nsleep 66ms\n"),
            "{script}"
        );
        // A rollout status that finishes by itself mid-tick; the line queued behind it then runs.
        let s = s.reduce(SimAction::RunScript(
            "kubectl rollout status deployment/web\nkubectl get deploy web -o name\n".into(),
        ));
        assert!(s.job.is_some());
        let mut s = s;
        while s.job.is_some() {
            s = s.reduce(SimAction::Advance(777));
        }
        assert!(
            s.transcript.contains(
                "successfully rolled out\n$ kubectl get deploy web -o name\ndeployment.apps/web\n"
            ),
            "{}",
            s.transcript
        );
        let script = session::to_script(&s.session_items());
        // The line, then the rest of the tick it finished in.
        assert!(script.contains("\nkubectl rollout status deployment/web\nsleep "), "{script}");
        assert!(!script.contains("rollout status deployment/web &"), "{script}");
        let again = replayed(&s);
        assert_eq!(again.transcript, s.transcript);
        assert_eq!(again.snapshot.now_ms, s.snapshot.now_ms);
        assert_eq!(pod_names(&again), pod_names(&s));
    }

    #[test]
    fn a_watch_saved_while_running_replays_as_ended_there_and_reset_ends_it() {
        let s = Rc::new(SimState::default())
            .reduce(SimAction::Apply(0))
            .reduce(SimAction::Run("kubectl get deploy -w".into()))
            .reduce(SimAction::Advance(5_000));
        let again = replayed(&s);
        assert!(again.job.is_none());
        assert_eq!(*again.transcript, format!("{}^C\n", s.transcript));
        assert_eq!(again.snapshot.now_ms, s.snapshot.now_ms);
        let s = s.reduce(SimAction::Reset { seed: 2 });
        assert!(s.job.is_none());
        assert_eq!(s.reduce(SimAction::Run("kubectl version".into())).history.len(), 3);
    }
}
