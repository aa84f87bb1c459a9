//! The lesson pane: a step's text with Run / Open in editor buttons, its live check, the hint and
//! the solution behind toggles, and step navigation.
//!
//! Everything from the lesson file reaches the DOM as text (see [`crate::markdown`]).

use std::collections::BTreeSet;
use std::rc::Rc;

use kubeplay_engine::lesson::CheckResult;
use yew::prelude::*;

use crate::markdown::{self, Actions};

/// Props of [`LessonPane`].
#[derive(Properties, PartialEq)]
pub struct LessonPaneProps {
    /// The lesson.
    pub lesson: crate::lessons::Shared,
    /// The step shown (1-based, valid).
    pub step: usize,
    /// The step's check against the live cluster (`None`: not evaluated yet).
    pub check: Option<Rc<CheckResult>>,
    /// Steps of this lesson passed so far.
    pub passed: Rc<BTreeSet<usize>>,
    /// Run commands in the terminal, as typed.
    pub on_run: Callback<String>,
    /// Open (name, text) in the editor.
    pub on_open: Callback<(String, String)>,
    /// Do the step's solution (its files opened, its commands run).
    pub on_solution: Callback<()>,
    /// Go to step n.
    pub on_goto: Callback<usize>,
    /// Start this step again on a fresh cluster (earlier steps' solutions replayed).
    pub on_restart: Callback<()>,
    /// Make a share link.
    pub on_share: Callback<()>,
    /// The last share link made.
    #[prop_or_default]
    pub share_url: Option<AttrValue>,
    /// Logo and name (links home).
    pub brand: Html,
}

/// The pane for one step.
#[component]
pub fn LessonPane(props: &LessonPaneProps) -> Html {
    let show_hint = use_state(|| false);
    let show_solution = use_state(|| false);
    let body_ref = use_node_ref();
    {
        // A new step starts at its top, with hint and solution hidden.
        let (h, s, body_ref) = (show_hint.clone(), show_solution.clone(), body_ref.clone());
        use_effect_with(props.step, move |_| {
            h.set(false);
            s.set(false);
            if let Some(el) = body_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(0);
            }
        });
    }
    let lesson = &props.lesson;
    let body = use_memo((lesson.id.clone(), props.step), {
        let (lesson, n) = (lesson.clone(), props.step);
        move |_| {
            let step = lesson.steps.get(n.saturating_sub(1))?;
            let intro = (n == 1).then(|| markdown::parse(&lesson.intro_markdown));
            Some((intro, markdown::parse(&step.body_markdown), markdown::parse(&step.hint)))
        }
    });
    let total = lesson.steps.len();
    let (Some(step), Some((intro, nodes, hint))) =
        (lesson.steps.get(props.step.saturating_sub(1)), body.as_ref())
    else {
        return html! { <p role="alert">{ "No such step." }</p> };
    };
    let actions = Actions { on_run: props.on_run.clone(), on_open: props.on_open.clone() };

    let passed_now = props.check.as_ref().is_some_and(|c| c.passed);
    let state = if passed_now { "passed" } else { "pending" };
    let goto = |n: usize| props.on_goto.reform(move |_: MouseEvent| n);
    let toggle = |h: &UseStateHandle<bool>| {
        let h = h.clone();
        Callback::from(move |_: MouseEvent| h.set(!*h))
    };
    let run_all = props.on_solution.reform(|_: MouseEvent| ());
    let restart = props.on_restart.reform(|_: MouseEvent| ());
    let share = props.on_share.reform(|_: MouseEvent| ());

    html! {
        <div class="lesson">
            <div class="lesson-head">
                <a class="home-link" href="#/" title="All lessons">{ props.brand.clone() }</a>
                <p class="lesson-chapter">
                    <a href="#/">{ "Lessons" }</a>{ format!(" › Chapter {}", lesson.chapter) }
                </p>
                <h2 class="lesson-title">{ lesson.title.as_str() }</h2>
                <nav class="step-dots" aria-label="steps">
                    { for (1..=total).map(|n| {
                        let done = props.passed.contains(&n);
                        let current = n == props.step;
                        html! {
                            <button type="button"
                                class={classes!("dot", done.then_some("done"), current.then_some("current"))}
                                aria-current={current.then_some("step")}
                                aria-label={format!("step {n}{}", if done { ", passed" } else { "" })}
                                onclick={goto(n)}>
                                { if done { format!("✓{n}") } else { n.to_string() } }
                            </button>
                        }
                    }) }
                </nav>
            </div>
            <div class="lesson-body" ref={body_ref} data-testid="lesson-step" data-step={props.step.to_string()}>
                if let Some(intro) = intro {
                    <div class="lesson-intro">{ markdown::render(intro, &actions) }</div>
                }
                <h3 class="step-title">{ format!("Step {}: {}", step.number, step.title) }</h3>
                <div class="md">{ markdown::render(nodes, &actions) }</div>
                <div class="reveal">
                    <button type="button" data-testid="show-hint" aria-expanded={show_hint.to_string()}
                        onclick={toggle(&show_hint)}>
                        { if *show_hint { "▾ Hide hint" } else { "▸ Show hint" } }
                    </button>
                    if *show_hint {
                        <div class="md hint-text" data-testid="hint">{ markdown::render(hint, &actions) }</div>
                    }
                </div>
                <div class="reveal">
                    <button type="button" data-testid="show-solution" aria-expanded={show_solution.to_string()}
                        onclick={toggle(&show_solution)}>
                        { if *show_solution { "▾ Hide solution" } else { "▸ Show solution" } }
                    </button>
                    if *show_solution {
                        <div class="md-block md-run solution" data-testid="solution">
                            <div class="md-block-bar">
                                <span class="md-lang">{ "solution" }</span>
                                <button type="button" class="md-btn" data-testid="run-solution" onclick={run_all}
                                    title="Open this step's files in the editor and run every command">
                                    { "▶ Run all" }
                                </button>
                            </div>
                            <pre>{ step.solution_text.trim_end() }</pre>
                        </div>
                    }
                </div>
                <div class="lesson-tools">
                    <button type="button" data-testid="share-button" onclick={share}>{ "Share link" }</button>
                    <button type="button" class="reset" data-testid="restart-step" onclick={restart}
                        title="A fresh cluster with the earlier steps done">{ "↺ Restart step" }</button>
                </div>
                if let Some(url) = &props.share_url {
                    <label class="share">
                        { "Link copied (replays this lesson session):" }
                        <input data-testid="share-url" readonly=true value={url.clone()} />
                    </label>
                }
            </div>
            <div class="lesson-foot">
                <div class={classes!("check-status", state)} data-testid="check-status"
                    data-state={state} data-passed={passed_now.to_string()} role="status" aria-live="polite">
                    <span class="check-icon" aria-hidden="true">{ if passed_now { "✓" } else { "○" } }</span>
                    <span class="check-text">
                        { match &props.check {
                            None => "Checking…",
                            Some(c) if c.passed => "Passed: the cluster is where this step wants it.",
                            Some(_) => "Not yet: the step's check does not pass.",
                        } }
                    </span>
                    if let Some(c) = props.check.as_ref().filter(|c| !c.passed) {
                        <details class="check-details">
                            <summary>{ "What the check looked at" }</summary>
                            <pre>{ c.details.as_str() }</pre>
                        </details>
                    }
                </div>
                <div class="step-nav">
                    <button type="button" data-testid="prev-step" disabled={props.step <= 1}
                        onclick={goto(props.step.saturating_sub(1).max(1))}>{ "← Previous" }</button>
                    <span class="step-count">{ format!("Step {} of {total}", props.step) }</span>
                    if props.step < total {
                        <button type="button" data-testid="next-step"
                            class={classes!("next", passed_now.then_some("ready"))}
                            onclick={goto(props.step + 1)}>{ "Next →" }</button>
                    } else {
                        <a class="next-link" data-testid="next-step" href="#/">{ "Finish ✓" }</a>
                    }
                </div>
            </div>
        </div>
    }
}
