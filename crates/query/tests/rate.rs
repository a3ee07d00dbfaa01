//! The GCRA limiter under a fake clock.

use chrono::{DateTime, TimeDelta, Utc};
use mediameter_query::RateSpec;
use mediameter_query::rate::RateLimiter;
#[cfg(feature = "serde")]
use mediameter_query::{Registry, Rejection, builtin};

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap() + TimeDelta::milliseconds(ms)
}

#[cfg(feature = "serde")]
#[test]
fn two_requests_per_second_per_caller_and_api() {
    let reg = Registry::builtin();
    let mut rl = RateLimiter::from_registry(&reg, 1000).unwrap();
    let api = "ListOperationDistribution";
    assert!(rl.check("a", api, t(0)).allowed);
    assert!(rl.check("a", api, t(0)).allowed);
    let d = rl.check("a", api, t(0));
    assert!(!d.allowed);
    assert_eq!(d.retry_after.as_millis(), 500);
    let p = builtin::list_operation_distribution();
    let r = Rejection::new(&p, vec![d.to_violation().unwrap()]);
    let body = serde_json::to_value(r.vendor_body("id")).unwrap();
    assert_eq!(
        body["ResponseMetadata"]["Error"]["Code"],
        "FlowLimitExceeded"
    );
    assert_eq!(r.status(), 429);
    assert!(rl.check("a", api, t(500)).allowed);
}

#[test]
fn deterministic_under_the_same_clock() {
    let run = || {
        let mut rl = RateLimiter::new(64);
        rl.set_limit("x", RateSpec::new(5, 2).with_burst(3))
            .unwrap();
        (0..2000)
            .map(|i| {
                rl.check(
                    ["a", "b", "c"][i % 3],
                    "x",
                    t(i64::try_from(i).unwrap() * 7),
                )
                .allowed
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn memory_stays_bounded_with_many_callers() {
    let mut rl = RateLimiter::new(5000);
    rl.set_limit("x", RateSpec::new(1, 1)).unwrap();
    // 100,000 distinct callers, one request each, 1 ms apart: keys idle after 1 s are swept.
    for i in 0..100_000 {
        let d = rl.check(&format!("caller-{i}"), "x", t(i));
        assert!(d.allowed, "caller {i}");
        assert!(rl.len() <= 5000);
    }
    assert!(rl.len() <= 2048, "{}", rl.len());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Dropping idle keys never changes a decision: a limiter swept after every request
        /// answers exactly like one that never sweeps.
        #[test]
        fn eviction_is_exact(steps in proptest::collection::vec((0usize..40, 0i64..400), 1..400),
                             requests in 1u32..5, per in 1u32..3, burst in 1u32..4) {
            let spec = RateSpec::new(requests, per).with_burst(burst);
            let mut swept = RateLimiter::new(1000);
            let mut kept = RateLimiter::new(1_000_000);
            swept.set_limit("x", spec).unwrap();
            kept.set_limit("x", spec).unwrap();
            let mut now = 0;
            for (caller, dt) in steps {
                now += dt;
                let c = format!("c{caller}");
                prop_assert_eq!(swept.check(&c, "x", t(now)), kept.check(&c, "x", t(now)));
                swept.sweep_idle(t(now));
            }
        }

        /// GCRA conformance: over a run of length D, one key gets at most burst + D / T
        /// requests through, and a refused request's retry_after is exactly when it would pass.
        #[test]
        fn never_more_than_the_rate_allows(gaps in proptest::collection::vec(0i64..300, 1..500),
                                           requests in 1u32..5, burst in 1u32..4) {
            let spec = RateSpec::new(requests, 1).with_burst(burst);
            let mut rl = RateLimiter::new(10);
            rl.set_limit("x", spec).unwrap();
            let interval_ms = 1000 / i64::from(requests);
            let mut now = 0;
            let mut allowed = 0_i64;
            for gap in gaps {
                now += gap;
                let d = rl.check("c", "x", t(now));
                if d.allowed {
                    allowed += 1;
                } else {
                    // The refusal's retry_after, rounded up to the millisecond, is the first
                    // millisecond at which the same request passes.
                    let wait_ms = i64::try_from(d.retry_after.as_nanos().div_ceil(1_000_000)).unwrap();
                    prop_assert!(wait_ms >= 1);
                    prop_assert!(!rl.clone().check("c", "x", t(now + wait_ms - 1)).allowed);
                    prop_assert!(rl.clone().check("c", "x", t(now + wait_ms)).allowed);
                }
            }
            prop_assert!(allowed <= i64::from(burst) + now / interval_ms + 1, "{allowed} in {now} ms");
        }
    }
}
