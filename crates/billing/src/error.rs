//! The one error type of `mediameter-billing`.

use mediameter_core::error::truncate;

/// Everything that can go wrong in `mediameter-billing`.
///
/// Each variant names what was checked, the offending value (truncated to
/// [`mediameter_core::error::ECHO_LIMIT`] characters) and what was expected. Errors of the core
/// types (invalid money, reversed ranges, mixed currencies, overflow) come through
/// [`Error::Core`]. Callers that branch use [`Error::kind`].
///
/// ```
/// use mediameter_billing::{Error, ErrorKind};
///
/// let err = Error::invalid("pack quantity", "0", "a quantity above zero");
/// assert_eq!(err.kind(), ErrorKind::Invalid);
/// assert_eq!(err.to_string(), "invalid pack quantity \"0\": expected a quantity above zero");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of a core type: invalid value, range, currency or unit mismatch, overflow.
    #[error(transparent)]
    Core(#[from] mediameter_core::Error),
    /// A value from outside did not have the expected form.
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// What was being checked (`"pack quantity"`, `"tariff tier"`...).
        field: &'static str,
        /// The offending value, truncated.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A configuration change that lowers the configuration (Huawei Cloud iDME billing manual: only upgrades).
    #[error("downgrade refused at {event}: {detail}")]
    Downgrade {
        /// The event or request that asked for the downgrade.
        event: String,
        /// What would have decreased.
        detail: String,
    },
    /// A timeline whose events are inconsistent (out of order, overlapping, a deletion before
    /// the creation).
    #[error("invalid timeline of {resource}: event {index} ({event}) {problem}")]
    Timeline {
        /// The resource whose timeline is wrong.
        resource: String,
        /// Position of the offending event in the input.
        index: usize,
        /// The offending event, described.
        event: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A request named a pack the engine does not hold.
    #[error("unknown pack {id:?}")]
    UnknownPack {
        /// The id that was asked for.
        id: String,
    },
    /// A pack id that is already held by the engine.
    #[error("duplicate pack {id:?}: pack ids must be unique")]
    DuplicatePack {
        /// The id given twice.
        id: String,
    },
    /// An error located in the input: which item (by position and id) and which field.
    /// [`Error::kind`] is the kind of the error inside.
    #[error("{place}: {source}")]
    At {
        /// Where: `"usage[3] (partition 0, id 7), field quantity"`, `"field new_price"`.
        place: String,
        /// What went wrong there.
        source: Box<Error>,
    },
}

/// The category of an [`Error`], for callers that branch on it.
///
/// ```
/// use mediameter_billing::{Error, ErrorKind};
/// assert_eq!(Error::UnknownPack { id: "p1".into() }.kind(), ErrorKind::UnknownPack);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Malformed input: [`Error::Invalid`] or a core `Invalid`.
    Invalid,
    /// A number out of its range (core `OutOfRange`).
    OutOfRange,
    /// Amounts in different currencies were combined.
    CurrencyMismatch,
    /// Quantities in incompatible units were combined.
    UnitMismatch,
    /// Arithmetic left `Decimal`'s range.
    Overflow,
    /// A request would produce more items than allowed.
    TooLarge,
    /// See [`Error::Downgrade`].
    Downgrade,
    /// See [`Error::Timeline`].
    Timeline,
    /// See [`Error::UnknownPack`].
    UnknownPack,
    /// See [`Error::DuplicatePack`].
    DuplicatePack,
}

impl Error {
    /// The category of this error.
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// let core = mediameter_core::Error::overflow("money add");
    /// assert_eq!(Error::from(core).kind(), ErrorKind::Overflow);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        use mediameter_core::ErrorKind as C;
        match self {
            Error::Core(e) => match e.kind() {
                C::Invalid => ErrorKind::Invalid,
                C::OutOfRange => ErrorKind::OutOfRange,
                C::CurrencyMismatch => ErrorKind::CurrencyMismatch,
                C::UnitMismatch => ErrorKind::UnitMismatch,
                C::TooLarge => ErrorKind::TooLarge,
                C::Overflow => ErrorKind::Overflow,
                _ => ErrorKind::Invalid,
            },
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::Downgrade { .. } => ErrorKind::Downgrade,
            Error::Timeline { .. } => ErrorKind::Timeline,
            Error::UnknownPack { .. } => ErrorKind::UnknownPack,
            Error::DuplicatePack { .. } => ErrorKind::DuplicatePack,
            Error::At { source, .. } => source.kind(),
        }
    }

    /// This error located at `place` (an item and a field). Locating an error twice keeps
    /// the outer place and the inner one: `"usage[3]: field quantity: ..."`.
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// let e = Error::overflow("pack deduction").at("usage[3] (partition 0, id 7), field quantity");
    /// assert_eq!(e.kind(), ErrorKind::Overflow);
    /// assert!(e.to_string().starts_with("usage[3] (partition 0, id 7), field quantity: "));
    /// ```
    #[must_use]
    pub fn at(self, place: impl Into<String>) -> Self {
        Error::At {
            place: place.into(),
            source: Box::new(self),
        }
    }

    /// Builds an [`Error::Invalid`], truncating the echoed value.
    ///
    /// ```
    /// use mediameter_billing::Error;
    /// assert!(Error::invalid("x", &"y".repeat(500), "short").to_string().len() < 200);
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            value: truncate(value),
            expected: expected.into(),
        }
    }

    /// Builds an overflow error of `operation`.
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// assert_eq!(Error::overflow("pack balance").kind(), ErrorKind::Overflow);
    /// ```
    #[must_use]
    pub fn overflow(operation: &'static str) -> Self {
        Error::Core(mediameter_core::Error::overflow(operation))
    }
}

/// The result type of `mediameter-billing`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
        assert_traits::<Error>();
    }

    #[test]
    fn core_kinds_map_through() {
        let e: Error = mediameter_core::Error::invalid("currency code", "XXX", "a code").into();
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(e.to_string().contains("XXX"));
    }
}
