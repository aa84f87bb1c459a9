//! Durations the way kubectl prints them.
//!
//! - [`human_duration`] is apimachinery's `duration.HumanDuration`, behind every AGE column, the
//!   events table's LAST SEEN, the pods table's `RESTARTS (5m2s ago)` and describe's
//!   `5m (x3 over 10m)`: kubectl's `translateTimestampSince` calls it.
//! - [`short_human_duration`] is `duration.ShortHumanDuration` (one unit, coarser); kubectl's
//!   printers no longer use it, but plugins and older code do.
//! - [`go_duration`] is Go's `time.Duration.String()` (`1m30s`, `500ms`, `2h0m0s`), which describe
//!   prints for probe timings (`delay=0s timeout=1s period=10s`) and `--timeout` messages.
//!
//! Inputs are milliseconds, the engine's unit of virtual time.

const SECOND_MS: i64 = 1000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;

/// `duration.HumanDuration`: about 2–3 significant figures, `<invalid>` below −1 s.
///
/// ```
/// use kubeplay_engine::kubectl::format::human_duration;
/// assert_eq!(human_duration(125_000), "2m5s");
/// assert_eq!(human_duration(3 * 3_600_000 + 600_000), "3h10m");
/// ```
pub fn human_duration(ms: i64) -> String {
    // Go: int(d.Seconds()) truncates toward zero, so −1.9 s is still "0s".
    let seconds = ms / SECOND_MS;
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = ms / MINUTE_MS;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = ms / HOUR_MS;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        format!("{hours}h{m}m")
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        format!("{}d{}h", hours / 24, h)
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        format!("{}y{}d", hours / 24 / 365, dy)
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

/// `duration.ShortHumanDuration`: a single unit (`45s`, `12m`, `5h`, `3d`, `2y`).
pub fn short_human_duration(ms: i64) -> String {
    let seconds = ms / SECOND_MS;
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = ms / MINUTE_MS;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = ms / HOUR_MS;
    if hours < 24 {
        format!("{hours}h")
    } else if hours < 24 * 365 {
        format!("{}d", hours / 24)
    } else {
        // Go divides the float hours here: int(d.Hours()/24/365).
        format!("{}y", (ms as f64 / HOUR_MS as f64 / 24.0 / 365.0) as i64)
    }
}

/// Go's `time.Duration.String()` for a duration in milliseconds: `0s`, `500ms`, `1.5s`,
/// `1m30s`, `2h0m0s`, `-3s`.
pub fn go_duration(ms: i64) -> String {
    go_duration_ns(ms.saturating_mul(1_000_000))
}

/// Go's `time.Duration.String()` for a duration in nanoseconds (Go's own unit).
pub fn go_duration_ns(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if u < 1_000_000_000 {
        // Below a second: one unit, with a decimal fraction.
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&with_fraction(u / scale, u % scale, scale));
        out.push_str(unit);
        return out;
    }
    let secs_total = u / 1_000_000_000;
    let frac = u % 1_000_000_000;
    let hours = secs_total / 3600;
    let minutes = (secs_total / 60) % 60;
    let secs = secs_total % 60;
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&with_fraction(secs, frac, 1_000_000_000));
    out.push('s');
    out
}

/// `whole.frac` with the fraction's trailing zeros dropped (and no dot when it is zero).
fn with_fraction(whole: u64, frac: u64, scale: u64) -> String {
    if frac == 0 {
        return whole.to_string();
    }
    let digits = scale.ilog10() as usize;
    let s = format!("{frac:0digits$}");
    format!("{whole}.{}", s.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1000;
    const M: i64 = 60 * S;
    const H: i64 = 60 * M;
    const D: i64 = 24 * H;
    const Y: i64 = 365 * D;

    #[test]
    fn human_duration_table() {
        // The cases of apimachinery's duration_test.go, plus the boundaries of every branch.
        let cases = [
            (-2 * S, "<invalid>"),
            (-1999, "0s"),
            (-S, "0s"),
            (0, "0s"),
            (999, "0s"),
            (S, "1s"),
            (70 * S, "70s"),
            (119 * S, "119s"),
            (2 * M, "2m"),
            (2 * M + 3 * S, "2m3s"),
            (9 * M + 59 * S, "9m59s"),
            (10 * M, "10m"),
            (10 * M + 59 * S, "10m"),
            (179 * M, "179m"),
            (3 * H, "3h"),
            (3 * H + 10 * M, "3h10m"),
            (7 * H + 59 * M, "7h59m"),
            (8 * H, "8h"),
            (47 * H + 59 * M, "47h"),
            (48 * H, "2d"),
            (49 * H, "2d1h"),
            (8 * D - 1, "7d23h"),
            (8 * D, "8d"),
            (367 * D, "367d"),
            (2 * Y - 1, "729d"),
            (2 * Y, "2y"),
            (2 * Y + 30 * D, "2y30d"),
            (8 * Y - 1, "7y364d"),
            (8 * Y, "8y"),
            (20 * Y + 100 * D, "20y"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_duration(ms), want, "{ms} ms");
        }
    }

    #[test]
    fn short_human_duration_table() {
        let cases = [
            (-2 * S, "<invalid>"),
            (-S, "0s"),
            (59 * S, "59s"),
            (60 * S, "1m"),
            (59 * M, "59m"),
            (H, "1h"),
            (23 * H, "23h"),
            (D, "1d"),
            (364 * D, "364d"),
            (Y, "1y"),
            (3 * Y, "3y"),
        ];
        for (ms, want) in cases {
            assert_eq!(short_human_duration(ms), want, "{ms} ms");
        }
    }

    #[test]
    fn go_duration_strings() {
        let cases = [
            (0, "0s"),
            (1, "1ms"),
            (500, "500ms"),
            (1500, "1.5s"),
            (S, "1s"),
            (10 * S, "10s"),
            (60 * S, "1m0s"),
            (90 * S, "1m30s"),
            (5 * M + 2 * S, "5m2s"),
            (2 * H, "2h0m0s"),
            (26 * H + 3 * M + 4 * S + 5, "26h3m4.005s"),
            (-3 * S, "-3s"),
        ];
        for (ms, want) in cases {
            assert_eq!(go_duration(ms), want, "{ms} ms");
        }
        assert_eq!(go_duration_ns(1), "1ns");
        assert_eq!(go_duration_ns(1_500), "1.5µs");
        assert_eq!(go_duration_ns(i64::MIN), "-2562047h47m16.854775808s");
        assert_eq!(go_duration_ns(i64::MAX), "2562047h47m16.854775807s");
    }
}
