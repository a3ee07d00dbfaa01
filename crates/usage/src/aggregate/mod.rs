//! The streaming aggregator: the hot path from segments to a [`UsageState`].

use std::borrow::Borrow;

use mediameter_core::{MediaSpec, MinutePolicy, Role, StreamSegment};

use crate::compact::{Deltas, StretchKey, Stretches};
use crate::error::{Error, Result};
use crate::hash::{FastMap, combine, stable_hash};
use crate::hll::Hll;
use crate::intern::{Dict, Key};
use crate::intervals::{IntervalSet, peaks_of_packed, peaks_of_sorted, peaks_per_bucket};
use crate::query::{Dimension, DistinctMode, IdScope, UsageQuery};
use crate::report::{
    CellFigures, GroupFigures, GroupTotal, UsageReport, UsageRow, assemble, group_rows, labelled,
};
use crate::spec_table::PerSpec;
use crate::state::{Cell, Distinct, GroupKey, UsageState};

mod sorted;
use sorted::Sorted;

/// The aggregator's interner: the crate's [`Dict`], plus each string's stable hash when
/// sketches need it.
#[derive(Debug, Default)]
struct Interner {
    dict: Dict,
    hashes: Vec<u64>,
}

impl Interner {
    #[inline]
    fn id(&mut self, s: &str, with_hash: bool) -> Result<u32> {
        self.id_keyed(Key::of(s), s, with_hash)
    }

    /// [`Interner::id`] with the key of `s` already built.
    #[inline]
    fn id_keyed(&mut self, key: Key, s: &str, with_hash: bool) -> Result<u32> {
        let before = self.dict.len();
        let i = self.dict.intern_keyed(key, s)?;
        if with_hash && self.dict.len() > before {
            self.hashes.push(stable_hash(&[s.as_bytes()]));
        }
        Ok(i)
    }

    /// Reads `ids` into `keys` and touches the table where they will be looked up; returns a
    /// value for `black_box`.
    #[inline]
    fn prepare<'a>(&self, ids: impl Iterator<Item = &'a str> + Clone, keys: &mut Vec<Key>) -> u64 {
        // Touch every id's bytes first: a loop without data-dependent branches keeps many
        // cache misses in flight (building the keys branches on each length).
        let touched = ids.clone().fold(0_u8, |acc, id| {
            let b = id.as_bytes();
            acc ^ b.first().copied().unwrap_or(0) ^ b.last().copied().unwrap_or(0)
        });
        keys.clear();
        keys.extend(ids.map(Key::of));
        self.dict.warm(keys.iter()) ^ u64::from(touched)
    }

    fn name(&self, i: u32) -> &str {
        self.dict.name(i).unwrap_or_default()
    }

    fn hash(&self, i: u32) -> u64 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.hashes.get(i))
            .copied()
            .unwrap_or(0)
    }
}

/// What the aggregator reads of a segment: a [`StreamSegment`], or the checked fields of a
/// [`SegmentRow`](crate::SegmentRow) (no id built, no string copied).
pub(crate) trait Fields {
    fn app(&self) -> &str;
    fn channel(&self) -> &str;
    fn user(&self) -> &str;
    fn publisher(&self) -> Option<&str>;
    fn role(&self) -> Role;
    fn spec(&self) -> MediaSpec;
    /// Region, domain, instance and product type.
    fn dims(&self) -> [Option<&str>; 4];
    /// The span in whole Unix seconds; the error of a fractional instant names `line`.
    fn span(&self, line: u64) -> Result<(i64, i64)>;
}

impl Fields for StreamSegment {
    fn app(&self) -> &str {
        self.app.as_str()
    }
    fn channel(&self) -> &str {
        self.channel.as_str()
    }
    fn user(&self) -> &str {
        self.user.as_str()
    }
    fn publisher(&self) -> Option<&str> {
        self.publisher.as_ref().map(|p| p.as_str())
    }
    fn role(&self) -> Role {
        self.role
    }
    fn spec(&self) -> MediaSpec {
        self.spec
    }
    fn dims(&self) -> [Option<&str>; 4] {
        [
            self.region.as_ref().map(|v| v.as_str()),
            self.domain.as_ref().map(|v| v.as_str()),
            self.instance.as_ref().map(|v| v.as_str()),
            self.product_type.as_ref().map(|v| v.as_str()),
        ]
    }
    fn span(&self, line: u64) -> Result<(i64, i64)> {
        let (start, end) = (self.range.start(), self.range.end());
        if start.timestamp_subsec_nanos() != 0 || end.timestamp_subsec_nanos() != 0 {
            return Err(Error::fractional_seconds(line, &self.range));
        }
        Ok((start.timestamp(), end.timestamp()))
    }
}

/// One cell in the hot path: durations only (152 bytes). The distinct accumulators of the
/// cells live in a parallel vector, so that a durations-only pass touches as few cache lines
/// as possible and a distinct pass reaches them without a pointer chase.
#[derive(Debug, Clone)]
struct CellAcc {
    pieces: u64,
    secs: [PerSpec<u64>; 2],
    ceil_minutes: PerSpec<u64>,
}

/// The distinct accumulators of one cell: users, then channels.
type DistinctPair = (Distinct, Distinct);

/// Cell indices of one group by bucket, in a dense window of consecutive buckets: a lookup is
/// one subtraction and one load instead of a hash probe. Buckets beyond the window's span
/// limit go to the aggregator's hash map.
#[derive(Debug, Default)]
struct BucketIndex {
    /// Bucket start of `slots[0]`.
    first: i64,
    slots: Vec<u32>,
}

/// Longest span of a dense bucket window (about 3.7 years of hours).
const WINDOW: usize = 1 << 15;

impl BucketIndex {
    /// The slot of `bucket`, growing the window when it stays under [`WINDOW`] slots; `None`
    /// when the bucket must go to the hash map.
    #[inline]
    fn slot(&mut self, bucket: i64, width: i64) -> Option<&mut u32> {
        if self.slots.is_empty() {
            self.first = bucket;
            self.slots.push(NONE);
        }
        let off = bucket.checked_sub(self.first)?;
        // One division: `off` is a whole number of widths exactly when this multiplies back.
        let k = off.checked_div(width)?;
        if k.checked_mul(width)? != off {
            return None;
        }
        if k < 0 {
            let extra = usize::try_from(k.unsigned_abs()).ok()?;
            let len = self.slots.len().checked_add(extra)?;
            if len > WINDOW {
                return None;
            }
            // Grow downwards with slack, as a vector grows upwards.
            let pad = extra.max(self.slots.len()).min(WINDOW.saturating_sub(len));
            let shift = extra.checked_add(pad)?;
            let mut grown = vec![NONE; shift];
            grown.extend_from_slice(&self.slots);
            self.slots = grown;
            self.first = self
                .first
                .checked_sub(i64::try_from(shift).ok()?.checked_mul(width)?)?;
            return self.slots.get_mut(pad);
        }
        let k = usize::try_from(k).ok()?;
        if k >= self.slots.len() {
            let len = k.checked_add(1)?;
            if len > WINDOW {
                return None;
            }
            self.slots.resize(len, NONE);
        }
        self.slots.get_mut(k)
    }
}

/// Relation key in the hot path: packed channel, then publisher (`u32::MAX`: unknown) and
/// subscriber packed in one word.
type RelKey = (u64, u64);

#[derive(Debug, Default)]
struct GroupAcc {
    key: [u32; 7],
    channels: Stretches<u64>,
    relations: Stretches<RelKey>,
    streams: Deltas,
    buckets: BucketIndex,
}

const NONE: u32 = u32::MAX;

/// A segment past the checks of [`Aggregator::admit`]: its span after clipping, its interned
/// app and its group.
#[derive(Debug, Clone, Copy)]
struct Admitted {
    s: i64,
    e: i64,
    app: u32,
    group: u32,
}

/// The interned dimension values of a group, hashed as four words (the derived hash of an
/// array would hash its length and then its bytes in chunks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GroupIds([u32; 7]);

impl std::hash::Hash for GroupIds {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c, d, e, f, g] = self.0.map(u64::from);
        state.write_u64((a << 32) | b);
        state.write_u64((c << 32) | d);
        state.write_u64((e << 32) | f);
        state.write_u64(g);
    }
}

/// One group's key, rows and total, as [`Aggregator::report_groups`] gives them.
type GroupReport = (GroupKey, Vec<UsageRow>, Vec<GroupTotal>);

/// The report of the groups' rows and totals, in the order given.
fn assemble_groups(
    query: &UsageQuery,
    policy: MinutePolicy,
    segments: u64,
    groups: Vec<GroupReport>,
) -> UsageReport {
    let (mut rows, mut totals) = (Vec::new(), Vec::new());
    for (_, r, t) in groups {
        rows.extend(r);
        totals.extend(t);
    }
    assemble(query, policy, segments, rows, totals)
}

/// Segments interned together by [`Aggregator::extend`].
const BATCH: usize = 1024;

/// Distinct insertions staged before they are made by cell (24 bytes each).
#[cfg(not(test))]
const STAGED: usize = 1 << 17;
/// Small in unit tests, so that passes flush in the middle of a call.
#[cfg(test)]
const STAGED: usize = 1 << 7;

/// Aggregates stream segments one at a time into groups × buckets.
///
/// Designed for hundreds of millions of segments: ids are interned to `u32` once per distinct
/// string, durations go to dense per-spec arrays, and every table is keyed by small integers,
/// so a segment costs no allocation unless it brings a new id, group or bucket. Memory grows
/// with groups × buckets and distinct ids (and, for peaks, with each channel's separate
/// activity periods), not with the number of segments, when the input is sorted by start time.
/// For input sorted by start, [`Aggregator::sorted`] is the mode whose memory is bounded by the
/// segments open at once; this mode's state merges with other shards'.
///
/// Instants must be whole seconds (every vendor source is): a segment with a fractional
/// second is refused.
///
/// ```
/// use mediameter_core::*;
/// use mediameter_usage::{Aggregator, Dimension, UsageQuery};
///
/// let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Spec]);
/// let mut agg = Aggregator::new(q)?;
/// // 08:50 to 09:10 in GMT+8: 600 s in each hour.
/// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(1_679_273_400, 1_679_274_600)?);
/// agg.push(&s)?;
/// let report = agg.finish()?.report(MinutePolicy::CeilPerPeriod)?;
/// let secs: Vec<u64> = report.rows.iter().map(|r| r.subscribe_seconds[MediaSpec::Audio]).collect();
/// assert_eq!(secs, [600, 600]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Aggregator {
    query: UsageQuery,
    split: [bool; 7],
    /// The query's filters, when it has any (the table's: a role and spec pair is checked
    /// as one index).
    filters: Option<crate::table::Keep>,
    clip: Option<(i64, i64)>,
    want_users: bool,
    want_channels: bool,
    want_peaks: bool,
    want_streams: bool,
    approx: Option<u8>,
    global: bool,
    max_segment: u64,
    /// Which of the required app, channel and user the query does not read: a row may
    /// leave them out.
    unread: [bool; 3],
    apps: Interner,
    channels: Interner,
    users: Interner,
    dims: [Interner; 4],
    groups: FastMap<GroupIds, u32>,
    group_list: Vec<GroupAcc>,
    cells: FastMap<(u32, i64), u32>,
    cell_list: Vec<CellAcc>,
    /// Parallel to `cell_list` when distinct counting is on, empty otherwise.
    distinct_list: Vec<DistinctPair>,
    cell_keys: Vec<(u32, i64)>,
    width: i64,
    segments: u64,
    seen: u64,
    /// Whether distinct insertions go to `staged` (during [`Aggregator::extend`]).
    staging: bool,
    /// Distinct insertions not yet made: `(cell, user, channel)`, keys for exact sets and
    /// hashes for sketches.
    staged: Vec<(u32, u64, u64)>,
    /// The buffer of the sort of `staged`, kept from flush to flush.
    staged_scratch: Vec<(u32, u64, u64)>,
    /// `Some`: the mode for segments sorted by start time ([`Aggregator::sorted`]).
    sorted: Option<Box<Sorted>>,
}

impl Aggregator {
    /// An empty aggregator for `query`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for an invalid approximate precision.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// assert_eq!(agg.segments(), 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn new(query: UsageQuery) -> Result<Self> {
        query.check()?;
        let mut split = [false; 7];
        for d in query.split_by() {
            if let Some(s) = split.get_mut(d.index()) {
                *s = true;
            }
        }
        let approx = match query.distinct() {
            DistinctMode::Exact => None,
            DistinctMode::Approximate { precision } => Some(precision),
        };
        let width = i64::from(query.buckets().granularity().seconds());
        Ok(Aggregator {
            filters: Dimension::ALL
                .iter()
                .any(|d| query.filter(*d).is_some())
                .then(|| crate::table::Keep::of(&query)),
            clip: query
                .range()
                .map(|r| (r.start().timestamp(), r.end().timestamp())),
            want_users: query.metrics().users,
            want_channels: query.metrics().channels,
            want_peaks: query.metrics().peaks,
            want_streams: query.metrics().stream_peaks,
            global: query.id_scope() == IdScope::Global,
            max_segment: query.max_segment_seconds(),
            unread: crate::table::Projection::of(&query).unread_ids(),
            approx,
            split,
            query,
            apps: Interner::default(),
            channels: Interner::default(),
            users: Interner::default(),
            dims: Default::default(),
            groups: FastMap::default(),
            group_list: Vec::new(),
            cells: FastMap::default(),
            cell_list: Vec::new(),
            distinct_list: Vec::new(),
            cell_keys: Vec::new(),
            width,
            segments: 0,
            seen: 0,
            staging: false,
            staged: Vec::new(),
            staged_scratch: Vec::new(),
            sorted: None,
        })
    }

    /// An empty aggregator for `query` whose segments arrive sorted by start time, with
    /// memory that does not grow with their number: the mode for a stream that never ends,
    /// or a sorted file larger than memory.
    ///
    /// The report is the one [`Aggregator::new`] gives over the same segments (a property test
    /// checks it on random sorted inputs). What differs is memory: peaks are swept as the
    /// segments arrive, keeping the segments open at the current instant and one figure per
    /// group and bucket (where the mergeable mode keeps every activity stretch), and a cell's
    /// distinct sets are counted and dropped once no later segment can reach its bucket
    /// (each group keeps one set of its ids, for its total). Memory is then the cells
    /// (groups × buckets), the interned ids, each group's distinct ids, and the segments
    /// open at once.
    ///
    /// A swept peak cannot be merged with another shard's exactly, so an aggregator in this
    /// mode has no state: [`Aggregator::to_state`] and [`Aggregator::finish`] refuse. Shards
    /// whose results must merge use [`Aggregator::new`].
    ///
    /// # Errors
    ///
    /// As [`Aggregator::new`]. Then each segment that starts before the previous one is
    /// refused by [`Aggregator::push`] (and the other ways in), located at its position.
    ///
    /// ```
    /// use mediameter_core::*;
    /// use mediameter_usage::{Aggregator, UsageQuery};
    ///
    /// let seg = |user: &str, start: i64, end: i64| -> Result<StreamSegment, mediameter_core::Error> {
    ///     Ok(StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new(user)?,
    ///         Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(start, end)?))
    /// };
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
    /// let mut agg = Aggregator::sorted(q)?;
    /// agg.push(&seg("u1", 0, 4000)?)?;
    /// agg.push(&seg("u2", 100, 200)?)?;
    /// let report = agg.report(MinutePolicy::Exact)?;
    /// assert_eq!(report.rows[0].peak_streams, Some(2));
    /// assert_eq!(report.rows[1].peak_streams, Some(1));
    /// // Out of order: refused, naming the segment.
    /// assert_eq!(agg.push(&seg("u3", 50, 60)?).unwrap_err().line(), Some(3));
    /// // No mergeable state.
    /// assert!(agg.to_state().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sorted(query: UsageQuery) -> Result<Self> {
        let mut agg = Aggregator::new(query)?;
        agg.sorted = Some(Box::new(Sorted::new(agg.max_segment, agg.width)));
        Ok(agg)
    }

    /// Whether this aggregator is in the mode for sorted input ([`Aggregator::sorted`]).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::DAY);
    /// assert!(!Aggregator::new(q.clone())?.is_sorted());
    /// assert!(Aggregator::sorted(q)?.is_sorted());
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub fn is_sorted(&self) -> bool {
        self.sorted.is_some()
    }

    /// Whether any distinct count (users or channels) is on.
    const fn want_distinct(&self) -> bool {
        self.want_users || self.want_channels
    }

    /// Whether users and channels are interned (distinct counts or peaks).
    const fn need_ids(&self) -> bool {
        self.want_distinct() || self.want_peaks
    }

    /// Segments counted so far (after filters and clipping).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?.segments(), 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub const fn segments(&self) -> u64 {
        self.segments
    }

    /// Adds every segment of `segments`.
    ///
    /// # Errors
    ///
    /// As [`Aggregator::push`]; segments before the failing one are counted.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// agg.extend(Vec::<StreamSegment>::new())?;
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn extend<I>(&mut self, segments: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Borrow<StreamSegment>,
    {
        if !self.need_ids() {
            for s in segments {
                self.push(s.borrow())?;
            }
            return Ok(());
        }
        self.staged_batches::<_, _, StreamSegment>(segments, |s, _| Ok(s))
    }

    /// Adds the segments of `rows`, as [`Aggregator::push_row`] adds each, in batches as
    /// [`Aggregator::extend`] adds segments (the ids of a batch are looked up together). On
    /// an error, the rows before it are added.
    ///
    /// # Errors
    ///
    /// As [`Aggregator::push_row`], for the first row that fails.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_metrics(Metrics::ALL);
    /// let mut agg = Aggregator::new(q)?;
    /// let row = |user| SegmentRow::new()
    ///     .with_app(Some("a")).with_channel(Some("c")).with_user(Some(user))
    ///     .with_role(Some("sub")).with_spec(Some("720p"))
    ///     .with_start(Some(0)).with_end(Some(600));
    /// agg.extend_rows([row("u1"), row("u2"), row("u1")])?;
    /// assert_eq!(agg.report(MinutePolicy::Exact)?.rows[0].active_users, Some(2));
    /// assert_eq!(agg.extend_rows([row("u3"), row("")]).unwrap_err().line(), Some(5));
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn extend_rows<'a, I>(&mut self, rows: I) -> Result<()>
    where
        I: IntoIterator<Item = crate::SegmentRow<'a>>,
    {
        let unread = self.unread;
        self.extend_checked(rows, |r, line| r.checked(line, unread))
    }

    /// Adds the rows of `batch`, as a columnar reader decoded them (an Arrow record batch, a
    /// Parquet row group): the same as [`Aggregator::extend_rows`] of its rows, without
    /// building a row. The role and spec of a dictionary-encoded column
    /// ([`TextColumn::Coded`](crate::TextColumn::Coded)) are checked once per value; a
    /// required id the query does not read ([`RowLoader::reads`](crate::RowLoader::reads))
    /// may be left out of the batch, as with [`Aggregator::push_row`]. Record numbers are this
    /// aggregator's positions, as for [`Aggregator::push`].
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`], with no row added, when a column does not hold
    /// [`SegmentColumns::rows`](crate::SegmentColumns::rows) rows or a code is past its
    /// values; else as [`Aggregator::extend_rows`], for the first row that fails (the rows
    /// before it are added).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
    ///     .with_metrics(Metrics::DURATIONS.with_stream_peaks(true));
    /// let mut agg = Aggregator::new(q)?;
    /// // Stream peaks read no id: the app, channel and user columns may be left out.
    /// let (starts, ends) = ([0, 60, 4000], [600, 120, 4100]);
    /// let batch = SegmentColumns::new(3)
    ///     .with_role(TextColumn::Coded { values: &[Some("sub")], codes: &[0, 0, 0] })
    ///     .with_spec(TextColumn::Values(&[Some("720p"), Some("audio"), Some("8k")]))
    ///     .with_start(&starts, None)
    ///     .with_end(&ends, None);
    /// // The third row's spec is refused: the two before it are added.
    /// assert_eq!(agg.push_columns(&batch).unwrap_err().line(), Some(3));
    /// assert_eq!(agg.report(MinutePolicy::Exact)?.rows[0].peak_streams, Some(2));
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn push_columns(&mut self, batch: &crate::SegmentColumns<'_>) -> Result<()> {
        batch.check()?;
        let mut kinds = crate::table::KindChecks::of(batch);
        let unread = self.unread;
        self.extend_checked(0..batch.rows(), |row, line| {
            batch.checked_row(row, line, unread, &mut kinds)
        })
    }

    /// Adds `items`, each read as a checked row by `view(item, line)` (`line`: its position
    /// in this aggregator's input): by batches when ids are needed, else one at a time.
    fn extend_checked<'a, T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut view: impl FnMut(T, u64) -> Result<crate::table::Checked<'a>>,
    ) -> Result<()> {
        if self.need_ids() {
            return self.staged_batches::<_, _, crate::table::Checked<'a>>(items, view);
        }
        for item in items {
            let line = self.seen.saturating_add(1);
            self.push_checked(line, view(item, line))?;
        }
        Ok(())
    }

    /// [`Aggregator::extend_batched`] with the distinct insertions staged while the batches
    /// run (see `flush_staged`); whatever happens, they are flushed before returning.
    fn staged_batches<T, V, F>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        view: impl FnMut(T, u64) -> Result<V>,
    ) -> Result<()>
    where
        V: Borrow<F>,
        F: Fields + ?Sized,
    {
        // The sorted mode frees a cell's sets as its bucket completes: its insertions are
        // made at once.
        self.staging = self.want_distinct() && self.sorted.is_none();
        let result = self.extend_batched(items, view);
        self.staging = false;
        self.flush_staged();
        result
    }

    /// Adds `items` by batches, when ids are needed; `view(item, line)` reads an item as a
    /// segment (`line`: its position in this aggregator's input), or refuses it.
    fn extend_batched<T, V, F>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut view: impl FnMut(T, u64) -> Result<V>,
    ) -> Result<()>
    where
        V: Borrow<F>,
        F: Fields + ?Sized,
    {
        // Batches: interning a whole batch of users, then of channels, in tight loops lets the
        // processor overlap the cache misses of independent table probes. Only the segments
        // the batch admits (see `admit`) are interned and recorded.
        let mut batch: Vec<V> = Vec::with_capacity(BATCH);
        let mut admitted: Vec<(usize, Admitted)> = Vec::with_capacity(BATCH);
        let mut users = Vec::with_capacity(BATCH);
        let mut channels = Vec::with_capacity(BATCH);
        let mut user_keys: Vec<Key> = Vec::with_capacity(BATCH);
        let mut chan_keys: Vec<Key> = Vec::with_capacity(BATCH);
        let mut iter = items.into_iter();
        loop {
            batch.clear();
            // An item `view` refuses ends the batch: the items before it are added first.
            let mut refused = None;
            for item in iter.by_ref() {
                let line = self
                    .seen
                    .saturating_add(u64::try_from(batch.len()).unwrap_or(u64::MAX))
                    .saturating_add(1);
                match view(item, line) {
                    Ok(v) => batch.push(v),
                    Err(e) => {
                        refused = Some(e);
                        break;
                    }
                }
                if batch.len() >= BATCH {
                    break;
                }
            }
            if batch.is_empty() && refused.is_none() {
                return Ok(());
            }
            // Admission stops at the first bad segment: the admitted ones before it are
            // recorded, then its error is returned.
            admitted.clear();
            let mut failed = None;
            for (i, s) in batch.iter().enumerate() {
                match self.admit(s.borrow()) {
                    Ok(Some(a)) => admitted.push((i, a)),
                    Ok(None) => {}
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            let approx = self.approx.is_some();
            users.clear();
            channels.clear();
            // Reading the ids' bytes, hashing them, touching the tables and resolving the
            // ids are separate loops, each of independent iterations, so that the cache
            // misses of a batch overlap.
            let user_ids = admitted
                .iter()
                .map(|&(i, _)| batch.get(i).map_or("", |s| s.borrow().user()));
            let chan_ids = admitted
                .iter()
                .map(|&(i, _)| batch.get(i).map_or("", |s| s.borrow().channel()));
            let warm = self.users.prepare(user_ids.clone(), &mut user_keys)
                ^ self.channels.prepare(chan_ids.clone(), &mut chan_keys);
            std::hint::black_box(warm);
            for (id, k) in user_ids.zip(&user_keys) {
                users.push(self.users.id_keyed(*k, id, approx)?);
            }
            for (id, k) in chan_ids.zip(&chan_keys) {
                channels.push(self.channels.id_keyed(*k, id, approx)?);
            }
            for (&(i, a), (&u, &c)) in admitted.iter().zip(users.iter().zip(channels.iter())) {
                if let Some(s) = batch.get(i) {
                    self.record(s.borrow(), a, Some((u, c)))?;
                }
            }
            if let Some(e) = failed {
                return Err(e);
            }
            if let Some(e) = refused {
                // The refused item is counted, as a failed push counts its segment.
                self.seen = self.seen.saturating_add(1);
                return Err(e);
            }
        }
    }

    /// Adds one segment.
    ///
    /// # Errors
    ///
    /// An error located at [`Error::line`] (the 1-based position of the segment in this aggregator's
    /// input) when an instant has a fractional second; [`Error::Overflow`] beyond 2^32
    /// distinct ids of one kind or 2^64 seconds.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// use chrono::DateTime;
    /// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// let r = TimeRange::new(DateTime::from_timestamp(0, 500_000_000).ok_or("out of range")?, DateTime::from_timestamp(10, 0).ok_or("out of range")?)?;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?, Role::Publish, MediaSpec::Audio, r);
    /// assert_eq!(agg.push(&s).unwrap_err().line(), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push(&mut self, seg: &StreamSegment) -> Result<()> {
        self.push_fields(seg)
    }

    /// Adds the segment of `row`, whose fields are checked as the CSV readers check them (a
    /// missing required value, a bad id, an unknown role or spec or an empty span is a bad
    /// record): the same as building a [`StreamSegment`] of the row and pushing it, without
    /// building one. For a columnar source (Arrow, Parquet, a database cursor) whose rows
    /// feed an aggregator; its record numbers are this aggregator's positions, as for
    /// [`Aggregator::push`]. A required id that the query does not read
    /// ([`RowLoader::reads`](crate::RowLoader::reads)) may be left out of the row, as with
    /// [`RowLoader::push`](crate::RowLoader::push): a reader need not decode it.
    ///
    /// # Errors
    ///
    /// A bad record, located at its position and field; the errors of [`Aggregator::push`].
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?;
    /// let row = SegmentRow::new()
    ///     .with_app(Some("a")).with_channel(Some("c")).with_user(Some("u1"))
    ///     .with_role(Some("sub")).with_spec(Some("720p"))
    ///     .with_start(Some(0)).with_end(Some(4000));
    /// agg.push_row(&row)?;
    /// assert_eq!(agg.push_row(&row.with_spec(Some("8k"))).unwrap_err().line(), Some(2));
    /// assert_eq!(agg.report(MinutePolicy::Exact)?.segments, 1);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn push_row(&mut self, row: &crate::SegmentRow<'_>) -> Result<()> {
        let line = self.seen.saturating_add(1);
        self.push_checked(line, row.checked(line, self.unread))
    }

    /// Adds a row checked as record `line`, or counts it and returns its error.
    #[inline]
    fn push_checked(&mut self, line: u64, row: Result<crate::table::Checked<'_>>) -> Result<()> {
        match row {
            Ok(crate::table::Checked::Row(r)) => self.push_fields(&r),
            Ok(crate::table::Checked::Segment(seg)) => self.push_fields(&seg),
            Err(e) => {
                self.seen = line;
                Err(e)
            }
        }
    }

    #[inline]
    fn push_fields<F: Fields + ?Sized>(&mut self, seg: &F) -> Result<()> {
        match self.admit(seg)? {
            Some(a) => self.record(seg, a, None),
            None => Ok(()),
        }
    }

    /// The checks and the group of the next segment: `None` when it is filtered out or
    /// clipped away, else its clipped span, interned app and group. In the mode for sorted
    /// input, a segment that starts before the previous one is refused.
    #[inline]
    fn admit<F: Fields + ?Sized>(&mut self, seg: &F) -> Result<Option<Admitted>> {
        self.seen = self.seen.saturating_add(1);
        if let Some(sorted) = &mut self.sorted {
            // Every segment is in order, kept or not: a filter must not hide a disorder.
            let (s, _) = seg.span(self.seen)?;
            sorted.check_order(s, self.seen)?;
        }
        if let Some(keep) = &self.filters
            && !keep.accepts(seg.role(), seg.spec(), seg.app(), seg.dims())
        {
            return Ok(None);
        }
        let (mut s, mut e) = seg.span(self.seen)?;
        if let Some((lo, hi)) = self.clip {
            s = s.max(lo);
            e = e.min(hi);
            if s >= e {
                return Ok(None);
            }
        }
        if u64::try_from(e.saturating_sub(s)).unwrap_or(u64::MAX) > self.max_segment {
            return Err(Error::segment_too_long(
                self.seen,
                e.saturating_sub(s),
                self.max_segment,
            ));
        }
        let app = if self.need_ids() || self.split[0] {
            self.apps.id(seg.app(), self.approx.is_some())?
        } else {
            0
        };
        let group = self.group_of(seg, app)?;
        Ok(Some(Admitted { s, e, app, group }))
    }

    /// Records an admitted segment (its user and channel already interned when `interned`).
    #[inline]
    fn record<F: Fields + ?Sized>(
        &mut self,
        seg: &F,
        admitted: Admitted,
        interned: Option<(u32, u32)>,
    ) -> Result<()> {
        let Admitted { s, e, app, group } = admitted;
        let approx = self.approx.is_some();
        let scope_app = if self.global { 0 } else { app };
        let (user, channel) = match (self.need_ids(), interned) {
            (true, Some(ids)) => ids,
            (true, None) => (
                self.users.id(seg.user(), approx)?,
                self.channels.id(seg.channel(), approx)?,
            ),
            (false, _) => (0, 0),
        };
        let user_key = (u64::from(scope_app) << 32) | u64::from(user);
        let chan_key = (u64::from(scope_app) << 32) | u64::from(channel);
        let (user_hash, chan_hash) = match self.approx {
            Some(_) => {
                let ah = if self.global {
                    stable_hash(&[b""])
                } else {
                    self.apps.hash(app)
                };
                (
                    combine(ah, self.users.hash(user)),
                    combine(ah, self.channels.hash(channel)),
                )
            }
            None => (0, 0),
        };
        let role = usize::from(seg.role() == Role::Subscribe);
        let spec = seg.spec();
        let buckets = self.query.buckets();
        if let Some(sorted) = &mut self.sorted {
            // Clipped starts are in order too: no later segment reaches a bucket before this
            // one's first.
            sorted.before_pieces(
                buckets.start_of_index(buckets.index_of(s)),
                &mut self.distinct_list,
                usize::try_from(group).unwrap_or(usize::MAX),
                self.want_users.then_some((user_key, user_hash)),
                self.want_channels.then_some((chan_key, chan_hash)),
            );
        }
        for (bucket, secs) in buckets.split_seconds(s, e) {
            let ci = self.cell(group, bucket)?;
            let cell = self
                .cell_list
                .get_mut(ci)
                .ok_or_else(|| Error::overflow("cells"))?;
            if let Some(t) = cell.secs.get_mut(role) {
                let v = &mut t[spec];
                *v = v
                    .checked_add(secs)
                    .ok_or_else(|| Error::overflow("seconds"))?;
            }
            if role == 1 {
                let m = &mut cell.ceil_minutes[spec];
                // Never above the seconds just added without overflow, but checked as core's
                // `MinutePolicy::billable_minutes` checks it rather than saturating.
                *m = m
                    .checked_add(secs.div_ceil(60))
                    .ok_or_else(|| Error::overflow("billable minutes"))?;
            }
            cell.pieces = cell.pieces.saturating_add(1);
            if self.staging {
                let Ok(c) = u32::try_from(ci) else {
                    return Err(Error::overflow("cells"));
                };
                self.staged.push(match self.approx {
                    Some(_) => (c, user_hash, chan_hash),
                    None => (c, user_key, chan_key),
                });
            } else if let Some(d) = self.distinct_list.get_mut(ci) {
                // Present exactly when distinct counting is on.
                if self.want_users {
                    d.0.insert(user_key, user_hash);
                }
                if self.want_channels {
                    d.1.insert(chan_key, chan_hash);
                }
            }
        }
        if self.staged.len() >= STAGED {
            self.flush_staged();
        }
        if self.want_peaks || self.want_streams {
            let publisher = match (seg.publisher(), seg.role(), self.want_peaks) {
                (Some(p), Role::Subscribe, true) => self.users.id(p, approx)?,
                _ => NONE,
            };
            let gi = usize::try_from(group).map_err(|_| Error::overflow("groups"))?;
            let relation = (self.want_peaks && seg.role() == Role::Subscribe)
                .then_some((chan_key, (u64::from(publisher) << 32) | u64::from(user)));
            let channel = self.want_peaks.then_some(chan_key);
            if let Some(sorted) = &mut self.sorted {
                sorted.start(gi, (s, e), &buckets, self.want_streams, channel, relation)?;
            } else {
                let g = self
                    .group_list
                    .get_mut(gi)
                    .ok_or_else(|| Error::overflow("groups"))?;
                if self.want_streams {
                    g.streams.push(s, 1);
                    g.streams.push(e, -1);
                }
                if let Some(ch) = channel {
                    g.channels.push(ch, s, e);
                }
                if let Some(rel) = relation {
                    g.relations.push(rel, s, e);
                }
            }
        }
        self.segments = self.segments.saturating_add(1);
        Ok(())
    }

    /// Makes the staged distinct insertions, by cell: each cell's sets are reached once
    /// per flush instead of once per segment (a random cell per segment would cost a few cache
    /// misses each). The staging buffer holds at most [`STAGED`] insertions.
    fn flush_staged(&mut self) {
        if self.staged.is_empty() {
            return;
        }
        crate::radix::sort_by_key_in(&mut self.staged, &mut self.staged_scratch, |x| {
            [u64::from(x.0)]
        });
        for &(c, u, ch) in &self.staged {
            if let Some(d) = usize::try_from(c)
                .ok()
                .and_then(|c| self.distinct_list.get_mut(c))
            {
                // Staged values are keys for exact sets and hashes for sketches.
                if self.want_users {
                    d.0.insert(u, u);
                }
                if self.want_channels {
                    d.1.insert(ch, ch);
                }
            }
        }
        self.staged.clear();
    }

    /// The group of `seg` (`app`: its interned app), created when new.
    #[inline]
    fn group_of<F: Fields + ?Sized>(&mut self, seg: &F, app: u32) -> Result<u32> {
        let mut key = [0_u32; 7];
        if self.split[0] {
            key[0] = app;
        }
        let opt = seg.dims();
        for (i, (value, interner)) in opt.into_iter().zip(self.dims.iter_mut()).enumerate() {
            let slot = i.saturating_add(1);
            if self.split.get(slot).copied().unwrap_or(false) {
                let id = match value {
                    Some(v) => interner.id(v, false)?,
                    None => NONE,
                };
                if let Some(k) = key.get_mut(slot) {
                    *k = id;
                }
            }
        }
        if self.split[5] {
            key[5] = u32::try_from(seg.spec().index()).unwrap_or(0);
        }
        if self.split[6] {
            key[6] = u32::from(seg.role() == Role::Subscribe);
        }
        if let Some(&g) = self.groups.get(&GroupIds(key)) {
            return Ok(g);
        }
        let g = u32::try_from(self.group_list.len())
            .ok()
            .filter(|&g| g != NONE)
            .ok_or_else(|| Error::overflow("groups"))?;
        if let Some(sorted) = &mut self.sorted {
            let totals = if self.want_users || self.want_channels {
                Some((
                    sorted::Total::new(self.approx)?,
                    sorted::Total::new(self.approx)?,
                ))
            } else {
                None
            };
            sorted.add_group(totals);
        }
        self.groups.insert(GroupIds(key), g);
        self.group_list.push(GroupAcc {
            key,
            ..GroupAcc::default()
        });
        Ok(g)
    }

    /// The index of the cell of `(group, bucket)`, created when new.
    #[inline]
    fn cell(&mut self, group: u32, bucket: i64) -> Result<usize> {
        let gi = usize::try_from(group).map_err(|_| Error::overflow("groups"))?;
        let slot = self
            .group_list
            .get_mut(gi)
            .and_then(|g| g.buckets.slot(bucket, self.width));
        let found = match &slot {
            Some(s) => (**s != NONE).then_some(**s),
            None => self.cells.get(&(group, bucket)).copied(),
        };
        if let Some(i) = found {
            return usize::try_from(i).map_err(|_| Error::overflow("cells"));
        }
        let idx = self.cell_list.len();
        let i = u32::try_from(idx)
            .ok()
            .filter(|&i| i != NONE)
            .ok_or_else(|| Error::overflow("cells"))?;
        match slot {
            Some(s) => *s = i,
            None => {
                self.cells.insert((group, bucket), i);
            }
        }
        self.cell_list.push(CellAcc {
            pieces: 0,
            secs: [PerSpec::default(); 2],
            ceil_minutes: PerSpec::default(),
        });
        self.cell_keys.push((group, bucket));
        if self.want_distinct() {
            let pair = (Distinct::empty(self.approx)?, Distinct::empty(self.approx)?);
            self.distinct_list.push(pair);
        }
        let distinct = self.want_distinct();
        if let Some(sorted) = &mut self.sorted {
            sorted.add_cell(i, bucket, distinct);
        }
        Ok(idx)
    }

    /// The state so far, as a mergeable value (the aggregator stays usable).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for an aggregator in the mode for sorted input
    /// ([`Aggregator::sorted`]), which keeps no mergeable state.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// assert_eq!(agg.to_state()?.group_keys().len(), 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn to_state(&self) -> Result<UsageState> {
        self.check_mergeable()?;
        let dicts = [
            self.apps.dict.clone(),
            self.users.dict.clone(),
            self.channels.dict.clone(),
        ];
        Ok(self.state_with(self.group_keys(), dicts, |ci| {
            self.distinct_list.get(ci).cloned()
        }))
    }

    /// Refuses a state of the mode for sorted input.
    fn check_mergeable(&self) -> Result<()> {
        match self.sorted {
            Some(_) => Err(Error::invalid(
                "mode",
                "sorted input",
                "the mergeable mode (Aggregator::new): an aggregator for sorted input sweeps its peaks as segments arrive and has no state",
            )),
            None => Ok(()),
        }
    }

    /// The key of each group, by group id.
    fn group_keys(&self) -> Vec<GroupKey> {
        self.group_list
            .iter()
            .map(|g| self.group_key(&g.key))
            .collect()
    }

    /// The state of the aggregator with group keys `keys` (by group id), dictionaries `dicts`
    /// (apps, users, channels) and the distinct sets of cell `ci` given by `sets(ci)`: taken by
    /// [`Aggregator::finish`], copied by [`Aggregator::to_state`]. The state keeps the
    /// aggregator's numbering: sets, activity and relations keep their packed keys, and no id
    /// is spelled out.
    fn state_with(
        &self,
        keys: Vec<GroupKey>,
        dicts: [Dict; 3],
        mut sets: impl FnMut(usize) -> Option<DistinctPair>,
    ) -> UsageState {
        let mut state = UsageState::new(self.query.clone());
        state.segments = self.segments;
        [state.apps, state.users, state.channels] = dicts;
        for (ci, (cell, &(g, bucket))) in self.cell_list.iter().zip(&self.cell_keys).enumerate() {
            let (users, channels) = sets(ci).map_or((None, None), |(u, c)| (Some(u), Some(c)));
            let Some(key) = usize::try_from(g).ok().and_then(|g| keys.get(g)) else {
                continue;
            };
            let out = Cell {
                publish_seconds: cell.secs[0],
                subscribe_seconds: cell.secs[1],
                subscribe_ceil_minutes: cell.ceil_minutes,
                pieces: cell.pieces,
                users: users.filter(|_| self.want_users),
                channels: channels.filter(|_| self.want_channels),
            };
            state.group_mut(key.clone()).cells.insert(bucket, out);
        }
        for (g, key) in self.group_list.iter().zip(keys) {
            let gs = state.group_mut(key);
            for (key, list) in by_key(&g.channels.compacted()) {
                gs.channel_activity
                    .entry(key)
                    .or_default()
                    .union_with(&IntervalSet::from(list));
            }
            gs.stream_deltas = g.streams.compacted().iter().copied().collect();
            for (key, list) in by_key(&g.relations.compacted()) {
                gs.relation_activity
                    .entry(key)
                    .or_default()
                    .union_with(&IntervalSet::from(list));
            }
        }
        state
    }

    /// Consumes the aggregator and returns its state.
    ///
    /// # Errors
    ///
    /// As [`Aggregator::to_state`].
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let st = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?.finish()?;
    /// assert_eq!(st.segments(), 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn finish(mut self) -> Result<UsageState> {
        self.check_mergeable()?;
        // The keys name apps through the dictionary about to be handed over.
        let keys = self.group_keys();
        let dicts = [
            std::mem::take(&mut self.apps.dict),
            std::mem::take(&mut self.users.dict),
            std::mem::take(&mut self.channels.dict),
        ];
        let mut sets: Vec<Option<DistinctPair>> = std::mem::take(&mut self.distinct_list)
            .into_iter()
            .map(Some)
            .collect();
        Ok(self.state_with(keys, dicts, |ci| sets.get_mut(ci).and_then(Option::take)))
    }

    /// The report of the segments so far, computed on the interned tables (several times
    /// faster than [`Aggregator::to_state`] followed by [`UsageState::report`], and equal
    /// to it).
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] if a sum overflows.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 90)?);
    /// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?;
    /// agg.push(&s)?;
    /// assert_eq!(agg.report(MinutePolicy::Exact)?, agg.to_state()?.report(MinutePolicy::Exact)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report(&self, policy: MinutePolicy) -> Result<UsageReport> {
        Ok(assemble_groups(
            &self.query,
            policy,
            self.segments,
            self.report_groups(policy)?,
        ))
    }

    /// The rows and total of each group, in the order of the groups' keys.
    fn report_groups(&self, policy: MinutePolicy) -> Result<Vec<GroupReport>> {
        let width = i64::from(self.query.buckets().granularity().seconds());
        let mut per_group: Vec<Vec<(i64, usize)>> = vec![Vec::new(); self.group_list.len()];
        for (i, &(g, b)) in self.cell_keys.iter().enumerate() {
            if let Some(v) = usize::try_from(g).ok().and_then(|g| per_group.get_mut(g)) {
                v.push((b, i));
            }
        }
        let mut order: Vec<(GroupKey, usize)> = self
            .group_list
            .iter()
            .enumerate()
            .map(|(i, g)| (self.group_key(&g.key), i))
            .collect();
        order.sort();
        let mut out = Vec::with_capacity(order.len());
        let (mut scratch, mut user_bits, mut chan_bits) = (Vec::new(), Vec::new(), Vec::new());
        for (key, gi) in order {
            let (Some(cells), Some(g)) = (per_group.get_mut(gi), self.group_list.get(gi)) else {
                continue;
            };
            cells.sort_unstable();
            let mut figures = Vec::with_capacity(cells.len());
            let mut users = Union::default();
            let mut chans = Union::default();
            // Cells' distinct sets are counted on a bitset over every (app, id) when it takes
            // at most two words per key of the group (else by sorting).
            let (user_span, chan_span) = match self.sorted {
                Some(_) => (None, None),
                None => (
                    self.dense_span(cells, &self.users, |d| &d.0, &mut user_bits),
                    self.dense_span(cells, &self.channels, |d| &d.1, &mut chan_bits),
                ),
            };
            for &(b, ci) in cells.iter() {
                let Some(c) = self.cell_list.get(ci) else {
                    continue;
                };
                let d = self.distinct_list.get(ci);
                let (cell_users, cell_channels) = match &self.sorted {
                    // The counts of a completed cell, or of its sets still open.
                    Some(sorted) => {
                        let counts = sorted
                            .done(ci)
                            .or_else(|| d.map(|d| (d.0.count(), d.1.count())));
                        (
                            counts.filter(|_| self.want_users).map(|c| c.0),
                            counts.filter(|_| self.want_channels).map(|c| c.1),
                        )
                    }
                    None => {
                        let (cu, cc) = (
                            d.filter(|_| self.want_users).map(|d| &d.0),
                            d.filter(|_| self.want_channels).map(|d| &d.1),
                        );
                        (
                            users.add(cu, user_span.map(|s| (s, &mut user_bits)))?,
                            chans.add(cc, chan_span.map(|s| (s, &mut chan_bits)))?,
                        )
                    }
                };
                figures.push((
                    b,
                    CellFigures {
                        publish_seconds: c.secs[0],
                        subscribe_seconds: c.secs[1],
                        subscribe_ceil_minutes: c.ceil_minutes,
                        users: cell_users,
                        channels: cell_channels,
                    },
                ));
            }
            // The buckets of the rows, as `group_rows` reads them.
            let starts: Vec<i64> = figures.iter().map(|(b, _)| *b).collect();
            let (peaks, stream_peaks, total_users, total_channels) = match &self.sorted {
                Some(sorted) => {
                    let [ch, rel, streams] = sorted.peaks(gi, &starts, &self.query.buckets());
                    let totals = sorted.total_counts(gi);
                    (
                        self.want_peaks.then_some((ch, rel)),
                        self.want_streams.then_some(streams),
                        totals.filter(|_| self.want_users).map(|t| t.0),
                        totals.filter(|_| self.want_channels).map(|t| t.1),
                    )
                }
                None => (
                    self.want_peaks.then(|| {
                        (
                            stretch_peaks(&g.channels, &starts, width),
                            stretch_peaks(&g.relations, &starts, width),
                        )
                    }),
                    self.want_streams
                        .then(|| peaks_of_sorted(&g.streams.compacted(), &starts, width)),
                    users.count(&mut scratch),
                    chans.count(&mut scratch),
                ),
            };
            let gf = GroupFigures {
                group: labelled(self.query.split_by(), &key),
                cells: figures,
                events: None,
                peaks,
                stream_events: None,
                stream_peaks,
                total_users,
                total_channels,
            };
            let (mut rows, mut totals) = (Vec::new(), Vec::new());
            group_rows(gf, policy, width, &mut rows, &mut totals)?;
            out.push((key, rows, totals));
        }
        Ok(out)
    }

    /// The span of ids (`Some(n)`: every key is `app << 32 | id` with `id < n`) when the exact
    /// distinct sets of `cells` (the `which` of each) are to be counted on a bitset over every
    /// (app, id): when it takes at most two words per key stored in them; `bits` is then grown
    /// to that size (all zeros).
    fn dense_span(
        &self,
        cells: &[(i64, usize)],
        names: &Interner,
        which: impl Fn(&DistinctPair) -> &Distinct,
        bits: &mut Vec<u64>,
    ) -> Option<u64> {
        let keys = cells
            .iter()
            .filter_map(|&(_, ci)| self.distinct_list.get(ci))
            .map(|d| match which(d) {
                Distinct::Exact(s) => s.raw_parts().1.len(),
                Distinct::Approximate(_) => 0,
            })
            .fold(0_usize, usize::saturating_add);
        let apps = if self.global { 1 } else { self.apps.dict.len() };
        let span = u64::try_from(names.dict.len()).ok()?;
        let words = u64::try_from(apps).ok()?.checked_mul(span)?.div_ceil(64);
        let words = usize::try_from(words).ok()?;
        if keys == 0 || words > keys.saturating_mul(2) {
            return None;
        }
        if bits.len() < words {
            bits.resize(words, 0);
        }
        Some(span)
    }

    fn group_key(&self, key: &[u32; 7]) -> GroupKey {
        crate::state::group_key_of(self.query.split_by(), key, |d, v| match d {
            Dimension::App => Some(self.apps.name(v).to_owned()),
            _ if v == NONE => None,
            other => self
                .dims
                .get(other.index().saturating_sub(1))
                .map(|n| n.name(v).to_owned()),
        })
    }
}

/// Peak activity per bucket of `starts` from a group's stretches.
fn stretch_peaks<K: StretchKey>(s: &Stretches<K>, starts: &[i64], width: i64) -> Vec<u64> {
    match s.packed_events() {
        Some((lo, packed)) => peaks_of_packed(packed, lo, starts, width),
        None => peaks_per_bucket(&mut s.events(), starts, width),
    }
}

/// Groups compacted stretches by key: `(key, [(start, end)])`.
fn by_key<K: Copy + PartialEq>(list: &[(K, i64, i64)]) -> Vec<(K, Vec<(i64, i64)>)> {
    let mut out: Vec<(K, Vec<(i64, i64)>)> = Vec::new();
    for &(k, s, e) in list {
        match out.last_mut() {
            Some((last, v)) if *last == k => v.push((s, e)),
            _ => out.push((k, vec![(s, e)])),
        }
    }
    out
}

/// The union of the distinct sets of a group's cells: the cells' bitsets or-ed together,
/// their sparse keys collected.
#[derive(Default)]
struct Union {
    any: bool,
    bits: Vec<u64>,
    keys: Vec<u64>,
    sketch: Option<Hll>,
}

impl Union {
    /// Adds the ids of one cell; returns the cell's count (`None` when not computed).
    ///
    /// With `dense = Some((span, scratch))` (every key `app << 32 | id` has `id < span`, and
    /// `scratch`, all zeros, has a bit for every `app × span + id`), the cell's sparse keys
    /// are counted as bits of `scratch` (then cleared) instead of sorted.
    fn add(
        &mut self,
        d: Option<&Distinct>,
        dense: Option<(u64, &mut Vec<u64>)>,
    ) -> Result<Option<u64>> {
        Ok(match d {
            None => None,
            Some(Distinct::Exact(s)) => {
                self.any = true;
                let (bits, sparse_count) = match dense {
                    Some((span, scratch)) => {
                        let (bits, raw) = s.raw_parts();
                        let n = count_as_bits(raw, span, scratch);
                        self.keys.extend_from_slice(raw);
                        (bits, n)
                    }
                    None => {
                        let (bits, sparse) = s.parts();
                        self.keys.extend_from_slice(&sparse);
                        (bits, u64::try_from(sparse.len()).unwrap_or(u64::MAX))
                    }
                };
                let count = s.ones().saturating_add(sparse_count);
                if self.bits.len() < bits.len() {
                    self.bits.resize(bits.len(), 0);
                }
                for (a, b) in self.bits.iter_mut().zip(bits) {
                    *a |= b;
                }
                Some(count)
            }
            Some(Distinct::Approximate(h)) => {
                self.any = true;
                match &mut self.sketch {
                    Some(acc) => acc.merge(h)?,
                    None => self.sketch = Some(h.clone()),
                }
                Some(h.count())
            }
        })
    }

    /// The number of distinct ids added; `scratch` is all zeros, and left so.
    fn count(self, scratch: &mut Vec<u64>) -> Option<u64> {
        if !self.any {
            return None;
        }
        if let Some(h) = &self.sketch {
            return Some(h.count());
        }
        let sparse = distinct_outside(self.keys, &self.bits, scratch);
        let dense: u64 = self.bits.iter().map(|w| u64::from(w.count_ones())).sum();
        Some(dense.saturating_add(sparse))
    }
}

/// The number of distinct keys of `keys` (`app << 32 | id`, `id < span`), as bits
/// `app × span + id` of `scratch` (all zeros, large enough; left all zeros).
fn count_as_bits(keys: &[u64], span: u64, scratch: &mut [u64]) -> u64 {
    let index = |k: u64| {
        (k >> 32)
            .saturating_mul(span)
            .saturating_add(k & 0xffff_ffff)
    };
    let bit = |i: u64| (usize::try_from(i >> 6).ok(), 1_u64 << (i & 63));
    let mut n = 0_u64;
    for &k in keys {
        let (w, m) = bit(index(k));
        if let Some(word) = w.and_then(|w| scratch.get_mut(w))
            && *word & m == 0
        {
            *word |= m;
            n = n.saturating_add(1);
        }
    }
    for &k in keys {
        if let Some(word) = bit(index(k)).0.and_then(|w| scratch.get_mut(w)) {
            *word = 0;
        }
    }
    n
}

/// The number of distinct keys of `keys` that are not in the bitset `bits`. Keys are
/// `app << 32 | id`: when a bitset over every `(app, id)` up to the largest of each takes at
/// most two words per key, the keys are counted as bits of it (`scratch`: all zeros, left so,
/// grown as needed), else sorted and deduplicated.
fn distinct_outside(mut keys: Vec<u64>, bits: &[u64], scratch: &mut Vec<u64>) -> u64 {
    let in_bits = |k: u64| {
        crate::compact::bit_of(k, bits.len())
            .is_some_and(|(w, m)| bits.get(w).is_some_and(|x| x & m != 0))
    };
    let (apps, ids) = keys.iter().fold((0_u64, 0_u64), |(a, i), &k| {
        (a.max(k >> 32), i.max(k & 0xffff_ffff))
    });
    let span = ids.saturating_add(1);
    let words = apps
        .saturating_add(1)
        .checked_mul(span)
        .map(|u| u.div_ceil(64))
        .and_then(|w| usize::try_from(w).ok())
        .filter(|&w| w <= keys.len().saturating_mul(2));
    let Some(words) = words else {
        crate::radix::sort_u64(&mut keys);
        keys.dedup();
        let n = keys.iter().filter(|&&k| !in_bits(k)).count();
        return u64::try_from(n).unwrap_or(u64::MAX);
    };
    if scratch.len() < words {
        scratch.resize(words, 0);
    }
    let mut n = 0_u64;
    for &k in &keys {
        if in_bits(k) {
            continue;
        }
        let index = (k >> 32)
            .saturating_mul(span)
            .saturating_add(k & 0xffff_ffff);
        let slot = usize::try_from(index >> 6)
            .ok()
            .and_then(|w| scratch.get_mut(w));
        if let Some(word) = slot {
            let m = 1_u64 << (index & 63);
            if *word & m == 0 {
                *word |= m;
                n = n.saturating_add(1);
            }
        }
    }
    if let Some(used) = scratch.get_mut(..words) {
        used.fill(0);
    }
    n
}

#[cfg(test)]
mod tests {
    use mediameter_core::{BillingZone, Granularity, TimeRange};

    use super::*;
    use crate::query::Metrics;
    use mediameter_testdata::T0;

    fn queries() -> Vec<UsageQuery> {
        let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::Region])
            .with_metrics(Metrics {
                users: true,
                channels: true,
                peaks: true,
                stream_peaks: true,
            });
        vec![
            q.clone(),
            q.with_distinct(DistinctMode::Approximate { precision: 10 }),
        ]
    }

    /// `extend` stages distinct insertions and flushes them by cell, several times per call
    /// here: the same state and report as one `push` at a time (which makes them at once).
    #[test]
    fn extend_equals_push() {
        let segs = mediameter_testdata::segments(3000, 3).unwrap();
        for q in queries() {
            let mut a = Aggregator::new(q.clone()).unwrap();
            a.extend(&segs[..1000]).unwrap();
            a.extend(&segs[1000..]).unwrap();
            assert!(a.staged.is_empty());
            let mut b = Aggregator::new(q).unwrap();
            for s in &segs {
                b.push(s).unwrap();
            }
            let policy = MinutePolicy::CeilPerPeriod;
            assert_eq!(a.report(policy).unwrap(), b.report(policy).unwrap());
            assert_eq!(a.to_state().unwrap(), b.to_state().unwrap());
        }
    }

    #[test]
    fn distinct_outside_counts_either_way() {
        let mut scratch = Vec::new();
        // Dense keys of two apps: counted in the scratch bitset, left zeroed.
        let keys: Vec<u64> = (0..400_u64)
            .map(|i| ((i % 2) << 32) | (i * 7 % 150))
            .collect();
        let expected: std::collections::BTreeSet<u64> = keys.iter().copied().collect();
        let bits = vec![0b1011_u64];
        let outside = |k: &&u64| !(**k < 64 && bits[0] & (1 << **k) != 0);
        let want = expected.iter().filter(outside).count() as u64;
        assert_eq!(distinct_outside(keys.clone(), &bits, &mut scratch), want);
        assert!(!scratch.is_empty() && scratch.iter().all(|&w| w == 0));
        // Spread keys: sorted instead.
        let spread: Vec<u64> = (0..50_u64)
            .map(|i| (i << 32) | (i * 1_000_003))
            .chain([5, 5])
            .collect();
        let expected: std::collections::BTreeSet<u64> = spread.iter().copied().collect();
        let want = expected.iter().filter(outside).count() as u64;
        let before = scratch.len();
        assert_eq!(distinct_outside(spread, &bits, &mut scratch), want);
        assert_eq!(scratch.len(), before);
    }

    #[test]
    fn count_as_bits_counts_distinct_and_clears() {
        let keys: Vec<u64> = [(0_u64, 5_u64), (1, 5), (0, 5), (2, 99), (1, 0), (2, 99)]
            .iter()
            .map(|&(a, i)| (a << 32) | i)
            .collect();
        let mut scratch = vec![0_u64; 3 * 100 / 64 + 1];
        assert_eq!(count_as_bits(&keys, 100, &mut scratch), 4);
        assert!(scratch.iter().all(|&w| w == 0));
        assert_eq!(count_as_bits(&[], 100, &mut scratch), 0);
    }

    /// Queries for the two modes: every metric, splits with many, few and one group,
    /// filters, a clipping range, global ids, sketches.
    fn query_mix() -> Vec<UsageQuery> {
        vec![
            UsageQuery::new(BillingZone::GMT8, Granularity::HOUR),
            UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
                .with_split_by([Dimension::Region])
                .with_metrics(Metrics::ALL),
            UsageQuery::new(BillingZone::UTC, Granularity::DAY)
                .with_split_by([Dimension::App, Dimension::Spec, Dimension::Role])
                .with_id_scope(IdScope::Global)
                .with_metrics(Metrics::ALL),
            UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
                .with_split_by([Dimension::Region, Dimension::Spec])
                .with_filter(Dimension::Role, ["sub"])
                .unwrap()
                .with_range(TimeRange::from_unix(T0 + 1800, T0 + 86_400 + 7).unwrap())
                .with_metrics(Metrics::ALL),
            UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
                .with_split_by([Dimension::Region])
                .with_metrics(Metrics::DURATIONS),
            UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
                .with_split_by([Dimension::Region])
                .with_distinct(DistinctMode::Approximate { precision: 8 })
                .with_metrics(Metrics::ALL),
            UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
                .with_split_by([Dimension::Region])
                .with_metrics(Metrics {
                    users: true,
                    ..Metrics::DURATIONS
                }),
            UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
                .with_split_by([Dimension::Region])
                .with_metrics(Metrics {
                    stream_peaks: true,
                    ..Metrics::DURATIONS
                }),
        ]
    }

    /// Sorted by start time, as the sorted mode needs them.
    fn by_start(mut segs: Vec<StreamSegment>) -> Vec<StreamSegment> {
        segs.sort_by_key(|s| s.range.start());
        segs
    }

    /// The report of the mergeable mode over `segs`.
    fn mergeable(
        q: &UsageQuery,
        segs: &[StreamSegment],
        policy: MinutePolicy,
    ) -> Result<UsageReport> {
        let mut agg = Aggregator::new(q.clone())?;
        agg.extend(segs)?;
        agg.report(policy)
    }

    /// The report of the sorted mode over `segs`, pushed one at a time or by `extend`.
    fn swept(
        q: &UsageQuery,
        segs: &[StreamSegment],
        policy: MinutePolicy,
        batched: bool,
    ) -> Result<UsageReport> {
        let mut agg = Aggregator::sorted(q.clone())?;
        if batched {
            agg.extend(segs)?;
        } else {
            for s in segs {
                agg.push(s)?;
            }
        }
        agg.report(policy)
    }

    /// A distinct count asked for alone equals its figure in the report of every metric, and
    /// the other is `None`, in the aggregator, its state, and the sorted mode.
    #[test]
    fn one_distinct_count_alone() {
        let segs = by_start(mediameter_testdata::segments(3000, 4).unwrap());
        let all = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::Region]);
        let policy = MinutePolicy::Exact;
        let full = mergeable(&all, &segs, policy).unwrap();
        let cases = [(true, false), (false, true)];
        for (users, channels) in cases {
            let q = all.clone().with_metrics(Metrics {
                users,
                channels,
                ..Metrics::DURATIONS
            });
            let r = mergeable(&q, &segs, policy).unwrap();
            let mut agg = Aggregator::new(q.clone()).unwrap();
            agg.extend(&segs).unwrap();
            assert_eq!(r, agg.to_state().unwrap().report(policy).unwrap());
            assert_eq!(r, swept(&q, &segs, policy, true).unwrap());
            assert_eq!(r.rows.len(), full.rows.len());
            for (a, b) in r.rows.iter().zip(&full.rows) {
                assert_eq!(a.active_users, b.active_users.filter(|_| users));
                assert_eq!(a.channels, b.channels.filter(|_| channels));
                assert!(a.peak_channels.is_none() && b.peak_channels.is_some());
            }
            for (a, b) in r.totals.iter().zip(&full.totals) {
                assert_eq!(a.active_users, b.active_users.filter(|_| users));
                assert_eq!(a.channels, b.channels.filter(|_| channels));
            }
        }
    }

    /// The sorted mode gives the mergeable mode's report, pushed one at a time or by
    /// batches, and refuses a state.
    #[test]
    fn sorted_mode_equals_mergeable_mode() {
        let segs = by_start(mediameter_testdata::segments(2000, 11).unwrap());
        for q in query_mix() {
            for policy in [MinutePolicy::CeilPerPeriod, MinutePolicy::Exact] {
                let one = mergeable(&q, &segs, policy).unwrap();
                for batched in [false, true] {
                    let r = swept(&q, &segs, policy, batched).unwrap();
                    assert_eq!(r, one, "{q:?}, batched {batched}");
                }
            }
            let agg = Aggregator::sorted(q).unwrap();
            assert_eq!(
                agg.to_state().unwrap_err().kind(),
                crate::ErrorKind::Invalid
            );
            assert!(agg.finish().is_err());
        }
        let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
        let r = swept(&q, &[], MinutePolicy::Exact, true).unwrap();
        assert_eq!((r.segments, r.rows.len()), (0, 0));
    }

    /// The sorted mode counts and drops a cell's sets once its bucket is complete: over a
    /// day of hourly cells, only the cells of the last hours stay open.
    #[test]
    fn sorted_mode_frees_complete_cells() {
        let segs = by_start(mediameter_testdata::segments(3000, 6).unwrap());
        let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::Region])
            .with_metrics(Metrics::ALL);
        let mut agg = Aggregator::sorted(q.clone()).unwrap();
        agg.extend(&segs).unwrap();
        let sorted = agg.sorted.as_deref().unwrap();
        let last = segs.last().unwrap().range.start().timestamp();
        let open: Vec<usize> = agg
            .cell_keys
            .iter()
            .enumerate()
            .filter(|&(ci, _)| sorted.done(ci).is_none())
            .map(|(ci, _)| ci)
            .collect();
        assert!(
            agg.cell_keys.len() > 4 * open.len(),
            "{} of {}",
            open.len(),
            agg.cell_keys.len()
        );
        for (ci, &(_, bucket)) in agg.cell_keys.iter().enumerate() {
            let freed = matches!(&agg.distinct_list[ci], (Distinct::Exact(u), Distinct::Exact(c)) if u.count() == 0 && c.count() == 0);
            if sorted.done(ci).is_some() {
                assert!(freed && bucket + 3600 <= last, "cell {ci}");
            } else {
                assert!(
                    bucket + 3600 > last,
                    "cell {ci} of bucket {bucket} is complete"
                );
            }
        }
        assert_eq!(
            agg.report(MinutePolicy::Exact).unwrap(),
            mergeable(&q, &segs, MinutePolicy::Exact).unwrap()
        );
    }

    /// The sorted mode's group totals hold at most about one bit per app and id, whatever the
    /// number of segments: with ids scoped per app, a set of `app << 32 | id` keys never
    /// became a bitset and kept every pair as a 64-bit key (1 GiB at 50 M random segments).
    #[test]
    fn sorted_mode_totals_stay_bitsets() {
        use mediameter_core::{AppId, ChannelId, MediaSpec, Role, UserId};
        let (apps, users, n) = (20_u64, 5_000_u64, 200_000_u64);
        let mut agg = Aggregator::sorted(
            UsageQuery::new(BillingZone::UTC, Granularity::DAY).with_metrics(Metrics::ALL),
        )
        .unwrap();
        let mut x = 7_u64;
        let mut pairs = std::collections::HashSet::new();
        for i in 0..n {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let (app, user) = ((x >> 33) % apps, (x >> 17) % users);
            pairs.insert((app, user));
            let start = T0 + i64::try_from(i).unwrap();
            agg.push(&StreamSegment::new(
                AppId::new(format!("a{app}")).unwrap(),
                ChannelId::new(format!("c{}", user % 100)).unwrap(),
                UserId::new(format!("u{user}")).unwrap(),
                Role::Subscribe,
                MediaSpec::Audio,
                TimeRange::from_unix(start, start + 60).unwrap(),
            ))
            .unwrap();
        }
        let words = agg.sorted.as_deref().unwrap().total_words();
        // One bit per interned id per app, for users and channels, plus the slack of one
        // compaction.
        let bound = usize::try_from(2 * apps * (users + 100) / 64 + 2 * apps * 256).unwrap();
        assert!(
            words <= bound,
            "{words} words held, at most {bound} expected"
        );
        let r = agg.report(MinutePolicy::Exact).unwrap();
        assert_eq!(
            r.totals[0].active_users,
            Some(u64::try_from(pairs.len()).unwrap())
        );
    }

    /// A bad segment fails the sorted mode as it fails the mergeable mode, at the same
    /// record; a segment out of order is refused at its position.
    #[test]
    fn sorted_mode_fails_as_mergeable_mode() {
        let mut segs = by_start(mediameter_testdata::segments(500, 9).unwrap());
        let bad_at = 333;
        let start = segs[bad_at].range.start();
        segs[bad_at].range = TimeRange::new(
            start + chrono::Duration::milliseconds(250),
            start + chrono::Duration::seconds(60),
        )
        .unwrap();
        for q in query_mix() {
            let want = mergeable(&q, &segs, MinutePolicy::Exact).unwrap_err();
            for batched in [false, true] {
                let got = swept(&q, &segs, MinutePolicy::Exact, batched).unwrap_err();
                assert_eq!(got.to_string(), want.to_string());
                assert_eq!(got.line(), Some(u64::try_from(bad_at + 1).unwrap()));
            }
        }
        let mut segs = by_start(mediameter_testdata::segments(500, 9).unwrap());
        segs.swap(100, 400);
        // The first segment that starts before the one moved up to position 101.
        let first = (101..segs.len())
            .find(|&i| segs[i].range.start() < segs[100].range.start())
            .unwrap();
        let line = Some(u64::try_from(first + 1).unwrap());
        for q in query_mix() {
            for batched in [false, true] {
                let e = swept(&q, &segs, MinutePolicy::Exact, batched).unwrap_err();
                assert_eq!(
                    (e.line(), e.kind()),
                    (line, crate::ErrorKind::OutOfRange),
                    "{q:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// Random overlapping segments of few ids and groups, sorted by start: the sorted
        /// mode's report is the mergeable mode's.
        #[test]
        fn sorted_mode_matches_on_random_input(
            raw in proptest::collection::vec(
                (0_u8..3, 0_u8..4, 0_u8..6, proptest::bool::ANY, 0_usize..6, 0_i64..8 * 3600, 1_i64..5400, 0_u8..4, proptest::option::of(0_u8..6)),
                0..120,
            ),
            batched in proptest::bool::ANY,
        ) {
            use mediameter_core::{AppId, ChannelId, RegionId, Role, MediaSpec, UserId};

            let segs: Vec<StreamSegment> = raw
                .iter()
                .map(|&(app, ch, user, publish, spec, start, dur, reg, publ)| {
                    let role = if publish { Role::Publish } else { Role::Subscribe };
                    let s = StreamSegment::new(
                        AppId::new(format!("a{app}")).unwrap(),
                        ChannelId::new(format!("c{ch}")).unwrap(),
                        UserId::new(format!("u{user}")).unwrap(),
                        role,
                        MediaSpec::ALL[spec],
                        TimeRange::from_unix(T0.saturating_add(start), T0.saturating_add(start).saturating_add(dur)).unwrap(),
                    );
                    let s = if reg < 3 { s.with_region(RegionId::new(format!("r{reg}")).unwrap()) } else { s };
                    match (publ, publish) {
                        (Some(p), false) => s.with_publisher(UserId::new(format!("u{p}")).unwrap()),
                        _ => s,
                    }
                })
                .collect();
            let segs = by_start(segs);
            for q in query_mix() {
                let one = mergeable(&q, &segs, MinutePolicy::CeilPerPeriod).unwrap();
                let r = swept(&q, &segs, MinutePolicy::CeilPerPeriod, batched).unwrap();
                proptest::prop_assert_eq!(r, one);
            }
        }
    }

    /// A failing segment in the middle of `extend`: the segments before it are counted, and
    /// their staged insertions made.
    #[test]
    fn extend_error_keeps_what_came_before() {
        let mut segs = mediameter_testdata::segments(1500, 5).unwrap();
        let bad_at = 700;
        let mut bad = segs[bad_at].clone();
        let start = bad.range.start();
        bad.range = TimeRange::new(
            start + chrono::Duration::milliseconds(500),
            start + chrono::Duration::seconds(90),
        )
        .unwrap();
        segs[bad_at] = bad;
        for q in queries() {
            let mut a = Aggregator::new(q.clone()).unwrap();
            let e = a.extend(&segs).unwrap_err();
            assert_eq!(e.line(), Some(u64::try_from(bad_at + 1).unwrap()));
            assert!(a.staged.is_empty());
            let mut b = Aggregator::new(q).unwrap();
            b.extend(&segs[..bad_at]).unwrap();
            let policy = MinutePolicy::Exact;
            assert_eq!(a.report(policy).unwrap(), b.report(policy).unwrap());
            assert_eq!(a.to_state().unwrap(), b.to_state().unwrap());
        }
    }
}
