# A first session: run it with `cargo run -p kubeplay-cli -- script examples/hello.sh`.
kubectl version
sleep 5s
kubectl get nodes
