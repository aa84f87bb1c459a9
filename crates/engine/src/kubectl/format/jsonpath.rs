//! kubectl's JSONPath: `-o jsonpath=…`, `-o jsonpath-as-json=…` and the cells of custom-columns.
//!
//! A port of client-go's `util/jsonpath` (parser.go, jsonpath.go) and of the comparison helpers
//! in `third_party/forked/golang/template`, evaluated over a decoded JSON document the way kubectl
//! evaluates an unstructured object. Error texts are Go's, and [`JsonPathError`]'s `Display` is
//! what kubectl prints after `error: ` (cli-runtime `jsonpath_flags.go` and `printers/jsonpath.go`).
//!
//! Semantics worth knowing (all upstream behaviour):
//! - results of one `{…}` are joined by a single space; strings print raw, maps and lists as
//!   compact JSON, `null` as `null`; text outside braces prints as is;
//! - kubectl's `--allow-missing-template-keys` defaults to true: a missing field then prints
//!   nothing instead of failing with `foo is not found`;
//! - `['a.b']` is not a key with a dot: it is the path `.a.b`; a dot in a key is written `a\.b`;
//! - a filter compares like Go templates: an int field against `1.5` is an error
//!   (`incompatible types for comparison`).
//!
//! One deliberate difference: Go visits map entries (`.*`, `..`) in random order; here they come
//! in sorted key order, so output is deterministic.

use std::borrow::Cow;

use serde_json::{Number, Value};
use thiserror::Error;

use super::gofmt;

/// Longest template accepted, in bytes. kubectl has no limit; templates typed in a terminal are
/// far shorter, and this bounds parsing work.
pub const MAX_TEMPLATE_BYTES: usize = 16 * 1024;
/// Deepest nesting of filters and unions inside one another (each nests a parser).
pub const MAX_NESTING_LEVELS: usize = 16;
/// Most values one evaluation may produce (nested `range`s multiply).
pub const MAX_RESULT_VALUES: usize = 1_000_000;
/// Largest output one evaluation may produce, in bytes.
pub const MAX_OUTPUT_BYTES: usize = 16 * 1024 * 1024;

/// A JSONPath failure, displayed exactly as kubectl prints it after `error: `.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum JsonPathError {
    /// The template does not parse: `error parsing jsonpath {.a[}, unterminated array`.
    #[error("error parsing jsonpath {template}, {reason}")]
    Parse {
        /// The template as given.
        template: String,
        /// client-go's parser message, e.g. `unterminated array`.
        reason: String,
    },
    /// Evaluation failed (`foo is not found`, `array index out of bounds: …`); kubectl follows the
    /// reason with the template and a Go `%#v` dump of the object, and ends with blank lines.
    #[error(
        "error executing jsonpath {quoted_template}: Error executing template: {reason}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\tobject given to jsonpath engine was:\n\t\t{object}\n\n\n"
    )]
    Execute {
        /// The template as given.
        template: String,
        /// The template quoted like Go's `%q`.
        quoted_template: String,
        /// client-go's evaluation message.
        reason: String,
        /// The object as Go's `%#v` prints it.
        object: String,
    },
}

/// How to evaluate and print, mirroring kubectl's flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// `--allow-missing-template-keys` (kubectl's default: true).
    pub allow_missing_keys: bool,
    /// `-o jsonpath-as-json`: print each result group as an indented JSON array.
    pub output_json: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { allow_missing_keys: true, output_json: false }
    }
}

/// `kubectl get -o jsonpath=<template>` on `data`, with kubectl's defaults.
///
/// ```
/// use kubeplay_engine::kubectl::format::jsonpath;
/// let list = serde_json::json!({"items": [
///     {"metadata": {"name": "a"}, "status": {"phase": "Running"}},
///     {"metadata": {"name": "b"}, "status": {"phase": "Pending"}},
/// ]});
/// assert_eq!(jsonpath("{.items[*].metadata.name}", &list).unwrap(), "a b");
/// assert_eq!(
///     jsonpath(r#"{range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}"#, &list).unwrap(),
///     "a\tRunning\nb\tPending\n"
/// );
/// ```
pub fn jsonpath(template: &str, data: &Value) -> Result<String, JsonPathError> {
    JsonPath::parse(template)?.execute(data, Options::default())
}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct JsonPath {
    template: String,
    nodes: Vec<Node>,
}

impl JsonPath {
    /// Parses `template` (kubectl's wording on failure).
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        let nodes = parse_template(template)
            .map_err(|reason| JsonPathError::Parse { template: template.into(), reason })?;
        Ok(JsonPath { template: template.into(), nodes })
    }

    /// Evaluates the template on `data` and prints the results as kubectl does.
    pub fn execute(&self, data: &Value, opts: Options) -> Result<String, JsonPathError> {
        self.execute_raw(data, opts).map_err(|reason| {
            let mut quoted = String::new();
            gofmt::push_go_quote(&mut quoted, &self.template);
            JsonPathError::Execute {
                template: self.template.clone(),
                quoted_template: quoted,
                reason,
                object: gofmt::go_sharp_v_value(data),
            }
        })
    }

    /// Like [`JsonPath::execute`], with client-go's bare error message.
    pub fn execute_raw(&self, data: &Value, opts: Options) -> Result<String, String> {
        let groups = Evaluator::new(&self.nodes, opts.allow_missing_keys).run(data)?;
        let mut out = String::new();
        for group in &groups {
            if opts.output_json {
                let array = Value::Array(group.iter().map(Val::to_value).collect());
                out.push_str(&gofmt::go_json_indent(&array, "    "));
                out.push('\n');
            } else {
                for (i, v) in group.iter().enumerate() {
                    v.print(&mut out);
                    if i + 1 != group.len() {
                        out.push(' ');
                    }
                }
            }
            if out.len() > MAX_OUTPUT_BYTES {
                return Err(output_too_large());
            }
        }
        Ok(out)
    }

    /// The results as custom-columns prints them: one list per result group, each value as Go's
    /// `fmt.Sprint` shows it (maps as `map[k:v]`, null as `<nil>`). Missing keys are allowed.
    pub fn find_results_sprint(&self, data: &Value) -> Result<Vec<Vec<String>>, String> {
        let groups = Evaluator::new(&self.nodes, true).run(data)?;
        Ok(groups.iter().map(|g| g.iter().map(Val::sprint).collect()).collect())
    }
}

fn too_many_results() -> String {
    format!("more than {MAX_RESULT_VALUES} results")
}

fn output_too_large() -> String {
    format!("output is larger than {MAX_OUTPUT_BYTES} bytes")
}

// ---------------------------------------------------------------------------------------------
// Parser (client-go util/jsonpath/parser.go)

#[derive(Clone, Copy, Debug, PartialEq)]
struct Param {
    value: i64,
    known: bool,
    derived: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    List(Vec<Node>),
    Field(String),
    Identifier(String),
    Array([Param; 3]),
    Filter { left: Vec<Node>, right: Vec<Node>, op: String },
    Int(i64),
    Float(f64),
    Bool(bool),
    Wildcard,
    Recursive,
    Union(Vec<Vec<Node>>),
}

fn parse_template(text: &str) -> Result<Vec<Node>, String> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(format!("template is longer than {MAX_TEMPLATE_BYTES} bytes"));
    }
    Parser { input: text, pos: 0, start: 0, width: 0, depth: 0 }.parse()
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
    depth: usize,
}

fn is_terminator(r: Option<char>) -> bool {
    match r {
        None => true,
        Some(c) => {
            matches!(c, ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}')
        }
    }
}

/// Go's `unicode.IsDigit` (decimal digits of any script); Rust's `is_numeric` is a close
/// stand-in outside ASCII.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || is_digit(c)
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Option<char> {
        match self.input[self.pos..].chars().next() {
            None => {
                self.width = 0;
                None
            }
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&mut self) -> Option<char> {
        let r = self.next();
        self.backup();
        r
    }

    fn consume(&mut self) -> &'a str {
        let v = &self.input[self.start..self.pos];
        self.start = self.pos;
        v
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    /// The byte just before the character most recently read (`p.input[p.pos-2]` in Go).
    fn escaped(&self) -> bool {
        self.pos >= 2 && self.input.as_bytes()[self.pos - 2] == b'\\'
    }

    fn parse(mut self) -> Result<Vec<Node>, String> {
        let mut root = Vec::new();
        loop {
            // parseText: literal text up to the next '{'.
            loop {
                if self.rest().starts_with('{') {
                    break;
                }
                if self.next().is_none() {
                    if self.pos > self.start {
                        root.push(Node::Text(self.consume().into()));
                    }
                    return Ok(root);
                }
            }
            if self.pos > self.start {
                root.push(Node::Text(self.consume().into()));
            }
            self.pos += 1;
            self.consume();
            let list = self.parse_inside_action()?;
            root.push(Node::List(list));
        }
    }

    /// parseInsideAction, as a loop, up to and including the closing '}'.
    fn parse_inside_action(&mut self) -> Result<Vec<Node>, String> {
        let mut cur = Vec::new();
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(cur);
            }
            if rest.starts_with("[?(") {
                self.parse_filter(&mut cur)?;
                continue;
            }
            if rest.starts_with("..") {
                self.parse_recursive(&mut cur)?;
                continue;
            }
            match self.next() {
                None | Some('\r') | Some('\n') => return Err("unclosed action".into()),
                Some(' ') | Some('@') | Some('$') => {
                    self.consume();
                }
                Some('[') => self.parse_array(&mut cur)?,
                Some(q @ ('"' | '\'')) => self.parse_quote(&mut cur, q)?,
                Some('.') => self.parse_field(&mut cur),
                Some(c) if c == '+' || c == '-' || is_digit(c) => {
                    self.backup();
                    self.parse_number(&mut cur)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup();
                    self.parse_identifier(&mut cur);
                }
                Some(c) => {
                    return Err(format!(
                        "unrecognized character in action: {}",
                        gofmt::go_sharp_u(c)
                    ));
                }
            }
        }
    }

    fn parse_identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let r = self.next();
            if is_terminator(r) {
                self.backup();
                break;
            }
        }
        let value = self.consume();
        cur.push(match value {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            v => Node::Identifier(v.into()),
        });
    }

    fn parse_recursive(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if cur.last() == Some(&Node::Recursive) {
            return Err("invalid multiple recursive descent".into());
        }
        self.pos += 2;
        self.consume();
        cur.push(Node::Recursive);
        if self.peek().is_some_and(is_alphanumeric) {
            self.parse_field(cur);
        }
        Ok(())
    }

    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            match self.next() {
                Some(c) if c == '.' || is_digit(c) => {}
                _ => {
                    self.backup();
                    break;
                }
            }
        }
        let value = self.consume();
        if let Ok(i) = value.parse::<i64>() {
            cur.push(Node::Int(i));
        } else if let Some(f) = go_parse_float(value) {
            cur.push(Node::Float(f));
        } else {
            return Err(format!("cannot parse number {value}"));
        }
        Ok(())
    }

    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let text = self.consume();
        let mut text = &text[1..text.len() - 1];
        if text == "*" {
            text = ":";
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut union = Vec::new();
            for part in parts {
                union.push(self.parse_action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }
        // dict key: ['key'] is the path .key
        if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') {
            let inner = &text[1..text.len() - 1];
            if !inner.contains('\'') {
                cur.extend(self.parse_action(&format!(".{inner}"))?);
                return Ok(());
            }
        }
        let Some(groups) = slice_groups(text) else {
            return Err(format!("invalid array index {text}"));
        };
        let mut params = [Param { value: 0, known: false, derived: false }; 3];
        for i in 0..3 {
            match groups[i] {
                Some(g) if !g.is_empty() => {
                    let g = if i > 0 { &g[1..] } else { g };
                    if i > 0 && g.is_empty() {
                        params[i].known = false;
                    } else {
                        params[i].known = true;
                        params[i].value = g
                            .parse::<i64>()
                            .map_err(|_| format!("array index {g} is not a number"))?;
                    }
                }
                _ => {
                    if i == 1 {
                        params[i] = Param {
                            value: params[0].value.wrapping_add(1),
                            known: true,
                            derived: true,
                        };
                    } else {
                        params[i] = Param { value: 0, known: false, derived: false };
                    }
                }
            }
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let mut begin = false;
        let mut end = false;
        let mut pair = '\0';
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated filter".into()),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                        continue;
                    }
                    if !self.escaped() && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        match split_comparison(text) {
            None => {
                let left = self.parse_action(text)?;
                cur.push(Node::Filter { left, right: Vec::new(), op: "exists".into() });
            }
            Some((l, op, r)) => {
                let left = self.parse_action(l)?;
                let right = self.parse_action(r)?;
                cur.push(Node::Filter { left, right, op: op.into() });
            }
        }
        Ok(())
    }

    fn parse_quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == end && !self.escaped() => break,
                Some(_) => {}
            }
        }
        let value = self.consume();
        let s = unquote_extend(value).map_err(|e| format!("unquote string {value} error {e}"))?;
        cur.push(Node::Text(s));
        Ok(())
    }

    fn parse_field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            match self.next() {
                Some('\\') => {
                    self.next();
                }
                r if is_terminator(r) => {
                    self.backup();
                    break;
                }
                _ => {}
            }
        }
        let value = self.consume();
        cur.push(if value == "*" { Node::Wildcard } else { Node::Field(value.replace('\\', "")) });
    }

    /// parseAction: parses `{text}` with a fresh parser and returns the action's nodes.
    fn parse_action(&self, text: &str) -> Result<Vec<Node>, String> {
        if self.depth + 1 >= MAX_NESTING_LEVELS {
            return Err(format!("filters and unions nest deeper than {MAX_NESTING_LEVELS} levels"));
        }
        let wrapped = format!("{{{text}}}");
        let nodes = Parser { input: &wrapped, pos: 0, start: 0, width: 0, depth: self.depth + 1 }
            .parse()?;
        match nodes.into_iter().next() {
            Some(Node::List(list)) => Ok(list),
            _ => Ok(Vec::new()),
        }
    }
}

/// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`: the three groups (None when absent).
fn slice_groups(text: &str) -> Option<[Option<&str>; 3]> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut groups = [None; 3];
    for (g, group) in groups.iter_mut().enumerate() {
        let start = i;
        if g > 0 {
            if b.get(i) != Some(&b':') {
                break;
            }
            i += 1;
        }
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        *group = Some(&text[start..i]);
    }
    (i == b.len()).then_some(groups)
}

/// `^([^!<>=]+)([!<>=]+)(.+?)$` on a filter's text.
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let op_start = text.find(is_op)?;
    if op_start == 0 || text.contains('\n') {
        return None;
    }
    let after = &text[op_start..];
    let op_len = after.find(|c: char| !is_op(c)).unwrap_or(after.len());
    if op_len == after.len() {
        // The operator run reaches the end: the regexp gives its last character to group 3.
        if op_len < 2 {
            return None;
        }
        return Some((&text[..op_start], &after[..op_len - 1], &after[op_len - 1..]));
    }
    Some((&text[..op_start], &after[..op_len], &after[op_len..]))
}

/// `strconv.ParseFloat(s, 64)` on the digits-and-dots text `parseNumber` collects.
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// client-go's `UnquoteExtend`: `strconv.Unquote` that also accepts single-quoted strings.
fn unquote_extend(s: &str) -> Result<String, &'static str> {
    const SYNTAX: &str = "invalid syntax";
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(SYNTAX);
    }
    let quote = b[0];
    if quote != b[b.len() - 1] || (quote != b'"' && quote != b'\'') {
        return Err(SYNTAX);
    }
    let inner = &s[1..s.len() - 1];
    if !inner.contains('\\') && !inner.as_bytes().contains(&quote) {
        return Ok(inner.into());
    }
    // Go builds bytes: `\xff` adds a raw byte, which may not be UTF-8.
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(c) = rest.chars().next() {
        if c as u32 == u32::from(quote) {
            return Err(SYNTAX);
        }
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let mut chars = rest[1..].chars();
        let Some(e) = chars.next() else { return Err(SYNTAX) };
        rest = &rest[1 + e.len_utf8()..];
        let simple = match e {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '\'' | '"' if e as u32 == u32::from(quote) => Some(e as u8),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        match e {
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits = rest.get(..n).ok_or(SYNTAX)?;
                let v = u32::from_str_radix(digits, 16).map_err(|_| SYNTAX)?;
                if !digits.bytes().all(|d| d.is_ascii_hexdigit()) {
                    return Err(SYNTAX);
                }
                rest = &rest[n..];
                if e == 'x' {
                    out.push(v as u8);
                } else {
                    let c = char::from_u32(v).ok_or(SYNTAX)?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
            '0'..='7' => {
                let digits = rest.get(..2).ok_or(SYNTAX)?;
                let mut v = u32::from(e as u8 - b'0');
                for d in digits.bytes() {
                    if !(b'0'..=b'7').contains(&d) {
                        return Err(SYNTAX);
                    }
                    v = v * 8 + u32::from(d - b'0');
                }
                if v > 255 {
                    return Err(SYNTAX);
                }
                rest = &rest[2..];
                out.push(v as u8);
            }
            _ => return Err(SYNTAX),
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

// ---------------------------------------------------------------------------------------------
// Evaluation (client-go util/jsonpath/jsonpath.go)

/// A Go `reflect.Value` as the evaluator sees one.
#[derive(Clone, Debug)]
enum Val<'a> {
    /// `reflect.ValueOf(nil)`: what a `range` over a null item evaluates its body on.
    Invalid,
    /// A value inside the document (an interface holding it; `Null` is a nil interface).
    Doc(&'a Value),
    /// A string literal from the template.
    Text(Cow<'a, str>),
    /// An integer literal from the template (Go `int`).
    Int(i64),
    /// A float literal from the template.
    Float(f64),
    /// `true` / `false` in the template.
    Bool(bool),
    /// One byte of a string, from `.*` or `..` over it (Go `uint8`).
    Byte(u8),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    String,
}

impl<'a> Val<'a> {
    /// `value.Interface()` passed back to `reflect.ValueOf`: a nil interface becomes invalid.
    fn reenter(&self) -> Val<'a> {
        match self {
            Val::Doc(Value::Null) => Val::Invalid,
            v => v.clone(),
        }
    }

    fn is_nil(&self) -> bool {
        matches!(self, Val::Doc(Value::Null))
    }

    fn str_bytes(&self) -> Option<&[u8]> {
        match self {
            Val::Doc(Value::String(s)) => Some(s.as_bytes()),
            Val::Text(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// `reflect.Type.String()` of the concrete value.
    fn type_name(&self) -> &'static str {
        match self {
            Val::Invalid | Val::Doc(Value::Null) => "<nil>",
            Val::Doc(Value::Bool(_)) | Val::Bool(_) => "bool",
            Val::Doc(Value::Number(n)) if n.is_f64() => "float64",
            Val::Doc(Value::Number(_)) => "int64",
            Val::Doc(Value::String(_)) | Val::Text(_) => "string",
            Val::Doc(Value::Array(_)) => "[]interface {}",
            Val::Doc(Value::Object(_)) => "map[string]interface {}",
            Val::Int(_) => "int",
            Val::Float(_) => "float64",
            Val::Byte(_) => "uint8",
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Val::Doc(Value::Bool(_)) | Val::Bool(_) => Kind::Bool,
            Val::Doc(Value::Number(n)) if n.is_f64() => Kind::Float,
            Val::Doc(Value::Number(n)) if n.is_u64() && n.as_i64().is_none() => Kind::Uint,
            Val::Doc(Value::Number(_)) | Val::Int(_) => Kind::Int,
            Val::Float(_) => Kind::Float,
            Val::Byte(_) => Kind::Uint,
            Val::Doc(Value::String(_)) | Val::Text(_) => Kind::String,
            _ => Kind::Invalid,
        }
    }

    fn as_i64(&self) -> i64 {
        match self {
            Val::Doc(Value::Number(n)) => n.as_i64().unwrap_or(0),
            Val::Int(i) => *i,
            _ => 0,
        }
    }

    fn as_u64(&self) -> u64 {
        match self {
            Val::Doc(Value::Number(n)) => n.as_u64().unwrap_or(0),
            Val::Byte(b) => u64::from(*b),
            _ => 0,
        }
    }

    fn as_f64(&self) -> f64 {
        match self {
            Val::Doc(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
            Val::Float(f) => *f,
            _ => 0.0,
        }
    }

    fn as_bool(&self) -> bool {
        matches!(self, Val::Doc(Value::Bool(true)) | Val::Bool(true))
    }

    fn as_str(&self) -> &str {
        match self {
            Val::Doc(Value::String(s)) => s,
            Val::Text(s) => s,
            _ => "",
        }
    }

    /// PrintResults: maps and lists as compact JSON, everything else as `fmt.Fprint` shows it.
    fn print(&self, out: &mut String) {
        match self {
            Val::Invalid => out.push_str("<no value>"),
            Val::Doc(Value::Null) => out.push_str("null"),
            Val::Doc(v @ (Value::Array(_) | Value::Object(_))) => {
                out.push_str(&gofmt::go_json_compact(v));
            }
            v => out.push_str(&v.sprint()),
        }
    }

    /// `fmt.Sprint(value.Interface())`.
    fn sprint(&self) -> String {
        match self {
            Val::Invalid => "<nil>".into(),
            Val::Doc(v) => gofmt::go_sprint(v),
            Val::Text(s) => s.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => gofmt::go_float_g(*f),
            Val::Bool(b) => b.to_string(),
            Val::Byte(b) => b.to_string(),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Val::Invalid => Value::Null,
            Val::Doc(v) => (*v).clone(),
            Val::Text(s) => Value::String(s.to_string()),
            Val::Int(i) => Value::from(*i),
            Val::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Val::Bool(b) => Value::Bool(*b),
            Val::Byte(b) => Value::from(*b),
        }
    }

    /// The children `.*` and `..` visit (map values in key order, elements, string bytes).
    fn children(&self) -> Vec<Val<'a>> {
        match self {
            Val::Doc(Value::Object(m)) => m.values().map(Val::Doc).collect(),
            Val::Doc(Value::Array(a)) => a.iter().map(Val::Doc).collect(),
            v => {
                v.str_bytes().map(|b| b.iter().map(|&x| Val::Byte(x)).collect()).unwrap_or_default()
            }
        }
    }
}

/// A failed step: Go returns some values along with the error, and an `exists` filter counts
/// them.
struct Failure<'a> {
    partial: Vec<Val<'a>>,
    msg: String,
}

type Step<'a> = Result<Vec<Val<'a>>, Failure<'a>>;

fn fail<'a>(partial: Vec<Val<'a>>, msg: impl Into<String>) -> Step<'a> {
    Err(Failure { partial, msg: msg.into() })
}

struct Evaluator<'n> {
    nodes: &'n [Node],
    allow_missing_keys: bool,
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    last_end_node: Option<usize>,
    produced: usize,
}

impl<'n> Evaluator<'n> {
    fn new(nodes: &'n [Node], allow_missing_keys: bool) -> Self {
        Evaluator {
            nodes,
            allow_missing_keys,
            begin_range: 0,
            in_range: 0,
            end_range: 0,
            last_end_node: None,
            produced: 0,
        }
    }

    fn run<'a>(mut self, data: &'a Value) -> Result<Vec<Vec<Val<'a>>>, String>
    where
        'n: 'a,
    {
        self.find_results(Val::Doc(data).reenter(), 0)
    }

    /// FindResults over `nodes[start..]`, with Go's range bookkeeping.
    fn find_results<'a>(&mut self, data: Val<'a>, start: usize) -> Result<Vec<Vec<Val<'a>>>, String>
    where
        'n: 'a,
    {
        let cur = vec![data];
        let mut full = Vec::new();
        let mut i = start;
        while i < self.nodes.len() {
            let nodes = self.nodes;
            let results = self.walk(&cur, &nodes[i]).map_err(|f| f.msg)?;
            self.count(results.len())?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end_node = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    self.find_results(Val::Invalid, i + 1)?;
                } else {
                    for value in results {
                        let nested = self.find_results(value.reenter(), i + 1)?;
                        full.extend(nested);
                    }
                }
                self.in_range -= 1;
                if let Some(k) = self.last_end_node.filter(|&k| k > i) {
                    i = k;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn count(&mut self, n: usize) -> Result<(), String> {
        self.produced = self.produced.saturating_add(n);
        if self.produced > MAX_RESULT_VALUES {
            return Err(too_many_results());
        }
        Ok(())
    }

    fn walk<'a>(&mut self, input: &[Val<'a>], node: &'n Node) -> Step<'a>
    where
        'n: 'a,
    {
        match node {
            Node::List(nodes) => self.eval_list(input, nodes),
            Node::Text(t) => Ok(vec![Val::Text(Cow::Borrowed(t.as_str()))]),
            Node::Field(name) => self.eval_field(input, name),
            Node::Array(params) => eval_array(input, *params),
            Node::Filter { left, right, op } => self.eval_filter(input, left, right, op),
            Node::Int(v) => Ok(vec![Val::Int(*v); input.len()]),
            Node::Float(v) => Ok(vec![Val::Float(*v); input.len()]),
            Node::Bool(v) => Ok(vec![Val::Bool(*v); input.len()]),
            Node::Wildcard => {
                let mut out = Vec::new();
                for v in input.iter().filter(|v| !v.is_nil()) {
                    out.extend(v.children());
                    if out.len() > MAX_RESULT_VALUES {
                        return fail(Vec::new(), too_many_results());
                    }
                }
                Ok(out)
            }
            Node::Recursive => eval_recursive(input),
            Node::Union(lists) => {
                let mut out = Vec::new();
                for list in lists {
                    match self.eval_list(input, list) {
                        Ok(vals) => out.extend(vals),
                        Err(f) => return fail(input.to_vec(), f.msg),
                    }
                    if out.len() > MAX_RESULT_VALUES {
                        return fail(Vec::new(), too_many_results());
                    }
                }
                Ok(out)
            }
            Node::Identifier(name) => match name.as_str() {
                "range" => {
                    self.begin_range += 1;
                    Ok(input.to_vec())
                }
                "end" if self.in_range > 0 => {
                    self.end_range += 1;
                    Ok(Vec::new())
                }
                "end" => fail(Vec::new(), "not in range, nothing to end"),
                other => fail(input.to_vec(), format!("unrecognized identifier {other}")),
            },
        }
    }

    fn eval_list<'a>(&mut self, input: &[Val<'a>], nodes: &'n [Node]) -> Step<'a>
    where
        'n: 'a,
    {
        let mut cur = input.to_vec();
        for node in nodes {
            cur = self.walk(&cur, node)?;
            if cur.len() > MAX_RESULT_VALUES {
                return fail(Vec::new(), too_many_results());
            }
        }
        Ok(cur)
    }

    fn eval_field<'a>(&mut self, input: &[Val<'a>], name: &str) -> Step<'a> {
        let mut results = Vec::new();
        if input.is_empty() {
            return Ok(results);
        }
        for value in input {
            if let Val::Doc(Value::Object(map)) = value
                && let Some(v) = map.get(name)
            {
                results.push(Val::Doc(v));
            }
        }
        if results.is_empty() && !self.allow_missing_keys {
            return fail(results, format!("{name} is not found"));
        }
        Ok(results)
    }

    fn eval_filter<'a>(
        &mut self,
        input: &[Val<'a>],
        left: &'n [Node],
        right: &'n [Node],
        op: &str,
    ) -> Step<'a>
    where
        'n: 'a,
    {
        let mut results = Vec::new();
        for value in input {
            let Val::Doc(Value::Array(items)) = value else {
                let shown = match value {
                    Val::Doc(v) => gofmt::go_sprint(v),
                    v => v.sprint(),
                };
                return fail(
                    input.to_vec(),
                    format!("{shown} is not array or slice and cannot be filtered"),
                );
            };
            for item in items {
                let temp = [Val::Doc(item)];
                let lefts = self.eval_list(&temp, left);
                if op == "exists" {
                    let found = match &lefts {
                        Ok(v) => !v.is_empty(),
                        Err(f) => !f.partial.is_empty(),
                    };
                    if found {
                        results.push(Val::Doc(item));
                    }
                    continue;
                }
                let lefts = match lefts {
                    Ok(v) => v,
                    Err(f) => return fail(input.to_vec(), f.msg),
                };
                let l = match lefts.len() {
                    0 => continue,
                    1 => &lefts[0],
                    _ => return fail(input.to_vec(), "can only compare one element at a time"),
                };
                let rights = match self.eval_list(&temp, right) {
                    Ok(v) => v,
                    Err(f) => return fail(input.to_vec(), f.msg),
                };
                let r = match rights.len() {
                    0 => continue,
                    1 => &rights[0],
                    _ => return fail(input.to_vec(), "can only compare one element at a time"),
                };
                let pass = match op {
                    "<" => less(l, r),
                    ">" => less_equal(l, r).map(|le| !le),
                    "==" => equal(l, r),
                    "!=" => equal(l, r).map(|e| !e),
                    "<=" => less_equal(l, r),
                    ">=" => less(l, r).map(|lt| !lt),
                    other => return fail(results, format!("unrecognized filter operator {other}")),
                };
                match pass {
                    Ok(true) => results.push(Val::Doc(item)),
                    Ok(false) => {}
                    Err(e) => return fail(results, e),
                }
            }
        }
        Ok(results)
    }
}

fn eval_array<'a>(input: &[Val<'a>], node_params: [Param; 3]) -> Step<'a> {
    let mut result = Vec::new();
    for value in input {
        if value.is_nil() {
            continue;
        }
        let Val::Doc(Value::Array(items)) = value else {
            return fail(input.to_vec(), format!("{} is not array or slice", value.type_name()));
        };
        let len = items.len() as i64;
        let mut p = node_params;
        if !p[0].known {
            p[0].value = 0;
        }
        if p[0].value < 0 {
            p[0].value = p[0].value.wrapping_add(len);
        }
        if !p[1].known {
            p[1].value = len;
        }
        if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
            p[1].value = p[1].value.wrapping_add(len);
        }
        if p[1].value == p[0].value {
            // Asking for nothing ends the whole step with what was found so far.
            return Ok(result);
        }
        if p[0].value >= len || p[0].value < 0 {
            return fail(
                input.to_vec(),
                format!("array index out of bounds: index {}, length {}", p[0].value, len),
            );
        }
        if p[1].value > len || p[1].value < 0 {
            return fail(
                input.to_vec(),
                format!(
                    "array index out of bounds: index {}, length {}",
                    p[1].value.wrapping_sub(1),
                    len
                ),
            );
        }
        if p[0].value > p[1].value {
            return fail(
                input.to_vec(),
                format!(
                    "starting index {} is greater than ending index {}",
                    p[0].value, p[1].value
                ),
            );
        }
        let mut step = 1;
        if p[2].known {
            if p[2].value <= 0 {
                return fail(input.to_vec(), "step must be > 0");
            }
            step = p[2].value;
        }
        let slice = &items[p[0].value as usize..p[1].value as usize];
        let step = usize::try_from(step).unwrap_or(usize::MAX);
        result.extend(slice.iter().step_by(step).map(Val::Doc));
        if result.len() > MAX_RESULT_VALUES {
            return fail(Vec::new(), too_many_results());
        }
    }
    Ok(result)
}

/// `..`: every value that has children (non-empty maps, lists and strings), depth first.
fn eval_recursive<'a>(input: &[Val<'a>]) -> Step<'a> {
    let mut result = Vec::new();
    // An explicit stack keeps deep documents from exhausting the wasm stack.
    let mut stack: Vec<Val<'a>> = input.iter().rev().cloned().collect();
    while let Some(value) = stack.pop() {
        if value.is_nil() {
            continue;
        }
        let children = value.children();
        if !children.is_empty() {
            result.push(value);
            if result.len() > MAX_RESULT_VALUES {
                return fail(Vec::new(), too_many_results());
            }
            stack.extend(children.into_iter().rev());
        }
    }
    Ok(result)
}

const BAD_TYPE: &str = "invalid type for comparison";
const INCOMPATIBLE: &str = "incompatible types for comparison";

fn basic_kind(v: &Val<'_>) -> Result<Kind, String> {
    match v.kind() {
        Kind::Invalid => Err(BAD_TYPE.into()),
        k => Ok(k),
    }
}

fn equal(a: &Val<'_>, b: &Val<'_>) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a)?, basic_kind(b)?);
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(a.as_i64() >= 0 && a.as_i64() as u64 == b.as_u64()),
            (Kind::Uint, Kind::Int) => Ok(b.as_i64() >= 0 && a.as_u64() == b.as_i64() as u64),
            _ => Err(INCOMPATIBLE.into()),
        };
    }
    Ok(match k1 {
        Kind::Bool => a.as_bool() == b.as_bool(),
        Kind::Float => a.as_f64() == b.as_f64(),
        Kind::Int => a.as_i64() == b.as_i64(),
        Kind::Uint => a.as_u64() == b.as_u64(),
        Kind::String => a.as_str() == b.as_str(),
        Kind::Invalid => false,
    })
}

fn less(a: &Val<'_>, b: &Val<'_>) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a)?, basic_kind(b)?);
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(a.as_i64() < 0 || (a.as_i64() as u64) < b.as_u64()),
            (Kind::Uint, Kind::Int) => Ok(b.as_i64() >= 0 && a.as_u64() < b.as_i64() as u64),
            _ => Err(INCOMPATIBLE.into()),
        };
    }
    match k1 {
        Kind::Bool | Kind::Invalid => Err(BAD_TYPE.into()),
        Kind::Float => Ok(a.as_f64() < b.as_f64()),
        Kind::Int => Ok(a.as_i64() < b.as_i64()),
        Kind::Uint => Ok(a.as_u64() < b.as_u64()),
        Kind::String => Ok(a.as_str() < b.as_str()),
    }
}

fn less_equal(a: &Val<'_>, b: &Val<'_>) -> Result<bool, String> {
    if less(a, b)? {
        return Ok(true);
    }
    equal(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &str, data: &Value) -> Result<String, String> {
        let p = JsonPath::parse(template).map_err(|e| e.to_string())?;
        p.execute_raw(data, Options::default())
    }

    fn strict(template: &str, data: &Value) -> Result<String, String> {
        let p = JsonPath::parse(template).map_err(|e| e.to_string())?;
        p.execute_raw(data, Options { allow_missing_keys: false, output_json: false })
    }

    fn parse_err(template: &str) -> String {
        match parse_template(template) {
            Ok(nodes) => panic!("{template:?} parsed: {nodes:?}"),
            Err(e) => e,
        }
    }

    fn nodes_data() -> Value {
        // client-go's TestKubernetes fixture.
        json!({
          "kind": "List",
          "items": [
            {"kind": "None", "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
             "status": {"capacity": {"cpu": "4"}, "ready": true, "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]}},
            {"kind": "None", "metadata": {"name": "127.0.0.2", "labels": {"kubernetes.io/hostname": "127.0.0.2"}},
             "status": {"capacity": {"cpu": "8"}, "ready": false, "addresses": [
               {"type": "LegacyHostIP", "address": "127.0.0.2"}, {"type": "another", "address": "127.0.0.3"}]}}
          ],
          "users": [{"name": "myself", "user": {}}, {"name": "e2e", "user": {"username": "admin", "password": "secret"}}]
        })
    }

    #[test]
    fn client_go_kubernetes_cases() {
        let d = nodes_data();
        let cases = [
            (r#"{range .items[*]}{.metadata.name}, {end}{.kind}"#, "127.0.0.1, 127.0.0.2, List"),
            (r#"{range .items[*]}{.metadata.name}{"\t"}{end}"#, "127.0.0.1\t127.0.0.2\t"),
            ("{.items[*].status.addresses[*].address}", "127.0.0.1 127.0.0.2 127.0.0.3"),
            (
                "{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}",
                "127.0.0.1, 127.0.0.2, 127.0.0.3, ",
            ),
            ("{.items[*].metadata.name}", "127.0.0.1 127.0.0.2"),
            (
                "{.items[*]['metadata.name', 'status.capacity']}",
                r#"127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}"#,
            ),
            (
                "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
                r#"[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] "#,
            ),
            (r#"{.users[?(@.name=="e2e")].user.password}"#, "secret"),
            (r"{.items[0].metadata.labels.kubernetes\.io/hostname}", "127.0.0.1"),
            (r#"{.items[?(@.metadata.labels.kubernetes\.io/hostname=="127.0.0.1")].kind}"#, "None"),
            ("{.items[?(@..ready==true)].metadata.name}", "127.0.0.1"),
            ("{..name}", "127.0.0.1 127.0.0.2 myself e2e"),
        ];
        for (t, want) in cases {
            assert_eq!(run(t, &d).as_deref(), Ok(want), "{t}");
        }
    }

    #[test]
    fn client_go_slices_and_types() {
        let d = json!({
            "bools": [true, false, true, false],
            "integers": [1, 2, 3, 4],
            "floats": [1.0, 2.2, 3.3, 4.0],
            "strings": ["one", "two", "three", "four"],
            "interfaces": [true, "one", 1, 1.1],
            "maps": [{"name": "one", "value": 1}, {"name": "two", "value": 2.02}, {"name": "three", "value": 3.03}, {"name": "four", "value": 4.04}],
        });
        let cases = [
            ("{ .bools }", "[true,false,true,false]"),
            ("{ .bools[-1] }", "false"),
            ("{ .bools[:4:2] }", "true true"),
            ("{ .integers[-2] }", "3"),
            ("{ .integers[0:2] }", "1 2"),
            ("{ .floats }", "[1,2.2,3.3,4]"),
            ("{ .floats[0] }", "1"),
            ("{ .strings[0:2] }", "one two"),
            (r#"{ .interfaces }"#, r#"[true,"one",1,1.1]"#),
            ("{ .interfaces[:4:2] }", "true 1"),
            ("{ .maps[-2] }", r#"{"name":"three","value":3.03}"#),
            ("{ .maps[1::2] }", r#"{"name":"two","value":2.02} {"name":"four","value":4.04}"#),
            ("{.integers[-1:]}", "4"),
            ("{.integers[]}", "1"),
            ("{.integers[1:1]}", ""),
        ];
        for (t, want) in cases {
            assert_eq!(run(t, &d).as_deref(), Ok(want), "{t}");
        }
    }

    #[test]
    fn store_cases() {
        let store = json!({
            "Name": "jsonpath",
            "Book": [
                {"Category": "reference", "Author": "Nigel Rees", "Title": "Sayings of the Centurey", "Price": 8.95},
                {"Category": "fiction", "Author": "Evelyn Waugh", "Title": "Sword of Honour", "Price": 12.99},
                {"Category": "fiction", "Author": "Herman Melville", "Title": "Moby Dick", "Price": 8.99},
            ],
            "Bicycle": [{"Color": "red", "Price": 19.95, "IsNew": true}, {"Color": "green", "Price": 20.01, "IsNew": false}],
            "Labels": {"engieer": 10, "web/html": 15, "k8s-app": 20},
        });
        let cases = [
            ("hello jsonpath", "hello jsonpath"),
            ("hello {.Name}", "hello jsonpath"),
            ("{$.Labels.web/html}", "15"),
            ("{.Labels.k8s-app}", "20"),
            ("{.Bicycle[*].Color}", "red green"),
            ("{.Book[*].Author}", "Nigel Rees Evelyn Waugh Herman Melville"),
            (
                r#"{range .Bicycle[*]}{ "{" }{ @.* }{ "} " }{end}"#,
                "{red true 19.95} {green false 20.01} ",
            ),
            // Go walks struct fields in declaration order; map keys here are sorted.
            ("{..Price}", "19.95 20.01 8.95 12.99 8.99"),
            ("{...Price}", "19.95 20.01 8.95 12.99 8.99"),
            ("{.Book[?(@.Price<10.0)].Title}", "Sayings of the Centurey Moby Dick"),
            ("{.Bicycle[?(@.IsNew==true)].Color}", "red"),
            (r#"{"{"}"#, "{"),
            ("{.Book[-1:].Author}", "Herman Melville"),
            ("{..Book[2].Title}", "Moby Dick"),
            ("{@.Name}", "jsonpath"),
        ];
        for (t, want) in cases {
            assert_eq!(run(t, &store).as_deref(), Ok(want), "{t}");
        }
        assert_eq!(run("{..}", &json!([1, 2, 3])).as_deref(), Ok("[1,2,3]"));
        assert_eq!(run("{[?(@<5)]}", &json!([2, 6, 3, 7])).as_deref(), Ok("2 3"));
        assert_eq!(run("{[1,3,4]}", &json!([0, 1, 2, 3, 4])).as_deref(), Ok("1 3 4"));
    }

    #[test]
    fn evaluation_errors() {
        let store = json!({"Labels": {"a": 1}, "Book": [{"Price": 1}], "n": 5});
        let cases = [
            ("{hello}", "unrecognized identifier hello"),
            ("{.Labels[0]}", "map[string]interface {} is not array or slice"),
            ("{.Book[?(@.Price<>10)]}", "unrecognized filter operator <>"),
            ("{range .Labels.*}{@}{end}{end}", "not in range, nothing to end"),
            ("{.Book[5]}", "array index out of bounds: index 5, length 1"),
            ("{.Book[-5]}", "array index out of bounds: index -4, length 1"),
            ("{.Book[0:3]}", "array index out of bounds: index 2, length 1"),
            ("{.Book[0:1:0]}", "step must be > 0"),
            ("{.Book[?(@.Price>1.5)]}", "incompatible types for comparison"),
            ("{.Book[?(@.Price<true)]}", "incompatible types for comparison"),
            ("{.n[?(@.a)]}", "5 is not array or slice and cannot be filtered"),
            ("{.Labels[?(@.a)]}", "map[a:1] is not array or slice and cannot be filtered"),
        ];
        for (t, want) in cases {
            assert_eq!(strict(t, &store).unwrap_err(), want, "{t}");
        }
        assert_eq!(strict("{.hello}", &store).unwrap_err(), "hello is not found");
        // kubectl's default allows missing keys.
        assert_eq!(run("{.hello}", &store).as_deref(), Ok(""));
        assert_eq!(run("before-{.hello}after", &store).as_deref(), Ok("before-after"));
    }

    #[test]
    fn parse_errors_match_client_go() {
        assert_eq!(parse_err("{.hello"), "unclosed action");
        assert_eq!(parse_err("{*}"), "unrecognized character in action: U+002A '*'");
        assert_eq!(parse_err("{+12.3.0}"), "cannot parse number +12.3.0");
        assert_eq!(parse_err("{[1}"), "unterminated array");
        assert_eq!(parse_err("{[?(.price]}"), "unterminated filter");
        assert_eq!(parse_err("{........}"), "invalid multiple recursive descent");
        assert_eq!(parse_err("{[a]}"), "invalid array index a");
        assert_eq!(parse_err("{[:-]}"), "array index - is not a number");
        assert_eq!(parse_err(r#"{"abc}"#), "unterminated quoted string");
        assert_eq!(parse_err(r#"{"\q"}"#), r#"unquote string "\q" error invalid syntax"#);
        assert_eq!(parse_err("{[?(@.a)x}"), "unclosed array expect ]");
        assert_eq!(parse_err(r"{\\\}"), "unrecognized character in action: U+005C '\\'");
    }

    #[test]
    fn kubectl_error_texts() {
        let e = JsonPath::parse("{.a[}").map(|_| ()).unwrap_err();
        assert_eq!(
            format!("error: {e}"),
            "error: error parsing jsonpath {.a[}, unterminated array"
        );
        let pod = json!({"kind": "Pod", "metadata": {"name": "x"}});
        let e = JsonPath::parse("{.foo}")
            .and_then(|p| {
                p.execute(&pod, Options { allow_missing_keys: false, output_json: false })
            })
            .unwrap_err();
        assert_eq!(
            format!("error: {e}"),
            "error: error executing jsonpath \"{.foo}\": Error executing template: foo is not found. \
             Printing more information for debugging the template:\n\
             \ttemplate was:\n\t\t{.foo}\n\
             \tobject given to jsonpath engine was:\n\
             \t\tmap[string]interface {}{\"kind\":\"Pod\", \"metadata\":map[string]interface {}{\"name\":\"x\"}}\n\n\n"
        );
    }

    #[test]
    fn ranges() {
        let d = json!({"items": [
            {"metadata": {"name": "pod1"}, "spec": {"containers": [{"name": "foo"}, {"name": "bar"}]}},
            {"metadata": {"name": "pod2"}, "spec": {"containers": [{"name": "baz"}]}},
        ]});
        let t = r#"{range .items[*]}{.metadata.name}{"\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\n"}{end}"#;
        assert_eq!(run(t, &d).as_deref(), Ok("pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n"));
        let empty = json!({"items": []});
        assert_eq!(run(r#"{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}"#, &empty).as_deref(), Ok(""));
        // A range without end runs its body per item, then once more on the whole object.
        assert_eq!(run("{range .items[*]}{.metadata.name}", &d).as_deref(), Ok("pod1pod2"));
        // Null items: the body sees no value.
        assert_eq!(
            run("{range .a[*]}[{@}]{end}", &json!({"a": [null, 1]})).as_deref(),
            Ok("[<no value>][1]")
        );
    }

    #[test]
    fn filters_and_values() {
        let pod = json!({"status": {"conditions": [
            {"type": "Initialized", "status": "True"},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
        ]}, "n": null, "f": 1e6, "big": 12345678901i64});
        assert_eq!(
            run(r#"{.status.conditions[?(@.type=="Ready")].status}"#, &pod).as_deref(),
            Ok("False")
        );
        assert_eq!(
            run(r#"{.status.conditions[?(@.type!='Ready')].type}"#, &pod).as_deref(),
            Ok("Initialized")
        );
        assert_eq!(run("{.status.conditions[?(@.reason)].type}", &pod).as_deref(), Ok("Ready"));
        assert_eq!(run("{.n}", &pod).as_deref(), Ok("null"));
        assert_eq!(run("{.f}", &pod).as_deref(), Ok("1e+06"));
        assert_eq!(run("{.big}", &pod).as_deref(), Ok("12345678901"));
        assert_eq!(
            run("{.status.conditions[0]}", &pod).as_deref(),
            Ok(r#"{"status":"True","type":"Initialized"}"#)
        );
        assert_eq!(run("{.status.conditions[0].*}", &pod).as_deref(), Ok("True Initialized"));
        assert_eq!(
            run("{.status.conditions[0].type.*}", &pod).as_deref(),
            Ok("73 110 105 116 105 97 108 105 122 101 100")
        );
        assert_eq!(run(r#"{"a\tb\u00e9\x41\101"}"#, &pod).as_deref(), Ok("a\tbéAA"));
        assert_eq!(run("{'single'}", &pod).as_deref(), Ok("single"));
        assert_eq!(
            run("{.html}", &json!({"html": {"a": "<b>&"}})).as_deref(),
            Ok(r#"{"a":"\u003cb\u003e\u0026"}"#)
        );
        assert_eq!(
            run("{[?(@.x>=2)].x}", &json!([{"x": 1}, {"x": 2}, {"x": 3}])).as_deref(),
            Ok("2 3")
        );
        assert_eq!(
            run("{[?(@.x<=2)].x}", &json!([{"x": 1}, {"x": 2}, {"x": 3}])).as_deref(),
            Ok("1 2")
        );
        assert_eq!(run("{[?(@.x>1.5)].x}", &json!([{"x": 1.0}, {"x": 2.5}])).as_deref(), Ok("2.5"));
    }

    #[test]
    fn json_output_mode() {
        let d = json!({"items": [{"n": "a"}, {"n": "b"}]});
        let p = JsonPath::parse("{.items[*].n}").unwrap();
        assert_eq!(
            p.execute_raw(&d, Options { allow_missing_keys: true, output_json: true }).as_deref(),
            Ok("[\n    \"a\",\n    \"b\"\n]\n")
        );
    }

    #[test]
    fn odd_inputs_never_panic() {
        let d = json!({"a": [1, {"b": "c"}], "s": "xyz", "m": {"k": null}});
        let mut inputs: Vec<String> = [
            "",
            "{",
            "}",
            "{}",
            "{{}}",
            "{.}",
            "{..}",
            "{...}",
            "{[}",
            "{[]}",
            "{[-]}",
            "{[::]}",
            "{[1:2:3:4]}",
            "{[?(}",
            "{[?()]}",
            "{[?(@)]}",
            "{[?(@.a==)]}",
            "{[?(==1)]}",
            "{'}",
            "{\"\\\"}",
            "{\"\\x\"}",
            "{\"\\u12\"}",
            "{\"\\U0011ffff\"}",
            "{\"\\777\"}",
            "{range}",
            "{end}",
            "{range .a[*]}",
            "{range .a[*]}{end}{end}",
            "{.a[9223372036854775807]}",
            "{.a[-9223372036854775808]}",
            "{.a[99999999999999999999]}",
            "{.a[0:9223372036854775807]}",
            "{[?(@.a[?(@.b==1)])]}",
            "{.a[?(@==1)]}",
            "{.s[0]}",
            "{.s.*}",
            "{.m[?(@)]}",
            "{.a[1,]}",
            "{.a[,]}",
            "{['']}",
            "{[''']}",
            "{.a['b',]}",
            "{1e5}",
            "{+}",
            "{-.5}",
            "{é}",
            "{\u{0}}",
            "{\t}",
            "{.a\\}",
            "{\\",
            "{[?(@.a=='x\\')]}",
            "{..a..b}",
            "{.a[*][*][*]}",
            "{@@$$}",
            "{true}",
            "{.a[?(@==true)]}",
            "\u{2028}{.s}",
            "{[?(\"x\")]}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Deep nesting and long inputs hit the limits instead of the stack.
        inputs.push("{".to_string() + &"[?(@".repeat(200) + &")]".repeat(200) + "}");
        inputs.push("{".to_string() + &"[1,[".repeat(100) + "}");
        inputs.push("x".repeat(MAX_TEMPLATE_BYTES + 1));
        inputs.push("{range .a[*]}".repeat(50) + &"{@}".repeat(3));
        for t in &inputs {
            let _ = run(t, &d);
            let _ = strict(t, &d);
            let _ = run(t, &Value::Null);
            let _ = run(t, &json!("s"));
        }
        assert!(run(&"x".repeat(MAX_TEMPLATE_BYTES + 1), &d).is_err());
    }

    #[test]
    fn range_explosion_is_bounded() {
        // Each union of 200 indexes multiplies the values by 200.
        let d = json!([[[[1]]]]);
        let union = format!("[{}0]", "0,".repeat(199));
        let t = format!("{{{}}}", union.repeat(4));
        let out = JsonPath::parse(&t).unwrap().execute_raw(&d, Options::default());
        assert_eq!(out, Err(format!("more than {MAX_RESULT_VALUES} results")));
    }
}
