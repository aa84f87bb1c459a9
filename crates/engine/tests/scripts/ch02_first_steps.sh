# Chapter 2: run a pod, a ReplicationController from YAML, expose it, scale it
kubectl run kubia --image=luksa/kubia --port=8080
kubectl apply -f - <<EOF
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
  labels:
    run: kubia
spec:
  replicas: 1
  selector:
    run: kubia
  template:
    metadata:
      labels:
        run: kubia
    spec:
      containers:
      - image: luksa/kubia:latest
        name: kubia
        ports:
        - containerPort: 8080
          protocol: TCP
EOF
sleep 15s
kubectl get pods
kubectl delete pod kubia
kubectl get rc
kubectl expose rc kubia --type=LoadBalancer --name kubia-http
kubectl get services
sleep 10s
kubectl get svc kubia-http
curl 172.18.255.200:8080
kubectl scale rc kubia --replicas=3
kubectl get rc
sleep 15s
kubectl get pods -o wide
curl 172.18.255.200:8080
curl 172.18.255.200:8080
curl 172.18.255.200:8080
curl 172.18.255.200:8080
kubectl describe rc kubia
kubectl describe svc kubia-http
kubectl expose rc kubia --name kubia-http
kubectl expose rc kubia --port=80 --target-port=8080 --name kubia-clusterip
kubectl get svc kubia-clusterip -o yaml
kubectl port-forward kubia-does-not-exist 8888:8080
kubectl get pods -o name
kubectl port-forward rc/kubia 8888:8080
curl localhost:8888
kubectl port-forward svc/kubia-clusterip 9999:80
curl -s http://127.0.0.1:9999/
kubectl port-forward rc/kubia 8888:8080
kubectl get svc kubia-http -o jsonpath='{.status.loadBalancer.ingress[0].ip}'
