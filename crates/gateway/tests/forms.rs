//! Parameters in `application/x-www-form-urlencoded` and `application/json` POST bodies:
//! combined with the query string, a key in both refused, the body bounded (413) and typed
//! (415), all in the vendors' shapes.

use crate::{Server, app};

const ADMIN: (&str, &str) = ("x-tenant", "admin");
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

fn alibaba_query() -> String {
    format!(
        "{}?Action=DescribeLiveProducerUsageData&Version=2016-11-01",
        app::ALIBABA_PATH
    )
}

const ALIBABA_BODY: &[u8] =
    b"StartTime=2023-03-01T00%3A00%3A00Z&EndTime=2023-03-01T06:00:00Z&SplitBy=type";

#[tokio::test]
async fn form_bodies_alone_and_with_the_query_string() {
    let s = Server::start().await;
    // Action and Version in the query (as the vendors' request samples put them), the rest
    // in the body.
    let ok = s.post(&alibaba_query(), &[ADMIN, FORM], ALIBABA_BODY).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["StartTime"], "2023-03-01T00:00:00Z");
    let items = ok.json()["BillProducerData"]["BillProducerDataItem"]
        .as_array()
        .unwrap()
        .len();
    assert!(items > 0);
    // Everything in the body, charset named, same answer.
    let mut all = b"Action=DescribeLiveProducerUsageData&Version=2016-11-01&".to_vec();
    all.extend_from_slice(ALIBABA_BODY);
    let body_only = s
        .post(
            app::ALIBABA_PATH,
            &[
                ADMIN,
                (
                    "content-type",
                    "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
                ),
            ],
            &all,
        )
        .await;
    assert_eq!(
        (body_only.status, body_only.body.clone()),
        (200, ok.body.clone())
    );
    // A wrong Version in the body is the same error as in the query string.
    let version = s
        .post(
            app::ALIBABA_PATH,
            &[ADMIN, FORM],
            b"Action=DescribeLiveProducerUsageData&Version=2014-01-01",
        )
        .await;
    assert_eq!(version.status, 400);
    assert_eq!(version.json()["Code"], "InvalidVersion");
    assert_eq!(
        version.json()["Message"],
        "Specified parameter Version is not valid."
    );
    // A POST without a body reads the query string only.
    let empty = s
        .post(
            &format!(
                "{}&StartTime=2023-03-01T00:00:00Z&EndTime=2023-03-01T06:00:00Z",
                alibaba_query()
            ),
            &[ADMIN],
            b"",
        )
        .await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    // Volcengine: `+` in a form body is a space, so the offset is written %2B.
    let volc = s
        .post(
            &format!("{}?Action=ListOperationDistribution&Version=2020-12-01", app::VOLCENGINE_PATH),
            &[ADMIN, FORM],
            b"AppId=demo-app&StartTime=2023-03-25T00:00:00%2B08:00&EndTime=2023-03-31T00:00:00%2B08:00&Indicator=user_num&Dimension=province",
        )
        .await;
    assert_eq!(volc.status, 200, "{}", volc.body);
    assert_eq!(
        volc.json()["Result"]["Distribution"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    s.stop().await;
}

#[tokio::test]
async fn a_key_in_both_the_query_and_the_body_is_repeated() {
    let s = Server::start().await;
    let r = s
        .post(
            &format!("{}&StartTime=2023-03-01T00:00:00Z", alibaba_query()),
            &[ADMIN, FORM, ("x-request-id", "R1")],
            ALIBABA_BODY,
        )
        .await;
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body["RequestId"], "R1");
    assert!(
        body["Message"].as_str().unwrap().contains("StartTime"),
        "{}",
        r.body
    );
    // Even with the same value: which copy counts is ambiguous.
    let same = s
        .post(
            &format!("{}&SplitBy=type", alibaba_query()),
            &[ADMIN, FORM],
            ALIBABA_BODY,
        )
        .await;
    assert_eq!(same.status, 400, "{}", same.body);
    // Huawei's shape names the parameter the way the vendor's messages do.
    let huawei = s
        .post("/v1/p1/rtc/rooms?app=a", &[ADMIN, FORM], b"app=a")
        .await;
    assert_eq!(huawei.status, 400);
    assert_eq!(
        huawei.json()["error_msg"],
        "Invalid String parameter 'app': the parameter is repeated"
    );
    s.stop().await;
}

#[tokio::test]
async fn bodies_are_bounded_and_typed() {
    let s = Server::start().await;
    // Declared over the bound (8 KiB, the query-string limit): refused on the headers alone.
    // No body follows, so an answer proves the server did not wait for one.
    let declared = s
        .raw(
            format!(
                "POST {} HTTP/1.1\r\nhost: t\r\nx-tenant: admin\r\nx-request-id: R2\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100000000\r\n\r\n",
                alibaba_query()
            )
            .as_bytes(),
        )
        .await;
    assert_eq!(declared.status, 413);
    assert_eq!(
        declared.body,
        r#"{"Code":"InvalidParameter","Message":"The request is too large: the request body is too long.","RequestId":"R2"}"#
    );
    // Chunked, so the size is known only while reading: refused once the bound is passed.
    let mut chunked = format!(
        "POST {} HTTP/1.1\r\nhost: t\r\nx-tenant: admin\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        app::VOLCENGINE_PATH
    )
    .into_bytes();
    for _ in 0..9 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b'a'; 0x400]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = s.raw(&chunked).await;
    assert_eq!(streamed.status, 413);
    assert_eq!(
        streamed.json()["ResponseMetadata"]["Error"]["Code"],
        "InvalidParameter",
        "{}",
        streamed.body
    );
    // 10,000 parameters in a form body or a JSON object: over the byte bound, refused unread.
    let flood = "a=1&".repeat(10_000);
    let r = s
        .post(&alibaba_query(), &[ADMIN, FORM], flood.as_bytes())
        .await;
    assert_eq!(r.status, 413);
    let keys: Vec<String> = (0..10_000).map(|i| format!("\"k{i}\":1")).collect();
    let r = s
        .post(
            &alibaba_query(),
            &[ADMIN, ("content-type", "application/json")],
            format!("{{{}}}", keys.join(",")).as_bytes(),
        )
        .await;
    assert_eq!(r.status, 413);
    // Exactly at the bound it is read (and then refused for what it says, not its size).
    let at_bound = s
        .post(app::ALIBABA_PATH, &[ADMIN, FORM], &[b'a'; 8192])
        .await;
    assert_eq!(at_bound.status, 400, "{}", at_bound.body);
    // Not a form: 415, in the vendor's shape.
    for content_type in [
        "application/json; charset=latin1",
        "text/plain",
        "application/x-www-form-urlencoded; charset=latin1",
        "multipart/form-data; boundary=x",
    ] {
        let r = s
            .post(
                &alibaba_query(),
                &[ADMIN, ("content-type", content_type)],
                b"{\"StartTime\":\"2023-03-01T00:00:00Z\"}",
            )
            .await;
        assert_eq!(r.status, 415, "{content_type}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            r.json()["Message"],
            "The specified parameter \"Content-Type\" is not valid."
        );
    }
    let no_type = s.post(&alibaba_query(), &[ADMIN], b"a=1").await;
    assert_eq!(no_type.status, 415);
    let volc = s
        .post(
            app::VOLCENGINE_PATH,
            &[ADMIN, ("content-type", "text/xml")],
            b"<a/>",
        )
        .await;
    assert_eq!(volc.status, 415);
    assert_eq!(
        volc.json()["ResponseMetadata"]["Error"]["Message"],
        "The parameter Content-Type is invalid: a request body must be application/x-www-form-urlencoded or application/json (UTF-8)"
    );
    // Malformed form bodies: the same refusals as in a query string.
    let escape = s.post("/v1/p1/rtc/rooms", &[ADMIN, FORM], b"app=%zz").await;
    assert_eq!(
        (escape.status, escape.json()["error_msg"].as_str().unwrap()),
        (
            400,
            "Invalid String parameter 'app': invalid percent-encoding"
        )
    );
    let utf8 = s
        .post("/v1/p1/rtc/rooms", &[ADMIN, FORM], b"app=\xff\xfe")
        .await;
    assert_eq!(utf8.status, 400);
    assert!(
        utf8.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("not UTF-8")
    );
    s.stop().await;
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn volc_query() -> String {
    format!(
        "{}?Action=ListOperationDistribution&Version=2020-12-01",
        app::VOLCENGINE_PATH
    )
}

#[tokio::test]
async fn json_bodies_as_volcengine_documents_them() {
    let s = Server::start().await;
    // The request of the ListOperationDistribution page: POST, Action and Version in the
    // query, the rest a JSON object (its sample's "user_count" is accepted as an alias).
    let ok = s
        .post(
            &volc_query(),
            &[ADMIN, JSON],
            br#"{
  "AppId": "demo-app",
  "StartTime": "2023-03-25T00:00:00+08:00",
  "EndTime": "2023-03-31T00:00:00+08:00",
  "Indicator": "user_count",
  "Dimension": "province"
}"#,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        ok.json()["Result"]["Distribution"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // A key in both the query string and the body.
    let twice = s
        .post(
            &format!("{}&AppId=demo-app", volc_query()),
            &[("x-tenant", "viewer"), JSON, ("x-request-id", "R3")],
            br#"{"AppId": "demo-app"}"#,
        )
        .await;
    assert_eq!(twice.status, 400);
    let err = &twice.json()["ResponseMetadata"]["Error"];
    assert_eq!(err["Code"], "InvalidParameter");
    assert_eq!(
        err["Message"],
        "The parameter AppId is invalid: the parameter is repeated"
    );
    assert_eq!(twice.json()["ResponseMetadata"]["RequestId"], "R3");
    s.stop().await;
}

#[tokio::test]
async fn json_bodies_must_be_one_flat_object() {
    // Volcengine's rate is 2 per second per tenant and the test clock is fixed: a server per
    // request.
    let post = |body: Vec<u8>| async move {
        let s = Server::start().await;
        let r = s.post(&volc_query(), &[ADMIN, JSON], &body).await;
        s.stop().await;
        r
    };
    let dup = post(br#"{"AppId": "a", "AppId": "b"}"#.to_vec()).await;
    assert_eq!(dup.status, 400, "{}", dup.body);
    assert!(
        dup.body.contains("the parameter is repeated"),
        "{}",
        dup.body
    );
    for body in [
        &br#"{"AppId": {"x": 1}}"#[..],
        br#"{"AppId": ["a"]}"#,
        br#"{"AppId": "a"} {}"#,
        b"AppId=a",
        br#"["AppId"]"#,
        b"{\"AppId\": \"\xff\"}",
    ] {
        let r = post(body.to_vec()).await;
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(
            r.body
                .contains("the JSON body must be one object of strings, numbers and booleans"),
            "{}: {}",
            String::from_utf8_lossy(body),
            r.body
        );
    }
    // 65 keys: over the default parameter limit of 64.
    let many: Vec<String> = (0..65).map(|i| format!("\"k{i}\": 1")).collect();
    let r = post(format!("{{{}}}", many.join(",")).into_bytes()).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("too many parameters"), "{}", r.body);
}
