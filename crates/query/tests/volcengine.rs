//! `ListOperationDistribution` (Volcengine RTC API reference).

use mediameter_query::{Options, Registry, Value, ViolationKind, WarningKind};

use crate::common::{at, code, ok, rejected};

const API: &str = "ListOperationDistribution";

fn sample() -> [(&'static str, &'static str); 5] {
    // Volcengine RTC API reference, 请求示例 (request example).
    [
        ("AppId", "Your_AppId"),
        ("StartTime", "2021-07-24T00:00:00+08:00"),
        ("EndTime", "2021-07-26T00:00:00+08:00"),
        ("Indicator", "user_count"),
        ("Dimension", "province"),
    ]
}

#[test]
fn the_vendors_sample_request_passes_and_reports_user_num() {
    let reg = Registry::builtin();
    let input = sample();
    let q = ok(&reg, API, &input, at(2021, 7, 27, 0, 0, 0));
    assert_eq!(q.get("Indicator"), Some(&Value::Text("user_num")));
    assert_eq!(
        q.get("StartTime").unwrap().to_string(),
        "2021-07-24T00:00:00+08:00"
    );
    let r = q.range().unwrap();
    assert_eq!(r.start(), at(2021, 7, 23, 16, 0, 0));
    assert_eq!(r.seconds(), 2 * 86_400);
    assert!(q.warnings().is_empty());
}

#[test]
fn the_last_8_hours_are_a_warning_or_in_strict_mode_an_error() {
    let reg = Registry::builtin();
    let input = sample();
    // End 2021-07-25T16:00Z; now − 8 h = 2021-07-25T16:00Z exactly: complete.
    assert!(
        ok(&reg, API, &input, at(2021, 7, 26, 0, 0, 0))
            .warnings()
            .is_empty()
    );
    let now = at(2021, 7, 25, 20, 0, 0);
    let q = ok(&reg, API, &input, now);
    assert_eq!(q.warnings().len(), 1);
    assert_eq!(q.warnings()[0].kind, WarningKind::DataDelayed);
    let strict = Options::default().with_strict(true);
    let r = rejected(&reg, API, &input, now, &strict);
    assert_eq!(r.primary().kind, ViolationKind::DataDelayed);
    assert_eq!((r.status(), r.code()), (400, "InvalidParameter"));
}

#[test]
fn span_window_format_and_choices() {
    let reg = Registry::builtin();
    let now = at(2021, 8, 1, 0, 0, 0);
    let base = |start: &'static str, end: &'static str| {
        [
            ("AppId", "a"),
            ("StartTime", start),
            ("EndTime", end),
            ("Indicator", "user_num"),
            ("Dimension", "country"),
        ]
    };
    // Exactly 7 days passes, 7 days and 1 second does not.
    ok(
        &reg,
        API,
        &base("2021-07-20T00:00:00+08:00", "2021-07-27T00:00:00+08:00"),
        now,
    );
    let r = rejected(
        &reg,
        API,
        &base("2021-07-20T00:00:00+08:00", "2021-07-27T00:00:01+08:00"),
        now,
        &Options::default(),
    );
    assert_eq!(r.primary().kind, ViolationKind::SpanTooLong);
    // Only the last 30 days.
    let r = rejected(
        &reg,
        API,
        &base("2021-07-01T00:00:00Z", "2021-07-03T00:00:00Z"),
        now,
        &Options::default(),
    );
    assert_eq!(r.primary().kind, ViolationKind::TooOld);
    ok(
        &reg,
        API,
        &base("2021-07-02T00:00:00Z", "2021-07-03T00:00:00Z"),
        now,
    );
    // An offset is required: the local form is malformed.
    let r = rejected(
        &reg,
        API,
        &base("2021-07-24T00:00:00", "2021-07-26T00:00:00+08:00"),
        now,
        &Options::default(),
    );
    assert_eq!(
        (r.primary().kind, r.primary().param.as_deref()),
        (ViolationKind::Malformed, Some("StartTime"))
    );
    // Dimension province or country only.
    let mut input = base("2021-07-24T00:00:00+08:00", "2021-07-26T00:00:00+08:00");
    input[4] = ("Dimension", "city");
    let (status, c, msg) = code(&reg, API, &input, now);
    assert_eq!((status, c.as_str()), (400, "InvalidParameter"));
    assert_eq!(
        msg,
        "The parameter Dimension is invalid: expected one of province, country"
    );
}

#[test]
fn every_parameter_is_required() {
    let reg = Registry::builtin();
    let r = rejected(&reg, API, &[], at(2021, 8, 1, 0, 0, 0), &Options::default());
    assert_eq!(r.violations().len(), 5);
    assert!(
        r.violations()
            .iter()
            .all(|v| v.kind == ViolationKind::Missing)
    );
    assert_eq!(
        (r.code(), r.message()),
        ("MissingParameter", "The parameter AppId is required.")
    );
}
