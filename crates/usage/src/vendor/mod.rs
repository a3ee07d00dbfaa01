//! The vendors' response shapes, with serde: Alibaba Cloud `DescribeLiveProducerUsageData`
//! (JSON and XML), Volcengine `ListOperationDistribution`, and the Huawei Cloud RTC room list.

mod alibaba;
mod huawei;
mod volcengine;
pub mod xml;

pub use alibaba::{BillProducerData, ProducerUsageItem, ProducerUsageResponse, live_tier};
pub use huawei::{RoomEnd, RoomInfo, RoomListResponse, RoomState};
pub use volcengine::{
    DistributionItem, DistributionResponse, DistributionResult, ResponseMetadata,
};
