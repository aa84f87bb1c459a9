//! Shell jobs: a command that waits (`kubectl get -w`, `rollout status`, `logs -f`) runs as a
//! [`kubectl::Job`] that [`Sim`](crate::Sim) polls after every instant of virtual time, in the
//! foreground (the terminal waits for it) or in the background (`COMMAND &`), and `timeout`,
//! which ends one after a stretch of virtual time as coreutils' `timeout` does.

use crate::clock::Millis;
use crate::kubectl::{self, Output};

/// Exit status of a command `timeout` stopped (coreutils).
pub const TIMED_OUT_STATUS: i32 = 124;
/// Exit status of `timeout` itself failing: bad options or duration (coreutils' EXIT_CANCELED).
pub const TIMEOUT_FAILED_STATUS: i32 = 125;
/// Exit status of a command ended by Ctrl-C (128 + SIGINT), as a shell reports it.
pub const INTERRUPTED_STATUS: i32 = 130;
/// The most background jobs at once.
pub const MAX_BACKGROUND_JOBS: usize = 16;
/// The most bytes of job output the terminal stream holds between two reads; more is dropped.
pub const MAX_STREAM_BYTES: usize = 1024 * 1024;
/// The longest `timeout` duration taken (longer ones are cut to it).
pub const MAX_TIMEOUT_MS: Millis = 24 * 60 * 60 * 1000;

/// A waiting command the simulation is running.
pub(crate) struct RunningJob {
    /// Names the job for whoever waits for it.
    pub id: u64,
    /// `%N` of a background job.
    pub number: Option<u32>,
    pub job: Box<dyn kubectl::Job>,
    pub started_ms: Millis,
    /// Where `timeout` stops it, and the exit status it then gives.
    pub limit: Option<Limit>,
    /// Whether what it prints goes to the terminal stream.
    pub to_terminal: bool,
    /// Whether someone waits for its end (the terminal's foreground, a script line).
    pub awaited: bool,
    /// Everything it printed.
    pub output: Output,
}

impl RunningJob {
    /// When it ends unless it finishes first.
    pub fn deadline_ms(&self) -> Millis {
        let own = self.job.deadline_ms();
        self.limit.as_ref().map_or(own, |l| l.at_ms.min(own))
    }
}

/// `timeout`'s grip on a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Limit {
    /// When the signal is sent.
    pub at_ms: Millis,
    /// The exit status then.
    pub status: i32,
    /// `--verbose`: the diagnostic printed then.
    pub notice: Option<String>,
}

/// `sleep` inside a shell loop: a job that ends when its time has passed (at the terminal, a
/// sleep runs time on at once).
pub(crate) struct SleepJob {
    pub until_ms: Millis,
}

impl kubectl::Job for SleepJob {
    fn poll(&mut self, cluster: &crate::cluster::Cluster) -> kubectl::Poll {
        let done = cluster.now_ms() >= self.until_ms;
        if done {
            kubectl::Poll::Done(Output::default())
        } else {
            kubectl::Poll::Waiting(Output::default())
        }
    }

    fn deadline_ms(&self) -> Millis {
        self.until_ms
    }
}

/// A job with the `timeout` around it, as one job (a loop's command).
pub(crate) struct Limited {
    pub job: Box<dyn kubectl::Job>,
    pub limit: Limit,
}

impl kubectl::Job for Limited {
    fn poll(&mut self, cluster: &crate::cluster::Cluster) -> kubectl::Poll {
        self.job.poll(cluster)
    }

    fn deadline_ms(&self) -> Millis {
        self.job.deadline_ms().min(self.limit.at_ms)
    }

    fn expire(&mut self, cluster: &crate::cluster::Cluster) -> Output {
        if self.job.deadline_ms() <= self.limit.at_ms {
            return self.job.expire(cluster);
        }
        self.limit.ending()
    }
}

impl Pending {
    /// The job with its `timeout` folded in.
    pub fn into_job(self) -> Box<dyn kubectl::Job> {
        match self.limit {
            Some(limit) => Box::new(Limited { job: self.job, limit }),
            None => self.job,
        }
    }
}

impl Limit {
    /// What `timeout` ends its command with: its status, and its `--verbose` notice.
    pub fn ending(&self) -> Output {
        let stderr = self.notice.clone().unwrap_or_default();
        Output { stderr, exit_code: self.status, ..Default::default() }
    }
}

/// A waiting command about to be registered, with the `timeout` around it, if any.
pub(crate) struct Pending {
    pub job: Box<dyn kubectl::Job>,
    pub limit: Option<Limit>,
}

/// What `timeout [OPTION] DURATION COMMAND...` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimeoutArgs {
    /// The duration (`None`: 0, which disables the timeout).
    pub duration_ms: Option<Millis>,
    /// The exit status when it expires.
    pub status: i32,
    /// `--verbose`: what it says when it expires.
    pub notice: Option<String>,
    /// Where COMMAND starts in the words.
    pub command_at: usize,
}

/// Reads `timeout`'s words (`words[0]` is `timeout`) as GNU getopt would, options up to the
/// duration; `Err` is the failure as coreutils prints it.
pub(crate) fn parse_timeout(words: &[String]) -> Result<TimeoutArgs, Output> {
    let mut signal = ("TERM", 15);
    let mut preserve = false;
    let mut verbose = false;
    let mut i = 1;
    while let Some(w) = words.get(i) {
        if w == "--" {
            i += 1;
            break;
        }
        if !w.starts_with('-') || w == "-" {
            break;
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if w.starts_with("--") => (n, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let value = |i: &mut usize| -> Result<String, Output> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            *i += 1;
            words.get(*i).cloned().ok_or_else(|| {
                let opt = name.trim_start_matches('-');
                if name.starts_with("--") {
                    usage_error(&format!("option '--{opt}' requires an argument"))
                } else {
                    usage_error(&format!("option requires an argument -- '{opt}'"))
                }
            })
        };
        match name {
            "--preserve-status" => preserve = true,
            "--foreground" => {}
            "-v" | "--verbose" => verbose = true,
            "-s" | "--signal" => signal = parse_signal(&value(&mut i)?)?,
            "-k" | "--kill-after" => {
                parse_duration_ms(&value(&mut i)?)?;
            }
            "--help" => return Err(Output::ok(TIMEOUT_HELP)),
            "--version" => return Err(Output::ok("timeout (GNU coreutils) 9.4\n")),
            n if n.starts_with("-s") && !n.starts_with("--") => signal = parse_signal(&n[2..])?,
            n if n.starts_with("-k") && !n.starts_with("--") => {
                parse_duration_ms(&n[2..])?;
            }
            n if n.starts_with("--") => {
                return Err(usage_error(&format!("unrecognized option '{n}'")));
            }
            n => {
                let c = n.chars().nth(1).unwrap_or('-');
                return Err(usage_error(&format!("invalid option -- '{c}'")));
            }
        }
        i += 1;
    }
    if words.len() < i + 2 {
        return Err(usage_error(""));
    }
    let duration_ms = parse_duration_ms(&words[i])?;
    let command = words[i + 1].rsplit('/').next().unwrap_or_default();
    Ok(TimeoutArgs {
        duration_ms: (duration_ms > 0 || !is_zero(&words[i])).then_some(duration_ms),
        status: if preserve { 128 + signal.1 } else { TIMED_OUT_STATUS },
        notice: verbose
            .then(|| format!("timeout: sending signal {} to command '{command}'\n", signal.0)),
        command_at: i + 1,
    })
}

/// `timeout: MESSAGE` (when given) and the pointer to `--help`, exit 125.
fn usage_error(message: &str) -> Output {
    let mut stderr = String::new();
    if !message.is_empty() {
        stderr.push_str(&format!("timeout: {message}\n"));
    }
    stderr.push_str("Try 'timeout --help' for more information.\n");
    Output { stderr, exit_code: TIMEOUT_FAILED_STATUS, ..Default::default() }
}

/// The failure `timeout` reports for a program that does not exist.
pub(crate) fn not_found(program: &str) -> Output {
    Output {
        stderr: format!("timeout: failed to run command '{program}': No such file or directory\n"),
        exit_code: 127,
        ..Default::default()
    }
}

const SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("KILL", 9),
    ("USR1", 10),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
];

/// `INT`, `SIGINT`, `int`, `2` -> the signal's name and number.
fn parse_signal(s: &str) -> Result<(&'static str, i32), Output> {
    let upper = s.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    SIGNALS
        .iter()
        .find(|(n, num)| *n == name || s.parse::<i32>().ok() == Some(*num))
        .copied()
        .ok_or_else(|| usage_error(&format!("'{s}': invalid signal")))
}

/// Whether a duration reads as exactly zero (`0`, `0s`, `0.0m`): coreutils then runs the
/// command with no timeout at all.
fn is_zero(s: &str) -> bool {
    s.trim_end_matches(['s', 'm', 'h', 'd']).chars().all(|c| c == '0' || c == '.')
}

/// A coreutils duration: a decimal number with an optional `s`, `m`, `h` or `d`, in ms
/// (exactly: `37.5s` is 37,500; below a millisecond is cut off), at most [`MAX_TIMEOUT_MS`].
pub fn parse_duration_ms(s: &str) -> Result<Millis, Output> {
    let invalid = || usage_error(&format!("invalid time interval '{s}'"));
    let (number, unit_ms) = match s.char_indices().last() {
        Some((at, 's')) => (&s[..at], 1_000u128),
        Some((at, 'm')) => (&s[..at], 60_000),
        Some((at, 'h')) => (&s[..at], 3_600_000),
        Some((at, 'd')) => (&s[..at], 86_400_000),
        _ => (s, 1_000),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(invalid());
    }
    // Integer arithmetic, so that the decimal a session wrote comes back to the same ms.
    let whole: u128 = whole.parse::<u128>().unwrap_or(if whole.is_empty() { 0 } else { u128::MAX });
    let fraction = &fraction[..fraction.len().min(12)];
    let scale = 10u128.pow(fraction.len() as u32);
    let fraction: u128 = if fraction.is_empty() { 0 } else { fraction.parse().unwrap_or(0) };
    let ms = whole.saturating_mul(unit_ms).saturating_add(fraction * unit_ms / scale);
    Ok(ms.min(u128::from(MAX_TIMEOUT_MS)) as Millis)
}

/// `ms` as the shortest exact decimal seconds (`37.5s`, `30s`, `0.001s`): what coreutils takes.
pub fn seconds(ms: Millis) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// A line ending in a lone `&` (outside quotes, not `&&`): the command and true.
pub fn split_background(line: &str) -> (&str, bool) {
    let trimmed = line.trim_end();
    let Some(head) = trimmed.strip_suffix('&') else { return (line, false) };
    if head.ends_with('&') || head.ends_with('\\') {
        return (line, false);
    }
    let mut quote: Option<char> = None;
    for c in head.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            _ => {}
        }
    }
    if quote.is_some() { (line, false) } else { (head.trim_end(), true) }
}

/// `kill [-SIGNAL | -s SIGNAL] %N...`: the job numbers, or what bash prints.
pub(crate) fn parse_kill(words: &[String]) -> Result<Vec<&str>, Output> {
    let usage = "bash: kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n";
    let mut i = 1;
    match words.get(1).map(String::as_str) {
        Some("-s" | "-n") => {
            let Some(sig) = words.get(2) else {
                return Err(bash_error(
                    &format!("bash: kill: {}: option requires an argument\n{usage}", words[1]),
                    2,
                ));
            };
            parse_signal(sig).map_err(|_| {
                bash_error(&format!("bash: kill: {sig}: invalid signal specification\n"), 1)
            })?;
            i = 3;
        }
        Some(s) if s.starts_with('-') && s.len() > 1 => {
            parse_signal(&s[1..]).map_err(|_| {
                bash_error(&format!("bash: kill: {}: invalid signal specification\n", &s[1..]), 1)
            })?;
            i = 2;
        }
        _ => {}
    }
    let targets: Vec<&str> = words[i.min(words.len())..].iter().map(String::as_str).collect();
    if targets.is_empty() {
        return Err(bash_error(usage, 2));
    }
    Ok(targets)
}

/// `stderr` with an exit code, as bash reports a builtin's failure.
pub(crate) fn bash_error(stderr: &str, exit_code: i32) -> Output {
    Output { stderr: stderr.to_string(), exit_code, ..Default::default() }
}

const TIMEOUT_HELP: &str = "Usage: timeout [OPTION] DURATION COMMAND [ARG]...
  or:  timeout [OPTION]
Start COMMAND, and kill it if still running after DURATION.

Mandatory arguments to long options are mandatory for short options too.
      --preserve-status
                 exit with the same status as COMMAND,
                   even when the command times out
      --foreground
                 when not running timeout directly from a shell prompt,
                   allow COMMAND to read from the TTY and get TTY signals;
                   in this mode, children of COMMAND will not be timed out
  -k, --kill-after=DURATION
                 also send a KILL signal if COMMAND is still running
                   this long after the initial signal was sent
  -s, --signal=SIGNAL
                 specify the signal to be sent on timeout;
                   SIGNAL may be a name like 'HUP' or a number;
                   see 'kill -l' for a list of signals
  -v, --verbose  diagnose to stderr any signal sent upon timeout
      --help        display this help and exit
      --version     output version information and exit

DURATION is a floating point number with an optional suffix:
's' for seconds (the default), 'm' for minutes, 'h' for hours or 'd' for days.
A duration of 0 disables the associated timeout.

Upon timeout, send the TERM signal to COMMAND, if no other SIGNAL specified.
The TERM signal kills any process that does not block or catch that signal.
It may be necessary to use the KILL signal, since this signal can't be caught.

Exit status:
  124  if COMMAND times out, and --preserve-status is not specified
  125  if the timeout command itself fails
  126  if COMMAND is found but cannot be invoked
  127  if COMMAND cannot be found
  137  if COMMAND (or timeout itself) is sent the KILL (9) signal (128+9)
  -    the exit status of COMMAND otherwise
";

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn durations_read_as_coreutils_reads_them_and_exactly() {
        assert_eq!(parse_duration_ms("37.5s").unwrap(), 37_500);
        assert_eq!(parse_duration_ms("37.123").unwrap(), 37_123);
        assert_eq!(parse_duration_ms("1.5m").unwrap(), 90_000);
        assert_eq!(parse_duration_ms("2h").unwrap(), 7_200_000);
        assert_eq!(parse_duration_ms(".5").unwrap(), 500);
        assert_eq!(parse_duration_ms("99999999999999999999d").unwrap(), MAX_TIMEOUT_MS);
        for bad in ["x", "", "5ms", "-1", "1..2", "s", "1e3x", "."] {
            let e = parse_duration_ms(bad).unwrap_err();
            assert_eq!(
                e.stderr,
                format!(
                    "timeout: invalid time interval '{bad}'\nTry 'timeout --help' for more information.\n"
                )
            );
            assert_eq!(e.exit_code, 125);
        }
        for ms in [0, 1, 10, 100, 999, 1_000, 37_500, 60_001, 12_345_678] {
            assert_eq!(parse_duration_ms(&seconds(ms)).unwrap(), ms, "{}", seconds(ms));
        }
        assert_eq!(seconds(37_500), "37.5s");
        assert_eq!(seconds(1), "0.001s");
    }

    #[test]
    fn timeout_options_signals_and_missing_operands() {
        let t = parse_timeout(&words("timeout -s INT 37.5s kubectl get pods -w")).unwrap();
        assert_eq!((t.duration_ms, t.status, t.command_at), (Some(37_500), 124, 4));
        let t = parse_timeout(&words("timeout --preserve-status --signal=KILL 1 sleep 5")).unwrap();
        assert_eq!((t.status, t.command_at), (137, 4));
        let t = parse_timeout(&words("timeout -v 0 kubectl get pods")).unwrap();
        assert_eq!(t.duration_ms, None);
        let t = parse_timeout(&words("timeout -v 0.0001 x")).unwrap();
        assert_eq!(t.duration_ms, Some(0));
        let t = parse_timeout(&words("timeout -v -sINT 2 kubectl")).unwrap();
        assert_eq!(t.notice.as_deref(), Some("timeout: sending signal INT to command 'kubectl'\n"));
        let try_help = "Try 'timeout --help' for more information.\n";
        for (line, message) in [
            ("timeout", ""),
            ("timeout 5s", ""),
            ("timeout -s", "timeout: option requires an argument -- 's'\n"),
            ("timeout -s FOO 1 x", "timeout: 'FOO': invalid signal\n"),
            ("timeout -x 1 y", "timeout: invalid option -- 'x'\n"),
            ("timeout --nope 1 y", "timeout: unrecognized option '--nope'\n"),
        ] {
            let e = parse_timeout(&words(line)).unwrap_err();
            assert_eq!(e.stderr, format!("{message}{try_help}"), "{line}");
            assert_eq!(e.exit_code, 125, "{line}");
        }
    }

    #[test]
    fn a_lone_trailing_ampersand_means_background() {
        assert_eq!(split_background("kubectl get pods -w &"), ("kubectl get pods -w", true));
        assert_eq!(split_background("sleep 1&"), ("sleep 1", true));
        assert_eq!(split_background("a && b"), ("a && b", false));
        assert_eq!(split_background("echo '&"), ("echo '&", false));
        assert_eq!(split_background("echo 'a &'"), ("echo 'a &'", false));
        assert_eq!(split_background("kubectl get pods"), ("kubectl get pods", false));
    }
}
