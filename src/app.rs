//! Root component (placeholder shell, grown by the playground issue).

use kubeplay_engine::{Sim, SimConfig};
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    let sim = use_mut_ref(|| Sim::new(SimConfig::default()));
    let nodes = sim.borrow().snapshot().nodes;
    html! {
        <main data-testid="cluster-view">
            { for nodes.iter().map(|n| html! { <div data-testid="node" data-name={n.name.clone()}>{ &n.name }</div> }) }
        </main>
    }
}
