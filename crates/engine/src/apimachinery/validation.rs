//! Field validation as the API server words it: apimachinery `pkg/util/validation` (name, label,
//! port, env-var and config-key checks, each returning upstream's messages verbatim) and
//! `pkg/util/validation/field` (`FieldPath`, `FieldError` and its `Error()` text), plus the two
//! renderings of a 422 Invalid error: the server's `Status.message` and what kubectl prints.
//!
//! Upstream: kubernetes/apimachinery v0.34.1 `pkg/util/validation/validation.go`,
//! `pkg/util/validation/field/{errors,path}.go`, `pkg/util/errors/errors.go`,
//! `pkg/api/errors/errors.go` (`NewInvalid`); kubernetes/kubectl v0.34.1
//! `pkg/cmd/util/helpers.go` (`checkErr`, `MultilineError`).
//!
//! ```
//! use kubeplay_engine::apimachinery::validation::{is_dns1123_subdomain, FieldError, FieldPath};
//! let path = FieldPath::root("metadata").child("name");
//! let errs: Vec<FieldError> = is_dns1123_subdomain("Kubia")
//!     .into_iter()
//!     .map(|msg| FieldError::invalid(&path, "Kubia", msg))
//!     .collect();
//! assert!(errs[0].to_string().starts_with(
//!     "metadata.name: Invalid value: \"Kubia\": a lowercase RFC 1123 subdomain must consist"
//! ));
//! ```

use std::collections::BTreeSet;
use std::fmt;

// ---------------------------------------------------------------------------------------------
// Field paths
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// A field name (`spec`); an empty name prints nothing, as upstream.
    Name(String),
    /// A subscript: a list index or a map key, printed `[...]`.
    Subscript(String),
}

/// A path to a field, as `field.Path` prints it: `spec.containers[0].name`, `metadata.labels[app]`.
///
/// [`FieldPath::nil`] is Go's nil `*Path`: it prints `<nil>`, and a child of it starts a new root
/// (upstream label-selector parsing produces such paths, and their text leaks into messages).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    /// A path starting at field `name` (`field.NewPath`).
    pub fn root(name: &str) -> FieldPath {
        FieldPath { segments: vec![Segment::Name(name.to_string())] }
    }

    /// Go's nil path: prints `<nil>`.
    pub fn nil() -> FieldPath {
        FieldPath { segments: Vec::new() }
    }

    /// The path to field `name` below this one.
    pub fn child(&self, name: &str) -> FieldPath {
        self.push(Segment::Name(name.to_string()))
    }

    /// The path to list element `index` below this one: `[0]`.
    pub fn index(&self, index: usize) -> FieldPath {
        self.push(Segment::Subscript(index.to_string()))
    }

    /// The path to map entry `key` below this one: `[key]` (not quoted, as upstream).
    pub fn key(&self, key: &str) -> FieldPath {
        self.push(Segment::Subscript(key.to_string()))
    }

    /// Whether this is the nil path.
    pub fn is_nil(&self) -> bool {
        self.segments.is_empty()
    }

    fn push(&self, segment: Segment) -> FieldPath {
        let mut segments = self.segments.clone();
        segments.push(segment);
        FieldPath { segments }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("<nil>");
        }
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Name(name) => {
                    if i > 0 && !name.is_empty() {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                Segment::Subscript(sub) => write!(f, "[{sub}]")?,
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Field errors
// ---------------------------------------------------------------------------------------------

/// The kind of a field error (`field.ErrorType`); `Display` gives upstream's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// `FieldValueNotFound`: "Not found".
    NotFound,
    /// `FieldValueRequired`: "Required value".
    Required,
    /// `FieldValueDuplicate`: "Duplicate value".
    Duplicate,
    /// `FieldValueInvalid`: "Invalid value".
    Invalid,
    /// `FieldValueNotSupported`: "Unsupported value".
    NotSupported,
    /// `FieldValueForbidden`: "Forbidden".
    Forbidden,
    /// `FieldValueTooLong`: "Too long".
    TooLong,
    /// `FieldValueTooMany`: "Too many".
    TooMany,
    /// `InternalError`: "Internal error".
    Internal,
    /// `FieldValueTypeInvalid`: "Invalid value" (a type mismatch).
    TypeInvalid,
}

impl ErrorType {
    /// The `metav1.CauseType` string (`FieldValueRequired`, ...).
    pub fn cause_type(self) -> &'static str {
        match self {
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::Internal => "InternalError",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorType::NotFound => "Not found",
            ErrorType::Required => "Required value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Invalid | ErrorType::TypeInvalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Internal => "Internal error",
        })
    }
}

/// The offending value of a field error, kept in the shape that decides how upstream prints it
/// (apimachinery ≥ 0.34, "Nicer value rendering"): strings Go-quoted, numbers and booleans bare,
/// anything else as JSON (`{"app":"kubia"}`, `["a","b"]`, `null`).
#[derive(Clone, Debug, PartialEq)]
pub enum BadValue {
    /// No value is printed (upstream's `omitValue`).
    Omitted,
    /// A Go `string`: printed with `%q`.
    Str(String),
    /// A Go integer: printed bare.
    Int(i64),
    /// A Go float: printed with `%v`.
    Float(f64),
    /// A Go bool: printed bare.
    Bool(bool),
    /// Anything else (maps, lists, structs, pointers, nil): printed as `json.Marshal` would.
    Json(serde_json::Value),
}

impl From<&str> for BadValue {
    fn from(value: &str) -> Self {
        BadValue::Str(value.to_string())
    }
}

impl From<String> for BadValue {
    fn from(value: String) -> Self {
        BadValue::Str(value)
    }
}

impl From<&String> for BadValue {
    fn from(value: &String) -> Self {
        BadValue::Str(value.clone())
    }
}

impl From<i64> for BadValue {
    fn from(value: i64) -> Self {
        BadValue::Int(value)
    }
}

impl From<i32> for BadValue {
    fn from(value: i32) -> Self {
        BadValue::Int(i64::from(value))
    }
}

impl From<bool> for BadValue {
    fn from(value: bool) -> Self {
        BadValue::Bool(value)
    }
}

impl From<serde_json::Value> for BadValue {
    fn from(value: serde_json::Value) -> Self {
        BadValue::Json(value)
    }
}

impl From<&[String]> for BadValue {
    fn from(values: &[String]) -> Self {
        BadValue::Json(serde_json::Value::Array(
            values.iter().map(|v| serde_json::Value::String(v.clone())).collect(),
        ))
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Omitted => Ok(()),
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::Float(x) => f.write_str(&go_float(*x)),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Json(v) => f.write_str(&go_json(v)),
        }
    }
}

/// One validation failure (`field.Error`). `Display` is `Error()`: `<field>: <body>`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// What went wrong.
    pub error_type: ErrorType,
    /// The field's path as text (`spec.containers[0].name`).
    pub field: String,
    /// The offending value.
    pub bad_value: BadValue,
    /// Extra words after the type (and value).
    pub detail: String,
}

impl FieldError {
    fn new(error_type: ErrorType, path: &FieldPath, bad_value: BadValue, detail: &str) -> Self {
        FieldError { error_type, field: path.to_string(), bad_value, detail: detail.to_string() }
    }

    /// `field.Required`: `path: Required value[: detail]`.
    pub fn required(path: &FieldPath, detail: &str) -> Self {
        Self::new(ErrorType::Required, path, BadValue::Str(String::new()), detail)
    }

    /// `field.Invalid`: `path: Invalid value: <value>: detail`.
    pub fn invalid(path: &FieldPath, value: impl Into<BadValue>, detail: impl AsRef<str>) -> Self {
        Self::new(ErrorType::Invalid, path, value.into(), detail.as_ref())
    }

    /// `field.TypeInvalid`: like Invalid, for a value of the wrong type.
    pub fn type_invalid(path: &FieldPath, value: impl Into<BadValue>, detail: &str) -> Self {
        Self::new(ErrorType::TypeInvalid, path, value.into(), detail)
    }

    /// `field.NotSupported`: `path: Unsupported value: <value>: supported values: "A", "B"`.
    pub fn not_supported(path: &FieldPath, value: impl Into<BadValue>, supported: &[&str]) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|v| go_quote(v)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(ErrorType::NotSupported, path, value.into(), &detail)
    }

    /// `field.Forbidden`: `path: Forbidden: detail`.
    pub fn forbidden(path: &FieldPath, detail: &str) -> Self {
        Self::new(ErrorType::Forbidden, path, BadValue::Str(String::new()), detail)
    }

    /// `field.Duplicate`: `path: Duplicate value: <value>`.
    pub fn duplicate(path: &FieldPath, value: impl Into<BadValue>) -> Self {
        Self::new(ErrorType::Duplicate, path, value.into(), "")
    }

    /// `field.NotFound`: `path: Not found: <value>`.
    pub fn not_found(path: &FieldPath, value: impl Into<BadValue>) -> Self {
        Self::new(ErrorType::NotFound, path, value.into(), "")
    }

    /// `field.TooLong`: `path: Too long: may not be more than N bytes` (`None`: no known limit).
    pub fn too_long(path: &FieldPath, max_len_bytes: Option<usize>) -> Self {
        let detail = match max_len_bytes {
            Some(1) => "may not be more than 1 byte".to_string(),
            Some(n) => format!("may not be more than {n} bytes"),
            None => "value is too long".to_string(),
        };
        Self::new(ErrorType::TooLong, path, BadValue::Str("<value omitted>".into()), &detail)
    }

    /// `field.TooMany`: `path: Too many: 5: must have at most 3 items`.
    pub fn too_many(path: &FieldPath, actual: Option<i64>, max: Option<i64>) -> Self {
        let detail = match max {
            Some(1) => "must have at most 1 item".to_string(),
            Some(n) => format!("must have at most {n} items"),
            None => "has too many items".to_string(),
        };
        let value = actual.map_or(BadValue::Omitted, BadValue::Int);
        Self::new(ErrorType::TooMany, path, value, &detail)
    }

    /// `field.InternalError`: `path: Internal error: detail`.
    pub fn internal(path: &FieldPath, detail: &str) -> Self {
        Self::new(ErrorType::Internal, path, BadValue::Json(serde_json::Value::Null), detail)
    }

    /// `ErrorBody()`: the text after `<field>: `, which is also a `StatusCause.message`.
    pub fn body(&self) -> String {
        let mut s = match self.error_type {
            ErrorType::Required
            | ErrorType::Forbidden
            | ErrorType::TooLong
            | ErrorType::Internal => self.error_type.to_string(),
            _ => match &self.bad_value {
                BadValue::Omitted => self.error_type.to_string(),
                value => format!("{}: {value}", self.error_type),
            },
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

impl std::error::Error for FieldError {}

/// `ErrorList.ToAggregate().Error()`: duplicates dropped, one error alone, several as `[a, b]`;
/// `None` for an empty list.
pub fn aggregate_message(errs: &[FieldError]) -> Option<String> {
    let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
    aggregate_strings(&msgs)
}

/// `utilerrors.NewAggregate(..).Error()` over messages already rendered.
pub(crate) fn aggregate_strings(msgs: &[String]) -> Option<String> {
    let mut seen = BTreeSet::new();
    let unique: Vec<&str> =
        msgs.iter().filter(|m| seen.insert(m.as_str())).map(String::as_str).collect();
    match unique.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        many => Some(format!("[{}]", many.join(", "))),
    }
}

/// The 422 `Status.message` of `errors.NewInvalid`: `Deployment.apps "kubia" is invalid: <aggregate>`
/// (`group` empty for the core group).
pub fn invalid_status_message(kind: &str, group: &str, name: &str, errs: &[FieldError]) -> String {
    let qualified = if group.is_empty() { kind.to_string() } else { format!("{kind}.{group}") };
    match aggregate_message(errs) {
        None => format!("{qualified} {} is invalid", go_quote(name)),
        Some(agg) => format!("{qualified} {} is invalid: {agg}", go_quote(name)),
    }
}

/// What kubectl prints for a 422 Invalid error (`checkErr` + `MultilineError`), without the final
/// newline that kubectl's `fatal` adds:
/// one cause: `The Pod "x" is invalid: spec...: Required value`;
/// several: `The Pod "x" is invalid: ` then a line `* <cause>` per cause (note the trailing space).
pub fn kubectl_invalid_message(kind: &str, name: &str, errs: &[FieldError]) -> String {
    let head = if kind.is_empty() && name.is_empty() {
        "The request is invalid".to_string()
    } else {
        format!("The {kind} {} is invalid", go_quote(name))
    };
    // kubectl rebuilds each cause as "field: message" and drops repeats.
    let mut seen = BTreeSet::new();
    let causes: Vec<String> = errs
        .iter()
        .map(|e| format!("{}: {}", e.field, e.body()))
        .filter(|m| seen.insert(m.clone()))
        .collect();
    match causes.as_slice() {
        [] => head,
        [one] => format!("{head}: {one}"),
        many => {
            let mut out = format!("{head}: ");
            for cause in many {
                out.push_str("\n* ");
                out.push_str(cause);
            }
            out
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Go formatting helpers
// ---------------------------------------------------------------------------------------------

/// Go's `strconv.Quote` (`%q`): printable characters kept, others escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` without Unicode tables: controls, spaces other than
/// U+0020, format characters, private-use and non-characters are not printable.
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format_or_private = matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF
        | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF);
    !format_or_private
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(x, 'g', -1, 64)` with Go's exponent form).
fn go_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    // Shortest %g: exponent form when the decimal exponent is < -4 or >= 6 (strconv's eprec).
    let s = format!("{x:e}");
    let (mantissa, exp) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => return s,
    };
    if x != 0.0 && !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    format!("{x}")
}

/// `json.Marshal` of a JSON value the way Go writes it: compact, map keys sorted, and strings
/// HTML-escaped (`<` → `\u003c`), as `encoding/json` does by default.
pub fn go_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_go_json(v, &mut out);
    out
}

fn write_go_json(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => out.push_str(&n.to_string()),
        serde_json::Value::String(s) => write_go_json_str(s, out),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            crate::sorting::sort(&mut keys);
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json_str(key, out);
                out.push(':');
                if let Some(value) = map.get(*key) {
                    write_go_json(value, out);
                }
            }
            out.push('}');
        }
    }
}

fn write_go_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------------
// pkg/util/validation
// ---------------------------------------------------------------------------------------------

/// Longest qualified-name part (label key name) in bytes.
pub const QUALIFIED_NAME_MAX_LEN_BYTES: usize = 63;
/// Longest label value in bytes.
pub const LABEL_VALUE_MAX_LEN_BYTES: usize = 63;
/// Longest RFC 1123 label in bytes.
pub const DNS1123_LABEL_MAX_LEN_BYTES: usize = 63;
/// Longest RFC 1123 subdomain in bytes.
pub const DNS1123_SUBDOMAIN_MAX_LEN_BYTES: usize = 253;
/// Longest RFC 1035 label in bytes.
pub const DNS1035_LABEL_MAX_LEN_BYTES: usize = 63;
/// Longest IANA service (port) name in bytes.
pub const PORT_NAME_MAX_LEN_BYTES: usize = 15;

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const C_IDENTIFIER_FMT: &str = "[A-Za-z_][A-Za-z0-9_]*";
const C_IDENTIFIER_ERR_MSG: &str = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";
const ENV_VAR_NAME_FMT: &str = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const ENV_VAR_NAME_ERR_MSG: &str = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const RELAXED_ENV_VAR_NAME_ERR_MSG: &str = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const CONFIG_MAP_KEY_FMT: &str = "[-._a-zA-Z0-9]+";
const CONFIG_MAP_KEY_ERR_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const PERCENT_FMT: &str = "[0-9]+%";
const PERCENT_ERR_MSG: &str =
    "a valid percent string must be a numeric string followed by an ending '%'";
const HTTP_HEADER_NAME_FMT: &str = "[-A-Za-z0-9]+";
const HTTP_HEADER_NAME_ERR_MSG: &str =
    "a valid HTTP header must consist of alphanumeric characters or '-'";

/// `MaxLenError`: `must be no more than N characters`.
pub fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

/// `EmptyError`: `must be non-empty`.
pub fn empty_error() -> &'static str {
    "must be non-empty"
}

/// `InclusiveRangeError`: `must be between LO and HI, inclusive`.
pub fn inclusive_range_error(lo: i64, hi: i64) -> String {
    format!("must be between {lo} and {hi}, inclusive")
}

/// `RegexError`: the message, the examples and the regex, in upstream's exact punctuation.
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('\'');
        out.push_str(example);
        out.push_str("', ");
    }
    out.push_str("regex used for validation is '");
    out.push_str(fmt);
    out.push_str("')");
    out
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn matches_qualified_name(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            is_alnum(first)
                && is_alnum(last)
                && b.iter().all(|&c| is_alnum(c) || c == b'-' || c == b'_' || c == b'.')
        }
        _ => false,
    }
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, or with `first_alpha`, `[a-z]([-a-z0-9]*[a-z0-9])?`.
fn matches_dns_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    let lower_alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            (if first_alpha { first.is_ascii_lowercase() } else { lower_alnum(first) })
                && lower_alnum(last)
                && b.iter().all(|&c| lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(|label| matches_dns_label(label, false))
}

/// `IsQualifiedName`: a label or annotation key, `[prefix/]name`.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push(format!("prefix part {}", empty_error()));
            } else {
                for msg in is_dns1123_subdomain(prefix) {
                    errs.push(format!("prefix part {msg}"));
                }
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR_MSG,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push(format!("name part {}", empty_error()));
    } else if name.len() > QUALIFIED_NAME_MAX_LEN_BYTES {
        errs.push(format!("name part {}", max_len_error(QUALIFIED_NAME_MAX_LEN_BYTES)));
    }
    if !matches_qualified_name(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`: empty, or a qualified-name-shaped string of at most 63 bytes.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LEN_BYTES {
        errs.push(max_len_error(LABEL_VALUE_MAX_LEN_BYTES));
    }
    if !(value.is_empty() || matches_qualified_name(value)) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `IsDNS1123Label`: e.g. container names, namespace names.
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LEN_BYTES {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LEN_BYTES));
    }
    if !matches_dns_label(value, false) {
        if matches_dns1123_subdomain(value) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_ERR_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `IsDNS1123Subdomain`: most object names.
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LEN_BYTES {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LEN_BYTES));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(DNS1123_SUBDOMAIN_ERR_MSG, DNS1123_SUBDOMAIN_FMT, &["example.com"]));
    }
    errs
}

/// `IsDNS1035Label`: Service names.
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1035_LABEL_MAX_LEN_BYTES {
        errs.push(max_len_error(DNS1035_LABEL_MAX_LEN_BYTES));
    }
    if !matches_dns_label(value, true) {
        errs.push(regex_error(DNS1035_LABEL_ERR_MSG, DNS1035_LABEL_FMT, &["my-name", "abc-123"]));
    }
    errs
}

/// `IsCIdentifier`.
pub fn is_c_identifier(value: &str) -> Vec<String> {
    let b = value.as_bytes();
    let ok = match b.first() {
        Some(&first) => {
            (first.is_ascii_alphabetic() || first == b'_')
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
        }
        None => false,
    };
    if ok {
        Vec::new()
    } else {
        vec![regex_error(C_IDENTIFIER_ERR_MSG, C_IDENTIFIER_FMT, &["my_name", "MY_NAME", "MyName"])]
    }
}

/// `IsValidPortNum`: 1..=65535.
pub fn is_valid_port_num(port: i64) -> Vec<String> {
    if (1..=65535).contains(&port) { Vec::new() } else { vec![inclusive_range_error(1, 65535)] }
}

/// `IsInRange`.
pub fn is_in_range(value: i64, min: i64, max: i64) -> Vec<String> {
    if value >= min && value <= max { Vec::new() } else { vec![inclusive_range_error(min, max)] }
}

/// `IsValidUserID`: 0..=2147483647.
pub fn is_valid_user_id(uid: i64) -> Vec<String> {
    is_in_range(uid, 0, i64::from(i32::MAX))
}

/// `IsValidGroupID`: 0..=2147483647.
pub fn is_valid_group_id(gid: i64) -> Vec<String> {
    is_in_range(gid, 0, i64::from(i32::MAX))
}

/// `IsValidPortName`: an IANA_SVC_NAME (RFC 6335); every failing rule gives its own message.
pub fn is_valid_port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let b = port.as_bytes();
    if b.len() > PORT_NAME_MAX_LEN_BYTES {
        errs.push(max_len_error(PORT_NAME_MAX_LEN_BYTES));
    }
    if b.is_empty() || !b.iter().all(|&c| c == b'-' || c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        errs.push("must contain at least one letter (a-z)".into());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".into());
    }
    if b.first() == Some(&b'-') || b.last() == Some(&b'-') {
        errs.push("must not begin or end with a hyphen".into());
    }
    errs
}

/// `IsValidPercent`: `[0-9]+%`.
pub fn is_valid_percent(percent: &str) -> Vec<String> {
    let ok = percent
        .strip_suffix('%')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()));
    if ok { Vec::new() } else { vec![regex_error(PERCENT_ERR_MSG, PERCENT_FMT, &["1%", "93%"])] }
}

/// `IsHTTPHeaderName`.
pub fn is_http_header_name(value: &str) -> Vec<String> {
    let ok = !value.is_empty() && value.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
    if ok {
        Vec::new()
    } else {
        vec![regex_error(HTTP_HEADER_NAME_ERR_MSG, HTTP_HEADER_NAME_FMT, &["X-Header-Name"])]
    }
}

fn has_chdir_prefix(value: &str) -> Vec<String> {
    if value == "." {
        vec!["must not be '.'".into()]
    } else if value == ".." {
        vec!["must not be '..'".into()]
    } else if value.starts_with("..") {
        vec!["must not start with '..'".into()]
    } else {
        Vec::new()
    }
}

/// `IsEnvVarName`: the strict rule (`[-._a-zA-Z][-._a-zA-Z0-9]*`, no `.`/`..` prefixes).
///
/// Kubernetes v1.34 validates *pod* env var names with [`is_relaxed_env_var_name`] instead
/// (feature `RelaxedEnvironmentVariableValidation`, GA and locked on in 1.34).
pub fn is_env_var_name(value: &str) -> Vec<String> {
    let b = value.as_bytes();
    let ok_char = |c: u8| c == b'-' || c == b'.' || c == b'_' || c.is_ascii_alphabetic();
    let ok = match b.first() {
        Some(&first) => ok_char(first) && b.iter().all(|&c| ok_char(c) || c.is_ascii_digit()),
        None => false,
    };
    let mut errs = Vec::new();
    if !ok {
        errs.push(regex_error(
            ENV_VAR_NAME_ERR_MSG,
            ENV_VAR_NAME_FMT,
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ));
    }
    errs.extend(has_chdir_prefix(value));
    errs
}

/// `IsRelaxedEnvVarName`: non-empty, printable ASCII other than `=` (the v1.34 pod rule).
pub fn is_relaxed_env_var_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.is_empty() {
        errs.push(format!("environment variable name {}", empty_error()));
    }
    if value.chars().any(|c| !(' '..='~').contains(&c) || c == '=') {
        errs.push(RELAXED_ENV_VAR_NAME_ERR_MSG.to_string());
    }
    errs
}

/// `IsConfigMapKey`: ConfigMap and Secret data keys.
pub fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LEN_BYTES {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LEN_BYTES));
    }
    let ok = !value.is_empty()
        && value.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_');
    if !ok {
        errs.push(regex_error(
            CONFIG_MAP_KEY_ERR_MSG,
            CONFIG_MAP_KEY_FMT,
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    errs.extend(has_chdir_prefix(value));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    #[test]
    fn paths_print_like_field_path() {
        let p = FieldPath::root("spec").child("containers").index(0).child("name");
        assert_eq!(p.to_string(), "spec.containers[0].name");
        assert_eq!(
            FieldPath::root("metadata").child("labels").key("app").to_string(),
            "metadata.labels[app]"
        );
        assert_eq!(FieldPath::nil().to_string(), "<nil>");
        assert!(FieldPath::nil().is_nil());
        assert_eq!(
            FieldPath::nil().child("values").index(0).key("env").to_string(),
            "values[0][env]"
        );
        // Go prints the dot even after an empty root name.
        assert_eq!(FieldPath::root("").child("x").to_string(), ".x");
        assert_eq!(FieldPath::root("a").key("").to_string(), "a[]");
    }

    #[test]
    fn regex_error_keeps_upstream_double_space() {
        // Upstream writes "'x', " then " or ", hence the double space between examples.
        assert_eq!(
            regex_error("m", "f", &["a", "b"]),
            "m (e.g. 'a',  or 'b', regex used for validation is 'f')"
        );
        assert_eq!(regex_error("m", "f", &[]), "m (regex used for validation is 'f')");
    }

    #[test]
    fn dns1123_subdomain_messages() {
        assert!(is_dns1123_subdomain("kubia").is_empty());
        assert!(is_dns1123_subdomain("kubia-1.example.com").is_empty());
        assert_eq!(is_dns1123_subdomain("Kubia"), vec![SUBDOMAIN_MSG.to_string()]);
        assert_eq!(is_dns1123_subdomain(""), vec![SUBDOMAIN_MSG.to_string()]);
        assert_eq!(is_dns1123_subdomain("a..b"), vec![SUBDOMAIN_MSG.to_string()]);
        assert_eq!(is_dns1123_subdomain("-a"), vec![SUBDOMAIN_MSG.to_string()]);
        let long = "a".repeat(254);
        assert_eq!(
            is_dns1123_subdomain(&long),
            vec!["must be no more than 253 characters".to_string()]
        );
        let long_bad = "A".repeat(254);
        assert_eq!(is_dns1123_subdomain(&long_bad).len(), 2);
        assert_eq!(is_dns1123_subdomain("ключ"), vec![SUBDOMAIN_MSG.to_string()]);
    }

    #[test]
    fn dns1123_label_messages() {
        assert!(is_dns1123_label("kubia").is_empty());
        assert!(is_dns1123_label("1abc").is_empty());
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots".to_string()]);
        assert_eq!(is_dns1123_label("Kubia"), vec![LABEL_MSG.to_string()]);
        assert_eq!(is_dns1123_label("a_b"), vec![LABEL_MSG.to_string()]);
        let long = "a".repeat(64);
        assert_eq!(is_dns1123_label(&long), vec!["must be no more than 63 characters".to_string()]);
        assert!(is_dns1123_label(&"a".repeat(63)).is_empty());
    }

    #[test]
    fn dns1035_label_messages() {
        let msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        assert!(is_dns1035_label("kubia-svc").is_empty());
        assert_eq!(is_dns1035_label("1kubia"), vec![msg.to_string()]);
        assert_eq!(is_dns1035_label("kubia-"), vec![msg.to_string()]);
        assert_eq!(is_dns1035_label(""), vec![msg.to_string()]);
    }

    #[test]
    fn qualified_name_messages() {
        let name_msg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        assert!(is_qualified_name("app").is_empty());
        assert!(is_qualified_name("app.kubernetes.io/name").is_empty());
        assert_eq!(is_qualified_name("-ltier"), vec![name_msg.to_string()]);
        assert_eq!(
            is_qualified_name(""),
            vec!["name part must be non-empty".to_string(), name_msg.to_string()]
        );
        assert_eq!(is_qualified_name("/app"), vec!["prefix part must be non-empty".to_string()]);
        assert_eq!(
            is_qualified_name("Example.com/app"),
            vec![format!("prefix part {SUBDOMAIN_MSG}")]
        );
        assert_eq!(
            is_qualified_name("a/b/c"),
            vec!["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".to_string()]
        );
        assert_eq!(
            is_qualified_name(&"a".repeat(64)),
            vec!["name part must be no more than 63 characters".to_string()]
        );
    }

    #[test]
    fn label_value_messages() {
        let msg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        assert!(is_valid_label_value("").is_empty());
        assert!(is_valid_label_value("v1.2_x-y").is_empty());
        assert_eq!(is_valid_label_value("bad value"), vec![msg.to_string()]);
        assert_eq!(is_valid_label_value("_x"), vec![msg.to_string()]);
        assert_eq!(
            is_valid_label_value(&"a".repeat(64)),
            vec!["must be no more than 63 characters".to_string()]
        );
    }

    #[test]
    fn port_checks() {
        assert!(is_valid_port_num(8080).is_empty());
        assert_eq!(
            is_valid_port_num(0),
            vec!["must be between 1 and 65535, inclusive".to_string()]
        );
        assert_eq!(is_valid_port_num(65536).len(), 1);
        assert!(is_valid_port_name("http").is_empty());
        assert!(is_valid_port_name("h2c-8080").is_empty());
        assert_eq!(
            is_valid_port_name("8080"),
            vec!["must contain at least one letter (a-z)".to_string()]
        );
        assert_eq!(
            is_valid_port_name("-Http--a-very-long-name-"),
            vec![
                "must be no more than 15 characters".to_string(),
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
                    .to_string(),
                "must not contain consecutive hyphens".to_string(),
                "must not begin or end with a hyphen".to_string(),
            ]
        );
        assert_eq!(
            is_valid_port_name(""),
            vec![
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
                    .to_string(),
                "must contain at least one letter (a-z)".to_string(),
            ]
        );
    }

    #[test]
    fn env_and_keys() {
        assert!(is_c_identifier("MY_VAR").is_empty());
        assert_eq!(is_c_identifier("1X"), vec!["a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')".to_string()]);
        assert!(is_env_var_name("my.env-name").is_empty());
        assert_eq!(
            is_env_var_name("1X"),
            vec!["a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')".to_string()]
        );
        assert_eq!(is_env_var_name("..").len(), 1);
        assert_eq!(is_env_var_name(".."), vec!["must not be '..'".to_string()]);
        assert!(is_relaxed_env_var_name("1 weird:name!").is_empty());
        assert_eq!(
            is_relaxed_env_var_name("A=B"),
            vec!["a valid environment variable name must consist only of printable ASCII characters other than '='".to_string()]
        );
        assert_eq!(
            is_relaxed_env_var_name(""),
            vec!["environment variable name must be non-empty".to_string()]
        );
        assert_eq!(is_relaxed_env_var_name("é").len(), 1);
        assert!(is_config_map_key("game.properties").is_empty());
        assert_eq!(is_config_map_key("..data"), vec!["must not start with '..'".to_string()]);
        assert_eq!(is_config_map_key("a/b"), vec!["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".to_string()]);
        assert_eq!(is_config_map_key(".").len(), 1);
        assert!(is_valid_percent("25%").is_empty());
        assert_eq!(is_valid_percent("%").len(), 1);
        assert!(is_http_header_name("X-Custom").is_empty());
        assert_eq!(
            is_valid_user_id(-1),
            vec!["must be between 0 and 2147483647, inclusive".to_string()]
        );
        assert!(is_valid_group_id(0).is_empty());
    }

    #[test]
    fn field_error_display() {
        let name = FieldPath::root("spec").child("containers").index(0).child("name");
        assert_eq!(
            FieldError::required(&name, "").to_string(),
            "spec.containers[0].name: Required value"
        );
        assert_eq!(
            FieldError::required(&name, "must be specified").to_string(),
            "spec.containers[0].name: Required value: must be specified"
        );
        let meta = FieldPath::root("metadata").child("name");
        assert_eq!(
            FieldError::invalid(&meta, "Kubia", &is_dns1123_subdomain("Kubia")[0]).to_string(),
            format!("metadata.name: Invalid value: \"Kubia\": {SUBDOMAIN_MSG}")
        );
        let replicas = FieldPath::root("spec").child("replicas");
        assert_eq!(
            FieldError::invalid(&replicas, -1i64, "must be greater than or equal to 0").to_string(),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        let labels = FieldPath::root("spec").child("template").child("metadata").child("labels");
        assert_eq!(
            FieldError::invalid(
                &labels,
                json!({"app": "kubia"}),
                "`selector` does not match template `labels`"
            )
            .to_string(),
            "spec.template.metadata.labels: Invalid value: {\"app\":\"kubia\"}: `selector` does not match template `labels`"
        );
        let policy = FieldPath::root("spec").child("restartPolicy");
        assert_eq!(
            FieldError::not_supported(&policy, "Sometimes", &["Always", "OnFailure", "Never"])
                .to_string(),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        );
        assert_eq!(
            FieldError::forbidden(&policy, "may not be set").to_string(),
            "spec.restartPolicy: Forbidden: may not be set"
        );
        let port = FieldPath::root("spec").child("ports").index(1).child("name");
        assert_eq!(
            FieldError::duplicate(&port, "http").to_string(),
            "spec.ports[1].name: Duplicate value: \"http\""
        );
        assert_eq!(
            FieldError::not_found(&port, "x").to_string(),
            "spec.ports[1].name: Not found: \"x\""
        );
        assert_eq!(
            FieldError::too_long(&port, Some(63)).to_string(),
            "spec.ports[1].name: Too long: may not be more than 63 bytes"
        );
        assert_eq!(
            FieldError::too_long(&port, Some(1)).to_string(),
            "spec.ports[1].name: Too long: may not be more than 1 byte"
        );
        assert_eq!(
            FieldError::too_long(&port, None).to_string(),
            "spec.ports[1].name: Too long: value is too long"
        );
        assert_eq!(
            FieldError::too_many(&port, Some(5), Some(3)).to_string(),
            "spec.ports[1].name: Too many: 5: must have at most 3 items"
        );
        assert_eq!(
            FieldError::too_many(&port, None, None).to_string(),
            "spec.ports[1].name: Too many: has too many items"
        );
        assert_eq!(
            FieldError::internal(&port, "boom").to_string(),
            "spec.ports[1].name: Internal error: boom"
        );
        assert_eq!(
            FieldError::invalid(&port, BadValue::Json(serde_json::Value::Null), "x").to_string(),
            "spec.ports[1].name: Invalid value: null: x"
        );
        assert_eq!(
            FieldError::invalid(&port, BadValue::Bool(true), "x").to_string(),
            "spec.ports[1].name: Invalid value: true: x"
        );
        let vals = vec!["a".to_string(), "<b>".to_string()];
        assert_eq!(
            FieldError::invalid(&port, vals.as_slice(), "x").to_string(),
            "spec.ports[1].name: Invalid value: [\"a\",\"\\u003cb\\u003e\"]: x"
        );
        assert_eq!(ErrorType::Required.cause_type(), "FieldValueRequired");
    }

    #[test]
    fn go_quote_escapes() {
        assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(go_quote("tab\there\n"), "\"tab\\there\\n\"");
        assert_eq!(go_quote("\u{1}\u{7f}"), "\"\\x01\\x7f\"");
        assert_eq!(go_quote("héllo 世界 🚀"), "\"héllo 世界 🚀\"");
        assert_eq!(go_quote("nb\u{a0}sp\u{200b}"), "\"nb\\u00a0sp\\u200b\"");
        assert_eq!(go_quote("\u{f0000}"), "\"\\U000f0000\"");
    }

    #[test]
    fn go_json_matches_encoding_json() {
        assert_eq!(
            go_json(&json!({"b": 1, "a": [true, null, "x&y"]})),
            "{\"a\":[true,null,\"x\\u0026y\"],\"b\":1}"
        );
        assert_eq!(go_json(&json!("\u{1}\u{8}")), "\"\\u0001\\b\"");
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(123456789.0), "1.23456789e+08");
        assert_eq!(go_float(100000.0), "100000");
        assert_eq!(go_float(-0.25), "-0.25");
        assert_eq!(go_float(0.0), "0");
        assert_eq!(go_float(1e-7), "1e-07");
        assert_eq!(BadValue::Float(2.0).to_string(), "2");
    }

    #[test]
    fn aggregates_and_kubectl_rendering() {
        let a = FieldError::required(&FieldPath::root("spec").child("selector"), "");
        let b = FieldError::required(&FieldPath::root("spec").child("template"), "");
        assert_eq!(aggregate_message(&[]), None);
        assert_eq!(
            aggregate_message(std::slice::from_ref(&a)).as_deref(),
            Some("spec.selector: Required value")
        );
        assert_eq!(
            aggregate_message(&[a.clone(), b.clone(), a.clone()]).as_deref(),
            Some("[spec.selector: Required value, spec.template: Required value]")
        );
        assert_eq!(
            invalid_status_message("Deployment", "apps", "kubia", std::slice::from_ref(&a)),
            "Deployment.apps \"kubia\" is invalid: spec.selector: Required value"
        );
        assert_eq!(invalid_status_message("Pod", "", "x", &[]), "Pod \"x\" is invalid");
        assert_eq!(
            kubectl_invalid_message("Deployment", "kubia", std::slice::from_ref(&a)),
            "The Deployment \"kubia\" is invalid: spec.selector: Required value"
        );
        assert_eq!(
            kubectl_invalid_message("Pod", "x", &[a.clone(), b, a]),
            "The Pod \"x\" is invalid: \n* spec.selector: Required value\n* spec.template: Required value"
        );
        assert_eq!(kubectl_invalid_message("Pod", "x", &[]), "The Pod \"x\" is invalid");
        assert_eq!(kubectl_invalid_message("", "", &[]), "The request is invalid");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let huge = "x/".repeat(100_000);
        for s in ["", "/", "//", "\u{0}", "é/é", &huge, "🚀🚀🚀", "a\nb"] {
            let _ = is_qualified_name(s);
            let _ = is_valid_label_value(s);
            let _ = is_dns1123_label(s);
            let _ = is_dns1123_subdomain(s);
            let _ = is_dns1035_label(s);
            let _ = is_c_identifier(s);
            let _ = is_env_var_name(s);
            let _ = is_relaxed_env_var_name(s);
            let _ = is_config_map_key(s);
            let _ = is_valid_port_name(s);
            let _ = is_valid_percent(s);
            let _ = go_quote(s);
        }
        assert_eq!(is_dns1123_label("a\n").len(), 1);
        assert_eq!(is_valid_port_num(i64::MIN).len(), 1);
    }
}
