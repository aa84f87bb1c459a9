//! The root component, the hash router and the page layout (design §5): lesson pane left, cluster
//! view centre, event feed right, terminal/editor tabs with the time controls along the bottom.
//!
//! Routes: `#/play` (and `#/`, the default) is the sandbox; `#/play?seed=N&s=...` replays a shared
//! session; `#/lesson/<id>/<step>` is a placeholder until lessons land.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::cluster_view::{ClusterView, Selection};
use crate::components::detail::{self, Detail};
use crate::components::event_feed::{self, EventFeed};
use crate::components::terminal::Terminal;
use crate::components::time_controls::TimeControls;
use crate::components::yaml_editor::YamlEditor;
use crate::session::Item;
use crate::state::{SimAction, SimProvider, SimState, use_sim};
use crate::{export, share, storage, templates};

/// Where the hash points.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Route {
    /// The sandbox (`#/play`, `#/`, empty).
    Play,
    /// A lesson step (placeholder).
    Lesson(String),
    /// Anything else.
    NotFound(String),
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

fn route_of(hash: &str) -> Route {
    let (path, _) = share::split_fragment(hash);
    match path {
        "" | "/" | "/play" => Route::Play,
        p if p.starts_with("/lesson/") => Route::Lesson(p["/lesson/".len()..].to_owned()),
        p => Route::NotFound(p.to_owned()),
    }
}

/// Adds a window event listener for the life of the component that calls this in an effect.
fn listen(event: &str, f: impl FnMut(web_sys::Event) + 'static) -> impl FnOnce() {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let window = web_sys::window();
    if let Some(w) = &window {
        let _ = w.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    }
    let event = event.to_owned();
    move || {
        if let Some(w) = window {
            let _ = w.remove_event_listener_with_callback(&event, closure.as_ref().unchecked_ref());
        }
    }
}

/// The whole app: the session provider around the routed page.
#[component]
pub fn App() -> Html {
    let route = use_state(|| route_of(&current_hash()));
    {
        let route = route.clone();
        use_effect_with((), move |()| {
            listen("hashchange", move |_: web_sys::Event| route.set(route_of(&current_hash())))
        });
    }
    html! {
        <SimProvider>
            { match &*route {
                Route::Play => html! { <Playground /> },
                Route::Lesson(path) => placeholder(
                    "Lessons are coming",
                    &format!("Lesson {path}: the lessons pane is being built by another part of the project. \
                              Until it lands, the sandbox is open."),
                ),
                Route::NotFound(path) => placeholder("Page not found", &format!("Nothing lives at #{path}.")),
            } }
        </SimProvider>
    }
}

fn placeholder(title: &str, text: &str) -> Html {
    html! {
        <main class="placeholder" data-testid="placeholder">
            { brand() }
            <h2>{ title }</h2>
            <p>{ text }</p>
            <p><a href="#/play">{ "Open the sandbox" }</a></p>
        </main>
    }
}

fn brand() -> Html {
    html! {
        <h1 class="brand">
            <svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true">
                <path fill="#326ce5" d="M16 1.5 29 8v16l-13 6.5L3 24V8z" />
                <path fill="#fff" d="M12.5 10v12l10-6z" />
            </svg>
            { "kubeplay" }
        </h1>
    }
}

/// Milliseconds since the epoch (wall clock, for throttling saves only).
fn wall_ms() -> f64 {
    js_sys::Date::now()
}

/// Whether a keyboard event comes from a place that types text (no global shortcuts there).
fn typing_target(e: &KeyboardEvent) -> bool {
    e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON")
            || el.get_attribute("role").as_deref() == Some("button")
    })
}

/// The saving rule: on every recorded step at once; while time merely runs, at most every 2 s.
const SAVE_THROTTLE_MS: f64 = 2_000.0;

/// The sandbox page: wires the presentational components to the session reducer.
#[component]
fn Playground() -> Html {
    let sim = use_sim();
    let namespace = use_state(|| Some("default".to_owned()));
    let selection = use_state(|| None::<Selection>);
    let detail_yaml = use_state(|| false);
    let presenter = use_state(|| false);
    let hide_terminal = use_state(|| false);
    let hide_events = use_state(|| false);
    let editor_tab = use_state(|| false);
    let share_url = use_state(|| None::<String>);
    // Restored (or refused) the saved session / link yet? Nothing is saved before.
    let loaded = use_mut_ref(|| false);
    let latest = use_mut_ref(|| None::<(u64, Vec<Item>)>);

    // Load once: a share link wins over the saved session.
    {
        let sim = sim.dispatcher();
        let loaded = loaded.clone();
        use_effect_with((), move |()| {
            let hash = current_hash();
            let (_, query) = share::split_fragment(&hash);
            let from_link = query.map(share::decode_query);
            match from_link {
                Some(Ok(Some(shared))) => {
                    sim.dispatch(SimAction::Load {
                        seed: shared.seed,
                        items: shared.items,
                        notice: None,
                    });
                }
                Some(Err(message)) => {
                    sim.dispatch(SimAction::Load {
                        seed: 1,
                        items: Vec::new(),
                        notice: Some(format!(
                            "This link could not be opened: {message}. Started a clean cluster."
                        )),
                    });
                }
                _ => match storage::load() {
                    Ok(Some((seed, items))) => {
                        sim.dispatch(SimAction::Load { seed, items, notice: None })
                    }
                    Ok(None) => {}
                    Err(message) => sim.dispatch(SimAction::SetNotice(Some(message))),
                },
            }
            if query.is_some()
                && let Some(w) = web_sys::window()
                && let Ok(history) = w.history()
            {
                let _ = history.replace_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some("#/play"),
                );
            }
            *loaded.borrow_mut() = true;
        });
    }

    // Save: throttled while only time runs; also when the page goes away.
    {
        let state: SimState = (*sim).clone();
        let loaded = loaded.clone();
        let latest = latest.clone();
        let dispatcher = sim.dispatcher();
        let last = use_mut_ref(|| (0.0_f64, 0_usize));
        use_effect_with((sim.items.clone(), sim.buffers.clone(), sim.seed), move |_| {
            if *loaded.borrow() {
                let items = state.session_items();
                let steps = items.iter().filter(|i| !matches!(i, Item::Sleep(_))).count();
                let (at, count) = *last.borrow();
                let now = wall_ms();
                if steps != count || now - at > SAVE_THROTTLE_MS {
                    *last.borrow_mut() = (now, steps);
                    if let Err(message) = storage::save(state.seed, &items)
                        && state.notice.is_none()
                    {
                        dispatcher.dispatch(SimAction::SetNotice(Some(message)));
                    }
                }
                *latest.borrow_mut() = Some((state.seed, items));
            }
        });
    }
    {
        let latest = latest.clone();
        use_effect_with((), move |()| {
            listen("pagehide", move |_: web_sys::Event| {
                if let Some((seed, items)) = &*latest.borrow() {
                    let _ = storage::save(*seed, items);
                }
            })
        });
    }

    // Global keys: space = play/pause, → = step (presenter), Esc closes the detail pane.
    {
        let sim_ref = Rc::new(RefCell::new((sim.dispatcher(), sim.playing)));
        let selection = selection.clone();
        let deps = sim.playing;
        use_effect_with(deps, move |&playing| {
            sim_ref.borrow_mut().1 = playing;
            listen("keydown", move |e: web_sys::Event| {
                let Ok(e) = e.dyn_into::<KeyboardEvent>() else { return };
                if e.ctrl_key() || e.alt_key() || e.meta_key() || typing_target(&e) {
                    return;
                }
                let (dispatcher, playing) = &*sim_ref.borrow();
                match e.key().as_str() {
                    " " => {
                        e.prevent_default();
                        dispatcher.dispatch(SimAction::SetPlaying(!playing));
                    }
                    "ArrowRight" => dispatcher.dispatch(SimAction::Step),
                    "Escape" => selection.set(None),
                    _ => {}
                }
            })
        });
    }

    let dispatch = |f: fn(()) -> SimAction| {
        let d = sim.dispatcher();
        Callback::from(move |()| d.dispatch(f(())))
    };
    let on_run = {
        let d = sim.dispatcher();
        Callback::from(move |line: String| d.dispatch(SimAction::Run(line)))
    };
    let on_interrupt = {
        let d = sim.dispatcher();
        Callback::from(move |line: String| d.dispatch(SimAction::Interrupt(line)))
    };
    let on_clear = dispatch(|()| SimAction::ClearTerminal);
    let on_step = dispatch(|()| SimAction::Step);
    let on_play = {
        let d = sim.dispatcher();
        Callback::from(move |playing| d.dispatch(SimAction::SetPlaying(playing)))
    };
    let on_speed = {
        let d = sim.dispatcher();
        Callback::from(move |pct| d.dispatch(SimAction::SetSpeed(pct)))
    };
    let on_reset = {
        let (d, share_url, selection) = (sim.dispatcher(), share_url.clone(), selection.clone());
        Callback::from(move |_: MouseEvent| {
            storage::clear();
            share_url.set(None);
            selection.set(None);
            d.dispatch(SimAction::Reset { seed: 1 });
        })
    };
    let on_edit = {
        let d = sim.dispatcher();
        Callback::from(move |(index, text)| d.dispatch(SimAction::EditBuffer { index, text }))
    };
    let on_new = {
        let d = sim.dispatcher();
        Callback::from(move |i: usize| {
            let (_, name, text) = templates::ALL[i.min(templates::ALL.len() - 1)];
            d.dispatch(SimAction::NewBuffer { name: name.into(), text: text.into() });
        })
    };
    let on_close_buffer = {
        let d = sim.dispatcher();
        Callback::from(move |i| d.dispatch(SimAction::CloseBuffer(i)))
    };
    let on_apply = {
        let d = sim.dispatcher();
        Callback::from(move |i| d.dispatch(SimAction::Apply(i)))
    };
    let on_select = {
        let selection = selection.clone();
        Callback::from(move |s: Selection| selection.set(Some(s)))
    };
    let on_share = {
        let (share_url, seed) = (share_url.clone(), sim.seed);
        let items = sim.session_items();
        Callback::from(move |_: MouseEvent| {
            let fragment = share::encode(seed, &items);
            let Some(window) = web_sys::window() else { return };
            let loc = window.location();
            let base = format!(
                "{}{}",
                loc.origin().unwrap_or_default(),
                loc.pathname().unwrap_or_default()
            );
            let url = format!("{base}#{fragment}");
            let _ = window.navigator().clipboard().write_text(&url);
            share_url.set(Some(url));
        })
    };
    let on_export = {
        let items = sim.session_items();
        let workers = sim.worker_nodes();
        Callback::from(move |_: MouseEvent| {
            let script = export::real_cluster_script(&items, workers);
            download(export::SCRIPT_FILE_NAME, &script);
        })
    };
    let on_namespace = {
        let namespace = namespace.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            namespace.set(if v.is_empty() { None } else { Some(v) });
        })
    };
    let toggle = |h: &UseStateHandle<bool>| {
        let h = h.clone();
        Callback::from(move |_: MouseEvent| h.set(!*h))
    };

    let detail_text = {
        let sel = (*selection).clone();
        let yaml = *detail_yaml;
        let state: SimState = (*sim).clone();
        use_memo(
            (sel, yaml, sim.snapshot.now_ms, sim.transcript.len()),
            move |(sel, yaml, _, _)| {
                sel.as_ref().map(|s| state.query(&detail::command(s, *yaml))).unwrap_or_default()
            },
        )
    };

    let events = Rc::new(sim.snapshot.events.clone());
    let captions: Vec<_> = sim
        .snapshot
        .events
        .iter()
        .rev()
        .filter(|e| namespace.as_deref().is_none_or(|n| n == e.namespace))
        .take(2)
        .collect();
    let shell_class = classes!(
        "shell",
        presenter.then_some("presenter"),
        hide_terminal.then_some("no-bottom"),
        hide_events.then_some("no-events"),
    );
    let ns_value = namespace.as_deref().unwrap_or("").to_owned();
    html! {
        <div class={shell_class}>
            if let Some(notice) = &sim.notice {
                <div class="error-banner" data-testid="error-banner" role="alert">
                    <span aria-hidden="true">{ "⚠ " }</span>
                    <span>{ notice.as_str() }</span>
                    <button type="button" aria-label="dismiss" class="close"
                        onclick={{ let d = sim.dispatcher(); Callback::from(move |_: MouseEvent| d.dispatch(SimAction::SetNotice(None))) }}>
                        { "✕" }
                    </button>
                </div>
            }
            <aside class="pane pane-lesson" aria-label="sandbox">
                { brand() }
                <h2 class="pane-title">{ "Sandbox" }</h2>
                <p>{ "A simulated cluster with one control-plane node and three workers. \
                      Type kubectl commands below, or apply YAML from the Editor tab; press ▶ to let time run." }</p>
                <p class="hint">{ "Try " }<code>{ "kubectl get nodes" }</code>{ ", then apply web.yaml." }</p>
                <p class="keys">
                    <kbd>{ "Tab" }</kbd>{ " complete · " }<kbd>{ "↑" }</kbd>{ " " }<kbd>{ "↓" }</kbd>{ " history · " }
                    <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "C" }</kbd>{ " cancel · " }
                    <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "L" }</kbd>{ " clear · " }
                    <kbd>{ "Space" }</kbd>{ " play/pause · " }<kbd>{ "→" }</kbd>{ " next event" }
                </p>
                <div class="actions">
                    <button type="button" data-testid="share-button" onclick={on_share}>{ "Share link" }</button>
                    <button type="button" data-testid="export-button" onclick={on_export}
                        title="Download this session as a bash script for kind or minikube">{ "Run on a real cluster ⤓" }</button>
                    <button type="button" class="reset" onclick={on_reset}>{ "↺ Reset cluster" }</button>
                </div>
                if let Some(url) = &*share_url {
                    <label class="share">
                        { "Link copied (replays this session):" }
                        <input data-testid="share-url" readonly=true value={url.clone()}
                            onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                    </label>
                }
                <p class="hint">{ "Lessons arrive soon at " }<code>{ "#/lesson/…" }</code>{ "." }</p>
            </aside>
            <main class="pane pane-cluster" aria-label="cluster">
                <div class="cluster-bar">
                    <label>{ "Namespace " }
                        <select data-testid="namespace" aria-label="namespace" onchange={on_namespace}>
                            <option value="default" selected={ns_value == "default"}>{ "default" }</option>
                            <option value="kube-system" selected={ns_value == "kube-system"}>{ "kube-system" }</option>
                            <option value="" selected={ns_value.is_empty()}>{ "all namespaces" }</option>
                        </select>
                    </label>
                    <span class="legend" aria-label="legend">
                        <span class="lg lg-pending">{ "○ Pending" }</span>
                        <span class="lg lg-creating">{ "◌ Creating" }</span>
                        <span class="lg lg-ready">{ "● Ready" }</span>
                        <span class="lg lg-not-ready">{ "◐ Not ready" }</span>
                        <span class="lg lg-terminating">{ "◍ Terminating" }</span>
                        <span class="lg lg-failed">{ "⚠ Failed" }</span>
                        <span class="lg lg-completed">{ "✓ Completed" }</span>
                    </span>
                    <span class="pane-toggles">
                        <button type="button" data-testid="presenter-toggle" aria-pressed={presenter.to_string()}
                            title="Presenter mode: large type, captions, panes on demand"
                            onclick={toggle(&presenter)}>{ if *presenter { "Exit presenter" } else { "Presenter" } }</button>
                    if *presenter {
                            <button type="button" aria-pressed={(!*hide_terminal).to_string()} onclick={toggle(&hide_terminal)}>
                                { if *hide_terminal { "Show terminal" } else { "Hide terminal" } }</button>
                            <button type="button" aria-pressed={(!*hide_events).to_string()} onclick={toggle(&hide_events)}>
                                { if *hide_events { "Show events" } else { "Hide events" } }</button>
                    }
                    </span>
                </div>
                <ClusterView snapshot={sim.snapshot.clone()} namespace={(*namespace).clone()} {on_select} />
                if let Some(sel) = &*selection {
                    <Detail selection={sel.clone()} yaml={*detail_yaml} text={AttrValue::from((*detail_text).clone())}
                        on_mode={{ let y = detail_yaml.clone(); Callback::from(move |v| y.set(v)) }}
                        on_close={{ let s = selection.clone(); Callback::from(move |()| s.set(None)) }} />
                }
                if *presenter && !captions.is_empty() {
                    <div class="captions" data-testid="captions" aria-live="polite">
                        { for captions.iter().rev().map(|e| html! {
                            <p key={e.name.clone()} class={classes!((e.type_ == "Warning").then_some("warn"))}>
                                { event_feed::caption(e) }
                            </p>
                        }) }
                    </div>
                }
            </main>
            <aside class="pane pane-events" aria-label="events">
                <h2 class="pane-title">{ "Events" }</h2>
                <EventFeed {events} namespace={(*namespace).clone()} />
            </aside>
            <section class="pane pane-bottom" aria-label="terminal and editor">
                <div class="tabs" role="tablist">
                    <button type="button" role="tab" data-testid="tab-terminal" aria-selected={(!*editor_tab).to_string()}
                        class={classes!("tab", (!*editor_tab).then_some("tab-active"))}
                        onclick={{ let t = editor_tab.clone(); Callback::from(move |_: MouseEvent| t.set(false)) }}>{ "Terminal" }</button>
                    <button type="button" role="tab" data-testid="tab-editor" aria-selected={editor_tab.to_string()}
                        class={classes!("tab", editor_tab.then_some("tab-active"))}
                        onclick={{ let t = editor_tab.clone(); Callback::from(move |_: MouseEvent| t.set(true)) }}>{ "Editor" }</button>
                    <TimeControls playing={sim.playing} speed_pct={sim.speed_pct}
                        now_ms={sim.snapshot.session_ms} {on_play} {on_speed} {on_step} />
                </div>
                if *editor_tab {
                    <YamlEditor buffers={sim.buffers.clone()} apply_result={sim.apply_result.clone()}
                        {on_edit} {on_new} on_close={on_close_buffer} {on_apply} />
                } else {
                    <Terminal transcript={sim.transcript.clone()} history={sim.history.clone()}
                        snapshot={sim.snapshot.clone()} {on_run} {on_clear} {on_interrupt} />
                }
            </section>
        </div>
    }
}

/// Offers `text` as a file download named `name` (a data URL on a temporary link).
fn download(name: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(link) = document.create_element("a") else { return };
    let href =
        format!("data:text/x-shellscript;charset=utf-8,{}", js_sys::encode_uri_component(text));
    if link.set_attribute("href", &href).is_err() || link.set_attribute("download", name).is_err() {
        return;
    }
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
}
