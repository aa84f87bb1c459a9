# Chapter 1: what a cluster is made of
kubectl cluster-info
kubectl version
kubectl get nodes
kubectl get nodes -o wide
kubectl get namespaces
kubectl get pods -n kube-system -o wide
kubectl describe node kubeplay-worker
kubectl api-resources
kubectl get node kubeplay-worker -o jsonpath='{.status.addresses[0].address}'
kubectl get nodes -o name
kubectl get nodes -o custom-columns=NAME:.metadata.name,CIDR:.spec.podCIDR
