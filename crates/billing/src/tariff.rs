//! Pay-as-you-go tariffs and the monthly statement (Alibaba Cloud RTC pricing "后付费").
//!
//! A tariff is data: a currency and, per product and spec, a unit (minute, second, hour or
//! count) and a pricing — flat, graduated (each tier prices the part of the month's cumulative
//! usage inside it) or volume (the tier the month's total falls in prices all of it).
//!
//! The statement of a month takes the deduction ledger: what each pack absorbed, and the
//! overflow priced by the tariff, one line per product and spec. Each line is rounded once
//! with an explicit [`Rounding`]; the total is the sum of the rounded lines; the unrounded
//! amounts are kept beside them.

use std::collections::BTreeMap;

use mediameter_core::{
    Currency, MediaSpec, MinutePolicy, ProductType, Rounding, RoundingMode, TimeRange, Unit,
};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::packs::{LedgerLine, LedgerSource, PackId};

/// A tier: the price of each unit up to `up_to` (cumulative, in the tariff's unit); the last
/// tier has no bound.
///
/// `#[non_exhaustive]`: some price pages give a tier a flat fee beside its unit price, and
/// the tier may grow one. Build it with [`Tier::up_to`] and [`Tier::beyond`]; read the public
/// fields. Its checks (a non-negative price, ascending bounds, the last tier unbounded) are the
/// tariff's, made by [`Tariff::new`] and when a tariff is deserialized: a tier alone reaches no
/// computation, so it is not a validated type of its own.
///
/// ```
/// use mediameter_billing::Tier;
/// let t = Tier::beyond(rust_decimal::Decimal::ONE);
/// assert!(t.up_to.is_none());
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_billing::Tier;
/// let t = Tier { up_to: None, unit_price: rust_decimal::Decimal::ONE };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Tier {
    /// Upper bound of the tier (inclusive), `None` for the last.
    #[cfg_attr(feature = "serde", serde(default))]
    pub up_to: Option<Decimal>,
    /// Price per unit in this tier.
    pub unit_price: Decimal,
}

/// How a month's usage is priced.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::Pricing;
/// let p: Pricing = serde_json::from_str(r#"{"model": "flat", "unit_price": "0.028"}"#)?;
/// assert_eq!(p, Pricing::Flat { unit_price: "0.028".parse()? });
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "model", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Pricing {
    /// One price per unit.
    Flat {
        /// Price per unit.
        unit_price: Decimal,
    },
    /// Each tier prices the part of the cumulative usage inside it.
    Graduated {
        /// Ascending tiers, the last unbounded.
        tiers: Vec<Tier>,
    },
    /// The tier holding the month's total prices all of it.
    Volume {
        /// Ascending tiers, the last unbounded.
        tiers: Vec<Tier>,
    },
}

/// One tariff entry: the pricing of a product (and spec) per unit.
///
/// Likely to grow (a minimum charge, a free allowance), so it is `#[non_exhaustive]`: build it
/// with [`TariffEntry::flat`], [`TariffEntry::graduated`] or [`TariffEntry::volume`] (and
/// [`TariffEntry::for_spec`]), read the public fields. It is checked as part of its
/// [`Tariff`] ([`Tariff::new`] and a tariff's deserialization).
///
/// ```
/// use mediameter_billing::{Pricing, TariffEntry};
/// use mediameter_core::{ProductType, Unit};
/// let e = TariffEntry::flat(ProductType::new("rtc")?, Unit::Minute, 1.into());
/// assert!(e.spec.is_none());
/// assert_eq!(e.pricing, Pricing::Flat { unit_price: 1.into() });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// use mediameter_billing::{Pricing, TariffEntry};
/// let e = TariffEntry { product: "rtc".parse()?, spec: None,
///     unit: mediameter_core::Unit::Minute, pricing: Pricing::Flat { unit_price: 1.into() } };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct TariffEntry {
    /// The product.
    pub product: ProductType,
    /// The spec; `None` prices every spec of the product that has no entry of its own.
    #[cfg_attr(feature = "serde", serde(default))]
    pub spec: Option<MediaSpec>,
    /// The unit prices are per.
    pub unit: Unit,
    /// The pricing.
    pub pricing: Pricing,
}

impl Tier {
    /// A tier pricing each unit up to `bound` (cumulative, inclusive) at `unit_price`.
    ///
    /// ```
    /// use mediameter_billing::Tier;
    /// assert_eq!(Tier::up_to(1000.into(), "0.028".parse()?).up_to, Some(1000.into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn up_to(bound: Decimal, unit_price: Decimal) -> Self {
        Tier {
            up_to: Some(bound),
            unit_price,
        }
    }

    /// The last, unbounded tier.
    ///
    /// ```
    /// assert!(mediameter_billing::Tier::beyond(1.into()).up_to.is_none());
    /// ```
    #[must_use]
    pub fn beyond(unit_price: Decimal) -> Self {
        Tier {
            up_to: None,
            unit_price,
        }
    }
}

impl TariffEntry {
    /// One price per `unit` of `product`, every spec.
    ///
    /// ```
    /// use mediameter_billing::TariffEntry;
    /// use mediameter_core::Unit;
    /// let e = TariffEntry::flat("rtc".parse()?, Unit::Minute, "0.028".parse()?);
    /// assert!(e.spec.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn flat(product: ProductType, unit: Unit, unit_price: Decimal) -> Self {
        TariffEntry {
            product,
            spec: None,
            unit,
            pricing: Pricing::Flat { unit_price },
        }
    }

    /// Graduated tiers per `unit` of `product`: each prices the part of the month inside it.
    #[must_use]
    pub fn graduated(
        product: ProductType,
        unit: Unit,
        tiers: impl IntoIterator<Item = Tier>,
    ) -> Self {
        TariffEntry {
            product,
            spec: None,
            unit,
            pricing: Pricing::Graduated {
                tiers: tiers.into_iter().collect(),
            },
        }
    }

    /// Volume tiers per `unit` of `product`: the tier of the month's total prices all of it.
    #[must_use]
    pub fn volume(product: ProductType, unit: Unit, tiers: impl IntoIterator<Item = Tier>) -> Self {
        TariffEntry {
            product,
            spec: None,
            unit,
            pricing: Pricing::Volume {
                tiers: tiers.into_iter().collect(),
            },
        }
    }

    /// The same entry for `spec` only (an entry without a spec prices every spec that has
    /// none of its own).
    ///
    /// ```
    /// use mediameter_billing::TariffEntry;
    /// use mediameter_core::Unit;
    /// let e = TariffEntry::flat("rtc".parse()?, Unit::Minute, "0.007".parse()?).for_spec("audio".parse()?);
    /// assert_eq!(e.spec.map(|s| s.as_str()), Some("audio"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn for_spec(mut self, spec: MediaSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

/// A pay-as-you-go tariff: a currency and its entries, validated on construction and on
/// deserialization.
///
/// Reads like a price page:
///
/// ```
/// use mediameter_billing::{Tariff, TariffEntry, Tier};
/// use mediameter_core::{Currency, Unit};
/// use rust_decimal_macros::dec;
/// let rtc: mediameter_core::ProductType = "rtc".parse()?;
/// let tariff = Tariff::new(Currency::CNY, vec![
///     TariffEntry::flat(rtc.clone(), Unit::Minute, dec!(0.007)).for_spec("audio".parse()?),
///     TariffEntry::graduated(rtc.clone(), Unit::Minute, [Tier::up_to(dec!(1000), dec!(0.028)), Tier::beyond(dec!(0.020))]),
/// ])?;
/// let q = tariff.price(&rtc, "720p".parse()?, dec!(1500))?;
/// assert_eq!(q.amount, dec!(38.000)); // 1000 × 0.028 + 500 × 0.020
///
/// # #[cfg(feature = "serde")] {
/// let json = r#"{"currency": "CNY", "entries": [
///   {"product": "rtc", "spec": "audio", "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.007"}},
///   {"product": "rtc", "unit": "minute", "pricing": {"model": "graduated", "tiers": [
///     {"up_to": "1000", "unit_price": "0.028"}, {"unit_price": "0.020"}]}}]}"#;
/// assert_eq!(serde_json::from_str::<Tariff>(json)?, tariff);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The fields are private: a negative price, or two entries for one product and spec, cannot
/// be written as a literal past [`Tariff::new`]:
///
/// ```compile_fail,E0451
/// use mediameter_billing::{Tariff, TariffEntry};
/// use mediameter_core::{Currency, Unit};
/// let refund = TariffEntry::flat("rtc".parse()?, Unit::Minute, (-1).into());
/// let tariff = Tariff { currency: Currency::CNY, entries: vec![refund] };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "TariffRepr", into = "TariffRepr"))]
pub struct Tariff {
    currency: Currency,
    entries: Vec<TariffEntry>,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TariffRepr {
    currency: Currency,
    entries: Vec<TariffEntry>,
}

#[cfg(feature = "serde")]
impl TryFrom<TariffRepr> for Tariff {
    type Error = Error;
    fn try_from(r: TariffRepr) -> Result<Self> {
        Tariff::new(r.currency, r.entries)
    }
}

#[cfg(feature = "serde")]
impl From<Tariff> for TariffRepr {
    fn from(t: Tariff) -> Self {
        TariffRepr {
            currency: t.currency,
            entries: t.entries,
        }
    }
}

/// Most entries a tariff holds.
const MAX_ENTRIES: usize = 4096;

/// The part of a quantity priced in one tier.
///
/// ```
/// use mediameter_billing::{Tariff, TariffEntry, Tier};
/// use mediameter_core::{Currency, Unit};
/// use rust_decimal_macros::dec;
/// let rtc: mediameter_core::ProductType = "rtc".parse()?;
/// let tiers = [Tier::up_to(dec!(10), dec!(2)), Tier::beyond(dec!(1))];
/// let tariff = Tariff::new(Currency::CNY, vec![TariffEntry::graduated(rtc.clone(), Unit::Minute, tiers)])?;
/// let quote = tariff.price(&rtc, "720p".parse()?, dec!(15))?;
/// let c = quote.tiers[1];
/// assert_eq!((c.from, c.to, c.quantity, c.unit_price), (dec!(10), dec!(15), dec!(5), dec!(1)));
/// assert_eq!(c.amount, c.quantity * c.unit_price);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TierCharge {
    /// Cumulative quantity where this part starts.
    pub from: Decimal,
    /// Cumulative quantity where it ends.
    pub to: Decimal,
    /// Quantity priced here.
    pub quantity: Decimal,
    /// Price per unit.
    pub unit_price: Decimal,
    /// `quantity × unit_price`, unrounded.
    pub amount: Decimal,
}

/// A priced quantity: the tiers it went through and the unrounded amount.
///
/// ```
/// use mediameter_billing::{Tariff, TariffEntry};
/// use mediameter_core::{Currency, Unit};
/// use rust_decimal_macros::dec;
/// let rtc: mediameter_core::ProductType = "rtc".parse()?;
/// let tariff = Tariff::new(Currency::CNY, vec![TariffEntry::flat(rtc.clone(), Unit::Minute, dec!(0.028))])?;
/// let q = tariff.price(&rtc, "audio".parse()?, dec!(100))?;
/// assert_eq!((q.tiers.len(), q.amount), (1, dec!(2.800)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Quotes come from [`Tariff::price`] only (`#[non_exhaustive]`):
///
/// ```compile_fail,E0639
/// let q = mediameter_billing::Quote { tiers: vec![], amount: 1.into() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Quote {
    /// Per-tier breakdown.
    pub tiers: Vec<TierCharge>,
    /// Σ tier amounts, unrounded.
    pub amount: Decimal,
}

fn validate_tiers(tiers: &[Tier], product: &ProductType) -> Result<()> {
    if tiers.is_empty() || tiers.len() > 64 {
        return Err(Error::invalid(
            "tariff tiers",
            &format!("{} tiers", tiers.len()),
            format!("1 to 64 tiers for product {product}"),
        ));
    }
    let mut prev = Decimal::ZERO;
    for (i, t) in tiers.iter().enumerate() {
        if t.unit_price < Decimal::ZERO {
            return Err(Error::out_of_range(
                "tier unit price",
                t.unit_price,
                format!("a price of zero or more for product {product}"),
            ));
        }
        let last = i.saturating_add(1) == tiers.len();
        match (t.up_to, last) {
            (None, true) => {}
            (None, false) => {
                return Err(Error::invalid(
                    "tier bound",
                    "none",
                    format!("a bound on every tier but the last for product {product}"),
                ));
            }
            (Some(b), true) => {
                return Err(Error::invalid(
                    "tier bound",
                    &b.to_string(),
                    format!("no bound on the last tier for product {product}"),
                ));
            }
            (Some(b), false) => {
                if b <= prev {
                    return Err(Error::invalid(
                        "tier bound",
                        &b.to_string(),
                        format!("bounds above zero and strictly ascending for product {product}"),
                    ));
                }
                prev = b;
            }
        }
    }
    Ok(())
}

impl Tariff {
    /// A tariff of one flat price per `unit` of `product`, every spec: the one-line price
    /// page. [`Tariff::new`] with one [`TariffEntry::flat`].
    ///
    /// # Errors
    ///
    /// As [`Tariff::new`] (a negative price).
    ///
    /// ```
    /// use mediameter_billing::{Currency, Tariff, Unit};
    /// use rust_decimal_macros::dec;
    /// let t = Tariff::flat(Currency::CNY, "rtc".parse()?, Unit::Minute, dec!(0.028))?;
    /// assert_eq!(t.price(&"rtc".parse()?, "720p".parse()?, dec!(100))?.amount, dec!(2.800));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flat(
        currency: Currency,
        product: ProductType,
        unit: Unit,
        unit_price: Decimal,
    ) -> Result<Self> {
        Tariff::new(currency, vec![TariffEntry::flat(product, unit, unit_price)])
    }

    /// A tariff of graduated `tiers` per `unit` of `product`, every spec, written as the price
    /// page lists them: [`Tariff::new`] with one [`TariffEntry::graduated`].
    ///
    /// # Errors
    ///
    /// As [`Tariff::new`]: tiers not ascending, a bounded last tier, a negative price.
    ///
    /// ```
    /// use mediameter_billing::{Currency, Tariff, Tier, Unit};
    /// use rust_decimal_macros::dec;
    /// // Up to 1,000 minutes at 0.028 CNY, beyond at 0.020.
    /// let t = Tariff::graduated(Currency::CNY, "rtc".parse()?, Unit::Minute, [
    ///     Tier::up_to(dec!(1000), dec!(0.028)),
    ///     Tier::beyond(dec!(0.020)),
    /// ])?;
    /// assert_eq!(t.price(&"rtc".parse()?, "720p".parse()?, dec!(1500))?.amount, dec!(38.000));
    /// assert!(Tariff::graduated(Currency::CNY, "rtc".parse()?, Unit::Minute, [Tier::up_to(dec!(1), dec!(1))]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn graduated(
        currency: Currency,
        product: ProductType,
        unit: Unit,
        tiers: impl IntoIterator<Item = Tier>,
    ) -> Result<Self> {
        Tariff::new(currency, vec![TariffEntry::graduated(product, unit, tiers)])
    }

    /// A tariff in `currency`: prices of zero or more, tiers ascending with only the last
    /// unbounded, one entry per product and spec.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] located at the entry (`entries[i]`) and saying what is wrong.
    ///
    /// ```
    /// use mediameter_billing::{Tariff, TariffEntry};
    /// use mediameter_core::{Currency, Unit};
    /// let e = TariffEntry::flat("rtc".parse()?, Unit::Minute, (-1).into());
    /// let err = Tariff::new(Currency::CNY, vec![e]).unwrap_err();
    /// assert!(err.to_string().starts_with("entries[0]"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(currency: Currency, entries: Vec<TariffEntry>) -> Result<Self> {
        let t = Tariff { currency, entries };
        t.validate()?;
        Ok(t)
    }

    /// Currency of every price.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The entries.
    #[must_use]
    pub fn entries(&self) -> &[TariffEntry] {
        &self.entries
    }

    fn validate(&self) -> Result<()> {
        if self.entries.len() > MAX_ENTRIES {
            return Err(Error::too_large(
                "tariff entries",
                self.entries.len(),
                MAX_ENTRIES,
            ));
        }
        for (i, e) in self.entries.iter().enumerate() {
            self.validate_entry(i, e)
                .map_err(|err| err.at(format!("entries[{i}]")))?;
        }
        Ok(())
    }

    fn validate_entry(&self, i: usize, e: &TariffEntry) -> Result<()> {
        {
            match &e.pricing {
                Pricing::Flat { unit_price } => {
                    if *unit_price < Decimal::ZERO {
                        return Err(Error::out_of_range(
                            "unit price",
                            unit_price,
                            format!("a price of zero or more for product {}", e.product),
                        ));
                    }
                }
                Pricing::Graduated { tiers } | Pricing::Volume { tiers } => {
                    validate_tiers(tiers, &e.product)?
                }
            }
            if self
                .entries
                .iter()
                .take(i)
                .any(|o| o.product == e.product && o.spec == e.spec)
            {
                return Err(Error::invalid(
                    "tariff entry",
                    &format!(
                        "{} {}",
                        e.product,
                        e.spec.map_or("any spec", MediaSpec::as_str)
                    ),
                    "one entry per product and spec",
                ));
            }
        }
        Ok(())
    }

    /// The entry pricing `product` and `spec`: its own, else the product's catch-all.
    ///
    /// ```
    /// use mediameter_billing::Tariff;
    /// let t = mediameter_billing::Tariff::new(mediameter_core::Currency::CNY, vec![])?;
    /// assert!(t.entry(&"rtc".parse()?, "audio".parse()?).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn entry(&self, product: &ProductType, spec: MediaSpec) -> Option<&TariffEntry> {
        self.entry_at(product, spec).map(|(_, e)| e)
    }

    /// [`Tariff::entry`] with its position in [`Tariff::entries`], for locating errors.
    fn entry_at(&self, product: &ProductType, spec: MediaSpec) -> Option<(usize, &TariffEntry)> {
        let mut entries = self.entries.iter().enumerate();
        entries
            .clone()
            .find(|(_, e)| &e.product == product && e.spec == Some(spec))
            .or_else(|| entries.find(|(_, e)| &e.product == product && e.spec.is_none()))
    }

    /// The entry pricing `product` and `spec` and its place (`"tariff entries[i] (product P,
    /// spec S), field F"`), or an error located at the tariff's entries.
    fn located_entry(
        &self,
        product: &ProductType,
        spec: MediaSpec,
    ) -> Result<(&TariffEntry, impl Fn(&str) -> String + use<>)> {
        let (i, entry) = self.entry_at(product, spec).ok_or_else(|| {
            Error::invalid(
                "tariff",
                &format!("{product} {spec}"),
                "an entry for every product and spec that overflows",
            )
            .at("tariff, field entries")
        })?;
        let which = entry
            .spec
            .map_or_else(|| "any spec".to_owned(), |s| format!("spec {s}"));
        let place = format!("tariff entries[{i}] (product {}, {which})", entry.product);
        Ok((entry, move |field: &str| format!("{place}, field {field}")))
    }

    /// Prices `quantity` (in the entry's unit, the month's cumulative usage) of `product` and
    /// `spec`, unrounded.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when no entry prices the product and spec (located at `tariff, field
    /// entries`), or the quantity is negative; overflow. A pricing error is located at the
    /// entry: `tariff entries[i] (product P, spec S), field pricing`.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use mediameter_billing::Tariff;
    /// let t: Tariff = serde_json::from_str(r#"{"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
    ///   "pricing": {"model": "volume", "tiers": [{"up_to": "1000", "unit_price": "0.03"}, {"unit_price": "0.02"}]}}]}"#)?;
    /// assert_eq!(t.price(&"rtc".parse()?, "audio".parse()?, "1500".parse()?)?.amount, "30.00".parse()?);
    /// assert_eq!(t.price(&"rtc".parse()?, "audio".parse()?, "1000".parse()?)?.amount, "30.00".parse()?);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn price(
        &self,
        product: &ProductType,
        spec: MediaSpec,
        quantity: Decimal,
    ) -> Result<Quote> {
        let (entry, place) = self.located_entry(product, spec)?;
        price_with(&entry.pricing, quantity).map_err(|e| e.at(place("pricing")))
    }
}

fn price_with(pricing: &Pricing, quantity: Decimal) -> Result<Quote> {
    if quantity < Decimal::ZERO {
        return Err(Error::out_of_range(
            "priced quantity",
            quantity,
            "a quantity of zero or more",
        ));
    }
    let overflow = || Error::overflow("tariff price");
    let charge = |from: Decimal, to: Decimal, unit_price: Decimal| -> Result<TierCharge> {
        let q = to.checked_sub(from).ok_or_else(overflow)?;
        Ok(TierCharge {
            from,
            to,
            quantity: q,
            unit_price,
            amount: q.checked_mul(unit_price).ok_or_else(overflow)?,
        })
    };
    let tiers = match pricing {
        Pricing::Flat { unit_price } => vec![charge(Decimal::ZERO, quantity, *unit_price)?],
        Pricing::Graduated { tiers } => {
            let mut out = Vec::new();
            let mut from = Decimal::ZERO;
            for t in tiers {
                if from >= quantity && !out.is_empty() {
                    break;
                }
                let to = t.up_to.map_or(quantity, |b| b.min(quantity));
                out.push(charge(from, to.max(from), t.unit_price)?);
                from = to.max(from);
            }
            out
        }
        Pricing::Volume { tiers } => {
            let tier = tiers
                .iter()
                .find(|t| t.up_to.is_none_or(|b| quantity <= b))
                .or(tiers.last());
            tier.map(|t| charge(Decimal::ZERO, quantity, t.unit_price))
                .transpose()?
                .into_iter()
                .collect()
        }
    };
    let mut amount = Decimal::ZERO;
    for t in &tiers {
        amount = amount.checked_add(t.amount).ok_or_else(overflow)?;
    }
    Ok(Quote { tiers, amount })
}

/// How a statement turns base units into billed quantities and rounds.
///
/// ```
/// let o = mediameter_billing::StatementOptions::default();
/// assert_eq!(o.rounding, None); // the tariff currency's minor unit, half-up
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct StatementOptions {
    /// Rounding of each line (once). `None` (the default): the tariff currency's minor unit
    /// (ISO 4217: 2 places for CNY and USD, 0 for JPY, 3 for KWD), half-up.
    pub rounding: Option<Rounding>,
    /// How overflow seconds become billed minutes or hours: exact, rounded up per ledger line,
    /// or rounded up once per statement line (the default).
    pub minutes: MinutePolicy,
}

impl Default for StatementOptions {
    fn default() -> Self {
        StatementOptions {
            rounding: None,
            minutes: MinutePolicy::CeilPerPeriod,
        }
    }
}

/// Setters for the common case, since the struct is `#[non_exhaustive]` (a literal cannot be
/// written outside this crate): start from `default()` and change what differs.
///
/// ```
/// use mediameter_billing::StatementOptions;
/// use mediameter_core::MinutePolicy;
/// let o = StatementOptions::default().with_minutes(MinutePolicy::Exact);
/// assert_eq!((o.minutes, o.rounding), (MinutePolicy::Exact, None));
/// ```
impl StatementOptions {
    /// These options with each line rounded by `rounding` (`None`: the currency's minor unit).
    #[must_use]
    pub const fn with_rounding(mut self, rounding: Option<Rounding>) -> Self {
        self.rounding = rounding;
        self
    }

    /// These options with overflow seconds billed under `minutes`.
    #[must_use]
    pub const fn with_minutes(mut self, minutes: MinutePolicy) -> Self {
        self.minutes = minutes;
        self
    }
}

/// What one pack absorbed in the period.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::PackUsage;
/// // A statement's pack part, as a statement is stored (see `monthly_statement` for one built).
/// let u: PackUsage = serde_json::from_str(r#"{"pack": "p", "usage": "60", "drawn": "120", "unit": "second"}"#)?;
/// assert_eq!(u.drawn, u.usage * rust_decimal::Decimal::TWO);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PackUsage {
    /// The pack.
    pub pack: PackId,
    /// Usage covered, base units.
    pub usage: Decimal,
    /// Units drawn from the pack, base units.
    pub drawn: Decimal,
    /// Base unit.
    pub unit: Unit,
}

/// One charged line: a product and spec's overflow, priced.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::StatementLine;
/// // A charged line, as a statement is stored (see `monthly_statement` for one built).
/// let l: StatementLine = serde_json::from_str(r#"{"product": "rtc", "spec": "audio", "unit": "minute",
///     "overflow": "90", "quantity": "2", "tiers": [], "amount_exact": "0.056", "amount": "0.06"}"#)?;
/// assert_eq!(l.quantity, 2.into()); // 90 s, rounded up to 2 minutes
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StatementLine {
    /// Product.
    pub product: ProductType,
    /// Spec.
    pub spec: MediaSpec,
    /// The tariff's unit for this line.
    pub unit: Unit,
    /// Overflow in base units (seconds or counts).
    pub overflow: Decimal,
    /// Billed quantity in `unit` (after the minute policy).
    pub quantity: Decimal,
    /// Per-tier breakdown.
    pub tiers: Vec<TierCharge>,
    /// Unrounded amount.
    pub amount_exact: Decimal,
    /// Amount rounded once.
    pub amount: Decimal,
}

/// A monthly statement.
///
/// ```
/// use mediameter_billing::{monthly_statement, StatementOptions, Tariff};
/// use mediameter_core::{Currency, TimeRange};
/// let tariff = Tariff::new(Currency::CNY, vec![])?;
/// let month = TimeRange::from_unix(0, 86_400)?;
/// let s = monthly_statement(&[], month, &tariff, &StatementOptions::default())?;
/// assert!(s.lines.is_empty() && s.total.is_zero());
/// # Ok::<(), mediameter_billing::Error>(())
/// ```
///
/// An output that will grow (`#[non_exhaustive]`): its fields are read, never written as a
/// literal outside this crate, so a statement with a total that is not the sum of its lines
/// cannot be made up.
///
/// ```compile_fail,E0639
/// use mediameter_billing::Statement;
/// use mediameter_core::{Currency, Rounding, TimeRange};
/// let s = Statement {
///     period: TimeRange::from_unix(0, 86_400)?,
///     currency: Currency::CNY,
///     rounding: Rounding::CENTS_HALF_UP,
///     packs: vec![],
///     lines: vec![],
///     total_exact: 1.into(),
///     total: 1.into(),
/// };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Statement {
    /// The period covered.
    pub period: TimeRange,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Rounding applied to each line.
    pub rounding: Rounding,
    /// What each pack absorbed, by pack id.
    pub packs: Vec<PackUsage>,
    /// Charged lines, by product then spec.
    pub lines: Vec<StatementLine>,
    /// Σ unrounded line amounts.
    pub total_exact: Decimal,
    /// Σ rounded line amounts: the amount due.
    pub total: Decimal,
}

/// Builds the statement of `period` from the ledger lines whose usage falls in it.
///
/// Overflow of each product and spec is summed over the period (the cumulative usage tiers
/// apply to), converted from base units to the tariff unit under `options.minutes`, priced and
/// rounded once.
///
/// # Errors
///
/// [`Error::Invalid`] for an invalid tariff or an overflowing product and spec the tariff does
/// not price; a unit mismatch between count usage and a time tariff (or the reverse);
/// overflow. Each is located ([`Error::At`]) at the statement line (`statement line (product
/// P, spec S)`), then, for what one ledger line brings, the usage item (`usage item
/// (partition P, id N), field F`), then the tariff entry concerned (`tariff entries[i]
/// (product P, spec S), field F`, or `tariff, field entries` when none prices the line):
///
/// ```
/// use mediameter_billing::{PackEngine, UsageItem};
/// use mediameter_billing::{monthly_statement, StatementOptions, Tariff};
/// use mediameter_core::{Currency, Quantity, TimeRange, Unit};
/// let at = chrono::DateTime::from_timestamp(100, 0).ok_or("out of range")?;
/// let tariff = Tariff::flat(Currency::CNY, "rtc".parse()?, Unit::Minute, "0.028".parse()?)?;
/// let calls = Quantity::new(3.into(), Unit::Count)?; // counted usage, a per-minute price
/// let item = UsageItem::new(7, at, "rtc".parse()?, "audio".parse()?, calls)?;
/// let report = PackEngine::new().deduct_batch(&[item])?;
/// let day = TimeRange::from_unix(0, 86_400)?;
/// let err = monthly_statement(&report.ledger, day, &tariff, &StatementOptions::default()).unwrap_err();
/// assert!(err.to_string().starts_with("statement line (product rtc, spec audio): \
///     usage item (partition 0, id 7), field quantity: tariff entries[0] (product rtc, any spec), field unit: "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_billing::{PackEngine, UsageItem};
/// use mediameter_billing::{monthly_statement, StatementOptions, Tariff};
/// use mediameter_core::{Quantity, TimeRange, Unit};
/// use chrono::DateTime;
/// use rust_decimal_macros::dec;
/// let tariff: Tariff = serde_json::from_str(r#"{"currency": "CNY", "entries": [
///     {"product": "rtc", "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.028"}}]}"#)?;
/// let mut engine = PackEngine::new(); // no packs: everything overflows
/// let item = UsageItem::new(0, DateTime::from_timestamp(100, 0).ok_or("out of range")?, "rtc".parse()?, "audio".parse()?, Quantity::new(dec!(90), Unit::Second)?)?;
/// let report = engine.deduct_batch(&[item])?;
/// let s = monthly_statement(&report.ledger, TimeRange::from_unix(0, 86_400)?, &tariff, &StatementOptions::default())?;
/// assert_eq!((s.lines[0].quantity, s.lines[0].amount), (dec!(2), dec!(0.06))); // 90 s → 2 min
/// assert_eq!(s.total, dec!(0.06));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn monthly_statement(
    ledger: &[LedgerLine],
    period: TimeRange,
    tariff: &Tariff,
    options: &StatementOptions,
) -> Result<Statement> {
    tariff.validate().map_err(|e| e.at("tariff"))?;
    let rounding = options
        .rounding
        .unwrap_or_else(|| tariff.currency.minor_rounding(RoundingMode::HalfUp));
    let mut packs: BTreeMap<PackId, PackUsage> = BTreeMap::new();
    // (product, spec) → (base unit, overflow base units, Σ per-line rounded-up quantities)
    let mut over: BTreeMap<(ProductType, MediaSpec), (Unit, Decimal, Decimal)> = BTreeMap::new();
    for line in ledger.iter().filter(|l| period.contains(l.at)) {
        let item = |field: &str| {
            format!(
                "usage item (partition {}, id {}), field {field}",
                line.partition, line.item
            )
        };
        match &line.source {
            LedgerSource::Pack(id) => {
                let overflow_err = || {
                    Error::overflow("statement pack usage")
                        .at(item("quantity"))
                        .at(format!("statement pack {id}"))
                };
                let e = packs.entry(id.clone()).or_insert_with(|| PackUsage {
                    pack: id.clone(),
                    usage: Decimal::ZERO,
                    drawn: Decimal::ZERO,
                    unit: line.unit,
                });
                e.usage = e.usage.checked_add(line.usage).ok_or_else(overflow_err)?;
                e.drawn = e.drawn.checked_add(line.drawn).ok_or_else(overflow_err)?;
            }
            LedgerSource::Overflow => {
                let statement_line = statement_line_place(&line.product, line.spec);
                let (entry, entry_place) = tariff
                    .located_entry(&line.product, line.spec)
                    .map_err(|e| e.at(item("product")).at(statement_line.clone()))?;
                let per_record = to_tariff_unit(
                    line.usage,
                    line.unit,
                    entry.unit,
                    MinutePolicy::CeilPerRecord,
                )
                .map_err(|e| {
                    e.at(entry_place("unit"))
                        .at(item("quantity"))
                        .at(statement_line.clone())
                })?;
                let overflow_err = || {
                    Error::overflow("statement overflow sum")
                        .at(item("quantity"))
                        .at(statement_line.clone())
                };
                let e = over.entry((line.product.clone(), line.spec)).or_insert((
                    line.unit,
                    Decimal::ZERO,
                    Decimal::ZERO,
                ));
                e.1 = e.1.checked_add(line.usage).ok_or_else(overflow_err)?;
                e.2 = e.2.checked_add(per_record).ok_or_else(overflow_err)?;
            }
        }
    }
    let mut lines = Vec::with_capacity(over.len());
    let mut total_exact = Decimal::ZERO;
    let mut total = Decimal::ZERO;
    for ((product, spec), (base, usage, per_record)) in over {
        let statement_line = statement_line_place(&product, spec);
        let (entry, entry_place) = tariff
            .located_entry(&product, spec)
            .map_err(|e| e.at(statement_line.clone()))?;
        let quantity = match options.minutes {
            MinutePolicy::CeilPerRecord => per_record,
            policy => to_tariff_unit(usage, base, entry.unit, policy)
                .map_err(|e| e.at(entry_place("unit")).at(statement_line.clone()))?,
        };
        let quote = price_with(&entry.pricing, quantity)
            .map_err(|e| e.at(entry_place("pricing")).at(statement_line.clone()))?;
        let amount = rounding.apply(quote.amount);
        let overflow_err = || Error::overflow("statement total").at(statement_line.clone());
        total_exact = total_exact
            .checked_add(quote.amount)
            .ok_or_else(overflow_err)?;
        total = total.checked_add(amount).ok_or_else(overflow_err)?;
        lines.push(StatementLine {
            product,
            spec,
            unit: entry.unit,
            overflow: usage,
            quantity,
            tiers: quote.tiers,
            amount_exact: quote.amount,
            amount,
        });
    }
    Ok(Statement {
        period,
        currency: tariff.currency,
        rounding,
        packs: packs.into_values().collect(),
        lines,
        total_exact,
        // A sum of rounded lines: applying the rounding only writes it with the line scale
        // (a statement with no lines totals 0.00, not 0).
        total: rounding.apply(total),
    })
}

/// `"statement line (product P, spec S)"`: where an error about a statement line is.
fn statement_line_place(product: &ProductType, spec: MediaSpec) -> String {
    format!("statement line (product {product}, spec {spec})")
}

/// Converts `value` base units (`base`: second or count) into `unit` under `policy`.
fn to_tariff_unit(value: Decimal, base: Unit, unit: Unit, policy: MinutePolicy) -> Result<Decimal> {
    match (base.seconds(), unit.seconds()) {
        (None, None) => Ok(value),
        (Some(_), Some(per)) => {
            let q = value
                .checked_div(Decimal::from(per))
                .ok_or_else(|| Error::overflow("unit conversion"))?;
            Ok(match policy {
                MinutePolicy::Exact => q.normalize(),
                _ => q.ceil(),
            })
        }
        _ => Err(mediameter_core::Error::UnitMismatch {
            operation: "statement pricing",
            from: base.as_str(),
            to: unit.as_str(),
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn tiers() -> Vec<Tier> {
        vec![
            Tier {
                up_to: Some(dec!(100)),
                unit_price: dec!(3),
            },
            Tier {
                up_to: Some(dec!(200)),
                unit_price: dec!(2),
            },
            Tier {
                up_to: None,
                unit_price: dec!(1),
            },
        ]
    }

    #[test]
    fn graduated_sums_tiers_volume_picks_one() {
        let g = Pricing::Graduated { tiers: tiers() };
        assert_eq!(price_with(&g, dec!(250)).unwrap().amount, dec!(550));
        assert_eq!(price_with(&g, dec!(100)).unwrap().amount, dec!(300));
        assert_eq!(price_with(&g, dec!(0)).unwrap().amount, dec!(0));
        let v = Pricing::Volume { tiers: tiers() };
        assert_eq!(price_with(&v, dec!(250)).unwrap().amount, dec!(250));
        assert_eq!(price_with(&v, dec!(150)).unwrap().amount, dec!(300));
    }

    #[test]
    fn tier_validation() {
        let p = ProductType::new("rtc").unwrap();
        assert!(validate_tiers(&tiers(), &p).is_ok());
        let mut bad = tiers();
        bad.swap(0, 1);
        assert!(validate_tiers(&bad, &p).is_err());
        assert!(validate_tiers(&tiers()[..2], &p).is_err());
    }
}
