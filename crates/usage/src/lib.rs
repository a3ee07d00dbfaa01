//! Usage aggregation for real-time audio/video and live streaming: the figures a vendor's
//! console and usage APIs show, computed from raw stream segments at platform scale.
//!
//! * [`UsageQuery`] says what to compute: hour or day buckets aligned in a zone (GMT+8 or UTC),
//!   split-by dimensions (app, region, domain, instance, type, spec, role), filters (an empty
//!   filter keeps all), an optional range, exact or approximate distinct counting.
//! * [`Aggregator`] consumes any iterator of [`StreamSegment`](mediameter_core::StreamSegment)s
//!   in one pass, splitting each exactly at bucket boundaries, and reports per group and bucket:
//!   publish and subscribe seconds per spec, billable minutes (subscription only, under core's
//!   [`MinutePolicy`](mediameter_core::MinutePolicy)), active users, channels, peak concurrent
//!   channels and peak concurrent communications (publish→subscribe relations). Its mode for
//!   segments sorted by start time ([`Aggregator::sorted`]) has memory that does not grow with
//!   their number: peaks are swept as segments arrive (no mergeable state).
//! * [`SegmentTable`] holds segments in columns with every id interned once (loaded straight
//!   from CSV bytes, on several threads if asked) and answers any query with the same report
//!   as the aggregator, through dense arrays and on several threads: for segments that answer
//!   several queries, or a file read once.
//! * [`UsageState`] is the same result as a serializable value whose `merge` is associative
//!   and commutative: shards aggregated apart merge into exactly the whole, peaks and distinct
//!   counts included. Approximate distinct counts hash ids with [`stable_id_hash`], fixed
//!   forever so that sketches built anywhere merge.
//! * [`distribution`] and [`distribution_by`] give proportions per region (vendor rounding or
//!   largest remainder); [`communication_records`] gives channel sessions and per-user detail.
//! * [`vendor`] holds the vendors' response shapes (Alibaba `DescribeLiveProducerUsageData`
//!   JSON and XML, Volcengine `ListOperationDistribution`, Huawei room list); [`csv`] the
//!   console's exports; [`SegmentReader`] reads CSV and JSON Lines with errors that name the
//!   line and field, or skips bad records and reports them.
//!
//! Every metric's exact definition is in `docs/usage.md`.
//!
//! # Which entry point
//!
//! Two ways in, and one value between them:
//!
//! * **The table** ([`SegmentTable`]) when the segments are at hand: a file, a slice, a
//!   columnar source. It loads columns with every id interned once and answers on all
//!   threads.
//! * **The aggregator** ([`Aggregator`]) when segments arrive one at a time: a stream, a
//!   queue, a shard of a larger job. It keeps only what the query needs.
//! * **The state** ([`UsageState`]): the mergeable partial the aggregator hands over, to ship
//!   between machines and merge.
//!
//! | you have | use |
//! | --- | --- |
//! | one query over a CSV file or stream | [`SegmentTable::query_csv`]: streams it on all threads, keeps only the rows and columns the query needs |
//! | one query over a columnar source (Parquet row groups, Arrow batches) | [`RowLoader`] per thread (the table's loader), fed [`SegmentColumns`] batches (or [`SegmentRow`]s); [`RowLoader::report`] combines them |
//! | segments that answer several queries | [`SegmentTable`]: load once ([`SegmentTable::read_csv`], [`SegmentTable::from_segments`]), then [`SegmentTable::report_parallel`] per query |
//! | segments arriving one by one (JSON Lines, a message queue), or rows of a columnar source whose result must merge | [`Aggregator::new`]: one pass ([`Aggregator::push`], [`Aggregator::push_row`] for a row, [`Aggregator::push_columns`] for a batch), [`Aggregator::to_state`] to ship a mergeable partial |
//! | a stream sorted by start that never ends | [`Aggregator::sorted`]: the same aggregator, memory bounded by the open segments, no state |
//! | partials from shards or days | [`UsageState::merge`], then [`UsageState::report`]; ship them as JSON (serde) or in the compact binary form (`UsageState::to_bytes`, with `serde`) |
//!
//! Every way gives the same report for the same segments (the tests compare each with a
//! brute-force computation on random inputs).
//!
//! # Example
//!
//! ```
//! use mediameter_core::{BillingZone, Granularity, MediaSpec, MinutePolicy, VideoTier};
//! use mediameter_usage::{Aggregator, Dimension, UsageQuery, parse_csv};
//!
//! let segments = parse_csv(
//!     "app,channel,user,role,spec,region,start,end,publisher\n\
//!      a1,room,host,pub,720p,cn-shanghai,1679273400,1679275800,\n\
//!      a1,room,fan1,sub,720p,cn-shanghai,1679273700,1679274600,host\n\
//!      a1,room,fan2,sub,720p,cn-shanghai,1679274000,1679275200,host\n",
//! )?;
//! let query = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
//! let mut agg = Aggregator::new(query)?;
//! agg.extend(&segments)?;
//! let report = agg.report(MinutePolicy::CeilPerPeriod)?;
//!
//! // The host publishes 08:50–09:30 GMT+8; fan1 watches 08:55–09:10, fan2 09:00–09:20.
//! let p720 = MediaSpec::Video(VideoTier::P720);
//! let (h8, h9) = (&report.rows[0], &report.rows[1]);
//! assert_eq!(h8.subscribe_seconds[p720], 300); // fan1's piece before 09:00
//! assert_eq!(h8.active_users, Some(2));
//! assert_eq!(h9.subscribe_seconds[p720], 600 + 1200);
//! assert_eq!(h9.peak_communications, Some(2)); // host→fan1 and host→fan2 at 09:05
//! assert_eq!(h9.billable_minutes[p720].to_string(), "30");
//! assert_eq!(report.totals[0].subscribe_seconds[p720], 2100);
//! # Ok::<(), mediameter_usage::Error>(())
//! ```
//!
//! # What is public
//!
//! The types above, at the crate root, plus the `csv` and `vendor` modules. The machinery
//! under them (the HyperLogLog sketch, the hash functions, the interners, the radix sort) is
//! private and can change in any release; only [`stable_id_hash`], the documented id hash, is
//! exported. The synthetic segment generator of the benchmarks and examples is not part of the
//! crate either (it lives in the workspace's unpublished `mediameter-testdata`). None of these
//! compiles:
//!
//! ```compile_fail,E0432
//! use mediameter_usage::Hll;
//! ```
//!
//! ```compile_fail,E0433
//! let segs = mediameter_usage::synthetic::segments(10, 7);
//! ```
//!
//! ```compile_fail,E0603
//! let h = mediameter_usage::hash::stable_id_hash("app", "user");
//! ```
//!
//! # Thread safety
//!
//! Every public type is `Send` and `Sync` (a [`SegmentReader`] or [`csv::CsvReader`] is as far
//! as its reader is), and none has interior mutability. Queries, reports, states and vendor
//! shapes are plain values. The accumulators take `&mut self` to add data —
//! [`Aggregator::push`], [`SegmentTable::push`], [`RowLoader::push`], [`UsageState::merge`]
//! — so each is filled by one thread; to use more, give each thread its own
//! and merge the [`UsageState`]s, or let the library do it: [`SegmentTable::report_parallel`]
//! and [`SegmentTable::query_csv`] split the work over scoped threads they start and join
//! before returning (at most 64). A filled [`SegmentTable`] answers queries through `&self`, so
//! one table behind an `Arc` serves any number of threads. The crate keeps no global state and
//! never reads the clock. `tests/thread_safety.rs` checks this at compile time.
//!
//! # Feature flags
//!
//! * `serde` (default): `Serialize`/`Deserialize` for the public data types (queries, states,
//!   reports, vendor shapes), JSON Lines input ([`parse_jsonl`], [`InputFormat::JsonLines`] in
//!   a [`SegmentReader`]) and [`segment_jsonl`]. Pulls in `serde`,
//!   `serde_json` and core's `serde` feature. Without it, CSV input and output still work.
//!
//! # Third-party types
//!
//! Amounts are [`Decimal`] (`rust_decimal`) and instants [`DateTime<Utc>`](DateTime)
//! (`chrono`); both are re-exported here, so a caller needs no dependency of its own to name
//! them. Ids, specs, zones and segments are `mediameter-core`'s: add `mediameter-core` (same
//! version) to `[dependencies]`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Algorithm and vendor names (HyperLogLog, MurmurHash3, SipHash, OpenAPI) are words here, not code.
#![allow(clippy::doc_markdown)]

mod aggregate;
mod compact;
pub mod csv;
mod distribution;
mod error;
mod hash;
mod hll;
mod input;
mod intern;
mod intervals;
mod query;
mod radix;
mod records;
mod report;
mod spec_table;
mod state;
// The crate's own tests use the generator whatever the features.
mod table;
mod threads;
pub mod vendor;

pub use aggregate::Aggregator;
pub use chrono::{DateTime, Utc};
pub use rust_decimal::Decimal;

pub use distribution::{DistributionRow, Indicator, ProportionMode, distribution, distribution_by};
pub use error::{Error, ErrorKind, Place, Result};
pub use hash::stable_id_hash;
pub use input::{BadRecords, InputFormat, SegmentReader, SkipReport, parse_csv, read_segments};
#[cfg(feature = "serde")]
pub use input::{parse_jsonl, segment_jsonl};
pub use query::{Dimension, DistinctMode, IdScope, Metrics, UsageQuery, parse_interval};
pub use records::{ChannelSession, UserDetail, communication_records};
pub use report::{GroupTotal, UsageReport, UsageRow};
pub use spec_table::PerSpec;
pub use state::UsageState;
pub use table::{RowLoader, SegmentColumns, SegmentRow, SegmentTable, TextColumn};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
