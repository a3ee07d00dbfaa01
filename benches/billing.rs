//! Benchmarks of mediameter-billing: pack deduction, hourly settlement and proration.

// Counters and sums over fixed, small inputs: plain arithmetic cannot overflow here.
#![allow(clippy::arithmetic_side_effects)]

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput};
use mediameter_billing::{
    Configuration, PricedItem, ResourceEvent, ResourceTimeline, SettlementOptions,
};
use mediameter_billing::{Deduction, Pack, PackEngine, UsageItem};
use mediameter_billing::{ProrationPolicy, prorate};
use mediameter_core::{
    BillingZone, Currency, MediaSpec, Money, ProductType, Quantity, SubscriptionTerm, TimeRange,
    Unit,
};
use rust_decimal::Decimal;

const ITEMS: u64 = 1_000_000;
const PACKS: u32 = 1_000;
const RESOURCES: u32 = 10_000;

fn month_start() -> DateTime<Utc> {
    // 2023-04-01 00:00 GMT+8.
    Utc.with_ymd_and_hms(2023, 3, 31, 16, 0, 0)
        .single()
        .unwrap_or_default()
}

fn stacked_packs() -> PackEngine {
    let rtc = ProductType::new("rtc").ok();
    let packs = (0..PACKS)
        .filter_map(|i| {
            // 5,000 minutes each; expiries spread over a year so the order matters.
            Pack::new(
                format!("pk-{i:04}"),
                rtc.clone()?,
                Quantity::new(Decimal::from(5_000), Unit::Minute).ok()?,
                month_start() - TimeDelta::days(1),
                month_start() + TimeDelta::days(30 + i64::from(i % 365)),
            )
            .ok()
        })
        .collect();
    PackEngine::with_packs(packs).unwrap_or_default()
}

fn usage_items() -> Vec<UsageItem> {
    let Ok(rtc) = ProductType::new("rtc") else {
        return Vec::new();
    };
    (0..ITEMS)
        .filter_map(|i| {
            UsageItem::new(
                i,
                month_start() + TimeDelta::seconds(i64::try_from(i).ok()? * 2),
                rtc.clone(),
                MediaSpec::ALL.get(usize::try_from(i % 6).ok()?).copied()?,
                // 1 to 7 minutes: 4 M minutes in all, more than the packs' 5 M minus what expires.
                Quantity::new(Decimal::from(1 + i % 7), Unit::Minute).ok()?,
            )
            .ok()
        })
        .collect()
}

fn deduct(c: &mut Criterion) {
    let engine = stacked_packs();
    let items = usage_items();
    assert_eq!(items.len(), 1_000_000);
    let mut group = c.benchmark_group("billing/deduct");
    group.throughput(Throughput::Elements(ITEMS));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("1m-items-1k-packs", |b| {
        b.iter_batched(
            || engine.clone(),
            |mut e| {
                let mut ledger = Vec::with_capacity(8192);
                let mut overflow = Decimal::ZERO;
                let mut applied = 0_u64;
                for item in black_box(&items) {
                    if let Ok(Deduction::Applied { overflow: o, .. }) = e.deduct(item, &mut ledger)
                    {
                        applied += 1;
                        overflow += o;
                    }
                    if ledger.len() >= 8000 {
                        ledger.clear();
                    }
                }
                assert_eq!(applied, ITEMS);
                // 4,000,000 minutes of usage against 5,000,000 minutes of packs: nothing overflows.
                assert!(overflow.is_zero());
                e
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn timelines() -> Vec<ResourceTimeline> {
    (0..RESOURCES)
        .filter_map(|i| {
            let cny = |a: i64| Money::new(Decimal::new(a, 2), Currency::CNY);
            let small = Configuration::new(vec![
                PricedItem::new("mcu", Decimal::from(3), cny(120)).ok()?,
            ])
            .ok()?;
            let big = Configuration::new(vec![
                PricedItem::new("mcu", Decimal::from(4), cny(120)).ok()?,
            ])
            .ok()?;
            // Created at a second inside the first hour, upgraded mid-month at an odd second.
            let created = month_start() + TimeDelta::seconds(i64::from(i % 3600));
            let upgraded = month_start() + TimeDelta::seconds(15 * 86_400 + i64::from(i) * 7);
            ResourceTimeline::new(
                format!("res-{i}"),
                vec![
                    ResourceEvent::created(created, small),
                    ResourceEvent::changed(upgraded, big),
                ],
            )
            .ok()
        })
        .collect()
}

fn settle(c: &mut Criterion) {
    let all = timelines();
    assert_eq!(all.len(), 10_000);
    let window = TimeRange::new(month_start(), month_start() + TimeDelta::days(30)).ok();
    let options = SettlementOptions::default().with_window(window);
    let want_seconds: u64 = all
        .iter()
        .map(|t| {
            u64::try_from((month_start() + TimeDelta::days(30) - t.created_at()).num_seconds())
                .unwrap_or(0)
        })
        .sum();
    let mut group = c.benchmark_group("billing/settle");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("10k-resources-30d", |b| {
        b.iter(|| {
            let mut lines = 0_u64;
            let mut seconds = 0_u64;
            let mut total = Decimal::ZERO;
            for t in black_box(&all) {
                if let Ok(s) = t.settle_with(&options, |l| {
                    lines += 1;
                    seconds += u64::from(l.seconds);
                }) {
                    total += s.total;
                }
            }
            assert_eq!(seconds, want_seconds);
            assert!(lines > 7_200_000);
            assert!(total > Decimal::ZERO);
            lines
        });
    });
    group.finish();
}

fn proration(c: &mut Criterion) {
    let bought = Utc
        .with_ymd_and_hms(2023, 3, 18, 7, 30, 0)
        .single()
        .unwrap_or_default();
    let Ok(term) = SubscriptionTerm::monthly(bought, 3, BillingZone::GMT8) else {
        return;
    };
    let changes: Vec<DateTime<Utc>> = (0..1000)
        .map(|i| bought + TimeDelta::minutes(i * 127))
        .collect();
    let old = Money::new(Decimal::from(25_950), Currency::CNY);
    let new = Money::new(Decimal::from(52_168), Currency::CNY);
    let policy = ProrationPolicy::default();
    let mut group = c.benchmark_group("billing/prorate");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1k-changes", |b| {
        b.iter(|| {
            let mut sum = Decimal::ZERO;
            for &at in black_box(&changes) {
                if let Ok(p) = prorate(&term, at, old, new, &policy) {
                    sum += p.fee.amount();
                }
            }
            assert!(sum > Decimal::ZERO);
            sum
        });
    });
    group.finish();
}

/// Registers the benchmarks of this crate.
pub fn define(c: &mut Criterion) {
    deduct(c);
    settle(c);
    proration(c);
}
