//! The YAML editor: named buffers (files `kubectl apply -f NAME` reads), templates, line numbers,
//! light highlighting, and Apply with the error shown at its line.
//!
//! A plain `<textarea>` does the editing; a `<pre>` under it, scrolled in step, draws the
//! highlighted text (the textarea's own text is transparent, its caret is not). Highlighting is
//! built from spans of text, never markup, so nothing typed reaches the DOM as HTML.
//!
//! While `kubectl edit` waits, the editor shows only its file, with "Save and close" (the editor
//! returns the text) and "Cancel" (it returns the file as kubectl wrote it) instead of Apply.

use std::rc::Rc;

use web_sys::{Element, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::state::{ApplyResult, Buffer, EditFile};
use crate::templates;

/// Props of [`YamlEditor`].
#[derive(Properties, PartialEq)]
pub struct YamlEditorProps {
    /// The buffers.
    pub buffers: Rc<Vec<Buffer>>,
    /// What the last Apply printed.
    pub apply_result: Option<Rc<ApplyResult>>,
    /// Buffer `index` now has this text.
    pub on_edit: Callback<(usize, String)>,
    /// A new buffer from template `index` of [`templates::ALL`] was asked for.
    pub on_new: Callback<usize>,
    /// Close buffer `index`.
    pub on_close: Callback<usize>,
    /// Apply buffer `index`.
    pub on_apply: Callback<usize>,
    /// A buffer to show (by name), with a count that changes on every request.
    #[prop_or((0, Rc::from("")))]
    pub focus: (u64, Rc<str>),
    /// The file `kubectl edit` waits for, shown instead of the buffers.
    #[prop_or_default]
    pub edit: Option<Rc<EditFile>>,
    /// That file now has this text.
    #[prop_or_default]
    pub on_edit_text: Callback<String>,
    /// Save and close it.
    #[prop_or_default]
    pub on_edit_save: Callback<()>,
    /// Close it without saving.
    #[prop_or_default]
    pub on_edit_cancel: Callback<()>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
    Key,
    Str,
    Num,
    Comment,
    Punct,
    Plain,
}

impl Tok {
    fn class(self) -> Option<&'static str> {
        match self {
            Tok::Key => Some("y-key"),
            Tok::Str => Some("y-str"),
            Tok::Num => Some("y-num"),
            Tok::Comment => Some("y-com"),
            Tok::Punct => Some("y-punct"),
            Tok::Plain => None,
        }
    }
}

/// One line split into highlighted pieces.
fn tokens(line: &str) -> Vec<(Tok, &str)> {
    let mut out = Vec::new();
    let indent = line.len() - line.trim_start().len();
    let (lead, mut rest) = line.split_at(indent);
    if !lead.is_empty() {
        out.push((Tok::Plain, lead));
    }
    if rest.starts_with('#') {
        out.push((Tok::Comment, rest));
        return out;
    }
    if rest == "---" || rest == "..." {
        out.push((Tok::Punct, rest));
        return out;
    }
    while let Some(r) = rest.strip_prefix("- ") {
        out.push((Tok::Punct, "- "));
        rest = r;
    }
    // `key:` at the start of the line (a key never starts with a quote or bracket here).
    if let Some(colon) = rest.find(':')
        && (rest.len() == colon + 1 || rest[colon + 1..].starts_with(' '))
        && !rest[..colon].contains(['"', '\'', '{', '[', '#'])
    {
        out.push((Tok::Key, &rest[..colon]));
        out.push((Tok::Punct, ":"));
        rest = &rest[colon + 1..];
    }
    // The value, with a trailing ` # comment`.
    let (value, comment) = match rest.find(" #") {
        Some(i) if !rest[..i].contains(['"', '\'']) => (&rest[..i], Some(&rest[i..])),
        _ => (rest, None),
    };
    let v = value.trim();
    let tok = if v.starts_with(['"', '\'']) {
        Tok::Str
    } else if !v.is_empty() && (v.parse::<f64>().is_ok() || matches!(v, "true" | "false" | "null"))
    {
        Tok::Num
    } else {
        Tok::Plain
    };
    if !value.is_empty() {
        out.push((tok, value));
    }
    if let Some(c) = comment {
        out.push((Tok::Comment, c));
    }
    out
}

fn highlighted(text: &str) -> Html {
    html! {
        { for text.split('\n').map(|line| html! {
            <>
                { for tokens(line).into_iter().map(|(tok, s)| match tok.class() {
                    Some(class) => html! { <span {class}>{ s }</span> },
                    None => html! { { s } },
                }) }
                { "\n" }
            </>
        }) }
    }
}

/// The text area over its highlighted copy, with line numbers (`error_line` marked).
fn text_view(
    name: &str,
    text: &str,
    error_line: Option<usize>,
    oninput: Callback<InputEvent>,
    onkeydown: Callback<KeyboardEvent>,
    refs: (NodeRef, NodeRef),
) -> Html {
    let (gutter_ref, overlay_ref) = refs;
    let onscroll = {
        let (gutter_ref, overlay_ref) = (gutter_ref.clone(), overlay_ref.clone());
        Callback::from(move |e: Event| {
            let ta = e.target_unchecked_into::<HtmlTextAreaElement>();
            for r in [&gutter_ref, &overlay_ref] {
                if let Some(el) = r.cast::<Element>() {
                    el.set_scroll_top(ta.scroll_top());
                    el.set_scroll_left(ta.scroll_left());
                }
            }
        })
    };
    let lines = text.split('\n').count();
    html! {
        <div class="editor-body">
            <pre class="gutter" ref={gutter_ref} aria-hidden="true">
                { for (1..=lines).map(|n| html! {
                    <span class={classes!((error_line == Some(n)).then_some("gutter-error"))}>{ format!("{n}\n") }</span>
                }) }
            </pre>
            <div class="editor-stack">
                <pre class="highlight" ref={overlay_ref} aria-hidden="true">{ highlighted(text) }</pre>
                <textarea
                    data-testid="yaml-editor"
                    aria-label={format!("YAML file {name}")}
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="off"
                    value={text.to_owned()}
                    {oninput}
                    {onscroll}
                    {onkeydown}
                />
            </div>
        </div>
    }
}

/// The file `kubectl edit` waits for: its text, Save and close, Cancel.
fn edit_view(props: &YamlEditorProps, edit: &EditFile, refs: (NodeRef, NodeRef)) -> Html {
    let oninput = props
        .on_edit_text
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let onkeydown = {
        let save = props.on_edit_save.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                save.emit(());
            }
        })
    };
    html! {
        <div class="editor">
            <div class="editor-bar" role="tablist" aria-label="files">
                <span class="file-tab tab-active">
                    <button type="button" role="tab" aria-selected="true">{ &edit.name }</button>
                </span>
                <span class="edit-note">{ "kubectl edit is waiting for this file" }</span>
                <button type="button" class="apply" data-testid="edit-save"
                    title="the editor returns this text to kubectl edit (Ctrl+Enter)"
                    onclick={props.on_edit_save.reform(|_: MouseEvent| ())}>
                    { "✔ Save and close" }
                </button>
                <button type="button" class="edit-cancel" data-testid="edit-cancel"
                    title="close without saving: kubectl edit gets the file as it wrote it"
                    onclick={props.on_edit_cancel.reform(|_: MouseEvent| ())}>
                    { "✕ Cancel" }
                </button>
            </div>
            { text_view(&edit.name, &edit.text, None, oninput, onkeydown, refs) }
        </div>
    }
}

/// Buffers as tabs, the editor, Apply, and the result.
#[component]
pub fn YamlEditor(props: &YamlEditorProps) -> Html {
    let active = use_state(|| 0_usize);
    let index = (*active).min(props.buffers.len().saturating_sub(1));
    let buffer = props
        .buffers
        .get(index)
        .cloned()
        .unwrap_or(Buffer { name: String::new(), text: String::new() });
    let gutter_ref = use_node_ref();
    let overlay_ref = use_node_ref();

    // A buffer was asked for (a lesson's Open in editor): show it.
    {
        let (active, buffers, name) =
            (active.clone(), props.buffers.clone(), props.focus.1.clone());
        use_effect_with(props.focus.0, move |_| {
            if let Some(i) = buffers.iter().position(|b| *b.name == *name) {
                active.set(i);
            }
        });
    }

    // A buffer was added: show it.
    {
        let active = active.clone();
        use_effect_with(props.buffers.len(), move |len| {
            if *len > 0 && *active >= *len {
                active.set(len - 1);
            }
        });
    }

    if let Some(edit) = &props.edit {
        return edit_view(props, edit, (gutter_ref, overlay_ref));
    }
    let oninput = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            on_edit.emit((index, e.target_unchecked_into::<HtmlTextAreaElement>().value()));
        })
    };
    let onkeydown = {
        let on_apply = props.on_apply.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                on_apply.emit(index);
            }
        })
    };
    let apply = props.on_apply.reform(move |_: MouseEvent| index);
    let on_template = {
        let (on_new, active) = (props.on_new.clone(), active.clone());
        let len = props.buffers.len();
        Callback::from(move |e: Event| {
            let select = e.target_unchecked_into::<HtmlSelectElement>();
            if let Ok(i) = select.value().parse::<usize>() {
                on_new.emit(i);
                active.set(len);
            }
            select.set_value("");
        })
    };
    let result = props.apply_result.as_ref().filter(|r| r.buffer == buffer.name);
    let error_line = result.and_then(|r| r.line);
    html! {
        <div class="editor">
            <div class="editor-bar" role="tablist" aria-label="files">
                { for props.buffers.iter().enumerate().map(|(i, b)| {
                    let select = { let active = active.clone(); Callback::from(move |_: MouseEvent| active.set(i)) };
                    let close = props.on_close.reform(move |_: MouseEvent| i);
                    html! {
                        <span class={classes!("file-tab", (i == index).then_some("tab-active"))} key={b.name.clone()}>
                            <button type="button" role="tab" aria-selected={(i == index).to_string()} onclick={select}>{ &b.name }</button>
                            if props.buffers.len() > 1 {
                                <button type="button" class="close" aria-label={format!("close {}", b.name)} onclick={close}>{ "×" }</button>
                            }
                        </span>
                    }
                }) }
                <select class="new-file" aria-label="new file from template" onchange={on_template}>
                    <option value="" selected=true>{ "+ New…" }</option>
                    { for templates::ALL.iter().enumerate().map(|(i, (label, _, _))| html! {
                        <option value={i.to_string()}>{ *label }</option>
                    }) }
                </select>
                <button type="button" class="apply" data-testid="apply-button" onclick={apply}
                    title="kubectl apply -f this file (Ctrl+Enter)">
                    { format!("▶ Apply {}", buffer.name) }
                </button>
            </div>
            { text_view(&buffer.name, &buffer.text, error_line, oninput, onkeydown, (gutter_ref, overlay_ref)) }
            if let Some(r) = result {
                <pre class={classes!("apply-result", if r.ok { "ok" } else { "bad" })} data-testid="apply-result" role="status">
                    { if r.ok { "✓ " } else { "✗ " } }
                    if let Some(n) = r.line { { format!("line {n}: ") } }
                    { r.text.trim_end() }
                </pre>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_tokenise() {
        let t = tokens("  - name: nginx # the server");
        assert_eq!(t[1], (Tok::Punct, "- "));
        assert_eq!(t[2], (Tok::Key, "name"));
        assert_eq!(t.last().unwrap().0, Tok::Comment);
        assert_eq!(tokens("replicas: 3")[2], (Tok::Num, " 3"));
        assert_eq!(tokens("# x")[0].0, Tok::Comment);
        assert_eq!(tokens("url: http://x")[0], (Tok::Key, "url"));
    }
}
