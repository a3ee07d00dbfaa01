//! The shared vocabulary of mediameter: the types that billing, usage aggregation,
//! diagnostics and query validation all speak.
//!
//! * Money: [`Money`] in a [`Currency`], with explicit [`Rounding`] (scale and
//!   [`RoundingMode`]); never floats, never implicit rounding, never mixed currencies.
//! * Quantities: [`Quantity`] in a [`Unit`], and the [`MinutePolicy`] that turns seconds into
//!   billable minutes.
//! * Time: half-open UTC [`TimeRange`]s, fixed-offset [`BillingZone`]s (GMT+8 named),
//!   [`Granularity`] and [`Buckets`] that split ranges on a zone's hour or day grid.
//! * Calendar: [`calendar`] month math and the [`SubscriptionTerm`] of a monthly purchase.
//! * Identifiers ([`AppId`], [`ChannelId`], [`UserId`], ...), media specs ([`MediaSpec`],
//!   [`VideoTier`], [`LiveTier`]) and the raw usage record, [`StreamSegment`].
//!
//! Every constructor that takes outside data validates it and returns an [`Error`] that names
//! the field, the (truncated) value and what was expected.
//!
//! # Example
//!
//! A subscription stretch is split on the GMT+8 hour grid and priced per second, rounded once:
//!
//! ```
//! use mediameter_core::{BillingZone, Buckets, Currency, Granularity, Money, Rounding, TimeRange};
//! use chrono::Utc;
//! use rust_decimal_macros::dec;
//!
//! // 08:45:30 to 09:10:00 in GMT+8 is 00:45:30 to 01:10:00 UTC.
//! let used = TimeRange::new(
//!     "2023-03-20T00:45:30Z".parse::<chrono::DateTime<Utc>>()?,
//!     "2023-03-20T01:10:00Z".parse::<chrono::DateTime<Utc>>()?,
//! )?;
//! let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
//! let seconds: Vec<u64> = hours.split(used).map(|p| p.seconds()).collect();
//! assert_eq!(seconds, [870, 600]);
//!
//! let hourly = Money::new(dec!(1.80), Currency::CNY);
//! let fee = hourly.checked_mul(dec!(870))?.checked_div(dec!(3600))?.round(Rounding::CENTS_HALF_UP);
//! assert_eq!(fee.to_string(), "0.44 CNY");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Thread safety
//!
//! Every public type is `Send` and `Sync` and has no interior mutability: money, quantities,
//! ranges, zones, specs, segments and terms are plain values (ids share their text through an
//! `Arc<str>`, never mutated), so they can be shared by reference or cloned into any thread.
//! Every method takes `&self` or `self`; the only `&mut self` methods are the iterators'
//! `next` ([`time::BucketPieces`], [`time::SecondPieces`], [`calendar::MonthSlices`]), which own
//! what they walk and can be moved to another thread. The crate keeps no global state and never
//! reads the clock. `tests/thread_safety.rs` checks all of this at compile time.
//!
//! # Feature flags
//!
//! * `serde` (default): `Serialize`/`Deserialize` for every public data type. Deserializing
//!   validates exactly as the constructors do. Decimals are written as strings.
//!   Pulls in `serde` and the serde support of `chrono` and `rust_decimal`.
//! * `time`: conversions between chrono instants and ranges and `time::OffsetDateTime`
//!   ([`interop`]). Pulls in `time`.
//! * `proptest`: [`strategies`] generating valid core values for property tests. Pulls in
//!   `proptest`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calendar;
pub mod echo;
pub mod error;
pub mod id;
#[cfg(feature = "time")]
pub mod interop;
pub mod json;
pub mod money;
pub mod quantity;
pub mod record;
pub mod rounding;
pub mod spec;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod time;

// The README's example is compiled and run as a doctest, so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The third-party types in core's signatures, re-exported so that a caller needs no
/// `chrono` or `rust_decimal` line in its own `Cargo.toml` for the common case (instants are
/// `DateTime<Utc>`, amounts and quantities `Decimal`).
pub use chrono::{DateTime, Utc};
pub use rust_decimal::Decimal;

pub use calendar::{MonthSlice, SubscriptionTerm};
pub use error::{Error, ErrorKind, Result};
pub use id::{AppId, ChannelId, DomainName, InstanceId, ProductType, RegionId, UserId};
pub use money::{Currency, Money};
pub use quantity::{MinutePolicy, Quantity, Unit};
pub use record::{Role, StreamSegment};
pub use rounding::{Rounding, RoundingMode};
pub use spec::{LiveTier, MediaSpec, VideoTier};
pub use time::{BillingZone, BucketPiece, Buckets, Granularity, TimeRange};
