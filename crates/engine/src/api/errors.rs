//! API errors shaped like `metav1.Status`, and printed the way kubectl prints them.

use thiserror::Error;

/// The `reason` of a failed API request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// 404.
    NotFound,
    /// 409 on create.
    AlreadyExists,
    /// 409 on a stale update.
    Conflict,
    /// 422: validation failed.
    Invalid,
    /// 400: the request could not be decoded.
    BadRequest,
    /// 403.
    Forbidden,
    /// 405.
    MethodNotAllowed,
    /// 413.
    RequestEntityTooLarge,
    /// 500.
    InternalError,
}

impl Reason {
    /// The HTTP status code.
    pub fn code(self) -> u16 {
        match self {
            Reason::NotFound => 404,
            Reason::AlreadyExists | Reason::Conflict => 409,
            Reason::Invalid => 422,
            Reason::BadRequest => 400,
            Reason::Forbidden => 403,
            Reason::MethodNotAllowed => 405,
            Reason::RequestEntityTooLarge => 413,
            Reason::InternalError => 500,
        }
    }

    /// The reason as the Status object spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Conflict => "Conflict",
            Reason::Invalid => "Invalid",
            Reason::BadRequest => "BadRequest",
            Reason::Forbidden => "Forbidden",
            Reason::MethodNotAllowed => "MethodNotAllowed",
            Reason::RequestEntityTooLarge => "RequestEntityTooLarge",
            Reason::InternalError => "InternalError",
        }
    }
}

/// A failed API request.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ApiError {
    /// Why it failed.
    pub reason: Reason,
    /// The Status message.
    pub message: String,
    /// For `Invalid`: the kind and name, and one rendered field error per cause.
    pub invalid: Option<InvalidDetails>,
}

/// The parts of a 422 that kubectl lays out on several lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidDetails {
    /// `Pod`.
    pub kind: String,
    /// Object name.
    pub name: String,
    /// Rendered field errors (`spec.containers[0].image: Required value`).
    pub causes: Vec<String>,
}

impl ApiError {
    /// `pods "x" not found`.
    pub fn not_found(qualified_plural: &str, name: &str) -> Self {
        Self::new(Reason::NotFound, format!("{qualified_plural} \"{name}\" not found"))
    }

    /// `pods "x" already exists`.
    pub fn already_exists(qualified_plural: &str, name: &str) -> Self {
        Self::new(Reason::AlreadyExists, format!("{qualified_plural} \"{name}\" already exists"))
    }

    /// A 422 with its causes, as `errors.NewInvalid` builds it.
    pub fn invalid(kind: &str, name: &str, causes: Vec<String>) -> Self {
        let message = match causes.as_slice() {
            [one] => format!("{kind} \"{name}\" is invalid: {one}"),
            many => format!("{kind} \"{name}\" is invalid: [{}]", many.join(", ")),
        };
        ApiError {
            reason: Reason::Invalid,
            message,
            invalid: Some(InvalidDetails { kind: kind.into(), name: name.into(), causes }),
        }
    }

    /// Any other failure.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        ApiError { reason, message: message.into(), invalid: None }
    }

    /// The text kubectl prints for this error, without the trailing newline. `source` is the file a
    /// `-f` request came from and `verb` what kubectl was doing (`creating`, `applying`, ...).
    pub fn kubectl_message(&self, source: Option<(&str, &str)>) -> String {
        if let Some(inv) = &self.invalid {
            // kubectl's MultilineError: one cause stays inline, several go one per line.
            let head = format!("The {} \"{}\" is invalid: ", inv.kind, inv.name);
            return match inv.causes.as_slice() {
                [one] => format!("{head}{one}"),
                many => {
                    let lines: Vec<String> = many.iter().map(|c| format!("* {c}")).collect();
                    format!("{head}\n{}", lines.join("\n"))
                }
            };
        }
        let message = match source {
            Some((verb, file)) => format!("error when {verb} \"{file}\": {}", self.message),
            None => self.message.clone(),
        };
        format!("Error from server ({}): {message}", self.reason.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_renders_status_errors() {
        assert_eq!(
            ApiError::not_found("pods", "kubia-xyz").kubectl_message(None),
            "Error from server (NotFound): pods \"kubia-xyz\" not found"
        );
        assert_eq!(
            ApiError::already_exists("pods", "kubia-manual")
                .kubectl_message(Some(("creating", "kubia-manual.yaml"))),
            "Error from server (AlreadyExists): error when creating \"kubia-manual.yaml\": pods \"kubia-manual\" already exists"
        );
        let many = ApiError::invalid(
            "Pod",
            "x",
            vec!["a: Required value".into(), "b: Required value".into()],
        );
        assert_eq!(
            many.kubectl_message(None),
            "The Pod \"x\" is invalid: \n* a: Required value\n* b: Required value"
        );
    }
}
