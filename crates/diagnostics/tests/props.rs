//! Property tests: any valid request yields no panic, and every finding, gap and score window
//! lies inside the requested range, in a deterministic order.

use chrono::TimeDelta;
use mediameter_core::{Role, TimeRange};
use mediameter_diagnostics::{DiagnosisRequest, Profile, SampleInput, diagnose, render_report};
use proptest::prelude::*;

use crate::common::*;

/// Quarters are exact in binary and in decimal, so JSON round trips compare equal.
fn q(max: u32) -> impl Strategy<Value = f64> {
    (0..=max * 4).prop_map(|x| f64::from(x) / 4.0)
}

fn sample_at(ms: i64) -> impl Strategy<Value = SampleInput> {
    let tiers = prop::sample::select(vec!["360p", "720p", "≤1080P", "2k", "4k"]);
    (
        prop::option::of(q(200)),
        prop::option::of(tiers),
        prop::option::of(q(5000)),
        prop::option::of(prop_oneof![Just(0.0), q(60)]),
        prop_oneof![Just(0.0), Just(100.0), q(100)],
        prop_oneof![Just(0.0), q(3000)],
        prop::option::of(q(500)),
    )
        .prop_map(move |(audio, tier, video, fps, loss, rtt, jitter)| {
            let mut s = SampleInput::new(t0() + TimeDelta::milliseconds(ms), loss, rtt);
            s.audio_kbps = audio;
            s.video_tier = tier.map(str::to_owned);
            s.video_kbps = video;
            s.fps = fps;
            s.jitter_ms = jitter;
            s
        })
}

/// Samples at increasing times inside `[0, range_ms)`: steps of 200 ms to 20 s.
fn samples(range_ms: i64) -> impl Strategy<Value = Vec<SampleInput>> {
    prop::collection::vec(200i64..20_000, 0..400).prop_flat_map(move |steps| {
        let mut t = 0i64;
        let times: Vec<i64> = steps
            .into_iter()
            .map_while(|d| {
                let now = t;
                t += d;
                (now < range_ms).then_some(now)
            })
            .collect();
        times.into_iter().map(sample_at).collect::<Vec<_>>()
    })
}

fn request_strategy() -> impl Strategy<Value = DiagnosisRequest> {
    (1i64..=3600).prop_flat_map(|secs| {
        let range_ms = secs * 1000;
        prop::collection::vec(
            (
                any::<bool>(),
                samples(range_ms),
                prop::sample::select(vec!["1.0.0", "2.5.1", "x", "3"]),
            ),
            1..4,
        )
        .prop_map(move |parts| {
            let participants = parts
                .into_iter()
                .enumerate()
                .map(|(i, (is_pub, samples, sdk))| {
                    let mut p = participant(
                        &format!("u{i}"),
                        if is_pub {
                            Role::Publish
                        } else {
                            Role::Subscribe
                        },
                        samples,
                    );
                    p.client.sdk_version = sdk.to_owned();
                    p
                })
                .collect();
            let mut req = request(secs, participants);
            req.range = TimeRange::new(t0(), at(secs)).unwrap();
            req
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn valid_input_never_panics_and_stays_in_range(req in request_strategy(), which in 0usize..3) {
        let profile = [Profile::sensitive(), Profile::default(), Profile::tolerant()][which].clone();
        let call = req.validate().unwrap();
        let d = diagnose(&call, &profile).unwrap();
        let range = req.range;
        for f in &d.findings {
            prop_assert!(range.contains_range(&f.window), "{} outside {}", f.window, range);
            prop_assert!(!f.explanation.is_empty() && !f.test.is_empty());
            if let Some(e) = &f.escalation {
                prop_assert!(range.contains_range(&e.window));
            }
        }
        for g in &d.gaps {
            prop_assert!(range.contains_range(&g.window));
        }
        for s in &d.scores {
            for w in &s.windows {
                prop_assert!(range.contains_range(&w.window));
                prop_assert!((1.0..=4.5).contains(&w.mos));
            }
        }
        let keys: Vec<_> = d.findings.iter().map(|f| (f.window.start(), f.window.end(), f.kind)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
        // A letter exactly when some participant has a sample; none ("not enough data") otherwise.
        let sampled = call.participants().iter().any(|p| !p.samples().is_empty());
        match d.grade.letter {
            Some(l) => prop_assert!(sampled && ('A'..='E').contains(&l)),
            None => prop_assert!(!sampled),
        }
        // Deterministic, and the report renders.
        prop_assert_eq!(&diagnose(&call, &profile).unwrap(), &d);
        prop_assert!(render_report(&call, &d).contains("Grade"));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn json_round_trip_of_requests(req in request_strategy()) {
        let json = serde_json::to_string(&req).unwrap();
        let back: DiagnosisRequest = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.validate().unwrap(), req.validate().unwrap());
    }
}
