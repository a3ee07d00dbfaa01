//! `mediameter invoice`: a month of stream segments to a statement, and the invoice section
//! of `mediameter demo`. Argument parsing and printing only: the rules are in the
//! `mediameter` library.

// Doc comments of the flags are the `--help` text, shown verbatim: no Markdown backticks.
#![allow(clippy::doc_markdown)]

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use mediameter::billing::OutOfPeriod;
use mediameter::billing::Tariff;
use mediameter::billing::{EngineState, Pack};
use mediameter::core::{BillingZone, Currency, MinutePolicy};
use mediameter::mapping::Mapping;
use mediameter::{BillingMonth, Invoice, InvoiceOptions, InvoiceRequest};
use mediameter_usage::InputFormat;

use crate::io::{CliError, Format, parse_json, read_input, write_json};

const SAMPLE_SEGMENTS: &str = include_str!("../data/usage_sample.csv");
const SAMPLE_PACKS: &str = include_str!("../data/invoice_packs.json");
const SAMPLE_TARIFF: &str = include_str!("../data/invoice_tariff.json");
const SAMPLE_MAPPING: &str = include_str!("../data/invoice_mapping.json");

/// Invoice a month of stream segments: bill each segment under the mapping (RTC: subscribe
/// time per spec), deduct from the packs earliest expiry first, price the overflow by the
/// tariff, and print the statement with each pack's draw-down and the overflow lines.
#[derive(clap::Args, Debug)]
pub(crate) struct InvoiceArgs {
    /// Segments as CSV (header: app,channel,user,role,spec,region,start,end[,publisher,domain,
    /// instance,type]) or JSON Lines; a file, or standard input when omitted or `-`.
    input: Option<PathBuf>,
    /// Input format; detected from the file extension or the first character when omitted.
    #[arg(long, value_parser = ["csv", "jsonl"])]
    input_format: Option<String>,
    /// The month billed, YYYY-MM, read in --zone.
    #[arg(long)]
    period: String,
    /// The pay-as-you-go tariff (JSON: {"currency", "entries": [...]}).
    #[arg(long)]
    tariff: PathBuf,
    /// Packs bought (JSON array of packs), added after --state.
    #[arg(long)]
    packs: Option<PathBuf>,
    /// Which product and spec segments bill as (JSON: {"rules": [...], "unmatched"?}); RTC
    /// subscribe time per spec when omitted.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// The engine state printed by the previous month's invoice, to continue from.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Zone the month and the hourly slices are read in: GMT+8, UTC, +05:30, ...
    #[arg(long, default_value = "GMT+8")]
    zone: String,
    /// Usage outside the month: refuse (an error naming the segment) or carry (left
    /// unapplied and listed, for the run of its own month).
    #[arg(long, default_value = "refuse")]
    out_of_period: String,
    /// Billed minutes: exact, ceil_per_record or ceil_per_period (once per statement line).
    #[arg(long, default_value = "ceil_per_period")]
    minute_policy: String,
    /// Width of the slices usage is deducted by, in time order: 3600 (hour) or 86400 (day).
    #[arg(long, default_value = "3600")]
    grid: String,
    /// Delivery partition of this run's usage: one per independent source billed into the
    /// same state.
    #[arg(long, default_value_t = 0)]
    partition: u32,
    /// The currency the invoice must be in (ISO 4217); a tariff in another is refused.
    #[arg(long)]
    currency: Option<String>,
    /// Skip malformed segments (counted and reported on stderr) instead of stopping.
    #[arg(long)]
    skip_bad: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn arg_err(flag: &str) -> impl Fn(mediameter::Error) -> CliError + '_ {
    move |e| CliError::usage(format!("--{flag}: {e}"))
}

fn core_arg_err(flag: &str) -> impl Fn(mediameter_core::Error) -> CliError + '_ {
    move |e| CliError::usage(format!("--{flag}: {e}"))
}

/// The options from the flags: every flag checked before any file is read.
fn options(args: &InvoiceArgs) -> Result<(BillingMonth, InvoiceOptions), CliError> {
    let month: BillingMonth = args.period.parse().map_err(arg_err("period"))?;
    let zone = args.zone.parse().map_err(core_arg_err("zone"))?;
    let out_of_period = args
        .out_of_period
        .parse::<OutOfPeriod>()
        .map_err(|e| CliError::usage(format!("--out-of-period: {e}")))?;
    let minutes = args
        .minute_policy
        .parse::<MinutePolicy>()
        .map_err(core_arg_err("minute-policy"))?;
    let grid = mediameter_usage::parse_interval(&args.grid)
        .map_err(|e| CliError::usage(format!("--grid: {e}")))?;
    let currency = args
        .currency
        .as_deref()
        .map(str::parse::<Currency>)
        .transpose()
        .map_err(core_arg_err("currency"))?;
    let o = InvoiceOptions::default()
        .with_zone(zone)
        .with_out_of_period(out_of_period)
        .with_minutes(minutes)
        .with_grid(grid)
        .with_partition(args.partition)
        .with_currency(currency);
    Ok((month, o))
}

fn read_doc<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    what: &str,
) -> Result<T, CliError> {
    let text = read_input(Some(path))?;
    parse_json(&text, what)
}

/// Runs `mediameter invoice`.
pub(crate) fn run(args: &InvoiceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (month, options) = options(args)?;
    let format = match &args.input_format {
        Some(f) => Some(f.parse::<InputFormat>().map_err(CliError::usage)?),
        None => None,
    };
    let tariff: Tariff = read_doc(&args.tariff, "tariff")?;
    let packs: Vec<Pack> = match &args.packs {
        Some(p) => read_doc(p, "packs")?,
        None => Vec::new(),
    };
    let mapping: Mapping = match &args.mapping {
        Some(p) => read_doc(p, "mapping")?,
        None => Mapping::rtc(),
    };
    let mut request = InvoiceRequest::new(month, tariff)
        .with_mapping(mapping)
        .with_packs(packs)
        .with_options(options);
    if let Some(p) = &args.state {
        let state: EngineState = read_doc(p, "state")?;
        request = request.with_state(state);
    }
    let run = request.start().map_err(CliError::input)?;
    let mut meter = run.meter().map_err(CliError::input)?;
    let (mut input, by_ext) = crate::usage::open(args.input.as_deref())?;
    let format = match (format, by_ext) {
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => crate::usage::detect(&mut input)?,
    };
    crate::usage::for_each_segment(input, format, args.skip_bad, |s| {
        meter.push(&s).map_err(CliError::input)
    })?;
    let invoice = run.bill(&meter.finish()).map_err(CliError::input)?;
    match args.format {
        Format::Json => write_json(out, &invoice),
        Format::Table => print_invoice(out, &invoice),
    }
}

/// Base units shown as minutes to 2 places (exact figures are in the JSON output).
fn minutes(value: rust_decimal::Decimal, unit: mediameter_core::Unit) -> String {
    crate::billing::minutes(value, unit)
        .parse::<rust_decimal::Decimal>()
        .map_or_else(
            |_| value.to_string(),
            |m| m.round_dp(2).normalize().to_string(),
        )
}

fn local(zone: BillingZone, t: DateTime<Utc>) -> String {
    t.with_timezone(&zone.fixed_offset())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The invoice as a table: the statement, each pack's draw-down, the overflow lines with
/// their tiers, what was not billed or was carried, and the balances.
pub(crate) fn print_invoice(out: &mut dyn Write, inv: &Invoice) -> Result<(), CliError> {
    let s = &inv.statement;
    let zone = inv.zone;
    writeln!(
        out,
        "invoice {} ({zone}: {} .. {}), {}; each line rounded once ({})",
        inv.month,
        local(zone, s.period.start()),
        local(zone, s.period.end()),
        s.currency,
        s.rounding
    )?;
    writeln!(
        out,
        "segments {}, billable {} min (subscribe time under the mapping); not billed: publish {} min, subscribe {} min",
        inv.segments,
        minutes(inv.metered_seconds, mediameter_core::Unit::Second),
        minutes(inv.unbilled.publish.into(), mediameter_core::Unit::Second),
        minutes(inv.unbilled.subscribe.into(), mediameter_core::Unit::Second),
    )?;
    if inv.replayed > 0 {
        writeln!(
            out,
            "already billed by an earlier run of this state: {} slices, {} min (not billed again)",
            inv.replayed,
            minutes(inv.replayed_seconds, mediameter_core::Unit::Second)
        )?;
    }
    writeln!(out, "-- prepaid packs: draw-down this month --")?;
    writeln!(
        out,
        "{:<16} {:>14} {:>14}",
        "pack", "usage (min)", "drawn (min)"
    )?;
    for p in &s.packs {
        writeln!(
            out,
            "{:<16} {:>14} {:>14}",
            p.pack.as_str(),
            minutes(p.usage, p.unit),
            minutes(p.drawn, p.unit)
        )?;
    }
    writeln!(out, "-- pay-as-you-go overflow --")?;
    writeln!(
        out,
        "{:<16} {:<6} {:>12} {:>8} {:>8} {:>14} {:>12}",
        "product", "spec", "overflow (s)", "billed", "unit", "exact", "amount"
    )?;
    for l in &s.lines {
        writeln!(
            out,
            "{:<16} {:<6} {:>12} {:>8} {:>8} {:>14} {:>12}",
            l.product.as_str(),
            l.spec.as_str(),
            l.overflow.to_string(),
            l.quantity.to_string(),
            l.unit.as_str(),
            l.amount_exact.to_string(),
            l.amount.to_string()
        )?;
        for t in &l.tiers {
            writeln!(
                out,
                "{:>24} {} .. {} at {} = {}",
                "tier", t.from, t.to, t.unit_price, t.amount
            )?;
        }
    }
    writeln!(
        out,
        "{:<16} {:<6} {:>12} {:>8} {:>8} {:>14} {:>12}",
        "total",
        "",
        "",
        "",
        "",
        s.total_exact.to_string(),
        format!("{} {}", s.total, s.currency)
    )?;
    if !inv.carried.is_empty() {
        writeln!(out, "-- carried to their own month (not billed here) --")?;
        for c in &inv.carried {
            writeln!(
                out,
                "{} {:<16} {:<6} {:>8} min",
                local(zone, c.at()),
                c.product().as_str(),
                c.spec().as_str(),
                minutes(c.quantity().value(), c.quantity().unit())
            )?;
        }
    }
    writeln!(out, "-- balances after the month --")?;
    writeln!(
        out,
        "{:<16} {:<8} {:>12} {:>12} {:>12}  expires ({zone})",
        "pack", "product", "bought", "drawn", "left"
    )?;
    for b in &inv.balances {
        writeln!(
            out,
            "{:<16} {:<8} {:>12} {:>12} {:>12}  {}{}",
            b.id.as_str(),
            b.product.as_str(),
            minutes(b.quantity, b.unit),
            minutes(b.drawn, b.unit),
            minutes(b.remaining, b.unit),
            local(zone, b.expires_at),
            if b.refunded { " (refunded)" } else { "" }
        )?;
    }
    Ok(())
}

/// The invoice of the bundled sample month (the segments of the usage demo, the sample packs,
/// tariff and mapping).
pub(crate) fn sample_invoice() -> Result<Invoice, CliError> {
    let segments = mediameter_usage::parse_csv(SAMPLE_SEGMENTS).map_err(CliError::input)?;
    let tariff: Tariff = parse_json(SAMPLE_TARIFF, "bundled tariff")?;
    let packs: Vec<Pack> = parse_json(SAMPLE_PACKS, "bundled packs")?;
    let mapping: Mapping = parse_json(SAMPLE_MAPPING, "bundled mapping")?;
    let month = BillingMonth::new(2023, 3).map_err(CliError::input)?;
    let request = InvoiceRequest::new(month, tariff)
        .with_packs(packs)
        .with_mapping(mapping);
    mediameter::invoice(&segments, request).map_err(CliError::input)
}

/// The `mediameter invoice` command that prints the demo's invoice, as typed from the root of
/// the repository (where the bundled files are).
const SAMPLE_COMMAND: &str = "mediameter invoice crates/cli/data/usage_sample.csv \
     --packs crates/cli/data/invoice_packs.json --tariff crates/cli/data/invoice_tariff.json \
     --mapping crates/cli/data/invoice_mapping.json --period 2023-03 --format table";

/// The invoice section of `mediameter demo`: the command that gives the same, the invoice, and
/// how to read its packs and its total.
pub(crate) fn demo(out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "== invoice: the sample month's segments to a statement (mediameter invoice) =="
    )?;
    writeln!(out, "the same from the root of the repository:")?;
    writeln!(out, "  {SAMPLE_COMMAND}")?;
    let inv = sample_invoice()?;
    print_invoice(out, &inv)?;
    let packs: Vec<Pack> = parse_json(SAMPLE_PACKS, "bundled packs")?;
    for pack in packs.iter().filter(|p| !p.coefficients().is_empty()) {
        let by_spec: Vec<String> = pack
            .coefficients()
            .iter()
            .map(|c| format!("{} {}", c.spec, c.coefficient))
            .collect();
        let drawn = inv.statement.packs.iter().find(|u| &u.pack == pack.id());
        let so = drawn.map_or(String::new(), |u| {
            format!(
                ": {} min of usage drew {} min",
                minutes(u.usage, u.unit),
                minutes(u.drawn, u.unit)
            )
        });
        writeln!(
            out,
            "note: pack {} draws each minute of usage times its spec's coefficient ({}){so}",
            pack.id().as_str(),
            by_spec.join(", ")
        )?;
    }
    let s = &inv.statement;
    let amounts: Vec<String> = s.lines.iter().map(|l| l.amount.to_string()).collect();
    writeln!(
        out,
        "note: the total, {} {}, is the sum of the lines, each rounded once: {} (the exact {} \
         is not rounded as a whole)",
        s.total,
        s.currency,
        if amounts.is_empty() {
            "no line".to_owned()
        } else {
            amounts.join(" + ")
        },
        s.total_exact
    )?;
    Ok(())
}
