//! The kubeplay web app: mounts the root component.

mod app;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
