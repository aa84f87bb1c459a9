//! The network as seen from inside a pod: the [`Network`] that `curl`, `wget` and `nslookup` in
//! `kubectl exec` use, and [`exec_in_pod`], which runs a command with it.
//!
//! The shell works on a copy of the pod's runtime while the network holds the cluster, so a
//! request may come back to the very pod that sent it (a service picks it); afterwards the copy's
//! file changes, request counts and log lines are merged back.

use crate::api::ObjKey;
use crate::cluster::Cluster;
use crate::kubelet::images::Base;
use crate::kubelet::shell::{ExecOutput, Network, exec_with_network};

use super::proxy::{self, Client};

/// The network of one pod, for the container shell.
pub struct PodNetwork<'a> {
    cluster: &'a mut Cluster,
    pod: ObjKey,
    busybox: bool,
}

impl<'a> PodNetwork<'a> {
    /// The network of the pod at `pod`; `busybox` picks BusyBox's `nslookup` wording.
    pub fn new(cluster: &'a mut Cluster, pod: ObjKey, busybox: bool) -> Self {
        PodNetwork { cluster, pod, busybox }
    }
}

impl Network for PodNetwork<'_> {
    fn http(&mut self, url: &str, headers: &[String]) -> Result<(u16, String), String> {
        proxy::http(self.cluster, &Client::Pod(self.pod.clone()), url, headers)
            .map(|r| (r.status, r.body))
            .map_err(|e| e.curl_message())
    }

    fn nslookup(&mut self, name: &str) -> Result<String, String> {
        super::dns::nslookup_text(self.cluster, &self.pod.namespace, name, self.busybox)
    }
}

/// Runs `argv` in container `container` of the pod at `pod`, with the cluster network, as
/// `kubectl exec` does. The caller checks that the container is running (`shell::is_running`).
pub fn exec_in_pod(
    cluster: &mut Cluster,
    pod: &ObjKey,
    container: usize,
    argv: &[String],
) -> ExecOutput {
    let Some(original) = cluster.kubelet.pod(pod).cloned() else {
        return ExecOutput {
            stderr: format!("error: unable to upgrade connection: pod {} not found\n", pod.name),
            exit_code: 1,
            ..Default::default()
        };
    };
    if container >= original.containers.len() {
        return ExecOutput {
            stderr: "error: unable to upgrade connection: container not found\n".into(),
            exit_code: 1,
            ..Default::default()
        };
    }
    let busybox =
        original.containers[container].image_info.as_ref().is_some_and(|i| i.base == Base::Busybox);
    let now = cluster.now_ms();
    let mut copy = original.clone();
    let out = {
        let mut net = PodNetwork::new(cluster, pod.clone(), busybox);
        exec_with_network(&mut copy, container, argv, now, &mut net)
    };
    if let Some(live) = cluster.kubelet.pod_mut(pod)
        && live.uid == copy.uid
    {
        for (i, (c, before)) in copy.containers.iter().zip(&original.containers).enumerate() {
            let Some(l) = live.containers.get_mut(i) else { continue };
            if i == container {
                l.fs = c.fs.clone();
            }
            l.requests_served += c.requests_served.saturating_sub(before.requests_served);
            if c.run_id == l.run_id && c.logs.len() > before.logs.len() {
                l.logs.extend(c.logs[before.logs.len()..].iter().cloned());
                let excess = l.logs.len().saturating_sub(crate::kubelet::MAX_LOG_LINES);
                l.logs.drain(..excess);
            }
        }
    }
    // Files written into a shared volume reach the other containers mounting it.
    if let Some(uid) = cluster.kubelet.by_key.get(pod).cloned()
        && let Some(mut live) = cluster.kubelet.pods.remove(&uid)
    {
        crate::volumes::sync_from(cluster, &mut live, container);
        cluster.kubelet.pods.insert(uid, live);
    }
    out
}
