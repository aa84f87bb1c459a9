//! The cluster's shared state and the API server's request path.
//!
//! Every write goes through here: create (default, admit, validate, store), update, status writes by
//! the system's own components, and deletion with grace periods, finalizers and cascading. Each
//! write produces a watch event, which the control loops turn into work (see `controllers`).

use std::collections::{BTreeMap, VecDeque, hash_map};
use std::rc::Rc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::strategy;
use crate::api::{ApiError, ApiKind, Kind, ObjKey, Object, Reason, Store};
use crate::clock::{Clock, Millis, TimerId};
use crate::controllers::{self, Component};
use crate::fastmap::{FastMap, FastSet};
use crate::kubelet;
use crate::rng::Rng;
use crate::sim::SimConfig;
use crate::time;

mod correlator;
mod events;
mod series;

pub use events::{EVENT_TTL_MS, MAX_EVENTS, first_seen_ms, last_seen_ms};

/// Reconciles one settle pass may run before it yields (a runaway loop stops here).
pub const MAX_RECONCILES_PER_SETTLE: usize = 500_000;
/// Alphabet of generated name suffixes (apimachinery `rand.String`).
pub const NAME_SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Something due at a moment of virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A component should look at an object again.
    Requeue(Component, ObjKey),
    /// A step of a container's or pod's life on a node.
    Kubelet(kubelet::KubeletTimer),
}

/// How a deletion treats dependents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Delete the owner now, its dependents afterwards.
    #[default]
    Background,
    /// Delete dependents first, then the owner.
    Foreground,
    /// Leave dependents, removing their owner references.
    Orphan,
}

/// The whole simulated cluster. `Clone` forks it (see `Sim::fork`): the copy evolves on its own.
#[derive(Clone)]
pub struct Cluster {
    pub(crate) config: SimConfig,
    pub(crate) store: Store,
    pub(crate) clock: Clock<Timer>,
    pub(crate) rng: Rng,
    pub(crate) kubelet: kubelet::Runtime,
    pub(crate) owners: controllers::gc::OwnerIndex,
    pub(crate) scheduler_cache: crate::scheduler::Cache,
    pub(crate) service_env_cache: crate::network::env::EnvCache,
    /// Work in the order it was asked for, and the same items for a quick "already queued?".
    queue: VecDeque<(Component, ObjKey)>,
    queued: FastSet<(Component, ObjKey)>,
    /// The one pending `requeue_at` timer per loop and key; only looked up, never listed, so by
    /// hash: a B-tree of pod keys compares long names at every step.
    requeues: BTreeMap<Component, FastMap<ObjKey, TimerId>>,
    /// The events recorded, for counting repeats and for expiry.
    events: events::EventBook,
    pub(crate) net: crate::network::NetState,
    pub(crate) volumes: crate::volumes::Store,
    /// Warnings the API server sent with the current request (`Warning:` lines in kubectl).
    pub(crate) warnings: Vec<String>,
    /// kubectl's kubeconfig (contexts and their namespaces).
    pub(crate) kubeconfig: crate::kubectl::kubeconfig::Kubeconfig,
}

impl Cluster {
    /// An empty cluster (no nodes or namespaces yet; see `bootstrap`).
    pub fn empty(config: SimConfig) -> Self {
        let rng = Rng::new(config.seed);
        Cluster {
            config,
            store: Store::default(),
            clock: Clock::default(),
            rng,
            kubelet: kubelet::Runtime::default(),
            owners: controllers::gc::OwnerIndex::default(),
            scheduler_cache: crate::scheduler::Cache::default(),
            service_env_cache: crate::network::env::EnvCache::default(),
            queue: VecDeque::new(),
            queued: FastSet::default(),
            requeues: BTreeMap::new(),
            events: events::EventBook::default(),
            net: crate::network::NetState::default(),
            volumes: crate::volumes::Store::default(),
            warnings: Vec::new(),
            kubeconfig: Default::default(),
        }
    }

    /// Current virtual time.
    pub fn now_ms(&self) -> Millis {
        self.clock.now_ms()
    }

    /// Current virtual time as a signed offset (for timestamps).
    pub fn now(&self) -> i64 {
        self.clock.now_ms() as i64
    }

    /// Read access to the store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The object at `key`.
    pub fn get(&self, key: &ObjKey) -> Option<&Object> {
        self.store.get(key)
    }

    /// A fresh random UID.
    pub fn new_uid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        // A version 4 UUID: 8-4-4-4-12 hex digits.
        let mut uid = String::with_capacity(36);
        crate::hex::push_u64(&mut uid, a >> 32, 8);
        uid.push('-');
        crate::hex::push_u64(&mut uid, a >> 16, 4);
        uid.push_str("-4");
        crate::hex::push_u64(&mut uid, a, 3);
        uid.push('-');
        crate::hex::push_u64(&mut uid, ((b >> 48) & 0x3fff) | 0x8000, 4);
        uid.push('-');
        crate::hex::push_u64(&mut uid, b, 12);
        uid
    }

    /// `len` random characters of the API server's name alphabet.
    pub fn random_suffix(&mut self, len: usize) -> String {
        self.rng.string_from(NAME_SUFFIX_ALPHABET, len)
    }

    /// The draws of [`Cluster::random_suffix`], without the suffix.
    pub fn skip_random_suffix(&mut self, len: usize) {
        self.rng.skip_string_from(NAME_SUFFIX_ALPHABET, len);
    }

    // ---- work queue -------------------------------------------------------------------------

    /// Asks `component` to reconcile `key` soon.
    pub fn enqueue(&mut self, component: Component, key: ObjKey) {
        // A key's copy shares its strings: one hash and no allocation.
        if self.queued.insert((component, key.clone())) {
            self.queue.push_back((component, key));
        }
    }

    /// Asks `component` to reconcile `key` after `delay_ms`.
    pub fn requeue_after(&mut self, component: Component, key: ObjKey, delay_ms: Millis) {
        self.clock.schedule_in(delay_ms, Timer::Requeue(component, key));
    }

    /// Asks `component` to reconcile `key` at `due_ms`, replacing its earlier such request.
    pub fn requeue_at(&mut self, component: Component, key: &ObjKey, due_ms: Millis) {
        let due_ms = due_ms.max(self.clock.now_ms());
        let pending = self.requeues.entry(component).or_default();
        // One search of the pending timers, not a look-up and then an insert.
        match pending.entry(key.clone()) {
            hash_map::Entry::Occupied(mut place) => {
                if place.get().due_ms() == due_ms {
                    return;
                }
                self.clock.cancel(*place.get());
                place
                    .insert(self.clock.schedule_at(due_ms, Timer::Requeue(component, key.clone())));
            }
            hash_map::Entry::Vacant(place) => {
                place
                    .insert(self.clock.schedule_at(due_ms, Timer::Requeue(component, key.clone())));
            }
        }
    }

    /// Drops the pending `requeue_at` of `key` by `component`.
    pub fn cancel_requeue(&mut self, component: Component, key: &ObjKey) {
        if let Some(id) = self.requeues.get_mut(&component).and_then(|p| p.remove(key)) {
            self.clock.cancel(id);
        }
    }

    /// Runs queued work until the control loops are quiet (bounded).
    pub fn settle(&mut self) {
        for _ in 0..MAX_RECONCILES_PER_SETTLE {
            let Some(item) = self.queue.pop_front() else { return };
            self.queued.remove(&item);
            controllers::reconcile(self, item.0, &item.1);
        }
    }

    /// Whether any work is queued.
    pub fn is_settled(&self) -> bool {
        self.queue.is_empty()
    }

    /// Fires the timers due at the next instant (at or before `until_ms`), then settles. False
    /// when none was due. Timers of one instant fire together so that the control loops see
    /// their writes as one burst, as a work queue coalesces a burst of informer events.
    pub fn fire_next_timer(&mut self, until_ms: Millis) -> bool {
        let timers = self.clock.pop_next_instant(until_ms);
        if timers.is_empty() {
            return false;
        }
        for timer in timers {
            match timer {
                Timer::Requeue(component, key) => {
                    let now = self.clock.now_ms();
                    if let Some(pending) = self.requeues.get_mut(&component)
                        && pending.get(&key).is_some_and(|id| id.due_ms() <= now)
                    {
                        pending.remove(&key);
                    }
                    self.enqueue(component, key);
                }
                Timer::Kubelet(t) => kubelet::on_timer(self, t),
            }
        }
        self.settle();
        true
    }

    // ---- writes -----------------------------------------------------------------------------

    /// Changes the stored object at `key` in place (a system write that knows it changes
    /// something, such as the kubelet's status) and tells the control loops.
    pub fn modify(&mut self, key: &ObjKey, change: impl FnOnce(&mut Object)) -> Option<Rc<Object>> {
        self.modify_if(key, |object| {
            change(object);
            true
        })
    }

    /// [`Cluster::modify`] for a write that may change nothing (`change` says whether it did):
    /// an unchanged object is not stamped and the loops are not told (`None`).
    pub fn modify_if(
        &mut self,
        key: &ObjKey,
        change: impl FnOnce(&mut Object) -> bool,
    ) -> Option<Rc<Object>> {
        let (event, stored) = self.store.modify_if_shared(key, change)?;
        controllers::on_watch_event(self, &event, &stored);
        Some(stored)
    }

    /// Stores `object` as is (stamping a resource version) and tells the control loops.
    pub fn write(&mut self, object: Object) -> Rc<Object> {
        let (event, stored) = self.store.put_shared(object);
        controllers::on_watch_event(self, &event, &stored);
        stored
    }

    /// Stores a typed object as is.
    pub fn write_typed<T: ApiKind>(&mut self, object: T) -> Rc<Object> {
        self.write(object.into_object())
    }

    /// The API server's create: namespace check, generateName, defaults, admission, validation.
    pub fn create(&mut self, mut object: Object) -> Result<Rc<Object>, ApiError> {
        let kind = object.kind();
        let info = kind.info();
        if info.namespaced {
            if object.namespace().is_empty() {
                object.meta_mut().namespace = Some("default".into());
            }
            let ns = object.namespace().to_string();
            match self.store.get_typed::<k8s_openapi::api::core::v1::Namespace>("", &ns) {
                None => return Err(ApiError::not_found("namespaces", &ns)),
                Some(n) if n.metadata.deletion_timestamp.is_some() && kind != Kind::Event => {
                    return Err(ApiError::new(
                        Reason::Forbidden,
                        format!(
                            "{} \"{}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                            info.qualified_plural(),
                            object.name()
                        ),
                    ));
                }
                Some(_) => {}
            }
        } else {
            object.meta_mut().namespace = None;
        }
        if object.name().is_empty()
            && let Some(generate_name) = object.meta().generate_name.as_deref()
            && !generate_name.is_empty()
        {
            // At most 58 characters of the base, then five random ones.
            let cut = generate_name.char_indices().nth(58).map_or(generate_name.len(), |(i, _)| i);
            let mut name = String::with_capacity(cut + 5);
            loop {
                name.truncate(0);
                name.push_str(&generate_name[..cut]);
                self.rng.push_string_from(&mut name, NAME_SUFFIX_ALPHABET, 5);
                if self.store.find(kind, object.namespace(), &name).is_none() {
                    break;
                }
            }
            object.meta_mut().name = Some(name);
        }
        strategy::default(self, &mut object);
        strategy::admit(self, &mut object);
        let causes = strategy::validate_create(self, &object);
        if !causes.is_empty() {
            return Err(ApiError::invalid(info.kind, object.name(), causes));
        }
        let key = ObjKey::of(&object);
        if self.store.get(&key).is_some() {
            return Err(ApiError::already_exists(&info.qualified_plural(), object.name()));
        }
        let uid = self.new_uid();
        let now = self.now();
        let meta = object.meta_mut();
        meta.uid = Some(uid);
        meta.creation_timestamp = Some(time::time(now));
        meta.resource_version = None;
        meta.deletion_timestamp = None;
        meta.deletion_grace_period_seconds = None;
        meta.managed_fields = None;
        meta.generation = strategy::has_generation(kind).then_some(1);
        strategy::prepare_for_create(self, &mut object);
        self.warnings.extend(strategy::warnings(&object));
        Ok(self.write(object))
    }

    /// The API server's update of an object's spec and metadata (status is kept as stored).
    pub fn update(&mut self, mut object: Object) -> Result<Rc<Object>, ApiError> {
        let kind = object.kind();
        let info = kind.info();
        if info.namespaced && object.namespace().is_empty() {
            object.meta_mut().namespace = Some("default".into());
        }
        let key = ObjKey::of(&object);
        let Some(old) = self.store.get(&key).cloned() else {
            return Err(ApiError::not_found(&info.qualified_plural(), object.name()));
        };
        // Optimistic concurrency: a resourceVersion in the request must be the stored one.
        if let Some(rv) = object.meta().resource_version.as_deref().filter(|rv| !rv.is_empty())
            && old.meta().resource_version.as_deref() != Some(rv)
        {
            return Err(ApiError::new(
                Reason::Conflict,
                format!(
                    "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                    info.qualified_plural(),
                    object.name()
                ),
            ));
        }
        strategy::default(self, &mut object);
        strategy::prepare_for_update(self, &old, &mut object);
        let mut causes = strategy::validate_update(self, &old, &object);
        causes.extend(strategy::validate_create(self, &object));
        if !causes.is_empty() {
            return Err(ApiError::invalid(info.kind, object.name(), causes));
        }
        {
            let (om, m) = (old.meta(), object.meta_mut());
            m.uid = om.uid.clone();
            m.creation_timestamp = om.creation_timestamp.clone();
            m.deletion_timestamp = om.deletion_timestamp.clone();
            m.deletion_grace_period_seconds = om.deletion_grace_period_seconds;
            m.generation = om.generation;
            m.managed_fields = None;
        }
        strategy::keep_status(&old, &mut object);
        if strategy::has_generation(kind) && strategy::spec_changed(&old, &object) {
            let g = old.meta().generation.unwrap_or(0) + 1;
            object.meta_mut().generation = Some(g);
        }
        if object == old_with_rv(&old, &object) {
            return Ok(Rc::new(old));
        }
        Ok(self.write(object))
    }

    /// A system component's write: spec or status as the component set it, generation kept honest.
    pub fn update_internal(&mut self, mut object: Object) -> Rc<Object> {
        let key = ObjKey::of(&object);
        if let Some(old) = self.store.get(&key) {
            // Binding and status writes never bump a pod's generation; controllers' spec writes do.
            let tracks = strategy::has_generation(object.kind()) && object.kind() != Kind::Pod;
            if tracks && strategy::spec_changed(old, &object) {
                object.meta_mut().generation = Some(old.meta().generation.unwrap_or(0) + 1);
            }
            if &object == old {
                return Rc::new(object);
            }
        }
        self.write(object)
    }

    /// The API server's delete. Pods on a node terminate gracefully; objects with finalizers wait
    /// for them; dependents are handled by `propagation`.
    pub fn delete(
        &mut self,
        key: &ObjKey,
        grace_period_seconds: Option<i64>,
        propagation: Propagation,
    ) -> Result<Rc<Object>, ApiError> {
        let info = key.kind.info();
        let not_found = || ApiError::not_found(&info.qualified_plural(), &key.name);
        let Some(shared) = self.store.get_shared(key) else { return Err(not_found()) };
        let now = self.now();
        if propagation == Propagation::Orphan {
            self.orphan_dependents(&shared);
        }
        if let Object::Pod(pod) = shared.as_ref() {
            let bound = pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
            let finished = matches!(
                pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded") | Some("Failed")
            );
            let default_grace =
                pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds).unwrap_or(30);
            let grace = grace_period_seconds.unwrap_or(default_grace).max(0);
            // A second delete may only shorten the grace period.
            if bound
                && grace != 0
                && !finished
                && pod.metadata.deletion_grace_period_seconds.is_some_and(|g| grace >= g)
            {
                return Ok(shared);
            }
            // The stored pod changes in place: this handle would force a copy.
            drop(shared);
            if !bound || grace == 0 || finished {
                return self.remove(key).ok_or_else(not_found);
            }
            let deletion_timestamp = time::time(now + grace * 1000);
            return self
                .modify(key, |object| {
                    let meta = object.meta_mut();
                    meta.deletion_timestamp = Some(deletion_timestamp);
                    meta.deletion_grace_period_seconds = Some(grace);
                    if propagation == Propagation::Foreground {
                        add_finalizer(meta, "foregroundDeletion");
                    }
                })
                .ok_or_else(not_found);
        }
        let mut object = Object::clone(&shared);
        drop(shared);
        let already_deleting = object.meta().deletion_timestamp.is_some();
        match &mut object {
            Object::Namespace(ns) => {
                if matches!(&*key.name, "default" | "kube-system" | "kube-public") {
                    return Err(ApiError::new(
                        Reason::Forbidden,
                        format!(
                            "namespaces \"{}\" is forbidden: this namespace may not be deleted",
                            key.name
                        ),
                    ));
                }
                if already_deleting {
                    return Ok(Rc::new(object));
                }
                ns.metadata.deletion_timestamp = Some(time::time(now));
                ns.metadata.deletion_grace_period_seconds = Some(0);
                let status = ns.status.get_or_insert_with(Default::default);
                status.phase = Some("Terminating".into());
                Ok(self.write(object))
            }
            _ => {
                let has_finalizers =
                    object.meta().finalizers.as_ref().is_some_and(|f| !f.is_empty());
                let has_dependents = self.has_dependents(&object);
                if propagation == Propagation::Foreground && has_dependents {
                    let meta = object.meta_mut();
                    add_finalizer(meta, "foregroundDeletion");
                    meta.deletion_timestamp.get_or_insert_with(|| time::time(now));
                    meta.deletion_grace_period_seconds = Some(0);
                    return Ok(self.write(object));
                }
                if has_finalizers {
                    if already_deleting {
                        return Ok(Rc::new(object));
                    }
                    let meta = object.meta_mut();
                    meta.deletion_timestamp = Some(time::time(now));
                    meta.deletion_grace_period_seconds = Some(0);
                    return Ok(self.write(object));
                }
                Ok(self.remove(key).unwrap_or_else(|| Rc::new(object)))
            }
        }
    }

    /// Takes an object out of the store for good and tells the control loops.
    pub fn remove(&mut self, key: &ObjKey) -> Option<Rc<Object>> {
        let (object, event) = self.store.remove(key)?;
        controllers::on_watch_event(self, &event, &object);
        Some(object)
    }

    fn has_dependents(&self, owner: &Object) -> bool {
        let Some(uid) = owner.meta().uid.as_deref() else { return false };
        controllers::gc::dependents_of(self, uid, owner.namespace()).next().is_some()
    }

    fn orphan_dependents(&mut self, owner: &Object) {
        let Some(uid) = owner.meta().uid.clone() else { return };
        let keys: Vec<ObjKey> =
            controllers::gc::dependents_of(self, &uid, owner.namespace()).collect();
        for key in keys {
            if let Some(mut dependent) = self.store.get(&key).cloned() {
                if let Some(refs) = dependent.meta_mut().owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                    if refs.is_empty() {
                        dependent.meta_mut().owner_references = None;
                    }
                }
                self.write(dependent);
            }
        }
    }
}

fn add_finalizer(meta: &mut ObjectMeta, name: &str) {
    let f = meta.finalizers.get_or_insert_with(Vec::new);
    if !f.iter().any(|x| x == name) {
        f.push(name.into());
    }
}

// The stored object with the new one's resource version, to see whether an update changed anything.
fn old_with_rv(old: &Object, new: &Object) -> Object {
    let mut o = old.clone();
    o.meta_mut().resource_version = new.meta().resource_version.clone();
    o
}
