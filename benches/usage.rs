//! Benchmarks of mediameter-usage: aggregation passes over synthetic segments.

use criterion::{BenchmarkId, Criterion, Throughput, black_box};
use mediameter_core::{BillingZone, Granularity, MediaSpec, MinutePolicy, StreamSegment};
use mediameter_usage::{Aggregator, Dimension, DistinctMode, Metrics, UsageQuery, UsageReport};

const N: usize = 1_000_000;

/// One pass: every segment through the aggregator, then the report (durations, distinct
/// counts and peaks as the query asks).
fn pass(q: &UsageQuery, segs: &[StreamSegment]) -> UsageReport {
    let mut agg = Aggregator::new(q.clone()).unwrap_or_else(|_| std::process::abort());
    agg.extend(segs).unwrap_or_else(|_| std::process::abort());
    agg.report(MinutePolicy::CeilPerPeriod)
        .unwrap_or_else(|_| std::process::abort())
}

fn data() -> Vec<StreamSegment> {
    mediameter_testdata::segments(N, 7).unwrap_or_default()
}

/// Registers the benchmarks of this crate.
pub fn define(c: &mut Criterion) {
    let segs = data();
    assert_eq!(segs.len(), N);
    let expected_secs = segs
        .iter()
        .fold(0_u64, |a, s| a.saturating_add(s.range.seconds()));
    let mut g = c.benchmark_group("usage");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);

    let fast = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_split_by([Dimension::Region, Dimension::Spec])
        .with_metrics(Metrics::DURATIONS);
    g.bench_function(BenchmarkId::new("hour-split2-seconds", "1m"), |b| {
        b.iter(|| {
            let r = pass(black_box(&fast), black_box(&segs));
            assert_eq!(r.segments, N as u64);
            r
        });
    });
    // Check once that the pass conserves seconds, and that the fast report equals the
    // portable state's.
    let report = pass(&fast, &segs);
    let mut agg = Aggregator::new(fast.clone()).unwrap_or_else(|_| std::process::abort());
    agg.extend(&segs).unwrap_or_else(|_| std::process::abort());
    let st = agg.finish().unwrap_or_else(|_| std::process::abort());
    assert!(
        st.report(MinutePolicy::CeilPerPeriod)
            .is_ok_and(|r| r == report)
    );
    let total = report.totals.iter().fold(0_u64, |a, t| {
        a.saturating_add(t.publish_seconds.total())
            .saturating_add(t.subscribe_seconds.total())
    });
    assert_eq!(total, expected_secs);
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.subscribe_seconds[MediaSpec::Audio] <= 3600_u64.saturating_mul(N as u64))
    );

    let full =
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
    let full_report = pass(&full, &segs);
    assert!(
        full_report
            .rows
            .iter()
            .all(|r| r.peak_channels.is_some_and(|p| p > 0) && r.active_users.is_some())
    );
    g.bench_function(BenchmarkId::new("full-pass", "1m"), |b| {
        b.iter(|| {
            let r = pass(black_box(&full), black_box(&segs));
            assert_eq!(r.segments, N as u64);
            r
        });
    });
    // Exactly the metrics the issue names for its full pass (distinct users and channels,
    // peak channels and communications), without the peak streams that `Metrics::ALL` adds.
    let named = full
        .clone()
        .with_metrics(Metrics::ALL.with_stream_peaks(false));
    g.bench_function(BenchmarkId::new("full-pass-no-stream-peaks", "1m"), |b| {
        b.iter(|| {
            let r = pass(black_box(&named), black_box(&segs));
            assert_eq!(r.segments, N as u64);
            r
        });
    });
    // The same pass in the aggregator's mode for sorted input, over the segments sorted by
    // start: the same report, peaks swept as the segments arrive.
    let mut by_start = segs.clone();
    by_start.sort_by_key(|s| s.range.start());
    let sorted_pass = |q: &UsageQuery, segs: &[StreamSegment]| -> UsageReport {
        let mut agg = Aggregator::sorted(q.clone()).unwrap_or_else(|_| std::process::abort());
        agg.extend(segs).unwrap_or_else(|_| std::process::abort());
        agg.report(MinutePolicy::CeilPerPeriod)
            .unwrap_or_else(|_| std::process::abort())
    };
    assert!(sorted_pass(&full, &by_start) == full_report);
    g.bench_function(BenchmarkId::new("full-pass-sorted", "1m"), |b| {
        b.iter(|| {
            let r = sorted_pass(black_box(&full), black_box(&by_start));
            assert_eq!(r.segments, N as u64);
            r
        });
    });
    let approx = full
        .clone()
        .with_distinct(DistinctMode::Approximate { precision: 10 });
    g.bench_function(BenchmarkId::new("full-pass-hll", "1m"), |b| {
        b.iter(|| {
            let r = pass(black_box(&approx), black_box(&segs));
            assert_eq!(r.segments, N as u64);
            r
        });
    });
    g.finish();
}
