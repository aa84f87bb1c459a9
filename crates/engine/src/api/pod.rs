//! Pod: defaulting (as `SetDefaults_Pod` and friends), admission (service account token volume,
//! default tolerations, priority), validation, and the initial status.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMapProjection, Container, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath,
    ObjectFieldSelector, Pod, PodSecurityContext, PodSpec, PodStatus, Probe, ProjectedVolumeSource,
    ResourceRequirements, ServiceAccountTokenProjection, Toleration, Volume, VolumeMount,
    VolumeProjection,
};
use serde_json::Value;

use super::validation::{dns1123_label, invalid_string};
use crate::cluster::Cluster;

/// Where the service account token is mounted in every container.
pub const SERVICE_ACCOUNT_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// `Always` for `:latest` or untagged images, else `IfNotPresent`, as the API server defaults.
pub fn default_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => "Always",
        Some((_, "latest")) => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn default_probe(probe: &mut Probe) {
    probe.timeout_seconds.get_or_insert(1);
    probe.period_seconds.get_or_insert(10);
    probe.success_threshold.get_or_insert(1);
    probe.failure_threshold.get_or_insert(3);
    if let Some(h) = probe.http_get.as_mut() {
        h.scheme.get_or_insert_with(|| "HTTP".into());
    }
}

/// Container defaults shared by pods and pod templates.
pub fn default_container(c: &mut Container) {
    if let Some(image) = c.image.as_deref()
        && c.image_pull_policy.is_none()
    {
        c.image_pull_policy = Some(default_pull_policy(image).into());
    }
    c.termination_message_path.get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy.get_or_insert_with(|| "File".into());
    let resources = c.resources.get_or_insert_with(ResourceRequirements::default);
    // Limits without requests: requests default to the limits.
    if let Some(limits) = resources.limits.clone() {
        let requests = resources.requests.get_or_insert_with(BTreeMap::new);
        for (k, v) in limits {
            requests.entry(k).or_insert(v);
        }
    }
    for p in c.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
    for probe in [&mut c.liveness_probe, &mut c.readiness_probe, &mut c.startup_probe] {
        if let Some(p) = probe.as_mut() {
            default_probe(p);
        }
    }
}

/// Pod spec defaults shared by pods and pod templates.
pub fn default_pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name.get_or_insert_with(|| "default-scheduler".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.security_context.get_or_insert_with(PodSecurityContext::default);
    spec.enable_service_links.get_or_insert(true);
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        default_container(c);
    }
}

/// Pod defaults.
pub fn default_pod(pod: &mut Pod) {
    if let Some(spec) = pod.spec.as_mut() {
        default_pod_spec(spec);
    }
}

/// Admission on create: the service account and its token volume, default NoExecute
/// tolerations (300 s), and priority.
pub fn admit_pod(cluster: &mut Cluster, pod: &mut Pod) {
    let Some(spec) = pod.spec.as_mut() else { return };
    spec.priority.get_or_insert(0);
    spec.preemption_policy.get_or_insert_with(|| "PreemptLowerPriority".into());
    let sa = spec
        .service_account_name
        .clone()
        .or_else(|| spec.service_account.clone())
        .unwrap_or_else(|| "default".into());
    spec.service_account_name = Some(sa.clone());
    spec.service_account = Some(sa);
    // Lists made here are sized up front: a first push takes the slower growth path.
    let tolerations = spec.tolerations.get_or_insert_with(|| Vec::with_capacity(2));
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let present = tolerations.iter().any(|t| {
            t.key.as_deref() == Some(key) && t.effect.as_deref().is_none_or(|e| e == "NoExecute")
        });
        if !present {
            tolerations.push(Toleration {
                effect: Some("NoExecute".into()),
                key: Some(key.into()),
                operator: Some("Exists".into()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
    if spec.automount_service_account_token == Some(false) {
        return;
    }
    let already = spec.containers.iter().any(|c| {
        c.volume_mounts.iter().flatten().any(|m| m.mount_path == SERVICE_ACCOUNT_MOUNT_PATH)
    });
    if already {
        return;
    }
    let volume_name = ["kube-api-access-", &cluster.random_suffix(5)].concat();
    spec.volumes.get_or_insert_with(|| Vec::with_capacity(1)).push(Volume {
        name: volume_name.clone(),
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(420),
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        expiration_seconds: Some(3607),
                        path: "token".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: "kube-root-ca.crt".into(),
                        items: Some(vec![KeyToPath {
                            key: "ca.crt".into(),
                            path: "ca.crt".into(),
                            ..Default::default()
                        }]),
                        optional: None,
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            path: "namespace".into(),
                            field_ref: Some(ObjectFieldSelector {
                                api_version: Some("v1".into()),
                                field_path: "metadata.namespace".into(),
                            }),
                            ..Default::default()
                        }]),
                    }),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        }),
        ..Default::default()
    });
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        c.volume_mounts.get_or_insert_with(|| Vec::with_capacity(1)).push(VolumeMount {
            mount_path: SERVICE_ACCOUNT_MOUNT_PATH.into(),
            name: volume_name.clone(),
            read_only: Some(true),
            ..Default::default()
        });
    }
}

/// The QoS class the API server computes from requests and limits.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    for c in &spec.containers {
        let r = c.resources.as_ref();
        let requests = r.and_then(|r| r.requests.clone()).unwrap_or_default();
        let limits = r.and_then(|r| r.limits.clone()).unwrap_or_default();
        if !requests.is_empty() || !limits.is_empty() {
            any = true;
        }
        for res in ["cpu", "memory"] {
            match (requests.get(res), limits.get(res)) {
                (Some(a), Some(b)) if a == b => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// A new pod is Pending with its QoS class.
pub fn initial_status(pod: &mut Pod) {
    let qos = pod.spec.as_ref().map(qos_class).unwrap_or("BestEffort");
    pod.status = Some(PodStatus {
        phase: Some("Pending".into()),
        qos_class: Some(qos.into()),
        ..Default::default()
    });
}

fn validate_probe(path: &str, probe: &Probe, liveness_like: bool, errs: &mut Vec<String>) {
    let handlers = [
        probe.exec.is_some(),
        probe.http_get.is_some(),
        probe.tcp_socket.is_some(),
        probe.grpc.is_some(),
    ]
    .iter()
    .filter(|h| **h)
    .count();
    if handlers == 0 {
        errs.push(format!("{path}: Required value: must specify a handler type"));
    } else if handlers > 1 {
        errs.push(format!("{path}: Forbidden: may not specify more than 1 handler type"));
    }
    if liveness_like && probe.success_threshold.unwrap_or(1) != 1 {
        errs.push(format!(
            "{path}.successThreshold: Invalid value: {}: must be 1",
            probe.success_threshold.unwrap_or(1)
        ));
    }
    for (field, value) in [
        ("initialDelaySeconds", probe.initial_delay_seconds),
        ("timeoutSeconds", probe.timeout_seconds),
        ("periodSeconds", probe.period_seconds),
        ("successThreshold", probe.success_threshold),
        ("failureThreshold", probe.failure_threshold),
    ] {
        if let Some(v) = value.filter(|v| *v < 0) {
            errs.push(format!(
                "{path}.{field}: Invalid value: {v}: must be greater than or equal to 0"
            ));
        }
    }
}

/// Validation of a pod spec at `path` (`spec` or `spec.template.spec`).
pub fn validate_pod_spec(path: &str, spec: &PodSpec) -> Vec<String> {
    let mut errs = Vec::new();
    if spec.containers.is_empty() {
        errs.push(format!("{path}.containers: Required value"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in spec.containers.iter().enumerate() {
        // Paths are built only for an error: a pod created without one is the common case.
        let cp = format_args!("{path}.containers[{i}]");
        if c.name.is_empty() {
            errs.push(format!("{cp}.name: Required value"));
        } else {
            let name_errs = dns1123_label(&c.name);
            if !name_errs.is_empty() {
                errs.extend(invalid_string(&format!("{cp}.name"), &c.name, name_errs));
            }
            if !seen.insert(c.name.as_str()) {
                errs.push(format!("{cp}.name: Duplicate value: {}", Value::from(c.name.clone())));
            }
        }
        if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
            errs.push(format!("{cp}.image: Required value"));
        }
        for (j, p) in c.ports.iter().flatten().enumerate() {
            if !(1..=65535).contains(&p.container_port) {
                errs.push(format!(
                    "{cp}.ports[{j}].containerPort: Invalid value: {}: must be between 1 and 65535, inclusive",
                    p.container_port
                ));
            }
            if let Some(proto) = p.protocol.as_deref()
                && !matches!(proto, "TCP" | "UDP" | "SCTP")
            {
                errs.push(format!(
                        "{cp}.ports[{j}].protocol: Unsupported value: {}: supported values: \"SCTP\", \"TCP\", \"UDP\"",
                        Value::from(proto)
                    ));
            }
        }
        if let Some(p) = &c.liveness_probe {
            validate_probe(&format!("{cp}.livenessProbe"), p, true, &mut errs);
        }
        if let Some(p) = &c.readiness_probe {
            validate_probe(&format!("{cp}.readinessProbe"), p, false, &mut errs);
        }
        if let Some(p) = &c.startup_probe {
            validate_probe(&format!("{cp}.startupProbe"), p, true, &mut errs);
        }
        if let Some(policy) = c.image_pull_policy.as_deref()
            && !matches!(policy, "Always" | "IfNotPresent" | "Never")
        {
            errs.push(format!(
                    "{cp}.imagePullPolicy: Unsupported value: {}: supported values: \"Always\", \"IfNotPresent\", \"Never\"",
                    Value::from(policy)
                ));
        }
    }
    if let Some(policy) = spec.restart_policy.as_deref()
        && !matches!(policy, "Always" | "OnFailure" | "Never")
    {
        errs.push(format!(
                "{path}.restartPolicy: Unsupported value: {}: supported values: \"Always\", \"OnFailure\", \"Never\"",
                Value::from(policy)
            ));
    }
    if let Some(g) = spec.termination_grace_period_seconds.filter(|g| *g < 0) {
        errs.push(format!(
            "{path}.terminationGracePeriodSeconds: Invalid value: {g}: must be greater than or equal to 0"
        ));
    }
    errs
}

/// Validation of a new pod.
pub fn validate_pod(_cluster: &Cluster, pod: &Pod) -> Vec<String> {
    match &pod.spec {
        None => vec!["spec.containers: Required value".into()],
        Some(spec) => validate_pod_spec("spec", spec),
    }
}

/// A pod's spec is immutable but for images, active deadline, added tolerations and grace.
pub fn validate_pod_update(old: &Pod, new: &Pod) -> Vec<String> {
    let (Some(o), Some(n)) = (&old.spec, &new.spec) else { return Vec::new() };
    let mut o = o.clone();
    let mut n = n.clone();
    // Fields allowed to change are blanked on both sides before comparing.
    for (oc, nc) in o.containers.iter_mut().zip(n.containers.iter_mut()) {
        oc.image = None;
        nc.image = None;
    }
    o.active_deadline_seconds = None;
    n.active_deadline_seconds = None;
    o.tolerations = None;
    n.tolerations = None;
    o.termination_grace_period_seconds = None;
    n.termination_grace_period_seconds = None;
    // The scheduler's binding is not the client's to change, but a client resending it is fine.
    if n.node_name.is_none() {
        n.node_name = o.node_name.clone();
    }
    if o == n {
        return Vec::new();
    }
    vec!["spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(default_pull_policy("luksa/kubia"), "Always");
        assert_eq!(default_pull_policy("luksa/kubia:latest"), "Always");
        assert_eq!(default_pull_policy("luksa/kubia:v1"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/app"), "Always");
        assert_eq!(default_pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }
}
