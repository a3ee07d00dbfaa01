//! criterion benchmarks for every mediameter crate: `cargo bench -p mediameter-benches`.
//!
//! One module per crate, each exposing `define`; bench names are `<crate>/<what>/<size>`.
//! Every bench asserts on its result so that a fast wrong answer cannot pass.

// Bench inputs are generated here, not taken from callers: a panic is a failed bench, and
// plain arithmetic keeps the measured loops readable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    missing_docs,
    // Each module's `define` is `pub` by the house convention, unreachable from this binary.
    unreachable_pub
)]

use criterion::{criterion_group, criterion_main};

mod billing;
mod core;
mod diagnostics;
mod gateway;
mod invoice;
mod query;
mod report;
mod usage;
mod usage_table;

criterion_group!(
    benches,
    core::define,
    billing::define,
    usage::define,
    usage_table::define,
    diagnostics::define,
    query::define,
    gateway::define,
    report::define,
    invoice::define
);
criterion_main!(benches);
