//! Hourly settlement of per-second usage: Huawei Cloud iDME billing manual ( "计费周期", "变更配置后对计费的
//! 影响", 计费场景2).

use chrono::{DateTime, TimeZone, Utc};
use mediameter_billing::settlement::MAX_LINES;
use mediameter_billing::{
    Configuration, Error, ErrorKind, PricedItem, ResiduePolicy, ResourceEvent, ResourceTimeline,
    SettlementOptions, settle_all,
};
use mediameter_core::{BillingZone, Currency, Money, Rounding, TimeRange, strategies};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn cny(a: Decimal) -> Money {
    Money::new(a, Currency::CNY)
}

/// 2023-04-18 at a GMT+8 wall-clock time.
fn gmt8(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 4, 18, h - 8, m, s).unwrap()
}

/// The iDME digital-thread engine: model, compute and capacity MCUs. The manual gives no
/// prices ("图中价格仅供参考"), so these are made up: 0.80, 1.20 and 0.50 CNY per MCU-hour.
fn idme(model: i64, compute: i64, capacity: i64) -> Configuration {
    Configuration::new(vec![
        PricedItem::new("model", Decimal::from(model), cny(dec!(0.80))).unwrap(),
        PricedItem::new("compute", Decimal::from(compute), cny(dec!(1.20))).unwrap(),
        PricedItem::new("capacity", Decimal::from(capacity), cny(dec!(0.50))).unwrap(),
    ])
    .unwrap()
}

fn created(at: DateTime<Utc>, c: Configuration) -> ResourceEvent {
    ResourceEvent::created(at, c)
}

fn changed(at: DateTime<Utc>, c: Configuration) -> ResourceEvent {
    ResourceEvent::changed(at, c)
}

fn deleted(at: DateTime<Utc>) -> ResourceEvent {
    ResourceEvent::deleted(at)
}

#[test]
fn example_created_08_45_30_deleted_08_55_30() {
    // Huawei Cloud iDME billing manual: "您在8:45:30创建成功…然后在8:55:30将其删除，则计费周期为8:00:00 ~ 9:00:00…计费时长为600秒".
    let t = ResourceTimeline::new(
        "idme-1",
        vec![
            created(gmt8(8, 45, 30), idme(3, 3, 1)),
            deleted(gmt8(8, 55, 30)),
        ],
    )
    .unwrap();
    let s = t.settle(&SettlementOptions::default()).unwrap();
    assert_eq!(s.lines.len(), 1);
    let l = &s.lines[0];
    assert_eq!(l.period_start, gmt8(8, 0, 0));
    assert_eq!(
        (l.start, l.end, l.seconds),
        (gmt8(8, 45, 30), gmt8(8, 55, 30), 600)
    );
    // 6.50 CNY/hour × 600 s ÷ 3600 = 1.0833… → 1.08.
    assert_eq!(l.hourly_price.amount(), dec!(6.50));
    assert_eq!(l.amount, dec!(1.08));
}

#[test]
fn example_upgraded_on_the_hour_then_deleted_10_45_46() {
    // Huawei Cloud iDME billing manual, 计费场景2: bought 9:00:00 with model 3, compute 3, capacity 1 MCU; upgraded
    // 10:00:00 to capacity 2; deleted 10:45:46 → 09:00–10:00 bills 3600 s at the old
    // configuration, 10:00–11:00 bills 2746 s at the new one.
    let t = ResourceTimeline::new(
        "idme-2",
        vec![
            created(gmt8(9, 0, 0), idme(3, 3, 1)),
            changed(gmt8(10, 0, 0), idme(3, 3, 2)),
            deleted(gmt8(10, 45, 46)),
        ],
    )
    .unwrap();
    let s = t.settle(&SettlementOptions::default()).unwrap();
    let got: Vec<_> = s
        .lines
        .iter()
        .map(|l| (l.period_start, l.seconds, l.configuration))
        .collect();
    assert_eq!(got, [(gmt8(9, 0, 0), 3600, 0), (gmt8(10, 0, 0), 2746, 1)]);
    assert_eq!(s.lines[0].amount, dec!(6.50));
    // 7.00 × 2746 ÷ 3600 = 5.339444… → 5.34 (carry −0.000556 is left over).
    assert_eq!(s.lines[1].amount_exact.round_dp(6), dec!(5.339444));
    assert_eq!(s.lines[1].amount, dec!(5.34));
    assert_eq!(s.summary.seconds, 6346);
    assert_eq!(s.summary.total, dec!(11.84));
}

#[test]
fn example_upgraded_at_09_30_gives_two_lines_in_one_period() {
    // Huawei Cloud iDME billing manual: bought 9:00:00, upgraded 9:30:00 → lines 9:00:00–9:30:00 and 9:30:00–10:00:00.
    let t = ResourceTimeline::new(
        "idme-3",
        vec![
            created(gmt8(9, 0, 0), idme(3, 3, 1)),
            changed(gmt8(9, 30, 0), idme(3, 3, 2)),
            deleted(gmt8(10, 0, 0)),
        ],
    )
    .unwrap();
    let s = t.settle(&SettlementOptions::default()).unwrap();
    let got: Vec<_> = s
        .lines
        .iter()
        .map(|l| (l.period_start, l.start, l.end, l.configuration))
        .collect();
    assert_eq!(
        got,
        [
            (gmt8(9, 0, 0), gmt8(9, 0, 0), gmt8(9, 30, 0), 0),
            (gmt8(9, 0, 0), gmt8(9, 30, 0), gmt8(10, 0, 0), 1)
        ]
    );
    assert_eq!(s.lines[0].amount, dec!(3.25));
    assert_eq!(s.lines[1].amount, dec!(3.50));
}

#[test]
fn other_zones_move_the_grid() {
    // In UTC+05:30 the hour boundaries fall at :30 UTC.
    let zone: BillingZone = "+05:30".parse().unwrap();
    let t = ResourceTimeline::new(
        "r",
        vec![
            created(
                Utc.with_ymd_and_hms(2023, 4, 18, 0, 0, 0).unwrap(),
                idme(1, 1, 1),
            ),
            deleted(Utc.with_ymd_and_hms(2023, 4, 18, 1, 0, 0).unwrap()),
        ],
    )
    .unwrap();
    let s = t
        .settle(&SettlementOptions::default().with_zone(zone))
        .unwrap();
    let secs: Vec<_> = s.lines.iter().map(|l| l.seconds).collect();
    assert_eq!(secs, [1800, 1800]);
}

#[test]
fn errors_name_the_offending_event() {
    let c = || idme(3, 3, 1);
    let cases = [
        (
            vec![deleted(gmt8(8, 0, 0)), created(gmt8(9, 0, 0), c())],
            "deleted at",
            "deletion before the creation",
        ),
        (
            vec![
                created(gmt8(9, 0, 0), c()),
                changed(gmt8(8, 0, 0), idme(3, 3, 2)),
            ],
            "changed at",
            "before the creation",
        ),
        (
            vec![
                created(gmt8(9, 0, 0), c()),
                deleted(gmt8(10, 0, 0)),
                changed(gmt8(11, 0, 0), idme(3, 3, 2)),
            ],
            "changed at",
            "after the deletion",
        ),
        (
            vec![
                created(gmt8(9, 0, 0), c()),
                changed(gmt8(9, 30, 0), idme(3, 3, 2)),
                changed(gmt8(9, 30, 0), idme(3, 3, 3)),
            ],
            "changed at",
            "same instant",
        ),
        (
            vec![created(gmt8(9, 0, 0), c()), created(gmt8(9, 10, 0), c())],
            "created at",
            "second creation",
        ),
        (
            vec![created(gmt8(9, 0, 0), c()), deleted(gmt8(9, 0, 0))],
            "deleted at",
            "same instant",
        ),
    ];
    for (events, event, problem) in cases {
        let err = ResourceTimeline::new("r7", events).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeline, "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("r7") && msg.contains(event) && msg.contains(problem),
            "{msg}"
        );
    }
    let frac = ResourceTimeline::new(
        "r",
        vec![created(
            gmt8(9, 0, 0) + chrono::TimeDelta::milliseconds(5),
            c(),
        )],
    )
    .unwrap_err();
    assert!(frac.to_string().contains("fraction of a second"), "{frac}");
}

#[test]
fn downgrades_are_refused() {
    let err = ResourceTimeline::new(
        "r",
        vec![
            created(gmt8(9, 0, 0), idme(3, 3, 2)),
            changed(gmt8(10, 0, 0), idme(3, 3, 1)),
        ],
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Downgrade);
    assert!(err.to_string().contains("capacity"), "{err}");
    // Dropping an item is a downgrade too.
    let fewer = Configuration::new(vec![
        PricedItem::new("model", dec!(9), cny(dec!(5))).unwrap(),
    ])
    .unwrap();
    let err = ResourceTimeline::new(
        "r",
        vec![
            created(gmt8(9, 0, 0), idme(3, 3, 2)),
            changed(gmt8(10, 0, 0), fewer),
        ],
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Downgrade);
}

#[cfg(feature = "serde")]
#[test]
fn mixed_currencies_and_bad_items_are_refused() {
    let usd = Configuration::new(vec![
        PricedItem::new("model", dec!(9), Money::new(dec!(5), Currency::USD)).unwrap(),
    ])
    .unwrap();
    let base = Configuration::new(vec![
        PricedItem::new("model", dec!(1), cny(dec!(5))).unwrap(),
    ])
    .unwrap();
    let err = ResourceTimeline::new(
        "r",
        vec![created(gmt8(9, 0, 0), base), changed(gmt8(10, 0, 0), usd)],
    )
    .unwrap_err();
    assert_eq!(
        crate::core_kind(&err),
        Some(mediameter_core::ErrorKind::CurrencyMismatch)
    );
    assert!(PricedItem::new("m", dec!(-1), cny(dec!(1))).is_err());
    assert!(PricedItem::new("m", dec!(1), cny(dec!(-1))).is_err());
    let json = r#"{"resource": "r", "events": [{"at": "2023-04-18T01:00:00Z", "event": "created",
        "configuration": {"items": [{"name": "m", "quantity": "0", "hourly_price": {"amount": "1", "currency": "CNY"}}]}}]}"#;
    assert!(serde_json::from_str::<ResourceTimeline>(json).is_err());
}

#[test]
fn carry_forward_stays_within_a_cent_where_per_line_rounding_drifts() {
    // 0.004 CNY/hour for a 30-day month: every line is 0.004, which rounds to 0.00 alone.
    let cheap = Configuration::new(vec![
        PricedItem::new("mcu", dec!(1), cny(dec!(0.004))).unwrap(),
    ])
    .unwrap();
    let start = Utc.with_ymd_and_hms(2023, 3, 31, 16, 0, 0).unwrap(); // 2023-04-01 00:00 GMT+8
    let t = ResourceTimeline::new(
        "r",
        vec![
            created(start, cheap),
            deleted(start + chrono::TimeDelta::days(30)),
        ],
    )
    .unwrap();
    let per_line = t
        .settle(&SettlementOptions::default().with_residue(ResiduePolicy::PerLine))
        .unwrap();
    assert_eq!(per_line.summary.total, dec!(0));
    let carried = t.settle(&SettlementOptions::default()).unwrap();
    assert_eq!(carried.summary.total_exact, dec!(2.880));
    assert!(
        (carried.summary.total - Rounding::CENTS_HALF_UP.apply(carried.summary.total_exact)).abs()
            <= dec!(0.01)
    );
    assert_eq!(
        carried.summary.total + carried.summary.residue,
        carried.summary.total_exact
    );
    assert_eq!(
        carried.lines.iter().map(|l| l.amount).sum::<Decimal>(),
        carried.summary.total
    );
}

#[test]
fn a_running_resource_needs_a_window() {
    let t = ResourceTimeline::new("r", vec![created(gmt8(9, 30, 0), idme(1, 1, 1))]).unwrap();
    assert_eq!(
        t.settle(&SettlementOptions::default()).unwrap_err().kind(),
        ErrorKind::Invalid
    );
    let w = TimeRange::new(gmt8(9, 0, 0), gmt8(12, 0, 0)).unwrap();
    let s = t
        .settle(&SettlementOptions::default().with_window(Some(w)))
        .unwrap();
    assert_eq!(s.summary.seconds, 9000);
    assert_eq!(s.lines.len(), 3);
}

#[cfg(feature = "serde")]
#[test]
fn timeline_json_round_trips() {
    let t = ResourceTimeline::new(
        "idme-2",
        vec![
            created(gmt8(9, 0, 0), idme(3, 3, 1)),
            changed(gmt8(10, 0, 0), idme(3, 3, 2)),
            deleted(gmt8(10, 45, 46)),
        ],
    )
    .unwrap();
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.contains(r#""event":"changed""#), "{json}");
    let back: ResourceTimeline = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
}

/// A valid timeline: creation, up to 4 upgrades, optional deletion, as (events, lifetime end).
fn timeline() -> impl Strategy<Value = (Vec<ResourceEvent>, i64, Option<i64>)> {
    (
        946_684_800_i64..4_000_000_000,
        proptest::collection::vec(1_i64..20_000, 0..5),
        proptest::option::of(1_i64..200_000),
        1_i64..10_000,
    )
        .prop_map(|(start, gaps, life, price)| {
            let mut events = vec![created(
                DateTime::from_timestamp(start, 0).unwrap(),
                priced(1, price),
            )];
            let mut t = start;
            for (k, g) in gaps.iter().enumerate() {
                t += g;
                events.push(changed(
                    DateTime::from_timestamp(t, 0).unwrap(),
                    priced(k as i64 + 2, price),
                ));
            }
            let end = life.map(|l| t + l);
            if let Some(e) = end {
                events.push(deleted(DateTime::from_timestamp(e, 0).unwrap()));
            }
            (events, start, end)
        })
}

fn priced(quantity: i64, price_milli: i64) -> Configuration {
    Configuration::new(vec![
        PricedItem::new(
            "mcu",
            Decimal::from(quantity),
            cny(Decimal::new(price_milli, 3)),
        )
        .unwrap(),
    ])
    .unwrap()
}

proptest! {
    #[test]
    fn settlement_invariants((events, start, end) in timeline(), zone in strategies::zone(), seed in any::<u64>(), window_len in 1_i64..300_000) {
        let t = ResourceTimeline::new("r", events.clone()).unwrap();
        let window = TimeRange::from_unix(start, end.unwrap_or(start + window_len).max(start + 1)).unwrap();
        let opts = SettlementOptions::default().with_zone(zone).with_window(Some(window));
        let s = t.settle(&opts).unwrap();
        let lifetime = (end.unwrap_or(window.end().timestamp()).min(window.end().timestamp()) - start).max(0);
        // Billed seconds add up to the lifetime.
        prop_assert_eq!(s.summary.seconds, lifetime as u64);
        prop_assert_eq!(s.lines.iter().map(|l| u64::from(l.seconds)).sum::<u64>(), lifetime as u64);
        // Lines are contiguous, never overlap and never cross an hour of the zone.
        let hour = mediameter_core::Buckets::new(zone, mediameter_core::Granularity::HOUR);
        for pair in s.lines.windows(2) {
            prop_assert_eq!(pair[0].end, pair[1].start);
        }
        for l in &s.lines {
            prop_assert!(l.start < l.end);
            prop_assert_eq!((l.end - l.start).num_seconds(), i64::from(l.seconds));
            prop_assert_eq!(hour.bucket_start(l.start), l.period_start);
            prop_assert!(l.end <= l.period_start + chrono::TimeDelta::hours(1));
        }
        // Totals reconcile: total = Σ lines; carry-forward stays within a cent of the exact total.
        prop_assert_eq!(s.lines.iter().map(|l| l.amount).sum::<Decimal>(), s.summary.total);
        // Exact amounts are kept to Decimal's 28 significant digits (a third of a cent does not
        // terminate), so the identity holds to far below a cent.
        prop_assert!((s.summary.total + s.summary.residue - s.summary.total_exact).abs() < dec!(0.000000000001));
        prop_assert!((s.summary.total - Rounding::CENTS_HALF_UP.apply(s.summary.total_exact)).abs() <= dec!(0.01));
        // Order of arrival does not matter.
        let mut shuffled = events;
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % n as u64) as usize;
            shuffled.swap(i, j);
        }
        let again = ResourceTimeline::new("r", shuffled).unwrap().settle(&opts).unwrap();
        prop_assert_eq!(again, s);
    }
}

#[test]
fn overlapping_timelines_of_one_resource_are_refused() {
    use mediameter_billing::check_no_overlap;
    let a = ResourceTimeline::new(
        "r",
        vec![
            created(gmt8(9, 0, 0), idme(1, 1, 1)),
            deleted(gmt8(10, 0, 0)),
        ],
    )
    .unwrap();
    let b = ResourceTimeline::new("r", vec![created(gmt8(9, 30, 0), idme(1, 1, 1))]).unwrap();
    let c = ResourceTimeline::new("r", vec![created(gmt8(10, 0, 0), idme(1, 1, 1))]).unwrap();
    let other = ResourceTimeline::new("s", vec![created(gmt8(9, 30, 0), idme(1, 1, 1))]).unwrap();
    let err = check_no_overlap(&[a.clone(), b]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeline);
    assert!(err.to_string().contains("overlaps"), "{err}");
    check_no_overlap(&[c, a, other]).unwrap();
}

// ---------- hardening (issue 14) ----------

/// A resource `name` created on 1 January of `from` (one IDME instance) and deleted on
/// 1 January of `to`.
fn years(name: &str, from: i32, to: i32) -> ResourceTimeline {
    ResourceTimeline::new(
        name,
        vec![
            created(
                Utc.with_ymd_and_hms(from, 1, 1, 0, 0, 0).unwrap(),
                idme(1, 1, 1),
            ),
            deleted(Utc.with_ymd_and_hms(to, 1, 1, 0, 0, 0).unwrap()),
        ],
    )
    .unwrap()
}

fn thousand_years() -> ResourceTimeline {
    years("long", 1000, 2000)
}

#[test]
fn the_line_cap_is_checked_before_anything_is_built() {
    // 1,000 years of hours: 8,765,808 lines. Before the fix this built every line (874 MB)
    // and returned them; years 1 to 9999 aborted on allocation.
    let t = thousand_years();
    let options = SettlementOptions::default();
    assert_eq!(t.line_count(&options).unwrap(), 365_242 * 24); // days from 1000 to 2000
    let err = t.settle(&options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    assert!(err.to_string().contains("5000000"), "{err}");
    // A window makes it small again, and the count matches what is built.
    let month = TimeRange::new(
        Utc.with_ymd_and_hms(1500, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(1500, 2, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let windowed = SettlementOptions::default().with_window(Some(month));
    let s = t.settle(&windowed).unwrap();
    assert_eq!(s.lines.len() as u64, t.line_count(&windowed).unwrap());
    assert_eq!(s.summary.lines, 744);
}

#[test]
fn the_total_line_cap_of_a_set_is_checked_before_any_timeline_is_settled() {
    // Ten resources of 60 years each: 525,936 lines apiece, under the cap one by one, and
    // 5,259,360 together, over it.
    let sixty_years = |k: u32| years(&format!("r{k}"), 1900, 1960);
    // First in the set, half an hour whose amount (price × 1800 s) leaves Decimal's range: settling it fails with
    // an overflow, counting its lines does not. A set settled (or its lines built) before the
    // total is counted reports that overflow instead of the cap.
    let dear = Configuration::new(vec![
        PricedItem::new("m", dec!(1), cny(Decimal::MAX)).unwrap(),
    ])
    .unwrap();
    let poison = ResourceTimeline::new(
        "dear",
        vec![created(gmt8(9, 0, 0), dear), deleted(gmt8(9, 30, 0))],
    )
    .unwrap();
    let options = SettlementOptions::default();
    assert_eq!(
        poison.settle(&options).unwrap_err().kind(),
        ErrorKind::Overflow
    );
    let mut set = vec![poison];
    set.extend((0..10).map(sixty_years));
    let each = set[1].line_count(&options).unwrap();
    assert!(each < MAX_LINES, "{each}");
    let err = settle_all(&set, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "resources[10]: settlement would produce {} items, more than the limit of {MAX_LINES}",
            1 + 10 * each
        )
    );
    // Without the poison and under the cap, the same set settles.
    let few: Vec<_> = (0..2).map(sixty_years).collect();
    assert_eq!(settle_all(&few, &options).unwrap().len(), 2);
}

#[test]
fn the_total_line_cap_names_the_resource_where_the_set_passes_it() {
    // Ten resources of 60 years each (525,936 lines apiece): nine together stay under the
    // cap (4,733,424 lines), the tenth, resources[9], takes the set over it. The error says
    // so, as a single timeline's error names its place; before the fix it named no place.
    let set: Vec<_> = (0..10)
        .map(|k| years(&format!("r{k}"), 1900, 1960))
        .collect();
    let options = SettlementOptions::default();
    let each = set[0].line_count(&options).unwrap();
    assert!(9 * each <= MAX_LINES && 10 * each > MAX_LINES, "{each}");
    let err = settle_all(&set, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    let Error::At { place, source } = &err else {
        panic!("not located: {err}");
    };
    assert_eq!(place, "resources[9]");
    assert!(
        matches!(**source, Error::TooLarge { count, limit, .. } if count == 10 * each && limit == MAX_LINES),
        "{source:?}"
    );
    assert!(err.to_string().starts_with("resources[9]: "), "{err}");
}

#[cfg(feature = "serde")] // reads or writes JSON
#[test]
fn settle_events_and_configurations_refuse_unknown_fields() {
    let good = r#"{"resource": "r", "events": [
        {"at": "2023-04-18T00:45:30Z", "event": "created", "configuration": {"items": [
            {"name": "m", "quantity": "1", "hourly_price": {"amount": "3.60", "currency": "CNY"}}]}},
        {"at": "2023-04-18T00:55:30Z", "event": "deleted"}]}"#;
    assert!(serde_json::from_str::<ResourceTimeline>(good).is_ok());
    for (from, to) in [
        (r#""amount": "3.60""#, r#""amout": "3.60""#),
        (r#""event": "deleted""#, r#""event": "deleted", "note": 1"#),
        (r#""name": "m""#, r#""name": "m", "nme": "x""#),
        (r#""items": ["#, r#""itms": 1, "items": ["#),
        (r#""quantity": "1""#, r#""quantity": "0""#),
        (
            r#""event": "deleted""#,
            r#""event": "deleted", "configuration": {"items": [{"name": "m", "quantity": "1", "hourly_price": {"amount": "1", "currency": "CNY"}}]}"#,
        ),
    ] {
        let bad = good.replace(from, to);
        assert_ne!(bad, good);
        assert!(
            serde_json::from_str::<ResourceTimeline>(&bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn amounts_carry_the_currency_minor_units() {
    let yen = Configuration::new(vec![
        PricedItem::new("m", dec!(1), Money::new(dec!(100), Currency::JPY)).unwrap(),
    ])
    .unwrap();
    let t = ResourceTimeline::new(
        "r",
        vec![created(gmt8(9, 0, 0), yen), deleted(gmt8(9, 10, 0))],
    )
    .unwrap();
    let s = t.settle(&SettlementOptions::default()).unwrap();
    // 100 × 600 / 3600 = 16.67 exact; yen have no minor unit.
    assert_eq!(s.lines[0].amount.to_string(), "17");
    let free = Configuration::new(vec![
        PricedItem::new("m", dec!(1), Money::new(dec!(0), Currency::CNY)).unwrap(),
    ])
    .unwrap();
    let t = ResourceTimeline::new(
        "r",
        vec![created(gmt8(9, 0, 0), free), deleted(gmt8(9, 10, 0))],
    )
    .unwrap();
    let s = t.settle(&SettlementOptions::default()).unwrap();
    assert_eq!(s.lines[0].amount.to_string(), "0.00");
    assert_eq!(s.summary.total.to_string(), "0.00");
}
