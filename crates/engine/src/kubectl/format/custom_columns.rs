//! `kubectl get -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image`.
//!
//! A port of kubectl's `pkg/cmd/get/customcolumn.go`: the spec is split on `,` then on the first
//! `:`; each path is "relaxed" into a jsonpath (`metadata.name`, `.metadata.name`,
//! `{metadata.name}` and `{.metadata.name}` all become `{.metadata.name}`); a cell joins its values
//! with `,` as Go's `fmt.Sprint` shows them, or says `<none>` when there are none. Missing keys are
//! always allowed. Rows go through kubectl's tab writer.

use serde_json::Value;
use thiserror::Error;

use super::jsonpath::JsonPath;
use super::tabwriter::TabWriter;

/// Most columns a spec may name (kubectl has no limit; this bounds the work per row).
pub const MAX_COLUMNS: usize = 256;

/// A custom-columns failure, displayed as kubectl prints it after `error: `.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CustomColumnsError {
    /// `-o custom-columns=` with nothing after the `=`.
    #[error("custom-columns format specified but no custom columns given")]
    Empty,
    /// A column without a `:` between header and path.
    #[error("unexpected custom-columns spec: {0}, expected <header>:<json-path-expr>")]
    MissingColon(String),
    /// A path with braces in the wrong places.
    #[error(
        "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{{name1.name2}}' or '{{.name1.name2}}'"
    )]
    BadPath,
    /// A column's jsonpath does not parse (kubectl prints client-go's bare message).
    #[error("{0}")]
    Parse(String),
    /// Evaluating a column failed (client-go's bare message, e.g. an index out of bounds).
    #[error("{0}")]
    Execute(String),
    /// More columns than [`MAX_COLUMNS`].
    #[error("custom-columns spec names more than {MAX_COLUMNS} columns")]
    TooManyColumns,
}

/// One column: its header and its jsonpath template (`{.metadata.name}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header, printed as given.
    pub header: String,
    /// The relaxed jsonpath template.
    pub field_spec: String,
}

/// Parses a `-o custom-columns=` spec (`NewCustomColumnsPrinterFromSpec`).
pub fn parse_spec(spec: &str) -> Result<Vec<Column>, CustomColumnsError> {
    if spec.is_empty() {
        return Err(CustomColumnsError::Empty);
    }
    let parts: Vec<&str> = spec.split(',').collect();
    if parts.len() > MAX_COLUMNS {
        return Err(CustomColumnsError::TooManyColumns);
    }
    parts
        .into_iter()
        .map(|part| {
            let (header, path) = part
                .split_once(':')
                .ok_or_else(|| CustomColumnsError::MissingColon(part.into()))?;
            Ok(Column { header: header.into(), field_spec: relaxed_jsonpath(path)? })
        })
        .collect()
}

/// kubectl's `RelaxedJSONPathExpression`: `^\{\.?([^{}]+)\}$|^\.?([^{}]+)$` → `{.<path>}`.
pub fn relaxed_jsonpath(path: &str) -> Result<String, CustomColumnsError> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let no_braces = |s: &str| !s.is_empty() && !s.contains(['{', '}']);
    // `\.?` is optional: the regexp drops a leading dot only when something is left after it.
    let relax = |s: &'_ str| -> Option<String> {
        match s.strip_prefix('.') {
            Some(rest) if no_braces(rest) => Some(rest.into()),
            _ => no_braces(s).then(|| s.into()),
        }
    };
    let inner = path
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .and_then(relax)
        .or_else(|| relax(path))
        .ok_or(CustomColumnsError::BadPath)?;
    Ok(format!("{{.{inner}}}"))
}

/// Prints `objects` as kubectl prints them with these columns: a header row (unless
/// `no_headers`), then one row per object.
///
/// ```
/// use kubeplay_engine::kubectl::format::custom_columns::{parse_spec, render};
/// let pods = [serde_json::json!({
///     "metadata": {"name": "kubia-manual"},
///     "spec": {"containers": [{"image": "luksa/kubia"}, {"image": "busybox"}]},
/// })];
/// let cols = parse_spec("NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName").unwrap();
/// assert_eq!(
///     render(&cols, &pods, false).unwrap(),
///     "NAME           IMAGES                NODE\nkubia-manual   luksa/kubia,busybox   <none>\n"
/// );
/// ```
pub fn render(
    columns: &[Column],
    objects: &[Value],
    no_headers: bool,
) -> Result<String, CustomColumnsError> {
    let parsers = columns
        .iter()
        .map(|c| {
            JsonPath::parse(&c.field_spec).map_err(|e| match e {
                super::jsonpath::JsonPathError::Parse { reason, .. } => {
                    CustomColumnsError::Parse(reason)
                }
                other => CustomColumnsError::Parse(other.to_string()),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut text = String::new();
    if !no_headers {
        let headers: Vec<&str> = columns.iter().map(|c| c.header.as_str()).collect();
        text.push_str(&headers.join("\t"));
        text.push('\n');
    }
    for obj in objects {
        let mut cells = Vec::with_capacity(parsers.len());
        for parser in &parsers {
            let groups = parser.find_results_sprint(obj).map_err(CustomColumnsError::Execute)?;
            let mut values: Vec<String> = Vec::new();
            if groups.first().is_none_or(Vec::is_empty) {
                values.push("<none>".into());
            }
            values.extend(groups.into_iter().flatten().map(|v| escape_terminal(&v)));
            cells.push(values.join(","));
        }
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    Ok(TabWriter::new().format(&text))
}

/// cli-runtime's `EscapeTerminal`: ESC shows as `^[`, CR as `\r`.
fn escape_terminal(s: &str) -> String {
    s.replace('\x1b', "^[").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relaxed_paths() {
        for p in ["metadata.name", ".metadata.name", "{metadata.name}", "{.metadata.name}"] {
            assert_eq!(relaxed_jsonpath(p).unwrap(), "{.metadata.name}", "{p}");
        }
        assert_eq!(relaxed_jsonpath("").unwrap(), "");
        for p in ["{.a", "a}", "{}", "{.}x", "{{a}}", "{"] {
            assert_eq!(relaxed_jsonpath(p), Err(CustomColumnsError::BadPath), "{p}");
        }
        assert_eq!(relaxed_jsonpath("..a").unwrap(), "{..a}");
        assert_eq!(relaxed_jsonpath(".").unwrap(), "{..}");
        assert_eq!(relaxed_jsonpath("{.}").unwrap(), "{..}");
    }

    #[test]
    fn spec_errors_like_kubectl() {
        assert_eq!(
            parse_spec("").unwrap_err().to_string(),
            "custom-columns format specified but no custom columns given"
        );
        assert_eq!(
            parse_spec("NAME:.metadata.name,IMAGE").unwrap_err().to_string(),
            "unexpected custom-columns spec: IMAGE, expected <header>:<json-path-expr>"
        );
        assert_eq!(
            parse_spec("NAME:{.a").unwrap_err().to_string(),
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"
        );
        let cols = parse_spec("A:.a[").unwrap();
        assert_eq!(
            render(&cols, &[json!({})], false).unwrap_err().to_string(),
            "unterminated array"
        );
        let cols = parse_spec("A:.a[5]").unwrap();
        assert_eq!(
            render(&cols, &[json!({"a": [1]})], false).unwrap_err().to_string(),
            "array index out of bounds: index 5, length 1"
        );
        assert!(parse_spec(&"A:a,".repeat(MAX_COLUMNS + 1)).is_err());
    }

    #[test]
    fn cells_like_kubectl() {
        let objs = [
            json!({"metadata": {"name": "a", "labels": {"app": "x", "tier": "web"}}, "spec": {"replicas": 3, "f": 1e6, "n": null}}),
            json!({"metadata": {"name": "b\u{1b}"}, "spec": {}}),
        ];
        let cols = parse_spec("NAME:metadata.name,LABELS:.metadata.labels,R:.spec.replicas,F:.spec.f,N:.spec.n,EMPTY:").unwrap();
        let row = |c: [&str; 6]| {
            format!("{:<7}{:<22}{:<9}{:<9}{:<9}{}\n", c[0], c[1], c[2], c[3], c[4], c[5])
        };
        let want = row(["NAME", "LABELS", "R", "F", "N", "EMPTY"])
            + &row(["a", "map[app:x tier:web]", "3", "1e+06", "<nil>", "<none>"])
            + &row(["b^[", "<none>", "<none>", "<none>", "<none>", "<none>"]);
        assert_eq!(render(&cols, &objs, false).unwrap(), want);
        assert_eq!(render(&cols[..1], &objs, true).unwrap(), "a\nb^[\n");
    }

    #[test]
    fn header_only_for_no_objects() {
        let cols = parse_spec("NAME:.metadata.name").unwrap();
        assert_eq!(render(&cols, &[], false).unwrap(), "NAME\n");
    }
}
