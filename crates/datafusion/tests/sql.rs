//! The SQL functions, each against the kernel's figure.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::prelude::SessionContext;
use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::{Dimension, IdScope, UsageQuery};

use crate::common::{kernel, memory_ctx, segments};

/// Whether `sql` plans but fails when run (a refused argument or row).
async fn fails(ctx: &SessionContext, sql: &str) -> bool {
    ctx.sql(sql).await.unwrap().collect().await.is_err()
}

/// The error of `sql`, which plans but fails when run.
async fn error_of(ctx: &SessionContext, sql: &str) -> mediameter_datafusion::Error {
    let err = ctx.sql(sql).await.unwrap().collect().await.unwrap_err();
    mediameter_datafusion::Error::from(err)
}

async fn u64s(ctx: &SessionContext, sql: &str) -> Vec<Option<u64>> {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let mut out = Vec::new();
    for b in batches {
        let a = b.column(b.num_columns() - 1).as_primitive::<UInt64Type>();
        for i in 0..a.len() {
            out.push((!a.is_null(i)).then(|| a.value(i)));
        }
    }
    out
}

const COLS: &str = "app, channel, user, role, spec, start, \"end\", publisher";

/// Pieces of every segment, with their bucket, as a view `p`.
const PIECES: &str = "CREATE VIEW p AS \
    SELECT app, channel, user, role, spec, region, publisher, \
           piece['bucket_start'] AS bucket, piece['start'] AS start, piece['end'] AS \"end\" \
    FROM (SELECT *, unnest(mm_split(start, \"end\", 'GMT+8', 3600)) AS piece FROM t)";

#[tokio::test]
async fn split_cuts_at_zone_aligned_boundaries() {
    let ctx = memory_ctx(&[], 1);
    let sql = "SELECT piece['bucket_start'] AS b, piece['start'] AS s, piece['end'] AS e FROM \
        (SELECT unnest(mm_split(1679273130, 1679274600, 'GMT+8', 3600)) AS piece) ORDER BY b";
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let b = &batches[0];
    let col = |i: usize| {
        b.column(i)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .values()
            .to_vec()
    };
    // 08:45:30–09:10:00 GMT+8: 870 s in the 08:00 hour and 600 s in the 09:00 hour.
    assert_eq!(col(0), vec![1679270400, 1679274000]);
    assert_eq!(col(1), vec![1679273130, 1679274000]);
    assert_eq!(col(2), vec![1679274000, 1679274600]);
    // A bad zone or a reversed range is an error, not a panic.
    assert!(fails(&ctx, "SELECT mm_split(1, 2, 'Mars', 3600)").await);
    assert!(fails(&ctx, "SELECT mm_split(5, 2, 'UTC', 3600)").await);
    assert!(fails(&ctx, "SELECT mm_split(0, 100000000000, 'UTC', 60)").await);
}

#[tokio::test]
async fn aggregates_per_bucket_equal_the_kernel_rows() {
    let segs = segments();
    let ctx = memory_ctx(&segs, 3);
    ctx.sql(PIECES).await.unwrap().collect().await.unwrap();
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR);
    let report = kernel(&q, &segs, MinutePolicy::CeilPerPeriod);
    let by_bucket =
        |f: &str| format!("SELECT bucket, {f}({COLS}) FROM p GROUP BY bucket ORDER BY bucket");
    let rows = |get: fn(&mediameter_usage::UsageRow) -> Option<u64>| {
        report.rows.iter().map(get).collect::<Vec<_>>()
    };
    assert_eq!(
        u64s(&ctx, &by_bucket("mm_peak_channels")).await,
        rows(|r| r.peak_channels)
    );
    assert_eq!(
        u64s(&ctx, &by_bucket("mm_peak_communications")).await,
        rows(|r| r.peak_communications)
    );
    assert_eq!(
        u64s(&ctx, &by_bucket("mm_peak_streams")).await,
        rows(|r| r.peak_streams)
    );
    assert_eq!(
        u64s(&ctx, &by_bucket("mm_distinct_users")).await,
        rows(|r| r.active_users)
    );
    assert_eq!(
        u64s(&ctx, &by_bucket("mm_distinct_channels")).await,
        rows(|r| r.channels)
    );
    // The 09:00 hour (after 07:00 and 08:00): host→fan1, host→fan2 and fan1's unattributed
    // audio in room2 all open at 09:05.
    assert_eq!(report.rows[2].peak_communications, Some(3));
    // Approximate counts equal the exact ones on a handful of ids.
    assert_eq!(
        u64s(&ctx, &by_bucket("mm_approx_distinct_users")).await,
        rows(|r| r.active_users)
    );
}

#[tokio::test]
async fn carry_over_counts_streams_open_at_the_bucket_start() {
    // a2's host publishes from before 09:00 to after 10:00: the 10:00 hour sees it open.
    let segs = segments();
    let ctx = memory_ctx(&segs, 2);
    ctx.sql(PIECES).await.unwrap().collect().await.unwrap();
    let got = u64s(&ctx, &format!(
        "SELECT bucket, mm_peak_channels({COLS}) FROM p WHERE bucket = 1679277600 GROUP BY bucket"
    ))
    .await;
    assert_eq!(got, vec![Some(1)]);
}

#[tokio::test]
async fn distinct_scope_app_or_global() {
    let segs = segments();
    let ctx = memory_ctx(&segs, 2);
    let per_app = kernel(
        &UsageQuery::new(BillingZone::GMT8, Granularity::DAY),
        &segs,
        MinutePolicy::Exact,
    );
    let global = kernel(
        &UsageQuery::new(BillingZone::GMT8, Granularity::DAY).with_id_scope(IdScope::Global),
        &segs,
        MinutePolicy::Exact,
    );
    let one = |f: &str| format!("SELECT {f} FROM t");
    assert_eq!(
        u64s(&ctx, &one(&format!("mm_distinct_users({COLS})"))).await,
        vec![per_app.totals[0].active_users]
    );
    assert_eq!(
        u64s(&ctx, &one(&format!("mm_distinct_users({COLS}, 'app')"))).await,
        vec![Some(5)]
    );
    assert_eq!(
        u64s(&ctx, &one(&format!("mm_distinct_users({COLS}, 'global')"))).await,
        vec![global.totals[0].active_users]
    );
    assert_eq!(global.totals[0].active_users, Some(3));
    assert_eq!(
        u64s(
            &ctx,
            &one(&format!("mm_distinct_channels({COLS}, 'global')"))
        )
        .await,
        vec![Some(2)]
    );
    assert_eq!(
        u64s(
            &ctx,
            &one(&format!("mm_approx_distinct_channels({COLS}, 'app', 14)"))
        )
        .await,
        vec![Some(3)]
    );
    assert!(fails(&ctx, &one(&format!("mm_distinct_users({COLS}, 'planet')"))).await);
    assert!(
        fails(
            &ctx,
            &one(&format!("mm_approx_distinct_users({COLS}, 'app', 30)"))
        )
        .await
    );
}

#[tokio::test]
async fn billable_minutes_under_each_policy() {
    let segs = segments();
    let ctx = memory_ctx(&segs, 2);
    ctx.sql(PIECES).await.unwrap().collect().await.unwrap();
    for policy in [
        MinutePolicy::Exact,
        MinutePolicy::CeilPerRecord,
        MinutePolicy::CeilPerPeriod,
    ] {
        let q =
            UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Spec]);
        let report = kernel(&q, &segs, policy);
        let sql = format!(
            "SELECT bucket, spec, mm_billable_minutes({COLS}, '{policy}') AS m FROM p \
             WHERE role = 'sub' GROUP BY bucket, spec ORDER BY bucket, spec"
        );
        let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        let mut got = Vec::new();
        for b in &batches {
            let bucket = b
                .column(0)
                .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
            let spec = datafusion::arrow::compute::cast(
                b.column(1),
                &datafusion::arrow::datatypes::DataType::Utf8,
            )
            .unwrap();
            let spec = spec.as_string::<i32>();
            let m = b.column(2).as_string::<i32>();
            for i in 0..m.len() {
                got.push((
                    bucket.value(i),
                    spec.value(i).to_owned(),
                    m.value(i).to_owned(),
                ));
            }
        }
        let mut want = Vec::new();
        for row in &report.rows {
            for (spec, m) in row.billable_minutes.iter() {
                if !m.is_zero() {
                    want.push((
                        row.bucket_start.timestamp(),
                        spec.as_str().to_owned(),
                        m.normalize().to_string(),
                    ));
                }
            }
        }
        got.sort();
        want.sort();
        assert!(!want.is_empty());
        assert_eq!(got, want, "{policy}");
    }
    assert!(
        fails(
            &ctx,
            &format!("SELECT mm_billable_minutes({COLS}, 'rounded') FROM t")
        )
        .await
    );
}

#[tokio::test]
async fn a_bad_row_is_an_error_naming_it() {
    let ctx = SessionContext::new();
    mediameter_datafusion::register(&ctx);
    let err = error_of(
        &ctx,
        "SELECT mm_peak_streams('a', 'c', 'u', 'sub', '8k', 0, 60, NULL)",
    )
    .await;
    // Located at its row; its kind is the core error's inside.
    assert_eq!(err.row(), Some(0), "{err}");
    assert_eq!(err.kind(), mediameter_datafusion::ErrorKind::Core, "{err}");
    assert!(err.to_string().contains("row 0"), "{err}");
    assert!(err.as_core().is_some());
}

#[tokio::test]
async fn a_null_literal_leaves_out_a_column_the_query_does_not_read() {
    // Stream peaks read no id: NULL for the app, channel and user gives the figures of the
    // real columns, without reading them.
    let segs = segments();
    let ctx = memory_ctx(&segs, 2);
    let by_spec = |cols: &str| {
        format!("SELECT spec, mm_peak_streams({cols}) FROM t GROUP BY spec ORDER BY spec")
    };
    let want = u64s(&ctx, &by_spec(COLS)).await;
    assert!(want.iter().any(|p| *p > Some(1)), "{want:?}");
    let bare = "NULL, NULL, NULL, role, spec, start, \"end\", NULL";
    assert_eq!(u64s(&ctx, &by_spec(bare)).await, want);
    // A user count reads the user: NULL there makes every row a bad record.
    assert!(
        fails(
            &ctx,
            "SELECT mm_distinct_users(app, channel, NULL, role, spec, start, \"end\", NULL) FROM t"
        )
        .await
    );
    // A bad row is still named by the field at fault, not by a column left out.
    let err = error_of(
        &ctx,
        "SELECT mm_peak_streams(NULL, NULL, NULL, 'sub', '8k', 0, 60, NULL)",
    )
    .await;
    assert_eq!(err.row(), Some(0), "{err}");
    assert!(err.to_string().contains("8k"), "{err}");
}

#[tokio::test]
async fn a_bad_row_of_a_later_batch_is_named_in_its_batch() {
    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;
    use std::sync::Arc;
    // One partition of two batches: five good rows, then three whose last has an unknown spec.
    let segs = segments();
    let good = mediameter_datafusion::segments_to_batch(&segs[..5]).unwrap();
    let text = |v: [&str; 3]| Arc::new(StringArray::from(v.to_vec())) as ArrayRef;
    let none = || Arc::new(StringArray::from(vec![None::<&str>; 3])) as ArrayRef;
    let bad = RecordBatch::try_new(
        mediameter_datafusion::segment_schema(),
        vec![
            text(["a", "a", "a"]),
            text(["c", "c", "c"]),
            text(["u1", "u2", "u3"]),
            text(["sub", "sub", "sub"]),
            text(["720p", "720p", "8k"]),
            Arc::new(Int64Array::from(vec![0, 0, 0])),
            Arc::new(Int64Array::from(vec![60, 60, 60])),
            none(),
            none(),
            none(),
            none(),
            none(),
        ],
    )
    .unwrap();
    let table = datafusion::datasource::MemTable::try_new(
        mediameter_datafusion::segment_schema(),
        vec![vec![good, bad]],
    )
    .unwrap();
    let config = datafusion::prelude::SessionConfig::new().with_target_partitions(1);
    let ctx = SessionContext::new_with_config(config);
    mediameter_datafusion::register(&ctx);
    ctx.register_table("t", Arc::new(table)).unwrap();
    let err = error_of(&ctx, &format!("SELECT mm_distinct_users({COLS}) FROM t")).await;
    assert_eq!(err.row(), Some(2), "{err}");
    assert_eq!(err.kind(), mediameter_datafusion::ErrorKind::Core, "{err}");
}

#[tokio::test]
async fn string_views_and_large_strings_are_read_in_place() {
    // A Parquet scan gives string views; other sources large strings or dictionaries: each
    // layout gives the kernel's report.
    let segs = segments();
    let ctx = memory_ctx(&segs, 2);
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by([Dimension::Region]);
    let json = serde_json::to_string(&q).unwrap();
    let cols = "arrow_cast(app, 'Utf8View'), arrow_cast(channel, 'LargeUtf8'), \
                arrow_cast(user, 'Utf8View'), arrow_cast(role, 'Dictionary(Int32, Utf8)'), \
                arrow_cast(spec, 'LargeUtf8'), start, \"end\", arrow_cast(publisher, 'Utf8View'), \
                arrow_cast(region, 'Utf8View'), domain, instance, type";
    let sql = format!("SELECT mm_usage_report('{json}', 'exact', {cols}) FROM t");
    let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    let text = batches[0].column(0).as_string::<i32>().value(0).to_owned();
    let got: mediameter_usage::UsageReport = serde_json::from_str(&text).unwrap();
    assert_eq!(got, kernel(&q, &segs, MinutePolicy::Exact));
}

#[tokio::test]
async fn the_report_aggregate_is_the_kernels_report() {
    let segs = segments();
    let ctx = memory_ctx(&segs, 3);
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_split_by([Dimension::Region])
        .with_id_scope(IdScope::Global);
    let json = serde_json::to_string(&q).unwrap();
    for policy in [MinutePolicy::CeilPerPeriod, MinutePolicy::CeilPerRecord] {
        let sql = format!(
            "SELECT mm_usage_report('{json}', '{policy}', {COLS}, region, domain, instance, type) FROM t"
        );
        let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        let text = batches[0].column(0).as_string::<i32>().value(0).to_owned();
        let got: mediameter_usage::UsageReport = serde_json::from_str(&text).unwrap();
        assert_eq!(got, kernel(&q, &segs, policy), "{policy}");
    }
    // A policy that is not one is refused.
    let sql = format!(
        "SELECT mm_usage_report('{json}', 'rounded', {COLS}, region, domain, instance, type) FROM t"
    );
    assert!(fails(&ctx, &sql).await);
}

/// The public types a caller moves between threads are `Send + Sync` (this stops compiling
/// otherwise).
#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<mediameter_datafusion::SegmentBatch>();
    send_sync::<mediameter_datafusion::Error>();
}
