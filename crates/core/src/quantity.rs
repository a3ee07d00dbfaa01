//! Quantities with units, and the policy that turns seconds into billable minutes.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// A unit of metered quantity.
///
/// Time units convert exactly into one another; [`Unit::Count`] (MCUs, users, requests)
/// converts into nothing else.
///
/// ```
/// use mediameter_core::Unit;
/// assert_eq!(Unit::Hour.seconds(), Some(3600));
/// assert_eq!(Unit::Count.seconds(), None);
/// assert_eq!("minutes".parse::<Unit>()?, Unit::Minute);
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Unit {
    /// Seconds of time.
    Second,
    /// Minutes of time (60 s): the unit of RTC duration packs.
    Minute,
    /// Hours of time (3600 s).
    Hour,
    /// A dimensionless count.
    Count,
}

impl Unit {
    /// Seconds in one of this unit, or `None` for [`Unit::Count`].
    ///
    /// ```
    /// assert_eq!(mediameter_core::Unit::Minute.seconds(), Some(60));
    /// ```
    #[must_use]
    pub const fn seconds(self) -> Option<u32> {
        match self {
            Unit::Second => Some(1),
            Unit::Minute => Some(60),
            Unit::Hour => Some(3600),
            Unit::Count => None,
        }
    }

    /// The canonical (singular) name.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Unit::Count.as_str(), "count");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Count => "count",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = Error;

    /// Accepts the singular, the plural and the short form (`s`, `min`, `h`).
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "second" | "seconds" | "s" | "sec" => Unit::Second,
            "minute" | "minutes" | "min" => Unit::Minute,
            "hour" | "hours" | "h" => Unit::Hour,
            "count" | "counts" => Unit::Count,
            _ => return Err(Error::invalid("unit", s, "second, minute, hour or count")),
        })
    }
}

/// A non-negative amount of some [`Unit`].
///
/// ```
/// use mediameter_core::{Quantity, Unit};
/// use rust_decimal_macros::dec;
///
/// let q = Quantity::new(dec!(90), Unit::Second)?;
/// assert_eq!(q.convert(Unit::Minute)?.value(), dec!(1.5));
/// assert!(Quantity::new(dec!(-1), Unit::Minute).is_err());
/// assert!(Quantity::new(dec!(3), Unit::Count)?.convert(Unit::Second).is_err());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
///
/// The fields are private, so a negative quantity cannot be written past [`Quantity::new`]
/// (deserializing goes through it too):
///
/// ```compile_fail,E0451
/// use mediameter_core::{Quantity, Unit};
/// let q = Quantity { value: rust_decimal::Decimal::NEGATIVE_ONE, unit: Unit::Minute };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "QuantityRepr", into = "QuantityRepr")
)]
pub struct Quantity {
    value: Decimal,
    unit: Unit,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QuantityRepr {
    value: Decimal,
    unit: Unit,
}

#[cfg(feature = "serde")]
impl TryFrom<QuantityRepr> for Quantity {
    type Error = Error;
    fn try_from(r: QuantityRepr) -> Result<Self> {
        Quantity::new(r.value, r.unit)
    }
}

#[cfg(feature = "serde")]
impl From<Quantity> for QuantityRepr {
    fn from(q: Quantity) -> Self {
        QuantityRepr {
            value: q.value,
            unit: q.unit,
        }
    }
}

impl Quantity {
    /// `value` of `unit`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for a negative value.
    ///
    /// ```
    /// use mediameter_core::{Quantity, Unit};
    /// assert!(Quantity::new(rust_decimal::Decimal::ZERO, Unit::Hour).is_ok());
    /// ```
    pub fn new(value: Decimal, unit: Unit) -> Result<Self> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(Error::out_of_range(
                "quantity",
                value,
                "a value of zero or more",
            ));
        }
        Ok(Quantity { value, unit })
    }

    /// A whole number of seconds.
    ///
    /// ```
    /// use mediameter_core::{Quantity, Unit};
    /// assert_eq!(Quantity::seconds(600).unit(), Unit::Second);
    /// ```
    #[must_use]
    pub fn seconds(secs: u64) -> Self {
        Quantity {
            value: Decimal::from(secs),
            unit: Unit::Second,
        }
    }

    /// The number.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Quantity::seconds(5).value(), rust_decimal::Decimal::from(5));
    /// ```
    #[must_use]
    pub const fn value(&self) -> Decimal {
        self.value
    }

    /// The unit.
    ///
    /// ```
    /// use mediameter_core::{Quantity, Unit};
    /// assert_eq!(Quantity::seconds(5).unit(), Unit::Second);
    /// ```
    #[must_use]
    pub const fn unit(&self) -> Unit {
        self.unit
    }

    /// The same amount in `unit`. Converting to a larger unit divides, and the quotient is
    /// exact whenever it terminates in 28 significant digits (seconds to minutes or hours
    /// always does for whole seconds up to `Decimal`'s range, except thirds: 1 s is
    /// 0.01666… min, kept to 28 digits).
    ///
    /// # Errors
    ///
    /// [`Error::UnitMismatch`] between a time unit and [`Unit::Count`];
    /// [`Error::Overflow`] when the result is out of range.
    ///
    /// ```
    /// use mediameter_core::{Quantity, Unit};
    /// use rust_decimal_macros::dec;
    /// assert_eq!(Quantity::new(dec!(2), Unit::Hour)?.convert(Unit::Second)?.value(), dec!(7200));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn convert(self, unit: Unit) -> Result<Quantity> {
        if unit == self.unit {
            return Ok(self);
        }
        let (Some(from), Some(to)) = (self.unit.seconds(), unit.seconds()) else {
            return Err(Error::UnitMismatch {
                operation: "quantity conversion",
                from: self.unit.as_str(),
                to: unit.as_str(),
            });
        };
        let secs = self
            .value
            .checked_mul(Decimal::from(from))
            .ok_or_else(|| Error::overflow("quantity conversion"))?;
        let value = secs
            .checked_div(Decimal::from(to))
            .ok_or_else(|| Error::overflow("quantity conversion"))?;
        Ok(Quantity {
            value: value.normalize(),
            unit,
        })
    }

    /// `self + other`, in `self`'s unit.
    ///
    /// # Errors
    ///
    /// [`Error::UnitMismatch`] when `other` cannot be converted; [`Error::Overflow`].
    ///
    /// ```
    /// use mediameter_core::{Quantity, Unit};
    /// use rust_decimal_macros::dec;
    /// let a = Quantity::new(dec!(1), Unit::Minute)?;
    /// assert_eq!(a.checked_add(Quantity::seconds(30))?.value(), dec!(1.5));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn checked_add(self, other: Quantity) -> Result<Quantity> {
        let other = other.convert(self.unit)?;
        let value = self
            .value
            .checked_add(other.value)
            .ok_or_else(|| Error::overflow("quantity add"))?;
        Ok(Quantity {
            value,
            unit: self.unit,
        })
    }
}

/// Prints `"<value> <unit>"` (`"1.5 minute"`); [`FromStr`] reads it back.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit)
    }
}

impl FromStr for Quantity {
    type Err = Error;

    /// Parses `"<decimal> <unit>"`, as printed by `Display` (`"1500 minute"`); the unit may be
    /// any spelling [`Unit`] accepts (`"90 s"`). The value must not be negative.
    ///
    /// ```
    /// use mediameter_core::{Quantity, Unit};
    /// use rust_decimal_macros::dec;
    /// let q: Quantity = "1.50 minute".parse()?;
    /// assert_eq!(q, Quantity::new(dec!(1.50), Unit::Minute)?);
    /// assert_eq!(q.to_string().parse::<Quantity>()?, q);
    /// assert!("-1 minute".parse::<Quantity>().is_err());
    /// assert!("1minute".parse::<Quantity>().is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let expected = "a decimal value, one space and a unit, e.g. \"1500 minute\"";
        if s.len() > 64 {
            return Err(Error::invalid("quantity", s, expected));
        }
        let (value, unit) = s
            .split_once(' ')
            .ok_or_else(|| Error::invalid("quantity", s, expected))?;
        let value = Decimal::from_str_exact(value).map_err(|_| {
            Error::invalid(
                "quantity value",
                value,
                "a decimal number with at most 28 digits",
            )
        })?;
        Quantity::new(value, unit.parse()?)
    }
}

/// How metered seconds become billable minutes.
///
/// Vendors differ, and a bill that is off by one minute per call is a support ticket per call,
/// so the policy is always named.
///
/// * [`MinutePolicy::Exact`]: minutes = total seconds / 60, fractional (to `Decimal`'s 28
///   significant digits); round it yourself, once, on the bill line.
/// * [`MinutePolicy::CeilPerRecord`]: each record is rounded up to whole minutes on its own,
///   then summed (a 61 s call and a 1 s call bill 2 + 1 = 3 minutes).
/// * [`MinutePolicy::CeilPerPeriod`]: the seconds of the whole period are summed first, then
///   rounded up once (61 s + 1 s = 62 s bill 2 minutes).
///
/// ```
/// use mediameter_core::MinutePolicy;
/// use rust_decimal_macros::dec;
///
/// let records = [61_u64, 1];
/// assert_eq!(MinutePolicy::CeilPerRecord.billable_minutes(records)?, dec!(3));
/// assert_eq!(MinutePolicy::CeilPerPeriod.billable_minutes(records)?, dec!(2));
/// assert_eq!(MinutePolicy::Exact.billable_minutes([90_u64])?, dec!(1.5));
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MinutePolicy {
    /// Fractional minutes: total seconds / 60.
    Exact,
    /// Each record rounded up to whole minutes, then summed.
    CeilPerRecord,
    /// Seconds summed over the period, rounded up once. The default: it never bills more than
    /// [`MinutePolicy::CeilPerRecord`] and it is what a per-period statement shows.
    #[default]
    CeilPerPeriod,
}

impl MinutePolicy {
    /// The canonical spelling: `exact`, `ceil_per_record` or `ceil_per_period` (as in JSON).
    ///
    /// ```
    /// use mediameter_core::MinutePolicy;
    /// for p in [MinutePolicy::Exact, MinutePolicy::CeilPerRecord, MinutePolicy::CeilPerPeriod] {
    ///     assert_eq!(p.as_str().parse::<MinutePolicy>()?, p);
    ///     assert_eq!(p.to_string(), p.as_str());
    /// }
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MinutePolicy::Exact => "exact",
            MinutePolicy::CeilPerRecord => "ceil_per_record",
            MinutePolicy::CeilPerPeriod => "ceil_per_period",
        }
    }

    /// Billable minutes for the records' durations in seconds.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] if the total does not fit in `u64` seconds.
    ///
    /// ```
    /// use mediameter_core::MinutePolicy;
    /// assert!(MinutePolicy::Exact.billable_minutes(std::iter::empty())?.is_zero());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn billable_minutes(
        self,
        record_seconds: impl IntoIterator<Item = u64>,
    ) -> Result<Decimal> {
        let overflow = || Error::overflow("billable minutes");
        match self {
            MinutePolicy::Exact => {
                let total = record_seconds
                    .into_iter()
                    .try_fold(0_u64, |acc, s| acc.checked_add(s))
                    .ok_or_else(overflow)?;
                Decimal::from(total)
                    .checked_div(Decimal::from(60))
                    .map(|m| m.normalize())
                    .ok_or_else(overflow)
            }
            MinutePolicy::CeilPerRecord => {
                let total = record_seconds
                    .into_iter()
                    .try_fold(0_u64, |acc, s| acc.checked_add(s.div_ceil(60)))
                    .ok_or_else(overflow)?;
                Ok(Decimal::from(total))
            }
            MinutePolicy::CeilPerPeriod => {
                let total = record_seconds
                    .into_iter()
                    .try_fold(0_u64, |acc, s| acc.checked_add(s))
                    .ok_or_else(overflow)?;
                Ok(Decimal::from(total.div_ceil(60)))
            }
        }
    }
}

impl fmt::Display for MinutePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MinutePolicy {
    type Err = Error;

    /// Accepts the canonical spelling and the same with hyphens (`ceil-per-period`), as
    /// command-line flags are usually written.
    ///
    /// ```
    /// use mediameter_core::MinutePolicy;
    /// assert_eq!("ceil-per-record".parse::<MinutePolicy>()?, MinutePolicy::CeilPerRecord);
    /// assert!("ceil".parse::<MinutePolicy>().is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "exact" => Ok(MinutePolicy::Exact),
            "ceil_per_record" | "ceil-per-record" => Ok(MinutePolicy::CeilPerRecord),
            "ceil_per_period" | "ceil-per-period" => Ok(MinutePolicy::CeilPerPeriod),
            _ => Err(Error::invalid(
                "minute policy",
                s,
                "exact, ceil_per_record or ceil_per_period",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn conversions_are_exact_both_ways() {
        let q = Quantity::new(dec!(7), Unit::Minute).unwrap();
        let back = q
            .convert(Unit::Second)
            .unwrap()
            .convert(Unit::Minute)
            .unwrap();
        assert_eq!(back.value(), dec!(7));
        assert_eq!(
            Quantity::seconds(1)
                .convert(Unit::Hour)
                .unwrap()
                .value()
                .round_dp(10),
            dec!(0.0002777778)
        );
    }

    #[test]
    fn policies_disagree_where_they_should() {
        let recs = [59_u64, 59, 59];
        assert_eq!(
            MinutePolicy::CeilPerRecord.billable_minutes(recs).unwrap(),
            dec!(3)
        );
        assert_eq!(
            MinutePolicy::CeilPerPeriod.billable_minutes(recs).unwrap(),
            dec!(3)
        );
        assert_eq!(
            MinutePolicy::Exact.billable_minutes(recs).unwrap(),
            dec!(2.95)
        );
        assert!(
            MinutePolicy::CeilPerPeriod
                .billable_minutes([u64::MAX, 1])
                .is_err()
        );
    }
}
