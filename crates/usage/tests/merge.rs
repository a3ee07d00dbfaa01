//! Mergeable partial aggregates: merge(aggregate(A), aggregate(B)) == aggregate(A ∪ B).

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{Dimension, DistinctMode, UsageQuery, UsageState};
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

/// [`queries`], and the same under each set of metrics, the global id scope and every
/// split-by dimension.
#[cfg(feature = "serde")]
fn roundtrip_queries() -> Vec<UsageQuery> {
    use mediameter_usage::{IdScope, Metrics};
    let mut out = queries();
    let all = Metrics::ALL;
    for m in [
        Metrics::DURATIONS,
        all.with_users(false),
        all.with_channels(false),
        all.with_peaks(false),
        all.with_stream_peaks(false),
    ] {
        out.push(UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_metrics(m));
    }
    out.push(
        UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
            .with_split_by(Dimension::ALL)
            .with_id_scope(IdScope::Global),
    );
    out.push(
        UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
            .with_split_by([Dimension::App, Dimension::Role])
            .with_id_scope(IdScope::Global)
            .with_distinct(DistinctMode::approximate(6).unwrap()),
    );
    out
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

    /// The state survives a JSON round trip (reading it back checks it against its query)
    /// under every metric, id scope and split, merged from shards or not.
    #[cfg(feature = "serde")]
    #[test]
    fn state_json_roundtrip(segs in proptest::collection::vec(dense_segment(), 0..20), cut in any::<proptest::sample::Index>()) {
        let k = if segs.is_empty() { 0 } else { cut.index(segs.len() + 1) };
        let (a, b) = segs.split_at(k);
        for q in roundtrip_queries() {
            let mut st = aggregate(&q, a).unwrap();
            st.merge(&aggregate(&q, b).unwrap()).unwrap();
            let text = serde_json::to_string(&st).unwrap();
            let back: UsageState = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, &st);
        }
    }

    /// The state survives its compact binary form under every metric, id scope and split,
    /// merged from shards or not: it reads back equal, writes the same bytes again, and what
    /// the binary reading accepts the JSON reading accepts too.
    #[cfg(feature = "serde")]
    #[test]
    fn state_bytes_roundtrip(segs in proptest::collection::vec(dense_segment(), 0..20), cut in any::<proptest::sample::Index>()) {
        let k = if segs.is_empty() { 0 } else { cut.index(segs.len() + 1) };
        let (a, b) = segs.split_at(k);
        for q in roundtrip_queries() {
            let mut st = aggregate(&q, a).unwrap();
            st.merge(&aggregate(&q, b).unwrap()).unwrap();
            let bytes = st.to_bytes();
            let back = UsageState::from_bytes(&bytes).unwrap();
            prop_assert_eq!(&back, &st);
            prop_assert_eq!(back.to_bytes(), bytes);
            let json: UsageState = serde_json::from_str(&serde_json::to_string(&back).unwrap()).unwrap();
            prop_assert_eq!(&json, &st);
            prop_assert_eq!(
                back.report(MinutePolicy::CeilPerRecord).unwrap(),
                st.report(MinutePolicy::CeilPerRecord).unwrap()
            );
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

/// A state that no aggregation could produce is refused when read back: each edit below of a
/// real state's JSON used to be accepted.
#[cfg(feature = "serde")]
mod refused {
    use mediameter_core::{BillingZone, Granularity};
    use mediameter_usage::{Dimension, DistinctMode, IdScope, Metrics, UsageQuery, UsageState};
    use serde_json::{Value, json};

    use crate::common::*;

    /// The JSON of a state split by region and role, with every metric: two regions, two
    /// hours, a publisher and two viewers.
    fn state_json(q: &UsageQuery) -> Value {
        let t = DAY0_GMT8;
        let segs = [
            region(seg("a", "c", "host", "pub", "720p", t, t + 4000), "r1"),
            region(
                publisher(seg("a", "c", "v1", "sub", "720p", t + 10, t + 900), "host"),
                "r1",
            ),
            region(seg("a", "c", "v2", "sub", "audio", t + 20, t + 3700), "r2"),
        ];
        let st = aggregate(q, &segs).unwrap();
        let v = serde_json::to_value(&st).unwrap();
        // The state as it is reads back.
        assert_eq!(serde_json::from_value::<UsageState>(v.clone()).unwrap(), st);
        v
    }

    fn split() -> UsageQuery {
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::Region, Dimension::Role])
    }

    /// The error of reading `v` back, which must fail.
    fn refusal(v: Value) -> String {
        match serde_json::from_value::<UsageState>(v) {
            Ok(st) => panic!("accepted {st:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// The first group's value.
    fn group(v: &mut Value) -> &mut Value {
        &mut v["groups"][0][1]
    }

    /// The first cell of the first group.
    fn cell(v: &mut Value) -> &mut Value {
        group(v)["cells"]
            .as_object_mut()
            .unwrap()
            .values_mut()
            .next()
            .unwrap()
    }

    #[test]
    fn group_key_of_the_wrong_length() {
        let mut v = state_json(&split());
        v["groups"][0][0] = json!(["r1"]);
        assert!(
            refusal(v).contains("group key"),
            "one value for two dimensions"
        );
        let mut v = state_json(&split());
        v["groups"][0][0] = json!(["r1", "sub", "extra"]);
        assert!(refusal(v).contains("one per split-by dimension"));
    }

    #[test]
    fn group_key_values_the_dimension_cannot_take() {
        for key in [
            json!(["r1", "viewer"]),
            json!(["r1", null]),
            json!(["", "sub"]),
        ] {
            let mut v = state_json(&split());
            v["groups"][0][0] = key.clone();
            refusal(v);
        }
        let q =
            UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Spec]);
        let mut v = state_json(&q);
        v["groups"][0][0] = json!(["8k"]);
        assert!(refusal(v).contains("spec dimension"));
    }

    #[test]
    fn the_same_group_twice() {
        let mut v = state_json(&split());
        let first = v["groups"][0].clone();
        v["groups"].as_array_mut().unwrap().push(first);
        assert!(refusal(v).contains("twice"));
    }

    #[test]
    fn the_same_bucket_twice() {
        let v = state_json(&split());
        let text = serde_json::to_string(&v).unwrap();
        // Repeat the first cell's entry inside its map.
        let start = text.find("\"cells\":{").unwrap() + "\"cells\":{".len();
        let end = text[start..].find("},\"channel_activity\"").unwrap() + start;
        let entries = &text[start..end];
        let doubled = format!("{}{entries},{entries}{}", &text[..start], &text[end..]);
        assert!(
            serde_json::from_str::<UsageState>(&doubled)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }

    #[test]
    fn a_bucket_start_off_the_boundary() {
        let mut v = state_json(&split());
        let cells = group(&mut v)["cells"].as_object_mut().unwrap();
        let (k, c) = cells
            .iter()
            .next()
            .map(|(k, c)| (k.clone(), c.clone()))
            .unwrap();
        cells.remove(&k);
        let off = k.parse::<i64>().unwrap() + 1800;
        cells.insert(off.to_string(), c);
        assert!(refusal(v).contains("bucket start"));
        // UTC hours are not GMT+8 days.
        let q = UsageQuery::new(BillingZone::GMT8, Granularity::DAY);
        let mut v = state_json(&q);
        let cells = group(&mut v)["cells"].as_object_mut().unwrap();
        let (k, c) = cells
            .iter()
            .next()
            .map(|(k, c)| (k.clone(), c.clone()))
            .unwrap();
        cells.remove(&k);
        cells.insert((k.parse::<i64>().unwrap() + 8 * 3600).to_string(), c);
        assert!(refusal(v).contains("bucket start"));
    }

    #[test]
    fn a_bucket_start_outside_core_time() {
        let mut v = state_json(&split());
        let cells = group(&mut v)["cells"].as_object_mut().unwrap();
        let c = cells.values().next().unwrap().clone();
        cells.insert((-(1_i64 << 62)).to_string(), c);
        assert!(refusal(v).contains("out of range"));
    }

    #[test]
    fn distinct_sets_the_query_does_not_count() {
        let q = split().with_metrics(Metrics::ALL.with_users(false));
        let mut v = state_json(&q);
        cell(&mut v)["users"] = json!({"exact": [["a", "v1"]]});
        assert!(refusal(v).contains("does not count"));
    }

    #[test]
    fn distinct_sets_missing_when_counted() {
        let mut v = state_json(&split());
        cell(&mut v)["channels"] = Value::Null;
        assert!(refusal(v).contains("the query counts them"));
    }

    #[test]
    fn distinct_sets_in_another_mode() {
        // A sketch in an exact state: it used to fail only when reporting.
        let mut v = state_json(&split());
        let hll = json!({"approximate": {"precision": 4, "registers": "00".repeat(16)}});
        cell(&mut v)["users"] = hll.clone();
        assert!(refusal(v).contains("distinct mode"));
        // A sketch of another precision than the query's.
        let q = split().with_distinct(DistinctMode::approximate(5).unwrap());
        let mut v = state_json(&q);
        cell(&mut v)["users"] = hll;
        assert!(refusal(v).contains("distinct mode"));
        // An exact set in an approximate state.
        let mut v = state_json(&q);
        cell(&mut v)["channels"] = json!({"exact": [["a", "c"]]});
        assert!(refusal(v).contains("distinct mode"));
    }

    #[test]
    fn ids_core_would_refuse() {
        let mut v = state_json(&split());
        cell(&mut v)["users"] = json!({"exact": [["a", "x".repeat(129)]]});
        assert!(refusal(v).contains("user id"));
        let mut v = state_json(&split());
        cell(&mut v)["users"] = json!({"exact": [["a", ""]]});
        refusal(v);
        // Under the global scope the app of a scoped id is empty.
        let mut v = state_json(&split().with_id_scope(IdScope::Global));
        cell(&mut v)["users"] = json!({"exact": [["a", "v1"]]});
        assert!(refusal(v).contains("global"));
    }

    #[test]
    fn activity_the_query_does_not_compute() {
        let q = split().with_metrics(Metrics::ALL.with_peaks(false));
        let mut v = state_json(&q);
        group(&mut v)["channel_activity"] = json!([[["a", "c"], [[DAY0_GMT8, DAY0_GMT8 + 60]]]]);
        assert!(refusal(v).contains("peaks"));
        let q = split().with_metrics(Metrics::ALL.with_stream_peaks(false));
        let mut v = state_json(&q);
        group(&mut v)["stream_deltas"] = json!([[DAY0_GMT8, 1], [DAY0_GMT8 + 60, -1]]);
        assert!(refusal(v).contains("stream peaks"));
    }

    #[test]
    fn activity_that_is_empty_repeated_or_out_of_time() {
        let mut v = state_json(&split());
        group(&mut v)["channel_activity"] = json!([[["a", "c"], []]]);
        assert!(refusal(v).contains("at least one interval"));
        let mut v = state_json(&split());
        let a = json!([["a", "c"], [[DAY0_GMT8, DAY0_GMT8 + 60]]]);
        group(&mut v)["channel_activity"] = json!([a.clone(), a]);
        assert!(refusal(v).contains("twice"));
        let mut v = state_json(&split());
        group(&mut v)["channel_activity"] = json!([[["a", "c"], [[i64::MIN, 0]]]]);
        assert!(refusal(v).contains("out of range"));
    }

    #[test]
    fn stream_deltas_that_do_not_balance() {
        let mut v = state_json(&split());
        group(&mut v)["stream_deltas"] = json!([[DAY0_GMT8, 1]]);
        assert!(refusal(v).contains("net change"));
        let mut v = state_json(&split());
        group(&mut v)["stream_deltas"] =
            json!([[DAY0_GMT8, 1], [DAY0_GMT8 + 5, 0], [DAY0_GMT8 + 9, -1]]);
        assert!(refusal(v).contains("non-zero"));
        let mut v = state_json(&split());
        group(&mut v)["stream_deltas"] = json!([[DAY0_GMT8, 1], [DAY0_GMT8, -1]]);
        assert!(refusal(v).contains("twice"));
    }
}
