# Chapter 4: liveness probes restart an unhealthy container
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia-liveness
spec:
  containers:
  - image: luksa/kubia-unhealthy
    name: kubia
    livenessProbe:
      httpGet:
        path: /
        port: 8080
EOF
sleep 1m
kubectl get po kubia-liveness
sleep 1m
kubectl get po kubia-liveness
kubectl logs kubia-liveness --previous
kubectl describe po kubia-liveness
sleep 5m
kubectl get po kubia-liveness
