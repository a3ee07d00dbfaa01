//! Integration tests of mediameter-core: golden cases of the vendor documents' worked examples,
//! property tests of the invariants, and serde round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

mod error_convention;
mod golden;
mod hardening;
mod props;
#[cfg(feature = "serde")]
mod serde_roundtrip;
mod thread_safety;
