//! Profiling helper: passes over 1 M synthetic segments with some metrics, timed.
//!
//! `cargo run --release -p mediameter-usage --example profile_pass --
//! 1000000 3 dps`
//! (metrics: d = distinct, p = peaks, s = stream peaks; `-` for durations only; h = distinct
//! counts with sketches (`HyperLogLog`, p = 10) instead of exact sets).
//!
//! `Q=2 THREADS=2 cargo run --release -p mediameter-usage --example profile_pass -- 0 1
//! table=seg.csv`: one of the three `DuckDB` queries (`Q` = 1, 2 or 3) on the table loaded
//! from `seg.csv`, the minimum and median of 20 reports on `THREADS` threads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]
use std::time::Instant;

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{Aggregator, Dimension, DistinctMode, Metrics, UsageQuery};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |s| s.parse().unwrap());
    let reps: usize = args.next().map_or(3, |s| s.parse().unwrap());
    let m = args.next().unwrap_or_else(|| "dps".to_owned());
    if let Some(path) = m.strip_prefix("table=") {
        let bytes = std::fs::read(path).unwrap();
        for _ in 0..reps {
            let t = Instant::now();
            let (table, _) = mediameter_usage::SegmentTable::read_csv(
                bytes.as_slice(),
                mediameter_usage::BadRecords::Fail,
            )
            .unwrap();
            let load = t.elapsed().as_secs_f64();
            let sub = |q: UsageQuery| q.with_filter(Dimension::Role, ["sub"]).unwrap();
            let which = std::env::var("Q").unwrap_or_else(|_| "1".to_owned());
            let q = match which.as_str() {
                "2" => UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
                    .with_split_by([Dimension::Region])
                    .with_id_scope(mediameter_usage::IdScope::Global)
                    .with_metrics(Metrics::DURATIONS.with_users(true)),
                "3" => sub(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))
                    .with_metrics(Metrics::DURATIONS.with_stream_peaks(true)),
                _ => sub(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))
                    .with_split_by([Dimension::Region, Dimension::Spec])
                    .with_metrics(Metrics::DURATIONS),
            };
            let threads: usize = std::env::var("THREADS").map_or(1, |s| s.parse().unwrap());
            let mut times = Vec::new();
            let mut rows = 0;
            for _ in 0..20 {
                let t = Instant::now();
                let r = table
                    .report_parallel(&q, MinutePolicy::Exact, threads)
                    .unwrap();
                times.push(t.elapsed().as_secs_f64());
                rows = r.rows.len();
            }
            times.sort_by(f64::total_cmp);
            println!(
                "table: load {load:.3}s ({} rows), q{which} on {threads} thread(s): min {:.4}s, median {:.4}s ({rows} rows)",
                table.len(),
                times[0],
                times[times.len() / 2],
            );
        }
        return;
    }
    if let Some(path) = m.strip_prefix("csv=") {
        for _ in 0..reps {
            let t = Instant::now();
            let file =
                std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap());
            let r = mediameter_usage::SegmentReader::new(
                file,
                mediameter_usage::InputFormat::Csv,
                mediameter_usage::BadRecords::Fail,
            )
            .unwrap();
            let mut count = 0_u64;
            for s in r {
                s.unwrap();
                count += 1;
            }
            println!("read {count} segments in {:.3}s", t.elapsed().as_secs_f64());
        }
        return;
    }
    let segs = mediameter_testdata::segments(n, 7).unwrap();
    let mut q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_split_by([Dimension::Region])
        .with_metrics(
            Metrics::DURATIONS
                .with_users(m.contains('d') || m.contains('h') || m.contains('u'))
                .with_channels(m.contains('d') || m.contains('h'))
                .with_peaks(m.contains('p'))
                .with_stream_peaks(m.contains('s')),
        );
    if m.contains('h') {
        q = q.with_distinct(DistinctMode::Approximate { precision: 10 });
    }
    if m.ends_with("table") {
        for _ in 0..reps {
            let t = Instant::now();
            let table = mediameter_usage::SegmentTable::from_segments(&segs).unwrap();
            let t1 = t.elapsed().as_secs_f64();
            let r = table.report(&q, MinutePolicy::CeilPerPeriod).unwrap();
            let t2 = t.elapsed().as_secs_f64();
            let r2 = table
                .report_parallel(&q, MinutePolicy::CeilPerPeriod, 2)
                .unwrap();
            let t3 = t.elapsed().as_secs_f64();
            assert_eq!(r, r2);
            println!(
                "{m}: build {t1:.3}s report {:.3}s (2 threads {:.3}s) rows {}",
                t2 - t1,
                t3 - t2,
                r.rows.len()
            );
        }
        return;
    }
    for _ in 0..reps {
        let t = Instant::now();
        let mut agg = Aggregator::new(q.clone()).unwrap();
        agg.extend(&segs).unwrap();
        let t1 = t.elapsed().as_secs_f64();
        let r = agg.report(MinutePolicy::CeilPerPeriod).unwrap();
        let t2 = t.elapsed().as_secs_f64();
        let users: u64 = r.totals.iter().map(|t| t.active_users.unwrap_or(0)).sum();
        let pc: u64 = r
            .rows
            .iter()
            .map(|t| t.peak_communications.unwrap_or(0))
            .sum();
        println!(
            "{m}: extend {t1:.3}s report {:.3}s total {t2:.3}s rows {} users {users} pc {pc}",
            t2 - t1,
            r.rows.len()
        );
    }
}
