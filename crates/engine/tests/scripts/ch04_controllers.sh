# Chapter 4: ReplicationControllers, ReplicaSets, DaemonSets, Jobs and CronJobs
kubectl create -f - <<EOF
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
        ports:
        - containerPort: 8080
EOF
sleep 20s
kubectl get pods --show-labels
kubectl get rc
kubectl delete pod -l app=kubia --wait=false
kubectl get pods
sleep 20s
kubectl get pods
kubectl scale rc kubia --replicas=10
sleep 20s
kubectl get rc kubia
kubectl scale rc kubia --replicas=3
sleep 40s
kubectl get pods
kubectl describe rc kubia
kubectl delete rc kubia --cascade=orphan
kubectl get pods
kubectl create -f - <<EOF
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    matchExpressions:
      - key: app
        operator: In
        values:
          - kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
EOF
kubectl get rs
kubectl describe rs kubia
kubectl expose rs kubia --port=80
kubectl scale rs kubia --replicas=1
sleep 40s
kubectl get pods
kubectl delete rs kubia
# a DaemonSet on nodes labeled disk=ssd
kubectl create -f - <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ssd-monitor
spec:
  selector:
    matchLabels:
      app: ssd-monitor
  template:
    metadata:
      labels:
        app: ssd-monitor
    spec:
      nodeSelector:
        disk: ssd
      containers:
      - name: main
        image: luksa/ssd-monitor
EOF
kubectl get ds
kubectl label node kubeplay-worker disk=ssd
sleep 10s
kubectl get ds
kubectl rollout status ds ssd-monitor
kubectl get pods -l app=ssd-monitor -o wide
kubectl describe ds ssd-monitor
kubectl scale ds ssd-monitor --replicas=2
kubectl label node kubeplay-worker disk=hdd --overwrite
sleep 40s
kubectl get pods -l app=ssd-monitor
# Jobs
kubectl create -f - <<EOF
apiVersion: batch/v1
kind: Job
metadata:
  name: batch-job
spec:
  template:
    metadata:
      labels:
        app: batch-job
    spec:
      restartPolicy: OnFailure
      containers:
      - name: main
        image: luksa/batch-job
EOF
sleep 10s
kubectl get jobs
kubectl get pods -l app=batch-job
kubectl scale job batch-job --replicas=3
sleep 2m
kubectl get jobs
kubectl describe job batch-job
kubectl create job hello --image=busybox -- echo hello
sleep 10s
kubectl get jobs
# CronJobs
kubectl create cronjob every-minute --image=busybox --schedule='*/1 * * * *' -- echo tick
kubectl get cronjobs
sleep 70s
kubectl get cronjobs
kubectl get jobs
kubectl create job manual-run --from=cronjob/every-minute
kubectl get jobs
kubectl describe cronjob every-minute
