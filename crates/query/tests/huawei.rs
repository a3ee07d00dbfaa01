//! Huawei RTC statistics (Huawei Cloud RTC API reference).

use mediameter_query::builtin::HUAWEI_STATISTICS;
use mediameter_query::{Options, Registry, Value, ViolationKind, WarningKind};

use crate::common::{at, code, ok, rejected};

const ROOMS: &str = "rtc/rooms";

#[cfg(feature = "serde")]
#[test]
fn missing_app_is_the_exact_data_100011001_body() {
    // Huawei Cloud RTC API reference, 响应示例 状态码 400 (response example, status 400).
    let reg = Registry::builtin();
    let r = rejected(
        &reg,
        ROOMS,
        &[],
        at(2021, 4, 23, 10, 0, 0),
        &Options::default(),
    );
    assert_eq!(r.status(), 400);
    let body = serde_json::to_value(r.huawei_body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"error_code": "DATA.100011001", "error_msg": "Required String parameter 'app' is not present"})
    );
}

#[test]
fn defaults_last_hour_limit_and_offset() {
    let reg = Registry::builtin();
    let now = at(2021, 4, 23, 10, 0, 0);
    let q = ok(
        &reg,
        ROOMS,
        &[("app", "603f71bdfa163e500aff1106c8xxxxxx")],
        now,
    );
    let r = q.range().unwrap();
    assert_eq!((r.start(), r.end()), (at(2021, 4, 23, 9, 0, 0), now));
    assert_eq!(
        q.get("start_time").unwrap().to_string(),
        "2021-04-23T09:00:00Z"
    );
    assert_eq!(q.get("limit"), Some(&Value::Integer(10)));
    assert_eq!(q.get("offset"), Some(&Value::Integer(0)));
    // "Now" with a fraction is truncated to the second the format can carry.
    let q = ok(
        &reg,
        ROOMS,
        &[("app", "a")],
        now + chrono::TimeDelta::milliseconds(999),
    );
    assert_eq!(q.range().unwrap().end(), now);
}

#[test]
fn the_documented_sample_times_pass() {
    // Huawei Cloud RTC API reference, Query参数 (query parameters): start_time 2020-04-23T06:00:00Z,
    // end_time 2020-04-23T07:00:00Z.
    let reg = Registry::builtin();
    let input = [
        ("app", "603f71bdfa163e500aff1106c8xxxxxx"),
        ("room_id", "ac146d0f2779916191716070xxxxxx"),
        ("state", "RUNNING"),
        ("start_time", "2020-04-23T06:00:00Z"),
        ("end_time", "2020-04-23T07:00:00Z"),
        ("limit", "2"),
        ("offset", "0"),
    ];
    let q = ok(&reg, ROOMS, &input, at(2021, 4, 23, 10, 0, 0));
    assert_eq!(q.range().unwrap().seconds(), 3600);
    assert_eq!(q.get("state"), Some(&Value::Text("RUNNING")));
}

#[test]
fn state_limit_offset_and_times() {
    let reg = Registry::builtin();
    let now = at(2021, 4, 23, 10, 0, 0);
    let cases: [(&str, &str, ViolationKind, &str); 6] = [
        (
            "state",
            "OPEN",
            ViolationKind::NotSupported,
            "Invalid String parameter 'state': expected one of RUNNING, CLOSED",
        ),
        (
            "state",
            "running",
            ViolationKind::NotSupported,
            "Invalid String parameter 'state': expected one of RUNNING, CLOSED",
        ),
        (
            "limit",
            "0",
            ViolationKind::OutOfRange,
            "Invalid Integer parameter 'limit': expected 1 to 100",
        ),
        (
            "limit",
            "101",
            ViolationKind::OutOfRange,
            "Invalid Integer parameter 'limit': expected 1 to 100",
        ),
        (
            "offset",
            "-1",
            ViolationKind::OutOfRange,
            "Invalid Integer parameter 'offset': expected 0 to 10000",
        ),
        (
            "limit",
            "ten",
            ViolationKind::Malformed,
            "Invalid Integer parameter 'limit': expected a decimal integer",
        ),
    ];
    for (name, value, kind, message) in cases {
        let r = rejected(
            &reg,
            ROOMS,
            &[("app", "a"), (name, value)],
            now,
            &Options::default(),
        );
        assert_eq!(
            (r.primary().kind, r.code(), r.message()),
            (kind, "MM.InvalidParameter", message),
            "{name}={value}"
        );
    }
    let (_, c, _) = code(
        &reg,
        ROOMS,
        &[
            ("app", "a"),
            ("end_time", "2021-04-23T08:00:00Z"),
            ("start_time", "2021-04-23T09:00:00Z"),
        ],
        now,
    );
    assert_eq!(c, "MM.InvalidParameter");
    // Only a start: the end is now.
    let q = ok(
        &reg,
        ROOMS,
        &[("app", "a"), ("start_time", "2021-04-20T00:00:00Z")],
        now,
    );
    assert_eq!(q.range().unwrap().end(), now);
    // A missing app outranks every other problem.
    let r = rejected(
        &reg,
        ROOMS,
        &[("limit", "0"), ("state", "X")],
        now,
        &Options::default(),
    );
    assert_eq!(r.code(), "DATA.100011001");
    assert_eq!(r.violations().len(), 3);
}

#[test]
fn every_other_statistics_endpoint_requires_app_and_tolerates_extras() {
    let reg = Registry::builtin();
    let now = at(2023, 1, 1, 0, 0, 0);
    for (name, _, _, paginated) in HUAWEI_STATISTICS {
        let (status, c, msg) = code(&reg, name, &[], now);
        assert_eq!(
            (status, c.as_str(), msg.as_str()),
            (
                400,
                "DATA.100011001",
                "Required String parameter 'app' is not present"
            ),
            "{name}"
        );
        let q = ok(&reg, name, &[("app", "a"), ("room_id", "r")], now);
        assert_eq!(
            q.warnings()[0].kind,
            WarningKind::UnknownParameter,
            "{name}"
        );
        assert_eq!(q.range().unwrap().seconds(), 3600, "{name}");
        assert_eq!(q.get("limit").is_some(), paginated, "{name}");
    }
}
