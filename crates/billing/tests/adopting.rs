//! An adopting team's billing test suite, written only against the public API of
//! `mediameter-billing` as another crate sees it: every type comes from the crate root
//! (`mediameter_billing::{...}`), with no `mediameter-core`, `chrono` or `rust_decimal` line in
//! the team's `Cargo.toml`. The one extra dev-dependency is `rust_decimal_macros`, for `dec!`.
//!
//! The month: April 2023 (UTC), one account, two RTC minute packs and a graduated
//! pay-as-you-go tariff. Every figure below is computed by hand in the comments first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use mediameter_billing::{
    Currency, DateTime, ErrorKind, LedgerSource, MediaSpec, Pack, PackEngine, StatementOptions,
    Tariff, Tier, TimeRange, Unit, UsageItem, Utc, monthly_statement,
};
use rust_decimal_macros::dec;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn april() -> TimeRange {
    TimeRange::new(at("2023-04-01T00:00:00Z"), at("2023-05-01T00:00:00Z")).unwrap()
}

/// The price page: 1,000-minute pack valid two weeks, 3,000-minute pack valid the quarter.
fn packs() -> Vec<Pack> {
    let rtc = "rtc".parse().unwrap();
    vec![
        Pack::minutes(
            "pk-a",
            rtc,
            dec!(1000),
            at("2023-04-01T00:00:00Z"),
            at("2023-04-15T00:00:00Z"),
        )
        .unwrap(),
        Pack::minutes(
            "pk-b",
            "rtc".parse().unwrap(),
            dec!(3000),
            at("2023-04-01T00:00:00Z"),
            at("2023-07-01T00:00:00Z"),
        )
        .unwrap(),
    ]
}

/// Pay-as-you-go: up to 1,000 minutes a month at 0.028 CNY, beyond at 0.020 CNY.
fn tariff() -> Tariff {
    Tariff::graduated(
        Currency::CNY,
        "rtc".parse().unwrap(),
        Unit::Minute,
        [
            Tier::up_to(dec!(1000), dec!(0.028)),
            Tier::beyond(dec!(0.020)),
        ],
    )
    .unwrap()
}

/// The month's metered usage, in seconds, in delivery order.
fn usage() -> Vec<UsageItem> {
    let rtc = || "rtc".parse().unwrap();
    let p720 = "720p".parse().unwrap();
    let p1080 = "1080p".parse().unwrap();
    vec![
        UsageItem::seconds(1, at("2023-04-05T10:00:00Z"), rtc(), p720, 45_000).unwrap(),
        UsageItem::seconds(2, at("2023-04-10T10:00:00Z"), rtc(), p720, 30_000).unwrap(),
        UsageItem::seconds(3, at("2023-04-20T10:00:00Z"), rtc(), p1080, 150_000).unwrap(),
        UsageItem::seconds(4, at("2023-04-25T10:00:00Z"), rtc(), p720, 90_030).unwrap(),
        UsageItem::seconds(5, at("2023-04-28T10:00:00Z"), rtc(), MediaSpec::Audio, 59).unwrap(),
    ]
}

#[test]
fn a_month_with_two_packs_and_a_graduated_tariff() {
    let mut engine = PackEngine::with_packs(packs()).unwrap();
    let report = engine.deduct_batch(&usage()).unwrap();
    assert_eq!((report.applied, report.replayed), (5, 0));

    // Earliest expiry first:
    // 1. Apr 5, 45,000 s (750 min): pk-a → pk-a has 250 min (15,000 s) left.
    // 2. Apr 10, 30,000 s: pk-a gives its last 15,000 s, pk-b the other 15,000 s.
    // 3. Apr 20, 150,000 s: pk-a expired on Apr 15, so pk-b → 180,000 − 15,000 − 150,000 =
    //    15,000 s left.
    // 4. Apr 25, 90,030 s: pk-b gives 15,000 s, 75,030 s overflow (1,250.5 min).
    // 5. Apr 28, 59 s of audio: no balance anywhere, 59 s overflow.
    let overflow: Vec<_> = report
        .ledger
        .iter()
        .filter(|l| l.source == LedgerSource::Overflow)
        .map(|l| (l.item, l.usage))
        .collect();
    assert_eq!(overflow, [(4, dec!(75030)), (5, dec!(59))]);

    let statement = monthly_statement(
        &report.ledger,
        april(),
        &tariff(),
        &StatementOptions::default(),
    )
    .unwrap();

    // Packs: pk-a absorbed 45,000 + 15,000 = 60,000 s; pk-b 15,000 + 150,000 + 15,000 =
    // 180,000 s, both at coefficient 1 (no table), so drawn = usage.
    let packs: Vec<_> = statement
        .packs
        .iter()
        .map(|p| (p.pack.as_str(), p.usage, p.drawn, p.unit))
        .collect();
    assert_eq!(
        packs,
        [
            ("pk-a", dec!(60000), dec!(60000), Unit::Second),
            ("pk-b", dec!(180000), dec!(180000), Unit::Second)
        ]
    );

    // Charged lines, per product and spec, minutes rounded up once per line (the default
    // policy, ceil per period):
    // 720p: 75,030 s = 1,250.5 min → 1,251 min; 1,000 × 0.028 + 251 × 0.020 = 28 + 5.02
    //       = 33.02 CNY.
    // audio: 59 s → 1 min; 1 × 0.028 = 0.028 → 0.03 CNY (cents, half-up).
    let line = |spec: MediaSpec| {
        statement
            .lines
            .iter()
            .find(|l| l.spec == spec)
            .expect("a line for the spec")
    };
    let video = line("720p".parse().unwrap());
    assert_eq!((video.overflow, video.quantity), (dec!(75030), dec!(1251)));
    assert_eq!(video.tiers.len(), 2);
    assert_eq!(
        (video.amount_exact, video.amount),
        (dec!(33.020), dec!(33.02))
    );
    let audio = line(MediaSpec::Audio);
    assert_eq!((audio.overflow, audio.quantity), (dec!(59), dec!(1)));
    assert_eq!(
        (audio.amount_exact, audio.amount),
        (dec!(0.028), dec!(0.03))
    );
    assert_eq!(statement.lines.len(), 2);

    // Total: 33.02 + 0.03 = 33.05 CNY due (33.048 before rounding each line).
    assert_eq!(statement.currency, Currency::CNY);
    assert_eq!(
        (statement.total_exact, statement.total),
        (dec!(33.048), dec!(33.05))
    );
}

#[test]
fn redelivered_usage_is_not_billed_twice() {
    let mut engine = PackEngine::with_packs(packs()).unwrap();
    let first = engine.deduct_batch(&usage()).unwrap();
    // The pipeline delivers the whole month again (at-least-once delivery).
    let again = engine.deduct_batch(&usage()).unwrap();
    assert_eq!((again.applied, again.replayed), (0, 5));
    assert!(again.ledger.is_empty());
    // pk-b's 15,000 s left after item 3 went to item 4; nothing is left anywhere.
    assert!(!engine.has_balance(&"rtc".parse().unwrap(), at("2023-04-29T00:00:00Z")));
    assert_eq!(first.ledger.len(), 7); // 1 + 2 + 1 + 2 + 1 lines
}

#[test]
fn exact_minutes_bill_a_little_less() {
    let mut engine = PackEngine::with_packs(packs()).unwrap();
    let report = engine.deduct_batch(&usage()).unwrap();
    // Exact minutes instead of rounding up: 1,250.5 min of 720p and 59/60 min of audio.
    let exact = monthly_statement(
        &report.ledger,
        april(),
        &tariff(),
        &StatementOptions::default().with_minutes(mediameter_billing::MinutePolicy::Exact),
    )
    .unwrap();
    // 720p: 1,000 × 0.028 + 250.5 × 0.020 = 28 + 5.01 = 33.01.
    // audio: 59/60 × 0.028 = 0.02753… → 0.03.
    assert_eq!(exact.total, dec!(33.04));
}

#[test]
fn mistakes_are_reported_with_their_kind() {
    let rtc = "rtc".parse().unwrap();
    // A pack that expires before it is bought is billing's own kind of error.
    let err = Pack::minutes(
        "pk-x",
        rtc,
        dec!(10),
        at("2023-04-02T00:00:00Z"),
        at("2023-04-01T00:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    // A negative quantity is refused by core, and arrives unchanged inside billing's error.
    let err = UsageItem::minutes(
        1,
        at("2023-04-02T00:00:00Z"),
        "rtc".parse().unwrap(),
        MediaSpec::Audio,
        dec!(-1),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Core);
    assert!(err.as_core().is_some(), "{err}");
    // Two packs with one id.
    let mut engine = PackEngine::with_packs(packs()).unwrap();
    let err = engine.add_pack(packs().remove(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DuplicatePack);
}
