//! Upgrade proration of a monthly subscription (Huawei Cloud iDME billing manual "变更配置后对计费的影响").
//!
//! Fee = (new monthly price − old monthly price) × remaining period, where the remaining period
//! in months is Σ over each natural month still to run of (remaining days in that month / days
//! in that month). The day of the change is not counted; the expiry day is.
//!
//! The period is computed as an exact fraction first (every month length divides
//! [`MONTH_LCM`] = 377,580, so the sum has one common denominator and is rounded with a single
//! exact step), then rounded with [`ProrationPolicy::period`] (4 places half-up, as both worked
//! worked examples do), multiplied by the price difference and rounded once with
//! [`ProrationPolicy::money`] (cents, half-up).

use chrono::{DateTime, Utc};
use mediameter_core::calendar::MonthSlice;
use mediameter_core::{BillingZone, Money, Rounding, RoundingMode, SubscriptionTerm};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// Least common multiple of every month length (28, 29, 30, 31): the common denominator of
/// every remaining period.
pub const MONTH_LCM: u64 = 377_580;

/// The rounding steps of a proration. The default is the worked examples' behaviour: the
/// period rounded to 4 places half-up, the fee to the currency's minor unit half-up (2 places
/// for CNY, as in the examples; 0 for JPY).
///
/// ```
/// use mediameter_billing::ProrationPolicy;
/// let p = ProrationPolicy::default();
/// assert_eq!(p.period.ok_or("missing period")?.scale(), 4);
/// assert_eq!(p.money, None); // the currency's minor unit, half-up
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct ProrationPolicy {
    /// How the remaining period is rounded before it multiplies the price difference; `None`
    /// keeps the exact fraction (the fee is then price difference × numerator ÷ denominator,
    /// multiplied first, divided last).
    pub period: Option<Rounding>,
    /// How the fee is rounded (once). `None` (the default): the currency's minor unit
    /// (ISO 4217), half-up.
    pub money: Option<Rounding>,
}

/// The worked examples' period rounding: 4 decimal places, half-up.
///
/// ```
/// assert_eq!(mediameter_billing::period_4dp_half_up().to_string(), "4dp half_up");
/// ```
#[must_use]
pub fn period_4dp_half_up() -> Rounding {
    // 4 is inside 0..=28, so the fallback is never taken.
    Rounding::new(4, RoundingMode::HalfUp).unwrap_or(Rounding::CENTS_HALF_UP)
}

impl Default for ProrationPolicy {
    fn default() -> Self {
        ProrationPolicy {
            period: Some(period_4dp_half_up()),
            money: None,
        }
    }
}

/// Setters for the common case, since the struct is `#[non_exhaustive]` (a literal cannot be
/// written outside this crate): start from `default()` and change what differs.
///
/// ```
/// use mediameter_billing::ProrationPolicy;
/// use mediameter_core::Rounding;
/// let p = ProrationPolicy::default().with_period(None).with_money(Some(Rounding::CENTS_HALF_UP));
/// assert_eq!((p.period, p.money), (None, Some(Rounding::CENTS_HALF_UP)));
/// ```
impl ProrationPolicy {
    /// This policy with the remaining period rounded by `period` (`None`: exact).
    #[must_use]
    pub const fn with_period(mut self, period: Option<Rounding>) -> Self {
        self.period = period;
        self
    }

    /// This policy with the fee rounded by `money` (`None`: the currency's minor unit).
    #[must_use]
    pub const fn with_money(mut self, money: Option<Rounding>) -> Self {
        self.money = money;
        self
    }
}

/// The result of a proration, with every intermediate figure so a bill can explain itself.
///
/// ```
/// use mediameter_billing::{prorate, ProrationPolicy};
/// use mediameter_core::{BillingZone, Currency, Money, SubscriptionTerm};
/// use chrono::Utc;
/// use rust_decimal_macros::dec;
///
/// let term = SubscriptionTerm::monthly("2023-04-08T02:00:00Z".parse::<chrono::DateTime<Utc>>()?, 1, BillingZone::GMT8)?;
/// let p = prorate(&term, "2023-04-18T02:00:00Z".parse::<chrono::DateTime<Utc>>()?,
///     Money::new(dec!(12750), Currency::CNY), Money::new(dec!(25500), Currency::CNY), &ProrationPolicy::default())?;
/// assert_eq!((p.numerator, p.denominator), (102, 155)); // 12/30 + 8/31 = 612/930
/// assert_eq!(p.period, dec!(0.6581));
/// assert_eq!(p.fee.amount(), dec!(8390.78));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Deserializing checks every relation between the fields that the fields alone determine,
/// and refuses an inconsistent value ([`Error::Invalid`], field `"proration"`, naming the
/// relation): the slices are successive months, every one between the first and the last
/// whole; `numerator / denominator` is the sum of the slices' `days / days_in_month`, in
/// lowest terms (`0/1` when there are none), so the denominator divides [`MONTH_LCM`];
/// `period_exact` is that fraction as a decimal; `period` is the exact period or a rounding
/// of the fraction (to some scale, in some [`RoundingMode`]); `fee_unrounded` is
/// `price_difference × period` (or, for an exact period, `price_difference × numerator ÷
/// denominator`); `fee` is a rounding of `fee_unrounded`; the four amounts share one currency;
/// the price difference is not negative (downgrades are refused); and `term_total − fee` is not
/// negative. What the fields do not determine is not checked: which rounding the policy named
/// (any rounding of the right value is accepted), and `term_total` itself, which is the old
/// monthly price × the term's months + the fee, neither of which the value records.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::{prorate, Proration, ProrationPolicy};
/// use mediameter_core::{BillingZone, Currency, Money, SubscriptionTerm};
/// use rust_decimal_macros::dec;
/// let term = SubscriptionTerm::monthly("2023-04-08T02:00:00Z".parse()?, 1, BillingZone::GMT8)?;
/// let cny = |a| Money::new(a, Currency::CNY);
/// let p = prorate(&term, "2023-04-18T02:00:00Z".parse()?, cny(dec!(12750)), cny(dec!(25500)), &ProrationPolicy::default())?;
/// let json = serde_json::to_string(&p)?;
/// assert_eq!(serde_json::from_str::<Proration>(&json)?, p);
/// let tampered = json.replace("\"8390.78\"", "\"1.00\"");
/// assert!(serde_json::from_str::<Proration>(&tampered).is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "ProrationRepr"))]
#[non_exhaustive]
pub struct Proration {
    /// The remaining days, split by natural month (empty for a change on the expiry day).
    pub slices: Vec<MonthSlice>,
    /// Numerator of the exact remaining period, in lowest terms.
    pub numerator: u64,
    /// Denominator of the exact remaining period, in lowest terms.
    pub denominator: u64,
    /// The exact period as a decimal (28 significant digits).
    pub period_exact: Decimal,
    /// The period used in the fee: rounded by [`ProrationPolicy::period`], or exact.
    pub period: Decimal,
    /// New monthly price − old monthly price.
    pub price_difference: Money,
    /// Price difference × period, unrounded.
    pub fee_unrounded: Money,
    /// The fee, rounded once by [`ProrationPolicy::money`].
    pub fee: Money,
    /// Old monthly price × months of the term + fee: what the whole term costs after the
    /// upgrade (worked example A: 25,950 + 25,032.95 = 50,982.95).
    pub term_total: Money,
}

/// The outside form of a [`Proration`]: the same fields, checked by [`Proration::check`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProrationRepr {
    slices: Vec<MonthSlice>,
    numerator: u64,
    denominator: u64,
    period_exact: Decimal,
    period: Decimal,
    price_difference: Money,
    fee_unrounded: Money,
    fee: Money,
    term_total: Money,
}

#[cfg(feature = "serde")]
impl TryFrom<ProrationRepr> for Proration {
    type Error = Error;

    fn try_from(r: ProrationRepr) -> Result<Self> {
        let p = Proration {
            slices: r.slices,
            numerator: r.numerator,
            denominator: r.denominator,
            period_exact: r.period_exact,
            period: r.period,
            price_difference: r.price_difference,
            fee_unrounded: r.fee_unrounded,
            fee: r.fee,
            term_total: r.term_total,
        };
        p.check()?;
        Ok(p)
    }
}

impl Proration {
    /// Checks the relations the fields determine (see the type's docs); what [`prorate`]
    /// builds always passes.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    fn check(&self) -> Result<()> {
        fn bad(value: String, expected: impl std::fmt::Display) -> Result<()> {
            Err(Error::invalid("proration", &value, expected))
        }
        // Successive months, the inner ones whole.
        for (k, pair) in self.slices.windows(2).enumerate() {
            let [a, b] = pair else { continue };
            let next = if a.month() == 12 {
                a.year().checked_add(1).map(|y| (y, 1))
            } else {
                a.month().checked_add(1).map(|m| (a.year(), m))
            };
            if next != Some((b.year(), b.month())) {
                return bad(
                    format!("slices[{}] {b}", k.saturating_add(1)),
                    "the month after the previous slice's",
                );
            }
            if k > 0 && a.days() != a.days_in_month() {
                return bad(
                    format!("slices[{k}] {a}"),
                    "a whole month between the first and the last slice",
                );
            }
        }
        // The exact fraction, in lowest terms.
        let mut sum: u64 = 0;
        for slice in &self.slices {
            let part = MONTH_LCM
                .checked_div(u64::from(slice.days_in_month()))
                .and_then(|w| w.checked_mul(u64::from(slice.days())))
                .ok_or_else(|| Error::overflow("remaining period"))?;
            sum = sum
                .checked_add(part)
                .ok_or_else(|| Error::overflow("remaining period"))?;
        }
        let fraction = reduce(sum, MONTH_LCM);
        if (self.numerator, self.denominator) != fraction {
            return bad(
                format!("{}/{}", self.numerator, self.denominator),
                format_args!(
                    "{}/{}, the slices' sum of days / days_in_month in lowest terms",
                    fraction.0, fraction.1
                ),
            );
        }
        let (num, den) = (
            Decimal::from(self.numerator),
            Decimal::from(self.denominator),
        );
        let exact = num
            .checked_div(den)
            .ok_or_else(|| Error::overflow("remaining period"))?;
        if self.period_exact != exact {
            return bad(
                format!("period_exact {}", self.period_exact),
                format_args!("{exact}, numerator / denominator"),
            );
        }
        let rounded_period = self.period != exact;
        if rounded_period
            && !is_a_rounding(self.period, |r| {
                round_ratio(self.numerator, self.denominator, r).ok()
            })
        {
            return bad(
                format!("period {}", self.period),
                format_args!("the exact period {exact} or a rounding of it"),
            );
        }
        // One currency; no downgrade.
        let currency = self.price_difference.currency();
        for (name, m) in [
            ("fee_unrounded", self.fee_unrounded),
            ("fee", self.fee),
            ("term_total", self.term_total),
        ] {
            if m.currency() != currency {
                return bad(
                    format!("{name} {m}"),
                    format_args!("an amount in {currency}, the price difference's currency"),
                );
            }
        }
        if self.price_difference.is_negative() {
            return bad(
                format!("price_difference {}", self.price_difference),
                "zero or more: downgrades are refused",
            );
        }
        // fee_unrounded = price difference × period (× numerator ÷ denominator when exact).
        let times_period = self.price_difference.checked_mul(self.period)?;
        let fee_ok = self.fee_unrounded == times_period
            || (!rounded_period
                && self
                    .price_difference
                    .checked_mul(num)
                    .and_then(|m| m.checked_div(den))
                    .is_ok_and(|m| m == self.fee_unrounded));
        if !fee_ok {
            return bad(
                format!("fee_unrounded {}", self.fee_unrounded),
                format_args!("{times_period}, the price difference × the period"),
            );
        }
        let unrounded = self.fee_unrounded;
        if self.fee != unrounded
            && !is_a_rounding(self.fee.amount(), |r| Some(unrounded.round(r).amount()))
        {
            return bad(
                format!("fee {}", self.fee),
                format_args!("a rounding of the unrounded fee {unrounded}"),
            );
        }
        if self.term_total.checked_sub(self.fee)?.is_negative() {
            return bad(
                format!("term_total {}", self.term_total),
                format_args!("at least the fee {}", self.fee),
            );
        }
        Ok(())
    }
}

/// Whether `value` is what `round` gives under some rounding (every scale core accepts, every
/// mode).
fn is_a_rounding(value: Decimal, round: impl Fn(Rounding) -> Option<Decimal>) -> bool {
    (0..=28_u32).any(|scale| {
        RoundingMode::ALL.into_iter().any(|mode| {
            Rounding::new(scale, mode)
                .ok()
                .and_then(&round)
                .is_some_and(|r| r == value)
        })
    })
}

/// The fee for upgrading `term` at `changed_at` from `old_monthly` to `new_monthly`.
///
/// # Errors
///
/// * [`Error::Downgrade`], located at `field new_price` by an [`Error::At`], when the new
///   price is below the old one (Huawei Cloud iDME billing manual refuses downgrades); an
///   equal price is accepted with a zero fee.
/// * [`Error::Invalid`] for a negative price.
/// * [`Error::At`] locating the field (`changed_at`, `new_price`) when `changed_at` is
///   outside the term or the currencies differ; [`Error::Core`] when the arithmetic
///   overflows.
///
/// ```
/// use mediameter_billing::{prorate, ErrorKind, ProrationPolicy};
/// use mediameter_core::{BillingZone, Currency, Money, SubscriptionTerm};
/// use chrono::Utc;
/// use rust_decimal_macros::dec;
///
/// // Worked example A (Huawei Cloud iDME billing manual): bought 2023-03-18 15:30 GMT+8, upgraded 2023-03-20 09:00.
/// let term = SubscriptionTerm::monthly("2023-03-18T07:30:00Z".parse::<chrono::DateTime<Utc>>()?, 1, BillingZone::GMT8)?;
/// let at = "2023-03-20T01:00:00Z".parse::<chrono::DateTime<Utc>>()?;
/// let cny = |a| Money::new(a, Currency::CNY);
/// let p = prorate(&term, at, cny(dec!(25950)), cny(dec!(52168)), &ProrationPolicy::default())?;
/// assert_eq!(p.period, dec!(0.9548));
/// assert_eq!(p.fee.amount(), dec!(25032.95));
/// assert_eq!(p.term_total.amount(), dec!(50982.95));
/// let down = prorate(&term, at, cny(dec!(52168)), cny(dec!(25950)), &ProrationPolicy::default());
/// assert_eq!(down.unwrap_err().kind(), ErrorKind::Downgrade);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn prorate(
    term: &SubscriptionTerm,
    changed_at: DateTime<Utc>,
    old_monthly: Money,
    new_monthly: Money,
    policy: &ProrationPolicy,
) -> Result<Proration> {
    for (field, price) in [("old_price", old_monthly), ("new_price", new_monthly)] {
        if price.is_negative() {
            return Err(
                Error::out_of_range("monthly price", price, "a price of zero or more")
                    .at(format!("field {field}")),
            );
        }
    }
    let price_difference = new_monthly
        .checked_sub(old_monthly)
        .map_err(|e| Error::from(e).at("field new_price"))?;
    if price_difference.is_negative() {
        return Err(Error::Downgrade {
            detail: format!("new monthly price {new_monthly} is below the old {old_monthly}"),
        }
        .at("field new_price"));
    }
    let slices: Vec<MonthSlice> = term
        .remaining_months(changed_at)
        .map_err(|e| Error::from(e).at("field changed_at"))?
        .collect();
    let mut numerator: u64 = 0;
    for s in &slices {
        let weight = MONTH_LCM
            .checked_div(u64::from(s.days_in_month()))
            .ok_or_else(|| Error::overflow("remaining period"))?;
        let part = weight
            .checked_mul(u64::from(s.days()))
            .ok_or_else(|| Error::overflow("remaining period"))?;
        numerator = numerator
            .checked_add(part)
            .ok_or_else(|| Error::overflow("remaining period"))?;
    }
    let (num, den) = reduce(numerator, MONTH_LCM);
    let period_exact = Decimal::from(num)
        .checked_div(Decimal::from(den))
        .ok_or_else(|| Error::overflow("remaining period"))?;
    let (period, fee_unrounded) = match policy.period {
        Some(rounding) => {
            let period = round_ratio(num, den, rounding)?;
            (period, price_difference.checked_mul(period)?)
        }
        None => (
            period_exact,
            price_difference
                .checked_mul(Decimal::from(num))?
                .checked_div(Decimal::from(den))?,
        ),
    };
    let fee = match policy.money {
        Some(rounding) => fee_unrounded.round(rounding),
        None => fee_unrounded.round_to_minor(RoundingMode::HalfUp),
    };
    let term_total = old_monthly
        .checked_mul(Decimal::from(term.months()))?
        .checked_add(fee)?;
    Ok(Proration {
        slices,
        numerator: num,
        denominator: den,
        period_exact,
        period,
        price_difference,
        fee_unrounded,
        fee,
        term_total,
    })
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let r = a.checked_rem(b).unwrap_or(0);
        a = b;
        b = r;
    }
    a
}

fn reduce(num: u64, den: u64) -> (u64, u64) {
    if num == 0 {
        return (0, 1);
    }
    let g = gcd(num, den).max(1);
    (
        num.checked_div(g).unwrap_or(num),
        den.checked_div(g).unwrap_or(den),
    )
}

/// Rounds the exact fraction `num / den` under `rounding` with no intermediate rounding.
///
/// The quotient is computed in integers to `rounding.scale()` places; the discarded part is
/// summarised as below, exactly at or above one half, and `rounding` is applied to a proxy
/// decimal with the same digits and the same position relative to the half. Every rounding
/// mode depends only on that, so the result is the exact rounding of the fraction.
///
/// # Errors
///
/// [`Error::Invalid`] for a zero denominator; overflow when the scaled quotient does not fit.
///
/// ```
/// use mediameter_billing::round_ratio;
/// use mediameter_core::{Rounding, RoundingMode};
/// use rust_decimal_macros::dec;
/// let r4 = Rounding::new(4, RoundingMode::HalfUp)?;
/// assert_eq!(round_ratio(102, 155, r4)?, dec!(0.6581));
/// assert_eq!(round_ratio(1, 8, Rounding::new(2, RoundingMode::HalfEven)?)?, dec!(0.12));
/// assert_eq!(round_ratio(1, 8, Rounding::new(2, RoundingMode::HalfUp)?)?, dec!(0.13));
/// # Ok::<(), mediameter_billing::Error>(())
/// ```
pub fn round_ratio(num: u64, den: u64, rounding: Rounding) -> Result<Decimal> {
    if den == 0 {
        return Err(Error::out_of_range("denominator", 0, "a non-zero number"));
    }
    let scale = rounding.scale();
    let proxy_scale = scale.saturating_add(2);
    let exact = || -> Result<Decimal> {
        let q = Decimal::from(num)
            .checked_div(Decimal::from(den))
            .ok_or_else(|| Error::overflow("ratio"))?;
        Ok(rounding.apply(q))
    };
    if proxy_scale > 28 {
        return exact();
    }
    let pow = 10_i128
        .checked_pow(scale)
        .ok_or_else(|| Error::overflow("ratio"))?;
    let scaled = i128::from(num)
        .checked_mul(pow)
        .ok_or_else(|| Error::overflow("ratio"))?;
    let den = i128::from(den);
    let q = scaled
        .checked_div(den)
        .ok_or_else(|| Error::overflow("ratio"))?;
    let r = scaled
        .checked_rem(den)
        .ok_or_else(|| Error::overflow("ratio"))?;
    let twice = r.checked_mul(2).ok_or_else(|| Error::overflow("ratio"))?;
    let code = match (r == 0, twice.cmp(&den)) {
        (true, _) => 0,
        (false, std::cmp::Ordering::Less) => 25,
        (false, std::cmp::Ordering::Equal) => 50,
        (false, std::cmp::Ordering::Greater) => 75,
    };
    let proxy = q
        .checked_mul(100)
        .and_then(|v| v.checked_add(code))
        .ok_or_else(|| Error::overflow("ratio"))?;
    match Decimal::try_from_i128_with_scale(proxy, proxy_scale) {
        Ok(d) => Ok(rounding.apply(d)),
        Err(_) => exact(),
    }
}

#[cfg(feature = "serde")]
fn default_zone() -> BillingZone {
    BillingZone::GMT8
}

/// A proration request as outside data (the JSON of `mediameter prorate`).
///
/// A request document that may gain options, so it is `#[non_exhaustive]`: build it with
/// [`ProrationRequest::new`] (and [`ProrationRequest::with_zone`],
/// [`ProrationRequest::with_policy`]), read the public fields. It is checked when computed
/// ([`ProrationRequest::compute`]), by the same rules as [`SubscriptionTerm::monthly`] and
/// [`prorate`].
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::ProrationRequest;
/// let json = r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1,
///   "changed_at": "2023-03-20T01:00:00Z",
///   "old_price": {"amount": "25950.00", "currency": "CNY"},
///   "new_price": {"amount": "52168.00", "currency": "CNY"}}"#;
/// let req: ProrationRequest = serde_json::from_str(json)?;
/// assert_eq!(req.compute()?.fee.to_string(), "25032.95 CNY");
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct ProrationRequest {
    /// When the term was bought (UTC).
    pub purchased_at: DateTime<Utc>,
    /// Length of the term in months.
    pub months: u32,
    /// Zone in which days are counted (default GMT+8).
    #[cfg_attr(feature = "serde", serde(default = "default_zone"))]
    pub zone: BillingZone,
    /// When the configuration changed (UTC).
    pub changed_at: DateTime<Utc>,
    /// Old monthly price.
    pub old_price: Money,
    /// New monthly price.
    pub new_price: Money,
    /// Rounding steps (default: the worked examples').
    #[cfg_attr(feature = "serde", serde(default))]
    pub policy: ProrationPolicy,
}

impl ProrationRequest {
    /// A request: a one-term subscription of `months` bought at `purchased_at`, whose monthly
    /// price changes from `old_price` to `new_price` at `changed_at`; days counted in GMT+8
    /// and the worked examples' rounding, as in the JSON defaults.
    ///
    /// ```
    /// use mediameter_billing::{BillingZone, Currency, DateTime, Money, ProrationRequest, Utc};
    /// use rust_decimal_macros::dec;
    /// let cny = |a| Money::new(a, Currency::CNY);
    /// let req = ProrationRequest::new("2023-04-08T02:00:00Z".parse::<DateTime<Utc>>()?, 1,
    ///     "2023-04-18T02:00:00Z".parse()?, cny(dec!(12750)), cny(dec!(25500)));
    /// assert_eq!(req.zone, BillingZone::GMT8);
    /// assert_eq!(req.compute()?.fee.amount(), dec!(8390.78));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        purchased_at: DateTime<Utc>,
        months: u32,
        changed_at: DateTime<Utc>,
        old_price: Money,
        new_price: Money,
    ) -> Self {
        ProrationRequest {
            purchased_at,
            months,
            zone: BillingZone::GMT8,
            changed_at,
            old_price,
            new_price,
            policy: ProrationPolicy::default(),
        }
    }

    /// The same request with days counted in `zone`.
    #[must_use]
    pub const fn with_zone(mut self, zone: BillingZone) -> Self {
        self.zone = zone;
        self
    }

    /// The same request with the rounding steps of `policy`.
    #[must_use]
    pub const fn with_policy(mut self, policy: ProrationPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Builds the term and prorates.
    ///
    /// # Errors
    ///
    /// As [`SubscriptionTerm::monthly`] and [`prorate`].
    ///
    /// ```
    /// use mediameter_billing::{BillingZone, ProrationPolicy, ProrationRequest};
    /// use mediameter_core::{Currency, Money};
    /// use chrono::Utc;
    /// use rust_decimal_macros::dec;
    /// let req = ProrationRequest::new(
    ///     "2023-04-08T02:00:00Z".parse::<chrono::DateTime<Utc>>()?, 1,
    ///     "2023-04-18T02:00:00Z".parse::<chrono::DateTime<Utc>>()?,
    ///     Money::new(dec!(12750), Currency::CNY), Money::new(dec!(25500), Currency::CNY),
    /// )
    /// .with_zone(BillingZone::GMT8)
    /// .with_policy(ProrationPolicy::default());
    /// assert_eq!(req.compute()?.fee.amount(), dec!(8390.78));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compute(&self) -> Result<Proration> {
        // Core names the field (purchased_at, term months) in its own error.
        let term = SubscriptionTerm::monthly(self.purchased_at, self.months, self.zone)?;
        prorate(
            &term,
            self.changed_at,
            self.old_price,
            self.new_price,
            &self.policy,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mediameter_core::Currency;
    use rust_decimal_macros::dec;

    #[test]
    fn lcm_is_divisible_by_every_month_length() {
        for d in 28..=31 {
            assert_eq!(MONTH_LCM % d, 0);
        }
    }

    #[test]
    fn round_ratio_matches_decimal_for_small_scales() {
        for num in 0..200_u64 {
            for den in [3_u64, 7, 8, 30, 31, 3069, MONTH_LCM] {
                for mode in RoundingMode::ALL {
                    let r = Rounding::new(4, mode).unwrap();
                    let want = r.apply(Decimal::from(num) / Decimal::from(den));
                    assert_eq!(
                        round_ratio(num, den, r).unwrap(),
                        want,
                        "{num}/{den} {mode}"
                    );
                }
            }
        }
    }

    #[test]
    fn exact_period_policy_multiplies_first() {
        let term = SubscriptionTerm::monthly(
            DateTime::from_timestamp(1_680_919_200, 0).unwrap(),
            1,
            BillingZone::GMT8,
        )
        .unwrap();
        let at = DateTime::from_timestamp(1_681_783_200, 0).unwrap();
        let policy = ProrationPolicy {
            period: None,
            ..ProrationPolicy::default()
        };
        let p = prorate(
            &term,
            at,
            Money::new(dec!(12750), Currency::CNY),
            Money::new(dec!(25500), Currency::CNY),
            &policy,
        )
        .unwrap();
        // 12750 × 102 / 155 = 8390.3225..., not 12750 × 0.6581.
        assert_eq!(p.fee.amount(), dec!(8390.32));
    }
}
