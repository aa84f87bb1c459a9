//! DaemonSet scenarios: system daemons on every node, the book's ssd-monitor following the
//! `disk` node label, the pinned node affinity, and a node going NotReady.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Node;
use kubeplay_engine::api::Kind;
use kubeplay_engine::cluster::Cluster;

const SSD_MONITOR: &str = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ssd-monitor
spec:
  selector:
    matchLabels:
      app: ssd-monitor
  template:
    metadata:
      labels:
        app: ssd-monitor
    spec:
      nodeSelector:
        disk: ssd
      containers:
      - name: main
        image: luksa/ssd-monitor
"#;

fn label_node(c: &mut Cluster, node: &str, key: &str, value: &str) {
    let mut n = get(c, Kind::Node, "", node).unwrap().as_kind::<Node>().unwrap().clone();
    n.metadata.labels.get_or_insert_with(Default::default).insert(key.into(), value.into());
    c.update(n.into()).expect("label node");
    c.settle();
}

fn ds_status(c: &Cluster, ns: &str, name: &str) -> k8s_openapi::api::apps::v1::DaemonSetStatus {
    get(c, Kind::DaemonSet, ns, name)
        .unwrap()
        .as_kind::<DaemonSet>()
        .unwrap()
        .status
        .clone()
        .unwrap()
}

#[test]
fn system_daemons_run_one_pod_per_node_with_labels_and_pinned_affinity() {
    let c = cluster();
    let pods = live_pods(&c, "kube-system", "kube-proxy-");
    let mut nodes: Vec<String> =
        pods.iter().filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone())).collect();
    nodes.sort();
    assert_eq!(
        nodes,
        ["kubeplay-control-plane", "kubeplay-worker", "kubeplay-worker2", "kubeplay-worker3"]
    );
    for p in &pods {
        let l = p.metadata.labels.as_ref().unwrap();
        assert!(l.contains_key("controller-revision-hash"));
        assert_eq!(l["pod-template-generation"], "1");
        let terms = &p
            .spec
            .as_ref()
            .unwrap()
            .affinity
            .as_ref()
            .unwrap()
            .node_affinity
            .as_ref()
            .unwrap()
            .required_during_scheduling_ignored_during_execution
            .as_ref()
            .unwrap()
            .node_selector_terms;
        let f = &terms[0].match_fields.as_ref().unwrap()[0];
        assert_eq!((f.key.as_str(), f.operator.as_str()), ("metadata.name", "In"));
        assert_eq!(
            f.values.as_ref().unwrap()[0],
            p.spec.as_ref().unwrap().node_name.clone().unwrap()
        );
    }
    let s = ds_status(&c, "kube-system", "kube-proxy");
    assert_eq!((s.desired_number_scheduled, s.current_number_scheduled, s.number_ready), (4, 4, 4));
    assert_eq!(s.number_available, Some(4));
}

#[test]
fn ssd_monitor_follows_the_disk_label() {
    let mut c = cluster();
    apply(&mut c, SSD_MONITOR);
    assert!(live_pods(&c, "default", "ssd-monitor-").is_empty(), "no node has disk=ssd");
    assert_eq!(ds_status(&c, "default", "ssd-monitor").desired_number_scheduled, 0);
    label_node(&mut c, "kubeplay-worker", "disk", "ssd");
    let pods = live_pods(&c, "default", "ssd-monitor-");
    assert_eq!(pods.len(), 1);
    advance(&mut c, 10_000);
    let pods = live_pods(&c, "default", "ssd-monitor-");
    assert_eq!(pods[0].spec.as_ref().unwrap().node_name.as_deref(), Some("kubeplay-worker"));
    assert!(is_ready(&pods[0]));
    let events = events_for(&c, "default", "ssd-monitor");
    assert_eq!(events[0].0, "SuccessfulCreate");
    label_node(&mut c, "kubeplay-worker", "disk", "hdd");
    assert!(live_pods(&c, "default", "ssd-monitor-").is_empty(), "disk=hdd removes it");
    assert!(
        events_for(&c, "default", "ssd-monitor")
            .iter()
            .any(|(r, m)| r == "SuccessfulDelete" && m.starts_with("Deleted pod: ssd-monitor-"))
    );
}

#[test]
fn taints_decide_where_daemons_run_and_stay() {
    let mut c = cluster();
    apply(&mut c, SSD_MONITOR);
    label_node(&mut c, "kubeplay-worker2", "disk", "ssd");
    label_node(&mut c, "kubeplay-worker3", "disk", "ssd");
    assert_eq!(live_pods(&c, "default", "ssd-monitor-").len(), 2);
    let taint = |c: &mut Cluster, node: &str, effect: &str| {
        let mut n = get(c, Kind::Node, "", node).unwrap().as_kind::<Node>().unwrap().clone();
        n.spec.get_or_insert_with(Default::default).taints =
            Some(vec![k8s_openapi::api::core::v1::Taint {
                key: "dedicated".into(),
                value: Some("db".into()),
                effect: effect.into(),
                time_added: None,
            }]);
        c.update(n.into()).expect("taint");
        c.settle();
    };
    // NoSchedule: the existing pod may stay, but the node is no longer "desired".
    taint(&mut c, "kubeplay-worker2", "NoSchedule");
    assert_eq!(live_pods(&c, "default", "ssd-monitor-").len(), 2);
    let s = ds_status(&c, "default", "ssd-monitor");
    assert_eq!((s.desired_number_scheduled, s.number_misscheduled), (1, 1));
    // NoExecute: it goes.
    taint(&mut c, "kubeplay-worker3", "NoExecute");
    let left: Vec<String> = live_pods(&c, "default", "ssd-monitor-")
        .iter()
        .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
        .collect();
    assert_eq!(left, ["kubeplay-worker2"]);
}

#[test]
fn template_change_rolls_daemon_pods_one_at_a_time() {
    let mut c = cluster();
    apply(&mut c, SSD_MONITOR);
    for n in ["kubeplay-worker", "kubeplay-worker2", "kubeplay-worker3"] {
        label_node(&mut c, n, "disk", "ssd");
    }
    advance(&mut c, 20_000);
    let mut ds = get(&c, Kind::DaemonSet, "default", "ssd-monitor")
        .unwrap()
        .as_kind::<DaemonSet>()
        .unwrap()
        .clone();
    ds.spec.template.spec.as_mut().unwrap().containers[0].image = Some("busybox".into());
    ds.spec.template.spec.as_mut().unwrap().containers[0].command =
        Some(vec!["sleep".into(), "9999999".into()]);
    c.update(ds.into()).unwrap();
    c.settle();
    let terminating = c
        .store()
        .list_typed::<k8s_openapi::api::core::v1::Pod>(Some("default"))
        .filter(|p| p.metadata.deletion_timestamp.is_some())
        .count();
    assert_eq!(terminating, 1, "maxUnavailable 1");
    run_until(&mut c, 1_000, 600_000, |c| {
        let s = ds_status(c, "default", "ssd-monitor");
        s.updated_number_scheduled == Some(3) && s.number_available == Some(3)
    });
    for p in live_pods(&c, "default", "ssd-monitor-") {
        assert_eq!(p.metadata.labels.as_ref().unwrap()["pod-template-generation"], "2");
    }
}
