//! One synthetic call per case of the Alibaba Cloud RTC console guide §5.1 "common problems", each
//! asserting the exact findings (kind, side, user, window in seconds from the start).

use mediameter_core::Role;
use mediameter_diagnostics::{
    Diagnosis, DiagnosisRequest, FindingKind, Profile, Severity, diagnose, render_report,
};

use crate::common::*;

fn run(req: &DiagnosisRequest) -> Diagnosis {
    let call = req.validate().unwrap();
    let d = diagnose(&call, &Profile::default()).unwrap();
    println!("{}", render_report(&call, &d));
    d
}

#[test]
fn healthy_call_has_no_findings() {
    let d = run(&healthy_pair(600));
    assert_eq!(summary(&d), []);
    assert!(d.gaps.is_empty());
    assert_eq!(d.grade.letter, Some('A'));
    assert_eq!(d.scores.len(), 1);
    assert_eq!(d.scores[0].windows.len(), 60);
}

#[test]
fn old_sdk() {
    // Case 1: "an old device or SDK version lowers quality".
    let mut req = healthy_pair(600);
    req.participants[0].client.sdk_version = "1.8.3".to_owned();
    let d = run(&req);
    assert_eq!(summary(&d), [s("outdated_sdk", "client", "u1", 0, 600)]);
    let f = &d.findings[0];
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.explanation.contains("1.8.3"), "{}", f.explanation);
    assert_eq!(d.grade.letter, Some('B'));
}

#[test]
fn lossy_uplink() {
    // Case 2: high loss on the publisher only: its uplink.
    let pub_ = series(11, 600, |t, mut s| {
        if (200..320).contains(&t) {
            s.loss_pct = Some(12.0 + 2.0 * noise(99, t));
        }
        s
    });
    let req = request(
        600,
        vec![
            participant("u1", Role::Publish, pub_),
            participant("u2", Role::Subscribe, series(22, 600, |_, s| s)),
        ],
    );
    let d = run(&req);
    assert_eq!(
        summary(&d),
        [s("high_loss", "publisher uplink", "u1", 200, 320)]
    );
    let f = &d.findings[0];
    assert!((f.value("loss_mean_pct").unwrap() - 12.0).abs() < 0.5);
    assert!(f.value("peer_loss_mean_pct").unwrap() < 1.0);
    assert!(
        f.explanation.contains("publisher's uplink"),
        "{}",
        f.explanation
    );
}

#[test]
fn rtt_level_shift() {
    // Case 2: "an abnormal RTT trend": the subscriber's RTT steps from 60 to 180 ms.
    let sub = series(22, 600, |t, mut s| {
        if t >= 300 {
            s.rtt_ms = s.rtt_ms.map(|r| r + 120.0);
        }
        s
    });
    let req = request(
        600,
        vec![
            participant("u1", Role::Publish, series(11, 600, |_, s| s)),
            participant("u2", Role::Subscribe, sub),
        ],
    );
    let d = run(&req);
    assert_eq!(
        summary(&d),
        [s("rtt_level_shift", "subscriber downlink", "u2", 300, 600)]
    );
    let f = &d.findings[0];
    assert!((f.value("shift_ms").unwrap() - 120.0).abs() < 5.0);
}

#[test]
fn jitter_with_adaptation() {
    // Case 3: a short, medium swing; the sender lowers bitrate and resolution: expected.
    let shape = |t: i64, mut s: mediameter_diagnostics::SampleInput| {
        if (200..206).contains(&t) {
            s.loss_pct = Some(6.0);
            s.rtt_ms = Some(140.0);
        }
        if (203..263).contains(&t) {
            s.audio_kbps = Some(24.0);
            s.video_tier = Some("360p".to_owned());
            s.video_kbps = Some(450.0);
        }
        s
    };
    let sub_shape = |t: i64, mut s: mediameter_diagnostics::SampleInput| {
        if (203..263).contains(&t) {
            s.audio_kbps = Some(24.0);
            s.video_tier = Some("360p".to_owned());
            s.video_kbps = Some(450.0);
        }
        s
    };
    let req = request(
        600,
        vec![
            participant("u1", Role::Publish, series(11, 600, shape)),
            participant("u2", Role::Subscribe, series(22, 600, sub_shape)),
        ],
    );
    let d = run(&req);
    assert_eq!(
        summary(&d),
        [s("expected_adaptation", "publisher uplink", "u1", 200, 206)]
    );
    assert_eq!(d.findings[0].severity, Severity::Info);
    assert_eq!(d.grade.letter, Some('A'));
}

#[test]
fn extreme_surge() {
    // Case 3: "extreme surges hurt quality outright".
    let sub = series(22, 600, |t, mut s| {
        if (300..305).contains(&t) {
            s.loss_pct = Some(35.0);
            s.rtt_ms = Some(900.0);
        }
        s
    });
    let req = request(
        600,
        vec![
            participant("u1", Role::Publish, series(11, 600, |_, s| s)),
            participant("u2", Role::Subscribe, sub),
        ],
    );
    let d = run(&req);
    assert_eq!(
        summary(&d),
        [s("network_surge", "subscriber downlink", "u2", 300, 305)]
    );
    assert_eq!(d.findings[0].severity, Severity::Warning);
}

#[test]
fn unexplained_disagreement() {
    // Case 4: everything normal on both ends, but the subscriber receives much less.
    let sub = series(22, 600, |t, mut s| {
        if (200..320).contains(&t) {
            s.audio_kbps = Some(18.0);
            s.video_kbps = Some(450.0);
        }
        s
    });
    let req = request(
        600,
        vec![
            participant("u1", Role::Publish, series(11, 600, |_, s| s)),
            participant("u2", Role::Subscribe, sub),
        ],
    );
    let d = run(&req);
    assert_eq!(
        summary(&d),
        [s("unexplained_disagreement", "both sides", "u2", 200, 320)]
    );
    let f = &d.findings[0];
    assert_eq!(f.kind, FindingKind::UnexplainedDisagreement);
    let e = f.escalation.as_ref().unwrap();
    assert_eq!(
        (e.app_id.as_str(), e.channel_id.as_str()),
        ("app-demo", "room-7")
    );
    assert_eq!((e.publisher.as_str(), e.subscriber.as_str()), ("u1", "u2"));
    assert_eq!(e.window, f.window);
    assert!(
        e.evidence.iter().any(|l| l.starts_with("audio:")),
        "{:?}",
        e.evidence
    );
}
