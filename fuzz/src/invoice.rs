//! Fuzz targets of the `mediameter` glue: one per document it reads from outside.
//!
//! * `mapping_json`: a mapping as JSON (validated while parsing); what parses prints and
//!   parses back to itself, its targets are sorted and distinct, and every rule bills only
//!   targets in that list.
//! * `billable_usage_json`: metered usage as JSON (the mergeable state shards exchange);
//!   what parses prints and parses back to itself, and merged with itself doubles every
//!   figure.
//! * `request_doc`: the whole input of an invoice: an `InvoiceRequest` as JSON, a NUL byte,
//!   then segments as CSV. When it runs, the statement total is the sum of its rounded lines,
//!   every billed second was drawn from a pack or overflowed, what was metered is billed or
//!   replayed, and the same segments again from the printed state bill nothing.

use mediameter::mapping::Mapping;
use mediameter::meter::BillableUsage;
use mediameter::{InvoiceRequest, invoice};
use rust_decimal::Decimal;

/// Inputs larger than this are skipped: the targets test parsers, not memory limits.
const MAX_INPUT: usize = 64 * 1024;

/// Segments longer than this are skipped: a carried segment of centuries is bounded by the
/// meter's slice limit, but metering a million slices per input is not the parser's test.
const MAX_SEGMENT_SECONDS: u64 = 62 * 86_400;

fn text(data: &[u8]) -> Option<&str> {
    if data.len() > MAX_INPUT {
        return None;
    }
    std::str::from_utf8(data).ok()
}

/// A mapping as JSON.
pub fn mapping_json(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(mapping) = serde_json::from_str::<Mapping>(s) else {
        return;
    };
    let printed = serde_json::to_string(&mapping).expect("a mapping prints");
    let back: Mapping = serde_json::from_str(&printed).expect("a printed mapping parses");
    assert_eq!(back, mapping);
    let targets = mapping.targets();
    assert!(
        targets.windows(2).all(|w| w[0] < w[1]),
        "targets sorted and distinct"
    );
    // Every spec a rule matches (its list, or every spec when the list is empty) bills a listed
    // target; a spec the rule does not match bills nothing through it.
    for rule in mapping.rules() {
        let matched = mediameter_core::MediaSpec::ALL
            .into_iter()
            .filter(|s| rule.specs().is_empty() || rule.specs().contains(s));
        for spec in matched {
            if let Some(billed) = rule.bill_spec().apply(spec) {
                assert!(targets.contains(&(rule.product().clone(), billed)));
            }
        }
    }
}

/// Metered usage as JSON.
pub fn billable_usage_json(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Ok(usage) = serde_json::from_str::<BillableUsage>(s) else {
        return;
    };
    let printed = serde_json::to_string(&usage).expect("usage prints");
    let back: BillableUsage = serde_json::from_str(&printed).expect("printed usage parses");
    assert_eq!(back, usage);
    let mut twice = usage.clone();
    if twice.merge(&usage).is_ok() {
        assert_eq!(twice.slices().count(), usage.slices().count());
        for (a, b) in twice.slices().zip(usage.slices()) {
            assert_eq!(a.3, b.3 * 2);
        }
        assert_eq!(twice.segments(), usage.segments() * 2);
    }
}

/// An invoice request (JSON), a NUL byte, and segments (CSV).
pub fn request_doc(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let Some((json, csv)) = s.split_once('\0') else {
        return;
    };
    let Ok(request) = serde_json::from_str::<InvoiceRequest>(json) else {
        return;
    };
    let Ok(segments) = mediameter_usage::parse_csv(csv) else {
        return;
    };
    if segments
        .iter()
        .any(|s| s.range.seconds() > MAX_SEGMENT_SECONDS)
    {
        return;
    }
    let Ok(bill) = invoice(&segments, request.clone()) else {
        return;
    };
    let st = &bill.statement;
    let lines: Decimal = st.lines.iter().map(|l| l.amount).sum();
    assert_eq!(
        st.rounding.apply(lines),
        st.total,
        "the total is the sum of the lines"
    );
    let billed: Decimal = st.packs.iter().map(|p| p.usage).sum::<Decimal>()
        + st.lines.iter().map(|l| l.overflow).sum::<Decimal>();
    assert_eq!(billed, bill.billed_seconds, "billed = drawn + overflow");
    assert_eq!(
        bill.billed_seconds + bill.replayed_seconds,
        bill.metered_seconds,
        "what was metered is billed or replayed"
    );
    let mut again = request;
    again.packs.clear();
    again.state = Some(bill.state.clone());
    let rerun = invoice(&segments, again).expect("the same segments run again from the state");
    assert_eq!(rerun.applied, 0, "a slice was billed twice");
    assert_eq!(rerun.balances, bill.balances);
}
