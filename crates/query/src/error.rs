//! The one error type of `mediameter-query`.

use crate::profile::ProfileError;
use crate::reject::Rejection;
use crate::time::TimeError;

/// Everything that can go wrong in `mediameter-query`.
///
/// A query that breaks its API's rules is [`Error::Rejected`]: the [`Rejection`] inside carries
/// every violation and renders the vendor-shaped body. The other variants are mistakes of the
/// embedding service (an unknown API name, a malformed profile) or a single time value that did
/// not parse. Callers that branch use [`Error::kind`].
///
/// The shapes follow the workspace's error convention (`docs/architecture.md`, "Error
/// convention"): [`Error::Invalid`], [`Error::OutOfRange`] and [`Error::TooLarge`] have the
/// same fields and messages as everywhere else, and the lower modules' own errors ([`TimeError`], [`ProfileError`]) are carried whole
/// with `#[from]`. Nothing in this crate returns an error of `mediameter-core`, so there is no
/// `Core` variant.
///
/// ```
/// use mediameter_query::{parse_time, Error, ErrorKind, Leniency, TimeFormat};
///
/// let err = Error::from(parse_time("2023-13-01T00:00:00Z", TimeFormat::UtcSeconds, Leniency::STRICT).unwrap_err());
/// assert_eq!(err.kind(), ErrorKind::Time);
/// assert_eq!(err.to_string(), "invalid time \"2023-13-01T00:00:00Z\": month is out of range");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A time value did not parse under the requested format and leniency.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// A query broke the rules of its API profile.
    #[error("query rejected: {0}")]
    Rejected(Box<Rejection>),
    /// No profile of that name is registered.
    #[error("unknown api {name:?}: expected one of {expected}")]
    UnknownApi {
        /// The requested name, truncated.
        name: String,
        /// The registered names, comma-separated.
        expected: String,
    },
    /// A profile (built in, or supplied by the caller) is not usable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A query string or form body was refused by [`crate::qs::parse`] before any parameter
    /// was validated.
    #[error("invalid query string{}: {reason}", param.as_ref().map(|p| format!(" at parameter {p:?}")).unwrap_or_default())]
    QueryString {
        /// Why.
        reason: crate::qs_reason::QsErrorReason,
        /// The decoded parameter name, truncated, when known.
        param: Option<String>,
    },
    /// A value given by the embedding service (a rate, a policy, a query-string limit) is not
    /// usable. The shape, like the field names, is the workspace's (`docs/architecture.md`,
    /// "Error convention"); build it with [`Error::invalid`].
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// What was being configured (`"rate"`, `"policy"`, `"max_len"`...).
        field: &'static str,
        /// The rejected value, escaped for display and truncated to
        /// [`mediameter_core::error::ECHO_LIMIT`] characters.
        value: String,
        /// What would have been accepted, in words.
        expected: String,
    },
    /// A number given by the embedding service is outside the range it may take (a
    /// query-string limit). The shape and message are the workspace's; build it with
    /// [`Error::out_of_range`].
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// What was checked (`"max_len"`, `"max_params"`...).
        field: &'static str,
        /// The offending value, rendered and cut to
        /// [`mediameter_core::error::ECHO_LIMIT`] characters.
        value: String,
        /// The accepted range, in words.
        expected: String,
    },
    /// More items than a fixed limit allows (a rate limiter's number of APIs). The shape and
    /// message are the workspace's; build it with [`Error::too_large`].
    #[error("{what} would produce {count} items, more than the limit of {limit}")]
    TooLarge {
        /// What was being counted.
        what: &'static str,
        /// How many there would have been.
        count: u64,
        /// The limit that applied.
        limit: u64,
    },
}

/// The category of an [`Error`].
///
/// ```
/// use mediameter_query::{ErrorKind, Registry};
/// let err = Registry::builtin().get("NoSuchApi").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnknownApi);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Time`].
    Time,
    /// See [`Error::Rejected`].
    Rejected,
    /// See [`Error::UnknownApi`].
    UnknownApi,
    /// See [`Error::Profile`].
    Profile,
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::OutOfRange`].
    OutOfRange,
    /// See [`Error::TooLarge`].
    TooLarge,
    /// See [`Error::QueryString`].
    QueryString,
}

impl Error {
    /// The category of this error.
    ///
    /// ```
    /// use mediameter_query::{Error, ErrorKind};
    /// let e = Error::Invalid { field: "rate", value: "0".into(), expected: "at least 1".into() };
    /// assert_eq!(e.kind(), ErrorKind::Invalid);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Time(_) => ErrorKind::Time,
            Error::Rejected(_) => ErrorKind::Rejected,
            Error::UnknownApi { .. } => ErrorKind::UnknownApi,
            Error::Profile(_) => ErrorKind::Profile,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::QueryString { .. } => ErrorKind::QueryString,
        }
    }

    /// The rejection, when this error is one.
    ///
    /// ```
    /// use mediameter_query::{Options, Registry};
    /// use chrono::Utc;
    /// let reg = Registry::builtin();
    /// let now = "2024-01-01T00:00:00Z".parse::<chrono::DateTime<Utc>>()?;
    /// let err = reg.validate("rtc/rooms", &[("state", "RUNNING")], now, &Options::default()).unwrap_err();
    /// assert_eq!(err.rejection().ok_or("missing rejection")?.code(), "DATA.100011001");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Error::Rejected(r) => Some(r),
            _ => None,
        }
    }

    /// Builds an [`Error::Invalid`], cutting the echoed value to
    /// [`mediameter_core::error::ECHO_LIMIT`] characters (the message escapes it): the same
    /// helper as in every crate of the workspace.
    ///
    /// ```
    /// use mediameter_query::{Error, ErrorKind};
    /// let e = Error::invalid("max_params", "0", "1 to 1024");
    /// assert_eq!(e.kind(), ErrorKind::Invalid);
    /// assert_eq!(e.to_string(), "invalid max_params \"0\": expected 1 to 1024");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl std::fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: mediameter_core::error::truncate(value),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::OutOfRange`], cutting the echoed value to
    /// [`mediameter_core::error::ECHO_LIMIT`] characters.
    ///
    /// ```
    /// use mediameter_query::{Error, ErrorKind};
    /// let e = Error::out_of_range("max_params", 0, "1 to 1024");
    /// assert_eq!(e.kind(), ErrorKind::OutOfRange);
    /// assert_eq!(e.to_string(), "max_params 0 is out of range: expected 1 to 1024");
    /// ```
    #[must_use]
    pub fn out_of_range(
        field: &'static str,
        value: impl std::fmt::Display,
        expected: impl std::fmt::Display,
    ) -> Self {
        Error::OutOfRange {
            field,
            value: mediameter_core::error::truncate(&value.to_string()),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::TooLarge`] from collection lengths (a count past `u64` reads as
    /// `u64::MAX`).
    ///
    /// ```
    /// use mediameter_query::{Error, ErrorKind};
    /// let e = Error::too_large("rate-limited APIs", 65_536, 65_535);
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert_eq!(
    ///     e.to_string(),
    ///     "rate-limited APIs would produce 65536 items, more than the limit of 65535"
    /// );
    /// ```
    #[must_use]
    pub fn too_large(what: &'static str, count: usize, limit: usize) -> Self {
        Error::TooLarge {
            what,
            count: u64::try_from(count).unwrap_or(u64::MAX),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        }
    }
}

impl From<crate::names::ParseNameError> for Error {
    fn from(e: crate::names::ParseNameError) -> Self {
        Error::Invalid {
            field: e.field(),
            value: e.value().to_owned(),
            expected: e.expected().to_owned(),
        }
    }
}

/// The result type of `mediameter-query`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
        assert_traits::<Error>();
    }
}
