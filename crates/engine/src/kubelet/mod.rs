//! The kubelets: one per node, running the containers of the pods bound to it.
//!
//! A container's life is a small state machine driven by timers in virtual time (pull, create,
//! start, probe, exit, back-off, kill), in the spirit of KWOK's stages. The kubelet writes what it
//! sees into the pod's status and records the same Events a real kubelet does.

pub mod apps;
pub mod fs;
pub mod images;
mod lifecycle;
pub mod shell;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use k8s_openapi::api::core::v1::Container;

use crate::api::ObjKey;
use crate::clock::Millis;
use crate::fastmap::FastMap;

pub use lifecycle::{http_get, on_timer, reconcile};

use images::{ImageInfo, ImageRef, Program};

/// Lines kept per container log (older lines are dropped, as log rotation would).
pub const MAX_LOG_LINES: usize = 5_000;
/// Time from binding to the pod sandbox being ready.
pub const SANDBOX_MS: Millis = 800;
/// Time to create and start a container once its image is there.
pub const CREATE_MS: Millis = 150;
/// Kubelet restart back-off: initial and cap (`backOffPeriod`, `MaxContainerBackOff`).
pub const BACKOFF_INITIAL_MS: Millis = 10_000;
/// Cap of the restart back-off.
pub const BACKOFF_MAX_MS: Millis = 300_000;
/// A pod whose sync failed (a container in back-off fails it) is synced again after this, plus
/// up to half again (the pod worker's `backOffPeriod` and its jitter, before Kubernetes 1.35).
pub const SYNC_RETRY_MS: Millis = 10_000;
/// Image names whose parse the kubelets keep (further names are parsed at each use).
pub const MAX_IMAGE_REFS: usize = 256;
/// Container file layers the kubelets keep ready to copy (a further one replaces the oldest).
pub const MAX_IMAGE_LAYERS: usize = 64;

/// A timer owned by a kubelet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeletTimer {
    /// The pod's UID.
    pub pod_uid: String,
    /// What to do.
    pub action: Action,
}

/// A step in a pod's or container's life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The sandbox (network namespace, IP) is ready.
    SandboxReady,
    /// Mount the pod's volumes again (an earlier attempt failed).
    MountVolumes,
    /// An image pull finished.
    PullDone(usize),
    /// The container is created and starts.
    Start(usize),
    /// A scripted process takes its next step.
    ScriptStep(usize, u64),
    /// A probe is due (container, run, liveness?).
    Probe(usize, u64, ProbeKind),
    /// A killed container's process ends.
    KillDone(usize, u64),
    /// The pod worker syncs a container in restart back-off again: another BackOff event, or
    /// the restart once the back-off is over.
    BackoffSync(usize),
    /// A failed pull turns into ImagePullBackOff.
    EnterPullBackOff(usize),
    /// Image pull back-off is over: pull again.
    PullRetry(usize),
    /// The pod lifecycle event generator's relist: container starts and exits since the last
    /// one reach the pod's status.
    Relist,
}

/// Which probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    /// Restarts the container on failure.
    Liveness,
    /// Gates readiness.
    Readiness,
    /// Holds the other probes until it succeeds.
    Startup,
}

impl ProbeKind {
    /// `Liveness`, as events name it.
    pub fn title(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Startup => "Startup",
        }
    }
}

/// A container's state as the runtime reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CState {
    /// Not running; `reason` is ContainerCreating, CrashLoopBackOff, ErrImagePull, ...
    Waiting {
        /// Reason.
        reason: String,
        /// Message (may be empty).
        message: String,
    },
    /// Running since `started_ms`.
    Running {
        /// Start time.
        started_ms: Millis,
    },
    /// Exited.
    Terminated {
        /// Exit code.
        exit_code: i32,
        /// Completed, Error, StartError, ...
        reason: String,
        /// Message (may be empty).
        message: String,
        /// Start time.
        started_ms: Millis,
        /// Finish time.
        finished_ms: Millis,
        /// The runtime's container ID.
        container_id: String,
    },
}

/// One timestamped log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// When it was written.
    pub at_ms: Millis,
    /// The text, without newline.
    pub text: String,
}

/// Consecutive probe results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeCounter {
    /// Consecutive successes.
    pub successes: i32,
    /// Consecutive failures.
    pub failures: i32,
}

/// Why a container is being killed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillReason {
    /// Failed its liveness probe.
    Liveness,
    /// Its pod is being deleted.
    PodDeletion,
}

/// The kubelet's record of one container.
#[derive(Clone, Debug)]
pub struct ContainerRt {
    /// Container name.
    pub name: String,
    /// The spec it runs.
    pub spec: Container,
    /// Parsed image (None if the name is invalid), shared by every container that names it.
    pub image: Option<Rc<ImageRef>>,
    /// Registry facts (None if the image does not exist).
    pub image_info: Option<ImageInfo>,
    /// The process.
    pub program: Program,
    /// Current state.
    pub state: CState,
    /// The previous run's termination.
    pub last_state: Option<CState>,
    /// Restarts so far.
    pub restart_count: i32,
    /// Passed readiness.
    pub ready: bool,
    /// Started (startup probe passed or none).
    pub started: bool,
    /// Bumped at every start; timers of older runs are ignored.
    pub run_id: u64,
    /// Current run's container ID.
    pub container_id: String,
    /// Restart back-off: (delay, last update).
    pub backoff: Option<(Millis, Millis)>,
    /// Image pull back-off: (delay, last update).
    pub pull_backoff: Option<(Millis, Millis)>,
    /// When the current image pull started.
    pub pull_started_ms: Millis,
    /// Probe counters per kind.
    pub probes: BTreeMap<ProbeKind, ProbeCounter>,
    /// Requests this run has served.
    pub requests_served: u64,
    /// This run's log.
    pub logs: Vec<LogLine>,
    /// The previous run's log (`--previous`).
    pub previous_logs: Vec<LogLine>,
    /// Being killed, and why.
    pub killing: Option<KillReason>,
    /// Steps left in a scripted process.
    pub script: Vec<images::Step>,
    /// The container's files.
    pub fs: fs::Fs,
    /// Service environment variables, fixed when the container last started.
    pub service_env: Rc<Vec<(String, String)>>,
    /// The container's own variables (`env`, `envFrom`, resolved), fixed at its last start.
    pub env: Vec<(String, String)>,
}

/// The kubelet's record of one pod.
#[derive(Clone, Debug)]
pub struct PodRuntime {
    /// The pod.
    pub key: ObjKey,
    /// Its UID.
    pub uid: String,
    /// Node it runs on.
    pub node: String,
    /// Its IP once the sandbox is up.
    pub pod_ip: Option<String>,
    /// When the sandbox came up.
    pub sandbox_ready_ms: Option<Millis>,
    /// Containers in spec order.
    pub containers: Vec<ContainerRt>,
    /// Deletion under way.
    pub terminating: bool,
    /// Pod restartPolicy.
    pub restart_policy: String,
    /// A relist is scheduled to report container state changes.
    pub relist_pending: bool,
}

/// The kubelet's record of one node.
#[derive(Clone, Debug, Default)]
pub struct NodeRuntime {
    /// Since when the kubelet is down (`sim node-down`).
    pub down_since: Option<Millis>,
    /// Images already pulled.
    pub images: BTreeSet<String>,
    /// The pod CIDR's first three octets (`10.244.1`).
    pub cidr_prefix: String,
    /// Next host part to hand out.
    pub next_ip: u32,
    /// IPs in use.
    pub ips_in_use: BTreeSet<String>,
    /// Timers that came due while the node was down.
    pub deferred: Vec<KubeletTimer>,
}

/// Everything the kubelets know that the API does not.
#[derive(Clone, Debug, Default)]
pub struct Runtime {
    /// Pods by UID.
    pub pods: FastMap<String, PodRuntime>,
    /// Pod UID by key.
    pub by_key: FastMap<ObjKey, String>,
    /// Nodes by name.
    pub nodes: BTreeMap<String, NodeRuntime>,
    /// Pods the scheduler could not place yet.
    pub unschedulable: BTreeMap<ObjKey, crate::scheduler::Unschedulable>,
    /// New containers' files, built once per kind and copied into each container of it.
    pub image_layers: Vec<Layer>,
    /// Parsed image references by the name a pod gives: a rollout parses the same name for
    /// each of its pods.
    pub image_refs: BTreeMap<String, Option<Rc<ImageRef>>>,
}

/// A new container's files but its hostname: its image's, its namespace's resolver and the
/// directories its volumes mount on.
#[derive(Clone, Debug)]
pub struct Layer {
    /// The image's base.
    pub base: images::Base,
    /// The image's program.
    pub app: Option<images::App>,
    /// The pod's namespace (the resolver's search path).
    pub namespace: String,
    /// The container's volume mount paths, in spec order.
    pub mount_paths: Vec<String>,
    /// The files.
    pub files: fs::Fs,
}

impl Runtime {
    /// Since when a node's kubelet is down.
    pub fn node_down_since(&self, node: &str) -> Option<Millis> {
        self.nodes.get(node).and_then(|n| n.down_since)
    }

    /// The runtime of the pod at `key`.
    pub fn pod(&self, key: &ObjKey) -> Option<&PodRuntime> {
        self.by_key.get(key).and_then(|uid| self.pods.get(uid))
    }

    /// The runtime of the pod at `key`, mutably.
    pub fn pod_mut(&mut self, key: &ObjKey) -> Option<&mut PodRuntime> {
        let uid = self.by_key.get(key)?;
        self.pods.get_mut(uid)
    }

    /// Registers a node with its pod CIDR prefix.
    pub fn add_node(&mut self, name: &str, cidr_prefix: &str) {
        self.nodes.insert(
            name.into(),
            NodeRuntime { cidr_prefix: cidr_prefix.into(), next_ip: 2, ..Default::default() },
        );
    }
}

/// `sim node-down`: the node's kubelet stops; its containers freeze in place.
pub fn node_down(cluster: &mut crate::cluster::Cluster, node: &str, now_ms: Millis) {
    if let Some(n) = cluster.kubelet.nodes.get_mut(node)
        && n.down_since.is_none()
    {
        n.down_since = Some(now_ms);
    }
    cluster.enqueue(
        crate::controllers::Component::NodeLifecycle,
        ObjKey::new(crate::api::Kind::Node, "", node),
    );
}

pub use lifecycle::{kill_process, node_up};
