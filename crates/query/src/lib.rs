//! Validation of usage and statistics queries against vendor API profiles: strict time parsing, limits, defaults, vendor-shaped errors, rate limits and permissions.
//!
//! Work in progress: see the issue tracker.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
