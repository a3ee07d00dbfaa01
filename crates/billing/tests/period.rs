//! Usage outside the billing period is never consumed without being billed: refused, or
//! carried to the run of its own period (the 100-minute overflow item of issue 12).

use mediameter_billing::ErrorKind;
use mediameter_billing::{BillOutcome, BillRequest};
use rust_decimal_macros::dec;

/// March and April 2024 in GMT+8; no pack; 0.028 CNY a minute; one 100-minute item stamped
/// on 2 April, sent with the March run.
fn request(period: (&str, &str), usage: &str, state: Option<String>, rule: &str) -> BillRequest {
    let state = state.map_or_else(String::new, |s| format!(r#", "state": {s}"#));
    let rule = if rule.is_empty() {
        String::new()
    } else {
        format!(r#", "out_of_period": "{rule}""#)
    };
    serde_json::from_str(&format!(
        r#"{{"period": {{"start": "{}", "end": "{}"}}, "usage": {usage},
            "tariff": {{"currency": "CNY", "entries": [{{"product": "rtc", "unit": "minute",
                "pricing": {{"model": "flat", "unit_price": "0.028"}}}}]}}{state}{rule}}}"#,
        period.0, period.1
    ))
    .unwrap()
}

const MARCH: (&str, &str) = ("2024-02-29T16:00:00Z", "2024-03-31T16:00:00Z");
const APRIL: (&str, &str) = ("2024-03-31T16:00:00Z", "2024-04-30T16:00:00Z");
const APRIL_ITEM: &str = r#"[{"id": 7, "at": "2024-04-02T00:00:00Z", "product": "rtc",
    "spec": "720p", "quantity": {"value": "100", "unit": "minute"}}]"#;

/// Regression: before the fix the March run deducted the April item, marked it applied and
/// left it off the March statement; the April run then skipped it as a replay, so its 2.80
/// CNY were charged in neither month. Now the March run refuses it, naming the item.
#[test]
fn an_item_of_another_period_is_refused_by_default_naming_it() {
    let err = request(MARCH, APRIL_ITEM, None, "").run(false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let text = err.to_string();
    assert!(
        text.starts_with("usage[0]: usage item (partition 0, id 7), field at: "),
        "{text}"
    );
    assert!(text.contains("2024-04-02T00:00:00+00:00"), "{text}");
    assert!(text.contains("billing period"), "{text}");
}

/// Regression: carried, the item is billed exactly once, in April (it failed before the fix:
/// March and April together charged 0.00).
#[test]
fn a_carried_item_is_billed_once_in_its_own_period() {
    let march = request(MARCH, APRIL_ITEM, None, "carry")
        .run(false)
        .unwrap();
    assert_eq!(
        march.applied, 0,
        "nothing outside March is applied in March"
    );
    assert_eq!(march.statement.total, dec!(0.00));
    assert_eq!(march.carried.len(), 1);
    let carried = serde_json::to_string(&march.carried).unwrap();
    let state = serde_json::to_string(&march.state).unwrap();
    let april = request(APRIL, &carried, Some(state), "")
        .run(false)
        .unwrap();
    assert_eq!((april.applied, april.replayed), (1, 0));
    assert_eq!(april.statement.total, dec!(2.80)); // 100 × 0.028
    assert_eq!(march.statement.total + april.statement.total, dec!(2.80));
}

/// Inside the period nothing changes, and the rule spells as it parses.
#[test]
fn usage_inside_the_period_is_billed_under_either_rule() {
    let inside = APRIL_ITEM;
    for rule in ["", "refuse", "carry"] {
        let out = request(APRIL, inside, None, rule).run(false).unwrap();
        assert_eq!(out.statement.total, dec!(2.80), "{rule}");
        assert!(out.carried.is_empty());
    }
    assert!(
        serde_json::from_str::<BillRequest>(r#"{"out_of_period": "bill"}"#)
            .unwrap_err()
            .to_string()
            .contains("unknown variant")
    );
}

/// A bill outcome, as the `bill` command prints it, reads back as the same value: with and
/// without the ledger, with usage carried and with an engine state to continue from.
#[test]
fn a_bill_outcome_reads_back_as_written() {
    let march = request(MARCH, APRIL_ITEM, None, "carry")
        .run(false)
        .unwrap();
    let carried = serde_json::to_string(&march.carried).unwrap();
    let state = serde_json::to_string(&march.state).unwrap();
    let april = request(APRIL, &carried, Some(state), "").run(true).unwrap();
    assert!(march.ledger.is_none() && !march.carried.is_empty());
    assert!(april.ledger.as_ref().is_some_and(|l| !l.is_empty()));
    for outcome in [march, april] {
        let json = serde_json::to_string(&outcome).unwrap();
        let back: BillOutcome = serde_json::from_str(&json).unwrap();
        assert_eq!(back, outcome);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        // A field the type does not have is refused, not dropped.
        let extra = json.replacen('{', r#"{"total": "0.00", "#, 1);
        let err = serde_json::from_str::<BillOutcome>(&extra).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
