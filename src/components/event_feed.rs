//! The event feed: the newest Kubernetes events as plain-words captions, newest first.

use std::rc::Rc;

use kubeplay_engine::view::EventView;
use yew::prelude::*;

/// The most events listed.
pub const FEED_LEN_MAX: usize = 40;

/// Props of [`EventFeed`].
#[derive(Properties, PartialEq)]
pub struct EventFeedProps {
    /// Events, oldest first.
    pub events: Rc<Vec<EventView>>,
    /// Namespace shown (`None`: all).
    pub namespace: Option<String>,
}

/// Who acts when an event with this reason is recorded, in plain words.
pub fn actor(reason: &str) -> &'static str {
    match reason {
        "Scheduled" | "FailedScheduling" => "Scheduler",
        "ScalingReplicaSet" => "Deployment controller",
        "SuccessfulCreate" | "SuccessfulDelete" | "FailedCreate" => "ReplicaSet controller",
        "Pulling" | "Pulled" | "Created" | "Started" | "Killing" | "BackOff" | "Unhealthy"
        | "Failed" | "ErrImagePull" | "ImagePullBackOff" | "Preempting" => "kubelet",
        "NodeReady"
        | "NodeNotReady"
        | "RegisteredNode"
        | "Starting"
        | "NodeHasSufficientMemory" => "Node",
        "Completed" | "SawCompletedJob" => "Job controller",
        "SuccessfulRescheduling" | "TaintManagerEviction" => "Node lifecycle controller",
        _ => "Cluster",
    }
}

/// The event as one sentence: `kubelet: Pulling image "nginx" (pod/web-1)`.
pub fn caption(e: &EventView) -> String {
    format!("{}: {} ({})", actor(&e.reason), e.message, e.object)
}

/// `mm:ss` (or `h:mm:ss`) of session time.
pub fn short_time(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Newest events first, bounded.
#[component]
pub fn EventFeed(props: &EventFeedProps) -> Html {
    let events: Vec<&EventView> = props
        .events
        .iter()
        .rev()
        .filter(|e| props.namespace.as_deref().is_none_or(|n| n == e.namespace))
        .take(FEED_LEN_MAX)
        .collect();
    html! {
        <div class="event-feed" data-testid="event-feed">
            if events.is_empty() {
                <p class="empty">{ "No events yet." }</p>
            }
            <ol class="events">
                { for events.iter().map(|e| {
                    let warning = e.type_ == "Warning";
                    html! {
                        <li key={e.name.clone()} class={classes!("event", warning.then_some("event-warning"))}
                            data-reason={e.reason.clone()}>
                            <div class="event-head">
                                <time>{ short_time(e.at_ms) }</time>
                                <span class="event-type" title={e.type_.clone()}>{ if warning { "⚠ Warning" } else { "• " } }</span>
                                <strong>{ &e.reason }</strong>
                                if e.count > 1 { <span class="event-count">{ format!("×{}", e.count) }</span> }
                            </div>
                            <div class="event-object">{ &e.object }</div>
                            <div class="event-msg">{ format!("{}: {}", actor(&e.reason), e.message) }</div>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
