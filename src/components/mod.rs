//! Presentational components: they draw what they are given and report user intent through
//! `Callback` props. None of them touches the simulation; `app.rs` wires them to the reducer.

pub mod cluster_view;
pub mod detail;
pub mod event_feed;
pub mod home;
pub mod lesson_pane;
pub mod terminal;
pub mod time_controls;
pub mod wires;
pub mod yaml_editor;
