//! The one error type of `mediameter-billing`.

use mediameter_core::error::truncate;

/// Everything that can go wrong in `mediameter-billing`.
///
/// The crate follows the workspace's error convention (`docs/architecture.md`, "Error
/// convention"): errors of core values (an invalid id, a reversed range, two currencies or
/// units that meet, core arithmetic that overflows) come through unchanged in [`Error::Core`],
/// whose kind is [`ErrorKind::Core`] and which [`Error::as_core`] hands back; billing's own
/// problems have their own variants, with the same field names as every other crate's.
/// Each variant names what was checked, the offending value (truncated to
/// [`mediameter_core::error::ECHO_LIMIT`] characters) and what was expected. Callers that
/// branch use [`Error::kind`].
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
    /// An error of a core value, unchanged: see [`Error::as_core`].
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
    /// Billing arithmetic left `Decimal`'s (or an integer's) range.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// The operation that overflowed (`"pack balance"`, `"ratio"`...).
        operation: &'static str,
    },
    /// A request would produce more items than the crate allows.
    #[error("{what} would produce {count} items, more than the limit of {limit}")]
    TooLarge {
        /// What was being produced (`"settlement"`).
        what: &'static str,
        /// How many items it would have produced.
        count: u64,
        /// The limit that applied.
        limit: u64,
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
    /// [`Error::kind`] and [`Error::as_core`] look through to the error inside.
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
    /// An error of a core value: [`Error::Core`]; [`Error::as_core`] says which.
    Core,
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::Overflow`].
    Overflow,
    /// See [`Error::TooLarge`].
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
    /// The category of this error; for a located error ([`Error::At`]), of the error inside.
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// let core = mediameter_core::Error::overflow("money add");
    /// assert_eq!(Error::from(core).kind(), ErrorKind::Core);
    /// assert_eq!(Error::overflow("ratio").kind(), ErrorKind::Overflow);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Core(_) => ErrorKind::Core,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::Overflow { .. } => ErrorKind::Overflow,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::Downgrade { .. } => ErrorKind::Downgrade,
            Error::Timeline { .. } => ErrorKind::Timeline,
            Error::UnknownPack { .. } => ErrorKind::UnknownPack,
            Error::DuplicatePack { .. } => ErrorKind::DuplicatePack,
            Error::At { source, .. } => source.kind(),
        }
    }

    /// The core error carried, unchanged, if this is one (looking through [`Error::At`]).
    ///
    /// ```
    /// use mediameter_billing::Error;
    /// use mediameter_core::ErrorKind;
    /// let e = Error::from(mediameter_core::Error::overflow("money add")).at("field price");
    /// assert_eq!(e.as_core().map(mediameter_core::Error::kind), Some(ErrorKind::Overflow));
    /// assert!(Error::overflow("ratio").as_core().is_none());
    /// ```
    #[must_use]
    pub fn as_core(&self) -> Option<&mediameter_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            Error::At { source, .. } => source.as_core(),
            _ => None,
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

    /// Builds an [`Error::Overflow`] of `operation`.
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// assert_eq!(Error::overflow("pack balance").kind(), ErrorKind::Overflow);
    /// ```
    #[must_use]
    pub fn overflow(operation: &'static str) -> Self {
        Error::Overflow { operation }
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
    fn core_errors_are_carried_not_mapped() {
        let core = mediameter_core::Error::invalid("currency code", "XXX", "a code");
        let e: Error = core.clone().into();
        assert_eq!(e.kind(), ErrorKind::Core);
        assert_eq!(e.as_core(), Some(&core));
        assert_eq!(e.to_string(), core.to_string());
    }
}
