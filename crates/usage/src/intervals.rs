//! Sets of half-open intervals of Unix seconds: when a channel or a communication was active.

/// A union of half-open `[start, end)` intervals of Unix seconds, kept as sorted, disjoint,
/// non-touching intervals (`[0,5)` and `[5,9)` become `[0,9)`: activity that ends and resumes in
/// the same second is continuous).
///
/// Built from a list of intervals in any order (normalized once; empty or reversed intervals
/// are dropped) and grown by union, which is exact, associative, commutative and idempotent:
/// what lets peak concurrency merge across shards. The tests also insert intervals one at a
/// time (amortized O(1) in start order, normalized lazily otherwise) to build references.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(from = "Vec<(i64, i64)>", into = "Vec<(i64, i64)>")
)]
pub(crate) struct IntervalSet {
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
    #[inline]
    #[cfg(test)]
    pub(crate) fn insert(&mut self, start: i64, end: i64) {
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
    #[must_use]
    pub(crate) fn intervals(&self) -> Vec<(i64, i64)> {
        if self.sorted {
            self.items.clone()
        } else {
            let mut c = self.clone();
            c.normalize();
            c.items
        }
    }

    /// Whether no second is covered.
    #[must_use]
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds every interval of `other`.
    pub(crate) fn union_with(&mut self, other: &IntervalSet) {
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
    if events.is_sorted() {
        return sweep(events.iter().copied(), bucket_starts, width);
    }
    match pack_events(events) {
        Some((lo, packed)) => {
            // Freeing the events first keeps the peak memory of the sort at the packed words
            // and the radix sort's scratch; the sweep reads the packed words.
            *events = Vec::new();
            peaks_of_packed(packed, lo, bucket_starts, width)
        }
        None => {
            crate::radix::sort_events(events);
            sweep(events.iter().copied(), bucket_starts, width)
        }
    }
}

/// [`peaks_per_bucket`] of activity events packed as `pack_events` packs them (`lo` and one
/// word per event, in any order).
pub(crate) fn peaks_of_packed(
    mut packed: Vec<u64>,
    lo: i64,
    bucket_starts: &[i64],
    width: i64,
) -> Vec<u64> {
    crate::radix::sort_u64(&mut packed);
    sweep(
        packed.iter().map(|&k| unpack_event(lo, k)),
        bucket_starts,
        width,
    )
}

/// [`peaks_per_bucket`] of events already sorted by instant, then delta (compacted stream
/// deltas: one per instant).
pub(crate) fn peaks_of_sorted(
    events: &[(i64, i64)],
    bucket_starts: &[i64],
    width: i64,
) -> Vec<u64> {
    if events.is_sorted() {
        sweep(events.iter().copied(), bucket_starts, width)
    } else {
        peaks_per_bucket(&mut events.to_vec(), bucket_starts, width)
    }
}

/// The peaks of [`peaks_per_bucket`] from events sorted by instant, then change: the one peak
/// sweep of the crate, whatever sorted the events (a sort, a difference array, a merge).
pub(crate) fn sweep(
    events: impl Iterator<Item = (i64, i64)>,
    bucket_starts: &[i64],
    width: i64,
) -> Vec<u64> {
    let mut events = events.peekable();
    let mut out = Vec::with_capacity(bucket_starts.len());
    let mut level = Level::default();
    for &b in bucket_starts {
        // Level at instant b: every event at or before b applied.
        while let Some((_, d)) = events.next_if(|&(t, _)| t <= b) {
            level.carry(d);
        }
        level.enter();
        let end = b.saturating_add(width);
        while let Some((_, d)) = events.next_if(|&(t, _)| t < end) {
            level.change(d);
        }
        out.push(level.peak());
    }
    out
}

/// The level of a peak sweep and the peak of the bucket it is in: the rule every peak of the
/// crate follows, whether the events come sorted ([`sweep`]) or are pushed as sorted segments
/// arrive (the streaming sweep of the aggregator's mode for sorted input). A bucket's peak is the level inherited at
/// its start once every change at the start is applied, raised by each later change inside
/// it; a negative level counts as 0.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Level {
    level: i64,
    peak: i64,
}

impl Level {
    /// Applies a change at or before the start of the bucket about to be entered: it moves
    /// the level, not a peak.
    #[inline]
    pub(crate) fn carry(&mut self, d: i64) {
        self.level = self.level.saturating_add(d);
    }

    /// Enters a bucket, every change at or before its start applied: its peak starts at the
    /// level inherited.
    #[inline]
    pub(crate) fn enter(&mut self) {
        self.peak = self.level;
    }

    /// Applies a change inside the current bucket.
    #[inline]
    pub(crate) fn change(&mut self, d: i64) {
        self.level = self.level.saturating_add(d);
        self.peak = self.peak.max(self.level);
    }

    /// The level now.
    #[inline]
    pub(crate) fn level(&self) -> u64 {
        u64::try_from(self.level).unwrap_or(0)
    }

    /// The current bucket's peak so far.
    #[inline]
    pub(crate) fn peak(&self) -> u64 {
        u64::try_from(self.peak).unwrap_or(0)
    }
}

/// Activity events (every delta ±1) packed into one word each, `(instant − lo) × 2 +
/// (delta = +1)`, so that sorting the words sorts the events by instant, then delta; `None`
/// when a delta is not ±1 or the instants span 2^62 s or more.
fn pack_events(events: &[(i64, i64)]) -> Option<(i64, Vec<u64>)> {
    let lo = events.iter().map(|e| e.0).min().unwrap_or(0);
    let hi = events.iter().map(|e| e.0).max().unwrap_or(0);
    let span = hi.checked_sub(lo).and_then(|s| u64::try_from(s).ok())?;
    let unit = events.iter().all(|e| e.1 == 1 || e.1 == -1);
    if !unit || span >= 1 << 62 {
        return None;
    }
    let packed = events
        .iter()
        .map(|&(t, d)| {
            let off = u64::try_from(t.saturating_sub(lo)).unwrap_or(0);
            (off << 1) | u64::from(d == 1)
        })
        .collect();
    Some((lo, packed))
}

#[inline]
fn unpack_event(lo: i64, k: u64) -> (i64, i64) {
    let off = i64::try_from(k >> 1).unwrap_or(0);
    (lo.saturating_add(off), if k & 1 == 1 { 1 } else { -1 })
}

/// Sorts `(instant, delta)` events by instant, then delta, as [`peaks_per_bucket`] reads them.
#[cfg(test)]
fn sort_events(events: &mut Vec<(i64, i64)>) {
    if events.is_sorted() {
        return;
    }
    match pack_events(events) {
        Some((lo, mut packed)) => {
            crate::radix::sort_u64(&mut packed);
            *events = packed.iter().map(|&k| unpack_event(lo, k)).collect();
        }
        None => crate::radix::sort_events(events),
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

    proptest::proptest! {
        #[test]
        fn peaks_match_a_brute_force(
            v in proptest::collection::vec((-50_i64..400, 1_i64..120), 0..300),
            odd in proptest::collection::vec((-50_i64..400, -2_i64..3), 0..5),
        ) {
            // Unit events from intervals, sometimes with non-unit deltas added (the other path).
            let mut ev: Vec<(i64, i64)> = v.iter().flat_map(|&(a, l)| [(a, 1), (a.saturating_add(l), -1)]).collect();
            ev.extend(odd.iter().copied());
            let starts: Vec<i64> = (-1_i64..6).map(|k| k.saturating_mul(60)).collect();
            let expected: Vec<u64> = starts
                .iter()
                .map(|&b| {
                    (b..b.saturating_add(60))
                        .map(|t| ev.iter().filter(|e| e.0 <= t).map(|e| e.1).sum::<i64>())
                        .max()
                        .map_or(0, |m| u64::try_from(m).unwrap_or(0))
                })
                .collect();
            let mut shuffled = ev.clone();
            shuffled.reverse();
            proptest::prop_assert_eq!(peaks_per_bucket(&mut shuffled, &starts, 60), expected.clone());
            let mut sorted = ev;
            sorted.sort_unstable();
            proptest::prop_assert_eq!(peaks_per_bucket(&mut sorted, &starts, 60), expected);
        }
    }

    #[test]
    fn touching_intervals_do_not_overlap() {
        let mut ev = vec![(0, 1), (10, -1), (10, 1), (20, -1)];
        assert_eq!(peaks_per_bucket(&mut ev, &[0], 3600), vec![1]);
    }

    #[test]
    fn touching_intervals_coalesce() {
        let mut s = IntervalSet::default();
        s.insert(10, 10);
        assert!(s.is_empty());
        s.insert(0, 5);
        s.insert(5, 9);
        s.insert(20, 30);
        s.insert(3, 4);
        assert_eq!(s.intervals(), vec![(0, 9), (20, 30)]);
        let s = IntervalSet::from(vec![(5, 8), (1, 2), (2, 3)]);
        assert_eq!(s.intervals(), vec![(1, 3), (5, 8)]);
        let mut a = IntervalSet::from(vec![(0, 10)]);
        a.union_with(&IntervalSet::from(vec![(5, 15), (20, 21)]));
        assert_eq!(a.intervals(), vec![(0, 15), (20, 21)]);
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
