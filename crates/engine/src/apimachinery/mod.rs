//! API machinery shared by every kind: label selectors, field validation and its messages,
//! resource quantities and CronJob schedules, each worded exactly as Kubernetes v1.34 words it.
//!
//! These are pure functions over strings and k8s-openapi types; they never panic on user input.
//! Each module names the upstream source it follows.

pub mod cron;
pub mod labels;
pub mod quantity;
pub mod validation;

pub use cron::{CronError, Schedule};
pub use labels::{Selector, SelectorError};
pub use quantity::{Quantity, QuantityError};
pub use validation::{BadValue, ErrorType, FieldError, FieldPath};
