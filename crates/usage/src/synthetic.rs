//! A deterministic generator of realistic segments, for benchmarks and examples.
//!
//! It follows the shape of the crate's `examples/duckdb/gen_segments.py` (20 apps, 50,000 channels,
//! 200,000 users, 34 regions, starts uniform over 7 days from a GMT+8 midnight, log-normal
//! durations around 10 minutes capped at 4 hours, 30 % publishers, audio/360p/720p/1080p at
//! 40/20/30/10 %), with its own random generator (SplitMix64), so the numbers differ from the
//! Python script's for the same seed.

use mediameter_core::{
    AppId, ChannelId, MediaSpec, RegionId, Role, StreamSegment, TimeRange, UserId, VideoTier,
};

use crate::error::Result;
use crate::query::{Dimension, IdScope, Metrics, UsageQuery};

/// SplitMix64: small, fast, and good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::hash::fmix64(self.0)
    }

    /// Uniform in `0..n` (`n > 0`; 0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    /// Uniform in `[0, 1)`.
    #[allow(clippy::cast_precision_loss)]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// The first instant of the generated week: a midnight in GMT+8 (as in the Python script).
pub const T0: i64 = 1_700_000_000 - (1_700_000_000 % 86_400) - 8 * 3600;

/// The id populations of the generator, built once per call.
struct Population {
    apps: Vec<AppId>,
    regions: Vec<RegionId>,
    channels: Vec<ChannelId>,
    users: Vec<UserId>,
}

impl Population {
    fn new() -> Result<Self> {
        Ok(Population {
            apps: (0..20)
                .map(|i| AppId::new(format!("app{i}")))
                .collect::<Result<_, _>>()?,
            regions: (0..34)
                .map(|i| RegionId::new(format!("r{i}")))
                .collect::<Result<_, _>>()?,
            channels: (0..50_000)
                .map(|i| ChannelId::new(format!("ch{i}")))
                .collect::<Result<_, _>>()?,
            users: (0..200_000)
                .map(|i| UserId::new(format!("u{i}")))
                .collect::<Result<_, _>>()?,
        })
    }

    /// One segment starting at `start`: duration, app, channel, user, role, spec and region are
    /// drawn from `rng` in that order (the order fixes the output for a seed).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn draw(&self, rng: &mut SplitMix, start: i64) -> Option<StreamSegment> {
        // Log-normal(ln 600, 1) by Box–Muller, clipped to [1, 4 h].
        let (u1, u2) = (rng.unit().max(1e-12), rng.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let dur = (600.0 * z.exp()).clamp(1.0, 4.0 * 3600.0) as i64;
        let app = self.apps.get(rng.below(20) as usize).cloned();
        let ch = self.channels.get(rng.below(50_000) as usize).cloned();
        let user = self.users.get(rng.below(200_000) as usize).cloned();
        let role = if rng.unit() < 0.3 {
            Role::Publish
        } else {
            Role::Subscribe
        };
        let p = rng.unit();
        let spec = if p < 0.4 {
            MediaSpec::Audio
        } else if p < 0.6 {
            MediaSpec::Video(VideoTier::P360)
        } else if p < 0.9 {
            MediaSpec::Video(VideoTier::P720)
        } else {
            MediaSpec::Video(VideoTier::P1080)
        };
        let region = self.regions.get(rng.below(34) as usize).cloned()?;
        let range = TimeRange::from_unix(start, start.saturating_add(dur)).ok()?;
        Some(StreamSegment::new(app?, ch?, user?, role, spec, range).with_region(region))
    }
}

/// `n` segments sorted by start time (uniform over the week), generated lazily: for streaming
/// passes whose memory must not depend on `n`. Same populations as [`segments`].
///
/// # Errors
///
/// Never in practice: every generated id and range is valid.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
pub fn sorted_stream(n: u64, seed: u64) -> Result<impl Iterator<Item = StreamSegment>> {
    let mut rng = SplitMix::new(seed);
    let population = Population::new()?;
    let step = (7.0 * 86_400.0) / (n.max(1) as f64);
    Ok((0..n).filter_map(move |i| {
        let start = T0.saturating_add((i as f64 * step) as i64);
        population.draw(&mut rng, start)
    }))
}

/// Channels of [`session_stream`], each with one host and an audience of
/// [`AUDIENCE`] users.
pub const SESSION_CHANNELS: usize = 50_000;

/// Users who watch each channel of [`session_stream`].
pub const AUDIENCE: usize = 8;

/// `n` segments sorted by start time (uniform over the week), generated lazily, with the
/// structure of real sessions: each of [`SESSION_CHANNELS`] channels (of one app and region)
/// has one host, who publishes, and an audience of [`AUDIENCE`] users, who subscribe to the
/// host. The distinct ids and relations are bounded whatever `n` (400,000 relations), so a
/// streaming pass over it shows memory that does not grow with the number of segments once
/// every id has been seen.
///
/// # Errors
///
/// Never in practice: every generated id and range is valid.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]
pub fn session_stream(n: u64, seed: u64) -> Result<impl Iterator<Item = StreamSegment>> {
    let mut rng = SplitMix::new(seed);
    let population = Population::new()?;
    let users = population.users.len().max(1) as u64;
    // Channel k: app k mod 20, region k mod 34, host user k × 4 mod users, audience the next
    // users after a per-channel offset.
    let step = (7.0 * 86_400.0) / (n.max(1) as f64);
    Ok((0..n).filter_map(move |i| {
        let start = T0.saturating_add((i as f64 * step) as i64);
        let k = rng.below(SESSION_CHANNELS as u64);
        let (u1, u2) = (rng.unit().max(1e-12), rng.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let dur = (600.0 * z.exp()).clamp(1.0, 4.0 * 3600.0) as i64;
        let host = population
            .users
            .get(k.wrapping_mul(4).checked_rem(users).unwrap_or(0) as usize)?;
        let publish = rng.unit() < 0.3;
        let seat = rng.below(AUDIENCE as u64);
        let viewer = k
            .wrapping_mul(7919)
            .wrapping_add(seat.wrapping_mul(104_729))
            .checked_rem(users)
            .unwrap_or(0);
        let user = if publish {
            host.clone()
        } else {
            population.users.get(viewer as usize)?.clone()
        };
        let spec = match rng.below(10) {
            0..=3 => MediaSpec::Audio,
            4 | 5 => MediaSpec::Video(VideoTier::P360),
            6..=8 => MediaSpec::Video(VideoTier::P720),
            _ => MediaSpec::Video(VideoTier::P1080),
        };
        let app = population.apps.get((k % 20) as usize)?.clone();
        let region = population.regions.get((k % 34) as usize)?.clone();
        let channel = population.channels.get(k as usize)?.clone();
        let role = if publish {
            Role::Publish
        } else {
            Role::Subscribe
        };
        let range = TimeRange::from_unix(start, start.saturating_add(dur)).ok()?;
        let s = StreamSegment::new(app, channel, user, role, spec, range).with_region(region);
        Some(if publish {
            s
        } else {
            s.with_publisher(host.clone())
        })
    }))
}

/// `n` segments from `seed`, always the same for the same arguments.
///
/// # Errors
///
/// Never in practice: every generated id and range is valid.
pub fn segments(n: usize, seed: u64) -> Result<Vec<StreamSegment>> {
    let mut rng = SplitMix::new(seed);
    let population = Population::new()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let start = T0.saturating_add(rng.below(7 * 86_400).cast_signed());
        out.extend(population.draw(&mut rng, start));
    }
    Ok(out)
}

/// The three queries of the crate's `examples/duckdb/usage_duckdb.py`, as usage queries, named: (1)
/// subscribe seconds per UTC hour, region and spec; (2) distinct users (by id alone, as
/// `count(DISTINCT "user")`) per GMT+8 day and region; (3) peak concurrent subscribe streams per
/// UTC hour.
///
/// # Errors
///
/// Never in practice: the filters are valid.
pub fn duckdb_queries() -> Result<[(&'static str, UsageQuery); 3]> {
    use mediameter_core::{BillingZone, Granularity};
    let sub = |q: UsageQuery| q.with_filter(Dimension::Role, ["sub"]);
    Ok([
        (
            "secs_by_hour_region_spec",
            sub(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?
                .with_split_by([Dimension::Region, Dimension::Spec])
                .with_metrics(Metrics::DURATIONS),
        ),
        (
            "users_by_day_region",
            UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
                .with_split_by([Dimension::Region])
                .with_id_scope(IdScope::Global)
                .with_metrics(Metrics {
                    users: true,
                    channels: false,
                    peaks: false,
                    stream_peaks: false,
                }),
        ),
        (
            "peak_by_hour",
            sub(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?.with_metrics(Metrics {
                users: false,
                channels: false,
                peaks: false,
                stream_peaks: true,
            }),
        ),
    ])
}
