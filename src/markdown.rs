//! Lesson Markdown to Yew nodes, through pulldown-cmark, with text only.
//!
//! [`parse`] turns Markdown into a small tree of known elements; [`render`] draws it. Raw HTML in
//! the source (block or inline) becomes a [`Node::Raw`], drawn as visible text: nothing in a
//! lesson file reaches the DOM as markup. Links keep only `http(s)://` and `#...` targets; images
//! show their alt text (the app works offline and loads nothing from elsewhere). Fenced blocks
//! keep their info string, so the lesson pane can offer Run (```` ```kubectl ````/```` ```shell ````)
//! and Open in editor (```` ```yaml file=NAME ````).

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use yew::prelude::*;

/// One node of rendered Markdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// An element of a fixed set of tags, with an optional (checked) link target.
    El {
        /// The tag name (`p`, `em`, `ul`, ...).
        tag: &'static str,
        /// For `a`: the target, when it is one we allow.
        href: Option<String>,
        /// Content.
        children: Vec<Node>,
    },
    /// Text.
    Text(String),
    /// Inline code.
    Code(String),
    /// HTML written in the source, shown as text.
    Raw(String),
    /// A fenced or indented code block.
    Block(CodeBlock),
}

/// A code block and what the lesson pane can do with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// The fence's info string (`kubectl`, `yaml file=pod.yaml`).
    pub info: String,
    /// The block's text.
    pub text: String,
}

/// What a code block offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// Commands to run (`kubectl`, `shell`).
    Run,
    /// A file to open in the editor, maybe wrong on purpose.
    File {
        /// Buffer name.
        name: String,
        /// Marked `invalid`.
        invalid: bool,
    },
    /// Prose (any other language).
    Plain,
}

impl CodeBlock {
    /// What the block offers, from its info string (as `kubeplay_engine::lesson` reads it).
    pub fn kind(&self) -> BlockKind {
        let words: Vec<&str> = self.info.split_whitespace().collect();
        match words.first().copied() {
            Some("kubectl" | "shell") => BlockKind::Run,
            _ => match words.iter().find_map(|w| w.strip_prefix("file=")) {
                Some(name) if crate::session::valid_file_name(name) => {
                    BlockKind::File { name: name.to_owned(), invalid: words.contains(&"invalid") }
                }
                _ => BlockKind::Plain,
            },
        }
    }

    /// The fence language (first word of the info string).
    pub fn lang(&self) -> &str {
        self.info.split_whitespace().next().unwrap_or("")
    }
}

/// Nesting deeper than this is flattened (a pathological input must not overflow the stack).
const MAX_DEPTH: usize = 32;

struct Frame {
    tag: &'static str,
    href: Option<String>,
    children: Vec<Node>,
}

/// Parses Markdown into nodes.
pub fn parse(markdown: &str) -> Vec<Node> {
    let mut stack = vec![Frame { tag: "", href: None, children: Vec::new() }];
    // Depth of frames not pushed because of MAX_DEPTH (their ends are skipped too).
    let mut flattened = 0usize;
    let mut code: Option<CodeBlock> = None;
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(markdown, options) {
        if let Some(block) = code.as_mut() {
            match event {
                Event::Text(t) => block.text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let block = code
                        .take()
                        .unwrap_or(CodeBlock { info: String::new(), text: String::new() });
                    push(&mut stack, Node::Block(block));
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some(CodeBlock { info, text: String::new() });
            }
            Event::Start(tag) => {
                let (name, href) = element(&tag);
                if stack.len() > MAX_DEPTH {
                    flattened += 1;
                } else {
                    stack.push(Frame { tag: name, href, children: Vec::new() });
                }
            }
            Event::End(_) => {
                if flattened > 0 {
                    flattened -= 1;
                } else if stack.len() > 1 {
                    let frame = stack.pop().unwrap_or(Frame {
                        tag: "span",
                        href: None,
                        children: Vec::new(),
                    });
                    push(
                        &mut stack,
                        Node::El { tag: frame.tag, href: frame.href, children: frame.children },
                    );
                }
            }
            Event::Text(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                push(&mut stack, Node::Text(t.to_string()))
            }
            Event::Code(t) => push(&mut stack, Node::Code(t.to_string())),
            Event::Html(t) | Event::InlineHtml(t) => push(&mut stack, Node::Raw(t.to_string())),
            Event::FootnoteReference(t) => push(&mut stack, Node::Text(format!("[{t}]"))),
            Event::SoftBreak => push(&mut stack, Node::Text(" ".into())),
            Event::HardBreak => {
                push(&mut stack, Node::El { tag: "br", href: None, children: vec![] })
            }
            Event::Rule => push(&mut stack, Node::El { tag: "hr", href: None, children: vec![] }),
            Event::TaskListMarker(done) => {
                push(&mut stack, Node::Text(if done { "☑ " } else { "☐ " }.into()))
            }
        }
    }
    // Unclosed frames (not produced by pulldown-cmark, but cheap to be safe about).
    while stack.len() > 1 {
        let frame = stack.pop().unwrap_or(Frame { tag: "span", href: None, children: Vec::new() });
        push(&mut stack, Node::El { tag: frame.tag, href: frame.href, children: frame.children });
    }
    stack.pop().map(|f| f.children).unwrap_or_default()
}

fn push(stack: &mut [Frame], node: Node) {
    if let Some(top) = stack.last_mut() {
        // Adjacent text merges (fewer DOM nodes).
        if let (Node::Text(t), Some(Node::Text(last))) = (&node, top.children.last_mut()) {
            last.push_str(t);
            return;
        }
        top.children.push(node);
    }
}

fn element(tag: &Tag<'_>) -> (&'static str, Option<String>) {
    let name = match tag {
        Tag::Paragraph => "p",
        Tag::Heading { level, .. } => match level {
            HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => "h3",
            HeadingLevel::H4 => "h4",
            _ => "h5",
        },
        Tag::BlockQuote(_) => "blockquote",
        Tag::List(Some(_)) => "ol",
        Tag::List(None) => "ul",
        Tag::Item => "li",
        Tag::Table(_) => "table",
        Tag::TableHead | Tag::TableRow => "tr",
        Tag::TableCell => "td",
        Tag::Emphasis => "em",
        Tag::Strong => "strong",
        Tag::Strikethrough => "s",
        Tag::Superscript => "sup",
        Tag::Subscript => "sub",
        Tag::Link { dest_url, .. } => return ("a", safe_href(dest_url)),
        Tag::HtmlBlock => "div",
        _ => "span",
    };
    (name, None)
}

/// Link targets kept: the web, and the app's own routes.
fn safe_href(url: &str) -> Option<String> {
    let u = url.trim();
    let ok = u.starts_with("https://") || u.starts_with("http://") || u.starts_with('#');
    (ok && u.len() <= 2048).then(|| u.to_owned())
}

/// What a rendered block's buttons do.
#[derive(Clone, PartialEq)]
pub struct Actions {
    /// Run a block's commands in the terminal.
    pub on_run: Callback<String>,
    /// Open a file block in the editor: (name, text).
    pub on_open: Callback<(String, String)>,
}

/// Draws nodes; code blocks get their buttons.
pub fn render(nodes: &[Node], actions: &Actions) -> Html {
    nodes.iter().map(|n| render_node(n, actions)).collect()
}

fn render_node(node: &Node, actions: &Actions) -> Html {
    match node {
        Node::Text(t) => html! { { t.as_str() } },
        Node::Code(t) => html! { <code>{ t.as_str() }</code> },
        Node::Raw(t) => {
            html! { <span class="raw-html" title="HTML in the lesson, shown as text">{ t.as_str() }</span> }
        }
        Node::El { tag: "a", href, children } => {
            let inner = render(children, actions);
            match href {
                Some(h) if h.starts_with('#') => html! { <a href={h.clone()}>{ inner }</a> },
                Some(h) => {
                    html! { <a href={h.clone()} target="_blank" rel="noopener noreferrer">{ inner }</a> }
                }
                None => html! { <span>{ inner }</span> },
            }
        }
        Node::El { tag, children, .. } => {
            let tag = tag.to_string();
            html! { <@{tag}>{ render(children, actions) }</@> }
        }
        Node::Block(block) => render_block(block, actions),
    }
}

fn render_block(block: &CodeBlock, actions: &Actions) -> Html {
    let text = block.text.clone();
    match block.kind() {
        BlockKind::Run => {
            let onclick = actions.on_run.reform(move |_: MouseEvent| text.clone());
            html! {
                <div class="md-block md-run">
                    <div class="md-block-bar">
                        <span class="md-lang">{ block.lang() }</span>
                        <button type="button" class="md-btn" data-testid="run-block" {onclick}
                            title="Run these commands in the terminal">{ "▶ Run" }</button>
                    </div>
                    <pre>{ block.text.trim_end() }</pre>
                </div>
            }
        }
        BlockKind::File { name, invalid } => {
            let label = name.clone();
            let onclick =
                actions.on_open.reform(move |_: MouseEvent| (label.clone(), text.clone()));
            html! {
                <div class="md-block md-file">
                    <div class="md-block-bar">
                        <span class="md-lang">{ "file " }<strong>{ name.as_str() }</strong></span>
                        if invalid {
                            <span class="md-invalid" title="This manifest is wrong on purpose">{ "⚠ wrong on purpose" }</span>
                        }
                        <button type="button" class="md-btn" data-testid="open-file" data-name={name.clone()} {onclick}
                            title={format!("Open as {name} in the editor (kubectl apply -f {name} reads it)")}>
                            { "Open in editor" }
                        </button>
                    </div>
                    <pre>{ block.text.trim_end() }</pre>
                </div>
            }
        }
        BlockKind::Plain => html! {
            <div class="md-block md-plain">
                if !block.lang().is_empty() {
                    <div class="md-block-bar"><span class="md-lang">{ block.lang() }</span></div>
                }
                <pre>{ block.text.trim_end() }</pre>
            </div>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_text(nodes: &[Node], out: &mut Vec<String>) {
        for n in nodes {
            match n {
                Node::El { children, .. } => all_text(children, out),
                Node::Text(t) | Node::Code(t) | Node::Raw(t) => out.push(t.clone()),
                Node::Block(b) => out.push(b.text.clone()),
            }
        }
    }

    fn tags(nodes: &[Node], out: &mut Vec<&'static str>) {
        for n in nodes {
            if let Node::El { tag, children, .. } = n {
                out.push(tag);
                tags(children, out);
            }
        }
    }

    #[test]
    fn raw_html_becomes_text_never_elements() {
        let md = "Hello <b onclick=\"x()\">bold</b> and <img src=x onerror=alert(1)>.\n\n\
                  <script>alert('block')</script>\n\n<div class=\"evil\">\n\nstill text\n\n</div>\n";
        let nodes = parse(md);
        let mut t = Vec::new();
        tags(&nodes, &mut t);
        for bad in ["b", "img", "script"] {
            assert!(!t.contains(&bad), "{bad} became an element: {t:?}");
        }
        let mut text = Vec::new();
        all_text(&nodes, &mut text);
        let joined = text.join("");
        assert!(joined.contains("<b onclick=\"x()\">"), "{joined}");
        assert!(joined.contains("<script>alert('block')</script>"), "{joined}");
        assert!(joined.contains("<img src=x onerror=alert(1)>"), "{joined}");
        // The raw pieces are marked as such.
        fn raws(nodes: &[Node]) -> usize {
            nodes
                .iter()
                .map(|n| match n {
                    Node::Raw(_) => 1,
                    Node::El { children, .. } => raws(children),
                    _ => 0,
                })
                .sum()
        }
        assert!(raws(&nodes) >= 4);
    }

    #[test]
    fn links_keep_only_safe_targets_and_images_show_alt_text() {
        let nodes = parse(
            "[a](javascript:alert(1)) [b](https://kubernetes.io) [c](#/play) ![alt words](http://x/y.png)",
        );
        let Node::El { children, .. } = &nodes[0] else { panic!("{nodes:?}") };
        let hrefs: Vec<Option<String>> = children
            .iter()
            .filter_map(|n| match n {
                Node::El { tag: "a", href, .. } => Some(href.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(hrefs, vec![None, Some("https://kubernetes.io".into()), Some("#/play".into())]);
        let mut t = Vec::new();
        tags(&nodes, &mut t);
        assert!(!t.contains(&"img"));
        let mut text = Vec::new();
        all_text(&nodes, &mut text);
        assert!(text.join("").contains("alt words"));
    }

    #[test]
    fn code_blocks_keep_their_info_and_kind() {
        let md = "```kubectl\nkubectl get pods\n```\n\n```yaml file=pod.yaml invalid\nkind: Pod\n```\n\n\
                  ```yaml file=../etc/passwd\nx\n```\n\n```dockerfile\nFROM node\n```\n";
        let blocks: Vec<CodeBlock> = parse(md)
            .into_iter()
            .filter_map(|n| match n {
                Node::Block(b) => Some(b),
                _ => None,
            })
            .collect();
        let kinds: Vec<BlockKind> = blocks.iter().map(CodeBlock::kind).collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::Run,
                BlockKind::File { name: "pod.yaml".into(), invalid: true },
                BlockKind::Plain,
                BlockKind::Plain
            ]
        );
        assert_eq!(blocks[0].text, "kubectl get pods\n");
    }

    #[test]
    fn deep_nesting_is_flattened_not_a_stack_overflow() {
        let md = format!("{}x\n", "> ".repeat(5_000));
        let nodes = parse(&md);
        let mut text = Vec::new();
        all_text(&nodes, &mut text);
        assert!(text.join("").contains('x'));
    }

    #[test]
    fn every_embedded_lesson_renders_its_blocks() {
        for lesson in crate::lessons::all().iter().filter_map(|e| e.lesson.as_ref().ok()) {
            for step in &lesson.steps {
                let blocks = parse(&step.body_markdown)
                    .into_iter()
                    .filter(|n| matches!(n, Node::Block(b) if b.kind() != BlockKind::Plain))
                    .count();
                assert_eq!(blocks, step.blocks.len(), "{} step {}", lesson.id, step.number);
            }
        }
    }
}
