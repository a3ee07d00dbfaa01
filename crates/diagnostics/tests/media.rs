//! Several video streams per participant, and user operations that explain what the series
//! show (issue 16).

use mediameter_core::Role;
use mediameter_diagnostics::{
    Diagnosis, DiagnosisRequest, ErrorKind, FindingKind, OperationInput, OperationKind, Profile,
    Severity, StreamInput, StreamKind, StreamSampleInput, diagnose,
};

use crate::common::*;

fn run(req: &DiagnosisRequest) -> Diagnosis {
    diagnose(&req.validate().unwrap(), &Profile::default()).unwrap()
}

fn stream(kind: StreamKind, secs: i64, f: impl Fn(i64) -> (f64, f64)) -> StreamInput {
    StreamInput::new(
        kind,
        (0..secs)
            .map(|s| {
                let (kbps, fps) = f(s);
                StreamSampleInput::new(at(s), Some(kbps), Some(fps)).with_tier("720p")
            })
            .collect(),
    )
}

/// A network-and-audio-only participant (no camera shorthand).
fn audio_only(
    user: &str,
    role: Role,
    seed: u64,
    secs: i64,
) -> mediameter_diagnostics::ParticipantInput {
    participant(
        user,
        role,
        series(seed, secs, |_, mut s| {
            s.video_kbps = None;
            s.video_tier = None;
            s.fps = None;
            s
        }),
    )
}

#[test]
fn a_screen_share_freeze_names_the_stream_and_leaves_the_camera_alone() {
    let secs = 600;
    let mut u1 = audio_only("u1", Role::Publish, 11, secs);
    u1.streams = vec![
        stream(StreamKind::Camera, secs, |_| (1200.0, 30.0)),
        stream(StreamKind::ScreenShare, secs, |s| {
            if (300..360).contains(&s) {
                (0.0, 0.0)
            } else {
                (900.0, 15.0)
            }
        }),
    ];
    let d = run(&request(secs, vec![u1]));
    let freezes: Vec<_> = d.of_kind(FindingKind::Freeze).collect();
    assert_eq!(freezes.len(), 1, "{:#?}", d.findings);
    let f = freezes[0];
    assert_eq!(f.stream, Some(StreamKind::ScreenShare));
    assert!(
        f.explanation
            .starts_with("Publisher u1 (screen-share stream) between 10:05:00 and 10:06:00"),
        "{}",
        f.explanation
    );
    assert!(
        d.findings
            .iter()
            .all(|f| f.stream != Some(StreamKind::Camera))
    );
}

#[test]
fn a_small_stream_disagreement_is_compared_per_kind() {
    let secs = 600;
    let mut u1 = audio_only("u1", Role::Publish, 11, secs);
    u1.streams = vec![
        stream(StreamKind::Camera, secs, |_| (1200.0, 30.0)),
        stream(StreamKind::CameraSmall, secs, |_| (300.0, 15.0)),
    ];
    let mut u2 = audio_only("u2", Role::Subscribe, 22, secs);
    // The subscriber receives only the small stream, and gets a fifth of it for two minutes.
    u2.streams = vec![stream(StreamKind::CameraSmall, secs, |s| {
        if (200..320).contains(&s) {
            (60.0, 15.0)
        } else {
            (300.0, 15.0)
        }
    })];
    let d = run(&request(secs, vec![u1, u2]));
    let dis: Vec<_> = d.of_kind(FindingKind::UnexplainedDisagreement).collect();
    assert_eq!(dis.len(), 1, "{:#?}", d.findings);
    assert_eq!(dis[0].stream, Some(StreamKind::CameraSmall));
    assert!(dis[0].escalation.is_some());
    assert_eq!(dis[0].value("pub_video_kbps"), Some(300.0));
    assert_eq!(dis[0].value("sub_video_kbps"), Some(60.0));
}

/// The issue's case: the publisher turns the camera off, the subscriber's video drops. With the
/// operation in the request it is explained, named and not escalated; without it, escalated.
#[test]
fn camera_off_explains_a_subscriber_drop_instead_of_escalating() {
    let secs = 600;
    let build = |ops: Vec<OperationInput>| {
        let mut req = request(
            secs,
            vec![
                participant("u1", Role::Publish, series(11, secs, |_, s| s)),
                participant(
                    "u2",
                    Role::Subscribe,
                    series(22, secs, |t, mut s| {
                        if (200..320).contains(&t) {
                            s.video_kbps = Some(40.0);
                        }
                        s
                    }),
                ),
            ],
        );
        req.participants[0].operations = ops;
        req
    };
    let without = run(&build(vec![]));
    let esc: Vec<_> = without
        .of_kind(FindingKind::UnexplainedDisagreement)
        .collect();
    assert_eq!(esc.len(), 1, "{:#?}", without.findings);
    assert!(esc[0].escalation.is_some());

    let with = run(&build(vec![
        OperationInput::new(at(199), OperationKind::CameraOff),
        OperationInput::new(at(321), OperationKind::CameraOn),
    ]));
    assert_eq!(
        with.of_kind(FindingKind::UnexplainedDisagreement).count(),
        0,
        "{:#?}",
        with.findings
    );
    let ex: Vec<_> = with.of_kind(FindingKind::ExplainedByOperation).collect();
    assert_eq!(ex.len(), 1, "{:#?}", with.findings);
    let f = ex[0];
    assert_eq!(f.severity, Severity::Info);
    assert!(f.escalation.is_none());
    let by = f.explained_by.as_ref().unwrap();
    assert_eq!(
        (by.user_id.as_str(), by.operation, by.at),
        ("u1", OperationKind::CameraOff, at(199))
    );
    assert!(
        f.explanation
            .contains("explained by u1's operation camera_off at 10:03:19 UTC"),
        "{}",
        f.explanation
    );
    assert!(
        !f.explanation.contains("escalate to the vendor"),
        "{}",
        f.explanation
    );
    // An info finding does not lower the grade below what the audio says.
    assert_eq!(with.grade.letter, Some('A'));

    // An operation that ended before the drop explains nothing.
    let early = run(&build(vec![
        OperationInput::new(at(10), OperationKind::CameraOff),
        OperationInput::new(at(20), OperationKind::CameraOn),
    ]));
    assert_eq!(
        early.of_kind(FindingKind::UnexplainedDisagreement).count(),
        1
    );
}

#[test]
fn a_network_change_explains_the_swing_around_it() {
    let secs = 600;
    let build = |ops: Vec<OperationInput>| {
        let mut req = request(
            secs,
            vec![participant(
                "u1",
                Role::Publish,
                series(11, secs, |t, mut s| {
                    if (300..303).contains(&t) {
                        s.loss_pct = Some(30.0);
                    }
                    s
                }),
            )],
        );
        req.participants[0].operations = ops;
        req
    };
    let plain = run(&build(vec![]));
    assert!(
        plain.findings.iter().any(|f| f.severity > Severity::Info),
        "{:#?}",
        plain.findings
    );
    let with = run(&build(vec![OperationInput::new(
        at(301),
        OperationKind::NetworkChange,
    )]));
    assert!(!with.findings.is_empty());
    for f in &with.findings {
        assert_eq!(f.severity, Severity::Info, "{f:#?}");
        assert_eq!(
            f.explained_by.as_ref().unwrap().operation,
            OperationKind::NetworkChange
        );
    }
}

#[test]
fn streams_and_operations_are_validated() {
    let mut dup = healthy_pair(60);
    dup.participants[0].streams = vec![
        stream(StreamKind::ScreenShare, 60, |_| (900.0, 15.0)),
        stream(StreamKind::ScreenShare, 60, |_| (900.0, 15.0)),
    ];
    let e = dup.validate().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("streams.kind"), "{e}");

    // The samples carry camera video, so a second camera stream is refused.
    let mut twice = healthy_pair(60);
    twice.participants[0].streams = vec![stream(StreamKind::Camera, 60, |_| (900.0, 15.0))];
    assert_eq!(twice.validate().unwrap_err().kind(), ErrorKind::Invalid);

    let mut late = healthy_pair(60);
    late.participants[1].operations = vec![OperationInput::new(at(61), OperationKind::Leave)];
    let e = late.validate().unwrap_err();
    assert!(
        e.to_string()
            .starts_with("participant u2 (sub), operation 0: invalid t "),
        "{e}"
    );

    let mut bad = healthy_pair(60);
    bad.participants[0].streams = vec![stream(StreamKind::CameraSmall, 60, |_| (f64::NAN, 15.0))];
    let e = bad.validate().unwrap_err();
    assert!(
        e.to_string().contains(
            "participant u1 (pub), small camera stream, sample 0: invalid video_kbps \"NaN\""
        ),
        "{e}"
    );
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn streams_and_operations_read_from_json() {
    let json = r#"{"app_id":"a","channel_id":"c","range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
      "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.5","os":"iOS 16"},
        "samples":[{"t":"2024-05-01T10:00:00Z","loss_pct":0,"rtt_ms":50}],
        "streams":[{"kind":"camera_small","samples":[{"t":"2024-05-01T10:00:00Z","video_tier":"360p","video_kbps":300,"fps":15}]}],
        "operations":[{"t":"2024-05-01T10:00:30Z","op":"background"}]}]}"#;
    let req: DiagnosisRequest = serde_json::from_str(json).unwrap();
    let call = req.validate().unwrap();
    let p = &call.participants()[0];
    assert_eq!(p.streams()[0].kind(), StreamKind::CameraSmall);
    assert_eq!(p.operations()[0].kind, OperationKind::Background);
    assert_eq!(p.operations()[0].t_ms, 30_000);
    let unknown = json.replace(r#""op":"background""#, r#""op":"background","x":1"#);
    assert!(serde_json::from_str::<DiagnosisRequest>(&unknown).is_err());
    let bad_op = json.replace("background", "dance");
    assert!(serde_json::from_str::<DiagnosisRequest>(&bad_op).is_err());
}
