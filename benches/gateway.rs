//! `mediameter-gateway`: join tokens and the query-string parser the layer runs per request.

use chrono::{DateTime, TimeDelta};
use criterion::{Criterion, Throughput, black_box};
use mediameter_gateway::token::{AppKey, Binding, Keyring, TokenVerifier};
use mediameter_query::qs::{self, Encoding, QsLimits};

pub fn define(c: &mut Criterion) {
    let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let ring = Keyring::new(AppKey::from_secret(1, [7; 32]));
    let token = ring
        .issue("demo-app", "room-1", "alice", now + TimeDelta::minutes(10))
        .unwrap()
        .to_string();
    let who = Binding::new("demo-app", "room-1", "alice");

    let mut g = c.benchmark_group("gateway/token");
    g.throughput(Throughput::Elements(1));
    // Decode, parse, HMAC-SHA256 in constant time, expiry and binding (no replay cache).
    g.bench_function("verify", |b| {
        b.iter(|| {
            let claims = ring
                .check(black_box(&token), &who, now, TimeDelta::seconds(30))
                .unwrap();
            assert_eq!(claims.user(), "alice");
        });
    });
    // A tampered token is refused at the same cost (the signature is always computed).
    // The last character is inside the signature: the layout parses, the HMAC is computed.
    let mut bad = token.clone();
    let last = token.len() - 2;
    bad.replace_range(
        last..last + 1,
        if &token[last..last + 1] == "A" {
            "B"
        } else {
            "A"
        },
    );
    g.bench_function("verify-tampered", |b| {
        b.iter(|| {
            assert!(
                ring.check(black_box(&bad), &who, now, TimeDelta::seconds(30))
                    .is_err()
            );
        });
    });
    g.bench_function("issue", |b| {
        b.iter(|| {
            let t = ring
                .issue(black_box("demo-app"), "room-1", "alice", now)
                .unwrap();
            assert_eq!(t.key_id(), 1);
        });
    });
    // With the replay cache: each iteration verifies a fresh token (issued outside the timing
    // in batches), the cache sized for all of them.
    let verifier = TokenVerifier::new(ring.clone(), 1 << 22);
    g.bench_function("verify+replay", |b| {
        b.iter_batched(
            || {
                verifier
                    .issue("demo-app", "room-1", "alice", now + TimeDelta::minutes(10))
                    .unwrap()
                    .to_string()
            },
            |t| assert!(verifier.verify(black_box(&t), &who, now).is_ok()),
            criterion::BatchSize::SmallInput,
        );
    });
    g.finish();

    let limits = QsLimits::default();
    let query = "Action=ListOperationDistribution&Version=2020-12-01&AppId=demo-app&StartTime=2023-03-25T00:00:00%2B08:00&EndTime=2023-03-31T00:00:00%2B08:00&Indicator=user_num&Dimension=province";
    c.bench_function("gateway/qs/parse-7-params", |b| {
        b.iter(|| {
            let p = qs::parse(black_box(query.as_bytes()), Encoding::Query, &limits).unwrap();
            assert_eq!(p.len(), 7);
        });
    });
    let flood = "a=1&".repeat(10_000);
    c.bench_function("gateway/qs/refuse-40kb", |b| {
        b.iter(|| {
            assert!(qs::parse(black_box(flood.as_bytes()), Encoding::Query, &limits).is_err())
        });
    });
}
