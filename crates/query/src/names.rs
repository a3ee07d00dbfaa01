//! Display/FromStr pairs for the crate's named enums, and the error of parsing a name back.
//!
//! The bottom layer with [`crate::time`]: it names no other module of the crate (the enums it
//! implements the pairs for name it, through the [`named!`] macro).

use std::fmt;

/// A name that is not one of a type's printed names: what `FromStr` returns for [`Vendor`],
/// [`ViolationKind`], [`WarningKind`], [`TimeFormat`], [`RetryAdvice`], [`Effect`] and
/// [`AccessLevel`]. The crate's [`Error`] carries it as [`Error::Invalid`].
///
/// [`Vendor`]: crate::Vendor
/// [`ViolationKind`]: crate::ViolationKind
/// [`WarningKind`]: crate::WarningKind
/// [`TimeFormat`]: crate::time::TimeFormat
/// [`RetryAdvice`]: crate::RetryAdvice
/// [`Effect`]: crate::perm::Effect
/// [`AccessLevel`]: crate::perm::AccessLevel
/// [`Error`]: crate::Error
/// [`Error::Invalid`]: crate::Error::Invalid
///
/// ```
/// use mediameter_query::{Error, ErrorKind, ParseNameError, Vendor};
/// let err: ParseNameError = "aws".parse::<Vendor>().unwrap_err();
/// assert_eq!(err.to_string(), "invalid vendor \"aws\": expected one of alibaba, huawei, volcengine");
/// assert_eq!(Error::from(err).kind(), ErrorKind::Invalid);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseNameError {
    field: &'static str,
    value: String,
    expected: &'static str,
}

impl ParseNameError {
    pub(crate) fn new(field: &'static str, value: &str, expected: &'static str) -> Self {
        ParseNameError {
            field,
            value: mediameter_core::error::truncate(value),
            expected,
        }
    }

    /// What was being parsed (`"vendor"`, `"violation kind"`...).
    #[must_use]
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The refused text, escaped and truncated.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The accepted names, in words.
    #[must_use]
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

impl fmt::Display for ParseNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} {:?}: expected {}",
            self.field, self.value, self.expected
        )
    }
}

impl std::error::Error for ParseNameError {}

/// `as_str`, `Display` and `FromStr` over one table of (variant, name): the printed name is
/// the serialized one, and every name parses back to its variant.
macro_rules! named {
    ($ty:ty, $field:literal, $fv:path => $fname:literal $(, $variant:path => $name:literal )* $(,)?) => {
        impl $ty {
            /// The name, as printed and serialized.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $fv => $fname,
                    $( $variant => $name, )*
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::names::ParseNameError;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $fname => Ok($fv),
                    $( $name => Ok($variant), )*
                    _ => Err($crate::names::ParseNameError::new(
                        $field,
                        s,
                        concat!("one of ", $fname $(, ", ", $name)*),
                    )),
                }
            }
        }
    };
}

pub(crate) use named;
