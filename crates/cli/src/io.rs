//! Input, output and errors shared by every subcommand.

use std::fmt::{self, Write as _};
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
    /// An argument is wrong (a malformed `--param`, an unknown `--api` or `--profile`, a bad
    /// `--now`...): exit status 2, like the argument errors clap reports itself.
    Usage(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Io { what, source } => write!(f, "cannot read {what}: {source}"),
            CliError::Input(msg) | CliError::Usage(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for CliError {}

impl CliError {
    /// An input error with a message.
    pub(crate) fn input(msg: impl fmt::Display) -> Self {
        CliError::Input(msg.to_string())
    }

    /// An argument error with a message (exit status 2).
    pub(crate) fn usage(msg: impl fmt::Display) -> Self {
        CliError::Usage(msg.to_string())
    }

    /// The exit status: 2 for an argument error, 1 for everything else.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Io { .. } | CliError::Input(_) => 1,
        }
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
            // A file name is outside input too: quoted and escaped like any echoed value.
            let what = mediameter_core::echo::echo(&p.to_string_lossy()).to_string();
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
///
/// An object that names a key twice is refused first (serde keeps the last value for maps,
/// `serde_json::Value` and flattened types), naming the key, its object and its position.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, CliError> {
    mediameter_core::json::check_unique_keys(text)
        .map_err(|e| CliError::input(format!("invalid {what}: {e}")))?;
    serde_json::from_str(text).map_err(|e| CliError::input(format!("invalid {what}: {e}")))
}

/// Writes `value` as pretty JSON followed by a newline.
pub(crate) fn write_json<T: serde::Serialize>(
    out: &mut dyn Write,
    value: &T,
) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::input(format!("cannot render JSON: {e}")))?;
    writeln!(out, "{}", json_escape_controls(&text))?;
    Ok(())
}

/// `serde_json` escapes U+0000 to U+001F only; DEL and the C1 controls (U+0080 to U+009F) are
/// valid raw in a JSON string but can still drive a terminal. They can only occur inside
/// strings, where `\u007f` means the same character: the JSON value is unchanged.
fn json_escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    // Newlines and indentation of the pretty printer are the only controls outside strings.
    let raw = |c: char| c.is_control() && !matches!(c, '\n' | '\t' | '\r');
    if !text.chars().any(raw) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().saturating_add(16));
    for c in text.chars() {
        if raw(c) {
            // Writing into a `String` cannot fail.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
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
    fn json_output_carries_no_raw_control_character_and_means_the_same() {
        let value = serde_json::json!({"k\u{9b}": "a\u{7f}b\u{1b}c\u{85}"});
        let mut out = Vec::new();
        write_json(&mut out, &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
        assert!(text.contains(r"a\u007fb\u001bc\u0085"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

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
