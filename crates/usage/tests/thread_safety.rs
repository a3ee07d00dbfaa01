//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! named here is `Send + Sync` (a change that broke that would stop this file compiling).

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter_usage::*;
    assert_send_sync::<Aggregator>();
    assert_send_sync::<SegmentTable>();
    assert_send_sync::<RowLoader>();
    assert_send_sync::<SegmentRow<'static>>();
    assert_send_sync::<SegmentColumns<'static>>();
    assert_send_sync::<TextColumn<'static>>();
    assert_send_sync::<UsageQuery>();
    assert_send_sync::<Dimension>();
    assert_send_sync::<DistinctMode>();
    assert_send_sync::<IdScope>();
    assert_send_sync::<Metrics>();
    assert_send_sync::<UsageState>();
    assert_send_sync::<PerSpec<u64>>();
    assert_send_sync::<UsageReport>();
    assert_send_sync::<UsageRow>();
    assert_send_sync::<GroupTotal>();
    assert_send_sync::<DistributionRow>();
    assert_send_sync::<Indicator>();
    assert_send_sync::<ProportionMode>();
    assert_send_sync::<ChannelSession>();
    assert_send_sync::<UserDetail>();
    assert_send_sync::<InputFormat>();
    assert_send_sync::<BadRecords>();
    assert_send_sync::<SkipReport>();
    assert_send_sync::<SegmentReader<std::io::BufReader<std::fs::File>>>();
    assert_send_sync::<SegmentReader<&'static [u8]>>();
    assert_send_sync::<csv::CsvReader<std::io::BufReader<std::fs::File>>>();
    assert_send_sync::<vendor::ProducerUsageResponse>();
    assert_send_sync::<vendor::ProducerUsageItem>();
    assert_send_sync::<vendor::BillProducerData>();
    assert_send_sync::<vendor::DistributionResponse>();
    assert_send_sync::<vendor::DistributionResult>();
    assert_send_sync::<vendor::DistributionItem>();
    assert_send_sync::<vendor::ResponseMetadata>();
    assert_send_sync::<vendor::RoomListResponse>();
    assert_send_sync::<vendor::RoomInfo>();
    assert_send_sync::<vendor::RoomState>();
    assert_send_sync::<vendor::RoomEnd>();
    assert_send_sync::<vendor::xml::Element>();
    assert_send_sync::<Error>();
    assert_send_sync::<ErrorKind>();
}
