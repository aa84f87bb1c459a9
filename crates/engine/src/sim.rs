//! The facade: one simulated cluster, driven by command lines and virtual time.

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::view::{ClusterSnapshot, NodeView};

/// How a simulated cluster is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// Seed of the engine's PRNG: same seed and same commands give the same cluster.
    pub seed: u64,
    /// Worker nodes besides the control-plane node.
    pub worker_nodes: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { seed: 1, worker_nodes: 3 }
    }
}

/// What a command printed, as a terminal shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandOutput {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Process exit code (0 on success).
    pub exit_code: i32,
}

/// The simulated cluster.
pub struct Sim {
    cluster: Cluster,
}

impl Sim {
    /// A fresh cluster built from `config`, bootstrapped and running.
    pub fn new(config: SimConfig) -> Self {
        let mut cluster = Cluster::empty(config);
        crate::bootstrap::bootstrap(&mut cluster);
        cluster.settle();
        let mut sim = Sim { cluster };
        sim.advance(crate::time::SESSION_START_MS);
        sim
    }

    /// The configuration this cluster was made with.
    pub fn config(&self) -> &SimConfig {
        &self.cluster.config
    }

    /// Current virtual time.
    pub fn now_ms(&self) -> Millis {
        self.cluster.now_ms()
    }

    /// Advances virtual time by `ms`, firing every timer due on the way.
    pub fn advance(&mut self, ms: Millis) {
        let target = self.cluster.now_ms().saturating_add(ms);
        self.cluster.settle();
        while self.cluster.fire_next_timer(target) {}
        self.cluster.clock.set_now(target);
    }

    /// Runs one command line as typed in the terminal.
    pub fn run(&mut self, line: &str) -> CommandOutput {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => CommandOutput::default(),
            ["kubectl", "version"] => CommandOutput {
                stdout:
                    "Client Version: v1.34.1\nKustomize Version: v5.7.1\nServer Version: v1.34.0\n"
                        .into(),
                ..Default::default()
            },
            [cmd, ..] => CommandOutput {
                stderr: format!("{cmd}: command not found\n"),
                exit_code: 127,
                ..Default::default()
            },
        }
    }

    /// A picture of the cluster for the view.
    pub fn snapshot(&self) -> ClusterSnapshot {
        let mut nodes = vec![NodeView {
            name: "kubeplay-control-plane".into(),
            status: "Ready".into(),
            roles: "control-plane".into(),
            internal_ip: "172.18.0.2".into(),
        }];
        for i in 0..self.cluster.config.worker_nodes {
            let suffix = if i == 0 { String::new() } else { (i + 1).to_string() };
            nodes.push(NodeView {
                name: format!("kubeplay-worker{suffix}"),
                status: "Ready".into(),
                roles: String::new(),
                internal_ip: format!("172.18.0.{}", i + 3),
            });
        }
        let _ = &self.cluster;
        ClusterSnapshot { now_ms: self.now_ms(), nodes, pods: Vec::new() }
    }
}
