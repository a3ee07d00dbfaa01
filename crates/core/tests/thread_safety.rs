//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! named here is `Send + Sync` (a change that broke that would stop this file compiling).

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter_core::*;
    assert_send_sync::<Money>();
    assert_send_sync::<Currency>();
    assert_send_sync::<Rounding>();
    assert_send_sync::<RoundingMode>();
    assert_send_sync::<Quantity>();
    assert_send_sync::<Unit>();
    assert_send_sync::<MinutePolicy>();
    assert_send_sync::<TimeRange>();
    assert_send_sync::<BillingZone>();
    assert_send_sync::<Granularity>();
    assert_send_sync::<Buckets>();
    assert_send_sync::<BucketPiece>();
    assert_send_sync::<time::BucketPieces>();
    assert_send_sync::<time::SecondPieces>();
    assert_send_sync::<MonthSlice>();
    assert_send_sync::<calendar::MonthSlices>();
    assert_send_sync::<SubscriptionTerm>();
    assert_send_sync::<AppId>();
    assert_send_sync::<ChannelId>();
    assert_send_sync::<UserId>();
    assert_send_sync::<RegionId>();
    assert_send_sync::<DomainName>();
    assert_send_sync::<InstanceId>();
    assert_send_sync::<ProductType>();
    assert_send_sync::<MediaSpec>();
    assert_send_sync::<VideoTier>();
    assert_send_sync::<LiveTier>();
    assert_send_sync::<Role>();
    assert_send_sync::<StreamSegment>();
    assert_send_sync::<echo::Echo<'static>>();
    assert_send_sync::<echo::Controls<'static>>();
    assert_send_sync::<json::DuplicateKey>();
    assert_send_sync::<Error>();
    assert_send_sync::<ErrorKind>();
}
