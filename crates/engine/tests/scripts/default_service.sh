# kube-apiserver keeps the kubernetes Service, its Endpoints and EndpointSlice (book ch. 3:
# `kubectl delete all --all` deletes the service too, and it comes back).
kubectl get svc,endpointslices
kubectl create deployment web --image=nginx --replicas=2
sleep 20s
kubectl delete all --all
kubectl get svc
kubectl delete endpointslice kubernetes
sleep 9s
kubectl get svc
sleep 2s
kubectl get svc,endpointslices
kubectl get endpoints kubernetes
