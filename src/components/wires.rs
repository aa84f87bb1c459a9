//! Lines from each Service to its endpoint pods (ready solid, not ready dashed) and requests
//! travelling along them, drawn on an SVG layer over the cluster view after each render.
//!
//! The layout is the browser's, so positions are read from the rendered service rows and pod
//! cards (`data-key`, `data-namespace`/`data-name`) rather than computed. Only attribute values
//! and SVG elements made with `createElementNS` reach the DOM; no markup is built from strings.

use std::collections::BTreeMap;

use gloo_timers::callback::Timeout;
use kubeplay_engine::view::{ClusterSnapshot, RequestView, ServiceView};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// How long a request takes to travel from its Service to its pod (wall time).
const REQUEST_TRAVEL_MS: u32 = 700;
/// Requests drawn at once; a burst beyond this is shown by its newest ones.
const REQUESTS_IN_FLIGHT_MAX: usize = 12;

/// Where the lines start and end: points in the cluster view's scrolled coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Anchor {
    x: f64,
    y: f64,
}

/// Redraws the lines of `services` in `lines`, and starts the requests newer than `last_seq` in
/// `requests`; returns the newest request seq seen.
pub fn draw(
    view: &Element,
    lines: &Element,
    requests: &Element,
    snapshot: &ClusterSnapshot,
    services: &[&ServiceView],
    last_seq: Option<u64>,
) -> Option<u64> {
    let pods = anchors(
        view,
        "[data-testid=pod]",
        |el| {
            let ns = el.get_attribute("data-namespace")?;
            let name = el.get_attribute("data-name")?;
            Some(format!("{ns}/{name}"))
        },
        Edge::Bottom,
    );
    let svcs = anchors(view, "[data-testid=service]", |el| el.get_attribute("data-key"), Edge::Top);
    clear(lines);
    let mut paths: BTreeMap<(String, String), String> = BTreeMap::new();
    for s in services {
        let key = format!("{}/{}", s.namespace, s.name);
        let Some(from) = svcs.get(&key) else { continue };
        for (pods_of_state, ready) in [(&s.ready, true), (&s.not_ready, false)] {
            for pod in pods_of_state {
                let pod_key = format!("{}/{pod}", s.namespace);
                let Some(to) = pods.get(&pod_key) else { continue };
                let d = curve(*from, *to);
                let class = if ready { "wire wire-ready" } else { "wire wire-not-ready" };
                if let Some(path) = svg(lines, "path") {
                    set(&path, "d", &d);
                    set(&path, "class", class);
                    set(&path, "data-testid", "wire");
                    set(&path, "data-state", if ready { "ready" } else { "not-ready" });
                }
                paths.insert((key.clone(), pod_key), d);
            }
        }
    }
    let newest = snapshot.requests.last().map(|r| r.seq);
    let fresh: Vec<&RequestView> =
        snapshot.requests.iter().filter(|r| last_seq.is_none_or(|last| r.seq > last)).collect();
    let skip = fresh.len().saturating_sub(REQUESTS_IN_FLIGHT_MAX);
    for (i, r) in fresh.into_iter().skip(skip).enumerate() {
        let (Some(svc), Some(pod)) = (&r.service, &r.pod) else { continue };
        if let Some(d) = paths.get(&(svc.clone(), pod.clone())) {
            launch(requests, d, r.ok, i as u32 * 90);
        }
    }
    newest.max(last_seq)
}

#[derive(Clone, Copy)]
enum Edge {
    Top,
    Bottom,
}

// Anchor points of the elements matching `selector`, by the key `key_of` gives each.
fn anchors(
    view: &Element,
    selector: &str,
    key_of: impl Fn(&Element) -> Option<String>,
    edge: Edge,
) -> BTreeMap<String, Anchor> {
    let mut out = BTreeMap::new();
    let Ok(list) = view.query_selector_all(selector) else { return out };
    let base = view.get_bounding_client_rect();
    let (scroll_x, scroll_y) = (f64::from(view.scroll_left()), f64::from(view.scroll_top()));
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        let Some(key) = key_of(&el) else { continue };
        let r = el.get_bounding_client_rect();
        if r.width() == 0.0 && r.height() == 0.0 {
            continue;
        }
        let y = match edge {
            Edge::Top => r.top(),
            Edge::Bottom => r.bottom(),
        };
        out.insert(
            key,
            Anchor {
                x: r.left() + r.width() / 2.0 - base.left() + scroll_x,
                y: y - base.top() + scroll_y,
            },
        );
    }
    out
}

// A gentle S-curve from the service to the pod.
fn curve(from: Anchor, to: Anchor) -> String {
    let mid = (from.y + to.y) / 2.0;
    format!(
        "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        from.x, from.y, from.x, mid, to.x, mid, to.x, to.y
    )
}

// A dot that runs along `d` once, starting after `delay_ms`, then removes itself.
fn launch(layer: &Element, d: &str, ok: bool, delay_ms: u32) {
    let Some(dot) = svg(layer, "circle") else { return };
    set(&dot, "r", "5");
    set(&dot, "class", if ok { "request request-ok" } else { "request request-failed" });
    set(&dot, "data-testid", "request");
    let Some(motion) = svg(&dot, "animateMotion") else { return };
    set(&motion, "path", d);
    set(&motion, "dur", &format!("{REQUEST_TRAVEL_MS}ms"));
    set(&motion, "begin", "indefinite");
    set(&motion, "fill", "freeze");
    if let Ok(motion) = motion.dyn_into::<web_sys::SvgAnimationElement>() {
        let _ = motion.begin_element_at(delay_ms as f32 / 1000.0);
    }
    let remove = dot.clone();
    Timeout::new(REQUEST_TRAVEL_MS + delay_ms + 150, move || remove.remove()).forget();
}

fn svg(parent: &Element, tag: &str) -> Option<Element> {
    let document = web_sys::window()?.document()?;
    let el = document.create_element_ns(Some(SVG_NS), tag).ok()?;
    parent.append_child(&el).ok()?;
    Some(el)
}

fn set(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

fn clear(el: &Element) {
    while let Some(child) = el.first_child() {
        let _ = el.remove_child(&child);
    }
}

/// The element behind `node`, if it is rendered.
pub fn element(node: &yew::NodeRef) -> Option<Element> {
    node.cast::<HtmlElement>().map(Into::into).or_else(|| node.cast::<Element>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_run_from_the_service_down_or_up_to_the_pod() {
        let d = curve(Anchor { x: 10.0, y: 100.0 }, Anchor { x: 50.0, y: 20.0 });
        assert_eq!(d, "M10.0,100.0 C10.0,60.0 50.0,60.0 50.0,20.0");
    }
}
