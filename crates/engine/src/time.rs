//! Mapping virtual milliseconds to the wall-clock timestamps objects carry.
//!
//! Virtual time 0 is the moment the cluster was created. The learner's session starts a few minutes
//! later, at [`SESSION_START_MS`], which is a fixed instant so that every run prints the same
//! timestamps.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use k8s_openapi::jiff::Timestamp;

/// Unix seconds of the session start: Monday 2 March 2026, 09:00:00 UTC.
pub const SESSION_START_UNIX_SECONDS: i64 = 1_772_442_000;

/// Virtual time at which the learner arrives: the cluster is 4m12s old (what `get nodes` shows).
pub const SESSION_START_MS: u64 = 4 * 60 * 1000 + 12 * 1000;

/// The instant at virtual time `ms`.
pub fn instant(ms: i64) -> Timestamp {
    let start = Timestamp::from_second(SESSION_START_UNIX_SECONDS).unwrap_or(Timestamp::UNIX_EPOCH);
    // One conversion from Unix milliseconds: adding a duration to the start checks and
    // normalises seconds and nanoseconds twice. Out of range, it is the start as before.
    let start_ms = SESSION_START_UNIX_SECONDS * 1000 - SESSION_START_MS as i64;
    ms.checked_add(start_ms)
        .and_then(|unix_ms| Timestamp::from_millisecond(unix_ms).ok())
        .unwrap_or(start)
}

/// A `metav1.Time` (whole seconds, as the API stores it) at virtual time `ms`.
pub fn time(ms: i64) -> Time {
    Time(instant(ms.div_euclid(1000) * 1000))
}

/// A `metav1.MicroTime` at virtual time `ms`.
pub fn micro_time(ms: i64) -> MicroTime {
    MicroTime(instant(ms))
}

/// Virtual milliseconds of a timestamp.
pub fn ms_of(t: &Time) -> i64 {
    ms_of_instant(t.0)
}

/// Virtual milliseconds of an instant.
pub fn ms_of_instant(t: Timestamp) -> i64 {
    t.as_millisecond() - SESSION_START_UNIX_SECONDS * 1000 + SESSION_START_MS as i64
}

/// RFC 1123 with numeric zone, as `kubectl describe` prints times (`Mon, 02 Mar 2026 09:00:00 +0000`).
pub fn rfc1123z(t: &Time) -> String {
    k8s_openapi::jiff::fmt::strtime::format("%a, %d %b %Y %H:%M:%S +0000", t.0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_maps_to_fixed_instants() {
        let start = SESSION_START_MS as i64;
        assert_eq!(serde_json::to_value(time(start)).unwrap(), "2026-03-02T09:00:00Z");
        assert_eq!(serde_json::to_value(time(start + 1_999)).unwrap(), "2026-03-02T09:00:01Z");
        assert_eq!(serde_json::to_value(time(0)).unwrap(), "2026-03-02T08:55:48Z");
        assert_eq!(ms_of(&time(61_000)), 61_000);
        assert_eq!(rfc1123z(&time(start)), "Mon, 02 Mar 2026 09:00:00 +0000");
    }

    #[test]
    fn an_instant_is_the_start_plus_the_offset_or_the_start_out_of_range() {
        use k8s_openapi::jiff::SignedDuration;
        let start = Timestamp::from_second(SESSION_START_UNIX_SECONDS).unwrap();
        let far = 300_000_000_000_000;
        for ms in [0, 1, 999, -1_001, 252_000, 1 << 40, -(1 << 40), far, -far, i64::MAX, i64::MIN] {
            let offset = ms.checked_sub(SESSION_START_MS as i64);
            let added = offset.and_then(|d| start.checked_add(SignedDuration::from_millis(d)).ok());
            assert_eq!(instant(ms), added.unwrap_or(start), "{ms}");
        }
    }
}
