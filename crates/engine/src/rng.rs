//! The engine's own seeded PRNG (xoshiro256**, seeded through SplitMix64).
//!
//! Every random choice in the simulation (name suffixes, IPs, load-balancing picks) comes from here,
//! so the same seed and the same commands give the same cluster, byte for byte.

/// A small, fast, seeded generator with an integer-only API.
#[derive(Clone, Debug)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// A generator whose whole sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng { state: [next(), next(), next(), next()] }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform integer in `0..bound` (0 when `bound` is 0), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % bound;
            }
        }
    }

    /// A uniform integer in `low..=high`.
    pub fn range_inclusive(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// `len` characters drawn from `alphabet` (ASCII), as the API server's name generator does.
    pub fn string_from(&mut self, alphabet: &[u8], len: usize) -> String {
        let mut text = String::with_capacity(len);
        self.push_string_from(&mut text, alphabet, len);
        text
    }

    /// [`Rng::string_from`], appended to `text`.
    pub fn push_string_from(&mut self, text: &mut String, alphabet: &[u8], len: usize) {
        for _ in 0..len {
            text.push(char::from(alphabet[self.below(alphabet.len() as u64) as usize]));
        }
    }

    /// The draws [`Rng::string_from`] makes, without the string.
    pub fn skip_string_from(&mut self, alphabet: &[u8], len: usize) {
        for _ in 0..len {
            self.below(alphabet.len() as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_different_seed_different_sequence() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(8);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn skipping_a_string_leaves_the_sequence_where_drawing_it_would() {
        let (mut drawn, mut skipped) = (Rng::new(3), Rng::new(3));
        drawn.string_from(b"abc", 32);
        skipped.skip_string_from(b"abc", 32);
        assert_eq!(drawn.next_u64(), skipped.next_u64());
    }

    #[test]
    fn below_stays_in_bounds_and_covers_the_range() {
        let mut r = Rng::new(1);
        let mut seen = [false; 5];
        for _ in 0..200 {
            let v = r.below(5) as usize;
            assert!(v < 5);
            seen[v] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.below(0), 0);
    }
}
