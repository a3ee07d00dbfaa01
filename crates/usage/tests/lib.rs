//! Integration tests of mediameter-usage.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    missing_docs,
    unreachable_pub
)]

mod aggregate;
mod api;
mod common;
mod distribution;
mod error_convention;
mod input;
mod merge;
mod records;
mod sorted;
mod thread_safety;
#[cfg(feature = "serde")] // the vendors' JSON shapes
mod vendor;
