# Book ch. 5: a Service without a selector and Endpoints written by hand. The
# endpointslicemirroring controller gives them an EndpointSlice too.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: external-service
spec:
  ports:
  - port: 80
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Endpoints
metadata:
  name: external-service
  labels:
    team: web
subsets:
- addresses:
  - ip: 11.11.11.11
  - ip: 22.22.22.22
  notReadyAddresses:
  - ip: 33.33.33.33
  ports:
  - port: 80
EOF
kubectl get endpointslices -l kubernetes.io/service-name=external-service
kubectl get endpointslices -l endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io -o yaml
# The slice belongs to the Endpoints and goes with them.
kubectl delete endpoints external-service
kubectl get endpointslices -l kubernetes.io/service-name=external-service
