//! kubeplay-engine: a small, deterministic Kubernetes that runs anywhere Rust does.
//!
//! The [`Sim`] facade is the whole public surface a front end needs: run a command line as typed
//! in a terminal, advance virtual time, and read a [`view::ClusterSnapshot`] to draw.
//!
//! ```
//! use kubeplay_engine::{Sim, SimConfig};
//! let mut sim = Sim::new(SimConfig::default());
//! let out = sim.run("kubectl version");
//! assert!(out.stdout.starts_with("Client Version: v1."));
//! assert_eq!(out.exit_code, 0);
//! ```

pub mod api;
pub mod apimachinery;
pub mod bootstrap;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod decimal;
pub mod fastmap;
pub mod hex;
pub mod jobs;
pub mod kubectl;
pub mod kubelet;
pub mod lesson;
pub mod network;
pub mod quantity;
pub mod rng;
pub mod scheduler;
pub mod script;
mod shell_alias;
mod shell_loop;
mod sim;
pub mod sorting;
mod textfilter;
pub mod time;
pub mod view;
pub mod volumes;

pub use sim::{CommandOutput, JobEnd, Sim, SimConfig, Started};
