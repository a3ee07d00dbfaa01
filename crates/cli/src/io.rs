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
///
/// An input over [`MAX_INPUT_BYTES`] is refused with an error saying so, rather than cut off
/// and then reported as malformed.
pub(crate) fn read_input(path: Option<&Path>) -> Result<String, CliError> {
    let (what, reader): (String, Box<dyn Read>) = match path {
        Some(p) if p != Path::new("-") => {
            let what = p.display().to_string();
            match std::fs::File::open(p) {
                Ok(file) => (what, Box::new(file)),
                Err(source) => return Err(CliError::Io { what, source }),
            }
        }
        _ => ("standard input".to_owned(), Box::new(std::io::stdin())),
    };
    read_limited(reader, &what, MAX_INPUT_BYTES)
}

/// Reads all of `reader` as UTF-8, refusing more than `limit` bytes.
fn read_limited(reader: impl Read, what: &str, limit: u64) -> Result<String, CliError> {
    let mut buf = String::new();
    // One byte past the limit tells a too-large input from one exactly at the limit.
    reader
        .take(limit.saturating_add(1))
        .read_to_string(&mut buf)
        .map_err(|source| CliError::Io {
            what: what.to_owned(),
            source,
        })?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > limit {
        return Err(CliError::input(format!(
            "{what} is larger than {limit} bytes: expected a smaller JSON document (split the input)"
        )));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_at_the_limit_is_read_and_over_it_is_refused() {
        assert_eq!(read_limited(&b"{}"[..], "x", 2).unwrap(), "{}");
        let err = read_limited(&b"{} "[..], "standard input", 2)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "standard input is larger than 2 bytes: expected a smaller JSON document (split the input)"
        );
    }
}
