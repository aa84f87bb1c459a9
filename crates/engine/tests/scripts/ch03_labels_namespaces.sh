# Chapter 3: labels, selectors, annotations, namespaces
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kubia-manual-v2
  labels:
    creation_method: manual
    env: prod
spec:
  containers:
  - image: luksa/kubia
    name: kubia
    ports:
    - containerPort: 8080
      protocol: TCP
EOF
kubectl run kubia --image=luksa/kubia --port=8080
sleep 15s
kubectl get po --show-labels
kubectl get po -L creation_method,env
kubectl label po kubia creation_method=manual
kubectl label po kubia-manual-v2 env=debug
kubectl label po kubia-manual-v2 env=debug --overwrite
kubectl get po -l creation_method=manual
kubectl get po -l env
kubectl get po -l '!env'
kubectl get po -l 'env in (prod,devel)'
kubectl get po -l 'env notin (debug)'
kubectl get po -l 'env in (prod'
kubectl annotate pod kubia-manual-v2 mycompany.com/someannotation="foo bar"
kubectl get ns
kubectl create namespace custom-namespace
kubectl run kubia-ns --image=luksa/kubia -n custom-namespace
sleep 10s
kubectl get po -n custom-namespace
kubectl delete po -l creation_method=manual
kubectl delete ns custom-namespace
kubectl get ns
kubectl get po
kubectl delete po --all
kubectl get po
