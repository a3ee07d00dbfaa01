//! `mediameter bill`, `mediameter prorate` and `mediameter settle`, and the billing section of
//! `mediameter demo`.

use std::io::Write;

use chrono::{DateTime, Utc};
use mediameter_billing::LedgerSource;
use mediameter_billing::Settlement;
use mediameter_billing::{BillOutcome, BillRequest, SettleRequest};
use mediameter_billing::{Proration, ProrationRequest};
use mediameter_core::BillingZone;

use crate::io::{CliError, Format, parse_json, read_input, write_json};

const SAMPLE: &str = include_str!("../data/billing_sample.json");

fn input_err(e: impl std::fmt::Display) -> CliError {
    CliError::input(e)
}

// ---------- bill ----------

/// Bill a month of usage: deduct it from prepaid packs (earliest expiry first) and price the
/// overflow with a pay-as-you-go tariff.
///
/// Input: `{"period": {"start", "end"}, "packs": [...], "usage": [...], "tariff": {...},
/// "options"?: {...}, "state"?: {...}}`. With `state` (the `state` of an earlier run) the
/// engine continues from it and `packs` are added to it; usage ids already applied are
/// skipped. Output: the statement, the pack balances, the new state and, with --ledger, every
/// deduction line.
#[derive(clap::Args, Debug)]
pub(crate) struct BillArgs {
    /// Input JSON file; standard input when omitted or `-`.
    input: Option<std::path::PathBuf>,
    /// Include the deduction ledger (one line per pack drawn or overflow, per usage item).
    #[arg(long)]
    ledger: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn bill(input: BillRequest, with_ledger: bool) -> Result<BillOutcome, CliError> {
    input.run(with_ledger).map_err(input_err)
}

/// Runs `mediameter bill`.
pub(crate) fn run_bill(args: &BillArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = read_input(args.input.as_deref())?;
    let input: BillRequest = parse_json(&text, "bill input")?;
    let output = bill(input, args.ledger)?;
    match args.format {
        Format::Json => write_json(out, &output),
        Format::Table => print_bill(out, &output),
    }
}

fn zone_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&BillingZone::GMT8.fixed_offset())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn print_bill(out: &mut dyn Write, o: &BillOutcome) -> Result<(), CliError> {
    let s = &o.statement;
    writeln!(
        out,
        "statement {} .. {} (GMT+8), {}; each line rounded once ({})",
        zone_time(s.period.start()),
        zone_time(s.period.end()),
        s.currency,
        s.rounding
    )?;
    writeln!(
        out,
        "items applied {}, replays skipped {}",
        o.applied, o.replayed
    )?;
    writeln!(out, "-- prepaid packs: usage absorbed this period --")?;
    writeln!(
        out,
        "{:<16} {:>14} {:>14}",
        "pack", "usage (min)", "drawn (min)"
    )?;
    for p in &s.packs {
        writeln!(
            out,
            "{:<16} {:>14} {:>14}",
            p.pack.as_str(),
            minutes(p.usage, p.unit),
            minutes(p.drawn, p.unit)
        )?;
    }
    writeln!(out, "-- pay-as-you-go overflow --")?;
    writeln!(
        out,
        "{:<8} {:<6} {:>12} {:>10} {:>14} {:>12}",
        "product", "spec", "billed", "unit", "exact", "amount"
    )?;
    for l in &s.lines {
        writeln!(
            out,
            "{:<8} {:<6} {:>12} {:>10} {:>14} {:>12}",
            l.product.as_str(),
            l.spec.as_str(),
            l.quantity.to_string(),
            l.unit.as_str(),
            l.amount_exact.to_string(),
            l.amount.to_string()
        )?;
        for t in &l.tiers {
            writeln!(
                out,
                "{:>17} {} .. {} at {} = {}",
                "tier", t.from, t.to, t.unit_price, t.amount
            )?;
        }
    }
    writeln!(
        out,
        "{:<8} {:<6} {:>12} {:>10} {:>14} {:>12}",
        "total",
        "",
        "",
        "",
        s.total_exact.to_string(),
        format!("{} {}", s.total, s.currency)
    )?;
    writeln!(out, "-- balances --")?;
    writeln!(
        out,
        "{:<16} {:<6} {:>12} {:>12} {:>12}  expires (GMT+8)",
        "pack", "product", "bought", "drawn", "left"
    )?;
    for b in &o.balances {
        writeln!(
            out,
            "{:<16} {:<6} {:>12} {:>12} {:>12}  {}{}",
            b.id.as_str(),
            b.product.as_str(),
            minutes(b.quantity, b.unit),
            minutes(b.drawn, b.unit),
            minutes(b.remaining, b.unit),
            zone_time(b.expires_at),
            if b.refunded { " (refunded)" } else { "" }
        )?;
    }
    if let Some(ledger) = &o.ledger {
        writeln!(out, "-- ledger --")?;
        for l in ledger {
            let unit = l.unit.as_str();
            match &l.source {
                LedgerSource::Pack(p) => writeln!(
                    out,
                    "item {:>4} {:<6} {:<14} {:>8} {unit}s × {} drawn {}",
                    l.item,
                    l.spec.as_str(),
                    p.as_str(),
                    l.usage,
                    l.coefficient,
                    l.drawn
                )?,
                LedgerSource::Overflow => writeln!(
                    out,
                    "item {:>4} {:<6} {:<14} {:>8} {unit}s to pay-as-you-go",
                    l.item,
                    l.spec.as_str(),
                    "overflow",
                    l.usage
                )?,
                // A source added to the library later: the line without its destination.
                _ => writeln!(
                    out,
                    "item {:>4} {:<6} {:<14} {:>8} {unit}s",
                    l.item,
                    l.spec.as_str(),
                    "other",
                    l.usage
                )?,
            }
        }
    }
    Ok(())
}

/// Base units shown as minutes for time, as they are for counts.
pub(crate) fn minutes(value: rust_decimal::Decimal, unit: mediameter_core::Unit) -> String {
    match unit {
        mediameter_core::Unit::Second => value
            .checked_div(rust_decimal::Decimal::from(60))
            .map_or_else(|| value.to_string(), |m| m.normalize().to_string()),
        _ => value.to_string(),
    }
}

// ---------- prorate ----------

/// Compute the fee for upgrading a monthly subscription (remaining natural months, Huawei Cloud iDME billing manual).
///
/// Input: `{"purchased_at", "months", "zone"?, "changed_at", "old_price": {"amount",
/// "currency"}, "new_price": {...}, "policy"?: {"period": {"scale", "mode"} | null, "money":
/// {...}}}`. Output: the month slices, the exact and rounded period, and the fee.
#[derive(clap::Args, Debug)]
pub(crate) struct ProrateArgs {
    /// Input JSON file; standard input when omitted or `-`.
    input: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs `mediameter prorate`.
pub(crate) fn run_prorate(args: &ProrateArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = read_input(args.input.as_deref())?;
    let request: ProrationRequest = parse_json(&text, "proration request")?;
    let p = request.compute().map_err(input_err)?;
    match args.format {
        Format::Json => write_json(out, &p),
        Format::Table => print_proration(out, &request, &p),
    }
}

fn print_proration(
    out: &mut dyn Write,
    r: &ProrationRequest,
    p: &Proration,
) -> Result<(), CliError> {
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&r.zone.fixed_offset())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    writeln!(
        out,
        "term bought {} ({}) for {} month(s); changed {}",
        local(r.purchased_at),
        r.zone,
        r.months,
        local(r.changed_at)
    )?;
    let parts: Vec<String> = p
        .slices
        .iter()
        .map(|s| format!("{}/{}", s.days(), s.days_in_month()))
        .collect();
    let sum = if parts.is_empty() {
        "0".to_owned()
    } else {
        parts.join(" + ")
    };
    writeln!(
        out,
        "remaining period  {sum} = {}/{} = {} → {}",
        p.numerator,
        p.denominator,
        p.period_exact.round_dp(8),
        p.period
    )?;
    writeln!(
        out,
        "price difference  {} − {} = {}",
        r.new_price, r.old_price, p.price_difference
    )?;
    writeln!(
        out,
        "fee               {} × {} = {} → {}",
        p.price_difference.amount(),
        p.period,
        p.fee_unrounded.amount(),
        p.fee
    )?;
    writeln!(out, "term total        {}", p.term_total)?;
    Ok(())
}

// ---------- settle ----------

/// Settle per-second on-demand resources hour by hour (GMT+8 grid by default, Huawei Cloud iDME billing manual).
///
/// Input: `{"options"?: {"zone", "rounding", "residue", "window"}, "resources": [{"resource",
/// "events": [{"at", "event": "created" | "changed" | "deleted", "configuration"?}]}]}`.
/// Output: per resource, one line per configuration in force in each hour, and totals.
#[derive(clap::Args, Debug)]
pub(crate) struct SettleArgs {
    /// Input JSON file; standard input when omitted or `-`.
    input: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn settle(input: &SettleRequest) -> Result<Vec<Settlement>, CliError> {
    input.run().map_err(input_err)
}

/// Runs `mediameter settle`.
pub(crate) fn run_settle(args: &SettleArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = read_input(args.input.as_deref())?;
    let input: SettleRequest = parse_json(&text, "settlement input")?;
    let settlements = settle(&input)?;
    match args.format {
        Format::Json => write_json(out, &settlements),
        Format::Table => print_settlements(out, &settlements, input.options.zone),
    }
}

fn print_settlements(
    out: &mut dyn Write,
    all: &[Settlement],
    zone: BillingZone,
) -> Result<(), CliError> {
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&zone.fixed_offset())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    for s in all {
        writeln!(
            out,
            "resource {} ({}, hours in {zone})",
            s.resource, s.currency
        )?;
        writeln!(
            out,
            "  {:<19}  {:<19}  {:<19} {:>5} {:>4} {:>10} {:>12} {:>10}",
            "period", "from", "to", "secs", "cfg", "per hour", "exact", "amount"
        )?;
        for l in &s.lines {
            writeln!(
                out,
                "  {:<19}  {:<19}  {:<19} {:>5} {:>4} {:>10} {:>12} {:>10}",
                local(l.period_start),
                local(l.start),
                local(l.end),
                l.seconds,
                l.configuration,
                l.hourly_price.amount().to_string(),
                l.amount_exact.round_dp(6).to_string(),
                l.amount.to_string()
            )?;
        }
        writeln!(
            out,
            "  total {} s, {} {} (exact {}, carried residue {})",
            s.summary.seconds,
            s.summary.total,
            s.currency,
            s.summary.total_exact.round_dp(8),
            s.summary.residue.round_dp(8)
        )?;
    }
    Ok(())
}

// ---------- demo ----------

/// The billing section of `mediameter demo`: bills the bundled sample month and shows the
/// worked examples of Huawei Cloud iDME billing manual.
pub(crate) fn demo(out: &mut dyn Write) -> Result<(), CliError> {
    let sample: BillRequest = parse_json(SAMPLE, "bundled billing sample")?;
    writeln!(
        out,
        "== billing: a month of RTC usage against stacked packs, overflow on a tiered tariff =="
    )?;
    let output = bill(sample, true)?;
    print_bill(out, &output)?;

    writeln!(
        out,
        "\n== billing: upgrade proration, Huawei Cloud iDME billing manual worked examples =="
    )?;
    for (name, json) in [
        (
            "A",
            r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1, "changed_at": "2023-03-20T01:00:00Z",
               "old_price": {"amount": "25950.00", "currency": "CNY"}, "new_price": {"amount": "52168.00", "currency": "CNY"}}"#,
        ),
        (
            "B",
            r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
               "old_price": {"amount": "12750.00", "currency": "CNY"}, "new_price": {"amount": "25500.00", "currency": "CNY"}}"#,
        ),
    ] {
        let request: ProrationRequest = parse_json(json, "bundled proration example")?;
        let p = request.compute().map_err(input_err)?;
        writeln!(out, "-- example {name} --")?;
        print_proration(out, &request, &p)?;
    }
    writeln!(
        out,
        "(the vendor document prints 8,392.78 for example B: 12,750 × 0.6581 = 8,390.775, so 8,390.78 is right)"
    )?;

    writeln!(
        out,
        "\n== billing: hourly settlement, Huawei Cloud iDME billing manual (bought 09:00, upgraded 10:00, deleted 10:45:46 GMT+8) =="
    )?;
    let settle_json = r#"{"resources": [{"resource": "idme-engine", "events": [
        {"at": "2023-04-18T01:00:00Z", "event": "created", "configuration": {"items": [
            {"name": "model", "quantity": "3", "hourly_price": {"amount": "0.80", "currency": "CNY"}},
            {"name": "compute", "quantity": "3", "hourly_price": {"amount": "1.20", "currency": "CNY"}},
            {"name": "capacity", "quantity": "1", "hourly_price": {"amount": "0.50", "currency": "CNY"}}]}},
        {"at": "2023-04-18T02:00:00Z", "event": "changed", "configuration": {"items": [
            {"name": "model", "quantity": "3", "hourly_price": {"amount": "0.80", "currency": "CNY"}},
            {"name": "compute", "quantity": "3", "hourly_price": {"amount": "1.20", "currency": "CNY"}},
            {"name": "capacity", "quantity": "2", "hourly_price": {"amount": "0.50", "currency": "CNY"}}]}},
        {"at": "2023-04-18T02:45:46Z", "event": "deleted"}]}]}"#;
    let input: SettleRequest = parse_json(settle_json, "bundled settlement example")?;
    let settlements = settle(&input)?;
    print_settlements(out, &settlements, input.options.zone)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_bills_the_sample() {
        let mut out = Vec::new();
        demo(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("pk-april-500"), "{text}");
        assert!(text.contains("25032.95 CNY"), "{text}");
        assert!(text.contains("8390.78 CNY"), "{text}");
        assert!(text.contains("2746"), "{text}");
    }

    #[test]
    fn bill_continues_from_its_printed_state() {
        let sample: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let mut first = sample.clone();
        first["usage"] =
            serde_json::Value::Array(sample["usage"].as_array().unwrap()[..3].to_vec());
        let once: BillRequest = serde_json::from_value(sample.clone()).unwrap();
        let whole = bill(once, false).unwrap();
        let part = bill(serde_json::from_value(first).unwrap(), false).unwrap();
        // Second run: the printed state, no new packs, the whole batch again.
        let mut second = sample;
        second["packs"] = serde_json::Value::Array(vec![]);
        second["state"] = serde_json::to_value(&part.state).unwrap();
        let rest = bill(serde_json::from_value(second).unwrap(), false).unwrap();
        assert_eq!(rest.replayed, part.applied + 1);
        assert_eq!(rest.balances, whole.balances);
        assert_eq!(
            serde_json::to_value(&rest.state).unwrap(),
            serde_json::to_value(&whole.state).unwrap()
        );
    }

    #[test]
    fn run_commands_read_files_and_report_errors() {
        let dir = std::env::temp_dir();
        let path = dir.join(format!(
            "mediameter-billing-cli-{}.json",
            std::process::id()
        ));
        std::fs::write(
            &path,
            r#"{"purchased_at": "2023-04-08T02:00:00Z", "months": 1, "changed_at": "2023-04-18T02:00:00Z",
                "old_price": {"amount": "12750.00", "currency": "CNY"}, "new_price": {"amount": "25500.00", "currency": "CNY"}}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        run_prorate(
            &ProrateArgs {
                input: Some(path.clone()),
                format: Format::Json,
            },
            &mut out,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["fee"]["amount"], "8390.78");
        let mut table = Vec::new();
        run_prorate(
            &ProrateArgs {
                input: Some(path.clone()),
                format: Format::Table,
            },
            &mut table,
        )
        .unwrap();
        assert!(String::from_utf8(table).unwrap().contains("12/30 + 8/31"));
        std::fs::write(&path, r#"{"resources": [{"resource": "r", "events": [{"at": "2023-04-18T02:00:00Z", "event": "deleted"}]}]}"#).unwrap();
        let err = run_settle(
            &SettleArgs {
                input: Some(path.clone()),
                format: Format::Json,
            },
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("deletion before the creation"),
            "{err}"
        );
        let _ = std::fs::remove_file(&path);
    }
}
