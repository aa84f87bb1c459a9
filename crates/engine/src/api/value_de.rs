//! Typed decoding of a `serde_json::Value` that remembers where an error happened
//! (`spec.containers[0].ports[0].containerPort`), for kubectl-style type errors.
//!
//! It behaves as `serde_json::from_value` (leaves are handed to `Value`'s own deserializer, so the
//! error texts are serde_json's) and reports the path as `serde_path_to_error` would. It exists for
//! size: `serde_path_to_error` wraps every visitor and seed, which instantiates the whole k8s-openapi
//! deserialisation code a second, larger time (~320 KB of wasm); here the typed visitors run
//! against one plain deserializer and only map entries and sequence elements are tracked.

use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Unexpected, Visitor};
use serde_json::{Error, Map, Value};

/// A decoding error and the path of the value it is about.
#[derive(Debug)]
pub struct PathError {
    inner: Error,
    path: String,
}

impl PathError {
    /// The deserializer's own error.
    pub fn inner(&self) -> &Error {
        &self.inner
    }

    /// `spec.containers[0].image`; `.` for the document itself.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.inner)
    }
}

/// `serde_json::from_value`, with the path of the first error.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, PathError> {
    let mut track = Track::default();
    T::deserialize(De { value, track: &mut track }).map_err(|inner| PathError {
        inner,
        path: track.error_path.unwrap_or_else(|| ".".to_string()),
    })
}

enum Segment {
    Index(usize),
    Key(String),
}

#[derive(Default)]
struct Track {
    stack: Vec<Segment>,
    // Set by the innermost failing entry; outer ones keep it (serde_path_to_error does the same).
    error_path: Option<String>,
}

impl Track {
    // Runs `f` for the value at `segment` and records the path if it fails. The bookkeeping is
    // out of line: this is instantiated once per field type.
    fn enter<T>(
        &mut self,
        segment: Segment,
        f: impl FnOnce(&mut Track) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.push(segment);
        let result = f(self);
        self.pop(result.is_err());
        result
    }

    #[inline(never)]
    fn push(&mut self, segment: Segment) {
        self.stack.push(segment);
    }

    #[inline(never)]
    fn pop(&mut self, failed: bool) {
        if failed && self.error_path.is_none() {
            self.error_path = Some(self.render());
        }
        self.stack.pop();
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.stack.iter().enumerate() {
            match segment {
                Segment::Index(n) => out.push_str(&format!("[{n}]")),
                Segment::Key(k) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
        }
        out
    }
}

struct De<'t> {
    value: Value,
    track: &'t mut Track,
}

fn visit_array<'de, V: Visitor<'de>>(
    items: Vec<Value>,
    track: &mut Track,
    visitor: V,
) -> Result<V::Value, Error> {
    let len = items.len();
    let mut access = SeqAccess { items: items.into_iter(), index: 0, track };
    let seq = visitor.visit_seq(&mut access)?;
    if access.items.len() == 0 {
        Ok(seq)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in array"))
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    map: Map<String, Value>,
    track: &mut Track,
    visitor: V,
) -> Result<V::Value, Error> {
    let len = map.len();
    let mut access = MapAccess { entries: map.into_iter(), pending: None, track };
    let map = visitor.visit_map(&mut access)?;
    if access.entries.len() == 0 {
        Ok(map)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in map"))
    }
}

// `Value`'s own wording for a value of the wrong type (its helper is private).
fn invalid_type(value: &Value, expected: &dyn de::Expected) -> Error {
    let unexpected = match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    };
    de::Error::invalid_type(unexpected, expected)
}

// Scalars and enums go to `Value`'s deserializer unchanged: nothing below them needs a path.
// Containers are handled below and never handed to `Value`, which would instantiate every
// visitor a second time against serde_json's own map and sequence access.
macro_rules! delegate {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.value.$method(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = Error;

    delegate! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, self.track, visitor),
            Value::Object(map) => visit_object(map, self.track, visitor),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, self.track, visitor),
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(items) => visit_array(items, self.track, visitor),
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => visit_object(map, self.track, visitor),
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(items) => visit_array(items, self.track, visitor),
            Value::Object(map) => visit_object(map, self.track, visitor),
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    // No served kind decodes through a serde enum; Value's own handling keeps the semantics.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value.deserialize_enum(name, variants, visitor)
    }
}

struct SeqAccess<'t> {
    items: std::vec::IntoIter<Value>,
    index: usize,
    track: &'t mut Track,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        self.track
            .enter(Segment::Index(index), |track| seed.deserialize(De { value, track }))
            .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'t> {
    entries: serde_json::map::IntoIter,
    pending: Option<(String, Value)>,
    track: &'t mut Track,
}

// The entry bookkeeping is out of line: the access methods are instantiated once per field type.
impl MapAccess<'_> {
    #[inline(never)]
    fn advance(&mut self) -> Option<&str> {
        self.pending = self.entries.next();
        self.pending.as_ref().map(|(key, _)| key.as_str())
    }

    #[inline(never)]
    fn take_pending(&mut self) -> Result<(String, Value), Error> {
        self.pending.take().ok_or_else(|| de::Error::custom("value is missing"))
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(key) = self.advance() else { return Ok(None) };
        let result = seed.deserialize(StrDeserializer::<Error>::new(key));
        if result.is_err() {
            let (key, _) = self.take_pending()?;
            return self.track.enter(Segment::Key(key), |_| result.map(Some));
        }
        result.map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, value) = self.take_pending()?;
        self.track.enter(Segment::Key(key), |track| seed.deserialize(De { value, track }))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds::{Kind, Object};

    // Every kind, decoded from documents with one value replaced by each wrong type, must give
    // what serde_json + serde_path_to_error give: the same object, or the same error at the same path.
    fn compare(kind: Kind, value: &Value) {
        macro_rules! check {
            ($ty:ty) => {{
                let ours = from_value::<$ty>(value.clone());
                let theirs = serde_path_to_error::deserialize::<_, $ty>(value.clone());
                match (ours, theirs) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{value}"),
                    (Err(a), Err(b)) => {
                        assert_eq!(a.inner().to_string(), b.inner().to_string(), "{value}");
                        assert_eq!(a.path(), b.path().to_string(), "{value}");
                    }
                    (a, b) => {
                        panic!("{value}: ours {:?}, serde_path_to_error {:?}", a.err(), b.err())
                    }
                }
            }};
        }
        use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
        match kind {
            Kind::Pod => check!(core::Pod),
            Kind::Service => check!(core::Service),
            Kind::ConfigMap => check!(core::ConfigMap),
            Kind::Secret => check!(core::Secret),
            Kind::Deployment => check!(apps::Deployment),
            Kind::CronJob => check!(batch::CronJob),
            Kind::PersistentVolume => check!(core::PersistentVolume),
            _ => unreachable!(),
        }
    }

    fn mutations(value: &Value, out: &mut Vec<Value>, root: &Value, pointer: String) {
        let wrong = [
            Value::Null,
            Value::Bool(true),
            Value::from(-3),
            Value::from(2.5),
            Value::String("x".into()),
            Value::Array(vec![Value::from(1)]),
            serde_json::json!({"k": 1}),
        ];
        for w in wrong {
            let mut copy = root.clone();
            if let Some(slot) = copy.pointer_mut(&pointer) {
                *slot = w;
                out.push(copy);
            }
        }
        match value {
            Value::Object(m) => {
                for (k, v) in m {
                    mutations(v, out, root, format!("{pointer}/{k}"));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    mutations(v, out, root, format!("{pointer}/{i}"));
                }
            }
            _ => {}
        }
    }

    #[test]
    fn matches_serde_path_to_error_on_every_wrong_type() {
        let docs = [
            (
                Kind::Pod,
                serde_json::json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "a", "labels": {"app": "x"}, "creationTimestamp": "2026-03-02T09:00:00Z"},
                "spec": {"containers": [{"name": "a", "image": "nginx",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                    "resources": {"requests": {"cpu": "1"}},
                    "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 1}}],
                    "volumes": [{"name": "v", "configMap": {"name": "c", "defaultMode": 420}}],
                    "nodeSelector": {"disk": "ssd"}}}),
            ),
            (
                Kind::Service,
                serde_json::json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                "spec": {"selector": {"app": "x"}, "ports": [{"port": 80, "targetPort": 8080}],
                    "sessionAffinity": "ClientIP"}}),
            ),
            (
                Kind::ConfigMap,
                serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                "data": {"a": "b"}, "immutable": false}),
            ),
            (
                Kind::Secret,
                serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                "data": {"a": "YWJj"}, "stringData": {"b": "c"}, "type": "Opaque"}),
            ),
            (
                Kind::Deployment,
                serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "x"},
                    "matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]},
                    "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                    "template": {"metadata": {"labels": {"app": "x"}},
                        "spec": {"containers": [{"name": "a", "image": "nginx"}]}}}}),
            ),
            (
                Kind::CronJob,
                serde_json::json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
                "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                    "restartPolicy": "OnFailure", "containers": [{"name": "a", "image": "busybox",
                    "args": ["sh", "-c", "date"]}]}}}}}}),
            ),
            (
                Kind::PersistentVolume,
                serde_json::json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "p"},
                "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                    "hostPath": {"path": "/tmp"}, "persistentVolumeReclaimPolicy": "Retain"}}),
            ),
        ];
        let mut total = 0;
        for (kind, doc) in &docs {
            let mut cases = vec![doc.clone()];
            mutations(doc, &mut cases, doc, String::new());
            total += cases.len();
            for case in &cases {
                compare(*kind, case);
            }
        }
        assert!(total > 500, "{total} cases");
    }

    #[test]
    fn object_from_json_reports_paths() {
        let err = Object::from_json(
            Kind::Pod,
            serde_json::json!({"metadata": {"name": "a"},
                "spec": {"containers": [{"name": "a", "ports": [{"containerPort": "http"}]}]}}),
        )
        .unwrap_err();
        assert_eq!(err.path(), "spec.containers[0].ports[0].containerPort");
        assert_eq!(err.inner().to_string(), "invalid type: string \"http\", expected i32");
        let err = Object::from_json(Kind::Pod, Value::from(1)).unwrap_err();
        assert_eq!(err.path(), ".");
    }
}
