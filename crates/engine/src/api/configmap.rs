//! ConfigMap validation (`ValidateConfigMap`): keys must be config keys, unique across `data`
//! and `binaryData`, and the whole payload at most 1 MiB.

use k8s_openapi::api::core::v1::ConfigMap;

use crate::apimachinery::validation::{FieldError, FieldPath, max_len_error, regex_error};

/// The most bytes a ConfigMap or Secret may hold (`MaxSecretSize`, `DataSizeLimit`).
pub const MAX_DATA_BYTES: usize = 1024 * 1024;

/// `IsConfigMapKey`: the messages for a bad key (empty when it is fine).
pub fn config_key_errors(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push(max_len_error(253));
    }
    let ok = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !ok {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if key == "." {
        errs.push("must not be '.'".into());
    } else if key == ".." {
        errs.push("must not be '..'".into());
    } else if key.starts_with("..") {
        errs.push("must not start with '..'".into());
    }
    errs
}

/// Validates a ConfigMap's data.
pub fn validate_config_map(cm: &ConfigMap) -> Vec<String> {
    let mut errs = Vec::new();
    let mut total = 0usize;
    for (k, v) in cm.data.iter().flatten() {
        let path = FieldPath::root("data").key(k);
        for m in config_key_errors(k) {
            errs.push(FieldError::invalid(&path, k.as_str(), m).to_string());
        }
        total += v.len();
    }
    for (k, v) in cm.binary_data.iter().flatten() {
        let path = FieldPath::root("binaryData").key(k);
        for m in config_key_errors(k) {
            errs.push(FieldError::invalid(&path, k.as_str(), m).to_string());
        }
        if cm.data.as_ref().is_some_and(|d| d.contains_key(k)) {
            errs.push(
                FieldError::invalid(&path, k.as_str(), "duplicate of key present in data")
                    .to_string(),
            );
        }
        total += v.0.len();
    }
    if total > MAX_DATA_BYTES {
        errs.push(format!("[]: Too long: must have at most {MAX_DATA_BYTES} bytes"));
    }
    errs
}
