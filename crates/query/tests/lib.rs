//! Integration tests of mediameter-query: golden cases per vendor profile (citing the seeds),
//! body rendering, rate limiting, permissions and properties. They read and write JSON, so they
//! need the default `serde` feature.
#![cfg(feature = "serde")]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod alibaba;
mod common;
mod cts_diagnostics;
mod gate;
mod huawei;
mod perm;
mod props;
mod rate;
mod render;
mod time;
mod volcengine;
