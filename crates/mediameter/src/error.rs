//! The one error type of the `mediameter` glue.

use mediameter_core::error::truncate;

/// Everything that can go wrong between raw usage and an invoice.
///
/// Errors of the libraries come through unchanged ([`Error::Core`], [`Error::Billing`],
/// [`Error::Usage`]); the glue's own say which item and field are at fault. Every message
/// is lower case and names what was checked, the (truncated) value and what was expected.
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
    /// Builds an [`Error::Invalid`], truncating the echoed value.
    ///
    /// ```
    /// let e = mediameter::Error::invalid("mapping rule", "x", "something else");
    /// assert_eq!(e.to_string(), "invalid mapping rule \"x\": expected something else");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            value: truncate(value),
            expected: expected.into(),
        }
    }

    /// This error located at `place`.
    ///
    /// ```
    /// let e = mediameter::Error::invalid("spec", "8k", "a spec").at("segment 3, field spec");
    /// assert!(e.to_string().starts_with("segment 3, field spec: "));
    /// ```
    #[must_use]
    pub fn at(self, place: impl Into<String>) -> Self {
        Error::At {
            place: place.into(),
            source: Box::new(self),
        }
    }
}

/// The result type of the glue.
pub type Result<T, E = Error> = std::result::Result<T, E>;
