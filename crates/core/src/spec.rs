//! Media specs: audio and video resolution tiers (RTC), and live transcoding tiers.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A video resolution tier. Each tier covers resolutions up to its nominal pixel count
/// ("≤720P" in the consoles).
///
/// The tier of a resolution is decided by its pixel count (width × height), so portrait and
/// landscape of the same size land in the same tier, and odd sizes fall in the smallest tier
/// whose nominal area holds them: 640×360 = 230,400 px is 360P, 960×540 is 720P.
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): the tiers are the price bands of the
/// vendors' price lists, and every price table and `match` keyed by them must decide what a
/// new band costs, so adding one is meant to break the build rather than fall into a `_` arm.
///
/// ```
/// use mediameter_core::VideoTier;
/// assert_eq!(VideoTier::from_resolution(1280, 720)?, VideoTier::P720);
/// assert_eq!(VideoTier::from_resolution(720, 1280)?, VideoTier::P720);
/// assert_eq!(VideoTier::from_resolution(960, 540)?, VideoTier::P720);
/// assert_eq!(VideoTier::from_resolution(3840, 2160)?, VideoTier::K4);
/// assert!(VideoTier::from_resolution(7680, 4320).is_err());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VideoTier {
    /// Up to 640×360.
    P360,
    /// Up to 1280×720.
    P720,
    /// Up to 1920×1080.
    P1080,
    /// Up to 2560×1440.
    K2,
    /// Up to 3840×2160.
    K4,
}

impl VideoTier {
    /// Every tier, smallest first.
    ///
    /// ```
    /// use mediameter_core::VideoTier;
    /// assert!(VideoTier::ALL.windows(2).all(|w| w[0].max_pixels() < w[1].max_pixels()));
    /// ```
    pub const ALL: [VideoTier; 5] = [
        VideoTier::P360,
        VideoTier::P720,
        VideoTier::P1080,
        VideoTier::K2,
        VideoTier::K4,
    ];

    /// The largest pixel count the tier covers.
    ///
    /// ```
    /// assert_eq!(mediameter_core::VideoTier::P1080.max_pixels(), 1920 * 1080);
    /// ```
    #[must_use]
    pub const fn max_pixels(self) -> u64 {
        match self {
            VideoTier::P360 => 640 * 360,
            VideoTier::P720 => 1280 * 720,
            VideoTier::P1080 => 1920 * 1080,
            VideoTier::K2 => 2560 * 1440,
            VideoTier::K4 => 3840 * 2160,
        }
    }

    /// The tier of a `width × height` resolution.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for a zero dimension or more pixels than 4K.
    ///
    /// ```
    /// use mediameter_core::VideoTier;
    /// assert_eq!(VideoTier::from_resolution(320, 180)?, VideoTier::P360);
    /// assert!(VideoTier::from_resolution(0, 180).is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn from_resolution(width: u32, height: u32) -> Result<Self> {
        let pixels = u64::from(width).saturating_mul(u64::from(height));
        if pixels == 0 {
            return Err(Error::out_of_range(
                "resolution",
                format!("{width}x{height}"),
                "positive width and height",
            ));
        }
        VideoTier::ALL
            .into_iter()
            .find(|t| pixels <= t.max_pixels())
            .ok_or_else(|| {
                Error::out_of_range(
                    "resolution",
                    format!("{width}x{height}"),
                    "at most 3840x2160 pixels (4K)",
                )
            })
    }

    /// The canonical spelling (`360p`, `720p`, `1080p`, `2k`, `4k`).
    ///
    /// ```
    /// assert_eq!(mediameter_core::VideoTier::K2.as_str(), "2k");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            VideoTier::P360 => "360p",
            VideoTier::P720 => "720p",
            VideoTier::P1080 => "1080p",
            VideoTier::K2 => "2k",
            VideoTier::K4 => "4k",
        }
    }

    /// The console label (`≤360P`).
    ///
    /// ```
    /// assert_eq!(mediameter_core::VideoTier::P720.vendor_label(), "≤720P");
    /// ```
    #[must_use]
    pub const fn vendor_label(self) -> &'static str {
        match self {
            VideoTier::P360 => "≤360P",
            VideoTier::P720 => "≤720P",
            VideoTier::P1080 => "≤1080P",
            VideoTier::K2 => "≤2K",
            VideoTier::K4 => "≤4K",
        }
    }
}

/// What a stream carries, for billing: audio only, or video of a tier. Each stream is billed
/// by the spec it is published at (Alibaba Cloud RTC console guide, §2 "Query resource usage").
///
/// Parsing accepts the canonical spelling and the vendor spellings, ignoring case and a
/// leading `≤` or `<=`: `audio`, `360p`, `≤360P`, `<=720p`, `1080P`, `2K`, `1440p`, `4k`, `2160p`.
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): the tiers are the price bands of the
/// vendors' price lists, and every price table and `match` keyed by them must decide what a
/// new band costs, so adding one is meant to break the build rather than fall into a `_` arm.
///
/// ```
/// use mediameter_core::{MediaSpec, VideoTier};
/// assert_eq!("≤720P".parse::<MediaSpec>()?, MediaSpec::Video(VideoTier::P720));
/// assert_eq!("Audio".parse::<MediaSpec>()?, MediaSpec::Audio);
/// assert_eq!(MediaSpec::Video(VideoTier::P1080).to_string(), "1080p");
/// assert!("8k".parse::<MediaSpec>().is_err());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MediaSpec {
    /// Audio only.
    Audio,
    /// Video of a resolution tier.
    Video(VideoTier),
}

impl MediaSpec {
    /// Every spec: audio, then video tiers smallest first.
    ///
    /// ```
    /// assert_eq!(mediameter_core::MediaSpec::ALL[0], mediameter_core::MediaSpec::Audio);
    /// ```
    pub const ALL: [MediaSpec; 6] = [
        MediaSpec::Audio,
        MediaSpec::Video(VideoTier::P360),
        MediaSpec::Video(VideoTier::P720),
        MediaSpec::Video(VideoTier::P1080),
        MediaSpec::Video(VideoTier::K2),
        MediaSpec::Video(VideoTier::K4),
    ];

    /// The canonical spelling.
    ///
    /// ```
    /// assert_eq!(mediameter_core::MediaSpec::Audio.as_str(), "audio");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MediaSpec::Audio => "audio",
            MediaSpec::Video(t) => t.as_str(),
        }
    }

    /// A dense index 0..6 in [`MediaSpec::ALL`] order, for array-backed per-spec tables.
    ///
    /// ```
    /// use mediameter_core::MediaSpec;
    /// for (i, s) in MediaSpec::ALL.iter().enumerate() { assert_eq!(s.index(), i); }
    /// ```
    #[must_use]
    pub const fn index(self) -> usize {
        match self {
            MediaSpec::Audio => 0,
            MediaSpec::Video(VideoTier::P360) => 1,
            MediaSpec::Video(VideoTier::P720) => 2,
            MediaSpec::Video(VideoTier::P1080) => 3,
            MediaSpec::Video(VideoTier::K2) => 4,
            MediaSpec::Video(VideoTier::K4) => 5,
        }
    }
}

impl fmt::Display for VideoTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for MediaSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MediaSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        const EXPECTED: &str =
            "audio, 360p, 720p, 1080p, 2k or 4k (vendor spellings such as ≤720P accepted)";
        if s.len() > 16 {
            return Err(Error::invalid("media spec", s, EXPECTED));
        }
        let t = s
            .strip_prefix('≤')
            .or_else(|| s.strip_prefix("<="))
            .unwrap_or(s)
            .to_ascii_lowercase();
        Ok(match t.as_str() {
            "audio" => MediaSpec::Audio,
            "360p" => MediaSpec::Video(VideoTier::P360),
            "720p" => MediaSpec::Video(VideoTier::P720),
            "1080p" => MediaSpec::Video(VideoTier::P1080),
            "2k" | "1440p" => MediaSpec::Video(VideoTier::K2),
            "4k" | "2160p" => MediaSpec::Video(VideoTier::K4),
            _ => return Err(Error::invalid("media spec", s, EXPECTED)),
        })
    }
}

impl FromStr for VideoTier {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.parse::<MediaSpec>() {
            Ok(MediaSpec::Video(t)) => Ok(t),
            _ => Err(Error::invalid(
                "video tier",
                s,
                "360p, 720p, 1080p, 2k or 4k",
            )),
        }
    }
}

/// Live-streaming output and transcoding tiers of `DescribeLiveProducerUsageData` (Alibaba Cloud
/// Live API reference).
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): the tiers are the price bands of the
/// vendors' price lists, and every price table and `match` keyed by them must decide what a
/// new band costs, so adding one is meant to break the build rather than fall into a `_` arm.
///
/// ```
/// use mediameter_core::LiveTier;
/// assert_eq!("hd".parse::<LiveTier>()?, LiveTier::Hd);
/// assert_eq!(LiveTier::Sd.to_string(), "SD");
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LiveTier {
    /// Low definition.
    Ld,
    /// Standard definition.
    Sd,
    /// High definition.
    Hd,
}

impl LiveTier {
    /// Every tier.
    ///
    /// ```
    /// assert_eq!(mediameter_core::LiveTier::ALL.map(|t| t.as_str()), ["LD", "SD", "HD"]);
    /// ```
    pub const ALL: [LiveTier; 3] = [LiveTier::Ld, LiveTier::Sd, LiveTier::Hd];

    /// The vendor spelling (`LD`, `SD`, `HD`).
    ///
    /// ```
    /// assert_eq!(mediameter_core::LiveTier::Ld.as_str(), "LD");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LiveTier::Ld => "LD",
            LiveTier::Sd => "SD",
            LiveTier::Hd => "HD",
        }
    }
}

impl fmt::Display for LiveTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LiveTier {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "LD" | "ld" | "Ld" => Ok(LiveTier::Ld),
            "SD" | "sd" | "Sd" => Ok(LiveTier::Sd),
            "HD" | "hd" | "Hd" => Ok(LiveTier::Hd),
            _ => Err(Error::invalid("live tier", s, "LD, SD or HD")),
        }
    }
}

macro_rules! serde_via_str {
    ($($t:ty),*) => {$(
        #[cfg(feature = "serde")]
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}

serde_via_str!(MediaSpec, VideoTier, LiveTier);
pub(crate) use serde_via_str;
