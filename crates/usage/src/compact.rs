//! Append-then-compact tables for the hot path.
//!
//! Hash sets and maps keyed by random ids make every segment touch several random cache
//! lines. These tables instead append to the end of a vector (one cache line that stays hot)
//! and, whenever the vector has doubled since it was last compacted, sort it and fold
//! duplicates: only the appended tail is sorted (a radix sort for all but short tails), then
//! merged into the sorted prefix in place, from the back. Memory stays within about twice the
//! distinct content (not the number of appends; plus at most 64 entries, 256 keys for a key
//! set, before the first compaction), and the amortized cost is a sort of small runs.

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

/// Appends a key set takes before its first compaction.
const MIN_COMPACT_KEYS: usize = 256;

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
        if self.items.len() >= self.clean.saturating_mul(2).max(MIN_COMPACT_KEYS) {
            self.compact();
        }
    }

    fn compact(&mut self) {
        // Only the new tail is sorted, then merged into the sorted prefix.
        merge_tail(&mut self.items, self.clean, sort_keys, |a, b| a < b);
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
            merge_tail(&mut v, self.clean, sort_keys, |a, b| a < b);
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

    /// The bitset part and the sparse part as stored: above the bitset, unsorted after its
    /// first `clean` keys, possibly with repeats.
    pub(crate) fn raw_parts(&self) -> (&[u64], &[u64]) {
        (&self.bits, &self.items)
    }

    /// Keys in the bitset part.
    pub(crate) const fn ones(&self) -> u64 {
        self.ones
    }

    /// The number of distinct keys.
    pub(crate) fn count(&self) -> u64 {
        u64::try_from(self.sparse().len())
            .unwrap_or(u64::MAX)
            .saturating_add(self.ones)
    }

    /// Calls `f` with every key, in no particular order; a key of the unsorted tail may come
    /// more than once (for [`KeySet::push`], which folds repeats, or a count after a sort).
    pub(crate) fn for_each_raw(&self, mut f: impl FnMut(u64)) {
        for (w, &word) in (0_u64..).zip(&self.bits) {
            let mut rest = word;
            while rest != 0 {
                f((w << 6) | u64::from(rest.trailing_zeros()));
                rest &= rest.wrapping_sub(1);
            }
        }
        for &k in &self.items {
            f(k);
        }
    }

    /// Appends every key to `out` as [`KeySet::for_each_raw`] gives them.
    pub(crate) fn append_raw(&self, out: &mut Vec<u64>) {
        out.reserve(
            usize::try_from(self.ones)
                .unwrap_or(0)
                .saturating_add(self.items.len()),
        );
        self.for_each_raw(|k| out.push(k));
    }
}

/// The number of distinct keys in `keys` (sorted and deduplicated in place).
pub(crate) fn distinct_keys(keys: &mut Vec<u64>) -> u64 {
    sort_keys(keys);
    keys.dedup();
    u64::try_from(keys.len()).unwrap_or(u64::MAX)
}

/// Sorts keys: a comparison sort for the short tails of most sets, a radix sort for long ones.
fn sort_keys(v: &mut Vec<u64>) {
    if v.len() < 1024 {
        v.sort_unstable();
    } else {
        radix::sort_u64(v);
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

/// A key of [`Stretches`] that the radix sort can order: its words, most significant first,
/// in the same order as `Ord`.
pub(crate) trait StretchKey: Ord + Copy {
    /// Sorts stretches by key, then start.
    fn sort(v: &mut Vec<(Self, i64, i64)>);
}

impl StretchKey for u64 {
    fn sort(v: &mut Vec<(Self, i64, i64)>) {
        radix::sort_by_key(v, |x| [x.0, radix::ordered(x.1)]);
    }
}

impl StretchKey for (u64, u64) {
    fn sort(v: &mut Vec<(Self, i64, i64)>) {
        radix::sort_by_key(v, |x| [x.0.0, x.0.1, radix::ordered(x.1)]);
    }
}

/// Activity stretches `[start, end)` per key: after compaction sorted by key then start, and
/// for each key disjoint and non-touching.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stretches<K> {
    items: Vec<(K, i64, i64)>,
    clean: usize,
}

impl<K: StretchKey> Stretches<K> {
    #[inline]
    pub(crate) fn push(&mut self, key: K, start: i64, end: i64) {
        self.items.push((key, start, end));
        if self.items.len() >= self.clean.saturating_mul(2).max(MIN_COMPACT) {
            coalesce(&mut self.items, self.clean);
            self.clean = self.items.len();
        }
    }

    /// The compacted stretches.
    pub(crate) fn compacted(&self) -> std::borrow::Cow<'_, [(K, i64, i64)]> {
        if self.clean == self.items.len() {
            std::borrow::Cow::Borrowed(&self.items)
        } else {
            let mut v = self.items.clone();
            coalesce(&mut v, self.clean);
            std::borrow::Cow::Owned(v)
        }
    }

    /// Calls `f(start, end)` for each compacted stretch, in key order, without copying the
    /// compacted prefix.
    fn for_each_compacted(&self, mut f: impl FnMut(i64, i64)) {
        let (clean, rest) = self
            .items
            .split_at_checked(self.clean)
            .unwrap_or((&self.items, &[]));
        let mut tail = rest.to_vec();
        K::sort(&mut tail);
        let mut cur: Option<(K, i64, i64)> = None;
        for x in merged(clean, &tail, |a, b| (a.0, a.1) < (b.0, b.1)) {
            match &mut cur {
                // Coalesced as `coalesce` does.
                Some(c) if c.0 == x.0 && x.1 <= c.2 => c.2 = c.2.max(x.2),
                _ => {
                    if let Some((_, s, e)) = cur.replace(x) {
                        f(s, e);
                    }
                }
            }
        }
        if let Some((_, s, e)) = cur {
            f(s, e);
        }
    }

    /// The `(instant, ±1)` events of the compacted stretches (`+1` at each start, `−1` at
    /// each end), in key order.
    pub(crate) fn events(&self) -> Vec<(i64, i64)> {
        let mut out = Vec::with_capacity(self.items.len().saturating_mul(2));
        self.for_each_compacted(|s, e| {
            out.push((s, 1));
            out.push((e, -1));
        });
        out
    }

    /// The events of [`Stretches::events`] packed as [`crate::intervals`] sorts them: `lo`
    /// (the first instant) and one word per event, `(instant − lo) × 2 + (delta = +1)`;
    /// `None` when the instants span 2^62 s or more.
    pub(crate) fn packed_events(&self) -> Option<(i64, Vec<u64>)> {
        let lo = self.items.iter().map(|x| x.1).min().unwrap_or(0);
        let hi = self.items.iter().map(|x| x.2).max().unwrap_or(0);
        let span = hi.checked_sub(lo).and_then(|s| u64::try_from(s).ok())?;
        if span >= 1 << 62 {
            return None;
        }
        let offset = |t: i64| u64::try_from(t.saturating_sub(lo)).unwrap_or(0);
        let mut out = Vec::with_capacity(self.items.len().saturating_mul(2));
        self.for_each_compacted(|s, e| {
            out.push((offset(s) << 1) | 1);
            out.push(offset(e) << 1);
        });
        Some((lo, out))
    }
}

/// The merge of two sorted slices (`less(a, b)`: `a` goes strictly before `b`); on ties the
/// element of `a` comes first. Which side advances is data, not a branch (on random data a
/// branch would be mispredicted half the time).
fn merged<'a, T: Copy>(
    a: &'a [T],
    b: &'a [T],
    less: impl Fn(&T, &T) -> bool + 'a,
) -> impl Iterator<Item = T> + 'a {
    let (mut i, mut j) = (0_usize, 0_usize);
    std::iter::from_fn(move || match (a.get(i), b.get(j)) {
        (Some(&x), Some(&y)) => {
            let take_b = less(&y, &x);
            i = i.saturating_add(usize::from(!take_b));
            j = j.saturating_add(usize::from(take_b));
            Some(if take_b { y } else { x })
        }
        (Some(&x), None) => {
            i = i.saturating_add(1);
            Some(x)
        }
        (None, Some(&y)) => {
            j = j.saturating_add(1);
            Some(y)
        }
        (None, None) => None,
    })
}

/// Net changes of a level at instants: `(instant, delta)`, after compaction sorted by instant,
/// one entry per instant, zeros dropped.
///
/// Changes of ±1 (a stream opens or closes) are appended packed in one word each,
/// `(instant + 2^62) × 2 + (delta = +1)` (8 bytes instead of 16: half the data to append and
/// sort), and folded into the net changes whenever there are as many as net changes (at least
/// 64); memory stays within the distinct instants, plus as many words. Other changes, and
/// instants beyond ±2^62 s (none: chrono's range is ±2^43 s), are folded in at once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Deltas {
    /// Sorted by instant, one per instant, no zeros.
    net: Vec<(i64, i64)>,
    /// Packed changes of ±1 not yet in `net`.
    raw: Vec<u64>,
}

/// Offset of the packed instants of [`Deltas`].
const PACK_OFFSET: i64 = 1 << 62;

impl Deltas {
    #[inline]
    pub(crate) fn push(&mut self, t: i64, d: i64) {
        let packed = t
            .checked_add(PACK_OFFSET)
            .and_then(|x| u64::try_from(x).ok())
            .filter(|&x| x < 1 << 63)
            .filter(|_| d == 1 || d == -1);
        match packed {
            Some(x) => {
                self.raw.push((x << 1) | u64::from(d == 1));
                if self.raw.len() >= self.net.len().max(MIN_COMPACT) {
                    fold_raw(&mut self.net, &mut self.raw);
                }
            }
            None => {
                fold_raw(&mut self.net, &mut self.raw);
                let clean = self.net.len();
                self.net.push((t, d));
                sum_deltas(&mut self.net, clean);
            }
        }
    }

    pub(crate) fn compacted(&self) -> std::borrow::Cow<'_, [(i64, i64)]> {
        if self.raw.is_empty() {
            std::borrow::Cow::Borrowed(&self.net)
        } else {
            let (mut net, mut raw) = (self.net.clone(), self.raw.clone());
            fold_raw(&mut net, &mut raw);
            std::borrow::Cow::Owned(net)
        }
    }
}

/// Sorts the packed changes of `raw`, sums them per instant and merges them into `net`
/// (compacted); empties `raw`.
fn fold_raw(net: &mut Vec<(i64, i64)>, raw: &mut Vec<u64>) {
    if raw.is_empty() {
        return;
    }
    radix::sort_u64(raw);
    let clean = net.len();
    for &x in raw.iter() {
        // Exact: `x >> 1` is below 2^63 and at least 0, so the instant is back in range.
        let t = i64::try_from(x >> 1)
            .unwrap_or(i64::MAX)
            .saturating_sub(PACK_OFFSET);
        let d = if x & 1 == 1 { 1 } else { -1 };
        let fresh = net.len() > clean;
        match net.last_mut() {
            Some(last) if fresh && last.0 == t => last.1 = last.1.saturating_add(d),
            _ => net.push((t, d)),
        }
    }
    raw.clear();
    // The new part is sorted and one per instant: merge (no sort), sum and drop zeros.
    merge_sum(net, clean, |_| {});
}

/// Compacts deltas whose first `clean` entries are compacted (sorted by instant, one per
/// instant, no zeros): sorts the rest, merges, sums the deltas of each instant, drops zeros.
fn sum_deltas(v: &mut Vec<(i64, i64)>, clean: usize) {
    merge_sum(v, clean, |t| {
        radix::sort_by_key(t, |x| [radix::ordered(x.0)])
    });
}

/// [`sum_deltas`] with the rest sorted by `sort`.
fn merge_sum(v: &mut Vec<(i64, i64)>, clean: usize, sort: impl FnOnce(&mut Vec<(i64, i64)>)) {
    merge_tail(v, clean, sort, |a, b| a.0 < b.0);
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
}

/// Compacts stretches whose first `clean` entries are compacted (sorted by key then start,
/// coalesced): sorts the rest, merges, and coalesces.
fn coalesce<K: StretchKey>(v: &mut Vec<(K, i64, i64)>, clean: usize) {
    merge_tail(v, clean, K::sort, |a, b| (a.0, a.1) < (b.0, b.1));
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
}

/// Sorts `v[clean..]` with `sort` and merges it into the sorted `v[..clean]` (`less(a, b)`: `a`
/// goes strictly before `b`), in the buffer of `v`: the merge runs from the back, so it never
/// overwrites an element of the prefix it has yet to read, and only the tail is copied out.
pub(crate) fn merge_tail<T: Copy>(
    v: &mut Vec<T>,
    clean: usize,
    sort: impl FnOnce(&mut Vec<T>),
    less: impl Fn(&T, &T) -> bool,
) {
    if clean >= v.len() {
        return;
    }
    if clean == 0 {
        sort(v);
        return;
    }
    let mut tail = v.split_off(clean);
    sort(&mut tail);
    let Some(&fill) = tail.first() else {
        return;
    };
    let (mut i, mut j) = (v.len(), tail.len());
    v.resize(i.saturating_add(j), fill);
    let total = v.len();
    let mut k = total;
    // Every step moves one element: from the prefix (`i`) or the tail (`j`). The choice is
    // data, not a branch (on random data a branch would be mispredicted half the time).
    for _ in 0..total {
        let Some(&b) = j.checked_sub(1).and_then(|q| tail.get(q)) else {
            // The tail is placed; the rest of the prefix is in place.
            break;
        };
        let a = i.checked_sub(1).and_then(|p| v.get(p)).copied();
        let take_a = a.is_some_and(|a| less(&b, &a));
        let x = match a {
            Some(a) if take_a => a,
            _ => b,
        };
        i = i.saturating_sub(usize::from(take_a));
        j = j.saturating_sub(usize::from(!take_a));
        k = k.saturating_sub(1);
        if let Some(slot) = v.get_mut(k) {
            *slot = x;
        }
    }
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

    proptest::proptest! {
        #[test]
        fn stretches_match_interval_sets(
            v in proptest::collection::vec((0_u64..6, -100_i64..400, 1_i64..60), 0..700)
        ) {
            let mut s = Stretches::default();
            let mut sets: std::collections::BTreeMap<u64, crate::intervals::IntervalSet> = Default::default();
            for (i, &(k, a, l)) in v.iter().enumerate() {
                s.push(k, a, a.saturating_add(l));
                sets.entry(k).or_default().insert(a, a.saturating_add(l));
                if i % 97 == 0 {
                    // Compacted views agree before the tail is compacted too.
                    let c = s.compacted();
                    proptest::prop_assert!(c.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
                }
            }
            let expected: Vec<(u64, i64, i64)> = sets
                .iter()
                .flat_map(|(k, set)| set.intervals().into_iter().map(move |(a, b)| (*k, a, b)))
                .collect();
            proptest::prop_assert_eq!(s.compacted().to_vec(), expected.clone());
            let events: Vec<(i64, i64)> =
                expected.iter().flat_map(|&(_, a, b)| [(a, 1), (b, -1)]).collect();
            proptest::prop_assert_eq!(s.events(), events.clone());
            let (lo, packed) = s.packed_events().unwrap();
            let unpacked: Vec<(i64, i64)> = packed
                .iter()
                .map(|&k| (lo.checked_add(i64::try_from(k >> 1).unwrap()).unwrap(), if k & 1 == 1 { 1 } else { -1 }))
                .collect();
            proptest::prop_assert_eq!(unpacked, events);
        }

        #[test]
        fn relation_stretches_coalesce(
            v in proptest::collection::vec(((0_u64..3, proptest::prop_oneof![0_u64..3, proptest::strategy::Just(u64::MAX)]), 0_i64..300, 1_i64..40), 0..500)
        ) {
            let mut s: Stretches<(u64, u64)> = Stretches::default();
            let mut sets: std::collections::BTreeMap<(u64, u64), crate::intervals::IntervalSet> = Default::default();
            for &(k, a, l) in &v {
                s.push(k, a, a.saturating_add(l));
                sets.entry(k).or_default().insert(a, a.saturating_add(l));
            }
            let expected: Vec<((u64, u64), i64, i64)> = sets
                .iter()
                .flat_map(|(k, set)| set.intervals().into_iter().map(move |(a, b)| (*k, a, b)))
                .collect();
            proptest::prop_assert_eq!(s.compacted().to_vec(), expected);
        }

        #[test]
        fn deltas_sum_per_instant(
            v in proptest::collection::vec((-200_i64..200, -3_i64..4), 0..700)
        ) {
            let mut d = Deltas::default();
            let mut sums: std::collections::BTreeMap<i64, i64> = Default::default();
            for &(t, x) in &v {
                d.push(t, x);
                let e = sums.entry(t).or_default();
                *e = e.saturating_add(x);
            }
            let expected: Vec<(i64, i64)> = sums.into_iter().filter(|x| x.1 != 0).collect();
            proptest::prop_assert_eq!(d.compacted().to_vec(), expected);
        }

        #[test]
        fn deltas_of_streams_sum_per_instant(
            v in proptest::collection::vec((
                proptest::prop_oneof![
                    -5000_i64..5000,
                    proptest::strategy::Just(i64::MIN),
                    proptest::strategy::Just(i64::MAX),
                    proptest::strategy::Just(-(1_i64 << 62)),
                    proptest::strategy::Just((1_i64 << 62) - 1),
                    proptest::strategy::Just(1_i64 << 62),
                ],
                proptest::bool::ANY,
            ), 0..1500)
        ) {
            // Opens and closes only (the packed path), extremes included (folded at once).
            let mut d = Deltas::default();
            let mut sums: std::collections::BTreeMap<i64, i64> = Default::default();
            for (i, &(t, open)) in v.iter().enumerate() {
                let x = if open { 1 } else { -1 };
                d.push(t, x);
                let e = sums.entry(t).or_default();
                *e = e.saturating_add(x);
                if i % 397 == 0 {
                    let expected: Vec<(i64, i64)> =
                        sums.iter().map(|(a, b)| (*a, *b)).filter(|x| x.1 != 0).collect();
                    proptest::prop_assert_eq!(d.compacted().to_vec(), expected);
                }
            }
            let expected: Vec<(i64, i64)> = sums.into_iter().filter(|x| x.1 != 0).collect();
            proptest::prop_assert_eq!(d.compacted().to_vec(), expected);
        }

        #[test]
        fn merge_tail_merges(
            mut prefix in proptest::collection::vec(0_u32..1000, 0..300),
            tail in proptest::collection::vec(0_u32..1000, 0..300),
        ) {
            prefix.sort_unstable();
            let mut v = prefix.clone();
            v.extend_from_slice(&tail);
            merge_tail(&mut v, prefix.len(), |t| t.sort_unstable(), |a, b| a < b);
            let mut expected = prefix;
            expected.extend_from_slice(&tail);
            expected.sort_unstable();
            proptest::prop_assert_eq!(v, expected);
        }
    }

    #[test]
    fn stretches_coalesce_per_key() {
        let mut s = Stretches::default();
        for i in 0..200_i64 {
            s.push(u64::try_from(i % 2).unwrap(), i * 10, i * 10 + 25);
        }
        let c = s.compacted();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], (0, 0, 2005));
        assert_eq!(c[1], (1, 10, 2015));
    }
}
