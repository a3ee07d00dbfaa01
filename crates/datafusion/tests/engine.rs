//! `run_query` against the kernel: every source kind, and random inputs.

use std::io::Write;

use datafusion::prelude::SessionContext;
use mediameter_core::{
    AppId, BillingZone, ChannelId, Granularity, MediaSpec, MinutePolicy, RegionId, Role,
    StreamSegment, TimeRange, UserId, VideoTier,
};
use mediameter_datafusion::{register_segments, run_query, segments_from_batch, segments_to_batch};
use mediameter_usage::{Dimension, DistinctMode, IdScope, UsageQuery};
use proptest::prelude::*;

use crate::common::{CSV, kernel, memory_ctx, segments, temp_path};

fn queries() -> Vec<UsageQuery> {
    vec![
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
            .with_split_by([Dimension::Region, Dimension::Spec]),
        UsageQuery::new(BillingZone::UTC, Granularity::DAY)
            .with_split_by([Dimension::App])
            .with_id_scope(IdScope::Global),
        UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
            .with_distinct(DistinctMode::approximate(10).unwrap())
            .with_filter(Dimension::Role, ["sub"])
            .unwrap(),
    ]
}

async fn check_file(path: &std::path::Path) {
    let segs = segments();
    let ctx = SessionContext::new();
    register_segments(&ctx, "t", path.to_str().unwrap())
        .await
        .unwrap();
    for q in queries() {
        for policy in [MinutePolicy::Exact, MinutePolicy::CeilPerRecord] {
            let got = run_query(&ctx, "t", &q, policy).await.unwrap();
            assert_eq!(got, kernel(&q, &segs, policy), "{}", path.display());
        }
    }
}

#[tokio::test]
async fn csv_source_gives_the_kernel_report() {
    let path = temp_path("csv");
    std::fs::write(&path, CSV).unwrap();
    check_file(&path).await;
    std::fs::remove_file(&path).ok();
}

#[tokio::test]
async fn json_lines_source_gives_the_kernel_report() {
    let path = temp_path("jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for s in segments() {
        let mut o = serde_json::json!({
            "app": s.app.as_str(), "channel": s.channel.as_str(), "user": s.user.as_str(),
            "role": s.role.as_str(), "spec": s.spec.as_str(),
            "start": s.range.start().timestamp(), "end": s.range.end().timestamp(),
        });
        if let Some(p) = &s.publisher {
            o["publisher"] = p.as_str().into();
        }
        if let Some(r) = &s.region {
            o["region"] = r.as_str().into();
        }
        writeln!(f, "{o}").unwrap();
    }
    drop(f);
    check_file(&path).await;
    std::fs::remove_file(&path).ok();
}

#[tokio::test]
async fn parquet_source_gives_the_kernel_report() {
    let path = temp_path("parquet");
    let batch = segments_to_batch(&segments()).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    let mut w =
        datafusion::parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    check_file(&path).await;
    std::fs::remove_file(&path).ok();
}

#[tokio::test]
async fn a_table_without_a_required_column_is_refused() {
    let ctx = SessionContext::new();
    ctx.sql("CREATE TABLE t AS SELECT 'a' AS app")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let q = UsageQuery::new(BillingZone::UTC, Granularity::DAY);
    let err = run_query(&ctx, "t", &q, MinutePolicy::Exact)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        mediameter_datafusion::ErrorKind::Invalid,
        "{err}"
    );
    let err = run_query(&ctx, "missing", &q, MinutePolicy::Exact)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        mediameter_datafusion::ErrorKind::Engine,
        "{err}"
    );
}

#[tokio::test]
async fn an_empty_table_gives_the_empty_report() {
    let ctx = memory_ctx(&[], 1);
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR);
    assert_eq!(
        run_query(&ctx, "t", &q, MinutePolicy::Exact).await.unwrap(),
        kernel(&q, &[], MinutePolicy::Exact)
    );
}

/// `batch` with each text column cast to the layout `layouts` picks for it by position
/// (0: as it is, 1: `LargeUtf8`, 2: `Utf8View`, 3: `Dictionary(Int32, Utf8)`), and its instants
/// as millisecond timestamps when `millis`.
fn recast(
    batch: &datafusion::arrow::record_batch::RecordBatch,
    layouts: &[u8],
    millis: bool,
) -> datafusion::arrow::record_batch::RecordBatch {
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (i, (f, c)) in batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .enumerate()
    {
        let to = match (f.data_type(), layouts.get(i % layouts.len().max(1))) {
            (DataType::Int64, _) if millis => {
                let ms = datafusion::arrow::compute::kernels::numeric::mul(
                    c,
                    &datafusion::arrow::array::Int64Array::new_scalar(1000),
                )
                .unwrap();
                let t = DataType::Timestamp(TimeUnit::Millisecond, None);
                columns.push(cast(&ms, &t).unwrap());
                fields.push(Field::new(f.name(), t, f.is_nullable()));
                continue;
            }
            (DataType::Utf8, Some(1)) => DataType::LargeUtf8,
            (DataType::Utf8, Some(2)) => DataType::Utf8View,
            (DataType::Utf8, Some(3)) => {
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
            }
            (t, _) => t.clone(),
        };
        columns.push(cast(c, &to).unwrap());
        fields.push(Field::new(f.name(), to, f.is_nullable()));
    }
    datafusion::arrow::record_batch::RecordBatch::try_new(
        std::sync::Arc::new(Schema::new(fields)),
        columns,
    )
    .unwrap()
}

#[test]
fn segments_from_a_batch_lacking_a_column_or_holding_a_bad_row_are_refused() {
    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use std::sync::Arc;
    let text = |v: Vec<&str>| Arc::new(StringArray::from(v)) as ArrayRef;
    let int = |v: Vec<i64>| Arc::new(Int64Array::from(v)) as ArrayRef;
    let batch = |spec: &str, with_user: bool| {
        let mut cols = vec![
            ("app", text(vec!["a", "a"])),
            ("channel", text(vec!["c", "c"])),
            ("role", text(vec!["sub", "pub"])),
            ("spec", text(vec!["720p", spec])),
            ("start", int(vec![0, 0])),
            ("end", int(vec![60, 60])),
        ];
        if with_user {
            cols.push(("user", text(vec!["u1", "u2"])));
        }
        datafusion::arrow::record_batch::RecordBatch::try_from_iter(cols).unwrap()
    };
    assert_eq!(segments_from_batch(&batch("audio", true)).unwrap().len(), 2);
    // A required column the batch lacks is named, not read as a placeholder.
    let err = segments_from_batch(&batch("audio", false)).unwrap_err();
    assert_eq!(err.kind(), mediameter_datafusion::ErrorKind::Invalid);
    assert!(err.to_string().contains("user"), "{err}");
    // A bad row is named by its row, the core error inside.
    let err = segments_from_batch(&batch("8k", true)).unwrap_err();
    assert_eq!(err.row(), Some(1), "{err}");
    assert_eq!(err.kind(), mediameter_datafusion::ErrorKind::Core, "{err}");
    // An empty value is absent: an empty required id is an error.
    let mut empty = batch("audio", true);
    empty = datafusion::arrow::record_batch::RecordBatch::try_from_iter(
        empty
            .schema()
            .fields()
            .iter()
            .zip(empty.columns())
            .map(|(f, c)| {
                let c = if f.name() == "channel" {
                    text(vec!["c", ""])
                } else {
                    c.clone()
                };
                (f.name().clone(), c)
            }),
    )
    .unwrap();
    let err = segments_from_batch(&empty).unwrap_err();
    assert_eq!(err.row(), Some(1), "{err}");
    assert!(err.to_string().contains("channel"), "{err}");
}

const T0: i64 = 1_700_000_000;

fn segment() -> impl Strategy<Value = StreamSegment> {
    (
        0..3_u8,
        0..3_u8,
        0..5_u8,
        any::<bool>(),
        0..4_u8,
        proptest::option::of(0..2_u8),
        0..(3 * 86_400_i64),
        1..9_000_i64,
        proptest::option::of(0..5_u8),
    )
        .prop_map(
            |(app, ch, user, sub, spec, region, start, len, publisher)| {
                let spec = [
                    MediaSpec::Audio,
                    MediaSpec::Video(VideoTier::P360),
                    MediaSpec::Video(VideoTier::P720),
                    MediaSpec::Video(VideoTier::P1080),
                ][usize::from(spec)];
                let mut s = StreamSegment::new(
                    AppId::new(format!("a{app}")).unwrap(),
                    ChannelId::new(format!("c{ch}")).unwrap(),
                    UserId::new(format!("u{user}")).unwrap(),
                    if sub { Role::Subscribe } else { Role::Publish },
                    spec,
                    TimeRange::from_unix(T0 + start, T0 + start + len).unwrap(),
                );
                if let Some(r) = region {
                    s = s.with_region(RegionId::new(format!("r{r}")).unwrap());
                }
                if let (true, Some(p)) = (sub, publisher) {
                    s = s.with_publisher(UserId::new(format!("u{p}")).unwrap());
                }
                s
            },
        )
}

fn query() -> impl Strategy<Value = (UsageQuery, MinutePolicy)> {
    (
        any::<bool>(),
        0..3_u8,
        proptest::sample::subsequence(
            vec![
                Dimension::App,
                Dimension::Region,
                Dimension::Spec,
                Dimension::Role,
            ],
            0..=3,
        ),
        proptest::option::of(4..=16_u8),
        any::<bool>(),
        0..3_u8,
        proptest::option::of((0..86_400_i64, 1..(2 * 86_400_i64))),
    )
        .prop_map(|(gmt8, g, split, approx, global, policy, range)| {
            let zone = if gmt8 {
                BillingZone::GMT8
            } else {
                BillingZone::UTC
            };
            let g = [
                Granularity::HOUR,
                Granularity::DAY,
                Granularity::from_seconds(900).unwrap(),
            ][usize::from(g)];
            let mut q = UsageQuery::new(zone, g).with_split_by(split);
            if let Some(p) = approx {
                q = q.with_distinct(DistinctMode::approximate(p).unwrap());
            }
            if global {
                q = q.with_id_scope(IdScope::Global);
            }
            if let Some((s, len)) = range {
                q = q.with_range(TimeRange::from_unix(T0 + s, T0 + s + len).unwrap());
            }
            let policy = [
                MinutePolicy::Exact,
                MinutePolicy::CeilPerRecord,
                MinutePolicy::CeilPerPeriod,
            ][usize::from(policy)];
            (q, policy)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any query, any partitioning: the engine's report is the kernel's, every metric.
    #[test]
    fn the_engine_report_equals_the_kernel_report(
        segs in proptest::collection::vec(segment(), 0..60),
        (q, policy) in query(),
        parts in 1..5_usize,
    ) {
        let want = kernel(&q, &segs, policy);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let got = rt.block_on(async {
            let ctx = memory_ctx(&segs, parts);
            run_query(&ctx, "t", &q, policy).await.unwrap()
        });
        prop_assert_eq!(got, want);
    }

    /// Segments written to a batch read back as they were, whatever text layout each column
    /// has and whether instants are numbers or timestamps.
    #[test]
    fn segments_read_back_from_a_batch_in_any_layout(
        segs in proptest::collection::vec(segment(), 0..40),
        layouts in proptest::collection::vec(0..4_u8, 1..13),
        millis in any::<bool>(),
        (from, len) in (0..40_usize, 0..40_usize),
        (q, policy) in query(),
    ) {
        let batch = recast(&segments_to_batch(&segs).unwrap(), &layouts, millis);
        prop_assert_eq!(segments_from_batch(&batch).unwrap(), segs.clone());
        // A slice of a batch (an engine hands them over after a filter or a limit) reads its
        // own rows, by rows and in columns.
        let from = from.min(segs.len());
        let len = len.min(segs.len() - from);
        let part = &segs[from..from + len];
        let slice = batch.slice(from, len);
        prop_assert_eq!(&segments_from_batch(&slice).unwrap(), part);
        let mut agg = mediameter_usage::Aggregator::new(q.clone()).unwrap();
        mediameter_datafusion::SegmentBatch::from_batch(&slice)
            .unwrap()
            .with_columns(|c| agg.push_columns(c))
            .unwrap();
        prop_assert_eq!(agg.report(policy).unwrap(), kernel(&q, part, policy));
    }
}
