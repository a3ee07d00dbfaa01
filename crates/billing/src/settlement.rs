//! Per-second billing of on-demand resources, settled hourly (Huawei Cloud iDME billing manual "计费周期",
//! "变更配置后对计费的影响").
//!
//! A resource is billed from the instant it was successfully created to the instant its
//! deletion started, per second, and settled once an hour on the hour in the billing zone
//! (GMT+8 by default). A configuration change starts a new order at the new configuration; a
//! change inside an hour gives that hour several lines, one per configuration in force.
//!
//! The amount of a line is `hourly price × seconds ÷ 3600` (the hourly price of a
//! configuration is Σ unit price × quantity over its items): multiplied first, divided last,
//! rounded once per line. See [`ResiduePolicy`] for how the sub-cent remainders are handled.

use chrono::{DateTime, Utc};
use mediameter_core::{
    BillingZone, Buckets, Currency, Granularity, Money, Rounding, RoundingMode, TimeRange,
};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// Seconds in a settlement period.
const HOUR_SECONDS: u32 = 3600;

/// One priced quantity of a configuration: e.g. "compute, 3 MCU at 1.20 CNY per MCU-hour".
///
/// ```
/// use mediameter_billing::PricedItem;
/// use mediameter_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let item = PricedItem::new("capacity", dec!(2), Money::new(dec!(0.50), Currency::CNY))?;
/// assert_eq!(item.hourly_total()?.amount(), dec!(1.00));
/// # Ok::<(), mediameter_billing::Error>(())
/// ```
///
/// In JSON: `{"name", "quantity", "hourly_price": {"amount", "currency"}}`, validated as
/// [`PricedItem::new`] does; any other field is refused.
///
/// The fields are private: an item of zero quantity or a negative price cannot be written as
/// a literal past [`PricedItem::new`]:
///
/// ```compile_fail,E0451
/// use mediameter_billing::PricedItem;
/// use mediameter_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let item = PricedItem {
///     name: String::new(),
///     quantity: dec!(0),
///     hourly_price: Money::new(dec!(-1), Currency::CNY),
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "PricedItemRepr", into = "PricedItemRepr")
)]
pub struct PricedItem {
    name: String,
    quantity: Decimal,
    hourly_price: Money,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PricedItemRepr {
    name: String,
    quantity: Decimal,
    hourly_price: Money,
}

#[cfg(feature = "serde")]
impl TryFrom<PricedItemRepr> for PricedItem {
    type Error = Error;
    fn try_from(r: PricedItemRepr) -> Result<Self> {
        PricedItem::new(r.name, r.quantity, r.hourly_price)
    }
}

#[cfg(feature = "serde")]
impl From<PricedItem> for PricedItemRepr {
    fn from(i: PricedItem) -> Self {
        PricedItemRepr {
            name: i.name,
            quantity: i.quantity,
            hourly_price: i.hourly_price,
        }
    }
}

impl PricedItem {
    /// A priced item, validated.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for an empty or over-long name, a quantity of zero or less, or a
    /// negative price.
    ///
    /// ```
    /// use mediameter_billing::PricedItem;
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// assert!(PricedItem::new("mcu", dec!(0), Money::new(dec!(1), Currency::CNY)).is_err());
    /// ```
    pub fn new(name: impl Into<String>, quantity: Decimal, hourly_price: Money) -> Result<Self> {
        let item = PricedItem {
            name: name.into(),
            quantity,
            hourly_price,
        };
        item.validate()?;
        Ok(item)
    }

    /// What is priced (`"model"`, `"compute"`, `"capacity"`): unique within a configuration.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many units (MCUs, nodes...): above zero.
    #[must_use]
    pub fn quantity(&self) -> Decimal {
        self.quantity
    }

    /// Price of one unit for one hour.
    #[must_use]
    pub fn hourly_price(&self) -> Money {
        self.hourly_price
    }

    fn validate(&self) -> Result<()> {
        if self.name.is_empty() || self.name.len() > 128 || self.name.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "priced item name",
                &self.name,
                "1 to 128 bytes without control characters",
            ));
        }
        if self.quantity <= Decimal::ZERO {
            return Err(Error::out_of_range(
                "priced item quantity",
                self.quantity,
                format!("a quantity above zero for item {:?}", self.name),
            ));
        }
        if self.hourly_price.is_negative() {
            return Err(Error::out_of_range(
                "hourly price",
                self.hourly_price,
                format!("a price of zero or more for item {:?}", self.name),
            ));
        }
        Ok(())
    }

    /// Unit price × quantity: this item's price for one hour.
    ///
    /// # Errors
    ///
    /// Overflow.
    ///
    /// ```
    /// use mediameter_billing::PricedItem;
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let item = PricedItem::new("model", dec!(3), Money::new(dec!(1.2), Currency::CNY))?;
    /// assert_eq!(item.hourly_total()?.amount(), dec!(3.6));
    /// # Ok::<(), mediameter_billing::Error>(())
    /// ```
    pub fn hourly_total(&self) -> Result<Money> {
        Ok(self.hourly_price.checked_mul(self.quantity)?)
    }
}

/// A configuration: the set of priced quantities in force between two events.
///
/// ```
/// use mediameter_billing::{Configuration, PricedItem};
/// use mediameter_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let p = Money::new(dec!(1), Currency::CNY);
/// let c = Configuration::new(vec![PricedItem::new("model", dec!(3), p)?, PricedItem::new("capacity", dec!(1), p)?])?;
/// assert_eq!(c.hourly_price()?.amount(), dec!(4));
/// # Ok::<(), mediameter_billing::Error>(())
/// ```
///
/// In JSON: `{"items": [...]}`, validated as [`Configuration::new`] does.
///
/// The field is private: a configuration without items cannot be written as a literal past
/// [`Configuration::new`]:
///
/// ```compile_fail,E0451
/// use mediameter_billing::Configuration;
/// let empty = Configuration { items: Vec::new() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "ConfigurationRepr", into = "ConfigurationRepr")
)]
pub struct Configuration {
    items: Vec<PricedItem>,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigurationRepr {
    items: Vec<PricedItem>,
}

#[cfg(feature = "serde")]
impl TryFrom<ConfigurationRepr> for Configuration {
    type Error = Error;
    fn try_from(r: ConfigurationRepr) -> Result<Self> {
        Configuration::new(r.items)
    }
}

#[cfg(feature = "serde")]
impl From<Configuration> for ConfigurationRepr {
    fn from(c: Configuration) -> Self {
        ConfigurationRepr { items: c.items }
    }
}

/// Most items a configuration may hold.
pub const MAX_ITEMS: usize = 256;

impl Configuration {
    /// A configuration, validated: at least one item, unique names, one currency.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for no items, too many items, an invalid item or a repeated name;
    /// a currency mismatch between items.
    ///
    /// ```
    /// use mediameter_billing::Configuration;
    /// assert!(Configuration::new(vec![]).is_err());
    /// ```
    pub fn new(items: Vec<PricedItem>) -> Result<Self> {
        let c = Configuration { items };
        c.validate()?;
        Ok(c)
    }

    /// The priced items, names unique.
    #[must_use]
    pub fn items(&self) -> &[PricedItem] {
        &self.items
    }

    fn validate(&self) -> Result<()> {
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(Error::invalid(
                "configuration",
                &format!("{} items", self.items.len()),
                format!("1 to {MAX_ITEMS} priced items"),
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            item.validate()?;
            if self.items.iter().take(i).any(|o| o.name == item.name) {
                return Err(Error::invalid(
                    "priced item name",
                    &item.name,
                    "names unique within a configuration",
                ));
            }
        }
        self.hourly_price()?;
        Ok(())
    }

    /// Σ unit price × quantity: the configuration's price for one hour.
    ///
    /// # Errors
    ///
    /// Mixed currencies; overflow; [`Error::Invalid`] for an empty configuration.
    ///
    /// ```
    /// use mediameter_billing::{Configuration, PricedItem};
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let c = Configuration::new(vec![PricedItem::new("a", dec!(2), Money::new(dec!(0.25), Currency::USD))?])?;
    /// assert_eq!(c.hourly_price()?.to_string(), "0.50 USD");
    /// # Ok::<(), mediameter_billing::Error>(())
    /// ```
    pub fn hourly_price(&self) -> Result<Money> {
        let first = self.items.first().ok_or_else(|| {
            Error::invalid("configuration", "0 items", "at least one priced item")
        })?;
        let mut total = Money::zero(first.hourly_price.currency());
        for item in &self.items {
            total = total.checked_add(item.hourly_total()?)?;
        }
        Ok(total)
    }

    /// Describes why `next` is a downgrade of `self`, if it is: an item removed or its
    /// quantity lowered, or a lower hourly price. `None` when `next` is an upgrade or equal.
    ///
    /// ```
    /// use mediameter_billing::{Configuration, PricedItem};
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let p = Money::new(dec!(1), Currency::CNY);
    /// let small = Configuration::new(vec![PricedItem::new("capacity", dec!(1), p)?])?;
    /// let big = Configuration::new(vec![PricedItem::new("capacity", dec!(2), p)?])?;
    /// assert!(small.downgrade_to(&big).is_none());
    /// assert!(big.downgrade_to(&small).ok_or("expected a downgrade reason")?.contains("capacity"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn downgrade_to(&self, next: &Configuration) -> Option<String> {
        for old in &self.items {
            match next.items.iter().find(|n| n.name == old.name) {
                None => return Some(format!("item {:?} would be removed", old.name)),
                Some(n) if n.quantity < old.quantity => {
                    return Some(format!(
                        "item {:?} would go from {} to {}",
                        old.name, old.quantity, n.quantity
                    ));
                }
                Some(_) => {}
            }
        }
        match (self.hourly_price(), next.hourly_price()) {
            (Ok(a), Ok(b)) if b.amount() < a.amount() => {
                Some(format!("hourly price would fall from {a} to {b}"))
            }
            _ => None,
        }
    }
}

/// What happened to a resource.
///
/// In JSON: `{"at": "...", "event": "created", "configuration": {...}}`,
/// `{"at": "...", "event": "changed", "configuration": {...}}`, `{"at": "...", "event": "deleted"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "event", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum EventKind {
    /// The resource was successfully created (billing starts; not the order instant).
    Created {
        /// The configuration at creation.
        configuration: Configuration,
    },
    /// The configuration was changed (upgraded): a new order at the new price starts.
    Changed {
        /// The configuration from this instant on.
        configuration: Configuration,
    },
    /// Deletion started: billing stops.
    Deleted,
}

impl EventKind {
    fn rank(&self) -> u8 {
        match self {
            EventKind::Created { .. } => 0,
            EventKind::Changed { .. } => 1,
            EventKind::Deleted => 2,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            EventKind::Created { .. } => "created",
            EventKind::Changed { .. } => "changed",
            EventKind::Deleted => "deleted",
        }
    }
}

/// An event of a resource's timeline at an instant (whole seconds: billing is per second).
///
/// An event may come to carry more (an order id, a source), so it is `#[non_exhaustive]`:
/// build it with [`ResourceEvent::created`], [`ResourceEvent::changed`],
/// [`ResourceEvent::deleted`] or [`ResourceEvent::new`], read the public fields. It is
/// checked as part of its timeline ([`ResourceTimeline::new`]: whole seconds, a creation
/// first, nothing after the deletion).
///
/// ```
/// use mediameter_billing::{EventKind, ResourceEvent};
/// let e = ResourceEvent::deleted(chrono::DateTime::UNIX_EPOCH);
/// assert_eq!(e, ResourceEvent::new(chrono::DateTime::UNIX_EPOCH, EventKind::Deleted));
/// assert_eq!(e.to_string(), "deleted at 1970-01-01T00:00:00+00:00");
/// ```
///
/// `Display` describes the event for a message (kind and instant, not the configuration), so
/// it has no `FromStr`; the JSON form is the one that reads back.
///
/// Deserializing refuses unknown fields, a configuration on a deletion and a creation or
/// change without one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "EventRepr"))]
#[non_exhaustive]
pub struct ResourceEvent {
    /// When it happened (UTC, whole seconds).
    pub at: DateTime<Utc>,
    /// What happened.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub kind: EventKind,
}

impl ResourceEvent {
    /// `kind` happened at `at`.
    #[must_use]
    pub const fn new(at: DateTime<Utc>, kind: EventKind) -> Self {
        ResourceEvent { at, kind }
    }

    /// The resource was created at `at` with `configuration`.
    #[must_use]
    pub const fn created(at: DateTime<Utc>, configuration: Configuration) -> Self {
        ResourceEvent::new(at, EventKind::Created { configuration })
    }

    /// The configuration changed to `configuration` at `at`.
    #[must_use]
    pub const fn changed(at: DateTime<Utc>, configuration: Configuration) -> Self {
        ResourceEvent::new(at, EventKind::Changed { configuration })
    }

    /// Deletion started at `at`.
    #[must_use]
    pub const fn deleted(at: DateTime<Utc>) -> Self {
        ResourceEvent::new(at, EventKind::Deleted)
    }
}

/// The outside form of a [`ResourceEvent`]: serde cannot refuse unknown fields through
/// `flatten`, so the event is read flat and checked here.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EventRepr {
    at: DateTime<Utc>,
    event: EventName,
    #[serde(default)]
    configuration: Option<Configuration>,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum EventName {
    Created,
    Changed,
    Deleted,
}

#[cfg(feature = "serde")]
impl TryFrom<EventRepr> for ResourceEvent {
    type Error = Error;
    fn try_from(r: EventRepr) -> Result<Self> {
        let kind = match (r.event, r.configuration) {
            (EventName::Created, Some(configuration)) => EventKind::Created { configuration },
            (EventName::Changed, Some(configuration)) => EventKind::Changed { configuration },
            (EventName::Deleted, None) => EventKind::Deleted,
            (EventName::Deleted, Some(_)) => {
                return Err(Error::invalid(
                    "event configuration",
                    "a configuration",
                    "no configuration on a deleted event",
                ));
            }
            (_, None) => {
                return Err(Error::invalid(
                    "event configuration",
                    "none",
                    "a configuration on a created or changed event",
                ));
            }
        };
        Ok(ResourceEvent { at: r.at, kind })
    }
}

impl std::fmt::Display for ResourceEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}", self.kind.name(), self.at.to_rfc3339())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    start: i64,
    config: usize,
}

/// Most events a timeline may hold.
pub const MAX_EVENTS: usize = 100_000;

/// Most lines [`ResourceTimeline::settle`] collects (a month of one resource is about 720;
/// 5,000,000 is 570 years of one resource). [`ResourceTimeline::settle_with`] streams lines
/// and has no cap.
pub const MAX_LINES: u64 = 5_000_000;

/// A validated resource timeline: created, configuration changes (upgrades only), and
/// possibly a deletion, in time order.
///
/// Events may be given in any order: they are sorted by instant (creation before a change
/// before a deletion at the same instant), so the result does not depend on the order in which
/// they arrived. What cannot be sorted into a valid timeline is an error naming the event.
///
/// ```
/// use mediameter_billing::{Configuration, PricedItem, ResourceEvent, ResourceTimeline};
/// use mediameter_billing::ErrorKind;
/// use mediameter_core::{Currency, Money};
/// use chrono::{TimeZone, Utc};
/// use rust_decimal_macros::dec;
///
/// let cfg = Configuration::new(vec![PricedItem::new("mcu", dec!(1), Money::new(dec!(3.6), Currency::CNY))?])?;
/// let at = |h, m| Utc.with_ymd_and_hms(2023, 4, 18, h, m, 0).single().ok_or("invalid date");
/// let deleted = ResourceEvent::deleted(at(1, 0)?);
/// let created = ResourceEvent::created(at(2, 0)?, cfg);
/// let err = ResourceTimeline::new("r1", vec![created, deleted]).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Timeline);
/// assert!(err.to_string().contains("deleted at 2023-04-18T01:00:00"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "TimelineRepr", into = "TimelineRepr")
)]
pub struct ResourceTimeline {
    resource: String,
    events: Vec<ResourceEvent>,
    configs: Vec<Configuration>,
    hourly: Vec<Money>,
    segments: Vec<Segment>,
    deleted: Option<i64>,
    currency: Currency,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TimelineRepr {
    resource: String,
    events: Vec<ResourceEvent>,
}

#[cfg(feature = "serde")]
impl TryFrom<TimelineRepr> for ResourceTimeline {
    type Error = Error;
    fn try_from(r: TimelineRepr) -> Result<Self> {
        ResourceTimeline::new(r.resource, r.events)
    }
}

#[cfg(feature = "serde")]
impl From<ResourceTimeline> for TimelineRepr {
    fn from(t: ResourceTimeline) -> Self {
        TimelineRepr {
            resource: t.resource,
            events: t.events,
        }
    }
}

impl ResourceTimeline {
    /// Sorts and validates `events` of `resource`.
    ///
    /// # Errors
    ///
    /// [`Error::Timeline`] naming the offending event (its position in `events`) when: the
    /// first event is not the creation (a change or a deletion before the creation), there is
    /// a second creation or deletion, an event follows the deletion, two events share an
    /// instant, or an instant has a fraction of a second. [`Error::Downgrade`] for a change
    /// that lowers the configuration, in an [`Error::At`] naming the resource and the event
    /// (`resource vm-1, events[1] (changed at ...)`). [`Error::Invalid`] for an empty resource name, no
    /// events, too many, or an invalid configuration; a currency mismatch between
    /// configurations.
    ///
    /// ```
    /// use mediameter_billing::{Configuration, PricedItem, ResourceEvent, ResourceTimeline};
    /// use mediameter_core::{Currency, Money};
    /// use chrono::Utc;
    /// use rust_decimal_macros::dec;
    /// let cfg = Configuration::new(vec![PricedItem::new("mcu", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t = ResourceTimeline::new("r1", vec![
    ///     ResourceEvent::created("2023-04-18T01:00:00Z".parse::<chrono::DateTime<Utc>>()?, cfg),
    /// ])?;
    /// assert!(t.deleted_at().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(resource: impl Into<String>, events: Vec<ResourceEvent>) -> Result<Self> {
        let resource = resource.into();
        if resource.is_empty() || resource.len() > 256 || resource.chars().any(char::is_control) {
            return Err(Error::invalid(
                "resource id",
                &resource,
                "1 to 256 bytes without control characters",
            ));
        }
        if events.is_empty() || events.len() > MAX_EVENTS {
            return Err(Error::invalid(
                "timeline",
                &format!("{} events", events.len()),
                format!("1 to {MAX_EVENTS} events, the first a creation"),
            ));
        }
        let problem = |index: usize, event: &ResourceEvent, problem: String| {
            Error::Timeline {
                event: event.to_string(),
                problem,
            }
            .at(format!("resource {resource}, events[{index}]"))
        };
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| events.get(i).map(|e| (e.at, e.kind.rank())));
        let mut configs: Vec<Configuration> = Vec::new();
        let mut hourly: Vec<Money> = Vec::new();
        let mut segments: Vec<Segment> = Vec::new();
        let mut deleted: Option<i64> = None;
        let mut last: Option<(usize, i64)> = None;
        for &i in &order {
            let Some(event) = events.get(i) else { continue };
            if event.at.timestamp_subsec_nanos() != 0 {
                return Err(problem(
                    i,
                    event,
                    "has a fraction of a second: billing is per whole second".to_owned(),
                ));
            }
            let t = event.at.timestamp();
            if !(mediameter_core::time::MIN_UNIX_SECONDS..mediameter_core::time::END_UNIX_SECONDS)
                .contains(&t)
            {
                return Err(problem(
                    i,
                    event,
                    "is outside years 0001 to 9999".to_owned(),
                ));
            }
            if deleted.is_some() {
                return Err(problem(
                    i,
                    event,
                    "comes after the deletion started".to_owned(),
                ));
            }
            if let Some((j, prev)) = last
                && prev == t
            {
                return Err(problem(
                    i,
                    event,
                    format!(
                        "has the same instant as event {j}: the configuration in force is ambiguous"
                    ),
                ));
            }
            match &event.kind {
                EventKind::Created { configuration } => {
                    if last.is_some() {
                        return Err(problem(i, event, "is a second creation".to_owned()));
                    }
                    configuration.validate()?;
                    hourly.push(configuration.hourly_price()?);
                    configs.push(configuration.clone());
                    segments.push(Segment {
                        start: t,
                        config: 0,
                    });
                }
                EventKind::Changed { configuration } => {
                    let Some(prev) = configs.last() else {
                        return Err(problem(i, event, "is before the creation".to_owned()));
                    };
                    configuration.validate()?;
                    if let Some(detail) = prev.downgrade_to(configuration) {
                        return Err(Error::Downgrade { detail }
                            .at(format!("resource {resource}, events[{i}] ({event})")));
                    }
                    let price = configuration.hourly_price()?;
                    if let Some(first) = hourly.first()
                        && first.currency() != price.currency()
                    {
                        return Err(mediameter_core::Error::CurrencyMismatch {
                            operation: "timeline configurations",
                            left: first.currency().to_string(),
                            right: price.currency().to_string(),
                        }
                        .into());
                    }
                    segments.push(Segment {
                        start: t,
                        config: configs.len(),
                    });
                    hourly.push(price);
                    configs.push(configuration.clone());
                }
                EventKind::Deleted => {
                    if last.is_none() {
                        return Err(problem(
                            i,
                            event,
                            "is a deletion before the creation".to_owned(),
                        ));
                    }
                    deleted = Some(t);
                }
            }
            last = Some((i, t));
        }
        let currency = hourly
            .first()
            .map(Money::currency)
            .ok_or_else(|| Error::invalid("timeline", "no creation", "a creation event"))?;
        let mut sorted = events;
        sorted.sort_by_key(|e| (e.at, e.kind.rank()));
        Ok(ResourceTimeline {
            resource,
            events: sorted,
            configs,
            hourly,
            segments,
            deleted,
            currency,
        })
    }

    /// The resource's id.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t = ResourceTimeline::new("r9", vec![ResourceEvent::created(chrono::DateTime::UNIX_EPOCH, cfg)])?;
    /// assert_eq!(t.resource(), "r9");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The events, sorted.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t = ResourceTimeline::new("r", vec![ResourceEvent::created(chrono::DateTime::UNIX_EPOCH, cfg)])?;
    /// assert_eq!(t.events().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn events(&self) -> &[ResourceEvent] {
        &self.events
    }

    /// The configurations in order: index 0 at creation, then one per change. A
    /// [`SettlementLine::configuration`] indexes this.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t = ResourceTimeline::new("r", vec![ResourceEvent::created(chrono::DateTime::UNIX_EPOCH, cfg.clone())])?;
    /// assert_eq!(t.configurations(), &[cfg]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn configurations(&self) -> &[Configuration] {
        &self.configs
    }

    /// When billing started.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t0 = chrono::DateTime::from_timestamp(60, 0).ok_or("out of range")?;
    /// let t = ResourceTimeline::new("r", vec![ResourceEvent::created(t0, cfg)])?;
    /// assert_eq!(t.created_at(), t0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        from_unix(self.segments.first().map_or(0, |s| s.start))
    }

    /// When deletion started, if it did.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t = ResourceTimeline::new("r", vec![
    ///     ResourceEvent::created(chrono::DateTime::UNIX_EPOCH, cfg),
    ///     ResourceEvent::deleted(chrono::DateTime::from_timestamp(600, 0).ok_or("out of range")?),
    /// ])?;
    /// assert_eq!(t.deleted_at().ok_or("not deleted")?.timestamp(), 600);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.deleted.map(from_unix)
    }

    /// The currency of every price in the timeline.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::USD))?])?;
    /// let t = ResourceTimeline::new("r", vec![ResourceEvent::created(chrono::DateTime::UNIX_EPOCH, cfg)])?;
    /// assert_eq!(t.currency(), Currency::USD);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Settles the timeline, collecting the lines. See [`ResourceTimeline::settle_with`].
    ///
    /// # Errors
    ///
    /// As [`ResourceTimeline::settle_with`]; [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge)
    /// when the settlement would have more than [`MAX_LINES`] lines (counted before anything
    /// is built: use [`ResourceTimeline::settle_with`] to stream longer ones).
    ///
    /// ```
    /// use mediameter_billing::*;
    /// use mediameter_core::{Currency, Money};
    /// use chrono::Utc;
    /// use rust_decimal_macros::dec;
    /// // Huawei Cloud iDME billing manual: created 08:45:30, deleted 08:55:30 (GMT+8) → 600 s in 08:00–09:00.
    /// let cfg = Configuration::new(vec![PricedItem::new("mcu", dec!(1), Money::new(dec!(3.6), Currency::CNY))?])?;
    /// let t = ResourceTimeline::new("r1", vec![
    ///     ResourceEvent::created("2023-04-18T00:45:30Z".parse::<chrono::DateTime<Utc>>()?, cfg),
    ///     ResourceEvent::deleted("2023-04-18T00:55:30Z".parse::<chrono::DateTime<Utc>>()?),
    /// ])?;
    /// let s = t.settle(&SettlementOptions::default())?;
    /// assert_eq!(s.lines.len(), 1);
    /// assert_eq!(s.lines[0].seconds, 600);
    /// assert_eq!(s.lines[0].period_start, "2023-04-18T00:00:00Z".parse::<chrono::DateTime<Utc>>()?);
    /// assert_eq!(s.lines[0].amount, dec!(0.60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settle(&self, options: &SettlementOptions) -> Result<Settlement> {
        // Counted before anything is allocated: a 1,000-year lifetime is 8.8 M lines.
        let count = self.line_count(options)?;
        if count > MAX_LINES {
            return Err(Error::TooLarge {
                what: "settlement",
                count,
                limit: MAX_LINES,
            });
        }
        let mut lines = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let summary = self.settle_with(options, |l| lines.push(l))?;
        Ok(Settlement {
            resource: self.resource.clone(),
            currency: self.currency,
            lines,
            summary,
        })
    }

    /// How many lines [`ResourceTimeline::settle`] would produce under `options`, computed
    /// from the hour grid without building them: O(number of configurations).
    ///
    /// # Errors
    ///
    /// As [`ResourceTimeline::settle_with`] for an unbounded span.
    ///
    /// ```
    /// use mediameter_billing::*;
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let life = ResourceTimeline::new("r", vec![
    ///     ResourceEvent::created(t(0)?, cfg),
    ///     ResourceEvent::deleted(t(1000 * 365 * 86_400)?), // 1,000 years
    /// ])?;
    /// assert_eq!(life.line_count(&SettlementOptions::default())?, 8_760_000);
    /// assert!(life.settle(&SettlementOptions::default()).is_err()); // refused before allocating
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn line_count(&self, options: &SettlementOptions) -> Result<u64> {
        let (from, until) = self.billed_span(options)?;
        let buckets = Buckets::new(options.zone, Granularity::HOUR);
        let mut count: u64 = 0;
        for (k, seg) in self.segments.iter().enumerate() {
            let seg_end = self
                .segments
                .get(k.saturating_add(1))
                .map_or(until, |n| n.start.min(until));
            let seg_start = seg.start.max(from);
            if seg_start >= seg_end {
                continue;
            }
            let range = TimeRange::from_unix(seg_start, seg_end)?;
            count = count.saturating_add(buckets.count(range));
        }
        Ok(count)
    }

    /// The billed span `[from, until)` in Unix seconds: the lifetime inside the window.
    fn billed_span(&self, options: &SettlementOptions) -> Result<(i64, i64)> {
        let created = self.segments.first().map_or(0, |s| s.start);
        let (mut from, mut until) = match (self.deleted, options.window) {
            (Some(d), _) => (created, d),
            (None, Some(w)) => (created, w.end().timestamp()),
            (None, None) => {
                return Err(Error::invalid(
                    "settlement window",
                    "none",
                    format!(
                        "a window: resource {} has no deletion, so its billed span is unbounded",
                        self.resource
                    ),
                ));
            }
        };
        if let Some(w) = options.window {
            // A window end with a fraction of a second bills up to the whole second before it.
            from = from.max(
                w.start()
                    .timestamp()
                    .saturating_add(i64::from(w.start().timestamp_subsec_nanos() > 0)),
            );
            until = until.min(w.end().timestamp());
        }
        Ok((from, until))
    }

    /// Settles the timeline, handing each line to `sink` in time order without collecting
    /// them (a month of 10,000 resources is millions of lines).
    ///
    /// The billed span is `[created, deletion)` intersected with `options.window` when given.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when the resource was never deleted and no window is given (the span
    /// would be unbounded); overflow.
    ///
    /// ```
    /// use mediameter_billing::*;
    /// use mediameter_core::{Currency, Money, TimeRange};
    /// use chrono::Utc;
    /// use rust_decimal_macros::dec;
    /// let cfg = Configuration::new(vec![PricedItem::new("mcu", dec!(2), Money::new(dec!(1), Currency::CNY))?])?;
    /// let t = ResourceTimeline::new("r1", vec![
    ///     ResourceEvent::created("2023-04-01T00:00:00Z".parse::<chrono::DateTime<Utc>>()?, cfg),
    /// ])?;
    /// assert!(t.settle_with(&SettlementOptions::default(), |_| {}).is_err()); // still running
    /// let day = TimeRange::new("2023-04-01T16:00:00Z".parse::<chrono::DateTime<Utc>>()?, "2023-04-02T16:00:00Z".parse::<chrono::DateTime<Utc>>()?)?;
    /// let opts = SettlementOptions::default().with_window(Some(day));
    /// let mut n = 0;
    /// let sum = t.settle_with(&opts, |_| n += 1)?;
    /// assert_eq!((n, sum.seconds, sum.total), (24, 86_400, dec!(48)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settle_with(
        &self,
        options: &SettlementOptions,
        mut sink: impl FnMut(SettlementLine),
    ) -> Result<SettlementSummary> {
        let (from, until) = self.billed_span(options)?;
        let rounding = options
            .rounding
            .unwrap_or_else(|| self.currency.minor_rounding(RoundingMode::HalfUp));
        let buckets = Buckets::new(options.zone, Granularity::HOUR);
        let hour = Decimal::from(HOUR_SECONDS);
        let mut summary = SettlementSummary::default();
        let mut carry = Decimal::ZERO;
        for (k, seg) in self.segments.iter().enumerate() {
            let seg_end = self
                .segments
                .get(k.saturating_add(1))
                .map_or(until, |n| n.start.min(until));
            let seg_start = seg.start.max(from);
            if seg_start >= seg_end {
                continue;
            }
            let price = self
                .hourly
                .get(seg.config)
                .copied()
                .ok_or_else(|| Error::overflow("configuration index"))?;
            let mut cursor = seg_start;
            for (bucket, secs) in buckets.split_seconds(seg_start, seg_end) {
                let secs32 = u32::try_from(secs).map_err(|_| Error::overflow("line seconds"))?;
                let end = cursor.saturating_add(i64::from(secs32));
                let exact = if secs32 == HOUR_SECONDS {
                    price.amount()
                } else {
                    price
                        .amount()
                        .checked_mul(Decimal::from(secs32))
                        .and_then(|v| v.checked_div(hour))
                        .ok_or_else(|| Error::overflow("settlement line amount"))?
                };
                let amount = match options.residue {
                    ResiduePolicy::PerLine => rounding.apply(exact),
                    ResiduePolicy::CarryForward => {
                        let owed = exact
                            .checked_add(carry)
                            .ok_or_else(|| Error::overflow("settlement residue"))?;
                        let rounded = rounding.apply(owed).max(rounding.apply(Decimal::ZERO));
                        carry = owed
                            .checked_sub(rounded)
                            .ok_or_else(|| Error::overflow("settlement residue"))?;
                        rounded
                    }
                };
                summary.lines = summary.lines.saturating_add(1);
                summary.seconds = summary.seconds.saturating_add(secs);
                summary.total_exact = summary
                    .total_exact
                    .checked_add(exact)
                    .ok_or_else(|| Error::overflow("settlement total"))?;
                summary.total = summary
                    .total
                    .checked_add(amount)
                    .ok_or_else(|| Error::overflow("settlement total"))?;
                sink(SettlementLine {
                    period_start: from_unix(bucket),
                    start: from_unix(cursor),
                    end: from_unix(end),
                    seconds: secs32,
                    configuration: seg.config,
                    hourly_price: price,
                    amount_exact: exact,
                    amount,
                });
                cursor = end;
            }
        }
        summary.residue = carry;
        // Written with the line scale even when there were no lines (0.00, not 0).
        summary.total = rounding.apply(summary.total);
        Ok(summary)
    }
}

/// Checks that timelines of the same resource id do not overlap: a resource id may be reused
/// after its deletion started, never while it is still billed.
///
/// # Errors
///
/// [`Error::Timeline`] naming the resource and the position of the second timeline when two
/// lifetimes of one resource overlap (a timeline without a deletion runs forever).
///
/// ```
/// use mediameter_billing::*;
/// use mediameter_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
/// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
/// let life = |from, to| -> Result<ResourceTimeline, Box<dyn std::error::Error>> {
///     Ok(ResourceTimeline::new("r1", vec![
///         ResourceEvent::created(t(from)?, cfg.clone()),
///         ResourceEvent::deleted(t(to)?),
///     ])?)
/// };
/// assert!(check_no_overlap(&[life(0, 100)?, life(100, 200)?]).is_ok());
/// assert!(check_no_overlap(&[life(0, 100)?, life(50, 200)?]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_no_overlap(timelines: &[ResourceTimeline]) -> Result<()> {
    let mut spans: Vec<(&str, i64, i64, usize)> = timelines
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                t.resource.as_str(),
                t.segments.first().map_or(0, |s| s.start),
                t.deleted.unwrap_or(i64::MAX),
                i,
            )
        })
        .collect();
    spans.sort_unstable();
    for pair in spans.windows(2) {
        if let [a, b] = pair
            && a.0 == b.0
            && b.1 < a.2
        {
            let later = timelines.get(b.3).map_or_else(String::new, |t| {
                format!("created at {}", t.created_at().to_rfc3339())
            });
            return Err(Error::Timeline {
                event: later,
                problem: format!(
                    "overlaps the lifetime of resources[{}], the same resource",
                    a.3
                ),
            }
            .at(format!("resources[{}] (resource {})", b.3, b.0)));
        }
    }
    Ok(())
}

/// Settles a set of timelines: checks that lifetimes of one resource id do not overlap
/// ([`check_no_overlap`]) and that all of them together stay within [`MAX_LINES`] lines
/// (counted from the hour grid before any line is built), then settles each.
///
/// Nothing is settled when any check fails: the count comes first, so a set that would need
/// more than [`MAX_LINES`] lines allocates none of them.
///
/// # Errors
///
/// As [`check_no_overlap`]; [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) over
/// [`MAX_LINES`] lines in all, with the count of the whole set, located at the timeline that
/// takes the running total over the cap (`resources[i]: settlement would produce ...`); errors
/// of [`ResourceTimeline::settle`] located at the timeline's position, `resources[i]`.
///
/// ```
/// use mediameter_billing::*;
/// use mediameter_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let cfg = Configuration::new(vec![PricedItem::new("mcu", dec!(1), Money::new(dec!(3.60), Currency::CNY))?])?;
/// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
/// // Huawei Cloud iDME billing manual: created 08:45:30, deleted 08:55:30 GMT+8 → 600 s.
/// let life = ResourceTimeline::new("r1", vec![
///     ResourceEvent::created(t(1_681_778_730)?, cfg),
///     ResourceEvent::deleted(t(1_681_779_330)?),
/// ])?;
/// let settled = settle_all(&[life], &SettlementOptions::default())?;
/// assert_eq!((settled[0].summary.seconds, settled[0].summary.total), (600, dec!(0.60)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn settle_all(
    timelines: &[ResourceTimeline],
    options: &SettlementOptions,
) -> Result<Vec<Settlement>> {
    check_no_overlap(timelines)?;
    let mut total: u64 = 0;
    // The first timeline that takes the running total over the cap.
    let mut passed_at: Option<usize> = None;
    for (i, t) in timelines.iter().enumerate() {
        let n = t
            .line_count(options)
            .map_err(|e| e.at(format!("resources[{i}]")))?;
        total = total.saturating_add(n);
        if total > MAX_LINES && passed_at.is_none() {
            passed_at = Some(i);
        }
    }
    if let Some(i) = passed_at {
        return Err(Error::TooLarge {
            what: "settlement",
            count: total,
            limit: MAX_LINES,
        }
        .at(format!("resources[{i}]")));
    }
    timelines
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.settle(options)
                .map_err(|e| e.at(format!("resources[{i}]")))
        })
        .collect()
}

fn from_unix(secs: i64) -> DateTime<Utc> {
    // Timeline instants are validated to years 0001–9999.
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// How the sub-cent remainders of rounded lines are handled.
///
/// ```
/// use mediameter_billing::ResiduePolicy;
/// assert_eq!(ResiduePolicy::default(), ResiduePolicy::CarryForward);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ResiduePolicy {
    /// Each line is rounded after adding the remainder left by the previous line of the same
    /// resource, and leaves its own remainder to the next. The remainder never exceeds one
    /// rounding step, so the sum of the rounded lines stays within one step (one cent) of the
    /// exact total rounded once, however many lines a month has. A line whose carried amount
    /// would round below zero is billed zero and keeps the remainder.
    #[default]
    CarryForward,
    /// Each line is rounded on its own. Simple and local, but over a month of hourly lines the
    /// sum may drift from the exact total by up to half a cent per line.
    PerLine,
}

/// How to settle: billing zone (hour grid), line rounding, residue policy, optional window.
///
/// ```
/// use mediameter_billing::SettlementOptions;
/// use mediameter_core::{BillingZone, Rounding};
/// let o = SettlementOptions::default();
/// assert_eq!((o.zone, o.rounding), (BillingZone::GMT8, None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct SettlementOptions {
    /// Zone whose hour grid the periods follow (GMT+8 by default, Huawei Cloud iDME billing manual).
    pub zone: BillingZone,
    /// Rounding of each line. `None` (the default): the currency's minor unit (ISO 4217: 2
    /// places for CNY and USD, 0 for JPY, 3 for KWD), half-up.
    pub rounding: Option<Rounding>,
    /// Residue handling (carry forward by default).
    pub residue: ResiduePolicy,
    /// Only the part of the lifetime inside this range is settled (e.g. a billing month).
    pub window: Option<TimeRange>,
}

impl Default for SettlementOptions {
    fn default() -> Self {
        SettlementOptions {
            zone: BillingZone::GMT8,
            rounding: None,
            residue: ResiduePolicy::CarryForward,
            window: None,
        }
    }
}

/// Setters for the common case, since the struct is `#[non_exhaustive]` (a literal cannot be
/// written outside this crate): start from `default()` and change what differs.
///
/// ```
/// use mediameter_billing::{ResiduePolicy, SettlementOptions};
/// use mediameter_core::BillingZone;
/// let o = SettlementOptions::default().with_zone(BillingZone::UTC).with_residue(ResiduePolicy::PerLine);
/// assert_eq!((o.zone, o.residue, o.window), (BillingZone::UTC, ResiduePolicy::PerLine, None));
/// ```
impl SettlementOptions {
    /// This options with periods on `zone`'s hour grid.
    #[must_use]
    pub const fn with_zone(mut self, zone: BillingZone) -> Self {
        self.zone = zone;
        self
    }

    /// This options with each line rounded by `rounding` (`None`: the currency's minor unit).
    #[must_use]
    pub const fn with_rounding(mut self, rounding: Option<Rounding>) -> Self {
        self.rounding = rounding;
        self
    }

    /// This options with `residue` handling.
    #[must_use]
    pub const fn with_residue(mut self, residue: ResiduePolicy) -> Self {
        self.residue = residue;
        self
    }

    /// This options settling only inside `window`.
    #[must_use]
    pub const fn with_window(mut self, window: Option<TimeRange>) -> Self {
        self.window = window;
        self
    }
}

/// One billing line: the part of one settlement period during which one configuration was in
/// force. Never crosses an hour boundary of the billing zone.
///
/// ```
/// use mediameter_billing::*;
/// use mediameter_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
/// let cfg = Configuration::new(vec![PricedItem::new("mcu", dec!(1), Money::new(dec!(3.6), Currency::CNY))?])?;
/// let r = ResourceTimeline::new("r1", vec![
///     ResourceEvent::created(t(0)?, cfg),
///     ResourceEvent::deleted(t(600)?),
/// ])?;
/// let l = &r.settle(&SettlementOptions::default())?.lines[0];
/// assert_eq!((l.start, l.end, l.seconds), (t(0)?, t(600)?, 600));
/// assert_eq!((l.amount_exact, l.amount), (dec!(0.6), dec!(0.60)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SettlementLine {
    /// Start of the settlement period (the hour) in UTC.
    pub period_start: DateTime<Utc>,
    /// Start of the billed part (UTC).
    pub start: DateTime<Utc>,
    /// End of the billed part (exclusive).
    pub end: DateTime<Utc>,
    /// Billed seconds (`end − start`).
    pub seconds: u32,
    /// Index of the configuration in force ([`ResourceTimeline::configurations`]).
    pub configuration: usize,
    /// That configuration's price per hour.
    pub hourly_price: Money,
    /// `hourly price × seconds ÷ 3600`, unrounded.
    pub amount_exact: Decimal,
    /// The billed amount, rounded per [`SettlementOptions::rounding`] and
    /// [`SettlementOptions::residue`].
    pub amount: Decimal,
}

/// Totals of a settlement.
///
/// ```
/// let s = mediameter_billing::SettlementSummary::default();
/// assert_eq!(s.lines, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SettlementSummary {
    /// Number of lines.
    pub lines: u64,
    /// Billed seconds (the lifetime inside the window).
    pub seconds: u64,
    /// Σ exact amounts.
    pub total_exact: Decimal,
    /// Σ rounded amounts: the amount billed.
    pub total: Decimal,
    /// The remainder still carried after the last line (zero under
    /// [`ResiduePolicy::PerLine`]): `total_exact − total`.
    pub residue: Decimal,
}

/// A resource's settlement: its lines and totals.
///
/// ```
/// # use mediameter_billing::*; use rust_decimal_macros::dec;
/// # let cfg = Configuration::new(vec![PricedItem::new("m", dec!(1), Money::new(dec!(1), Currency::CNY))?])?;
/// let t = ResourceTimeline::new("r", vec![
///     ResourceEvent::created(chrono::DateTime::UNIX_EPOCH, cfg),
///     ResourceEvent::deleted(chrono::DateTime::from_timestamp(5400, 0).ok_or("out of range")?),
/// ])?;
/// let s = t.settle(&SettlementOptions::default())?;
/// assert_eq!(s.summary.total, dec!(1.50));
/// assert_eq!(s.lines.iter().map(|l| l.amount).sum::<rust_decimal::Decimal>(), s.summary.total);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Settlement {
    /// The resource.
    pub resource: String,
    /// Currency of every amount.
    pub currency: Currency,
    /// The lines, in time order.
    pub lines: Vec<SettlementLine>,
    /// Totals.
    pub summary: SettlementSummary,
}
