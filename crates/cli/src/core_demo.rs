//! The core section of `mediameter demo`: buckets, rounding and calendar on bundled data.

use std::io::Write;

use chrono::{DateTime, Utc};
use mediameter_core::{
    BillingZone, Buckets, Currency, Granularity, Money, Rounding, RoundingMode, SubscriptionTerm,
    TimeRange,
};
use rust_decimal::Decimal;

use crate::io::{CliError, parse_json};

const SAMPLE: &str = include_str!("../data/core_sample.json");

#[derive(serde::Deserialize)]
struct Sample {
    interval: TimeRange,
    zone: BillingZone,
    amounts: Vec<Decimal>,
    currency: Currency,
    subscription: SubscriptionSample,
}

#[derive(serde::Deserialize)]
struct SubscriptionSample {
    purchased_at: DateTime<Utc>,
    months: u32,
    changed_at: DateTime<Utc>,
}

/// Most buckets the demo prints for one split.
const MAX_PIECES: usize = 64;

pub(crate) fn demo(out: &mut dyn Write) -> Result<(), CliError> {
    let sample: Sample = parse_json(SAMPLE, "bundled core sample")?;
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&sample.zone.fixed_offset())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };

    writeln!(
        out,
        "== core: a usage interval on the {} grid ==",
        sample.zone
    )?;
    writeln!(
        out,
        "interval {} ({} s)",
        sample.interval,
        sample.interval.seconds()
    )?;
    for granularity in [Granularity::HOUR, Granularity::DAY] {
        let buckets = Buckets::new(sample.zone, granularity);
        let pieces = buckets
            .split_bounded(sample.interval, MAX_PIECES)
            .map_err(CliError::input)?;
        writeln!(
            out,
            "-- {} buckets ({} touched) --",
            granularity,
            pieces.len()
        )?;
        let mut total = 0_u64;
        for p in &pieces {
            total = total.saturating_add(p.seconds());
            writeln!(
                out,
                "  bucket {} ({})  {:>6} s",
                local(p.bucket_start()),
                sample.zone,
                p.seconds()
            )?;
        }
        writeln!(
            out,
            "  total {total} s (equals the interval: {})",
            total == sample.interval.seconds()
        )?;
    }

    writeln!(
        out,
        "\n== core: money rounded to 2 places under each mode ({}) ==",
        sample.currency
    )?;
    write!(out, "{:>14}", "amount")?;
    for mode in RoundingMode::ALL {
        write!(out, " {:>11}", mode.as_str())?;
    }
    writeln!(out)?;
    for amount in &sample.amounts {
        let money = Money::new(*amount, sample.currency);
        write!(out, "{:>14}", amount.to_string())?;
        for mode in RoundingMode::ALL {
            let rounding = Rounding::new(2, mode).map_err(CliError::input)?;
            write!(out, " {:>11}", money.round(rounding).amount().to_string())?;
        }
        writeln!(out)?;
    }

    let s = &sample.subscription;
    let term = SubscriptionTerm::monthly(s.purchased_at, s.months, sample.zone)
        .map_err(CliError::input)?;
    writeln!(
        out,
        "\n== core: a {}-month term bought {} ({}) ==",
        s.months,
        local(s.purchased_at),
        sample.zone
    )?;
    writeln!(
        out,
        "expires {} ({}), exclusive end {}",
        local(term.last_second()),
        sample.zone,
        term.end()
    )?;
    let slices: Vec<String> = term
        .remaining_months(s.changed_at)
        .map_err(CliError::input)?
        .map(|m| m.to_string())
        .collect();
    writeln!(
        out,
        "changed {}: remaining days by natural month {}",
        local(s.changed_at),
        slices.join(", ")
    )?;
    Ok(())
}
