//! Violations, the vendor-shaped answer to a rejected query, and the HTTP retry table.

use std::fmt;

use crate::profile::{ErrorRule, Profile, Vendor, ViolationKind};

/// One thing wrong with a query.
///
/// `#[non_exhaustive]`: a violation may say more later (a position inside the value, say).
/// Build one with [`Violation::new`], which truncates the value; read the public fields.
///
/// ```
/// use mediameter_query::{Violation, ViolationKind};
/// let v = Violation::new(ViolationKind::Missing, Some("app"), None, "is required");
/// assert_eq!(v.pointer(), "/app");
/// ```
///
/// A literal, which would skip the truncation, does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_query::{Violation, ViolationKind};
/// let v = Violation { kind: ViolationKind::Missing, param: None, value: None, detail: String::new() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Violation {
    /// What kind of problem.
    pub kind: ViolationKind,
    /// The parameter, when the problem is about one.
    pub param: Option<String>,
    /// The offending value, truncated to [`mediameter_core::error::ECHO_LIMIT`] characters.
    pub value: Option<String>,
    /// What was wrong and what was expected, in words.
    pub detail: String,
}

impl Violation {
    /// A violation; `value` is truncated here, so callers may pass outside input as is.
    ///
    /// ```
    /// use mediameter_query::{Violation, ViolationKind};
    /// let v = Violation::new(ViolationKind::Malformed, Some("x"), Some(&"y".repeat(10_000)), "bad");
    /// assert!(v.value.ok_or("missing value")?.chars().count() <= 65);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        kind: ViolationKind,
        param: Option<&str>,
        value: Option<&str>,
        detail: impl Into<String>,
    ) -> Self {
        Violation {
            kind,
            param: param.map(mediameter_core::error::truncate),
            value: value.map(mediameter_core::error::truncate),
            detail: detail.into(),
        }
    }

    /// The JSON pointer (RFC 6901) of the parameter in a request object, or `""` for the whole
    /// request.
    ///
    /// ```
    /// use mediameter_query::{Violation, ViolationKind};
    /// let v = Violation::new(ViolationKind::Malformed, Some("a/b~c"), None, "");
    /// assert_eq!(v.pointer(), "/a~1b~0c");
    /// assert_eq!(Violation::new(ViolationKind::TooLarge, None, None, "").pointer(), "");
    /// ```
    #[must_use]
    pub fn pointer(&self) -> String {
        match &self.param {
            None => String::new(),
            Some(p) => {
                let mut out = String::with_capacity(p.len().saturating_add(1));
                out.push('/');
                for c in p.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        _ => out.push(c),
                    }
                }
                out
            }
        }
    }
}

/// `param: detail`, with control characters escaped (`\u{1b}`): the parameter name comes from
/// outside.
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use mediameter_core::echo::escape_controls;
        match &self.param {
            Some(p) => write!(
                f,
                "{}: {}",
                escape_controls(p),
                escape_controls(&self.detail)
            ),
            None => write!(f, "{}", escape_controls(&self.detail)),
        }
    }
}

/// What the vendor would have answered: every violation, the primary one, and its code,
/// message and HTTP status from the profile's error vocabulary.
///
/// ```
/// use mediameter_query::{Options, Registry};
/// use chrono::Utc;
///
/// let reg = Registry::builtin();
/// let now = "2018-11-01T00:00:00Z".parse::<chrono::DateTime<Utc>>()?;
/// let err = reg
///     .validate("DescribeLiveProducerUsageData", &[("StartTime", "2018-09-30 16:00:00"), ("Interval", "60")], now, &Options::default())
///     .unwrap_err();
/// let r = err.rejection().ok_or("missing rejection")?;
/// assert_eq!((r.status(), r.code()), (400, "InvalidStartTime.Malformed"));
/// assert_eq!(r.violations().len(), 2); // the Interval is reported too
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With the `serde` feature a rejection reads back what it writes; reading checks what
/// [`Rejection::new`] guarantees (at least one violation, a primary inside the list), so a rejection read from JSON is as usable as a built one:
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_query::{builtin, Rejection};
/// let r = Rejection::new(&builtin::huawei_rtc_rooms(), vec![]);
/// let json = serde_json::to_string(&r)?;
/// assert_eq!(serde_json::from_str::<Rejection>(&json)?, r);
/// assert!(serde_json::from_str::<Rejection>(&json.replace("\"primary\":0", "\"primary\":1")).is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "RejectionFields"))]
pub struct Rejection {
    api: String,
    vendor: Vendor,
    status: u16,
    code: String,
    code_n: Option<u32>,
    message: String,
    primary: usize,
    violations: Vec<Violation>,
}

/// The fields of a [`Rejection`] as read, before they are checked.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectionFields {
    api: String,
    vendor: Vendor,
    status: u16,
    code: String,
    code_n: Option<u32>,
    message: String,
    primary: usize,
    violations: Vec<Violation>,
}

#[cfg(feature = "serde")]
impl TryFrom<RejectionFields> for Rejection {
    type Error = String;

    fn try_from(f: RejectionFields) -> Result<Self, String> {
        if f.violations.is_empty() {
            return Err("a rejection has at least one violation".into());
        }
        if f.primary >= f.violations.len() {
            return Err(format!(
                "primary {} is not an index into {} violations",
                f.primary,
                f.violations.len()
            ));
        }
        Ok(Rejection {
            api: f.api,
            vendor: f.vendor,
            status: f.status,
            code: f.code,
            code_n: f.code_n,
            message: f.message,
            primary: f.primary,
            violations: f.violations,
        })
    }
}

/// Fallback when no rule of a profile matches (never the case for the built-in profiles).
fn fallback_rule() -> ErrorRule {
    ErrorRule::new(&[], "InvalidParameter", "{detail}", 400)
}

fn rule_matches(rule: &ErrorRule, v: &Violation, all: &[Violation]) -> bool {
    if !rule.matches_kind(v.kind) {
        return false;
    }
    if let Some(p) = &rule.param
        && v.param.as_deref() != Some(p.as_str())
    {
        return false;
    }
    if let Some(w) = &rule.with {
        return all
            .iter()
            .any(|o| o.kind == v.kind && o.param.as_deref() == Some(w.as_str()));
    }
    true
}

fn push_escaped(out: &mut String, text: &str) {
    use std::fmt::Write as _;
    // Writing into a `String` cannot fail.
    let _ = write!(out, "{}", mediameter_core::echo::escape_controls(text));
}

fn render(template: &str, profile: &Profile, v: &Violation) -> String {
    let mut out = String::with_capacity(template.len().saturating_add(32));
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let Some(close) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        let key = after.get(1..close).unwrap_or_default();
        let name = v.param.as_deref().unwrap_or_default();
        match key {
            // Name, value and detail carry outside input: control characters are escaped so
            // that a vendor message never carries ESC or BEL to a terminal or a log.
            "name" => push_escaped(&mut out, name),
            "type" => out.push_str(profile.param(name).map_or("String", |p| p.kind.type_name())),
            "value" => push_escaped(&mut out, v.value.as_deref().unwrap_or_default()),
            "detail" => push_escaped(&mut out, &v.detail),
            _ => out.push_str(after.get(..=close).unwrap_or_default()),
        }
        rest = after.get(close.saturating_add(1)..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

impl Rejection {
    /// Builds the answer for `violations` under `profile`'s vocabulary: the primary violation
    /// is the one matched by the earliest rule (ties: the earliest violation). An empty list
    /// is treated as one request-level `Malformed` violation, so a rejection always has a
    /// primary.
    ///
    /// ```
    /// use mediameter_query::{builtin, Rejection, Violation, ViolationKind};
    /// let p = builtin::list_operation_distribution();
    /// let r = Rejection::new(&p, vec![Violation::new(ViolationKind::RateLimited, None, None, "over 2 requests/s")]);
    /// assert_eq!((r.status(), r.code()), (429, "FlowLimitExceeded"));
    /// ```
    #[must_use]
    pub fn new(profile: &Profile, mut violations: Vec<Violation>) -> Self {
        if violations.is_empty() {
            violations.push(Violation::new(
                ViolationKind::Malformed,
                None,
                None,
                "the request was refused",
            ));
        }
        let mut chosen: Option<(usize, &ErrorRule)> = None;
        'rules: for rule in &profile.errors {
            for (i, v) in violations.iter().enumerate() {
                if rule_matches(rule, v, &violations) {
                    chosen = Some((i, rule));
                    break 'rules;
                }
            }
        }
        // Built only when no rule of the profile answers (it allocates its texts).
        let fallback;
        let (primary, rule) = match chosen {
            Some(chosen) => chosen,
            None => {
                fallback = fallback_rule();
                (0, &fallback)
            }
        };
        let message = violations
            .get(primary)
            .map(|v| render(&rule.message, profile, v))
            .unwrap_or_default();
        Rejection {
            api: profile.name.clone(),
            vendor: profile.vendor,
            status: rule.status,
            code: rule.code.clone(),
            code_n: rule.code_n,
            message,
            primary,
            violations,
        }
    }

    /// The API that was called.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection};
    /// assert_eq!(Rejection::new(&builtin::huawei_rtc_rooms(), vec![]).api(), "rtc/rooms");
    /// ```
    #[must_use]
    pub fn api(&self) -> &str {
        &self.api
    }

    /// The HTTP status.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection};
    /// assert_eq!(Rejection::new(&builtin::huawei_rtc_rooms(), vec![]).status(), 400);
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The vendor's error code of the primary violation.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection};
    /// assert_eq!(Rejection::new(&builtin::describe_live_producer_usage_data(), vec![]).code(), "InvalidParameter");
    /// ```
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The vendor's message of the primary violation.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection, Violation, ViolationKind};
    /// let r = Rejection::new(&builtin::huawei_rtc_rooms(), vec![Violation::new(ViolationKind::Missing, Some("app"), None, "")]);
    /// assert_eq!(r.message(), "Required String parameter 'app' is not present");
    /// ```
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The primary violation.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection, ViolationKind};
    /// assert_eq!(Rejection::new(&builtin::huawei_rtc_rooms(), vec![]).primary().kind, ViolationKind::Malformed);
    /// ```
    #[must_use]
    pub fn primary(&self) -> &Violation {
        // `new` guarantees a non-empty list and an index inside it.
        self.violations
            .get(self.primary)
            .or(self.violations.first())
            .unwrap_or(&EMPTY)
    }

    /// Every violation, in collection order.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection};
    /// assert_eq!(Rejection::new(&builtin::huawei_rtc_rooms(), vec![]).violations().len(), 1);
    /// ```
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Alibaba's body `{"Code", "Message", "RequestId"}` (send it with [`Rejection::status`]).
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection};
    /// let body = Rejection::new(&builtin::describe_live_producer_usage_data(), vec![]).alibaba_body("REQ-1");
    /// assert_eq!(body.request_id, "REQ-1");
    /// ```
    #[must_use]
    pub fn alibaba_body(&self, request_id: &str) -> AlibabaError {
        AlibabaError {
            code: self.code.clone(),
            message: self.message.clone(),
            request_id: request_id.to_owned(),
        }
    }

    /// Huawei's body `{"error_code", "error_msg"}`.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection, Violation, ViolationKind};
    /// let r = Rejection::new(&builtin::huawei_rtc_rooms(), vec![Violation::new(ViolationKind::Missing, Some("app"), None, "")]);
    /// assert_eq!(r.huawei_body().error_code, "DATA.100011001");
    /// ```
    #[must_use]
    pub fn huawei_body(&self) -> HuaweiError {
        HuaweiError {
            error_code: self.code.clone(),
            error_msg: self.message.clone(),
        }
    }

    /// Volcengine's body `{"ResponseMetadata": {..., "Error": {"CodeN", "Code", "Message"}}}`.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection};
    /// let body = Rejection::new(&builtin::list_operation_distribution(), vec![]).volcengine_body("REQ-1", "2020-12-01");
    /// assert_eq!(body.response_metadata.action, "ListOperationDistribution");
    /// assert_eq!(body.response_metadata.error.code, "InvalidParameter");
    /// ```
    #[must_use]
    pub fn volcengine_body(&self, request_id: &str, version: &str) -> VolcengineError {
        VolcengineError {
            response_metadata: VolcengineMetadata {
                request_id: request_id.to_owned(),
                action: self.api.clone(),
                version: version.to_owned(),
                error: VolcengineErrorDetail {
                    code_n: self.code_n,
                    code: self.code.clone(),
                    message: self.message.clone(),
                },
            },
        }
    }

    /// The body in the profile vendor's own shape.
    ///
    /// ```
    /// # use mediameter_query::{builtin, Rejection, VendorBody};
    /// let r = Rejection::new(&builtin::huawei_rtc_rooms(), vec![]);
    /// assert!(matches!(r.vendor_body("REQ-1"), VendorBody::Huawei(_)));
    /// ```
    #[must_use]
    pub fn vendor_body(&self, request_id: &str) -> VendorBody {
        match self.vendor {
            Vendor::Alibaba => VendorBody::Alibaba(self.alibaba_body(request_id)),
            Vendor::Huawei => VendorBody::Huawei(self.huawei_body()),
            Vendor::Volcengine => {
                VendorBody::Volcengine(self.volcengine_body(request_id, VOLCENGINE_RTC_VERSION))
            }
        }
    }

    /// Every violation with its JSON pointer, its own vendor code and its detail, for callers
    /// who want them all.
    ///
    /// ```
    /// use mediameter_query::{builtin, Rejection, Violation, ViolationKind};
    /// let p = builtin::describe_live_producer_usage_data();
    /// let r = Rejection::new(&p, vec![
    ///     Violation::new(ViolationKind::Malformed, Some("EndTime"), Some("x"), "expected 'T'"),
    ///     Violation::new(ViolationKind::NotSupported, Some("Interval"), Some("60"), "expected 3600 or 86400"),
    /// ]);
    /// let problems = r.problems(&p);
    /// assert_eq!(problems[0].pointer, "/EndTime");
    /// assert_eq!(problems[0].code, "InvalidEndTime.Malformed");
    /// assert_eq!(problems[1].code, "InvalidTime.ValueNotSupported");
    /// ```
    #[must_use]
    pub fn problems(&self, profile: &Profile) -> Vec<Problem> {
        self.violations
            .iter()
            .map(|v| {
                let one = std::slice::from_ref(v);
                let rule = profile.errors.iter().find(|r| rule_matches(r, v, one));
                Problem {
                    pointer: v.pointer(),
                    kind: v.kind,
                    code: rule.map_or_else(|| "InvalidParameter".to_owned(), |r| r.code.clone()),
                    detail: v.to_string(),
                }
            })
            .collect()
    }
}

static EMPTY: Violation = Violation {
    kind: ViolationKind::Malformed,
    param: None,
    value: None,
    detail: String::new(),
};

/// The Volcengine API version of the RTC `OpenAPI` (Volcengine RTC API reference).
pub const VOLCENGINE_RTC_VERSION: &str = "2020-12-01";

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (HTTP {}) {}: {}",
            self.code, self.status, self.api, self.message
        )?;
        if self.violations.len() > 1 {
            write!(f, " (and {} more)", self.violations.len().saturating_sub(1))?;
        }
        Ok(())
    }
}

/// Alibaba Cloud's error body.
///
/// The vendors' error bodies (this one, [`HuaweiError`], [`VolcengineError`] and its parts)
/// are `#[non_exhaustive]`: the documented bodies carry more than the crate fills in today
/// (Alibaba Cloud's common error body also has `HostId` and `Recommend`), and a field the
/// crate learns to fill must not break a caller. Build one with its `new` (or from a
/// [`Rejection`]); read the public fields.
///
/// ```
/// let b = mediameter_query::AlibabaError::new("InvalidTimeSpan", "m", "r");
/// assert_eq!((b.code.as_str(), b.message.as_str(), b.request_id.as_str()), ("InvalidTimeSpan", "m", "r"));
/// ```
///
/// ```compile_fail,E0639
/// let b = mediameter_query::AlibabaError { code: "InvalidTimeSpan".into(), message: "m".into(), request_id: "r".into() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct AlibabaError {
    /// `Code`.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `RequestId`.
    pub request_id: String,
}

/// Huawei Cloud's error body; `#[non_exhaustive]` like [`AlibabaError`].
///
/// ```
/// let b = mediameter_query::HuaweiError::new("DATA.100011001", "m");
/// assert_eq!((b.error_code.as_str(), b.error_msg.as_str()), ("DATA.100011001", "m"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct HuaweiError {
    /// `error_code`.
    pub error_code: String,
    /// `error_msg`.
    pub error_msg: String,
}

/// Volcengine's error body; `#[non_exhaustive]` like [`AlibabaError`].
///
/// ```
/// # use mediameter_query::{builtin, Rejection, VolcengineError, VolcengineErrorDetail, VolcengineMetadata};
/// let b = Rejection::new(&builtin::list_operation_distribution(), vec![]).volcengine_body("r", "2020-12-01");
/// assert_eq!(b.response_metadata.version, "2020-12-01");
/// let detail = VolcengineErrorDetail::new(b.response_metadata.error.code_n, "InvalidParameter", "m");
/// let meta = VolcengineMetadata::new("r", "ListOperationDistribution", "2020-12-01", detail);
/// assert_eq!(VolcengineError::new(meta).response_metadata.action, "ListOperationDistribution");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct VolcengineError {
    /// `ResponseMetadata`.
    #[cfg_attr(feature = "serde", serde(rename = "ResponseMetadata"))]
    pub response_metadata: VolcengineMetadata,
}

/// `ResponseMetadata` of a Volcengine error.
///
/// ```
/// # use mediameter_query::{builtin, Rejection};
/// let m = Rejection::new(&builtin::list_operation_distribution(), vec![]).volcengine_body("r", "v").response_metadata;
/// assert_eq!(m.request_id, "r");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct VolcengineMetadata {
    /// `RequestId`.
    pub request_id: String,
    /// `Action`.
    pub action: String,
    /// `Version`.
    pub version: String,
    /// `Error`.
    pub error: VolcengineErrorDetail,
}

/// `ResponseMetadata.Error` of a Volcengine error.
///
/// ```
/// let e = mediameter_query::VolcengineErrorDetail::new(None, "InvalidParameter", "m");
/// assert!(e.code_n.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct VolcengineErrorDetail {
    /// `CodeN`, the numeric code, when known.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "CodeN", skip_serializing_if = "Option::is_none", default)
    )]
    pub code_n: Option<u32>,
    /// `Code`.
    pub code: String,
    /// `Message`.
    pub message: String,
}

impl AlibabaError {
    /// A body with `Code`, `Message` and `RequestId`.
    #[must_use]
    pub fn new(
        code: impl Into<String>,
        message: impl Into<String>,
        request_id: impl Into<String>,
    ) -> Self {
        AlibabaError {
            code: code.into(),
            message: message.into(),
            request_id: request_id.into(),
        }
    }
}

impl HuaweiError {
    /// A body with `error_code` and `error_msg`.
    #[must_use]
    pub fn new(error_code: impl Into<String>, error_msg: impl Into<String>) -> Self {
        HuaweiError {
            error_code: error_code.into(),
            error_msg: error_msg.into(),
        }
    }
}

impl VolcengineError {
    /// A body around its `ResponseMetadata`.
    #[must_use]
    pub fn new(response_metadata: VolcengineMetadata) -> Self {
        VolcengineError { response_metadata }
    }
}

impl VolcengineMetadata {
    /// `ResponseMetadata` with `RequestId`, `Action`, `Version` and `Error`.
    #[must_use]
    pub fn new(
        request_id: impl Into<String>,
        action: impl Into<String>,
        version: impl Into<String>,
        error: VolcengineErrorDetail,
    ) -> Self {
        VolcengineMetadata {
            request_id: request_id.into(),
            action: action.into(),
            version: version.into(),
            error,
        }
    }
}

impl VolcengineErrorDetail {
    /// `ResponseMetadata.Error` with `CodeN` (when known), `Code` and `Message`.
    #[must_use]
    pub fn new(code_n: Option<u32>, code: impl Into<String>, message: impl Into<String>) -> Self {
        VolcengineErrorDetail {
            code_n,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// A body in one vendor's shape (serializes as that shape alone).
///
/// ```
/// # use mediameter_query::{builtin, Rejection, VendorBody};
/// let b = Rejection::new(&builtin::describe_live_producer_usage_data(), vec![]).vendor_body("r");
/// assert!(matches!(b, VendorBody::Alibaba(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
#[non_exhaustive]
pub enum VendorBody {
    /// See [`AlibabaError`].
    Alibaba(AlibabaError),
    /// See [`HuaweiError`].
    Huawei(HuaweiError),
    /// See [`VolcengineError`].
    Volcengine(VolcengineError),
}

/// One violation for callers who want them all.
///
/// ```
/// # use mediameter_query::{builtin, Rejection};
/// let p = builtin::huawei_rtc_rooms();
/// let all = Rejection::new(&p, vec![]).problems(&p);
/// assert_eq!(all[0].pointer, "");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Problem {
    /// JSON pointer of the parameter (`""` for the whole request).
    pub pointer: String,
    /// The kind of problem.
    pub kind: ViolationKind,
    /// The code the vendor's vocabulary gives this violation on its own.
    pub code: String,
    /// Parameter and detail, in words.
    pub detail: String,
}

/// What Huawei's status-code table (Huawei Cloud RTC API reference, appendix "状态码" (status codes))
/// says to do after a status.
///
/// ```
/// use mediameter_query::{retry_advice, RetryAdvice};
/// assert_eq!(retry_advice(408), RetryAdvice::Retry);
/// assert_eq!(retry_advice(400), RetryAdvice::DoNotRetry);
/// assert_eq!(RetryAdvice::DoNotRetry.to_string(), "do_not_retry");
/// assert_eq!("retry".parse::<RetryAdvice>()?, RetryAdvice::Retry);
/// # Ok::<(), mediameter_query::ParseNameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RetryAdvice {
    /// 2xx: nothing to retry.
    Success,
    /// The same request may be sent again unchanged (408).
    Retry,
    /// Change the request first; sending it again unchanged fails the same way.
    DoNotRetry,
    /// The table gives no advice (5xx other than 503, unknown statuses).
    NotStated,
}

crate::names::named!(RetryAdvice, "retry advice",
    RetryAdvice::Success => "success",
    RetryAdvice::Retry => "retry",
    RetryAdvice::DoNotRetry => "do_not_retry",
    RetryAdvice::NotStated => "not_stated",
);

/// Huawei's advice for `status`:
///
/// * 200, 201, 202, 204: [`RetryAdvice::Success`];
/// * 408 Request Timeout ("the client may resubmit at any time without change"): `Retry`;
/// * 400, 403, 404, 405 and 503 ("modify the request, do not retry it", as the table says —
///   even for 503), and 401, 406, 407, 409, 501 (the request itself must change): `DoNotRetry`;
/// * everything else: `NotStated`.
///
/// ```
/// use mediameter_query::{retry_advice, RetryAdvice};
/// assert_eq!(retry_advice(503), RetryAdvice::DoNotRetry); // as the table says
/// assert_eq!(retry_advice(502), RetryAdvice::NotStated);
/// assert_eq!(retry_advice(204), RetryAdvice::Success);
/// ```
#[must_use]
pub const fn retry_advice(status: u16) -> RetryAdvice {
    match status {
        200 | 201 | 202 | 204 => RetryAdvice::Success,
        408 => RetryAdvice::Retry,
        400 | 401 | 403 | 404 | 405 | 406 | 407 | 409 | 501 | 503 => RetryAdvice::DoNotRetry,
        _ => RetryAdvice::NotStated,
    }
}

/// Whether a request that got `status` may be sent again unchanged: only when the table says
/// so (408).
///
/// ```
/// use mediameter_query::may_retry;
/// assert!(may_retry(408));
/// for s in [400, 401, 403, 404, 405] { assert!(!may_retry(s)); }
/// ```
#[must_use]
pub const fn may_retry(status: u16) -> bool {
    matches!(retry_advice(status), RetryAdvice::Retry)
}
