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
//! * `bill_doc`: the whole input of `mediameter bill` ([`BillRequest`]); when it runs, every
//!   applied item's lines add up to its quantity exactly, each draw is usage × coefficient,
//!   the statement total is the sum of its lines, the printed state loads back equal, and
//!   feeding that state back with the same usage replays every item (none is deducted twice).
//! * `settle_doc`: the whole input of `mediameter settle` ([`SettleRequest`]); when it runs,
//!   each settlement has as many lines as counted beforehand, its lines sum to its totals,
//!   and the printed settlements parse back equal.
//! * `prorate_doc`: the whole input of `mediameter prorate`; when it computes, the printed
//!   proration parses back equal and the fee is the price difference × period, rounded.

use chrono::{DateTime, TimeDelta};
use mediameter_billing::EngineState;
use mediameter_billing::Settlement;
use mediameter_billing::Tariff;
use mediameter_billing::{BillRequest, SettleRequest};
use mediameter_billing::{LedgerSource, Pack, PackEngine, UsageItem};
use mediameter_billing::{Proration, ProrationRequest};
use mediameter_billing::{ResourceTimeline, SettlementOptions};
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
    let options = SettlementOptions::default().with_window(Some(window));
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
                coefficients: Vec<(MediaSpec, Decimal)>|
     -> Option<Pack> {
        let mut pack = Pack::new(
            id,
            ProductType::new(product).ok()?,
            Quantity::new(Decimal::from(minutes), Unit::Minute).ok()?,
            t(from),
            t(to),
        )
        .ok()?;
        for (spec, coefficient) in coefficients {
            pack = pack.with_coefficient(spec, coefficient).ok()?;
        }
        Some(pack)
    };
    let hd = vec![(MediaSpec::Audio, Decimal::new(25, 2))];
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

/// The whole input of `mediameter bill`.
pub fn bill_doc(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(request) = serde_json::from_str::<BillRequest>(s) else {
        return;
    };
    let Ok(outcome) = request.clone().run(true) else {
        return;
    };
    let ledger = outcome.ledger.as_deref().expect("the ledger was asked for");
    // Only the first item of each (partition, id) can have lines: a later one is a replay
    // (its content is not compared, by design).
    let mut seen = std::collections::HashSet::new();
    for item in &request.usage {
        if !seen.insert((item.partition(), item.id())) {
            continue;
        }
        let lines: Vec<_> = ledger
            .iter()
            .filter(|l| l.partition == item.partition() && l.item == item.id())
            .collect();
        if lines.is_empty() {
            continue; // replayed (an id already in the state, or given twice)
        }
        let base =
            item.quantity().value() * Decimal::from(item.quantity().unit().seconds().unwrap_or(1));
        let usage: Decimal = lines.iter().map(|l| l.usage).sum();
        assert_eq!(usage, base, "lines of item {} must add up to it", item.id());
        for l in &lines {
            if l.source.pack().is_some() {
                assert_eq!(
                    l.drawn,
                    l.usage * l.coefficient,
                    "a draw is usage × coefficient"
                );
            }
        }
    }
    let st = &outcome.statement;
    let lines: Decimal = st.lines.iter().map(|l| l.amount).sum();
    assert_eq!(lines, st.total, "the total is the sum of the rounded lines");
    for b in &outcome.balances {
        assert!(b.remaining >= Decimal::ZERO);
        assert!(b.drawn + b.remaining <= b.quantity);
    }
    // The printed state loads back equal, and continuing from it replays the same usage.
    let printed = serde_json::to_string(&outcome.state).expect("a state prints");
    let state: EngineState = serde_json::from_str(&printed).expect("a printed state parses");
    let engine = PackEngine::try_from(state.clone()).expect("a printed state loads");
    assert_eq!(EngineState::from(engine), outcome.state);
    let mut again = request;
    again.packs.clear();
    again.state = Some(state);
    let rerun = again
        .run(false)
        .expect("the same usage runs again from the printed state");
    assert_eq!(rerun.applied, 0, "an applied item was deducted twice");
    assert_eq!(rerun.balances, outcome.balances);
}

/// Most settlement lines `settle_doc` builds per input.
const MAX_FUZZ_LINES: u64 = 20_000;

/// The whole input of `mediameter settle`.
pub fn settle_doc(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(request) = serde_json::from_str::<SettleRequest>(s) else {
        return;
    };
    // Settling up to the 5,000,000-line cap is correct but slow under the sanitizers: the
    // check tests the document and the invariants, so it keeps to settlements a fuzzer can
    // run thousands of times a second (the cap itself is tested in crates/billing/tests).
    let mut counted: u64 = 0;
    for t in &request.resources {
        counted = counted.saturating_add(t.line_count(&request.options).unwrap_or(0));
    }
    if counted > MAX_FUZZ_LINES {
        return;
    }
    let Ok(settlements) = request.run() else {
        return;
    };
    for (t, st) in request.resources.iter().zip(&settlements) {
        let counted = t
            .line_count(&request.options)
            .expect("a settled timeline counts");
        assert_eq!(
            st.lines.len() as u64,
            counted,
            "lines as counted beforehand"
        );
        assert_eq!(st.summary.lines, counted);
        let total: Decimal = st.lines.iter().map(|l| l.amount).sum();
        assert_eq!(total, st.summary.total, "lines add up to the total");
        let seconds: u64 = st.lines.iter().map(|l| u64::from(l.seconds)).sum();
        assert_eq!(seconds, st.summary.seconds);
    }
    let printed = serde_json::to_string(&settlements).expect("settlements print");
    let back: Vec<Settlement> = serde_json::from_str(&printed).expect("printed settlements parse");
    assert_eq!(back, settlements);
}

/// The whole input of `mediameter prorate`.
pub fn prorate_doc(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(request) = serde_json::from_str::<ProrationRequest>(s) else {
        return;
    };
    let Ok(p) = request.compute() else { return };
    let printed = serde_json::to_string(&p).expect("a proration prints");
    let back: Proration = serde_json::from_str(&printed).expect("a printed proration parses");
    assert_eq!(back, p);
    if request.policy.period.is_some() {
        assert_eq!(
            p.fee_unrounded,
            p.price_difference
                .checked_mul(p.period)
                .expect("the fee was computed"),
            "fee = price difference × rounded period"
        );
    }
    let rounding = request.policy.money.unwrap_or_else(|| {
        p.fee
            .currency()
            .minor_rounding(mediameter_core::RoundingMode::HalfUp)
    });
    assert_eq!(
        p.fee,
        p.fee_unrounded.round(rounding),
        "the fee is rounded once"
    );
}
