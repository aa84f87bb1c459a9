//! Kubernetes Events: recorded through client-go's event correlator (similar events combined,
//! repeats counted, a burst about one object dropped), and dropped after the API server's TTL or
//! past [`MAX_EVENTS`].
//!
//! The cluster keeps what expiry needs to know about the events it recorded (when each was last
//! seen, how many events there are) beside the store, so that expiry reads no object. Those
//! figures hold while the store's last write to an Event is the cluster's own; after anyone
//! else's (kubectl, a namespace's deletion) they are read from the store again.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::hash::Hasher as _;

use k8s_openapi::api::core::v1::{Event, EventSeries, EventSource};

use super::Cluster;
use super::correlator::{COMBINED_PREFIX, Correlator, EventKeys};
use super::series::{self, SeriesCache, Sighting};
use crate::api::{Kind, ObjKey, Object, Store, WatchEvent, WatchEventType};
use crate::clock::Millis;
use crate::controllers::Component;
use crate::fastmap::FastMap;
use crate::time;

/// Events kept in the store; the oldest go first (the API server's TTL does this for real).
pub const MAX_EVENTS: usize = 5_000;
/// How long an Event lives, as kube-apiserver's default `--event-ttl`.
pub const EVENT_TTL_MS: Millis = 60 * 60 * 1000;
/// The scheduler records through the events.k8s.io API, which has no correlator: its repeats
/// only count up.
const SCHEDULER: &str = "default-scheduler";

/// The events the cluster recorded, for counting repeats and for expiry.
#[derive(Clone, Default)]
pub(crate) struct EventBook {
    /// Each source's correlator, by a hash of its component and host. There is one per
    /// controller and one per node's kubelet.
    correlators: FastMap<u64, Correlator>,
    /// Events in the store by their source and correlation key, as far as the cluster wrote them.
    index: FastMap<u64, Recorded>,
    /// The scheduler's broadcaster: the events it holds to make series of.
    series: SeriesCache,
    /// Events by the time they were queued, oldest first, for the TTL and the count limit. An
    /// event counted again since is re-queued, by when it was last seen, when it reaches the
    /// front.
    order: VecDeque<Queued>,
    seq: u64,
    /// Events in the store.
    count: usize,
    /// The store's last Event write that `count` and the index's `last_seen_ms` account for.
    synced_rv: u64,
    /// The scheduler's reporting instance once made (see [`EventBook::scheduler_instance`]).
    scheduler_instance: String,
}

#[derive(Clone)]
struct Recorded {
    key: ObjKey,
    /// Its `lastTimestamp`, in virtual milliseconds.
    last_seen_ms: i64,
}

#[derive(Clone)]
struct Queued {
    queued_ms: i64,
    identity: u64,
    key: ObjKey,
}

impl EventBook {
    /// Reads the count and the last sightings from the store if someone else wrote Events since
    /// the book's last write; an index entry whose event is gone is dropped.
    fn sync(&mut self, store: &Store) {
        if store.kind_changed(Kind::Event) == self.synced_rv {
            return;
        }
        self.count = store.count(Kind::Event);
        self.index.retain(|_, recorded| {
            let event = store.get(&recorded.key).and_then(Object::as_kind::<Event>);
            event.map(|ev| recorded.last_seen_ms = last_seen_ms(ev).unwrap_or(0)).is_some()
        });
        self.synced_rv = store.kind_changed(Kind::Event);
    }

    /// The scheduler's reporting instance, `<component>-<its host>`: made once, not formatted
    /// for every event.
    fn scheduler_instance(&mut self) -> &str {
        if self.scheduler_instance.is_empty() {
            self.scheduler_instance =
                format!("{SCHEDULER}-{}", crate::bootstrap::control_plane_name());
        }
        &self.scheduler_instance
    }

    /// Accounts for the book's own write of an Event.
    fn wrote(&mut self, written: &WatchEvent) {
        match written.event_type {
            WatchEventType::Added => self.count += 1,
            WatchEventType::Deleted => self.count = self.count.saturating_sub(1),
            WatchEventType::Modified => {}
        }
        self.synced_rv = written.resource_version;
    }

    /// When the event `queued` names was last seen, `None` if it is gone. The index knows for
    /// the events it still holds; one whose entry went to a newer event is read from the store.
    fn last_seen_ms(&self, queued: &Queued, store: &Store) -> Option<i64> {
        match self.index.get(&queued.identity) {
            Some(recorded) if recorded.key == queued.key => Some(recorded.last_seen_ms),
            _ => store
                .get(&queued.key)
                .and_then(Object::as_kind::<Event>)
                .map(|ev| last_seen_ms(ev).unwrap_or(0)),
        }
    }
}

/// When an event was last seen, as kubectl sorts events: its series' last observation, its
/// `lastTimestamp`, or (events.k8s.io events) its `eventTime`.
pub fn last_seen_ms(event: &Event) -> Option<i64> {
    let series = event.series.as_ref().and_then(|s| s.last_observed_time.as_ref());
    series
        .map(|t| time::ms_of_instant(t.0))
        .or_else(|| event.last_timestamp.as_ref().map(time::ms_of))
        .or_else(|| event.event_time.as_ref().map(|t| time::ms_of_instant(t.0)))
}

/// When an event was first seen: its `eventTime`, or its `firstTimestamp`.
pub fn first_seen_ms(event: &Event) -> Option<i64> {
    let event_time = event.event_time.as_ref().map(|t| time::ms_of_instant(t.0));
    event_time.or_else(|| event.first_timestamp.as_ref().map(time::ms_of))
}

/// How a new Event object looks.
enum Shape {
    /// A core/v1 event from a client-go recorder: timestamps, a count, a source.
    Core { first_ms: i64, count: i32, combined: bool },
    /// An events.k8s.io event (the scheduler's): an eventTime, an action, maybe a series.
    Series { count: i32 },
}

impl Cluster {
    /// Records a Kubernetes Event about `involved` from `component` (on node `host`, for a
    /// kubelet), through client-go's event correlator (see [`correlator`]), or for the scheduler
    /// through the events.k8s.io broadcaster (see [`series`]).
    pub fn record_event(
        &mut self,
        involved: &Object,
        field_path: Option<String>,
        event_type: &str,
        reason: &str,
        message: impl Into<String>,
        component: &str,
        host: Option<&str>,
    ) {
        let message = message.into();
        self.events.sync(&self.store);
        let meta = involved.meta();
        let field = field_path.as_deref().unwrap_or("");
        // The kind stands for its kind and API version strings, which it fixes.
        let object = mix(
            &[involved.kind() as u64],
            &[
                meta.namespace.as_deref().unwrap_or_default(),
                involved.name(),
                meta.uid.as_deref().unwrap_or_default(),
            ],
        );
        let similar = mix(&[object], &[event_type, reason]);
        let message_hash = hash(&[message.as_str()]);
        let event = mix(&[similar, message_hash], &[field]);
        let keys = EventKeys { object, similar, event, message: message_hash };
        let now = self.now();
        let source = hash(&[component, host.unwrap_or_default()]);
        let new = NewEvent { involved, field_path, event_type, reason, component, host };
        if component == SCHEDULER {
            self.record_in_series(new, message, mix(&[source, keys.event], &[]), now);
            return;
        }
        let stamp = time::time(now);
        let stamp_ms = time::ms_of(&stamp);
        let seq = &mut self.events.seq;
        let name_nanos = || next_name_nanos(seq, now);
        let correlator = self.events.correlators.entry(source).or_default();
        let correlation = correlator.correlate(&keys, now, stamp_ms, name_nanos);
        if correlation.skip {
            return;
        }
        let message =
            if correlation.combined { format!("{COMBINED_PREFIX}{message}") } else { message };
        let identity = mix(&[source, correlation.key], &[]);
        // A repeat updates the stored event, as client-go's patch; one that is gone is made again.
        if correlation.count > 1
            && let Some(recorded) = self.events.index.get_mut(&identity)
        {
            let patched = self.store.modify_if(&recorded.key, |object| {
                let Object::Event(ev) = object else { return false };
                ev.count = Some(correlation.count);
                ev.last_timestamp = Some(stamp.clone());
                if ev.message.as_deref() != Some(message.as_str()) {
                    ev.message = Some(message.clone());
                }
                true
            });
            if let Some(written) = patched {
                recorded.last_seen_ms = stamp_ms;
                self.events.wrote(&written);
                return;
            }
        }
        let shape = Shape::Core {
            first_ms: correlation.first_ms,
            count: correlation.count,
            combined: correlation.combined,
        };
        self.store_event(new, message, shape, correlation.name_nanos, identity);
    }

    /// The scheduler's sighting of an event: a new event, the start of a series (written at
    /// once), or a count the broadcaster writes later (see [`Cluster::write_event_series`]).
    fn record_in_series(&mut self, new: NewEvent, message: String, identity: u64, now: i64) {
        let (sighting, held) = self.events.series.sight(identity, now);
        let held = held.map(|h| h.event.clone());
        let next_write = series::next_write(now, now) as Millis;
        match (sighting, held) {
            (Sighting::SeriesStarts, Some(event))
                if self.write_series(&event, identity, 2, now) =>
            {
                self.requeue_at(Component::SchedulerEvents, &event, next_write);
            }
            (Sighting::SeriesStarts, _) => {
                // Gone (the TTL, a user): the broadcaster's patch fails, so it creates the event.
                let nanos = next_name_nanos(&mut self.events.seq, now);
                let shape = Shape::Series { count: 2 };
                let stored = self.store_event(new, message, shape, nanos, identity);
                self.events.series.hold(identity, stored.clone(), 2, now);
                self.requeue_at(Component::SchedulerEvents, &stored, next_write);
            }
            (Sighting::Counted, Some(event)) => {
                self.requeue_at(Component::SchedulerEvents, &event, next_write);
            }
            _ => {
                let nanos = next_name_nanos(&mut self.events.seq, now);
                let shape = Shape::Series { count: 1 };
                let stored = self.store_event(new, message, shape, nanos, identity);
                self.events.series.hold(identity, stored, 1, now);
            }
        }
    }

    /// The scheduler's broadcaster writes the series stored at `event` (a refresh, or its end).
    pub(crate) fn write_event_series(&mut self, event: &ObjKey) {
        let now = self.now();
        let Some((identity, held, ends)) = self.events.series.due(event, now) else { return };
        self.write_series(event, identity, held.count, held.last_ms);
        if !ends {
            let next = series::next_write(held.last_ms, now);
            self.requeue_at(Component::SchedulerEvents, event, next as Millis);
        }
    }

    /// Sets the series of the stored event `key`; false if it is gone.
    fn write_series(&mut self, key: &ObjKey, identity: u64, count: i32, last_ms: i64) -> bool {
        let patched = self.store.modify_if(key, |object| {
            let Object::Event(ev) = object else { return false };
            ev.series = Some(series(count, last_ms));
            true
        });
        let Some(written) = patched else { return false };
        self.events.wrote(&written);
        if let Some(recorded) = self.events.index.get_mut(&identity) {
            recorded.last_seen_ms = last_ms;
        }
        true
    }

    /// Stores a new Event object and queues it for expiry.
    fn store_event(
        &mut self,
        new: NewEvent,
        message: String,
        shape: Shape,
        name_nanos: u128,
        identity: u64,
    ) -> ObjKey {
        let NewEvent { involved, field_path, event_type, reason, component, host } = new;
        let now = self.now();
        let stamp = time::time(now);
        let meta = involved.meta();
        let info = involved.kind().info();
        // A combined event names no reporting component (client-go builds it from scratch).
        let (reporting_component, reporting_instance) = match (&shape, host) {
            (Shape::Core { combined: true, .. }, _) => (String::new(), String::new()),
            (_, Some(host)) => (component.to_string(), host.to_string()),
            (Shape::Series { .. }, None) => {
                (component.to_string(), self.events.scheduler_instance().to_string())
            }
            (Shape::Core { .. }, None) => (component.to_string(), String::new()),
        };
        let last_seen_ms = match shape {
            Shape::Core { .. } => time::ms_of(&stamp),
            Shape::Series { .. } => now,
        };
        // Filled in place on the heap: built on the stack, an Event is copied there whole.
        let mut event = Box::<Event>::default();
        let metadata = &mut event.metadata;
        metadata.name = Some(event_name(involved.name(), name_nanos));
        metadata.namespace = Some(meta.namespace.as_deref().unwrap_or("default").to_string());
        metadata.uid = Some(self.new_uid());
        metadata.creation_timestamp = Some(stamp.clone());
        let reference = &mut event.involved_object;
        reference.api_version = Some(info.api_version.to_string());
        reference.kind = Some(info.kind.to_string());
        reference.name = meta.name.clone();
        reference.namespace = meta.namespace.clone();
        reference.uid = meta.uid.clone();
        reference.resource_version = meta.resource_version.clone();
        reference.field_path = field_path;
        event.reason = Some(reason.into());
        event.message = Some(message);
        event.type_ = Some(event_type.into());
        event.reporting_component = Some(reporting_component);
        event.reporting_instance = Some(reporting_instance);
        // An events.k8s.io event has an eventTime, an action and a series instead of the old
        // timestamps, count and source.
        match shape {
            Shape::Series { count } => {
                event.source = Some(EventSource::default());
                event.event_time = Some(time::micro_time(now));
                event.action =
                    Some(if reason == "Scheduled" { "Binding" } else { "Scheduling" }.into());
                event.series = (count > 1).then(|| series(count, now));
            }
            Shape::Core { first_ms, count, .. } => {
                event.source = Some(EventSource {
                    component: Some(component.into()),
                    host: host.map(str::to_string),
                });
                event.first_timestamp = Some(time::time(first_ms));
                event.last_timestamp = Some(stamp);
                event.count = Some(count);
            }
        }
        let written = self.store.put(Object::Event(event));
        self.events.wrote(&written);
        let recorded = Recorded { key: written.key.clone(), last_seen_ms };
        self.events.index.insert(identity, recorded);
        self.events.order.push_back(Queued { queued_ms: now, identity, key: written.key.clone() });
        self.expire_events();
        written.key
    }

    /// Drops events past the API server's TTL, and the oldest ones beyond [`MAX_EVENTS`].
    fn expire_events(&mut self) {
        let cutoff = self.now().saturating_sub(EVENT_TTL_MS as i64);
        let total = self.events.count;
        // Over the limit, make room for a tenth more so that this does not run on every event.
        let mut excess = if total > MAX_EVENTS { total - MAX_EVENTS + MAX_EVENTS / 10 } else { 0 };
        while let Some(front) = self.events.order.front() {
            // An event is last seen no earlier than the second it was queued in (timestamps
            // keep whole seconds): this one and the rest stay.
            if excess == 0 && front.queued_ms.div_euclid(1000) * 1000 >= cutoff {
                break;
            }
            let Some(queued) = self.events.order.pop_front() else { break };
            let Some(last_ms) = self.events.last_seen_ms(&queued, &self.store) else {
                continue;
            };
            if last_ms > queued.queued_ms {
                // In its place by when it was last seen: behind a later event it would outlive
                // its TTL until that one expired.
                let order = &mut self.events.order;
                let place = order.partition_point(|q| q.queued_ms <= last_ms);
                order.insert(place, Queued { queued_ms: last_ms, ..queued });
                continue;
            }
            if excess == 0 && last_ms >= cutoff {
                self.events.order.push_front(queued);
                break;
            }
            if let Some((_, removed)) = self.store.remove(&queued.key) {
                self.events.wrote(&removed);
            }
            if self.events.index.get(&queued.identity).is_some_and(|r| r.key == queued.key) {
                self.events.index.remove(&queued.identity);
            }
            excess = excess.saturating_sub(1);
        }
    }
}

/// Who records an event about what.
struct NewEvent<'a> {
    involved: &'a Object,
    field_path: Option<String>,
    event_type: &'a str,
    reason: &'a str,
    component: &'a str,
    host: Option<&'a str>,
}

/// The nanoseconds an event made at `now` is named after (client-go names events by the time
/// in nanoseconds; a sequence keeps two made in the same instant apart).
fn next_name_nanos(seq: &mut u64, now: i64) -> u128 {
    *seq += 1;
    time::instant(now).as_nanosecond() as u128 + *seq as u128
}

/// An events.k8s.io series: the event seen `count` times, the last at `now`.
fn series(count: i32, now: i64) -> EventSeries {
    EventSeries { count: Some(count), last_observed_time: Some(time::micro_time(now)) }
}

/// A hash of `fields`, separated so that ("ab", "c") and ("a", "bc") differ.
fn hash(fields: &[&str]) -> u64 {
    mix(&[], fields)
}

/// A hash of hashes and fields.
fn mix(words: &[u64], fields: &[&str]) -> u64 {
    let mut hash = crate::fastmap::WordHasher::default();
    for word in words {
        hash.write_u64(*word);
    }
    for field in fields {
        hash.write(field.as_bytes());
        hash.write_u8(1);
    }
    hash.finish()
}

/// `<involved name>.<hex nanoseconds>`, as client-go names events.
fn event_name(involved_name: &str, nanos: u128) -> String {
    // Room for the dot and the hex digits: a push past the clone's length would reallocate.
    let mut name = String::with_capacity(involved_name.len() + 1 + 32);
    name.push_str(involved_name);
    // Formatting a u128 is slow; the nanoseconds fit a u64 until the year 2554.
    match u64::try_from(nanos) {
        Ok(n) => {
            name.push('.');
            crate::hex::push_u64_min(&mut name, n);
        }
        Err(_) => {
            let _ = write!(name, ".{nanos:x}");
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::Pod;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;
    use crate::api::ApiKind;
    use crate::sim::SimConfig;

    fn pod(name: &str) -> Object {
        let metadata = ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            uid: Some(format!("uid-{name}")),
            ..Default::default()
        };
        Object::from(Pod { metadata, ..Default::default() })
    }

    fn record(cluster: &mut Cluster, involved: &Object, message: &str) {
        cluster.record_event(involved, None, "Normal", "Test", message, "tester", None);
    }

    /// (name, count, first seen ms, last seen ms) of every event, in name order.
    fn events(cluster: &Cluster) -> Vec<(String, i32, i64, i64)> {
        let ms = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
            t.map(time::ms_of).unwrap_or(-1)
        };
        cluster
            .store
            .list_typed::<Event>(None)
            .map(|e| {
                let name = e.metadata.name.clone().unwrap_or_default();
                let count = e.count.unwrap_or(0);
                (name, count, ms(e.first_timestamp.as_ref()), ms(e.last_timestamp.as_ref()))
            })
            .collect()
    }

    fn at(cluster: &mut Cluster, ms: i64) {
        cluster.clock.set_now(ms as Millis);
    }

    #[test]
    fn a_repeat_counts_up_and_a_new_message_is_a_new_event() {
        let mut cluster = Cluster::empty(SimConfig::default());
        let web = pod("web");
        at(&mut cluster, 10_000);
        record(&mut cluster, &web, "pulled");
        at(&mut cluster, 12_500);
        record(&mut cluster, &web, "pulled");
        record(&mut cluster, &web, "started");
        let events = events(&cluster);
        assert_eq!(events.len(), 2, "{events:?}");
        let pulled = events.iter().find(|e| e.1 == 2).expect("the repeated event");
        assert_eq!((pulled.2, pulled.3), (10_000, 12_000));
        assert!(pulled.0.starts_with("web."), "{}", pulled.0);
        let event = cluster.store.list_typed::<Event>(None).find(|e| e.count == Some(1));
        let started = event.expect("the other event");
        assert_eq!(started.message.as_deref(), Some("started"));
        assert_eq!(started.involved_object.uid.as_deref(), Some("uid-web"));
        // A controller's events name no instance (its source has no host).
        assert_eq!(started.reporting_component.as_deref(), Some("tester"));
        assert_eq!(started.reporting_instance.as_deref(), Some(""));
    }

    #[test]
    fn the_schedulers_events_are_events_k8s_io_events_whose_repeats_make_a_series() {
        let mut cluster = Cluster::empty(SimConfig::default());
        let web = pod("web");
        let failed = |c: &mut Cluster| {
            c.record_event(&web, None, "Warning", "FailedScheduling", "0/1 nodes", SCHEDULER, None)
        };
        at(&mut cluster, 10_250);
        failed(&mut cluster);
        let event = cluster.store.list_typed::<Event>(None).next().cloned().expect("an event");
        assert_eq!(event.event_time.as_ref().map(|t| time::ms_of_instant(t.0)), Some(10_250));
        assert_eq!((event.first_timestamp, event.last_timestamp, event.count), (None, None, None));
        assert_eq!(event.action.as_deref(), Some("Scheduling"));
        assert_eq!(event.source, Some(EventSource::default()));
        assert_eq!(
            event.reporting_instance.as_deref(),
            Some("default-scheduler-kubeplay-control-plane")
        );
        assert!(event.series.is_none());
        at(&mut cluster, 70_500);
        failed(&mut cluster);
        let events: Vec<&Event> = cluster.store.list_typed::<Event>(None).collect();
        assert_eq!(events.len(), 1);
        let series = events[0].series.as_ref().expect("a series");
        assert_eq!(series.count, Some(2));
        let last = series.last_observed_time.as_ref().map(|t| time::ms_of_instant(t.0));
        assert_eq!(last, Some(70_500));
        assert_eq!(last_seen_ms(events[0]), Some(70_500));
        assert_eq!(first_seen_ms(events[0]), Some(10_250));
    }

    #[test]
    fn events_expire_an_hour_after_they_were_last_seen() {
        let mut cluster = Cluster::empty(SimConfig::default());
        let (a, b, c, d) = (pod("a"), pod("b"), pod("c"), pod("d"));
        at(&mut cluster, 0);
        record(&mut cluster, &a, "once");
        record(&mut cluster, &b, "again");
        at(&mut cluster, 30 * 60 * 1000);
        record(&mut cluster, &b, "again");
        at(&mut cluster, EVENT_TTL_MS as i64 + 1_000);
        record(&mut cluster, &c, "later");
        let names: Vec<String> = events(&cluster).into_iter().map(|e| e.0).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().all(|n| !n.starts_with("a.")), "{names:?}");
        at(&mut cluster, 2 * EVENT_TTL_MS as i64 + 2_000);
        record(&mut cluster, &d, "last");
        let names: Vec<String> = events(&cluster).into_iter().map(|e| e.0).collect();
        assert!(names.len() == 1 && names[0].starts_with("d."), "{names:?}");
    }

    #[test]
    fn events_seen_again_expire_in_the_order_they_were_last_seen() {
        let mut cluster = Cluster::empty(SimConfig::default());
        let (a, b, c) = (pod("a"), pod("b"), pod("c"));
        let min = |m: i64| m * 60 * 1000;
        at(&mut cluster, 0);
        record(&mut cluster, &a, "x");
        at(&mut cluster, min(5));
        record(&mut cluster, &b, "x");
        at(&mut cluster, min(40));
        record(&mut cluster, &b, "x");
        at(&mut cluster, min(50));
        record(&mut cluster, &a, "x");
        // Past both first sightings: each goes to the queue by when it was last seen.
        at(&mut cluster, min(65));
        record(&mut cluster, &c, "x");
        assert_eq!(events(&cluster).len(), 3);
        // b, last seen at 40 min, is gone at 100 min; a, seen at 50 min, stays until 110.
        at(&mut cluster, min(100) + 1_000);
        record(&mut cluster, &c, "y");
        let names: Vec<String> = events(&cluster).into_iter().map(|e| e.0).collect();
        assert!(names.iter().all(|n| !n.starts_with("b.")), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("a.")), "{names:?}");
    }

    #[test]
    fn past_the_limit_the_oldest_go_and_room_is_made_for_a_tenth_more() {
        let mut cluster = Cluster::empty(SimConfig::default());
        let first = pod("first");
        record(&mut cluster, &first, "first");
        let pods: Vec<Object> = (0..MAX_EVENTS).map(|i| pod(&format!("p{i}"))).collect();
        for (i, p) in pods.iter().enumerate() {
            at(&mut cluster, i as i64);
            record(&mut cluster, p, "x");
            // Seen again (timestamps keep whole seconds), the first event counts as recent.
            if i == 2_000 {
                record(&mut cluster, &first, "first");
            }
        }
        let events = events(&cluster);
        assert_eq!(events.len(), MAX_EVENTS - MAX_EVENTS / 10, "{}", events.len());
        assert!(events.iter().any(|e| e.0.starts_with("first.")));
        let kept = |name: &str| events.iter().any(|e| e.0.starts_with(&format!("{name}.")));
        assert!(!kept("p0") && !kept("p500"));
        assert!(kept("p501") && kept(&format!("p{}", MAX_EVENTS - 1)));
    }

    #[test]
    fn events_deleted_or_changed_by_someone_else_are_taken_into_account() {
        let mut cluster = Cluster::empty(SimConfig::default());
        let (a, b) = (pod("a"), pod("b"));
        at(&mut cluster, 0);
        record(&mut cluster, &a, "x");
        record(&mut cluster, &b, "x");
        // A user deletes one event and moves the other's last sighting forward.
        let keys: Vec<ObjKey> = cluster.store.list(Kind::Event, None).map(ObjKey::of).collect();
        cluster.store.remove(&keys[0]);
        cluster.store.modify(&keys[1], |object| {
            if let Object::Event(ev) = object {
                ev.last_timestamp = Some(time::time(40 * 60 * 1000));
            }
        });
        at(&mut cluster, EVENT_TTL_MS as i64 + 1_000);
        record(&mut cluster, &a, "y");
        assert_eq!(events(&cluster).len(), 2);
        // A repeat of the deleted event makes it again, under its name, with the count going on
        // (client-go's patch fails, so it creates the event it would have patched).
        record(&mut cluster, &a, "x");
        let events = events(&cluster);
        assert_eq!(events.len(), 3);
        let again = events.iter().find(|e| *e.0 == *keys[0].name).expect("made again");
        assert_eq!((again.1, again.2, again.3), (2, 0, EVENT_TTL_MS as i64 + 1_000), "{events:?}");
    }

    #[test]
    fn the_limit_counts_the_events_that_are_there() {
        let mut cluster = Cluster::empty(SimConfig::default());
        let pods: Vec<Object> = (0..=MAX_EVENTS).map(|i| pod(&format!("p{i}"))).collect();
        for (i, p) in pods[..MAX_EVENTS].iter().enumerate() {
            at(&mut cluster, i as i64);
            record(&mut cluster, p, "x");
        }
        // A user deletes one event: the next one fits.
        let key = cluster.store.list(Kind::Event, None).map(ObjKey::of).nth(7);
        cluster.store.remove(&key.expect("an event"));
        record(&mut cluster, &pods[MAX_EVENTS], "x");
        assert_eq!(events(&cluster).len(), MAX_EVENTS);
        // A user creates one: the next event is one too many.
        let mut extra = cluster.store.list_typed::<Event>(None).next().cloned().expect("an event");
        extra.metadata.name = Some("extra".into());
        cluster.store.put(extra.into_object());
        record(&mut cluster, &pods[0], "y");
        assert_eq!(events(&cluster).len(), MAX_EVENTS - MAX_EVENTS / 10);
    }
}
