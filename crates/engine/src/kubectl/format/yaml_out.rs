//! `kubectl get -o yaml` and `-o json`, byte for byte.
//!
//! kubectl's YAML printer (cli-runtime `printers/yaml.go`) calls `sigs.k8s.io/yaml.Marshal`
//! (v1.6.0 in kubectl 1.34), which marshals to JSON, decodes that JSON with
//! `go.yaml.in/yaml/v2` into plain maps and re-encodes it with the same library (v2.4.2, whose
//! encoder is go-yaml v2.4.0's). This module ports the parts of that v2 encoder and its libyaml
//! emitter (`encode.go`, `resolve.go`, `sorter.go`, `emitterc.go`) that such a document reaches:
//!
//! - keys sorted with go-yaml's "natural" order (`a2` before `a10`, non-letters before letters);
//! - sequences inside a mapping are not indented (`containers:\n- image: nginx`);
//! - strings that would read back as another type (`"8080"`, `"true"`, `"null"`, `""`,
//!   timestamps, `"1:20"`) are double-quoted; strings plain style cannot carry (`': '`, `' #'`,
//!   leading `*`, `'- x'`, leading or trailing spaces) are single-quoted; strings with characters
//!   that need escapes (tabs, control characters, emoji) are double-quoted with escapes;
//! - strings containing `\n` are literal blocks (`|`, `|-`, `|+`, with `|2-` when the first line
//!   starts with a space);
//! - long plain and quoted strings are folded at spaces past column 80: kubectl never calls
//!   `yaml.FutureLineWrap()`, so v2's default `best_width` of 80 applies;
//! - keys longer than 128 bytes or spanning lines become explicit `? key` entries.
//!
//! `-o json` is `json.MarshalIndent(obj, "", "    ")` plus a newline, with Go's HTML escaping.

use serde_json::{Map, Number, Value};

use super::gofmt;

/// Deepest nesting of mappings and sequences rendered; deeper subtrees print as
/// [`TOO_DEEP_PLACEHOLDER`]. Parsed documents cannot get there (serde_json stops at 128 levels);
/// the limit keeps a hand-built value from exhausting the stack in wasm.
pub const MAX_DEPTH_LEVELS: usize = 200;
/// What a subtree beyond [`MAX_DEPTH_LEVELS`] prints as.
pub const TOO_DEEP_PLACEHOLDER: &str = "<nesting-too-deep>";

/// go-yaml v2's default preferred line width (`best_width`), in characters.
const BEST_WIDTH_CHARS: usize = 80;
/// go-yaml v2's indentation step (`best_indent`), in spaces.
const BEST_INDENT_SPACES: i64 = 2;
/// The longest key (in bytes) libyaml writes as a simple `key: value` entry.
const MAX_SIMPLE_KEY_BYTES: usize = 128;

/// Renders `value` exactly as `kubectl get -o yaml` prints it (a single document, no `---`).
///
/// ```
/// use kubeplay_engine::kubectl::format::to_yaml;
/// let pod = serde_json::json!({
///     "apiVersion": "v1",
///     "kind": "Pod",
///     "metadata": {"name": "nginx", "annotations": {"revision": "1"}},
///     "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}]}]},
/// });
/// assert_eq!(to_yaml(&pod), "\
/// apiVersion: v1
/// kind: Pod
/// metadata:
///   annotations:
///     revision: \"1\"
///   name: nginx
/// spec:
///   containers:
///   - image: nginx
///     name: nginx
///     ports:
///     - containerPort: 80
/// ");
/// ```
pub fn to_yaml(value: &Value) -> String {
    let mut e = Emitter::new();
    e.emit_node(value, Context { mapping: false, simple_key: false }, 0);
    // Document end: back to column 0 on a fresh line.
    e.indent = -1;
    e.write_indent();
    e.out
}

/// Renders `value` exactly as `kubectl get -o json` prints it: four-space indentation, sorted
/// keys, Go's HTML escaping of `<`, `>` and `&`, and a final newline.
///
/// ```
/// use kubeplay_engine::kubectl::format::to_json;
/// let v = serde_json::json!({"kind": "Pod", "metadata": {"name": "a<b"}, "spec": {}});
/// assert_eq!(
///     to_json(&v),
///     "{\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"name\": \"a\\u003cb\"\n    },\n    \"spec\": {}\n}\n"
/// );
/// ```
pub fn to_json(value: &Value) -> String {
    let mut out = gofmt::go_json_indent(&clamp_depth(value, 0), "    ");
    out.push('\n');
    out
}

/// A copy of `value` with subtrees beyond [`MAX_DEPTH_LEVELS`] replaced by the placeholder, so
/// the recursive JSON writer stays within bounds. Cheap for shallow documents: they are cloned
/// once.
fn clamp_depth(value: &Value, depth: usize) -> Value {
    match value {
        Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH_LEVELS => {
            Value::String(TOO_DEEP_PLACEHOLDER.into())
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| clamp_depth(v, depth + 1)).collect())
        }
        Value::Object(map) => {
            let mut clamped = Map::new();
            clamped.extend(map.iter().map(|(k, v)| (k.clone(), clamp_depth(v, depth + 1))));
            Value::Object(clamped)
        }
        other => other.clone(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

#[derive(Clone, Copy)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

/// What libyaml's `yaml_emitter_analyze_scalar` finds out about a scalar.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// The subset of libyaml's emitter state that block-style output needs.
struct Emitter {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
        }
    }

    fn emit_node(&mut self, value: &Value, ctx: Context, depth: usize) {
        match value {
            Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH_LEVELS => {
                self.emit_scalar(TOO_DEEP_PLACEHOLDER, Style::Plain, ctx);
            }
            Value::Null => self.emit_scalar("null", Style::Plain, ctx),
            Value::Bool(b) => {
                self.emit_scalar(if *b { "true" } else { "false" }, Style::Plain, ctx)
            }
            Value::Number(n) => self.emit_scalar(&yaml_number(n), Style::Plain, ctx),
            Value::String(s) => self.emit_scalar(s, string_style(s), ctx),
            Value::Array(items) if items.is_empty() => self.emit_empty_flow("[", "]"),
            Value::Object(map) if map.is_empty() => self.emit_empty_flow("{", "}"),
            Value::Array(items) => {
                // A sequence that is a mapping value on the key's line keeps the key's indent.
                let indentless = ctx.mapping && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.emit_node(item, Context { mapping: false, simple_key: false }, depth + 1);
                }
                self.pop_indent();
            }
            Value::Object(map) => {
                self.increase_indent(false, false);
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                crate::sorting::sort_by(&mut entries, |a, b| natural_cmp(a.0, b.0));
                for (key, item) in entries {
                    self.write_indent();
                    let key_style = string_style(key);
                    let simple = !analyze(key).multiline && key.len() <= MAX_SIMPLE_KEY_BYTES;
                    let value_ctx = Context { mapping: true, simple_key: false };
                    if simple {
                        self.emit_scalar(
                            key,
                            key_style,
                            Context { mapping: true, simple_key: true },
                        );
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.emit_scalar(key, key_style, value_ctx);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.emit_node(item, value_ctx, depth + 1);
                }
                self.pop_indent();
            }
        }
    }

    fn emit_empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn emit_scalar(&mut self, text: &str, requested: Style, ctx: Context) {
        let a = analyze(text);
        let mut style = requested;
        if ctx.simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (text.is_empty() && ctx.simple_key))
        {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || ctx.simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        let chars: Vec<char> = text.chars().collect();
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(&chars, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(&chars, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(&chars, allow_breaks),
            Style::Literal => self.write_literal(&chars),
        }
        self.pop_indent();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT_SPACES } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT_SPACES;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, v: &[char], allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in v.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH_CHARS
                    && v.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, v: &[char], allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in v.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH_CHARS
                    && i > 0
                    && i + 1 < v.len()
                    && v.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, v: &[char], allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml's is_bom looks at the start of the value, not at the current character, so a
        // value that starts with U+FEFF has every character escaped.
        let bom = v.first() == Some(&'\u{feff}');
        let mut spaces = false;
        for (i, &c) in v.iter().enumerate() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let code = c as u32;
                        let (letter, width) = if code <= 0xff {
                            ('x', 2)
                        } else if code <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for ch in format!("{code:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH_CHARS
                    && i > 0
                    && i + 1 < v.len()
                {
                    self.write_indent();
                    if v.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, v: &[char]) {
        self.write_indicator("|", true, false, false);
        if v.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator("2", false, false, false);
        }
        let chomp = match v {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(hint) = chomp {
            self.write_indicator(hint, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in v {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// libyaml's `is_printable` (byte-pattern based): no C0/C1 controls except `\n`, no DEL, no
/// surrogates, no BOM or U+FFFE/U+FFFF, and nothing beyond the Basic Multilingual Plane.
fn is_printable(c: char) -> bool {
    let c = c as u32;
    c == 0x0a
        || (0x20..=0x7e).contains(&c)
        || (0xa0..=0xd7ff).contains(&c)
        || ((0xe000..=0xfffd).contains(&c) && c != 0xfeff)
}

fn analyze(value: &str) -> Analysis {
    let v: Vec<char> = value.chars().collect();
    if v.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut preceded_by_whitespace = true;
    let mut previous_space = false;
    let mut previous_break = false;
    let n = v.len();
    for (i, &c) in v.iter().enumerate() {
        let followed_by_whitespace = i + 1 >= n || is_blank(v[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special_characters = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= i + 1 == n;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= i + 1 == n;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank(c) || is_break(c) || c == '\0';
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The style go-yaml's encoder asks for (`stringv`): literal for text with a newline, plain when
/// the text would read back as a string, double-quoted otherwise.
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if !resolves_to_non_string(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// How a JSON number comes out after sigs.k8s.io/yaml's JSON → YAML round trip: Go writes the
/// float64 as JSON, go-yaml reads that text back as an int when it can, else as a float, and
/// writes floats with `strconv.FormatFloat(f, 'g', -1, 64)`.
fn yaml_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return gofmt::go_json_number(n);
    }
    let f = n.as_f64().unwrap_or(0.0);
    let text = gofmt::go_json_float(f);
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(i) = text.parse::<i64>() {
            return i.to_string();
        }
        if let Ok(u) = text.parse::<u64>() {
            return u.to_string();
        }
    }
    gofmt::go_float_g(f)
}

/// go-yaml v2's `resolve("", s)` returning a tag other than `!!str`.
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null",
        "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    let Some(first) = s.bytes().next() else {
        return true; // "" is null
    };
    let hint = match first {
        b'+' | b'-' => 'S',
        b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        _ => return false,
    };
    if SPECIAL.contains(&s) {
        return true;
    }
    match hint {
        '.' => is_dot_float(s),
        'D' | 'S' => {
            if is_yaml_timestamp(s) {
                return true;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            go_parse_int_base0(&plain) || is_yaml_style_float(&plain)
        }
        _ => false,
    }
}

/// `strconv.ParseFloat` succeeding on text that starts with `.` (`.5`, `.5e3`, `.5_5`).
fn is_dot_float(s: &str) -> bool {
    let b = s.as_bytes();
    // Underscores are allowed only between digits.
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !before || !after {
                return false;
            }
        }
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    is_yaml_style_float(&clean)
}

/// go-yaml's `yamlStyleFloat` regexp `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`,
/// and `strconv.ParseFloat` not overflowing.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len() && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `strconv.ParseInt(s, 0, 64)` or `strconv.ParseUint(s, 0, 64)` succeeding.
fn go_parse_int_base0(s: &str) -> bool {
    let (signed, body) = match s.as_bytes().first() {
        Some(b'+') | Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() {
        return false;
    }
    let Ok(magnitude) = u64::from_str_radix(digits, radix) else {
        return false;
    };
    if !signed {
        return true; // fits int64 or uint64
    }
    let negative = s.starts_with('-');
    if negative { magnitude <= 1 << 63 } else { magnitude <= i64::MAX as u64 }
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let group = &b[start..i];
        let ok = match group {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml v2's timestamp check: `YYYY-` then one of the layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (or lower-case `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`,
/// as Go's `time.Parse` accepts them.
fn is_yaml_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.num_1_2() else { return false };
    if !(1..=12).contains(&month) || !p.lit(b'-') {
        return false;
    }
    let Some(day) = p.num_1_2() else { return false };
    if day < 1 || day > days_in(month, year) {
        return false;
    }
    if p.done() {
        return true;
    }
    let with_zone = match b[p.i] {
        b'T' | b't' => {
            p.i += 1;
            true
        }
        b' ' => {
            while p.lit(b' ') {}
            false
        }
        _ => return false,
    };
    let (Some(h), true, Some(m), true, Some(sec)) =
        (p.num_1_2(), p.lit(b':'), p.num_1_2(), p.lit(b':'), p.num_1_2())
    else {
        return false;
    };
    if h >= 24 || m >= 60 || sec >= 60 {
        return false;
    }
    // Optional fraction: a period or comma and at least one digit.
    if matches!(b.get(p.i), Some(b'.' | b',')) && b.get(p.i + 1).is_some_and(u8::is_ascii_digit) {
        p.i += 1;
        while b.get(p.i).is_some_and(u8::is_ascii_digit) {
            p.i += 1;
        }
    }
    if !with_zone {
        return p.done();
    }
    if p.lit(b'Z') {
        return p.done();
    }
    // ±hh:mm
    let rest = &b[p.i..];
    rest.len() == 6
        && matches!(rest[0], b'+' | b'-')
        && rest[1].is_ascii_digit()
        && rest[2].is_ascii_digit()
        && rest[3] == b':'
        && rest[4].is_ascii_digit()
        && rest[5].is_ascii_digit()
        && (rest[1] - b'0') * 10 + (rest[2] - b'0') <= 24
        && (rest[4] - b'0') * 10 + (rest[5] - b'0') <= 60
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    fn lit(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Go's `getnum(s, false)`: one digit, or two when the second is a digit too.
    fn num_1_2(&mut self) -> Option<u32> {
        let d0 = *self.b.get(self.i).filter(|c| c.is_ascii_digit())?;
        self.i += 1;
        let mut n = u32::from(d0 - b'0');
        if let Some(&d1) = self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
            self.i += 1;
            n = n * 10 + u32::from(d1 - b'0');
        }
        Some(n)
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// go-yaml v2's `keyList.Less` for two string keys: runs of digits compare as numbers, a
/// non-letter sorts before a letter, letters compare by code point.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let less = |a: &str, b: &str| -> bool {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        for i in 0..ar.len().min(br.len()) {
            if ar[i] == br[i] {
                continue;
            }
            // unicode.IsLetter is the L categories; Rust's is_alphabetic is close (it also
            // admits a few marks and letter numbers).
            let al = ar[i].is_alphabetic();
            let bl = br[i].is_alphabetic();
            if al && bl {
                return ar[i] < br[i];
            }
            if al || bl {
                return bl;
            }
            let mut an: i64 = 0;
            let mut bn: i64 = 0;
            if ar[i] == '0' || br[i] == '0' {
                let mut j = i;
                while j > 0 && ar[j - 1].is_ascii_digit() {
                    j -= 1;
                    if ar[j] != '0' {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            let mut ai = i;
            while ai < ar.len() && ar[ai].is_ascii_digit() {
                an = an.wrapping_mul(10).wrapping_add(i64::from(ar[ai] as u8 - b'0'));
                ai += 1;
            }
            let mut bi = i;
            while bi < br.len() && br[bi].is_ascii_digit() {
                bn = bn.wrapping_mul(10).wrapping_add(i64::from(br[bi] as u8 - b'0'));
                bi += 1;
            }
            if an != bn {
                return an < bn;
            }
            if ai != bi {
                return ai < bi;
            }
            return ar[i] < br[i];
        }
        ar.len() < br.len()
    };
    if less(a, b) {
        Ordering::Less
    } else if less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn y(v: Value) -> String {
        to_yaml(&v)
    }

    /// The YAML for `{"k": s}`.
    fn kv(s: &str) -> String {
        y(json!({ "k": s }))
    }

    #[test]
    fn deployment_like_kubectl() {
        let v = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "annotations": {"deployment.kubernetes.io/revision": "1"},
                "creationTimestamp": "2024-05-01T10:00:00Z",
                "generation": 1,
                "labels": {"app": "kubia"},
                "name": "kubia",
                "namespace": "default",
                "resourceVersion": "1234",
                "uid": "0b7e6c1e-2f3a-4d5b-9c8d-7e6f5a4b3c2d"
            },
            "spec": {
                "progressDeadlineSeconds": 600,
                "replicas": 3,
                "selector": {"matchLabels": {"app": "kubia"}},
                "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                "template": {
                    "metadata": {"creationTimestamp": null, "labels": {"app": "kubia"}},
                    "spec": {
                        "containers": [{
                            "args": ["--port", "8080"],
                            "image": "luksa/kubia:v1",
                            "name": "nodejs",
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "resources": {}
                        }],
                        "dnsPolicy": "ClusterFirst",
                        "terminationGracePeriodSeconds": 30
                    }
                }
            },
            "status": {"conditions": [], "observedGeneration": 1}
        });
        assert_eq!(
            y(v),
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: "1"
  creationTimestamp: "2024-05-01T10:00:00Z"
  generation: 1
  labels:
    app: kubia
  name: kubia
  namespace: default
  resourceVersion: "1234"
  uid: 0b7e6c1e-2f3a-4d5b-9c8d-7e6f5a4b3c2d
spec:
  progressDeadlineSeconds: 600
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 25%
    type: RollingUpdate
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: kubia
    spec:
      containers:
      - args:
        - --port
        - "8080"
        image: luksa/kubia:v1
        name: nodejs
        ports:
        - containerPort: 8080
          protocol: TCP
        resources: {}
      dnsPolicy: ClusterFirst
      terminationGracePeriodSeconds: 30
status:
  conditions: []
  observedGeneration: 1
"#
        );
    }

    #[test]
    fn strings_that_resolve_to_other_types_are_double_quoted() {
        for s in [
            "8080",
            "true",
            "True",
            "yes",
            "y",
            "N",
            "off",
            "null",
            "~",
            "",
            "1.5",
            "1e3",
            ".5",
            "0x1F",
            "0o17",
            "017",
            "08",
            "1_000",
            "-1",
            "+1",
            ".inf",
            "-.Inf",
            ".NaN",
            "1:20",
            "190:20:30",
            "2024-05-01",
            "2024-5-1T1:2:3Z",
            "2024-05-01T10:00:00.123456+02:00",
            "2024-05-01 10:00:00",
        ] {
            assert_eq!(kv(s), format!("k: \"{s}\"\n"), "{s:?}");
        }
    }

    #[test]
    fn plain_strings_stay_plain() {
        for s in [
            "nginx",
            "25%",
            "a:b",
            "a#b",
            "http://x/y?z",
            "-x",
            "1.2.3",
            "2024-13-01",
            "2023-02-29",
            "<<",
            "Infinity",
            "nan",
            "0x",
            "1e",
            "10.0.0.1",
            "a'b",
            "a\"b",
            "é",
            "1:60",
            "v1.2",
            "98a",
        ] {
            assert_eq!(kv(s), format!("k: {s}\n"), "{s:?}");
        }
    }

    #[test]
    fn single_quoting() {
        assert_eq!(
            kv("containers with unready status: [nginx]"),
            "k: 'containers with unready status: [nginx]'\n"
        );
        assert_eq!(kv("*"), "k: '*'\n");
        assert_eq!(kv("- x"), "k: '- x'\n");
        assert_eq!(kv("a #b"), "k: 'a #b'\n");
        assert_eq!(kv(" lead"), "k: ' lead'\n");
        assert_eq!(kv("trail "), "k: 'trail '\n");
        assert_eq!(kv("it's: x"), "k: 'it''s: x'\n");
        assert_eq!(kv("{a}"), "k: '{a}'\n");
        assert_eq!(kv("@x"), "k: '@x'\n");
        assert_eq!(kv("---"), "k: '---'\n");
        assert_eq!(kv("key:"), "k: 'key:'\n");
    }

    #[test]
    fn double_quoting_with_escapes() {
        assert_eq!(kv("a\tb"), "k: \"a\\tb\"\n");
        assert_eq!(kv("bell\u{7}"), "k: \"bell\\a\"\n");
        assert_eq!(kv("\u{1b}[0m"), "k: \"\\e[0m\"\n");
        assert_eq!(kv("smile 😀"), "k: \"smile \\U0001F600\"\n");
        assert_eq!(kv("del\u{7f}"), "k: \"del\\x7F\"\n");
        assert_eq!(kv("cr\rlf"), "k: \"cr\\rlf\"\n");
        // A multi-line string that literal style cannot carry (tab) is double-quoted.
        assert_eq!(kv("a\n\tb"), "k: \"a\\n\\tb\"\n");
        // Space before a line break rules out literal style too.
        assert_eq!(kv("a \nb"), "k: \"a \\nb\"\n");
    }

    #[test]
    fn literal_blocks() {
        assert_eq!(kv("line1\nline2\n"), "k: |\n  line1\n  line2\n");
        assert_eq!(kv("line1\nline2"), "k: |-\n  line1\n  line2\n");
        assert_eq!(kv("line1\n\n"), "k: |+\n  line1\n\n");
        assert_eq!(kv("\n"), "k: |2+\n\n");
        assert_eq!(kv("  indented\nx"), "k: |2-\n    indented\n  x\n");
        assert_eq!(kv("a\n\nb\n"), "k: |\n  a\n\n  b\n");
        // Nested: the block is indented under its key.
        assert_eq!(
            y(json!({"data": {"script.sh": "#!/bin/sh\necho hi\n"}, "z": 1})),
            "data:\n  script.sh: |\n    #!/bin/sh\n    echo hi\nz: 1\n"
        );
        // In a sequence.
        assert_eq!(y(json!(["a\nb"])), "- |-\n  a\n  b\n");
    }

    #[test]
    fn long_strings_fold_at_80_columns() {
        let msg = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.";
        assert_eq!(
            y(json!({"status": {"message": msg}})),
            "status:\n  message: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane:\n    }, 2 Insufficient cpu.'\n"
        );
        let plain = "word ".repeat(20) + "end";
        assert_eq!(
            y(json!({ "k": plain })),
            "k: word word word word word word word word word word word word word word word word\n  word word word word end\n"
        );
        // No space to break at: the line just runs long.
        let long = "x".repeat(100);
        assert_eq!(kv(&long), format!("k: {long}\n"));
        // Keys never fold.
        let key = "a ".repeat(50) + "b";
        assert_eq!(y(json!({ key.clone(): 1 })), format!("{key}: 1\n"));
    }

    #[test]
    fn double_quoted_folding_escapes_leading_space() {
        // The tab forces double quotes; the fold lands on a space followed by another space,
        // which libyaml keeps by escaping it at the start of the next line.
        let s = format!("{}  y\t", "x".repeat(78));
        assert_eq!(kv(&s), format!("k: \"{}\n  \\ y\\t\"\n", "x".repeat(78)));
    }

    #[test]
    fn numbers_like_go_yaml() {
        assert_eq!(
            y(
                json!({"a": 1, "b": -5, "c": 1.5, "d": 1e6, "e": 2.0, "f": 1e21, "g": 0.000001, "h": 1e20, "i": u64::MAX})
            ),
            "a: 1\nb: -5\nc: 1.5\nd: 1000000\ne: 2\nf: 1e+21\ng: 1e-06\nh: 1e+20\ni: 18446744073709551615\n"
        );
    }

    #[test]
    fn empty_collections_and_scalars() {
        assert_eq!(y(json!({})), "{}\n");
        assert_eq!(y(json!([])), "[]\n");
        assert_eq!(
            y(json!({"a": {}, "b": [], "c": null, "d": true})),
            "a: {}\nb: []\nc: null\nd: true\n"
        );
        assert_eq!(y(json!("x")), "x\n");
        assert_eq!(y(json!(null)), "null\n");
        assert_eq!(y(json!([[]])), "- []\n");
        assert_eq!(y(json!({"": "v"})), "\"\": v\n");
    }

    #[test]
    fn nested_sequences() {
        assert_eq!(y(json!([[1, 2], {"a": [3]}])), "- - 1\n  - 2\n- a:\n  - 3\n");
        assert_eq!(y(json!({"a": [[1]]})), "a:\n- - 1\n");
    }

    #[test]
    fn keys_sort_naturally() {
        let v = json!({"a10": 1, "a9": 2, "a_b": 3, "aB": 4, "ab": 5, "a": 6, "b": 7, "A": 8, "a.b": 9});
        assert_eq!(y(v), "A: 8\na: 6\na.b: 9\na_b: 3\na9: 2\na10: 1\naB: 4\nab: 5\nb: 7\n");
        assert_eq!(natural_cmp("x01", "x1"), std::cmp::Ordering::Greater);
    }

    #[test]
    fn long_and_multiline_keys_are_explicit() {
        let key = "k".repeat(129);
        assert_eq!(y(json!({ key.clone(): "v" })), format!("? {key}\n: v\n"));
        assert_eq!(y(json!({"a\nb": "v"})), "? |-\n  a\n  b\n: v\n");
        assert_eq!(y(json!({ key.clone(): [1] })), format!("? {key}\n: - 1\n"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut v = json!(1);
        for _ in 0..(MAX_DEPTH_LEVELS + 50) {
            v = json!([v]);
        }
        let out = to_yaml(&v);
        assert!(out.contains(TOO_DEEP_PLACEHOLDER));
        let json_out = to_json(&v);
        assert!(json_out.contains("\\u003cnesting-too-deep\\u003e"));
    }

    #[test]
    fn json_output() {
        let v = json!({"kind": "Pod", "metadata": {"name": "x", "labels": {"a": "<&>"}}, "spec": {"containers": [{"name": "c"}], "volumes": []}, "n": 1.0});
        assert_eq!(
            to_json(&v),
            "{\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"labels\": {\n            \"a\": \"\\u003c\\u0026\\u003e\"\n        },\n        \"name\": \"x\"\n    },\n    \"n\": 1,\n    \"spec\": {\n        \"containers\": [\n            {\n                \"name\": \"c\"\n            }\n        ],\n        \"volumes\": []\n    }\n}\n"
        );
    }
}
