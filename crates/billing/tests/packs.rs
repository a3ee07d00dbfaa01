//! Prepaid resource packs: seed 003 (Alibaba Cloud RTC pricing, "预付费资源包", "使用说明",
//! "售后说明"), DOMAIN 1.1 and 1.2.

use chrono::{DateTime, TimeZone, Utc};
use mediameter_billing::ErrorKind;
use mediameter_billing::app::{AppAction, AppContext, AppStatus, Refusal, transition};
#[cfg_attr(not(feature = "serde"), allow(unused_imports))] // EngineState: JSON tests only
use mediameter_billing::packs::{
    Coefficient, EngineState, LedgerLine, LedgerSource, Pack, PackEngine, PackId, RefundDecision,
    RefundRefusal, UsageItem,
};
use mediameter_core::{MediaSpec, ProductType, Quantity, Unit, VideoTier};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 4, 1, 0, 0, 0).unwrap() + chrono::TimeDelta::days(i64::from(d) - 1)
}

fn rtc() -> ProductType {
    ProductType::new("rtc").unwrap()
}

fn pack(id: &str, minutes: Decimal, bought: u32, expires: u32) -> Pack {
    Pack {
        id: PackId::new(id).unwrap(),
        product: rtc(),
        quantity: Quantity::new(minutes, Unit::Minute).unwrap(),
        purchased_at: day(bought),
        expires_at: day(expires),
        coefficients: vec![],
    }
}

fn item(id: u64, at: DateTime<Utc>, minutes: Decimal) -> UsageItem {
    UsageItem {
        partition: 0,
        id,
        at,
        product: rtc(),
        spec: MediaSpec::Audio,
        quantity: Quantity::new(minutes, Unit::Minute).unwrap(),
    }
}

fn draws(ledger: &[LedgerLine]) -> Vec<(String, Decimal)> {
    ledger
        .iter()
        .map(|l| {
            (
                l.source
                    .pack()
                    .map_or_else(|| "overflow".to_owned(), |p| p.to_string()),
                l.usage,
            )
        })
        .collect()
}

#[test]
fn earliest_expiry_first_then_overflow() {
    // Seed 003: "多个资源包按到期时间先后进行抵扣"; "资源包到期或超出使用额度，付费服务自动按量付费".
    let mut e = PackEngine::with_packs(vec![
        pack("late", dec!(100), 1, 60),
        pack("early", dec!(10), 1, 20),
    ])
    .unwrap();
    let r = e.deduct_batch(&[item(0, day(2), dec!(120))]).unwrap();
    assert_eq!(
        draws(&r.ledger),
        [
            ("early".into(), dec!(600)),
            ("late".into(), dec!(6000)),
            ("overflow".into(), dec!(600))
        ]
    );
    // Each pack's balance is its own.
    let b = e.balances();
    assert_eq!((b[0].remaining, b[1].remaining), (dec!(0), dec!(0)));
}

#[test]
fn ties_break_by_purchase_then_id_whatever_the_insertion_order() {
    let packs = [
        pack("b", dec!(1), 2, 30),
        pack("a", dec!(1), 2, 30),
        pack("c", dec!(1), 1, 30),
    ];
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let mut e =
            PackEngine::with_packs(order.iter().map(|&i| packs[i].clone()).collect()).unwrap();
        let r = e.deduct_batch(&[item(0, day(3), dec!(3))]).unwrap();
        let ids: Vec<_> = draws(&r.ledger).into_iter().map(|(p, _)| p).collect();
        assert_eq!(ids, ["c", "a", "b"]);
    }
}

#[test]
fn validity_and_scope() {
    let mut live = pack("live", dec!(100), 1, 30);
    live.product = ProductType::new("live").unwrap();
    // Bought on day 5, expired on day 10: usage on day 3 and day 10 cannot use it.
    let mut e = PackEngine::with_packs(vec![pack("window", dec!(100), 5, 10), live]).unwrap();
    let r = e
        .deduct_batch(&[
            item(0, day(3), dec!(1)),
            item(1, day(10), dec!(1)),
            item(2, day(7), dec!(1)),
        ])
        .unwrap();
    assert_eq!(
        draws(&r.ledger),
        [
            ("overflow".into(), dec!(60)),
            ("overflow".into(), dec!(60)),
            ("window".into(), dec!(60))
        ]
    );
}

#[test]
fn coefficients_per_spec() {
    let mut p = pack("hd", dec!(100), 1, 30);
    p.coefficients = vec![
        Coefficient {
            spec: MediaSpec::Audio,
            coefficient: dec!(0.25),
        },
        Coefficient {
            spec: MediaSpec::Video(VideoTier::P1080),
            coefficient: dec!(4),
        },
    ];
    let mut e = PackEngine::with_packs(vec![p]).unwrap();
    let mut hd = item(0, day(2), dec!(10));
    hd.spec = MediaSpec::Video(VideoTier::P1080);
    let mut sd = item(1, day(2), dec!(10));
    sd.spec = MediaSpec::Video(VideoTier::P720); // not in the table: not drawn
    let r = e
        .deduct_batch(&[hd, sd, item(2, day(2), dec!(40))])
        .unwrap();
    let lines: Vec<_> = r
        .ledger
        .iter()
        .map(|l| (l.source.clone(), l.usage, l.coefficient, l.drawn))
        .collect();
    let p = LedgerSource::Pack(PackId::new("hd").unwrap());
    assert_eq!(
        lines,
        [
            (p.clone(), dec!(600), dec!(4), dec!(2400)),
            (LedgerSource::Overflow, dec!(600), dec!(1), dec!(0)),
            (p, dec!(2400), dec!(0.25), dec!(600)),
        ]
    );
    // Partial draw with a coefficient that does not divide: exact, never over the balance.
    let mut thirds = pack("t", dec!(1), 1, 30);
    thirds.coefficients = vec![Coefficient {
        spec: MediaSpec::Audio,
        coefficient: dec!(3),
    }];
    let mut e = PackEngine::with_packs(vec![thirds]).unwrap();
    let r = e.deduct_batch(&[item(0, day(2), dec!(1))]).unwrap();
    let l = &r.ledger[0];
    assert_eq!(l.usage, dec!(20)); // 60 s of pack ÷ 3
    assert_eq!(l.drawn, dec!(60));
    assert_eq!(r.ledger[1].usage, dec!(40));
}

#[test]
fn refunds_follow_the_seven_day_rule() {
    // Seed 003 售后说明: refundable if bought no more than 7 days ago and not consumed.
    let mut e = PackEngine::with_packs(vec![
        pack("fresh", dec!(10), 1, 60),
        pack("used", dec!(10), 1, 30),
        pack("short", dec!(10), 1, 3),
    ])
    .unwrap();
    e.deduct_batch(&[item(0, day(2), dec!(1))]).unwrap(); // draws from "short"
    let id = |s| PackId::new(s).unwrap();
    assert!(e.refund_check(&id("fresh"), day(8)).unwrap().is_allowed()); // exactly 7 days
    assert!(matches!(
        e.refund_check(&id("fresh"), day(8) + chrono::TimeDelta::seconds(1))
            .unwrap(),
        RefundDecision::Refused(RefundRefusal::TooLate { .. })
    ));
    assert!(matches!(
        e.refund_check(&id("short"), day(2)).unwrap(),
        RefundDecision::Refused(RefundRefusal::Consumed { .. })
    ));
    let mut e2 = PackEngine::with_packs(vec![pack("short", dec!(10), 1, 3)]).unwrap();
    assert!(matches!(
        e2.refund_check(&id("short"), day(4)).unwrap(),
        RefundDecision::Refused(RefundRefusal::Expired { .. })
    ));
    assert_eq!(
        e.refund_check(&id("ghost"), day(2)).unwrap_err().kind(),
        ErrorKind::UnknownPack
    );
    assert_eq!(
        e.refund_check(&id("fresh"), day(1) - chrono::TimeDelta::seconds(1))
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
    // A refunded pack is never drawn.
    assert!(e2.refund(&id("short"), day(2)).unwrap().is_allowed());
    let r = e2.deduct_batch(&[item(0, day(2), dec!(1))]).unwrap();
    assert_eq!(r.ledger[0].source, LedgerSource::Overflow);
    let _ = e.refund(&id("used"), day(2)).unwrap();
}

#[cfg(feature = "serde")]
#[test]
fn bad_input_changes_nothing() {
    let mut e = PackEngine::with_packs(vec![pack("p", dec!(10), 1, 30)]).unwrap();
    let before = e.clone();
    // Zero quantity anywhere in a batch rejects the whole batch.
    let err = e
        .deduct_batch(&[item(0, day(2), dec!(5)), item(1, day(2), dec!(0))])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("item 1"), "{err}");
    assert_eq!(e, before);
    // A count item against a time pack of the same product: a unit mismatch, nothing drawn.
    let mut count = item(2, day(2), dec!(1));
    count.quantity = Quantity::new(dec!(3), Unit::Count).unwrap();
    assert_eq!(
        e.deduct_batch(&[count]).unwrap_err().kind(),
        ErrorKind::UnitMismatch
    );
    assert_eq!(e, before);
    // Negative quantities and unknown currencies do not even parse.
    let json = r#"{"id": 1, "at": "2023-04-02T00:00:00Z", "product": "rtc", "spec": "audio", "quantity": {"value": "-1", "unit": "minute"}}"#;
    assert!(serde_json::from_str::<UsageItem>(json).is_err());
    // Duplicate pack ids and empty validity.
    assert_eq!(
        PackEngine::with_packs(vec![pack("p", dec!(1), 1, 2), pack("p", dec!(1), 1, 2)])
            .unwrap_err()
            .kind(),
        ErrorKind::DuplicatePack
    );
    assert_eq!(
        PackEngine::with_packs(vec![pack("p", dec!(1), 2, 2)])
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
}

#[cfg(feature = "serde")]
#[test]
fn state_serializes_and_a_later_batch_continues() {
    let packs = vec![pack("a", dec!(10), 1, 20), pack("b", dec!(10), 1, 30)];
    let items: Vec<_> = (0..12).map(|i| item(i, day(2), dec!(2))).collect();
    let mut once = PackEngine::with_packs(packs.clone()).unwrap();
    let all = once.deduct_batch(&items).unwrap();
    let mut first = PackEngine::with_packs(packs).unwrap();
    let mut ledger = first.deduct_batch(&items[..5]).unwrap().ledger;
    let json = serde_json::to_string(&first).unwrap();
    let mut restored: PackEngine = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, first);
    // The resent batch overlaps the first: the overlap is skipped.
    let second = restored.deduct_batch(&items[3..]).unwrap();
    assert_eq!(second.replayed, 2);
    ledger.extend(second.ledger);
    assert_eq!(ledger, all.ledger);
    assert_eq!(restored, once);
    // Applied ids are kept as intervals: 12 dense ids are one interval.
    let state = EngineState::from(restored);
    assert_eq!(state.applied[0].ranges, vec![(0, 12)]);
    // A tampered state is refused.
    let bad = json.replace(r#""drawn":"0""#, r#""drawn":"99999""#);
    if bad != json {
        assert!(serde_json::from_str::<PackEngine>(&bad).is_err());
    }
}

#[test]
fn app_status_rules() {
    // Seed 003: "新开通应用默认状态为停用…在您购买套餐包后，可…将状态切换到启用".
    let mut e = PackEngine::new();
    let ctx = |e: &PackEngine| AppContext {
        pack_with_balance: e.has_balance(&rtc(), day(2)),
        arrears: false,
    };
    let app = AppStatus::default();
    assert_eq!(app, AppStatus::Disabled);
    assert_eq!(
        transition(app, AppAction::Enable, ctx(&e)),
        Err(Refusal::NoPackBalance)
    );
    e.add_pack(pack("p", dec!(1), 1, 30)).unwrap();
    assert_eq!(
        transition(app, AppAction::Enable, ctx(&e)),
        Ok(AppStatus::Enabled)
    );
    e.deduct_batch(&[item(0, day(2), dec!(1))]).unwrap();
    assert_eq!(
        transition(app, AppAction::Enable, ctx(&e)),
        Err(Refusal::NoPackBalance)
    );
}

// ---------- properties ----------

/// Coefficients whose division terminates, so every invariant can be checked exactly.
fn coefficient() -> impl Strategy<Value = Decimal> {
    proptest::sample::select(vec![
        dec!(1),
        dec!(2),
        dec!(4),
        dec!(0.5),
        dec!(0.25),
        dec!(1.25),
    ])
}

fn arb_pack(i: usize) -> impl Strategy<Value = Pack> {
    (
        1_i64..500,
        0_u32..20,
        1_u32..40,
        proptest::bool::ANY,
        proptest::option::of(coefficient()),
        0_usize..2,
    )
        .prop_map(move |(min, bought, len, other_product, coef, spec_sel)| {
            let mut p = pack(
                &format!("p{i:02}"),
                Decimal::from(min),
                bought + 1,
                bought + 1 + len,
            );
            if other_product {
                p.product = ProductType::new("live").unwrap();
            }
            if let Some(c) = coef {
                p.coefficients = vec![Coefficient {
                    spec: MediaSpec::ALL[spec_sel],
                    coefficient: c,
                }];
            }
            p
        })
}

fn arb_packs() -> impl Strategy<Value = Vec<Pack>> {
    (0_usize..8).prop_flat_map(|n| (0..n).map(arb_pack).collect::<Vec<_>>())
}

fn arb_items() -> impl Strategy<Value = Vec<UsageItem>> {
    proptest::collection::vec(
        (
            0_u32..60,
            1_i64..20_000,
            0_usize..2,
            proptest::bool::ANY,
            0_u32..3,
        ),
        0..40,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (d, centi, spec, live, unit))| {
                let mut it = item(
                    i as u64,
                    day(1) + chrono::TimeDelta::hours(i64::from(d) * 13),
                    Decimal::new(centi, 2),
                );
                it.spec = MediaSpec::ALL[spec];
                if live {
                    it.product = ProductType::new("live").unwrap();
                }
                it.quantity = Quantity::new(
                    Decimal::new(centi, 2),
                    [Unit::Minute, Unit::Second, Unit::Hour][unit as usize],
                )
                .unwrap();
                it
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn deduction_invariants(packs in arb_packs(), items in arb_items()) {
        let mut e = PackEngine::with_packs(packs.clone()).unwrap();
        for it in &items {
            let before: Vec<_> = e.balances();
            let mut ledger = Vec::new();
            e.deduct(it, &mut ledger).unwrap();
            let after = e.balances();
            let usage = it.quantity.convert(Unit::Second).unwrap().value();
            // Conservation: covered + overflow == usage; drawn == usage × coefficient, exactly.
            prop_assert_eq!(ledger.iter().map(|l| l.usage).sum::<Decimal>(), usage);
            for l in &ledger {
                prop_assert!(l.usage > Decimal::ZERO);
                if let Some(id) = l.source.pack() {
                    prop_assert_eq!(l.drawn, l.usage * l.coefficient);
                    let p = packs.iter().find(|p| &p.id == id).unwrap();
                    // No draw outside validity or scope, nor for a spec the pack does not take.
                    prop_assert!(p.is_valid_at(it.at));
                    prop_assert_eq!(&p.product, &it.product);
                    prop_assert_eq!(p.coefficient(it.spec), Some(l.coefficient));
                    // Earliest expiry first: every eligible pack ordered before it is empty now.
                    for q in &packs {
                        let eligible = q.is_valid_at(it.at) && q.product == it.product && q.coefficient(it.spec).is_some();
                        if eligible && (q.expires_at, q.purchased_at, q.id.as_str()) < (p.expires_at, p.purchased_at, p.id.as_str()) {
                            let bal = after.iter().find(|b| b.id == q.id).unwrap();
                            prop_assert!(bal.remaining.is_zero(), "pack {} drawn while {} had {}", p.id, q.id, bal.remaining);
                        }
                    }
                }
            }
            // Overflow only when no eligible pack has balance left.
            if ledger.iter().any(|l| l.source == LedgerSource::Overflow) {
                for q in &packs {
                    if q.is_valid_at(it.at) && q.product == it.product && q.coefficient(it.spec).is_some() {
                        prop_assert!(after.iter().find(|b| b.id == q.id).unwrap().remaining.is_zero());
                    }
                }
            }
            // Balances fall by exactly what was drawn and never go below zero.
            for (b0, b1) in before.iter().zip(&after) {
                let drawn: Decimal = ledger.iter().filter(|l| l.source.pack() == Some(&b0.id)).map(|l| l.drawn).sum();
                prop_assert_eq!(b0.remaining - drawn, b1.remaining);
                prop_assert!(b1.remaining >= Decimal::ZERO);
                prop_assert_eq!(b1.drawn + b1.remaining, b1.quantity);
            }
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn replaying_a_prefix_changes_nothing(packs in arb_packs(), items in arb_items(), cut in 0.0_f64..1.0, split in 0.0_f64..1.0) {
        let mut e = PackEngine::with_packs(packs.clone()).unwrap();
        let full = e.deduct_batch(&items).unwrap();
        let snapshot = e.clone();
        let k = (items.len() as f64 * cut) as usize;
        let replay = e.deduct_batch(&items[..k]).unwrap();
        prop_assert_eq!(replay.applied, 0);
        prop_assert_eq!(replay.replayed as usize, k);
        prop_assert!(replay.ledger.is_empty());
        prop_assert_eq!(&e, &snapshot);
        // Splitting the batch anywhere, with a serialization in between, gives the same result.
        let s = (items.len() as f64 * split) as usize;
        let mut a = PackEngine::with_packs(packs).unwrap();
        let mut ledger = a.deduct_batch(&items[..s]).unwrap().ledger;
        let mut b: PackEngine = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        ledger.extend(b.deduct_batch(&items).unwrap().ledger);
        prop_assert_eq!(ledger, full.ledger);
        prop_assert_eq!(b, snapshot);
    }
}
