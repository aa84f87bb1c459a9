//! What the front end draws: a plain snapshot of the cluster, detached from the API types.

/// A picture of the cluster at one moment of virtual time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterSnapshot {
    /// Virtual time of the snapshot.
    pub now_ms: u64,
    /// Nodes in name order.
    pub nodes: Vec<NodeView>,
    /// Pods in namespace/name order.
    pub pods: Vec<PodView>,
}

/// One node lane.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeView {
    /// Node name.
    pub name: String,
    /// `Ready`, `NotReady`, with `,SchedulingDisabled` when cordoned (as `kubectl get nodes`).
    pub status: String,
    /// `control-plane` or empty.
    pub roles: String,
    /// The node's InternalIP.
    pub internal_ip: String,
}

/// One pod card.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodView {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// Node it is bound to, if scheduled.
    pub node: Option<String>,
    /// The pod phase (`Pending`, `Running`, ...).
    pub phase: String,
    /// The STATUS column as `kubectl get pods` prints it (`ContainerCreating`, `CrashLoopBackOff`, ...).
    pub status: String,
    /// Ready containers.
    pub ready_containers: u32,
    /// All containers.
    pub total_containers: u32,
    /// Sum of container restarts.
    pub restarts: u32,
    /// `Kind/name` of the controlling owner, if any.
    pub owner: Option<String>,
}
