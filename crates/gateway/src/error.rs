//! The one error type of `mediameter-gateway`.

use std::fmt;

/// Everything that can go wrong in `mediameter-gateway`.
///
/// It follows the workspace's error convention (`docs/architecture.md`, "Error convention"):
/// one `Error` with an [`ErrorKind`] from [`Error::kind`], both `#[non_exhaustive]`; an unusable
/// setting is [`Error::Invalid`] (or, for a number outside its range, [`Error::OutOfRange`]) with
/// the same fields and message as in every other crate; the
/// query crate's errors are carried whole as `Error::Query` (with the `tower` feature), never
/// translated. Beyond the shared shapes: [`Error::Token`] (a refused join token, with a
/// [`TokenErrorReason`]) and [`Error::Random`].
///
/// No variant carries token text or key material: a refused token says only what was wrong
/// with it.
///
/// ```
/// use mediameter_gateway::{Error, ErrorKind};
/// let err: Result<mediameter_gateway::token::Token, _> = "not a token".parse();
/// let err = err.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Token);
/// assert_eq!(err.to_string(), "token refused: malformed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A join token was refused.
    #[error("token refused: {reason}")]
    Token {
        /// Why.
        reason: TokenErrorReason,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// A setting is not usable (a key id already in use).
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// What was being set.
        field: &'static str,
        /// The rejected value, cut to 64 characters.
        value: String,
        /// What would have been accepted, in words.
        expected: String,
    },
    /// A number of a setting is outside the range it may take (a clock skew below zero or
    /// over [`MAX_SKEW_SECONDS`](crate::token::MAX_SKEW_SECONDS)).
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// What was set.
        field: &'static str,
        /// The rejected value, rendered and cut to 64 characters.
        value: String,
        /// The accepted range, in words.
        expected: String,
    },
    /// An error of `mediameter-query` while building the layer (an unknown API, a bad rate).
    #[cfg(feature = "tower")]
    #[error(transparent)]
    Query(#[from] mediameter_query::Error),
}

/// The category of an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Token`].
    Token,
    /// See [`Error::Random`].
    Random,
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::OutOfRange`].
    OutOfRange,
    /// See `Error::Query` (with the `tower` feature).
    Query,
}

impl Error {
    /// The category of this error.
    ///
    /// ```
    /// assert_eq!(mediameter_gateway::Error::Random.kind(), mediameter_gateway::ErrorKind::Random);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Token { .. } => ErrorKind::Token,
            Error::Random => ErrorKind::Random,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            #[cfg(feature = "tower")]
            Error::Query(_) => ErrorKind::Query,
        }
    }

    /// The reason, when a token was refused.
    ///
    /// ```
    /// use mediameter_gateway::token::TokenErrorReason;
    /// let err = "".parse::<mediameter_gateway::token::Token>().unwrap_err();
    /// assert_eq!(err.token_reason(), Some(TokenErrorReason::Malformed));
    /// ```
    #[must_use]
    pub fn token_reason(&self) -> Option<TokenErrorReason> {
        match self {
            Error::Token { reason } => Some(*reason),
            _ => None,
        }
    }

    pub(crate) fn token(reason: TokenErrorReason) -> Self {
        Error::Token { reason }
    }

    /// Builds an [`Error::Invalid`], with `value` cut to 64 characters (the message escapes
    /// it): the same helper as in every crate of the workspace.
    ///
    /// ```
    /// use mediameter_gateway::{Error, ErrorKind};
    /// let e = Error::invalid("key id", "1", "an id other than the current key's");
    /// assert_eq!(e.kind(), ErrorKind::Invalid);
    /// assert_eq!(e.to_string(), "invalid key id \"1\": expected an id other than the current key's");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: truncate(value),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::OutOfRange`], with the rendered `value` cut to 64 characters.
    ///
    /// ```
    /// use mediameter_gateway::{Error, ErrorKind};
    /// let e = Error::out_of_range("clock skew", "301 s", "0 to 300 s");
    /// assert_eq!(e.kind(), ErrorKind::OutOfRange);
    /// assert_eq!(e.to_string(), "clock skew 301 s is out of range: expected 0 to 300 s");
    /// ```
    #[must_use]
    pub fn out_of_range(
        field: &'static str,
        value: impl fmt::Display,
        expected: impl fmt::Display,
    ) -> Self {
        Error::OutOfRange {
            field,
            value: truncate(&value.to_string()),
            expected: expected.to_string(),
        }
    }
}

/// Most characters of a value an error echoes: the workspace's limit
/// (`mediameter_core::error::ECHO_LIMIT`).
const ECHO_LIMIT: usize = 64;

/// `value` cut to [`ECHO_LIMIT`] characters, with `…` when cut: what
/// `mediameter_core::error::truncate` does (this crate does not depend on core).
fn truncate(value: &str) -> String {
    match value.char_indices().nth(ECHO_LIMIT) {
        None => value.to_owned(),
        Some((cut, _)) => {
            let mut out = value.get(..cut).unwrap_or_default().to_owned();
            out.push('…');
            out
        }
    }
}

/// Why a token was refused.
///
/// ```
/// use mediameter_gateway::token::TokenErrorReason;
/// assert_eq!(TokenErrorReason::Mismatch("channel").to_string(), "issued for another channel");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenErrorReason {
    /// Not the documented layout (bad base64url, wrong lengths, too long).
    Malformed,
    /// A format version this crate does not read.
    UnsupportedVersion,
    /// Signed by a key that is not (or no longer) in the keyring.
    UnknownKey,
    /// The signature does not match: the token was altered or forged.
    BadSignature,
    /// Past its expiry plus the allowed clock skew.
    Expired,
    /// Expires further ahead than the longest lifetime allowed.
    TooLongLived,
    /// Issued for another app, channel or user (the field is named).
    Mismatch(&'static str),
    /// Used before.
    Replayed,
    /// The replay cache is full of live nonces; refused rather than risk a replay.
    ReplayCacheFull,
    /// An app, channel or user id unusable in a token (empty, over 64 bytes, control
    /// characters); the field is named.
    InvalidClaim(&'static str),
}

impl fmt::Display for TokenErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenErrorReason::Malformed => f.write_str("malformed"),
            TokenErrorReason::UnsupportedVersion => f.write_str("unsupported format version"),
            TokenErrorReason::UnknownKey => f.write_str("signed by an unknown or revoked key"),
            TokenErrorReason::BadSignature => f.write_str("bad signature"),
            TokenErrorReason::Expired => f.write_str("expired"),
            TokenErrorReason::TooLongLived => f.write_str("lifetime too long"),
            TokenErrorReason::Mismatch(field) => write!(f, "issued for another {field}"),
            TokenErrorReason::Replayed => f.write_str("already used"),
            TokenErrorReason::ReplayCacheFull => f.write_str("replay cache full"),
            TokenErrorReason::InvalidClaim(field) => {
                write!(
                    f,
                    "invalid {field} id: expected 1 to 64 bytes without control characters"
                )
            }
        }
    }
}

/// The result type of `mediameter-gateway`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_cut_like_cores() {
        assert_eq!(truncate("short"), "short");
        let long = "é".repeat(65);
        let cut = truncate(&long);
        assert_eq!(cut.chars().count(), 65);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate(&"x".repeat(64)), "x".repeat(64));
    }
}
