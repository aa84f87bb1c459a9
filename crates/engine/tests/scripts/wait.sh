# kubectl wait: conditions, JSONPath, delete; one timeout for all the objects.
kubectl create deployment web --image=nginx --replicas=2
kubectl wait --for=condition=Available deployment/web
kubectl wait --for=condition=Ready pod -l app=web --timeout=60s
kubectl wait --for=jsonpath='{.status.readyReplicas}'=2 deploy web
kubectl run slow --image=luksa/kubia
kubectl wait --for=condition=Ready pod/slow --timeout=1s
kubectl wait --for=condition=Ready pod/slow --timeout=0
kubectl wait --for=condition=Ready pod/slow
kubectl delete pod slow --wait=false
kubectl wait --for=delete pod/slow --timeout=60s
kubectl wait --for=condition=Ready pod/missing
kubectl wait --for=ready pod/slow
kubectl wait pod/slow
kubectl wait --for=condition=Ready pod -l app=nothing
kubectl wait --for=delete pod/slow
