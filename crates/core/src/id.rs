//! Validated identifiers: app, channel, user, region, domain, instance and product type.
//!
//! Each is a string newtype that is non-empty, at most a type-specific number of bytes, and
//! free of control characters. It is backed by `Arc<str>`, so a clone is a reference-count
//! increment: ids are copied into every group key of an aggregation.

use crate::error::{Error, Result};

/// Checks an id the way every id type of the workspace does: non-empty, at most `max` bytes,
/// no control characters. Used by [`id_type!`](crate::id_type); `expected` describes the limit.
///
/// # Errors
///
/// [`Error::Invalid`] naming `field` when `s` breaks a rule.
///
/// ```
/// use mediameter_core::id::validate;
/// assert!(validate("pack id", "pk-1", 128, "at most 128 bytes").is_ok());
/// assert!(validate("pack id", "", 128, "at most 128 bytes").is_err());
/// ```
pub fn validate(field: &'static str, s: &str, max: usize, expected: &'static str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::invalid(field, s, "a non-empty string"));
    }
    if s.len() > max || s.chars().any(char::is_control) {
        return Err(Error::invalid(field, s, expected));
    }
    Ok(())
}

/// Defines a validated id type: an `Arc<str>` newtype that is non-empty, at most a number of
/// bytes, free of control characters, and that prints and parses back.
///
/// The generated type has `new`, `as_str`, `MAX_LEN`, `Display`, `FromStr`,
/// `TryFrom<String>`, `TryFrom<&str>`, `AsRef<str>`, `Borrow<str>`, a `Debug` that prints
/// `Name("text")`, and, when the *invoking* crate's `serde` feature is on, `Serialize` and a
/// validating `Deserialize` (that crate then needs `serde` as a dependency). Errors are
/// [`mediameter_core::Error`](crate::Error). This is how core defines [`AppId`],
/// [`ChannelId`] and the others, and how sibling crates define theirs (billing's `PackId`), so
/// every id of the workspace behaves alike.
///
/// Arguments: doc comments, the type name, the field name used in errors, the byte limit, an
/// example id and the path the type is reached at (for the generated doctests).
///
/// ```
/// mediameter_core::id_type!(
///     /// A meeting room.
///     RoomId, "room id", 32, "r-1", "crate"
/// );
/// let id: RoomId = "r-1".parse()?;
/// assert_eq!(format!("{id:?}"), "RoomId(\"r-1\")");
/// assert!(RoomId::new("x".repeat(33)).is_err());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[macro_export]
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal, $example:literal, $path:literal) => {
        $(#[$doc])*
        #[doc = ""]
        #[doc = concat!("At most ", stringify!($max), " bytes, non-empty, no control characters.")]
        #[doc = ""]
        #[doc = "```"]
        #[doc = concat!("use ", $path, "::", stringify!($name), ";")]
        #[doc = concat!("let id = ", stringify!($name), "::new(\"", $example, "\")?;")]
        #[doc = concat!("assert_eq!(id.as_str(), \"", $example, "\");")]
        #[doc = concat!("assert_eq!(id.to_string().parse::<", stringify!($name), ">()?, id);")]
        #[doc = concat!("assert_eq!(", stringify!($name), "::try_from(\"", $example, "\")?, id);")]
        #[doc = concat!("assert!(", stringify!($name), "::new(\"a\\nb\").is_err());")]
        #[doc = concat!("assert!(", stringify!($name), "::new(\"x\".repeat(", stringify!($max), " + 1)).is_err());")]
        #[doc = "# Ok::<(), mediameter_core::Error>(())"]
        #[doc = "```"]
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(::std::sync::Arc<str>);

        impl $name {
            /// Longest accepted id, in bytes.
            #[doc = ""]
            #[doc = "```"]
            #[doc = concat!("assert!(", $path, "::", stringify!($name), "::MAX_LEN >= 32);")]
            #[doc = "```"]
            pub const MAX_LEN: usize = $max;

            /// Validates and wraps `s`.
            #[doc = ""]
            #[doc = "```"]
            #[doc = concat!("assert!(", $path, "::", stringify!($name), "::new(\"", $example, "\").is_ok());")]
            #[doc = concat!("assert!(", $path, "::", stringify!($name), "::new(\"\").is_err());")]
            #[doc = "```"]
            ///
            /// # Errors
            ///
            /// `Error::Invalid` of `mediameter_core` for an empty string, one over
            /// [`Self::MAX_LEN`] bytes, or one with a control character.
            pub fn new(
                s: impl ::std::convert::AsRef<str> + ::std::convert::Into<::std::sync::Arc<str>>,
            ) -> $crate::Result<Self> {
                $crate::id::validate($field, s.as_ref(), $max, concat!("at most ", stringify!($max), " bytes without control characters"))?;
                Ok($name(s.into()))
            }

            /// The id as a string slice.
            #[doc = ""]
            #[doc = "```"]
            #[doc = concat!("let id = ", $path, "::", stringify!($name), "::new(\"", $example, "\")?;")]
            #[doc = concat!("assert_eq!(id.as_str(), \"", $example, "\");")]
            #[doc = "# Ok::<(), mediameter_core::Error>(())"]
            #[doc = "```"]
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), &*self.0)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<Self> {
                $name::new(s)
            }
        }

        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::Error;
            fn try_from(s: String) -> $crate::Result<Self> {
                $name::new(s)
            }
        }

        impl ::std::convert::TryFrom<&str> for $name {
            type Error = $crate::Error;
            fn try_from(s: &str) -> $crate::Result<Self> {
                $name::new(s)
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::new(&*s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// An application (AppID): the unit a vendor bills and reports by.
    AppId, "app id", 64, "a1b2c3", "mediameter_core"
);
id_type!(
    /// A channel (room) inside an app.
    ChannelId, "channel id", 128, "room-42", "mediameter_core"
);
id_type!(
    /// A user (terminal) inside an app.
    UserId, "user id", 128, "u1001", "mediameter_core"
);
id_type!(
    /// A service region or a geographic region (`cn-shanghai`, a province, a country).
    RegionId, "region id", 64, "cn-shanghai", "mediameter_core"
);
id_type!(
    /// A domain name (live producer usage is reported per domain).
    DomainName, "domain name", 253, "live.example.com", "mediameter_core"
);
id_type!(
    /// A product instance (a producer instance, an iDME instance).
    InstanceId, "instance id", 128, "inst-7f3a", "mediameter_core"
);
id_type!(
    /// A product or product type: what a pack may deduct (`rtc`) or the producer `Type` of
    /// `DescribeLiveProducerUsageData` (`universal`, `slidelive`).
    ProductType, "product type", 64, "rtc", "mediameter_core"
);
