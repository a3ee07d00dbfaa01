//! Rate-limit checks per second on two threads: the `SharedRateLimiter` (sharded, `&self`)
//! against a `RateLimiter` behind one `Mutex`, the same callers and instants.
//!
//! `cargo run --release -p mediameter-query --example limiter_threads -- [ROUNDS]`
//!
//! The two run one after the other in each round (3 rounds by default), so a change in the
//! machine's load touches both.
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::sync::{Arc, Mutex};
use std::time::Instant;

use mediameter_query::RateSpec;
use mediameter_query::rate::{RateLimiter, SharedRateLimiter};

const CHECKS_PER_THREAD: usize = 2_000_000;
const CALLERS: usize = 1000;
const THREADS: usize = 2;

fn run(check: impl Fn(&str, chrono::DateTime<chrono::Utc>) -> bool + Sync) -> (f64, usize) {
    let callers: Vec<String> = (0..CALLERS).map(|i| format!("caller-{i}")).collect();
    let t0 = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let start = Instant::now();
    let allowed: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (callers, check) = (&callers, &check);
                s.spawn(move || {
                    let mut allowed = 0;
                    for i in 0..CHECKS_PER_THREAD {
                        let now = t0 + chrono::TimeDelta::microseconds(i as i64);
                        if check(&callers[(i * 7 + t * 13) % CALLERS], now) {
                            allowed += 1;
                        }
                    }
                    allowed
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let secs = start.elapsed().as_secs_f64();
    ((THREADS * CHECKS_PER_THREAD) as f64 / secs / 1e6, allowed)
}

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(3, |a| a.parse().unwrap());
    let spec = RateSpec::new(100, 1).with_burst(10);
    println!(
        "{THREADS} threads, {CALLERS} callers, {CHECKS_PER_THREAD} checks per thread, {rounds} alternating rounds"
    );
    let (mut locked_all, mut shared_all) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        // Fresh limiters each round, the same work for both.
        let mut locked = RateLimiter::new(100_000);
        locked.set_limit("api", spec).unwrap();
        let locked = Arc::new(Mutex::new(locked));
        let (m_locked, a_locked) =
            run(|c, now| locked.lock().unwrap().check(c, "api", now).allowed);

        let mut shared = SharedRateLimiter::new(100_000);
        shared.set_limit("api", spec).unwrap();
        let (m_shared, a_shared) = run(|c, now| shared.check(c, "api", now).allowed);

        // Same callers, same instants: both limiters must hold the rate.
        assert!(a_locked > 0 && a_shared > 0);
        println!(
            "round {round}: Mutex<RateLimiter> {m_locked:.1} M checks/s ({a_locked} allowed), SharedRateLimiter {m_shared:.1} M checks/s ({a_shared} allowed)"
        );
        locked_all.push(m_locked);
        shared_all.push(m_shared);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "median: Mutex<RateLimiter> {:.1} M checks/s, SharedRateLimiter {:.1} M checks/s",
        median(&mut locked_all),
        median(&mut shared_all)
    );
}
