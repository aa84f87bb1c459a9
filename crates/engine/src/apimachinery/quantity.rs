//! Resource quantities (`resource.Quantity`): parsing with upstream's errors, exact comparison and
//! addition, milli-value / value, and the canonical text the API server stores (`0.5` → `500m`,
//! `1000m` → `1`, `1024Mi` → `1Gi`, `1.5Gi` → `1536Mi`), including upstream's rule of keeping the
//! text as written when it is already canonical-looking (`100Ki`, `1e3`, `+1`).
//!
//! Upstream: kubernetes/apimachinery v0.34.1 `pkg/api/resource/{quantity,amount,math,suffix,
//! scale_int}.go`; the downward-API division is kubernetes `pkg/api/v1/resource/helpers.go`
//! (`convertResourceCPUToString`, `convertResourceMemoryToString`).
//!
//! Values are exact decimals held in an `i128` coefficient and a power-of-ten exponent: anything
//! needing more than 38 significant digits (upstream uses big integers) is refused as
//! [`QuantityError::Numeric`].
//!
//! ```
//! use kubeplay_engine::apimachinery::quantity::Quantity;
//! let q: Quantity = "0.5".parse().unwrap();
//! assert_eq!(q.to_string(), "500m");
//! assert_eq!(q.milli_value(), 500);
//! assert_eq!("1.5Gi".parse::<Quantity>().unwrap().to_string(), "1536Mi");
//! ```

use std::cmp::Ordering;
use std::fmt;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;

/// Longest quantity text accepted, in bytes.
pub const QUANTITY_MAX_LEN_BYTES: usize = 256;

const SPLIT_RE: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/// Why a quantity did not parse; `Display` is upstream's error text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// `ErrFormatWrong`.
    #[error("quantities must match the regular expression '{SPLIT_RE}'")]
    FormatWrong,
    /// `ErrNumeric` (also: more precision than this implementation holds, or too long).
    #[error("unable to parse numeric part of quantity")]
    Numeric,
    /// `ErrSuffix`.
    #[error("unable to parse quantity's suffix")]
    Suffix,
}

/// How a quantity prints (`resource.Format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `12e6`
    DecimalExponent,
    /// `12Mi`
    BinarySI,
    /// `12M`
    DecimalSI,
}

/// A resource quantity: the exact value `coefficient × 10^exponent`, its format, and the text it
/// was written as when upstream would keep that text.
#[derive(Clone, Debug)]
pub struct Quantity {
    coefficient: i128,
    exponent: i32,
    format: Format,
    original: Option<String>,
}

const NANO: i32 = -9;
const MAX_INT64: i128 = i64::MAX as i128;

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Quantity {
    /// Zero, printed `0`.
    pub fn zero() -> Quantity {
        Quantity { coefficient: 0, exponent: 0, format: Format::DecimalSI, original: None }
    }

    /// `resource.NewQuantity(value, format)`.
    pub fn new(value: i64, format: Format) -> Quantity {
        Quantity { coefficient: i128::from(value), exponent: 0, format, original: None }
    }

    /// `resource.NewMilliQuantity(value, format)`.
    pub fn new_milli(value: i64, format: Format) -> Quantity {
        Quantity { coefficient: i128::from(value), exponent: -3, format, original: None }
    }

    /// The format this quantity prints in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.coefficient == 0
    }

    /// -1, 0 or 1.
    pub fn signum(&self) -> i32 {
        self.coefficient.signum() as i32
    }

    /// `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::FormatWrong);
        }
        if s.len() > QUANTITY_MAX_LEN_BYTES {
            return Err(QuantityError::Numeric);
        }
        if s == "0" {
            return Ok(Quantity { original: Some(s.to_string()), ..Quantity::zero() });
        }
        let parts = split_quantity(s)?;
        let (base, exponent, format) = interpret_suffix(parts.suffix)?;

        // Upstream's int64 fast path; it also decides whether the written text is kept.
        let digits = parts.num.len() as i64 + parts.denom.len() as i64;
        let (precision, mut scale, mantissa): (i64, i64, i64) = match format {
            Format::DecimalExponent | Format::DecimalSI => (18 - digits, i64::from(exponent), 1),
            Format::BinarySI => {
                if exponent >= 0 && parts.denom.is_empty() {
                    let precision = 15 - parts.num.len() as i64 - i64::from(exponent) * 3 / 10 - 1;
                    (precision, 0, 1i64.checked_shl(exponent as u32).unwrap_or(0))
                } else {
                    (-1, 0, 1)
                }
            }
        };
        if precision >= 0 {
            scale -= parts.denom.len() as i64;
            if scale >= i64::from(NANO) {
                let shifted = format!("{}{}", parts.num, parts.denom);
                let value: i64 = shifted.parse().map_err(|_| QuantityError::Numeric)?;
                if let (Some(result), Ok(scale)) =
                    (value.checked_mul(mantissa), i32::try_from(scale))
                {
                    let result = if parts.positive { result } else { -result };
                    let keep = match format {
                        Format::BinarySI => exponent % 10 == 0 && value & 0x07 != 0,
                        _ => {
                            scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0')
                        }
                    };
                    return Ok(Quantity {
                        coefficient: i128::from(result),
                        exponent: scale,
                        format,
                        original: keep.then(|| s.to_string()),
                    });
                }
            }
        }

        // The exact path (upstream's inf.Dec).
        let (mut coefficient, mut exp) = parse_plain_decimal(parts.value)?;
        if base == 10 {
            exp = exp.checked_add(exponent).ok_or(QuantityError::Numeric)?;
        } else {
            let factor = 1i128.checked_shl(exponent as u32).ok_or(QuantityError::Numeric)?;
            coefficient = coefficient.checked_mul(factor).ok_or(QuantityError::Numeric)?;
        }
        let negative = coefficient < 0;
        coefficient = coefficient.abs();
        // Round up (away from zero) to nano units.
        if exp < NANO && coefficient != 0 {
            let drop = (NANO - exp) as u32;
            coefficient = match pow10(drop) {
                Some(div) => coefficient / div + i128::from(coefficient % div != 0),
                None => 1,
            };
            exp = NANO;
        }
        let mut format = format;
        if format == Format::BinarySI {
            if cmp_parts(coefficient, exp, MAX_INT64, 0) == Ordering::Greater {
                (coefficient, exp) = (MAX_INT64, 0);
            }
            if cmp_parts(coefficient, exp, 1, 0) == Ordering::Less && coefficient > 0 {
                format = Format::DecimalSI;
            }
        }
        if negative {
            coefficient = -coefficient;
        }
        Ok(Quantity { coefficient, exponent: exp, format, original: None })
    }

    /// Parse the text of a k8s-openapi quantity (surrounding spaces trimmed, as JSON decoding does).
    pub fn from_k8s(q: &K8sQuantity) -> Result<Quantity, QuantityError> {
        Quantity::parse(q.0.trim())
    }

    /// The k8s-openapi quantity holding this quantity's stored text.
    pub fn to_k8s(&self) -> K8sQuantity {
        K8sQuantity(self.to_string())
    }

    /// `ScaledValue(scale)`: the value in units of 10^scale, rounded away from zero; saturates
    /// at the `i64` range (upstream wraps or returns 0 there).
    pub fn scaled_value(&self, scale: i32) -> i64 {
        let (c, e) = (self.coefficient, i64::from(self.exponent) - i64::from(scale));
        let v: i128 = if e >= 0 {
            match u32::try_from(e).ok().and_then(pow10).and_then(|p| c.checked_mul(p)) {
                Some(v) => v,
                None if c == 0 => 0,
                None => c.signum() * i128::MAX,
            }
        } else {
            match u32::try_from(-e).ok().and_then(pow10) {
                Some(div) => {
                    let q = c / div;
                    if c % div == 0 { q } else { q + c.signum() }
                }
                None => c.signum(),
            }
        };
        v.clamp(i128::from(i64::MIN), MAX_INT64) as i64
    }

    /// `Value()`: whole units, rounded up (`1m` → 1).
    pub fn value(&self) -> i64 {
        self.scaled_value(0)
    }

    /// `MilliValue()`: thousandths, rounded up (`1n` → 1).
    pub fn milli_value(&self) -> i64 {
        self.scaled_value(-3)
    }

    /// `Add`, exact; `None` if the result needs more than 38 significant digits. The format is
    /// this quantity's, or `other`'s when this one is zero (as upstream).
    pub fn checked_add(&self, other: &Quantity) -> Option<Quantity> {
        let format = if self.is_zero() { other.format } else { self.format };
        let (coefficient, exponent) = if other.coefficient == 0 {
            (self.coefficient, self.exponent)
        } else if self.coefficient == 0 {
            (other.coefficient, other.exponent)
        } else {
            let exponent = self.exponent.min(other.exponent);
            let a = align(self.coefficient, self.exponent, exponent)?;
            let b = align(other.coefficient, other.exponent, exponent)?;
            (a.checked_add(b)?, exponent)
        };
        Some(Quantity { coefficient, exponent, format, original: None })
    }

    /// `Sub`, exact; `None` on overflow (see [`Quantity::checked_add`]).
    pub fn checked_sub(&self, other: &Quantity) -> Option<Quantity> {
        let negated = Quantity { coefficient: other.coefficient.checked_neg()?, ..other.clone() };
        self.checked_add(&negated)
    }

    /// `Cmp`: exact comparison of values, whatever their formats.
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        cmp_parts(self.coefficient, self.exponent, other.coefficient, other.exponent)
    }

    /// The canonical text (`CanonicalizeBytes`), ignoring any kept original text.
    pub fn canonical(&self) -> String {
        if self.coefficient == 0 {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == Format::BinarySI {
            let small = cmp_parts(self.coefficient.abs(), self.exponent, 1024, 0) == Ordering::Less;
            match integer_value(self.coefficient, self.exponent) {
                Some(whole) if !small => return binary_canonical(whole),
                _ => format = Format::DecimalSI,
            }
        }
        // Strip factors of ten, then move the exponent down to a multiple of three.
        let (mut c, mut e) = (self.coefficient, i64::from(self.exponent));
        while c % 10 == 0 {
            c /= 10;
            e += 1;
        }
        let mut number = c.to_string();
        while e % 3 != 0 {
            number.push('0');
            e -= 1;
        }
        let suffix = match format {
            Format::DecimalExponent if e == 0 => String::new(),
            Format::DecimalExponent => format!("e{e}"),
            // Upstream has no suffix beyond E or below n and prints the bare number (sic).
            _ => decimal_si_suffix(e).unwrap_or("").to_string(),
        };
        number + &suffix
    }
}

/// What the API server stores and prints: the written text when upstream keeps it, else the
/// canonical form.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.original {
            Some(s) => f.write_str(s),
            None => f.write_str(&self.canonical()),
        }
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_value(other)
    }
}

fn decimal_si_suffix(exponent: i64) -> Option<&'static str> {
    Some(match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return None,
    })
}

fn binary_canonical(mut whole: i128) -> String {
    let mut times = 0;
    while whole.abs() >= 1024 && whole % 1024 == 0 {
        whole /= 1024;
        times += 1;
    }
    let suffix = match times {
        0 => "",
        1 => "Ki",
        2 => "Mi",
        3 => "Gi",
        4 => "Ti",
        5 => "Pi",
        6 => "Ei",
        _ => "",
    };
    format!("{whole}{suffix}")
}

/// The value as a whole number, if it is one and fits.
fn integer_value(c: i128, e: i32) -> Option<i128> {
    if e >= 0 {
        c.checked_mul(pow10(e as u32)?)
    } else {
        let div = pow10(e.unsigned_abs())?;
        (c % div == 0).then_some(c / div)
    }
}

/// `c × 10^from` expressed with exponent `to` (`to <= from`).
fn align(c: i128, from: i32, to: i32) -> Option<i128> {
    let shift = u32::try_from(i64::from(from) - i64::from(to)).ok()?;
    c.checked_mul(pow10(shift)?)
}

/// Exact comparison of `a × 10^ae` and `b × 10^be`, for any exponents.
fn cmp_parts(a: i128, ae: i32, b: i128, be: i32) -> Ordering {
    match a.signum().cmp(&b.signum()) {
        Ordering::Equal if a == 0 => Ordering::Equal,
        Ordering::Equal => {
            let mag = cmp_magnitude(a.unsigned_abs(), ae, b.unsigned_abs(), be);
            if a < 0 { mag.reverse() } else { mag }
        }
        other => other,
    }
}

fn cmp_magnitude(a: u128, ae: i32, b: u128, be: i32) -> Ordering {
    let (da, ea) = strip_zeros(a, ae);
    let (db, eb) = strip_zeros(b, be);
    // Position of the leading digit, then the digits themselves.
    let lead_a = da.len() as i64 + ea;
    let lead_b = db.len() as i64 + eb;
    lead_a.cmp(&lead_b).then_with(|| {
        let width = da.len().max(db.len());
        format!("{da:0<width$}").cmp(&format!("{db:0<width$}"))
    })
}

fn strip_zeros(mut c: u128, e: i32) -> (String, i64) {
    let mut e = i64::from(e);
    while c != 0 && c.is_multiple_of(10) {
        c /= 10;
        e += 1;
    }
    (c.to_string(), e)
}

struct QuantityParts<'a> {
    positive: bool,
    value: &'a str,
    num: &'a str,
    denom: &'a str,
    suffix: &'a str,
}

/// `parseQuantityString`, step for step.
fn split_quantity(s: &str) -> Result<QuantityParts<'_>, QuantityError> {
    let b = s.as_bytes();
    let end = b.len();
    let mut parts = QuantityParts { positive: true, value: "", num: "", denom: "", suffix: "" };
    let mut pos = 0;
    match b.first() {
        Some(b'-') => {
            parts.positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    while pos < end && b[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        parts.num = "0";
        parts.value = "0";
        return Ok(parts);
    }
    let num_start = pos;
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos >= end {
        parts.num = &s[num_start..];
        parts.value = s;
        return Ok(parts);
    }
    parts.num = if pos == num_start { "0" } else { &s[num_start..pos] };
    if b[pos] == b'.' {
        pos += 1;
        let denom_start = pos;
        while pos < end && b[pos].is_ascii_digit() {
            pos += 1;
        }
        parts.denom = &s[denom_start..pos];
        if pos >= end {
            parts.value = s;
            return Ok(parts);
        }
    }
    // All cut points so far are ASCII bytes, so these slices are on char boundaries.
    parts.value = &s[..pos];
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < end && (b[pos] == b'-' || b[pos] == b'+') {
        pos += 1;
    }
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return Err(QuantityError::FormatWrong);
    }
    parts.suffix = &s[suffix_start..];
    Ok(parts)
}

/// The suffixer's `interpret`: (base, exponent, format).
fn interpret_suffix(suffix: &str) -> Result<(u32, i32, Format), QuantityError> {
    let dec = |e| Ok((10, e, Format::DecimalSI));
    let bin = |e| Ok((2, e, Format::BinarySI));
    match suffix {
        "" => dec(0),
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        s if s.len() > 1 && (s.starts_with('e') || s.starts_with('E')) => {
            // Go parses an int64 and then truncates it to int32.
            let parsed = go_parse_int(&s[1..]).ok_or(QuantityError::Suffix)?;
            Ok((10, parsed as i32, Format::DecimalExponent))
        }
        _ => Err(QuantityError::Suffix),
    }
}

/// `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, in range.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A plain decimal `[+-]digits[.digits]` as (coefficient, exponent).
fn parse_plain_decimal(s: &str) -> Result<(i128, i32), QuantityError> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut c: i128 = 0;
    for d in whole.bytes().chain(frac.bytes()) {
        if !d.is_ascii_digit() {
            return Err(QuantityError::Numeric);
        }
        c = c
            .checked_mul(10)
            .and_then(|c| c.checked_add(i128::from(d - b'0')))
            .ok_or(QuantityError::Numeric)?;
    }
    let exp = i32::try_from(frac.len()).map_err(|_| QuantityError::Numeric)?;
    Ok((if negative { -c } else { c }, -exp))
}

/// The downward API's `resourceFieldRef` for CPU: `ceil(milli / divisor milli)`, as kubelet's
/// `convertResourceCPUToString` (a zero divisor means 1, as `ExtractContainerResourceValue`).
pub fn cpu_to_divisor_string(cpu: &Quantity, divisor: &Quantity) -> String {
    let divisor =
        if divisor.is_zero() { Quantity::new(1, Format::DecimalSI) } else { divisor.clone() };
    float_ceil_div(cpu.milli_value(), divisor.milli_value())
}

/// The downward API's `resourceFieldRef` for memory, ephemeral storage and hugepages:
/// `ceil(value / divisor value)` (`convertResourceMemoryToString`).
pub fn value_to_divisor_string(q: &Quantity, divisor: &Quantity) -> String {
    let divisor =
        if divisor.is_zero() { Quantity::new(1, Format::DecimalSI) } else { divisor.clone() };
    float_ceil_div(q.value(), divisor.value())
}

/// Upstream divides in float64 and rounds up; `as` saturates where Go's conversion is undefined.
fn float_ceil_div(a: i64, b: i64) -> String {
    ((a as f64 / b as f64).ceil() as i64).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        match Quantity::parse(s) {
            Ok(q) => q.to_string(),
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn stored_text_matches_the_api_server() {
        let cases = [
            ("100m", "100m"),
            ("0.5", "500m"),
            ("1000m", "1"),
            ("1", "1"),
            ("1000", "1k"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("0.5Gi", "512Mi"),
            ("0.5Ki", "512"),
            ("128Mi", "128Mi"),
            ("100Ki", "100Ki"),
            ("123Mi", "123Mi"),
            ("1Gi", "1Gi"),
            ("8Gi", "8Gi"),
            ("1e3", "1e3"),
            ("1E3", "1E3"),
            ("1e4", "10e3"),
            ("500M", "500M"),
            ("1.5", "1500m"),
            ("0.1", "100m"),
            ("1.0", "1"),
            ("250m", "250m"),
            ("2000Mi", "2000Mi"),
            ("1500M", "1500M"),
            ("1500000", "1500k"),
            ("0", "0"),
            ("-0", "0"),
            ("00", "0"),
            ("+1", "+1"),
            ("-1", "-1"),
            ("-1.5", "-1500m"),
            ("0.0000000001", "1n"),
            ("1n", "1n"),
            ("1u", "1u"),
            ("10u", "10u"),
            ("0.001m", "1u"),
            ("1.5e3", "1500"),
            ("1e-3", "1e-3"),
            ("12e6", "12e6"),
            ("1000E", "1"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("9Ei", "9223372036854775807"),
            ("1Ei", "1Ei"),
            ("1024", "1024"),
            ("1Ki", "1Ki"),
            (".", "0"),
            ("-", "0"),
            // Upstream keeps these as written.
            ("5.", "5."),
            ("Mi", "0"),
            ("e3", "0"),
        ];
        for (input, stored) in cases {
            assert_eq!(canon(input), stored, "input {input:?}");
        }
    }

    #[test]
    fn parse_errors_are_upstreams() {
        let re = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
        for bad in ["", "abc", "1.5.5", "1 Gi", " 1", "1Gi ", "１", "1x", "0.5.", "1Kb", "1e3.5"] {
            let err = Quantity::parse(bad).map(|q| q.to_string());
            assert_eq!(err, Err(QuantityError::FormatWrong), "input {bad:?}");
        }
        assert_eq!(QuantityError::FormatWrong.to_string(), re);
        for bad in ["1K", "1e", "1mi", "1ki", "1MM", "1e99999999999999999999"] {
            assert_eq!(
                Quantity::parse(bad).map(|q| q.to_string()),
                Err(QuantityError::Suffix),
                "input {bad:?}"
            );
        }
        assert_eq!(QuantityError::Suffix.to_string(), "unable to parse quantity's suffix");
        assert_eq!(QuantityError::Numeric.to_string(), "unable to parse numeric part of quantity");
        assert_eq!(
            Quantity::parse(&"9".repeat(300)).map(|q| q.to_string()),
            Err(QuantityError::Numeric)
        );
        assert_eq!(
            Quantity::parse(&"9".repeat(60)).map(|q| q.to_string()),
            Err(QuantityError::Numeric)
        );
    }

    #[test]
    fn values_round_up() {
        assert_eq!(q("100m").milli_value(), 100);
        assert_eq!(q("100m").value(), 1);
        assert_eq!(q("1").milli_value(), 1000);
        assert_eq!(q("1n").milli_value(), 1);
        assert_eq!(q("1Gi").value(), 1_073_741_824);
        assert_eq!(q("1.5").value(), 2);
        assert_eq!(q("-1.5").value(), -2);
        assert_eq!(q("1e30").value(), i64::MAX);
        assert_eq!(q("-1e30").value(), i64::MIN);
        assert_eq!(q("0").value(), 0);
        assert_eq!(q("1e-30").scaled_value(0), 1);
        assert_eq!(q("5k").scaled_value(3), 5);
    }

    #[test]
    fn compare_and_add() {
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("1Ki"), q("1024"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("500m") < q("1"));
        assert!(q("-1") < q("1n"));
        assert!(q("1e30") > q("9Ei"));
        assert!(q("-2") < q("-1"));
        assert_eq!(q("0").cmp_value(&q("-0")), Ordering::Equal);
        let sum = q("100m").checked_add(&q("1.5")).map(|s| s.to_string());
        assert_eq!(sum.as_deref(), Some("1600m"));
        let sum = q("512Mi").checked_add(&q("512Mi")).map(|s| s.to_string());
        assert_eq!(sum.as_deref(), Some("1Gi"));
        let sum = Quantity::zero().checked_add(&q("1Gi")).map(|s| s.format());
        assert_eq!(sum, Some(Format::BinarySI));
        let diff = q("1").checked_sub(&q("250m")).map(|s| s.to_string());
        assert_eq!(diff.as_deref(), Some("750m"));
        assert!(q("1e30").checked_add(&q("1n")).is_none());
        assert_eq!(Quantity::new(3, Format::DecimalSI).to_string(), "3");
        assert_eq!(Quantity::new_milli(1500, Format::DecimalSI).to_string(), "1500m");
        assert_eq!(Quantity::new(2048, Format::BinarySI).to_string(), "2Ki");
        assert_eq!(Quantity::new(1000, Format::BinarySI).to_string(), "1k");
        assert_eq!(q("1.5Gi").signum(), 1);
    }

    #[test]
    fn k8s_round_trip() {
        let k = K8sQuantity(" 0.5 ".to_string());
        let parsed = Quantity::from_k8s(&k).map(|q| q.to_k8s());
        assert_eq!(parsed, Ok(K8sQuantity("500m".to_string())));
    }

    #[test]
    fn downward_api_division() {
        assert_eq!(cpu_to_divisor_string(&q("250m"), &q("1m")), "250");
        assert_eq!(cpu_to_divisor_string(&q("250m"), &q("1")), "1");
        assert_eq!(cpu_to_divisor_string(&q("2"), &Quantity::zero()), "2");
        assert_eq!(value_to_divisor_string(&q("128Mi"), &q("1Mi")), "128");
        assert_eq!(value_to_divisor_string(&q("100M"), &q("1Mi")), "96");
        assert_eq!(value_to_divisor_string(&q("1Gi"), &q("1")), "1073741824");
    }

    #[test]
    fn hostile_inputs() {
        for s in [
            "\u{0}",
            "🚀",
            "1🚀",
            "1e",
            "+",
            "--1",
            "1e-",
            "1e+",
            "1e-99999",
            "1e2147483648",
            "9999999999999999999Ei",
            "0.000000000000000000000000000000000000001",
            "1Ei1",
            "e3",
        ] {
            if let Ok(q) = Quantity::parse(s) {
                let _ = (q.to_string(), q.value(), q.milli_value());
            }
        }
        assert_eq!(canon("9999999999999999999Ei"), "9223372036854775807");
        assert_eq!(canon("0.000000000000000000000000000000000000001"), "1n");
        // Go truncates the exponent to int32, then rounds up to nano units.
        assert_eq!(canon("1e2147483648"), "1e-9");
        assert_eq!(canon("1e-99999"), "1e-9");
    }
}
