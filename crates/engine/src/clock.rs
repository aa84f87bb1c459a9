//! Virtual time and the timer queue.
//!
//! Nothing in the engine reads a wall clock. Time is a millisecond counter that only moves when the
//! simulation is advanced, and it jumps straight to the next due timer.

use std::collections::BTreeMap;

/// Milliseconds of virtual time since the simulated cluster was created.
pub type Millis = u64;

/// A queue of timers of type `T`, fired in (due time, insertion order) order.
#[derive(Clone, Debug)]
pub struct Clock<T> {
    now_ms: Millis,
    next_seq: u64,
    timers: BTreeMap<(Millis, u64), T>,
}

impl<T> Default for Clock<T> {
    fn default() -> Self {
        Clock { now_ms: 0, next_seq: 0, timers: BTreeMap::new() }
    }
}

impl<T> Clock<T> {
    /// The current virtual time.
    pub fn now_ms(&self) -> Millis {
        self.now_ms
    }

    /// Schedules `timer` to fire `delay_ms` from now.
    pub fn schedule_in(&mut self, delay_ms: Millis, timer: T) {
        let due = self.now_ms.saturating_add(delay_ms);
        self.schedule_at(due, timer);
    }

    /// Schedules `timer` at an absolute time (never earlier than now).
    pub fn schedule_at(&mut self, due_ms: Millis, timer: T) {
        let due = due_ms.max(self.now_ms);
        self.timers.insert((due, self.next_seq), timer);
        self.next_seq += 1;
    }

    /// When the next timer is due, if any.
    pub fn next_due_ms(&self) -> Option<Millis> {
        self.timers.keys().next().map(|(due, _)| *due)
    }

    /// Removes and returns the next timer if it is due at or before `until_ms`, moving time to it.
    pub fn pop_due(&mut self, until_ms: Millis) -> Option<T> {
        let (&key, _) = self.timers.iter().next()?;
        if key.0 > until_ms {
            return None;
        }
        self.now_ms = self.now_ms.max(key.0);
        self.timers.remove(&key)
    }

    /// Moves time forward to `to_ms` (never backwards).
    pub fn set_now(&mut self, to_ms: Millis) {
        self.now_ms = self.now_ms.max(to_ms);
    }

    /// How many timers are pending.
    pub fn pending(&self) -> usize {
        self.timers.len()
    }

    /// Drops every pending timer for which `keep` returns false.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.timers.retain(|_, t| keep(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_due_order_and_time_jumps_to_them() {
        let mut c = Clock::default();
        c.schedule_in(500, "b");
        c.schedule_in(100, "a");
        c.schedule_in(500, "c");
        assert_eq!(c.pop_due(50), None);
        assert_eq!(c.pop_due(1_000), Some("a"));
        assert_eq!(c.now_ms(), 100);
        assert_eq!(c.pop_due(1_000), Some("b"));
        assert_eq!(c.pop_due(1_000), Some("c"));
        assert_eq!(c.now_ms(), 500);
        assert_eq!(c.pop_due(1_000), None);
    }
}
