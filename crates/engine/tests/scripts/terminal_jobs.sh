# Commands that wait, as a replayed session runs them: a watch in the background sees what the
# next commands do; Ctrl-C is `kill %1` or, with nothing in between, `timeout -s INT`.
kubectl get pods -w &
kubectl create deployment web --image=nginx:1.27 --replicas=2
sleep 20s
kill %1
timeout -s INT 2.5s kubectl get deploy web -w
kubectl set image deployment/web nginx=nginx:1.28
kubectl rollout status deployment/web
timeout 1s kubectl rollout status deployment/web
timeout banana kubectl get pods -w
kubectl get pods nope -w
