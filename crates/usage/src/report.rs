//! Reading a [`UsageState`]: rows per group and bucket, with every metric.

use chrono::{DateTime, Utc};
use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::intervals::peaks_per_bucket;
use crate::query::Dimension;
use crate::spec_table::PerSpec;
use crate::state::{Cell, Distinct, GroupKey, UsageState};

/// The figures of one group in one bucket. See `docs/usage.md` for each metric's exact
/// definition.
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 90)?);
/// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?;
/// agg.push(&s)?;
/// let r = agg.report(MinutePolicy::CeilPerPeriod)?;
/// assert_eq!(r.rows[0].billable_minutes[MediaSpec::Audio].to_string(), "2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct UsageRow {
    /// Start of the bucket (UTC instant of the zone's hour or day boundary).
    pub bucket_start: DateTime<Utc>,
    /// The split-by values, in the query's split order (`None`: the segment had no value).
    #[cfg_attr(feature = "serde", serde(with = "group_map"))]
    pub group: Vec<(Dimension, Option<String>)>,
    /// Seconds of publishing per spec.
    pub publish_seconds: PerSpec<u64>,
    /// Seconds of subscribing per spec.
    pub subscribe_seconds: PerSpec<u64>,
    /// Billable minutes of subscription per spec under the report's minute policy.
    pub billable_minutes: PerSpec<Decimal>,
    /// Distinct users (`None`: not computed).
    pub active_users: Option<u64>,
    /// Distinct channels (`None`: not computed).
    pub channels: Option<u64>,
    /// Peak concurrent channels (`None`: not computed).
    pub peak_channels: Option<u64>,
    /// Peak concurrent communications (`None`: not computed).
    pub peak_communications: Option<u64>,
    /// Peak concurrent streams: open segments of the group (`None`: not computed).
    pub peak_streams: Option<u64>,
}

/// Totals of one group over every bucket of the report.
///
/// Durations and billable minutes are the sums of the group's rows; distinct counts are unions
/// over the buckets (a user active in two hours counts once); peaks are the largest bucket peak.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct GroupTotal {
    /// The split-by values.
    #[cfg_attr(feature = "serde", serde(with = "group_map"))]
    pub group: Vec<(Dimension, Option<String>)>,
    /// Seconds of publishing per spec.
    pub publish_seconds: PerSpec<u64>,
    /// Seconds of subscribing per spec.
    pub subscribe_seconds: PerSpec<u64>,
    /// Billable minutes per spec: the sum of the rows' (so totals reconcile with rows).
    pub billable_minutes: PerSpec<Decimal>,
    /// Distinct users over the whole range.
    pub active_users: Option<u64>,
    /// Distinct channels over the whole range.
    pub channels: Option<u64>,
    /// Peak concurrent channels over the whole range.
    pub peak_channels: Option<u64>,
    /// Peak concurrent communications over the whole range.
    pub peak_communications: Option<u64>,
    /// Peak concurrent streams over the whole range.
    pub peak_streams: Option<u64>,
}

/// A usage report: one row per group and bucket (sorted by group, then bucket), and a total
/// per group.
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let r = UsageState::new(UsageQuery::new(BillingZone::GMT8, Granularity::DAY)).report(MinutePolicy::Exact)?;
/// assert!(r.rows.is_empty());
/// assert_eq!(r.zone, BillingZone::GMT8);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct UsageReport {
    /// The zone the buckets are aligned in.
    pub zone: BillingZone,
    /// The bucket width.
    pub interval: Granularity,
    /// The split-by dimensions.
    pub split_by: Vec<Dimension>,
    /// The policy turning seconds into billable minutes.
    pub minute_policy: MinutePolicy,
    /// Whether distinct counts are HyperLogLog estimates.
    pub approximate: bool,
    /// Segments counted.
    pub segments: u64,
    /// The rows.
    pub rows: Vec<UsageRow>,
    /// One total per group.
    pub totals: Vec<GroupTotal>,
}

/// The figures of one cell that a report reads: whatever the state's representation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CellFigures {
    pub(crate) publish_seconds: PerSpec<u64>,
    pub(crate) subscribe_seconds: PerSpec<u64>,
    pub(crate) subscribe_ceil_minutes: PerSpec<u64>,
    pub(crate) users: Option<u64>,
    pub(crate) channels: Option<u64>,
}

impl CellFigures {
    fn of(cell: &Cell) -> Self {
        CellFigures {
            publish_seconds: cell.publish_seconds,
            subscribe_seconds: cell.subscribe_seconds,
            subscribe_ceil_minutes: cell.subscribe_ceil_minutes,
            users: cell.users.as_ref().map(Distinct::count),
            channels: cell.channels.as_ref().map(Distinct::count),
        }
    }
}

/// `(instant, ±1)` activity events.
pub(crate) type Events = Vec<(i64, i64)>;

/// One group's input to a report.
pub(crate) struct GroupFigures {
    pub(crate) group: Vec<(Dimension, Option<String>)>,
    /// Cells sorted by bucket start.
    pub(crate) cells: Vec<(i64, CellFigures)>,
    /// `(instant, ±1)` events of channel and relation activity, when peaks are computed.
    pub(crate) events: Option<(Events, Events)>,
    /// Peak channels and communications per cell, when computed already (then `events` is
    /// not read).
    pub(crate) peaks: Option<(Vec<u64>, Vec<u64>)>,
    /// Net changes of the number of open segments, when stream peaks are computed.
    pub(crate) stream_events: Option<Events>,
    /// Peak streams per cell, when computed already (then `stream_events` is not read).
    pub(crate) stream_peaks: Option<Vec<u64>>,
    pub(crate) total_users: Option<u64>,
    pub(crate) total_channels: Option<u64>,
}

fn billable(policy: MinutePolicy, cell: &CellFigures) -> Result<PerSpec<Decimal>> {
    let mut out = PerSpec([Decimal::ZERO; 6]);
    for (slot, (secs, ceil)) in out.0.iter_mut().zip(
        cell.subscribe_seconds
            .0
            .iter()
            .zip(cell.subscribe_ceil_minutes.0.iter()),
    ) {
        *slot = match policy {
            // Each piece of a segment inside the bucket is a record: its minutes were rounded
            // up when it was counted.
            MinutePolicy::CeilPerRecord => Decimal::from(*ceil),
            other => other.billable_minutes([*secs])?,
        };
    }
    Ok(out)
}

fn add_decimal(a: &mut PerSpec<Decimal>, b: &PerSpec<Decimal>) -> Result<()> {
    for (x, y) in a.0.iter_mut().zip(b.0.iter()) {
        *x = x
            .checked_add(*y)
            .ok_or_else(|| Error::overflow("billable minutes"))?;
    }
    Ok(())
}

/// Appends one group's rows and total.
pub(crate) fn group_rows(
    g: GroupFigures,
    policy: MinutePolicy,
    width: i64,
    rows: &mut Vec<UsageRow>,
    totals: &mut Vec<GroupTotal>,
) -> Result<()> {
    let starts: Vec<i64> = g.cells.iter().map(|(b, _)| *b).collect();
    let (peak_ch, peak_comm) = match (g.peaks, g.events) {
        (Some((ch, comm)), _) => (Some(ch), Some(comm)),
        (None, Some((mut ch, mut comm))) => (
            Some(peaks_per_bucket(&mut ch, &starts, width)),
            Some(peaks_per_bucket(&mut comm, &starts, width)),
        ),
        (None, None) => (None, None),
    };
    let peak_st = match (g.stream_peaks, g.stream_events) {
        (Some(p), _) => Some(p),
        (None, Some(mut st)) => Some(peaks_per_bucket(&mut st, &starts, width)),
        (None, None) => None,
    };
    let mut total = GroupTotal {
        group: g.group.clone(),
        publish_seconds: PerSpec::default(),
        subscribe_seconds: PerSpec::default(),
        billable_minutes: PerSpec([Decimal::ZERO; 6]),
        active_users: g.total_users,
        channels: g.total_channels,
        peak_channels: peak_ch.as_ref().map(|_| 0),
        peak_communications: peak_comm.as_ref().map(|_| 0),
        peak_streams: peak_st.as_ref().map(|_| 0),
    };
    for (i, (start, cell)) in g.cells.iter().enumerate() {
        let minutes = billable(policy, cell)?;
        let pc = peak_ch.as_ref().and_then(|v| v.get(i).copied());
        let pm = peak_comm.as_ref().and_then(|v| v.get(i).copied());
        let ps = peak_st.as_ref().and_then(|v| v.get(i).copied());
        total
            .publish_seconds
            .checked_add_assign(&cell.publish_seconds)?;
        total
            .subscribe_seconds
            .checked_add_assign(&cell.subscribe_seconds)?;
        add_decimal(&mut total.billable_minutes, &minutes)?;
        total.peak_channels = total.peak_channels.max(pc);
        total.peak_communications = total.peak_communications.max(pm);
        total.peak_streams = total.peak_streams.max(ps);
        rows.push(UsageRow {
            bucket_start: DateTime::from_timestamp(*start, 0).unwrap_or_default(),
            group: g.group.clone(),
            publish_seconds: cell.publish_seconds,
            subscribe_seconds: cell.subscribe_seconds,
            billable_minutes: minutes,
            active_users: cell.users,
            channels: cell.channels,
            peak_channels: pc,
            peak_communications: pm,
            peak_streams: ps,
        });
    }
    totals.push(total);
    Ok(())
}

pub(crate) fn assemble(
    query: &crate::UsageQuery,
    policy: MinutePolicy,
    segments: u64,
    rows: Vec<UsageRow>,
    totals: Vec<GroupTotal>,
) -> UsageReport {
    UsageReport {
        zone: query.buckets().zone(),
        interval: query.buckets().granularity(),
        split_by: query.split_by().to_vec(),
        minute_policy: policy,
        approximate: !matches!(query.distinct(), crate::DistinctMode::Exact),
        segments,
        rows,
        totals,
    }
}

impl UsageState {
    /// The report: every metric per group and bucket, and per group over all buckets.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] if a sum overflows; [`Error::Incompatible`] only for a state
    /// deserialized with mixed distinct modes.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let st = UsageState::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR));
    /// assert_eq!(st.report(MinutePolicy::CeilPerRecord)?.segments, 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn report(&self, policy: MinutePolicy) -> Result<UsageReport> {
        let q = &self.query;
        let width = i64::from(q.buckets().granularity().seconds());
        let mut rows = Vec::new();
        let mut totals = Vec::new();
        for (key, g) in &self.groups {
            let events = if q.metrics().peaks {
                let mut ch = Vec::new();
                for set in g.channel_activity.values() {
                    push_events(&mut ch, &set.intervals());
                }
                let mut comm = Vec::new();
                for set in g.relation_activity.values() {
                    push_events(&mut comm, &set.intervals());
                }
                Some((ch, comm))
            } else {
                None
            };
            let stream_events = q
                .metrics()
                .stream_peaks
                .then(|| g.stream_deltas.iter().map(|(t, d)| (*t, *d)).collect());
            let total_users =
                Distinct::union_count(g.cells.values().filter_map(|c| c.users.as_ref()))?;
            let total_channels =
                Distinct::union_count(g.cells.values().filter_map(|c| c.channels.as_ref()))?;
            let figures = GroupFigures {
                group: labelled(q.split_by(), key),
                cells: g
                    .cells
                    .iter()
                    .map(|(b, c)| (*b, CellFigures::of(c)))
                    .collect(),
                events,
                peaks: None,
                stream_events,
                stream_peaks: None,
                total_users,
                total_channels,
            };
            group_rows(figures, policy, width, &mut rows, &mut totals)?;
        }
        Ok(assemble(q, policy, self.segments, rows, totals))
    }
}

pub(crate) fn push_events(ev: &mut Vec<(i64, i64)>, intervals: &[(i64, i64)]) {
    for &(a, b) in intervals {
        ev.push((a, 1));
        ev.push((b, -1));
    }
}

pub(crate) fn labelled(dims: &[Dimension], key: &GroupKey) -> Vec<(Dimension, Option<String>)> {
    dims.iter().copied().zip(key.iter().cloned()).collect()
}

#[cfg(feature = "serde")]
mod group_map {
    //! The group of a row as a JSON object `{"region": "cn-shanghai", "spec": "720p"}` in
    //! split order.
    use serde::ser::SerializeMap;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::query::Dimension;

    pub(crate) fn serialize<S: Serializer>(
        g: &[(Dimension, Option<String>)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(g.len()))?;
        for (d, v) in g {
            m.serialize_entry(d.as_str(), v)?;
        }
        m.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(Dimension, Option<String>)>, D::Error> {
        let m = std::collections::BTreeMap::<Dimension, Option<String>>::deserialize(d)?;
        Ok(m.into_iter().collect())
    }
}
