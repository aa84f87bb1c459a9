//! The detail pane: `kubectl describe` or `kubectl get -o yaml` of the object clicked in the
//! cluster view, as plain text.

use yew::prelude::*;

use crate::components::cluster_view::Selection;

/// Props of [`Detail`].
#[derive(Properties, PartialEq)]
pub struct DetailProps {
    /// What is shown.
    pub selection: Selection,
    /// Whether the YAML (rather than describe) is shown.
    pub yaml: bool,
    /// The text (output of the command).
    pub text: AttrValue,
    /// Switch between describe (`false`) and YAML (`true`).
    pub on_mode: Callback<bool>,
    /// Close the pane.
    pub on_close: Callback<()>,
}

/// The command whose output is shown.
pub fn command(sel: &Selection, yaml: bool) -> String {
    let ns =
        if sel.namespace.is_empty() { String::new() } else { format!(" -n {}", sel.namespace) };
    if yaml {
        format!("kubectl get {} {}{ns} -o yaml", sel.kind, sel.name)
    } else {
        format!("kubectl describe {} {}{ns}", sel.kind, sel.name)
    }
}

/// A panel over the cluster view with tabs Describe / YAML.
#[component]
pub fn Detail(props: &DetailProps) -> Html {
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let tab = |yaml: bool, label: &'static str| {
        let on_mode = props.on_mode.clone();
        html! {
            <button type="button" role="tab" aria-selected={(props.yaml == yaml).to_string()}
                class={classes!("tab", (props.yaml == yaml).then_some("tab-active"))}
                onclick={Callback::from(move |_: MouseEvent| on_mode.emit(yaml))}>{ label }</button>
        }
    };
    html! {
        <section class="detail" data-testid="detail" aria-label="object details" {onkeydown}>
            <header class="detail-head">
                <strong>{ format!("{}/{}", props.selection.kind, props.selection.name) }</strong>
                <span role="tablist">{ tab(false, "Describe") }{ tab(true, "YAML") }</span>
                <button type="button" class="close" aria-label="close details" title="close (Esc)" onclick={on_close}>{ "✕" }</button>
            </header>
            <p class="detail-cmd"><code>{ format!("$ {}", command(&props.selection, props.yaml)) }</code></p>
            <pre class="detail-text" data-testid="detail-text" tabindex="0">{ props.text.clone() }</pre>
        </section>
    }
}
