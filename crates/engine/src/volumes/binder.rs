//! The persistentvolume-controller (binding claims to volumes, reclaiming released volumes),
//! kind's `rancher.io/local-path` provisioner for the default `standard` class, and the
//! scheduler's volume-binding checks.
//!
//! Binding follows `pkg/controller/volume/persistentvolume`: a claim takes the smallest
//! Available volume of its class whose access modes include the claim's, whose capacity covers
//! the request and whose labels match the claim's selector. A claim of a class with a
//! provisioner gets a new volume (for WaitForFirstConsumer only once a pod using it is
//! scheduled, on that pod's node).

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, ObjectReference,
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus, PersistentVolumeSpec,
    PersistentVolumeStatus, Pod, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::{Kind, ObjKey, Object};
use crate::apimachinery::quantity::Quantity;
use crate::cluster::Cluster;

/// The annotation marking a class as the default.
pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// The annotation the scheduler puts on a WaitForFirstConsumer claim.
pub const SELECTED_NODE_ANNOTATION: &str = "volume.kubernetes.io/selected-node";
/// Where kind's local-path provisioner keeps volumes on the node.
pub const LOCAL_PATH_DIR: &str = "/var/local-path-provisioner";
/// The event source name of kind's provisioner.
const PROVISIONER_SOURCE: &str = "rancher.io/local-path_local-path-provisioner-7dc846544d-kbpbh";

/// The name of the default StorageClass, if one is marked.
pub fn default_class(cluster: &Cluster) -> Option<String> {
    cluster
        .store
        .list_typed::<StorageClass>(None)
        .filter(|sc| {
            sc.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
                .map(String::as_str)
                == Some("true")
        })
        .filter_map(|sc| sc.metadata.name.clone())
        .next()
}

fn storage_of(
    m: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
) -> i64 {
    m.and_then(|m| m.get("storage"))
        .and_then(|q| Quantity::from_k8s(q).ok())
        .map(|q| q.value())
        .unwrap_or(0)
}

fn claim_key(ns: &str, name: &str) -> ObjKey {
    ObjKey::new(Kind::PersistentVolumeClaim, ns, name)
}

fn pv_phase(pv: &PersistentVolume) -> &str {
    pv.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

/// Reconciles a claim or a volume (keys of either kind).
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    match key.kind {
        Kind::PersistentVolumeClaim => reconcile_claim(cluster, key),
        Kind::PersistentVolume => reconcile_volume(cluster, key),
        _ => {}
    }
}

fn pvc_event(
    cluster: &mut Cluster,
    pvc: &PersistentVolumeClaim,
    kind: &str,
    reason: &str,
    msg: String,
    source: &str,
) {
    let obj = Object::from(pvc.clone());
    cluster.record_event(&obj, None, kind, reason, msg, source, None);
}

fn reconcile_claim(cluster: &mut Cluster, key: &ObjKey) {
    let Some(pvc) =
        cluster.store.get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name).cloned()
    else {
        // A deleted claim releases its volume.
        let bound: Vec<String> = cluster
            .store
            .list_typed::<PersistentVolume>(None)
            .filter(|pv| {
                pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_some_and(|c| {
                    c.namespace.as_deref() == Some(&*key.namespace)
                        && c.name.as_deref() == Some(&*key.name)
                })
            })
            .filter_map(|pv| pv.metadata.name.clone())
            .collect();
        for name in bound {
            cluster.enqueue(
                crate::controllers::Component::VolumeBinder,
                ObjKey::new(Kind::PersistentVolume, "", &name),
            );
        }
        return;
    };
    if pvc.metadata.deletion_timestamp.is_some() {
        // pvc-protection: the claim goes once no pod uses it.
        if !claim_in_use(cluster, &key.namespace, &key.name) {
            let _ = cluster.remove(key);
        }
        return;
    }
    let spec = pvc.spec.clone().unwrap_or_default();
    if spec.volume_name.is_some() {
        return;
    }
    let class = spec.storage_class_name.clone().unwrap_or_default();
    let request = storage_of(spec.resources.as_ref().and_then(|r| r.requests.as_ref()));
    let modes = spec.access_modes.clone().unwrap_or_default();
    let labels_ok = |pv: &PersistentVolume| match &spec.selector {
        None => true,
        Some(sel) => crate::apimachinery::labels::label_selector_as_selector(Some(sel))
            .is_ok_and(|s| s.matches(pv.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()))),
    };
    let ns = key.namespace.clone();
    let candidate = cluster
        .store
        .list_typed::<PersistentVolume>(None)
        .filter(|pv| pv.metadata.deletion_timestamp.is_none())
        .filter(|pv| pv_phase(pv) == "Available")
        .filter(|pv| {
            let s = pv.spec.as_ref();
            s.and_then(|s| s.storage_class_name.clone()).unwrap_or_default() == class
                && s.and_then(|s| s.claim_ref.as_ref()).is_none_or(|c| {
                    c.namespace.as_deref() == Some(&*ns) && c.name.as_deref() == Some(&*key.name)
                })
                && modes.iter().all(|m| {
                    s.and_then(|s| s.access_modes.as_ref()).is_some_and(|pm| pm.contains(m))
                })
                && storage_of(s.and_then(|s| s.capacity.as_ref())) >= request
        })
        .filter(|pv| labels_ok(pv))
        .min_by_key(|pv| {
            (
                storage_of(pv.spec.as_ref().and_then(|s| s.capacity.as_ref())),
                pv.metadata.name.clone(),
            )
        })
        .cloned();
    if let Some(pv) = candidate {
        bind(cluster, pvc, pv);
        return;
    }
    if class.is_empty() {
        pvc_event(
            cluster,
            &pvc,
            "Normal",
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set".into(),
            "persistentvolume-controller",
        );
        return;
    }
    let Some(sc) = cluster.store.get_typed::<StorageClass>("", &class).cloned() else {
        pvc_event(
            cluster,
            &pvc,
            "Warning",
            "ProvisioningFailed",
            format!("storageclass.storage.k8s.io \"{class}\" not found"),
            "persistentvolume-controller",
        );
        return;
    };
    let selected =
        pvc.metadata.annotations.as_ref().and_then(|a| a.get(SELECTED_NODE_ANNOTATION)).cloned();
    let wait = sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer");
    if wait && selected.is_none() {
        pvc_event(
            cluster,
            &pvc,
            "Normal",
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding".into(),
            "persistentvolume-controller",
        );
        return;
    }
    if sc.provisioner != "rancher.io/local-path" {
        pvc_event(
            cluster,
            &pvc,
            "Normal",
            "ExternalProvisioning",
            format!(
                "Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                sc.provisioner
            ),
            "persistentvolume-controller",
        );
        return;
    }
    let node = match selected {
        Some(n) => n,
        // kind's provisioner needs a node; with Immediate binding it picks one itself.
        None => crate::bootstrap::worker_name(1),
    };
    provision(cluster, pvc, &sc, &node);
}

fn provision(cluster: &mut Cluster, pvc: PersistentVolumeClaim, sc: &StorageClass, node: &str) {
    let ns = pvc.metadata.namespace.clone().unwrap_or_default();
    let name = pvc.metadata.name.clone().unwrap_or_default();
    let uid = pvc.metadata.uid.clone().unwrap_or_default();
    pvc_event(
        cluster,
        &pvc,
        "Normal",
        "ExternalProvisioning",
        format!(
            "Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
            sc.provisioner
        ),
        "persistentvolume-controller",
    );
    pvc_event(
        cluster,
        &pvc,
        "Normal",
        "Provisioning",
        format!("External provisioner is provisioning volume for claim \"{ns}/{name}\""),
        PROVISIONER_SOURCE,
    );
    let pv_name = format!("pvc-{uid}");
    let spec = pvc.spec.clone().unwrap_or_default();
    let mut annotations = BTreeMap::new();
    annotations.insert("local.path.provisioner/selected-node".to_string(), node.to_string());
    annotations.insert("pv.kubernetes.io/provisioned-by".to_string(), sc.provisioner.clone());
    let pv = PersistentVolume {
        metadata: ObjectMeta {
            name: Some(pv_name.clone()),
            annotations: Some(annotations),
            finalizers: Some(vec!["kubernetes.io/pv-protection".into()]),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: spec.access_modes.clone(),
            capacity: spec.resources.as_ref().and_then(|r| r.requests.clone()),
            host_path: Some(HostPathVolumeSource {
                path: format!("{LOCAL_PATH_DIR}/{pv_name}_{ns}_{name}"),
                type_: Some("DirectoryOrCreate".into()),
            }),
            node_affinity: Some(VolumeNodeAffinity {
                required: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key: "kubernetes.io/hostname".into(),
                            operator: "In".into(),
                            values: Some(vec![node.to_string()]),
                        }]),
                        match_fields: None,
                    }],
                }),
            }),
            persistent_volume_reclaim_policy: Some(
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
            ),
            storage_class_name: sc.metadata.name.clone(),
            volume_mode: Some("Filesystem".into()),
            ..Default::default()
        }),
        status: None,
    };
    let Ok(created) = cluster.create(Object::from(pv)) else { return };
    let Some(pv) = created.as_kind::<PersistentVolume>().cloned() else { return };
    pvc_event(
        cluster,
        &pvc,
        "Normal",
        "ProvisioningSucceeded",
        format!("Successfully provisioned volume {pv_name}"),
        PROVISIONER_SOURCE,
    );
    bind(cluster, pvc, pv);
}

fn bind(cluster: &mut Cluster, mut pvc: PersistentVolumeClaim, mut pv: PersistentVolume) {
    let pv_name = pv.metadata.name.clone().unwrap_or_default();
    let pv_spec = pv.spec.get_or_insert_with(Default::default);
    pv_spec.claim_ref = Some(ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        namespace: pvc.metadata.namespace.clone(),
        name: pvc.metadata.name.clone(),
        uid: pvc.metadata.uid.clone(),
        resource_version: pvc.metadata.resource_version.clone(),
        field_path: None,
    });
    let capacity = pv_spec.capacity.clone();
    let modes = pv_spec.access_modes.clone();
    pv.metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
    pv.status = Some(PersistentVolumeStatus {
        phase: Some("Bound".into()),
        last_phase_transition_time: Some(crate::time::time(cluster.now())),
        ..Default::default()
    });
    cluster.update_internal(Object::from(pv));
    let a = pvc.metadata.annotations.get_or_insert_with(BTreeMap::new);
    a.insert("pv.kubernetes.io/bind-completed".into(), "yes".into());
    a.insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
    pvc.spec.get_or_insert_with(Default::default).volume_name = Some(pv_name);
    pvc.status = Some(PersistentVolumeClaimStatus {
        phase: Some("Bound".into()),
        access_modes: modes,
        capacity,
        ..Default::default()
    });
    let ns = pvc.metadata.namespace.clone().unwrap_or_default();
    cluster.update_internal(Object::from(pvc));
    // Pods waiting for this claim may schedule now.
    let _ = ns;
    crate::scheduler::retry_pending(cluster);
}

/// Whether a pod that is not finished mounts the claim.
fn claim_in_use(cluster: &Cluster, ns: &str, name: &str) -> bool {
    cluster.store.list_typed::<Pod>(Some(ns)).any(|p| {
        let done = matches!(
            p.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded") | Some("Failed")
        );
        !done
            && p.spec
                .iter()
                .flat_map(|s| s.volumes.iter().flatten())
                .any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == name))
    })
}

fn reconcile_volume(cluster: &mut Cluster, key: &ObjKey) {
    let Some(mut pv) = cluster.store.get_typed::<PersistentVolume>("", &key.name).cloned() else {
        // The volume is gone, and with it its data.
        cluster.volumes.backings.remove(&format!("pv/{}", key.name));
        return;
    };
    if pv.metadata.deletion_timestamp.is_some() {
        // pv-protection: a deleted volume goes once it is no longer bound.
        if pv_phase(&pv) != "Bound" {
            let spec = pv.spec.clone().unwrap_or_default();
            for k in backing_keys(&key.name, &spec) {
                if k.starts_with("pv/") {
                    cluster.volumes.backings.remove(&k);
                }
            }
            let _ = cluster.remove(key);
        }
        return;
    }
    let spec = pv.spec.clone().unwrap_or_default();
    let phase = pv_phase(&pv).to_string();
    let claim = spec.claim_ref.as_ref().and_then(|c| {
        let ns = c.namespace.clone().unwrap_or_default();
        let name = c.name.clone().unwrap_or_default();
        cluster
            .store
            .get_typed::<PersistentVolumeClaim>(&ns, &name)
            .filter(|pvc| c.uid.is_none() || pvc.metadata.uid == c.uid)
            .map(|_| (ns, name))
    });
    let now = crate::time::time(cluster.now());
    match (&spec.claim_ref, claim) {
        (None, _) if phase != "Available" => {
            pv.status = Some(PersistentVolumeStatus {
                phase: Some("Available".into()),
                last_phase_transition_time: Some(now),
                ..Default::default()
            });
            cluster.update_internal(Object::from(pv));
            // Claims waiting for a volume may bind now.
            let pending: Vec<ObjKey> = cluster
                .store
                .list_typed::<PersistentVolumeClaim>(None)
                .filter(|c| c.spec.as_ref().and_then(|s| s.volume_name.as_ref()).is_none())
                .map(|c| {
                    claim_key(
                        c.metadata.namespace.as_deref().unwrap_or(""),
                        c.metadata.name.as_deref().unwrap_or(""),
                    )
                })
                .collect();
            for k in pending {
                cluster.enqueue(crate::controllers::Component::VolumeBinder, k);
            }
        }
        (Some(_), None) if phase == "Bound" || phase == "Available" || phase == "Pending" => {
            if phase == "Available" || phase == "Pending" {
                // Pre-bound to a claim that does not exist yet: wait for it.
                if phase == "Pending" {
                    pv.status = Some(PersistentVolumeStatus {
                        phase: Some("Available".into()),
                        last_phase_transition_time: Some(now),
                        ..Default::default()
                    });
                    cluster.update_internal(Object::from(pv));
                }
                return;
            }
            pv.status = Some(PersistentVolumeStatus {
                phase: Some("Released".into()),
                last_phase_transition_time: Some(now),
                ..Default::default()
            });
            let pv = cluster.update_internal(Object::from(pv));
            reclaim(cluster, Rc::unwrap_or_clone(pv), &spec);
        }
        _ => {}
    }
}

fn backing_keys(pv_name: &str, spec: &PersistentVolumeSpec) -> Vec<String> {
    let mut keys = vec![format!("pv/{pv_name}")];
    if let Some(h) = &spec.host_path {
        let node = spec
            .node_affinity
            .as_ref()
            .and_then(|a| a.required.as_ref())
            .and_then(|r| r.node_selector_terms.first())
            .and_then(|t| t.match_expressions.as_ref())
            .and_then(|e| e.first())
            .and_then(|e| e.values.as_ref())
            .and_then(|v| v.first())
            .cloned();
        if let Some(n) = node {
            keys.push(format!("host/{n}{}", crate::kubelet::fs::normalize("/", &h.path)));
        }
    }
    keys
}

fn reclaim(cluster: &mut Cluster, pv: Object, spec: &PersistentVolumeSpec) {
    let name = pv.name().to_string();
    match spec.persistent_volume_reclaim_policy.as_deref().unwrap_or("Retain") {
        "Delete" => {
            for k in backing_keys(&name, spec) {
                cluster.volumes.backings.remove(&k);
            }
            let key = ObjKey::new(Kind::PersistentVolume, "", &name);
            let _ = cluster.remove(&key);
        }
        "Recycle" => {
            // The recycler scrubs the volume (`rm -rf /scrub/*`) and makes it Available again.
            for k in backing_keys(&name, spec) {
                if let Some(t) = cluster.volumes.backings.get_mut(&k) {
                    t.clear();
                }
            }
            if let Some(mut pv) = pv.as_kind::<PersistentVolume>().cloned() {
                if let Some(s) = pv.spec.as_mut() {
                    s.claim_ref = None;
                }
                pv.status = Some(PersistentVolumeStatus {
                    phase: Some("Available".into()),
                    last_phase_transition_time: Some(crate::time::time(cluster.now())),
                    ..Default::default()
                });
                let obj = cluster.update_internal(Object::from(pv));
                cluster.record_event(
                    &obj,
                    None,
                    "Normal",
                    "VolumeRecycled",
                    "Volume recycled",
                    "persistentvolume-controller",
                    None,
                );
            }
        }
        _ => {}
    }
}

/// The scheduler's PreFilter for volumes: a missing claim, or an unbound claim of a class that
/// binds immediately, keeps the pod Pending (the text goes into FailedScheduling).
pub fn prefilter(cluster: &Cluster, pod: &Pod) -> Result<(), String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut unbound_immediate = false;
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(c) = &v.persistent_volume_claim else { continue };
        let Some(pvc) = cluster.store.get_typed::<PersistentVolumeClaim>(ns, &c.claim_name) else {
            return Err(format!("persistentvolumeclaim \"{}\" not found", c.claim_name));
        };
        if pvc.metadata.deletion_timestamp.is_some() {
            return Err(format!("persistentvolumeclaim \"{}\" is being deleted", c.claim_name));
        }
        if pvc.spec.as_ref().and_then(|s| s.volume_name.as_ref()).is_some() {
            continue;
        }
        let class =
            pvc.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default();
        let wait = cluster
            .store
            .get_typed::<StorageClass>("", &class)
            .is_some_and(|sc| sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"));
        if !wait {
            unbound_immediate = true;
        }
    }
    if unbound_immediate {
        return Err("pod has unbound immediate PersistentVolumeClaims".into());
    }
    Ok(())
}

/// The scheduler's Filter for volumes: a bound volume's node affinity must match the node.
pub fn node_fits(cluster: &Cluster, pod: &Pod, node: &k8s_openapi::api::core::v1::Node) -> bool {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let node_name = node.metadata.name.as_deref().unwrap_or("");
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(c) = &v.persistent_volume_claim else { continue };
        let pv_name = cluster
            .store
            .get_typed::<PersistentVolumeClaim>(ns, &c.claim_name)
            .and_then(|p| p.spec.as_ref())
            .and_then(|s| s.volume_name.clone());
        let Some(pv) = pv_name.and_then(|n| cluster.store.get_typed::<PersistentVolume>("", &n))
        else {
            continue;
        };
        let terms = pv
            .spec
            .as_ref()
            .and_then(|s| s.node_affinity.as_ref())
            .and_then(|a| a.required.as_ref())
            .map(|r| r.node_selector_terms.clone());
        let Some(terms) = terms else { continue };
        let labels = node.metadata.labels.clone().unwrap_or_default();
        let ok = terms.iter().any(|t| {
            t.match_expressions.iter().flatten().all(|e| {
                let value = if e.key == "kubernetes.io/hostname" {
                    labels.get(&e.key).map(String::as_str).or(Some(node_name))
                } else {
                    labels.get(&e.key).map(String::as_str)
                };
                let values = e.values.clone().unwrap_or_default();
                match e.operator.as_str() {
                    "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
                    "NotIn" => !value.is_some_and(|v| values.iter().any(|x| x == v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
        });
        if !ok {
            return false;
        }
    }
    true
}

/// At binding a pod to `node`: its WaitForFirstConsumer claims get the node and are provisioned.
pub fn on_pod_bound(cluster: &mut Cluster, pod: &Pod, node: &str) {
    let ns = pod.metadata.namespace.clone().unwrap_or_else(|| "default".into());
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(c) = &v.persistent_volume_claim else { continue };
        let Some(mut pvc) =
            cluster.store.get_typed::<PersistentVolumeClaim>(&ns, &c.claim_name).cloned()
        else {
            continue;
        };
        if pvc.spec.as_ref().and_then(|s| s.volume_name.as_ref()).is_some() {
            continue;
        }
        pvc.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(SELECTED_NODE_ANNOTATION.into(), node.to_string());
        cluster.update_internal(Object::from(pvc));
        reconcile_claim(cluster, &claim_key(&ns, &c.claim_name));
    }
}
