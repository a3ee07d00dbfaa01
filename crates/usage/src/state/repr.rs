//! The canonical form of a [`UsageState`]: every id spelled out, every list in the order of
//! its strings. A state serializes as it, compares through it, and is read back from it (after
//! the checks of [`validate`]).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Cell, Distinct, GroupKey, GroupState, NONE, UsageState, high, low, pack};
use crate::compact::KeySet;
#[cfg(feature = "serde")]
use crate::error::{Error, Result};
use crate::hll::Hll;
use crate::intern::{Dict, Ranks};
use crate::intervals::IntervalSet;
#[cfg(feature = "serde")]
use crate::query::{Dimension, DistinctMode};
use crate::query::{IdScope, UsageQuery};
use crate::spec_table::PerSpec;
#[cfg(feature = "serde")]
use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, UserId,
};

/// An id, spelled out: borrowed from the state when it is serialized or compared, and from the
/// input when it is read from text without escapes (no allocation per id).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub(super) struct Text<'a>(#[cfg_attr(feature = "serde", serde(borrow))] Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a> Text<'a> {
    const fn of(s: &'a str) -> Self {
        Text(Cow::Borrowed(s))
    }
}

/// An id scoped to its app: `(app, id)`. Under [`IdScope::Global`](crate::IdScope::Global) the
/// app is the empty string.
type Pair<'a> = (Text<'a>, Text<'a>);

/// A distinct set: its pairs in ascending order, or a sketch.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub(super) enum DistinctRepr<'a> {
    /// Every `(app, id)` pair. Read back only in ascending order, each pair once (as a set
    /// serializes).
    Exact(
        #[cfg_attr(feature = "serde", serde(borrow, deserialize_with = "ascending_set"))]
        Vec<Pair<'a>>,
    ),
    /// A sketch of the pairs' [`stable_id_hash`](crate::hash::stable_id_hash)es.
    Approximate(Cow<'a, Hll>),
}

/// The figures of one group in one bucket.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct CellRepr<'a> {
    publish_seconds: PerSpec<u64>,
    subscribe_seconds: PerSpec<u64>,
    subscribe_ceil_minutes: PerSpec<u64>,
    pieces: u64,
    #[cfg_attr(feature = "serde", serde(borrow))]
    users: Option<DistinctRepr<'a>>,
    #[cfg_attr(feature = "serde", serde(borrow))]
    channels: Option<DistinctRepr<'a>>,
}

/// A publish→subscribe relation: the channel, the publishing user (when the segment names
/// it) and the subscribing user.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct RelationRepr<'a> {
    /// The app (empty under the global id scope).
    #[cfg_attr(feature = "serde", serde(borrow))]
    app: Text<'a>,
    #[cfg_attr(feature = "serde", serde(borrow))]
    channel: Text<'a>,
    #[cfg_attr(feature = "serde", serde(borrow))]
    publisher: Option<Text<'a>>,
    #[cfg_attr(feature = "serde", serde(borrow))]
    subscriber: Text<'a>,
}

/// Everything kept for one group.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct GroupRepr<'a> {
    #[cfg_attr(feature = "serde", serde(borrow, deserialize_with = "unique_map"))]
    cells: BTreeMap<i64, CellRepr<'a>>,
    #[cfg_attr(feature = "serde", serde(borrow, with = "map_as_vec"))]
    channel_activity: BTreeMap<Pair<'a>, Cow<'a, IntervalSet>>,
    #[cfg_attr(feature = "serde", serde(borrow, with = "map_as_vec"))]
    relation_activity: BTreeMap<RelationRepr<'a>, Cow<'a, IntervalSet>>,
    #[cfg_attr(feature = "serde", serde(default, with = "map_as_vec"))]
    stream_deltas: BTreeMap<i64, i64>,
}

/// The canonical form of a [`UsageState`].
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct StateRepr<'a> {
    query: Cow<'a, UsageQuery>,
    #[cfg_attr(feature = "serde", serde(borrow, with = "map_as_vec"))]
    groups: BTreeMap<Cow<'a, GroupKey>, GroupRepr<'a>>,
    segments: u64,
}

/// The state's dictionaries ranked by text, and how each number is spelled.
struct Speller<'a> {
    state: &'a UsageState,
    global: bool,
    apps: Ranks,
    users: Ranks,
    channels: Ranks,
}

impl<'a> Speller<'a> {
    fn new(state: &'a UsageState) -> Self {
        let global = state.query.id_scope() == IdScope::Global;
        Speller {
            state,
            global,
            // Under the global scope every key's app is 0 and spelled empty: nothing to rank.
            apps: if global {
                Ranks::default()
            } else {
                Ranks::of(&state.apps)
            },
            users: Ranks::of(&state.users),
            channels: Ranks::of(&state.channels),
        }
    }

    fn app(&self, a: u32) -> Text<'a> {
        if self.global {
            Text::of("")
        } else {
            Text::of(self.state.apps.name(a).unwrap_or_default())
        }
    }

    /// The packed `(app, id)` key `k` with both halves replaced by their ranks, and back: keys
    /// ranked this way sort as their strings do.
    fn ranked(&self, k: u64, ids: &Ranks) -> u64 {
        pack(self.apps.rank(high(k)), ids.rank(low(k)))
    }

    fn unranked(&self, r: u64, ids: &Ranks) -> u64 {
        pack(self.apps.id(high(r)), ids.id(low(r)))
    }

    /// The pairs of an exact set over dictionary `names` (ranked as `ids`), ascending.
    fn pairs(&self, set: &KeySet, names: &'a Dict, ids: &Ranks) -> Vec<Pair<'a>> {
        let mut ranked: Vec<u64> = set.keys().iter().map(|&k| self.ranked(k, ids)).collect();
        ranked.sort_unstable();
        ranked
            .into_iter()
            .map(|r| {
                let k = self.unranked(r, ids);
                (
                    self.app(high(k)),
                    Text::of(names.name(low(k)).unwrap_or_default()),
                )
            })
            .collect()
    }

    fn distinct(&self, d: &'a Distinct, names: &'a Dict, ids: &Ranks) -> DistinctRepr<'a> {
        match d {
            Distinct::Exact(set) => DistinctRepr::Exact(self.pairs(set, names, ids)),
            Distinct::Approximate(h) => DistinctRepr::Approximate(Cow::Borrowed(h)),
        }
    }

    fn cell(&self, c: &'a Cell) -> CellRepr<'a> {
        let st = self.state;
        CellRepr {
            publish_seconds: c.publish_seconds,
            subscribe_seconds: c.subscribe_seconds,
            subscribe_ceil_minutes: c.subscribe_ceil_minutes,
            pieces: c.pieces,
            users: c
                .users
                .as_ref()
                .map(|d| self.distinct(d, &st.users, &self.users)),
            channels: c
                .channels
                .as_ref()
                .map(|d| self.distinct(d, &st.channels, &self.channels)),
        }
    }

    fn user(&self, u: u32) -> Text<'a> {
        Text::of(self.state.users.name(u).unwrap_or_default())
    }

    fn group(&self, g: &'a GroupState) -> GroupRepr<'a> {
        let st = self.state;
        GroupRepr {
            cells: g.cells.iter().map(|(b, c)| (*b, self.cell(c))).collect(),
            channel_activity: g
                .channel_activity
                .iter()
                .map(|(&k, set)| {
                    let channel = st.channels.name(low(k)).unwrap_or_default();
                    ((self.app(high(k)), Text::of(channel)), Cow::Borrowed(set))
                })
                .collect(),
            relation_activity: g
                .relation_activity
                .iter()
                .map(|(&(ck, pu), set)| {
                    let relation = RelationRepr {
                        app: self.app(high(ck)),
                        channel: Text::of(st.channels.name(low(ck)).unwrap_or_default()),
                        publisher: (high(pu) != NONE).then(|| self.user(high(pu))),
                        subscriber: self.user(low(pu)),
                    };
                    (relation, Cow::Borrowed(set))
                })
                .collect(),
            stream_deltas: g.stream_deltas.clone(),
        }
    }
}

impl UsageState {
    /// The canonical form of the state (what it serializes as and compares by).
    pub(super) fn repr(&self) -> StateRepr<'_> {
        let speller = Speller::new(self);
        StateRepr {
            query: Cow::Borrowed(&self.query),
            groups: self
                .groups
                .iter()
                .map(|(k, g)| (Cow::Borrowed(k), speller.group(g)))
                .collect(),
            segments: self.segments,
        }
    }
}

#[cfg(feature = "serde")]
impl UsageState {
    /// The state of canonical form `r`, its ids interned (`r` is not checked: see
    /// [`validate`]).
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`](crate::Error::Overflow) beyond 2^32 − 1 distinct ids of a kind.
    fn from_repr(r: StateRepr<'_>) -> Result<Self> {
        let mut st = UsageState::new(r.query.into_owned());
        st.segments = r.segments;
        let global = st.query.id_scope() == IdScope::Global;
        for (key, g) in r.groups {
            let mut gs = GroupState::default();
            for (b, c) in g.cells {
                let users = match c.users {
                    Some(d) => Some(st.intern_set(d, global, false)?),
                    None => None,
                };
                let channels = match c.channels {
                    Some(d) => Some(st.intern_set(d, global, true)?),
                    None => None,
                };
                gs.cells.insert(
                    b,
                    Cell {
                        publish_seconds: c.publish_seconds,
                        subscribe_seconds: c.subscribe_seconds,
                        subscribe_ceil_minutes: c.subscribe_ceil_minutes,
                        pieces: c.pieces,
                        users,
                        channels,
                    },
                );
            }
            for ((app, channel), set) in g.channel_activity {
                let k = pack(
                    app_id(&mut st.apps, &app, global)?,
                    st.channels.intern(&channel)?,
                );
                gs.channel_activity.insert(k, set.into_owned());
            }
            for (rel, set) in g.relation_activity {
                let ck = pack(
                    app_id(&mut st.apps, &rel.app, global)?,
                    st.channels.intern(&rel.channel)?,
                );
                let publisher = match &rel.publisher {
                    Some(p) => st.users.intern(p)?,
                    None => NONE,
                };
                let pu = pack(publisher, st.users.intern(&rel.subscriber)?);
                gs.relation_activity.insert((ck, pu), set.into_owned());
            }
            gs.stream_deltas = g.stream_deltas;
            st.groups.insert(key.into_owned(), gs);
        }
        Ok(st)
    }

    /// A distinct set of the canonical form, its users (channels when `channels`) interned.
    fn intern_set(
        &mut self,
        d: DistinctRepr<'_>,
        global: bool,
        channels: bool,
    ) -> Result<Distinct> {
        Ok(match d {
            DistinctRepr::Exact(pairs) => {
                let mut set = KeySet::default();
                let names = if channels {
                    &mut self.channels
                } else {
                    &mut self.users
                };
                let apps = &mut self.apps;
                names.intern_each(
                    &pairs,
                    |(_, id)| &**id,
                    |(app, _), id| {
                        set.push(pack(app_id(apps, app, global)?, id));
                        Ok(())
                    },
                )?;
                Distinct::Exact(set)
            }
            DistinctRepr::Approximate(h) => Distinct::Approximate(h.into_owned()),
        })
    }
}

/// The number of `app` in `apps` (0 under the global scope, where every app is empty).
#[cfg(feature = "serde")]
fn app_id(apps: &mut Dict, app: &str, global: bool) -> Result<u32> {
    if global { Ok(0) } else { apps.intern(app) }
}

#[cfg(feature = "serde")]
impl serde::Serialize for UsageState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.repr().serialize(s)
    }
}

/// Reading a state back checks it against its own query (the rules listed on [`UsageState`])
/// before its ids are interned.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for UsageState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let r = StateRepr::<'de>::deserialize(d)?;
        validate(&r)
            .and_then(|()| UsageState::from_repr(r))
            .map_err(serde::de::Error::custom)
    }
}

/// An exact distinct set listed in ascending order, each pair once; anything else is refused
/// (no aggregation serializes it).
#[cfg(feature = "serde")]
fn ascending_set<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<Pair<'a>>, D::Error> {
    let pairs: Vec<Pair<'a>> = serde::Deserialize::deserialize(d)?;
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
    Ok(pairs)
}

/// Checks that `r` is a state an aggregation under its query could have produced (the rules
/// are listed on [`UsageState`]).
#[cfg(feature = "serde")]
fn validate(r: &StateRepr<'_>) -> Result<()> {
    let q: &UsageQuery = &r.query;
    let metrics = q.metrics();
    let global = q.id_scope() == IdScope::Global;
    for (key, g) in &r.groups {
        check_key(q.split_by(), key)?;
        for (&start, cell) in &g.cells {
            check_bucket(q, start)?;
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
        check_idle(
            metrics.peaks,
            g.channel_activity.is_empty() && g.relation_activity.is_empty(),
        )?;
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
        check_deltas(metrics.stream_peaks, &g.stream_deltas)?;
    }
    Ok(())
}

/// A bucket start: inside core's time range, on a boundary of the query's buckets.
#[cfg(feature = "serde")]
pub(super) fn check_bucket(q: &UsageQuery, start: i64) -> Result<()> {
    check_instant("bucket start", start)?;
    let buckets = q.buckets();
    if buckets.start_of_index(buckets.index_of(start)) != start {
        return Err(Error::invalid(
            "bucket start",
            &start.to_string(),
            "the start of one of the query's buckets",
        ));
    }
    Ok(())
}

/// Activity (`idle`: none) appears only when the query computes peaks.
#[cfg(feature = "serde")]
pub(super) fn check_idle(peaks: bool, idle: bool) -> Result<()> {
    if peaks || idle {
        Ok(())
    } else {
        Err(Error::invalid(
            "activity",
            "present",
            "none: the query does not compute peaks",
        ))
    }
}

/// A group's stream changes: only with stream peaks, each inside core's time range and not
/// zero, summing to zero.
#[cfg(feature = "serde")]
pub(super) fn check_deltas(stream_peaks: bool, deltas: &BTreeMap<i64, i64>) -> Result<()> {
    if !stream_peaks && !deltas.is_empty() {
        return Err(Error::invalid(
            "stream deltas",
            "present",
            "none: the query does not compute stream peaks",
        ));
    }
    let mut net = 0_i64;
    for (&t, &d) in deltas {
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
    Ok(())
}

/// A group key: one value per split-by dimension, each one that dimension can take (specs and
/// roles by name, the others valid ids of core, absent only for optional dimensions).
#[cfg(feature = "serde")]
pub(super) fn check_key(split: &[Dimension], key: &GroupKey) -> Result<()> {
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
pub(super) fn check_app(app: &str, global: bool) -> Result<()> {
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
pub(super) fn check_activity(set: &IntervalSet) -> Result<()> {
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

/// A cell's distinct set: present exactly when the query counts it, in the query's mode, its
/// ids valid (`id` checks one).
#[cfg(feature = "serde")]
fn check_distinct(
    field: &'static str,
    d: Option<&DistinctRepr<'_>>,
    counted: bool,
    q: &UsageQuery,
    id: impl Fn(&str) -> mediameter_core::Result<()>,
) -> Result<()> {
    let kind = d.map(|d| match d {
        DistinctRepr::Exact(_) => None,
        DistinctRepr::Approximate(h) => Some(h.precision()),
    });
    check_mode(field, kind, counted, q)?;
    if let Some(DistinctRepr::Exact(set)) = d {
        let global = q.id_scope() == IdScope::Global;
        for (app, x) in set {
            check_app(app, global)?;
            id(x)?;
        }
    }
    Ok(())
}

/// A cell's distinct set of the state's own form: present exactly when the query counts it,
/// in the query's mode (its keys are checked where they are read).
#[cfg(feature = "serde")]
pub(super) fn check_set(
    field: &'static str,
    d: Option<&Distinct>,
    counted: bool,
    q: &UsageQuery,
) -> Result<()> {
    let kind = d.map(|d| match d {
        Distinct::Exact(_) => None,
        Distinct::Approximate(h) => Some(h.precision()),
    });
    check_mode(field, kind, counted, q)
}

/// A set of kind `kind` (`None`: no set; `Some(None)`: exact; `Some(Some(p))`: a sketch of
/// precision `p`) where the query counts `field` exactly when `counted`.
#[cfg(feature = "serde")]
fn check_mode(
    field: &'static str,
    kind: Option<Option<u8>>,
    counted: bool,
    q: &UsageQuery,
) -> Result<()> {
    match (kind, counted, q.distinct()) {
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
        (Some(None), true, DistinctMode::Exact) => Ok(()),
        (Some(Some(p)), true, DistinctMode::Approximate { precision }) if p == precision => Ok(()),
        (Some(k), true, mode) => Err(Error::invalid(
            field,
            if k.is_none() {
                "an exact set"
            } else {
                "a sketch"
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

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    #[test]
    fn exact_sets_are_read_back_only_in_ascending_order() {
        fn read(json: &str) -> serde_json::Result<DistinctRepr<'_>> {
            serde_json::from_str(json)
        }
        let d = read(r#"{"exact":[["a","u1"],["a","u2"],["b","u1"]]}"#).unwrap();
        assert!(matches!(&d, DistinctRepr::Exact(p) if p.len() == 3));
        assert_eq!(read(&serde_json::to_string(&d).unwrap()).unwrap(), d);
        let e = read(r#"{"exact":[["a","u2"],["a","u1"]]}"#).unwrap_err();
        assert!(e.to_string().contains("pair 1 is not after pair 0"), "{e}");
        assert!(read(r#"{"exact":[["a","u1"],["a","u1"]]}"#).is_err());
        assert!(matches!(read(r#"{"exact":[]}"#).unwrap(), DistinctRepr::Exact(p) if p.is_empty()));
    }

    /// Ids read from text without escapes are borrowed from it, not copied one by one; an id
    /// with an escape is unescaped into a string of its own.
    #[test]
    fn ids_are_borrowed_from_the_text_they_are_read_from() {
        let d: DistinctRepr<'_> =
            serde_json::from_str(r#"{"exact":[["a","u1"],["a","u\u0032"]]}"#).unwrap();
        let DistinctRepr::Exact(pairs) = d else {
            panic!("an exact set");
        };
        assert!(matches!(pairs[0].1.0, Cow::Borrowed("u1")));
        assert!(matches!(&pairs[1].1.0, Cow::Owned(s) if s == "u2"));
    }
}
