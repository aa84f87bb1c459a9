# Missing images, crash loops, killed processes, a node going down
kubectl run bad --image=luksa/kubiaa
kubectl run shell --image=busybox
sleep 30s
kubectl get pods
kubectl describe pod bad
sleep 2m
kubectl get pods
kubectl run web --image=nginx:1.27
sleep 20s
sim kill web
sleep 1s
kubectl get pod web
kubectl get pods -o wide
sim node-down kubeplay-worker
sleep 40s
kubectl get nodes
sleep 20s
kubectl get nodes
kubectl describe node kubeplay-worker
sleep 5m
kubectl get pods -o wide
sim node-up kubeplay-worker
sleep 30s
kubectl get nodes
kubectl get pods -o wide
