//! Fuzz targets of mediameter-billing: one per parser of outside input. Plain functions; the
//! libFuzzer binaries and the stable replay test call them.
//!
//! * `tariff_json`: a tariff as JSON; what parses prints and parses back to itself, and a
//!   tariff that validates prices any quantity without panicking (tiers cover it exactly).
//! * `timeline_json`: a resource timeline as JSON (validated while parsing); it round-trips,
//!   and its settlement over at most a day bills exactly the seconds of its lifetime there.
//! * `usage_batch_json`: a batch of usage items as JSON, deducted against fixed packs; each
//!   item's ledger lines add up to its quantity, no balance goes negative, and replaying the
//!   batch changes nothing.
//! * `engine_state_json`: a serialized engine state; what loads prints and loads back equal.
//! * `proration_json`: a proration request; it round-trips and, when it computes, the fee is
//!   the rounded product of the price difference and the period.

use chrono::{DateTime, TimeDelta};
use mediameter_billing::ProrationRequest;
use mediameter_billing::packs::{Coefficient, LedgerSource, Pack, PackEngine, UsageItem};
use mediameter_billing::settlement::{ResourceTimeline, SettlementOptions};
use mediameter_billing::tariff::Tariff;
use mediameter_core::{MediaSpec, ProductType, Quantity, TimeRange, Unit};
use rust_decimal::Decimal;

/// Inputs larger than this are skipped: the targets test parsers, not memory limits.
const MAX_INPUT: usize = 64 * 1024;

fn text(data: &[u8]) -> Option<&str> {
    if data.len() > MAX_INPUT {
        return None;
    }
    std::str::from_utf8(data).ok()
}

/// A tariff as JSON.
pub fn tariff_json(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(tariff) = serde_json::from_str::<Tariff>(s) else {
        return;
    };
    let printed = serde_json::to_string(&tariff).expect("a parsed tariff prints");
    let back: Tariff = serde_json::from_str(&printed).expect("a printed tariff parses");
    assert_eq!(back, tariff);
    // A parsed tariff is valid: deserializing goes through `Tariff::new`.
    for entry in tariff.entries() {
        for q in [
            Decimal::ZERO,
            Decimal::ONE,
            Decimal::from(999),
            Decimal::from(1_000_001),
        ] {
            let spec = entry.spec.unwrap_or(MediaSpec::Audio);
            if let Ok(quote) = tariff.price(&entry.product, spec, q) {
                let covered: Decimal = quote.tiers.iter().map(|t| t.quantity).sum();
                assert_eq!(covered, q, "tiers must cover the quantity exactly");
            }
        }
    }
}

/// A resource timeline as JSON.
pub fn timeline_json(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(timeline) = serde_json::from_str::<ResourceTimeline>(s) else {
        return;
    };
    let printed = serde_json::to_string(&timeline).expect("a parsed timeline prints");
    let back: ResourceTimeline = serde_json::from_str(&printed).expect("a printed timeline parses");
    assert_eq!(back, timeline);
    let start = timeline.created_at();
    let Some(day_end) = start.checked_add_signed(TimeDelta::days(1)) else {
        return;
    };
    let Ok(window) = TimeRange::new(
        start,
        day_end.min(
            DateTime::from_timestamp(mediameter_core::time::END_UNIX_SECONDS, 0).unwrap_or(day_end),
        ),
    ) else {
        return;
    };
    let options = SettlementOptions {
        window: Some(window),
        ..SettlementOptions::default()
    };
    let Ok(settlement) = timeline.settle(&options) else {
        return;
    };
    let end = timeline
        .deleted_at()
        .map_or(window.end(), |d| d.min(window.end()));
    let lifetime = u64::try_from((end - start).num_seconds()).unwrap_or(0);
    assert_eq!(settlement.summary.seconds, lifetime);
    let sum: Decimal = settlement.lines.iter().map(|l| l.amount).sum();
    assert_eq!(sum, settlement.summary.total);
}

fn fixed_packs() -> PackEngine {
    let t = |s| DateTime::from_timestamp(s, 0).unwrap_or_default();
    let pack = |id: &str,
                product: &str,
                minutes: i64,
                from: i64,
                to: i64,
                coefficients: Vec<Coefficient>|
     -> Option<Pack> {
        let mut pack = Pack::new(
            id,
            ProductType::new(product).ok()?,
            Quantity::new(Decimal::from(minutes), Unit::Minute).ok()?,
            t(from),
            t(to),
        )
        .ok()?;
        for c in coefficients {
            pack = pack.with_coefficient(c.spec, c.coefficient).ok()?;
        }
        Some(pack)
    };
    let hd = vec![Coefficient {
        spec: MediaSpec::Audio,
        coefficient: Decimal::new(25, 2),
    }];
    let packs = [
        pack("a", "rtc", 100, 1_680_000_000, 1_690_000_000, vec![]),
        pack("b", "rtc", 1000, 1_670_000_000, 1_700_000_000, hd),
        pack("c", "live", 50, 1_680_000_000, 1_685_000_000, vec![]),
    ];
    PackEngine::with_packs(packs.into_iter().flatten().collect()).unwrap_or_default()
}

/// A batch of usage items as JSON, deducted against fixed packs.
pub fn usage_batch_json(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(items) = serde_json::from_str::<Vec<UsageItem>>(s) else {
        return;
    };
    let mut engine = fixed_packs();
    let Ok(report) = engine.deduct_batch(&items) else {
        return;
    };
    for b in engine.balances() {
        assert!(b.remaining >= Decimal::ZERO && b.drawn + b.remaining == b.quantity);
    }
    for line in &report.ledger {
        assert!(line.usage > Decimal::ZERO);
        if matches!(line.source, LedgerSource::Pack(_)) {
            assert_eq!(line.drawn, line.usage * line.coefficient);
        }
    }
    let snapshot = engine.clone();
    let replay = engine
        .deduct_batch(&items)
        .expect("a replay of an applied batch succeeds");
    assert_eq!(replay.applied, 0);
    assert!(replay.ledger.is_empty());
    assert_eq!(engine, snapshot);
}

/// A serialized engine state.
pub fn engine_state_json(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(engine) = serde_json::from_str::<PackEngine>(s) else {
        return;
    };
    let printed = serde_json::to_string(&engine).expect("an engine prints");
    let back: PackEngine = serde_json::from_str(&printed).expect("a printed engine loads");
    assert_eq!(back, engine);
}

/// A proration request.
pub fn proration_json(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(request) = serde_json::from_str::<ProrationRequest>(s) else {
        return;
    };
    let printed = serde_json::to_string(&request).expect("a request prints");
    let back: ProrationRequest = serde_json::from_str(&printed).expect("a printed request parses");
    assert_eq!(back, request);
    if let Ok(p) = request.compute() {
        assert!(!p.fee.is_negative());
        let rounding = request.policy.money.unwrap_or_else(|| {
            p.fee
                .currency()
                .minor_rounding(mediameter_core::RoundingMode::HalfUp)
        });
        assert_eq!(p.fee, p.fee_unrounded.round(rounding));
    }
}
