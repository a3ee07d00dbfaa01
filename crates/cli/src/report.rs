//! `mediameter report`: the diagnosis of a call, or a usage report, as one self-contained HTML
//! page (inline SVG charts and CSS, no script); and the HTML part of `mediameter demo`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diagnostics::{DEMO, analyse, profile_of};
use crate::io::{CliError, read_input};
use crate::usage::{UsageArgs, demo_report, report_with_regions};

/// Which report to draw.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum ReportCommand {
    /// Diagnose a call (the same request as `mediameter diagnose`) and draw the console's
    /// panels: publishers left, subscribers right, loss and RTT on two axes, findings shaded on
    /// the time axis, MOS per window, the client table.
    Diagnose(DiagnoseArgs),
    /// Aggregate segments (the same input and flags as `mediameter usage`) and draw the trend
    /// per bucket stacked by spec with billable minutes, active users and channels, peak
    /// concurrency, the distribution by region (with --split-by region) and the tables.
    Usage(Box<UsageReportArgs>),
}

/// `mediameter report diagnose`.
#[derive(clap::Args, Debug)]
pub(crate) struct DiagnoseArgs {
    /// The diagnosis request (JSON); `-` or nothing for standard input.
    pub(crate) input: Option<PathBuf>,
    /// Where to write the HTML page; `-` for standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// A built-in profile: `sensitive`, `default` or `tolerant`.
    #[arg(long, default_value = "default")]
    pub(crate) profile: String,
    /// A profile JSON file; overrides `--profile`.
    #[arg(long, value_name = "FILE")]
    pub(crate) profile_file: Option<PathBuf>,
}

/// `mediameter report usage`.
#[derive(clap::Args, Debug)]
pub(crate) struct UsageReportArgs {
    /// Where to write the HTML page; `-` for standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    #[command(flatten)]
    pub(crate) usage: UsageArgs,
}

/// `mediameter demo` options for the HTML reports.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct DemoArgs {
    /// Directory the demo writes its HTML reports to (created if missing); default: a
    /// `mediameter-demo` directory in the system's temporary directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,
}

fn report_err(e: mediameter_report::Error) -> CliError {
    CliError::input(e)
}

/// Writes `html` to `path` (or standard output for `-`) and says where on `out`.
fn write_page(path: &Path, html: &str, out: &mut dyn Write) -> Result<(), CliError> {
    if path == Path::new("-") {
        out.write_all(html.as_bytes())?;
        return Ok(());
    }
    std::fs::write(path, html).map_err(|source| CliError::Io {
        what: format!("output file {}", path.display()),
        source,
    })?;
    writeln!(out, "wrote {} ({} bytes)", path.display(), html.len())?;
    Ok(())
}

/// Runs `mediameter report`.
pub(crate) fn run(cmd: &ReportCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match cmd {
        ReportCommand::Diagnose(args) => {
            let profile = profile_of(&args.profile, args.profile_file.as_deref())?;
            let text = read_input(args.input.as_deref())?;
            let (call, diagnosis) = analyse(&text, &profile)?;
            let html = mediameter_report::diagnosis_html(&call, &diagnosis).map_err(report_err)?;
            write_page(&args.output, &html, out)
        }
        ReportCommand::Usage(args) => {
            let (report, regions) = report_with_regions(&args.usage)?;
            let html =
                mediameter_report::usage_html(&report, regions.as_deref()).map_err(report_err)?;
            write_page(&args.output, &html, out)
        }
    }
}

/// The HTML part of `mediameter demo`: both reports of the bundled data, and where they are.
pub(crate) fn demo(args: &DemoArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let dir = args
        .out_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("mediameter-demo"));
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Io {
        what: format!("output directory {}", dir.display()),
        source,
    })?;
    writeln!(out, "== HTML reports of the bundled data ==")?;
    let (call, diagnosis) = analyse(DEMO, &mediameter_diagnostics::Profile::default())?;
    let html = mediameter_report::diagnosis_html(&call, &diagnosis).map_err(report_err)?;
    write_page(&dir.join("call.html"), &html, out)?;
    let (report, regions) = demo_report()?;
    let html = mediameter_report::usage_html(&report, regions.as_deref()).map_err(report_err)?;
    write_page(&dir.join("usage.html"), &html, out)?;
    writeln!(out, "open them in a browser, or print them (A4 landscape)")?;
    Ok(())
}
