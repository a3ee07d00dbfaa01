//! The one error type of `mediameter-gateway`.

use std::fmt;

/// Everything that can go wrong in `mediameter-gateway`.
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
    /// A setting is not usable.
    #[error("invalid {field} {value:?}: expected {expected}")]
    Config {
        /// What was being configured.
        field: &'static str,
        /// The rejected value, truncated.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
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
    /// See [`Error::Config`].
    Config,
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
            Error::Config { .. } => ErrorKind::Config,
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
