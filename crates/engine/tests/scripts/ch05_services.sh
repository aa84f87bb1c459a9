# Chapter 5: Services: ClusterIP, affinity, named ports, env, DNS, external services, NodePort, Ingress, readiness, headless
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
        - name: http
          containerPort: 8080
EOF
kubectl create -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: kubia
EOF
sleep 20s
kubectl get svc
kubectl exec rc/kubia -- curl -s http://kubia
kubectl exec rc/kubia -- curl -s http://kubia.default.svc.cluster.local
kubectl exec rc/kubia -- curl -s http://kubia.default
kubectl exec rc/kubia -- curl -s http://kubia
kubectl describe svc kubia
kubectl get endpoints kubia
kubectl describe endpoints kubia
# session affinity
kubectl patch svc kubia -p '{"spec":{"sessionAffinity":"ClientIP"}}'
kubectl exec rc/kubia -- curl -s http://kubia
kubectl exec rc/kubia -- curl -s http://kubia
kubectl exec rc/kubia -- curl -s http://kubia
kubectl patch svc kubia --type merge -p '{"spec":{"sessionAffinity":"None","sessionAffinityConfig":null}}'
kubectl get svc kubia -o jsonpath='{.spec.sessionAffinity}'
# named ports
kubectl patch svc kubia --type json -p '[{"op":"replace","path":"/spec/ports/0/targetPort","value":"http"}]'
kubectl exec rc/kubia -- curl -s http://kubia
kubectl patch svc kubia --type json -p '[{"op":"remove","path":"/spec/nope"}]'
kubectl patch svc kubia --type json -p '[{"op":"test","path":"/spec/ports/0/port","value":80}]'
kubectl patch svc kubia -p '{"spec":{'
kubectl patch svc kubia
kubectl patch svc kubia --type foo -p '{}'
# environment variables appear in pods created after the service
kubectl delete pods -l app=kubia --wait=false
sleep 40s
kubectl exec rc/kubia -- env
# DNS
kubectl run dnsutils --image=tutum/dnsutils --command -- sleep infinity
sleep 10s
kubectl exec dnsutils -- nslookup kubia
kubectl exec dnsutils -- cat /etc/resolv.conf
# a service for something outside the cluster
kubectl create -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: external-service
spec:
  ports:
  - port: 80
EOF
kubectl create -f - <<EOF
apiVersion: v1
kind: Endpoints
metadata:
  name: external-service
subsets:
  - addresses:
    - ip: 11.11.11.11
    - ip: 22.22.22.22
    ports:
    - port: 80
EOF
kubectl describe svc external-service
kubectl create service externalname external-name --external-name api.somecompany.com --tcp 80
kubectl get svc external-name
kubectl describe svc external-name
# NodePort
kubectl create -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: kubia-nodeport
spec:
  type: NodePort
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30123
  selector:
    app: kubia
EOF
kubectl get svc kubia-nodeport
kubectl get nodes -o wide
curl http://172.18.0.3:30123
curl http://172.18.0.4:30123
kubectl create service nodeport kubia-np2 --tcp=8080:8080 --node-port=30124
kubectl create service clusterip kubia-none --clusterip=None
kubectl create service clusterip kubia-cip --tcp=80:8080 --dry-run=client -o yaml
kubectl create service loadbalancer kubia-lb
kubectl create deployment web --image=nginx --replicas=2 --port=80
kubectl create deployment web2 --image=nginx --dry-run=client -o yaml
# Ingress
kubectl create -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
spec:
  rules:
  - host: kubia.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: kubia-nodeport
            port:
              number: 80
EOF
sleep 30s
kubectl get ingress
kubectl describe ingress kubia
curl -H "Host: kubia.example.com" http://localhost
# readiness probes
kubectl delete rc kubia
kubectl create -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia-ready
  labels:
    app: kubia
spec:
  containers:
  - name: kubia
    image: luksa/kubia
    ports:
    - name: http
      containerPort: 8080
    readinessProbe:
      exec:
        command:
        - ls
        - /var/ready
EOF
sleep 40s
kubectl get pods -l app=kubia
kubectl get endpoints kubia
kubectl exec kubia-ready -- touch /var/ready
sleep 10s
kubectl get pods -l app=kubia
kubectl get endpoints kubia
# a headless service
kubectl create -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: kubia-headless
spec:
  clusterIP: None
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: kubia
EOF
kubectl exec dnsutils -- nslookup kubia-headless
kubectl describe ns default
kubectl expose pod dnsutils --port=53
kubectl expose svc kubia-headless --name kubia-again
kubectl expose job nothing --port=80
