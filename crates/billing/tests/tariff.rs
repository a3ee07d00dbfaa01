//! Pay-as-you-go tariffs and the monthly statement: Alibaba Cloud RTC pricing ("后付费", "预付费资源包").

use chrono::{DateTime, TimeZone, Utc};
use mediameter_billing::ErrorKind;
use mediameter_billing::{Pack, PackEngine, UsageItem};
use mediameter_billing::{StatementOptions, Tariff, TariffEntry, Tier, monthly_statement};
use mediameter_core::{
    Currency, MediaSpec, MinutePolicy, ProductType, Quantity, TimeRange, Unit, VideoTier,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 4, d, 0, 0, 0).unwrap()
}

fn month() -> TimeRange {
    TimeRange::new(day(1), Utc.with_ymd_and_hms(2023, 5, 1, 0, 0, 0).unwrap()).unwrap()
}

fn tariff() -> Tariff {
    serde_json::from_str(
        r#"{"currency": "CNY", "entries": [
        {"product": "rtc", "spec": "audio", "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.007"}},
        {"product": "rtc", "unit": "minute", "pricing": {"model": "graduated", "tiers": [
            {"up_to": "1000", "unit_price": "0.028"}, {"up_to": "5000", "unit_price": "0.024"}, {"unit_price": "0.020"}]}}]}"#,
    )
    .unwrap()
}

fn item(id: u64, spec: MediaSpec, seconds: i64) -> UsageItem {
    item_at(id, day(2), "rtc", spec, seconds)
}

fn item_at(
    id: u64,
    at: chrono::DateTime<Utc>,
    product: &str,
    spec: MediaSpec,
    seconds: i64,
) -> UsageItem {
    UsageItem::new(
        id,
        at,
        ProductType::new(product).unwrap(),
        spec,
        Quantity::new(Decimal::from(seconds), Unit::Second).unwrap(),
    )
    .unwrap()
}

fn rtc_pack(minutes: Decimal) -> Pack {
    Pack::new(
        "pk",
        ProductType::new("rtc").unwrap(),
        Quantity::new(minutes, Unit::Minute).unwrap(),
        day(1),
        day(20),
    )
    .unwrap()
}

#[test]
fn statement_with_packs_overflow_and_tiers() {
    let pack = rtc_pack(dec!(1000));
    let mut e = PackEngine::with_packs(vec![pack]).unwrap();
    let hd = MediaSpec::Video(VideoTier::P720);
    // 3000 min of 720p (1000 from the pack), then 90 s of audio.
    let r = e
        .deduct_batch(&[item(0, hd, 180_000), item(1, MediaSpec::Audio, 90)])
        .unwrap();
    let s = monthly_statement(&r.ledger, month(), &tariff(), &StatementOptions::default()).unwrap();
    assert_eq!(s.packs.len(), 1);
    assert_eq!(s.packs[0].usage, dec!(60000));
    let lines: Vec<_> = s
        .lines
        .iter()
        .map(|l| (l.spec, l.quantity, l.amount_exact, l.amount))
        .collect();
    // Audio: 90 s → 2 min (rounded up once per line) × 0.007 = 0.014 → 0.01.
    // 720p: 2000 min: 1000 × 0.028 + 1000 × 0.024 = 52.
    assert_eq!(
        lines,
        [
            (MediaSpec::Audio, dec!(2), dec!(0.014), dec!(0.01)),
            (hd, dec!(2000), dec!(52.000), dec!(52.00))
        ]
    );
    assert_eq!(s.lines[1].tiers.len(), 2);
    assert_eq!(s.total, s.lines.iter().map(|l| l.amount).sum::<Decimal>());
    assert_eq!(s.total, dec!(52.01));
    assert_eq!(s.total_exact, dec!(52.014));
    // Exact minutes instead: 1.5 min × 0.007 = 0.0105 → 0.01.
    let exact = monthly_statement(
        &r.ledger,
        month(),
        &tariff(),
        &StatementOptions::default().with_minutes(MinutePolicy::Exact),
    )
    .unwrap();
    assert_eq!(exact.lines[0].quantity, dec!(1.5));
}

#[test]
fn usage_outside_the_period_is_left_out() {
    let mut e = PackEngine::new();
    let late = item_at(
        0,
        Utc.with_ymd_and_hms(2023, 5, 1, 0, 0, 0).unwrap(),
        "rtc",
        MediaSpec::Audio,
        600,
    );
    let r = e.deduct_batch(&[late]).unwrap();
    assert!(
        monthly_statement(&r.ledger, month(), &tariff(), &StatementOptions::default())
            .unwrap()
            .lines
            .is_empty()
    );
}

#[test]
fn missing_entries_and_bad_tariffs_are_errors() {
    let mut e = PackEngine::new();
    let other = item_at(0, day(2), "live", MediaSpec::Audio, 60);
    let r = e.deduct_batch(&[other]).unwrap();
    let err =
        monthly_statement(&r.ledger, month(), &tariff(), &StatementOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("live"), "{err}");
    assert!(serde_json::from_str::<Tariff>(r#"{"currency": "XXX", "entries": []}"#).is_err());
    let descending = TariffEntry::graduated(
        ProductType::new("rtc").unwrap(),
        Unit::Minute,
        [
            Tier::up_to(dec!(10), dec!(1)),
            Tier::up_to(dec!(5), dec!(1)),
            Tier::beyond(dec!(1)),
        ],
    );
    let err = Tariff::new(Currency::CNY, vec![descending]).unwrap_err();
    assert!(err.to_string().starts_with("entries[0]: "), "{err}");
    // Deserializing validates too, and refuses unknown fields.
    let bad = r#"{"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
        "pricing": {"model": "graduated", "tiers": [{"up_to": "10", "unit_price": "1"}, {"up_to": "5", "unit_price": "1"}, {"unit_price": "1"}]}}]}"#;
    assert!(serde_json::from_str::<Tariff>(bad).is_err());
    assert!(
        serde_json::from_str::<Tariff>(r#"{"currency": "CNY", "entries": [], "entry": []}"#)
            .is_err()
    );
}

proptest! {
    #[test]
    fn graduated_is_additive_and_totals_reconcile(a in 0_i64..20_000, b in 0_i64..20_000) {
        let t = tariff();
        let rtc = ProductType::new("rtc").unwrap();
        let hd = MediaSpec::Video(VideoTier::P1080);
        let whole = t.price(&rtc, hd, Decimal::from(a + b)).unwrap();
        // The tiers cover the quantity exactly and each tier's amount is quantity × price.
        prop_assert_eq!(whole.tiers.iter().map(|c| c.quantity).sum::<Decimal>(), Decimal::from(a + b));
        for c in &whole.tiers {
            prop_assert_eq!(c.amount, c.quantity * c.unit_price);
        }
        // Graduated pricing is monotone.
        let part = t.price(&rtc, hd, Decimal::from(a)).unwrap();
        prop_assert!(part.amount <= whole.amount);
    }
}

proptest! {
    #[test]
    fn statement_lines_round_once_and_sum_to_the_total(items in proptest::collection::vec((0_usize..4, 1_i64..500_000), 0..30), pack_minutes in 0_i64..3000) {
        let specs = [MediaSpec::Audio, MediaSpec::Video(VideoTier::P360), MediaSpec::Video(VideoTier::P720), MediaSpec::Video(VideoTier::P1080)];
        let mut engine = PackEngine::new();
        if pack_minutes > 0 {
            engine.add_pack(rtc_pack(Decimal::from(pack_minutes))).unwrap();
        }
        let batch: Vec<_> = items.iter().enumerate().map(|(i, &(s, secs))| item(i as u64, specs[s], secs)).collect();
        let report = engine.deduct_batch(&batch).unwrap();
        let s = monthly_statement(&report.ledger, month(), &tariff(), &StatementOptions::default()).unwrap();
        prop_assert_eq!(s.lines.iter().map(|l| l.amount).sum::<Decimal>(), s.total);
        prop_assert_eq!(s.lines.iter().map(|l| l.amount_exact).sum::<Decimal>(), s.total_exact);
        for l in &s.lines {
            prop_assert_eq!(l.amount, s.rounding.apply(l.amount_exact));
            // Whole minutes billed: the overflow seconds rounded up once.
            prop_assert_eq!(l.quantity, (l.overflow / Decimal::from(60)).ceil());
        }
        // Pack usage + overflow = all usage.
        let used: Decimal = batch.iter().map(|i| i.quantity().value()).sum();
        let absorbed: Decimal = s.packs.iter().map(|p| p.usage).sum();
        let over: Decimal = s.lines.iter().map(|l| l.overflow).sum();
        prop_assert_eq!(absorbed + over, used);
    }
}

#[test]
fn statement_errors_name_the_line_the_item_and_the_entry() {
    let rtc = ProductType::new("rtc").unwrap();
    let at = day(2);
    // Count usage against a per-minute entry: the item, its statement line and the entry.
    let mut e = PackEngine::new();
    let count = Quantity::new(dec!(3), Unit::Count).unwrap();
    let counted = UsageItem::new(7, at, rtc.clone(), MediaSpec::Audio, count)
        .unwrap()
        .in_partition(2);
    let r = e.deduct_batch(&[counted]).unwrap();
    let minute = TariffEntry::flat(rtc.clone(), Unit::Minute, dec!(0.028));
    let per_minute = Tariff::new(Currency::CNY, vec![minute]).unwrap();
    let err = monthly_statement(
        &r.ledger,
        month(),
        &per_minute,
        &StatementOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "statement line (product rtc, spec audio): usage item (partition 2, id 7), field quantity: \
         tariff entries[0] (product rtc, any spec), field unit: \
         unit mismatch in statement pricing: count cannot be used as minute"
    );

    // A price out of Decimal's range: the line and the entry that priced it.
    let mut e = PackEngine::new();
    let r = e
        .deduct_batch(&[item(0, MediaSpec::Video(VideoTier::P720), 600)])
        .unwrap();
    let cheap = TariffEntry::flat(rtc.clone(), Unit::Minute, dec!(0.007));
    let huge = TariffEntry::flat(rtc.clone(), Unit::Minute, Decimal::MAX)
        .for_spec(MediaSpec::Video(VideoTier::P720));
    let dear = Tariff::new(Currency::CNY, vec![cheap, huge]).unwrap();
    let err =
        monthly_statement(&r.ledger, month(), &dear, &StatementOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Overflow);
    assert_eq!(
        err.to_string(),
        "statement line (product rtc, spec 720p): \
         tariff entries[1] (product rtc, spec 720p), field pricing: \
         arithmetic overflow in tariff price"
    );

    // No entry at all: the item and its line, and the tariff's entries.
    let mut e = PackEngine::new();
    let r = e
        .deduct_batch(&[item_at(4, at, "live", MediaSpec::Audio, 60)])
        .unwrap();
    let err =
        monthly_statement(&r.ledger, month(), &tariff(), &StatementOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(
        err.to_string(),
        "statement line (product live, spec audio): usage item (partition 0, id 4), field product: \
         tariff, field entries: invalid tariff \"live audio\": \
         expected an entry for every product and spec that overflows"
    );
}
