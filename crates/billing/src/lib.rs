//! Turns usage into money the way RTC and live-streaming clouds bill it, and explains every
//! cent: prepaid resource packs with earliest-expiry deduction and pay-as-you-go overflow,
//! tiered tariffs and monthly statements, upgrade proration of monthly subscriptions, hourly
//! settlement of per-second on-demand resources, subscription lifecycle, app status and pack
//! refunds.
//!
//! Every rule comes from a vendor document (`docs/billing.md` names each one); every amount is
//! a `rust_decimal` [`Decimal`](rust_decimal::Decimal) rounded once, with an explicit
//! [`Rounding`](mediameter_core::Rounding), and the unrounded figure is kept beside it.
//!
//! * [`packs`]: the incremental, idempotent deduction engine ([`packs::PackEngine`]), refunds
//!   and low-balance signals.
//! * [`period`]: usage outside the billing period, refused or carried to its own period.
//! * [`tariff`]: flat, graduated and volume pay-as-you-go tariffs and [`tariff::monthly_statement`].
//! * [`proration`]: [`prorate`], the upgrade fee of a monthly subscription.
//! * [`settlement`]: [`settlement::ResourceTimeline`] settled hour by hour.
//! * [`lifecycle`]: [`lifecycle::phase_at`], active / expiring soon / grace / retention /
//!   terminated.
//! * [`app`]: app status transitions.
//! * `input` (feature `serde`): whole request documents (`BillRequest`, `SettleRequest`) as
//!   the command line reads them.
//!
//! # Example
//!
//! Packs absorb usage earliest expiry first, the rest is billed by a tiered tariff, and an
//! upgrade is prorated over the natural months left:
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use mediameter_billing::packs::{Pack, PackEngine, UsageItem};
//! use mediameter_billing::tariff::{monthly_statement, StatementOptions, Tariff};
//! use mediameter_billing::{prorate, ProrationPolicy};
//! use mediameter_core::{BillingZone, Currency, Money, ProductType, Quantity, SubscriptionTerm, TimeRange, Unit};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal_macros::dec;
//!
//! let day = |d| Utc.with_ymd_and_hms(2023, 4, d, 0, 0, 0).single().ok_or("invalid date");
//! let rtc = ProductType::new("rtc")?;
//! let mut engine = PackEngine::with_packs(vec![
//!     Pack::new("pk-1", rtc.clone(), Quantity::new(dec!(1000), Unit::Minute)?, day(1)?, day(30)?)?,
//! ])?;
//! let item = UsageItem::new(1, day(2)?, rtc, "720p".parse()?, Quantity::new(dec!(1500), Unit::Minute)?)?;
//! let report = engine.deduct_batch(&[item])?;
//!
//! let tariff: Tariff = serde_json::from_str(r#"{"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
//!     "pricing": {"model": "graduated", "tiers": [{"up_to": "100", "unit_price": "0.028"}, {"unit_price": "0.020"}]}}]}"#)?;
//! let month = TimeRange::new(day(1)?, day(30)?)?;
//! let statement = monthly_statement(&report.ledger, month, &tariff, &StatementOptions::default())?;
//! assert_eq!(statement.packs[0].usage, dec!(60000)); // 1000 minutes, in seconds
//! assert_eq!(statement.lines[0].quantity, dec!(500)); // overflow minutes
//! assert_eq!(statement.total, dec!(10.80)); // 100 × 0.028 + 400 × 0.020
//!
//! // Worked example A of Huawei Cloud iDME billing manual: 11/31 + 18/30 = 0.9548 month, fee 25,032.95.
//! let term = SubscriptionTerm::monthly("2023-03-18T07:30:00Z".parse::<chrono::DateTime<Utc>>()?, 1, BillingZone::GMT8)?;
//! let cny = |a| Money::new(a, Currency::CNY);
//! let p = prorate(&term, "2023-03-20T01:00:00Z".parse::<chrono::DateTime<Utc>>()?, cny(dec!(25950)), cny(dec!(52168)), &ProrationPolicy::default())?;
//! assert_eq!(p.fee.amount(), dec!(25032.95));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Thread safety
//!
//! Every public type is `Send` and `Sync`, and none has interior mutability. Pricing, proration,
//! settlement, lifecycle and app-status rules are functions of their inputs
//! ([`prorate`], [`tariff::monthly_statement`], [`lifecycle::phase_at`]) or methods taking `&self`
//! ([`tariff::Tariff::price`], [`settlement::ResourceTimeline::settle`]), and can run on any
//! number of threads at once. The one stateful type is the deduction engine,
//! [`packs::PackEngine`]: adding packs, deducting usage and refunding take `&mut self`, so one
//! engine is driven by one thread at a time — own it in the task that serves its account, or wrap
//! it in a `Mutex` to share it. Its state converts to and from a plain
//! [`packs::EngineState`] value that can be stored, sent elsewhere and restored. The crate keeps
//! no global state and never reads the clock. `tests/thread_safety.rs` checks this at compile
//! time.
//!
//! # Feature flags
//!
//! * `serde` (default): `Serialize`/`Deserialize` for every public data type, including the
//!   engine state ([`packs::EngineState`]); deserializing validates as the constructors do.
//!   Pulls in `serde` and the serde support of `mediameter-core`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod app;
pub mod error;
#[cfg(feature = "serde")]
pub mod input;
pub mod lifecycle;
pub mod packs;
pub mod period;
pub mod proration;
pub mod settlement;
pub mod tariff;

pub use error::{Error, ErrorKind, Result};
pub use proration::{Proration, ProrationPolicy, ProrationRequest, prorate};

/// The README's example, compiled and run as a doctest.
#[cfg(all(doctest, feature = "serde"))] // the README reads JSON
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
