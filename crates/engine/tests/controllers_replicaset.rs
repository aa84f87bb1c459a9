//! ReplicaSet and ReplicationController scenarios from chapter 4 of the book: scale up and
//! down, relabel a pod out, orphan-delete and adopt, status counts and events.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, ReplicationController};
use kubeplay_engine::api::{Kind, ObjKey};
use kubeplay_engine::cluster::Propagation;

const RC: &str = r#"
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
        ports:
        - containerPort: 8080
"#;

const RS: &str = r#"
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
"#;

#[test]
fn rc_creates_three_pods_with_owner_references_and_events() {
    let mut c = cluster();
    apply(&mut c, RC);
    let pods = live_pods(&c, "default", "kubia-");
    assert_eq!(pods.len(), 3);
    for p in &pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        assert_eq!(name.len(), "kubia-".len() + 5, "{name}");
        let r = &p.metadata.owner_references.as_ref().expect("owner")[0];
        assert_eq!((r.kind.as_str(), r.name.as_str()), ("ReplicationController", "kubia"));
        assert_eq!((r.controller, r.block_owner_deletion), (Some(true), Some(true)));
    }
    let events = events_for(&c, "default", "kubia");
    assert_eq!(events.len(), 3);
    for (reason, message) in &events {
        assert_eq!(reason, "SuccessfulCreate");
        assert!(message.starts_with("Created pod: kubia-"), "{message}");
    }
    advance(&mut c, 30_000);
    let rc = get(&c, Kind::ReplicationController, "default", "kubia").unwrap();
    let status = rc.as_kind::<ReplicationController>().unwrap().status.clone().unwrap();
    assert_eq!(status.replicas, 3);
    assert_eq!(status.ready_replicas, Some(3));
    assert_eq!(status.available_replicas, Some(3));
    assert_eq!(status.fully_labeled_replicas, Some(3));
    assert_eq!(status.observed_generation, Some(1));
}

#[test]
fn relabelled_pod_is_released_and_replaced() {
    let mut c = cluster();
    apply(&mut c, RC);
    advance(&mut c, 20_000);
    let mut pod = live_pods(&c, "default", "kubia-").remove(0);
    let name = pod.metadata.name.clone().unwrap();
    pod.metadata.labels.as_mut().unwrap().insert("app".into(), "foo".into());
    c.update(pod.into()).expect("relabel");
    c.settle();
    let released = get(&c, Kind::Pod, "default", &name).unwrap();
    assert!(released.meta().owner_references.is_none(), "released pod keeps no owner");
    let managed: Vec<Pod> = live_pods(&c, "default", "kubia-")
        .into_iter()
        .filter(|p| p.metadata.labels.as_ref().unwrap()["app"] == "kubia")
        .collect();
    assert_eq!(managed.len(), 3, "a replacement was created");
    assert_eq!(live_pods(&c, "default", "kubia-").len(), 4);
}

#[test]
fn scaling_down_deletes_and_records_events() {
    let mut c = cluster();
    apply(&mut c, RC);
    advance(&mut c, 20_000);
    let mut rc = get(&c, Kind::ReplicationController, "default", "kubia").unwrap();
    if let kubeplay_engine::api::Object::ReplicationController(r) = &mut rc {
        r.spec.as_mut().unwrap().replicas = Some(1);
    }
    c.update(rc).expect("scale");
    c.settle();
    assert_eq!(live_pods(&c, "default", "kubia-").len(), 1);
    let deletes = events_for(&c, "default", "kubia")
        .into_iter()
        .filter(|(r, m)| r == "SuccessfulDelete" && m.starts_with("Deleted pod: kubia-"))
        .count();
    assert_eq!(deletes, 2);
    let rc = get(&c, Kind::ReplicationController, "default", "kubia").unwrap();
    assert_eq!(rc.meta().generation, Some(2));
}

#[test]
fn orphaned_pods_are_adopted_by_a_new_replicaset() {
    let mut c = cluster();
    apply(&mut c, RC);
    advance(&mut c, 20_000);
    let before = pod_names(&c, "default", "kubia-");
    let key = ObjKey::new(Kind::ReplicationController, "default", "kubia");
    c.delete(&key, None, Propagation::Orphan).expect("delete");
    c.settle();
    advance(&mut c, 5_000);
    assert_eq!(pod_names(&c, "default", "kubia-"), before, "orphan delete leaves the pods");
    for p in live_pods(&c, "default", "kubia-") {
        assert!(p.metadata.owner_references.is_none());
    }
    let rs = apply(&mut c, RS);
    assert_eq!(pod_names(&c, "default", "kubia-"), before, "the RS adopts, creates nothing");
    let uid = rs.meta().uid.clone().unwrap();
    for p in live_pods(&c, "default", "kubia-") {
        assert_eq!(p.metadata.owner_references.as_ref().unwrap()[0].uid, uid);
    }
    let rs = get(&c, Kind::ReplicaSet, "default", "kubia").unwrap();
    let status = rs.as_kind::<ReplicaSet>().unwrap().status.clone().unwrap();
    assert_eq!((status.replicas, status.available_replicas), (3, Some(3)));
}

#[test]
fn template_edits_leave_existing_pods_alone() {
    let mut c = cluster();
    apply(&mut c, RS);
    let before = pod_names(&c, "default", "kubia-");
    let mut rs = get(&c, Kind::ReplicaSet, "default", "kubia").unwrap();
    if let kubeplay_engine::api::Object::ReplicaSet(r) = &mut rs {
        let t = r.spec.template.as_mut().unwrap();
        t.spec.as_mut().unwrap().containers[0].image = Some("luksa/kubia:v2".into());
    }
    c.update(rs).expect("edit");
    c.settle();
    assert_eq!(pod_names(&c, "default", "kubia-"), before);
}

#[test]
fn min_ready_seconds_delays_availability() {
    let mut c = cluster();
    let yaml = RS.replace("  replicas: 3\n", "  replicas: 2\n  minReadySeconds: 10\n");
    apply(&mut c, &yaml);
    let available = |c: &kubeplay_engine::cluster::Cluster| {
        get(c, Kind::ReplicaSet, "default", "kubia")
            .and_then(|o| o.as_kind::<ReplicaSet>().and_then(|r| r.status.clone()))
            .and_then(|s| s.available_replicas)
            .unwrap_or(0)
    };
    run_until(&mut c, 500, 60_000, |c| live_pods(c, "default", "kubia-").iter().all(is_ready));
    let ready_at = c.now_ms();
    assert_eq!(available(&c), 0);
    run_until(&mut c, 500, 60_000, |c| available(c) == 2);
    let waited = c.now_ms() - ready_at;
    assert!((9_000..=12_000).contains(&waited), "available {waited} ms after ready");
}

#[test]
fn invalid_selector_is_rejected_with_upstream_wording() {
    let mut c = cluster();
    let bad = RS.replace("      app: kubia\n  template", "      app: other\n  template");
    let err = c.create(manifest(&bad)).unwrap_err();
    assert_eq!(
        err.message,
        "ReplicaSet \"kubia\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"kubia\"}: `selector` does not match template `labels`"
    );
}
