//! Manifests in: multi-document YAML, JSON and `kind: List`, decoded strictly into typed objects
//! with the API server's and kubectl's wording for every way that can fail.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::kinds::{Kind, Object};

/// The largest manifest accepted, as the API server's request body limit (3 MiB).
pub const MAX_MANIFEST_BYTES: usize = 3 * 1024 * 1024;
/// The most documents one manifest may hold.
pub const MAX_DOCUMENTS: usize = 1_000;
/// How deep a document may nest.
pub const MAX_NESTING_DEPTH: usize = 64;

/// One document of a manifest, as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// 1-based index of the document in the file.
    pub index: usize,
    /// The content.
    pub value: Value,
}

/// Why a manifest could not become objects.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The text is not valid YAML or JSON.
    #[error("error converting YAML to JSON: yaml: {}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Syntax {
        /// Line of the problem, when the parser knows it.
        line: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// The manifest is larger than the API server takes.
    #[error("Request entity too large: limit is {MAX_MANIFEST_BYTES}")]
    TooLarge,
    /// More documents than [`MAX_DOCUMENTS`].
    #[error("too many documents: limit is {MAX_DOCUMENTS}")]
    TooManyDocuments,
    /// A document lacks `apiVersion` and/or `kind`.
    #[error("error validating data: [{}]", missing.join(", "))]
    MissingTypeInfo {
        /// `apiVersion not set`, `kind not set`.
        missing: Vec<String>,
    },
    /// No served kind matches `apiVersion`/`kind`.
    #[error("no matches for kind \"{kind}\" in version \"{api_version}\"")]
    NoKindMatch {
        /// Object name in the manifest.
        name: String,
        /// Namespace in the manifest.
        namespace: String,
        /// The kind asked for.
        kind: String,
        /// The version asked for.
        api_version: String,
        /// The version the kind is served at now, if the kind exists.
        current: Option<String>,
    },
    /// The document does not fit the kind's schema (wrong types, unknown fields).
    #[error("{kind} in version \"{version}\" cannot be handled as a {kind}: {detail}")]
    CannotHandle {
        /// The kind.
        kind: String,
        /// The version (`v1`).
        version: String,
        /// `strict decoding error: unknown field "..."` or a type error.
        detail: String,
    },
}

/// Splits a manifest into JSON documents (empty documents skipped, `kind: List` flattened).
pub fn parse_documents(text: &str) -> Result<Vec<Document>, DecodeError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(DecodeError::TooLarge);
    }
    let mut documents = Vec::new();
    for (i, de) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let yaml = serde_yaml_ng::Value::deserialize(de).map_err(syntax_error)?;
        if i >= MAX_DOCUMENTS {
            return Err(DecodeError::TooManyDocuments);
        }
        let value = yaml_to_json(yaml, 0)?;
        if value.is_null() {
            continue;
        }
        let is_list = value.get("kind").and_then(Value::as_str) == Some("List")
            && value.get("apiVersion").and_then(Value::as_str) == Some("v1");
        if is_list {
            let items = value.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            for item in items {
                if documents.len() >= MAX_DOCUMENTS {
                    return Err(DecodeError::TooManyDocuments);
                }
                documents.push(Document { index: i + 1, value: item });
            }
        } else {
            documents.push(Document { index: i + 1, value });
        }
    }
    Ok(documents)
}

fn syntax_error(e: serde_yaml_ng::Error) -> DecodeError {
    let line = e.location().map(|l| l.line());
    let mut message = e.to_string();
    // serde_yaml_ng appends " at line L column C"; kubectl puts the line in front instead.
    if let Some(pos) = message.find(" at line ") {
        message.truncate(pos);
    }
    DecodeError::Syntax { line, message }
}

fn yaml_to_json(yaml: serde_yaml_ng::Value, depth: usize) -> Result<Value, DecodeError> {
    use serde_yaml_ng::Value as Y;
    if depth > MAX_NESTING_DEPTH {
        return Err(DecodeError::Syntax {
            line: None,
            message: format!("exceeded max depth of {MAX_NESTING_DEPTH}"),
        });
    }
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(|| {
                    DecodeError::Syntax { line: None, message: format!("invalid number {n}") }
                })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items.into_iter().map(|v| yaml_to_json(v, depth + 1)).collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => {
                        return Err(DecodeError::Syntax {
                            line: None,
                            message: "invalid map key: a map or sequence cannot be a key".into(),
                        });
                    }
                };
                out.insert(key, yaml_to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, depth + 1)?,
    })
}

/// The name and namespace a document declares (for messages before it is decoded).
pub fn declared_name(value: &Value) -> (String, String) {
    let meta = value.get("metadata");
    let get = |k: &str| {
        meta.and_then(|m| m.get(k)).and_then(Value::as_str).unwrap_or_default().to_string()
    };
    (get("name"), get("namespace"))
}

/// Resolves a document's kind from `apiVersion` and `kind`.
pub fn resolve_kind(value: &Value) -> Result<Kind, DecodeError> {
    let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default();
    let mut missing = Vec::new();
    if api_version.is_empty() {
        missing.push("apiVersion not set".to_string());
    }
    if kind.is_empty() {
        missing.push("kind not set".to_string());
    }
    if !missing.is_empty() {
        return Err(DecodeError::MissingTypeInfo { missing });
    }
    Kind::from_api_version(api_version, kind).ok_or_else(|| {
        let (name, namespace) = declared_name(value);
        DecodeError::NoKindMatch {
            name,
            namespace,
            kind: kind.into(),
            api_version: api_version.into(),
            current: Kind::from_kind_name(kind).map(|k| k.info().api_version.to_string()),
        }
    })
}

/// Decodes one document into a typed object, rejecting unknown fields and wrong types.
pub fn decode_object(value: Value) -> Result<Object, DecodeError> {
    let kind = resolve_kind(&value)?;
    let info = kind.info();
    let mut input = value;
    stringify_quantities(&mut input, None);
    let cannot_handle = |detail: String| DecodeError::CannotHandle {
        kind: info.kind.into(),
        version: info.version.into(),
        detail,
    };
    let object =
        Object::from_json(kind, input.clone()).map_err(|e| cannot_handle(type_error(&e)))?;
    let mut unknown = Vec::new();
    find_unknown_fields(&input, &object.to_json(), &mut String::new(), &mut unknown);
    if !unknown.is_empty() {
        let fields: Vec<String> =
            unknown.iter().map(|f| format!("unknown field \"{f}\"")).collect();
        return Err(cannot_handle(format!("strict decoding error: {}", fields.join(", "))));
    }
    Ok(object)
}

/// `0660` or `0o660` as YAML 1.1 reads it (octal), if it is one.
fn yaml11_octal(s: &str) -> Option<i64> {
    let digits = s.strip_prefix("0o").or_else(|| s.strip_prefix('0').filter(|d| !d.is_empty()))?;
    if digits.len() > 11 {
        return None;
    }
    i64::from_str_radix(digits, 8).ok()
}

// Quantities may be written as bare numbers in YAML (`cpu: 1`); the API takes them as strings.
fn stringify_quantities(value: &mut Value, parent_key: Option<&str>) {
    const QUANTITY_MAPS: &[&str] = &["limits", "requests", "capacity", "allocatable", "hard"];
    match value {
        Value::Object(map) => {
            let in_quantity_map = parent_key.is_some_and(|k| QUANTITY_MAPS.contains(&k));
            for (k, v) in map.iter_mut() {
                if (in_quantity_map || k == "sizeLimit" || k == "divisor") && v.is_number() {
                    *v = Value::String(v.to_string());
                } else if let (true, Some(octal)) =
                    (k == "defaultMode" || k == "mode", v.as_str().and_then(yaml11_octal))
                {
                    // Go's YAML 1.1 reads a plain `0660` as octal; file modes are written so.
                    *v = Value::from(octal);
                } else {
                    stringify_quantities(v, Some(k));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| stringify_quantities(v, None)),
        _ => {}
    }
}

fn find_unknown_fields(input: &Value, typed: &Value, path: &mut String, out: &mut Vec<String>) {
    match (input, typed) {
        (Value::Object(i), Value::Object(t)) => {
            for (k, v) in i {
                if v.is_null() {
                    continue;
                }
                let before = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                match t.get(k) {
                    None => out.push(path.clone()),
                    Some(tv) => find_unknown_fields(v, tv, path, out),
                }
                path.truncate(before);
            }
        }
        (Value::Array(i), Value::Array(t)) => {
            for (idx, (iv, tv)) in i.iter().zip(t).enumerate() {
                let before = path.len();
                path.push_str(&format!("[{idx}]"));
                find_unknown_fields(iv, tv, path, out);
                path.truncate(before);
            }
        }
        _ => {}
    }
}

// Renders a serde type error the way Go's encoding/json reports it to the API server.
pub(crate) fn type_error(e: &super::value_de::PathError) -> String {
    let inner = e.inner().to_string();
    let got = if inner.contains("invalid type: string") {
        "string"
    } else if inner.contains("invalid type: integer") || inner.contains("invalid type: floating") {
        "number"
    } else if inner.contains("invalid type: boolean") {
        "bool"
    } else if inner.contains("invalid type: sequence") {
        "array"
    } else if inner.contains("invalid type: map") {
        "object"
    } else {
        return format!("json: {inner}");
    };
    let expected = inner.rsplit("expected ").next().unwrap_or_default();
    let go_type = match expected {
        "i32" => "int32",
        "i64" => "int64",
        "u32" => "uint32",
        "f64" => "float64",
        "a boolean" | "bool" => "bool",
        "a string" | "string" => "string",
        e if e.starts_with("a sequence") || e.starts_with("a vector") => "[]interface {}",
        e if e.starts_with("struct ") => e.trim_start_matches("struct "),
        _ => "map[string]interface {}",
    };
    let path = e.path().to_string();
    // Go names the field path without indices: spec.containers.ports.containerPort.
    let go_path: String = path
        .split('.')
        .map(|seg| seg.split('[').next().unwrap_or(seg))
        .collect::<Vec<_>>()
        .join(".");
    match go_struct_of(&go_path) {
        Some(owner) => format!(
            "json: cannot unmarshal {got} into Go struct field {owner}.{go_path} of type {go_type}"
        ),
        None => format!("json: cannot unmarshal {got} into Go value of type {go_type}"),
    }
}

// The Go struct that holds the last field of a path, for the common places learners go wrong.
fn go_struct_of(go_path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = go_path.split('.').collect();
    let parent = if segments.len() >= 2 { segments[segments.len() - 2] } else { "" };
    let grandparent = if segments.len() >= 3 { segments[segments.len() - 3] } else { "" };
    Some(match (grandparent, parent) {
        (_, "metadata") => "ObjectMeta",
        ("", "spec") => return None,
        ("template", "spec") => "PodSpec",
        ("spec", "template") => "PodTemplateSpec",
        ("containers", "ports") => "ContainerPort",
        ("spec", "ports") => "ServicePort",
        (_, "containers") | (_, "initContainers") => "Container",
        (_, "env") => "EnvVar",
        (_, "livenessProbe") | (_, "readinessProbe") | (_, "startupProbe") => "Probe",
        (_, "httpGet") => "HTTPGetAction",
        (_, "tcpSocket") => "TCPSocketAction",
        (_, "exec") => "ExecAction",
        (_, "volumeMounts") => "VolumeMount",
        (_, "volumes") => "Volume",
        (_, "selector") => "LabelSelector",
        (_, "strategy") => "DeploymentStrategy",
        (_, "rollingUpdate") => "RollingUpdateDeployment",
        (_, "resources") => "ResourceRequirements",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Result<Vec<Object>, DecodeError> {
        parse_documents(text)?.into_iter().map(|d| decode_object(d.value)).collect()
    }

    #[test]
    fn multi_document_yaml_and_lists_decode() {
        let objs = decode(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n",
        )
        .unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[0].kind(), Kind::Pod);
        assert_eq!(objs[1].kind(), Kind::Namespace);
    }

    #[test]
    fn unknown_fields_are_named_with_their_path() {
        let err = decode("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    imagee: nginx\n  foo: 1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagee\", unknown field \"spec.foo\""
        );
    }

    #[test]
    fn removed_versions_name_the_current_one() {
        let err = decode("apiVersion: apps/v1beta2\nkind: ReplicaSet\nmetadata: {name: kubia}\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no matches for kind \"ReplicaSet\" in version \"apps/v1beta2\""
        );
        assert!(
            matches!(err, DecodeError::NoKindMatch { current: Some(ref v), .. } if v == "apps/v1")
        );
    }

    #[test]
    fn wrong_types_read_like_go() {
        let err = decode("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: x\n    ports:\n    - containerPort: http\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
        );
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let err =
            decode("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: x: y\n").unwrap_err();
        assert!(matches!(err, DecodeError::Syntax { line: Some(_), .. }), "{err:?}");
        assert!(err.to_string().starts_with("error converting YAML to JSON: yaml: line "), "{err}");
    }

    #[test]
    fn missing_type_info_is_listed() {
        let err = decode("metadata: {name: a}\n").unwrap_err();
        assert_eq!(err.to_string(), "error validating data: [apiVersion not set, kind not set]");
    }

    #[test]
    fn quantities_may_be_numbers() {
        let objs = decode("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: x\n    resources: {requests: {cpu: 1, memory: 100Mi}}\n").unwrap();
        let json = objs[0].to_json();
        assert_eq!(json["spec"]["containers"][0]["resources"]["requests"]["cpu"], "1");
    }

    #[test]
    fn alias_bombs_and_oversized_input_fail_cleanly() {
        let bomb = "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
        assert!(decode(bomb).is_err());
        let huge = "a".repeat(MAX_MANIFEST_BYTES + 1);
        assert_eq!(decode(&huge).unwrap_err(), DecodeError::TooLarge);
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(decode(&deep).is_err());
    }
}
