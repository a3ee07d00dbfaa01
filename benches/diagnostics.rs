//! Benchmarks of mediameter-diagnostics: analysing one hour of 1 Hz samples (targets of issue 5:
//! one publisher/subscriber pair ≤ 200 µs, one publisher and 50 subscribers ≤ 10 ms).
//!
//! The publisher loses 12 % of packets for two minutes and every RTT steps up by 120 ms after
//! 2000 s, so the detectors do real work; each run asserts the loss finding and the pair count.

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{Criterion, black_box};
use mediameter_core::{Role, TimeRange, UserId};
use mediameter_diagnostics::{
    ClientInfo, DiagnosisRequest, FindingKind, ParticipantInput, Profile, SampleInput, diagnose,
};

/// Deterministic noise in [-1, 1].
fn noise(seed: u64, i: i64) -> f64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(i.unsigned_abs())
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    f64::from(u32::try_from(z >> 32).unwrap_or(0)) / f64::from(u32::MAX) * 2.0 - 1.0
}

pub(crate) fn participant(user: &str, role: Role, seed: u64, lossy: bool) -> ParticipantInput {
    let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
    let samples = (0..3600i64)
        .map(|s| {
            let loss = if lossy && (1000..1120).contains(&s) {
                12.0
            } else {
                0.3 + 0.3 * noise(seed ^ 3, s)
            };
            let rtt = 60.0 + 4.0 * noise(seed ^ 4, s) + if s > 2000 { 120.0 } else { 0.0 };
            SampleInput::new(t0 + TimeDelta::seconds(s), loss, rtt)
                .with_audio(48.0 + 2.0 * noise(seed, s))
                .with_video(
                    "720p",
                    1200.0 + 60.0 * noise(seed ^ 1, s),
                    30.0 + noise(seed ^ 2, s),
                )
                .with_jitter(8.0 + 2.0 * noise(seed ^ 5, s))
        })
        .collect();
    ParticipantInput::new(
        UserId::new(user).expect("valid user id"),
        role,
        ClientInfo::new("2.5.1", "iOS 16.2"),
    )
    .with_samples(samples)
}

pub(crate) fn request(subscribers: u64) -> DiagnosisRequest {
    let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
    let mut participants = vec![participant("pub", Role::Publish, 1, true)];
    for k in 0..subscribers {
        participants.push(participant(
            &format!("sub{k}"),
            Role::Subscribe,
            100 + k,
            false,
        ));
    }
    DiagnosisRequest::new(
        "bench-app".parse().expect("valid app id"),
        "bench-room".parse().expect("valid channel id"),
        TimeRange::new(t0, t0 + TimeDelta::hours(1)).expect("one hour"),
        participants,
    )
}

/// Registers the benchmarks of this crate.
pub fn define(c: &mut Criterion) {
    let profile = Profile::default();
    for (name, subs) in [("1h-1pub-1sub", 1u64), ("1h-1pub-50sub", 50)] {
        let req = request(subs);
        let call = req.validate().expect("bench request is valid");
        c.bench_function(&format!("diagnostics/analyse/{name}"), |b| {
            b.iter(|| {
                let d = diagnose(black_box(&call), black_box(&profile))
                    .expect("default profile is valid");
                assert_eq!(d.of_kind(FindingKind::HighLoss).count(), 1);
                assert_eq!(d.scores.len(), usize::try_from(subs).unwrap_or(0));
                d
            });
        });
    }
    let req = request(1);
    c.bench_function("diagnostics/validate/1h-1pub-1sub", |b| {
        b.iter(|| {
            let call = black_box(&req).validate().expect("bench request is valid");
            assert_eq!(call.participants().len(), 2);
            call
        });
    });
}
