//! Files the kubelet writes for ConfigMap, Secret, downward API and projected volumes, in the
//! atomic writer's layout (`pkg/volume/util/atomic_writer.go`): the payload sits in a directory
//! named after the write time, `..data` points at it, and each top-level name is a symlink
//! through `..data`, so an update is one rename and readers never see half of it.
//! Also the simulated clone of a (deprecated) gitRepo volume.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{
    ConfigMap, DownwardAPIVolumeFile, GitRepoVolumeSource, KeyToPath, Pod, Secret, Volume,
};

use super::Tree;
use super::env::{bytes_text, field_value, resource_value};
use crate::cluster::Cluster;
use crate::decimal::push_padded;
use crate::kubelet::fs::{Entry, Fs};

/// Files one projected volume may hold.
pub const MAX_PROJECTED_FILES: usize = 1_000;

/// Default file mode of these volumes (0644).
const DEFAULT_MODE: i32 = 0o644;

/// path -> (content, mode); the content as the files will share it.
type Payload = BTreeMap<String, (Rc<str>, u32)>;

/// The files of a configMap, secret, downwardAPI or projected volume; `Ok(None)` for sources
/// that are not projections; `Err` with the mount failure's text.
pub fn files(
    cluster: &Cluster,
    pod: &Pod,
    v: &Volume,
    pod_ip: Option<&str>,
) -> Result<Option<Projection>, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut payload = Payload::new();
    if let Some(c) = &v.config_map {
        let mode = c.default_mode.unwrap_or(DEFAULT_MODE);
        config_map_payload(
            cluster,
            ns,
            &c.name,
            c.items.as_deref(),
            c.optional,
            mode,
            &mut payload,
        )?;
    } else if let Some(s) = &v.secret {
        let mode = s.default_mode.unwrap_or(DEFAULT_MODE);
        let name = s.secret_name.clone().unwrap_or_default();
        secret_payload(cluster, ns, &name, s.items.as_deref(), s.optional, mode, &mut payload)?;
    } else if let Some(d) = &v.downward_api {
        let mode = d.default_mode.unwrap_or(DEFAULT_MODE);
        downward_payload(cluster, pod, d.items.as_deref(), mode, pod_ip, &mut payload)?;
    } else if let Some(p) = &v.projected {
        let mode = p.default_mode.unwrap_or(DEFAULT_MODE);
        for src in p.sources.iter().flatten() {
            if let Some(c) = &src.config_map {
                config_map_payload(
                    cluster,
                    ns,
                    &c.name,
                    c.items.as_deref(),
                    c.optional,
                    mode,
                    &mut payload,
                )?;
            }
            if let Some(s) = &src.secret {
                secret_payload(
                    cluster,
                    ns,
                    &s.name,
                    s.items.as_deref(),
                    s.optional,
                    mode,
                    &mut payload,
                )?;
            }
            if let Some(d) = &src.downward_api {
                downward_payload(cluster, pod, d.items.as_deref(), mode, pod_ip, &mut payload)?;
            }
            if let Some(t) = &src.service_account_token {
                let sa = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.service_account_name.as_deref())
                    .unwrap_or("default");
                let uid = pod.metadata.uid.as_deref().unwrap_or("");
                let token = service_account_token(ns, sa, uid);
                payload.insert(t.path.clone(), (token.into(), mode as u32));
            }
        }
    } else {
        return Ok(None);
    }
    Ok(Some(Projection { dir: stamped_dir(cluster.now(), &payload), payload }))
}

/// The (simulated) bound service-account token of a pod: a JWT-shaped string that the
/// simulated API server recognises.
pub fn service_account_token(ns: &str, sa: &str, uid: &str) -> String {
    const HEADER: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6Imt1YmVwbGF5In0.";
    const SUBJECT: &[u8] = b"system:serviceaccount:";
    let uid_part = &uid.as_bytes()[..8.min(uid.len())];
    // Sized up front: hex pushes would otherwise grow it twice.
    let hex_len = 2 * (SUBJECT.len() + ns.len() + 1 + sa.len() + uid_part.len());
    let mut token = String::with_capacity(HEADER.len() + hex_len + 1);
    token.push_str(HEADER);
    crate::hex::push_bytes(&mut token, SUBJECT);
    crate::hex::push_bytes(&mut token, ns.as_bytes());
    crate::hex::push_bytes(&mut token, b":");
    crate::hex::push_bytes(&mut token, sa.as_bytes());
    token.push('.');
    crate::hex::push_bytes(&mut token, uid_part);
    token
}

/// The service account a token names, if it is one this cluster issued.
pub fn token_subject(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    if parts.next()? != "eyJhbGciOiJSUzI1NiIsImtpZCI6Imt1YmVwbGF5In0" {
        return None;
    }
    let body = parts.next()?;
    let bytes: Option<Vec<u8>> = (0..body.len())
        .step_by(2)
        .map(|i| body.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

fn push(payload: &mut Payload, path: &str, content: &str, mode: u32) {
    if payload.len() < MAX_PROJECTED_FILES {
        payload.insert(path.to_string(), (content.into(), mode));
    }
}

fn items_payload(
    data: &BTreeMap<String, String>,
    items: Option<&[KeyToPath]>,
    mode: i32,
    missing: impl Fn(&str) -> String,
    optional: bool,
    payload: &mut Payload,
) -> Result<(), String> {
    match items {
        None => {
            for (k, v) in data {
                push(payload, k, v, mode as u32);
            }
        }
        Some(items) => {
            for it in items {
                match data.get(&it.key) {
                    Some(v) => push(payload, &it.path, v, it.mode.unwrap_or(mode) as u32),
                    None if optional => {}
                    None => return Err(missing(&it.key)),
                }
            }
        }
    }
    Ok(())
}

fn config_map_payload(
    cluster: &Cluster,
    ns: &str,
    name: &str,
    items: Option<&[KeyToPath]>,
    optional: Option<bool>,
    mode: i32,
    payload: &mut Payload,
) -> Result<(), String> {
    let optional = optional == Some(true);
    let Some(cm) = cluster.store.get_typed::<ConfigMap>(ns, name) else {
        return if optional { Ok(()) } else { Err(format!("configmap \"{name}\" not found")) };
    };
    // Text keys are read in place; only binary ones need a merged copy.
    let (empty, merged);
    let data = match (&cm.data, cm.binary_data.as_ref().filter(|b| !b.is_empty())) {
        (Some(data), None) => data,
        (None, None) => {
            empty = BTreeMap::new();
            &empty
        }
        (data, Some(binary)) => {
            let mut all = data.clone().unwrap_or_default();
            for (k, v) in binary {
                all.insert(k.clone(), bytes_text(&v.0));
            }
            merged = all;
            &merged
        }
    };
    items_payload(
        data,
        items,
        mode,
        |k| format!("configmap references non-existent config key: {k}"),
        optional,
        payload,
    )
}

fn secret_payload(
    cluster: &Cluster,
    ns: &str,
    name: &str,
    items: Option<&[KeyToPath]>,
    optional: Option<bool>,
    mode: i32,
    payload: &mut Payload,
) -> Result<(), String> {
    let optional = optional == Some(true);
    let Some(s) = cluster.store.get_typed::<Secret>(ns, name) else {
        return if optional { Ok(()) } else { Err(format!("secret \"{name}\" not found")) };
    };
    let mut data = BTreeMap::new();
    data.extend(s.data.iter().flatten().map(|(k, v)| (k.clone(), bytes_text(&v.0))));
    items_payload(
        &data,
        items,
        mode,
        |k| format!("references non-existent secret key: {k}"),
        optional,
        payload,
    )
}

fn downward_payload(
    cluster: &Cluster,
    pod: &Pod,
    items: Option<&[DownwardAPIVolumeFile]>,
    mode: i32,
    pod_ip: Option<&str>,
    payload: &mut Payload,
) -> Result<(), String> {
    for it in items.into_iter().flatten() {
        let mode = it.mode.unwrap_or(mode) as u32;
        if let Some(f) = &it.field_ref {
            // Labels and annotations are `key="value"` lines, the last without a newline
            // (`fieldpath.FormatMap`).
            let v = field_value(pod, &f.field_path, pod_ip)?;
            push(payload, &it.path, &v, mode);
        } else if let Some(r) = &it.resource_field_ref {
            let spec = pod.spec.clone().unwrap_or_default();
            let name = r.container_name.clone().unwrap_or_default();
            let Some(c) = spec.containers.iter().find(|c| c.name == name) else {
                return Err(format!("container {name} not found"));
            };
            let v = resource_value(cluster, pod, c, &r.resource, r.divisor.as_ref())?;
            push(payload, &it.path, &v, mode);
        }
    }
    Ok(())
}

/// A volume's files as the atomic writer lays them out: the payload in its timestamped
/// directory.
#[derive(Debug)]
pub struct Projection {
    dir: String,
    payload: Payload,
}

impl Projection {
    /// The layout, relative to the mount point.
    pub fn tree(&self) -> Tree {
        let dir = &self.dir;
        let mut tree = Tree::new();
        tree.insert(dir.clone(), Entry::Dir);
        // Paths and link targets are built in these buffers, one part at a time.
        let mut cur = String::with_capacity(dir.len() + 32);
        let mut link = String::with_capacity(32);
        for (path, (content, mode)) in &self.payload {
            cur.clear();
            cur.push_str(dir);
            let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
            let mut top = None;
            while let Some(part) = parts.next() {
                top.get_or_insert(part);
                cur.push('/');
                cur.push_str(part);
                let entry = match parts.peek() {
                    None => Entry::File { content: Rc::clone(content), mode: *mode },
                    Some(_) => Entry::Dir,
                };
                tree.insert(cur.clone(), entry);
            }
            if let Some(top) = top {
                link.clear();
                link.push_str("..data/");
                link.push_str(top);
                tree.insert(top.to_string(), Entry::Symlink { target: link.as_str().into() });
            }
        }
        tree.insert("..data".into(), Entry::Symlink { target: dir.as_str().into() });
        tree
    }

    /// Mounts the layout at `at`: what `fs.replace_subtree(at, &self.tree())` does, without
    /// building the tree when every path is one name.
    pub fn mount(&self, fs: &mut Fs, at: &str) {
        let mut w = fs.mount(at);
        // One-name paths need no directories and cannot collide with `..data` or the payload's
        // directory, so their order does not matter unless the container's limit cuts them.
        let one_name =
            |k: &str| !k.is_empty() && k != "." && !k.starts_with("..") && !k.contains('/');
        let simple = self.payload.keys().all(|k| one_name(k));
        if !simple || w.room() < 2 * self.payload.len() + 2 {
            fs.replace_subtree(at, &self.tree());
            return;
        }
        // In path order as far as it goes (`..<timestamp>` sorts before `..data`, the names
        // mostly after), which the writer puts without a search.
        let dir = self.dir.as_str();
        w.put(&[dir], Entry::Dir);
        for (name, (content, mode)) in &self.payload {
            w.put(&[dir, name], Entry::File { content: Rc::clone(content), mode: *mode });
        }
        w.put(&["..data"], Entry::Symlink { target: dir.into() });
        let mut link = String::with_capacity(32);
        for name in self.payload.keys() {
            link.clear();
            link.push_str("..data/");
            link.push_str(name);
            w.put(&[name], Entry::Symlink { target: link.as_str().into() });
        }
    }
}

/// The payload's directory for a write at virtual time `ms`: `..%Y_%m_%d_%H_%M_%S.<n>`, where
/// MkdirTemp's random number is derived from the time and content so runs stay deterministic.
fn stamped_dir(ms: i64, payload: &Payload) -> String {
    // Digits by hand, not strftime and format!: this runs for every pod. Virtual time starts
    // in 2026 and jiff stops at 9999, so the year always has four digits.
    let t = k8s_openapi::jiff::tz::Offset::UTC.to_datetime(crate::time::instant(ms));
    let mut dir = String::with_capacity(32);
    dir.push_str("..");
    push_padded(&mut dir, u64::from(t.year().unsigned_abs()), 4);
    for part in [t.month(), t.day(), t.hour(), t.minute(), t.second()] {
        dir.push('_');
        push_padded(&mut dir, u64::from(part.unsigned_abs()), 2);
    }
    // FNV-1a over the stamp, the paths, then the contents.
    let mut h = fnv(2_166_136_261, &dir.as_bytes()[2..]);
    for k in payload.keys() {
        h = fnv(h, k.as_bytes());
    }
    for (c, _) in payload.values() {
        h = fnv(h, c.as_bytes());
    }
    dir.push('.');
    let digits = h.checked_ilog10().unwrap_or(0) + 1;
    push_padded(&mut dir, u64::from(h), digits);
    dir
}

fn fnv(h: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(h, |h, b| (h ^ u32::from(*b)).wrapping_mul(16_777_619))
}

/// The files `..data` points at, relative to it.
fn payload_of(tree: &Tree) -> Tree {
    let Some(Entry::Symlink { target }) = tree.get("..data") else { return Tree::new() };
    let prefix = format!("{target}/");
    let mut payload = Tree::new();
    payload.extend(
        tree.iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, e)| (k[prefix.len()..].to_string(), e.clone())),
    );
    payload
}

/// Whether two layouts hold the same files (the timestamps aside).
pub fn same_payload(a: &Tree, b: &Tree) -> bool {
    payload_of(a) == payload_of(b)
}

/// The simulated clone of a gitRepo volume: the book's example website repository.
pub fn git_clone(g: &GitRepoVolumeSource) -> Tree {
    let repo_name =
        g.repository.rsplit('/').next().unwrap_or("repo").trim_end_matches(".git").to_string();
    let dir = match g.directory.as_deref() {
        Some(".") => String::new(),
        Some(d) if !d.is_empty() => format!("{}/", d.trim_matches('/')),
        _ => format!("{repo_name}/"),
    };
    let mut tree = Tree::new();
    if !dir.is_empty() {
        tree.insert(dir.trim_end_matches('/').to_string(), Entry::Dir);
    }
    tree.insert(format!("{dir}.git"), Entry::Dir);
    tree.insert(
        format!("{dir}.git/HEAD"),
        Entry::File { content: "ref: refs/heads/master\n".into(), mode: 0o644 },
    );
    tree.insert(
        format!("{dir}index.html"),
        Entry::File {
            content: format!(
                "<html>\n<body>\nHello there. This page is served from {}\n</body>\n</html>\n",
                g.repository
            )
            .into(),
            mode: 0o644,
        },
    );
    tree.insert(
        format!("{dir}README.md"),
        Entry::File { content: format!("# {repo_name}\n").into(), mode: 0o644 },
    );
    tree
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{SESSION_START_MS, SESSION_START_UNIX_SECONDS};

    #[test]
    fn the_payload_dir_is_named_as_strftime_and_format_would() {
        let payload = Payload::from([
            ("ca.crt".to_string(), (Rc::from("-----BEGIN"), 0o644)),
            ("token".to_string(), (Rc::from("eyJ"), 0o644)),
        ]);
        let last_second = (253_402_300_799 - SESSION_START_UNIX_SECONDS) * 1000;
        for ms in [0, 999, 252_000, 34_567_891, last_second + SESSION_START_MS as i64, i64::MAX] {
            let stamp = k8s_openapi::jiff::fmt::strtime::format(
                "%Y_%m_%d_%H_%M_%S",
                crate::time::instant(ms),
            )
            .unwrap();
            let mut h: u32 = 2_166_136_261;
            for b in stamp.bytes().chain("ca.crttoken-----BEGINeyJ".bytes()) {
                h = (h ^ b as u32).wrapping_mul(16_777_619);
            }
            assert_eq!(stamped_dir(ms, &payload), format!("..{stamp}.{h}"));
        }
    }

    #[test]
    fn mounting_writes_the_layout_tree() {
        let cases: [&[&str]; 5] = [
            &["ca.crt", "namespace", "token"],
            &["a/b", "c"],
            &[".hidden", "-x"],
            &["..data"],
            &[],
        ];
        for keys in cases {
            let payload: Payload =
                keys.iter().map(|k| (k.to_string(), (Rc::from(*k), 0o600))).collect();
            let files = Projection { dir: stamped_dir(5_000, &payload), payload };
            for at in ["/", "/var/run/secrets/kubernetes.io/serviceaccount"] {
                let mut fs = Fs::new();
                fs.put_file(&format!("{}/old", at.trim_end_matches('/')), "x", 0o644);
                let mut expected = fs.clone();
                expected.replace_subtree(at, &files.tree());
                files.mount(&mut fs, at);
                assert_eq!(fs, expected, "{keys:?} at {at}");
            }
        }
    }
}
