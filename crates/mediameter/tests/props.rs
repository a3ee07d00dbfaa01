//! Property tests: the invoice against a plain reference, shards, batches and replays.

use mediameter::billing::Pack;
use mediameter::billing::Tariff;
use mediameter::core::{
    AppId, ChannelId, MediaSpec, Quantity, Role, StreamSegment, TimeRange, Unit, UserId,
};
use mediameter::meter::BillableUsage;
use mediameter::{BillingMonth, InvoiceOptions, InvoiceRequest, invoice};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// March 2024 in GMT+8, Unix seconds.
const MARCH: (i64, i64) = (1_709_222_400, 1_711_900_800);

fn tariff() -> Tariff {
    serde_json::from_str(
        r#"{"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
        "pricing": {"model": "graduated", "tiers": [{"up_to": "30", "unit_price": "0.063"},
        {"unit_price": "0.041"}]}}]}"#,
    )
    .unwrap()
}

/// Graduated 0.063 up to 30 minutes, 0.041 beyond, rounded once to the cent half up.
fn reference_price(minutes: u64) -> Decimal {
    let low = Decimal::from(minutes.min(30)) * Decimal::new(63, 3);
    let high = Decimal::from(minutes.saturating_sub(30)) * Decimal::new(41, 3);
    (low + high).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

fn segment(role: bool, spec: MediaSpec, start: i64, len: i64) -> StreamSegment {
    StreamSegment::new(
        AppId::new("a").unwrap(),
        ChannelId::new("c").unwrap(),
        UserId::new("u").unwrap(),
        if role { Role::Subscribe } else { Role::Publish },
        spec,
        TimeRange::from_unix(start, start + len).unwrap(),
    )
}

fn segments(spec: MediaSpec) -> impl Strategy<Value = Vec<StreamSegment>> {
    prop::collection::vec(
        (any::<bool>(), MARCH.0..MARCH.1 - 7200, 1_i64..7200)
            .prop_map(move |(role, start, len)| segment(role, spec, start, len)),
        0..40,
    )
}

fn spec() -> impl Strategy<Value = MediaSpec> {
    prop::sample::select(MediaSpec::ALL.to_vec())
}

/// Packs valid all month (no coefficient): their total in minutes.
fn packs(minutes: &[u32]) -> Vec<Pack> {
    minutes
        .iter()
        .enumerate()
        .map(|(i, m)| {
            Pack::new(
                format!("p{i}"),
                "rtc".parse().unwrap(),
                Quantity::new(Decimal::from(*m), Unit::Minute).unwrap(),
                chrono::DateTime::from_timestamp(MARCH.0 - 86_400, 0).unwrap(),
                chrono::DateTime::from_timestamp(MARCH.1 + 86_400 * (i as i64 + 1), 0).unwrap(),
            )
            .unwrap()
        })
        .collect()
}

fn request(pack_minutes: &[u32]) -> InvoiceRequest {
    InvoiceRequest::new("2024-03".parse::<BillingMonth>().unwrap(), tariff())
        .with_packs(packs(pack_minutes))
}

fn billed_seconds(bill: &mediameter::Invoice) -> Decimal {
    bill.statement
        .packs
        .iter()
        .map(|p| p.usage)
        .sum::<Decimal>()
        + bill
            .statement
            .lines
            .iter()
            .map(|l| l.overflow)
            .sum::<Decimal>()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The invoice total equals a plain reference: the subscribe seconds summed, the packs'
    /// seconds taken off, the rest turned into minutes once and priced by the tiers.
    #[test]
    fn total_equals_the_plain_reference(
        spec in spec(),
        segs in segments(MediaSpec::Audio),
        pack_minutes in prop::collection::vec(0_u32..200, 0..3),
    ) {
        let segs: Vec<StreamSegment> = segs.into_iter().map(|mut s| { s.spec = spec; s }).collect();
        let pack_minutes: Vec<u32> = pack_minutes.into_iter().filter(|m| *m > 0).collect();
        let bill = invoice(&segs, request(&pack_minutes)).unwrap();

        let usage: u64 = segs.iter().filter(|s| s.role == Role::Subscribe).map(|s| s.range.seconds()).sum();
        let covered = usage.min(pack_minutes.iter().map(|m| u64::from(*m) * 60).sum());
        let overflow_minutes = (usage - covered).div_ceil(60);
        prop_assert_eq!(bill.statement.total, reference_price(overflow_minutes));
        prop_assert_eq!(billed_seconds(&bill), Decimal::from(usage));
        prop_assert_eq!(bill.metered_seconds, Decimal::from(usage));
    }

    /// Metered in shards and merged, the usage and the invoice are those of one pass.
    #[test]
    fn shards_merge_into_the_whole(
        segs in segments(MediaSpec::Audio),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        pack_minutes in prop::collection::vec(1_u32..100, 0..3),
    ) {
        let whole = invoice(&segs, request(&pack_minutes)).unwrap();
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c.index(segs.len() + 1)).collect();
        bounds.extend([0, segs.len()]);
        bounds.sort_unstable();
        let run = request(&pack_minutes).start().unwrap();
        let mut merged = BillableUsage::default();
        for w in bounds.windows(2) {
            let mut meter = run.meter().unwrap();
            meter.extend(&segs[w[0]..w[1]]).unwrap();
            merged.merge(&meter.finish()).unwrap();
        }
        let sharded = run.bill(&merged).unwrap();
        prop_assert_eq!(sharded, whole);
    }

    /// Split into batches, each invoiced in its own partition from the previous state, every
    /// second is billed exactly once (drawn from a pack or overflowing); sending a batch again
    /// bills nothing.
    #[test]
    fn batches_bill_every_second_once_and_replays_nothing(
        segs in segments(MediaSpec::Audio),
        batches in 1_usize..4,
        pack_minutes in prop::collection::vec(1_u32..100, 0..3),
    ) {
        let usage: u64 = segs.iter().filter(|s| s.role == Role::Subscribe).map(|s| s.range.seconds()).sum();
        let size = segs.len().div_ceil(batches).max(1);
        let mut state = None;
        let mut billed = Decimal::ZERO;
        for (i, batch) in segs.chunks(size).enumerate() {
            let options = InvoiceOptions::default().with_partition(i as u32);
            let mut req = InvoiceRequest::new("2024-03".parse().unwrap(), tariff()).with_options(options.clone());
            req = match state.take() {
                None => req.with_packs(packs(&pack_minutes)),
                Some(s) => req.with_state(s),
            };
            let bill = invoice(batch, req).unwrap();
            billed += billed_seconds(&bill);
            // The same batch again, from the state it produced: nothing is billed twice.
            let again = invoice(batch, InvoiceRequest::new("2024-03".parse().unwrap(), tariff())
                .with_options(options).with_state(bill.state.clone())).unwrap();
            prop_assert_eq!(again.applied, 0);
            prop_assert_eq!(again.billed_seconds, Decimal::ZERO);
            prop_assert_eq!(again.replayed_seconds, bill.metered_seconds);
            prop_assert_eq!(again.statement.total, Decimal::ZERO);
            prop_assert_eq!(&again.balances, &bill.balances);
            state = Some(bill.state);
        }
        prop_assert_eq!(billed, Decimal::from(usage));
    }

    /// The billing month prints as it parses.
    #[test]
    fn billing_month_round_trips(year in 1_i32..=9999, month in 1_u32..=12) {
        let m = BillingMonth::new(year, month).unwrap();
        prop_assert_eq!(m.to_string().parse::<BillingMonth>().unwrap(), m);
        let json = serde_json::to_string(&m).unwrap();
        prop_assert_eq!(serde_json::from_str::<BillingMonth>(&json).unwrap(), m);
    }
}
