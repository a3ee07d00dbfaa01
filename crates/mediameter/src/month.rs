//! The billing period of an invoice: one calendar month, read in a billing zone.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use mediameter_core::{BillingZone, TimeRange};

use crate::error::{Error, Result};

/// A calendar month, `YYYY-MM` (years 0001 to 9999): the period of an invoice.
///
/// A month is the same text everywhere; which instants it covers depends on the billing zone
/// it is read in ([`BillingMonth::range`]): March 2024 in GMT+8 starts at
/// 2024-02-29T16:00:00Z.
///
/// ```
/// use mediameter::BillingMonth;
/// use mediameter_core::BillingZone;
/// let m: BillingMonth = "2024-03".parse()?;
/// assert_eq!(m.to_string(), "2024-03");
/// assert_eq!(m.range(BillingZone::GMT8)?.to_string(), "[2024-02-29T16:00:00Z, 2024-03-31T16:00:00Z)");
/// assert!("2024-3".parse::<BillingMonth>().is_err());
/// assert!("2024-03-01".parse::<BillingMonth>().is_err()); // a day is not a month
/// # Ok::<(), mediameter::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BillingMonth {
    year: i32,
    month: u32,
}

const EXPECTED: &str = "a month written YYYY-MM, 0001-01 to 9999-12";

impl BillingMonth {
    /// The month `month` (1 to 12) of `year` (1 to 9999).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a year or month out of range.
    ///
    /// ```
    /// assert!(mediameter::BillingMonth::new(2024, 13).is_err());
    /// ```
    pub fn new(year: i32, month: u32) -> Result<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(Error::invalid(
                "billing month",
                &format!("{year:04}-{month:02}"),
                EXPECTED,
            ));
        }
        Ok(BillingMonth { year, month })
    }

    /// The year.
    ///
    /// ```
    /// assert_eq!(mediameter::BillingMonth::new(2024, 3)?.year(), 2024);
    /// # Ok::<(), mediameter::Error>(())
    /// ```
    #[must_use]
    pub const fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    ///
    /// ```
    /// assert_eq!(mediameter::BillingMonth::new(2024, 3)?.month(), 3);
    /// # Ok::<(), mediameter::Error>(())
    /// ```
    #[must_use]
    pub const fn month(&self) -> u32 {
        self.month
    }

    /// Months from year 0's January to this month: consecutive months have consecutive
    /// indexes, so the difference of two is the number of months between them.
    pub(crate) fn index(&self) -> i64 {
        i64::from(self.year)
            .saturating_mul(12)
            .saturating_add(i64::from(self.month))
            .saturating_sub(1)
    }

    /// The month that contains `t` in `zone`.
    ///
    /// # Errors
    ///
    /// [`Error::Core`] for an instant whose local date is outside years 0001 to 9999.
    ///
    /// ```
    /// use mediameter::BillingMonth;
    /// use mediameter_core::BillingZone;
    /// let t = "2024-03-31T16:00:00Z".parse()?; // 1 April, 00:00 in GMT+8
    /// assert_eq!(BillingMonth::containing(t, BillingZone::GMT8)?.to_string(), "2024-04");
    /// assert_eq!(BillingMonth::containing(t, BillingZone::UTC)?.to_string(), "2024-03");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn containing(t: chrono::DateTime<chrono::Utc>, zone: BillingZone) -> Result<Self> {
        use chrono::Datelike;
        let date = zone.local_date(t)?;
        BillingMonth::new(date.year(), date.month())
    }

    /// The instants of the month read in `zone`: from its first midnight to the next month's.
    ///
    /// # Errors
    ///
    /// [`Error::Core`] when the range leaves years 0001 to 9999 (December 9999 in a zone east
    /// of UTC ends after them).
    ///
    /// ```
    /// use mediameter::BillingMonth;
    /// use mediameter_core::BillingZone;
    /// let feb = BillingMonth::new(2024, 2)?.range(BillingZone::UTC)?;
    /// assert_eq!(feb.seconds(), 29 * 86_400);
    /// # Ok::<(), mediameter::Error>(())
    /// ```
    pub fn range(&self, zone: BillingZone) -> Result<TimeRange> {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .ok_or_else(|| Error::invalid("billing month", &self.to_string(), EXPECTED))?;
        let next = mediameter_core::calendar::add_months(first, 1)?;
        Ok(TimeRange::new(
            zone.start_of_day(first)?,
            zone.start_of_day(next)?,
        )?)
    }
}

impl fmt::Display for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for BillingMonth {
    type Err = Error;

    /// Exactly `YYYY-MM`: four digits, a hyphen, two digits.
    fn from_str(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .and_then(|_| s.get(r))
        };
        let parsed = if b.len() == 7 && b.get(4) == Some(&b'-') {
            digits(0..4)
                .zip(digits(5..7))
                .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        } else {
            None
        };
        let (year, month) = parsed.ok_or_else(|| Error::invalid("billing month", s, EXPECTED))?;
        BillingMonth::new(year, month).map_err(|_| Error::invalid("billing month", s, EXPECTED))
    }
}

impl serde::Serialize for BillingMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BillingMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
