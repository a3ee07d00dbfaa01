//! Prepaid resource packs: Alibaba Cloud RTC pricing ( "预付费资源包", "使用说明",
//! "售后说明") and 1.2.

use chrono::{DateTime, TimeZone, Utc};
use mediameter_billing::ErrorKind;
use mediameter_billing::{AppAction, AppContext, AppRefusal, AppStatus};
#[cfg_attr(not(feature = "serde"), allow(unused_imports))] // EngineState: JSON tests only
use mediameter_billing::{
    EngineState, LedgerLine, LedgerSource, Pack, PackEngine, PackId, RefundDecision, RefundRefusal,
    UsageItem,
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
    pack_of(id, rtc(), minutes, bought, expires)
}

fn pack_of(id: &str, product: ProductType, minutes: Decimal, bought: u32, expires: u32) -> Pack {
    Pack::new(
        id,
        product,
        Quantity::new(minutes, Unit::Minute).unwrap(),
        day(bought),
        day(expires),
    )
    .unwrap()
}

fn item(id: u64, at: DateTime<Utc>, minutes: Decimal) -> UsageItem {
    item_of(
        id,
        at,
        MediaSpec::Audio,
        Quantity::new(minutes, Unit::Minute).unwrap(),
    )
}

fn item_of(id: u64, at: DateTime<Utc>, spec: MediaSpec, quantity: Quantity) -> UsageItem {
    UsageItem::new(id, at, rtc(), spec, quantity).unwrap()
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
    // Alibaba Cloud RTC pricing: "多个资源包按到期时间先后进行抵扣"; "资源包到期或超出使用额度，付费服务自动按量付费".
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
    let live = pack_of("live", ProductType::new("live").unwrap(), dec!(100), 1, 30);
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
    let p = pack("hd", dec!(100), 1, 30)
        .with_coefficient(MediaSpec::Audio, dec!(0.25))
        .unwrap()
        .with_coefficient(MediaSpec::Video(VideoTier::P1080), dec!(4))
        .unwrap();
    let mut e = PackEngine::with_packs(vec![p]).unwrap();
    let ten = Quantity::new(dec!(10), Unit::Minute).unwrap();
    let hd = item_of(0, day(2), MediaSpec::Video(VideoTier::P1080), ten);
    // 720p is not in the table: not drawn.
    let sd = item_of(1, day(2), MediaSpec::Video(VideoTier::P720), ten);
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
    let thirds = pack("t", dec!(1), 1, 30)
        .with_coefficient(MediaSpec::Audio, dec!(3))
        .unwrap();
    let mut e = PackEngine::with_packs(vec![thirds]).unwrap();
    let r = e.deduct_batch(&[item(0, day(2), dec!(1))]).unwrap();
    let l = &r.ledger[0];
    assert_eq!(l.usage, dec!(20)); // 60 s of pack ÷ 3
    assert_eq!(l.drawn, dec!(60));
    assert_eq!(r.ledger[1].usage, dec!(40));
}

#[test]
fn refunds_follow_the_seven_day_rule() {
    // Alibaba Cloud RTC pricing 售后说明: refundable if bought no more than 7 days ago and not consumed.
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
    // A zero quantity is refused when the item is built, naming the item and the field.
    let err = UsageItem::new(
        1,
        day(2),
        rtc(),
        MediaSpec::Audio,
        Quantity::new(dec!(0), Unit::Minute).unwrap(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    assert!(
        err.to_string()
            .contains("usage item (partition 0, id 1), field quantity"),
        "{err}"
    );
    // A count item against a time pack of the same product: a unit mismatch, nothing drawn,
    // and the error names the item's position, id and field.
    let count = item_of(
        2,
        day(2),
        MediaSpec::Audio,
        Quantity::new(dec!(3), Unit::Count).unwrap(),
    );
    let err = e.deduct_batch(&[count]).unwrap_err();
    assert_eq!(
        crate::core_kind(&err),
        Some(mediameter_core::ErrorKind::UnitMismatch)
    );
    assert!(
        err.to_string()
            .starts_with("usage[0]: usage item (partition 0, id 2), field quantity: "),
        "{err}"
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
    let empty_validity = Pack::new(
        "p",
        rtc(),
        Quantity::new(dec!(1), Unit::Minute).unwrap(),
        day(2),
        day(2),
    )
    .unwrap_err();
    assert_eq!(empty_validity.kind(), ErrorKind::Invalid);
    assert!(
        empty_validity
            .to_string()
            .starts_with("pack p, field expires_at: "),
        "{empty_validity}"
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
    assert_eq!(state.applied[0].spans, vec![(0, 11)]);
    // A tampered state is refused.
    let bad = json.replace(r#""drawn":"0""#, r#""drawn":"99999""#);
    if bad != json {
        assert!(serde_json::from_str::<PackEngine>(&bad).is_err());
    }
}

#[test]
fn app_status_rules() {
    // Alibaba Cloud RTC pricing: "新开通应用默认状态为停用…在您购买套餐包后，可…将状态切换到启用".
    let mut e = PackEngine::new();
    let ctx = |e: &PackEngine| AppContext::new(e.has_balance(&rtc(), day(2)), false);
    let app = AppStatus::default();
    assert_eq!(app, AppStatus::Disabled);
    assert_eq!(
        app.transition(AppAction::Enable, ctx(&e)),
        Err(AppRefusal::NoPackBalance)
    );
    e.add_pack(pack("p", dec!(1), 1, 30)).unwrap();
    assert_eq!(
        app.transition(AppAction::Enable, ctx(&e)),
        Ok(AppStatus::Enabled)
    );
    e.deduct_batch(&[item(0, day(2), dec!(1))]).unwrap();
    assert_eq!(
        app.transition(AppAction::Enable, ctx(&e)),
        Err(AppRefusal::NoPackBalance)
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
            let product = if other_product { "live" } else { "rtc" };
            let p = pack_of(
                &format!("p{i:02}"),
                ProductType::new(product).unwrap(),
                Decimal::from(min),
                bought + 1,
                bought + 1 + len,
            );
            match coef {
                Some(c) => p.with_coefficient(MediaSpec::ALL[spec_sel], c).unwrap(),
                None => p,
            }
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
                let product = ProductType::new(if live { "live" } else { "rtc" }).unwrap();
                let quantity = Quantity::new(
                    Decimal::new(centi, 2),
                    [Unit::Minute, Unit::Second, Unit::Hour][unit as usize],
                )
                .unwrap();
                UsageItem::new(
                    i as u64,
                    day(1) + chrono::TimeDelta::hours(i64::from(d) * 13),
                    product,
                    MediaSpec::ALL[spec],
                    quantity,
                )
                .unwrap()
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
            let usage = it.quantity().convert(Unit::Second).unwrap().value();
            // Conservation: covered + overflow == usage; drawn == usage × coefficient, exactly.
            prop_assert_eq!(ledger.iter().map(|l| l.usage).sum::<Decimal>(), usage);
            for l in &ledger {
                prop_assert!(l.usage > Decimal::ZERO);
                if let Some(id) = l.source.pack() {
                    prop_assert_eq!(l.drawn, l.usage * l.coefficient);
                    let p = packs.iter().find(|p| p.id() == id).unwrap();
                    // No draw outside validity or scope, nor for a spec the pack does not take.
                    prop_assert!(p.is_valid_at(it.at()));
                    prop_assert_eq!(p.product(), it.product());
                    prop_assert_eq!(p.coefficient(it.spec()), Some(l.coefficient));
                    // Earliest expiry first: every eligible pack ordered before it is empty now.
                    for q in &packs {
                        let eligible = q.is_valid_at(it.at()) && q.product() == it.product() && q.coefficient(it.spec()).is_some();
                        if eligible && (q.expires_at(), q.purchased_at(), q.id().as_str()) < (p.expires_at(), p.purchased_at(), p.id().as_str()) {
                            let bal = after.iter().find(|b| &b.id == q.id()).unwrap();
                            prop_assert!(bal.remaining.is_zero(), "pack {} drawn while {} had {}", p.id(), q.id(), bal.remaining);
                        }
                    }
                }
            }
            // Overflow only when no eligible pack has balance left.
            if ledger.iter().any(|l| l.source == LedgerSource::Overflow) {
                for q in &packs {
                    if q.is_valid_at(it.at()) && q.product() == it.product() && q.coefficient(it.spec()).is_some() {
                        prop_assert!(after.iter().find(|b| &b.id == q.id()).unwrap().remaining.is_zero());
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

// ---------- hardening (issue 14) ----------

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn the_largest_id_is_remembered_and_the_state_round_trips() {
    let mut e = PackEngine::with_packs(vec![pack("p", dec!(10), 1, 30)]).unwrap();
    let last = item(u64::MAX, day(2), dec!(1));
    let first = e.deduct_batch(std::slice::from_ref(&last)).unwrap();
    assert_eq!((first.applied, first.replayed), (1, 0));
    let again = e.deduct_batch(std::slice::from_ref(&last)).unwrap();
    assert_eq!((again.applied, again.replayed), (0, 1), "deducted twice");
    assert!(e.is_applied(0, u64::MAX));
    e.deduct_batch(&[
        item(u64::MAX - 1, day(2), dec!(1)),
        item(0, day(2), dec!(1)),
    ])
    .unwrap();
    let json = serde_json::to_string(&EngineState::from(e.clone())).unwrap();
    assert!(
        json.contains(r#""spans":[[0,0],[18446744073709551614,18446744073709551615]]"#),
        "{json}"
    );
    let back: PackEngine = serde_json::from_str(&json).unwrap();
    assert_eq!(back, e);
    // Half-open `ranges` of the old format are refused, not read one id off.
    let old = json.replace("\"spans\"", "\"ranges\"");
    assert!(serde_json::from_str::<PackEngine>(&old).is_err());
    // Adjacent or reversed spans are refused.
    for bad in [r#"[[0,1],[2,3]]"#, r#"[[5,4]]"#, r#"[[0,5],[3,9]]"#] {
        let doc = format!(r#"{{"packs": [], "applied": [{{"partition": 0, "spans": {bad}}}]}}"#);
        assert!(serde_json::from_str::<PackEngine>(&doc).is_err(), "{bad}");
    }
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn usage_outside_years_1_to_9999_is_refused_naming_item_and_field() {
    for at in ["0000-12-31T23:59:59Z", "+10000-01-01T00:00:00Z"] {
        let json = format!(
            r#"{{"id": 4, "at": "{at}", "product": "rtc", "spec": "audio", "quantity": {{"value": "1", "unit": "minute"}}}}"#
        );
        // chrono may refuse the text itself; if it reads it, the item must refuse it.
        if let Ok(t) = at.parse::<DateTime<Utc>>() {
            let err = serde_json::from_str::<UsageItem>(&json).unwrap_err();
            assert!(
                err.to_string()
                    .contains("usage item (partition 0, id 4), field at"),
                "{err}"
            );
            let err = UsageItem::new(
                4,
                t,
                rtc(),
                MediaSpec::Audio,
                Quantity::new(dec!(1), Unit::Minute).unwrap(),
            )
            .unwrap_err();
            assert!(err.to_string().contains("field at"), "{err}");
        } else {
            assert!(serde_json::from_str::<UsageItem>(&json).is_err());
        }
    }
    let year0 = Utc.with_ymd_and_hms(0, 6, 1, 0, 0, 0).unwrap();
    assert!(
        UsageItem::new(
            4,
            year0,
            rtc(),
            MediaSpec::Audio,
            Quantity::new(dec!(1), Unit::Minute).unwrap()
        )
        .is_err()
    );
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn packs_and_items_refuse_unknown_fields_and_validate_on_deserialize() {
    let good = r#"{"id": "p", "product": "rtc", "quantity": {"value": "1", "unit": "minute"},
        "purchased_at": "2023-04-01T00:00:00Z", "expires_at": "2023-05-01T00:00:00Z"}"#;
    assert!(serde_json::from_str::<Pack>(good).is_ok());
    for bad in [
        good.replace("\"1\"", "\"0\""),
        good.replace("2023-05-01", "2023-03-01"),
        good.replace("\"id\"", "\"idd\": 1, \"id\""),
        good.replace(
            "\"product\"",
            r#""coefficients": [{"spec": "audio", "coefficient": "0"}], "product""#,
        ),
    ] {
        assert!(serde_json::from_str::<Pack>(&bad).is_err(), "{bad}");
    }
    let item = r#"{"id": 1, "at": "2023-04-02T00:00:00Z", "product": "rtc", "spec": "audio", "quantity": {"value": "1", "unit": "minute"}, "amout": 1}"#;
    assert!(serde_json::from_str::<UsageItem>(item).is_err());
}

/// Coefficients whose division does not terminate: partial draws must still conserve.
fn odd_coefficient() -> impl Strategy<Value = Decimal> {
    proptest::sample::select(vec![
        dec!(3),
        dec!(7),
        dec!(0.3),
        dec!(1.7),
        dec!(6),
        dec!(2.5),
    ])
}

proptest! {
    /// The documented statement (docs/billing.md, "Where rounding happens"): no figure of a
    /// deduction is rounded. Σ usage of an item's lines == the item's quantity, each draw
    /// is usage × coefficient, and a pack's balance falls by exactly what its lines drew.
    #[test]
    fn draws_conserve_usage_exactly_with_any_coefficient(
        packs in proptest::collection::vec((1_i64..50_000, odd_coefficient()), 1..5),
        items in proptest::collection::vec(1_i64..1_000_000, 1..30),
    ) {
        let packs: Vec<Pack> = packs
            .iter()
            .enumerate()
            .map(|(i, &(centi, c))| {
                Pack::new(format!("p{i}"), rtc(), Quantity::new(Decimal::new(centi, 3), Unit::Minute).unwrap(), day(1), day(30))
                    .unwrap()
                    .with_coefficient(MediaSpec::Audio, c)
                    .unwrap()
            })
            .collect();
        let mut e = PackEngine::with_packs(packs).unwrap();
        let total_before: Decimal = e.balances().iter().map(|b| b.remaining).sum();
        let mut drawn_total = Decimal::ZERO;
        for (i, &milli) in items.iter().enumerate() {
            let it = item_of(i as u64, day(2), MediaSpec::Audio, Quantity::new(Decimal::new(milli, 4), Unit::Second).unwrap());
            let mut ledger = Vec::new();
            e.deduct(&it, &mut ledger).unwrap();
            prop_assert_eq!(ledger.iter().map(|l| l.usage).sum::<Decimal>(), it.quantity().value());
            for l in &ledger {
                prop_assert!(l.usage > Decimal::ZERO);
                if l.source.pack().is_some() {
                    prop_assert_eq!(l.drawn, l.usage * l.coefficient);
                } else {
                    prop_assert!(l.drawn.is_zero());
                }
            }
            drawn_total += ledger.iter().map(|l| l.drawn).sum::<Decimal>();
        }
        let after = e.balances();
        let total_after: Decimal = after.iter().map(|b| b.remaining).sum();
        prop_assert_eq!(total_before - total_after, drawn_total);
        for b in &after {
            prop_assert_eq!(b.drawn + b.remaining, b.quantity);
            prop_assert!(b.remaining >= Decimal::ZERO);
        }
    }
}

#[test]
fn the_documented_partial_draw_example() {
    // docs/billing.md, "Exact draws": a 61 s pack at coefficient 3 covers 20.333333333333 s,
    // draws 60.999999999999 s and keeps 0.000000000001 s; a 60 s pack is drained exactly.
    for (seconds, usage, drawn, left) in [
        (
            dec!(61),
            dec!(20.333333333333),
            dec!(60.999999999999),
            dec!(0.000000000001),
        ),
        (dec!(60), dec!(20), dec!(60), dec!(0)),
    ] {
        let p = Pack::new(
            "p",
            rtc(),
            Quantity::new(seconds, Unit::Second).unwrap(),
            day(1),
            day(30),
        )
        .unwrap()
        .with_coefficient(MediaSpec::Audio, dec!(3))
        .unwrap();
        let mut e = PackEngine::with_packs(vec![p]).unwrap();
        let r = e.deduct_batch(&[item(0, day(2), dec!(1))]).unwrap();
        assert_eq!((r.ledger[0].usage, r.ledger[0].drawn), (usage, drawn));
        assert_eq!(r.ledger[1].usage, dec!(60) - usage);
        assert_eq!(e.balances()[0].remaining, left);
    }
}

/// `PackId` is one of the workspace's ids: it prints and parses back, converts from strings,
/// names itself in `Debug`, and is refused by the same rules as core's ids.
#[test]
fn pack_ids_behave_like_core_ids() {
    use mediameter_billing::PackId;
    let id: PackId = "pk-2023-001".parse().unwrap();
    assert_eq!(id.to_string().parse::<PackId>().unwrap(), id);
    assert_eq!(PackId::try_from("pk-2023-001".to_owned()).unwrap(), id);
    assert_eq!(PackId::try_from("pk-2023-001").unwrap(), id);
    assert_eq!(format!("{id:?}"), r#"PackId("pk-2023-001")"#);
    assert_eq!(PackId::MAX_LEN, 128);
    for bad in [String::new(), "a\nb".to_owned(), "x".repeat(129)] {
        let err = bad.parse::<PackId>().unwrap_err();
        assert_eq!(err.kind(), mediameter_core::ErrorKind::Invalid, "{bad:?}");
    }
    assert!("x".repeat(128).parse::<PackId>().is_ok());
}
