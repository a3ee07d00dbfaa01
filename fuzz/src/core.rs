//! Fuzz checks of mediameter-core's parsers of outside strings.
//!
//! Each function takes arbitrary bytes, must never panic, and asserts the round trips that
//! the parsers promise: whatever parses prints back to something that parses to the same value.

use mediameter_core::{
    AppId, BillingZone, Buckets, ChannelId, Currency, DomainName, Granularity, InstanceId,
    LiveTier, MediaSpec, Money, MonthSlice, ProductType, Quantity, RegionId, Role, Rounding,
    RoundingMode, StreamSegment, TimeRange, Unit, UserId,
};

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

macro_rules! roundtrip {
    ($t:ty, $s:expr) => {
        if let Ok(v) = $s.parse::<$t>() {
            let printed = v.to_string();
            let back = printed.parse::<$t>().unwrap_or_else(|e| {
                panic!(
                    "{} printed {printed:?} which does not parse: {e}",
                    stringify!($t)
                )
            });
            assert_eq!(back, v, "{} round trip of {:?}", stringify!($t), $s);
        }
    };
}

/// Identifiers: validation never panics, accepted ids print back to themselves.
pub fn ids(data: &[u8]) {
    let Some(s) = text(data) else { return };
    roundtrip!(AppId, s);
    roundtrip!(ChannelId, s);
    roundtrip!(UserId, s);
    roundtrip!(RegionId, s);
    roundtrip!(DomainName, s);
    roundtrip!(InstanceId, s);
    roundtrip!(ProductType, s);
    // Billing's pack id is defined by core's id macro: same rules, same round trip.
    roundtrip!(mediameter_billing::PackId, s);
    if let Ok(id) = s.parse::<UserId>() {
        assert_eq!(id.as_str(), s, "ids are stored as given");
    }
}

/// Small vocabularies: specs, tiers, roles, units, rounding modes and roundings, currencies,
/// granularities.
pub fn vocab(data: &[u8]) {
    let Some(s) = text(data) else { return };
    roundtrip!(Rounding, s);
    roundtrip!(MediaSpec, s);
    roundtrip!(LiveTier, s);
    roundtrip!(Role, s);
    roundtrip!(Unit, s);
    roundtrip!(RoundingMode, s);
    roundtrip!(Currency, s);
    if let Ok(g) = s.parse::<Granularity>() {
        assert_eq!(86_400 % g.seconds(), 0);
        assert_eq!(g.to_string().parse::<Granularity>().ok(), Some(g));
    }
}

/// Money text (`"12.50 CNY"`), billing zones (`"GMT+8"`), and the other printed values:
/// quantities (`"1500 minute"`), time ranges (`"[start, end)"`), month slices
/// (`"2023-03: 11/31"`).
pub fn money_and_zone(data: &[u8]) {
    let Some(s) = text(data) else { return };
    roundtrip!(Quantity, s);
    roundtrip!(TimeRange, s);
    roundtrip!(MonthSlice, s);
    roundtrip!(Money, s);
    roundtrip!(BillingZone, s);
}

/// JSON documents of core types: deserializing validates, and accepted values split into
/// buckets that cover them exactly.
pub fn json(data: &[u8]) {
    if let Ok(r) = serde_json::from_slice::<TimeRange>(data) {
        assert!(r.end() > r.start());
        let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
        let mut pieces = hours.split(r);
        assert_eq!(pieces.remaining(), hours.count(r));
        if let Some(first) = pieces.next() {
            assert_eq!(first.range().start(), r.start());
        }
        if hours.count(r) <= 10_000 {
            let total: chrono::TimeDelta = hours.split(r).map(|p| p.range().duration()).sum();
            assert_eq!(total, r.duration());
        }
    }
    if let Ok(seg) = serde_json::from_slice::<StreamSegment>(data) {
        let printed = serde_json::to_string(&seg).unwrap_or_default();
        let back: StreamSegment = serde_json::from_str(&printed)
            .unwrap_or_else(|e| panic!("segment JSON {printed} does not parse back: {e}"));
        assert_eq!(back, seg);
    }
    let _ = serde_json::from_slice::<mediameter_core::Rounding>(data);
    let _ = serde_json::from_slice::<mediameter_core::Quantity>(data);
}

/// Bucket splitting of arbitrary Unix-second spans in arbitrary zones and granularities.
pub fn split(data: &[u8]) {
    let mut words = data.chunks(8).map(|c| {
        let mut b = [0_u8; 8];
        for (dst, src) in b.iter_mut().zip(c) {
            *dst = *src;
        }
        i64::from_le_bytes(b)
    });
    let (Some(a), Some(b), Some(z), Some(g)) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return;
    };
    let Ok(zone) = BillingZone::from_offset_seconds(i32::try_from(z % 86_400).unwrap_or(0)) else {
        return;
    };
    let Ok(gran) = Granularity::from_seconds(u32::try_from(g.rem_euclid(86_401)).unwrap_or(0))
    else {
        return;
    };
    let buckets = Buckets::new(zone, gran);
    if let Ok(r) = TimeRange::from_unix(a.min(b), a.max(b)) {
        let n = buckets.count(r);
        assert!(n >= 1);
        if n <= 100_000 {
            let secs: u64 = buckets.split(r).map(|p| p.seconds()).sum();
            assert_eq!(secs, r.seconds());
            let fast: u64 = buckets
                .split_seconds(r.start().timestamp(), r.end().timestamp())
                .map(|(_, s)| s)
                .sum();
            assert_eq!(fast, r.seconds());
        }
    }
}

/// `json::check_unique_keys` against an independent oracle: `serde_json` reads the same text
/// through a visitor that remembers every object's keys. Wherever `serde_json` accepts the text,
/// the scan must find a repeated key exactly when the oracle does, and the same (first) one;
/// on any text the scan must not panic, and its message must carry no control character.
pub fn json_repeated_keys(data: &[u8]) {
    let Some(s) = text(data) else {
        return;
    };
    let scanned = mediameter_core::json::check_unique_keys(s);
    if let Err(e) = &scanned {
        assert!(!e.to_string().chars().any(char::is_control), "{e}");
        assert!(e.line() >= 1 && e.column() >= 1);
    }
    let mut de = serde_json::Deserializer::from_str(s);
    let Ok(oracle) = serde::de::DeserializeSeed::deserialize(FirstRepeat, &mut de) else {
        return;
    };
    if de.end().is_err() {
        return;
    }
    match (&scanned, oracle) {
        (Ok(()), None) => {}
        (Err(e), Some(key)) => assert_eq!(
            e.key(),
            mediameter_core::error::truncate(&key),
            "different first repeated key in {s:?}"
        ),
        (got, want) => panic!("scan {got:?}, oracle {want:?} on {s:?}"),
    }
}

/// Reads any JSON value and returns the first key (in reading order) that repeats a key of the
/// same object.
struct FirstRepeat;

impl<'de> serde::de::DeserializeSeed<'de> for FirstRepeat {
    type Value = Option<String>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FirstRepeat {
    type Value = Option<String>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut first = None;
        while let Some(found) = seq.next_element_seed(FirstRepeat)? {
            if first.is_none() {
                first = found;
            }
        }
        Ok(first)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        let mut first = None;
        while let Some(key) = map.next_key::<String>()? {
            if first.is_none() && !seen.insert(key.clone()) {
                first = Some(key);
            }
            let inner = map.next_value_seed(FirstRepeat)?;
            if first.is_none() {
                first = inner;
            }
        }
        Ok(first)
    }
}
