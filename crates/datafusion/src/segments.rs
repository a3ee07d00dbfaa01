//! Rows of an Arrow batch as `mediameter_core` stream segments.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, LargeStringArray, StringArray, StringViewArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, Role,
    StreamSegment, TimeRange, UserId,
};

use crate::error::{Error, Result};

/// The segment columns, in the order every aggregate function of this crate takes them.
pub const SEGMENT_COLUMNS: [&str; 8] = [
    "app",
    "channel",
    "user",
    "role",
    "spec",
    "start",
    "end",
    "publisher",
];

/// The optional dimension columns [`crate::run_query`] reads when the table has them.
pub const DIMENSION_COLUMNS: [&str; 4] = ["region", "domain", "instance", "type"];

/// The columns of one batch, cast once to the types the conversion reads.
pub(crate) struct SegmentColumns {
    strings: Vec<Strings>,
    start: Int64Array,
    end: Int64Array,
    rows: usize,
}

/// A string column as the batch holds it: the three string layouts are read in place (a
/// Parquet scan gives views), anything else castable to strings is cast once.
enum Strings {
    Utf8(StringArray),
    Large(LargeStringArray),
    View(StringViewArray),
}

impl Strings {
    /// The value of `row`; `None` for a null or a row past the end.
    fn get(&self, row: usize) -> Option<&str> {
        fn at<A: Array>(a: &A, row: usize) -> bool {
            row < a.len() && !a.is_null(row)
        }
        match self {
            Strings::Utf8(a) => at(a, row).then(|| a.value(row)),
            Strings::Large(a) => at(a, row).then(|| a.value(row)),
            Strings::View(a) => at(a, row).then(|| a.value(row)),
        }
    }
}

/// Strings: any string type. Instants: integers (unix seconds) or timestamps.
fn as_strings(name: &'static str, array: &ArrayRef) -> Result<Strings> {
    Ok(match array.data_type() {
        DataType::Utf8 => Strings::Utf8(array.as_string::<i32>().clone()),
        DataType::LargeUtf8 => Strings::Large(array.as_string::<i64>().clone()),
        DataType::Utf8View => Strings::View(array.as_string_view().clone()),
        other => {
            let cast_array = cast(array, &DataType::Utf8)
                .map_err(|_| Error::invalid(name, &other.to_string(), "a string column"))?;
            Strings::Utf8(cast_array.as_string::<i32>().clone())
        }
    })
}

pub(crate) fn as_seconds(name: &'static str, array: &ArrayRef) -> Result<Int64Array> {
    let wrong = || {
        Error::invalid(
            name,
            &array.data_type().to_string(),
            "unix seconds or a timestamp",
        )
    };
    let seconds = match array.data_type() {
        DataType::Timestamp(_, _) => {
            let s =
                cast(array, &DataType::Timestamp(TimeUnit::Second, None)).map_err(|_| wrong())?;
            cast(&s, &DataType::Int64).map_err(|_| wrong())?
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => cast(array, &DataType::Int64).map_err(|_| wrong())?,
        _ => return Err(wrong()),
    };
    Ok(seconds
        .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
        .clone())
}

impl SegmentColumns {
    /// `arrays`: the eight [`SEGMENT_COLUMNS`], then optionally the four
    /// [`DIMENSION_COLUMNS`] (a column of nulls where the table has none).
    pub(crate) fn new(arrays: &[ArrayRef]) -> Result<Self> {
        let (
            Some(app),
            Some(channel),
            Some(user),
            Some(role),
            Some(spec),
            Some(start),
            Some(end),
            Some(publisher),
        ) = (
            arrays.first(),
            arrays.get(1),
            arrays.get(2),
            arrays.get(3),
            arrays.get(4),
            arrays.get(5),
            arrays.get(6),
            arrays.get(7),
        )
        else {
            return Err(Error::invalid(
                "arguments",
                &arrays.len().to_string(),
                "app, channel, user, role, spec, start, end, publisher",
            ));
        };
        let mut strings = vec![
            as_strings("column app", app)?,
            as_strings("column channel", channel)?,
            as_strings("column user", user)?,
            as_strings("column role", role)?,
            as_strings("column spec", spec)?,
            as_strings("column publisher", publisher)?,
        ];
        for (i, name) in [
            "column region",
            "column domain",
            "column instance",
            "column type",
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(a) = arrays.get(8_usize.saturating_add(i)) {
                strings.push(as_strings(name, a)?);
            }
        }
        Ok(SegmentColumns {
            strings,
            start: as_seconds("column start", start)?,
            end: as_seconds("column end", end)?,
            rows: app.len(),
        })
    }

    /// The number of rows.
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    fn text(&self, col: usize, row: usize) -> Option<&str> {
        let v = self.strings.get(col)?.get(row)?;
        (!v.is_empty()).then_some(v)
    }

    fn required(&self, col: usize, name: &'static str, row: usize) -> Result<&str> {
        self.text(col, row)
            .ok_or_else(|| Error::invalid(name, "", "a value (the column is required)"))
    }

    fn instant(a: &Int64Array, name: &'static str, row: usize) -> Result<i64> {
        if row >= a.len() || a.is_null(row) {
            return Err(Error::invalid(name, "", "a value (the column is required)"));
        }
        Ok(a.value(row))
    }

    /// Row `row` as a segment; the error names the row.
    pub(crate) fn segment(&self, row: usize) -> Result<StreamSegment> {
        self.segment_inner(row).map_err(|e| e.at_row(row))
    }

    fn segment_inner(&self, row: usize) -> Result<StreamSegment> {
        let app = AppId::new(self.required(0, "column app", row)?)?;
        let channel = ChannelId::new(self.required(1, "column channel", row)?)?;
        let user = UserId::new(self.required(2, "column user", row)?)?;
        let role: Role = self.required(3, "column role", row)?.parse()?;
        let spec: MediaSpec = self.required(4, "column spec", row)?.parse()?;
        let range = TimeRange::from_unix(
            Self::instant(&self.start, "column start", row)?,
            Self::instant(&self.end, "column end", row)?,
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

/// The schema of [`segments_to_batch`]: the eight [`SEGMENT_COLUMNS`] and the four
/// [`DIMENSION_COLUMNS`], strings except `start` and `end` (unix seconds, `Int64`); only `app`
/// to `end` are not nullable.
#[must_use]
pub fn segment_schema() -> datafusion::arrow::datatypes::SchemaRef {
    use datafusion::arrow::datatypes::{Field, Schema};
    let fields: Vec<Field> = SEGMENT_COLUMNS
        .iter()
        .chain(DIMENSION_COLUMNS.iter())
        .map(|name| match *name {
            "start" | "end" => Field::new(*name, DataType::Int64, false),
            "app" | "channel" | "user" | "role" | "spec" => {
                Field::new(*name, DataType::Utf8, false)
            }
            _ => Field::new(*name, DataType::Utf8, true),
        })
        .collect();
    std::sync::Arc::new(Schema::new(fields))
}

/// Segments as one Arrow batch of [`segment_schema`] (to write Parquet, or to register as a
/// memory table).
///
/// # Errors
///
/// [`Error::Engine`] if Arrow refuses the batch (it cannot, for this schema).
pub fn segments_to_batch<'a>(
    segments: impl IntoIterator<Item = &'a StreamSegment>,
) -> Result<datafusion::arrow::record_batch::RecordBatch> {
    use datafusion::arrow::array::StringBuilder;
    let mut text: Vec<StringBuilder> = (0..10).map(|_| StringBuilder::new()).collect();
    let (mut start, mut end) = (Vec::new(), Vec::new());
    for s in segments {
        let values: [Option<&str>; 10] = [
            Some(s.app.as_str()),
            Some(s.channel.as_str()),
            Some(s.user.as_str()),
            Some(s.role.as_str()),
            Some(s.spec.as_str()),
            s.publisher.as_ref().map(|v| v.as_str()),
            s.region.as_ref().map(|v| v.as_str()),
            s.domain.as_ref().map(|v| v.as_str()),
            s.instance.as_ref().map(|v| v.as_str()),
            s.product_type.as_ref().map(|v| v.as_str()),
        ];
        for (b, v) in text.iter_mut().zip(values) {
            b.append_option(v);
        }
        start.push(s.range.start().timestamp());
        end.push(s.range.end().timestamp());
    }
    let mut t: Vec<ArrayRef> = text
        .iter_mut()
        .map(|b| std::sync::Arc::new(b.finish()) as ArrayRef)
        .collect();
    // Columns in schema order: app, channel, user, role, spec, start, end, publisher, dims.
    let dims = t.split_off(5);
    let mut columns = t;
    columns.push(std::sync::Arc::new(Int64Array::from(start)));
    columns.push(std::sync::Arc::new(Int64Array::from(end)));
    columns.extend(dims);
    datafusion::arrow::record_batch::RecordBatch::try_new(segment_schema(), columns)
        .map_err(|e| Error::from(datafusion::error::DataFusionError::from(e)))
}

/// The rows of a batch with the columns of [`segment_schema`] (by name; `publisher` and the
/// dimensions may be absent) as segments, in row order: how a Parquet file feeds the kernel.
///
/// # Errors
///
/// [`Error::Invalid`] if a required column is missing or has the wrong type, [`Error::At`]
/// for a row that is not a valid segment.
pub fn segments_from_batch(
    batch: &datafusion::arrow::record_batch::RecordBatch,
) -> Result<Vec<StreamSegment>> {
    let rows = batch.num_rows();
    let nulls: ArrayRef = std::sync::Arc::new(StringArray::new_null(rows));
    let mut arrays = Vec::with_capacity(12);
    for name in SEGMENT_COLUMNS.iter().chain(DIMENSION_COLUMNS.iter()) {
        match batch.column_by_name(name) {
            Some(a) => arrays.push(a.clone()),
            None if *name == "publisher" || DIMENSION_COLUMNS.contains(name) => {
                arrays.push(nulls.clone())
            }
            None => {
                return Err(Error::invalid(
                    "column",
                    name,
                    "a segment column present in the batch",
                ));
            }
        }
    }
    let cols = SegmentColumns::new(&arrays)?;
    (0..cols.len()).map(|row| cols.segment(row)).collect()
}
