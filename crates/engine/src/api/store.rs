//! The object store: every object by kind, namespace and name, with resource versions and a
//! bounded watch log that controllers, kubelets and the UI read from.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, VecDeque, hash_map};
use std::hash::Hasher;
use std::rc::Rc;

use super::kinds::{ApiKind, Kind, Object};
use crate::fastmap::{FastMap, FastSet, WordHasher};

/// Watch events kept for readers that fall behind (older ones are dropped).
pub const WATCH_LOG_CAPACITY: usize = 20_000;
/// Past this many watch events the log takes its full capacity (a small session keeps a small
/// log).
const LOG_GROWS_IN_FULL: usize = 1_024;

/// Where an object lives.
#[derive(Clone, Debug, Eq)]
pub struct ObjKey {
    /// Its kind.
    pub kind: Kind,
    /// Its namespace (`""` when cluster-scoped).
    pub namespace: Rc<str>,
    /// Its name.
    pub name: Rc<str>,
}

impl ObjKey {
    /// A key for `kind` in `namespace` named `name`.
    pub fn new(kind: Kind, namespace: &str, name: &str) -> Self {
        ObjKey { kind, namespace: namespace.into(), name: name.into() }
    }

    /// The key of an object.
    pub fn of(object: &Object) -> Self {
        ObjKey::new(object.kind(), object.namespace(), object.name())
    }
}

// Keys often share their strings (the store hands out its own): equal pointers need no compare.
fn cmp_shared(a: &Rc<str>, b: &Rc<str>) -> Ordering {
    if Rc::ptr_eq(a, b) { Ordering::Equal } else { a.cmp(b) }
}

/// How many words of a name's start [`Name`] holds.
const NAME_HEAD_WORDS: usize = 4;

/// A name as a key of the ordered maps, ordered as `str` is. Its first 32 bytes are kept as
/// big-endian words in the key itself: names in a namespace share long prefixes
/// (`web-5d8f9c7b6-x2b4k`, its events `web-5d8f9c7b6-x2b4k.1879f…`), and comparing words in the
/// B-tree node is cheaper than a call to memcmp that reads both strings at every step of a walk.
#[derive(Clone, Debug)]
struct Name {
    /// The first bytes, zero-padded: words that differ order as the strings do (a string that
    /// ends is a prefix of the other); equal words leave it to `full`.
    head: [u64; NAME_HEAD_WORDS],
    full: Rc<str>,
}

impl Name {
    fn new(full: Rc<str>) -> Self {
        let mut head = [0; NAME_HEAD_WORDS];
        let mut words = full.as_bytes().chunks_exact(8);
        let mut filled = 0;
        for (word, bytes) in head.iter_mut().zip(&mut words) {
            *word = u64::from_be_bytes(bytes.try_into().unwrap_or_default());
            filled += 1;
        }
        // A short name's last bytes one at a time: copying a variable length would call memcpy.
        if let Some(word) = head.get_mut(filled) {
            let mut bytes = [0; 8];
            for (byte, from) in bytes.iter_mut().zip(words.remainder()) {
                *byte = *from;
            }
            *word = u64::from_be_bytes(bytes);
        }
        Name { head, full }
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.head.iter().zip(&other.head) {
            if a != b {
                return a.cmp(b);
            }
        }
        cmp_shared(&self.full, &other.full)
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Name {}

// Ordered as `str` is, so a map keyed by names can be searched with a `&str`.
impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.full
    }
}

impl PartialEq for ObjKey {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &Rc<str>, b: &Rc<str>| Rc::ptr_eq(a, b) || a == b;
        self.kind == other.kind
            && same(&self.name, &other.name)
            && same(&self.namespace, &other.namespace)
    }
}

// Hashes the strings, as equality compares them (a shared pointer is only a shortcut).
impl std::hash::Hash for ObjKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.namespace.hash(state);
        self.name.hash(state);
    }
}

impl Ord for ObjKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.kind
            .cmp(&other.kind)
            .then_with(|| cmp_shared(&self.namespace, &other.namespace))
            .then_with(|| cmp_shared(&self.name, &other.name))
    }
}

impl PartialOrd for ObjKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    /// Created.
    Added,
    /// Changed.
    Modified,
    /// Removed from the store.
    Deleted,
}

/// One entry of the watch stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchEvent {
    /// Position in the stream (the resource version the change produced).
    pub resource_version: u64,
    /// Added, Modified or Deleted.
    pub event_type: WatchEventType,
    /// The object concerned.
    pub key: ObjKey,
}

/// One stored object, with the key and the controller uid the ordered maps file it under.
#[derive(Clone, Debug)]
struct Entry {
    key: ObjKey,
    /// Held here only (the maps hold positions), so a write changes it in place unless a
    /// reader still holds it.
    object: Rc<Object>,
    /// The controller uid the index lists it under (`None` until indexed, and for kinds that
    /// are not indexed).
    controller: Option<Rc<str>>,
}

/// Positions in [`Store::entries`] of one kind: namespace, then name, so lookups borrow `&str`
/// keys.
type KindMap = BTreeMap<Rc<str>, BTreeMap<Name, usize>>;

/// Positions by kind, namespace, controller uid and name.
type ControllerIndex = BTreeMap<Kind, BTreeMap<Rc<str>, BTreeMap<Rc<str>, BTreeMap<Name, usize>>>>;

/// All objects, ordered for deterministic iteration.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Every object, each in one place that the maps below point at: a write reaches it by
    /// hash, without walking the ordered maps, and a fork copies pointers. `None` is a free
    /// place, listed in `free` for the next new object.
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    objects: BTreeMap<Kind, KindMap>,
    /// Positions by kind, namespace and controller uid (`""` for objects without a controller): the
    /// informer index controllers list their pods through, so a sync costs what it owns.
    by_controller: ControllerIndex,
    /// Every object's position by a hash of its key, for lookups that need no order: thousands of pods
    /// with long shared name prefixes make a walk down the ordered maps slow. A hash that two
    /// keys share is put in `collided`, and those keys are found the ordered way.
    lookup: FastMap<u64, usize>,
    collided: FastSet<u64>,
    /// The resource version of the last write to each kind, by `Kind as usize`: whether
    /// something derived from all objects of a kind is still current.
    kind_changed: Vec<u64>,
    last_resource_version: u64,
    log: VecDeque<WatchEvent>,
}

fn key_hash(kind: Kind, namespace: &str, name: &str) -> u64 {
    let mut h = WordHasher::default();
    h.write_u8(kind as u8);
    h.write(namespace.as_bytes());
    h.write_u8(0xff);
    h.write(name.as_bytes());
    h.finish()
}

fn has_key(key: &ObjKey, kind: Kind, namespace: &str, name: &str) -> bool {
    key.kind == kind && same_str(&key.name, name) && same_str(&key.namespace, namespace)
}

/// Whether two strings are equal; most lookups pass the store's own key strings back, and the
/// same bytes need no compare.
fn same_str(a: &str, b: &str) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || a == b
}

fn controller_uid(object: &Object) -> &str {
    object
        .meta()
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map_or("", |r| r.uid.as_str())
}

/// Events are many and nobody lists them by controller.
fn indexed(kind: Kind) -> bool {
    kind != Kind::Event
}

impl Store {
    /// The latest resource version handed out.
    pub fn resource_version(&self) -> u64 {
        self.last_resource_version
    }

    /// Hands out the next resource version.
    pub fn next_resource_version(&mut self) -> u64 {
        self.last_resource_version += 1;
        self.last_resource_version
    }

    /// The object at `key`.
    pub fn get(&self, key: &ObjKey) -> Option<&Object> {
        self.find(key.kind, &key.namespace, &key.name)
    }

    /// The object of `kind` in `namespace` named `name`.
    pub fn find(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        self.find_shared(kind, namespace, name).map(|o| &**o)
    }

    /// The object of `kind` in `namespace` named `name`, shared.
    pub fn find_shared(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Rc<Object>> {
        let at = self.locate(key_hash(kind, namespace, name), kind, namespace, name)?;
        self.entry(at).map(|e| &e.object)
    }

    /// The stored object at `key`, shared.
    pub fn get_shared(&self, key: &ObjKey) -> Option<Rc<Object>> {
        self.find_shared(key.kind, &key.namespace, &key.name).cloned()
    }

    fn entry(&self, at: usize) -> Option<&Entry> {
        self.entries.get(at)?.as_ref()
    }

    /// Where the object of `kind` in `namespace` named `name` is kept; `hash` is its key's.
    fn locate(&self, hash: u64, kind: Kind, namespace: &str, name: &str) -> Option<usize> {
        if let Some(&at) = self.lookup.get(&hash)
            && self.entry(at).is_some_and(|e| has_key(&e.key, kind, namespace, name))
        {
            return Some(at);
        }
        if !self.collided.contains(&hash) {
            return None;
        }
        self.objects.get(&kind)?.get(namespace)?.get(name).copied()
    }

    /// The resource version of the last write to an object of `kind` (0: none yet).
    pub fn kind_changed(&self, kind: Kind) -> u64 {
        self.kind_changed.get(kind as usize).copied().unwrap_or(0)
    }

    fn touch(&mut self, kind: Kind, rv: u64) {
        let i = kind as usize;
        if self.kind_changed.len() <= i {
            self.kind_changed.resize(i + 1, 0);
        }
        self.kind_changed[i] = rv;
    }

    /// The typed object of kind `T`.
    pub fn get_typed<T: ApiKind>(&self, namespace: &str, name: &str) -> Option<&T> {
        self.find(T::KIND, namespace, name).and_then(T::from_object)
    }

    /// Every object of `kind` in `namespace` (all namespaces when `None`), in name order.
    pub fn list<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        let map = self.objects.get(&kind);
        // Every namespace, or the one asked for: one iterator type, not a boxed one per call.
        let every = map.filter(|_| namespace.is_none()).into_iter().flat_map(BTreeMap::values);
        let one = map.zip(namespace).and_then(|(m, ns)| m.get(ns));
        every
            .chain(one)
            .flat_map(BTreeMap::values)
            .filter_map(|&at| self.entry(at))
            .map(|e| &*e.object)
    }

    /// Every typed object of kind `T` in `namespace` (all when `None`).
    pub fn list_typed<'a, T: ApiKind + 'a>(
        &'a self,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a T> + 'a {
        self.list(T::KIND, namespace).filter_map(T::from_object)
    }

    /// Objects of `kind` in `namespace` whose controller has `uid` (`""`: no controller), in
    /// name order.
    pub fn controlled_by<'a>(
        &'a self,
        kind: Kind,
        namespace: &str,
        uid: &str,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.controlled_by_shared(kind, namespace, uid).map(|o| &**o)
    }

    /// [`Store::controlled_by`], as shared handles a caller may keep while it writes.
    pub fn controlled_by_shared<'a>(
        &'a self,
        kind: Kind,
        namespace: &str,
        uid: &str,
    ) -> impl Iterator<Item = &'a Rc<Object>> + 'a {
        self.by_controller
            .get(&kind)
            .and_then(|m| m.get(namespace))
            .and_then(|m| m.get(uid))
            .into_iter()
            .flat_map(BTreeMap::values)
            .filter_map(|&at| self.entry(at))
            .map(|e| &e.object)
    }

    /// How many objects of `kind` exist.
    pub fn count(&self, kind: Kind) -> usize {
        self.objects.get(&kind).map_or(0, |m| m.values().map(BTreeMap::len).sum())
    }

    /// Puts `object` at its key (stamping a new resource version), logging Added or Modified.
    pub fn put(&mut self, object: Object) -> WatchEvent {
        self.put_shared(object).0
    }

    /// [`Store::put`], handing back the stored object too (no second look-up for it).
    pub fn put_shared(&mut self, mut object: Object) -> (WatchEvent, Rc<Object>) {
        let rv = self.next_resource_version();
        object.meta_mut().resource_version = Some(rv.to_string());
        let kind = object.kind();
        self.touch(kind, rv);
        let hash = key_hash(kind, object.namespace(), object.name());
        let at = self.locate(hash, kind, object.namespace(), object.name());
        let object = Rc::new(object);
        let stored = Rc::clone(&object);
        let (key, event_type) = match at {
            Some(at) => (self.replace(at, object), WatchEventType::Modified),
            None => (self.add(hash, object), WatchEventType::Added),
        };
        (self.log_event(WatchEvent { resource_version: rv, event_type, key }), stored)
    }

    /// Puts `object` in place of the one at `at`, which has its key; hands back the key.
    fn replace(&mut self, at: usize, object: Rc<Object>) -> ObjKey {
        let Some(Some(entry)) = self.entries.get_mut(at) else { return ObjKey::of(&object) };
        entry.object = object;
        let key = entry.key.clone();
        self.reindex(at);
        key
    }

    /// Stores `object`, whose key is not stored and hashes to `hash`; hands back its key.
    fn add(&mut self, hash: u64, object: Rc<Object>) -> ObjKey {
        let kind = object.kind();
        let by_namespace = self.objects.entry(kind).or_default();
        // Look before inserting: most writes go to a namespace whose key string exists.
        let namespace = match by_namespace.get_key_value(object.namespace()) {
            Some((namespace, _)) => Rc::clone(namespace),
            None => object.namespace().into(),
        };
        let key = ObjKey { kind, namespace, name: object.name().into() };
        let at = match self.free.pop() {
            Some(at) => at,
            None => {
                self.entries.push(None);
                self.entries.len() - 1
            }
        };
        by_namespace
            .entry(Rc::clone(&key.namespace))
            .or_default()
            .insert(Name::new(Rc::clone(&key.name)), at);
        if let Some(place) = self.entries.get_mut(at) {
            *place = Some(Entry { key: key.clone(), object, controller: None });
        }
        match self.lookup.entry(hash) {
            hash_map::Entry::Vacant(place) => {
                place.insert(at);
            }
            hash_map::Entry::Occupied(_) => {
                self.collided.insert(hash);
            }
        }
        self.index(at);
        key
    }

    /// Changes the stored object at `key` in place (stamping a new resource version), logging
    /// Modified; `None` if there is none. The object is copied only if someone else still holds
    /// it, so a status write does not clone a whole pod.
    pub fn modify(&mut self, key: &ObjKey, change: impl FnOnce(&mut Object)) -> Option<WatchEvent> {
        self.modify_if(key, |object| {
            change(object);
            true
        })
    }

    /// [`Store::modify`] for a change that may turn out to be none: `change` says whether it
    /// changed the object. An unchanged object gets no resource version and no watch event
    /// (`None`), so a caller can patch in place instead of building a copy to compare.
    pub fn modify_if(
        &mut self,
        key: &ObjKey,
        change: impl FnOnce(&mut Object) -> bool,
    ) -> Option<WatchEvent> {
        self.modify_if_shared(key, change).map(|(event, _)| event)
    }

    /// [`Store::modify_if`], handing back the changed object too (no second look-up for it).
    pub fn modify_if_shared(
        &mut self,
        key: &ObjKey,
        change: impl FnOnce(&mut Object) -> bool,
    ) -> Option<(WatchEvent, Rc<Object>)> {
        let rv = self.last_resource_version + 1;
        let at = self.locate(
            key_hash(key.kind, &key.namespace, &key.name),
            key.kind,
            &key.namespace,
            &key.name,
        )?;
        let entry = self.entries.get_mut(at)?.as_mut()?;
        let object = Rc::make_mut(&mut entry.object);
        let changed = change(object);
        if changed {
            object.meta_mut().resource_version = Some(rv.to_string());
        }
        let key = entry.key.clone();
        // A copy made for a reader's sake is listed like a change would be.
        self.reindex(at);
        if !changed {
            return None;
        }
        self.last_resource_version = rv;
        self.touch(key.kind, rv);
        let event = WatchEvent { resource_version: rv, event_type: WatchEventType::Modified, key };
        let stored = Rc::clone(&self.entry(at)?.object);
        Some((self.log_event(event), stored))
    }

    /// Removes the object at `key`, logging Deleted. The object is handed back shared: moving a
    /// large object out of its `Rc` costs more than most callers need.
    pub fn remove(&mut self, key: &ObjKey) -> Option<(Rc<Object>, WatchEvent)> {
        let hash = key_hash(key.kind, &key.namespace, &key.name);
        let at = self.locate(hash, key.kind, &key.namespace, &key.name)?;
        self.unindex(at);
        let entry = self.entries.get_mut(at)?.take()?;
        self.free.push(at);
        if let Some(kind_map) = self.objects.get_mut(&key.kind)
            && let Some(names) = kind_map.get_mut(&*key.namespace)
        {
            names.remove(&Name::new(Rc::clone(&entry.key.name)));
            if names.is_empty() {
                kind_map.remove(&*key.namespace);
            }
        }
        if let hash_map::Entry::Occupied(place) = self.lookup.entry(hash)
            && *place.get() == at
        {
            place.remove();
        }
        let rv = self.next_resource_version();
        self.touch(key.kind, rv);
        let event = self.log_event(WatchEvent {
            resource_version: rv,
            event_type: WatchEventType::Deleted,
            key: entry.key,
        });
        Some((entry.object, event))
    }

    /// Files the object at `at` under its controller again if it has changed.
    fn reindex(&mut self, at: usize) {
        let moved = self.entry(at).is_some_and(|e| {
            e.controller.as_deref().is_some_and(|uid| uid != controller_uid(&e.object))
        });
        if moved {
            self.unindex(at);
            self.index(at);
        }
    }

    /// Files the object at `at` under its controller in the index.
    fn index(&mut self, at: usize) {
        let Store { entries, by_controller, .. } = self;
        let Some(Some(entry)) = entries.get_mut(at) else { return };
        if !indexed(entry.key.kind) {
            return;
        }
        let by_uid = by_controller
            .entry(entry.key.kind)
            .or_default()
            .entry(Rc::clone(&entry.key.namespace))
            .or_default();
        let uid = controller_uid(&entry.object);
        let uid = match by_uid.get_key_value(uid) {
            Some((shared, _)) => Rc::clone(shared),
            None => uid.into(),
        };
        by_uid
            .entry(Rc::clone(&uid))
            .or_default()
            .insert(Name::new(Rc::clone(&entry.key.name)), at);
        entry.controller = Some(uid);
    }

    /// Takes the object at `at` out of the index.
    fn unindex(&mut self, at: usize) {
        let Store { entries, by_controller, .. } = self;
        let Some(Some(entry)) = entries.get_mut(at) else { return };
        let Some(uid) = entry.controller.take() else { return };
        let key = &entry.key;
        let Some(by_namespace) = by_controller.get_mut(&key.kind) else { return };
        let Some(by_uid) = by_namespace.get_mut(&*key.namespace) else { return };
        if let Some(names) = by_uid.get_mut(&*uid) {
            names.remove(&Name::new(Rc::clone(&key.name)));
            if names.is_empty() {
                by_uid.remove(&*uid);
            }
        }
        if by_uid.is_empty() {
            by_namespace.remove(&*key.namespace);
        }
    }

    fn log_event(&mut self, event: WatchEvent) -> WatchEvent {
        if self.log.len() == WATCH_LOG_CAPACITY {
            self.log.pop_front();
        } else if self.log.len() == self.log.capacity() && self.log.len() >= LOG_GROWS_IN_FULL {
            // Room for the whole log at once: doubling up to it would copy it again and again.
            self.log.reserve_exact(WATCH_LOG_CAPACITY - self.log.len());
        }
        self.log.push_back(event.clone());
        event
    }

    /// Watch events after resource version `since` that are still in the log.
    pub fn events_since(&self, since: u64) -> impl Iterator<Item = &WatchEvent> {
        let start = self.log.partition_point(|e| e.resource_version <= since);
        self.log.range(start..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn pod(ns: &str, name: &str) -> Object {
        let mut p = Pod::default();
        p.metadata.name = Some(name.into());
        p.metadata.namespace = Some(ns.into());
        Object::from(p)
    }

    #[test]
    fn list_is_scoped_to_a_namespace_and_ordered_by_name() {
        let mut s = Store::default();
        s.put(pod("b", "z"));
        s.put(pod("a", "y"));
        s.put(pod("b", "x"));
        s.put(pod("bb", "w"));
        let names: Vec<&str> = s.list(Kind::Pod, Some("b")).map(Object::name).collect();
        assert_eq!(names, ["x", "z"]);
        assert_eq!(s.list(Kind::Pod, None).count(), 4);
        assert_eq!(s.list(Kind::Node, None).count(), 0);
    }

    #[test]
    fn a_removed_object_makes_room_and_listings_stay_in_name_order() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
        let owned = |name: &str| {
            let mut p = pod("d", name);
            let owner =
                OwnerReference { controller: Some(true), uid: "rs-1".into(), ..Default::default() };
            p.meta_mut().owner_references = Some(vec![owner]);
            p
        };
        let mut s = Store::default();
        for name in ["web-c", "web-a", "web-d", "web-b"] {
            s.put(owned(name));
        }
        s.remove(&ObjKey::new(Kind::Pod, "d", "web-a"));
        s.remove(&ObjKey::new(Kind::Pod, "d", "web-d"));
        // New objects take the places the removed ones left.
        s.put(owned("web-e"));
        s.put(owned("web-0"));
        let listed: Vec<&str> = s.list(Kind::Pod, Some("d")).map(Object::name).collect();
        assert_eq!(listed, ["web-0", "web-b", "web-c", "web-e"]);
        let owned: Vec<&str> = s.controlled_by(Kind::Pod, "d", "rs-1").map(Object::name).collect();
        assert_eq!(owned, listed);
        assert_eq!(s.count(Kind::Pod), 4);
        assert!(s.get(&ObjKey::new(Kind::Pod, "d", "web-a")).is_none());
        assert_eq!(s.find(Kind::Pod, "d", "web-e").map(Object::name), Some("web-e"));
    }

    #[test]
    fn names_order_as_strings_do() {
        let names = [
            "",
            "a",
            "a\0",
            "ab",
            "web-5d8f",
            "web-5d8f9",
            "web-5d8f9c7b6-x2b4k",
            "web-5d8f9c7b6-x2b4l",
            "web-5d8f9c7b6-x2b4k.1879f3a2",
            "web-5d8f9c7b6-x2b4k.1879f3a1",
            "web-5d8f9c7b6-x2b4k\u{e9}",
            "web-5d8f9c7b6-x2b4k.1879f3a2b4c5d6e7",
            "web-5d8f9c7b6-x2b4k.1879f3a2b4c5d6e8",
            "Web",
            "web-5d8f9c7b6-x2",
            "web-5d8f9c7b6-x2b4k.1879f3a2b4c5",
            "web-5d8f9c7b6-x2b4k.1879f3a2b4c5\0",
        ];
        for a in names {
            for b in names {
                let order = Name::new(a.into()).cmp(&Name::new(b.into()));
                assert_eq!(order, a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn writes_bump_resource_versions_and_are_watched_in_order() {
        let mut s = Store::default();
        let a = s.put(pod("d", "p"));
        let b = s.put(pod("d", "p"));
        let (_, c) = s.remove(&ObjKey::new(Kind::Pod, "d", "p")).unwrap();
        assert_eq!(a.event_type, WatchEventType::Added);
        assert_eq!(b.event_type, WatchEventType::Modified);
        assert_eq!(c.event_type, WatchEventType::Deleted);
        let seen: Vec<u64> =
            s.events_since(a.resource_version).map(|e| e.resource_version).collect();
        assert_eq!(seen, [b.resource_version, c.resource_version]);
        assert!(s.get(&ObjKey::new(Kind::Pod, "d", "p")).is_none());
    }

    #[test]
    fn keys_that_share_a_hash_are_both_found_modified_and_removed() {
        let mut s = Store::default();
        s.put(pod("d", "a"));
        let a = ObjKey::new(Kind::Pod, "d", "a");
        let b = ObjKey::new(Kind::Pod, "d", "b");
        // Pretend b's hash is taken by a (a 64-bit collision is too rare to find by search).
        let a_at = s.lookup[&key_hash(a.kind, &a.namespace, &a.name)];
        s.lookup.insert(key_hash(b.kind, &b.namespace, &b.name), a_at);
        s.put(pod("d", "b"));
        assert_eq!(s.get(&b).map(Object::name), Some("b"));
        assert_eq!(s.get(&a).map(Object::name), Some("a"));
        s.modify(&b, |o| o.meta_mut().labels = Some([("x".into(), "y".into())].into()));
        assert!(s.get(&b).unwrap().meta().labels.is_some());
        s.remove(&b);
        assert!(s.get(&b).is_none());
        assert_eq!(s.get(&a).map(Object::name), Some("a"));
    }

    #[test]
    fn a_modified_object_is_changed_in_place_and_still_found() {
        let mut s = Store::default();
        s.put(pod("d", "p"));
        let key = ObjKey::new(Kind::Pod, "d", "p");
        let before = Rc::as_ptr(&s.get_shared(&key).unwrap());
        s.modify(&key, |o| o.meta_mut().generation = Some(2));
        let after = s.get_shared(&key).unwrap();
        assert_eq!(Rc::as_ptr(&after), before, "copied instead of changed in place");
        assert_eq!(after.meta().generation, Some(2));
    }

    #[test]
    fn a_modify_that_changes_the_controller_moves_the_object_between_owners() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
        let mut s = Store::default();
        s.put(pod("d", "p"));
        let key = ObjKey::new(Kind::Pod, "d", "p");
        let names = |s: &Store, uid: &str| -> Vec<String> {
            s.controlled_by(Kind::Pod, "d", uid).map(|o| o.name().to_string()).collect()
        };
        let held = s.get_shared(&key).unwrap();
        let adopt =
            OwnerReference { controller: Some(true), uid: "rs-1".into(), ..Default::default() };
        s.modify(&key, |o| o.meta_mut().owner_references = Some(vec![adopt]));
        assert_eq!(names(&s, "rs-1"), ["p"]);
        assert!(names(&s, "").is_empty());
        assert!(held.meta().owner_references.is_none(), "a reader's copy changed under it");
        // A write that keeps the controller leaves the object listed, in its new version.
        s.modify(&key, |o| o.meta_mut().generation = Some(3));
        let listed: Vec<Option<i64>> =
            s.controlled_by(Kind::Pod, "d", "rs-1").map(|o| o.meta().generation).collect();
        assert_eq!(listed, [Some(3)]);
        s.modify(&key, |o| o.meta_mut().owner_references = None);
        assert_eq!(names(&s, ""), ["p"]);
        assert!(names(&s, "rs-1").is_empty());
        assert_eq!(s.get(&key).unwrap().meta().generation, Some(3));
    }

    #[test]
    fn a_modify_if_that_changes_nothing_is_neither_stamped_nor_watched() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
        let mut s = Store::default();
        let mut p = pod("d", "p");
        let owner =
            OwnerReference { controller: Some(true), uid: "rs-1".into(), ..Default::default() };
        p.meta_mut().owner_references = Some(vec![owner]);
        let added = s.put(p);
        let key = ObjKey::new(Kind::Pod, "d", "p");
        // A reader's handle forces a copy, which must be put back everywhere as a change would be.
        let held = s.get_shared(&key).unwrap();
        assert!(s.modify_if(&key, |_| false).is_none());
        assert_eq!(s.resource_version(), added.resource_version);
        assert_eq!(s.kind_changed(Kind::Pod), added.resource_version);
        assert_eq!(s.events_since(added.resource_version).count(), 0);
        let stored = s.get_shared(&key).unwrap();
        assert_eq!(*stored, *held);
        let listed: Vec<*const Object> =
            s.controlled_by_shared(Kind::Pod, "d", "rs-1").map(Rc::as_ptr).collect();
        assert_eq!(listed, [Rc::as_ptr(&stored)]);
        // One that changes something is a modify.
        let event = s.modify_if(&key, |o| {
            o.meta_mut().generation = Some(2);
            true
        });
        assert_eq!(event.map(|e| e.resource_version), Some(added.resource_version + 1));
        let stored = s.get(&key).unwrap().meta();
        assert_eq!(stored.generation, Some(2));
        assert_eq!(stored.resource_version, Some((added.resource_version + 1).to_string()));
        assert!(s.modify_if(&ObjKey::new(Kind::Pod, "d", "q"), |_| true).is_none());
    }
}
