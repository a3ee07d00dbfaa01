//! The shared shapes of the workspace's error convention (`docs/architecture.md`, "Error
//! convention"), built through core's public helpers: their messages are the table's, word for
//! word, and the place helper every crate's `Error::at` uses escapes and cuts.

use mediameter_core::error::{ECHO_LIMIT, PLACE_LIMIT, place};
use mediameter_core::{Error, ErrorKind};

#[test]
fn invalid_has_the_conventions_fields_and_message() {
    let e = Error::invalid("app id", "", "a non-empty string");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "invalid app id \"\": expected a non-empty string"
    );
    // `expected` is any `Display`, as in every crate: a literal, a `String`, a number.
    let e = Error::invalid("scale", "x", format_args!("0 to {}", 28));
    assert_eq!(e.to_string(), "invalid scale \"x\": expected 0 to 28");
    let e = Error::invalid("tier count", "none", 1);
    assert_eq!(e.to_string(), "invalid tier count \"none\": expected 1");
    // The value is cut to the echo limit and escaped by the message.
    let long = format!("\u{1b}{}", "x".repeat(500));
    let text = Error::invalid("id", &long, "short").to_string();
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.chars().count() < ECHO_LIMIT + 40, "{text}");
}

#[test]
fn out_of_range_has_the_conventions_fields_and_message() {
    let e = Error::out_of_range("rounding scale", 40, "0..=28");
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(matches!(
        &e,
        Error::OutOfRange { field: "rounding scale", value, expected }
            if value == "40" && expected == "0..=28"
    ));
    assert_eq!(
        e.to_string(),
        "rounding scale 40 is out of range: expected 0..=28"
    );
}

#[test]
fn overflow_has_the_conventions_fields_and_message() {
    let e = Error::overflow("money add");
    assert_eq!(e.kind(), ErrorKind::Overflow);
    assert!(matches!(
        e,
        Error::Overflow {
            operation: "money add"
        }
    ));
    assert_eq!(e.to_string(), "arithmetic overflow in money add");
}

#[test]
fn too_large_has_the_conventions_fields_and_message() {
    let e = Error::too_large("buckets", 1001, 1000);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert!(matches!(
        e,
        Error::TooLarge {
            what: "buckets",
            count: 1001,
            limit: 1000
        }
    ));
    assert_eq!(
        e.to_string(),
        "buckets would produce 1001 items, more than the limit of 1000"
    );
}

#[test]
fn places_are_escaped_and_cut() {
    assert_eq!(
        place("usage[3], field quantity"),
        "usage[3], field quantity"
    );
    assert_eq!(place("pack p\u{1b}[2J\u{7}"), "pack p\\u{1b}[2J\\u{7}");
    let long = "é".repeat(5000);
    assert_eq!(place(&long), "é".repeat(PLACE_LIMIT));
}
