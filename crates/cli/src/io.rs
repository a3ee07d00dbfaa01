//! Input, output and errors shared by every subcommand.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

/// Largest input the CLI reads into memory (JSON documents); streaming commands read lines.
pub(crate) const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// An error the CLI reports on stderr before exiting with status 1 (bad input) or 2 (usage).
#[derive(Debug)]
pub(crate) enum CliError {
    /// The input could not be read.
    Io {
        what: String,
        source: std::io::Error,
    },
    /// The input was read but is not valid: the message says where and why.
    Input(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Io { what, source } => write!(f, "cannot read {what}: {source}"),
            CliError::Input(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for CliError {}

impl CliError {
    /// An input error with a message.
    pub(crate) fn input(msg: impl fmt::Display) -> Self {
        CliError::Input(msg.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(source: std::io::Error) -> Self {
        CliError::Io {
            what: "output".to_owned(),
            source,
        }
    }
}

/// Reads a whole input: the file at `path`, or standard input for `None` or `-`.
pub(crate) fn read_input(path: Option<&Path>) -> Result<String, CliError> {
    let mut buf = String::new();
    match path {
        Some(p) if p != Path::new("-") => {
            let file = std::fs::File::open(p).map_err(|source| CliError::Io {
                what: p.display().to_string(),
                source,
            })?;
            file.take(MAX_INPUT_BYTES)
                .read_to_string(&mut buf)
                .map_err(|source| CliError::Io {
                    what: p.display().to_string(),
                    source,
                })?;
        }
        _ => {
            std::io::stdin()
                .take(MAX_INPUT_BYTES)
                .read_to_string(&mut buf)
                .map_err(|source| CliError::Io {
                    what: "standard input".to_owned(),
                    source,
                })?;
        }
    }
    Ok(buf)
}

/// Parses JSON input, naming the input and the line and column of a syntax error.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, CliError> {
    serde_json::from_str(text).map_err(|e| CliError::input(format!("invalid {what}: {e}")))
}

/// Writes `value` as pretty JSON followed by a newline.
pub(crate) fn write_json<T: serde::Serialize>(
    out: &mut dyn Write,
    value: &T,
) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::input(format!("cannot render JSON: {e}")))?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// Output format shared by the subcommands that print a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// Pretty-printed JSON (the default): the stable, machine-readable output.
    #[default]
    Json,
    /// A table for people.
    Table,
}
