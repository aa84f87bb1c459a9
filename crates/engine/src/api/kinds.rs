//! The kinds this API server serves: names, groups, versions, scope, short names, and the `Object`
//! enum that holds one typed object of any kind.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::batch::v1 as batch;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::discovery::v1 as discovery;
use k8s_openapi::api::networking::v1 as networking;
use k8s_openapi::api::storage::v1 as storage;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

/// Static facts about one kind, as API discovery reports them.
#[derive(Debug)]
pub struct KindInfo {
    /// `Pod`.
    pub kind: &'static str,
    /// API group (`""` for core, `apps`, ...).
    pub group: &'static str,
    /// Served version (`v1`).
    pub version: &'static str,
    /// `v1` or `apps/v1`.
    pub api_version: &'static str,
    /// Resource name (`pods`).
    pub plural: &'static str,
    /// Singular name (`pod`).
    pub singular: &'static str,
    /// kubectl short names (`po`).
    pub short_names: &'static [&'static str],
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Versions this group once served for the kind and no longer does (for a helpful error).
    pub removed_versions: &'static [&'static str],
}

impl KindInfo {
    /// `pods` or `deployments.apps`: how API errors name the resource.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `pod` or `deployment.apps`: how kubectl's name printer names the kind.
    pub fn qualified_singular(&self) -> String {
        let lower = self.kind.to_ascii_lowercase();
        if self.group.is_empty() { lower } else { format!("{lower}.{}", self.group) }
    }
}

/// A typed Kubernetes kind that can be stored.
pub trait ApiKind: Sized + Clone {
    /// Its entry in the kind table.
    const KIND: Kind;
    /// Borrows the typed object out of an [`Object`] of this kind.
    fn from_object(object: &Object) -> Option<&Self>;
    /// Mutably borrows the typed object out of an [`Object`] of this kind.
    fn from_object_mut(object: &mut Object) -> Option<&mut Self>;
    /// Wraps the typed object.
    fn into_object(self) -> Object;
}

macro_rules! kinds {
    ($( $variant:ident => $ty:ty {
        group: $group:expr, version: $version:expr, api_version: $api_version:expr,
        plural: $plural:expr, singular: $singular:expr, short: [$($short:expr),*],
        namespaced: $namespaced:expr, removed: [$($removed:expr),*] $(,)?
    } ),* $(,)?) => {
        /// One kind the API serves.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind { $( #[doc = stringify!($variant)] $variant ),* }

        /// One typed object of any kind. Boxed: the kinds differ in size by kilobytes (an
        /// Event is 1 KB, a PersistentVolume over 3 KB), and every object moved or stored would
        /// otherwise take the largest one's room.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object { $( #[doc = stringify!($variant)] $variant(Box<$ty>) ),* }

        impl Kind {
            /// Every kind, in table order.
            pub const ALL: &'static [Kind] = &[ $( Kind::$variant ),* ];

            /// The kind's static facts.
            pub fn info(self) -> &'static KindInfo {
                match self {
                    $( Kind::$variant => &KindInfo {
                        kind: stringify!($variant),
                        group: $group,
                        version: $version,
                        api_version: $api_version,
                        plural: $plural,
                        singular: $singular,
                        short_names: &[$($short),*],
                        namespaced: $namespaced,
                        removed_versions: &[$($removed),*],
                    } ),*
                }
            }
        }

        impl Object {
            /// The object's kind.
            pub fn kind(&self) -> Kind {
                match self { $( Object::$variant(_) => Kind::$variant ),* }
            }

            /// The object's metadata.
            pub fn meta(&self) -> &ObjectMeta {
                match self { $( Object::$variant(o) => &o.metadata ),* }
            }

            /// The object's metadata, mutably.
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $( Object::$variant(o) => &mut o.metadata ),* }
            }

            /// The object as the API returns it in JSON (apiVersion and kind first, keys sorted below).
            pub fn to_json(&self) -> Value {
                let result = match self { $( Object::$variant(o) => serde_json::to_value(o) ),* };
                // Serialising these plain data types cannot fail; a null keeps the caller total.
                result.unwrap_or(Value::Null)
            }

            /// Decodes JSON into a typed object of `kind`, with the path of a type error.
            pub fn from_json(kind: Kind, value: Value)
                -> Result<Object, super::value_de::PathError> {
                match kind {
                    $( Kind::$variant => super::value_de::from_value(value).map(|o| Object::$variant(Box::new(o))) ),*
                }
            }
        }

        $(
            impl ApiKind for $ty {
                const KIND: Kind = Kind::$variant;
                fn from_object(object: &Object) -> Option<&Self> {
                    #[allow(irrefutable_let_patterns, unreachable_patterns)]
                    match object { Object::$variant(o) => Some(o.as_ref()), _ => None }
                }
                fn from_object_mut(object: &mut Object) -> Option<&mut Self> {
                    #[allow(irrefutable_let_patterns, unreachable_patterns)]
                    match object { Object::$variant(o) => Some(o.as_mut()), _ => None }
                }
                fn into_object(self) -> Object { Object::$variant(Box::new(self)) }
            }

            impl From<$ty> for Object {
                fn from(o: $ty) -> Object { Object::$variant(Box::new(o)) }
            }
        )*
    };
}

kinds! {
    Namespace => core::Namespace { group: "", version: "v1", api_version: "v1",
        plural: "namespaces", singular: "namespace", short: ["ns"], namespaced: false, removed: [] },
    Node => core::Node { group: "", version: "v1", api_version: "v1",
        plural: "nodes", singular: "node", short: ["no"], namespaced: false, removed: [] },
    Pod => core::Pod { group: "", version: "v1", api_version: "v1",
        plural: "pods", singular: "pod", short: ["po"], namespaced: true, removed: [] },
    Event => core::Event { group: "", version: "v1", api_version: "v1",
        plural: "events", singular: "event", short: ["ev"], namespaced: true, removed: [] },
    ServiceAccount => core::ServiceAccount { group: "", version: "v1", api_version: "v1",
        plural: "serviceaccounts", singular: "serviceaccount", short: ["sa"], namespaced: true,
        removed: [] },
    ConfigMap => core::ConfigMap { group: "", version: "v1", api_version: "v1",
        plural: "configmaps", singular: "configmap", short: ["cm"], namespaced: true, removed: [] },
    Secret => core::Secret { group: "", version: "v1", api_version: "v1",
        plural: "secrets", singular: "secret", short: [], namespaced: true, removed: [] },
    Service => core::Service { group: "", version: "v1", api_version: "v1",
        plural: "services", singular: "service", short: ["svc"], namespaced: true, removed: [] },
    Endpoints => core::Endpoints { group: "", version: "v1", api_version: "v1",
        plural: "endpoints", singular: "endpoints", short: ["ep"], namespaced: true, removed: [] },
    ReplicationController => core::ReplicationController { group: "", version: "v1",
        api_version: "v1", plural: "replicationcontrollers", singular: "replicationcontroller",
        short: ["rc"], namespaced: true, removed: [] },
    PersistentVolume => core::PersistentVolume { group: "", version: "v1", api_version: "v1",
        plural: "persistentvolumes", singular: "persistentvolume", short: ["pv"],
        namespaced: false, removed: [] },
    PersistentVolumeClaim => core::PersistentVolumeClaim { group: "", version: "v1",
        api_version: "v1", plural: "persistentvolumeclaims", singular: "persistentvolumeclaim",
        short: ["pvc"], namespaced: true, removed: [] },
    ReplicaSet => apps::ReplicaSet { group: "apps", version: "v1", api_version: "apps/v1",
        plural: "replicasets", singular: "replicaset", short: ["rs"], namespaced: true,
        removed: ["apps/v1beta2", "extensions/v1beta1"] },
    Deployment => apps::Deployment { group: "apps", version: "v1", api_version: "apps/v1",
        plural: "deployments", singular: "deployment", short: ["deploy"], namespaced: true,
        removed: ["apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"] },
    DaemonSet => apps::DaemonSet { group: "apps", version: "v1", api_version: "apps/v1",
        plural: "daemonsets", singular: "daemonset", short: ["ds"], namespaced: true,
        removed: ["apps/v1beta2", "extensions/v1beta1"] },
    Job => batch::Job { group: "batch", version: "v1", api_version: "batch/v1",
        plural: "jobs", singular: "job", short: [], namespaced: true, removed: [] },
    CronJob => batch::CronJob { group: "batch", version: "v1", api_version: "batch/v1",
        plural: "cronjobs", singular: "cronjob", short: ["cj"], namespaced: true,
        removed: ["batch/v1beta1", "batch/v2alpha1"] },
    EndpointSlice => discovery::EndpointSlice { group: "discovery.k8s.io", version: "v1",
        api_version: "discovery.k8s.io/v1", plural: "endpointslices", singular: "endpointslice",
        short: [], namespaced: true, removed: ["discovery.k8s.io/v1beta1"] },
    Ingress => networking::Ingress { group: "networking.k8s.io", version: "v1",
        api_version: "networking.k8s.io/v1", plural: "ingresses", singular: "ingress",
        short: ["ing"], namespaced: true,
        removed: ["extensions/v1beta1", "networking.k8s.io/v1beta1"] },
    StorageClass => storage::StorageClass { group: "storage.k8s.io", version: "v1",
        api_version: "storage.k8s.io/v1", plural: "storageclasses", singular: "storageclass",
        short: ["sc"], namespaced: false, removed: ["storage.k8s.io/v1beta1"] },
}

impl Kind {
    /// Finds a kind by what a kubectl user may type: plural, singular, short name or kind, any
    /// case, optionally group-qualified (`deployments.apps`).
    pub fn from_resource_name(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let (base, group) = match lower.split_once('.') {
            Some((b, g)) => (b.to_string(), Some(g.to_string())),
            None => (lower.clone(), None),
        };
        Kind::ALL.iter().copied().find(|k| {
            let i = k.info();
            let group_ok = match &group {
                Some(g) => *g == i.group || (i.group.is_empty() && g == "core"),
                None => true,
            };
            group_ok
                && (base == i.plural
                    || base == i.singular
                    || base == i.kind.to_ascii_lowercase()
                    || i.short_names.contains(&base.as_str()))
        })
    }

    /// Finds a kind by manifest `apiVersion` and `kind`, among the versions served now.
    pub fn from_api_version(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.info().kind == kind && k.info().api_version == api_version)
    }

    /// The kind named `kind` whatever its version, to explain a version that is no longer served.
    pub fn from_kind_name(kind: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.info().kind == kind)
    }
}

impl Object {
    /// `namespace/name` or `name`, for messages.
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    /// The namespace, or `""` for cluster-scoped objects.
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }

    /// Borrows the typed object if it is a `T`.
    pub fn as_kind<T: ApiKind>(&self) -> Option<&T> {
        T::from_object(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_resolve_like_kubectl() {
        assert_eq!(Kind::from_resource_name("po"), Some(Kind::Pod));
        assert_eq!(Kind::from_resource_name("Pods"), Some(Kind::Pod));
        assert_eq!(Kind::from_resource_name("deployments.apps"), Some(Kind::Deployment));
        assert_eq!(Kind::from_resource_name("rc"), Some(Kind::ReplicationController));
        assert_eq!(Kind::from_resource_name("svc"), Some(Kind::Service));
        assert_eq!(Kind::from_resource_name("deployments.batch"), None);
        assert_eq!(Kind::from_resource_name("foo"), None);
        assert_eq!(Kind::Deployment.info().qualified_plural(), "deployments.apps");
        assert_eq!(Kind::Pod.info().qualified_singular(), "pod");
    }
}
