//! Usage aggregation for RTC and live streaming: time buckets, split-by dimensions, durations per spec, distinct users and channels, peak concurrency, distributions and vendor response shapes, as mergeable partial aggregates.
//!
//! Work in progress: see the issue tracker.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
