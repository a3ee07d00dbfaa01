//! The front door: rate limit, then validation, then permission.

use mediameter_query::Gate;
use mediameter_query::perm::{self, Effect, Policy, Statement};
use mediameter_query::{Options, Registry, ViolationKind};

use crate::common::at;

#[test]
fn order_is_rate_then_validation_then_permission() {
    let gate = Gate::new(std::sync::Arc::new(Registry::builtin()), 100).unwrap();
    let now = at(2021, 7, 27, 0, 0, 0);
    let policies = [
        perm::full_access("rtc").unwrap(),
        Policy::new(
            "not-b",
            vec![Statement::new(Effect::Deny, &["rtc:*"], &["b"])],
        )
        .unwrap(),
    ];
    let good = |app: &'static str| {
        [
            ("AppId", app),
            ("StartTime", "2021-07-24T00:00:00+08:00"),
            ("EndTime", "2021-07-26T00:00:00+08:00"),
            ("Indicator", "user_count"),
            ("Dimension", "province"),
        ]
    };
    let api = "ListOperationDistribution";
    let kind = |r: mediameter_query::Result<mediameter_query::ValidQuery<'_>>| {
        r.map(|_| ())
            .map_err(|e| e.rejection().unwrap().primary().kind)
    };
    let ok_input = good("a");
    assert_eq!(
        kind(gate.admit("c", &policies, api, &ok_input, now, &Options::default())),
        Ok(())
    );
    // A bad query still counts against the rate (the second request of the second).
    let bad = [("AppId", "a")];
    assert_eq!(
        kind(gate.admit("c", &policies, api, &bad, now, &Options::default())),
        Err(ViolationKind::Missing)
    );
    // Third request in the same instant: throttled before it is even read.
    assert_eq!(
        kind(gate.admit("c", &policies, api, &bad, now, &Options::default())),
        Err(ViolationKind::RateLimited)
    );
    // Another caller, app b: valid but denied.
    let denied = good("b");
    let err = gate
        .admit("d", &policies, api, &denied, now, &Options::default())
        .unwrap_err();
    let r = err.rejection().unwrap();
    assert_eq!(
        (r.status(), r.code(), r.primary().kind),
        (403, "AccessDenied", ViolationKind::Denied)
    );
    assert!(r.message().contains("rtc:ListOperationDistribution"));
}

#[test]
fn apis_without_an_app_need_a_star_allow() {
    let gate = Gate::new(std::sync::Arc::new(Registry::builtin()), 100).unwrap();
    let now = at(2018, 11, 1, 0, 0, 0);
    let api = "DescribeLiveProducerUsageData";
    let input: [(&str, &str); 0] = [];
    let only_app = [perm::allow_apps("one", &["live:*"], &["app-1"]).unwrap()];
    let err = gate
        .admit("c", &only_app, api, &input, now, &Options::default())
        .unwrap_err();
    assert_eq!(err.rejection().unwrap().code(), "Forbidden.RAM");
    let ro = [perm::read_only_access("live").unwrap()];
    assert!(
        gate.admit("c", &ro, api, &input, now, &Options::default())
            .is_ok()
    );
}

#[test]
fn gate_is_shared_between_threads_without_a_lock() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Gate>();
    assert_send_sync::<mediameter_query::rate::SharedRateLimiter>();
    let gate =
        std::sync::Arc::new(Gate::new(std::sync::Arc::new(Registry::builtin()), 100).unwrap());
    let now = at(2021, 7, 27, 0, 0, 0);
    let input = [
        ("AppId", "a"),
        ("StartTime", "2021-07-24T00:00:00+08:00"),
        ("EndTime", "2021-07-26T00:00:00+08:00"),
        ("Indicator", "user_num"),
        ("Dimension", "province"),
    ];
    let all = [perm::full_access("rtc").unwrap()];
    // 2 requests/s with a burst of 2: four threads asking 4 times each in one instant get 2.
    let admitted: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let gate = std::sync::Arc::clone(&gate);
                let (input, all) = (&input, &all);
                s.spawn(move || {
                    (0..4)
                        .filter(|_| {
                            gate.admit(
                                "c",
                                all,
                                "ListOperationDistribution",
                                input,
                                now,
                                &Options::default(),
                            )
                            .is_ok()
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(admitted, 2);
}
