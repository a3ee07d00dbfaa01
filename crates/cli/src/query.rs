//! `mediameter validate`: checks a usage or statistics query against a vendor API profile and
//! prints the normalised query or the vendor-shaped error; and the query section of
//! `mediameter demo`.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, Utc};
use mediameter_query::{Leniency, TimeFormat};
use mediameter_query::{Options, Profile, Registry, Rejection, ValidQuery};

use mediameter_core::echo::{echo, escape_controls};

use crate::io::{CliError, Format, parse_json, read_input, write_json};

const DEMO: &str = include_str!("../data/query_demo.json");

/// A lenient time reading to accept (`--lenient`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LenientArg {
    /// Every reading below.
    All,
    /// `t` and `z` in lowercase.
    Lowercase,
    /// Fractional seconds.
    Fraction,
    /// `:60` at a June or December month end, folded onto `:59`.
    LeapSecond,
    /// `-00:00` read as UTC.
    UnknownOffset,
    /// `+0800` read as `+08:00`.
    BasicOffset,
    /// Spaces around the value.
    Space,
}

/// Validate a query against a vendor API profile.
///
/// Parameters come from repeated `--param KEY=VALUE` flags and/or a JSON object (`--input FILE`,
/// `-` for standard input) whose values are strings, numbers, booleans or arrays of strings
/// (joined with commas). Prints the normalised query (exit 0) or the vendor's error body with
/// every problem (exit 1).
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The API profile (e.g. `DescribeLiveProducerUsageData`, `ListOperationDistribution`, `rtc/rooms`, `cts/traces`); see --list.
    #[arg(long, required_unless_present = "list")]
    api: Option<String>,
    /// One parameter, KEY=VALUE; repeat for more.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// A JSON object of parameters: a file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    input: Option<std::path::PathBuf>,
    /// The instant to validate at (RFC 3339, e.g. 2021-07-27T00:00:00Z); defaults to the system clock.
    #[arg(long)]
    now: Option<String>,
    /// Refuse a range that reaches into the vendor's data delay instead of warning.
    #[arg(long)]
    strict: bool,
    /// Accept lenient time forms (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    lenient: Vec<LenientArg>,
    /// The request id echoed in Alibaba and Volcengine error bodies.
    #[arg(long, default_value = "mediameter-validate")]
    request_id: String,
    /// List the profiles and exit.
    #[arg(long)]
    list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn leniency(args: &[LenientArg]) -> Leniency {
    let mut l = Leniency::STRICT;
    for a in args {
        match a {
            LenientArg::All => l = Leniency::ALL,
            LenientArg::Lowercase => l.lowercase = true,
            LenientArg::Fraction => l.fractional_seconds = true,
            LenientArg::LeapSecond => l.leap_second = true,
            LenientArg::UnknownOffset => l.unknown_offset = true,
            LenientArg::BasicOffset => l.basic_offset = true,
            LenientArg::Space => l.surrounding_space = true,
        }
    }
    l
}

fn parse_now(text: Option<&str>) -> Result<DateTime<Utc>, CliError> {
    match text {
        // The CLI is the edge of the program: the library never reads the clock, the CLI may.
        None => Ok(DateTime::<Utc>::from(std::time::SystemTime::now())),
        Some(t) => {
            let lenient = Leniency::STRICT.with_fractional_seconds(true);
            mediameter_query::parse_time(t, TimeFormat::Rfc3339, lenient)
                .map(|p| p.instant())
                .map_err(|e| CliError::usage(format!("--now: {e}")))
        }
    }
}

/// Turns a JSON object into name/value pairs (strings as is, numbers and booleans printed,
/// arrays of strings joined with commas, nulls skipped).
fn json_params(value: &serde_json::Value) -> Result<Vec<(String, String)>, CliError> {
    let serde_json::Value::Object(map) = value else {
        return Err(CliError::input("the parameters must be a JSON object"));
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        serde_json::Value::String(s) => parts.push(s.clone()),
                        serde_json::Value::Number(n) => parts.push(n.to_string()),
                        _ => {
                            return Err(CliError::input(format!(
                                "parameter {k:?}: arrays may hold strings and numbers only"
                            )));
                        }
                    }
                }
                parts.join(",")
            }
            serde_json::Value::Object(_) => {
                return Err(CliError::input(format!(
                    "parameter {k:?}: nested objects are not parameters"
                )));
            }
        };
        out.push((k.clone(), text));
    }
    Ok(out)
}

#[derive(serde::Serialize)]
struct Accepted<'a> {
    accepted: bool,
    vendor: &'static str,
    query: &'a ValidQuery<'a>,
}

#[derive(serde::Serialize)]
struct Refused<'a> {
    accepted: bool,
    api: &'a str,
    vendor: &'static str,
    status: u16,
    body: mediameter_query::VendorBody,
    problems: Vec<mediameter_query::Problem>,
}

fn print_accepted(
    out: &mut dyn Write,
    profile: &Profile,
    q: &ValidQuery<'_>,
    format: Format,
) -> Result<(), CliError> {
    match format {
        Format::Json => write_json(
            out,
            &Accepted {
                accepted: true,
                vendor: profile.vendor().as_str(),
                query: q,
            },
        ),
        Format::Table => {
            writeln!(out, "accepted {} ({})", q.api(), profile.vendor().as_str())?;
            for (name, value) in q.values() {
                let note = if q.is_defaulted(name) {
                    "  (default)"
                } else {
                    ""
                };
                writeln!(out, "  {name:<14} {value}{note}")?;
            }
            if let Some(r) = q.range() {
                writeln!(out, "  range          {r} ({} s)", r.seconds())?;
            }
            for w in q.warnings() {
                writeln!(
                    out,
                    "  warning: {}: {}",
                    escape_controls(w.param.as_deref().unwrap_or("-")),
                    escape_controls(&w.message)
                )?;
            }
            Ok(())
        }
    }
}

fn print_refused(
    out: &mut dyn Write,
    profile: &Profile,
    r: &Rejection,
    request_id: &str,
    format: Format,
) -> Result<(), CliError> {
    match format {
        Format::Json => write_json(
            out,
            &Refused {
                accepted: false,
                api: r.api(),
                vendor: profile.vendor().as_str(),
                status: r.status(),
                body: r.vendor_body(request_id),
                problems: r.problems(profile),
            },
        ),
        Format::Table => {
            writeln!(
                out,
                "refused {}: HTTP {} {}: {}",
                r.api(),
                r.status(),
                r.code(),
                escape_controls(r.message())
            )?;
            for p in r.problems(profile) {
                let pointer = if p.pointer.is_empty() {
                    "/"
                } else {
                    p.pointer.as_str()
                };
                // The pointer names a parameter as given: its control characters are escaped.
                let pointer = escape_controls(pointer).to_string();
                writeln!(
                    out,
                    "  {pointer:<14} {:<20} {:<30} {}",
                    p.kind.as_str(),
                    p.code,
                    escape_controls(&p.detail)
                )?;
            }
            Ok(())
        }
    }
}

/// What one validation needs besides the query itself.
struct Checker<'r> {
    registry: &'r Registry,
    options: Options,
    request_id: &'r str,
    format: Format,
}

impl Checker<'_> {
    /// Validates one query and prints the outcome; the inner `Err` carries the refusal line.
    fn check(
        &self,
        out: &mut dyn Write,
        api: &str,
        params: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<Result<(), String>, CliError> {
        let profile = self.registry.get(api).map_err(CliError::usage)?;
        match mediameter_query::validate(profile, params, now, &self.options) {
            Ok(q) => {
                print_accepted(out, profile, &q, self.format)?;
                Ok(Ok(()))
            }
            Err(mediameter_query::Error::Rejected(r)) => {
                print_refused(out, profile, &r, self.request_id, self.format)?;
                Ok(Err(format!(
                    "query rejected: {} (HTTP {})",
                    r.code(),
                    r.status()
                )))
            }
            Err(e) => Err(CliError::input(e)),
        }
    }
}

pub(crate) fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let registry = Registry::builtin();
    if args.list {
        for p in registry.profiles() {
            writeln!(
                out,
                "{:<34} {:<11} {:<36} {}",
                p.name(),
                p.vendor().as_str(),
                p.action(),
                p.endpoint()
            )?;
        }
        return Ok(());
    }
    let api = args
        .api
        .as_deref()
        .ok_or_else(|| CliError::usage("--api is required"))?;
    let mut params = match &args.input {
        Some(path) => {
            let text = read_input(Some(path))?;
            let value: serde_json::Value = parse_json(&text, "parameters")?;
            json_params(&value)?
        }
        None => Vec::new(),
    };
    for p in &args.params {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| CliError::usage(format!("--param {}: expected KEY=VALUE", echo(p))))?;
        params.push((k.to_owned(), v.to_owned()));
    }
    let now = parse_now(args.now.as_deref())?;
    let checker = Checker {
        registry: &registry,
        options: Options::default()
            .with_leniency(leniency(&args.lenient))
            .with_strict(args.strict),
        request_id: &args.request_id,
        format: args.format,
    };
    checker
        .check(out, api, &params, now)?
        .map_err(CliError::Input)
}

#[derive(serde::Deserialize)]
struct DemoCase {
    note: String,
    api: String,
    now: String,
    params: serde_json::Value,
    #[serde(default)]
    strict: bool,
}

pub(crate) fn demo(out: &mut dyn Write) -> Result<(), CliError> {
    let cases: Vec<DemoCase> = parse_json(DEMO, "bundled query demo")?;
    let registry = Registry::builtin();
    writeln!(
        out,
        "\n== query: validating requests against vendor API profiles =="
    )?;
    let mut tally: BTreeMap<&str, u32> = BTreeMap::new();
    for case in &cases {
        writeln!(out, "-- {} --", case.note)?;
        let params = json_params(&case.params)?;
        let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        writeln!(out, "{} {} (now {})", case.api, shown.join("&"), case.now)?;
        let now = parse_now(Some(&case.now))?;
        let checker = Checker {
            registry: &registry,
            options: Options::default().with_strict(case.strict),
            request_id: "demo",
            format: Format::Table,
        };
        let verdict = checker.check(out, &case.api, &params, now)?;
        let key = if verdict.is_ok() {
            "accepted"
        } else {
            "refused"
        };
        *tally.entry(key).or_insert(0) = tally.get(key).copied().unwrap_or(0).saturating_add(1);
    }
    writeln!(
        out,
        "{} accepted, {} refused",
        tally.get("accepted").copied().unwrap_or(0),
        tally.get("refused").copied().unwrap_or(0)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_runs_and_shows_both_outcomes() {
        let mut out = Vec::new();
        demo(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("InvalidEndTime.Mismatch"));
        assert!(text.contains("DATA.100011001"));
        assert!(text.contains("user_num"));
        assert!(text.contains("4 accepted, 4 refused"), "{text}");
    }

    #[test]
    fn json_parameters_are_flattened() {
        let v: serde_json::Value =
            serde_json::json!({"a": "x", "n": 3600, "l": ["domain", "type"], "z": null});
        let mut p = json_params(&v).unwrap();
        p.sort();
        assert_eq!(
            p,
            [
                ("a".into(), "x".into()),
                ("l".into(), "domain,type".into()),
                ("n".into(), "3600".into())
            ]
        );
        assert!(json_params(&serde_json::json!([1])).is_err());
        assert!(json_params(&serde_json::json!({"o": {"x": 1}})).is_err());
    }

    fn args(api: &str, params: &[&str], format: Format) -> Args {
        Args {
            api: Some(api.to_owned()),
            params: params.iter().map(|s| (*s).to_owned()).collect(),
            input: None,
            now: Some("2021-04-23T10:00:00Z".to_owned()),
            strict: false,
            lenient: vec![],
            request_id: "r".into(),
            list: false,
            format,
        }
    }

    #[test]
    fn run_prints_the_vendor_body_and_fails() {
        let mut out = Vec::new();
        let err = run(
            &args("rtc/rooms", &["state=RUNNING"], Format::Json),
            &mut out,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "query rejected: DATA.100011001 (HTTP 400)");
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v["body"]["error_msg"],
            "Required String parameter 'app' is not present"
        );
        assert_eq!(v["problems"][0]["pointer"], "/app");
    }

    #[test]
    fn run_prints_the_normalised_query() {
        let mut out = Vec::new();
        run(&args("rtc/rooms", &["app=a"], Format::Json), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["query"]["params"]["start_time"], "2021-04-23T09:00:00Z");
        assert_eq!(v["query"]["params"]["limit"], 10);
        assert_eq!(v["query"]["defaulted"][0], "start_time");
        let mut out = Vec::new();
        run(&args("rtc/rooms", &["app=a"], Format::Table), &mut out).unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("limit          10  (default)")
        );
    }
}
