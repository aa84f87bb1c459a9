//! Services end to end: allocation, endpoints, load balancing, affinity, readiness, NodePorts,
//! load balancers, failures and determinism.

mod network_common;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kubeplay_engine::network::{Client, Outcome};
use network_common::*;

const KUBIA_SVC: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n  selector:\n    app: kubia\n";

fn spread(
    c: &mut kubeplay_engine::cluster::Cluster,
    client: &Client,
    url: &str,
    n: usize,
) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for _ in 0..n {
        let body = get(c, client, url).expect("request succeeds");
        *seen.entry(hit(&body)).or_default() += 1;
    }
    seen
}

#[test]
fn cluster_ip_service_gets_defaults_an_ip_and_endpoints() {
    let mut c = cluster(7);
    kubia_pods(&mut c, 3);
    apply(&mut c, KUBIA_SVC);
    let svc = c.store().get_typed::<Service>("default", "kubia").unwrap().clone();
    let spec = svc.spec.unwrap();
    assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    assert_eq!(spec.session_affinity.as_deref(), Some("None"));
    assert_eq!(spec.internal_traffic_policy.as_deref(), Some("Cluster"));
    assert_eq!(spec.ip_families, Some(vec!["IPv4".to_string()]));
    assert_eq!(spec.ports.as_ref().unwrap()[0].protocol.as_deref(), Some("TCP"));
    let ip = spec.cluster_ip.unwrap();
    assert!(ip.starts_with("10.9") || ip.starts_with("10.10") || ip.starts_with("10.11"), "{ip}");
    assert_eq!(spec.cluster_ips, Some(vec![ip.clone()]));
    let ep = c.store().get_typed::<Endpoints>("default", "kubia").unwrap();
    let subsets = ep.subsets.as_ref().unwrap();
    assert_eq!(subsets.len(), 1);
    assert_eq!(subsets[0].addresses.as_ref().unwrap().len(), 3);
    assert_eq!(subsets[0].ports.as_ref().unwrap()[0].port, 8080);
    let a = &subsets[0].addresses.as_ref().unwrap()[0];
    assert_eq!(a.target_ref.as_ref().unwrap().kind.as_deref(), Some("Pod"));
    assert!(a.node_name.is_some());
    let labels = ep.metadata.labels.as_ref().unwrap();
    assert_eq!(labels["endpoints.kubernetes.io/managed-by"], "endpoint-controller");
    assert!(
        ep.metadata
            .annotations
            .as_ref()
            .unwrap()
            .contains_key("endpoints.kubernetes.io/last-change-trigger-time")
    );
    let slices: Vec<&EndpointSlice> = c
        .store()
        .list_typed::<EndpointSlice>(Some("default"))
        .filter(|s| s.metadata.labels.as_ref().unwrap()["kubernetes.io/service-name"] == "kubia")
        .collect();
    assert_eq!(slices.len(), 1);
    let s = slices[0];
    let name = s.metadata.name.as_deref().unwrap();
    assert!(name.starts_with("kubia-") && name.len() == "kubia-".len() + 5, "{name}");
    assert_eq!(
        s.metadata.labels.as_ref().unwrap()["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    let eps = s.endpoints.as_ref().unwrap();
    assert_eq!(eps.len(), 3);
    let cond = eps[0].conditions.as_ref().unwrap();
    assert_eq!((cond.ready, cond.serving, cond.terminating), (Some(true), Some(true), Some(false)));
    // kube-dns got its endpoints from the coredns pods.
    let dns = c.store().get_typed::<Endpoints>("kube-system", "kube-dns").unwrap();
    assert_eq!(dns.subsets.as_ref().unwrap()[0].addresses.as_ref().unwrap().len(), 2);
}

#[test]
fn hundred_requests_reach_all_three_pods_and_affinity_pins_one() {
    let mut c = cluster(3);
    kubia_pods(&mut c, 3);
    apply(&mut c, KUBIA_SVC);
    let ip = svc_ip(&c, "default", "kubia");
    let from = Client::Pod(pod_key("kubia-0"));
    let seen = spread(&mut c, &from, &format!("http://{ip}"), 100);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.values().all(|n| *n >= 15), "{seen:?}");

    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-sticky\nspec:\n  sessionAffinity: ClientIP\n  ports:\n  - port: 80\n    targetPort: 8080\n  selector:\n    app: kubia\n",
    );
    let sticky = c.store().get_typed::<Service>("default", "kubia-sticky").unwrap().clone();
    let cfg = sticky.spec.unwrap().session_affinity_config.unwrap();
    assert_eq!(cfg.client_ip.unwrap().timeout_seconds, Some(10800));
    let ip = svc_ip(&c, "default", "kubia-sticky");
    let seen = spread(&mut c, &from, &format!("http://{ip}"), 100);
    assert_eq!(seen.len(), 1, "{seen:?}");
    // The serving pod logged the client as node does.
    let log = c.traffic_log().last().unwrap().clone();
    assert_eq!(log.outcome, Outcome::Status(200));
    assert!(log.pod.is_some() && log.service.is_some());
}

#[test]
fn same_seed_same_picks() {
    let run = |seed| {
        let mut c = cluster(seed);
        kubia_pods(&mut c, 3);
        apply(&mut c, KUBIA_SVC);
        let ip = svc_ip(&c, "default", "kubia");
        let from = Client::Pod(pod_key("kubia-0"));
        let picks: Vec<String> =
            (0..30).map(|_| hit(&get(&mut c, &from, &format!("http://{ip}")).unwrap())).collect();
        (ip, picks)
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42).1, run(43).1);
}

#[test]
fn not_ready_pod_gets_no_traffic_until_touch_var_ready() {
    let mut c = cluster(5);
    let probe = "    readinessProbe:\n      exec:\n        command: [ls, /var/ready]\n";
    apply(&mut c, &pod("kubia-ready", "app: kubia", "luksa/kubia", probe));
    apply(&mut c, KUBIA_SVC);
    advance(&mut c, 30_000);
    let ep = c.store().get_typed::<Endpoints>("default", "kubia").unwrap();
    let s = &ep.subsets.as_ref().unwrap()[0];
    assert!(s.addresses.is_none());
    assert_eq!(s.not_ready_addresses.as_ref().unwrap().len(), 1);
    let ip = svc_ip(&c, "default", "kubia");
    let err =
        get(&mut c, &Client::Node("kubeplay-worker".into()), &format!("http://{ip}")).unwrap_err();
    assert_eq!(
        err,
        format!("(7) Failed to connect to {ip} port 80 after 0 ms: Couldn't connect to server")
    );
    let out = exec(&mut c, "kubia-ready", &["touch", "/var/ready"]);
    assert_eq!(out.exit_code, 0, "{out:?}");
    advance(&mut c, 10_000);
    let ep = c.store().get_typed::<Endpoints>("default", "kubia").unwrap();
    assert_eq!(ep.subsets.as_ref().unwrap()[0].addresses.as_ref().unwrap().len(), 1);
    let body =
        get(&mut c, &Client::Node("kubeplay-worker".into()), &format!("http://{ip}")).unwrap();
    assert_eq!(body, "You've hit kubia-ready\n");
}

#[test]
fn named_target_ports_resolve_per_pod() {
    let mut c = cluster(9);
    kubia_pods(&mut c, 2);
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-named\nspec:\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n  - name: https\n    port: 443\n    targetPort: 8443\n  selector:\n    app: kubia\n",
    );
    let ep = c.store().get_typed::<Endpoints>("default", "kubia-named").unwrap();
    let ports: Vec<(Option<String>, i32)> = ep.subsets.as_ref().unwrap()[0]
        .ports
        .as_ref()
        .unwrap()
        .iter()
        .map(|p| (p.name.clone(), p.port))
        .collect();
    assert_eq!(ports, vec![(Some("http".into()), 8080), (Some("https".into()), 8443)]);
    let ip = svc_ip(&c, "default", "kubia-named");
    let from = Client::Pod(pod_key("kubia-0"));
    assert!(get(&mut c, &from, &format!("http://{ip}")).unwrap().starts_with("You've hit kubia-"));
    // Nothing listens on 8443 in the kubia image.
    let err = get(&mut c, &from, &format!("http://{ip}:443")).unwrap_err();
    assert!(err.starts_with("(7) Failed to connect to"), "{err}");
}

#[test]
fn node_port_on_every_node_and_local_policy_only_via_its_node() {
    let mut c = cluster(11);
    kubia_pods(&mut c, 1);
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-nodeport\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    targetPort: 8080\n    nodePort: 30123\n  selector:\n    app: kubia\n",
    );
    let svc = c.store().get_typed::<Service>("default", "kubia-nodeport").unwrap();
    assert_eq!(svc.spec.as_ref().unwrap().external_traffic_policy.as_deref(), Some("Cluster"));
    for n in 2..=5 {
        let body = get(&mut c, &Client::Outside, &format!("http://172.18.0.{n}:30123")).unwrap();
        assert_eq!(body, "You've hit kubia-0\n");
    }
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-nodeport-onlylocal\nspec:\n  type: NodePort\n  externalTrafficPolicy: Local\n  ports:\n  - port: 80\n    targetPort: 8080\n    nodePort: 30124\n  selector:\n    app: kubia\n",
    );
    let pod_node = c
        .store()
        .get_typed::<k8s_openapi::api::core::v1::Pod>("default", "kubia-0")
        .unwrap()
        .spec
        .as_ref()
        .unwrap()
        .node_name
        .clone()
        .unwrap();
    let mut ok = 0;
    for n in 2..=5 {
        let ip = format!("172.18.0.{n}");
        let node_of_ip = kubeplay_engine::network::proxy::node_ip(&c, &pod_node).unwrap();
        let r = get(&mut c, &Client::Outside, &format!("http://{ip}:30124"));
        if ip == node_of_ip {
            assert_eq!(r.unwrap(), "You've hit kubia-0\n");
            ok += 1;
        } else {
            assert!(r.unwrap_err().starts_with("(28) Failed to connect to"));
        }
    }
    assert_eq!(ok, 1);
    // The pod saw the outside client's own address (no SNAT with Local).
    assert_eq!(c.traffic_log().last().unwrap().client_ip, "172.18.0.1");
    // An allocated node port is in the dynamic band; a taken one is refused with upstream words.
    let err = try_apply(&mut c, "apiVersion: v1\nkind: Service\nmetadata:\n  name: dup\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30123\n").unwrap_err();
    assert_eq!(
        err,
        "The Service \"dup\" is invalid: spec.ports[0].nodePort: Invalid value: 30123: provided port is already allocated"
    );
    let err = try_apply(&mut c, "apiVersion: v1\nkind: Service\nmetadata:\n  name: far\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n").unwrap_err();
    assert_eq!(
        err,
        "The Service \"far\" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: auto\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n",
    );
    let np = c
        .store()
        .get_typed::<Service>("default", "auto")
        .unwrap()
        .spec
        .as_ref()
        .unwrap()
        .ports
        .as_ref()
        .unwrap()[0]
        .node_port
        .unwrap();
    assert!((30086..=32767).contains(&np), "{np}");
}

#[test]
fn load_balancer_pending_then_ensured() {
    let mut c = cluster(13);
    kubia_pods(&mut c, 2);
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-loadbalancer\nspec:\n  type: LoadBalancer\n  ports:\n  - port: 80\n    targetPort: 8080\n  selector:\n    app: kubia\n",
    );
    let svc = c.store().get_typed::<Service>("default", "kubia-loadbalancer").unwrap().clone();
    let spec = svc.spec.as_ref().unwrap();
    assert_eq!(spec.allocate_load_balancer_node_ports, Some(true));
    assert!(spec.ports.as_ref().unwrap()[0].node_port.is_some());
    assert!(kubeplay_engine::network::lb::lb_ips(&svc).is_empty());
    advance(&mut c, 5_000);
    let svc = c.store().get_typed::<Service>("default", "kubia-loadbalancer").unwrap().clone();
    let ips = kubeplay_engine::network::lb::lb_ips(&svc);
    assert_eq!(ips, vec!["172.18.255.200".to_string()]);
    let reasons: Vec<String> = c
        .store()
        .list_typed::<k8s_openapi::api::core::v1::Event>(Some("default"))
        .filter(|e| e.involved_object.name.as_deref() == Some("kubia-loadbalancer"))
        .filter_map(|e| e.reason.clone())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.contains(&"EnsuringLoadBalancer".to_string())
            && reasons.contains(&"EnsuredLoadBalancer".to_string())
    );
    let body = get(&mut c, &Client::Outside, "http://172.18.255.200").unwrap();
    assert!(body.starts_with("You've hit kubia-"));
}

#[test]
fn failures_speak_curl() {
    let mut c = cluster(17);
    kubia_pods(&mut c, 1);
    let from = Client::Pod(pod_key("kubia-0"));
    assert_eq!(get(&mut c, &from, "http://foo").unwrap_err(), "(6) Could not resolve host: foo");
    // A service whose selector matches nothing: kube-proxy rejects.
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: nobody\nspec:\n  ports:\n  - port: 80\n  selector:\n    app: nobody\n",
    );
    let ip = svc_ip(&c, "default", "nobody");
    assert_eq!(
        get(&mut c, &from, "http://nobody").unwrap_err(),
        "(7) Failed to connect to nobody port 80 after 0 ms: Couldn't connect to server"
    );
    // Wrong port on a ClusterIP, and an address nobody has: the SYNs vanish.
    assert!(get(&mut c, &from, &format!("http://{ip}:81")).unwrap_err().starts_with("(28) "));
    assert!(get(&mut c, &from, "http://10.96.200.200").unwrap_err().starts_with("(28) "));
    // ClusterIPs are not reachable from outside.
    assert!(
        get(&mut c, &Client::Outside, &format!("http://{ip}")).unwrap_err().starts_with("(28) ")
    );
    // Inside the pod, curl prints it the same way.
    let out = exec(&mut c, "kubia-0", &["curl", "http://foo"]);
    assert_eq!(
        (out.stderr.as_str(), out.exit_code),
        ("curl: (6) Could not resolve host: foo\n", 6)
    );
    let failed = c.traffic_log().filter(|e| matches!(e.outcome, Outcome::Failed(_))).count();
    assert!(failed >= 5);
}

#[test]
fn selectorless_service_uses_the_users_endpoints() {
    let mut c = cluster(19);
    apply(
        &mut c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: external-service\nspec:\n  ports:\n  - port: 80\n",
    );
    assert!(c.store().get_typed::<Endpoints>("default", "external-service").is_none());
    apply(
        &mut c,
        "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: external-service\nsubsets:\n- addresses:\n  - ip: 11.11.11.11\n  - ip: 22.22.22.22\n  ports:\n  - port: 80\n",
    );
    advance(&mut c, 1_000);
    let ep = c.store().get_typed::<Endpoints>("default", "external-service").unwrap();
    assert_eq!(ep.subsets.as_ref().unwrap()[0].addresses.as_ref().unwrap().len(), 2);
    assert!(ep.metadata.labels.is_none());
}

#[test]
fn service_env_vars_for_pods_created_after_the_service() {
    let mut c = cluster(23);
    kubia_pods(&mut c, 1);
    apply(&mut c, KUBIA_SVC);
    let ip = svc_ip(&c, "default", "kubia");
    apply(&mut c, &pod("kubia-late", "app: kubia", "luksa/kubia", ""));
    advance(&mut c, 30_000);
    let late = exec(&mut c, "kubia-late", &["env"]).stdout;
    assert!(late.contains(&format!("KUBIA_SERVICE_HOST={ip}\n")), "{late}");
    assert!(late.contains("KUBIA_SERVICE_PORT=80\n"));
    assert!(late.contains(&format!("KUBIA_PORT=tcp://{ip}:80\n")));
    assert!(late.contains(&format!("KUBIA_PORT_80_TCP_ADDR={ip}\n")));
    assert!(late.contains("KUBERNETES_SERVICE_HOST=10.96.0.1\n"));
    let early = exec(&mut c, "kubia-0", &["env"]).stdout;
    assert!(!early.contains("KUBIA_SERVICE_HOST"));
}

#[test]
fn curl_from_inside_a_pod_by_name_and_back_to_itself() {
    let mut c = cluster(29);
    kubia_pods(&mut c, 3);
    apply(&mut c, KUBIA_SVC);
    for url in ["http://kubia", "http://kubia.default", "http://kubia.default.svc.cluster.local"] {
        let out = exec(&mut c, "kubia-0", &["curl", "-s", url]);
        assert_eq!(out.exit_code, 0, "{url}: {out:?}");
        assert!(out.stdout.starts_with("You've hit kubia-"), "{out:?}");
    }
    // Many requests: some come back to kubia-0 itself and are logged there.
    for _ in 0..20 {
        exec(&mut c, "kubia-0", &["curl", "-s", "http://kubia"]);
    }
    let served: usize =
        c.traffic_log().filter(|e| e.pod.as_ref().map(|p| &*p.name) == Some("kubia-0")).count();
    assert!(served > 0);
}

#[test]
fn with_no_ready_endpoint_kube_proxy_falls_back_to_serving_terminating_ones() {
    use kubeplay_engine::{Sim, SimConfig};
    let mut sim = Sim::new(SimConfig { seed: 9, worker_nodes: 3 });
    let run = |sim: &mut Sim, line: &str| {
        let out = sim.run(line);
        (out.stdout + &out.stderr, out.exit_code)
    };
    let setup = [
        "kubectl run a --image=luksa/kubia --labels=app=kubia",
        "kubectl run b --image=luksa/kubia --labels=app=kubia",
        "kubectl expose pod a --name=kubia --port=80 --target-port=8080 --selector=app=kubia --type=LoadBalancer",
        "sleep 10s",
    ];
    for line in setup {
        let (out, code) = run(&mut sim, line);
        assert_eq!(code, 0, "{line}: {out}");
    }
    let lb = "curl http://172.18.255.200";
    // One pod shuts down: the ready one takes all the traffic.
    run(&mut sim, "kubectl delete pod a --wait=false");
    for _ in 0..10 {
        assert_eq!(run(&mut sim, lb), ("You've hit b\n".to_string(), 0));
    }
    // Both shut down: kubia ignores SIGTERM and still answers, so kube-proxy uses it rather
    // than refusing (KEP-1669, CategorizeEndpoints).
    run(&mut sim, "kubectl delete pod b --wait=false");
    let (out, code) = run(&mut sim, lb);
    assert_eq!(code, 0, "{out}");
    assert!(out == "You've hit a\n" || out == "You've hit b\n", "{out}");
    // Once they are gone, nothing answers.
    run(&mut sim, "sleep 35s");
    let (out, code) = run(&mut sim, lb);
    assert_eq!(code, 7, "{out}");
    assert_eq!(
        out,
        "curl: (7) Failed to connect to 172.18.255.200 port 80 after 0 ms: Couldn't connect to server\n"
    );
}

#[test]
fn the_view_carries_recent_requests_from_service_to_pod_for_animation() {
    let mut c = cluster(3);
    kubia_pods(&mut c, 3);
    apply(&mut c, KUBIA_SVC);
    let ip = svc_ip(&c, "default", "kubia");
    let from = Client::Pod(pod_key("kubia-0"));
    let seen = spread(&mut c, &from, &format!("http://{ip}"), 3);
    let snapshot = kubeplay_engine::view::ClusterSnapshot::build(&c);
    assert_eq!(snapshot.requests.len(), 3);
    let served: BTreeMap<String, usize> = snapshot
        .requests
        .iter()
        .map(|r| {
            assert_eq!(r.service.as_deref(), Some("default/kubia"));
            assert!(r.ok);
            (r.pod.clone().unwrap().trim_start_matches("default/").to_string(), 1)
        })
        .fold(BTreeMap::new(), |mut m, (p, n)| {
            *m.entry(p).or_default() += n;
            m
        });
    assert_eq!(served, seen);
    assert!(snapshot.requests.windows(2).all(|w| w[0].seq < w[1].seq));
}
