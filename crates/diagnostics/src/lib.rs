//! Call-quality diagnostics from publisher and subscriber time series, with explained findings and E-model MOS scores.
//!
//! Work in progress: see the issue tracker.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
