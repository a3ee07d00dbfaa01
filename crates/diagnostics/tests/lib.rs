//! Integration tests of mediameter-diagnostics.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

mod api;
mod common;
#[cfg(feature = "serde")] // the bundled call is a JSON document
mod demo_call;
mod detectors;
mod emodel;
mod error_convention;
mod media;
mod props;
mod scenarios;
mod thread_safety;
mod validation;
