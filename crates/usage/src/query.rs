//! What to aggregate: bucket grid, split-by dimensions, filters, range and metrics.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use mediameter_core::{
    BillingZone, Buckets, Granularity, MediaSpec, Role, StreamSegment, TimeRange,
};

use crate::error::{Error, Result};
use crate::hll::Hll;

/// A dimension a usage query can split by or filter on.
///
/// Parsing accepts the lowercase names (`app`, `region`, `domain`, `instance`, `type`, `spec`,
/// `role`) and the vendor spellings `DomainName`, `Type`, `product_type`.
///
/// ```
/// use mediameter_usage::Dimension;
/// assert_eq!("region".parse::<Dimension>()?, Dimension::Region);
/// assert_eq!("DomainName".parse::<Dimension>()?, Dimension::Domain);
/// assert_eq!(Dimension::ProductType.to_string(), "type");
/// assert!("colour".parse::<Dimension>().is_err());
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Dimension {
    /// The app id.
    App,
    /// The service region.
    Region,
    /// The domain.
    Domain,
    /// The product instance.
    Instance,
    /// The product type (`Type` of `DescribeLiveProducerUsageData`).
    ProductType,
    /// The media spec.
    Spec,
    /// Publish or subscribe.
    Role,
}

impl Dimension {
    /// Every dimension, in a fixed order (also the index order of [`Dimension::index`]).
    pub const ALL: [Dimension; 7] = [
        Dimension::App,
        Dimension::Region,
        Dimension::Domain,
        Dimension::Instance,
        Dimension::ProductType,
        Dimension::Spec,
        Dimension::Role,
    ];

    /// The canonical name.
    ///
    /// ```
    /// assert_eq!(mediameter_usage::Dimension::Spec.as_str(), "spec");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::App => "app",
            Dimension::Region => "region",
            Dimension::Domain => "domain",
            Dimension::Instance => "instance",
            Dimension::ProductType => "type",
            Dimension::Spec => "spec",
            Dimension::Role => "role",
        }
    }

    /// A dense index 0..7 in [`Dimension::ALL`] order.
    ///
    /// ```
    /// use mediameter_usage::Dimension;
    /// for (i, d) in Dimension::ALL.iter().enumerate() { assert_eq!(d.index(), i); }
    /// ```
    #[must_use]
    pub const fn index(self) -> usize {
        match self {
            Dimension::App => 0,
            Dimension::Region => 1,
            Dimension::Domain => 2,
            Dimension::Instance => 3,
            Dimension::ProductType => 4,
            Dimension::Spec => 5,
            Dimension::Role => 6,
        }
    }

    /// The value of this dimension on a segment (`None` when an optional dimension is unset).
    ///
    /// ```
    /// # use mediameter_core::*;
    /// use mediameter_usage::Dimension;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// assert_eq!(Dimension::Role.value_of(&s), Some("sub"));
    /// assert_eq!(Dimension::Region.value_of(&s), None);
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn value_of(self, seg: &StreamSegment) -> Option<&str> {
        match self {
            Dimension::App => Some(seg.app.as_str()),
            Dimension::Region => seg.region.as_ref().map(|v| v.as_str()),
            Dimension::Domain => seg.domain.as_ref().map(|v| v.as_str()),
            Dimension::Instance => seg.instance.as_ref().map(|v| v.as_str()),
            Dimension::ProductType => seg.product_type.as_ref().map(|v| v.as_str()),
            Dimension::Spec => Some(seg.spec.as_str()),
            Dimension::Role => Some(seg.role.as_str()),
        }
    }

    /// Parses a comma-separated list of dimensions (`SplitBy` of `DescribeLiveProducerUsageData`),
    /// dropping repeats.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] naming the first unknown dimension.
    ///
    /// ```
    /// use mediameter_usage::Dimension;
    /// assert_eq!(Dimension::parse_list("region, spec,region")?, vec![Dimension::Region, Dimension::Spec]);
    /// assert!(Dimension::parse_list("")?.is_empty());
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn parse_list(s: &str) -> Result<Vec<Dimension>> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let d: Dimension = part.parse()?;
            if !out.contains(&d) {
                out.push(d);
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dimension {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "app" | "App" | "AppId" => Dimension::App,
            "region" | "Region" => Dimension::Region,
            "domain" | "Domain" | "DomainName" => Dimension::Domain,
            "instance" | "Instance" => Dimension::Instance,
            "type" | "Type" | "product_type" => Dimension::ProductType,
            "spec" | "Spec" => Dimension::Spec,
            "role" | "Role" => Dimension::Role,
            _ => {
                return Err(Error::invalid(
                    "dimension",
                    s,
                    "app, region, domain, instance, type, spec or role",
                ));
            }
        })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Dimension {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Dimension {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How distinct users and channels are counted. Prints and parses as `exact` or
/// `approximate:<precision>` (`approximate` alone is precision 12).
///
/// ```
/// use mediameter_usage::DistinctMode;
/// assert_eq!(DistinctMode::default(), DistinctMode::Exact);
/// assert!(DistinctMode::approximate(12).is_ok());
/// assert!(DistinctMode::approximate(20).is_err());
/// assert_eq!(DistinctMode::approximate(14)?.to_string(), "approximate:14");
/// assert_eq!("approximate".parse::<DistinctMode>()?, DistinctMode::approximate(12)?);
/// assert!("approximate:20".parse::<DistinctMode>().is_err());
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum DistinctMode {
    /// Exact sets of ids (the default): memory grows with the distinct ids of each bucket.
    #[default]
    Exact,
    /// HyperLogLog sketches of `2^precision` one-byte registers, the ids hashed with
    /// [`stable_id_hash`](crate::stable_id_hash). The relative standard error is
    /// `1.04 / √(2^precision)`: 1.63 % at the default precision 12 (4 KiB per sketch),
    /// 0.81 % at 14; smaller still for counts under 2.5 × 2^precision, where the sketch
    /// counts linearly (`docs/usage.md`, "HyperLogLog").
    Approximate {
        /// Precision, 4 to 16.
        precision: u8,
    },
}

impl DistinctMode {
    /// The approximate mode at `precision`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] unless `4 <= precision <= 16`.
    ///
    /// ```
    /// assert!(mediameter_usage::DistinctMode::approximate(4).is_ok());
    /// ```
    pub fn approximate(precision: u8) -> Result<Self> {
        Hll::new(precision)?;
        Ok(DistinctMode::Approximate { precision })
    }
}

impl fmt::Display for DistinctMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DistinctMode::Exact => f.write_str("exact"),
            DistinctMode::Approximate { precision } => write!(f, "approximate:{precision}"),
        }
    }
}

impl FromStr for DistinctMode {
    type Err = Error;
    /// `exact`, `approximate` (precision 12) or
    /// `approximate:<precision>` with a precision from 4 to 16.
    fn from_str(s: &str) -> Result<Self> {
        let expected = "exact, approximate or approximate:<precision 4 to 16>";
        match s.split_once(':') {
            None if s == "exact" => Ok(DistinctMode::Exact),
            None if s == "approximate" => DistinctMode::approximate(Hll::DEFAULT_PRECISION),
            Some(("approximate", p)) => {
                let precision = p
                    .parse::<u8>()
                    .map_err(|_| Error::invalid("distinct mode", s, expected))?;
                DistinctMode::approximate(precision)
            }
            _ => Err(Error::invalid("distinct mode", s, expected)),
        }
    }
}

/// Which metrics beyond durations an aggregation computes. Durations are always on; turning
/// the others off makes a pass several times faster, and a metric off is `None` in the report.
///
/// ```
/// use mediameter_usage::Metrics;
/// assert!(Metrics::ALL.users && Metrics::ALL.channels && Metrics::ALL.peaks && Metrics::ALL.stream_peaks);
/// assert!(!Metrics::DURATIONS.peaks && !Metrics::DURATIONS.distinct());
/// // Active users only, as a distribution by user count needs.
/// let users = Metrics::DURATIONS.with_users(true);
/// assert!(users.distinct() && !users.channels);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Metrics {
    /// Active users (distinct user ids).
    pub users: bool,
    /// Channels (distinct channel ids).
    pub channels: bool,
    /// Peak concurrent channels and communications.
    pub peaks: bool,
    /// Peak concurrent streams (open segments): cheap, needs no id.
    #[cfg_attr(feature = "serde", serde(default))]
    pub stream_peaks: bool,
}

impl Metrics {
    /// These metrics with active users on or off.
    #[must_use]
    pub const fn with_users(mut self, on: bool) -> Self {
        self.users = on;
        self
    }

    /// These metrics with channels on or off.
    #[must_use]
    pub const fn with_channels(mut self, on: bool) -> Self {
        self.channels = on;
        self
    }

    /// These metrics with peak concurrent channels and communications on or off.
    ///
    /// ```
    /// use mediameter_usage::Metrics;
    /// let m = Metrics::DURATIONS.with_peaks(true).with_stream_peaks(true);
    /// assert!(m.peaks && m.stream_peaks && !m.users && !m.channels);
    /// assert_eq!(Metrics::ALL.with_users(false).with_channels(false).distinct(), false);
    /// ```
    #[must_use]
    pub const fn with_peaks(mut self, on: bool) -> Self {
        self.peaks = on;
        self
    }

    /// These metrics with peak concurrent streams on or off.
    #[must_use]
    pub const fn with_stream_peaks(mut self, on: bool) -> Self {
        self.stream_peaks = on;
        self
    }

    /// Every metric.
    pub const ALL: Metrics = Metrics {
        users: true,
        channels: true,
        peaks: true,
        stream_peaks: true,
    };
    /// Durations only.
    pub const DURATIONS: Metrics = Metrics {
        users: false,
        channels: false,
        peaks: false,
        stream_peaks: false,
    };

    /// Whether any distinct count (users or channels) is on.
    ///
    /// ```
    /// use mediameter_usage::Metrics;
    /// assert!(Metrics::DURATIONS.with_channels(true).distinct());
    /// assert!(!Metrics::DURATIONS.with_peaks(true).distinct());
    /// ```
    #[must_use]
    pub const fn distinct(self) -> bool {
        self.users || self.channels
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::ALL
    }
}

impl Metrics {
    /// The metric names in printing order, with whether each is on.
    const fn named(self) -> [(&'static str, bool); 4] {
        [
            ("users", self.users),
            ("channels", self.channels),
            ("peaks", self.peaks),
            ("stream_peaks", self.stream_peaks),
        ]
    }
}

/// `all` for [`Metrics::ALL`], `durations` for [`Metrics::DURATIONS`], otherwise the metrics
/// on, comma-separated in the order `users,channels,peaks,stream_peaks`.
///
/// ```
/// use mediameter_usage::Metrics;
/// assert_eq!(Metrics::ALL.to_string(), "all");
/// assert_eq!(Metrics::DURATIONS.to_string(), "durations");
/// assert_eq!(Metrics::DURATIONS.with_stream_peaks(true).with_users(true).to_string(), "users,stream_peaks");
/// ```
impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Metrics::ALL {
            return f.write_str("all");
        }
        if *self == Metrics::DURATIONS {
            return f.write_str("durations");
        }
        let mut first = true;
        for (name, on) in self.named() {
            if on {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// Reads what [`Display`](fmt::Display) prints: a comma-separated list of `users`,
/// `channels`, `peaks` and `stream_peaks` (also `stream-peaks`), in any order, spaces around
/// items ignored; or `all` or `durations` (nothing beyond durations, which are always on)
/// standing alone.
///
/// # Errors
///
/// [`Error::Invalid`] for an unknown word, an empty item (an empty list included: durations
/// only is spelled `durations`), an item given twice, or `all`/`durations` beside another item.
///
/// ```
/// use mediameter_usage::Metrics;
/// assert_eq!("all".parse::<Metrics>()?, Metrics::ALL);
/// assert_eq!("durations".parse::<Metrics>()?, Metrics::DURATIONS);
/// assert_eq!("stream-peaks, users".parse::<Metrics>()?,
///     Metrics::DURATIONS.with_users(true).with_stream_peaks(true));
/// assert!("users,users".parse::<Metrics>().is_err());
/// assert!("users,,peaks".parse::<Metrics>().is_err());
/// assert!("minutes".parse::<Metrics>().is_err());
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
impl FromStr for Metrics {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        const EXPECTED: &str = "a comma-separated list of users, channels, peaks and \
             stream_peaks, each at most once, or all or durations alone";
        match s.trim() {
            "all" => return Ok(Metrics::ALL),
            "durations" => return Ok(Metrics::DURATIONS),
            _ => {}
        }
        let mut out = Metrics::DURATIONS;
        for item in s.split(',').map(str::trim) {
            let slot = match item {
                "users" => &mut out.users,
                "channels" => &mut out.channels,
                "peaks" => &mut out.peaks,
                "stream_peaks" | "stream-peaks" => &mut out.stream_peaks,
                "" => return Err(Error::invalid("metrics", s, EXPECTED)),
                _ => return Err(Error::invalid("metric", item, EXPECTED)),
            };
            if *slot {
                return Err(Error::invalid("metric", item, "each metric at most once"));
            }
            *slot = true;
        }
        Ok(out)
    }
}

/// Which users and channels count as the same when counting distinct ones. Prints and parses
/// as `per_app` or `global`, the JSON spellings.
///
/// ```
/// use mediameter_usage::IdScope;
/// assert_eq!(IdScope::default(), IdScope::PerApp);
/// assert_eq!(IdScope::PerApp.to_string(), "per_app");
/// assert_eq!("global".parse::<IdScope>()?, IdScope::Global);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
///
/// `#[non_exhaustive]`: another scope may come (ids unique per region, say), so a `match`
/// needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum IdScope {
    /// A user (channel) is identified by its app and its id: `u1` of two apps are two users.
    /// The default: ids are only unique within an app.
    #[default]
    PerApp,
    /// The id alone identifies a user (channel) across apps.
    Global,
}

impl IdScope {
    /// The spelling [`Display`](fmt::Display) prints and [`FromStr`] reads.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            IdScope::PerApp => "per_app",
            IdScope::Global => "global",
        }
    }
}

impl fmt::Display for IdScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IdScope {
    type Err = Error;
    /// `per_app` (or `per-app`) and `global`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "per_app" | "per-app" => Ok(IdScope::PerApp),
            "global" => Ok(IdScope::Global),
            _ => Err(Error::invalid("id scope", s, "per_app or global")),
        }
    }
}

/// A usage query: the bucket grid, the dimensions to split by, the filters, an optional range
/// and the metrics. Build it with the `with_*` methods.
///
/// ```
/// use mediameter_core::{BillingZone, Granularity};
/// use mediameter_usage::{Dimension, UsageQuery};
/// let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
///     .with_split_by([Dimension::Region, Dimension::Spec])
///     .with_filter(Dimension::Region, ["cn-shanghai", "cn-beijing"])?;
/// assert_eq!(q.split_by(), &[Dimension::Region, Dimension::Spec]);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
///
/// Its fields are private: a query is built by [`UsageQuery::new`] and the `with_*` methods,
/// which check what they are given, never by a struct literal.
///
/// ```compile_fail
/// use mediameter_core::{BillingZone, Granularity};
/// let q = mediameter_usage::UsageQuery { split_by: vec![], ..mediameter_usage::UsageQuery::new(BillingZone::UTC, Granularity::HOUR) };
/// ```
///
/// Deserializing goes through the same checks: a dimension repeated in the split, a spec or
/// role filter value that does not parse, a distinct precision outside 4 to 16 or an unknown
/// field is refused, and filter values are normalized as [`UsageQuery::with_filter`] does
/// (blank values and empty lists dropped, `≤720P` read as `720p`). The granularity and the
/// range are checked by core when read.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_core::{BillingZone, Granularity};
/// use mediameter_usage::{Dimension, UsageQuery};
/// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_filter(Dimension::Spec, ["≤720P"])?;
/// let json = serde_json::to_string(&q)?;
/// assert_eq!(serde_json::from_str::<UsageQuery>(&json)?, q);
/// let twice = json.replace(r#""split_by":[]"#, r#""split_by":["spec","spec"]"#);
/// assert!(serde_json::from_str::<UsageQuery>(&twice).is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "QueryRepr", into = "QueryRepr"))]
pub struct UsageQuery {
    buckets: Buckets,
    split_by: Vec<Dimension>,
    filters: BTreeMap<Dimension, BTreeSet<String>>,
    range: Option<TimeRange>,
    distinct: DistinctMode,
    metrics: Metrics,
    id_scope: IdScope,
    max_segment_seconds: u64,
}

/// The outside form of a [`UsageQuery`], checked by the builders on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryRepr {
    buckets: Buckets,
    split_by: Vec<Dimension>,
    filters: BTreeMap<Dimension, BTreeSet<String>>,
    range: Option<TimeRange>,
    distinct: DistinctMode,
    metrics: Metrics,
    #[serde(default)]
    id_scope: IdScope,
    #[serde(default = "default_max_segment")]
    max_segment_seconds: u64,
}

#[cfg(feature = "serde")]
fn default_max_segment() -> u64 {
    UsageQuery::DEFAULT_MAX_SEGMENT_SECONDS
}

#[cfg(feature = "serde")]
impl TryFrom<QueryRepr> for UsageQuery {
    type Error = Error;

    fn try_from(r: QueryRepr) -> Result<Self> {
        for (i, d) in r.split_by.iter().enumerate() {
            if r.split_by.get(..i).is_some_and(|before| before.contains(d)) {
                return Err(Error::invalid(
                    "query split_by",
                    d.as_str(),
                    "each dimension at most once",
                ));
            }
        }
        let distinct = match r.distinct {
            DistinctMode::Approximate { precision } => DistinctMode::approximate(precision)?,
            DistinctMode::Exact => DistinctMode::Exact,
        };
        let mut q = UsageQuery::new(r.buckets.zone(), r.buckets.granularity())
            .with_split_by(r.split_by)
            .with_distinct(distinct)
            .with_metrics(r.metrics)
            .with_id_scope(r.id_scope)
            .with_max_segment_seconds(r.max_segment_seconds);
        if let Some(range) = r.range {
            q = q.with_range(range);
        }
        for (dim, values) in r.filters {
            q = q.with_filter(dim, values)?;
        }
        Ok(q)
    }
}

#[cfg(feature = "serde")]
impl From<UsageQuery> for QueryRepr {
    fn from(q: UsageQuery) -> Self {
        QueryRepr {
            buckets: q.buckets,
            split_by: q.split_by,
            filters: q.filters,
            range: q.range,
            distinct: q.distinct,
            metrics: q.metrics,
            id_scope: q.id_scope,
            max_segment_seconds: q.max_segment_seconds,
        }
    }
}

impl UsageQuery {
    /// The first setting in which `self` and `other` differ, with both values rendered and cut
    /// to [`mediameter_core::error::ECHO_LIMIT`] characters (an error names the setting, not
    /// two whole queries).
    pub(crate) fn difference(&self, other: &UsageQuery) -> Option<(&'static str, String, String)> {
        fn pair(a: &impl std::fmt::Debug, b: &impl std::fmt::Debug) -> (String, String) {
            let cut = |v: &dyn std::fmt::Debug| mediameter_core::error::truncate(&format!("{v:?}"));
            (cut(a), cut(b))
        }
        let (what, (left, right)) = if self.buckets != other.buckets {
            ("query buckets", pair(&self.buckets, &other.buckets))
        } else if self.split_by != other.split_by {
            ("query split_by", pair(&self.split_by, &other.split_by))
        } else if self.filters != other.filters {
            ("query filters", pair(&self.filters, &other.filters))
        } else if self.range != other.range {
            ("query range", pair(&self.range, &other.range))
        } else if self.distinct != other.distinct {
            ("query distinct", pair(&self.distinct, &other.distinct))
        } else if self.metrics != other.metrics {
            ("query metrics", pair(&self.metrics, &other.metrics))
        } else if self.id_scope != other.id_scope {
            ("query id_scope", pair(&self.id_scope, &other.id_scope))
        } else if self.max_segment_seconds != other.max_segment_seconds {
            (
                "query max_segment_seconds",
                pair(&self.max_segment_seconds, &other.max_segment_seconds),
            )
        } else {
            return None;
        };
        Some((what, left, right))
    }

    /// The default longest segment accepted: 31 days. It bounds the work one record can cause
    /// (at most 745 hourly pieces); vendors cut continuous streams into shorter records.
    pub const DEFAULT_MAX_SEGMENT_SECONDS: u64 = 31 * 86_400;

    /// A query on `granularity` buckets aligned in `zone`, no split, no filter, all metrics.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Granularity};
    /// let q = mediameter_usage::UsageQuery::new(BillingZone::UTC, Granularity::DAY);
    /// assert_eq!(q.buckets().granularity(), Granularity::DAY);
    /// ```
    #[must_use]
    pub fn new(zone: BillingZone, granularity: Granularity) -> Self {
        UsageQuery {
            buckets: Buckets::new(zone, granularity),
            split_by: Vec::new(),
            filters: BTreeMap::new(),
            range: None,
            distinct: DistinctMode::Exact,
            metrics: Metrics::ALL,
            id_scope: IdScope::PerApp,
            max_segment_seconds: Self::DEFAULT_MAX_SEGMENT_SECONDS,
        }
    }

    /// Sets the longest segment accepted (after clipping to the range); a longer one is an
    /// error naming the record, so that one bad record cannot make a pass allocate millions of
    /// buckets.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_max_segment_seconds(3600);
    /// assert_eq!(q.max_segment_seconds(), 3600);
    /// ```
    #[must_use]
    pub fn with_max_segment_seconds(mut self, seconds: u64) -> Self {
        self.max_segment_seconds = seconds;
        self
    }

    /// The longest segment accepted, in seconds.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).max_segment_seconds(), 31 * 86_400);
    /// ```
    #[must_use]
    pub const fn max_segment_seconds(&self) -> u64 {
        self.max_segment_seconds
    }

    /// Splits by these dimensions (repeats dropped, order kept: it is the column order).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by([Dimension::Spec, Dimension::Spec]);
    /// assert_eq!(q.split_by(), &[Dimension::Spec]);
    /// ```
    #[must_use]
    pub fn with_split_by(mut self, dims: impl IntoIterator<Item = Dimension>) -> Self {
        self.split_by.clear();
        for d in dims {
            if !self.split_by.contains(&d) {
                self.split_by.push(d);
            }
        }
        self
    }

    /// Keeps only segments whose `dim` is one of `values` (an empty list keeps all, as in
    /// `DescribeLiveProducerUsageData`). Spec and role values are normalized (`≤720P` → `720p`,
    /// `subscriber` → `sub`). A segment without a value for a filtered optional dimension is
    /// dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Core`] for a spec or role value that does not parse.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_filter(Dimension::Spec, ["≤720P"])?;
    /// assert!(q.filter(Dimension::Spec).ok_or("missing spec filter")?.contains("720p"));
    /// assert!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_filter(Dimension::Spec, ["8k"]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_filter<S: AsRef<str>>(
        mut self,
        dim: Dimension,
        values: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let mut set = BTreeSet::new();
        for v in values {
            let v = v.as_ref().trim();
            if v.is_empty() {
                continue;
            }
            let norm = match dim {
                Dimension::Spec => v.parse::<MediaSpec>()?.as_str().to_owned(),
                Dimension::Role => v.parse::<Role>()?.as_str().to_owned(),
                _ => v.to_owned(),
            };
            set.insert(norm);
        }
        if set.is_empty() {
            self.filters.remove(&dim);
        } else {
            self.filters.insert(dim, set);
        }
        Ok(self)
    }

    /// Counts only the part of each segment inside `range` (durations are clipped; a segment
    /// wholly outside is dropped).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_range(TimeRange::from_unix(0, 3600)?);
    /// assert!(q.range().is_some());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn with_range(mut self, range: TimeRange) -> Self {
        self.range = Some(range);
        self
    }

    /// Sets the distinct-counting mode.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_distinct(DistinctMode::approximate(10)?);
    /// assert_ne!(q.distinct(), DistinctMode::Exact);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub fn with_distinct(mut self, mode: DistinctMode) -> Self {
        self.distinct = mode;
        self
    }

    /// Sets which metrics are computed.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_metrics(Metrics::DURATIONS);
    /// assert!(!q.metrics().distinct());
    /// ```
    #[must_use]
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Sets how users and channels are identified.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_id_scope(IdScope::Global);
    /// assert_eq!(q.id_scope(), IdScope::Global);
    /// ```
    #[must_use]
    pub fn with_id_scope(mut self, scope: IdScope) -> Self {
        self.id_scope = scope;
        self
    }

    /// The bucket grid.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).buckets().zone(), BillingZone::GMT8);
    /// ```
    #[must_use]
    pub const fn buckets(&self) -> Buckets {
        self.buckets
    }

    /// The split-by dimensions, in column order.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).split_by().is_empty());
    /// ```
    #[must_use]
    pub fn split_by(&self) -> &[Dimension] {
        &self.split_by
    }

    /// The accepted values of a filtered dimension (`None`: not filtered).
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).filter(Dimension::App).is_none());
    /// ```
    #[must_use]
    pub fn filter(&self, dim: Dimension) -> Option<&BTreeSet<String>> {
        self.filters.get(&dim)
    }

    /// The clipping range, if any.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).range().is_none());
    /// ```
    #[must_use]
    pub const fn range(&self) -> Option<TimeRange> {
        self.range
    }

    /// The distinct-counting mode.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).distinct(), DistinctMode::Exact);
    /// ```
    #[must_use]
    pub const fn distinct(&self) -> DistinctMode {
        self.distinct
    }

    /// The metrics computed.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).metrics(), Metrics::ALL);
    /// ```
    #[must_use]
    pub const fn metrics(&self) -> Metrics {
        self.metrics
    }

    /// How users and channels are identified.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// assert_eq!(UsageQuery::new(BillingZone::UTC, Granularity::HOUR).id_scope(), IdScope::PerApp);
    /// ```
    #[must_use]
    pub const fn id_scope(&self) -> IdScope {
        self.id_scope
    }

    /// Whether the query reads the column named `column` (`app`, `channel`, `user`, `role`,
    /// `spec`, `start`, `end`, `region`, `publisher`, `domain`, `instance`, `type`): role,
    /// spec and the instants always; ids and dimensions when the query splits or filters by
    /// them or counts with them (the app too when ids are counted or paired per app). Any
    /// other name: `false`.
    ///
    /// A columnar reader need not decode a column the query does not read:
    /// [`RowLoader`](crate::RowLoader) and [`Aggregator`](crate::Aggregator) take rows
    /// and batches that leave it out, even a required id, and give the same report.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
    ///     .with_split_by([Dimension::Region])
    ///     .with_metrics(Metrics::DURATIONS.with_stream_peaks(true));
    /// assert!(q.reads("region") && q.reads("start") && !q.reads("user") && !q.reads("domain"));
    /// let users = q.with_metrics(Metrics::DURATIONS.with_users(true));
    /// assert!(users.reads("user") && users.reads("app") && !users.reads("channel"));
    /// ```
    #[must_use]
    pub fn reads(&self, column: &str) -> bool {
        crate::input::NAMES
            .iter()
            .position(|n| *n == column || (*n == "type" && column == "product_type"))
            .is_some_and(|k| crate::table::Projection::of(self).reads(k))
    }

    /// Whether a segment passes every filter.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
    /// assert!(q.accepts(&s));
    /// assert!(!q.clone().with_filter(Dimension::Role, ["pub"])?.accepts(&s));
    /// assert!(!q.with_filter(Dimension::Region, ["r1"])?.accepts(&s));
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub fn accepts(&self, seg: &StreamSegment) -> bool {
        self.filters
            .iter()
            .all(|(dim, values)| dim.value_of(seg).is_some_and(|v| values.contains(v)))
    }

    /// Checks the settings that the builder cannot: the interval must be 3600 or 86400 s for
    /// the vendor shapes, but any granularity dividing a day is accepted here.
    pub(crate) fn check(&self) -> Result<()> {
        if let DistinctMode::Approximate { precision } = self.distinct {
            Hll::new(precision)?;
        }
        Ok(())
    }
}

/// Parses an interval in seconds as the vendors spell it (`3600`, `86400`, `hour`, `day`).
///
/// # Errors
///
/// [`Error::Invalid`] for anything else than an hour or a day.
///
/// ```
/// use mediameter_core::Granularity;
/// assert_eq!(mediameter_usage::parse_interval("3600")?, Granularity::HOUR);
/// assert_eq!(mediameter_usage::parse_interval("day")?, Granularity::DAY);
/// assert!(mediameter_usage::parse_interval("300").is_err());
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
pub fn parse_interval(s: &str) -> Result<Granularity> {
    match s.trim() {
        "3600" | "3600s" | "hour" | "1h" => Ok(Granularity::HOUR),
        "86400" | "86400s" | "day" | "1d" => Ok(Granularity::DAY),
        other => Err(Error::invalid(
            "interval",
            other,
            "3600 (hour) or 86400 (day)",
        )),
    }
}
