//! Thresholds and windows of every detector, grouped in a serializable profile.

use mediameter_core::VideoTier;

use crate::error::{Error, Result};

/// A minimum version for a platform (`ios`, `android`, ... or `*` for any).
///
/// The platform matches the start of the client's OS string, ignoring case: `ios` matches
/// `iOS 12.4`.
///
/// Part of a [`Profile`], and checked with it (the version must parse as a [`crate::Version`]:
/// [`Profile::validate`], which deserializing a profile runs), so its fields stay public, as
/// the profile's; `#[non_exhaustive]`, so build it with [`MinVersion::new`].
///
/// ```
/// use mediameter_diagnostics::MinVersion;
/// let m = MinVersion::new("*", "2.0.0");
/// assert_eq!(m.platform, "*");
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// let m = mediameter_diagnostics::MinVersion { platform: "*".into(), min: "2.0.0".into() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct MinVersion {
    /// OS name prefix, or `*` for every platform.
    pub platform: String,
    /// The oldest acceptable version.
    pub min: String,
}

impl MinVersion {
    /// A table row.
    ///
    /// ```
    /// let m = mediameter_diagnostics::MinVersion::new("ios", "13");
    /// assert_eq!(m.min, "13");
    /// ```
    #[must_use]
    pub fn new(platform: &str, min: &str) -> Self {
        MinVersion {
            platform: platform.to_owned(),
            min: min.to_owned(),
        }
    }
}

/// Client rules: minimum SDK and OS versions, legacy devices, poor-network regions.
///
/// Part of a [`Profile`] and checked with it ([`Profile::validate`], run by [`crate::diagnose`]
/// and when a profile is deserialized), so its fields stay public, as the profile's. New kinds
/// of rule may come, so it is `#[non_exhaustive]`: start from [`ClientPolicy::default`] (the
/// built-in rules) or [`ClientPolicy::none`] and add rows with the `with_*` methods.
///
/// ```
/// use mediameter_diagnostics::{ClientPolicy, Profile};
/// let p = ClientPolicy::default();
/// assert!(p.min_sdk.iter().any(|m| m.platform == "*"));
///
/// let mut profile = Profile::default();
/// profile.clients = ClientPolicy::default()
///     .with_min_sdk("android", "3.0")
///     .with_poor_region("ap-southeast-5");
/// assert!(profile.validate().is_ok());
/// profile.clients = ClientPolicy::none().with_min_os("ios", "latest");
/// assert!(profile.validate().is_err()); // "latest" is not a version
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// let p = mediameter_diagnostics::ClientPolicy { min_sdk: vec![], min_os: vec![],
///     legacy_devices: vec![], poor_regions: vec![] };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct ClientPolicy {
    /// Minimum RTC SDK version per platform; the most specific matching row applies.
    pub min_sdk: Vec<MinVersion>,
    /// Minimum OS version per platform.
    pub min_os: Vec<MinVersion>,
    /// Device models known to be too weak (case-insensitive substrings of the model).
    pub legacy_devices: Vec<String>,
    /// Regions known for poor networks (exact region ids, case-insensitive).
    pub poor_regions: Vec<String>,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        ClientPolicy {
            min_sdk: vec![MinVersion::new("*", "2.0.0")],
            min_os: vec![
                MinVersion::new("ios", "12.0"),
                MinVersion::new("android", "7.0"),
                MinVersion::new("windows", "10"),
                MinVersion::new("macos", "10.13"),
            ],
            legacy_devices: vec!["iPhone 6".to_owned(), "iPhone 5".to_owned()],
            poor_regions: Vec::new(),
        }
    }
}

impl ClientPolicy {
    /// No rule at all: no minimum version, no legacy device, no poor region.
    ///
    /// ```
    /// let p = mediameter_diagnostics::ClientPolicy::none();
    /// assert!(p.min_sdk.is_empty() && p.min_os.is_empty());
    /// assert!(p.legacy_devices.is_empty() && p.poor_regions.is_empty());
    /// ```
    #[must_use]
    pub fn none() -> Self {
        ClientPolicy {
            min_sdk: Vec::new(),
            min_os: Vec::new(),
            legacy_devices: Vec::new(),
            poor_regions: Vec::new(),
        }
    }

    /// The same policy with one more minimum SDK version row (`platform` as in
    /// [`MinVersion`]; the most specific matching row applies).
    #[must_use]
    pub fn with_min_sdk(mut self, platform: &str, min: &str) -> Self {
        self.min_sdk.push(MinVersion::new(platform, min));
        self
    }

    /// The same policy with one more minimum OS version row.
    #[must_use]
    pub fn with_min_os(mut self, platform: &str, min: &str) -> Self {
        self.min_os.push(MinVersion::new(platform, min));
        self
    }

    /// The same policy with one more legacy device (a case-insensitive substring of the model).
    #[must_use]
    pub fn with_legacy_device(mut self, model: &str) -> Self {
        self.legacy_devices.push(model.to_owned());
        self
    }

    /// The same policy with one more poor-network region (an exact region id, any case).
    #[must_use]
    pub fn with_poor_region(mut self, region: &str) -> Self {
        self.poor_regions.push(region.to_owned());
        self
    }
}

/// The smallest video bitrate (kbps) each tier needs before the picture turns visibly blocky.
///
/// One field per [`VideoTier`], which core keeps exhaustive on purpose; so is this table (a new
/// tier must be given a floor), and its fields are public: set the ones to change.
///
/// ```
/// use mediameter_core::VideoTier;
/// use mediameter_diagnostics::TierBitrates;
/// assert_eq!(TierBitrates::default().get(VideoTier::P720), 500.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct TierBitrates {
    /// ≤360P.
    #[cfg_attr(feature = "serde", serde(rename = "360p"))]
    pub p360: f64,
    /// ≤720P.
    #[cfg_attr(feature = "serde", serde(rename = "720p"))]
    pub p720: f64,
    /// ≤1080P.
    #[cfg_attr(feature = "serde", serde(rename = "1080p"))]
    pub p1080: f64,
    /// ≤2K.
    #[cfg_attr(feature = "serde", serde(rename = "2k"))]
    pub k2: f64,
    /// ≤4K.
    #[cfg_attr(feature = "serde", serde(rename = "4k"))]
    pub k4: f64,
}

impl Default for TierBitrates {
    fn default() -> Self {
        TierBitrates {
            p360: 200.0,
            p720: 500.0,
            p1080: 1000.0,
            k2: 1800.0,
            k4: 3500.0,
        }
    }
}

impl TierBitrates {
    /// The floor for a tier.
    ///
    /// ```
    /// use mediameter_core::VideoTier;
    /// assert_eq!(mediameter_diagnostics::TierBitrates::default().get(VideoTier::K4), 3500.0);
    /// ```
    #[must_use]
    pub const fn get(&self, tier: VideoTier) -> f64 {
        match tier {
            VideoTier::P360 => self.p360,
            VideoTier::P720 => self.p720,
            VideoTier::P1080 => self.p1080,
            VideoTier::K2 => self.k2,
            VideoTier::K4 => self.k4,
        }
    }
}

/// Every threshold and window the detectors use. Durations are in milliseconds.
///
/// Three built-in profiles exist ([`Profile::sensitive`], [`Profile::default`],
/// [`Profile::tolerant`]); a user-defined profile is any JSON object with the fields to change
/// (missing fields take the default profile's values; an unknown field is an error, so a typo
/// cannot silently leave a default in place). See `docs/diagnostics.md` for what each threshold
/// does and where it comes from.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_diagnostics::Profile;
/// let p: Profile = serde_json::from_str(r#"{"name": "strict-loss", "loss_high_pct": 2.0, "loss_high_exit_pct": 1.5}"#)?;
/// assert_eq!(p.loss_high_pct, 2.0);
/// assert_eq!(p.rtt_high_ms, Profile::default().rtt_high_ms);
/// assert!(serde_json::from_str::<Profile>(r#"{"loss_hihg_pct": 2.0}"#).is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// New detectors bring new thresholds, so the profile is `#[non_exhaustive]`: start from a
/// built-in one ([`Profile::default`], [`Profile::named`]...) and set the fields to change;
/// a literal does not compile outside the crate. The fields stay public because a profile
/// is checked where it is used: [`crate::diagnose`] runs [`Profile::validate`] first, and
/// deserializing runs it too, so a JSON profile with an exit threshold above its entry
/// threshold is refused when read.
///
/// ```
/// use mediameter_diagnostics::Profile;
/// let mut p = Profile::default();
/// p.loss_high_pct = 2.0;
/// p.loss_high_exit_pct = 1.0;
/// assert!(p.validate().is_ok());
/// # #[cfg(feature = "serde")]
/// assert!(serde_json::from_str::<Profile>(r#"{"loss_high_exit_pct": 9.0}"#).is_err());
/// ```
///
/// ```compile_fail,E0639
/// let p = mediameter_diagnostics::Profile { loss_high_pct: 2.0, ..Default::default() };
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
// The derives write inherent `Profile::serialize`/`deserialize`; the trait impls below call
// them, deserializing through `validate`.
#[cfg_attr(feature = "serde", serde(remote = "Self"))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct Profile {
    /// The profile's name, echoed in the output.
    pub name: String,
    /// A longer silence between two samples than this is a gap: nothing is assumed inside it.
    pub gap_ms: i64,
    /// Width of the blocks used for MOS windows, trend detection and pub/sub comparison.
    pub block_ms: i64,
    /// Sustained loss at or above this (%) opens a high-loss episode.
    pub loss_high_pct: f64,
    /// A high-loss episode closes when loss falls below this (hysteresis).
    pub loss_high_exit_pct: f64,
    /// A high-loss episode whose mean reaches this is critical.
    pub loss_critical_pct: f64,
    /// RTT at or above this (ms) opens a high-RTT episode.
    pub rtt_high_ms: f64,
    /// A high-RTT episode closes when RTT falls below this.
    pub rtt_high_exit_ms: f64,
    /// A high-RTT episode whose mean reaches this is critical.
    pub rtt_critical_ms: f64,
    /// Minimum length of a sustained (high loss, high RTT) episode.
    pub sustained_min_ms: i64,
    /// Robust z-score (|x − median| / (1.4826·MAD)) from which a sample is a swing.
    pub swing_z: f64,
    /// Robust z-score from which a swing is an extreme surge (with the absolute floors below).
    pub surge_z: f64,
    /// A loss swing must also rise this many percentage points above the median.
    pub loss_swing_min_pp: f64,
    /// An RTT swing must also rise this many ms above the median.
    pub rtt_swing_min_ms: f64,
    /// A loss surge must also reach this loss (%).
    pub loss_surge_min_pct: f64,
    /// An RTT surge must also reach this RTT (ms).
    pub rtt_surge_min_ms: f64,
    /// A bitrate or resolution downgrade this soon after a swing is expected adaptation.
    pub adaptation_window_ms: i64,
    /// A block-to-block bitrate fall of at least this fraction is a downgrade.
    pub downgrade_ratio: f64,
    /// Length of the RTT baseline at the start of each participant's series (CUSUM reference).
    pub trend_baseline_ms: i64,
    /// Smallest RTT level shift worth reporting (ms); the CUSUM uses max(this, 4·σ).
    pub rtt_shift_min_ms: f64,
    /// CUSUM decision interval h, in multiples of the shift size.
    pub cusum_h: f64,
    /// Minimum length of an RTT level shift or drift.
    pub trend_min_ms: i64,
    /// Subscriber audio/video bitrate below this fraction of the publisher's is a disagreement.
    pub disagreement_ratio: f64,
    /// Subscriber fps below this fraction of the publisher's is a disagreement.
    pub fps_disagreement_ratio: f64,
    /// Minimum length of an unexplained pub/sub disagreement.
    pub disagreement_min_ms: i64,
    /// Video bitrate floors per tier; below `low_bitrate_ratio` × floor is "far below".
    pub tier_min_kbps: TierBitrates,
    /// Fraction of the tier floor under which video bitrate is far below need.
    pub low_bitrate_ratio: f64,
    /// Minimum length of a low-video-bitrate episode.
    pub low_bitrate_min_ms: i64,
    /// Frame rate below this fraction of the participant's median is a collapse.
    pub fps_collapse_ratio: f64,
    /// A collapse closes when fps is back above this fraction of the median.
    pub fps_collapse_exit_ratio: f64,
    /// Minimum length of a frame-rate collapse.
    pub fps_collapse_min_ms: i64,
    /// Minimum length of a freeze (fps below 1 while video is on).
    pub freeze_min_ms: i64,
    /// Jitter-buffer estimate: at least this many ms.
    pub jitter_buffer_min_ms: f64,
    /// Jitter-buffer estimate: this multiple of the measured jitter, when larger.
    pub jitter_buffer_factor: f64,
    /// Client rules.
    pub clients: ClientPolicy,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Profile {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        Profile::serialize(self, serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> core::result::Result<Self, D::Error> {
        let profile = Profile::deserialize(deserializer)?;
        profile.validate().map_err(serde::de::Error::custom)?;
        Ok(profile)
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            name: "default".to_owned(),
            gap_ms: 5_000,
            block_ms: 10_000,
            loss_high_pct: 5.0,
            loss_high_exit_pct: 3.0,
            loss_critical_pct: 15.0,
            rtt_high_ms: 300.0,
            rtt_high_exit_ms: 250.0,
            rtt_critical_ms: 600.0,
            sustained_min_ms: 10_000,
            swing_z: 3.5,
            surge_z: 8.0,
            loss_swing_min_pp: 2.0,
            rtt_swing_min_ms: 40.0,
            loss_surge_min_pct: 20.0,
            rtt_surge_min_ms: 500.0,
            adaptation_window_ms: 10_000,
            downgrade_ratio: 0.3,
            trend_baseline_ms: 60_000,
            rtt_shift_min_ms: 40.0,
            cusum_h: 4.0,
            trend_min_ms: 30_000,
            disagreement_ratio: 0.7,
            fps_disagreement_ratio: 0.6,
            disagreement_min_ms: 30_000,
            tier_min_kbps: TierBitrates::default(),
            low_bitrate_ratio: 0.5,
            low_bitrate_min_ms: 20_000,
            fps_collapse_ratio: 0.5,
            fps_collapse_exit_ratio: 0.7,
            fps_collapse_min_ms: 5_000,
            freeze_min_ms: 2_000,
            jitter_buffer_min_ms: 20.0,
            jitter_buffer_factor: 2.0,
            clients: ClientPolicy::default(),
        }
    }
}

impl Profile {
    /// Lower thresholds and shorter minimum durations: reports more, earlier.
    ///
    /// ```
    /// use mediameter_diagnostics::Profile;
    /// assert!(Profile::sensitive().loss_high_pct < Profile::default().loss_high_pct);
    /// ```
    #[must_use]
    pub fn sensitive() -> Self {
        Profile {
            name: "sensitive".to_owned(),
            loss_high_pct: 3.0,
            loss_high_exit_pct: 2.0,
            loss_critical_pct: 10.0,
            rtt_high_ms: 200.0,
            rtt_high_exit_ms: 160.0,
            rtt_critical_ms: 400.0,
            sustained_min_ms: 5_000,
            swing_z: 3.0,
            surge_z: 6.0,
            loss_swing_min_pp: 1.0,
            rtt_swing_min_ms: 25.0,
            loss_surge_min_pct: 10.0,
            rtt_surge_min_ms: 350.0,
            rtt_shift_min_ms: 25.0,
            trend_min_ms: 20_000,
            disagreement_ratio: 0.8,
            fps_disagreement_ratio: 0.7,
            disagreement_min_ms: 20_000,
            low_bitrate_ratio: 0.7,
            low_bitrate_min_ms: 10_000,
            fps_collapse_ratio: 0.6,
            fps_collapse_exit_ratio: 0.75,
            fps_collapse_min_ms: 3_000,
            freeze_min_ms: 1_000,
            ..Profile::default()
        }
    }

    /// Higher thresholds and longer minimum durations: reports only clear problems.
    ///
    /// ```
    /// use mediameter_diagnostics::Profile;
    /// assert!(Profile::tolerant().rtt_high_ms > Profile::default().rtt_high_ms);
    /// ```
    #[must_use]
    pub fn tolerant() -> Self {
        Profile {
            name: "tolerant".to_owned(),
            loss_high_pct: 10.0,
            loss_high_exit_pct: 7.0,
            loss_critical_pct: 25.0,
            rtt_high_ms: 450.0,
            rtt_high_exit_ms: 380.0,
            rtt_critical_ms: 800.0,
            sustained_min_ms: 20_000,
            swing_z: 4.5,
            surge_z: 10.0,
            loss_swing_min_pp: 4.0,
            rtt_swing_min_ms: 80.0,
            loss_surge_min_pct: 30.0,
            rtt_surge_min_ms: 700.0,
            rtt_shift_min_ms: 80.0,
            trend_min_ms: 60_000,
            disagreement_ratio: 0.5,
            fps_disagreement_ratio: 0.4,
            disagreement_min_ms: 60_000,
            low_bitrate_ratio: 0.35,
            low_bitrate_min_ms: 40_000,
            fps_collapse_ratio: 0.35,
            fps_collapse_exit_ratio: 0.5,
            fps_collapse_min_ms: 10_000,
            freeze_min_ms: 4_000,
            ..Profile::default()
        }
    }

    /// A built-in profile by name: `sensitive`, `default` or `tolerant`.
    ///
    /// ```
    /// use mediameter_diagnostics::Profile;
    /// assert_eq!(Profile::named("tolerant").map(|p| p.name), Some("tolerant".to_owned()));
    /// assert!(Profile::named("lax").is_none());
    /// ```
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "sensitive" => Some(Profile::sensitive()),
            "default" => Some(Profile::default()),
            "tolerant" => Some(Profile::tolerant()),
            _ => None,
        }
    }

    /// Checks every threshold: finite, in range, exit thresholds below entry thresholds,
    /// durations positive and at most one hour.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] naming the first bad field, located at the profile
    /// (`profile default: invalid swing_z "9": expected ...`).
    ///
    /// ```
    /// use mediameter_diagnostics::Profile;
    /// assert!(Profile::default().validate().is_ok());
    /// let mut bad = Profile::default();
    /// bad.loss_high_exit_pct = 9.0;
    /// assert!(bad.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let name = self.name.as_str();
        let pct = |field: &'static str, v: f64| -> Result<()> {
            if v.is_finite() && (0.0..=100.0).contains(&v) {
                Ok(())
            } else {
                Err(invalid_at(name, field, v, "a percentage from 0 to 100"))
            }
        };
        let pos = |field: &'static str, v: f64| -> Result<()> {
            if v.is_finite() && v > 0.0 && v <= 1.0e6 {
                Ok(())
            } else {
                Err(invalid_at(
                    name,
                    field,
                    v,
                    "a finite number above 0 and at most 1000000",
                ))
            }
        };
        let nonneg = |field: &'static str, v: f64| -> Result<()> {
            if v.is_finite() && (0.0..=1.0e6).contains(&v) {
                Ok(())
            } else {
                Err(invalid_at(
                    name,
                    field,
                    v,
                    "a finite number from 0 to 1000000",
                ))
            }
        };
        let frac = |field: &'static str, v: f64| -> Result<()> {
            if v.is_finite() && v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(invalid_at(
                    name,
                    field,
                    v,
                    "a fraction strictly between 0 and 1",
                ))
            }
        };
        let dur = |field: &'static str, v: i64| -> Result<()> {
            if (1..=3_600_000).contains(&v) {
                Ok(())
            } else {
                Err(invalid_at(
                    name,
                    field,
                    v,
                    "a duration from 1 to 3600000 ms",
                ))
            }
        };
        let below = |field: &'static str, exit: f64, entry: f64| -> Result<()> {
            if exit <= entry {
                Ok(())
            } else {
                Err(invalid_at(
                    name,
                    field,
                    exit,
                    format!("at most the entry threshold {entry}"),
                ))
            }
        };
        pct("loss_high_pct", self.loss_high_pct)?;
        pct("loss_high_exit_pct", self.loss_high_exit_pct)?;
        below(
            "loss_high_exit_pct",
            self.loss_high_exit_pct,
            self.loss_high_pct,
        )?;
        pct("loss_critical_pct", self.loss_critical_pct)?;
        pct("loss_swing_min_pp", self.loss_swing_min_pp)?;
        pct("loss_surge_min_pct", self.loss_surge_min_pct)?;
        pos("rtt_high_ms", self.rtt_high_ms)?;
        pos("rtt_high_exit_ms", self.rtt_high_exit_ms)?;
        below("rtt_high_exit_ms", self.rtt_high_exit_ms, self.rtt_high_ms)?;
        pos("rtt_critical_ms", self.rtt_critical_ms)?;
        pos("rtt_swing_min_ms", self.rtt_swing_min_ms)?;
        pos("rtt_surge_min_ms", self.rtt_surge_min_ms)?;
        pos("swing_z", self.swing_z)?;
        pos("surge_z", self.surge_z)?;
        below("swing_z", self.swing_z, self.surge_z)?;
        frac("downgrade_ratio", self.downgrade_ratio)?;
        pos("rtt_shift_min_ms", self.rtt_shift_min_ms)?;
        pos("cusum_h", self.cusum_h)?;
        frac("disagreement_ratio", self.disagreement_ratio)?;
        frac("fps_disagreement_ratio", self.fps_disagreement_ratio)?;
        frac("low_bitrate_ratio", self.low_bitrate_ratio)?;
        frac("fps_collapse_ratio", self.fps_collapse_ratio)?;
        frac("fps_collapse_exit_ratio", self.fps_collapse_exit_ratio)?;
        below(
            "fps_collapse_ratio",
            self.fps_collapse_ratio,
            self.fps_collapse_exit_ratio,
        )?;
        nonneg("jitter_buffer_min_ms", self.jitter_buffer_min_ms)?;
        nonneg("jitter_buffer_factor", self.jitter_buffer_factor)?;
        for (field, v) in [
            ("tier_min_kbps.360p", self.tier_min_kbps.p360),
            ("tier_min_kbps.720p", self.tier_min_kbps.p720),
            ("tier_min_kbps.1080p", self.tier_min_kbps.p1080),
            ("tier_min_kbps.2k", self.tier_min_kbps.k2),
            ("tier_min_kbps.4k", self.tier_min_kbps.k4),
        ] {
            pos(field, v)?;
        }
        dur("gap_ms", self.gap_ms)?;
        dur("block_ms", self.block_ms)?;
        if self.block_ms < 1_000 {
            return Err(invalid_at(
                name,
                "block_ms",
                self.block_ms,
                "at least 1000 ms",
            ));
        }
        dur("sustained_min_ms", self.sustained_min_ms)?;
        dur("adaptation_window_ms", self.adaptation_window_ms)?;
        dur("trend_baseline_ms", self.trend_baseline_ms)?;
        dur("trend_min_ms", self.trend_min_ms)?;
        dur("disagreement_min_ms", self.disagreement_min_ms)?;
        dur("low_bitrate_min_ms", self.low_bitrate_min_ms)?;
        dur("fps_collapse_min_ms", self.fps_collapse_min_ms)?;
        dur("freeze_min_ms", self.freeze_min_ms)?;
        for m in self.clients.min_sdk.iter().chain(&self.clients.min_os) {
            if m.min.parse::<crate::Version>().is_err() {
                return Err(invalid_at(
                    name,
                    "clients.min_version",
                    &m.min,
                    "a dotted version such as 6.8.2",
                ));
            }
        }
        Ok(())
    }
}

/// A profile's field refused: [`Error::Invalid`] located at `profile {name}` (the name cut
/// to the echo limit).
fn invalid_at(
    name: &str,
    field: &'static str,
    value: impl std::fmt::Display,
    expected: impl std::fmt::Display,
) -> Error {
    Error::invalid(field, &value.to_string(), expected).at(format!(
        "profile {}",
        mediameter_core::error::truncate(name)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_profiles_are_valid() {
        for p in [
            Profile::sensitive(),
            Profile::default(),
            Profile::tolerant(),
        ] {
            p.validate().unwrap();
        }
    }

    #[test]
    fn rejects_non_finite_and_bad_durations() {
        assert!(
            Profile {
                rtt_high_ms: f64::INFINITY,
                ..Profile::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            Profile {
                gap_ms: 0,
                ..Profile::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            Profile {
                block_ms: 500,
                ..Profile::default()
            }
            .validate()
            .is_err()
        );
        let mut p = Profile::default();
        p.clients.min_sdk.push(MinVersion::new("ios", "latest"));
        assert!(p.validate().is_err());
    }
}
