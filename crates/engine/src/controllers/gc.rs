//! The garbage collector: an index of owner references, background and foreground cascading.

use std::collections::BTreeSet;

use crate::api::{Kind, ObjKey, Object, WatchEvent, WatchEventType};
use crate::cluster::{Cluster, Propagation};
use crate::fastmap::FastMap;

use super::Component;

/// Which objects name which owner UID.
#[derive(Clone, Debug, Default)]
pub struct OwnerIndex {
    dependents: FastMap<String, BTreeSet<ObjKey>>,
    owners_of: FastMap<ObjKey, Vec<String>>,
}

/// Keys of the objects whose ownerReferences name `owner_uid`.
pub fn dependents_of<'a>(
    cluster: &'a Cluster,
    owner_uid: &str,
    _namespace: &str,
) -> impl Iterator<Item = ObjKey> + 'a {
    cluster.owners.dependents.get(owner_uid).into_iter().flatten().cloned()
}

/// Keeps the index current and wakes the collector where an owner went away.
pub fn observe(cluster: &mut Cluster, event: &WatchEvent, object: &Object) {
    let key = &event.key;
    let refs = object.meta().owner_references.as_deref().unwrap_or_default();
    let known = cluster.owners.owners_of.get(key).map(Vec::as_slice).unwrap_or_default();
    // Most writes keep the owners: leave the index alone.
    let unchanged = event.event_type != WatchEventType::Deleted
        && known.len() == refs.len()
        && known.iter().zip(refs).all(|(k, r)| *k == r.uid);
    if !unchanged {
        if let Some(old) = cluster.owners.owners_of.remove(key) {
            for uid in old {
                if let Some(set) = cluster.owners.dependents.get_mut(&uid) {
                    set.remove(key);
                    if set.is_empty() {
                        cluster.owners.dependents.remove(&uid);
                    }
                }
            }
        }
        if event.event_type != WatchEventType::Deleted {
            let uids: Vec<String> = refs.iter().map(|r| r.uid.clone()).collect();
            for uid in &uids {
                cluster.owners.dependents.entry(uid.clone()).or_default().insert(key.clone());
            }
            if !uids.is_empty() {
                cluster.owners.owners_of.insert(key.clone(), uids);
            }
        }
    }
    let deleting_foreground =
        object.meta().finalizers.iter().flatten().any(|f| f == "foregroundDeletion")
            && object.meta().deletion_timestamp.is_some();
    if event.event_type == WatchEventType::Deleted || deleting_foreground {
        let uid = object.meta().uid.as_deref().unwrap_or_default();
        let dependents: Vec<ObjKey> =
            cluster.owners.dependents.get(uid).into_iter().flatten().cloned().collect();
        for d in dependents {
            cluster.enqueue(Component::GarbageCollector, d);
        }
        if deleting_foreground {
            cluster.enqueue(Component::GarbageCollector, key.clone());
        }
    }
    // A dependent leaving may finish an owner's foreground deletion.
    if event.event_type == WatchEventType::Deleted {
        for r in object.meta().owner_references.iter().flatten() {
            if let Some(kind) = Kind::from_api_version(&r.api_version, &r.kind) {
                let ns = if kind.info().namespaced { object.namespace() } else { "" };
                cluster.enqueue(Component::GarbageCollector, ObjKey::new(kind, ns, &r.name));
            }
        }
    }
}

enum OwnerState {
    Gone,
    Alive,
    DeletingForeground,
}

fn owner_state(
    cluster: &Cluster,
    dependent: &Object,
    r: &k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference,
) -> OwnerState {
    let Some(kind) = Kind::from_api_version(&r.api_version, &r.kind) else {
        return OwnerState::Gone;
    };
    let ns = if kind.info().namespaced { dependent.namespace() } else { "" };
    match cluster.get(&ObjKey::new(kind, ns, &r.name)) {
        Some(owner) if owner.meta().uid.as_deref() == Some(r.uid.as_str()) => {
            let foreground = owner.meta().deletion_timestamp.is_some()
                && owner.meta().finalizers.iter().flatten().any(|f| f == "foregroundDeletion");
            if foreground { OwnerState::DeletingForeground } else { OwnerState::Alive }
        }
        _ => OwnerState::Gone,
    }
}

/// Deletes `key` when every owner is gone (or deleting in the foreground); finishes an owner's
/// foreground deletion once it has no dependents left.
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    // Shared, not copied: most syncs only read the object's owner references.
    let Some(object) = cluster.store().get_shared(key) else { return };
    let meta = object.meta();
    let uid = meta.uid.clone().unwrap_or_default();
    let foreground = meta.deletion_timestamp.is_some()
        && meta.finalizers.iter().flatten().any(|f| f == "foregroundDeletion");
    if foreground && dependents_of(cluster, &uid, object.namespace()).next().is_none() {
        let mut done = Object::clone(&object);
        if let Some(f) = done.meta_mut().finalizers.as_mut() {
            f.retain(|x| x != "foregroundDeletion");
        }
        let finalizers_left = done.meta().finalizers.as_ref().is_some_and(|f| !f.is_empty());
        let is_pod = done.kind() == Kind::Pod;
        if finalizers_left || is_pod {
            cluster.write(done);
        } else {
            cluster.remove(key);
            return;
        }
    }
    let refs = meta.owner_references.clone().unwrap_or_default();
    if refs.is_empty() || meta.deletion_timestamp.is_some() {
        return;
    }
    let states: Vec<OwnerState> = refs.iter().map(|r| owner_state(cluster, &object, r)).collect();
    let any_alive = states.iter().any(|s| matches!(s, OwnerState::Alive));
    if any_alive {
        return;
    }
    let foreground = states.iter().any(|s| matches!(s, OwnerState::DeletingForeground));
    let propagation = if foreground { Propagation::Foreground } else { Propagation::Background };
    let _ = cluster.delete(key, None, propagation);
}
