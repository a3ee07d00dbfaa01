//! Answering a [`UsageQuery`] from a [`SegmentTable`]: one pass over the columns per thread
//! into a [`Partial`], partials merged exactly, then the report.
//!
//! The result is the report of [`Aggregator`](crate::Aggregator) over the same segments; only
//! the representation of the work differs:
//!
//! * groups: when the product of the split dimensions' dictionary sizes is small, a row's
//!   group is one multiply-add per dimension and one array load, else a hash probe;
//! * cells: when groups × buckets is small, a cell is found by one array load (a dense grid of
//!   cell numbers), else by a hash probe;
//! * exact distinct counts: when every cell's set of ids fits in a bitset within a memory
//!   budget, one bit per (cell, id), unions by `or`; otherwise the (cell, id) pairs are radix
//!   sorted and deduplicated once;
//! * stream peaks: when groups × seconds of the range is small, a per-second difference array
//!   (a counting sort of the open/close events), else sorted events; either way swept by
//!   [`crate::intervals::sweep`];
//! * every array indexed by groups, cells, seconds or bitset words is bounded by
//!   [`Limits::slots_per_row`] slots per row as well as by its own limit, so a report costs in
//!   proportion to its rows and the buckets they touch, never to the span between them;
//! * channel and communication peaks: the activity stretches of each key, radix sorted and
//!   coalesced once, then swept.

use std::ops::Range;

use mediameter_core::{Buckets, MediaSpec, MinutePolicy};

use super::{NONE, SUB, SegmentTable};
use crate::error::{Error, Result};
use crate::hash::{FastMap, combine, stable_hash};
use crate::hll::Hll;
use crate::query::{Dimension, DistinctMode, IdScope, UsageQuery};
use crate::radix::{ordered, sort_by_key};
use crate::report::{
    CellFigures, Events, GroupFigures, UsageReport, assemble, group_rows, labelled,
};
use crate::spec_table::PerSpec;
use crate::state::{GroupKey, group_key_of};
use crate::threads::on_threads;

/// The sizes up to which a report uses dense arrays, and the rows per thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Largest product of split-dimension sizes indexed by an array.
    pub(crate) dense_groups: u64,
    /// Largest grid of groups × buckets indexed by an array (`u32` per slot, per thread).
    pub(crate) dense_slots: u64,
    /// Largest scratch bitset (in words) over the dense keys of one kind of id.
    pub(crate) bitset_words: u64,
    /// Largest total of the bitsets kept per cell during a pass (in words, per kind of id,
    /// per thread); beyond it each cell lists its ids instead.
    pub(crate) cell_bits_words: u64,
    /// Largest per-second difference array, over all groups, per thread.
    pub(crate) diff_slots: u64,
    /// Most slots per row of any array indexed by something other than a row (groups,
    /// cells of groups × buckets, seconds, bitset words): beyond it a report takes the hashed
    /// or sorted path instead, so that a handful of segments spread over months or years costs
    /// what they are, not the buckets or seconds between them.
    pub(crate) slots_per_row: u64,
    /// Rows below which a report stays on one thread.
    pub(crate) rows_per_thread: usize,
}

impl Limits {
    /// 256 Ki groups; 16 MiB of cell slots, 64 MiB of bitsets per kind and 64 MiB of
    /// difference array per thread; 16 Ki rows per thread. 64 slots per row: sweeping a slot
    /// costs about a nanosecond, sorting a row's two events some tens, so an array only pays
    /// while it has a few dozen slots per row.
    pub(crate) const DEFAULT: Limits = Limits {
        dense_groups: 1 << 18,
        dense_slots: 1 << 22,
        bitset_words: 1 << 23,
        cell_bits_words: 1 << 17,
        diff_slots: 1 << 23,
        slots_per_row: 64,
        rows_per_thread: 1 << 14,
    };
}

/// A group key: the value id of each dimension in [`Dimension::ALL`] order (0 when not split;
/// [`NONE`] for an absent optional value; the spec's index; 1 for subscribe).
type Key = [u32; 7];

/// What a report computes and how, decided once.
struct Plan<'a> {
    t: &'a SegmentTable,
    query: &'a UsageQuery,
    buckets: Buckets,
    clip: Option<(i64, i64)>,
    max_segment: u64,
    filters: Filters,
    split: [bool; 7],
    /// Strides of the dense group index per dimension (0 when not split), and its size.
    strides: Option<([u64; 7], u64)>,
    /// Bucket index of the first row's bucket and the number of buckets spanned.
    b0: i64,
    nb: u64,
    /// Start of bucket `b0` (at or before every clipped row start), and the bucket width.
    base: i64,
    width: i64,
    /// The split dimensions' sources, strides and index of an absent value (dense groups).
    sources: Vec<(Source, u64, u32)>,
    dense_cells: bool,
    /// Whether the query splits by spec (a cell then has one spec).
    spec_split: bool,
    global: bool,
    distinct: DistinctPlan,
    /// Which distinct counts are asked for (the other's accumulator is off).
    users: bool,
    channels: bool,
    peaks: bool,
    streams: StreamPlan,
}

enum DistinctPlan {
    Off,
    /// Dense keys listed per cell, counted with scratch bitsets of `users` and `channels`
    /// words.
    Lists {
        users: usize,
        channels: usize,
    },
    /// A bitset of `users` and `channels` words per cell, over dense keys: when the cells'
    /// bitsets together fit in a core's cache (few cells, few ids), or take a quarter of the
    /// memory of lists or less (many rows). In a set of bitsets larger than the cache every
    /// insertion is a cache miss, where a list takes an append at a place in cache.
    Bits {
        users: usize,
        channels: usize,
    },
    /// (cell, key) pairs, radix sorted and deduplicated.
    Pairs,
    Sketch {
        precision: u8,
        apps: Vec<u64>,
        users: Vec<u64>,
        channels: Vec<u64>,
        global_app: u64,
    },
}

#[derive(Clone, Copy)]
enum StreamPlan {
    Off,
    /// A difference array over the seconds `lo ..= lo + len - 1` per group.
    Diff {
        lo: i64,
        len: usize,
    },
    Events,
}

/// Where a split dimension's value comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    App,
    Dim(usize),
    Spec,
    Role,
}

/// The query's filters as tables over the dictionaries' ids.
#[derive(Default)]
struct Filters {
    any: bool,
    /// Whether each kind byte (spec index, plus [`SUB`] for a subscription) passes the spec
    /// and role filters.
    kind: Option<[bool; 16]>,
    app: Option<Vec<bool>>,
    /// The filtered optional dimensions: column index and accepted ids.
    dims: Vec<(usize, Vec<bool>)>,
}

#[inline]
fn idx(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

#[inline]
fn allowed(f: Option<&Vec<bool>>, v: u32) -> bool {
    f.is_none_or(|f| f.get(idx(v)).copied().unwrap_or(false))
}

/// Which kind bytes (spec index, plus [`SUB`] for a subscription) pass the query's spec and
/// role filters; `None` when it has neither.
pub(crate) fn kind_filter(query: &UsageQuery) -> Option<[bool; 16]> {
    let mut kinds: Option<[bool; 16]> = None;
    for dim in [Dimension::Spec, Dimension::Role] {
        let Some(set) = query.filter(dim) else {
            continue;
        };
        let kinds = kinds.get_or_insert([true; 16]);
        for (k, ok) in (0_u8..).zip(kinds.iter_mut()) {
            let value = if dim == Dimension::Role {
                Some(if k & SUB != 0 { "sub" } else { "pub" })
            } else {
                MediaSpec::ALL
                    .get(usize::from(k & !SUB))
                    .map(|s| s.as_str())
            };
            *ok = *ok && value.is_some_and(|v| set.contains(v));
        }
    }
    kinds
}

impl<'a> Plan<'a> {
    fn new(t: &'a SegmentTable, query: &'a UsageQuery, limits: Limits) -> Result<Self> {
        query.check()?;
        let buckets = query.buckets();
        let clip = query
            .range()
            .map(|r| (r.start().timestamp(), r.end().timestamp()));
        let mut filters = Filters::default();
        let by_name = |d: &super::Dict, set: &std::collections::BTreeSet<String>| -> Vec<bool> {
            d.names().map(|n| set.contains(n)).collect()
        };
        for dim in Dimension::ALL {
            let Some(set) = query.filter(dim) else {
                continue;
            };
            filters.any = true;
            match dim {
                Dimension::App => filters.app = Some(by_name(&t.apps, set)),
                Dimension::Spec | Dimension::Role => filters.kind = kind_filter(query),
                other => {
                    let k = other.index().saturating_sub(1);
                    if let Some(d) = t.dims.get(k) {
                        filters.dims.push((k, by_name(d, set)));
                    }
                }
            }
        }
        let mut split = [false; 7];
        for d in query.split_by() {
            if let Some(s) = split.get_mut(d.index()) {
                *s = true;
            }
        }
        // Sizes of the split dimensions: absent optional values take the last index.
        let size = |i: usize| -> u64 {
            let n = |d: &super::Dict| u64::try_from(d.len()).unwrap_or(u64::MAX);
            match i {
                0 => n(&t.apps).max(1),
                5 => 6,
                6 => 2,
                k => t
                    .dims
                    .get(k.saturating_sub(1))
                    .map_or(1, |d| n(d).saturating_add(1)),
            }
        };
        let mut strides = [0_u64; 7];
        let mut total: Option<u64> = Some(1);
        for (i, st) in strides.iter_mut().enumerate() {
            if split.get(i).copied().unwrap_or(false) {
                *st = total.unwrap_or(0);
                total = total.and_then(|t| t.checked_mul(size(i)));
            }
        }
        // Every array indexed by groups, cells or seconds is bounded by the rows as well as by
        // its limit: its cost is then a constant per row, whatever the span they cover.
        let rows = u64::try_from(t.len()).unwrap_or(u64::MAX);
        let per_rows = rows.max(1).saturating_mul(limits.slots_per_row);
        let strides = total
            .filter(|&n| n <= limits.dense_groups && n <= per_rows)
            .map(|n| (strides, n));
        let (lo, hi) = match (t.bounds, clip) {
            (Some((a, b)), Some((c, d))) => (a.max(c), b.min(d)),
            (Some(b), None) => b,
            (None, _) => (0, 0),
        };
        let (b0, nb) = if lo < hi {
            let b0 = buckets.index_of(lo);
            let b1 = buckets.index_of(hi.saturating_sub(1));
            (
                b0,
                u64::try_from(b1.saturating_sub(b0)).map_or(0, |n| n.saturating_add(1)),
            )
        } else {
            (0, 0)
        };
        let groups_bound = strides.map(|(_, n)| n);
        let dense_cells = groups_bound.is_some_and(|g| {
            let slots = g.saturating_mul(nb);
            slots <= limits.dense_slots && slots <= per_rows
        });
        let global = query.id_scope() == IdScope::Global;
        let metrics = query.metrics();
        let distinct = if !metrics.distinct() {
            DistinctPlan::Off
        } else {
            match query.distinct() {
                DistinctMode::Approximate { precision } => {
                    let hashes = |d: &super::Dict| -> Vec<u64> {
                        d.names().map(|n| stable_hash(&[n.as_bytes()])).collect()
                    };
                    DistinctPlan::Sketch {
                        precision,
                        apps: hashes(&t.apps),
                        users: hashes(&t.users),
                        channels: hashes(&t.channels),
                        global_app: stable_hash(&[b""]),
                    }
                }
                DistinctMode::Exact => {
                    let words = |ids: usize| -> Option<u64> {
                        let ids = u64::try_from(ids).ok()?;
                        let keys = if global {
                            ids
                        } else {
                            ids.checked_mul(u64::try_from(t.apps.len()).ok()?)?
                        };
                        Some(keys.div_ceil(64).max(1))
                    };
                    let fits = |w: Option<u64>| {
                        w.is_some_and(|n| n <= limits.bitset_words && n <= per_rows)
                    };
                    let (wu, wc) = (words(t.users.len()), words(t.channels.len()));
                    let cells = groups_bound.map(|g| g.saturating_mul(nb));
                    // Bitsets per cell while they stay in a core's cache, or while lists would
                    // take more than four times their memory (a 4-byte key per row at least:
                    // a word per two rows), so that lists never add more than the table's own
                    // user column.
                    let per_cell = |w: Option<u64>| {
                        w.zip(cells)
                            .and_then(|(w, c)| w.checked_mul(c))
                            .is_some_and(|n| {
                                n <= per_rows
                                    && (n <= limits.cell_bits_words
                                        || (n <= limits.bitset_words && n <= rows / 8))
                            })
                    };
                    // A count not asked for is not kept: only the other's size matters.
                    let (wu, wc) = (
                        if metrics.users { wu } else { Some(1) },
                        if metrics.channels { wc } else { Some(1) },
                    );
                    match (wu, wc) {
                        (Some(u), Some(c)) if per_cell(wu) && per_cell(wc) => DistinctPlan::Bits {
                            users: usize::try_from(u).unwrap_or(0),
                            channels: usize::try_from(c).unwrap_or(0),
                        },
                        (Some(u), Some(c)) if fits(wu) && fits(wc) => DistinctPlan::Lists {
                            users: usize::try_from(u).unwrap_or(0),
                            channels: usize::try_from(c).unwrap_or(0),
                        },
                        _ => DistinctPlan::Pairs,
                    }
                }
            }
        };
        let streams = if !metrics.stream_peaks {
            StreamPlan::Off
        } else {
            let len = u64::try_from(hi.saturating_sub(lo))
                .ok()
                .map(|n| n.saturating_add(1));
            match (len, groups_bound) {
                // 32-bit counts: a slot's value is at most the rows in magnitude.
                (Some(len), Some(g))
                    if lo < hi
                        && g.saturating_mul(len) <= limits.diff_slots
                        && g.saturating_mul(len) <= per_rows
                        && i32::try_from(t.len()).is_ok() =>
                {
                    StreamPlan::Diff {
                        lo,
                        len: usize::try_from(len).unwrap_or(0),
                    }
                }
                _ => StreamPlan::Events,
            }
        };
        let mut sources = Vec::new();
        if let Some((st, _)) = &strides {
            for (i, &stride) in st.iter().enumerate() {
                if !split.get(i).copied().unwrap_or(false) {
                    continue;
                }
                let (src, none) = match i {
                    0 => (Source::App, 0),
                    5 => (Source::Spec, 0),
                    6 => (Source::Role, 0),
                    k => (
                        Source::Dim(k.saturating_sub(1)),
                        t.dims
                            .get(k.saturating_sub(1))
                            .map_or(0, |d| u32::try_from(d.len()).unwrap_or(0)),
                    ),
                };
                sources.push((src, stride, none));
            }
        }
        Ok(Plan {
            base: buckets.start_of_index(b0),
            width: i64::from(buckets.granularity().seconds()),
            sources,
            spec_split: split[5],
            t,
            query,
            buckets,
            clip,
            max_segment: query.max_segment_seconds(),
            filters,
            split,
            strides,
            b0,
            nb,
            dense_cells,
            global,
            distinct,
            users: metrics.users,
            channels: metrics.channels,
            peaks: metrics.peaks,
            streams,
        })
    }

    #[inline]
    fn accepts(&self, i: usize, kind: u8) -> bool {
        let f = &self.filters;
        let t = self.t;
        if let Some(k) = &f.kind
            && !k.get(usize::from(kind)).copied().unwrap_or(false)
        {
            return false;
        }
        if !allowed(f.app.as_ref(), t.app.get(i).copied().unwrap_or(NONE)) {
            return false;
        }
        f.dims.iter().all(|(k, ok)| {
            let v = t.dim.get(*k).map_or(NONE, |col| col.get(i));
            ok.get(idx(v)).copied().unwrap_or(false)
        })
    }

    /// The group key of row `i`.
    #[inline]
    fn key(&self, i: usize, app: u32, kind: u8) -> Key {
        let mut key = [0_u32; 7];
        let t = self.t;
        if self.split[0] {
            key[0] = app;
        }
        for ((k, col), on) in key
            .iter_mut()
            .skip(1)
            .zip(t.dim.iter())
            .zip(self.split.iter().skip(1))
        {
            if *on {
                *k = col.get(i);
            }
        }
        if self.split[5] {
            key[5] = u32::from(kind & !SUB);
        }
        if self.split[6] {
            key[6] = u32::from(kind & SUB != 0);
        }
        key
    }

    /// The dense index of a group key (with `strides`).
    #[inline]
    fn composite(&self, key: &Key, strides: &[u64; 7]) -> u64 {
        let mut c = 0_u64;
        for (i, (&v, &st)) in key.iter().zip(strides).enumerate() {
            if st == 0 {
                continue;
            }
            let v = if v == NONE {
                // Absent optional value: the last index of the dimension.
                match i {
                    1..=4 => self
                        .t
                        .dims
                        .get(i.saturating_sub(1))
                        .map_or(0, |d| u64::try_from(d.len()).unwrap_or(0)),
                    _ => 0,
                }
            } else {
                u64::from(v)
            };
            c = c.saturating_add(v.saturating_mul(st));
        }
        c
    }

    /// The dense group index of row `i` (with dense groups).
    #[inline]
    fn composite_row(&self, i: usize, app: u32, kind: u8) -> u64 {
        let mut c = 0_u64;
        for &(src, stride, none) in &self.sources {
            let v = match src {
                Source::App => app,
                Source::Dim(k) => {
                    let v = self.t.dim.get(k).map_or(NONE, |col| col.get(i));
                    if v == NONE { none } else { v }
                }
                Source::Spec => u32::from(kind & !SUB),
                Source::Role => u32::from(kind & SUB != 0),
            };
            c = c.wrapping_add(u64::from(v).wrapping_mul(stride));
        }
        c
    }

    fn group_key(&self, key: &Key) -> GroupKey {
        let t = self.t;
        group_key_of(self.query.split_by(), key, |d, v| {
            let dict = match d {
                Dimension::App => Some(&t.apps),
                other => t.dims.get(other.index().saturating_sub(1)),
            };
            dict.and_then(|n| n.name(v)).map(str::to_owned)
        })
    }
}

/// Durations of one spec in one cell: publish seconds, subscribe seconds and Σ ⌈subscribe
/// piece seconds / 60⌉, side by side so that a piece touches one place. A cell has one per
/// spec, or a single one when the query splits by spec (every piece of its group has the
/// group's spec): a fraction of the memory, so the cells of a large grid stay in cache.
type Acc = [u64; 3];

/// Distinct ids per cell.
enum Dist {
    Off,
    /// The dense keys of each cell's pieces (repeats included), and the words of a bitset
    /// over every key.
    Lists {
        words: usize,
        lists: Vec<Vec<u32>>,
    },
    /// A bitset of `words` words per cell, and insertions not yet made: `(cell, key)`.
    Bits {
        words: usize,
        sets: Vec<Vec<u64>>,
        pending: Vec<(usize, u64)>,
    },
    Pairs(Vec<(u32, u64)>),
    Sketch(Vec<Hll>),
}

/// The nonzero entries of the per-second difference array `d` from instant `lo`, as
/// `(instant, change)` events in order: what [`crate::intervals::peaks_of_sorted`] sweeps.
fn diff_events(d: &[i32], lo: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
    (lo..)
        .zip(d)
        .filter(|&(_, &v)| v != 0)
        .map(|(t, &v)| (t, i64::from(v)))
}

/// Changes of [`Streams::Diff`] made together.
const PENDING_DIFFS: usize = 1024;

/// Adds 1 at each pending start and −1 at each pending end, and empties `pending`.
fn apply_diffs(per_group: &mut [Vec<i32>], pending: &mut Vec<(usize, usize, usize)>) {
    for &(g, s, e) in pending.iter() {
        if let Some(d) = per_group.get_mut(g) {
            if let Some(v) = d.get_mut(s) {
                *v = v.saturating_add(1);
            }
            if let Some(v) = d.get_mut(e) {
                *v = v.saturating_sub(1);
            }
        }
    }
    pending.clear();
}

/// Bit insertions of [`Dist::Bits`] made together.
const PENDING_BITS: usize = 1024;

/// Sets bit `key` of `sets[cell]` for each pending `(cell, key)`, and empties `pending`.
fn set_bits(sets: &mut [Vec<u64>], pending: &mut Vec<(usize, u64)>) {
    for &(cell, key) in pending.iter() {
        if let (Some(set), Ok(w)) = (sets.get_mut(cell), usize::try_from(key >> 6))
            && let Some(word) = set.get_mut(w)
        {
            *word |= 1 << (key & 63);
        }
    }
    pending.clear();
}

impl Dist {
    // Called twice per piece in the hot loop: inlined, its match folds into the loop's.
    #[inline(always)]
    fn insert(&mut self, cell: usize, key: u64, hash: u64) {
        match self {
            Dist::Off => {}
            Dist::Bits { sets, pending, .. } => {
                // Made by batches: a loop of nothing but bit sets keeps many of their cache
                // misses in flight (one per piece, in the pass, would each stall it).
                pending.push((cell, key));
                if pending.len() >= PENDING_BITS {
                    set_bits(sets, pending);
                }
            }
            Dist::Lists { lists, .. } => {
                if let Some(l) = lists.get_mut(cell) {
                    l.push(u32::try_from(key).unwrap_or(NONE));
                }
            }
            Dist::Pairs(v) => v.push((u32::try_from(cell).unwrap_or(NONE), key)),
            Dist::Sketch(v) => {
                if let Some(h) = v.get_mut(cell) {
                    h.insert_hash(hash);
                }
            }
        }
    }

    /// Makes the insertions not yet made (the pass calls it once done).
    fn flush(&mut self) {
        if let Dist::Bits { sets, pending, .. } = self {
            set_bits(sets, pending);
        }
    }

    fn new_cell(&mut self, precision: u8) -> Result<()> {
        match self {
            Dist::Off | Dist::Pairs(_) => {}
            Dist::Lists { lists, .. } => lists.push(Vec::new()),
            Dist::Bits { words, sets, .. } => sets.push(vec![0; *words]),
            Dist::Sketch(v) => v.push(Hll::new(precision)?),
        }
        Ok(())
    }
}

/// Open/close events of streams per group.
enum Streams {
    Off,
    /// A per-second difference array per group (from instant `lo`, `len` seconds), and the
    /// changes not yet made: `(group, start offset, end offset)`.
    Diff {
        lo: i64,
        len: usize,
        per_group: Vec<Vec<i32>>,
        pending: Vec<(usize, usize, usize)>,
    },
    Events(Vec<Events>),
}

/// The result of a pass over some rows, with its own group and cell numbering.
struct Partial {
    groups: Vec<Key>,
    by_composite: Vec<u32>,
    by_key: FastMap<Key, u32>,
    /// Dense grid: `group × nb + (bucket index − b0)` → cell.
    slots: Vec<u32>,
    cell_map: FastMap<(u32, i64), u32>,
    /// [`Plan::stride`] accumulators per cell.
    accs: Vec<Acc>,
    /// Number of cells.
    cells: usize,
    /// `(group, bucket index)` of each cell.
    cell_keys: Vec<(u32, i64)>,
    segments: u64,
    users: Dist,
    channels: Dist,
    precision: u8,
    spec_split: bool,
    streams: Streams,
    /// `(group, scope × channels + channel, start, end)` (scope: the app, or 0 when global).
    chan: Vec<(u32, u64, i64, i64)>,
    /// `(group, channel key, publisher × users + subscriber, start, end)`, an unnamed publisher
    /// counting as the id `users`.
    rel: Vec<(u32, u64, u64, i64, i64)>,
}

impl Partial {
    fn new(plan: &Plan<'_>) -> Self {
        let (users, channels, precision) = match &plan.distinct {
            DistinctPlan::Off => (Dist::Off, Dist::Off, 0),
            DistinctPlan::Bits { users, channels } => (
                Dist::Bits {
                    words: *users,
                    sets: Vec::new(),
                    pending: Vec::with_capacity(PENDING_BITS),
                },
                Dist::Bits {
                    words: *channels,
                    sets: Vec::new(),
                    pending: Vec::with_capacity(PENDING_BITS),
                },
                0,
            ),
            DistinctPlan::Lists { users, channels } => (
                Dist::Lists {
                    words: *users,
                    lists: Vec::new(),
                },
                Dist::Lists {
                    words: *channels,
                    lists: Vec::new(),
                },
                0,
            ),
            DistinctPlan::Pairs => (Dist::Pairs(Vec::new()), Dist::Pairs(Vec::new()), 0),
            DistinctPlan::Sketch { precision, .. } => (
                Dist::Sketch(Vec::new()),
                Dist::Sketch(Vec::new()),
                *precision,
            ),
        };
        let users = if plan.users { users } else { Dist::Off };
        let channels = if plan.channels { channels } else { Dist::Off };
        let streams = match plan.streams {
            StreamPlan::Off => Streams::Off,
            StreamPlan::Diff { lo, len } => Streams::Diff {
                lo,
                len,
                per_group: Vec::new(),
                pending: Vec::with_capacity(PENDING_DIFFS),
            },
            StreamPlan::Events => Streams::Events(Vec::new()),
        };
        Partial {
            groups: Vec::new(),
            by_composite: match plan.strides {
                Some((_, n)) => vec![NONE; usize::try_from(n).unwrap_or(0)],
                None => Vec::new(),
            },
            by_key: FastMap::default(),
            slots: Vec::new(),
            cell_map: FastMap::default(),
            accs: Vec::new(),
            cells: 0,
            cell_keys: Vec::new(),
            segments: 0,
            users,
            channels,
            precision,
            spec_split: plan.spec_split,
            streams,
            chan: Vec::new(),
            rel: Vec::new(),
        }
    }

    /// The group of `key`, created when new.
    #[inline]
    fn group(&mut self, plan: &Plan<'_>, key: &Key) -> Result<u32> {
        let dense = plan.strides.as_ref().map(|(st, _)| plan.composite(key, st));
        if let Some(c) = dense
            && let Some(&g) = self.by_composite.get(idx_u64(c))
            && g != NONE
        {
            return Ok(g);
        }
        if dense.is_none()
            && let Some(&g) = self.by_key.get(key)
        {
            return Ok(g);
        }
        self.new_group(*key, dense)
    }

    /// The group of row `i` whose dense index is `c`, created when new.
    #[inline]
    fn group_of_row(
        &mut self,
        plan: &Plan<'_>,
        c: u64,
        i: usize,
        app: u32,
        kind: u8,
    ) -> Result<u32> {
        match self.by_composite.get(idx_u64(c)) {
            Some(&g) if g != NONE => Ok(g),
            _ => self.new_group(plan.key(i, app, kind), Some(c)),
        }
    }

    #[cold]
    fn new_group(&mut self, key: Key, dense: Option<u64>) -> Result<u32> {
        if let Some(&g) = self.by_key.get(&key) {
            return Ok(g);
        }
        let g = u32::try_from(self.groups.len())
            .ok()
            .filter(|&g| g != NONE)
            .ok_or_else(|| Error::overflow("groups"))?;
        self.groups.push(key);
        self.by_key.insert(key, g);
        if let Some(slot) = dense.and_then(|c| self.by_composite.get_mut(idx_u64(c))) {
            *slot = g;
        }
        if let Streams::Events(v) = &mut self.streams {
            v.push(Vec::new());
        }
        if let Streams::Diff { per_group, .. } = &mut self.streams {
            per_group.push(Vec::new());
        }
        Ok(g)
    }

    /// The cell of `(group, bucket b0 + off)`, created when new.
    #[inline]
    fn cell_at(&mut self, plan: &Plan<'_>, group: u32, off: i64) -> Result<usize> {
        if plan.dense_cells
            && let Ok(o) = u64::try_from(off)
            && o < plan.nb
        {
            let slot = idx_u64(u64::from(group).wrapping_mul(plan.nb).wrapping_add(o));
            if let Some(&c) = self.slots.get(slot)
                && c != NONE
            {
                return Ok(idx(c));
            }
        }
        self.cell(plan, group, plan.b0.saturating_add(off))
    }

    /// The cell of `(group, bucket index)`, created when new.
    #[inline]
    fn cell(&mut self, plan: &Plan<'_>, group: u32, bucket: i64) -> Result<usize> {
        let slot = if plan.dense_cells {
            let off = u64::try_from(bucket.saturating_sub(plan.b0)).ok();
            off.filter(|&o| o < plan.nb)
                .map(|o| u64::from(group).saturating_mul(plan.nb).saturating_add(o))
                .map(idx_u64)
        } else {
            None
        };
        let found = match slot {
            Some(s) => self.slots.get(s).copied().filter(|&c| c != NONE),
            None => self.cell_map.get(&(group, bucket)).copied(),
        };
        if let Some(c) = found {
            return Ok(idx(c));
        }
        self.new_cell(group, bucket, slot)
    }

    #[cold]
    fn new_cell(&mut self, group: u32, bucket: i64, slot: Option<usize>) -> Result<usize> {
        let at = self.cells;
        let c = u32::try_from(at)
            .ok()
            .filter(|&c| c != NONE)
            .ok_or_else(|| Error::overflow("cells"))?;
        match slot {
            Some(s) => {
                if self.slots.len() <= s {
                    self.slots.resize(s.saturating_add(1), NONE);
                }
                if let Some(x) = self.slots.get_mut(s) {
                    *x = c;
                }
            }
            None => {
                self.cell_map.insert((group, bucket), c);
            }
        }
        self.cells = self.cells.saturating_add(1);
        self.accs.resize(
            self.accs.len().saturating_add(plan_stride(self.spec_split)),
            [0; 3],
        );
        self.cell_keys.push((group, bucket));
        self.users.new_cell(self.precision)?;
        self.channels.new_cell(self.precision)?;
        Ok(at)
    }
}

#[cfg(test)]
impl Partial {
    /// Slots of the arrays that are indexed by something other than a row (groups, cells of
    /// groups × buckets, seconds, bitset words): what a pass allocated beyond its rows.
    fn footprint(&self) -> usize {
        let dist = |d: &Dist| match d {
            Dist::Bits { sets, .. } => sets.iter().map(Vec::len).sum(),
            _ => 0,
        };
        let diffs = match &self.streams {
            Streams::Diff { per_group, .. } => per_group.iter().map(Vec::len).sum(),
            _ => 0,
        };
        [
            self.by_composite.len(),
            self.slots.len(),
            diffs,
            dist(&self.users),
            dist(&self.channels),
        ]
        .into_iter()
        .fold(0, usize::saturating_add)
    }
}

/// Accumulators per cell: one when the query splits by spec, else one per spec.
#[inline]
const fn plan_stride(spec_split: bool) -> usize {
    if spec_split { 1 } else { 6 }
}

#[inline]
fn idx_u64(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// One pass over `rows`, with the bucket width a constant for hours and days (a division by a
/// constant is a multiplication).
///
/// With `shard = Some((k, n))`, only the rows of the groups whose dense index is `k` modulo
/// `n` are aggregated (every row is still checked, so every shard finds the same first error).
fn pass(plan: &Plan<'_>, rows: Range<usize>, shard: Option<(u64, u64)>) -> Result<Partial> {
    match plan.width {
        3600 => pass_width::<3600>(plan, rows, shard),
        86_400 => pass_width::<86_400>(plan, rows, shard),
        _ => pass_width::<0>(plan, rows, shard),
    }
}

/// [`pass`] for buckets of `W` seconds (`0`: the plan's width).
fn pass_width<const W: i64>(
    plan: &Plan<'_>,
    rows: Range<usize>,
    shard: Option<(u64, u64)>,
) -> Result<Partial> {
    let width = if W > 0 { W } else { plan.width };
    let stride = plan_stride(plan.spec_split);
    let base = plan.base;
    let n_channels = u64::try_from(plan.t.channels.len()).unwrap_or(u64::MAX);
    let n_users = u64::try_from(plan.t.users.len()).unwrap_or(u64::MAX);
    let t = plan.t;
    let mut p = Partial::new(plan);
    let want_ids = !matches!(plan.distinct, DistinctPlan::Off) || plan.peaks;
    for i in rows {
        let (Some(&kind), Some(&s0), Some(&e0)) = (t.kind.get(i), t.start.get(i), t.end.get(i))
        else {
            break;
        };
        if plan.filters.any && !plan.accepts(i, kind) {
            continue;
        }
        let (mut s, mut e) = (s0, e0);
        if let Some((lo, hi)) = plan.clip {
            s = s.max(lo);
            e = e.min(hi);
            if s >= e {
                continue;
            }
        }
        if u64::try_from(e.saturating_sub(s)).unwrap_or(u64::MAX) > plan.max_segment {
            let line = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
            return Err(Error::segment_too_long(
                line,
                e.saturating_sub(s),
                plan.max_segment,
            ));
        }
        let app = t.app.get(i).copied().unwrap_or(0);
        let group = if plan.strides.is_some() {
            let c = plan.composite_row(i, app, kind);
            if let Some((k, n)) = shard
                && c.checked_rem(n) != Some(k)
            {
                continue;
            }
            p.group_of_row(plan, c, i, app, kind)?
        } else {
            p.group(plan, &plan.key(i, app, kind))?
        };
        let role = usize::from(kind & SUB != 0);
        let spec = usize::from(kind & !SUB);
        let spec_slot = if plan.spec_split { 0 } else { spec };
        let (user, channel) = if want_ids {
            (
                t.user.get(i).copied().unwrap_or(0),
                t.channel.get(i).copied().unwrap_or(0),
            )
        } else {
            (0, 0)
        };
        let scope = if plan.global { 0 } else { app };
        let (ukey, ckey, uhash, chash) = match &plan.distinct {
            DistinctPlan::Off => (0, 0, 0, 0),
            DistinctPlan::Lists { .. } | DistinctPlan::Bits { .. } => {
                let (nu, nc) = (
                    u64::try_from(t.users.len()).unwrap_or(0),
                    u64::try_from(t.channels.len()).unwrap_or(0),
                );
                (
                    u64::from(scope)
                        .saturating_mul(nu)
                        .saturating_add(u64::from(user)),
                    u64::from(scope)
                        .saturating_mul(nc)
                        .saturating_add(u64::from(channel)),
                    0,
                    0,
                )
            }
            DistinctPlan::Pairs => (
                (u64::from(scope) << 32) | u64::from(user),
                (u64::from(scope) << 32) | u64::from(channel),
                0,
                0,
            ),
            DistinctPlan::Sketch {
                apps,
                users,
                channels,
                global_app,
                ..
            } => {
                let ah = if plan.global {
                    *global_app
                } else {
                    apps.get(idx(app)).copied().unwrap_or(0)
                };
                (
                    0,
                    0,
                    combine(ah, users.get(idx(user)).copied().unwrap_or(0)),
                    combine(ah, channels.get(idx(channel)).copied().unwrap_or(0)),
                )
            }
        };
        // Pieces: bucket offsets from b0 (every start is at or after `base`).
        let mut off = s.saturating_sub(base).checked_div(width).unwrap_or(0);
        let mut cur = s;
        loop {
            let bucket_end = base.saturating_add(off.saturating_add(1).saturating_mul(width));
            let stop = bucket_end.min(e);
            let secs = u64::try_from(stop.saturating_sub(cur)).unwrap_or(0);
            let ci = p.cell_at(plan, group, off)?;
            let slot = ci.wrapping_mul(stride).wrapping_add(spec_slot);
            if let Some(v) = p.accs.get_mut(slot) {
                if let Some(x) = v.get_mut(role) {
                    *x = x
                        .checked_add(secs)
                        .ok_or_else(|| Error::overflow("seconds"))?;
                }
                if role == 1 {
                    // Checked like the seconds above (see the aggregator's twin).
                    v[2] = v[2]
                        .checked_add(secs.div_ceil(60))
                        .ok_or_else(|| Error::overflow("billable minutes"))?;
                }
            }
            p.users.insert(ci, ukey, uhash);
            p.channels.insert(ci, ckey, chash);
            // Bounded: each piece ends at a later bucket boundary, and `e − s` was checked.
            if stop >= e || stop <= cur {
                break;
            }
            cur = stop;
            off = off.saturating_add(1);
        }
        match &mut p.streams {
            Streams::Off => {}
            Streams::Diff {
                lo,
                len,
                per_group,
                pending,
            } => {
                let g = idx(group);
                if let Some(d) = per_group.get_mut(g)
                    && d.is_empty()
                {
                    // Read before written: see `written`.
                    *d = crate::threads::written(*len, 0);
                }
                // The plan's range holds every clipped instant: the offsets exist.
                let at = |x: i64| usize::try_from(x.saturating_sub(*lo)).unwrap_or(usize::MAX);
                // Made by batches, as the bits of distinct sets (see `set_bits`): the array
                // of a week of seconds outgrows the caches.
                pending.push((g, at(s), at(e)));
                if pending.len() >= PENDING_DIFFS {
                    apply_diffs(per_group, pending);
                }
            }
            Streams::Events(v) => {
                if let Some(ev) = v.get_mut(idx(group)) {
                    ev.push((s, 1));
                    ev.push((e, -1));
                }
            }
        }
        if plan.peaks {
            // Dense keys (scope × ids + id): narrower words, fewer radix passes.
            let ck = u64::from(scope)
                .wrapping_mul(n_channels)
                .wrapping_add(u64::from(channel));
            p.chan.push((group, ck, s, e));
            if role == 1 {
                let publisher = t.publisher.get(i);
                p.rel.push((
                    group,
                    ck,
                    // An unnamed publisher is the id after the last user.
                    u64::from(publisher)
                        .min(n_users)
                        .wrapping_mul(n_users)
                        .wrapping_add(u64::from(user)),
                    s,
                    e,
                ));
            }
        }
        p.segments = p.segments.saturating_add(1);
    }
    if let Streams::Diff {
        per_group, pending, ..
    } = &mut p.streams
    {
        apply_diffs(per_group, pending);
    }
    p.users.flush();
    p.channels.flush();
    Ok(p)
}

/// Adds partial `o` into `p`.
fn merge(plan: &Plan<'_>, p: &mut Partial, o: Partial) -> Result<()> {
    let mut gmap = Vec::with_capacity(o.groups.len());
    for key in &o.groups {
        gmap.push(p.group(plan, key)?);
    }
    let g_of = |g: u32| gmap.get(idx(g)).copied().unwrap_or(NONE);
    let stride = plan_stride(plan.spec_split);
    let mut cmap = Vec::with_capacity(o.cells);
    for (accs, &(g, b)) in o.accs.chunks(stride).zip(&o.cell_keys) {
        let ci = p.cell(plan, g_of(g), b)?;
        let at = ci.saturating_mul(stride);
        let mine = p
            .accs
            .get_mut(at..at.saturating_add(stride))
            .ok_or_else(|| Error::overflow("cells"))?;
        for (a, b) in mine.iter_mut().zip(accs) {
            for (x, y) in a.iter_mut().zip(b) {
                *x = x
                    .checked_add(*y)
                    .ok_or_else(|| Error::overflow("seconds"))?;
            }
        }
        cmap.push(ci);
    }
    merge_dist(&mut p.users, o.users, &cmap)?;
    merge_dist(&mut p.channels, o.channels, &cmap)?;
    match (&mut p.streams, o.streams) {
        (
            Streams::Diff { per_group, .. },
            Streams::Diff {
                per_group: theirs, ..
            },
        ) => {
            for (g, d) in theirs.into_iter().enumerate() {
                let target = u32::try_from(g).ok().map(g_of).map(idx);
                let Some(mine) = target.and_then(|g| per_group.get_mut(g)) else {
                    continue;
                };
                if mine.is_empty() {
                    *mine = d;
                } else {
                    for (a, b) in mine.iter_mut().zip(d) {
                        *a = a.saturating_add(b);
                    }
                }
            }
        }
        (Streams::Events(mine), Streams::Events(theirs)) => {
            for (g, ev) in theirs.into_iter().enumerate() {
                let target = u32::try_from(g).ok().map(g_of).map(idx);
                if let Some(m) = target.and_then(|g| mine.get_mut(g)) {
                    m.extend(ev);
                }
            }
        }
        _ => {}
    }
    p.chan
        .extend(o.chan.into_iter().map(|(g, k, s, e)| (g_of(g), k, s, e)));
    p.rel.extend(
        o.rel
            .into_iter()
            .map(|(g, k, r, s, e)| (g_of(g), k, r, s, e)),
    );
    p.segments = p.segments.saturating_add(o.segments);
    Ok(())
}

fn merge_dist(mine: &mut Dist, theirs: Dist, cmap: &[usize]) -> Result<()> {
    match (mine, theirs) {
        (Dist::Bits { sets, .. }, Dist::Bits { sets: other, .. }) => {
            for (set, &ci) in other.into_iter().zip(cmap) {
                if let Some(m) = sets.get_mut(ci) {
                    for (a, b) in m.iter_mut().zip(set) {
                        *a |= b;
                    }
                }
            }
        }
        (Dist::Lists { lists, .. }, Dist::Lists { lists: other, .. }) => {
            for (list, &ci) in other.into_iter().zip(cmap) {
                if let Some(m) = lists.get_mut(ci) {
                    if m.is_empty() {
                        *m = list;
                    } else {
                        m.extend(list);
                    }
                }
            }
        }
        (Dist::Pairs(v), Dist::Pairs(other)) => {
            v.extend(other.into_iter().map(|(c, k)| {
                let c = cmap
                    .get(idx(c))
                    .and_then(|&c| u32::try_from(c).ok())
                    .unwrap_or(NONE);
                (c, k)
            }));
        }
        (Dist::Sketch(v), Dist::Sketch(other)) => {
            for (h, &ci) in other.iter().zip(cmap) {
                if let Some(m) = v.get_mut(ci) {
                    m.merge(h)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Distinct counts per cell and per group (`None`: not computed).
type Counts = (Vec<Option<u64>>, Vec<Option<u64>>);

/// Per-cell counts and per-group totals of a distinct accumulator.
fn distinct_counts(d: Dist, cell_group: &[u32], groups: usize) -> Result<Counts> {
    let cells = cell_group.len();
    let group_of = |c: usize| cell_group.get(c).copied().unwrap_or(NONE);
    match d {
        Dist::Off => Ok((vec![None; cells], vec![None; groups])),
        Dist::Bits { words, sets, .. } => {
            let per_cell = sets
                .iter()
                .map(|s| Some(s.iter().map(|w| u64::from(w.count_ones())).sum()))
                .collect();
            let mut unions: Vec<Vec<u64>> = vec![Vec::new(); groups];
            for (c, set) in sets.iter().enumerate() {
                if let Some(u) = unions.get_mut(idx(group_of(c))) {
                    if u.is_empty() {
                        u.resize(words, 0);
                    }
                    for (a, b) in u.iter_mut().zip(set) {
                        *a |= b;
                    }
                }
            }
            let totals = unions
                .iter()
                .map(|u| Some(u.iter().map(|w| u64::from(w.count_ones())).sum()))
                .collect();
            Ok((per_cell, totals))
        }
        Dist::Lists { words, lists } => {
            // Cells group by group; each cell's keys set in a scratch bitset (a new bit is a
            // new id) and in the group's, then cleared by the same keys.
            let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); groups];
            for c in 0..cells {
                if let Some(v) = by_group.get_mut(idx(group_of(c))) {
                    v.push(c);
                }
            }
            let mut cell_bits = vec![0_u64; words];
            let mut group_bits = vec![0_u64; words];
            let mut per_cell = vec![Some(0_u64); cells];
            let mut totals = vec![Some(0_u64); groups];
            let set = |bits: &mut [u64], k: u32| -> bool {
                let (w, m) = (idx(k >> 6), 1_u64 << (k & 63));
                match bits.get_mut(w) {
                    Some(x) if *x & m == 0 => {
                        *x |= m;
                        true
                    }
                    _ => false,
                }
            };
            let clear = |bits: &mut [u64], list: &[u32]| {
                for &k in list {
                    if let Some(x) = bits.get_mut(idx(k >> 6)) {
                        *x = 0;
                    }
                }
            };
            for (g, cs) in by_group.iter().enumerate() {
                let mut total = 0_u64;
                for &c in cs {
                    let list = lists.get(c).map_or(&[][..], Vec::as_slice);
                    let mut n = 0_u64;
                    for &k in list {
                        n = n.saturating_add(u64::from(set(&mut cell_bits, k)));
                        total = total.saturating_add(u64::from(set(&mut group_bits, k)));
                    }
                    clear(&mut cell_bits, list);
                    if let Some(slot) = per_cell.get_mut(c) {
                        *slot = Some(n);
                    }
                }
                for &c in cs {
                    clear(&mut group_bits, lists.get(c).map_or(&[][..], Vec::as_slice));
                }
                if let Some(slot) = totals.get_mut(g) {
                    *slot = Some(total);
                }
            }
            Ok((per_cell, totals))
        }
        Dist::Pairs(mut v) => {
            sort_by_key(&mut v, |&(c, k)| [u64::from(c), k]);
            v.dedup();
            let mut per_cell = vec![Some(0_u64); cells];
            for &(c, _) in &v {
                if let Some(Some(n)) = per_cell.get_mut(idx(c)) {
                    *n = n.saturating_add(1);
                }
            }
            let mut by_group: Vec<(u32, u64)> =
                v.into_iter().map(|(c, k)| (group_of(idx(c)), k)).collect();
            sort_by_key(&mut by_group, |&(g, k)| [u64::from(g), k]);
            by_group.dedup();
            let mut totals = vec![Some(0_u64); groups];
            for &(g, _) in &by_group {
                if let Some(Some(n)) = totals.get_mut(idx(g)) {
                    *n = n.saturating_add(1);
                }
            }
            Ok((per_cell, totals))
        }
        Dist::Sketch(v) => {
            let per_cell = v.iter().map(|h| Some(h.count())).collect();
            let mut unions: Vec<Option<Hll>> = vec![None; groups];
            for (c, h) in v.iter().enumerate() {
                if let Some(u) = unions.get_mut(idx(group_of(c))) {
                    match u {
                        Some(acc) => acc.merge(h)?,
                        None => *u = Some(h.clone()),
                    }
                }
            }
            let totals = unions.iter().map(|u| u.as_ref().map(Hll::count)).collect();
            Ok((per_cell, totals))
        }
    }
}

/// `(start, +1)`/`(end, −1)` events per group of the coalesced stretches of each key.
fn stretch_events<K: Copy + PartialEq>(
    mut v: Vec<(u32, K, i64, i64)>,
    groups: usize,
    sort: impl Fn(&mut Vec<(u32, K, i64, i64)>),
) -> Vec<Events> {
    sort(&mut v);
    let mut out: Vec<Events> = vec![Vec::new(); groups];
    let mut cur: Option<(u32, K, i64, i64)> = None;
    let flush = |x: (u32, K, i64, i64), out: &mut Vec<Events>| {
        if let Some(ev) = out.get_mut(idx(x.0)) {
            ev.push((x.2, 1));
            ev.push((x.3, -1));
        }
    };
    for x in v {
        match &mut cur {
            Some(c) if c.0 == x.0 && c.1 == x.1 && x.2 <= c.3 => c.3 = c.3.max(x.3),
            _ => {
                if let Some(c) = cur.replace(x) {
                    flush(c, &mut out);
                }
            }
        }
    }
    if let Some(c) = cur {
        flush(c, &mut out);
    }
    out
}

/// One half of a partial's figures: the counts of distinct accumulator `d` and, with `peaks`,
/// the activity events of `stretches` (sorted by `sort`), by group.
fn figures_half<K: Copy + PartialEq>(
    d: Dist,
    cell_group: &[u32],
    groups: usize,
    peaks: bool,
    stretches: Vec<(u32, K, i64, i64)>,
    sort: impl Fn(&mut Vec<(u32, K, i64, i64)>),
) -> Result<(Counts, Vec<Option<Events>>)> {
    let counts = distinct_counts(d, cell_group, groups)?;
    let events = if peaks {
        stretch_events(stretches, groups, sort)
            .into_iter()
            .map(Some)
            .collect()
    } else {
        vec![None; groups]
    };
    Ok((counts, events))
}

impl SegmentTable {
    /// The report of `query` over the rows: equal to the report of an
    /// [`Aggregator`](crate::Aggregator) fed the same segments in row order.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for an invalid approximate precision; [`Error::TooLarge`] at [`Error::line`] (the
    /// row's 1-based position) for a segment longer than the query's limit;
    /// [`Error::Overflow`] if a sum overflows.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// use mediameter_usage::{Dimension, SegmentTable, UsageQuery};
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(3000, 4200)?);
    /// let t = SegmentTable::from_segments([&s])?;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by([Dimension::Spec]);
    /// let r = t.report(&q, MinutePolicy::CeilPerPeriod)?;
    /// assert_eq!(r.rows.len(), 2);
    /// assert_eq!(r.rows[1].subscribe_seconds[MediaSpec::Audio], 600);
    /// assert_eq!(r.rows[1].peak_streams, Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report(&self, query: &UsageQuery, policy: MinutePolicy) -> Result<UsageReport> {
        self.report_parallel(query, policy, 1)
    }

    /// [`SegmentTable::report`] with the rows split between `threads` threads (at most 64,
    /// and one per 16,384 rows at least), their partial results merged exactly. The same
    /// report, including which error is returned (the first row's in table order).
    ///
    /// # Errors
    ///
    /// As [`SegmentTable::report`].
    ///
    /// ```
    /// # use mediameter_core::*;
    /// use mediameter_usage::{SegmentTable, UsageQuery, parse_csv};
    /// // 2,000 subscriptions over a day in 3 regions and 40 channels.
    /// let mut csv = String::from("app,channel,user,role,spec,region,start,end\n");
    /// for i in 0..2000_i64 {
    ///     let start = 1_710_000_000 + i * 41;
    ///     csv.push_str(&format!("a,c{},u{},sub,720p,r{},{start},{}\n", i % 40, i % 700, i % 3, start + 600 + i % 900));
    /// }
    /// let segs = parse_csv(&csv)?;
    /// let t = SegmentTable::from_segments(&segs)?;
    /// let q = UsageQuery::new(BillingZone::GMT8, Granularity::DAY);
    /// assert_eq!(t.report_parallel(&q, MinutePolicy::Exact, 2)?, t.report(&q, MinutePolicy::Exact)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report_parallel(
        &self,
        query: &UsageQuery,
        policy: MinutePolicy,
        threads: usize,
    ) -> Result<UsageReport> {
        self.report_with(query, policy, threads, Limits::DEFAULT)
    }

    /// [`SegmentTable::report_parallel`] under explicit limits (the tests force every path).
    pub(crate) fn report_with(
        &self,
        query: &UsageQuery,
        policy: MinutePolicy,
        threads: usize,
        limits: Limits,
    ) -> Result<UsageReport> {
        let plan = Plan::new(self, query, limits)?;
        let n = self.len();
        let threads = threads.clamp(1, 64).min(
            n.checked_div(limits.rows_per_thread.max(1))
                .unwrap_or(1)
                .max(1),
        );
        // When the partials would be costly to merge and finish (peaks' activity stretches,
        // distinct ids paired per cell) and there are enough groups, each thread reads every
        // row but takes only a share of the groups: the partials never share a cell and are
        // finished apart. Else each thread takes a range of rows (reading each row once) and
        // the partials are merged.
        let heavy = plan.peaks || matches!(plan.distinct, DistinctPlan::Pairs);
        let by_group = threads > 1
            && heavy
            && plan.strides.is_some_and(|(_, g)| {
                g >= u64::try_from(threads).unwrap_or(u64::MAX).saturating_mul(2)
            });
        if by_group {
            let of = u64::try_from(threads).unwrap_or(1);
            let shards = on_threads(threads, |k| {
                let k = u64::try_from(k).unwrap_or(0);
                figures(&plan, pass(&plan, 0..n, Some((k, of)))?, 1)
            });
            let mut all = Figures::default();
            for f in shards {
                let f = f?;
                all.segments = all.segments.saturating_add(f.segments);
                all.groups.extend(f.groups);
            }
            return finish(&plan, all, policy);
        }
        let chunk = n.div_ceil(threads.max(1));
        let mut parts = on_threads(threads, |k| {
            let from = k.saturating_mul(chunk).min(n);
            pass(&plan, from..from.saturating_add(chunk).min(n), None)
        });
        let rest = parts.split_off(1.min(parts.len()));
        let mut p = match parts.pop() {
            Some(first) => first?,
            None => Partial::new(&plan),
        };
        for o in rest {
            merge(&plan, &mut p, o?)?;
        }
        let f = figures(&plan, p, threads)?;
        finish(&plan, f, policy)
    }
}

/// The figures of some groups, ready for the report's rows.
#[derive(Default)]
struct Figures {
    segments: u64,
    groups: Vec<(GroupKey, GroupFigures)>,
}

/// The rows and totals of every group, in group order.
fn finish(plan: &Plan<'_>, mut f: Figures, policy: MinutePolicy) -> Result<UsageReport> {
    f.groups.sort_by(|a, b| a.0.cmp(&b.0));
    let width = i64::from(plan.buckets.granularity().seconds());
    let (mut rows, mut totals) = (Vec::new(), Vec::new());
    for (_, gf) in f.groups {
        group_rows(gf, policy, width, &mut rows, &mut totals)?;
    }
    Ok(assemble(plan.query, policy, f.segments, rows, totals))
}

/// The figures of each group of a partial (`threads`: how many may share the work).
fn figures(plan: &Plan<'_>, mut p: Partial, threads: usize) -> Result<Figures> {
    let groups = p.groups.len();
    let cell_group: Vec<u32> = p.cell_keys.iter().map(|&(g, _)| g).collect();
    let mut diffs: Vec<Option<(i64, Vec<i32>)>> = Vec::new();
    let mut stream_events: Vec<Option<Events>> =
        match std::mem::replace(&mut p.streams, Streams::Off) {
            Streams::Off => vec![None; groups],
            Streams::Events(v) => v.into_iter().map(Some).collect(),
            Streams::Diff { lo, per_group, .. } => {
                // Swept in place, group by group, below.
                diffs = per_group.into_iter().map(|d| Some((lo, d))).collect();
                vec![None; groups]
            }
        };
    // Two independent halves: users and communications, channels and channel activity.
    let (users, channels) = (
        std::mem::replace(&mut p.users, Dist::Off),
        std::mem::replace(&mut p.channels, Dist::Off),
    );
    let (chan, rel) = (std::mem::take(&mut p.chan), std::mem::take(&mut p.rel));
    let peaks = plan.peaks;
    let cg = &cell_group;
    let half_a = move || {
        figures_half(
            users,
            cg,
            groups,
            peaks,
            rel.into_iter()
                .map(|(g, c, r, s, e)| (g, (c, r), s, e))
                .collect(),
            |v| sort_by_key(v, |x| [u64::from(x.0), x.1.0, x.1.1, ordered(x.2)]),
        )
    };
    let half_b = move || {
        figures_half(channels, cg, groups, peaks, chan, |v| {
            sort_by_key(v, |x| [u64::from(x.0), x.1, ordered(x.2)]);
        })
    };
    let (a, b) = if threads > 1 {
        std::thread::scope(|s| {
            let h = s.spawn(half_a);
            let b = half_b();
            let a = h
                .join()
                .unwrap_or(Err(Error::overflow("a report thread stopped")));
            (a, b)
        })
    } else {
        (half_a(), half_b())
    };
    let ((user_cells, user_totals), mut rel_events) = a?;
    let ((chan_cells, chan_totals), mut chan_events) = b?;
    let mut per_group: Vec<Vec<(i64, usize)>> = vec![Vec::new(); groups];
    for (c, &(g, b)) in p.cell_keys.iter().enumerate() {
        if let Some(v) = per_group.get_mut(idx(g)) {
            v.push((b, c));
        }
    }
    let order: Vec<(GroupKey, usize)> = p
        .groups
        .iter()
        .enumerate()
        .map(|(i, k)| (plan.group_key(k), i))
        .collect();
    let stride = plan_stride(plan.spec_split);
    let mut out = Figures {
        segments: p.segments,
        groups: Vec::with_capacity(order.len()),
    };
    for (key, g) in order {
        let Some(cells) = per_group.get_mut(g) else {
            continue;
        };
        cells.sort_unstable();
        let group_spec = p.groups.get(g).map_or(0, |k| k[5]);
        let mut figures = Vec::with_capacity(cells.len());
        for &(b, c) in cells.iter() {
            let at = c.saturating_mul(stride);
            let Some(accs) = p.accs.get(at..at.saturating_add(stride)) else {
                continue;
            };
            let column = |k: usize| -> PerSpec<u64> {
                let mut out = PerSpec([0; 6]);
                if plan.spec_split {
                    // The group's spec.
                    let spec = idx(group_spec);
                    if let (Some(o), Some(a)) = (out.0.get_mut(spec), accs.first()) {
                        *o = a.get(k).copied().unwrap_or(0);
                    }
                } else {
                    for (o, a) in out.0.iter_mut().zip(accs) {
                        *o = a.get(k).copied().unwrap_or(0);
                    }
                }
                out
            };
            figures.push((
                plan.buckets.start_of_index(b),
                CellFigures {
                    publish_seconds: column(0),
                    subscribe_seconds: column(1),
                    subscribe_ceil_minutes: column(2),
                    users: user_cells.get(c).copied().flatten(),
                    channels: chan_cells.get(c).copied().flatten(),
                },
            ));
        }
        let take = |v: &mut Vec<Option<Events>>| v.get_mut(g).and_then(Option::take);
        let events = match (take(&mut chan_events), take(&mut rel_events)) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        let stream_peaks = diffs.get(g).and_then(Option::as_ref).map(|(lo, d)| {
            let starts: Vec<i64> = figures.iter().map(|(b, _)| *b).collect();
            crate::intervals::sweep(diff_events(d, *lo), &starts, plan.width)
        });
        let gf = GroupFigures {
            group: labelled(plan.query.split_by(), &key),
            cells: figures,
            events,
            peaks: None,
            stream_events: take(&mut stream_events),
            stream_peaks,
            total_users: user_totals.get(g).copied().flatten(),
            total_channels: chan_totals.get(g).copied().flatten(),
        };
        out.groups.push((key, gf));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::Metrics;
    use mediameter_core::{
        AppId, BillingZone, ChannelId, Granularity, MediaSpec, Role, StreamSegment, TimeRange,
        UserId,
    };

    fn peaks_plan(spans: &[(i64, i64)]) -> StreamPlan {
        let segs: Vec<StreamSegment> = spans
            .iter()
            .map(|&(s, e)| {
                StreamSegment::new(
                    AppId::new("app").unwrap(),
                    ChannelId::new("ch").unwrap(),
                    UserId::new("u").unwrap(),
                    Role::Subscribe,
                    MediaSpec::ALL[0],
                    TimeRange::from_unix(s, e).unwrap(),
                )
            })
            .collect();
        let table = SegmentTable::from_segments(&segs).unwrap();
        let query = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_metrics(Metrics {
            stream_peaks: true,
            ..Metrics::DURATIONS
        });
        Plan::new(&table, &query, Limits::DEFAULT).unwrap().streams
    }

    /// Regression: three segments 40 days apart used to get a difference array over every
    /// second between them (6.9 M slots, allocated and swept) because it fitted `diff_slots`.
    #[test]
    fn sparse_segments_sweep_events_not_seconds() {
        let t0 = 1_700_000_000;
        let apart = 40 * 86_400;
        let sparse = [
            (t0, t0 + 60),
            (t0 + apart, t0 + apart + 60),
            (t0 + 2 * apart, t0 + 2 * apart + 60),
        ];
        assert!(matches!(peaks_plan(&sparse), StreamPlan::Events));
        // Dense rows over a short span keep the array.
        let dense: Vec<(i64, i64)> = (0..100).map(|i| (t0 + i, t0 + i + 30)).collect();
        assert!(matches!(
            peaks_plan(&dense),
            StreamPlan::Diff { len: 130, .. }
        ));
    }

    proptest::proptest! {
        /// The sweep of a difference array's nonzero entries gives the peaks of the events it
        /// counts, for buckets before, inside and after the array's range.
        #[test]
        fn diff_events_sweep_to_event_peaks(
            segs in proptest::collection::vec((0_i64..500, 1_i64..200), 0..80),
            first in -8_i64..4,
            buckets in 0_usize..12,
            width in 1_i64..90,
        ) {
            let lo = 1000_i64;
            let mut d = vec![0_i32; 800];
            for &(s, len) in &segs {
                d[usize::try_from(s).unwrap()] += 1;
                d[usize::try_from(s + len).unwrap()] -= 1;
            }
            let starts: Vec<i64> = (0..buckets)
                .map(|i| lo + (first + i64::try_from(i).unwrap()) * width)
                .collect();
            let mut events: Vec<(i64, i64)> = (0_i64..)
                .zip(&d)
                .filter(|&(_, v)| *v != 0)
                .map(|(k, v)| (lo + k, i64::from(*v)))
                .collect();
            let want = crate::intervals::peaks_per_bucket(&mut events, &starts, width);
            let swept = crate::intervals::sweep(diff_events(&d, lo), &starts, width);
            proptest::prop_assert_eq!(swept, want);
        }
    }

    /// A subscription (or publication) of user `u` in channel `c` of region `r`.
    fn seg(s: i64, e: i64, r: Option<u8>, c: u8, u: u8, sub: bool, spec: usize) -> StreamSegment {
        let mut x = StreamSegment::new(
            AppId::new("app").unwrap(),
            ChannelId::new(format!("c{c}")).unwrap(),
            UserId::new(format!("u{u}")).unwrap(),
            if sub { Role::Subscribe } else { Role::Publish },
            MediaSpec::ALL[spec % 6],
            TimeRange::from_unix(s, e).unwrap(),
        );
        if let Some(r) = r {
            x = x.with_region(mediameter_core::RegionId::new(format!("r{r}")).unwrap());
        }
        if sub && u % 2 == 1 {
            x = x.with_publisher(UserId::new(format!("u{}", u - 1)).unwrap());
        }
        x
    }

    /// The distinct plan of a query counting users per UTC day and region (global scope) over
    /// `n` subscriptions of `n` users in `regions` regions, within one day.
    fn users_plan(n: usize, regions: usize, limits: Limits) -> &'static str {
        let segs: Vec<StreamSegment> = (0..n)
            .map(|i| {
                StreamSegment::new(
                    AppId::new("app").unwrap(),
                    ChannelId::new("c").unwrap(),
                    UserId::new(format!("u{i}")).unwrap(),
                    Role::Subscribe,
                    MediaSpec::ALL[0],
                    TimeRange::from_unix(86_400, 86_460).unwrap(),
                )
                .with_region(mediameter_core::RegionId::new(format!("r{}", i % regions)).unwrap())
            })
            .collect();
        let table = SegmentTable::from_segments(&segs).unwrap();
        let query = UsageQuery::new(BillingZone::UTC, Granularity::DAY)
            .with_split_by([Dimension::Region])
            .with_id_scope(crate::IdScope::Global)
            .with_metrics(Metrics::DURATIONS.with_users(true));
        match Plan::new(&table, &query, limits).unwrap().distinct {
            DistinctPlan::Bits { .. } => "bits",
            DistinctPlan::Lists { .. } => "lists",
            DistinctPlan::Pairs => "pairs",
            DistinctPlan::Off | DistinctPlan::Sketch { .. } => "other",
        }
    }

    /// A bitset per cell while the cells' bitsets fit the cache budget or take a quarter of
    /// the memory of lists or less; lists beyond (2,000 users: 32 words per cell).
    #[test]
    fn cells_keep_bitsets_in_cache_or_under_the_lists_size() {
        // One region: 32 words, in the default budget.
        assert_eq!(users_plan(2_000, 1, Limits::DEFAULT), "bits");
        // Over a budget of 16 words, but 32 words are less than a quarter of 2,000 rows' keys
        // (250 words).
        let small = Limits {
            cell_bits_words: 16,
            ..Limits::DEFAULT
        };
        assert_eq!(users_plan(2_000, 1, small), "bits");
        // 50 regions: 1,600 words, over a budget of 1,024 and over a quarter of the keys.
        let budget = Limits {
            cell_bits_words: 1_024,
            ..Limits::DEFAULT
        };
        assert_eq!(users_plan(2_000, 50, budget), "lists");
        assert_eq!(users_plan(2_000, 50, Limits::DEFAULT), "bits");
    }

    /// Regression: four segments a century apart, split by region with every metric, used to
    /// get a dense grid of cells over every hour between them (3.5 M slots, allocated and
    /// filled for four rows) because the grid fitted `dense_slots`. A pass now allocates a
    /// bounded number of slots per row (at most 64 per array), whatever the span.
    #[test]
    fn sparse_rows_allocate_per_row_not_per_span() {
        let t0 = 86_400;
        let century = 100 * 365 * 86_400;
        let segs = [
            seg(t0, t0 + 600, Some(0), 0, 0, false, 1),
            seg(t0 + 60, t0 + 900, Some(1), 0, 1, true, 1),
            seg(t0 + century, t0 + century + 60, Some(2), 1, 2, false, 2),
            seg(t0 + century, t0 + century + 120, None, 1, 3, true, 2),
        ];
        let table = SegmentTable::from_segments(&segs).unwrap();
        let query = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::Region]);
        let plan = Plan::new(&table, &query, Limits::DEFAULT).unwrap();
        let p = pass(&plan, 0..table.len(), None).unwrap();
        let scratch = match plan.distinct {
            DistinctPlan::Lists { users, channels } => users + channels,
            _ => 0,
        };
        let bound = 4 * 64 * segs.len();
        assert!(
            p.footprint() + scratch <= bound,
            "{} slots for {} rows",
            p.footprint() + scratch,
            segs.len()
        );
        // And the report is still right: one row per region and hour touched.
        let r = table.report(&query, MinutePolicy::CeilPerRecord).unwrap();
        assert_eq!(r.rows.len(), 4);
        assert_eq!(r.rows.iter().map(|x| x.peak_streams).max(), Some(Some(1)));
    }

    /// The figures of one (region, bucket start) cell, computed plainly.
    #[derive(Debug, Default, PartialEq, Eq)]
    struct Want {
        publish: [u64; 6],
        subscribe: [u64; 6],
        ceil_minutes: [u64; 6],
        users: u64,
        channels: u64,
        peak_streams: u64,
        peak_channels: u64,
        peak_communications: u64,
    }

    /// Every metric of a report split by region, hour buckets in UTC, straight from the
    /// definitions in `docs/usage.md`: pieces cut at each hour, distinct ids by set, and each
    /// peak the largest level at the bucket's start or at a segment start inside it.
    fn plain(segs: &[StreamSegment]) -> std::collections::BTreeMap<(Option<String>, i64), Want> {
        use std::collections::{BTreeMap, BTreeSet};
        let region = |s: &StreamSegment| s.region.as_ref().map(|r| r.as_str().to_owned());
        let span = |s: &StreamSegment| (s.range.start().timestamp(), s.range.end().timestamp());
        let mut out: BTreeMap<(Option<String>, i64), Want> = BTreeMap::new();
        type Ids = (BTreeSet<String>, BTreeSet<String>);
        let mut ids: BTreeMap<(Option<String>, i64), Ids> = BTreeMap::new();
        for s in segs {
            let (a, e) = span(s);
            let mut b = a.div_euclid(3600) * 3600;
            while b < e {
                let piece = u64::try_from(e.min(b + 3600) - a.max(b)).unwrap();
                let key = (region(s), b);
                let w = out.entry(key.clone()).or_default();
                let k = s.spec.index();
                if s.role == Role::Subscribe {
                    w.subscribe[k] += piece;
                    w.ceil_minutes[k] += piece.div_ceil(60);
                } else {
                    w.publish[k] += piece;
                }
                let set = ids.entry(key).or_default();
                set.0.insert(s.user.as_str().to_owned());
                set.1.insert(s.channel.as_str().to_owned());
                b += 3600;
            }
        }
        for ((r, b), w) in &mut out {
            let (users, channels) = &ids[&(r.clone(), *b)];
            w.users = users.len() as u64;
            w.channels = channels.len() as u64;
            let group: Vec<&StreamSegment> = segs.iter().filter(|s| region(s) == *r).collect();
            let instants = std::iter::once(*b).chain(
                group
                    .iter()
                    .map(|s| span(s).0)
                    .filter(|t| (*b..*b + 3600).contains(t)),
            );
            for t in instants {
                let open: Vec<&&StreamSegment> = group
                    .iter()
                    .filter(|s| span(s).0 <= t && t < span(s).1)
                    .collect();
                let chans: BTreeSet<&str> = open.iter().map(|s| s.channel.as_str()).collect();
                let comms: BTreeSet<(&str, Option<&str>, &str)> = open
                    .iter()
                    .filter(|s| s.role == Role::Subscribe)
                    .map(|s| {
                        let p = s.publisher.as_ref().map(|p| p.as_str());
                        (s.channel.as_str(), p, s.user.as_str())
                    })
                    .collect();
                w.peak_streams = w.peak_streams.max(open.len() as u64);
                w.peak_channels = w.peak_channels.max(chans.len() as u64);
                w.peak_communications = w.peak_communications.max(comms.len() as u64);
            }
        }
        out
    }

    /// Segments in clusters hours, months, years or centuries apart (where the default plan
    /// picks dense arrays for some and hashed cells and sorted events for others).
    fn spread_segment() -> impl proptest::strategy::Strategy<Value = StreamSegment> {
        use proptest::prelude::*;
        let apart = [
            0_i64,
            7 * 3600,
            40 * 86_400,
            3 * 365 * 86_400,
            150 * 365 * 86_400,
        ];
        (
            (
                proptest::sample::select(apart.to_vec()),
                0_i64..20_000,
                1_i64..9_000,
            ),
            (
                proptest::option::of(0_u8..3),
                0_u8..3,
                0_u8..6,
                any::<bool>(),
                0_usize..6,
            ),
        )
            .prop_map(|((cluster, at, len), (r, c, u, sub, spec))| {
                let s = 1_000_000 + cluster + at;
                seg(s, s + len, r, c, u, sub, spec)
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The table's report, on one thread and two, equals the plain reference for segments
        /// near and far apart, and its pass stays within a bounded number of slots per row.
        #[test]
        fn spread_segments_equal_the_plain_reference(
            segs in proptest::collection::vec(spread_segment(), 1..40),
        ) {
            let table = SegmentTable::from_segments(&segs).unwrap();
            let query = UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
                .with_split_by([Dimension::Region]);
            let want = plain(&segs);
            for threads in [1, 2] {
                let r = table
                    .report_with(&query, MinutePolicy::CeilPerRecord, threads, Limits {
                        rows_per_thread: 1,
                        ..Limits::DEFAULT
                    })
                    .unwrap();
                let mut got = std::collections::BTreeMap::new();
                for row in &r.rows {
                    let key = (row.group[0].1.clone(), row.bucket_start.timestamp());
                    let minutes = row.billable_minutes.0.map(|m| u64::try_from(m).unwrap());
                    got.insert(key, Want {
                        publish: row.publish_seconds.0,
                        subscribe: row.subscribe_seconds.0,
                        ceil_minutes: minutes,
                        users: row.active_users.unwrap(),
                        channels: row.channels.unwrap(),
                        peak_streams: row.peak_streams.unwrap(),
                        peak_channels: row.peak_channels.unwrap(),
                        peak_communications: row.peak_communications.unwrap(),
                    });
                }
                proptest::prop_assert_eq!(&got, &want);
                for total in &r.totals {
                    let g = &total.group[0].1;
                    let peak = want.iter().filter(|(k, _)| &k.0 == g).map(|(_, w)| w.peak_streams).max();
                    proptest::prop_assert_eq!(total.peak_streams, peak);
                }
            }
            let plan = Plan::new(&table, &query, Limits::DEFAULT).unwrap();
            let p = pass(&plan, 0..table.len(), None).unwrap();
            let bound = 4 * 64 * segs.len();
            proptest::prop_assert!(p.footprint() <= bound, "{} slots for {} rows", p.footprint(), segs.len());
        }
    }
}
