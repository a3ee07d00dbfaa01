//! Vendor shapes, round-tripped against the samples in the vendor documents.

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_usage::vendor::{
    DistributionResponse, ProducerUsageResponse, RoomEnd, RoomListResponse, RoomState,
};
use mediameter_usage::{Dimension, UsageQuery, communication_records};
use serde_json::Value;

use crate::common::*;

fn roundtrip_json<T: serde::Serialize + serde::de::DeserializeOwned>(text: &str) -> T {
    let parsed: T = serde_json::from_str(text).unwrap();
    let again: Value = serde_json::to_value(&parsed).unwrap();
    let original: Value = serde_json::from_str(text).unwrap();
    assert_eq!(again, original);
    parsed
}

/// Alibaba Cloud Live API reference, first sample (all split fields), JSON.
#[test]
fn alibaba_example_json() {
    let r: ProducerUsageResponse = roundtrip_json(include_str!("data/alibaba_example1.json"));
    let it = &r.bill_producer_data.items[0];
    assert_eq!(it.domain_name.as_deref(), Some("example.com"));
    assert_eq!(
        (
            it.output_ld_duration,
            it.output_sd_duration,
            it.output_hd_duration
        ),
        (1001, 500, 6000)
    );
    // The sample's StartTime is after its EndTime: kept as written, ordered on request.
    assert!(r.start_time > r.end_time);
    let (a, b) = r.query_range();
    assert_eq!(a.to_rfc3339(), "2018-09-30T16:00:00+00:00");
    assert_eq!(b.to_rfc3339(), "2018-10-31T15:59:59+00:00");
}

/// Alibaba Cloud Live API reference, example 2 (SplitBy=type): the XML and the JSON samples are the
/// same response.
#[test]
fn alibaba_split_type_xml_and_json_agree() {
    let from_json: ProducerUsageResponse =
        roundtrip_json(include_str!("data/alibaba_split_type.json"));
    let from_xml =
        ProducerUsageResponse::from_xml(include_str!("data/alibaba_split_type.xml")).unwrap();
    assert_eq!(from_xml, from_json);
    assert_eq!(from_xml.bill_producer_data.items.len(), 6);
    assert_eq!(
        from_xml.bill_producer_data.items[1].r#type.as_deref(),
        Some("slidelive")
    );
    // Our XML reads back to the same value.
    assert_eq!(
        ProducerUsageResponse::from_xml(&from_xml.to_xml()).unwrap(),
        from_xml
    );
}

#[test]
fn alibaba_from_report() {
    let t = DAY0_GMT8;
    let mut s1 = seg("a", "c", "u1", "pub", "1080p", t, t + 100);
    s1 = s1.with_product_type(mediameter_core::ProductType::new("slidelive").unwrap());
    let s2 = seg("a", "c", "u2", "sub", "360p", t, t + 50)
        .with_product_type(mediameter_core::ProductType::new("universal").unwrap());
    let q =
        UsageQuery::new(BillingZone::UTC, Granularity::DAY).with_split_by([Dimension::ProductType]);
    let rep = aggregate(&q, [&s1, &s2])
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    let start = chrono::DateTime::from_timestamp(t - 86_400, 0).unwrap();
    let end = chrono::DateTime::from_timestamp(t + 86_400, 0).unwrap();
    let r = ProducerUsageResponse::from_report(&rep, "req", start, end).unwrap();
    let items = &r.bill_producer_data.items;
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0].r#type.as_deref(), items[0].output_hd_duration),
        (Some("slidelive"), 100)
    );
    assert_eq!(
        (items[1].r#type.as_deref(), items[1].tran_ld_duration),
        (Some("universal"), 50)
    );
    // Split by spec is not a field of this API.
    let bad = aggregate(&q.clone().with_split_by([Dimension::Spec]), [&s1])
        .unwrap()
        .report(MinutePolicy::Exact)
        .unwrap();
    assert!(ProducerUsageResponse::from_report(&bad, "req", start, end).is_err());
    assert!(ProducerUsageResponse::from_report(&rep, "req", end, start).is_err());
}

/// Volcengine RTC API reference, response sample.
#[test]
fn volcengine_distribution_sample() {
    let r: DistributionResponse = roundtrip_json(include_str!("data/volcengine_distribution.json"));
    assert_eq!(r.result.name.to_string(), "user_num");
    assert_eq!(r.result.data[1].distribution_name, "北京");
    assert_eq!(r.result.data[1].proportion.to_string(), "12.31");
    assert_eq!(r.result.data[0].value.to_string(), "666");
}

/// Huawei Cloud RTC API reference, room list sample, with "-" for an open room.
#[test]
fn huawei_room_list_sample() {
    let r: RoomListResponse = roundtrip_json(include_str!("data/huawei_rooms.json"));
    assert_eq!(r.room_info_list[0].state, RoomState::Running);
    assert_eq!(r.room_info_list[0].end_time, RoomEnd::Open);
    assert_eq!((r.total, r.offset, r.limit), (1, 0, 2));
}

#[test]
fn huawei_rooms_from_sessions() {
    let t = DAY0_GMT8;
    let segs = [
        seg("a", "r1", "u1", "pub", "audio", t, t + 600),
        seg("a", "r2", "u2", "pub", "audio", t + 100, t + 200),
    ];
    let sessions = communication_records(&segs).unwrap();
    let at = chrono::DateTime::from_timestamp(t + 300, 0).unwrap();
    let all = RoomListResponse::from_sessions(&sessions, at, None, 10, 0);
    assert_eq!(all.total, 2);
    let v = serde_json::to_value(&all).unwrap();
    assert_eq!(v["room_info_list"][0]["end_time"], "-");
    assert_eq!(v["room_info_list"][1]["state"], "CLOSED");
    assert_eq!(v["room_info_list"][1]["duration"], 100);
    let closed = RoomListResponse::from_sessions(&sessions, at, Some(RoomState::Closed), 10, 0);
    assert_eq!(closed.total, 1);
    let page = RoomListResponse::from_sessions(&sessions, at, None, 1, 1);
    assert_eq!(page.room_info_list[0].room_id, "r2");
}
