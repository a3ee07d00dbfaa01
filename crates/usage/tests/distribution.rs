//! Distribution by a dimension (Volcengine RTC API reference, `ListOperationDistribution`).

use mediameter_core::{BillingZone, Granularity};
use mediameter_usage::{Dimension, Indicator, ProportionMode, UsageQuery, distribution};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::common::*;

/// The Volcengine document's sample: 上海 666 → 66.66, 北京 123 → 12.31. The document does not give the
/// total; 999 is the only whole total for which both values come out with one rounding rule
/// (truncation): at 999, half-up would give 66.67.
#[test]
fn volcengine_sample_vendor_style() {
    let v = vec![
        ("上海".to_owned(), 666),
        ("北京".to_owned(), 123),
        ("others".to_owned(), 210),
    ];
    let rows = distribution(&v, ProportionMode::VENDOR).unwrap();
    let get = |n: &str| {
        rows.iter()
            .find(|r| r.name == n)
            .unwrap()
            .proportion
            .to_string()
    };
    assert_eq!(get("上海"), "66.66");
    assert_eq!(get("北京"), "12.31");
    // Half-up would not reproduce the sample.
    let half_up = distribution(
        &v,
        ProportionMode::Independent(mediameter_core::RoundingMode::HalfUp),
    )
    .unwrap();
    assert_eq!(
        half_up
            .iter()
            .find(|r| r.name == "上海")
            .unwrap()
            .proportion
            .to_string(),
        "66.67"
    );
    // Independently rounded proportions need not sum to 100.
    let sum: Decimal = rows.iter().map(|r| r.proportion).sum();
    assert_eq!(sum.to_string(), "99.99");
}

#[test]
fn volcengine_sample_largest_remainder() {
    let v = vec![
        ("上海".to_owned(), 666),
        ("北京".to_owned(), 123),
        ("others".to_owned(), 210),
    ];
    let rows = distribution(&v, ProportionMode::LargestRemainder).unwrap();
    let got: Vec<(&str, String)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.proportion.to_string()))
        .collect();
    // Shares 66.666.., 21.021.., 12.312..: truncated 66.66 + 21.02 + 12.31 = 99.99, the
    // missing hundredth goes to the largest remainder (上海, .666).
    assert_eq!(
        got,
        vec![
            ("上海", "66.67".to_owned()),
            ("others", "21.02".to_owned()),
            ("北京", "12.31".to_owned())
        ]
    );
}

#[test]
fn indicator_aliases() {
    assert_eq!(
        "user_count".parse::<Indicator>().unwrap().to_string(),
        "user_num"
    );
    assert_eq!("user_num".parse::<Indicator>().unwrap(), Indicator::UserNum);
    assert!("users".parse::<Indicator>().is_err());
}

/// Distinct users per region over the whole range: a user active on two days counts once.
#[test]
fn distribution_from_segments() {
    let t = DAY0_GMT8;
    let segs = [
        region(seg("a", "c", "u1", "sub", "audio", t, t + 10), "上海"),
        region(
            seg("a", "c", "u1", "sub", "audio", t + 86_400, t + 86_410),
            "上海",
        ),
        region(seg("a", "c", "u2", "sub", "audio", t, t + 10), "上海"),
        region(seg("a", "c", "u3", "pub", "audio", t, t + 10), "北京"),
    ];
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::DAY).with_split_by([Dimension::Region]);
    let st = aggregate(&q, &segs).unwrap();
    let rows =
        mediameter_usage::distribution_by(&st, Dimension::Region, ProportionMode::LargestRemainder)
            .unwrap();
    let got: Vec<(&str, u64, String)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.value, r.proportion.to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("上海", 2, "66.67".to_owned()),
            ("北京", 1, "33.33".to_owned())
        ]
    );
}

proptest! {
    /// Largest remainder always sums to exactly 100.00 and never moves a share by a hundredth
    /// or more from its exact value.
    #[test]
    fn largest_remainder_sums_to_100(values in proptest::collection::vec(0_u64..1_000_000, 1..40)) {
        let v: Vec<(String, u64)> = values.iter().enumerate().map(|(i, x)| (format!("n{i}"), *x)).collect();
        let total: u64 = values.iter().sum();
        let rows = distribution(&v, ProportionMode::LargestRemainder).unwrap();
        let sum: Decimal = rows.iter().map(|r| r.proportion).sum();
        if total == 0 {
            prop_assert!(sum.is_zero());
        } else {
            prop_assert_eq!(sum, Decimal::new(10_000, 2));
            for r in &rows {
                let exact = Decimal::from(r.value) * Decimal::ONE_HUNDRED / Decimal::from(total);
                prop_assert!((r.proportion - exact).abs() < Decimal::new(1, 2));
            }
        }
        // Vendor style: each within a hundredth below its exact share.
        let vendor = distribution(&v, ProportionMode::VENDOR).unwrap();
        for r in &vendor {
            if total > 0 {
                let exact = Decimal::from(r.value) * Decimal::ONE_HUNDRED / Decimal::from(total);
                prop_assert!(r.proportion <= exact && exact - r.proportion < Decimal::new(1, 2));
            }
        }
    }
}
