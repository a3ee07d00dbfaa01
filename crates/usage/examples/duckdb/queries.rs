//! The three queries of `examples/duckdb/usage_duckdb.py`, as usage queries, named. Shared by
//! the `duckdb_compare` example and the benches of the workspace's `benches/` (which include
//! this file by path), so both measure the same queries.

use mediameter_core::{BillingZone, Granularity};
use mediameter_usage::{Dimension, IdScope, Metrics, Result, UsageQuery};

/// (1) subscribe seconds per UTC hour, region and spec; (2) distinct users (by id alone, as
/// `count(DISTINCT "user")`) per GMT+8 day and region; (3) peak concurrent subscribe streams
/// per UTC hour.
///
/// # Errors
///
/// Never in practice: the filters are valid.
pub(crate) fn duckdb_queries() -> Result<[(&'static str, UsageQuery); 3]> {
    let sub = |q: UsageQuery| q.with_filter(Dimension::Role, ["sub"]);
    Ok([
        (
            "secs_by_hour_region_spec",
            sub(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?
                .with_split_by([Dimension::Region, Dimension::Spec])
                .with_metrics(Metrics::DURATIONS),
        ),
        (
            "users_by_day_region",
            UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
                .with_split_by([Dimension::Region])
                .with_id_scope(IdScope::Global)
                .with_metrics(Metrics::DURATIONS.with_users(true)),
        ),
        (
            "peak_by_hour",
            sub(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?
                .with_metrics(Metrics::DURATIONS.with_stream_peaks(true)),
        ),
    ])
}
