//! Monthly subscription lifecycle (Huawei Cloud iDME billing manual "到期后影响").
//!
//! Within the 7 days before expiry the owner is warned; an unrenewed subscription enters a
//! **grace period** (still usable), then a **retention period** (data kept, not accessible),
//! then it is **terminated** and its data deleted. Grace and retention lengths depend on the
//! customer's level: they are parameters.
//!
//! Renewals extend the term from the original purchase anchor: a term of `m` months renewed
//! for `r` more ends as a term of `m + r` months bought at the original instant (so a term
//! bought on the 31st keeps ending on the 31st, or on the last day of shorter months). A
//! renewal counts from the instant it was made; a renewal after termination is an error.

use chrono::{DateTime, TimeDelta, Utc};
use mediameter_core::SubscriptionTerm;

use crate::error::{Error, Result};

/// Lengths of the phases, per customer level.
///
/// ```
/// use mediameter_billing::LifecyclePolicy;
/// let p = LifecyclePolicy::default();
/// assert_eq!((p.warning_days, p.grace_days, p.retention_days), (7, 15, 15));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct LifecyclePolicy {
    /// Days before expiry during which the owner is warned (Huawei Cloud iDME billing manual: 7).
    pub warning_days: u32,
    /// Days of grace after expiry (a parameter per customer level; 15 by default).
    pub grace_days: u32,
    /// Days of retention after grace (a parameter per customer level; 15 by default).
    pub retention_days: u32,
}

impl Default for LifecyclePolicy {
    fn default() -> Self {
        LifecyclePolicy {
            warning_days: 7,
            grace_days: 15,
            retention_days: 15,
        }
    }
}

/// Setters for the common case, since the struct is `#[non_exhaustive]` (a literal cannot be
/// written outside this crate): start from `default()` and change what differs.
///
/// ```
/// use mediameter_billing::LifecyclePolicy;
/// let vip = LifecyclePolicy::default().with_grace_days(30);
/// assert_eq!((vip.warning_days, vip.grace_days, vip.retention_days), (7, 30, 15));
/// ```
impl LifecyclePolicy {
    /// This policy with `warning_days` of warning before expiry.
    #[must_use]
    pub const fn with_warning_days(mut self, warning_days: u32) -> Self {
        self.warning_days = warning_days;
        self
    }

    /// This policy with `grace_days` of grace after expiry.
    #[must_use]
    pub const fn with_grace_days(mut self, grace_days: u32) -> Self {
        self.grace_days = grace_days;
        self
    }

    /// This policy with `retention_days` of retention after grace.
    #[must_use]
    pub const fn with_retention_days(mut self, retention_days: u32) -> Self {
        self.retention_days = retention_days;
        self
    }
}

/// A renewal: `months` more, made at `at`.
///
/// Validated, so the fields are private: [`Renewal::new`] refuses a renewal of 0 months, and
/// deserializing goes through the same check. Whether the renewal falls inside the term's life
/// (after the purchase, before termination) depends on the term, so [`phase_at`] checks it.
///
/// ```
/// use mediameter_billing::Renewal;
/// let r = Renewal::new(chrono::DateTime::UNIX_EPOCH, 1)?;
/// assert_eq!((r.at(), r.months()), (chrono::DateTime::UNIX_EPOCH, 1));
/// assert!(Renewal::new(chrono::DateTime::UNIX_EPOCH, 0).is_err());
/// # Ok::<(), mediameter_billing::Error>(())
/// ```
///
/// In JSON: `{"at": "2023-04-20T00:00:00Z", "months": 1}`; any other field is refused. A
/// literal does not compile outside the crate:
///
/// ```compile_fail,E0451
/// let r = mediameter_billing::Renewal { at: chrono::DateTime::UNIX_EPOCH, months: 0 };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "RenewalRepr", into = "RenewalRepr")
)]
pub struct Renewal {
    at: DateTime<Utc>,
    months: u32,
}

impl Renewal {
    /// A renewal of `months` more months, made at `at`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] (field `renewal months`) for 0 months.
    pub fn new(at: DateTime<Utc>, months: u32) -> Result<Self> {
        if months == 0 {
            return Err(Error::out_of_range("renewal months", 0, "at least 1 month"));
        }
        Ok(Renewal { at, months })
    }

    /// When the renewal was made.
    #[must_use]
    pub const fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Months added (at least 1).
    #[must_use]
    pub const fn months(&self) -> u32 {
        self.months
    }
}

/// The outside form of a [`Renewal`], checked by [`Renewal::new`] on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RenewalRepr {
    at: DateTime<Utc>,
    months: u32,
}

#[cfg(feature = "serde")]
impl TryFrom<RenewalRepr> for Renewal {
    type Error = Error;

    fn try_from(r: RenewalRepr) -> Result<Self> {
        Renewal::new(r.at, r.months)
    }
}

#[cfg(feature = "serde")]
impl From<Renewal> for RenewalRepr {
    fn from(r: Renewal) -> Self {
        RenewalRepr {
            at: r.at,
            months: r.months,
        }
    }
}

/// The phase of a subscription at an instant.
///
/// ```
/// use mediameter_billing::Phase;
/// assert!(Phase::Grace { until: chrono::DateTime::UNIX_EPOCH }.is_usable());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "phase", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Phase {
    /// In force, expiry more than the warning window away.
    Active {
        /// Exclusive end of the term.
        expires_at: DateTime<Utc>,
    },
    /// In force, within the warning window before expiry.
    ExpiringSoon {
        /// Exclusive end of the term.
        expires_at: DateTime<Utc>,
    },
    /// Expired, unrenewed, still usable.
    Grace {
        /// End of grace.
        until: DateTime<Utc>,
    },
    /// Data kept but not accessible.
    Retention {
        /// End of retention: termination.
        until: DateTime<Utc>,
    },
    /// Terminated: data deleted.
    Terminated {
        /// When it was terminated.
        since: DateTime<Utc>,
    },
}

impl Phase {
    /// Whether the resource can be used in this phase (active, expiring soon, grace).
    ///
    /// ```
    /// use mediameter_billing::Phase;
    /// assert!(!Phase::Retention { until: chrono::DateTime::UNIX_EPOCH }.is_usable());
    /// ```
    #[must_use]
    pub fn is_usable(&self) -> bool {
        matches!(
            self,
            Phase::Active { .. } | Phase::ExpiringSoon { .. } | Phase::Grace { .. }
        )
    }
}

fn add_days(t: DateTime<Utc>, days: u32) -> Result<DateTime<Utc>> {
    t.checked_add_signed(TimeDelta::days(i64::from(days)))
        .ok_or_else(|| Error::overflow("lifecycle phase end"))
}

/// The phase of `term`, renewed by `renewals`, at `at`.
///
/// Renewals made after `at` are ignored (they have not happened yet); the others may come in
/// any order.
///
/// # Errors
///
/// [`Error::Invalid`] when `at` is before the purchase, a renewal was made before the
/// purchase or after termination (the renewal is named); overflow or an expiry
/// past year 9999.
///
/// ```
/// use mediameter_billing::{phase_at, LifecyclePolicy, Phase, Renewal};
/// use mediameter_core::{BillingZone, SubscriptionTerm};
/// use chrono::{TimeZone, Utc};
/// let term = SubscriptionTerm::monthly("2023-03-18T07:30:00Z".parse::<chrono::DateTime<Utc>>()?, 1, BillingZone::GMT8)?;
/// let p = LifecyclePolicy::default();
/// let at = |m, d| Utc.with_ymd_and_hms(2023, m, d, 0, 0, 0).single().ok_or("invalid date");
/// assert!(matches!(phase_at(&term, &[], at(3, 25)?, &p)?, Phase::Active { .. }));
/// assert!(matches!(phase_at(&term, &[], at(4, 15)?, &p)?, Phase::ExpiringSoon { .. }));
/// assert!(matches!(phase_at(&term, &[], at(4, 20)?, &p)?, Phase::Grace { .. }));
/// assert!(matches!(phase_at(&term, &[], at(5, 10)?, &p)?, Phase::Retention { .. }));
/// assert!(matches!(phase_at(&term, &[], at(6, 1)?, &p)?, Phase::Terminated { .. }));
/// let renewed = [Renewal::new(at(4, 20)?, 1)?];
/// assert!(matches!(phase_at(&term, &renewed, at(4, 25)?, &p)?, Phase::Active { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn phase_at(
    term: &SubscriptionTerm,
    renewals: &[Renewal],
    at: DateTime<Utc>,
    policy: &LifecyclePolicy,
) -> Result<Phase> {
    if at < term.purchased_at() {
        return Err(Error::invalid(
            "lifecycle instant",
            &at.to_rfc3339(),
            format!(
                "an instant at or after the purchase ({})",
                term.purchased_at().to_rfc3339()
            ),
        ));
    }
    let mut applied: Vec<(usize, &Renewal)> = renewals
        .iter()
        .enumerate()
        .filter(|(_, r)| r.at <= at)
        .collect();
    applied.sort_by_key(|(i, r)| (r.at, *i));
    let mut current = *term;
    for (i, r) in applied {
        if r.at < term.purchased_at() {
            return Err(Error::invalid(
                "renewal instant",
                &r.at.to_rfc3339(),
                format!("renewal {i} at or after the purchase"),
            ));
        }
        let terminated_at = add_days(
            add_days(current.end(), policy.grace_days)?,
            policy.retention_days,
        )?;
        if r.at >= terminated_at {
            return Err(Error::invalid(
                "renewal instant",
                &r.at.to_rfc3339(),
                format!(
                    "renewal {i} before termination at {}",
                    terminated_at.to_rfc3339()
                ),
            ));
        }
        let months = current
            .months()
            .checked_add(r.months)
            .ok_or_else(|| Error::overflow("renewal months"))?;
        current = SubscriptionTerm::monthly(term.purchased_at(), months, term.zone())?;
    }
    let end = current.end();
    let warn_from = end
        .checked_sub_signed(TimeDelta::days(i64::from(policy.warning_days)))
        .unwrap_or(end);
    let grace_end = add_days(end, policy.grace_days)?;
    let retention_end = add_days(grace_end, policy.retention_days)?;
    Ok(if at < warn_from {
        Phase::Active { expires_at: end }
    } else if at < end {
        Phase::ExpiringSoon { expires_at: end }
    } else if at < grace_end {
        Phase::Grace { until: grace_end }
    } else if at < retention_end {
        Phase::Retention {
            until: retention_end,
        }
    } else {
        Phase::Terminated {
            since: retention_end,
        }
    })
}
