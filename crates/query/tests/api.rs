//! The public API as a user sees it: every printed name parses back (and is the serialized
//! one), times print and parse back, and rejections read back what they write.

use mediameter_query::perm::{AccessLevel, Effect};
use mediameter_query::{
    Error, ErrorKind, Options, ParseNameError, Registry, RetryAdvice, Vendor, ViolationKind,
    WarningKind,
};
use mediameter_query::{Leniency, ParsedTime, TimeFormat};
use std::fmt::Display;
use std::str::FromStr;

/// `Display` then `FromStr` gives the value back, and the printed name is the serialized one.
fn round_trip<T>(values: &[T])
where
    T: Display + FromStr<Err = ParseNameError> + PartialEq + std::fmt::Debug + Copy,
    T: serde::Serialize,
{
    for v in values {
        let printed = v.to_string();
        assert_eq!(printed.parse::<T>().unwrap(), *v, "{printed}");
        assert_eq!(
            serde_json::to_value(v).unwrap(),
            serde_json::Value::String(printed.clone())
        );
    }
    let err = "no such name".parse::<T>().unwrap_err();
    assert_eq!(Error::from(err).kind(), ErrorKind::Invalid);
}

#[test]
fn every_named_type_prints_and_parses_back() {
    round_trip(&[Vendor::Alibaba, Vendor::Huawei, Vendor::Volcengine]);
    round_trip(&ViolationKind::ALL);
    round_trip(&[WarningKind::DataDelayed, WarningKind::UnknownParameter]);
    round_trip(&[TimeFormat::UtcSeconds, TimeFormat::Rfc3339]);
    round_trip(&[
        RetryAdvice::Success,
        RetryAdvice::Retry,
        RetryAdvice::DoNotRetry,
        RetryAdvice::NotStated,
    ]);
    round_trip(&[Effect::Allow, Effect::Deny]);
    round_trip(&[AccessLevel::Read, AccessLevel::List, AccessLevel::Write]);
}

#[test]
fn names_are_case_sensitive_and_refusals_are_bounded() {
    assert!("Huawei".parse::<Vendor>().is_err());
    let err = "x".repeat(10_000).parse::<Vendor>().unwrap_err();
    assert!(err.to_string().len() < 200);
    assert_eq!(err.field(), "vendor");
}

#[test]
fn parsed_times_print_and_parse_back() {
    let l = Leniency::STRICT.with_fractional_seconds(true);
    for s in [
        "2021-07-24T00:00:00+08:00",
        "2018-09-30T16:00:00Z",
        "2020-04-23T07:00:00.000000001-05:30",
        "0000-12-31T23:30:00-01:00",
    ] {
        let t = mediameter_query::parse_time(s, TimeFormat::Rfc3339, l).unwrap();
        assert_eq!(t.to_string(), s);
        assert_eq!(t.to_string().parse::<ParsedTime>().unwrap(), t);
    }
}

#[test]
fn rejections_read_back_what_they_write() {
    let reg = Registry::builtin();
    let now = "2018-11-01T00:00:00Z".parse().unwrap();
    let err = reg
        .validate(
            "DescribeLiveProducerUsageData",
            &[("StartTime", "2018-09-30 16:00:00"), ("Interval", "60")],
            now,
            &Options::default(),
        )
        .unwrap_err();
    let r = err.rejection().unwrap();
    let json = serde_json::to_value(r).unwrap();
    let back: mediameter_query::Rejection = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, r);
    assert_eq!(back.primary(), r.primary());
    assert_eq!(back.alibaba_body("R"), r.alibaba_body("R"));

    // What `Rejection::new` guarantees is checked on reading too.
    let mut empty = json.clone();
    empty["violations"] = serde_json::json!([]);
    empty["primary"] = serde_json::json!(0);
    assert!(serde_json::from_value::<mediameter_query::Rejection>(empty).is_err());
    let mut outside = json.clone();
    outside["primary"] = serde_json::json!(2);
    assert!(serde_json::from_value::<mediameter_query::Rejection>(outside).is_err());
    let mut unknown = json;
    unknown["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<mediameter_query::Rejection>(unknown).is_err());
}

/// `ValidQuery` is not `Deserialize`, by decision (see its docs): it borrows the request's
/// strings, and its printed values do not say which are times. It reads back by validating
/// its printed parameters again under the same profile, which gives the same values and range.
#[test]
fn a_valid_query_reads_back_through_validate() {
    use mediameter_query::{builtin, validate};
    let now = "2021-07-27T00:00:00Z"
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap();
    let volc = builtin::list_operation_distribution();
    let rooms = Registry::builtin().get("rtc/rooms").unwrap().clone();
    let cases: [(_, &[(&str, &str)]); 2] = [
        (
            &volc,
            &[
                ("AppId", "Your_AppId"),
                ("StartTime", "2021-07-24T00:00:00+08:00"),
                ("EndTime", "2021-07-26T00:00:00+08:00"),
                ("Indicator", "user_count"),
                ("Dimension", "province"),
            ],
        ),
        (&rooms, &[("app", "603f71bd")]),
    ];
    for (profile, input) in cases {
        let first = validate(profile, input, now, &Options::default()).unwrap();
        let printed: Vec<(String, String)> = first
            .values()
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.to_string()))
            .collect();
        let again = validate(profile, &printed, now, &Options::default()).unwrap();
        assert_eq!(again.values(), first.values(), "{printed:?}");
        assert_eq!(again.range(), first.range());
        assert_eq!(again.api(), first.api());
    }
}
