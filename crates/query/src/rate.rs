//! A per-(caller, API) rate limiter: GCRA (the generic cell rate algorithm) with an injected
//! clock and bounded memory.
//!
//! For a rate of `requests` per `per_seconds` with a burst of `burst`, the emission interval is
//! `T = per_seconds / requests` and the tolerance `τ = T × (burst − 1)`. Each key stores one
//! number, its theoretical arrival time (TAT). A request at `now` is allowed when
//! `now ≥ TAT − τ`, and then `TAT = max(TAT, now) + T`; otherwise it is refused and may retry
//! after `TAT − τ − now`. Decisions depend only on the instants passed in, so the limiter is
//! deterministic under a fake clock.
//!
//! Memory: a key whose TAT is not after now is in exactly the state of a key never seen, so
//! it is dropped without changing any decision. Idle keys are swept when the table has doubled
//! since the last sweep, and before the hard cap is reached; when every key is busy at the cap
//! a new caller is refused ("overloaded", fail closed) rather than let through unlimited.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::profile::{RateSpec, ViolationKind};
use crate::registry::Registry;
use crate::reject::Violation;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
/// Sweeps are not attempted below this many keys.
const MIN_SWEEP_KEYS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Limit {
    interval: i64,
    tolerance: i64,
}

impl Limit {
    fn new(spec: RateSpec) -> Result<Self> {
        let bad = |expected| Error::invalid("rate", &format!("{spec:?}"), expected);
        if spec.requests == 0 || spec.per_seconds == 0 || spec.burst == 0 {
            return Err(bad("positive requests, per_seconds and burst"));
        }
        let interval = i128::from(spec.per_seconds)
            .checked_mul(NANOS_PER_SECOND)
            .and_then(|n| n.checked_div(i128::from(spec.requests)))
            .and_then(|n| i64::try_from(n).ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| bad("an emission interval of at least 1 ns"))?;
        let tolerance = i64::try_from(
            i128::from(interval).saturating_mul(i128::from(spec.burst.saturating_sub(1))),
        )
        .map_err(|_| bad("a burst tolerance that fits in 292 years"))?;
        Ok(Limit {
            interval,
            tolerance,
        })
    }
}

/// The answer for one request.
///
/// ```
/// use mediameter_query::rate::RateLimiter;
/// use mediameter_query::RateSpec;
/// let mut rl = RateLimiter::new(100);
/// rl.set_limit("api", RateSpec::new(1, 1))?;
/// let t = chrono::DateTime::UNIX_EPOCH;
/// assert!(rl.check("alice", "api", t).allowed);
/// let d = rl.check("alice", "api", t);
/// assert!(!d.allowed);
/// assert_eq!(d.retry_after.as_secs(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// When refused: how long until the same request would be allowed. Zero when allowed.
    pub retry_after: Duration,
    /// When allowed: how many more requests would be allowed right now.
    pub remaining: u32,
    /// Refused because the key table is full of busy callers (not because of this caller).
    pub overloaded: bool,
}

impl Decision {
    const UNLIMITED: Decision = Decision {
        allowed: true,
        retry_after: Duration::ZERO,
        remaining: u32::MAX,
        overloaded: false,
    };

    /// The refusal as a [`ViolationKind::RateLimited`] violation, for [`crate::Rejection::new`].
    /// `None` when the request was allowed.
    ///
    /// ```
    /// use mediameter_query::{builtin, rate::RateLimiter, Rejection};
    /// let p = builtin::list_operation_distribution();
    /// let mut rl = RateLimiter::new(100);
    /// rl.set_limit(p.name(), p.rate().ok_or("missing rate")?)?;
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// for _ in 0..2 { assert!(rl.check("bob", p.name(), t).allowed); }
    /// let v = rl.check("bob", p.name(), t).to_violation().ok_or("missing violation")?;
    /// assert_eq!(Rejection::new(&p, vec![v]).status(), 429);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_violation(&self) -> Option<Violation> {
        if self.allowed {
            return None;
        }
        let why = if self.overloaded {
            "the limiter is at capacity"
        } else {
            "over the rate limit"
        };
        Some(Violation::new(
            ViolationKind::RateLimited,
            None,
            None,
            format!("{why}; retry after {} ms", self.retry_after.as_millis()),
        ))
    }
}

/// A per-(caller, API) GCRA limiter. See the [module docs](self).
///
/// ```
/// use mediameter_query::{rate::RateLimiter, Registry};
/// let mut rl = RateLimiter::from_registry(&Registry::builtin(), 10_000)?;
/// let t0 = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
/// // ListOperationDistribution: 2 requests/s (Volcengine RTC API reference).
/// assert!(rl.check("app-1", "ListOperationDistribution", t0).allowed);
/// assert!(rl.check("app-1", "ListOperationDistribution", t0).allowed);
/// assert!(!rl.check("app-1", "ListOperationDistribution", t0).allowed);
/// assert!(rl.check("app-2", "ListOperationDistribution", t0).allowed); // another caller
/// assert!(rl.check("app-1", "rtc/rooms", t0).allowed); // no documented limit
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limits: Vec<(Box<str>, Limit)>,
    default: Option<Limit>,
    callers: HashMap<Box<str>, Vec<(u16, i64)>>,
    keys: usize,
    max_keys: usize,
    sweep_at: usize,
}

impl RateLimiter {
    /// A limiter with no limits yet, tracking at most `max_keys` (caller, API) pairs (at least 1).
    ///
    /// ```
    /// let rl = mediameter_query::rate::RateLimiter::new(0);
    /// assert_eq!(rl.max_keys(), 1);
    /// ```
    #[must_use]
    pub fn new(max_keys: usize) -> Self {
        let max_keys = max_keys.max(1);
        RateLimiter {
            limits: Vec::new(),
            default: None,
            callers: HashMap::new(),
            keys: 0,
            max_keys,
            sweep_at: MIN_SWEEP_KEYS.min(max_keys),
        }
    }

    /// A limiter with the documented rate of every profile that has one.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for an unusable rate.
    ///
    /// ```
    /// use mediameter_query::{rate::RateLimiter, Registry};
    /// assert!(RateLimiter::from_registry(&Registry::builtin(), 100).is_ok());
    /// ```
    pub fn from_registry(registry: &Registry, max_keys: usize) -> Result<Self> {
        let mut rl = RateLimiter::new(max_keys);
        for p in registry.profiles() {
            if let Some(rate) = p.rate {
                rl.set_limit(&p.name, rate)?;
            }
        }
        Ok(rl)
    }

    /// Sets the limit of `api` (replacing any earlier one).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for zero numbers, [`Error::TooLarge`] for more than 65,535 APIs,
    /// [`Error::Invalid`] for an interval that does not
    /// fit in nanoseconds.
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::RateLimiter};
    /// let mut rl = RateLimiter::new(10);
    /// assert!(rl.set_limit("x", RateSpec::new(0, 1).with_burst(1)).is_err());
    /// ```
    pub fn set_limit(&mut self, api: &str, spec: RateSpec) -> Result<()> {
        let limit = Limit::new(spec)?;
        if let Some(slot) = self.limits.iter_mut().find(|(name, _)| &**name == api) {
            slot.1 = limit;
            return Ok(());
        }
        if self.limits.len() >= usize::from(u16::MAX) {
            return Err(Error::too_large(
                "rate-limited APIs",
                self.limits.len().saturating_add(1),
                usize::from(u16::MAX),
            ));
        }
        self.limits.push((api.into(), limit));
        Ok(())
    }

    /// Sets the limit of every API that has none of its own (none by default: unlisted APIs
    /// are not limited).
    ///
    /// # Errors
    ///
    /// As [`RateLimiter::set_limit`].
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::RateLimiter};
    /// let mut rl = RateLimiter::new(10);
    /// rl.set_default(RateSpec::new(1, 60))?;
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// assert!(rl.check("c", "anything", t).allowed);
    /// assert!(!rl.check("c", "anything", t).allowed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_default(&mut self, spec: RateSpec) -> Result<()> {
        self.default = Some(Limit::new(spec)?);
        Ok(())
    }

    /// The hard cap on tracked keys.
    ///
    /// ```
    /// assert_eq!(mediameter_query::rate::RateLimiter::new(5).max_keys(), 5);
    /// ```
    #[must_use]
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// How many (caller, API) keys are tracked now.
    ///
    /// ```
    /// assert_eq!(mediameter_query::rate::RateLimiter::new(5).len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys
    }

    /// Whether no key is tracked.
    ///
    /// ```
    /// assert!(mediameter_query::rate::RateLimiter::new(5).is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Decides one request of `caller` to `api` at `now`, and records it when allowed.
    ///
    /// Instants before the previous ones are fine (a clock that steps back only makes the
    /// limiter stricter for a while); instants beyond ±292 years from 1970 are clamped.
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::RateLimiter};
    /// use chrono::TimeDelta;
    /// let mut rl = RateLimiter::new(10);
    /// rl.set_limit("api", RateSpec::new(2, 1).with_burst(1))?;
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// assert!(rl.check("c", "api", t).allowed);
    /// assert_eq!(rl.check("c", "api", t).retry_after.as_millis(), 500);
    /// assert!(rl.check("c", "api", t + TimeDelta::milliseconds(500)).allowed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&mut self, caller: &str, api: &str, now: DateTime<Utc>) -> Decision {
        let now = now.timestamp_nanos_opt().unwrap_or(if now.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        });
        let found = self.limits.iter().position(|(name, _)| &**name == api);
        let (index, limit) = match (found, self.default) {
            (Some(i), _) => match self.limits.get(i) {
                Some((_, l)) => (u16::try_from(i).unwrap_or(u16::MAX), *l),
                None => return Decision::UNLIMITED,
            },
            (None, Some(l)) => (u16::MAX, l),
            (None, None) => return Decision::UNLIMITED,
        };
        self.check_nanos(caller, index, limit, now)
    }

    fn check_nanos(&mut self, caller: &str, api: u16, limit: Limit, now: i64) -> Decision {
        if let Some(entries) = self.callers.get_mut(caller)
            && let Some(entry) = entries.iter_mut().find(|(a, _)| *a == api)
        {
            return decide(&mut entry.1, limit, now);
        }
        // A new key: make room first.
        if self.keys >= self.sweep_at || self.keys >= self.max_keys {
            self.sweep(now);
        }
        if self.keys >= self.max_keys {
            return Decision {
                allowed: false,
                retry_after: Duration::from_nanos(u64::try_from(limit.interval).unwrap_or(0)),
                remaining: 0,
                overloaded: true,
            };
        }
        let mut tat = now;
        let decision = decide(&mut tat, limit, now);
        self.callers
            .entry(caller.into())
            .or_default()
            .push((api, tat));
        self.keys = self.keys.saturating_add(1);
        decision
    }

    /// Drops every key whose state equals a fresh one (TAT not after `now`). Returns how many
    /// keys were dropped. [`RateLimiter::check`] calls it by itself; a service may also call it
    /// from a timer.
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::RateLimiter};
    /// let mut rl = RateLimiter::new(10);
    /// rl.set_limit("api", RateSpec::new(1, 1))?;
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// rl.check("c", "api", t);
    /// assert_eq!(rl.sweep_idle(t), 0);
    /// assert_eq!(rl.sweep_idle(t + chrono::TimeDelta::seconds(1)), 1);
    /// assert!(rl.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sweep_idle(&mut self, now: DateTime<Utc>) -> usize {
        let now = now.timestamp_nanos_opt().unwrap_or(if now.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        });
        self.sweep(now)
    }

    fn sweep(&mut self, now: i64) -> usize {
        let before = self.keys;
        let mut kept = 0_usize;
        self.callers.retain(|_, entries| {
            entries.retain(|(_, tat)| *tat > now);
            kept = kept.saturating_add(entries.len());
            !entries.is_empty()
        });
        self.keys = kept;
        self.sweep_at = kept
            .saturating_mul(2)
            .max(MIN_SWEEP_KEYS)
            .min(self.max_keys);
        before.saturating_sub(kept)
    }
}

/// Shards of a [`SharedRateLimiter`] unless told otherwise: enough that two to eight threads
/// rarely meet on one lock.
pub const DEFAULT_SHARDS: usize = 16;

/// A [`RateLimiter`] to share between threads: `check` takes `&self`.
///
/// Callers are spread over shards by a hash of the caller name (seeded per limiter); each shard is a [`RateLimiter`] behind
/// its own short lock and holds at most `⌈max_keys / shards⌉` keys. Two threads contend only
/// when they check callers of the same shard, so there is no outer lock to wrap it in. Every
/// decision is exactly the one a single [`RateLimiter`] makes for that caller (a caller's keys
/// all live in one shard); only the cap is per shard.
///
/// A panic while a shard is locked cannot leave it half-updated (a check is one write of one
/// number), so a poisoned lock is used as is.
///
/// ```
/// use std::sync::Arc;
/// use mediameter_query::{rate::SharedRateLimiter, Registry};
/// let rl = Arc::new(SharedRateLimiter::from_registry(&Registry::builtin(), 10_000)?);
/// let t0 = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
/// let allowed: usize = std::thread::scope(|s| {
///     let hs: Vec<_> = (0..2).map(|_| { let rl = Arc::clone(&rl);
///         s.spawn(move || (0..5).filter(|_| rl.check("app-1", "ListOperationDistribution", t0).allowed).count())
///     }).collect();
///     hs.into_iter().map(|h| h.join().unwrap_or(0)).sum()
/// });
/// assert_eq!(allowed, 2); // 2 requests/s with a burst of 2, whichever thread asked
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SharedRateLimiter {
    // Shard 0, then the others: at least one shard by construction, no fallible indexing.
    first: Shard,
    rest: Box<[Shard]>,
    seed: u64,
    max_keys: usize,
    /// The APIs with a limit of their own, and whether there is a default: a check of an API
    /// with neither is decided without taking any lock.
    limited: Vec<Box<str>>,
    default_set: bool,
}

/// One shard, alone on its cache lines (128 bytes: two 64-byte lines, as adjacent-line
/// prefetchers pull pairs): two threads locking neighbouring shards must not bounce one line
/// between their cores, which is what sharding is for.
#[derive(Debug)]
#[repr(align(128))]
struct Shard(std::sync::Mutex<RateLimiter>);

impl std::ops::Deref for Shard {
    type Target = std::sync::Mutex<RateLimiter>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl SharedRateLimiter {
    /// A limiter with no limits yet, tracking at most about `max_keys` keys over
    /// [`DEFAULT_SHARDS`] shards.
    ///
    /// ```
    /// assert_eq!(mediameter_query::rate::SharedRateLimiter::new(1600).max_keys(), 1600);
    /// ```
    #[must_use]
    pub fn new(max_keys: usize) -> Self {
        SharedRateLimiter::with_shards(max_keys, DEFAULT_SHARDS)
    }

    /// As [`SharedRateLimiter::new`] with `shards` shards (at least 1).
    ///
    /// ```
    /// let rl = mediameter_query::rate::SharedRateLimiter::with_shards(10, 4);
    /// assert_eq!(rl.shards(), 4);
    /// assert_eq!(rl.max_keys(), 12); // 3 per shard
    /// ```
    #[must_use]
    pub fn with_shards(max_keys: usize, shards: usize) -> Self {
        let shards = shards.max(1);
        let per_shard = max_keys.max(1).div_ceil(shards);
        SharedRateLimiter {
            first: Shard(std::sync::Mutex::new(RateLimiter::new(per_shard))),
            rest: (1..shards)
                .map(|_| Shard(std::sync::Mutex::new(RateLimiter::new(per_shard))))
                .collect(),
            limited: Vec::new(),
            default_set: false,
            seed: {
                use std::hash::BuildHasher;
                std::collections::hash_map::RandomState::new().hash_one(0_u64)
            },
            max_keys: per_shard.saturating_mul(shards),
        }
    }

    /// A limiter with the documented rate of every profile that has one.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for an unusable rate.
    ///
    /// ```
    /// use mediameter_query::{rate::SharedRateLimiter, Registry};
    /// assert!(SharedRateLimiter::from_registry(&Registry::builtin(), 100).is_ok());
    /// ```
    pub fn from_registry(registry: &Registry, max_keys: usize) -> Result<Self> {
        let mut rl = SharedRateLimiter::new(max_keys);
        for p in registry.profiles() {
            if let Some(rate) = p.rate {
                rl.set_limit(&p.name, rate)?;
            }
        }
        Ok(rl)
    }

    fn each(&mut self, mut f: impl FnMut(&mut RateLimiter) -> Result<()>) -> Result<()> {
        for shard in std::iter::once(&mut self.first).chain(self.rest.iter_mut()) {
            f(shard
                .0
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner))?;
        }
        Ok(())
    }

    /// Sets the limit of `api` in every shard; see [`RateLimiter::set_limit`].
    ///
    /// # Errors
    ///
    /// As [`RateLimiter::set_limit`].
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::SharedRateLimiter};
    /// let mut rl = SharedRateLimiter::new(10);
    /// rl.set_limit("api", RateSpec::new(1, 1))?;
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// assert!(rl.check("c", "api", t).allowed);
    /// assert!(!rl.check("c", "api", t).allowed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_limit(&mut self, api: &str, spec: RateSpec) -> Result<()> {
        self.each(|rl| rl.set_limit(api, spec))?;
        if !self.limited.iter().any(|a| &**a == api) {
            self.limited.push(api.into());
        }
        Ok(())
    }

    /// Sets the default limit in every shard; see [`RateLimiter::set_default`].
    ///
    /// # Errors
    ///
    /// As [`RateLimiter::set_default`].
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::SharedRateLimiter};
    /// let mut rl = SharedRateLimiter::new(10);
    /// assert!(rl.set_default(RateSpec::new(0, 1).with_burst(1)).is_err());
    /// ```
    pub fn set_default(&mut self, spec: RateSpec) -> Result<()> {
        self.each(|rl| rl.set_default(spec))?;
        self.default_set = true;
        Ok(())
    }

    /// How many shards.
    #[must_use]
    pub fn shards(&self) -> usize {
        self.rest.len().saturating_add(1)
    }

    fn all(&self) -> impl Iterator<Item = &std::sync::Mutex<RateLimiter>> {
        std::iter::once(&self.first)
            .chain(self.rest.iter())
            .map(|s| &s.0)
    }

    /// The cap on tracked keys over all shards.
    #[must_use]
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }

    fn shard(&self, caller: &str) -> &Shard {
        // A multiply-rotate mix over 8-byte words from a per-limiter random seed (one step
        // per 8 bytes where FNV-1a took one per byte), then Lemire's multiply-shift range
        // reduction instead of a division. It only picks a lock: callers aimed at one shard
        // would share that lock, while the map inside keeps SipHash against collisions.
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let bytes = caller.as_bytes();
        let mut h = self.seed ^ u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            h = (h ^ w).wrapping_mul(K).rotate_left(29);
        }
        let mut tail = [0_u8; 8];
        for (d, s) in tail.iter_mut().zip(words.remainder()) {
            *d = *s;
        }
        h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
        h ^= h >> 29;
        let len = u64::try_from(self.shards())
            .unwrap_or(1)
            .min(u64::from(u32::MAX));
        let i = (h >> 32).wrapping_mul(len) >> 32;
        match usize::try_from(i).ok().and_then(|i| i.checked_sub(1)) {
            Some(r) => self.rest.get(r).unwrap_or(&self.first),
            None => &self.first,
        }
    }

    /// Decides one request of `caller` to `api` at `now`; see [`RateLimiter::check`].
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::SharedRateLimiter};
    /// let mut rl = SharedRateLimiter::new(10);
    /// rl.set_limit("api", RateSpec::new(2, 1).with_burst(1))?;
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// assert!(rl.check("c", "api", t).allowed);
    /// assert_eq!(rl.check("c", "api", t).retry_after.as_millis(), 500);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, caller: &str, api: &str, now: DateTime<Utc>) -> Decision {
        // An API without a limit is decided here, without hashing the caller or locking a
        // shard (every request to it would otherwise meet on the shard of a busy caller).
        if !self.default_set && !self.limited.iter().any(|a| &**a == api) {
            return Decision::UNLIMITED;
        }
        self.shard(caller)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .check(caller, api, now)
    }

    /// Drops idle keys in every shard (one shard locked at a time); see
    /// [`RateLimiter::sweep_idle`].
    ///
    /// ```
    /// use mediameter_query::{RateSpec, rate::SharedRateLimiter};
    /// let mut rl = SharedRateLimiter::new(10);
    /// rl.set_limit("api", RateSpec::new(1, 1))?;
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// rl.check("c", "api", t);
    /// assert_eq!(rl.len(), 1);
    /// assert_eq!(rl.sweep_idle(t + chrono::TimeDelta::seconds(1)), 1);
    /// assert!(rl.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sweep_idle(&self, now: DateTime<Utc>) -> usize {
        self.all()
            .map(|s| {
                s.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .sweep_idle(now)
            })
            .fold(0, usize::saturating_add)
    }

    /// How many keys are tracked now (shards are read one after another).
    #[must_use]
    pub fn len(&self) -> usize {
        self.all()
            .map(|s| {
                s.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .len()
            })
            .fold(0, usize::saturating_add)
    }

    /// Whether no key is tracked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn decide(tat: &mut i64, limit: Limit, now: i64) -> Decision {
    let earliest = tat.saturating_sub(limit.tolerance);
    if now < earliest {
        let wait = u64::try_from(earliest.saturating_sub(now)).unwrap_or(u64::MAX);
        return Decision {
            allowed: false,
            retry_after: Duration::from_nanos(wait),
            remaining: 0,
            overloaded: false,
        };
    }
    let new_tat = (*tat).max(now).saturating_add(limit.interval);
    *tat = new_tat;
    let slack = now.saturating_add(limit.tolerance).saturating_sub(new_tat);
    let remaining = slack
        .checked_div(limit.interval)
        .unwrap_or(0)
        .saturating_add(1)
        .max(0);
    Decision {
        allowed: true,
        retry_after: Duration::ZERO,
        remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
        overloaded: false,
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + TimeDelta::milliseconds(ms)
    }

    #[test]
    fn callers_spread_over_every_shard() {
        let rl = SharedRateLimiter::with_shards(100, 16);
        let mut counts = std::collections::HashMap::new();
        for i in 0..1600 {
            let caller = format!("caller-{i}");
            *counts
                .entry(std::ptr::from_ref(rl.shard(&caller)))
                .or_insert(0_u32) += 1;
        }
        // 100 expected per shard; a broken mix or reduction leaves shards empty or crowded.
        assert_eq!(counts.len(), 16);
        assert!(
            counts.values().all(|n| (50..=160).contains(n)),
            "{counts:?}"
        );
        // Short and long names alike.
        let one = SharedRateLimiter::with_shards(100, 1);
        assert!(std::ptr::eq(one.shard(""), &one.first));
        assert!(std::ptr::eq(one.shard(&"x".repeat(100)), &one.first));
    }

    #[test]
    fn an_unlimited_api_takes_no_lock() {
        let mut rl = SharedRateLimiter::with_shards(100, 2);
        rl.set_limit("limited", RateSpec::new(1, 1)).unwrap();
        let rl = std::sync::Arc::new(rl);
        // Every shard held here: a check that locked one would wait until the guards go.
        let guards: Vec<_> = rl.all().map(|m| m.lock().unwrap()).collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = std::sync::Arc::clone(&rl);
        let worker = std::thread::spawn(move || {
            let _ = tx.send(shared.check("caller", "other", t(0)));
        });
        let decision = rx.recv_timeout(std::time::Duration::from_secs(5));
        drop(guards);
        worker.join().unwrap();
        assert_eq!(decision.unwrap(), Decision::UNLIMITED);
        assert_eq!(std::mem::align_of::<Shard>(), 128);
        // The limited API still goes through its shard and counts.
        assert!(rl.check("caller", "limited", t(0)).allowed);
        assert!(!rl.check("caller", "limited", t(0)).allowed);
        // A default limit makes every API limited.
        let mut rl = SharedRateLimiter::with_shards(100, 2);
        rl.set_default(RateSpec::new(1, 1)).unwrap();
        assert!(rl.check("caller", "other", t(0)).allowed);
        assert!(!rl.check("caller", "other", t(0)).allowed);
    }

    #[test]
    fn two_per_second_with_burst_two() {
        let mut rl = RateLimiter::new(100);
        rl.set_limit("a", RateSpec::new(2, 1)).unwrap();
        let d = rl.check("c", "a", t(0));
        assert!(d.allowed);
        assert_eq!(d.remaining, 1);
        assert_eq!(rl.check("c", "a", t(0)).remaining, 0);
        let d = rl.check("c", "a", t(100));
        assert!(!d.allowed);
        assert_eq!(d.retry_after, Duration::from_millis(400));
        assert!(rl.check("c", "a", t(500)).allowed);
        // Over any window of one second at most 2 + 1 (burst) are let through: run 10 s at 1 ms.
        let mut rl = RateLimiter::new(100);
        rl.set_limit("a", RateSpec::new(2, 1)).unwrap();
        let allowed: Vec<i64> = (0..10_000)
            .filter(|ms| rl.check("c", "a", t(*ms)).allowed)
            .collect();
        assert_eq!(allowed.len(), 21);
    }

    #[test]
    fn cap_is_hard_and_idle_keys_go() {
        let mut rl = RateLimiter::new(3);
        rl.set_limit("a", RateSpec::new(1, 10)).unwrap();
        for c in ["x", "y", "z"] {
            assert!(rl.check(c, "a", t(0)).allowed);
        }
        let d = rl.check("w", "a", t(0));
        assert!(!d.allowed && d.overloaded);
        assert_eq!(rl.len(), 3);
        // Ten seconds later every key is idle: the new caller gets in, the table shrinks.
        assert!(rl.check("w", "a", t(10_000)).allowed);
        assert_eq!(rl.len(), 1);
    }
}
