//! service-controller with a simulated cloud load balancer (a MetalLB-like address pool on the
//! nodes' network), and the status half of the ingress controller.
//!
//! A LoadBalancer Service shows EXTERNAL-IP `<pending>` until the controller has "ensured" its
//! load balancer a short virtual delay later, with the Events upstream's service controller
//! records (`EnsuringLoadBalancer`, `EnsuredLoadBalancer`).

use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service, ServiceStatus};
use k8s_openapi::api::networking::v1::{
    Ingress, IngressLoadBalancerIngress, IngressLoadBalancerStatus, IngressStatus,
};

use crate::api::service::{format_ipv4, parse_ipv4};
use crate::api::{ApiKind, ObjKey};
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::controllers::Component;

/// Time the simulated cloud takes to provision a load balancer.
pub const LB_PROVISION_MS: Millis = 3_000;
/// First address of the load balancer pool (MetalLB's kind example range).
pub const LB_POOL_FIRST: &str = "172.18.255.200";
/// Addresses in the pool.
pub const LB_POOL_SIZE: u32 = 51;
/// Time the ingress controller takes to publish an Ingress's address.
pub const INGRESS_STATUS_MS: Millis = 1_500;
/// The address the ingress controller publishes (kind's ingress-nginx: `--publish-status-address=localhost`).
pub const INGRESS_ADDRESS: &str = "localhost";
/// The ingress class the controller claims (Ingresses without a class are claimed too).
pub const INGRESS_CLASS: &str = "nginx";

/// The load balancer addresses of a service.
pub fn lb_ips(svc: &Service) -> Vec<String> {
    svc.status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_ref())
        .map(|v| v.iter().filter_map(|i| i.ip.clone()).collect())
        .unwrap_or_default()
}

fn free_pool_ip(cluster: &Cluster) -> Option<String> {
    let first = parse_ipv4(LB_POOL_FIRST)?;
    let mut used = std::collections::BTreeSet::new();
    used.extend(cluster.store.list_typed::<Service>(None).flat_map(lb_ips));
    (first..first + LB_POOL_SIZE).map(format_ipv4).find(|ip| !used.contains(ip))
}

/// Reconciles the load balancer of the service at `key`.
pub fn reconcile_service(cluster: &mut Cluster, key: &ObjKey) {
    let Some(mut svc) = cluster.store.get_typed::<Service>(&key.namespace, &key.name).cloned()
    else {
        cluster.net.lb_pending.remove(key);
        return;
    };
    let is_lb = svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("LoadBalancer");
    if !is_lb {
        cluster.net.lb_pending.remove(key);
        if !lb_ips(&svc).is_empty() {
            svc.status = Some(ServiceStatus {
                load_balancer: Some(LoadBalancerStatus::default()),
                ..Default::default()
            });
            cluster.update_internal(svc.into_object());
        }
        return;
    }
    if !lb_ips(&svc).is_empty() {
        return;
    }
    let now = cluster.now_ms();
    let obj = svc.clone().into_object();
    match cluster.net.lb_pending.get(key).copied() {
        None => {
            cluster.net.lb_pending.insert(key.clone(), now + LB_PROVISION_MS);
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "EnsuringLoadBalancer",
                "Ensuring load balancer",
                "service-controller",
                None,
            );
            cluster.requeue_after(Component::ServiceController, key.clone(), LB_PROVISION_MS);
        }
        Some(due) if due > now => {}
        Some(_) => {
            cluster.net.lb_pending.remove(key);
            let Some(ip) = free_pool_ip(cluster) else {
                cluster.record_event(
                    &obj,
                    None,
                    "Warning",
                    "SyncLoadBalancerFailed",
                    "Error syncing load balancer: failed to ensure load balancer: no available IPs in pool",
                    "service-controller",
                    None,
                );
                return;
            };
            svc.status = Some(ServiceStatus {
                load_balancer: Some(LoadBalancerStatus {
                    ingress: Some(vec![LoadBalancerIngress {
                        ip: Some(ip),
                        ip_mode: Some("VIP".into()),
                        ..Default::default()
                    }]),
                }),
                ..Default::default()
            });
            let stored = cluster.update_internal(svc.into_object());
            cluster.record_event(
                &stored,
                None,
                "Normal",
                "EnsuredLoadBalancer",
                "Ensured load balancer",
                "service-controller",
                None,
            );
        }
    }
}

/// Whether the ingress controller serves this Ingress.
pub fn claims(ing: &Ingress) -> bool {
    ing.spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref())
        .is_none_or(|c| c == INGRESS_CLASS)
}

/// Publishes the controller's address in a claimed Ingress's status.
pub fn reconcile_ingress(cluster: &mut Cluster, key: &ObjKey) {
    let Some(mut ing) = cluster.store.get_typed::<Ingress>(&key.namespace, &key.name).cloned()
    else {
        cluster.net.ingress_pending.remove(key);
        return;
    };
    let published = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_ref())
        .is_some_and(|v| !v.is_empty());
    if !claims(&ing) || published {
        return;
    }
    let now = cluster.now_ms();
    match cluster.net.ingress_pending.get(key).copied() {
        None => {
            cluster.net.ingress_pending.insert(key.clone(), now + INGRESS_STATUS_MS);
            let obj = ing.clone().into_object();
            cluster.record_event(
                &obj,
                None,
                "Normal",
                "Sync",
                "Scheduled for sync",
                "nginx-ingress-controller",
                None,
            );
            cluster.requeue_after(Component::IngressController, key.clone(), INGRESS_STATUS_MS);
        }
        Some(due) if due > now => {}
        Some(_) => {
            cluster.net.ingress_pending.remove(key);
            ing.status = Some(IngressStatus {
                load_balancer: Some(IngressLoadBalancerStatus {
                    ingress: Some(vec![IngressLoadBalancerIngress {
                        hostname: Some(INGRESS_ADDRESS.into()),
                        ..Default::default()
                    }]),
                }),
            });
            cluster.update_internal(ing.into_object());
        }
    }
}
