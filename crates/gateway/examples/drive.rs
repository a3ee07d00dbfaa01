//! A driver for instruction counting: pushes requests through the layer in process (no
//! network, no runtime), so `valgrind --tool=callgrind` sees only the layer and the handler.
//!
//! `cargo run --release -p mediameter-gateway --example drive -- [with|without|refused] [N]`
//!
//! The request is the load test's (a Huawei room-list query, `x-tenant` header). Instructions
//! per request are the difference of two runs divided by the difference of their `N`, which
//! cancels start-up (the registry, the layer's construction):
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.1000 target/release/examples/drive with 1000
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.11000 target/release/examples/drive with 11000
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use mediameter_gateway::{Admitted, Gateway, Principal, Principals};
use mediameter_query::{FixedClock, Registry, perm};
use tower::{Layer, Service};

type Body = http_body_util::Full<bytes::Bytes>;

const URI: &str = "/v1/p1/rtc/rooms?app=603f71bdfa163e500aff1106c8xxxxxx&state=RUNNING&start_time=2021-04-23T09:00:00Z&end_time=2021-04-23T10:00:00Z&limit=5&offset=0";
const REFUSED: &str = "/v1/p1/rtc/rooms?state=OPEN";

/// The handler: answers at once, reading the admitted `limit` when there is one.
#[derive(Clone)]
struct Handler;

impl Service<http::Request<Body>> for Handler {
    type Response = http::Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let limit = req
            .extensions()
            .get::<Admitted>()
            .and_then(|a| a.get("limit"))
            .unwrap_or("5")
            .to_owned();
        std::future::ready(Ok(http::Response::new(limit)))
    }
}

/// Callers by the `x-tenant` header, with policies built once.
struct Tenants(std::sync::Arc<[perm::Policy]>);

impl Principals for Tenants {
    fn principal(&self, req: &http::request::Parts) -> Option<Principal> {
        let tenant = req.headers.get("x-tenant")?.to_str().ok()?;
        Some(Principal::new(tenant, std::sync::Arc::clone(&self.0)))
    }
}

fn call<S>(svc: &mut S, uri: &str) -> http::Response<String>
where
    S: Service<http::Request<Body>, Response = http::Response<String>, Error = Infallible>,
{
    let req = http::Request::get(uri)
        .header("x-tenant", "t1")
        .body(Body::default())
        .unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    assert!(svc.poll_ready(&mut cx).is_ready());
    let mut fut = std::pin::pin!(svc.call(req));
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(resp)) => resp,
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => panic!("the service did not answer at once"),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "with".to_owned());
    let n: usize = args.next().map_or(10_000, |a| a.parse().unwrap());
    let now = "2021-04-23T10:00:00Z".parse().unwrap();
    let layer = Gateway::builder(
        Registry::builtin(),
        Tenants(vec![perm::full_access("rtc")].into()),
    )
    .route("/v1/{project_id}/rtc/rooms", "rtc/rooms")
    .unwrap()
    .clock(FixedClock(now))
    .build()
    .unwrap();
    let mut with = layer.layer(Handler);
    let mut without = Handler;
    let mut bytes = 0_usize;
    for _ in 0..n {
        let resp = match mode.as_str() {
            "with" => call(&mut with, std::hint::black_box(URI)),
            "without" => call(&mut without, std::hint::black_box(URI)),
            "refused" => call(&mut with, std::hint::black_box(REFUSED)),
            other => panic!("unknown mode {other}"),
        };
        let want = if mode == "refused" { 400 } else { 200 };
        assert_eq!(resp.status(), want);
        bytes += resp.body().len();
    }
    println!("{mode}: {n} requests, {bytes} body bytes");
}
