//! The one error type of `mediameter-diagnostics`.

use std::fmt;

/// Everything that can go wrong when a diagnosis request or a profile is validated.
///
/// The crate follows the workspace's error convention (`docs/architecture.md`, "Error
/// convention"): core errors come through unchanged in [`Error::Core`], `Invalid`,
/// `OutOfRange` and `TooLarge` have the shared fields and messages, and a located error is an
/// [`Error::At`] whose [`Error::kind`] is the kind of the error inside. Sample errors name the
/// participant, the sample index (0-based, in input order) and the field, so a support
/// engineer can find the bad point in the request.
///
/// ```
/// use mediameter_diagnostics::{Error, ErrorKind};
///
/// let err = Error::sample("u2", 17, "loss_pct", "-3", "a percentage from 0 to 100");
/// assert_eq!(err.kind(), ErrorKind::InvalidSample);
/// assert_eq!(
///     err.to_string(),
///     "participant u2, sample 17, field loss_pct: invalid value -3: expected a percentage from 0 to 100"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A core value (id, time range) was rejected.
    #[error(transparent)]
    Core(#[from] mediameter_core::Error),
    /// A value given as text (a version string) did not have the expected form.
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// What was being read (`"version"`).
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
    /// One sample of one participant is invalid.
    #[error(
        "participant {participant}, sample {index}, field {field}: invalid value {value}: expected {expected}"
    )]
    Sample {
        /// The participant's user id (and role when the user appears twice).
        participant: String,
        /// The 0-based index of the sample in the participant's input list.
        index: usize,
        /// The field, as spelled in the JSON request.
        field: &'static str,
        /// The offending value, rendered.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A participant-level field is invalid (duplicate user, unknown publisher, too many samples).
    #[error("participant {participant}, field {field}: invalid value {value}: expected {expected}")]
    Participant {
        /// The participant's user id.
        participant: String,
        /// The field, as spelled in the JSON request.
        field: &'static str,
        /// The offending value, rendered.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A profile threshold is invalid (not finite, negative, or inconsistent with another).
    #[error("profile {profile}, field {field}: invalid value {value}: expected {expected}")]
    Profile {
        /// The profile's name.
        profile: String,
        /// The field, as spelled in the JSON profile.
        field: &'static str,
        /// The offending value, rendered.
        value: String,
        /// What would have been accepted.
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
        /// Where: `"participant u1 (pub)"`, `"participant u1 (pub), screen-share stream"`.
        place: String,
        /// What went wrong there.
        source: Box<Error>,
    },
}

/// The category of an [`Error`], for callers that branch on it.
///
/// ```
/// use mediameter_diagnostics::{Error, ErrorKind};
/// assert_eq!(Error::sample("u1", 0, "rtt_ms", "NaN", "finite").kind(), ErrorKind::InvalidSample);
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
    /// See [`Error::Sample`].
    InvalidSample,
    /// See [`Error::Participant`].
    InvalidParticipant,
    /// See [`Error::Profile`].
    InvalidProfile,
    /// See [`Error::TooLarge`].
    TooLarge,
}

impl Error {
    /// The category of this error.
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// let e = Error::participant("u1", "subscribes_to", "u9", "a publisher of this request");
    /// assert_eq!(e.kind(), ErrorKind::InvalidParticipant);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Core(_) => ErrorKind::Core,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::Sample { .. } => ErrorKind::InvalidSample,
            Error::Participant { .. } => ErrorKind::InvalidParticipant,
            Error::Profile { .. } => ErrorKind::InvalidProfile,
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
    /// assert!(Error::profile("p", "loss_high_pct", "-1", "0 to 100").as_core().is_none());
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

    /// This error located at `place` (a participant, a stream), with the place escaped and cut
    /// as every echoed value is. Locating an error twice keeps both places, outer first.
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
            place: shown(place.as_ref()),
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

    /// Builds an [`Error::Sample`], truncating the echoed values.
    ///
    /// ```
    /// use mediameter_diagnostics::Error;
    /// let e = Error::sample("u1", 3, "video_tier", "8k", "360p, 720p, 1080p, 2k or 4k");
    /// assert!(e.to_string().contains("sample 3, field video_tier"));
    /// ```
    #[must_use]
    pub fn sample(
        participant: &str,
        index: usize,
        field: &'static str,
        value: impl fmt::Display,
        expected: impl fmt::Display,
    ) -> Self {
        Error::Sample {
            participant: shown(participant),
            index,
            field,
            value: shown(&value.to_string()),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::Participant`], truncating the echoed values.
    ///
    /// ```
    /// use mediameter_diagnostics::Error;
    /// let e = Error::participant("u1", "role", "pub", "one entry per user and role");
    /// assert!(e.to_string().starts_with("participant u1, field role"));
    /// ```
    #[must_use]
    pub fn participant(
        participant: &str,
        field: &'static str,
        value: impl fmt::Display,
        expected: impl fmt::Display,
    ) -> Self {
        Error::Participant {
            participant: shown(participant),
            field,
            value: shown(&value.to_string()),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::Profile`].
    ///
    /// ```
    /// use mediameter_diagnostics::{Error, ErrorKind};
    /// assert_eq!(Error::profile("x", "loss_high_pct", "-1", "0 to 100").kind(), ErrorKind::InvalidProfile);
    /// ```
    #[must_use]
    pub fn profile(
        profile: &str,
        field: &'static str,
        value: impl fmt::Display,
        expected: impl fmt::Display,
    ) -> Self {
        Error::Profile {
            profile: shown(profile),
            field,
            value: shown(&value.to_string()),
            expected: expected.to_string(),
        }
    }
}

/// A value from the request as the located errors show it without quotes: cut to
/// [`ECHO_LIMIT`](mediameter_core::error::ECHO_LIMIT) characters, control characters escaped
/// (`\u{1b}`), so that a name or a value never reaches a terminal or a log raw.
fn shown(value: &str) -> String {
    mediameter_core::echo::escape_controls(&mediameter_core::error::truncate(value)).to_string()
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
    fn echoed_names_and_values_have_their_controls_escaped() {
        let e = Error::profile("p\u{1b}[2J", "loss_high_pct", "1\u{7}", "0 to 100");
        let text = e.to_string();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(
            text.contains("p\\u{1b}[2J") && text.contains("1\\u{7}"),
            "{text}"
        );
        let e = Error::participant("u\u{7}", "role", "x\u{1b}", "y");
        assert!(!e.to_string().chars().any(char::is_control), "{e}");
        let e = Error::sample("u", 0, "os", "\u{1b}]0;pwned\u{7}", "y");
        assert!(!e.to_string().chars().any(char::is_control), "{e}");
    }

    #[test]
    fn long_values_are_truncated() {
        let e = Error::sample(&"u".repeat(500), 0, "t", "x".repeat(500), "y");
        assert!(e.to_string().len() < 300);
    }
}
