//! The mergeable partial aggregate: [`UsageState`].
//!
//! A state keeps its ids interned, as the aggregator does: an exact distinct set is a set of
//! packed `app << 32 | id` keys over the state's dictionaries of apps, users and channels, and
//! activity is keyed the same way. Strings appear only at the edges: a state serializes (and
//! compares) in its canonical form, [`repr`], where every id is spelled out and every list is in
//! the order of its strings.

#[cfg(feature = "serde")]
mod bytes;
mod repr;

use std::collections::BTreeMap;

use crate::compact::KeySet;
use crate::error::{Error, Result};
use crate::hll::Hll;
use crate::intern::Dict;
use crate::intervals::IntervalSet;
use crate::query::{IdScope, UsageQuery};
use crate::spec_table::PerSpec;

/// An id number no dictionary gives: the publisher of a relation whose segment names none.
pub(crate) const NONE: u32 = u32::MAX;

/// `a << 32 | b`.
#[inline]
pub(crate) const fn pack(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

/// The high half of a packed key (the app of an `(app, id)` pair).
#[inline]
pub(crate) fn high(k: u64) -> u32 {
    u32::try_from(k >> 32).unwrap_or(NONE)
}

/// The low half of a packed key (the id of an `(app, id)` pair).
#[inline]
pub(crate) fn low(k: u64) -> u32 {
    u32::try_from(k & 0xffff_ffff).unwrap_or(NONE)
}

/// A set of distinct ids: exact, or a HyperLogLog sketch. The one distinct-set type of the
/// aggregator and the state.
#[derive(Debug, Clone)]
pub(crate) enum Distinct {
    /// Every `(app, id)` pair, packed as `app << 32 | id` over the dictionaries of the
    /// aggregator or state that holds the set; the app is 0 under
    /// [`IdScope::Global`](crate::IdScope::Global), where every pair's app is empty.
    Exact(KeySet),
    /// A sketch of the pairs' [`stable_id_hash`](crate::hash::stable_id_hash)es.
    Approximate(Hll),
}

impl Distinct {
    /// An empty set: a sketch of precision `p`, or exact when `p` is `None`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for a precision outside 4..=16.
    pub(crate) fn empty(precision: Option<u8>) -> Result<Self> {
        Ok(match precision {
            Some(p) => Distinct::Approximate(Hll::new(p)?),
            None => Distinct::Exact(KeySet::default()),
        })
    }

    /// An empty exact set, which holds no memory: what a set counted and dropped leaves.
    pub(crate) fn freed() -> Self {
        Distinct::Exact(KeySet::default())
    }

    /// Adds a pair: its packed `key` to an exact set, its stable `hash` to a sketch.
    #[inline]
    pub(crate) fn insert(&mut self, key: u64, hash: u64) {
        match self {
            Distinct::Exact(set) => set.push(key),
            Distinct::Approximate(h) => h.insert_hash(hash),
        }
    }

    /// The number of distinct ids (estimated in approximate mode).
    #[must_use]
    pub(crate) fn count(&self) -> u64 {
        match self {
            Distinct::Exact(s) => s.count(),
            Distinct::Approximate(h) => h.count(),
        }
    }

    /// `exact` or `approximate`, for refusals.
    const fn mode_name(&self) -> &'static str {
        match self {
            Distinct::Exact(_) => "exact",
            Distinct::Approximate(_) => "approximate",
        }
    }

    /// The refusal to combine a set of `left`'s mode with one of `right`'s.
    fn incompatible(left: &Distinct, right: &Distinct) -> Error {
        Error::Incompatible {
            field: "distinct mode",
            left: left.mode_name().to_owned(),
            right: right.mode_name().to_owned(),
        }
    }

    /// The number of distinct ids in the union of `sets` (estimated for sketches), without
    /// building the union: the keys of exact sets are gathered, sorted and counted once.
    /// `None` when `sets` is empty.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when exact sets and sketches are mixed, or the sketches'
    /// precisions differ.
    pub(crate) fn union_count<'a>(sets: impl Iterator<Item = &'a Distinct>) -> Result<Option<u64>> {
        let mut first: Option<&Distinct> = None;
        let mut keys = Vec::new();
        let mut sketch: Option<Hll> = None;
        for d in sets {
            match (d, first.map(|f| matches!(f, Distinct::Exact(_)))) {
                (Distinct::Exact(s), None | Some(true)) => s.append_raw(&mut keys),
                (Distinct::Approximate(h), None | Some(false)) => match &mut sketch {
                    Some(acc) => acc.merge(h)?,
                    None => sketch = Some(h.clone()),
                },
                (_, Some(_)) => {
                    return Err(Distinct::incompatible(first.unwrap_or(d), d));
                }
            }
            first = first.or(Some(d));
        }
        Ok(match (first, sketch) {
            (None, _) => None,
            (Some(_), Some(h)) => Some(h.count()),
            (Some(_), None) => Some(crate::compact::distinct_keys(&mut keys)),
        })
    }

    /// Adds every id of `other`, each exact key through `map` (from the numbering of
    /// `other`'s dictionaries to this set's).
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when one set is exact and the other a sketch, or the sketches'
    /// precisions differ.
    pub(crate) fn merge(&mut self, other: &Distinct, map: impl Fn(u64) -> u64) -> Result<()> {
        match (self, other) {
            (Distinct::Exact(a), Distinct::Exact(b)) => {
                b.for_each_raw(|k| a.push(map(k)));
                Ok(())
            }
            (Distinct::Approximate(a), Distinct::Approximate(b)) => a.merge(b),
            (a, b) => Err(Distinct::incompatible(a, b)),
        }
    }

    /// An empty set of `self`'s mode (and precision).
    fn empty_like(&self) -> Result<Self> {
        Distinct::empty(match self {
            Distinct::Exact(_) => None,
            Distinct::Approximate(h) => Some(h.precision()),
        })
    }
}

/// The figures of one group in one bucket.
#[derive(Debug, Clone, Default)]
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
    fn merge(&mut self, other: &Cell, map: &Remap) -> Result<()> {
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
        merge_opt(&mut self.users, other.users.as_ref(), |k| map.user_key(k))?;
        merge_opt(&mut self.channels, other.channels.as_ref(), |k| {
            map.channel_key(k)
        })
    }
}

fn merge_opt(
    a: &mut Option<Distinct>,
    b: Option<&Distinct>,
    map: impl Fn(u64) -> u64,
) -> Result<()> {
    let Some(b) = b else {
        return Ok(());
    };
    let a = match a {
        Some(a) => a,
        None => a.insert(b.empty_like()?),
    };
    a.merge(b, map)
}

/// The key of a publish→subscribe relation, one communication (Alibaba Cloud RTC console
/// guide): the packed `(app, channel)`, then the packed publishing user ([`NONE`] when the
/// segment does not name it) and subscribing user.
pub(crate) type RelationKey = (u64, u64);

/// Everything kept for one group: its cells by bucket start, and the activity of its channels
/// and relations (for exact peak concurrency after merging).
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupState {
    /// Cells by bucket start (Unix seconds).
    pub(crate) cells: BTreeMap<i64, Cell>,
    /// When each channel (packed `(app, channel)`) had at least one open segment in this group.
    pub(crate) channel_activity: BTreeMap<u64, IntervalSet>,
    /// When each relation had at least one open subscribe segment in this group.
    pub(crate) relation_activity: BTreeMap<RelationKey, IntervalSet>,
    /// Net change of the number of open segments (streams) at each instant where it changes:
    /// additive across shards, so the merged peak of concurrent streams is exact.
    pub(crate) stream_deltas: BTreeMap<i64, i64>,
}

impl GroupState {
    fn merge(&mut self, other: &GroupState, map: &Remap) -> Result<()> {
        for (b, c) in &other.cells {
            self.cells.entry(*b).or_default().merge(c, map)?;
        }
        for (k, v) in &other.channel_activity {
            self.channel_activity
                .entry(map.channel_key(*k))
                .or_default()
                .union_with(v);
        }
        for (k, v) in &other.relation_activity {
            self.relation_activity
                .entry(map.relation(*k))
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

/// Where the ids of a state being merged go in the state merged into: for each id of the
/// other state's dictionaries, its id in this state's.
#[derive(Debug)]
struct Remap {
    /// `None` under the global scope, where every key's app is 0.
    apps: Option<Vec<u32>>,
    users: Vec<u32>,
    channels: Vec<u32>,
}

impl Remap {
    fn id(map: &[u32], i: u32) -> u32 {
        usize::try_from(i)
            .ok()
            .and_then(|i| map.get(i))
            .copied()
            .unwrap_or(NONE)
    }

    fn app(&self, a: u32) -> u32 {
        self.apps.as_deref().map_or(a, |m| Remap::id(m, a))
    }

    fn user_key(&self, k: u64) -> u64 {
        pack(self.app(high(k)), Remap::id(&self.users, low(k)))
    }

    fn channel_key(&self, k: u64) -> u64 {
        pack(self.app(high(k)), Remap::id(&self.channels, low(k)))
    }

    fn relation(&self, (channel, users): RelationKey) -> RelationKey {
        let publisher = match high(users) {
            NONE => NONE,
            p => Remap::id(&self.users, p),
        };
        (
            self.channel_key(channel),
            pack(publisher, Remap::id(&self.users, low(users))),
        )
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
/// one with [`Aggregator::to_state`](crate::Aggregator::to_state) or
/// [`Aggregator::finish`](crate::Aggregator::finish); read it with
/// [`UsageState::report`].
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let seg = |u: &str, s, e| -> mediameter_core::Result<StreamSegment> {
///     Ok(StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?,
///         UserId::new(u)?, Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(s, e)?))
/// };
/// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
/// // One aggregator per shard (each on its own machine, say), one for the whole.
/// let state = |segs: &[StreamSegment]| -> Result<UsageState, mediameter_usage::Error> {
///     let mut agg = Aggregator::new(q.clone())?;
///     agg.extend(segs)?;
///     agg.finish()
/// };
/// let (s1, s2) = (seg("u1", 0, 600)?, seg("u2", 300, 900)?);
/// let mut a = state(&[s1.clone()])?;
/// a.merge(&state(&[s2.clone()])?)?;
/// assert_eq!(a, state(&[s1, s2])?);
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
/// them).
///
/// Inside, a state keeps its ids interned, as the aggregator does: each app, user and channel
/// string once, and distinct sets, activity and relations as integers. Equality and
/// serialization go through its canonical form, with every id spelled out and every list in
/// the order of its strings, so two states of the same segments are equal, and serialize to
/// the same text, whatever order their ids were first seen in.
#[derive(Clone)]
pub struct UsageState {
    pub(crate) query: UsageQuery,
    /// The apps, users (publishers too) and channels that sets, activity and relations name by
    /// number. They may hold ids nothing names (an aggregator's dictionaries are taken whole).
    pub(crate) apps: Dict,
    pub(crate) users: Dict,
    pub(crate) channels: Dict,
    pub(crate) groups: BTreeMap<GroupKey, GroupState>,
    pub(crate) segments: u64,
}

/// States compare as the values they stand for (their canonical forms), not as the numbering
/// of their ids: two states of the same segments are equal however their ids were interned.
/// A comparison ranks both states' ids by text, so it costs about a serialization: meant for
/// tests and checks, not for a hot path.
impl PartialEq for UsageState {
    fn eq(&self, other: &Self) -> bool {
        self.segments == other.segments
            && self.query == other.query
            && self.groups.len() == other.groups.len()
            && self.repr() == other.repr()
    }
}

impl Eq for UsageState {}

/// The canonical form: every id spelled out, in the order of the strings.
impl std::fmt::Debug for UsageState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.repr().fmt(f)
    }
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
            apps: Dict::default(),
            users: Dict::default(),
            channels: Dict::default(),
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
    /// let mut agg = Aggregator::new(q.clone())?;
    /// agg.extend([seg(Some("cn-beijing"))?, seg(None)?])?;
    /// let st = agg.finish()?;
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
        // The other state's ids are interned here once each; its keys are then renumbered as
        // they are merged (under the global scope every key's app is 0 on both sides).
        let global = self.query.id_scope() == IdScope::Global;
        let map = Remap {
            apps: if global {
                None
            } else {
                Some(self.apps.absorb(&other.apps)?)
            },
            users: self.users.absorb(&other.users)?,
            channels: self.channels.absorb(&other.channels)?,
        };
        for (k, g) in &other.groups {
            match self.groups.get_mut(k) {
                Some(mine) => mine.merge(g, &map)?,
                None => {
                    let mut mine = GroupState::default();
                    mine.merge(g, &map)?;
                    self.groups.insert(k.clone(), mine);
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
    /// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?;
    /// agg.extend([seg(0, 60)?, seg(7200, 7260)?])?;
    /// let st = agg.finish()?;
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
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use mediameter_core::{
        AppId, BillingZone, ChannelId, Granularity, MediaSpec, Role, StreamSegment, TimeRange,
        UserId,
    };

    use super::*;
    use crate::DistinctMode;

    /// The state of one mergeable aggregator fed `segs`.
    fn aggregate<I>(q: &UsageQuery, segs: I) -> Result<UsageState>
    where
        I: IntoIterator,
        I::Item: std::borrow::Borrow<StreamSegment>,
    {
        let mut agg = crate::Aggregator::new(q.clone())?;
        agg.extend(segs)?;
        agg.finish()
    }

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

    /// An exact set of the packed pairs `(a, u)`.
    fn exact(pairs: &[(u8, u8)]) -> Distinct {
        let mut d = Distinct::empty(None).unwrap();
        for &(a, u) in pairs {
            d.insert(pack(a.into(), u.into()), 0);
        }
        d
    }

    fn keys(d: &Distinct) -> Vec<u64> {
        match d {
            Distinct::Exact(s) => s.keys().into_owned(),
            Distinct::Approximate(_) => panic!("a sketch"),
        }
    }

    fn sketch(ids: &[&str]) -> Distinct {
        let mut h = Distinct::empty(Some(12)).unwrap();
        for u in ids {
            h.insert(0, crate::hash::stable_id_hash("a", u));
        }
        h
    }

    proptest::proptest! {
        /// The union count of exact sets is the size of their plain union, and merging sets
        /// through a renumbering (here a bijection of the keys) gives the plain union of the
        /// renumbered pairs.
        #[test]
        fn union_count_and_merge_are_plain_unions(
            sets in proptest::collection::vec(
                proptest::collection::vec((0_u8..3, 0_u8..12), 0..20),
                0..6,
            ),
            shift in 0_u64..5,
        ) {
            let plain: BTreeSet<(u8, u8)> = sets.iter().flatten().copied().collect();
            let ds: Vec<Distinct> = sets.iter().map(|s| exact(s)).collect();
            let want = (!ds.is_empty()).then(|| u64::try_from(plain.len()).unwrap());
            proptest::prop_assert_eq!(Distinct::union_count(ds.iter()).unwrap(), want);
            let mut merged = exact(&[]);
            for d in &ds {
                merged.merge(d, |k| k ^ shift).unwrap();
            }
            let shifted: BTreeSet<u64> = plain
                .iter()
                .map(|&(a, u)| pack(a.into(), u.into()) ^ shift)
                .collect();
            proptest::prop_assert_eq!(keys(&merged), shifted.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn union_count_refuses_mixed_modes_and_counts_sketches() {
        let (e, h) = (exact(&[(0, 1)]), sketch(&["u1", "u2"]));
        let err = Distinct::union_count([&e, &h].into_iter()).unwrap_err();
        assert!(err.to_string().contains("exact vs approximate"), "{err}");
        let err = Distinct::union_count([&h, &e].into_iter()).unwrap_err();
        assert!(err.to_string().contains("approximate vs exact"), "{err}");
        let both = [sketch(&["u1", "u2"]), sketch(&["u2", "u3"])];
        assert_eq!(Distinct::union_count(both.iter()).unwrap(), Some(3));
        assert_eq!(Distinct::union_count(std::iter::empty()).unwrap(), None);
    }

    #[test]
    fn distinct_counts_packed_pairs() {
        let mut d = exact(&[(1, 1), (1, 1), (2, 1)]);
        assert_eq!(d.count(), 2);
        d.merge(&exact(&[(2, 1), (3, 9)]), |k| k).unwrap();
        assert_eq!(d.count(), 3);
        assert_eq!(exact(&[]).count(), 0);
        assert_eq!(sketch(&["u1"]).count(), 1);
        assert!(Distinct::empty(Some(3)).is_err());
    }

    #[test]
    fn distinct_merge_needs_the_same_mode() {
        let mut a = exact(&[(0, 1)]);
        assert!(a.merge(&sketch(&["u"]), |k| k).is_err());
        let mut h = sketch(&["u"]);
        assert!(h.merge(&a, |k| k).is_err());
        let coarse = Distinct::empty(Some(8)).unwrap();
        assert!(h.merge(&coarse, |k| k).is_err());
        assert_eq!(a.count(), 1);
    }

    /// A sketch filled by hand with the documented hash equals the one the hot path builds
    /// for the same ids: states from both merge.
    #[test]
    fn hand_built_sketch_matches_hot_path() {
        let t = 1_679_241_600; // a midnight in GMT+8
        let segs: Vec<_> = (0..50)
            .map(|i| seg(&format!("app{}", i % 3), &format!("u{i}"), t, t + 10))
            .collect();
        let mode = DistinctMode::approximate(8).unwrap();
        let st = aggregate(
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
        let mut by_hand = Distinct::empty(Some(8)).unwrap();
        for s in &segs {
            by_hand.insert(
                0,
                crate::hash::stable_id_hash(s.app.as_str(), s.user.as_str()),
            );
        }
        let (Some(Distinct::Approximate(a)), Distinct::Approximate(b)) = (&cell.users, &by_hand)
        else {
            panic!("sketches");
        };
        assert_eq!(a, b);
    }

    /// States of the same segments are equal, and serialize alike, however their ids were
    /// numbered: here the segments come in opposite orders, so every id has another number.
    #[test]
    fn states_compare_by_their_ids_not_their_numbering() {
        let segs: Vec<StreamSegment> = (0..40)
            .map(|i| {
                let s = seg(
                    &format!("app{}", i % 3),
                    &format!("u{}", i % 7),
                    i * 60,
                    i * 60 + 90,
                );
                s.with_publisher(UserId::new(format!("host{}", i % 2)).unwrap())
            })
            .collect();
        let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
        let forward = aggregate(&q, &segs).unwrap();
        let backward = aggregate(&q, segs.iter().rev()).unwrap();
        assert_ne!(forward.users.name(0), backward.users.name(0));
        assert_eq!(forward, backward);
        #[cfg(feature = "serde")]
        assert_eq!(
            serde_json::to_string(&forward).unwrap(),
            serde_json::to_string(&backward).unwrap()
        );
        let mut other = aggregate(&q, &segs[..39]).unwrap();
        assert_ne!(forward, other);
        other.merge(&aggregate(&q, &segs[39..]).unwrap()).unwrap();
        assert_eq!(forward, other);
    }
}
