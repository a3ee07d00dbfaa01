//! Tests of mediameter-datafusion: the SQL functions, `run_query` against the kernel on every
//! source kind and on random inputs, and a standalone Ballista cluster.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::arithmetic_side_effects, missing_docs, unreachable_pub)]

mod cluster;
mod common;
mod engine;
mod sql;
