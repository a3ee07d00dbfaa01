//! Prepaid resource packs, pay-as-you-go tariffs, upgrade proration, hourly settlement, subscription lifecycle and refunds for RTC and live-streaming clouds.
//!
//! Work in progress: see the issue tracker.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
