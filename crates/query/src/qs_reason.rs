//! Why a query string was refused: the reason [`crate::qs`] gives and [`crate::Error`]
//! carries. It sits below both (see the crate docs, "Layers"), so the error type does not name
//! the parser built on it; callers reach it as `qs::QsErrorReason`.

use std::fmt;

use crate::profile::ViolationKind;

/// Why a query string was refused.
///
/// ```
/// use mediameter_query::{qs::QsErrorReason, ViolationKind};
/// assert_eq!(QsErrorReason::Repeated.violation_kind(), ViolationKind::Duplicate);
/// assert_eq!(QsErrorReason::TooLong.to_string(), "the query string is too long");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QsErrorReason {
    /// The whole input is over [`QsLimits::max_len`](crate::qs::QsLimits::max_len).
    TooLong,
    /// More parameters than [`QsLimits::max_params`](crate::qs::QsLimits::max_params).
    TooManyParams,
    /// A decoded key over [`QsLimits::max_key_len`](crate::qs::QsLimits::max_key_len).
    KeyTooLong,
    /// A decoded value over [`QsLimits::max_value_len`](crate::qs::QsLimits::max_value_len).
    ValueTooLong,
    /// A `%` not followed by two hex digits.
    InvalidEscape,
    /// The input or a decoded key or value is not UTF-8.
    NotUtf8,
    /// An empty key (`=value`).
    EmptyKey,
    /// A key given more than once.
    Repeated,
}

impl QsErrorReason {
    /// The validator's kind for this refusal: sizes of the whole are [`ViolationKind::TooLarge`],
    /// a repeat is [`ViolationKind::Duplicate`], the rest [`ViolationKind::Malformed`].
    #[must_use]
    pub const fn violation_kind(self) -> ViolationKind {
        match self {
            QsErrorReason::TooLong | QsErrorReason::TooManyParams => ViolationKind::TooLarge,
            QsErrorReason::Repeated => ViolationKind::Duplicate,
            _ => ViolationKind::Malformed,
        }
    }

    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            QsErrorReason::TooLong => "the query string is too long",
            QsErrorReason::TooManyParams => "too many parameters",
            QsErrorReason::KeyTooLong => "the parameter name is too long",
            QsErrorReason::ValueTooLong => "the value is too long",
            QsErrorReason::InvalidEscape => "invalid percent-encoding",
            QsErrorReason::NotUtf8 => "not UTF-8",
            QsErrorReason::EmptyKey => "empty parameter name",
            QsErrorReason::Repeated => "the parameter is repeated",
        }
    }
}

impl fmt::Display for QsErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
