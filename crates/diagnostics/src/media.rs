//! Video streams and user operations: what a participant sent or received besides its network
//! and audio series, and what the user did during the call.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use mediameter_core::VideoTier;

/// The kind of a video stream, as the vendor console charts them (Alibaba Cloud RTC console,
/// "Monitoring and diagnosis": resolution and frame rate per stream kind).
///
/// ```
/// use mediameter_diagnostics::StreamKind;
/// assert_eq!("screen_share".parse::<StreamKind>()?, StreamKind::ScreenShare);
/// assert_eq!(StreamKind::CameraSmall.to_string(), "camera_small");
/// assert_eq!(StreamKind::CameraSmall.label(), "small camera stream");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum StreamKind {
    /// The camera (the large stream when the publisher sends simulcast).
    Camera,
    /// The small (low-resolution) simulcast camera stream.
    CameraSmall,
    /// A screen share.
    ScreenShare,
}

impl StreamKind {
    /// Every kind, in display order.
    pub const ALL: [StreamKind; 3] = [
        StreamKind::Camera,
        StreamKind::CameraSmall,
        StreamKind::ScreenShare,
    ];

    /// The snake-case name used in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            StreamKind::Camera => "camera",
            StreamKind::CameraSmall => "camera_small",
            StreamKind::ScreenShare => "screen_share",
        }
    }

    /// Words for a sentence ("camera stream").
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            StreamKind::Camera => "camera stream",
            StreamKind::CameraSmall => "small camera stream",
            StreamKind::ScreenShare => "screen-share stream",
        }
    }
}

impl fmt::Display for StreamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StreamKind {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StreamKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                crate::Error::invalid("stream kind", s, "camera, camera_small or screen_share")
            })
    }
}

/// One video stream of a participant, as received: its kind and its own series.
///
/// A publisher lists what it sent, a subscriber what it received. The video fields of
/// [`SampleInput`](crate::SampleInput) remain a shorthand for one camera stream.
///
/// Raw input, as [`DiagnosisRequest`](crate::DiagnosisRequest): plain data, checked by
/// [`DiagnosisRequest::validate`](crate::DiagnosisRequest::validate), so the fields are public;
/// `#[non_exhaustive]` so that it can gain fields: build it with [`StreamInput::new`] or read
/// it from JSON.
///
/// ```
/// use mediameter_diagnostics::{StreamInput, StreamKind, StreamSampleInput};
/// let s = StreamInput::new(
///     StreamKind::ScreenShare,
///     vec![StreamSampleInput::new(chrono::DateTime::UNIX_EPOCH, Some(800.0), Some(15.0))],
/// );
/// assert_eq!(s.samples.len(), 1);
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_diagnostics::{StreamInput, StreamKind};
/// let s = StreamInput { kind: StreamKind::ScreenShare, samples: vec![] };
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct StreamInput {
    /// The stream kind; at most one stream of each kind per participant.
    pub kind: StreamKind,
    /// Time-stamped measurements, in increasing time order.
    #[cfg_attr(feature = "serde", serde(default))]
    pub samples: Vec<StreamSampleInput>,
}

/// One measurement of a video stream, as received.
///
/// Raw and `#[non_exhaustive]`, as [`StreamInput`]: build it with [`StreamSampleInput::new`]
/// and [`StreamSampleInput::with_tier`], or read it from JSON.
///
/// ```
/// use mediameter_diagnostics::StreamSampleInput;
/// let s = StreamSampleInput::new(chrono::DateTime::UNIX_EPOCH, Some(1200.0), Some(30.0));
/// assert_eq!(s.video_tier, None);
/// assert_eq!(s.with_tier("720p").video_tier.as_deref(), Some("720p"));
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// let s = mediameter_diagnostics::StreamSampleInput { t: chrono::DateTime::UNIX_EPOCH,
///     video_tier: None, video_kbps: Some(1200.0), fps: Some(30.0) };
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct StreamSampleInput {
    /// When the sample was taken (RFC 3339), inside the request range.
    pub t: DateTime<Utc>,
    /// Resolution tier (`360p`, `≤720P`, `1080p`, `2k`, `4k`).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub video_tier: Option<String>,
    /// Bitrate, kbps.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub video_kbps: Option<f64>,
    /// Frame rate, fps.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub fps: Option<f64>,
}

impl StreamSampleInput {
    /// A sample with bitrate and frame rate and no tier.
    #[must_use]
    pub fn new(t: DateTime<Utc>, video_kbps: Option<f64>, fps: Option<f64>) -> Self {
        StreamSampleInput {
            t,
            video_tier: None,
            video_kbps,
            fps,
        }
    }

    /// The same sample with a resolution tier, as the console spells it (`360p`, `≤720P`...).
    #[must_use]
    pub fn with_tier(mut self, tier: &str) -> Self {
        self.video_tier = Some(tier.to_owned());
        self
    }
}

impl StreamInput {
    /// A stream of `kind` with its `samples` (in increasing time order).
    #[must_use]
    pub fn new(kind: StreamKind, samples: Vec<StreamSampleInput>) -> Self {
        StreamInput { kind, samples }
    }
}

/// A validated video-stream sample; `t_ms` counts milliseconds from the start of the range.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct StreamSample {
    /// Milliseconds since the range start.
    pub t_ms: i64,
    /// Resolution tier.
    pub video_tier: Option<VideoTier>,
    /// Bitrate, kbps.
    pub video_kbps: Option<f64>,
    /// Frame rate, fps.
    pub fps: Option<f64>,
}

/// A validated video stream of one participant.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
/// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
/// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
/// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}],
/// #   "streams":[{"kind":"screen_share","samples":[{"t":"2024-05-01T10:00:02Z","video_kbps":900,"fps":10}]}]}]}"#)?.validate()?;
/// let s = &call.participants()[0].streams()[0];
/// assert_eq!(s.kind(), mediameter_diagnostics::StreamKind::ScreenShare);
/// assert_eq!(s.samples()[0].video_kbps, Some(900.0));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub(crate) kind: StreamKind,
    pub(crate) samples: Vec<StreamSample>,
}

impl Stream {
    /// The kind.
    #[must_use]
    pub fn kind(&self) -> StreamKind {
        self.kind
    }

    /// The samples, in time order.
    #[must_use]
    pub fn samples(&self) -> &[StreamSample] {
        &self.samples
    }
}

/// What a user did, as an SDK or app log records it.
///
/// Each operation switches a state on or off from its instant: [`OperationKind::effect`]
/// says which media it can explain and until which operation.
///
/// ```
/// use mediameter_diagnostics::OperationKind;
/// assert_eq!("camera_off".parse::<OperationKind>()?, OperationKind::CameraOff);
/// assert_eq!(OperationKind::CameraOff.ended_by(), Some(OperationKind::CameraOn));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum OperationKind {
    /// Audio muted.
    MuteAudio,
    /// Audio unmuted.
    UnmuteAudio,
    /// Camera turned off (or video muted).
    CameraOff,
    /// Camera turned on.
    CameraOn,
    /// Screen share started.
    ScreenShareStart,
    /// Screen share stopped.
    ScreenShareStop,
    /// A subscriber switched between the large and small stream (or the publisher changed
    /// profile): the bitrate and tier change on purpose.
    SwitchStream,
    /// The app went to the background (mobile systems throttle or stop capture).
    Background,
    /// The app came back to the foreground.
    Foreground,
    /// The device changed network (Wi-Fi to cellular...): a short loss/RTT swing is expected.
    NetworkChange,
    /// The user left the channel.
    Leave,
}

/// Which media an operation can explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Audio bitrate.
    Audio,
    /// Video of every stream.
    Video,
    /// The screen-share stream only.
    ScreenShare,
    /// A short network swing around the instant.
    Network,
    /// Everything, until the end of the range.
    All,
}

impl OperationKind {
    /// Every kind, in JSON order.
    pub const ALL: [OperationKind; 11] = [
        OperationKind::MuteAudio,
        OperationKind::UnmuteAudio,
        OperationKind::CameraOff,
        OperationKind::CameraOn,
        OperationKind::ScreenShareStart,
        OperationKind::ScreenShareStop,
        OperationKind::SwitchStream,
        OperationKind::Background,
        OperationKind::Foreground,
        OperationKind::NetworkChange,
        OperationKind::Leave,
    ];

    /// The snake-case name used in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            OperationKind::MuteAudio => "mute_audio",
            OperationKind::UnmuteAudio => "unmute_audio",
            OperationKind::CameraOff => "camera_off",
            OperationKind::CameraOn => "camera_on",
            OperationKind::ScreenShareStart => "screen_share_start",
            OperationKind::ScreenShareStop => "screen_share_stop",
            OperationKind::SwitchStream => "switch_stream",
            OperationKind::Background => "background",
            OperationKind::Foreground => "foreground",
            OperationKind::NetworkChange => "network_change",
            OperationKind::Leave => "leave",
        }
    }

    /// What the operation can explain from its instant, or `None` for one that only ends a
    /// state (`unmute_audio`, `camera_on`, `foreground`, `screen_share_start`).
    #[must_use]
    pub const fn effect(self) -> Option<Effect> {
        match self {
            OperationKind::MuteAudio => Some(Effect::Audio),
            OperationKind::CameraOff | OperationKind::Background => Some(Effect::Video),
            OperationKind::SwitchStream => Some(Effect::Video),
            OperationKind::ScreenShareStop => Some(Effect::ScreenShare),
            OperationKind::NetworkChange => Some(Effect::Network),
            OperationKind::Leave => Some(Effect::All),
            OperationKind::UnmuteAudio
            | OperationKind::CameraOn
            | OperationKind::ScreenShareStart
            | OperationKind::Foreground => None,
        }
    }

    /// The operation that ends this one's state, if any (`None`: the state lasts a fixed
    /// settling time, [`SETTLE_MS`], or to the end of the range for `leave`).
    #[must_use]
    pub const fn ended_by(self) -> Option<OperationKind> {
        match self {
            OperationKind::MuteAudio => Some(OperationKind::UnmuteAudio),
            OperationKind::CameraOff => Some(OperationKind::CameraOn),
            OperationKind::Background => Some(OperationKind::Foreground),
            OperationKind::ScreenShareStop => Some(OperationKind::ScreenShareStart),
            _ => None,
        }
    }
}

/// How long a `switch_stream` or `network_change` explains a change after its instant, ms:
/// the time an SDK takes to settle on the new stream or network.
pub const SETTLE_MS: i64 = 10_000;

impl fmt::Display for OperationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OperationKind {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OperationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                crate::Error::invalid(
                    "operation",
                    s,
                    "mute_audio, unmute_audio, camera_off, camera_on, screen_share_start, screen_share_stop, switch_stream, background, foreground, network_change or leave",
                )
            })
    }
}

/// One timed user operation, as received.
///
/// Raw and `#[non_exhaustive]`, as [`StreamInput`]: build it with [`OperationInput::new`] or
/// read it from JSON.
///
/// ```
/// use mediameter_diagnostics::{OperationInput, OperationKind};
/// let op = OperationInput::new(chrono::DateTime::UNIX_EPOCH, OperationKind::CameraOff);
/// assert_eq!(op.op, OperationKind::CameraOff);
/// # #[cfg(feature = "serde")] {
/// let read: OperationInput = serde_json::from_str(r#"{"t":"1970-01-01T00:00:00Z","op":"camera_off"}"#)?;
/// assert_eq!(read, op);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_diagnostics::{OperationInput, OperationKind};
/// let op = OperationInput { t: chrono::DateTime::UNIX_EPOCH, op: OperationKind::Leave };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct OperationInput {
    /// When (RFC 3339), inside the request range.
    pub t: DateTime<Utc>,
    /// What.
    pub op: OperationKind,
}

impl OperationInput {
    /// The operation `op` at instant `t`.
    #[must_use]
    pub fn new(t: DateTime<Utc>, op: OperationKind) -> Self {
        OperationInput { t, op }
    }
}

/// A validated operation; `t_ms` counts milliseconds from the start of the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// Milliseconds since the range start.
    pub t_ms: i64,
    /// What.
    pub kind: OperationKind,
    /// The instant.
    pub at: DateTime<Utc>,
}

/// The interval `[from, until)` (ms since the range start) during which `op` explains `effect`,
/// given the participant's later operations.
pub(crate) fn span_of(ops: &[Operation], index: usize, range_ms: i64) -> Option<(i64, i64)> {
    let op = ops.get(index)?;
    let until = match (op.kind, op.kind.ended_by()) {
        (OperationKind::Leave, _) => range_ms,
        (_, Some(end)) => ops
            .iter()
            .skip(index.saturating_add(1))
            .find(|o| o.kind == end)
            .map_or(range_ms, |o| o.t_ms),
        (_, None) => op.t_ms.saturating_add(SETTLE_MS).min(range_ms),
    };
    Some((op.t_ms, until))
}
