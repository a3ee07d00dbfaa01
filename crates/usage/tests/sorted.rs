//! The aggregator's mode for sorted input (`Aggregator::sorted`) against its mergeable mode on
//! random inputs sorted by start (the brute-force oracle of `aggregate.rs` checks both modes).

use mediameter_core::{BillingZone, Granularity, MinutePolicy, TimeRange};
use mediameter_usage::{Aggregator, Dimension, DistinctMode, IdScope, Metrics, UsageQuery};
use proptest::prelude::*;

use crate::common::{DAY0_GMT8, dense_segment, seg};

fn queries() -> Vec<UsageQuery> {
    vec![
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR),
        UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
            .with_split_by([Dimension::Region, Dimension::Spec])
            .with_filter(Dimension::Role, ["sub"])
            .unwrap(),
        UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
            .with_split_by([Dimension::App])
            .with_id_scope(IdScope::Global),
        UsageQuery::new(BillingZone::GMT8, Granularity::from_seconds(900).unwrap())
            .with_split_by([Dimension::Region])
            .with_range(TimeRange::from_unix(DAY0_GMT8 + 1800, DAY0_GMT8 + 4 * 3600 + 7).unwrap()),
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_distinct(DistinctMode::Approximate { precision: 8 })
            .with_metrics(Metrics::DURATIONS.with_users(true).with_stream_peaks(true)),
    ]
}

proptest! {
    #[test]
    fn equals_the_aggregator_on_sorted_input(mut segs in proptest::collection::vec(dense_segment(), 0..80)) {
        segs.sort_by_key(|s| s.range.start());
        for q in queries() {
            let mut agg = Aggregator::new(q.clone()).unwrap();
            agg.extend(&segs).unwrap();
            let mut sorted = Aggregator::sorted(q.clone()).unwrap();
            sorted.extend(&segs).unwrap();
            for policy in [MinutePolicy::CeilPerPeriod, MinutePolicy::Exact] {
                prop_assert_eq!(sorted.report(policy).unwrap(), agg.report(policy).unwrap(), "{:?}", q);
            }
            prop_assert_eq!(sorted.segments(), agg.segments());
        }
    }
}

#[test]
fn touching_and_nested_activities() {
    // Ends before starts at the same instant; a bucket that starts with ends only; a long
    // segment spanning buckets without events.
    let t = DAY0_GMT8;
    let segs = [
        seg("a", "c1", "u1", "sub", "720p", t, t + 3600),
        seg("a", "c1", "u2", "sub", "720p", t, t + 3600),
        seg("a", "c2", "u3", "sub", "720p", t + 10, t + 5 * 3600),
        seg("a", "c1", "u1", "sub", "720p", t + 3600, t + 3700),
        seg("a", "c1", "u1", "pub", "720p", t + 3600, t + 3800),
    ];
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR);
    let mut agg = Aggregator::new(q.clone()).unwrap();
    agg.extend(&segs).unwrap();
    let mut sorted = Aggregator::sorted(q).unwrap();
    sorted.extend(&segs).unwrap();
    let r = sorted.report(MinutePolicy::Exact).unwrap();
    assert_eq!(r, agg.report(MinutePolicy::Exact).unwrap());
    let streams: Vec<_> = r.rows.iter().map(|r| r.peak_streams.unwrap()).collect();
    assert_eq!(streams, [3, 3, 1, 1, 1]);
}

#[test]
fn unsorted_input_is_refused_with_its_position() {
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
    let mut sorted = Aggregator::sorted(q).unwrap();
    sorted
        .push(&seg("a", "c", "u", "sub", "audio", 100, 200))
        .unwrap();
    let e = sorted
        .push(&seg("a", "c", "u", "sub", "audio", 99, 200))
        .unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert!(e.to_string().contains("sorted by start"));
}
