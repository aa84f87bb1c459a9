//! Virtual time and the timer queue.
//!
//! Nothing in the engine reads a wall clock. Time is a millisecond counter that only moves when the
//! simulation is advanced, and it jumps straight to the next due timer.

use std::collections::BTreeMap;

/// Milliseconds of virtual time since the simulated cluster was created.
pub type Millis = u64;

/// Names one scheduled timer, to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimerId {
    due_ms: Millis,
    seq: u64,
}

impl TimerId {
    /// When the timer is due.
    pub fn due_ms(self) -> Millis {
        self.due_ms
    }
}

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
    pub fn schedule_in(&mut self, delay_ms: Millis, timer: T) -> TimerId {
        let due = self.now_ms.saturating_add(delay_ms);
        self.schedule_at(due, timer)
    }

    /// Schedules `timer` at an absolute time (never earlier than now).
    pub fn schedule_at(&mut self, due_ms: Millis, timer: T) -> TimerId {
        let id = TimerId { due_ms: due_ms.max(self.now_ms), seq: self.next_seq };
        self.timers.insert((id.due_ms, id.seq), timer);
        self.next_seq += 1;
        id
    }

    /// Removes a pending timer (`None` if it already fired or was cancelled).
    pub fn cancel(&mut self, id: TimerId) -> Option<T> {
        self.timers.remove(&(id.due_ms, id.seq))
    }

    /// When the next timer is due, if any.
    pub fn next_due_ms(&self) -> Option<Millis> {
        self.timers.keys().next().map(|(due, _)| *due)
    }

    /// Removes every timer due at the earliest due time, if that is at or before `until_ms`, in
    /// insertion order, moving time to it.
    pub fn pop_next_instant(&mut self, until_ms: Millis) -> Vec<T> {
        let Some(at) = self.next_due_ms().filter(|&at| at <= until_ms) else { return Vec::new() };
        self.now_ms = self.now_ms.max(at);
        let later = match at.checked_add(1) {
            Some(next) => self.timers.split_off(&(next, 0)),
            None => BTreeMap::new(),
        };
        std::mem::replace(&mut self.timers, later).into_values().collect()
    }

    /// Moves time forward to `to_ms` (never backwards).
    pub fn set_now(&mut self, to_ms: Millis) {
        self.now_ms = self.now_ms.max(to_ms);
    }

    /// How many timers are pending.
    pub fn pending(&self) -> usize {
        self.timers.len()
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
        c.schedule_in(501, "d");
        assert_eq!(c.pop_next_instant(50), Vec::<&str>::new());
        assert_eq!(c.pop_next_instant(1_000), ["a"]);
        assert_eq!(c.now_ms(), 100);
        // One instant's timers come out together, in the order they were scheduled.
        assert_eq!(c.pop_next_instant(1_000), ["b", "c"]);
        assert_eq!(c.now_ms(), 500);
        assert_eq!(c.pop_next_instant(500), Vec::<&str>::new());
        let e = c.schedule_in(10, "e");
        assert_eq!(c.cancel(e), Some("e"));
        assert_eq!(c.cancel(e), None);
        assert_eq!(c.pop_next_instant(1_000), ["d"]);
        assert_eq!(c.pop_next_instant(1_000), Vec::<&str>::new());
    }
}
