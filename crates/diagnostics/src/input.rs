//! The diagnosis request as it arrives (JSON), and the validated call it becomes.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use mediameter_core::{AppId, ChannelId, RegionId, Role, TimeRange, UserId, VideoTier};

use crate::emodel::Codec;
use crate::error::{Error, Result};
use crate::media::{Operation, OperationInput, Stream, StreamInput, StreamKind, StreamSample};

/// The longest diagnosis range, in seconds: one hour, as in the vendor console (Alibaba Cloud RTC
/// console guide §5.1).
pub const MAX_RANGE_SECONDS: u64 = 3_600;
/// The most participants one request may hold.
pub const MAX_PARTICIPANTS: usize = 1_000;
/// The most samples one participant may hold: one hour at 10 Hz.
pub const MAX_SAMPLES_PER_PARTICIPANT: usize = 36_000;
/// The most publisher→subscriber pairs one request may produce.
pub const MAX_PAIRS: usize = 10_000;
/// The longest client-info string (SDK version, OS, device model), in bytes.
pub const MAX_CLIENT_FIELD_BYTES: usize = 256;
/// The most user operations one participant may hold.
pub const MAX_OPERATIONS_PER_PARTICIPANT: usize = 10_000;

/// A diagnosis request: which call, which hour, who took part, and what they measured.
///
/// This is the raw input; [`DiagnosisRequest::validate`] checks it and returns a [`Call`].
///
/// Raw on purpose, so its fields are public and unchecked: the checked form is [`Call`]. A
/// request gains fields as the console does (streams and operations came that way), so it
/// and its parts ([`ParticipantInput`], [`SampleInput`]) are `#[non_exhaustive]`: build them
/// with their `new` and `with_*` methods (or read them from JSON), read or set the fields.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_diagnostics::DiagnosisRequest;
/// let req: DiagnosisRequest = serde_json::from_str(r#"{
///   "app_id": "app1", "channel_id": "room-1",
///   "range": {"start": "2024-05-01T10:00:00Z", "end": "2024-05-01T10:30:00Z"},
///   "participants": [{
///     "user_id": "u1", "role": "pub",
///     "client": {"sdk_version": "2.5.1", "os": "iOS 16.2"},
///     "samples": [{"t": "2024-05-01T10:00:00Z", "loss_pct": 0.5, "rtt_ms": 60}]
///   }]
/// }"#)?;
/// let call = req.validate()?;
/// assert_eq!(call.participants().len(), 1);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_diagnostics::{emodel::Codec, DiagnosisRequest};
/// let req = DiagnosisRequest { app_id: "a".parse()?, channel_id: "c".parse()?,
///     range: mediameter_core::TimeRange::from_unix(0, 60)?, audio_codec: Codec::Opus,
///     participants: vec![] };
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DiagnosisRequest {
    /// The application.
    pub app_id: AppId,
    /// The channel (room).
    pub channel_id: ChannelId,
    /// The diagnosed range, at most one hour.
    pub range: TimeRange,
    /// The audio codec of the call, for the E-model (default `opus`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub audio_codec: Codec,
    /// Publishers and subscribers.
    pub participants: Vec<ParticipantInput>,
}

/// One publisher or subscriber of the request (raw and `#[non_exhaustive]`, as
/// [`DiagnosisRequest`]).
///
/// ```
/// use mediameter_diagnostics::{ClientInfo, ParticipantInput};
/// use mediameter_core::{Role, UserId};
/// let p = ParticipantInput::new(UserId::new("u2")?, Role::Subscribe, ClientInfo::new("2.5.1", "Android 12"))
///     .with_subscribes_to(vec![UserId::new("u1")?]);
/// assert_eq!(p.subscribes_to.len(), 1);
/// assert!(p.samples.is_empty());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_diagnostics::{ClientInfo, ParticipantInput};
/// let p = ParticipantInput { user_id: "u1".parse()?, role: mediameter_core::Role::Publish,
///     subscribes_to: vec![], client: ClientInfo::new("2.0", "iOS 16"), samples: vec![],
///     streams: vec![], operations: vec![] };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ParticipantInput {
    /// The user.
    pub user_id: UserId,
    /// `pub` or `sub`.
    pub role: Role,
    /// For a subscriber: the publishers it receives (empty: every publisher of the request).
    /// Must be empty for a publisher.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub subscribes_to: Vec<UserId>,
    /// Device, SDK and region.
    pub client: ClientInfo,
    /// Time-stamped measurements, in increasing time order. Their video fields, when given,
    /// describe the participant's one camera stream (a shorthand for a `camera` entry in
    /// `streams`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub samples: Vec<SampleInput>,
    /// Video streams with their own series (camera, small camera stream, screen share): at
    /// most one per kind, and no `camera` entry when the samples carry video fields.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub streams: Vec<StreamInput>,
    /// What the user did (mute, camera off, background, leave...), in time order.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub operations: Vec<OperationInput>,
}

/// What the console shows as "client information" (Alibaba Cloud RTC console guide §5.1).
///
/// Raw input, as [`DiagnosisRequest`]: plain data with no invariant of its own (its lengths are
/// checked by [`DiagnosisRequest::validate`]), so the fields are public; the console may show
/// more about a client one day, so it is `#[non_exhaustive]`: build it with
/// [`ClientInfo::new`] and the `with_*` methods, or read it from JSON.
///
/// ```
/// use mediameter_diagnostics::ClientInfo;
/// let c = ClientInfo::new("6.8.2", "iOS 15.1").with_device_model("iPhone 13").with_region("cn-hangzhou".parse()?);
/// assert_eq!(c.device_model.as_deref(), Some("iPhone 13"));
/// assert_eq!(ClientInfo::new("6.8.2", "iOS 15.1").region, None);
/// # Ok::<(), mediameter_core::Error>(())
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// let c = mediameter_diagnostics::ClientInfo { sdk_version: "6.8.2".into(), os: "iOS 15.1".into(),
///     device_model: None, region: None };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ClientInfo {
    /// The RTC SDK version, such as `2.5.1`.
    pub sdk_version: String,
    /// The operating system with its version, such as `iOS 16.2` or `Android 12`.
    pub os: String,
    /// The device model, such as `iPhone 6` or `Pixel 7`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub device_model: Option<String>,
    /// Where the client was during the call.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub region: Option<RegionId>,
}

impl ClientInfo {
    /// Client info with no device model or region.
    ///
    /// ```
    /// let c = mediameter_diagnostics::ClientInfo::new("2.0.0", "Windows 11");
    /// assert_eq!(c.os, "Windows 11");
    /// ```
    #[must_use]
    pub fn new(sdk_version: &str, os: &str) -> Self {
        ClientInfo {
            sdk_version: sdk_version.to_owned(),
            os: os.to_owned(),
            device_model: None,
            region: None,
        }
    }

    /// The same client info with a device model.
    #[must_use]
    pub fn with_device_model(mut self, model: &str) -> Self {
        self.device_model = Some(model.to_owned());
        self
    }

    /// The same client info with the region the client was in.
    #[must_use]
    pub fn with_region(mut self, region: RegionId) -> Self {
        self.region = Some(region);
        self
    }
}

/// One measurement point, as received. Every number is checked by [`DiagnosisRequest::validate`].
///
/// Raw and `#[non_exhaustive]`, as [`DiagnosisRequest`]: build it with [`SampleInput::new`]
/// and the `with_*` methods, or set the optional fields.
///
/// ```
/// use mediameter_diagnostics::SampleInput;
/// let s = SampleInput::new(chrono::DateTime::UNIX_EPOCH, 1.5, 80.0);
/// assert_eq!(s.video_tier, None);
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// let s = mediameter_diagnostics::SampleInput { t: chrono::DateTime::UNIX_EPOCH, audio_kbps: None,
///     video_tier: None, video_kbps: None, fps: None, loss_pct: Some(1.5), rtt_ms: Some(80.0),
///     jitter_ms: None };
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SampleInput {
    /// When the sample was taken (RFC 3339), inside the request range.
    pub t: DateTime<Utc>,
    /// Audio bitrate, kbps (sent by a publisher, received by a subscriber).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub audio_kbps: Option<f64>,
    /// Video resolution tier (`360p`, `≤720P`, `1080p`, `2k`, `4k`).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub video_tier: Option<String>,
    /// Video bitrate, kbps.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub video_kbps: Option<f64>,
    /// Video frame rate, fps.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub fps: Option<f64>,
    /// Packet loss of this participant's own link, %. Required: optional here only so that a
    /// missing value is refused by [`DiagnosisRequest::validate`] naming the participant, the
    /// sample index and the field, rather than by the JSON reader with a line and column.
    #[cfg_attr(feature = "serde", serde(default))]
    pub loss_pct: Option<f64>,
    /// Round-trip time of this participant's own link, ms. Required, as `loss_pct`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub rtt_ms: Option<f64>,
    /// Interarrival jitter, ms.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub jitter_ms: Option<f64>,
}

impl SampleInput {
    /// A network-only sample (loss and RTT).
    ///
    /// ```
    /// let s = mediameter_diagnostics::SampleInput::new(chrono::DateTime::UNIX_EPOCH, 0.0, 50.0);
    /// assert_eq!(s.rtt_ms, Some(50.0));
    /// ```
    #[must_use]
    pub fn new(t: DateTime<Utc>, loss_pct: f64, rtt_ms: f64) -> Self {
        SampleInput {
            t,
            audio_kbps: None,
            video_tier: None,
            video_kbps: None,
            fps: None,
            loss_pct: Some(loss_pct),
            rtt_ms: Some(rtt_ms),
            jitter_ms: None,
        }
    }

    /// The same sample with an audio bitrate.
    ///
    /// ```
    /// use mediameter_diagnostics::SampleInput;
    /// let s = SampleInput::new(chrono::DateTime::UNIX_EPOCH, 0.0, 50.0)
    ///     .with_audio(48.0)
    ///     .with_video("720p", 1200.0, 30.0)
    ///     .with_jitter(8.0);
    /// assert_eq!((s.audio_kbps, s.video_tier.as_deref(), s.fps, s.jitter_ms),
    ///     (Some(48.0), Some("720p"), Some(30.0), Some(8.0)));
    /// ```
    #[must_use]
    pub fn with_audio(mut self, kbps: f64) -> Self {
        self.audio_kbps = Some(kbps);
        self
    }

    /// The same sample with the camera's video tier (as the console spells it), bitrate and
    /// frame rate.
    #[must_use]
    pub fn with_video(mut self, tier: &str, kbps: f64, fps: f64) -> Self {
        self.video_tier = Some(tier.to_owned());
        self.video_kbps = Some(kbps);
        self.fps = Some(fps);
        self
    }

    /// The same sample with a jitter.
    #[must_use]
    pub fn with_jitter(mut self, ms: f64) -> Self {
        self.jitter_ms = Some(ms);
        self
    }
}

impl ParticipantInput {
    /// A participant with no samples, streams, operations or subscriptions yet.
    #[must_use]
    pub fn new(user_id: UserId, role: Role, client: ClientInfo) -> Self {
        ParticipantInput {
            user_id,
            role,
            subscribes_to: Vec::new(),
            client,
            samples: Vec::new(),
            streams: Vec::new(),
            operations: Vec::new(),
        }
    }

    /// The same participant with `samples`.
    #[must_use]
    pub fn with_samples(mut self, samples: Vec<SampleInput>) -> Self {
        self.samples = samples;
        self
    }

    /// The same participant (a subscriber) receiving the publishers `users` only.
    #[must_use]
    pub fn with_subscribes_to(mut self, users: Vec<UserId>) -> Self {
        self.subscribes_to = users;
        self
    }

    /// The same participant with video `streams` of their own series.
    #[must_use]
    pub fn with_streams(mut self, streams: Vec<StreamInput>) -> Self {
        self.streams = streams;
        self
    }

    /// The same participant with the user's `operations`.
    #[must_use]
    pub fn with_operations(mut self, operations: Vec<OperationInput>) -> Self {
        self.operations = operations;
        self
    }
}

/// A validated sample; `t_ms` counts milliseconds from the start of the range.
///
/// An output of [`DiagnosisRequest::validate`], read by field; `#[non_exhaustive]`, so a new
/// measurement can be added, and a literal does not compile outside the crate (build the raw
/// [`SampleInput`] instead):
///
/// ```compile_fail,E0639
/// let s = mediameter_diagnostics::Sample { t_ms: 0, audio_kbps: None, video_tier: None,
///     video_kbps: None, fps: None, loss_pct: 0.0, rtt_ms: 50.0, jitter_ms: None };
/// ```
///
/// ```
/// # use mediameter_diagnostics::*;
/// # let call = DiagnosisRequest::new("a".parse()?, "c".parse()?, mediameter_core::TimeRange::from_unix(0, 60)?,
/// #     vec![ParticipantInput::new("u1".parse()?, mediameter_core::Role::Publish, ClientInfo::new("2.0", "iOS 16"))
/// #         .with_samples(vec![SampleInput::new(chrono::DateTime::from_timestamp(2, 0).ok_or("out of range")?, 1.0, 70.0)])],
/// # ).validate()?;
/// let s = &call.participants()[0].samples()[0];
/// assert_eq!(s.t_ms, 2_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Sample {
    /// Milliseconds since the range start.
    pub t_ms: i64,
    /// Audio bitrate, kbps.
    pub audio_kbps: Option<f64>,
    /// Video tier.
    pub video_tier: Option<VideoTier>,
    /// Video bitrate, kbps.
    pub video_kbps: Option<f64>,
    /// Frame rate, fps.
    pub fps: Option<f64>,
    /// Packet loss, %.
    pub loss_pct: f64,
    /// Round-trip time, ms.
    pub rtt_ms: f64,
    /// Jitter, ms.
    pub jitter_ms: Option<f64>,
}

/// A validated participant.
///
/// ```
/// # use mediameter_diagnostics::*;
/// # let call = DiagnosisRequest::new("a".parse()?, "c".parse()?, mediameter_core::TimeRange::from_unix(0, 60)?,
/// #     vec![ParticipantInput::new("u1".parse()?, mediameter_core::Role::Publish, ClientInfo::new("2.0", "iOS 16"))],
/// # ).validate()?;
/// let p = &call.participants()[0];
/// assert_eq!(p.user_id().as_str(), "u1");
/// assert_eq!(p.label(), "u1 (pub)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    user_id: UserId,
    role: Role,
    client: ClientInfo,
    samples: Vec<Sample>,
    streams: Vec<Stream>,
    operations: Vec<Operation>,
    label: String,
}

impl Participant {
    /// The user.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.participants()[0].user_id().as_str(), "u1");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// Publisher or subscriber.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.participants()[0].role(), mediameter_core::Role::Publish);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// Device, SDK, OS and region.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.participants()[0].client().os, "iOS 16");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn client(&self) -> &ClientInfo {
        &self.client
    }

    /// The samples, in strictly increasing time order, all inside the range.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.participants()[0].samples()[0].rtt_ms, 70.0);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The video streams, one per kind, in [`StreamKind`] order. The samples' own video
    /// fields (the camera shorthand) are not repeated here.
    #[must_use]
    pub fn streams(&self) -> &[Stream] {
        &self.streams
    }

    /// The user operations, in time order.
    #[must_use]
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The participant seen through one of its video streams: the stream's samples as video
    /// fields, no audio, zero loss and RTT (the network is judged on the participant itself).
    /// The detectors run their video tests on this view.
    pub(crate) fn stream_view(&self, stream: &Stream) -> Participant {
        Participant {
            user_id: self.user_id.clone(),
            role: self.role,
            client: self.client.clone(),
            samples: stream
                .samples
                .iter()
                .map(|s| Sample {
                    t_ms: s.t_ms,
                    audio_kbps: None,
                    video_tier: s.video_tier,
                    video_kbps: s.video_kbps,
                    fps: s.fps,
                    loss_pct: 0.0,
                    rtt_ms: 0.0,
                    jitter_ms: None,
                })
                .collect(),
            streams: Vec::new(),
            operations: Vec::new(),
            label: format!("{} {}", self.label, stream.kind.label()),
        }
    }

    /// `user (pub)` or `user (sub)`.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.participants()[0].label(), "u1 (pub)");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// A validated call: every sample inside the range, in order, with finite values in range,
/// and the publisher→subscriber pairs resolved.
///
/// ```
/// # use mediameter_diagnostics::*;
/// # use mediameter_core::Role;
/// # let call = DiagnosisRequest::new("a".parse()?, "c".parse()?, mediameter_core::TimeRange::from_unix(0, 60)?, vec![
/// #     ParticipantInput::new("u1".parse()?, Role::Publish, ClientInfo::new("2.0", "iOS 16")),
/// #     ParticipantInput::new("u2".parse()?, Role::Subscribe, ClientInfo::new("2.0", "iOS 16")),
/// # ]).validate()?;
/// assert_eq!(call.pairs(), &[(0, 1)]); // u2 subscribes to every publisher: u1
/// assert_eq!(call.range().seconds(), 60);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A call is only made by [`DiagnosisRequest::validate`], never by a struct literal (its
/// fields are private):
///
/// ```compile_fail,E0451
/// use mediameter_diagnostics::Call;
/// let call = Call { app_id: "a".parse()?, channel_id: "c".parse()?,
///     range: mediameter_core::TimeRange::from_unix(0, 60)?,
///     codec: mediameter_diagnostics::emodel::Codec::Opus, participants: vec![], pairs: vec![] };
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    app_id: AppId,
    channel_id: ChannelId,
    range: TimeRange,
    codec: Codec,
    participants: Vec<Participant>,
    pairs: Vec<(usize, usize)>,
}

impl Call {
    /// The application.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.app_id().as_str(), "a");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn app_id(&self) -> &AppId {
        &self.app_id
    }

    /// The channel.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.channel_id().as_str(), "c");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn channel_id(&self) -> &ChannelId {
        &self.channel_id
    }

    /// The diagnosed range.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.range().seconds(), 60);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn range(&self) -> TimeRange {
        self.range
    }

    /// The audio codec.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.codec(), mediameter_diagnostics::emodel::Codec::Opus);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// The participants, in request order.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.participants().len(), 1);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn participants(&self) -> &[Participant] {
        &self.participants
    }

    /// `(publisher index, subscriber index)` pairs into [`Call::participants`], sorted.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert!(call.pairs().is_empty()); // no subscriber
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    /// The range length in milliseconds.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.range_ms(), 60_000);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn range_ms(&self) -> i64 {
        self.range.duration().num_milliseconds()
    }

    /// The instant `ms` milliseconds after the range start.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.instant(1_500).to_rfc3339(), "2024-05-01T10:00:01.500+00:00");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn instant(&self, ms: i64) -> DateTime<Utc> {
        self.range
            .start()
            .checked_add_signed(TimeDelta::milliseconds(ms))
            .unwrap_or(self.range.end())
    }

    /// The range `[a, b)` in milliseconds from the start, clamped inside the call's range.
    ///
    /// Returns `None` when the clamped interval is empty.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// # let call = serde_json::from_str::<mediameter_diagnostics::DiagnosisRequest>(r#"{"app_id":"a","channel_id":"c",
    /// #   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
    /// #   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"2.0","os":"iOS 16"},
    /// #   "samples":[{"t":"2024-05-01T10:00:02Z","loss_pct":1,"rtt_ms":70}]}]}"#)?.validate()?;
    /// assert_eq!(call.window(-5_000, 10_000).map(|w| w.seconds()), Some(10));
    /// assert_eq!(call.window(70_000, 80_000), None);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn window(&self, a: i64, b: i64) -> Option<TimeRange> {
        let total = self.range_ms();
        let a = a.clamp(0, total);
        let b = b.clamp(0, total);
        if b <= a {
            return None;
        }
        let start = self.instant(a);
        let end = if b == total {
            self.range.end()
        } else {
            self.instant(b)
        };
        TimeRange::new(start, end).ok()
    }
}

/// A sample's field refused: [`Error::Invalid`], located at the participant (and stream) and
/// the sample's index, `participant u1 (pub), sample 17`.
fn sample_error(
    owner: &str,
    index: usize,
    field: &'static str,
    value: impl fmt::Display,
    expected: impl fmt::Display,
) -> Error {
    item_error(owner, "sample", index, field, value, expected)
}

/// A field of the `index`-th `item` (sample, operation) of `owner` (a participant's label, or
/// a label and a stream) refused: [`Error::Invalid`] located at `participant {owner}, {item}
/// {index}`.
fn item_error(
    owner: &str,
    item: &str,
    index: usize,
    field: &'static str,
    value: impl fmt::Display,
    expected: impl fmt::Display,
) -> Error {
    Error::invalid(field, &value.to_string(), expected)
        .at(format!("participant {owner}, {item} {index}"))
}

/// A participant's own field refused: [`Error::Invalid`] located at `participant {label}`.
fn participant_error(
    label: &str,
    field: &'static str,
    value: impl fmt::Display,
    expected: impl fmt::Display,
) -> Error {
    Error::invalid(field, &value.to_string(), expected).at(format!("participant {label}"))
}

fn check_number(label: &str, index: usize, field: &'static str, v: f64, max: f64) -> Result<f64> {
    if v.is_finite() && (0.0..=max).contains(&v) {
        Ok(v)
    } else {
        Err(sample_error(
            label,
            index,
            field,
            v,
            format!("a finite number from 0 to {max}"),
        ))
    }
}

/// A field every sample must carry.
fn required(label: &str, index: usize, field: &'static str, v: Option<f64>) -> Result<f64> {
    v.ok_or_else(|| sample_error(label, index, field, "(missing)", "a number (required)"))
}

fn check_opt(
    label: &str,
    index: usize,
    field: &'static str,
    v: Option<f64>,
    max: f64,
) -> Result<Option<f64>> {
    v.map(|x| check_number(label, index, field, x, max))
        .transpose()
}

fn check_client(label: &str, c: &ClientInfo) -> Result<()> {
    let fields = [
        ("client.sdk_version", Some(&c.sdk_version)),
        ("client.os", Some(&c.os)),
        ("client.device_model", c.device_model.as_ref()),
    ];
    for (field, value) in fields {
        if let Some(v) = value
            && (v.len() > MAX_CLIENT_FIELD_BYTES || v.chars().any(char::is_control))
        {
            // Quoted with escapes, as core echoes values: a control byte is never written out.
            return Err(participant_error(
                label,
                field,
                v,
                format!("at most {MAX_CLIENT_FIELD_BYTES} bytes without control characters"),
            ));
        }
    }
    Ok(())
}

/// A positive duration in seconds with the decimals it needs: `3600`, `3600.001`, `0.000000001`.
fn exact_seconds(d: chrono::TimeDelta) -> String {
    let whole = d.num_seconds();
    let nanos = d.subsec_nanos().unsigned_abs();
    if nanos == 0 {
        return whole.to_string();
    }
    let fraction = format!("{nanos:09}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

impl DiagnosisRequest {
    /// A request for `range` of a call of `app_id` in `channel_id`, with the default audio
    /// codec (`opus`, as in JSON).
    ///
    /// ```
    /// use mediameter_diagnostics::{ClientInfo, DiagnosisRequest, ParticipantInput, SampleInput};
    /// use mediameter_core::{Role, TimeRange};
    /// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let u1 = ParticipantInput::new("u1".parse()?, Role::Publish, ClientInfo::new("2.0", "iOS 16"))
    ///     .with_samples(vec![SampleInput::new(t(2)?, 1.0, 70.0)]);
    /// let call = DiagnosisRequest::new("a".parse()?, "c".parse()?, TimeRange::from_unix(0, 60)?, vec![u1])
    ///     .validate()?;
    /// assert_eq!(call.participants()[0].samples()[0].t_ms, 2_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        app_id: AppId,
        channel_id: ChannelId,
        range: TimeRange,
        participants: Vec<ParticipantInput>,
    ) -> Self {
        DiagnosisRequest {
            app_id,
            channel_id,
            range,
            audio_codec: Codec::default(),
            participants,
        }
    }

    /// The same request with the call's audio `codec`.
    #[must_use]
    pub fn with_audio_codec(mut self, codec: Codec) -> Self {
        self.audio_codec = codec;
        self
    }

    /// Validates the request into a [`Call`].
    ///
    /// # Errors
    ///
    /// * [`Error::OutOfRange`] for a range over one hour;
    /// * [`Error::Invalid`] naming the field, located ([`Error::At`]) at the participant and
    ///   sample index (`participant u1 (pub), sample 17`, `participant u1 (pub), screen-share
    ///   stream, sample 3`, `participant u2 (sub), operation 0`), for a sample outside the
    ///   range, a timestamp not after the previous one (at millisecond resolution), loss below
    ///   0 or over 100 %, a negative, non-finite or absurd number, or an unknown video tier;
    /// * [`Error::Invalid`] located at the participant (`participant u1 (pub)`) for a duplicate
    ///   user and role, a publisher with `subscribes_to`, a subscription to a user who is not a
    ///   publisher of the request, a second stream of one kind, or an over-long client field;
    /// * [`Error::Invalid`] naming `audio_codec.ie` or `audio_codec.bpl` for a custom codec's
    ///   factor out of range;
    /// * [`Error::TooLarge`] past [`MAX_PARTICIPANTS`], [`MAX_SAMPLES_PER_PARTICIPANT`],
    ///   [`MAX_OPERATIONS_PER_PARTICIPANT`] or [`MAX_PAIRS`]; a participant's samples,
    ///   stream samples or operations come located in an [`Error::At`] naming the participant
    ///   (and the stream); [`Error::kind`] looks through it.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use mediameter_diagnostics::{DiagnosisRequest, ErrorKind};
    /// let req: DiagnosisRequest = serde_json::from_str(r#"{
    ///   "app_id": "app1", "channel_id": "room-1",
    ///   "range": {"start": "2024-05-01T10:00:00Z", "end": "2024-05-01T11:00:01Z"},
    ///   "participants": []
    /// }"#)?;
    /// assert_eq!(req.validate().unwrap_err().kind(), ErrorKind::OutOfRange);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self) -> Result<Call> {
        let range_ms = self.range.duration().num_milliseconds();
        let limit_ms = i64::try_from(MAX_RANGE_SECONDS)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        if range_ms > limit_ms {
            return Err(Error::OutOfRange {
                field: "diagnosis range",
                value: format!(
                    "{} ({} s)",
                    self.range,
                    exact_seconds(self.range.duration())
                ),
                expected: format!("at most {MAX_RANGE_SECONDS} s (one hour)"),
            });
        }
        self.audio_codec.validate()?;
        if self.participants.len() > MAX_PARTICIPANTS {
            return Err(Error::too_large(
                "participants",
                self.participants.len(),
                MAX_PARTICIPANTS,
            ));
        }
        let mut participants = Vec::with_capacity(self.participants.len());
        for p in &self.participants {
            participants.push(self.validate_participant(p, range_ms)?);
        }
        // Duplicate (user, role) entries.
        let mut keys: Vec<(&UserId, Role)> = self
            .participants
            .iter()
            .map(|p| (&p.user_id, p.role))
            .collect();
        keys.sort();
        if let Some(w) = keys.windows(2).find(|w| matches!(w, [a, b] if a == b))
            && let Some((user, role)) = w.first()
        {
            return Err(participant_error(
                &format!("{user} ({role})"),
                "role",
                role,
                "one entry per user and role",
            ));
        }
        // Pairs are counted in full before the limit is applied, so that the error says how
        // many there are; they are kept only while under the limit (memory stays bounded).
        let mut pairs = Vec::new();
        let mut total_pairs = 0_usize;
        let publishers: Vec<usize> = self
            .participants
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role == Role::Publish)
            .map(|(i, _)| i)
            .collect();
        for (si, p) in self.participants.iter().enumerate() {
            let mut mine: Vec<(usize, usize)> = Vec::new();
            match p.role {
                Role::Publish => {
                    if let Some(u) = p.subscribes_to.first() {
                        return Err(participant_error(
                            &format!("{} ({})", p.user_id, p.role),
                            "subscribes_to",
                            u,
                            "no subscriptions on a publisher entry",
                        ));
                    }
                }
                Role::Subscribe if p.subscribes_to.is_empty() => {
                    mine.extend(
                        publishers
                            .iter()
                            .filter(|&&pi| {
                                self.participants
                                    .get(pi)
                                    .is_some_and(|q| q.user_id != p.user_id)
                            })
                            .map(|&pi| (pi, si)),
                    );
                }
                Role::Subscribe => {
                    for u in &p.subscribes_to {
                        let pi = publishers
                            .iter()
                            .copied()
                            .find(|&pi| self.participants.get(pi).is_some_and(|q| &q.user_id == u))
                            .ok_or_else(|| {
                                participant_error(
                                    &format!("{} ({})", p.user_id, p.role),
                                    "subscribes_to",
                                    u,
                                    "the user id of a publisher in this request",
                                )
                            })?;
                        mine.push((pi, si));
                    }
                }
            }
            // A publisher named twice in `subscribes_to` is one pair.
            mine.sort_unstable();
            mine.dedup();
            total_pairs = total_pairs.saturating_add(mine.len());
            if total_pairs <= MAX_PAIRS {
                pairs.append(&mut mine);
            }
        }
        if total_pairs > MAX_PAIRS {
            return Err(Error::too_large(
                "publisher/subscriber pairs",
                total_pairs,
                MAX_PAIRS,
            ));
        }
        pairs.sort_unstable();
        pairs.dedup();
        Ok(Call {
            app_id: self.app_id.clone(),
            channel_id: self.channel_id.clone(),
            range: self.range,
            codec: self.audio_codec,
            participants,
            pairs,
        })
    }

    fn validate_participant(&self, p: &ParticipantInput, range_ms: i64) -> Result<Participant> {
        let label = format!("{} ({})", p.user_id, p.role);
        check_client(&label, &p.client)?;
        if p.samples.len() > MAX_SAMPLES_PER_PARTICIPANT {
            return Err(
                Error::too_large("samples", p.samples.len(), MAX_SAMPLES_PER_PARTICIPANT)
                    .at(format!("participant {label}")),
            );
        }
        let mut samples = Vec::with_capacity(p.samples.len());
        let mut prev: Option<(i64, DateTime<Utc>)> = None;
        for (i, s) in p.samples.iter().enumerate() {
            if !self.range.contains(s.t) {
                return Err(sample_error(
                    &label,
                    i,
                    "t",
                    s.t.to_rfc3339(),
                    format!("an instant inside the range {}", self.range),
                ));
            }
            let t_ms =
                s.t.signed_duration_since(self.range.start())
                    .num_milliseconds();
            if t_ms >= range_ms {
                return Err(sample_error(
                    &label,
                    i,
                    "t",
                    s.t.to_rfc3339(),
                    format!("an instant inside the range {}", self.range),
                ));
            }
            if let Some((before, before_t)) = prev
                && t_ms <= before
            {
                return Err(sample_error(
                    &label,
                    i,
                    "t",
                    s.t.to_rfc3339(),
                    format!(
                        "a time at least 1 ms after the previous sample's {}",
                        before_t.to_rfc3339()
                    ),
                ));
            }
            prev = Some((t_ms, s.t));
            let loss_pct = required(&label, i, "loss_pct", s.loss_pct)?;
            if !(loss_pct.is_finite() && (0.0..=100.0).contains(&loss_pct)) {
                return Err(sample_error(
                    &label,
                    i,
                    "loss_pct",
                    loss_pct,
                    "a percentage from 0 to 100",
                ));
            }
            let rtt_ms = required(&label, i, "rtt_ms", s.rtt_ms)?;
            let rtt_ms = check_number(&label, i, "rtt_ms", rtt_ms, 600_000.0)?;
            let video_tier = match &s.video_tier {
                None => None,
                Some(text) => Some(text.parse::<VideoTier>().map_err(|_| {
                    sample_error(
                        &label,
                        i,
                        "video_tier",
                        text,
                        "one of 360p, 720p, 1080p, 2k, 4k (≤720P accepted)",
                    )
                })?),
            };
            samples.push(Sample {
                t_ms,
                audio_kbps: check_opt(&label, i, "audio_kbps", s.audio_kbps, 100_000.0)?,
                video_tier,
                video_kbps: check_opt(&label, i, "video_kbps", s.video_kbps, 1_000_000.0)?,
                fps: check_opt(&label, i, "fps", s.fps, 1_000.0)?,
                loss_pct,
                rtt_ms,
                jitter_ms: check_opt(&label, i, "jitter_ms", s.jitter_ms, 600_000.0)?,
            });
        }
        let legacy_camera = p
            .samples
            .iter()
            .any(|s| s.video_kbps.is_some() || s.fps.is_some() || s.video_tier.is_some());
        let streams = self.validate_streams(p, &label, legacy_camera, range_ms)?;
        let operations = self.validate_operations(p, &label, range_ms)?;
        Ok(Participant {
            user_id: p.user_id.clone(),
            role: p.role,
            client: p.client.clone(),
            samples,
            streams,
            operations,
            label,
        })
    }

    fn offset_ms(
        &self,
        label: &str,
        item: &str,
        index: usize,
        field: &'static str,
        t: DateTime<Utc>,
        range_ms: i64,
    ) -> Result<i64> {
        let t_ms = t
            .signed_duration_since(self.range.start())
            .num_milliseconds();
        if !self.range.contains(t) || t_ms >= range_ms {
            return Err(item_error(
                label,
                item,
                index,
                field,
                t.to_rfc3339(),
                format!("an instant inside the range {}", self.range),
            ));
        }
        Ok(t_ms)
    }

    fn validate_streams(
        &self,
        p: &ParticipantInput,
        label: &str,
        legacy_camera: bool,
        range_ms: i64,
    ) -> Result<Vec<Stream>> {
        let mut seen: Vec<StreamKind> = Vec::new();
        let mut out = Vec::with_capacity(p.streams.len().min(StreamKind::ALL.len()));
        for stream in &p.streams {
            if seen.contains(&stream.kind) || (legacy_camera && stream.kind == StreamKind::Camera) {
                return Err(participant_error(
                    label,
                    "streams.kind",
                    stream.kind,
                    "one stream of each kind (the samples' video fields are the camera stream)",
                ));
            }
            seen.push(stream.kind);
            if stream.samples.len() > MAX_SAMPLES_PER_PARTICIPANT {
                return Err(Error::too_large(
                    "samples",
                    stream.samples.len(),
                    MAX_SAMPLES_PER_PARTICIPANT,
                )
                .at(format!("participant {label}, {}", stream.kind.label())));
            }
            let name = format!("{label}, {}", stream.kind.label());
            let mut samples = Vec::with_capacity(stream.samples.len());
            let mut prev: Option<i64> = None;
            for (i, s) in stream.samples.iter().enumerate() {
                let t_ms = self.offset_ms(&name, "sample", i, "t", s.t, range_ms)?;
                if prev.is_some_and(|before| t_ms <= before) {
                    return Err(sample_error(
                        &name,
                        i,
                        "t",
                        s.t.to_rfc3339(),
                        "a time at least 1 ms after the previous sample's",
                    ));
                }
                prev = Some(t_ms);
                let video_tier = match &s.video_tier {
                    None => None,
                    Some(text) => Some(text.parse::<VideoTier>().map_err(|_| {
                        sample_error(
                            &name,
                            i,
                            "video_tier",
                            text,
                            "one of 360p, 720p, 1080p, 2k, 4k (≤720P accepted)",
                        )
                    })?),
                };
                samples.push(StreamSample {
                    t_ms,
                    video_tier,
                    video_kbps: check_opt(&name, i, "video_kbps", s.video_kbps, 1_000_000.0)?,
                    fps: check_opt(&name, i, "fps", s.fps, 1_000.0)?,
                });
            }
            out.push(Stream {
                kind: stream.kind,
                samples,
            });
        }
        out.sort_by_key(|s| s.kind);
        Ok(out)
    }

    fn validate_operations(
        &self,
        p: &ParticipantInput,
        label: &str,
        range_ms: i64,
    ) -> Result<Vec<Operation>> {
        if p.operations.len() > MAX_OPERATIONS_PER_PARTICIPANT {
            return Err(Error::too_large(
                "operations",
                p.operations.len(),
                MAX_OPERATIONS_PER_PARTICIPANT,
            )
            .at(format!("participant {label}")));
        }
        let mut out: Vec<Operation> = Vec::with_capacity(p.operations.len());
        for (i, o) in p.operations.iter().enumerate() {
            let t_ms = self.offset_ms(label, "operation", i, "t", o.t, range_ms)?;
            if out.last().is_some_and(|before| t_ms < before.t_ms) {
                return Err(item_error(
                    label,
                    "operation",
                    i,
                    "t",
                    o.t.to_rfc3339(),
                    "operations in time order",
                ));
            }
            out.push(Operation {
                t_ms,
                kind: o.op,
                at: o.t,
            });
        }
        Ok(out)
    }
}
