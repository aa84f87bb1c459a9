//! job controller (in progress).

use crate::api::ObjKey;
use crate::cluster::Cluster;

/// Syncs one object.
pub fn reconcile(_cluster: &mut Cluster, _key: &ObjKey) {}
