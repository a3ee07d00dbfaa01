//! Subscription lifecycle: Huawei Cloud iDME billing manual ( "到期后影响").

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use mediameter_billing::{LifecyclePolicy, Phase, Renewal, phase_at};
use mediameter_core::{BillingZone, SubscriptionTerm};
use proptest::prelude::*;

fn term() -> SubscriptionTerm {
    // Bought 2023-03-18 15:30 GMT+8 for 1 month: ends 2023-04-19 00:00 GMT+8 (2023-04-18 16:00Z).
    SubscriptionTerm::monthly(
        Utc.with_ymd_and_hms(2023, 3, 18, 7, 30, 0).unwrap(),
        1,
        BillingZone::GMT8,
    )
    .unwrap()
}

#[test]
fn phases_follow_the_expiry() {
    let t = term();
    let end = t.end();
    let policy = LifecyclePolicy::default()
        .with_warning_days(7)
        .with_grace_days(10)
        .with_retention_days(20);
    let at = |d: TimeDelta| end + d;
    assert_eq!(
        phase_at(
            &t,
            &[],
            at(-TimeDelta::days(7) - TimeDelta::seconds(1)),
            &policy
        )
        .unwrap(),
        Phase::Active { expires_at: end }
    );
    assert_eq!(
        phase_at(&t, &[], at(-TimeDelta::days(7)), &policy).unwrap(),
        Phase::ExpiringSoon { expires_at: end }
    );
    assert_eq!(
        phase_at(&t, &[], at(TimeDelta::zero()), &policy).unwrap(),
        Phase::Grace {
            until: end + TimeDelta::days(10)
        }
    );
    assert_eq!(
        phase_at(&t, &[], at(TimeDelta::days(10)), &policy).unwrap(),
        Phase::Retention {
            until: end + TimeDelta::days(30)
        }
    );
    assert_eq!(
        phase_at(&t, &[], at(TimeDelta::days(30)), &policy).unwrap(),
        Phase::Terminated {
            since: end + TimeDelta::days(30)
        }
    );
    // Longer grace for a higher customer level.
    let vip = policy.with_grace_days(30);
    assert!(
        phase_at(&t, &[], at(TimeDelta::days(20)), &vip)
            .unwrap()
            .is_usable()
    );
}

#[test]
fn renewals_extend_from_the_anchor() {
    let t = term();
    let policy = LifecyclePolicy::default();
    let in_grace = t.end() + TimeDelta::days(2);
    let renewed = [Renewal::new(in_grace, 2).unwrap()];
    // 3 months from 2023-03-18: ends 2023-06-19 00:00 GMT+8.
    let want = Utc.with_ymd_and_hms(2023, 6, 18, 16, 0, 0).unwrap();
    assert_eq!(
        phase_at(&t, &renewed, in_grace, &policy).unwrap(),
        Phase::Active { expires_at: want }
    );
    // Before the renewal was made, it does not count.
    assert!(matches!(
        phase_at(&t, &renewed, in_grace - TimeDelta::seconds(1), &policy).unwrap(),
        Phase::Grace { .. }
    ));
    // A renewal after termination is an error naming it.
    let late = [Renewal::new(t.end() + TimeDelta::days(31), 1).unwrap()];
    let err = phase_at(&t, &late, t.end() + TimeDelta::days(40), &policy).unwrap_err();
    assert!(err.to_string().contains("renewal 0"), "{err}");
    assert!(phase_at(&t, &[], t.purchased_at() - TimeDelta::seconds(1), &policy).is_err());
    // A renewal of no months cannot be built, nor read.
    assert!(Renewal::new(in_grace, 0).is_err());
}

#[cfg(feature = "serde")]
#[test]
fn renewal_deserializes_through_its_check() {
    let r: Renewal =
        serde_json::from_str(r#"{"at": "2023-04-20T00:00:00Z", "months": 2}"#).unwrap();
    assert_eq!(
        (r.months(), r.at().to_rfc3339()),
        (2, "2023-04-20T00:00:00+00:00".to_owned())
    );
    let back: Renewal = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
    let err = serde_json::from_str::<Renewal>(r#"{"at": "2023-04-20T00:00:00Z", "months": 0}"#)
        .unwrap_err();
    assert!(err.to_string().contains("renewal months"), "{err}");
    assert!(
        serde_json::from_str::<Renewal>(r#"{"at": "2023-04-20T00:00:00Z", "months": 1, "x": 1}"#)
            .is_err()
    );
}

proptest! {
    #[test]
    fn phases_advance_monotonically(offsets in proptest::collection::vec(0_i64..120 * 86_400, 2..20)) {
        let t = term();
        let rank = |p: &Phase| match p { Phase::Active { .. } => 0, Phase::ExpiringSoon { .. } => 1, Phase::Grace { .. } => 2, Phase::Retention { .. } => 3, Phase::Terminated { .. } => 4, _ => unreachable!("a phase this test does not know") };
        let mut sorted = offsets;
        sorted.sort_unstable();
        let mut last = 0;
        for o in sorted {
            let at: DateTime<Utc> = t.purchased_at() + TimeDelta::seconds(o);
            let r = rank(&phase_at(&t, &[], at, &LifecyclePolicy::default()).unwrap());
            prop_assert!(r >= last);
            last = r;
        }
    }
}
