//! The API machinery: the kinds the cluster serves, typed objects, the store and its watch stream,
//! and the request path (decode -> default -> validate -> store).
//!
//! Objects are the real Kubernetes schema (`k8s-openapi` types). Adding a kind is one line in the
//! `kinds!` table below plus a per-kind file with its defaulting and validation.

pub mod apps;
pub mod batch;
pub mod configmap;
pub mod decode;
pub mod endpoints;
pub mod errors;
pub mod ingress;
pub mod kinds;
pub mod namespace;
pub mod pod;
pub mod replication_controller;
pub mod secret;
pub mod service;
pub mod storage;
pub mod store;
pub mod strategy;
pub mod validation;
pub mod value_de;

pub use errors::{ApiError, Reason};
pub use kinds::{ApiKind, Kind, KindInfo, Object};
pub use store::{ObjKey, Store, WatchEvent, WatchEventType};
