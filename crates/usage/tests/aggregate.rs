//! Aggregation: golden examples (Alibaba Cloud RTC console guide; Alibaba Cloud Live API reference)
//! and a brute-force oracle.

use std::collections::{BTreeMap, BTreeSet};

use mediameter_core::{
    BillingZone, Granularity, MediaSpec, MinutePolicy, Role, StreamSegment, VideoTier,
};
use mediameter_usage::{
    Aggregator, Dimension, DistinctMode, IdScope, Metrics, UsageQuery, UsageReport,
};
use proptest::prelude::*;
use rust_decimal_macros::dec;

use crate::common::*;

const P720: MediaSpec = MediaSpec::Video(VideoTier::P720);

fn hours_gmt8() -> UsageQuery {
    UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
}

/// Hour buckets as in `DescribeLiveProducerUsageData`: 08:45:30 to 09:10:00 GMT+8 splits 870 s +
/// 600 s.
#[test]
fn segment_crossing_an_hour_is_split_exactly() {
    let s = seg(
        "a",
        "c",
        "u",
        "sub",
        "720p",
        DAY0_GMT8 + 8 * 3600 + 2730,
        DAY0_GMT8 + 9 * 3600 + 600,
    );
    let r = aggregate(&hours_gmt8(), [&s])
        .unwrap()
        .report(MinutePolicy::CeilPerPeriod)
        .unwrap();
    let secs: Vec<u64> = r
        .rows
        .iter()
        .map(|row| row.subscribe_seconds[P720])
        .collect();
    assert_eq!(secs, [870, 600]);
    assert_eq!(r.rows[0].bucket_start.timestamp(), DAY0_GMT8 + 8 * 3600);
    // Only subscription is billed (Alibaba Cloud RTC console guide): 870 s → 15 min, 600 s → 10
    // min.
    assert_eq!(r.rows[0].billable_minutes[P720], dec!(15));
    assert_eq!(r.rows[1].billable_minutes[P720], dec!(10));
    assert_eq!(r.totals[0].subscribe_seconds[P720], 1470);
}

/// Day buckets in GMT+8 start at 16:00 UTC; in UTC at midnight.
#[test]
fn day_buckets_follow_the_zone() {
    // 15:00 to 17:00 UTC on the day before DAY0_GMT8's UTC date.
    let s = seg(
        "a",
        "c",
        "u",
        "pub",
        "audio",
        DAY0_GMT8 - 3600,
        DAY0_GMT8 + 3600,
    );
    let gmt8 = aggregate(&UsageQuery::new(BillingZone::GMT8, Granularity::DAY), [&s]).unwrap();
    let utc = aggregate(&UsageQuery::new(BillingZone::UTC, Granularity::DAY), [&s]).unwrap();
    let p = |st: &mediameter_usage::UsageState| -> Vec<(i64, u64)> {
        st.report(MinutePolicy::Exact)
            .unwrap()
            .rows
            .iter()
            .map(|r| {
                (
                    r.bucket_start.timestamp(),
                    r.publish_seconds[MediaSpec::Audio],
                )
            })
            .collect()
    };
    assert_eq!(
        p(&gmt8),
        vec![(DAY0_GMT8 - 86_400, 3600), (DAY0_GMT8, 3600)]
    );
    assert_eq!(p(&utc).len(), 1);
    // Publish time is reported but never billed.
    assert!(
        gmt8.report(MinutePolicy::Exact)
            .unwrap()
            .rows
            .iter()
            .all(|r| r.billable_minutes.0.iter().all(|m| m.is_zero()))
    );
}

/// A stream opened before the hour and still open counts in that hour's peak.
#[test]
fn peak_counts_the_level_at_the_bucket_start() {
    let h9 = DAY0_GMT8 + 9 * 3600;
    let segs = [
        publisher(
            seg("a", "c1", "u1", "sub", "audio", h9 - 1800, h9 + 600),
            "p",
        ),
        publisher(
            seg("a", "c2", "u2", "sub", "audio", h9 - 60, h9 + 3600 + 60),
            "p",
        ),
        // Starts exactly when the first one ends: half-open, no overlap with it.
        publisher(
            seg("a", "c3", "u3", "sub", "audio", h9 + 600, h9 + 700),
            "p",
        ),
    ];
    let r = aggregate(&hours_gmt8(), &segs)
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    let by_bucket: BTreeMap<i64, (Option<u64>, Option<u64>)> = r
        .rows
        .iter()
        .map(|row| {
            (
                row.bucket_start.timestamp(),
                (row.peak_channels, row.peak_communications),
            )
        })
        .collect();
    assert_eq!(by_bucket[&(h9 - 3600)], (Some(2), Some(2)));
    assert_eq!(by_bucket[&h9], (Some(2), Some(2)));
    // Hour 10 has no segment starting in it, but c2 is still open at its start.
    assert_eq!(by_bucket[&(h9 + 3600)], (Some(1), Some(1)));
}

/// One relation (channel, publisher, subscriber) is one communication however many segments it
/// has; two publishers watched by one subscriber are two.
#[test]
fn communications_are_publish_subscribe_relations() {
    let t = DAY0_GMT8;
    let segs = [
        publisher(seg("a", "c", "viewer", "sub", "720p", t, t + 600), "host"),
        publisher(
            seg("a", "c", "viewer", "sub", "audio", t + 100, t + 500),
            "host",
        ),
        publisher(
            seg("a", "c", "viewer", "sub", "720p", t + 200, t + 300),
            "guest",
        ),
        seg("a", "c", "host", "pub", "720p", t, t + 600),
    ];
    let r = aggregate(&hours_gmt8(), &segs)
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].peak_communications, Some(2));
    assert_eq!(r.rows[0].peak_channels, Some(1));
    assert_eq!(r.rows[0].active_users, Some(2));
    assert_eq!(r.rows[0].channels, Some(1));
}

/// Split by region and spec, filtered to two regions (`DescribeLiveProducerUsageData`: an empty
/// filter is "all").
#[test]
fn split_and_filter() {
    let t = DAY0_GMT8;
    let segs = [
        region(seg("a", "c", "u1", "sub", "720p", t, t + 100), "sh"),
        region(seg("a", "c", "u2", "sub", "audio", t, t + 50), "sh"),
        region(seg("a", "c", "u3", "sub", "720p", t, t + 30), "bj"),
        region(seg("a", "c", "u4", "sub", "720p", t, t + 70), "gz"),
        seg("a", "c", "u5", "sub", "720p", t, t + 70),
    ];
    let q = hours_gmt8()
        .with_split_by([Dimension::Region, Dimension::Spec])
        .with_filter(Dimension::Region, ["sh", "bj"])
        .unwrap();
    let r = aggregate(&q, &segs)
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    let got: Vec<(Vec<Option<String>>, u64)> = r
        .rows
        .iter()
        .map(|row| {
            (
                row.group.iter().map(|(_, v)| v.clone()).collect(),
                row.subscribe_seconds.total(),
            )
        })
        .collect();
    let s = |x: &str| Some(x.to_owned());
    assert_eq!(
        got,
        vec![
            (vec![s("bj"), s("720p")], 30),
            (vec![s("sh"), s("720p")], 100),
            (vec![s("sh"), s("audio")], 50)
        ]
    );
    // No split, no filter: the merged total, and a segment without a region is kept.
    let all = aggregate(&hours_gmt8(), &segs)
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    assert_eq!(all.rows.len(), 1);
    assert_eq!(all.rows[0].subscribe_seconds.total(), 320);
    // Split by region: a segment without region forms its own group (None).
    let by_region = aggregate(&hours_gmt8().with_split_by([Dimension::Region]), &segs).unwrap();
    assert!(by_region.group_keys().any(|k| k == [None]));
}

/// Billable minutes under each core minute policy.
#[test]
fn minute_policies() {
    let t = DAY0_GMT8;
    let segs = [
        seg("a", "c", "u1", "sub", "audio", t, t + 61),
        seg("a", "c", "u2", "sub", "audio", t, t + 61),
    ];
    let st = aggregate(&hours_gmt8(), &segs).unwrap();
    let m = |p| st.report(p).unwrap().rows[0].billable_minutes[MediaSpec::Audio];
    assert_eq!(m(MinutePolicy::Exact), dec!(122) / dec!(60));
    assert_eq!(m(MinutePolicy::CeilPerPeriod), dec!(3));
    assert_eq!(m(MinutePolicy::CeilPerRecord), dec!(4));
}

/// The range clips durations and drops what lies outside.
#[test]
fn range_clips() {
    let t = DAY0_GMT8;
    let segs = [
        seg("a", "c", "u1", "sub", "audio", t - 100, t + 100),
        seg("a", "c", "u2", "sub", "audio", t - 300, t - 200),
    ];
    let q = hours_gmt8().with_range(mediameter_core::TimeRange::from_unix(t, t + 3600).unwrap());
    let st = aggregate(&q, &segs).unwrap();
    assert_eq!(st.segments(), 1);
    let r = st.report(MinutePolicy::Exact).unwrap();
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].subscribe_seconds.total(), 100);
}

/// Users are scoped to their app by default; globally on request.
#[test]
fn id_scope() {
    let t = DAY0_GMT8;
    let segs = [
        seg("a1", "c", "u1", "sub", "audio", t, t + 10),
        seg("a2", "c", "u1", "sub", "audio", t, t + 10),
    ];
    let per_app = aggregate(&hours_gmt8(), &segs)
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    assert_eq!(per_app.rows[0].active_users, Some(2));
    assert_eq!(per_app.rows[0].peak_channels, Some(2));
    let global = aggregate(&hours_gmt8().with_id_scope(IdScope::Global), &segs)
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    assert_eq!(global.rows[0].active_users, Some(1));
    assert_eq!(global.rows[0].peak_channels, Some(1));
}

/// Durations-only mode reports no distinct counts or peaks, and the same seconds.
#[test]
fn durations_only() {
    let t = DAY0_GMT8;
    let segs = [seg("a", "c", "u1", "sub", "audio", t, t + 4000)];
    let r = aggregate(&hours_gmt8().with_metrics(Metrics::DURATIONS), &segs)
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    assert_eq!(r.rows.len(), 2);
    assert!(
        r.rows
            .iter()
            .all(|row| row.active_users.is_none() && row.peak_channels.is_none())
    );
    assert_eq!(r.totals[0].subscribe_seconds.total(), 4000);
}

// ---- brute-force oracle ------------------------------------------------------------------

#[derive(Debug, Default, PartialEq, Eq)]
struct Expect {
    pub_secs: [u64; 6],
    sub_secs: [u64; 6],
    users: usize,
    channels: usize,
    peak_channels: u64,
    peak_comms: u64,
    peak_streams: u64,
}

fn oracle(
    segs: &[StreamSegment],
    width: i64,
    offset: i64,
) -> BTreeMap<(Option<String>, i64), Expect> {
    let mut out: BTreeMap<(Option<String>, i64), Expect> = BTreeMap::new();
    let groups: BTreeSet<Option<String>> = segs
        .iter()
        .map(|s| s.region.as_ref().map(|r| r.to_string()))
        .collect();
    for g in groups {
        let mine: Vec<&StreamSegment> = segs
            .iter()
            .filter(|s| s.region.as_ref().map(|r| r.to_string()) == g)
            .collect();
        let lo = mine
            .iter()
            .map(|s| s.range.start().timestamp())
            .min()
            .unwrap();
        let hi = mine
            .iter()
            .map(|s| s.range.end().timestamp())
            .max()
            .unwrap();
        let mut b = (lo + offset).div_euclid(width) * width - offset;
        while b < hi {
            let e = b + width;
            let mut x = Expect::default();
            let mut users = BTreeSet::new();
            let mut chans = BTreeSet::new();
            let mut any = false;
            for s in &mine {
                let (ss, se) = (s.range.start().timestamp(), s.range.end().timestamp());
                let ov = (se.min(e) - ss.max(b)).max(0) as u64;
                if ov > 0 {
                    any = true;
                    let slot = if s.role == Role::Publish {
                        &mut x.pub_secs
                    } else {
                        &mut x.sub_secs
                    };
                    slot[s.spec.index()] += ov;
                    users.insert((s.app.to_string(), s.user.to_string()));
                    chans.insert((s.app.to_string(), s.channel.to_string()));
                }
            }
            if any {
                for t in b..e {
                    let open: Vec<&&StreamSegment> = mine
                        .iter()
                        .filter(|s| {
                            s.range.start().timestamp() <= t && t < s.range.end().timestamp()
                        })
                        .collect();
                    let c: BTreeSet<_> = open
                        .iter()
                        .map(|s| (s.app.to_string(), s.channel.to_string()))
                        .collect();
                    let m: BTreeSet<_> = open
                        .iter()
                        .filter(|s| s.role == Role::Subscribe)
                        .map(|s| {
                            (
                                s.app.to_string(),
                                s.channel.to_string(),
                                s.publisher.as_ref().map(|p| p.to_string()),
                                s.user.to_string(),
                            )
                        })
                        .collect();
                    x.peak_channels = x.peak_channels.max(c.len() as u64);
                    x.peak_comms = x.peak_comms.max(m.len() as u64);
                    x.peak_streams = x.peak_streams.max(open.len() as u64);
                }
                x.users = users.len();
                x.channels = chans.len();
                out.insert((g.clone(), b), x);
            }
            b = e;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every metric of every (region, GMT+8 hour) equals a second-by-second brute force, in
    /// both of the aggregator's modes.
    #[test]
    fn matches_brute_force(segs in proptest::collection::vec(dense_segment(), 1..30)) {
        let q = hours_gmt8().with_split_by([Dimension::Region]);
        let r = aggregate(&q, &segs).unwrap().report(MinutePolicy::Exact).unwrap();
        let want = oracle(&segs, 3600, 8 * 3600);
        let got = observed(&r);
        prop_assert_eq!(got, want);
        // The mode for sorted input, on the same segments sorted by start.
        let mut sorted = segs.clone();
        sorted.sort_by_key(|s| s.range.start());
        let mut swept = Aggregator::sorted(q).unwrap();
        swept.extend(&sorted).unwrap();
        let swept = swept.report(MinutePolicy::Exact).unwrap();
        prop_assert_eq!(observed(&swept), oracle(&segs, 3600, 8 * 3600));
    }

    /// Shuffled input gives the same state (order independence).
    #[test]
    fn order_independent(mut segs in proptest::collection::vec(dense_segment(), 1..40), seed in any::<u64>()) {
        let q = hours_gmt8().with_split_by([Dimension::Region, Dimension::Role]);
        let a = aggregate(&q, &segs).unwrap();
        let n = segs.len();
        let mut x = seed | 1;
        for i in (1..n).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            segs.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(a, aggregate(&q, &segs).unwrap());
    }

    /// Approximate mode counts small sets exactly enough (within 1 user) and keeps durations exact.
    #[test]
    fn approximate_close_to_exact(segs in proptest::collection::vec(dense_segment(), 1..40)) {
        let q = UsageQuery::new(BillingZone::UTC, Granularity::DAY);
        let exact = aggregate(&q, &segs).unwrap().report(MinutePolicy::Exact).unwrap();
        let approx = aggregate(&q.clone().with_distinct(DistinctMode::approximate(12).unwrap()), &segs).unwrap().report(MinutePolicy::Exact).unwrap();
        prop_assert_eq!(exact.rows.len(), approx.rows.len());
        for (e, a) in exact.rows.iter().zip(&approx.rows) {
            prop_assert_eq!(e.subscribe_seconds, a.subscribe_seconds);
            prop_assert!(e.active_users.unwrap().abs_diff(a.active_users.unwrap()) <= 1);
            prop_assert_eq!(e.peak_channels, a.peak_channels);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The report computed on the interned tables equals the report of the portable state.
    #[test]
    fn aggregator_report_equals_state_report(segs in proptest::collection::vec(dense_segment(), 0..40), approx in any::<bool>()) {
        let mut q = hours_gmt8().with_split_by([Dimension::Region, Dimension::Spec]);
        if approx {
            q = q.with_distinct(DistinctMode::approximate(10).unwrap());
        }
        let mut agg = mediameter_usage::Aggregator::new(q).unwrap();
        agg.extend(&segs).unwrap();
        prop_assert_eq!(agg.report(MinutePolicy::CeilPerRecord).unwrap(), agg.to_state().unwrap().report(MinutePolicy::CeilPerRecord).unwrap());
    }
}

/// One record cannot make a pass allocate millions of buckets.
#[test]
fn overlong_segment_is_refused_with_its_position() {
    let ok = seg("a", "c", "u", "sub", "audio", 0, 60);
    let long = seg("a", "c", "u", "sub", "audio", 0, 40 * 86_400);
    let e = aggregate(&hours_gmt8(), [&ok, &long]).unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert_eq!(e.kind(), mediameter_usage::ErrorKind::TooLarge);
    assert!(
        e.to_string().starts_with("line 2, field start/end: a segment's seconds would produce 3456000 items, more than the limit of "),
        "{e}"
    );
    assert!(
        aggregate(
            &hours_gmt8().with_max_segment_seconds(50 * 86_400),
            [&ok, &long]
        )
        .is_ok()
    );
}

/// Many segments in few cells: 2 apps, 8 channels, 120 users, 2 regions, 3 hours, so that the
/// hot path's compactions run and the distinct sets turn into bitsets (app 0's dense ids) while
/// others stay sparse (app 1's).
fn crowded_segment() -> impl Strategy<Value = StreamSegment> {
    (
        0_u8..2,
        0_u8..8,
        0_u16..120,
        any::<bool>(),
        0_usize..4,
        0_i64..3 * 3600,
        1_i64..2400,
        0_u8..2,
        proptest::option::of(0_u16..120),
    )
        .prop_map(|(app, ch, user, publish, spec, start, dur, reg, publ)| {
            let role = if publish { "pub" } else { "sub" };
            let s = seg(
                &format!("app{app}"),
                &format!("ch{ch}"),
                &format!("u{user}"),
                role,
                MediaSpec::ALL[spec].as_str(),
                DAY0_GMT8 + start,
                DAY0_GMT8 + start + dur,
            );
            let s = region(s, &format!("r{reg}"));
            match (publ, publish) {
                (Some(p), false) => publisher(s, &format!("u{p}")),
                _ => s,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// The fast report of the aggregator and the state's report both equal the brute force
    /// on inputs large enough for every compaction and the bitset sets to run; per-group
    /// totals of distinct users equal the union over the group's segments.
    #[test]
    fn crowded_cells_match_brute_force(segs in proptest::collection::vec(crowded_segment(), 300..700)) {
        let q = hours_gmt8().with_split_by([Dimension::Region]);
        let mut agg = mediameter_usage::Aggregator::new(q.clone()).unwrap();
        agg.extend(&segs).unwrap();
        let fast = agg.report(MinutePolicy::Exact).unwrap();
        let slow = agg.to_state().unwrap().report(MinutePolicy::Exact).unwrap();
        prop_assert_eq!(&fast, &slow);
        prop_assert_eq!(&fast, &aggregate(&q, &segs).unwrap().report(MinutePolicy::Exact).unwrap());
        let want = oracle(&segs, 3600, 8 * 3600);
        let got = observed(&fast);
        prop_assert_eq!(got, want);
        for (scope, global) in [(IdScope::PerApp, false), (IdScope::Global, true)] {
            let q = hours_gmt8().with_split_by([Dimension::Region]).with_id_scope(scope);
            let mut agg = mediameter_usage::Aggregator::new(q).unwrap();
            agg.extend(&segs).unwrap();
            let r = agg.report(MinutePolicy::Exact).unwrap();
            prop_assert_eq!(&r, &agg.to_state().unwrap().report(MinutePolicy::Exact).unwrap());
            for row in &r.rows {
                let (b, reg) = (row.bucket_start.timestamp(), row.group[0].1.clone());
                let users: BTreeSet<(String, String)> = segs
                    .iter()
                    .filter(|s| s.region.as_ref().map(|r| r.to_string()) == reg)
                    .filter(|s| s.range.start().timestamp() < b + 3600 && s.range.end().timestamp() > b)
                    .map(|s| (if global { String::new() } else { s.app.to_string() }, s.user.to_string()))
                    .collect();
                prop_assert_eq!(row.active_users, Some(users.len() as u64));
            }
            for total in &r.totals {
                let reg = total.group[0].1.clone();
                let users: BTreeSet<(String, String)> = segs
                    .iter()
                    .filter(|s| s.region.as_ref().map(|r| r.to_string()) == reg)
                    .map(|s| (if global { String::new() } else { s.app.to_string() }, s.user.to_string()))
                    .collect();
                prop_assert_eq!(total.active_users, Some(users.len() as u64));
            }
        }
    }
}

/// A report split by region, in the brute-force oracle's shape: (region, bucket start) → metrics.
fn observed(r: &UsageReport) -> BTreeMap<(Option<String>, i64), Expect> {
    r.rows
        .iter()
        .map(|row| {
            (
                (row.group[0].1.clone(), row.bucket_start.timestamp()),
                Expect {
                    pub_secs: row.publish_seconds.0,
                    sub_secs: row.subscribe_seconds.0,
                    users: row.active_users.unwrap() as usize,
                    channels: row.channels.unwrap() as usize,
                    peak_channels: row.peak_channels.unwrap(),
                    peak_comms: row.peak_communications.unwrap(),
                    peak_streams: row.peak_streams.unwrap(),
                },
            )
        })
        .collect()
}
