//! Hash maps for the engine's private indexes (pod runtimes by UID, owners, the work queue's
//! set): point lookups without walking a B-tree of long string keys. The hasher is fixed, with
//! no per-process seed, and 64 bits on every target. Iteration order is the table's, not a
//! sorted one: never iterate one of these where the order could reach a transcript.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with the engine's fixed hasher.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;
/// A `HashSet` with the engine's fixed hasher.
pub type FastSet<T> = HashSet<T, BuildHasherDefault<WordHasher>>;

const WORD_MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

/// Mixes eight bytes per multiply (FNV takes one): the keys are names of 10 to 60 bytes and
/// lookups are hot. For tables only; digests that users see stay FNV-1a.
#[derive(Default)]
pub struct WordHasher(u64);

impl WordHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(WORD_MULTIPLIER);
    }
}

/// The eight bytes at `at` (there must be eight), little-endian.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The four bytes at `at` (there must be four), little-endian.
#[inline]
fn half_at(bytes: &[u8], at: usize) -> u32 {
    let mut half = [0; 4];
    half.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(half)
}

impl Hasher for WordHasher {
    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weakest; hashbrown indexes buckets by them.
        self.0.rotate_left(26)
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(word_at(word, 0));
        }
        let rest = words.remainder();
        // Fixed-size reads only: copying a variable length would call memcpy.
        let tail = match rest.len() {
            0 => return,
            // The last eight bytes, overlapping some already mixed in.
            _ if bytes.len() >= 8 => word_at(bytes, bytes.len() - 8),
            1..=3 => {
                let [first, middle, last] = [0, rest.len() / 2, rest.len() - 1].map(|i| rest[i]);
                u64::from(first) | (u64::from(middle) << 8) | (u64::from(last) << 16)
            }
            n => u64::from(half_at(rest, 0)) | (u64::from(half_at(rest, n - 4)) << 32),
        };
        // The length keeps "a" apart from "a\0".
        self.add(tail ^ ((rest.len() as u64) << 59));
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a, 64 bits.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(OFFSET_BASIS)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn hashes_as_fnv1a() {
        let mut h = Fnv::default();
        h.write(b"a");
        // The published FNV-1a 64 value of "a".
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut a = Fnv::default();
        let mut b = Fnv::default();
        "pod-a".hash(&mut a);
        "pod-b".hash(&mut b);
        assert_ne!(a.finish(), b.finish());
    }

    fn word_hash(bytes: &[u8]) -> u64 {
        let mut h = WordHasher::default();
        h.write(bytes);
        h.finish()
    }

    #[test]
    fn word_hasher_tells_apart_names_that_differ_in_any_byte_or_length() {
        let base = b"web-5d8f7c9b4-x2x7q.18a2b3c4d5e6f7a8";
        let mut seen = FastSet::default();
        assert!(seen.insert(word_hash(base)));
        for i in 0..base.len() {
            let mut changed = *base;
            changed[i] ^= 1;
            assert!(seen.insert(word_hash(&changed)), "byte {i}");
            assert!(seen.insert(word_hash(&base[..i])), "prefix of {i}");
        }
        assert_ne!(word_hash(b"a"), word_hash(b"a\0"));
    }

    #[test]
    fn word_hasher_is_fixed() {
        // No seed: a table's layout, and so the engine's work, is the same in every run.
        assert_eq!(word_hash(b"default/web"), word_hash(b"default/web"));
        assert_eq!(word_hash(b""), 0);
    }
}
