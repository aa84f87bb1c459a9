//! Lowercase hex without the formatting machinery: uids, container IDs, event names and tokens
//! are made thousands of times in a big rollout.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends the low `digits` hex digits of `value`, zero-padded (`{:0digits$x}` for widths up to
/// 16).
pub fn push_u64(out: &mut String, value: u64, digits: u32) {
    for i in (0..digits.min(16)).rev() {
        out.push(DIGITS[((value >> (4 * i)) & 0xf) as usize] as char);
    }
}

/// Appends `value` with no padding (`{:x}`).
pub fn push_u64_min(out: &mut String, value: u64) {
    let digits = (64 - value.leading_zeros()).div_ceil(4).max(1) as usize;
    // Sixteen digits into a buffer and one append cost half of a push per digit.
    let mut buf = [0; 16];
    for (i, digit) in buf.iter_mut().enumerate() {
        *digit = DIGITS[((value >> (60 - 4 * i)) & 0xf) as usize];
    }
    out.push_str(std::str::from_utf8(&buf[16 - digits..]).unwrap_or_default());
}

/// Appends two hex digits per byte.
pub fn push_bytes(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_formatter() {
        for v in [0u64, 1, 0xf, 0x10, 0xdead_beef, u64::MAX, 0x0123_4567_89ab_cdef] {
            let mut padded = String::new();
            push_u64(&mut padded, v, 16);
            assert_eq!(padded, format!("{v:016x}"));
            let mut short = String::new();
            push_u64(&mut short, v, 4);
            assert_eq!(short, format!("{:04x}", v & 0xffff));
            let mut min = String::new();
            push_u64_min(&mut min, v);
            assert_eq!(min, format!("{v:x}"));
        }
        let mut bytes = String::new();
        push_bytes(&mut bytes, b"a:\xff");
        assert_eq!(bytes, "613aff");
    }
}
