//! Half-open UTC time ranges, billing zones, granularities and bucket splitting.
//!
//! Everything inside the workspace is UTC. A [`BillingZone`] appears only where a rule says
//! "aligned to the hour in GMT+8" or "a day in GMT+8": it decides where bucket boundaries fall,
//! never how instants are stored.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};

use crate::error::{Error, Result};

/// Seconds from 1970-01-01T00:00:00Z to 0001-01-01T00:00:00Z, the first supported instant.
///
/// ```
/// use mediameter_core::time::MIN_UNIX_SECONDS;
/// let t = chrono::DateTime::from_timestamp(MIN_UNIX_SECONDS, 0).ok_or("instant out of range")?;
/// assert_eq!(t.to_rfc3339(), "0001-01-01T00:00:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MIN_UNIX_SECONDS: i64 = -62_135_596_800;
/// Seconds from 1970-01-01T00:00:00Z to 10000-01-01T00:00:00Z, the (exclusive) end of the
/// supported instants.
///
/// ```
/// use mediameter_core::{TimeRange, time::END_UNIX_SECONDS};
/// assert!(TimeRange::from_unix(END_UNIX_SECONDS - 1, END_UNIX_SECONDS).is_ok());
/// assert!(TimeRange::from_unix(END_UNIX_SECONDS, END_UNIX_SECONDS + 1).is_err());
/// ```
pub const END_UNIX_SECONDS: i64 = 253_402_300_800;

const RANGE_EXPECTED: &str = "an instant from 0001-01-01T00:00:00Z up to 10000-01-01T00:00:00Z";

fn check_instant(field: &'static str, t: DateTime<Utc>) -> Result<()> {
    check_not_leap(field, t)?;
    let s = t.timestamp();
    // The end bound is exclusive for instants inside a range, but a range may end exactly at
    // it, so the caller checks the open side.
    if (MIN_UNIX_SECONDS..=END_UNIX_SECONDS).contains(&s) {
        Ok(())
    } else {
        Err(Error::out_of_range(field, t.to_rfc3339(), RANGE_EXPECTED))
    }
}

/// What a leap second is refused with: UTC inside the crates is Unix time, which has no
/// second 60.
const NO_LEAP_SECOND: &str =
    "an instant without a leap second (:60): Unix time, used inside, has no second 60";

/// Refuses a leap second (`23:59:60`, which chrono keeps as second 59 with 10⁹ or more
/// nanoseconds). Unix time has no such second, and chrono's arithmetic on it is not
/// Unix-time arithmetic: a range starting at one would split into pieces one second longer
/// than the range. RFC 3339 can write it, so every reader of instants checks.
fn check_not_leap(field: &'static str, t: DateTime<Utc>) -> Result<()> {
    if t.timestamp_subsec_nanos() >= 1_000_000_000 {
        Err(Error::invalid(field, &t.to_rfc3339(), NO_LEAP_SECOND))
    } else {
        Ok(())
    }
}

fn from_unix(secs: i64) -> DateTime<Utc> {
    // Callers only pass seconds inside [MIN_UNIX_SECONDS - 2 days, END_UNIX_SECONDS + 2 days],
    // which chrono (±262,000 years) always represents; the fallback is unreachable.
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Parses an instant written as RFC 3339 (`2024-03-01T00:00:00+08:00`, `...Z`) or as whole
/// Unix seconds (`1709222400`, optionally negative), the two forms every command-line flag
/// and request document of the workspace accepts. Surrounding whitespace is ignored.
///
/// The instant must lie in years 0001 to 9999, like every instant of a [`TimeRange`].
///
/// # Errors
///
/// [`Error::Invalid`] for text that is neither form (the message echoes a truncated copy);
/// [`Error::OutOfRange`] for an instant outside years 0001 to 9999.
///
/// ```
/// use mediameter_core::time::parse_instant;
/// assert_eq!(parse_instant("1709222400")?, parse_instant("2024-03-01T00:00:00+08:00")?);
/// assert_eq!(parse_instant(" 2024-02-29T16:00:00Z ")?.timestamp(), 1_709_222_400);
/// assert!(parse_instant("yesterday").is_err());
/// assert!(parse_instant("253402300800").is_err()); // 10000-01-01
/// # Ok::<(), mediameter_core::Error>(())
/// ```
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>> {
    const EXPECTED: &str = "an RFC 3339 instant (2024-03-01T00:00:00+08:00) or Unix seconds";
    let text = s.trim();
    let t = if let Ok(n) = text.parse::<i64>() {
        if !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&n) {
            return Err(Error::out_of_range(
                "instant",
                n,
                "Unix seconds of an instant in years 0001 to 9999",
            ));
        }
        from_unix(n)
    } else {
        DateTime::parse_from_rfc3339(text)
            .map_err(|_| Error::invalid("instant", s, EXPECTED))?
            .with_timezone(&Utc)
    };
    check_not_leap("instant", t)?;
    if !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&t.timestamp()) {
        return Err(Error::out_of_range(
            "instant",
            t.to_rfc3339(),
            RANGE_EXPECTED,
        ));
    }
    Ok(t)
}

/// A half-open interval of time `[start, end)` in UTC that is never empty or reversed.
///
/// Instants are limited to years 0001 to 9999 (the years an ISO 8601 four-digit year can
/// write), so that every bucket computation stays far from chrono's and `i64`'s limits.
///
/// ```
/// use mediameter_core::TimeRange;
/// use chrono::Utc;
///
/// let a = TimeRange::new(
///     "2023-03-20T00:45:30Z".parse::<chrono::DateTime<Utc>>()?,
///     "2023-03-20T00:55:30Z".parse::<chrono::DateTime<Utc>>()?,
/// )?;
/// assert_eq!(a.seconds(), 600);
/// assert!(TimeRange::new(a.end(), a.start()).is_err()); // reversed
/// assert!(TimeRange::new(a.start(), a.start()).is_err()); // empty
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "TimeRangeRepr", into = "TimeRangeRepr")
)]
pub struct TimeRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeRangeRepr {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[cfg(feature = "serde")]
impl TryFrom<TimeRangeRepr> for TimeRange {
    type Error = Error;
    fn try_from(r: TimeRangeRepr) -> Result<Self> {
        TimeRange::new(r.start, r.end)
    }
}

#[cfg(feature = "serde")]
impl From<TimeRange> for TimeRangeRepr {
    fn from(r: TimeRange) -> Self {
        TimeRangeRepr {
            start: r.start,
            end: r.end,
        }
    }
}

impl TimeRange {
    /// `[start, end)`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when `end` is not after `start`; [`Error::OutOfRange`] when either
    /// end lies outside years 0001–9999.
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// use chrono::DateTime;
    /// let t = DateTime::UNIX_EPOCH;
    /// assert!(TimeRange::new(t, t + chrono::TimeDelta::seconds(1)).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self> {
        check_instant("range start", start)?;
        check_instant("range end", end)?;
        if end <= start {
            return Err(Error::invalid(
                "time range",
                &format!("[{}, {})", start.to_rfc3339(), end.to_rfc3339()),
                "an end strictly after the start",
            ));
        }
        if start.timestamp() >= END_UNIX_SECONDS {
            return Err(Error::out_of_range(
                "range start",
                start.to_rfc3339(),
                RANGE_EXPECTED,
            ));
        }
        if end.timestamp() == END_UNIX_SECONDS && end.timestamp_subsec_nanos() > 0 {
            return Err(Error::out_of_range(
                "range end",
                end.to_rfc3339(),
                RANGE_EXPECTED,
            ));
        }
        Ok(TimeRange { start, end })
    }

    /// `[start, end)` from Unix seconds.
    ///
    /// # Errors
    ///
    /// As [`TimeRange::new`].
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// let r = TimeRange::from_unix(1_700_000_000, 1_700_003_600)?;
    /// assert_eq!(r.seconds(), 3600);
    /// assert!(TimeRange::from_unix(i64::MIN, 0).is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn from_unix(start: i64, end: i64) -> Result<Self> {
        let check = |field, s: i64| {
            if (MIN_UNIX_SECONDS..=END_UNIX_SECONDS).contains(&s) {
                Ok(from_unix(s))
            } else {
                Err(Error::out_of_range(
                    field,
                    s,
                    "Unix seconds of an instant in years 0001 to 9999",
                ))
            }
        };
        TimeRange::new(check("range start", start)?, check("range end", end)?)
    }

    /// The first instant inside the range.
    ///
    /// ```
    /// let r = mediameter_core::TimeRange::from_unix(10, 20)?;
    /// assert_eq!(r.start().timestamp(), 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the range.
    ///
    /// ```
    /// let r = mediameter_core::TimeRange::from_unix(10, 20)?;
    /// assert_eq!(r.end().timestamp(), 20);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// The length of the range.
    ///
    /// ```
    /// let r = mediameter_core::TimeRange::from_unix(10, 20)?;
    /// assert_eq!(r.duration(), chrono::TimeDelta::seconds(10));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn duration(&self) -> TimeDelta {
        self.end.signed_duration_since(self.start)
    }

    /// The length in whole seconds, rounded down (ranges built from whole seconds are exact).
    ///
    /// ```
    /// let r = mediameter_core::TimeRange::from_unix(0, 86_400)?;
    /// assert_eq!(r.seconds(), 86_400);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn seconds(&self) -> u64 {
        // A valid range is positive and under 10,000 years, so the conversion cannot fail.
        u64::try_from(self.duration().num_seconds()).unwrap_or(0)
    }

    /// Whether `t` lies inside `[start, end)`.
    ///
    /// ```
    /// use chrono::DateTime;
    /// let r = mediameter_core::TimeRange::from_unix(10, 20)?;
    /// assert!(r.contains(DateTime::from_timestamp(10, 0).ok_or("instant out of range")?));
    /// assert!(!r.contains(DateTime::from_timestamp(20, 0).ok_or("instant out of range")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether `other` lies wholly inside `self`.
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// let outer = TimeRange::from_unix(0, 100)?;
    /// assert!(outer.contains_range(&TimeRange::from_unix(0, 100)?));
    /// assert!(!outer.contains_range(&TimeRange::from_unix(50, 101)?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn contains_range(&self, other: &TimeRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two ranges share at least one instant (touching ends do not).
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// let a = TimeRange::from_unix(0, 10)?;
    /// assert!(!a.overlaps(&TimeRange::from_unix(10, 20)?));
    /// assert!(a.overlaps(&TimeRange::from_unix(9, 20)?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The shared part of two ranges, or `None` if they do not overlap.
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// let a = TimeRange::from_unix(0, 10)?;
    /// let b = TimeRange::from_unix(5, 20)?;
    /// assert_eq!(a.intersection(&b), Some(TimeRange::from_unix(5, 10)?));
    /// assert_eq!(a.intersection(&TimeRange::from_unix(10, 11)?), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn intersection(&self, other: &TimeRange) -> Option<TimeRange> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(TimeRange { start, end })
    }
}

/// Prints `"[start, end)"` in RFC 3339 UTC (`"[2023-03-20T00:45:30Z, 2023-03-20T01:10:00Z)"`);
/// [`FromStr`] reads it back.
impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}, {})",
            self.start
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            self.end
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        )
    }
}

impl FromStr for TimeRange {
    type Err = Error;

    /// Parses `"[start, end)"` with two RFC 3339 instants, as printed by `Display`; an
    /// instant with an offset is converted to UTC. The range is checked as by
    /// [`TimeRange::new`].
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// let r: TimeRange = "[2023-03-20T00:45:30Z, 2023-03-20T01:10:00Z)".parse()?;
    /// assert_eq!(r.seconds(), 1470);
    /// assert_eq!(r.to_string().parse::<TimeRange>()?, r);
    /// assert_eq!("[2023-03-20T08:45:30+08:00, 2023-03-20T01:10:00Z)".parse::<TimeRange>()?, r);
    /// assert!("[2023-03-20T01:10:00Z, 2023-03-20T00:45:30Z)".parse::<TimeRange>().is_err());
    /// assert!("2023-03-20T00:45:30Z/2023-03-20T01:10:00Z".parse::<TimeRange>().is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let expected = "\"[start, end)\" with two RFC 3339 instants";
        if s.len() > 128 {
            return Err(Error::invalid("time range", s, expected));
        }
        let (start, end) = s
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|inner| inner.split_once(", "))
            .ok_or_else(|| Error::invalid("time range", s, expected))?;
        let instant = |field: &'static str, text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| Error::invalid(field, text, "an RFC 3339 instant"))
        };
        TimeRange::new(instant("range start", start)?, instant("range end", end)?)
    }
}

/// The fixed UTC offset in which a vendor aligns its buckets and bills ("settled on the hour in
/// GMT+8").
///
/// Any offset strictly between −24 h and +24 h is accepted, to the second. Zones with daylight
/// saving are deliberately not supported: the vendors bill in fixed offsets, and an hour that
/// happens twice cannot be settled once.
///
/// ```
/// use mediameter_core::BillingZone;
///
/// assert_eq!(BillingZone::GMT8.offset_seconds(), 8 * 3600);
/// assert_eq!("GMT+8".parse::<BillingZone>()?, BillingZone::GMT8);
/// assert_eq!("+05:30".parse::<BillingZone>()?.to_string(), "GMT+05:30");
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct BillingZone {
    offset: i32,
}

impl BillingZone {
    /// UTC (GMT+0), used by Alibaba's producer-usage API and by Huawei's REST times.
    ///
    /// ```
    /// assert_eq!(mediameter_core::BillingZone::UTC.to_string(), "GMT+00:00");
    /// ```
    pub const UTC: BillingZone = BillingZone { offset: 0 };
    /// GMT+8 (China Standard Time): where the Chinese vendors settle and draw day boundaries.
    ///
    /// ```
    /// assert_eq!(mediameter_core::BillingZone::GMT8.to_string(), "GMT+08:00");
    /// ```
    pub const GMT8: BillingZone = BillingZone { offset: 8 * 3600 };

    /// A zone `seconds` east of UTC (negative: west).
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] unless `-86_400 < seconds < 86_400`.
    ///
    /// ```
    /// use mediameter_core::BillingZone;
    /// assert!(BillingZone::from_offset_seconds(-5 * 3600).is_ok());
    /// assert!(BillingZone::from_offset_seconds(86_400).is_err());
    /// ```
    pub fn from_offset_seconds(seconds: i32) -> Result<Self> {
        if seconds <= -86_400 || seconds >= 86_400 {
            return Err(Error::out_of_range(
                "zone offset seconds",
                seconds,
                "-86399..=86399",
            ));
        }
        Ok(BillingZone { offset: seconds })
    }

    /// Seconds east of UTC.
    ///
    /// ```
    /// assert_eq!(mediameter_core::BillingZone::UTC.offset_seconds(), 0);
    /// ```
    #[must_use]
    pub const fn offset_seconds(self) -> i32 {
        self.offset
    }

    /// The chrono offset, for formatting local times.
    ///
    /// ```
    /// use mediameter_core::BillingZone;
    /// assert_eq!(BillingZone::GMT8.fixed_offset().local_minus_utc(), 28_800);
    /// ```
    #[must_use]
    pub fn fixed_offset(self) -> FixedOffset {
        // The constructor keeps the offset inside chrono's accepted range.
        FixedOffset::east_opt(self.offset).unwrap_or_else(|| chrono::Offset::fix(&Utc))
    }

    /// The calendar date of `t` in this zone.
    ///
    /// ```
    /// use mediameter_core::BillingZone;
    /// use chrono::{NaiveDate, Utc};
    /// let t = "2023-03-19T16:00:00Z".parse::<chrono::DateTime<Utc>>()?;
    /// assert_eq!(BillingZone::GMT8.local_date(t)?, "2023-03-20".parse::<NaiveDate>()?);
    /// assert!(BillingZone::GMT8.local_date(chrono::DateTime::<Utc>::MAX_UTC).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] when `t` is outside years 0001–9999 (chrono cannot shift its
    /// extreme instants by an offset, and no bill needs them).
    pub fn local_date(self, t: DateTime<Utc>) -> Result<NaiveDate> {
        let out_of_range = || Error::out_of_range("instant", t.to_rfc3339(), RANGE_EXPECTED);
        if !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&t.timestamp()) {
            return Err(out_of_range());
        }
        // Inside years 0001–9999 the shifted instant is always representable.
        t.naive_utc()
            .checked_add_offset(self.fixed_offset())
            .map(|local| local.date())
            .ok_or_else(out_of_range)
    }

    /// The UTC instant at which local `date` begins in this zone (a GMT+8 day begins at 16:00
    /// UTC the day before).
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] if that instant is outside years 0001–9999.
    ///
    /// ```
    /// use mediameter_core::BillingZone;
    /// use chrono::{NaiveDate, Utc};
    /// let d = "2023-03-20".parse::<NaiveDate>()?;
    /// assert_eq!(BillingZone::GMT8.start_of_day(d)?, "2023-03-19T16:00:00Z".parse::<chrono::DateTime<Utc>>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_of_day(self, date: NaiveDate) -> Result<DateTime<Utc>> {
        let local_midnight = date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
        let secs = local_midnight.saturating_sub(i64::from(self.offset));
        if !(MIN_UNIX_SECONDS..=END_UNIX_SECONDS).contains(&secs) {
            return Err(Error::out_of_range("start of day", date, RANGE_EXPECTED));
        }
        Ok(from_unix(secs))
    }
}

impl fmt::Display for BillingZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.offset < 0 { '-' } else { '+' };
        let abs = self.offset.unsigned_abs();
        let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
        if s == 0 {
            write!(f, "GMT{sign}{h:02}:{m:02}")
        } else {
            write!(f, "GMT{sign}{h:02}:{m:02}:{s:02}")
        }
    }
}

impl FromStr for BillingZone {
    type Err = Error;

    /// Accepts `UTC`, `GMT`, `Z`, and an offset with an optional `GMT`/`UTC` prefix:
    /// `+8`, `+08`, `+0800`, `+08:00`, `+08:00:00`, `GMT+8`, `UTC-05:30`.
    fn from_str(s: &str) -> Result<Self> {
        const EXPECTED: &str = "UTC, GMT, Z or an offset such as GMT+8, +08:00, -0530";
        let bad = || Error::invalid("billing zone", s, EXPECTED);
        if s.is_empty() || s.len() > 16 {
            return Err(bad());
        }
        let rest = s
            .strip_prefix("GMT")
            .or_else(|| s.strip_prefix("UTC"))
            .unwrap_or(s);
        if rest.is_empty() || s == "Z" {
            return Ok(BillingZone::UTC);
        }
        let (sign, digits) = match rest.as_bytes().first() {
            Some(b'+') => (1_i32, rest.get(1..).unwrap_or_default()),
            Some(b'-') => (-1_i32, rest.get(1..).unwrap_or_default()),
            _ => return Err(bad()),
        };
        let num = |t: &str| -> Result<i32> {
            if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            t.parse::<i32>().map_err(|_| bad())
        };
        let parts: Vec<&str> = if digits.contains(':') {
            digits.split(':').collect()
        } else if digits.len() == 4 {
            vec![
                digits.get(..2).unwrap_or_default(),
                digits.get(2..).unwrap_or_default(),
            ]
        } else {
            vec![digits]
        };
        let (h, m, sec) = match parts.as_slice() {
            [h] => (num(h)?, 0, 0),
            [h, m] => (num(h)?, num(m)?, 0),
            [h, m, sec] => (num(h)?, num(m)?, num(sec)?),
            _ => return Err(bad()),
        };
        if h > 23 || m > 59 || sec > 59 {
            return Err(bad());
        }
        // h ≤ 23, m ≤ 59, sec ≤ 59: the total is below 86,400 and cannot overflow.
        let total = h
            .saturating_mul(3600)
            .saturating_add(m.saturating_mul(60))
            .saturating_add(sec);
        BillingZone::from_offset_seconds(sign.saturating_mul(total))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for BillingZone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for BillingZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The width of a time bucket, in whole seconds, dividing a day evenly so that buckets line up
/// with local midnight in every zone.
///
/// ```
/// use mediameter_core::Granularity;
///
/// assert_eq!(Granularity::from_seconds(3600)?, Granularity::HOUR);
/// assert_eq!(Granularity::DAY.seconds(), 86_400);
/// assert!(Granularity::from_seconds(7).is_err()); // does not divide a day
/// assert!(Granularity::from_seconds(0).is_err());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Granularity(NonZeroU32);

impl Granularity {
    /// One minute.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Granularity::MINUTE.seconds(), 60);
    /// ```
    pub const MINUTE: Granularity = Granularity(NonZeroU32::MIN.saturating_add(59));
    /// One hour: the vendors' `Interval=3600`.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Granularity::HOUR.to_string(), "3600s");
    /// ```
    pub const HOUR: Granularity = Granularity(NonZeroU32::MIN.saturating_add(3599));
    /// One day: the vendors' `Interval=86400`.
    ///
    /// ```
    /// assert_eq!("day".parse::<mediameter_core::Granularity>()?, mediameter_core::Granularity::DAY);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const DAY: Granularity = Granularity(NonZeroU32::MIN.saturating_add(86_399));

    /// A granularity of `seconds`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] unless `seconds` is positive and divides 86,400.
    ///
    /// ```
    /// use mediameter_core::Granularity;
    /// assert_eq!(Granularity::from_seconds(300)?.seconds(), 300);
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn from_seconds(seconds: u32) -> Result<Self> {
        match NonZeroU32::new(seconds) {
            Some(n) if 86_400 % n == 0 => Ok(Granularity(n)),
            _ => Err(Error::invalid(
                "granularity seconds",
                &seconds.to_string(),
                "a whole number of seconds that divides a day, such as 60, 300, 3600 (hour) or 86400 (day)",
            )),
        }
    }

    /// Width in seconds.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Granularity::HOUR.seconds(), 3600);
    /// ```
    #[must_use]
    pub const fn seconds(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

impl FromStr for Granularity {
    type Err = Error;

    /// Accepts a number of seconds (`3600`, `3600s`) or `minute`, `hour`, `day`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "minute" => Ok(Granularity::MINUTE),
            "hour" => Ok(Granularity::HOUR),
            "day" => Ok(Granularity::DAY),
            _ => {
                let digits = s.strip_suffix('s').unwrap_or(s);
                if digits.is_empty()
                    || digits.len() > 5
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(Error::invalid(
                        "granularity",
                        s,
                        "seconds dividing a day (e.g. 3600) or minute, hour, day",
                    ));
                }
                let n = digits
                    .parse::<u32>()
                    .map_err(|_| Error::invalid("granularity", s, "seconds dividing a day"))?;
                Granularity::from_seconds(n)
            }
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Granularity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u32(self.seconds())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Granularity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Granularity::from_seconds(u32::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Buckets of one [`Granularity`] aligned in one [`BillingZone`]: the grid a vendor settles
/// or reports on.
///
/// Bucket `k` covers local time `[k·w, (k+1)·w)` seconds after the local epoch, i.e. UTC
/// `[k·w − offset, (k+1)·w − offset)`. A GMT+8 day therefore starts at 16:00 UTC the day before.
///
/// ```
/// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
///
/// let days = Buckets::new(BillingZone::GMT8, Granularity::DAY);
/// // 2023-11-14 15:00Z .. 17:00Z crosses midnight in GMT+8 (16:00Z).
/// let r = TimeRange::from_unix(1_699_974_000, 1_699_981_200)?;
/// let pieces: Vec<_> = days.split(r).map(|p| (p.bucket_start().timestamp(), p.seconds())).collect();
/// assert_eq!(pieces, vec![(1_699_891_200, 3600), (1_699_977_600, 3600)]);
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Buckets {
    zone: BillingZone,
    granularity: Granularity,
}

impl Buckets {
    /// Buckets of `granularity` aligned in `zone`.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity};
    /// let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
    /// assert_eq!(hours.granularity(), Granularity::HOUR);
    /// ```
    #[must_use]
    pub const fn new(zone: BillingZone, granularity: Granularity) -> Self {
        Buckets { zone, granularity }
    }

    /// The alignment zone.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity};
    /// assert_eq!(Buckets::new(BillingZone::UTC, Granularity::DAY).zone(), BillingZone::UTC);
    /// ```
    #[must_use]
    pub const fn zone(&self) -> BillingZone {
        self.zone
    }

    /// The bucket width.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity};
    /// assert_eq!(Buckets::new(BillingZone::UTC, Granularity::DAY).granularity(), Granularity::DAY);
    /// ```
    #[must_use]
    pub const fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// The index of the bucket holding Unix second `t` (floor of local seconds / width).
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity};
    /// let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
    /// assert_eq!(hours.index_of(0), 8);
    /// assert_eq!(hours.index_of(-1), 7);
    /// ```
    #[inline]
    #[must_use]
    pub fn index_of(&self, t: i64) -> i64 {
        let local = t.saturating_add(i64::from(self.zone.offset));
        local.div_euclid(i64::from(self.granularity.seconds()))
    }

    /// The Unix second at which bucket `index` starts.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity};
    /// let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
    /// assert_eq!(hours.start_of_index(8), 0);
    /// ```
    #[inline]
    #[must_use]
    pub fn start_of_index(&self, index: i64) -> i64 {
        index
            .saturating_mul(i64::from(self.granularity.seconds()))
            .saturating_sub(i64::from(self.zone.offset))
    }

    /// The UTC start of the bucket that holds `t`.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity};
    /// use chrono::Utc;
    /// let days = Buckets::new(BillingZone::GMT8, Granularity::DAY);
    /// let t = "2023-03-20T01:00:00Z".parse::<chrono::DateTime<Utc>>()?;
    /// assert_eq!(days.bucket_start(t), "2023-03-19T16:00:00Z".parse::<chrono::DateTime<Utc>>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn bucket_start(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        from_unix(self.start_of_index(self.index_of(t.timestamp())))
    }

    /// How many buckets `range` touches. Computed, not counted: O(1) for any range.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
    /// let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
    /// let all = TimeRange::from_unix(mediameter_core::time::MIN_UNIX_SECONDS, mediameter_core::time::END_UNIX_SECONDS)?;
    /// assert_eq!(hours.count(all), 87_649_416); // 3,652,059 days × 24
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn count(&self, range: TimeRange) -> u64 {
        let (first, last) = self.index_span(range);
        u64::try_from(last.saturating_sub(first))
            .unwrap_or(0)
            .saturating_add(1)
    }

    fn index_span(&self, range: TimeRange) -> (i64, i64) {
        let first = self.index_of(range.start.timestamp());
        // The last instant inside the range is end − 1 ns: the bucket of end's second, unless
        // end falls exactly on a second, in which case the second before it.
        let end_s = range.end.timestamp();
        let last_s = if range.end.timestamp_subsec_nanos() == 0 {
            end_s.saturating_sub(1)
        } else {
            end_s
        };
        (first, self.index_of(last_s))
    }

    /// Splits `range` into one piece per bucket it touches, in time order. The pieces are
    /// disjoint, each lies inside one bucket, and together they cover `range` exactly.
    ///
    /// The iterator is lazy: a range over all of years 0001–9999 at hourly granularity costs
    /// nothing until iterated. Use [`Buckets::count`] to size the work first, or
    /// [`Buckets::split_bounded`] to refuse a range that touches too many buckets.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
    /// let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
    /// let r = TimeRange::from_unix(1_000, 9_000)?;
    /// assert_eq!(hours.split(r).map(|p| p.seconds()).sum::<u64>(), 8_000);
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn split(&self, range: TimeRange) -> BucketPieces {
        let (first, last) = self.index_span(range);
        BucketPieces {
            buckets: *self,
            range,
            next: first,
            last,
            first: true,
            done: false,
        }
    }

    /// As [`Buckets::split`], collected, refusing ranges that touch more than `limit` buckets.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] when the range touches more than `limit` buckets.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange, time};
    /// let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
    /// let hostile = TimeRange::from_unix(time::MIN_UNIX_SECONDS, time::END_UNIX_SECONDS)?;
    /// assert!(hours.split_bounded(hostile, 10_000).is_err());
    /// assert_eq!(hours.split_bounded(TimeRange::from_unix(0, 7200)?, 10)?.len(), 2);
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn split_bounded(&self, range: TimeRange, limit: usize) -> Result<Vec<BucketPiece>> {
        let count = self.count(range);
        let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
        if count > limit_u64 {
            return Err(Error::TooLarge {
                what: "splitting a time range into buckets",
                count,
                limit: limit_u64,
            });
        }
        Ok(self.split(range).collect())
    }

    /// Splits whole Unix seconds `[start, end)` into `(bucket start, seconds)` pairs: the
    /// allocation-free fast path for aggregation over second-precision records. An empty or
    /// reversed span yields nothing.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity};
    /// let hours = Buckets::new(BillingZone::GMT8, Granularity::HOUR);
    /// let v: Vec<_> = hours.split_seconds(3000, 7300).collect();
    /// assert_eq!(v, vec![(0, 600), (3600, 3600), (7200, 100)]);
    /// ```
    #[inline]
    #[must_use]
    pub fn split_seconds(&self, start: i64, end: i64) -> SecondPieces {
        let width = i64::from(self.granularity.seconds());
        let first = self.start_of_index(self.index_of(start));
        SecondPieces {
            cursor: start,
            bucket: first,
            width,
            end,
        }
    }
}

/// One piece of a range inside one bucket: see [`Buckets::split`].
///
/// ```
/// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
/// let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
/// let p = hours.split(TimeRange::from_unix(60, 120)?).next().ok_or("no piece")?;
/// assert_eq!(p.bucket_start().timestamp(), 0);
/// assert_eq!(p.range(), TimeRange::from_unix(60, 120)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BucketPiece {
    // Unix seconds, converted on demand: building a DateTime costs more than the whole split
    // of a one-bucket range, and most callers only need the index or the seconds.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "bucket_start", serialize_with = "serialize_unix")
    )]
    bucket_start: i64,
    range: TimeRange,
}

#[cfg(feature = "serde")]
fn serialize_unix<S: serde::Serializer>(secs: &i64, s: S) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&from_unix(*secs), s)
}

impl BucketPiece {
    /// UTC start of the bucket this piece lies in.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
    /// let days = Buckets::new(BillingZone::GMT8, Granularity::DAY);
    /// let p = days.split(TimeRange::from_unix(0, 1)?).next().ok_or("no piece")?;
    /// assert_eq!(p.bucket_start().timestamp(), -8 * 3600);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn bucket_start(&self) -> DateTime<Utc> {
        from_unix(self.bucket_start)
    }

    /// Unix seconds at which the bucket starts (the cheap form of [`BucketPiece::bucket_start`]).
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
    /// let days = Buckets::new(BillingZone::GMT8, Granularity::DAY);
    /// let p = days.split(TimeRange::from_unix(0, 1)?).next().ok_or("no piece")?;
    /// assert_eq!(p.bucket_start_unix(), -8 * 3600);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn bucket_start_unix(&self) -> i64 {
        self.bucket_start
    }

    /// The part of the split range inside this bucket.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
    /// let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
    /// let p = hours.split(TimeRange::from_unix(3500, 3700)?).nth(1).ok_or("no second piece")?;
    /// assert_eq!(p.range(), TimeRange::from_unix(3600, 3700)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn range(&self) -> TimeRange {
        self.range
    }

    /// Whole seconds in this piece.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
    /// let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
    /// assert_eq!(hours.split(TimeRange::from_unix(3500, 3700)?).next().ok_or("no piece")?.seconds(), 100);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn seconds(&self) -> u64 {
        self.range.seconds()
    }
}

/// Lazy iterator over the pieces of a range: see [`Buckets::split`].
///
/// ```
/// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
/// let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
/// let mut it = hours.split(TimeRange::from_unix(0, 86_400)?);
/// assert_eq!(it.nth(23).map(|p| p.bucket_start_unix()), Some(82_800)); // O(1) skip
/// assert!(it.next().is_none());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BucketPieces {
    buckets: Buckets,
    range: TimeRange,
    next: i64,
    last: i64,
    first: bool,
    done: bool,
}

impl BucketPieces {
    /// Pieces not yet yielded.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};
    /// let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
    /// let mut it = hours.split(TimeRange::from_unix(0, 7201)?);
    /// assert_eq!(it.remaining(), 3);
    /// it.next();
    /// assert_eq!(it.remaining(), 2);
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn remaining(&self) -> u64 {
        if self.done {
            0
        } else {
            u64::try_from(self.last.saturating_sub(self.next))
                .unwrap_or(0)
                .saturating_add(1)
        }
    }
}

impl Iterator for BucketPieces {
    type Item = BucketPiece;

    #[inline]
    fn next(&mut self) -> Option<BucketPiece> {
        if self.done {
            return None;
        }
        let idx = self.next;
        let bucket = self.buckets.start_of_index(idx);
        // The first piece starts where the range does; later ones on their bucket's start.
        let start = if self.first {
            self.range.start
        } else {
            from_unix(bucket)
        };
        self.first = false;
        let end = if idx >= self.last {
            self.done = true;
            self.range.end
        } else {
            self.next = idx.saturating_add(1);
            from_unix(bucket.saturating_add(i64::from(self.buckets.granularity.seconds())))
        };
        Some(BucketPiece {
            bucket_start: bucket,
            range: TimeRange { start, end },
        })
    }

    /// Skips `n` buckets in O(1), so the tail of a huge range is reachable without walking it.
    #[inline]
    fn nth(&mut self, n: usize) -> Option<BucketPiece> {
        let skip = i64::try_from(n).unwrap_or(i64::MAX);
        if self.done || skip > self.last.saturating_sub(self.next) {
            self.done = true;
            return None;
        }
        if skip > 0 {
            self.first = false;
        }
        self.next = self.next.saturating_add(skip);
        self.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining()).ok();
        (n.unwrap_or(usize::MAX), n)
    }
}

impl std::iter::FusedIterator for BucketPieces {}

/// Iterator over `(bucket start, seconds)` of a span of whole seconds: see
/// [`Buckets::split_seconds`].
///
/// ```
/// use mediameter_core::{BillingZone, Buckets, Granularity};
/// let days = Buckets::new(BillingZone::GMT8, Granularity::DAY);
/// assert_eq!(days.split_seconds(57_600, 57_600).count(), 0); // empty span
/// assert_eq!(days.split_seconds(0, 57_601).collect::<Vec<_>>(), [(-28_800, 57_600), (57_600, 1)]);
/// ```
#[derive(Debug, Clone)]
pub struct SecondPieces {
    cursor: i64,
    bucket: i64,
    width: i64,
    end: i64,
}

impl Iterator for SecondPieces {
    type Item = (i64, u64);

    #[inline]
    fn next(&mut self) -> Option<(i64, u64)> {
        if self.cursor >= self.end {
            return None;
        }
        let bucket = self.bucket;
        let bucket_end = bucket.saturating_add(self.width);
        let stop = bucket_end.min(self.end);
        let secs = u64::try_from(stop.saturating_sub(self.cursor)).unwrap_or(0);
        self.cursor = stop;
        self.bucket = bucket_end;
        Some((bucket, secs))
    }
}

impl std::iter::FusedIterator for SecondPieces {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_display_parse_roundtrip() {
        for off in [-86_399, -19_800, -3600, 0, 1, 28_800, 45_296, 86_399] {
            let z = BillingZone::from_offset_seconds(off).unwrap();
            assert_eq!(z.to_string().parse::<BillingZone>().unwrap(), z, "{z}");
        }
        for s in ["UTC", "GMT", "Z", "+00:00", "GMT+0"] {
            assert_eq!(s.parse::<BillingZone>().unwrap(), BillingZone::UTC, "{s}");
        }
        for s in ["GMT+8", "+8", "+08", "+0800", "+08:00", "UTC+08:00:00"] {
            assert_eq!(s.parse::<BillingZone>().unwrap(), BillingZone::GMT8, "{s}");
        }
        for s in [
            "",
            "+",
            "+24",
            "+8:60",
            "GMT+123",
            "8",
            "+08:00:00:00",
            "gmt+8",
            "+1a",
        ] {
            assert!(s.parse::<BillingZone>().is_err(), "{s:?} should be refused");
        }
    }

    #[test]
    fn gmt8_day_starts_at_16_utc() {
        let days = Buckets::new(BillingZone::GMT8, Granularity::DAY);
        // 2023-03-19T16:00:00Z is 2023-03-20T00:00+08:00.
        let t = 1_679_241_600;
        assert_eq!(days.start_of_index(days.index_of(t)), t);
        assert_eq!(days.start_of_index(days.index_of(t - 1)), t - 86_400);
    }

    #[test]
    fn sub_second_ends_are_split_exactly() {
        let start = DateTime::from_timestamp(3599, 500_000_000).unwrap();
        let end = DateTime::from_timestamp(3600, 250_000_000).unwrap();
        let r = TimeRange::new(start, end).unwrap();
        let hours = Buckets::new(BillingZone::UTC, Granularity::HOUR);
        let pieces: Vec<_> = hours.split(r).collect();
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].range().duration(), TimeDelta::milliseconds(500));
        assert_eq!(pieces[1].range().duration(), TimeDelta::milliseconds(250));
        assert_eq!(hours.count(r), 2);
    }

    #[test]
    fn range_limits() {
        assert!(TimeRange::from_unix(MIN_UNIX_SECONDS, END_UNIX_SECONDS).is_ok());
        assert!(TimeRange::from_unix(MIN_UNIX_SECONDS - 1, 0).is_err());
        assert!(TimeRange::from_unix(0, END_UNIX_SECONDS + 1).is_err());
        let all = TimeRange::from_unix(MIN_UNIX_SECONDS, END_UNIX_SECONDS).unwrap();
        let west = Buckets::new(
            BillingZone::from_offset_seconds(-86_399).unwrap(),
            Granularity::DAY,
        );
        let first = west.split(all).next().unwrap();
        assert_eq!(first.range().start(), all.start());
        assert_eq!(west.split(all).remaining(), west.count(all));
    }
}
