//! `mediameter`: the mediameter toolkit from the command line. JSON in, JSON or tables out.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mediameter_core::echo::escape_controls;

mod account;
mod billing;
mod core_demo;
mod diagnostics;
mod engine;
mod invoice;
mod io;
mod query;
mod report;
mod usage;

/// Metering, billing, usage aggregation, call diagnostics and query validation for real-time
/// audio/video and live-streaming clouds.
///
/// Every subcommand reads its input from a file, or from standard input when the file is omitted
/// or `-` (JSON; CSV or JSON Lines for `usage`), and prints JSON by default (`--format` offers
/// tables and the vendor shapes). Errors go to standard error with exit status 1; a mistake in
/// the arguments exits with 2. `docs/cli.md` documents every input and output format.
#[derive(Parser, Debug)]
#[command(name = "mediameter", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the toolkit on the bundled sample data and print what each part computes.
    ///
    /// Needs no input: the samples are compiled into the binary. Shows usage split into
    /// GMT+8 hour and day buckets, money rounded under each rounding mode, and the term
    /// of a monthly subscription with its remaining days by natural month; bills a sample
    /// month (packs, overflow, tiered tariff); reports a month of usage; diagnoses a call;
    /// validates a few vendor queries; invoices the sample month's segments; writes the HTML reports of the sample call and month
    /// and prints where.
    Demo(report::DemoArgs),
    /// Bill a month of usage: deduct it from prepaid packs (earliest expiry first), charge
    /// the overflow by a pay-as-you-go tariff, and print the statement.
    Bill(billing::BillArgs),
    /// Invoice a month of stream segments (CSV or JSON Lines): bill them under a mapping,
    /// deduct from prepaid packs earliest expiry first, price the overflow by a tariff and
    /// print the statement with each pack's draw-down and the overflow lines.
    Invoice(Box<invoice::InvoiceArgs>),
    /// Whether a prepaid pack may be refunded (bought no more than 7 days ago, nothing
    /// consumed, not expired), from the engine state an invoice or bill printed; --apply
    /// refunds it.
    Refund(account::RefundArgs),
    /// What an action does to an app's status: enabling needs a pack with balance, unpaid
    /// charges make it overdue.
    AppStatus(account::AppStatusArgs),
    /// Price the upgrade of a monthly subscription over the natural months left in its term.
    Prorate(billing::ProrateArgs),
    /// Settle per-second on-demand usage of resources into hourly periods (GMT+8 by default).
    Settle(billing::SettleArgs),
    /// Aggregate raw stream segments (CSV or JSON Lines) into usage per time bucket and
    /// group: durations per spec, billable minutes, distinct users and channels, peak
    /// concurrency, distributions; printed as JSON, CSV, vendor XML or a table.
    Usage(Box<usage::UsageArgs>),
    /// Diagnose a call from its publisher and subscriber quality series: explained findings
    /// (network, device, adaptation, unexplained disagreement) and E-model MOS scores.
    Diagnose(diagnostics::Args),
    /// Validate a usage/statistics query against a vendor API profile and print the
    /// normalised query or the vendor-shaped error.
    Validate(query::Args),
    /// Draw a call diagnosis or a usage report as one self-contained HTML page (inline SVG
    /// charts, no script), readable on screen and printed.
    #[command(subcommand)]
    Report(report::ReportCommand),
}

fn run(cli: Cli, out: &mut dyn Write) -> Result<(), io::CliError> {
    match cli.command {
        Command::Demo(args) => {
            core_demo::demo(out)?;
            writeln!(out)?;
            billing::demo(out)?;
            writeln!(out)?;
            usage::demo(out)?;
            writeln!(out)?;
            invoice::demo(out)?;
            writeln!(out)?;
            diagnostics::demo(out)?;
            writeln!(out)?;
            query::demo(out)?;
            writeln!(out)?;
            report::demo(&args, out)
        }
        Command::Bill(args) => billing::run_bill(&args, out),
        Command::Invoice(args) => invoice::run(&args, out),
        Command::Refund(args) => account::run_refund(&args, out),
        Command::AppStatus(args) => account::run_app_status(&args, out),
        Command::Prorate(args) => billing::run_prorate(&args, out),
        Command::Settle(args) => billing::run_settle(&args, out),
        Command::Usage(args) => usage::run(&args, out),
        Command::Diagnose(args) => diagnostics::run(&args, out),
        Command::Validate(args) => query::run(&args, out),
        Command::Report(cmd) => report::run(&cmd, out),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` print to stdout and exit 0, as clap does.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            // clap quotes the offending argument as given: escape its control characters
            // (a value with ESC or BEL must not drive the terminal). Exit status 2.
            let text = e.render().to_string();
            for line in text.lines() {
                eprintln!("{}", escape_controls(line));
            }
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = run(cli, &mut out).and_then(|()| out.flush().map_err(io::CliError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            drop(out);
            // Each echo site escapes what it repeats; this is the net under all of them.
            eprintln!("mediameter: {}", escape_controls(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
