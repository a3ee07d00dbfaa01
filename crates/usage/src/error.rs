//! The one error type of `mediameter-usage`.

/// Everything that can go wrong in this crate.
///
/// Input errors name the record (line number, 1-based, counting the header line of a CSV file)
/// and the field; configuration errors name the setting. Messages are lowercase without trailing
/// punctuation.
///
/// ```
/// use mediameter_usage::{Error, ErrorKind, parse_csv};
/// let err = parse_csv("app,channel,user,role,spec,region,start,end\na,c,u,sub,8k,r,0,60\n").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Record);
/// assert_eq!(err.line(), Some(2));
/// assert!(err.to_string().contains("spec"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A record of the input is malformed: which line, which field and why.
    #[error("line {line}: field {field}: {reason}")]
    Record {
        /// 1-based line number in the input (the CSV header is line 1).
        line: u64,
        /// The field (column) at fault, or `record` for the line as a whole.
        field: String,
        /// What was wrong, with the offending value (truncated).
        reason: String,
    },
    /// A setting of a query or aggregation is not acceptable.
    #[error("invalid {setting} {value:?}: expected {expected}")]
    Config {
        /// The setting.
        setting: &'static str,
        /// The value given (truncated).
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// Two aggregation states built under different settings cannot be merged.
    #[error("cannot merge states: {what} differs ({left} vs {right})")]
    Incompatible {
        /// The setting that differs.
        what: &'static str,
        /// Its value on the left.
        left: String,
        /// Its value on the right.
        right: String,
    },
    /// A counter would overflow.
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// An error from `mediameter-core` (ids, ranges, zones, specs).
    #[error(transparent)]
    Core(#[from] mediameter_core::Error),
    /// A vendor document (JSON or XML) could not be read or written.
    #[error("{format} document: {reason}")]
    Document {
        /// `json`, `xml` or `csv`.
        format: &'static str,
        /// What went wrong, with the position when known.
        reason: String,
    },
}

/// What kind of [`Error`] happened, for callers that branch.
///
/// ```
/// use mediameter_usage::{Error, ErrorKind};
/// assert_eq!(Error::Overflow("seconds").kind(), ErrorKind::Overflow);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Record`].
    Record,
    /// [`Error::Config`].
    Config,
    /// [`Error::Incompatible`].
    Incompatible,
    /// [`Error::Overflow`].
    Overflow,
    /// [`Error::Core`].
    Core,
    /// [`Error::Document`].
    Document,
}

impl Error {
    /// The kind of error.
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e = Error::config("interval", "7", "3600 or 86400");
    /// assert_eq!(e.kind(), ErrorKind::Config);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Record { .. } => ErrorKind::Record,
            Error::Config { .. } => ErrorKind::Config,
            Error::Incompatible { .. } => ErrorKind::Incompatible,
            Error::Overflow(_) => ErrorKind::Overflow,
            Error::Core(_) => ErrorKind::Core,
            Error::Document { .. } => ErrorKind::Document,
        }
    }

    /// The input line of a [`Error::Record`] error.
    ///
    /// ```
    /// use mediameter_usage::Error;
    /// assert_eq!(Error::record(7, "end", "not a number").line(), Some(7));
    /// assert_eq!(Error::Overflow("x").line(), None);
    /// ```
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        match self {
            Error::Record { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// A record error at `line` in `field`.
    ///
    /// ```
    /// let e = mediameter_usage::Error::record(3, "start", "empty");
    /// assert_eq!(e.to_string(), "line 3: field start: empty");
    /// ```
    #[must_use]
    pub fn record(line: u64, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Record {
            line,
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A configuration error.
    ///
    /// ```
    /// let e = mediameter_usage::Error::config("zone", "Mars", "an offset");
    /// assert!(e.to_string().contains("Mars"));
    /// ```
    #[must_use]
    pub fn config(setting: &'static str, value: &str, expected: &'static str) -> Self {
        Error::Config {
            setting,
            value: mediameter_core::error::truncate(value),
            expected,
        }
    }

    pub(crate) fn document(format: &'static str, reason: impl Into<String>) -> Self {
        Error::Document {
            format,
            reason: reason.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn check<T: Send + Sync + 'static + std::error::Error>() {}
        check::<Error>();
    }

    #[test]
    fn core_errors_convert() {
        let e: Error = mediameter_core::UserId::new("").unwrap_err().into();
        assert_eq!(e.kind(), ErrorKind::Core);
    }
}
