//! Integration tests of mediameter-billing: golden tests of the vendors' worked examples
//! (Huawei Cloud iDME billing manual, Alibaba Cloud RTC pricing) and property tests of the
//! invariants.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss
)]

mod error_convention;
mod exports;
mod lifecycle;
mod packs;
#[cfg(feature = "serde")] // the requests under test are JSON documents
mod period;
mod proration;
mod settlement;
#[cfg(feature = "serde")] // the tariffs under test are written as JSON
mod tariff;
mod thread_safety;

/// The kind of the core error a billing error carries, if it carries one.
fn core_kind(e: &mediameter_billing::Error) -> Option<mediameter_core::ErrorKind> {
    e.as_core().map(mediameter_core::Error::kind)
}
