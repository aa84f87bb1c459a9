//! Decimal digits without the formatting machinery: pull messages, durations, IPs and the
//! projected volumes' directory names are written for every pod of a big rollout.

/// Appends `n` (`{n}`).
#[inline]
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|d| char::from(*d)));
}

/// Appends the low `width` digits of `n`, zero-padded (`{n:0width$}` for `n` that fits).
#[inline]
pub fn push_padded(out: &mut String, n: u64, width: u32) {
    for i in (0..width.min(20)).rev() {
        out.push(char::from(b'0' + (n / 10u64.pow(i) % 10) as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_formatter() {
        for n in [0, 7, 10, 99, 254, 4_294_967_295, u64::MAX] {
            let mut s = String::new();
            push_u64(&mut s, n);
            assert_eq!(s, n.to_string());
            let mut padded = String::new();
            push_padded(&mut padded, n, n.checked_ilog10().unwrap_or(0) + 1);
            assert_eq!(padded, n.to_string());
        }
        let mut s = String::new();
        push_padded(&mut s, 7, 2);
        assert_eq!(s, "07");
    }
}
