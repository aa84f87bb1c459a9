//! The root component, the hash router and the page layout (design §5): lesson pane left, cluster
//! view centre, event feed right, terminal/editor tabs with the time controls along the bottom.
//!
//! Routes: `#/` the home page (lessons and progress); `#/play` the sandbox, `#/play?seed=N&s=...`
//! a shared sandbox session; `#/lesson/<id>/<step>` a lesson step, `...?s=...` a shared lesson
//! session.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use kubeplay_engine::lesson::{CheckResult, Lesson};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::cluster_view::{ClusterView, Selection};
use crate::components::detail::{self, Detail};
use crate::components::event_feed::{self, EventFeed};
use crate::components::home::Home;
use crate::components::lesson_pane::LessonPane;
use crate::components::terminal::Terminal;
use crate::components::time_controls::TimeControls;
use crate::components::yaml_editor::YamlEditor;
use crate::session::Item;
use crate::state::{SimAction, SimState, use_sim};
use crate::{export, lessons, share, storage, templates};

/// Where the hash points.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Route {
    /// The lessons and the sandbox (`#/`, empty).
    Home,
    /// The sandbox (`#/play`).
    Play,
    /// A lesson step (`#/lesson/<id>/<step>`; no step: 1).
    Lesson(String, usize),
    /// Anything else.
    NotFound(String),
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

fn set_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

/// Replaces the address (no history entry), e.g. to drop a link's `?s=` once it is loaded.
fn replace_hash(hash: &str) {
    if let Some(w) = web_sys::window()
        && let Ok(history) = w.history()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
    }
}

fn route_of(hash: &str) -> Route {
    let (path, _) = share::split_fragment(hash);
    match path {
        "" | "/" => Route::Home,
        "/play" => Route::Play,
        p if p.starts_with("/lesson/") => {
            let rest = p["/lesson/".len()..].trim_end_matches('/');
            let (id, step) = rest.split_once('/').unwrap_or((rest, "1"));
            match step.parse::<usize>() {
                Ok(n) if n >= 1 && !id.is_empty() => Route::Lesson(id.to_owned(), n),
                _ => Route::NotFound(p.to_owned()),
            }
        }
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
        <crate::state::SimProvider>
            { match &*route {
                Route::Home => html! { <HomePage /> },
                Route::Play => html! { <Playground /> },
                Route::Lesson(id, step) => match lessons::find(id) {
                    Some(lesson) if *step <= lesson.steps.len() => html! {
                        <LessonPage key={id.clone()} {lesson} step={*step} />
                    },
                    Some(lesson) => placeholder(
                        "No such step",
                        &format!("{} has {} steps.", lesson.title, lesson.steps.len()),
                    ),
                    None => placeholder("No such lesson", &format!("There is no lesson called {id}.")),
                },
                Route::NotFound(path) => placeholder("Page not found", &format!("Nothing lives at #{path}.")),
            } }
        </crate::state::SimProvider>
    }
}

fn placeholder(title: &str, text: &str) -> Html {
    html! {
        <main class="placeholder" data-testid="placeholder">
            { brand() }
            <h2>{ title }</h2>
            <p>{ text }</p>
            <p><a href="#/">{ "All lessons" }</a>{ " · " }<a href="#/play">{ "Open the sandbox" }</a></p>
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

/// Milliseconds since the epoch (wall clock, for throttling only).
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

/// Writes a session (seed, items) to storage; `Err` with a message for the banner.
type Saver = Rc<dyn Fn(u64, &[Item]) -> Result<(), String>>;

/// Saves the session with `save` whenever it changes (throttled while only time runs) and when
/// the page goes away. The first state seen is the one before the page's own load: not saved.
#[hook]
fn use_autosave(save: Saver) {
    let sim = use_sim();
    let latest = use_mut_ref(|| None::<(u64, Vec<Item>)>);
    let last = use_mut_ref(|| None::<(f64, usize)>);
    {
        let state: SimState = (*sim).clone();
        let (latest, save) = (latest.clone(), save.clone());
        let dispatcher = sim.dispatcher();
        use_effect_with(
            (Rc::as_ptr(&sim.items) as usize, sim.buffers.clone(), sim.seed),
            move |_| {
                let mut last = last.borrow_mut();
                let Some((at, count)) = *last else {
                    *last = Some((0.0, usize::MAX));
                    return;
                };
                let items = state.session_items();
                let steps = items.iter().filter(|i| !matches!(i, Item::Sleep(_))).count();
                let now = wall_ms();
                if steps != count || now - at > SAVE_THROTTLE_MS {
                    *last = Some((now, steps));
                    if let Err(message) = save(state.seed, &items)
                        && state.notice.is_none()
                    {
                        dispatcher.dispatch(SimAction::SetNotice(Some(message)));
                    }
                }
                *latest.borrow_mut() = Some((state.seed, items));
            },
        );
    }
    use_effect_with((), move |()| {
        listen("pagehide", move |_: web_sys::Event| {
            if let Some((seed, items)) = &*latest.borrow() {
                let _ = save(*seed, items);
            }
        })
    });
}

/// The home page: lessons with progress, and the sandbox.
#[component]
fn HomePage() -> Html {
    let loaded = use_memo((), |()| match storage::load_progress() {
        Ok(p) => (Rc::new(p), None),
        Err(message) => (Rc::default(), Some(AttrValue::from(message))),
    });
    let (progress, notice) = (*loaded).clone();
    html! { <Home lessons={lessons::all()} {progress} {notice} brand={brand()} /> }
}

/// The sandbox page: its session (saved, or from a link) and the workbench.
#[component]
fn Playground() -> Html {
    let sim = use_sim();
    let share_url = use_state(|| None::<String>);

    // Load once: a share link wins over the saved session; else a fresh sandbox.
    {
        let sim = sim.dispatcher();
        use_effect_with((), move |()| {
            let hash = current_hash();
            let (_, query) = share::split_fragment(&hash);
            let sandbox = |seed| kubeplay_engine::SimConfig { seed, ..Default::default() };
            let load = |seed, items, notice| SimAction::Load {
                config: sandbox(seed),
                items,
                notice,
                template: true,
            };
            sim.dispatch(match query.map(share::decode_query) {
                Some(Ok(Some(shared))) => load(shared.seed, shared.items, None),
                Some(Err(message)) => load(
                    1,
                    Vec::new(),
                    Some(format!(
                        "This link could not be opened: {message}. Started a clean cluster."
                    )),
                ),
                _ => match storage::load() {
                    Ok(Some((seed, items))) => load(seed, items, None),
                    Ok(None) => load(1, Vec::new(), None),
                    Err(message) => load(1, Vec::new(), Some(message)),
                },
            });
            if query.is_some() {
                replace_hash("#/play");
            }
        });
    }
    use_autosave(Rc::new(storage::save));

    let on_reset = {
        let (d, share_url) = (sim.dispatcher(), share_url.clone());
        Callback::from(move |_: MouseEvent| {
            storage::clear();
            share_url.set(None);
            d.dispatch(SimAction::Reset { seed: 1 });
        })
    };
    let on_share = {
        let (share_url, seed) = (share_url.clone(), sim.seed);
        let items = sim.session_items();
        Callback::from(move |_: MouseEvent| {
            share_url.set(Some(copy_link(&share::encode(seed, &items))));
        })
    };
    html! {
        <Workbench lesson_mode=false>
            <a class="home-link" href="#/" title="All lessons">{ brand() }</a>
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
                <button type="button" class="reset" onclick={on_reset}>{ "↺ Reset cluster" }</button>
            </div>
            if let Some(url) = &*share_url {
                <label class="share">
                    { "Link copied (replays this session):" }
                    <input data-testid="share-url" readonly=true value={url.clone()}
                        onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                </label>
            }
            <p class="hint"><a href="#/">{ "← Lessons" }</a>{ ": one per chapter of Kubernetes in Action." }</p>
        </Workbench>
    }
}

/// The full address for `fragment`, copied to the clipboard.
fn copy_link(fragment: &str) -> String {
    let Some(window) = web_sys::window() else { return format!("#{fragment}") };
    let loc = window.location();
    let base =
        format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default());
    let url = format!("{base}#{fragment}");
    let _ = window.navigator().clipboard().write_text(&url);
    url
}

/// How often, at most, a step's check runs while only time moves (wall ms). After a command it
/// runs at once.
const CHECK_THROTTLE_MS: u32 = 1_000;

/// The items that do steps `1..step` of `lesson` (their files, then their solutions), for
/// replaying before step `step`, by [`kubeplay_engine::lesson::run_solution`]'s rule.
fn prelude(lesson: &Lesson, step: usize) -> Vec<Item> {
    let mut items = Vec::new();
    for s in lesson.steps.iter().take(step.saturating_sub(1)) {
        for b in &s.blocks {
            if let kubeplay_engine::lesson::BlockKind::File { name, .. } = &b.kind {
                items.push(Item::File(name.clone(), b.text.clone()));
            }
        }
        items.extend(s.solution.iter().map(Item::of_command));
    }
    items
}

fn start_lesson(lesson: &Lesson, step: usize) -> SimAction {
    let note = if step > 1 {
        format!(
            "# {}: a fresh cluster with steps 1–{} already done (their solutions ran).\n",
            lesson.title,
            step - 1
        )
    } else {
        format!(
            "# {}: a fresh cluster. Run the step's commands here, or type your own.\n",
            lesson.title
        )
    };
    SimAction::StartLesson { config: lesson.sim_config(), prelude: prelude(lesson, step), note }
}

/// Props of [`LessonPage`].
#[derive(Properties, PartialEq)]
struct LessonPageProps {
    lesson: crate::lessons::Shared,
    step: usize,
}

/// A lesson step: the lesson pane beside the workbench, its session and its live check.
#[component]
fn LessonPage(props: &LessonPageProps) -> Html {
    let sim = use_sim();
    let lesson = props.lesson.clone();
    let id = lesson.id.clone();
    let share_url = use_state(|| None::<AttrValue>);
    let check = use_state(|| None::<(usize, Rc<CheckResult>)>);
    // Read once: a corrupt record is removed as it is read, and its message shown below.
    let first_progress = use_memo((), |()| storage::load_progress());
    let progress = use_state(|| first_progress.as_ref().clone().unwrap_or_default());
    let step_ref = use_mut_ref(|| props.step);
    *step_ref.borrow_mut() = props.step;

    // Load once per lesson: a link, else the saved session of this lesson and step, else a
    // fresh cluster with the earlier steps done.
    {
        let (d, lesson, step) = (sim.dispatcher(), lesson.clone(), props.step);
        let first_progress = first_progress.clone();
        use_effect_with((), move |()| {
            let hash = current_hash();
            let (_, query) = share::split_fragment(&hash);
            let load = |items, notice| SimAction::Load {
                config: lesson.sim_config(),
                items,
                notice,
                template: false,
            };
            let mut notices = Vec::new();
            if let Err(m) = &*first_progress {
                notices.push(m.clone());
            }
            let action = match query.map(share::decode_query) {
                Some(Ok(Some(shared))) => Some(load(shared.items, None)),
                Some(Err(message)) => {
                    notices.push(format!(
                        "This link could not be opened: {message}. Started the step afresh."
                    ));
                    None
                }
                _ => match storage::load_lesson() {
                    Ok(Some(saved)) if saved.id == lesson.id && saved.step == step => {
                        Some(load(saved.items, None))
                    }
                    Ok(_) => None,
                    Err(message) => {
                        notices.push(message);
                        None
                    }
                },
            };
            d.dispatch(action.unwrap_or_else(|| start_lesson(&lesson, step)));
            if !notices.is_empty() {
                d.dispatch(SimAction::SetNotice(Some(notices.join(" "))));
            }
            if query.is_some() {
                replace_hash(&format!("#/lesson/{}/{step}", lesson.id));
            }
        });
    }
    {
        let (id, step_ref) = (id.clone(), step_ref.clone());
        use_autosave(Rc::new(move |_, items: &[Item]| {
            storage::save_lesson(&storage::LessonSession {
                id: id.clone(),
                step: *step_ref.borrow(),
                items: items.to_vec(),
            })
        }));
    }

    // The live check: at once after a command (the history changed) or a step change; while
    // only time moves, at most every CHECK_THROTTLE_MS, with a last run when it stops.
    {
        let latest = use_mut_ref(|| None::<SimState>);
        *latest.borrow_mut() = Some((*sim).clone());
        let pending = use_mut_ref(|| None::<Timeout>);
        let last = use_mut_ref(|| (f64::MIN, 0_usize, 0_usize));
        let (lesson, step, check) = (lesson.clone(), props.step, check.clone());
        // Not the transcript: a watch streaming into it would run the check on every tick.
        let transcript = Rc::as_ptr(&sim.history) as usize;
        use_effect_with((step, transcript, sim.snapshot.now_ms, sim.seed), move |_| {
            let evaluate = {
                let (latest, lesson, check, last) =
                    (latest.clone(), lesson.clone(), check.clone(), last.clone());
                move || {
                    let Some(state) = latest.borrow().clone() else { return };
                    if let Some(s) = lesson.steps.get(step - 1) {
                        let result = state.check(&s.check);
                        last.borrow_mut().0 = wall_ms();
                        check.set(Some((step, Rc::new(result))));
                    }
                }
            };
            let (at, seen_step, seen_transcript) = *last.borrow();
            let now = wall_ms();
            last.borrow_mut().1 = step;
            last.borrow_mut().2 = transcript;
            if seen_step != step
                || seen_transcript != transcript
                || now - at >= f64::from(CHECK_THROTTLE_MS)
            {
                pending.borrow_mut().take();
                evaluate();
            } else if pending.borrow().is_none() {
                let wait = (f64::from(CHECK_THROTTLE_MS) - (now - at)).max(0.0) as u32;
                let pending2 = pending.clone();
                *pending.borrow_mut() = Some(Timeout::new(wait, move || {
                    pending2.borrow_mut().take();
                    evaluate();
                }));
            }
        });
    }

    // A passed check counts towards the lesson's progress, for good.
    {
        let (progress, id, d) = (progress.clone(), id.clone(), sim.dispatcher());
        let passed_step = check.as_ref().filter(|(_, r)| r.passed).map(|(s, _)| *s);
        use_effect_with(passed_step, move |passed| {
            if let Some(n) = *passed
                && !progress.get(&id).is_some_and(|s| s.contains(&n))
            {
                let mut next = (*progress).clone();
                next.entry(id).or_default().insert(n);
                if let Err(m) = storage::save_progress(&next) {
                    d.dispatch(SimAction::SetNotice(Some(m)));
                }
                progress.set(next);
            }
        });
    }

    let check_now = check.as_ref().filter(|(s, _)| *s == props.step).map(|(_, r)| r.clone());
    let passed: Rc<BTreeSet<usize>> = Rc::new(progress.get(&id).cloned().unwrap_or_default());
    let on_run = {
        let d = sim.dispatcher();
        Callback::from(move |text: String| d.dispatch(SimAction::RunScript(text)))
    };
    let on_open = {
        let d = sim.dispatcher();
        Callback::from(move |(name, text): (String, String)| {
            d.dispatch(SimAction::OpenFile { name, text })
        })
    };
    let on_solution = {
        let (d, lesson, step) = (sim.dispatcher(), lesson.clone(), props.step);
        Callback::from(move |()| {
            let Some(s) = lesson.steps.get(step - 1) else { return };
            for b in &s.blocks {
                if let kubeplay_engine::lesson::BlockKind::File { name, .. } = &b.kind {
                    d.dispatch(SimAction::OpenFile { name: name.clone(), text: b.text.clone() });
                }
            }
            d.dispatch(SimAction::RunScript(s.solution_text.clone()));
        })
    };
    let on_goto = {
        let id = id.clone();
        Callback::from(move |n: usize| set_hash(&format!("#/lesson/{id}/{n}")))
    };
    let on_restart = {
        let (d, lesson, step) = (sim.dispatcher(), lesson.clone(), props.step);
        Callback::from(move |()| d.dispatch(start_lesson(&lesson, step)))
    };
    let on_share = {
        let (share_url, items, id, step) =
            (share_url.clone(), sim.session_items(), id.clone(), props.step);
        Callback::from(move |()| {
            share_url.set(Some(copy_link(&share::encode_lesson(&id, step, &items)).into()));
        })
    };
    let on_next_step = (props.step < lesson.steps.len()).then(|| {
        let (goto, n) = (on_goto.clone(), props.step + 1);
        Callback::from(move |()| goto.emit(n))
    });
    html! {
        <Workbench lesson_mode=true {on_next_step}>
            <LessonPane {lesson} step={props.step} check={check_now} {passed} {on_run} {on_open}
                {on_solution} {on_goto} {on_restart} {on_share} share_url={(*share_url).clone()}
                brand={brand()} />
        </Workbench>
    }
}

/// Props of [`Workbench`].
#[derive(Properties, PartialEq)]
struct WorkbenchProps {
    /// The left pane's content.
    children: Html,
    /// A lesson is open (a wider left pane that stays in presenter mode).
    lesson_mode: bool,
    /// The lesson's next step: → in presenter mode goes there (the teacher drives the steps).
    #[prop_or_default]
    on_next_step: Option<Callback<()>>,
}

/// The cluster view, event feed, terminal/editor and time controls around a left pane; wires the
/// presentational components to the session reducer.
#[component]
fn Workbench(props: &WorkbenchProps) -> Html {
    let sim = use_sim();
    let namespace = use_state(|| Some("default".to_owned()));
    let selection = use_state(|| None::<Selection>);
    let detail_yaml = use_state(|| false);
    let presenter = use_state(|| false);
    let hide_terminal = use_state(|| false);
    let hide_events = use_state(|| false);
    let editor_tab = use_state(|| false);

    // A file opened from a lesson shows the editor; commands run from it, the terminal.
    {
        let editor_tab = editor_tab.clone();
        let name = sim.focus.1.clone();
        use_effect_with(sim.focus.0, move |n| {
            if *n > 0 {
                editor_tab.set(!name.is_empty());
            }
        });
    }

    // Global keys: space = play/pause, → = step (next event; in a lesson's presenter mode, the
    // next step), Esc closes the detail pane.
    {
        let sim_ref = Rc::new(RefCell::new((sim.dispatcher(), sim.playing)));
        let selection = selection.clone();
        // Read when the key is pressed: the step (and so the target) changes between renders.
        let next_step = use_mut_ref(|| None::<Callback<()>>);
        *next_step.borrow_mut() = props.on_next_step.clone().filter(|_| *presenter);
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
                    "ArrowRight" => match &*next_step.borrow() {
                        Some(next) => next.emit(()),
                        None => dispatcher.dispatch(SimAction::Step),
                    },
                    "Escape" => selection.set(None),
                    _ => {}
                }
            })
        });
    }

    // Ctrl-C ends the command the terminal waits for, wherever the focus is (after pressing ▶ it
    // is on the button), except in a text field or with text selected (copy).
    {
        let dispatcher = sim.dispatcher();
        use_effect_with(sim.job.is_some(), move |&waiting| {
            let stop = waiting.then(|| {
                listen("keydown", move |e: web_sys::Event| {
                    let Ok(e) = e.dyn_into::<KeyboardEvent>() else { return };
                    let text_field = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA"));
                    let selecting = web_sys::window()
                        .and_then(|w| w.get_selection().ok().flatten())
                        .is_some_and(|s| !s.is_collapsed());
                    if e.ctrl_key()
                        && !e.shift_key()
                        && e.key().eq_ignore_ascii_case("c")
                        && !text_field
                        && !selecting
                    {
                        e.prevent_default();
                        dispatcher.dispatch(SimAction::InterruptJob);
                    }
                })
            });
            move || {
                if let Some(stop) = stop {
                    stop();
                }
            }
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
    // Presenter mode captions the newest event only: one line the class can read.
    let caption = sim
        .snapshot
        .events
        .iter()
        .rev()
        .find(|e| namespace.as_deref().is_none_or(|n| n == e.namespace));
    let shell_class = classes!(
        "shell",
        props.lesson_mode.then_some("lesson-mode"),
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
            <aside class="pane pane-lesson" aria-label={if props.lesson_mode { "lesson" } else { "sandbox" }}>
                { props.children.clone() }
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
                        <button type="button" data-testid="export-button" onclick={on_export}
                            title="Download this session's manifests and commands as a bash script for kind or minikube">
                            { "Run on a real cluster ⤓" }</button>
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
                if let Some(e) = caption.filter(|_| *presenter) {
                    <div class="captions" data-testid="captions" aria-live="polite">
                        <p key={e.name.clone()} class={classes!((e.type_ == "Warning").then_some("warn"))}>
                            { event_feed::caption(e) }
                        </p>
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
                        focus={sim.focus.clone()} {on_edit} {on_new} on_close={on_close_buffer} {on_apply}
                        edit={sim.edit.clone()} on_edit_text={{ let d = sim.dispatcher(); Callback::from(move |t| d.dispatch(SimAction::EditText(t))) }}
                        on_edit_save={{ let d = sim.dispatcher(); Callback::from(move |()| d.dispatch(SimAction::EditSave)) }}
                        on_edit_cancel={{ let d = sim.dispatcher(); Callback::from(move |()| d.dispatch(SimAction::EditCancel)) }} />
                } else {
                    <Terminal transcript={sim.transcript.clone()} history={sim.history.clone()}
                        snapshot={sim.snapshot.clone()} {on_run} {on_clear} {on_interrupt}
                        waiting={sim.job.is_some()} paused={!sim.playing}
                        editing={sim.edit.as_ref().map(|e| e.name.clone())} />
                }
            </section>
        </div>
    }
}

/// Offers `text` as a file download named `name` (a Blob URL on a temporary link).
fn download(name: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/x-shellscript");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let link =
        document.create_element("a").ok().and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok());
    if let (Some(link), Some(body)) = (link, document.body()) {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", name);
        if body.append_child(&link).is_ok() {
            link.click();
            link.remove();
        }
    }
    // The click has started the download; the URL is not needed after this task.
    let revoke = url.clone();
    gloo_timers::callback::Timeout::new(1_000, move || {
        let _ = web_sys::Url::revoke_object_url(&revoke);
    })
    .forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route_of(""), Route::Home);
        assert_eq!(route_of("#/"), Route::Home);
        assert_eq!(route_of("#/play?seed=1&s=x"), Route::Play);
        assert_eq!(
            route_of("#/lesson/ch02-first-steps/3"),
            Route::Lesson("ch02-first-steps".into(), 3)
        );
        assert_eq!(
            route_of("#/lesson/ch02-first-steps"),
            Route::Lesson("ch02-first-steps".into(), 1)
        );
        assert_eq!(
            route_of("#/lesson/ch02-first-steps/2?s=abc"),
            Route::Lesson("ch02-first-steps".into(), 2)
        );
        assert!(matches!(route_of("#/lesson/ch02/0"), Route::NotFound(_)));
        assert!(matches!(route_of("#/lesson/ch02/x"), Route::NotFound(_)));
        assert!(matches!(route_of("#/lesson/"), Route::NotFound(_)));
        assert!(matches!(route_of("#/nowhere"), Route::NotFound(_)));
    }
}
