//! The profiles shipped with the crate, each citing the vendor document its rules come from.
//!
//! Where a document is silent (a span limit, a list cap, a default, an error code for a case the
//! vendor's table does not list) the profile makes a documented decision; `docs/query.md`
//! lists every one. All of them are plain data: a service that knows better replaces them.

use crate::profile::{
    Alias, Delay, ErrorRule, Param, ParamKind, Profile, RateSpec, TimeRule, Vendor, ViolationKind,
};
use crate::time::TimeFormat;

use ViolationKind as K;

const DAY: u64 = 86_400;
const HOUR: u64 = 3_600;

fn time(name: &str, format: TimeFormat) -> Param {
    Param::new(name, ParamKind::Time { format })
}

fn list(name: &str, max_items: usize, item_max_len: usize, values: &[&str]) -> Param {
    Param::new(
        name,
        ParamKind::List {
            max_items,
            item_max_len,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        },
    )
}

fn choice(name: &str, values: &[&str]) -> Param {
    Param::new(
        name,
        ParamKind::Choice {
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            aliases: Vec::new(),
        },
    )
}

fn integer(name: &str, min: i64, max: i64) -> Param {
    Param::new(
        name,
        ParamKind::Integer {
            min,
            max,
            allowed: Vec::new(),
        },
    )
}

/// Alibaba's common answers for what the error-code table of `DescribeLiveProducerUsageData` does
/// not cover: missing or invalid parameters, throttling and RAM denial (Alibaba's public common
/// error codes).
fn alibaba_common() -> Vec<ErrorRule> {
    vec![
        ErrorRule::new(
            &[K::TooLarge],
            "InvalidParameter",
            "The request is too large: {detail}.",
            400,
        ),
        ErrorRule::new(
            &[K::Missing],
            "MissingParameter",
            "The input parameter \"{name}\" that is mandatory for processing this request is not supplied.",
            400,
        ),
        ErrorRule::new(
            &[K::RateLimited],
            "Throttling.User",
            "Request was denied due to user flow control.",
            400,
        ),
        ErrorRule::new(
            &[K::Denied],
            "Forbidden.RAM",
            "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
            403,
        ),
        ErrorRule::new(
            &[],
            "InvalidParameter",
            "The specified parameter \"{name}\" is not valid.",
            400,
        ),
    ]
}

/// The six time errors of `DescribeLiveProducerUsageData` (Alibaba Cloud Live API reference, "错误码"
/// (error codes)), all HTTP 400, in the precedence the library gives them, for a profile whose
/// times are `start`/`end`.
fn alibaba_time_errors(start: &str, end: &str, interval: Option<&str>) -> Vec<ErrorRule> {
    let malformed = [K::Malformed];
    let mut rules = vec![
        ErrorRule::new(
            &malformed,
            "InvalidTime.Malformed",
            "Specified StartTime or EndTime is malformed.",
            400,
        )
        .on(start)
        .with(end),
        ErrorRule::new(
            &malformed,
            "InvalidStartTime.Malformed",
            "Specified StartTime is malformed.",
            400,
        )
        .on(start),
        ErrorRule::new(
            &malformed,
            "InvalidEndTime.Malformed",
            "Specified EndTime is malformed.",
            400,
        )
        .on(end),
        ErrorRule::new(
            &[K::OutOfRange, K::InFuture, K::TooOld],
            "InvalidTime.ValueNotSupported",
            "Specified Time is malformed.",
            400,
        ),
        // The message is the document's, typo ("math") included: clients match on it.
        ErrorRule::new(
            &[K::EndNotAfterStart],
            "InvalidEndTime.Mismatch",
            "Specified end time does not math the specified start time.",
            400,
        ),
        ErrorRule::new(
            &[K::SpanTooLong],
            "InvalidTimeSpan",
            "The time span exceeds the limit.",
            400,
        ),
    ];
    if let Some(interval) = interval {
        rules.push(
            ErrorRule::new(
                &[K::Malformed, K::NotSupported, K::OutOfRange],
                "InvalidTime.ValueNotSupported",
                "Specified Time is malformed.",
                400,
            )
            .on(interval),
        );
    }
    rules.extend(alibaba_common());
    rules
}

/// Alibaba Live `DescribeLiveProducerUsageData` (Alibaba Cloud Live API reference).
///
/// * Region, Instance, Type: comma lists of at most 20 items of at most 64 bytes (cap decided
///   here, the document gives none); `SplitBy`: a subset of domain, region, instance, type.
/// * `StartTime`/`EndTime` `yyyy-MM-ddTHH:mm:ssZ`, optional: absent `EndTime` is now, absent
///   `StartTime` is 24 h before the end (the convention of Alibaba Live's other `Describe*Data`
///   APIs; the document says nothing). End after start; span at most 31 days (the document's sample
///   spans 30 d 23:59:59); a start after now is `InvalidTime.ValueNotSupported`.
/// * Interval 3600 or 86400, default 3600.
///
/// ```
/// let p = mediameter_query::builtin::describe_live_producer_usage_data();
/// assert_eq!(p.errors().iter().filter(|r| r.status() == 400).count(), 11);
/// assert_eq!(p.time_range().ok_or("missing time_range")?.max_span_seconds(), Some(31 * 86_400));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn describe_live_producer_usage_data() -> Profile {
    Profile::builder(
        "DescribeLiveProducerUsageData",
        Vendor::Alibaba,
        "live:DescribeLiveProducerUsageData",
    )
    .endpoint("GET https://live.aliyuncs.com/?Action=DescribeLiveProducerUsageData")
    .source("Alibaba Cloud Live API reference, DescribeLiveProducerUsageData (请求参数 request parameters, 错误码 error codes, 授权信息 authorization)")
    .params([
        list("Region", 20, 64, &[]),
        Param::new("DomainName", ParamKind::Text).with_max_len(253),
        list("Instance", 20, 64, &[]),
        list("Type", 20, 64, &[]),
        list("SplitBy", 4, 8, &["domain", "region", "instance", "type"]),
        time("StartTime", TimeFormat::UtcSeconds),
        time("EndTime", TimeFormat::UtcSeconds),
        Param::new(
            "Interval",
            ParamKind::Integer {
                min: 3600,
                max: 86_400,
                allowed: vec![3600, 86_400],
            },
        )
        .with_default("3600"),
        Param::new("app", ParamKind::Text),
    ])
    .max_params(32)
    .time_range(
        TimeRule::new("StartTime", "EndTime")
            .with_default_end_now()
            .with_default_span(DAY)
            .with_max_span(31 * DAY)
            .with_start_not_after_now(),
    )
    .errors(alibaba_time_errors("StartTime", "EndTime", Some("Interval")))
    .build_unchecked()
}

/// Alibaba Cloud RTC monitoring diagnostics (Alibaba Cloud RTC console guide, §5.1 监控诊断 (monitoring
/// diagnostics): "单次诊断的起始时间和结束时间最大跨度为1小时").
///
/// A console feature: the guide names `AppID`, `ChannelID` and a range of at most one hour, nothing
/// else. The profile takes `AppId`, `ChannelId`, `StartTime`, `EndTime` (all required, in Alibaba's
/// `yyyy-MM-ddTHH:mm:ssZ`) and answers with the six time codes of `DescribeLiveProducerUsageData`
/// and Alibaba's common codes. The action name `rtc:DescribeMonitorDiagnostics` is the library's.
///
/// ```
/// let p = mediameter_query::builtin::alibaba_rtc_diagnostics();
/// assert_eq!(p.time_range().ok_or("missing time_range")?.max_span_seconds(), Some(3600));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn alibaba_rtc_diagnostics() -> Profile {
    Profile::builder(
        "RtcDiagnostics",
        Vendor::Alibaba,
        "rtc:DescribeMonitorDiagnostics",
    )
    .endpoint("Alibaba Cloud RTC console: monitoring diagnostics")
    .source("Alibaba Cloud RTC console guide (§5.1 监控诊断, monitoring diagnostics)")
    .params([
        Param::new("AppId", ParamKind::Text)
            .with_max_len(64)
            .required(),
        Param::new("ChannelId", ParamKind::Text)
            .with_max_len(64)
            .required(),
        time("StartTime", TimeFormat::UtcSeconds).required(),
        time("EndTime", TimeFormat::UtcSeconds).required(),
    ])
    .max_params(16)
    .resource_param("AppId")
    .time_range(
        TimeRule::new("StartTime", "EndTime")
            .with_max_span(HOUR)
            .with_start_not_after_now(),
    )
    .errors(alibaba_time_errors("StartTime", "EndTime", None))
    .build_unchecked()
}

/// Volcengine RTC `ListOperationDistribution` (Volcengine RTC API reference).
///
/// All five body parameters required; times RFC 3339 with offset; the start within the last
/// 30 days and not after now; at most 7 days per query; 8 hours of data delay (a warning, an
/// error in strict mode); 2 requests/s (burst 2); Indicator `user_num` (alias `user_count`, which
/// the document's own sample sends); Dimension `province` or `country`.
///
/// The document gives no error codes: the profile uses Volcengine's common codes
/// `MissingParameter`, `InvalidParameter` (HTTP 400), `FlowLimitExceeded` (429) and `AccessDenied`
/// (403).
///
/// ```
/// let p = mediameter_query::builtin::list_operation_distribution();
/// assert_eq!(p.time_range().and_then(|r| r.delay()).ok_or("missing delay")?.seconds(), 8 * 3600);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn list_operation_distribution() -> Profile {
    Profile::builder(
        "ListOperationDistribution",
        Vendor::Volcengine,
        "rtc:ListOperationDistribution",
    )
    .endpoint(
        "POST https://rtc.volcengineapi.com?Action=ListOperationDistribution&Version=2020-12-01",
    )
    .source("Volcengine RTC API reference, ListOperationDistribution (注意事项 notes, 请求参数 request parameters, 请求示例 request example)")
    .params([
        Param::new("AppId", ParamKind::Text)
            .with_max_len(128)
            .required(),
        time("StartTime", TimeFormat::Rfc3339).required(),
        time("EndTime", TimeFormat::Rfc3339).required(),
        Param::new(
            "Indicator",
            ParamKind::Choice {
                values: vec!["user_num".into()],
                aliases: vec![Alias::new("user_count", "user_num")],
            },
        )
        .required(),
        choice("Dimension", &["province", "country"]).required(),
    ])
    .max_params(16)
    .resource_param("AppId")
    .time_range(
        TimeRule::new("StartTime", "EndTime")
            .with_max_span(7 * DAY)
            .with_lookback(30 * DAY)
            .with_start_not_after_now()
            .with_delay(Delay::new(8 * HOUR)),
    )
    .rate(RateSpec::new(2, 1))
    .errors([
        ErrorRule::new(
            &[K::TooLarge],
            "InvalidParameter",
            "The request is too large: {detail}",
            400,
        ),
        ErrorRule::new(
            &[K::Missing],
            "MissingParameter",
            "The parameter {name} is required.",
            400,
        ),
        ErrorRule::new(
            &[K::RateLimited],
            "FlowLimitExceeded",
            "The request rate exceeds 2 per second.",
            429,
        ),
        ErrorRule::new(
            &[K::Denied],
            "AccessDenied",
            "The caller is not authorized to call {detail}.",
            403,
        ),
        ErrorRule::new(
            &[],
            "InvalidParameter",
            "The parameter {name} is invalid: {detail}",
            400,
        ),
    ])
    .build_unchecked()
}

/// Huawei's answers: the exact `DATA.100011001` for a missing parameter (Huawei Cloud RTC API
/// reference, room list response sample), and the library's own `MM.*` codes where the document
/// gives none.
fn huawei_errors() -> Vec<ErrorRule> {
    vec![
        ErrorRule::new(
            &[K::TooLarge],
            "MM.InvalidParameter",
            "Request too large: {detail}",
            400,
        ),
        ErrorRule::new(
            &[K::Missing],
            "DATA.100011001",
            "Required {type} parameter '{name}' is not present",
            400,
        ),
        ErrorRule::new(
            &[K::RateLimited],
            "MM.TooManyRequests",
            "Too many requests: {detail}",
            429,
        ),
        ErrorRule::new(&[K::Denied], "MM.Forbidden", "Forbidden: {detail}", 403),
        ErrorRule::new(
            &[K::TooOld],
            "MM.NotQueryable",
            "Parameter '{name}': {detail}",
            400,
        ),
        ErrorRule::new(
            &[],
            "MM.InvalidParameter",
            "Invalid {type} parameter '{name}': {detail}",
            400,
        ),
    ]
}

/// CTS answers in Huawei's shape; the CTS user guide gives no error codes, so every code is the
/// library's (`DATA.100011001` belongs to the RTC API and is not reused).
fn cts_errors() -> Vec<ErrorRule> {
    let mut rules = huawei_errors();
    if let Some(missing) = rules.iter_mut().find(|r| r.kinds == [K::Missing]) {
        *missing = ErrorRule::new(
            &[K::Missing],
            "MM.MissingParameter",
            "Required {type} parameter '{name}' is not present",
            400,
        );
    }
    rules
}

fn huawei_times() -> [Param; 2] {
    [
        time("start_time", TimeFormat::UtcSeconds),
        time("end_time", TimeFormat::UtcSeconds),
    ]
}

fn huawei_rule() -> TimeRule {
    TimeRule::new("start_time", "end_time")
        .with_default_end_now()
        .with_default_span(HOUR)
}

/// Huawei RTC room list, `GET /v1/{project_id}/rtc/rooms` (Huawei Cloud RTC API reference, 查询房间列表
/// (query the room list)).
///
/// `app` required; `room_id`; `state` RUNNING or CLOSED; `start_time` defaults to one hour
/// before the end, `end_time` to now (UTC, `YYYY-MM-DDThh:mm:ssZ`); `limit` 1 to 100, default
/// 10, and `offset` 0 to 10,000, default 0 (ranges decided here: the document gives none).
///
/// ```
/// let p = mediameter_query::builtin::huawei_rtc_rooms();
/// assert_eq!(p.param("state").ok_or("missing state param")?.kind().type_name(), "String");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn huawei_rtc_rooms() -> Profile {
    let [start, end] = huawei_times();
    Profile::builder("rtc/rooms", Vendor::Huawei, "rtc:room:list")
        .endpoint("GET /v1/{project_id}/rtc/rooms")
        .source("Huawei Cloud RTC API reference, 查询房间列表 (query the room list: URI, Query参数 query parameters, 响应示例 状态码 400 response example for status 400)")
        .params([
            Param::new("app", ParamKind::Text)
                .with_max_len(128)
                .required(),
            Param::new("room_id", ParamKind::Text).with_max_len(128),
            choice("state", &["RUNNING", "CLOSED"]),
            start,
            end,
            integer("limit", 1, 100).with_default("10"),
            integer("offset", 0, 10_000).with_default("0"),
        ])
        .max_params(32)
        .resource_param("app")
        .time_range(huawei_rule())
        .errors(huawei_errors())
        .build_unchecked()
}

/// The other Huawei RTC statistics endpoints of the Huawei Cloud RTC API reference's table 9
/// (数据统计分析接口, data statistics and analysis APIs), as `(profile name, HTTP path, action,
/// paginated)`.
///
/// The document lists them without their parameters. Each profile validates what they share with
/// the room list (`app` required, `start_time`/`end_time` with the same defaults, and
/// `limit`/`offset` for the paginated ones) and accepts other parameters with a warning.
pub const HUAWEI_STATISTICS: [(&str, &str, &str, bool); 13] = [
    (
        "rtc/users",
        "GET /v1/{project_id}/rtc/users",
        "rtc:user:list",
        true,
    ),
    (
        "rtc/realtime/scale",
        "GET /v1/{project_id}/rtc/realtime/scale",
        "rtc:realtime:get",
        false,
    ),
    (
        "rtc/realtime/scale/dimension",
        "GET /v1/{project_id}/rtc/realtime/scale/dimension",
        "rtc:realtime:get",
        false,
    ),
    (
        "rtc/realtime/quality",
        "GET /v1/{project_id}/rtc/realtime/quality",
        "rtc:realtime:get",
        false,
    ),
    (
        "rtc/realtime/network",
        "GET /v1/{project_id}/rtc/realtime/network",
        "rtc:realtime:get",
        false,
    ),
    (
        "rtc/history/usage",
        "GET /v1/{project_id}/rtc/history/usage",
        "rtc:history:get",
        false,
    ),
    (
        "rtc/history/scale",
        "GET /v1/{project_id}/rtc/history/scale",
        "rtc:history:get",
        false,
    ),
    (
        "rtc/history/quality",
        "GET /v1/{project_id}/rtc/history/quality",
        "rtc:history:get",
        false,
    ),
    (
        "rtc/client/qos/details",
        "GET /v1/{project_id}/rtc/client/qos/details",
        "rtc:client:get",
        false,
    ),
    (
        "rtc/client/event",
        "GET /v1/{project_id}/rtc/client/event",
        "rtc:client:list",
        true,
    ),
    (
        "rtc/client/abnormalevent",
        "GET /v1/{project_id}/rtc/client/abnormalevent",
        "rtc:client:list",
        true,
    ),
    (
        "rtc/data/abnormal-events",
        "GET /v1/rtc/data/abnormal-events",
        "rtc:abnormalEvent:list",
        true,
    ),
    (
        "rtc/data/abnormal-event/dimension",
        "GET /v1/rtc/data/abnormal-event/dimension",
        "rtc:abnormalEvent:get",
        false,
    ),
];

/// The profile of one entry of [`HUAWEI_STATISTICS`].
///
/// ```
/// use mediameter_query::builtin::{huawei_statistics, HUAWEI_STATISTICS};
/// let p = huawei_statistics(HUAWEI_STATISTICS[0]);
/// assert_eq!(p.name(), "rtc/users");
/// assert!(p.allow_unknown() && p.param("limit").is_some());
/// ```
#[must_use]
pub fn huawei_statistics((name, endpoint, action, paginated): (&str, &str, &str, bool)) -> Profile {
    let [start, end] = huawei_times();
    let mut params = vec![
        Param::new("app", ParamKind::Text)
            .with_max_len(128)
            .required(),
        start,
        end,
    ];
    if paginated {
        params.push(integer("limit", 1, 100).with_default("10"));
        params.push(integer("offset", 0, 10_000).with_default("0"));
    }
    Profile::builder(name, Vendor::Huawei, action)
        .endpoint(endpoint)
        .source("Huawei Cloud RTC API reference (表9 数据统计分析接口, table 9 data statistics and analysis APIs; parameters shared with the room list)")
        .params(params)
        .max_params(32)
        .allow_unknown(true)
        .resource_param("app")
        .time_range(huawei_rule())
        .errors(huawei_errors())
        .build_unchecked()
}

/// Huawei Cloud Trace Service event query (Huawei Cloud CTS user guide, 约束与限制 (constraints and
/// limitations) and 细粒度权限说明 (fine-grained permissions)).
///
/// `trace_type` `system` (management events) or `data` (data events), required; `from`/`to`
/// in UTC `YYYY-MM-DDThh:mm:ssZ` (the library's choice: the guide gives no format), `to`
/// defaults to now and `from` to one hour before; the start no older than 7 days (events are
/// kept 7 days unless dumped) and not after now; events become visible 1 minute (management) or
/// 5 minutes (data) after the operation, so a range ending later than that is warned about (an
/// error in strict mode); `limit` 1 to 200, default 10. Action `cts:trace:list`.
///
/// ```
/// let p = mediameter_query::builtin::cts_list_traces();
/// assert_eq!(p.action(), "cts:trace:list");
/// assert_eq!(p.time_range().ok_or("missing time_range")?.lookback_seconds(), Some(7 * 86_400));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn cts_list_traces() -> Profile {
    Profile::builder("cts/traces", Vendor::Huawei, "cts:trace:list")
        .endpoint("GET /v3/{project_id}/traces")
        .source("Huawei Cloud CTS user guide (约束与限制 constraints and limitations, table 1; 细粒度权限 fine-grained permissions, table 3)")
        .params([
            choice("trace_type", &["system", "data"]).required(),
            time("from", TimeFormat::UtcSeconds),
            time("to", TimeFormat::UtcSeconds),
            integer("limit", 1, 200).with_default("10"),
            Param::new("tracker_name", ParamKind::Text).with_max_len(64),
            Param::new("service_type", ParamKind::Text).with_max_len(64),
            Param::new("user", ParamKind::Text).with_max_len(64),
            Param::new("resource_id", ParamKind::Text).with_max_len(350),
            choice("trace_rating", &["normal", "warning", "incident"]),
        ])
        .max_params(32)
        .time_range(
            TimeRule::new("from", "to")
                .with_default_end_now()
                .with_default_span(HOUR)
                .with_lookback(7 * DAY)
                .with_start_not_after_now()
                .with_delay(
                    Delay::new(60).selected_by("trace_type", &[("system", 60), ("data", 300)]),
                ),
        )
        .errors(cts_errors())
        .build_unchecked()
}

/// Every built-in profile.
///
/// ```
/// let all = mediameter_query::builtin::all();
/// assert_eq!(all.len(), 18);
/// assert!(all.iter().all(|p| p.check().is_ok()));
/// ```
#[must_use]
pub fn all() -> Vec<Profile> {
    let mut out = vec![
        describe_live_producer_usage_data(),
        list_operation_distribution(),
        huawei_rtc_rooms(),
        alibaba_rtc_diagnostics(),
        cts_list_traces(),
    ];
    out.extend(HUAWEI_STATISTICS.into_iter().map(huawei_statistics));
    out
}

#[cfg(test)]
mod tests {
    /// The built-in profiles are built without the check (their functions cannot fail), so
    /// each is checked here.
    #[test]
    fn every_builtin_profile_passes_its_checks() {
        for p in super::all() {
            assert_eq!(p.check(), Ok(()), "{}", p.name());
        }
    }
}
