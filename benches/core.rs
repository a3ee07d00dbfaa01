//! Benchmarks of mediameter-core: bucket splitting and money arithmetic.
//!
//! Targets (issue 2): splitting one segment that lies inside one hour bucket at ≥ 50 M
//! segments/s on one core, linear in the number of buckets touched; money multiply + round at
//! ≥ 20 M operations/s.

use criterion::{BenchmarkId, Criterion, Throughput, black_box};
use mediameter_core::{BillingZone, Buckets, Currency, Granularity, Money, Rounding, TimeRange};
use rust_decimal::Decimal;

const N: usize = 100_000;

/// Deterministic ranges: starts spread over a week, each spanning `buckets` hour buckets when
/// `buckets > 1`, and lying inside one bucket otherwise.
fn ranges(buckets: i64) -> Vec<TimeRange> {
    let t0: i64 = 1_699_977_600; // a midnight in GMT+8
    (0..N as i64)
        .map(|i| {
            let hour = t0 + (i * 7919 % (7 * 24)) * 3600;
            let (start, end) = if buckets == 1 {
                let s = hour + (i * 13) % 1800;
                (s, s + 1 + (i * 31) % 1700)
            } else {
                (hour + 1800, hour + 1800 + (buckets - 1) * 3600)
            };
            TimeRange::from_unix(start, end).expect("valid bench range")
        })
        .collect()
}

/// Registers the benchmarks of this crate.
pub fn define(c: &mut Criterion) {
    let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);

    let mut g = c.benchmark_group("core/split");
    for buckets in [1_i64, 2, 8, 24] {
        let input = ranges(buckets);
        let expected: u64 = input.iter().map(TimeRange::seconds).sum();
        g.throughput(Throughput::Elements(N as u64));
        g.bench_with_input(
            BenchmarkId::new("pieces", format!("{buckets}-buckets")),
            &input,
            |b, input| {
                b.iter(|| {
                    let mut total = 0_u64;
                    let mut pieces = 0_u64;
                    for r in black_box(input) {
                        for p in hours.split(*r) {
                            total += p.seconds();
                            pieces += 1;
                        }
                    }
                    assert_eq!(total, expected);
                    assert!(pieces >= N as u64 * buckets as u64 - N as u64);
                    total
                });
            },
        );
        let spans: Vec<(i64, i64)> = input
            .iter()
            .map(|r| (r.start().timestamp(), r.end().timestamp()))
            .collect();
        g.bench_with_input(
            BenchmarkId::new("seconds", format!("{buckets}-buckets")),
            &spans,
            |b, spans| {
                b.iter(|| {
                    let mut total = 0_u64;
                    for &(s, e) in black_box(spans) {
                        for (_, secs) in hours.split_seconds(s, e) {
                            total += secs;
                        }
                    }
                    assert_eq!(total, expected);
                    total
                });
            },
        );
    }
    g.finish();

    let mut g = c.benchmark_group("core/money");
    let prices: Vec<Money> = (0..N as i64)
        .map(|i| Money::new(Decimal::new(1_000 + i % 50_000, 4), Currency::CNY))
        .collect();
    let quantities: Vec<Decimal> = (0..N as i64)
        .map(|i| Decimal::new(1 + i % 3_600, 0))
        .collect();
    g.throughput(Throughput::Elements(N as u64));
    let expected: Vec<Money> = prices
        .iter()
        .zip(&quantities)
        .map(|(p, q)| {
            Money::new(
                (p.amount() * q).round_dp_with_strategy(
                    2,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                ),
                Currency::CNY,
            )
        })
        .collect();
    let mut out = vec![Money::zero(Currency::CNY); N];
    g.bench_function("mul-round/100k", |b| {
        b.iter(|| {
            for ((p, q), o) in black_box(&prices)
                .iter()
                .zip(black_box(&quantities))
                .zip(out.iter_mut())
            {
                *o = p
                    .checked_mul(*q)
                    .expect("no overflow at bench sizes")
                    .round(Rounding::CENTS_HALF_UP);
            }
            assert_eq!(out[N - 1], expected[N - 1]);
            assert_eq!(out[N / 2], expected[N / 2]);
            assert_eq!(out[1], expected[1]);
        });
    });
    g.finish();
}
