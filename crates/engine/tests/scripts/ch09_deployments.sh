# Chapter 9: Deployments: create, roll out v2, history, undo, pause/resume, a stalled v3
kubectl create -f - --record <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
      - image: luksa/kubia:v1
        name: nodejs
EOF
kubectl rollout status deployment kubia
kubectl get deploy,rs,pods
kubectl expose deployment kubia --port=80 --target-port=8080 --type=LoadBalancer
sleep 10s
kubectl get svc kubia
kubectl patch deployment kubia -p '{"spec": {"minReadySeconds": 10}}'
kubectl patch deployment kubia -p '{"spec": {"minReadySeconds": 10}}'
kubectl set image deployment kubia nodejs=luksa/kubia:v2 --record
kubectl rollout status deployment kubia
kubectl get rs
kubectl rollout history deployment kubia
kubectl rollout history deployment kubia --revision=2
kubectl set image deployment kubia nodejs=luksa/kubia:v3
kubectl rollout status deployment kubia --timeout=30s
kubectl rollout undo deployment kubia
kubectl rollout status deployment kubia
kubectl rollout history deployment kubia
kubectl rollout undo deployment kubia --to-revision=1
kubectl rollout undo deployment kubia --to-revision=9
kubectl rollout undo deployment kubia --to-revision=4
kubectl rollout status deployment kubia
kubectl describe deployment kubia
# canary: start v4 and pause at once
kubectl set image deployment kubia nodejs=luksa/kubia:v4
kubectl rollout pause deployment kubia
kubectl rollout pause deployment kubia
sleep 30s
kubectl get rs
kubectl rollout undo deployment kubia
kubectl rollout resume deployment kubia
kubectl rollout status deployment kubia
kubectl rollout resume deployment kubia
# v3 with a readiness check never becomes available
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
  minReadySeconds: 10
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    type: RollingUpdate
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
      - image: luksa/kubia:v3
        name: nodejs
        readinessProbe:
          periodSeconds: 1
          httpGet:
            path: /
            port: 8080
EOF
kubectl rollout status deployment kubia
kubectl get pods
kubectl describe deploy kubia
kubectl rollout undo deployment kubia
kubectl rollout status deployment kubia
kubectl scale deployment kubia --replicas=5
kubectl scale deployment kubia --current-replicas=3 --replicas=2
kubectl scale deploy/kubia --replicas=2
kubectl scale deployment kubia
kubectl rollout restart deployment kubia
kubectl rollout status deployment kubia
kubectl get pods
# a dry run shows the template it would go back to, and changes nothing
kubectl rollout undo deployment kubia --dry-run=client
kubectl rollout undo deployment kubia --dry-run=server
kubectl get deploy kubia -o wide
