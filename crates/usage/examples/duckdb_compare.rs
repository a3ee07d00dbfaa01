//! The three results of `shared/peers/usage_duckdb.py`, computed with this crate from the same
//! CSV (`shared/peers/gen_segments.py`), printed in the same shape for a side-by-side:
//!
//! 1. subscribe seconds per (hour, region, spec), segments split at hour boundaries;
//! 2. distinct users per (GMT+8 day, region), a user counted in every day its segments overlap
//!    (users identified by id alone, as the SQL does: `IdScope::Global`);
//! 3. peak concurrent subscribe streams per hour (the level at the hour's start included).
//!
//! Three runs, each checked against the first:
//!
//! * `1 thread`: load the CSV into memory, then the three queries one after the other;
//! * `2 threads`: the same three queries on the loaded segments, q2 on one thread and q1 then
//!   q3 on the other (`DuckDB` runs with 2 threads too);
//! * `2 threads, load`: the CSV loaded on two threads (each half of the file), then the
//!   queries on two threads as above;
//! * `streaming, 2 threads`: end to end from the file without loading it: one thread reads and
//!   parses the CSV in batches, the other feeds every batch to the three aggregators.
//!
//! `cargo run --release -p mediameter-usage --example duckdb_compare -- segments.csv`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]

use std::time::Instant;

use mediameter_core::{BillingZone, Granularity, MinutePolicy, StreamSegment};
use mediameter_usage::{
    Aggregator, BadRecords, Dimension, IdScope, InputFormat, Metrics, SegmentReader, UsageQuery,
    UsageReport,
};

fn q1() -> UsageQuery {
    UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
        .with_split_by([Dimension::Region, Dimension::Spec])
        .with_filter(Dimension::Role, ["sub"])
        .unwrap()
        .with_metrics(Metrics::DURATIONS)
}

fn q2() -> UsageQuery {
    UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
        .with_split_by([Dimension::Region])
        .with_id_scope(IdScope::Global)
        .with_metrics(Metrics {
            distinct: true,
            peaks: false,
            stream_peaks: false,
        })
}

fn q3() -> UsageQuery {
    UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
        .with_filter(Dimension::Role, ["sub"])
        .unwrap()
        .with_metrics(Metrics {
            distinct: false,
            peaks: false,
            stream_peaks: true,
        })
}

fn run(q: UsageQuery, segs: &[StreamSegment]) -> UsageReport {
    let mut agg = Aggregator::new(q).unwrap();
    agg.extend(segs).unwrap();
    agg.report(MinutePolicy::Exact).unwrap()
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

/// Segments per batch of the streaming run.
const BATCH: usize = 4096;

fn reader(path: &str) -> SegmentReader<std::io::BufReader<std::fs::File>> {
    let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap());
    SegmentReader::new(file, InputFormat::Csv, BadRecords::Fail).unwrap()
}

/// Loads the CSV on two threads: the file is cut at the first line break after its middle,
/// and the second half is read after a copy of the header line.
fn load_two_threads(path: &str) -> Vec<StreamSegment> {
    use std::io::{BufRead, Read, Seek, SeekFrom};
    let len = std::fs::metadata(path).unwrap().len();
    let mut header = String::new();
    std::io::BufReader::new(std::fs::File::open(path).unwrap())
        .read_line(&mut header)
        .unwrap();
    let mut f = std::fs::File::open(path).unwrap();
    f.seek(SeekFrom::Start(len / 2)).unwrap();
    let mut rest = Vec::new();
    std::io::BufReader::new(f)
        .read_until(b'\n', &mut rest)
        .unwrap();
    let mid = len / 2 + rest.len() as u64;
    let read = |input: Box<dyn BufRead + Send>| -> Vec<StreamSegment> {
        SegmentReader::new(input, InputFormat::Csv, BadRecords::Fail)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    std::thread::scope(|s| {
        let second = s.spawn(|| {
            let mut f = std::fs::File::open(path).unwrap();
            f.seek(SeekFrom::Start(mid)).unwrap();
            let input = std::io::Cursor::new(header.clone().into_bytes()).chain(f);
            read(Box::new(std::io::BufReader::with_capacity(1 << 20, input)))
        });
        let f = std::fs::File::open(path).unwrap().take(mid);
        let mut first = read(Box::new(std::io::BufReader::with_capacity(1 << 20, f)));
        first.extend(second.join().unwrap());
        first
    })
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: duckdb_compare SEGMENTS.csv");
    let path = path.as_str();

    // 1 thread: load, then the three queries.
    let t = Instant::now();
    let segs: Vec<StreamSegment> = reader(path).collect::<Result<_, _>>().unwrap();
    let load = t.elapsed().as_secs_f64();
    println!(
        "mediameter-usage, 1 thread: segments={} load_s={load:.3}",
        segs.len()
    );
    let names = [
        "secs_by_hour_region_spec",
        "users_by_day_region",
        "peak_by_hour",
    ];
    let mut times = [0.0; 3];
    let mut reports = Vec::new();
    for (i, q) in [q1(), q2(), q3()].into_iter().enumerate() {
        let t = Instant::now();
        reports.push(run(q, &segs));
        times[i] = t.elapsed().as_secs_f64();
    }
    let expected = summary(&reports[0], &reports[1], &reports[2]);
    for ((name, dt), (rows, chk)) in names.iter().zip(times).zip(expected) {
        println!("{name}: {dt:.3}s rows={rows} checksum={chk}");
    }
    println!("total_query_s={:.3}", times.iter().sum::<f64>());

    // 2 threads on the loaded segments.
    let t = Instant::now();
    let (r2, (r1, r3)) = std::thread::scope(|s| {
        let h = s.spawn(|| run(q2(), &segs));
        let other = (run(q1(), &segs), run(q3(), &segs));
        (h.join().unwrap(), other)
    });
    let dt = t.elapsed().as_secs_f64();
    assert_eq!(summary(&r1, &r2, &r3), expected);
    println!("mediameter-usage, 2 threads: total_query_s={dt:.3} (results identical)");
    drop(segs);

    // 2 threads: load, then the queries (q2 on one thread, q1 and q3 on the other).
    let t = Instant::now();
    let segs = load_two_threads(path);
    let load2 = t.elapsed().as_secs_f64();
    let (r2, (r1, r3)) = std::thread::scope(|s| {
        let h = s.spawn(|| run(q2(), &segs));
        let other = (run(q1(), &segs), run(q3(), &segs));
        (h.join().unwrap(), other)
    });
    let dt = t.elapsed().as_secs_f64();
    assert_eq!(summary(&r1, &r2, &r3), expected);
    println!(
        "mediameter-usage, 2 threads: segments={} load_s={load2:.3} end_to_end_s={dt:.3} (results identical)",
        segs.len()
    );
    drop(segs);

    // End to end, streaming: a reader thread and an aggregating thread.
    let t = Instant::now();
    // Batches go back to the reader to be dropped and reused: freeing the ids' memory on the
    // thread that allocated it is cheaper for the allocator.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<StreamSegment>>(4);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<StreamSegment>>();
    let (r1, r2, r3) = std::thread::scope(|s| {
        s.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            for seg in reader(path) {
                batch.push(seg.unwrap());
                if batch.len() == BATCH {
                    let next = match back_rx.try_recv() {
                        Ok(mut used) => {
                            used.clear();
                            used
                        }
                        Err(_) => Vec::with_capacity(BATCH),
                    };
                    tx.send(std::mem::replace(&mut batch, next)).unwrap();
                }
            }
            tx.send(batch).unwrap();
            drop(tx);
            // The last batches are dropped here too.
            for used in back_rx {
                drop(used);
            }
        });
        let mut aggs = [q1(), q2(), q3()].map(|q| Aggregator::new(q).unwrap());
        for batch in rx {
            for a in &mut aggs {
                a.extend(&batch).unwrap();
            }
            let _ = back_tx.send(batch);
        }
        drop(back_tx);
        let [a1, a2, a3] = aggs.map(|a| a.report(MinutePolicy::Exact).unwrap());
        (a1, a2, a3)
    });
    let dt = t.elapsed().as_secs_f64();
    assert_eq!(summary(&r1, &r2, &r3), expected);
    println!(
        "mediameter-usage, streaming, 2 threads: end_to_end_s={dt:.3} (read + all three, results identical)"
    );
}
