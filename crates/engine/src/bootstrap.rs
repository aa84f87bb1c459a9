//! The cluster a learner finds: a kind-style control-plane node and workers, the standard
//! namespaces, and the system pods of kube-system, created through the normal request path and
//! run by the same kubelets as everything else.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, DaemonEndpoint, EndpointAddress, EndpointPort, EndpointSubset,
    Endpoints, HostPathVolumeSource, Namespace, Node, NodeAddress, NodeCondition,
    NodeDaemonEndpoints, NodeSpec, NodeStatus, NodeSystemInfo, Pod, PodSpec, PodTemplateSpec,
    Service, ServicePort, ServiceSpec, Taint, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use k8s_openapi::api::discovery::v1::{
    Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice,
};

use crate::api::{ApiKind, Kind, Object};
use crate::cluster::Cluster;
use crate::time;

/// The Kubernetes version the cluster runs.
pub const KUBERNETES_VERSION: &str = "v1.34.0";
/// The cluster's name (node names are `<cluster>-control-plane`, `<cluster>-worker`, ...).
pub const CLUSTER_NAME: &str = "kubeplay";
/// The API server's address.
pub const API_SERVER_URL: &str = "https://127.0.0.1:6443";
/// ClusterIP of the `kubernetes` service.
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// ClusterIP of CoreDNS.
pub const DNS_SERVICE_IP: &str = "10.96.0.10";

/// Name of the control-plane node.
pub fn control_plane_name() -> String {
    format!("{CLUSTER_NAME}-control-plane")
}

/// Name of the `i`th worker (0-based), as kind names them.
pub fn worker_name(i: u32) -> String {
    if i == 0 {
        format!("{CLUSTER_NAME}-worker")
    } else {
        format!("{CLUSTER_NAME}-worker{}", i + 1)
    }
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        ..Default::default()
    }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn condition(type_: &str, status: &str, reason: &str, message: &str, at: i64) -> NodeCondition {
    NodeCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(time::time(at)),
        last_transition_time: Some(time::time(at)),
    }
}

fn ready_conditions(at: i64) -> Vec<NodeCondition> {
    vec![
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            at,
        ),
        condition(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
            at,
        ),
        condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
            at,
        ),
        condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", at),
    ]
}

/// The node controller's view of a node whose kubelet stopped reporting.
pub fn set_node_conditions_unknown(node: &mut Node, now_ms: u64) {
    let at = now_ms as i64;
    for c in node.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
        c.status = "Unknown".into();
        c.reason = Some("NodeStatusUnknown".into());
        c.message = Some("Kubelet stopped posting node status.".into());
        c.last_transition_time = Some(time::time(at));
    }
}

/// A node whose kubelet is back.
pub fn set_node_conditions_ready(node: &mut Node, now_ms: u64) {
    if let Some(s) = node.status.as_mut() {
        s.conditions = Some(ready_conditions(now_ms as i64));
    }
}

fn node(name: &str, index: u32, control_plane: bool) -> Node {
    let mut l = labels(&[
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", name),
        ("kubernetes.io/os", "linux"),
    ]);
    if control_plane {
        l.insert("node-role.kubernetes.io/control-plane".into(), String::new());
        l.insert("node.kubernetes.io/exclude-from-external-load-balancers".into(), String::new());
    }
    let mut annotations = labels(&[
        ("kubeadm.alpha.kubernetes.io/cri-socket", "unix:///run/containerd/containerd.sock"),
        ("node.alpha.kubernetes.io/ttl", "0"),
        ("volumes.kubernetes.io/controller-managed-attach-detach", "true"),
    ]);
    annotations.retain(|_, _| true);
    let cidr = format!("10.244.{index}.0/24");
    let mut resources = BTreeMap::new();
    resources.extend(
        [
            ("cpu", "4"),
            ("ephemeral-storage", "102626232Ki"),
            ("hugepages-1Gi", "0"),
            ("hugepages-2Mi", "0"),
            ("memory", "8148264Ki"),
            ("pods", "110"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), Quantity(v.to_string()))),
    );
    let at = 0;
    Node {
        metadata: ObjectMeta {
            labels: Some(l),
            annotations: Some(annotations),
            ..meta(name, None)
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(cidr.clone()),
            pod_cidrs: Some(vec![cidr]),
            provider_id: Some(format!("kind://docker/{CLUSTER_NAME}/{name}")),
            taints: control_plane.then(|| {
                vec![Taint {
                    key: "node-role.kubernetes.io/control-plane".into(),
                    effect: "NoSchedule".into(),
                    ..Default::default()
                }]
            }),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress { type_: "InternalIP".into(), address: node_ip(index) },
                NodeAddress { type_: "Hostname".into(), address: name.into() },
            ]),
            allocatable: Some(resources.clone()),
            capacity: Some(resources),
            conditions: Some(ready_conditions(at)),
            daemon_endpoints: Some(NodeDaemonEndpoints {
                kubelet_endpoint: Some(DaemonEndpoint { port: 10250 }),
            }),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: format!(
                    "{:08x}-6c1d-4f57-9a1e-0b3c{:08x}",
                    0x5f3e_a2c1u32 + index,
                    0x77d2_0e4au32 + index
                ),
                container_runtime_version: "containerd://2.1.3".into(),
                kernel_version: "6.8.0-52-generic".into(),
                kube_proxy_version: String::new(),
                kubelet_version: KUBERNETES_VERSION.into(),
                machine_id: format!("{:032x}", 0x3b8a_91f0_22c4_4d7eu128 + u128::from(index)),
                operating_system: "linux".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                system_uuid: format!(
                    "{:08x}-4b1d-4c2e-8f3a-5d6e7f8a9b{:02x}",
                    0x1c2d_3e4fu32 + index,
                    index
                ),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

/// The InternalIP of node `index` (0 = control plane).
pub fn node_ip(index: u32) -> String {
    format!("172.18.0.{}", index + 2)
}

fn system_container(name: &str, image: &str) -> Container {
    Container { name: name.into(), image: Some(image.into()), ..Default::default() }
}

/// A directory of the node mounted into a system container: (volume, path, hostPath type, mount
/// path, read-only), as kubeadm's and kind's manifests declare them.
type HostMount = (&'static str, &'static str, Option<&'static str>, &'static str, bool);

/// etcd keeps its data and certificates on the control-plane node (kubeadm's manifest).
const ETCD_HOST_PATHS: &[HostMount] = &[
    (
        "etcd-certs",
        "/etc/kubernetes/pki/etcd",
        Some("DirectoryOrCreate"),
        "/etc/kubernetes/pki/etcd",
        false,
    ),
    ("etcd-data", "/var/lib/etcd", Some("DirectoryOrCreate"), "/var/lib/etcd", false),
];
/// kube-proxy's node files (kind's DaemonSet; its ConfigMap volume is left out here).
const KUBE_PROXY_HOST_PATHS: &[HostMount] = &[
    ("xtables-lock", "/run/xtables.lock", Some("FileOrCreate"), "/run/xtables.lock", false),
    ("lib-modules", "/lib/modules", None, "/lib/modules", true),
];
/// kindnet writes the node's CNI configuration (kind's DaemonSet).
const KINDNET_HOST_PATHS: &[HostMount] = &[
    ("cni-cfg", "/etc/cni/net.d", None, "/etc/cni/net.d", false),
    ("xtables-lock", "/run/xtables.lock", Some("FileOrCreate"), "/run/xtables.lock", false),
    ("lib-modules", "/lib/modules", None, "/lib/modules", true),
];

/// Adds `mounts` as hostPath volumes of `spec` mounted into its first container.
fn add_host_paths(spec: &mut PodSpec, mounts: &[HostMount]) {
    for (name, path, type_, mount_path, read_only) in mounts {
        spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: name.to_string(),
            host_path: Some(HostPathVolumeSource {
                path: path.to_string(),
                type_: type_.map(str::to_string),
            }),
            ..Default::default()
        });
        if let Some(c) = spec.containers.first_mut() {
            c.volume_mounts.get_or_insert_with(Vec::new).push(VolumeMount {
                name: name.to_string(),
                mount_path: mount_path.to_string(),
                read_only: read_only.then_some(true),
                ..Default::default()
            });
        }
    }
}

fn static_pod(cluster: &mut Cluster, component: &str, image: &str, node: &Object) {
    let node_name = node.name().to_string();
    let pod = Pod {
        metadata: ObjectMeta {
            labels: Some(labels(&[("component", component), ("tier", "control-plane")])),
            annotations: Some(labels(&[("kubernetes.io/config.source", "file")])),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "Node".into(),
                name: node_name.clone(),
                uid: node.meta().uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: None,
            }]),
            ..meta(&format!("{component}-{node_name}"), Some("kube-system"))
        },
        spec: Some(PodSpec {
            containers: vec![system_container(component, image)],
            host_network: Some(true),
            node_name: Some(node_name),
            priority_class_name: Some("system-node-critical".into()),
            priority: Some(2_000_001_000),
            automount_service_account_token: Some(false),
            tolerations: Some(vec![Toleration {
                effect: Some("NoExecute".into()),
                operator: Some("Exists".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        status: None,
    };
    let mut pod = pod;
    if component == "etcd"
        && let Some(spec) = pod.spec.as_mut()
    {
        add_host_paths(spec, ETCD_HOST_PATHS);
    }
    let _ = cluster.create(pod.into_object());
}

fn pod_template(
    labels_: &BTreeMap<String, String>,
    containers: Vec<Container>,
    host_network: bool,
    control_plane_ok: bool,
) -> PodTemplateSpec {
    let mut tolerations = vec![];
    if control_plane_ok {
        tolerations.push(Toleration {
            key: Some("node-role.kubernetes.io/control-plane".into()),
            effect: Some("NoSchedule".into()),
            ..Default::default()
        });
    }
    if host_network {
        tolerations.push(Toleration { operator: Some("Exists".into()), ..Default::default() });
    }
    PodTemplateSpec {
        metadata: Some(ObjectMeta { labels: Some(labels_.clone()), ..Default::default() }),
        spec: Some(PodSpec {
            containers,
            host_network: host_network.then_some(true),
            priority_class_name: Some(
                if host_network { "system-node-critical" } else { "system-cluster-critical" }
                    .into(),
            ),
            tolerations: Some(tolerations),
            node_selector: (!host_network).then(|| labels(&[("kubernetes.io/os", "linux")])),
            ..Default::default()
        }),
    }
}

// The DaemonSet only: the daemonset-controller creates its pods, as in a real cluster.
fn daemon_set(cluster: &mut Cluster, name: &str, image: &str) {
    let l = labels(&[("k8s-app", name)]);
    let mut template = pod_template(&l, vec![system_container(name, image)], true, true);
    if let Some(spec) = template.spec.as_mut() {
        match name {
            "kube-proxy" => add_host_paths(spec, KUBE_PROXY_HOST_PATHS),
            "kindnet" => add_host_paths(spec, KINDNET_HOST_PATHS),
            _ => {}
        }
    }
    let ds = DaemonSet {
        metadata: ObjectMeta { labels: Some(l.clone()), ..meta(name, Some("kube-system")) },
        spec: DaemonSetSpec {
            selector: LabelSelector { match_labels: Some(l), ..Default::default() },
            template,
            ..Default::default()
        },
        status: None,
    };
    let _ = cluster.create(ds.into_object());
}

// The Deployment only: the deployment-controller makes its ReplicaSet, which makes the pods.
#[allow(clippy::too_many_arguments)]
fn deployment(
    cluster: &mut Cluster,
    namespace: &str,
    name: &str,
    app_label: (&str, &str),
    containers: Vec<Container>,
    replicas: i32,
    control_plane_ok: bool,
) {
    let l = labels(&[app_label]);
    let template = pod_template(&l, containers, false, control_plane_ok);
    let deploy = Deployment {
        metadata: ObjectMeta { labels: Some(l.clone()), ..meta(name, Some(namespace)) },
        spec: DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector { match_labels: Some(l), ..Default::default() },
            template,
            ..Default::default()
        },
        status: None,
    };
    let _ = cluster.create(deploy.into_object());
}

fn service(
    cluster: &mut Cluster,
    namespace: &str,
    name: &str,
    ip: &str,
    ports: Vec<ServicePort>,
    selector: Option<BTreeMap<String, String>>,
    service_labels: BTreeMap<String, String>,
) {
    let svc = Service {
        metadata: ObjectMeta { labels: Some(service_labels), ..meta(name, Some(namespace)) },
        spec: Some(ServiceSpec {
            cluster_ip: Some(ip.into()),
            cluster_ips: Some(vec![ip.into()]),
            ip_families: Some(vec!["IPv4".into()]),
            ip_family_policy: Some("SingleStack".into()),
            internal_traffic_policy: Some("Cluster".into()),
            ports: Some(ports),
            selector,
            session_affinity: Some("None".into()),
            type_: Some("ClusterIP".into()),
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let _ = cluster.create(svc.into_object());
}

/// How often kube-apiserver's kubernetes-service controller reconciles (`EndpointInterval`).
pub const KUBERNETES_SERVICE_RESYNC_MS: u64 = 10_000;

/// What kube-apiserver keeps in `default`: the `kubernetes` Service, and its Endpoints and
/// EndpointSlice pointing at the API server (`pkg/controlplane/controller/kubernetesservice`,
/// `reconcilers/endpointsadapter.go`). Creates whichever of the three is missing.
pub fn ensure_kubernetes_service(cluster: &mut Cluster) {
    let exists = |cluster: &Cluster, kind| {
        cluster.get(&crate::api::ObjKey::new(kind, "default", "kubernetes")).is_some()
    };
    if !exists(cluster, Kind::Service) {
        service(
            cluster,
            "default",
            "kubernetes",
            KUBERNETES_SERVICE_IP,
            vec![ServicePort {
                name: Some("https".into()),
                port: 443,
                protocol: Some("TCP".into()),
                target_port: Some(IntOrString::Int(6443)),
                ..Default::default()
            }],
            None,
            labels(&[("component", "apiserver"), ("provider", "kubernetes")]),
        );
    }
    if !exists(cluster, Kind::Endpoints) {
        let _ = cluster.create(
            Endpoints {
                metadata: ObjectMeta {
                    labels: Some(labels(&[("endpointslice.kubernetes.io/skip-mirror", "true")])),
                    ..meta("kubernetes", Some("default"))
                },
                subsets: Some(vec![EndpointSubset {
                    addresses: Some(vec![EndpointAddress { ip: node_ip(0), ..Default::default() }]),
                    ports: Some(vec![EndpointPort {
                        name: Some("https".into()),
                        port: 6443,
                        protocol: Some("TCP".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }]),
            }
            .into_object(),
        );
    }
    if !exists(cluster, Kind::EndpointSlice) {
        let _ = cluster.create(
            EndpointSlice {
                metadata: ObjectMeta {
                    labels: Some(labels(&[("kubernetes.io/service-name", "kubernetes")])),
                    ..meta("kubernetes", Some("default"))
                },
                address_type: "IPv4".into(),
                endpoints: Some(vec![Endpoint {
                    addresses: vec![node_ip(0)],
                    conditions: Some(EndpointConditions {
                        ready: Some(true),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ports: Some(vec![SlicePort {
                    name: Some("https".into()),
                    port: Some(6443),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                }]),
            }
            .into_object(),
        );
    }
}

/// Builds the default cluster into an empty one.
pub fn bootstrap(cluster: &mut Cluster) {
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system", "local-path-storage"] {
        let _ = cluster
            .create(Namespace { metadata: meta(ns, None), ..Default::default() }.into_object());
    }
    let mut node_names = vec![control_plane_name()];
    node_names.extend((0..cluster.config.worker_nodes).map(worker_name));
    let mut node_objects = Vec::new();
    for (i, name) in node_names.iter().enumerate() {
        cluster.kubelet.add_node(name, &format!("10.244.{i}"));
        if let Ok(obj) = cluster.create(node(name, i as u32, i == 0).into_object()) {
            node_objects.push(obj);
        }
    }
    ensure_kubernetes_service(cluster);
    service(
        cluster,
        "kube-system",
        "kube-dns",
        DNS_SERVICE_IP,
        vec![
            ServicePort {
                name: Some("dns".into()),
                port: 53,
                protocol: Some("UDP".into()),
                target_port: Some(IntOrString::Int(53)),
                ..Default::default()
            },
            ServicePort {
                name: Some("dns-tcp".into()),
                port: 53,
                protocol: Some("TCP".into()),
                target_port: Some(IntOrString::Int(53)),
                ..Default::default()
            },
            ServicePort {
                name: Some("metrics".into()),
                port: 9153,
                protocol: Some("TCP".into()),
                target_port: Some(IntOrString::Int(9153)),
                ..Default::default()
            },
        ],
        Some(labels(&[("k8s-app", "kube-dns")])),
        labels(&[
            ("k8s-app", "kube-dns"),
            ("kubernetes.io/cluster-service", "true"),
            ("kubernetes.io/name", "CoreDNS"),
        ]),
    );
    if let Some(cp) = node_objects.first().cloned() {
        static_pod(cluster, "etcd", "registry.k8s.io/etcd:3.6.4-0", &cp);
        static_pod(cluster, "kube-apiserver", "registry.k8s.io/kube-apiserver:v1.34.0", &cp);
        static_pod(
            cluster,
            "kube-controller-manager",
            "registry.k8s.io/kube-controller-manager:v1.34.0",
            &cp,
        );
        static_pod(cluster, "kube-scheduler", "registry.k8s.io/kube-scheduler:v1.34.0", &cp);
    }
    daemon_set(cluster, "kindnet", "docker.io/kindest/kindnetd:v20250512-df8de77b");
    daemon_set(cluster, "kube-proxy", "registry.k8s.io/kube-proxy:v1.34.0");
    let mut dns = system_container("coredns", "registry.k8s.io/coredns/coredns:v1.12.1");
    dns.args = Some(vec!["-conf".into(), "/etc/coredns/Corefile".into()]);
    dns.ports = Some(vec![
        ContainerPort {
            container_port: 53,
            name: Some("dns".into()),
            protocol: Some("UDP".into()),
            ..Default::default()
        },
        ContainerPort {
            container_port: 53,
            name: Some("dns-tcp".into()),
            protocol: Some("TCP".into()),
            ..Default::default()
        },
        ContainerPort {
            container_port: 9153,
            name: Some("metrics".into()),
            protocol: Some("TCP".into()),
            ..Default::default()
        },
    ]);
    deployment(cluster, "kube-system", "coredns", ("k8s-app", "kube-dns"), vec![dns], 2, true);
    deployment(
        cluster,
        "local-path-storage",
        "local-path-provisioner",
        ("app", "local-path-provisioner"),
        vec![system_container(
            "local-path-provisioner",
            "docker.io/kindest/local-path-provisioner:v20250214-acbabc1a",
        )],
        1,
        true,
    );
    // kind's default class: local-path volumes created on the node of the first pod that uses them.
    // Written directly with a fixed UID so that adding it leaves every seed's random draws alone.
    let standard = k8s_openapi::api::storage::v1::StorageClass {
        metadata: ObjectMeta {
            name: Some("standard".into()),
            uid: Some("5c9c6b1e-7a3f-4d2a-9b8e-2f1d0c3b4a51".into()),
            creation_timestamp: Some(time::time(cluster.now())),
            annotations: Some(labels(&[(
                crate::volumes::binder::DEFAULT_CLASS_ANNOTATION,
                "true",
            )])),
            ..Default::default()
        },
        provisioner: "rancher.io/local-path".into(),
        reclaim_policy: Some("Delete".into()),
        volume_binding_mode: Some("WaitForFirstConsumer".into()),
        ..Default::default()
    };
    cluster.write(Object::from(standard));
}
