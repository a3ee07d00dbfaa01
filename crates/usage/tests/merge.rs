//! Mergeable partial aggregates: merge(aggregate(A), aggregate(B)) == aggregate(A ∪ B).

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{Dimension, DistinctMode, UsageQuery, UsageState, aggregate};
use proptest::prelude::*;

use crate::common::*;

fn queries() -> Vec<UsageQuery> {
    vec![
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::Region, Dimension::Spec]),
        UsageQuery::new(BillingZone::UTC, Granularity::DAY),
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::App])
            .with_distinct(DistinctMode::approximate(8).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The state of a union is the merge of the shards' states, for every metric: the states
    /// compare equal, and so do their reports (peaks included).
    #[test]
    fn merge_of_shards_equals_whole(segs in proptest::collection::vec(dense_segment(), 0..40), cut in any::<proptest::sample::Index>()) {
        let k = if segs.is_empty() { 0 } else { cut.index(segs.len() + 1) };
        let (a, b) = segs.split_at(k);
        for q in queries() {
            let whole = aggregate(&q, &segs).unwrap();
            let mut merged = aggregate(&q, a).unwrap();
            merged.merge(&aggregate(&q, b).unwrap()).unwrap();
            prop_assert_eq!(&merged, &whole);
            prop_assert_eq!(merged.report(MinutePolicy::CeilPerRecord).unwrap(), whole.report(MinutePolicy::CeilPerRecord).unwrap());
        }
    }

    /// merge is commutative and associative (three shards, both orders and groupings).
    #[test]
    fn merge_commutes_and_associates(segs in proptest::collection::vec(dense_segment(), 0..45)) {
        let q = &queries()[0];
        let n = segs.len();
        let (a, rest) = segs.split_at(n / 3);
        let (b, c) = rest.split_at(rest.len() / 2);
        let (sa, sb, sc) = (aggregate(q, a).unwrap(), aggregate(q, b).unwrap(), aggregate(q, c).unwrap());
        let mut ab_c = sa.clone();
        ab_c.merge(&sb).unwrap();
        ab_c.merge(&sc).unwrap();
        let mut bc = sb.clone();
        bc.merge(&sc).unwrap();
        let mut a_bc = sa.clone();
        a_bc.merge(&bc).unwrap();
        let mut cba = sc.clone();
        cba.merge(&sb).unwrap();
        cba.merge(&sa).unwrap();
        prop_assert_eq!(&ab_c, &a_bc);
        prop_assert_eq!(&ab_c, &cba);
    }

    /// The state survives a JSON round trip and still merges.
    #[cfg(feature = "serde")]
    #[test]
    fn state_json_roundtrip(segs in proptest::collection::vec(dense_segment(), 0..20)) {
        for q in queries() {
            let st = aggregate(&q, &segs).unwrap();
            let text = serde_json::to_string(&st).unwrap();
            let back: UsageState = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, &st);
        }
    }
}

#[test]
fn peak_across_shards_is_not_sum_or_max() {
    let t = DAY0_GMT8;
    // Shard A: c1 open [0, 100); shard B: c1 open [50, 150) and c2 open [200, 300).
    // Whole: peak channels 1 (c1 is one channel), peak communications 2 (u1 and u2 overlap).
    let a = [publisher(
        seg("a", "c1", "u1", "sub", "audio", t, t + 100),
        "p",
    )];
    let b = [
        publisher(seg("a", "c1", "u2", "sub", "audio", t + 50, t + 150), "p"),
        publisher(seg("a", "c2", "u3", "sub", "audio", t + 200, t + 300), "p"),
    ];
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR);
    let mut m = aggregate(&q, &a).unwrap();
    m.merge(&aggregate(&q, &b).unwrap()).unwrap();
    let r = m.report(MinutePolicy::Exact).unwrap();
    assert_eq!(r.rows[0].peak_channels, Some(1));
    assert_eq!(r.rows[0].peak_communications, Some(2));
    assert_eq!(r.rows[0].active_users, Some(3));
}

#[test]
fn incompatible_states_do_not_merge() {
    let mut a = UsageState::new(UsageQuery::new(BillingZone::GMT8, Granularity::HOUR));
    let b = UsageState::new(
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]),
    );
    let e = a.merge(&b).unwrap_err();
    assert_eq!(e.kind(), mediameter_usage::ErrorKind::Incompatible);
    assert_eq!(
        e.to_string(),
        "cannot merge states: query split_by differs ([] vs [Region])"
    );
}

#[test]
fn an_incompatible_merge_names_the_setting_and_cuts_its_values() {
    // Filters of 40 apps each: the error names the setting and keeps 64 characters per side
    // instead of repeating both whole queries.
    let apps = |p: &str| {
        (0..40)
            .map(|i| format!("{p}-app-{i:03}"))
            .collect::<Vec<_>>()
    };
    let q = |p: &str| {
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_filter(Dimension::App, apps(p))
            .unwrap()
    };
    let mut a = UsageState::new(q("left"));
    let e = a.merge(&UsageState::new(q("right"))).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("cannot merge states: query filters differs ({App: {\"left-app-000\""),
        "{msg}"
    );
    assert!(
        msg.chars().count() <= 64 * 2 + 60,
        "{} characters: {msg}",
        msg.chars().count()
    );
}
