# Chapter 3: scheduling to a labelled node
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia-gpu
spec:
  nodeSelector:
    gpu: "true"
  containers:
  - image: luksa/kubia
    name: kubia
EOF
sleep 5s
kubectl get pods
kubectl describe pod kubia-gpu
kubectl label node kubeplay-worker2 gpu=true
sleep 10s
kubectl get pods -o wide
kubectl get nodes -l gpu=true
# The scheduler's events come through the events.k8s.io API (eventTime, no counts); the
# kubelet's through the core API.
kubectl get events --field-selector involvedObject.name=kubia-gpu -o wide
kubectl get events --field-selector involvedObject.name=kubia-gpu,reason=Scheduled -o yaml
kubectl describe pod kubia-gpu
