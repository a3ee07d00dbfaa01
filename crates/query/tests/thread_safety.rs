//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! named here is `Send + Sync` (a change that broke that would stop this file compiling).

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter_query::*;
    assert_send_sync::<Registry>();
    assert_send_sync::<Gate>();
    assert_send_sync::<rate::RateLimiter>();
    assert_send_sync::<rate::SharedRateLimiter>();
    assert_send_sync::<rate::Decision>();
    assert_send_sync::<Profile>();
    assert_send_sync::<ProfileBuilder>();
    assert_send_sync::<Vendor>();
    assert_send_sync::<ViolationKind>();
    assert_send_sync::<Param>();
    assert_send_sync::<ParamKind>();
    assert_send_sync::<Alias>();
    assert_send_sync::<TimeRule>();
    assert_send_sync::<Delay>();
    assert_send_sync::<DelayValue>();
    assert_send_sync::<RateSpec>();
    assert_send_sync::<ErrorRule>();
    assert_send_sync::<Options>();
    assert_send_sync::<FixedClock>();
    assert_send_sync::<ValidQuery<'static>>();
    assert_send_sync::<Value<'static>>();
    assert_send_sync::<Warning>();
    assert_send_sync::<WarningKind>();
    assert_send_sync::<Rejection>();
    assert_send_sync::<Violation>();
    assert_send_sync::<Problem>();
    assert_send_sync::<VendorBody>();
    assert_send_sync::<AlibabaError>();
    assert_send_sync::<HuaweiError>();
    assert_send_sync::<VolcengineError>();
    assert_send_sync::<VolcengineErrorDetail>();
    assert_send_sync::<RetryAdvice>();
    assert_send_sync::<qs::Params<'static>>();
    assert_send_sync::<qs::QsLimits>();
    assert_send_sync::<qs::Encoding>();
    assert_send_sync::<qs::QsErrorReason>();
    assert_send_sync::<TimeFormat>();
    assert_send_sync::<Leniency>();
    assert_send_sync::<ParsedTime>();
    assert_send_sync::<TimeErrorReason>();
    assert_send_sync::<perm::Policy>();
    assert_send_sync::<perm::Statement>();
    assert_send_sync::<perm::Effect>();
    assert_send_sync::<perm::Access>();
    assert_send_sync::<perm::AccessLevel>();
    assert_send_sync::<perm::ActionInfo>();
    assert_send_sync::<CommonParams>();
    assert_send_sync::<TimeError>();
    assert_send_sync::<ProfileError>();
    assert_send_sync::<ParseNameError>();
    assert_send_sync::<Error>();
    assert_send_sync::<ErrorKind>();
}
