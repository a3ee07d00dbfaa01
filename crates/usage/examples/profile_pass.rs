//! Profiling helper: passes over 1 M synthetic segments with some metrics, timed.
//!
//! `cargo run --release -p mediameter-usage --example profile_pass -- 1000000 3 dps`
//! (metrics: d = distinct, p = peaks, s = stream peaks; `-` for durations only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::arithmetic_side_effects
)]
use std::time::Instant;

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{Aggregator, Dimension, Metrics, UsageQuery};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |s| s.parse().unwrap());
    let reps: usize = args.next().map_or(3, |s| s.parse().unwrap());
    let m = args.next().unwrap_or_else(|| "dps".to_owned());
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
    let segs = mediameter_usage::synthetic::segments(n, 7).unwrap();
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_split_by([Dimension::Region])
        .with_metrics(Metrics {
            distinct: m.contains('d'),
            peaks: m.contains('p'),
            stream_peaks: m.contains('s'),
        });
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
