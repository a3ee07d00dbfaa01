//! What a diagnosis reports: findings, scores, gaps and the overall grade.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use mediameter_core::{AppId, ChannelId, Role, TimeRange, UserId};

use crate::Error;
use crate::emodel::{Codec, Model};
use crate::media::{OperationKind, StreamKind};

/// The user operation that explains a finding.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
/// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
/// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"9.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","loss_pct":0,"rtt_ms":50,"fps":30},
/// #                {"t":"2024-05-01T10:00:10Z","loss_pct":0,"rtt_ms":50,"fps":0},
/// #                {"t":"2024-05-01T10:00:20Z","loss_pct":0,"rtt_ms":50,"fps":0},
/// #                {"t":"2024-05-01T10:00:30Z","loss_pct":0,"rtt_ms":50,"fps":0},
/// #                {"t":"2024-05-01T10:00:40Z","loss_pct":0,"rtt_ms":50,"fps":0}],
/// #     "operations":[{"t":"2024-05-01T10:00:09Z","op":"camera_off"}]}]}"#)?
/// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
/// let f = d.findings.iter().find(|f| f.kind == mediameter_diagnostics::FindingKind::Freeze).ok_or("no freeze")?;
/// let by = f.explained_by.as_ref().ok_or("not explained")?;
/// assert_eq!(by.operation, mediameter_diagnostics::OperationKind::CameraOff);
/// assert_eq!(f.severity, mediameter_diagnostics::Severity::Info);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct ExplainedBy {
    /// Who did it (the participant or one of its counterparts).
    pub user_id: UserId,
    /// That participant's role.
    pub role: Role,
    /// What they did.
    pub operation: OperationKind,
    /// When.
    pub at: DateTime<Utc>,
}

/// What kind of problem a finding describes.
///
/// ```
/// use mediameter_diagnostics::FindingKind;
/// assert_eq!(FindingKind::HighLoss.as_str(), "high_loss");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FindingKind {
    /// The RTC SDK is older than the profile's minimum for the platform.
    OutdatedSdk,
    /// The OS is older than the minimum, or the device model is on the legacy list.
    OutdatedDevice,
    /// The client was in a region listed as having poor networks.
    PoorNetworkRegion,
    /// Sustained packet loss at or above the profile's threshold.
    HighLoss,
    /// Sustained round-trip time at or above the profile's threshold.
    HighRtt,
    /// RTT stepped up to a new level and stayed there (CUSUM).
    RttLevelShift,
    /// RTT crept up gradually (CUSUM).
    RttDrift,
    /// A short, extreme rise of loss or RTT (robust z-score and absolute floor).
    NetworkSurge,
    /// A short, small or medium swing of loss or RTT with no downgrade after it.
    NetworkJitter,
    /// A bitrate or resolution downgrade that followed a swing: the SDK protecting the call.
    ExpectedAdaptation,
    /// Video bitrate far below what the resolution tier needs.
    LowVideoBitrate,
    /// Frame rate fell far below the participant's usual rate.
    FpsCollapse,
    /// No frames for a stretch while video was on.
    Freeze,
    /// Subscriber and publisher media disagree with no device, version or network cause.
    UnexplainedDisagreement,
    /// Subscriber and publisher media disagree, and a user operation explains it (the
    /// publisher turned the camera off, the subscriber switched to the small stream...).
    ExplainedByOperation,
}

impl FindingKind {
    /// Every kind, in declaration order.
    ///
    /// ```
    /// use mediameter_diagnostics::FindingKind;
    /// assert!(FindingKind::ALL.contains(&FindingKind::Freeze));
    /// ```
    pub const ALL: [FindingKind; 15] = [
        FindingKind::OutdatedSdk,
        FindingKind::OutdatedDevice,
        FindingKind::PoorNetworkRegion,
        FindingKind::HighLoss,
        FindingKind::HighRtt,
        FindingKind::RttLevelShift,
        FindingKind::RttDrift,
        FindingKind::NetworkSurge,
        FindingKind::NetworkJitter,
        FindingKind::ExpectedAdaptation,
        FindingKind::LowVideoBitrate,
        FindingKind::FpsCollapse,
        FindingKind::Freeze,
        FindingKind::UnexplainedDisagreement,
        FindingKind::ExplainedByOperation,
    ];

    /// The snake-case name used in JSON.
    ///
    /// ```
    /// assert_eq!(mediameter_diagnostics::FindingKind::RttLevelShift.as_str(), "rtt_level_shift");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FindingKind::OutdatedSdk => "outdated_sdk",
            FindingKind::OutdatedDevice => "outdated_device",
            FindingKind::PoorNetworkRegion => "poor_network_region",
            FindingKind::HighLoss => "high_loss",
            FindingKind::HighRtt => "high_rtt",
            FindingKind::RttLevelShift => "rtt_level_shift",
            FindingKind::RttDrift => "rtt_drift",
            FindingKind::NetworkSurge => "network_surge",
            FindingKind::NetworkJitter => "network_jitter",
            FindingKind::ExpectedAdaptation => "expected_adaptation",
            FindingKind::LowVideoBitrate => "low_video_bitrate",
            FindingKind::FpsCollapse => "fps_collapse",
            FindingKind::Freeze => "freeze",
            FindingKind::UnexplainedDisagreement => "unexplained_disagreement",
            FindingKind::ExplainedByOperation => "explained_by_operation",
        }
    }

    /// Whether the finding is about the network (and so can explain media trouble).
    ///
    /// ```
    /// use mediameter_diagnostics::FindingKind;
    /// assert!(FindingKind::NetworkSurge.is_network());
    /// assert!(!FindingKind::Freeze.is_network());
    /// ```
    #[must_use]
    pub const fn is_network(self) -> bool {
        matches!(
            self,
            FindingKind::HighLoss
                | FindingKind::HighRtt
                | FindingKind::RttLevelShift
                | FindingKind::RttDrift
                | FindingKind::NetworkSurge
                | FindingKind::NetworkJitter
                | FindingKind::ExpectedAdaptation
                | FindingKind::PoorNetworkRegion
        )
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads the snake-case name [`FindingKind::as_str`] gives (and `Display` prints).
///
/// ```
/// use mediameter_diagnostics::FindingKind;
/// assert_eq!("rtt_drift".parse::<FindingKind>()?, FindingKind::RttDrift);
/// assert!("drift".parse::<FindingKind>().is_err());
/// # Ok::<(), mediameter_diagnostics::Error>(())
/// ```
impl FromStr for FindingKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("finding kind", s, "a finding kind such as high_loss"))
    }
}

/// How bad a finding is.
///
/// `#[non_exhaustive]`: a level may be added between or beyond these, so a `match` needs a
/// `_` arm; the order (`<`, `>`) stays from the least to the most severe.
///
/// ```
/// use mediameter_diagnostics::Severity;
/// assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
/// let css = |s: Severity| match s {
///     Severity::Critical => "red",
///     Severity::Warning => "amber",
///     _ => "grey",
/// };
/// assert_eq!(css(Severity::Info), "grey");
/// ```
///
/// A `match` without the `_` arm does not compile outside the crate:
///
/// ```compile_fail,E0004
/// use mediameter_diagnostics::Severity;
/// fn css(s: Severity) -> &'static str {
///     match s {
///         Severity::Critical => "red",
///         Severity::Warning => "amber",
///         Severity::Info => "grey",
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; not a fault (expected adaptation, a listed region).
    Info,
    /// Lowers quality.
    Warning,
    /// Breaks the call for a while.
    Critical,
}

impl Severity {
    /// Every severity, from the least to the most severe.
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Critical];

    /// The lowercase name, as in JSON: `info`, `warning` or `critical`.
    ///
    /// ```
    /// use mediameter_diagnostics::Severity;
    /// assert_eq!(Severity::Critical.as_str(), "critical");
    /// assert_eq!("warning".parse::<Severity>()?, Severity::Warning);
    /// # Ok::<(), mediameter_diagnostics::Error>(())
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("severity", s, "info, warning or critical"))
    }
}

/// Where the problem sits.
///
/// ```
/// use mediameter_diagnostics::Side;
/// assert_eq!(Side::PublisherUplink.to_string(), "publisher uplink");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Side {
    /// The publisher's network or sending side.
    PublisherUplink,
    /// The subscriber's network or receiving side.
    SubscriberDownlink,
    /// Both ends, or between them (the service).
    Both,
    /// The client itself: device, OS or SDK.
    Client,
}

impl Side {
    /// The side a participant's own link is on.
    ///
    /// ```
    /// use mediameter_core::Role;
    /// use mediameter_diagnostics::Side;
    /// assert_eq!(Side::of(Role::Subscribe), Side::SubscriberDownlink);
    /// ```
    #[must_use]
    pub const fn of(role: Role) -> Self {
        match role {
            Role::Publish => Side::PublisherUplink,
            Role::Subscribe => Side::SubscriberDownlink,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

impl Side {
    /// Every side.
    pub const ALL: [Side; 4] = [
        Side::PublisherUplink,
        Side::SubscriberDownlink,
        Side::Both,
        Side::Client,
    ];

    /// The snake-case name used in JSON (`publisher_uplink`).
    ///
    /// ```
    /// assert_eq!(mediameter_diagnostics::Side::Both.as_str(), "both");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::PublisherUplink => "publisher_uplink",
            Side::SubscriberDownlink => "subscriber_downlink",
            Side::Both => "both",
            Side::Client => "client",
        }
    }

    const fn words(self) -> &'static str {
        match self {
            Side::PublisherUplink => "publisher uplink",
            Side::SubscriberDownlink => "subscriber downlink",
            Side::Both => "both sides",
            Side::Client => "client",
        }
    }
}

/// Reads what `Display` prints (`publisher uplink`, `both sides`) or the JSON name
/// (`publisher_uplink`, `both`).
///
/// ```
/// use mediameter_diagnostics::Side;
/// assert_eq!("subscriber downlink".parse::<Side>()?, Side::SubscriberDownlink);
/// assert_eq!("both".parse::<Side>()?, Side::Both);
/// # Ok::<(), mediameter_diagnostics::Error>(())
/// ```
impl FromStr for Side {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Side::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.words() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "side",
                    s,
                    "publisher uplink, subscriber downlink, both sides or client",
                )
            })
    }
}

/// One named value seen in the data: a number rounded to 2 decimals, or a text such as a
/// version string. In JSON, `{"name": "loss_mean_pct", "value": 12.35}` or
/// `{"name": "sdk_version", "value": "1.9.3"}`.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// let v = mediameter_diagnostics::Observed::new("loss_mean_pct", 12.3456);
/// assert_eq!(v.value, 12.35);
/// assert_eq!(v.text, None);
/// assert_eq!(serde_json::to_string(&v)?, r#"{"name":"loss_mean_pct","value":12.35}"#);
/// let t = mediameter_diagnostics::Observed::text("sdk_version", "1.9.3");
/// assert_eq!(serde_json::to_string(&t)?, r#"{"name":"sdk_version","value":"1.9.3"}"#);
/// # }
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Observed {
    /// What the value is, with its unit in the name.
    pub name: Cow<'static, str>,
    /// The value (0 for a text value).
    pub value: f64,
    /// The value as text, for values that are not numbers.
    pub text: Option<String>,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Observed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Observed", 2)?;
        st.serialize_field("name", &self.name)?;
        match &self.text {
            Some(t) => st.serialize_field("value", t)?,
            None => st.serialize_field("value", &self.value)?,
        }
        st.end()
    }
}

/// Reads `{"name": ..., "value": number}` or `{"name": ..., "value": "text"}`; a text value is
/// cut to [`mediameter_core::error::ECHO_LIMIT`] characters as [`Observed::text`] cuts it, a
/// name must be a non-empty snake-case word of at most 64 bytes.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Observed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Value {
            Number(f64),
            Text(String),
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Repr {
            name: String,
            value: Value,
        }
        let r = Repr::deserialize(d)?;
        let name_ok = !r.name.is_empty()
            && r.name.len() <= 64
            && r.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(serde::de::Error::custom(Error::invalid(
                "observed value name",
                &r.name,
                "a snake_case name of at most 64 bytes",
            )));
        }
        Ok(match r.value {
            Value::Number(v) => Observed {
                name: Cow::Owned(r.name),
                value: v,
                text: None,
            },
            Value::Text(t) => Observed {
                name: Cow::Owned(r.name),
                value: 0.0,
                text: Some(mediameter_core::error::truncate(&t)),
            },
        })
    }
}

impl Observed {
    /// A value rounded half away from zero to 2 decimals (non-finite values become 0).
    ///
    /// ```
    /// assert_eq!(mediameter_diagnostics::Observed::new("x", 0.125).value, 0.13);
    /// ```
    #[must_use]
    pub fn new(name: &'static str, value: f64) -> Self {
        Observed {
            name: Cow::Borrowed(name),
            value: round2(value),
            text: None,
        }
    }

    /// A text value (a version, a device model).
    ///
    /// ```
    /// let v = mediameter_diagnostics::Observed::text("sdk_version", "1.9.3");
    /// assert_eq!(v.text.as_deref(), Some("1.9.3"));
    /// ```
    #[must_use]
    pub fn text(name: &'static str, text: &str) -> Self {
        Observed {
            name: Cow::Borrowed(name),
            value: 0.0,
            text: Some(mediameter_core::error::truncate(text)),
        }
    }
}

pub(crate) fn round2(v: f64) -> f64 {
    if v.is_finite() {
        (v * 100.0).round() / 100.0
    } else {
        0.0
    }
}

/// What support needs to escalate an unexplained problem to the vendor (Alibaba Cloud RTC console
/// guide §5.1: `AppID`, channel ID, time, publisher and subscriber user ids).
///
/// ```
/// use mediameter_core::TimeRange;
/// use mediameter_diagnostics::Escalation;
/// # let e = Escalation::new("a".parse()?, "c".parse()?, TimeRange::from_unix(0, 60)?,
/// #   TimeRange::from_unix(0, 30)?, "u1".parse()?, "u2".parse()?, vec!["x".into()]);
/// assert!(e.to_ticket().contains("publisher u1"));
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Escalation {
    /// The application.
    pub app_id: AppId,
    /// The channel.
    pub channel_id: ChannelId,
    /// The diagnosed range.
    pub range: TimeRange,
    /// When the disagreement happened.
    pub window: TimeRange,
    /// The publisher's user id.
    pub publisher: UserId,
    /// The subscriber's user id.
    pub subscriber: UserId,
    /// What was seen, one line each.
    pub evidence: Vec<String>,
}

impl Escalation {
    /// A bundle for the call `app_id`/`channel_id` diagnosed over `range`, about what
    /// `subscriber` received from `publisher` during `window`, with one line of evidence each.
    #[must_use]
    pub fn new(
        app_id: AppId,
        channel_id: ChannelId,
        range: TimeRange,
        window: TimeRange,
        publisher: UserId,
        subscriber: UserId,
        evidence: Vec<String>,
    ) -> Self {
        Escalation {
            app_id,
            channel_id,
            range,
            window,
            publisher,
            subscriber,
            evidence,
        }
    }

    /// The bundle as ticket text.
    ///
    /// ```
    /// use mediameter_core::TimeRange;
    /// use mediameter_diagnostics::Escalation;
    /// let e = Escalation::new("a".parse()?, "c".parse()?, TimeRange::from_unix(0, 60)?,
    ///   TimeRange::from_unix(0, 30)?, "u1".parse()?, "u2".parse()?,
    ///   vec!["audio: 48 vs 18 kbps".into()]);
    /// assert_eq!(e.to_ticket().lines().nth(1), Some("- audio: 48 vs 18 kbps"));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn to_ticket(&self) -> String {
        let mut s = format!(
            "AppID {}, channel {}, diagnosed range {}, problem window {}, publisher {}, subscriber {}.",
            self.app_id, self.channel_id, self.range, self.window, self.publisher, self.subscriber
        );
        for e in &self.evidence {
            s.push_str("\n- ");
            s.push_str(e);
        }
        s
    }
}

/// One explained problem.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
/// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
/// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":1,"rtt_ms":70}]},
/// #   {"user_id":"u2","role":"sub","client":{"sdk_version":"2.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0,"rtt_ms":50}]}]}"#)?
/// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
/// let f = &d.findings[0];
/// assert_eq!(f.kind, mediameter_diagnostics::FindingKind::OutdatedSdk);
/// assert_eq!(f.side, mediameter_diagnostics::Side::Client);
/// assert!(f.explanation.starts_with("Publisher u1 runs RTC SDK 1.0"));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Finding {
    /// What kind of problem.
    pub kind: FindingKind,
    /// How bad.
    pub severity: Severity,
    /// Where it sits.
    pub side: Side,
    /// The participant whose data shows it.
    pub user_id: UserId,
    /// That participant's role.
    pub role: Role,
    /// The other end, for pair findings.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub peer: Option<UserId>,
    /// The video stream the finding is about (the samples' own video fields are the camera).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub stream: Option<StreamKind>,
    /// The user operation that explains the finding; such a finding is info, never escalated.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub explained_by: Option<ExplainedBy>,
    /// When, inside the diagnosed range. For a grouped finding (`count` > 1): from the start
    /// of the first occurrence to the end of the last.
    pub window: TimeRange,
    /// How many occurrences this finding stands for: 1, or more when short findings of one
    /// kind on one participant were grouped (see [`MAX_LISTED_OCCURRENCES`]).
    pub count: usize,
    /// For a grouped finding: the windows of the first [`MAX_LISTED_OCCURRENCES`] occurrences,
    /// in time order (empty for a single finding).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub occurrences: Vec<TimeRange>,
    /// The values seen (for a grouped finding: those of its most severe occurrence).
    pub values: Vec<Observed>,
    /// The threshold or test that fired, in words.
    pub test: String,
    /// One sentence for a support ticket.
    pub explanation: String,
    /// For unexplained disagreements: what to send to the vendor.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub escalation: Option<Escalation>,
}

impl Finding {
    /// The value named `name`, if the finding carries it.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 16"},
    /// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":1,"rtt_ms":70}]},
    /// #   {"user_id":"u2","role":"sub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0,"rtt_ms":50}]}]}"#)?
    /// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
    /// assert_eq!(d.findings[0].value("loss_mean_pct"), None);
    /// assert_eq!(d.findings[0].values[0].text.as_deref(), Some("1.0"));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|v| v.name == name).map(|v| v.value)
    }
}

/// A stretch with no samples for a participant: reported, never filled in.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
/// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
/// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":1,"rtt_ms":70}]},
/// #   {"user_id":"u2","role":"sub","client":{"sdk_version":"2.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0,"rtt_ms":50}]}]}"#)?
/// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
/// // One sample each in a 60 s range: the rest of the minute is a gap for both.
/// assert_eq!(d.gaps.len(), 2);
/// assert_eq!(d.gaps[0].window.seconds(), 59);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Gap {
    /// The participant.
    pub user_id: UserId,
    /// Its role.
    pub role: Role,
    /// The silent stretch.
    pub window: TimeRange,
}

/// The inputs and result of one E-model window.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
/// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
/// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":1,"rtt_ms":70}]},
/// #   {"user_id":"u2","role":"sub","client":{"sdk_version":"2.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0,"rtt_ms":50}]}]}"#)?
/// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
/// let w = &d.scores[0].windows[0];
/// assert_eq!(w.ppl_pct, 1.0);
/// assert_eq!(w.ta_ms, 35.0 + 25.0 + 20.0); // RTT halves plus the 20 ms jitter-buffer floor
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct WindowScore {
    /// The window.
    pub window: TimeRange,
    /// End-to-end loss, %: 1 − (1 − publisher loss)(1 − subscriber loss).
    pub ppl_pct: f64,
    /// Publisher RTT, ms (block mean).
    pub rtt_publisher_ms: f64,
    /// Subscriber RTT, ms (block mean).
    pub rtt_subscriber_ms: f64,
    /// Jitter-buffer estimate, ms.
    pub jitter_buffer_ms: f64,
    /// Mouth-to-ear delay Ta = `RTT_pub/2` + `RTT_sub/2` + jitter buffer, ms.
    pub ta_ms: f64,
    /// R on the model's own scale.
    pub r: f64,
    /// R on the narrowband scale.
    pub r_narrowband: f64,
    /// MOS.
    pub mos: f64,
}

/// Audio MOS over time for one publisher→subscriber pair.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
/// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
/// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":1,"rtt_ms":70}]},
/// #   {"user_id":"u2","role":"sub","client":{"sdk_version":"2.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0,"rtt_ms":50}]}]}"#)?
/// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
/// let s = &d.scores[0];
/// assert_eq!((s.publisher.as_str(), s.subscriber.as_str()), ("u1", "u2"));
/// assert_eq!(s.model, mediameter_diagnostics::emodel::Model::G1072);
/// assert_eq!(s.mean_mos, s.min_mos); // a single window
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct PairScore {
    /// The publisher.
    pub publisher: UserId,
    /// The subscriber.
    pub subscriber: UserId,
    /// The model that produced every window's score.
    pub model: Model,
    /// The codec, with its Ie and Bpl.
    pub codec: Codec,
    /// Ie of the codec, on the model's scale.
    pub ie: f64,
    /// Bpl of the codec.
    pub bpl: f64,
    /// One score per block where both ends had samples (and the publisher sent audio).
    pub windows: Vec<WindowScore>,
    /// Mean MOS over the windows.
    pub mean_mos: Option<f64>,
    /// Lowest MOS over the windows.
    pub min_mos: Option<f64>,
}

/// Findings of one kind on one participant (and peer) lasting at most this many seconds each
/// are grouped into one finding when there are at least [`GROUP_MIN_COUNT`] of them.
pub const GROUP_MAX_SECONDS: u64 = 30;
/// The fewest short findings of one kind on one participant that are grouped.
pub const GROUP_MIN_COUNT: usize = 3;
/// The most occurrence windows a grouped finding lists; its `count` still counts them all.
pub const MAX_LISTED_OCCURRENCES: usize = 20;

/// The overall call grade, for a person.
///
/// ```
/// use mediameter_diagnostics::Grade;
/// assert_eq!(Grade::letter_for_r(85.0), 'A');
/// assert_eq!(Grade::letter_for_r(55.0), 'D');
/// assert_eq!(Grade::label_for(None), "not enough data");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Grade {
    /// A (good) to E (very bad); `None` when the call has no samples at all (no participant,
    /// or none with a measurement): there is nothing to grade, and "good" would be a claim.
    pub letter: Option<char>,
    /// The letter in words (`not enough data` without a letter).
    pub label: &'static str,
    /// The 10th-percentile narrowband-scale R over every scored window, if any.
    pub r_p10: Option<f64>,
    /// The MOS at that R.
    pub mos_p10: Option<f64>,
    /// One paragraph: the grade, the audio score and the main findings.
    pub summary: String,
}

/// A grade as read, before [`Grade`]'s checks.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeRepr {
    letter: Option<char>,
    label: String,
    r_p10: Option<f64>,
    mos_p10: Option<f64>,
    summary: String,
}

/// A grade's letter is A to E or absent, its label the letter's words
/// ([`Grade::label_for`]), its R and MOS both present or both absent, R finite and MOS from 1
/// to 4.5 (the range of [`crate::emodel::mos_from_r`]).
#[cfg(feature = "serde")]
impl TryFrom<GradeRepr> for Grade {
    type Error = Error;
    fn try_from(r: GradeRepr) -> Result<Self, Error> {
        if let Some(l) = r.letter
            && !('A'..='E').contains(&l)
        {
            return Err(Error::invalid(
                "grade letter",
                &l.to_string(),
                "A, B, C, D, E or null",
            ));
        }
        let label = Grade::label_for(r.letter);
        if r.label != label {
            return Err(Error::invalid(
                "grade label",
                &r.label,
                format!("{label:?}, the words for the letter"),
            ));
        }
        match (r.r_p10, r.mos_p10) {
            (None, None) => {}
            (Some(rv), Some(mos)) if rv.is_finite() && (1.0..=4.5).contains(&mos) => {}
            (rv, mos) => {
                return Err(Error::invalid(
                    "grade r_p10 and mos_p10",
                    &format!("{rv:?} and {mos:?}"),
                    "both absent, or a finite R and a MOS from 1 to 4.5",
                ));
            }
        }
        Ok(Grade {
            letter: r.letter,
            label,
            r_p10: r.r_p10,
            mos_p10: r.mos_p10,
            summary: r.summary,
        })
    }
}

/// Goes through [`Grade`]'s checks (see `TryFrom<GradeRepr>`).
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Grade {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Grade::try_from(GradeRepr::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Grade {
    /// The letter for a narrowband-scale R: A ≥ 80 (users satisfied), B ≥ 70, C ≥ 60, D ≥ 50,
    /// else E (the G.107 Annex B satisfaction bands).
    #[must_use]
    pub fn letter_for_r(r: f64) -> char {
        if r >= 80.0 {
            'A'
        } else if r >= 70.0 {
            'B'
        } else if r >= 60.0 {
            'C'
        } else if r >= 50.0 {
            'D'
        } else {
            'E'
        }
    }

    /// The words for a letter, or for no letter.
    ///
    /// ```
    /// assert_eq!(mediameter_diagnostics::Grade::label_for(Some('B')), "fair");
    /// ```
    #[must_use]
    pub fn label_for(letter: Option<char>) -> &'static str {
        match letter {
            None => "not enough data",
            Some('A') => "good",
            Some('B') => "fair",
            Some('C') => "poor",
            Some('D') => "bad",
            Some(_) => "very bad",
        }
    }
}

/// The result of a diagnosis.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
/// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
/// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":1,"rtt_ms":70}]},
/// #   {"user_id":"u2","role":"sub","client":{"sdk_version":"2.0","os":"iOS 16"},
/// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0,"rtt_ms":50}]}]}"#)?
/// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
/// assert_eq!(d.profile, "default");
/// assert_eq!(d.findings.len(), 1);
/// assert_eq!(d.grade.letter, Some('B')); // a warning caps the grade at B
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Diagnosis {
    /// The application.
    pub app_id: AppId,
    /// The channel.
    pub channel_id: ChannelId,
    /// The diagnosed range.
    pub range: TimeRange,
    /// The profile used.
    pub profile: String,
    /// The overall grade.
    pub grade: Grade,
    /// Every finding, ordered by window start, window end, kind, user id, role, peer.
    pub findings: Vec<Finding>,
    /// Audio scores per pair.
    pub scores: Vec<PairScore>,
    /// Stretches without samples.
    pub gaps: Vec<Gap>,
    /// Things the diagnosis could not check (an unreadable version string...).
    pub notes: Vec<String>,
}

impl Diagnosis {
    /// The findings of one kind.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let d = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 16"},
    /// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":1,"rtt_ms":70}]},
    /// #   {"user_id":"u2","role":"sub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0,"rtt_ms":50}]}]}"#)?
    /// #   .diagnose(&mediameter_diagnostics::Profile::default())?;
    /// assert_eq!(d.of_kind(mediameter_diagnostics::FindingKind::OutdatedSdk).count(), 1);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of_kind(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.kind == kind)
    }
}
