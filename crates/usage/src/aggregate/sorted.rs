//! The aggregator's mode for segments sorted by start time
//! ([`Aggregator::sorted`](super::Aggregator::sorted)): the
//! same groups, cells, dictionaries and report as the mergeable mode, with two differences
//! that bound memory by what is open rather than by what was seen:
//!
//! * peaks are swept as the segments arrive ([`Sweep`]), keeping the segments open at the
//!   current instant and one peak per group and bucket, where the mergeable mode keeps every
//!   activity stretch so that its state can merge with other shards';
//! * a cell's distinct sets are counted and freed once no later segment can reach its bucket
//!   (every later segment starts at or after the current one), and each group keeps one set of
//!   its ids for its total.
//!
//! A swept peak cannot be merged with another shard's exactly, so this mode has no state.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use mediameter_core::Buckets;

use super::DistinctPair;
use crate::compact::KeySet;
use crate::error::{Error, Result};
use crate::hash::FastMap;
use crate::hll::Hll;
use crate::intervals::Level;
use crate::state::Distinct;

/// Peaks per bucket of one activity, swept in time order: the open segments' ends wait in a
/// heap, so memory holds what is open now and one peak per bucket seen, never the past.
///
/// With `distinct`, the level is the number of keys with at least one open segment (channels,
/// communications); without, the number of open segments (streams).
///
/// The level and peak rule is the crate's one ([`Level`], which [`crate::intervals::sweep`]
/// applies too); the walk cannot be that function: it pulls every event, sorted, against the
/// buckets of the report's rows, known only once every segment is in. Here the segments are
/// pushed one at a time and the report's rows come later, so the events of the ends (from
/// the heap) and starts are applied as they arrive, and every bucket with activity keeps its
/// peak. Buffering the events to call the sorted sweep would hold every event of a bucket:
/// memory growing with the segments, which this aggregator exists to avoid.
#[derive(Debug, Clone)]
struct Sweep<K: Ord + Copy + std::hash::Hash> {
    distinct: bool,
    open: FastMap<K, u32>,
    ends: BinaryHeap<Reverse<(i64, K)>>,
    /// The level, and the peak of the bucket `cur`.
    level: Level,
    /// The bucket being swept.
    cur: Option<i64>,
    /// `(bucket index, peak)` of the buckets already swept, in order.
    peaks: Vec<(i64, u64)>,
}

impl<K: Ord + Copy + std::hash::Hash> Sweep<K> {
    fn new(distinct: bool) -> Self {
        Sweep {
            distinct,
            open: FastMap::default(),
            ends: BinaryHeap::new(),
            level: Level::default(),
            cur: None,
            peaks: Vec::new(),
        }
    }

    /// Moves the sweep to instant `t` (events at `t` not yet applied). Returns whether a new
    /// bucket was entered exactly at its start, whose level at the start is the one after
    /// the events at `t`.
    fn touch(&mut self, t: i64, b: &Buckets, span: i64) -> bool {
        let bt = b.index_of(t);
        match self.cur {
            Some(c) if c == bt => return false,
            Some(c) => {
                self.peaks.push((c, self.level.peak()));
                let level = self.level.level();
                if level > 0 {
                    // The level held since the last event: a bucket without events has it as
                    // its peak. An open segment is at most `span` buckets long, which bounds
                    // the loop.
                    let mut i = c.saturating_add(1);
                    let mut n = 0_i64;
                    while i < bt && n <= span {
                        self.peaks.push((i, level));
                        i = i.saturating_add(1);
                        n = n.saturating_add(1);
                    }
                }
            }
            None => {}
        }
        self.cur = Some(bt);
        self.level.enter();
        b.start_of_index(bt) == t
    }

    /// Applies every end at or before `t`, in time order.
    fn advance(&mut self, t: i64, b: &Buckets, span: i64) {
        while let Some(&Reverse((te, _))) = self.ends.peek() {
            if te > t {
                break;
            }
            let fresh = self.touch(te, b, span);
            while let Some(&Reverse((t2, key))) = self.ends.peek() {
                if t2 != te {
                    break;
                }
                self.ends.pop();
                let closes = match self.open.get_mut(&key) {
                    Some(n) if *n > 1 => {
                        *n = n.saturating_sub(1);
                        !self.distinct
                    }
                    Some(_) => {
                        self.open.remove(&key);
                        true
                    }
                    None => false,
                };
                if closes {
                    // A fall never raises the peak.
                    self.level.carry(-1);
                }
            }
            if fresh {
                // The bucket starts at `te`: its level at the start is the one after the ends.
                self.level.enter();
            }
        }
    }

    /// An activity `[s, e)` of `key`; `s` is not before any earlier activity's start.
    fn start(&mut self, key: K, s: i64, e: i64, b: &Buckets, span: i64) {
        self.advance(s, b, span);
        self.touch(s, b, span);
        let n = self.open.entry(key).or_insert(0);
        let opens = *n == 0 || !self.distinct;
        *n = n.saturating_add(1);
        self.level.change(if opens { 1 } else { 0 });
        self.ends.push(Reverse((e, key)));
    }

    /// The peaks of every bucket with activity, once every open activity has ended.
    fn finished(mut self, b: &Buckets, span: i64) -> Vec<(i64, u64)> {
        self.advance(i64::MAX, b, span);
        if let Some(c) = self.cur.take() {
            self.peaks.push((c, self.level.peak()));
        }
        self.peaks
    }
}

/// A group's distinct ids over every bucket (its total): one set of ids per app, or a sketch.
///
/// Keys arrive packed as `app << 32 | id`. Kept per app, the ids of each set are the
/// dictionary's dense numbers, so a set holding a sizeable share of them becomes a bitset
/// (one bit per id, [`KeySet`]); packed keys above 2^32 never would, and a group would keep
/// every pair it saw as a 64-bit key.
#[derive(Debug, Clone)]
pub(super) enum Total {
    /// The ids of each app (app 0 alone under the global scope).
    Exact(FastMap<u32, KeySet>),
    /// A sketch of the pairs' stable hashes, as the cells'.
    Approximate(Hll),
}

impl Total {
    /// An empty total: a sketch of precision `p`, or exact sets when `p` is `None`.
    pub(super) fn new(precision: Option<u8>) -> Result<Self> {
        Ok(match precision {
            Some(p) => Total::Approximate(Hll::new(p)?),
            None => Total::Exact(FastMap::default()),
        })
    }

    /// Adds a pair: its packed `key` to the exact sets, its stable `hash` to a sketch.
    #[inline]
    pub(super) fn insert(&mut self, key: u64, hash: u64) {
        match self {
            Total::Exact(by_app) => {
                let (app, id) = (crate::state::high(key), crate::state::low(key));
                by_app.entry(app).or_default().push(u64::from(id));
            }
            Total::Approximate(h) => h.insert_hash(hash),
        }
    }

    /// The number of distinct pairs (estimated for a sketch).
    pub(super) fn count(&self) -> u64 {
        match self {
            Total::Exact(by_app) => by_app
                .values()
                .map(KeySet::count)
                .fold(0, u64::saturating_add),
            Total::Approximate(h) => h.count(),
        }
    }

    /// The 64-bit words held (bitset words and sparse keys).
    #[cfg(test)]
    fn words(&self) -> usize {
        match self {
            Total::Exact(by_app) => by_app
                .values()
                .map(|s| {
                    let (bits, items) = s.raw_parts();
                    bits.len().saturating_add(items.len())
                })
                .sum(),
            Total::Approximate(_) => 0,
        }
    }
}

/// The sweeps of one group: channels, communications (relations) and streams.
#[derive(Debug, Clone)]
pub(super) struct GroupSweeps {
    channels: Sweep<u64>,
    relations: Sweep<super::RelKey>,
    streams: Sweep<u64>,
}

impl GroupSweeps {
    fn new() -> Self {
        GroupSweeps {
            channels: Sweep::new(true),
            relations: Sweep::new(true),
            streams: Sweep::new(false),
        }
    }
}

/// What the sorted mode keeps beside the aggregator's cells.
#[derive(Debug, Clone)]
pub(super) struct Sorted {
    /// The start of the last segment pushed (every pushed segment is checked for order,
    /// whether the query keeps it or not).
    last_start: Option<i64>,
    /// Buckets an open segment can span, plus two.
    span: i64,
    /// The sweeps of each group, by group id.
    sweeps: Vec<GroupSweeps>,
    /// Cells whose distinct sets are still open, by bucket start: the earliest first.
    open: BinaryHeap<Reverse<(i64, u32)>>,
    /// The distinct counts (users, channels) of each cell whose sets were freed, by cell index.
    done: Vec<Option<(u64, u64)>>,
    /// Each group's users and channels over every bucket, by group id.
    totals: Vec<(Total, Total)>,
}

impl Sorted {
    /// The sorted mode of an aggregator whose segments last at most `max_segment` seconds,
    /// in buckets of `width` seconds.
    pub(super) fn new(max_segment: u64, width: i64) -> Self {
        let width = u64::try_from(width).unwrap_or(1).max(1);
        Sorted {
            last_start: None,
            span: i64::try_from(max_segment.div_ceil(width))
                .unwrap_or(i64::MAX)
                .saturating_add(2),
            sweeps: Vec::new(),
            open: BinaryHeap::new(),
            done: Vec::new(),
            totals: Vec::new(),
        }
    }

    /// Checks that a segment starting at `start` (its `line`-th) is not before the last one.
    #[inline(never)]
    pub(super) fn check_order(&mut self, start: i64, line: u64) -> Result<()> {
        if let Some(prev) = self.last_start
            && start < prev
        {
            return Err(Error::out_of_range(
                "start",
                start,
                format!("at least the previous segment's start {prev}: segments must be sorted by start time"),
            )
            .at_field(line, "start"));
        }
        self.last_start = Some(start);
        Ok(())
    }

    /// A new group: its sweeps, and its total sets when distinct counting is on.
    pub(super) fn add_group(&mut self, totals: Option<(Total, Total)>) {
        self.sweeps.push(GroupSweeps::new());
        if let Some(t) = totals {
            self.totals.push(t);
        }
    }

    /// A new cell of bucket `bucket` (its start); `distinct`: whether it has sets to free.
    #[inline(never)]
    pub(super) fn add_cell(&mut self, ci: u32, bucket: i64, distinct: bool) {
        self.done.push(None);
        if distinct {
            self.open.push(Reverse((bucket, ci)));
        }
    }

    /// Counts and frees the sets of the cells of buckets that start before `bucket`: no
    /// later segment reaches them.
    fn complete_before(&mut self, bucket: i64, sets: &mut [DistinctPair]) {
        while let Some(&Reverse((b, ci))) = self.open.peek() {
            if b >= bucket {
                break;
            }
            self.open.pop();
            let i = usize::try_from(ci).unwrap_or(usize::MAX);
            if let (Some(pair), Some(done)) = (sets.get_mut(i), self.done.get_mut(i)) {
                *done = Some((pair.0.count(), pair.1.count()));
                // An empty exact set holds no memory, whatever the mode.
                *pair = (Distinct::freed(), Distinct::freed());
            }
        }
    }

    /// The distinct counts of cell `ci` once freed.
    pub(super) fn done(&self, ci: usize) -> Option<(u64, u64)> {
        self.done.get(ci).copied().flatten()
    }

    /// What a segment of group `g` does before its pieces are added: the cells of buckets
    /// before `bucket` (the start of its clipped start's bucket) are completed, and its user
    /// and channel (`(key, hash)` each, when counted) join the group's totals.
    ///
    /// Not inlined, as the other calls of this mode: the mergeable mode's hot path stays as
    /// small as without it.
    #[inline(never)]
    pub(super) fn before_pieces(
        &mut self,
        bucket: i64,
        sets: &mut [DistinctPair],
        g: usize,
        user: Option<(u64, u64)>,
        channel: Option<(u64, u64)>,
    ) {
        self.complete_before(bucket, sets);
        if let Some((u, c)) = self.totals.get_mut(g) {
            if let Some((key, hash)) = user {
                u.insert(key, hash);
            }
            if let Some((key, hash)) = channel {
                c.insert(key, hash);
            }
        }
    }

    /// Group `g`'s total counts (users, channels).
    pub(super) fn total_counts(&self, g: usize) -> Option<(u64, u64)> {
        self.totals.get(g).map(|(u, c)| (u.count(), c.count()))
    }

    /// The 64-bit words the groups' total sets hold (bitset words and sparse keys).
    #[cfg(test)]
    pub(super) fn total_words(&self) -> usize {
        self.totals
            .iter()
            .map(|(u, c)| u.words().saturating_add(c.words()))
            .sum()
    }

    /// An activity `[s, e)` of group `g`: a segment (`streams`), its channel `channel` and,
    /// for a subscription, its relation `relation`.
    #[inline(never)]
    pub(super) fn start(
        &mut self,
        g: usize,
        (s, e): (i64, i64),
        b: &Buckets,
        streams: bool,
        channel: Option<u64>,
        relation: Option<super::RelKey>,
    ) -> Result<()> {
        let span = self.span;
        let gs = self
            .sweeps
            .get_mut(g)
            .ok_or_else(|| Error::overflow("groups"))?;
        if streams {
            gs.streams.start(0, s, e, b, span);
        }
        if let Some(ch) = channel {
            gs.channels.start(ch, s, e, b, span);
        }
        if let Some(rel) = relation {
            gs.relations.start(rel, s, e, b, span);
        }
        Ok(())
    }

    /// Group `g`'s peak channels, communications and streams in the buckets starting at
    /// `starts` (in order), swept to the end on a copy (the aggregator stays usable).
    pub(super) fn peaks(&self, g: usize, starts: &[i64], b: &Buckets) -> [Vec<u64>; 3] {
        let Some(gs) = self.sweeps.get(g) else {
            return Default::default();
        };
        let span = self.span;
        let per_start = |list: Vec<(i64, u64)>| -> Vec<u64> {
            starts
                .iter()
                .map(|&t| {
                    let bucket = b.index_of(t);
                    list.binary_search_by_key(&bucket, |p| p.0)
                        .ok()
                        .and_then(|i| list.get(i))
                        .map_or(0, |p| p.1)
                })
                .collect()
        };
        [
            per_start(gs.channels.clone().finished(b, span)),
            per_start(gs.relations.clone().finished(b, span)),
            per_start(gs.streams.clone().finished(b, span)),
        ]
    }
}
