//! What a Ballista run with two executors costs over the local `DataFusion` run, on one machine.
//!
//! ```text
//! cargo run --release -p mediameter-datafusion --example ballista_overhead -- SEGMENTS.parquet [ROUNDS=3] [THREADS=2]
//! ```
//!
//! Runs the three queries of the `DuckDB` comparison (`crates/usage/examples/duckdb`), each round
//! in alternating order: (a) `run_query` on a local `SessionContext` with `THREADS` target
//! partitions; (b) `run_query` on an in-process standalone Ballista cluster of two executors
//! with `THREADS / 2` task slots each (at least one), the same partitions. Both sessions are set
//! up once, before the rounds; each run registers the file and plans and runs the query. The
//! two reports must be equal, else the example exits with an error. Prints the median wall time
//! of each and the ratio Ballista / local.
//!
//! Scheduler, executors and client share this process and machine: the ratio is the cost of
//! planning, shipping the plan and the partial states through Ballista's gRPC and shuffle
//! files, not a speed-up, which needs executors on other machines.

use std::time::Instant;

use datafusion::prelude::{SessionConfig, SessionContext};
use mediameter_core::MinutePolicy;
use mediameter_datafusion::{register_segments, run_query, standalone_cluster};

#[path = "../../usage/examples/duckdb/queries.rs"]
mod queries;

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

async fn timed(
    ctx: &SessionContext,
    path: &str,
    query: &mediameter_usage::UsageQuery,
) -> Res<(f64, mediameter_usage::UsageReport)> {
    let t = Instant::now();
    if ctx.table_exist("segments")? {
        ctx.deregister_table("segments")?;
    }
    register_segments(ctx, "segments", path).await?;
    let report = run_query(ctx, "segments", query, MinutePolicy::CeilPerPeriod).await?;
    Ok((t.elapsed().as_secs_f64(), report))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        return Err("usage: ballista_overhead SEGMENTS.parquet [ROUNDS] [THREADS]".into());
    };
    let rounds: usize = args.get(2).map_or(Ok(3), |s| s.parse())?;
    let threads: usize = args.get(3).map_or(Ok(2), |s| s.parse())?;
    let local =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(threads));
    mediameter_datafusion::register(&local);
    let cluster = standalone_cluster(2, (threads / 2).max(1)).await?;
    cluster
        .sql(&format!(
            "SET datafusion.execution.target_partitions = {threads}"
        ))
        .await?
        .collect()
        .await?;
    let queries = queries::duckdb_queries()?;
    let mut times: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); queries.len()];
    for round in 1..=rounds {
        for (i, (name, query)) in queries.iter().enumerate() {
            let (l, b) = if round % 2 == 1 {
                let l = timed(&local, path, query).await?;
                (l, timed(&cluster, path, query).await?)
            } else {
                let b = timed(&cluster, path, query).await?;
                (timed(&local, path, query).await?, b)
            };
            if l.1 != b.1 {
                return Err(format!("{name}, round {round}: the reports differ").into());
            }
            eprintln!(
                "round {round} {name}: equal reports, local {:.3} s, ballista {:.3} s",
                l.0, b.0
            );
            if let Some(t) = times.get_mut(i) {
                t.0.push(l.0);
                t.1.push(b.0);
            }
        }
    }
    println!("{path}, {rounds} rounds, {threads} partitions; median wall time");
    println!(
        "{:<26} {:>9} {:>11} {:>16}",
        "query", "local s", "ballista s", "ballista/local"
    );
    for ((name, _), (l, b)) in queries.iter().zip(times) {
        let (l, b) = (median(l), median(b));
        println!("{name:<26} {l:>9.3} {b:>11.3} {:>16.2}", b / l);
    }
    Ok(())
}
