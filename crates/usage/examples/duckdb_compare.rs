//! The three results of `examples/duckdb/usage_duckdb.py`, computed with this crate from the same
//! CSV (`examples/duckdb/gen_segments.py`), printed in the same shape for a side-by-side:
//!
//! 1. subscribe seconds per (hour, region, spec), segments split at hour boundaries;
//! 2. distinct users per (GMT+8 day, region), a user counted in every day its segments overlap
//!    (users identified by id alone, as the SQL does: `IdScope::Global`);
//! 3. peak concurrent subscribe streams per hour (the level at the hour's start included).
//!
//! Runs, each checked against the first:
//!
//! * `table, 1 thread`: the CSV loaded into a `SegmentTable` on one thread, then the three
//!   queries one after the other on one thread;
//! * `table, 2 threads`: loaded on two threads (`read_csv_parallel`), each query on two
//!   threads (`report_parallel`); `DuckDB` runs with 2 threads too;
//! * `aggregator, streaming`: the one-pass `Aggregator` fed by `SegmentReader` (no table), the
//!   reference the table's results are compared with.
//!
//! `cargo run --release -p mediameter-usage --example duckdb_compare --
//! segments.csv [runs]`
//! (best of `runs`, default 3).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]

use std::time::Instant;

#[path = "duckdb/queries.rs"]
mod queries;

use mediameter_core::{MinutePolicy, StreamSegment};
use mediameter_usage::{
    Aggregator, BadRecords, InputFormat, SegmentReader, SegmentTable, UsageQuery, UsageReport,
};
use queries::duckdb_queries;

fn queries() -> [UsageQuery; 3] {
    duckdb_queries().unwrap().map(|(_, q)| q)
}

/// `(rows, checksum)` of each result, as the SQL counts them.
fn summary(r1: &UsageReport, r2: &UsageReport, r3: &UsageReport) -> [(usize, u64); 3] {
    let rows1 = r1
        .rows
        .iter()
        .map(|r| r.subscribe_seconds.0.iter().filter(|s| **s > 0).count())
        .sum::<usize>();
    let chk1: u64 = r1.rows.iter().map(|r| r.subscribe_seconds.total()).sum();
    let chk2: u64 = r2.rows.iter().map(|r| r.active_users.unwrap_or(0)).sum();
    let chk3: u64 = r3.rows.iter().map(|r| r.peak_streams.unwrap_or(0)).sum();
    [(rows1, chk1), (r2.rows.len(), chk2), (r3.rows.len(), chk3)]
}

fn reader(path: &str) -> SegmentReader<std::io::BufReader<std::fs::File>> {
    let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap());
    SegmentReader::new(file, InputFormat::Csv, BadRecords::Fail).unwrap()
}

/// Load and three queries on `threads` threads; returns (load, [q1, q2, q3]) seconds and the
/// reports.
fn table_run(bytes: &[u8], threads: usize) -> (f64, [f64; 3], [UsageReport; 3]) {
    let t = Instant::now();
    let (table, skipped) = if threads == 1 {
        SegmentTable::read_csv(bytes, BadRecords::Fail).unwrap()
    } else {
        SegmentTable::read_csv_parallel(bytes, BadRecords::Fail, threads).unwrap()
    };
    assert_eq!(skipped.skipped, 0);
    let load = t.elapsed().as_secs_f64();
    let mut times = [0.0; 3];
    let reports = queries();
    let mut out = Vec::new();
    for (i, q) in reports.iter().enumerate() {
        let t = Instant::now();
        out.push(
            table
                .report_parallel(q, MinutePolicy::Exact, threads)
                .unwrap(),
        );
        times[i] = t.elapsed().as_secs_f64();
    }
    let [a, b, c]: [UsageReport; 3] = out.try_into().unwrap();
    (load, times, [a, b, c])
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: duckdb_compare SEGMENTS.csv [runs]");
    let runs: usize = args.next().map_or(3, |s| s.parse().unwrap());
    let path = path.as_str();
    let names = duckdb_queries().unwrap().map(|(n, _)| n);

    // The reference: the streaming aggregator over the general reader.
    let t = Instant::now();
    let mut aggs = queries().map(|q| Aggregator::new(q).unwrap());
    let mut segments = 0_u64;
    let mut batch: Vec<StreamSegment> = Vec::with_capacity(4096);
    for seg in reader(path) {
        batch.push(seg.unwrap());
        if batch.len() == 4096 {
            for a in &mut aggs {
                a.extend(&batch).unwrap();
            }
            segments += batch.len() as u64;
            batch.clear();
        }
    }
    for a in &mut aggs {
        a.extend(&batch).unwrap();
    }
    segments += batch.len() as u64;
    let [r1, r2, r3] = aggs.map(|a| a.report(MinutePolicy::Exact).unwrap());
    let expected = summary(&r1, &r2, &r3);
    println!(
        "mediameter-usage aggregator, streaming, 1 thread: segments={segments} end_to_end_s={:.3}",
        t.elapsed().as_secs_f64()
    );

    // The table, the file already in memory (as DuckDB reads it from the page cache).
    let bytes = std::fs::read(path).unwrap();
    for threads in [1, 2] {
        let mut best: Option<(f64, [f64; 3])> = None;
        for _ in 0..runs.max(1) {
            let (load, times, [a, b, c]) = table_run(&bytes, threads);
            assert_eq!(summary(&a, &b, &c), expected, "table results differ");
            assert_eq!([&a, &b, &c], [&r1, &r2, &r3], "table reports differ");
            let total = load + times.iter().sum::<f64>();
            if best.is_none_or(|(l, t)| l + t.iter().sum::<f64>() > total) {
                best = Some((load, times));
            }
        }
        let (load, times) = best.unwrap();
        println!("mediameter-usage table, {threads} thread(s): load_s={load:.3} (best of {runs})");
        for ((name, dt), (rows, chk)) in names.iter().zip(times).zip(expected) {
            println!("{name}: {dt:.3}s rows={rows} checksum={chk}");
        }
        let q: f64 = times.iter().sum();
        println!(
            "total_query_s={q:.3} end_to_end_s={:.3} (results identical to the aggregator's)",
            load + q
        );
    }
}
