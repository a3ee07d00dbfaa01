//! API profiles as data: parameters, formats, defaults, limits and the error vocabulary.
//!
//! A [`Profile`] is plain data (serializable with the `serde` feature), so a service can add its
//! own APIs next to the [built-in ones](crate::builtin) and check them with
//! [`Profile::check`] (which [`crate::Registry::insert`] runs).

use std::fmt;

use crate::time::{Leniency, ParsedTime, TimeErrorReason, TimeFormat};

/// Most parameters a profile may declare (the validator keeps one slot per parameter on the
/// stack).
pub const MAX_PROFILE_PARAMS: usize = 32;

/// Longest value a profile may allow for one parameter, in bytes.
pub const MAX_PARAM_LEN: usize = 64 * 1024;

/// A profile (built in, or supplied by the caller) that is not usable: what
/// [`Profile::check`] returns. The crate's [`Error`](crate::Error) carries it as
/// `Error::Profile`.
///
/// ```
/// use mediameter_query::builtin;
/// let mut p = builtin::huawei_rtc_rooms();
/// p.errors.clear();
/// let err = p.check().unwrap_err();
/// assert_eq!(err.profile(), "rtc/rooms");
/// assert_eq!(err.to_string(), "invalid profile \"rtc/rooms\": the error vocabulary is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    profile: String,
    reason: String,
}

impl ProfileError {
    pub(crate) fn new(profile: &str, reason: impl Into<String>) -> Self {
        ProfileError {
            profile: mediameter_core::error::truncate(profile),
            reason: reason.into(),
        }
    }

    /// The profile's name, truncated to [`mediameter_core::error::ECHO_LIMIT`] characters.
    #[must_use]
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// What is wrong with it.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid profile {:?}: {}", self.profile, self.reason)
    }
}

impl std::error::Error for ProfileError {}

/// The cloud whose API a profile describes; decides the error body shape.
///
/// ```
/// use mediameter_query::Vendor;
/// assert_eq!(Vendor::Huawei.as_str(), "huawei");
/// assert_eq!(Vendor::Huawei.to_string(), "huawei");
/// assert_eq!("volcengine".parse::<Vendor>()?, Vendor::Volcengine);
/// # Ok::<(), mediameter_query::ParseNameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Vendor {
    /// Alibaba Cloud: `{Code, Message, RequestId}` with an HTTP status.
    Alibaba,
    /// Huawei Cloud: `{error_code, error_msg}`.
    Huawei,
    /// Volcengine: `ResponseMetadata.Error {CodeN, Code, Message}`.
    Volcengine,
}

crate::names::named!(Vendor, "vendor",
    Vendor::Alibaba => "alibaba",
    Vendor::Huawei => "huawei",
    Vendor::Volcengine => "volcengine",
);

/// What can be wrong with a query, in the order violations are collected (see
/// [`validate()`](crate::validate())).
///
/// ```
/// use mediameter_query::ViolationKind;
/// assert!(ViolationKind::Missing < ViolationKind::SpanTooLong);
/// assert_eq!(ViolationKind::EndNotAfterStart.as_str(), "end_not_after_start");
/// assert_eq!("too_old".parse::<ViolationKind>()?, ViolationKind::TooOld);
/// # Ok::<(), mediameter_query::ParseNameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ViolationKind {
    /// More parameters than the profile's `max_params`: refused before anything else.
    TooLarge,
    /// A parameter the profile does not declare (only when `allow_unknown` is off).
    Unknown,
    /// A parameter given more than once.
    Duplicate,
    /// A required parameter is absent or empty.
    Missing,
    /// A value that does not have the parameter's syntax, or is longer than its `max_len`.
    Malformed,
    /// A well-formed value outside the allowed set (`Interval` 60, `SplitBy` `user`, state `OPEN`).
    NotSupported,
    /// A list with more items than allowed.
    TooMany,
    /// A number outside its range (limit 0).
    OutOfRange,
    /// The end time is not after the start time.
    EndNotAfterStart,
    /// The range is longer than the API allows.
    SpanTooLong,
    /// The start is before the oldest queryable instant (retention, "last 30 days").
    TooOld,
    /// The start is after now.
    InFuture,
    /// The range reaches into the vendor's data delay and the caller asked for strict mode.
    DataDelayed,
    /// The caller is over its rate limit (reported by [`crate::rate`]).
    RateLimited,
    /// The caller is not allowed to call the API on that resource (reported by [`crate::perm`]).
    Denied,
}

impl ViolationKind {
    /// Every kind, in collection order.
    pub const ALL: [ViolationKind; 15] = [
        ViolationKind::TooLarge,
        ViolationKind::Unknown,
        ViolationKind::Duplicate,
        ViolationKind::Missing,
        ViolationKind::Malformed,
        ViolationKind::NotSupported,
        ViolationKind::TooMany,
        ViolationKind::OutOfRange,
        ViolationKind::EndNotAfterStart,
        ViolationKind::SpanTooLong,
        ViolationKind::TooOld,
        ViolationKind::InFuture,
        ViolationKind::DataDelayed,
        ViolationKind::RateLimited,
        ViolationKind::Denied,
    ];
}

crate::names::named!(ViolationKind, "violation kind",
    ViolationKind::TooLarge => "too_large",
    ViolationKind::Unknown => "unknown",
    ViolationKind::Duplicate => "duplicate",
    ViolationKind::Missing => "missing",
    ViolationKind::Malformed => "malformed",
    ViolationKind::NotSupported => "not_supported",
    ViolationKind::TooMany => "too_many",
    ViolationKind::OutOfRange => "out_of_range",
    ViolationKind::EndNotAfterStart => "end_not_after_start",
    ViolationKind::SpanTooLong => "span_too_long",
    ViolationKind::TooOld => "too_old",
    ViolationKind::InFuture => "in_future",
    ViolationKind::DataDelayed => "data_delayed",
    ViolationKind::RateLimited => "rate_limited",
    ViolationKind::Denied => "denied",
);

/// One API: what it accepts and how it answers a bad query.
///
/// ```
/// use mediameter_query::builtin;
/// let p = builtin::describe_live_producer_usage_data();
/// assert_eq!(p.name, "DescribeLiveProducerUsageData");
/// assert!(p.check().is_ok());
/// assert!(p.param("Interval").is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
// `remote = "Self"`: the derives write inherent `Profile::serialize`/`Profile::deserialize`,
// and the trait impls below call them, so that reading a profile always runs
// [`Profile::check`].
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(remote = "Self", deny_unknown_fields))]
pub struct Profile {
    /// The name callers use (`--api NAME`).
    pub name: String,
    /// Whose API it is.
    pub vendor: Vendor,
    /// How the API is reached, for people (`GET /v1/{project_id}/rtc/rooms`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub endpoint: String,
    /// The permission action ([`crate::perm`]).
    pub action: String,
    /// Where the rules come from (seed document and section).
    #[cfg_attr(feature = "serde", serde(default))]
    pub source: String,
    /// Parameters, in the order they are checked.
    pub params: Vec<Param>,
    /// Most parameters one query may carry; more is refused before any other check.
    #[cfg_attr(feature = "serde", serde(default = "default_max_params"))]
    pub max_params: usize,
    /// Undeclared parameters are a warning (true) or a violation (false).
    #[cfg_attr(feature = "serde", serde(default))]
    pub allow_unknown: bool,
    /// The parameter naming the resource (app id) that permissions are checked on; `None`
    /// when the API reads every app at once.
    #[cfg_attr(feature = "serde", serde(default))]
    pub resource_param: Option<String>,
    /// Rules over the start/end pair.
    #[cfg_attr(feature = "serde", serde(default))]
    pub time_range: Option<TimeRule>,
    /// The vendor's documented request rate, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub rate: Option<RateSpec>,
    /// The error vocabulary, in precedence order: the first rule that matches any violation
    /// names the answer.
    pub errors: Vec<ErrorRule>,
}

#[cfg(feature = "serde")]
fn default_max_params() -> usize {
    32
}

/// One parameter.
///
/// ```
/// use mediameter_query::{Param, ParamKind};
/// let p = Param::new("limit", ParamKind::Integer { min: 1, max: 100, allowed: vec![] }).with_default("10");
/// assert_eq!(p.default.as_deref(), Some("10"));
/// assert_eq!(p.kind.type_name(), "Integer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Param {
    /// The exact, case-sensitive name.
    pub name: String,
    /// Absent or empty is a violation.
    #[cfg_attr(feature = "serde", serde(default))]
    pub required: bool,
    /// Longest accepted value in bytes, checked before the value is looked at.
    pub max_len: usize,
    /// The value's syntax and allowed values.
    pub kind: ParamKind,
    /// Value used when the parameter is absent or empty (validated like a given value).
    #[cfg_attr(feature = "serde", serde(default))]
    pub default: Option<String>,
}

impl Param {
    /// An optional parameter of `kind` with a `max_len` suited to the kind.
    ///
    /// ```
    /// use mediameter_query::{Param, ParamKind};
    /// assert_eq!(Param::new("app", ParamKind::Text).max_len, 256);
    /// ```
    #[must_use]
    pub fn new(name: &str, kind: ParamKind) -> Self {
        let max_len = match &kind {
            ParamKind::Time { .. } => crate::time::MAX_TIME_LEN,
            ParamKind::Integer { .. } => 20,
            ParamKind::List {
                max_items,
                item_max_len,
                ..
            } => max_items
                .saturating_mul(item_max_len.saturating_add(1))
                .clamp(1, MAX_PARAM_LEN),
            ParamKind::Text | ParamKind::Choice { .. } => 256,
        };
        Param {
            name: name.to_owned(),
            required: false,
            max_len,
            kind,
            default: None,
        }
    }

    /// The same parameter, required.
    ///
    /// ```
    /// use mediameter_query::{Param, ParamKind};
    /// assert!(Param::new("app", ParamKind::Text).required().required);
    /// ```
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The same parameter with a default value.
    ///
    /// ```
    /// use mediameter_query::{Param, ParamKind};
    /// assert_eq!(Param::new("offset", ParamKind::Text).with_default("0").default.ok_or("missing default")?, "0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_default(mut self, value: &str) -> Self {
        self.default = Some(value.to_owned());
        self
    }

    /// The same parameter with another `max_len`.
    ///
    /// ```
    /// use mediameter_query::{Param, ParamKind};
    /// assert_eq!(Param::new("DomainName", ParamKind::Text).max_len(253).max_len, 253);
    /// ```
    #[must_use]
    pub fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }
}

/// The syntax of a parameter's value.
///
/// ```
/// use mediameter_query::ParamKind;
/// use mediameter_query::TimeFormat;
/// assert_eq!(ParamKind::Time { format: TimeFormat::UtcSeconds }.type_name(), "String");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)
)]
#[non_exhaustive]
pub enum ParamKind {
    /// Any non-empty text without control characters.
    Text,
    /// An instant in a [`TimeFormat`].
    Time {
        /// The documented format.
        format: TimeFormat,
    },
    /// One of a fixed set of words (case-sensitive); aliases are accepted and reported under
    /// their canonical word.
    Choice {
        /// The canonical words.
        values: Vec<String>,
        /// Other spellings the vendor accepts.
        #[cfg_attr(feature = "serde", serde(default))]
        aliases: Vec<Alias>,
    },
    /// A comma-separated list (no spaces, no empty items, no repeats).
    List {
        /// Most items.
        max_items: usize,
        /// Longest item, in bytes.
        item_max_len: usize,
        /// Allowed items; empty means any text.
        #[cfg_attr(feature = "serde", serde(default))]
        values: Vec<String>,
    },
    /// A decimal integer (optional `-`, at most 18 digits).
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
        /// When not empty, the only accepted values.
        #[cfg_attr(feature = "serde", serde(default))]
        allowed: Vec<i64>,
    },
}

impl ParamKind {
    /// The type name vendors use in messages (`Required String parameter 'app' ...`).
    ///
    /// ```
    /// use mediameter_query::ParamKind;
    /// assert_eq!(ParamKind::Text.type_name(), "String");
    /// ```
    #[must_use]
    pub const fn type_name(&self) -> &'static str {
        match self {
            ParamKind::Integer { .. } => "Integer",
            _ => "String",
        }
    }
}

/// Another spelling of a [`ParamKind::Choice`] word.
///
/// ```
/// use mediameter_query::Alias;
/// let a = Alias::new("user_count", "user_num");
/// assert_eq!(a.to, "user_num");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Alias {
    /// The accepted spelling.
    pub from: String,
    /// The canonical word it stands for.
    pub to: String,
}

impl Alias {
    /// `from` read as `to`.
    ///
    /// ```
    /// assert_eq!(mediameter_query::Alias::new("a", "b").from, "a");
    /// ```
    #[must_use]
    pub fn new(from: &str, to: &str) -> Self {
        Alias {
            from: from.to_owned(),
            to: to.to_owned(),
        }
    }
}

/// Rules over the start/end pair of a profile.
///
/// ```
/// use mediameter_query::builtin;
/// let rule = builtin::list_operation_distribution().time_range.ok_or("missing time_range")?;
/// assert_eq!(rule.max_span_seconds, Some(7 * 86_400));
/// assert_eq!(rule.lookback_seconds, Some(30 * 86_400));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct TimeRule {
    /// The start parameter (a [`ParamKind::Time`]).
    pub start: String,
    /// The end parameter (a [`ParamKind::Time`]).
    pub end: String,
    /// An absent end defaults to now (truncated to the second).
    pub default_end_now: bool,
    /// An absent start defaults to this many seconds before the end.
    pub default_span_seconds: Option<u64>,
    /// Longest range.
    pub max_span_seconds: Option<u64>,
    /// The start may not be earlier than this many seconds before now.
    pub lookback_seconds: Option<u64>,
    /// The start may not be after now.
    pub start_not_after_now: bool,
    /// The vendor's data delay.
    pub delay: Option<Delay>,
}

/// How late the vendor's data is: a range whose end is later than `now − seconds` reaches into
/// data that is not complete yet.
///
/// ```
/// use mediameter_query::builtin;
/// let d = builtin::cts_list_traces().time_range.ok_or("missing time_range")?.delay.ok_or("missing delay")?;
/// assert_eq!(d.seconds_for(Some("data")), 300);
/// assert_eq!(d.seconds_for(Some("system")), 60);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Delay {
    /// The delay when no [`Delay::by`] value applies.
    pub seconds: u64,
    /// A parameter whose value selects another delay (CTS: `trace_type`).
    pub by: Option<String>,
    /// Delays per value of [`Delay::by`].
    pub values: Vec<DelayValue>,
}

impl Delay {
    /// The delay for the value of the selecting parameter.
    ///
    /// ```
    /// use mediameter_query::Delay;
    /// let d = Delay { seconds: 28_800, by: None, values: vec![] };
    /// assert_eq!(d.seconds_for(None), 28_800);
    /// ```
    #[must_use]
    pub fn seconds_for(&self, value: Option<&str>) -> u64 {
        value
            .and_then(|v| self.values.iter().find(|d| d.value == v))
            .map_or(self.seconds, |d| d.seconds)
    }
}

/// One entry of [`Delay::values`].
///
/// ```
/// let v = mediameter_query::DelayValue { value: "data".into(), seconds: 300 };
/// assert_eq!(v.seconds, 300);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct DelayValue {
    /// The parameter value.
    pub value: String,
    /// Its delay in seconds.
    pub seconds: u64,
}

/// A documented request rate: `requests` per `per_seconds`, with up to `burst` at once.
///
/// ```
/// use mediameter_query::builtin;
/// let r = builtin::list_operation_distribution().rate.ok_or("missing rate")?;
/// assert_eq!((r.requests, r.per_seconds), (2, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct RateSpec {
    /// Requests allowed per period.
    pub requests: u32,
    /// The period, in seconds.
    pub per_seconds: u32,
    /// Requests that may arrive at once after an idle period.
    pub burst: u32,
}

/// One entry of a profile's error vocabulary.
///
/// `message` is a template: `{name}` (the parameter), `{type}` (its [`ParamKind::type_name`]),
/// `{value}` (the truncated value) and `{detail}` (what was wrong, in words) are replaced;
/// control characters in what replaces them are escaped (`\u{1b}`), the rest is left as is.
///
/// ```
/// use mediameter_query::ErrorRule;
/// use mediameter_query::ViolationKind;
/// let r = ErrorRule::new(&[ViolationKind::Missing], "DATA.100011001", "Required {type} parameter '{name}' is not present", 400);
/// assert!(r.matches_kind(ViolationKind::Missing));
/// assert!(!r.matches_kind(ViolationKind::Malformed));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ErrorRule {
    /// The kinds this rule answers; empty means every kind.
    #[cfg_attr(feature = "serde", serde(default))]
    pub kinds: Vec<ViolationKind>,
    /// Only violations of this parameter.
    #[cfg_attr(feature = "serde", serde(default))]
    pub param: Option<String>,
    /// Only when this other parameter has a violation of the same kind too (Alibaba's
    /// `InvalidTime.Malformed` when both `StartTime` and `EndTime` are malformed).
    #[cfg_attr(feature = "serde", serde(default))]
    pub with: Option<String>,
    /// The vendor's error code.
    pub code: String,
    /// Volcengine's numeric `CodeN`, when known.
    #[cfg_attr(feature = "serde", serde(default))]
    pub code_n: Option<u32>,
    /// The message template.
    pub message: String,
    /// The HTTP status.
    pub status: u16,
}

impl ErrorRule {
    /// A rule for `kinds` on any parameter.
    ///
    /// ```
    /// use mediameter_query::ErrorRule;
    /// let r = ErrorRule::new(&[], "InvalidParameter", "bad {name}", 400);
    /// assert!(r.kinds.is_empty());
    /// ```
    #[must_use]
    pub fn new(kinds: &[ViolationKind], code: &str, message: &str, status: u16) -> Self {
        ErrorRule {
            kinds: kinds.to_vec(),
            param: None,
            with: None,
            code: code.to_owned(),
            code_n: None,
            message: message.to_owned(),
            status,
        }
    }

    /// The same rule, limited to one parameter.
    ///
    /// ```
    /// use mediameter_query::ErrorRule;
    /// let r = ErrorRule::new(&[], "X", "m", 400).on("StartTime");
    /// assert_eq!(r.param.as_deref(), Some("StartTime"));
    /// ```
    #[must_use]
    pub fn on(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// The same rule, only when `other` has a violation of the same kind too.
    ///
    /// ```
    /// use mediameter_query::ErrorRule;
    /// let r = ErrorRule::new(&[], "X", "m", 400).on("StartTime").with("EndTime");
    /// assert_eq!(r.with.as_deref(), Some("EndTime"));
    /// ```
    #[must_use]
    pub fn with(mut self, other: &str) -> Self {
        self.with = Some(other.to_owned());
        self
    }

    /// Whether the rule answers violations of `kind`.
    ///
    /// ```
    /// use mediameter_query::{ErrorRule, ViolationKind};
    /// assert!(ErrorRule::new(&[], "X", "m", 400).matches_kind(ViolationKind::Denied));
    /// ```
    #[must_use]
    pub fn matches_kind(&self, kind: ViolationKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Profile::serialize(self, serializer)
    }
}

/// Reads a profile and runs [`Profile::check`] on it: a profile that a [`crate::Registry`]
/// would refuse is refused when read, with the reason `check` gives.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let profile = Profile::deserialize(deserializer)?;
        profile.check().map_err(serde::de::Error::custom)?;
        Ok(profile)
    }
}

impl Profile {
    /// The declared parameter called `name`.
    ///
    /// ```
    /// let p = mediameter_query::builtin::huawei_rtc_rooms();
    /// assert!(p.param("app").ok_or("missing app param")?.required);
    /// assert!(p.param("App").is_none()); // names are case-sensitive
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Checks that the profile is usable: unique non-empty parameter names, at most
    /// [`MAX_PROFILE_PARAMS`], sane lengths and ranges, time rules over declared time
    /// parameters, defaults that pass their own parameter's checks, a rate with positive
    /// numbers, and a non-empty error vocabulary.
    ///
    /// # Errors
    ///
    /// [`ProfileError`] naming the first problem found.
    ///
    /// ```
    /// use mediameter_query::builtin;
    /// let mut p = builtin::huawei_rtc_rooms();
    /// assert!(p.check().is_ok());
    /// p.params.push(p.params[0].clone());
    /// assert!(p.check().is_err()); // duplicate name
    /// ```
    pub fn check(&self) -> Result<(), ProfileError> {
        let fail = |reason: String| Err(ProfileError::new(&self.name, reason));
        if self.name.is_empty() || self.name.len() > 128 {
            return fail("the name must have 1 to 128 bytes".into());
        }
        if self.params.len() > MAX_PROFILE_PARAMS {
            return fail(format!(
                "{} parameters, more than {MAX_PROFILE_PARAMS}",
                self.params.len()
            ));
        }
        if self.max_params == 0 || self.max_params > 1024 {
            return fail("max_params must be 1 to 1024".into());
        }
        if self.errors.is_empty() {
            return fail("the error vocabulary is empty".into());
        }
        for (i, p) in self.params.iter().enumerate() {
            if p.name.is_empty() || p.name.len() > 128 {
                return fail("a parameter name must have 1 to 128 bytes".into());
            }
            if self.params.iter().take(i).any(|q| q.name == p.name) {
                return fail(format!("parameter {:?} is declared twice", p.name));
            }
            if p.max_len == 0 || p.max_len > MAX_PARAM_LEN {
                return fail(format!(
                    "parameter {:?}: max_len must be 1 to {MAX_PARAM_LEN}",
                    p.name
                ));
            }
            match &p.kind {
                ParamKind::Integer { min, max, allowed } => {
                    if min > max || allowed.iter().any(|a| a < min || a > max) {
                        return fail(format!(
                            "parameter {:?}: min must not exceed max and allowed values lie inside",
                            p.name
                        ));
                    }
                }
                ParamKind::List {
                    max_items,
                    item_max_len,
                    values,
                } => {
                    if *max_items == 0
                        || *max_items > 1024
                        || *item_max_len == 0
                        || values.iter().any(|v| v.is_empty() || v.contains(','))
                    {
                        return fail(format!(
                            "parameter {:?}: a list needs 1 to 1024 items of at least 1 byte",
                            p.name
                        ));
                    }
                }
                ParamKind::Choice { values, aliases } => {
                    if values.is_empty() || aliases.iter().any(|a| !values.contains(&a.to)) {
                        return fail(format!(
                            "parameter {:?}: a choice needs values and aliases of those values",
                            p.name
                        ));
                    }
                }
                ParamKind::Text | ParamKind::Time { .. } => {}
            }
            if let Some(d) = &p.default
                && let Err(v) = p.check_value(d, Leniency::STRICT)
            {
                return fail(format!(
                    "parameter {:?}: default {d:?} is not valid: {}",
                    p.name, v.detail
                ));
            }
        }
        if let Some(rule) = &self.time_range {
            for name in [&rule.start, &rule.end] {
                match self.param(name) {
                    Some(Param {
                        kind: ParamKind::Time { .. },
                        ..
                    }) => {}
                    _ => {
                        return fail(format!(
                            "time rule parameter {name:?} is not a declared time parameter"
                        ));
                    }
                }
            }
            if rule.start == rule.end {
                return fail("the time rule's start and end are the same parameter".into());
            }
            if let Some(by) = rule.delay.as_ref().and_then(|d| d.by.as_ref())
                && self.param(by).is_none()
            {
                return fail(format!("delay selector {by:?} is not declared"));
            }
        }
        if let Some(name) = &self.resource_param
            && self.param(name).is_none()
        {
            return fail(format!("resource parameter {name:?} is not declared"));
        }
        if let Some(r) = &self.rate
            && (r.requests == 0 || r.per_seconds == 0 || r.burst == 0)
        {
            return fail("a rate needs positive requests, per_seconds and burst".into());
        }
        Ok(())
    }
}

/// A normalised parameter value.
///
/// ```
/// use mediameter_query::Value;
/// assert_eq!(Value::Integer(3600).to_string(), "3600");
/// assert_eq!(Value::List(vec!["domain", "type"]).to_string(), "domain,type");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// Text, as given (or the profile's default or canonical word).
    Text(&'a str),
    /// An instant and the format the API writes it in.
    Time(ParsedTime, TimeFormat),
    /// A comma-separated list, split.
    List(Vec<&'a str>),
    /// An integer.
    Integer(i64),
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            Value::Time(t, format) => t.write_in(f, *format),
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(item)?;
                }
                Ok(())
            }
            Value::Integer(n) => write!(f, "{n}"),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Value<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Value::Text(t) => s.serialize_str(t),
            Value::Time(t, format) => s.serialize_str(&t.format(*format)),
            Value::List(items) => s.collect_seq(items),
            Value::Integer(n) => s.serialize_i64(*n),
        }
    }
}

/// Why one value does not pass its parameter's checks: the validator turns it into a
/// violation of that parameter. Kept to this module's own vocabulary so that profiles do not
/// depend on the validator or on rejections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadValue<'a> {
    /// What kind of problem.
    pub(crate) kind: ViolationKind,
    /// The offending text: the whole value, or the one list item at fault.
    pub(crate) value: &'a str,
    /// What was wrong and what was expected, in words.
    pub(crate) detail: String,
}

impl Param {
    /// Checks one value against this parameter (length included), without allocating on
    /// success except for lists.
    pub(crate) fn check_value<'a>(
        &'a self,
        text: &'a str,
        leniency: Leniency,
    ) -> Result<Value<'a>, BadValue<'a>> {
        let p = self;
        let bad = |kind, detail: String| BadValue {
            kind,
            value: text,
            detail,
        };
        if text.len() > p.max_len {
            return Err(bad(
                ViolationKind::Malformed,
                format!("longer than {} bytes", p.max_len),
            ));
        }
        match &p.kind {
            ParamKind::Text => {
                if has_control(text) {
                    return Err(bad(
                        ViolationKind::Malformed,
                        "control characters are not allowed".into(),
                    ));
                }
                Ok(Value::Text(text))
            }
            ParamKind::Time { format } => {
                match crate::time::parse_bytes(text.as_bytes(), *format, leniency) {
                    Ok(t) => Ok(Value::Time(t, *format)),
                    Err(reason) => {
                        let kind = if reason == TimeErrorReason::OutOfRange {
                            ViolationKind::OutOfRange
                        } else {
                            ViolationKind::Malformed
                        };
                        Err(bad(
                            kind,
                            format!("{reason}; expected {}", format.pattern()),
                        ))
                    }
                }
            }
            ParamKind::Choice { values, aliases } => {
                if let Some(v) = values.iter().find(|v| *v == text) {
                    return Ok(Value::Text(v));
                }
                if let Some(a) = aliases.iter().find(|a| a.from == text) {
                    return Ok(Value::Text(&a.to));
                }
                Err(bad(ViolationKind::NotSupported, one_of(values)))
            }
            ParamKind::List {
                max_items,
                item_max_len,
                values,
            } => {
                // Count before splitting: a list of a million commas costs one pass, no allocation.
                let count = text
                    .bytes()
                    .filter(|&b| b == b',')
                    .count()
                    .saturating_add(1);
                if count > *max_items {
                    return Err(bad(
                        ViolationKind::TooMany,
                        format!("{count} items, at most {max_items} allowed"),
                    ));
                }
                let mut items: Vec<&'a str> = Vec::with_capacity(count);
                for item in text.split(',') {
                    if item.is_empty() {
                        return Err(bad(ViolationKind::Malformed, "an empty item".into()));
                    }
                    if item.len() > *item_max_len {
                        return Err(bad(
                            ViolationKind::Malformed,
                            format!("an item longer than {item_max_len} bytes"),
                        ));
                    }
                    if item.starts_with([' ', '\t'])
                        || item.ends_with([' ', '\t'])
                        || has_control(item)
                    {
                        return Err(bad(
                            ViolationKind::Malformed,
                            "items are separated by ',' without spaces or control characters"
                                .into(),
                        ));
                    }
                    if !values.is_empty() && !values.iter().any(|v| v == item) {
                        return Err(BadValue {
                            kind: ViolationKind::NotSupported,
                            value: item,
                            detail: format!("{item:?} is not one of {}", values.join(", ")),
                        });
                    }
                    if items.contains(&item) {
                        return Err(bad(
                            ViolationKind::Malformed,
                            format!("{item:?} is listed twice"),
                        ));
                    }
                    items.push(item);
                }
                Ok(Value::List(items))
            }
            ParamKind::Integer { min, max, allowed } => {
                let n = parse_integer(text).ok_or_else(|| {
                    bad(
                        ViolationKind::Malformed,
                        "expected a decimal integer".into(),
                    )
                })?;
                if !allowed.is_empty() && !allowed.contains(&n) {
                    let list: Vec<String> = allowed.iter().map(i64::to_string).collect();
                    return Err(bad(
                        ViolationKind::NotSupported,
                        format!("expected one of {}", list.join(", ")),
                    ));
                }
                if n < *min || n > *max {
                    return Err(bad(
                        ViolationKind::OutOfRange,
                        format!("expected {min} to {max}"),
                    ));
                }
                Ok(Value::Integer(n))
            }
        }
    }
}

/// Whether `text` has a control character (`char::is_control`). Printable ASCII is the usual
/// case: one branch-free pass over the bytes (which the compiler vectorises) finds whether any
/// byte is outside 0x20–0x7E, and only then are the characters decoded.
fn has_control(text: &str) -> bool {
    let outside = text
        .as_bytes()
        .iter()
        .fold(0_u8, |acc, &b| acc | u8::from(b.wrapping_sub(0x20) > 0x5E));
    outside != 0 && text.chars().any(char::is_control)
}

/// `expected one of a, b, c`, written without the formatting machinery (a refused choice is
/// the common refusal).
fn one_of(values: &[String]) -> String {
    const HEAD: &str = "expected one of ";
    let len = values.iter().fold(HEAD.len(), |n, v| {
        n.saturating_add(v.len()).saturating_add(2)
    });
    let mut out = String::with_capacity(len);
    out.push_str(HEAD);
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(v);
    }
    out
}

/// An optional `-` and 1 to 18 ASCII digits (so the value always fits an `i64`), without
/// leading zeros (`0` itself is fine; `03600` and `-0` are not): one spelling per number,
/// as strict as the time formats.
fn parse_integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    if digits.starts_with('0') && (digits.len() > 1 || negative) {
        return None;
    }
    let mut n = 0_i64;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n
            .checked_mul(10)?
            .checked_add(i64::from(b.wrapping_sub(b'0')))?;
    }
    Some(if negative { n.checked_neg()? } else { n })
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn control_characters_as_chars(text in "[a\\x00-\\x{A0}\\x{100}-\\x{2000}\\PC]{0,12}") {
            proptest::prop_assert_eq!(has_control(&text), text.chars().any(char::is_control));
        }
    }

    #[test]
    fn choices_in_words() {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        for values in [
            words(&[]),
            words(&["A"]),
            words(&["RUNNING", "CLOSED", "x y"]),
        ] {
            assert_eq!(
                one_of(&values),
                format!("expected one of {}", values.join(", "))
            );
        }
    }

    #[test]
    fn control_characters() {
        for text in [
            "",
            "abc",
            "\u{7E}",
            "\u{A0}",
            "é",
            "\u{C2}\u{A0}",
            "\u{2028}",
        ] {
            assert!(!has_control(text), "{text:?}");
        }
        for text in ["a\u{0}", "\t", "\u{7F}", "x\u{80}", "\u{9F}y"] {
            assert!(has_control(text), "{text:?}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("3600"), Some(3600));
        assert_eq!(parse_integer("-5"), Some(-5));
        assert_eq!(parse_integer("+5"), None);
        assert_eq!(parse_integer("0"), Some(0));
        assert_eq!(parse_integer("03600"), None);
        assert_eq!(parse_integer("00"), None);
        assert_eq!(parse_integer("-0"), None);
        assert_eq!(parse_integer("-05"), None);
        assert_eq!(parse_integer(""), None);
        assert_eq!(parse_integer("-"), None);
        assert_eq!(parse_integer("1e3"), None);
        assert_eq!(parse_integer(&"9".repeat(19)), None);
        assert_eq!(
            parse_integer(&"9".repeat(18)),
            Some(999_999_999_999_999_999)
        );
    }
}
