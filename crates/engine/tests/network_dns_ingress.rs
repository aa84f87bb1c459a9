//! DNS answers (ClusterIP, headless, ExternalName, NXDOMAIN), Ingress routing and its 404, and
//! the validation wording of Service, Endpoints and Ingress.

mod network_common;

use k8s_openapi::api::networking::v1::Ingress;
use kubeplay_engine::network::Client;
use network_common::*;

const KUBIA_SVC: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n  selector:\n    app: kubia\n";

#[test]
fn nslookup_cluster_ip_headless_and_external_name() {
    let mut c = cluster(31);
    kubia_pods(&mut c, 2);
    apply(&mut c, KUBIA_SVC);
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-headless\nspec:\n  clusterIP: None\n  ports:\n  - port: 80\n    targetPort: 8080\n  selector:\n    app: kubia\n",
    );
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: external-service\nspec:\n  type: ExternalName\n  externalName: api.somecompany.com\n  ports:\n  - port: 80\n",
    );
    let ip = svc_ip(&c, "default", "kubia");
    let out = exec(&mut c, "kubia-0", &["nslookup", "kubia"]);
    assert_eq!(
        out.stdout,
        format!(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tkubia.default.svc.cluster.local\nAddress: {ip}\n\n"
        )
    );
    let out = exec(&mut c, "kubia-0", &["nslookup", "kubia-headless"]);
    assert_eq!(
        out.stdout
            .matches("Name:\tkubia-headless.default.svc.cluster.local\nAddress: 10.244.")
            .count(),
        2,
        "{}",
        out.stdout
    );
    let out = exec(&mut c, "kubia-0", &["nslookup", "external-service"]);
    assert!(
        out.stdout.contains(
            "external-service.default.svc.cluster.local\tcanonical name = api.somecompany.com.\n"
        ),
        "{}",
        out.stdout
    );
    let ext = c
        .store()
        .get_typed::<k8s_openapi::api::core::v1::Service>("default", "external-service")
        .unwrap();
    assert!(ext.spec.as_ref().unwrap().cluster_ip.is_none());
    let out = exec(&mut c, "kubia-0", &["nslookup", "foo"]);
    assert_eq!(out.exit_code, 1);
    assert!(out.stdout.ends_with("** server can't find foo: NXDOMAIN\n\n"));
    // Another namespace's service by its qualified name; the apiserver's own service too.
    let out = exec(&mut c, "kubia-0", &["nslookup", "kube-dns.kube-system"]);
    assert!(out.stdout.contains("Address: 10.96.0.10\n"));
    let out = exec(&mut c, "kubia-0", &["nslookup", "kubernetes.default.svc.cluster.local"]);
    assert!(out.stdout.contains("Address: 10.96.0.1\n"));
    // Headless: curl goes straight to a pod.
    let body = get(&mut c, &Client::Pod(pod_key("kubia-1")), "http://kubia-headless:8080").unwrap();
    assert!(body.starts_with("You've hit kubia-"));
}

const INGRESS: &str = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: kubia\nspec:\n  rules:\n  - host: kubia.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: kubia\n            port:\n              number: 80\n  - host: foo.example.com\n    http:\n      paths:\n      - path: /api\n        pathType: Exact\n        backend:\n          service:\n            name: empty\n            port:\n              number: 80\n";

#[test]
fn ingress_routes_by_host_and_path_and_404s_otherwise() {
    let mut c = cluster(37);
    kubia_pods(&mut c, 2);
    apply(&mut c, KUBIA_SVC);
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: empty\nspec:\n  ports:\n  - port: 80\n  selector:\n    app: none\n",
    );
    apply(&mut c, INGRESS);
    advance(&mut c, 3_000);
    let ing = c.store().get_typed::<Ingress>("default", "kubia").unwrap();
    let addr =
        ing.status.as_ref().unwrap().load_balancer.as_ref().unwrap().ingress.as_ref().unwrap()[0]
            .hostname
            .clone();
    assert_eq!(addr.as_deref(), Some("localhost"));
    let host = |h: &str| vec![format!("Host: {h}")];
    let r = kubeplay_engine::network::http(
        &mut c,
        &Client::Outside,
        "http://localhost/",
        &host("kubia.example.com"),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("You've hit kubia-"));
    let last = c.traffic_log().last().unwrap().clone();
    assert_eq!(last.ingress.as_ref().map(|k| &*k.name), Some("kubia"));
    let r = kubeplay_engine::network::http(
        &mut c,
        &Client::Outside,
        "http://localhost/",
        &host("other.example.com"),
    )
    .unwrap();
    assert_eq!(r.status, 404);
    assert!(
        r.body.contains("<head><title>404 Not Found</title></head>")
            && r.body.contains("<center>nginx</center>")
    );
    // Exact path: /api matches, /api/x does not; the backend has no endpoints: 503.
    let r = kubeplay_engine::network::http(
        &mut c,
        &Client::Outside,
        "http://localhost/api",
        &host("foo.example.com"),
    )
    .unwrap();
    assert_eq!(r.status, 503);
    let r = kubeplay_engine::network::http(
        &mut c,
        &Client::Outside,
        "http://localhost/api/x",
        &host("foo.example.com"),
    )
    .unwrap();
    assert_eq!(r.status, 404);
    // The control-plane node's port 80 is the same controller; a worker's is not.
    let r = kubeplay_engine::network::http(
        &mut c,
        &Client::Outside,
        "http://172.18.0.2/",
        &host("kubia.example.com"),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(get(&mut c, &Client::Outside, "http://172.18.0.3/").unwrap_err().starts_with("(7) "));
}

#[test]
fn ingress_with_tls_redirects_plain_http() {
    let mut c = cluster(41);
    kubia_pods(&mut c, 1);
    apply(&mut c, KUBIA_SVC);
    let tls = INGRESS.replace(
        "spec:\n  rules:",
        "spec:\n  tls:\n  - hosts:\n    - kubia.example.com\n    secretName: tls-secret\n  rules:",
    );
    apply(&mut c, &tls);
    let h = vec!["Host: kubia.example.com".to_string()];
    let r =
        kubeplay_engine::network::http(&mut c, &Client::Outside, "http://localhost/", &h).unwrap();
    assert_eq!(r.status, 308);
    let r =
        kubeplay_engine::network::http(&mut c, &Client::Outside, "https://localhost/", &h).unwrap();
    assert_eq!(r.status, 200);
}

fn invalid(c: &mut kubeplay_engine::cluster::Cluster, yaml: &str) -> String {
    try_apply(c, yaml).expect_err("must be rejected")
}

#[test]
fn bad_services_are_rejected_in_upstream_words() {
    let mut c = cluster(43);
    let rows: &[(&str, &str)] = &[
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: Kubia\nspec:\n  ports:\n  - port: 80\n",
            "The Service \"Kubia\" is invalid: metadata.name: Invalid value: \"Kubia\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: noports\nspec:\n  selector:\n    app: x\n",
            "The Service \"noports\" is invalid: spec.ports: Required value",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: two\nspec:\n  ports:\n  - port: 80\n  - port: 443\n",
            "The Service \"two\" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: dup\nspec:\n  ports:\n  - name: http\n    port: 80\n  - name: http\n    port: 81\n",
            "The Service \"dup\" is invalid: spec.ports[1].name: Duplicate value: \"http\"",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: zero\nspec:\n  ports:\n  - port: 70000\n",
            // targetPort defaults to port, so both are reported, as upstream does.
            "The Service \"zero\" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: t\nspec:\n  type: Foo\n  ports:\n  - port: 80\n",
            "The Service \"t\" is invalid: spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: np\nspec:\n  ports:\n  - port: 80\n    nodePort: 30001\n",
            "The Service \"np\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  type: ExternalName\n",
            "The Service \"ext\" is invalid: spec.externalName: Required value",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: taken\nspec:\n  clusterIP: 10.96.0.10\n  ports:\n  - port: 80\n",
            "The Service \"taken\" is invalid: spec.clusterIPs: Invalid value: [\"10.96.0.10\"]: failed to allocate IP 10.96.0.10: provided IP is already allocated",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: out\nspec:\n  clusterIP: 1.1.1.1\n  ports:\n  - port: 80\n",
            "The Service \"out\" is invalid: spec.clusterIPs: Invalid value: [\"1.1.1.1\"]: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: tp\nspec:\n  ports:\n  - port: 80\n    targetPort: ht_tp\n",
            "The Service \"tp\" is invalid: spec.ports[0].targetPort: Invalid value: \"ht_tp\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        ),
    ];
    for (yaml, want) in rows {
        assert_eq!(&invalid(&mut c, yaml), want);
    }
    // The book's typo is a strict decoding error.
    let err = invalid(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-all\nspec:\n  publishNotReadyEndpoints: true\n  ports:\n  - port: 80\n",
    );
    assert!(err.contains("unknown field \"spec.publishNotReadyEndpoints\""), "{err}");
    // An explicit free IP is honoured; changing it later is refused.
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: fixed\nspec:\n  clusterIP: 10.96.0.50\n  ports:\n  - port: 80\n",
    );
    assert_eq!(svc_ip(&c, "default", "fixed"), "10.96.0.50");
    let mut svc = c
        .store()
        .get_typed::<k8s_openapi::api::core::v1::Service>("default", "fixed")
        .unwrap()
        .clone();
    let spec = svc.spec.as_mut().unwrap();
    spec.cluster_ip = Some("10.96.0.51".into());
    spec.cluster_ips = Some(vec!["10.96.0.51".into()]);
    let err = c.update(kubeplay_engine::api::ApiKind::into_object(svc)).unwrap_err();
    assert_eq!(
        err.kubectl_message(None),
        "The Service \"fixed\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.96.0.51\"]: may not change once set"
    );
    // An update that leaves clusterIP out keeps it.
    let mut svc = c
        .store()
        .get_typed::<k8s_openapi::api::core::v1::Service>("default", "fixed")
        .unwrap()
        .clone();
    let spec = svc.spec.as_mut().unwrap();
    spec.cluster_ip = None;
    spec.cluster_ips = None;
    c.update(kubeplay_engine::api::ApiKind::into_object(svc)).unwrap();
    assert_eq!(svc_ip(&c, "default", "fixed"), "10.96.0.50");
}

#[test]
fn bad_endpoints_and_ingresses_are_rejected_in_upstream_words() {
    let mut c = cluster(47);
    let rows: &[(&str, &str)] = &[
        (
            "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\nsubsets:\n- addresses:\n  - ip: 11.11.11\n  ports:\n  - port: 80\n",
            "The Endpoints \"e\" is invalid: subsets[0].addresses[0].ip: Invalid value: \"11.11.11\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        ),
        (
            "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\nsubsets:\n- addresses:\n  - ip: 127.0.0.1\n  ports:\n  - port: 80\n",
            "The Endpoints \"e\" is invalid: subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
        ),
        (
            "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\nsubsets:\n- addresses:\n  - ip: 10.0.0.1\n  ports:\n  - port: 0\n",
            "The Endpoints \"e\" is invalid: subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n  - host: kubia.example.com\n    http:\n      paths:\n      - path: /\n        backend:\n          service:\n            name: kubia\n            port:\n              number: 80\n",
            "The Ingress \"i\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n  - host: kubia.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Fuzzy\n        backend:\n          service:\n            name: kubia\n            port:\n              number: 80\n",
            "The Ingress \"i\" is invalid: spec.rules[0].http.paths[0].pathType: Unsupported value: \"Fuzzy\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n  - host: 1.2.3.4\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: kubia\n            port:\n              number: 80\n",
            "The Ingress \"i\" is invalid: spec.rules[0].host: Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n  - host: kubia.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: kubia\n",
            "The Ingress \"i\" is invalid: spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required",
        ),
    ];
    for (yaml, want) in rows {
        assert_eq!(&invalid(&mut c, yaml), want);
    }
}
