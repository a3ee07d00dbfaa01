//! `mediameter diagnose`: explains why a call was bad from its publisher and subscriber quality
//! series; and the diagnostics section of `mediameter demo`.

use std::io::Write;
use std::path::PathBuf;

use mediameter_diagnostics::{Call, Diagnosis, DiagnosisRequest, Profile, diagnose, render_report};

use mediameter_core::echo::echo;

use crate::io::{CliError, Format, parse_json, read_input, write_json};

pub(crate) const DEMO: &str = include_str!("../data/diagnostics_call.json");

/// Diagnose a call: findings with side, window, evidence and explanation; audio MOS; a grade.
///
/// The request (JSON: `app_id`, `channel_id`, a range of at most one hour, participants with client
/// info and samples) comes from a file, or standard input when the file is omitted or `-`.
/// `--format json` (default) prints the diagnosis as JSON; `--format table` prints a report for
/// people, with small text charts of the series around each finding.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The diagnosis request (JSON); `-` or nothing for standard input.
    pub(crate) input: Option<PathBuf>,
    /// Output format: `json` (the diagnosis) or `table` (a readable report with sparklines).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
    /// A built-in profile: `sensitive`, `default` or `tolerant`.
    #[arg(long, default_value = "default")]
    pub(crate) profile: String,
    /// A profile JSON file (fields not given take the default profile's values); overrides
    /// `--profile`.
    #[arg(long, value_name = "FILE")]
    pub(crate) profile_file: Option<PathBuf>,
}

fn load_profile(args: &Args) -> Result<Profile, CliError> {
    profile_of(&args.profile, args.profile_file.as_deref())
}

/// A built-in profile by name, or a profile file (which wins).
pub(crate) fn profile_of(name: &str, file: Option<&std::path::Path>) -> Result<Profile, CliError> {
    match file {
        Some(path) => {
            let text = read_input(Some(path))?;
            parse_json(&text, "profile")
        }
        None => Profile::named(name).ok_or_else(|| {
            CliError::usage(format!(
                "unknown profile {}: expected sensitive, default or tolerant (or --profile-file)",
                echo(name)
            ))
        }),
    }
}

pub(crate) fn analyse(text: &str, profile: &Profile) -> Result<(Call, Diagnosis), CliError> {
    let request: DiagnosisRequest = parse_json(text, "diagnosis request")?;
    let call = request
        .validate()
        .map_err(|e| CliError::input(format!("invalid diagnosis request: {e}")))?;
    let diagnosis =
        diagnose(&call, profile).map_err(|e| CliError::input(format!("invalid profile: {e}")))?;
    Ok((call, diagnosis))
}

/// Runs `mediameter diagnose`.
pub(crate) fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let profile = load_profile(args)?;
    let text = read_input(args.input.as_deref())?;
    let (call, diagnosis) = analyse(&text, &profile)?;
    match args.format {
        Format::Json => write_json(out, &diagnosis),
        Format::Table => {
            out.write_all(render_report(&call, &diagnosis).as_bytes())?;
            Ok(())
        }
    }
}

/// The diagnostics section of `mediameter demo`: one bundled call, diagnosed and reported.
pub(crate) fn demo(out: &mut dyn Write) -> Result<(), CliError> {
    let (call, diagnosis) = analyse(DEMO, &Profile::default())?;
    writeln!(
        out,
        "== Call diagnostics (crates/cli/data/diagnostics_call.json) =="
    )?;
    out.write_all(render_report(&call, &diagnosis).as_bytes())?;
    Ok(())
}
