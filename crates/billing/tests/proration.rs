//! Upgrade proration: Huawei Cloud iDME billing manual ( "变更配置后对计费的影响").

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
#[cfg_attr(not(feature = "serde"), allow(unused_imports))] // ProrationRequest: JSON tests only
use mediameter_billing::{ErrorKind, ProrationPolicy, ProrationRequest, prorate};
use mediameter_core::{BillingZone, Currency, Money, Rounding, RoundingMode, SubscriptionTerm};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn cny(a: Decimal) -> Money {
    Money::new(a, Currency::CNY)
}

/// A GMT+8 wall-clock instant.
fn gmt8(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    BillingZone::GMT8
        .start_of_day(NaiveDate::from_ymd_opt(y, m, d).unwrap())
        .unwrap()
        + chrono::TimeDelta::minutes(i64::from(h * 60 + min))
}

#[test]
fn worked_example_a() {
    // Huawei Cloud iDME billing manual, 计费场景1: bought 2023/03/18 15:30:00 for 1 month, upgraded 2023/03/20 9:00:00
    // from 25,950.00/month to 52,168.00/month.
    let term = SubscriptionTerm::monthly(gmt8(2023, 3, 18, 15, 30), 1, BillingZone::GMT8).unwrap();
    assert_eq!(
        term.expiry_date(),
        NaiveDate::from_ymd_opt(2023, 4, 18).unwrap()
    );
    let p = prorate(
        &term,
        gmt8(2023, 3, 20, 9, 0),
        cny(dec!(25950.00)),
        cny(dec!(52168.00)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    let slices: Vec<_> = p
        .slices
        .iter()
        .map(|s| (s.days(), s.days_in_month()))
        .collect();
    assert_eq!(slices, [(11, 31), (18, 30)]);
    assert_eq!(p.period, dec!(0.9548));
    assert_eq!(p.fee.amount(), dec!(25032.95));
    assert_eq!(p.term_total.amount(), dec!(50982.95));
}

#[test]
fn worked_example_b_and_the_documents_slip() {
    // Huawei Cloud iDME billing manual: bought 2023/04/08 for 1 month, changed 2023/04/18 from 12,750.00 to
    // 25,500.00 per month. Remaining = 12/30 + 8/31 = 0.6581.
    let term = SubscriptionTerm::monthly(gmt8(2023, 4, 8, 10, 0), 1, BillingZone::GMT8).unwrap();
    let p = prorate(
        &term,
        gmt8(2023, 4, 18, 10, 0),
        cny(dec!(12750.00)),
        cny(dec!(25500.00)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    assert_eq!(p.period, dec!(0.6581));
    // The document prints the fee as 8,392.78. That is an arithmetic slip: with its own
    // figures, (25,500 − 12,750) × 0.6581 = 12,750 × 0.6581 = 8,390.775, which rounds half-up
    // to 8,390.78. No reading of the rule gives 8,392.78 (the exact period 102/155 gives
    // 8,390.32), so the library computes 8,390.78.
    assert_eq!(p.fee_unrounded.amount(), dec!(8390.775));
    assert_eq!(p.fee.amount(), dec!(8390.78));
    assert_ne!(p.fee.amount(), dec!(8392.78));
}

#[test]
fn month_end_purchases_clamp_to_the_last_day() {
    // Bought Jan 31 2023: expires Feb 28 (clamped); a change on Feb 10 leaves Feb 11..28.
    let term = SubscriptionTerm::monthly(gmt8(2023, 1, 31, 12, 0), 1, BillingZone::GMT8).unwrap();
    assert_eq!(
        term.expiry_date(),
        NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()
    );
    let p = prorate(
        &term,
        gmt8(2023, 2, 10, 12, 0),
        cny(dec!(100)),
        cny(dec!(200)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    assert_eq!((p.numerator, p.denominator), (9, 14)); // 18/28
    assert_eq!(p.period, dec!(0.6429));
    assert_eq!(p.fee.amount(), dec!(64.29));
    // Bought on the 29th and 30th of January 2023: also Feb 28.
    for day in [29, 30] {
        let t = SubscriptionTerm::monthly(gmt8(2023, 1, day, 0, 0), 1, BillingZone::GMT8).unwrap();
        assert_eq!(
            t.expiry_date(),
            NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()
        );
    }
    // Bought Mar 31: Apr 30.
    let t = SubscriptionTerm::monthly(gmt8(2023, 3, 31, 0, 0), 1, BillingZone::GMT8).unwrap();
    assert_eq!(
        t.expiry_date(),
        NaiveDate::from_ymd_opt(2023, 4, 30).unwrap()
    );
}

#[test]
fn leap_year_february() {
    // Bought Jan 31 2024: expires Feb 29; changed Feb 1 → 28/29.
    let term = SubscriptionTerm::monthly(gmt8(2024, 1, 31, 0, 0), 1, BillingZone::GMT8).unwrap();
    assert_eq!(
        term.expiry_date(),
        NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
    );
    let p = prorate(
        &term,
        gmt8(2024, 2, 1, 0, 0),
        cny(dec!(0)),
        cny(dec!(2900)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    assert_eq!((p.numerator, p.denominator), (28, 29));
    assert_eq!(p.period, dec!(0.9655));
    assert_eq!(p.fee.amount(), dec!(2799.95)); // 2900 × 0.9655
}

#[test]
fn multi_month_term() {
    // Bought 2023-11-30 for 3 months: expires 2024-02-29 (anchored on the 30th, clamped once).
    let term = SubscriptionTerm::monthly(gmt8(2023, 11, 30, 8, 0), 3, BillingZone::GMT8).unwrap();
    assert_eq!(
        term.expiry_date(),
        NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
    );
    let p = prorate(
        &term,
        gmt8(2023, 12, 15, 8, 0),
        cny(dec!(1000)),
        cny(dec!(1300)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    let slices: Vec<_> = p
        .slices
        .iter()
        .map(|s| (s.days(), s.days_in_month()))
        .collect();
    assert_eq!(slices, [(16, 31), (31, 31), (29, 29)]);
    assert_eq!(p.period, dec!(2.5161)); // 16/31 + 1 + 1
    assert_eq!(p.fee.amount(), dec!(754.83));
    assert_eq!(p.term_total.amount(), dec!(3754.83));
}

#[test]
fn change_on_the_expiry_day_costs_nothing() {
    let term = SubscriptionTerm::monthly(gmt8(2023, 4, 8, 10, 0), 1, BillingZone::GMT8).unwrap();
    let p = prorate(
        &term,
        gmt8(2023, 5, 8, 23, 0),
        cny(dec!(1)),
        cny(dec!(2)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    assert!(p.slices.is_empty());
    assert_eq!(p.period, dec!(0));
    assert!(p.fee.is_zero());
    // At the end of the term (the next midnight) the change is outside the term.
    let err = prorate(
        &term,
        term.end(),
        cny(dec!(1)),
        cny(dec!(2)),
        &ProrationPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(
        crate::core_kind(&err),
        Some(mediameter_core::ErrorKind::OutOfRange)
    );
}

#[test]
fn downgrades_negative_prices_and_mixed_currencies_are_refused() {
    let term = SubscriptionTerm::monthly(gmt8(2023, 4, 8, 10, 0), 1, BillingZone::GMT8).unwrap();
    let at = gmt8(2023, 4, 18, 10, 0);
    let p = ProrationPolicy::default();
    let err = prorate(&term, at, cny(dec!(25500)), cny(dec!(12750)), &p).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Downgrade);
    assert!(err.to_string().contains("12750"), "{err}");
    assert_eq!(
        prorate(&term, at, cny(dec!(-1)), cny(dec!(1)), &p)
            .unwrap_err()
            .kind(),
        ErrorKind::OutOfRange
    );
    let usd = Money::new(dec!(2), Currency::USD);
    assert_eq!(
        crate::core_kind(&prorate(&term, at, cny(dec!(1)), usd, &p).unwrap_err()),
        Some(mediameter_core::ErrorKind::CurrencyMismatch)
    );
    // Same price: not a downgrade, no fee.
    assert!(
        prorate(&term, at, cny(dec!(5)), cny(dec!(5)), &p)
            .unwrap()
            .fee
            .is_zero()
    );
}

/// Regression (issue 15): billing used to spread core errors over its own kinds (a currency
/// mismatch became `billing::ErrorKind::CurrencyMismatch`, any future core kind `Invalid`).
/// A core error must reach the caller unchanged, under `ErrorKind::Core`.
#[test]
fn core_errors_reach_the_caller_unchanged() {
    let term = SubscriptionTerm::monthly(gmt8(2023, 4, 8, 10, 0), 1, BillingZone::GMT8).unwrap();
    let usd = Money::new(dec!(2), Currency::USD);
    let err = prorate(
        &term,
        gmt8(2023, 4, 18, 10, 0),
        cny(dec!(1)),
        usd,
        &ProrationPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Core);
    // The very error core's money arithmetic gives for the price difference.
    let expected = usd.checked_sub(cny(dec!(1))).unwrap_err();
    let core = err.as_core().expect("a core error");
    assert_eq!(core, &expected);
    // Only the place is added in front of core's own message.
    assert_eq!(err.to_string(), format!("field new_price: {expected}"));
}

#[test]
fn period_can_exceed_the_term() {
    // The rule weighs each day by its own month's length, so a term that crosses a short
    // February counts for more than its length: bought 2012-12-10 (GMT+8) for 2 months and
    // upgraded the same day, the rest is 21/31 + 31/31 + 10/28 = 2.0346 months. The library
    // applies the rule as written; callers who cap the fee at the term price do it themselves.
    let term = SubscriptionTerm::monthly(gmt8(2012, 12, 10, 0, 0), 2, BillingZone::GMT8).unwrap();
    let p = prorate(
        &term,
        gmt8(2012, 12, 10, 0, 0),
        cny(dec!(0)),
        cny(dec!(100)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    assert_eq!(p.period, dec!(2.0346));
    assert_eq!(p.fee.amount(), dec!(203.46));
}

#[test]
fn rounding_steps_are_parameters() {
    let term = SubscriptionTerm::monthly(gmt8(2023, 4, 8, 10, 0), 1, BillingZone::GMT8).unwrap();
    let at = gmt8(2023, 4, 18, 10, 0);
    let even = ProrationPolicy::default()
        .with_period(Some(Rounding::new(4, RoundingMode::HalfUp).unwrap()))
        .with_money(Some(Rounding::new(2, RoundingMode::HalfEven).unwrap()));
    // 8390.775 under half-even: 8390.78 (7 is odd, so the tie goes up to 8).
    assert_eq!(
        prorate(&term, at, cny(dec!(12750)), cny(dec!(25500)), &even)
            .unwrap()
            .fee
            .amount(),
        dec!(8390.78)
    );
    let down = ProrationPolicy::default()
        .with_period(Some(Rounding::new(2, RoundingMode::Down).unwrap()))
        .with_money(Some(Rounding::CENTS_HALF_UP));
    let p = prorate(&term, at, cny(dec!(12750)), cny(dec!(25500)), &down).unwrap();
    assert_eq!(p.period, dec!(0.65));
    assert_eq!(p.fee.amount(), dec!(8287.50));
}

#[cfg(feature = "serde")]
#[test]
fn request_json_round_trips() {
    let json = r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1, "zone": "GMT+08:00",
        "changed_at": "2023-03-20T01:00:00Z",
        "old_price": {"amount": "25950.00", "currency": "CNY"},
        "new_price": {"amount": "52168.00", "currency": "CNY"}}"#;
    let req: ProrationRequest = serde_json::from_str(json).unwrap();
    let back: ProrationRequest =
        serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
    assert_eq!(back, req);
    assert_eq!(req.compute().unwrap().term_total.amount(), dec!(50982.95));
    assert!(serde_json::from_str::<ProrationRequest>(&json.replace("CNY", "CYN")).is_err());
}

proptest! {
    #[test]
    fn period_is_the_exact_sum_and_at_most_one_month_per_month_touched(
        start in 946_684_800_i64..4_000_000_000, months in 1_u32..=24, frac in 0.0_f64..1.0, old in 0_i64..100_000, diff in 0_i64..100_000,
    ) {
        let term = SubscriptionTerm::monthly(DateTime::from_timestamp(start, 0).unwrap(), months, BillingZone::GMT8).unwrap();
        let span = term.end().timestamp() - start;
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let at = DateTime::from_timestamp(start + ((span as f64) * frac) as i64, 0).unwrap();
        prop_assume!(term.is_active_at(at));
        let p = prorate(&term, at, cny(Decimal::from(old)), cny(Decimal::from(old + diff)), &ProrationPolicy::default()).unwrap();
        // The fraction is Σ days / days_in_month exactly.
        let mut exact = num_rational(&p.slices);
        let g = gcd(exact.0, exact.1);
        exact = (exact.0 / g, exact.1 / g);
        prop_assert_eq!((p.numerator, p.denominator), exact);
        // Each natural month contributes at most 1 and a term touches at most months + 1 of
        // them (the period can exceed the term itself: see `period_can_exceed_the_term`).
        prop_assert!(p.period_exact <= Decimal::from(months + 1));
        prop_assert!(p.slices.len() <= months as usize + 1);
        prop_assert!(!p.fee.is_negative());
        prop_assert_eq!(p.fee.amount(), Rounding::CENTS_HALF_UP.apply(Decimal::from(diff) * p.period));
        // A later change never costs more.
        let later = at + chrono::TimeDelta::days(1);
        if term.is_active_at(later) {
            let q = prorate(&term, later, cny(Decimal::from(old)), cny(Decimal::from(old + diff)), &ProrationPolicy::default()).unwrap();
            prop_assert!(q.period <= p.period);
        }
    }
}

fn num_rational(slices: &[mediameter_core::MonthSlice]) -> (u64, u64) {
    if slices.is_empty() {
        return (0, 1);
    }
    slices.iter().fold((0_u64, 1_u64), |(n, d), s| {
        let (sn, sd) = (u64::from(s.days()), u64::from(s.days_in_month()));
        let (n, d) = (n * sd + sn * d, d * sd);
        let g = gcd(n, d);
        (n / g, d / g)
    })
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

#[test]
fn gmt8_wall_clock_helper_is_right() {
    assert_eq!(
        gmt8(2023, 3, 18, 15, 30),
        Utc.with_ymd_and_hms(2023, 3, 18, 7, 30, 0).unwrap()
    );
}

// ---------- hardening (issue 14) ----------

#[cfg(feature = "serde")] // reads or writes JSON
fn request(json: &str) -> ProrationRequest {
    serde_json::from_str(json).unwrap()
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn the_fee_uses_the_currency_minor_units_and_always_prints_them() {
    let yen = request(
        r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
            "old_price": {"amount": "1000", "currency": "JPY"}, "new_price": {"amount": "1997", "currency": "JPY"}}"#,
    );
    // 997 × 0.6581 = 656.1257: whole yen, not 656.13.
    assert_eq!(yen.compute().unwrap().fee.to_string(), "656 JPY");
    let same = request(
        r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
            "old_price": {"amount": "10", "currency": "CNY"}, "new_price": {"amount": "10", "currency": "CNY"}}"#,
    );
    let p = same.compute().unwrap();
    assert_eq!(p.fee.to_string(), "0.00 CNY");
    let printed = serde_json::to_value(&p).unwrap();
    assert_eq!(printed["fee"]["amount"], "0.00");
    let back: Money = serde_json::from_value(printed["fee"].clone()).unwrap();
    assert_eq!(back, p.fee);
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn errors_name_the_field() {
    let mixed = request(
        r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
            "old_price": {"amount": "10", "currency": "CNY"}, "new_price": {"amount": "20", "currency": "USD"}}"#,
    );
    let err = mixed.compute().unwrap_err();
    assert_eq!(
        crate::core_kind(&err),
        Some(mediameter_core::ErrorKind::CurrencyMismatch)
    );
    assert!(err.to_string().contains("new_price"), "{err}");
    let year0 = request(
        r#"{"purchased_at": "0000-06-01T00:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
            "old_price": {"amount": "10", "currency": "CNY"}, "new_price": {"amount": "20", "currency": "CNY"}}"#,
    );
    let err = year0.compute().unwrap_err();
    assert!(err.to_string().contains("purchased_at"), "{err}");
    let late = request(
        r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2024-04-18T02:00:00Z",
            "old_price": {"amount": "10", "currency": "CNY"}, "new_price": {"amount": "20", "currency": "CNY"}}"#,
    );
    assert!(
        late.compute()
            .unwrap_err()
            .to_string()
            .contains("changed_at")
    );
    let typo = r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
        "old_price": {"amout": "10", "amount": "10", "currency": "CNY"}, "new_price": {"amount": "20", "currency": "CNY"}}"#;
    assert!(serde_json::from_str::<ProrationRequest>(typo).is_err());
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn the_request_constructor_fills_the_json_defaults() {
    let json = request(
        r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
            "old_price": {"amount": "12750", "currency": "CNY"}, "new_price": {"amount": "25500", "currency": "CNY"}}"#,
    );
    let built = ProrationRequest::new(
        "2023-04-08T02:00:00Z".parse().unwrap(),
        1,
        "2023-04-18T02:00:00Z".parse().unwrap(),
        Money::new(dec!(12750), Currency::CNY),
        Money::new(dec!(25500), Currency::CNY),
    );
    assert_eq!(built, json);
    let utc = built.with_zone(BillingZone::UTC);
    assert_eq!(utc.zone, BillingZone::UTC);
    assert_ne!(utc, json);
}

// ---------- a proration read back (issue 15) ----------

#[cfg(feature = "serde")]
fn example_b_json() -> serde_json::Value {
    let term = SubscriptionTerm::monthly(gmt8(2023, 3, 18, 15, 30), 3, BillingZone::GMT8).unwrap();
    let p = prorate(
        &term,
        gmt8(2023, 3, 20, 9, 0),
        cny(dec!(25950.00)),
        cny(dec!(52168.00)),
        &ProrationPolicy::default(),
    )
    .unwrap();
    assert!(p.slices.len() >= 3, "a middle slice to tamper with");
    serde_json::to_value(&p).unwrap()
}

#[cfg(feature = "serde")]
fn read(v: &serde_json::Value) -> Result<mediameter_billing::Proration, String> {
    serde_json::from_value(v.clone()).map_err(|e| e.to_string())
}

#[cfg(feature = "serde")]
#[test]
fn a_printed_proration_reads_back() {
    let v = example_b_json();
    let p = read(&v).unwrap();
    assert_eq!(serde_json::to_value(&p).unwrap(), v);
}

#[cfg(feature = "serde")]
#[test]
fn an_inconsistent_proration_is_refused() {
    let v = example_b_json();
    let tamper = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut t = v.clone();
        f(&mut t);
        assert_ne!(t, v, "the tampering changed nothing");
        read(&t).unwrap_err()
    };
    let num = v["numerator"].as_u64().unwrap();
    let den = v["denominator"].as_u64().unwrap();
    let e = tamper(&|t| t["denominator"] = 0.into());
    assert!(e.contains("invalid proration"), "{e}");
    // The same fraction, not in lowest terms.
    let e = tamper(&|t| {
        t["numerator"] = (num * 2).into();
        t["denominator"] = (den * 2).into();
    });
    assert!(e.contains("in lowest terms"), "{e}");
    // Another fraction than the slices' sum.
    tamper(&|t| t["numerator"] = (num + 1).into());
    tamper(&|t| t["period_exact"] = "0.5".into());
    // Neither exact nor a rounding of the fraction.
    let e = tamper(&|t| t["period"] = "0.9".into());
    assert!(e.contains("a rounding of it"), "{e}");
    let e = tamper(&|t| t["fee"]["currency"] = "USD".into());
    assert!(e.contains("USD"), "{e}");
    tamper(&|t| t["term_total"]["currency"] = "EUR".into());
    let e = tamper(&|t| t["fee_unrounded"]["amount"] = "1.00".into());
    assert!(e.contains("price difference × the period"), "{e}");
    let e = tamper(&|t| t["fee"]["amount"] = "25032.94".into());
    assert!(e.contains("a rounding of the unrounded fee"), "{e}");
    tamper(&|t| t["fee"]["amount"] = "1.00".into());
    tamper(&|t| t["term_total"]["amount"] = "1.00".into());
    let e = tamper(&|t| {
        t["price_difference"]["amount"] = "-1".into();
        t["fee_unrounded"]["amount"] = "-0.9548".into();
    });
    assert!(e.contains("downgrades are refused"), "{e}");
    // Slices: a month skipped, a middle month not whole.
    let e = tamper(&|t| {
        t["slices"][1] =
            serde_json::json!({"year": 2023, "month": 5, "days": 31, "days_in_month": 31});
    });
    assert!(e.contains("the month after"), "{e}");
    let e = tamper(&|t| {
        t["slices"][1] =
            serde_json::json!({"year": 2023, "month": 4, "days": 29, "days_in_month": 30});
    });
    assert!(e.contains("a whole month"), "{e}");
    tamper(&|t| t["extra"] = 1.into());
}

#[cfg(feature = "serde")]
proptest! {
    #[test]
    fn every_computed_proration_reads_back(
        start in 946_684_800_i64..4_000_000_000, months in 1_u32..=24, frac in 0.0_f64..1.0,
        old in 0_i64..100_000, diff in 0_i64..100_000,
        period in proptest::option::of((0_u32..=8, 0_usize..7)), money in proptest::option::of((0_u32..=4, 0_usize..7)),
    ) {
        let term = SubscriptionTerm::monthly(DateTime::from_timestamp(start, 0).unwrap(), months, BillingZone::GMT8).unwrap();
        let span = term.end().timestamp() - start;
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let at = DateTime::from_timestamp(start + ((span as f64) * frac) as i64, 0).unwrap();
        prop_assume!(term.is_active_at(at));
        let rounding = |(scale, mode): (u32, usize)| Rounding::new(scale, RoundingMode::ALL[mode]).unwrap();
        let policy = ProrationPolicy::default().with_period(period.map(rounding)).with_money(money.map(rounding));
        let p = prorate(&term, at, cny(Decimal::new(old, 2)), cny(Decimal::new(old + diff, 2)), &policy).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        let back: mediameter_billing::Proration = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, p);
    }
}
