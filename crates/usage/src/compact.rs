//! Append-then-compact tables for the hot path.
//!
//! Hash sets and maps keyed by random ids make every segment touch several random cache
//! lines. These tables instead append to the end of a vector (one cache line that stays hot)
//! and, whenever the vector has doubled since it was last compacted, sort it and fold
//! duplicates. Memory stays within about twice the distinct content (not the number of
//! appends), and the amortized cost is a sort of small runs.

/// A set of `u64` keys: sorted and unique up to `clean`, raw appends after.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeySet {
    items: Vec<u64>,
    clean: usize,
}

const MIN_COMPACT: usize = 64;

impl KeySet {
    #[inline]
    pub(crate) fn push(&mut self, key: u64) {
        self.items.push(key);
        if self.items.len() >= self.clean.saturating_mul(2).max(MIN_COMPACT) {
            self.compact();
        }
    }

    fn compact(&mut self) {
        // A stable sort (driftsort) finds the sorted prefix as one run: only the new tail is
        // sorted, then merged.
        self.items.sort();
        self.items.dedup();
        self.clean = self.items.len();
    }

    /// The distinct keys, sorted.
    pub(crate) fn keys(&self) -> std::borrow::Cow<'_, [u64]> {
        if self.clean == self.items.len() {
            std::borrow::Cow::Borrowed(&self.items)
        } else {
            let mut v = self.items.clone();
            v.sort_unstable();
            v.dedup();
            std::borrow::Cow::Owned(v)
        }
    }

    pub(crate) fn count(&self) -> u64 {
        u64::try_from(self.keys().len()).unwrap_or(u64::MAX)
    }
}

/// Activity stretches `[start, end)` per key: after compaction sorted by key then start, and
/// for each key disjoint and non-touching.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stretches<K> {
    items: Vec<(K, i64, i64)>,
    clean: usize,
}

impl<K: Ord + Copy> Stretches<K> {
    #[inline]
    pub(crate) fn push(&mut self, key: K, start: i64, end: i64) {
        self.items.push((key, start, end));
        if self.items.len() >= self.clean.saturating_mul(2).max(MIN_COMPACT) {
            self.items = coalesce(std::mem::take(&mut self.items));
            self.clean = self.items.len();
        }
    }

    /// The compacted stretches.
    pub(crate) fn compacted(&self) -> std::borrow::Cow<'_, [(K, i64, i64)]> {
        if self.clean == self.items.len() {
            std::borrow::Cow::Borrowed(&self.items)
        } else {
            std::borrow::Cow::Owned(coalesce(self.items.clone()))
        }
    }
}

/// Net changes of a level at instants: `(instant, delta)`, after compaction sorted by instant,
/// one entry per instant, zeros dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Deltas {
    items: Vec<(i64, i64)>,
    clean: usize,
}

impl Deltas {
    #[inline]
    pub(crate) fn push(&mut self, t: i64, d: i64) {
        self.items.push((t, d));
        if self.items.len() >= self.clean.saturating_mul(2).max(MIN_COMPACT) {
            self.items = sum_deltas(std::mem::take(&mut self.items));
            self.clean = self.items.len();
        }
    }

    pub(crate) fn compacted(&self) -> std::borrow::Cow<'_, [(i64, i64)]> {
        if self.clean == self.items.len() {
            std::borrow::Cow::Borrowed(&self.items)
        } else {
            std::borrow::Cow::Owned(sum_deltas(self.items.clone()))
        }
    }
}

pub(crate) fn sum_deltas(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.sort_by_key(|x| x.0);
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (t, d) in v {
        match out.last_mut() {
            Some(last) if last.0 == t => last.1 = last.1.saturating_add(d),
            _ => out.push((t, d)),
        }
    }
    out.retain(|x| x.1 != 0);
    out
}

fn coalesce<K: Ord + Copy>(mut v: Vec<(K, i64, i64)>) -> Vec<(K, i64, i64)> {
    // Stable sort: the compacted prefix is one run, so only the new tail is sorted.
    v.sort_by_key(|x| (x.0, x.1));
    let mut out: Vec<(K, i64, i64)> = Vec::with_capacity(v.len());
    for (k, s, e) in v {
        match out.last_mut() {
            Some(last) if last.0 == k && s <= last.2 => last.2 = last.2.max(e),
            _ => out.push((k, s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyset_dedups_across_compactions() {
        let mut s = KeySet::default();
        for i in 0..1000_u64 {
            s.push(i % 97);
        }
        assert_eq!(s.count(), 97);
        assert!(s.items.len() < 2 * 97 + MIN_COMPACT);
    }

    #[test]
    fn stretches_coalesce_per_key() {
        let mut s = Stretches::default();
        for i in 0..200_i64 {
            s.push(i % 2, i * 10, i * 10 + 25);
        }
        let c = s.compacted();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], (0, 0, 2005));
        assert_eq!(c[1], (1, 10, 2015));
    }
}
