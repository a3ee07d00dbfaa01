//! The one error type of `mediameter-usage`.

/// Everything that can go wrong in this crate.
///
/// Input errors name the record (line number, 1-based, counting the header line of a CSV file)
/// and the field; query and configuration errors name the field. Messages are lowercase without trailing
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
    /// A field of a query, an option or a vendor request is not acceptable.
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// The field (`"interval"`, `"split by"`, `"StartTime"`...).
        field: &'static str,
        /// The value given, cut to [`mediameter_core::error::ECHO_LIMIT`] characters.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A number is outside the range this crate supports (an approximate-count precision
    /// outside 4..=16).
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// What was checked.
        field: &'static str,
        /// The offending value, rendered.
        value: String,
        /// The accepted range, in words.
        expected: String,
    },
    /// Two aggregation states built under different settings cannot be merged.
    #[error("cannot merge states: {field} differs ({left} vs {right})")]
    Incompatible {
        /// The query field that differs.
        field: &'static str,
        /// Its value on the left.
        left: String,
        /// Its value on the right.
        right: String,
    },
    /// A counter would overflow.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// What was being counted or added.
        operation: &'static str,
    },
    /// An error from `mediameter-core` (ids, ranges, zones, specs), carried as it is: read it
    /// with [`Error::as_core`].
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
/// assert_eq!(Error::overflow("seconds").kind(), ErrorKind::Overflow);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Record`].
    Record,
    /// [`Error::Invalid`].
    Invalid,
    /// [`Error::OutOfRange`].
    OutOfRange,
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
    /// let e = Error::invalid("interval", "7", "3600 or 86400");
    /// assert_eq!(e.kind(), ErrorKind::Invalid);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Record { .. } => ErrorKind::Record,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::Incompatible { .. } => ErrorKind::Incompatible,
            Error::Overflow { .. } => ErrorKind::Overflow,
            Error::Core(_) => ErrorKind::Core,
            Error::Document { .. } => ErrorKind::Document,
        }
    }

    /// The input line of a [`Error::Record`] error.
    ///
    /// ```
    /// use mediameter_usage::Error;
    /// assert_eq!(Error::record(7, "end", "not a number").line(), Some(7));
    /// assert_eq!(Error::overflow("x").line(), None);
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

    /// The core error this error carries, if it is an [`Error::Core`].
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e: Error = mediameter_core::UserId::new("").unwrap_err().into();
    /// assert_eq!(e.kind(), ErrorKind::Core);
    /// assert_eq!(e.as_core().map(|c| c.kind()), Some(mediameter_core::ErrorKind::Invalid));
    /// assert!(Error::overflow("seconds").as_core().is_none());
    /// ```
    #[must_use]
    pub fn as_core(&self) -> Option<&mediameter_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            _ => None,
        }
    }

    /// An [`Error::Invalid`], the value cut to [`mediameter_core::error::ECHO_LIMIT`]
    /// characters.
    ///
    /// ```
    /// let e = mediameter_usage::Error::invalid("zone", "Mars", "an offset");
    /// assert_eq!(e.to_string(), "invalid zone \"Mars\": expected an offset");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            value: mediameter_core::error::truncate(value),
            expected: expected.into(),
        }
    }

    /// An [`Error::OutOfRange`].
    ///
    /// ```
    /// let e = mediameter_usage::Error::out_of_range("precision", 20, "4..=16");
    /// assert_eq!(e.to_string(), "precision 20 is out of range: expected 4..=16");
    /// ```
    #[must_use]
    pub fn out_of_range(
        field: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::OutOfRange {
            field,
            value: mediameter_core::error::truncate(&value.to_string()),
            expected: expected.into(),
        }
    }

    /// An [`Error::Overflow`] in `operation`.
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e = Error::overflow("seconds");
    /// assert_eq!(e.to_string(), "arithmetic overflow in seconds");
    /// assert!(matches!(e, Error::Overflow { operation: "seconds" }));
    /// ```
    #[must_use]
    pub const fn overflow(operation: &'static str) -> Self {
        Error::Overflow { operation }
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
