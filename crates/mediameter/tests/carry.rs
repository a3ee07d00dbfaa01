//! Usage carried out of its month is billed exactly once by the run of its own month, next to
//! that month's own usage in the same slice.

use mediameter::billing::BillRequest;
use mediameter::billing::OutOfPeriod;
use mediameter::billing::{EngineState, UsageItem};
use mediameter::billing::{Statement, Tariff};
use mediameter::core::MinutePolicy;
use mediameter::usage::parse_csv;
use mediameter::{BillingMonth, Invoice, InvoiceOptions, InvoiceRequest, invoice};
use rust_decimal::Decimal;
use serde_json::json;

const TARIFF: &str = r#"{"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
    "pricing": {"model": "flat", "unit_price": "0.028"}}]}"#;

fn tariff() -> Tariff {
    serde_json::from_str(TARIFF).unwrap()
}

fn options(out_of_period: OutOfPeriod) -> InvoiceOptions {
    InvoiceOptions::default()
        .with_out_of_period(out_of_period)
        .with_minutes(MinutePolicy::Exact)
}

fn month(s: &str) -> BillingMonth {
    s.parse().unwrap()
}

/// Seconds a statement charges (no packs here: everything overflows).
fn charged(s: &Statement) -> Decimal {
    assert!(s.packs.is_empty());
    s.lines.iter().map(|l| l.overflow).sum()
}

/// `mediameter bill` of `usage` into `state` for April (GMT+8), as the docs tell a user to
/// bill carried items.
fn bill_april(usage: &[UsageItem], state: &EngineState) -> (Statement, EngineState) {
    let request: BillRequest = serde_json::from_value(json!({
        "period": {"start": "2024-03-31T16:00:00Z", "end": "2024-04-30T16:00:00Z"},
        "usage": usage,
        "tariff": serde_json::from_str::<serde_json::Value>(TARIFF).unwrap(),
        "options": {"minutes": "exact"},
        "state": state,
    }))
    .unwrap();
    let outcome = request.run(false).unwrap();
    (outcome.statement, outcome.state)
}

fn march_run() -> Invoice {
    // March's input: 31 March 23:50 to 1 April 00:10 GMT+8, and one minute on 1 March.
    let march = parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,c,u,sub,720p,,1709258400,1709258460\n\
         a,c,u,sub,720p,,1711900200,1711901400\n",
    )
    .unwrap();
    invoice(
        &march,
        InvoiceRequest::new(month("2024-03"), tariff()).with_options(options(OutOfPeriod::Carry)),
    )
    .unwrap()
}

fn april_segments() -> Vec<mediameter::core::StreamSegment> {
    // April's own input: 1 April 00:20 to 00:50 GMT+8, the slice (00:00 to 01:00) and spec
    // March carried its 600 seconds into; and an hour on 2 April.
    parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,c,v,sub,720p,,1711902000,1711903800\n\
         a,c,v,sub,720p,,1711990800,1711994400\n",
    )
    .unwrap()
}

const METERED: i64 = 60 + 600 + 600 + 1800 + 3600;

#[test]
fn carried_usage_and_its_months_own_usage_in_one_slice_are_each_billed_once() {
    let march = march_run();
    assert_eq!(march.carried.len(), 1);
    assert_eq!(charged(&march.statement), Decimal::from(660));

    // April's own run into March's state, then the carried items into April's state.
    let april = invoice(
        &april_segments(),
        InvoiceRequest::new(month("2024-04"), tariff())
            .with_state(march.state.clone())
            .with_options(options(OutOfPeriod::Refuse)),
    )
    .unwrap();
    assert_eq!(april.replayed, 0);
    let (carried, _) = bill_april(&march.carried, &april.state);
    let billed = charged(&march.statement) + charged(&april.statement) + charged(&carried);
    assert_eq!(
        billed,
        Decimal::from(METERED),
        "April's state, then the carried items"
    );

    // The other order: the carried items into March's state first, then April's own run.
    let (carried, state) = bill_april(&march.carried, &march.state);
    let april = invoice(
        &april_segments(),
        InvoiceRequest::new(month("2024-04"), tariff())
            .with_state(state)
            .with_options(options(OutOfPeriod::Refuse)),
    )
    .unwrap();
    let billed = charged(&march.statement) + charged(&carried) + charged(&april.statement);
    assert_eq!(
        billed,
        Decimal::from(METERED),
        "the carried items, then April's run"
    );
    assert_eq!(
        (april.replayed, april.billed_seconds),
        (0, april.metered_seconds)
    );
}

/// Usage of `slices` `(start, spec index)`, 60 seconds each.
fn usage(slices: &[(i64, usize)]) -> mediameter::meter::BillableUsage {
    let specs = ["audio", "360p", "720p", "1080p", "2k", "4k"];
    let slices: Vec<_> = slices
        .iter()
        .map(|(start, spec)| {
            json!({"start": chrono::DateTime::from_timestamp(*start, 0).unwrap(),
                   "product": "rtc", "spec": specs[*spec], "seconds": 60})
        })
        .collect();
    serde_json::from_value(
        json!({"segments": 1, "unbilled": {"publish": 0, "subscribe": 0},
        "slices": slices}),
    )
    .unwrap()
}

/// Which slice an id names: (start, spec, `None` for the run's own month or the carrying
/// run's month).
type Key = (i64, String, Option<BillingMonth>);

fn record(
    seen: &mut std::collections::HashMap<u64, Key>,
    items: &[UsageItem],
    run: BillingMonth,
    zone: mediameter::core::BillingZone,
) {
    for item in items {
        let own = BillingMonth::containing(item.at(), zone).unwrap() == run;
        let key = (
            item.at().timestamp(),
            item.spec().to_string(),
            (!own).then_some(run),
        );
        assert_eq!((item.id() < 1 << 51), own, "{key:?}");
        if let Some(other) = seen.insert(item.id(), key.clone()) {
            assert_eq!(other, key, "id {} names two slices", item.id());
        }
    }
}

proptest::proptest! {
    #[test]
    fn own_and_carried_ids_never_collide(
        // Hours from 1960 to 2090 (GMT+8 and UTC alike), every spec.
        slices in proptest::collection::btree_set((-87_600_i64..1_058_760, 0_usize..6), 1..40),
        runs in proptest::collection::vec((1960_i32..2090, 1_u32..13), 1..6),
        utc in proptest::bool::ANY,
    ) {
        let zone = if utc { mediameter::core::BillingZone::UTC } else { mediameter::core::BillingZone::GMT8 };
        let slices: Vec<_> = slices.into_iter().map(|(h, s)| (h * 3600, s)).collect();
        let u = usage(&slices);
        let mapping = mediameter::mapping::Mapping::rtc();
        let mut seen = std::collections::HashMap::new();
        // Every slice as its own month's run sees it, then as each run carries it.
        for (start, _) in &slices {
            let own = BillingMonth::containing(chrono::DateTime::from_timestamp(*start, 0).unwrap(), zone).unwrap();
            record(&mut seen, &u.items(0, &mapping, own, zone).unwrap(), own, zone);
        }
        for (year, m) in runs {
            let run = BillingMonth::new(year, m).unwrap();
            record(&mut seen, &u.items(0, &mapping, run, zone).unwrap(), run, zone);
        }
    }
}

#[test]
fn ids_at_the_edges_of_time_and_of_the_carry_range_stay_apart() {
    use mediameter::core::BillingZone;
    let mapping = mediameter::mapping::Mapping::rtc();
    // First and last hour of years 0001 to 9999 (UTC), every spec.
    let first = -62_135_596_800;
    let last = 253_402_300_800 - 3600;
    let u = usage(&[(first, 0), (first, 5), (last, 0), (last, 5)]);
    let mut seen = std::collections::HashMap::new();
    for (year, month) in [
        (1, 1),
        (9999, 12),
        (171, 8),  // 2047 months after January 0001
        (9829, 5), // 2047 months before December 9999
    ] {
        let run = BillingMonth::new(year, month).unwrap();
        let near: Vec<_> = u
            .slices()
            .filter(|(t, ..)| {
                let m = BillingMonth::containing(*t, BillingZone::UTC).unwrap();
                (i64::from(run.year()) * 12 + i64::from(run.month()))
                    .abs_diff(i64::from(m.year()) * 12 + i64::from(m.month()))
                    <= 2047
            })
            .map(|(t, _, spec, _)| (t.timestamp(), spec.index()))
            .collect();
        let items = usage(&near)
            .items(0, &mapping, run, BillingZone::UTC)
            .unwrap();
        assert_eq!(items.len(), 2);
        record(&mut seen, &items, run, BillingZone::UTC);
    }
    assert_eq!(seen.len(), 8);

    // One month further is refused, naming the slice.
    let run = BillingMonth::new(171, 9).unwrap();
    let err = usage(&[(first, 2)])
        .items(0, &mapping, run, BillingZone::UTC)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "slices[0], field start: invalid carried usage \"0001-01-01T00:00:00+00:00 rtc 720p\": \
         expected usage at most 2047 months from the billing month 0171-09 (bill it in a run \
         nearer its own month)"
    );
}
