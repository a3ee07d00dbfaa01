//! The call bundled with `mediameter demo`. The CLI embeds its own copy
//! (`crates/cli/data/diagnostics_call.json`, kept equal by the CLI's `shared_data` test); this
//! one lives here so that the crate's tests run from its published package.

use mediameter_diagnostics::{DiagnosisRequest, Profile, diagnose, render_report};

const DEMO: &str = include_str!("data/demo_call.json");

#[test]
fn demo_call_findings() {
    let req: DiagnosisRequest = serde_json::from_str(DEMO).unwrap();
    let call = req.validate().unwrap();
    let d = diagnose(&call, &Profile::default()).unwrap();
    println!("{}", render_report(&call, &d));
    let got: Vec<_> = d
        .findings
        .iter()
        .map(|f| {
            (
                f.kind.as_str(),
                f.side.to_string(),
                f.user_id.to_string(),
                f.window.start().format("%H:%M:%S").to_string(),
                f.window.end().format("%H:%M:%S").to_string(),
            )
        })
        .collect();
    let want = [
        ("outdated_sdk", "client", "u2003", "10:00:00", "10:10:00"),
        (
            "high_loss",
            "publisher uplink",
            "u1001",
            "10:02:00",
            "10:04:00",
        ),
        (
            "rtt_level_shift",
            "subscriber downlink",
            "u2002",
            "10:05:00",
            "10:10:00",
        ),
        (
            "expected_adaptation",
            "publisher uplink",
            "u1001",
            "10:06:40",
            "10:06:46",
        ),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|&(k, s, u, a, b)| (k, s.to_owned(), u.to_owned(), a.to_owned(), b.to_owned()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(d.gaps.len(), 1);
    assert_eq!(d.gaps[0].user_id.as_str(), "u2003");
    assert_eq!(d.gaps[0].window.seconds(), 40);
    assert_eq!(d.scores.len(), 2);
    assert_eq!(d.grade.letter, Some('D'));
    // The main problem is the one that overlaps the worst audio: the publisher's loss.
    assert!(
        d.grade
            .summary
            .contains("Main problem: Publisher u1001 between 10:02:00"),
        "{}",
        d.grade.summary
    );
}
