# Chapter 3: a pod from YAML, its logs, its files, and deleting it
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia-manual
spec:
  containers:
  - image: luksa/kubia
    name: kubia
    ports:
    - containerPort: 8080
      protocol: TCP
EOF
kubectl get pods
sleep 10s
kubectl get pods
kubectl get po kubia-manual -o yaml
kubectl get po kubia-manual -o json
kubectl logs kubia-manual
kubectl exec kubia-manual -- hostname
kubectl exec kubia-manual -- curl -s http://localhost:8080
kubectl exec kubia-manual -- sh -c 'echo hello > /tmp/greeting && cat /tmp/greeting'
kubectl exec kubia-manual -- cat /nope
kubectl logs kubia-manual
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia-manual
  labels:
    app: kubia
spec:
  containers:
  - image: luksa/kubia
    name: kubia
    ports:
    - containerPort: 8080
      protocol: TCP
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia-manual
  labels:
    app: kubia
spec:
  containers:
  - image: luksa/kubia
    name: kubia
    ports:
    - containerPort: 8080
      protocol: TCP
EOF
kubectl get events
kubectl describe pod $(kubectl get pods -o jsonpath={.items[0].metadata.name}) | head
kubectl get pod $(kubectl get pods -o jsonpath={.items[0].metadata.name}) -o name
kubectl delete pod kubia-manual
kubectl get pods
