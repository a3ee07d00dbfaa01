//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! named here is `Send + Sync` (a change that broke that would stop this file compiling).

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter_billing::{app, lifecycle, packs, settlement, tariff};
    assert_send_sync::<mediameter_billing::Error>();
    assert_send_sync::<mediameter_billing::ErrorKind>();
    assert_send_sync::<app::AppStatus>();
    assert_send_sync::<app::AppAction>();
    assert_send_sync::<app::AppContext>();
    assert_send_sync::<app::Refusal>();
    assert_send_sync::<lifecycle::LifecyclePolicy>();
    assert_send_sync::<lifecycle::Renewal>();
    assert_send_sync::<lifecycle::Phase>();
    assert_send_sync::<packs::PackId>();
    assert_send_sync::<packs::Coefficient>();
    assert_send_sync::<packs::Pack>();
    assert_send_sync::<packs::UsageItem>();
    assert_send_sync::<packs::LedgerSource>();
    assert_send_sync::<packs::LedgerLine>();
    assert_send_sync::<packs::Deduction>();
    assert_send_sync::<packs::PackBalance>();
    assert_send_sync::<packs::LowBalance>();
    assert_send_sync::<packs::RefundRefusal>();
    assert_send_sync::<packs::RefundDecision>();
    assert_send_sync::<packs::BatchReport>();
    assert_send_sync::<packs::PackEngine>();
    assert_send_sync::<packs::EngineState>();
    assert_send_sync::<packs::PackRecord>();
    assert_send_sync::<packs::AppliedIds>();
    assert_send_sync::<packs::WatchRecord>();
    assert_send_sync::<mediameter_billing::Proration>();
    assert_send_sync::<mediameter_billing::ProrationPolicy>();
    assert_send_sync::<mediameter_billing::ProrationRequest>();
    assert_send_sync::<settlement::PricedItem>();
    assert_send_sync::<settlement::Configuration>();
    assert_send_sync::<settlement::EventKind>();
    assert_send_sync::<settlement::ResourceEvent>();
    assert_send_sync::<settlement::ResourceTimeline>();
    assert_send_sync::<settlement::ResiduePolicy>();
    assert_send_sync::<settlement::SettlementOptions>();
    assert_send_sync::<settlement::SettlementLine>();
    assert_send_sync::<settlement::SettlementSummary>();
    assert_send_sync::<settlement::Settlement>();
    assert_send_sync::<tariff::Tier>();
    assert_send_sync::<tariff::Pricing>();
    assert_send_sync::<tariff::TariffEntry>();
    assert_send_sync::<tariff::Tariff>();
    assert_send_sync::<tariff::TierCharge>();
    assert_send_sync::<tariff::Quote>();
    assert_send_sync::<tariff::StatementOptions>();
    assert_send_sync::<tariff::PackUsage>();
    assert_send_sync::<tariff::StatementLine>();
    assert_send_sync::<tariff::Statement>();
}

#[cfg(feature = "serde")]
#[test]
fn request_types_are_send_and_sync() {
    use mediameter_billing::input;
    assert_send_sync::<input::BillRequest>();
    assert_send_sync::<input::BillOutcome>();
    assert_send_sync::<input::SettleRequest>();
}
