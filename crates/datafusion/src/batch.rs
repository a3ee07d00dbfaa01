//! Arrow columns handed to the kernel as columns: [`SegmentBatch`].

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int32Type};
use datafusion::arrow::record_batch::RecordBatch;
use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, Role,
    StreamSegment, TimeRange, UserId,
};
use mediameter_usage::{SegmentColumns, TextColumn};

use crate::error::{Error, Result};
use crate::segments::as_seconds;

/// The text columns a [`SegmentBatch`] may hold, in its order, with the field an error names.
const TEXT: [(&str, &str); 10] = [
    ("app", "column app"),
    ("channel", "column channel"),
    ("user", "column user"),
    ("role", "column role"),
    ("spec", "column spec"),
    ("publisher", "column publisher"),
    ("region", "column region"),
    ("domain", "column domain"),
    ("instance", "column instance"),
    ("type", "column type"),
];

/// The setter of each of [`TEXT`] on the kernel's batch.
type Setter<'a> = fn(SegmentColumns<'a>, TextColumn<'a>) -> SegmentColumns<'a>;

/// The segment columns of one Arrow batch, as the kernel's
/// [`Aggregator::push_columns`](mediameter_usage::Aggregator::push_columns) and
/// [`RowLoader::push_columns`](mediameter_usage::RowLoader::push_columns) take them:
/// `Dictionary(Int32, Utf8)` columns are handed over dictionary-encoded (each distinct role
/// and spec checked once per batch), `Utf8`, `LargeUtf8` and `Utf8View` columns value by value
/// in place; any other type castable to text is cast once, to string views. Instants are
/// integers (Unix seconds) or timestamps. A column the batch lacks is left out of every row:
/// a required id the query does not read ([`UsageQuery::reads`](mediameter_usage::UsageQuery::reads))
/// need not be decoded at all.
///
/// Nothing is copied but a string per row reference (16 bytes) and, for a dictionary, a code
/// per row. `Send` and `Sync`: it holds Arrow arrays only.
///
/// ```
/// use std::sync::Arc;
/// use mediameter_core::{BillingZone, Granularity, MinutePolicy};
/// use mediameter_datafusion::SegmentBatch;
/// use mediameter_datafusion::datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
/// use mediameter_datafusion::datafusion::arrow::record_batch::RecordBatch;
/// use mediameter_usage::{Aggregator, Metrics, UsageQuery};
///
/// // Stream peaks read no id: the batch holds role, spec and the instants only.
/// let batch = RecordBatch::try_from_iter([
///     ("role", Arc::new(StringArray::from(vec!["sub", "sub"])) as ArrayRef),
///     ("spec", Arc::new(StringArray::from(vec!["720p", "audio"])) as ArrayRef),
///     ("start", Arc::new(Int64Array::from(vec![0, 60])) as ArrayRef),
///     ("end", Arc::new(Int64Array::from(vec![600, 120])) as ArrayRef),
/// ])?;
/// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
///     .with_metrics(Metrics::DURATIONS.with_stream_peaks(true));
/// let mut agg = Aggregator::new(q)?;
/// SegmentBatch::from_batch(&batch)?.with_columns(|c| agg.push_columns(c))?;
/// assert_eq!(agg.report(MinutePolicy::Exact)?.rows[0].peak_streams, Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SegmentBatch {
    /// In [`TEXT`] order.
    text: [Option<ArrayRef>; 10],
    start: Option<Int64Array>,
    end: Option<Int64Array>,
    rows: usize,
}

impl SegmentBatch {
    /// The columns of `batch`, found by name: `app`, `channel`, `user`, `role`, `spec`,
    /// `start`, `end`, `publisher`, `region`, `domain`, `instance`, `type`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a column of a type that is not text (instants: not integers or
    /// timestamps).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use mediameter_datafusion::{ErrorKind, SegmentBatch};
    /// use mediameter_datafusion::datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    /// use mediameter_datafusion::datafusion::arrow::record_batch::RecordBatch;
    ///
    /// let text = |v: Vec<&str>| Arc::new(StringArray::from(v)) as ArrayRef;
    /// let ok = RecordBatch::try_from_iter([("role", text(vec!["sub"])), ("start", Arc::new(Int64Array::from(vec![0])) as ArrayRef)])?;
    /// assert_eq!(SegmentBatch::from_batch(&ok)?.rows(), 1);
    /// // Instants are numbers or timestamps, not text.
    /// let bad = RecordBatch::try_from_iter([("start", text(vec!["0"]))])?;
    /// assert_eq!(SegmentBatch::from_batch(&bad).unwrap_err().kind(), ErrorKind::Invalid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_batch(batch: &RecordBatch) -> Result<Self> {
        let mut text: [Option<ArrayRef>; 10] = Default::default();
        for (slot, (name, field)) in text.iter_mut().zip(TEXT) {
            if let Some(a) = batch.column_by_name(name) {
                *slot = Some(text_array(field, a)?);
            }
        }
        let instants = |name: &str, field: &'static str| {
            batch
                .column_by_name(name)
                .map(|a| as_seconds(field, a))
                .transpose()
        };
        Ok(SegmentBatch {
            text,
            start: instants("start", "column start")?,
            end: instants("end", "column end")?,
            rows: batch.num_rows(),
        })
    }

    /// The columns of an aggregate function's arguments: `arrays` are the eight
    /// [`SEGMENT_COLUMNS`](crate::SEGMENT_COLUMNS), then optionally the four
    /// [`DIMENSION_COLUMNS`](crate::DIMENSION_COLUMNS); those `left_out` marks (in the same
    /// order) are not read.
    pub(crate) fn from_args(arrays: &[ArrayRef], left_out: &[bool]) -> Result<Self> {
        // Argument order (app, channel, user, role, spec, start, end, publisher, region,
        // domain, instance, type) to `TEXT` order.
        const TEXT_ARG: [usize; 10] = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11];
        let given = |i: usize| {
            arrays
                .get(i)
                .filter(|_| !left_out.get(i).copied().unwrap_or(false))
        };
        let mut text: [Option<ArrayRef>; 10] = Default::default();
        for ((slot, arg), (_, field)) in text.iter_mut().zip(TEXT_ARG).zip(TEXT) {
            if let Some(a) = given(arg) {
                *slot = Some(text_array(field, a)?);
            }
        }
        Ok(SegmentBatch {
            text,
            start: given(5)
                .map(|a| as_seconds("column start", a))
                .transpose()?,
            end: given(6).map(|a| as_seconds("column end", a)).transpose()?,
            rows: arrays.first().map_or(0, |a| a.len()),
        })
    }

    /// The number of rows.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Calls `f` with the columns as the kernel takes them (they borrow the arrays, so they
    /// live only for the call).
    pub fn with_columns<R>(&self, f: impl FnOnce(&SegmentColumns<'_>) -> R) -> R {
        let decoded: Vec<Option<Decoded<'_>>> = self
            .text
            .iter()
            .map(|a| a.as_ref().map(|a| decoded(a, self.rows)))
            .collect();
        let setters: [Setter<'_>; 10] = [
            SegmentColumns::with_app,
            SegmentColumns::with_channel,
            SegmentColumns::with_user,
            SegmentColumns::with_role,
            SegmentColumns::with_spec,
            SegmentColumns::with_publisher,
            SegmentColumns::with_region,
            SegmentColumns::with_domain,
            SegmentColumns::with_instance,
            SegmentColumns::with_product_type,
        ];
        let valid = |a: &Int64Array| -> Option<Vec<bool>> {
            a.nulls()
                .map(|n| (0..a.len()).map(|i| n.is_valid(i)).collect())
        };
        let (start_valid, end_valid) = (
            self.start.as_ref().and_then(valid),
            self.end.as_ref().and_then(valid),
        );
        let mut cols = SegmentColumns::new(self.rows);
        for (d, set) in decoded.iter().zip(setters) {
            if let Some((values, codes)) = d {
                cols = set(
                    cols,
                    match codes {
                        Some(codes) => TextColumn::Coded { values, codes },
                        None => TextColumn::Values(values),
                    },
                );
            }
        }
        if let Some(a) = &self.start {
            cols = cols.with_start(a.values(), start_valid.as_deref());
        }
        if let Some(a) = &self.end {
            cols = cols.with_end(a.values(), end_valid.as_deref());
        }
        f(&cols)
    }
}

impl SegmentBatch {
    /// Row `row` built as a segment: how [`segments_from_batch`](crate::segments_from_batch)
    /// reads rows, and how a bad row's error is worded (the error names the row and the field
    /// at fault). An empty value is absent. An id column the batch lacks (`app`, `channel`,
    /// `user`) reads as the valid id `-`: it is one the query does not read, so it is not what
    /// is wrong with the row; a lacking `role`, `spec`, `start` or `end` is an error.
    pub(crate) fn segment(&self, row: usize) -> Result<StreamSegment> {
        self.segment_inner(row).map_err(|e| e.at_row(row))
    }

    /// The value of text column `col` (in [`TEXT`] order) at `row`: `None` when null or
    /// empty, `Some("-")` for an id column the batch lacks (see [`SegmentBatch::segment`]).
    fn text(&self, col: usize, row: usize) -> Option<&str> {
        match self.text.get(col)? {
            Some(a) => text_at(a, row).filter(|v| !v.is_empty()),
            None if col < 3 => Some("-"),
            None => None,
        }
    }

    fn required(&self, col: usize, row: usize) -> Result<&str> {
        let field = TEXT.get(col).map_or("column", |(_, field)| *field);
        self.text(col, row)
            .ok_or_else(|| Error::invalid(field, "", "a value (the column is required)"))
    }

    fn instant(a: Option<&Int64Array>, field: &'static str, row: usize) -> Result<i64> {
        match a {
            Some(a) if row < a.len() && !a.is_null(row) => Ok(a.value(row)),
            _ => Err(Error::invalid(
                field,
                "",
                "a value (the column is required)",
            )),
        }
    }

    fn segment_inner(&self, row: usize) -> Result<StreamSegment> {
        let app = AppId::new(self.required(0, row)?)?;
        let channel = ChannelId::new(self.required(1, row)?)?;
        let user = UserId::new(self.required(2, row)?)?;
        let role: Role = self.required(3, row)?.parse()?;
        let spec: MediaSpec = self.required(4, row)?.parse()?;
        let range = TimeRange::from_unix(
            Self::instant(self.start.as_ref(), "column start", row)?,
            Self::instant(self.end.as_ref(), "column end", row)?,
        )?;
        let mut seg = StreamSegment::new(app, channel, user, role, spec, range);
        if let Some(p) = self.text(5, row) {
            seg = seg.with_publisher(UserId::new(p)?);
        }
        if let Some(v) = self.text(6, row) {
            seg = seg.with_region(RegionId::new(v)?);
        }
        if let Some(v) = self.text(7, row) {
            seg = seg.with_domain(DomainName::new(v)?);
        }
        if let Some(v) = self.text(8, row) {
            seg = seg.with_instance(InstanceId::new(v)?);
        }
        if let Some(v) = self.text(9, row) {
            seg = seg.with_product_type(ProductType::new(v)?);
        }
        Ok(seg)
    }
}

/// The value of `a` (a type [`text_array`] keeps) at `row`; `None` for a null or a row past
/// the end.
fn text_at(a: &ArrayRef, row: usize) -> Option<&str> {
    if row >= a.len() || a.is_null(row) {
        return None;
    }
    if let Some(v) = a.as_string_view_opt() {
        return Some(v.value(row));
    }
    if let Some(v) = a.as_string_opt::<i32>() {
        return Some(v.value(row));
    }
    if let Some(v) = a.as_string_opt::<i64>() {
        return Some(v.value(row));
    }
    let d = a.as_dictionary_opt::<Int32Type>()?;
    let values = d.values().as_string_opt::<i32>()?;
    let k = usize::try_from(d.keys().value(row)).ok()?;
    (k < values.len() && !values.is_null(k)).then(|| values.value(k))
}

/// `a` as a text layout [`decoded`] reads in place, cast once to string views if it is
/// another type.
fn text_array(field: &'static str, a: &ArrayRef) -> Result<ArrayRef> {
    match a.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(a.clone()),
        DataType::Dictionary(k, v) if **k == DataType::Int32 && **v == DataType::Utf8 => {
            Ok(a.clone())
        }
        other => cast(a, &DataType::Utf8View)
            .map_err(|_| Error::invalid(field, &other.to_string(), "a string column")),
    }
}

/// A text column as the kernel takes it: its values and, when dictionary-encoded, each row's
/// code.
type Decoded<'a> = (Vec<Option<&'a str>>, Option<Vec<u32>>);

/// The values of `a` (a type [`text_array`] keeps) for its first `rows` rows. A dictionary's
/// values come with each row's code, the null that null keys point to last; a dictionary
/// larger than the batch is handed over row by row instead (its values would all be listed
/// for a few rows). Another type reads as nulls ([`text_array`] gives none).
fn decoded(a: &ArrayRef, rows: usize) -> Decoded<'_> {
    fn each<'a>(rows: usize, at: impl Fn(usize) -> Option<&'a str>) -> Decoded<'a> {
        ((0..rows).map(at).collect(), None)
    }
    let rows = rows.min(a.len());
    if let Some(v) = a.as_string_view_opt() {
        return each(rows, |r| (!v.is_null(r)).then(|| v.value(r)));
    }
    if let Some(v) = a.as_string_opt::<i32>() {
        return each(rows, |r| (!v.is_null(r)).then(|| v.value(r)));
    }
    if let Some(v) = a.as_string_opt::<i64>() {
        return each(rows, |r| (!v.is_null(r)).then(|| v.value(r)));
    }
    let Some((keys, values)) = a
        .as_dictionary_opt::<Int32Type>()
        .and_then(|d| Some((d.keys(), d.values().as_string_opt::<i32>()?)))
    else {
        return (vec![None; rows], None);
    };
    let text = |i: usize| (!values.is_null(i)).then(|| values.value(i));
    // The index of a row's value, `None` for a null key (or one past the values).
    let key = |r: usize| {
        usize::try_from(keys.value(r))
            .ok()
            .filter(|&k| !keys.is_null(r) && k < values.len())
    };
    if values.len() > rows {
        return each(rows, |r| key(r).and_then(text));
    }
    let null = u32::try_from(values.len()).unwrap_or(u32::MAX);
    let mut all: Vec<Option<&str>> = (0..values.len()).map(text).collect();
    all.push(None);
    let codes = (0..rows)
        .map(|r| key(r).and_then(|k| u32::try_from(k).ok()).unwrap_or(null))
        .collect();
    (all, Some(codes))
}
