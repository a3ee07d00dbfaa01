//! The shared shapes of the workspace's error convention (`docs/architecture.md`, "Error
//! convention"), built through the crate's public helpers, and the query crate's errors carried
//! whole: the table's messages word for word.

use mediameter_gateway::token::{AppKey, Keyring, TokenVerifier};
use mediameter_gateway::{Error, ErrorKind};

#[test]
fn shared_shapes_have_the_conventions_messages() {
    let e = Error::invalid("key id", "1", "an id other than the current key's");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "invalid key id \"1\": expected an id other than the current key's"
    );
    let e = Error::out_of_range("clock skew", "301 s", "0 to 300 s");
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        e.to_string(),
        "clock skew 301 s is out of range: expected 0 to 300 s"
    );
    // The query crate's TooLarge, carried whole, keeps the convention's message.
    let e = Error::from(mediameter_query::Error::too_large(
        "rate-limited APIs",
        65_536,
        65_535,
    ));
    assert_eq!(e.kind(), ErrorKind::Query);
    assert_eq!(
        e.to_string(),
        "rate-limited APIs would produce 65536 items, more than the limit of 65535"
    );
}

/// A clock skew outside 0..=300 s is a number out of its range: `OutOfRange`, not `Invalid`.
#[test]
fn a_skew_out_of_bounds_is_out_of_range() {
    let verifier = || TokenVerifier::new(Keyring::new(AppKey::from_secret(1, [1; 32])), 10);
    let e = verifier()
        .with_skew(chrono::TimeDelta::seconds(301))
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        e.to_string(),
        "clock skew 301 s is out of range: expected 0 to 300 s"
    );
    let e = verifier()
        .with_skew(chrono::TimeDelta::seconds(-1))
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
}
