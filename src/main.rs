//! The kubeplay web app: mounts the root component, nothing else.

mod app;
mod components;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
