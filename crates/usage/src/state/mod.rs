//! The mergeable partial aggregate: [`UsageState`].

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use crate::error::{Error, Result};
use crate::hll::Hll;
use crate::intervals::IntervalSet;
use crate::query::UsageQuery;
#[cfg(feature = "serde")]
use crate::query::{Dimension, DistinctMode, IdScope};
use crate::spec_table::PerSpec;
#[cfg(feature = "serde")]
use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, UserId,
};

/// An id scoped to its app: `(app, id)`. Under [`IdScope::Global`](crate::IdScope::Global) the
/// app is the empty string.
pub(crate) type ScopedId = (String, String);

/// A set of distinct ids: exact, or a HyperLogLog sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub(crate) enum Distinct {
    /// Every `(app, id)` pair. Read back only in ascending order, each pair once (as a set
    /// serializes): the set is then built in one pass, not by one insertion per pair.
    Exact(
        #[cfg_attr(feature = "serde", serde(deserialize_with = "ascending_set"))]
        BTreeSet<ScopedId>,
    ),
    /// A sketch of the pairs' [`stable_id_hash`](crate::hash::stable_id_hash)es.
    Approximate(Hll),
}

/// An exact distinct set listed in ascending order, each pair once; anything else is refused
/// (no aggregation serializes it).
#[cfg(feature = "serde")]
fn ascending_set<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeSet<ScopedId>, D::Error> {
    let pairs: Vec<ScopedId> = serde::Deserialize::deserialize(d)?;
    for (i, w) in pairs.windows(2).enumerate() {
        if let [a, b] = w
            && a >= b
        {
            return Err(serde::de::Error::custom(format_args!(
                "an exact distinct set lists its pairs in ascending order, each once: pair {} is not after pair {i}",
                i.saturating_add(1)
            )));
        }
    }
    // Sorted input: the set is bulk-built without comparing pairs again.
    Ok(pairs.into_iter().collect())
}

impl Distinct {
    /// An empty set in `mode`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for an approximate precision outside 4..=16.
    #[cfg(test)]
    pub(crate) fn empty(mode: crate::DistinctMode) -> Result<Self> {
        Ok(match mode {
            crate::DistinctMode::Exact => Distinct::Exact(BTreeSet::new()),
            crate::DistinctMode::Approximate { precision } => {
                Distinct::Approximate(Hll::new(precision)?)
            }
        })
    }

    /// Adds the id `id` of app `app`.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, app: &str, id: &str) {
        match self {
            Distinct::Exact(s) => {
                s.insert((app.to_owned(), id.to_owned()));
            }
            Distinct::Approximate(h) => h.insert_hash(crate::hash::stable_id_hash(app, id)),
        }
    }

    /// The number of distinct ids (estimated in approximate mode).
    #[must_use]
    pub(crate) fn count(&self) -> u64 {
        match self {
            Distinct::Exact(s) => u64::try_from(s.len()).unwrap_or(u64::MAX),
            Distinct::Approximate(h) => h.count(),
        }
    }

    /// The number of distinct ids in the union of `sets` (estimated for sketches), without
    /// building the union of exact sets: their pairs are counted in one merge of the sorted
    /// sets, and none is copied. `None` when `sets` is empty.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when exact sets and sketches are mixed, or the sketches'
    /// precisions differ.
    pub(crate) fn union_count<'a>(sets: impl Iterator<Item = &'a Distinct>) -> Result<Option<u64>> {
        let mut exact = Vec::new();
        let mut sketch: Option<Distinct> = None;
        for d in sets {
            match (d, &mut sketch) {
                (Distinct::Exact(e), None) => exact.push(e.iter()),
                (Distinct::Approximate(_), None) if exact.is_empty() => sketch = Some(d.clone()),
                (_, Some(acc)) => acc.merge(d)?,
                // A sketch after exact sets: the same refusal as merging them.
                (Distinct::Approximate(_), None) => {
                    return Distinct::Exact(BTreeSet::new()).merge(d).map(|()| None);
                }
            }
        }
        if let Some(acc) = sketch {
            return Ok(Some(acc.count()));
        }
        if exact.is_empty() {
            return Ok(None);
        }
        // A k-way merge through a heap of the sets' heads: pairs come out ascending, equal
        // ones one after the other, and a pair is counted when it differs from the last.
        let mut heads: BinaryHeap<Reverse<(&ScopedId, usize)>> = exact
            .iter_mut()
            .enumerate()
            .filter_map(|(i, it)| it.next().map(|p| Reverse((p, i))))
            .collect();
        let (mut count, mut last) = (0_u64, None);
        while let Some(Reverse((pair, i))) = heads.pop() {
            if last != Some(pair) {
                count = count.saturating_add(1);
                last = Some(pair);
            }
            if let Some(next) = exact.get_mut(i).and_then(Iterator::next) {
                heads.push(Reverse((next, i)));
            }
        }
        Ok(Some(count))
    }

    /// Adds every id of `other`.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when one set is exact and the other a sketch, or the sketches'
    /// precisions differ.
    pub(crate) fn merge(&mut self, other: &Distinct) -> Result<()> {
        match (self, other) {
            (Distinct::Exact(a), Distinct::Exact(b)) => {
                // One pass over both sorted sets (inserting each pair would compare it with
                // log n others), cloning only the pairs of `other` this set lacks: a pair
                // both hold is kept, not copied. The merged pairs come out ascending, so the
                // set is bulk-built.
                if a.is_empty() {
                    a.clone_from(b);
                } else if !b.is_empty() {
                    let mut theirs = b.iter().peekable();
                    let mut merged = Vec::with_capacity(a.len().saturating_add(b.len()));
                    for pair in std::mem::take(a) {
                        while let Some(q) = theirs.next_if(|q| **q < pair) {
                            merged.push(q.clone());
                        }
                        theirs.next_if(|q| **q == pair);
                        merged.push(pair);
                    }
                    merged.extend(theirs.cloned());
                    *a = merged.into_iter().collect();
                }
                Ok(())
            }
            (Distinct::Approximate(a), Distinct::Approximate(b)) => a.merge(b),
            (a, _) => Err(Error::Incompatible {
                field: "distinct mode",
                left: if matches!(a, Distinct::Exact(_)) {
                    "exact"
                } else {
                    "approximate"
                }
                .to_owned(),
                right: if matches!(other, Distinct::Exact(_)) {
                    "exact"
                } else {
                    "approximate"
                }
                .to_owned(),
            }),
        }
    }
}

/// The figures of one group in one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Cell {
    /// Seconds of publishing, per spec.
    pub(crate) publish_seconds: PerSpec<u64>,
    /// Seconds of subscribing, per spec (the billed time, Alibaba Cloud RTC console guide).
    pub(crate) subscribe_seconds: PerSpec<u64>,
    /// Σ ⌈piece seconds / 60⌉ over the subscribe pieces of this bucket, per spec: the billable
    /// minutes under [`MinutePolicy::CeilPerRecord`](mediameter_core::MinutePolicy).
    pub(crate) subscribe_ceil_minutes: PerSpec<u64>,
    /// Number of segment pieces (a segment crossing a boundary gives one piece per bucket).
    pub(crate) pieces: u64,
    /// Distinct users with a segment in this bucket (`None` when not computed).
    pub(crate) users: Option<Distinct>,
    /// Distinct channels with a segment in this bucket (`None` when not computed).
    pub(crate) channels: Option<Distinct>,
}

impl Cell {
    fn merge(&mut self, other: &Cell) -> Result<()> {
        self.publish_seconds
            .checked_add_assign(&other.publish_seconds)?;
        self.subscribe_seconds
            .checked_add_assign(&other.subscribe_seconds)?;
        self.subscribe_ceil_minutes
            .checked_add_assign(&other.subscribe_ceil_minutes)?;
        self.pieces = self
            .pieces
            .checked_add(other.pieces)
            .ok_or(Error::overflow("pieces"))?;
        merge_opt(&mut self.users, other.users.as_ref())?;
        merge_opt(&mut self.channels, other.channels.as_ref())
    }
}

fn merge_opt(a: &mut Option<Distinct>, b: Option<&Distinct>) -> Result<()> {
    match (a.as_mut(), b) {
        (Some(x), Some(y)) => x.merge(y),
        (None, Some(y)) => {
            *a = Some(y.clone());
            Ok(())
        }
        (_, None) => Ok(()),
    }
}

/// A publish→subscribe relation: one communication (Alibaba Cloud RTC console guide). Identified by
/// the channel, the publishing user (when the segment names it) and the subscribing user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Relation {
    /// The app (empty under the global id scope).
    pub(crate) app: String,
    /// The channel.
    pub(crate) channel: String,
    /// The publisher, `None` when the subscribe segment does not name it.
    pub(crate) publisher: Option<String>,
    /// The subscriber.
    pub(crate) subscriber: String,
}

/// Everything kept for one group: its cells by bucket start, and the activity of its channels
/// and relations (for exact peak concurrency after merging).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct GroupState {
    /// Cells by bucket start (Unix seconds).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "unique_map"))]
    pub(crate) cells: BTreeMap<i64, Cell>,
    /// When each channel had at least one open segment in this group.
    #[cfg_attr(feature = "serde", serde(with = "map_as_vec"))]
    pub(crate) channel_activity: BTreeMap<ScopedId, IntervalSet>,
    /// When each relation had at least one open subscribe segment in this group.
    #[cfg_attr(feature = "serde", serde(with = "map_as_vec"))]
    pub(crate) relation_activity: BTreeMap<Relation, IntervalSet>,
    /// Net change of the number of open segments (streams) at each instant where it changes:
    /// additive across shards, so the merged peak of concurrent streams is exact.
    #[cfg_attr(feature = "serde", serde(default, with = "map_as_vec"))]
    pub(crate) stream_deltas: BTreeMap<i64, i64>,
}

impl GroupState {
    fn merge(&mut self, other: &GroupState) -> Result<()> {
        for (b, c) in &other.cells {
            match self.cells.get_mut(b) {
                Some(mine) => mine.merge(c)?,
                None => {
                    self.cells.insert(*b, c.clone());
                }
            }
        }
        for (k, v) in &other.channel_activity {
            self.channel_activity
                .entry(k.clone())
                .or_default()
                .union_with(v);
        }
        for (k, v) in &other.relation_activity {
            self.relation_activity
                .entry(k.clone())
                .or_default()
                .union_with(v);
        }
        for (t, d) in &other.stream_deltas {
            let e = self.stream_deltas.entry(*t).or_insert(0);
            *e = e.checked_add(*d).ok_or(Error::overflow("stream deltas"))?;
            if *e == 0 {
                self.stream_deltas.remove(t);
            }
        }
        Ok(())
    }
}

/// The values of the split-by dimensions of a group, in the query's split order; `None` where
/// a segment has no value for an optional dimension.
pub(crate) type GroupKey = Vec<Option<String>>;

/// The group key of value ids `key` (in [`Dimension::ALL`](crate::Dimension::ALL) order, as the
/// hot paths intern them): specs and roles by their names, apps and optional dimensions by
/// `name(dimension, id)` (`None` for an absent value).
pub(crate) fn group_key_of(
    split: &[crate::Dimension],
    key: &[u32; 7],
    name: impl Fn(crate::Dimension, u32) -> Option<String>,
) -> GroupKey {
    use crate::Dimension;
    split
        .iter()
        .map(|&d| {
            let v = key.get(d.index()).copied().unwrap_or(u32::MAX);
            match d {
                Dimension::Spec => mediameter_core::MediaSpec::ALL
                    .get(usize::try_from(v).unwrap_or(0))
                    .map(|s| s.as_str().to_owned()),
                Dimension::Role => Some(if v == 1 { "sub" } else { "pub" }.to_owned()),
                other => name(other, v),
            }
        })
        .collect()
}

/// A partial aggregate: the complete, mergeable result of aggregating some segments under a
/// [`UsageQuery`].
///
/// `merge` is associative and commutative, and merging the states of two shards gives exactly
/// the state of the union of the shards — durations, distinct counts (exact sets, or sketches
/// merged register-wise) and peaks (the activity intervals are merged, not the peaks). Build
/// one with [`Aggregator`](crate::Aggregator) or [`aggregate`](crate::aggregate); read it with
/// [`UsageState::report`].
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let seg = |u: &str, s, e| -> mediameter_core::Result<StreamSegment> {
///     Ok(StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?,
///         UserId::new(u)?, Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(s, e)?))
/// };
/// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
/// let mut a = aggregate(&q, [seg("u1", 0, 600)?])?;
/// let b = aggregate(&q, [seg("u2", 300, 900)?])?;
/// a.merge(&b)?;
/// assert_eq!(a, aggregate(&q, [seg("u1", 0, 600)?, seg("u2", 300, 900)?])?);
/// let report = a.report(MinutePolicy::CeilPerPeriod)?;
/// assert_eq!(report.rows[0].peak_communications, Some(2));
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
///
/// Reading a state back (`Deserialize`) checks it against its query, so a state that no
/// aggregation could have produced is refused with [`Error::Invalid`] rather than reported:
/// each group key has one valid value per split-by dimension; each cell starts on a bucket
/// boundary and holds distinct sets exactly for the metrics the query counts, in its distinct
/// mode (a sketch of its precision); activity and stream changes appear only when the query
/// computes peaks, each instant inside core's time range; every id is one core accepts (so of
/// bounded length); no group, bucket, channel, relation or instant is listed twice; and an
/// exact distinct set lists its pairs in ascending order, each once (as a state serializes
/// them), so that it is rebuilt in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "StateRepr"))]
pub struct UsageState {
    pub(crate) query: UsageQuery,
    #[cfg_attr(feature = "serde", serde(with = "map_as_vec"))]
    pub(crate) groups: BTreeMap<GroupKey, GroupState>,
    pub(crate) segments: u64,
}

impl UsageState {
    /// An empty state for `query`.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let s = UsageState::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY));
    /// assert_eq!(s.segments(), 0);
    /// ```
    #[must_use]
    pub fn new(query: UsageQuery) -> Self {
        UsageState {
            query,
            groups: BTreeMap::new(),
            segments: 0,
        }
    }

    /// The query the state was built for.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::DAY);
    /// assert_eq!(UsageState::new(q.clone()).query(), &q);
    /// ```
    #[must_use]
    pub fn query(&self) -> &UsageQuery {
        &self.query
    }

    /// Segments counted (after filters and range clipping).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(UsageState::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY)).segments(), 0);
    /// ```
    #[must_use]
    pub const fn segments(&self) -> u64 {
        self.segments
    }

    /// The keys of the groups, in order: each the values of the query's split-by dimensions
    /// in split order, `None` where a segment has no value for an optional dimension (the same
    /// values as [`UsageRow::group`](crate::UsageRow::group), without the dimensions).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let seg = |region: Option<&str>| -> mediameter_core::Result<StreamSegment> {
    ///     let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?,
    ///         UserId::new("u")?, Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 60)?);
    ///     Ok(match region { Some(r) => s.with_region(RegionId::new(r)?), None => s })
    /// };
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::DAY).with_split_by([Dimension::Region]);
    /// assert_eq!(UsageState::new(q.clone()).group_keys().count(), 0);
    /// let st = aggregate(&q, [seg(Some("cn-beijing"))?, seg(None)?])?;
    /// let keys: Vec<&[Option<String>]> = st.group_keys().collect();
    /// assert_eq!(keys, [&[None][..], &[Some("cn-beijing".to_owned())][..]]);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn group_keys(&self) -> impl ExactSizeIterator<Item = &[Option<String>]> + '_ {
        self.groups.keys().map(Vec::as_slice)
    }

    /// Merges `other` into `self`.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] if the two states were built under different queries;
    /// [`Error::Overflow`] if a counter would overflow (then `self` holds a partial merge and
    /// should be discarded).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let mut a = UsageState::new(UsageQuery::new(BillingZone::UTC, Granularity::DAY));
    /// let b = UsageState::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR));
    /// let err = a.merge(&b).unwrap_err();
    /// // The field that differs, each side cut to 64 characters; not two whole queries.
    /// assert!(err.to_string().starts_with("cannot merge states: query buckets differs ("));
    /// assert!(err.to_string().chars().count() < 200);
    /// ```
    pub fn merge(&mut self, other: &UsageState) -> Result<()> {
        if let Some((field, left, right)) = self.query.difference(&other.query) {
            return Err(Error::Incompatible { field, left, right });
        }
        self.segments = self
            .segments
            .checked_add(other.segments)
            .ok_or(Error::overflow("segments"))?;
        for (k, g) in &other.groups {
            match self.groups.get_mut(k) {
                Some(mine) => mine.merge(g)?,
                None => {
                    self.groups.insert(k.clone(), g.clone());
                }
            }
        }
        Ok(())
    }

    /// Distinct users of each group over all its buckets (a union, not a sum: a user active in
    /// two buckets counts once). `None` when distinct counting was off.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] only for a state deserialized with mixed distinct modes.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let seg = |s, e| -> mediameter_core::Result<StreamSegment> {
    ///     Ok(StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?,
    ///         UserId::new("u")?, Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(s, e)?))
    /// };
    /// let st = aggregate(&UsageQuery::new(BillingZone::UTC, Granularity::HOUR), [seg(0, 60)?, seg(7200, 7260)?])?;
    /// let users = st.distinct_users_by_group()?;
    /// assert_eq!(users.get(&vec![]).copied().flatten(), Some(1));
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn distinct_users_by_group(&self) -> Result<BTreeMap<Vec<Option<String>>, Option<u64>>> {
        let mut out = BTreeMap::new();
        for (k, g) in &self.groups {
            let users = g.cells.values().filter_map(|c| c.users.as_ref());
            out.insert(k.clone(), Distinct::union_count(users)?);
        }
        Ok(out)
    }

    pub(crate) fn group_mut(&mut self, key: GroupKey) -> &mut GroupState {
        self.groups.entry(key).or_default()
    }

    /// Checks that the state is one an aggregation under its query could have produced (the
    /// rules are listed on [`UsageState`]).
    #[cfg(feature = "serde")]
    fn validate(&self) -> Result<()> {
        let q = &self.query;
        let metrics = q.metrics();
        let buckets = q.buckets();
        let global = q.id_scope() == IdScope::Global;
        for (key, g) in &self.groups {
            check_key(q.split_by(), key)?;
            for (&start, cell) in &g.cells {
                check_instant("bucket start", start)?;
                if buckets.start_of_index(buckets.index_of(start)) != start {
                    return Err(Error::invalid(
                        "bucket start",
                        &start.to_string(),
                        "the start of one of the query's buckets",
                    ));
                }
                check_distinct("users", cell.users.as_ref(), metrics.users, q, |u| {
                    check_id(u, UserId::MAX_LEN, |s| UserId::new(s))
                })?;
                check_distinct(
                    "channels",
                    cell.channels.as_ref(),
                    metrics.channels,
                    q,
                    |c| check_id(c, ChannelId::MAX_LEN, |s| ChannelId::new(s)),
                )?;
            }
            let idle = g.channel_activity.is_empty() && g.relation_activity.is_empty();
            if !metrics.peaks && !idle {
                return Err(Error::invalid(
                    "activity",
                    "present",
                    "none: the query does not compute peaks",
                ));
            }
            for ((app, channel), set) in &g.channel_activity {
                check_app(app, global)?;
                check_id(channel, ChannelId::MAX_LEN, |s| ChannelId::new(s))?;
                check_activity(set)?;
            }
            for (r, set) in &g.relation_activity {
                check_app(&r.app, global)?;
                check_id(&r.channel, ChannelId::MAX_LEN, |s| ChannelId::new(s))?;
                if let Some(p) = &r.publisher {
                    check_id(p, UserId::MAX_LEN, |s| UserId::new(s))?;
                }
                check_id(&r.subscriber, UserId::MAX_LEN, |s| UserId::new(s))?;
                check_activity(set)?;
            }
            if !metrics.stream_peaks && !g.stream_deltas.is_empty() {
                return Err(Error::invalid(
                    "stream deltas",
                    "present",
                    "none: the query does not compute stream peaks",
                ));
            }
            let mut net = 0_i64;
            for (&t, &d) in &g.stream_deltas {
                check_instant("stream delta instant", t)?;
                if d == 0 {
                    return Err(Error::invalid(
                        "stream delta",
                        "0",
                        "a non-zero change (instants without change are left out)",
                    ));
                }
                net = net.checked_add(d).ok_or(Error::overflow("stream deltas"))?;
            }
            if net != 0 {
                return Err(Error::invalid(
                    "stream deltas",
                    &format!("net change {net}"),
                    "a net change of 0 (every segment that opens closes)",
                ));
            }
        }
        Ok(())
    }
}

/// The serialized form of a [`UsageState`], checked by `UsageState::validate` before it
/// becomes one.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct StateRepr {
    query: UsageQuery,
    #[serde(deserialize_with = "map_as_vec::deserialize")]
    groups: BTreeMap<GroupKey, GroupState>,
    segments: u64,
}

#[cfg(feature = "serde")]
impl TryFrom<StateRepr> for UsageState {
    type Error = Error;
    fn try_from(r: StateRepr) -> Result<Self> {
        let state = UsageState {
            query: r.query,
            groups: r.groups,
            segments: r.segments,
        };
        state.validate()?;
        Ok(state)
    }
}

/// A group key: one value per split-by dimension, each one that dimension can take (specs and
/// roles by name, the others valid ids of core, absent only for optional dimensions).
#[cfg(feature = "serde")]
fn check_key(split: &[Dimension], key: &GroupKey) -> Result<()> {
    if key.len() != split.len() {
        return Err(Error::invalid(
            "group key",
            &format!("{key:?}"),
            format!("{} values, one per split-by dimension", split.len()),
        ));
    }
    for (d, v) in split.iter().zip(key) {
        match (d, v.as_deref()) {
            (Dimension::Spec, Some(s)) if MediaSpec::ALL.iter().any(|m| m.as_str() == s) => {}
            (Dimension::Role, Some("pub" | "sub")) => {}
            (Dimension::App, Some(s)) => drop(AppId::new(s)?),
            (Dimension::Spec | Dimension::Role | Dimension::App, _) => {
                return Err(Error::invalid(
                    "group key",
                    &format!("{v:?}"),
                    format!("a value of the {} dimension", d.as_str()),
                ));
            }
            (_, None) => {}
            (Dimension::Region, Some(s)) => drop(RegionId::new(s)?),
            (Dimension::Domain, Some(s)) => drop(DomainName::new(s)?),
            (Dimension::Instance, Some(s)) => drop(InstanceId::new(s)?),
            (Dimension::ProductType, Some(s)) => drop(ProductType::new(s)?),
        }
    }
    Ok(())
}

/// An instant inside core's supported time range.
#[cfg(feature = "serde")]
fn check_instant(field: &'static str, t: i64) -> Result<()> {
    use mediameter_core::time::{END_UNIX_SECONDS, MIN_UNIX_SECONDS};
    if (MIN_UNIX_SECONDS..=END_UNIX_SECONDS).contains(&t) {
        Ok(())
    } else {
        Err(Error::out_of_range(
            field,
            t,
            "Unix seconds from 0001-01-01 to 10000-01-01",
        ))
    }
}

/// The app of a scoped id: empty under the global id scope, an app id otherwise.
#[cfg(feature = "serde")]
fn check_app(app: &str, global: bool) -> Result<()> {
    match (global, app.is_empty()) {
        (true, true) => Ok(()),
        (true, false) => Err(Error::invalid(
            "app",
            app,
            "an empty app: the query's id scope is global",
        )),
        (false, _) => check_id(app, AppId::MAX_LEN, |s| AppId::new(s)).map_err(Error::from),
    }
}

/// Checks `s` as the id type whose constructor is `new` checks it, building an id only to
/// word a refusal: reading back a state's millions of ids allocates none of them.
#[cfg(feature = "serde")]
fn check_id<T>(
    s: &str,
    max: usize,
    new: impl Fn(&str) -> mediameter_core::Result<T>,
) -> mediameter_core::Result<()> {
    if crate::table::valid_id(s, max) {
        Ok(())
    } else {
        new(s).map(drop)
    }
}

/// An activity set: not empty, inside core's time range.
#[cfg(feature = "serde")]
fn check_activity(set: &IntervalSet) -> Result<()> {
    let iv = set.intervals();
    match (iv.first(), iv.last()) {
        (Some(&(start, _)), Some(&(_, end))) => {
            check_instant("activity start", start)?;
            check_instant("activity end", end)
        }
        _ => Err(Error::invalid(
            "activity",
            "[]",
            "at least one interval (idle channels and relations are left out)",
        )),
    }
}

/// A cell's distinct set: present exactly when the query counts it, in the query's mode.
#[cfg(feature = "serde")]
fn check_distinct(
    field: &'static str,
    d: Option<&Distinct>,
    counted: bool,
    q: &UsageQuery,
    id: impl Fn(&str) -> mediameter_core::Result<()>,
) -> Result<()> {
    let global = q.id_scope() == IdScope::Global;
    match (d, counted, q.distinct()) {
        (None, false, _) => Ok(()),
        (None, true, _) => Err(Error::invalid(
            field,
            "null",
            "a distinct set: the query counts them",
        )),
        (Some(_), false, _) => Err(Error::invalid(
            field,
            "a distinct set",
            "null: the query does not count them",
        )),
        (Some(Distinct::Exact(set)), true, DistinctMode::Exact) => {
            for (app, x) in set {
                check_app(app, global)?;
                id(x)?;
            }
            Ok(())
        }
        (Some(Distinct::Approximate(h)), true, DistinctMode::Approximate { precision })
            if h.precision() == precision =>
        {
            Ok(())
        }
        (Some(other), true, mode) => Err(Error::invalid(
            field,
            match other {
                Distinct::Exact(_) => "an exact set",
                Distinct::Approximate(_) => "a sketch",
            },
            format!("a set in the query's distinct mode ({mode})"),
        )),
    }
}

#[cfg(feature = "serde")]
pub(crate) mod map_as_vec {
    //! A `BTreeMap` with non-string keys, serialized as a list of `[key, value]` pairs.
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer, K: Serialize, V: Serialize>(
        m: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.iter())
    }

    pub(crate) fn deserialize<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
    {
        let v = Vec::<(K, V)>::deserialize(d)?;
        let mut m = BTreeMap::new();
        for (k, x) in v {
            if m.insert(k, x).is_some() {
                return Err(serde::de::Error::custom(
                    "the same key twice in a list of [key, value] pairs",
                ));
            }
        }
        Ok(m)
    }
}

/// A map read as `BTreeMap` refusing a key named twice (serde's own reading keeps the last).
#[cfg(feature = "serde")]
fn unique_map<'de, D, K, V>(d: D) -> std::result::Result<BTreeMap<K, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: serde::Deserialize<'de> + Ord,
    V: serde::Deserialize<'de>,
{
    use std::marker::PhantomData;

    struct Unique<K, V>(PhantomData<(K, V)>);

    impl<'de, K, V> serde::de::Visitor<'de> for Unique<K, V>
    where
        K: serde::Deserialize<'de> + Ord,
        V: serde::Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map naming each key once")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut m = BTreeMap::new();
            while let Some((k, v)) = a.next_entry()? {
                if m.insert(k, v).is_some() {
                    return Err(serde::de::Error::custom("the same key twice in a map"));
                }
            }
            Ok(m)
        }
    }

    d.deserialize_map(Unique(PhantomData))
}

#[cfg(test)]
mod tests {
    use mediameter_core::{
        AppId, BillingZone, ChannelId, Granularity, MediaSpec, Role, StreamSegment, TimeRange,
        UserId,
    };

    use super::*;
    use crate::DistinctMode;

    fn seg(app: &str, user: &str, start: i64, end: i64) -> StreamSegment {
        StreamSegment::new(
            AppId::new(app).unwrap(),
            ChannelId::new("c").unwrap(),
            UserId::new(user).unwrap(),
            Role::Subscribe,
            MediaSpec::Audio,
            TimeRange::from_unix(start, end).unwrap(),
        )
    }

    fn exact(pairs: &[(u8, u8)]) -> Distinct {
        let mut d = Distinct::Exact(BTreeSet::new());
        for (a, u) in pairs {
            d.insert(&format!("a{a}"), &format!("u{u}"));
        }
        d
    }

    proptest::proptest! {
        /// The union count of exact sets is the size of their plain union, and merging two
        /// sets gives their plain union, whatever they share.
        #[test]
        fn union_count_and_merge_are_plain_unions(
            sets in proptest::collection::vec(
                proptest::collection::vec((0_u8..3, 0_u8..12), 0..20),
                0..6,
            ),
        ) {
            let plain: BTreeSet<(u8, u8)> = sets.iter().flatten().copied().collect();
            let ds: Vec<Distinct> = sets.iter().map(|s| exact(s)).collect();
            let want = (!ds.is_empty()).then(|| u64::try_from(plain.len()).unwrap());
            proptest::prop_assert_eq!(Distinct::union_count(ds.iter()).unwrap(), want);
            let mut merged = Distinct::Exact(BTreeSet::new());
            for d in &ds {
                merged.merge(d).unwrap();
            }
            let all: Vec<(u8, u8)> = plain.into_iter().collect();
            proptest::prop_assert_eq!(merged, exact(&all));
        }
    }

    #[test]
    fn union_count_refuses_mixed_modes_and_counts_sketches() {
        let sketch = |ids: &[&str]| {
            let mut h = Distinct::empty(DistinctMode::approximate(12).unwrap()).unwrap();
            for u in ids {
                h.insert("a", u);
            }
            h
        };
        let (e, h) = (exact(&[(0, 1)]), sketch(&["u1", "u2"]));
        assert!(Distinct::union_count([&e, &h].into_iter()).is_err());
        assert!(Distinct::union_count([&h, &e].into_iter()).is_err());
        let both = [sketch(&["u1", "u2"]), sketch(&["u2", "u3"])];
        assert_eq!(Distinct::union_count(both.iter()).unwrap(), Some(3));
        assert_eq!(Distinct::union_count(std::iter::empty()).unwrap(), None);
    }

    #[test]
    fn distinct_counts_scoped_ids() {
        let mut d = Distinct::Exact(BTreeSet::new());
        d.insert("app1", "u1");
        d.insert("app1", "u1");
        d.insert("app2", "u1");
        assert_eq!(d.count(), 2);
        assert_eq!(Distinct::empty(DistinctMode::Exact).unwrap().count(), 0);
        let mut h = Distinct::empty(DistinctMode::approximate(12).unwrap()).unwrap();
        h.insert("a", "u1");
        assert_eq!(h.count(), 1);
        assert!(Distinct::empty(DistinctMode::Approximate { precision: 3 }).is_err());
    }

    #[test]
    fn exact_sets_merge_as_unions_whatever_the_overlap() {
        let set = |ids: &[&str]| {
            let mut d = Distinct::empty(DistinctMode::Exact).unwrap();
            for id in ids {
                d.insert("a", id);
            }
            d
        };
        let mut a = set(&["1", "3", "5"]);
        a.merge(&set(&["2", "3", "6"])).unwrap();
        assert_eq!(a, set(&["1", "2", "3", "5", "6"]));
        let mut empty = set(&[]);
        empty.merge(&a).unwrap();
        assert_eq!(empty, a);
        a.merge(&set(&[])).unwrap();
        assert_eq!(a.count(), 5);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn exact_sets_are_read_back_only_in_ascending_order() {
        let read = |json: &str| serde_json::from_str::<Distinct>(json);
        let d = read(r#"{"exact":[["a","u1"],["a","u2"],["b","u1"]]}"#).unwrap();
        assert_eq!(d.count(), 3);
        assert_eq!(read(&serde_json::to_string(&d).unwrap()).unwrap(), d);
        let e = read(r#"{"exact":[["a","u2"],["a","u1"]]}"#).unwrap_err();
        assert!(e.to_string().contains("pair 1 is not after pair 0"), "{e}");
        assert!(read(r#"{"exact":[["a","u1"],["a","u1"]]}"#).is_err());
        assert_eq!(read(r#"{"exact":[]}"#).unwrap().count(), 0);
    }

    #[test]
    fn distinct_merge_needs_the_same_mode() {
        let mut a = Distinct::empty(DistinctMode::Exact).unwrap();
        let mut b = Distinct::empty(DistinctMode::Exact).unwrap();
        a.insert("x", "1");
        b.insert("x", "2");
        a.merge(&b).unwrap();
        assert_eq!(a.count(), 2);
        let sketch = Distinct::empty(DistinctMode::approximate(8).unwrap()).unwrap();
        assert!(a.merge(&sketch).is_err());
    }

    /// A sketch filled by hand with `Distinct::insert` equals the one the hot path builds for
    /// the same ids: states from both merge.
    #[test]
    fn hand_built_sketch_matches_hot_path() {
        let t = 1_679_241_600; // a midnight in GMT+8
        let segs: Vec<_> = (0..50)
            .map(|i| seg(&format!("app{}", i % 3), &format!("u{i}"), t, t + 10))
            .collect();
        let mode = DistinctMode::approximate(8).unwrap();
        let st = crate::aggregate(
            &UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_distinct(mode),
            &segs,
        )
        .unwrap();
        let cell = st
            .groups
            .values()
            .next()
            .unwrap()
            .cells
            .values()
            .next()
            .unwrap();
        let mut by_hand = Distinct::empty(mode).unwrap();
        for s in &segs {
            by_hand.insert(s.app.as_str(), s.user.as_str());
        }
        assert_eq!(cell.users.as_ref().unwrap(), &by_hand);
    }
}
