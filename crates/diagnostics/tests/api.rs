//! The public API's promises: printed values parse back, a diagnosis reads back from its JSON,
//! and a grade is checked when it is read.

use std::str::FromStr;

use mediameter_diagnostics::emodel::Model;
use mediameter_diagnostics::{
    ErrorKind, FindingKind, OperationKind, Severity, Side, StreamKind, Version,
};

/// `Display` then `FromStr` gives the value back.
fn round_trips<T>(values: impl IntoIterator<Item = T>)
where
    T: std::fmt::Display + FromStr + PartialEq + std::fmt::Debug,
    <T as FromStr>::Err: std::fmt::Debug,
{
    for v in values {
        let text = v.to_string();
        let back: T = text
            .parse()
            .unwrap_or_else(|e| panic!("{text:?} does not parse back: {e:?}"));
        assert_eq!(back, v, "{text:?}");
    }
}

#[test]
fn printed_types_parse_back() {
    round_trips(FindingKind::ALL);
    round_trips(Severity::ALL);
    round_trips(Side::ALL);
    round_trips(StreamKind::ALL);
    round_trips(OperationKind::ALL);
    round_trips([Model::G107, Model::G1072]);
    round_trips(
        [
            "6.8.2",
            "v2.10.1",
            "13",
            "1.2.3.4",
            "2.0.0-rc1",
            "0.0.1+build.7",
        ]
        .map(|s| s.parse::<Version>().unwrap()),
    );
}

#[test]
fn parse_errors_are_the_crates_error() {
    // One error type per crate: every FromStr of the crate fails with its `Error`.
    assert_eq!(
        "latest".parse::<Version>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "loud".parse::<FindingKind>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "fatal".parse::<Severity>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "left".parse::<Side>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "tv".parse::<StreamKind>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "dance".parse::<OperationKind>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        "g729".parse::<Model>().unwrap_err().kind(),
        ErrorKind::Invalid
    );
}

#[cfg(feature = "serde")]
mod serde_round_trip {
    use mediameter_diagnostics::{Diagnosis, DiagnosisRequest, Grade, Observed, Profile};

    const DEMO: &str = include_str!("data/demo_call.json");

    fn demo() -> Diagnosis {
        let req: DiagnosisRequest = serde_json::from_str(DEMO).unwrap();
        req.diagnose(&Profile::default()).unwrap()
    }

    #[test]
    fn a_diagnosis_reads_back_from_its_json() {
        let d = demo();
        assert!(!d.findings.is_empty() && !d.scores.is_empty());
        let json = serde_json::to_string(&d).unwrap();
        let back: Diagnosis = serde_json::from_str(&json).unwrap();
        // Same JSON again, and the same values where floats play no part.
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert_eq!(back.grade.letter, d.grade.letter);
        assert_eq!(back.grade.label, d.grade.label);
        assert_eq!(back.findings.len(), d.findings.len());
        for (a, b) in back.findings.iter().zip(&d.findings) {
            assert_eq!(
                (
                    a.kind,
                    a.severity,
                    a.side,
                    &a.user_id,
                    a.window,
                    &a.escalation
                ),
                (
                    b.kind,
                    b.severity,
                    b.side,
                    &b.user_id,
                    b.window,
                    &b.escalation
                )
            );
            assert_eq!(a.values.len(), b.values.len());
            for (x, y) in a.values.iter().zip(&b.values) {
                assert_eq!((&x.name, &x.text), (&y.name, &y.text));
            }
        }
        assert_eq!(back.gaps, d.gaps);
        assert_eq!(back.notes, d.notes);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let d = demo();
        let mut v = serde_json::to_value(&d).unwrap();
        v["findigns"] = serde_json::json!([]);
        assert!(serde_json::from_value::<Diagnosis>(v).is_err());
    }

    #[test]
    fn a_grade_is_checked_when_read() {
        let ok = r#"{"letter":"B","label":"fair","r_p10":72.5,"mos_p10":3.7,"summary":"s"}"#;
        let g: Grade = serde_json::from_str(ok).unwrap();
        assert_eq!((g.letter, g.label), (Some('B'), "fair"));
        let none =
            r#"{"letter":null,"label":"not enough data","r_p10":null,"mos_p10":null,"summary":""}"#;
        assert_eq!(serde_json::from_str::<Grade>(none).unwrap().letter, None);
        for bad in [
            // a letter outside A..=E
            r#"{"letter":"F","label":"very bad","r_p10":10.0,"mos_p10":1.2,"summary":""}"#,
            // a label that is not the letter's
            r#"{"letter":"A","label":"bad","r_p10":90.0,"mos_p10":4.3,"summary":""}"#,
            // R without MOS
            r#"{"letter":"A","label":"good","r_p10":90.0,"mos_p10":null,"summary":""}"#,
            // MOS off the scale
            r#"{"letter":"A","label":"good","r_p10":90.0,"mos_p10":7.0,"summary":""}"#,
        ] {
            let e = serde_json::from_str::<Grade>(bad).unwrap_err();
            assert!(e.to_string().contains("grade"), "{bad}: {e}");
        }
    }

    #[test]
    fn observed_values_read_back() {
        let n: Observed =
            serde_json::from_str(r#"{"name":"loss_mean_pct","value":12.35}"#).unwrap();
        assert_eq!(
            (n.name.as_ref(), n.value, n.text),
            ("loss_mean_pct", 12.35, None)
        );
        let t: Observed =
            serde_json::from_str(r#"{"name":"sdk_version","value":"1.9.3"}"#).unwrap();
        assert_eq!(t, Observed::text("sdk_version", "1.9.3"));
        assert!(serde_json::from_str::<Observed>(r#"{"name":"Bad Name","value":1}"#).is_err());
        assert!(serde_json::from_str::<Observed>(r#"{"name":"","value":1}"#).is_err());
    }
}

/// A profile read from JSON is checked as `diagnose` checks it: a bad one is refused when
/// read, naming the field; missing fields take the default profile's values.
#[cfg(feature = "serde")]
#[test]
fn a_profile_is_checked_when_read() {
    use mediameter_diagnostics::Profile;
    let err =
        serde_json::from_str::<Profile>(r#"{"name": "x", "loss_high_exit_pct": 9.0}"#).unwrap_err();
    assert!(err.to_string().contains("loss_high_exit_pct"), "{err}");
    assert!(serde_json::from_str::<Profile>(r#"{"gap_ms": 0}"#).is_err());
    assert!(serde_json::from_str::<Profile>(r#"{"loss_hihg_pct": 2.0}"#).is_err());
    let p: Profile =
        serde_json::from_str(r#"{"loss_high_pct": 2.0, "loss_high_exit_pct": 1.0}"#).unwrap();
    assert_eq!(
        (p.loss_high_pct, p.rtt_high_ms),
        (2.0, Profile::default().rtt_high_ms)
    );
}

/// The constructors build what the JSON of `docs/diagnostics.md` §2 reads: the same request
/// built both ways is the same value (the Rust form of that section, kept honest).
#[cfg(feature = "serde")]
#[test]
fn constructors_build_what_the_json_reads() {
    use mediameter_core::{Role, TimeRange};
    use mediameter_diagnostics::emodel::Codec;
    use mediameter_diagnostics::{
        ClientInfo, DiagnosisRequest, OperationInput, ParticipantInput, SampleInput, StreamInput,
        StreamSampleInput,
    };
    let t = |s: i64| chrono::DateTime::from_timestamp(1_714_557_600 + s, 0).unwrap();
    let u1 = ParticipantInput::new(
        "u1".parse().unwrap(),
        Role::Publish,
        ClientInfo::new("2.5.1", "iOS 16.2")
            .with_device_model("iPhone 13")
            .with_region("cn-hangzhou".parse().unwrap()),
    )
    .with_samples(vec![
        SampleInput::new(t(0), 0.4, 60.0)
            .with_audio(48.0)
            .with_video("720p", 1200.0, 30.0)
            .with_jitter(8.0),
    ])
    .with_streams(vec![StreamInput::new(
        StreamKind::ScreenShare,
        vec![StreamSampleInput::new(t(1), Some(900.0), Some(10.0)).with_tier("1080p")],
    )])
    .with_operations(vec![OperationInput::new(t(2), OperationKind::CameraOff)]);
    let u2 = ParticipantInput::new(
        "u2".parse().unwrap(),
        Role::Subscribe,
        ClientInfo::new("2.5.1", "Android 13"),
    )
    .with_subscribes_to(vec!["u1".parse().unwrap()]);
    let built = DiagnosisRequest::new(
        "app1".parse().unwrap(),
        "room-1".parse().unwrap(),
        TimeRange::new(t(0), t(1800)).unwrap(),
        vec![u1, u2],
    )
    .with_audio_codec(Codec::Opus);
    let read: DiagnosisRequest = serde_json::from_str(
        r#"{"app_id": "app1", "channel_id": "room-1",
  "range": {"start": "2024-05-01T10:00:00Z", "end": "2024-05-01T10:30:00Z"},
  "audio_codec": "opus",
  "participants": [
    {"user_id": "u1", "role": "pub",
     "client": {"sdk_version": "2.5.1", "os": "iOS 16.2", "device_model": "iPhone 13", "region": "cn-hangzhou"},
     "samples": [
       {"t": "2024-05-01T10:00:00Z", "audio_kbps": 48, "video_tier": "720p", "video_kbps": 1200,
        "fps": 30, "loss_pct": 0.4, "rtt_ms": 60, "jitter_ms": 8}],
     "streams": [{"kind": "screen_share", "samples": [
        {"t": "2024-05-01T10:00:01Z", "video_tier": "1080p", "video_kbps": 900, "fps": 10}]}],
     "operations": [{"t": "2024-05-01T10:00:02Z", "op": "camera_off"}]},
    {"user_id": "u2", "role": "sub", "subscribes_to": ["u1"],
     "client": {"sdk_version": "2.5.1", "os": "Android 13"},
     "samples": []}]}"#,
    )
    .unwrap();
    assert_eq!(built, read);
    assert_eq!(built.validate().unwrap().pairs(), &[(0, 1)]);
}

/// A profile's client rules built with the `with_*` methods are checked with the profile.
#[test]
fn client_policy_builders_are_checked_with_the_profile() {
    use mediameter_diagnostics::{ClientPolicy, Profile};
    let mut p = Profile::default();
    p.clients = ClientPolicy::none()
        .with_min_sdk("*", "3.0")
        .with_min_os("android", "9")
        .with_legacy_device("Galaxy S5")
        .with_poor_region("region-x");
    assert!(p.validate().is_ok());
    assert_eq!(p.clients.min_sdk[0].min, "3.0");
    assert_eq!(p.clients.legacy_devices, ["Galaxy S5"]);
    p.clients = ClientPolicy::default().with_min_sdk("ios", "newest");
    assert_eq!(p.validate().unwrap_err().kind(), ErrorKind::Invalid);
}
