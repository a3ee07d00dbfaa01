//! API profiles as data: parameters, formats, defaults, limits and the error vocabulary.
//!
//! A [`Profile`] is data (serializable with the `serde` feature), so a service can add its own
//! APIs next to the [built-in ones](crate::builtin); [`Profile::builder`] and deserializing both
//! check a profile with [`Profile::check`].

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
/// let err = builtin::huawei_rtc_rooms().into_builder().clear_errors().build().unwrap_err();
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
/// A profile is built with [`Profile::builder`] (or read from serde), and both run
/// [`Profile::check`]: a `Profile` value is always usable. Its parts ([`Param`], [`TimeRule`],
/// [`Delay`], [`RateSpec`], [`ErrorRule`], [`Alias`]) are plain values with constructors; they are
/// checked together, as part of the profile that holds them.
///
/// ```
/// use mediameter_query::{ErrorRule, Param, ParamKind, Profile, TimeFormat, TimeRule, Vendor, ViolationKind};
///
/// // A room list: `app` required, a UTC range of at most one day, `limit` 1 to 100 (default 10).
/// let p = Profile::builder("rooms", Vendor::Huawei, "rtc:room:list")
///     .endpoint("GET /v1/{project_id}/rtc/rooms")
///     .param(Param::new("app", ParamKind::Text).required())
///     .param(Param::new("start_time", ParamKind::time(TimeFormat::UtcSeconds)))
///     .param(Param::new("end_time", ParamKind::time(TimeFormat::UtcSeconds)))
///     .param(Param::new("limit", ParamKind::integer(1, 100)).with_default("10"))
///     .time_range(TimeRule::new("start_time", "end_time").with_default_end_now().with_default_span(3600).with_max_span(86_400))
///     .resource_param("app")
///     .error(ErrorRule::new(&[ViolationKind::Missing], "DATA.100011001", "Required {type} parameter '{name}' is not present", 400))
///     .error(ErrorRule::new(&[], "MM.InvalidParameter", "Invalid parameter '{name}': {detail}", 400))
///     .build()?;
/// assert_eq!(p.name(), "rooms");
/// assert_eq!(p.param("limit").and_then(|l| l.default_value()), Some("10"));
///
/// let p = mediameter_query::builtin::describe_live_producer_usage_data();
/// assert_eq!(p.name(), "DescribeLiveProducerUsageData");
/// assert!(p.param("Interval").is_some());
/// # Ok::<(), mediameter_query::ProfileError>(())
/// ```
///
/// A struct literal would skip the checks, so it does not compile outside the crate:
///
/// ```compile_fail,E0451
/// use mediameter_query::{Profile, Vendor};
/// let p = Profile {
///     name: String::new(), vendor: Vendor::Huawei, endpoint: String::new(), action: String::new(),
///     source: String::new(), params: vec![], max_params: 0, allow_unknown: false,
///     resource_param: None, time_range: None, rate: None, errors: vec![],
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
// `remote = "Self"`: the derives write inherent `Profile::serialize`/`Profile::deserialize`,
// and the trait impls below call them, so that reading a profile always runs
// [`Profile::check`].
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(remote = "Self", deny_unknown_fields))]
pub struct Profile {
    /// The name callers use (`--api NAME`).
    pub(crate) name: String,
    /// Whose API it is.
    pub(crate) vendor: Vendor,
    /// How the API is reached, for people (`GET /v1/{project_id}/rtc/rooms`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) endpoint: String,
    /// The permission action ([`crate::perm`]).
    pub(crate) action: String,
    /// Where the rules come from (seed document and section).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) source: String,
    /// Parameters, in the order they are checked.
    pub(crate) params: Vec<Param>,
    /// Most parameters one query may carry; more is refused before any other check.
    #[cfg_attr(feature = "serde", serde(default = "default_max_params"))]
    pub(crate) max_params: usize,
    /// Undeclared parameters are a warning (true) or a violation (false).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) allow_unknown: bool,
    /// The parameter naming the resource (app id) that permissions are checked on; `None`
    /// when the API reads every app at once.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) resource_param: Option<String>,
    /// Rules over the start/end pair.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) time_range: Option<TimeRule>,
    /// The vendor's documented request rate, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) rate: Option<RateSpec>,
    /// The error vocabulary, in precedence order: the first rule that matches any violation
    /// names the answer.
    pub(crate) errors: Vec<ErrorRule>,
}

#[cfg(feature = "serde")]
fn default_max_params() -> usize {
    DEFAULT_MAX_PARAMS
}

/// The `max_params` of a profile that does not set one.
const DEFAULT_MAX_PARAMS: usize = 32;

/// Builds a [`Profile`] step by step; [`ProfileBuilder::build`] checks it.
///
/// Made by [`Profile::builder`], or by [`Profile::into_builder`] to change a profile (a
/// built-in one, say) and check it again:
///
/// ```
/// use mediameter_query::{builtin, RateSpec};
/// let p = builtin::huawei_rtc_rooms().into_builder().rate(RateSpec::new(5, 1)).build()?;
/// assert_eq!(p.rate().map(|r| r.requests()), Some(5));
/// # Ok::<(), mediameter_query::ProfileError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ProfileBuilder {
    profile: Profile,
}

impl ProfileBuilder {
    /// Another name (to serve a changed built-in profile beside the original, say).
    pub fn name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.profile.name);
        self
    }

    /// Another permission action ([`crate::perm`]).
    pub fn action(mut self, action: &str) -> Self {
        action.clone_into(&mut self.profile.action);
        self
    }

    /// How the API is reached, for people (`GET /v1/{project_id}/rtc/rooms`).
    pub fn endpoint(mut self, endpoint: &str) -> Self {
        endpoint.clone_into(&mut self.profile.endpoint);
        self
    }

    /// Where the rules come from (the vendor document and section).
    pub fn source(mut self, source: &str) -> Self {
        source.clone_into(&mut self.profile.source);
        self
    }

    /// One more parameter, checked after the ones before it.
    pub fn param(mut self, param: Param) -> Self {
        self.profile.params.push(param);
        self
    }

    /// More parameters, in order.
    pub fn params(mut self, params: impl IntoIterator<Item = Param>) -> Self {
        self.profile.params.extend(params);
        self
    }

    /// Most parameters one query may carry (32 unless set); more is refused before any other
    /// check.
    pub fn max_params(mut self, max_params: usize) -> Self {
        self.profile.max_params = max_params;
        self
    }

    /// Whether undeclared parameters are a warning (`true`) or a violation (`false`, unless
    /// set).
    pub fn allow_unknown(mut self, allow: bool) -> Self {
        self.profile.allow_unknown = allow;
        self
    }

    /// The parameter naming the app that permissions are checked on (none unless set: the API
    /// reads every app at once).
    pub fn resource_param(mut self, name: &str) -> Self {
        self.profile.resource_param = Some(name.to_owned());
        self
    }

    /// Rules over the start/end pair.
    pub fn time_range(mut self, rule: TimeRule) -> Self {
        self.profile.time_range = Some(rule);
        self
    }

    /// The vendor's documented request rate.
    pub fn rate(mut self, rate: RateSpec) -> Self {
        self.profile.rate = Some(rate);
        self
    }

    /// One more entry of the error vocabulary, after the ones before it in precedence.
    pub fn error(mut self, rule: ErrorRule) -> Self {
        self.profile.errors.push(rule);
        self
    }

    /// More entries of the error vocabulary, in precedence order.
    pub fn errors(mut self, rules: impl IntoIterator<Item = ErrorRule>) -> Self {
        self.profile.errors.extend(rules);
        self
    }

    /// Removes every entry of the error vocabulary (to replace a built-in profile's answers).
    pub fn clear_errors(mut self) -> Self {
        self.profile.errors.clear();
        self
    }

    /// The profile, after [`Profile::check`].
    ///
    /// # Errors
    ///
    /// [`ProfileError`] naming the first problem [`Profile::check`] finds.
    pub fn build(self) -> Result<Profile, ProfileError> {
        self.profile.check()?;
        Ok(self.profile)
    }

    /// The profile without the check, for the built-in profiles (a unit test checks each).
    pub(crate) fn build_unchecked(self) -> Profile {
        self.profile
    }
}

/// One parameter.
///
/// Built with [`Param::new`] and its builder methods; checked as part of its profile
/// ([`Profile::check`]: lengths, ranges, a default that passes the parameter's own checks).
///
/// ```
/// use mediameter_query::{Param, ParamKind};
/// let p = Param::new("limit", ParamKind::integer(1, 100)).with_default("10");
/// assert_eq!(p.default_value(), Some("10"));
/// assert_eq!(p.kind().type_name(), "Integer");
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// use mediameter_query::{Param, ParamKind};
/// let p = Param { name: "limit".into(), required: false, max_len: 0, kind: ParamKind::Text, default: None };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Param {
    /// The exact, case-sensitive name.
    pub(crate) name: String,
    /// Absent or empty is a violation.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) required: bool,
    /// Longest accepted value in bytes, checked before the value is looked at.
    pub(crate) max_len: usize,
    /// The value's syntax and allowed values.
    pub(crate) kind: ParamKind,
    /// Value used when the parameter is absent or empty (validated like a given value).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) default: Option<String>,
}

impl Param {
    /// An optional parameter of `kind` with a `max_len` suited to the kind.
    ///
    /// ```
    /// use mediameter_query::{Param, ParamKind};
    /// assert_eq!(Param::new("app", ParamKind::Text).max_len(), 256);
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
    /// assert!(Param::new("app", ParamKind::Text).required().is_required());
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
    /// assert_eq!(Param::new("offset", ParamKind::Text).with_default("0").default_value(), Some("0"));
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
    /// assert_eq!(Param::new("DomainName", ParamKind::Text).with_max_len(253).max_len(), 253);
    /// ```
    #[must_use]
    pub fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// The exact, case-sensitive name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether an absent or empty value is a violation.
    #[must_use]
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// Longest accepted value in bytes, checked before the value is looked at.
    #[must_use]
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The value's syntax and allowed values.
    #[must_use]
    pub fn kind(&self) -> &ParamKind {
        &self.kind
    }

    /// The value used when the parameter is absent or empty.
    #[must_use]
    pub fn default_value(&self) -> Option<&str> {
        self.default.as_deref()
    }
}

/// The syntax of a parameter's value.
///
/// Both the enum and each variant with data are `#[non_exhaustive]`: a kind may be added, and a
/// variant may gain a setting (a step for integers, say). Build a kind with its constructor
/// ([`ParamKind::time`], [`ParamKind::choice`], [`ParamKind::list`], [`ParamKind::integer`], and
/// [`ParamKind::Text`] as is); read its data with a pattern ending in `..`. Its checks (bounds
/// in order, allowed values inside them, no empty word, a default it accepts) are its
/// profile's, made by
/// [`ProfileBuilder::build`] and when a profile is deserialized.
///
/// ```
/// use mediameter_query::{ParamKind, TimeFormat};
/// assert_eq!(ParamKind::time(TimeFormat::UtcSeconds).type_name(), "String");
/// let limit = ParamKind::integer(1, 100);
/// assert!(matches!(limit, ParamKind::Integer { min: 1, max: 100, .. }));
/// ```
///
/// A variant's fields cannot be written as a literal outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_query::ParamKind;
/// let k = ParamKind::Integer { min: 1, max: 100, allowed: vec![] };
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
    #[non_exhaustive]
    Time {
        /// The documented format.
        format: TimeFormat,
    },
    /// One of a fixed set of words (case-sensitive); aliases are accepted and reported under
    /// their canonical word.
    #[non_exhaustive]
    Choice {
        /// The canonical words.
        values: Vec<String>,
        /// Other spellings the vendor accepts.
        #[cfg_attr(feature = "serde", serde(default))]
        aliases: Vec<Alias>,
    },
    /// A comma-separated list (no spaces, no empty items, no repeats).
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    /// An instant in `format`.
    ///
    /// ```
    /// use mediameter_query::{ParamKind, TimeFormat};
    /// let k = ParamKind::time(TimeFormat::Rfc3339);
    /// assert!(matches!(k, ParamKind::Time { format: TimeFormat::Rfc3339, .. }));
    /// ```
    #[must_use]
    pub const fn time(format: TimeFormat) -> Self {
        ParamKind::Time { format }
    }

    /// One of `values` (case-sensitive), without aliases until [`ParamKind::with_aliases`].
    ///
    /// ```
    /// use mediameter_query::ParamKind;
    /// let k = ParamKind::choice(["province", "country"]);
    /// assert!(matches!(&k, ParamKind::Choice { values, aliases, .. } if values.len() == 2 && aliases.is_empty()));
    /// ```
    #[must_use]
    pub fn choice<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Self {
        ParamKind::Choice {
            values: values.into_iter().map(Into::into).collect(),
            aliases: Vec::new(),
        }
    }

    /// A comma-separated list of at most `max_items` items of at most `item_max_len` bytes,
    /// any text until [`ParamKind::with_values`] names the allowed items.
    ///
    /// ```
    /// use mediameter_query::ParamKind;
    /// let k = ParamKind::list(20, 64);
    /// assert!(matches!(&k, ParamKind::List { max_items: 20, item_max_len: 64, values, .. } if values.is_empty()));
    /// ```
    #[must_use]
    pub const fn list(max_items: usize, item_max_len: usize) -> Self {
        ParamKind::List {
            max_items,
            item_max_len,
            values: Vec::new(),
        }
    }

    /// A decimal integer from `min` to `max`, any value between until
    /// [`ParamKind::with_allowed`] names the only ones accepted.
    ///
    /// ```
    /// use mediameter_query::{Param, ParamKind};
    /// let p = Param::new("limit", ParamKind::integer(1, 100)).with_default("10");
    /// assert_eq!(p.kind().type_name(), "Integer");
    /// ```
    #[must_use]
    pub const fn integer(min: i64, max: i64) -> Self {
        ParamKind::Integer {
            min,
            max,
            allowed: Vec::new(),
        }
    }

    /// The same choice with other spellings the vendor accepts; any other kind is returned
    /// unchanged.
    ///
    /// ```
    /// use mediameter_query::{Alias, ParamKind};
    /// let k = ParamKind::choice(["user_num"]).with_aliases([Alias::new("user_count", "user_num")]);
    /// assert!(matches!(&k, ParamKind::Choice { aliases, .. } if aliases.len() == 1));
    /// ```
    #[must_use]
    pub fn with_aliases(mut self, more: impl IntoIterator<Item = Alias>) -> Self {
        if let ParamKind::Choice { aliases, .. } = &mut self {
            aliases.extend(more);
        }
        self
    }

    /// The same list with its allowed items; any other kind is returned unchanged.
    ///
    /// ```
    /// use mediameter_query::ParamKind;
    /// let k = ParamKind::list(6, 16).with_values(["audio", "video"]);
    /// assert!(matches!(&k, ParamKind::List { values, .. } if values.len() == 2));
    /// ```
    #[must_use]
    pub fn with_values<S: Into<String>>(mut self, more: impl IntoIterator<Item = S>) -> Self {
        if let ParamKind::List { values, .. } = &mut self {
            values.extend(more.into_iter().map(Into::into));
        }
        self
    }

    /// The same integer with the only values accepted; any other kind is returned unchanged.
    ///
    /// ```
    /// use mediameter_query::ParamKind;
    /// let k = ParamKind::integer(1, 100).with_allowed([10, 20, 50]);
    /// assert!(matches!(&k, ParamKind::Integer { allowed, .. } if allowed.len() == 3));
    /// ```
    #[must_use]
    pub fn with_allowed(mut self, more: impl IntoIterator<Item = i64>) -> Self {
        if let ParamKind::Integer { allowed, .. } = &mut self {
            allowed.extend(more);
        }
        self
    }

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
/// assert_eq!((a.from(), a.to()), ("user_count", "user_num"));
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// let a = mediameter_query::Alias { from: "user_count".into(), to: "user_num".into() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Alias {
    /// The accepted spelling.
    pub(crate) from: String,
    /// The canonical word it stands for.
    pub(crate) to: String,
}

impl Alias {
    /// `from` read as `to`.
    ///
    /// ```
    /// assert_eq!(mediameter_query::Alias::new("a", "b").from(), "a");
    /// ```
    #[must_use]
    pub fn new(from: &str, to: &str) -> Self {
        Alias {
            from: from.to_owned(),
            to: to.to_owned(),
        }
    }

    /// The accepted spelling.
    #[must_use]
    pub fn from(&self) -> &str {
        &self.from
    }

    /// The canonical word it stands for.
    #[must_use]
    pub fn to(&self) -> &str {
        &self.to
    }
}

/// Rules over the start/end pair of a profile.
///
/// [`TimeRule::new`] names the two time parameters; each rule the vendor documents is one
/// builder method (all off unless set). Checked as part of its profile ([`Profile::check`]:
/// both names are declared time parameters, and different).
///
/// ```
/// use mediameter_query::{builtin, TimeRule};
/// // "At most 7 days per query, within the last 30 days, not in the future."
/// let rule = TimeRule::new("StartTime", "EndTime")
///     .with_max_span(7 * 86_400)
///     .with_lookback(30 * 86_400)
///     .with_start_not_after_now();
/// assert_eq!(rule.max_span_seconds(), Some(7 * 86_400));
/// let p = builtin::list_operation_distribution();
/// assert_eq!(p.time_range().map(|r| r.lookback_seconds()), Some(rule.lookback_seconds()));
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// let r = mediameter_query::TimeRule {
///     start: "a".into(), end: "b".into(), default_end_now: false, default_span_seconds: None,
///     max_span_seconds: None, lookback_seconds: None, start_not_after_now: false, delay: None,
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct TimeRule {
    /// The start parameter (a [`ParamKind::Time`]).
    pub(crate) start: String,
    /// The end parameter (a [`ParamKind::Time`]).
    pub(crate) end: String,
    /// An absent end defaults to now (truncated to the second).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) default_end_now: bool,
    /// An absent start defaults to this many seconds before the end.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) default_span_seconds: Option<u64>,
    /// Longest range.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) max_span_seconds: Option<u64>,
    /// The start may not be earlier than this many seconds before now.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) lookback_seconds: Option<u64>,
    /// The start may not be after now.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) start_not_after_now: bool,
    /// The vendor's data delay.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) delay: Option<Delay>,
}

impl TimeRule {
    /// A rule over the time parameters `start` and `end`, with no limit yet.
    ///
    /// ```
    /// let r = mediameter_query::TimeRule::new("from", "to");
    /// assert_eq!((r.start(), r.end(), r.max_span_seconds()), ("from", "to", None));
    /// ```
    #[must_use]
    pub fn new(start: &str, end: &str) -> Self {
        TimeRule {
            start: start.to_owned(),
            end: end.to_owned(),
            default_end_now: false,
            default_span_seconds: None,
            max_span_seconds: None,
            lookback_seconds: None,
            start_not_after_now: false,
            delay: None,
        }
    }

    /// The same rule, where an absent end is now (truncated to the second).
    #[must_use]
    pub fn with_default_end_now(mut self) -> Self {
        self.default_end_now = true;
        self
    }

    /// The same rule, where an absent start is `seconds` before the end.
    #[must_use]
    pub fn with_default_span(mut self, seconds: u64) -> Self {
        self.default_span_seconds = Some(seconds);
        self
    }

    /// The same rule, with ranges of at most `seconds`.
    #[must_use]
    pub fn with_max_span(mut self, seconds: u64) -> Self {
        self.max_span_seconds = Some(seconds);
        self
    }

    /// The same rule, with a start no earlier than `seconds` before now.
    #[must_use]
    pub fn with_lookback(mut self, seconds: u64) -> Self {
        self.lookback_seconds = Some(seconds);
        self
    }

    /// The same rule, with a start no later than now.
    #[must_use]
    pub fn with_start_not_after_now(mut self) -> Self {
        self.start_not_after_now = true;
        self
    }

    /// The same rule, with the vendor's data delay.
    #[must_use]
    pub fn with_delay(mut self, delay: Delay) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The start parameter.
    #[must_use]
    pub fn start(&self) -> &str {
        &self.start
    }

    /// The end parameter.
    #[must_use]
    pub fn end(&self) -> &str {
        &self.end
    }

    /// Whether an absent end defaults to now.
    #[must_use]
    pub fn default_end_now(&self) -> bool {
        self.default_end_now
    }

    /// How long before the end an absent start is, if it has a default.
    #[must_use]
    pub fn default_span_seconds(&self) -> Option<u64> {
        self.default_span_seconds
    }

    /// The longest range, if limited.
    #[must_use]
    pub fn max_span_seconds(&self) -> Option<u64> {
        self.max_span_seconds
    }

    /// How far before now the start may be, if limited.
    #[must_use]
    pub fn lookback_seconds(&self) -> Option<u64> {
        self.lookback_seconds
    }

    /// Whether the start may not be after now.
    #[must_use]
    pub fn start_not_after_now(&self) -> bool {
        self.start_not_after_now
    }

    /// The vendor's data delay, if any.
    #[must_use]
    pub fn delay(&self) -> Option<&Delay> {
        self.delay.as_ref()
    }
}

/// How late the vendor's data is: a range whose end is later than `now − seconds` reaches into
/// data that is not complete yet.
///
/// ```
/// use mediameter_query::Delay;
/// // CTS: management events after 1 minute, data events after 5.
/// let d = Delay::new(60).selected_by("trace_type", &[("system", 60), ("data", 300)]);
/// assert_eq!(d.seconds_for(Some("data")), 300);
/// assert_eq!(d.seconds_for(Some("system")), 60);
/// assert_eq!(d.by(), Some("trace_type"));
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// let d = mediameter_query::Delay { seconds: 60, by: None, values: vec![] };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Delay {
    /// The delay when no [`Delay::by`] value applies.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) seconds: u64,
    /// A parameter whose value selects another delay (CTS: `trace_type`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) by: Option<String>,
    /// Delays per value of [`Delay::by`].
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) values: Vec<DelayValue>,
}

impl Delay {
    /// A delay of `seconds` whatever the query.
    ///
    /// ```
    /// assert_eq!(mediameter_query::Delay::new(28_800).seconds(), 28_800);
    /// ```
    #[must_use]
    pub fn new(seconds: u64) -> Self {
        Delay {
            seconds,
            by: None,
            values: Vec::new(),
        }
    }

    /// The same delay, except for the listed values of the parameter `param`, which have
    /// their own delays (`(value, seconds)`); other values keep [`Delay::seconds`].
    #[must_use]
    pub fn selected_by(mut self, param: &str, values: &[(&str, u64)]) -> Self {
        self.by = Some(param.to_owned());
        self.values = values
            .iter()
            .map(|&(value, seconds)| DelayValue::new(value, seconds))
            .collect();
        self
    }

    /// The delay when no value of [`Delay::by`] applies.
    #[must_use]
    pub fn seconds(&self) -> u64 {
        self.seconds
    }

    /// The parameter whose value selects another delay, if any.
    #[must_use]
    pub fn by(&self) -> Option<&str> {
        self.by.as_deref()
    }

    /// The delays per value of [`Delay::by`].
    #[must_use]
    pub fn values(&self) -> &[DelayValue] {
        &self.values
    }

    /// The delay for the value of the selecting parameter.
    ///
    /// ```
    /// use mediameter_query::Delay;
    /// let d = Delay::new(28_800);
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
/// let v = mediameter_query::DelayValue::new("data", 300);
/// assert_eq!((v.value(), v.seconds()), ("data", 300));
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// let v = mediameter_query::DelayValue { value: "data".into(), seconds: 300 };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct DelayValue {
    /// The parameter value.
    pub(crate) value: String,
    /// Its delay in seconds.
    pub(crate) seconds: u64,
}

impl DelayValue {
    /// A delay of `seconds` when the selecting parameter is `value`.
    #[must_use]
    pub fn new(value: &str, seconds: u64) -> Self {
        DelayValue {
            value: value.to_owned(),
            seconds,
        }
    }

    /// The parameter value.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Its delay in seconds.
    #[must_use]
    pub fn seconds(&self) -> u64 {
        self.seconds
    }
}

/// A documented request rate: `requests` per `per_seconds`, with up to `burst` at once.
///
/// All three must be positive; a profile ([`Profile::check`]) and a rate limiter
/// ([`crate::rate::RateLimiter::set_limit`]) refuse a zero.
///
/// ```
/// use mediameter_query::{builtin, RateSpec};
/// let r = RateSpec::new(2, 1); // "2 requests per second"
/// assert_eq!((r.requests(), r.per_seconds(), r.burst()), (2, 1, 2));
/// assert_eq!(RateSpec::new(10, 60).with_burst(1).burst(), 1);
/// assert_eq!(builtin::list_operation_distribution().rate(), Some(r));
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// let r = mediameter_query::RateSpec { requests: 2, per_seconds: 1, burst: 2 };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct RateSpec {
    /// Requests allowed per period.
    pub(crate) requests: u32,
    /// The period, in seconds.
    pub(crate) per_seconds: u32,
    /// Requests that may arrive at once after an idle period.
    pub(crate) burst: u32,
}

impl RateSpec {
    /// `requests` per `per_seconds` seconds, with a burst of `requests` (a full period's worth
    /// at once after an idle period).
    #[must_use]
    pub const fn new(requests: u32, per_seconds: u32) -> Self {
        RateSpec {
            requests,
            per_seconds,
            burst: requests,
        }
    }

    /// The same rate with another burst.
    #[must_use]
    pub const fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst;
        self
    }

    /// Requests allowed per period.
    #[must_use]
    pub const fn requests(&self) -> u32 {
        self.requests
    }

    /// The period, in seconds.
    #[must_use]
    pub const fn per_seconds(&self) -> u32 {
        self.per_seconds
    }

    /// Requests that may arrive at once after an idle period.
    #[must_use]
    pub const fn burst(&self) -> u32 {
        self.burst
    }
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
/// assert_eq!((r.code(), r.status()), ("DATA.100011001", 400));
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// let r = mediameter_query::ErrorRule {
///     kinds: vec![], param: None, with: None, code: "X".into(), code_n: None,
///     message: "m".into(), status: 200,
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ErrorRule {
    /// The kinds this rule answers; empty means every kind.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) kinds: Vec<ViolationKind>,
    /// Only violations of this parameter.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) param: Option<String>,
    /// Only when this other parameter has a violation of the same kind too (Alibaba's
    /// `InvalidTime.Malformed` when both `StartTime` and `EndTime` are malformed).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) with: Option<String>,
    /// The vendor's error code.
    pub(crate) code: String,
    /// Volcengine's numeric `CodeN`, when known.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) code_n: Option<u32>,
    /// The message template.
    pub(crate) message: String,
    /// The HTTP status.
    pub(crate) status: u16,
}

impl ErrorRule {
    /// A rule for `kinds` on any parameter.
    ///
    /// ```
    /// use mediameter_query::ErrorRule;
    /// let r = ErrorRule::new(&[], "InvalidParameter", "bad {name}", 400);
    /// assert!(r.kinds().is_empty());
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
    /// assert_eq!(r.param(), Some("StartTime"));
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
    /// assert_eq!(r.other_param(), Some("EndTime"));
    /// ```
    #[must_use]
    pub fn with(mut self, other: &str) -> Self {
        self.with = Some(other.to_owned());
        self
    }

    /// The same rule with Volcengine's numeric `CodeN`.
    ///
    /// ```
    /// use mediameter_query::ErrorRule;
    /// assert_eq!(ErrorRule::new(&[], "X", "m", 400).with_code_n(100_004).code_n(), Some(100_004));
    /// ```
    #[must_use]
    pub fn with_code_n(mut self, code_n: u32) -> Self {
        self.code_n = Some(code_n);
        self
    }

    /// The kinds this rule answers; empty means every kind.
    #[must_use]
    pub fn kinds(&self) -> &[ViolationKind] {
        &self.kinds
    }

    /// The one parameter whose violations the rule answers, if limited ([`ErrorRule::on`]).
    #[must_use]
    pub fn param(&self) -> Option<&str> {
        self.param.as_deref()
    }

    /// The other parameter that must have a violation of the same kind too, if any
    /// ([`ErrorRule::with`]).
    #[must_use]
    pub fn other_param(&self) -> Option<&str> {
        self.with.as_deref()
    }

    /// The vendor's error code.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Volcengine's numeric `CodeN`, when known.
    #[must_use]
    pub fn code_n(&self) -> Option<u32> {
        self.code_n
    }

    /// The message template.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
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
    /// A profile called `name` (what callers use, `--api NAME`) of `vendor`'s API, whose
    /// permission action is `action` ([`crate::perm`]); add its parameters, rules and error
    /// vocabulary, then [`ProfileBuilder::build`].
    ///
    /// Unless set: no endpoint or source text, at most 32 parameters per query, undeclared
    /// parameters refused, no resource parameter, no time rule, no rate.
    pub fn builder(name: &str, vendor: Vendor, action: &str) -> ProfileBuilder {
        ProfileBuilder {
            profile: Profile {
                name: name.to_owned(),
                vendor,
                endpoint: String::new(),
                action: action.to_owned(),
                source: String::new(),
                params: Vec::new(),
                max_params: DEFAULT_MAX_PARAMS,
                allow_unknown: false,
                resource_param: None,
                time_range: None,
                rate: None,
                errors: Vec::new(),
            },
        }
    }

    /// A builder holding this profile, to change it and build (check) it again.
    pub fn into_builder(self) -> ProfileBuilder {
        ProfileBuilder { profile: self }
    }

    /// The name callers use (`--api NAME`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whose API it is.
    #[must_use]
    pub fn vendor(&self) -> Vendor {
        self.vendor
    }

    /// How the API is reached, for people (`GET /v1/{project_id}/rtc/rooms`); may be empty.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The permission action ([`crate::perm`]).
    #[must_use]
    pub fn action(&self) -> &str {
        &self.action
    }

    /// Where the rules come from (the vendor document and section); may be empty.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The parameters, in the order they are checked.
    #[must_use]
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Most parameters one query may carry; more is refused before any other check.
    #[must_use]
    pub fn max_params(&self) -> usize {
        self.max_params
    }

    /// Whether undeclared parameters are a warning (`true`) or a violation (`false`).
    #[must_use]
    pub fn allow_unknown(&self) -> bool {
        self.allow_unknown
    }

    /// The parameter naming the app that permissions are checked on; `None` when the API
    /// reads every app at once.
    #[must_use]
    pub fn resource_param(&self) -> Option<&str> {
        self.resource_param.as_deref()
    }

    /// Rules over the start/end pair.
    #[must_use]
    pub fn time_range(&self) -> Option<&TimeRule> {
        self.time_range.as_ref()
    }

    /// The vendor's documented request rate, if any.
    #[must_use]
    pub fn rate(&self) -> Option<RateSpec> {
        self.rate
    }

    /// The error vocabulary, in precedence order: the first rule that matches any violation
    /// names the answer.
    #[must_use]
    pub fn errors(&self) -> &[ErrorRule] {
        &self.errors
    }

    /// The declared parameter called `name`.
    ///
    /// ```
    /// let p = mediameter_query::builtin::huawei_rtc_rooms();
    /// assert!(p.param("app").ok_or("missing app param")?.is_required());
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
    /// use mediameter_query::{builtin, Param, ParamKind};
    /// let p = builtin::huawei_rtc_rooms();
    /// assert!(p.check().is_ok());
    /// let twice = p.into_builder().param(Param::new("app", ParamKind::Text)).build();
    /// assert!(twice.is_err()); // duplicate name
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
