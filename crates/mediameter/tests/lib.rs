//! Tests of the mediameter facade: golden months (the bundled sample against the crates
//! step by step, and one computed by hand), property tests against a plain reference, and
//! bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

mod carry;
mod error_convention;
mod errors;
mod golden;
mod props;
mod thread_safety;

/// The bundled sample of `mediameter invoice`: copies of the CLI's data files, kept equal by
/// the CLI's `shared_data` test, so this crate's package carries its own test data.
pub(crate) mod sample {
    pub(crate) const SEGMENTS: &str = include_str!("data/usage_sample.csv");
    pub(crate) const PACKS: &str = include_str!("data/invoice_packs.json");
    pub(crate) const TARIFF: &str = include_str!("data/invoice_tariff.json");
    pub(crate) const MAPPING: &str = include_str!("data/invoice_mapping.json");
}
