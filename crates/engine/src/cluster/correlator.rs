//! client-go's event correlator (`tools/record/events_cache.go`). Each controller and each
//! kubelet records events through its own broadcaster, whose correlator, before anything reaches
//! the API server:
//! - combines similar events: from the tenth different message with the same source, object,
//!   type and reason within ten minutes, one event "(combined from similar events): <message>"
//!   counts them all;
//! - counts repeats of the same event (one Event object whose count goes up);
//! - drops a source's events about one object past a burst of 25, then lets one through every
//!   five minutes. A dropped event still counts: the next one written carries the count.

use std::collections::VecDeque;
use std::collections::hash_map::Entry;

use crate::fastmap::FastMap;

/// Entries in each of a correlator's caches, as client-go's `maxLruCacheEntries`.
pub const CACHE_ENTRIES: usize = 4096;
/// Different messages of similar events before they are combined (`defaultAggregateMaxEvents`).
const AGGREGATE_MAX_EVENTS: usize = 10;
/// How long after the last similar event the count of different messages starts again.
const AGGREGATE_INTERVAL_MS: i64 = 600_000;
/// Events a source may send about one object at once (`defaultSpamBurst`).
const SPAM_BURST: i64 = 25;
/// Then one more every five minutes (`defaultSpamQPS` = 1/300).
const SPAM_REFILL_MS: i64 = 300_000;
/// The message of a combined event starts with this.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// Hashes of what identifies an event at each level the correlator compares.
pub(super) struct EventKeys {
    /// The involved object (kind, namespace, name, UID, API version).
    pub object: u64,
    /// The object, the event's type and its reason: events that differ only by message.
    pub similar: u64,
    /// All of the event: the object, the field path, type, reason and message.
    pub event: u64,
    pub message: u64,
}

/// What the correlator made of an event.
#[derive(Debug)]
pub(super) struct Correlation {
    /// The key the event is counted under: its own, or that of its similar events once combined.
    pub key: u64,
    /// Combined with similar events: its message gets [`COMBINED_PREFIX`].
    pub combined: bool,
    /// How many times it was seen, this time included.
    pub count: i32,
    /// When it was first seen.
    pub first_ms: i64,
    /// The nanoseconds its name was made from the first time.
    pub name_nanos: u128,
    /// Dropped by the spam filter: nothing is written.
    pub skip: bool,
}

/// One source's correlator.
#[derive(Clone, Default)]
pub(super) struct Correlator {
    /// The spam filter's token buckets, by object.
    buckets: Lru<Bucket>,
    /// Messages of similar events lately, by object, type and reason.
    similar: Lru<Similar>,
    /// The event logger: each event's count, first sighting and name, by its key.
    seen: Lru<Seen>,
}

#[derive(Clone)]
struct Bucket {
    /// Tokens, in milliseconds of refill: one token is [`SPAM_REFILL_MS`].
    tokens_ms: i64,
    last_ms: i64,
}

#[derive(Clone, Default)]
struct Similar {
    /// Hashes of the different messages seen, the first `seen` of them: at most one fewer than
    /// [`AGGREGATE_MAX_EVENTS`], in place, as most objects' similar events have one message.
    messages: [u64; AGGREGATE_MAX_EVENTS - 1],
    seen: usize,
    last_ms: i64,
}

#[derive(Clone)]
struct Seen {
    count: i32,
    first_ms: i64,
    name_nanos: u128,
}

impl Correlator {
    /// Correlates an event seen at `now_ms` (`stamp_ms`: the same in whole seconds, as its
    /// timestamps keep it). `name_nanos` makes the nanoseconds of a new event's name.
    pub fn correlate(
        &mut self,
        keys: &EventKeys,
        now_ms: i64,
        stamp_ms: i64,
        name_nanos: impl FnOnce() -> u128,
    ) -> Correlation {
        let combined = self.combines(keys, now_ms);
        let key = if combined { keys.similar } else { keys.event };
        let mut correlation = self.count(key, stamp_ms, name_nanos);
        correlation.combined = combined;
        let full = Bucket { tokens_ms: SPAM_BURST * SPAM_REFILL_MS, last_ms: now_ms };
        correlation.skip = !self.buckets.entry(keys.object, || full).take(now_ms);
        correlation
    }

    /// Counts the event under `key` in the event logger.
    fn count(&mut self, key: u64, stamp_ms: i64, name_nanos: impl FnOnce() -> u128) -> Correlation {
        let seen = self.seen.entry(key, || Seen {
            count: 0,
            first_ms: stamp_ms,
            name_nanos: name_nanos(),
        });
        seen.count = seen.count.saturating_add(1);
        let (count, first_ms, name_nanos) = (seen.count, seen.first_ms, seen.name_nanos);
        Correlation { key, combined: false, count, first_ms, name_nanos, skip: false }
    }

    /// Whether this event is combined with its similar ones. client-go drops an arbitrary message
    /// from its full set when it combines; this keeps the first nine, so that a repeat of one of
    /// them still counts on its own event.
    fn combines(&mut self, keys: &EventKeys, now_ms: i64) -> bool {
        let record = self.similar.entry(keys.similar, Similar::default);
        if now_ms - record.last_ms > AGGREGATE_INTERVAL_MS {
            record.seen = 0;
        }
        record.last_ms = now_ms;
        if record.messages.get(..record.seen).unwrap_or_default().contains(&keys.message) {
            return false;
        }
        if let Some(free) = record.messages.get_mut(record.seen) {
            *free = keys.message;
            record.seen += 1;
            return false;
        }
        true
    }
}

impl Bucket {
    /// Takes a token if there is one, after the refill since the last call.
    fn take(&mut self, now_ms: i64) -> bool {
        let refill = (now_ms - self.last_ms).max(0);
        self.tokens_ms = (self.tokens_ms + refill).min(SPAM_BURST * SPAM_REFILL_MS);
        self.last_ms = now_ms;
        if self.tokens_ms < SPAM_REFILL_MS {
            return false;
        }
        self.tokens_ms -= SPAM_REFILL_MS;
        true
    }
}

/// A cache of at most [`CACHE_ENTRIES`] values that forgets the least recently used first, as
/// groupcache's `lru`.
#[derive(Clone)]
struct Lru<V> {
    /// Each value with the tick of its last use.
    entries: FastMap<u64, (V, u64)>,
    /// (tick, key) of each use, oldest first; a use that is not an entry's last is stale.
    uses: VecDeque<(u64, u64)>,
    tick: u64,
}

impl<V> Default for Lru<V> {
    fn default() -> Self {
        Lru { entries: FastMap::default(), uses: VecDeque::new(), tick: 0 }
    }
}

impl<V> Lru<V> {
    /// The value at `key`, now the most recently used. A missing one is made by `make`, after the
    /// least recently used goes if the cache is full.
    fn entry(&mut self, key: u64, make: impl FnOnce() -> V) -> &mut V {
        self.tick += 1;
        let tick = self.tick;
        if self.uses.len() >= 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.uses.retain(|(used, key)| entries.get(key).is_some_and(|e| e.1 == *used));
        }
        if self.entries.len() >= CACHE_ENTRIES && !self.entries.contains_key(&key) {
            self.forget_oldest();
        }
        self.uses.push_back((tick, key));
        match self.entries.entry(key) {
            Entry::Occupied(entry) => {
                let slot = entry.into_mut();
                slot.1 = tick;
                &mut slot.0
            }
            Entry::Vacant(entry) => &mut entry.insert((make(), tick)).0,
        }
    }

    fn forget_oldest(&mut self) {
        while let Some((used, key)) = self.uses.pop_front() {
            if self.entries.get(&key).is_some_and(|e| e.1 == used) {
                self.entries.remove(&key);
                return;
            }
        }
    }

    #[cfg(test)]
    fn contains(&self, key: u64) -> bool {
        self.entries.contains_key(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn keys(object: u64, reason: u64, message: u64) -> EventKeys {
        let similar = object * 1_000 + reason;
        EventKeys { object, similar, event: similar * 1_000 + message, message }
    }

    fn seen(c: &mut Correlator, keys: &EventKeys, now_ms: i64) -> Correlation {
        c.correlate(keys, now_ms, now_ms, || now_ms as u128)
    }

    #[test]
    fn the_tenth_different_message_is_combined_and_the_first_nine_keep_counting_alone() {
        let mut c = Correlator::default();
        for message in 1..=9 {
            let got = seen(&mut c, &keys(1, 1, message), message as i64 * 1_000);
            assert!(!got.combined && got.count == 1, "{message}: {got:?}");
        }
        let tenth = seen(&mut c, &keys(1, 1, 10), 10_000);
        assert!(tenth.combined && tenth.count == 1 && tenth.key == keys(1, 1, 0).similar);
        let eleventh = seen(&mut c, &keys(1, 1, 11), 11_000);
        assert_eq!((eleventh.combined, eleventh.count, eleventh.first_ms), (true, 2, 10_000));
        let first_again = seen(&mut c, &keys(1, 1, 1), 12_000);
        assert_eq!(
            (first_again.combined, first_again.count, first_again.first_ms),
            (false, 2, 1_000)
        );
        // Another reason, or another object, has its own nine.
        assert!(!seen(&mut c, &keys(1, 2, 12), 13_000).combined);
        assert!(!seen(&mut c, &keys(2, 1, 12), 13_000).combined);
    }

    #[test]
    fn similar_events_more_than_ten_minutes_apart_start_counting_again() {
        let mut c = Correlator::default();
        for message in 1..=9 {
            seen(&mut c, &keys(1, 1, message), 0);
        }
        assert!(seen(&mut c, &keys(1, 1, 10), 10 * MIN).combined, "ten minutes is not more");
        let later = seen(&mut c, &keys(1, 1, 11), 20 * MIN + 1);
        assert!(!later.combined && later.count == 1);
    }

    #[test]
    fn a_source_sends_25_events_about_an_object_then_one_every_five_minutes() {
        let mut c = Correlator::default();
        for reason in 1..=25 {
            assert!(!seen(&mut c, &keys(1, reason, 1), 0).skip, "{reason}");
        }
        // Dropped, but counted: the event that gets through next carries the count.
        let dropped = seen(&mut c, &keys(1, 1, 1), 1_000);
        assert!(dropped.skip && dropped.count == 2);
        assert!(seen(&mut c, &keys(1, 1, 1), 2_000).skip);
        assert!(!seen(&mut c, &keys(2, 1, 1), 2_000).skip, "another object has its own burst");
        let next = seen(&mut c, &keys(1, 1, 1), 5 * MIN);
        assert_eq!((next.skip, next.count, next.first_ms), (false, 4, 0));
        assert!(seen(&mut c, &keys(1, 1, 1), 6 * MIN).skip);
        assert!(!seen(&mut c, &keys(1, 1, 1), 10 * MIN + 1_000).skip);
    }

    #[test]
    fn a_full_cache_forgets_the_least_recently_used() {
        let mut lru: Lru<u64> = Lru::default();
        for key in 0..CACHE_ENTRIES as u64 {
            lru.entry(key, || key);
        }
        // Using key 0 again makes key 1 the oldest.
        for _ in 0..3 * CACHE_ENTRIES {
            *lru.entry(0, || 0) += 1;
        }
        lru.entry(CACHE_ENTRIES as u64, || 0);
        assert!(lru.contains(0) && !lru.contains(1) && lru.contains(2));
        assert_eq!(lru.entries.len(), CACHE_ENTRIES);
        assert!(lru.uses.len() <= 2 * CACHE_ENTRIES + 65, "{}", lru.uses.len());
        assert_eq!(*lru.entry(0, || 0), 3 * CACHE_ENTRIES as u64);
    }
}
