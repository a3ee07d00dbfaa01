//! Conversions to and from the `time` crate (feature `time`).

use chrono::{DateTime, Utc};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::time::TimeRange;

/// A chrono UTC instant as a `time::OffsetDateTime` at UTC, to the nanosecond.
///
/// # Errors
///
/// [`Error::OutOfRange`] when `time` cannot represent the instant (outside years ±9999).
///
/// ```
/// use mediameter_core::interop::{from_offset_date_time, to_offset_date_time};
/// let t = chrono::DateTime::from_timestamp(1_700_000_000, 123).ok_or("instant out of range")?;
/// let odt = to_offset_date_time(t)?;
/// assert_eq!(odt.unix_timestamp(), 1_700_000_000);
/// assert_eq!(from_offset_date_time(odt)?, t);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_offset_date_time(t: DateTime<Utc>) -> Result<OffsetDateTime> {
    let nanos = i128::from(t.timestamp())
        .checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(i128::from(t.timestamp_subsec_nanos())))
        .ok_or_else(|| Error::overflow("instant to time::OffsetDateTime"))?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| {
        Error::out_of_range(
            "instant",
            t.to_rfc3339(),
            "an instant the time crate can represent",
        )
    })
}

/// A `time::OffsetDateTime` (any offset) as a chrono UTC instant.
///
/// # Errors
///
/// [`Error::OutOfRange`] when chrono cannot represent it (never for `time`'s default range).
///
/// ```
/// use mediameter_core::interop::from_offset_date_time;
/// let odt = time::OffsetDateTime::UNIX_EPOCH;
/// assert_eq!(from_offset_date_time(odt)?.timestamp(), 0);
/// # Ok::<(), mediameter_core::Error>(())
/// ```
pub fn from_offset_date_time(t: OffsetDateTime) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond())
        .ok_or_else(|| Error::out_of_range("instant", t, "an instant chrono can represent"))
}

impl TimeRange {
    /// `[start, end)` from two `time::OffsetDateTime`s (feature `time`).
    ///
    /// # Errors
    ///
    /// As [`TimeRange::new`].
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// use time::{Duration, OffsetDateTime};
    /// let r = TimeRange::from_offset_date_times(OffsetDateTime::UNIX_EPOCH, OffsetDateTime::UNIX_EPOCH + Duration::hours(1))?;
    /// assert_eq!(r.seconds(), 3600);
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn from_offset_date_times(start: OffsetDateTime, end: OffsetDateTime) -> Result<TimeRange> {
        TimeRange::new(from_offset_date_time(start)?, from_offset_date_time(end)?)
    }

    /// The range's ends as `time::OffsetDateTime`s at UTC (feature `time`).
    ///
    /// # Errors
    ///
    /// As [`to_offset_date_time`].
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// let (s, e) = TimeRange::from_unix(0, 60)?.to_offset_date_times()?;
    /// assert_eq!((e - s).whole_seconds(), 60);
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn to_offset_date_times(&self) -> Result<(OffsetDateTime, OffsetDateTime)> {
        Ok((
            to_offset_date_time(self.start())?,
            to_offset_date_time(self.end())?,
        ))
    }
}
