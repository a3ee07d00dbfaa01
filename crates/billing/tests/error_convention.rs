//! The shared shapes of the workspace's error convention (`docs/architecture.md`, "Error
//! convention"), built through billing's public helpers: the table's messages word for word,
//! the place of an `Error::At` escaped and cut, `kind()` and `as_core()` looking through it,
//! and billing's own refusals in those shapes (a number out of range is `OutOfRange`, a
//! timeline's event is located by `At`).

use chrono::{TimeZone, Utc};
use mediameter_billing::{
    Configuration, Error, ErrorKind, PricedItem, Renewal, ResourceEvent, ResourceTimeline,
    Rounding, RoundingMode, round_ratio,
};
use mediameter_core::error::PLACE_LIMIT;
use mediameter_core::{Currency, Money};
use rust_decimal_macros::dec;

#[test]
fn shared_shapes_have_the_conventions_messages() {
    let e = Error::invalid(
        "app status",
        "paused",
        "enabled, disabled, overdue or deleted",
    );
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "invalid app status \"paused\": expected enabled, disabled, overdue or deleted"
    );
    let e = Error::invalid(
        "tier bound",
        "none",
        format_args!("a bound for product {}", "x"),
    );
    assert_eq!(
        e.to_string(),
        "invalid tier bound \"none\": expected a bound for product x"
    );
    let e = Error::out_of_range("renewal months", 0, "at least 1 month");
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(matches!(
        &e,
        Error::OutOfRange { field: "renewal months", value, expected }
            if value == "0" && expected == "at least 1 month"
    ));
    assert_eq!(
        e.to_string(),
        "renewal months 0 is out of range: expected at least 1 month"
    );
    let e = Error::overflow("pack balance");
    assert_eq!(e.kind(), ErrorKind::Overflow);
    assert_eq!(e.to_string(), "arithmetic overflow in pack balance");
    let e = Error::too_large("packs", 1_000_001, 1_000_000);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert!(matches!(
        e,
        Error::TooLarge {
            what: "packs",
            count: 1_000_001,
            limit: 1_000_000
        }
    ));
    assert_eq!(
        e.to_string(),
        "packs would produce 1000001 items, more than the limit of 1000000"
    );
}

#[test]
fn located_errors_look_through_and_escape_and_cut_the_place() {
    let core = mediameter_core::Error::overflow("money add");
    let e = Error::from(core.clone())
        .at("usage[3] (partition 0, id 7), field quantity")
        .at("batch");
    assert_eq!(e.kind(), ErrorKind::Core);
    assert_eq!(e.as_core(), Some(&core));
    assert_eq!(
        e.to_string(),
        "batch: usage[3] (partition 0, id 7), field quantity: arithmetic overflow in money add"
    );
    let e = Error::out_of_range("renewal months", 0, "at least 1 month").at("renewals[2]");
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(e.as_core().is_none());

    let e = Error::overflow("ratio").at("pack p\u{1b}[2J\u{7}, field quantity");
    let text = e.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(
        text.starts_with("pack p\\u{1b}[2J\\u{7}, field quantity: "),
        "{text}"
    );
    let e = Error::overflow("ratio").at("x".repeat(100_000));
    match &e {
        Error::At { place, .. } => assert_eq!(place.chars().count(), PLACE_LIMIT),
        other => panic!("expected a located error, got {other:?}"),
    }
}

#[test]
fn numbers_out_of_range_are_out_of_range() {
    let e = Renewal::new(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        e.to_string(),
        "renewal months 0 is out of range: expected at least 1 month"
    );
    let e = round_ratio(1, 0, Rounding::new(2, RoundingMode::HalfUp).unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    let e = PricedItem::new("mcu", dec!(0), Money::new(dec!(1), Currency::CNY)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        e.to_string(),
        "priced item quantity 0 is out of range: expected a quantity above zero for item \"mcu\""
    );
}

#[test]
fn a_downgrade_says_what_decreases_and_is_located_by_at() {
    let cfg = |qty| {
        Configuration::new(vec![
            PricedItem::new("mcu", qty, Money::new(dec!(3.6), Currency::CNY)).unwrap(),
        ])
        .unwrap()
    };
    let at = |h| Utc.with_ymd_and_hms(2023, 4, 18, h, 0, 0).unwrap();
    let events = vec![
        ResourceEvent::created(at(1), cfg(dec!(2))),
        ResourceEvent::changed(at(2), cfg(dec!(1))),
    ];
    let e = ResourceTimeline::new("vm-1", events).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Downgrade);
    match &e {
        Error::At { place, source } => {
            assert!(
                place.starts_with("resource vm-1, events[1] (changed at 2023-04-18T02:00:00"),
                "{place}"
            );
            assert_eq!(
                **source,
                Error::Downgrade {
                    detail: "item \"mcu\" would go from 2 to 1".into()
                }
            );
        }
        other => panic!("expected a located error, got {other:?}"),
    }
    assert!(
        e.to_string()
            .ends_with("): downgrade refused: item \"mcu\" would go from 2 to 1"),
        "{e}"
    );

    let cny = |a| Money::new(a, Currency::CNY);
    let term =
        mediameter_core::SubscriptionTerm::monthly(at(1), 1, mediameter_core::BillingZone::GMT8)
            .unwrap();
    let e = mediameter_billing::prorate(
        &term,
        at(3),
        cny(dec!(2)),
        cny(dec!(1)),
        &mediameter_billing::ProrationPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Downgrade);
    assert_eq!(
        e.to_string(),
        "field new_price: downgrade refused: new monthly price 1 CNY is below the old 2 CNY"
    );
}

#[test]
fn a_timeline_problem_is_located_at_the_resource_and_event() {
    let cfg = Configuration::new(vec![
        PricedItem::new("mcu", dec!(1), Money::new(dec!(3.6), Currency::CNY)).unwrap(),
    ])
    .unwrap();
    let at = |h| Utc.with_ymd_and_hms(2023, 4, 18, h, 0, 0).unwrap();
    let events = vec![
        ResourceEvent::created(at(2), cfg),
        ResourceEvent::deleted(at(1)),
    ];
    let e = ResourceTimeline::new("vm-1", events).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeline);
    match &e {
        Error::At { place, source } => {
            assert_eq!(place, "resource vm-1, events[1]");
            assert!(matches!(**source, Error::Timeline { .. }), "{source:?}");
        }
        other => panic!("expected a located error, got {other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "resource vm-1, events[1]: invalid timeline: event (deleted at 2023-04-18T01:00:00+00:00) is a deletion before the creation"
    );
}
