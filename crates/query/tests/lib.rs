//! Integration tests of mediameter-query: golden cases per vendor profile (citing the vendor
//! documents), body rendering, rate limiting, permissions and properties. The modules that read or
//! write JSON need the default `serde` feature; the others run without it.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod alibaba;
#[cfg(feature = "serde")] // names are checked against their serialized form
mod api;
mod common;
mod cts_diagnostics;
mod error_convention;
mod gate;
mod huawei;
mod layering;
mod perm;
mod props;
mod rate;
#[cfg(feature = "serde")] // vendor bodies and profiles as JSON
mod render;
mod thread_safety;
mod time;
mod volcengine;
