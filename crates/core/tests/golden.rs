//! Worked examples of the vendor documents (docs/domain.md) that core's types express on their own.

use chrono::{NaiveDate, TimeZone, Utc};
use mediameter_core::calendar::{days_in_month, month_slices};
use mediameter_core::{
    BillingZone, Buckets, Currency, Granularity, Money, Rounding, RoundingMode, SubscriptionTerm,
    TimeRange,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn gmt8(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
    BillingZone::GMT8
        .fixed_offset()
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .unwrap()
        .with_timezone(&Utc)
}

/// Σ `days / days_in_month` over the slices, as one exact fraction, rounded to 4 places.
fn remaining_period(term: &SubscriptionTerm, changed: chrono::DateTime<Utc>) -> Decimal {
    let slices: Vec<_> = term.remaining_months(changed).unwrap().collect();
    let den: i64 = slices
        .iter()
        .map(|s| i64::from(s.days_in_month()))
        .product();
    let num: i64 = slices
        .iter()
        .map(|s| i64::from(s.days()) * den / i64::from(s.days_in_month()))
        .sum();
    Rounding::new(4, RoundingMode::HalfUp)
        .unwrap()
        .apply(Decimal::from(num) / Decimal::from(den))
}

/// Huawei Cloud iDME billing manual, billing scenario 1 (worked example A): bought 2023-03-18
/// 15:30:00 for one month, expires 2023-04-18 23:59:59; upgraded 2023-03-20 09:00:00; remaining
/// 11/31 + 18/30 = 0.9548; fee (52,168 − 25,950) × 0.9548 = 25,032.95; term total 50,982.95.
#[test]
fn proration_example_a() {
    let term =
        SubscriptionTerm::monthly(gmt8(2023, 3, 18, 15, 30, 0), 1, BillingZone::GMT8).unwrap();
    assert_eq!(term.last_second(), gmt8(2023, 4, 18, 23, 59, 59));
    let period = remaining_period(&term, gmt8(2023, 3, 20, 9, 0, 0));
    assert_eq!(period, dec!(0.9548));
    let old = Money::new(dec!(25950.00), Currency::CNY);
    let new = Money::new(dec!(52168.00), Currency::CNY);
    let fee = new
        .checked_sub(old)
        .unwrap()
        .checked_mul(period)
        .unwrap()
        .round(Rounding::CENTS_HALF_UP);
    assert_eq!(fee.amount(), dec!(25032.95));
    assert_eq!(old.checked_add(fee).unwrap().amount(), dec!(50982.95));
}

/// Huawei Cloud iDME billing manual, upgrade of a monthly subscription (worked example B): bought
/// 2023-04-08, changed 2023-04-18, 12/30 + 8/31 = 0.6581; (25,500 − 12,750) × 0.6581 = 8,390.775 →
/// 8,390.78. The document prints 8,392.78, an arithmetic slip: 12,750 × 0.6581 is 8,390.775, not
/// 8,392.775.
#[test]
fn proration_example_b() {
    let term = SubscriptionTerm::monthly(gmt8(2023, 4, 8, 10, 0, 0), 1, BillingZone::GMT8).unwrap();
    let period = remaining_period(&term, gmt8(2023, 4, 18, 10, 0, 0));
    assert_eq!(period, dec!(0.6581));
    let diff = Money::new(dec!(25500.00), Currency::CNY)
        .checked_sub(Money::new(dec!(12750.00), Currency::CNY))
        .unwrap();
    let exact = diff.checked_mul(period).unwrap();
    assert_eq!(exact.amount(), dec!(8390.775000));
    assert_eq!(exact.round(Rounding::CENTS_HALF_UP).amount(), dec!(8390.78));
    assert_ne!(exact.round(Rounding::CENTS_HALF_UP).amount(), dec!(8392.78));
}

/// Huawei Cloud iDME billing manual, "billing cycle": created 08:45:30, deleted 08:55:30 (GMT+8) →
/// one settlement period 08:00:00–09:00:00 with 600 billed seconds.
#[test]
fn hourly_settlement_single_period() {
    let used = TimeRange::new(gmt8(2023, 3, 20, 8, 45, 30), gmt8(2023, 3, 20, 8, 55, 30)).unwrap();
    let pieces: Vec<_> = Buckets::new(BillingZone::GMT8, Granularity::HOUR)
        .split(used)
        .collect();
    assert_eq!(pieces.len(), 1);
    assert_eq!(pieces[0].bucket_start(), gmt8(2023, 3, 20, 8, 0, 0));
    assert_eq!(pieces[0].seconds(), 600);
}

/// Huawei Cloud iDME billing manual, billing scenario 2: bought 09:00:00, upgraded 10:00:00,
/// deleted 10:45:46 → 3600 s in 09:00–10:00 at the old configuration, 2746 s in 10:00–11:00 at the
/// new one.
#[test]
fn hourly_settlement_upgrade_on_the_hour() {
    let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
    let old = TimeRange::new(gmt8(2023, 3, 20, 9, 0, 0), gmt8(2023, 3, 20, 10, 0, 0)).unwrap();
    let new = TimeRange::new(gmt8(2023, 3, 20, 10, 0, 0), gmt8(2023, 3, 20, 10, 45, 46)).unwrap();
    let old_pieces: Vec<_> = hours
        .split(old)
        .map(|p| (p.bucket_start(), p.seconds()))
        .collect();
    let new_pieces: Vec<_> = hours
        .split(new)
        .map(|p| (p.bucket_start(), p.seconds()))
        .collect();
    assert_eq!(old_pieces, [(gmt8(2023, 3, 20, 9, 0, 0), 3600)]);
    assert_eq!(new_pieces, [(gmt8(2023, 3, 20, 10, 0, 0), 2746)]);
}

/// A day in GMT+8 starts at 16:00 UTC the day before (hourly settlement and the distribution
/// examples use GMT+8 days).
#[test]
fn gmt8_day_bucket() {
    let days = Buckets::new(BillingZone::GMT8, Granularity::DAY);
    let t = Utc.with_ymd_and_hms(2023, 3, 19, 16, 0, 0).unwrap();
    assert_eq!(days.bucket_start(t), t);
    assert_eq!(
        days.bucket_start(t - chrono::TimeDelta::seconds(1)),
        Utc.with_ymd_and_hms(2023, 3, 18, 16, 0, 0).unwrap()
    );
}

/// Natural months: days in each month, leap years, and the slices of a multi-month span.
#[test]
fn calendar_months() {
    let lens: Vec<u32> = (1..=12).map(|m| days_in_month(2024, m).unwrap()).collect();
    assert_eq!(lens, [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let slices: Vec<String> = month_slices(d(2023, 12, 31), d(2024, 3, 1))
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        slices,
        [
            "2023-12: 1/31",
            "2024-01: 31/31",
            "2024-02: 29/29",
            "2024-03: 1/31"
        ]
    );
}

/// The hostile range of the issue: years 0001..9999 at hourly granularity is sized in O(1),
/// refused by the bounded split, and iterated lazily.
#[test]
fn hostile_range_is_bounded() {
    let all = TimeRange::from_unix(
        mediameter_core::time::MIN_UNIX_SECONDS,
        mediameter_core::time::END_UNIX_SECONDS,
    )
    .unwrap();
    let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
    assert_eq!(hours.count(all), 87_649_416); // 3,652,059 days × 24
    let err = hours.split_bounded(all, 1_000_000).unwrap_err();
    assert_eq!(err.kind(), mediameter_core::ErrorKind::TooLarge);
    assert_eq!(hours.split(all).take(3).count(), 3);
}
