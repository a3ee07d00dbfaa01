//! Validation of usage and statistics queries against vendor API profiles.
//!
//! A service that answers usage or statistics queries embeds this crate in front of its
//! handlers: a bad query is refused before any work is done, with exactly the error body a
//! client of that vendor's API expects; a good one comes back normalised (defaults filled,
//! lists split, times parsed to UTC). The input comes from strangers on the internet, so
//! nothing here panics and nothing does unbounded work: lengths and counts are checked before
//! any value is read.
//!
//! * Times: [`parse_time`] and [`format_utc`], strict hand-written parsers for
//!   `yyyy-MM-ddTHH:mm:ssZ` and RFC 3339 with offset ([`TimeFormat`]); each lenient reading is
//!   an explicit [`Leniency`] switch (see "Time formats" below).
//! * [`Profile`]: an API as data — parameters, formats, defaults, limits, error vocabulary —
//!   and [`builtin`], the shipped profiles (Alibaba `DescribeLiveProducerUsageData` and RTC
//!   diagnostics, Volcengine `ListOperationDistribution`, Huawei RTC statistics, Huawei CTS).
//! * [`validate()`] (or [`Registry::validate`]): one pass collecting every [`Violation`] in a
//!   documented order; a [`Rejection`] picks the primary one by the vendor's precedence and
//!   renders Alibaba, Huawei or Volcengine bodies, or every problem with its JSON pointer.
//! * [`qs`]: a bounded query-string and form-body parser (percent-decoding, repeated keys
//!   refused, size limits checked before values are read), and [`CommonParams`], the vendors'
//!   common parameters (`Action`, `Version`, the signature fields) accepted and checked per
//!   profile.
//! * [`rate`]: a per-(caller, API) GCRA limiter with an injected clock and bounded memory, and
//!   its sharded form to share between threads.
//! * [`perm`]: allow/deny policies over actions and app ids, explicit deny first, default deny,
//!   with the vendors' system policies built in.
//! * [`Gate`]: the three together in front of a handler — rate limit, validation, permission —
//!   each refusal answered in the vendor's shape.
//!
//! # Where things are
//!
//! One path for every item. What a caller needs to validate a query and answer a refusal —
//! the error, profiles and their parts, values, times, violations, rejections and vendor
//! bodies, options, the validated query, the registry and the gate — is at the crate root.
//! A module is public only where it groups a sub-domain a caller may use on its own, and its
//! items are reached through it, never also from the root:
//!
//! * [`qs`], query-string and form-body parsing;
//! * [`rate`], rate limiting;
//! * [`perm`], permissions;
//! * [`builtin`], the shipped vendor profiles.
//!
//! The other modules of the source (`names`, `time`, `profile`, `reject`, `error`,
//! `validate`, `registry`, `common`, `gate`...) are private: they order the code (see "Layers"), not the API. A type is
//! not reached a second way through them:
//!
//! ```compile_fail
//! use mediameter_query::time::TimeFormat; // use mediameter_query::TimeFormat
//! ```
//!
//! ```compile_fail
//! use mediameter_query::profile::RateSpec; // use mediameter_query::RateSpec
//! ```
//!
//! # Layers
//!
//! The source modules depend on each other in one direction; a lower one never names a module
//! built on it, and no module names the crate root (checked on the source, for every module,
//! by `tests/layering.rs`):
//!
//! 1. `time`: the parsers and printers; its own small [`TimeError`]. Beside it (below it), the
//!    printed names of the crate's enums and their [`ParseNameError`].
//! 2. `profile` (and [`builtin`], the shipped profiles): APIs as data, each parameter's own
//!    value checks, and [`ProfileError`] for an unusable profile. A value that fails its
//!    parameter's checks is described in the profile's words (a [`ViolationKind`] and a
//!    detail); it does not know about rejections.
//! 3. `reject`: [`Violation`], [`Rejection`] and the vendor bodies, built from a profile's
//!    error vocabulary; beside it, [`qs::QsErrorReason`], why a query string was refused.
//! 4. `error`: the crate's one [`Error`], carrying a [`TimeError`], a [`ProfileError`], a
//!    [`Rejection`] or a [`qs::QsErrorReason`].
//! 5. `validate` ([`validate()`]), which maps time and value failures into violations and a
//!    rejection, and `registry` ([`Registry`]) over it.
//! 6. On top, each naming only what is listed above it: [`qs`], `common`, [`rate`] (which
//!    reads a registry's rates), [`perm`] (which reads the app of a validated query) and
//!    `gate`, which puts rate, validation and permission together.
//!
//! # Validated types
//!
//! A type whose value has been checked keeps its fields private: it is built by the function
//! that checks it (and read back from serde through the same checks), never by a struct
//! literal. A [`Profile`] is built by [`Profile::builder`] (its parts, [`Param`],
//! [`TimeRule`], [`Delay`], [`RateSpec`], [`ErrorRule`], [`Alias`], by their constructors, and
//! checked with the profile), a [`perm::Policy`] by [`perm::Policy::new`] from
//! [`perm::Statement`]s; each type's docs have a compile-fail example of its struct literal.
//! These do not compile outside the crate either:
//!
//! ```compile_fail
//! // A time outside the supported range, or an offset of 99 hours.
//! let t = mediameter_query::ParsedTime { instant: chrono::DateTime::UNIX_EPOCH, offset_minutes: 5940 };
//! ```
//!
//! ```compile_fail
//! // Query-string limits past their maximum: use `QsLimits::new`, which checks them.
//! let l = mediameter_query::qs::QsLimits { max_len: usize::MAX, max_params: 0, max_key_len: 0, max_value_len: 0 };
//! ```
//!
//! ```compile_fail
//! // A rejection without a violation: use `Rejection::new`.
//! let r = mediameter_query::Rejection { api: String::new(), vendor: mediameter_query::Vendor::Huawei, status: 200, code: String::new(), code_n: None, message: String::new(), primary: 3, violations: vec![] };
//! ```
//!
//! ```compile_fail
//! // An accepted query that was never validated.
//! let q = mediameter_query::ValidQuery { api: "x", values: vec![], defaulted: vec![], range: None, warnings: vec![] };
//! ```
//!
//! ```compile_fail
//! // Output structs that will grow are `#[non_exhaustive]`, built by the crate only.
//! let w = mediameter_query::Warning { kind: mediameter_query::WarningKind::DataDelayed, param: None, message: String::new() };
//! ```
//!
//! # Time formats
//!
//! The two time formats the vendors document:
//!
//! * [`TimeFormat::UtcSeconds`]: `yyyy-MM-ddTHH:mm:ssZ`, exactly 20 bytes, always UTC. Alibaba's
//!   `DescribeLiveProducerUsageData` (Alibaba Cloud Live API reference, "ISO8601 ... UTC+0 ...
//!   yyyy-MM-ddTHH:mm:ssZ") and Huawei's RTC statistics API (Huawei Cloud RTC API reference,
//!   "UTC时间, 格式: YYYY-MM-DDThh:mm:ssZ") use it.
//! * [`TimeFormat::Rfc3339`]: an RFC 3339 `date-time` with seconds and an explicit offset,
//!   `yyyy-MM-ddTHH:mm:ss+08:00` (or `Z`, which RFC 3339 defines as the offset zero). Volcengine's
//!   `ListOperationDistribution` uses it (Volcengine RTC API reference, sample
//!   `2021-07-24T00:00:00+08:00`).
//!
//! Both parsers work byte by byte (no regex, no allocation) and build a chrono instant. They
//! are strict by default; every lenient reading the vendors' clients are known to send is a
//! separate switch in [`Leniency`], off unless the caller turns it on:
//!
//! | input | strict | with the switch |
//! | --- | --- | --- |
//! | lowercase `t` / `z` | refused ([`TimeErrorReason::Lowercase`]) | `lowercase`: read as `T` / `Z` |
//! | fractional seconds `.5`, any number of digits (RFC 3339 sets no limit) | refused ([`TimeErrorReason::Fraction`]) | `fractional_seconds`: kept to the nanosecond; digits past the ninth are dropped (truncated, never rounded, so `59.9999999999Z` stays in its second) |
//! | leap second `23:59:60` | refused ([`TimeErrorReason::LeapSecond`]) | `leap_second`: accepted only at 23:59:60 UTC on 30 June or 31 December, folded onto 23:59:59 (Unix time has no leap seconds) |
//! | unknown offset `-00:00` (RFC 3339 §4.3) | refused ([`TimeErrorReason::UnknownOffset`]) | `unknown_offset`: read as UTC |
//! | basic offset `+0800` (ISO 8601, not RFC 3339) | refused ([`TimeErrorReason::BasicOffset`]) | `basic_offset`: read as `+08:00` |
//! | spaces or tabs around the value | refused ([`TimeErrorReason::Space`]) | `surrounding_space`: trimmed |
//!
//! Never accepted, whatever the leniency: an offset in the `UtcSeconds` format (it says `Z`), a
//! space instead of `T`, a missing seconds field, offsets beyond ±23:59, a value longer than
//! [`MAX_TIME_LEN`] bytes (refused before any other work: it is what bounds the number of
//! fractional digits), and an instant outside
//! `0001-01-01T00:00:00Z ..< 10000-01-01T00:00:00Z` — the range `mediameter_core::TimeRange`
//! supports. Year `0000` is syntactically fine, so `0000-12-31T23:30:00-01:00` (which is
//! `0001-01-01T00:30:00Z`) is accepted, while `0001-01-01T00:30:00+01:00` and
//! `9999-12-31T23:30:00-01:00` are refused as [`TimeErrorReason::OutOfRange`]: the range is a
//! property of the instant, not of the digits.
//!
//! Printing ([`format_utc`], [`ParsedTime`]'s `Display`, which writes a zero offset as `Z`) writes the
//! canonical form back, so
//! `parse_time(format(t)) == t` for every supported instant and offset.
//!
//! # Thread safety
//!
//! Every public type is `Send` and `Sync`; none uses interior mutability except the ones below,
//! so a [`Registry`], a [`Profile`] or a [`ValidQuery`] can be read from any number of threads.
//!
//! * [`rate::RateLimiter`] takes `&mut self` to check: one per thread, or use
//!   [`rate::SharedRateLimiter`], which takes `&self` (callers hashed over shards, each behind
//!   its own short lock; no outer lock needed).
//! * [`Gate`] owns an `Arc<Registry>` and a shared limiter: `admit` takes `&self`, so one
//!   gate in an `Arc` serves every worker.
//! * Nothing blocks for longer than one rate-limit check of one shard, and a panic in another
//!   thread never leaves a limiter unusable (a poisoned shard lock is used as is: a check is a
//!   single write).
//!
//! `tests/thread_safety.rs` asserts `Send + Sync` for every public type at compile time, and
//! `examples/gateway_handler.rs` shares one gate between worker threads using only the public
//! API.
//!
//! "Now" is always passed in ([`Clock`], or a `DateTime<Utc>` argument); nothing reads the wall
//! clock.
//!
//! # Example
//!
//! ```
//! use mediameter_query::{DateTime, Options, Registry, Utc};
//!
//! let registry = Registry::builtin();
//! let now = "2018-11-01T00:00:00Z".parse::<DateTime<Utc>>()?;
//!
//! // The vendor's own sample request (Alibaba Cloud Live API reference, example 2).
//! let q = registry.validate(
//!     "DescribeLiveProducerUsageData",
//!     &[("StartTime", "2018-09-30T16:00:00Z"), ("EndTime", "2018-10-31T15:59:59Z"), ("SplitBy", "type")],
//!     now,
//!     &Options::default(),
//! )?;
//! assert_eq!(q.get("Interval").ok_or("missing Interval")?.to_string(), "3600"); // default filled
//! assert_eq!(q.range().ok_or("missing range")?.seconds(), 31 * 86_400 - 1);
//!
//! // End before start: the answer Alibaba gives, with its HTTP status.
//! let err = registry
//!     .validate(
//!         "DescribeLiveProducerUsageData",
//!         &[("StartTime", "2018-10-31T15:59:59Z"), ("EndTime", "2018-09-30T16:00:00Z")],
//!         now,
//!         &Options::default(),
//!     )
//!     .unwrap_err();
//! let rejection = err.rejection().ok_or("missing rejection")?;
//! assert_eq!(rejection.status(), 400);
//! assert_eq!(rejection.code(), "InvalidEndTime.Mismatch");
//! let body = rejection.alibaba_body("C370DAF1-C838-4288-A1A0-9A87633D248E");
//! assert_eq!(body.message, "Specified end time does not math the specified start time.");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Feature flags
//!
//! * `serde` (default): `Serialize`/`Deserialize` for profiles, options, leniency, violations
//!   and the vendor bodies, and `Serialize` for accepted queries and rejections. Pulls in
//!   `serde` and the serde support of `mediameter-core` and `chrono`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod builtin;
mod common;
mod error;
mod gate;
mod names;
pub mod perm;
mod profile;
pub mod qs;
mod qs_reason;
pub mod rate;
mod registry;
mod reject;
mod time;
mod validate;

/// The third-party types in this crate's signatures, re-exported so that a caller needs no
/// `chrono` dependency of its own to name them.
pub use chrono::{DateTime, Utc};
pub use common::{ALIBABA_COMMON, ALIBABA_LIVE_VERSION, CommonParams, VOLCENGINE_COMMON};
pub use error::{Error, ErrorKind, Result};
pub use gate::Gate;
pub use names::ParseNameError;
pub use profile::{
    Alias, Delay, DelayValue, ErrorRule, MAX_PARAM_LEN, MAX_PROFILE_PARAMS, Param, ParamKind,
    Profile, ProfileBuilder, ProfileError, RateSpec, TimeRule, Value, Vendor, ViolationKind,
};
pub use registry::Registry;
pub use reject::{
    AlibabaError, HuaweiError, Problem, Rejection, RetryAdvice, VOLCENGINE_RTC_VERSION, VendorBody,
    Violation, VolcengineError, VolcengineErrorDetail, VolcengineMetadata, may_retry, retry_advice,
};
pub use time::{
    Leniency, MAX_TIME_LEN, ParsedTime, TimeError, TimeErrorReason, TimeFormat, format_utc,
    parse as parse_time,
};
pub use validate::{Clock, FixedClock, Options, ValidQuery, Warning, WarningKind, validate};

// The README's examples are compiled and run as doctests, so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
