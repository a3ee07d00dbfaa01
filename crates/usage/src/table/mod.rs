//! A columnar, interned table of segments: load once, query many times.
//!
//! [`Aggregator`](crate::Aggregator) takes any stream of [`StreamSegment`]s in one pass and
//! never holds them. When the same segments answer several queries (a console's dashboards, an
//! export next to a report), or when they come from a file, a [`SegmentTable`] is faster:
//!
//! * every id is interned once, when the row is added (or straight from the bytes of a CSV
//!   file by [`SegmentTable::read_csv`], with no string allocated per field);
//! * a row is a handful of integers in columns (`u32` ids, one byte for role and spec, two
//!   `i64` instants), so a query reads only the columns it needs;
//! * [`SegmentTable::report`] answers a [`UsageQuery`](crate::UsageQuery) with the same
//!   [`UsageReport`](crate::UsageReport) as the aggregator (the tests check equality on random
//!   inputs), through dense arrays: a grid of cells indexed by group and bucket, a bitset of
//!   ids per cell for distinct counts when it fits, a per-second difference array (a counting
//!   sort) for stream peaks when the range is short enough, radix sorts otherwise;
//! * [`SegmentTable::report_parallel`] splits the rows between threads and merges their
//!   partial results exactly.

mod columns;
mod engine;
mod load;
mod rows;
mod stream;

use std::borrow::Borrow;

use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, Role,
    StreamSegment, TimeRange, UserId,
};

pub(crate) use crate::intern::Dict;
pub(crate) use columns::KindChecks;
pub use columns::{SegmentColumns, TextColumn};
#[cfg(feature = "serde")]
pub(crate) use load::valid_id;
pub(crate) use load::{Checked, Keep, Projection};
pub use rows::{RowLoader, SegmentRow};

use crate::error::{Error, Result};

/// The id of an absent optional value in a column.
pub(crate) const NONE: u32 = u32::MAX;

/// A column of optional ids that stays empty until a row has a value.
#[derive(Debug, Clone, Default)]
pub(crate) struct OptColumn {
    values: Vec<u32>,
}

impl OptColumn {
    #[inline]
    fn push(&mut self, row: usize, id: Option<u32>) {
        match id {
            Some(v) => {
                if self.values.len() < row {
                    self.values.resize(row, NONE);
                }
                self.values.push(v);
            }
            None if !self.values.is_empty() => self.values.push(NONE),
            None => {}
        }
    }

    /// The id of `row`, [`NONE`] when absent.
    #[inline]
    pub(crate) fn get(&self, row: usize) -> u32 {
        self.values.get(row).copied().unwrap_or(NONE)
    }

    fn remap(&mut self, map: &[u32]) {
        for v in &mut self.values {
            if *v != NONE {
                *v = map
                    .get(usize::try_from(*v).unwrap_or(usize::MAX))
                    .copied()
                    .unwrap_or(NONE);
            }
        }
    }

    /// Appends the values of `other` after the first `rows` rows; `total` rows in all.
    fn append(&mut self, rows: usize, total: usize, other: OptColumn) {
        if other.values.is_empty() && self.values.is_empty() {
            return;
        }
        self.values.resize(rows, NONE);
        self.values.extend(other.values);
        self.values.resize(total, NONE);
    }
}

/// The role and spec of a row in one byte: the spec's index, plus 8 for a subscription.
#[inline]
pub(crate) fn kind_of(role: Role, spec: MediaSpec) -> u8 {
    let spec = u8::try_from(spec.index()).unwrap_or(0);
    if role == Role::Subscribe {
        spec | SUB
    } else {
        spec
    }
}

/// The subscription bit of a row's kind byte.
pub(crate) const SUB: u8 = 8;

/// Stream segments in columns, with every id interned to a dense `u32`.
///
/// Rows keep their order: row `i` is the `i + 1`-th segment added, and errors of a report name
/// it as line `i + 1`, as [`Aggregator`](crate::Aggregator) names the position of a segment in
/// its input.
///
/// ```
/// use mediameter_core::{BillingZone, Granularity, MediaSpec, MinutePolicy};
/// use mediameter_usage::{Aggregator, Dimension, SegmentTable, UsageQuery, parse_csv};
///
/// let segments = parse_csv(
///     "app,channel,user,role,spec,region,start,end,publisher\n\
///      a1,room,host,pub,720p,cn-shanghai,1679273400,1679275800,\n\
///      a1,room,fan1,sub,720p,cn-shanghai,1679273700,1679274600,host\n",
/// )?;
/// let table = SegmentTable::from_segments(&segments)?;
/// assert_eq!(table.len(), 2);
///
/// let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
/// let report = table.report(&q, MinutePolicy::CeilPerPeriod)?;
/// let mut agg = Aggregator::new(q)?;
/// agg.extend(&segments)?;
/// assert_eq!(report, agg.report(MinutePolicy::CeilPerPeriod)?);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct SegmentTable {
    pub(crate) apps: Dict,
    pub(crate) channels: Dict,
    /// Users and publishers share one dictionary: a publisher is a user.
    pub(crate) users: Dict,
    /// Region, domain, instance, product type.
    pub(crate) dims: [Dict; 4],
    pub(crate) app: Vec<u32>,
    pub(crate) channel: Vec<u32>,
    pub(crate) user: Vec<u32>,
    pub(crate) publisher: OptColumn,
    /// Region, domain, instance, product type.
    pub(crate) dim: [OptColumn; 4],
    pub(crate) kind: Vec<u8>,
    pub(crate) start: Vec<i64>,
    pub(crate) end: Vec<i64>,
    /// The earliest start and the latest end of the rows.
    pub(crate) bounds: Option<(i64, i64)>,
}

impl SegmentTable {
    /// An empty table.
    ///
    /// ```
    /// assert!(mediameter_usage::SegmentTable::new().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        SegmentTable::default()
    }

    /// A table of `segments`, in their order.
    ///
    /// # Errors
    ///
    /// As [`SegmentTable::push`].
    ///
    /// ```
    /// # use mediameter_core::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 90)?);
    /// assert_eq!(mediameter_usage::SegmentTable::from_segments([&s, &s])?.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_segments<I>(segments: I) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: Borrow<StreamSegment>,
    {
        let mut t = SegmentTable::new();
        t.extend(segments)?;
        Ok(t)
    }

    /// The number of rows.
    ///
    /// ```
    /// assert_eq!(mediameter_usage::SegmentTable::new().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// Whether the table has no row.
    ///
    /// ```
    /// assert!(mediameter_usage::SegmentTable::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// Adds every segment of `segments`.
    ///
    /// # Errors
    ///
    /// As [`SegmentTable::push`]; the segments before the failing one are added.
    ///
    /// ```
    /// let mut t = mediameter_usage::SegmentTable::new();
    /// t.extend(Vec::<mediameter_core::StreamSegment>::new())?;
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

    /// Adds one segment as the last row.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] located at the new row's 1-based position ([`Error::line`]) for an instant with a
    /// fractional second (every vendor source has whole seconds); [`Error::Overflow`] beyond
    /// 2^32 − 1 rows or distinct ids of one kind.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// use chrono::DateTime;
    /// let mut t = mediameter_usage::SegmentTable::new();
    /// let half = DateTime::from_timestamp(0, 500_000_000).ok_or("out of range")?;
    /// let r = TimeRange::new(half, DateTime::from_timestamp(10, 0).ok_or("out of range")?)?;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?, Role::Publish, MediaSpec::Audio, r);
    /// assert_eq!(t.push(&s).unwrap_err().line(), Some(1));
    /// assert!(t.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push(&mut self, seg: &StreamSegment) -> Result<()> {
        self.push_projected(seg, Projection::ALL)
    }

    /// [`SegmentTable::push`] interning and keeping only the columns of `proj`.
    pub(crate) fn push_projected(&mut self, seg: &StreamSegment, proj: Projection) -> Result<()> {
        let row = self.len();
        if u32::try_from(row).map_or(true, |r| r == NONE) {
            return Err(Error::overflow("rows (more than 2^32 - 1)"));
        }
        let (start, end) = (seg.range.start(), seg.range.end());
        if start.timestamp_subsec_nanos() != 0 || end.timestamp_subsec_nanos() != 0 {
            let line = u64::try_from(row).unwrap_or(u64::MAX).saturating_add(1);
            return Err(Error::fractional_seconds(line, &seg.range));
        }
        // Intern everything kept first, so that a failure leaves the columns untouched.
        let app = if proj.app {
            self.apps.intern(seg.app.as_str())?
        } else {
            0
        };
        let channel = if proj.channel {
            self.channels.intern(seg.channel.as_str())?
        } else {
            0
        };
        let user = if proj.user {
            self.users.intern(seg.user.as_str())?
        } else {
            0
        };
        let publisher = match &seg.publisher {
            Some(p) if proj.publisher => Some(self.users.intern(p.as_str())?),
            _ => None,
        };
        let values = [
            seg.region.as_ref().map(|v| v.as_str()),
            seg.domain.as_ref().map(|v| v.as_str()),
            seg.instance.as_ref().map(|v| v.as_str()),
            seg.product_type.as_ref().map(|v| v.as_str()),
        ];
        let mut dims = [None; 4];
        for (((slot, dict), v), on) in dims
            .iter_mut()
            .zip(self.dims.iter_mut())
            .zip(values)
            .zip(proj.dims)
        {
            if let Some(v) = v.filter(|_| on) {
                *slot = Some(dict.intern(v)?);
            }
        }
        self.push_row_projected(
            Row {
                app,
                channel,
                user,
                publisher,
                dims,
                kind: kind_of(seg.role, seg.spec),
                start: start.timestamp(),
                end: end.timestamp(),
            },
            row,
            proj,
        );
        Ok(())
    }

    /// Appends an interned row (ids valid in this table's dictionaries, `start < end`, both
    /// inside [`TimeRange`]'s years), keeping only the columns of `proj`: the others stay
    /// empty (a table loaded for one query, which never reads them).
    #[inline]
    pub(crate) fn push_row_projected(&mut self, r: Row, row: usize, proj: Projection) {
        if proj.app {
            self.app.push(r.app);
        }
        if proj.channel {
            self.channel.push(r.channel);
        }
        if proj.user {
            self.user.push(r.user);
        }
        if proj.publisher {
            self.publisher.push(row, r.publisher);
        }
        for (d, on) in proj.dims.into_iter().enumerate() {
            if let (true, Some(col), Some(&v)) = (on, self.dim.get_mut(d), r.dims.get(d)) {
                col.push(row, v);
            }
        }
        self.kind.push(r.kind);
        self.start.push(r.start);
        self.end.push(r.end);
        self.bounds = Some(match self.bounds {
            Some((lo, hi)) => (lo.min(r.start), hi.max(r.end)),
            None => (r.start, r.end),
        });
    }

    /// Row `i` as a segment (`None` past the end).
    ///
    /// ```
    /// # use mediameter_core::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 90)?).with_region(RegionId::new("r1")?);
    /// let t = mediameter_usage::SegmentTable::from_segments([&s])?;
    /// assert_eq!(t.segment(0), Some(s));
    /// assert_eq!(t.segment(1), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn segment(&self, i: usize) -> Option<StreamSegment> {
        let kind = *self.kind.get(i)?;
        let name = |d: &Dict, id: u32| d.name(id).map(str::to_owned);
        let app = AppId::new(name(&self.apps, *self.app.get(i)?)?).ok()?;
        let channel = ChannelId::new(name(&self.channels, *self.channel.get(i)?)?).ok()?;
        let user = UserId::new(name(&self.users, *self.user.get(i)?)?).ok()?;
        let role = if kind & SUB != 0 {
            Role::Subscribe
        } else {
            Role::Publish
        };
        let spec = *MediaSpec::ALL.get(usize::from(kind & !SUB))?;
        let range = TimeRange::from_unix(*self.start.get(i)?, *self.end.get(i)?).ok()?;
        let mut s = StreamSegment::new(app, channel, user, role, spec, range);
        let opt = |d: &Dict, col: &OptColumn| name(d, col.get(i));
        if let Some(p) = opt(&self.users, &self.publisher) {
            s = s.with_publisher(UserId::new(p).ok()?);
        }
        let [region, domain, instance, ptype] = &self.dim;
        let [dr, dd, di, dt] = &self.dims;
        if let Some(v) = opt(dr, region) {
            s = s.with_region(RegionId::new(v).ok()?);
        }
        if let Some(v) = opt(dd, domain) {
            s = s.with_domain(DomainName::new(v).ok()?);
        }
        if let Some(v) = opt(di, instance) {
            s = s.with_instance(InstanceId::new(v).ok()?);
        }
        if let Some(v) = opt(dt, ptype) {
            s = s.with_product_type(ProductType::new(v).ok()?);
        }
        Some(s)
    }

    /// Every row as a segment, in order.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 90)?);
    /// let t = mediameter_usage::SegmentTable::from_segments([&s, &s])?;
    /// assert_eq!(t.segments().collect::<Vec<_>>(), [s.clone(), s]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn segments(&self) -> impl Iterator<Item = StreamSegment> + '_ {
        (0..self.len()).filter_map(|i| self.segment(i))
    }

    /// Appends the rows of `other` after this table's, re-interning its ids: how tables read
    /// from parts of a file on several threads become one.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] beyond 2^32 − 1 rows or distinct ids of one kind.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// let a = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 90)?);
    /// let b = StreamSegment::new(AppId::new("b")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Publish, MediaSpec::Audio, TimeRange::from_unix(0, 90)?);
    /// let mut t = mediameter_usage::SegmentTable::from_segments([&a])?;
    /// t.append(mediameter_usage::SegmentTable::from_segments([&b])?)?;
    /// assert_eq!(t.segments().collect::<Vec<_>>(), [a, b]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn append(&mut self, other: SegmentTable) -> Result<()> {
        self.append_on(other, false)
    }

    /// [`SegmentTable::append`]; with `two_threads` (and a large `other`), the kinds and
    /// instants of `other` are copied on a second thread while this thread re-interns its ids.
    /// On an error the table's rows are as they were (its dictionaries may hold more names).
    pub(crate) fn append_on(&mut self, mut other: SegmentTable, two_threads: bool) -> Result<()> {
        let untouched = |t: &SegmentTable| {
            t.is_empty()
                && [&t.apps, &t.channels, &t.users]
                    .into_iter()
                    .chain(&t.dims)
                    .all(|d| d.len() == 0)
        };
        if untouched(self) {
            // Nothing to re-intern or copy: the other table becomes this one.
            *self = other;
            return Ok(());
        }
        let rows = self.len();
        let total = rows.saturating_add(other.len());
        if u32::try_from(total).map_or(true, |r| r == NONE) {
            return Err(Error::overflow("rows (more than 2^32 - 1)"));
        }
        // The columns with no id never fail to append: copied first (beside the re-interning,
        // on two threads), and cut back if an id cannot be interned.
        let (kind, start, end) = (&mut self.kind, &mut self.start, &mut self.end);
        let (mut o_kind, mut o_start, mut o_end) = (
            std::mem::take(&mut other.kind),
            std::mem::take(&mut other.start),
            std::mem::take(&mut other.end),
        );
        let mut copy = move || {
            kind.append(&mut o_kind);
            start.append(&mut o_start);
            end.append(&mut o_end);
        };
        let (apps, channels, users, dicts) = (
            &mut self.apps,
            &mut self.channels,
            &mut self.users,
            &mut self.dims,
        );
        let mut absorb = || -> Result<_> {
            let maps = (
                apps.absorb(&other.apps)?,
                channels.absorb(&other.channels)?,
                users.absorb(&other.users)?,
            );
            let mut dims = Vec::with_capacity(dicts.len());
            for (mine, theirs) in dicts.iter_mut().zip(&other.dims) {
                dims.push(mine.absorb(theirs)?);
            }
            Ok((maps, dims))
        };
        let absorbed = if two_threads && other.len() >= PARALLEL_APPEND {
            std::thread::scope(|s| {
                let copying = s.spawn(copy);
                let absorbed = absorb();
                copying
                    .join()
                    .map_err(|_| Error::overflow("a worker thread stopped"))
                    .and(absorbed)
            })
        } else {
            copy();
            absorb()
        };
        let ((map_apps, map_channels, map_users), map_dims) = match absorbed {
            Ok(maps) => maps,
            Err(e) => {
                self.kind.truncate(rows);
                self.start.truncate(rows);
                self.end.truncate(rows);
                return Err(e);
            }
        };
        remap(&mut other.app, &map_apps);
        remap(&mut other.channel, &map_channels);
        remap(&mut other.user, &map_users);
        other.publisher.remap(&map_users);
        for ((col, other_col), map) in self.dim.iter_mut().zip(other.dim.iter_mut()).zip(&map_dims)
        {
            other_col.remap(map);
            col.append(rows, total, std::mem::take(other_col));
        }
        self.publisher
            .append(rows, total, std::mem::take(&mut other.publisher));
        self.app.append(&mut other.app);
        self.channel.append(&mut other.channel);
        self.user.append(&mut other.user);
        self.bounds = match (self.bounds, other.bounds) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (x, None) | (None, x) => x,
        };
        Ok(())
    }

    /// The number of distinct users (subscribers, publishers and named publishers alike).
    ///
    /// ```
    /// assert_eq!(mediameter_usage::SegmentTable::new().distinct_users(), 0);
    /// ```
    #[must_use]
    pub fn distinct_users(&self) -> usize {
        self.users.len()
    }

    /// The number of distinct channel ids (across apps).
    ///
    /// ```
    /// assert_eq!(mediameter_usage::SegmentTable::new().distinct_channels(), 0);
    /// ```
    #[must_use]
    pub fn distinct_channels(&self) -> usize {
        self.channels.len()
    }
}

/// One interned row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub(crate) app: u32,
    pub(crate) channel: u32,
    pub(crate) user: u32,
    pub(crate) publisher: Option<u32>,
    pub(crate) dims: [Option<u32>; 4],
    pub(crate) kind: u8,
    pub(crate) start: i64,
    pub(crate) end: i64,
}

/// Rows of the other table from which [`SegmentTable::append_on`] copies on two threads.
const PARALLEL_APPEND: usize = 1 << 16;

fn remap(col: &mut [u32], map: &[u32]) {
    for v in col {
        *v = map
            .get(usize::try_from(*v).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or(NONE);
    }
}

#[cfg(test)]
mod tests;
