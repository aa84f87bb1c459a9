//! Go's ways of turning values into text, as kubectl's output depends on them.
//!
//! kubectl prints numbers with `strconv.FormatFloat`, JSON with `encoding/json` (HTML-escaped) and
//! values inside jsonpath and custom-columns output with `fmt`'s `%v` / `%#v`. The data is always a
//! decoded JSON document (`map[string]interface{}` in Go, [`Value`] here), so only those shapes are
//! handled. Maps print in sorted key order, as Go's `fmt` and `encoding/json` both sort map keys.

use serde_json::{Map, Number, Value};

/// The shortest decimal digits that round-trip `f`, with `f = 0.d1d2d3… × 10^dp` (Go's `decimal`).
struct Digits {
    neg: bool,
    digits: Vec<u8>,
    dp: i32,
}

fn shortest_digits(f: f64) -> Digits {
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return Digits { neg, digits: Vec::new(), dp: 0 };
    }
    // Rust's `{:e}` prints the shortest round-trip digits, the same digits Go's Ryū-based
    // `FormatFloat(f, _, -1, 64)` picks.
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    Digits { neg, digits, dp: exp + 1 }
}

fn fmt_e(d: &Digits) -> String {
    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    let first = d.digits.first().copied().unwrap_or(b'0');
    out.push(first as char);
    if d.digits.len() > 1 {
        out.push('.');
        out.extend(d.digits[1..].iter().map(|&b| b as char));
    }
    let exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
    out
}

fn fmt_f(d: &Digits) -> String {
    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    let nd = d.digits.len() as i32;
    if d.dp > 0 {
        for i in 0..d.dp {
            out.push(if i < nd { d.digits[i as usize] as char } else { '0' });
        }
    } else {
        out.push('0');
    }
    let prec = (nd - d.dp).max(0);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = d.dp + i - 1;
            out.push(if j >= 0 && j < nd { d.digits[j as usize] as char } else { '0' });
        }
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which is also `fmt`'s `%v` for a float64:
/// `1e+06`, `1.5`, `100000`, `1e-05`.
pub fn go_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let d = shortest_digits(f);
    let exp = d.dp - 1;
    // Shortest formatting decides with precision 6 (strconv's `eprec`).
    if !d.digits.is_empty() && !(-4..6).contains(&exp) { fmt_e(&d) } else { fmt_f(&d) }
}

/// A float64 as Go's `encoding/json` writes it: fixed notation between 1e-6 and 1e21, otherwise
/// exponent notation with a one-digit negative exponent (`1e-7`, `1e+21`).
pub fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    let d = shortest_digits(f);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = fmt_e(&d);
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        s
    } else {
        fmt_f(&d)
    }
}

/// A JSON number as Go's `encoding/json` writes the int64 / float64 it decoded to.
pub fn go_json_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        go_json_float(n.as_f64().unwrap_or(0.0))
    }
}

/// A JSON number as `fmt.Sprint` prints the int64 / float64 in a decoded document.
pub fn go_number_v(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        go_float_g(n.as_f64().unwrap_or(0.0))
    }
}

/// Appends `s` as a JSON string the way Go's `encoding/json` does with HTML escaping on (its
/// default, which kubectl keeps): `<`, `>`, `&`, U+2028 and U+2029 become `\u` escapes.
pub fn push_go_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Go 1.22+ writes these two short forms too.
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 || c == '<' || c == '>' || c == '&' => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Marshal` of a decoded document: compact, sorted keys, HTML-escaped.
pub fn go_json_compact(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v, None, 0);
    out
}

/// `json.MarshalIndent(v, "", indent)`.
pub fn go_json_indent(v: &Value, indent: &str) -> String {
    let mut out = String::new();
    write_json(&mut out, v, Some(indent), 0);
    out
}

fn newline_indent(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(unit) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(unit);
        }
    }
}

// Depth is bounded by the callers (`MAX_JSON_DEPTH`-style limits in the modules that take input).
fn write_json(out: &mut String, v: &Value, indent: Option<&str>, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_json_number(n)),
        Value::String(s) => push_go_json_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, indent, level + 1);
                write_json(out, item, indent, level + 1);
            }
            newline_indent(out, indent, level);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, indent, level + 1);
                push_go_json_string(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, item, indent, level + 1);
            }
            newline_indent(out, indent, level);
            out.push('}');
        }
    }
}

/// `fmt.Sprint(v)` for a value of a decoded document: `map[a:1 b:[x y]]`, `<nil>`, `1e+06`.
pub fn go_sprint(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v);
    out
}

fn write_v(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number_v(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, item);
            }
            out.push(']');
        }
    }
}

/// `fmt.Sprintf("%#v", v)` for a decoded document, as kubectl's jsonpath error dump shows it:
/// `map[string]interface {}{"kind":"Pod", "spec":map[string]interface {}{…}}`.
pub fn go_sharp_v(map: &Map<String, Value>) -> String {
    let mut out = String::new();
    write_sharp_map(&mut out, map);
    out
}

fn write_sharp_map(out: &mut String, map: &Map<String, Value>) {
    out.push_str("map[string]interface {}{");
    for (i, (k, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_go_quote(out, k);
        out.push(':');
        write_sharp(out, item);
    }
    out.push('}');
}

/// `fmt.Sprintf("%#v", v)` for any decoded value (`<nil>` for a bare nil, as Go prints it).
pub fn go_sharp_v_value(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Null => out.push_str("<nil>"),
        v => write_sharp(&mut out, v),
    }
    out
}

fn write_sharp(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number_v(n)),
        Value::String(s) => push_go_quote(out, s),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_sharp(out, item);
            }
            out.push('}');
        }
        Value::Object(map) => write_sharp_map(out, map),
    }
}

/// `strconv.Quote(s)`. Go keeps every `unicode.IsPrint` rune; this keeps everything but control
/// and a few invisible format characters, which agrees for the text Kubernetes objects hold.
pub fn push_go_quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() || is_invisible_format(c) => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn is_invisible_format(c: char) -> bool {
    matches!(c as u32, 0xad | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2064 | 0xfeff)
}

/// `fmt.Sprintf("%#U", r)`: `U+002A '*'`, or just `U+0000` when the rune is not printable.
pub fn go_sharp_u(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if c.is_control() || is_invisible_format(c) { code } else { format!("{code} '{c}'") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_g_matches_strconv() {
        let cases = [
            (1.0, "1"),
            (1.5, "1.5"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (123456789.0, "1.23456789e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (3.3, "3.3"),
            (1e-300, "1e-300"),
        ];
        for (f, want) in cases {
            assert_eq!(go_float_g(f), want, "{f}");
        }
    }

    #[test]
    fn json_float_matches_encoding_json() {
        let cases = [
            (1.0, "1"),
            (1.5, "1.5"),
            (1e6, "1000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (-0.0, "-0"),
            (0.1, "0.1"),
        ];
        for (f, want) in cases {
            assert_eq!(go_json_float(f), want, "{f}");
        }
    }

    #[test]
    fn json_strings_are_html_escaped() {
        let mut s = String::new();
        push_go_json_string(&mut s, "<a href=\"x\">&</a>\n\t\u{1}\u{8}\u{2028}é");
        assert_eq!(s, r#""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e\n\t\u0001\b\u2028é""#);
    }

    #[test]
    fn json_indent_and_compact() {
        let v = json!({"b": [1, {"c": null}], "a": {}, "e": [], "d": 1.5});
        assert_eq!(go_json_compact(&v), r#"{"a":{},"b":[1,{"c":null}],"d":1.5,"e":[]}"#);
        assert_eq!(
            go_json_indent(&v, "    "),
            "{\n    \"a\": {},\n    \"b\": [\n        1,\n        {\n            \"c\": null\n        }\n    ],\n    \"d\": 1.5,\n    \"e\": []\n}"
        );
    }

    #[test]
    fn sprint_like_go() {
        let v = json!({"b": ["x", "y"], "a": 1, "c": null, "d": {"e": 1e6}});
        assert_eq!(go_sprint(&v), "map[a:1 b:[x y] c:<nil> d:map[e:1e+06]]");
    }

    #[test]
    fn sharp_v_like_go() {
        let v = json!({"kind": "Pod", "n": [1, "a\"b"], "z": null});
        let Value::Object(m) = v else { unreachable!() };
        assert_eq!(
            go_sharp_v(&m),
            r#"map[string]interface {}{"kind":"Pod", "n":[]interface {}{1, "a\"b"}, "z":interface {}(nil)}"#
        );
    }

    #[test]
    fn sharp_u() {
        assert_eq!(go_sharp_u('*'), "U+002A '*'");
        assert_eq!(go_sharp_u('\u{0}'), "U+0000");
        assert_eq!(go_sharp_u('é'), "U+00E9 'é'");
    }
}
