//! Integration tests of `mediameter-gateway`: the demo service on a real loopback server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    missing_docs
)]

#[path = "../examples/service/app.rs"]
mod app;
mod error_convention;
mod forms;
mod server;
mod thread_safety;
mod timeouts;
mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mediameter_gateway::token::{AppKey, Keyring, TokenVerifier};
use mediameter_query::FixedClock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The instant the demo runs at: just after the sample (2023-03).
fn now() -> chrono::DateTime<chrono::Utc> {
    "2023-04-01T00:00:00Z".parse().unwrap()
}

/// A running demo server; stopped when dropped.
struct Server {
    addr: SocketAddr,
    tokens: Arc<TokenVerifier>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    async fn start() -> Server {
        let tokens = Arc::new(TokenVerifier::new(
            Keyring::new(AppKey::from_secret(1, [11; 32])),
            1000,
        ));
        let router = app::router(FixedClock(now()), tokens.clone()).unwrap();
        Server::serve(router, tokens).await
    }

    /// `router` on a loopback port.
    async fn serve(router: axum::Router, tokens: Arc<TokenVerifier>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Server {
            addr,
            tokens,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// One GET with `headers`, on its own connection; at most 5 s.
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = format!("GET {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n");
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        let exchange = async {
            let mut s = tokio::net::TcpStream::connect(self.addr).await.unwrap();
            s.write_all(request.as_bytes()).await.unwrap();
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).await.unwrap();
            raw
        };
        let raw = tokio::time::timeout(Duration::from_secs(5), exchange)
            .await
            .expect("the server answered within 5 s");
        Reply::parse(&raw)
    }

    /// One POST with `headers` and `body` (a `content-length` is added unless one of
    /// `headers` is `transfer-encoding` or `content-length`).
    async fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut request = format!("POST {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n");
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        if !headers.iter().any(|(k, _)| {
            k.eq_ignore_ascii_case("transfer-encoding") || k.eq_ignore_ascii_case("content-length")
        }) {
            request.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut raw = request.into_bytes();
        raw.extend_from_slice(body);
        self.raw(&raw).await
    }

    /// Sends `request` as is on its own connection and reads the answer; at most 5 s. The
    /// server may answer (and close) before reading all of it.
    async fn raw(&self, request: &[u8]) -> Reply {
        let exchange = async {
            let mut s = tokio::net::TcpStream::connect(self.addr).await.unwrap();
            // A refusal may come before the whole request is written: a failed write is fine.
            let _ = s.write_all(request).await;
            let mut raw = Vec::new();
            let _ = s.read_to_end(&mut raw).await;
            raw
        };
        let raw = tokio::time::timeout(Duration::from_secs(5), exchange)
            .await
            .expect("the server answered within 5 s");
        Reply::parse(&raw)
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(5), self.task.take().unwrap())
            .await
            .expect("the server stopped within 5 s")
            .unwrap();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}
