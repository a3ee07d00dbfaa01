//! An open-addressing table from short ids ([`Inline`]) to dense `u32`s, for the interners of
//! the hot path.
//!
//! Each slot holds the key itself and its id (32 bytes, two to a cache line; all zeros when
//! free, so a new table is lazily zeroed memory), probed linearly from the key's hash: a lookup
//! reads one slot, usually, and compares three words, with no pointer to chase. A batch of lookups can first touch the home slot of every key in a tight
//! loop of independent loads ([`InlineTable::warm`]), so that the processor overlaps their
//! cache misses, and then resolve each lookup from the cache.

use crate::hash::Inline;

/// The largest id (`u32::MAX` is kept free: a slot stores `id + 1`).
const MAX_ID: u32 = u32::MAX - 1;

/// Smallest number of slots once the table holds a key.
const MIN_SLOTS: usize = 16;

/// A slot: the three words of the key, then `id + 1` (0: the slot is free). All zeros when
/// free, so that a new table is zeroed memory the system provides lazily, not a vector to fill.
type Slot = [u64; 4];

#[derive(Debug, Default)]
pub(crate) struct InlineTable {
    /// A power of two long (or empty), at most half full.
    slots: Vec<Slot>,
    len: usize,
}

impl InlineTable {
    /// Index mask of the slots (their number is a power of two).
    #[inline]
    fn mask(&self) -> usize {
        self.slots.len().saturating_sub(1)
    }

    #[inline]
    fn home(&self, h: u64) -> usize {
        // Truncation intended: the low bits pick the slot.
        #[allow(clippy::cast_possible_truncation)]
        let i = h as usize;
        i & self.mask()
    }

    /// The id of `key` (`h` = `key.hash64()`), if present.
    #[inline]
    pub(crate) fn find(&self, key: &Inline, h: u64) -> Option<u32> {
        let mut i = self.home(h);
        let words = key.words();
        for _ in 0..self.slots.len() {
            let [a, b, c, id] = *self.slots.get(i)?;
            if id == 0 {
                return None;
            }
            if [a, b, c] == words {
                return u32::try_from(id.saturating_sub(1)).ok();
            }
            i = i.wrapping_add(1) & self.mask();
        }
        None
    }

    /// Adds `key` (absent: check with [`InlineTable::find`] first) with `id` (at most
    /// `u32::MAX − 1`). Returns false (and adds nothing) when it cannot.
    pub(crate) fn insert(&mut self, key: Inline, h: u64, id: u32) -> bool {
        if id > MAX_ID {
            return false;
        }
        if self.len.saturating_add(1).saturating_mul(2) > self.slots.len() && !self.grow() {
            return false;
        }
        self.len = self.len.saturating_add(1);
        let [a, b, c] = key.words();
        self.place([a, b, c, u64::from(id).saturating_add(1)], h);
        true
    }

    /// Puts `slot` in the first free slot from the home of `h`.
    fn place(&mut self, slot: Slot, h: u64) {
        let mut i = self.home(h);
        let mask = self.mask();
        for _ in 0..self.slots.len() {
            if let Some(s) = self.slots.get_mut(i)
                && s[3] == 0
            {
                *s = slot;
                return;
            }
            i = i.wrapping_add(1) & mask;
        }
    }

    /// Doubles the slots and places every key again (in slot order: a key's new home is its
    /// old home or that plus the old length, so the writes run through the new table almost
    /// in order).
    fn grow(&mut self) -> bool {
        let Some(n) = self.slots.len().checked_mul(2) else {
            return false;
        };
        let old = std::mem::replace(&mut self.slots, vec![[0; 4]; n.max(MIN_SLOTS)]);
        for slot in old {
            if slot[3] != 0 {
                let [a, b, c, _] = slot;
                self.place(slot, Inline::from_words([a, b, c]).hash64());
            }
        }
        true
    }

    /// Touches the home slot of each hash of `hashes`: loads only, for their cache misses to
    /// overlap before the lookups. Returns a value derived from the loads (to be passed to
    /// `std::hint::black_box`).
    pub(crate) fn warm(&self, hashes: &[u64]) -> u64 {
        hashes.iter().fold(0, |acc, &h| {
            acc ^ self
                .slots
                .get(self.home(h))
                // Both ends of the slot: it may straddle two cache lines.
                .map_or(0, |s| s[0] ^ s[3])
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn key(s: &str) -> Inline {
        Inline::new(s).unwrap()
    }

    #[test]
    fn finds_what_it_holds_across_growth() {
        let mut t = InlineTable::default();
        for i in 0..5000_u32 {
            let k = key(&format!("u{i}"));
            assert_eq!(t.find(&k, k.hash64()), None);
            assert!(t.insert(k, k.hash64(), i * 3));
        }
        for i in 0..5000_u32 {
            let k = key(&format!("u{i}"));
            assert_eq!(t.find(&k, k.hash64()), Some(i * 3));
        }
        assert!(t.slots.len() >= 2 * 5000);
        assert_eq!(t.len, 5000);
        let k = key("u5000");
        assert_eq!(t.find(&k, k.hash64()), None);
    }

    #[test]
    fn colliding_homes_probe_on() {
        // Keys whose hashes share their low bits start probing at the same slot of the first
        // 16-slot table: lookups must compare the keys and go on past the others.
        let keys: Vec<Inline> = (0..2000)
            .map(|i| key(&format!("k{i}")))
            .filter(|k| k.hash64() & 15 == 15)
            .take(7)
            .collect();
        assert_eq!(keys.len(), 7);
        let mut t = InlineTable::default();
        for (i, k) in (0_u32..).zip(&keys) {
            assert!(t.insert(*k, k.hash64(), i));
        }
        assert_eq!(t.slots.len(), 16);
        for (i, k) in (0_u32..).zip(&keys) {
            assert_eq!(t.find(k, k.hash64()), Some(i));
        }
        let absent = key("absent");
        assert_eq!(t.find(&absent, absent.hash64()), None);
        assert!(!t.insert(absent, absent.hash64(), u32::MAX));
        assert!(t.insert(absent, absent.hash64(), u32::MAX - 1));
        assert_eq!(t.find(&absent, absent.hash64()), Some(u32::MAX - 1));
        let _ = t.warm(&[absent.hash64(), 7]);
    }

    proptest::proptest! {
        #[test]
        fn table_matches_a_hash_map(ops in proptest::collection::vec("[a-c]{0,23}", 0..600)) {
            let mut t = InlineTable::default();
            let mut m: HashMap<String, u32> = HashMap::new();
                for (i, s) in ops.iter().enumerate() {
                let k = key(s);
                let h = k.hash64();
                let _ = t.warm(&[h]);
                proptest::prop_assert_eq!(t.find(&k, h), m.get(s).copied());
                if !m.contains_key(s) {
                    let id = u32::try_from(i).unwrap();
                    proptest::prop_assert!(t.insert(k, h, id));
                    m.insert(s.clone(), id);
                }
            }
            for (s, id) in &m {
                let k = key(s);
                proptest::prop_assert_eq!(t.find(&k, k.hash64()), Some(*id));
            }
        }
    }
}
