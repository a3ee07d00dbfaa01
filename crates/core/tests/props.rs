//! Property tests of core's invariants.

use chrono::{Datelike, NaiveDate};
use mediameter_core::calendar::{add_months, days_in_month};
use mediameter_core::{AppId, Buckets, ChannelId, MediaSpec, Money, Rounding, UserId, strategies};
use proptest::prelude::*;
use rust_decimal::Decimal;

proptest! {
    /// Rounding twice equals rounding once.
    #[test]
    fn rounding_is_idempotent(x in strategies::decimal(), r in strategies::rounding()) {
        prop_assert_eq!(r.apply(r.apply(x)), r.apply(x));
    }

    /// A rounded value is within one unit of its last place of the input, and has at most
    /// `scale` places.
    #[test]
    fn rounding_is_bounded(x in strategies::decimal(), r in strategies::rounding()) {
        let y = r.apply(x);
        let unit = Decimal::new(1, r.scale());
        prop_assert!((y - x).abs() < unit, "{} -> {} under {}", x, y, r);
        prop_assert!(y.scale() <= r.scale().max(x.scale()));
        prop_assert!(y.normalize().scale() <= r.scale());
    }

    /// Floor never rounds up, ceiling never rounds down, down never grows the magnitude.
    #[test]
    fn directed_modes_keep_their_direction(x in strategies::decimal(), scale in 0_u32..8) {
        use mediameter_core::RoundingMode::*;
        prop_assert!(Rounding::new(scale, Floor).unwrap().apply(x) <= x);
        prop_assert!(Rounding::new(scale, Ceiling).unwrap().apply(x) >= x);
        prop_assert!(Rounding::new(scale, Down).unwrap().apply(x).abs() <= x.abs());
        prop_assert!(Rounding::new(scale, Up).unwrap().apply(x).abs() >= x.abs());
    }

    /// Bucket pieces are disjoint, ordered, each inside one aligned bucket, and sum exactly to
    /// the range, in any zone and granularity.
    #[test]
    fn bucket_pieces_partition_the_range(r in strategies::time_range(), z in strategies::zone(), g in strategies::granularity()) {
        let b = Buckets::new(z, g);
        let pieces: Vec<_> = b.split(r).collect();
        prop_assert_eq!(pieces.len() as u64, b.count(r));
        prop_assert_eq!(pieces.first().unwrap().range().start(), r.start());
        prop_assert_eq!(pieces.last().unwrap().range().end(), r.end());
        for w in pieces.windows(2) {
            prop_assert_eq!(w[0].range().end(), w[1].range().start());
            prop_assert!(w[0].bucket_start() < w[1].bucket_start());
        }
        let width = chrono::TimeDelta::seconds(i64::from(g.seconds()));
        for p in &pieces {
            let local = p.bucket_start().timestamp() + i64::from(z.offset_seconds());
            prop_assert_eq!(local.rem_euclid(i64::from(g.seconds())), 0);
            prop_assert!(p.bucket_start() <= p.range().start());
            prop_assert!(p.range().end() <= p.bucket_start() + width);
        }
        let total: chrono::TimeDelta = pieces.iter().map(|p| p.range().duration()).sum();
        prop_assert_eq!(total, r.duration());
        let fast: u64 = b.split_seconds(r.start().timestamp(), r.end().timestamp()).map(|(_, s)| s).sum();
        prop_assert_eq!(fast, r.seconds());
    }

    /// The same holds for ranges anywhere in years 0001–9999 with sub-second ends, checked on
    /// the first and last pieces and the O(1) count (the ranges may be millions of buckets).
    #[test]
    fn wide_ranges_split_without_panic(r in strategies::wide_time_range(), z in strategies::zone(), g in strategies::granularity()) {
        let b = Buckets::new(z, g);
        let mut it = b.split(r);
        prop_assert_eq!(it.remaining(), b.count(r));
        let first = it.next().unwrap();
        prop_assert_eq!(first.range().start(), r.start());
        prop_assert!(first.bucket_start() <= r.start());
        let last = b.split(r).last_piece();
        prop_assert_eq!(last.range().end(), r.end());
    }

    /// Adding months clamps to the end of the month and never overshoots a month.
    #[test]
    fn add_months_clamps(y in 1_i32..9000, m in 1_u32..=12, d in 1_u32..=31, n in 0_u32..240) {
        let Some(date) = NaiveDate::from_ymd_opt(y, m, d) else { return Ok(()); };
        let out = add_months(date, n).unwrap();
        let months = i64::from(out.year() - date.year()) * 12 + i64::from(out.month()) - i64::from(date.month());
        prop_assert_eq!(months, i64::from(n));
        let dim = days_in_month(out.year(), out.month()).unwrap();
        prop_assert_eq!(out.day(), d.min(dim));
        // Round trip: when no clamping happened, going back lands on the same day.
        if d <= dim {
            prop_assert_eq!(out.checked_sub_months(chrono::Months::new(n)).unwrap(), date);
        }
    }

    /// parse(display(x)) == x for specs, ids, money, zones.
    #[test]
    fn display_parse_roundtrips(spec in strategies::media_spec(), id in strategies::id_string(), m in strategies::money(), z in strategies::zone()) {
        prop_assert_eq!(spec.to_string().parse::<MediaSpec>().unwrap(), spec);
        let a = AppId::new(id.as_str()).unwrap();
        prop_assert_eq!(a.to_string().parse::<AppId>().unwrap(), a);
        let c = ChannelId::new(id.as_str()).unwrap();
        prop_assert_eq!(c.to_string().parse::<ChannelId>().unwrap(), c);
        let u = UserId::new(id.as_str()).unwrap();
        prop_assert_eq!(u.to_string().parse::<UserId>().unwrap(), u);
        prop_assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        prop_assert_eq!(z.to_string().parse::<mediameter_core::BillingZone>().unwrap(), z);
    }

    /// Money addition in one currency is exact and commutative.
    #[test]
    fn money_add_is_exact(a in strategies::decimal(), b in strategies::decimal(), c in strategies::currency()) {
        let x = Money::new(a, c).checked_add(Money::new(b, c)).unwrap();
        let y = Money::new(b, c).checked_add(Money::new(a, c)).unwrap();
        prop_assert_eq!(x, y);
        prop_assert_eq!(x.checked_sub(Money::new(b, c)).unwrap().amount(), a);
    }
}

/// Any `Unit`.
fn unit() -> impl Strategy<Value = mediameter_core::Unit> {
    use mediameter_core::Unit;
    prop::sample::select(vec![Unit::Second, Unit::Minute, Unit::Hour, Unit::Count])
}

proptest! {
    /// parse(display(x)) == x for quantities, roundings, time ranges (sub-second ends
    /// anywhere in years 0001–9999) and month slices.
    #[test]
    fn display_parse_roundtrips_of_values(
        v in strategies::decimal(),
        u in unit(),
        r in strategies::rounding(),
        range in strategies::wide_time_range(),
        first in 0_i64..3_000_000,
        len in 0_i64..2_000,
    ) {
        use mediameter_core::{MonthSlice, Quantity, TimeRange};
        let q = Quantity::new(v.abs(), u).unwrap();
        let back = q.to_string().parse::<Quantity>().unwrap();
        prop_assert_eq!(back, q);
        prop_assert_eq!(back.value().scale(), q.value().scale());
        prop_assert_eq!(r.to_string().parse::<Rounding>().unwrap(), r);
        prop_assert_eq!(range.to_string().parse::<TimeRange>().unwrap(), range);
        let start = NaiveDate::from_num_days_from_ce_opt(i32::try_from(first).unwrap() + 1).unwrap();
        let end = start + chrono::Days::new(u64::try_from(len).unwrap());
        for slice in mediameter_core::calendar::month_slices(start, end) {
            prop_assert_eq!(slice.to_string().parse::<MonthSlice>().unwrap(), slice);
        }
    }

    /// Whatever text a parser accepts prints back to text that parses to the same value, and no
    /// text makes a parser panic.
    #[test]
    fn parsers_accept_only_what_round_trips(s in "\\PC{0,48}|[0-9.]{1,8} (minute|s|hour|count)|[0-9]{1,2}dp (half_up|floor)|\\[[0-9T:Z+. -]{0,50}\\)|[0-9]{4}-[0-9]{2}: [0-9]{1,2}/[0-9]{2}") {
        use mediameter_core::{MonthSlice, Quantity, TimeRange};
        if let Ok(q) = s.parse::<Quantity>() {
            prop_assert_eq!(q.to_string().parse::<Quantity>().unwrap(), q);
        }
        if let Ok(r) = s.parse::<Rounding>() {
            prop_assert_eq!(r.to_string().parse::<Rounding>().unwrap(), r);
        }
        if let Ok(t) = s.parse::<TimeRange>() {
            prop_assert_eq!(t.to_string().parse::<TimeRange>().unwrap(), t);
        }
        if let Ok(m) = s.parse::<MonthSlice>() {
            prop_assert_eq!(m.to_string().parse::<MonthSlice>().unwrap(), m);
        }
    }
}

/// Every value of the small closed vocabularies prints as it parses, and `Currency`'s `Debug`
/// names the code.
#[test]
fn vocabularies_round_trip_through_text() {
    use mediameter_core::{Currency, Granularity, Role, RoundingMode, Unit};
    for u in [Unit::Second, Unit::Minute, Unit::Hour, Unit::Count] {
        assert_eq!(u.to_string().parse::<Unit>().unwrap(), u);
    }
    for m in RoundingMode::ALL {
        assert_eq!(m.to_string().parse::<RoundingMode>().unwrap(), m);
    }
    for c in Currency::KNOWN {
        assert_eq!(c.to_string().parse::<Currency>().unwrap(), *c);
        assert_eq!(format!("{c:?}"), format!("Currency({c})"));
    }
    for g in [Granularity::MINUTE, Granularity::HOUR, Granularity::DAY] {
        assert_eq!(g.to_string().parse::<Granularity>().unwrap(), g);
    }
    for role in [Role::Publish, Role::Subscribe] {
        assert_eq!(role.to_string().parse::<Role>().unwrap(), role);
    }
}

trait LastPiece {
    fn last_piece(self) -> mediameter_core::BucketPiece;
}

impl LastPiece for mediameter_core::time::BucketPieces {
    /// The last piece without walking every bucket: skip to it with `nth`.
    fn last_piece(mut self) -> mediameter_core::BucketPiece {
        let n = self.remaining();
        self.nth(usize::try_from(n - 1).unwrap()).unwrap()
    }
}

proptest! {
    /// An instant parses to the same value written as Unix seconds, as RFC 3339 in UTC and as
    /// RFC 3339 with any whole-minute offset.
    #[test]
    fn parse_instant_agrees_across_forms(
        secs in mediameter_core::time::MIN_UNIX_SECONDS + 86_400..mediameter_core::time::END_UNIX_SECONDS - 86_400,
        offset_min in -14 * 60_i32..=14 * 60,
    ) {
        use mediameter_core::time::parse_instant;
        let t = chrono::DateTime::from_timestamp(secs, 0).unwrap();
        let zone = chrono::FixedOffset::east_opt(offset_min * 60).unwrap();
        prop_assert_eq!(parse_instant(&secs.to_string()).unwrap(), t);
        prop_assert_eq!(parse_instant(&t.to_rfc3339()).unwrap(), t);
        prop_assert_eq!(parse_instant(&t.with_timezone(&zone).to_rfc3339()).unwrap(), t);
    }
}

/// Every minute policy prints as it parses, and the hyphenated flag spelling parses too.
#[test]
fn minute_policy_round_trips_through_text() {
    use mediameter_core::MinutePolicy;
    for p in [
        MinutePolicy::Exact,
        MinutePolicy::CeilPerRecord,
        MinutePolicy::CeilPerPeriod,
    ] {
        assert_eq!(p.to_string().parse::<MinutePolicy>().unwrap(), p);
        assert_eq!(
            p.to_string()
                .replace('_', "-")
                .parse::<MinutePolicy>()
                .unwrap(),
            p
        );
    }
    let err = "per_minute"
        .parse::<MinutePolicy>()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid minute policy \"per_minute\": expected exact, ceil_per_record or ceil_per_period"
    );
}

/// Text that is neither form, and instants outside years 0001 to 9999, are refused.
#[test]
fn parse_instant_refuses_what_it_cannot_represent() {
    use mediameter_core::time::parse_instant;
    assert_eq!(
        parse_instant("2024-03-01").unwrap_err().kind(),
        mediameter_core::ErrorKind::Invalid
    );
    assert_eq!(
        parse_instant("-62135596801").unwrap_err().kind(),
        mediameter_core::ErrorKind::OutOfRange
    );
    assert!(parse_instant("-62135596800").is_ok());
    assert!(parse_instant("9999-12-31T23:59:59Z").is_ok());
    assert_eq!(
        parse_instant(&i64::MAX.to_string()).unwrap_err().kind(),
        mediameter_core::ErrorKind::OutOfRange
    );
}
