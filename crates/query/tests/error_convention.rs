//! The shared shapes of the workspace's error convention (`docs/architecture.md`, "Error
//! convention"), built through the crate's public helpers: their messages are the table's, word
//! for word, so a crate that drifts from it fails here.

use mediameter_query::{Error, ErrorKind};

#[test]
fn invalid_has_the_conventions_fields_and_message() {
    let e = Error::invalid("max_params", "0", "1 to 1024");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(matches!(
        &e,
        Error::Invalid { field: "max_params", value, expected } if value == "0" && expected == "1 to 1024"
    ));
    assert_eq!(
        e.to_string(),
        "invalid max_params \"0\": expected 1 to 1024"
    );
    // The value is cut to the workspace's echo limit and escaped in the message.
    let long = format!("\u{1b}{}", "x".repeat(500));
    let text = Error::invalid("policy", &long, "a short name").to_string();
    assert!(!text.contains('\u{1b}') && text.len() < 120, "{text}");
}

#[test]
fn too_large_has_the_conventions_fields_and_message() {
    let e = Error::too_large("rate-limited APIs", 65_536, 65_535);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert!(matches!(
        e,
        Error::TooLarge {
            what: "rate-limited APIs",
            count: 65_536,
            limit: 65_535
        }
    ));
    assert_eq!(
        e.to_string(),
        "rate-limited APIs would produce 65536 items, more than the limit of 65535"
    );
}

#[test]
fn out_of_range_has_the_conventions_fields_and_message() {
    let e = Error::out_of_range("max_params", 0, "1 to 1024");
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(matches!(
        &e,
        Error::OutOfRange { field: "max_params", value, expected } if value == "0" && expected == "1 to 1024"
    ));
    assert_eq!(
        e.to_string(),
        "max_params 0 is out of range: expected 1 to 1024"
    );
}

/// A query-string limit outside its range is the convention's `OutOfRange`, not `Invalid`.
#[test]
fn query_string_limits_out_of_range_are_out_of_range() {
    use mediameter_query::qs::QsLimits;
    let e = QsLimits::new(0, 8, 32, 256).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        e.to_string(),
        "max_len 0 is out of range: expected 1 to 1048576"
    );
    let e = QsLimits::new(1024, 8, 32, 4096).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        e.to_string(),
        "max_value_len 4096 is out of range: expected 1 to max_len (1024)"
    );
}
