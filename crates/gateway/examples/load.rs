//! Load test: the same handler served over loopback HTTP/1.1 with the gateway layer and
//! without it, alternating, by a bounded client in the same process, for two handlers: a bare
//! one (the layer's worst case) and the example service's Huawei room list.
//!
//! `cargo run --release -p mediameter-gateway --example load -- [ROUNDS] [REQUESTS] [CONNECTIONS]`
//!
//! Defaults: 3 rounds, 100,000 requests per run, 16 keep-alive connections. Each round runs
//! "without" then "with" the layer on servers started once, for the bare handler and then for
//! the service's room list; each run reports requests per
//! second and the p50/p99/max latency of one request (write to last byte of the answer) as the
//! client sees it, and the CPU time of the process per request. The client and the server
//! share one tokio runtime of 2 worker threads: on a 2-core machine they share the cores, so
//! requests/s is the throughput of both together. The CPU time (every thread, user and
//! kernel, from `/proc/self/task/*/schedstat` on Linux) leaves out the time other processes
//! took the cores: on a shared machine it is the steadier of the two measures.
//!
//! The request is a Huawei room-list query with every parameter the profile declares but one
//! (`GET /v1/p1/rtc/rooms?app=...&state=...&start_time=...&end_time=...&limit=...&offset=...`);
//! with the layer it is authenticated by header, rate-checked (the route has no documented
//! rate, so the check is a lookup), parsed, validated and permission-checked, and the handler
//! reads the admitted query; without it the handler answers the same bytes without looking.
//!
//! The second pair serves the example service's real room-list handler (`examples/service`:
//! the bundled sample sessions filtered by app and time, grouped by room, paged, as Huawei's
//! JSON) for `app=demo-app&state=CLOSED&start_time=2023-03-01T00:00:00Z&end_time=2023-04-01T00:00:00Z&limit=10&offset=0`
//! (three rooms): with the layer, as the service mounts it (its own principals, `x-tenant:
//! admin`); without it, the same work on the same values, given in code instead of read from
//! the request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    missing_docs
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use mediameter_gateway::Admitted;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "support/mod.rs"]
mod support;

#[path = "service/app.rs"]
mod app;

use support::room_list_gateway;

const PATH: &str = "/v1/p1/rtc/rooms?app=603f71bdfa163e500aff1106c8xxxxxx&state=RUNNING&start_time=2021-04-23T09:00:00Z&end_time=2021-04-23T10:00:00Z&limit=2&offset=0";

/// The service's request: the sample's rooms of `demo-app` closed in March 2023.
const SERVICE_PATH: &str = "/v1/p1/rtc/rooms?app=demo-app&state=CLOSED&start_time=2023-03-01T00:00:00Z&end_time=2023-04-01T00:00:00Z&limit=10&offset=0";

/// [`SERVICE_PATH`]'s values, for the service's handler without the layer.
const SERVICE_QUERY: app::RoomQuery<'static> = app::RoomQuery {
    app: "demo-app",
    range: (1_677_628_800, 1_680_307_200),
    state: Some("CLOSED"),
    limit: 10,
    offset: 0,
};

/// The handler both servers run: a fixed small JSON body; with the layer it also reads the
/// admitted `limit` (the same length either way).
async fn handler(admitted: Option<axum::Extension<Admitted>>) -> String {
    let limit = admitted
        .as_ref()
        .and_then(|a| a.get("limit"))
        .unwrap_or("2");
    format!(r#"{{"total":0,"room_info_list":[],"offset":0,"limit":{limit}}}"#)
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// One connection: `n` requests one after the other, each latency in nanoseconds.
async fn connection(addr: SocketAddr, request: Arc<[u8]>, n: usize) -> Vec<u64> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let mut latencies = Vec::with_capacity(n);
    let mut buf = vec![0_u8; 16 * 1024];
    for _ in 0..n {
        let t0 = Instant::now();
        stream.write_all(&request).await.unwrap();
        let mut filled = 0;
        let total = loop {
            let read = stream.read(&mut buf[filled..]).await.unwrap();
            assert!(read > 0, "the server closed the connection");
            filled += read;
            if let Some(head) = find(&buf[..filled], b"\r\n\r\n") {
                let head_text = std::str::from_utf8(&buf[..head]).unwrap();
                assert!(head_text.starts_with("HTTP/1.1 200"), "{head_text}");
                let len: usize = head_text
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .expect("content-length");
                break head + 4 + len;
            }
        };
        while filled < total {
            let read = stream.read(&mut buf[filled..]).await.unwrap();
            assert!(read > 0, "the server closed the connection");
            filled += read;
        }
        latencies.push(t0.elapsed().as_nanos() as u64);
    }
    latencies
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

struct Run {
    rps: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    /// CPU time of the whole process (client and server, every thread) per request.
    cpu: Option<Duration>,
}

/// CPU time the process's threads have run so far (Linux: the first field of each thread's
/// `/proc/self/task/*/schedstat`, nanoseconds on a CPU, user and kernel). Unlike requests/s it
/// does not count the time other processes took the cores, so it stays comparable when the
/// machine is shared.
fn cpu_time() -> Option<Duration> {
    let mut total = 0_u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// One test: a request and the servers without and with the layer.
struct Pair {
    handler: &'static str,
    request: Arc<[u8]>,
    without: SocketAddr,
    with: SocketAddr,
}

async fn run(addr: SocketAddr, request: &Arc<[u8]>, requests: usize, connections: usize) -> Run {
    let per = requests / connections;
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(addr, Arc::clone(request), per)))
        .collect();
    let mut all = Vec::with_capacity(per * connections);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_time()
        .zip(cpu0)
        .map(|(b, a)| b.saturating_sub(a) / all.len() as u32);
    all.sort_unstable();
    let at = |q: f64| Duration::from_nanos(all[((all.len() as f64 - 1.0) * q) as usize]);
    Run {
        rps: all.len() as f64 / secs,
        p50: at(0.50),
        p99: at(0.99),
        max: at(1.0),
        cpu,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().unwrap());
    let rounds = args.next().unwrap_or(3).max(1);
    let requests = args.next().unwrap_or(100_000);
    let connections = args.next().unwrap_or(16).max(1);

    let now = "2021-04-23T10:00:00Z".parse().unwrap();
    let layer = room_list_gateway(now);
    let routes = || Router::new().route("/v1/{project_id}/rtc/rooms", get(handler));
    let request = |path: &str, tenant: &str| -> Arc<[u8]> {
        format!("GET {path} HTTP/1.1\r\nhost: load\r\nx-tenant: {tenant}\r\n\r\n")
            .into_bytes()
            .into()
    };
    let bare = Pair {
        handler: "bare",
        request: request(PATH, "t1"),
        without: serve(routes()).await,
        with: serve(routes().layer(layer)).await,
    };

    // The example service's room list, its clock at its default instant.
    let clock = mediameter_query::FixedClock("2023-04-01T00:00:00Z".parse().unwrap());
    let tokens = Arc::new(mediameter_gateway::token::TokenVerifier::new(
        mediameter_gateway::token::Keyring::new(
            mediameter_gateway::token::AppKey::generate(1).unwrap(),
        ),
        1_000,
    ));
    let demo = app::demo(clock, tokens);
    let plain = Router::new()
        .route(
            "/v1/{project_id}/rtc/rooms",
            get(
                |axum::extract::State(demo): axum::extract::State<Arc<app::Demo>>| async move {
                    app::room_list(&demo, &SERVICE_QUERY)
                },
            ),
        )
        .with_state(Arc::clone(&demo));
    let service = Pair {
        handler: "service",
        request: request(SERVICE_PATH, "admin"),
        without: serve(plain).await,
        with: serve(app::api_routes(demo).layer(app::layer(clock).unwrap())).await,
    };

    // Warm every server up (connections, allocator, caches) outside the figures, and check
    // that both of a pair answer the same body.
    for pair in [&bare, &service] {
        run(pair.without, &pair.request, 2_000, connections).await;
        run(pair.with, &pair.request, 2_000, connections).await;
    }
    assert_eq!(
        body(service.without, &service.request).await,
        body(service.with, &service.request).await,
    );

    println!(
        "{rounds} rounds, {requests} requests per run, {connections} connections, client and server on one 2-thread runtime"
    );
    for pair in [&bare, &service] {
        println!();
        println!("handler: {}", pair.handler);
        println!(
            "| round | layer | requests/s | p50 | p99 | max | CPU per request | layer's share of the CPU |"
        );
        println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
        let mut totals = [0.0_f64; 2];
        let mut cpu_totals = [0.0_f64; 2];
        // Per round, the layer's share of a request's CPU: the two runs of a round are seconds
        // apart, so the share of each round is steadier than the means when the machine's
        // speed drifts (other processes, a busy sibling hyperthread).
        let mut shares = Vec::with_capacity(rounds);
        for round in 1..=rounds {
            let mut cpus = [f64::NAN; 2];
            for (i, (name, addr)) in [("without", pair.without), ("with", pair.with)]
                .into_iter()
                .enumerate()
            {
                let r = run(addr, &pair.request, requests, connections).await;
                totals[i] += r.rps;
                let cpu = r.cpu.map_or(f64::NAN, |c| c.as_secs_f64() * 1e6);
                cpu_totals[i] += cpu;
                cpus[i] = cpu;
                let share = if i == 1 {
                    let share = (1.0 - cpus[0] / cpus[1]) * 100.0;
                    shares.push(share);
                    format!("{share:.1} %")
                } else {
                    String::new()
                };
                println!(
                    "| {round} | {name} | {:.0} | {:.1} µs | {:.1} µs | {:.1} µs | {cpu:.2} µs | {share} |",
                    r.rps,
                    r.p50.as_secs_f64() * 1e6,
                    r.p99.as_secs_f64() * 1e6,
                    r.max.as_secs_f64() * 1e6,
                );
            }
        }
        shares.sort_by(f64::total_cmp);
        println!(
            "{}: the layer's share of a request's CPU, per round: median {:.1} %, lowest {:.1} %, highest {:.1} %",
            pair.handler,
            shares[shares.len() / 2],
            shares[0],
            shares[shares.len() - 1],
        );
        let [a, b] = totals.map(|t| t / rounds as f64);
        println!(
            "{}: mean requests/s: without {a:.0}, with {b:.0}; the layer costs {:.1} % of the throughput",
            pair.handler,
            (1.0 - b / a) * 100.0,
        );
        let [ca, cb] = cpu_totals.map(|t| t / rounds as f64);
        println!(
            "{}: mean CPU per request (client and server): without {ca:.2} µs, with {cb:.2} µs; the layer is {:.1} % of a request's CPU",
            pair.handler,
            (1.0 - ca / cb) * 100.0,
        );
    }
}

/// The body of one answer to `request` (a fresh connection, closed after it).
async fn body(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let text = std::str::from_utf8(request).unwrap();
    let close = text.replacen("\r\n\r\n", "\r\nconnection: close\r\n\r\n", 1);
    stream.write_all(close.as_bytes()).await.unwrap();
    let mut all = Vec::new();
    stream.read_to_end(&mut all).await.unwrap();
    let head = find(&all, b"\r\n\r\n").unwrap();
    assert!(
        all.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&all)
    );
    all.split_off(head + 4)
}
