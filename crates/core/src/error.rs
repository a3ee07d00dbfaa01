//! The one error type of `mediameter-core`.

use std::fmt;

/// How many characters of a rejected value an error message echoes.
///
/// Values come from outside (files, query strings, other services); echoing a 1 MB
/// string back into a log line is its own incident, so errors keep a prefix only.
///
/// ```
/// use mediameter_core::{UserId, error::ECHO_LIMIT};
/// let err = UserId::new("x".repeat(1000)).unwrap_err();
/// assert!(err.to_string().chars().count() < ECHO_LIMIT + 100);
/// ```
pub const ECHO_LIMIT: usize = 64;

/// Everything that can go wrong in `mediameter-core`.
///
/// Every variant names what was checked, the offending value (truncated to
/// [`ECHO_LIMIT`] characters) and what was expected, so a message can be shown
/// to whoever supplied the input. Callers that branch use [`Error::kind`].
///
/// These are the shared shapes of the workspace's error convention (`docs/architecture.md`,
/// "Error convention"): every other crate uses the same field names for its own `Invalid`,
/// `OutOfRange`, `Overflow` and `TooLarge`, and carries this type unchanged in a
/// `Core(#[from] mediameter_core::Error)` variant.
///
/// ```
/// use mediameter_core::{AppId, ErrorKind};
///
/// let err = AppId::new("").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Invalid);
/// assert_eq!(err.to_string(), "invalid app id \"\": expected a non-empty string");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value from outside did not have the expected form.
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// What was being parsed or built (`"app id"`, `"currency code"`...).
        field: &'static str,
        /// The offending value, truncated to [`ECHO_LIMIT`] characters.
        value: String,
        /// What would have been accepted, in words.
        expected: String,
    },
    /// A number was outside the range the operation supports.
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// What was checked.
        field: &'static str,
        /// The offending value, rendered.
        value: String,
        /// The accepted range, in words.
        expected: String,
    },
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch in {operation}: {left} and {right}")]
    CurrencyMismatch {
        /// The operation that was attempted.
        operation: &'static str,
        /// Currency code of the left operand.
        left: String,
        /// Currency code of the right operand.
        right: String,
    },
    /// Two quantities in incompatible units were combined or converted.
    #[error("unit mismatch in {operation}: {from} cannot be used as {to}")]
    UnitMismatch {
        /// The operation that was attempted.
        operation: &'static str,
        /// The unit that was given.
        from: &'static str,
        /// The unit that was needed.
        to: &'static str,
    },
    /// Arithmetic left the representable range.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// The operation that overflowed.
        operation: &'static str,
    },
    /// A request would produce more items than the caller allowed.
    #[error("{what} would produce {count} items, more than the limit of {limit}")]
    TooLarge {
        /// What was being produced.
        what: &'static str,
        /// How many items it would have produced.
        count: u64,
        /// The limit that applied.
        limit: u64,
    },
}

/// The category of an [`Error`], for callers that branch on it.
///
/// ```
/// use mediameter_core::{Currency, ErrorKind, Money};
/// use rust_decimal::Decimal;
///
/// let a = Money::new(Decimal::ONE, Currency::CNY);
/// let b = Money::new(Decimal::ONE, Currency::USD);
/// assert_eq!(a.checked_add(b).unwrap_err().kind(), ErrorKind::CurrencyMismatch);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::OutOfRange`].
    OutOfRange,
    /// See [`Error::CurrencyMismatch`].
    CurrencyMismatch,
    /// See [`Error::UnitMismatch`].
    UnitMismatch,
    /// See [`Error::Overflow`].
    Overflow,
    /// See [`Error::TooLarge`].
    TooLarge,
}

impl Error {
    /// The category of this error.
    ///
    /// ```
    /// use mediameter_core::{ErrorKind, Granularity};
    /// assert_eq!(Granularity::from_seconds(7).unwrap_err().kind(), ErrorKind::Invalid);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::CurrencyMismatch { .. } => ErrorKind::CurrencyMismatch,
            Error::UnitMismatch { .. } => ErrorKind::UnitMismatch,
            Error::Overflow { .. } => ErrorKind::Overflow,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
        }
    }

    /// Builds an [`Error::Invalid`], truncating the echoed value.
    ///
    /// Sibling crates use this to report their own malformed input in the same shape.
    /// `expected` may be a literal or a description built at run time (`"one of CNY, USD"`):
    /// every crate's `invalid` takes `(field: &'static str, value: &str, expected: impl
    /// Display)`, the signature of the workspace's error convention.
    ///
    /// ```
    /// use mediameter_core::Error;
    /// let long = "x".repeat(1000);
    /// let err = Error::invalid("channel id", &long, "at most 64 bytes");
    /// assert!(err.to_string().len() < 200);
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: truncate(value),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`Error::OutOfRange`].
    ///
    /// ```
    /// use mediameter_core::Error;
    /// let err = Error::out_of_range("scale", 40, "0..=28");
    /// assert_eq!(err.to_string(), "scale 40 is out of range: expected 0..=28");
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

    /// Builds an [`Error::Overflow`].
    ///
    /// ```
    /// use mediameter_core::{Error, ErrorKind};
    /// assert_eq!(Error::overflow("money add").kind(), ErrorKind::Overflow);
    /// ```
    #[must_use]
    pub fn overflow(operation: &'static str) -> Self {
        Error::Overflow { operation }
    }

    /// Builds an [`Error::TooLarge`] from collection lengths (a length past `u64` reads as
    /// `u64::MAX`).
    ///
    /// ```
    /// use mediameter_core::{Error, ErrorKind};
    /// let e = Error::too_large("month slices", 1001, 1000);
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert_eq!(e.to_string(), "month slices would produce 1001 items, more than the limit of 1000");
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

/// Most characters of the place a located error (`Error::At` of the crates built on core)
/// keeps: room for an item, its ids and a field, each already cut to [`ECHO_LIMIT`].
pub const PLACE_LIMIT: usize = 4 * ECHO_LIMIT;

/// A place in the input as a located error keeps it: control characters escaped (`\u{1b}`),
/// cut to [`PLACE_LIMIT`] characters. Every crate's `Error::at` goes through it, because a
/// place is built from ids and names that came from outside.
///
/// ```
/// use mediameter_core::error::{place, PLACE_LIMIT};
/// assert_eq!(place("usage[3], field quantity"), "usage[3], field quantity");
/// assert_eq!(place("pack p\u{1b}[2J"), "pack p\\u{1b}[2J");
/// assert_eq!(place(&"x".repeat(5000)).chars().count(), PLACE_LIMIT);
/// ```
#[must_use]
pub fn place(text: &str) -> String {
    let kept = match text.char_indices().nth(PLACE_LIMIT) {
        None => text,
        Some((end, _)) => text.get(..end).unwrap_or(text),
    };
    crate::echo::escape_controls(kept).to_string()
}

/// Keeps at most [`ECHO_LIMIT`] characters of `value`, marking the cut with `…`.
///
/// ```
/// use mediameter_core::error::truncate;
/// assert_eq!(truncate("short"), "short");
/// assert!(truncate(&"y".repeat(500)).ends_with('…'));
/// ```
#[must_use]
pub fn truncate(value: &str) -> String {
    // At most ECHO_LIMIT bytes is at most ECHO_LIMIT characters: nothing to count.
    if value.len() <= ECHO_LIMIT {
        return value.to_owned();
    }
    match value.char_indices().nth(ECHO_LIMIT) {
        None => value.to_owned(),
        Some((cut, _)) => {
            let mut out = String::with_capacity(cut.saturating_add(3));
            out.push_str(value.get(..cut).unwrap_or_default());
            out.push('…');
            out
        }
    }
}

/// The result type of `mediameter-core`.
///
/// ```
/// fn parse_zone(s: &str) -> mediameter_core::Result<mediameter_core::BillingZone> {
///     s.parse()
/// }
/// assert!(parse_zone("GMT+8").is_ok());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_is_on_char_boundaries() {
        let s = "é".repeat(100);
        let t = truncate(&s);
        assert_eq!(t.chars().count(), ECHO_LIMIT + 1);
        assert!(t.ends_with('…'));
    }

    proptest::proptest! {
        /// The short-input shortcut gives what counting the characters gives (the reference).
        #[test]
        fn truncate_as_counting(value in "[a\u{e9}\u{4e2d}\u{1f600}]{0,80}") {
            let reference = match value.char_indices().nth(ECHO_LIMIT) {
                None => value.clone(),
                Some((cut, _)) => format!("{}…", &value[..cut]),
            };
            proptest::prop_assert_eq!(truncate(&value), reference);
        }
    }

    #[test]
    fn truncation_at_the_limit() {
        assert_eq!(truncate(&"a".repeat(ECHO_LIMIT)), "a".repeat(ECHO_LIMIT));
        assert_eq!(
            truncate(&"a".repeat(ECHO_LIMIT + 1)),
            format!("{}…", "a".repeat(ECHO_LIMIT))
        );
        // 64 characters of two bytes each: over the byte count, not over the limit.
        assert_eq!(truncate(&"é".repeat(ECHO_LIMIT)), "é".repeat(ECHO_LIMIT));
    }

    #[test]
    fn errors_are_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
        assert_traits::<Error>();
    }
}
