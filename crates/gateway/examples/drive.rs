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

#[path = "support/mod.rs"]
mod support;

use support::{Handler, call, room_list_gateway};
use tower::Layer;

const URI: &str = "/v1/p1/rtc/rooms?app=603f71bdfa163e500aff1106c8xxxxxx&state=RUNNING&start_time=2021-04-23T09:00:00Z&end_time=2021-04-23T10:00:00Z&limit=5&offset=0";
const REFUSED: &str = "/v1/p1/rtc/rooms?state=OPEN";

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "with".to_owned());
    let n: usize = args.next().map_or(10_000, |a| a.parse().unwrap());
    let now = "2021-04-23T10:00:00Z".parse().unwrap();
    let layer = room_list_gateway(now);
    let mut with = layer.layer(Handler("5"));
    let mut without = Handler("5");
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
