//! Each remaining detector on a synthetic call, plus attribution, hysteresis, gaps and
//! determinism.

use mediameter_core::{RegionId, Role};
#[cfg_attr(not(feature = "serde"), allow(unused_imports))] // FindingKind: JSON tests only
use mediameter_diagnostics::{
    Diagnosis, DiagnosisRequest, FindingKind, GROUP_MAX_SECONDS, MAX_LISTED_OCCURRENCES, Profile,
    SampleInput, Severity, diagnose,
};

use crate::common::*;

fn run_with(req: &DiagnosisRequest, profile: &Profile) -> Diagnosis {
    diagnose(&req.validate().unwrap(), profile).unwrap()
}

fn run(req: &DiagnosisRequest) -> Diagnosis {
    run_with(req, &Profile::default())
}

fn pair(
    secs: i64,
    p: impl Fn(i64, SampleInput) -> SampleInput,
    q: impl Fn(i64, SampleInput) -> SampleInput,
) -> DiagnosisRequest {
    request(
        secs,
        vec![
            participant("u1", Role::Publish, series(11, secs, p)),
            participant("u2", Role::Subscribe, series(22, secs, q)),
        ],
    )
}

fn id(_: i64, s: SampleInput) -> SampleInput {
    s
}

#[test]
fn high_rtt_on_both_ends_is_attributed_to_both() {
    let high = |t: i64, mut s: SampleInput| {
        if (100..160).contains(&t) {
            s.rtt_ms = Some(420.0);
        }
        s
    };
    let d = run(&pair(600, high, high));
    let kinds: Vec<_> = summary(&d)
        .into_iter()
        .filter(|f| f.0 == "high_rtt")
        .collect();
    assert_eq!(
        kinds,
        [
            s("high_rtt", "both sides", "u1", 100, 160),
            s("high_rtt", "both sides", "u2", 100, 160)
        ]
    );
}

#[test]
fn critical_loss_is_critical() {
    let d = run(&pair(
        600,
        |t, mut s| {
            if (100..200).contains(&t) {
                s.loss_pct = Some(30.0);
            }
            s
        },
        id,
    ));
    assert_eq!(
        summary(&d),
        [s("high_loss", "publisher uplink", "u1", 100, 200)]
    );
    assert_eq!(d.findings[0].severity, Severity::Critical);
    assert_eq!(d.grade.letter, Some('E'));
}

#[test]
fn hysteresis_keeps_one_episode_while_loss_hovers() {
    // Loss alternates between 6 % and 4 %: above the 3 % exit threshold, so one episode.
    let d = run(&pair(
        600,
        |t, mut s| {
            if (100..200).contains(&t) {
                s.loss_pct = Some(if t % 2 == 0 { 6.0 } else { 4.0 });
            }
            s
        },
        id,
    ));
    assert_eq!(
        summary(&d),
        [s("high_loss", "publisher uplink", "u1", 100, 200)]
    );
}

#[test]
fn short_high_loss_below_minimum_duration_is_not_high_loss() {
    let d = run(&pair(
        600,
        |t, mut s| {
            if (100..108).contains(&t) {
                s.loss_pct = Some(8.0);
            }
            s
        },
        id,
    ));
    // 8 s < 10 s: a swing (no downgrade after it), not a sustained problem.
    assert_eq!(
        summary(&d),
        [s("network_jitter", "publisher uplink", "u1", 100, 108)]
    );
}

#[test]
fn rtt_drift() {
    let d = run(&pair(600, id, |t, mut s| {
        if t >= 200 {
            s.rtt_ms = s.rtt_ms.map(|r| r + (t - 200) as f64 * 0.4); // +160 ms over 400 s
        }
        s
    }));
    let f: Vec<_> = summary(&d);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str(), f[0].2.as_str(), f[0].4),
        ("rtt_drift", "subscriber downlink", "u2", 600)
    );
    assert!(f[0].3 >= 200 && f[0].3 <= 330, "{f:?}");
}

#[test]
fn freeze_fps_collapse_and_low_bitrate_on_the_publisher() {
    let d = run(&pair(
        600,
        |t, mut s| {
            if (100..106).contains(&t) {
                s.fps = Some(0.0);
            }
            if (200..230).contains(&t) {
                s.fps = Some(8.0);
            }
            if (300..360).contains(&t) {
                s.video_kbps = Some(150.0);
            }
            s
        },
        // The subscriber shows the same freeze and collapse: inherited, reported once.
        |t, mut s| {
            if (100..106).contains(&t) {
                s.fps = Some(0.0);
            }
            if (200..230).contains(&t) {
                s.fps = Some(8.0);
            }
            if (300..360).contains(&t) {
                s.video_kbps = Some(150.0);
            }
            s
        },
    ));
    assert_eq!(
        summary(&d),
        [
            s("freeze", "publisher uplink", "u1", 100, 106),
            s("fps_collapse", "publisher uplink", "u1", 200, 230),
            s("low_video_bitrate", "publisher uplink", "u1", 300, 360),
        ]
    );
    assert_eq!(d.findings[0].value("freeze_ms"), Some(6000.0));
}

#[test]
fn subscriber_only_freeze_is_on_the_downlink() {
    let d = run(&pair(600, id, |t, mut s| {
        if (100..103).contains(&t) {
            s.fps = Some(0.0);
        }
        s
    }));
    assert_eq!(
        summary(&d),
        [s("freeze", "subscriber downlink", "u2", 100, 103)]
    );
}

#[test]
fn old_device_and_poor_region() {
    let mut req = healthy_pair(120);
    req.participants[1].client.os = "Android 6.0".to_owned();
    req.participants[1].client.device_model = Some("Galaxy S5".to_owned());
    req.participants[1].client.region = Some(RegionId::new("xx-remote").unwrap());
    let mut profile = Profile::default();
    profile.clients.poor_regions.push("XX-REMOTE".to_owned());
    let d = run_with(&req, &profile);
    assert_eq!(
        summary(&d),
        [
            s("outdated_device", "client", "u2", 0, 120),
            s("poor_network_region", "subscriber downlink", "u2", 0, 120)
        ]
    );
    profile.clients.legacy_devices.push("galaxy s5".to_owned());
    let d = run_with(&req, &profile);
    assert!(
        d.findings[0].explanation.contains("legacy list"),
        "{}",
        d.findings[0].explanation
    );
}

#[test]
fn sdk_minimum_is_per_platform() {
    let mut req = healthy_pair(120);
    req.participants[0].client.sdk_version = "2.3.0".to_owned();
    let mut profile = Profile::default();
    profile
        .clients
        .min_sdk
        .push(mediameter_diagnostics::MinVersion::new("ios", "2.4"));
    let d = run_with(&req, &profile);
    assert_eq!(summary(&d), [s("outdated_sdk", "client", "u1", 0, 120)]);
    // The Android subscriber on 2.5.1 passes the generic minimum.
    req.participants[0].client.sdk_version = "2.10.0".to_owned();
    assert_eq!(summary(&run_with(&req, &profile)), []);
}

#[test]
fn unreadable_versions_become_notes() {
    let mut req = healthy_pair(60);
    req.participants[0].client.sdk_version = "nightly".to_owned();
    let d = run(&req);
    assert_eq!(summary(&d), []);
    assert_eq!(d.notes.len(), 1);
    assert!(d.notes[0].contains("nightly"));
}

#[test]
fn gaps_are_reported_not_filled() {
    // No samples between 100 s and 160 s, and none after 500 s.
    let mut req = healthy_pair(600);
    req.participants[0].samples.retain(|x| {
        let t = x.t.signed_duration_since(t0()).num_seconds();
        !(100..160).contains(&t) && t < 500
    });
    let d = run(&req);
    let gaps: Vec<_> = d
        .gaps
        .iter()
        .map(|g| {
            (
                g.user_id.to_string(),
                g.window.start().signed_duration_since(t0()).num_seconds(),
                g.window.end().signed_duration_since(t0()).num_seconds(),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        [("u1".to_owned(), 100, 160), ("u1".to_owned(), 500, 600)]
    );
    // No score windows are invented inside the gaps.
    let scored: Vec<i64> = d.scores[0]
        .windows
        .iter()
        .map(|w| w.window.start().signed_duration_since(t0()).num_seconds())
        .collect();
    assert!(!scored.contains(&110) && !scored.contains(&520));
    assert_eq!(summary(&d), []);
}

#[test]
fn participant_without_samples_is_one_gap() {
    let req = request(60, vec![participant("u1", Role::Publish, vec![])]);
    let d = run(&req);
    assert_eq!(d.gaps.len(), 1);
    assert_eq!(d.gaps[0].window.seconds(), 60);
}

#[cfg(feature = "serde")]
#[test]
fn output_is_deterministic() {
    let req = pair(
        900,
        |t, mut s| {
            if (100..200).contains(&t) {
                s.loss_pct = Some(9.0);
            }
            s
        },
        |t, mut s| {
            if t > 400 {
                s.rtt_ms = s.rtt_ms.map(|r| r + 150.0);
            }
            s
        },
    );
    let a = serde_json::to_string(&run(&req)).unwrap();
    let b = serde_json::to_string(&run(&req)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn publisher_loss_with_many_subscribers() {
    let secs = 300;
    let mut parts = vec![participant(
        "u1",
        Role::Publish,
        series(11, secs, |t, mut s| {
            if (100..130).contains(&t) {
                s.loss_pct = Some(10.0);
            }
            s
        }),
    )];
    for k in 0..5u64 {
        parts.push(participant(
            &format!("s{k}"),
            Role::Subscribe,
            series(100 + k, secs, id),
        ));
    }
    let d = run(&request(secs, parts));
    assert_eq!(
        summary(&d),
        [s("high_loss", "publisher uplink", "u1", 100, 130)]
    );
    assert_eq!(d.scores.len(), 5);
}

#[test]
fn profiles_change_what_is_reported() {
    let req = pair(
        600,
        |t, mut s| {
            if (100..130).contains(&t) {
                s.loss_pct = Some(4.0);
            }
            s
        },
        id,
    );
    assert_eq!(summary(&run_with(&req, &Profile::default())), []);
    let sensitive = run_with(&req, &Profile::sensitive());
    assert_eq!(
        summary(&sensitive),
        [s("high_loss", "publisher uplink", "u1", 100, 130)]
    );
    assert_eq!(summary(&run_with(&req, &Profile::tolerant())), []);
}

#[cfg(feature = "serde")]
#[test]
fn profiles_round_trip_through_json() {
    for p in [
        Profile::sensitive(),
        Profile::default(),
        Profile::tolerant(),
    ] {
        let json = serde_json::to_string(&p).unwrap();
        let back: Profile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }
    // A bad profile is refused when read, and by `diagnose` when set field by field.
    let err =
        serde_json::from_str::<Profile>(r#"{"name":"x","swing_z":9.0,"surge_z":8.0}"#).unwrap_err();
    assert!(err.to_string().contains("swing_z"), "{err}");
    let mut bad = Profile::default();
    bad.swing_z = 9.0;
    bad.surge_z = 8.0;
    let call = healthy_pair(30).validate().unwrap();
    assert_eq!(
        diagnose(&call, &bad).unwrap_err().kind(),
        mediameter_diagnostics::ErrorKind::Invalid
    );
}

#[cfg(feature = "serde")]
#[test]
fn findings_serialize_with_every_field() {
    let d = run(&pair(
        600,
        |t, mut s| {
            if (200..320).contains(&t) {
                s.loss_pct = Some(12.0);
            }
            s
        },
        id,
    ));
    let v = serde_json::to_value(&d).unwrap();
    let f = &v["findings"][0];
    for key in [
        "kind",
        "severity",
        "side",
        "user_id",
        "role",
        "window",
        "values",
        "test",
        "explanation",
    ] {
        assert!(f.get(key).is_some(), "missing {key}");
    }
    assert_eq!(f["kind"], "high_loss");
    assert_eq!(f["side"], "publisher_uplink");
    assert_eq!(v["scores"][0]["model"], "g107_2");
    assert!(v["grade"]["summary"].as_str().unwrap().starts_with("Grade"));
    assert_eq!(d.of_kind(FindingKind::HighLoss).count(), 1);
}

#[test]
fn healthy_call_is_quiet_under_every_profile() {
    for p in [
        Profile::sensitive(),
        Profile::default(),
        Profile::tolerant(),
    ] {
        let d = run_with(&healthy_pair(1800), &p);
        assert_eq!(summary(&d), [], "profile {}", p.name);
    }
}

#[test]
fn disagreement_with_an_outdated_end_is_explained_not_escalated() {
    let mut req = pair(600, id, |t, mut s| {
        if (200..320).contains(&t) {
            s.audio_kbps = Some(18.0);
        }
        s
    });
    req.participants[1].client.sdk_version = "1.0.0".to_owned();
    let d = run(&req);
    assert_eq!(summary(&d), [s("outdated_sdk", "client", "u2", 0, 600)]);
}

#[test]
fn subscriber_loss_is_on_the_downlink() {
    let d = run(&pair(600, id, |t, mut s| {
        if (50..80).contains(&t) {
            s.loss_pct = Some(9.0);
        }
        s
    }));
    assert_eq!(
        summary(&d),
        [s("high_loss", "subscriber downlink", "u2", 50, 80)]
    );
    assert!(
        d.findings[0].explanation.contains("subscriber's downlink"),
        "{}",
        d.findings[0].explanation
    );
}

/// Issue 16: a one-sample loss spike every 5 s for an hour is one grouped finding per kind and
/// participant, with the count of spikes and the first windows listed, not hundreds of lines.
#[test]
fn repeated_short_spikes_are_grouped_with_a_count_and_capped_windows() {
    let d = run(&pair(
        3600,
        |t, mut s| {
            if t % 5 == 0 && t > 0 {
                s.loss_pct = Some(25.0);
            }
            s
        },
        id,
    ));
    let mine: Vec<_> = d
        .findings
        .iter()
        .filter(|f| f.user_id.as_str() == "u1")
        .collect();
    assert!(!mine.is_empty());
    // One finding per kind on u1 (and per peer/side).
    let mut keys: Vec<_> = mine
        .iter()
        .map(|f| (f.kind, f.side, f.peer.clone()))
        .collect();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n, "{:#?}", d.findings);
    let spikes: usize = mine.iter().map(|f| f.count).sum();
    assert!(spikes >= 700, "the spikes are all counted: {spikes}");
    let g = mine.iter().max_by_key(|f| f.count).unwrap();
    assert!(g.count > MAX_LISTED_OCCURRENCES);
    assert_eq!(g.occurrences.len(), MAX_LISTED_OCCURRENCES);
    // The listed windows are the first ones, in order, each short, each holding a spike second.
    for w in g.occurrences.windows(2) {
        assert!(w[0].start() < w[1].start());
    }
    for w in &g.occurrences {
        assert!(w.seconds() <= GROUP_MAX_SECONDS);
        let a = w.start().signed_duration_since(t0()).num_seconds();
        let b = w.end().signed_duration_since(t0()).num_seconds();
        assert!((a..b).any(|t| t % 5 == 0), "{a}..{b}");
    }
    assert_eq!(g.window.start(), g.occurrences[0].start());
    assert!(
        g.explanation.contains(&format!("seen {} times", g.count)),
        "{}",
        g.explanation
    );
    assert!(
        g.explanation.contains("the first 20 listed"),
        "{}",
        g.explanation
    );
}

/// Two short findings stay separate: grouping starts at `GROUP_MIN_COUNT`.
#[test]
fn two_short_findings_are_not_grouped() {
    let d = run(&pair(
        600,
        |t, mut s| {
            if t == 200 || t == 400 {
                s.loss_pct = Some(25.0);
            }
            s
        },
        id,
    ));
    assert!(
        d.findings
            .iter()
            .all(|f| f.count == 1 && f.occurrences.is_empty())
    );
    assert!(d.findings.len() >= 2, "{:#?}", d.findings);
}

/// Issue 16: no participant, or participants without samples, get no grade, not "A good".
#[test]
fn a_call_without_samples_has_no_grade() {
    let empty = request(600, vec![]);
    let d = run(&empty);
    assert_eq!(d.grade.letter, None);
    assert_eq!(d.grade.label, "not enough data");
    assert!(
        d.grade.summary.contains("not enough data"),
        "{}",
        d.grade.summary
    );

    let silent = request(
        600,
        vec![
            participant("u1", Role::Publish, vec![]),
            participant("u2", Role::Subscribe, vec![]),
        ],
    );
    assert_eq!(run(&silent).grade.letter, None);
    // One sample is data: a healthy call with samples is graded.
    assert_eq!(run(&healthy_pair(60)).grade.letter, Some('A'));
}
