//! The one error type of `mediameter-diagnostics`.

use std::fmt;

/// Everything that can go wrong when a diagnosis request or a profile is validated.
///
/// The crate follows the workspace's error convention (`docs/architecture.md`, "Error
/// convention"): core errors come through unchanged in [`Error::Core`], `Invalid`,
/// `OutOfRange` and `TooLarge` have the shared fields and messages, and a located error is an
/// [`Error::At`] whose [`Error::kind`] is the kind of the error inside. A bad sample is an
/// [`Error::Invalid`] naming the field, located at the participant and the sample index
/// (0-based, in input order), so a support engineer can find the bad point in the request; a
/// bad participant field is located at the participant, a bad profile threshold at the
/// profile.
///
/// ```
/// use mediameter_diagnostics::{Error, ErrorKind};
///
/// let err = Error::invalid("loss_pct", "-3", "a percentage from 0 to 100")
///     .at("participant u2 (sub), sample 17");
/// assert_eq!(err.kind(), ErrorKind::Invalid);
/// assert_eq!(
///     err.to_string(),
///     "participant u2 (sub), sample 17: invalid loss_pct \"-3\": expected a percentage from 0 to 100"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A core value (id, time range) was rejected.
    #[error(transparent)]
    Core(#[from] mediameter_core::Error),
    /// A value did not have the expected form: a version string, a sample's field (located at
    /// the participant and sample), a participant's field (located at the participant), a
    /// profile threshold (located at the profile).
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// What was being read (`"version"`, `"loss_pct"`, `"subscribes_to"`,
        /// `"swing_z"`...), as spelled in the JSON request or profile.
        field: &'static str,
        /// The offending value, cut to [`mediameter_core::error::ECHO_LIMIT`] characters.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A number is outside what the library accepts, such as a diagnosis range longer than the
    /// one hour the vendor console allows (Alibaba Cloud RTC console guide).
    ///
    /// For the range, `value` holds the range and its exact length in seconds with as many
    /// decimals as it needs (`3600.001 s`), never rounded down to the limit.
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// What was checked (`"diagnosis range"`).
        field: &'static str,
        /// The offending value, rendered.
        value: String,
        /// The accepted range, in words.
        expected: String,
    },
    /// The request holds more participants, samples, operations or pairs than the library
    /// accepts: the workspace's shape for a size limit. `what` names what was counted
    /// (`"participants"`, `"samples"`, `"operations"`, `"publisher/subscriber pairs"`); the
    /// participant (or stream) it belongs to is the place of an [`Error::At`] around it.
    #[error("{what} would produce {count} items, more than the limit of {limit}")]
    TooLarge {
        /// What was counted.
        what: &'static str,
        /// How many items were given.
        count: u64,
        /// The limit that applied.
        limit: u64,
    },
    /// An error located in the request: the participant (and stream) it belongs to.
    /// [`Error::kind`] and [`Error::as_core`] look through to the error inside.
    #[error("{place}: {source}")]
    At {
        /// Where: `"participant u1 (pub)"`, `"participant u1 (pub), sample 17"`,
        /// `"participant u1 (pub), screen-share stream, sample 3"`,
        /// `"participant u2 (sub), operation 0"`, `"profile default"`.
        place: String,
        /// What went wrong there.
        source: Box<Error>,
    },
}

/// The category of an [`Error`], for callers that branch on it.
///
/// ```
/// use mediameter_diagnostics::{Error, ErrorKind};
/// let e = Error::invalid("rtt_ms", "NaN", "a finite number").at("participant u1 (pub), sample 0");
/// assert_eq!(e.kind(), ErrorKind::Invalid);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Core`].
    Core,
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::OutOfRange`].
    OutOfRange,
    /// See [`Error::TooLarge`].
    TooLarge,
}

impl Error {
    /// The category of this error.
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// let e = Error::invalid("subscribes_to", "u9", "a publisher of this request");
    /// assert_eq!(e.at("participant u1 (sub)").kind(), ErrorKind::Invalid);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Core(_) => ErrorKind::Core,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::At { source, .. } => source.kind(),
        }
    }

    /// The core error this error carries, if it is an [`Error::Core`] (looking through
    /// [`Error::At`]).
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// let e: Error = mediameter_core::UserId::new("").unwrap_err().into();
    /// assert_eq!(e.kind(), ErrorKind::Core);
    /// assert_eq!(e.as_core().map(|c| c.kind()), Some(mediameter_core::ErrorKind::Invalid));
    /// assert!(Error::invalid("loss_high_pct", "-1", "0 to 100").at("profile p").as_core().is_none());
    /// ```
    #[must_use]
    pub fn as_core(&self) -> Option<&mediameter_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            Error::At { source, .. } => source.as_core(),
            _ => None,
        }
    }

    /// Builds an [`Error::Invalid`], cutting the echoed value.
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// let e = Error::invalid("version", "latest", "a dotted version such as 6.8.2");
    /// assert_eq!(e.kind(), ErrorKind::Invalid);
    /// assert_eq!(e.to_string(), "invalid version \"latest\": expected a dotted version such as 6.8.2");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: mediameter_core::error::truncate(value),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::OutOfRange`], cutting the echoed value.
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// let e = Error::out_of_range("diagnosis range", "3601 s", "at most 3600 s (one hour)");
    /// assert_eq!(e.kind(), ErrorKind::OutOfRange);
    /// assert_eq!(e.to_string(), "diagnosis range 3601 s is out of range: expected at most 3600 s (one hour)");
    /// ```
    #[must_use]
    pub fn out_of_range(
        field: &'static str,
        value: impl fmt::Display,
        expected: impl fmt::Display,
    ) -> Self {
        Error::OutOfRange {
            field,
            value: shown(&value.to_string()),
            expected: expected.to_string(),
        }
    }

    /// This error located at `place` (a participant, a stream, a sample, a profile), with the
    /// place's control characters escaped and the place cut to 256 characters (the
    /// crate builds places from ids and names already cut to
    /// [`ECHO_LIMIT`](mediameter_core::error::ECHO_LIMIT)). Locating an error twice keeps both
    /// places, outer first.
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// let e = Error::too_large("samples", 36_001, 36_000).at("participant u1 (pub)");
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert_eq!(
    ///     e.to_string(),
    ///     "participant u1 (pub): samples would produce 36001 items, more than the limit of 36000"
    /// );
    /// ```
    #[must_use]
    pub fn at(self, place: impl AsRef<str>) -> Self {
        Error::At {
            place: mediameter_core::echo::escape_controls(cut(place.as_ref(), PLACE_LIMIT))
                .to_string(),
            source: Box::new(self),
        }
    }

    /// Builds an [`Error::TooLarge`] from collection lengths.
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// let e = Error::too_large("participants", 1001, 1000);
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert_eq!(e.to_string(), "participants would produce 1001 items, more than the limit of 1000");
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

/// A value from the request as the located errors show it without quotes: cut to
/// [`ECHO_LIMIT`](mediameter_core::error::ECHO_LIMIT) characters, control characters escaped
/// (`\u{1b}`), so that a name or a value never reaches a terminal or a log raw.
fn shown(value: &str) -> String {
    mediameter_core::echo::escape_controls(&mediameter_core::error::truncate(value)).to_string()
}

/// Most characters of a place an [`Error::At`] keeps: room for a participant's id and role, a
/// stream and a sample index, each part cut to
/// [`ECHO_LIMIT`](mediameter_core::error::ECHO_LIMIT) when the place is built.
const PLACE_LIMIT: usize = 4 * mediameter_core::error::ECHO_LIMIT;

/// The first `limit` characters of `text`.
fn cut(text: &str, limit: usize) -> &str {
    match text.char_indices().nth(limit) {
        None => text,
        Some((end, _)) => text.get(..end).unwrap_or(text),
    }
}

/// The result type of `mediameter-diagnostics`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
        assert_traits::<Error>();
    }

    /// Regression: a profile name or a rendered value holding ESC or BEL reached the message
    /// raw (the ids were escaped, these fields only cut).
    #[test]
    fn echoed_places_and_values_have_their_controls_escaped() {
        let e = Error::invalid("loss_high_pct", "1\u{7}", "0 to 100").at("profile p\u{1b}[2J");
        let text = e.to_string();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(
            text.contains("p\\u{1b}[2J") && text.contains("1\\u{7}"),
            "{text}"
        );
        let e = Error::out_of_range("os", "\u{1b}]0;pwned\u{7}", "y").at("participant u");
        assert!(!e.to_string().chars().any(char::is_control), "{e}");
    }

    #[test]
    fn long_values_and_places_are_cut() {
        let e = Error::invalid("t", &"x".repeat(500), "y").at("u".repeat(5000));
        assert!(e.to_string().len() < 400, "{e}");
        let e = Error::out_of_range("t", "x".repeat(500), "y");
        assert!(e.to_string().len() < 200, "{e}");
    }
}
