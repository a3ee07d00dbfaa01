//! Rows of an Arrow batch as `mediameter_core` stream segments.

use datafusion::arrow::array::{ArrayRef, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use mediameter_core::StreamSegment;

use crate::SegmentBatch;
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

/// `array` as Unix seconds: integers as they are, timestamps of any unit truncated to the
/// second.
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
    for name in SEGMENT_COLUMNS {
        if name != "publisher" && batch.column_by_name(name).is_none() {
            return Err(Error::invalid(
                "column",
                name,
                "a segment column present in the batch",
            ));
        }
    }
    let cols = SegmentBatch::from_batch(batch)?;
    (0..cols.rows()).map(|row| cols.segment(row)).collect()
}
