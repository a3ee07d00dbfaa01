//! Dictionaries: each distinct string of a column once, numbered densely from 0.

use crate::error::{Error, Result};
use crate::hash::{FastMap, Inline};

/// Maps each distinct string to a dense `u32` (in order of first appearance) and back.
///
/// Ids of at most 23 bytes are keyed inline, so a lookup compares three words and reads no
/// other memory; longer ones are keyed by their text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dict {
    short: FastMap<Inline, u32>,
    long: FastMap<Box<str>, u32>,
    names: Vec<Box<str>>,
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
            Some(k) => self.short.get(&k).copied(),
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
            Some(k) => self.short.insert(k, i),
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
}
