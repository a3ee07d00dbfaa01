//! The shared shapes of the workspace's error convention (`docs/architecture.md`, "Error
//! convention"), built through the facade's public helpers: the table's messages word for word,
//! the place of an `Error::At` escaped and cut, `kind()` and `as_core()` looking through it and
//! through the libraries' errors it carries.

use mediameter::core::error::PLACE_LIMIT;
use mediameter::{Error, ErrorKind};

#[test]
fn shared_shapes_have_the_conventions_messages() {
    let e = Error::invalid("mapping rule", "x", "a product and a spec");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "invalid mapping rule \"x\": expected a product and a spec"
    );
    let e = Error::invalid(
        "billing month",
        "2024-13",
        format_args!("a month up to {}", 12),
    );
    assert_eq!(
        e.to_string(),
        "invalid billing month \"2024-13\": expected a month up to 12"
    );
    let e = Error::overflow("billable usage merge");
    assert_eq!(e.kind(), ErrorKind::Overflow);
    assert_eq!(e.to_string(), "arithmetic overflow in billable usage merge");
    let e = Error::too_large("billable usage slices", 1_000_001, 1_000_000);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert!(matches!(
        e,
        Error::TooLarge {
            what: "billable usage slices",
            count: 1_000_001,
            limit: 1_000_000
        }
    ));
    assert_eq!(
        e.to_string(),
        "billable usage slices would produce 1000001 items, more than the limit of 1000000"
    );
}

#[test]
fn located_errors_look_through_and_escape_and_cut_the_place() {
    let core = mediameter::core::Error::overflow("money add");
    let e = Error::from(mediameter::billing::Error::from(core.clone()))
        .at("segment 3, field end")
        .at("invoice");
    assert_eq!(e.kind(), ErrorKind::Billing);
    assert_eq!(e.as_core(), Some(&core));
    assert_eq!(
        e.to_string(),
        "invoice: segment 3, field end: arithmetic overflow in money add"
    );
    let e = Error::too_large("billable usage slices", 2, 1).at("segments");
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert!(e.as_core().is_none());

    let e = Error::overflow("usage item id").at("segment s\u{1b}]0;x\u{7}, field id");
    let text = e.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(
        text.starts_with("segment s\\u{1b}]0;x\\u{7}, field id: "),
        "{text}"
    );
    let e = Error::overflow("usage item id").at("y".repeat(100_000));
    match &e {
        Error::At { place, .. } => assert_eq!(place.chars().count(), PLACE_LIMIT),
        other => panic!("expected a located error, got {other:?}"),
    }
}
