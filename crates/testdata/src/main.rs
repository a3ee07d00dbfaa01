//! `mediameter-testdata month N DIR [SEED]`: writes a month of `N` synthetic segments (March
//! 2024, GMT+8), two packs and a graduated tariff into `DIR`, in the formats `mediameter
//! invoice` reads:
//!
//! ```text
//! cargo run --release -p mediameter-testdata -- month 1000000 target/month-1m
//! mediameter invoice target/month-1m/segments.csv --packs target/month-1m/packs.json \
//!     --tariff target/month-1m/tariff.json --period 2024-03
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: mediameter-testdata month N DIR [SEED]\n\
    writes DIR/segments.csv (N segments of March 2024, GMT+8), DIR/packs.json and \
    DIR/tariff.json for `mediameter invoice --period 2024-03` (SEED: 1 by default)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [cmd, n, dir, rest @ ..] if cmd == "month" && rest.len() <= 1 => n
            .parse::<u64>()
            .ok()
            .zip(rest.first().map_or(Some(1), |s| s.parse::<u64>().ok()))
            .map(|(n, seed)| (n, PathBuf::from(dir), seed)),
        _ => None,
    };
    let Some((n, dir, seed)) = parsed else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match mediameter_testdata::write_month(n, seed, &dir) {
        Ok(()) => {
            println!(
                "wrote {n} segments to {}, with packs.json and tariff.json",
                dir.join("segments.csv").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mediameter-testdata: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
