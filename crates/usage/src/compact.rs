//! Append-then-compact tables for the hot path.
//!
//! Hash sets and maps keyed by random ids make every segment touch several random cache
//! lines. These tables instead append to the end of a vector (one cache line that stays hot)
//! and, whenever the vector has doubled since it was last compacted, sort it and fold
//! duplicates. Memory stays within about twice the distinct content (not the number of
//! appends), and the amortized cost is a sort of small runs.

use crate::radix;

/// A set of `u64` keys: a sparse part, sorted and unique up to `clean` with raw appends after,
/// and a dense part, a bitset of the keys below `64 × bits.len()`.
///
/// A set starts sparse. When a compaction finds that a bitset reaching the largest key would
/// take no more words than the set has keys (interned ids are dense, so a set holding a
/// sizeable share of all ids qualifies), every key moves to the bitset: an insertion is then
/// one bit set, and the set never grows beyond one bit per possible id. Keys above the bitset
/// stay in the sparse part, so the two parts never share a key.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeySet {
    items: Vec<u64>,
    clean: usize,
    bits: Vec<u64>,
    ones: u64,
}

const MIN_COMPACT: usize = 64;

/// Whether bit `k` can be in a bitset of `words` words, and where.
#[inline]
pub(crate) fn bit_of(k: u64, words: usize) -> Option<(usize, u64)> {
    let w = usize::try_from(k >> 6).ok()?;
    (w < words).then_some((w, 1_u64 << (k & 63)))
}

impl KeySet {
    #[inline]
    pub(crate) fn push(&mut self, key: u64) {
        if let Some((w, m)) = bit_of(key, self.bits.len()) {
            if let Some(word) = self.bits.get_mut(w)
                && *word & m == 0
            {
                *word |= m;
                self.ones = self.ones.saturating_add(1);
            }
            return;
        }
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
        self.densify();
    }

    /// Moves every key to the bitset when it would be no larger than the sparse part.
    fn densify(&mut self) {
        let Some(&max) = self.items.last() else {
            return;
        };
        let total = u64::try_from(self.items.len())
            .unwrap_or(u64::MAX)
            .saturating_add(self.ones);
        let words = (max >> 6).saturating_add(1);
        if words > total {
            return;
        }
        let Ok(words) = usize::try_from(words) else {
            return;
        };
        self.bits.resize(words, 0);
        for &k in &self.items {
            if let Some((w, m)) = bit_of(k, words)
                && let Some(word) = self.bits.get_mut(w)
            {
                *word |= m;
            }
        }
        self.ones = self.bits.iter().map(|w| u64::from(w.count_ones())).sum();
        self.items = Vec::new();
        self.clean = 0;
    }

    /// The keys of the sparse part, sorted and unique.
    fn sparse(&self) -> std::borrow::Cow<'_, [u64]> {
        if self.clean == self.items.len() {
            std::borrow::Cow::Borrowed(&self.items)
        } else {
            let mut v = self.items.clone();
            v.sort_unstable();
            v.dedup();
            std::borrow::Cow::Owned(v)
        }
    }

    /// The distinct keys, sorted.
    pub(crate) fn keys(&self) -> std::borrow::Cow<'_, [u64]> {
        if self.bits.is_empty() {
            return self.sparse();
        }
        let mut out = Vec::with_capacity(
            usize::try_from(self.ones)
                .unwrap_or(0)
                .saturating_add(self.items.len()),
        );
        push_bits(&self.bits, &mut out);
        out.extend_from_slice(&self.sparse());
        std::borrow::Cow::Owned(out)
    }

    /// The bitset part (keys below `64 × len`) and the sorted sparse part above it.
    pub(crate) fn parts(&self) -> (&[u64], std::borrow::Cow<'_, [u64]>) {
        (&self.bits, self.sparse())
    }

    /// Keys in the bitset part.
    pub(crate) const fn ones(&self) -> u64 {
        self.ones
    }

    #[cfg(test)]
    pub(crate) fn count(&self) -> u64 {
        u64::try_from(self.sparse().len())
            .unwrap_or(u64::MAX)
            .saturating_add(self.ones)
    }
}

/// Appends the keys of bitset `bits`, ascending.
pub(crate) fn push_bits(bits: &[u64], out: &mut Vec<u64>) {
    for (w, &word) in (0_u64..).zip(bits) {
        let mut rest = word;
        while rest != 0 {
            let b = u64::from(rest.trailing_zeros());
            out.push((w << 6) | b);
            rest &= rest.wrapping_sub(1);
        }
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
    radix::sort_by_key(&mut v, |x| [radix::ordered(x.0)]);
    // In place: `cur` is dropped into `kept` when they share an instant.
    v.dedup_by(|cur, kept| {
        if cur.0 == kept.0 {
            kept.1 = kept.1.saturating_add(cur.1);
            true
        } else {
            false
        }
    });
    v.retain(|x| x.1 != 0);
    v
}

fn coalesce<K: Ord + Copy>(mut v: Vec<(K, i64, i64)>) -> Vec<(K, i64, i64)> {
    // Stable sort: the compacted prefix is one run, so only the new tail is sorted.
    v.sort_by_key(|x| (x.0, x.1));
    // In place: `cur` is folded into `kept` when it is the same key and starts before (or
    // when) `kept` ends.
    v.dedup_by(|cur, kept| {
        if cur.0 == kept.0 && cur.1 <= kept.2 {
            kept.2 = kept.2.max(cur.2);
            true
        } else {
            false
        }
    });
    v
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

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
    fn keyset_turns_dense_and_keeps_sparse_keys_apart() {
        let mut s = KeySet::default();
        let mut expected = std::collections::BTreeSet::new();
        for i in 0..5000_u64 {
            let k = (i * 7919) % 3000;
            s.push(k);
            expected.insert(k);
        }
        assert!(
            !s.bits.is_empty(),
            "3000 keys below 3000 should be a bitset"
        );
        for k in [1_u64 << 40, 5, (1 << 40) + 1, 1 << 40, 2999, 1 << 33] {
            s.push(k);
            expected.insert(k);
        }
        assert_eq!(s.count(), expected.len() as u64);
        assert_eq!(
            s.keys().to_vec(),
            expected.iter().copied().collect::<Vec<_>>()
        );
        let (bits, sparse) = s.parts();
        assert!(sparse.iter().all(|&k| k >= 64 * bits.len() as u64));
    }

    proptest::proptest! {
        #[test]
        fn keyset_is_a_set(
            keys in proptest::collection::vec(
                proptest::prop_oneof![0_u64..300, 0_u64..5000, (0_u64..4, 0_u64..300).prop_map(|(a, b)| a << 32 | b)],
                0..3000,
            )
        ) {
            let mut s = KeySet::default();
            let mut expected = std::collections::BTreeSet::new();
            for (i, &k) in keys.iter().enumerate() {
                s.push(k);
                expected.insert(k);
                if i % 251 == 0 {
                    proptest::prop_assert_eq!(s.count(), expected.len() as u64);
                }
            }
            proptest::prop_assert_eq!(s.count(), expected.len() as u64);
            proptest::prop_assert_eq!(s.keys().to_vec(), expected.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn keyset_stays_sparse_for_spread_keys() {
        let mut s = KeySet::default();
        for i in 0..1000_u64 {
            s.push((i % 20) << 32 | i);
        }
        assert!(s.bits.is_empty());
        assert_eq!(s.count(), 1000);
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
