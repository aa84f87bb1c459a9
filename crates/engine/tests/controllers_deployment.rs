//! Deployment scenarios from chapter 9 of the book: a v1 -> v2 rolling update with surge 1 and
//! unavailable 0, the v3 image that never becomes available (ProgressDeadlineExceeded),
//! Recreate, rollback by template, pause, proportional scaling and history cleanup.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kubeplay_engine::api::{Kind, Object};
use kubeplay_engine::cluster::Cluster;

fn deployment_yaml(image: &str, extra_spec: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
{extra_spec}  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
      - image: {image}
        name: nodejs
"#
    )
}

fn deployment(c: &Cluster) -> Deployment {
    get(c, Kind::Deployment, "default", "kubia").unwrap().as_kind::<Deployment>().unwrap().clone()
}

fn set_image(c: &mut Cluster, image: &str) {
    let mut d = deployment(c);
    d.spec.template.spec.as_mut().unwrap().containers[0].image = Some(image.into());
    c.update(d.into()).expect("set image");
    c.settle();
}

fn replica_sets(c: &Cluster) -> Vec<ReplicaSet> {
    let mut v: Vec<ReplicaSet> = c
        .store()
        .list_typed::<ReplicaSet>(Some("default"))
        .filter(|r| r.metadata.name.as_deref().unwrap_or("").starts_with("kubia-"))
        .cloned()
        .collect();
    v.sort_by_key(|r| r.metadata.creation_timestamp.as_ref().map(|t| t.0));
    v
}

fn rs_with_image(c: &Cluster, image: &str) -> ReplicaSet {
    replica_sets(c)
        .into_iter()
        .find(|r| {
            r.spec.template.as_ref().unwrap().spec.as_ref().unwrap().containers[0].image.as_deref()
                == Some(image)
        })
        .expect("rs for image")
}

fn condition(d: &Deployment, type_: &str) -> Option<(String, String)> {
    d.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_.as_deref() == Some(type_))
        .map(|c| (c.status.clone().unwrap_or_default(), c.reason.clone().unwrap_or_default()))
}

fn scaling_events(c: &Cluster) -> Vec<String> {
    events_for(c, "default", "kubia")
        .into_iter()
        .filter(|(r, _)| r == "ScalingReplicaSet")
        .map(|(_, m)| m)
        .collect()
}

fn complete(c: &Cluster) -> bool {
    let d = deployment(c);
    condition(&d, "Progressing").is_some_and(|(_, r)| r == "NewReplicaSetAvailable")
        && d.status.as_ref().and_then(|s| s.available_replicas) == Some(3)
        && d.status.as_ref().and_then(|s| s.updated_replicas) == Some(3)
        && d.status.as_ref().and_then(|s| s.replicas) == Some(3)
}

#[test]
fn creation_makes_one_rs_with_hash_and_revision() {
    let mut c = cluster();
    apply(&mut c, &deployment_yaml("luksa/kubia:v1", ""));
    let rss = replica_sets(&c);
    assert_eq!(rss.len(), 1);
    let rs = &rss[0];
    let hash = rs.metadata.labels.as_ref().unwrap()["pod-template-hash"].clone();
    assert_eq!(rs.metadata.name.as_deref(), Some(format!("kubia-{hash}").as_str()));
    let a = rs.metadata.annotations.as_ref().unwrap();
    assert_eq!(a["deployment.kubernetes.io/revision"], "1");
    assert_eq!(a["deployment.kubernetes.io/desired-replicas"], "3");
    assert_eq!(a["deployment.kubernetes.io/max-replicas"], "4");
    for name in pod_names(&c, "default", "kubia-") {
        assert!(name.starts_with(&format!("kubia-{hash}-")), "{name}");
        assert_eq!(name.len(), format!("kubia-{hash}-").len() + 5);
    }
    assert_eq!(scaling_events(&c), [format!("Scaled up replica set kubia-{hash} to 3")]);
    let d = deployment(&c);
    assert_eq!(d.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"], "1");
    run_until(&mut c, 1_000, 120_000, complete);
    let d = deployment(&c);
    let conds: Vec<String> =
        d.status.unwrap().conditions.unwrap().iter().map(|c| c.type_.clone().unwrap()).collect();
    assert_eq!(conds, ["Available", "Progressing"]);
}

#[test]
fn hash_is_stable_for_equal_templates() {
    let mut a = cluster();
    let mut b = cluster_with(kubeplay_engine::SimConfig { seed: 99, ..Default::default() });
    apply(&mut a, &deployment_yaml("luksa/kubia:v1", ""));
    apply(&mut b, &deployment_yaml("luksa/kubia:v1", ""));
    assert_eq!(replica_sets(&a)[0].metadata.name, replica_sets(&b)[0].metadata.name);
    let mut c = cluster();
    apply(&mut c, &deployment_yaml("luksa/kubia:v2", ""));
    assert_ne!(replica_sets(&a)[0].metadata.name, replica_sets(&c)[0].metadata.name);
}

#[test]
fn rolling_update_v1_to_v2_with_surge_1_unavailable_0() {
    let mut c = cluster();
    let strategy = "  strategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n    type: RollingUpdate\n";
    apply(&mut c, &deployment_yaml("luksa/kubia:v1", strategy));
    run_until(&mut c, 1_000, 120_000, complete);
    set_image(&mut c, "luksa/kubia:v2");
    let v1 = rs_with_image(&c, "luksa/kubia:v1").metadata.name.unwrap();
    let v2 = rs_with_image(&c, "luksa/kubia:v2").metadata.name.unwrap();
    // Record (v1 pods, v2 pods) at each change, as `kubectl get pods -w` would show them.
    let mut timeline: Vec<(usize, usize)> = Vec::new();
    let mut sample = |c: &Cluster| {
        let v1n = live_pods(c, "default", &format!("{v1}-")).len();
        let v2n = live_pods(c, "default", &format!("{v2}-")).len();
        assert!(v1n + v2n <= 4, "never more than replicas + maxSurge");
        if timeline.last() != Some(&(v1n, v2n)) {
            timeline.push((v1n, v2n));
        }
    };
    sample(&c);
    while !complete(&c) {
        assert!(c.now_ms() < 10 * 60 * 1000, "rollout finishes");
        advance(&mut c, 200);
        sample(&c);
    }
    // Old scale-down and the next new scale-up happen in the same instant (the surge slot frees
    // as soon as the old RS is scaled down), so a watcher sees these steps.
    assert_eq!(timeline, [(3, 1), (2, 2), (1, 3), (0, 3)]);
    assert_eq!(
        scaling_events(&c),
        [
            format!("Scaled up replica set {v1} to 3"),
            format!("Scaled up replica set {v2} to 1"),
            format!("Scaled down replica set {v1} to 2 from 3"),
            format!("Scaled up replica set {v2} to 2 from 1"),
            format!("Scaled down replica set {v1} to 1 from 2"),
            format!("Scaled up replica set {v2} to 3 from 2"),
            format!("Scaled down replica set {v1} to 0 from 1"),
        ]
    );
    let d = deployment(&c);
    assert_eq!(d.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"], "2");
}

#[test]
fn first_creation_event_wording_for_a_new_rs_created_during_rollout() {
    // A new RS is created at its first size, so its event has no "from" (upstream wording).
    let mut c = cluster();
    apply(&mut c, &deployment_yaml("luksa/kubia:v1", ""));
    assert!(scaling_events(&c)[0].ends_with(" to 3"));
}

#[test]
fn v3_never_available_stalls_and_exceeds_progress_deadline() {
    let mut c = cluster();
    let strategy = "  minReadySeconds: 10\n  strategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n    type: RollingUpdate\n";
    apply(&mut c, &deployment_yaml("luksa/kubia:v2", strategy));
    run_until(&mut c, 1_000, 120_000, complete);
    let mut d = deployment(&c);
    let container = &mut d.spec.template.spec.as_mut().unwrap().containers[0];
    container.image = Some("luksa/kubia:v3".into());
    let probe: k8s_openapi::api::core::v1::Probe = serde_json::from_value(serde_json::json!({
        "periodSeconds": 1, "httpGet": {"path": "/", "port": 8080}
    }))
    .unwrap();
    container.readiness_probe = Some(probe);
    c.update(d.into()).expect("apply v3");
    c.settle();
    let started = c.now_ms();
    let v3 = rs_with_image(&c, "luksa/kubia:v3").metadata.name.unwrap();
    advance(&mut c, 120_000);
    assert_eq!(live_pods(&c, "default", &format!("{v3}-")).len(), 1, "stalls with one new pod");
    assert_eq!(live_pods(&c, "default", "kubia-").len(), 4);
    let (_, reason) = condition(&deployment(&c), "Progressing").unwrap();
    assert_eq!(reason, "ReplicaSetUpdated");
    run_until(&mut c, 5_000, 15 * 60 * 1000, |c| {
        condition(&deployment(c), "Progressing")
            .is_some_and(|(_, r)| r == "ProgressDeadlineExceeded")
    });
    let elapsed = c.now_ms() - started;
    assert!((600_000..=620_000).contains(&elapsed), "deadline after {elapsed} ms");
    let d = deployment(&c);
    assert_eq!(condition(&d, "Progressing").unwrap().0, "False");
    assert_eq!(
        condition(&d, "Available").unwrap(),
        ("True".into(), "MinimumReplicasAvailable".into())
    );
    let cond = d
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_.as_deref() == Some("Progressing"))
        .unwrap();
    assert_eq!(cond.message.unwrap(), format!("ReplicaSet \"{v3}\" has timed out progressing."));
}

#[test]
fn recreate_takes_all_old_pods_down_first() {
    let mut c = cluster();
    apply(&mut c, &deployment_yaml("luksa/kubia:v1", "  strategy:\n    type: Recreate\n"));
    run_until(&mut c, 1_000, 120_000, complete);
    set_image(&mut c, "luksa/kubia:v2");
    let v1 = rs_with_image(&c, "luksa/kubia:v1").metadata.name.unwrap();
    assert!(live_pods(&c, "default", &format!("{v1}-")).is_empty(), "old pods are terminating");
    assert_eq!(replica_sets(&c).len(), 1, "new RS waits for old pods to be gone");
    let mut saw_overlap = false;
    run_until(&mut c, 500, 180_000, |c| {
        let all = c.store().list_typed::<k8s_openapi::api::core::v1::Pod>(Some("default")).count();
        let v1_left = c
            .store()
            .list_typed::<k8s_openapi::api::core::v1::Pod>(Some("default"))
            .filter(|p| p.metadata.name.as_deref().unwrap_or("").starts_with(&format!("{v1}-")))
            .count();
        if v1_left > 0 && all > v1_left {
            saw_overlap = true;
        }
        complete(c)
    });
    assert!(!saw_overlap, "no new pod while an old one exists");
    let v2 = rs_with_image(&c, "luksa/kubia:v2").metadata.name.unwrap();
    let ev = scaling_events(&c);
    assert_eq!(
        ev[1..],
        [
            format!("Scaled down replica set {v1} to 0 from 3"),
            format!("Scaled up replica set {v2} to 3")
        ]
    );
}

#[test]
fn rollback_by_template_reuses_the_old_rs_with_a_new_revision() {
    let mut c = cluster();
    apply(&mut c, &deployment_yaml("luksa/kubia:v1", ""));
    run_until(&mut c, 1_000, 120_000, complete);
    set_image(&mut c, "luksa/kubia:v2");
    run_until(&mut c, 1_000, 300_000, complete);
    // What `kubectl rollout undo` sends: the old RS's template without the hash label.
    set_image(&mut c, "luksa/kubia:v1");
    assert_eq!(replica_sets(&c).len(), 2, "no third RS");
    let v1 = rs_with_image(&c, "luksa/kubia:v1");
    let a = v1.metadata.annotations.as_ref().unwrap();
    assert_eq!(a["deployment.kubernetes.io/revision"], "3");
    assert_eq!(a["deployment.kubernetes.io/revision-history"], "1");
    run_until(&mut c, 1_000, 300_000, complete);
    let d = deployment(&c);
    assert_eq!(d.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"], "3");
}

#[test]
fn change_cause_is_copied_to_the_new_rs() {
    let mut c = cluster();
    let yaml = deployment_yaml("luksa/kubia:v1", "").replace(
        "  name: kubia\nspec:",
        "  name: kubia\n  annotations:\n    kubernetes.io/change-cause: kubectl create --record\nspec:",
    );
    apply(&mut c, &yaml);
    let rs = &replica_sets(&c)[0];
    assert_eq!(
        rs.metadata.annotations.as_ref().unwrap()["kubernetes.io/change-cause"],
        "kubectl create --record"
    );
}

#[test]
fn paused_deployment_scales_but_does_not_roll_out() {
    let mut c = cluster();
    apply(&mut c, &deployment_yaml("luksa/kubia:v1", ""));
    run_until(&mut c, 1_000, 120_000, complete);
    let mut d = deployment(&c);
    d.spec.paused = Some(true);
    c.update(d.into()).unwrap();
    c.settle();
    assert_eq!(
        condition(&deployment(&c), "Progressing").unwrap(),
        ("Unknown".into(), "DeploymentPaused".into())
    );
    set_image(&mut c, "luksa/kubia:v4");
    assert_eq!(replica_sets(&c).len(), 1, "no rollout while paused");
    let mut d = deployment(&c);
    d.spec.replicas = Some(5);
    c.update(d.into()).unwrap();
    c.settle();
    assert_eq!(live_pods(&c, "default", "kubia-").len(), 5, "scaling still works");
    let mut d = deployment(&c);
    d.spec.paused = Some(false);
    c.update(d.into()).unwrap();
    c.settle();
    assert_eq!(replica_sets(&c).len(), 2, "resume starts the rollout");
    run_until(&mut c, 1_000, 300_000, |c| {
        let d = deployment(c);
        d.status.as_ref().and_then(|s| s.updated_replicas) == Some(5)
            && d.status.as_ref().and_then(|s| s.available_replicas) == Some(5)
            && d.status.as_ref().and_then(|s| s.replicas) == Some(5)
    });
}

#[test]
fn scaling_mid_rollout_is_proportional() {
    let mut c = cluster();
    let yaml = deployment_yaml("luksa/kubia:v1", "").replace("replicas: 3", "replicas: 10");
    apply(&mut c, &yaml);
    run_until(&mut c, 1_000, 120_000, |c| {
        deployment(c).status.and_then(|s| s.available_replicas) == Some(10)
    });
    set_image(&mut c, "luksa/kubia:v3");
    // v3 with no probe becomes ready; scale before it is done: sizes 8 (old) + 5 (new) = 13.
    let sizes = |c: &Cluster| -> Vec<i32> {
        replica_sets(c).iter().map(|r| r.spec.replicas.unwrap()).collect()
    };
    assert_eq!(sizes(&c), [8, 5]);
    let mut d = deployment(&c);
    d.spec.replicas = Some(20);
    c.update(d.into()).unwrap();
    c.settle();
    // allowed 20 + 5 = 25; 12 more split by the max-replicas annotation (13): 8*25/13 and 5*25/13.
    assert_eq!(sizes(&c), [15, 10]);
    for rs in replica_sets(&c) {
        let a = rs.metadata.annotations.unwrap();
        assert_eq!(a["deployment.kubernetes.io/desired-replicas"], "20");
        assert_eq!(a["deployment.kubernetes.io/max-replicas"], "25");
    }
}

#[test]
fn revision_history_limit_deletes_old_replica_sets() {
    let mut c = cluster();
    apply(&mut c, &deployment_yaml("luksa/kubia:v1", "  revisionHistoryLimit: 1\n"));
    for image in ["luksa/kubia:v2", "luksa/kubia:v4", "nginx:1.27"] {
        run_until(&mut c, 1_000, 300_000, complete);
        set_image(&mut c, image);
    }
    run_until(&mut c, 1_000, 300_000, complete);
    advance(&mut c, 1_000);
    let names: Vec<String> = replica_sets(&c)
        .iter()
        .map(|r| {
            r.spec.template.as_ref().unwrap().spec.as_ref().unwrap().containers[0]
                .image
                .clone()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["luksa/kubia:v4", "nginx:1.27"]);
}

#[test]
fn invalid_strategy_is_rejected() {
    let mut c = cluster();
    let yaml = deployment_yaml(
        "luksa/kubia:v1",
        "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0\n",
    );
    let err = c.create(manifest(&yaml)).unwrap_err();
    // The "Deployment.apps" prefix is the request path's; the cause is this kind's validation.
    assert!(
        err.message.ends_with(
            "\"kubia\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
        ),
        "{}",
        err.message
    );
    let _ = Object::Deployment;
}

#[test]
fn bootstrap_system_workloads_are_managed_without_churn() {
    let mut c = cluster();
    let dns = live_pods(&c, "kube-system", "coredns-");
    assert_eq!(dns.len(), 2);
    assert!(dns.iter().all(is_ready));
    let proxies = live_pods(&c, "kube-system", "kube-proxy-");
    assert_eq!(proxies.len(), 4, "one per node");
    let before: Vec<String> = c
        .store()
        .list_typed::<k8s_openapi::api::core::v1::Pod>(None)
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    advance(&mut c, 3_600_000);
    let after: Vec<String> = c
        .store()
        .list_typed::<k8s_openapi::api::core::v1::Pod>(None)
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    assert_eq!(before, after);
    let d = get(&c, Kind::Deployment, "kube-system", "coredns").unwrap();
    let d = d.as_kind::<Deployment>().unwrap();
    assert_eq!(d.status.as_ref().and_then(|s| s.available_replicas), Some(2));
}
