//! A usage job as a team adopting the crate would write it, against the public API only: two
//! shards of a day's stream segments (two CSV exports, one per application) are read with bad
//! records skipped and reported, aggregated apart, merged, and turned into the hourly usage
//! table of the vendor console (GMT+8 hours split by region) and the day's distribution of
//! active users by region.
//!
//! The input is bundled with the crate (`examples/data/usage_job_shard_*.csv`), so the job runs
//! from a checkout or from the published package:
//! `cargo run -p mediameter-usage --example usage_job`.
//!
//! Dependencies an adopting team adds: `mediameter-usage` and `mediameter-core` (for ids,
//! specs, zones and minute policies); `Decimal` and `DateTime<Utc>` are re-exported by
//! `mediameter-usage`. The job checks its own figures, worked out by hand below, and exits
//! with an error if one differs.

use mediameter_core::{
    BillingZone, Granularity, MediaSpec, MinutePolicy, StreamSegment, VideoTier,
};
use mediameter_usage::{
    Aggregator, BadRecords, Decimal, Dimension, InputFormat, ProportionMode, SegmentReader,
    UsageQuery, UsageState, distribution_by,
};

/// One CSV export per application, as a platform's shards would write them.
const SHARDS: [(&str, &str); 2] = [
    ("a1", include_str!("data/usage_job_shard_a.csv")),
    ("a2", include_str!("data/usage_job_shard_b.csv")),
];

/// Reads one shard, skipping (and reporting) bad records.
fn read_shard(name: &str, csv: &str) -> Result<Vec<StreamSegment>, mediameter_usage::Error> {
    let mut reader = SegmentReader::new(csv.as_bytes(), InputFormat::Csv, BadRecords::Skip)?;
    let segments = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    let skipped = reader.skip_report();
    println!(
        "shard {name}: {} segments, {} skipped",
        segments.len(),
        skipped.skipped
    );
    for e in &skipped.first_errors {
        println!("  skipped {e}");
    }
    Ok(segments)
}

/// Fails the job when a figure is not what the input says it must be.
/// One shard's mergeable partial: the segments through one aggregator.
fn shard_state(
    query: &UsageQuery,
    segments: &[StreamSegment],
) -> Result<UsageState, mediameter_usage::Error> {
    let mut agg = Aggregator::new(query.clone())?;
    agg.extend(segments)?;
    agg.finish()
}

fn check<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {want:?}"))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hourly =
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
    let daily =
        UsageQuery::new(BillingZone::GMT8, Granularity::DAY).with_split_by([Dimension::Region]);

    // Each shard is aggregated on its own (in production: on its own machine) and the partial
    // states merged; the result equals aggregating everything at once.
    let mut hours = UsageState::new(hourly.clone());
    let mut days = UsageState::new(daily.clone());
    for (name, csv) in SHARDS {
        let segments = read_shard(name, csv)?;
        hours.merge(&shard_state(&hourly, &segments)?)?;
        days.merge(&shard_state(&daily, &segments)?)?;
    }

    let report = hours.report(MinutePolicy::CeilPerPeriod)?;
    let (p720, audio) = (MediaSpec::Video(VideoTier::P720), MediaSpec::Audio);
    println!(
        "\n{:<17} {:<12} {:>11} {:>12} {:>9} {:>10} {:>6}",
        "hour (GMT+8)", "region", "sub 720p s", "sub audio s", "min 720p", "min audio", "users"
    );
    for row in &report.rows {
        let region = row
            .group
            .first()
            .and_then(|(_, v)| v.as_deref())
            .unwrap_or("-");
        println!(
            "{}  {:<12} {:>11} {:>12} {:>9} {:>10} {:>6}",
            row.bucket_start
                .with_timezone(&BillingZone::GMT8.fixed_offset())
                .format("%Y-%m-%d %H:%M"),
            region,
            row.subscribe_seconds[p720],
            row.subscribe_seconds[audio],
            row.billable_minutes[p720],
            row.billable_minutes[audio],
            row.active_users.map_or("-".to_owned(), |u| u.to_string()),
        );
    }

    let users = distribution_by(&days, Dimension::Region, ProportionMode::VENDOR)?;
    println!("\nactive users by region, 2024-03-20 (GMT+8)");
    for r in &users {
        println!("  {:<12} {:>3}  {:>6} %", r.name, r.value, r.proportion);
    }

    // The figures, by hand. Subscriptions: fan1 (Shanghai, 720p) 09:55–10:10, fan2 (Beijing,
    // 720p) 10:00–10:20, bob (Shanghai, audio) 10:15:30–10:45; fan3's segment ends where it
    // starts and is skipped.
    check("segments counted", report.segments, 5)?;
    check("rows", report.rows.len(), 3)?;
    let row = |hour: u32, region: &str| {
        report.rows.iter().find(|r| {
            r.bucket_start
                .with_timezone(&BillingZone::GMT8.fixed_offset())
                .format("%H")
                .to_string()
                == format!("{hour:02}")
                && r.group.first().and_then(|(_, v)| v.as_deref()) == Some(region)
        })
    };
    let sh9 = row(9, "cn-shanghai").ok_or("no 09:00 Shanghai row")?;
    check(
        "09h Shanghai 720p seconds",
        sh9.subscribe_seconds[p720],
        300,
    )?;
    check(
        "09h Shanghai 720p minutes",
        sh9.billable_minutes[p720],
        Decimal::from(5),
    )?;
    let sh10 = row(10, "cn-shanghai").ok_or("no 10:00 Shanghai row")?;
    check(
        "10h Shanghai 720p seconds",
        sh10.subscribe_seconds[p720],
        600,
    )?;
    check(
        "10h Shanghai audio seconds",
        sh10.subscribe_seconds[audio],
        1770,
    )?;
    // 29.5 minutes, rounded up once for the hour.
    check(
        "10h Shanghai audio minutes",
        sh10.billable_minutes[audio],
        Decimal::from(30),
    )?;
    // host, fan1 (app a1), alice, bob (app a2).
    check("10h Shanghai users", sh10.active_users, Some(4))?;
    let bj10 = row(10, "cn-beijing").ok_or("no 10:00 Beijing row")?;
    check(
        "10h Beijing 720p seconds",
        bj10.subscribe_seconds[p720],
        1200,
    )?;
    let shares: Vec<_> = users
        .iter()
        .map(|r| (r.name.as_str(), r.value, r.proportion.to_string()))
        .collect();
    check(
        "users by region",
        shares,
        vec![
            ("cn-shanghai", 4, "80.00".to_owned()),
            ("cn-beijing", 1, "20.00".to_owned()),
        ],
    )?;
    println!("\nall figures as worked out by hand");
    Ok(())
}
