//! The root component and the page layout (design §5): lesson pane left, cluster view centre,
//! event feed right, terminal with the time controls along the bottom.

use yew::prelude::*;

use crate::components::cluster_view::ClusterView;
use crate::components::terminal::Terminal;
use crate::components::time_controls::TimeControls;
use crate::state::{SimAction, SimProvider, use_sim};

/// The whole app: the session provider around the playground.
#[component]
pub fn App() -> Html {
    html! {
        <SimProvider>
            <Playground />
        </SimProvider>
    }
}

/// The sandbox page: wires the presentational components to the session reducer.
#[component]
fn Playground() -> Html {
    let sim = use_sim();
    let on_run = {
        let sim = sim.dispatcher();
        Callback::from(move |line: String| sim.dispatch(SimAction::Run(line)))
    };
    let on_clear = {
        let sim = sim.dispatcher();
        Callback::from(move |()| sim.dispatch(SimAction::ClearTerminal))
    };
    let on_play = {
        let sim = sim.dispatcher();
        Callback::from(move |playing| sim.dispatch(SimAction::SetPlaying(playing)))
    };
    let on_speed = {
        let sim = sim.dispatcher();
        Callback::from(move |pct| sim.dispatch(SimAction::SetSpeed(pct)))
    };
    let on_reset = {
        let sim = sim.dispatcher();
        Callback::from(move |_: MouseEvent| sim.dispatch(SimAction::Reset { seed: 1 }))
    };
    html! {
        <div class="shell">
            <aside class="pane pane-lesson" aria-label="lesson">
                <h1 class="brand">
                    <svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true">
                        <path fill="#326ce5" d="M16 1.5 29 8v16l-13 6.5L3 24V8z" />
                        <path fill="#fff" d="M12.5 10v12l10-6z" />
                    </svg>
                    { "kubeplay" }
                </h1>
                <h2 class="pane-title">{ "Sandbox" }</h2>
                <p>{ "A simulated cluster with one control-plane node and three workers. \
                      Type kubectl commands in the terminal below; press ▶ to let time run." }</p>
                <p class="hint">{ "Try " }<code>{ "kubectl version" }</code>{ " or " }<code>{ "kubectl get nodes" }</code>{ "." }</p>
                <p class="keys">
                    <kbd>{ "↑" }</kbd>{ " " }<kbd>{ "↓" }</kbd>{ " history · " }
                    <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "L" }</kbd>{ " clear" }
                </p>
                <button type="button" class="reset" onclick={on_reset}>{ "Reset cluster" }</button>
            </aside>
            <main class="pane pane-cluster" aria-label="cluster">
                <ClusterView snapshot={sim.snapshot.clone()} />
            </main>
            <aside class="pane pane-events" aria-label="events">
                <h2 class="pane-title">{ "Events" }</h2>
                <p class="empty">{ "No events yet." }</p>
            </aside>
            <section class="pane pane-bottom" aria-label="terminal">
                <div class="tabs">
                    <span class="tab tab-active">{ "Terminal" }</span>
                    <TimeControls playing={sim.playing} speed_pct={sim.speed_pct}
                        now_ms={sim.snapshot.now_ms} {on_play} {on_speed} />
                </div>
                <Terminal transcript={sim.transcript.clone()} history={sim.history.clone()} {on_run} {on_clear} />
            </section>
        </div>
    }
}
