# kubectl describe for PersistentVolume, PersistentVolumeClaim, StorageClass, ConfigMap and Secret
# (pkg/describe's own views), hostPath volumes of the system pods, API discovery through
# kubectl proxy, and luksa/fortune:env reading its interval from $INTERVAL.
kubectl describe pv
kubectl describe pod -n kube-system etcd-kubeplay-control-plane
kubectl get ds -n kube-system kindnet -o jsonpath={.spec.template.spec.volumes}
cat > mongodb-pv.yaml <<'END'
apiVersion: v1
kind: PersistentVolume
metadata:
  name: mongodb-pv
spec:
  capacity:
    storage: 1Gi
  accessModes:
  - ReadOnlyMany
  - ReadWriteOnce
  hostPath:
    path: /tmp/mongodb
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values:
          - kubeplay-worker
END
cat > mongodb-pvc.yaml <<'END'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: mongodb-pvc
spec:
  resources:
    requests:
      storage: 1Gi
  accessModes:
  - ReadWriteOnce
  storageClassName: ""
END
cat > mongodb.yaml <<'END'
apiVersion: v1
kind: Pod
metadata:
  name: mongodb
spec:
  containers:
  - name: mongodb
    image: mongo
    volumeMounts:
    - name: data
      mountPath: /data/db
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: mongodb-pvc
END
kubectl apply -f mongodb-pvc.yaml
sleep 5s
kubectl describe pvc mongodb-pvc
kubectl apply -f mongodb-pv.yaml
kubectl describe pv mongodb-pv
kubectl apply -f mongodb.yaml
sleep 20s
kubectl describe pvc mongodb-pvc
kubectl describe pv mongodb-pv
kubectl get pv
kubectl describe sc standard
kubectl create configmap fortune-config --from-literal=sleep-interval=25 --from-literal=greeting=hello
kubectl describe configmap fortune-config
kubectl create secret generic creds --from-literal=user=admin --from-literal=pass=s3cr3t
kubectl describe secret creds
kubectl proxy
curl -s localhost:8001/apis/batch
curl -s localhost:8001/apis/storage.k8s.io/v1
kubectl run fortune-env --image=luksa/fortune:env --env=INTERVAL=30
sleep 45s
kubectl logs fortune-env
