# kubectl config: the kind kubeconfig, and a context namespace as the default (book ch. 3's alias)
kubectl config current-context
kubectl config get-contexts
kubectl create namespace custom
kubectl config set-context $(kubectl config current-context) --namespace custom
kubectl run web --image=nginx
kubectl get pods
kubectl get pods -n default
kubectl config view
kubectl config get-contexts
kubectl config set-context --current --namespace=
kubectl get pods
