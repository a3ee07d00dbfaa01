//! The body-read timeout: a body that stops arriving is answered `408` with
//! `Connection: close` in the vendor's shape, and the connection is closed; a body that
//! arrives in time is read as usual.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mediameter_gateway::Gateway;
use mediameter_gateway::token::{AppKey, Keyring, TokenVerifier};
use mediameter_query::{FixedClock, Registry};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{Reply, Server, app, now};

/// The demo's Alibaba and Volcengine routes behind a layer whose bodies must arrive within
/// `timeout`.
async fn server(timeout: Duration) -> Server {
    let tokens = Arc::new(TokenVerifier::new(
        Keyring::new(AppKey::from_secret(1, [11; 32])),
        1000,
    ));
    let layer = Gateway::builder(Registry::builtin(), app::HeaderTenants::new().unwrap())
        .route(app::ALIBABA_PATH, "DescribeLiveProducerUsageData")
        .unwrap()
        .route(app::VOLCENGINE_PATH, "ListOperationDistribution")
        .unwrap()
        .clock(FixedClock(now()))
        .body_timeout(timeout)
        .build()
        .unwrap();
    let demo = app::demo(FixedClock(now()), tokens.clone());
    Server::serve(app::api_routes(demo).layer(layer), tokens).await
}

/// Writes `head` and then the `parts` of a body with `pause` before each, and reads the answer
/// to the end of the connection; at most 10 s. Returns the answer and how long it took after
/// the last write.
async fn trickle(s: &Server, head: &str, parts: &[&[u8]], pause: Duration) -> (Reply, Duration) {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        for part in parts {
            tokio::time::sleep(pause).await;
            stream.write_all(part).await.unwrap();
        }
        let written = Instant::now();
        let mut raw = Vec::new();
        // Read to the end: the server must close the connection after a 408.
        let _ = stream.read_to_end(&mut raw).await;
        (raw, written.elapsed())
    };
    let (raw, waited) = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("the server answered and closed within 10 s");
    (Reply::parse(&raw), waited)
}

const ALIBABA_BODY: &str = "Action=DescribeLiveProducerUsageData&Version=2016-11-01&StartTime=2023-03-01T00:00:00Z&EndTime=2023-03-01T06:00:00Z";

fn head(path: &str, content_type: &str, framing: &str, id: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nhost: t\r\nx-tenant: admin\r\nx-request-id: {id}\r\ncontent-type: {content_type}\r\n{framing}\r\n\r\n"
    )
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_and_the_connection_closed() {
    let timeout = Duration::from_millis(500);
    let s = server(timeout).await;
    // Content-Length promises the whole body; half of it arrives, then nothing.
    let body = ALIBABA_BODY.as_bytes();
    let half = &body[..body.len() / 2];
    let (reply, waited) = trickle(
        &s,
        &head(
            app::ALIBABA_PATH,
            "application/x-www-form-urlencoded",
            &format!("content-length: {}", body.len()),
            "T1",
        ),
        &[half],
        Duration::ZERO,
    )
    .await;
    assert_eq!(reply.status, 408, "{}", reply.body);
    assert_eq!(reply.header("connection"), Some("close"));
    // Alibaba's common InvalidParameter, as for a body that cannot be read: its template names
    // the parameter at fault, here the body (regression: it named an empty parameter, `""`).
    assert_eq!(
        reply.body,
        r#"{"Code":"InvalidParameter","Message":"The specified parameter \"body\" is not valid.","RequestId":"T1"}"#
    );
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    // Chunked (Volcengine, JSON): one chunk, then silence.
    let (reply, _) = trickle(
        &s,
        &head(
            app::VOLCENGINE_PATH,
            "application/json",
            "transfer-encoding: chunked",
            "T2",
        ),
        &[b"5\r\n{\"App\r\n"],
        Duration::ZERO,
    )
    .await;
    assert_eq!(reply.status, 408, "{}", reply.body);
    assert_eq!(reply.header("connection"), Some("close"));
    let json = reply.json();
    assert_eq!(json["ResponseMetadata"]["RequestId"], "T2");
    assert_eq!(
        json["ResponseMetadata"]["Error"]["Code"],
        "InvalidParameter"
    );
    assert!(
        json["ResponseMetadata"]["Error"]["Message"]
            .as_str()
            .unwrap()
            .contains("the request body was not received in time"),
        "{json}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_body_arriving_in_time_is_read() {
    let s = server(Duration::from_secs(3)).await;
    // The body in three pieces, 100 ms apart: well within the timeout.
    let body = ALIBABA_BODY.as_bytes();
    let (a, rest) = body.split_at(20);
    let (b, c) = rest.split_at(40);
    let mut head = head(
        app::ALIBABA_PATH,
        "application/x-www-form-urlencoded",
        &format!("content-length: {}", body.len()),
        "T3",
    );
    head.insert_str(head.len() - 2, "connection: close\r\n");
    let (reply, _) = trickle(&s, &head, &[a, b, c], Duration::from_millis(100)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["StartTime"], "2023-03-01T00:00:00Z");
    s.stop().await;
}
