//! Fuzz checks of the query-string parser, of join-token verification and of the layer's
//! form-body path.
//!
//! * `query_string`: arbitrary bytes through `qs::parse` in both encodings under small limits:
//!   an accepted input respects every limit and has no repeated key; a refusal is a
//!   query-string error whose message holds no raw control character and is bounded: an echoed
//!   name is cut to `ECHO_LIMIT` characters *before* escaping, and one escaped character takes
//!   at most 10 bytes (`\u{10ffff}`), so the bound is fixed text plus `10 * ECHO_LIMIT`.
//!   The same bytes, split at the first NUL into a query string and a form body, through
//!   `qs::parse_request`: accepted exactly when both parts parse alone, together hold at most
//!   the limit and share no key, and then the query's pairs followed by the body's.
//! * `token_verify`: arbitrary text through `Token::from_str` and `Keyring::check`: only a token
//!   the keyring signed verifies; a parsed token prints back to the same text; a refusal is a
//!   `Token` error whose message is exactly `token refused: {reason}`, and a reason carries only
//!   static text, so nothing of the input can be in it. (Testing "the message does not contain
//!   the input" instead is unsound: the fuzzer found that the input can *be* the message text.)
//! * `body`: arbitrary bytes as a `POST` body through the tower layer; see [`body`].

use chrono::{DateTime, TimeDelta};
use mediameter_core::error::ECHO_LIMIT;
use mediameter_gateway::Error as GatewayError;
use mediameter_gateway::token::{AppKey, Binding, Keyring, Token};
use mediameter_query::Error;
use mediameter_query::qs::{self, Encoding, QsLimits};

pub fn query_string(data: &[u8]) {
    let limits = QsLimits::new(512, 8, 16, 64).unwrap();
    for enc in [Encoding::Query, Encoding::Form] {
        match qs::parse(data, enc, &limits) {
            Ok(p) => {
                assert!(data.len() <= 512 && p.len() <= 8);
                for (i, (k, v)) in p.pairs().iter().enumerate() {
                    assert!(!k.is_empty() && k.len() <= 16 && v.len() <= 64);
                    assert!(p.pairs()[..i].iter().all(|(o, _)| o != k));
                }
            }
            Err(e @ Error::QueryString { .. }) => {
                assert!(e.query_string_violation().is_some());
                let shown = e.to_string();
                assert!(
                    !shown.chars().any(char::is_control),
                    "raw control character: {shown}"
                );
                assert!(
                    shown.len() <= 200 + 10 * ECHO_LIMIT,
                    "unbounded message: {shown}"
                );
            }
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    let (query, form) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let reference = match (
        qs::parse(query, Encoding::Query, &limits),
        qs::parse(form, Encoding::Form, &limits),
    ) {
        (Ok(q), Ok(f)) => {
            let shared = q.pairs().iter().any(|(k, _)| f.get(k).is_some());
            (!shared && q.len() + f.len() <= 8).then(|| {
                let mut all = q.into_owned();
                all.extend(f.into_owned());
                all
            })
        }
        _ => None,
    };
    match qs::parse_request(query, form, &limits) {
        Ok(p) => assert_eq!(Some(p.into_owned()), reference),
        Err(e @ Error::QueryString { .. }) => {
            assert!(reference.is_none(), "refused {e}");
            assert!(e.query_string_violation().is_some());
        }
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

pub fn token_verify(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ring = Keyring::new(AppKey::from_secret(1, [3; 32]));
    let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    if let Ok(t) = text.parse::<Token>() {
        assert_eq!(t.to_string(), text);
    }
    let who = Binding::new("a", "c", "u");
    match ring.check(text, &who, now, TimeDelta::seconds(30)) {
        // Forging a signature by chance is not a fuzzer's job: accepted means signed by us.
        Ok(c) => assert_eq!((c.app(), c.channel(), c.user()), ("a", "c", "u")),
        Err(e) => match e {
            GatewayError::Token { reason, .. } => {
                assert_eq!(e.to_string(), format!("token refused: {reason}"));
            }
            other => panic!("verification refused with a non-token error: {other:?}"),
        },
    }
}

/// `gateway_body`: arbitrary bytes as a `POST` body through the layer (Alibaba's and
/// Volcengine's routes, parameters in the query string and the body), in process. The first
/// byte picks the content type, whether the body's size is declared, and the route; the second
/// the size of the frames the body arrives in; the rest is the body. Checks:
///
/// * the layer answers at once (the body is all there) and never panics;
/// * a body over the bound (`max_len`, 256 bytes here) is `413`, declared or streamed;
/// * a non-empty body of another content type is `415`;
/// * an admitted request reaches the handler with its `Admitted` and its body as sent;
/// * every refusal is one of the layer's statuses with a JSON body in the vendor's shape,
///   `Connection: close` only on `408` (which cannot happen here: no runtime, no timer).
pub fn body(data: &[u8]) {
    use std::convert::Infallible;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    use bytes::Bytes;
    use mediameter_gateway::{Admitted, Gateway, Principal, Principals};
    use mediameter_query::{FixedClock, Registry, perm};
    use tower::{Layer, Service};

    /// A body delivered in frames of `frame` bytes, its size declared or not.
    struct Chunks {
        rest: Bytes,
        frame: usize,
        declared: bool,
    }
    impl From<Bytes> for Chunks {
        fn from(b: Bytes) -> Self {
            Chunks {
                rest: b,
                frame: usize::MAX,
                declared: true,
            }
        }
    }
    impl http_body::Body for Chunks {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            if self.rest.is_empty() {
                return Poll::Ready(None);
            }
            let n = self.frame.min(self.rest.len());
            let data = self.rest.split_to(n);
            Poll::Ready(Some(Ok(http_body::Frame::data(data))))
        }
        fn size_hint(&self) -> http_body::SizeHint {
            if self.declared {
                http_body::SizeHint::with_exact(self.rest.len() as u64)
            } else {
                http_body::SizeHint::default()
            }
        }
    }

    /// Answers 200 with the admitted parameter count and echoes the body's length.
    #[derive(Clone)]
    struct Handler;
    impl Service<http::Request<Chunks>> for Handler {
        type Response = http::Response<String>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<http::Response<String>, Infallible>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, req: http::Request<Chunks>) -> Self::Future {
            let admitted = req.extensions().get::<Admitted>().expect("admitted");
            let text = format!("{} {}", admitted.values().len(), req.body().rest.len());
            std::future::ready(Ok(http::Response::new(text)))
        }
    }

    struct Everyone;
    impl Principals for Everyone {
        fn principal(&self, _: &http::request::Parts) -> Option<Principal> {
            Some(Principal::new(
                "t",
                vec![
                    perm::full_access("live").ok()?,
                    perm::full_access("rtc").ok()?,
                ],
            ))
        }
    }

    let [mode, frame, body @ ..] = data else {
        return;
    };
    let content_type = match mode & 0b111 {
        0 => Some("application/x-www-form-urlencoded"),
        1 => Some("application/x-www-form-urlencoded; charset=utf-8"),
        2 => Some("application/json"),
        3 => Some("application/json; charset=latin1"),
        4 => Some("text/plain"),
        _ => None,
    };
    let declared = mode & 0b1000 != 0;
    let (path, query) = if mode & 0b1_0000 != 0 {
        (
            "/volcengine/rtc",
            "Action=ListOperationDistribution&Version=2020-12-01",
        )
    } else {
        (
            "/alibaba/live",
            "Action=DescribeLiveProducerUsageData&Version=2016-11-01",
        )
    };
    let max_len = 256;
    let layer = Gateway::builder(Registry::builtin(), Everyone)
        .route("/alibaba/live", "DescribeLiveProducerUsageData")
        .unwrap()
        .route("/volcengine/rtc", "ListOperationDistribution")
        .unwrap()
        .clock(FixedClock(
            DateTime::from_timestamp(1_680_307_200, 0).unwrap(),
        ))
        .limits(QsLimits::new(max_len, 16, 32, 128).unwrap())
        .build()
        .unwrap();
    let mut svc = layer.layer(Handler);
    let mut req = http::Request::post(format!("{path}?{query}"));
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let req = req
        .body(Chunks {
            rest: Bytes::copy_from_slice(body),
            frame: usize::from(*frame).max(1),
            declared,
        })
        .unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    assert!(svc.poll_ready(&mut cx).is_ready());
    let mut fut = std::pin::pin!(svc.call(req));
    let resp = match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(resp)) => resp,
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => panic!("the layer waited on a body that was all there"),
    };
    let status = resp.status().as_u16();
    let close = resp.headers().get("connection").is_some();
    let text = resp.into_body();
    let form_or_json = matches!(mode & 0b111, 0..=2);
    if body.len() > max_len && (form_or_json || mode & 0b111 == 3) {
        // Over the bound: refused whether the size was declared or found while reading
        // (a JSON body in another charset is refused by type first, 415).
        let want = if form_or_json { 413 } else { 415 };
        assert_eq!(status, want, "{text}");
    }
    if !body.is_empty() && !form_or_json {
        assert_eq!(status, 415, "{text}");
    }
    match status {
        200 => {
            assert!(form_or_json || body.is_empty());
            let (_, len) = text.split_once(' ').unwrap();
            assert_eq!(
                len,
                body.len().to_string(),
                "the handler got the body as sent"
            );
        }
        400 | 403 | 404 | 413 | 415 | 429 => {
            let json: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{status} with a body that is not JSON ({e}): {text}"));
            assert!(json.is_object());
        }
        other => panic!("unexpected status {other}: {text}"),
    }
    assert!(!close, "Connection: close without a timeout");
}
