//! Every public data type round-trips through JSON, and deserializing validates.

use mediameter_core::*;
use rust_decimal_macros::dec;
use serde::{Serialize, de::DeserializeOwned};

fn roundtrip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&s).unwrap();
    assert_eq!(&back, v, "{s}");
    s
}

#[test]
fn data_types_roundtrip() {
    assert_eq!(
        roundtrip(&Money::new(dec!(12.50), Currency::CNY)),
        r#"{"amount":"12.50","currency":"CNY"}"#
    );
    assert_eq!(
        roundtrip(&Rounding::CENTS_HALF_UP),
        r#"{"scale":2,"mode":"half_up"}"#
    );
    assert_eq!(roundtrip(&BillingZone::GMT8), r#""GMT+08:00""#);
    assert_eq!(roundtrip(&Granularity::HOUR), "3600");
    assert_eq!(roundtrip(&MediaSpec::Video(VideoTier::P720)), r#""720p""#);
    assert_eq!(roundtrip(&LiveTier::Hd), r#""HD""#);
    assert_eq!(roundtrip(&Role::Subscribe), r#""sub""#);
    assert_eq!(roundtrip(&Unit::Minute), r#""minute""#);
    assert_eq!(
        roundtrip(&MinutePolicy::CeilPerRecord),
        r#""ceil_per_record""#
    );
    roundtrip(&Quantity::new(dec!(1.5), Unit::Hour).unwrap());
    roundtrip(&RoundingMode::Floor);
    let range = TimeRange::from_unix(1_700_000_000, 1_700_000_600).unwrap();
    assert_eq!(
        roundtrip(&range),
        r#"{"start":"2023-11-14T22:13:20Z","end":"2023-11-14T22:23:20Z"}"#
    );
    let seg = StreamSegment::new(
        AppId::new("a").unwrap(),
        ChannelId::new("c").unwrap(),
        UserId::new("u").unwrap(),
        Role::Subscribe,
        MediaSpec::Audio,
        range,
    )
    .with_region(RegionId::new("cn-shanghai").unwrap());
    roundtrip(&seg);
    roundtrip(&SubscriptionTerm::monthly(range.start(), 3, BillingZone::GMT8).unwrap());
    roundtrip(&Buckets::new(BillingZone::GMT8, Granularity::DAY));
}

#[test]
fn deserializing_validates() {
    let reversed = r#"{"start":"2023-11-14T22:23:20Z","end":"2023-11-14T22:13:20Z"}"#;
    let err = serde_json::from_str::<TimeRange>(reversed)
        .unwrap_err()
        .to_string();
    assert!(err.contains("an end strictly after the start"), "{err}");
    assert!(serde_json::from_str::<Rounding>(r#"{"scale":40,"mode":"half_up"}"#).is_err());
    assert!(serde_json::from_str::<Currency>(r#""XYZ""#).is_err());
    assert!(serde_json::from_str::<AppId>(r#""""#).is_err());
    assert!(serde_json::from_str::<Granularity>("7").is_err());
    assert!(serde_json::from_str::<Quantity>(r#"{"value":"-1","unit":"second"}"#).is_err());
    assert!(serde_json::from_str::<BillingZone>(r#""GMT+25""#).is_err());
}

/// Regression (issue 15): a month slice read from JSON is checked like one parsed from text;
/// it used to accept any four numbers (a 29th of February 2023, a 13th month, zero days).
#[test]
fn month_slices_are_checked_when_deserialized() {
    let slice: MonthSlice = "2024-02: 11/29".parse().unwrap();
    assert_eq!(
        roundtrip(&slice),
        r#"{"year":2024,"month":2,"days":11,"days_in_month":29}"#
    );
    for bad in [
        r#"{"year":2023,"month":2,"days":11,"days_in_month":29}"#,
        r#"{"year":2023,"month":13,"days":1,"days_in_month":31}"#,
        r#"{"year":2023,"month":3,"days":0,"days_in_month":31}"#,
        r#"{"year":2023,"month":3,"days":32,"days_in_month":31}"#,
        r#"{"year":2023,"month":3,"days":1,"days_in_month":31,"extra":1}"#,
    ] {
        assert!(serde_json::from_str::<MonthSlice>(bad).is_err(), "{bad}");
    }
}
