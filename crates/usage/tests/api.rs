//! The public API's promises: every type that prints parses back, and parse errors are the
//! crate's error.

use std::str::FromStr;

use mediameter_core::RoundingMode;
use mediameter_usage::{
    BadRecords, Dimension, DistinctMode, Error, ErrorKind, IdScope, Indicator, InputFormat,
    Metrics, ProportionMode,
};

/// `Display` then `FromStr` gives the value back.
fn round_trips<T>(values: impl IntoIterator<Item = T>)
where
    T: std::fmt::Display + FromStr + PartialEq + std::fmt::Debug,
    <T as FromStr>::Err: std::fmt::Debug,
{
    for v in values {
        let text = v.to_string();
        let back: T = text
            .parse()
            .unwrap_or_else(|e| panic!("{text:?} does not parse back: {e:?}"));
        assert_eq!(back, v, "{text:?}");
    }
}

#[test]
fn printed_types_parse_back() {
    round_trips([IdScope::PerApp, IdScope::Global]);
    round_trips([BadRecords::Fail, BadRecords::Skip]);
    round_trips([InputFormat::Csv, InputFormat::JsonLines]);
    round_trips(Dimension::ALL);
    round_trips([Indicator::UserNum]);
    let mut distinct = vec![DistinctMode::Exact];
    for p in 4..=16 {
        distinct.push(DistinctMode::approximate(p).unwrap());
    }
    round_trips(distinct);
    let mut proportion = vec![ProportionMode::VENDOR, ProportionMode::LargestRemainder];
    proportion.extend(RoundingMode::ALL.map(ProportionMode::Independent));
    round_trips(proportion);
}

/// Every one of the 16 metric combinations, built field by field.
fn every_metrics() -> impl Iterator<Item = Metrics> {
    (0u8..16).map(|bits| {
        Metrics::DURATIONS
            .with_users(bits & 1 != 0)
            .with_channels(bits & 2 != 0)
            .with_peaks(bits & 4 != 0)
            .with_stream_peaks(bits & 8 != 0)
    })
}

#[test]
fn metrics_parse_back_in_any_order_and_spelling() {
    round_trips(every_metrics());
    for m in every_metrics() {
        // Reversed, spaced and with the dashed spelling, the list still reads as the same set.
        let text = m.to_string();
        if text == "all" || text == "durations" {
            continue;
        }
        let reversed: Vec<String> = text
            .split(',')
            .rev()
            .map(|w| format!(" {} ", w.replace('_', "-")))
            .collect();
        let reversed = reversed.join(",");
        assert_eq!(reversed.parse::<Metrics>().unwrap(), m, "{reversed:?}");
    }
    assert_eq!(
        "users,channels,peaks,stream_peaks"
            .parse::<Metrics>()
            .unwrap(),
        Metrics::ALL
    );
    assert_eq!(Metrics::ALL.to_string(), "all");
    assert_eq!(Metrics::DURATIONS.to_string(), "durations");
    assert_eq!(
        Metrics::DURATIONS
            .with_channels(true)
            .with_peaks(true)
            .to_string(),
        "channels,peaks"
    );
}

#[test]
fn metrics_refusals_name_the_item() {
    let refused = |text: &str| match text.parse::<Metrics>() {
        Err(Error::Invalid { field, value, .. }) => (field, value),
        other => panic!("{text:?} gave {other:?}"),
    };
    assert_eq!(refused("minutes"), ("metric", "minutes".to_owned()));
    assert_eq!(refused("users,peak"), ("metric", "peak".to_owned()));
    assert_eq!(refused("users,users"), ("metric", "users".to_owned()));
    assert_eq!(
        refused("stream_peaks,stream-peaks"),
        ("metric", "stream-peaks".to_owned())
    );
    assert_eq!(refused("all,users"), ("metric", "all".to_owned()));
    assert_eq!(
        refused("users,durations"),
        ("metric", "durations".to_owned())
    );
    assert_eq!(refused("Users"), ("metric", "Users".to_owned()));
    assert_eq!(refused(""), ("metrics", String::new()));
    assert_eq!(
        refused("users,,peaks"),
        ("metrics", "users,,peaks".to_owned())
    );
    assert_eq!(refused("users,"), ("metrics", "users,".to_owned()));
    // The value is echoed escaped and cut, as every Invalid error is.
    let e = "users,\"x\ty".parse::<Metrics>().unwrap_err();
    assert!(e.to_string().contains(r#"metric "\"x\ty""#), "{e}");
    let long = "u".repeat(10_000);
    let Err(Error::Invalid { value, .. }) = long.parse::<Metrics>() else {
        panic!("a long word is refused");
    };
    assert!(value.len() < 1_000 && value.ends_with('…'), "{value}");
}

#[test]
fn spellings() {
    assert_eq!(IdScope::Global.to_string(), "global");
    assert_eq!(BadRecords::Skip.to_string(), "skip");
    assert_eq!(DistinctMode::Exact.to_string(), "exact");
    assert_eq!(ProportionMode::VENDOR.to_string(), "vendor");
    assert_eq!(
        ProportionMode::Independent(RoundingMode::HalfUp).to_string(),
        "independent:half_up"
    );
    assert_eq!(
        "approximate".parse::<DistinctMode>().unwrap(),
        DistinctMode::approximate(12).unwrap()
    );
}

#[test]
fn parse_errors_are_the_crates_error() {
    assert_eq!(
        "both".parse::<IdScope>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "warn".parse::<BadRecords>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "xml".parse::<InputFormat>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "approx".parse::<DistinctMode>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "approximate:x".parse::<DistinctMode>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    // A precision that reads but is outside 4..=16 is out of range.
    assert_eq!(
        "approximate:17".parse::<DistinctMode>().unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        "independent:sideways"
            .parse::<ProportionMode>()
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
}

/// A query read from JSON is checked as its builders check it (issue 15): before, every case
/// below was read as written, a repeated split column, a filter that could never match
/// (`8k`, an unnormalized `≤720P`, an empty list that dropped everything) and an HLL
/// precision no sketch can have.
#[cfg(feature = "serde")]
mod query_json {
    use mediameter_core::{BillingZone, Granularity};
    use mediameter_usage::{Dimension, UsageQuery};

    fn base() -> serde_json::Value {
        serde_json::to_value(UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)).unwrap()
    }

    fn read(field: &str, value: &str) -> Result<UsageQuery, String> {
        let mut json = base();
        json[field] = serde_json::from_str(value).unwrap();
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    #[test]
    fn refuses_what_the_builders_refuse() {
        let err = read("split_by", r#"["spec", "region", "spec"]"#).unwrap_err();
        assert!(err.contains("split_by") && err.contains("spec"), "{err}");
        assert!(read("filters", r#"{"spec": ["8k"]}"#).is_err());
        assert!(read("filters", r#"{"role": ["listener"]}"#).is_err());
        assert!(read("filters", r#"{"colour": ["red"]}"#).is_err());
        let err = read("distinct", r#"{"approximate": {"precision": 30}}"#).unwrap_err();
        assert!(err.contains("30"), "{err}");
        assert!(read("buckets", r#"{"zone": "GMT+08:00", "granularity": 7}"#).is_err());
        let reversed = r#"{"start": "2024-01-02T00:00:00Z", "end": "2024-01-01T00:00:00Z"}"#;
        assert!(read("range", reversed).is_err());
        assert!(read("split", r#"["spec"]"#).is_err()); // a typo is not ignored
    }

    #[test]
    fn normalizes_filters_as_the_builder_does() {
        let built = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_filter(Dimension::Spec, ["≤720P"])
            .unwrap()
            .with_filter(Dimension::Role, ["subscriber"])
            .unwrap();
        assert_eq!(
            read("filters", r#"{"spec": ["≤720P"], "role": ["subscriber"]}"#).unwrap(),
            built
        );
        let all = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR);
        assert_eq!(read("filters", r#"{"region": []}"#).unwrap(), all);
        assert_eq!(read("filters", r#"{"region": [" "]}"#).unwrap(), all);
    }

    #[test]
    fn a_built_query_reads_back() {
        let q = UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
            .with_split_by([Dimension::Region, Dimension::Spec])
            .with_filter(Dimension::Region, ["cn-shanghai"])
            .unwrap()
            .with_distinct(mediameter_usage::DistinctMode::approximate(14).unwrap())
            .with_max_segment_seconds(3600);
        let back: UsageQuery = serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
        assert_eq!(back, q);
    }
}
