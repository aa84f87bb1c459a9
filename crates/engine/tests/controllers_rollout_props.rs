//! Property: for random replicas, maxSurge, maxUnavailable and minReadySeconds, a failure-free
//! rolling update never runs more than replicas + maxSurge pods, never drops below
//! replicas - maxUnavailable available pods once it had them, and always completes.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kubeplay_engine::api::Kind;
use kubeplay_engine::cluster::Cluster;
use proptest::prelude::*;

fn deployment(c: &Cluster) -> Deployment {
    get(c, Kind::Deployment, "default", "web").unwrap().as_kind::<Deployment>().unwrap().clone()
}

fn resolve(v: &str, total: i64, up: bool) -> i64 {
    match v.strip_suffix('%') {
        Some(p) => {
            let x = p.parse::<i64>().unwrap() * total;
            if up { (x + 99) / 100 } else { x / 100 }
        }
        None => v.parse().unwrap(),
    }
}

fn available(c: &Cluster, min_ready_s: i64) -> i64 {
    let now = c.now_ms() as i64;
    c.store()
        .list_typed::<Pod>(Some("default"))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            p.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|cs| {
                cs.iter().any(|c| {
                    c.type_ == "Ready"
                        && c.status == "True"
                        && c.last_transition_time.as_ref().is_some_and(|t| {
                            min_ready_s == 0
                                || kubeplay_engine::time::ms_of(t) + min_ready_s * 1000 < now
                        })
                })
            })
        })
        .count() as i64
}

fn active(c: &Cluster) -> i64 {
    c.store()
        .list_typed::<Pod>(Some("default"))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .count() as i64
}

fn done(c: &Cluster, replicas: i64) -> bool {
    let s = deployment(c).status.unwrap_or_default();
    [s.replicas, s.updated_replicas, s.available_replicas]
        .iter()
        .all(|v| v.unwrap_or(0) as i64 == replicas)
        && s.conditions
            .iter()
            .flatten()
            .any(|c| c.reason.as_deref() == Some("NewReplicaSetAvailable"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    #[test]
    fn rolling_update_respects_fenceposts_and_completes(
        replicas in 1i64..8,
        surge in prop::sample::select(vec!["0", "1", "2", "25%", "50%"]),
        unavailable in prop::sample::select(vec!["0", "1", "25%", "50%"]),
        min_ready in 0i64..4,
    ) {
        let surge_n = resolve(surge, replicas, true);
        let mut unav_n = resolve(unavailable, replicas, false);
        prop_assume!(!(surge == "0" && unavailable == "0"));
        if surge_n == 0 && unav_n == 0 {
            unav_n = 1;
        }
        let quote = |v: &str| if v.ends_with('%') { format!("\"{v}\"") } else { v.to_string() };
        let yaml = format!(r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  minReadySeconds: {min_ready}
  strategy:
    rollingUpdate:
      maxSurge: {}
      maxUnavailable: {}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
"#, quote(surge), quote(unavailable));
        let mut c = cluster();
        apply(&mut c, &yaml);
        run_until(&mut c, 1_000, 300_000, |c| done(c, replicas));
        let mut d = deployment(&c);
        d.spec.template.spec.as_mut().unwrap().containers[0].image = Some("nginx:1.28".into());
        c.update(d.into()).unwrap();
        c.settle();
        let min_available = replicas - unav_n.min(replicas);
        let start = c.now_ms();
        loop {
            prop_assert!(active(&c) <= replicas + surge_n, "pods {} > {} + {}", active(&c), replicas, surge_n);
            prop_assert!(available(&c, min_ready) >= min_available,
                "available {} < {}", available(&c, min_ready), min_available);
            if done(&c, replicas) {
                break;
            }
            prop_assert!(c.now_ms() - start < 900_000, "rollout completes");
            advance(&mut c, 250);
        }
    }
}
