//! format: kubectl's output formats, byte for byte.
//!
//! Pure functions from data to the text real kubectl (v1.34) prints: the tab-aligned tables of
//! `kubectl get`, AGE-style durations, `-o yaml` / `-o json`, `-o jsonpath=…` and
//! `-o custom-columns=…`. Each module names the upstream Go code it follows.

pub mod custom_columns;
pub mod duration;
pub mod gofmt;
pub mod jsonpath;
pub mod tabwriter;
pub mod yaml_out;

pub use duration::{go_duration, go_duration_ns, human_duration, short_human_duration};
pub use jsonpath::{JsonPath, JsonPathError, jsonpath};
pub use tabwriter::{TabWriter, escape_cell, format_table};
pub use yaml_out::{to_json, to_yaml};
