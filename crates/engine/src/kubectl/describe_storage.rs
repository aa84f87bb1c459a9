//! `kubectl describe` for storage and configuration objects: PersistentVolume,
//! PersistentVolumeClaim, StorageClass, ConfigMap and Secret, following `pkg/describe/describe.go`
//! (`describePersistentVolume`, `describePersistentVolumeClaim`, `describeStorageClass`,
//! `ConfigMapDescriber`, `describeSecret`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::Ctx;
use super::describe::{W, annotation_lines, events_for, map_lines, write_events};
use super::format::human_duration;
use super::printers::access_modes;
use crate::api::Object;
use crate::apimachinery::quantity::Quantity;
use crate::time::ms_of;

/// The describe text of one of the kinds this module knows; `None` for any other kind.
pub fn describe(ctx: &Ctx, object: &Object, now: i64) -> Option<String> {
    let mut w = W::default();
    match object {
        Object::PersistentVolume(pv) => persistent_volume(&mut w, pv, now),
        Object::PersistentVolumeClaim(pvc) => claim(ctx, &mut w, pvc, now),
        Object::StorageClass(sc) => storage_class(&mut w, sc),
        Object::ConfigMap(cm) => return Some(config_map(ctx, object, cm, now)),
        Object::Secret(s) => return Some(secret(s)),
        _ => return None,
    }
    // DescribeEvents flushes the writer only when there are events: `Events:\t<none>` is
    // aligned with the lines before it.
    let events = events_for(ctx, object);
    if events.is_empty() {
        w.kv(0, "Events", "<none>");
        return Some(w.finish());
    }
    let mut text = w.finish();
    let mut ev = W::default();
    write_events(&mut ev, &events, now);
    text.push_str(&ev.finish());
    Some(text)
}

/// Go's `%v` of a string slice: `[a b]`.
fn go_list(items: Option<&Vec<String>>) -> String {
    format!("[{}]", items.map(|v| v.join(" ")).unwrap_or_default())
}

/// `Quantity.String()`: the canonical text ("" for a missing one).
fn quantity(q: Option<&K8sQuantity>) -> String {
    q.and_then(|q| Quantity::from_k8s(q).ok()).map(|q| q.canonical()).unwrap_or_default()
}

fn storage(m: Option<&BTreeMap<String, K8sQuantity>>) -> String {
    quantity(m.and_then(|m| m.get("storage")))
}

fn status_line(w: &mut W, deletion: Option<&Time>, phase: Option<&str>, now: i64) {
    match deletion {
        Some(t) => {
            w.kv(0, "Status", &format!("Terminating (lasts {})", human_duration(now - ms_of(t))))
        }
        None => w.kv(0, "Status", phase.unwrap_or("")),
    }
}

// printVolumeNodeAffinity and printNodeSelectorTermsMultilineWithIndent.
fn node_affinity(w: &mut W, affinity: Option<&VolumeNodeAffinity>) {
    let Some(required) = affinity.and_then(|a| a.required.as_ref()) else {
        w.kv(0, "Node Affinity", "<none>");
        return;
    };
    w.kv(0, "Node Affinity", "");
    if required.node_selector_terms.is_empty() {
        w.kv(1, "Required Terms", "<none>");
        return;
    }
    w.kv(1, "Required Terms", "");
    for (i, term) in required.node_selector_terms.iter().enumerate() {
        let reqs = term.match_expressions.clone().unwrap_or_default();
        if reqs.is_empty() {
            w.kv(2, &format!("Term {i}"), "<none>");
            continue;
        }
        for (j, r) in reqs.iter().enumerate() {
            let mut expr = format!("{} {}", r.key, r.operator.to_lowercase());
            if let Some(values) = r.values.as_ref().filter(|v| !v.is_empty()) {
                expr = format!("{expr} [{}]", values.join(", "));
            }
            if j == 0 {
                w.kv(2, &format!("Term {i}"), &expr);
            } else {
                w.line(2, &format!("\t{expr}"));
            }
        }
    }
}

fn persistent_volume(w: &mut W, pv: &PersistentVolume, now: i64) {
    let spec = pv.spec.clone().unwrap_or_default();
    w.kv(0, "Name", pv.metadata.name.as_deref().unwrap_or(""));
    map_lines(w, 0, "Labels", pv.metadata.labels.as_ref(), "=");
    annotation_lines(w, pv.metadata.annotations.as_ref());
    w.kv(0, "Finalizers", &go_list(pv.metadata.finalizers.as_ref()));
    w.kv(0, "StorageClass", spec.storage_class_name.as_deref().unwrap_or(""));
    let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref());
    status_line(w, pv.metadata.deletion_timestamp.as_ref(), phase, now);
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| {
            format!("{}/{}", c.namespace.as_deref().unwrap_or(""), c.name.as_deref().unwrap_or(""))
        })
        .unwrap_or_default();
    w.kv(0, "Claim", &claim);
    w.kv(0, "Reclaim Policy", spec.persistent_volume_reclaim_policy.as_deref().unwrap_or(""));
    w.kv(0, "Access Modes", &access_modes(spec.access_modes.as_deref()));
    if let Some(mode) = &spec.volume_mode {
        w.kv(0, "VolumeMode", mode);
    }
    w.kv(0, "Capacity", &storage(spec.capacity.as_ref()));
    node_affinity(w, spec.node_affinity.as_ref());
    w.kv(0, "Message", pv.status.as_ref().and_then(|s| s.message.as_deref()).unwrap_or(""));
    w.line(0, "Source:");
    if let Some(h) = &spec.host_path {
        w.kv(2, "Type", "HostPath (bare host directory volume)");
        w.kv(2, "Path", &h.path);
        w.kv(2, "HostPathType", h.type_.as_deref().unwrap_or("<none>"));
    } else if let Some(g) = &spec.gce_persistent_disk {
        w.kv(2, "Type", "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)");
        w.kv(2, "PDName", &g.pd_name);
        w.kv(2, "FSType", g.fs_type.as_deref().unwrap_or(""));
        w.kv(2, "Partition", &g.partition.unwrap_or(0).to_string());
        w.kv(2, "ReadOnly", &g.read_only.unwrap_or(false).to_string());
    } else if let Some(a) = &spec.aws_elastic_block_store {
        w.kv(2, "Type", "AWSElasticBlockStore (a Persistent Disk resource in AWS)");
        w.kv(2, "VolumeID", &a.volume_id);
        w.kv(2, "FSType", a.fs_type.as_deref().unwrap_or(""));
        w.kv(2, "Partition", &a.partition.unwrap_or(0).to_string());
        w.kv(2, "ReadOnly", &a.read_only.unwrap_or(false).to_string());
    } else if let Some(n) = &spec.nfs {
        w.kv(2, "Type", "NFS (an NFS mount that lasts the lifetime of a pod)");
        w.kv(2, "Server", &n.server);
        w.kv(2, "Path", &n.path);
        w.kv(2, "ReadOnly", &n.read_only.unwrap_or(false).to_string());
    } else if let Some(l) = &spec.local {
        w.kv(2, "Type", "LocalVolume (a persistent volume backed by local storage on a node)");
        w.kv(2, "Path", &l.path);
    } else if let Some(c) = &spec.csi {
        w.kv(2, "Type", "CSI (a Container Storage Interface (CSI) volume source)");
        w.kv(2, "Driver", &c.driver);
        w.kv(2, "FSType", c.fs_type.as_deref().unwrap_or(""));
        w.kv(2, "VolumeHandle", &c.volume_handle);
        w.kv(2, "ReadOnly", &c.read_only.unwrap_or(false).to_string());
        map_lines(w, 2, "VolumeAttributes", c.volume_attributes.as_ref(), "=");
    } else {
        w.line(1, "<unknown>");
    }
}

fn claim(ctx: &Ctx, w: &mut W, pvc: &PersistentVolumeClaim, now: i64) {
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    let ns = pvc.metadata.namespace.as_deref().unwrap_or("");
    let name = pvc.metadata.name.as_deref().unwrap_or("");
    w.kv(0, "Name", name);
    w.kv(0, "Namespace", ns);
    w.kv(0, "StorageClass", spec.storage_class_name.as_deref().unwrap_or(""));
    status_line(w, pvc.metadata.deletion_timestamp.as_ref(), status.phase.as_deref(), now);
    let volume = spec.volume_name.clone().unwrap_or_default();
    w.kv(0, "Volume", &volume);
    map_lines(w, 0, "Labels", pvc.metadata.labels.as_ref(), "=");
    annotation_lines(w, pvc.metadata.annotations.as_ref());
    w.kv(0, "Finalizers", &go_list(pvc.metadata.finalizers.as_ref()));
    // Capacity and access modes come from the status once the claim names a volume.
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (storage(status.capacity.as_ref()), access_modes(status.access_modes.as_deref()))
    };
    w.kv(0, "Capacity", &capacity);
    w.kv(0, "Access Modes", &modes);
    if let Some(mode) = &spec.volume_mode {
        w.kv(0, "VolumeMode", mode);
    }
    if let Some(ds) = &spec.data_source {
        w.line(0, "DataSource:");
        if let Some(g) = &ds.api_group {
            w.kv(1, "APIGroup", g);
        }
        w.kv(1, "Kind", &ds.kind);
        w.kv(1, "Name", &ds.name);
    }
    // getPodsForPVC: the pods of the namespace with a volume naming this claim, by name.
    let mut users: Vec<String> =
        ctx.cluster
            .store
            .list_typed::<Pod>(Some(ns))
            .filter(|p| {
                p.spec.iter().flat_map(|s| s.volumes.iter().flatten()).any(|v| {
                    v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == name)
                })
            })
            .filter_map(|p| p.metadata.name.clone())
            .collect();
    crate::sorting::sort(&mut users);
    match users.split_first() {
        None => w.kv(0, "Used By", "<none>"),
        Some((first, rest)) => {
            w.kv(0, "Used By", first);
            for u in rest {
                w.line(0, &format!("\t{u}"));
            }
        }
    }
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        let t = |t: Option<&Time>| t.map(crate::time::rfc1123z).unwrap_or_default();
        w.line(0, "Conditions:");
        w.line(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage");
        w.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
        for c in conditions {
            w.line(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}",
                    c.type_,
                    c.status,
                    t(c.last_probe_time.as_ref()),
                    t(c.last_transition_time.as_ref()),
                    c.reason.unwrap_or_default(),
                    c.message.unwrap_or_default()
                ),
            );
        }
    }
}

// labels.FormatLabels: `k=v,k2=v2` sorted, `<none>` when empty.
fn format_labels(map: Option<&BTreeMap<String, String>>) -> String {
    match map.filter(|m| !m.is_empty()) {
        None => "<none>".into(),
        Some(m) => m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
    }
}

fn storage_class(w: &mut W, sc: &StorageClass) {
    let annotations = sc.metadata.annotations.as_ref();
    let default = annotations.is_some_and(|a| {
        [
            crate::volumes::binder::DEFAULT_CLASS_ANNOTATION,
            "storageclass.beta.kubernetes.io/is-default-class",
        ]
        .iter()
        .any(|k| a.get(*k).map(String::as_str) == Some("true"))
    });
    w.kv(0, "Name", sc.metadata.name.as_deref().unwrap_or(""));
    w.kv(0, "IsDefaultClass", if default { "Yes" } else { "No" });
    w.kv(0, "Annotations", &format_labels(annotations));
    w.kv(0, "Provisioner", &sc.provisioner);
    w.kv(0, "Parameters", &format_labels(sc.parameters.as_ref()));
    let expansion = match sc.allow_volume_expansion {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    w.kv(0, "AllowVolumeExpansion", expansion);
    match sc.mount_options.as_ref().filter(|m| !m.is_empty()) {
        None => w.kv(0, "MountOptions", "<none>"),
        Some(options) => {
            w.line(0, "MountOptions:");
            for o in options {
                w.line(1, o);
            }
        }
    }
    if let Some(p) = &sc.reclaim_policy {
        w.kv(0, "ReclaimPolicy", p);
    }
    if let Some(m) = &sc.volume_binding_mode {
        w.kv(0, "VolumeBindingMode", m);
    }
}

// The header goes through the tab writer; the data is written as is after it.
fn config_map(ctx: &Ctx, object: &Object, cm: &ConfigMap, now: i64) -> String {
    let mut w = W::default();
    w.kv(0, "Name", cm.metadata.name.as_deref().unwrap_or(""));
    w.kv(0, "Namespace", cm.metadata.namespace.as_deref().unwrap_or(""));
    map_lines(&mut w, 0, "Labels", cm.metadata.labels.as_ref(), "=");
    annotation_lines(&mut w, cm.metadata.annotations.as_ref());
    let mut text = w.finish();
    text.push_str("\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        text.push_str(&format!("{k}:\n----\n{v}\n\n"));
    }
    text.push_str("\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        text.push_str(&format!("{k}: {} bytes\n", v.0.len()));
    }
    text.push('\n');
    let mut ev = W::default();
    write_events(&mut ev, &events_for(ctx, object), now);
    text.push_str(&ev.finish());
    text
}

fn secret(s: &Secret) -> String {
    let mut w = W::default();
    w.kv(0, "Name", s.metadata.name.as_deref().unwrap_or(""));
    w.kv(0, "Namespace", s.metadata.namespace.as_deref().unwrap_or(""));
    map_lines(&mut w, 0, "Labels", s.metadata.labels.as_ref(), "=");
    annotation_lines(&mut w, s.metadata.annotations.as_ref());
    w.line(0, "");
    let type_ = s.type_.clone().unwrap_or_default();
    w.kv(0, "Type", &type_);
    w.line(0, "");
    w.line(0, "Data");
    w.line(0, "====");
    for (k, v) in s.data.iter().flatten() {
        if k == "token" && type_ == "kubernetes.io/service-account-token" {
            w.kv(0, k, &String::from_utf8_lossy(&v.0));
        } else {
            w.kv(0, k, &format!("{} bytes", v.0.len()));
        }
    }
    w.finish()
}
