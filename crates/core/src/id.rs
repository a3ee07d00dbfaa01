//! Validated identifiers: app, channel, user, region, domain, instance and product type.
//!
//! Each is a string newtype that is non-empty, at most a type-specific number of bytes, and
//! free of control characters. It is backed by `Arc<str>`, so a clone is a reference-count
//! increment: ids are copied into every group key of an aggregation.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, Result};

fn validate(field: &'static str, s: &str, max: usize, expected: &'static str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::invalid(field, s, "a non-empty string"));
    }
    if s.len() > max || s.chars().any(char::is_control) {
        return Err(Error::invalid(field, s, expected));
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal, $example:literal) => {
        $(#[$doc])*
        #[doc = ""]
        #[doc = concat!("At most ", stringify!($max), " bytes, non-empty, no control characters.")]
        #[doc = ""]
        #[doc = "```"]
        #[doc = concat!("use mediameter_core::", stringify!($name), ";")]
        #[doc = concat!("let id = ", stringify!($name), "::new(\"", $example, "\")?;")]
        #[doc = concat!("assert_eq!(id.as_str(), \"", $example, "\");")]
        #[doc = concat!("assert_eq!(id.to_string().parse::<", stringify!($name), ">()?, id);")]
        #[doc = concat!("assert!(", stringify!($name), "::new(\"a\\nb\").is_err());")]
        #[doc = concat!("assert!(", stringify!($name), "::new(\"x\".repeat(", stringify!($max), " + 1)).is_err());")]
        #[doc = "# Ok::<(), mediameter_core::Error>(())"]
        #[doc = "```"]
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Longest accepted id, in bytes.
            #[doc = ""]
            #[doc = "```"]
            #[doc = concat!("assert!(mediameter_core::", stringify!($name), "::MAX_LEN >= 64);")]
            #[doc = "```"]
            pub const MAX_LEN: usize = $max;

            /// Validates and wraps `s`.
            #[doc = ""]
            #[doc = "```"]
            #[doc = concat!("assert!(mediameter_core::", stringify!($name), "::new(\"", $example, "\").is_ok());")]
            #[doc = concat!("assert!(mediameter_core::", stringify!($name), "::new(\"\").is_err());")]
            #[doc = "```"]
            ///
            /// # Errors
            ///
            /// [`Error::Invalid`] for an empty string, one over [`Self::MAX_LEN`] bytes, or one
            /// with a control character.
            pub fn new(s: impl AsRef<str> + Into<Arc<str>>) -> Result<Self> {
                validate($field, s.as_ref(), $max, concat!("at most ", stringify!($max), " bytes without control characters"))?;
                Ok($name(s.into()))
            }

            /// The id as a string slice.
            #[doc = ""]
            #[doc = "```"]
            #[doc = concat!("let id = mediameter_core::", stringify!($name), "::new(\"", $example, "\")?;")]
            #[doc = concat!("assert_eq!(id.as_str(), \"", $example, "\");")]
            #[doc = "# Ok::<(), mediameter_core::Error>(())"]
            #[doc = "```"]
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), &*self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                $name::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self> {
                $name::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(s: &str) -> Result<Self> {
                $name::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::new(&*s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// An application (AppID): the unit a vendor bills and reports by.
    AppId, "app id", 64, "a1b2c3"
);
id_type!(
    /// A channel (room) inside an app.
    ChannelId, "channel id", 128, "room-42"
);
id_type!(
    /// A user (terminal) inside an app.
    UserId, "user id", 128, "u1001"
);
id_type!(
    /// A service region or a geographic region (`cn-shanghai`, a province, a country).
    RegionId, "region id", 64, "cn-shanghai"
);
id_type!(
    /// A domain name (live producer usage is reported per domain).
    DomainName, "domain name", 253, "live.example.com"
);
id_type!(
    /// A product instance (a producer instance, an iDME instance).
    InstanceId, "instance id", 128, "inst-7f3a"
);
id_type!(
    /// A product or product type: what a pack may deduct (`rtc`) or the producer `Type` of
    /// `DescribeLiveProducerUsageData` (`universal`, `slidelive`).
    ProductType, "product type", 64, "rtc"
);
