//! The API documentation `kubectl explain` prints, and kubectl's plaintext template over it.
//!
//! The data (`explain_data.json`, made by `scripts/gen_explain_data.py` from the Kubernetes schemas)
//! is a table of definitions like the OpenAPI document's `components/schemas`: each field names its
//! type as a primitive, a definition, an array or a map of those. It is parsed on the first
//! `explain` only. The renderer follows kubectl's `plaintext.tmpl` (OpenAPI v3) template by template:
//! `output`, `fieldList`, `fieldDetail`, `description`, `typeGuess`, `extractEnum`, with the word
//! wrapping of `github.com/mitchellh/go-wordwrap`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

const DATA: &str = include_str!("explain_data.json");

/// Deepest nesting of array/map types the data may use (it is ours, but bad data must not recurse
/// without end).
const MAX_SHAPE_DEPTH: usize = 8;

/// The type of a field or of array items and map values.
#[derive(Debug, PartialEq)]
pub enum Shape {
    /// `string`, `integer`, `boolean`, `number`, `object` or `""` (no type).
    Primitive(String),
    /// A definition, by index.
    Ref(usize),
    /// `[]T`.
    Array(Box<Shape>),
    /// `map[string]T`.
    Map(Box<Shape>),
}

/// One property of a definition.
#[derive(Debug)]
pub struct Field {
    /// JSON name.
    pub name: String,
    description: Option<usize>,
    shape: Shape,
    enum_values: Vec<String>,
}

/// One definition (`io.k8s.api.core.v1.PodSpec`).
#[derive(Debug)]
pub struct Def {
    name: String,
    description: Option<usize>,
    primitive: String,
    required: Vec<String>,
    fields: Vec<Field>,
}

/// The parsed documentation.
#[derive(Debug)]
pub struct Docs {
    strings: Vec<String>,
    kinds: BTreeMap<String, usize>,
    defs: Vec<Def>,
}

/// The documentation, parsed on first use; `Err` only if the embedded data is broken.
pub fn docs() -> Result<&'static Docs, &'static str> {
    static DOCS: OnceLock<Result<Docs, String>> = OnceLock::new();
    DOCS.get_or_init(|| Docs::parse(DATA)).as_ref().map_err(String::as_str)
}

fn bad(what: &str) -> String {
    format!("error: the embedded API documentation is damaged ({what})")
}

impl Docs {
    /// Parses the generator's JSON, checking every index so rendering never has to.
    pub fn parse(text: &str) -> Result<Docs, String> {
        let root: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
        let strings: Vec<String> = root["strings"]
            .as_array()
            .ok_or_else(|| bad("strings"))?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(|| bad("string")))
            .collect::<Result<_, _>>()?;
        let raw_defs = root["defs"].as_array().ok_or_else(|| bad("defs"))?;
        let n_defs = raw_defs.len();
        let text_index = |v: &Value| -> Result<Option<usize>, String> {
            match v.as_i64() {
                Some(-1) => Ok(None),
                Some(i) if i >= 0 && (i as usize) < strings.len() => Ok(Some(i as usize)),
                _ => Err(bad("description index")),
            }
        };
        let str_list = |v: &Value| -> Result<Vec<String>, String> {
            v.as_array()
                .ok_or_else(|| bad("list"))?
                .iter()
                .map(|s| match s {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(_) | Value::Bool(_) => Ok(s.to_string()),
                    _ => Err(bad("list item")),
                })
                .collect()
        };
        let mut defs = Vec::with_capacity(n_defs);
        for d in raw_defs {
            let name = d[0].as_str().ok_or_else(|| bad("definition name"))?.to_string();
            let mut fields = Vec::new();
            for f in d[4].as_array().ok_or_else(|| bad("fields"))? {
                let shape = f[2].as_str().ok_or_else(|| bad("shape"))?;
                fields.push(Field {
                    name: f[0].as_str().ok_or_else(|| bad("field name"))?.to_string(),
                    description: text_index(&f[1])?,
                    shape: parse_shape(shape, n_defs, 0).ok_or_else(|| bad(shape))?,
                    enum_values: if f[3].is_null() { Vec::new() } else { str_list(&f[3])? },
                });
            }
            defs.push(Def {
                description: text_index(&d[1])?,
                primitive: d[2].as_str().ok_or_else(|| bad("type"))?.to_string(),
                required: str_list(&d[3])?,
                fields,
                name,
            });
        }
        let mut kinds = BTreeMap::new();
        for (kind, index) in root["kinds"].as_object().ok_or_else(|| bad("kinds"))? {
            let i = index.as_u64().filter(|i| (*i as usize) < n_defs).ok_or_else(|| bad(kind))?;
            kinds.insert(kind.clone(), i as usize);
        }
        Ok(Docs { strings, kinds, defs })
    }

    fn text(&self, index: Option<usize>) -> Option<&str> {
        index.and_then(|i| self.strings.get(i)).map(String::as_str).filter(|s| !s.is_empty())
    }

    fn def(&self, index: usize) -> &Def {
        // Indices were checked in `parse`.
        &self.defs[index]
    }

    /// The definition documenting `kind`.
    pub fn kind(&self, kind: &str) -> Option<usize> {
        self.kinds.get(kind).copied()
    }

    /// kubectl's explain text for definition `root` down `path`, or `None` when a field on the path
    /// does not exist.
    pub fn explain(&self, root: usize, path: &[String], recursive: bool) -> Option<String> {
        let mut out = String::new();
        let found = self.output(Node::Def(root), path, &mut Vec::new(), recursive, &mut out);
        found.then_some(out)
    }

    /// The `output` template: follows `path`, then prints the description and the fields.
    fn output(
        &self,
        node: Node,
        path: &[String],
        history: &mut Vec<usize>,
        recursive: bool,
        out: &mut String,
    ) -> bool {
        let Some((first, rest)) = path.split_first() else {
            out.push_str("DESCRIPTION:\n");
            let mut description = String::new();
            self.description(node, &mut description);
            if description.is_empty() {
                description.push_str("<empty>");
            }
            out.push_str(&indent(4, &wrap(&description, 76)));
            out.push('\n');
            let mut fields = String::new();
            self.field_list(node, 1, recursive, &mut Vec::new(), &mut fields);
            if !fields.is_empty() {
                out.push_str("FIELDS:\n");
                out.push_str(&fields);
            }
            return true;
        };
        match node {
            // History guards `$ref`s only: the definition explained is not reached through one.
            Node::Def(d) => {
                let Some(field) = self.def(d).fields.iter().find(|f| f.name == *first) else {
                    return false;
                };
                let mut head = String::new();
                if rest.is_empty() {
                    head = format!("FIELD: {first} <{}>\n", self.type_guess(Node::Field(field)));
                    if !field.enum_values.is_empty() {
                        head.push_str("ENUM:");
                        for v in &field.enum_values {
                            head.push_str("\n    ");
                            head.push_str(enum_text(v));
                        }
                    }
                    head.push_str("\n\n");
                }
                let mut below = String::new();
                if !self.output(Node::Field(field), rest, &mut Vec::new(), recursive, &mut below) {
                    return false;
                }
                out.push_str(&head);
                out.push_str(&below);
                true
            }
            // A field, array items or map values: look through to the type (the `allOf`, `items`
            // and `additionalProperties` branches).
            Node::Field(f) => self.output(Node::Shape(&f.shape), path, history, recursive, out),
            Node::Shape(Shape::Ref(d)) => {
                if history.contains(d) {
                    return false;
                }
                history.push(*d);
                let found = self.output(Node::Def(*d), path, history, recursive, out);
                history.pop();
                found
            }
            Node::Shape(Shape::Array(s) | Shape::Map(s)) => {
                self.output(Node::Shape(s), path, history, recursive, out)
            }
            Node::Shape(Shape::Primitive(_)) => false,
        }
    }

    /// The `description` template: the node's own text, then its type's, one per line.
    fn description(&self, node: Node, out: &mut String) {
        let (own, next) = match node {
            Node::Def(d) => (self.text(self.def(d).description), None),
            Node::Field(f) => (self.text(f.description), Some(&f.shape)),
            Node::Shape(Shape::Ref(d)) => (self.text(self.def(*d).description), None),
            Node::Shape(Shape::Array(s) | Shape::Map(s)) => (None, Some(&**s)),
            Node::Shape(Shape::Primitive(_)) => (None, None),
        };
        if let Some(text) = own {
            out.push_str(text);
            out.push('\n');
        }
        if let Some(shape) = next {
            self.description(Node::Shape(shape), out);
        }
    }

    /// The `fieldList` template: each field of the node's type, and in `--recursive` their fields.
    fn field_list(
        &self,
        node: Node,
        level: usize,
        recursive: bool,
        history: &mut Vec<usize>,
        out: &mut String,
    ) {
        match node {
            Node::Def(d) => {
                let def = self.def(d);
                for field in &def.fields {
                    self.field_detail(def, field, level, recursive, out);
                    if recursive {
                        self.field_list(Node::Field(field), level + 1, recursive, history, out);
                    }
                }
            }
            Node::Field(f) => {
                self.field_list(Node::Shape(&f.shape), level, recursive, history, out)
            }
            Node::Shape(Shape::Ref(d)) => {
                // A type already being listed on this path is a cycle: its fields stop here.
                if !history.contains(d) {
                    history.push(*d);
                    self.field_list(Node::Def(*d), level, recursive, history, out);
                    history.pop();
                }
            }
            Node::Shape(Shape::Array(s) | Shape::Map(s)) => {
                self.field_list(Node::Shape(s), level, recursive, history, out)
            }
            Node::Shape(Shape::Primitive(_)) => {}
        }
    }

    /// The `fieldDetail` template: `name<TAB><type>`, `-required-`, enum values, description.
    fn field_detail(&self, def: &Def, field: &Field, level: usize, short: bool, out: &mut String) {
        let pad = level * 2;
        out.push_str(&" ".repeat(pad));
        out.push_str(&field.name);
        out.push_str("\t<");
        out.push_str(&self.type_guess(Node::Field(field)));
        out.push('>');
        if def.required.contains(&field.name) {
            out.push_str(" -required-");
        }
        if !field.enum_values.is_empty() {
            out.push('\n');
            out.push_str(&" ".repeat(pad));
            out.push_str("enum: ");
            for (i, v) in field.enum_values.iter().enumerate() {
                if i >= 4 {
                    out.push_str(", ....");
                    break;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(enum_text(v));
            }
        }
        out.push('\n');
        if !short {
            let text = self.text(field.description).unwrap_or("<no description>");
            // kubectl wraps at 78 minus the indent; at or past 78 its writer does not wrap at all.
            out.push_str(&indent(pad + 2, &wrap(text, 78usize.saturating_sub(pad))));
            out.push_str("\n\n");
        }
    }

    /// The `typeGuess` template: `string`, `[]Container`, `map[string]string`, `Object`, ...
    fn type_guess(&self, node: Node) -> String {
        match node {
            Node::Field(f) => self.type_guess(Node::Shape(&f.shape)),
            Node::Def(d) | Node::Shape(&Shape::Ref(d)) => {
                let def = self.def(d);
                if def.primitive.is_empty() || def.primitive == "object" {
                    let short = def.name.rsplit('.').next().unwrap_or_default();
                    if short.is_empty() { "Object".into() } else { short.into() }
                } else {
                    def.primitive.clone()
                }
            }
            Node::Shape(Shape::Array(s)) => format!("[]{}", self.type_guess(Node::Shape(s))),
            Node::Shape(Shape::Map(s)) => format!("map[string]{}", self.type_guess(Node::Shape(s))),
            Node::Shape(Shape::Primitive(p)) => {
                if p.is_empty() || p == "object" {
                    "Object".into()
                } else {
                    p.clone()
                }
            }
        }
    }
}

/// Where the templates are: a definition, a field (its description and type), or a bare type.
#[derive(Clone, Copy)]
enum Node<'a> {
    Def(usize),
    Field(&'a Field),
    Shape(&'a Shape),
}

fn parse_shape(s: &str, n_defs: usize, depth: usize) -> Option<Shape> {
    if depth > MAX_SHAPE_DEPTH {
        return None;
    }
    if let Some(rest) = s.strip_prefix("[]") {
        return parse_shape(rest, n_defs, depth + 1).map(|s| Shape::Array(Box::new(s)));
    }
    if let Some(rest) = s.strip_prefix("{}") {
        return parse_shape(rest, n_defs, depth + 1).map(|s| Shape::Map(Box::new(s)));
    }
    if let Some(index) = s.strip_prefix('#') {
        return index.parse().ok().filter(|i| *i < n_defs).map(Shape::Ref);
    }
    Some(Shape::Primitive(s.to_string()))
}

/// An enum value as the template prints it (`""` for the empty string).
fn enum_text(v: &str) -> &str {
    if v.is_empty() { "\"\"" } else { v }
}

/// The template's `indent`: `pad` spaces before the text and after every newline.
fn indent(pad: usize, text: &str) -> String {
    let spaces = " ".repeat(pad);
    format!("{spaces}{}", text.replace('\n', &format!("\n{spaces}")))
}

/// go-wordwrap's `WrapString`: breaks at white space so lines stay within `limit` characters
/// where words allow; a newline in the text resets the count, and a word longer than the limit
/// stands alone on its line.
pub fn wrap(text: &str, limit: usize) -> String {
    if limit == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut current = 0;
    let (mut word, mut space) = (String::new(), String::new());
    let (mut word_len, mut space_len) = (0, 0);
    for c in text.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= limit {
                    out.push_str(&space);
                }
            } else {
                out.push_str(&space);
                out.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                word.clear();
                space_len = 0;
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + word_len + space_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_like_go_wordwrap() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("aaa  bbb", 3), "aaa\nbbb");
        assert_eq!(wrap("a verylongword b", 4), "a\nverylongword\nb");
        assert_eq!(wrap("one\n\ntwo three", 5), "one\n\ntwo\nthree");
        assert_eq!(wrap("x \n", 80), "x \n");
    }

    #[test]
    fn the_embedded_data_parses_and_covers_every_kind() {
        let docs = docs().expect("embedded data");
        for kind in crate::api::Kind::ALL {
            assert!(docs.kind(kind.info().kind).is_some(), "{kind:?}");
        }
    }

    #[test]
    fn damaged_data_is_an_error_not_a_panic() {
        for text in [
            "",
            "[]",
            r#"{"strings":[],"defs":[["a",5,"object",[],[]]],"kinds":{}}"#,
            r##"{"strings":[],"defs":[["a",-1,"object",[],[["f",-1,"#9"]]]],"kinds":{}}"##,
            r#"{"strings":[],"defs":[],"kinds":{"Pod":0}}"#,
            r#"{"strings":[],"defs":[["a",-1,"object",[],[["f",-1,"[][][][][][][][][][]x"]]]],"kinds":{}}"#,
        ] {
            assert!(Docs::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn enums_cycles_and_required_fields_render_like_the_template() {
        let text = r##"{"strings":["A node.","Policy.","Next."],"kinds":{"Node":0},
            "defs":[["io.k8s.x.v1.Node",0,"object",["policy"],
              [["next",2,"#0"],["policy",1,"string",["","A","B","C","D"]]]]]}"##;
        let docs = Docs::parse(text).unwrap();
        let plain = docs.explain(0, &[], false).unwrap();
        assert_eq!(
            plain,
            "DESCRIPTION:\n    A node.\n    \nFIELDS:\n  next\t<Node>\n    Next.\n\n  \
             policy\t<string> -required-\n  enum: \"\", A, B, C, ....\n    Policy.\n\n"
        );
        // The cycle stops at the second visit of the same definition.
        let deep = docs.explain(0, &[], true).unwrap();
        assert!(deep.ends_with("  next\t<Node>\n    next\t<Node>\n    policy\t<string> -required-\n    enum: \"\", A, B, C, ....\n  policy\t<string> -required-\n  enum: \"\", A, B, C, ....\n"), "{deep}");
        let field = docs.explain(0, &["policy".into()], false).unwrap();
        assert!(field.starts_with("FIELD: policy <string>\nENUM:\n    \"\"\n    A\n"), "{field}");
        assert!(docs.explain(0, &["policy".into(), "x".into()], false).is_none());
    }
}
