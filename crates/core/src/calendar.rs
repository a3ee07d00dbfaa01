//! Calendar math for monthly terms: days in a month, natural months, month addition with
//! month-end clamping, and the term of a monthly subscription (Huawei Cloud iDME billing manual).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use crate::error::{Error, Result};
use crate::time::BillingZone;

/// Days in `month` (1–12) of `year` (28, 29, 30 or 31).
///
/// # Errors
///
/// [`Error::OutOfRange`] for a month outside 1–12 or a year chrono cannot represent.
///
/// ```
/// use mediameter_core::calendar::days_in_month;
/// assert_eq!(days_in_month(2024, 2)?, 29);
/// assert_eq!(days_in_month(2023, 2)?, 28);
/// assert_eq!(days_in_month(1900, 2)?, 28);
/// assert_eq!(days_in_month(2000, 2)?, 29);
/// assert!(days_in_month(2023, 13).is_err());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
pub fn days_in_month(year: i32, month: u32) -> Result<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| {
        Error::out_of_range(
            "month",
            format!("{year}-{month}"),
            "a month 1..=12 of a year chrono supports",
        )
    })?;
    Ok(last_day_of_month(first).day())
}

fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    // Adding one month to the 1st and stepping back a day is chrono's own month length; both
    // steps stay in range for every date except the very last month chrono can represent, for
    // which the 31 fallback is correct (December).
    date.with_day(1)
        .and_then(|first| first.checked_add_months(Months::new(1)))
        .and_then(|next| next.pred_opt())
        .unwrap_or(date)
}

/// `date` plus `months` calendar months, clamped to the end of the target month: Jan 31 + 1
/// month is Feb 28 (Feb 29 in a leap year), Mar 31 + 1 month is Apr 30.
///
/// This is chrono's `checked_add_months` rule; it is the common billing rule for terms bought
/// on the 29th, 30th or 31st (see [`SubscriptionTerm`]).
///
/// # Errors
///
/// [`Error::Overflow`] if the result is not representable.
///
/// ```
/// use mediameter_core::calendar::add_months;
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("no such date");
/// assert_eq!(add_months(d(2023, 1, 31)?, 1)?, d(2023, 2, 28)?);
/// assert_eq!(add_months(d(2024, 1, 31)?, 1)?, d(2024, 2, 29)?);
/// assert_eq!(add_months(d(2023, 3, 18)?, 1)?, d(2023, 4, 18)?);
/// assert_eq!(add_months(d(2023, 11, 30)?, 3)?, d(2024, 2, 29)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_months(date: NaiveDate, months: u32) -> Result<NaiveDate> {
    date.checked_add_months(Months::new(months))
        .ok_or_else(|| Error::overflow("adding months to a date"))
}

/// The part of one natural month covered by a span of days: see [`month_slices`].
///
/// ```
/// use mediameter_core::calendar::MonthSlice;
/// let s: MonthSlice = "2023-03: 11/31".parse()?;
/// assert_eq!((s.year(), s.month(), s.days(), s.days_in_month()), (2023, 3, 11, 31));
/// assert_eq!(s.to_string(), "2023-03: 11/31");
/// # Ok::<(), mediameter_core::Error>(())
/// ```
///
/// The fields are private: a slice always holds a real month, its real length and 1 to that
/// many days. [`month_slices`] produces them; parsing ([`FromStr`](std::str::FromStr)) and
/// deserializing check them the same way.
///
/// ```compile_fail
/// let s = mediameter_core::MonthSlice { year: 2023, month: 2, days: 40, days_in_month: 30 };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "MonthSliceRepr"))]
pub struct MonthSlice {
    year: i32,
    month: u32,
    days: u32,
    days_in_month: u32,
}

/// Prints `"YYYY-MM: days/days_in_month"` (`"2023-03: 11/31"`); [`FromStr`](std::str::FromStr)
/// reads it back.
impl std::fmt::Display for MonthSlice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{:02}: {}/{}",
            self.year, self.month, self.days, self.days_in_month
        )
    }
}

impl std::str::FromStr for MonthSlice {
    type Err = Error;

    /// Parses `"YYYY-MM: days/days_in_month"`, as printed by `Display`. The slice must be one
    /// a span of days can produce: a month 1–12, `days_in_month` the real length of that month,
    /// and 1 to `days_in_month` days.
    ///
    /// ```
    /// use mediameter_core::MonthSlice;
    /// let s: MonthSlice = "2024-02: 11/29".parse()?;
    /// assert_eq!((s.year(), s.month(), s.days(), s.days_in_month()), (2024, 2, 11, 29));
    /// assert_eq!(s.to_string().parse::<MonthSlice>()?, s);
    /// assert!("2023-02: 11/29".parse::<MonthSlice>().is_err()); // 2023 has no Feb 29
    /// assert!("2023-03: 0/31".parse::<MonthSlice>().is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let expected = "\"YYYY-MM: days/days_in_month\", e.g. \"2023-03: 11/31\"";
        let bad = || Error::invalid("month slice", s, expected);
        if s.len() > 32 {
            return Err(bad());
        }
        let (year_month, fraction) = s.split_once(": ").ok_or_else(bad)?;
        let (year, month) = year_month.rsplit_once('-').ok_or_else(bad)?;
        let (days, of) = fraction.split_once('/').ok_or_else(bad)?;
        let number = |text: &str| -> Result<u32> {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            text.parse().map_err(|_| bad())
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        if month.len() != 2 {
            return Err(bad());
        }
        let (month, days, of_month) = (number(month)?, number(days)?, number(of)?);
        MonthSlice::checked(year, month, days, of_month)
    }
}

impl MonthSlice {
    /// The year.
    #[must_use]
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    #[must_use]
    pub fn month(&self) -> u32 {
        self.month
    }

    /// Days of the span that fall in this month (at least 1).
    #[must_use]
    pub fn days(&self) -> u32 {
        self.days
    }

    /// Days in this month (28 to 31).
    #[must_use]
    pub fn days_in_month(&self) -> u32 {
        self.days_in_month
    }

    /// The slice, if a span of days can produce it (see [`FromStr`](std::str::FromStr)).
    fn checked(year: i32, month: u32, days: u32, days_in_month_given: u32) -> Result<Self> {
        let slice = MonthSlice {
            year,
            month,
            days,
            days_in_month: days_in_month_given,
        };
        let actual = days_in_month(year, month)?;
        if days_in_month_given != actual {
            return Err(Error::invalid(
                "month slice",
                &slice.to_string(),
                format!("{actual} days in {year}-{month:02}"),
            ));
        }
        if days == 0 || days > actual {
            return Err(Error::invalid(
                "month slice",
                &slice.to_string(),
                format!("1 to {actual} days"),
            ));
        }
        Ok(slice)
    }
}

/// A month slice as written in JSON; reading one checks it as [`FromStr`](std::str::FromStr)
/// does.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MonthSliceRepr {
    year: i32,
    month: u32,
    days: u32,
    days_in_month: u32,
}

#[cfg(feature = "serde")]
impl TryFrom<MonthSliceRepr> for MonthSlice {
    type Error = Error;
    fn try_from(r: MonthSliceRepr) -> Result<Self> {
        MonthSlice::checked(r.year, r.month, r.days, r.days_in_month)
    }
}

/// Splits the inclusive day span `first..=last` into the natural months it touches, in order.
/// An empty span (`first > last`) yields nothing. Lazy: one item per month touched.
///
/// This is the "remaining period over natural months" of Huawei Cloud iDME billing manual: the remaining period in
/// months is Σ `days / days_in_month` over the slices.
///
/// ```
/// use mediameter_core::calendar::{month_slices, MonthSlice};
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("no such date");
/// // Worked example A: changed 2023-03-20, term expires 2023-04-18.
/// let v: Vec<_> = month_slices(d(2023, 3, 21)?, d(2023, 4, 18)?).map(|s| (s.days(), s.days_in_month())).collect();
/// assert_eq!(v, vec![(11, 31), (18, 30)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn month_slices(first: NaiveDate, last: NaiveDate) -> MonthSlices {
    MonthSlices {
        cursor: Some(first),
        last,
    }
}

/// Iterator returned by [`month_slices`].
///
/// ```
/// use mediameter_core::calendar::month_slices;
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).ok_or("no such date");
/// assert_eq!(month_slices(d(1, 1)?, d(12, 31)?).map(|s| s.days()).sum::<u32>(), 366);
/// assert_eq!(month_slices(d(2, 1)?, d(1, 1)?).count(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MonthSlices {
    cursor: Option<NaiveDate>,
    last: NaiveDate,
}

impl Iterator for MonthSlices {
    type Item = MonthSlice;

    fn next(&mut self) -> Option<MonthSlice> {
        let from = self.cursor.filter(|c| *c <= self.last)?;
        let month_end = last_day_of_month(from);
        let to = month_end.min(self.last);
        // `to >= from` and both are in the same month, so the difference is 0..=30.
        let days = u32::try_from(to.signed_duration_since(from).num_days())
            .unwrap_or(0)
            .saturating_add(1);
        self.cursor = if to >= self.last { None } else { to.succ_opt() };
        Some(MonthSlice {
            year: from.year(),
            month: from.month(),
            days,
            days_in_month: month_end.day(),
        })
    }
}

impl std::iter::FusedIterator for MonthSlices {}

/// The term of a subscription bought for a whole number of months.
///
/// Huawei Cloud iDME billing manual: a term bought on day D for one month expires at the end (23:59:59) of day D of
/// the next month, in the billing zone. When the target month has no day D (bought on the
/// 29th, 30th or 31st), the term expires on that month's last day ([`add_months`] clamping):
/// bought Jan 31 for one month expires Feb 28 (29 in a leap year). A term is always
/// anchored on its purchase day, so a 3-month term bought Nov 30 expires Feb 28/29, not on a
/// day reached by clamping month after month.
///
/// As a half-open range the term is `[purchase, start of the day after expiry)`.
///
/// ```
/// use mediameter_core::{BillingZone, SubscriptionTerm};
/// use chrono::{NaiveDate, Utc};
///
/// // Worked example A: bought 2023-03-18 15:30:00 (GMT+8) for 1 month.
/// let bought = "2023-03-18T07:30:00Z".parse::<chrono::DateTime<Utc>>()?;
/// let term = SubscriptionTerm::monthly(bought, 1, BillingZone::GMT8)?;
/// assert_eq!(term.expiry_date(), "2023-04-18".parse::<NaiveDate>()?);
/// assert_eq!(term.last_second().with_timezone(&BillingZone::GMT8.fixed_offset()).to_string(),
///            "2023-04-18 23:59:59 +08:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Deserializing goes through [`SubscriptionTerm::monthly`]: `{"purchased_at", "months",
/// "zone"}`; the derived `expiry_date` and `end` it prints may be given back and must then
/// match.
///
/// The fields are private: a term whose expiry does not follow from its purchase, months and
/// zone cannot be written as a literal past [`SubscriptionTerm::monthly`]:
///
/// ```compile_fail,E0451
/// use mediameter_core::{BillingZone, SubscriptionTerm};
/// let t = chrono::DateTime::UNIX_EPOCH;
/// let term = SubscriptionTerm {
///     purchased_at: t,
///     months: 0,
///     zone: BillingZone::UTC,
///     expiry_date: chrono::NaiveDate::MIN,
///     end: t,
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "TermRepr"))]
pub struct SubscriptionTerm {
    purchased_at: DateTime<Utc>,
    months: u32,
    zone: BillingZone,
    expiry_date: NaiveDate,
    end: DateTime<Utc>,
}

/// The outside form of a [`SubscriptionTerm`]: what it was bought as, plus the derived
/// figures it prints (checked when given).
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TermRepr {
    purchased_at: DateTime<Utc>,
    months: u32,
    zone: BillingZone,
    #[serde(default)]
    expiry_date: Option<NaiveDate>,
    #[serde(default)]
    end: Option<DateTime<Utc>>,
}

#[cfg(feature = "serde")]
impl TryFrom<TermRepr> for SubscriptionTerm {
    type Error = Error;

    fn try_from(r: TermRepr) -> Result<Self> {
        let term = SubscriptionTerm::monthly(r.purchased_at, r.months, r.zone)?;
        if let Some(d) = r.expiry_date
            && d != term.expiry_date
        {
            return Err(Error::invalid(
                "expiry_date",
                &d.to_string(),
                "the expiry date derived from purchased_at, months and zone",
            ));
        }
        if let Some(e) = r.end
            && e != term.end
        {
            return Err(Error::invalid(
                "end",
                &e.to_rfc3339(),
                "the end derived from purchased_at, months and zone",
            ));
        }
        Ok(term)
    }
}

/// Longest term accepted, in months (100 years): anything longer is an input error.
///
/// ```
/// use mediameter_core::{BillingZone, SubscriptionTerm, calendar::MAX_TERM_MONTHS};
/// let t = chrono::DateTime::UNIX_EPOCH;
/// assert!(SubscriptionTerm::monthly(t, MAX_TERM_MONTHS + 1, BillingZone::UTC).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_TERM_MONTHS: u32 = 1200;

impl SubscriptionTerm {
    /// The term of `months` months bought at `purchased_at`, expiring in `zone`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for 0 months or more than [`MAX_TERM_MONTHS`], or when the expiry
    /// falls outside years 0001–9999.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, SubscriptionTerm};
    /// use chrono::{NaiveDate, Utc};
    /// let bought = "2024-01-30T20:00:00Z".parse::<chrono::DateTime<Utc>>()?; // Jan 31 in GMT+8
    /// let term = SubscriptionTerm::monthly(bought, 1, BillingZone::GMT8)?;
    /// assert_eq!(term.expiry_date(), "2024-02-29".parse::<NaiveDate>()?);
    /// assert!(SubscriptionTerm::monthly(bought, 0, BillingZone::GMT8).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn monthly(purchased_at: DateTime<Utc>, months: u32, zone: BillingZone) -> Result<Self> {
        if months == 0 || months > MAX_TERM_MONTHS {
            return Err(Error::out_of_range(
                "term months",
                months,
                format!("1..={MAX_TERM_MONTHS}"),
            ));
        }
        let bought_on = zone.local_date(purchased_at).map_err(|_| {
            Error::out_of_range(
                "purchased_at",
                purchased_at.to_rfc3339(),
                "an instant from 0001-01-01T00:00:00Z up to 10000-01-01T00:00:00Z",
            )
        })?;
        let expiry_date = add_months(bought_on, months)?;
        let day_after = expiry_date
            .succ_opt()
            .ok_or_else(|| Error::overflow("term expiry"))?;
        let end = zone.start_of_day(day_after)?;
        Ok(SubscriptionTerm {
            purchased_at,
            months,
            zone,
            expiry_date,
            end,
        })
    }

    /// When the term was bought.
    ///
    /// ```
    /// # use mediameter_core::{BillingZone, SubscriptionTerm};
    /// # let t = chrono::DateTime::UNIX_EPOCH;
    /// assert_eq!(SubscriptionTerm::monthly(t, 1, BillingZone::UTC)?.purchased_at(), t);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn purchased_at(&self) -> DateTime<Utc> {
        self.purchased_at
    }

    /// Length in months.
    ///
    /// ```
    /// # use mediameter_core::{BillingZone, SubscriptionTerm};
    /// # let t = chrono::DateTime::UNIX_EPOCH;
    /// assert_eq!(SubscriptionTerm::monthly(t, 12, BillingZone::UTC)?.months(), 12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn months(&self) -> u32 {
        self.months
    }

    /// The zone in which days are counted.
    ///
    /// ```
    /// # use mediameter_core::{BillingZone, SubscriptionTerm};
    /// # let t = chrono::DateTime::UNIX_EPOCH;
    /// assert_eq!(SubscriptionTerm::monthly(t, 1, BillingZone::GMT8)?.zone(), BillingZone::GMT8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn zone(&self) -> BillingZone {
        self.zone
    }

    /// The local date on whose last second the term expires.
    ///
    /// ```
    /// # use mediameter_core::{BillingZone, SubscriptionTerm};
    /// # let t = chrono::DateTime::UNIX_EPOCH;
    /// assert_eq!(SubscriptionTerm::monthly(t, 1, BillingZone::UTC)?.expiry_date().to_string(), "1970-02-01");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn expiry_date(&self) -> NaiveDate {
        self.expiry_date
    }

    /// The exclusive end of the term: local midnight after the expiry date.
    ///
    /// ```
    /// # use mediameter_core::{BillingZone, SubscriptionTerm};
    /// # let t = chrono::DateTime::UNIX_EPOCH;
    /// assert_eq!(SubscriptionTerm::monthly(t, 1, BillingZone::UTC)?.end().to_rfc3339(), "1970-02-02T00:00:00+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// The last whole second of the term (23:59:59 local on the expiry date), as vendors print it.
    ///
    /// ```
    /// # use mediameter_core::{BillingZone, SubscriptionTerm};
    /// # let t = chrono::DateTime::UNIX_EPOCH;
    /// assert_eq!(SubscriptionTerm::monthly(t, 1, BillingZone::UTC)?.last_second().to_rfc3339(), "1970-02-01T23:59:59+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn last_second(&self) -> DateTime<Utc> {
        self.end
            .checked_sub_signed(chrono::TimeDelta::seconds(1))
            .unwrap_or(self.end)
    }

    /// Whether the term is in force at `t` (`purchase <= t < end`).
    ///
    /// ```
    /// # use mediameter_core::{BillingZone, SubscriptionTerm};
    /// # let t = chrono::DateTime::UNIX_EPOCH;
    /// let term = SubscriptionTerm::monthly(t, 1, BillingZone::UTC)?;
    /// assert!(term.is_active_at(t));
    /// assert!(!term.is_active_at(term.end()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_active_at(&self, t: DateTime<Utc>) -> bool {
        self.purchased_at <= t && t < self.end
    }

    /// The days still to run after a change at `changed_at`, split by natural month: the day of
    /// the change is not counted, the expiry day is (Huawei Cloud iDME billing manual). A change on the expiry day
    /// leaves nothing.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] when `changed_at` is before the purchase or at/after the end of
    /// the term.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, SubscriptionTerm};
    /// use chrono::Utc;
    /// let bought = "2023-03-18T07:30:00Z".parse::<chrono::DateTime<Utc>>()?;
    /// let term = SubscriptionTerm::monthly(bought, 1, BillingZone::GMT8)?;
    /// let changed = "2023-03-20T01:00:00Z".parse::<chrono::DateTime<Utc>>()?; // 09:00 GMT+8
    /// let slices: Vec<String> = term.remaining_months(changed)?.map(|s| s.to_string()).collect();
    /// assert_eq!(slices, ["2023-03: 11/31", "2023-04: 18/30"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remaining_months(&self, changed_at: DateTime<Utc>) -> Result<MonthSlices> {
        if !self.is_active_at(changed_at) {
            return Err(Error::out_of_range(
                "change instant",
                changed_at.to_rfc3339(),
                format!(
                    "an instant inside the term [{}, {})",
                    self.purchased_at.to_rfc3339(),
                    self.end.to_rfc3339()
                ),
            ));
        }
        // Inside the term, so inside years 0001–9999.
        let change_day = self.zone.local_date(changed_at)?;
        Ok(match change_day.succ_opt() {
            Some(first) => month_slices(first, self.expiry_date),
            None => month_slices(self.expiry_date, change_day),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn worked_example_b_slices() {
        // Bought 2023-04-08, changed 2023-04-18: 12/30 + 8/31.
        let term = SubscriptionTerm::monthly(
            Utc.with_ymd_and_hms(2023, 4, 8, 2, 0, 0).unwrap(),
            1,
            BillingZone::GMT8,
        )
        .unwrap();
        assert_eq!(term.expiry_date(), d(2023, 5, 8));
        let v: Vec<_> = term
            .remaining_months(Utc.with_ymd_and_hms(2023, 4, 18, 2, 0, 0).unwrap())
            .unwrap()
            .map(|s| (s.days(), s.days_in_month()))
            .collect();
        assert_eq!(v, vec![(12, 30), (8, 31)]);
    }

    #[test]
    fn change_on_expiry_day_leaves_nothing() {
        let term = SubscriptionTerm::monthly(
            Utc.with_ymd_and_hms(2023, 4, 8, 2, 0, 0).unwrap(),
            1,
            BillingZone::GMT8,
        )
        .unwrap();
        let on_expiry = Utc.with_ymd_and_hms(2023, 5, 8, 15, 0, 0).unwrap(); // 23:00 GMT+8
        assert_eq!(term.remaining_months(on_expiry).unwrap().count(), 0);
        assert!(term.remaining_months(term.end()).is_err());
        assert!(
            term.remaining_months(term.purchased_at() - chrono::TimeDelta::seconds(1))
                .is_err()
        );
    }

    #[test]
    fn month_end_purchases_clamp() {
        for (bought, want) in [
            (d(2023, 1, 29), d(2023, 2, 28)),
            (d(2024, 1, 30), d(2024, 2, 29)),
            (d(2023, 3, 31), d(2023, 4, 30)),
            (d(2023, 12, 31), d(2024, 1, 31)),
        ] {
            let at = BillingZone::GMT8.start_of_day(bought).unwrap();
            assert_eq!(
                SubscriptionTerm::monthly(at, 1, BillingZone::GMT8)
                    .unwrap()
                    .expiry_date(),
                want
            );
        }
    }

    #[test]
    fn gmt8_purchase_date_is_local() {
        // 2023-03-17T20:00Z is already the 18th in GMT+8.
        let term = SubscriptionTerm::monthly(
            Utc.with_ymd_and_hms(2023, 3, 17, 20, 0, 0).unwrap(),
            1,
            BillingZone::GMT8,
        )
        .unwrap();
        assert_eq!(term.expiry_date(), d(2023, 4, 18));
        let utc = SubscriptionTerm::monthly(
            Utc.with_ymd_and_hms(2023, 3, 17, 20, 0, 0).unwrap(),
            1,
            BillingZone::UTC,
        )
        .unwrap();
        assert_eq!(utc.expiry_date(), d(2023, 4, 17));
    }
}
