# kubectl explain: the API documentation of a kind and its fields (book ch. 3)
kubectl explain pods
kubectl explain pod.spec
kubectl explain pod.spec.containers.livenessProbe
kubectl explain pod.spec.containers.ports.containerPort
kubectl explain deployment.spec.strategy
kubectl explain deployments.apps.spec.replicas
kubectl explain rs --api-version=apps/v1
kubectl explain svc --recursive
# Bad input, worded as kubectl words it
kubectl explain
kubectl explain pods svc
kubectl explain podz
kubectl explain pod.spec.foo
kubectl explain pod.foo.bar
kubectl explain ""
kubectl explain pod..spec
kubectl explain rs --api-version=v1
kubectl explain rs --api-version=apps/v1beta2
kubectl explain rs --api-version=a/b/c
kubectl explain pod --max-depth=2
