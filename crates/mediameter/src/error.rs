//! The one error type of the `mediameter` glue.

use std::fmt;

use mediameter_core::error::truncate;

/// Everything that can go wrong between raw usage and an invoice.
///
/// The crate follows the workspace's error convention (`docs/architecture.md`, "Error
/// convention"). Errors of the libraries come through unchanged ([`Error::Core`],
/// [`Error::Billing`], [`Error::Usage`]): a problem of core values (two currencies that meet,
/// an instant out of range) is core's even where the glue notices it. The glue's own problems
/// have their own variants with the convention's shapes ([`Error::Invalid`],
/// [`Error::Overflow`], [`Error::TooLarge`]), and [`Error::At`] says which item and field are
/// at fault. Every message is lower case and names what was checked, the (truncated) value and
/// what was expected.
///
/// ```
/// use mediameter::Error;
/// let err = "2024-13".parse::<mediameter::BillingMonth>().unwrap_err();
/// assert!(matches!(err, Error::Invalid { .. }));
/// assert_eq!(err.to_string(), "invalid billing month \"2024-13\": expected a month written YYYY-MM, 0001-01 to 9999-12");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of a core type.
    #[error(transparent)]
    Core(#[from] mediameter_core::Error),
    /// An error of the billing library (packs, tariff, statement).
    #[error(transparent)]
    Billing(#[from] mediameter_billing::Error),
    /// An error of the usage library (segments, aggregation).
    #[error(transparent)]
    Usage(#[from] mediameter_usage::Error),
    /// A value from outside did not have the expected form.
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// What was checked (`"billing month"`, `"mapping rule"`...).
        field: &'static str,
        /// The offending value, truncated.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// The glue's own arithmetic left its integer range (a count of segments or seconds,
    /// an item id).
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// The operation that overflowed (`"billable usage merge"`, `"usage item id"`).
        operation: &'static str,
    },
    /// Metering would hold more slices than the glue allows
    /// ([`MAX_SLICES`](crate::meter::MAX_SLICES)).
    #[error("{what} would produce {count} items, more than the limit of {limit}")]
    TooLarge {
        /// What was being produced (`"billable usage slices"`).
        what: &'static str,
        /// How many items it would have produced.
        count: u64,
        /// The limit that applied.
        limit: u64,
    },
    /// An error located in the input: which item and which field.
    #[error("{place}: {source}")]
    At {
        /// Where: `"segment 17, field end"`, `"mapping rules[2], field product"`.
        place: String,
        /// What went wrong there.
        source: Box<Error>,
    },
}

impl Error {
    /// Builds an [`Error::Invalid`], truncating the echoed value (the message escapes it).
    ///
    /// ```
    /// let e = mediameter::Error::invalid("mapping rule", "x", "something else");
    /// assert_eq!(e.to_string(), "invalid mapping rule \"x\": expected something else");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: truncate(value),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::Overflow`] of `operation`.
    ///
    /// ```
    /// use mediameter::{Error, ErrorKind};
    /// let e = Error::overflow("billable usage merge");
    /// assert_eq!(e.kind(), ErrorKind::Overflow);
    /// assert_eq!(e.to_string(), "arithmetic overflow in billable usage merge");
    /// ```
    #[must_use]
    pub fn overflow(operation: &'static str) -> Self {
        Error::Overflow { operation }
    }

    /// Builds an [`Error::TooLarge`] from collection lengths (a length past `u64` reads as
    /// `u64::MAX`).
    ///
    /// ```
    /// use mediameter::{Error, ErrorKind};
    /// let e = Error::too_large("billable usage slices", 3, 2);
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert_eq!(e.to_string(), "billable usage slices would produce 3 items, more than the limit of 2");
    /// ```
    #[must_use]
    pub fn too_large(what: &'static str, count: usize, limit: usize) -> Self {
        Error::TooLarge {
            what,
            count: u64::try_from(count).unwrap_or(u64::MAX),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        }
    }

    /// This error located at `place`, with the place's control characters escaped and the
    /// place cut to [`PLACE_LIMIT`](mediameter_core::error::PLACE_LIMIT) characters
    /// ([`mediameter_core::error::place`]): places hold ids and names from outside.
    ///
    /// ```
    /// let e = mediameter::Error::invalid("spec", "8k", "a spec").at("segment 3, field spec");
    /// assert!(e.to_string().starts_with("segment 3, field spec: "));
    /// ```
    #[must_use]
    pub fn at(self, place: impl AsRef<str>) -> Self {
        Error::At {
            place: mediameter_core::error::place(place.as_ref()),
            source: Box::new(self),
        }
    }
}

/// The category of an [`Error`], for callers that branch on it: which library the error came
/// from, or the glue's own kind ([`ErrorKind::Invalid`], [`ErrorKind::Overflow`],
/// [`ErrorKind::TooLarge`]). A located error ([`Error::At`]) has the kind of the error inside.
///
/// ```
/// use mediameter::{Error, ErrorKind};
/// let e = Error::invalid("mapping rule", "x", "a rule").at("mapping rules[0]");
/// assert_eq!(e.kind(), ErrorKind::Invalid);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Core`].
    Core,
    /// See [`Error::Billing`]; its own kind is `mediameter_billing::Error::kind`.
    Billing,
    /// See [`Error::Usage`]; its own kind is `mediameter_usage::Error::kind`.
    Usage,
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::Overflow`].
    Overflow,
    /// See [`Error::TooLarge`].
    TooLarge,
}

impl Error {
    /// The category of this error, looking through [`Error::At`].
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Core(_) => ErrorKind::Core,
            Error::Billing(_) => ErrorKind::Billing,
            Error::Usage(_) => ErrorKind::Usage,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::Overflow { .. } => ErrorKind::Overflow,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::At { source, .. } => source.kind(),
        }
    }

    /// The core error this error carries, if any: directly, inside a library's error, or
    /// inside a located error.
    ///
    /// ```
    /// use mediameter::Error;
    /// let core = mediameter::core::Error::overflow("money add");
    /// let e = Error::from(mediameter::billing::Error::from(core.clone())).at("usage[0]");
    /// assert_eq!(e.as_core(), Some(&core));
    /// ```
    #[must_use]
    pub fn as_core(&self) -> Option<&mediameter_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            Error::Billing(e) => e.as_core(),
            Error::Usage(e) => e.as_core(),
            Error::Invalid { .. } | Error::Overflow { .. } | Error::TooLarge { .. } => None,
            Error::At { source, .. } => source.as_core(),
        }
    }
}

/// The result type of the glue.
pub type Result<T, E = Error> = std::result::Result<T, E>;
