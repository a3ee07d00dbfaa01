//! Bills one month the way the vendor's price page reads: two RTC minute packs, a graduated
//! pay-as-you-go tariff, and a month of metered seconds. Uses only `mediameter_billing`'s
//! root exports (and `rust_decimal_macros` for `dec!`).
//!
//! Run with `cargo run -p mediameter-billing --example month`.

use mediameter_billing::{
    Currency, DateTime, MediaSpec, Pack, PackEngine, StatementOptions, Tariff, Tier, TimeRange,
    Unit, UsageItem, Utc, monthly_statement,
};
use rust_decimal_macros::dec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let at = |text: &str| text.parse::<DateTime<Utc>>();
    let rtc = || "rtc".parse();

    let mut engine = PackEngine::with_packs(vec![
        Pack::minutes(
            "pk-a",
            rtc()?,
            dec!(1000),
            at("2023-04-01T00:00:00Z")?,
            at("2023-04-15T00:00:00Z")?,
        )?,
        Pack::minutes(
            "pk-b",
            rtc()?,
            dec!(3000),
            at("2023-04-01T00:00:00Z")?,
            at("2023-07-01T00:00:00Z")?,
        )?,
    ])?;
    let tariff = Tariff::graduated(
        Currency::CNY,
        rtc()?,
        Unit::Minute,
        [
            Tier::up_to(dec!(1000), dec!(0.028)),
            Tier::beyond(dec!(0.020)),
        ],
    )?;
    let usage = [
        UsageItem::seconds(
            1,
            at("2023-04-05T10:00:00Z")?,
            rtc()?,
            "720p".parse()?,
            45_000,
        )?,
        UsageItem::seconds(
            2,
            at("2023-04-10T10:00:00Z")?,
            rtc()?,
            "720p".parse()?,
            30_000,
        )?,
        UsageItem::seconds(
            3,
            at("2023-04-20T10:00:00Z")?,
            rtc()?,
            "1080p".parse()?,
            150_000,
        )?,
        UsageItem::seconds(
            4,
            at("2023-04-25T10:00:00Z")?,
            rtc()?,
            "720p".parse()?,
            90_030,
        )?,
        UsageItem::seconds(5, at("2023-04-28T10:00:00Z")?, rtc()?, MediaSpec::Audio, 59)?,
    ];
    let report = engine.deduct_batch(&usage)?;

    let april = TimeRange::new(at("2023-04-01T00:00:00Z")?, at("2023-05-01T00:00:00Z")?)?;
    let statement =
        monthly_statement(&report.ledger, april, &tariff, &StatementOptions::default())?;
    println!("statement of {}", statement.period);
    for p in &statement.packs {
        println!("  pack {:<6} absorbed {} {}s", p.pack, p.usage, p.unit);
    }
    for l in &statement.lines {
        println!(
            "  {} {:<6} {} {}s over → {} {}s billed: {} {}",
            l.product,
            l.spec,
            l.overflow,
            Unit::Second,
            l.quantity,
            l.unit,
            l.amount,
            statement.currency
        );
    }
    println!("  total due {} {}", statement.total, statement.currency);
    Ok(())
}
