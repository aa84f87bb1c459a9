//! PersistentVolume, PersistentVolumeClaim and StorageClass: defaults (reclaim Retain for a PV,
//! Delete and Immediate for a class, Filesystem mode), the DefaultStorageClass admission plugin,
//! and validation with the API server's wording.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus, PersistentVolumeStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;

use crate::apimachinery::validation::{FieldError, FieldPath};
use crate::cluster::Cluster;

const ACCESS_MODES: &[&str] =
    &["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

/// PV defaults and initial status.
pub fn default_pv(pv: &mut PersistentVolume) {
    let spec = pv.spec.get_or_insert_with(Default::default);
    spec.persistent_volume_reclaim_policy.get_or_insert_with(|| "Retain".into());
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
    if pv.status.is_none() {
        pv.status =
            Some(PersistentVolumeStatus { phase: Some("Pending".into()), ..Default::default() });
    }
}

/// PVC defaults and initial status.
pub fn default_pvc(pvc: &mut PersistentVolumeClaim) {
    let spec = pvc.spec.get_or_insert_with(Default::default);
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
    if pvc.status.is_none() {
        pvc.status = Some(PersistentVolumeClaimStatus {
            phase: Some("Pending".into()),
            ..Default::default()
        });
    }
}

/// StorageClass defaults.
pub fn default_storage_class(sc: &mut StorageClass) {
    sc.reclaim_policy.get_or_insert_with(|| "Delete".into());
    sc.volume_binding_mode.get_or_insert_with(|| "Immediate".into());
}

fn add_finalizer(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, f: &str) {
    let list = meta.finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|x| x == f) {
        list.push(f.to_string());
    }
}

/// The StorageObjectInUseProtection admission plugin: a volume or claim is not removed while
/// it is bound or used by a pod.
pub fn admit_pv(pv: &mut PersistentVolume) {
    add_finalizer(&mut pv.metadata, "kubernetes.io/pv-protection");
}

/// The DefaultStorageClass admission plugin: a claim without a class gets the default one;
/// and the claim's in-use protection finalizer.
pub fn admit_pvc(cluster: &Cluster, pvc: &mut PersistentVolumeClaim) {
    add_finalizer(&mut pvc.metadata, "kubernetes.io/pvc-protection");
    let spec = pvc.spec.get_or_insert_with(Default::default);
    if spec.storage_class_name.is_none()
        && let Some(class) = crate::volumes::binder::default_class(cluster)
    {
        spec.storage_class_name = Some(class);
    }
}

fn access_mode_errors(modes: Option<&Vec<String>>, path: &FieldPath, what: &str) -> Vec<String> {
    let mut errs = Vec::new();
    match modes {
        None => errs.push(FieldError::required(path, what).to_string()),
        Some(m) if m.is_empty() => errs.push(FieldError::required(path, what).to_string()),
        Some(m) => {
            for mode in m {
                if !ACCESS_MODES.contains(&mode.as_str()) {
                    errs.push(
                        FieldError::not_supported(path, mode.as_str(), ACCESS_MODES).to_string(),
                    );
                }
            }
            if m.iter().any(|x| x == "ReadWriteOncePod") && m.len() > 1 {
                errs.push(
                    FieldError::forbidden(
                        path,
                        "may not use ReadWriteOncePod with other access modes",
                    )
                    .to_string(),
                );
            }
        }
    }
    errs
}

/// Validates a PersistentVolume.
pub fn validate_pv(pv: &PersistentVolume) -> Vec<String> {
    let spec_path = FieldPath::root("spec");
    let Some(spec) = &pv.spec else {
        return vec![FieldError::required(&spec_path, "").to_string()];
    };
    let mut errs =
        access_mode_errors(spec.access_modes.as_ref(), &spec_path.child("accessModes"), "");
    if spec.capacity.as_ref().and_then(|c| c.get("storage")).is_none() {
        errs.push(FieldError::required(&spec_path.child("capacity"), "").to_string());
    }
    if let Some(p) = &spec.persistent_volume_reclaim_policy
        && !["Delete", "Recycle", "Retain"].contains(&p.as_str())
    {
        errs.push(
            FieldError::not_supported(
                &spec_path.child("persistentVolumeReclaimPolicy"),
                p.as_str(),
                &["Delete", "Recycle", "Retain"],
            )
            .to_string(),
        );
    }
    let sources = [
        spec.host_path.is_some(),
        spec.local.is_some(),
        spec.nfs.is_some(),
        spec.gce_persistent_disk.is_some(),
        spec.aws_elastic_block_store.is_some(),
        spec.csi.is_some(),
        spec.iscsi.is_some(),
        spec.fc.is_some(),
        spec.azure_disk.is_some(),
        spec.azure_file.is_some(),
        spec.cephfs.is_some(),
        spec.rbd.is_some(),
        spec.cinder.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if sources == 0 {
        errs.push(FieldError::required(&spec_path, "must specify a volume type").to_string());
    } else if sources > 1 {
        errs.push(
            FieldError::forbidden(
                &spec_path.child("hostPath"),
                "may not specify more than 1 volume type",
            )
            .to_string(),
        );
    }
    if let Some(h) = &spec.host_path
        && !h.path.starts_with('/')
    {
        // Upstream checks path syntax only for `..`; a relative path is accepted by the API.
        let _ = h;
    }
    if spec.local.is_some() && spec.node_affinity.is_none() {
        errs.push(
            FieldError::required(
                &spec_path.child("nodeAffinity"),
                "Local volume requires node affinity",
            )
            .to_string(),
        );
    }
    errs
}

/// Validates a PersistentVolumeClaim.
pub fn validate_pvc(pvc: &PersistentVolumeClaim) -> Vec<String> {
    let spec_path = FieldPath::root("spec");
    let Some(spec) = &pvc.spec else {
        return vec![FieldError::required(&spec_path, "").to_string()];
    };
    let mut errs = access_mode_errors(
        spec.access_modes.as_ref(),
        &spec_path.child("accessModes"),
        "at least 1 access mode is required",
    );
    let storage =
        spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage"));
    match storage {
        None => errs.push(
            FieldError::required(&spec_path.child("resources").key("storage"), "").to_string(),
        ),
        Some(q) => {
            let positive =
                crate::apimachinery::quantity::Quantity::from_k8s(q).is_ok_and(|q| q.signum() > 0);
            if !positive {
                errs.push(
                    FieldError::invalid(
                        &spec_path.child("resources").child("requests").key("storage"),
                        q.0.as_str(),
                        "must be greater than zero",
                    )
                    .to_string(),
                );
            }
        }
    }
    errs
}

/// A bound claim's spec is immutable except for its requests.
pub fn validate_pvc_update(
    old: &PersistentVolumeClaim,
    new: &PersistentVolumeClaim,
) -> Vec<String> {
    let (Some(o), Some(n)) = (&old.spec, &new.spec) else { return Vec::new() };
    let mut o = o.clone();
    let mut n = n.clone();
    o.resources = n.resources.clone();
    // Fields the system filled in count as unchanged when a re-applied manifest omits them.
    if n.volume_name.is_none() {
        n.volume_name = o.volume_name.clone();
    }
    if o.volume_name.is_none() {
        o.volume_name = n.volume_name.clone();
    }
    if n.storage_class_name.is_none() {
        n.storage_class_name = o.storage_class_name.clone();
    }
    if o != n {
        return vec!["spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims".to_string()];
    }
    Vec::new()
}

/// Validates a StorageClass.
pub fn validate_storage_class(sc: &StorageClass) -> Vec<String> {
    let mut errs = Vec::new();
    if sc.provisioner.is_empty() {
        errs.push(FieldError::required(&FieldPath::root("provisioner"), "").to_string());
    }
    if let Some(p) = &sc.reclaim_policy
        && !["Delete", "Retain"].contains(&p.as_str())
    {
        errs.push(
            FieldError::not_supported(
                &FieldPath::root("reclaimPolicy"),
                p.as_str(),
                &["Delete", "Retain"],
            )
            .to_string(),
        );
    }
    if let Some(m) = &sc.volume_binding_mode
        && !["Immediate", "WaitForFirstConsumer"].contains(&m.as_str())
    {
        errs.push(
            FieldError::not_supported(
                &FieldPath::root("volumeBindingMode"),
                m.as_str(),
                &["Immediate", "WaitForFirstConsumer"],
            )
            .to_string(),
        );
    }
    errs
}
