//! Whole request documents, as the `mediameter bill` and `mediameter settle` commands read
//! them: one code path for the command line, the fuzz targets and any service that takes the
//! same JSON. (`mediameter prorate` reads a [`ProrationRequest`](crate::ProrationRequest).)
//!
//! Deserializing a request validates every part the way the constructors do and refuses
//! unknown fields; [`BillRequest::run`] and [`SettleRequest::run`] then compute, and their
//! errors say where in the document the problem is (`packs[2]`, `usage[5]`, `resources[1]`).

use mediameter_core::TimeRange;

use crate::error::Result;
use crate::packs::{EngineState, LedgerLine, Pack, PackBalance, PackEngine, UsageItem};
use crate::period::{OutOfPeriod, split_by_period};
use crate::settlement::{ResourceTimeline, Settlement, SettlementOptions, settle_all};
use crate::tariff::{Statement, StatementOptions, Tariff, monthly_statement};

/// A month to bill: packs, usage, a tariff for the overflow, and optionally the engine state
/// of an earlier run to continue from.
///
/// In JSON: `{"period": {"start", "end"}, "packs"?: [...], "usage"?: [...], "tariff": {...},
/// "options"?: {...}, "state"?: {...}}`.
///
/// ```
/// use mediameter_billing::BillRequest;
/// let json = r#"{"period": {"start": "2023-03-31T16:00:00Z", "end": "2023-04-30T16:00:00Z"},
///   "packs": [{"id": "pk", "product": "rtc", "quantity": {"value": "10", "unit": "minute"},
///              "purchased_at": "2023-03-31T16:00:00Z", "expires_at": "2023-06-30T16:00:00Z"}],
///   "usage": [{"id": 0, "at": "2023-04-02T00:00:00Z", "product": "rtc", "spec": "720p",
///              "quantity": {"value": "15", "unit": "minute"}}],
///   "tariff": {"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
///              "pricing": {"model": "flat", "unit_price": "0.028"}}]}}"#;
/// let request: BillRequest = serde_json::from_str(json)?;
/// let outcome = request.run(false)?;
/// assert_eq!(outcome.statement.total.to_string(), "0.14"); // 5 minutes over, 0.028 each
/// assert_eq!(outcome.applied, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BillRequest {
    /// The statement's period. Usage stamped outside it is refused, or with `out_of_period`
    /// `"carry"` returned unapplied in [`BillOutcome::carried`] for its own period's run.
    pub period: TimeRange,
    /// Packs bought, added to the engine (after `state`).
    #[serde(default)]
    pub packs: Vec<Pack>,
    /// Usage to deduct, in order; ids already applied are skipped.
    #[serde(default)]
    pub usage: Vec<UsageItem>,
    /// The pay-as-you-go tariff pricing the overflow.
    pub tariff: Tariff,
    /// Statement options: rounding and minute policy.
    #[serde(default)]
    pub options: StatementOptions,
    /// The `state` of an earlier run to continue from.
    #[serde(default)]
    pub state: Option<EngineState>,
    /// Usage stamped outside `period`: `"refuse"` (the default) or `"carry"`.
    #[serde(default)]
    pub out_of_period: OutOfPeriod,
}

/// What a [`BillRequest`] produced.
///
/// It serializes as the `mediameter bill` command prints it and reads back as the same value
/// (refusing unknown fields), so an outcome can be stored or sent on and read again. Each part
/// deserializes with its own checks; the outcome adds no invariant of its own, since it is an
/// output whose fields are public. The engine `state` is checked in full when the next run
/// restores it ([`BillRequest::state`]).
///
/// ```
/// use mediameter_billing::{BillOutcome, BillRequest};
/// let json = r#"{"period": {"start": "2023-03-31T16:00:00Z", "end": "2023-04-30T16:00:00Z"},
///   "usage": [{"id": 0, "at": "2023-04-02T00:00:00Z", "product": "rtc", "spec": "720p",
///              "quantity": {"value": "15", "unit": "minute"}}],
///   "tariff": {"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
///              "pricing": {"model": "flat", "unit_price": "0.028"}}]}}"#;
/// let outcome = serde_json::from_str::<BillRequest>(json)?.run(true)?;
/// let back: BillOutcome = serde_json::from_str(&serde_json::to_string(&outcome)?)?;
/// assert_eq!(back, outcome);
/// assert_eq!(back.statement.total.to_string(), "0.42"); // 15 minutes at 0.028
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BillOutcome {
    /// The statement of the period.
    pub statement: Statement,
    /// Items deducted.
    pub applied: u64,
    /// Items skipped as replays.
    pub replayed: u64,
    /// Every pack's balance after the run.
    pub balances: Vec<PackBalance>,
    /// Usage stamped outside the period, not deducted (with `out_of_period` `"carry"`): give
    /// it to the run of the period it belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<UsageItem>,
    /// The deduction ledger, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Vec<LedgerLine>>,
    /// The engine state to give the next run.
    pub state: EngineState,
}

impl BillRequest {
    /// Restores the engine, adds the packs, deducts the usage and builds the statement.
    ///
    /// # Errors
    ///
    /// Located at the part of the document at fault: `state`, `packs[i]` (a duplicate id),
    /// `usage[i]` (usage outside the period under `"refuse"`, see
    /// [`split_by_period`]; or see [`PackEngine::deduct_batch`]), or, from
    /// [`monthly_statement`], the statement line, the usage item and the tariff entry
    /// (`statement line (product rtc, spec audio): usage item (partition 0, id 7), field
    /// quantity: tariff entries[0] (product rtc, any spec), field unit: ...` for an
    /// overflowing product and spec the tariff does not price, a unit mismatch, an overflow).
    /// Usage outside the period is checked before anything is deducted.
    pub fn run(self, with_ledger: bool) -> Result<BillOutcome> {
        let split = split_by_period(self.usage, self.period, self.out_of_period)?;
        let mut engine = match self.state {
            Some(state) => PackEngine::try_from(state).map_err(|e| e.at("state"))?,
            None => PackEngine::new(),
        };
        for (i, pack) in self.packs.into_iter().enumerate() {
            engine
                .add_pack(pack)
                .map_err(|e| e.at(format!("packs[{i}]")))?;
        }
        let report = engine.deduct_batch(&split.inside)?;
        let statement =
            monthly_statement(&report.ledger, self.period, &self.tariff, &self.options)?;
        Ok(BillOutcome {
            statement,
            applied: report.applied,
            replayed: report.replayed,
            balances: engine.balances(),
            carried: split.carried,
            ledger: with_ledger.then_some(report.ledger),
            state: EngineState::from(engine),
        })
    }
}

/// Resources to settle hour by hour.
///
/// In JSON: `{"options"?: {"zone", "rounding", "residue", "window"}, "resources":
/// [{"resource", "events": [{"at", "event", "configuration"?}]}]}`.
///
/// ```
/// use mediameter_billing::SettleRequest;
/// let json = r#"{"resources": [{"resource": "r1", "events": [
///   {"at": "2023-04-18T00:45:30Z", "event": "created", "configuration": {"items": [
///     {"name": "mcu", "quantity": "1", "hourly_price": {"amount": "3.60", "currency": "CNY"}}]}},
///   {"at": "2023-04-18T00:55:30Z", "event": "deleted"}]}]}"#;
/// let request: SettleRequest = serde_json::from_str(json)?;
/// let settlements = request.run()?;
/// assert_eq!(settlements[0].summary.total.to_string(), "0.60");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SettleRequest {
    /// Zone, rounding, residue policy and window.
    #[serde(default)]
    pub options: SettlementOptions,
    /// The resources' timelines.
    pub resources: Vec<ResourceTimeline>,
}

impl SettleRequest {
    /// Settles every resource with [`settle_all`]: lifetimes of one resource id must not
    /// overlap, and all of them together stay within
    /// [`MAX_LINES`](crate::settlement::MAX_LINES) lines.
    ///
    /// # Errors
    ///
    /// As [`settle_all`].
    pub fn run(&self) -> Result<Vec<Settlement>> {
        settle_all(&self.resources, &self.options)
    }
}
