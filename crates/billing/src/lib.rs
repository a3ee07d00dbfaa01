//! Turns usage into money the way RTC and live-streaming clouds bill it, and explains every
//! cent: prepaid resource packs with earliest-expiry deduction and pay-as-you-go overflow,
//! tiered tariffs and monthly statements, upgrade proration of monthly subscriptions, hourly
//! settlement of per-second on-demand resources, subscription lifecycle, app status and pack
//! refunds.
//!
//! Every rule comes from a vendor document (`docs/billing.md` names each one); every amount is
//! a `rust_decimal` [`Decimal`] rounded once, with an explicit
//! [`Rounding`], and the unrounded figure is kept beside it.
//!
//! * [`packs`]: the incremental, idempotent deduction engine ([`PackEngine`]), refunds and
//!   low-balance signals.
//! * [`period`]: usage outside the billing period, refused or carried to its own period
//!   ([`split_by_period`]).
//! * [`tariff`]: flat, graduated and volume pay-as-you-go tariffs and [`monthly_statement`].
//! * [`proration`]: [`prorate`], the upgrade fee of a monthly subscription.
//! * [`settlement`]: [`ResourceTimeline`] settled hour by hour, [`settle_all`] for a set.
//! * [`lifecycle`]: [`phase_at`], active / expiring soon / grace / retention / terminated.
//! * [`app`]: app status transitions ([`AppStatus::transition`]).
//! * `input` (feature `serde`): whole request documents (`BillRequest`, `SettleRequest`) as
//!   the command line reads them, and what they produce (`BillOutcome`).
//!
//! # Export style
//!
//! Every public type and function is at the crate root, and the root path is the one the docs,
//! the examples and the other crates of the workspace use (`mediameter_billing::PackEngine`,
//! `mediameter_billing::settle_all`). The modules stay public because each groups one
//! sub-domain of billing, listed above: its page documents that sub-domain's rules and the
//! vendor documents they come from, and it holds the constants whose names only make sense
//! inside it (`settlement::MAX_LINES`, `packs::REFUND_WINDOW_DAYS`, `proration::MONTH_LCM`),
//! which are not repeated at the root. A type reached through its module
//! (`mediameter_billing::packs::Pack`) is the same item as at the root. Names at the root say
//! which sub-domain they belong to where they would otherwise be ambiguous ([`AppRefusal`]
//! beside [`RefundRefusal`]). `tests/exports.rs` fails when a module declares a public type or
//! function that the root does not re-export.
//!
//! # Example
//!
//! Packs absorb usage earliest expiry first, the rest is billed by a tiered tariff, and an
//! upgrade is prorated over the natural months left:
//!
//! ```
//! use mediameter_billing::{
//!     monthly_statement, prorate, BillingZone, Currency, DateTime, Money, Pack, PackEngine,
//!     ProrationPolicy, StatementOptions, SubscriptionTerm, Tariff, Tier, TimeRange, Unit,
//!     UsageItem, Utc,
//! };
//! use rust_decimal_macros::dec;
//!
//! let day = |d| format!("2023-04-{d:02}T00:00:00Z").parse::<DateTime<Utc>>();
//! let mut engine = PackEngine::with_packs(vec![
//!     Pack::minutes("pk-1", "rtc".parse()?, dec!(1000), day(1)?, day(30)?)?,
//! ])?;
//! let item = UsageItem::minutes(1, day(2)?, "rtc".parse()?, "720p".parse()?, dec!(1500))?;
//! let report = engine.deduct_batch(&[item])?;
//!
//! // Up to 100 minutes at 0.028 CNY, beyond at 0.020.
//! let tariff = Tariff::graduated(Currency::CNY, "rtc".parse()?, Unit::Minute,
//!     [Tier::up_to(dec!(100), dec!(0.028)), Tier::beyond(dec!(0.020))])?;
//! let month = TimeRange::new(day(1)?, day(30)?)?;
//! let statement = monthly_statement(&report.ledger, month, &tariff, &StatementOptions::default())?;
//! assert_eq!(statement.packs[0].usage, dec!(60000)); // 1000 minutes, in seconds
//! assert_eq!(statement.lines[0].quantity, dec!(500)); // overflow minutes
//! assert_eq!(statement.total, dec!(10.80)); // 100 × 0.028 + 400 × 0.020
//!
//! // Worked example A of Huawei Cloud iDME billing manual: 11/31 + 18/30 = 0.9548 month, fee 25,032.95.
//! let term = SubscriptionTerm::monthly("2023-03-18T07:30:00Z".parse()?, 1, BillingZone::GMT8)?;
//! let cny = |a| Money::new(a, Currency::CNY);
//! let p = prorate(&term, "2023-03-20T01:00:00Z".parse()?, cny(dec!(25950)), cny(dec!(52168)), &ProrationPolicy::default())?;
//! assert_eq!(p.fee.amount(), dec!(25032.95));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Using it
//!
//! Add `mediameter-billing` to `[dependencies]`; the crate root re-exports the core types its
//! signatures use (`Currency`, `Money`, `Quantity`, `Unit`, `TimeRange`, `MediaSpec`,
//! `ProductType`...) and the third-party ones (`Decimal`, `DateTime`, `Utc`), so no
//! `mediameter-core`, `chrono` or `rust_decimal` line is needed for the common case. The
//! examples also use `rust_decimal_macros` (for `dec!`), a dev-dependency of yours.
//! `tests/adopting.rs` is a whole month's test suite written this way.
//!
//! # Thread safety
//!
//! Every public type is `Send` and `Sync`, and none has interior mutability. Pricing, proration,
//! settlement, lifecycle and app-status rules are functions of their inputs
//! ([`prorate`], [`monthly_statement`], [`phase_at`]) or methods taking `&self`
//! ([`Tariff::price`], [`ResourceTimeline::settle`]), and can run on any
//! number of threads at once. The one stateful type is the deduction engine,
//! [`PackEngine`]: adding packs, deducting usage and refunding take `&mut self`, so one
//! engine is driven by one thread at a time — own it in the task that serves its account, or wrap
//! it in a `Mutex` to share it. Its state converts to and from a plain
//! [`EngineState`] value that can be stored, sent elsewhere and restored. The crate keeps
//! no global state and never reads the clock. `tests/thread_safety.rs` checks this at compile
//! time.
//!
//! # Feature flags
//!
//! * `serde` (default): `Serialize`/`Deserialize` for every public data type, including the
//!   engine state ([`EngineState`]); deserializing validates as the constructors do.
//!   Pulls in `serde` and the serde support of `mediameter-core`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod app;
mod error;
#[cfg(feature = "serde")]
pub mod input;
pub mod lifecycle;
pub mod packs;
pub mod period;
pub mod proration;
pub mod settlement;
pub mod tariff;

pub use app::{AppAction, AppContext, AppRefusal, AppStatus};
pub use error::{Error, ErrorKind, Result};
#[cfg(feature = "serde")]
pub use input::{BillOutcome, BillRequest, SettleRequest};
pub use lifecycle::{LifecyclePolicy, Phase, Renewal, phase_at};
pub use packs::{
    AppliedIds, BatchReport, Coefficient, Deduction, EngineState, LedgerLine, LedgerSource,
    LowBalance, Pack, PackBalance, PackEngine, PackId, PackRecord, RefundDecision, RefundRefusal,
    UsageItem, WatchRecord,
};
pub use period::{OutOfPeriod, PeriodSplit, split_by_period};
pub use proration::{
    Proration, ProrationPolicy, ProrationRequest, period_4dp_half_up, prorate, round_ratio,
};
pub use settlement::{
    Configuration, EventKind, PricedItem, ResiduePolicy, ResourceEvent, ResourceTimeline,
    Settlement, SettlementLine, SettlementOptions, SettlementSummary, check_no_overlap, settle_all,
};
pub use tariff::{
    PackUsage, Pricing, Quote, Statement, StatementLine, StatementOptions, Tariff, TariffEntry,
    Tier, TierCharge, monthly_statement,
};

/// The core types billing's signatures use, re-exported so that a billing caller can write
/// `use mediameter_billing::{Currency, Money, Quantity, ...}` with no other dependency line
/// (`mediameter-core`, `chrono` or `rust_decimal`) for the common case. Core's own error is
/// not re-exported: it reaches a billing caller inside [`Error::Core`].
pub use mediameter_core::{
    BillingZone, Currency, DateTime, Decimal, MediaSpec, MinutePolicy, Money, ProductType,
    Quantity, Rounding, RoundingMode, SubscriptionTerm, TimeRange, Unit, Utc, VideoTier,
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
