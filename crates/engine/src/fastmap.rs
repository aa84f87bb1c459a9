//! Hash maps for the engine's private indexes (pod runtimes by UID, owners, the work queue's
//! set): point lookups without walking a B-tree of long string keys. The hasher is a fixed
//! FNV-1a, with no per-process seed. Iteration order is the table's, not a sorted one: never
//! iterate one of these where the order could reach a transcript.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with the engine's fixed hasher.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
/// A `HashSet` with the engine's fixed hasher.
pub type FastSet<T> = HashSet<T, BuildHasherDefault<Fnv>>;

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
}
