//! The `mediameter` binary as a user runs it: the demo on bundled data, and each subcommand
//! on a worked example of the vendor documents (docs/domain.md).

fn mediameter(args: &[&str], stdin: &str) -> (bool, String, String) {
    let out = crate::run_mediameter(args, stdin);
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn demo_runs_on_bundled_data() {
    let (ok, out, err) = mediameter(&["demo"], "");
    assert!(ok, "demo failed: {err}");
    // core: the GMT+8 day split and the rounding table
    assert!(
        out.contains("bucket 2023-03-21 00:00:00 (GMT+08:00)    4200 s"),
        "{out}"
    );
    assert!(out.contains("total 12270 s (equals the interval: true)"));
    // billing: worked examples A and B
    assert!(out.contains("25032.95 CNY"));
    assert!(out.contains("8390.78 CNY"));
    // query: the Huawei missing-app error, verbatim
    assert!(out.contains("Required String parameter 'app' is not present"));
}

#[test]
fn help_lists_every_subcommand() {
    let (ok, out, _) = mediameter(&["--help"], "");
    assert!(ok);
    for cmd in [
        "demo", "bill", "prorate", "settle", "usage", "diagnose", "validate",
    ] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(cmd)),
            "--help does not list {cmd}:\n{out}"
        );
    }
}

#[test]
fn prorate_example_a_from_stdin() {
    let input = r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1, "zone": "GMT+8",
        "changed_at": "2023-03-20T01:00:00Z",
        "old_price": {"amount": "25950.00", "currency": "CNY"},
        "new_price": {"amount": "52168.00", "currency": "CNY"}}"#;
    let (ok, out, err) = mediameter(&["prorate"], input);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["period"], "0.9548");
    assert_eq!(v["fee"]["amount"], "25032.95");
    assert_eq!(v["term_total"]["amount"], "50982.95");
}

#[test]
fn bad_input_is_an_error_with_a_message() {
    let (ok, out, err) = mediameter(&["prorate"], r#"{"months": 1}"#);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.starts_with("mediameter: "), "{err}");
    let (ok, _, err) = mediameter(&["prorate"], "not json");
    assert!(!ok);
    assert!(err.contains("line 1"), "{err}");
}
