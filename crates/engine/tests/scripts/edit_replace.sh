# kubectl replace -f and kubectl edit, as kubectl v1.34 words them. A here-document fed to
# kubectl edit is what the editor returns; each line that is kubectl's header's first line
# starts another editor round (kubectl reopens the file after a rejected edit).
kubectl create deployment web --image=nginx:1.27 --replicas=1
kubectl rollout status deployment/web
kubectl replace -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx:1.27}]}
EOF
kubectl get deployment web --show-labels
cat > kubia.yaml <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: kubia}
spec:
  selector: {matchLabels: {app: kubia}}
  template:
    metadata: {labels: {app: kubia}}
    spec: {containers: [{name: kubia, image: luksa/kubia:v1}]}
EOF
kubectl replace -f kubia.yaml
kubectl replace -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, resourceVersion: "1"}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
EOF
kubectl replace -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: -1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
EOF
kubectl replace
kubectl replace --grace-period=1 -f kubia.yaml
kubectl run solo --image=busybox -- sleep 3600
kubectl replace --force -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: solo, labels: {run: solo, replaced: "yes"}}
spec: {containers: [{name: solo, image: busybox, command: [sleep, "3600"]}]}
EOF
kubectl get pod solo --show-labels
kubectl create configmap fortune-config --from-literal=sleep-interval=25
# No here-document: the editor saves the file as it was.
kubectl edit configmap fortune-config
kubectl edit configmap fortune-config <<EOF
# Please edit the object below. Lines beginning with a '#' will be ignored,
apiVersion: v1
data:
  sleep-interval: "10"
kind: ConfigMap
metadata:
  name: fortune-config
  namespace: default
EOF
kubectl get configmap fortune-config -o jsonpath='{.data}'
# Not YAML: kubectl reopens the file with the error on top; saved again as it was, it gives up.
kubectl edit cm/fortune-config <<EOF
# Please edit the object below. Lines beginning with a '#' will be ignored,
data:
  sleep-interval: [10
EOF
# Rejected by the API server, then fixed in the reopened file.
kubectl edit deploy web <<EOF
# Please edit the object below. Lines beginning with a '#' will be ignored,
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
    tier: front
  name: web
  namespace: default
spec:
  progressDeadlineSeconds: 600
  replicas: -1
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
# Please edit the object below. Lines beginning with a '#' will be ignored,
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
    tier: front
  name: web
  namespace: default
spec:
  progressDeadlineSeconds: 600
  replicas: 3
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
EOF
kubectl rollout status deployment/web
kubectl get deployment web
kubectl edit deployment web <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
    tier: front
  name: webby
  namespace: default
spec:
  progressDeadlineSeconds: 600
  replicas: 3
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
EOF
kubectl edit deployment web <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
    tier: front
  name: web
  namespace: default
  resourceVersion: "7"
spec:
  progressDeadlineSeconds: 600
  replicas: 4
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
EOF
kubectl edit deployment nope
kubectl edit
kubectl edit frobs web
# TYPE alone: the one object of the type, or none
kubectl edit deployment -n kube-system
kubectl edit jobs
kubectl edit deploy web -o wide
kubectl edit deploy web -o json | head -3
