//! Permissions (Huawei Cloud CTS user guide; Alibaba Cloud Live API reference).

use mediameter_query::perm::{self, Access, AccessLevel, Effect, Policy, Statement};
use mediameter_query::{Registry, builtin};

#[test]
fn nothing_is_allowed_by_default() {
    for p in builtin::all() {
        assert_eq!(
            perm::check(&[], p.action(), Some("app")),
            Access::ImplicitDeny,
            "{}",
            p.name()
        );
    }
}

#[test]
fn a_caller_may_query_some_apps_and_not_others() {
    let policies = [perm::allow_apps("team", &["rtc:*"], &["app-1", "team-*"]).unwrap()];
    assert_eq!(
        perm::check(&policies, "rtc:room:list", Some("app-1")),
        Access::Allowed
    );
    assert_eq!(
        perm::check(&policies, "rtc:room:list", Some("team-42")),
        Access::Allowed
    );
    assert_eq!(
        perm::check(&policies, "rtc:room:list", Some("app-2")),
        Access::ImplicitDeny
    );
    assert_eq!(
        perm::check(&policies, "rtc:room:list", None),
        Access::ImplicitDeny
    );
}

#[test]
fn explicit_deny_wins_over_full_access() {
    let policies = [
        perm::full_access("live").unwrap(),
        Policy::new(
            "block",
            vec![Statement::new(
                Effect::Deny,
                &["live:Describe*"],
                &["secret-app"],
            )],
        )
        .unwrap(),
    ];
    let action = "live:DescribeLiveProducerUsageData";
    assert_eq!(
        perm::check(&policies, action, Some("public")),
        Access::Allowed
    );
    assert_eq!(
        perm::check(&policies, action, Some("secret-app")),
        Access::ExplicitDeny {
            policy: "block".into()
        }
    );
}

#[test]
fn cts_system_policies_match_the_guide_table() {
    // Huawei Cloud CTS user guide, table 2: ReadOnlyAccess may query events, quota, trackers and
    // notifications.
    let ro = [perm::read_only_access("cts").unwrap()];
    let full = [perm::full_access("cts").unwrap()];
    for a in perm::ACTIONS.iter().filter(|a| a.name.starts_with("cts:")) {
        let read = a.level != AccessLevel::Write;
        assert_eq!(
            perm::evaluate(&ro, a.name, None).is_allowed(),
            read,
            "{}",
            a.name
        );
        assert!(
            perm::evaluate(&full, a.name, None).is_allowed(),
            "{}",
            a.name
        );
        assert!(
            perm::evaluate(&[perm::cts_administrator()], a.name, None).is_allowed(),
            "{}",
            a.name
        );
    }
}

#[test]
fn every_builtin_profile_action_is_known() {
    for p in Registry::builtin().profiles() {
        assert!(perm::action_info(p.action()).is_some(), "{}", p.action());
    }
}

#[cfg(feature = "serde")]
#[test]
fn policies_round_trip_as_json() {
    let p = perm::cts_administrator();
    let text = serde_json::to_string(&p).unwrap();
    assert!(text.contains("\"NotAction\":[\"iam:*\"]"));
    let back: Policy = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
}

/// A policy read from JSON goes through the same checks as one built in code: a statement
/// without an action, an empty pattern or an unknown field is refused, so a gate never sees
/// an unchecked policy.
#[cfg(feature = "serde")]
#[test]
fn deserializing_an_invalid_policy_is_refused() {
    let read = |json: &str| serde_json::from_str::<Policy>(json);
    let good =
        r#"{"Name":"p","Statement":[{"Effect":"Allow","Action":["rtc:*"],"Resource":["*"]}]}"#;
    let policy = read(good).expect("a valid policy reads back");
    assert_eq!(
        serde_json::to_string(&policy).expect("serializes"),
        good,
        "a valid policy round-trips"
    );
    for bad in [
        r#"{"Name":"p","Statement":[{"Effect":"Allow","Action":[],"Resource":["*"]}]}"#,
        r#"{"Name":"p","Statement":[{"Effect":"Allow","Action":[""],"Resource":["*"]}]}"#,
        r#"{"Name":"p","Statement":[{"Effect":"Deny","Action":["*"],"Resource":[]}]}"#,
        r#"{"Name":"p","Statement":[],"Extra":1}"#,
    ] {
        let err = read(bad).expect_err(bad);
        assert!(
            err.to_string().contains("policy") || err.to_string().contains("unknown field"),
            "{bad}: {err}"
        );
    }
    let long = format!(
        r#"{{"Name":"p","Statement":[{{"Effect":"Allow","Action":["{}"],"Resource":["*"]}}]}}"#,
        "a".repeat(perm::MAX_PATTERN_LEN + 1)
    );
    assert!(read(&long).is_err(), "a pattern over MAX_PATTERN_LEN");
}
