//! What the in-process driver (`examples/drive.rs`), the load test (`examples/load.rs`) and the
//! criterion bench (`benches/gateway.rs`, through `#[path]`) share: the callers, the layer they
//! measure, an inner service that answers at once, and one request polled through a service.
//! Each takes what it needs.
#![allow(dead_code, reason = "each of the three users takes what it needs")]

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use mediameter_gateway::{Admitted, Gateway, GatewayLayer, Principal, Principals};
use mediameter_query::{FixedClock, Registry, perm};
use tower::Service;

/// The request body the in-process services take.
pub(crate) type Body = http_body_util::Full<bytes::Bytes>;

/// The known callers, by the `x-tenant` header: each one's `Principal` is built once and
/// cloned per request (two reference counts, no allocation), as a service that has
/// authenticated the header looks its tenant up; an unknown tenant is refused.
pub(crate) struct Tenants(Vec<Principal>);

impl Principals for Tenants {
    fn principal(&self, req: &http::request::Parts) -> Option<Principal> {
        const X_TENANT: http::HeaderName = http::HeaderName::from_static("x-tenant");
        let tenant = req.headers.get(X_TENANT)?.as_bytes();
        self.0
            .iter()
            .find(|p| p.tenant().as_bytes() == tenant)
            .cloned()
    }
}

/// The layer every measurement uses: the built-in profiles, the Huawei room list routed, one
/// tenant `t1` with full `rtc` access, the clock fixed at `now`.
pub(crate) fn room_list_gateway(now: chrono::DateTime<chrono::Utc>) -> GatewayLayer {
    Gateway::builder(
        Registry::builtin(),
        Tenants(vec![Principal::new(
            "t1",
            vec![perm::full_access("rtc").expect("a valid policy")],
        )]),
    )
    .route("/v1/{project_id}/rtc/rooms", "rtc/rooms")
    .expect("the room-list route is valid")
    .clock(FixedClock(now))
    .build()
    .expect("the gateway builds")
}

/// The inner service: answers at once with the admitted `limit`, or `.0` when the request
/// was not admitted (no layer in front).
#[derive(Clone)]
pub(crate) struct Handler(pub(crate) &'static str);

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
            .unwrap_or(self.0)
            .to_owned();
        std::future::ready(Ok(http::Response::new(limit)))
    }
}

/// One request through `svc`, polled once (the services here answer without waiting).
pub(crate) fn call<S>(svc: &mut S, uri: &str) -> http::Response<String>
where
    S: Service<http::Request<Body>, Response = http::Response<String>, Error = Infallible>,
{
    let req = http::Request::get(uri)
        .header("x-tenant", "t1")
        .body(Body::default())
        .expect("a valid request");
    let mut cx = Context::from_waker(Waker::noop());
    assert!(svc.poll_ready(&mut cx).is_ready());
    let mut fut = std::pin::pin!(svc.call(req));
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(resp)) => resp,
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => panic!("the service did not answer at once"),
    }
}
