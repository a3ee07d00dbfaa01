//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! named here is `Send + Sync` (a change that broke that would stop this file compiling).
//! Every type is named by its path at the crate root, the one the docs use
//! (`tests/exports.rs` checks that no public type is left out of the root).

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter_billing::*;
    assert_send_sync::<Error>();
    assert_send_sync::<ErrorKind>();
    assert_send_sync::<AppStatus>();
    assert_send_sync::<AppAction>();
    assert_send_sync::<AppContext>();
    assert_send_sync::<AppRefusal>();
    assert_send_sync::<LifecyclePolicy>();
    assert_send_sync::<Renewal>();
    assert_send_sync::<Phase>();
    assert_send_sync::<PackId>();
    assert_send_sync::<Coefficient>();
    assert_send_sync::<Pack>();
    assert_send_sync::<UsageItem>();
    assert_send_sync::<LedgerSource>();
    assert_send_sync::<LedgerLine>();
    assert_send_sync::<Deduction>();
    assert_send_sync::<PackBalance>();
    assert_send_sync::<LowBalance>();
    assert_send_sync::<RefundRefusal>();
    assert_send_sync::<RefundDecision>();
    assert_send_sync::<BatchReport>();
    assert_send_sync::<PackEngine>();
    assert_send_sync::<EngineState>();
    assert_send_sync::<PackRecord>();
    assert_send_sync::<AppliedIds>();
    assert_send_sync::<WatchRecord>();
    assert_send_sync::<Proration>();
    assert_send_sync::<ProrationPolicy>();
    assert_send_sync::<ProrationRequest>();
    assert_send_sync::<PricedItem>();
    assert_send_sync::<Configuration>();
    assert_send_sync::<EventKind>();
    assert_send_sync::<ResourceEvent>();
    assert_send_sync::<ResourceTimeline>();
    assert_send_sync::<ResiduePolicy>();
    assert_send_sync::<SettlementOptions>();
    assert_send_sync::<SettlementLine>();
    assert_send_sync::<SettlementSummary>();
    assert_send_sync::<Settlement>();
    assert_send_sync::<OutOfPeriod>();
    assert_send_sync::<PeriodSplit>();
    assert_send_sync::<Tier>();
    assert_send_sync::<Pricing>();
    assert_send_sync::<TariffEntry>();
    assert_send_sync::<Tariff>();
    assert_send_sync::<TierCharge>();
    assert_send_sync::<Quote>();
    assert_send_sync::<StatementOptions>();
    assert_send_sync::<PackUsage>();
    assert_send_sync::<StatementLine>();
    assert_send_sync::<Statement>();
}

#[cfg(feature = "serde")]
#[test]
fn request_types_are_send_and_sync() {
    use mediameter_billing::*;
    assert_send_sync::<BillRequest>();
    assert_send_sync::<BillOutcome>();
    assert_send_sync::<SettleRequest>();
}
