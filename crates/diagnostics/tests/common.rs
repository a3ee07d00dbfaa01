//! Synthetic calls for the scenario tests: deterministic noise, one sample per second.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use mediameter_core::{Role, TimeRange, UserId};
use mediameter_diagnostics::{ClientInfo, DiagnosisRequest, ParticipantInput, SampleInput};

/// 2024-05-01T10:00:00Z.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap()
}

pub fn at(s: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(s)
}

/// Deterministic noise in [-1, 1] (splitmix64 of seed and index).
pub fn noise(seed: u64, i: i64) -> f64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(i as u64)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

/// A healthy 720p sample at second `s`.
pub fn healthy(seed: u64, s: i64) -> SampleInput {
    SampleInput::new(
        at(s),
        0.3 + 0.3 * noise(seed ^ 3, s),
        60.0 + 4.0 * noise(seed ^ 4, s),
    )
    .with_audio(48.0 + 2.0 * noise(seed, s))
    .with_video(
        "720p",
        1200.0 + 60.0 * noise(seed ^ 1, s),
        30.0 + noise(seed ^ 2, s),
    )
    .with_jitter(8.0 + 2.0 * noise(seed ^ 5, s))
}

pub fn participant(user: &str, role: Role, samples: Vec<SampleInput>) -> ParticipantInput {
    let os = if role == Role::Publish {
        "iOS 16.2"
    } else {
        "Android 13"
    };
    ParticipantInput::new(
        UserId::new(user).unwrap(),
        role,
        ClientInfo::new("2.5.1", os),
    )
    .with_samples(samples)
}

pub fn series(
    seed: u64,
    secs: i64,
    f: impl Fn(i64, SampleInput) -> SampleInput,
) -> Vec<SampleInput> {
    (0..secs).map(|s| f(s, healthy(seed, s))).collect()
}

pub fn request(secs: i64, participants: Vec<ParticipantInput>) -> DiagnosisRequest {
    DiagnosisRequest::new(
        "app-demo".parse().unwrap(),
        "room-7".parse().unwrap(),
        TimeRange::new(t0(), at(secs)).unwrap(),
        participants,
    )
}

/// A healthy publisher u1 and subscriber u2 over `secs` seconds.
pub fn healthy_pair(secs: i64) -> DiagnosisRequest {
    request(
        secs,
        vec![
            participant("u1", Role::Publish, series(11, secs, |_, s| s)),
            participant("u2", Role::Subscribe, series(22, secs, |_, s| s)),
        ],
    )
}

/// Findings as (kind, side, user, window start s, window end s) tuples for exact assertions.
pub fn summary(d: &mediameter_diagnostics::Diagnosis) -> Vec<(String, String, String, i64, i64)> {
    d.findings
        .iter()
        .map(|f| {
            (
                f.kind.to_string(),
                f.side.to_string(),
                f.user_id.to_string(),
                f.window.start().signed_duration_since(t0()).num_seconds(),
                f.window.end().signed_duration_since(t0()).num_seconds(),
            )
        })
        .collect()
}

pub fn s(kind: &str, side: &str, user: &str, a: i64, b: i64) -> (String, String, String, i64, i64) {
    (kind.to_owned(), side.to_owned(), user.to_owned(), a, b)
}
