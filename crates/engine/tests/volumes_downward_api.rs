//! The downward API and talking to the API server (chapter 8): env fieldRef/resourceFieldRef,
//! downwardAPI volumes following label changes, `kubectl proxy`, `curl https://kubernetes`
//! from a pod with and without the service-account credentials, and the ambassador pattern.

use kubeplay_engine::{Sim, SimConfig};

fn ok(sim: &mut Sim, line: &str) -> String {
    let out = sim.run(line);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.stdout
}

fn apply(sim: &mut Sim, yaml: &str) {
    let out = sim.run_with_stdin("kubectl apply -f -", Some(yaml));
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
}

const DOWNWARD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: downward
  labels: {foo: bar}
  annotations: {key1: value1}
spec:
  containers:
  - name: main
    image: busybox
    command: [sleep, \"9999999\"]
    resources:
      requests: {cpu: 15m, memory: 100Ki}
      limits: {cpu: 100m, memory: 4Mi}
    env:
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: NODE_NAME
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: SERVICE_ACCOUNT
      valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
    - name: FOO_LABEL
      valueFrom: {fieldRef: {fieldPath: \"metadata.labels['foo']\"}}
    - name: CONTAINER_CPU_REQUEST_MILLICORES
      valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}
    - name: CONTAINER_MEMORY_LIMIT_KIBIBYTES
      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Ki}}
    volumeMounts: [{name: downward, mountPath: /etc/downward}]
  volumes:
  - name: downward
    downwardAPI:
      items:
      - {path: podName, fieldRef: {fieldPath: metadata.name}}
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: containerCpuRequestMilliCores, resourceFieldRef: {containerName: main, resource: requests.cpu, divisor: 1m}}
      - {path: containerMemoryLimitBytes, resourceFieldRef: {containerName: main, resource: limits.memory, divisor: 1}}
";

#[test]
fn downward_env_and_volume() {
    let mut s = Sim::new(SimConfig::default());
    apply(&mut s, DOWNWARD);
    ok(&mut s, "sleep 10s");
    let env = ok(&mut s, "kubectl exec downward -- env");
    let ip = ok(&mut s, "kubectl get pod downward -o jsonpath={.status.podIP}");
    let node = ok(&mut s, "kubectl get pod downward -o jsonpath={.spec.nodeName}");
    for want in [
        "POD_NAME=downward".to_string(),
        format!("POD_IP={ip}"),
        format!("NODE_NAME={node}"),
        "SERVICE_ACCOUNT=default".into(),
        "FOO_LABEL=bar".into(),
        "CONTAINER_CPU_REQUEST_MILLICORES=15".into(),
        "CONTAINER_MEMORY_LIMIT_KIBIBYTES=4096".into(),
    ] {
        assert!(env.lines().any(|l| l == want), "{want} in {env}");
    }
    assert_eq!(ok(&mut s, "kubectl exec downward -- cat /etc/downward/podName"), "downward");
    assert_eq!(
        ok(&mut s, "kubectl exec downward -- cat /etc/downward/containerCpuRequestMilliCores"),
        "15"
    );
    assert_eq!(
        ok(&mut s, "kubectl exec downward -- cat /etc/downward/containerMemoryLimitBytes"),
        "4194304"
    );
    assert_eq!(ok(&mut s, "kubectl exec downward -- cat /etc/downward/labels"), "foo=\"bar\"");
    ok(&mut s, "kubectl label pod downward foo=baz --overwrite");
    ok(&mut s, "sleep 5s");
    assert_eq!(ok(&mut s, "kubectl exec downward -- cat /etc/downward/labels"), "foo=\"baz\"");
    // Env vars were fixed at start.
    assert!(ok(&mut s, "kubectl exec downward -- env").contains("FOO_LABEL=bar\n"));
}

#[test]
fn kubectl_proxy_serves_the_api_as_json() {
    let mut s = Sim::new(SimConfig::default());
    let refused = s.run("curl localhost:8001/api/v1/namespaces/default/pods");
    assert_ne!(refused.exit_code, 0);
    assert_eq!(ok(&mut s, "kubectl proxy"), "Starting to serve on 127.0.0.1:8001\n");
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: m, image: busybox, command: [sleep, \"99\"]}]\n",
    );
    let body = ok(&mut s, "curl localhost:8001/api/v1/namespaces/default/pods");
    assert!(body.starts_with("{\n  \"kind\": \"PodList\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\n    \"resourceVersion\": \""), "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["items"][0]["metadata"]["name"], "p");
    let missing = ok(&mut s, "curl localhost:8001/api/v1/namespaces/default/pods/nope");
    assert!(missing.contains("\"message\": \"pods \\\"nope\\\" not found\""), "{missing}");
    let jobs = ok(&mut s, "curl localhost:8001/apis/batch/v1/jobs");
    assert!(jobs.contains("\"kind\": \"JobList\""), "{jobs}");
}

#[test]
fn curl_to_the_api_server_from_a_pod() {
    let mut s = Sim::new(SimConfig::default());
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: curl}\nspec:\n  containers: [{name: main, image: tutum/curl, command: [sleep, \"9999999\"]}]\n",
    );
    ok(&mut s, "sleep 10s");
    let tls = s.run("kubectl exec curl -- curl https://kubernetes");
    assert_eq!(tls.exit_code, 60);
    assert!(tls.stderr.contains("SSL certificate problem: unable to get local issuer certificate"));
    let anon = ok(
        &mut s,
        "kubectl exec curl -- curl --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt https://kubernetes",
    );
    assert!(
        anon.contains(
            "\"message\": \"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"/\\\"\""
        ),
        "{anon}"
    );
    assert!(anon.contains("\"code\": 403"), "{anon}");
    let with_token = ok(
        &mut s,
        "kubectl exec curl -- sh -c 'export CURL_CA_BUNDLE=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt; TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token); curl -H \"Authorization: Bearer $TOKEN\" https://kubernetes'",
    );
    assert!(with_token.contains("\"paths\": ["), "{with_token}");
    let pods = ok(
        &mut s,
        "kubectl exec curl -- sh -c 'TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token); curl -k -H \"Authorization: Bearer $TOKEN\" https://kubernetes/api/v1/namespaces/default/pods'",
    );
    assert!(
        pods.contains(
            "User \\\"system:serviceaccount:default:default\\\" cannot list resource \\\"pods\\\""
        ),
        "{pods}"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl exec curl -- cat /var/run/secrets/kubernetes.io/serviceaccount/namespace"
        ),
        "default"
    );
}

#[test]
fn ambassador_container_proxies_on_localhost() {
    let mut s = Sim::new(SimConfig::default());
    apply(
        &mut s,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: curl-with-ambassador}\nspec:\n  containers:\n  - {name: main, image: tutum/curl, command: [sleep, \"9999999\"]}\n  - {name: ambassador, image: luksa/kubectl-proxy:1.6.2}\n",
    );
    ok(&mut s, "sleep 15s");
    let root = ok(&mut s, "kubectl exec curl-with-ambassador -c main -- curl localhost:8001");
    assert!(root.contains("\"/api/v1\""), "{root}");
}
