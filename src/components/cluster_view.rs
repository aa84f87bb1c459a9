//! The cluster view: nodes as lanes, pods as cards inside the lane of their node.
//!
//! Pods not yet bound to a node wait in an "Unscheduled" lane. Every pod state has a colour *and* a
//! shape (design §5), and the automation attributes (`data-name`, `data-phase`, `data-ready`,
//! `data-node`) come straight from the snapshot.

use std::rc::Rc;

use kubeplay_engine::view::{ClusterSnapshot, NodeView, PodView};
use yew::prelude::*;

/// Props of [`ClusterView`].
#[derive(Properties, PartialEq)]
pub struct ClusterViewProps {
    /// What to draw.
    pub snapshot: Rc<ClusterSnapshot>,
}

/// All nodes side by side, each with its pods.
#[component]
pub fn ClusterView(props: &ClusterViewProps) -> Html {
    let snapshot = &props.snapshot;
    let unscheduled: Vec<&PodView> = snapshot.pods.iter().filter(|p| p.node.is_none()).collect();
    html! {
        <div class="cluster-view" data-testid="cluster-view">
            { for snapshot.nodes.iter().map(|node| {
                let pods: Vec<&PodView> = snapshot
                    .pods
                    .iter()
                    .filter(|p| p.node.as_deref() == Some(node.name.as_str()))
                    .collect();
                node_lane(node, &pods)
            }) }
            if !unscheduled.is_empty() {
                <section class="lane lane-unscheduled" aria-label="unscheduled pods">
                    <header class="lane-head"><span class="lane-name">{ "Unscheduled" }</span></header>
                    <div class="lane-pods">{ for unscheduled.iter().map(|p| pod_card(p)) }</div>
                </section>
            }
        </div>
    }
}

fn node_lane(node: &NodeView, pods: &[&PodView]) -> Html {
    let ready = node.status.split(',').next() == Some("Ready");
    let class = classes!("lane", (!ready).then_some("lane-not-ready"));
    html! {
        <section {class} data-testid="node" data-name={node.name.clone()} aria-label={format!("node {}", node.name)}>
            <header class="lane-head">
                <span class="lane-name">{ &node.name }</span>
                <span class="lane-meta">
                    if !node.roles.is_empty() { <span class="badge">{ &node.roles }</span> }
                    <span class={classes!("node-status", (!ready).then_some("bad"))}>{ &node.status }</span>
                </span>
                <span class="lane-ip">{ &node.internal_ip }</span>
            </header>
            <div class="lane-pods">
                if pods.is_empty() { <p class="lane-empty">{ "no pods" }</p> }
                { for pods.iter().map(|p| pod_card(p)) }
            </div>
        </section>
    }
}

/// How a pod looks: one of the states of design §5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Look {
    Pending,
    Creating,
    Ready,
    NotReady,
    Terminating,
    Failed,
    Completed,
}

impl Look {
    fn of(pod: &PodView) -> Look {
        let status = pod.status.as_str();
        if status == "Terminating" {
            Look::Terminating
        } else if status == "Completed" || pod.phase == "Succeeded" {
            Look::Completed
        } else if pod.phase == "Failed"
            || status.contains("BackOff")
            || status.contains("Err")
            || status == "Error"
            || status.starts_with("Init:Error")
        {
            Look::Failed
        } else if pod.phase == "Running" {
            if is_ready(pod) { Look::Ready } else { Look::NotReady }
        } else if status == "ContainerCreating" || status.starts_with("Init:") {
            Look::Creating
        } else {
            Look::Pending
        }
    }

    fn class(self) -> &'static str {
        match self {
            Look::Pending => "pod-pending",
            Look::Creating => "pod-creating",
            Look::Ready => "pod-ready",
            Look::NotReady => "pod-not-ready",
            Look::Terminating => "pod-terminating",
            Look::Failed => "pod-failed",
            Look::Completed => "pod-completed",
        }
    }

    /// A glyph so that colour is never the only signal.
    fn icon(self) -> &'static str {
        match self {
            Look::Pending => "○",
            Look::Creating => "◌",
            Look::Ready => "●",
            Look::NotReady => "◐",
            Look::Terminating => "◍",
            Look::Failed => "⚠",
            Look::Completed => "✓",
        }
    }
}

fn is_ready(pod: &PodView) -> bool {
    pod.total_containers > 0 && pod.ready_containers == pod.total_containers
}

fn pod_card(pod: &PodView) -> Html {
    let look = Look::of(pod);
    let status = if pod.status.is_empty() { pod.phase.as_str() } else { pod.status.as_str() };
    html! {
        <article
            class={classes!("pod", look.class())}
            data-testid="pod"
            data-name={pod.name.clone()}
            data-namespace={pod.namespace.clone()}
            data-phase={pod.phase.clone()}
            data-ready={if is_ready(pod) { "true" } else { "false" }}
            data-node={pod.node.clone().unwrap_or_default()}
            title={pod.owner.clone().map(|o| format!("owned by {o}"))}
        >
            <span class="pod-icon" aria-hidden="true">{ look.icon() }</span>
            <span class="pod-name" title={pod.name.clone()}>{ &pod.name }</span>
            <span class="pod-status" title={status.to_owned()}>{ status }</span>
            <span class="pod-count">{ format!("{}/{}", pod.ready_containers, pod.total_containers) }</span>
            if pod.restarts > 0 {
                <span class="pod-restarts">{ format!("↻ {}", pod.restarts) }</span>
            }
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(phase: &str, status: &str, ready: u32, total: u32) -> PodView {
        PodView {
            phase: phase.into(),
            status: status.into(),
            ready_containers: ready,
            total_containers: total,
            ..Default::default()
        }
    }

    #[test]
    fn every_pod_state_has_its_look() {
        assert_eq!(Look::of(&pod("Pending", "Pending", 0, 1)), Look::Pending);
        assert_eq!(Look::of(&pod("Pending", "ContainerCreating", 0, 1)), Look::Creating);
        assert_eq!(Look::of(&pod("Pending", "ImagePullBackOff", 0, 1)), Look::Failed);
        assert_eq!(Look::of(&pod("Running", "Running", 1, 1)), Look::Ready);
        assert_eq!(Look::of(&pod("Running", "Running", 0, 1)), Look::NotReady);
        assert_eq!(Look::of(&pod("Running", "CrashLoopBackOff", 0, 1)), Look::Failed);
        assert_eq!(Look::of(&pod("Running", "Terminating", 1, 1)), Look::Terminating);
        assert_eq!(Look::of(&pod("Succeeded", "Completed", 0, 1)), Look::Completed);
    }
}
