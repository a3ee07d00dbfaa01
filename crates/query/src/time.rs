//! Strict, hand-written parsers and printers for the two time formats the vendors document
//! (described in the crate docs, "Time formats").

use std::fmt;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use mediameter_core::time::{END_UNIX_SECONDS, MIN_UNIX_SECONDS};

/// Longest time value, in bytes, that a parser looks at. Longer input is refused before any
/// other check: the longest lenient form (` 2023-01-01t00:00:00.123456789-00:00 ` with spaces)
/// is well under it.
pub const MAX_TIME_LEN: usize = 64;

/// Largest offset magnitude in minutes (23:59).
const MAX_OFFSET_MINUTES: i16 = 23 * 60 + 59;

/// A documented wire format for instants.
///
/// ```
/// use mediameter_query::TimeFormat;
/// assert_eq!(TimeFormat::UtcSeconds.pattern(), "yyyy-MM-ddTHH:mm:ssZ");
/// assert_eq!(TimeFormat::Rfc3339.to_string(), "rfc3339"); // the serialized name
/// assert_eq!("utc_seconds".parse::<TimeFormat>()?, TimeFormat::UtcSeconds);
/// # Ok::<(), mediameter_query::ParseNameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum TimeFormat {
    /// `yyyy-MM-ddTHH:mm:ssZ`, always UTC (Alibaba Cloud Live and Huawei Cloud RTC API references).
    UtcSeconds,
    /// RFC 3339 `date-time` with seconds and an offset `±hh:mm` or `Z` (Volcengine RTC API
    /// reference).
    Rfc3339,
}

crate::names::named!(TimeFormat, "time format",
    TimeFormat::UtcSeconds => "utc_seconds",
    TimeFormat::Rfc3339 => "rfc3339",
);

impl TimeFormat {
    /// The pattern as the vendor documents it, for error messages.
    ///
    /// ```
    /// use mediameter_query::TimeFormat;
    /// assert_eq!(TimeFormat::Rfc3339.pattern(), "yyyy-MM-ddTHH:mm:ss±hh:mm (RFC 3339)");
    /// ```
    #[must_use]
    pub const fn pattern(self) -> &'static str {
        match self {
            TimeFormat::UtcSeconds => "yyyy-MM-ddTHH:mm:ssZ",
            TimeFormat::Rfc3339 => "yyyy-MM-ddTHH:mm:ss±hh:mm (RFC 3339)",
        }
    }
}

/// Which lenient readings a parser accepts. Every switch is off in [`Leniency::STRICT`] (the
/// default); see [Time formats](crate#time-formats) for what each one does.
///
/// `#[non_exhaustive]`: a vendor may be found to send another near-miss worth a switch. Start
/// from [`Leniency::STRICT`] (or [`Leniency::ALL`]) and turn switches with the `with_` methods;
/// read them from the public fields.
///
/// ```
/// use mediameter_query::{parse_time, Leniency, TimeFormat};
/// assert!(parse_time("2023-01-01t00:00:00z", TimeFormat::UtcSeconds, Leniency::STRICT).is_err());
/// let lower = Leniency::STRICT.with_lowercase(true);
/// assert!(parse_time("2023-01-01t00:00:00z", TimeFormat::UtcSeconds, lower).is_ok());
/// ```
///
/// A literal, or a struct update from a constant, does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_query::Leniency;
/// let lower = Leniency { lowercase: true, ..Leniency::STRICT };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[allow(clippy::struct_excessive_bools)] // independent switches, each documented
#[non_exhaustive]
pub struct Leniency {
    /// Accept `t` and `z` for `T` and `Z`.
    pub lowercase: bool,
    /// Accept fractional seconds (one digit or more) after the seconds; the instant keeps
    /// nanoseconds, digits past the ninth are dropped without rounding.
    pub fractional_seconds: bool,
    /// Accept `:60` at 23:59:60 UTC on 30 June or 31 December, folded onto `:59`.
    pub leap_second: bool,
    /// Accept the RFC 3339 "unknown local offset" `-00:00` as UTC.
    pub unknown_offset: bool,
    /// Accept the ISO 8601 basic offset `+0800` for `+08:00`.
    pub basic_offset: bool,
    /// Trim ASCII spaces and tabs around the value.
    pub surrounding_space: bool,
}

impl Leniency {
    /// Nothing lenient: exactly the documented format.
    pub const STRICT: Leniency = Leniency {
        lowercase: false,
        fractional_seconds: false,
        leap_second: false,
        unknown_offset: false,
        basic_offset: false,
        surrounding_space: false,
    };

    /// Every lenient reading on.
    ///
    /// ```
    /// use mediameter_query::{parse_time, Leniency, TimeFormat};
    /// let t = parse_time(" 2016-12-31t23:59:60.5+0000 ", TimeFormat::Rfc3339, Leniency::ALL)?;
    /// assert_eq!(t.to_string(), "2016-12-31T23:59:59.5Z");
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    pub const ALL: Leniency = Leniency {
        lowercase: true,
        fractional_seconds: true,
        leap_second: true,
        unknown_offset: true,
        basic_offset: true,
        surrounding_space: true,
    };

    /// The same switches, with [`Leniency::lowercase`] (accept `t` and `z` for `T` and `Z`) set to `on`.
    ///
    /// ```
    /// use mediameter_query::Leniency;
    /// assert!(Leniency::STRICT.with_lowercase(true).lowercase);
    /// assert!(!Leniency::ALL.with_lowercase(false).lowercase);
    /// ```
    #[must_use]
    pub const fn with_lowercase(mut self, on: bool) -> Self {
        self.lowercase = on;
        self
    }

    /// The same switches, with [`Leniency::fractional_seconds`] (accept fractional seconds) set to `on`.
    ///
    /// ```
    /// use mediameter_query::Leniency;
    /// assert!(Leniency::STRICT.with_fractional_seconds(true).fractional_seconds);
    /// assert!(!Leniency::ALL.with_fractional_seconds(false).fractional_seconds);
    /// ```
    #[must_use]
    pub const fn with_fractional_seconds(mut self, on: bool) -> Self {
        self.fractional_seconds = on;
        self
    }

    /// The same switches, with [`Leniency::leap_second`] (accept `:60` at the end of June or December) set to `on`.
    ///
    /// ```
    /// use mediameter_query::Leniency;
    /// assert!(Leniency::STRICT.with_leap_second(true).leap_second);
    /// assert!(!Leniency::ALL.with_leap_second(false).leap_second);
    /// ```
    #[must_use]
    pub const fn with_leap_second(mut self, on: bool) -> Self {
        self.leap_second = on;
        self
    }

    /// The same switches, with [`Leniency::unknown_offset`] (accept the offset `-00:00` as UTC) set to `on`.
    ///
    /// ```
    /// use mediameter_query::Leniency;
    /// assert!(Leniency::STRICT.with_unknown_offset(true).unknown_offset);
    /// assert!(!Leniency::ALL.with_unknown_offset(false).unknown_offset);
    /// ```
    #[must_use]
    pub const fn with_unknown_offset(mut self, on: bool) -> Self {
        self.unknown_offset = on;
        self
    }

    /// The same switches, with [`Leniency::basic_offset`] (accept the basic offset `+0800`) set to `on`.
    ///
    /// ```
    /// use mediameter_query::Leniency;
    /// assert!(Leniency::STRICT.with_basic_offset(true).basic_offset);
    /// assert!(!Leniency::ALL.with_basic_offset(false).basic_offset);
    /// ```
    #[must_use]
    pub const fn with_basic_offset(mut self, on: bool) -> Self {
        self.basic_offset = on;
        self
    }

    /// The same switches, with [`Leniency::surrounding_space`] (accept spaces and tabs around the value) set to `on`.
    ///
    /// ```
    /// use mediameter_query::Leniency;
    /// assert!(Leniency::STRICT.with_surrounding_space(true).surrounding_space);
    /// assert!(!Leniency::ALL.with_surrounding_space(false).surrounding_space);
    /// ```
    #[must_use]
    pub const fn with_surrounding_space(mut self, on: bool) -> Self {
        self.surrounding_space = on;
        self
    }
}

/// Why a time value was refused.
///
/// ```
/// use mediameter_query::TimeErrorReason;
/// assert_eq!(TimeErrorReason::Fraction.to_string(), "fractional seconds are not accepted (Leniency::fractional_seconds)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeErrorReason {
    /// Longer than [`MAX_TIME_LEN`] bytes.
    TooLong,
    /// A byte at `at` is not what the format needs there.
    Syntax {
        /// Byte offset (after trimming, when trimming is on).
        at: usize,
        /// What the format needs there.
        expected: &'static str,
    },
    /// A field is outside its calendar range (month 13, 30 February, hour 24, offset 24:00...).
    FieldRange {
        /// The field: `month`, `day`, `hour`, `minute`, `second` or `offset`.
        field: &'static str,
    },
    /// The instant is outside `0001-01-01T00:00:00Z ..< 10000-01-01T00:00:00Z`.
    OutOfRange,
    /// `t` or `z` in lowercase.
    Lowercase,
    /// Fractional seconds.
    Fraction,
    /// A leap second `:60`.
    LeapSecond,
    /// The unknown offset `-00:00`.
    UnknownOffset,
    /// A basic-format offset such as `+0800`.
    BasicOffset,
    /// Spaces or tabs around the value.
    Space,
    /// An offset where the format requires `Z`.
    OffsetNotAllowed,
}

impl fmt::Display for TimeErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeErrorReason::TooLong => write!(f, "longer than {MAX_TIME_LEN} bytes"),
            TimeErrorReason::Syntax { at, expected } => {
                write!(f, "expected {expected} at byte {at}")
            }
            TimeErrorReason::FieldRange { field } => write!(f, "{field} is out of range"),
            TimeErrorReason::OutOfRange => {
                f.write_str("instant outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
            }
            TimeErrorReason::Lowercase => {
                f.write_str("lowercase 't' or 'z' is not accepted (Leniency::lowercase)")
            }
            TimeErrorReason::Fraction => {
                f.write_str("fractional seconds are not accepted (Leniency::fractional_seconds)")
            }
            TimeErrorReason::LeapSecond => {
                f.write_str("a leap second :60 is not accepted (Leniency::leap_second)")
            }
            TimeErrorReason::UnknownOffset => {
                f.write_str("the unknown offset -00:00 is not accepted (Leniency::unknown_offset)")
            }
            TimeErrorReason::BasicOffset => {
                f.write_str("an offset without ':' is not accepted (Leniency::basic_offset)")
            }
            TimeErrorReason::Space => {
                f.write_str("surrounding spaces are not accepted (Leniency::surrounding_space)")
            }
            TimeErrorReason::OffsetNotAllowed => {
                f.write_str("the format requires 'Z', not an offset")
            }
        }
    }
}

/// A time value that did not parse, or an instant that cannot be written: the value (truncated
/// to [`mediameter_core::error::ECHO_LIMIT`] characters) and why. The crate's
/// [`Error`](crate::Error) carries it as `Error::Time`.
///
/// ```
/// use mediameter_query::{parse_time, Leniency, TimeErrorReason, TimeFormat};
/// let err = parse_time("2023-13-01T00:00:00Z", TimeFormat::UtcSeconds, Leniency::STRICT).unwrap_err();
/// assert_eq!(err.reason(), TimeErrorReason::FieldRange { field: "month" });
/// assert_eq!(err.value(), "2023-13-01T00:00:00Z");
/// assert_eq!(err.to_string(), "invalid time \"2023-13-01T00:00:00Z\": month is out of range");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    value: String,
    reason: TimeErrorReason,
}

impl TimeError {
    fn new(value: &str, reason: TimeErrorReason) -> Self {
        TimeError {
            value: mediameter_core::error::truncate(value),
            reason,
        }
    }

    /// The refused text, truncated.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Why it was refused.
    #[must_use]
    pub fn reason(&self) -> TimeErrorReason {
        self.reason
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid time {:?}: {}", self.value, self.reason)
    }
}

impl std::error::Error for TimeError {}

/// An instant together with the offset it was written in.
///
/// The offset is kept so that printing gives the value back in the caller's own form; it never
/// changes the instant. Invariant: the instant is inside the supported range and its local time
/// at the offset has a four-digit year, so it can always be printed.
///
/// ```
/// use mediameter_query::{parse_time, Leniency, TimeFormat};
/// let t = parse_time("2021-07-24T00:00:00+08:00", TimeFormat::Rfc3339, Leniency::STRICT)?;
/// assert_eq!(t.instant().to_rfc3339(), "2021-07-23T16:00:00+00:00");
/// assert_eq!(t.offset_minutes(), 480);
/// assert_eq!(t.to_string(), "2021-07-24T00:00:00+08:00");
/// # Ok::<(), mediameter_query::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParsedTime {
    instant: DateTime<Utc>,
    offset_minutes: i16,
}

impl ParsedTime {
    /// `instant` as written at `offset_minutes` east of UTC.
    ///
    /// # Errors
    ///
    /// [`TimeError`] with [`TimeErrorReason::FieldRange`] for an offset beyond ±23:59, and
    /// [`TimeErrorReason::OutOfRange`] when the instant, or its local time at the offset, is
    /// outside years 0001 (0000 locally) to 9999.
    ///
    /// ```
    /// use mediameter_query::ParsedTime;
    /// use chrono::Utc;
    /// let t = "2021-07-23T16:00:00Z".parse::<chrono::DateTime<Utc>>()?;
    /// assert_eq!(ParsedTime::new(t, 480)?.to_string(), "2021-07-24T00:00:00+08:00");
    /// assert!(ParsedTime::new(t, 24 * 60).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(instant: DateTime<Utc>, offset_minutes: i16) -> Result<Self, TimeError> {
        let fail = |reason| TimeError::new(&instant.to_rfc3339(), reason);
        if offset_minutes.unsigned_abs() > MAX_OFFSET_MINUTES.unsigned_abs() {
            return Err(fail(TimeErrorReason::FieldRange { field: "offset" }));
        }
        let secs = instant.timestamp();
        if !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&secs) {
            return Err(fail(TimeErrorReason::OutOfRange));
        }
        let local = secs.saturating_add(i64::from(offset_minutes).saturating_mul(60));
        // Local year 0000 starts 366 days (a leap year) before 0001-01-01.
        if local < MIN_UNIX_SECONDS.saturating_sub(366 * 86_400) || local >= END_UNIX_SECONDS {
            return Err(fail(TimeErrorReason::OutOfRange));
        }
        Ok(ParsedTime {
            instant,
            offset_minutes,
        })
    }

    /// The instant, in UTC.
    ///
    /// ```
    /// use mediameter_query::{parse_time, Leniency, TimeFormat};
    /// let t = parse_time("2020-04-23T07:00:00Z", TimeFormat::UtcSeconds, Leniency::STRICT)?;
    /// assert_eq!(t.instant().timestamp(), 1_587_625_200);
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    #[must_use]
    pub const fn instant(&self) -> DateTime<Utc> {
        self.instant
    }

    /// Minutes east of UTC the value was written in (0 for `Z`).
    ///
    /// ```
    /// use mediameter_query::{parse_time, Leniency, TimeFormat};
    /// let t = parse_time("2020-04-23T07:00:00-05:30", TimeFormat::Rfc3339, Leniency::STRICT)?;
    /// assert_eq!(t.offset_minutes(), -330);
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    #[must_use]
    pub const fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// The value printed in `format`: [`format_utc`] for [`TimeFormat::UtcSeconds`] (the offset
    /// is dropped, the instant kept), RFC 3339 at the stored offset otherwise.
    ///
    /// ```
    /// use mediameter_query::{parse_time, Leniency, TimeFormat};
    /// let t = parse_time("2021-07-24T00:00:00+08:00", TimeFormat::Rfc3339, Leniency::STRICT)?;
    /// assert_eq!(t.format(TimeFormat::UtcSeconds), "2021-07-23T16:00:00Z");
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    #[must_use]
    pub fn format(&self, format: TimeFormat) -> String {
        match format {
            TimeFormat::UtcSeconds => format_utc(self.instant),
            TimeFormat::Rfc3339 => self.to_string(),
        }
    }

    /// Appends the text [`ParsedTime::format`] returns to `out`: for years 0001–9999, without
    /// the formatting machinery or an intermediate `String` (a server writes one per time value
    /// it hands on); any other instant through [`ParsedTime::format`] itself.
    ///
    /// ```
    /// use mediameter_query::{parse_time, Leniency, TimeFormat};
    /// let t = parse_time("2021-07-24T00:00:00+08:00", TimeFormat::Rfc3339, Leniency::STRICT)?;
    /// let mut out = b"start=".to_vec();
    /// t.write_text(TimeFormat::Rfc3339, &mut out);
    /// assert_eq!(out, b"start=2021-07-24T00:00:00+08:00");
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    pub fn write_text(&self, format: TimeFormat, out: &mut Vec<u8>) {
        let offset = match format {
            TimeFormat::UtcSeconds => 0,
            TimeFormat::Rfc3339 => self.offset_minutes,
        };
        let local = self
            .instant
            .timestamp()
            .checked_add(i64::from(offset).saturating_mul(60));
        let text = local.and_then(|s| local_text(s, self.instant.timestamp_subsec_nanos()));
        let Some((buf, len)) = text else {
            out.extend_from_slice(self.format(format).as_bytes());
            return;
        };
        out.extend_from_slice(buf.get(..len).unwrap_or_default());
        if offset == 0 {
            out.push(b'Z');
        } else {
            let abs = u32::from(offset.unsigned_abs());
            let [h0, h1] = digits::<2>(abs.wrapping_div(60));
            let [m0, m1] = digits::<2>(abs.wrapping_rem(60));
            let sign = if offset < 0 { b'-' } else { b'+' };
            out.extend_from_slice(&[sign, h0, h1, b':', m0, m1]);
        }
    }

    /// As [`ParsedTime::format`], written into `f` without an intermediate `String`.
    pub(crate) fn write_in(&self, f: &mut dyn fmt::Write, format: TimeFormat) -> fmt::Result {
        match format {
            TimeFormat::UtcSeconds
                if (MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&self.instant.timestamp()) =>
            {
                write_local(f, &self.instant.naive_utc())?;
                f.write_char('Z')
            }
            TimeFormat::UtcSeconds => f.write_str(&self.instant.to_rfc3339()),
            TimeFormat::Rfc3339 => write!(f, "{self}"),
        }
    }
}

impl fmt::Display for ParsedTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = chrono::TimeDelta::minutes(i64::from(self.offset_minutes));
        let local = self
            .instant
            .naive_utc()
            .checked_add_signed(offset)
            .unwrap_or(self.instant.naive_utc());
        write_local(f, &local)?;
        if self.offset_minutes == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let abs = self.offset_minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
    }
}

/// Reads back what `Display` prints: RFC 3339 with seconds, an optional fraction and an
/// offset or `Z` ([`TimeFormat::Rfc3339`], with [`Leniency::fractional_seconds`] on and every
/// other switch off).
///
/// ```
/// use mediameter_query::ParsedTime;
/// let t: ParsedTime = "2021-07-24T00:00:00.25+08:00".parse()?;
/// assert_eq!(t.to_string().parse::<ParsedTime>()?, t);
/// assert!("2021-07-24 00:00:00Z".parse::<ParsedTime>().is_err());
/// # Ok::<(), mediameter_query::TimeError>(())
/// ```
impl std::str::FromStr for ParsedTime {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Self, TimeError> {
        let printed = Leniency {
            fractional_seconds: true,
            ..Leniency::STRICT
        };
        parse(s, TimeFormat::Rfc3339, printed)
    }
}

/// `v`'s last `N` decimal digits, zero-padded.
fn digits<const N: usize>(mut v: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for d in out.iter_mut().rev() {
        *d = b'0'.wrapping_add(u8::try_from(v.wrapping_rem(10)).unwrap_or(0));
        v = v.wrapping_div(10);
    }
    out
}

/// `yyyy-MM-ddTHH:mm:ss[.fraction]` of `t` (trailing zeros of the fraction dropped): by hand
/// for years 0001–9999 ([`local_text`]), through chrono's formatting otherwise and for a leap
/// second.
fn write_local(f: &mut dyn fmt::Write, t: &chrono::NaiveDateTime) -> fmt::Result {
    let text = local_text(t.and_utc().timestamp(), t.nanosecond());
    let Some((buf, len)) = text else {
        return write_local_general(f, t);
    };
    // ASCII digits and separators only.
    f.write_str(std::str::from_utf8(buf.get(..len).unwrap_or_default()).map_err(|_| fmt::Error)?)
}

/// The longest text of [`local_text`]: `yyyy-MM-ddTHH:mm:ss.fffffffff`.
const LOCAL_LEN: usize = 29;

/// `yyyy-MM-ddTHH:mm:ss[.fraction]` of `secs` (Unix seconds of a local time) and `nanos`, the
/// fraction without trailing zeros, as bytes and their length; `None` outside years 0001–9999
/// (no four-digit year) and for a leap second (`nanos` of a second or more).
///
/// Digits by hand: this runs for every time value a gateway hands on, and the formatting
/// machinery was most of its cost.
fn local_text(secs: i64, nanos: u32) -> Option<([u8; LOCAL_LEN], usize)> {
    if !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&secs) || nanos >= 1_000_000_000 {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let of_day = u32::try_from(secs.rem_euclid(86_400)).unwrap_or(0);
    let (year, month, day) = civil(days);
    let [y0, y1, y2, y3] = digits::<4>(year);
    let [mo0, mo1] = digits::<2>(month);
    let [d0, d1] = digits::<2>(day);
    let [h0, h1] = digits::<2>(of_day.wrapping_div(3600));
    let [mi0, mi1] = digits::<2>(of_day.wrapping_rem(3600).wrapping_div(60));
    let [s0, s1] = digits::<2>(of_day.wrapping_rem(60));
    let mut buf = [b'0'; LOCAL_LEN];
    let head = [
        y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1,
    ];
    let (date_time, rest) = buf.split_at_mut(head.len());
    date_time.copy_from_slice(&head);
    if nanos == 0 {
        return Some((buf, head.len()));
    }
    let fraction = digits::<9>(nanos);
    let kept = fraction
        .iter()
        .rposition(|d| *d != b'0')
        .map_or(0, |i| i.saturating_add(1));
    if let Some((dot, tail)) = rest.split_first_mut() {
        *dot = b'.';
        for (slot, d) in tail.iter_mut().zip(fraction.iter().take(kept)) {
            *slot = *d;
        }
    }
    Some((buf, head.len().saturating_add(1).saturating_add(kept)))
}

/// The proleptic Gregorian (year, month, day) of `days` since 1970-01-01, for the days of
/// years 0001–9999 (H. Hinnant's `civil_from_days`: eras of 400 years counted from 0000-03-01,
/// so that the leap day ends each year).
fn civil(days: i64) -> (u32, u32, u32) {
    // Shifted to 0000-03-01: non-negative from 0001-01-01 on, and small enough up to 9999 that
    // no step below can overflow (the wrapping operations only say so to the lints).
    let z = u64::try_from(days.wrapping_add(719_468)).unwrap_or(0);
    let era = z.wrapping_div(146_097);
    let doe = z.wrapping_rem(146_097); // day of era, 0..=146_096
    // Year of era, 0..=399.
    let yoe = doe
        .wrapping_sub(doe.wrapping_div(1460))
        .wrapping_add(doe.wrapping_div(36_524))
        .wrapping_sub(doe.wrapping_div(146_096))
        .wrapping_div(365);
    // Day of the year from March 1st, 0..=365.
    let doy = doe.wrapping_sub(
        yoe.wrapping_mul(365)
            .wrapping_add(yoe.wrapping_div(4))
            .wrapping_sub(yoe.wrapping_div(100)),
    );
    let mp = doy.wrapping_mul(5).wrapping_add(2).wrapping_div(153); // month from March, 0..=11
    let day = doy
        .wrapping_sub(mp.wrapping_mul(153).wrapping_add(2).wrapping_div(5))
        .wrapping_add(1);
    let month = if mp < 10 {
        mp.wrapping_add(3)
    } else {
        mp.wrapping_sub(9)
    };
    let year = era
        .wrapping_mul(400)
        .wrapping_add(yoe)
        .wrapping_add(u64::from(month <= 2));
    let small = |v: u64| u32::try_from(v).unwrap_or(0);
    (small(year), small(month), small(day))
}

fn write_local_general(f: &mut dyn fmt::Write, t: &chrono::NaiveDateTime) -> fmt::Result {
    use chrono::Datelike;
    write!(
        f,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )?;
    let nanos = t.nanosecond();
    if nanos != 0 {
        let mut digits = format!("{nanos:09}");
        while digits.ends_with('0') {
            digits.pop();
        }
        write!(f, ".{digits}")?;
    }
    Ok(())
}

/// Prints `t` as `yyyy-MM-ddTHH:mm:ssZ`, with a fraction (trailing zeros dropped) only when
/// `t` has one.
///
/// Instants outside years 0001–9999 cannot be written in four digits; they are printed as
/// chrono's RFC 3339 and will not parse back.
///
/// ```
/// use mediameter_query::format_utc;
/// use chrono::Utc;
/// assert_eq!(format_utc("2018-09-30T16:00:00Z".parse::<chrono::DateTime<Utc>>()?), "2018-09-30T16:00:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn format_utc(t: DateTime<Utc>) -> String {
    if !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&t.timestamp()) {
        return t.to_rfc3339();
    }
    let mut s = String::with_capacity(30);
    // Writing to a String cannot fail.
    let _ = write_local(&mut s, &t.naive_utc());
    s.push('Z');
    s
}

/// Parses `input` in `format`, accepting only the lenient readings switched on in `leniency`.
///
/// # Errors
///
/// [`TimeError`] naming the (truncated) value and a [`TimeErrorReason`].
///
/// ```
/// use mediameter_query::{parse_time, Leniency, TimeFormat, TimeErrorReason};
///
/// let t = parse_time("2018-09-30T16:00:00Z", TimeFormat::UtcSeconds, Leniency::STRICT)?;
/// assert_eq!(t.instant().timestamp(), 1_538_323_200);
///
/// let err = parse_time("2018-09-30T16:00:00+08:00", TimeFormat::UtcSeconds, Leniency::STRICT).unwrap_err();
/// assert_eq!(err.reason(), TimeErrorReason::OffsetNotAllowed);
/// # Ok::<(), mediameter_query::Error>(())
/// ```
pub fn parse(input: &str, format: TimeFormat, leniency: Leniency) -> Result<ParsedTime, TimeError> {
    parse_bytes(input.as_bytes(), format, leniency).map_err(|reason| TimeError::new(input, reason))
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn digit(b: &[u8], at: usize, expected: &'static str) -> Result<u32, TimeErrorReason> {
    match b.get(at) {
        Some(&c) if c.is_ascii_digit() => Ok(u32::from(c.wrapping_sub(b'0'))),
        _ => Err(TimeErrorReason::Syntax { at, expected }),
    }
}

fn two(b: &[u8], at: usize, expected: &'static str) -> Result<u32, TimeErrorReason> {
    let hi = digit(b, at, expected)?;
    let lo = digit(b, at.saturating_add(1), expected)?;
    Ok(hi.saturating_mul(10).saturating_add(lo))
}

fn byte(b: &[u8], at: usize, want: u8, expected: &'static str) -> Result<(), TimeErrorReason> {
    if b.get(at) == Some(&want) {
        Ok(())
    } else {
        Err(TimeErrorReason::Syntax { at, expected })
    }
}

/// The allocation-free parser behind [`parse`]; validation calls it directly so that a refused
/// value costs no allocation until the error is rendered.
pub(crate) fn parse_bytes(
    input: &[u8],
    format: TimeFormat,
    leniency: Leniency,
) -> Result<ParsedTime, TimeErrorReason> {
    if input.len() > MAX_TIME_LEN {
        return Err(TimeErrorReason::TooLong);
    }
    let mut b = input;
    if b.first().copied().is_some_and(is_space) || b.last().copied().is_some_and(is_space) {
        if !leniency.surrounding_space {
            return Err(TimeErrorReason::Space);
        }
        while let [first, rest @ ..] = b {
            if !is_space(*first) {
                break;
            }
            b = rest;
        }
        while let [rest @ .., last] = b {
            if !is_space(*last) {
                break;
            }
            b = rest;
        }
    }
    if b.len() < 20 {
        return Err(TimeErrorReason::Syntax {
            at: b.len(),
            expected: "yyyy-MM-ddTHH:mm:ss and a zone",
        });
    }
    let year = two(b, 0, "a 4-digit year")?
        .saturating_mul(100)
        .saturating_add(two(b, 2, "a 4-digit year")?);
    byte(b, 4, b'-', "'-'")?;
    let month = two(b, 5, "a 2-digit month")?;
    byte(b, 7, b'-', "'-'")?;
    let day = two(b, 8, "a 2-digit day")?;
    match b.get(10) {
        Some(b'T') => {}
        Some(b't') if leniency.lowercase => {}
        Some(b't') => return Err(TimeErrorReason::Lowercase),
        _ => {
            return Err(TimeErrorReason::Syntax {
                at: 10,
                expected: "'T'",
            });
        }
    }
    let hour = two(b, 11, "a 2-digit hour")?;
    byte(b, 13, b':', "':'")?;
    let minute = two(b, 14, "a 2-digit minute")?;
    byte(b, 16, b':', "':'")?;
    let second = two(b, 17, "a 2-digit second")?;
    let mut pos = 19_usize;
    let mut nanos = 0_u32;
    if b.get(pos) == Some(&b'.') {
        if !leniency.fractional_seconds {
            return Err(TimeErrorReason::Fraction);
        }
        pos = 20;
        // RFC 3339 allows any number of digits; nanoseconds keep the first nine and the rest
        // are dropped (truncation: a value never rounds up into the next second).
        let mut count = 0_u32;
        let mut any = false;
        while let Some(&c) = b.get(pos) {
            if !c.is_ascii_digit() {
                break;
            }
            any = true;
            if count < 9 {
                nanos = nanos
                    .saturating_mul(10)
                    .saturating_add(u32::from(c.wrapping_sub(b'0')));
                count = count.saturating_add(1);
            }
            pos = pos.saturating_add(1);
        }
        if !any {
            return Err(TimeErrorReason::Syntax {
                at: pos,
                expected: "a fractional digit",
            });
        }
        nanos = nanos.saturating_mul(10_u32.saturating_pow(9_u32.saturating_sub(count)));
    }
    let zone_expected = match format {
        TimeFormat::UtcSeconds => "'Z'",
        TimeFormat::Rfc3339 => "'Z' or an offset ±hh:mm",
    };
    let offset_minutes: i16 = match b.get(pos) {
        Some(b'Z') => {
            pos = pos.saturating_add(1);
            0
        }
        Some(b'z') if leniency.lowercase => {
            pos = pos.saturating_add(1);
            0
        }
        Some(b'z') => return Err(TimeErrorReason::Lowercase),
        Some(&sign @ (b'+' | b'-')) => {
            if format == TimeFormat::UtcSeconds {
                return Err(TimeErrorReason::OffsetNotAllowed);
            }
            let oh = two(b, pos.saturating_add(1), "a 2-digit offset hour")?;
            let om = if b.get(pos.saturating_add(3)) == Some(&b':') {
                let m = two(b, pos.saturating_add(4), "a 2-digit offset minute")?;
                pos = pos.saturating_add(6);
                m
            } else if b.get(pos.saturating_add(3)).is_some_and(u8::is_ascii_digit) {
                if !leniency.basic_offset {
                    return Err(TimeErrorReason::BasicOffset);
                }
                let m = two(b, pos.saturating_add(3), "a 2-digit offset minute")?;
                pos = pos.saturating_add(5);
                m
            } else {
                return Err(TimeErrorReason::Syntax {
                    at: pos.saturating_add(3),
                    expected: "':'",
                });
            };
            if oh > 23 || om > 59 {
                return Err(TimeErrorReason::FieldRange { field: "offset" });
            }
            let magnitude = i16::try_from(oh.saturating_mul(60).saturating_add(om))
                .unwrap_or(MAX_OFFSET_MINUTES);
            if sign == b'-' {
                if magnitude == 0 && !leniency.unknown_offset {
                    return Err(TimeErrorReason::UnknownOffset);
                }
                magnitude.saturating_neg()
            } else {
                magnitude
            }
        }
        _ => {
            return Err(TimeErrorReason::Syntax {
                at: pos,
                expected: zone_expected,
            });
        }
    };
    if pos != b.len() {
        return Err(TimeErrorReason::Syntax {
            at: pos,
            expected: "the end of the value",
        });
    }
    if !(1..=12).contains(&month) {
        return Err(TimeErrorReason::FieldRange { field: "month" });
    }
    if hour > 23 {
        return Err(TimeErrorReason::FieldRange { field: "hour" });
    }
    if minute > 59 {
        return Err(TimeErrorReason::FieldRange { field: "minute" });
    }
    let leap = second == 60;
    if second > 60 {
        return Err(TimeErrorReason::FieldRange { field: "second" });
    }
    if leap && !leniency.leap_second {
        return Err(TimeErrorReason::LeapSecond);
    }
    let year = i32::try_from(year).map_err(|_| TimeErrorReason::FieldRange { field: "year" })?;
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or(TimeErrorReason::FieldRange { field: "day" })?;
    let sec = if leap { 59 } else { second };
    let local = date
        .and_hms_opt(hour, minute, sec)
        .ok_or(TimeErrorReason::FieldRange { field: "second" })?;
    let utc_secs = local
        .and_utc()
        .timestamp()
        .saturating_sub(i64::from(offset_minutes).saturating_mul(60));
    if !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&utc_secs) {
        return Err(TimeErrorReason::OutOfRange);
    }
    let instant = if offset_minutes == 0 {
        // Already UTC: the local time is the instant (no conversion from Unix seconds back to
        // a calendar date). `nanos` has at most nine digits, so it is below one second.
        local
            .with_nanosecond(nanos)
            .ok_or(TimeErrorReason::OutOfRange)?
            .and_utc()
    } else {
        DateTime::from_timestamp(utc_secs, nanos).ok_or(TimeErrorReason::OutOfRange)?
    };
    if leap {
        use chrono::Datelike;
        let on_leap_day = matches!((instant.month(), instant.day()), (6, 30) | (12, 31));
        if !(on_leap_day && instant.hour() == 23 && instant.minute() == 59) {
            return Err(TimeErrorReason::FieldRange { field: "second" });
        }
    }
    Ok(ParsedTime {
        instant,
        offset_minutes,
    })
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {

    proptest::proptest! {
        /// Accepted instants, UTC or with an offset, are chrono's reading of the same text
        /// (the reference).
        #[test]
        fn instants_as_chrono_reads_them(
            secs in -62_135_596_800_i64..253_402_300_800,
            nanos in 0_u32..1_000_000_000,
            offset in proptest::prop_oneof![proptest::strategy::Just(0_i32), -1439_i32..=1439],
        ) {
            let Some(t) = chrono::DateTime::from_timestamp(secs, nanos) else { return Ok(()) };
            let Some(zone) = chrono::FixedOffset::east_opt(offset * 60) else { return Ok(()) };
            let text = t.with_timezone(&zone).format("%Y-%m-%dT%H:%M:%S%.f%:z").to_string();
            let text = text.replace("+00:00", "Z");
            let lenient = Leniency { fractional_seconds: true, ..Leniency::STRICT };
            if let (Ok(ours), Ok(reference)) = (
                parse_bytes(text.as_bytes(), TimeFormat::Rfc3339, lenient),
                chrono::DateTime::parse_from_rfc3339(&text),
            ) {
                proptest::prop_assert_eq!(ours.instant(), reference.to_utc());
            }
        }

        /// The hand-written digits against chrono's formatting machinery, as the reference.
        #[test]
        fn fast_formatting_matches_the_general_one(secs in -62_135_596_800_i64..253_402_300_800, nanos in 0_u32..2_000_000_000) {
            if let Some(t) = chrono::DateTime::from_timestamp(secs, nanos) {
                let mut fast = String::new();
                let mut general = String::new();
                write_local(&mut fast, &t.naive_utc()).unwrap();
                write_local_general(&mut general, &t.naive_utc()).unwrap();
                proptest::prop_assert_eq!(fast, general);
            }
        }
    }
    use super::*;
    use chrono::TimeZone;

    const S: Leniency = Leniency::STRICT;

    fn reason(s: &str, f: TimeFormat, l: Leniency) -> TimeErrorReason {
        parse_bytes(s.as_bytes(), f, l).unwrap_err()
    }

    #[test]
    fn strict_utc_seconds() {
        let t = parse("2018-10-31T15:59:59Z", TimeFormat::UtcSeconds, S).unwrap();
        assert_eq!(
            t.instant(),
            Utc.with_ymd_and_hms(2018, 10, 31, 15, 59, 59).unwrap()
        );
        assert_eq!(format_utc(t.instant()), "2018-10-31T15:59:59Z");
    }

    #[test]
    fn each_leniency_is_its_own_switch() {
        let f = TimeFormat::Rfc3339;
        let cases: [(&str, TimeErrorReason, Leniency); 6] = [
            (
                "2023-01-01t00:00:00Z",
                TimeErrorReason::Lowercase,
                Leniency {
                    lowercase: true,
                    ..S
                },
            ),
            (
                "2023-01-01T00:00:00.25Z",
                TimeErrorReason::Fraction,
                Leniency {
                    fractional_seconds: true,
                    ..S
                },
            ),
            (
                "2016-12-31T23:59:60Z",
                TimeErrorReason::LeapSecond,
                Leniency {
                    leap_second: true,
                    ..S
                },
            ),
            (
                "2023-01-01T00:00:00-00:00",
                TimeErrorReason::UnknownOffset,
                Leniency {
                    unknown_offset: true,
                    ..S
                },
            ),
            (
                "2023-01-01T08:00:00+0800",
                TimeErrorReason::BasicOffset,
                Leniency {
                    basic_offset: true,
                    ..S
                },
            ),
            (
                " 2023-01-01T00:00:00Z",
                TimeErrorReason::Space,
                Leniency {
                    surrounding_space: true,
                    ..S
                },
            ),
        ];
        for (input, why, lenient) in cases {
            assert_eq!(reason(input, f, S), why, "{input}");
            assert!(parse(input, f, lenient).is_ok(), "{input}");
        }
    }

    #[test]
    fn leap_second_only_at_a_month_end_in_utc() {
        let l = Leniency {
            leap_second: true,
            ..S
        };
        let t = parse("2016-12-31T23:59:60Z", TimeFormat::UtcSeconds, l).unwrap();
        assert_eq!(
            t.instant(),
            Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap()
        );
        // The same leap second written in GMT+8.
        assert!(parse("2017-01-01T07:59:60+08:00", TimeFormat::Rfc3339, l).is_ok());
        assert_eq!(
            reason("2016-12-30T23:59:60Z", TimeFormat::UtcSeconds, l),
            TimeErrorReason::FieldRange { field: "second" }
        );
        assert_eq!(
            reason("2016-12-31T22:59:60Z", TimeFormat::UtcSeconds, l),
            TimeErrorReason::FieldRange { field: "second" }
        );
    }

    #[test]
    fn years_and_offsets_at_the_edges() {
        let f = TimeFormat::Rfc3339;
        assert_eq!(
            reason("0000-01-01T00:00:00Z", f, S),
            TimeErrorReason::OutOfRange
        );
        assert!(parse("0000-12-31T23:30:00-01:00", f, S).is_ok());
        assert_eq!(
            reason("0001-01-01T00:30:00+01:00", f, S),
            TimeErrorReason::OutOfRange
        );
        assert!(parse("9999-12-31T23:59:59Z", f, S).is_ok());
        assert_eq!(
            reason("9999-12-31T23:30:00-01:00", f, S),
            TimeErrorReason::OutOfRange
        );
        assert_eq!(
            reason("2023-01-01T00:00:00+24:00", f, S),
            TimeErrorReason::FieldRange { field: "offset" }
        );
    }

    #[test]
    fn field_ranges() {
        let f = TimeFormat::UtcSeconds;
        assert_eq!(
            reason("2023-02-29T00:00:00Z", f, S),
            TimeErrorReason::FieldRange { field: "day" }
        );
        assert!(parse("2024-02-29T00:00:00Z", f, S).is_ok());
        assert_eq!(
            reason("2023-00-10T00:00:00Z", f, S),
            TimeErrorReason::FieldRange { field: "month" }
        );
        assert_eq!(
            reason("2023-01-10T24:00:00Z", f, S),
            TimeErrorReason::FieldRange { field: "hour" }
        );
        assert_eq!(
            reason("2023-01-10T23:60:00Z", f, S),
            TimeErrorReason::FieldRange { field: "minute" }
        );
        assert_eq!(
            reason("2023-01-10T23:00:61Z", f, S),
            TimeErrorReason::FieldRange { field: "second" }
        );
    }

    #[test]
    fn length_is_checked_first() {
        let long = "9".repeat(1 << 20);
        assert_eq!(
            reason(&long, TimeFormat::UtcSeconds, Leniency::ALL),
            TimeErrorReason::TooLong
        );
        assert!(matches!(
            reason("2023", TimeFormat::UtcSeconds, S),
            TimeErrorReason::Syntax { at: 4, .. }
        ));
    }

    #[test]
    fn fractions_print_back() {
        let l = Leniency {
            fractional_seconds: true,
            ..S
        };
        let t = parse("2023-01-01T00:00:00.120Z", TimeFormat::UtcSeconds, l).unwrap();
        assert_eq!(t.instant().timestamp_subsec_nanos(), 120_000_000);
        assert_eq!(format_utc(t.instant()), "2023-01-01T00:00:00.12Z");
        // RFC 3339 sets no limit on the digits: past nanoseconds they are truncated, never
        // rounded into the next second (the JSON Schema test suite's `date-time` case).
        let t = parse("2023-01-01T00:00:00.1234567891Z", TimeFormat::UtcSeconds, l).unwrap();
        assert_eq!(t.instant().timestamp_subsec_nanos(), 123_456_789);
        let t = parse(
            "1985-04-12T00:59:59.999999999999999Z",
            TimeFormat::Rfc3339,
            l,
        )
        .unwrap();
        assert_eq!(format_utc(t.instant()), "1985-04-12T00:59:59.999999999Z");
        assert!(parse("2023-01-01T00:00:00.Z", TimeFormat::UtcSeconds, l).is_err());
    }
}
