//! `mediameter usage`: usage aggregation of stream segments (CSV or JSON Lines) into hour or
//! day buckets, with split-by dimensions, filters, distributions, communication records and
//! the vendors' response shapes.

// Doc comments of the flags are the `--help` text, shown verbatim: no Markdown backticks.
#![allow(clippy::doc_markdown)]

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use mediameter_core::{BillingZone, MinutePolicy, StreamSegment, TimeRange};
use mediameter_usage::vendor::{DistributionResponse, ProducerUsageResponse, ResponseMetadata};
use mediameter_usage::{
    Aggregator, BadRecords, Dimension, DistinctMode, IdScope, Indicator, InputFormat, Metrics,
    ProportionMode, SegmentReader, SegmentTable, SkipReport, UsageQuery, UsageReport, UsageState,
    communication_records, distribution_by, parse_interval,
};

use mediameter_core::echo::echo;

use crate::engine::{
    Engine, datafusion_report, datafusion_state, for_each_parquet_segment, is_parquet,
    parquet_report,
};
use crate::io::{CliError, write_json};

const SAMPLE: &str = include_str!("../data/usage_sample.csv");

/// Output formats of `mediameter usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum UsageFormat {
    /// The crate's report as pretty JSON (the default).
    #[default]
    Json,
    /// The vendor's JSON shape: Alibaba `DescribeLiveProducerUsageData` for a report,
    /// Volcengine `ListOperationDistribution` for a distribution.
    VendorJson,
    /// The Alibaba `DescribeLiveProducerUsageData` XML shape (reports only).
    Xml,
    /// The exported table as CSV (aggregated rows, or the per-user detail of records).
    Csv,
    /// An aligned table for people.
    Table,
}

/// Where the segments come from and what to compute from them.
#[derive(clap::Args, Debug)]
pub(crate) struct UsageArgs {
    /// Segments as CSV (header: app,channel,user,role,spec,region,start,end[,publisher,domain,
    /// instance,type]) or JSON Lines; a file, or standard input when omitted or `-`.
    pub(crate) input: Option<PathBuf>,
    /// Input format; detected from the file extension or the first character when omitted.
    #[arg(long, value_parser = ["csv", "jsonl", "parquet"])]
    pub(crate) input_format: Option<String>,
    /// Engine: kernel (this process, the default) or datafusion (Apache DataFusion with
    /// mediameter's functions; a CSV, JSON Lines or Parquet file). datafusion and Parquet input
    /// need a build with the datafusion feature.
    #[arg(long, value_enum, default_value_t = Engine::Kernel)]
    pub(crate) engine: Engine,
    /// Bucket width: 3600 (hour) or 86400 (day).
    #[arg(long, default_value = "3600")]
    pub(crate) interval: String,
    /// Zone the buckets are aligned in: GMT+8, UTC, +05:30, ...
    #[arg(long, default_value = "GMT+8")]
    pub(crate) zone: String,
    /// Comma-separated dimensions to split by: app, region, domain, instance, type, spec, role.
    #[arg(long, default_value = "")]
    pub(crate) split_by: String,
    /// Keep only these apps (comma-separated; empty: all).
    #[arg(long, default_value = "")]
    pub(crate) app: String,
    /// Keep only these regions (comma-separated; empty: all).
    #[arg(long, default_value = "")]
    pub(crate) region: String,
    /// Keep only these domains (comma-separated; empty: all).
    #[arg(long, default_value = "")]
    pub(crate) domain: String,
    /// Keep only these instances (comma-separated; empty: all).
    #[arg(long, default_value = "")]
    pub(crate) instance: String,
    /// Keep only these product types (comma-separated; empty: all).
    #[arg(long = "type", default_value = "")]
    pub(crate) product_type: String,
    /// Keep only these specs (comma-separated; empty: all).
    #[arg(long, default_value = "")]
    pub(crate) spec: String,
    /// Keep only this role: pub or sub.
    #[arg(long, default_value = "")]
    pub(crate) role: String,
    /// Count only time from this instant (RFC 3339 or Unix seconds).
    #[arg(long)]
    pub(crate) start: Option<String>,
    /// Count only time before this instant (RFC 3339 or Unix seconds).
    #[arg(long)]
    pub(crate) end: Option<String>,
    /// Print the distribution of distinct users by this dimension instead of the report.
    #[arg(long)]
    pub(crate) distribution: Option<String>,
    /// Distribution indicator: user_num (user_count accepted).
    #[arg(long, default_value = "user_num")]
    pub(crate) indicator: String,
    /// Proportions: vendor (each truncated to 2 decimals) or largest-remainder (sum 100.00).
    #[arg(long, default_value = "vendor")]
    pub(crate) proportion: String,
    /// Print communication records (channel sessions and per-user detail) instead.
    #[arg(long)]
    pub(crate) records: bool,
    /// Count distinct users and channels with HyperLogLog sketches of this precision (4-16).
    #[arg(long)]
    pub(crate) approximate: Option<u8>,
    /// Metrics beyond durations, comma-separated: users, channels, peaks (concurrent channels
    /// and communications), stream_peaks (concurrent streams); or all, or durations for none
    /// of them. Durations (seconds and billable minutes) are always on; fewer metrics make the
    /// query cheaper, and a metric off prints empty (JSON null, - in a table).
    #[arg(long, default_value = "all")]
    pub(crate) metrics: String,
    /// How a user or channel is identified when counted: app (its app and its id: u1 of two
    /// apps is two users; per_app accepted) or global (its id alone, as SQL
    /// count(DISTINCT user) counts).
    #[arg(long, default_value = "app")]
    pub(crate) id_scope: String,
    /// Billable minutes: exact, ceil_per_record or ceil_per_period.
    #[arg(long, default_value = "ceil_per_period")]
    pub(crate) minute_policy: String,
    /// Skip malformed records (counted and reported on stderr) instead of stopping.
    #[arg(long)]
    pub(crate) skip_bad: bool,
    /// Threads for a CSV report (0: as many as the machine has). The CSV is streamed in
    /// blocks to that many workers, keeping only the rows and columns the query needs; the
    /// report is the same whatever the number.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=64))]
    pub(crate) threads: u16,
    /// The input is sorted by segment start: aggregate with memory that does not grow with
    /// the number of segments (an unsorted segment is an error naming its line).
    #[arg(long, conflicts_with_all = ["threads", "records", "distribution"])]
    pub(crate) sorted: bool,
    /// Request id written into vendor shapes.
    #[arg(long, default_value = "mediameter")]
    pub(crate) request_id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = UsageFormat::Json)]
    pub(crate) format: UsageFormat,
}

fn input_err(e: impl std::fmt::Display) -> CliError {
    CliError::input(e)
}

/// A flag's value is wrong: an argument error (exit status 2).
fn arg_err(e: impl std::fmt::Display) -> CliError {
    CliError::usage(e)
}

/// An aggregator's error: the line of its place counts segments (the reader has already
/// turned lines into segments), so it is named as such.
fn segment_err(e: mediameter_usage::Error) -> CliError {
    if let mediameter_usage::Error::At { place, source } = &e
        && let Some(line) = place.line()
    {
        let field = place
            .field()
            .map(|f| format!(", field {f}"))
            .unwrap_or_default();
        return CliError::input(format!("segment {line} of the input{field}: {source}"));
    }
    CliError::input(e)
}

/// A `--start`/`--end` flag: core's one parser, its error as an argument error.
fn parse_instant(s: &str, what: &str) -> Result<DateTime<Utc>, CliError> {
    mediameter_core::time::parse_instant(s).map_err(|e| CliError::usage(format!("--{what}: {e}")))
}

/// The `--id-scope` flag: `app` (or the library's `per_app`) and `global`.
fn id_scope(s: &str) -> Result<IdScope, CliError> {
    match s {
        "app" | "per_app" | "per-app" => Ok(IdScope::PerApp),
        "global" => Ok(IdScope::Global),
        _ => Err(arg_err(mediameter_usage::Error::invalid(
            "id scope",
            s,
            "app (per_app) or global",
        ))),
    }
}

/// The `--minute-policy` flag: core's parser, its error as an argument error.
fn minute_policy(s: &str) -> Result<MinutePolicy, CliError> {
    s.parse()
        .map_err(|e| CliError::usage(format!("--minute-policy: {e}")))
}

fn build_query(args: &UsageArgs) -> Result<(UsageQuery, Option<TimeRange>), CliError> {
    let zone: BillingZone = args.zone.parse().map_err(arg_err)?;
    let mut q = UsageQuery::new(zone, parse_interval(&args.interval).map_err(arg_err)?);
    let mut split = Dimension::parse_list(&args.split_by).map_err(arg_err)?;
    if let Some(d) = &args.distribution {
        let d: Dimension = d.parse().map_err(arg_err)?;
        split = vec![d];
    }
    q = q.with_split_by(split);
    for (dim, list) in [
        (Dimension::App, &args.app),
        (Dimension::Region, &args.region),
        (Dimension::Domain, &args.domain),
        (Dimension::Instance, &args.instance),
        (Dimension::ProductType, &args.product_type),
        (Dimension::Spec, &args.spec),
        (Dimension::Role, &args.role),
    ] {
        q = q.with_filter(dim, list.split(',')).map_err(arg_err)?;
    }
    let range = match (&args.start, &args.end) {
        (None, None) => None,
        (s, e) => {
            let s = s
                .as_deref()
                .map_or(Ok(DateTime::<Utc>::MIN_UTC), |s| parse_instant(s, "start"))?;
            let e = e
                .as_deref()
                .map_or(Ok(DateTime::<Utc>::MAX_UTC), |e| parse_instant(e, "end"))?;
            let lo = s.max(
                DateTime::from_timestamp(mediameter_core::time::MIN_UNIX_SECONDS, 0)
                    .unwrap_or_default(),
            );
            let hi = e.min(
                DateTime::from_timestamp(mediameter_core::time::END_UNIX_SECONDS, 0)
                    .unwrap_or_default(),
            );
            Some(TimeRange::new(lo, hi).map_err(arg_err)?)
        }
    };
    if let Some(r) = range {
        q = q.with_range(r);
    }
    if let Some(p) = args.approximate {
        q = q.with_distinct(DistinctMode::approximate(p).map_err(arg_err)?);
    }
    let metrics: Metrics = args.metrics.parse().map_err(arg_err)?;
    q = q
        .with_metrics(metrics)
        .with_id_scope(id_scope(&args.id_scope)?);
    Ok((q, range))
}

pub(crate) fn open(
    path: Option<&Path>,
) -> Result<(Box<dyn BufRead>, Option<InputFormat>), CliError> {
    match path {
        Some(p) if p != Path::new("-") => {
            let file = std::fs::File::open(p).map_err(|source| CliError::Io {
                what: echo(&p.to_string_lossy()).to_string(),
                source,
            })?;
            let fmt = match p.extension().and_then(|e| e.to_str()) {
                Some("csv") => Some(InputFormat::Csv),
                Some("jsonl" | "ndjson") => Some(InputFormat::JsonLines),
                _ => None,
            };
            Ok((Box::new(BufReader::with_capacity(1 << 16, file)), fmt))
        }
        _ => Ok((
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
            None,
        )),
    }
}

/// What `--skip-bad` asks for bad records.
fn bad_records(skip_bad: bool) -> BadRecords {
    if skip_bad {
        BadRecords::Skip
    } else {
        BadRecords::Fail
    }
}

/// Reads segments and hands each to `sink`; reports skips and progress on stderr.
pub(crate) fn for_each_segment(
    input: Box<dyn BufRead>,
    format: InputFormat,
    skip_bad: bool,
    mut sink: impl FnMut(StreamSegment) -> Result<(), CliError>,
) -> Result<SkipReport, CliError> {
    let bad = bad_records(skip_bad);
    let mut reader = SegmentReader::new(input, format, bad).map_err(input_err)?;
    let progress = std::io::stderr().is_terminal();
    let mut n: u64 = 0;
    for seg in reader.by_ref() {
        sink(seg.map_err(input_err)?)?;
        n = n.saturating_add(1);
        if progress && n.is_multiple_of(1_000_000) {
            eprint!("\rmediameter: {n} segments read");
        }
    }
    if progress && n >= 1_000_000 {
        eprintln!("\rmediameter: {n} segments read");
    }
    let report = reader.skip_report().clone();
    print_skips(&report);
    Ok(report)
}

/// Says on stderr what was skipped.
fn print_skips(report: &SkipReport) {
    if report.skipped > 0 {
        eprintln!("mediameter usage: skipped {} bad record(s)", report.skipped);
        for e in &report.first_errors {
            eprintln!("  {e}");
        }
    }
}

/// The report of a CSV input: [`SegmentTable::query_csv`] streams it on `threads` threads
/// (0: all), keeping only what the query needs.
fn csv_report(
    input: Box<dyn BufRead>,
    query: &UsageQuery,
    policy: MinutePolicy,
    skip_bad: bool,
    threads: usize,
) -> Result<UsageReport, CliError> {
    let bad = bad_records(skip_bad);
    let (report, skips) =
        SegmentTable::query_csv(input, query, policy, bad, threads).map_err(input_err)?;
    print_skips(&skips);
    Ok(report)
}

pub(crate) fn detect(input: &mut Box<dyn BufRead>) -> Result<InputFormat, CliError> {
    let head = input.fill_buf().map_err(|source| CliError::Io {
        what: "input".to_owned(),
        source,
    })?;
    Ok(InputFormat::detect(&String::from_utf8_lossy(head)))
}

/// Refuses an output format the requested output does not have (argument error).
fn check_format(args: &UsageArgs) -> Result<(), CliError> {
    match args.format {
        UsageFormat::Xml if args.distribution.is_some() => Err(CliError::usage(
            "--format xml is the DescribeLiveProducerUsageData shape: not for a distribution",
        )),
        UsageFormat::VendorJson | UsageFormat::Xml if args.records => Err(CliError::usage(
            "communication records print as json, csv or table",
        )),
        _ if args.distribution.is_some()
            && args.metrics.parse().is_ok_and(|m: Metrics| !m.users) =>
        {
            Err(CliError::usage(
                "--distribution counts distinct users: --metrics must include users",
            ))
        }
        _ => Ok(()),
    }
}

/// Runs `mediameter usage`.
pub(crate) fn run(args: &UsageArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (query, range) = build_query(args)?;
    let policy = minute_policy(&args.minute_policy)?;
    // Every flag is checked before the input is read: a mistake in one is an argument error
    // (exit status 2), not something found after a long read.
    let _: Indicator = args.indicator.parse().map_err(arg_err)?;
    let _: ProportionMode = args.proportion.parse().map_err(arg_err)?;
    check_format(args)?;
    if args.engine == Engine::Datafusion {
        return run_datafusion(args, &query, range, policy, out);
    }
    if is_parquet(args.input.as_deref(), args.input_format.as_deref()) {
        return run_parquet(args, &query, range, policy, out);
    }
    let (mut input, by_ext) = open(args.input.as_deref())?;
    let format = match (&args.input_format, by_ext) {
        (Some(f), _) => f.parse().map_err(arg_err)?,
        (None, Some(f)) => f,
        (None, None) => detect(&mut input)?,
    };
    if args.records {
        let mut segs = Vec::new();
        for_each_segment(input, format, args.skip_bad, |s| {
            if query.accepts(&s) {
                segs.push(s);
            }
            Ok(())
        })?;
        return print_records(&segs, args.format, out);
    }
    if format == InputFormat::Csv && args.distribution.is_none() && !args.sorted {
        let report = csv_report(
            input,
            &query,
            policy,
            args.skip_bad,
            usize::from(args.threads),
        )?;
        return print_report(&report, range, args, out);
    }
    let mut agg = aggregator(&query, args.sorted)?;
    for_each_segment(input, format, args.skip_bad, |s| {
        agg.push(&s).map_err(segment_err)
    })?;
    if let Some(by) = distribution(args)? {
        return print_distribution_of(&agg.to_state().map_err(input_err)?, by, args, out);
    }
    let report = agg.report(policy).map_err(input_err)?;
    print_report(&report, range, args, out)
}

/// The aggregator of `query`: in its mode for sorted input with `--sorted` (memory bounded by
/// the open segments), else mergeable.
fn aggregator(query: &UsageQuery, sorted: bool) -> Result<Aggregator, CliError> {
    let agg = if sorted {
        Aggregator::sorted(query.clone())
    } else {
        Aggregator::new(query.clone())
    };
    agg.map_err(input_err)
}

/// The input file, refused with `refusal` when it is standard input (`-` or none).
fn input_file<'a>(args: &'a UsageArgs, refusal: &str) -> Result<&'a Path, CliError> {
    args.input
        .as_deref()
        .filter(|p| *p != Path::new("-"))
        .ok_or_else(|| arg_err(refusal))
}

/// `--distribution DIM` with `--proportion`, when asked for (an argument error for a bad
/// value, found before the input is read).
fn distribution(args: &UsageArgs) -> Result<Option<(Dimension, ProportionMode)>, CliError> {
    let Some(dim) = &args.distribution else {
        return Ok(None);
    };
    let dim: Dimension = dim.parse().map_err(arg_err)?;
    let mode: ProportionMode = args.proportion.parse().map_err(arg_err)?;
    Ok(Some((dim, mode)))
}

/// Prints the distribution of `state` by `dim` under `mode`.
fn print_distribution_of(
    state: &UsageState,
    (dim, mode): (Dimension, ProportionMode),
    args: &UsageArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let rows = distribution_by(state, dim, mode).map_err(input_err)?;
    print_distribution(&rows, dim, args, out)
}

/// `--engine datafusion`: the report (or distribution) computed by DataFusion over the file.
fn run_datafusion(
    args: &UsageArgs,
    query: &UsageQuery,
    range: Option<TimeRange>,
    policy: MinutePolicy,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let path = input_file(
        args,
        "--engine datafusion reads a file (CSV, JSON Lines or Parquet), not standard input",
    )?;
    if args.records || args.sorted || args.skip_bad {
        return Err(arg_err(
            "--engine datafusion computes reports and distributions: --records, --sorted and --skip-bad need the kernel engine",
        ));
    }
    if let Some(by) = distribution(args)? {
        let state = datafusion_state(path, query, usize::from(args.threads))?;
        return print_distribution_of(&state, by, args, out);
    }
    let report = datafusion_report(path, query, policy, usize::from(args.threads))?;
    print_report(&report, range, args, out)
}

/// A Parquet file on the kernel engine: its segments through the same paths as JSON Lines.
fn run_parquet(
    args: &UsageArgs,
    query: &UsageQuery,
    range: Option<TimeRange>,
    policy: MinutePolicy,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let path = input_file(
        args,
        "Parquet input is read from a file, not standard input",
    )?;
    if args.records {
        let mut segs = Vec::new();
        for_each_parquet_segment(path, |s| {
            if query.accepts(&s) {
                segs.push(s);
            }
            Ok(())
        })?;
        return print_records(&segs, args.format, out);
    }
    if args.sorted || args.distribution.is_some() {
        let mut agg = aggregator(query, args.sorted)?;
        for_each_parquet_segment(path, |s| agg.push(&s).map_err(segment_err))?;
        if let Some(by) = distribution(args)? {
            return print_distribution_of(&agg.to_state().map_err(input_err)?, by, args, out);
        }
        let report = agg.report(policy).map_err(input_err)?;
        return print_report(&report, range, args, out);
    }
    let bad = bad_records(args.skip_bad);
    let (report, skips) = parquet_report(path, query, policy, bad, usize::from(args.threads))?;
    print_skips(&skips);
    print_report(&report, range, args, out)
}

/// The report `mediameter report usage` draws: the aggregated report and, when the segments
/// are split by region, the distribution of distinct users by region (vendor proportions).
pub(crate) fn report_with_regions(
    args: &UsageArgs,
) -> Result<(UsageReport, Option<Vec<mediameter_usage::DistributionRow>>), CliError> {
    let (query, _) = build_query(args)?;
    let policy = minute_policy(&args.minute_policy)?;
    let (mut input, by_ext) = open(args.input.as_deref())?;
    let format = match (&args.input_format, by_ext) {
        (Some(f), _) => f.parse().map_err(input_err)?,
        (None, Some(f)) => f,
        (None, None) => detect(&mut input)?,
    };
    let mut agg = Aggregator::new(query.clone()).map_err(input_err)?;
    for_each_segment(input, format, args.skip_bad, |s| {
        agg.push(&s).map_err(segment_err)
    })?;
    regions_and_report(&agg, &query, policy)
}

fn regions_and_report(
    agg: &Aggregator,
    query: &UsageQuery,
    policy: MinutePolicy,
) -> Result<(UsageReport, Option<Vec<mediameter_usage::DistributionRow>>), CliError> {
    let report = agg.report(policy).map_err(input_err)?;
    // The distribution by region counts users: none without them.
    let regions = if query.split_by().contains(&Dimension::Region) && query.metrics().users {
        Some(
            distribution_by(
                &agg.to_state().map_err(input_err)?,
                Dimension::Region,
                ProportionMode::VENDOR,
            )
            .map_err(input_err)?,
        )
    } else {
        None
    };
    Ok((report, regions))
}

/// The bundled sample month, by GMT+8 day and region, for the demo's HTML report.
pub(crate) fn demo_report()
-> Result<(UsageReport, Option<Vec<mediameter_usage::DistributionRow>>), CliError> {
    let segs = mediameter_usage::parse_csv(SAMPLE).map_err(input_err)?;
    let q = UsageQuery::new(BillingZone::GMT8, mediameter_core::Granularity::DAY)
        .with_split_by([Dimension::Region]);
    let mut agg = Aggregator::new(q.clone()).map_err(input_err)?;
    agg.extend(&segs).map_err(input_err)?;
    regions_and_report(&agg, &q, MinutePolicy::CeilPerPeriod)
}

fn print_distribution(
    rows: &[mediameter_usage::DistributionRow],
    dim: Dimension,
    args: &UsageArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match args.format {
        UsageFormat::Json => write_json(out, &rows),
        UsageFormat::VendorJson => {
            let meta = ResponseMetadata::list_operation_distribution(args.request_id.clone());
            write_json(
                out,
                &DistributionResponse::from_rows(meta, dim.as_str(), rows),
            )
        }
        UsageFormat::Csv => {
            let mut s = String::new();
            mediameter_usage::csv::write_record(&mut s, ["name", "value", "proportion"]);
            for r in rows {
                let (v, p) = (r.value.to_string(), r.proportion.to_string());
                mediameter_usage::csv::write_record(
                    &mut s,
                    [r.name.as_str(), v.as_str(), p.as_str()],
                );
            }
            out.write_all(s.as_bytes())?;
            Ok(())
        }
        UsageFormat::Table => {
            writeln!(
                out,
                "{:<24} {:>10} {:>10}",
                dim.as_str(),
                "user_num",
                "percent"
            )?;
            for r in rows {
                writeln!(out, "{:<24} {:>10} {:>10}", r.name, r.value, r.proportion)?;
            }
            Ok(())
        }
        UsageFormat::Xml => Err(CliError::input(
            "--format xml is the DescribeLiveProducerUsageData shape: not for a distribution",
        )),
    }
}

fn print_records(
    segs: &[StreamSegment],
    format: UsageFormat,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let sessions = communication_records(segs).map_err(input_err)?;
    match format {
        UsageFormat::Json => write_json(out, &sessions),
        UsageFormat::Csv => {
            out.write_all(mediameter_usage::csv::user_detail_csv(&sessions).as_bytes())?;
            Ok(())
        }
        UsageFormat::Table => {
            writeln!(
                out,
                "{:<12} {:<12} {:<20} {:<20} {:>4} {:>4} {:>9} {:>9}",
                "app", "channel", "start", "end", "pubs", "subs", "pub_s", "sub_s"
            )?;
            for s in &sessions {
                writeln!(
                    out,
                    "{:<12} {:<12} {:<20} {:<20} {:>4} {:>4} {:>9} {:>9}",
                    s.app,
                    s.channel,
                    s.start.format("%Y-%m-%dT%H:%M:%SZ"),
                    s.end.format("%Y-%m-%dT%H:%M:%SZ"),
                    s.publishers,
                    s.subscribers,
                    s.publish_seconds.total(),
                    s.subscribe_seconds.total()
                )?;
            }
            Ok(())
        }
        UsageFormat::VendorJson | UsageFormat::Xml => Err(CliError::input(
            "communication records print as json, csv or table",
        )),
    }
}

fn print_report(
    report: &UsageReport,
    range: Option<TimeRange>,
    args: &UsageArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let vendor = || -> Result<ProducerUsageResponse, CliError> {
        // StartTime/EndTime: the bounds given on the command line, else the extent of the
        // buckets reported (an empty report spans one interval from the epoch).
        let width = chrono::TimeDelta::seconds(i64::from(report.interval.seconds()));
        let first = report
            .rows
            .iter()
            .map(|r| r.bucket_start)
            .min()
            .unwrap_or_default();
        let last = report
            .rows
            .iter()
            .map(|r| r.bucket_start)
            .max()
            .unwrap_or_default();
        let start = match (&args.start, range) {
            (Some(_), Some(r)) => r.start(),
            _ => first,
        };
        let end = match (&args.end, range) {
            (Some(_), Some(r)) => r.end(),
            _ => last.checked_add_signed(width).unwrap_or(last),
        };
        let end = if end > start {
            end
        } else {
            start.checked_add_signed(width).unwrap_or(end)
        };
        ProducerUsageResponse::from_report(report, &args.request_id, start, end).map_err(input_err)
    };
    match args.format {
        UsageFormat::Json => write_json(out, report),
        UsageFormat::VendorJson => write_json(out, &vendor()?),
        UsageFormat::Xml => {
            out.write_all(vendor()?.to_xml().as_bytes())?;
            Ok(())
        }
        UsageFormat::Csv => {
            out.write_all(mediameter_usage::csv::report_csv(report).as_bytes())?;
            Ok(())
        }
        UsageFormat::Table => write_table(report, out),
    }
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

fn write_table(report: &UsageReport, out: &mut dyn Write) -> Result<(), CliError> {
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&report.zone.fixed_offset())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let mut header = format!("{:<19}", format!("bucket ({})", report.zone));
    for d in &report.split_by {
        header.push_str(&format!(" {:<14}", d.as_str()));
    }
    header.push_str(&format!(
        " {:>9} {:>9} {:>8} {:>6} {:>6} {:>8} {:>8} {:>8}",
        "sub_s", "pub_s", "bill_min", "users", "chans", "peak_ch", "peak_com", "peak_st"
    ));
    writeln!(out, "{header}")?;
    for r in &report.rows {
        let mut line = format!("{:<19}", local(r.bucket_start));
        for (_, v) in &r.group {
            line.push_str(&format!(" {:<14}", v.as_deref().unwrap_or("-")));
        }
        let minutes: rust_decimal::Decimal = r.billable_minutes.0.iter().sum();
        line.push_str(&format!(
            " {:>9} {:>9} {:>8} {:>6} {:>6} {:>8} {:>8} {:>8}",
            r.subscribe_seconds.total(),
            r.publish_seconds.total(),
            minutes.normalize(),
            opt(r.active_users),
            opt(r.channels),
            opt(r.peak_channels),
            opt(r.peak_communications),
            opt(r.peak_streams)
        ));
        writeln!(out, "{line}")?;
    }
    for t in &report.totals {
        let label: Vec<String> = t
            .group
            .iter()
            .map(|(d, v)| format!("{d}={}", v.as_deref().unwrap_or("-")))
            .collect();
        let minutes: rust_decimal::Decimal = t.billable_minutes.0.iter().sum();
        writeln!(
            out,
            "total {}: subscribe {} s, publish {} s, billable {} min, users {}, channels {}, peak channels {}, peak communications {}, peak streams {}",
            if label.is_empty() {
                "all".to_owned()
            } else {
                label.join(" ")
            },
            t.subscribe_seconds.total(),
            t.publish_seconds.total(),
            minutes.normalize(),
            opt(t.active_users),
            opt(t.channels),
            opt(t.peak_channels),
            opt(t.peak_communications),
            opt(t.peak_streams)
        )?;
    }
    Ok(())
}

/// The usage section of `mediameter demo`: the bundled sample month, by GMT+8 day and region,
/// its distribution by region, and its busiest channel sessions.
pub(crate) fn demo(out: &mut dyn Write) -> Result<(), CliError> {
    let segs = mediameter_usage::parse_csv(SAMPLE).map_err(input_err)?;
    let q = UsageQuery::new(BillingZone::GMT8, mediameter_core::Granularity::DAY)
        .with_split_by([Dimension::Region]);
    let mut agg = Aggregator::new(q.clone()).map_err(input_err)?;
    agg.extend(&segs).map_err(input_err)?;
    let report = agg.report(MinutePolicy::CeilPerPeriod).map_err(input_err)?;
    writeln!(
        out,
        "== usage: {} segments of the sample month, by GMT+8 day and region ==",
        segs.len()
    )?;
    write_table(&report, out)?;
    writeln!(out)?;
    writeln!(
        out,
        "== usage: distinct users by region (ListOperationDistribution) =="
    )?;
    let state = agg.to_state().map_err(input_err)?;
    for mode in [ProportionMode::VENDOR, ProportionMode::LargestRemainder] {
        let rows = distribution_by(&state, Dimension::Region, mode).map_err(input_err)?;
        let sum: rust_decimal::Decimal = rows.iter().map(|r| r.proportion).sum();
        let cells: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {} ({}%)", r.name, r.value, r.proportion))
            .collect();
        let name = if mode == ProportionMode::LargestRemainder {
            "largest remainder"
        } else {
            "vendor (truncated)"
        };
        writeln!(out, "{name:<19}: {} | sum {sum}", cells.join(", "))?;
    }
    writeln!(out)?;
    let sessions = communication_records(&segs).map_err(input_err)?;
    writeln!(
        out,
        "== usage: communication records ({} channel sessions; the three longest) ==",
        sessions.len()
    )?;
    let mut longest: Vec<_> = sessions.iter().collect();
    longest.sort_by_key(|s| std::cmp::Reverse(s.duration_seconds()));
    for s in longest.into_iter().take(3) {
        writeln!(
            out,
            "{} {} {}: {} s, {} publisher(s), {} subscriber(s), subscribed {} s",
            s.app,
            s.channel,
            s.start.format("%Y-%m-%dT%H:%M:%SZ"),
            s.duration_seconds(),
            s.publishers,
            s.subscribers,
            s.subscribe_seconds.total()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use clap::Parser;

    use super::*;

    #[derive(clap::Parser)]
    struct T {
        #[command(flatten)]
        args: UsageArgs,
    }

    fn run_with(argv: &[&str]) -> Result<String, CliError> {
        let t = T::try_parse_from(std::iter::once("usage").chain(argv.iter().copied())).unwrap();
        let mut out = Vec::new();
        run(&t.args, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// A copy of the sample in a temporary file, removed when dropped.
    struct TempCsv(std::path::PathBuf);

    impl Drop for TempCsv {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn sample_file() -> TempCsv {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!(
            "mediameter-usage-sample-{}-{n}.csv",
            std::process::id()
        ));
        std::fs::write(&p, SAMPLE).unwrap();
        TempCsv(p)
    }

    #[test]
    fn demo_prints_every_section() {
        let mut out = Vec::new();
        demo(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("by GMT+8 day and region"));
        assert!(text.contains("largest remainder"));
        assert!(text.contains("| sum 100.00"));
    }

    #[test]
    fn json_report_and_vendor_shapes() {
        let file = sample_file();
        let f = file.0.to_str().unwrap();
        let json = run_with(&[f, "--interval", "86400", "--split-by", "region"]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(v["rows"].as_array().unwrap().len() > 3);
        let xml = run_with(&[
            f,
            "--interval",
            "day",
            "--split-by",
            "region",
            "--format",
            "xml",
        ])
        .unwrap();
        assert!(mediameter_usage::vendor::ProducerUsageResponse::from_xml(&xml).is_ok());
        let dist = run_with(&[
            f,
            "--distribution",
            "region",
            "--proportion",
            "largest-remainder",
            "--format",
            "vendor-json",
        ])
        .unwrap();
        let d: mediameter_usage::vendor::DistributionResponse =
            serde_json::from_str(&dist).unwrap();
        let sum: rust_decimal::Decimal = d.result.data.iter().map(|r| r.proportion).sum();
        assert_eq!(sum.to_string(), "100.00");
        let csv = run_with(&[f, "--records", "--format", "csv"]).unwrap();
        assert!(csv.starts_with("app,channel,session_start,user,join,leave,"));
    }

    #[test]
    fn threads_give_the_same_report() {
        let file = sample_file();
        let f = file.0.to_str().unwrap();
        for flags in [
            &["--split-by", "region,spec"][..],
            &["--interval", "day", "--split-by", "app", "--format", "csv"][..],
            &["--role", "sub", "--approximate", "10"][..],
        ] {
            let one = run_with(&[&[f][..], flags].concat()).unwrap();
            let two = run_with(&[&[f, "--threads", "2"][..], flags].concat()).unwrap();
            assert_eq!(one, two, "{flags:?}");
        }
        // 0: as many threads as the machine has; the same report.
        assert_eq!(
            run_with(&[f, "--threads", "0"]).unwrap(),
            run_with(&[f]).unwrap()
        );
        assert!(T::try_parse_from(["usage", f, "--threads", "65"]).is_err());
        assert!(T::try_parse_from(["usage", f, "--threads", "2", "--sorted"]).is_err());
    }

    #[test]
    fn sorted_input_gives_the_same_report() {
        let mut lines: Vec<&str> = SAMPLE.lines().collect();
        let header = lines.remove(0);
        let start_col = header.split(',').position(|c| c == "start").unwrap();
        lines.sort_by_key(|l| l.split(',').nth(start_col).unwrap().parse::<i64>().unwrap());
        let sorted = format!("{header}\n{}\n", lines.join("\n"));
        let p = std::env::temp_dir().join(format!(
            "mediameter-usage-sorted-{}.csv",
            std::process::id()
        ));
        std::fs::write(&p, sorted).unwrap();
        let file = TempCsv(p);
        let f = file.0.to_str().unwrap();
        let flags = ["--split-by", "region", "--format", "csv"];
        let plain = run_with(&[&[f][..], &flags].concat()).unwrap();
        let streamed = run_with(&[&[f, "--sorted"][..], &flags].concat()).unwrap();
        assert_eq!(plain, streamed);
        // Reversed, the input is refused, naming a line.
        lines.reverse();
        std::fs::write(&file.0, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
        let e = run_with(&[f, "--sorted"]).unwrap_err();
        assert!(e.to_string().contains("segment 2 of the input"), "{e}");
        assert!(e.to_string().contains("sorted by start"), "{e}");
    }

    /// Two apps, one user id `u1` in both, one hour: the user counts once by id alone, once
    /// per app otherwise.
    const TWO_APPS: &str = "app,channel,user,role,spec,region,start,end\n\
        a1,c1,u1,sub,audio,r1,1700000000,1700000600\n\
        a2,c1,u1,sub,audio,r1,1700000100,1700000700\n\
        a2,c2,u2,sub,audio,r1,1700000200,1700000300\n";

    fn two_apps_file() -> TempCsv {
        let p = std::env::temp_dir().join(format!(
            "mediameter-usage-two-apps-{}-{:?}.csv",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&p, TWO_APPS).unwrap();
        TempCsv(p)
    }

    /// The one row of a report printed as CSV, by column name.
    fn one_row(csv: &str) -> std::collections::BTreeMap<String, String> {
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert!(lines.next().is_none(), "{csv}");
        header
            .iter()
            .zip(row)
            .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn id_scope_global_counts_a_user_by_id_alone() {
        let file = two_apps_file();
        let f = file.0.to_str().unwrap();
        for threads in ["1", "2"] {
            let base = [f, "--format", "csv", "--threads", threads];
            let per_app = one_row(&run_with(&base).unwrap());
            assert_eq!(per_app["active_users"], "3", "threads {threads}");
            assert_eq!(per_app["channels"], "3", "threads {threads}");
            for scope in ["app", "per_app"] {
                let same = run_with(&[&base[..], &["--id-scope", scope]].concat()).unwrap();
                assert_eq!(one_row(&same), per_app, "{scope}, threads {threads}");
            }
            let global =
                one_row(&run_with(&[&base[..], &["--id-scope", "global"]].concat()).unwrap());
            assert_eq!(global["active_users"], "2", "threads {threads}");
            assert_eq!(global["channels"], "2", "threads {threads}");
            assert_eq!(
                global["subscribe_seconds_audio"],
                per_app["subscribe_seconds_audio"]
            );
        }
    }

    #[test]
    fn metrics_off_print_empty() {
        let file = two_apps_file();
        let f = file.0.to_str().unwrap();
        for threads in ["1", "2"] {
            let base = [f, "--format", "csv", "--threads", threads];
            let all = one_row(&run_with(&base).unwrap());
            assert_eq!(all["subscribe_seconds_audio"], "1300");
            assert_eq!(all["peak_streams"], "3");
            assert_eq!(all["peak_channels"], "3");
            for (metrics, on) in [
                ("durations", &[][..]),
                ("users", &["active_users"][..]),
                ("stream-peaks,channels", &["channels", "peak_streams"][..]),
                ("peaks", &["peak_channels", "peak_communications"][..]),
                (
                    "users,channels,peaks,stream_peaks",
                    &[
                        "active_users",
                        "channels",
                        "peak_channels",
                        "peak_communications",
                        "peak_streams",
                    ][..],
                ),
            ] {
                let row =
                    one_row(&run_with(&[&base[..], &["--metrics", metrics]].concat()).unwrap());
                for (col, v) in &row {
                    let metric = [
                        "active_users",
                        "channels",
                        "peak_channels",
                        "peak_communications",
                        "peak_streams",
                    ]
                    .contains(&col.as_str());
                    if metric && !on.contains(&col.as_str()) {
                        assert_eq!(v, "", "{metrics}: {col}, threads {threads}");
                    } else {
                        assert_eq!(v, &all[col], "{metrics}: {col}, threads {threads}");
                    }
                }
            }
            let table = run_with(&[
                f,
                "--metrics",
                "durations",
                "--format",
                "table",
                "--threads",
                threads,
            ])
            .unwrap();
            assert!(
                table.contains("users -, channels -, peak channels -"),
                "{table}"
            );
        }
    }

    #[test]
    fn report_usage_leaves_out_the_regions_without_users() {
        let file = two_apps_file();
        let f = file.0.to_str().unwrap();
        let args = |metrics: &str| {
            T::try_parse_from(["usage", f, "--split-by", "region", "--metrics", metrics])
                .unwrap()
                .args
        };
        let (report, regions) = report_with_regions(&args("users")).unwrap();
        assert_eq!(report.rows[0].active_users, Some(3));
        assert_eq!(regions.unwrap()[0].value, 3);
        let (report, regions) = report_with_regions(&args("peaks")).unwrap();
        assert_eq!(report.rows[0].active_users, None);
        assert_eq!(report.rows[0].peak_channels, Some(3));
        assert!(regions.is_none());
    }

    #[test]
    fn bad_flags_are_errors() {
        let file = sample_file();
        let f = file.0.to_str().unwrap();
        assert!(run_with(&[f, "--interval", "300"]).is_err());
        assert!(run_with(&[f, "--split-by", "colour"]).is_err());
        assert!(run_with(&[f, "--spec", "8k"]).is_err());
        for flags in [
            &["--metrics", "minutes"][..],
            &["--metrics", "users,,peaks"][..],
            &["--id-scope", "tenant"][..],
            &["--distribution", "region", "--metrics", "channels"][..],
        ] {
            let e = run_with(&[&[f][..], flags].concat()).unwrap_err();
            assert!(matches!(e, CliError::Usage(_)), "{flags:?}: {e:?}");
        }
        let e = run_with(&[f, "--metrics", "users,peak"]).unwrap_err();
        assert!(e.to_string().contains("invalid metric \"peak\""), "{e}");
    }
}
