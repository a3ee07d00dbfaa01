//! Benchmarks of mediameter-query.
//!
//! * `query/validate/producer-usage`: a typical `DescribeLiveProducerUsageData` query (target
//!   at least 2 M validations/s on one core, i.e. at most 500 ns each).
//! * `query/validate/producer-usage-rejected`: the same query with an end before its start,
//!   including building the rejection.
//! * `query/validate/1mb-param`: a 1 MB `StartTime`, refused by the length check (target: microseconds).
//! * `query/parse/utc-seconds`, `query/parse/rfc3339`: the time parsers alone.
//! * `query/rate/decision`: one GCRA decision for a known caller (target at most 100 ns).
//! * `query/perm/evaluate`: one policy evaluation.

// A bench that fails is a failed bench, not a crash in a caller's service: unwrap, index and
// count freely here. `define` is `pub` by the benches' contract with main.rs.
#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation
)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, black_box};
use mediameter_query::RateSpec;
use mediameter_query::rate::RateLimiter;
use mediameter_query::{Leniency, TimeFormat, parse_time};
use mediameter_query::{Options, builtin, perm, validate};

/// Registers the benchmarks of this crate.
pub fn define(c: &mut Criterion) {
    let profile = builtin::describe_live_producer_usage_data();
    let now = Utc.with_ymd_and_hms(2018, 11, 1, 0, 0, 0).unwrap();
    let options = Options::default();
    let typical = [
        ("Region", "cn-shanghai,cn-beijing"),
        ("SplitBy", "domain,type"),
        ("StartTime", "2018-09-30T16:00:00Z"),
        ("EndTime", "2018-10-31T15:59:59Z"),
        ("Interval", "3600"),
    ];
    c.bench_function("query/validate/producer-usage", |b| {
        b.iter(|| {
            let q = validate(
                black_box(&profile),
                black_box(&typical),
                black_box(now),
                &options,
            )
            .unwrap();
            assert_eq!(q.values().len(), 5);
            q.range().unwrap().seconds()
        });
    });

    let reversed = [
        ("StartTime", "2018-10-31T15:59:59Z"),
        ("EndTime", "2018-09-30T16:00:00Z"),
    ];
    c.bench_function("query/validate/producer-usage-rejected", |b| {
        b.iter(|| {
            let err = validate(
                black_box(&profile),
                black_box(&reversed),
                black_box(now),
                &options,
            )
            .unwrap_err();
            assert_eq!(err.rejection().unwrap().code(), "InvalidEndTime.Mismatch");
        });
    });

    let huge = "2".repeat(1 << 20);
    let huge_input = [("StartTime", huge.as_str())];
    c.bench_function("query/validate/1mb-param", |b| {
        b.iter(|| {
            let err = validate(
                black_box(&profile),
                black_box(&huge_input),
                black_box(now),
                &options,
            )
            .unwrap_err();
            assert_eq!(
                err.rejection().unwrap().code(),
                "InvalidStartTime.Malformed"
            );
        });
    });

    c.bench_function("query/parse/utc-seconds", |b| {
        b.iter(|| {
            let t = parse_time(
                black_box("2018-10-31T15:59:59Z"),
                TimeFormat::UtcSeconds,
                Leniency::STRICT,
            )
            .unwrap();
            assert_eq!(t.instant().timestamp(), 1_541_001_599);
        });
    });
    c.bench_function("query/parse/rfc3339", |b| {
        b.iter(|| {
            let t = parse_time(
                black_box("2021-07-24T00:00:00+08:00"),
                TimeFormat::Rfc3339,
                Leniency::STRICT,
            )
            .unwrap();
            assert_eq!(t.offset_minutes(), 480);
        });
    });

    let mut limiter = RateLimiter::new(100_000);
    limiter
        .set_limit("ListOperationDistribution", RateSpec::new(2, 1))
        .unwrap();
    let callers: Vec<String> = (0..1000).map(|i| format!("app-{i:04}")).collect();
    let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let mut tick = 0_i64;
    c.bench_function("query/rate/decision", |b| {
        b.iter(|| {
            // Each of 1,000 known callers every 1 ms: every one is 1 request per second, allowed.
            tick += 1;
            let caller = &callers[(tick % 1000) as usize];
            let d = limiter.check(
                black_box(caller),
                black_box("ListOperationDistribution"),
                start + TimeDelta::milliseconds(tick),
            );
            assert!(d.allowed);
        });
    });

    let policies = [
        perm::read_only_access("live").expect("a valid policy"),
        perm::allow_apps("team", &["rtc:*"], &["app-1", "team-*"]).expect("a valid policy"),
        perm::cts_administrator(),
    ];
    c.bench_function("query/perm/evaluate", |b| {
        b.iter(|| {
            let a = perm::check(
                black_box(&policies),
                black_box("rtc:room:list"),
                black_box(Some("team-42")),
            );
            assert!(a.is_allowed());
        });
    });
}
