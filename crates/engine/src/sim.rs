//! The facade: one simulated cluster, driven by command lines and virtual time.

use std::collections::BTreeMap;

use crate::api::{Kind, ObjKey};
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::kubectl::{self, Ctx, Files};
use crate::kubelet::shell::split_words;
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

/// The simulated cluster.
pub struct Sim {
    cluster: Cluster,
    files: BTreeMap<String, String>,
    file_reader: Option<FileReader>,
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
        let mut sim = Sim { cluster, files: BTreeMap::new(), file_reader: None };
        sim.advance(crate::time::SESSION_START_MS);
        sim
    }

    /// An independent copy of this cluster and its files, for looking without touching: whatever
    /// runs on the copy (a check's `curl` moving a load balancer's seeded pick, a request counted
    /// by an app) leaves this one as it was. The copy has no file reader.
    pub fn fork(&self) -> Sim {
        Sim { cluster: self.cluster.clone(), files: self.files.clone(), file_reader: None }
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

    /// Advances virtual time by `ms`, firing every timer due on the way.
    pub fn advance(&mut self, ms: Millis) {
        let target = self.cluster.now_ms().saturating_add(ms);
        self.cluster.settle();
        while self.cluster.fire_next_timer(target) {}
        self.cluster.clock.set_now(target);
    }

    /// Jumps to the next due timer and fires it; returns the new time, or `None` when idle.
    pub fn step(&mut self) -> Option<Millis> {
        let due = self.cluster.clock.next_due_ms()?;
        self.cluster.fire_next_timer(due);
        Some(self.cluster.now_ms())
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

    /// Runs one command line with standard input (a heredoc's body).
    pub fn run_with_stdin(&mut self, line: &str, stdin: Option<&str>) -> CommandOutput {
        if line.len() > MAX_LINE_BYTES {
            return CommandOutput::fail(format!(
                "bash: command line too long (over {MAX_LINE_BYTES} bytes)"
            ));
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return CommandOutput::default();
        }
        let line = match self.substitute_commands(line) {
            Ok(l) => l,
            Err(out) => return out,
        };
        let mut stages = split_pipeline(&line);
        if stages.len() > 1 {
            let first = stages.remove(0);
            let mut out = self.run_with_stdin(&first, stdin);
            for filter in stages {
                out = match pipe_filter(&filter, out) {
                    Ok(o) => o,
                    Err(e) => return e,
                };
            }
            return out;
        }
        let words = split_words(&line);
        let Some(program) = words.first() else { return CommandOutput::default() };
        let out = match program.as_str() {
            "kubectl" => {
                let mut files = SimFiles { files: &self.files, reader: self.file_reader.as_mut() };
                let mut ctx = Ctx { cluster: &mut self.cluster, files: &mut files, stdin };
                kubectl::run(&mut ctx, &words[1..])
            }
            "sleep" => match words.get(1).and_then(|d| parse_sleep(d)) {
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
        self.cluster.settle();
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

/// The text filters a learner pipes kubectl into: head, tail, grep, wc -l, sort.
fn pipe_filter(command: &str, input: CommandOutput) -> Result<CommandOutput, CommandOutput> {
    let words = split_words(command);
    let lines: Vec<&str> = input.stdout.lines().collect();
    let count = |args: &[String], default: usize| -> usize {
        args.iter()
            .position(|a| a == "-n")
            .and_then(|i| args.get(i + 1))
            .or_else(|| args.iter().find(|a| a.starts_with('-') && a[1..].parse::<usize>().is_ok()))
            .and_then(|a| a.trim_start_matches('-').parse().ok())
            .unwrap_or(default)
    };
    let join = |ls: Vec<&str>| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    let args = words.get(1..).unwrap_or_default();
    let stdout = match words.first().map(String::as_str) {
        Some("head") => join(lines.iter().take(count(args, 10)).copied().collect()),
        Some("tail") => {
            let n = count(args, 10);
            join(lines.iter().skip(lines.len().saturating_sub(n)).copied().collect())
        }
        Some("wc") => format!("{}\n", lines.len()),
        Some("sort") => {
            let mut l = lines.clone();
            l.sort_unstable();
            if args.iter().any(|a| a == "-r") {
                l.reverse();
            }
            join(l)
        }
        Some("grep") => {
            let invert = args.iter().any(|a| a == "-v");
            let ignore_case = args.iter().any(|a| a == "-i");
            let Some(pattern) = args.iter().find(|a| !a.starts_with('-')) else {
                return Err(CommandOutput {
                    stderr: "Usage: grep [OPTION]... PATTERNS [FILE]...\n".into(),
                    exit_code: 2,
                    ..Default::default()
                });
            };
            let hit = |l: &&&str| {
                let found = if ignore_case {
                    l.to_lowercase().contains(&pattern.to_lowercase())
                } else {
                    l.contains(pattern.as_str())
                };
                found != invert
            };
            let kept: Vec<&str> = lines.iter().filter(hit).copied().collect();
            let code = if kept.is_empty() { 1 } else { input.exit_code };
            return Ok(CommandOutput { stdout: join(kept), stderr: input.stderr, exit_code: code });
        }
        Some(other) => {
            return Err(CommandOutput {
                stderr: format!("bash: {other}: command not found\n"),
                exit_code: 127,
                ..Default::default()
            });
        }
        None => return Err(CommandOutput::fail("bash: syntax error near unexpected token `|'")),
    };
    Ok(CommandOutput { stdout, ..input })
}

/// `30`, `30s`, `500ms`, `5m`, `1h` -> milliseconds.
pub fn parse_sleep(arg: &str) -> Option<Millis> {
    crate::kubectl::parse_duration(arg)
}
