//! The container lifecycle: sandbox, pull, create, start, probe, exit, restart with back-off,
//! kill with a grace period, and the pod status that follows from it all.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, HostIP, Pod, PodCondition, PodIP, PodSpec, PodStatus, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::images::{self, App, Program, Step};
use super::{
    Action, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, CREATE_MS, CState, ContainerRt, KillReason,
    KubeletTimer, Layer, LogLine, MAX_LOG_LINES, PodRuntime, ProbeKind, SANDBOX_MS, SYNC_RETRY_MS,
    apps, fs, shell,
};
use crate::api::{Kind, ObjKey, Object};
use crate::clock::Millis;
use crate::cluster::{Cluster, Timer};
use crate::decimal::push_u64;
use crate::time;

/// Kubernetes version the kubelets report (probes' User-Agent).
pub const KUBELET_USER_AGENT: &str = "kube-probe/1.34";

fn schedule(cluster: &mut Cluster, uid: &str, delay_ms: Millis, action: Action) {
    cluster
        .clock
        .schedule_in(delay_ms, Timer::Kubelet(KubeletTimer { pod_uid: uid.to_string(), action }));
}

fn schedule_at(cluster: &mut Cluster, uid: &str, at_ms: Millis, action: Action) {
    cluster
        .clock
        .schedule_at(at_ms, Timer::Kubelet(KubeletTimer { pod_uid: uid.to_string(), action }));
}

/// Go's `time.Duration.String()` for whole milliseconds (`578ms`, `4.823s`, `1m30s`).
pub fn go_duration(ms: Millis) -> String {
    // Digits by hand, not format!: a rollout's every pull reports its time.
    let mut out = String::with_capacity(16);
    if ms < 1000 {
        push_u64(&mut out, ms);
        out.push_str("ms");
        return out;
    }
    let (secs, frac) = (ms / 1000, ms % 1000);
    if secs >= 60 {
        let h = secs / 3600;
        if h > 0 {
            push_u64(&mut out, h);
            out.push('h');
        }
        push_u64(&mut out, (secs / 60) % 60);
        out.push('m');
    }
    push_u64(&mut out, secs % 60);
    if frac != 0 {
        // Three digits, less their trailing zeros.
        let len = if frac % 100 == 0 {
            1
        } else if frac % 10 == 0 {
            2
        } else {
            3
        };
        out.push('.');
        for d in [frac / 100, frac / 10 % 10, frac % 10].into_iter().take(len) {
            out.push(char::from(b'0' + d as u8));
        }
    }
    out.push('s');
    out
}

fn hex64(cluster: &mut Cluster) -> String {
    let mut out = String::with_capacity(64);
    for _ in 0..4 {
        crate::hex::push_u64(&mut out, cluster.rng.next_u64(), 16);
    }
    out
}

fn pod_object(cluster: &Cluster, key: &ObjKey) -> Option<Rc<Object>> {
    cluster.store.get_shared(key)
}

fn container_event(
    cluster: &mut Cluster,
    prt: &PodRuntime,
    ci: usize,
    event_type: &str,
    reason: &str,
    message: String,
) {
    let Some(obj) = pod_object(cluster, &prt.key) else { return };
    let name = &prt.containers[ci].name;
    // Pushes into a sized buffer: `concat` sums the lengths and copies through a generic join.
    let mut field = String::with_capacity(name.len() + 17);
    field.push_str("spec.containers{");
    field.push_str(name);
    field.push('}');
    cluster.record_event(
        &obj,
        Some(field),
        event_type,
        reason,
        message,
        "kubelet",
        Some(&prt.node),
    );
}

// ---- entry points ---------------------------------------------------------------------------

/// Reacts to a change of a pod bound to a node (or its removal).
pub fn reconcile(cluster: &mut Cluster, key: &ObjKey) {
    let stored = cluster.store.get_shared(key);
    if nothing_to_do(cluster, key, stored.as_deref().and_then(Object::as_kind)) {
        return;
    }
    let known_uid = cluster.kubelet.by_key.get(key).cloned();
    let Some(pod) = stored.as_deref().and_then(Object::as_kind::<Pod>) else {
        if let Some(uid) = known_uid {
            drop_runtime(cluster, &uid);
        }
        return;
    };
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    if let Some(old) = known_uid.filter(|u| *u != uid) {
        drop_runtime(cluster, &old);
    }
    let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else { return };
    if !cluster.kubelet.nodes.contains_key(&node) {
        return;
    }
    if cluster.kubelet.node_down_since(&node).is_some() {
        return;
    }
    if !cluster.kubelet.pods.contains_key(&uid) {
        if pod.metadata.deletion_timestamp.is_some() {
            let _ = cluster.remove(key);
            return;
        }
        let finished = matches!(
            pod.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded") | Some("Failed")
        );
        if finished {
            return;
        }
        create_runtime(cluster, pod, &node);
        // The status write below changes the stored pod in place; this handle would copy it.
        drop(stored);
        // The kubelet reports its containers as ContainerCreating as soon as it admits the pod.
        if let Some(mut prt) = cluster.kubelet.pods.remove(&uid) {
            mount_volumes(cluster, &mut prt);
            finish_if_done(cluster, uid, prt);
        }
        return;
    }
    let Some(mut prt) = cluster.kubelet.pods.remove(&uid) else { return };
    if pod.metadata.deletion_timestamp.is_some() && !prt.terminating {
        begin_termination(cluster, &mut prt, pod);
    } else if !prt.terminating {
        apply_image_updates(cluster, &mut prt, pod);
    }
    drop(stored);
    finish_if_done(cluster, uid, prt);
}

// A pod update that neither starts its deletion nor changes an image leaves the running pod
// as it is (most updates are the kubelet's own status writes).
fn nothing_to_do(cluster: &Cluster, key: &ObjKey, pod: Option<&Pod>) -> bool {
    let Some(pod) = pod else { return false };
    let Some(uid) = pod.metadata.uid.as_deref() else { return false };
    if cluster.kubelet.by_key.get(key).map(String::as_str) != Some(uid) {
        return false;
    }
    let Some(prt) = cluster.kubelet.pods.get(uid) else { return false };
    if prt.terminating {
        return true;
    }
    let node_up = cluster.kubelet.nodes.get(&prt.node).is_some_and(|n| n.down_since.is_none());
    let images_same = pod.spec.as_ref().is_some_and(|spec| {
        spec.containers.iter().zip(&prt.containers).all(|(c, rt)| rt.spec.image == c.image)
    });
    node_up && pod.metadata.deletion_timestamp.is_none() && images_same
}

/// Fires a kubelet timer.
pub fn on_timer(cluster: &mut Cluster, timer: KubeletTimer) {
    let Some(mut prt) = cluster.kubelet.pods.remove(&timer.pod_uid) else { return };
    if let Some(node) = cluster.kubelet.nodes.get_mut(&prt.node)
        && node.down_since.is_some()
    {
        node.deferred.push(timer);
        cluster.kubelet.pods.insert(prt.uid.clone(), prt);
        return;
    }
    match timer.action {
        Action::SandboxReady => sandbox_ready(cluster, &mut prt),
        Action::MountVolumes => {
            if prt.sandbox_ready_ms.is_none() && !prt.terminating {
                mount_volumes(cluster, &mut prt);
            }
        }
        Action::PullDone(ci) => pull_done(cluster, &mut prt, ci),
        Action::Start(ci) => start_container(cluster, &mut prt, ci),
        Action::ScriptStep(ci, run) => {
            if prt.containers.get(ci).is_some_and(|c| c.run_id == run && c.killing.is_none()) {
                run_script(cluster, &mut prt, ci);
            }
        }
        Action::Probe(ci, run, kind) => {
            if prt.containers.get(ci).is_some_and(|c| c.run_id == run) {
                run_probe(cluster, &mut prt, ci, kind);
            }
        }
        Action::KillDone(ci, run) => {
            if prt.containers.get(ci).is_some_and(|c| c.run_id == run) {
                kill_done(cluster, &mut prt, ci);
            }
        }
        Action::BackoffSync(ci) => {
            if !prt.terminating
                && prt.containers.get(ci).is_some_and(|c| matches!(&c.state, CState::Terminated { .. }) || matches!(&c.state, CState::Waiting { reason, .. } if reason == "CrashLoopBackOff"))
            {
                backoff_sync(cluster, &mut prt, ci);
            }
        }
        Action::EnterPullBackOff(ci) => enter_pull_backoff(cluster, &mut prt, ci),
        Action::PullRetry(ci) => {
            if !prt.terminating {
                begin_pull(cluster, &mut prt, ci);
            }
        }
        Action::Relist => prt.relist_pending = false,
    }
    // A container that started or exited shows in the status only at the generic PLEG's next
    // relist (every second); the kubelet's own steps and probe results are written at once.
    if matches!(timer.action, Action::Start(_) | Action::ScriptStep(..) | Action::KillDone(..)) {
        defer_to_relist(cluster, timer.pod_uid, prt);
    } else {
        finish_if_done(cluster, timer.pod_uid, prt);
    }
}

/// `relistPeriod` of the generic PLEG.
const RELIST_PERIOD_MS: Millis = 1_000;

fn defer_to_relist(cluster: &mut Cluster, uid: String, mut prt: PodRuntime) {
    let all_stopped = prt.containers.iter().all(|c| !matches!(c.state, CState::Running { .. }));
    if prt.terminating && all_stopped {
        finish_if_done(cluster, uid, prt);
        return;
    }
    if !prt.relist_pending {
        prt.relist_pending = true;
        let next = (cluster.now_ms() / RELIST_PERIOD_MS + 1) * RELIST_PERIOD_MS;
        schedule_at(cluster, &prt.uid, next, Action::Relist);
    }
    cluster.kubelet.pods.insert(uid, prt);
}

/// Resumes a node's kubelet: deferred timers fire now and its pods are looked at again.
pub fn node_up(cluster: &mut Cluster, node: &str) {
    let deferred = match cluster.kubelet.nodes.get_mut(node) {
        Some(n) => {
            n.down_since = None;
            std::mem::take(&mut n.deferred)
        }
        None => return,
    };
    for t in deferred {
        cluster.clock.schedule_in(0, Timer::Kubelet(t));
    }
    let keys: Vec<ObjKey> = cluster
        .store
        .list_typed::<Pod>(None)
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .map(|p| {
            ObjKey::new(
                Kind::Pod,
                p.metadata.namespace.as_deref().unwrap_or(""),
                p.metadata.name.as_deref().unwrap_or(""),
            )
        })
        .collect();
    for k in keys {
        cluster.enqueue(crate::controllers::Component::Kubelet, k);
    }
}

// ---- pod setup and teardown -----------------------------------------------------------------

/// A new container's files: its image's, the hostname and resolver the runtime adds, and the
/// directories its volumes are mounted on (by volumes::mount_pod, later).
fn base_fs(
    cluster: &mut Cluster,
    prt_name: &str,
    namespace: &str,
    info: Option<&images::ImageInfo>,
    app: Option<App>,
    mounts: &[VolumeMount],
) -> fs::Fs {
    let base = info.map(|i| i.base).unwrap_or(images::Base::Debian);
    let layers = &mut cluster.kubelet.image_layers;
    let same = |l: &&Layer| {
        l.base == base
            && l.app == app
            && l.namespace == namespace
            && l.mount_paths.iter().eq(mounts.iter().map(|m| &m.mount_path))
    };
    let mut f = match layers.iter().find(same) {
        Some(layer) => layer.files.clone(),
        None => {
            // The hostname comes last here, not first: these writes make distinct entries or
            // directories that a file's write replaces, so their order does not matter.
            let mut files = image_layer(base, app);
            let resolv_conf = format!(
                "search {namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
            );
            files.put_file("/etc/resolv.conf", &resolv_conf, 0o644);
            for m in mounts {
                files.mkdir_p(&m.mount_path);
            }
            if layers.len() >= super::MAX_IMAGE_LAYERS {
                layers.remove(0);
            }
            layers.push(Layer {
                base,
                app,
                namespace: namespace.to_string(),
                mount_paths: mounts.iter().map(|m| m.mount_path.clone()).collect(),
                files: files.clone(),
            });
            files
        }
    };
    let mut hostname = String::with_capacity(prt_name.len() + 1);
    hostname.push_str(prt_name);
    hostname.push('\n');
    f.put_shared("/etc/hostname", hostname.into(), 0o644);
    f
}

/// The files of an image built on `base` that runs `app`.
fn image_layer(base: images::Base, app: Option<App>) -> fs::Fs {
    let mut f = fs::Fs::new();
    for d in [
        "/bin", "/dev", "/etc", "/home", "/proc", "/root", "/sys", "/tmp", "/usr", "/var",
        "/var/run",
    ] {
        f.mkdir_p(d);
    }
    let os = match base {
        images::Base::Debian => {
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"
        }
        images::Base::Busybox => "NAME=\"BusyBox\"\n",
    };
    f.put_file("/etc/os-release", os, 0o644);
    match app {
        Some(App::Kubia | App::KubiaUnhealthy | App::KubiaVersion(_) | App::KubiaV3) => {
            f.put_file(
                "/app.js",
                "const http = require('http');\nconst os = require('os');\n// serves on 8080\n",
                0o644,
            );
        }
        Some(App::Nginx) => {
            f.put_file("/usr/share/nginx/html/index.html", apps::NGINX_INDEX, 0o644);
            f.put_file("/etc/nginx/conf.d/default.conf", "server {\n    listen       80;\n    server_name  localhost;\n    location / {\n        root   /usr/share/nginx/html;\n        index  index.html index.htm;\n    }\n}\n", 0o644);
        }
        _ => {}
    }
    f
}

fn create_runtime(cluster: &mut Cluster, pod: &Pod, node: &str) {
    let key = ObjKey::new(
        Kind::Pod,
        pod.metadata.namespace.as_deref().unwrap_or(""),
        pod.metadata.name.as_deref().unwrap_or(""),
    );
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    // The token once drawn here now comes from volumes::projection; the draw stays so that a
    // seed replays the same names and IPs as before.
    cluster.skip_random_suffix(32);
    let containers = spec
        .containers
        .iter()
        .map(|c| {
            let image = image_ref(cluster, c.image.as_deref());
            let image_info = image.as_deref().and_then(images::lookup);
            let program = match &image_info {
                Some(info) => images::program_for(
                    info,
                    c.command.as_deref().unwrap_or(&[]),
                    c.args.as_deref().unwrap_or(&[]),
                ),
                None => Program::Script(vec![Step::Exit(0)]),
            };
            let app = match program {
                Program::Server(a) => Some(a),
                _ => None,
            };
            let mounts = c.volume_mounts.as_deref().unwrap_or(&[]);
            let files =
                base_fs(cluster, &key.name, &key.namespace, image_info.as_ref(), app, mounts);
            ContainerRt {
                name: c.name.clone(),
                spec: c.clone(),
                image,
                image_info,
                program,
                state: CState::Waiting {
                    reason: "ContainerCreating".into(),
                    message: String::new(),
                },
                last_state: None,
                restart_count: 0,
                ready: false,
                started: false,
                run_id: 0,
                container_id: String::new(),
                backoff: None,
                pull_backoff: None,
                pull_started_ms: 0,
                probes: BTreeMap::new(),
                requests_served: 0,
                logs: Vec::new(),
                previous_logs: Vec::new(),
                killing: None,
                script: Vec::new(),
                fs: files,
                service_env: Rc::default(),
                env: Vec::new(),
            }
        })
        .collect();
    let prt = PodRuntime {
        key: key.clone(),
        uid: uid.clone(),
        node: node.to_string(),
        pod_ip: None,
        sandbox_ready_ms: None,
        containers,
        terminating: false,
        restart_policy: spec.restart_policy.clone().unwrap_or_else(|| "Always".into()),
        relist_pending: false,
    };
    cluster.kubelet.by_key.insert(key, uid.clone());
    cluster.kubelet.pods.insert(uid, prt);
}

/// Mounts the pod's volumes, then brings the sandbox up; a volume that cannot be set up holds the
/// pod in ContainerCreating, retried as the kubelet's volume manager does.
fn mount_volumes(cluster: &mut Cluster, prt: &mut PodRuntime) {
    let Some(shared) = cluster.store.get_shared(&prt.key) else { return };
    let Some(pod) = shared.as_kind::<Pod>() else { return };
    match crate::volumes::mount_pod(cluster, prt, pod) {
        Ok(()) => schedule(cluster, &prt.uid, SANDBOX_MS, Action::SandboxReady),
        Err(errors) => {
            crate::volumes::report_mount_errors(cluster, &shared, &prt.node, &errors);
            schedule(cluster, &prt.uid, crate::volumes::MOUNT_RETRY_MS, Action::MountVolumes);
        }
    }
}

fn drop_runtime(cluster: &mut Cluster, uid: &str) {
    crate::volumes::unmount_pod(cluster, uid);
    if let Some(prt) = cluster.kubelet.pods.remove(uid) {
        if cluster.kubelet.by_key.get(&prt.key).map(String::as_str) == Some(uid) {
            cluster.kubelet.by_key.remove(&prt.key);
        }
        if let (Some(ip), Some(node)) = (prt.pod_ip, cluster.kubelet.nodes.get_mut(&prt.node)) {
            node.ips_in_use.remove(&ip);
        }
    }
}

fn allocate_ip(cluster: &mut Cluster, node: &str) -> Option<String> {
    let n = cluster.kubelet.nodes.get_mut(node)?;
    for _ in 0..254 {
        let host = n.next_ip;
        n.next_ip = if n.next_ip >= 254 { 2 } else { n.next_ip + 1 };
        let mut ip = String::with_capacity(n.cidr_prefix.len() + 4);
        ip.push_str(&n.cidr_prefix);
        ip.push('.');
        push_u64(&mut ip, u64::from(host));
        if n.ips_in_use.insert(ip.clone()) {
            return Some(ip);
        }
    }
    None
}

fn node_internal_ip(cluster: &Cluster, node: &str) -> Option<String> {
    let node = cluster.store.get_typed::<k8s_openapi::api::core::v1::Node>("", node)?;
    internal_ip(node).map(str::to_string)
}

fn internal_ip(node: &k8s_openapi::api::core::v1::Node) -> Option<&str> {
    let addresses = node.status.as_ref()?.addresses.as_ref()?;
    addresses.iter().find(|a| a.type_ == "InternalIP").map(|a| a.address.as_str())
}

fn sandbox_ready(cluster: &mut Cluster, prt: &mut PodRuntime) {
    if prt.sandbox_ready_ms.is_some() || prt.terminating {
        return;
    }
    let now = cluster.now_ms();
    let host_network = cluster
        .store
        .get_typed::<Pod>(&prt.key.namespace, &prt.key.name)
        .and_then(|p| p.spec.as_ref())
        .and_then(|s| s.host_network)
        .unwrap_or(false);
    prt.pod_ip = if host_network {
        node_internal_ip(cluster, &prt.node)
    } else {
        allocate_ip(cluster, &prt.node)
    };
    prt.sandbox_ready_ms = Some(now);
    if !prt.containers.is_empty() {
        begin_pull(cluster, prt, 0);
    }
}

fn begin_termination(cluster: &mut Cluster, prt: &mut PodRuntime, pod: &Pod) {
    prt.terminating = true;
    let grace_s = pod
        .metadata
        .deletion_grace_period_seconds
        .or_else(|| pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
        .unwrap_or(30)
        .max(0) as u64;
    for ci in 0..prt.containers.len() {
        match prt.containers[ci].state {
            CState::Running { .. } => kill(cluster, prt, ci, KillReason::PodDeletion, grace_s),
            CState::Waiting { .. } => {
                prt.containers[ci].run_id += 1;
            }
            CState::Terminated { .. } => {}
        }
    }
}

/// Writes the status of a pod taken out of the runtime and puts it back under `uid`, its key
/// there (handed back, not copied), or removes a terminated pod.
fn finish_if_done(cluster: &mut Cluster, uid: String, prt: PodRuntime) {
    let all_stopped = prt.containers.iter().all(|c| !matches!(c.state, CState::Running { .. }));
    if prt.terminating && all_stopped {
        let key = prt.key.clone();
        cluster.kubelet.pods.insert(uid.clone(), prt);
        drop_runtime(cluster, &uid);
        let _ = cluster.remove(&key);
        return;
    }
    sync_status(cluster, &prt);
    cluster.kubelet.pods.insert(uid, prt);
}

fn apply_image_updates(cluster: &mut Cluster, prt: &mut PodRuntime, pod: &Pod) {
    let Some(spec) = pod.spec.as_ref() else { return };
    for (ci, c) in spec.containers.iter().enumerate() {
        let Some(rt) = prt.containers.get(ci) else { continue };
        if rt.spec.image != c.image {
            let image = image_ref(cluster, c.image.as_deref());
            let info = image.as_deref().and_then(images::lookup);
            let rt = &mut prt.containers[ci];
            rt.spec.image = c.image.clone();
            rt.spec.image_pull_policy = c.image_pull_policy.clone();
            rt.image = image;
            if let Some(i) = &info {
                rt.program = images::program_for(
                    i,
                    c.command.as_deref().unwrap_or(&[]),
                    c.args.as_deref().unwrap_or(&[]),
                );
            }
            rt.image_info = info;
            let message = format!("Container {} definition changed, will be restarted", c.name);
            container_event(cluster, prt, ci, "Normal", "Killing", message);
            let grace = spec.termination_grace_period_seconds.unwrap_or(30).max(0) as u64;
            if matches!(prt.containers[ci].state, CState::Running { .. }) {
                kill(cluster, prt, ci, KillReason::Liveness, grace);
            } else {
                begin_pull(cluster, prt, ci);
            }
        }
    }
}

// ---- images ---------------------------------------------------------------------------------

/// The parse of an image name, kept for the next pod that names it.
fn image_ref(cluster: &mut Cluster, name: Option<&str>) -> Option<Rc<images::ImageRef>> {
    let name = name?;
    let refs = &mut cluster.kubelet.image_refs;
    if let Some(parsed) = refs.get(name) {
        return parsed.clone();
    }
    let parsed = images::parse_image(name).map(Rc::new);
    if refs.len() < super::MAX_IMAGE_REFS {
        refs.insert(name.to_string(), parsed.clone());
    }
    parsed
}

fn begin_pull(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    let now = cluster.now_ms();
    let c = &prt.containers[ci];
    let spec_image = c.spec.image.clone().unwrap_or_default();
    let Some(image) = c.image.clone() else {
        let message = format!(
            "Failed to apply default image tag \"{spec_image}\": couldn't parse image name \"{spec_image}\": invalid reference format"
        );
        prt.containers[ci].state =
            CState::Waiting { reason: "InvalidImageName".into(), message: message.clone() };
        container_event(cluster, prt, ci, "Warning", "InspectFailed", message);
        container_event(cluster, prt, ci, "Warning", "Failed", "Error: InvalidImageName".into());
        return;
    };
    let policy = c.spec.image_pull_policy.clone().unwrap_or_else(|| "IfNotPresent".into());
    let present =
        cluster.kubelet.nodes.get(&prt.node).is_some_and(|n| n.images.contains(image.full()));
    // A restart keeps showing the last run's state (or CrashLoopBackOff) until the new container
    // runs: the kubelet reports a status at the start of the sync that pulls and starts it.
    if prt.containers[ci].container_id.is_empty() {
        prt.containers[ci].state =
            CState::Waiting { reason: "ContainerCreating".into(), message: String::new() };
    }
    if present && policy != "Always" {
        let message = ["Container image \"", &spec_image, "\" already present on machine"].concat();
        container_event(cluster, prt, ci, "Normal", "Pulled", message);
        schedule(cluster, &prt.uid, CREATE_MS, Action::Start(ci));
        return;
    }
    if !present && policy == "Never" {
        let message =
            format!("Container image \"{spec_image}\" is not present with pull policy of Never");
        prt.containers[ci].state =
            CState::Waiting { reason: "ErrImageNeverPull".into(), message: message.clone() };
        container_event(cluster, prt, ci, "Warning", "ErrImageNeverPull", message);
        container_event(cluster, prt, ci, "Warning", "Failed", "Error: ErrImageNeverPull".into());
        return;
    }
    container_event(
        cluster,
        prt,
        ci,
        "Normal",
        "Pulling",
        ["Pulling image \"", &spec_image, "\""].concat(),
    );
    prt.containers[ci].pull_started_ms = now;
    let size = prt.containers[ci].image_info.as_ref().map(|i| i.size_bytes).unwrap_or(0);
    let base_ms = if present { 300 } else { 500 + size / 60_000 };
    let jitter = cluster.rng.below(base_ms / 4 + 1);
    schedule(cluster, &prt.uid, base_ms + jitter, Action::PullDone(ci));
}

fn pull_done(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    if prt.terminating {
        return;
    }
    let c = &prt.containers[ci];
    let spec_image = c.spec.image.clone().unwrap_or_default();
    let Some(image) = c.image.clone() else { return };
    // A private repository answers only to the pod's imagePullSecrets.
    let denied = images::is_private(&image) && !crate::volumes::pull_secret_for(cluster, &prt.key);
    let info = c.image_info.clone().filter(|_| !denied);
    let Some(info) = info else {
        let reference = image.full();
        let known_repo =
            images::lookup(&images::ImageRef::new(&image.registry, &image.repository, "latest"))
                .is_some();
        let detail = if known_repo && !denied {
            format!(
                "failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
            )
        } else {
            format!(
                "failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
            )
        };
        let message = format!(
            "Failed to pull image \"{spec_image}\": rpc error: code = NotFound desc = {detail} (kubeplay's registry has: {})",
            images::catalog_summary()
        );
        let now = cluster.now_ms();
        let c = &mut prt.containers[ci];
        c.pull_backoff = Some(next_backoff(c.pull_backoff, now));
        c.state = CState::Waiting {
            reason: "ErrImagePull".into(),
            message: format!("rpc error: code = NotFound desc = {detail}"),
        };
        container_event(cluster, prt, ci, "Warning", "Failed", message);
        container_event(cluster, prt, ci, "Warning", "Failed", "Error: ErrImagePull".into());
        schedule(cluster, &prt.uid, 1_000, Action::EnterPullBackOff(ci));
        return;
    };
    let now = cluster.now_ms();
    let pulled_ms = now.saturating_sub(prt.containers[ci].pull_started_ms).max(1);
    if let Some(n) = cluster.kubelet.nodes.get_mut(&prt.node)
        && !n.images.contains(image.full())
    {
        n.images.insert(image.full().to_string());
    }
    let d = go_duration(pulled_ms);
    let mut size = String::with_capacity(20);
    push_u64(&mut size, info.size_bytes);
    let message = [
        "Successfully pulled image \"",
        &spec_image,
        "\" in ",
        &d,
        " (",
        &d,
        " including waiting). Image size: ",
        &size,
        " bytes.",
    ]
    .concat();
    container_event(cluster, prt, ci, "Normal", "Pulled", message);
    prt.containers[ci].pull_backoff = None;
    schedule(cluster, &prt.uid, CREATE_MS, Action::Start(ci));
}

fn enter_pull_backoff(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    if prt.terminating {
        return;
    }
    let spec_image = prt.containers[ci].spec.image.clone().unwrap_or_default();
    let c = &mut prt.containers[ci];
    let CState::Waiting { reason, message } = &c.state else { return };
    if reason != "ErrImagePull" {
        return;
    }
    let err = message.clone();
    c.state = CState::Waiting {
        reason: "ImagePullBackOff".into(),
        message: format!("Back-off pulling image \"{spec_image}\": ErrImagePull: {err}"),
    };
    let (delay, updated) = c.pull_backoff.unwrap_or((BACKOFF_INITIAL_MS, cluster.now_ms()));
    container_event(
        cluster,
        prt,
        ci,
        "Normal",
        "BackOff",
        format!("Back-off pulling image \"{spec_image}\""),
    );
    container_event(cluster, prt, ci, "Warning", "Failed", "Error: ImagePullBackOff".into());
    schedule_at(cluster, &prt.uid, updated + delay, Action::PullRetry(ci));
}

// ---- running ----------------------------------------------------------------------------------

fn next_backoff(current: Option<(Millis, Millis)>, now: Millis) -> (Millis, Millis) {
    match current {
        Some((delay, updated)) if now.saturating_sub(updated) <= 2 * BACKOFF_MAX_MS => {
            ((delay * 2).min(BACKOFF_MAX_MS), now)
        }
        _ => (BACKOFF_INITIAL_MS, now),
    }
}

fn log(c: &mut ContainerRt, at_ms: Millis, text: String) {
    if c.logs.len() >= MAX_LOG_LINES {
        c.logs.remove(0);
    }
    c.logs.push(LogLine { at_ms, text });
}

/// `date` as busybox and coreutils print it: `Mon Mar  2 09:00:05 UTC 2026`.
pub fn unix_date(ms: Millis) -> String {
    k8s_openapi::jiff::fmt::strtime::format("%a %b %e %H:%M:%S UTC %Y", time::instant(ms as i64))
        .unwrap_or_default()
}

/// A container made after an earlier one of the same name is a restart. Its count is the
/// earlier one's plus one (the kubelet keeps it on each container), so a container waiting in
/// back-off still shows the count of the run that crashed; the run that ended becomes its last
/// state (one restarted at once showed it as its state until now).
fn counts_restart(c: &mut ContainerRt) {
    if !c.container_id.is_empty() {
        c.restart_count += 1;
        if matches!(c.state, CState::Terminated { .. }) {
            c.last_state = Some(c.state.clone());
        }
    }
}

fn start_container(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    if prt.terminating {
        return;
    }
    let now = cluster.now_ms();
    let id = hex64(cluster);
    let name = prt.containers[ci].name.clone();
    if let Program::NotFound(exe) = prt.containers[ci].program.clone() {
        let message = format!(
            "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"{exe}\": executable file not found in $PATH: unknown"
        );
        container_event(
            cluster,
            prt,
            ci,
            "Normal",
            "Created",
            format!("Created container: {name}"),
        );
        container_event(cluster, prt, ci, "Warning", "Failed", format!("Error: {message}"));
        let c = &mut prt.containers[ci];
        c.run_id += 1;
        counts_restart(c);
        c.container_id = format!("containerd://{id}");
        c.state = CState::Running { started_ms: now };
        container_exited(cluster, prt, ci, 128, "StartError", message);
        return;
    }
    // The environment is resolved when the container is created; a missing ConfigMap or key
    // stops it here (CreateContainerConfigError), retried at the kubelet's next sync.
    let spec = &prt.containers[ci].spec;
    let resolved = match cluster.store.get_typed::<Pod>(&prt.key.namespace, &prt.key.name) {
        Some(p) => crate::volumes::env::resolve(cluster, p, spec, prt.pod_ip.as_deref()),
        None => Ok(Vec::new()),
    };
    let env = match resolved {
        Ok(env) => env,
        Err(message) => {
            let first = !matches!(&prt.containers[ci].state, CState::Waiting { reason, .. } if reason == "CreateContainerConfigError");
            container_event(cluster, prt, ci, "Warning", "Failed", format!("Error: {message}"));
            prt.containers[ci].state =
                CState::Waiting { reason: "CreateContainerConfigError".into(), message };
            schedule(cluster, &prt.uid, crate::volumes::CONFIG_ERROR_RETRY_MS, Action::Start(ci));
            if first {
                start_next(cluster, prt, ci);
            }
            return;
        }
    };
    if let Some(info) = prt.containers[ci].image_info.clone() {
        // `$(VAR)` in command and args expands from the container's own variables.
        let expand = |v: &Option<Vec<String>>| -> Vec<String> {
            v.iter().flatten().map(|s| crate::volumes::env::expand(s, &env)).collect()
        };
        let (command, mut args) = (expand(&spec.command), expand(&spec.args));
        // luksa/fortune:env's script reads its interval from $INTERVAL (no default).
        let env_image = prt.containers[ci]
            .image
            .as_ref()
            .is_some_and(|i| i.repository.ends_with("luksa/fortune") && i.tag == "env");
        if env_image && command.is_empty() && args.is_empty() {
            args.extend(
                env.iter()
                    .find(|(k, v)| k == "INTERVAL" && v.parse::<u64>().is_ok())
                    .map(|(_, v)| v.clone()),
            );
        }
        prt.containers[ci].program = images::program_for(&info, &command, &args);
    }
    prt.containers[ci].env = env;
    // Every start sends these two: concat is a third of the instructions of format!.
    container_event(cluster, prt, ci, "Normal", "Created", ["Created container: ", &name].concat());
    container_event(cluster, prt, ci, "Normal", "Started", ["Started container ", &name].concat());
    // Service variables come from the services that exist when the container starts.
    let links = cluster
        .store
        .get_typed::<Pod>(&prt.key.namespace, &prt.key.name)
        .and_then(|p| p.spec.as_ref())
        .and_then(|s| s.enable_service_links)
        .unwrap_or(true);
    let service_env = crate::network::env::service_env_shared(cluster, &prt.key.namespace, links);
    let c = &mut prt.containers[ci];
    c.service_env = service_env;
    c.run_id += 1;
    counts_restart(c);
    c.container_id = ["containerd://", &id].concat();
    c.state = CState::Running { started_ms: now };
    c.killing = None;
    c.requests_served = 0;
    c.previous_logs = std::mem::take(&mut c.logs);
    c.probes.clear();
    let has_readiness = c.spec.readiness_probe.is_some();
    let has_startup = c.spec.startup_probe.is_some();
    c.started = !has_startup;
    c.ready = !has_readiness && !has_startup;
    let run = c.run_id;
    match c.program.clone() {
        Program::Server(app) => {
            for line in apps::start_log(app) {
                log(c, now, line);
            }
        }
        Program::Script(steps) => {
            c.script = steps;
            schedule(cluster, &prt.uid, 0, Action::ScriptStep(ci, run));
        }
        Program::NotFound(_) => {}
    }
    let spec = &prt.containers[ci].spec;
    for (kind, probe) in [
        (ProbeKind::Startup, &spec.startup_probe),
        (ProbeKind::Liveness, &spec.liveness_probe),
        (ProbeKind::Readiness, &spec.readiness_probe),
    ] {
        if let Some(p) = probe {
            let delay = p.initial_delay_seconds.unwrap_or(0).max(0) as u64 * 1000;
            schedule(cluster, &prt.uid, delay, Action::Probe(ci, run, kind));
        }
    }
    start_next(cluster, prt, ci);
}

/// Containers start in order: the next one's pull begins once `ci` has been started.
fn start_next(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    if ci + 1 < prt.containers.len()
        && matches!(&prt.containers[ci + 1].state, CState::Waiting { reason, .. } if reason == "ContainerCreating")
        && prt.containers[ci + 1].run_id == 0
    {
        begin_pull(cluster, prt, ci + 1);
    }
}

fn run_script(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    let now = cluster.now_ms();
    // A script that only echoes in a loop would spin forever without time passing: cap it.
    for _ in 0..1_000 {
        let c = &mut prt.containers[ci];
        if c.script.is_empty() {
            container_exited(cluster, prt, ci, 0, "Completed", String::new());
            return;
        }
        let step = c.script.remove(0);
        match step {
            Step::Echo(text) => {
                let line = text.replace("{date}", &unix_date(now));
                log(c, now, line);
            }
            Step::Sleep(None) => return,
            Step::Sleep(Some(ms)) => {
                let run = c.run_id;
                schedule(cluster, &prt.uid, ms, Action::ScriptStep(ci, run));
                return;
            }
            Step::Exit(code) => {
                let reason = if code == 0 { "Completed" } else { "Error" };
                container_exited(cluster, prt, ci, code, reason, String::new());
                return;
            }
            Step::WriteFortune(path) => {
                let n = cluster.rng.below(FORTUNES.len() as u64) as usize;
                let c = &mut prt.containers[ci];
                c.fs.mkdir_p(path.rsplit_once('/').map(|(d, _)| d).unwrap_or("/"));
                let _ = c.fs.write(&path, FORTUNES[n], false);
                crate::volumes::sync_from(cluster, prt, ci);
            }
            Step::Loop(body) => {
                let mut next = body.clone();
                next.push(Step::Loop(body));
                next.append(&mut c.script);
                c.script = next;
            }
        }
    }
}

const FORTUNES: &[&str] = &[
    "A journey of a thousand miles begins with a single step.\n",
    "You will be hungry again in one hour.\n",
    "Today is the first day of the rest of your life.\n",
    "Beware of low-flying butterflies.\n",
    "Your lucky number has been disconnected.\n",
];

fn container_exited(
    cluster: &mut Cluster,
    prt: &mut PodRuntime,
    ci: usize,
    exit_code: i32,
    reason: &str,
    message: String,
) {
    let now = cluster.now_ms();
    let c = &mut prt.containers[ci];
    let started_ms = match c.state {
        CState::Running { started_ms } => started_ms,
        _ => now,
    };
    c.state = CState::Terminated {
        exit_code,
        reason: reason.into(),
        message,
        started_ms,
        finished_ms: now,
        container_id: c.container_id.clone(),
    };
    c.ready = false;
    c.killing = None;
    c.run_id += 1;
    c.script.clear();
    if prt.terminating {
        return;
    }
    let restart = match prt.restart_policy.as_str() {
        "Never" => false,
        "OnFailure" => exit_code != 0,
        _ => true,
    };
    if !restart {
        return;
    }
    let c = &mut prt.containers[ci];
    // doBackOff: inside the window the container waits in CrashLoopBackOff.
    let in_backoff = match c.backoff {
        Some((delay, updated)) if now.saturating_sub(updated) <= 2 * BACKOFF_MAX_MS => {
            now.saturating_sub(now) < delay
        }
        _ => false,
    };
    if in_backoff {
        // The status of this sync was made before it found the back-off: the container shows as
        // ended (Error) until the next sync shows CrashLoopBackOff.
        backed_off(cluster, prt, ci);
    } else {
        c.backoff = Some(next_backoff(c.backoff, now));
        begin_pull(cluster, prt, ci);
    }
}

/// A sync finds the container inside its restart back-off: the kubelet records a BackOff event,
/// and the pod worker, whose sync failed, tries again in 10 to 15 s.
fn backed_off(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    let pod_desc = format!("{}_{}({})", prt.key.name, prt.key.namespace, prt.uid);
    let message = format!(
        "Back-off restarting failed container {} in pod {pod_desc}",
        prt.containers[ci].name
    );
    container_event(cluster, prt, ci, "Warning", "BackOff", message);
    let retry_ms = SYNC_RETRY_MS + cluster.rng.below(SYNC_RETRY_MS / 2);
    schedule(cluster, &prt.uid, retry_ms, Action::BackoffSync(ci));
}

/// The pod worker's retry: still inside the back-off (counted from when the container exited),
/// or restart. The restart thus waits for the first retry after the back-off ends.
fn backoff_sync(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    let now = cluster.now_ms();
    let c = &mut prt.containers[ci];
    if matches!(c.state, CState::Terminated { .. }) {
        // This sync's status shows what the last one found: the container waits in back-off,
        // the run that ended as its last state.
        let delay = c.backoff.map_or(BACKOFF_INITIAL_MS, |(delay, _)| delay);
        let pod_desc = format!("{}_{}({})", prt.key.name, prt.key.namespace, prt.uid);
        let message = format!(
            "back-off {} restarting failed container={} pod={pod_desc}",
            go_duration(delay),
            c.name
        );
        c.last_state = Some(std::mem::replace(
            &mut c.state,
            CState::Waiting { reason: "CrashLoopBackOff".into(), message },
        ));
    }
    let exited_ms = match &c.last_state {
        Some(CState::Terminated { finished_ms, .. }) => *finished_ms,
        _ => now,
    };
    let delay = c.backoff.map_or(BACKOFF_INITIAL_MS, |(delay, _)| delay);
    if now.saturating_sub(exited_ms) < delay {
        backed_off(cluster, prt, ci);
        return;
    }
    c.backoff = Some(next_backoff(c.backoff, now));
    begin_pull(cluster, prt, ci);
}

fn kill(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize, reason: KillReason, grace_s: u64) {
    let c = &prt.containers[ci];
    if c.killing.is_some() || !matches!(c.state, CState::Running { .. }) {
        return;
    }
    let name = c.name.clone();
    if reason == KillReason::PodDeletion {
        container_event(
            cluster,
            prt,
            ci,
            "Normal",
            "Killing",
            ["Stopping container ", &name].concat(),
        );
    }
    let c = &mut prt.containers[ci];
    c.killing = Some(reason);
    let run = c.run_id;
    let handles = match c.program {
        Program::Server(app) => app.handles_sigterm(),
        _ => false,
    };
    let delay = if handles { 200 } else { grace_s * 1000 };
    schedule(cluster, &prt.uid, delay, Action::KillDone(ci, run));
}

fn kill_done(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize) {
    let c = &prt.containers[ci];
    let handles = match c.program {
        Program::Server(app) => app.handles_sigterm(),
        _ => false,
    };
    let (code, reason) = if handles { (0, "Completed") } else { (137, "Error") };
    container_exited(cluster, prt, ci, code, reason, String::new());
}

// ---- probes -----------------------------------------------------------------------------------

/// Result of one probe.
enum ProbeResult {
    Success,
    Failure(String),
}

fn resolve_port(prt: &PodRuntime, port: &IntOrString) -> Option<i32> {
    match port {
        IntOrString::Int(p) => Some(*p),
        IntOrString::String(name) => prt
            .containers
            .iter()
            .flat_map(|c| c.spec.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port),
    }
}

/// The container of the pod that listens on `port`, if its process is up.
pub fn listener(prt: &PodRuntime, port: i32) -> Option<usize> {
    prt.containers.iter().position(|c| {
        matches!(c.state, CState::Running { .. })
            && matches!(c.program, Program::Server(app) if i32::from(app.port()) == port)
    })
}

/// Sends an HTTP GET to the pod; the serving container counts and logs it.
pub fn http_get(
    prt: &mut PodRuntime,
    port: i32,
    path: &str,
    client_ip: &str,
    user_agent: &str,
    now: Millis,
) -> Result<apps::HttpResponse, String> {
    let ip = prt.pod_ip.clone().unwrap_or_default();
    let Some(ci) = listener(prt, port) else {
        return Err(format!("dial tcp {ip}:{port}: connect: connection refused"));
    };
    let hostname = prt.key.name.clone();
    let c = &mut prt.containers[ci];
    let Program::Server(app) = c.program else {
        return Err(format!("dial tcp {ip}:{port}: connect: connection refused"));
    };
    if !app.is_http() {
        return Err(
            "net/http: HTTP/1.x transport connection broken: malformed HTTP response".into()
        );
    }
    let fs_snapshot = c.fs.clone();
    let read = move |p: &str| fs_snapshot.read(p).ok().map(str::to_string);
    let response = apps::serve(app, c.requests_served, &hostname, path, &read);
    c.requests_served += 1;
    let date = k8s_openapi::jiff::fmt::strtime::format(
        "%d/%b/%Y:%H:%M:%S +0000",
        time::instant(now as i64),
    )
    .unwrap_or_default();
    if let Some(line) = apps::request_log(app, client_ip, path, response.status, user_agent, &date)
    {
        log(c, now, line);
    }
    Ok(response)
}

fn execute_probe(
    cluster: &mut Cluster,
    prt: &mut PodRuntime,
    ci: usize,
    kind: ProbeKind,
) -> ProbeResult {
    let spec = &prt.containers[ci].spec;
    let probe = match kind {
        ProbeKind::Liveness => spec.liveness_probe.clone(),
        ProbeKind::Readiness => spec.readiness_probe.clone(),
        ProbeKind::Startup => spec.startup_probe.clone(),
    };
    let Some(probe) = probe else { return ProbeResult::Success };
    let now = cluster.now_ms();
    let ip = prt.pod_ip.clone().unwrap_or_default();
    let client = cluster
        .kubelet
        .nodes
        .get(&prt.node)
        .map(|n| format!("{}.1", n.cidr_prefix))
        .unwrap_or_default();
    if let Some(h) = &probe.http_get {
        let Some(port) = resolve_port(prt, &h.port) else {
            return ProbeResult::Failure(format!(
                "strconv.Atoi: parsing {:?}: invalid syntax",
                match &h.port {
                    IntOrString::String(s) => s.clone(),
                    IntOrString::Int(i) => i.to_string(),
                }
            ));
        };
        let path = h.path.clone().unwrap_or_else(|| "/".into());
        let scheme = h.scheme.clone().unwrap_or_else(|| "HTTP".into()).to_lowercase();
        return match http_get(prt, port, &path, &client, KUBELET_USER_AGENT, now) {
            Ok(r) if (200..400).contains(&r.status) => ProbeResult::Success,
            Ok(r) => {
                ProbeResult::Failure(format!("HTTP probe failed with statuscode: {}", r.status))
            }
            Err(e) => ProbeResult::Failure(format!("Get \"{scheme}://{ip}:{port}{path}\": {e}")),
        };
    }
    if let Some(t) = &probe.tcp_socket {
        let Some(port) = resolve_port(prt, &t.port) else {
            return ProbeResult::Failure("invalid port".into());
        };
        return match listener(prt, port) {
            Some(_) => ProbeResult::Success,
            None => {
                ProbeResult::Failure(format!("dial tcp {ip}:{port}: connect: connection refused"))
            }
        };
    }
    if let Some(e) = &probe.exec {
        let argv = e.command.clone().unwrap_or_default();
        let out = shell::exec_in_container(prt, ci, &argv, now);
        return if out.exit_code == 0 {
            ProbeResult::Success
        } else {
            let text = format!("{}{}", out.stdout, out.stderr);
            ProbeResult::Failure(text.trim_end().to_string())
        };
    }
    ProbeResult::Success
}

fn run_probe(cluster: &mut Cluster, prt: &mut PodRuntime, ci: usize, kind: ProbeKind) {
    let c = &prt.containers[ci];
    if c.killing.is_some() || prt.terminating || !matches!(c.state, CState::Running { .. }) {
        return;
    }
    // Liveness and readiness wait for the startup probe.
    if kind != ProbeKind::Startup && !c.started {
        let period = probe_spec(c, kind).and_then(|p| p.period_seconds).unwrap_or(10).max(1) as u64;
        let run = c.run_id;
        schedule(cluster, &prt.uid, period * 1000, Action::Probe(ci, run, kind));
        return;
    }
    let Some(spec) = probe_spec(c, kind).cloned() else { return };
    let result = execute_probe(cluster, prt, ci, kind);
    let c = &mut prt.containers[ci];
    let counter = c.probes.entry(kind).or_default();
    let success_threshold = spec.success_threshold.unwrap_or(1).max(1);
    let failure_threshold = spec.failure_threshold.unwrap_or(3).max(1);
    let mut failure_message = None;
    match result {
        ProbeResult::Success => {
            counter.successes += 1;
            counter.failures = 0;
        }
        ProbeResult::Failure(msg) => {
            counter.failures += 1;
            counter.successes = 0;
            failure_message = Some(msg);
        }
    }
    let (successes, failures) = (counter.successes, counter.failures);
    let run = c.run_id;
    if let Some(msg) = failure_message {
        container_event(
            cluster,
            prt,
            ci,
            "Warning",
            "Unhealthy",
            format!("{} probe failed: {msg}", kind.title()),
        );
    }
    let c = &mut prt.containers[ci];
    match kind {
        ProbeKind::Readiness => {
            if successes >= success_threshold {
                c.ready = true;
            } else if failures >= failure_threshold {
                c.ready = false;
            }
        }
        ProbeKind::Startup => {
            if successes >= 1 {
                c.started = true;
                if c.spec.readiness_probe.is_none() {
                    c.ready = true;
                }
                return; // The startup probe stops once it succeeded.
            }
            if failures >= failure_threshold {
                let name = c.name.clone();
                container_event(
                    cluster,
                    prt,
                    ci,
                    "Normal",
                    "Killing",
                    format!("Container {name} failed startup probe, will be restarted"),
                );
                let grace = spec.termination_grace_period_seconds.unwrap_or(30).max(0) as u64;
                kill(cluster, prt, ci, KillReason::Liveness, grace);
                return;
            }
        }
        ProbeKind::Liveness => {
            if failures >= failure_threshold {
                let name = c.name.clone();
                container_event(
                    cluster,
                    prt,
                    ci,
                    "Normal",
                    "Killing",
                    format!("Container {name} failed liveness probe, will be restarted"),
                );
                let grace = spec.termination_grace_period_seconds.unwrap_or(30).max(0) as u64;
                kill(cluster, prt, ci, KillReason::Liveness, grace);
                return;
            }
        }
    }
    let period = spec.period_seconds.unwrap_or(10).max(1) as u64;
    schedule(cluster, &prt.uid, period * 1000, Action::Probe(ci, run, kind));
}

fn probe_spec(c: &ContainerRt, kind: ProbeKind) -> Option<&k8s_openapi::api::core::v1::Probe> {
    match kind {
        ProbeKind::Liveness => c.spec.liveness_probe.as_ref(),
        ProbeKind::Readiness => c.spec.readiness_probe.as_ref(),
        ProbeKind::Startup => c.spec.startup_probe.as_ref(),
    }
}

// ---- status -----------------------------------------------------------------------------------

/// Assigns `value` where it differs; whether it did.
fn set_if_changed<T: PartialEq>(slot: &mut T, value: T) -> bool {
    if *slot == value {
        return false;
    }
    *slot = value;
    true
}

/// [`set_if_changed`] for a string, reusing its buffer.
fn set_str(slot: &mut String, value: &str) -> bool {
    if slot == value {
        return false;
    }
    if slot.capacity() < value.len() {
        // A buffer of the right size at once: growing would go through realloc's copy.
        *slot = value.to_string();
    } else {
        slot.clear();
        slot.push_str(value);
    }
    true
}

/// [`set_str`] for an optional string.
fn set_opt_str(slot: &mut Option<String>, value: Option<&str>) -> bool {
    match (slot.as_mut(), value) {
        (Some(s), Some(v)) => set_str(s, v),
        (None, None) => false,
        (_, v) => {
            *slot = v.map(str::to_string);
            true
        }
    }
}

/// [`set_opt_str`] for a value given in pieces, compared without joining them first.
fn set_opt_concat<'a>(
    slot: &mut Option<String>,
    pieces: Option<impl Iterator<Item = &'a str> + Clone>,
) -> bool {
    let Some(pieces) = pieces else { return clear(slot) };
    if let Some(s) = slot.as_deref() {
        let mut rest = s;
        let same = pieces.clone().all(|p| match rest.strip_prefix(p) {
            Some(r) => {
                rest = r;
                true
            }
            None => false,
        });
        if same && rest.is_empty() {
            return false;
        }
    }
    let s = slot.get_or_insert_default();
    s.clear();
    s.reserve(pieces.clone().map(str::len).sum());
    s.extend(pieces);
    true
}

/// A condition without a message.
const NO_MESSAGE: Option<std::iter::Empty<&str>> = None;

/// Empties `slot`; whether it held something.
fn clear<T>(slot: &mut Option<T>) -> bool {
    // Not `take()`: that moves the value out, large ones too, only to drop it.
    if slot.is_none() {
        return false;
    }
    *slot = None;
    true
}

/// Patches the value in `slot`, a default one if there is none; whether anything changed.
fn patch_some<T: Default>(slot: &mut Option<T>, patch: impl FnOnce(&mut T) -> bool) -> bool {
    let inserted = slot.is_none();
    patch(slot.get_or_insert_default()) | inserted
}

/// Makes `list` as long as `from` and patches each item from its counterpart.
fn patch_list<T: Default, U>(
    list: &mut Vec<T>,
    from: &[U],
    mut patch: impl FnMut(&mut T, &U) -> bool,
) -> bool {
    let mut changed = list.len() != from.len();
    list.truncate(from.len());
    // Exactly: large items, and glibc consolidates before every allocation of 1 KB or more.
    list.reserve_exact(from.len() - list.len());
    list.resize_with(from.len(), T::default);
    for (item, source) in list.iter_mut().zip(from) {
        changed |= patch(item, source);
    }
    changed
}

/// A list of one IP (`hostIPs`, `podIPs`), or none.
fn set_ips<T: Default>(
    list: &mut Option<Vec<T>>,
    ip: Option<&str>,
    field: fn(&mut T) -> &mut String,
) -> bool {
    match ip {
        None => clear(list),
        Some(ip) => patch_some(list, |l| patch_list(l, &[ip], |item, ip| set_str(field(item), ip))),
    }
}

fn set_container_state(slot: &mut ContainerState, state: Option<&CState>) -> bool {
    let ContainerState { waiting, running, terminated } = slot;
    match state {
        None => clear(waiting) | clear(running) | clear(terminated),
        Some(CState::Waiting { reason, message }) => {
            let set = |w: &mut ContainerStateWaiting| {
                set_opt_str(&mut w.reason, Some(reason.as_str()))
                    | set_opt_str(&mut w.message, (!message.is_empty()).then_some(message.as_str()))
            };
            patch_some(waiting, set) | clear(running) | clear(terminated)
        }
        Some(CState::Running { started_ms }) => {
            let started_at = Some(time::time(*started_ms as i64));
            set_if_changed(running, Some(ContainerStateRunning { started_at }))
                | clear(waiting)
                | clear(terminated)
        }
        Some(CState::Terminated {
            exit_code,
            reason,
            message,
            started_ms,
            finished_ms,
            container_id,
        }) => {
            let set = |t: &mut ContainerStateTerminated| {
                set_if_changed(&mut t.exit_code, *exit_code)
                    | set_opt_str(&mut t.reason, Some(reason.as_str()))
                    | set_opt_str(&mut t.message, (!message.is_empty()).then_some(message.as_str()))
                    | set_if_changed(&mut t.started_at, Some(time::time(*started_ms as i64)))
                    | set_if_changed(&mut t.finished_at, Some(time::time(*finished_ms as i64)))
                    | set_opt_str(
                        &mut t.container_id,
                        (!container_id.is_empty()).then_some(container_id.as_str()),
                    )
                    | clear(&mut t.signal)
            };
            patch_some(terminated, set) | clear(waiting) | clear(running)
        }
    }
}

fn set_container_status(status: &mut ContainerStatus, c: &ContainerRt) -> bool {
    let ContainerStatus {
        name,
        image,
        image_id,
        container_id,
        ready,
        restart_count,
        started,
        state,
        last_state,
        volume_mounts,
        allocated_resources,
        allocated_resources_status,
        resources,
        stop_signal,
        user,
    } = status;
    let pulled = c.image.as_ref().filter(|_| !c.container_id.is_empty());
    let waiting = matches!(c.state, CState::Waiting { .. });
    let shown_id = !c.container_id.is_empty() && (!waiting || c.last_state.is_some());
    let mut changed = set_str(name, &c.name);
    changed |= set_str(image, pulled.map_or(c.spec.image.as_deref().unwrap_or(""), |i| i.full()));
    changed |= set_str(image_id, pulled.map_or("", |i| i.id()));
    changed |= set_opt_str(container_id, shown_id.then_some(c.container_id.as_str()));
    changed |= set_if_changed(ready, c.ready);
    changed |= set_if_changed(restart_count, c.restart_count);
    let running = matches!(c.state, CState::Running { .. });
    changed |= set_if_changed(started, Some(running && c.started));
    changed |= patch_some(state, |s| set_container_state(s, Some(&c.state)));
    changed |= patch_some(last_state, |s| set_container_state(s, c.last_state.as_ref()));
    changed |= match &c.spec.volume_mounts {
        None => clear(volume_mounts),
        Some(mounts) => patch_some(volume_mounts, |statuses| {
            patch_list(statuses, mounts, |status, m| {
                let recursive = m.read_only.filter(|r| *r).map(|_| "Disabled");
                set_str(&mut status.mount_path, &m.mount_path)
                    | set_str(&mut status.name, &m.name)
                    | set_if_changed(&mut status.read_only, m.read_only)
                    | set_opt_str(&mut status.recursive_read_only, recursive)
                    | clear(&mut status.volume_status)
            })
        }),
    };
    changed
        | clear(allocated_resources)
        | clear(allocated_resources_status)
        | clear(resources)
        | clear(stop_signal)
        | clear(user)
}

fn phase(prt: &PodRuntime) -> &'static str {
    let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in &prt.containers {
        match &c.state {
            CState::Running { .. } => running += 1,
            CState::Terminated { exit_code, .. } => {
                stopped += 1;
                if *exit_code == 0 {
                    succeeded += 1;
                }
            }
            CState::Waiting { .. } => {
                if c.last_state.is_some() {
                    stopped += 1;
                } else {
                    waiting += 1;
                }
            }
        }
    }
    if waiting > 0 {
        return "Pending";
    }
    if running > 0 {
        return "Running";
    }
    if stopped > 0 {
        return match prt.restart_policy.as_str() {
            "Always" => "Running",
            "OnFailure" => {
                if stopped == succeeded {
                    "Succeeded"
                } else {
                    "Running"
                }
            }
            _ => {
                if stopped == succeeded {
                    "Succeeded"
                } else {
                    "Failed"
                }
            }
        };
    }
    "Pending"
}

/// The conditions the kubelet writes, in its order; the scheduler's PodScheduled follows them.
const KUBELET_CONDITIONS: [&str; 4] =
    ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"];

/// A condition's transition time moves only when its status flips.
fn set_condition<'a>(
    c: &mut PodCondition,
    status: bool,
    reason: Option<&str>,
    message: Option<impl Iterator<Item = &'a str> + Clone>,
    now: &Time,
) -> bool {
    let status = if status { "True" } else { "False" };
    let flipped = set_str(&mut c.status, status);
    if flipped {
        c.last_transition_time = Some(now.clone());
    }
    flipped
        | set_opt_str(&mut c.reason, reason)
        | set_opt_concat(&mut c.message, message)
        | clear(&mut c.last_probe_time)
        | clear(&mut c.observed_generation)
}

/// Puts the kubelet's conditions first, in order, then PodScheduled if there is one, and
/// drops any other; whether that changed the list.
fn order_conditions(conditions: &mut Vec<PodCondition>) -> bool {
    let scheduled = conditions.iter().any(|c| c.type_ == "PodScheduled");
    let in_order = conditions.len() == KUBELET_CONDITIONS.len() + usize::from(scheduled)
        && KUBELET_CONDITIONS.iter().zip(conditions.iter()).all(|(t, c)| c.type_ == *t);
    if in_order {
        return false;
    }
    let mut old = std::mem::take(conditions);
    // Room for PodScheduled too: a fifth push would grow it to eight conditions, 1.3 KB, and
    // glibc consolidates its free lists before every allocation of 1 KB or more.
    conditions.reserve_exact(5);
    let mut take = |t: &str| old.iter_mut().find(|c| c.type_ == t).map(std::mem::take);
    for t in KUBELET_CONDITIONS {
        // A new condition's empty status is no "True" or "False": it gets the time of now.
        conditions.push(
            take(t).unwrap_or_else(|| PodCondition { type_: t.into(), ..Default::default() }),
        );
    }
    conditions.extend(take("PodScheduled"));
    true
}

/// Brings the stored status in line with the runtime, writing only what differs; whether
/// anything did.
fn set_pod_status(
    status: &mut PodStatus,
    prt: &PodRuntime,
    generation: Option<i64>,
    host_ip: Option<&str>,
    now: &Time,
) -> bool {
    let PodStatus {
        phase,
        conditions,
        container_statuses,
        host_ip: host_ip_field,
        host_ips,
        pod_ip,
        pod_ips,
        start_time,
        qos_class: _, // Set at admission, kept.
        observed_generation,
        allocated_resources,
        ephemeral_container_statuses,
        extended_resource_claim_status,
        init_container_statuses,
        message,
        node_allocatable_resource_claim_statuses,
        nominated_node_name,
        reason,
        resize,
        resource_claim_statuses,
        resources,
        volume_health,
    } = status;
    let pod_phase = self::phase(prt);
    let completed = pod_phase == "Succeeded" || pod_phase == "Failed";
    let all_ready = !prt.containers.is_empty() && prt.containers.iter().all(|c| c.ready);
    let ready = all_ready && !completed;
    let ready_reason = if completed {
        Some("PodCompleted")
    } else if all_ready {
        None
    } else {
        Some("ContainersNotReady")
    };
    let unready_names = prt
        .containers
        .iter()
        .filter(|c| !c.ready)
        .enumerate()
        .flat_map(|(i, c)| [if i == 0 { "" } else { " " }, c.name.as_str()]);
    let ready_message = (!ready && !completed).then(|| {
        std::iter::once("containers with unready status: [")
            .chain(unready_names)
            .chain(std::iter::once("]"))
    });
    let sandbox = prt.sandbox_ready_ms.is_some() && !completed;

    let mut changed = set_opt_str(phase, Some(pod_phase));
    changed |= patch_some(conditions, |conditions| {
        let mut changed = order_conditions(conditions);
        if let [ready_to_start, initialized, ready_c, containers_ready, ..] = &mut conditions[..] {
            changed |= set_condition(ready_to_start, sandbox, None, NO_MESSAGE, now);
            let initialized_reason = completed.then_some("PodCompleted");
            changed |= set_condition(initialized, true, initialized_reason, NO_MESSAGE, now);
            changed |= set_condition(ready_c, ready, ready_reason, ready_message.clone(), now);
            changed |= set_condition(containers_ready, ready, ready_reason, ready_message, now);
        }
        changed
    });
    changed |= patch_some(container_statuses, |statuses| {
        patch_list(statuses, &prt.containers, set_container_status)
    });
    changed |= set_opt_str(host_ip_field, host_ip);
    changed |= set_ips(host_ips, host_ip, |h: &mut HostIP| &mut h.ip);
    changed |= set_opt_str(pod_ip, prt.pod_ip.as_deref());
    changed |= set_ips(pod_ips, prt.pod_ip.as_deref(), |p: &mut PodIP| &mut p.ip);
    if start_time.is_none() {
        *start_time = Some(now.clone());
        changed = true;
    }
    changed |= set_if_changed(observed_generation, generation);
    changed
        | clear(allocated_resources)
        | clear(ephemeral_container_statuses)
        | clear(extended_resource_claim_status)
        | clear(init_container_statuses)
        | clear(message)
        | clear(node_allocatable_resource_claim_statuses)
        | clear(nominated_node_name)
        | clear(reason)
        | clear(resize)
        | clear(resource_claim_statuses)
        | clear(resources)
        | clear(volume_health)
}

fn sync_status(cluster: &mut Cluster, prt: &PodRuntime) {
    let now = time::time(cluster.now_ms() as i64);
    // The node is held while the pod is patched, not its address copied for every sync.
    let node = cluster.store.find_shared(Kind::Node, "", &prt.node).cloned();
    let host_ip = node.as_deref().and_then(Object::as_kind).and_then(internal_ip);
    // Patched in place: most syncs change a field or two, and some nothing at all.
    cluster.modify_if(&prt.key, |o| {
        let Object::Pod(pod) = o else { return false };
        if pod.metadata.uid.as_deref() != Some(prt.uid.as_str()) {
            return false;
        }
        let generation = pod.metadata.generation;
        let created = pod.status.is_none();
        set_pod_status(pod.status.get_or_insert_default(), prt, generation, host_ip, &now) | created
    });
}

/// `sim kill`: the container's main process dies (SIGKILL, exit code 137), and the kubelet reacts
/// as it would to any crash. Returns the container's name.
pub fn kill_process(
    cluster: &mut Cluster,
    key: &ObjKey,
    container: Option<&str>,
) -> Result<String, String> {
    let Some(uid) = cluster.kubelet.by_key.get(key).cloned() else {
        return Err(match cluster.get(key) {
            None => format!("Error from server (NotFound): pods \"{}\" not found", key.name),
            Some(_) => format!("pod {} has no running containers", key.name),
        });
    };
    let Some(mut prt) = cluster.kubelet.pods.remove(&uid) else {
        return Err(format!("pod {} has no running containers", key.name));
    };
    let ci = match container {
        Some(name) => prt.containers.iter().position(|c| c.name == name),
        None => prt.containers.iter().position(|c| matches!(c.state, CState::Running { .. })),
    };
    let result = match ci {
        Some(ci) if matches!(prt.containers[ci].state, CState::Running { .. }) => {
            let name = prt.containers[ci].name.clone();
            container_exited(cluster, &mut prt, ci, 137, "Error", String::new());
            Ok(name)
        }
        Some(ci) => {
            Err(format!("container {} in pod {} is not running", prt.containers[ci].name, key.name))
        }
        None => Err(match container {
            Some(c) => format!("container {c} is not valid for pod {}", key.name),
            None => format!("pod {} has no running containers", key.name),
        }),
    };
    finish_if_done(cluster, uid, prt);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(type_: &str, status: &str, at_s: i64) -> PodCondition {
        PodCondition {
            type_: type_.into(),
            status: status.into(),
            last_transition_time: Some(time::time(at_s * 1000)),
            ..Default::default()
        }
    }

    #[test]
    fn conditions_are_put_in_the_kubelets_order_with_pod_scheduled_last() {
        let mut conditions =
            vec![condition("PodScheduled", "True", 1), condition("Ready", "False", 2)];
        assert!(order_conditions(&mut conditions));
        let types: Vec<&str> = conditions.iter().map(|c| c.type_.as_str()).collect();
        assert_eq!(
            types,
            [
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled"
            ]
        );
        assert_eq!(conditions[2], condition("Ready", "False", 2));
        assert_eq!(conditions[4], condition("PodScheduled", "True", 1));
        assert!(!order_conditions(&mut conditions), "an ordered list changed");
    }

    #[test]
    fn a_conditions_transition_time_moves_only_when_its_status_flips() {
        let now = time::time(9000);
        let mut c = condition("Ready", "False", 2);
        let unready =
            || Some(["containers with unready status: [", "a", " ", "b", "]"].into_iter());
        assert!(set_condition(&mut c, false, Some("ContainersNotReady"), unready(), &now));
        assert_eq!(c.last_transition_time, Some(time::time(2000)));
        assert_eq!(c.message.as_deref(), Some("containers with unready status: [a b]"));
        assert!(!set_condition(&mut c, false, Some("ContainersNotReady"), unready(), &now));
        assert!(set_condition(&mut c, true, None, NO_MESSAGE, &now));
        assert_eq!(
            c,
            PodCondition {
                status: "True".into(),
                last_transition_time: Some(now),
                ..condition("Ready", "", 0)
            }
        );
        // A condition the kubelet adds has no status yet: it flips.
        let mut new = PodCondition { type_: "Initialized".into(), ..Default::default() };
        assert!(set_condition(&mut new, true, None, NO_MESSAGE, &time::time(9000)));
        assert_eq!(new.last_transition_time, Some(time::time(9000)));
    }

    #[test]
    fn a_kept_layer_gives_the_files_made_in_the_runtimes_order() {
        let mut cluster = Cluster::empty(crate::SimConfig::default());
        let cases: [&[&str]; 5] = [
            &[],
            &["/var/run/secrets/kubernetes.io/serviceaccount", "/data"],
            &["/etc/hostname", "/etc/resolv.conf/x"],
            &["/etc/hostname/x", "/etc"],
            &["cache/../tmp/./c/", "/"],
        ];
        for paths in cases {
            let mounts: Vec<VolumeMount> = paths
                .iter()
                .map(|p| VolumeMount { mount_path: p.to_string(), ..Default::default() })
                .collect();
            for (namespace, pod) in [("default", "a"), ("default", "b"), ("web", "a")] {
                let mut expected = image_layer(images::Base::Debian, None);
                expected.put_file("/etc/hostname", &format!("{pod}\n"), 0o644);
                let resolv = format!(
                    "search {namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
                );
                expected.put_file("/etc/resolv.conf", &resolv, 0o644);
                for p in paths.iter() {
                    expected.mkdir_p(p);
                }
                let files = base_fs(&mut cluster, pod, namespace, None, None, &mounts);
                assert_eq!(files, expected, "{paths:?} in {namespace}");
            }
        }
        assert_eq!(cluster.kubelet.image_layers.len(), 2 * cases.len());
    }

    #[test]
    fn durations_and_numbers_read_as_format_writes_them() {
        fn reference(ms: Millis) -> String {
            if ms < 1000 {
                return format!("{ms}ms");
            }
            let (secs, frac) = (ms / 1000, ms % 1000);
            let frac_str = if frac == 0 {
                String::new()
            } else {
                format!(".{}", format!("{frac:03}").trim_end_matches('0'))
            };
            if secs < 60 {
                return format!("{secs}{frac_str}s");
            }
            let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
            if h > 0 { format!("{h}h{m}m{s}{frac_str}s") } else { format!("{m}m{s}{frac_str}s") }
        }
        let edges = [0, 1, 9, 10, 999, 1000, 1001, 1010, 1100, 59_999, 60_000, 3_599_999];
        let more = [3_600_000, 3_600_001, 86_400_500, u64::MAX];
        for ms in edges.into_iter().chain(more).chain((0..200_000).step_by(7)) {
            assert_eq!(go_duration(ms), reference(ms), "{ms}");
        }
    }

    #[test]
    fn a_message_in_pieces_is_compared_whole() {
        let mut slot = Some("ab".to_string());
        assert!(!set_opt_concat(&mut slot, Some(["a", "b"].into_iter())));
        assert!(set_opt_concat(&mut slot, Some(["a", "b", "c"].into_iter())));
        assert_eq!(slot.as_deref(), Some("abc"));
        assert!(set_opt_concat(&mut slot, Some(["a"].into_iter())));
        assert_eq!(slot.as_deref(), Some("a"));
        assert!(set_opt_concat(&mut slot, NO_MESSAGE));
        assert_eq!(slot, None);
    }
}
