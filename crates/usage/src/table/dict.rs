//! Dictionaries: each distinct string of a column once, numbered densely from 0.

use crate::error::{Error, Result};
use crate::hash::{FastMap, Inline};

/// Maps each distinct string to a dense `u32` (in order of first appearance) and back.
///
/// Ids of at most 23 bytes are keyed inline, so a lookup compares three words and reads no
/// other memory; longer ones are keyed by their text.
///
/// A dictionary of at most [`SMALL`] strings (apps, regions, specs of a file) also keeps each
/// of them in a direct-mapped array of [`SLOTS`] keys, found with one multiply: most lookups of
/// such a column never reach the hash map.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dict {
    short: FastMap<Inline, u32>,
    long: FastMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// The direct-mapped keys and ids (empty until the first string; dropped when the
    /// dictionary outgrows [`SMALL`]).
    slots: Vec<Option<(Inline, u32)>>,
}

/// Slots of the direct-mapped array.
const SLOTS: usize = 256;

/// The most strings a dictionary keeps in its direct-mapped array.
const SMALL: usize = 64;

/// The slot of `k` (the top bits of a multiplicative hash of its words).
#[inline]
fn slot(k: &Inline) -> usize {
    let [a, b, c] = k.words();
    let h = (a ^ b.rotate_left(21) ^ c.rotate_left(42)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    usize::try_from(h >> 56).unwrap_or(0)
}

impl Dict {
    /// The number of distinct strings.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The id of `s`, if present.
    #[inline]
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        match Inline::new(s) {
            Some(k) => {
                if let Some(Some((key, id))) = self.slots.get(slot(&k))
                    && *key == k
                {
                    return Some(*id);
                }
                self.short.get(&k).copied()
            }
            None => self.long.get(s).copied(),
        }
    }

    /// The id of `s`, added when new.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] beyond 2^32 − 1 distinct strings.
    #[inline]
    pub(crate) fn intern(&mut self, s: &str) -> Result<u32> {
        match self.get(s) {
            Some(i) => Ok(i),
            None => self.insert_new(s),
        }
    }

    /// Adds `s`, known to be absent.
    pub(crate) fn insert_new(&mut self, s: &str) -> Result<u32> {
        let i = u32::try_from(self.names.len())
            .ok()
            .filter(|&i| i != super::NONE)
            .ok_or(Error::overflow("distinct ids (more than 2^32 - 1)"))?;
        self.names.push(s.into());
        match Inline::new(s) {
            Some(k) => {
                if self.names.len() > SMALL {
                    self.slots = Vec::new();
                } else {
                    if self.slots.is_empty() {
                        self.slots = vec![None; SLOTS];
                    }
                    // A key already in the slot keeps it (the hash map has both).
                    if let Some(free @ None) = self.slots.get_mut(slot(&k)) {
                        *free = Some((k, i));
                    }
                }
                self.short.insert(k, i)
            }
            None => self.long.insert(s.into(), i),
        };
        Ok(i)
    }

    /// The string of id `i`.
    #[inline]
    pub(crate) fn name(&self, i: u32) -> Option<&str> {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.names.get(i))
            .map(|b| &**b)
    }

    /// Every string, by id.
    pub(crate) fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// Adds every string of `other`; returns, for each id of `other`, its id here.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] beyond 2^32 − 1 distinct strings.
    pub(crate) fn absorb(&mut self, other: &Dict) -> Result<Vec<u32>> {
        other.names.iter().map(|s| self.intern(s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut d = Dict::default();
        let long = "x".repeat(40);
        assert_eq!(d.intern("a").unwrap(), 0);
        assert_eq!(d.intern(&long).unwrap(), 1);
        assert_eq!(d.intern("a").unwrap(), 0);
        assert_eq!(d.intern(&long).unwrap(), 1);
        assert_eq!(d.get("b"), None);
        assert_eq!(d.name(1), Some(long.as_str()));
        assert_eq!(d.name(2), None);
        let mut e = Dict::default();
        e.intern("b").unwrap();
        e.intern("a").unwrap();
        assert_eq!(d.absorb(&e).unwrap(), [2, 0]);
        assert_eq!(d.len(), 3);
    }

    proptest::proptest! {
        /// The direct-mapped slots never give another answer than the map: every id found
        /// is the one interned, every string not interned is absent, below and above the
        /// size where the slots are dropped.
        #[test]
        fn slots_agree_with_the_map(
            names in proptest::collection::vec("[a-z0-9]{0,30}", 0..150),
            probes in proptest::collection::vec("[a-z0-9]{0,30}", 0..40),
        ) {
            let mut d = Dict::default();
            let mut plain: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
            for n in &names {
                let next = u32::try_from(plain.len()).unwrap();
                let want = *plain.entry(n.clone()).or_insert(next);
                proptest::prop_assert_eq!(d.intern(n).unwrap(), want);
                for p in names.iter().chain(&probes) {
                    proptest::prop_assert_eq!(d.get(p), plain.get(p).copied());
                }
            }
        }
    }
}
