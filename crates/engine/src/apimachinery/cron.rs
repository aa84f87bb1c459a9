//! CronJob schedules as Kubernetes reads them: robfig/cron v3 `ParseStandard` (five fields,
//! lists, ranges, steps, month and weekday names, `?`, the `@yearly`…`@hourly` descriptors and
//! `@every <duration>`, an optional `TZ=`/`CRON_TZ=` prefix), `Next` in UTC, and the API server's
//! `spec.schedule` validation with its exact messages.
//!
//! Upstream: robfig/cron v3.0.1 `parser.go`, `spec.go`, `constantdelay.go`; Go `time.ParseDuration`
//! and `strconv.Atoi` error texts; kubernetes `pkg/apis/batch/validation/validation.go`
//! (`validateScheduleFormat`, `validateTimeZone`).
//!
//! Written here rather than taken from a crate: no cron crate reproduces robfig's error strings
//! or its day-of-month/day-of-week rule, and this is small.
//!
//! ```
//! use kubeplay_engine::apimachinery::cron::Schedule;
//! let every_15 = Schedule::parse("*/15 * * * *").unwrap();
//! assert_eq!(every_15.next_after(0), Some(900)); // 1970-01-01T00:15:00Z
//! let err = Schedule::parse("61 * * * *").unwrap_err();
//! assert_eq!(err.to_string(), "end of range (61) above maximum (59): 61");
//! ```

use super::validation::{FieldError, FieldPath, go_quote};

/// Longest schedule accepted, in bytes.
pub const SCHEDULE_MAX_LEN_BYTES: usize = 1024;
/// How far ahead [`Schedule::next_after`] looks, in years (robfig's own bound).
pub const NEXT_SEARCH_YEARS: i64 = 5;

/// Why a schedule did not parse; `Display` is robfig/cron's error text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CronError(String);

const STAR_BIT: u64 = 1 << 63;

#[derive(Clone, Copy)]
struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const MINUTES: Bounds = Bounds { min: 0, max: 59, names: &[] };
const HOURS: Bounds = Bounds { min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { min: 1, max: 31, names: &[] };
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)],
};

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// A field schedule (`SpecSchedule`); seconds are always 0.
    Spec {
        /// Minutes 0-59 as bits.
        minute: u64,
        /// Hours 0-23 as bits.
        hour: u64,
        /// Days of month 1-31 as bits (bit 63: written as `*` or `?`).
        dom: u64,
        /// Months 1-12 as bits.
        month: u64,
        /// Days of week 0-6 as bits (bit 63: written as `*` or `?`).
        dow: u64,
        /// The `TZ=`/`CRON_TZ=` zone, if any (kept, but [`Schedule::next_after`] works in UTC).
        time_zone: Option<String>,
    },
    /// `@every <duration>` (`ConstantDelaySchedule`): whole seconds, at least one.
    Every {
        /// The delay between runs.
        delay_s: i64,
    },
}

impl Schedule {
    /// `cron.ParseStandard`.
    pub fn parse(spec: &str) -> Result<Schedule, CronError> {
        if spec.is_empty() {
            return Err(CronError("empty spec string".into()));
        }
        if spec.len() > SCHEDULE_MAX_LEN_BYTES {
            return Err(CronError(format!(
                "spec string is too long: {} bytes (at most {SCHEDULE_MAX_LEN_BYTES})",
                spec.len()
            )));
        }
        let mut spec = spec;
        let mut time_zone = None;
        if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
            let eq = spec.find('=').unwrap_or(0);
            // Upstream slices up to the first space and panics when there is none.
            let Some(space) = spec.find(' ') else {
                return Err(CronError(format!(
                    "provided bad location {}: missing schedule after the time zone",
                    &spec[eq + 1..]
                )));
            };
            let name = spec.get(eq + 1..space).unwrap_or("");
            load_location(name)
                .map_err(|e| CronError(format!("provided bad location {name}: {e}")))?;
            time_zone = Some(name.to_string());
            spec = spec[space..].trim();
        }
        if spec.starts_with('@') {
            return parse_descriptor(spec, time_zone);
        }
        let fields: Vec<&str> = spec.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(CronError(format!(
                "expected exactly 5 fields, found {}: [{}]",
                fields.len(),
                fields.join(" ")
            )));
        }
        Ok(Schedule::Spec {
            minute: get_field(fields[0], MINUTES)?,
            hour: get_field(fields[1], HOURS)?,
            dom: get_field(fields[2], DOM)?,
            month: get_field(fields[3], MONTHS)?,
            dow: get_field(fields[4], DOW)?,
            time_zone,
        })
    }

    /// The first activation strictly after `unix_s` (UTC), as `Schedule.Next` computes it;
    /// `None` when nothing matches within [`NEXT_SEARCH_YEARS`] years or the time is out of range.
    pub fn next_after(&self, unix_s: i64) -> Option<i64> {
        match self {
            Schedule::Every { delay_s } => unix_s.checked_add(*delay_s),
            Schedule::Spec { minute, hour, dom, month, dow, .. } => {
                next_spec(unix_s, *minute, *hour, *dom, *month, *dow)
            }
        }
    }
}

impl std::str::FromStr for Schedule {
    type Err = CronError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Schedule::parse(s)
    }
}

fn all(b: Bounds) -> u64 {
    bits(b.min, b.max, 1) | STAR_BIT
}

fn parse_descriptor(descriptor: &str, time_zone: Option<String>) -> Result<Schedule, CronError> {
    let spec = |minute, hour, dom, month, dow| Schedule::Spec {
        minute,
        hour,
        dom,
        month,
        dow,
        time_zone: time_zone.clone(),
    };
    match descriptor {
        "@yearly" | "@annually" => return Ok(spec(1, 1, 1 << 1, 1 << 1, all(DOW))),
        "@monthly" => return Ok(spec(1, 1, 1 << 1, all(MONTHS), all(DOW))),
        "@weekly" => return Ok(spec(1, 1, all(DOM), all(MONTHS), 1)),
        "@daily" | "@midnight" => return Ok(spec(1, 1, all(DOM), all(MONTHS), all(DOW))),
        "@hourly" => return Ok(spec(1, all(HOURS), all(DOM), all(MONTHS), all(DOW))),
        _ => {}
    }
    if let Some(duration) = descriptor.strip_prefix("@every ") {
        let nanos = parse_go_duration(duration)
            .map_err(|e| CronError(format!("failed to parse duration {descriptor}: {e}")))?;
        // `Every`: at least a second, truncated to whole seconds.
        let delay_s = (nanos.max(1_000_000_000) / 1_000_000_000) as i64;
        return Ok(Schedule::Every { delay_s });
    }
    Err(CronError(format!("unrecognized descriptor: {descriptor}")))
}

fn get_field(field: &str, b: Bounds) -> Result<u64, CronError> {
    let mut out = 0;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        out |= get_range(expr, b)?;
    }
    Ok(out)
}

fn get_range(expr: &str, b: Bounds) -> Result<u64, CronError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_and_high.len() == 1;
    let mut extra = 0;
    let (start, mut end) = if low_and_high[0] == "*" || low_and_high[0] == "?" {
        extra = STAR_BIT;
        (b.min, b.max)
    } else {
        let start = parse_int_or_name(low_and_high[0], b)?;
        match low_and_high.len() {
            1 => (start, start),
            2 => (start, parse_int_or_name(low_and_high[1], b)?),
            _ => return Err(CronError(format!("too many hyphens: {expr}"))),
        }
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1])?;
            if single {
                end = b.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(CronError(format!("too many slashes: {expr}"))),
    };
    if start < b.min {
        return Err(CronError(format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            b.min
        )));
    }
    if end > b.max {
        return Err(CronError(format!("end of range ({end}) above maximum ({}): {expr}", b.max)));
    }
    if start > end {
        return Err(CronError(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        )));
    }
    if step == 0 {
        return Err(CronError(format!("step of range should be a positive number: {expr}")));
    }
    Ok(bits(start, end, step) | extra)
}

fn bits(min: u64, max: u64, step: u64) -> u64 {
    let mut out = 0;
    let mut i = min;
    while i <= max && i < 64 {
        out |= 1 << i;
        i = match i.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    out
}

fn parse_int_or_name(expr: &str, b: Bounds) -> Result<u64, CronError> {
    let lower = expr.to_lowercase();
    if let Some((_, n)) = b.names.iter().find(|(name, _)| *name == lower) {
        return Ok(*n);
    }
    must_parse_int(expr)
}

fn must_parse_int(expr: &str) -> Result<u64, CronError> {
    let num =
        go_atoi(expr).map_err(|e| CronError(format!("failed to parse int from {expr}: {e}")))?;
    if num < 0 {
        return Err(CronError(format!("negative number ({num}) not allowed: {expr}")));
    }
    Ok(num as u64)
}

/// `strconv.Atoi` with its error text.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(s)));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// `time.LoadLocation` without a zone database: the fixed names, and any name shaped like an
/// IANA zone (unknown but well-formed names are accepted).
fn load_location(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "UTC" || name == "Local" {
        return Ok(());
    }
    let plausible = name.split('/').all(|part| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && !part.starts_with('-')
            && part.len() <= 14
            && part.bytes().all(|c| c.is_ascii_alphanumeric() || b".-_+".contains(&c))
    });
    if plausible { Ok(()) } else { Err(format!("unknown time zone {name}")) }
}

/// The `time` package's own quoting: non-ASCII and control bytes as `\xNN`.
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `time.ParseDuration`, in nanoseconds (negative allowed), with Go's error text.
fn parse_go_duration(orig: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c @ ('-' | '+')) = s.chars().next() {
        neg = c == '-';
        s = &s[1..];
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: u128 = 0;
        for &d in &b[..int_len] {
            v = v * 10 + u128::from(d - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
        }
        s = &s[int_len..];
        let pre = int_len > 0;
        let mut post = false;
        let (mut frac, mut scale) = (0u128, 1f64);
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for d in rest[..frac_len].bytes() {
                if overflow {
                    continue;
                }
                let next = frac * 10 + u128::from(d - b'0');
                if next > LIMIT {
                    overflow = true;
                    continue;
                }
                frac = next;
                scale *= 10.0;
            }
            post = frac_len > 0;
            s = &rest[frac_len..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s.bytes().take_while(|c| *c != b'.' && !c.is_ascii_digit()).count();
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", time_quote(orig)));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u128 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(unit_name),
                    time_quote(orig)
                ));
            }
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if frac > 0 {
            v += (frac as f64 * (unit as f64 / scale)) as u128;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok(-(total as i128));
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(total as i128)
}

// ---------------------------------------------------------------------------------------------
// Next activation, in UTC: robfig's `SpecSchedule.Next`, step for step.
// ---------------------------------------------------------------------------------------------

const MIN_UNIX_S: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
const MAX_UNIX_S: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

/// Days since 1970-01-01 of a proleptic Gregorian date (month and day may overflow forward).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Normalise the month first, then let the day count run on.
    let (y, m) = (y + (m - 1).div_euclid(12), (m - 1).rem_euclid(12) + 1);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + (d - 1)
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[derive(Clone, Copy)]
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    weekday: i64,
}

fn civil(t: i64) -> Civil {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs % 3600 / 60,
        second: secs % 60,
        weekday: (days + 4).rem_euclid(7), // 1970-01-01 was a Thursday
    }
}

fn unix(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s
}

fn next_spec(after: i64, minute: u64, hour: u64, dom: u64, month: u64, dow: u64) -> Option<i64> {
    if !(MIN_UNIX_S..=MAX_UNIX_S - 6 * 366 * 86_400).contains(&after) {
        return None;
    }
    let day_matches = |c: &Civil| {
        let dom_match = dom & (1 << c.day) != 0;
        let dow_match = dow & (1 << c.weekday) != 0;
        // Both restricted: either may match; otherwise both must.
        if dom & STAR_BIT != 0 || dow & STAR_BIT != 0 {
            dom_match && dow_match
        } else {
            dom_match || dow_match
        }
    };
    let mut t = after + 1;
    let mut added = false;
    let year_limit = civil(t).year + NEXT_SEARCH_YEARS;
    'wrap: loop {
        let mut c = civil(t);
        if c.year > year_limit {
            return None;
        }
        while month & (1 << c.month) == 0 {
            if !added {
                added = true;
                t = unix(c.year, c.month, 1, 0, 0, 0);
                c = civil(t);
            }
            t = unix(c.year, c.month + 1, c.day, c.hour, c.minute, c.second);
            c = civil(t);
            if c.month == 1 {
                continue 'wrap;
            }
        }
        while !day_matches(&c) {
            if !added {
                added = true;
                t = unix(c.year, c.month, c.day, 0, 0, 0);
            }
            t += 86_400;
            c = civil(t);
            if c.day == 1 {
                continue 'wrap;
            }
        }
        while hour & (1 << c.hour) == 0 {
            if !added {
                added = true;
                t -= t.rem_euclid(3600);
            }
            t += 3600;
            c = civil(t);
            if c.hour == 0 {
                continue 'wrap;
            }
        }
        while minute & (1 << c.minute) == 0 {
            if !added {
                added = true;
                t -= t.rem_euclid(60);
            }
            t += 60;
            c = civil(t);
            if c.minute == 0 {
                continue 'wrap;
            }
        }
        // Seconds: only 0 is ever set.
        while c.second != 0 {
            added = true;
            t += 1;
            c = civil(t);
            if c.second == 0 {
                continue 'wrap;
            }
        }
        return Some(t);
    }
}

// ---------------------------------------------------------------------------------------------
// API-server validation
// ---------------------------------------------------------------------------------------------

/// The API server's check of `spec.schedule` (`ValidateCronJobSpec` + `validateScheduleFormat`):
/// `path` is the schedule's path; `allow_tz_in_schedule` is true only on update when the old
/// schedule already had `TZ`; `time_zone_set` is whether `spec.timeZone` is set.
pub fn validate_schedule(
    schedule: &str,
    allow_tz_in_schedule: bool,
    time_zone_set: bool,
    path: &FieldPath,
) -> Vec<FieldError> {
    if schedule.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let mut errs = Vec::new();
    if let Err(e) = Schedule::parse(schedule) {
        errs.push(FieldError::invalid(path, schedule, e.to_string()));
    }
    if schedule.contains("TZ") {
        if allow_tz_in_schedule && time_zone_set {
            errs.push(FieldError::invalid(
                path,
                schedule,
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            ));
        } else if !allow_tz_in_schedule {
            errs.push(FieldError::invalid(
                path,
                schedule,
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        }
    }
    errs
}

/// The API server's check of `spec.timeZone` (`validateTimeZone`), without the zone database
/// lookup: well-formed names are accepted.
pub fn validate_time_zone(time_zone: Option<&str>, path: &FieldPath) -> Vec<FieldError> {
    let Some(tz) = time_zone else {
        return Vec::new();
    };
    // Upstream passes a *string, so the value renders as JSON.
    let value = serde_json::Value::String(tz.to_string());
    if tz.is_empty() {
        return vec![FieldError::invalid(path, value, "timeZone must be nil or non-empty string")];
    }
    let bad_part = tz.split('/').any(|part| {
        part == "."
            || part == ".."
            || part.starts_with('-')
            || part.is_empty()
            || part.len() > 14
            || !part.bytes().all(|c| c.is_ascii_alphanumeric() || b".-_+".contains(&c))
    });
    if bad_part {
        return vec![FieldError::invalid(path, value, format!("unknown time zone {tz}"))];
    }
    let mut errs = Vec::new();
    if tz.eq_ignore_ascii_case("Local") {
        errs.push(FieldError::invalid(
            path,
            value.clone(),
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ));
    }
    // Only "Local" itself loads; "local" and friends are not zone files either.
    let not_a_zone = tz.eq_ignore_ascii_case("Local") && tz != "Local";
    if let Err(e) = load_location(tz) {
        errs.push(FieldError::invalid(path, value, e));
    } else if not_a_zone {
        errs.push(FieldError::invalid(path, value, format!("unknown time zone {tz}")));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(spec: &str) -> String {
        match Schedule::parse(spec) {
            Ok(s) => panic!("{spec:?} parsed: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn s(spec: &str) -> Schedule {
        Schedule::parse(spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"))
    }

    /// Seconds since the epoch of a UTC date-time.
    fn at(y: i64, mo: i64, d: i64, h: i64, mi: i64) -> i64 {
        unix(y, mo, d, h, mi, 0)
    }

    #[test]
    fn calendar_helpers() {
        assert_eq!(at(1970, 1, 1, 0, 0), 0);
        assert_eq!(at(2024, 2, 29, 12, 0), 1_709_208_000);
        assert_eq!(civil(1_709_208_000).weekday, 4); // a Thursday
        assert_eq!(at(2023, 13, 1, 0, 0), at(2024, 1, 1, 0, 0));
        assert_eq!(at(2023, 2, 31, 0, 0), at(2023, 3, 3, 0, 0));
        let c = civil(-1);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (1969, 12, 31, 23, 59, 59)
        );
    }

    #[test]
    fn next_activations() {
        let t0 = at(2024, 1, 15, 10, 7); // a Monday
        assert_eq!(s("*/15 * * * *").next_after(t0), Some(at(2024, 1, 15, 10, 15)));
        assert_eq!(s("* * * * *").next_after(t0), Some(at(2024, 1, 15, 10, 8)));
        assert_eq!(s("* * * * *").next_after(t0 + 30), Some(at(2024, 1, 15, 10, 8)));
        assert_eq!(s("0 3 * * *").next_after(t0), Some(at(2024, 1, 16, 3, 0)));
        assert_eq!(s("1-30/5 * * * *").next_after(t0), Some(at(2024, 1, 15, 10, 11)));
        assert_eq!(s("0 0 1 * *").next_after(t0), Some(at(2024, 2, 1, 0, 0)));
        assert_eq!(s("0 0 * * MON").next_after(t0), Some(at(2024, 1, 22, 0, 0)));
        assert_eq!(s("0 0 * * sun").next_after(t0), Some(at(2024, 1, 21, 0, 0)));
        assert_eq!(s("0 0 29 FEB *").next_after(t0), Some(at(2024, 2, 29, 0, 0)));
        assert_eq!(s("0 0 29 2 *").next_after(at(2024, 3, 1, 0, 0)), Some(at(2028, 2, 29, 0, 0)));
        assert_eq!(s("0 0 30 2 *").next_after(t0), None);
        assert_eq!(s("0 12 1 JAN-MAR ?").next_after(t0), Some(at(2024, 2, 1, 12, 0)));
        // Both day fields restricted: either matches (the 20th, or a Friday).
        assert_eq!(s("0 0 20 * FRI").next_after(t0), Some(at(2024, 1, 19, 0, 0)));
        assert_eq!(
            s("0 0 20 * FRI").next_after(at(2024, 1, 19, 0, 0)),
            Some(at(2024, 1, 20, 0, 0))
        );
        // One of them `*`: both must match.
        assert_eq!(s("0 0 * * FRI").next_after(t0), Some(at(2024, 1, 19, 0, 0)));
        assert_eq!(s("0 0 13 * */1").next_after(t0), Some(at(2024, 2, 13, 0, 0)));
        // A range is not a star: "1-31" with a weekday means every day.
        assert_eq!(s("0 0 1-31 * MON").next_after(t0), Some(at(2024, 1, 16, 0, 0)));
        assert_eq!(s("59 23 31 12 *").next_after(t0), Some(at(2024, 12, 31, 23, 59)));
        assert_eq!(s("0 0 1 1 *").next_after(at(2024, 12, 31, 23, 59)), Some(at(2025, 1, 1, 0, 0)));
        assert_eq!(s("*/61 * * * *").next_after(t0), Some(at(2024, 1, 15, 11, 0)));
        assert_eq!(s(", * * * *").next_after(t0), None);
    }

    #[test]
    fn descriptors() {
        let t0 = at(2024, 1, 15, 10, 7);
        assert_eq!(s("@hourly").next_after(t0), Some(at(2024, 1, 15, 11, 0)));
        assert_eq!(s("@daily").next_after(t0), Some(at(2024, 1, 16, 0, 0)));
        assert_eq!(s("@midnight"), s("@daily"));
        assert_eq!(s("@weekly").next_after(t0), Some(at(2024, 1, 21, 0, 0)));
        assert_eq!(s("@monthly").next_after(t0), Some(at(2024, 2, 1, 0, 0)));
        assert_eq!(s("@yearly").next_after(t0), Some(at(2025, 1, 1, 0, 0)));
        assert_eq!(s("@annually"), s("@yearly"));
        assert_eq!(s("@every 1h30m"), Schedule::Every { delay_s: 5400 });
        assert_eq!(s("@every 1h30m").next_after(t0), Some(t0 + 5400));
        assert_eq!(s("@every 500ms"), Schedule::Every { delay_s: 1 });
        assert_eq!(s("@every 1.5s"), Schedule::Every { delay_s: 1 });
        assert_eq!(s("@every 90s"), Schedule::Every { delay_s: 90 });
        assert_eq!(s("@every -5m"), Schedule::Every { delay_s: 1 });
        assert_eq!(s("@every 1µs"), Schedule::Every { delay_s: 1 });
        assert_eq!(
            err("@every 1d"),
            "failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            err("@every 1"),
            "failed to parse duration @every 1: time: missing unit in duration \"1\""
        );
        assert_eq!(err("@every "), "failed to parse duration @every : time: invalid duration \"\"");
        assert_eq!(
            err("@every x"),
            "failed to parse duration @every x: time: invalid duration \"x\""
        );
        assert_eq!(
            err("@every 9999999999h"),
            "failed to parse duration @every 9999999999h: time: invalid duration \"9999999999h\""
        );
        assert_eq!(
            err("@every 1é"),
            "failed to parse duration @every 1é: time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\""
        );
        assert_eq!(err("@every"), "unrecognized descriptor: @every");
        assert_eq!(err("@reboot"), "unrecognized descriptor: @reboot");
        assert_eq!(err("@Daily"), "unrecognized descriptor: @Daily");
    }

    #[test]
    fn parse_errors_are_robfigs() {
        assert_eq!(err(""), "empty spec string");
        assert_eq!(err("bad"), "expected exactly 5 fields, found 1: [bad]");
        assert_eq!(err("* * * * * *"), "expected exactly 5 fields, found 6: [* * * * * *]");
        assert_eq!(err(" @daily"), "expected exactly 5 fields, found 1: [@daily]");
        assert_eq!(err("61 * * * *"), "end of range (61) above maximum (59): 61");
        assert_eq!(err("* 24 * * *"), "end of range (24) above maximum (23): 24");
        assert_eq!(err("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
        assert_eq!(err("* * * 13 *"), "end of range (13) above maximum (12): 13");
        assert_eq!(err("* * * * 7"), "end of range (7) above maximum (6): 7");
        assert_eq!(err("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
        assert_eq!(err("*/0 * * * *"), "step of range should be a positive number: */0");
        assert_eq!(err("1-2-3 * * * *"), "too many hyphens: 1-2-3");
        assert_eq!(err("*/2/3 * * * *"), "too many slashes: */2/3");
        assert_eq!(
            err("x * * * *"),
            "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            err("-1 * * * *"),
            "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"
        );
        assert_eq!(
            err("* * * JANUARY *"),
            "failed to parse int from JANUARY: strconv.Atoi: parsing \"JANUARY\": invalid syntax"
        );
        assert_eq!(
            err("99999999999999999999 * * * *"),
            "failed to parse int from 99999999999999999999: strconv.Atoi: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(err("*/-1 * * * *"), "negative number (-1) not allowed: -1");
        assert_eq!(
            err("* * * * MON-FOO"),
            "failed to parse int from FOO: strconv.Atoi: parsing \"FOO\": invalid syntax"
        );
        // The first failing field wins.
        assert_eq!(
            err("x 99 * * *"),
            "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert!(Schedule::parse("+5 * * * *").is_ok());
        assert!(Schedule::parse("0 9-17 * * mon-fri").is_ok());
        assert!(Schedule::parse("0,30 * * * *").is_ok());
        assert!(Schedule::parse("0\t0\n* * *").is_ok());
    }

    #[test]
    fn time_zone_prefixes() {
        assert_eq!(
            s("CRON_TZ=UTC 0 3 * * *"),
            Schedule::Spec {
                minute: 1,
                hour: 1 << 3,
                dom: all(DOM),
                month: all(MONTHS),
                dow: all(DOW),
                time_zone: Some("UTC".into())
            }
        );
        assert!(Schedule::parse("TZ=Europe/Paris @daily").is_ok());
        assert_eq!(
            err("TZ=Bad//Zone * * * * *"),
            "provided bad location Bad//Zone: unknown time zone Bad//Zone"
        );
        assert!(err("TZ=UTC").starts_with("provided bad location UTC"));
    }

    #[test]
    fn api_server_validation() {
        let path = FieldPath::root("spec").child("schedule");
        let v = |sched: &str, allow: bool, tz: bool| -> Vec<String> {
            validate_schedule(sched, allow, tz, &path).iter().map(ToString::to_string).collect()
        };
        assert!(v("*/1 * * * *", false, false).is_empty());
        assert!(v("@every 1h", false, false).is_empty());
        assert_eq!(v("", false, false), vec!["spec.schedule: Required value"]);
        assert_eq!(
            v("61 * * * *", false, false),
            vec![
                "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"
            ]
        );
        assert_eq!(
            v("bad", false, false),
            vec![
                "spec.schedule: Invalid value: \"bad\": expected exactly 5 fields, found 1: [bad]"
            ]
        );
        assert_eq!(
            v("CRON_TZ=UTC * * * * *", false, false),
            vec![
                "spec.schedule: Invalid value: \"CRON_TZ=UTC * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            ]
        );
        assert_eq!(
            v("TZ=UTC * * * * *", true, true),
            vec![
                "spec.schedule: Invalid value: \"TZ=UTC * * * * *\": cannot use both timeZone field and TZ or CRON_TZ in schedule"
            ]
        );
        assert!(v("TZ=UTC * * * * *", true, false).is_empty());
        assert_eq!(v("TZ=UTC 61 * * * *", false, false).len(), 2);
    }

    #[test]
    fn time_zone_field_validation() {
        let path = FieldPath::root("spec").child("timeZone");
        let v = |tz: Option<&str>| -> Vec<String> {
            validate_time_zone(tz, &path).iter().map(ToString::to_string).collect()
        };
        assert!(v(None).is_empty());
        assert!(v(Some("Europe/Paris")).is_empty());
        assert!(v(Some("Etc/GMT+5")).is_empty());
        assert_eq!(
            v(Some("")),
            vec!["spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"]
        );
        assert_eq!(
            v(Some("../etc")),
            vec!["spec.timeZone: Invalid value: \"../etc\": unknown time zone ../etc"]
        );
        assert_eq!(
            v(Some("local")),
            vec![
                "spec.timeZone: Invalid value: \"local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
                "spec.timeZone: Invalid value: \"local\": unknown time zone local",
            ]
        );
    }

    #[test]
    fn hostile_inputs() {
        let huge = "1,".repeat(1000);
        assert!(Schedule::parse(&huge).is_err());
        for spec in [
            "🚀 * * * *",
            "\u{0} * * * *",
            "* * * * \u{a0}",
            "TZ=",
            "TZ= ",
            "CRON_TZ=é * * * * *",
            "@every 🚀",
            "@every .",
            "@every 1.h",
            "@every .5h",
            "*/18446744073709551615 * * * *",
            "? ? ? ? ?",
        ] {
            if let Ok(sched) = Schedule::parse(spec) {
                let _ = sched.next_after(0);
                let _ = sched.next_after(i64::MAX);
                let _ = sched.next_after(i64::MIN);
            }
        }
        assert_eq!(s("@every 9223372036s").next_after(i64::MAX), None);
        assert_eq!(s("* * * * *").next_after(i64::MAX), None);
        assert_eq!(s("@every .5h"), Schedule::Every { delay_s: 1800 });
        // Go accepts an empty fraction after digits.
        assert_eq!(s("@every 1.h"), Schedule::Every { delay_s: 3600 });
    }
}
