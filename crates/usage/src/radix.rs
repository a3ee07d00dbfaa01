//! A stable least-significant-digit radix sort for the large sorts of a pass (compaction of
//! activity stretches and stream deltas, peak sweeps, distinct unions).
//!
//! The comparison sorts of `std` cost about `log2 n` comparisons per element; on the million
//! element vectors of a pass that is the larger part of a report. A radix sort on 8-bit digits
//! costs one read and one write per element per digit, and only the digits that differ
//! between elements are sorted: a week of Unix seconds differs in 20 bits, so three passes.

/// Below this length a comparison sort is faster than building histograms.
const SMALL: usize = 192;

/// Maps an `i64` to a `u64` with the same order (flips the sign bit).
#[inline]
pub(crate) const fn ordered(x: i64) -> u64 {
    x.cast_unsigned() ^ (1 << 63)
}

/// Sorts `v` by `key` (a tuple of `W` words compared lexicographically, most significant
/// first). Stable: elements with equal keys keep their order.
pub(crate) fn sort_by_key<T: Copy, const W: usize>(v: &mut Vec<T>, key: impl Fn(&T) -> [u64; W]) {
    sort_by_key_in(v, &mut Vec::new(), key);
}

/// [`sort_by_key`] with the buffer of the passes in `scratch` (left with unspecified
/// contents): a caller that sorts often keeps one, and its memory, from sort to sort.
pub(crate) fn sort_by_key_in<T: Copy, const W: usize>(
    v: &mut Vec<T>,
    scratch: &mut Vec<T>,
    key: impl Fn(&T) -> [u64; W],
) {
    let Some(first) = v.first() else {
        return;
    };
    if v.len() < SMALL {
        v.sort_by_key(|x| key(x));
        return;
    }
    // The range of each word and the bits that differ between its values. A word is sorted
    // either on `key - min` (the digits below the highest set bit of `max - min`) or on its
    // raw value (only the bytes where some values differ): whichever takes fewer passes. A
    // word packing two fields (`app << 32 | id`) has few varying bytes but a wide range.
    let k0 = key(first);
    let (mut lo, mut hi, mut diff) = (k0, k0, [0_u64; W]);
    for x in v.iter() {
        let k = key(x);
        for (((l, h), d), (a, b)) in lo
            .iter_mut()
            .zip(hi.iter_mut())
            .zip(diff.iter_mut())
            .zip(k.iter().zip(k0.iter()))
        {
            *l = (*l).min(*a);
            *h = (*h).max(*a);
            *d |= *a ^ *b;
        }
    }
    // Digits to sort, least significant first: (word, shift); `lo` becomes the base each
    // word's digits are taken from.
    let mut digits: Vec<(usize, u32)> = Vec::new();
    for (w, ((l, h), d)) in lo
        .iter_mut()
        .zip(hi.iter())
        .zip(diff.iter())
        .enumerate()
        .rev()
    {
        let span = h.saturating_sub(*l);
        let by_span = (0..8_u32).filter(|b| span >> b.saturating_mul(8) != 0);
        let by_diff = (0..8_u32).filter(|b| (d >> b.saturating_mul(8)) & 0xff != 0);
        let raw = by_diff.clone().count() < by_span.clone().count();
        if raw {
            *l = 0;
            digits.extend(by_diff.map(|b| (w, b.saturating_mul(8))));
        } else {
            digits.extend(by_span.map(|b| (w, b.saturating_mul(8))));
        }
    }
    if digits.is_empty() {
        return;
    }
    // Every histogram in one read.
    let mut counts = vec![[0_usize; 256]; digits.len()];
    for x in v.iter() {
        let k = key(x);
        for (c, &(w, shift)) in counts.iter_mut().zip(&digits) {
            let digit = digit_of(&k, &lo, w, shift);
            if let Some(n) = c.get_mut(digit) {
                *n = n.saturating_add(1);
            }
        }
    }
    scratch.clear();
    scratch.resize(v.len(), *first);
    for (c, &(w, shift)) in counts.iter_mut().zip(&digits) {
        // Exclusive prefix sums: the first slot of each digit.
        let mut at = 0_usize;
        for n in c.iter_mut() {
            let here = *n;
            *n = at;
            at = at.saturating_add(here);
        }
        for x in v.iter() {
            let digit = digit_of(&key(x), &lo, w, shift);
            if let Some(pos) = c.get_mut(digit) {
                if let Some(slot) = scratch.get_mut(*pos) {
                    *slot = *x;
                }
                *pos = pos.saturating_add(1);
            }
        }
        std::mem::swap(v, scratch);
    }
}

#[inline]
fn digit_of<const W: usize>(k: &[u64; W], lo: &[u64; W], w: usize, shift: u32) -> usize {
    let word = k
        .get(w)
        .copied()
        .unwrap_or(0)
        .wrapping_sub(lo.get(w).copied().unwrap_or(0));
    usize::from(u8::try_from((word >> shift) & 0xff).unwrap_or(0))
}

/// Sorts `u64`s ascending.
pub(crate) fn sort_u64(v: &mut Vec<u64>) {
    sort_by_key(v, |x| [*x]);
}

/// Sorts `(instant, delta)` events by instant, then delta (ends before starts).
pub(crate) fn sort_events(v: &mut Vec<(i64, i64)>) {
    sort_by_key(v, |&(t, d)| [ordered(t), ordered(d)]);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn u64_sort_matches_std(mut v in proptest::collection::vec(any::<u64>(), 0..1000), small in proptest::collection::vec(0_u64..5000, 0..1000)) {
            let mut w = v.clone();
            w.sort_unstable();
            sort_u64(&mut v);
            prop_assert_eq!(v, w);
            let mut s = small.clone();
            let mut t = small;
            t.sort_unstable();
            sort_u64(&mut s);
            prop_assert_eq!(s, t);
        }

        #[test]
        fn events_sort_matches_std(v in proptest::collection::vec((-100_000_i64..100_000, -3_i64..3), 0..1000)) {
            let mut a = v.clone();
            let mut b = v;
            a.sort_unstable();
            sort_events(&mut b);
            prop_assert_eq!(a, b);
        }

        #[test]
        fn two_word_sort_is_stable(v in proptest::collection::vec((0_u64..50, any::<i64>(), any::<u16>()), 0..800)) {
            let mut a = v.clone();
            let mut b = v;
            a.sort_by_key(|x| (x.0, x.1));
            sort_by_key(&mut b, |x| [x.0, ordered(x.1)]);
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn extremes() {
        let mut v: Vec<(i64, i64)> = (0..500)
            .map(|i| {
                (
                    if i % 2 == 0 {
                        i64::MIN + i
                    } else {
                        i64::MAX - i
                    },
                    1 - 2 * (i % 2),
                )
            })
            .collect();
        let mut w = v.clone();
        w.sort_unstable();
        sort_events(&mut v);
        assert_eq!(v, w);
    }
}
