//! Usage records shared by the usage and billing crates.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::id::{AppId, ChannelId, DomainName, InstanceId, ProductType, RegionId, UserId};
use crate::spec::MediaSpec;
use crate::time::TimeRange;

/// Which side of a stream a segment records. Only subscription is billed (Alibaba Cloud RTC console
/// guide).
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): a stream has two sides, and there is no
/// third.
///
/// ```
/// use mediameter_core::Role;
/// assert_eq!("sub".parse::<Role>()?, Role::Subscribe);
/// assert_eq!("publisher".parse::<Role>()?, Role::Publish);
/// assert_eq!(Role::Publish.to_string(), "pub");
/// assert!(Role::Subscribe.is_billed());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The user sends a stream.
    Publish,
    /// The user receives a stream.
    Subscribe,
}

impl Role {
    /// The canonical short spelling (`pub`, `sub`), as in exported tables.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Role::Subscribe.as_str(), "sub");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Publish => "pub",
            Role::Subscribe => "sub",
        }
    }

    /// Whether time in this role is billed: subscription only.
    ///
    /// ```
    /// assert!(!mediameter_core::Role::Publish.is_billed());
    /// ```
    #[must_use]
    pub const fn is_billed(self) -> bool {
        matches!(self, Role::Subscribe)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;

    /// Accepts `pub`, `publish`, `publisher`, `sub`, `subscribe`, `subscriber` (lower case).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "pub" | "publish" | "publisher" => Ok(Role::Publish),
            "sub" | "subscribe" | "subscriber" => Ok(Role::Subscribe),
            _ => Err(Error::invalid(
                "role",
                s,
                "pub or sub (publish/publisher, subscribe/subscriber)",
            )),
        }
    }
}

crate::spec::serde_via_str!(Role);

/// One continuous stretch of one user publishing or subscribing one stream: the raw record of
/// RTC and live usage.
///
/// The required fields say who, where, what and when; the optional dimensions are those the
/// vendors split and filter by (region, domain, instance, product type). For a subscribe
/// segment, `publisher` names whose stream was received when the source knows it: the usage
/// crate uses it to identify publish→subscribe relations.
///
/// ```
/// use mediameter_core::{AppId, ChannelId, MediaSpec, RegionId, Role, StreamSegment, TimeRange, UserId};
///
/// let seg = StreamSegment::new(
///     AppId::new("app1")?,
///     ChannelId::new("room-1")?,
///     UserId::new("u2")?,
///     Role::Subscribe,
///     "720p".parse::<MediaSpec>()?,
///     TimeRange::from_unix(1_700_000_000, 1_700_000_600)?,
/// )
/// .with_region(RegionId::new("cn-shanghai")?)
/// .with_publisher(UserId::new("u1")?);
/// assert_eq!(seg.range.seconds(), 600);
/// assert_eq!(seg.publisher.as_ref().map(|u| u.as_str()), Some("u1"));
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StreamSegment {
    /// The app.
    pub app: AppId,
    /// The channel (room).
    pub channel: ChannelId,
    /// The user whose terminal published or subscribed.
    pub user: UserId,
    /// Publishing or subscribing.
    pub role: Role,
    /// The spec the stream is published at.
    pub spec: MediaSpec,
    /// When, half-open.
    pub range: TimeRange,
    /// For a subscribe segment, the publishing user, when known.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub publisher: Option<UserId>,
    /// Service region.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub region: Option<RegionId>,
    /// Domain (live).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub domain: Option<DomainName>,
    /// Product instance.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub instance: Option<InstanceId>,
    /// Product type (the `Type` dimension of Alibaba Cloud Live's `DescribeLiveProducerUsageData`).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub product_type: Option<ProductType>,
}

impl StreamSegment {
    /// A segment with the required fields and no optional dimension.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Publish, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// assert!(s.region.is_none());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn new(
        app: AppId,
        channel: ChannelId,
        user: UserId,
        role: Role,
        spec: MediaSpec,
        range: TimeRange,
    ) -> Self {
        StreamSegment {
            app,
            channel,
            user,
            role,
            spec,
            range,
            publisher: None,
            region: None,
            domain: None,
            instance: None,
            product_type: None,
        }
    }

    /// Sets the publisher of a subscribed stream.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// # let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    /// #     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// let s = s.with_publisher(UserId::new("p")?);
    /// assert!(s.publisher.is_some());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn with_publisher(mut self, publisher: UserId) -> Self {
        self.publisher = Some(publisher);
        self
    }

    /// Sets the region.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// # let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    /// #     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// assert_eq!(s.with_region(RegionId::new("r1")?).region.ok_or("no region")?.as_str(), "r1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_region(mut self, region: RegionId) -> Self {
        self.region = Some(region);
        self
    }

    /// Sets the domain.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// # let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    /// #     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// assert!(s.with_domain(DomainName::new("x.com")?).domain.is_some());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn with_domain(mut self, domain: DomainName) -> Self {
        self.domain = Some(domain);
        self
    }

    /// Sets the instance.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// # let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    /// #     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// assert!(s.with_instance(InstanceId::new("i-1")?).instance.is_some());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn with_instance(mut self, instance: InstanceId) -> Self {
        self.instance = Some(instance);
        self
    }

    /// Sets the product type.
    ///
    /// ```
    /// # use mediameter_core::*;
    /// # let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    /// #     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 1)?);
    /// assert!(s.with_product_type(ProductType::new("universal")?).product_type.is_some());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn with_product_type(mut self, product_type: ProductType) -> Self {
        self.product_type = Some(product_type);
        self
    }
}
