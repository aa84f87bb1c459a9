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
        let words = split_words(line);
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
            "cat" if stdin.is_some() => CommandOutput::ok(stdin.unwrap_or_default().to_string()),
            _ => CommandOutput {
                stderr: format!("bash: {program}: command not found\n"),
                exit_code: 127,
                ..Default::default()
            },
        };
        self.cluster.settle();
        out
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
        match crate::network::http(
            &mut self.cluster,
            &crate::network::Client::Outside,
            &url,
            &headers,
        ) {
            Ok(r) => {
                let head =
                    if include { format!("HTTP/1.1 {}\r\n\r\n", r.status) } else { String::new() };
                CommandOutput::ok(format!("{head}{}", r.body))
            }
            Err(e) => CommandOutput {
                stderr: if silent {
                    String::new()
                } else {
                    format!("curl: {}\n", e.curl_message())
                },
                exit_code: e.curl_code(),
                ..Default::default()
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

/// `30`, `30s`, `500ms`, `5m`, `1h` -> milliseconds.
pub fn parse_sleep(arg: &str) -> Option<Millis> {
    crate::kubectl::parse_duration(arg)
}
