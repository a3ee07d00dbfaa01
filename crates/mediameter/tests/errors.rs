//! Bad input: each a clear error naming the item and field; nothing half-applied.

use mediameter::billing::OutOfPeriod;
use mediameter::billing::Tariff;
use mediameter::core::Currency;
use mediameter::mapping::Mapping;
use mediameter::usage::parse_csv;
use mediameter::{BillingMonth, InvoiceOptions, InvoiceRequest, invoice};
use rust_decimal_macros::dec;

fn tariff(json_entries: &str) -> Tariff {
    serde_json::from_str(&format!(
        r#"{{"currency": "CNY", "entries": [{json_entries}]}}"#
    ))
    .unwrap()
}

const RTC_720P: &str = r#"{"product": "rtc", "spec": "720p", "unit": "minute", "pricing": {"model": "flat", "unit_price": "0.028"}}"#;

fn march() -> BillingMonth {
    "2024-03".parse().unwrap()
}

#[test]
fn a_period_that_is_not_a_month_is_refused() {
    for bad in [
        "2024-13",
        "2024-00",
        "2024-3",
        "2024-03-01",
        "24-03",
        "March",
        "",
        "0000-01",
    ] {
        let err = bad.parse::<BillingMonth>().unwrap_err().to_string();
        assert!(err.starts_with("invalid billing month"), "{bad}: {err}");
    }
    let err = serde_json::from_str::<InvoiceRequest>(
        r#"{"month": "2024-03-01", "tariff": {"currency": "CNY", "entries": []}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("invalid billing month"), "{err}");
}

#[test]
fn an_unknown_product_in_the_mapping_is_refused_naming_the_rule() {
    let mapping: Mapping =
        serde_json::from_str(r#"{"rules": [{"role": "sub", "product": "rtx"}]}"#).unwrap();
    let err = InvoiceRequest::new(march(), tariff(RTC_720P))
        .with_mapping(mapping)
        .start()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "mapping rules[0], field product: invalid mapping product \"rtx\": expected a product the tariff prices"
    );
}

#[test]
fn unknown_specs_and_fields_in_the_mapping_are_refused() {
    for (json, needle) in [
        (
            r#"{"rules": [{"role": "sub", "product": "rtc", "specs": ["8k"]}]}"#,
            "media spec",
        ),
        (
            r#"{"rules": [{"role": "sub", "product": "rtc", "bill_spec": "hd"}]}"#,
            "bill spec",
        ),
        (r#"{"rules": [{"role": "host", "product": "rtc"}]}"#, "role"),
        (
            r#"{"rules": [{"role": "sub", "product": "rtc", "price": 1}]}"#,
            "unknown field",
        ),
        (r#"{"rules": []}"#, "1 to 64 rules"),
        (
            r#"{"rules": [{"role": "sub", "product": "live", "specs": ["audio"], "bill_spec": "live_tier"}]}"#,
            "rules[0], field specs",
        ),
    ] {
        let err = serde_json::from_str::<Mapping>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{json}: {err}");
    }
}

#[test]
fn a_tariff_with_no_price_for_a_billed_spec_is_refused_before_any_deduction() {
    let segs = parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,c,u,sub,720p,,1709258400,1709258460\n\
         a,c,u,sub,1080p,,1709258400,1709258460\n",
    )
    .unwrap();
    let err = invoice(&segs, InvoiceRequest::new(march(), tariff(RTC_720P)))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "tariff, field entries: invalid tariff \"rtc 1080p\": expected a price for every billed product and spec"
    );
}

#[test]
fn mixed_currencies_are_refused() {
    let options = InvoiceOptions::default().with_currency(Some(Currency::USD));
    let err = InvoiceRequest::new(march(), tariff(RTC_720P))
        .with_options(options)
        .start()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "tariff, field currency: currency mismatch in invoice: CNY and USD"
    );
}

#[test]
fn segments_with_reversed_times_are_refused_naming_line_and_field() {
    let err = parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,c,u,sub,720p,,1709258460,1709258400\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("end"), "{err}");
}

#[test]
fn usage_outside_the_month_is_refused_naming_the_segment_or_carried() {
    // 31 March 23:50 to 1 April 00:10, GMT+8.
    let segs = parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,c,u,sub,720p,,1709258400,1709258460\n\
         a,c,u,sub,720p,,1711900200,1711901400\n",
    )
    .unwrap();
    let err = invoice(&segs, InvoiceRequest::new(march(), tariff(RTC_720P)))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "segment 2, field end: invalid segment instant \"2024-03-31T16:10:00+00:00\""
        ),
        "{err}"
    );
    let options = InvoiceOptions::default().with_out_of_period(OutOfPeriod::Carry);
    let bill = invoice(
        &segs,
        InvoiceRequest::new(march(), tariff(RTC_720P)).with_options(options),
    )
    .unwrap();
    // March bills 60 s + 600 s = 11 minutes; April's 600 s are carried, not applied.
    assert_eq!(bill.statement.lines[0].quantity, dec!(11));
    assert_eq!(bill.carried.len(), 1);
    assert_eq!(bill.carried[0].quantity().value(), dec!(600));
    assert_eq!(bill.applied, 2);
}

#[test]
fn unmatched_segments_are_refused_when_the_mapping_says_so() {
    let mapping: Mapping = serde_json::from_str(
        r#"{"rules": [{"role": "sub", "product": "rtc"}], "unmatched": "refuse"}"#,
    )
    .unwrap();
    let segs = parse_csv(
        "app,channel,user,role,spec,region,start,end\n\
         a,c,u,sub,720p,,1709258400,1709258460\n\
         a,c,h,pub,720p,,1709258400,1709258460\n",
    )
    .unwrap();
    let err = invoice(
        &segs,
        InvoiceRequest::new(march(), tariff(RTC_720P)).with_mapping(mapping),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("segment 2, field role: "), "{err}");
}

/// The glue's own limit and arithmetic errors are the facade's, not core's: core reports
/// errors of core values, and the meter's slice limit and its counts are the glue's
/// (docs/architecture.md, "Error convention"). Before the fix both came back as core errors.
#[test]
fn the_glues_limit_and_overflow_errors_are_its_own() {
    use mediameter::core::{Buckets, Granularity, TimeRange};
    use mediameter::meter::{BillableUsage, MAX_SLICES, Meter};
    use mediameter::usage::parse_csv;
    use mediameter::{Error, ErrorKind};

    // Two years of one segment on a one-minute grid: over a million slices.
    let period = TimeRange::from_unix(0, 3 * 365 * 86_400).unwrap();
    let grid = Buckets::new(mediameter::core::BillingZone::UTC, Granularity::MINUTE);
    let mut meter = Meter::new(Mapping::rtc(), period, grid, OutOfPeriod::Refuse, []).unwrap();
    let two_years = 2 * 365 * 86_400;
    let segs = parse_csv(&format!(
        "app,channel,user,role,spec,region,start,end\na,c,u,sub,720p,,0,{two_years}\n"
    ))
    .unwrap();
    let err = meter.push(&segs[0]).unwrap_err();
    assert!(err.as_core().is_none(), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err:?}");
    let Error::At { place, source } = &err else {
        panic!("not located: {err:?}");
    };
    assert_eq!(place, "segment 1, field end");
    assert_eq!(
        source.to_string(),
        format!(
            "billable usage slices would produce {} items, more than the limit of {MAX_SLICES}",
            MAX_SLICES + 1
        )
    );

    // A count that leaves u64 when two shards are merged.
    let shard = |segments: u64| -> BillableUsage {
        serde_json::from_str(&format!(
            r#"{{"segments": {segments}, "unbilled": {{"publish": 0, "subscribe": 0}}, "slices": []}}"#
        ))
        .unwrap()
    };
    let mut full = shard(u64::MAX);
    let err = full.merge(&shard(1)).unwrap_err();
    assert!(err.as_core().is_none(), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Overflow, "{err:?}");
    assert_eq!(err, Error::overflow("billable usage merge"));
    assert_eq!(
        err.to_string(),
        "arithmetic overflow in billable usage merge"
    );
    assert_eq!(full.segments(), u64::MAX, "unchanged on error");
}
