//! Golden cases of the time parsers: the vendors' sample values and every lenient case.

use chrono::{TimeZone, Utc};
use mediameter_query::{Leniency, TimeErrorReason, TimeFormat, format_utc, parse_time};

fn reason(s: &str, f: TimeFormat, l: Leniency) -> TimeErrorReason {
    match parse_time(s, f, l) {
        Err(e) => e.reason(),
        other => panic!("expected a time error for {s:?}, got {other:?}"),
    }
}

#[test]
fn vendor_sample_values_parse_and_print_back() {
    // Alibaba Cloud Live and Huawei Cloud RTC API references: yyyy-MM-ddTHH:mm:ssZ.
    for s in [
        "2018-09-30T16:00:00Z",
        "2018-10-31T15:59:59Z",
        "2020-04-23T06:00:00Z",
        "2021-04-23T09:55:30Z",
    ] {
        let t = parse_time(s, TimeFormat::UtcSeconds, Leniency::STRICT).unwrap();
        assert_eq!(format_utc(t.instant()), s);
        assert_eq!(t.format(TimeFormat::UtcSeconds), s);
    }
    // Volcengine RTC API reference: RFC 3339 with offset.
    let t = parse_time(
        "2021-07-24T00:00:00+08:00",
        TimeFormat::Rfc3339,
        Leniency::STRICT,
    )
    .unwrap();
    assert_eq!(
        t.instant(),
        Utc.with_ymd_and_hms(2021, 7, 23, 16, 0, 0).unwrap()
    );
    assert_eq!(t.to_string(), "2021-07-24T00:00:00+08:00");
}

#[test]
fn the_fixed_format_refuses_everything_else() {
    let f = TimeFormat::UtcSeconds;
    let s = Leniency::STRICT;
    assert_eq!(
        reason("2018-09-30T16:00:00+00:00", f, s),
        TimeErrorReason::OffsetNotAllowed
    );
    assert_eq!(
        reason("2018-09-30T16:00:00+00:00", f, Leniency::ALL),
        TimeErrorReason::OffsetNotAllowed
    );
    assert!(matches!(
        reason("2018-09-30 16:00:00Z", f, Leniency::ALL),
        TimeErrorReason::Syntax { at: 10, .. }
    ));
    assert!(matches!(
        reason("2018-09-30T16:00Z", f, s),
        TimeErrorReason::Syntax { .. }
    ));
    assert!(matches!(
        reason("2018-9-30T16:00:00Z", f, s),
        TimeErrorReason::Syntax { .. }
    ));
    assert!(matches!(
        reason("2018-09-30T16:00:00ZZ", f, s),
        TimeErrorReason::Syntax { at: 20, .. }
    ));
    assert!(matches!(
        reason("２018-09-30T16:00:00Z", f, s),
        TimeErrorReason::Syntax { at: 0, .. }
    ));
    assert!(matches!(
        reason("", f, s),
        TimeErrorReason::Syntax { at: 0, .. }
    ));
}

#[test]
fn rfc3339_edge_cases() {
    let f = TimeFormat::Rfc3339;
    let s = Leniency::STRICT;
    assert!(parse_time("2021-07-24T00:00:00Z", f, s).is_ok()); // Z is the zero offset in RFC 3339
    assert_eq!(
        reason("2021-07-24T00:00:00", f, s),
        TimeErrorReason::Syntax {
            at: 19,
            expected: "yyyy-MM-ddTHH:mm:ss and a zone"
        }
    );
    assert_eq!(
        reason("2021-07-24T00:00:00.", f, s),
        TimeErrorReason::Fraction
    );
    assert_eq!(
        reason("2021-07-24T00:00:00 ", f, Leniency::STRICT),
        TimeErrorReason::Space
    );
    assert_eq!(
        reason("2021-07-24T00:00:00X", f, s),
        TimeErrorReason::Syntax {
            at: 19,
            expected: "'Z' or an offset ±hh:mm"
        }
    );
    assert_eq!(
        reason("2021-07-24T00:00:00+08", f, s),
        TimeErrorReason::Syntax {
            at: 22,
            expected: "':'"
        }
    );
    assert_eq!(
        reason("2021-07-24T00:00:00+08:60", f, s),
        TimeErrorReason::FieldRange { field: "offset" }
    );
    assert_eq!(
        reason("2021-07-24T00:00:00-00:00", f, s),
        TimeErrorReason::UnknownOffset
    );
    // +00:00 is a known zero offset, fine.
    assert_eq!(
        parse_time("2021-07-24T00:00:00+00:00", f, s)
            .unwrap()
            .offset_minutes(),
        0
    );
    let t = parse_time("2021-07-24T00:00:00-00:00", f, s.with_unknown_offset(true)).unwrap();
    assert_eq!(
        t.instant(),
        Utc.with_ymd_and_hms(2021, 7, 24, 0, 0, 0).unwrap()
    );
    let t = parse_time("2021-07-24T00:00:00+0800", f, s.with_basic_offset(true)).unwrap();
    assert_eq!(t.to_string(), "2021-07-24T00:00:00+08:00");
    let t = parse_time(
        "\t2021-07-24T00:00:00+08:00  ",
        f,
        s.with_surrounding_space(true),
    )
    .unwrap();
    assert_eq!(t.offset_minutes(), 480);
}

#[test]
fn leniency_never_changes_the_meaning_of_a_strict_value() {
    for v in [
        "2021-07-24T00:00:00+08:00",
        "1999-12-31T23:59:59-11:30",
        "0001-01-01T00:00:00Z",
    ] {
        let strict = parse_time(v, TimeFormat::Rfc3339, Leniency::STRICT).unwrap();
        let lenient = parse_time(v, TimeFormat::Rfc3339, Leniency::ALL).unwrap();
        assert_eq!(strict, lenient);
    }
}

#[test]
fn errors_name_the_value_truncated() {
    let long = format!("{}x", "2".repeat(100));
    let err = parse_time(&long, TimeFormat::UtcSeconds, Leniency::STRICT).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("invalid time \"2222"));
    assert!(text.ends_with("longer than 64 bytes"));
    assert!(text.len() < 200);
}

#[test]
fn any_number_of_fraction_digits_is_read_and_truncated_past_nanoseconds() {
    // RFC 3339 §5.6 sets no limit on `time-secfrac`; the JSON Schema test suite's `date-time`
    // case `1985-04-12T00:59:59.999999999999999Z` is valid.
    let l = Leniency::STRICT.with_fractional_seconds(true);
    let t = parse_time(
        "1985-04-12T00:59:59.999999999999999Z",
        TimeFormat::Rfc3339,
        l,
    )
    .unwrap();
    // Truncated, never rounded into the next second.
    assert_eq!(
        t.instant(),
        Utc.with_ymd_and_hms(1985, 4, 12, 0, 59, 59).unwrap()
            + chrono::TimeDelta::nanoseconds(999_999_999)
    );
    let t = parse_time(
        "2023-01-01T00:00:00.0000000019+08:00",
        TimeFormat::Rfc3339,
        l,
    )
    .unwrap();
    assert_eq!(t.instant().timestamp_subsec_nanos(), 1);
    // Still strict about the rest: no digit, or no fraction switch.
    assert!(parse_time("2023-01-01T00:00:00.Z", TimeFormat::Rfc3339, l).is_err());
    assert_eq!(
        reason(
            "2023-01-01T00:00:00.5Z",
            TimeFormat::Rfc3339,
            Leniency::STRICT
        ),
        TimeErrorReason::Fraction
    );
}
