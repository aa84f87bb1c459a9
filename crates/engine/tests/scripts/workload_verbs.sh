# The workload verbs' edge cases and errors, as kubectl v1.34 words them
kubectl create deployment kubia --image=luksa/kubia:v1
kubectl create deployment kubia --image=luksa/kubia:v1
kubectl create deployment nothing
kubectl create deployment
kubectl rollout status deployment/kubia
kubectl rollout history deployment kubia
kubectl rollout undo deployment kubia
kubectl rollout undo deployment kubia --to-revision=1
kubectl rollout history deployment kubia --revision=3
kubectl rollout status
kubectl rollout frobnicate deployment kubia
kubectl rollout status deployment nope
kubectl set image deployment/kubia nope=luksa/kubia:v2
kubectl set image deployment/kubia kubia=luksa/kubia:v1
kubectl set image deployment/kubia '*=luksa/kubia:v2'
kubectl set image deployment/kubia
kubectl rollout status deployment/kubia --timeout=2m
kubectl set env deployment/kubia GREETING=hello
kubectl set env deployment/kubia --list
kubectl set env deployment/kubia GREETING-
kubectl run standalone --image=nginx
kubectl set image pod/standalone standalone=nginx:1.27
sleep 5s
kubectl get pod standalone -o jsonpath='{.spec.containers[0].image}'
kubectl scale pod standalone --replicas=2
kubectl scale --replicas=-1 deployment kubia
kubectl scale --replicas=abc deployment kubia
kubectl rollout pause deployment kubia
kubectl rollout restart deployment kubia
kubectl rollout resume deployment kubia
kubectl rollout history rs
kubectl patch deployment kubia --type merge -p '{"spec":{"replicas":2}}'
kubectl patch deployment kubia -p '{"spec":{"template":{"spec":{"containers":[{"name":"kubia","image":"luksa/kubia:v3"}]}}}}'
kubectl get deployment kubia -o jsonpath='{.spec.template.spec.containers[*].image}'
kubectl patch deployment kubia --type json -p '[{"op":"add","path":"/metadata/labels","value":{"tier":"web"}}]'
kubectl get deployment kubia --show-labels
kubectl patch deployment kubia -p '{"spec":{"replicas":"two"}}'
kubectl patch deployment kubia --type json -p '{"op":"add"}'
kubectl create job pi --image=perl -- perl -e 'print 3.14'
kubectl create job
kubectl create job nope --from=deployment/kubia
kubectl create cronjob tick --image=busybox
kubectl create service clusterip
kubectl create service foo bar
kubectl expose deployment kubia
kubectl expose deployment kubia --port=8080 --type=NodePort --name=kubia-np
kubectl get svc kubia-np -o jsonpath='{.spec.ports[0].targetPort}'
kubectl expose pod standalone --port=80 --session-affinity=sticky
kubectl port-forward
kubectl port-forward deploy/kubia
kubectl port-forward pod/standalone 8080
curl -s localhost:8080
kubectl port-forward deploy/kubia :8080
kubectl events --for deployment/kubia
kubectl events --types=Bogus
kubectl events -n kube-public
kubectl get events --sort-by=.metadata.creationTimestamp --field-selector involvedObject.kind=Deployment
kubectl describe job pi
kubectl rollout history deployment kubia --revision=1
kubectl create deployment other --image=nginx
kubectl scale deploy -l app=other --replicas=2
kubectl scale deploy --all --replicas=1
kubectl rollout status deploy -l app=nobody
kubectl create deployment web --image=nginx --dry-run=client -o yaml
kubectl create job once --image=busybox --dry-run=client -o yaml -- echo hi
# --overrides patches the generated object (a JSON merge patch unless --override-type says otherwise)
kubectl run gpu --image=luksa/kubia --overrides='{"spec":{"nodeSelector":{"gpu":"true"}}}'
kubectl run tiered --image=nginx --override-type=json --overrides='[{"op":"add","path":"/metadata/labels/tier","value":"web"}]'
kubectl run broken --image=nginx --overrides='{"spec":'
kubectl run broken --image=nginx --override-type=yaml --overrides='{}'
kubectl expose pod tiered --port=80 --overrides='{"spec":{"type":"NodePort"}}'
sleep 5s
kubectl get pods gpu tiered --show-labels
kubectl get svc tiered
kubectl get pod gpu -o jsonpath='{.spec.nodeSelector}'
