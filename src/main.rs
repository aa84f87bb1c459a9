//! The kubeplay web app: mounts the root component, nothing else.

mod app;
mod complete;
mod components;
mod export;
mod lessons;
mod markdown;
mod session;
mod share;
mod state;
mod storage;
mod templates;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
