//! The same query on a standalone Ballista cluster with two executors.

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_datafusion::{run_query, standalone_cluster};
use mediameter_usage::{Dimension, UsageQuery};

use crate::common::{CSV, kernel, segments, temp_path};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballista_two_executors_give_the_kernel_report() {
    let ctx = standalone_cluster(2, 1).await.unwrap();
    // Three files: the scan has three partitions to deal to the executors.
    let dir = temp_path("dir");
    std::fs::create_dir_all(&dir).unwrap();
    let lines: Vec<&str> = CSV.lines().collect();
    for (i, chunk) in lines[1..].chunks(2).enumerate() {
        let body = format!("{}\n{}\n", lines[0], chunk.join("\n"));
        std::fs::write(dir.join(format!("part{i}.csv")), body).unwrap();
    }
    let schema = datafusion::arrow::datatypes::Schema::new(
        lines[0]
            .split(',')
            .map(|n| {
                let t = if n == "start" || n == "end" {
                    datafusion::arrow::datatypes::DataType::Int64
                } else {
                    datafusion::arrow::datatypes::DataType::Utf8
                };
                datafusion::arrow::datatypes::Field::new(n, t, true)
            })
            .collect::<Vec<_>>(),
    );
    ctx.register_csv(
        "t",
        dir.to_str().unwrap(),
        datafusion::prelude::CsvReadOptions::new().schema(&schema),
    )
    .await
    .unwrap();
    let q =
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
    let got = run_query(&ctx, "t", &q, MinutePolicy::CeilPerPeriod)
        .await
        .unwrap();
    assert_eq!(got, kernel(&q, &segments(), MinutePolicy::CeilPerPeriod));
    // The SQL functions reach the executors too.
    let batches = ctx
        .sql("SELECT mm_peak_communications(app, channel, user, role, spec, start, \"end\", publisher) FROM t")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_cluster_needs_executors() {
    let Err(err) = standalone_cluster(0, 1).await else {
        panic!("no executors accepted")
    };
    assert_eq!(err.kind(), mediameter_datafusion::ErrorKind::Invalid);
}
