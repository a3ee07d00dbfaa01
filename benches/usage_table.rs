//! Benchmarks of `mediameter_usage::SegmentTable`: loading CSV, the full pass, the three
//! queries of the `DuckDB` side-by-side (`examples/duckdb_compare.rs`) on synthetic segments, and
//! the same three queries streamed over the CSV text (`SegmentTable::query_csv`, the CLI's path).

use criterion::{BenchmarkId, Criterion, Throughput, black_box};
use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{BadRecords, Dimension, SegmentTable, UsageQuery, UsageReport};

// The three queries, shared with the usage crate's `duckdb_compare` example.
#[path = "../crates/usage/examples/duckdb/queries.rs"]
mod queries;

const N: usize = 1_000_000;

fn report(t: &SegmentTable, q: &UsageQuery, threads: usize) -> UsageReport {
    t.report_parallel(q, MinutePolicy::CeilPerPeriod, threads)
        .unwrap_or_else(|_| std::process::abort())
}

/// Registers the benchmarks of the table.
pub fn define(c: &mut Criterion) {
    let segs = mediameter_testdata::segments(N, 7).unwrap_or_default();
    assert_eq!(segs.len(), N);
    let csv = mediameter_usage::csv::segments_csv(&segs);
    let mut g = c.benchmark_group("usage");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);

    g.bench_function(BenchmarkId::new("table-load-csv", "1m"), |b| {
        b.iter(|| {
            let (t, skipped) =
                SegmentTable::read_csv(black_box(csv.as_bytes()), BadRecords::Fail).unwrap();
            assert_eq!((t.len(), skipped.skipped), (N, 0));
            t
        });
    });
    g.bench_function(BenchmarkId::new("table-load-csv-2-threads", "1m"), |b| {
        b.iter(|| {
            let (t, _) =
                SegmentTable::read_csv_parallel(black_box(csv.as_bytes()), BadRecords::Fail, 2)
                    .unwrap();
            assert_eq!(t.len(), N);
            t
        });
    });

    let table = SegmentTable::from_segments(&segs).unwrap();
    // The same query as `usage/full-pass/1m`, whose aggregator report the table must equal.
    let full =
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
    let mut agg = mediameter_usage::Aggregator::new(full.clone()).unwrap();
    agg.extend(&segs).unwrap();
    let expected = agg.report(MinutePolicy::CeilPerPeriod).unwrap();
    assert!(report(&table, &full, 1) == expected);
    for threads in [1, 2] {
        g.bench_function(
            BenchmarkId::new(format!("table-full-pass-{threads}-thread"), "1m"),
            |b| {
                b.iter(|| {
                    let r = report(black_box(&table), black_box(&full), threads);
                    assert_eq!(r.segments, N as u64);
                    r
                });
            },
        );
    }
    for (name, q) in queries::duckdb_queries().unwrap() {
        let one = report(&table, &q, 1);
        assert!(!one.rows.is_empty());
        for threads in [1, 2] {
            g.bench_function(
                BenchmarkId::new(
                    format!("table-{}-{threads}-thread", name.replace('_', "-")),
                    "1m",
                ),
                |b| {
                    b.iter(|| {
                        let r = report(black_box(&table), black_box(&q), threads);
                        assert_eq!(r.rows.len(), one.rows.len());
                        r
                    });
                },
            );
        }
    }
    g.finish();
    query_csv(c, &csv);
}

/// `SegmentTable::query_csv` over the CSV text of the 1 M segments, for the three queries of
/// the `DuckDB` side-by-side, in bytes per second of CSV.
fn query_csv(c: &mut Criterion, csv: &str) {
    let mut g = c.benchmark_group("usage");
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.sample_size(10);
    let (table, _) = SegmentTable::read_csv(csv.as_bytes(), BadRecords::Fail).unwrap();
    for (name, q) in queries::duckdb_queries().unwrap() {
        let policy = MinutePolicy::CeilPerPeriod;
        // Checked once, outside the timed loop: the streamed report is the loaded table's.
        let expected = table.report(&q, policy).unwrap();
        assert!(!expected.rows.is_empty());
        for threads in [1, 2] {
            let (got, skipped) =
                SegmentTable::query_csv(csv.as_bytes(), &q, policy, BadRecords::Fail, threads)
                    .unwrap();
            assert!(
                got == expected && skipped.skipped == 0,
                "query_csv differs from read_csv + report ({name}, {threads} threads)"
            );
            g.bench_function(
                BenchmarkId::new(
                    format!("query-csv-{}-{threads}-thread", name.replace('_', "-")),
                    "1m",
                ),
                |b| {
                    b.iter(|| {
                        let (r, _) = SegmentTable::query_csv(
                            black_box(csv.as_bytes()),
                            black_box(&q),
                            policy,
                            BadRecords::Fail,
                            threads,
                        )
                        .unwrap_or_else(|_| std::process::abort());
                        assert_eq!(r.rows.len(), expected.rows.len());
                        r
                    });
                },
            );
        }
    }
    g.finish();
}
