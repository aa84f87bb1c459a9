//! Store invariants under random create/update/delete sequences.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use kubeplay_engine::api::{Kind, ObjKey, Object, Store, WatchEventType};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Put(u8, u8, u8),
    Remove(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3, 0u8..5, any::<u8>()).prop_map(|(n, k, v)| Op::Put(n, k, v)),
        (0u8..3, 0u8..5).prop_map(|(n, k)| Op::Remove(n, k)),
    ]
}

fn config_map(ns: u8, name: u8, value: u8) -> Object {
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some(format!("cm-{name}"));
    cm.metadata.namespace = Some(format!("ns-{ns}"));
    cm.data = Some(BTreeMap::from([("v".to_string(), value.to_string())]));
    Object::from(cm)
}

proptest! {
    #[test]
    fn watch_log_replays_to_the_store_and_versions_only_grow(ops in proptest::collection::vec(op(), 1..200)) {
        let mut store = Store::default();
        let mut model: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut last_rv = 0;
        for op in ops {
            match op {
                Op::Put(n, k, v) => {
                    let ev = store.put(config_map(n, k, v));
                    prop_assert!(ev.resource_version > last_rv);
                    last_rv = ev.resource_version;
                    model.insert((format!("ns-{n}"), format!("cm-{k}")), v.to_string());
                }
                Op::Remove(n, k) => {
                    let key = ObjKey::new(Kind::ConfigMap, &format!("ns-{n}"), &format!("cm-{k}"));
                    let removed = store.remove(&key);
                    prop_assert_eq!(removed.is_some(), model.remove(&(key.namespace.to_string(), key.name.to_string())).is_some());
                    if let Some((_, ev)) = removed {
                        prop_assert!(ev.resource_version > last_rv);
                        last_rv = ev.resource_version;
                    }
                }
            }
        }
        // The store holds exactly the model, in namespace/name order.
        let listed: Vec<(String, String)> = store.list(Kind::ConfigMap, None).map(|o| (o.namespace().to_string(), o.name().to_string())).collect();
        let expected: Vec<(String, String)> = model.keys().cloned().collect();
        prop_assert_eq!(listed, expected);
        // Replaying the watch log from the start gives the same set of live keys.
        let mut replay: BTreeMap<ObjKey, ()> = BTreeMap::new();
        for ev in store.events_since(0) {
            match ev.event_type {
                WatchEventType::Deleted => { replay.remove(&ev.key); }
                _ => { replay.insert(ev.key.clone(), ()); }
            }
        }
        prop_assert_eq!(replay.len(), model.len());
    }
}
