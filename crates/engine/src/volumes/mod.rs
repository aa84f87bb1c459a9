//! Volumes: what the kubelet mounts into a pod's containers.
//!
//! Writable volumes (emptyDir, hostPath, gitRepo, persistent volumes) have a *backing*: a tree
//! of files kept here, outside any one container, keyed by where the data really lives
//! (`emptydir/<pod uid>/<volume>`, `host/<node><path>`, `pv/<name>`). A write in one container
//! is copied to the backing and from there into every other mount of it, so the fortune writer's
//! page is what nginx serves, and a hostPath or a claim's data outlives the pod.
//!
//! ConfigMap, Secret, downward API and projected volumes have no backing: the kubelet writes
//! their files in the atomic-writer layout (`..data -> ..<timestamp>`, one symlink per key) and
//! rewrites them at its next sync after the source changes.

pub mod apiserver;
pub mod binder;
pub mod env;
pub mod mongo;
pub mod projection;

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{
    DownwardAPIVolumeFile, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, Volume,
};

use crate::api::{Kind, ObjKey, Object, WatchEvent, WatchEventType};
use crate::cluster::Cluster;
use crate::kubelet::PodRuntime;
use crate::kubelet::fs::{Entry, normalize};

/// Files of one backing (relative path -> entry).
pub type Tree = BTreeMap<String, Entry>;

/// Backings kept at once (hostPath directories, claims' volumes, emptyDirs).
pub const MAX_BACKINGS: usize = 2_000;
/// Delay from a ConfigMap or Secret change to the kubelet rewriting mounted files (its sync
/// period plus the cache TTL make this up to a minute or so in a real cluster).
pub const CONFIG_SYNC_MS: u64 = 30_000;
/// Retry period of a failed volume setup.
pub const MOUNT_RETRY_MS: u64 = 15_000;
/// Retry period of a container whose config (ConfigMap, Secret, key) is missing.
pub const CONFIG_ERROR_RETRY_MS: u64 = 10_000;
/// Delay from a pod's label change to its downward API files changing.
pub const DOWNWARD_SYNC_MS: u64 = 2_000;

/// One mount of a volume into a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Container index.
    pub container: usize,
    /// Volume name.
    pub volume: String,
    /// Where in the container.
    pub path: String,
    /// `subPath` inside the volume ("" for all of it).
    pub sub_path: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Where its data lives (None: files the kubelet writes).
    pub backing: Option<String>,
    /// The filesystem type `mount` and `df` show (`ext4`, `tmpfs`, `overlay`).
    pub fs_type: &'static str,
}

/// The volume state the kubelets and the PV controller keep.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Backings by key.
    pub backings: BTreeMap<String, Tree>,
    /// Mounts per pod UID.
    pub mounts: BTreeMap<String, Vec<Mount>>,
    /// Local ports where `kubectl proxy` serves the API on the learner's machine.
    pub proxy_ports: std::collections::BTreeSet<u16>,
    /// Per pod UID, the labels and annotations its last downward API resync was asked for.
    pub downward_seen: BTreeMap<String, u64>,
    /// The last `/proc/mounts` written, by its volume lines: the pods of one template share it.
    pub last_proc_mounts: Option<(String, Rc<str>)>,
}

/// A fingerprint of what downward API volume files can show that changes after creation.
fn downward_fingerprint(pod: &Pod) -> u64 {
    use std::hash::Hasher;
    let mut hash = crate::fastmap::Fnv::default();
    for map in [&pod.metadata.labels, &pod.metadata.annotations] {
        for (k, v) in map.iter().flatten() {
            hash.write(k.as_bytes());
            hash.write(b"=");
            hash.write(v.as_bytes());
            hash.write(b"\n");
        }
        hash.write(b"\0");
    }
    hash.finish()
}

/// Why a pod's volumes could not be set up: (event reason, message) per problem.
pub type MountErrors = Vec<(&'static str, String)>;

fn pod_key(pod: &Pod) -> ObjKey {
    ObjKey::new(
        Kind::Pod,
        pod.metadata.namespace.as_deref().unwrap_or("default"),
        pod.metadata.name.as_deref().unwrap_or(""),
    )
}

/// Where a volume's data lives, or an error event when this cluster cannot provide it.
fn backing_of(
    cluster: &Cluster,
    pod: &Pod,
    node: &str,
    v: &Volume,
) -> Result<Option<(String, &'static str)>, (&'static str, String)> {
    let uid = pod.metadata.uid.as_deref().unwrap_or("");
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    if let Some(e) = &v.empty_dir {
        let fs_type = if e.medium.as_deref() == Some("Memory") { "tmpfs" } else { "ext4" };
        return Ok(Some((format!("emptydir/{uid}/{}", v.name), fs_type)));
    }
    if v.git_repo.is_some() {
        if !GIT_REPO_VOLUME_DRIVER {
            return Err((
                "FailedMount",
                format!(
                    "MountVolume.SetUp failed for volume \"{}\" : git-repo volume plugin has been disabled; if necessary, it may be re-enabled by enabling the feature-gate GitRepoVolumeDriver",
                    v.name
                ),
            ));
        }
        return Ok(Some((format!("emptydir/{uid}/{}", v.name), "ext4")));
    }
    if let Some(h) = &v.host_path {
        let path = normalize("/", &h.path);
        let key = format!("host/{node}{path}");
        let exists = cluster.volumes.backings.contains_key(&key);
        match h.type_.as_deref().unwrap_or("") {
            "Directory" if !exists => {
                return Err((
                    "FailedMount",
                    format!(
                        "MountVolume.SetUp failed for volume \"{}\" : hostPath type check failed: {} is not a directory",
                        v.name, h.path
                    ),
                ));
            }
            "File" | "Socket" | "CharDevice" | "BlockDevice" => {
                return Err((
                    "FailedMount",
                    format!(
                        "MountVolume.SetUp failed for volume \"{}\" : hostPath type check failed: {} is not a {}",
                        v.name,
                        h.path,
                        h.type_.as_deref().unwrap_or("").to_lowercase()
                    ),
                ));
            }
            _ => {}
        }
        return Ok(Some((key, "ext4")));
    }
    if let Some(c) = &v.persistent_volume_claim {
        let claim = cluster.store.get_typed::<PersistentVolumeClaim>(ns, &c.claim_name);
        let Some(pv_name) = claim.and_then(|c| c.spec.as_ref()).and_then(|s| s.volume_name.clone())
        else {
            return Err((
                "FailedMount",
                format!(
                    "Unable to attach or mount volumes: unmounted volumes=[{}], unattached volumes=[{}]: error processing PVC {ns}/{}: PVC is not bound",
                    v.name, v.name, c.claim_name
                ),
            ));
        };
        let Some(pv) = cluster.store.get_typed::<PersistentVolume>("", &pv_name) else {
            return Err((
                "FailedMount",
                format!(
                    "Unable to attach or mount volumes: unmounted volumes=[{}], unattached volumes=[{}]: error processing PVC {ns}/{}: failed to fetch PV {pv_name} from API server: persistentvolumes \"{pv_name}\" not found",
                    v.name, v.name, c.claim_name
                ),
            ));
        };
        let spec = pv.spec.clone().unwrap_or_default();
        if let Some(h) = spec.host_path.as_ref() {
            return Ok(Some((format!("host/{node}{}", normalize("/", &h.path)), "ext4")));
        }
        if let Some(l) = spec.local.as_ref() {
            return Ok(Some((format!("host/{node}{}", normalize("/", &l.path)), "ext4")));
        }
        // Events about a claim's volume name the PersistentVolume.
        if let Some(err) = unavailable_source(
            &pv_name,
            node,
            spec.nfs.as_ref().map(|n| (n.server.as_str(), n.path.as_str())),
            spec.gce_persistent_disk.is_some(),
            spec.aws_elastic_block_store.is_some(),
            uid,
        ) {
            return Err(err);
        }
        return Ok(Some((format!("pv/{pv_name}"), "ext4")));
    }
    if let Some(err) = unavailable_source(
        &v.name,
        node,
        v.nfs.as_ref().map(|n| (n.server.as_str(), n.path.as_str())),
        v.gce_persistent_disk.is_some(),
        v.aws_elastic_block_store.is_some(),
        uid,
    ) {
        return Err(err);
    }
    Ok(None)
}

/// The event for a network or cloud disk this kind-like cluster has no driver or route for.
fn unavailable_source(
    volume: &str,
    node: &str,
    nfs: Option<(&str, &str)>,
    gce: bool,
    aws: bool,
    uid: &str,
) -> Option<(&'static str, String)> {
    if let Some((server, path)) = nfs {
        return Some((
            "FailedMount",
            format!(
                "MountVolume.SetUp failed for volume \"{volume}\" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs {server}:{path} /var/lib/kubelet/pods/{uid}/volumes/kubernetes.io~nfs/{volume}\nOutput: mount.nfs: Connection timed out"
            ),
        ));
    }
    // The in-tree cloud disk plugins were migrated to CSI drivers that kind does not run.
    let driver = if gce {
        "pd.csi.storage.gke.io"
    } else if aws {
        "ebs.csi.aws.com"
    } else {
        return None;
    };
    Some((
        "FailedAttachVolume",
        format!(
            "AttachVolume.Attach failed for volume \"{volume}\" : CSINode {node} does not contain driver {driver}"
        ),
    ))
}

/// Sets up a pod's volumes on its node and mounts them into the containers' filesystems.
pub fn mount_pod(
    cluster: &mut Cluster,
    prt: &mut PodRuntime,
    pod: &Pod,
) -> Result<(), MountErrors> {
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    let node = prt.node.clone();
    let mut errors: MountErrors = Vec::new();
    let mut backings: BTreeMap<String, (String, &'static str)> = BTreeMap::new();
    let mut projected: BTreeMap<String, projection::Projection> = BTreeMap::new();
    for v in spec.volumes.iter().flatten() {
        match backing_of(cluster, pod, &node, v) {
            Err(e) => errors.push(e),
            Ok(Some((key, fs_type))) => {
                if !cluster.volumes.backings.contains_key(&key)
                    && cluster.volumes.backings.len() < MAX_BACKINGS
                {
                    let initial = match &v.git_repo {
                        Some(g) => projection::git_clone(g),
                        None => Tree::new(),
                    };
                    cluster.volumes.backings.insert(key.clone(), initial);
                }
                backings.insert(v.name.clone(), (key, fs_type));
            }
            Ok(None) => match projection::files(cluster, pod, v, prt.pod_ip.as_deref()) {
                Ok(Some(files)) => {
                    projected.insert(v.name.clone(), files);
                }
                Ok(None) => {}
                Err(msg) => errors.push((
                    "FailedMount",
                    format!("MountVolume.SetUp failed for volume \"{}\" : {msg}", v.name),
                )),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut mounts = Vec::new();
    for (ci, c) in spec.containers.iter().enumerate() {
        for m in c.volume_mounts.iter().flatten() {
            let (backing, fs_type) = match backings.get(&m.name) {
                Some((k, t)) => (Some(k.clone()), *t),
                None if projected.contains_key(&m.name) => {
                    let secret =
                        spec.volumes.iter().flatten().any(|v| {
                            v.name == m.name && (v.secret.is_some() || v.projected.is_some())
                        });
                    (None, if secret { "tmpfs" } else { "ext4" })
                }
                None => continue,
            };
            mounts.push(Mount {
                container: ci,
                volume: m.name.clone(),
                path: normalize("/", &m.mount_path),
                sub_path: m.sub_path.clone().unwrap_or_default(),
                read_only: m.read_only == Some(true) || backing.is_none(),
                backing,
                fs_type,
            });
        }
    }
    // The kubelet creates missing subPath directories inside their volumes first.
    for m in &mounts {
        if let Some(key) = &m.backing {
            let tree = cluster.volumes.backings.entry(key.clone()).or_default();
            add_dirs(tree, &m.sub_path);
        }
    }
    for m in &mounts {
        let Some(c) = prt.containers.get_mut(m.container) else { continue };
        match &m.backing {
            Some(key) => {
                let tree = cluster.volumes.backings.entry(key.clone()).or_default();
                c.fs.replace_subtree(&m.path, &sub_tree(tree, &m.sub_path));
            }
            None => {
                let Some(files) = projected.get(&m.volume) else { continue };
                write_projection(&mut c.fs, &m.path, &m.sub_path, files);
            }
        }
        if m.read_only {
            c.fs.mark_read_only(&m.path);
        }
    }
    for (ci, c) in prt.containers.iter_mut().enumerate() {
        let mine = mounts.iter().filter(|m| m.container == ci);
        c.fs.put_shared("/proc/mounts", proc_mounts(&mut cluster.volumes, mine), 0o444);
    }
    cluster.volumes.mounts.insert(prt.uid.clone(), mounts);
    Ok(())
}

/// The container's `/proc/mounts`: the runtime's own mounts, then one line per volume mount
/// (what `mount` and `df` read).
fn proc_mounts<'a>(store: &mut Store, mounts: impl Iterator<Item = &'a Mount>) -> Rc<str> {
    let mut lines = String::with_capacity(128);
    for m in mounts {
        let dev = if m.fs_type == "tmpfs" { "tmpfs" } else { "/dev/vda1" };
        let ro = if m.read_only { "ro" } else { "rw" };
        for part in [dev, " ", &m.path, " ", m.fs_type, " ", ro, ",relatime 0 0\n"] {
            lines.push_str(part);
        }
    }
    if let Some((last, text)) = &store.last_proc_mounts
        && *last == lines
    {
        return Rc::clone(text);
    }
    let text: Rc<str> = [RUNTIME_MOUNTS, &lines].concat().into();
    store.last_proc_mounts = Some((lines, Rc::clone(&text)));
    text
}

/// The mounts the runtime makes in every container, first in its `/proc/mounts`.
const RUNTIME_MOUNTS: &str = "overlay / overlay rw,relatime,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/2/fs,workdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/2/work 0 0\n\
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n\
tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0\n\
sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0\n\
/dev/vda1 /etc/hosts ext4 rw,relatime 0 0\n\
/dev/vda1 /dev/termination-log ext4 rw,relatime 0 0\n\
/dev/vda1 /etc/hostname ext4 rw,relatime 0 0\n\
/dev/vda1 /etc/resolv.conf ext4 rw,relatime 0 0\n\
shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0\n";

/// A projection's files at a mount: the whole atomic-writer layout, or one file for a subPath
/// (which, as upstream, never sees later updates).
fn write_projection(
    fs: &mut crate::kubelet::fs::Fs,
    path: &str,
    sub_path: &str,
    files: &projection::Projection,
) {
    if sub_path.is_empty() {
        files.mount(fs, path);
        return;
    }
    let mut scratch = crate::kubelet::fs::Fs::new();
    files.mount(&mut scratch, "/v");
    let target = scratch.resolve(&normalize("/v", sub_path));
    match scratch.get(&target) {
        Some(Entry::File { content, mode }) => fs.put_file(path, content, *mode),
        _ => fs.mkdir_p(path),
    }
}

/// Adds `path` and its parents as directories of `tree`.
fn add_dirs(tree: &mut Tree, path: &str) {
    let mut cur = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if !cur.is_empty() {
            cur.push('/');
        }
        cur.push_str(part);
        tree.entry(cur.clone()).or_insert(Entry::Dir);
    }
}

/// The part of a backing under `sub_path`, relative to it.
fn sub_tree(tree: &Tree, sub_path: &str) -> Tree {
    if sub_path.is_empty() {
        return tree.clone();
    }
    let prefix = format!("{}/", sub_path.trim_end_matches('/'));
    let mut part = Tree::new();
    part.extend(
        tree.range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, e)| (k[prefix.len()..].to_string(), e.clone())),
    );
    part
}

/// After container `ci` of `prt` changed its files: copies its writable mounts to their backings
/// and from there into every other container (of any pod) that mounts the same data.
pub fn sync_from(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    let mounts = cluster.volumes.mounts.get(&prt.uid).cloned().unwrap_or_default();
    let mut changed: Vec<String> = Vec::new();
    for m in mounts.iter().filter(|m| m.container == ci && !m.read_only) {
        // Another mount of the same data in this container may have changed it already.
        if let Some(k) = &m.backing
            && changed.contains(k)
        {
            continue;
        }
        let (Some(key), Some(c)) = (&m.backing, prt.containers.get(ci)) else { continue };
        let content = c.fs.subtree(&m.path);
        let tree = cluster.volumes.backings.entry(key.clone()).or_default();
        if m.sub_path.is_empty() {
            if *tree == content {
                continue;
            }
            *tree = content;
        } else {
            let prefix = format!("{}/", m.sub_path.trim_end_matches('/'));
            if sub_tree(tree, &m.sub_path) == content {
                continue;
            }
            tree.retain(|k, _| !k.starts_with(&prefix));
            add_dirs(tree, &m.sub_path);
            for (rel, e) in content {
                tree.insert(format!("{prefix}{rel}"), e);
            }
        }
        changed.push(key.clone());
        // The writer's other mounts of this data see the change before they are compared.
        refresh_backings(cluster, prt, std::slice::from_ref(key));
    }
    if changed.is_empty() {
        return;
    }
    refresh_backings(cluster, prt, &changed);
    // An emptyDir belongs to this pod alone; other pods share only node and claim data.
    if changed.iter().all(|k| k.starts_with("emptydir/")) {
        return;
    }
    let others: Vec<String> = cluster
        .volumes
        .mounts
        .iter()
        .filter(|(uid, ms)| {
            **uid != prt.uid
                && ms.iter().any(|m| m.backing.as_ref().is_some_and(|b| changed.contains(b)))
        })
        .map(|(uid, _)| uid.clone())
        .collect();
    for uid in others {
        let Some(mut other) = cluster.kubelet.pods.remove(&uid) else { continue };
        refresh_backings(cluster, &mut other, &changed);
        cluster.kubelet.pods.insert(uid, other);
    }
}

/// Rewrites the mounts of `prt` whose backing is in `keys` from the backing's content.
fn refresh_backings(cluster: &Cluster, prt: &mut PodRuntime, keys: &[String]) {
    let Some(mounts) = cluster.volumes.mounts.get(&prt.uid) else { return };
    for m in mounts {
        let Some(key) = m.backing.as_ref().filter(|k| keys.contains(k)) else { continue };
        let Some(tree) = cluster.volumes.backings.get(key) else { continue };
        if let Some(c) = prt.containers.get_mut(m.container) {
            c.fs.replace_subtree(&m.path, &sub_tree(tree, &m.sub_path));
        }
    }
}

/// The kubelet's periodic sync of ConfigMap, Secret and downward API volumes: rewrites files
/// whose source changed, swapping `..data` to a new timestamped directory.
pub fn resync_projections(cluster: &mut Cluster, prt: &mut PodRuntime) {
    let Some(shared) = cluster.store.get_shared(&prt.key) else { return };
    let Some(pod) = shared.as_kind::<Pod>() else { return };
    let mounts = cluster.volumes.mounts.get(&prt.uid).cloned().unwrap_or_default();
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let targets: Vec<&Mount> = mounts
            .iter()
            .filter(|m| m.volume == v.name && m.backing.is_none() && m.sub_path.is_empty())
            .collect();
        let Some(first) = targets.first() else { continue };
        let Ok(Some(fresh)) = projection::files(cluster, pod, v, prt.pod_ip.as_deref()) else {
            continue;
        };
        let fresh = fresh.tree();
        let Some(c) = prt.containers.get(first.container) else { continue };
        let current = c.fs.subtree(&first.path);
        if projection::same_payload(&current, &fresh) {
            continue;
        }
        for m in targets {
            if let Some(c) = prt.containers.get_mut(m.container) {
                c.fs.replace_subtree(&m.path, &fresh);
            }
        }
    }
}

/// Routes watch events to the kubelets' volume sync: a changed ConfigMap or Secret reaches the
/// pods that mount it after [`CONFIG_SYNC_MS`]; a pod's changed labels or annotations reach its
/// downward API files at the kubelet's next sync of the pod.
pub fn on_watch_event(cluster: &mut Cluster, event: &WatchEvent, object: &Object) {
    let key = &event.key;
    match key.kind {
        Kind::ConfigMap | Kind::Secret => {
            let kind = key.kind;
            let users: Vec<ObjKey> = cluster
                .store
                .list_typed::<Pod>(Some(&key.namespace))
                .filter(|p| {
                    p.spec.iter().flat_map(|s| s.volumes.iter().flatten()).any(|v| {
                        let direct = match kind {
                            Kind::ConfigMap => v.config_map.as_ref().map(|c| c.name.as_str()),
                            _ => v.secret.as_ref().and_then(|s| s.secret_name.as_deref()),
                        };
                        let projected =
                            v.projected.iter().flat_map(|p| p.sources.iter().flatten()).any(|s| {
                                match kind {
                                    Kind::ConfigMap => {
                                        s.config_map.as_ref().is_some_and(|c| *c.name == *key.name)
                                    }
                                    _ => s.secret.as_ref().is_some_and(|c| *c.name == *key.name),
                                }
                            });
                        direct == Some(&*key.name) || projected
                    })
                })
                .map(pod_key)
                .collect();
            for k in users {
                cluster.requeue_after(crate::controllers::Component::VolumeSync, k, CONFIG_SYNC_MS);
            }
        }
        Kind::Pod if event.event_type == WatchEventType::Deleted => {
            // A claim waiting for its last user to go (pvc-protection) may go now.
            let claims: Vec<ObjKey> = object
                .as_kind::<Pod>()
                .into_iter()
                .flat_map(|p| p.spec.iter().flat_map(|s| s.volumes.iter().flatten()))
                .filter_map(|v| v.persistent_volume_claim.as_ref())
                .map(|c| ObjKey::new(Kind::PersistentVolumeClaim, &key.namespace, &c.claim_name))
                .collect();
            for k in claims {
                cluster.enqueue(crate::controllers::Component::VolumeBinder, k);
            }
        }
        Kind::Pod if event.event_type != WatchEventType::Deleted => {
            let Some(pod) = object.as_kind::<Pod>() else { return };
            // Only labels and annotations change what the files show; other pod updates
            // (status above all) need no resync, nor do files of fields that never change (the
            // namespace file every service-account volume has).
            let shows_labels_or_annotations = |items: &Option<Vec<DownwardAPIVolumeFile>>| {
                items.iter().flatten().filter_map(|i| i.field_ref.as_ref()).any(|f| {
                    f.field_path.starts_with("metadata.labels")
                        || f.field_path.starts_with("metadata.annotations")
                })
            };
            let mut volumes = pod.spec.iter().flat_map(|s| s.volumes.iter().flatten());
            let resyncs = volumes.any(|v| {
                v.downward_api.as_ref().is_some_and(|d| shows_labels_or_annotations(&d.items))
                    || v.projected.iter().flat_map(|p| p.sources.iter().flatten()).any(|s| {
                        s.downward_api
                            .as_ref()
                            .is_some_and(|d| shows_labels_or_annotations(&d.items))
                    })
            });
            if !resyncs {
                return;
            }
            let uid = pod.metadata.uid.as_deref().unwrap_or_default();
            let fingerprint = downward_fingerprint(pod);
            if cluster.volumes.downward_seen.get(uid) != Some(&fingerprint) {
                cluster.volumes.downward_seen.insert(uid.to_string(), fingerprint);
                // A new pod's volumes are filled when they are mounted: nothing to resync yet.
                if event.event_type == WatchEventType::Added {
                    return;
                }
                cluster.requeue_after(
                    crate::controllers::Component::VolumeSync,
                    key.clone(),
                    DOWNWARD_SYNC_MS,
                );
            }
        }
        _ => {}
    }
}

/// The kubelet's sync of one pod's projected volumes.
pub fn resync_pod(cluster: &mut Cluster, key: &ObjKey) {
    let Some(uid) = cluster.kubelet.by_key.get(key).cloned() else { return };
    let Some(mut prt) = cluster.kubelet.pods.remove(&uid) else { return };
    resync_projections(cluster, &mut prt);
    cluster.kubelet.pods.insert(uid, prt);
}

/// The header the container shell adds when curl trusts the server (`--cacert` with a readable
/// CA file, `CURL_CA_BUNDLE`, or `-k`); it never leaves the simulation.
pub const TRUST_HEADER: &str = "X-Kubeplay-Tls-Trusted: 1";

/// Routes a request to the API server when it is addressed to it: `kubectl proxy` on the
/// learner's localhost, an ambassador's localhost:8001 in a pod, or `https://kubernetes`.
pub fn api_route(
    cluster: &Cluster,
    client: &crate::network::proxy::Client,
    host: &str,
    port: i32,
    https: bool,
    path: &str,
    headers: &[String],
) -> Option<Result<(u16, String), crate::network::proxy::NetError>> {
    use crate::network::proxy::{Client, NetError};
    let local = host == "localhost" || host == "127.0.0.1";
    match client {
        Client::Outside if local && !https => {
            let port = u16::try_from(port).ok()?;
            cluster
                .volumes
                .proxy_ports
                .contains(&port)
                .then(|| Ok(apiserver::serve(cluster, &apiserver::Caller::Admin, path)))
        }
        Client::Pod(k) if local && port == 8001 && !https => {
            // An ambassador container running `kubectl proxy` with the pod's service account.
            let prt = cluster.kubelet.pod(k)?;
            let ambassador = prt.containers.iter().any(|c| {
                matches!(c.state, crate::kubelet::CState::Running { .. })
                    && c.image
                        .as_ref()
                        .is_some_and(|i| i.repository.ends_with("luksa/kubectl-proxy"))
            });
            if !ambassador {
                return None;
            }
            let pod = cluster.store.get_typed::<Pod>(&k.namespace, &k.name)?;
            let sa = pod
                .spec
                .as_ref()
                .and_then(|s| s.service_account_name.clone())
                .unwrap_or_else(|| "default".into());
            let caller = apiserver::Caller::ServiceAccount(format!(
                "system:serviceaccount:{}:{sa}",
                k.namespace
            ));
            Some(Ok(apiserver::serve(cluster, &caller, path)))
        }
        Client::Pod(k) => {
            let names = [
                "kubernetes".to_string(),
                format!("kubernetes.{}", "default"),
                "kubernetes.default.svc".into(),
                "kubernetes.default.svc.cluster.local".into(),
                "10.96.0.1".into(),
            ];
            let short_ok = host != "kubernetes" || &*k.namespace == "default";
            if !(names.iter().any(|n| n == host) && short_ok && port == 443) {
                return None;
            }
            if !https {
                return Some(Ok((400, "Client sent an HTTP request to an HTTPS server.\n".into())));
            }
            if !headers.iter().any(|h| h == TRUST_HEADER) {
                return Some(Err(NetError::Tls));
            }
            Some(Ok(apiserver::serve(cluster, &apiserver::Caller::from_headers(headers), path)))
        }
        _ => None,
    }
}

/// Whether the pod names an imagePullSecret holding Docker Hub credentials.
pub fn pull_secret_for(cluster: &Cluster, pod: &ObjKey) -> bool {
    let Some(p) = cluster.store.get_typed::<Pod>(&pod.namespace, &pod.name) else { return false };
    p.spec.iter().flat_map(|s| s.image_pull_secrets.iter().flatten()).any(|r| {
        let Some(s) =
            cluster.store.get_typed::<k8s_openapi::api::core::v1::Secret>(&pod.namespace, &r.name)
        else {
            return false;
        };
        let config = s
            .data
            .as_ref()
            .and_then(|d| d.get(".dockerconfigjson").or_else(|| d.get(".dockercfg")));
        config.is_some_and(|c| {
            let text = String::from_utf8_lossy(&c.0);
            ["index.docker.io", "docker.io"].iter().any(|h| text.contains(h))
        })
    })
}

/// The kubelet's GitRepoVolumeDriver feature gate: off by default since v1.33.
pub const GIT_REPO_VOLUME_DRIVER: bool = false;

/// The API server's warnings for deprecated volume sources in a pod spec at `path`
/// (`pkg/api/pod/warnings.go`).
pub fn spec_warnings(spec: &k8s_openapi::api::core::v1::PodSpec, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if v.git_repo.is_some() {
            out.push(format!(
                "{path}.volumes[{i}].gitRepo: deprecated in v1.11, and disabled by default in v1.33+"
            ));
        }
    }
    out
}

/// Forgets a pod's emptyDirs and mounts when the kubelet tears the pod down.
pub fn unmount_pod(cluster: &mut Cluster, uid: &str) {
    cluster.volumes.mounts.remove(uid);
    cluster.volumes.downward_seen.remove(uid);
    let prefix = ["emptydir/", uid, "/"].concat();
    let doomed: Vec<String> = cluster
        .volumes
        .backings
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for k in doomed {
        cluster.volumes.backings.remove(&k);
    }
}

/// The mounts of a container, for `mount` and `df`.
pub fn container_mounts(cluster: &Cluster, uid: &str, ci: usize) -> Vec<Mount> {
    cluster
        .volumes
        .mounts
        .get(uid)
        .map(|ms| ms.iter().filter(|m| m.container == ci).cloned().collect())
        .unwrap_or_default()
}

/// Records the mount errors as the kubelet's events on the pod.
pub fn report_mount_errors(cluster: &mut Cluster, pod: &Object, node: &str, errors: &MountErrors) {
    for (reason, message) in errors {
        let component =
            if *reason == "FailedAttachVolume" { "attachdetach-controller" } else { "kubelet" };
        let host = (component == "kubelet").then_some(node);
        cluster.record_event(pod, None, "Warning", reason, message.clone(), component, host);
    }
}
