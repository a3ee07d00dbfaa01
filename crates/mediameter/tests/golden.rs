//! Golden months.

use mediameter::billing::{Pack, PackEngine, UsageItem};
use mediameter::billing::{StatementOptions, Tariff, monthly_statement};
use mediameter::core::{BillingZone, Granularity, MinutePolicy, Quantity, Unit};
use mediameter::mapping::Mapping;
use mediameter::usage::{Aggregator, Dimension, UsageQuery, parse_csv};
use mediameter::{BillingMonth, InvoiceRequest, invoice};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::sample;

fn request(month: &str) -> InvoiceRequest {
    let packs: Vec<Pack> = serde_json::from_str(sample::PACKS).unwrap();
    let tariff: Tariff = serde_json::from_str(sample::TARIFF).unwrap();
    InvoiceRequest::new(month.parse::<BillingMonth>().unwrap(), tariff).with_packs(packs)
}

/// The bundled month invoiced in one call equals, to the cent, the same month computed step
/// by step through the individual crates: usage aggregates subscribe seconds by GMT+8 hour
/// and spec, each hour and spec becomes a usage item in seconds, billing deducts them from
/// the packs earliest expiry first and prices the overflow. (The sample packs are bought and
/// expire on the hour in GMT+8, so the hours are the facade's slices.)
#[test]
fn the_sample_month_in_one_call_equals_the_crates_step_by_step() {
    let segments = parse_csv(sample::SEGMENTS).unwrap();
    let one_call = invoice(&segments, request("2023-03")).unwrap();

    let query = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_filter(Dimension::Role, ["sub"])
        .unwrap();
    let mut agg = Aggregator::new(query).unwrap();
    agg.extend(&segments).unwrap();
    let report = agg.report(MinutePolicy::Exact).unwrap();
    let mut items = Vec::new();
    for row in &report.rows {
        for (spec, seconds) in row.subscribe_seconds.iter() {
            if *seconds > 0 {
                let id = items.len() as u64;
                items.push(
                    UsageItem::new(
                        id,
                        row.bucket_start,
                        "rtc".parse().unwrap(),
                        spec,
                        Quantity::seconds(*seconds),
                    )
                    .unwrap(),
                );
            }
        }
    }
    let packs: Vec<Pack> = serde_json::from_str(sample::PACKS).unwrap();
    let mut engine = PackEngine::with_packs(packs).unwrap();
    let deducted = engine.deduct_batch(&items).unwrap();
    let tariff: Tariff = serde_json::from_str(sample::TARIFF).unwrap();
    let march = "2023-03"
        .parse::<BillingMonth>()
        .unwrap()
        .range(BillingZone::GMT8)
        .unwrap();
    let by_step = monthly_statement(
        &deducted.ledger,
        march,
        &tariff,
        &StatementOptions::default(),
    )
    .unwrap();

    assert_eq!(one_call.statement, by_step);
    assert_eq!(one_call.balances, engine.balances());
    // The sample's subscribe seconds (36556 + 50699 + 51665 + 12392) all billed.
    assert_eq!(one_call.metered_seconds, dec!(151312));
    let billed: Decimal = by_step.packs.iter().map(|p| p.usage).sum::<Decimal>()
        + by_step.lines.iter().map(|l| l.overflow).sum::<Decimal>();
    assert_eq!(billed, dec!(151312));
    assert!(by_step.total > Decimal::ZERO && by_step.packs.len() == 2);
    // The sample mapping (live transcoding by output tier, then RTC) bills the same month the
    // same way: the sample has no transcoding segment.
    let mapping: Mapping = serde_json::from_str(sample::MAPPING).unwrap();
    let mapped = invoice(&segments, request("2023-03").with_mapping(mapping)).unwrap();
    assert_eq!(mapped.statement, one_call.statement);
}

/// A month computed by hand (Alibaba Cloud RTC pricing: packs deducted earliest expiry
/// first, an expired pack deducts nothing, the rest is pay-as-you-go; only subscription is
/// billed). March 2024, GMT+8; one 10-minute pack valid on 1 March only; 720p at 0.028 and
/// audio at 0.007 a minute.
///
/// * s1, sub 720p, 1 March 10:00:00–10:08:30: 510 s, all from the pack (90 s left).
/// * s2, sub 720p, 1 March 23:58:00 – 2 March 00:03:00: 120 s before the pack expires at
///   midnight (90 s from the pack, 30 s overflow) and 180 s after it (overflow).
/// * s3, sub audio, 5 March 09:00:00–09:00:59: 59 s overflow.
/// * s4, pub 720p, 1 March 10:00–11:00: publish time, not billed.
///
/// Pack: 510 + 90 = 600 s. Overflow 720p: 30 + 180 = 210 s = 3.5 min → 4 min once → 0.112 →
/// 0.11. Audio: 59 s → 1 min → 0.007 → 0.01. Total 0.12.
#[test]
fn a_month_computed_by_hand() {
    let segments = parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,room,v1,sub,720p,,1709258400,1709258910\n\
         a,room,v1,sub,720p,,1709308680,1709308980\n\
         a,room,v2,sub,audio,,1709600400,1709600459\n\
         a,room,host,pub,720p,,1709258400,1709262000\n",
    )
    .unwrap();
    let pack = Pack::new(
        "pk-day",
        "rtc".parse().unwrap(),
        Quantity::new(dec!(10), Unit::Minute).unwrap(),
        "2024-02-29T16:00:00Z".parse().unwrap(),
        "2024-03-01T16:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let tariff: Tariff = serde_json::from_str(
        r#"{"currency": "CNY", "entries": [
        {"product": "rtc", "spec": "audio", "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.007"}},
        {"product": "rtc", "spec": "720p", "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.028"}}]}"#,
    )
    .unwrap();
    let request = InvoiceRequest::new("2024-03".parse().unwrap(), tariff).with_packs(vec![pack]);
    let bill = invoice(&segments, request).unwrap();
    let s = &bill.statement;
    assert_eq!((s.packs.len(), s.packs[0].usage), (1, dec!(600)));
    let lines: Vec<_> = s
        .lines
        .iter()
        .map(|l| (l.spec.as_str(), l.overflow, l.quantity, l.amount))
        .collect();
    assert_eq!(
        lines,
        [
            ("audio", dec!(59), dec!(1), dec!(0.01)),
            ("720p", dec!(210), dec!(4), dec!(0.11)),
        ]
    );
    assert_eq!(s.total, dec!(0.12));
    assert_eq!(bill.unbilled.publish, 3600);
    assert_eq!(bill.metered_seconds, dec!(869));
    assert_eq!(bill.balances[0].remaining, dec!(0));
}

/// The double-rounding trap: usage rows carry billable minutes already rounded up per bucket;
/// billing them as minutes rounds twice. Three 20-second views in three different hours are
/// one minute of usage, billed 1.00 at 1.00 a minute; the hourly report's billable minutes
/// (1 + 1 + 1) would have billed 3.00. Seconds cross the boundary, so the statement rounds
/// once.
#[test]
fn minutes_are_rounded_once_not_per_bucket() {
    let segments = parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,room,v1,sub,720p,,1709258400,1709258420\n\
         a,room,v1,sub,720p,,1709262000,1709262020\n\
         a,room,v1,sub,720p,,1709265600,1709265620\n",
    )
    .unwrap();
    let tariff: Tariff = serde_json::from_str(
        r#"{"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
        "pricing": {"model": "flat", "unit_price": "1.00"}}]}"#,
    )
    .unwrap();
    // What the per-bucket minutes add up to: the trap.
    let mut agg = Aggregator::new(UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)).unwrap();
    agg.extend(&segments).unwrap();
    let hourly = agg.report(MinutePolicy::CeilPerPeriod).unwrap();
    let per_bucket: Decimal = hourly
        .rows
        .iter()
        .flat_map(|r| r.billable_minutes.iter().map(|(_, m)| *m))
        .sum();
    assert_eq!(per_bucket, dec!(3));

    let bill = invoice(
        &segments,
        InvoiceRequest::new("2024-03".parse().unwrap(), tariff),
    )
    .unwrap();
    assert_eq!(bill.statement.lines[0].overflow, dec!(60));
    assert_eq!(bill.statement.lines[0].quantity, dec!(1));
    assert_eq!(bill.statement.total, dec!(1.00));
}

/// Live transcoding bills per output tier: 360p is LD, 720p SD, 1080p and above HD (the
/// tiers of Alibaba Cloud Live `DescribeLiveProducerUsageData`).
#[test]
fn live_transcoding_bills_per_output_tier() {
    let segments = parse_csv(
        "app,channel,user,role,spec,region,start,end,publisher,domain,instance,type\n\
         a,live,t1,sub,2k,,1709258400,1709258460,,,,transcode\n\
         a,live,t2,sub,4k,,1709258400,1709258460,,,,transcode\n\
         a,live,t3,sub,360p,,1709258400,1709258520,,,,transcode\n\
         a,live,v1,sub,720p,,1709258400,1709258460,,,,\n",
    )
    .unwrap();
    let mapping: Mapping = serde_json::from_str(sample::MAPPING).unwrap();
    let tariff: Tariff = serde_json::from_str(sample::TARIFF).unwrap();
    let request = InvoiceRequest::new("2024-03".parse().unwrap(), tariff).with_mapping(mapping);
    let bill = invoice(&segments, request).unwrap();
    let lines: Vec<_> = bill
        .statement
        .lines
        .iter()
        .map(|l| (l.product.as_str(), l.spec.as_str(), l.quantity, l.amount))
        .collect();
    assert_eq!(
        lines,
        [
            ("live-transcode", "360p", dec!(2), dec!(0.05)), // LD: 2 × 0.025
            ("live-transcode", "1080p", dec!(2), dec!(0.16)), // HD: 2k + 4k, 2 × 0.080
            ("rtc", "720p", dec!(1), dec!(0.03)),            // 1 × 0.028
        ]
    );
}

/// The usage library's mergeable state, aggregated in two shards, merged and reported by the
/// hour, invoices to the same statement as the segments themselves (the sample packs are
/// bought and expire on the hour, so no bucket holds a pack boundary).
#[test]
fn a_merged_usage_state_invoices_like_the_segments() {
    use mediameter::usage::UsageState;
    let segments = parse_csv(sample::SEGMENTS).unwrap();
    let from_segments = invoice(&segments, request("2023-03")).unwrap();

    let query = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR);
    let (a, b) = segments.split_at(segments.len() / 3);
    let mut state = UsageState::new(query.clone());
    for shard in [a, b] {
        let mut agg = Aggregator::new(query.clone()).unwrap();
        agg.extend(shard).unwrap();
        state.merge(&agg.to_state().unwrap()).unwrap();
    }
    let report = state.report(MinutePolicy::Exact).unwrap();
    let run = request("2023-03").start().unwrap();
    let mut meter = run.meter().unwrap();
    meter.push_report(&report).unwrap();
    let from_report = run.bill(&meter.finish()).unwrap();
    assert_eq!(from_report.statement, from_segments.statement);
    assert_eq!(from_report.unbilled, from_segments.unbilled);
    assert_eq!(from_report.balances, from_segments.balances);

    // A daily report cannot be cut at the pack bought at 10:00 on 10 March: refused.
    let daily = UsageQuery::new(BillingZone::GMT8, Granularity::DAY);
    let mut agg = Aggregator::new(daily).unwrap();
    agg.extend(&segments).unwrap();
    let report = agg.report(MinutePolicy::Exact).unwrap();
    let mut meter = request("2023-03").start().unwrap().meter().unwrap();
    let err = meter.push_report(&report).unwrap_err().to_string();
    assert!(
        err.contains("field bucket_start") && err.contains("finer grid"),
        "{err}"
    );
}

/// The invoice and its request print as JSON and parse back equal; every public type of the
/// glue can be shared between threads.
#[test]
fn documents_round_trip_and_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<mediameter::Invoice>();
    send_sync::<mediameter::InvoiceRun>();
    send_sync::<mediameter::meter::Meter>();
    send_sync::<mediameter::meter::BillableUsage>();
    send_sync::<Mapping>();
    send_sync::<mediameter::Error>();

    let segments = parse_csv(sample::SEGMENTS).unwrap();
    let mapping: Mapping = serde_json::from_str(sample::MAPPING).unwrap();
    let req = request("2023-03").with_mapping(mapping);
    let printed = serde_json::to_string(&req).unwrap();
    assert_eq!(
        serde_json::from_str::<InvoiceRequest>(&printed).unwrap(),
        req
    );
    let bill = invoice(&segments, req).unwrap();
    let printed = serde_json::to_string(&bill).unwrap();
    assert_eq!(
        serde_json::from_str::<mediameter::Invoice>(&printed).unwrap(),
        bill
    );
}
