//! The tower layer: per route, the caller's principal, the rate limit, the query string, the
//! vendor's common parameters, validation and permissions, then the handler.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use http::Method;
use http_body::Body;

use chrono::{DateTime, Utc};
use http::{HeaderValue, Request, Response, StatusCode, header};
use mediameter_query::CommonParams;
use mediameter_query::perm::{self, Access, Policy};
use mediameter_query::qs::{self, QsLimits};
use mediameter_query::rate::SharedRateLimiter;
use mediameter_query::{
    Clock, MAX_PROFILE_PARAMS, Options, Profile, Registry, Rejection, Value, Violation,
    ViolationKind, Warning,
};

use crate::error::Result;

/// [`GatewayBuilder::body_timeout`] unless set.
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The client's request id, echoed in Alibaba and Volcengine bodies (a constant name: looked up
/// without parsing the name per request).
const X_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-request-id");
/// Huawei Cloud's project id header.
/// The name a refusal gives the request body when the body itself is at fault (not received
/// in time, unreadable): what the vendor's invalid-parameter template names.
const BODY: &str = "body";

const X_PROJECT_ID: http::HeaderName = http::HeaderName::from_static("x-project-id");

/// Who is calling: the tenant the rate limit counts against and the policies the permission
/// check evaluates.
///
/// Cheap to clone (two reference counts): a service that knows its tenants can build each
/// one's `Principal` once and hand out clones, so that naming the caller allocates nothing per
/// request (the tenant is shared with the [`Admitted`] query too).
///
/// ```
/// use mediameter_gateway::Principal;
/// use mediameter_query::perm;
/// let p = Principal::new("tenant-1", vec![perm::full_access("rtc")?]);
/// assert_eq!(p.tenant(), "tenant-1");
/// let again = p.clone(); // no allocation
/// assert_eq!(again, p);
/// # Ok::<(), mediameter_query::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    tenant: Arc<str>,
    policies: Arc<[Policy]>,
}

impl Principal {
    /// A principal (`tenant` a `&str`, a `String` or an `Arc<str>` already shared).
    #[must_use]
    pub fn new(tenant: impl Into<Arc<str>>, policies: impl Into<Arc<[Policy]>>) -> Self {
        Principal {
            tenant: tenant.into(),
            policies: policies.into(),
        }
    }

    /// The tenant.
    #[must_use]
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The policies.
    #[must_use]
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }
}

/// How the service tells who is calling (from a header it has authenticated, a client
/// certificate recorded in the request's extensions...). `None` is refused as a permission
/// denial in the vendor's shape.
///
/// It runs on every routed request: build each known tenant's [`Principal`] once and return
/// clones of it (two reference counts, no allocation) rather than building policies per
/// request.
///
/// ```
/// use mediameter_gateway::{Principal, Principals};
/// /// Every caller is one tenant, built once.
/// struct Everyone(Principal);
/// impl Principals for Everyone {
///     fn principal(&self, _: &http::request::Parts) -> Option<Principal> {
///         Some(self.0.clone())
///     }
/// }
/// let everyone = Everyone(Principal::new("anyone", vec![mediameter_query::perm::full_access("rtc")?]));
/// let parts = http::Request::new(()).into_parts().0;
/// assert_eq!(everyone.principal(&parts).map(|p| p.tenant().to_owned()).as_deref(), Some("anyone"));
/// # Ok::<(), mediameter_query::Error>(())
/// ```
pub trait Principals: Send + Sync + 'static {
    /// The caller of this request.
    fn principal(&self, request: &http::request::Parts) -> Option<Principal>;
}

/// The wall clock, for services (the libraries take "now" as a parameter; the layer is the
/// edge where it is read).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(std::time::SystemTime::now())
    }
}

/// The normalised query the layer admitted, in the request's extensions for the handler (or
/// through the axum extractor with the `axum` feature).
///
/// Cheap to clone (one `Arc`): axum's `Extension` extractor clones it per request. The values
/// are kept in one buffer, written once when the query is admitted, and where each one is in
/// it beside the buffer (profiles have at most [`mediameter_query::MAX_PROFILE_PARAMS`]
/// parameters), so an admitted query is two allocations.
///
/// ```
/// # use mediameter_gateway::Admitted;
/// fn handler(req: &http::Request<()>) -> Option<&str> {
///     req.extensions().get::<Admitted>()?.get("app")
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    inner: Arc<AdmittedInner>,
}

#[derive(Debug, PartialEq, Eq)]
struct AdmittedInner {
    api: Arc<str>,
    tenant: Arc<str>,
    /// Every name and value, one after the other.
    text: String,
    /// Per parameter, where its name and its value end in `text`.
    spans: Spans,
    range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    warnings: Vec<Warning>,
}

/// Where the admitted parameters are in [`AdmittedInner::text`], kept inline (a profile has
/// at most [`MAX_PROFILE_PARAMS`] parameters): per parameter, where its name ends and where its
/// value ends (the name starts where the previous value ends), the first `len` used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spans {
    ends: [(u32, u32); MAX_PROFILE_PARAMS],
    len: usize,
}

impl Spans {
    const EMPTY: Spans = Spans {
        ends: [(0, 0); MAX_PROFILE_PARAMS],
        len: 0,
    };

    /// Appends the parameter whose name ends at `name_end` and value at `value_end`; `false`
    /// when all slots are taken (a validated query has no more values than its profile has
    /// parameters) or an offset passes `u32` (the text is bounded far below).
    fn push(&mut self, name_end: usize, value_end: usize) -> bool {
        let (Ok(k), Ok(v), Some(slot)) = (
            u32::try_from(name_end),
            u32::try_from(value_end),
            self.ends.get_mut(self.len),
        ) else {
            return false;
        };
        *slot = (k, v);
        self.len = self.len.saturating_add(1);
        true
    }

    /// Per parameter: where its name starts, where the name ends and the value starts, where
    /// the value ends.
    fn iter(&self) -> impl ExactSizeIterator<Item = (usize, usize, usize)> + '_ {
        let used = self.ends.get(..self.len).unwrap_or_default();
        let mut start = 0_usize;
        used.iter().map(move |&(k, v)| {
            let (k, v) = (
                usize::try_from(k).unwrap_or(0),
                usize::try_from(v).unwrap_or(0),
            );
            let span = (start, k, v);
            start = v;
            span
        })
    }
}

impl Admitted {
    /// The API (profile) name.
    #[must_use]
    pub fn api(&self) -> &str {
        &self.inner.api
    }

    /// The tenant of the principal.
    #[must_use]
    pub fn tenant(&self) -> &str {
        &self.inner.tenant
    }

    /// A normalised value (defaults filled, times in the API's format, lists comma-joined).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        let text = &self.inner.text;
        let name = name.as_bytes();
        self.inner
            .spans
            .iter()
            .find(|&(start, k, _)| {
                k.wrapping_sub(start) == name.len() && text.as_bytes().get(start..k) == Some(name)
            })
            .and_then(|(_, k, v)| text.get(k..v))
    }

    /// Every declared parameter with a value, as (name, value), in profile order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        let text = &self.inner.text;
        self.inner.spans.iter().map(|(start, k, v)| {
            (
                text.get(start..k).unwrap_or_default(),
                text.get(k..v).unwrap_or_default(),
            )
        })
    }

    /// The half-open time range `[start, end)`, for APIs with one.
    #[must_use]
    pub fn range(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.inner.range
    }

    /// Warnings about the accepted query (data delay, ignored parameters).
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        &self.inner.warnings
    }
}

/// One `/`-separated segment of a route's path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSegment {
    /// Matches itself, byte for byte.
    Literal(Box<[u8]>),
    /// `{name}`: any one non-empty segment.
    Any,
    /// `{project_id}`: any one non-empty segment, the project id Huawei's `X-Project-Id` is
    /// compared with.
    ProjectId,
}

impl PathSegment {
    /// The segments of a route's path (leading `/`s ignored, like a request's).
    fn parse(path: &str) -> Vec<PathSegment> {
        path.trim_start_matches('/')
            .split('/')
            .map(|seg| {
                if seg == "{project_id}" {
                    PathSegment::ProjectId
                } else if seg.starts_with('{') && seg.ends_with('}') {
                    PathSegment::Any
                } else {
                    PathSegment::Literal(seg.as_bytes().into())
                }
            })
            .collect()
    }
}

/// The segments of a request path, leading `/`s skipped, on bytes (`/` is ASCII).
fn path_segments(path: &str) -> impl Iterator<Item = &[u8]> {
    let bytes = path.as_bytes();
    let start = bytes.iter().position(|b| *b != b'/').unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default().split(|b| *b == b'/')
}

/// A route with what every request on it needs, looked up once when it is built.
#[derive(Debug)]
struct Route {
    segments: Vec<PathSegment>,
    api: Arc<str>,
    /// The profile as served (common parameters applied).
    profile: Profile,
    /// [`perm::dependencies`] of the profile's action.
    dependencies: &'static [&'static str],
    common: CommonParams,
    /// `common` takes out and checks nothing ([`CommonParams::none`]; Huawei's APIs).
    no_common: bool,
}

impl Route {
    /// `/v1/{project_id}/rtc/rooms`: a `{...}` segment matches any one non-empty segment.
    fn matches(&self, path: &str) -> bool {
        let mut given = path_segments(path);
        for want in &self.segments {
            let Some(seg) = given.next() else {
                return false;
            };
            let ok = match want {
                PathSegment::Literal(lit) => seg == &lit[..],
                PathSegment::Any | PathSegment::ProjectId => !seg.is_empty(),
            };
            if !ok {
                return false;
            }
        }
        given.next().is_none()
    }

    /// The path's value of the `{project_id}` segment, when the route has one.
    fn project_id<'p>(&self, path: &'p str) -> Option<&'p [u8]> {
        self.segments
            .iter()
            .zip(path_segments(path))
            .find(|(want, _)| **want == PathSegment::ProjectId)
            .map(|(_, seg)| seg)
    }

    /// [`perm::check_query`] with the action's dependencies found when the route was built.
    fn access(&self, policies: &[Policy], query: &mediameter_query::ValidQuery<'_>) -> Access {
        let profile = &self.profile;
        let resource = profile
            .resource_param()
            .and_then(|name| match query.get(name) {
                Some(Value::Text(app)) => Some(*app),
                _ => None,
            });
        let first = perm::evaluate(policies, profile.action(), resource);
        if !first.is_allowed() {
            return first;
        }
        for dep in self.dependencies {
            if !perm::evaluate(policies, dep, None).is_allowed() {
                return Access::MissingDependency {
                    action: (*dep).to_owned(),
                };
            }
        }
        Access::Allowed
    }
}

/// Builds a [`GatewayLayer`].
///
/// ```
/// use mediameter_gateway::{Gateway, Principal, Principals};
/// use mediameter_query::Registry;
/// struct Everyone;
/// impl Principals for Everyone {
///     fn principal(&self, _: &http::request::Parts) -> Option<Principal> {
///         Some(Principal::new("t", vec![mediameter_query::perm::full_access("rtc").ok()?]))
///     }
/// }
/// let layer = Gateway::builder(Registry::builtin(), Everyone)
///     .route("/v1/{project_id}/rtc/rooms", "rtc/rooms")?
///     .build()?;
/// # Ok::<(), mediameter_gateway::Error>(())
/// ```
pub struct GatewayBuilder {
    source: Registry,
    registry: Registry,
    routes: Vec<Route>,
    principals: Arc<dyn Principals>,
    clock: Arc<dyn Clock + Send + Sync>,
    limits: QsLimits,
    options: Options,
    max_keys: usize,
    body_timeout: Duration,
}

impl std::fmt::Debug for GatewayBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayBuilder")
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

/// Entry point: [`Gateway::builder`].
pub struct Gateway {
    routes: Vec<Route>,
    principals: Arc<dyn Principals>,
    clock: Arc<dyn Clock + Send + Sync>,
    limits: QsLimits,
    options: Options,
    limiter: SharedRateLimiter,
    request_ids: AtomicU64,
    body_timeout: Duration,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("routes", &self.routes)
            .field("limits", &self.limits)
            .field("options", &self.options)
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A builder over the profiles of `registry`, with the principals of `principals`, the
    /// wall clock, default [`QsLimits`] and [`Options`], and at most 100,000 rate-limit keys.
    #[must_use]
    pub fn builder(registry: Registry, principals: impl Principals) -> GatewayBuilder {
        GatewayBuilder {
            source: registry,
            registry: Registry::new(),
            routes: Vec::new(),
            principals: Arc::new(principals),
            clock: Arc::new(SystemClock),
            limits: QsLimits::default(),
            options: Options::default(),
            max_keys: 100_000,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }
}

impl GatewayBuilder {
    /// Serves `api` on `path` (exact, with `{name}` segments matching any one segment), with
    /// the vendor's common parameters of [`CommonParams::for_profile`].
    ///
    /// # Errors
    ///
    /// `Error::Query` with an unknown API.
    pub fn route(self, path: &str, api: &str) -> Result<Self> {
        let common = CommonParams::for_profile(self.source.get(api)?);
        self.route_with(path, api, common)
    }

    /// As [`GatewayBuilder::route`] with explicit common parameters.
    ///
    /// # Errors
    ///
    /// `Error::Query` with an unknown API or a profile that no longer checks.
    pub fn route_with(mut self, path: &str, api: &str, common: CommonParams) -> Result<Self> {
        let mut profile: Profile = self.source.get(api)?.clone();
        common.apply(&mut profile);
        self.registry.insert(profile.clone())?;
        self.routes.push(Route {
            segments: PathSegment::parse(path),
            api: api.into(),
            dependencies: perm::dependencies(profile.action()),
            no_common: common == CommonParams::none(profile.vendor()),
            profile,
            common,
        });
        Ok(self)
    }

    /// The clock (the wall clock by default; a fixed one for tests and replays).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Query-string limits.
    #[must_use]
    pub fn limits(mut self, limits: QsLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Validation options.
    #[must_use]
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// How long a `POST` body may take to arrive, from the moment the layer starts reading it
    /// (10 s by default). A body not complete by then is answered `408 Request Timeout` with
    /// `Connection: close` and the vendor's body ("the request body was not received in
    /// time"), so a client trickling a body cannot hold a connection and a request's memory
    /// indefinitely.
    ///
    /// The timer is tokio's, set the first time a body makes the layer wait: inside a tokio
    /// runtime it needs the time driver (`enable_all` or `enable_time`, as `#[tokio::main]`
    /// has; tokio panics otherwise, as for any of its timers); outside any tokio runtime no
    /// timeout applies. A body that is all there when the layer reads it (in-memory bodies,
    /// small requests) sets no timer.
    ///
    /// ```
    /// # use mediameter_gateway::{Gateway, Principal, Principals};
    /// # struct Everyone;
    /// # impl Principals for Everyone {
    /// #     fn principal(&self, _: &http::request::Parts) -> Option<Principal> { None }
    /// # }
    /// let layer = Gateway::builder(mediameter_query::Registry::builtin(), Everyone)
    ///     .route("/alibaba/live", "DescribeLiveProducerUsageData")?
    ///     .body_timeout(std::time::Duration::from_secs(5))
    ///     .build()?;
    /// # Ok::<(), mediameter_gateway::Error>(())
    /// ```
    #[must_use]
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Most (tenant, API) keys the rate limiter tracks.
    #[must_use]
    pub fn max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// The layer.
    ///
    /// # Errors
    ///
    /// `Error::Query` for an unusable rate in a routed profile.
    pub fn build(self) -> Result<GatewayLayer> {
        let limiter = SharedRateLimiter::from_registry(&self.registry, self.max_keys)?;
        Ok(GatewayLayer {
            gateway: Arc::new(Gateway {
                routes: self.routes,
                principals: self.principals,
                clock: self.clock,
                limits: self.limits,
                options: self.options,
                limiter,
                request_ids: AtomicU64::new(1),
                body_timeout: self.body_timeout,
            }),
        })
    }
}

/// A refusal: the HTTP status, the vendor's body and, for a rate limit, the seconds to wait.
struct Refusal {
    status: u16,
    body: String,
    retry_after: Option<u64>,
    /// Answer with `Connection: close` (the rest of the request was not read).
    close: bool,
}

impl Refusal {
    fn internal() -> Self {
        Refusal {
            status: 500,
            body: String::new(),
            retry_after: None,
            close: false,
        }
    }
}

/// What the first checks found: who is calling, and the instant the request is judged at.
struct Gated {
    principal: Principal,
    now: DateTime<Utc>,
}

/// Where a routed request's parameters are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The query string only (any method but `POST`, or a `POST` with an empty body).
    Query,
    /// The query string and an `application/x-www-form-urlencoded` body.
    QueryAndForm,
    /// The query string and an `application/json` body: one flat object of strings, numbers
    /// and booleans (Volcengine's API requests put `Action` and `Version` in the query and
    /// the API's parameters in such a body).
    QueryAndJson,
}

/// The body's kind from its `Content-Type`: a form or JSON, with no charset or UTF-8 (media
/// types and charset names are case-insensitive; other parameters are ignored).
fn body_source(value: &HeaderValue) -> Option<Source> {
    let Ok(value) = value.to_str() else {
        return None;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let source = if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Source::QueryAndForm
    } else if essence.eq_ignore_ascii_case("application/json") {
        Source::QueryAndJson
    } else {
        return None;
    };
    let utf8 = parts.all(|param| match param.split_once('=') {
        Some((name, charset)) if name.trim().eq_ignore_ascii_case("charset") => {
            let charset = charset.trim().trim_matches('"');
            charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
        }
        _ => true,
    });
    utf8.then_some(source)
}

/// Why a JSON body was refused.
enum JsonRefusal {
    /// Not one flat object of strings, numbers and booleans.
    Shape,
    TooManyParams,
    KeyTooLong,
    ValueTooLong(String),
    Repeated(String),
}

/// The parameters of a JSON body under `limits` (the same bounds as a query string's), a key
/// already in `seen` or given twice refused as repeated.
fn json_params(
    body: &[u8],
    limits: &QsLimits,
    seen: &[(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)],
) -> std::result::Result<Vec<(String, String)>, JsonRefusal> {
    use serde::de::{self, Deserializer as _, MapAccess, Visitor};

    /// A scalar value, as text.
    struct Scalar(String);
    impl<'de> de::Deserialize<'de> for Scalar {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Scalar;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a string, number or boolean")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Scalar, E> {
                    Ok(Scalar(v.to_owned()))
                }
                fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Scalar, E> {
                    Ok(Scalar(v))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Scalar, E> {
                    Ok(Scalar(v.to_string()))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Scalar, E> {
                    Ok(Scalar(v.to_string()))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Scalar, E> {
                    Ok(Scalar(v.to_string()))
                }
                fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Scalar, E> {
                    Ok(Scalar(v.to_string()))
                }
            }
            d.deserialize_any(V)
        }
    }

    struct Flat<'l, 's, 'p> {
        limits: &'l QsLimits,
        seen: &'s [(std::borrow::Cow<'p, str>, std::borrow::Cow<'p, str>)],
        refusal: &'l mut Option<JsonRefusal>,
    }
    impl<'de> Visitor<'de> for Flat<'_, '_, '_> {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out: Vec<(String, String)> = Vec::new();
            let mut refuse = |r: JsonRefusal| {
                *self.refusal = Some(r);
                de::Error::custom("refused")
            };
            while let Some(key) = map.next_key::<String>()? {
                if key.len() > self.limits.max_key_len() {
                    return Err(refuse(JsonRefusal::KeyTooLong));
                }
                if out.len().saturating_add(self.seen.len()) >= self.limits.max_params() {
                    return Err(refuse(JsonRefusal::TooManyParams));
                }
                if out.iter().any(|(k, _)| *k == key) || self.seen.iter().any(|(k, _)| *k == key) {
                    return Err(refuse(JsonRefusal::Repeated(key)));
                }
                let Scalar(value) = map.next_value()?;
                if value.len() > self.limits.max_value_len() {
                    return Err(refuse(JsonRefusal::ValueTooLong(key)));
                }
                out.push((key, value));
            }
            Ok(out)
        }
    }

    if body.len() > limits.max_len() {
        return Err(JsonRefusal::TooManyParams);
    }
    let mut refusal = None;
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = de.deserialize_map(Flat {
        limits,
        seen,
        refusal: &mut refusal,
    });
    match (parsed, de.end()) {
        (Ok(pairs), Ok(())) => Ok(pairs),
        _ => Err(refusal.unwrap_or(JsonRefusal::Shape)),
    }
}

impl Gateway {
    fn request_id(&self, parts: &http::request::Parts) -> String {
        if let Some(id) = parts
            .headers
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 64)
        {
            return id.to_owned();
        }
        crate::text::generated_request_id(self.request_ids.fetch_add(1, Ordering::Relaxed))
    }

    fn refuse(
        &self,
        profile: &Profile,
        violations: Vec<Violation>,
        parts: &http::request::Parts,
    ) -> Refusal {
        self.answer(&Rejection::new(profile, violations), parts)
    }

    /// The refusal answering `rejection`.
    fn answer(&self, rejection: &Rejection, parts: &http::request::Parts) -> Refusal {
        let body = serde_json::to_string(&rejection.vendor_body(&self.request_id(parts)))
            .unwrap_or_default();
        Refusal {
            status: rejection.status(),
            body,
            retry_after: None,
            close: false,
        }
    }

    fn refuse_with_status(
        &self,
        profile: &Profile,
        violation: Violation,
        parts: &http::request::Parts,
        status: u16,
    ) -> Refusal {
        let mut refusal = self.refuse(profile, vec![violation], parts);
        refusal.status = status;
        refusal
    }

    /// The checks that need no parameters: the principal, then the rate limit.
    fn gate(
        &self,
        route: &Route,
        parts: &http::request::Parts,
    ) -> std::result::Result<Gated, Refusal> {
        let profile = &route.profile;
        let now = self.clock.now();
        let Some(principal) = self.principals.principal(parts) else {
            let v = Violation::new(
                ViolationKind::Denied,
                None,
                None,
                format!("{} without credentials", profile.action()),
            );
            return Err(self.refuse(profile, vec![v], parts));
        };
        let decision = self.limiter.check(&principal.tenant, profile.name(), now);
        if let Some(v) = decision.to_violation() {
            let mut refusal = self.refuse_with_status(profile, v, parts, 429);
            let wait = decision.retry_after;
            let secs = wait
                .as_secs()
                .saturating_add(u64::from(wait.subsec_nanos() > 0));
            refusal.retry_after = Some(secs.max(1));
            return Err(refusal);
        }
        // Huawei Cloud's common request headers: `X-Project-Id`, when sent, is "the same as the
        // project id in the path parameter" (the RTC API reference's header table).
        if profile.vendor() == mediameter_query::Vendor::Huawei
            && let Some(given) = parts.headers.get(X_PROJECT_ID)
            && let Some(in_path) = route.project_id(parts.uri.path())
            && given.as_bytes() != in_path
        {
            let v = Violation::new(
                ViolationKind::Malformed,
                Some("X-Project-Id"),
                None,
                "not the project id of the path",
            );
            return Err(self.refuse(profile, vec![v], parts));
        }
        Ok(Gated { principal, now })
    }

    /// Where the parameters are, from the method, the declared body size and the content
    /// type; a body that cannot be a form, or is declared over the bound, is refused here,
    /// before a byte of it is read.
    fn source(
        &self,
        route: &Route,
        parts: &http::request::Parts,
        size_hint: &http_body::SizeHint,
    ) -> std::result::Result<Source, Refusal> {
        if parts.method != Method::POST || size_hint.exact() == Some(0) {
            return Ok(Source::Query);
        }
        let profile = &route.profile;
        let Some(source) = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(body_source)
        else {
            // Named after the header, so every vendor's shape says what to fix.
            let v = Violation::new(
                ViolationKind::Malformed,
                Some("Content-Type"),
                None,
                "a request body must be application/x-www-form-urlencoded or application/json (UTF-8)",
            );
            return Err(self.refuse_with_status(profile, v, parts, 415));
        };
        let declared = usize::try_from(size_hint.lower()).unwrap_or(usize::MAX);
        if declared > self.limits.max_len() {
            return Err(self.too_large(profile, parts));
        }
        Ok(source)
    }

    fn too_large(&self, profile: &Profile, parts: &http::request::Parts) -> Refusal {
        let v = Violation::new(
            ViolationKind::TooLarge,
            None,
            None,
            "the request body is too long",
        );
        self.refuse_with_status(profile, v, parts, 413)
    }

    fn timed_out(&self, profile: &Profile, parts: &http::request::Parts) -> Refusal {
        // Named after the body, as an unreadable one is: a vendor template that names the
        // parameter at fault (Alibaba's "The specified parameter \"{name}\" is not valid.")
        // then says what to fix instead of naming an empty parameter.
        let v = Violation::new(
            ViolationKind::Malformed,
            Some(BODY),
            None,
            "the request body was not received in time",
        );
        let mut refusal = self.refuse_with_status(profile, v, parts, 408);
        refusal.close = true;
        refusal
    }

    fn unreadable(&self, route: &Route, parts: &http::request::Parts) -> Refusal {
        let profile = &route.profile;
        let v = Violation::new(
            ViolationKind::Malformed,
            Some(BODY),
            None,
            "the request body could not be read",
        );
        self.refuse(profile, vec![v], parts)
    }

    /// The checks of the parameters (from the query string and `form`, the body as read):
    /// parsing, the vendor's common parameters, validation under the profile, the caller's
    /// policies.
    fn finish(
        &self,
        route: &Route,
        parts: &http::request::Parts,
        gated: Gated,
        source: Source,
        body: &[u8],
    ) -> std::result::Result<Admitted, Refusal> {
        let profile = &route.profile;
        let Gated { principal, now } = gated;
        let raw = parts.uri.query().unwrap_or_default();
        let form = if source == Source::QueryAndForm {
            body
        } else {
            &[]
        };
        let params = match qs::parse_request(raw.as_bytes(), form, &self.limits) {
            Ok(p) => p,
            Err(e) => {
                let v = e.query_string_violation().ok_or_else(Refusal::internal)?;
                return Err(self.refuse(profile, vec![v], parts));
            }
        };
        let json;
        let mut all;
        let pairs = if source == Source::QueryAndJson {
            json = match json_params(body, &self.limits, params.pairs()) {
                Ok(j) => j,
                Err(r) => {
                    let (kind, param, detail) = match r {
                        JsonRefusal::Shape => (
                            ViolationKind::Malformed,
                            None,
                            "the JSON body must be one object of strings, numbers and booleans",
                        ),
                        JsonRefusal::TooManyParams => {
                            (ViolationKind::TooLarge, None, "too many parameters")
                        }
                        JsonRefusal::KeyTooLong => (
                            ViolationKind::Malformed,
                            None,
                            "the parameter name is too long",
                        ),
                        JsonRefusal::ValueTooLong(k) => {
                            (ViolationKind::Malformed, Some(k), "the value is too long")
                        }
                        JsonRefusal::Repeated(k) => (
                            ViolationKind::Duplicate,
                            Some(k),
                            "the parameter is repeated",
                        ),
                    };
                    let v = Violation::new(kind, param.as_deref(), None, detail);
                    return Err(self.refuse(profile, vec![v], parts));
                }
            };
            all = params.pairs().to_vec();
            all.extend(
                json.iter()
                    .map(|(k, v)| (k.as_str().into(), v.as_str().into())),
            );
            &all[..]
        } else {
            params.pairs()
        };
        let capacity = pairs.iter().fold(0_usize, |n, (k, v)| {
            n.saturating_add(k.len()).saturating_add(v.len())
        });
        if route.no_common {
            // Nothing to take out or check: the parameters go to validation as parsed.
            self.admit(route, parts, principal, now, pairs, capacity)
        } else {
            let (rest, violations) = route.common.split(pairs);
            if !violations.is_empty() {
                return Err(self.refuse(profile, violations, parts));
            }
            self.admit(route, parts, principal, now, &rest, capacity)
        }
    }

    /// Validation of `given` (the parameters of the API, common ones taken out), the caller's
    /// policies, and the admitted query written (`capacity` bytes expected).
    fn admit<K: AsRef<str>, V: AsRef<str>>(
        &self,
        route: &Route,
        parts: &http::request::Parts,
        principal: Principal,
        now: DateTime<Utc>,
        given: &[(K, V)],
        capacity: usize,
    ) -> std::result::Result<Admitted, Refusal> {
        let profile = &route.profile;
        let query = match mediameter_query::validate(profile, given, now, &self.options) {
            Ok(q) => q,
            Err(e) => {
                // Validation built the rejection under this profile: answer it as it is.
                return Err(match e.rejection() {
                    Some(r) => self.answer(r, parts),
                    None => Refusal::internal(),
                });
            }
        };
        if let Some(v) = route
            .access(&principal.policies, &query)
            .to_violation(profile.action())
        {
            return Err(self.refuse(profile, vec![v], parts));
        }
        let mut text = Vec::with_capacity(capacity);
        let mut spans = Spans::EMPTY;
        for (name, value) in query.values() {
            text.extend_from_slice(name.as_bytes());
            let name_end = text.len();
            // A time is copied as given when that is the text it would be written as (the
            // value validation read is the one given under its name: a name given twice is
            // refused).
            let raw = match value {
                Value::Time(..) => given
                    .iter()
                    .find(|(k, _)| k.as_ref() == *name)
                    .map(|(_, v)| v.as_ref()),
                _ => None,
            };
            match raw {
                Some(raw) if crate::text::time_as_written(raw.as_bytes()) => {
                    text.extend_from_slice(raw.as_bytes());
                }
                _ => crate::text::write_value(&mut text, value),
            }
            if !spans.push(name_end, text.len()) {
                return Err(Refusal::internal());
            }
        }
        // Names and texts are UTF-8 and the writers add ASCII: one check for the whole text.
        let text = String::from_utf8(text).map_err(|_| Refusal::internal())?;
        Ok(Admitted {
            inner: Arc::new(AdmittedInner {
                api: Arc::clone(&route.api),
                tenant: principal.tenant,
                text,
                spans,
                range: query.range().map(|r| (r.start(), r.end())),
                warnings: query.warnings().to_vec(),
            }),
        })
    }
}

/// The tower [`Layer`](tower::Layer) built by [`Gateway::builder`]; cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct GatewayLayer {
    gateway: Arc<Gateway>,
}

impl<S> tower::Layer<S> for GatewayLayer {
    type Service = GatewayService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GatewayService {
            gateway: Arc::clone(&self.gateway),
            inner,
        }
    }
}

/// The service of [`GatewayLayer`]: requests on a routed path are admitted or answered here;
/// other paths go to the inner service untouched.
#[derive(Debug, Clone)]
pub struct GatewayService<S> {
    gateway: Arc<Gateway>,
    inner: S,
}

fn response<B: From<String>>(refusal: Refusal) -> Response<B> {
    let mut resp = Response::new(B::from(refusal.body));
    *resp.status_mut() = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(secs) = refusal.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if refusal.close {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

impl<S, ReqB, ResB> tower::Service<Request<ReqB>> for GatewayService<S>
where
    S: tower::Service<Request<ReqB>, Response = Response<ResB>> + Clone,
    ReqB: Body + From<Bytes>,
    ResB: From<String>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = GatewayFuture<S, ReqB, S::Future, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        let path = req.uri().path();
        let Some(index) = self.gateway.routes.iter().position(|r| r.matches(path)) else {
            return GatewayFuture::inner(self.inner.call(req));
        };
        let gateway = &self.gateway;
        let Some(route) = gateway.routes.get(index) else {
            return GatewayFuture::ready(response(Refusal::internal()));
        };
        let (mut parts, body) = req.into_parts();
        let gated = match gateway.gate(route, &parts) {
            Ok(g) => g,
            Err(refusal) => return GatewayFuture::ready(response(refusal)),
        };
        match gateway.source(route, &parts, &body.size_hint()) {
            Err(refusal) => GatewayFuture::ready(response(refusal)),
            Ok(Source::Query) => match gateway.finish(route, &parts, gated, Source::Query, &[]) {
                Ok(admitted) => {
                    parts.extensions.insert(admitted);
                    GatewayFuture::inner(self.inner.call(Request::from_parts(parts, body)))
                }
                Err(refusal) => GatewayFuture::ready(response(refusal)),
            },
            Ok(source) => {
                // The body is read in the future; the service made ready by `poll_ready` goes
                // with it and a clone stays for the next request (tower's usual hand-over).
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                let capacity = usize::try_from(body.size_hint().lower())
                    .unwrap_or(0)
                    .min(gateway.limits.max_len());
                GatewayFuture {
                    kind: Kind::Reading {
                        body,
                        state: Some(ReadState {
                            gateway: Arc::clone(gateway),
                            route: index,
                            parts,
                            gated,
                            source,
                            inner,
                            buf: Vec::with_capacity(capacity),
                            started: tokio::time::Instant::now(),
                            deadline: None,
                        }),
                    },
                }
            }
        }
    }
}

/// What a future reading a form body carries until the body is complete.
struct ReadState<S> {
    gateway: Arc<Gateway>,
    route: usize,
    parts: http::request::Parts,
    gated: Gated,
    source: Source,
    inner: S,
    buf: Vec<u8>,
    /// When the layer started reading the body.
    started: tokio::time::Instant,
    /// The timer of [`GatewayBuilder::body_timeout`] from `started`, set the first time the
    /// body is not ready (a body that is all there, or arrives without a pause, needs none);
    /// never set outside a tokio runtime.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// How reading a body ended.
enum BodyEnd {
    Complete,
    TooLarge,
    Unreadable,
    TimedOut,
}

impl<S> ReadState<S> {
    /// Whether the body timeout has passed, the timer set on the first call inside a tokio
    /// runtime and registered with `cx` to wake the reading future when it fires.
    fn timed_out(&mut self, cx: &mut Context<'_>) -> bool {
        if self.deadline.is_none() && tokio::runtime::Handle::try_current().is_ok() {
            self.deadline = self
                .started
                .checked_add(self.gateway.body_timeout)
                .map(|at| Box::pin(tokio::time::sleep_until(at)));
        }
        self.deadline
            .as_mut()
            .is_some_and(|d| d.as_mut().poll(cx).is_ready())
    }

    /// Appends a data frame, unless the body would pass the bound.
    fn append(&mut self, mut data: impl Buf) -> bool {
        let room = self.gateway.limits.max_len().saturating_sub(self.buf.len());
        if data.remaining() > room {
            return false;
        }
        while data.has_remaining() {
            let chunk = data.chunk();
            let n = chunk.len();
            self.buf.extend_from_slice(chunk);
            data.advance(n);
        }
        true
    }

    /// The request for the inner service, or the refusal.
    fn conclude<ReqB, ResB>(
        self,
        end: BodyEnd,
    ) -> std::result::Result<(S, Request<ReqB>), Response<ResB>>
    where
        ReqB: From<Bytes>,
        ResB: From<String>,
    {
        let ReadState {
            gateway,
            route,
            mut parts,
            gated,
            source,
            inner,
            buf,
            started: _,
            deadline: _,
        } = self;
        let Some(route) = gateway.routes.get(route) else {
            return Err(response(Refusal::internal()));
        };
        let refusal = match end {
            BodyEnd::Complete => match gateway.finish(route, &parts, gated, source, &buf) {
                Ok(admitted) => {
                    parts.extensions.insert(admitted);
                    // The handler gets the body as it came (the parameters are in `Admitted`).
                    let body = ReqB::from(Bytes::from(buf));
                    return Ok((inner, Request::from_parts(parts, body)));
                }
                Err(refusal) => refusal,
            },
            BodyEnd::TooLarge => gateway.too_large(&route.profile, &parts),
            BodyEnd::Unreadable => gateway.unreadable(route, &parts),
            BodyEnd::TimedOut => gateway.timed_out(&route.profile, &parts),
        };
        Err(response(refusal))
    }
}

pin_project_lite::pin_project! {
    /// The future of [`GatewayService`]: reading a form body (bounded), then the inner
    /// service's future, or a refusal ready now.
    pub struct GatewayFuture<S, ReqB, F, B> {
        #[pin]
        kind: Kind<S, ReqB, F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<S, ReqB, F, B> {
        Reading { #[pin] body: ReqB, state: Option<ReadState<S>> },
        Inner { #[pin] fut: F },
        Ready { response: Option<Response<B>> },
    }
}

impl<S, ReqB, F, B> GatewayFuture<S, ReqB, F, B> {
    fn inner(fut: F) -> Self {
        GatewayFuture {
            kind: Kind::Inner { fut },
        }
    }

    fn ready(response: Response<B>) -> Self {
        GatewayFuture {
            kind: Kind::Ready {
                response: Some(response),
            },
        }
    }
}

impl<S, ReqB, F, B, E> Future for GatewayFuture<S, ReqB, F, B>
where
    S: tower::Service<Request<ReqB>, Future = F, Response = Response<B>, Error = E>,
    ReqB: Body + From<Bytes>,
    F: Future<Output = std::result::Result<Response<B>, E>>,
    B: From<String>,
{
    type Output = std::result::Result<Response<B>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let next = match self.as_mut().project().kind.project() {
                KindProj::Inner { fut } => return fut.poll(cx),
                KindProj::Ready { response } => {
                    // Polled again after completion: answer 500 rather than panic.
                    return Poll::Ready(Ok(response.take().unwrap_or_else(|| response_500())));
                }
                KindProj::Reading { mut body, state } => {
                    let Some(st) = state.as_mut() else {
                        return Poll::Ready(Ok(response_500()));
                    };
                    let end = loop {
                        let frame = match body.as_mut().poll_frame(cx) {
                            Poll::Ready(frame) => frame,
                            // Waiting for the client: the deadline is polled too.
                            Poll::Pending if st.timed_out(cx) => break BodyEnd::TimedOut,
                            Poll::Pending => return Poll::Pending,
                        };
                        match frame {
                            None => break BodyEnd::Complete,
                            Some(Err(_)) => break BodyEnd::Unreadable,
                            Some(Ok(frame)) => {
                                // Trailers carry no parameters.
                                if let Ok(data) = frame.into_data()
                                    && !st.append(data)
                                {
                                    break BodyEnd::TooLarge;
                                }
                            }
                        }
                    };
                    let Some(st) = state.take() else {
                        return Poll::Ready(Ok(response_500()));
                    };
                    match st.conclude::<ReqB, B>(end) {
                        Ok((mut inner, req)) => Kind::Inner {
                            fut: inner.call(req),
                        },
                        Err(resp) => Kind::Ready {
                            response: Some(resp),
                        },
                    }
                }
            };
            self.as_mut().project().kind.set(next);
        }
    }
}

fn response_500<B: From<String>>() -> Response<B> {
    let mut resp = Response::new(B::from(String::new()));
    *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    resp
}

#[cfg(feature = "axum")]
impl<S: Send + Sync> axum_core::extract::FromRequestParts<S> for Admitted {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> std::result::Result<Self, Self::Rejection> {
        parts.extensions.get::<Admitted>().cloned().ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "the route is not behind the mediameter gateway layer",
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use mediameter_query::perm::{Effect, Statement};

    /// A route on `path` serving `api` of the built-in registry.
    fn route(path: &str, api: &str) -> Route {
        let profile = Registry::builtin().get(api).unwrap().clone();
        Route {
            segments: PathSegment::parse(path),
            api: api.into(),
            dependencies: perm::dependencies(profile.action()),
            common: CommonParams::for_profile(&profile),
            no_common: false,
            profile,
        }
    }

    #[test]
    fn route_patterns() {
        let r = route("/v1/{project_id}/rtc/rooms", "rtc/rooms");
        assert!(r.matches("/v1/p1/rtc/rooms"));
        assert!(r.matches("//v1/p1/rtc/rooms"));
        assert!(!r.matches("/v1//rtc/rooms"));
        assert!(!r.matches("/v1/p1/rtc/rooms/x"));
        assert!(!r.matches("/v1/p1/rtc/rooms/"));
        assert!(!r.matches("/v1/p1/rtc"));
        assert!(!r.matches("/v2/p1/rtc/rooms"));
        assert_eq!(r.project_id("/v1/p1/rtc/rooms"), Some(&b"p1"[..]));
    }

    #[test]
    fn admitted_get_as_values() {
        let a = Admitted {
            inner: Arc::new(AdmittedInner {
                api: "x".into(),
                tenant: "t".into(),
                text: "limit5lim7offset0app".into(),
                spans: {
                    let mut spans = Spans::EMPTY;
                    for (k, v) in [(5, 6), (9, 10), (16, 17), (20, 20)] {
                        assert!(spans.push(k, v));
                    }
                    spans
                },
                range: None,
                warnings: Vec::new(),
            }),
        };
        for name in ["limit", "lim", "offset", "app", "li", "limits", "", "5"] {
            let reference = a.values().find(|(k, _)| *k == name).map(|(_, v)| v);
            assert_eq!(a.get(name), reference, "{name}");
        }
        assert_eq!(a.get("lim"), Some("7"));
        assert_eq!(a.get("app"), Some(""));
    }

    /// A route whose common parameters are `CommonParams::none` skips the split: it would
    /// hand validation every pair, in order, and find nothing wrong.
    #[test]
    fn no_common_parameters_split_nothing() {
        let registry = Registry::builtin();
        let input = [
            ("app", "a"),
            ("Action", "x"),
            ("Version", "1"),
            ("AccessKeyId", "k"),
        ];
        let mut skipped = 0;
        for profile in registry.profiles() {
            let none = CommonParams::none(profile.vendor());
            if CommonParams::for_profile(profile) != none {
                continue;
            }
            let (rest, violations) = none.split(&input);
            assert_eq!(rest, input);
            assert!(violations.is_empty());
            skipped += 1;
        }
        assert!(skipped > 0);
    }

    /// Matching as it was done on `str`s before the byte-level matcher, the reference for it.
    fn reference_matches(pattern: &str, path: &str) -> (bool, Option<String>) {
        let segments: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
        let mut given = path.trim_start_matches('/').split('/');
        let mut matched = true;
        for want in &segments {
            let Some(seg) = given.next() else {
                matched = false;
                break;
            };
            let wild = want.starts_with('{') && want.ends_with('}');
            if (wild && seg.is_empty()) || (!wild && seg != *want) {
                matched = false;
                break;
            }
        }
        matched = matched && given.next().is_none();
        let project = segments
            .iter()
            .zip(path.trim_start_matches('/').split('/'))
            .find(|(want, _)| **want == "{project_id}")
            .map(|(_, seg)| seg.to_owned());
        (matched, project)
    }

    proptest::proptest! {
        #[test]
        fn matching_as_reference(pattern in "/?((v1|rtc|\\{project_id\\}|\\{x\\}|\\{|)/){0,3}(rooms|\\{project_id\\}|)",
                                 path in "/{0,2}((v1|rtc|p1|rooms|\\{x\\}|)/){0,4}(rooms|p1|)") {
            let r = Route { segments: PathSegment::parse(&pattern), ..route("/", "rtc/rooms") };
            let got = (r.matches(&path), r.project_id(&path).map(|p| String::from_utf8(p.to_vec()).unwrap()));
            proptest::prop_assert_eq!(got, reference_matches(&pattern, &path));
        }
    }

    /// The route's permission check gives what `perm::check_query` gives, for every built-in
    /// profile, under policies that allow, deny, carve out and miss dependencies.
    #[test]
    fn access_as_check_query() {
        let registry = Registry::builtin();
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let deny_app = Policy::new(
            "deny app-2",
            vec![Statement::new(Effect::Deny, &["*"], &["app-2"])],
        )
        .unwrap();
        let policy_sets: Vec<Vec<Policy>> = vec![
            vec![],
            vec![perm::full_access("rtc").unwrap()],
            vec![perm::full_access("live").unwrap()],
            vec![perm::full_access("cts").unwrap()],
            vec![perm::cts_administrator()],
            vec![perm::read_only_access("*").unwrap()],
            vec![perm::full_access("*").unwrap(), deny_app],
            vec![perm::allow_apps("team", &["*"], &["app-1"]).unwrap()],
        ];
        let mut outcomes = std::collections::HashSet::new();
        let mut checked = 0;
        for profile in registry.profiles() {
            // Each profile as built in, and with an action that depends on others (Huawei
            // Cloud CTS: listing trackers needs two OBS permissions), so that every outcome of
            // the check occurs.
            for action in [profile.action(), "cts:tracker:list"] {
                let mut r = route("/x", profile.name());
                r.profile = r.profile.into_builder().action(action).build().unwrap();
                r.dependencies = perm::dependencies(action);
                for app in ["app-1", "app-2"] {
                    let mut input: Vec<(String, String)> = Vec::new();
                    if let Some(name) = profile.resource_param() {
                        input.push((name.to_owned(), app.to_owned()));
                    }
                    // Profiles whose required parameters are not all given are skipped.
                    let Ok(query) =
                        mediameter_query::validate(&r.profile, &input, now, &Options::default())
                    else {
                        continue;
                    };
                    checked += 1;
                    for policies in &policy_sets {
                        let access = r.access(policies, &query);
                        assert_eq!(
                            access,
                            perm::check_query(policies, &r.profile, &query),
                            "{} {action} {app} {policies:?}",
                            profile.name()
                        );
                        outcomes.insert(std::mem::discriminant(&access));
                    }
                }
            }
        }
        // Allowed, both denials and a missing dependency, over several profiles.
        assert_eq!(outcomes.len(), 4);
        assert!(checked >= 8, "{checked}");
    }
}
