//! The validator: one pass over a query under a profile (see [`validate`]).

use chrono::{DateTime, TimeDelta, Utc};
use mediameter_core::TimeRange;

use crate::error::{Error, Result};
use crate::profile::{MAX_PROFILE_PARAMS, ParamKind, Profile, ProfileError, Value, ViolationKind};
use crate::reject::{Rejection, Violation};
use crate::time::{Leniency, ParsedTime, TimeFormat};

/// A source of "now". The validator never reads the wall clock: the caller passes now, or a
/// clock.
///
/// ```
/// use mediameter_query::{Clock, FixedClock};
/// use chrono::Utc;
/// let t = "2024-01-01T00:00:00Z".parse::<chrono::DateTime<Utc>>()?;
/// assert_eq!(FixedClock(t).now(), t);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Clock {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// A clock that always says the same instant (tests, replays, the CLI's `--now`).
///
/// Exhaustive on purpose: a fixed clock is its instant and nothing else, so the field is public
/// and `FixedClock(t)` is how one is built.
///
/// ```
/// use mediameter_query::{Clock, FixedClock};
/// let c = FixedClock(chrono::DateTime::UNIX_EPOCH);
/// assert_eq!(c.now().timestamp(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// How strictly to validate.
///
/// `#[non_exhaustive]`: validation may gain settings. Start from [`Options::default`] and
/// change it with [`Options::with_leniency`] and [`Options::with_strict`]; read the public
/// fields.
///
/// ```
/// use mediameter_query::{Leniency, Options};
/// let o = Options::default();
/// assert!(!o.strict);
/// assert_eq!(o.leniency, Leniency::STRICT);
/// let o = Options::default().with_leniency(Leniency::ALL).with_strict(true);
/// assert!(o.strict && o.leniency == Leniency::ALL);
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_query::{Leniency, Options};
/// let o = Options { leniency: Leniency::ALL, strict: true };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct Options {
    /// Which lenient time readings to accept (none by default).
    pub leniency: Leniency,
    /// Refuse a range that reaches into the vendor's data delay instead of warning.
    pub strict: bool,
}

impl Options {
    /// The same options with these lenient time readings.
    ///
    /// ```
    /// use mediameter_query::{Leniency, Options};
    /// let l = Leniency::STRICT.with_fractional_seconds(true);
    /// assert_eq!(Options::default().with_leniency(l).leniency, l);
    /// ```
    #[must_use]
    pub const fn with_leniency(mut self, leniency: Leniency) -> Self {
        self.leniency = leniency;
        self
    }

    /// The same options, refusing (`true`) or only warning about (`false`) a range that
    /// reaches into the vendor's data delay.
    ///
    /// ```
    /// use mediameter_query::Options;
    /// assert!(Options::default().with_strict(true).strict);
    /// ```
    #[must_use]
    pub const fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
}

/// Something worth telling the caller about an accepted query.
///
/// Built by the validator only (the struct is `#[non_exhaustive]`: more may be said later).
///
/// ```
/// use mediameter_query::{builtin, validate, Options, WarningKind};
/// let p = builtin::huawei_statistics(builtin::HUAWEI_STATISTICS[0]); // allows unknown parameters
/// let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
/// let q = validate(&p, &[("app", "a"), ("x", "1")], now, &Options::default())?;
/// let w = &q.warnings()[0];
/// assert_eq!((w.kind, w.param.as_deref()), (WarningKind::UnknownParameter, Some("x")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Warning {
    /// What kind.
    pub kind: WarningKind,
    /// The parameter concerned.
    pub param: Option<String>,
    /// In words.
    pub message: String,
}

/// The kinds of [`Warning`].
///
/// ```
/// use mediameter_query::WarningKind;
/// assert_eq!(WarningKind::DataDelayed.to_string(), "data_delayed");
/// assert_eq!("unknown_parameter".parse::<WarningKind>()?, WarningKind::UnknownParameter);
/// # Ok::<(), mediameter_query::ParseNameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum WarningKind {
    /// The range reaches into the vendor's data delay: the newest data is not complete yet.
    DataDelayed,
    /// An undeclared parameter was ignored.
    UnknownParameter,
}

crate::names::named!(WarningKind, "warning kind",
    WarningKind::DataDelayed => "data_delayed",
    WarningKind::UnknownParameter => "unknown_parameter",
);

/// An accepted query: every declared parameter that has a value (given or default), in
/// profile order, normalised.
///
/// It serializes (with the `serde` feature) but is deliberately not `Deserialize`: it borrows
/// the request's strings, and a printed value does not say whether it is a time, a list or
/// text; only the profile knows. To read one back (on the far side of a queue, say), validate
/// its printed parameters (`name`, `value.to_string()`) again under the same profile and
/// clock: every printed value is in a form validation accepts, and the result has the same
/// values and range (a test checks this for the shipped profiles).
///
/// ```
/// use mediameter_query::{Options, Registry, Value};
/// use chrono::Utc;
/// let reg = Registry::builtin();
/// let now = "2021-04-23T10:00:00Z".parse::<chrono::DateTime<Utc>>()?;
/// let q = reg.validate("rtc/rooms", &[("app", "603f71bd")], now, &Options::default())?;
/// assert_eq!(q.get("limit"), Some(&Value::Integer(10)));
/// assert!(q.is_defaulted("start_time"));
/// assert_eq!(q.range().ok_or("missing range")?.seconds(), 3600);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidQuery<'a> {
    api: &'a str,
    values: Vec<(&'a str, Value<'a>)>,
    defaulted: Vec<&'a str>,
    range: Option<TimeRange>,
    warnings: Vec<Warning>,
}

impl<'a> ValidQuery<'a> {
    /// The API name.
    ///
    /// ```
    /// # use mediameter_query::{Options, Registry};
    /// # let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
    /// let reg = Registry::builtin();
    /// let q = reg.validate("rtc/rooms", &[("app", "a")], now, &Options::default())?;
    /// assert_eq!(q.api(), "rtc/rooms");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn api(&self) -> &'a str {
        self.api
    }

    /// The value of `name`, if it has one.
    ///
    /// ```
    /// # use mediameter_query::{Options, Registry, Value};
    /// # let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
    /// let reg = Registry::builtin();
    /// let q = reg.validate("rtc/rooms", &[("app", "a")], now, &Options::default())?;
    /// assert_eq!(q.get("app"), Some(&Value::Text("a")));
    /// assert_eq!(q.get("room_id"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Every value, in profile order.
    ///
    /// ```
    /// # use mediameter_query::{Options, Registry};
    /// # let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
    /// let reg = Registry::builtin();
    /// let q = reg.validate("rtc/rooms", &[("app", "a")], now, &Options::default())?;
    /// assert_eq!(q.values()[0].0, "app");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn values(&self) -> &[(&'a str, Value<'a>)] {
        &self.values
    }

    /// Whether `name` took its default.
    ///
    /// ```
    /// # use mediameter_query::{Options, Registry};
    /// # let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
    /// let reg = Registry::builtin();
    /// let q = reg.validate("rtc/rooms", &[("app", "a"), ("limit", "5")], now, &Options::default())?;
    /// assert!(!q.is_defaulted("limit"));
    /// assert!(q.is_defaulted("offset"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_defaulted(&self, name: &str) -> bool {
        self.defaulted.contains(&name)
    }

    /// The queried range, when the profile has a time rule.
    ///
    /// ```
    /// # use mediameter_query::{Options, Registry};
    /// # let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
    /// let reg = Registry::builtin();
    /// let q = reg.validate("rtc/rooms", &[("app", "a")], now, &Options::default())?;
    /// assert_eq!(q.range().ok_or("missing range")?.end(), now);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn range(&self) -> Option<TimeRange> {
        self.range
    }

    /// Warnings about an accepted query.
    ///
    /// ```
    /// # use mediameter_query::{Options, Registry};
    /// # let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
    /// let reg = Registry::builtin();
    /// let q = reg.validate("rtc/rooms", &[("app", "a")], now, &Options::default())?;
    /// assert!(q.warnings().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ValidQuery<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Params<'b, 'a>(&'b [(&'a str, Value<'a>)]);
        impl serde::Serialize for Params<'_, '_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        let mut st = s.serialize_struct("ValidQuery", 5)?;
        st.serialize_field("api", self.api)?;
        st.serialize_field("params", &Params(&self.values))?;
        st.serialize_field("defaulted", &self.defaulted)?;
        st.serialize_field("range", &self.range)?;
        st.serialize_field("warnings", &self.warnings)?;
        st.end()
    }
}

/// A span in seconds with the decimals it needs (`3600`, `3600.001`): a span just over a limit
/// is never shown as equal to it.
fn exact_seconds(d: TimeDelta) -> String {
    let whole = d.num_seconds();
    let nanos = d.subsec_nanos().unsigned_abs();
    if nanos == 0 {
        return whole.to_string();
    }
    let fraction = format!("{nanos:09}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

fn seconds(n: u64) -> TimeDelta {
    TimeDelta::try_seconds(i64::try_from(n).unwrap_or(i64::MAX)).unwrap_or(TimeDelta::MAX)
}

/// The bit of parameter `i` in a per-profile bit set (profiles have at most 32 parameters).
fn bit(i: usize) -> u32 {
    u32::try_from(i)
        .ok()
        .and_then(|i| 1_u32.checked_shl(i))
        .unwrap_or(0)
}

fn truncate_to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// Validates `input` (name/value pairs, as from a query string or a flat JSON object) under
/// `profile` at `now`.
///
/// # Order of checks and of violations
///
/// Cheap checks run before expensive ones, and violations are collected in this order, which
/// is stable and part of the API:
///
/// 1. the number of parameters against the profile's `max_params` (over it: one
///    [`ViolationKind::TooLarge`], nothing else is looked at);
/// 2. the given parameters in input order: undeclared names ([`ViolationKind::Unknown`], or a
///    warning when the profile allows unknown parameters), repeats ([`ViolationKind::Duplicate`]);
/// 3. the declared parameters in profile order: absent ([`ViolationKind::Missing`]), longer than
///    `max_len` (refused as [`ViolationKind::Malformed`] before the value is read), then the
///    value's own checks ([`ViolationKind::Malformed`], [`ViolationKind::NotSupported`],
///    [`ViolationKind::TooMany`], [`ViolationKind::OutOfRange`]);
/// 4. the time rule, only when both ends parsed: end after start, span, lookback, start not in
///    the future, data delay (a warning, or [`ViolationKind::DataDelayed`] in strict mode).
///
/// An empty value counts as absent: the Alibaba document says an empty filter means "all", and
/// an empty required value is as missing as an absent one.
///
/// # Errors
///
/// [`Error::Rejected`] with every violation, in the documented order, and the vendor's answer;
/// [`Error::Profile`] when the profile declares more than [`MAX_PROFILE_PARAMS`] parameters.
///
/// ```
/// use mediameter_query::{builtin, validate, Options, ViolationKind};
/// use chrono::Utc;
///
/// let p = builtin::list_operation_distribution();
/// let now = "2021-07-27T00:00:00Z".parse::<chrono::DateTime<Utc>>()?;
/// // The vendor's own sample request (Volcengine RTC API reference).
/// let q = validate(&p, &[
///     ("AppId", "Your_AppId"),
///     ("StartTime", "2021-07-24T00:00:00+08:00"),
///     ("EndTime", "2021-07-26T00:00:00+08:00"),
///     ("Indicator", "user_count"),
///     ("Dimension", "province"),
/// ], now, &Options::default())?;
/// assert_eq!(q.get("Indicator").ok_or("missing Indicator")?.to_string(), "user_num");
/// assert_eq!(q.range().ok_or("missing range")?.seconds(), 2 * 86_400);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate<'a, K: AsRef<str>, V: AsRef<str>>(
    profile: &'a Profile,
    input: &'a [(K, V)],
    now: DateTime<Utc>,
    options: &Options,
) -> Result<ValidQuery<'a>> {
    if profile.params.len() > MAX_PROFILE_PARAMS {
        return Err(Error::Profile(ProfileError::new(
            &profile.name,
            format!("more than {MAX_PROFILE_PARAMS} parameters"),
        )));
    }
    let reject =
        |violations: Vec<Violation>| Error::Rejected(Box::new(Rejection::new(profile, violations)));
    if input.len() > profile.max_params {
        return Err(reject(vec![Violation::new(
            ViolationKind::TooLarge,
            None,
            None,
            format!(
                "{} parameters, at most {} allowed",
                input.len(),
                profile.max_params
            ),
        )]));
    }
    let mut violations: Vec<Violation> = Vec::new();
    let mut warnings: Vec<Warning> = Vec::new();
    let mut slots: [Option<&'a str>; MAX_PROFILE_PARAMS] = [None; MAX_PROFILE_PARAMS];
    let mut repeated: u32 = 0;
    for (k, v) in input {
        let (k, v) = (k.as_ref(), v.as_ref());
        match profile.params.iter().position(|p| p.name == k) {
            Some(i) => {
                if let Some(slot) = slots.get_mut(i) {
                    if slot.is_some() {
                        let mask = bit(i);
                        if repeated & mask == 0 {
                            violations.push(Violation::new(
                                ViolationKind::Duplicate,
                                Some(k),
                                Some(v),
                                "given more than once",
                            ));
                        }
                        repeated |= mask;
                    } else {
                        *slot = Some(v);
                    }
                }
            }
            None if profile.allow_unknown => warnings.push(Warning {
                kind: WarningKind::UnknownParameter,
                param: Some(mediameter_core::error::truncate(k)),
                message: "not declared by the profile; ignored".into(),
            }),
            None => violations.push(Violation::new(
                ViolationKind::Unknown,
                Some(k),
                Some(v),
                "not a parameter of this API",
            )),
        }
    }

    let mut values: Vec<(&'a str, Value<'a>)> = Vec::with_capacity(profile.params.len());
    let mut defaulted: Vec<&'a str> = Vec::new();
    let mut failed: u32 = 0;
    for (i, (p, slot)) in profile.params.iter().zip(slots.iter()).enumerate() {
        let given = slot.filter(|v| !v.is_empty());
        let text = match (given, &p.default) {
            (Some(v), _) => v,
            (None, Some(d)) => {
                defaulted.push(&p.name);
                d.as_str()
            }
            (None, None) => {
                if p.required {
                    violations.push(Violation::new(
                        ViolationKind::Missing,
                        Some(&p.name),
                        None,
                        "is required",
                    ));
                    failed |= bit(i);
                }
                continue;
            }
        };
        match p.check_value(text, options.leniency) {
            Ok(v) => values.push((&p.name, v)),
            Err(bad) => {
                violations.push(Violation::new(
                    bad.kind,
                    Some(&p.name),
                    Some(bad.value),
                    bad.detail,
                ));
                failed |= bit(i);
            }
        }
    }

    let mut range = None;
    if let Some(rule) = &profile.time_range {
        let index = |name: &str| profile.params.iter().position(|p| p.name == name);
        let has_failed = |name: &str| index(name).is_some_and(|i| failed & bit(i) != 0);
        let find = |values: &[(&'a str, Value<'a>)], name: &str| {
            values.iter().find_map(|(n, v)| match v {
                Value::Time(t, _) if *n == name => Some(t.instant()),
                _ => None,
            })
        };
        let format_of = |name: &str| match profile.param(name).map(|p| &p.kind) {
            Some(ParamKind::Time { format }) => *format,
            _ => TimeFormat::UtcSeconds,
        };
        let mut end = find(&values, &rule.end);
        if end.is_none() && !has_failed(&rule.end) && rule.default_end_now {
            let t = truncate_to_second(now);
            if let Ok(pt) = ParsedTime::new(t, 0) {
                values.push((&rule.end, Value::Time(pt, format_of(&rule.end))));
                defaulted.push(&rule.end);
                end = Some(t);
            }
        }
        let mut start = find(&values, &rule.start);
        if let (None, Some(e), Some(span)) = (start, end, rule.default_span_seconds)
            && !has_failed(&rule.start)
            && let Some(t) = e.checked_sub_signed(seconds(span))
            && let Ok(pt) = ParsedTime::new(t, 0)
        {
            values.push((&rule.start, Value::Time(pt, format_of(&rule.start))));
            defaulted.push(&rule.start);
            start = Some(t);
        }
        if let (Some(s), Some(e)) = (start, end) {
            let span = e.signed_duration_since(s);
            if e <= s {
                violations.push(Violation::new(
                    ViolationKind::EndNotAfterStart,
                    Some(&rule.end),
                    None,
                    format!(
                        "must be after {} ({})",
                        rule.start,
                        crate::time::format_utc(s)
                    ),
                ));
            } else if let Some(max) = rule.max_span_seconds.filter(|m| span > seconds(*m)) {
                violations.push(Violation::new(
                    ViolationKind::SpanTooLong,
                    Some(&rule.end),
                    None,
                    format!(
                        "the range spans {} s, at most {max} s allowed",
                        exact_seconds(span)
                    ),
                ));
            }
            if let Some(back) = rule.lookback_seconds
                && s < now
                    .checked_sub_signed(seconds(back))
                    .unwrap_or(DateTime::<Utc>::MIN_UTC)
            {
                violations.push(Violation::new(
                    ViolationKind::TooOld,
                    Some(&rule.start),
                    None,
                    format!("only the last {back} s before now can be queried"),
                ));
            }
            if rule.start_not_after_now && s > now {
                violations.push(Violation::new(
                    ViolationKind::InFuture,
                    Some(&rule.start),
                    None,
                    "is after now",
                ));
            }
            if let Some(delay) = &rule.delay {
                let selector = delay.by.as_deref().and_then(|by| {
                    values.iter().find_map(|(n, v)| match v {
                        Value::Text(t) if *n == by => Some(*t),
                        _ => None,
                    })
                });
                let d = delay.seconds_for(selector);
                let complete_until = now
                    .checked_sub_signed(seconds(d))
                    .unwrap_or(DateTime::<Utc>::MIN_UTC);
                if e > complete_until {
                    let message = format!(
                        "data is {d} s late: results after {} are not complete yet",
                        crate::time::format_utc(complete_until)
                    );
                    if options.strict {
                        violations.push(Violation::new(
                            ViolationKind::DataDelayed,
                            Some(&rule.end),
                            None,
                            message,
                        ));
                    } else {
                        warnings.push(Warning {
                            kind: WarningKind::DataDelayed,
                            param: Some(rule.end.clone()),
                            message,
                        });
                    }
                }
            }
            range = TimeRange::new(s, e).ok();
        }
    }

    if !violations.is_empty() {
        return Err(reject(violations));
    }
    if !defaulted.is_empty() {
        // Time defaults were appended after the loop: restore profile order (a few items).
        let position = |name: &str| {
            profile
                .params
                .iter()
                .position(|p| p.name == name)
                .unwrap_or(usize::MAX)
        };
        values.sort_by_key(|(n, _)| position(n));
        defaulted.sort_by_key(|n| position(n));
    }
    Ok(ValidQuery {
        api: &profile.name,
        values,
        defaulted,
        range,
        warnings,
    })
}
