//! The shared shapes of the workspace's error convention (`docs/architecture.md`, "Error
//! convention"), built through the crate's public helpers, and the located errors of a request
//! and a profile: the table's messages word for word, the place in an `Error::At`, `kind()` and
//! `as_core()` looking through it.

use mediameter_core::Role;
use mediameter_diagnostics::{Error, ErrorKind, Profile};

use crate::common::*;

#[test]
fn shared_shapes_have_the_conventions_messages() {
    let e = Error::invalid("version", "latest", "a dotted version such as 6.8.2");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "invalid version \"latest\": expected a dotted version such as 6.8.2"
    );
    let e = Error::out_of_range("diagnosis range", "3601 s", "at most 3600 s");
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        e.to_string(),
        "diagnosis range 3601 s is out of range: expected at most 3600 s"
    );
    let e = Error::too_large("participants", 1001, 1000);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert_eq!(
        e.to_string(),
        "participants would produce 1001 items, more than the limit of 1000"
    );
    let core: Error = mediameter_core::UserId::new("").unwrap_err().into();
    let e = core.at("participant u1 (pub)").at("request");
    assert_eq!(e.kind(), ErrorKind::Core);
    assert!(e.as_core().is_some());
    assert!(
        e.to_string()
            .starts_with("request: participant u1 (pub): invalid user id"),
        "{e}"
    );
}

fn located(e: &Error) -> (&str, ErrorKind, &Error) {
    match e {
        Error::At { place, source } => (place.as_str(), e.kind(), source),
        other => panic!("expected a located error, got {other:?}"),
    }
}

#[test]
fn a_bad_sample_is_invalid_located_at_participant_and_sample() {
    let mut req = healthy_pair(30);
    req.participants[0].samples[2].loss_pct = Some(-3.0);
    let e = req.validate().unwrap_err();
    let (place, kind, inner) = located(&e);
    assert_eq!(place, "participant u1 (pub), sample 2");
    assert_eq!(kind, ErrorKind::Invalid);
    assert!(matches!(
        inner,
        Error::Invalid { field: "loss_pct", value, expected }
            if value == "-3" && expected == "a percentage from 0 to 100"
    ));
    assert_eq!(
        e.to_string(),
        "participant u1 (pub), sample 2: invalid loss_pct \"-3\": expected a percentage from 0 to 100"
    );
}

#[test]
fn a_participant_error_is_invalid_located_at_the_participant() {
    let mut dup = healthy_pair(30);
    dup.participants
        .push(participant("u1", Role::Publish, vec![]));
    let e = dup.validate().unwrap_err();
    let (place, kind, _) = located(&e);
    assert_eq!(place, "participant u1 (pub)");
    assert_eq!(kind, ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "participant u1 (pub): invalid role \"pub\": expected one entry per user and role"
    );
}

#[test]
fn a_profile_error_is_invalid_located_at_the_profile() {
    let mut bad = Profile::default();
    bad.swing_z = 9.0;
    bad.surge_z = 8.0;
    let e = bad.validate().unwrap_err();
    let (place, kind, _) = located(&e);
    assert_eq!(place, "profile default");
    assert_eq!(kind, ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "profile default: invalid swing_z \"9\": expected at most the entry threshold 8"
    );
}
