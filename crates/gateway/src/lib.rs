//! Serving `mediameter-query` over HTTP, and channel join tokens.
//!
//! * [`Gateway`] builds a tower [`GatewayLayer`] (so it works with axum, hyper and tonic
//!   services) that, per route, finds the caller's [`Principal`] (from a [`Principals`] trait the
//!   service implements), applies the (tenant, API) rate limit, parses the query string with
//!   [`mediameter_query::qs`], accepts and checks the vendor's common parameters
//!   ([`mediameter_query::CommonParams`]: a wrong `Action` or `Version` is the vendor's error),
//!   validates the rest under the API's profile and checks the caller's policies. An admitted
//!   request reaches the handler with its normalised query, [`Admitted`], in the request's
//!   extensions (or through the axum extractor); a refused one is answered by the layer with the
//!   vendor's error body and HTTP status, `429` with `Retry-After` when over the rate.
//! * [`token`]: `AppKeys` from the operating system's CSPRNG, and HMAC-SHA256 join tokens binding
//!   app, channel, user, expiry and nonce, verified in constant time with a bounded clock skew,
//!   a bounded replay cache and key rotation. It needs no HTTP and builds without the `tower`
//!   feature.
//!
//! # Example
//!
//! With the `tower` feature (the default):
//!
//! ```
//! # #[cfg(feature = "tower")] {
//! use mediameter_gateway::{Admitted, Gateway, Principal, Principals};
//! use mediameter_query::{perm, FixedClock, Registry};
//! use tower::{Layer, Service};
//!
//! struct Tenants;
//! impl Principals for Tenants {
//!     fn principal(&self, req: &http::request::Parts) -> Option<Principal> {
//!         let tenant = req.headers.get("x-tenant")?.to_str().ok()?;
//!         Some(Principal::new(tenant, vec![perm::full_access("rtc").ok()?]))
//!     }
//! }
//!
//! let now = "2021-04-23T10:00:00Z".parse::<chrono::DateTime<chrono::Utc>>()?;
//! let layer = Gateway::builder(Registry::builtin(), Tenants)
//!     .route("/v1/{project_id}/rtc/rooms", "rtc/rooms")?
//!     .clock(FixedClock(now))
//!     .build()?;
//! // Any tower service; here a function answering with the admitted `limit`.
//! // Request bodies are any `http_body::Body` that can be made from `Bytes` (axum's `Body`,
//! // `http_body_util::Full`...): a form body read by the layer is handed on as it came.
//! type Body = http_body_util::Full<bytes::Bytes>;
//! let handler = tower::service_fn(|req: http::Request<Body>| async move {
//!     let q = req.extensions().get::<Admitted>().cloned();
//!     Ok::<_, std::convert::Infallible>(http::Response::new(
//!         q.and_then(|q| q.get("limit").map(str::to_owned)).unwrap_or_default(),
//!     ))
//! });
//! let mut svc = layer.layer(handler);
//!
//! let rt = tokio::runtime::Builder::new_current_thread().build()?;
//! let mut send = |req: http::Request<Body>| -> Result<http::Response<String>, Box<dyn std::error::Error>> {
//!     Ok(rt.block_on(async {
//!         std::future::poll_fn(|cx| svc.poll_ready(cx)).await?;
//!         svc.call(req).await
//!     })?)
//! };
//!
//! let get = |uri: &str| http::Request::get(uri).header("x-tenant", "t1").body(Body::default());
//!
//! // Admitted: the handler sees the default limit.
//! let ok = send(get("/v1/p1/rtc/rooms?app=a")?)?;
//! assert_eq!((ok.status().as_u16(), ok.body().as_str()), (200, "10"));
//! // The same parameters in a form body (POST), combined with the query string.
//! let form = http::Request::post("/v1/p1/rtc/rooms?app=a")
//!     .header("x-tenant", "t1")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body(Body::from("limit=5"))?;
//! assert_eq!(send(form)?.body(), "5");
//! // Refused by the layer, in Huawei's shape.
//! let bad = send(get("/v1/p1/rtc/rooms?state=OPEN")?)?;
//! assert_eq!(bad.status().as_u16(), 400);
//! assert_eq!(bad.body(), r#"{"error_code":"DATA.100011001","error_msg":"Required String parameter 'app' is not present"}"#);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Feature flags
//!
//! * `tower` (default): the HTTP layer. Pulls in `tower` (no default features), `http`,
//!   `http-body`, `bytes`, `pin-project-lite`, `serde`, `serde_json` and `mediameter-query`.
//! * `axum`: an axum extractor for [`Admitted`]; pulls in `axum-core`.
//!
//! Without features, only [`token`] is built (`hmac`, `sha2`, `getrandom`, `base64`, `chrono`).
//!
//! # Thread safety
//!
//! Everything is `Send + Sync`. The layer holds one `Arc` shared by every clone of the service;
//! the rate limiter inside is sharded ([`mediameter_query::rate::SharedRateLimiter`]).
//! [`token::TokenVerifier`] takes `&self` throughout (a read-write lock around the keyring, a
//! mutex around the replay cache, each held for one lookup).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
#[cfg(feature = "tower")]
mod layer;
#[cfg(feature = "tower")]
mod text;
pub mod token;

/// The third-party types in this crate's signatures (token expiries, admitted time ranges),
/// re-exported so that a caller needs no `chrono` dependency of its own to name them.
pub use chrono::{DateTime, Utc};
pub use error::{Error, ErrorKind, Result};
#[cfg(feature = "tower")]
pub use layer::{
    Admitted, Gateway, GatewayBuilder, GatewayFuture, GatewayLayer, GatewayService, Principal,
    Principals, SystemClock,
};
