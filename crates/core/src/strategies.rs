//! proptest strategies that generate valid core values (feature `proptest`).
//!
//! Downstream crates and users property-test their own billing rules with these: every value
//! they produce passes the constructors' validation.
//!
//! ```
//! use mediameter_core::strategies;
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! runner.run(&strategies::time_range(), |r| {
//!     prop_assert!(r.end() > r.start());
//!     Ok(())
//! }).map_err(|e| e.to_string())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::id::{AppId, ChannelId, RegionId, UserId};
use crate::money::{Currency, Money};
use crate::record::{Role, StreamSegment};
use crate::rounding::{Rounding, RoundingMode};
use crate::spec::MediaSpec;
use crate::time::{BillingZone, END_UNIX_SECONDS, Granularity, MIN_UNIX_SECONDS, TimeRange};

/// Any [`RoundingMode`].
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let m = mediameter_core::strategies::rounding_mode().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(mediameter_core::RoundingMode::ALL.contains(&m));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rounding_mode() -> impl Strategy<Value = RoundingMode> {
    proptest::sample::select(RoundingMode::ALL.to_vec())
}

/// A [`Rounding`] with scale 0..=10.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let r = mediameter_core::strategies::rounding().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(r.scale() <= 10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rounding() -> impl Strategy<Value = Rounding> {
    (0_u32..=10, rounding_mode())
        .prop_map(|(scale, mode)| Rounding::new(scale, mode).unwrap_or(Rounding::CENTS_HALF_UP))
}

/// A decimal in ±10¹² with 0..=8 decimal places (the size of real money and quantities).
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let d = mediameter_core::strategies::decimal().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(d.abs() < rust_decimal::Decimal::from(1_000_000_000_000_i64));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decimal() -> impl Strategy<Value = Decimal> {
    (
        -100_000_000_000_000_000_000_i128..100_000_000_000_000_000_000,
        0_u32..=8,
    )
        .prop_map(|(m, scale)| {
            Decimal::try_from_i128_with_scale(
                m.checked_div(10_i128.pow(8_u32.saturating_sub(scale)))
                    .unwrap_or(0),
                scale,
            )
            .unwrap_or_default()
        })
}

/// A currency from the built-in table.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let c = mediameter_core::strategies::currency().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(mediameter_core::Currency::KNOWN.contains(&c));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(Currency::KNOWN.to_vec())
}

/// An amount of money in any known currency.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let m = mediameter_core::strategies::money().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert_eq!(m.to_string().parse::<mediameter_core::Money>()?, m);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn money() -> impl Strategy<Value = Money> {
    (decimal(), currency()).prop_map(|(a, c)| Money::new(a, c))
}

/// Any valid [`BillingZone`], biased towards whole hours.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let z = mediameter_core::strategies::zone().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(z.offset_seconds().abs() < 86_400);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn zone() -> impl Strategy<Value = BillingZone> {
    prop_oneof![
        (-12_i32..=14).prop_map(|h| h.saturating_mul(3600)),
        -86_399_i32..=86_399,
    ]
    .prop_map(|s| BillingZone::from_offset_seconds(s).unwrap_or(BillingZone::UTC))
}

/// A granularity among minute, 5 minutes, 15 minutes, hour and day.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let g = mediameter_core::strategies::granularity().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert_eq!(86_400 % g.seconds(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn granularity() -> impl Strategy<Value = Granularity> {
    proptest::sample::select(vec![60_u32, 300, 900, 3600, 86_400])
        .prop_map(|s| Granularity::from_seconds(s).unwrap_or(Granularity::HOUR))
}

/// An instant in whole seconds between 2000 and 2100.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let t = mediameter_core::strategies::instant().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(t.timestamp() >= 946_684_800);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (946_684_800_i64..4_102_444_800)
        .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default())
}

/// A range of 1 s to 3 days starting between 2000 and 2100, in whole seconds.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let r = mediameter_core::strategies::time_range().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(r.seconds() <= 3 * 86_400);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn time_range() -> impl Strategy<Value = TimeRange> {
    (946_684_800_i64..4_102_444_800, 1_i64..=3 * 86_400).prop_filter_map("valid range", |(s, d)| {
        TimeRange::from_unix(s, s.saturating_add(d)).ok()
    })
}

/// A range anywhere in years 0001–9999, of any length up to the whole span, with
/// nanosecond ends: for edge-case tests.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let r = mediameter_core::strategies::wide_time_range().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(r.end() > r.start());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn wide_time_range() -> impl Strategy<Value = TimeRange> {
    let secs = MIN_UNIX_SECONDS..END_UNIX_SECONDS;
    (
        secs.clone(),
        0_u32..1_000_000_000,
        secs,
        0_u32..1_000_000_000,
    )
        .prop_filter_map("valid range", |(a, an, b, bn)| {
            let x = DateTime::from_timestamp(a, an)?;
            let y = DateTime::from_timestamp(b, bn)?;
            TimeRange::new(x.min(y), x.max(y)).ok()
        })
}

/// A media spec.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let s = mediameter_core::strategies::media_spec().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(mediameter_core::MediaSpec::ALL.contains(&s));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn media_spec() -> impl Strategy<Value = MediaSpec> {
    proptest::sample::select(MediaSpec::ALL.to_vec())
}

/// An id string: 1 to 24 printable characters, including non-ASCII ones.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let s = mediameter_core::strategies::id_string().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(mediameter_core::UserId::new(s).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn id_string() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_.:@ 频道用户-]{1,24}"
}

/// A stream segment from a small population (3 apps, 8 channels, 16 users, 3 regions), so
/// that generated batches have collisions worth aggregating.
///
/// ```
/// # use proptest::strategy::{Strategy, ValueTree}; use proptest::test_runner::TestRunner;
/// let s = mediameter_core::strategies::stream_segment().new_tree(&mut TestRunner::deterministic()).map_err(|e| e.to_string())?.current();
/// assert!(s.app.as_str().starts_with("app"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stream_segment() -> impl Strategy<Value = StreamSegment> {
    (
        0_u8..3,
        0_u8..8,
        0_u8..16,
        any::<bool>(),
        media_spec(),
        time_range(),
        0_u8..3,
        0_u8..16,
    )
        .prop_filter_map(
            "valid segment",
            |(app, ch, user, publish, spec, range, region, publisher)| {
                let role = if publish {
                    Role::Publish
                } else {
                    Role::Subscribe
                };
                let seg = StreamSegment::new(
                    AppId::new(format!("app{app}")).ok()?,
                    ChannelId::new(format!("ch{ch}")).ok()?,
                    UserId::new(format!("u{user}")).ok()?,
                    role,
                    spec,
                    range,
                )
                .with_region(RegionId::new(format!("r{region}")).ok()?);
                Some(match role {
                    Role::Subscribe => {
                        seg.with_publisher(UserId::new(format!("u{publisher}")).ok()?)
                    }
                    Role::Publish => seg,
                })
            },
        )
}
