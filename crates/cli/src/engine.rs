//! `mediameter usage --engine datafusion` and Parquet input (both behind the `datafusion`
//! cargo feature): argument handling and the calls into `mediameter-datafusion`; the
//! semantics are the usage kernel's.

// Doc comments of the flags are the `--help` text, shown verbatim: no Markdown backticks.
#![allow(clippy::doc_markdown)]

use std::path::Path;

use mediameter_core::{MinutePolicy, StreamSegment};
use mediameter_usage::{UsageQuery, UsageReport, UsageState};

use crate::io::CliError;

/// Which engine computes `mediameter usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Engine {
    /// The usage kernel in this process (the default).
    #[default]
    Kernel,
    /// Apache DataFusion with mediameter's functions (a file input: CSV, JSON Lines or
    /// Parquet); needs a build with the `datafusion` feature.
    Datafusion,
}

/// Whether the input is a Parquet file (by `--input-format parquet` or the extension).
pub(crate) fn is_parquet(path: Option<&Path>, input_format: Option<&str>) -> bool {
    input_format == Some("parquet")
        || (input_format.is_none()
            && path.and_then(|p| p.extension()).and_then(|e| e.to_str()) == Some("parquet"))
}

#[cfg(not(feature = "datafusion"))]
fn not_built(what: &str) -> CliError {
    CliError::usage(format!(
        "{what} needs mediameter built with the datafusion feature (cargo install mediameter-cli --features datafusion)"
    ))
}

/// The engine's mergeable state of `query` over the file at `path`.
#[cfg(feature = "datafusion")]
pub(crate) fn datafusion_state(
    path: &Path,
    query: &UsageQuery,
    threads: usize,
) -> Result<UsageState, CliError> {
    use mediameter_datafusion::datafusion::prelude::{SessionConfig, SessionContext};
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        threads
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|source| CliError::Io {
            what: "the DataFusion runtime".to_owned(),
            source,
        })?;
    let path = path
        .to_str()
        .ok_or_else(|| CliError::usage("--engine datafusion: the input path must be UTF-8"))?;
    runtime.block_on(async {
        let ctx =
            SessionContext::new_with_config(SessionConfig::new().with_target_partitions(threads));
        mediameter_datafusion::register_segments(&ctx, "segments", path)
            .await
            .map_err(engine_err)?;
        mediameter_datafusion::state_of(&ctx, "segments", query)
            .await
            .map_err(engine_err)
    })
}

#[cfg(feature = "datafusion")]
fn engine_err(e: mediameter_datafusion::Error) -> CliError {
    match e {
        mediameter_datafusion::Error::Invalid {
            field: "file" | "table",
            ..
        } => CliError::usage(e),
        other => CliError::input(other),
    }
}

#[cfg(not(feature = "datafusion"))]
pub(crate) fn datafusion_state(
    _path: &Path,
    _query: &UsageQuery,
    _threads: usize,
) -> Result<UsageState, CliError> {
    Err(not_built("--engine datafusion"))
}

/// The report of `query` by the DataFusion engine.
pub(crate) fn datafusion_report(
    path: &Path,
    query: &UsageQuery,
    policy: MinutePolicy,
    threads: usize,
) -> Result<UsageReport, CliError> {
    datafusion_state(path, query, threads)?
        .report(policy)
        .map_err(CliError::input)
}

/// Hands every segment of the Parquet file at `path` to `sink`, in file order (read with the
/// arrow-rs `parquet` crate, one row group batch at a time).
#[cfg(feature = "datafusion")]
pub(crate) fn for_each_parquet_segment(
    path: &Path,
    mut sink: impl FnMut(StreamSegment) -> Result<(), CliError>,
) -> Result<(), CliError> {
    use mediameter_datafusion::datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).map_err(|source| CliError::Io {
        what: mediameter_core::echo::echo(&path.to_string_lossy()).to_string(),
        source,
    })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(8192).build())
        .map_err(|e| CliError::input(format!("parquet: {e}")))?;
    let mut seen: u64 = 0;
    for batch in reader {
        let batch = batch.map_err(|e| CliError::input(format!("parquet: {e}")))?;
        let segs = mediameter_datafusion::segments_from_batch(&batch).map_err(|e| match e {
            mediameter_datafusion::Error::At { row, source } => CliError::input(format!(
                "segment {} of the input: {source}",
                seen.saturating_add(u64::try_from(row).unwrap_or(u64::MAX))
                    .saturating_add(1)
            )),
            other => CliError::input(other),
        })?;
        seen = seen.saturating_add(u64::try_from(segs.len()).unwrap_or(u64::MAX));
        for s in segs {
            sink(s)?;
        }
    }
    Ok(())
}

#[cfg(not(feature = "datafusion"))]
pub(crate) fn for_each_parquet_segment(
    _path: &Path,
    _sink: impl FnMut(StreamSegment) -> Result<(), CliError>,
) -> Result<(), CliError> {
    Err(not_built("Parquet input"))
}
