//! Secret defaulting and validation: `type` defaults to Opaque, `stringData` is merged into
//! `data` (winning over it) on write, keys are config keys, and the typed secrets carry the
//! keys their type requires (`ValidateSecret`).

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;

use super::configmap::{MAX_DATA_BYTES, config_key_errors};
use crate::apimachinery::validation::{FieldError, FieldPath};

/// Defaults the type and folds `stringData` into `data`, as the API server's conversion does.
pub fn default_secret(s: &mut Secret) {
    if s.type_.as_deref().unwrap_or("").is_empty() {
        s.type_ = Some("Opaque".into());
    }
    if let Some(string_data) = s.string_data.take() {
        let data = s.data.get_or_insert_with(Default::default);
        for (k, v) in string_data {
            data.insert(k, ByteString(v.into_bytes()));
        }
    }
}

/// Validates a Secret's keys, size and type-specific requirements.
pub fn validate_secret(s: &Secret) -> Vec<String> {
    let mut errs = Vec::new();
    let data = s.data.clone().unwrap_or_default();
    let mut total = 0usize;
    for (k, v) in &data {
        let path = FieldPath::root("data").key(k);
        for m in config_key_errors(k) {
            errs.push(FieldError::invalid(&path, k.as_str(), m).to_string());
        }
        total += v.0.len();
    }
    if total > MAX_DATA_BYTES {
        errs.push(format!("data: Too long: must have at most {MAX_DATA_BYTES} bytes"));
    }
    let required = |key: &str| {
        (!data.contains_key(key))
            .then(|| FieldError::required(&FieldPath::root("data").key(key), "").to_string())
    };
    match s.type_.as_deref().unwrap_or("Opaque") {
        "kubernetes.io/tls" => {
            errs.extend(required("tls.key"));
            errs.extend(required("tls.crt"));
        }
        "kubernetes.io/dockerconfigjson" => match data.get(".dockerconfigjson") {
            None => errs.extend(required(".dockerconfigjson")),
            Some(b) => {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(&b.0) {
                    errs.push(format!(
                        "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": {e}"
                    ));
                }
            }
        },
        "kubernetes.io/service-account-token" => {
            let named = s
                .metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key("kubernetes.io/service-account.name"));
            if !named {
                errs.push(
                    FieldError::required(
                        &FieldPath::root("metadata")
                            .child("annotations")
                            .key("kubernetes.io/service-account.name"),
                        "",
                    )
                    .to_string(),
                );
            }
        }
        "kubernetes.io/basic-auth"
            if !data.contains_key("username") && !data.contains_key("password") =>
        {
            errs.push(
                FieldError::required(&FieldPath::root("data").key("username"), "").to_string(),
            );
        }
        _ => {}
    }
    errs
}

/// A Secret's type may not change.
pub fn validate_secret_update(old: &Secret, new: &Secret) -> Vec<String> {
    if old.type_ != new.type_ {
        let t = new.type_.clone().unwrap_or_default();
        return vec![
            FieldError::invalid(&FieldPath::root("type"), t.as_str(), "field is immutable")
                .to_string(),
        ];
    }
    Vec::new()
}
