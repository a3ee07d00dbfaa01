//! Benchmarks of the `mediameter` glue: a month of segments to a statement.

// Counters and sums over generated inputs: plain arithmetic cannot overflow here.
#![allow(clippy::arithmetic_side_effects)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use mediameter::billing::Pack;
use mediameter::billing::Tariff;
use mediameter::core::{
    AppId, ChannelId, MediaSpec, Role, StreamSegment, TimeRange, UserId, VideoTier,
};
use mediameter::{InvoiceRequest, invoice};
use rust_decimal::Decimal;

const SEGMENTS: usize = 1_000_000;
/// March 2024 in GMT+8, Unix seconds.
const MARCH: (i64, i64) = (1_709_222_400, 1_711_900_800);

/// 1 M segments over March 2024 (GMT+8): 70 % subscribe, four specs, 30 s to an hour each,
/// 20,000 users in 500 channels. Deterministic.
fn segments() -> Vec<StreamSegment> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    };
    let specs = [
        MediaSpec::Audio,
        MediaSpec::Video(VideoTier::P360),
        MediaSpec::Video(VideoTier::P720),
        MediaSpec::Video(VideoTier::P1080),
    ];
    let apps: Vec<AppId> = (0..3)
        .map(|i| AppId::new(format!("app{i}")).unwrap())
        .collect();
    let channels: Vec<ChannelId> = (0..500)
        .map(|i| ChannelId::new(format!("room{i}")).unwrap())
        .collect();
    let users: Vec<UserId> = (0..20_000)
        .map(|i| UserId::new(format!("u{i}")).unwrap())
        .collect();
    (0..SEGMENTS)
        .map(|i| {
            let start = MARCH.0 + next((MARCH.1 - MARCH.0 - 7200) as u64) as i64;
            let len = 30 + next(3570) as i64;
            let role = if next(10) < 7 {
                Role::Subscribe
            } else {
                Role::Publish
            };
            StreamSegment::new(
                apps[i % 3].clone(),
                channels[i % 500].clone(),
                users[i % 20_000].clone(),
                role,
                specs[next(4) as usize],
                TimeRange::from_unix(start, start + len).unwrap(),
            )
        })
        .collect()
}

/// Two packs (one expiring mid-month, one with spec coefficients bought mid-month) and a
/// graduated tariff.
fn request() -> InvoiceRequest {
    let packs: Vec<Pack> = serde_json::from_str(
        r#"[{"id": "pk-march", "product": "rtc", "quantity": {"value": "500000", "unit": "minute"},
             "purchased_at": "2024-02-29T16:00:00Z", "expires_at": "2024-03-15T16:00:00Z"},
            {"id": "pk-year", "product": "rtc", "quantity": {"value": "2000000", "unit": "minute"},
             "purchased_at": "2024-03-10T02:00:00Z", "expires_at": "2025-03-10T02:00:00Z",
             "coefficients": [{"spec": "audio", "coefficient": "0.25"}, {"spec": "360p", "coefficient": "1"},
                              {"spec": "720p", "coefficient": "1"}, {"spec": "1080p", "coefficient": "2"}]}]"#,
    )
    .unwrap();
    let tariff: Tariff = serde_json::from_str(
        r#"{"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute", "pricing":
            {"model": "graduated", "tiers": [{"up_to": "100000", "unit_price": "0.028"},
            {"up_to": "1000000", "unit_price": "0.025"}, {"unit_price": "0.022"}]}}]}"#,
    )
    .unwrap();
    InvoiceRequest::new("2024-03".parse().unwrap(), tariff).with_packs(packs)
}

pub fn define(c: &mut Criterion) {
    let segs = segments();
    let subscribed: u64 = segs
        .iter()
        .filter(|s| s.role == Role::Subscribe)
        .map(|s| s.range.seconds())
        .sum();
    let req = request();
    let mut group = c.benchmark_group("invoice");
    group.throughput(Throughput::Elements(SEGMENTS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("1m-segments-2-packs-graduated", |b| {
        b.iter(|| {
            let bill = invoice(black_box(&segs), req.clone()).unwrap();
            assert_eq!(bill.metered_seconds, Decimal::from(subscribed));
            assert_eq!(bill.billed_seconds, bill.metered_seconds);
            assert_eq!(bill.statement.packs.len(), 2);
            assert!(bill.statement.total > Decimal::ZERO);
            bill.statement.total
        });
    });
    group.finish();
}
