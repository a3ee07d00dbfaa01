//! Prepaid resource packs and the deduction engine (Alibaba Cloud RTC pricing "预付费资源包",
//! "使用说明", "售后说明").
//!
//! * A pack takes effect at purchase and can be drawn only until it expires; each pack's
//!   validity is its own (validities never add up).
//! * Packs stack: usage is drawn from the packs valid at the usage instant and sold for the
//!   usage's product, **earliest expiry first**. Ties (the vendor does not say) are broken by
//!   purchase instant, then by pack id (byte order): deterministic whatever the insertion order.
//! * What no pack can cover overflows to pay-as-you-go; the ledger says how much each pack
//!   absorbed and how much overflowed, per usage item.
//! * Optional per-spec deduction coefficients: one minute of a spec draws `coefficient`
//!   minutes from the pack. A pack without a table draws every spec at 1; a pack with a table
//!   deducts only the specs it lists.
//! * Quantities are kept in base units: seconds for time (minutes and hours convert exactly
//!   into seconds), counts for counts. A time pack never deducts count usage or the reverse.
//!
//! # Idempotency
//!
//! Usage pipelines deliver at least once, so each [`UsageItem`] carries an id: a partition
//! number and a sequence number inside it (as a log offset). The engine remembers which ids it
//! has applied as a set of disjoint intervals per partition: a dense sequence (0, 1, 2, ... or
//! any start) costs one interval whatever its length, so the state grows with the number of
//! packs, partitions and gaps, not with the number of items. Replaying an applied id changes
//! nothing. The content of a replayed item is not compared with the original (that would need
//! the items kept): an id is a promise that the content is the same.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use mediameter_core::{MediaSpec, ProductType, Quantity, Unit};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// Refunds are allowed up to this long after purchase (Alibaba Cloud RTC pricing: "未超过7日").
pub const REFUND_WINDOW_DAYS: i64 = 7;

/// Scale to which a partial draw with an inexact coefficient is truncated (see
/// [`PackEngine::deduct`]).
pub const PARTIAL_DRAW_SCALE: u32 = 12;

/// Most packs an engine holds.
pub const MAX_PACKS: usize = 1_000_000;

mediameter_core::id_type!(
    /// A pack identifier, defined like core's ids (`mediameter_core::id_type!`): it prints,
    /// parses back, converts from strings with `TryFrom`, and its errors are core's
    /// (`Error::Core` once inside billing's error).
    PackId, "pack id", 128, "pk-2023-001", "mediameter_billing"
);

/// A deduction coefficient: one unit of `spec` usage draws `coefficient` units from the pack.
///
/// Checked as part of its [`Pack`] (see [`Pack::with_coefficient`]).
///
/// An output: read from [`Pack::coefficients`], never built outside the crate, so it is
/// `#[non_exhaustive]` (an entry may grow a validity window, say) and its fields are public to
/// read. A coefficient reaches an engine only through [`Pack::with_coefficient`] or a pack's
/// deserialization, which both check it with the rest of the table (above zero, at most
/// 1,000,000 and 6 decimal places, one per spec); a coefficient alone reaches no
/// computation, so it is not a validated type of its own.
///
/// ```
/// use mediameter_billing::Pack;
/// use mediameter_core::{MediaSpec, VideoTier};
/// use rust_decimal_macros::dec;
/// let t = chrono::DateTime::UNIX_EPOCH;
/// let pack = Pack::minutes("p", "rtc".parse()?, dec!(10), t, t + chrono::TimeDelta::days(1))?
///     .with_coefficient(MediaSpec::Video(VideoTier::P1080), dec!(4))?;
/// let c = pack.coefficients()[0];
/// assert_eq!((c.spec.as_str(), c.coefficient), ("1080p", dec!(4)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```compile_fail,E0639
/// use mediameter_billing::Coefficient;
/// use mediameter_core::MediaSpec;
/// let c = Coefficient { spec: MediaSpec::Audio, coefficient: rust_decimal::Decimal::from(4) };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Coefficient {
    /// The media spec.
    pub spec: MediaSpec,
    /// Pack units drawn per unit of usage; above zero.
    pub coefficient: Decimal,
}

/// A prepaid resource pack as sold: validated on construction and on deserialization.
///
/// Built the way a price page reads: what, how much, when bought, until when, and the
/// deduction coefficients if the pack has a table.
///
/// ```
/// use mediameter_billing::Pack;
/// use mediameter_core::{ProductType, Quantity, Unit};
/// use chrono::{DateTime, Utc};
/// use rust_decimal_macros::dec;
/// let bought: DateTime<Utc> = "2023-04-01T00:00:00Z".parse()?;
/// let pack = Pack::new("p1", ProductType::new("rtc")?, Quantity::new(dec!(1000), Unit::Minute)?,
///     bought, "2024-04-01T00:00:00Z".parse()?)?
///     .with_coefficient("1080p".parse()?, dec!(2))?;
/// assert_eq!(pack.coefficient("1080p".parse()?), Some(dec!(2)));
/// assert_eq!(pack.coefficient("audio".parse()?), None); // a table lists what it deducts
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// In JSON: `{"id", "product", "quantity": {"value", "unit"}, "purchased_at", "expires_at",
/// "coefficients"?: [{"spec", "coefficient"}]}`; any other field is refused.
///
/// The fields are private: a pack that expires before it is bought, or holds nothing, cannot
/// be written as a literal past [`Pack::new`].
///
/// ```compile_fail,E0451
/// use mediameter_billing::Pack;
/// let t = chrono::DateTime::UNIX_EPOCH;
/// let pack = Pack {
///     id: "p1".parse()?,
///     product: "rtc".parse()?,
///     quantity: "0 minute".parse()?,
///     purchased_at: t,
///     expires_at: t,
///     coefficients: Vec::new(),
/// };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "PackRepr", into = "PackRepr"))]
pub struct Pack {
    id: PackId,
    product: ProductType,
    quantity: Quantity,
    purchased_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    coefficients: Vec<Coefficient>,
}

/// The outside form of a [`Pack`].
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PackRepr {
    id: PackId,
    product: ProductType,
    quantity: Quantity,
    purchased_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    coefficients: Vec<Coefficient>,
}

#[cfg(feature = "serde")]
impl TryFrom<PackRepr> for Pack {
    type Error = Error;

    fn try_from(r: PackRepr) -> Result<Self> {
        let pack = Pack {
            id: r.id,
            product: r.product,
            quantity: r.quantity,
            purchased_at: r.purchased_at,
            expires_at: r.expires_at,
            coefficients: r.coefficients,
        };
        pack.validate()?;
        Ok(pack)
    }
}

#[cfg(feature = "serde")]
impl From<Pack> for PackRepr {
    fn from(p: Pack) -> Self {
        PackRepr {
            id: p.id,
            product: p.product,
            quantity: p.quantity,
            purchased_at: p.purchased_at,
            expires_at: p.expires_at,
            coefficients: p.coefficients,
        }
    }
}

/// Most coefficients a pack's table holds (one per spec).
const MAX_COEFFICIENTS: usize = MediaSpec::ALL.len();

/// Largest coefficient accepted, and most decimal places: `usage × coefficient` stays exact.
const MAX_COEFFICIENT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
const MAX_COEFFICIENT_SCALE: u32 = 6;

/// Whether `t` is inside years 0001–9999 (the instants core accepts everywhere else).
fn instant_in_range(t: DateTime<Utc>) -> bool {
    (mediameter_core::time::MIN_UNIX_SECONDS..mediameter_core::time::END_UNIX_SECONDS)
        .contains(&t.timestamp())
}

const INSTANT_EXPECTED: &str = "an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z";

impl Pack {
    /// A pack of `quantity` of `product`, bought at `purchased_at` and drawable until
    /// `expires_at` (exclusive), deducting every spec at coefficient 1 until
    /// [`Pack::with_coefficient`] gives it a table.
    ///
    /// # Errors
    ///
    /// [`Error::Core`] for an invalid id; [`Error::Invalid`] naming the pack and the field: a quantity of zero or
    /// less, an instant outside years 0001–9999, an expiry not after the purchase.
    ///
    /// ```
    /// use mediameter_billing::Pack;
    /// use mediameter_core::{ProductType, Quantity, Unit};
    /// let t = chrono::DateTime::UNIX_EPOCH;
    /// let zero = Quantity::new(0.into(), Unit::Minute)?;
    /// assert!(Pack::new("p", ProductType::new("rtc")?, zero, t, t).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        id: impl AsRef<str>,
        product: ProductType,
        quantity: Quantity,
        purchased_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Self> {
        let pack = Pack {
            id: PackId::new(id.as_ref())?,
            product,
            quantity,
            purchased_at,
            expires_at,
            coefficients: Vec::new(),
        };
        pack.validate()?;
        Ok(pack)
    }

    /// A pack of `minutes` of `product`, as a price page sells it ("1,000-minute RTC pack,
    /// valid one year"): [`Pack::new`] with a quantity in [`Unit::Minute`].
    ///
    /// # Errors
    ///
    /// As [`Pack::new`]; a negative number of minutes is a core error.
    ///
    /// ```
    /// use mediameter_billing::{DateTime, Pack, Unit, Utc};
    /// use rust_decimal_macros::dec;
    /// let bought: DateTime<Utc> = "2023-04-01T00:00:00Z".parse()?;
    /// let pack = Pack::minutes("pk-1", "rtc".parse()?, dec!(1000), bought, "2024-04-01T00:00:00Z".parse()?)?;
    /// assert_eq!((pack.quantity().value(), pack.quantity().unit()), (dec!(1000), Unit::Minute));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn minutes(
        id: impl AsRef<str>,
        product: ProductType,
        minutes: Decimal,
        purchased_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Self> {
        let quantity = Quantity::new(minutes, Unit::Minute)?;
        Pack::new(id, product, quantity, purchased_at, expires_at)
    }

    /// The pack with a deduction coefficient for `spec`: one unit of `spec` usage draws
    /// `coefficient` units. Once a pack has a table it deducts only the specs listed.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a coefficient of zero or less, above 1,000,000 or with more
    /// than 6 decimal places, or a second coefficient for the same spec.
    ///
    /// ```
    /// use mediameter_billing::Pack;
    /// use mediameter_core::{MediaSpec, ProductType, Quantity, Unit};
    /// use rust_decimal_macros::dec;
    /// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let pack = Pack::new("p", ProductType::new("rtc")?, Quantity::new(dec!(1), Unit::Hour)?, t(0)?, t(60)?)?;
    /// let pack = pack.with_coefficient(MediaSpec::Audio, dec!(0.25))?;
    /// assert!(pack.clone().with_coefficient(MediaSpec::Audio, dec!(1)).is_err()); // twice
    /// assert!(pack.with_coefficient("720p".parse()?, dec!(0)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_coefficient(mut self, spec: MediaSpec, coefficient: Decimal) -> Result<Self> {
        self.coefficients.push(Coefficient { spec, coefficient });
        self.validate()?;
        Ok(self)
    }

    /// The pack id.
    #[must_use]
    pub fn id(&self) -> &PackId {
        &self.id
    }

    /// The product whose usage this pack may deduct (an RTC pack deducts RTC usage only).
    #[must_use]
    pub fn product(&self) -> &ProductType {
        &self.product
    }

    /// What was bought.
    #[must_use]
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }

    /// Purchase instant: the pack takes effect at once.
    #[must_use]
    pub fn purchased_at(&self) -> DateTime<Utc> {
        self.purchased_at
    }

    /// End of validity (exclusive): usage at or after it is not drawn from this pack.
    #[must_use]
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The coefficient table; empty means every spec at 1.
    #[must_use]
    pub fn coefficients(&self) -> &[Coefficient] {
        &self.coefficients
    }

    fn validate(&self) -> Result<()> {
        let field = |f: &str| format!("pack {}, field {f}", self.id);
        if self.quantity.value() <= Decimal::ZERO {
            return Err(Error::out_of_range(
                "pack quantity",
                self.quantity,
                "a quantity above zero",
            )
            .at(field("quantity")));
        }
        for (name, t) in [
            ("purchased_at", self.purchased_at),
            ("expires_at", self.expires_at),
        ] {
            if !instant_in_range(t) {
                return Err(
                    Error::out_of_range("pack instant", t.to_rfc3339(), INSTANT_EXPECTED)
                        .at(field(name)),
                );
            }
        }
        if self.expires_at <= self.purchased_at {
            return Err(Error::invalid(
                "pack validity",
                &format!(
                    "[{}, {})",
                    self.purchased_at.to_rfc3339(),
                    self.expires_at.to_rfc3339()
                ),
                "an expiry after the purchase",
            )
            .at(field("expires_at")));
        }
        if self.coefficients.len() > MAX_COEFFICIENTS {
            return Err(Error::too_large(
                "deduction coefficients",
                self.coefficients.len(),
                MAX_COEFFICIENTS,
            )
            .at(field("coefficients")));
        }
        for (i, c) in self.coefficients.iter().enumerate() {
            let v = c.coefficient;
            if v <= Decimal::ZERO
                || v > MAX_COEFFICIENT
                || v.normalize().scale() > MAX_COEFFICIENT_SCALE
            {
                return Err(Error::out_of_range(
                    "deduction coefficient",
                    v,
                    "a coefficient above zero, at most 1000000, with at most 6 decimal places",
                )
                .at(field(&format!("coefficients[{i}]"))));
            }
            if self.coefficients.iter().take(i).any(|o| o.spec == c.spec) {
                return Err(Error::invalid(
                    "deduction coefficient",
                    c.spec.as_str(),
                    "one coefficient per spec",
                )
                .at(field(&format!("coefficients[{i}]"))));
            }
        }
        base_value(self.quantity).map_err(|e| e.at(field("quantity")))?;
        Ok(())
    }

    /// Whether the pack can be drawn at `t` (`purchased_at <= t < expires_at`).
    ///
    /// ```
    /// # use mediameter_billing::Pack;
    /// # use mediameter_core::{ProductType, Quantity, Unit};
    /// # use rust_decimal_macros::dec;
    /// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let pack = Pack::new("p", ProductType::new("rtc")?, Quantity::new(dec!(1), Unit::Minute)?, t(10)?, t(20)?)?;
    /// assert!(pack.is_valid_at(t(10)?) && !pack.is_valid_at(t(20)?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_valid_at(&self, t: DateTime<Utc>) -> bool {
        self.purchased_at <= t && t < self.expires_at
    }

    /// The coefficient for `spec`: 1 without a table, `None` when the table omits `spec`.
    ///
    /// ```
    /// # use mediameter_billing::Pack;
    /// # use mediameter_core::{MediaSpec, ProductType, Quantity, Unit};
    /// # use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let pack = Pack::new("p", ProductType::new("rtc")?, Quantity::new(dec!(1), Unit::Minute)?, t(0)?, t(60)?)?;
    /// assert_eq!(pack.coefficient(MediaSpec::Audio), Some(dec!(1)));
    /// let pack = pack.with_coefficient(MediaSpec::Audio, dec!(0.5))?;
    /// assert_eq!(pack.coefficient(MediaSpec::Audio), Some(dec!(0.5)));
    /// assert_eq!(pack.coefficient("720p".parse()?), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn coefficient(&self, spec: MediaSpec) -> Option<Decimal> {
        if self.coefficients.is_empty() {
            return Some(Decimal::ONE);
        }
        self.coefficients
            .iter()
            .find(|c| c.spec == spec)
            .map(|c| c.coefficient)
    }

    fn order_key(&self) -> (DateTime<Utc>, DateTime<Utc>, &str) {
        (self.expires_at, self.purchased_at, self.id.as_str())
    }
}

/// The base unit of `unit`: seconds for time, counts for counts.
fn base_unit(unit: Unit) -> Unit {
    if unit.seconds().is_some() {
        Unit::Second
    } else {
        Unit::Count
    }
}

fn base_value(q: Quantity) -> Result<Decimal> {
    // Time units convert into seconds by an exact multiplication; counts stay as they are.
    match q.unit().seconds() {
        None | Some(1) => Ok(q.value()),
        Some(s) => q
            .value()
            .checked_mul(Decimal::from(s))
            .ok_or_else(|| Error::overflow("quantity in base units")),
    }
}

/// One usage item to deduct: validated on construction and on deserialization.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::UsageItem;
/// use mediameter_core::{ProductType, Quantity, Unit};
/// use rust_decimal_macros::dec;
/// let item = UsageItem::new(7, "2023-04-02T01:00:00Z".parse()?, ProductType::new("rtc")?,
///     "720p".parse()?, Quantity::new(dec!(12), Unit::Minute)?)?;
/// assert_eq!((item.partition(), item.id()), (0, 7));
///
/// let json = r#"{"id": 7, "at": "2023-04-02T01:00:00Z", "product": "rtc", "spec": "720p",
///                "quantity": {"value": "12", "unit": "minute"}}"#;
/// assert_eq!(serde_json::from_str::<UsageItem>(json)?, item);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// In JSON: `{"partition"?: 0, "id", "at", "product", "spec", "quantity": {"value", "unit"}}`;
/// any other field is refused.
///
/// The fields are private: an item of zero quantity, or dated in year 10000, cannot be
/// written as a literal past [`UsageItem::new`]:
///
/// ```compile_fail,E0451
/// use mediameter_billing::UsageItem;
/// use mediameter_core::{MediaSpec, ProductType, Quantity, Unit};
/// let item = UsageItem {
///     partition: 0,
///     id: 7,
///     at: chrono::DateTime::<chrono::Utc>::MAX_UTC,
///     product: ProductType::new("rtc")?,
///     spec: MediaSpec::Audio,
///     quantity: Quantity::new(0.into(), Unit::Minute)?,
/// };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "UsageItemRepr", into = "UsageItemRepr")
)]
pub struct UsageItem {
    partition: u32,
    id: u64,
    at: DateTime<Utc>,
    product: ProductType,
    spec: MediaSpec,
    quantity: Quantity,
}

/// The outside form of a [`UsageItem`].
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UsageItemRepr {
    #[serde(default)]
    partition: u32,
    id: u64,
    at: DateTime<Utc>,
    product: ProductType,
    spec: MediaSpec,
    quantity: Quantity,
}

#[cfg(feature = "serde")]
impl TryFrom<UsageItemRepr> for UsageItem {
    type Error = Error;

    fn try_from(r: UsageItemRepr) -> Result<Self> {
        Ok(UsageItem::new(r.id, r.at, r.product, r.spec, r.quantity)?.in_partition(r.partition))
    }
}

#[cfg(feature = "serde")]
impl From<UsageItem> for UsageItemRepr {
    fn from(i: UsageItem) -> Self {
        UsageItemRepr {
            partition: i.partition,
            id: i.id,
            at: i.at,
            product: i.product,
            spec: i.spec,
            quantity: i.quantity,
        }
    }
}

impl UsageItem {
    /// The usage item `id` of partition 0: `quantity` of `product` in `spec`, used at `at`.
    ///
    /// The id is the item's sequence number in its delivery partition (as a log offset):
    /// the engine applies each `(partition, id)` once, and dense sequences keep it small.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] naming the item and the field: a quantity of zero or less or too
    /// large to convert to base units, an instant outside years 0001–9999.
    ///
    /// ```
    /// use mediameter_billing::UsageItem;
    /// use mediameter_core::{MediaSpec, ProductType, Quantity, Unit};
    /// let year_10000 = chrono::DateTime::from_timestamp(253_402_300_800, 0).ok_or("out of range")?;
    /// let q = Quantity::new(1.into(), Unit::Minute)?;
    /// let err = UsageItem::new(1, year_10000, ProductType::new("rtc")?, MediaSpec::Audio, q).unwrap_err();
    /// assert!(err.to_string().contains("(partition 0, id 1), field at"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        id: u64,
        at: DateTime<Utc>,
        product: ProductType,
        spec: MediaSpec,
        quantity: Quantity,
    ) -> Result<Self> {
        let item = UsageItem {
            partition: 0,
            id,
            at,
            product,
            spec,
            quantity,
        };
        item.validate()?;
        Ok(item)
    }

    /// `seconds` of `product` at `spec`, metered at `at`: [`UsageItem::new`] with a quantity in
    /// [`Unit::Second`], the form metered usage arrives in (statements round to minutes once).
    ///
    /// # Errors
    ///
    /// As [`UsageItem::new`].
    ///
    /// ```
    /// use mediameter_billing::{MediaSpec, Unit, UsageItem};
    /// let item = UsageItem::seconds(1, "2023-04-02T01:00:00Z".parse()?, "rtc".parse()?, MediaSpec::Audio, 90)?;
    /// assert_eq!((item.quantity().value(), item.quantity().unit()), (90.into(), Unit::Second));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seconds(
        id: u64,
        at: DateTime<Utc>,
        product: ProductType,
        spec: MediaSpec,
        seconds: u64,
    ) -> Result<Self> {
        let quantity = Quantity::new(Decimal::from(seconds), Unit::Second)?;
        UsageItem::new(id, at, product, spec, quantity)
    }

    /// `minutes` of `product` at `spec`, used at `at`: [`UsageItem::new`] with a quantity in
    /// [`Unit::Minute`].
    ///
    /// # Errors
    ///
    /// As [`UsageItem::new`]; a negative number of minutes is a core error.
    ///
    /// ```
    /// use mediameter_billing::UsageItem;
    /// use rust_decimal_macros::dec;
    /// let item = UsageItem::minutes(1, "2023-04-02T01:00:00Z".parse()?, "rtc".parse()?, "720p".parse()?, dec!(1.5))?;
    /// assert_eq!(item.quantity().to_string(), "1.5 minute");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn minutes(
        id: u64,
        at: DateTime<Utc>,
        product: ProductType,
        spec: MediaSpec,
        minutes: Decimal,
    ) -> Result<Self> {
        let quantity = Quantity::new(minutes, Unit::Minute)?;
        UsageItem::new(id, at, product, spec, quantity)
    }

    /// The same item in delivery partition `partition` (ids are unique inside a partition).
    ///
    /// ```
    /// # use mediameter_billing::UsageItem;
    /// # use mediameter_core::{MediaSpec, ProductType, Quantity, Unit};
    /// let q = Quantity::new(1.into(), Unit::Minute)?;
    /// let item = UsageItem::new(1, chrono::DateTime::UNIX_EPOCH, ProductType::new("rtc")?, MediaSpec::Audio, q)?;
    /// assert_eq!(item.in_partition(3).partition(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn in_partition(mut self, partition: u32) -> Self {
        self.partition = partition;
        self
    }

    /// The delivery partition (0 unless [`UsageItem::in_partition`] says otherwise).
    #[must_use]
    pub fn partition(&self) -> u32 {
        self.partition
    }

    /// Sequence number of the item in its partition.
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// When the usage happened.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The product used.
    #[must_use]
    pub fn product(&self) -> &ProductType {
        &self.product
    }

    /// The media spec.
    #[must_use]
    pub fn spec(&self) -> MediaSpec {
        self.spec
    }

    /// How much (above zero).
    #[must_use]
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }

    /// `"usage item (partition P, id N), field F"`: where an error about this item is.
    fn place(&self, field: &str) -> String {
        format!(
            "usage item (partition {}, id {}), field {field}",
            self.partition, self.id
        )
    }

    fn validate(&self) -> Result<()> {
        if self.quantity.value() <= Decimal::ZERO {
            return Err(Error::out_of_range(
                "usage quantity",
                self.quantity,
                "a quantity above zero",
            )
            .at(self.place("quantity")));
        }
        if !instant_in_range(self.at) {
            return Err(Error::out_of_range(
                "usage instant",
                self.at.to_rfc3339(),
                INSTANT_EXPECTED,
            )
            .at(self.place("at")));
        }
        base_value(self.quantity).map_err(|e| e.at(self.place("quantity")))?;
        Ok(())
    }
}

/// Where a ledger line's usage went.
///
/// ```
/// use mediameter_billing::{LedgerSource, PackId};
/// assert_eq!(LedgerSource::Pack(PackId::new("p1")?).pack().ok_or("missing pack")?.as_str(), "p1");
/// assert!(LedgerSource::Overflow.pack().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum LedgerSource {
    /// Drawn from this pack.
    Pack(PackId),
    /// Not covered by any pack: charged pay-as-you-go.
    Overflow,
}

impl LedgerSource {
    /// The pack, for a draw.
    ///
    /// ```
    /// assert!(mediameter_billing::LedgerSource::Overflow.pack().is_none());
    /// ```
    #[must_use]
    pub fn pack(&self) -> Option<&PackId> {
        match self {
            LedgerSource::Pack(p) => Some(p),
            LedgerSource::Overflow => None,
        }
    }
}

/// One line of the deduction ledger: part of one usage item, drawn from one pack or
/// overflowing to pay-as-you-go. Quantities are in base units (`unit`: second or count).
///
/// For a draw, `drawn == usage × coefficient` exactly; for an overflow, `drawn` is zero and
/// `coefficient` is 1. The `usage` of an item's lines adds up to the item's quantity exactly.
///
/// ```
/// use mediameter_billing::{LedgerSource, PackEngine, Pack, PackId, UsageItem};
/// use mediameter_core::{ProductType, Quantity, Unit};
/// use chrono::{TimeZone, Utc};
/// use rust_decimal_macros::dec;
/// let t = |d| Utc.with_ymd_and_hms(2023, 4, d, 0, 0, 0).single().ok_or("invalid date");
/// let mut engine = PackEngine::new();
/// engine.add_pack(Pack::new("p1", ProductType::new("rtc")?, Quantity::new(dec!(10), Unit::Minute)?, t(1)?, t(30)?)?)?;
/// let item = UsageItem::new(1, t(2)?, ProductType::new("rtc")?, "720p".parse()?, Quantity::new(dec!(15), Unit::Minute)?)?;
/// let mut ledger = Vec::new();
/// engine.deduct(&item, &mut ledger)?;
/// assert_eq!(ledger.len(), 2);
/// assert_eq!((ledger[0].usage, ledger[1].source.clone()), (dec!(600), LedgerSource::Overflow));
/// assert_eq!(ledger[1].usage, dec!(300)); // 5 minutes overflow, in seconds
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LedgerLine {
    /// Partition of the item.
    pub partition: u32,
    /// Id of the item.
    pub item: u64,
    /// When the usage happened.
    pub at: DateTime<Utc>,
    /// Product of the usage.
    pub product: ProductType,
    /// Spec of the usage.
    pub spec: MediaSpec,
    /// The pack drawn, or overflow.
    pub source: LedgerSource,
    /// Usage covered by this line, in base units.
    pub usage: Decimal,
    /// Coefficient applied.
    pub coefficient: Decimal,
    /// Units drawn from the pack (`usage × coefficient`), zero for overflow.
    pub drawn: Decimal,
    /// Base unit of `usage` and `drawn`: second or count.
    pub unit: Unit,
}

/// What [`PackEngine::deduct`] did with one item.
///
/// ```
/// use mediameter_billing::Deduction;
/// assert!(Deduction::Replayed.is_replay());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Deduction {
    /// The item was deducted.
    Applied {
        /// Usage covered by packs, base units.
        covered: Decimal,
        /// Usage overflowing to pay-as-you-go, base units.
        overflow: Decimal,
    },
    /// The item's id was already applied: nothing changed.
    Replayed,
}

impl Deduction {
    /// Whether the item was a replay.
    ///
    /// ```
    /// use mediameter_billing::Deduction;
    /// assert!(!Deduction::Applied { covered: 1.into(), overflow: 0.into() }.is_replay());
    /// ```
    #[must_use]
    pub fn is_replay(&self) -> bool {
        matches!(self, Deduction::Replayed)
    }
}

/// A compact set of applied ids of one partition: sorted, disjoint, non-adjacent inclusive
/// intervals `[first, last]`. Inclusive, so that `u64::MAX` is an id like any other (a
/// half-open end would need `u64::MAX + 1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct IdSet {
    ranges: Vec<(u64, u64)>,
}

impl IdSet {
    fn contains(&self, id: u64) -> bool {
        match self.ranges.last() {
            None => return false,
            Some(&(_, last)) if id > last => return false,
            _ => {}
        }
        let pos = self.ranges.partition_point(|&(first, _)| first <= id);
        pos.checked_sub(1)
            .and_then(|p| self.ranges.get(p))
            .is_some_and(|&(first, last)| first <= id && id <= last)
    }

    /// Inserts an id known not to be in the set.
    fn insert(&mut self, id: u64) {
        // `id - 1` and `id + 1` as neighbours; none below 0 or above u64::MAX.
        let before = id.checked_sub(1);
        let after = id.checked_add(1);
        if let Some(last) = self.ranges.last_mut()
            && Some(last.1) == before
        {
            last.1 = id;
            return;
        }
        let pos = self.ranges.partition_point(|&(first, _)| first <= id);
        let joins_prev = pos
            .checked_sub(1)
            .and_then(|p| self.ranges.get(p))
            .is_some_and(|&(_, last)| Some(last) == before);
        let joins_next = self
            .ranges
            .get(pos)
            .is_some_and(|&(first, _)| Some(first) == after);
        match (joins_prev, joins_next) {
            (true, true) => {
                let last = self.ranges.get(pos).map_or(id, |r| r.1);
                if let Some(prev) = pos.checked_sub(1).and_then(|p| self.ranges.get_mut(p)) {
                    prev.1 = last;
                }
                self.ranges.remove(pos);
            }
            (true, false) => {
                if let Some(prev) = pos.checked_sub(1).and_then(|p| self.ranges.get_mut(p)) {
                    prev.1 = id;
                }
            }
            (false, true) => {
                if let Some(r) = self.ranges.get_mut(pos) {
                    r.0 = id;
                }
            }
            (false, false) => self.ranges.insert(pos, (id, id)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PackState {
    pack: Pack,
    unit: Unit,
    quantity: Decimal,
    balance: Decimal,
    drawn: Decimal,
    refunded: bool,
    coef: [Option<Decimal>; 6],
    purchased: i64,
    expires: i64,
    /// Position in its product's deduction order.
    pos: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ProductIndex {
    /// Pack indexes in deduction order: expiry, then purchase, then id.
    order: Vec<usize>,
    /// Expiry (Unix seconds, rounded up) of each pack in `order`, for binary search.
    expiries: Vec<i64>,
    /// Skip pointers over exhausted packs (`next[p] == p` while pack at `p` has balance).
    next: Vec<usize>,
}

impl ProductIndex {
    fn find(&mut self, mut p: usize) -> usize {
        // Path halving: amortised near-constant time.
        loop {
            let Some(&n) = self.next.get(p) else { return p };
            if n == p {
                return p;
            }
            let nn = self.next.get(n).copied().unwrap_or(n);
            if let Some(slot) = self.next.get_mut(p) {
                *slot = nn;
            }
            p = n;
        }
    }

    fn exhaust(&mut self, p: usize) {
        if let Some(slot) = self.next.get_mut(p) {
            *slot = p.saturating_add(1);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Watch {
    product: ProductType,
    threshold: Quantity,
    signaled: bool,
}

/// The balance of one pack.
///
/// ```
/// # use mediameter_billing::*; use rust_decimal_macros::dec;
/// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
/// let mut e = PackEngine::new();
/// e.add_pack(Pack::new("p", ProductType::new("rtc")?, Quantity::new(dec!(2), Unit::Minute)?, t(0)?, t(100)?)?)?;
/// assert_eq!(e.balances()[0].remaining, dec!(120));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PackBalance {
    /// The pack.
    pub id: PackId,
    /// Its product.
    pub product: ProductType,
    /// Base unit of the figures below.
    pub unit: Unit,
    /// Bought, in base units.
    pub quantity: Decimal,
    /// Drawn so far.
    pub drawn: Decimal,
    /// Left (`quantity − drawn`, zero once refunded).
    pub remaining: Decimal,
    /// End of validity.
    pub expires_at: DateTime<Utc>,
    /// Whether the pack was refunded.
    pub refunded: bool,
}

/// A signal that the valid balance of a product fell below a watched threshold.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::LowBalance;
/// use mediameter_core::Unit;
/// // As stored or sent on: built by the engine, read back by whoever acts on it.
/// let s: LowBalance = serde_json::from_str(
///     r#"{"product": "rtc", "remaining": "5", "threshold": "60", "unit": "second"}"#,
/// )?;
/// assert!(s.remaining < s.threshold && s.unit == Unit::Second);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LowBalance {
    /// The product.
    pub product: ProductType,
    /// Balance left in packs valid at the instant checked, base units.
    pub remaining: Decimal,
    /// The watched threshold, base units.
    pub threshold: Decimal,
    /// Base unit.
    pub unit: Unit,
}

/// Why a refund is refused (Alibaba Cloud RTC pricing "售后说明").
///
/// `Display` is a sentence for a message, not a value format, so it has no `FromStr`; the
/// JSON form (`{"reason": "already_refunded"}`) is the one that reads back.
///
/// ```
/// use mediameter_billing::RefundRefusal;
/// assert_eq!(RefundRefusal::AlreadyRefunded.to_string(), "the pack was already refunded");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "reason", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RefundRefusal {
    /// More than 7 days since purchase.
    TooLate {
        /// The last instant a refund was possible.
        deadline: DateTime<Utc>,
    },
    /// Part of the pack was consumed.
    Consumed {
        /// Base units drawn.
        drawn: Decimal,
    },
    /// The pack has expired (remaining quantity of an expired pack is never refunded).
    Expired {
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
    /// Refunded before.
    AlreadyRefunded,
}

impl fmt::Display for RefundRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefundRefusal::TooLate { deadline } => write!(
                f,
                "more than 7 days since purchase (refundable until {})",
                deadline.to_rfc3339()
            ),
            RefundRefusal::Consumed { drawn } => {
                write!(f, "the pack was consumed ({drawn} base units drawn)")
            }
            RefundRefusal::Expired { expired_at } => {
                write!(f, "the pack expired at {}", expired_at.to_rfc3339())
            }
            RefundRefusal::AlreadyRefunded => f.write_str("the pack was already refunded"),
        }
    }
}

/// The answer of a refund check.
///
/// ```
/// use mediameter_billing::{RefundDecision, RefundRefusal};
/// assert!(!RefundDecision::Refused(RefundRefusal::AlreadyRefunded).is_allowed());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "decision", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RefundDecision {
    /// The pack may be refunded in full.
    Allowed,
    /// The pack may not be refunded, and why.
    Refused(RefundRefusal),
}

impl RefundDecision {
    /// Whether the refund is allowed.
    ///
    /// ```
    /// assert!(mediameter_billing::RefundDecision::Allowed.is_allowed());
    /// ```
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        matches!(self, RefundDecision::Allowed)
    }
}

/// What a batch did: see [`PackEngine::deduct_batch`].
///
/// ```
/// let r = mediameter_billing::BatchReport::default();
/// assert_eq!(r.applied + r.replayed, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BatchReport {
    /// Items deducted.
    pub applied: u64,
    /// Items skipped as replays.
    pub replayed: u64,
    /// The ledger lines of the applied items, in order.
    pub ledger: Vec<LedgerLine>,
    /// Watched products whose valid balance fell below the threshold during this batch.
    pub low_balance: Vec<LowBalance>,
}

/// One planned draw, before anything is mutated.
#[derive(Debug, Clone, Copy)]
struct Draw {
    pack: usize,
    usage: Decimal,
    coefficient: Decimal,
    drawn: Decimal,
}

/// The deduction engine: packs with their balances and the ids of the items applied.
///
/// Incremental: deduct items one by one or in batches; the state serializes (feature `serde`)
/// and a later batch continues from it. Memory grows with packs, partitions and id gaps, not
/// with items (see the module docs).
///
/// Every item is validated and its draws are planned before anything is changed, so an item
/// that fails leaves the engine as it was.
///
/// ```
/// use mediameter_billing::{Pack, PackEngine, PackId, UsageItem};
/// use mediameter_core::{ProductType, Quantity, Unit};
/// use chrono::{TimeZone, Utc};
/// use rust_decimal_macros::dec;
///
/// let t = |d| Utc.with_ymd_and_hms(2023, 4, d, 0, 0, 0).single().ok_or("invalid date");
/// let rtc = ProductType::new("rtc")?;
/// let pack = |id: &str, minutes, expires| -> Result<Pack, Box<dyn std::error::Error>> {
///     Ok(Pack::new(id, rtc.clone(), Quantity::new(minutes, Unit::Minute)?, t(1)?, t(expires)?)?)
/// };
/// let mut engine = PackEngine::new();
/// engine.add_pack(pack("late", dec!(100), 30)?)?;
/// engine.add_pack(pack("early", dec!(10), 20)?)?;
/// let item = UsageItem::new(0, t(2)?, rtc.clone(), "audio".parse()?, Quantity::new(dec!(25), Unit::Minute)?)?;
/// let report = engine.deduct_batch(&[item.clone(), item])?; // the second is a replay
/// assert_eq!((report.applied, report.replayed), (1, 1));
/// let drawn: Vec<_> = report.ledger.iter()
///     .map(|l| l.source.pack().map(|p| (p.as_str(), l.usage)).ok_or("missing pack"))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(drawn, [("early", dec!(600)), ("late", dec!(900))]); // earliest expiry first
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "EngineState", into = "EngineState")
)]
pub struct PackEngine {
    packs: Vec<PackState>,
    by_id: HashMap<PackId, usize>,
    /// Few products per engine: a linear scan beats hashing a string per item.
    products: Vec<(ProductType, ProductIndex)>,
    /// Applied ids per partition, sorted by partition.
    seen: Vec<(u32, IdSet)>,
    watches: Vec<Watch>,
    scratch: Vec<Draw>,
}

/// The serialized form of a [`PackEngine`]: packs with their draws, applied ids as intervals
/// per partition, and low-balance watches.
///
/// A storage format that may gain sections, so it and its records ([`PackRecord`],
/// [`AppliedIds`], [`WatchRecord`]) are `#[non_exhaustive]`: build them with their `new`
/// (or, for this one, `Default`), read the public fields. None is checked on its own: the
/// checks (a pack's draws within it, ids sorted and disjoint, one watch per product) are made
/// when the state becomes an engine (`PackEngine::try_from`), and deserializing a
/// [`PackEngine`] goes through them.
///
/// ```
/// use mediameter_billing::{EngineState, PackEngine};
/// let state = EngineState::from(PackEngine::new());
/// assert!(state.packs.is_empty());
/// assert_eq!(PackEngine::try_from(state)?, PackEngine::new());
/// # Ok::<(), mediameter_billing::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct EngineState {
    /// Every pack with what was drawn from it.
    pub packs: Vec<PackRecord>,
    /// Applied ids.
    #[cfg_attr(feature = "serde", serde(default))]
    pub applied: Vec<AppliedIds>,
    /// Low-balance watches.
    #[cfg_attr(feature = "serde", serde(default))]
    pub watches: Vec<WatchRecord>,
}

/// A pack and its state, in [`EngineState`] (`#[non_exhaustive]`, checked there).
///
/// ```
/// use mediameter_billing::{EngineState, Pack, PackEngine, PackRecord};
/// use rust_decimal_macros::dec;
/// let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
/// let pack = Pack::minutes("p1", "rtc".parse()?, dec!(10), t(0)?, t(60)?)?;
/// let state = EngineState::new(vec![PackRecord::new(pack, dec!(120), false)], vec![], vec![]);
/// let engine = PackEngine::try_from(state)?;
/// assert_eq!(engine.balances()[0].remaining, dec!(480)); // seconds
/// // More drawn than the pack holds is refused when the state becomes an engine.
/// let pack = Pack::minutes("p1", "rtc".parse()?, dec!(10), t(0)?, t(60)?)?;
/// let over = EngineState::new(vec![PackRecord::new(pack, dec!(601), false)], vec![], vec![]);
/// assert!(PackEngine::try_from(over).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct PackRecord {
    /// The pack as sold.
    pub pack: Pack,
    /// Base units drawn.
    pub drawn: Decimal,
    /// Whether it was refunded.
    #[cfg_attr(feature = "serde", serde(default))]
    pub refunded: bool,
}

/// The applied ids of one partition as inclusive intervals `[first, last]`, in
/// [`EngineState`]. Inclusive so that every `u64` id, `u64::MAX` included, can be written.
///
/// In JSON: `{"partition": 0, "spans": [[0, 999]]}` (ids 0 to 999). The field is called
/// `spans`, not `ranges`, so that a state written by an older version with half-open
/// `ranges` is refused instead of being read one id off.
///
/// ```
/// let a = mediameter_billing::AppliedIds::new(0, vec![(0, 999)]);
/// assert_eq!(a.spans[0].1, 999);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct AppliedIds {
    /// The partition.
    pub partition: u32,
    /// Sorted, disjoint, non-adjacent inclusive intervals `[first, last]` (`first <= last`).
    pub spans: Vec<(u64, u64)>,
}

/// A low-balance watch, in [`EngineState`].
///
/// ```
/// use mediameter_billing::WatchRecord;
/// use mediameter_core::{ProductType, Quantity, Unit};
/// let w = WatchRecord::new(ProductType::new("rtc")?, Quantity::new(60.into(), Unit::Minute)?, false);
/// assert!(!w.signaled);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct WatchRecord {
    /// The product watched.
    pub product: ProductType,
    /// The threshold.
    pub threshold: Quantity,
    /// Whether the signal was given and not yet re-armed.
    #[cfg_attr(feature = "serde", serde(default))]
    pub signaled: bool,
}

impl EngineState {
    /// A state of `packs`, `applied` ids and low-balance `watches`.
    #[must_use]
    pub const fn new(
        packs: Vec<PackRecord>,
        applied: Vec<AppliedIds>,
        watches: Vec<WatchRecord>,
    ) -> Self {
        EngineState {
            packs,
            applied,
            watches,
        }
    }
}

impl PackRecord {
    /// `pack`, `drawn` base units drawn from it, and whether it was `refunded`.
    #[must_use]
    pub const fn new(pack: Pack, drawn: Decimal, refunded: bool) -> Self {
        PackRecord {
            pack,
            drawn,
            refunded,
        }
    }
}

impl AppliedIds {
    /// The applied ids of `partition` as inclusive `spans` `[first, last]`.
    #[must_use]
    pub const fn new(partition: u32, spans: Vec<(u64, u64)>) -> Self {
        AppliedIds { partition, spans }
    }
}

impl WatchRecord {
    /// A watch on `product` below `threshold`, `signaled` if the signal was given and not
    /// yet re-armed.
    #[must_use]
    pub const fn new(product: ProductType, threshold: Quantity, signaled: bool) -> Self {
        WatchRecord {
            product,
            threshold,
            signaled,
        }
    }
}

impl TryFrom<EngineState> for PackEngine {
    type Error = Error;

    fn try_from(state: EngineState) -> Result<Self> {
        let mut engine = PackEngine::new();
        for record in state.packs {
            let id = record.pack.id.clone();
            engine.insert_pack(record.pack)?;
            let idx = engine
                .by_id
                .get(&id)
                .copied()
                .ok_or_else(|| Error::UnknownPack { id: id.to_string() })?;
            let p = engine
                .packs
                .get_mut(idx)
                .ok_or_else(|| Error::UnknownPack { id: id.to_string() })?;
            if record.drawn < Decimal::ZERO || record.drawn > p.quantity {
                return Err(Error::out_of_range(
                    "pack drawn",
                    record.drawn,
                    format!("0 to {} base units in pack {id}", p.quantity),
                ));
            }
            p.drawn = record.drawn;
            p.refunded = record.refunded;
            p.balance = if record.refunded {
                Decimal::ZERO
            } else {
                p.quantity
                    .checked_sub(record.drawn)
                    .ok_or_else(|| Error::overflow("pack balance"))?
            };
        }
        for applied in state.applied {
            let mut prev_last: Option<u64> = None;
            for &(first, last) in &applied.spans {
                // Non-adjacent: the next span starts at least two ids after the previous one.
                let adjacent_or_before =
                    prev_last.is_some_and(|p| p.checked_add(1).is_none_or(|next| first <= next));
                if last < first || adjacent_or_before {
                    return Err(Error::invalid(
                        "applied id spans",
                        &format!("[{first}, {last}]"),
                        format!(
                            "sorted, disjoint, non-adjacent inclusive intervals [first, last] in partition {}",
                            applied.partition
                        ),
                    ));
                }
                prev_last = Some(last);
            }
            if engine.seen.iter().any(|(p, _)| *p == applied.partition) {
                return Err(Error::invalid(
                    "applied ids",
                    &applied.partition.to_string(),
                    "one entry per partition",
                ));
            }
            if let Some(set) = engine.seen_mut(applied.partition) {
                *set = IdSet {
                    ranges: applied.spans,
                };
            }
        }
        for w in state.watches {
            engine.watch_low_balance(w.product, w.threshold)?;
            if let Some(last) = engine.watches.last_mut() {
                last.signaled = w.signaled;
            }
        }
        engine.rebuild_all();
        Ok(engine)
    }
}

impl From<PackEngine> for EngineState {
    fn from(engine: PackEngine) -> Self {
        let applied: Vec<AppliedIds> = engine
            .seen
            .into_iter()
            .map(|(partition, set)| AppliedIds {
                partition,
                spans: set.ranges,
            })
            .collect();
        EngineState {
            packs: engine
                .packs
                .into_iter()
                .map(|p| PackRecord {
                    pack: p.pack,
                    drawn: p.drawn,
                    refunded: p.refunded,
                })
                .collect(),
            applied,
            watches: engine
                .watches
                .into_iter()
                .map(|w| WatchRecord {
                    product: w.product,
                    threshold: w.threshold,
                    signaled: w.signaled,
                })
                .collect(),
        }
    }
}

/// Two engines are equal when they hold the same packs with the same draws, the same applied
/// ids and the same watches (the lookup indexes are derived data and not compared).
impl PartialEq for PackEngine {
    fn eq(&self, other: &Self) -> bool {
        self.packs == other.packs && self.seen == other.seen && self.watches == other.watches
    }
}

impl Eq for PackEngine {}

fn product_index<'a>(
    products: &'a mut [(ProductType, ProductIndex)],
    product: &ProductType,
) -> Option<&'a mut ProductIndex> {
    products
        .iter_mut()
        .find(|(p, _)| p.as_str() == product.as_str())
        .map(|(_, i)| i)
}

/// `a × b` exactly, or `None` when the exact product does not fit a `Decimal` (more than 28
/// decimal places or a 96-bit mantissa). `Decimal::checked_mul` would round such a product
/// silently, and a rounded draw breaks conservation.
fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    let mut mantissa = a.mantissa().checked_mul(b.mantissa())?;
    let mut scale = a.scale().checked_add(b.scale())?;
    // Trailing zeros of the product are not significant: drop them before checking the fit.
    while scale > 0 && mantissa.checked_rem(10) == Some(0) && mantissa != 0 {
        mantissa = mantissa.checked_div(10)?;
        scale = scale.checked_sub(1)?;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// `a − b` exactly, or `None` when the exact difference does not fit a `Decimal`.
fn exact_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    let d = a.checked_sub(b)?;
    // Subtraction rounds only when the operands' digits do not fit together; check it.
    (d.checked_add(b)? == a && a.checked_sub(d)? == b).then_some(d.normalize())
}

/// What a pack that cannot cover the rest gives: `(usage, drawn)` with `drawn = usage ×
/// coefficient` exactly and `drawn <= balance`, or `None` when it can give nothing.
///
/// When `balance ÷ coefficient` is an exact decimal the pack is drained. Otherwise the usage
/// covered is the quotient truncated to [`PARTIAL_DRAW_SCALE`] places (a sliver below
/// `coefficient × 10⁻¹²` stays in the pack and is drawn by no one).
fn partial_draw(balance: Decimal, coef: Decimal) -> Option<(Decimal, Decimal)> {
    let q = balance.checked_div(coef)?;
    if exact_mul(q, coef) == Some(balance) {
        return Some((q.normalize(), balance.normalize()));
    }
    let mut usage = q.trunc_with_scale(PARTIAL_DRAW_SCALE);
    let step = Decimal::new(1, PARTIAL_DRAW_SCALE);
    // The quotient was rounded to 28 digits, possibly up past a truncation step: step back
    // once if the draw would exceed the balance.
    for _ in 0..2 {
        if usage <= Decimal::ZERO {
            return None;
        }
        let drawn = exact_mul(usage, coef)?;
        if drawn <= balance {
            return Some((usage.normalize(), drawn));
        }
        usage = usage.checked_sub(step)?;
    }
    None
}

fn ceil_seconds(t: DateTime<Utc>) -> i64 {
    t.timestamp()
        .saturating_add(i64::from(t.timestamp_subsec_nanos() > 0))
}

impl PackEngine {
    /// An engine with no packs.
    ///
    /// ```
    /// assert!(mediameter_billing::PackEngine::new().balances().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        PackEngine::default()
    }

    /// An engine holding `packs`.
    ///
    /// # Errors
    ///
    /// As [`PackEngine::add_pack`].
    ///
    /// ```
    /// assert!(mediameter_billing::PackEngine::with_packs(vec![])?.balances().is_empty());
    /// # Ok::<(), mediameter_billing::Error>(())
    /// ```
    pub fn with_packs(packs: Vec<Pack>) -> Result<Self> {
        let mut engine = PackEngine::new();
        for p in packs {
            engine.insert_pack(p)?;
        }
        engine.rebuild_all();
        Ok(engine)
    }

    /// The applied ids of `partition`, created empty if new. Always `Some`: the index is the
    /// one just found or inserted.
    fn seen_mut(&mut self, partition: u32) -> Option<&mut IdSet> {
        let i = match self.seen.binary_search_by_key(&partition, |(p, _)| *p) {
            Ok(i) => i,
            Err(i) => {
                self.seen.insert(i, (partition, IdSet::default()));
                i
            }
        };
        self.seen.get_mut(i).map(|(_, set)| set)
    }

    fn insert_pack(&mut self, pack: Pack) -> Result<usize> {
        pack.validate()?;
        if self.by_id.contains_key(&pack.id) {
            return Err(Error::DuplicatePack {
                id: pack.id.to_string(),
            });
        }
        if self.packs.len() >= MAX_PACKS {
            return Err(Error::too_large(
                "packs",
                self.packs.len().saturating_add(1),
                MAX_PACKS,
            ));
        }
        let quantity = base_value(pack.quantity)?;
        let mut coef = [None; 6];
        for spec in MediaSpec::ALL {
            if let Some(slot) = coef.get_mut(spec.index()) {
                *slot = pack.coefficient(spec);
            }
        }
        let idx = self.packs.len();
        self.by_id.insert(pack.id.clone(), idx);
        self.packs.push(PackState {
            unit: base_unit(pack.quantity.unit()),
            quantity,
            balance: quantity,
            drawn: Decimal::ZERO,
            refunded: false,
            coef,
            purchased: pack.purchased_at.timestamp(),
            expires: ceil_seconds(pack.expires_at),
            pos: 0,
            pack,
        });
        Ok(idx)
    }

    /// Adds a pack (a purchase).
    ///
    /// # Errors
    ///
    /// [`Error::DuplicatePack`] for an id already held; [`Error::Invalid`] for an invalid
    /// pack (see [`Pack::new`]) or too many packs.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let p = Pack::new("p", ProductType::new("rtc")?, Quantity::new(dec!(2), Unit::Minute)?, t(0)?, t(100)?)?;
    /// let mut e = PackEngine::new();
    /// e.add_pack(p.clone())?;
    /// assert_eq!(e.add_pack(p).unwrap_err().kind(), mediameter_billing::ErrorKind::DuplicatePack);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_pack(&mut self, pack: Pack) -> Result<()> {
        let product = pack.product.clone();
        self.insert_pack(pack)?;
        self.rebuild(&product);
        for w in &mut self.watches {
            if w.product == product {
                w.signaled = false;
            }
        }
        Ok(())
    }

    fn rebuild_all(&mut self) {
        let mut products: Vec<ProductType> =
            self.packs.iter().map(|p| p.pack.product.clone()).collect();
        products.sort();
        products.dedup();
        for p in products {
            self.rebuild(&p);
        }
    }

    fn rebuild(&mut self, product: &ProductType) {
        let mut order: Vec<usize> = (0..self.packs.len())
            .filter(|&i| {
                self.packs
                    .get(i)
                    .is_some_and(|p| &p.pack.product == product)
            })
            .collect();
        order.sort_by(|&a, &b| match (self.packs.get(a), self.packs.get(b)) {
            (Some(x), Some(y)) => x.pack.order_key().cmp(&y.pack.order_key()),
            _ => std::cmp::Ordering::Equal,
        });
        let mut index = ProductIndex {
            expiries: Vec::with_capacity(order.len()),
            next: Vec::with_capacity(order.len().saturating_add(1)),
            order: Vec::new(),
        };
        for (pos, &i) in order.iter().enumerate() {
            if let Some(p) = self.packs.get_mut(i) {
                p.pos = pos;
                index.expiries.push(p.expires);
                index.next.push(if p.balance > Decimal::ZERO {
                    pos
                } else {
                    pos.saturating_add(1)
                });
            }
        }
        index.next.push(order.len());
        index.order = order;
        match self.products.iter_mut().find(|(p, _)| p == product) {
            Some((_, slot)) => *slot = index,
            None => self.products.push((product.clone(), index)),
        }
    }

    /// Asks for a [`LowBalance`] signal in [`BatchReport::low_balance`] when the balance of
    /// `product` valid at the last item of a batch falls below `threshold`. The signal is given
    /// once, and re-armed when a pack of that product is added.
    ///
    /// # Errors
    ///
    /// Overflow converting the threshold to base units.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let rtc = ProductType::new("rtc")?;
    /// let mut e = PackEngine::with_packs(vec![Pack::new("p", rtc.clone(), Quantity::new(dec!(10), Unit::Minute)?, t(0)?, t(10_000)?)?])?;
    /// e.watch_low_balance(rtc.clone(), Quantity::new(dec!(2), Unit::Minute)?)?;
    /// let item = |id, min| -> Result<UsageItem, Box<dyn std::error::Error>> {
    ///     Ok(UsageItem::new(id, t(60)?, rtc.clone(), MediaSpec::Audio, Quantity::new(min, Unit::Minute)?)?)
    /// };
    /// assert!(e.deduct_batch(&[item(0, dec!(5))?])?.low_balance.is_empty());
    /// let r = e.deduct_batch(&[item(1, dec!(4))?])?;
    /// assert_eq!(r.low_balance[0].remaining, dec!(60));
    /// assert!(e.deduct_batch(&[item(2, dec!(0.5))?])?.low_balance.is_empty()); // signalled once
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn watch_low_balance(&mut self, product: ProductType, threshold: Quantity) -> Result<()> {
        base_value(threshold)?;
        self.watches.retain(|w| w.product != product);
        self.watches.push(Watch {
            product,
            threshold,
            signaled: false,
        });
        Ok(())
    }

    /// Balance of `product` in packs valid at `at`, in `unit`'s base unit; `None` when no
    /// pack of that product uses that base unit.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let rtc = ProductType::new("rtc")?;
    /// let e = PackEngine::with_packs(vec![Pack::new("p", rtc.clone(), Quantity::new(dec!(1), Unit::Minute)?, t(0)?, t(100)?)?])?;
    /// assert_eq!(e.remaining(&rtc, Unit::Minute, t(50)?), Some(dec!(60)));
    /// assert_eq!(e.remaining(&rtc, Unit::Minute, t(100)?), Some(dec!(0))); // expired
    /// assert_eq!(e.remaining(&rtc, Unit::Count, t(50)?), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn remaining(
        &self,
        product: &ProductType,
        unit: Unit,
        at: DateTime<Utc>,
    ) -> Option<Decimal> {
        let base = base_unit(unit);
        let mut any = false;
        let mut total = Decimal::ZERO;
        for p in self
            .packs
            .iter()
            .filter(|p| &p.pack.product == product && p.unit == base)
        {
            any = true;
            if p.pack.is_valid_at(at) {
                total = total.saturating_add(p.balance);
            }
        }
        any.then_some(total)
    }

    /// Every pack's balance, in the order the packs were added.
    ///
    /// ```
    /// assert!(mediameter_billing::PackEngine::new().balances().is_empty());
    /// ```
    #[must_use]
    pub fn balances(&self) -> Vec<PackBalance> {
        self.packs
            .iter()
            .map(|p| PackBalance {
                id: p.pack.id.clone(),
                product: p.pack.product.clone(),
                unit: p.unit,
                quantity: p.quantity,
                drawn: p.drawn,
                remaining: p.balance,
                expires_at: p.pack.expires_at,
                refunded: p.refunded,
            })
            .collect()
    }

    /// The packs held, in the order they were added.
    ///
    /// ```
    /// assert_eq!(mediameter_billing::PackEngine::new().packs().count(), 0);
    /// ```
    pub fn packs(&self) -> impl Iterator<Item = &Pack> {
        self.packs.iter().map(|p| &p.pack)
    }

    /// Whether the item `(partition, id)` was applied.
    ///
    /// ```
    /// assert!(!mediameter_billing::PackEngine::new().is_applied(0, 1));
    /// ```
    #[must_use]
    pub fn is_applied(&self, partition: u32, id: u64) -> bool {
        self.seen
            .binary_search_by_key(&partition, |(p, _)| *p)
            .ok()
            .and_then(|i| self.seen.get(i))
            .is_some_and(|(_, s)| s.contains(id))
    }

    /// The item's quantity in base units (the item was validated when built).
    fn base_quantity(item: &UsageItem) -> Result<Decimal> {
        base_value(item.quantity).map_err(|e| e.at(item.place("quantity")))
    }

    /// Deducts one item, appending its ledger lines to `ledger`.
    ///
    /// Draws go to the packs of the item's product that are valid at the item's instant and
    /// have a coefficient for its spec, earliest expiry first (then earliest purchase, then
    /// smallest id). A pack that can cover the rest draws `rest × coefficient`; one that
    /// cannot gives all its balance when `balance ÷ coefficient` is an exact decimal, and
    /// otherwise covers that quotient truncated to [`PARTIAL_DRAW_SCALE`] places (a sliver
    /// smaller than `coefficient × 10⁻¹²` then stays in the pack). What is left overflows.
    ///
    /// No figure is rounded: every line has `drawn = usage × coefficient` exactly, and the
    /// `usage` of an item's lines adds up to its quantity in base units exactly. A draw whose
    /// exact product would not fit `Decimal`'s 28 digits is an error, not a rounded draw.
    ///
    /// # Errors
    ///
    /// A unit mismatch when a pack of the product is in another kind of unit (time against
    /// count); [`Error::Invalid`] for a draw that cannot be computed exactly; overflow. Each
    /// is located at the item and field. On error nothing changed.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let rtc = ProductType::new("rtc")?;
    /// let pack = Pack::new("p", rtc.clone(), Quantity::new(dec!(10), Unit::Minute)?, t(0)?, t(10_000)?)?
    ///     .with_coefficient("1080p".parse()?, dec!(4))?;
    /// let mut e = PackEngine::with_packs(vec![pack])?;
    /// let item = UsageItem::new(9, t(5)?, rtc, "1080p".parse()?, Quantity::new(dec!(2), Unit::Minute)?)?;
    /// let mut ledger = vec![];
    /// assert!(!e.deduct(&item, &mut ledger)?.is_replay());
    /// assert_eq!((ledger[0].usage, ledger[0].drawn), (dec!(120), dec!(480)));
    /// assert!(e.deduct(&item, &mut ledger)?.is_replay());
    /// assert_eq!(ledger.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deduct(&mut self, item: &UsageItem, ledger: &mut Vec<LedgerLine>) -> Result<Deduction> {
        let quantity = Self::base_quantity(item)?;
        if self.is_applied(item.partition, item.id) {
            return Ok(Deduction::Replayed);
        }
        let base = base_unit(item.quantity.unit());
        let t = item.at.timestamp();
        let spec_index = item.spec.index();
        let mut plan = std::mem::take(&mut self.scratch);
        plan.clear();
        let mut rest = quantity;
        let planned = self.plan(item, base, t, spec_index, &mut rest, &mut plan);
        if let Err(e) = planned {
            self.scratch = plan;
            return Err(e.at(item.place("quantity")));
        }
        // Commit: nothing below can fail.
        let mut covered = Decimal::ZERO;
        for d in &plan {
            if let Some(p) = self.packs.get_mut(d.pack) {
                p.balance = p.balance.saturating_sub(d.drawn);
                p.drawn = p.drawn.saturating_add(d.drawn);
                covered = covered.saturating_add(d.usage);
                let exhausted = p.balance <= Decimal::ZERO;
                let pos = p.pos;
                ledger.push(LedgerLine {
                    partition: item.partition,
                    item: item.id,
                    at: item.at,
                    product: item.product.clone(),
                    spec: item.spec,
                    source: LedgerSource::Pack(p.pack.id.clone()),
                    usage: d.usage,
                    coefficient: d.coefficient,
                    drawn: d.drawn,
                    unit: base,
                });
                if exhausted && let Some(index) = product_index(&mut self.products, &item.product) {
                    index.exhaust(pos);
                }
            }
        }
        if rest > Decimal::ZERO {
            rest = rest.normalize();
            ledger.push(LedgerLine {
                partition: item.partition,
                item: item.id,
                at: item.at,
                product: item.product.clone(),
                spec: item.spec,
                source: LedgerSource::Overflow,
                usage: rest,
                coefficient: Decimal::ONE,
                drawn: Decimal::ZERO,
                unit: base,
            });
        }
        if let Some(set) = self.seen_mut(item.partition) {
            set.insert(item.id);
        }
        self.scratch = plan;
        Ok(Deduction::Applied {
            covered,
            overflow: rest,
        })
    }

    fn plan(
        &mut self,
        item: &UsageItem,
        base: Unit,
        t: i64,
        spec_index: usize,
        rest: &mut Decimal,
        plan: &mut Vec<Draw>,
    ) -> Result<()> {
        let Some(index) = product_index(&mut self.products, &item.product) else {
            return Ok(());
        };
        // First pack whose expiry is after t: earlier ones are expired for this item.
        let start = index.expiries.partition_point(|&e| e <= t);
        let mut pos = index.find(start);
        let overflow = || Error::overflow("pack deduction");
        while *rest > Decimal::ZERO {
            let Some(&i) = index.order.get(pos) else {
                break;
            };
            let Some(p) = self.packs.get(i) else { break };
            pos = index.find(pos.saturating_add(1));
            if p.purchased > t || !p.pack.is_valid_at(item.at) {
                continue;
            }
            let Some(coef) = p.coef.get(spec_index).copied().flatten() else {
                continue;
            };
            if p.unit != base {
                return Err(mediameter_core::Error::UnitMismatch {
                    operation: "pack deduction",
                    from: base.as_str(),
                    to: p.unit.as_str(),
                }
                .into());
            }
            // Every figure below is exact: a product that would need rounding is an error,
            // never a silently rounded draw (see `exact_mul`).
            let inexact = || {
                Error::invalid(
                    "pack draw",
                    &format!("{rest} × {coef}"),
                    format!(
                        "usage × coefficient exactly representable in 28 digits (pack {})",
                        p.pack.id
                    ),
                )
            };
            let need = if coef == Decimal::ONE {
                *rest
            } else {
                exact_mul(*rest, coef).ok_or_else(inexact)?
            };
            let draw = if need <= p.balance {
                Draw {
                    pack: i,
                    usage: *rest,
                    coefficient: coef,
                    drawn: need,
                }
            } else {
                let Some((usage, drawn)) = partial_draw(p.balance, coef) else {
                    continue;
                };
                Draw {
                    pack: i,
                    usage,
                    coefficient: coef,
                    drawn,
                }
            };
            *rest = exact_sub(*rest, draw.usage).ok_or_else(overflow)?;
            plan.push(draw);
        }
        Ok(())
    }

    /// Deducts a batch in order and reports the ledger, replays and low-balance signals.
    ///
    /// Items are valid by construction ([`UsageItem::new`], or deserialization which goes
    /// through it). An error while applying (a unit mismatch with a pack, or a draw that
    /// cannot be computed exactly) leaves the items before it applied and the failing one
    /// untouched; since replays are skipped, resending the corrected batch is safe.
    ///
    /// # Errors
    ///
    /// As [`PackEngine::deduct`], located at the item's position in `items`:
    /// `usage[3]: usage item (partition 0, id 7), field quantity: ...`.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let rtc = ProductType::new("rtc")?;
    /// let minutes = |m| Quantity::new(m, Unit::Minute);
    /// let counts = Quantity::new(dec!(5), Unit::Count)?;
    /// let mut e = PackEngine::with_packs(vec![Pack::new("p", rtc.clone(), minutes(dec!(10))?, t(0)?, t(60)?)?])?;
    /// let ok = UsageItem::new(0, t(5)?, rtc.clone(), MediaSpec::Audio, minutes(dec!(1))?)?;
    /// let bad = UsageItem::new(1, t(5)?, rtc.clone(), MediaSpec::Audio, counts)?;
    /// let err = e.deduct_batch(&[ok.clone(), bad]).unwrap_err();
    /// assert!(err.to_string().starts_with("usage[1]: usage item (partition 0, id 1), field quantity: "));
    /// assert!(e.is_applied(0, 0) && !e.is_applied(0, 1));
    /// let r = e.deduct_batch(&[ok])?;
    /// assert_eq!(r.replayed, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deduct_batch(&mut self, items: &[UsageItem]) -> Result<BatchReport> {
        let mut report = BatchReport::default();
        let mut last_at: Option<DateTime<Utc>> = None;
        for (i, item) in items.iter().enumerate() {
            match self
                .deduct(item, &mut report.ledger)
                .map_err(|e| e.at(format!("usage[{i}]")))?
            {
                Deduction::Replayed => report.replayed = report.replayed.saturating_add(1),
                Deduction::Applied { .. } => report.applied = report.applied.saturating_add(1),
            }
            last_at = Some(last_at.map_or(item.at, |l| l.max(item.at)));
        }
        if let Some(at) = last_at {
            report.low_balance = self.check_watches(at);
        }
        Ok(report)
    }

    fn check_watches(&mut self, at: DateTime<Utc>) -> Vec<LowBalance> {
        let mut signals = Vec::new();
        let mut updates = Vec::new();
        for (i, w) in self.watches.iter().enumerate() {
            let unit = base_unit(w.threshold.unit());
            let Some(remaining) = self.remaining(&w.product, w.threshold.unit(), at) else {
                continue;
            };
            let Ok(threshold) = base_value(w.threshold) else {
                continue;
            };
            let low = remaining < threshold;
            if low && !w.signaled {
                signals.push(LowBalance {
                    product: w.product.clone(),
                    remaining,
                    threshold,
                    unit,
                });
            }
            updates.push((i, low));
        }
        for (i, low) in updates {
            if let Some(w) = self.watches.get_mut(i) {
                w.signaled = low;
            }
        }
        signals
    }

    /// Whether `pack` may be refunded at `at` (Alibaba Cloud RTC pricing): no more than 7 days (7 × 24 h,
    /// inclusive) after purchase, nothing drawn, not expired, not refunded before.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPack`]; [`Error::Invalid`] when `at` is before the purchase.
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let e = PackEngine::with_packs(vec![Pack::new("p", ProductType::new("rtc")?,
    ///     Quantity::new(dec!(1), Unit::Minute)?, t(0)?, t(90 * 86_400)?)?])?;
    /// let id = PackId::new("p")?;
    /// assert!(e.refund_check(&id, t(7 * 86_400)?)?.is_allowed());
    /// assert!(!e.refund_check(&id, t(7 * 86_400 + 1)?)?.is_allowed());
    /// assert!(e.refund_check(&PackId::new("nope")?, t(0)?).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refund_check(&self, pack: &PackId, at: DateTime<Utc>) -> Result<RefundDecision> {
        let idx = self
            .by_id
            .get(pack)
            .copied()
            .ok_or_else(|| Error::UnknownPack {
                id: pack.to_string(),
            })?;
        let p = self.packs.get(idx).ok_or_else(|| Error::UnknownPack {
            id: pack.to_string(),
        })?;
        if at < p.pack.purchased_at {
            return Err(Error::invalid(
                "refund instant",
                &at.to_rfc3339(),
                format!(
                    "an instant at or after the purchase of pack {pack} ({})",
                    p.pack.purchased_at.to_rfc3339()
                ),
            ));
        }
        if p.refunded {
            return Ok(RefundDecision::Refused(RefundRefusal::AlreadyRefunded));
        }
        if p.drawn > Decimal::ZERO {
            return Ok(RefundDecision::Refused(RefundRefusal::Consumed {
                drawn: p.drawn,
            }));
        }
        if at >= p.pack.expires_at {
            return Ok(RefundDecision::Refused(RefundRefusal::Expired {
                expired_at: p.pack.expires_at,
            }));
        }
        let deadline = p
            .pack
            .purchased_at
            .checked_add_signed(TimeDelta::days(REFUND_WINDOW_DAYS))
            .ok_or_else(|| Error::overflow("refund deadline"))?;
        if at > deadline {
            return Ok(RefundDecision::Refused(RefundRefusal::TooLate { deadline }));
        }
        Ok(RefundDecision::Allowed)
    }

    /// Refunds `pack` at `at` if [`PackEngine::refund_check`] allows it: its balance drops to
    /// zero and it is never drawn again. A refused refund changes nothing.
    ///
    /// # Errors
    ///
    /// As [`PackEngine::refund_check`].
    ///
    /// ```
    /// # use mediameter_billing::*; use rust_decimal_macros::dec;
    /// # let t = |s| chrono::DateTime::from_timestamp(s, 0).ok_or("out of range");
    /// let mut e = PackEngine::with_packs(vec![Pack::new("p", ProductType::new("rtc")?, Quantity::new(dec!(1), Unit::Minute)?, t(0)?, t(90 * 86_400)?)?])?;
    /// let id = PackId::new("p")?;
    /// assert!(e.refund(&id, t(3600)?)?.is_allowed());
    /// assert_eq!(e.refund(&id, t(3600)?)?, RefundDecision::Refused(RefundRefusal::AlreadyRefunded));
    /// assert_eq!(e.balances()[0].remaining, dec!(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refund(&mut self, pack: &PackId, at: DateTime<Utc>) -> Result<RefundDecision> {
        let decision = self.refund_check(pack, at)?;
        if decision.is_allowed() {
            let idx = self
                .by_id
                .get(pack)
                .copied()
                .ok_or_else(|| Error::UnknownPack {
                    id: pack.to_string(),
                })?;
            if let Some(p) = self.packs.get_mut(idx) {
                p.refunded = true;
                p.balance = Decimal::ZERO;
                let pos = p.pos;
                let product = p.pack.product.clone();
                if let Some(index) = product_index(&mut self.products, &product) {
                    index.exhaust(pos);
                }
            }
        }
        Ok(decision)
    }

    /// Whether some pack of `product` valid at `at` still has balance: the condition for
    /// enabling an app (Alibaba Cloud RTC pricing).
    ///
    /// ```
    /// # use mediameter_billing::*;
    /// let e = PackEngine::new();
    /// assert!(!e.has_balance(&ProductType::new("rtc")?, chrono::DateTime::UNIX_EPOCH));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn has_balance(&self, product: &ProductType, at: DateTime<Utc>) -> bool {
        self.packs.iter().any(|p| {
            &p.pack.product == product && p.pack.is_valid_at(at) && p.balance > Decimal::ZERO
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_set_merges_neighbours() {
        let mut s = IdSet::default();
        for id in [5, 7, 6, 0, 1, 3, 2, 4] {
            assert!(!s.contains(id));
            s.insert(id);
            assert!(s.contains(id));
        }
        assert_eq!(s.ranges, vec![(0, 7)]);
        s.insert(100);
        assert_eq!(s.ranges, vec![(0, 7), (100, 100)]);
        assert!(!s.contains(8) && !s.contains(99) && s.contains(100) && !s.contains(101));
    }

    #[test]
    fn id_set_holds_the_extreme_ids() {
        let mut s = IdSet::default();
        for id in [u64::MAX, 0, u64::MAX - 1] {
            assert!(!s.contains(id));
            s.insert(id);
            assert!(s.contains(id), "{id}");
        }
        assert_eq!(s.ranges, vec![(0, 0), (u64::MAX - 1, u64::MAX)]);
        assert!(!s.contains(1) && !s.contains(u64::MAX - 2));
    }

    #[test]
    fn skip_pointers_skip_exhausted() {
        let mut idx = ProductIndex {
            order: vec![0, 1, 2, 3],
            expiries: vec![1, 2, 3, 4],
            next: vec![0, 1, 2, 3, 4],
        };
        idx.exhaust(0);
        idx.exhaust(1);
        idx.exhaust(3);
        assert_eq!(idx.find(0), 2);
        assert_eq!(idx.find(3), 4);
        idx.exhaust(2);
        assert_eq!(idx.find(0), 4);
    }
}
