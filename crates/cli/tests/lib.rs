//! Integration tests of the `mediameter` binary, and the stable replay of every fuzz corpus.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

// The fuzz checks live in the fuzz package (its own workspace, built by cargo-fuzz); the same
// source is compiled here so that stable CI replays the corpus on every run.
// Its items are `pub` for the fuzz binaries, unreachable from this test crate.
#[path = "../../../fuzz/src/lib.rs"]
#[allow(unreachable_pub)]
mod fuzz_checks;

mod commands;
mod doc_examples;
mod fuzz_replay;
