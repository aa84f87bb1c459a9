//! The scheduler's event broadcaster (client-go `tools/events`, the events.k8s.io API). An event
//! seen again while the broadcaster still holds it becomes a series. The API server learns of
//! the series when it starts, at the second sighting; later sightings only count in the
//! broadcaster until it writes its series: every 30 minutes, and when the series ends, at the
//! first six-minute tick after its last sighting is six minutes old. A single event is forgotten
//! at such a tick too, so its next sighting is a new event.

use crate::api::ObjKey;
use crate::fastmap::FastMap;

/// How often the broadcaster ends series and forgets events (`finishTime`).
pub const FINISH_MS: i64 = 6 * 60_000;
/// How often it writes the series it holds (`refreshTime`).
pub const REFRESH_MS: i64 = 30 * 60_000;

/// An event the broadcaster holds.
#[derive(Clone, Debug)]
pub(super) struct Held {
    /// The stored event.
    pub event: ObjKey,
    pub count: i32,
    /// When it was last seen.
    pub last_ms: i64,
}

/// What a sighting is to the broadcaster.
#[derive(Debug, PartialEq)]
pub(super) enum Sighting {
    /// Not held: a new event.
    New,
    /// Its second sighting: the series starts, and is written at once.
    SeriesStarts,
    /// A later sighting: counted, written at the next tick.
    Counted,
}

/// The events the broadcaster holds, by identity.
#[derive(Clone, Default)]
pub(super) struct SeriesCache {
    held: FastMap<u64, Held>,
    /// Size after the last sweep of forgotten events.
    swept_len: usize,
}

/// The first tick at which an event last seen at `last_ms` is over: ticks fall every
/// [`FINISH_MS`], and the event must be older than that.
pub fn finish_tick(last_ms: i64) -> i64 {
    (last_ms + FINISH_MS).div_euclid(FINISH_MS) * FINISH_MS + FINISH_MS
}

/// When the broadcaster next writes a series last seen at `last_ms`: its finish tick, or the
/// next refresh after `now`, whichever comes first.
pub fn next_write(last_ms: i64, now: i64) -> i64 {
    let refresh = now.div_euclid(REFRESH_MS) * REFRESH_MS + REFRESH_MS;
    refresh.min(finish_tick(last_ms))
}

impl SeriesCache {
    /// Notes a sighting at `now` of the event `identity`: counted on the one held, if any (a new
    /// one is then held with [`SeriesCache::hold`]).
    pub fn sight(&mut self, identity: u64, now: i64) -> (Sighting, Option<&Held>) {
        self.sweep(now);
        let held = self.held.get_mut(&identity).filter(|h| now < finish_tick(h.last_ms));
        let Some(held) = held else { return (Sighting::New, None) };
        held.count = held.count.saturating_add(1);
        held.last_ms = now;
        let sighting = if held.count == 2 { Sighting::SeriesStarts } else { Sighting::Counted };
        (sighting, Some(held))
    }

    /// Holds a new event, stored at `event` and seen `count` times, the last at `now`.
    pub fn hold(&mut self, identity: u64, event: ObjKey, count: i32, now: i64) {
        self.held.insert(identity, Held { event, count, last_ms: now });
    }

    /// The series stored at `event` (its identity and state), if the broadcaster holds one, and
    /// whether it ends at `now` (then it is let go).
    pub fn due(&mut self, event: &ObjKey, now: i64) -> Option<(u64, Held, bool)> {
        let (&identity, held) = self.held.iter().find(|(_, h)| h.event == *event && h.count > 1)?;
        let held = held.clone();
        let ends = now >= finish_tick(held.last_ms);
        if ends {
            self.held.remove(&identity);
        }
        Some((identity, held, ends))
    }

    /// Forgets events that are over, once the cache has doubled since the last sweep.
    fn sweep(&mut self, now: i64) {
        if self.held.len() <= 2 * self.swept_len + 64 {
            return;
        }
        self.held.retain(|_, h| now < finish_tick(h.last_ms));
        self.swept_len = self.held.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Kind;

    const MIN: i64 = 60_000;

    fn key(name: &str) -> ObjKey {
        ObjKey::new(Kind::Event, "default", name)
    }

    #[test]
    fn a_repeat_within_the_broadcasters_hold_starts_a_series_and_later_ones_count() {
        let mut cache = SeriesCache::default();
        assert_eq!(cache.sight(1, 0).0, Sighting::New);
        cache.hold(1, key("a"), 1, 0);
        assert_eq!(cache.sight(1, 5 * MIN).0, Sighting::SeriesStarts);
        let (sighting, held) = cache.sight(1, 10 * MIN);
        assert_eq!(sighting, Sighting::Counted);
        assert_eq!(held.map(|h| (h.count, h.last_ms)), Some((3, 10 * MIN)));
    }

    #[test]
    fn an_event_is_forgotten_at_the_first_tick_after_it_is_six_minutes_old() {
        // Seen at 1 min: six minutes old at 7 min; the ticks fall at 6, 12, 18 min.
        assert_eq!(finish_tick(MIN), 12 * MIN);
        assert_eq!(finish_tick(0), 12 * MIN, "at 6 min it is not older than six minutes");
        let mut cache = SeriesCache::default();
        cache.sight(1, MIN);
        cache.hold(1, key("a"), 1, MIN);
        assert_eq!(cache.sight(1, 12 * MIN).0, Sighting::New);
    }

    #[test]
    fn a_series_is_written_at_the_next_refresh_or_when_it_ends() {
        assert_eq!(next_write(5 * MIN, 5 * MIN), 12 * MIN);
        assert_eq!(next_write(29 * MIN, 29 * MIN), 30 * MIN);
        let mut cache = SeriesCache::default();
        cache.sight(1, 20 * MIN);
        cache.hold(1, key("a"), 1, 20 * MIN);
        cache.sight(1, 25 * MIN);
        assert_eq!(next_write(25 * MIN, 25 * MIN), 30 * MIN, "the refresh");
        let (_, held, ends) = cache.due(&key("a"), 30 * MIN).expect("a series");
        assert!(!ends && held.count == 2);
        assert_eq!(next_write(25 * MIN, 30 * MIN), 36 * MIN, "its end");
        let (_, _, ends) = cache.due(&key("a"), 36 * MIN).expect("still held");
        assert!(ends);
        assert!(cache.due(&key("a"), 36 * MIN).is_none());
    }
}
