//! Fuzz checks for every mediameter parser of outside input.
//!
//! Each public function takes arbitrary bytes, must not panic, and asserts what the parser
//! promises (round trips, invariants of accepted values). The libFuzzer binaries in
//! `fuzz_targets/` call them; the stable test `fuzz_replay` in `crates/cli/tests/` replays
//! every file of `corpus/<target>/` through them on every CI run.
#![forbid(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    missing_docs
)]

pub mod billing;
pub mod core;
pub mod diagnostics;
pub mod gateway;
pub mod invoice;
pub mod query;
pub mod usage;

/// A fuzz check: arbitrary bytes in, a panic if a promise is broken.
pub type Check = fn(&[u8]);

/// Every target: (name, check). The name is the binary's and the corpus folder's.
pub const TARGETS: &[(&str, Check)] = &[
    ("core_ids", core::ids),
    ("core_vocab", core::vocab),
    ("core_money_and_zone", core::money_and_zone),
    ("core_json", core::json),
    ("core_split", core::split),
    ("core_json_repeated_keys", core::json_repeated_keys),
    ("billing_tariff_json", billing::tariff_json),
    ("billing_timeline_json", billing::timeline_json),
    ("billing_usage_batch_json", billing::usage_batch_json),
    ("billing_engine_state_json", billing::engine_state_json),
    ("billing_proration_json", billing::proration_json),
    ("billing_bill_doc", billing::bill_doc),
    ("billing_settle_doc", billing::settle_doc),
    ("billing_prorate_doc", billing::prorate_doc),
    ("usage_csv_segments", usage::csv_segments),
    ("usage_jsonl_segments", usage::jsonl_segments),
    ("usage_vendor_json", usage::vendor_json),
    ("usage_vendor_xml", usage::vendor_xml),
    ("usage_state_json", usage::state_json),
    ("usage_state_bytes", usage::state_bytes),
    ("usage_table_csv", usage::table_csv),
    ("usage_query_csv", usage::query_csv),
    ("usage_rows", usage::rows),
    ("diagnostics_request_json", diagnostics::request_json),
    ("diagnostics_profile_json", diagnostics::profile_json),
    ("diagnostics_version", diagnostics::version),
    ("query_time_utc_seconds", query::time_utc_seconds),
    ("query_time_rfc3339", query::time_rfc3339),
    ("query_validate_query_string", query::validate_query_string),
    ("gateway_query_string", gateway::query_string),
    ("gateway_token_verify", gateway::token_verify),
    ("gateway_body", gateway::body),
    ("query_validate_json", query::validate_json),
    ("query_profile_json", query::profile_json),
    ("query_policy_json", query::policy_json),
    ("invoice_mapping_json", invoice::mapping_json),
    ("invoice_billable_usage_json", invoice::billable_usage_json),
    ("invoice_request_doc", invoice::request_doc),
];
