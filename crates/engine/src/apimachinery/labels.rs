//! Label selectors: the string syntax `kubectl -l` sends to the API server (apimachinery
//! `pkg/labels/selector.go` `Parse`, ported token for token so errors read the same), matching,
//! printing, and the structured `metav1.LabelSelector` (`LabelSelectorAsSelector`,
//! `FormatLabelSelector`, and the API-server validation `ValidateLabelSelector`).
//!
//! Upstream: kubernetes/apimachinery v0.34.1 `pkg/labels/selector.go`,
//! `pkg/apis/meta/v1/helpers.go`, `pkg/apis/meta/v1/validation/validation.go`;
//! kubernetes/cli-runtime `EnhanceListError` for the text kubectl wraps a parse error in.
//!
//! ```
//! use std::collections::BTreeMap;
//! use kubeplay_engine::apimachinery::labels::Selector;
//! let sel = Selector::parse("env in (prod,qa), app=kubia, !canary").unwrap();
//! assert_eq!(sel.to_string(), "app=kubia,!canary,env in (prod,qa)");
//! let pod = BTreeMap::from([("app".to_string(), "kubia".to_string()), ("env".to_string(), "qa".to_string())]);
//! assert!(sel.matches(&pod));
//! let err = Selector::parse("env in (prod").unwrap_err();
//! assert_eq!(err.to_string(), "unable to parse requirement: found '', expected: ',' or ')'");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::validation::{
    BadValue, FieldError, FieldPath, aggregate_message, is_qualified_name, is_valid_label_value,
};

/// Longest selector string accepted, in bytes (the real limit is the HTTP request line; this
/// keeps a pasted novel from costing the page anything).
pub const SELECTOR_MAX_LEN_BYTES: usize = 64 * 1024;

/// A selector operator (`selection.Operator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `key in (a,b)`
    In,
    /// `key notin (a,b)`
    NotIn,
    /// `key=a`
    Equals,
    /// `key==a`
    DoubleEquals,
    /// `key!=a`
    NotEquals,
    /// `key`
    Exists,
    /// `!key`
    DoesNotExist,
    /// `key>1` (integers; not allowed in `metav1.LabelSelector`)
    GreaterThan,
    /// `key<1`
    LessThan,
}

impl Operator {
    /// The `selection.Operator` string (`in`, `notin`, `=`, `==`, `!=`, `exists`, `!`, `gt`, `lt`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

/// Why a selector could not be built; `Display` is upstream's error text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// A syntax error outside a requirement (`found ',', expected: ...`).
    #[error("{0}")]
    Syntax(String),
    /// A requirement that did not parse or validate; the text is prefixed
    /// `unable to parse requirement: ` exactly as upstream does.
    #[error("unable to parse requirement: {0}")]
    Requirement(String),
    /// A requirement built from a `LabelSelector` that does not validate (`NewRequirement`).
    #[error("{0}")]
    Invalid(String),
    /// A `matchExpressions` operator that is not In, NotIn, Exists or DoesNotExist.
    #[error("\"{0}\" is not a valid label selector operator")]
    UnknownOperator(String),
    /// The selector string is longer than [`SELECTOR_MAX_LEN_BYTES`].
    #[error("label selector is too long: {len_bytes} bytes (at most {SELECTOR_MAX_LEN_BYTES})")]
    TooLong {
        /// The selector's length.
        len_bytes: usize,
    },
}

/// One requirement of a selector (`labels.Requirement`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

impl Requirement {
    /// The label key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, in the order given (sorted and unique when parsed from a string).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether a label set satisfies this requirement.
    // Inlined into `Selector::matches`: controllers match every pod they own on every sync.
    #[inline]
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = label(labels, &self.key);
        let has = |v: &String| self.values.iter().any(|x| x == v);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => value.is_some_and(has),
            Operator::NotIn | Operator::NotEquals => !value.is_some_and(has),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => self.compares(value),
        }
    }

    // `gt` and `lt`: both sides must be integers.
    fn compares(&self, value: Option<&String>) -> bool {
        let Some(label) = value.and_then(|v| v.parse::<i64>().ok()) else {
            return false;
        };
        let [wanted] = self.values.as_slice() else {
            return false;
        };
        let Ok(wanted) = wanted.parse::<i64>() else {
            return false;
        };
        if self.operator == Operator::GreaterThan { label > wanted } else { label < wanted }
    }
}

/// The value of label `key`. A pod has a few labels: comparing lengths before bytes skips most
/// of them without reading a byte, where a B-tree search compares bytes to order them.
#[inline]
fn label<'a>(labels: &'a BTreeMap<String, String>, key: &str) -> Option<&'a String> {
    if labels.len() > 8 {
        return labels.get(key);
    }
    labels.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let (op, parens) = match self.operator {
            Operator::Equals => ("=", false),
            Operator::DoubleEquals => ("==", false),
            Operator::NotEquals => ("!=", false),
            Operator::In => (" in ", true),
            Operator::NotIn => (" notin ", true),
            Operator::GreaterThan => (">", false),
            Operator::LessThan => ("<", false),
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
        };
        f.write_str(op)?;
        if parens {
            f.write_str("(")?;
        }
        if let [one] = self.values.as_slice() {
            f.write_str(one)?;
        } else {
            let mut sorted = self.values.clone();
            crate::sorting::sort(&mut sorted);
            f.write_str(&sorted.join(","))?;
        }
        if parens {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A label selector: every requirement must hold. Requirements are kept sorted by key.
///
/// `Display` prints it as the API server and kubectl do (`app=kubia,env in (prod,qa)`); the empty
/// selector prints as the empty string and matches everything; [`Selector::nothing`] matches
/// nothing (a nil `LabelSelector`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
    nothing: bool,
}

impl Selector {
    /// The selector that matches everything (`labels.Everything()`).
    pub fn everything() -> Selector {
        Selector::default()
    }

    /// The selector that matches nothing (`labels.Nothing()`).
    pub fn nothing() -> Selector {
        Selector { requirements: Vec::new(), nothing: true }
    }

    /// `labels.SelectorFromSet`: `k=v` for every entry (values not validated, as upstream).
    pub fn from_set(set: &BTreeMap<String, String>) -> Selector {
        let requirements = set
            .iter()
            .map(|(k, v)| Requirement {
                key: k.clone(),
                operator: Operator::Equals,
                values: vec![v.clone()],
            })
            .collect();
        Selector { requirements, nothing: false }
    }

    /// `labels.Parse`: the `-l` / `labelSelector=` syntax, with upstream's exact errors.
    pub fn parse(selector: &str) -> Result<Selector, SelectorError> {
        if selector.len() > SELECTOR_MAX_LEN_BYTES {
            return Err(SelectorError::TooLong { len_bytes: selector.len() });
        }
        let mut parser = Parser { items: lex_all(selector), position: 0 };
        let mut requirements = parser.parse()?;
        // Stable, so equal keys keep their written order (Go's insertion sort does too).
        crate::sorting::sort_by(&mut requirements, |a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements, nothing: false })
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether this selector has no requirements (the "everything" selector).
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// Whether this is the match-nothing selector.
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    /// Whether a label set satisfies every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// `RequiresExactMatch`: the single value `label` must have, if the selector pins one.
    pub fn requires_exact_match(&self, label: &str) -> Option<&str> {
        let r = self.requirements.iter().find(|r| r.key == label)?;
        match (r.operator, r.values.as_slice()) {
            (Operator::Equals | Operator::DoubleEquals | Operator::In, [one]) => Some(one),
            _ => None,
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

/// `labels.NewRequirement` as both callers use it: with Go's nil path, so errors read `key: ...`,
/// `values: ...`, `values[0][app]: ...`, and an empty value list is a nil slice (`null`).
fn new_requirement(
    key: &str,
    operator: Operator,
    values: Vec<String>,
) -> Result<Requirement, String> {
    let path = FieldPath::nil();
    let mut errs = Vec::new();
    let key_errs = is_qualified_name(key);
    if !key_errs.is_empty() {
        errs.push(FieldError::invalid(&path.child("key"), key, key_errs.join("; ")));
    }
    let values_json = if values.is_empty() {
        BadValue::Json(serde_json::Value::Null)
    } else {
        BadValue::from(values.as_slice())
    };
    let value_path = path.child("values");
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => errs.push(FieldError::invalid(
            &value_path,
            values_json,
            "for 'in', 'notin' operators, values set can't be empty",
        )),
        Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if values.len() != 1 => {
            errs.push(FieldError::invalid(
                &value_path,
                values_json,
                "exact-match compatibility requires one single value",
            ))
        }
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
            errs.push(FieldError::invalid(
                &value_path,
                values_json,
                "values set must be empty for exists and does not exist",
            ))
        }
        Operator::GreaterThan | Operator::LessThan => {
            if values.len() != 1 {
                errs.push(FieldError::invalid(
                    &value_path,
                    values_json,
                    "for 'Gt', 'Lt' operators, exactly one value is required",
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errs.push(FieldError::invalid(
                        &value_path.index(i),
                        v,
                        "for 'Gt', 'Lt' operators, the value must be an integer",
                    ));
                }
            }
        }
        _ => {}
    }
    for (i, v) in values.iter().enumerate() {
        let value_errs = is_valid_label_value(v);
        if !value_errs.is_empty() {
            errs.push(FieldError::invalid(&value_path.index(i).key(key), v, value_errs.join("; ")));
        }
    }
    match aggregate_message(&errs) {
        Some(msg) => Err(msg),
        None => Ok(Requirement { key: key.to_string(), operator, values }),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser: a port of upstream's, because its error text depends on its exact steps.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(s: &[u8]) -> Option<Token> {
    Some(match s {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    /// Like upstream, a NUL byte reads the same as the end of the string.
    fn read(&mut self) -> u8 {
        match self.s.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn lex(&mut self) -> (Token, String) {
        let mut ch = self.read();
        while is_whitespace(ch) {
            ch = self.read();
        }
        if ch == 0 {
            return (Token::EndOfString, String::new());
        }
        self.unread();
        if is_special(ch) { self.scan_special() } else { self.scan_identifier() }
    }

    fn scan_identifier(&mut self) -> (Token, String) {
        let start = self.pos;
        let mut end;
        loop {
            end = self.pos;
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if is_special(ch) || is_whitespace(ch) {
                self.unread();
                break;
            }
        }
        // Splits fall on ASCII bytes, so the slice is valid UTF-8 whenever the input is.
        let word = &self.s[start..end];
        let text = String::from_utf8_lossy(word).into_owned();
        (keyword(word).unwrap_or(Token::Identifier), text)
    }

    fn scan_special(&mut self) -> (Token, String) {
        let start = self.pos;
        let mut last: Option<(Token, usize)> = None;
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if !is_special(ch) {
                self.unread();
                break;
            }
            match keyword(&self.s[start..self.pos]) {
                Some(token) => last = Some((token, self.pos)),
                None if last.is_some() => {
                    self.unread();
                    break;
                }
                None => {}
            }
        }
        match last {
            Some((token, end)) => {
                (token, String::from_utf8_lossy(&self.s[start..end]).into_owned())
            }
            // Unreachable with upstream's token table (every special byte is a token).
            None => (Token::EndOfString, String::new()),
        }
    }
}

fn lex_all(selector: &str) -> Vec<(Token, String)> {
    let mut lexer = Lexer { s: selector.as_bytes(), pos: 0 };
    let mut items = Vec::new();
    loop {
        let (token, literal) = lexer.lex();
        items.push((token, literal));
        if token == Token::EndOfString {
            return items;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser {
    items: Vec<(Token, String)>,
    position: usize,
}

const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

impl Parser {
    fn item(&self, at: usize, context: Context) -> (Token, String) {
        let (token, literal) =
            self.items.get(at).cloned().unwrap_or((Token::EndOfString, String::new()));
        // Inside values, the words `in` and `notin` are plain identifiers.
        let token = match (context, token) {
            (Context::Values, Token::In | Token::NotIn) => Token::Identifier,
            _ => token,
        };
        (token, literal)
    }

    fn lookahead(&self, context: Context) -> (Token, String) {
        self.item(self.position, context)
    }

    fn consume(&mut self, context: Context) -> (Token, String) {
        let item = self.item(self.position, context);
        self.position += 1;
        item
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, SelectorError> {
        let mut requirements = Vec::new();
        loop {
            let (token, literal) = self.lookahead(Context::Values);
            match token {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self.parse_requirement().map_err(SelectorError::Requirement)?;
                    requirements.push(r);
                    let (t, l) = self.consume(Context::Values);
                    match t {
                        Token::EndOfString => return Ok(requirements),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead(Context::Values);
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(SelectorError::Syntax(format!(
                                    "found '{l2}', expected: identifier after ','"
                                )));
                            }
                        }
                        _ => {
                            return Err(SelectorError::Syntax(format!(
                                "found '{l}', expected: ',' or 'end of string'"
                            )));
                        }
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => {
                    return Err(SelectorError::Syntax(format!(
                        "found '{literal}', expected: !, identifier, or 'end of string'"
                    )));
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, String> {
        let (key, inferred) = self.parse_key_and_infer_operator()?;
        if let Some(op @ (Operator::Exists | Operator::DoesNotExist)) = inferred {
            return new_requirement(&key, op, Vec::new());
        }
        let operator = self.parse_operator()?;
        let values = match operator {
            Operator::In | Operator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        new_requirement(&key, operator, values.into_iter().collect())
    }

    fn parse_key_and_infer_operator(&mut self) -> Result<(String, Option<Operator>), String> {
        let mut operator = None;
        let (mut token, mut literal) = self.consume(Context::Values);
        if token == Token::DoesNotExist {
            operator = Some(Operator::DoesNotExist);
            (token, literal) = self.consume(Context::Values);
        }
        if token != Token::Identifier {
            return Err(format!("found '{literal}', expected: identifier"));
        }
        let key_errs = is_qualified_name(&literal);
        if !key_errs.is_empty() {
            return Err(
                FieldError::invalid(&FieldPath::nil(), &literal, key_errs.join("; ")).to_string()
            );
        }
        let (next, _) = self.lookahead(Context::Values);
        if (next == Token::EndOfString || next == Token::Comma) && operator.is_none() {
            operator = Some(Operator::Exists);
        }
        Ok((literal, operator))
    }

    fn parse_operator(&mut self) -> Result<Operator, String> {
        let (token, literal) = self.consume(Context::KeyAndOperator);
        Ok(match token {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => return Err(format!("found '{literal}', expected: {BINARY_OPERATORS}")),
        })
    }

    fn parse_values(&mut self) -> Result<BTreeSet<String>, String> {
        let (token, literal) = self.consume(Context::Values);
        if token != Token::OpenPar {
            // Upstream has no colon here.
            return Err(format!("found '{literal}' expected: '('"));
        }
        let (token, literal) = self.lookahead(Context::Values);
        match token {
            Token::Identifier | Token::Comma => {
                let set = self.parse_identifiers_list()?;
                let (closing, _) = self.consume(Context::Values);
                if closing != Token::ClosedPar {
                    return Err(format!("found '{literal}', expected: ')'"));
                }
                Ok(set)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(BTreeSet::from([String::new()]))
            }
            _ => Err(format!("found '{literal}', expected: ',', ')' or identifier")),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<BTreeSet<String>, String> {
        let mut set = BTreeSet::new();
        loop {
            let (token, literal) = self.consume(Context::Values);
            match token {
                Token::Identifier => {
                    set.insert(literal);
                    let (next, next_literal) = self.lookahead(Context::Values);
                    match next {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(set),
                        _ => return Err(format!("found '{next_literal}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    // "(," ",)" and ",," each stand for an empty value.
                    if set.is_empty() {
                        set.insert(String::new());
                    }
                    let (next, _) = self.lookahead(Context::Values);
                    if next == Token::ClosedPar {
                        set.insert(String::new());
                        return Ok(set);
                    }
                    if next == Token::Comma {
                        self.consume(Context::Values);
                        set.insert(String::new());
                    }
                }
                _ => return Err(format!("found '{literal}', expected: ',', or identifier")),
            }
        }
    }

    fn parse_exact_value(&mut self) -> Result<BTreeSet<String>, String> {
        let (token, _) = self.lookahead(Context::Values);
        if token == Token::EndOfString || token == Token::Comma {
            return Ok(BTreeSet::from([String::new()]));
        }
        let (token, literal) = self.consume(Context::Values);
        if token == Token::Identifier {
            Ok(BTreeSet::from([literal]))
        } else {
            Err(format!("found '{literal}', expected: identifier"))
        }
    }
}

/// What kubectl prints when the server rejects a list's selector (cli-runtime
/// `EnhanceListError` then `Error from server (BadRequest): `), e.g. for `resource`
/// `/v1, Resource=pods`.
pub fn kubectl_list_selector_error(
    resource: &str,
    label_selector: &str,
    field_selector: &str,
    err: &SelectorError,
) -> String {
    use super::validation::go_quote;
    format!(
        "Error from server (BadRequest): Unable to find {} that match label selector {}, field selector {}: {err}",
        go_quote(resource),
        go_quote(label_selector),
        go_quote(field_selector)
    )
}

// ---------------------------------------------------------------------------------------------
// metav1.LabelSelector
// ---------------------------------------------------------------------------------------------

/// `metav1.LabelSelectorAsSelector`: `None` (a nil selector) matches nothing, an empty one
/// everything. The first invalid entry (matchLabels in key order, then matchExpressions) fails.
pub fn label_selector_as_selector(ls: Option<&LabelSelector>) -> Result<Selector, SelectorError> {
    let Some(ls) = ls else {
        return Ok(Selector::nothing());
    };
    let match_labels = ls.match_labels.as_ref();
    let match_expressions = ls.match_expressions.as_deref().unwrap_or(&[]);
    if match_labels.is_none_or(BTreeMap::is_empty) && match_expressions.is_empty() {
        return Ok(Selector::everything());
    }
    let mut requirements = Vec::new();
    for (k, v) in match_labels.into_iter().flatten() {
        let r = new_requirement(k, Operator::Equals, vec![v.clone()]);
        requirements.push(r.map_err(SelectorError::Invalid)?);
    }
    for expr in match_expressions {
        let op = match expr.operator.as_str() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => return Err(SelectorError::UnknownOperator(other.to_string())),
        };
        let values = expr.values.clone().unwrap_or_default();
        requirements.push(new_requirement(&expr.key, op, values).map_err(SelectorError::Invalid)?);
    }
    crate::sorting::sort_by(&mut requirements, |a, b| a.key.cmp(&b.key));
    Ok(Selector { requirements, nothing: false })
}

/// `metav1.FormatLabelSelector`: the SELECTOR column of `-o wide`; `<none>` when empty or nil,
/// `<error>` when invalid.
pub fn format_label_selector(ls: Option<&LabelSelector>) -> String {
    match label_selector_as_selector(ls) {
        Err(_) => "<error>".to_string(),
        Ok(sel) => {
            let s = sel.to_string();
            if s.is_empty() { "<none>".to_string() } else { s }
        }
    }
}

/// Options of [`validate_label_selector`] (`LabelSelectorValidationOptions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LabelSelectorValidationOptions {
    /// Skip label-value checks in matchExpressions (true only for objects already stored so).
    pub allow_invalid_label_value_in_selector: bool,
    /// Accept operators other than the four known ones.
    pub allow_unknown_operator_in_requirement: bool,
}

/// `metav1validation.ValidateLabels`: each bad key or value is reported at `path` itself.
pub fn validate_labels(labels: &BTreeMap<String, String>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels {
        for msg in is_qualified_name(k) {
            errs.push(FieldError::invalid(path, k, msg));
        }
        for msg in is_valid_label_value(v) {
            errs.push(FieldError::invalid(path, v, msg));
        }
    }
    errs
}

/// `metav1validation.ValidateLabelSelector`, the API server's check of e.g. `spec.selector`.
pub fn validate_label_selector(
    ls: Option<&LabelSelector>,
    opts: LabelSelectorValidationOptions,
    path: &FieldPath,
) -> Vec<FieldError> {
    let Some(ls) = ls else {
        return Vec::new();
    };
    let mut errs = Vec::new();
    if let Some(labels) = &ls.match_labels {
        errs.extend(validate_labels(labels, &path.child("matchLabels")));
    }
    for (i, expr) in ls.match_expressions.iter().flatten().enumerate() {
        let p = path.child("matchExpressions").index(i);
        let values = expr.values.as_deref().unwrap_or(&[]);
        match expr.operator.as_str() {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(
                        &p.child("values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(
                        &p.child("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            other => {
                if !opts.allow_unknown_operator_in_requirement {
                    errs.push(FieldError::invalid(
                        &p.child("operator"),
                        other,
                        "not a valid selector operator",
                    ));
                }
            }
        }
        for msg in is_qualified_name(&expr.key) {
            errs.push(FieldError::invalid(&p.child("key"), &expr.key, msg));
        }
        if !opts.allow_invalid_label_value_in_selector {
            for (j, v) in values.iter().enumerate() {
                for msg in is_valid_label_value(v) {
                    errs.push(FieldError::invalid(&p.child("values").index(j), v, msg));
                }
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    const KEY_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn parse_err(s: &str) -> String {
        match Selector::parse(s) {
            Ok(sel) => panic!("{s:?} parsed as {sel}"),
            Err(e) => e.to_string(),
        }
    }

    fn round_trip(s: &str) -> String {
        match Selector::parse(s) {
            Ok(sel) => sel.to_string(),
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    #[test]
    fn parses_and_prints_like_upstream() {
        assert_eq!(round_trip(""), "");
        assert_eq!(round_trip("app=kubia"), "app=kubia");
        assert_eq!(
            round_trip("pod-template-hash=abc,app=kubia"),
            "app=kubia,pod-template-hash=abc"
        );
        assert_eq!(round_trip("a==b"), "a==b");
        assert_eq!(round_trip("a!=b"), "a!=b");
        assert_eq!(round_trip("env in (qa, prod)"), "env in (prod,qa)");
        assert_eq!(round_trip("env notin (prod)"), "env notin (prod)");
        assert_eq!(round_trip("env in (prod,prod)"), "env in (prod)");
        assert_eq!(round_trip("x, !y"), "x,!y");
        assert_eq!(round_trip("  a = b ,\tc\n"), "a=b,c");
        assert_eq!(round_trip("a="), "a=");
        assert_eq!(round_trip("a=,b"), "a=,b");
        assert_eq!(round_trip("a in ()"), "a in ()");
        assert_eq!(round_trip("a in (,)"), "a in ()");
        assert_eq!(round_trip("a in (x,)"), "a in (,x)");
        assert_eq!(round_trip("in=notin"), "in=notin");
        assert_eq!(round_trip("a in (in,notin)"), "a in (in,notin)");
        assert_eq!(round_trip("a>1,b<2"), "a>1,b<2");
        assert_eq!(round_trip("example.com/app=x"), "example.com/app=x");
    }

    #[test]
    fn matching() {
        let pod = labels(&[("app", "kubia"), ("env", "prod"), ("n", "5")]);
        let m = |s: &str| Selector::parse(s).map(|sel| sel.matches(&pod)).unwrap_or(false);
        assert!(m(""));
        assert!(m("app=kubia"));
        assert!(m("app==kubia,env=prod"));
        assert!(!m("app=other"));
        assert!(m("app!=other"));
        assert!(m("missing!=x"));
        assert!(m("env in (prod,qa)"));
        assert!(!m("env notin (prod)"));
        assert!(m("missing notin (prod)"));
        assert!(!m("missing in (prod)"));
        assert!(m("app"));
        assert!(!m("!app"));
        assert!(m("!missing"));
        assert!(m("n>4"));
        assert!(!m("n>5"));
        assert!(m("n<6"));
        // A negative bound is not a valid label value, as upstream.
        assert!(Selector::parse("n>-1").is_err());
        assert!(!m("app>1"));
        assert!(!m("missing<1"));
        assert!(!Selector::nothing().matches(&pod));
        assert!(Selector::everything().matches(&pod));
        assert!(Selector::from_set(&labels(&[("app", "kubia")])).matches(&pod));
        assert_eq!(Selector::from_set(&labels(&[("b", "2"), ("a", "1")])).to_string(), "a=1,b=2");
    }

    #[test]
    fn syntax_errors_are_upstreams() {
        assert_eq!(
            parse_err("env in (prod"),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        assert_eq!(
            parse_err("env in prod"),
            "unable to parse requirement: found 'prod' expected: '('"
        );
        assert_eq!(
            parse_err("env in (prod,"),
            "unable to parse requirement: found '', expected: ',', or identifier"
        );
        assert_eq!(
            parse_err("env in (="),
            "unable to parse requirement: found '=', expected: ',', ')' or identifier"
        );
        assert_eq!(
            parse_err("env in (a b)"),
            "unable to parse requirement: found 'b', expected: ',' or ')'"
        );
        assert_eq!(
            parse_err("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(
            parse_err("a=(b)"),
            "unable to parse requirement: found '(', expected: identifier"
        );
        assert_eq!(parse_err("!"), "unable to parse requirement: found '', expected: identifier");
        assert_eq!(parse_err("!=a"), "found '!=', expected: !, identifier, or 'end of string'");
        assert_eq!(
            parse_err("! =a"),
            "unable to parse requirement: found '=', expected: identifier"
        );
        assert_eq!(parse_err(",a"), "found ',', expected: !, identifier, or 'end of string'");
        assert_eq!(parse_err("(a"), "found '(', expected: !, identifier, or 'end of string'");
        assert_eq!(parse_err("a=b,"), "found '', expected: identifier after ','");
        assert_eq!(parse_err("a=b,,c"), "found ',', expected: identifier after ','");
        assert_eq!(parse_err("a=b=c"), "found '=', expected: ',' or 'end of string'");
        assert_eq!(parse_err("a=b c"), "found 'c', expected: ',' or 'end of string'");
        assert_eq!(parse_err("!a=b"), "found '=', expected: ',' or 'end of string'");
        assert_eq!(
            parse_err("a>=1"),
            "unable to parse requirement: found '=', expected: identifier"
        );
    }

    #[test]
    fn validation_errors_inside_selectors() {
        assert_eq!(
            parse_err("-ltier=postgres"),
            format!("unable to parse requirement: <nil>: Invalid value: \"-ltier\": {KEY_MSG}")
        );
        assert_eq!(parse_err("env=bad value"), "found 'value', expected: ',' or 'end of string'");
        assert_eq!(
            parse_err("env=-bad"),
            format!(
                "unable to parse requirement: values[0][env]: Invalid value: \"-bad\": {VALUE_MSG}"
            )
        );
        assert_eq!(
            parse_err("env in (-a,-b)"),
            format!(
                "unable to parse requirement: [values[0][env]: Invalid value: \"-a\": {VALUE_MSG}, values[1][env]: Invalid value: \"-b\": {VALUE_MSG}]"
            )
        );
        assert_eq!(
            parse_err("n>x"),
            format!(
                "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"
            )
        );
        let long = format!("env={}", "a".repeat(64));
        assert_eq!(
            parse_err(&long),
            format!(
                "unable to parse requirement: values[0][env]: Invalid value: \"{}\": must be no more than 63 characters",
                "a".repeat(64)
            )
        );
    }

    #[test]
    fn kubectl_wraps_the_servers_message() {
        let err = Selector::parse("env in (prod").unwrap_err();
        assert_eq!(
            kubectl_list_selector_error("/v1, Resource=pods", "env in (prod", "", &err),
            "Error from server (BadRequest): Unable to find \"/v1, Resource=pods\" that match label selector \"env in (prod\", field selector \"\": unable to parse requirement: found '', expected: ',' or ')'"
        );
    }

    fn ls(match_labels: &[(&str, &str)], exprs: &[(&str, &str, &[&str])]) -> LabelSelector {
        LabelSelector {
            match_labels: if match_labels.is_empty() { None } else { Some(labels(match_labels)) },
            match_expressions: if exprs.is_empty() {
                None
            } else {
                Some(
                    exprs
                        .iter()
                        .map(|(k, op, vals)| LabelSelectorRequirement {
                            key: k.to_string(),
                            operator: op.to_string(),
                            values: if vals.is_empty() {
                                None
                            } else {
                                Some(vals.iter().map(|v| v.to_string()).collect())
                            },
                        })
                        .collect(),
                )
            },
        }
    }

    #[test]
    fn label_selector_conversion_and_format() {
        assert_eq!(format_label_selector(None), "<none>");
        assert_eq!(format_label_selector(Some(&LabelSelector::default())), "<none>");
        assert_eq!(format_label_selector(Some(&ls(&[("app", "kubia")], &[]))), "app=kubia");
        assert_eq!(
            format_label_selector(Some(&ls(&[], &[("app", "In", &["kubia"])]))),
            "app in (kubia)"
        );
        assert_eq!(
            format_label_selector(Some(&ls(
                &[("tier", "web")],
                &[
                    ("env", "NotIn", &["qa", "dev"]),
                    ("app", "Exists", &[]),
                    ("old", "DoesNotExist", &[])
                ]
            ))),
            "app,env notin (dev,qa),!old,tier=web"
        );
        assert_eq!(format_label_selector(Some(&ls(&[], &[("app", "Foo", &["x"])]))), "<error>");
        let sel = label_selector_as_selector(Some(&ls(
            &[("app", "kubia")],
            &[("env", "In", &["a", "b"])],
        )));
        let pod = labels(&[("app", "kubia"), ("env", "b")]);
        assert!(sel.as_ref().is_ok_and(|s| s.matches(&pod)));
        assert!(label_selector_as_selector(None).is_ok_and(|s| s.is_nothing() && !s.matches(&pod)));
        assert!(
            label_selector_as_selector(Some(&LabelSelector::default())).is_ok_and(|s| s.is_empty())
        );
    }

    #[test]
    fn label_selector_conversion_errors() {
        let err = |sel: LabelSelector| match label_selector_as_selector(Some(&sel)) {
            Ok(s) => panic!("accepted {s}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            err(ls(&[], &[("app", "Foo", &[])])),
            "\"Foo\" is not a valid label selector operator"
        );
        assert_eq!(
            err(ls(&[], &[("app", "In", &[])])),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
        );
        assert_eq!(
            err(ls(&[], &[("app", "Exists", &["x"])])),
            "values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist"
        );
        assert_eq!(
            err(ls(&[("bad key", "x")], &[])),
            format!("key: Invalid value: \"bad key\": {KEY_MSG}")
        );
        assert_eq!(
            err(ls(&[("app", "-x")], &[])),
            format!("values[0][app]: Invalid value: \"-x\": {VALUE_MSG}")
        );
    }

    #[test]
    fn api_server_validation_of_label_selectors() {
        let path = FieldPath::root("spec").child("selector");
        let v = |sel: LabelSelector| -> Vec<String> {
            validate_label_selector(Some(&sel), LabelSelectorValidationOptions::default(), &path)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert!(v(ls(&[("app", "kubia")], &[("env", "In", &["prod"])])).is_empty());
        assert_eq!(
            v(ls(&[], &[("env", "In", &[])])),
            vec![
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            ]
        );
        assert_eq!(
            v(ls(&[], &[("env", "Exists", &["x"])])),
            vec![
                "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            ]
        );
        assert_eq!(
            v(ls(&[], &[("env", "Equals", &["x"])])),
            vec![
                "spec.selector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator"
            ]
        );
        assert_eq!(
            v(ls(&[], &[("env", "In", &["-x"])])),
            vec![format!(
                "spec.selector.matchExpressions[0].values[0]: Invalid value: \"-x\": {VALUE_MSG}"
            )]
        );
        assert_eq!(
            v(ls(&[("-k", "-v")], &[])),
            vec![
                format!("spec.selector.matchLabels: Invalid value: \"-k\": {KEY_MSG}"),
                format!("spec.selector.matchLabels: Invalid value: \"-v\": {VALUE_MSG}"),
            ]
        );
        let lenient = LabelSelectorValidationOptions {
            allow_invalid_label_value_in_selector: true,
            allow_unknown_operator_in_requirement: true,
        };
        assert!(
            validate_label_selector(Some(&ls(&[], &[("env", "Foo", &["-x"])])), lenient, &path)
                .is_empty()
        );
        assert!(validate_label_selector(None, lenient, &path).is_empty());
    }

    #[test]
    fn exact_match() {
        let sel = Selector::parse("a=1,b in (2),c in (3,4),d!=5").unwrap_or_default();
        assert_eq!(sel.requires_exact_match("a"), Some("1"));
        assert_eq!(sel.requires_exact_match("b"), Some("2"));
        assert_eq!(sel.requires_exact_match("c"), None);
        assert_eq!(sel.requires_exact_match("d"), None);
        assert_eq!(sel.requires_exact_match("e"), None);
        assert_eq!(sel.requirements().len(), 4);
        assert_eq!(sel.requirements()[2].operator().as_str(), "in");
        assert_eq!(sel.requirements()[2].values(), &["3".to_string(), "4".to_string()]);
        assert_eq!(sel.requirements()[0].key(), "a");
    }

    #[test]
    fn hostile_inputs() {
        let huge = "a=b,".repeat(20_000);
        assert!(matches!(Selector::parse(&huge), Err(SelectorError::TooLong { .. })));
        let many = "a,".repeat(10_000) + "a";
        assert!(Selector::parse(&many).is_ok());
        for s in [
            "\u{0}", "a\u{0}b", "é=ü", "🚀", "(((((", ")))", "!!!!", "=====", "a in (((", "<>",
            "a<>b",
        ] {
            let _ = Selector::parse(s);
        }
        assert_eq!(round_trip("\u{0}a=b"), "");
        assert!(
            parse_err("é=ü")
                .starts_with("unable to parse requirement: <nil>: Invalid value: \"é\"")
        );
        assert_eq!(
            parse_err("a in ((("),
            "unable to parse requirement: found '(', expected: ',', ')' or identifier"
        );
    }
}
