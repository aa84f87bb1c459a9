# Bad input: every way a manifest or command can be wrong
kubectl get
kubectl get foo
kubectl get pod nope
kubectl rolling-update kubia-v1 kubia-v2 --image=luksa/kubia:v2
kubectl run kubia --image=luksa/kubia --generator=run/v1
kubectl apply -f missing.yaml
kubectl apply -f - <<EOF
apiVersion: apps/v1beta2
kind: ReplicaSet
metadata:
  name: kubia
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia
spec:
  containers:
  - name: kubia
    imagee: luksa/kubia
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: Kubia_Pod
spec:
  containers:
  - name: kubia
    image: luksa/kubia
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia
spec:
  containers:
  - name: kubia
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia
   labels: x
EOF
kubectl apply -f - <<EOF
metadata:
  name: kubia
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia
spec:
  containers:
  - name: kubia
    image: luksa/kubia
    ports:
    - containerPort: "eighty"
EOF
kubectl run dup --image=nginx
kubectl create -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: dup
spec:
  containers:
  - name: nginx
    image: nginx
EOF
kubectl get pods
# A typo gets cobra's suggestions; a real command kubeplay lacks says so.
kubectl gett pods
kubectl rollot status deploy/x
kubectl top nodes
