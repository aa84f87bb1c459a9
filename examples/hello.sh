# A first session: run it with `cargo run -p kubeplay-cli -- script examples/hello.sh`.
kubectl get nodes
kubectl run kubia --image=luksa/kubia --port=8080
kubectl get pods
sleep 10s
kubectl get pods -o wide
kubectl logs kubia
kubectl exec kubia -- curl -s http://localhost:8080
kubectl delete pod kubia
