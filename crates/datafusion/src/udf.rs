//! `mm_split`: a segment cut at the zone-aligned bucket boundaries, by core's `Buckets`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Array, ListArray, StructArray};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use mediameter_core::{BillingZone, Buckets, Granularity, TimeRange};

use crate::error::{Error, Result};
use crate::segments::as_seconds;

/// The most pieces one segment may be cut into by `mm_split` (a year of hours is 8,784).
pub const MAX_PIECES: usize = 100_000;

/// `mm_split(start, end, zone, interval_seconds)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct SplitUdf {
    signature: Signature,
}

impl SplitUdf {
    pub(crate) fn udf() -> ScalarUDF {
        ScalarUDF::from(SplitUdf {
            signature: Signature::any(4, Volatility::Immutable),
        })
    }
}

fn piece_fields() -> Fields {
    Fields::from(vec![
        Field::new("bucket_start", DataType::Int64, false),
        Field::new("start", DataType::Int64, false),
        Field::new("end", DataType::Int64, false),
    ])
}

fn scalar_text(v: &ColumnarValue, field: &'static str) -> Result<String> {
    match v {
        ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::LargeUtf8(Some(s))
            | ScalarValue::Utf8View(Some(s)),
        ) => Ok(s.clone()),
        ColumnarValue::Scalar(s) if !s.is_null() => Ok(s.to_string()),
        _ => Err(Error::invalid(field, "", "a literal")),
    }
}

fn split(args: &ScalarFunctionArgs) -> Result<ColumnarValue> {
    let [start, end, zone, interval] = args.args.as_slice() else {
        return Err(Error::invalid(
            "arguments",
            &args.args.len().to_string(),
            "start, end, zone, interval_seconds",
        ));
    };
    let zone_text = scalar_text(zone, "zone")?;
    let zone: BillingZone = zone_text.parse()?;
    let interval_text = scalar_text(interval, "interval")?;
    let seconds: u32 = interval_text
        .parse()
        .map_err(|_| Error::invalid("interval", &interval_text, "seconds, a positive integer"))?;
    let buckets = Buckets::new(zone, Granularity::from_seconds(seconds)?);
    let rows = args.number_rows;
    let start = start.to_array(rows).map_err(Error::from)?;
    let end = end.to_array(rows).map_err(Error::from)?;
    let start = as_seconds("start", &start)?;
    let end = as_seconds("end", &end)?;
    let (mut bucket_col, mut start_col, mut end_col) = (Vec::new(), Vec::new(), Vec::new());
    let mut offsets: Vec<i32> = Vec::with_capacity(rows.saturating_add(1));
    offsets.push(0);
    let mut valid = Vec::with_capacity(rows);
    for row in 0..rows {
        if start.is_null(row) || end.is_null(row) {
            valid.push(false);
        } else {
            let range = TimeRange::from_unix(start.value(row), end.value(row))
                .map_err(|e| Error::from(e).at_row(row))?;
            let pieces = buckets
                .split_bounded(range, MAX_PIECES)
                .map_err(|e| Error::from(e).at_row(row))?;
            for p in pieces {
                let r = p.range();
                bucket_col.push(p.bucket_start_unix());
                start_col.push(r.start().timestamp());
                end_col.push(r.end().timestamp());
            }
            valid.push(true);
        }
        let offset = i32::try_from(bucket_col.len())
            .map_err(|_| mediameter_core::Error::overflow("mm_split pieces in one batch"))?;
        offsets.push(offset);
    }
    let values = StructArray::try_new(
        piece_fields(),
        vec![
            Arc::new(Int64Array::from(bucket_col)) as ArrayRef,
            Arc::new(Int64Array::from(start_col)),
            Arc::new(Int64Array::from(end_col)),
        ],
        None,
    )
    .map_err(|e| Error::from(datafusion::error::DataFusionError::from(e)))?;
    let list = ListArray::try_new(
        item_field(),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Arc::new(values),
        Some(NullBuffer::from(valid)),
    )
    .map_err(|e| Error::from(datafusion::error::DataFusionError::from(e)))?;
    Ok(ColumnarValue::Array(Arc::new(list)))
}

fn item_field() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(piece_fields()), true))
}

impl ScalarUDFImpl for SplitUdf {
    fn name(&self) -> &str {
        "mm_split"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::List(item_field()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        split(&args).map_err(Error::into_df)
    }
}
