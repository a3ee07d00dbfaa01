//! The three results of `shared/peers/usage_duckdb.py`, computed with this crate from the same
//! CSV (`shared/peers/gen_segments.py`), printed in the same shape for a side-by-side:
//!
//! 1. subscribe seconds per (hour, region, spec), segments split at hour boundaries;
//! 2. distinct users per (GMT+8 day, region), a user counted in every day its segments overlap
//!    (users identified by id alone, as the SQL does: `IdScope::Global`);
//! 3. peak concurrent subscribe streams per hour (the level at the hour's start included).
//!
//! `cargo run --release -p mediameter-usage --example duckdb_compare -- segments.csv`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::arithmetic_side_effects
)]

use std::time::Instant;

use mediameter_core::{BillingZone, Granularity, MinutePolicy, StreamSegment};
use mediameter_usage::{
    Aggregator, BadRecords, Dimension, IdScope, InputFormat, Metrics, SegmentReader, UsageQuery,
};

fn run(q: UsageQuery, segs: &[StreamSegment]) -> mediameter_usage::UsageReport {
    let mut agg = Aggregator::new(q).unwrap();
    agg.extend(segs).unwrap();
    agg.report(MinutePolicy::Exact).unwrap()
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: duckdb_compare SEGMENTS.csv");
    let t = Instant::now();
    let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path).unwrap());
    let segs: Vec<StreamSegment> = SegmentReader::new(file, InputFormat::Csv, BadRecords::Fail)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let load = t.elapsed().as_secs_f64();
    println!("mediameter-usage segments={} load_s={load:.3}", segs.len());

    let hours = || UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
    let mut total = 0.0;

    let t = Instant::now();
    let q1 = hours()
        .with_split_by([Dimension::Region, Dimension::Spec])
        .with_filter(Dimension::Role, ["sub"])
        .unwrap()
        .with_metrics(Metrics::DURATIONS);
    let r1 = run(q1, &segs);
    let dt = t.elapsed().as_secs_f64();
    total += dt;
    let chk: u64 = r1.rows.iter().map(|r| r.subscribe_seconds.total()).sum();
    let rows = r1
        .rows
        .iter()
        .map(|r| r.subscribe_seconds.0.iter().filter(|s| **s > 0).count())
        .sum::<usize>();
    println!("secs_by_hour_region_spec: {dt:.3}s rows={rows} checksum={chk}");

    let t = Instant::now();
    let q2 = UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
        .with_split_by([Dimension::Region])
        .with_id_scope(IdScope::Global)
        .with_metrics(Metrics {
            distinct: true,
            peaks: false,
            stream_peaks: false,
        });
    let r2 = run(q2, &segs);
    let dt = t.elapsed().as_secs_f64();
    total += dt;
    let chk: u64 = r2.rows.iter().map(|r| r.active_users.unwrap_or(0)).sum();
    println!(
        "users_by_day_region: {dt:.3}s rows={} checksum={chk}",
        r2.rows.len()
    );

    let t = Instant::now();
    let q3 = hours()
        .with_filter(Dimension::Role, ["sub"])
        .unwrap()
        .with_metrics(Metrics {
            distinct: false,
            peaks: false,
            stream_peaks: true,
        });
    let r3 = run(q3, &segs);
    let dt = t.elapsed().as_secs_f64();
    total += dt;
    let chk: u64 = r3.rows.iter().map(|r| r.peak_streams.unwrap_or(0)).sum();
    println!(
        "peak_by_hour: {dt:.3}s rows={} checksum={chk}",
        r3.rows.len()
    );
    println!("total_query_s={total:.3}");
}
