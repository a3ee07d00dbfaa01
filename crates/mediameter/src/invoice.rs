//! A month of usage to a statement: the steps after metering, and the one call that does all.

use std::collections::BTreeSet;

use mediameter_billing::{EngineState, Pack, PackBalance, PackEngine, UsageItem};
use mediameter_billing::{OutOfPeriod, split_by_period};
use mediameter_billing::{Statement, StatementOptions, Tariff, monthly_statement};
use mediameter_core::{
    BillingZone, Buckets, Currency, Granularity, MinutePolicy, StreamSegment, TimeRange,
};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::mapping::Mapping;
use crate::meter::{BillableUsage, Meter, Unbilled};
use crate::month::BillingMonth;

/// How an invoice is computed. Every field has a default; build the rest with the `with_*`
/// setters, which change one field each.
///
/// In JSON: `{"zone"?, "grid"?, "out_of_period"?, "partition"?, "currency"?, "statement"?:
/// {"rounding"?, "minutes"?}}`. Deserializing checks each value as its type's parser does (a
/// zone strictly inside ±24 h, a grid that divides a day, a known currency) and refuses
/// unknown fields.
///
/// ```
/// use mediameter::InvoiceOptions;
/// use mediameter::core::{BillingZone, Currency, MinutePolicy};
/// let o = InvoiceOptions::default();
/// assert_eq!(o.zone, BillingZone::GMT8);
/// assert_eq!(o.grid.seconds(), 3600);
/// assert_eq!(o.statement.minutes, MinutePolicy::CeilPerPeriod);
///
/// // Billed in CNY only, per call rounded up, usage of other months kept for their own run.
/// let o = InvoiceOptions::default()
///     .with_currency(Some(Currency::CNY))
///     .with_minutes(MinutePolicy::CeilPerRecord)
///     .with_out_of_period(mediameter::billing::OutOfPeriod::Carry);
/// let json = r#"{"currency": "CNY", "statement": {"minutes": "ceil_per_record"}, "out_of_period": "carry"}"#;
/// assert_eq!(serde_json::from_str::<InvoiceOptions>(json)?, o);
/// assert!(serde_json::from_str::<InvoiceOptions>(r#"{"grid": 7}"#).is_err()); // 7 s does not divide a day
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct InvoiceOptions {
    /// The zone the month and the slice grid are read in (GMT+8 by default).
    pub zone: BillingZone,
    /// Width of the slices usage is deducted by, in time order (an hour by default).
    pub grid: Granularity,
    /// Usage outside the month: refused (the default) or carried to its own period.
    pub out_of_period: OutOfPeriod,
    /// Delivery partition of the usage items: one per independent source of segments billed
    /// into the same engine state.
    pub partition: u32,
    /// The currency the invoice must be in; a tariff in another is refused.
    pub currency: Option<Currency>,
    /// Statement rounding and the minute policy that turns billed seconds into minutes,
    /// once per statement line.
    pub statement: StatementOptions,
}

impl Default for InvoiceOptions {
    fn default() -> Self {
        InvoiceOptions {
            zone: BillingZone::GMT8,
            grid: Granularity::HOUR,
            out_of_period: OutOfPeriod::Refuse,
            partition: 0,
            currency: None,
            statement: StatementOptions::default(),
        }
    }
}

impl InvoiceOptions {
    /// With the month and the slice grid read in `zone`.
    #[must_use]
    pub const fn with_zone(mut self, zone: BillingZone) -> Self {
        self.zone = zone;
        self
    }

    /// With slices `grid` wide.
    #[must_use]
    pub const fn with_grid(mut self, grid: Granularity) -> Self {
        self.grid = grid;
        self
    }

    /// With usage outside the month refused or carried, as `out_of_period` says.
    #[must_use]
    pub const fn with_out_of_period(mut self, out_of_period: OutOfPeriod) -> Self {
        self.out_of_period = out_of_period;
        self
    }

    /// With the usage items in delivery `partition`.
    #[must_use]
    pub const fn with_partition(mut self, partition: u32) -> Self {
        self.partition = partition;
        self
    }

    /// With the invoice required to be in `currency` (`None`: the tariff's, whatever it is).
    #[must_use]
    pub const fn with_currency(mut self, currency: Option<Currency>) -> Self {
        self.currency = currency;
        self
    }

    /// With `statement` options (rounding and minute policy).
    #[must_use]
    pub const fn with_statement(mut self, statement: StatementOptions) -> Self {
        self.statement = statement;
        self
    }

    /// With billed seconds turned into minutes under `minutes`: the statement option most
    /// often changed, so it has its own setter.
    #[must_use]
    pub const fn with_minutes(mut self, minutes: MinutePolicy) -> Self {
        self.statement = self.statement.with_minutes(minutes);
        self
    }
}

/// Everything an invoice needs besides the segments.
///
/// In JSON: `{"month": "2024-03", "mapping"?, "packs"?: [...], "tariff": {...}, "state"?,
/// "options"?}`; the mapping defaults to [`Mapping::rtc`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InvoiceRequest {
    /// The month billed.
    pub month: BillingMonth,
    /// Which product and spec segments bill as.
    #[serde(default)]
    pub mapping: Mapping,
    /// Packs bought, added to the engine (after `state`).
    #[serde(default)]
    pub packs: Vec<Pack>,
    /// The pay-as-you-go tariff.
    pub tariff: Tariff,
    /// The engine state of the previous run (packs and their balances, applied items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<EngineState>,
    /// Options.
    #[serde(default)]
    pub options: InvoiceOptions,
}

impl InvoiceRequest {
    /// A request for `month` under `tariff`, the RTC mapping, no pack, default options.
    #[must_use]
    pub fn new(month: BillingMonth, tariff: Tariff) -> Self {
        InvoiceRequest {
            month,
            mapping: Mapping::rtc(),
            packs: Vec::new(),
            tariff,
            state: None,
            options: InvoiceOptions::default(),
        }
    }

    /// With `mapping`.
    #[must_use]
    pub fn with_mapping(mut self, mapping: Mapping) -> Self {
        self.mapping = mapping;
        self
    }

    /// With `packs` added to the engine.
    #[must_use]
    pub fn with_packs(mut self, packs: Vec<Pack>) -> Self {
        self.packs = packs;
        self
    }

    /// Continuing from `state`.
    #[must_use]
    pub fn with_state(mut self, state: EngineState) -> Self {
        self.state = Some(state);
        self
    }

    /// With `options`.
    #[must_use]
    pub fn with_options(mut self, options: InvoiceOptions) -> Self {
        self.options = options;
        self
    }

    /// Checks the request and builds the engine: the first step, before any segment is read.
    ///
    /// # Errors
    ///
    /// Located at the part at fault: `tariff, field currency` (another currency than
    /// `options.currency`); `mapping rules[i], field product` (a product the tariff does
    /// not price at all); `state`; `packs[i]` (a duplicate id); `month` (a month outside
    /// years 0001 to 9999 in the zone).
    pub fn start(self) -> Result<InvoiceRun> {
        if let Some(expected) = self.options.currency
            && expected != self.tariff.currency()
        {
            return Err(Error::from(mediameter_core::Error::CurrencyMismatch {
                operation: "invoice",
                left: self.tariff.currency().code().to_owned(),
                right: expected.code().to_owned(),
            })
            .at("tariff, field currency"));
        }
        for (i, rule) in self.mapping.rules().iter().enumerate() {
            if !self
                .tariff
                .entries()
                .iter()
                .any(|e| &e.product == rule.product())
            {
                return Err(Error::invalid(
                    "mapping product",
                    rule.product().as_str(),
                    "a product the tariff prices",
                )
                .at(format!("mapping rules[{i}], field product")));
            }
        }
        let period = self
            .month
            .range(self.options.zone)
            .map_err(|e| e.at("month"))?;
        let mut engine = match self.state {
            Some(state) => PackEngine::try_from(state).map_err(|e| Error::from(e).at("state"))?,
            None => PackEngine::new(),
        };
        for (i, pack) in self.packs.into_iter().enumerate() {
            engine
                .add_pack(pack)
                .map_err(|e| Error::from(e).at(format!("packs[{i}]")))?;
        }
        Ok(InvoiceRun {
            month: self.month,
            period,
            mapping: self.mapping,
            tariff: self.tariff,
            engine,
            options: self.options,
        })
    }
}

/// A checked request with its engine: meter segments with [`InvoiceRun::meter`], then
/// [`InvoiceRun::bill`] the usage.
#[derive(Debug, Clone)]
pub struct InvoiceRun {
    month: BillingMonth,
    period: TimeRange,
    mapping: Mapping,
    tariff: Tariff,
    engine: PackEngine,
    options: InvoiceOptions,
}

impl InvoiceRun {
    /// The instants billed: the month in the options' zone.
    #[must_use]
    pub fn period(&self) -> TimeRange {
        self.period
    }

    /// A meter for this run: the mapping, the grid in the zone, the period and every pack's
    /// purchase and expiry as slice boundaries.
    ///
    /// # Errors
    ///
    /// As [`Meter::new`].
    pub fn meter(&self) -> Result<Meter> {
        let cuts: Vec<_> = self
            .engine
            .packs()
            .flat_map(|p| [p.purchased_at(), p.expires_at()])
            .collect();
        Meter::new(
            self.mapping.clone(),
            self.period,
            Buckets::new(self.options.zone, self.options.grid),
            self.options.out_of_period,
            cuts,
        )
    }

    /// Bills metered usage: items in time order, usage outside the period refused or carried
    /// (before anything is deducted), every billed (product, spec) checked against the tariff,
    /// deduction from packs earliest expiry first, and the statement of the month.
    ///
    /// # Errors
    ///
    /// `usage[i]` for an item outside the period under [`OutOfPeriod::Refuse`];
    /// `slices[i], field start` for usage to carry more than
    /// [`MAX_CARRY_MONTHS`](crate::meter::MAX_CARRY_MONTHS) months;
    /// `tariff, field entries` for a billed product and spec the tariff does not price;
    /// deduction errors (a pack in a count unit); statement errors. Nothing is returned
    /// half-applied: the engine state is only in the [`Invoice`].
    pub fn bill(mut self, usage: &BillableUsage) -> Result<Invoice> {
        let items = usage.items(
            self.options.partition,
            &self.mapping,
            self.month,
            self.options.zone,
        )?;
        let split = split_by_period(items, self.period, self.options.out_of_period)?;
        let billed: BTreeSet<_> = split
            .inside
            .iter()
            .map(|i| (i.product().clone(), i.spec()))
            .collect();
        for (product, spec) in &billed {
            if self.tariff.entry(product, *spec).is_none() {
                return Err(Error::invalid(
                    "tariff",
                    &format!("{product} {spec}"),
                    "a price for every billed product and spec",
                )
                .at("tariff, field entries"));
            }
        }
        let report = self.engine.deduct_batch(&split.inside)?;
        let statement = monthly_statement(
            &report.ledger,
            self.period,
            &self.tariff,
            &self.options.statement,
        )?;
        let inside: Decimal = split
            .inside
            .iter()
            .map(|i| i.quantity().value())
            .fold(Decimal::ZERO, Decimal::saturating_add);
        let applied_seconds: Decimal = report
            .ledger
            .iter()
            .map(|l| l.usage)
            .fold(Decimal::ZERO, Decimal::saturating_add);
        Ok(Invoice {
            month: self.month,
            zone: self.options.zone,
            period: self.period,
            segments: usage.segments(),
            unbilled: usage.unbilled(),
            metered_seconds: inside,
            billed_seconds: applied_seconds,
            replayed_seconds: inside.saturating_sub(applied_seconds),
            applied: report.applied,
            replayed: report.replayed,
            statement,
            balances: self.engine.balances(),
            carried: split.carried,
            state: EngineState::from(self.engine),
        })
    }
}

/// The invoice of a month: the statement (per-pack draw-down, overflow lines priced by the
/// tariff, totals) and how the usage got there. Prints as JSON and parses back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Invoice {
    /// The month billed.
    pub month: BillingMonth,
    /// The zone it is read in.
    pub zone: BillingZone,
    /// Its instants.
    pub period: TimeRange,
    /// Segments read.
    pub segments: u64,
    /// Seconds of segments no mapping rule bills, by role.
    pub unbilled: Unbilled,
    /// Billable seconds inside the period.
    pub metered_seconds: Decimal,
    /// Seconds billed by this run: drawn from packs or overflowing (equal to
    /// `metered_seconds` unless some usage was billed by an earlier run of the same state).
    pub billed_seconds: Decimal,
    /// Seconds skipped because an earlier run of the same state billed them.
    pub replayed_seconds: Decimal,
    /// Usage items deducted.
    pub applied: u64,
    /// Usage items skipped as replays.
    pub replayed: u64,
    /// The statement.
    pub statement: Statement,
    /// Every pack's balance after the month.
    pub balances: Vec<PackBalance>,
    /// Usage outside the month, not deducted (under [`OutOfPeriod::Carry`]): bill it in its
    /// own month, before or after that month's own invoice into the same state. Carried items
    /// have ids no run gives its own month's usage (see [`BillableUsage::items`]), so they are
    /// not mistaken for replays of that month's usage, nor it for theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<UsageItem>,
    /// The engine state to continue from next month.
    pub state: EngineState,
}

/// Invoices a month in one call: [`InvoiceRequest::start`], [`InvoiceRun::meter`] over
/// `segments`, [`InvoiceRun::bill`].
///
/// # Errors
///
/// As each step; the first error stops the run and nothing is returned.
///
/// ```
/// use mediameter::{BillingMonth, InvoiceRequest, invoice};
/// use mediameter_billing::Tariff;
/// use rust_decimal_macros::dec;
/// let segments = mediameter_usage::parse_csv("app,channel,user,role,spec,region,start,end\n\
///     a,room,host,pub,720p,,1709226000,1709229600\n\
///     a,room,fan,sub,720p,,1709226000,1709226090\n")?; // 90 s watched, 1 March 01:00 GMT+8
/// let tariff: Tariff = serde_json::from_str(r#"{"currency": "CNY", "entries": [{"product": "rtc",
///     "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.028"}}]}"#)?;
/// let request = InvoiceRequest::new("2024-03".parse::<BillingMonth>()?, tariff);
/// let bill = invoice(&segments, request)?;
/// assert_eq!(bill.statement.lines[0].quantity, dec!(2)); // 90 s → 2 minutes, rounded once
/// assert_eq!(bill.statement.total, dec!(0.06));
/// assert_eq!(bill.unbilled.publish, 3600);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn invoice<'a>(
    segments: impl IntoIterator<Item = &'a StreamSegment>,
    request: InvoiceRequest,
) -> Result<Invoice> {
    let run = request.start()?;
    let mut meter = run.meter()?;
    meter.extend(segments)?;
    let usage = meter.finish();
    run.bill(&usage)
}
