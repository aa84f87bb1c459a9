//! The terminal: a transcript and a prompt.
//!
//! Enter sends the line to `on_run`; ↑/↓ walk the history; Tab completes commands, resource types
//! and object names; Ctrl-C abandons the line; Ctrl-L (or typing `clear`) asks for the transcript
//! to be cleared. The transcript is shown exactly as printed, as text (Yew escapes it). While a
//! command waits (`kubectl get -w`) there is no prompt, as in a shell: its lines stream in as
//! time runs, and Ctrl-C (handled by the page, wherever the focus is) ends it. `kubectl edit`
//! waits so for its file in the Editor tab.

use std::rc::Rc;

use kubeplay_engine::view::ClusterSnapshot;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`Terminal`].
#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    /// Everything printed so far.
    pub transcript: Rc<String>,
    /// Commands entered, oldest first.
    pub history: Rc<Vec<String>>,
    /// A command line was entered.
    pub on_run: Callback<String>,
    /// The user asked for a clear screen.
    pub on_clear: Callback<()>,
    /// The line was abandoned with Ctrl-C.
    pub on_interrupt: Callback<String>,
    /// The cluster, for completing object names.
    pub snapshot: Rc<ClusterSnapshot>,
    /// A command is running: no prompt until it ends.
    #[prop_or_default]
    pub waiting: bool,
    /// Virtual time is paused (a waiting command then waits for play or step).
    #[prop_or_default]
    pub paused: bool,
    /// The waiting command is `kubectl edit`: the name of the file open in the Editor tab.
    #[prop_or_default]
    pub editing: Option<String>,
}

/// A shell-like terminal with a `$ ` prompt.
#[component]
pub fn Terminal(props: &TerminalProps) -> Html {
    let input_ref = use_node_ref();
    // The scrolling box around transcript and prompt: the prompt follows the last line, as in a shell.
    let scroll_ref = use_node_ref();
    let line = use_state(String::new);
    // Position in the history while browsing with ↑/↓ (`None`: editing a new line).
    let cursor = use_state(|| None::<usize>);
    // The new line being typed before browsing started, restored by ↓ past the newest entry.
    let draft = use_mut_ref(String::new);
    // Candidates listed by the last ambiguous Tab.
    let listing = use_state(Vec::<String>::new);

    // The prompt comes back with the caret in it when a command ends.
    {
        let input_ref = input_ref.clone();
        use_effect_with(props.waiting, move |waiting| {
            if !*waiting && let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        });
    }
    {
        let scroll_ref = scroll_ref.clone();
        use_effect_with((props.transcript.clone(), props.waiting), move |_| {
            if let Some(scroll) = scroll_ref.cast::<web_sys::Element>() {
                scroll.set_scroll_top(scroll.scroll_height());
            }
        });
    }

    let oninput = {
        let line = line.clone();
        let cursor = cursor.clone();
        Callback::from(move |e: InputEvent| {
            line.set(e.target_unchecked_into::<HtmlInputElement>().value());
            cursor.set(None);
        })
    };

    let onkeydown = {
        let line = line.clone();
        let cursor = cursor.clone();
        let history = props.history.clone();
        let on_run = props.on_run.clone();
        let on_clear = props.on_clear.clone();
        let on_interrupt = props.on_interrupt.clone();
        let snapshot = props.snapshot.clone();
        let listing = listing.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Tab" if !e.shift_key() => {
                e.prevent_default();
                let (completed, cands) = crate::complete::complete(&line, &snapshot);
                line.set(completed);
                listing.set(cands);
            }
            "c" | "C" if e.ctrl_key() && !e.shift_key() => {
                // Copy stays possible: Ctrl-C only interrupts when nothing is selected.
                let selecting = web_sys::window()
                    .and_then(|w| w.get_selection().ok().flatten())
                    .is_some_and(|s| !s.is_collapsed());
                if !selecting {
                    e.prevent_default();
                    on_interrupt.emit((*line).clone());
                    line.set(String::new());
                    cursor.set(None);
                    listing.set(Vec::new());
                }
            }
            "Enter" => {
                e.prevent_default();
                let text = (*line).clone();
                line.set(String::new());
                cursor.set(None);
                listing.set(Vec::new());
                if text.trim() == "clear" {
                    on_clear.emit(());
                } else {
                    on_run.emit(text);
                }
            }
            "ArrowUp" if !history.is_empty() => {
                e.prevent_default();
                let at = match *cursor {
                    None => {
                        *draft.borrow_mut() = (*line).clone();
                        history.len() - 1
                    }
                    Some(i) => i.saturating_sub(1),
                };
                cursor.set(Some(at));
                line.set(history[at].clone());
            }
            "ArrowDown" => {
                if let Some(i) = *cursor {
                    e.prevent_default();
                    if i + 1 < history.len() {
                        cursor.set(Some(i + 1));
                        line.set(history[i + 1].clone());
                    } else {
                        cursor.set(None);
                        line.set(draft.borrow().clone());
                    }
                }
            }
            "l" | "L" if e.ctrl_key() => {
                e.prevent_default();
                on_clear.emit(());
            }
            _ => {}
        })
    };

    // A click anywhere in the terminal (but not a text selection) puts the caret in the prompt.
    let onclick = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let selecting = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            if !selecting && let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        })
    };

    html! {
        <div class="terminal" ref={scroll_ref} {onclick}>
            <pre class="terminal-output" data-testid="terminal-output"
                aria-live="polite">{ props.transcript.as_str() }</pre>
            if props.waiting {
                <p class="job-hint" data-testid="job-hint" data-paused={props.paused.to_string()}>
                    if let Some(name) = &props.editing {
                        { format!("kubectl edit waits for its editor: {name} is open in the Editor tab (time stands still until you save or cancel). ") }
                    } else if props.paused {
                        { "Time is paused: ▶ (Space) lets the command run, → steps to the next event. " }
                    }
                    <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "C" }</kbd>{ " stops it." }
                </p>
            } else {
            <label class="terminal-prompt">
                <span aria-hidden="true">{ "$ " }</span>
                <input
                    ref={input_ref}
                    data-testid="terminal-input"
                    aria-label="command line"
                    type="text"
                    autofocus=true
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    placeholder={props.transcript.is_empty().then_some("kubectl get nodes")}
                    value={(*line).clone()}
                    {oninput}
                    {onkeydown}
                />
            </label>
            }
            if !listing.is_empty() {
                <p class="completions" data-testid="completions">{ listing.join("  ") }</p>
            }
        </div>
    }
}
