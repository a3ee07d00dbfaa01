//! Aggregating segments that arrive sorted by start time, with memory that does not grow with
//! their number: [`SortedAggregator`].

use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use mediameter_core::{Buckets, MinutePolicy, Role, StreamSegment};

use crate::aggregate::Aggregator;
use crate::error::{Error, Result};
use crate::hash::{FastMap, stable_hash, stable_id_hash};
use crate::intervals::Level;
use crate::query::{DistinctMode, IdScope, Metrics, UsageQuery};
use crate::report::UsageReport;
use crate::state::Distinct;
use crate::table::Dict;

const NONE: u32 = u32::MAX;

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

/// The sweeps of one group.
#[derive(Debug, Clone)]
struct GroupSweeps {
    /// The split-by values, in the query's split order.
    key: Vec<Option<String>>,
    channels: Sweep<u64>,
    relations: Sweep<(u64, u64)>,
    streams: Sweep<u64>,
    /// Users and channels over every bucket (the group's totals).
    ids: Option<(Distinct, Distinct)>,
}

/// An [`Aggregator`] for segments sorted by start time, whose memory does not grow with the
/// number of segments: the peaks are swept as the segments arrive, keeping only what is open
/// and one peak per group and bucket, where the aggregator keeps every activity stretch so
/// that its state can merge with other shards'.
///
/// Its report equals the aggregator's over the same segments (a property test checks it on
/// random sorted inputs). It has no mergeable state: a peak swept here cannot be merged with
/// another shard's exactly; aggregate shards with [`Aggregator`] when they must merge.
///
/// Memory: the aggregator's cells (groups × buckets) and distinct sets (distinct ids per
/// cell), plus, for peaks, the interned ids, the segments open at the current instant, and
/// one number per group and bucket.
///
/// ```
/// use mediameter_core::*;
/// use mediameter_usage::{Dimension, SortedAggregator, UsageQuery};
///
/// let seg = |user: &str, start: i64, end: i64| -> Result<StreamSegment, mediameter_core::Error> {
///     Ok(StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new(user)?,
///         Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(start, end)?))
/// };
/// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
/// let mut agg = SortedAggregator::new(q)?;
/// agg.push(&seg("u1", 0, 4000)?)?;
/// agg.push(&seg("u2", 100, 200)?)?;
/// let report = agg.report(MinutePolicy::Exact)?;
/// assert_eq!(report.rows[0].peak_streams, Some(2));
/// assert_eq!(report.rows[1].peak_streams, Some(1));
/// // Out of order: refused, naming the segment.
/// assert_eq!(agg.push(&seg("u3", 50, 60)?).unwrap_err().line(), Some(3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SortedAggregator {
    inner: Aggregator,
    query: UsageQuery,
    buckets: Buckets,
    /// Buckets an open segment can span, plus one.
    span: i64,
    peaks: bool,
    streams: bool,
    global: bool,
    apps: Dict,
    channels: Dict,
    users: Dict,
    groups: Vec<GroupSweeps>,
    /// Groups by the stable hash of their key (collisions resolved by comparing keys).
    by_hash: FastMap<u64, Vec<u32>>,
    last_start: Option<i64>,
    seen: u64,
    /// Users and channels are both counted when either is asked for; the report shows those
    /// asked for.
    want_users: bool,
    want_channels: bool,
    approx: Option<u8>,
    /// Users and channels of the cells that can still receive pieces, by (bucket, group).
    open_cells: std::collections::BTreeMap<(i64, u32), (Distinct, Distinct)>,
    /// Users and channels counted in the complete cells, by (group, bucket).
    done_cells: FastMap<(u32, i64), (u64, u64)>,
}

impl SortedAggregator {
    /// An empty aggregator for `query`.
    ///
    /// # Errors
    ///
    /// As [`Aggregator::new`].
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let agg = SortedAggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// assert_eq!(agg.segments(), 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn new(query: UsageQuery) -> Result<Self> {
        let m = query.metrics();
        // The inner aggregator keeps the durations; distinct ids and peaks are kept here, for
        // the cells and activities not complete yet only.
        let inner = Aggregator::new(query.clone().with_metrics(Metrics::DURATIONS))?;
        let approx = match query.distinct() {
            DistinctMode::Exact => None,
            DistinctMode::Approximate { precision } => Some(precision),
        };
        let buckets = query.buckets();
        let width = u64::from(buckets.granularity().seconds()).max(1);
        let span = i64::try_from(query.max_segment_seconds().div_ceil(width))
            .unwrap_or(i64::MAX)
            .saturating_add(2);
        Ok(SortedAggregator {
            inner,
            buckets,
            span,
            peaks: m.peaks,
            streams: m.stream_peaks,
            global: query.id_scope() == IdScope::Global,
            query,
            apps: Dict::default(),
            channels: Dict::default(),
            users: Dict::default(),
            groups: Vec::new(),
            by_hash: FastMap::default(),
            last_start: None,
            seen: 0,
            want_users: m.users,
            want_channels: m.channels,
            approx,
            open_cells: std::collections::BTreeMap::new(),
            done_cells: FastMap::default(),
        })
    }

    /// Whether any distinct count (users or channels) is on.
    const fn distinct(&self) -> bool {
        self.want_users || self.want_channels
    }

    /// Segments counted so far (after filters and clipping).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(SortedAggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?.segments(), 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub const fn segments(&self) -> u64 {
        self.inner.segments()
    }

    /// Adds every segment of `segments`.
    ///
    /// # Errors
    ///
    /// As [`SortedAggregator::push`]; the segments before the failing one are counted.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let mut agg = SortedAggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// agg.extend(Vec::<StreamSegment>::new())?;
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn extend<I>(&mut self, segments: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Borrow<StreamSegment>,
    {
        for s in segments {
            self.push(s.borrow())?;
        }
        Ok(())
    }

    /// Adds one segment, which must not start before the previous one.
    ///
    /// # Errors
    ///
    /// An error located at [`Error::line`] (the 1-based position of the segment in this aggregator's
    /// input) for a segment that starts before the previous one, and as [`Aggregator::push`].
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let mut agg = SortedAggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Publish, MediaSpec::Audio, TimeRange::from_unix(10, 20)?);
    /// agg.push(&s)?;
    /// agg.push(&s)?; // equal starts are in order
    /// assert_eq!(agg.segments(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push(&mut self, seg: &StreamSegment) -> Result<()> {
        self.seen = self.seen.saturating_add(1);
        let start = seg.range.start().timestamp();
        if let Some(prev) = self.last_start
            && start < prev
        {
            return Err(Error::out_of_range(
                "start",
                start,
                format!("at least the previous segment's start {prev}: segments must be sorted by start time"),
            )
            .at_field(self.seen, "start"));
        }
        self.last_start = Some(start);
        let before = self.inner.segments();
        // The inner aggregator numbers segments from its own input: keep it in step.
        self.inner.push(seg).map_err(|e| e.with_line(self.seen))?;
        // Cells of buckets before this segment's can receive no more pieces.
        self.complete_before(self.buckets.index_of(start));
        if self.inner.segments() == before || !(self.peaks || self.streams || self.distinct()) {
            // Filtered out or clipped away: not part of any peak.
            return Ok(());
        }
        let (mut s, mut e) = (start, seg.range.end().timestamp());
        if let Some(r) = self.query.range() {
            s = s.max(r.start().timestamp());
            e = e.min(r.end().timestamp());
        }
        let g = self.group(seg)?;
        let (b, span) = (self.buckets, self.span);
        let ids = if self.peaks || self.distinct() {
            let app = if self.global {
                0
            } else {
                self.apps.intern(seg.app.as_str())?
            };
            let ch = self.channels.intern(seg.channel.as_str())?;
            let user = self.users.intern(seg.user.as_str())?;
            let publisher = match (&seg.publisher, seg.role) {
                (Some(p), Role::Subscribe) => self.users.intern(p.as_str())?,
                _ => NONE,
            };
            Some(((u64::from(app) << 32) | u64::from(ch), publisher, user, app))
        } else {
            None
        };
        if self.distinct()
            && let Some((ck, _, user, app)) = ids
        {
            self.count_ids(seg, g, (s, e), (app, user, ck))?;
        }
        let Some(gs) = self
            .groups
            .get_mut(usize::try_from(g).unwrap_or(usize::MAX))
        else {
            return Err(Error::overflow("groups"));
        };
        if self.streams {
            gs.streams.start(0, s, e, &b, span);
        }
        if let Some((ck, publisher, user, _)) = ids
            && self.peaks
        {
            gs.channels.start(ck, s, e, &b, span);
            if seg.role == Role::Subscribe {
                let rel = (ck, (u64::from(publisher) << 32) | u64::from(user));
                gs.relations.start(rel, s, e, &b, span);
            }
        }
        Ok(())
    }

    /// Adds the user and channel of `seg` (group `g`, clipped to `[s, e)`) to its cells and
    /// its group's totals.
    fn count_ids(
        &mut self,
        seg: &StreamSegment,
        g: u32,
        (s, e): (i64, i64),
        (app, user, ck): (u32, u32, u64),
    ) -> Result<()> {
        let app_name = if self.global { "" } else { seg.app.as_str() };
        let hashes = self.approx.map_or((0, 0), |_| {
            (
                stable_id_hash(app_name, seg.user.as_str()),
                stable_id_hash(app_name, seg.channel.as_str()),
            )
        });
        let uk = (u64::from(app) << 32) | u64::from(user);
        let approx = self.approx;
        for (bucket_start, _) in self.buckets.split_seconds(s, e) {
            let bucket = self.buckets.index_of(bucket_start);
            let cell = match self.open_cells.entry((bucket, g)) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert((Distinct::empty(approx)?, Distinct::empty(approx)?))
                }
            };
            cell.0.insert(uk, hashes.0);
            cell.1.insert(ck, hashes.1);
        }
        let gs = self
            .groups
            .get_mut(usize::try_from(g).unwrap_or(usize::MAX))
            .ok_or(Error::overflow("groups"))?;
        if gs.ids.is_none() {
            gs.ids = Some((Distinct::empty(approx)?, Distinct::empty(approx)?));
        }
        if let Some((u, c)) = &mut gs.ids {
            u.insert(uk, hashes.0);
            c.insert(ck, hashes.1);
        }
        Ok(())
    }

    /// Counts the distinct ids of the open cells of buckets before `bucket` and frees them.
    fn complete_before(&mut self, bucket: i64) {
        while let Some(entry) = self.open_cells.first_entry() {
            let &(b, g) = entry.key();
            if b >= bucket {
                break;
            }
            let (u, c) = entry.remove();
            self.done_cells.insert((g, b), (u.count(), c.count()));
        }
    }

    /// The group of `seg`, created when new.
    fn group(&mut self, seg: &StreamSegment) -> Result<u32> {
        let dims = self.query.split_by();
        let mut parts: Vec<&[u8]> = Vec::with_capacity(dims.len().saturating_mul(2));
        for d in dims {
            match d.value_of(seg) {
                Some(v) => {
                    parts.push(b"1");
                    parts.push(v.as_bytes());
                }
                None => parts.push(b"0"),
            }
        }
        let h = stable_hash(&parts);
        let same = |key: &[Option<String>]| {
            key.iter()
                .zip(dims)
                .all(|(k, d)| k.as_deref() == d.value_of(seg))
        };
        if let Some(list) = self.by_hash.get(&h) {
            for &g in list {
                let found = self
                    .groups
                    .get(usize::try_from(g).unwrap_or(usize::MAX))
                    .is_some_and(|gs| same(&gs.key));
                if found {
                    return Ok(g);
                }
            }
        }
        let g = u32::try_from(self.groups.len()).map_err(|_| Error::overflow("groups"))?;
        self.groups.push(GroupSweeps {
            key: dims
                .iter()
                .map(|d| d.value_of(seg).map(str::to_owned))
                .collect(),
            channels: Sweep::new(true),
            relations: Sweep::new(true),
            streams: Sweep::new(false),
            ids: None,
        });
        self.by_hash.entry(h).or_default().push(g);
        Ok(g)
    }

    /// The report of the segments so far: equal to [`Aggregator::report`] over them.
    ///
    /// # Errors
    ///
    /// As [`Aggregator::report`].
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let agg = SortedAggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY))?;
    /// assert!(agg.report(MinutePolicy::Exact)?.rows.is_empty());
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn report(&self, policy: MinutePolicy) -> Result<UsageReport> {
        let mut report = self.inner.report(policy)?;
        if !(self.peaks || self.streams || self.distinct()) {
            return Ok(report);
        }
        let (b, span) = (self.buckets, self.span);
        let mut by_key: std::collections::HashMap<&[Option<String>], usize> =
            std::collections::HashMap::with_capacity(self.groups.len());
        for (i, g) in self.groups.iter().enumerate() {
            by_key.insert(&g.key, i);
        }
        let finished: Vec<[Vec<(i64, u64)>; 3]> = self
            .groups
            .iter()
            .map(|g| {
                [
                    g.channels.clone().finished(&b, span),
                    g.relations.clone().finished(&b, span),
                    g.streams.clone().finished(&b, span),
                ]
            })
            .collect();
        let peak_of = |list: &[(i64, u64)], bucket: i64| -> u64 {
            list.binary_search_by_key(&bucket, |p| p.0)
                .ok()
                .and_then(|i| list.get(i))
                .map_or(0, |p| p.1)
        };
        let key_of = |group: &[(crate::Dimension, Option<String>)]| -> Vec<Option<String>> {
            group.iter().map(|(_, v)| v.clone()).collect()
        };
        for row in &mut report.rows {
            let key = key_of(&row.group);
            let Some(f) = by_key.get(key.as_slice()).and_then(|&i| finished.get(i)) else {
                continue;
            };
            let bucket = b.index_of(row.bucket_start.timestamp());
            if self.distinct() {
                let g = by_key.get(key.as_slice()).copied().unwrap_or(usize::MAX);
                let g = u32::try_from(g).unwrap_or(NONE);
                let (users, channels) = match self.done_cells.get(&(g, bucket)) {
                    Some(&done) => done,
                    None => self
                        .open_cells
                        .get(&(bucket, g))
                        .map_or((0, 0), |(u, c)| (u.count(), c.count())),
                };
                row.active_users = self.want_users.then_some(users);
                row.channels = self.want_channels.then_some(channels);
            }
            if self.peaks {
                row.peak_channels = Some(peak_of(&f[0], bucket));
                row.peak_communications = Some(peak_of(&f[1], bucket));
            }
            if self.streams {
                row.peak_streams = Some(peak_of(&f[2], bucket));
            }
        }
        if self.distinct() {
            for total in &mut report.totals {
                let key = key_of(&total.group);
                let ids = by_key
                    .get(key.as_slice())
                    .and_then(|&i| self.groups.get(i))
                    .and_then(|g| g.ids.as_ref());
                total.active_users = self.want_users.then(|| ids.map_or(0, |(u, _)| u.count()));
                total.channels = self
                    .want_channels
                    .then(|| ids.map_or(0, |(_, c)| c.count()));
            }
        }
        // Rows come group by group, in the order of the totals.
        let mut rows = report.rows.iter().peekable();
        for total in &mut report.totals {
            let mut max = [0_u64; 3];
            while let Some(r) = rows.next_if(|r| r.group == total.group) {
                for (m, v) in
                    max.iter_mut()
                        .zip([r.peak_channels, r.peak_communications, r.peak_streams])
                {
                    *m = (*m).max(v.unwrap_or(0));
                }
            }
            if !(self.peaks || self.streams) {
                continue;
            }
            if self.peaks {
                total.peak_channels = Some(max[0]);
                total.peak_communications = Some(max[1]);
            }
            if self.streams {
                total.peak_streams = Some(max[2]);
            }
        }
        Ok(report)
    }
}
