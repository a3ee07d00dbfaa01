//! The compact binary form of a [`UsageState`]: its dictionaries once, then integers.
//!
//! JSON spells out every id of every distinct set, activity entry and relation; a state of a
//! few million `(app, user)` pairs is then mostly repeated strings, and reading it back costs
//! a string per pair. The compact form writes each app, user and channel string once and every
//! set, entry and relation as the state holds them, packed integers. It is what an engine
//! ships between its partial and final aggregates (the DataFusion functions use it).
//!
//! Layout, integers little-endian, lengths and counts `u32`:
//!
//! ```text
//! "MMUS" 0x01                      magic, version
//! len, query JSON                  the UsageQuery
//! u64 segments
//! apps, users, channels            each: count, then per string: len, UTF-8 bytes
//! count of groups, per group:
//!   count of key values, each: 0 (none) | 1, len, UTF-8 bytes
//!   count of cells, per cell (buckets ascending):
//!     i64 bucket start, 6 × u64 publish seconds, 6 × u64 subscribe seconds,
//!     6 × u64 ceil minutes, u64 pieces, users set, channels set
//!       set: 0 (none) | 1, count, u64 keys ascending | 2, u8 precision, 2^p registers
//!   count of channels, per channel (keys ascending): u64 key, intervals
//!   count of relations, per relation (keys ascending): u64 channel key, u64 users, intervals
//!   count of stream changes, per change (instants ascending): i64 instant, i64 change
//! intervals: count, then per interval: i64 start, i64 end
//! ```
//!
//! Keys are the state's own: `app << 32 | id` over the dictionaries (app 0 under the global
//! scope), a relation's users `publisher << 32 | subscriber` with publisher `u32::MAX` when the
//! segment names none. Reading checks everything the JSON reading checks (the rules listed on
//! [`UsageState`]), every dictionary string once as the id it names, each dictionary free of
//! repeats, every key inside its dictionaries, and every count against the bytes left before
//! anything is allocated.

use std::collections::BTreeMap;

use super::repr::{
    check_activity, check_app, check_bucket, check_deltas, check_idle, check_key, check_set,
};
use super::{Cell, Distinct, GroupState, NONE, UsageState, high, low};
use crate::compact::KeySet;
use crate::error::{Error, Result};
use crate::hll::Hll;
use crate::intern::Dict;
use crate::intervals::IntervalSet;
use crate::query::{IdScope, UsageQuery};
use crate::spec_table::PerSpec;
use mediameter_core::{ChannelId, UserId};

/// The first bytes of the compact form: magic and version.
const MAGIC: &[u8; 5] = b"MMUS\x01";

/// Set tags.
const NO_SET: u8 = 0;
const EXACT: u8 = 1;
const SKETCH: u8 = 2;

/// Writes the compact form.
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    fn u32(&mut self, v: usize) {
        // Every count of a state is below 2^32 (dictionaries and sets are numbered in `u32`;
        // cells, entries and groups are bounded by them or by the bucket range).
        self.0
            .extend_from_slice(&u32::try_from(v).unwrap_or(u32::MAX).to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.u32(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn dict(&mut self, d: &Dict) {
        self.u32(d.len());
        for s in d.names() {
            self.text(s);
        }
    }

    fn per_spec(&mut self, p: &PerSpec<u64>) {
        for &v in &p.0 {
            self.u64(v);
        }
    }

    fn set(&mut self, d: Option<&Distinct>) {
        match d {
            None => self.u8(NO_SET),
            Some(Distinct::Exact(set)) => {
                self.u8(EXACT);
                let keys = set.keys();
                self.u32(keys.len());
                for &k in keys.iter() {
                    self.u64(k);
                }
            }
            Some(Distinct::Approximate(h)) => {
                self.u8(SKETCH);
                self.u8(h.precision());
                self.0.extend_from_slice(h.registers());
            }
        }
    }

    fn intervals(&mut self, set: &IntervalSet) {
        let iv = set.intervals();
        self.u32(iv.len());
        for (a, b) in iv {
            self.i64(a);
            self.i64(b);
        }
    }
}

impl UsageState {
    /// The state in its compact binary form (see [`UsageState::from_bytes`]): each id string
    /// once, then integers. Several times smaller than the JSON of a state with many distinct
    /// ids, and read back several times faster. The bytes follow the state's numbering of its
    /// ids, so equal states may have different bytes; compare states, not their bytes.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let seg = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 600)?);
    /// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?;
    /// agg.push(&seg)?;
    /// let st = agg.finish()?;
    /// let bytes = st.to_bytes();
    /// assert_eq!(UsageState::from_bytes(&bytes)?, st);
    /// assert!(bytes.len() < serde_json::to_vec(&st).unwrap().len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        // A query always serializes (plain data); the empty text would be refused on reading.
        let query = serde_json::to_string(&self.query).unwrap_or_default();
        w.text(&query);
        w.u64(self.segments);
        w.dict(&self.apps);
        w.dict(&self.users);
        w.dict(&self.channels);
        w.u32(self.groups.len());
        for (key, g) in &self.groups {
            w.u32(key.len());
            for v in key {
                match v {
                    Some(s) => {
                        w.u8(1);
                        w.text(s);
                    }
                    None => w.u8(0),
                }
            }
            w.u32(g.cells.len());
            for (&b, c) in &g.cells {
                w.i64(b);
                w.per_spec(&c.publish_seconds);
                w.per_spec(&c.subscribe_seconds);
                w.per_spec(&c.subscribe_ceil_minutes);
                w.u64(c.pieces);
                w.set(c.users.as_ref());
                w.set(c.channels.as_ref());
            }
            w.u32(g.channel_activity.len());
            for (&k, set) in &g.channel_activity {
                w.u64(k);
                w.intervals(set);
            }
            w.u32(g.relation_activity.len());
            for (&(ck, pu), set) in &g.relation_activity {
                w.u64(ck);
                w.u64(pu);
                w.intervals(set);
            }
            w.u32(g.stream_deltas.len());
            for (&t, &d) in &g.stream_deltas {
                w.i64(t);
                w.i64(d);
            }
        }
        w.0
    }

    /// Reads a state from its compact binary form ([`UsageState::to_bytes`]), with the checks
    /// of reading it from JSON (the rules listed on [`UsageState`]) and those of the form
    /// itself: the magic and version, dictionaries of valid ids without repeats, every key
    /// inside its dictionaries and every list in ascending order. Memory is bounded by the
    /// length of `bytes`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] (or core's error for a bad id) for bytes no state writes, naming the
    /// first thing wrong.
    ///
    /// ```
    /// # use mediameter_usage::*;
    /// let err = UsageState::from_bytes(b"MMUS\x02").unwrap_err();
    /// assert!(err.to_string().contains("version"), "{err}");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<UsageState> {
        let mut r = Reader(bytes);
        match r.take(MAGIC.len())? {
            m if m == MAGIC => {}
            [b'M', b'M', b'U', b'S', v] => {
                return Err(Error::invalid(
                    "state bytes",
                    &format!("version {v}"),
                    "version 1",
                ));
            }
            _ => {
                return Err(Error::invalid(
                    "state bytes",
                    "another magic",
                    "a compact usage state (MMUS)",
                ));
            }
        }
        let query: UsageQuery = serde_json::from_slice(r.text_bytes()?)
            .map_err(|e| Error::invalid("query", &e.to_string(), "a UsageQuery in JSON"))?;
        let global = query.id_scope() == IdScope::Global;
        let mut st = UsageState::new(query);
        st.segments = r.u64()?;
        st.apps = r.dict("apps", |s| check_app(s, false))?;
        st.users = r.dict("users", |s| UserId::new(s).map(drop).map_err(Error::from))?;
        st.channels = r.dict("channels", |s| {
            ChannelId::new(s).map(drop).map_err(Error::from)
        })?;
        let sizes = Sizes {
            apps: if global { 1 } else { st.apps.len() },
            users: st.users.len(),
            channels: st.channels.len(),
        };
        let q = st.query.clone();
        let metrics = q.metrics();
        for _ in 0..r.count(4)? {
            let mut key = Vec::new();
            for _ in 0..r.count(1)? {
                key.push(match r.u8()? {
                    0 => None,
                    1 => Some(r.text()?.to_owned()),
                    t => return Err(tag("key value", t)),
                });
            }
            check_key(q.split_by(), &key)?;
            let mut g = GroupState::default();
            for _ in 0..r.count(8 + 19 * 8 + 2)? {
                let b = r.i64()?;
                check_bucket(&q, b)?;
                let cell = Cell {
                    publish_seconds: r.per_spec()?,
                    subscribe_seconds: r.per_spec()?,
                    subscribe_ceil_minutes: r.per_spec()?,
                    pieces: r.u64()?,
                    users: r.set(sizes.apps, sizes.users)?,
                    channels: r.set(sizes.apps, sizes.channels)?,
                };
                check_set("users", cell.users.as_ref(), metrics.users, &q)?;
                check_set("channels", cell.channels.as_ref(), metrics.channels, &q)?;
                ascending(&mut g.cells, b, cell, "cells")?;
            }
            for _ in 0..r.count(12)? {
                let k = r.u64()?;
                in_dicts(k, sizes.apps, sizes.channels, "channel")?;
                let set = r.intervals()?;
                ascending(&mut g.channel_activity, k, set, "channels")?;
            }
            for _ in 0..r.count(20)? {
                let (ck, pu) = (r.u64()?, r.u64()?);
                in_dicts(ck, sizes.apps, sizes.channels, "relation channel")?;
                let publisher = high(pu);
                if publisher != NONE {
                    in_dicts(u64::from(publisher), 1, sizes.users, "relation publisher")?;
                }
                in_dicts(u64::from(low(pu)), 1, sizes.users, "relation subscriber")?;
                let set = r.intervals()?;
                ascending(&mut g.relation_activity, (ck, pu), set, "relations")?;
            }
            check_idle(
                metrics.peaks,
                g.channel_activity.is_empty() && g.relation_activity.is_empty(),
            )?;
            for set in g
                .channel_activity
                .values()
                .chain(g.relation_activity.values())
            {
                check_activity(set)?;
            }
            for _ in 0..r.count(16)? {
                let (t, d) = (r.i64()?, r.i64()?);
                ascending(&mut g.stream_deltas, t, d, "stream changes")?;
            }
            check_deltas(metrics.stream_peaks, &g.stream_deltas)?;
            if st.groups.insert(key, g).is_some() {
                return Err(Error::invalid("groups", "a key twice", "each group once"));
            }
        }
        if !r.0.is_empty() {
            return Err(Error::invalid(
                "state bytes",
                &format!("{} bytes after the state", r.0.len()),
                "nothing after the last group",
            ));
        }
        Ok(st)
    }
}

/// The sizes of the dictionaries keys index (apps 1 under the global scope: only app 0).
struct Sizes {
    apps: usize,
    users: usize,
    channels: usize,
}

/// The refusal of tag `t` of `what`.
fn tag(what: &'static str, t: u8) -> Error {
    Error::invalid(what, &format!("tag {t}"), "a tag the compact form defines")
}

/// Refuses key `k` (`app << 32 | id`) unless its app is below `apps` and its id below `ids`.
fn in_dicts(k: u64, apps: usize, ids: usize, what: &'static str) -> Result<()> {
    let inside = |v: u32, n: usize| usize::try_from(v).is_ok_and(|v| v < n);
    if inside(high(k), apps) && inside(low(k), ids) {
        Ok(())
    } else {
        Err(Error::invalid(
            what,
            &format!("key {k:#x}"),
            "ids inside the state's dictionaries",
        ))
    }
}

/// Adds `k → v` to `map`, refusing a key not after the last one.
fn ascending<K: Ord + Copy, V>(
    map: &mut BTreeMap<K, V>,
    k: K,
    v: V,
    what: &'static str,
) -> Result<()> {
    if map.last_key_value().is_some_and(|(last, _)| *last >= k) {
        return Err(Error::invalid(
            what,
            "a key not after the one before",
            "keys in ascending order, each once",
        ));
    }
    map.insert(k, v);
    Ok(())
}

/// Reads the compact form from the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(Error::invalid(
                "state bytes",
                &format!("{} bytes left", self.0.len()),
                format!("at least {n} more bytes"),
            ));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<usize> {
        usize::try_from(u32::from_le_bytes(self.array()?))
            .map_err(|_| Error::overflow("a count beyond the address space"))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A count of items of at least `min` bytes each, refused when the bytes left cannot hold
    /// them (so nothing is allocated beyond what the input pays for).
    fn count(&mut self, min: usize) -> Result<usize> {
        let n = self.u32()?;
        if n.checked_mul(min).is_none_or(|need| need > self.0.len()) {
            return Err(Error::invalid(
                "state bytes",
                &format!("a count of {n} with {} bytes left", self.0.len()),
                "a count the bytes after it can hold",
            ));
        }
        Ok(n)
    }

    fn text_bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()?;
        self.take(n)
    }

    fn text(&mut self) -> Result<&'a str> {
        std::str::from_utf8(self.text_bytes()?)
            .map_err(|e| Error::invalid("text", &e.to_string(), "UTF-8"))
    }

    /// A dictionary of `what`, each string checked once by `check` and none repeated.
    fn dict(&mut self, what: &'static str, check: impl Fn(&str) -> Result<()>) -> Result<Dict> {
        let mut d = Dict::default();
        for i in 0..self.count(4)? {
            let s = self.text()?;
            check(s)?;
            if usize::try_from(d.intern(s)?).ok() != Some(i) {
                return Err(Error::invalid(what, s, "each string once"));
            }
        }
        Ok(d)
    }

    fn per_spec(&mut self) -> Result<PerSpec<u64>> {
        let mut p = PerSpec::default();
        for v in &mut p.0 {
            *v = self.u64()?;
        }
        Ok(p)
    }

    /// A distinct set whose keys index `apps` apps and `ids` ids.
    fn set(&mut self, apps: usize, ids: usize) -> Result<Option<Distinct>> {
        Ok(match self.u8()? {
            NO_SET => None,
            EXACT => {
                let mut set = KeySet::default();
                let mut last = None;
                for _ in 0..self.count(8)? {
                    let k = self.u64()?;
                    in_dicts(k, apps, ids, "distinct key")?;
                    if last.is_some_and(|l| l >= k) {
                        return Err(Error::invalid(
                            "distinct set",
                            "a key not after the one before",
                            "keys in ascending order, each once",
                        ));
                    }
                    last = Some(k);
                    set.push(k);
                }
                Some(Distinct::Exact(set))
            }
            SKETCH => {
                let p = self.u8()?;
                let h = Hll::new(p)?;
                let registers = self.take(h.registers().len())?;
                Some(Distinct::Approximate(Hll::from_registers(p, registers)?))
            }
            t => return Err(tag("distinct set", t)),
        })
    }

    fn intervals(&mut self) -> Result<IntervalSet> {
        let mut v = Vec::new();
        for _ in 0..self.count(16)? {
            v.push((self.i64()?, self.i64()?));
        }
        Ok(IntervalSet::from(v))
    }
}

#[cfg(test)]
mod tests {
    use mediameter_core::{BillingZone, Granularity};

    use super::*;
    use crate::Metrics;

    /// The compact form written by hand, field by field (a reference for the tests, apart
    /// from the writer under test).
    #[derive(Clone, Default)]
    struct Form(Vec<u8>);

    impl Form {
        fn u8(mut self, v: u8) -> Self {
            self.0.push(v);
            self
        }
        fn u32(mut self, v: u32) -> Self {
            self.0.extend_from_slice(&v.to_le_bytes());
            self
        }
        fn u64(mut self, v: u64) -> Self {
            self.0.extend_from_slice(&v.to_le_bytes());
            self
        }
        fn text(self, s: &str) -> Self {
            let mut f = self.u32(u32::try_from(s.len()).unwrap());
            f.0.extend_from_slice(s.as_bytes());
            f
        }
        fn dict(self, names: &[&str]) -> Self {
            let mut f = self.u32(u32::try_from(names.len()).unwrap());
            for n in names {
                f = f.text(n);
            }
            f
        }
    }

    /// Users only, hourly in UTC, no split.
    fn users_query() -> UsageQuery {
        UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_metrics(
            Metrics::ALL
                .with_channels(false)
                .with_peaks(false)
                .with_stream_peaks(false),
        )
    }

    /// A state of `query` with dictionaries `users` (apps `a`, channels none) and one group
    /// with one cell at 0 whose users set is `set` (tag and keys); `tail` after the cell.
    fn one_cell(query: &UsageQuery, users: &[&str], set: Form) -> Form {
        let q = serde_json::to_string(query).unwrap();
        let mut f = Form(MAGIC.to_vec()).text(&q).u64(1);
        f = f.dict(&["a"]).dict(users).dict(&[]);
        f = f.u32(1).u32(0).u32(1).u64(0);
        for _ in 0..18 {
            f = f.u64(0);
        }
        f = f.u64(1);
        f.0.extend_from_slice(&set.0);
        f.u8(NO_SET).u32(0).u32(0).u32(0)
    }

    fn exact(keys: &[u64]) -> Form {
        let mut f = Form::default()
            .u8(EXACT)
            .u32(u32::try_from(keys.len()).unwrap());
        for &k in keys {
            f = f.u64(k);
        }
        f
    }

    fn refusal(bytes: &[u8]) -> String {
        match UsageState::from_bytes(bytes) {
            Ok(st) => panic!("accepted {st:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_form_written_by_hand_reads_as_the_state_it_describes() {
        let q = users_query();
        let st = UsageState::from_bytes(
            &one_cell(&q, &["u1", "u2"], exact(&[1 << 32, (1 << 32) | 1])).0,
        );
        // Keys name app 1: there is only app 0.
        assert!(
            st.unwrap_err()
                .to_string()
                .contains("inside the state's dictionaries")
        );
        let bytes = one_cell(&q, &["u1", "u2"], exact(&[0, 1])).0;
        let st = UsageState::from_bytes(&bytes).unwrap();
        assert_eq!(st.distinct_users_by_group().unwrap()[&vec![]], Some(2));
        assert_eq!(st.to_bytes(), bytes);
        let json: UsageState = serde_json::from_str(&serde_json::to_string(&st).unwrap()).unwrap();
        assert_eq!(json, st);
    }

    #[test]
    fn what_no_state_writes_is_refused() {
        let q = users_query();
        let good = one_cell(&q, &["u1", "u2"], exact(&[0, 1])).0;
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(refusal(&trailing).contains("after the state"));
        let mut v2 = good.clone();
        v2[4] = 2;
        assert!(refusal(&v2).contains("version 2"));
        assert!(refusal(b"JSON!").contains("magic"));
        assert!(refusal(&one_cell(&q, &["u1", "u1"], exact(&[0])).0).contains("each string once"));
        assert!(refusal(&one_cell(&q, &["u1", "u2"], exact(&[1, 0])).0).contains("ascending"));
        assert!(refusal(&one_cell(&q, &["u1", "u2"], exact(&[0, 0])).0).contains("ascending"));
        assert!(refusal(&one_cell(&q, &["u1", "u2"], exact(&[2])).0).contains("dictionaries"));
        assert!(refusal(&one_cell(&q, &["u1"], Form::default().u8(7)).0).contains("tag 7"));
        assert!(refusal(&one_cell(&q, &["bad\u{7}"], exact(&[0])).0).contains("control"));
        // A sketch where the query counts exactly, and no set where it counts.
        let sketch = Form::default().u8(SKETCH).u8(4);
        let mut sketch = sketch;
        sketch.0.extend_from_slice(&[0; 16]);
        assert!(refusal(&one_cell(&q, &["u1"], sketch).0).contains("distinct mode"));
        assert!(
            refusal(&one_cell(&q, &["u1"], Form::default().u8(NO_SET)).0).contains("counts them")
        );
        // Every prefix of a state is refused, none panics.
        for n in 0..good.len() {
            assert!(
                UsageState::from_bytes(&good[..n]).is_err(),
                "prefix of {n} bytes"
            );
        }
    }

    /// A count the rest of the input cannot hold is refused before anything is allocated.
    #[test]
    fn counts_are_bounded_by_the_bytes_left() {
        let q = serde_json::to_string(&users_query()).unwrap();
        let f = Form(MAGIC.to_vec()).text(&q).u64(0).u32(u32::MAX);
        assert!(refusal(&f.0).contains("a count the bytes after it can hold"));
        let f = Form(MAGIC.to_vec()).u32(u32::MAX);
        assert!(refusal(&f.0).contains("more bytes"));
    }

    /// Under the global scope every key's app is 0.
    #[test]
    fn global_keys_name_no_app() {
        let q = users_query().with_id_scope(IdScope::Global);
        let ok = one_cell(&q, &["u1"], exact(&[0])).0;
        assert_eq!(UsageState::from_bytes(&ok).unwrap().segments(), 1);
        assert!(refusal(&one_cell(&q, &["u1"], exact(&[1 << 32])).0).contains("dictionaries"));
    }
}
