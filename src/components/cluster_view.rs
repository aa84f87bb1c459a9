//! The cluster view: Deployments (revision, old/new ReplicaSets, surge/unavailable budget), nodes
//! as lanes with pods as cards, and Services with their endpoints.
//!
//! Pods not yet bound to a node wait in an "Unscheduled" lane. Every pod state has a colour *and* a
//! shape (design §5); pods are grouped and tinted by owner (ReplicaSet template hash). The
//! automation attributes (`data-name`, `data-phase`, `data-ready`, `data-node`) come straight
//! from the snapshot. Cards are keyed components with value props, so a tick re-renders only the
//! pods that changed.

use std::rc::Rc;

use kubeplay_engine::view::{ClusterSnapshot, DeploymentView, NodeView, PodView, ServiceView};
use yew::prelude::*;

use super::wires;

/// An object the user clicked, to be described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// kubectl resource type (`pod`, `node`, `service`, `deployment`, `replicaset`).
    pub kind: &'static str,
    /// Namespace (empty for nodes).
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// Props of [`ClusterView`].
#[derive(Properties, PartialEq)]
pub struct ClusterViewProps {
    /// What to draw.
    pub snapshot: Rc<ClusterSnapshot>,
    /// Namespace shown (`None`: all).
    pub namespace: Option<String>,
    /// An object was clicked.
    pub on_select: Callback<Selection>,
}

fn in_ns(ns: &Option<String>, object_ns: &str) -> bool {
    ns.as_deref().is_none_or(|n| n == object_ns)
}

/// Deployments, node lanes with their pods, Services.
#[component]
pub fn ClusterView(props: &ClusterViewProps) -> Html {
    let snapshot = &props.snapshot;
    let ns = &props.namespace;
    let mut pods: Vec<&PodView> =
        snapshot.pods.iter().filter(|p| in_ns(ns, &p.namespace)).collect();
    // Group by owner: pods of one ReplicaSet sit together in a lane.
    kubeplay_engine::sorting::sort_by(&mut pods, |a, b| {
        (&a.owner, &a.name).cmp(&(&b.owner, &b.name))
    });
    let unscheduled: Vec<&PodView> = pods.iter().copied().filter(|p| p.node.is_none()).collect();
    let deployments: Vec<&DeploymentView> =
        snapshot.deployments.iter().filter(|d| in_ns(ns, &d.namespace)).collect();
    let services: Vec<&ServiceView> =
        snapshot.services.iter().filter(|s| in_ns(ns, &s.namespace)).collect();
    let (view_ref, lines_ref, requests_ref) = (use_node_ref(), use_node_ref(), use_node_ref());
    let last_request = use_mut_ref(|| None::<u64>);
    {
        let (view_ref, lines_ref, requests_ref) =
            (view_ref.clone(), lines_ref.clone(), requests_ref.clone());
        let last_request = last_request.clone();
        // After the cards are laid out: lines to endpoints, and new requests along them.
        use_effect_with((snapshot.clone(), ns.clone()), move |(snapshot, ns)| {
            let elements = (
                wires::element(&view_ref),
                wires::element(&lines_ref),
                wires::element(&requests_ref),
            );
            if let (Some(view), Some(lines), Some(requests)) = elements {
                let services: Vec<&ServiceView> =
                    snapshot.services.iter().filter(|s| in_ns(ns, &s.namespace)).collect();
                let last = *last_request.borrow();
                let seen = wires::draw(&view, &lines, &requests, snapshot, &services, last);
                *last_request.borrow_mut() = seen;
            }
        });
    }
    html! {
        <div class="cluster-view" data-testid="cluster-view" ref={view_ref}>
            <svg class="wires" aria-hidden="true">
                <g class="wire-lines" ref={lines_ref} />
                <g class="wire-requests" ref={requests_ref} />
            </svg>
            if !deployments.is_empty() {
                <section class="deployments" aria-label="deployments">
                    { for deployments.iter().map(|d| deployment_row(d, &props.on_select)) }
                </section>
            }
            <div class="lanes">
                { for snapshot.nodes.iter().map(|node| {
                    let lane: Vec<&PodView> = pods
                        .iter()
                        .copied()
                        .filter(|p| p.node.as_deref() == Some(node.name.as_str()))
                        .collect();
                    node_lane(node, &lane, &props.on_select)
                }) }
                if !unscheduled.is_empty() {
                    <section class="lane lane-unscheduled" aria-label="unscheduled pods">
                        <header class="lane-head"><span class="lane-name">{ "Unscheduled" }</span></header>
                        <div class="lane-pods">{ for unscheduled.iter().map(|p| pod_card(p, &props.on_select)) }</div>
                    </section>
                }
            </div>
            if !services.is_empty() {
                <section class="services" aria-label="services">
                    { for services.iter().map(|s| service_row(s, &props.on_select)) }
                </section>
            }
        </div>
    }
}

fn select(
    on_select: &Callback<Selection>,
    kind: &'static str,
    ns: &str,
    name: &str,
) -> Callback<MouseEvent> {
    let sel = Selection { kind, namespace: ns.to_owned(), name: name.to_owned() };
    on_select.reform(move |_| sel.clone())
}

fn select_key(
    on_select: &Callback<Selection>,
    kind: &'static str,
    ns: &str,
    name: &str,
) -> Callback<KeyboardEvent> {
    let sel = Selection { kind, namespace: ns.to_owned(), name: name.to_owned() };
    let on_select = on_select.clone();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            e.stop_propagation();
            on_select.emit(sel.clone());
        }
    })
}

fn node_lane(node: &NodeView, pods: &[&PodView], on_select: &Callback<Selection>) -> Html {
    let ready = node.status.split(',').next() == Some("Ready");
    let class = classes!("lane", (!ready).then_some("lane-not-ready"));
    html! {
        <section {class} key={node.name.clone()} data-testid="node" data-name={node.name.clone()}
            aria-label={format!("node {}", node.name)}>
            <header class="lane-head clickable" tabindex="0" role="button"
                title={format!("describe node {}", node.name)}
                onclick={select(on_select, "node", "", &node.name)}
                onkeydown={select_key(on_select, "node", "", &node.name)}>
                <span class="lane-name">{ &node.name }</span>
                <span class="lane-meta">
                    if !node.roles.is_empty() { <span class="badge">{ &node.roles }</span> }
                    <span class={classes!("node-status", (!ready).then_some("bad"))}>
                        { if ready { "✓ " } else { "✗ " } }{ &node.status }
                    </span>
                </span>
                <span class="lane-ip">{ &node.internal_ip }{ format!(" · {} pods", pods.len()) }</span>
            </header>
            <div class="lane-pods">
                if pods.is_empty() { <p class="lane-empty">{ "no pods" }</p> }
                { for pods.iter().map(|p| pod_card(p, on_select)) }
            </div>
        </section>
    }
}

fn pod_card(pod: &PodView, on_select: &Callback<Selection>) -> Html {
    html! {
        <PodCard key={format!("{}/{}", pod.namespace, pod.name)} pod={pod.clone()} on_select={on_select.clone()} />
    }
}

/// How a pod looks: one of the states of design §5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// Pending (amber, hollow).
    Pending,
    /// ContainerCreating (blue, spinner).
    Creating,
    /// Running and ready (green, filled).
    Ready,
    /// Running, not ready (green outline, half).
    NotReady,
    /// Terminating (grey, fading).
    Terminating,
    /// CrashLoopBackOff, Error, image pull errors (red, warning mark).
    Failed,
    /// Completed (grey, check mark).
    Completed,
}

impl Look {
    /// The look of a pod.
    pub fn of(pod: &PodView) -> Look {
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
            || status.starts_with("OOM")
        {
            Look::Failed
        } else if pod.phase == "Running" {
            if is_ready(pod) { Look::Ready } else { Look::NotReady }
        } else if status == "ContainerCreating"
            || status.starts_with("Init:")
            || status == "PodInitializing"
        {
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
    pub fn icon(self) -> &'static str {
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

/// A hue (0..360) for an owner: pods of one ReplicaSet share a tint.
fn hue(key: &str) -> u32 {
    // FNV-1a: stable across runs and builds.
    // Blues, teals and purples only: red, amber and green already mean pod states.
    const HUES: [u32; 8] = [175, 195, 215, 235, 255, 275, 295, 315];
    let h = key.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    HUES[(h % 8) as usize]
}

/// Props of [`PodCard`].
#[derive(Properties, PartialEq)]
pub struct PodCardProps {
    /// The pod.
    pub pod: PodView,
    /// The card was clicked.
    pub on_select: Callback<Selection>,
}

/// One pod: icon, name, STATUS, ready x/y, restarts; tinted by owner.
#[component]
pub fn PodCard(props: &PodCardProps) -> Html {
    let pod = &props.pod;
    let look = Look::of(pod);
    let status = if pod.status.is_empty() { pod.phase.as_str() } else { pod.status.as_str() };
    let owner_key = pod.template_hash.clone().or_else(|| pod.owner.clone());
    let style = owner_key.as_deref().map(|k| format!("--tint: {}", hue(k)));
    let owner_label = match (&pod.owner, &pod.template_hash) {
        (Some(o), _) => format!("owned by {o}"),
        (None, _) => "no owner".to_owned(),
    };
    html! {
        <article
            class={classes!("pod", look.class(), owner_key.is_some().then_some("pod-owned"))}
            {style}
            tabindex="0"
            role="button"
            data-testid="pod"
            data-name={pod.name.clone()}
            data-namespace={pod.namespace.clone()}
            data-phase={pod.phase.clone()}
            data-status={status.to_owned()}
            data-ready={if is_ready(pod) { "true" } else { "false" }}
            data-node={pod.node.clone().unwrap_or_default()}
            title={format!("{} — {status}, {owner_label}. Click to describe.", pod.name)}
            onclick={select(&props.on_select, "pod", &pod.namespace, &pod.name)}
            onkeydown={select_key(&props.on_select, "pod", &pod.namespace, &pod.name)}
        >
            <span class="pod-icon" aria-hidden="true">{ look.icon() }</span>
            <span class="pod-name">{ &pod.name }</span>
            <span class="pod-status">{ status }</span>
            <span class="pod-count" title="ready containers">{ format!("{}/{}", pod.ready_containers, pod.total_containers) }</span>
            if pod.restarts > 0 {
                <span class="pod-restarts" title="restarts">{ format!("↻ {}", pod.restarts) }</span>
            }
        </article>
    }
}

fn deployment_row(d: &DeploymentView, on_select: &Callback<Selection>) -> Html {
    let total: i32 = d.replica_sets.iter().map(|rs| rs.current).sum();
    let max_total = d.desired + d.surge_pods;
    let min_available = (d.desired - d.unavailable_pods).max(0);
    let rolling = d.replica_sets.iter().filter(|rs| rs.current > 0 || rs.desired > 0).count() > 1;
    let active: Vec<_> = d
        .replica_sets
        .iter()
        .enumerate()
        .filter(|(i, rs)| *i == 0 || rs.current > 0 || rs.desired > 0)
        .map(|(_, rs)| rs)
        .collect();
    html! {
        <div class={classes!("deployment", rolling.then_some("rolling"))} key={format!("{}/{}", d.namespace, d.name)}
            data-testid="deployment" data-name={d.name.clone()} data-revision={d.revision.clone()}>
            <button type="button" class="obj-link" onclick={select(on_select, "deployment", &d.namespace, &d.name)}>
                { format!("deployment/{}", d.name) }
            </button>
            <span class="dep-rev" title="revision">{ format!("rev {}", d.revision) }</span>
            <span class="dep-counts" title="ready / updated / desired">
                { format!("{}/{} ready · {} up-to-date", d.ready, d.desired, d.updated) }
            </span>
            if d.strategy == "Recreate" {
                <span class="dep-budget">{ "strategy Recreate" }</span>
            } else {
                <span class={classes!("dep-budget", rolling.then_some("active"))}
                    title={format!("maxSurge {} · maxUnavailable {}", d.max_surge, d.max_unavailable)}>
                    { format!("pods {total}/{max_total} (surge {}) · available {}/{min_available}+ (unavail {})",
                        d.surge_pods, d.available, d.unavailable_pods) }
                </span>
            }
            <span class="rs-list">
                { for active.iter().rev().enumerate().map(|(i, rs)| {
                    let new = rs.revision == d.revision;
                    html! {
                        <>
                            if i > 0 { <span class="rs-arrow" aria-hidden="true">{ "→" }</span> }
                            <button type="button" class={classes!("rs", if new { "rs-new" } else { "rs-old" })}
                                style={format!("--tint: {}", hue(&rs.template_hash))}
                                title={format!("{} ({}) image {}", rs.name, if new { "new" } else { "old" }, rs.images)}
                                onclick={select(on_select, "replicaset", &d.namespace, &rs.name)}>
                                <span class="rs-tag">{ if new { "new" } else { "old" } }</span>
                                { format!(" rs {} rev{} {} {}/{}", rs.template_hash, rs.revision, rs.images, rs.ready, rs.desired) }
                            </button>
                        </>
                    }
                }) }
            </span>
        </div>
    }
}

fn service_row(s: &ServiceView, on_select: &Callback<Selection>) -> Html {
    html! {
        <div class="service" key={format!("{}/{}", s.namespace, s.name)} data-testid="service" data-name={s.name.clone()}
            data-key={format!("{}/{}", s.namespace, s.name)}
            data-ready-endpoints={s.ready.len().to_string()}>
            <button type="button" class="obj-link" onclick={select(on_select, "service", &s.namespace, &s.name)}>
                { format!("svc/{}", s.name) }
            </button>
            <span class="svc-addr">{ format!("{} {} {}", s.type_, s.cluster_ip, s.ports) }</span>
            <span class="svc-arrow" aria-hidden="true">{ "⟶" }</span>
            if s.ready.is_empty() && s.not_ready.is_empty() {
                <span class="ep-none">{ "no endpoints" }</span>
            }
            <span class="endpoints">
                { for s.ready.iter().map(|p| html! {
                    <span class="ep ep-ready" key={p.clone()} title="ready endpoint">{ "● " }{ p }</span>
                }) }
                { for s.not_ready.iter().map(|p| html! {
                    <span class="ep ep-not-ready" key={p.clone()} title="not ready: no traffic">{ "◐ " }{ p }{ " (not ready)" }</span>
                }) }
            </span>
        </div>
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

    #[test]
    fn owners_get_stable_tints() {
        assert_eq!(hue("6fc8d9"), hue("6fc8d9"));
        assert!(hue("a") < 360);
    }
}
