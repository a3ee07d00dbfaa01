//! `DescribeLiveProducerUsageData` (Alibaba Cloud Live API reference): every error code and
//! default.

use mediameter_query::{Options, Registry, Value, ViolationKind};

use crate::common::{at, code, ok, rejected};

const API: &str = "DescribeLiveProducerUsageData";

fn now() -> chrono::DateTime<chrono::Utc> {
    at(2018, 11, 1, 0, 0, 0)
}

#[test]
fn the_vendors_sample_request_passes() {
    // Alibaba Cloud Live API reference, 示例 2 (example 2):
    // StartTime=2018-09-30T16:00:00Z&EndTime=2018-10-31T15:59:59Z&SplitBy=type
    let reg = Registry::builtin();
    let input = [
        ("StartTime", "2018-09-30T16:00:00Z"),
        ("EndTime", "2018-10-31T15:59:59Z"),
        ("SplitBy", "type"),
    ];
    let q = ok(&reg, API, &input, now());
    assert_eq!(q.get("SplitBy"), Some(&Value::List(vec!["type"])));
    assert_eq!(q.get("Interval"), Some(&Value::Integer(3600)));
    assert!(q.is_defaulted("Interval"));
    let range = q.range().unwrap();
    assert_eq!(range.start(), at(2018, 9, 30, 16, 0, 0));
    assert_eq!(range.seconds(), 31 * 86_400 - 1);
    assert!(q.warnings().is_empty());
}

#[test]
fn sample_parameter_values_of_the_table_pass() {
    // Alibaba Cloud Live API reference, 请求参数 (request parameters), 示例值 (example) column.
    let reg = Registry::builtin();
    let input = [
        ("Region", "cn-shanghai"),
        ("DomainName", "example.com"),
        ("Instance", "a17d0184-462d-4630-b2a6-8c26dde2****"),
        ("Type", "slidelive"),
        ("SplitBy", "type"),
        ("StartTime", "2018-09-30T16:00:00Z"),
        ("EndTime", "2018-10-31T15:59:59Z"),
        ("Interval", "3600"),
        ("app", "liveApp****"),
    ];
    let q = ok(&reg, API, &input, now());
    assert_eq!(q.values().len(), 9);
    assert!(!q.is_defaulted("Interval"));
}

#[test]
fn every_time_error_code_with_its_message_and_status() {
    let reg = Registry::builtin();
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case<'_>; 8] = [
        (
            &[
                ("StartTime", "2018-09-30T16:00:00"),
                ("EndTime", "2018-10-31T15:59:59Z"),
            ],
            "InvalidStartTime.Malformed",
            "Specified StartTime is malformed.",
        ),
        (
            &[
                ("StartTime", "2018-09-30T16:00:00Z"),
                ("EndTime", "2018/10/31 15:59:59"),
            ],
            "InvalidEndTime.Malformed",
            "Specified EndTime is malformed.",
        ),
        (
            &[("StartTime", "yesterday"), ("EndTime", "today")],
            "InvalidTime.Malformed",
            "Specified StartTime or EndTime is malformed.",
        ),
        (
            &[
                ("StartTime", "2018-10-31T15:59:59Z"),
                ("EndTime", "2018-09-30T16:00:00Z"),
            ],
            "InvalidEndTime.Mismatch",
            "Specified end time does not math the specified start time.",
        ),
        (
            &[
                ("StartTime", "2018-10-01T00:00:00Z"),
                ("EndTime", "2018-10-01T00:00:00Z"),
            ],
            "InvalidEndTime.Mismatch",
            "Specified end time does not math the specified start time.",
        ),
        (
            &[
                ("StartTime", "2018-09-01T00:00:00Z"),
                ("EndTime", "2018-10-02T00:00:01Z"),
            ],
            "InvalidTimeSpan",
            "The time span exceeds the limit.",
        ),
        (
            &[
                ("StartTime", "2018-11-02T00:00:00Z"),
                ("EndTime", "2018-11-03T00:00:00Z"),
            ],
            "InvalidTime.ValueNotSupported",
            "Specified Time is malformed.",
        ),
        (
            &[("Interval", "60")],
            "InvalidTime.ValueNotSupported",
            "Specified Time is malformed.",
        ),
    ];
    for (input, want, message) in cases {
        let (status, got, msg) = code(&reg, API, input, now());
        assert_eq!(
            (status, got.as_str(), msg.as_str()),
            (400, want, message),
            "{input:?}"
        );
    }
}

#[test]
fn the_span_limit_is_31_days_inclusive() {
    let reg = Registry::builtin();
    ok(
        &reg,
        API,
        &[
            ("StartTime", "2018-09-01T00:00:00Z"),
            ("EndTime", "2018-10-02T00:00:00Z"),
        ],
        now(),
    );
}

#[test]
fn interval_only_3600_or_86400() {
    let reg = Registry::builtin();
    for good in ["3600", "86400"] {
        ok(&reg, API, &[("Interval", good)], now());
    }
    // Leading zeros are refused like every other second spelling of a number.
    for bad in [
        "60", "7200", "abc", "-3600", "3600.0", " 3600", "03600", "086400", "00",
    ] {
        let r = rejected(&reg, API, &[("Interval", bad)], now(), &Options::default());
        assert_eq!(r.code(), "InvalidTime.ValueNotSupported", "{bad}");
        assert_eq!(r.primary().param.as_deref(), Some("Interval"));
    }
}

#[test]
fn defaults_fill_the_last_24_hours() {
    let reg = Registry::builtin();
    let q = ok(&reg, API, &[], now());
    let r = q.range().unwrap();
    assert_eq!((r.start(), r.end()), (at(2018, 10, 31, 0, 0, 0), now()));
    assert!(q.is_defaulted("StartTime") && q.is_defaulted("EndTime"));
    // Only an end: the start is 24 h before it.
    let q = ok(&reg, API, &[("EndTime", "2018-10-10T00:00:00Z")], now());
    assert_eq!(q.range().unwrap().start(), at(2018, 10, 9, 0, 0, 0));
    // Empty means absent (Alibaba Cloud Live API reference: "若参数为空, 默认返回所有").
    let q = ok(&reg, API, &[("Region", ""), ("StartTime", "")], now());
    assert_eq!(q.get("Region"), None);
    assert!(q.is_defaulted("StartTime"));
}

#[test]
fn split_by_and_lists() {
    let reg = Registry::builtin();
    let q = ok(
        &reg,
        API,
        &[
            ("SplitBy", "domain,region,instance,type"),
            ("Region", "cn-shanghai,cn-beijing"),
        ],
        now(),
    );
    assert_eq!(
        q.get("SplitBy").unwrap().to_string(),
        "domain,region,instance,type"
    );
    let bad: [(&str, &str, ViolationKind); 6] = [
        ("SplitBy", "domain,user", ViolationKind::NotSupported),
        ("SplitBy", "type,type", ViolationKind::Malformed),
        ("SplitBy", "domain, region", ViolationKind::Malformed),
        (
            "Region",
            "cn-shanghai,,cn-beijing",
            ViolationKind::Malformed,
        ),
        (
            "Region",
            "cn-shanghai, cn-beijing",
            ViolationKind::Malformed,
        ),
        (
            "Type",
            "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u",
            ViolationKind::TooMany,
        ),
    ];
    for (name, value, kind) in bad {
        let r = rejected(&reg, API, &[(name, value)], now(), &Options::default());
        assert_eq!(r.code(), "InvalidParameter", "{name}={value}");
        assert_eq!(
            r.message(),
            format!("The specified parameter \"{name}\" is not valid.")
        );
        assert_eq!(r.primary().kind, kind, "{name}={value}");
    }
    // 20 items is the cap.
    let twenty = (0..20)
        .map(|i| format!("r{i}"))
        .collect::<Vec<_>>()
        .join(",");
    ok(&reg, API, &[("Region", twenty.as_str())], now());
}

#[test]
fn unknown_duplicate_and_too_many_parameters() {
    let reg = Registry::builtin();
    let r = rejected(&reg, API, &[("Foo", "1")], now(), &Options::default());
    assert_eq!(
        (r.code(), r.primary().kind),
        ("InvalidParameter", ViolationKind::Unknown)
    );
    let r = rejected(
        &reg,
        API,
        &[("Interval", "3600"), ("Interval", "86400")],
        now(),
        &Options::default(),
    );
    assert_eq!(r.primary().kind, ViolationKind::Duplicate);
    let many: Vec<(String, String)> = (0..33).map(|i| (format!("p{i}"), "x".to_owned())).collect();
    let err = reg
        .validate(API, &many, now(), &Options::default())
        .unwrap_err();
    let r = err.rejection().unwrap();
    assert_eq!(r.violations().len(), 1);
    assert_eq!(r.primary().kind, ViolationKind::TooLarge);
}

#[test]
fn all_violations_in_documented_order_and_primary_by_precedence() {
    let reg = Registry::builtin();
    let input = [
        ("Bogus", "1"),
        ("SplitBy", "user"),
        ("StartTime", "2018-10-31T15:59:59Z"),
        ("EndTime", "2018-09-30T16:00:00Z"),
        ("Interval", "5"),
    ];
    let r = rejected(&reg, API, &input, now(), &Options::default());
    let kinds: Vec<_> = r
        .violations()
        .iter()
        .map(|v| (v.kind, v.param.clone().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ViolationKind::Unknown, "Bogus".to_owned()),
            (ViolationKind::NotSupported, "SplitBy".to_owned()),
            (ViolationKind::NotSupported, "Interval".to_owned()),
            (ViolationKind::EndNotAfterStart, "EndTime".to_owned()),
        ]
    );
    // Alibaba answers the time problem first (the document's six codes outrank the rest).
    assert_eq!(r.code(), "InvalidEndTime.Mismatch");
}

#[test]
fn a_huge_parameter_is_refused_as_malformed_and_echo_is_truncated() {
    let reg = Registry::builtin();
    let huge = "2".repeat(1 << 20);
    let r = rejected(
        &reg,
        API,
        &[("StartTime", huge.as_str())],
        now(),
        &Options::default(),
    );
    assert_eq!(r.code(), "InvalidStartTime.Malformed");
    assert!(r.primary().value.as_ref().unwrap().chars().count() <= 65);
    assert!(r.primary().detail.contains("longer than 64 bytes"));
}

#[test]
fn out_of_range_years() {
    let reg = Registry::builtin();
    let (_, c, _) = code(&reg, API, &[("StartTime", "0000-01-01T00:00:00Z")], now());
    assert_eq!(c, "InvalidTime.ValueNotSupported");
}

#[test]
fn leniency_is_opt_in() {
    let reg = Registry::builtin();
    let input = [
        ("StartTime", "2018-09-30t16:00:00z"),
        ("EndTime", "2018-10-31T15:59:59.5Z"),
    ];
    assert!(
        reg.validate(API, &input, now(), &Options::default())
            .is_err()
    );
    let lenient = Options::default().with_leniency(mediameter_query::Leniency::ALL);
    let q = reg.validate(API, &input, now(), &lenient).unwrap();
    assert_eq!(
        q.get("EndTime").unwrap().to_string(),
        "2018-10-31T15:59:59.5Z"
    );
}

#[test]
fn a_span_just_over_the_limit_says_its_real_length() {
    let reg = Registry::builtin();
    let lenient = Options::default()
        .with_leniency(mediameter_query::Leniency::STRICT.with_fractional_seconds(true));
    let r = rejected(
        &reg,
        API,
        &[
            ("StartTime", "2018-09-01T00:00:00Z"),
            ("EndTime", "2018-10-02T00:00:00.001Z"),
        ],
        now(),
        &lenient,
    );
    assert_eq!(r.primary().kind, ViolationKind::SpanTooLong);
    assert_eq!(
        r.primary().detail,
        "the range spans 2678400.001 s, at most 2678400 s allowed"
    );
}

#[test]
fn control_characters_never_reach_the_vendor_message() {
    let reg = Registry::builtin();
    let r = rejected(
        &reg,
        API,
        &[("Interval", "\u{1b}[2J\u{7}")],
        now(),
        &Options::default(),
    );
    let shown = format!("{} {:?}", r.message(), r.vendor_body("req"));
    assert!(!r.message().chars().any(char::is_control), "{shown}");
    let r = rejected(
        &reg,
        API,
        &[("Bogus\u{1b}]0;x\u{7}", "1")],
        now(),
        &Options::default(),
    );
    assert!(
        !r.message().chars().any(char::is_control),
        "{}",
        r.message()
    );
}
