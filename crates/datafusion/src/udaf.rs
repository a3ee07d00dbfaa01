//! The aggregate functions: each one feeds its rows to the usage kernel's [`Aggregator`] and
//! carries the kernel's mergeable [`UsageState`] (serialized, in a `Binary` column) between
//! partial and final aggregation.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;
use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{
    Aggregator, DistinctMode, GroupTotal, IdScope, Metrics, UsageQuery, UsageReport, UsageState,
};

use crate::batch::SegmentBatch;
use crate::error::{Error, Result};

/// What an aggregate function reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Metric {
    PeakStreams,
    PeakChannels,
    PeakCommunications,
    DistinctUsers,
    DistinctChannels,
    ApproxDistinctUsers,
    ApproxDistinctChannels,
    BillableMinutes,
    /// The whole state, serialized: `mm_usage_state(query_json, columns...)`.
    State,
    /// The report of a query, as JSON: `mm_usage_report(query_json, policy, columns...)`.
    /// Its partial state is the state's; only the final result differs, so that a caller who
    /// wants the report never serializes and reads back the merged state.
    Report,
}

impl Metric {
    pub(crate) const ALL: [Metric; 10] = [
        Metric::PeakStreams,
        Metric::PeakChannels,
        Metric::PeakCommunications,
        Metric::DistinctUsers,
        Metric::DistinctChannels,
        Metric::ApproxDistinctUsers,
        Metric::ApproxDistinctChannels,
        Metric::BillableMinutes,
        Metric::State,
        Metric::Report,
    ];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Metric::PeakStreams => "mm_peak_streams",
            Metric::PeakChannels => "mm_peak_channels",
            Metric::PeakCommunications => "mm_peak_communications",
            Metric::DistinctUsers => "mm_distinct_users",
            Metric::DistinctChannels => "mm_distinct_channels",
            Metric::ApproxDistinctUsers => "mm_approx_distinct_users",
            Metric::ApproxDistinctChannels => "mm_approx_distinct_channels",
            Metric::BillableMinutes => "mm_billable_minutes",
            Metric::State => "mm_usage_state",
            Metric::Report => "mm_usage_report",
        }
    }

    fn return_type(self) -> DataType {
        match self {
            Metric::BillableMinutes | Metric::Report => DataType::Utf8,
            Metric::State => DataType::Binary,
            _ => DataType::UInt64,
        }
    }

    /// Whether the function takes the whole segment record (the four dimension columns too)
    /// and a query: the state and the report.
    const fn whole(self) -> bool {
        matches!(self, Metric::State | Metric::Report)
    }

    /// The number of leading literal arguments (before the segment columns) and the most
    /// trailing literal arguments.
    const fn literals(self) -> (usize, usize) {
        match self {
            Metric::State => (1, 0),
            Metric::Report => (2, 0),
            Metric::DistinctUsers | Metric::DistinctChannels | Metric::BillableMinutes => (0, 1),
            Metric::ApproxDistinctUsers | Metric::ApproxDistinctChannels => (0, 2),
            Metric::PeakStreams | Metric::PeakChannels | Metric::PeakCommunications => (0, 0),
        }
    }
}

/// One aggregate function of this crate.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct UsageUdaf {
    metric: Metric,
    signature: Signature,
}

impl UsageUdaf {
    pub(crate) fn udaf(metric: Metric) -> AggregateUDF {
        AggregateUDF::from(UsageUdaf {
            metric,
            signature: Signature::variadic_any(Volatility::Immutable),
        })
    }
}

fn literal_text(
    expr: Option<&Arc<dyn datafusion::physical_expr::PhysicalExpr>>,
    field: &'static str,
) -> Result<Option<String>> {
    let Some(expr) = expr else { return Ok(None) };
    let Some(lit) = expr.downcast_ref::<Literal>() else {
        return Err(Error::invalid(field, &expr.to_string(), "a literal"));
    };
    Ok(scalar_text(lit.value()))
}

/// The text of a literal's value (`None`: a null); a dictionary-typed literal is its value's.
fn scalar_text(value: &ScalarValue) -> Option<String> {
    match value {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v.clone(),
        ScalarValue::Dictionary(_, inner) => scalar_text(inner),
        other => (!other.is_null()).then(|| other.to_string()),
    }
}

/// Whether `expr` is a NULL literal (of any type).
fn is_null_literal(expr: Option<&Arc<dyn datafusion::physical_expr::PhysicalExpr>>) -> bool {
    expr.and_then(|e| e.downcast_ref::<Literal>())
        .is_some_and(|l| l.value().is_null())
}

fn parse_scope(s: &str) -> Result<IdScope> {
    match s {
        "app" | "per_app" => Ok(IdScope::PerApp),
        "global" => Ok(IdScope::Global),
        _ => Err(Error::invalid("scope", s, "app or global")),
    }
}

/// The query an aggregate function runs on its group's rows: one group, UTC days (the
/// function reports the group's totals, which do not depend on the buckets).
fn metric_query(
    metric: Metric,
    option: Option<&str>,
    precision: Option<&str>,
) -> Result<UsageQuery> {
    let base = UsageQuery::new(BillingZone::UTC, Granularity::DAY);
    let metrics = Metrics::DURATIONS;
    Ok(match metric {
        Metric::PeakStreams => base.with_metrics(metrics.with_stream_peaks(true)),
        Metric::PeakChannels | Metric::PeakCommunications => {
            base.with_metrics(metrics.with_peaks(true))
        }
        Metric::DistinctUsers
        | Metric::DistinctChannels
        | Metric::ApproxDistinctUsers
        | Metric::ApproxDistinctChannels => {
            let scope = parse_scope(option.unwrap_or("app"))?;
            let on = metrics
                .with_users(matches!(
                    metric,
                    Metric::DistinctUsers | Metric::ApproxDistinctUsers
                ))
                .with_channels(matches!(
                    metric,
                    Metric::DistinctChannels | Metric::ApproxDistinctChannels
                ));
            let q = base.with_metrics(on).with_id_scope(scope);
            if matches!(
                metric,
                Metric::ApproxDistinctUsers | Metric::ApproxDistinctChannels
            ) {
                let p = precision.unwrap_or("12");
                let p: u8 = p
                    .parse()
                    .map_err(|_| Error::invalid("precision", p, "an integer from 4 to 16"))?;
                q.with_distinct(DistinctMode::approximate(p)?)
            } else {
                q
            }
        }
        Metric::BillableMinutes => base.with_metrics(metrics),
        Metric::State | Metric::Report => {
            let json = option.ok_or_else(|| Error::invalid("query", "", "a UsageQuery as JSON"))?;
            serde_json::from_str(json)
                .map_err(|e| Error::invalid("query", json, format!("a UsageQuery as JSON ({e})")))?
        }
    })
}

impl AggregateUDFImpl for UsageUdaf {
    fn name(&self) -> &str {
        self.metric.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DfResult<DataType> {
        let (lead, trail) = self.metric.literals();
        let min = lead.saturating_add(8);
        let max = min
            .saturating_add(trail)
            .saturating_add(if self.metric.whole() { 4 } else { 0 });
        if arg_types.len() < min || arg_types.len() > max {
            return Err(Error::invalid(
                "arguments",
                &arg_types.len().to_string(),
                format!("{min} to {max} arguments for {}", self.metric.name()),
            )
            .into_df());
        }
        Ok(self.metric.return_type())
    }

    fn is_nullable(&self) -> bool {
        true
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> DfResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[usage_state]", args.name),
            DataType::Binary,
            true,
        ))])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> DfResult<Box<dyn Accumulator>> {
        let (lead, _) = self.metric.literals();
        let build = || -> Result<UsageAccumulator> {
            let (option, precision, policy) = match self.metric {
                Metric::State => (literal_text(acc_args.exprs.first(), "query")?, None, None),
                Metric::Report => (
                    literal_text(acc_args.exprs.first(), "query")?,
                    None,
                    literal_text(acc_args.exprs.get(1), "policy")?,
                ),
                Metric::BillableMinutes => {
                    (None, None, literal_text(acc_args.exprs.get(8), "policy")?)
                }
                _ => (
                    literal_text(acc_args.exprs.get(8), "scope")?,
                    literal_text(acc_args.exprs.get(9), "precision")?,
                    None,
                ),
            };
            let policy = match policy {
                Some(p) => p.parse::<MinutePolicy>()?,
                None => MinutePolicy::default(),
            };
            let query = metric_query(self.metric, option.as_deref(), precision.as_deref())?;
            let columns = if self.metric.whole() { 12 } else { 8 };
            // A NULL literal given for a column the query does not read leaves the column
            // out (the engine then need not decode it); for one it reads, its rows are bad
            // records, as for any null.
            let left_out = (0..columns)
                .map(|i| {
                    let read = crate::segments::SEGMENT_COLUMNS
                        .iter()
                        .chain(&crate::segments::DIMENSION_COLUMNS)
                        .nth(i)
                        .is_some_and(|name| query.reads(name));
                    !read && is_null_literal(acc_args.exprs.get(lead.saturating_add(i)))
                })
                .collect();
            Ok(UsageAccumulator {
                metric: self.metric,
                agg: Aggregator::new(query.clone())?,
                query,
                merged: None,
                pushed: 0,
                policy,
                lead,
                columns,
                left_out,
            })
        };
        build()
            .map(|a| Box::new(a) as Box<dyn Accumulator>)
            .map_err(Error::into_df)
    }
}

/// The accumulator: the kernel's aggregator for rows, the merged partials of other
/// accumulators beside it.
#[derive(Debug)]
struct UsageAccumulator {
    metric: Metric,
    agg: Aggregator,
    /// The aggregator's query (to start a new one when the rows so far are folded into
    /// `merged`).
    query: UsageQuery,
    merged: Option<UsageState>,
    /// Rows given to `agg` (its input positions are counted from there).
    pushed: u64,
    policy: MinutePolicy,
    lead: usize,
    columns: usize,
    /// The segment columns (arguments from `lead`) given as a NULL literal that the query
    /// does not read: left out of the kernel's batches.
    left_out: Vec<bool>,
}

impl UsageAccumulator {
    /// Everything this accumulator has seen, as one state: the rows pushed so far are folded
    /// into the merged partials (the aggregator starts afresh), so nothing large is copied —
    /// the merged state is the result, the rows' state (empty in a final accumulator) is
    /// merged into it, and a partial accumulator's own state is moved, not merged.
    fn full_state(&mut self) -> Result<&UsageState> {
        let fresh = Aggregator::new(self.query.clone())?;
        let rows = std::mem::replace(&mut self.agg, fresh).finish()?;
        self.pushed = 0;
        let all = match self.merged.take() {
            Some(mut m) => {
                m.merge(&rows)?;
                m
            }
            None => rows,
        };
        Ok(self.merged.insert(all))
    }

    fn update(&mut self, values: &[ArrayRef]) -> Result<()> {
        let end = self.lead.saturating_add(self.columns).min(values.len());
        let args = values.get(self.lead..end).unwrap_or_default();
        // The columns as the batch holds them, handed to the kernel in columns (no segment
        // or row built, no id copied).
        let batch = SegmentBatch::from_args(args, &self.left_out)?;
        let before = self.pushed;
        let rows = u64::try_from(batch.rows()).unwrap_or(u64::MAX);
        self.pushed = before.saturating_add(rows);
        let agg = &mut self.agg;
        batch.with_columns(|c| agg.push_columns(c)).map_err(|e| {
            // A bad record is worded as the batch names it (its row, the core error
            // inside); any other error is the kernel's. The kernel names the position in its
            // input, which began `before` rows before this batch.
            let row = e
                .line()
                .and_then(|line| line.checked_sub(before.saturating_add(1)))
                .and_then(|r| usize::try_from(r).ok());
            match row.map(|r| self.located(args, r)) {
                Some(Err(located)) => located,
                _ => e.into(),
            }
        })
    }

    /// Row `row` of `args` built as a segment, for the wording of its error (a column left
    /// out reads as a valid id: see [`SegmentBatch::segment`]).
    fn located(&self, args: &[ArrayRef], row: usize) -> Result<mediameter_core::StreamSegment> {
        SegmentBatch::from_args(args, &self.left_out)?.segment(row)
    }

    fn merge(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(col) = states.first() else {
            return Ok(());
        };
        let bin = col.as_binary_opt::<i32>().ok_or_else(|| {
            Error::invalid("state", &col.data_type().to_string(), "a binary column")
        })?;
        merge_serialized(bin, &mut self.merged)
    }

    /// The state in the kernel's compact binary form (each id string once, then integers).
    fn serialized(&mut self) -> Result<Vec<u8>> {
        Ok(self.full_state()?.to_bytes())
    }

    fn value(&mut self) -> Result<ScalarValue> {
        if self.metric == Metric::State {
            return Ok(ScalarValue::Binary(Some(self.serialized()?)));
        }
        let policy = self.policy;
        let report = self.full_state()?.report(policy)?;
        figure(self.metric, &report)
    }
}

/// Reads the serialized states of `bin` (nulls skipped) and merges them into `into` (the
/// first one read is moved there, not merged).
pub(crate) fn merge_serialized(
    bin: &datafusion::arrow::array::BinaryArray,
    into: &mut Option<UsageState>,
) -> Result<()> {
    for i in 0..bin.len() {
        if bin.is_null(i) {
            continue;
        }
        let other = UsageState::from_bytes(bin.value(i))?;
        match into {
            Some(m) => m.merge(&other)?,
            None => *into = Some(other),
        }
    }
    Ok(())
}

/// What `metric` reports from `report`: the report itself as JSON, or a figure of its one
/// group's total (no rows: nothing was open, no one was seen, nothing is billed). The state is
/// not a figure of the report.
fn figure(metric: Metric, report: &UsageReport) -> Result<ScalarValue> {
    let total = report.totals.first();
    let count = |f: fn(&GroupTotal) -> Option<u64>| ScalarValue::UInt64(total.map_or(Some(0), f));
    Ok(match metric {
        Metric::Report => {
            let json = serde_json::to_string(report)
                .map_err(|e| Error::invalid("report", &e.to_string(), "a serializable report"))?;
            ScalarValue::Utf8(Some(json))
        }
        Metric::PeakStreams => count(|t| t.peak_streams),
        Metric::PeakChannels => count(|t| t.peak_channels),
        Metric::PeakCommunications => count(|t| t.peak_communications),
        Metric::DistinctUsers | Metric::ApproxDistinctUsers => count(|t| t.active_users),
        Metric::DistinctChannels | Metric::ApproxDistinctChannels => count(|t| t.channels),
        Metric::BillableMinutes => {
            let mut sum = rust_decimal::Decimal::ZERO;
            for (_, m) in total.iter().flat_map(|t| t.billable_minutes.iter()) {
                sum = sum
                    .checked_add(*m)
                    .ok_or_else(|| mediameter_core::Error::overflow("billable minutes"))?;
            }
            ScalarValue::Utf8(Some(sum.normalize().to_string()))
        }
        Metric::State => {
            return Err(Error::invalid(
                "metric",
                metric.name(),
                "a figure of the report",
            ));
        }
    })
}

impl Accumulator for UsageAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        self.update(values).map_err(Error::into_df)
    }

    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        self.value().map_err(Error::into_df)
    }

    fn size(&self) -> usize {
        // The kernel does not expose its footprint; the serialized partial is its measure.
        std::mem::size_of::<Self>()
    }

    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(
            self.serialized().map_err(Error::into_df)?,
        ))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        self.merge(states).map_err(Error::into_df)
    }
}
