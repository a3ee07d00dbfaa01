//! The front door: rate limit, validation and permission for one request (see [`Gate`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::perm::{self, Policy};
use crate::profile::Profile;
use crate::rate::SharedRateLimiter;
use crate::registry::Registry;
use crate::reject::Rejection;
use crate::validate::{Options, ValidQuery, validate};

/// A registry of profiles with a rate limiter in front.
///
/// The gate owns an [`Arc`] of its registry and a [`SharedRateLimiter`], so it is `Send + Sync`
/// and [`Gate::admit`] takes `&self`: put the gate itself in an `Arc` (or a `static`) and call
/// it from every worker thread, no outer lock.
///
/// Order, and why: the rate limit is checked first (it is the cheapest check and counts every
/// request, valid or not, as the vendors' throttling does), then the query is validated (the
/// permission check needs the app id it names), then the caller's policies are evaluated on the
/// action and that app.
///
/// ```
/// use std::sync::Arc;
/// use mediameter_query::{Gate, perm, Options, Registry};
/// use chrono::Utc;
///
/// let gate = Gate::new(Arc::new(Registry::builtin()), 10_000)?;
/// let now = "2021-04-23T10:00:00Z".parse::<chrono::DateTime<Utc>>()?;
/// let team = [perm::allow_apps("team", &["rtc:*"], &["app-1"])?];
///
/// let input = [("app", "app-1")];
/// let q = gate.admit("alice", &team, "rtc/rooms", &input, now, &Options::default())?;
/// assert_eq!(q.range().ok_or("missing range")?.seconds(), 3600);
///
/// let other = [("app", "app-2")];
/// let err = gate.admit("alice", &team, "rtc/rooms", &other, now, &Options::default()).unwrap_err();
/// assert_eq!(err.rejection().ok_or("missing rejection")?.status(), 403);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Gate {
    registry: Arc<Registry>,
    limiter: SharedRateLimiter,
}

impl Gate {
    /// A gate over `registry`, limiting each profile at its documented rate, tracking at most
    /// `max_keys` (caller, API) pairs.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for an unusable rate in a profile.
    ///
    /// ```
    /// let reg = std::sync::Arc::new(mediameter_query::Registry::builtin());
    /// assert!(mediameter_query::Gate::new(reg, 100).is_ok());
    /// ```
    pub fn new(registry: Arc<Registry>, max_keys: usize) -> Result<Self> {
        let limiter = SharedRateLimiter::from_registry(&registry, max_keys)?;
        Ok(Gate { registry, limiter })
    }

    /// The registry.
    ///
    /// ```
    /// let reg = std::sync::Arc::new(mediameter_query::Registry::builtin());
    /// let gate = mediameter_query::Gate::new(reg.clone(), 100)?;
    /// assert!(std::sync::Arc::ptr_eq(gate.registry(), &reg));
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    #[must_use]
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The limiter, to sweep idle keys from a timer.
    ///
    /// ```
    /// let reg = std::sync::Arc::new(mediameter_query::Registry::builtin());
    /// let gate = mediameter_query::Gate::new(reg, 100)?;
    /// assert!(gate.limiter().is_empty());
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    #[must_use]
    pub fn limiter(&self) -> &SharedRateLimiter {
        &self.limiter
    }

    /// The limiter, to set a default rate before the gate is shared.
    ///
    /// ```
    /// use mediameter_query::RateSpec;
    /// let reg = std::sync::Arc::new(mediameter_query::Registry::builtin());
    /// let mut gate = mediameter_query::Gate::new(reg, 100)?;
    /// gate.limiter_mut().set_default(RateSpec::new(10, 1))?;
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    pub fn limiter_mut(&mut self) -> &mut SharedRateLimiter {
        &mut self.limiter
    }

    /// Admits one request of `caller` holding `policies` to `api`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownApi`]; [`Error::Rejected`] with a `RateLimited`, validation or `Denied`
    /// violation, rendered by the profile's vocabulary.
    ///
    /// ```
    /// use mediameter_query::{Gate, perm, Options, Registry};
    /// let gate = Gate::new(std::sync::Arc::new(Registry::builtin()), 100)?;
    /// let now = chrono::DateTime::from_timestamp(1_627_344_000, 0).ok_or("out of range")?; // 2021-07-27T00:00:00Z
    /// let all = [perm::full_access("rtc")?];
    /// let input = [
    ///     ("AppId", "a"), ("StartTime", "2021-07-24T00:00:00+08:00"), ("EndTime", "2021-07-26T00:00:00+08:00"),
    ///     ("Indicator", "user_num"), ("Dimension", "country"),
    /// ];
    /// for _ in 0..2 {
    ///     assert!(gate.admit("c", &all, "ListOperationDistribution", &input, now, &Options::default()).is_ok());
    /// }
    /// let err = gate.admit("c", &all, "ListOperationDistribution", &input, now, &Options::default()).unwrap_err();
    /// assert_eq!(err.rejection().ok_or("missing rejection")?.code(), "FlowLimitExceeded");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn admit<'a, K: AsRef<str>, V: AsRef<str>>(
        &'a self,
        caller: &str,
        policies: &[Policy],
        api: &str,
        input: &'a [(K, V)],
        now: DateTime<Utc>,
        options: &Options,
    ) -> Result<ValidQuery<'a>> {
        let profile: &'a Profile = self.registry.get(api)?;
        let reject = |v| Error::Rejected(Box::new(Rejection::new(profile, vec![v])));
        if let Some(v) = self
            .limiter
            .check(caller, &profile.name, now)
            .to_violation()
        {
            return Err(reject(v));
        }
        let query = validate(profile, input, now, options)?;
        if let Some(v) = perm::check_query(policies, profile, &query).to_violation(&profile.action)
        {
            return Err(reject(v));
        }
        Ok(query)
    }
}
