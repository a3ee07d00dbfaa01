//! mediameter: from raw RTC and live-streaming usage to an invoice.
//!
//! This crate is a facade, in the spirit of ripgrep's `grep`: it re-exports the five
//! libraries under short names and holds only the glue between them. The libraries stay
//! independent of each other (each depends on [`core`] only); use one alone when that is all
//! you need.
//!
//! * [`core`]: money and rounding, quantities and the minute policy, UTC ranges, billing
//!   zones, ids, media specs, the stream segment.
//! * [`billing`]: packs (earliest expiry first, overflow), tariffs, statements, proration,
//!   hourly settlement, refunds, app status.
//! * [`usage`]: aggregation of segments into the vendors' usage figures.
//! * [`diagnostics`]: explained call-quality findings and E-model scores.
//! * [`query`]: validation of vendor usage queries.
//!
//! The glue turns a month of segments into a statement, in steps each callable alone:
//!
//! 1. [`InvoiceRequest::start`] checks the request (currency, mapping against the tariff)
//!    and builds the pack engine;
//! 2. [`meter::Meter`] bills each segment under the [`mapping::Mapping`] (data: which product
//!    and spec a segment's role and spec bill as) and sums its **seconds** by slice (an hour
//!    of the zone's grid, cut at every pack's purchase and expiry) into a mergeable
//!    [`meter::BillableUsage`];
//! 3. [`InvoiceRun::bill`] turns the slices into usage items, refuses or carries usage
//!    outside the month before anything is deducted, deducts from packs and builds the
//!    statement, which turns seconds into minutes **once**, under the statement's
//!    [`MinutePolicy`](mediameter_core::MinutePolicy).
//!
//! [`invoice`] does the three in one call. `docs/invoice.md` describes the flow, the mapping
//! format and every decision.
//!
//! # Example
//!
//! ```
//! use mediameter::{BillingMonth, InvoiceRequest, invoice};
//! use mediameter::billing::{Pack, Tariff};
//! use mediameter::core::{Quantity, Unit};
//! use rust_decimal_macros::dec;
//!
//! // Two viewers of one 720p stream on 2 March 2024 (GMT+8): 30 and 45 minutes.
//! let segments = mediameter::usage::parse_csv("app,channel,user,role,spec,region,start,end\n\
//!     a,room,v1,sub,720p,,1709312400,1709314200\n\
//!     a,room,v2,sub,720p,,1709312400,1709315100\n")?;
//! let pack = Pack::new("pk-60", "rtc".parse()?, Quantity::new(dec!(60), Unit::Minute)?,
//!     "2024-03-01T00:00:00Z".parse()?, "2024-06-01T00:00:00Z".parse()?)?;
//! let tariff: Tariff = serde_json::from_str(r#"{"currency": "CNY", "entries": [{"product": "rtc",
//!     "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.028"}}]}"#)?;
//! let request = InvoiceRequest::new("2024-03".parse::<BillingMonth>()?, tariff).with_packs(vec![pack]);
//! let bill = invoice(&segments, request)?;
//! assert_eq!(bill.statement.packs[0].usage, dec!(3600));   // the pack absorbs 60 minutes
//! assert_eq!(bill.statement.lines[0].quantity, dec!(15));  // 15 minutes overflow
//! assert_eq!(bill.statement.total, dec!(0.42));            // 15 × 0.028
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Thread safety
//!
//! Every type is `Send` and `Sync`; a [`meter::Meter`] and an [`InvoiceRun`] are used from
//! one thread at a time (`&mut self`). To meter on several threads, give each its own meter
//! and [`merge`](meter::BillableUsage::merge) the results.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use mediameter_billing as billing;
pub use mediameter_core as core;
pub use mediameter_diagnostics as diagnostics;
pub use mediameter_query as query;
pub use mediameter_usage as usage;

mod error;
mod invoice;
pub mod mapping;
pub mod meter;
mod month;

pub use error::{Error, ErrorKind, Result};
pub use invoice::{Invoice, InvoiceOptions, InvoiceRequest, InvoiceRun, invoice};
pub use month::BillingMonth;

/// The README's example, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
