//! Vendor body shapes, JSON pointers and the Huawei status table.

use mediameter_query::{Options, Registry, RetryAdvice, builtin, may_retry, retry_advice};
use serde_json::json;

use crate::common::{at, rejected};

#[test]
fn alibaba_body_shape() {
    let reg = Registry::builtin();
    let r = rejected(
        &reg,
        "DescribeLiveProducerUsageData",
        &[
            ("StartTime", "2018-10-31T15:59:59Z"),
            ("EndTime", "2018-09-30T16:00:00Z"),
        ],
        at(2018, 11, 1, 0, 0, 0),
        &Options::default(),
    );
    let body = serde_json::to_value(r.vendor_body("C370DAF1-C838-4288-A1A0-9A87633D248E")).unwrap();
    assert_eq!(
        body,
        json!({
            "Code": "InvalidEndTime.Mismatch",
            "Message": "Specified end time does not math the specified start time.",
            "RequestId": "C370DAF1-C838-4288-A1A0-9A87633D248E"
        })
    );
}

#[test]
fn volcengine_body_shape() {
    let reg = Registry::builtin();
    let r = rejected(
        &reg,
        "ListOperationDistribution",
        &[("AppId", "a")],
        at(2021, 8, 1, 0, 0, 0),
        &Options::default(),
    );
    let body = serde_json::to_value(r.vendor_body("Your_RequestId")).unwrap();
    assert_eq!(
        body,
        json!({"ResponseMetadata": {
            "RequestId": "Your_RequestId",
            "Action": "ListOperationDistribution",
            "Version": "2020-12-01",
            "Error": {"Code": "MissingParameter", "Message": "The parameter StartTime is required."}
        }})
    );
}

#[test]
fn problems_carry_pointers_and_their_own_codes() {
    let p = builtin::describe_live_producer_usage_data();
    let reg = Registry::builtin();
    let r = rejected(
        &reg,
        p.name(),
        &[("SplitBy", "x"), ("StartTime", "bad"), ("EndTime", "bad")],
        at(2018, 11, 1, 0, 0, 0),
        &Options::default(),
    );
    assert_eq!(r.code(), "InvalidTime.Malformed");
    let problems = serde_json::to_value(r.problems(&p)).unwrap();
    assert_eq!(problems[0]["pointer"], "/SplitBy");
    assert_eq!(problems[0]["code"], "InvalidParameter");
    assert_eq!(problems[1]["pointer"], "/StartTime");
    assert_eq!(problems[1]["code"], "InvalidStartTime.Malformed");
    assert_eq!(problems[2]["code"], "InvalidEndTime.Malformed");
    assert_eq!(problems[2]["kind"], "malformed");
}

#[test]
fn huawei_status_table() {
    // Huawei Cloud RTC API reference, 状态码 (status codes), table 1.
    assert!(may_retry(408));
    for s in [400, 401, 403, 404, 405, 503] {
        assert_eq!(retry_advice(s), RetryAdvice::DoNotRetry, "{s}");
    }
    for s in [200, 201, 202, 204] {
        assert_eq!(retry_advice(s), RetryAdvice::Success);
    }
    for s in [500, 502, 504, 418] {
        assert_eq!(retry_advice(s), RetryAdvice::NotStated);
        assert!(!may_retry(s));
    }
}

#[test]
fn profiles_round_trip_through_json_and_check() {
    for p in builtin::all() {
        let text = serde_json::to_string(&p).unwrap();
        let back: mediameter_query::Profile = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
        back.check().unwrap();
    }
}

/// A profile read from JSON goes through `Profile::check`: one a registry would refuse is
/// refused already when read, with the reason `check` gives.
#[test]
fn deserializing_an_unusable_profile_is_refused() {
    let mut json = serde_json::to_value(builtin::huawei_rtc_rooms()).unwrap();
    json["errors"] = json!([]);
    let err = serde_json::from_value::<mediameter_query::Profile>(json.clone()).unwrap_err();
    assert!(
        err.to_string().contains("the error vocabulary is empty"),
        "{err}"
    );
    json = serde_json::to_value(builtin::huawei_rtc_rooms()).unwrap();
    json["max_params"] = json!(0);
    assert!(serde_json::from_value::<mediameter_query::Profile>(json).is_err());
}

#[test]
fn a_custom_profile_is_checked_on_insert() {
    let mut reg = Registry::new();
    use mediameter_query::{Param, ParamKind, Profile, Vendor};
    // A limit whose default lies outside 1..=100: refused when built, and when read.
    let fresh = Profile::builder("mine", Vendor::Huawei, "x:y")
        .param(Param::new("limit", ParamKind::integer(1, 100)).with_default("1000"))
        .errors(builtin::huawei_rtc_rooms().errors().to_vec())
        .build()
        .unwrap_err();
    assert_eq!(
        mediameter_query::Error::from(fresh).kind(),
        mediameter_query::ErrorKind::Profile
    );
    let bad = r#"{"name":"x","vendor":"huawei","action":"x:y","params":[{"name":"limit","max_len":8,"kind":{"type":"integer","min":1,"max":100},"default":"1000"}],"errors":[{"code":"E","message":"{name}","status":400}]}"#;
    let err = serde_json::from_str::<Profile>(bad).unwrap_err();
    assert!(
        err.to_string().contains("default \"1000\" is not valid"),
        "{err}"
    );
    let json = r#"{"name":"x","vendor":"huawei","action":"x:y","params":[{"name":"app","required":true,"max_len":8,"kind":{"type":"text"}}],"errors":[{"code":"E","message":"{name}","status":400}]}"#;
    let p: mediameter_query::Profile = serde_json::from_str(json).unwrap();
    reg.insert(p).unwrap();
    let r = rejected(
        &reg,
        "x",
        &[("app", "123456789")],
        at(2024, 1, 1, 0, 0, 0),
        &Options::default(),
    );
    assert_eq!((r.code(), r.message()), ("E", "app"));
}

#[test]
fn every_rule_of_every_vocabulary_is_reachable() {
    use mediameter_query::{Rejection, Violation, ViolationKind};
    for p in builtin::all() {
        for (i, rule) in p.errors().iter().enumerate() {
            let kinds: Vec<ViolationKind> = if rule.kinds().is_empty() {
                ViolationKind::ALL.to_vec()
            } else {
                rule.kinds().to_vec()
            };
            let param = rule.param().unwrap_or("SomeParameter");
            let reachable = kinds.iter().any(|&kind| {
                let mut violations = vec![Violation::new(kind, Some(param), Some("v"), "detail")];
                if let Some(w) = rule.other_param() {
                    violations.push(Violation::new(kind, Some(w), Some("v"), "detail"));
                }
                let r = Rejection::new(&p, violations);
                let first = p
                    .errors()
                    .iter()
                    .position(|e| e.code() == r.code() && e.status() == r.status())
                    .unwrap();
                r.code() == rule.code() && (first == i || p.errors()[first].code() == rule.code())
            });
            assert!(
                reachable,
                "{}: rule {i} ({}) is shadowed by an earlier rule",
                p.name(),
                rule.code()
            );
        }
    }
}

#[test]
fn alibaba_throttling_denial_and_too_many_parameters() {
    use mediameter_query::{Rejection, Violation, ViolationKind};
    let p = builtin::describe_live_producer_usage_data();
    let cases = [
        (
            ViolationKind::RateLimited,
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        ),
        (
            ViolationKind::Denied,
            403,
            "Forbidden.RAM",
            "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
        ),
        (
            ViolationKind::TooLarge,
            400,
            "InvalidParameter",
            "The request is too large: d.",
        ),
    ];
    for (kind, status, code, message) in cases {
        let r = Rejection::new(&p, vec![Violation::new(kind, None, None, "d")]);
        assert_eq!((r.status(), r.code(), r.message()), (status, code, message));
    }
    let h = builtin::huawei_rtc_rooms();
    let r = Rejection::new(
        &h,
        vec![Violation::new(
            ViolationKind::RateLimited,
            None,
            None,
            "retry after 500 ms",
        )],
    );
    assert_eq!(
        serde_json::to_value(r.huawei_body()).unwrap(),
        json!({"error_code": "MM.TooManyRequests", "error_msg": "Too many requests: retry after 500 ms"})
    );
    assert_eq!(r.status(), 429);
}

#[test]
fn options_read_from_json() {
    let o: Options =
        serde_json::from_str(r#"{"strict": true, "leniency": {"lowercase": true}}"#).unwrap();
    assert!(o.strict && o.leniency.lowercase && !o.leniency.fractional_seconds);
    assert!(serde_json::from_str::<Options>(r#"{"leniency": {"lowercase": 1}}"#).is_err());
    assert!(serde_json::from_str::<Options>(r#"{"lenient": true}"#).is_err());
}
