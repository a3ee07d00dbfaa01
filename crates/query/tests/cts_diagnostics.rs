//! Huawei CTS trace queries (Huawei Cloud CTS user guide) and Alibaba RTC diagnostics (Alibaba
//! Cloud RTC console guide).

use mediameter_query::{Options, Registry, ViolationKind, WarningKind};

use crate::common::{at, code, ok, rejected};

const CTS: &str = "cts/traces";
const DIAG: &str = "RtcDiagnostics";

#[test]
fn cts_keeps_seven_days() {
    let reg = Registry::builtin();
    let now = at(2024, 3, 10, 12, 0, 0);
    ok(
        &reg,
        CTS,
        &[
            ("trace_type", "system"),
            ("from", "2024-03-03T12:00:00Z"),
            ("to", "2024-03-04T00:00:00Z"),
        ],
        now,
    );
    let r = rejected(
        &reg,
        CTS,
        &[
            ("trace_type", "system"),
            ("from", "2024-03-03T11:59:59Z"),
            ("to", "2024-03-04T00:00:00Z"),
        ],
        now,
        &Options::default(),
    );
    assert_eq!(
        (r.primary().kind, r.code()),
        (ViolationKind::TooOld, "MM.NotQueryable")
    );
}

#[test]
fn cts_visibility_delay_is_one_minute_for_management_and_five_for_data_events() {
    let reg = Registry::builtin();
    let now = at(2024, 3, 10, 12, 0, 0);
    let to_two_minutes_ago = "2024-03-10T11:58:00Z";
    let system = [("trace_type", "system"), ("to", to_two_minutes_ago)];
    let q = ok(&reg, CTS, &system, now);
    assert!(q.warnings().is_empty());
    let data = [("trace_type", "data"), ("to", to_two_minutes_ago)];
    let q = ok(&reg, CTS, &data, now);
    assert_eq!(q.warnings()[0].kind, WarningKind::DataDelayed);
    // Defaulted end (now) reaches into the minute of management events.
    let input = [("trace_type", "system")];
    let q = ok(&reg, CTS, &input, now);
    assert_eq!(q.warnings().len(), 1);
    let strict = Options::default().with_strict(true);
    let r = rejected(
        &reg,
        CTS,
        &[("trace_type", "data"), ("to", to_two_minutes_ago)],
        now,
        &strict,
    );
    assert_eq!(r.primary().kind, ViolationKind::DataDelayed);
    ok(
        &reg,
        CTS,
        &[("trace_type", "data"), ("to", "2024-03-10T11:55:00Z")],
        now,
    );
}

#[test]
fn cts_missing_trace_type_and_bad_values() {
    let reg = Registry::builtin();
    let now = at(2024, 3, 10, 12, 0, 0);
    let (status, c, msg) = code(&reg, CTS, &[], now);
    assert_eq!(
        (status, c.as_str(), msg.as_str()),
        (
            400,
            "MM.MissingParameter",
            "Required String parameter 'trace_type' is not present"
        )
    );
    let (_, c, _) = code(
        &reg,
        CTS,
        &[("trace_type", "system"), ("limit", "201")],
        now,
    );
    assert_eq!(c, "MM.InvalidParameter");
}

#[test]
fn diagnostics_range_at_most_one_hour() {
    // Alibaba Cloud RTC console guide, §5.1: "单次诊断的起始时间和结束时间最大跨度为1小时".
    let reg = Registry::builtin();
    let now = at(2024, 3, 10, 12, 0, 0);
    let base = |end: &'static str| {
        [
            ("AppId", "app"),
            ("ChannelId", "ch"),
            ("StartTime", "2024-03-10T10:00:00Z"),
            ("EndTime", end),
        ]
    };
    ok(&reg, DIAG, &base("2024-03-10T11:00:00Z"), now);
    let (status, c, _) = code(&reg, DIAG, &base("2024-03-10T11:00:01Z"), now);
    assert_eq!((status, c.as_str()), (400, "InvalidTimeSpan"));
    let (_, c, msg) = code(&reg, DIAG, &[("AppId", "app")], now);
    assert_eq!(c, "MissingParameter");
    assert_eq!(
        msg,
        "The input parameter \"ChannelId\" that is mandatory for processing this request is not supplied."
    );
}
