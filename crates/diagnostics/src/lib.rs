//! Call-quality diagnostics for real-time audio/video: from publisher and subscriber quality
//! series to explained findings, E-model audio scores and a grade a person can read.
//!
//! The vendor console (Alibaba Cloud RTC console guide, §5.1 "monitoring diagnostics") charts
//! client info, audio bitrate, video resolution tier, frame rate, packet loss and RTT for the
//! publisher and subscriber of a call over at most one hour, and lists what usually goes wrong.
//! This crate reads the same series and says, with evidence, what went wrong, on which side and
//! when:
//!
//! * outdated SDK, OS or device ([`FindingKind::OutdatedSdk`], [`FindingKind::OutdatedDevice`]);
//! * network: sustained high loss or RTT, an RTT level shift or drift (CUSUM), a poor-network
//!   region, each attributed to the publisher's uplink, the subscriber's downlink or both by
//!   comparing the two ends;
//! * short swings told apart from extreme surges with median/MAD statistics, and a downgrade
//!   right after a swing reported as expected adaptation, not as a fault;
//! * subscriber media that disagrees with the publisher's while everything else looks normal,
//!   with an [`Escalation`] bundle for the vendor;
//! * video bitrate far below the tier's need, frame-rate collapses and freezes;
//! * audio MOS per window from the ITU-T G.107 E-model ([`emodel`]), fullband G.107.2 for Opus.
//!
//! Thresholds live in a [`Profile`] (sensitive, default, tolerant, or your own JSON).
//! Output is deterministic: the same request and profile give the same diagnosis.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use mediameter_diagnostics::{diagnose, DiagnosisRequest, FindingKind, Profile, Side};
//!
//! // One publisher whose uplink loses 12 % of packets for a minute, one healthy subscriber.
//! let mut samples_pub = String::new();
//! let mut samples_sub = String::new();
//! for s in 0..300 {
//!     let loss = if (100..160).contains(&s) { 12.0 } else { 0.2 };
//!     let t = format!("2024-05-01T10:{:02}:{:02}Z", s / 60, s % 60);
//!     samples_pub.push_str(&format!(r#"{{"t":"{t}","audio_kbps":48,"loss_pct":{loss},"rtt_ms":60}},"#));
//!     samples_sub.push_str(&format!(r#"{{"t":"{t}","audio_kbps":48,"loss_pct":0.3,"rtt_ms":70}},"#));
//! }
//! let json = format!(
//!     r#"{{"app_id":"app1","channel_id":"room-1",
//!         "range":{{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:05:00Z"}},
//!         "participants":[
//!           {{"user_id":"u1","role":"pub","client":{{"sdk_version":"2.5.1","os":"iOS 16.2"}},
//!             "samples":[{}]}},
//!           {{"user_id":"u2","role":"sub","client":{{"sdk_version":"2.5.1","os":"Android 13"}},
//!             "samples":[{}]}}]}}"#,
//!     samples_pub.trim_end_matches(','),
//!     samples_sub.trim_end_matches(',')
//! );
//! let request: DiagnosisRequest = serde_json::from_str(&json)?;
//! let diagnosis = diagnose(&request.validate()?, &Profile::default())?;
//!
//! let kinds: Vec<_> = diagnosis.findings.iter().map(|f| (f.kind, f.side)).collect();
//! assert_eq!(kinds, [(FindingKind::HighLoss, Side::PublisherUplink)]);
//! assert_eq!(diagnosis.findings[0].window.seconds(), 60);
//! // A fifth of the audio windows lose 12 % of packets: the 10th-percentile R is in the
//! // "nearly all users dissatisfied" band.
//! assert_eq!(diagnosis.grade.letter, Some('D'));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Thread safety
//!
//! Every public type is `Send` and `Sync`, and none has interior mutability. [`diagnose`],
//! [`render_report`] and the [`emodel`] functions are pure: a validated [`Call`] and a
//! [`Profile`] are read through `&` references, so one profile (and one call) can be shared by
//! any number of threads diagnosing at once. The crate keeps no global state and never reads
//! the clock. `tests/thread_safety.rs` checks this at compile time.
//!
//! # Feature flags
//!
//! * `serde` (default): `Serialize`/`Deserialize` for the request, the profile and the
//!   diagnosis. Pulls in `serde` and core's serde support.
//!
//! # Third-party types
//!
//! Instants are [`DateTime<Utc>`](DateTime) (`chrono`), re-exported here with [`Utc`], so a
//! caller needs no dependency of its own to name them. Ids, roles and time ranges are
//! `mediameter-core`'s: add `mediameter-core` (same version) to `[dependencies]`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod detect;
pub mod emodel;
mod error;
mod finding;
mod input;
mod media;
mod profile;
mod report;
mod stats;
mod version;

pub use chrono::{DateTime, Utc};
pub use error::{Error, ErrorKind, Result};
pub use finding::{
    Diagnosis, Escalation, ExplainedBy, Finding, FindingKind, GROUP_MAX_SECONDS, GROUP_MIN_COUNT,
    Gap, Grade, MAX_LISTED_OCCURRENCES, Observed, PairScore, Severity, Side, WindowScore,
};
pub use input::{
    Call, ClientInfo, DiagnosisRequest, MAX_CLIENT_FIELD_BYTES, MAX_OPERATIONS_PER_PARTICIPANT,
    MAX_PAIRS, MAX_PARTICIPANTS, MAX_RANGE_SECONDS, MAX_SAMPLES_PER_PARTICIPANT, Participant,
    ParticipantInput, Sample, SampleInput,
};
pub use media::{
    Effect, Operation, OperationInput, OperationKind, SETTLE_MS, Stream, StreamInput, StreamKind,
    StreamSample, StreamSampleInput,
};
pub use profile::{ClientPolicy, MinVersion, Profile, TierBitrates};
pub use report::render_report;
pub use version::Version;

pub(crate) fn error_truncate(s: &str) -> String {
    mediameter_core::error::truncate(s)
}

/// Diagnoses a validated call with a profile.
///
/// # Errors
///
/// [`Error::Invalid`] (located at the profile) when the profile is invalid (see [`Profile::validate`]); the call itself
/// was validated when it was built.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_diagnostics::{diagnose, DiagnosisRequest, Profile};
/// let request: DiagnosisRequest = serde_json::from_str(r#"{"app_id":"a","channel_id":"c",
///   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:10:00Z"},"participants":[]}"#)?;
/// let d = diagnose(&request.validate()?, &Profile::tolerant())?;
/// assert!(d.findings.is_empty());
/// assert_eq!(d.gaps.len(), 0);
/// assert_eq!(d.profile, "tolerant");
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diagnose(call: &Call, profile: &Profile) -> Result<Diagnosis> {
    profile.validate()?;
    Ok(detect::run(call, profile))
}

impl DiagnosisRequest {
    /// Validates the request and diagnoses it: [`DiagnosisRequest::validate`] then [`diagnose`].
    ///
    /// # Errors
    ///
    /// As [`DiagnosisRequest::validate`] and [`diagnose`].
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use mediameter_diagnostics::{DiagnosisRequest, Profile};
    /// let request: DiagnosisRequest = serde_json::from_str(r#"{"app_id":"a","channel_id":"c",
    ///   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:10:00Z"},"participants":[]}"#)?;
    /// // No participant, no sample: nothing to grade.
    /// let d = request.diagnose(&Profile::default())?;
    /// assert_eq!((d.grade.letter, d.grade.label), (None, "not enough data"));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn diagnose(&self, profile: &Profile) -> Result<Diagnosis> {
        diagnose(&self.validate()?, profile)
    }
}

/// The README's examples, run as doctests.
#[cfg(all(doctest, feature = "serde"))] // the README reads JSON
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
