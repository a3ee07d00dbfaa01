//! Sets of half-open intervals of Unix seconds: when a channel or a communication was active.

/// A union of half-open `[start, end)` intervals of Unix seconds, kept as sorted, disjoint,
/// non-touching intervals (`[0,5)` and `[5,9)` become `[0,9)`: activity that ends and resumes in
/// the same second is continuous).
///
/// Insertion in start order (time-sorted input) is amortized O(1) and keeps the set small;
/// out-of-order insertion is accepted and normalized lazily. Union is exact, associative,
/// commutative and idempotent, which is what lets peak concurrency merge across shards.
///
/// ```
/// use mediameter_usage::IntervalSet;
/// let mut s = IntervalSet::default();
/// s.insert(0, 5);
/// s.insert(5, 9);
/// s.insert(20, 30);
/// s.insert(3, 4);
/// assert_eq!(s.intervals(), vec![(0, 9), (20, 30)]);
/// ```
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(from = "Vec<(i64, i64)>", into = "Vec<(i64, i64)>")
)]
pub struct IntervalSet {
    items: Vec<(i64, i64)>,
    sorted: bool,
}

impl PartialEq for IntervalSet {
    fn eq(&self, other: &Self) -> bool {
        self.intervals() == other.intervals()
    }
}

impl Eq for IntervalSet {}

impl From<Vec<(i64, i64)>> for IntervalSet {
    fn from(v: Vec<(i64, i64)>) -> Self {
        let mut s = IntervalSet {
            items: v.into_iter().filter(|(a, b)| a < b).collect(),
            sorted: false,
        };
        s.normalize();
        s
    }
}

impl From<IntervalSet> for Vec<(i64, i64)> {
    fn from(s: IntervalSet) -> Self {
        s.intervals()
    }
}

impl IntervalSet {
    /// Adds `[start, end)`; an empty or reversed interval is ignored.
    ///
    /// ```
    /// let mut s = mediameter_usage::IntervalSet::default();
    /// s.insert(10, 10);
    /// assert!(s.is_empty());
    /// ```
    #[inline]
    pub fn insert(&mut self, start: i64, end: i64) {
        if start >= end {
            return;
        }
        if self.items.is_empty() {
            self.sorted = true;
        }
        match self.items.last_mut() {
            Some(last) if self.sorted && start >= last.0 => {
                if start <= last.1 {
                    last.1 = last.1.max(end);
                } else {
                    self.items.push((start, end));
                }
            }
            _ => {
                self.items.push((start, end));
                if self.items.len() > 1 {
                    self.sorted = false;
                }
            }
        }
    }

    /// Sorts and coalesces in place.
    fn normalize(&mut self) {
        if self.sorted {
            return;
        }
        self.items.sort_unstable();
        let mut out: Vec<(i64, i64)> = Vec::with_capacity(self.items.len());
        for &(a, b) in &self.items {
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        self.items = out;
        self.sorted = true;
    }

    /// The normalized intervals, sorted and disjoint.
    ///
    /// ```
    /// let s = mediameter_usage::IntervalSet::from(vec![(5, 8), (1, 2), (2, 3)]);
    /// assert_eq!(s.intervals(), vec![(1, 3), (5, 8)]);
    /// ```
    #[must_use]
    pub fn intervals(&self) -> Vec<(i64, i64)> {
        if self.sorted {
            self.items.clone()
        } else {
            let mut c = self.clone();
            c.normalize();
            c.items
        }
    }

    /// Whether no second is covered.
    ///
    /// ```
    /// assert!(mediameter_usage::IntervalSet::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds every interval of `other`.
    ///
    /// ```
    /// use mediameter_usage::IntervalSet;
    /// let mut a = IntervalSet::from(vec![(0, 10)]);
    /// a.union_with(&IntervalSet::from(vec![(5, 15), (20, 21)]));
    /// assert_eq!(a.intervals(), vec![(0, 15), (20, 21)]);
    /// ```
    pub fn union_with(&mut self, other: &IntervalSet) {
        self.items.extend_from_slice(&other.items);
        self.sorted = false;
        self.normalize();
    }
}

/// Peak concurrency per bucket from a set of `+1`/`−1` events.
///
/// `events` are `(instant, delta)`; `bucket_starts` sorted ascending, each bucket `width`
/// seconds long. The result has one peak per bucket: the largest level at any instant of
/// `[start, start + width)`, where the level at an instant counts intervals `[a, b)` with
/// `a <= t < b` — so the level inherited at the bucket's start counts.
pub(crate) fn peaks_per_bucket(
    events: &mut Vec<(i64, i64)>,
    bucket_starts: &[i64],
    width: i64,
) -> Vec<u64> {
    // Ends (−1) before starts (+1) at the same instant: half-open intervals.
    sort_events(events);
    let mut out = Vec::with_capacity(bucket_starts.len());
    let mut level: i64 = 0;
    let mut i = 0_usize;
    for &b in bucket_starts {
        // Level at instant b: every event at or before b applied.
        while let Some(&(t, d)) = events.get(i) {
            if t > b {
                break;
            }
            level = level.saturating_add(d);
            i = i.saturating_add(1);
        }
        let mut peak = level;
        let end = b.saturating_add(width);
        while let Some(&(t, d)) = events.get(i) {
            if t >= end {
                break;
            }
            level = level.saturating_add(d);
            peak = peak.max(level);
            i = i.saturating_add(1);
        }
        out.push(u64::try_from(peak).unwrap_or(0));
    }
    out
}

/// Sorts `(instant, delta)` events by instant, then delta. Activity events (every delta ±1)
/// are packed into one word each, `(instant − first) × 2 + (delta = +1)`, for a radix sort
/// of half the bytes and passes; already sorted events (stream deltas) are left alone.
fn sort_events(events: &mut Vec<(i64, i64)>) {
    if events.is_sorted() {
        return;
    }
    let lo = events.iter().map(|e| e.0).min().unwrap_or(0);
    let hi = events.iter().map(|e| e.0).max().unwrap_or(0);
    let span = hi.checked_sub(lo).and_then(|s| u64::try_from(s).ok());
    let unit = events.iter().all(|e| e.1 == 1 || e.1 == -1);
    match span {
        Some(span) if unit && span < 1 << 62 => {
            let mut packed: Vec<u64> = events
                .iter()
                .map(|&(t, d)| {
                    let off = u64::try_from(t.saturating_sub(lo)).unwrap_or(0);
                    (off << 1) | u64::from(d == 1)
                })
                .collect();
            // The events are rebuilt from the packed words: freeing them first keeps the
            // peak memory of the sort at the packed words and the radix sort's scratch.
            *events = Vec::new();
            crate::radix::sort_u64(&mut packed);
            events.reserve_exact(packed.len());
            events.extend(packed.iter().map(|&k| {
                let off = i64::try_from(k >> 1).unwrap_or(0);
                (lo.saturating_add(off), if k & 1 == 1 { 1 } else { -1 })
            }));
        }
        _ => crate::radix::sort_events(events),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inherited_level_counts() {
        // Two streams open before the hour, one ends inside it, one starts inside it.
        let mut ev = vec![
            (-100, 1),
            (-50, 1),
            (10, -1),
            (20, 1),
            (4000, -1),
            (4000, -1),
        ];
        let p = peaks_per_bucket(&mut ev, &[0, 3600], 3600);
        assert_eq!(p, vec![2, 2]);
    }

    proptest::proptest! {
        #[test]
        fn event_sort_matches_std(
            v in proptest::collection::vec((-5000_i64..5000, proptest::prop_oneof![proptest::strategy::Just(1_i64), proptest::strategy::Just(-1_i64), -3_i64..3]), 0..800)
        ) {
            let mut a = v.clone();
            let mut b = v;
            a.sort_unstable();
            sort_events(&mut b);
            proptest::prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn extreme_instants_sort() {
        let mut v = vec![(i64::MAX, -1), (i64::MIN, 1), (0, 1), (0, -1)];
        let mut w = v.clone();
        w.sort_unstable();
        sort_events(&mut v);
        assert_eq!(v, w);
    }

    #[test]
    fn touching_intervals_do_not_overlap() {
        let mut ev = vec![(0, 1), (10, -1), (10, 1), (20, -1)];
        assert_eq!(peaks_per_bucket(&mut ev, &[0], 3600), vec![1]);
    }

    #[test]
    fn unsorted_inserts_normalize() {
        let mut s = IntervalSet::default();
        for (a, b) in [(50, 60), (0, 10), (5, 20), (20, 25), (100, 101)] {
            s.insert(a, b);
        }
        assert_eq!(s.intervals(), vec![(0, 25), (50, 60), (100, 101)]);
    }
}
