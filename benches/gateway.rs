//! `mediameter-gateway`: join tokens, the query-string parser the layer runs per request, and
//! the layer itself called in process (no network), against the same inner service without it.

use chrono::{DateTime, TimeDelta};
use criterion::{Criterion, Throughput, black_box};
use mediameter_gateway::token::{AppKey, Binding, Keyring, TokenVerifier};
use mediameter_query::qs::{self, Encoding, QsLimits};
use tower::Layer;

#[path = "../crates/gateway/examples/support/mod.rs"]
mod support;

use support::{Handler, call, room_list_gateway};

fn layer(c: &mut Criterion) {
    let now = "2021-04-23T10:00:00Z".parse().unwrap();
    let layer = room_list_gateway(now);
    let uri = "/v1/p1/rtc/rooms?app=603f71bdfa163e500aff1106c8xxxxxx&state=RUNNING&start_time=2021-04-23T09:00:00Z&end_time=2021-04-23T10:00:00Z&limit=5&offset=0";
    let mut g = c.benchmark_group("gateway/layer");
    g.throughput(Throughput::Elements(1));
    let mut without = Handler("2");
    g.bench_function("without", |b| {
        b.iter(|| assert_eq!(call(&mut without, black_box(uri)).body(), "2"));
    });
    let mut with = layer.layer(Handler("2"));
    g.bench_function("huawei-rooms", |b| {
        b.iter(|| assert_eq!(call(&mut with, black_box(uri)).body(), "5"));
    });
    let bad = "/v1/p1/rtc/rooms?state=OPEN";
    g.bench_function("huawei-rooms-refused", |b| {
        b.iter(|| assert_eq!(call(&mut with, black_box(bad)).status(), 400));
    });
    g.finish();
}

pub fn define(c: &mut Criterion) {
    layer(c);
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
