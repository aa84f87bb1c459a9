//! Validation shared by every kind: object names and metadata.

use super::kinds::{Kind, Object};

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && (if first_alpha { b[0].is_ascii_lowercase() } else { b[0] != b'-' })
        && b[b.len() - 1] != b'-'
}

/// Errors for a DNS-1123 subdomain (most object names), as apimachinery words them.
pub fn dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !value.split('.').all(|l| is_label(l, false)) {
        errs.push(DNS1123_SUBDOMAIN_MSG.to_string());
    }
    errs
}

/// Errors for a DNS-1123 label (namespaces, container names).
pub fn dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(value, false) {
        errs.push(DNS1123_LABEL_MSG.to_string());
    }
    errs
}

/// Errors for a DNS-1035 label (service names).
pub fn dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(value, true) {
        errs.push(DNS1035_LABEL_MSG.to_string());
    }
    errs
}

/// `path: Invalid value: "v": msg` for each message.
pub fn invalid_string(path: &str, value: &str, messages: Vec<String>) -> Vec<String> {
    messages
        .into_iter()
        .map(|m| format!("{path}: Invalid value: {}: {m}", serde_json::Value::from(value)))
        .collect()
}

/// Name and metadata checks common to every kind.
pub fn validate_object_meta(object: &Object) -> Vec<String> {
    let meta = object.meta();
    let name = meta.name.as_deref().unwrap_or("");
    if name.is_empty() {
        return vec!["metadata.name: Required value: name or generateName is required".into()];
    }
    let messages = match object.kind() {
        Kind::Namespace => dns1123_label(name),
        Kind::Service => dns1035_label(name),
        // Event and Endpoints names follow their owners; anything path-safe goes.
        Kind::Event => Vec::new(),
        _ => dns1123_subdomain(name),
    };
    invalid_string("metadata.name", name, messages)
}
