//! Starting points for new editor buffers (valid for a real cluster, current API versions).

/// A Deployment of three nginx replicas.
pub const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
";

/// A single pod.
pub const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels:
    app: hello
spec:
  containers:
  - name: hello
    image: busybox:1.36
    command: [\"sh\", \"-c\", \"echo hello; sleep 3600\"]
";

/// A Service in front of the `web` Deployment.
pub const SERVICE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
";

/// (menu label, file name, text) of every template.
pub const ALL: [(&str, &str, &str); 3] = [
    ("Deployment", "deployment.yaml", DEPLOYMENT),
    ("Pod", "pod.yaml", POD),
    ("Service", "service.yaml", SERVICE),
];
