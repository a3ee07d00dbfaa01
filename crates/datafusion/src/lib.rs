//! mediameter's usage semantics on Apache DataFusion, distributed with Apache Ballista.
//!
//! Every function here runs the usage kernel of `mediameter-usage` — the same code as
//! [`Aggregator`](mediameter_usage::Aggregator) — inside DataFusion's plans:
//!
//! * [`register`] adds the SQL functions to a `SessionContext` (section "SQL functions" of
//!   `docs/datafusion.md` has each with an example):
//!   - `mm_split(start, end, zone, interval_seconds)`: a segment cut at the zone-aligned
//!     bucket boundaries (core's `Buckets`), a list of `{bucket_start, start, end}` (unix
//!     seconds) to `unnest`;
//!   - aggregates over the segment columns `(app, channel, user, role, spec, start, end,
//!     publisher)`: `mm_peak_streams`, `mm_peak_channels`, `mm_peak_communications` (peaks with
//!     carry-over and half-open ends), `mm_distinct_users` and `mm_distinct_channels` (exact,
//!     optional scope `'app'` or `'global'`), `mm_approx_distinct_users` and
//!     `mm_approx_distinct_channels` (HyperLogLog with the library's stable hash, optional
//!     precision), `mm_billable_minutes` (subscription only, under a `MinutePolicy`), and
//!     `mm_usage_state(query_json, ...)`, the kernel's whole mergeable state;
//! * [`run_query`] answers any [`UsageQuery`] over a table registered in the context (CSV,
//!   JSON Lines, Parquet, memory) with the same [`UsageReport`] as the kernel;
//! * [`standalone_cluster`] starts an in-process Ballista scheduler with several executors,
//!   on which [`run_query`] runs unchanged.
//!
//! Each aggregate's partial state is the kernel's [`UsageState`] in its compact binary form
//! ([`UsageState::to_bytes`], each id string once) in a `Binary` column: DataFusion aggregates each partition apart and merges the
//! partials with `UsageState::merge`, associative and commutative, so any partitioning and any
//! number of executors give the kernel's exact figures.
//!
//! # Thread safety
//!
//! The function objects are `Send + Sync` and immutable; DataFusion gives each partition its
//! own accumulator (filled by one thread) and merges their states. [`register`] and
//! [`run_query`] take a shared `&SessionContext` and may be called from any thread. The crate
//! keeps no global state. [`SegmentBatch`] and [`Error`] are `Send + Sync` (checked at compile
//! time by the tests).
//!
//! # Errors
//!
//! One [`Error`] with an [`ErrorKind`]; errors of the kernel and of core are carried whole.
//! A row that is not a valid segment (an empty id, an unknown spec, `end < start`) fails the
//! query with [`Error::At`]; nothing panics on input.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(clippy::doc_markdown)]

mod ballista_cluster;
mod batch;
mod error;
mod segments;
mod udaf;
mod udf;

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF, ident, lit};
use datafusion::prelude::SessionContext;
use mediameter_core::MinutePolicy;
use mediameter_usage::{UsageQuery, UsageReport, UsageState};

/// The Ballista release this crate is built with, re-exported so that callers name the same.
pub use ballista;
pub use ballista_cluster::standalone_cluster;
pub use ballista_cluster::{MAX_EXECUTORS, session_state as ballista_session_state};
pub use batch::SegmentBatch;
/// The DataFusion release this crate is built with (its `arrow` and `parquet` re-exports are
/// the arrow-rs crates), re-exported so that callers name the same.
pub use datafusion;
pub use error::{Error, ErrorKind, Result};
pub use segments::{
    DIMENSION_COLUMNS, SEGMENT_COLUMNS, segment_schema, segments_from_batch, segments_to_batch,
};
pub use udf::MAX_PIECES;

/// The scalar functions of this crate (`mm_split`).
#[must_use]
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(udf::SplitUdf::udf())]
}

/// The aggregate functions of this crate.
#[must_use]
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    udaf::Metric::ALL
        .iter()
        .map(|m| Arc::new(udaf::UsageUdaf::udaf(*m)))
        .collect()
}

/// Registers every function of this crate on `ctx`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let ctx = datafusion::prelude::SessionContext::new();
/// mediameter_datafusion::register(&ctx);
/// let rows = ctx
///     .sql("SELECT unnest(mm_split(1679273400, 1679275800, 'GMT+8', 3600)) AS piece")
///     .await?
///     .collect()
///     .await?;
/// assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 2); // 08:50–09:00 and 09:00–09:30
/// # Ok(()) }
/// ```
pub fn register(ctx: &SessionContext) {
    for f in scalar_functions() {
        ctx.register_udf(f.as_ref().clone());
    }
    for f in aggregate_functions() {
        ctx.register_udaf(f.as_ref().clone());
    }
}

/// Runs `query` over the table `table` registered in `ctx` and reports under `policy`: the
/// same [`UsageReport`] as the kernel's `Aggregator` over the same segments.
///
/// The table needs the columns `app, channel, user, role, spec, start, end` (strings; `start`
/// and `end` unix seconds or timestamps); `publisher` and the dimensions `region, domain,
/// instance, type` are read when present (a missing column is a missing value). The functions
/// need not be registered on `ctx`; on a Ballista context they must be (see
/// [`standalone_cluster`]).
///
/// # Errors
///
/// [`Error::Invalid`] if a required column is missing, [`Error::At`] for a row that is not
/// a valid segment, [`Error::Usage`] from the kernel, [`Error::Engine`] from the engine.
pub async fn run_query(
    ctx: &SessionContext,
    table: &str,
    query: &UsageQuery,
    policy: MinutePolicy,
) -> Result<UsageReport> {
    // The final aggregate reports (`mm_usage_report`): the merged state, the largest value of
    // the run, is neither serialized nor read back, only the report.
    let policy_text = policy.to_string();
    let batches =
        aggregate_whole(ctx, table, query, udaf::Metric::Report, Some(&policy_text)).await?;
    for batch in &batches {
        let Some(text) = batch
            .columns()
            .first()
            .and_then(|c| c.as_string_opt::<i32>())
        else {
            continue;
        };
        for i in 0..text.len() {
            if text.is_null(i) {
                continue;
            }
            return serde_json::from_str(text.value(i))
                .map_err(|e| Error::invalid("report", &e.to_string(), "a serialized UsageReport"));
        }
    }
    // No row at all (an engine returns one even for an empty table): the empty report.
    UsageState::new(query.clone())
        .report(policy)
        .map_err(Error::from)
}

/// `query`'s whole-record aggregate `metric` (the state or the report) over `table`, with
/// the literal `extra` after the query (the report's policy), collected.
async fn aggregate_whole(
    ctx: &SessionContext,
    table: &str,
    query: &UsageQuery,
    metric: udaf::Metric,
    extra: Option<&str>,
) -> Result<Vec<datafusion::arrow::record_batch::RecordBatch>> {
    let df = ctx.table(table).await?;
    let has = |name: &str| df.schema().fields().iter().any(|f| f.name() == name);
    let json = serde_json::to_string(query)
        .map_err(|e| Error::invalid("query", &e.to_string(), "a serializable query"))?;
    // The query and the policy as dictionary-typed literals: the engine expands a literal
    // argument into a column for every batch, and a dictionary holds the text once (a
    // string column would repeat the query's JSON on every row).
    let text = |s: &str| {
        lit(ScalarValue::Dictionary(
            Box::new(datafusion::arrow::datatypes::DataType::Int32),
            Box::new(ScalarValue::Utf8(Some(s.to_owned()))),
        ))
    };
    let mut args = vec![text(&json)];
    if let Some(extra) = extra {
        args.push(text(extra));
    }
    for name in SEGMENT_COLUMNS.iter().chain(DIMENSION_COLUMNS.iter()) {
        if has(name) && query.reads(name) {
            args.push(ident(*name));
        } else if has(name) || *name == "publisher" || DIMENSION_COLUMNS.contains(name) {
            // A column the query does not read is given as NULL: the engine does not decode
            // it, and the kernel leaves it out (even a required id).
            args.push(lit(ScalarValue::Utf8(None)));
        } else {
            return Err(Error::invalid(
                "table",
                table,
                format!("a column named {name}"),
            ));
        }
    }
    let udaf = udaf::UsageUdaf::udaf(metric);
    Ok(df
        .aggregate(vec![], vec![udaf.call(args).alias("value")])?
        .collect()
        .await?)
}

/// The kernel's mergeable state of `query` over `table`, computed by the engine: to merge with
/// states computed elsewhere (other days, other engines) before reporting.
///
/// # Errors
///
/// As [`run_query`].
pub async fn state_of(ctx: &SessionContext, table: &str, query: &UsageQuery) -> Result<UsageState> {
    let batches = aggregate_whole(ctx, table, query, udaf::Metric::State, None).await?;
    let mut state: Option<UsageState> = None;
    for batch in &batches {
        let Some(bin) = batch
            .columns()
            .first()
            .and_then(|c| c.as_binary_opt::<i32>())
        else {
            continue;
        };
        udaf::merge_serialized(bin, &mut state)?;
    }
    Ok(state.unwrap_or_else(|| UsageState::new(query.clone())))
}

/// Registers the segment file at `path` as the table `name`, by its extension: `.csv` (with a
/// header line), `.jsonl` / `.json` (JSON Lines, one flat object per line with the same
/// fields) or `.parquet`. CSV and JSON columns are read as strings, `start` and `end` as
/// unix seconds, so ids that look like numbers keep their spelling.
///
/// # Errors
///
/// [`Error::Invalid`] for another extension or a CSV file without a header line;
/// [`Error::Engine`] if the engine cannot register the file.
pub async fn register_segments(ctx: &SessionContext, name: &str, path: &str) -> Result<()> {
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::prelude::{CsvReadOptions, JsonReadOptions, ParquetReadOptions};
    let lower = path.to_ascii_lowercase();
    let typed = |names: &[String]| {
        Schema::new(
            names
                .iter()
                .map(|n| match n.as_str() {
                    "start" | "end" => Field::new(n.as_str(), DataType::Int64, true),
                    _ => Field::new(n.as_str(), DataType::Utf8, true),
                })
                .collect::<Vec<_>>(),
        )
    };
    if lower.ends_with(".parquet") {
        ctx.register_parquet(name, path, ParquetReadOptions::default())
            .await?;
    } else if lower.ends_with(".csv") {
        let header = first_line(path)?;
        let names: Vec<String> = header
            .trim_end()
            .split(',')
            .map(|h| h.trim().to_owned())
            .collect();
        let schema = typed(&names);
        ctx.register_csv(
            name,
            path,
            CsvReadOptions::new().has_header(true).schema(&schema),
        )
        .await?;
    } else if lower.ends_with(".jsonl") || lower.ends_with(".json") || lower.ends_with(".ndjson") {
        let names: Vec<String> = SEGMENT_COLUMNS
            .iter()
            .chain(DIMENSION_COLUMNS.iter())
            .map(|s| (*s).to_owned())
            .collect();
        let schema = typed(&names);
        let ext = std::path::Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        ctx.register_json(
            name,
            path,
            JsonReadOptions::default()
                .schema(&schema)
                .file_extension(&ext),
        )
        .await?;
    } else {
        return Err(Error::invalid(
            "file",
            path,
            "a .csv, .jsonl or .parquet file",
        ));
    }
    Ok(())
}

/// The header line of a CSV file, read with a bound (64 KiB).
fn first_line(path: &str) -> Result<String> {
    use std::io::{BufRead, Read};
    let file = std::fs::File::open(path)
        .map_err(|e| Error::invalid("file", path, format!("a readable file ({e})")))?;
    let mut line = String::new();
    std::io::BufReader::new(file.take(65_536))
        .read_line(&mut line)
        .map_err(|e| Error::invalid("file", path, format!("a readable text file ({e})")))?;
    if !line.ends_with('\n') || line.trim().is_empty() {
        return Err(Error::invalid(
            "file",
            path,
            "a CSV file starting with a header line",
        ));
    }
    Ok(line)
}
