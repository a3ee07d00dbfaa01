//! The public API's promises: every type that prints parses back, and parse errors are the
//! crate's error.

use std::str::FromStr;

use mediameter_core::RoundingMode;
use mediameter_usage::{
    BadRecords, Dimension, DistinctMode, ErrorKind, IdScope, Indicator, InputFormat, ProportionMode,
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
