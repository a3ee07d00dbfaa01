//! The one error type of `mediameter-billing`.

use std::fmt;

use mediameter_core::error::truncate;

/// Everything that can go wrong in `mediameter-billing`.
///
/// The crate follows the workspace's error convention (`docs/architecture.md`, "Error
/// convention"): errors of core values (an invalid id, a reversed range, two currencies or
/// units that meet, core arithmetic that overflows) come through unchanged in [`Error::Core`],
/// whose kind is [`ErrorKind::Core`] and which [`Error::as_core`] hands back; billing's own
/// problems have their own variants, with the same field names as every other crate's.
/// Each variant names what was checked, the offending value (truncated to
/// [`mediameter_core::error::ECHO_LIMIT`] characters) and what was expected. A value of the
/// wrong form is [`Error::Invalid`], a number outside what the operation accepts (a price or
/// quantity below zero, zero months, a zero denominator) [`Error::OutOfRange`], a collection
/// past its cap [`Error::TooLarge`]; where the problem is (an item, a field, a timeline's event)
/// is the place of an [`Error::At`] around it. Callers that branch use [`Error::kind`].
///
/// ```
/// use mediameter_billing::{Error, ErrorKind};
///
/// let err = Error::out_of_range("pack quantity", 0, "a quantity above zero");
/// assert_eq!(err.kind(), ErrorKind::OutOfRange);
/// assert_eq!(err.to_string(), "pack quantity 0 is out of range: expected a quantity above zero");
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
    /// A number outside what the operation accepts: a price or a quantity below zero (or at
    /// zero where it must be above), zero renewal months, a zero denominator, a deduction
    /// coefficient or a pack's drawn amount outside its bounds, an instant outside years 0001
    /// to 9999.
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// What was checked (`"pack quantity"`, `"renewal months"`...).
        field: &'static str,
        /// The offending value, rendered and cut to
        /// [`mediameter_core::error::ECHO_LIMIT`] characters.
        value: String,
        /// The accepted range, in words.
        expected: String,
    },
    /// Billing arithmetic left `Decimal`'s (or an integer's) range.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// The operation that overflowed (`"pack balance"`, `"ratio"`...).
        operation: &'static str,
    },
    /// A request would produce, or an input holds, more items than the crate allows (the
    /// lines of a settlement, the packs of an engine, the entries of a tariff...).
    #[error("{what} would produce {count} items, more than the limit of {limit}")]
    TooLarge {
        /// What was being produced or counted (`"settlement"`, `"packs"`, `"tariff entries"`).
        what: &'static str,
        /// How many items it would have produced.
        count: u64,
        /// The limit that applied.
        limit: u64,
    },
    /// A configuration change that lowers the configuration (Huawei Cloud iDME billing manual:
    /// only upgrades). It says what would have decreased; the event or request that asked for
    /// it is the place of the [`Error::At`] around it (`"resource vm-1, events[1] (changed at
    /// ...)"` for a timeline, `"field new_price"` for [`prorate`](crate::prorate)), as for
    /// [`Error::Timeline`].
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// let e = Error::Downgrade { detail: "item \"mcu\" would go from 2 to 1".into() }.at("resource vm-1, events[1]");
    /// assert_eq!(e.kind(), ErrorKind::Downgrade);
    /// assert_eq!(e.to_string(), "resource vm-1, events[1]: downgrade refused: item \"mcu\" would go from 2 to 1");
    /// ```
    #[error("downgrade refused: {detail}")]
    Downgrade {
        /// What would have decreased (`"item \"mcu\" would go from 2 to 1"`).
        detail: String,
    },
    /// A timeline whose events are inconsistent (out of order, overlapping, a deletion before
    /// the creation). The resource and the event's position in the input are the place of
    /// the [`Error::At`] around it (`"resource vm-1, events[2]"`, `"resources[3] (resource
    /// vm-1)"` for an overlap found by [`check_no_overlap`](crate::check_no_overlap)).
    #[error("invalid timeline: event ({event}) {problem}")]
    Timeline {
        /// The offending event, described (`"deleted at 2023-04-18T01:00:00+00:00"`).
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
    /// See [`Error::OutOfRange`].
    OutOfRange,
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
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
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

    /// This error located at `place` (an item and a field), with the place's control
    /// characters escaped and the place cut to
    /// [`PLACE_LIMIT`](mediameter_core::error::PLACE_LIMIT) characters
    /// ([`mediameter_core::error::place`]): places hold ids and names from outside. Locating
    /// an error twice keeps the outer place and the inner one: `"usage[3]: field quantity: ..."`.
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// let e = Error::overflow("pack deduction").at("usage[3] (partition 0, id 7), field quantity");
    /// assert_eq!(e.kind(), ErrorKind::Overflow);
    /// assert!(e.to_string().starts_with("usage[3] (partition 0, id 7), field quantity: "));
    /// ```
    #[must_use]
    pub fn at(self, place: impl AsRef<str>) -> Self {
        Error::At {
            place: mediameter_core::error::place(place.as_ref()),
            source: Box::new(self),
        }
    }

    /// Builds an [`Error::Invalid`], truncating the echoed value (the message escapes it).
    ///
    /// ```
    /// use mediameter_billing::Error;
    /// assert!(Error::invalid("x", &"y".repeat(500), "short").to_string().len() < 200);
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: truncate(value),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::OutOfRange`], cutting the echoed value.
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// let e = Error::out_of_range("renewal months", 0, "at least 1 month");
    /// assert_eq!(e.kind(), ErrorKind::OutOfRange);
    /// assert_eq!(e.to_string(), "renewal months 0 is out of range: expected at least 1 month");
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

    /// Builds an [`Error::TooLarge`] from collection lengths (a length past `u64` reads as
    /// `u64::MAX`).
    ///
    /// ```
    /// use mediameter_billing::{Error, ErrorKind};
    /// let e = Error::too_large("tariff entries", 4097, 4096);
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert_eq!(e.to_string(), "tariff entries would produce 4097 items, more than the limit of 4096");
    /// ```
    #[must_use]
    pub fn too_large(what: &'static str, count: usize, limit: usize) -> Self {
        Error::TooLarge {
            what,
            count: u64::try_from(count).unwrap_or(u64::MAX),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
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
