//! Segments to billable seconds: the first step of an invoice.
//!
//! A [`Meter`] reads segments one by one, bills each under its [`Mapping`] rule and adds its
//! seconds to a slice: a stretch of time inside one bucket of the zone's grid (an hour by
//! default) and between two consecutive instants where a pack starts or stops being valid.
//! Inside a slice every second of a (product, spec) is alike for pack deduction, so the
//! slice is deducted as one usage item stamped at its start: chronological at the grid's
//! resolution, exact at every pack's purchase and expiry. Seconds, not minutes, leave the
//! meter: minutes are rounded once, by the statement.
//!
//! The result, [`BillableUsage`], is a plain sum: shards metered apart merge into exactly
//! the whole.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use mediameter_billing::OutOfPeriod;
use mediameter_billing::UsageItem;
use mediameter_core::time::{END_UNIX_SECONDS, MIN_UNIX_SECONDS};
use mediameter_core::{
    BillingZone, Buckets, MediaSpec, ProductType, Quantity, Role, StreamSegment, TimeRange,
};

use crate::error::{Error, Result};
use crate::mapping::{Mapping, Unmatched};
use crate::month::BillingMonth;

/// Most slices one [`BillableUsage`] holds (a month of hours is 744 per product and spec).
pub const MAX_SLICES: usize = 1_000_000;

/// Most (product, spec) targets a mapping can name: the id of an item keeps 12 bits for it.
const TARGET_BITS: u32 = 12;

/// Bits of an own-month item id: the slice start (seconds since year 1, below 2³⁹) and the
/// target (12 bits).
const OWN_BITS: u32 = 51;

/// The top bit of an id: set on items carried out of the run's month.
const CARRIED_FLAG: u64 = 1 << 63;

/// Furthest a run carries usage, in months between the billing month and the usage's own
/// month: the id of a carried item holds the signed difference in 12 bits.
pub const MAX_CARRY_MONTHS: i64 = 2047;

/// Billable seconds by slice, product and spec, plus what was metered and not billed.
///
/// Mergeable: [`BillableUsage::merge`] adds two of them, so shards metered apart (on other
/// threads or machines) give exactly the usage of the whole. Serializes as `{"segments",
/// "unbilled": {"publish", "subscribe"}, "slices": [{"start", "product", "spec",
/// "seconds"}]}`; deserializing validates (seconds above zero, slice starts in years 0001 to
/// 9999, each slice once, at most [`MAX_SLICES`]).
///
/// ```
/// use mediameter::meter::BillableUsage;
/// let mut a = BillableUsage::default();
/// let b: BillableUsage = serde_json::from_str(r#"{"segments": 1, "unbilled": {"publish": 0, "subscribe": 0},
///     "slices": [{"start": "2024-03-01T00:00:00Z", "product": "rtc", "spec": "720p", "seconds": 90}]}"#)?;
/// a.merge(&b)?;
/// a.merge(&b)?;
/// assert_eq!((a.segments(), a.seconds()), (2, 180));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "UsageRepr", into = "UsageRepr")]
pub struct BillableUsage {
    slices: BTreeMap<(i64, ProductType, MediaSpec), u64>,
    segments: u64,
    unbilled: Unbilled,
}

/// Seconds of segments that no mapping rule matched, by role.
///
/// Exhaustive on purpose: one count per [`Role`], which core keeps
/// closed (a stream has two sides), so the fields are public and a literal builds one.
///
/// ```
/// let u = mediameter::meter::Unbilled::default();
/// assert_eq!(u.publish + u.subscribe, 0);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct Unbilled {
    /// Publish seconds not billed.
    pub publish: u64,
    /// Subscribe seconds not billed.
    pub subscribe: u64,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UsageRepr {
    segments: u64,
    unbilled: Unbilled,
    slices: Vec<SliceRepr>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SliceRepr {
    start: DateTime<Utc>,
    product: ProductType,
    spec: MediaSpec,
    seconds: u64,
}

impl TryFrom<UsageRepr> for BillableUsage {
    type Error = Error;
    fn try_from(r: UsageRepr) -> Result<Self> {
        if r.slices.len() > MAX_SLICES {
            return Err(too_many(r.slices.len()));
        }
        let mut slices = BTreeMap::new();
        for (i, s) in r.slices.into_iter().enumerate() {
            let place = |field: &str| format!("slices[{i}], field {field}");
            let start = s.start.timestamp();
            if s.start.timestamp_subsec_nanos() != 0
                || !(MIN_UNIX_SECONDS..END_UNIX_SECONDS).contains(&start)
            {
                return Err(Error::invalid(
                    "slice start",
                    &s.start.to_rfc3339(),
                    "a whole second in years 0001 to 9999",
                )
                .at(place("start")));
            }
            if s.seconds == 0 {
                return Err(
                    Error::invalid("slice seconds", "0", "seconds above zero").at(place("seconds"))
                );
            }
            if slices
                .insert((start, s.product, s.spec), s.seconds)
                .is_some()
            {
                return Err(Error::invalid(
                    "slice",
                    &s.start.to_rfc3339(),
                    "each (start, product, spec) once",
                )
                .at(place("start")));
            }
        }
        Ok(BillableUsage {
            slices,
            segments: r.segments,
            unbilled: r.unbilled,
        })
    }
}

impl From<BillableUsage> for UsageRepr {
    fn from(u: BillableUsage) -> Self {
        UsageRepr {
            segments: u.segments,
            unbilled: u.unbilled,
            slices: u
                .slices
                .into_iter()
                .map(|((start, product, spec), seconds)| SliceRepr {
                    start: from_unix(start),
                    product,
                    spec,
                    seconds,
                })
                .collect(),
        }
    }
}

fn too_many(n: usize) -> Error {
    Error::too_large("billable usage slices", n, MAX_SLICES)
}

fn from_unix(secs: i64) -> DateTime<Utc> {
    // Slice starts are validated to years 0001–9999; the fallback is unreachable.
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

impl BillableUsage {
    /// Segments metered (billed or not).
    #[must_use]
    pub fn segments(&self) -> u64 {
        self.segments
    }

    /// Seconds of segments no rule matched, by role.
    #[must_use]
    pub fn unbilled(&self) -> Unbilled {
        self.unbilled
    }

    /// Billable seconds in all (inside and outside any period).
    #[must_use]
    pub fn seconds(&self) -> u64 {
        self.slices
            .values()
            .fold(0_u64, |acc, s| acc.saturating_add(*s))
    }

    /// The slices: `(start, product, spec, seconds)`, in time order, then product and spec.
    pub fn slices(&self) -> impl Iterator<Item = (DateTime<Utc>, &ProductType, MediaSpec, u64)> {
        self.slices
            .iter()
            .map(|((t, p, s), n)| (from_unix(*t), p, *s, *n))
    }

    /// Adds `other` into `self`.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] of a count; [`Error::TooLarge`] over [`MAX_SLICES`] slices.
    /// On error `self` is unchanged.
    pub fn merge(&mut self, other: &BillableUsage) -> Result<()> {
        let overflow = || Error::overflow("billable usage merge");
        let new = other
            .slices
            .keys()
            .filter(|k| !self.slices.contains_key(*k))
            .count();
        if self.slices.len().saturating_add(new) > MAX_SLICES {
            return Err(too_many(self.slices.len().saturating_add(new)));
        }
        let mut merged = self.clone();
        merged.segments = merged
            .segments
            .checked_add(other.segments)
            .ok_or_else(overflow)?;
        merged.unbilled.publish = merged
            .unbilled
            .publish
            .checked_add(other.unbilled.publish)
            .ok_or_else(overflow)?;
        merged.unbilled.subscribe = merged
            .unbilled
            .subscribe
            .checked_add(other.unbilled.subscribe)
            .ok_or_else(overflow)?;
        for (k, v) in &other.slices {
            let slot = merged.slices.entry(k.clone()).or_insert(0);
            *slot = slot.checked_add(*v).ok_or_else(overflow)?;
        }
        *self = merged;
        Ok(())
    }

    /// The usage items of a run billing `month` read in `zone`, in time order: one per
    /// slice, stamped at the slice's start, its quantity in seconds, in delivery partition
    /// `partition`. Slices outside the month are items too: [`InvoiceRun::bill`] refuses or
    /// carries them.
    ///
    /// Item ids are deterministic, so billing the same usage twice into one engine state
    /// bills it once (the second time is a replay). Usage billed into one engine from
    /// independent sources needs a partition per source.
    ///
    /// * A slice inside `month` (the run's own usage) has the id `(start − 0001-01-01T00:00:00Z
    ///   in seconds) × 2¹² + ordinal`, where ordinal is the index of its (product, spec) in
    ///   `mapping`'s [`Mapping::targets`]: below 2⁵¹.
    /// * A slice outside `month` (usage this run carries to its own month) has the same low
    ///   51 bits, and a tag in the top 13: bit 63 set, and bits 51 to 62 holding the number
    ///   of months from the slice's month (in `zone`) to `month`, signed, in 12-bit two's
    ///   complement. Carried items therefore never take the id of an own-month item of any
    ///   run (bit 63 is clear on those), and items carried into one slice by runs of
    ///   different months differ too; only two runs of the same month carrying the same slice
    ///   agree, and then the second is a replay, as for own usage.
    ///
    /// [`InvoiceRun::bill`]: crate::InvoiceRun::bill
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a slice whose product and spec `mapping` does not bill (usage
    /// metered under another mapping), and for a slice more than [`MAX_CARRY_MONTHS`] months
    /// from `month` (its id could not say how far it was carried), located at `slices[i],
    /// field start` and naming the slice's start, product and spec.
    ///
    /// ```
    /// use mediameter::{BillingMonth, mapping::Mapping, meter::BillableUsage};
    /// use mediameter_core::BillingZone;
    /// let u: BillableUsage = serde_json::from_str(r#"{"segments": 1, "unbilled": {"publish": 0, "subscribe": 0},
    ///     "slices": [{"start": "2024-03-01T00:00:00Z", "product": "rtc", "spec": "720p", "seconds": 90}]}"#)?;
    /// let march = u.items(0, &Mapping::rtc(), BillingMonth::new(2024, 3)?, BillingZone::UTC)?;
    /// assert_eq!(march[0].quantity().to_string(), "90 second");
    /// assert!(march[0].id() < 1 << 51); // its own month
    /// // April's run carries it back to March: flag, +1 month.
    /// let april = u.items(0, &Mapping::rtc(), BillingMonth::new(2024, 4)?, BillingZone::UTC)?;
    /// assert_eq!(april[0].id() >> 51, 0b1_0000_0000_0001);
    /// assert_eq!(april[0].id() & ((1 << 51) - 1), march[0].id());
    /// // February's run carries it forward to March: flag, −1 month.
    /// let february = u.items(0, &Mapping::rtc(), BillingMonth::new(2024, 2)?, BillingZone::UTC)?;
    /// assert_eq!(february[0].id() >> 51, 0b1_1111_1111_1111);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn items(
        &self,
        partition: u32,
        mapping: &Mapping,
        month: BillingMonth,
        zone: BillingZone,
    ) -> Result<Vec<UsageItem>> {
        let targets = mapping.targets();
        let own_month = month.index();
        let mut out = Vec::with_capacity(self.slices.len());
        for (i, ((start, product, spec), seconds)) in self.slices.iter().enumerate() {
            let at = from_unix(*start);
            let name = || format!("{} {product} {spec}", at.to_rfc3339());
            let place = || format!("slices[{i}], field start");
            let ordinal = targets
                .binary_search(&(product.clone(), *spec))
                .map_err(|_| {
                    Error::invalid(
                        "slice product and spec",
                        &format!("{product} {spec}"),
                        "a product and spec the mapping bills",
                    )
                    .at(format!("slices[{i}], field product"))
                })?;
            let slice_month = BillingMonth::containing(at, zone)
                .map_err(|_| {
                    Error::invalid(
                        "carried usage",
                        &name(),
                        format!("usage whose own month in {zone} is in years 0001 to 9999"),
                    )
                    .at(place())
                })?
                .index();
            let months = own_month.saturating_sub(slice_month);
            if months.unsigned_abs() > MAX_CARRY_MONTHS.unsigned_abs() {
                return Err(Error::invalid(
                    "carried usage",
                    &name(),
                    format!(
                        "usage at most {MAX_CARRY_MONTHS} months from the billing month {month} \
                         (bill it in a run nearer its own month)"
                    ),
                )
                .at(place()));
            }
            let id = item_id(*start, ordinal, months).map_err(|e| e.at(place()))?;
            let item = UsageItem::new(id, at, product.clone(), *spec, Quantity::seconds(*seconds))?
                .in_partition(partition);
            out.push(item);
        }
        Ok(out)
    }
}

/// The id of the slice at `start` (Unix seconds) of target `ordinal`, carried `months`
/// months (0: the run's own month): `(start − year 1) × 2¹² + ordinal`, below 2⁵¹, with
/// carried items tagged in the top 13 bits (see [`BillableUsage::items`]).
///
/// Errors: overflow for a start, an ordinal or a difference of months out of range (the
/// callers check them first).
fn item_id(start: i64, ordinal: usize, months: i64) -> Result<u64> {
    let overflow = || Error::overflow("usage item id");
    let offset = start
        .checked_sub(MIN_UNIX_SECONDS)
        .and_then(|o| u64::try_from(o).ok())
        .ok_or_else(overflow)?;
    let ordinal = u64::try_from(ordinal)
        .ok()
        .filter(|o| *o < (1_u64 << TARGET_BITS))
        .ok_or_else(overflow)?;
    let own = offset
        .checked_mul(1_u64 << TARGET_BITS)
        .and_then(|o| o.checked_add(ordinal))
        .filter(|id| *id < (1_u64 << OWN_BITS))
        .ok_or_else(overflow)?;
    if months == 0 {
        return Ok(own);
    }
    if months.unsigned_abs() > MAX_CARRY_MONTHS.unsigned_abs() {
        return Err(overflow());
    }
    // 12-bit two's complement of the difference: rem_euclid keeps it in 0..4096.
    let tag = u64::try_from(months.rem_euclid(1 << 12)).map_err(|_| overflow())?;
    Ok(CARRIED_FLAG | (tag << OWN_BITS) | own)
}

/// Meters segments into [`BillableUsage`] under a mapping, a slice grid, the pack
/// boundaries and the billing period.
///
/// Not `Sync`-shared: one meter per thread, then [`BillableUsage::merge`].
///
/// ```
/// use mediameter::{mapping::Mapping, meter::Meter};
/// use mediameter_billing::OutOfPeriod;
/// use mediameter_core::*;
/// let period = TimeRange::from_unix(0, 86_400)?;
/// let grid = Buckets::new(BillingZone::UTC, Granularity::HOUR);
/// let mut meter = Meter::new(Mapping::rtc(), period, grid, OutOfPeriod::Refuse, [])?;
/// let seg = |role, from, to| -> Result<StreamSegment, Error> {
///     Ok(StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?, role,
///         MediaSpec::Audio, TimeRange::from_unix(from, to)?))
/// };
/// meter.push(&seg(Role::Subscribe, 3000, 4000)?)?; // crosses 01:00: two slices
/// meter.push(&seg(Role::Publish, 0, 60)?)?;          // not billed under RTC
/// let usage = meter.finish();
/// assert_eq!((usage.seconds(), usage.slices().count(), usage.unbilled().publish), (1000, 2, 60));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Meter {
    mapping: Mapping,
    targets: Vec<(ProductType, MediaSpec)>,
    /// Per rule, per segment spec (index): the target index, `None` where the rule bills no
    /// spec (audio under a live-tier rule).
    table: Vec<[Option<u16>; 6]>,
    period: (i64, i64),
    grid: Buckets,
    /// Sorted, distinct instants where a slice must end: pack purchases and expiries, the
    /// period's bounds.
    boundaries: Vec<i64>,
    out_of_period: OutOfPeriod,
    cells: HashMap<(i64, u16), u64>,
    segments: u64,
    unbilled: Unbilled,
    /// The slices of the segment being metered, reused.
    scratch: Vec<(i64, u64)>,
}

impl Meter {
    /// A meter billing under `mapping`, slicing on `grid` and at `boundaries` (the instants
    /// where a pack is bought or expires) and the bounds of `period`; usage outside `period`
    /// is refused or kept for its own period, as `out_of_period` says.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a mapping that names more than 4096 (product, spec) targets
    /// (at most 64 rules × 6 specs are possible: never in practice).
    pub fn new(
        mapping: Mapping,
        period: TimeRange,
        grid: Buckets,
        out_of_period: OutOfPeriod,
        boundaries: impl IntoIterator<Item = DateTime<Utc>>,
    ) -> Result<Self> {
        let targets = mapping.targets();
        let mut table = Vec::with_capacity(mapping.rules().len());
        for rule in mapping.rules() {
            let mut row = [None; 6];
            for (spec, billed) in rule.billed() {
                let Some(billed) = billed else { continue };
                let i = targets
                    .binary_search(&(rule.product().clone(), billed))
                    .ok()
                    .and_then(|i| u16::try_from(i).ok())
                    .filter(|i| u32::from(*i) < (1 << TARGET_BITS))
                    .ok_or_else(|| {
                        Error::invalid("mapping", "too many targets", "at most 4096 targets")
                    })?;
                if let Some(slot) = row.get_mut(spec.index()) {
                    *slot = Some(i);
                }
            }
            table.push(row);
        }
        let (ps, pe) = (period.start().timestamp(), period.end().timestamp());
        let mut cuts: Vec<i64> = boundaries
            .into_iter()
            .map(|t| {
                // A boundary inside a second cuts at the next whole second.
                let s = t.timestamp();
                if t.timestamp_subsec_nanos() > 0 {
                    s.saturating_add(1)
                } else {
                    s
                }
            })
            .chain([ps, pe])
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        Ok(Meter {
            mapping,
            targets,
            table,
            period: (ps, pe),
            grid,
            boundaries: cuts,
            out_of_period,
            cells: HashMap::new(),
            segments: 0,
            unbilled: Unbilled::default(),
            scratch: Vec::new(),
        })
    }

    /// Meters one segment.
    ///
    /// # Errors
    ///
    /// Located at the segment (`segment N`, counting from 1 over the segments given to this
    /// meter) and field: usage outside the period under [`OutOfPeriod::Refuse`] (field
    /// `start` or `end`); a segment no rule matches under [`Unmatched::Refuse`] (field
    /// `role`); an audio segment under a `live_tier` rule (field `spec`); more than
    /// [`MAX_SLICES`] slices. On error nothing of the segment is counted.
    pub fn push(&mut self, seg: &StreamSegment) -> Result<()> {
        let n = self.segments.saturating_add(1);
        let place = |field: &str| format!("segment {n}, field {field}");
        let (s, e) = (seg.range.start().timestamp(), seg.range.end().timestamp());
        let secs = seg.range.seconds();
        let Some(rule) = self.mapping.rule_for(seg) else {
            if self.mapping.unmatched() == Unmatched::Refuse {
                return Err(Error::invalid(
                    "segment",
                    &format!(
                        "{} {} type {}",
                        seg.role,
                        seg.spec,
                        seg.product_type.as_ref().map_or("-", |t| t.as_str())
                    ),
                    "a segment some mapping rule matches (the mapping refuses unmatched segments)",
                )
                .at(place("role")));
            }
            let slot = match seg.role {
                Role::Publish => &mut self.unbilled.publish,
                Role::Subscribe => &mut self.unbilled.subscribe,
            };
            *slot = slot.saturating_add(secs);
            self.segments = n;
            return Ok(());
        };
        let target = self
            .table
            .get(rule)
            .and_then(|row| row.get(seg.spec.index()))
            .copied()
            .flatten()
            .ok_or_else(|| {
                Error::invalid(
                    "segment spec",
                    seg.spec.as_str(),
                    format!("a video spec: mapping rules[{rule}] bills the live output tier"),
                )
                .at(place("spec"))
            })?;
        if self.out_of_period == OutOfPeriod::Refuse {
            let (ps, pe) = self.period;
            let outside = if s < ps || s >= pe {
                Some(("start", seg.range.start()))
            } else if e > pe {
                Some(("end", seg.range.end()))
            } else {
                None
            };
            if let Some((field, t)) = outside {
                return Err(Error::invalid(
                    "segment instant",
                    &t.to_rfc3339(),
                    format!(
                        "an instant inside the billing period {} (usage of another period is \
                         refused unless it is carried to its own period)",
                        self.period_range()
                    ),
                )
                .at(place(field)));
            }
        }
        // Plan the slices first: an error leaves the meter as it was.
        let mut t = s;
        let mut planned = std::mem::take(&mut self.scratch);
        planned.clear();
        while t < e {
            let index = self.grid.index_of(t);
            let bucket_start = self.grid.start_of_index(index);
            let bucket_end = self.grid.start_of_index(index.saturating_add(1));
            let at = self.boundaries.partition_point(|b| *b <= t);
            let last_cut = at
                .checked_sub(1)
                .and_then(|i| self.boundaries.get(i))
                .copied()
                .unwrap_or(i64::MIN);
            let next_cut = self.boundaries.get(at).copied().unwrap_or(i64::MAX);
            let start = bucket_start.max(last_cut);
            let end = e.min(bucket_end).min(next_cut);
            if end <= t {
                // Unreachable: bucket ends and cuts lie after t. Stop rather than loop.
                break;
            }
            let piece = u64::try_from(end.saturating_sub(t)).unwrap_or(0);
            planned.push((start, piece));
            if self.cells.len().saturating_add(planned.len()) > MAX_SLICES {
                let count = self.cells.len().saturating_add(planned.len());
                self.scratch = planned;
                return Err(too_many(count).at(place("end")));
            }
            t = end;
        }
        for (start, piece) in &planned {
            let slot = self.cells.entry((*start, target)).or_insert(0);
            *slot = slot.saturating_add(*piece);
        }
        self.scratch = planned;
        self.segments = n;
        Ok(())
    }

    /// Meters every segment of `segments`, in order.
    ///
    /// # Errors
    ///
    /// As [`Meter::push`], at the first segment that fails.
    pub fn extend<'a>(
        &mut self,
        segments: impl IntoIterator<Item = &'a StreamSegment>,
    ) -> Result<()> {
        for seg in segments {
            self.push(seg)?;
        }
        Ok(())
    }

    /// Meters a usage report instead of segments: each row's publish and subscribe seconds
    /// per spec bill under the mapping as a segment of that role, spec and product type would,
    /// in one slice per row starting at the row's bucket. A report is what a
    /// [`UsageState`](mediameter_usage::UsageState) (the usage library's mergeable state)
    /// gives, so shards aggregated by the usage library can be invoiced too.
    ///
    /// A bucket cannot be split: a row whose bucket contains a pack purchase or expiry, or
    /// straddles the period's bounds, is refused (meter the segments, or report on a finer
    /// grid). A bucket wholly outside the period is refused or carried as for segments.
    ///
    /// # Errors
    ///
    /// Located at `row N` (counting from 1) and field: `bucket_start` for the cases above;
    /// `group` when a mapping rule names a product type and the report is not split by type;
    /// `spec` for audio under a `live_tier` rule; `role` for an unmatched figure under
    /// [`Unmatched::Refuse`]. On error nothing of the report is counted.
    ///
    /// ```
    /// use mediameter::{mapping::Mapping, meter::Meter};
    /// use mediameter_billing::OutOfPeriod;
    /// use mediameter_core::*;
    /// use mediameter_usage::{Aggregator, UsageQuery, parse_csv};
    /// let segs = parse_csv("app,channel,user,role,spec,region,start,end\na,c,u,sub,720p,,0,90\n")?;
    /// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?;
    /// agg.extend(&segs)?;
    /// let report = agg.to_state()?.report(MinutePolicy::Exact)?;
    /// let grid = Buckets::new(BillingZone::UTC, Granularity::HOUR);
    /// let mut meter = Meter::new(Mapping::rtc(), TimeRange::from_unix(0, 86_400)?, grid, OutOfPeriod::Refuse, [])?;
    /// meter.push_report(&report)?;
    /// assert_eq!(meter.finish().seconds(), 90);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push_report(&mut self, report: &mediameter_usage::UsageReport) -> Result<()> {
        use mediameter_usage::Dimension;
        let by_type = report.split_by.contains(&Dimension::ProductType);
        if !by_type
            && let Some(i) = self
                .mapping
                .rules()
                .iter()
                .position(|r| r.product_type().is_some())
        {
            return Err(Error::invalid(
                "report split",
                &format!(
                    "{:?}",
                    report
                        .split_by
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                ),
                format!("a report split by type: mapping rules[{i}] names a product type"),
            )
            .at("report, field split_by"));
        }
        let width = i64::from(report.interval.seconds());
        let (ps, pe) = self.period;
        let mut planned: Vec<((i64, u16), u64)> = Vec::new();
        let mut unbilled = Unbilled::default();
        for (r, row) in report.rows.iter().enumerate() {
            let place = |field: &str| format!("row {}, field {field}", r.saturating_add(1));
            let start = row.bucket_start.timestamp();
            let end = start.saturating_add(width);
            let inside = start >= ps && end <= pe;
            // The period's bounds are boundaries too: a cut inside the bucket covers a bucket
            // that straddles the period.
            let at = self.boundaries.partition_point(|b| *b <= start);
            let cut = self.boundaries.get(at).is_some_and(|b| *b < end);
            if cut {
                return Err(Error::invalid(
                    "report bucket",
                    &row.bucket_start.to_rfc3339(),
                    "a bucket with no pack purchase or expiry inside it and wholly inside or \
                     outside the billing period (meter the segments, or report on a finer grid)",
                )
                .at(place("bucket_start")));
            }
            if !inside && self.out_of_period == OutOfPeriod::Refuse {
                return Err(Error::invalid(
                    "report bucket",
                    &row.bucket_start.to_rfc3339(),
                    format!(
                        "a bucket inside the billing period {} (usage of another period is \
                         refused unless it is carried to its own period)",
                        self.period_range()
                    ),
                )
                .at(place("bucket_start")));
            }
            let product_type = row
                .group
                .iter()
                .find(|(d, _)| *d == Dimension::ProductType)
                .and_then(|(_, v)| v.as_deref());
            for (role, seconds) in [
                (Role::Publish, &row.publish_seconds),
                (Role::Subscribe, &row.subscribe_seconds),
            ] {
                for (spec, secs) in seconds.iter() {
                    if *secs == 0 {
                        continue;
                    }
                    let Some(rule) = self.mapping.rule_for_parts(role, spec, product_type) else {
                        if self.mapping.unmatched() == Unmatched::Refuse {
                            return Err(Error::invalid(
                                "report figure",
                                &format!("{role} {spec} type {}", product_type.unwrap_or("-")),
                                "figures some mapping rule matches (the mapping refuses unmatched usage)",
                            )
                            .at(place("role")));
                        }
                        let slot = match role {
                            Role::Publish => &mut unbilled.publish,
                            Role::Subscribe => &mut unbilled.subscribe,
                        };
                        *slot = slot.saturating_add(*secs);
                        continue;
                    };
                    let target = self
                        .table
                        .get(rule)
                        .and_then(|row| row.get(spec.index()))
                        .copied()
                        .flatten()
                        .ok_or_else(|| {
                            Error::invalid(
                                "report spec",
                                spec.as_str(),
                                format!(
                                    "a video spec: mapping rules[{rule}] bills the live output tier"
                                ),
                            )
                            .at(place("spec"))
                        })?;
                    planned.push(((start, target), *secs));
                }
            }
        }
        let new = planned
            .iter()
            .filter(|(k, _)| !self.cells.contains_key(k))
            .count();
        if self.cells.len().saturating_add(new) > MAX_SLICES {
            return Err(too_many(self.cells.len().saturating_add(new)).at("report"));
        }
        for (key, secs) in planned {
            let slot = self.cells.entry(key).or_insert(0);
            *slot = slot.saturating_add(secs);
        }
        self.unbilled.publish = self.unbilled.publish.saturating_add(unbilled.publish);
        self.unbilled.subscribe = self.unbilled.subscribe.saturating_add(unbilled.subscribe);
        self.segments = self.segments.saturating_add(report.segments);
        Ok(())
    }

    fn period_range(&self) -> String {
        format!(
            "[{}, {})",
            from_unix(self.period.0).to_rfc3339(),
            from_unix(self.period.1).to_rfc3339()
        )
    }

    /// The usage metered so far.
    #[must_use]
    pub fn finish(self) -> BillableUsage {
        let mut slices = BTreeMap::new();
        for ((start, target), seconds) in self.cells {
            if let Some((product, spec)) = self.targets.get(usize::from(target)) {
                slices.insert((start, product.clone(), *spec), seconds);
            }
        }
        BillableUsage {
            slices,
            segments: self.segments,
            unbilled: self.unbilled,
        }
    }
}
