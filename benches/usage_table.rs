//! Benchmarks of `mediameter_usage::SegmentTable`: loading CSV, the full pass, the three
//! queries of the `DuckDB` side-by-side (`examples/duckdb_compare.rs`) on synthetic segments, and
//! the same three queries streamed over the CSV text (`SegmentTable::query_csv`, the CLI's path)
//! and loaded from a columnar reader's batches (`RowLoader`, the CLI's Parquet path).

use criterion::{BenchmarkId, Criterion, Throughput, black_box};
use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{
    BadRecords, Dimension, RowLoader, SegmentColumns, SegmentRow, SegmentTable, TextColumn,
    UsageQuery, UsageReport,
};

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
    row_loader(c, &segs, &table);
}

/// Rows a columnar reader hands over at a time (arrow-rs's default batch).
const BATCH: usize = 8192;

/// One batch of segments as a Parquet reader decodes them: role, spec and region
/// dictionary-encoded, the ids plain (their text one after the other in one buffer, as in an
/// Arrow array, not one allocation per value), instants plain.
struct Batch<'a> {
    plain: [Vec<Option<&'a str>>; 3],
    coded: [(Vec<Option<&'a str>>, Vec<u32>); 3],
    start: Vec<i64>,
    end: Vec<i64>,
}

/// The app, channel and user of each of `segs`, one after the other: the buffer of a batch's
/// plain columns.
fn ids_text(segs: &[mediameter_core::StreamSegment]) -> String {
    segs.iter()
        .flat_map(|s| [s.app.as_str(), s.channel.as_str(), s.user.as_str()])
        .collect()
}

impl<'a> Batch<'a> {
    /// `segs` as a batch whose plain ids are slices of `text` (`ids_text(segs)`).
    fn of(segs: &'a [mediameter_core::StreamSegment], text: &'a str) -> Self {
        let code = |value: fn(&'a mediameter_core::StreamSegment) -> Option<&'a str>| {
            let mut values: Vec<Option<&str>> = Vec::new();
            let codes = segs
                .iter()
                .map(|s| {
                    let v = value(s);
                    let at = values.iter().position(|x| *x == v).unwrap_or_else(|| {
                        values.push(v);
                        values.len() - 1
                    });
                    u32::try_from(at).unwrap_or(u32::MAX)
                })
                .collect();
            (values, codes)
        };
        let mut plain: [Vec<Option<&'a str>>; 3] = Default::default();
        let mut at = 0;
        for s in segs {
            for (column, id) in
                plain
                    .iter_mut()
                    .zip([s.app.as_str(), s.channel.as_str(), s.user.as_str()])
            {
                column.push(text.get(at..at + id.len()));
                at += id.len();
            }
        }
        Batch {
            plain,
            coded: [
                code(|s| Some(s.role.as_str())),
                code(|s| Some(s.spec.as_str())),
                code(|s| s.region.as_ref().map(|r| r.as_str())),
            ],
            start: segs.iter().map(|s| s.range.start().timestamp()).collect(),
            end: segs.iter().map(|s| s.range.end().timestamp()).collect(),
        }
    }

    /// The batch's rows with the fields `loader` reads (a reader decodes only those).
    fn rows(&self, loader: &RowLoader) -> Vec<SegmentRow<'a>> {
        let read = |c: &str, v: Option<&'a str>| v.filter(|_| loader.reads(c));
        let coded = |i: usize, row: usize| {
            let (values, codes) = &self.coded[i];
            values[codes[row] as usize]
        };
        (0..self.start.len())
            .map(|r| {
                SegmentRow::new()
                    .with_app(read("app", self.plain[0][r]))
                    .with_channel(read("channel", self.plain[1][r]))
                    .with_user(read("user", self.plain[2][r]))
                    .with_role(coded(0, r))
                    .with_spec(coded(1, r))
                    .with_region(read("region", coded(2, r)))
                    .with_start(Some(self.start[r]))
                    .with_end(Some(self.end[r]))
            })
            .collect()
    }

    /// The batch's columns that `loader` reads (a reader decodes only those).
    fn columns(&self, loader: &RowLoader) -> SegmentColumns<'_> {
        let coded = |i: usize| TextColumn::Coded {
            values: &self.coded[i].0,
            codes: &self.coded[i].1,
        };
        let mut c = SegmentColumns::new(self.start.len())
            .with_role(coded(0))
            .with_spec(coded(1))
            .with_start(&self.start, None)
            .with_end(&self.end, None);
        if loader.reads("app") {
            c = c.with_app(TextColumn::Values(&self.plain[0]));
        }
        if loader.reads("channel") {
            c = c.with_channel(TextColumn::Values(&self.plain[1]));
        }
        if loader.reads("user") {
            c = c.with_user(TextColumn::Values(&self.plain[2]));
        }
        if loader.reads("region") {
            c = c.with_region(coded(2));
        }
        c
    }
}

/// One query of the `DuckDB` side-by-side over the 1 M segments handed to a [`RowLoader`] in
/// batches of the columns the query reads, as the CLI's Parquet reader hands them over,
/// reported on one thread: by columns (`push_columns`) and by rows (`push_rows`). Decoding is
/// not timed.
fn row_loader(c: &mut Criterion, segs: &[mediameter_core::StreamSegment], table: &SegmentTable) {
    let mut g = c.benchmark_group("usage");
    g.throughput(Throughput::Elements(segs.len() as u64));
    g.sample_size(10);
    let texts: Vec<String> = segs.chunks(BATCH).map(ids_text).collect();
    let batches: Vec<Batch<'_>> = segs
        .chunks(BATCH)
        .zip(&texts)
        .map(|(b, t)| Batch::of(b, t))
        .collect();
    let policy = MinutePolicy::CeilPerPeriod;
    let by_columns = |q: &UsageQuery| {
        let mut l = RowLoader::new(q, BadRecords::Fail);
        for (i, b) in batches.iter().enumerate() {
            let columns = b.columns(&l);
            l.push_columns((i * BATCH) as u64 + 1, &columns)
                .unwrap_or_else(|_| std::process::abort());
        }
        RowLoader::report(q, [l], policy, 1).unwrap_or_else(|_| std::process::abort())
    };
    let by_rows = |q: &UsageQuery, rows: &[Vec<SegmentRow<'_>>]| {
        let mut l = RowLoader::new(q, BadRecords::Fail);
        for (i, b) in rows.iter().enumerate() {
            l.push_rows((i * BATCH) as u64 + 1, b)
                .unwrap_or_else(|_| std::process::abort());
        }
        RowLoader::report(q, [l], policy, 1).unwrap_or_else(|_| std::process::abort())
    };
    for (name, q) in queries::duckdb_queries().unwrap() {
        let probe = RowLoader::new(&q, BadRecords::Fail);
        let rows: Vec<Vec<SegmentRow<'_>>> = batches.iter().map(|b| b.rows(&probe)).collect();
        // Checked once, outside the timed loop: both loads give the loaded table's report.
        let expected = table.report(&q, policy).unwrap();
        assert!(by_columns(&q).0 == expected && by_rows(&q, &rows).0 == expected);
        let name = name.replace('_', "-");
        g.bench_function(
            BenchmarkId::new(format!("row-loader-columns-{name}"), "1m"),
            |b| b.iter(|| by_columns(black_box(&q))),
        );
        g.bench_function(
            BenchmarkId::new(format!("row-loader-rows-{name}"), "1m"),
            |b| {
                b.iter(|| by_rows(black_box(&q), &rows));
            },
        );
    }
    g.finish();
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
