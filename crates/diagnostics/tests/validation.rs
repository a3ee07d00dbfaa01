//! Bad input: clear errors naming participant, sample index and field (issue 5, "Bad input").

use mediameter_core::Role;
use mediameter_diagnostics::{DiagnosisRequest, Error, ErrorKind};

use crate::common::*;

fn err(req: &DiagnosisRequest) -> Error {
    req.validate().unwrap_err()
}

/// The participant label, sample index and field of a located sample error:
/// `Error::At { place: "participant u1 (pub), sample 2", source: Error::Invalid { field, .. } }`.
fn sample_err(e: &Error) -> (String, usize, &'static str) {
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    match e {
        Error::At { place, source } => {
            let (owner, index) = place
                .strip_prefix("participant ")
                .and_then(|p| p.rsplit_once(", sample "))
                .unwrap_or_else(|| panic!("not a sample's place: {place}"));
            let field = match &**source {
                Error::Invalid { field, .. } => *field,
                other => panic!("expected Invalid inside, got {other:?}"),
            };
            (owner.to_owned(), index.parse().unwrap(), field)
        }
        other => panic!("expected a sample error, got {other}"),
    }
}

#[test]
fn range_over_one_hour_is_rejected() {
    // Alibaba Cloud RTC console guide §5.1: one diagnosis spans at most one hour.
    let ok = request(3600, vec![]);
    assert!(ok.validate().is_ok());
    let mut long = request(3600, vec![]);
    long.range =
        mediameter_core::TimeRange::new(t0(), at(3600) + chrono::TimeDelta::milliseconds(1))
            .unwrap();
    let e = err(&long);
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(e.to_string().contains("at most 3600 s"), "{e}");
    // The real length, not the whole seconds (which equal the limit).
    assert!(
        e.to_string()
            .contains("(3600.001 s) is out of range: expected at most 3600 s"),
        "{e}"
    );
}

#[test]
fn the_pairs_limit_counts_every_pair() {
    // 105 publishers, each heard by 105 subscribers: 11,025 pairs, over the 10,000 limit.
    let mut participants = Vec::new();
    for i in 0..105 {
        participants.push(participant(&format!("p{i}"), Role::Publish, vec![]));
    }
    for i in 0..105 {
        participants.push(participant(&format!("s{i}"), Role::Subscribe, vec![]));
    }
    let e = err(&request(60, participants));
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert!(
        e.to_string().contains("11025") && e.to_string().contains("10000"),
        "{e}"
    );
}

#[test]
fn sample_outside_range() {
    let mut req = healthy_pair(60);
    req.participants[1].samples[5].t = at(60);
    let e = err(&req);
    assert_eq!(sample_err(&e), ("u2 (sub)".to_owned(), 5, "t"));
    assert!(e.to_string().contains("inside the range"), "{e}");
    let mut before = healthy_pair(60);
    before.participants[0].samples[0].t = at(-1);
    assert_eq!(sample_err(&err(&before)), ("u1 (pub)".to_owned(), 0, "t"));
}

#[test]
fn loss_out_of_range() {
    for bad in [-0.1, 100.01, f64::NAN, f64::INFINITY] {
        let mut req = healthy_pair(60);
        req.participants[0].samples[7].loss_pct = Some(bad);
        let e = err(&req);
        assert_eq!(sample_err(&e), ("u1 (pub)".to_owned(), 7, "loss_pct"));
        assert!(e.to_string().contains("percentage from 0 to 100"), "{e}");
    }
    let mut edge = healthy_pair(60);
    edge.participants[0].samples[7].loss_pct = Some(100.0);
    assert!(edge.validate().is_ok());
}

#[test]
fn non_monotonic_timestamps() {
    let mut req = healthy_pair(60);
    req.participants[1].samples[10].t = at(9);
    assert_eq!(sample_err(&err(&req)), ("u2 (sub)".to_owned(), 10, "t"));
    let mut dup = healthy_pair(60);
    dup.participants[1].samples[10].t = at(9);
    dup.participants[1].samples[9].t = at(9);
    assert_eq!(sample_err(&err(&dup)), ("u2 (sub)".to_owned(), 10, "t"));
}

#[test]
fn unknown_tier() {
    let mut req = healthy_pair(60);
    req.participants[0].samples[3].video_tier = Some("8k".to_owned());
    let e = err(&req);
    assert_eq!(sample_err(&e), ("u1 (pub)".to_owned(), 3, "video_tier"));
    assert!(e.to_string().contains("\"8k\""), "{e}");
    // Vendor spellings are accepted.
    let mut vendor = healthy_pair(60);
    vendor.participants[0].samples[3].video_tier = Some("≤1080P".to_owned());
    assert!(vendor.validate().is_ok());
}

#[test]
fn non_finite_and_negative_measurements() {
    type Mutate = fn(&mut mediameter_diagnostics::SampleInput);
    let cases: [(&str, Mutate); 6] = [
        ("rtt_ms", |s| s.rtt_ms = Some(-1.0)),
        ("rtt_ms", |s| s.rtt_ms = Some(f64::NAN)),
        ("audio_kbps", |s| s.audio_kbps = Some(f64::NEG_INFINITY)),
        ("video_kbps", |s| s.video_kbps = Some(-5.0)),
        ("fps", |s| s.fps = Some(f64::NAN)),
        ("jitter_ms", |s| s.jitter_ms = Some(f64::INFINITY)),
    ];
    for (field, f) in cases {
        let mut req = healthy_pair(30);
        f(&mut req.participants[0].samples[2]);
        assert_eq!(sample_err(&err(&req)), ("u1 (pub)".to_owned(), 2, field));
    }
}

#[test]
fn participant_errors() {
    let mut dup = healthy_pair(30);
    dup.participants
        .push(participant("u1", Role::Publish, vec![]));
    assert_eq!(err(&dup).kind(), ErrorKind::Invalid);

    let mut unknown = healthy_pair(30);
    unknown.participants[1].subscribes_to = vec!["u9".parse().unwrap()];
    let e = err(&unknown);
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("subscribes_to"), "{e}");

    let mut pub_subscribes = healthy_pair(30);
    pub_subscribes.participants[0].subscribes_to = vec!["u2".parse().unwrap()];
    assert_eq!(err(&pub_subscribes).kind(), ErrorKind::Invalid);

    let mut control = healthy_pair(30);
    control.participants[0].client.os = "iOS\n16".to_owned();
    assert_eq!(err(&control).kind(), ErrorKind::Invalid);
}

#[cfg(feature = "serde")]
#[test]
fn json_errors_are_reported_by_serde() {
    let bad_role = r#"{"app_id":"a","channel_id":"c","range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:10:00Z"},
        "participants":[{"user_id":"u1","role":"host","client":{"sdk_version":"1","os":"x"}}]}"#;
    let e = serde_json::from_str::<DiagnosisRequest>(bad_role).unwrap_err();
    assert!(e.to_string().contains("role"), "{e}");
    let reversed = r#"{"app_id":"a","channel_id":"c","range":{"start":"2024-05-01T10:10:00Z","end":"2024-05-01T10:00:00Z"},"participants":[]}"#;
    assert!(serde_json::from_str::<DiagnosisRequest>(reversed).is_err());
}

#[test]
fn subscriber_without_subscriptions_receives_every_publisher() {
    let mut req = healthy_pair(30);
    req.participants
        .push(participant("u3", Role::Publish, vec![]));
    let call = req.validate().unwrap();
    assert_eq!(call.pairs(), &[(0, 1), (2, 1)]);
}

/// Issue 14 item 8: a rejected client field is echoed escaped, never as raw control bytes
/// (core's echo rule: the value cut to 64 characters, then quoted with escapes).
#[test]
fn rejected_client_field_is_echoed_escaped() {
    let mut req = healthy_pair(30);
    req.participants[0].client.os = "iOS\u{1b}[31m\u{7}16".to_owned();
    let e = err(&req);
    let text = e.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(text.contains(r#""iOS\u{1b}[31m\u{7}16""#), "{text}");
    assert!(text.contains("invalid client.os "), "{text}");
}

#[cfg(feature = "serde")] // reads or writes JSON
/// Issue 14 item 10: a sample without `loss_pct` or `rtt_ms` is refused naming the
/// participant, the sample index and the field, not only a line and column.
#[test]
fn missing_loss_or_rtt_names_participant_sample_and_field() {
    for field in ["loss_pct", "rtt_ms"] {
        let other = if field == "loss_pct" {
            "rtt_ms"
        } else {
            "loss_pct"
        };
        let json = format!(
            r#"{{"app_id":"a","channel_id":"c","range":{{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:10:00Z"}},
            "participants":[{{"user_id":"u1","role":"pub","client":{{"sdk_version":"1","os":"x"}},
              "samples":[{{"t":"2024-05-01T10:00:00Z","loss_pct":1,"rtt_ms":50}},
                         {{"t":"2024-05-01T10:00:01Z","{other}":1}}]}}]}}"#
        );
        let req: DiagnosisRequest = serde_json::from_str(&json).unwrap();
        let e = req.validate().unwrap_err();
        assert_eq!(sample_err(&e), ("u1 (pub)".to_owned(), 1, field), "{e}");
        assert!(e.to_string().contains("missing"), "{e}");
    }
}

/// The size limits follow the workspace's error convention: `TooLarge` with a fixed `what`,
/// the convention's message, and the participant (or stream) as the error's place.
#[test]
fn size_limits_use_the_conventions_too_large_shape_and_place() {
    use mediameter_diagnostics::{
        MAX_OPERATIONS_PER_PARTICIPANT, MAX_PARTICIPANTS, MAX_SAMPLES_PER_PARTICIPANT,
        OperationInput, OperationKind, StreamInput, StreamKind, StreamSampleInput,
    };
    let samples = (0..=MAX_SAMPLES_PER_PARTICIPANT)
        .map(|i| mediameter_diagnostics::SampleInput::new(t0(), 0.0, 50.0 + i as f64))
        .collect();
    let e = err(&request(
        3600,
        vec![participant("u1", Role::Publish, samples)],
    ));
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert_eq!(
        e.to_string(),
        "participant u1 (pub): samples would produce 36001 items, more than the limit of 36000"
    );

    let stream = StreamInput::new(
        StreamKind::ScreenShare,
        vec![StreamSampleInput::new(t0(), None, None); MAX_SAMPLES_PER_PARTICIPANT + 1],
    );
    let mut req = request(3600, vec![participant("u1", Role::Publish, vec![])]);
    req.participants[0].streams = vec![stream];
    let e = err(&req);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert_eq!(
        e.to_string(),
        "participant u1 (pub), screen-share stream: samples would produce 36001 items, more than the limit of 36000"
    );

    let mut req = request(3600, vec![participant("u1", Role::Publish, vec![])]);
    req.participants[0].operations =
        vec![OperationInput::new(t0(), OperationKind::Leave); MAX_OPERATIONS_PER_PARTICIPANT + 1];
    let e = err(&req);
    assert_eq!(
        e.to_string(),
        "participant u1 (pub): operations would produce 10001 items, more than the limit of 10000"
    );

    let many = (0..=MAX_PARTICIPANTS)
        .map(|i| participant(&format!("u{i}"), Role::Subscribe, vec![]))
        .collect();
    let e = err(&request(60, many));
    assert_eq!(
        e.to_string(),
        "participants would produce 1001 items, more than the limit of 1000"
    );
    match e {
        Error::TooLarge { what, count, limit } => {
            assert_eq!((what, count, limit), ("participants", 1001, 1000));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}
