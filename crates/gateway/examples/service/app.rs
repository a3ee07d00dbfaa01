//! The demo service: three vendor endpoints over the bundled sample usage, behind the gateway
//! layer, plus token issue and join endpoints. Shared by `main.rs`, the load test and the
//! gateway's tests (each uses a part, hence the allowances).
#![allow(
    unreachable_pub,
    dead_code,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::{DateTime, TimeDelta};
use mediameter_gateway::token::{Binding, TokenVerifier};
use mediameter_gateway::{Admitted, Gateway, GatewayLayer, Principal, Principals};
use mediameter_query::{Clock, Registry, perm};
use serde_json::{Value, json};

/// The sample the CLI ships (a copy, so that the example builds from the published package):
/// one line per user session in a channel.
pub const SAMPLE_CSV: &str = include_str!("usage_sample.csv");

/// Routes of the three vendor APIs.
pub const ALIBABA_PATH: &str = "/alibaba/live";
/// Volcengine's `ListOperationDistribution`.
pub const VOLCENGINE_PATH: &str = "/volcengine/rtc";
/// Huawei's room list.
pub const HUAWEI_PATH: &str = "/v1/{project_id}/rtc/rooms";

/// One session of the sample.
#[derive(Debug, Clone)]
pub struct Session {
    app: String,
    channel: String,
    user: String,
    role: String,
    spec: String,
    region: String,
    start: i64,
    end: i64,
}

/// Reads the sample CSV (fixed columns, no quoting).
pub fn sessions(csv: &str) -> Vec<Session> {
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Some(Session {
                app: f.first()?.to_string(),
                channel: f.get(1)?.to_string(),
                user: f.get(2)?.to_string(),
                role: f.get(3)?.to_string(),
                spec: f.get(4)?.to_string(),
                region: f.get(5)?.to_string(),
                start: f.get(6)?.parse().ok()?,
                end: f.get(7)?.parse().ok()?,
            })
        })
        .collect()
}

/// Tenants by the `x-tenant` header (the demo trusts it; a real service authenticates first):
/// `admin` may read everything, `viewer` only `demo-app`. Each principal is built once and
/// cloned per request (no allocation), as the `Principals` documentation advises.
#[derive(Debug, Clone)]
pub struct HeaderTenants {
    admin: Principal,
    viewer: Principal,
}

impl HeaderTenants {
    /// The demo's two tenants.
    ///
    /// # Errors
    ///
    /// A policy that is not valid (the demo's are).
    pub fn new() -> Result<Self, mediameter_query::Error> {
        Ok(HeaderTenants {
            admin: Principal::new(
                "admin",
                vec![perm::full_access("rtc")?, perm::read_only_access("live")?],
            ),
            viewer: Principal::new(
                "viewer",
                vec![perm::allow_apps("viewer", &["rtc:*"], &["demo-app"])?],
            ),
        })
    }
}

impl Principals for HeaderTenants {
    fn principal(&self, req: &axum::http::request::Parts) -> Option<Principal> {
        const X_TENANT: axum::http::HeaderName = axum::http::HeaderName::from_static("x-tenant");
        match req.headers.get(X_TENANT)?.as_bytes() {
            b"admin" => Some(self.admin.clone()),
            b"viewer" => Some(self.viewer.clone()),
            _ => None,
        }
    }
}

/// What the handlers share.
pub struct Demo {
    sessions: Vec<Session>,
    tokens: Arc<TokenVerifier>,
    clock: Arc<dyn Clock + Send + Sync>,
}

/// The gateway layer over the three routes.
pub fn layer(
    clock: impl Clock + Send + Sync + 'static,
) -> Result<GatewayLayer, mediameter_gateway::Error> {
    Gateway::builder(Registry::builtin(), HeaderTenants::new()?)
        .route(ALIBABA_PATH, "DescribeLiveProducerUsageData")?
        .route(VOLCENGINE_PATH, "ListOperationDistribution")?
        .route(HUAWEI_PATH, "rtc/rooms")?
        .clock(clock)
        .build()
}

/// The whole service.
pub fn router(
    clock: impl Clock + Send + Sync + Clone + 'static,
    tokens: Arc<TokenVerifier>,
) -> Result<Router, mediameter_gateway::Error> {
    let demo = demo(clock.clone(), tokens);
    Ok(api_routes(demo.clone())
        .layer(layer(clock)?)
        .merge(token_routes(demo)))
}

/// The three vendor endpoints, without the layer (the load test serves them both ways).
pub fn api_routes(demo: Arc<Demo>) -> Router {
    Router::new()
        // Alibaba's RPC-style APIs and Volcengine's take GET or POST (the layer reads a form
        // body); Huawei's room list is GET only.
        .route(ALIBABA_PATH, get(alibaba).post(alibaba))
        .route("/v1/{project_id}/rtc/rooms", get(huawei_rooms))
        .route(VOLCENGINE_PATH, get(volcengine).post(volcengine))
        .with_state(demo)
}

/// `/token` (admin issues a join token) and `/join` (a client presents it).
pub fn token_routes(demo: Arc<Demo>) -> Router {
    Router::new()
        .route("/token", get(issue))
        .route("/join", get(join))
        .with_state(demo)
}

/// A demo over the sample with `tokens` and `clock`.
pub fn demo(clock: impl Clock + Send + Sync + 'static, tokens: Arc<TokenVerifier>) -> Arc<Demo> {
    Arc::new(Demo {
        sessions: sessions(SAMPLE_CSV),
        tokens,
        clock: Arc::new(clock),
    })
}

fn range(q: &Admitted) -> (i64, i64) {
    q.range().map_or((i64::MIN, i64::MAX), |(s, e)| {
        (s.timestamp(), e.timestamp())
    })
}

fn fmt_time(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// What the room list reads from its query.
#[derive(Debug, Clone, Copy)]
pub struct RoomQuery<'q> {
    /// `app`.
    pub app: &'q str,
    /// `[start_time, end_time)` in Unix seconds.
    pub range: (i64, i64),
    /// `state`, when given.
    pub state: Option<&'q str>,
    /// `limit`.
    pub limit: usize,
    /// `offset`.
    pub offset: usize,
}

impl<'q> RoomQuery<'q> {
    /// The room list's parameters of an admitted query.
    pub fn admitted(q: &'q Admitted) -> Self {
        RoomQuery {
            app: q.get("app").unwrap_or_default(),
            range: range(q),
            state: q.get("state"),
            limit: q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(10),
            offset: q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0),
        }
    }
}

async fn huawei_rooms(
    State(demo): State<Arc<Demo>>,
    Extension(q): Extension<Admitted>,
) -> Response {
    room_list(&demo, &RoomQuery::admitted(&q))
}

/// The Huawei room list's work, whoever read the query: the sample's rooms of `q.app` active in
/// `q.range`, filtered by state, paged, as Huawei's JSON.
pub fn room_list(demo: &Demo, q: &RoomQuery<'_>) -> Response {
    let (from, to) = q.range;
    let app = q.app;
    let mut rooms: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for s in demo
        .sessions
        .iter()
        .filter(|s| s.app == app && s.start < to && s.end > from)
    {
        let e = rooms.entry(&s.channel).or_insert((s.start, s.end));
        e.0 = e.0.min(s.start);
        e.1 = e.1.max(s.end);
    }
    let (limit, offset) = (q.limit, q.offset);
    let now = demo.clock.now().timestamp();
    let list: Vec<Value> = rooms
        .iter()
        .filter(|(_, (_, end))| match q.state {
            Some("RUNNING") => *end > now,
            Some("CLOSED") => *end <= now,
            _ => true,
        })
        .skip(offset)
        .take(limit)
        .map(|(room, (start, end))| {
            json!({
                "app": app, "room_id": room,
                "state": if *end > now { "RUNNING" } else { "CLOSED" },
                "duration": end - start,
                "start_time": fmt_time(*start),
                "end_time": if *end > now { "-".to_owned() } else { fmt_time(*end) },
            })
        })
        .collect();
    axum::Json(
        json!({"total": rooms.len(), "room_info_list": list, "offset": offset, "limit": limit}),
    )
    .into_response()
}

async fn volcengine(State(demo): State<Arc<Demo>>, Extension(q): Extension<Admitted>) -> Response {
    let (from, to) = range(&q);
    let app = q.get("AppId").unwrap_or_default();
    let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in demo
        .sessions
        .iter()
        .filter(|s| s.app == app && s.start < to && s.end > from)
    {
        users.entry(&s.region).or_default().insert(&s.user);
    }
    let items: Vec<Value> = users
        .iter()
        .map(|(region, u)| json!({"Name": region, "Value": u.len()}))
        .collect();
    axum::Json(json!({
        "ResponseMetadata": {"Action": "ListOperationDistribution", "Version": "2020-12-01"},
        "Result": {"Indicator": q.get("Indicator"), "Dimension": q.get("Dimension"), "Distribution": items},
    }))
    .into_response()
}

async fn alibaba(State(demo): State<Arc<Demo>>, Extension(q): Extension<Admitted>) -> Response {
    let (from, to) = range(&q);
    let interval: i64 = q
        .get("Interval")
        .and_then(|v| v.parse().ok())
        .unwrap_or(3600);
    // Publishers' seconds per bucket, by definition: 360p low, 720p standard, 1080p high.
    let mut buckets: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
    for s in demo.sessions.iter().filter(|s| s.role == "pub") {
        let Some(k) = ["360p", "720p", "1080p"].iter().position(|x| *x == s.spec) else {
            continue;
        };
        let (mut t, end) = (s.start.max(from), s.end.min(to));
        while t < end {
            let bucket = t - t.rem_euclid(interval);
            let next = (bucket + interval).min(end);
            buckets.entry(bucket).or_default()[k] += next - t;
            t = next;
        }
    }
    let items: Vec<Value> = buckets
        .iter()
        .map(|(b, [ld, sd, hd])| {
            json!({"TimeStamp": fmt_time(*b), "Type": "universal",
                   "OutputLdDuration": ld, "OutputSdDuration": sd, "OutputHdDuration": hd})
        })
        .collect();
    axum::Json(json!({
        "RequestId": "00000000-0000-4000-8000-000000000000",
        "StartTime": q.get("StartTime"), "EndTime": q.get("EndTime"),
        "BillProducerData": {"BillProducerDataItem": items},
    }))
    .into_response()
}

#[derive(serde::Deserialize)]
struct Who {
    app: String,
    channel: String,
    user: String,
}

async fn issue(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    Query(who): Query<Who>,
) -> Response {
    if headers.get("x-tenant").and_then(|v| v.to_str().ok()) != Some("admin") {
        return (StatusCode::FORBIDDEN, "only admin issues tokens").into_response();
    }
    let expires = demo.clock.now() + TimeDelta::minutes(10);
    match demo
        .tokens
        .issue(&who.app, &who.channel, &who.user, expires)
    {
        Ok(t) => t.to_string().into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

/// The token comes in `Authorization: Bearer ...` (not the query string, which access logs
/// keep); refusals name the reason, never the token.
async fn join(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    Query(who): Query<Who>,
) -> Response {
    let Some(token) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "missing token"})),
        )
            .into_response();
    };
    let binding = Binding::new(&who.app, &who.channel, &who.user);
    match demo.tokens.verify(token, &binding, demo.clock.now()) {
        Ok(c) => axum::Json(json!({"joined": c.channel(), "user": c.user()})).into_response(),
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}
