//! Each vendor's endpoint through the layer: valid and invalid requests, the vendors' error
//! bodies and statuses, the rate limit, permissions and hostile query strings.

use crate::{Server, app};

const ADMIN: (&str, &str) = ("x-tenant", "admin");

fn huawei(q: &str) -> String {
    format!("/v1/p1/rtc/rooms?{q}")
}

#[tokio::test]
async fn huawei_room_list() {
    let s = Server::start().await;
    let ok = s
        .get(
            &huawei("app=demo-app&start_time=2023-03-01T00:00:00Z&end_time=2023-03-02T00:00:00Z&limit=2"),
            &[ADMIN],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let body = ok.json();
    assert_eq!(body["total"], 3);
    assert_eq!(body["room_info_list"].as_array().unwrap().len(), 2);
    assert_eq!(body["room_info_list"][0]["room_id"], "room-0");

    // The Huawei RTC API reference's own 400 sample, byte for byte.
    let missing = s.get(&huawei("state=RUNNING"), &[ADMIN]).await;
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.body,
        r#"{"error_code":"DATA.100011001","error_msg":"Required String parameter 'app' is not present"}"#
    );
    assert_eq!(missing.header("content-type"), Some("application/json"));
    // Huawei takes no common query parameters: Action is unknown here.
    let unknown = s.get(&huawei("app=a&Action=x"), &[ADMIN]).await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["error_code"], "MM.InvalidParameter");
    s.stop().await;
}

#[tokio::test]
async fn alibaba_producer_usage() {
    let s = Server::start().await;
    let base = format!(
        "{}?Action=DescribeLiveProducerUsageData&Version=2016-11-01",
        app::ALIBABA_PATH
    );
    let ok = s
        .get(
            &format!("{base}&StartTime=2023-03-01T00:00:00Z&EndTime=2023-03-01T06:00:00Z&Format=JSON&SignatureNonce=n1&AccessKeyId=k"),
            &[ADMIN],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let items = ok.json()["BillProducerData"]["BillProducerDataItem"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!items.is_empty());
    assert_eq!(items[0]["TimeStamp"], "2023-03-01T02:00:00Z");

    // End before start: the code and message of the API page (typo included), the request id
    // the client sent.
    let bad = s
        .get(
            &format!("{base}&StartTime=2023-03-02T00:00:00Z&EndTime=2023-03-01T00:00:00Z"),
            &[
                ADMIN,
                ("x-request-id", "C370DAF1-C838-4288-A1A0-9A87633D248E"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body,
        r#"{"Code":"InvalidEndTime.Mismatch","Message":"Specified end time does not math the specified start time.","RequestId":"C370DAF1-C838-4288-A1A0-9A87633D248E"}"#
    );
    let version = s
        .get(
            &format!(
                "{}?Action=DescribeLiveProducerUsageData&Version=2014-01-01",
                app::ALIBABA_PATH
            ),
            &[ADMIN],
        )
        .await;
    assert_eq!(
        (version.status, version.json()["Code"].as_str().unwrap()),
        (400, "InvalidVersion")
    );
    let action = s
        .get(
            &format!(
                "{}?Action=DescribeLiveStreams&Version=2016-11-01",
                app::ALIBABA_PATH
            ),
            &[ADMIN],
        )
        .await;
    assert_eq!(action.status, 404);
    assert_eq!(action.json()["Code"], "InvalidAction.NotFound");
    let no_action = s
        .get(
            &format!("{}?Version=2016-11-01", app::ALIBABA_PATH),
            &[ADMIN],
        )
        .await;
    assert_eq!(
        no_action.json()["Message"],
        "The input parameter \"Action\" that is mandatory for processing this request is not supplied."
    );
    s.stop().await;
}

fn volc(extra: &str) -> String {
    format!(
        "{}?Action=ListOperationDistribution&Version=2020-12-01&AppId=demo-app&StartTime=2023-03-25T00:00:00%2B08:00&EndTime=2023-03-31T00:00:00%2B08:00&Indicator=user_num&Dimension=province{extra}",
        app::VOLCENGINE_PATH
    )
}

#[tokio::test]
async fn volcengine_distribution_and_rate_limit() {
    let s = Server::start().await;
    let ok = s.get(&volc(""), &[ADMIN]).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let dist = ok.json()["Result"]["Distribution"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(dist.len(), 3);
    // Second request of the second: still allowed (2/s, burst 2); it is a wrong Version.
    let version = s
        .get(&volc("").replace("2020-12-01", "2020-12-02"), &[ADMIN])
        .await;
    assert_eq!(version.status, 404);
    let err = &version.json()["ResponseMetadata"]["Error"];
    assert_eq!(err["Code"], "InvalidActionOrVersion");
    assert_eq!(err["CodeN"], 100_008);
    assert_eq!(
        err["Message"],
        "Could not find operation ListOperationDistribution for version 2020-12-02"
    );
    // Third in the same (fixed) instant: 429 with Retry-After and Volcengine's body.
    let limited = s.get(&volc(""), &[ADMIN]).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("1"));
    let err = &limited.json()["ResponseMetadata"]["Error"];
    assert_eq!(err["Code"], "FlowLimitExceeded");
    assert_eq!(err["Message"], "The request rate exceeds 2 per second.");
    // The limit is per tenant: the viewer is not throttled by the admin's requests.
    let viewer = s.get(&volc(""), &[("x-tenant", "viewer")]).await;
    assert_eq!(viewer.status, 200, "{}", viewer.body);
    s.stop().await;
}

#[tokio::test]
async fn permissions() {
    let s = Server::start().await;
    // The viewer may read demo-app only.
    let other = s
        .get(&huawei("app=edu-app"), &[("x-tenant", "viewer")])
        .await;
    assert_eq!(other.status, 403);
    assert_eq!(other.json()["error_code"], "MM.Forbidden");
    let own = s
        .get(&huawei("app=demo-app"), &[("x-tenant", "viewer")])
        .await;
    assert_eq!(own.status, 200);
    let volc_other = s
        .get(
            &volc("").replace("demo-app", "edu-app"),
            &[("x-tenant", "viewer")],
        )
        .await;
    assert_eq!(volc_other.status, 403);
    assert_eq!(
        volc_other.json()["ResponseMetadata"]["Error"]["Code"],
        "AccessDenied"
    );
    // No principal at all.
    let anonymous = s.get(&huawei("app=demo-app"), &[]).await;
    assert_eq!(anonymous.status, 403);
    // The viewer holds no live:* policy: Alibaba's RAM refusal.
    let live = s
        .get(
            &format!(
                "{}?Action=DescribeLiveProducerUsageData&Version=2016-11-01",
                app::ALIBABA_PATH
            ),
            &[("x-tenant", "viewer")],
        )
        .await;
    assert_eq!(
        (live.status, live.json()["Code"].as_str().unwrap()),
        (403, "Forbidden.RAM")
    );
    s.stop().await;
}

#[tokio::test]
async fn hostile_query_strings_are_refused_cheaply() {
    let s = Server::start().await;
    let many = format!("/v1/p1/rtc/rooms?{}", "a=1&".repeat(10_000));
    let t0 = std::time::Instant::now();
    let r = s.get(&many, &[ADMIN]).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_code"], "MM.InvalidParameter");
    assert!(r.json()["error_msg"].as_str().unwrap().contains("too long"));
    let r = s
        .get(
            &huawei(&format!("a={}", "b=1&".repeat(100).replace('=', "%3D"))),
            &[ADMIN],
        )
        .await;
    assert_eq!(r.status, 400); // 101 parameters, over the default limit of 64
    assert!(
        r.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("too many parameters")
    );
    let r = s.get(&huawei("app=%zz"), &[ADMIN]).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error_msg"],
        "Invalid String parameter 'app': invalid percent-encoding"
    );
    let r = s.get(&huawei("app=%ff%fe"), &[ADMIN]).await;
    assert_eq!(
        r.json()["error_msg"],
        "Invalid String parameter 'app': not UTF-8"
    );
    let r = s.get(&huawei("app=a&app=b"), &[ADMIN]).await;
    assert_eq!(
        r.json()["error_msg"],
        "Invalid String parameter 'app': the parameter is repeated"
    );
    assert!(t0.elapsed() < std::time::Duration::from_secs(5));
    s.stop().await;
}

#[tokio::test]
async fn malformed_http_is_refused_and_the_server_keeps_serving() {
    let s = Server::start().await;
    // A 1 MiB query string: refused (by the HTTP server's own header bound or the layer's
    // 8 KiB), never parsed.
    let huge = format!("/v1/p1/rtc/rooms?app={}", "a".repeat(1 << 20));
    let r = s.get(&huge, &[ADMIN]).await;
    assert!((400..500).contains(&r.status), "{}", r.status);
    // Just over the layer's bound but within the server's: the layer's own refusal.
    let over = format!("/v1/p1/rtc/rooms?app={}", "a".repeat(8192));
    let r = s.get(&over, &[ADMIN]).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error_msg"],
        "Request too large: the query string is too long"
    );
    // Raw bytes that are not UTF-8 (nor valid in a URI) in the request target.
    let mut raw = b"GET /v1/p1/rtc/rooms?app=\xff\xfe HTTP/1.1\r\nhost: t\r\nx-tenant: admin\r\nconnection: close\r\n\r\n".to_vec();
    let r = s.raw(&raw).await;
    assert_eq!(r.status, 400);
    // A NUL in a percent escape decodes to a control character the profile refuses.
    raw = b"GET /v1/p1/rtc/rooms?app=%00 HTTP/1.1\r\nhost: t\r\nx-tenant: admin\r\nconnection: close\r\n\r\n".to_vec();
    let r = s.raw(&raw).await;
    assert_eq!(r.status, 400, "{}", r.body);
    // Still serving.
    let ok = s.get(&huawei("app=demo-app"), &[ADMIN]).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    s.stop().await;
}

#[tokio::test]
async fn huawei_project_id_header_must_match_the_path() {
    let s = Server::start().await;
    let same = s
        .get(&huawei("app=demo-app"), &[ADMIN, ("x-project-id", "p1")])
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
    let other = s
        .get(&huawei("app=demo-app"), &[ADMIN, ("x-project-id", "p2")])
        .await;
    assert_eq!(other.status, 400);
    assert_eq!(
        other.body,
        r#"{"error_code":"MM.InvalidParameter","error_msg":"Invalid String parameter 'X-Project-Id': not the project id of the path"}"#
    );
    s.stop().await;
}
