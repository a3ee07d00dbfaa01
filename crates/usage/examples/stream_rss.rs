//! A streaming pass over `N` time-sorted synthetic segments, generated lazily, reporting the
//! throughput and the peak resident memory:
//! `cargo run --release -p mediameter-usage --example stream_rss --
//! 50000000 [durations|distinct|hll|all|hll-all][-sorted] [random|sessions]`.
//!
//! With `-sorted`, the aggregator runs in its mode for sorted input (`Aggregator::sorted`:
//! peaks swept as the segments arrive) instead of the mergeable mode (`Aggregator::new`:
//! activity stretches kept for merging).
//!
//! `random` (the default) draws every id at random from its population, so nearly every
//! subscribe segment is a new relation; `sessions` gives each channel one host and a fixed
//! audience (`mediameter_testdata::session_stream`), so the distinct ids and relations are bounded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::arithmetic_side_effects
)]

use std::time::Instant;

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{Aggregator, Dimension, DistinctMode, Metrics, UsageQuery};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mode = args.next().unwrap_or_else(|| "all".to_owned());
    let data = args.next().unwrap_or_else(|| "random".to_owned());
    let metrics = match mode.trim_end_matches("-sorted") {
        "durations" => Metrics::DURATIONS,
        "distinct" | "hll" => Metrics::DURATIONS.with_users(true).with_channels(true),

        _ => Metrics::ALL,
    };
    let mut q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_split_by([Dimension::Region])
        .with_metrics(metrics);
    if mode.starts_with("hll") {
        q = q.with_distinct(DistinctMode::approximate(10).unwrap());
    }
    let sorted = mode.ends_with("-sorted");
    let mut agg = if sorted {
        Aggregator::sorted(q).unwrap()
    } else {
        Aggregator::new(q).unwrap()
    };
    let t = Instant::now();
    let segments: Box<dyn Iterator<Item = mediameter_core::StreamSegment>> = match data.as_str() {
        "sessions" => Box::new(mediameter_testdata::session_stream(n, 7).unwrap()),
        _ => Box::new(mediameter_testdata::sorted_stream(n, 7).unwrap()),
    };
    for s in segments {
        agg.push(&s).unwrap();
    }
    let pass = t.elapsed();
    let report = agg.report(MinutePolicy::CeilPerPeriod).unwrap();
    let total = t.elapsed();
    println!(
        "segments={n} mode={mode} data={data} rows={} pass={:.1}s report={:.1}s ({:.2} M segments/s incl. generation) peak_rss={:.0} MiB",
        report.rows.len(),
        pass.as_secs_f64(),
        (total - pass).as_secs_f64(),
        n as f64 / pass.as_secs_f64() / 1e6,
        peak_rss_mib()
    );
}
