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

/// `threads`, or every thread the machine has for 0.
#[cfg(feature = "datafusion")]
fn all_if_zero(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
}

/// Registers the file at `path` as the table `segments` of a DataFusion session with
/// `threads` partitions (0: all) and runs `run` on it.
#[cfg(feature = "datafusion")]
fn with_datafusion<T>(
    path: &Path,
    threads: usize,
    run: impl AsyncFnOnce(
        &mediameter_datafusion::datafusion::prelude::SessionContext,
    ) -> Result<T, mediameter_datafusion::Error>,
) -> Result<T, CliError> {
    use mediameter_datafusion::datafusion::prelude::{SessionConfig, SessionContext};
    let threads = all_if_zero(threads);
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
        run(&ctx).await.map_err(engine_err)
    })
}

/// The engine's mergeable state of `query` over the file at `path`.
#[cfg(feature = "datafusion")]
pub(crate) fn datafusion_state(
    path: &Path,
    query: &UsageQuery,
    threads: usize,
) -> Result<UsageState, CliError> {
    with_datafusion(path, threads, async |ctx| {
        mediameter_datafusion::state_of(ctx, "segments", query).await
    })
}

/// The report of `query` by the DataFusion engine (its final aggregate reports: the merged
/// state is never serialized and read back).
#[cfg(feature = "datafusion")]
pub(crate) fn datafusion_report(
    path: &Path,
    query: &UsageQuery,
    policy: MinutePolicy,
    threads: usize,
) -> Result<UsageReport, CliError> {
    with_datafusion(path, threads, async |ctx| {
        mediameter_datafusion::run_query(ctx, "segments", query, policy).await
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
#[cfg(not(feature = "datafusion"))]
pub(crate) fn datafusion_report(
    _path: &Path,
    _query: &UsageQuery,
    _policy: MinutePolicy,
    _threads: usize,
) -> Result<UsageReport, CliError> {
    Err(not_built("--engine datafusion"))
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

/// The report of `query` over the Parquet file at `path` on the kernel: the file's row groups
/// are shared out between `threads` threads (0: all), each decoding only the columns the query
/// reads into a [`RowLoader`](mediameter_usage::RowLoader) of its own; the loaders' rows are
/// then reported together. Records are numbered from 1 in file order.
#[cfg(feature = "datafusion")]
pub(crate) fn parquet_report(
    path: &Path,
    query: &UsageQuery,
    policy: MinutePolicy,
    bad: mediameter_usage::BadRecords,
    threads: usize,
) -> Result<(UsageReport, mediameter_usage::SkipReport), CliError> {
    use mediameter_datafusion::datafusion::parquet::arrow::ProjectionMask;
    use mediameter_datafusion::datafusion::parquet::arrow::arrow_reader::{
        ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
    };
    use mediameter_usage::RowLoader;

    let io_err = |source| CliError::Io {
        what: mediameter_core::echo::echo(&path.to_string_lossy()).to_string(),
        source,
    };
    let open = || std::fs::File::open(path).map_err(io_err);
    let parquet_err = |e: &dyn std::fmt::Display| CliError::input(format!("parquet: {e}"));
    let meta = ArrowReaderMetadata::load(&open()?, ArrowReaderOptions::new())
        .map_err(|e| parquet_err(&e))?;
    // Text columns stored dictionary-encoded in every row group are read as dictionaries.
    let file_meta = std::sync::Arc::clone(meta.metadata());
    let coded = |name: &str| {
        file_meta.row_groups().iter().all(|g| {
            g.columns()
                .iter()
                .any(|c| c.column_descr().name() == name && c.dictionary_page_offset().is_some())
        })
    };
    let meta = ArrowReaderMetadata::try_new(
        std::sync::Arc::clone(&file_meta),
        ArrowReaderOptions::new().with_schema(text_read_as(meta.schema(), coded)),
    )
    .map_err(|e| parquet_err(&e))?;
    let probe = RowLoader::new(query, bad);
    let schema = meta.metadata().file_metadata().schema_descr_ptr();
    let leaves: Vec<usize> = (0..schema.num_columns())
        .filter(|&i| probe.reads(schema.column(i).name()))
        .collect();
    // Each row group's first record number (from 1, in file order).
    let mut firsts = Vec::with_capacity(meta.metadata().num_row_groups());
    let mut next: u64 = 1;
    for g in meta.metadata().row_groups() {
        firsts.push(next);
        next = next.saturating_add(u64::try_from(g.num_rows()).unwrap_or(0));
    }
    let threads = all_if_zero(threads).clamp(1, firsts.len().max(1));
    let loaders = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (meta, leaves, firsts) = (&meta, &leaves, &firsts);
                s.spawn(move || -> Result<RowLoader, CliError> {
                    let mut loader = RowLoader::new(query, bad);
                    let file = open()?;
                    for (g, first) in firsts.iter().enumerate().skip(t).step_by(threads) {
                        // The reader takes a handle: one per row group, on the thread's file.
                        let handle = file.try_clone().map_err(io_err)?;
                        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(
                            handle,
                            meta.clone(),
                        );
                        let mask = ProjectionMask::leaves(
                            builder.parquet_schema(),
                            leaves.iter().copied(),
                        );
                        let reader = builder
                            .with_projection(mask)
                            .with_row_groups(vec![g])
                            .with_batch_size(8192)
                            .build()
                            .map_err(|e| parquet_err(&e))?;
                        let mut record = *first;
                        for batch in reader {
                            let batch = batch.map_err(|e| parquet_err(&e))?;
                            record = load_batch(&mut loader, &batch, record)?;
                        }
                    }
                    Ok(loader)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(CliError::input("a Parquet reader thread stopped")))
            })
            .collect::<Result<Vec<_>, CliError>>()
    })?;
    RowLoader::report(query, loaders, policy, threads).map_err(CliError::input)
}

/// `schema` with its text fields (`Utf8`, `LargeUtf8`) read as `Dictionary(Int32, Utf8)`
/// when `coded` says the file stores the column dictionary-encoded in every row group (each
/// distinct value then reaches the loader once per batch), else as `Utf8View` (a value points
/// into its page instead of being copied into one buffer per batch).
#[cfg(feature = "datafusion")]
fn text_read_as(
    schema: &mediameter_datafusion::datafusion::arrow::datatypes::SchemaRef,
    coded: impl Fn(&str) -> bool,
) -> mediameter_datafusion::datafusion::arrow::datatypes::SchemaRef {
    use mediameter_datafusion::datafusion::arrow::datatypes::{DataType, Field, Schema};
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 => {
                f.as_ref().clone().with_data_type(if coded(f.name()) {
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
                } else {
                    DataType::Utf8View
                })
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    std::sync::Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Hands the rows of `batch` (records `first`, `first + 1`...) to `loader` as columns;
/// returns the next record number. A column the batch lacks is absent from every row.
#[cfg(feature = "datafusion")]
fn load_batch(
    loader: &mut mediameter_usage::RowLoader,
    batch: &mediameter_datafusion::datafusion::arrow::record_batch::RecordBatch,
    first: u64,
) -> Result<u64, CliError> {
    let columns = mediameter_datafusion::SegmentBatch::from_batch(batch)
        .map_err(|e| CliError::input(format!("parquet: {e}")))?;
    columns
        .with_columns(|c| loader.push_columns(first, c))
        .map_err(CliError::input)?;
    Ok(first.saturating_add(u64::try_from(columns.rows()).unwrap_or(u64::MAX)))
}

#[cfg(not(feature = "datafusion"))]
pub(crate) fn parquet_report(
    _path: &Path,
    _query: &UsageQuery,
    _policy: MinutePolicy,
    _bad: mediameter_usage::BadRecords,
    _threads: usize,
) -> Result<(UsageReport, mediameter_usage::SkipReport), CliError> {
    Err(not_built("Parquet input"))
}

#[cfg(not(feature = "datafusion"))]
pub(crate) fn for_each_parquet_segment(
    _path: &Path,
    _sink: impl FnMut(StreamSegment) -> Result<(), CliError>,
) -> Result<(), CliError> {
    Err(not_built("Parquet input"))
}
