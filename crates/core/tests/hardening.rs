//! Edge cases found by testing from outside (issue 14): no panic at chrono's extreme
//! instants, validation on deserialize, unknown fields refused, rounded amounts padded.

use chrono::{DateTime, Utc};
use mediameter_core::{
    BillingZone, Currency, Money, Rounding, RoundingMode, SubscriptionTerm, TimeRange,
};
use rust_decimal_macros::dec;

#[test]
fn local_date_of_chrono_extremes_is_an_error_not_a_panic() {
    for t in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
        for zone in [BillingZone::GMT8, BillingZone::UTC] {
            let err = zone.local_date(t).unwrap_err();
            assert_eq!(err.kind(), mediameter_core::ErrorKind::OutOfRange, "{err}");
        }
    }
    let last = DateTime::from_timestamp(mediameter_core::time::END_UNIX_SECONDS - 1, 0).unwrap();
    assert_eq!(
        BillingZone::UTC.local_date(last).unwrap().to_string(),
        "9999-12-31"
    );
}

#[test]
fn monthly_term_at_extremes_names_purchased_at() {
    let year0: DateTime<Utc> = "0000-06-01T00:00:00Z".parse().unwrap();
    for t in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, year0] {
        let err = SubscriptionTerm::monthly(t, 1, BillingZone::GMT8).unwrap_err();
        assert!(err.to_string().contains("purchased_at"), "{err}");
    }
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn subscription_term_validates_on_deserialize() {
    let ok: SubscriptionTerm = serde_json::from_str(
        r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1, "zone": "+08:00"}"#,
    )
    .unwrap();
    assert_eq!(ok.expiry_date().to_string(), "2023-04-18");
    let printed = serde_json::to_string(&ok).unwrap();
    assert_eq!(
        serde_json::from_str::<SubscriptionTerm>(&printed).unwrap(),
        ok
    );
    for bad in [
        r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 0, "zone": "+08:00"}"#,
        r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1, "zone": "+08:00", "expiry_date": "2030-01-01"}"#,
        r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1, "zone": "+08:00", "month": 2}"#,
    ] {
        assert!(
            serde_json::from_str::<SubscriptionTerm>(bad).is_err(),
            "{bad}"
        );
    }
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn money_and_ranges_refuse_unknown_fields() {
    assert!(serde_json::from_str::<Money>(r#"{"amount": "1", "currency": "CNY"}"#).is_ok());
    let err = serde_json::from_str::<Money>(r#"{"amout": "1", "amount": "1", "currency": "CNY"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("amout"), "{err}");
    assert!(
        serde_json::from_str::<TimeRange>(
            r#"{"start": "2023-01-01T00:00:00Z", "end": "2023-02-01T00:00:00Z", "ends": 1}"#
        )
        .is_err()
    );
    assert!(
        serde_json::from_str::<Rounding>(r#"{"scale": 2, "mode": "half_up", "scales": 3}"#)
            .is_err()
    );
}

#[test]
fn rounded_amounts_carry_the_rounding_scale() {
    assert_eq!(Rounding::CENTS_HALF_UP.apply(dec!(0)).to_string(), "0.00");
    assert_eq!(Rounding::CENTS_HALF_UP.apply(dec!(1.5)).to_string(), "1.50");
    let yen = Currency::JPY.minor_rounding(RoundingMode::HalfUp);
    assert_eq!(yen.apply(dec!(655.86)).to_string(), "656");
    let kwd = Money::new(dec!(0.1), Currency::KWD).round_to_minor(RoundingMode::HalfUp);
    assert_eq!(kwd.to_string(), "0.100 KWD");
    assert_eq!(kwd.to_string().parse::<Money>().unwrap(), kwd);
}

/// A leap second (`:60`) is no Unix-time instant: chrono keeps it as a second with more than
/// 10⁹ nanoseconds, whose arithmetic makes a range's hourly pieces sum to one second more
/// than the range. Found by the `core_json` fuzz target
/// (`{"start":"2023-01-20T01:45:60Z","end":"2023-03-20T01:10:00Z"}`).
#[test]
fn leap_second_instants_are_refused() {
    let leap = chrono::NaiveDate::from_ymd_opt(2023, 1, 20)
        .and_then(|d| d.and_hms_milli_opt(1, 45, 59, 1_000))
        .unwrap()
        .and_utc();
    let end: DateTime<Utc> = "2023-03-20T01:10:00Z".parse().unwrap();
    let err = TimeRange::new(leap, end).unwrap_err();
    assert_eq!(err.kind(), mediameter_core::ErrorKind::Invalid, "{err}");
    assert!(err.to_string().contains("leap second"), "{err}");
    let err = "[2023-01-20T01:45:60Z, 2023-03-20T01:10:00Z)"
        .parse::<TimeRange>()
        .unwrap_err();
    assert!(err.to_string().contains("leap second"), "{err}");
    let err = mediameter_core::time::parse_instant("2016-12-31T23:59:60Z").unwrap_err();
    assert!(err.to_string().contains("leap second"), "{err}");
}
