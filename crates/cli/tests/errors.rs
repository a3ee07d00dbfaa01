//! Error paths of every subcommand: argument mistakes exit with 2 (as `--help` says), bad input
//! with 1, repeated JSON keys are refused, and no control character from the input ever
//! reaches standard output or standard error raw.

use crate::run_mediameter;

fn status(args: &[&str], stdin: &str) -> (i32, String) {
    let out = run_mediameter(args, stdin);
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn argument_mistakes_exit_with_2() {
    let cases: &[&[&str]] = &[
        // Reported by clap itself.
        &["validate", "--no-such-flag"],
        &["usage", "--format", "yaml"],
        // Checked by the commands.
        &["validate", "--api", "rtc/rooms", "--param", "app"],
        &["validate", "--api", "NoSuchApi", "--param", "app=a"],
        &["validate", "--api", "rtc/rooms", "--now", "yesterday"],
        &[
            "validate",
            "--api",
            "rtc/rooms",
            "--now",
            "2021-04-23T10:00:00",
        ],
        &["diagnose", "--profile", "paranoid"],
        &["usage", "--interval", "7"],
        &["usage", "--zone", "Mars/Olympus"],
        &["usage", "--split-by", "colour"],
        &["usage", "--distribution", "colour"],
        &["usage", "--start", "soon"],
        &["usage", "--minute-policy", "round"],
        &["usage", "--proportion", "fair"],
        &["usage", "--indicator", "mood"],
        &["usage", "--role", "host"],
        &["usage", "--metrics", "minutes"],
        &["usage", "--metrics", "users,users"],
        &["usage", "--metrics", ""],
        &["usage", "--id-scope", "tenant"],
        &["usage", "--distribution", "region", "--metrics", "peaks"],
        // Checked before the input is opened: a missing file is not the error reported.
        &["usage", "no-such-input.csv", "--metrics", "users,"],
        &["usage", "no-such-input.csv", "--id-scope", "both"],
    ];
    let csv = "app,channel,user,role,spec,region,start,end\na,c,u,sub,audio,r,0,60\n";
    for args in cases {
        let (code, err) = status(args, csv);
        assert_eq!(code, 2, "{args:?} exited with {code}: {err}");
        assert!(!err.is_empty(), "{args:?}: no message");
    }
}

#[test]
fn bad_input_still_exits_with_1() {
    let (code, err) = status(&["validate", "--api", "rtc/rooms", "--input", "-"], "[1]");
    assert_eq!(code, 1, "{err}");
    let (code, err) = status(&["prorate"], "{}");
    assert_eq!(code, 1, "{err}");
}

#[test]
fn a_repeated_json_key_is_an_error_naming_it() {
    let (code, err) = status(
        &[
            "validate",
            "--api",
            "ListOperationDistribution",
            "--now",
            "2021-07-27T00:00:00Z",
            "--input",
            "-",
        ],
        r#"{"AppId": "a", "StartTime": "2021-07-24T00:00:00+08:00", "AppId": "b"}"#,
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err.trim_end(),
        r#"mediameter: invalid parameters: repeated key "AppId" at line 1 column 58 (in the top-level object): expected each key at most once per object"#
    );
    // Inside a document read into typed structures too, with the object's place.
    let (code, err) = status(
        &["prorate"],
        "{\"purchased_at\": \"2023-03-18T07:30:00Z\", \"months\": 1, \"zone\": \"GMT+8\",\n\"changed_at\": \"2023-03-20T01:00:00Z\",\n\"old_price\": {\"amount\": \"25950.00\", \"currency\": \"CNY\", \"amount\": \"1\"},\n\"new_price\": {\"amount\": \"52168.00\", \"currency\": \"CNY\"}}",
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            r#"repeated key "amount" at line 3 column 56 (in the object at "/old_price")"#
        ),
        "{err}"
    );
    // And in JSON Lines, naming the record's line.
    let record =
        r#"{"app":"a","channel":"c","user":"u","role":"sub","spec":"audio","start":0,"end":60}"#;
    let repeated = record.replace(r#""end":60}"#, r#""end":60,"user":"v"}"#);
    let input = format!("{record}\n{repeated}\n");
    let (code, err) = status(&["usage", "--input-format", "jsonl"], &input);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(r#"line 2: json document: repeated key "user" at column 84: expected"#),
        "{err}"
    );
}

/// Bytes that must never reach a terminal: C0 controls other than newline and tab, DEL, and C1
/// controls (U+0080 to U+009F).
fn control_chars(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect()
}

#[test]
fn no_control_character_reaches_the_terminal_from_any_error_path() {
    const E: &str = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{7f}";
    let value = format!("x{E}y");
    let kv = format!("{value}={value}");
    let app = format!("app={value}");
    let csv_bad =
        format!("app,channel,user,role,spec,region,start,end\na,c,u,sub,{value},r,0,60\n");
    let csv_bad_time =
        format!("app,channel,user,role,spec,region,start,end\na,c,u,sub,audio,r,{value},60\n");
    let json_str = serde_json::to_string(&value).unwrap(); // "x\u001b..." as JSON
    let jsonl_bad = format!(
        "{{\"app\":\"a\",\"channel\":\"c\",\"user\":\"u\",\"role\":\"sub\",\"spec\":{json_str},\"start\":0,\"end\":60}}\n"
    );
    let json_keys = format!("{{{json_str}: 1, {json_str}: 2}}");
    let json_param = format!("{{{json_str}: {json_str}}}");
    let prorate = format!(
        "{{\"purchased_at\": \"2023-03-18T07:30:00Z\", \"months\": 1, \"zone\": {json_str},
        \"changed_at\": \"2023-03-20T01:00:00Z\",
        \"old_price\": {{\"amount\": \"1.00\", \"currency\": {json_str}}},
        \"new_price\": {{\"amount\": \"2.00\", \"currency\": \"CNY\"}}}}"
    );
    let now = "2021-04-23T10:00:00Z";
    let tariff = concat!(env!("CARGO_MANIFEST_DIR"), "/data/invoice_tariff.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["validate", "--api", &value], ""),
        (
            vec!["validate", "--api", "rtc/rooms", "--param", &value],
            "",
        ),
        (vec!["validate", "--api", "rtc/rooms", "--now", &value], ""),
        (
            vec![
                "validate",
                "--api",
                "rtc/rooms",
                "--now",
                now,
                "--param",
                &kv,
            ],
            "",
        ),
        (
            vec![
                "validate",
                "--api",
                "rtc/rooms",
                "--now",
                now,
                "--param",
                &app,
            ],
            "",
        ),
        (
            vec![
                "validate",
                "--api",
                "rtc/rooms",
                "--now",
                now,
                "--param",
                &kv,
                "--format",
                "table",
            ],
            "",
        ),
        (
            vec![
                "validate",
                "--api",
                "rtc/rooms",
                "--now",
                now,
                "--param",
                &app,
                "--format",
                "table",
            ],
            "",
        ),
        (
            vec![
                "validate",
                "--api",
                "ListOperationDistribution",
                "--now",
                now,
                "--param",
                &kv,
                "--format",
                "table",
            ],
            "",
        ),
        (
            vec![
                "validate",
                "--api",
                "DescribeLiveProducerUsageData",
                "--now",
                now,
                "--param",
                &kv,
                "--format",
                "table",
            ],
            "",
        ),
        (
            vec![
                "validate",
                "--api",
                "rtc/rooms",
                "--now",
                now,
                "--input",
                "-",
            ],
            &json_keys,
        ),
        (
            vec![
                "validate",
                "--api",
                "rtc/rooms",
                "--now",
                now,
                "--input",
                "-",
                "--format",
                "table",
            ],
            &json_param,
        ),
        (
            vec!["validate", "--api", "rtc/rooms", "--input", &value],
            "",
        ),
        (vec!["diagnose", "--profile", &value], ""),
        (vec!["diagnose", &value], ""),
        (vec!["usage", &value], ""),
        (vec!["usage", "--zone", &value], ""),
        (vec!["usage", "--interval", &value], ""),
        (vec!["usage", "--split-by", &value], ""),
        (vec!["usage", "--distribution", &value], ""),
        (vec!["usage", "--start", &value], ""),
        (vec!["usage", "--end", &value], ""),
        (vec!["usage", "--minute-policy", &value], ""),
        (vec!["usage", "--proportion", &value], ""),
        (vec!["usage", "--indicator", &value], ""),
        (vec!["usage", "--role", &value], ""),
        (vec!["usage", "--metrics", &value], ""),
        (vec!["usage", "--id-scope", &value], ""),
        (
            vec!["usage", "--app", &value, "--format", "table"],
            &csv_bad,
        ),
        (vec!["usage"], &csv_bad),
        (vec!["usage"], &csv_bad_time),
        (vec!["usage", "--skip-bad"], &csv_bad),
        (vec!["usage", "--input-format", "jsonl"], &jsonl_bad),
        (
            vec!["usage", "--input-format", "jsonl", "--skip-bad"],
            &jsonl_bad,
        ),
        (vec!["usage", "--input-format", "jsonl"], &json_keys),
        (vec!["prorate"], &prorate),
        (vec!["prorate", &value], ""),
        (vec!["prorate"], &json_keys),
        (vec!["settle"], &json_keys),
        (vec!["bill"], &json_keys),
        (vec!["settle", &value], ""),
        (vec!["bill", &value], ""),
        (vec!["invoice", "--tariff", &tariff, "--period", &value], ""),
        (
            vec![
                "invoice", "--tariff", &tariff, "--period", "2024-03", "--zone", &value,
            ],
            "",
        ),
        (
            vec![
                "invoice",
                "--tariff",
                &tariff,
                "--period",
                "2024-03",
                "--currency",
                &value,
            ],
            "",
        ),
        (
            vec!["invoice", "--tariff", &value, "--period", "2024-03"],
            "",
        ),
        (
            vec!["invoice", "--tariff", &tariff, "--period", "2024-03"],
            &csv_bad,
        ),
        (
            vec![
                "invoice",
                "--tariff",
                &tariff,
                "--period",
                "2024-03",
                "--input-format",
                "jsonl",
            ],
            &jsonl_bad,
        ),
        (vec!["refund", "--pack", &value, "--at", "0"], ""),
        (vec!["refund", "--pack", "p", "--at", &value], ""),
        (
            vec![
                "app-status",
                "--action",
                "enable",
                "--at",
                "0",
                "--product",
                &value,
            ],
            "",
        ),
        // Refused by clap, which quotes the value.
        (vec!["usage", "--input-format", &value], ""),
        (vec!["validate", "--format", &value], ""),
        (vec![&value], ""),
    ];
    let mut leaks = Vec::new();
    for (args, stdin) in &cases {
        let out = run_mediameter(args, stdin);
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let found = control_chars(bytes);
            if !found.is_empty() {
                leaks.push(format!(
                    "{args:?}: {stream} carries {found:?}: {:?}",
                    String::from_utf8_lossy(bytes)
                ));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

/// A settle document of one resource per `(created, deleted)` pair (RFC 3339 instants), at
/// 0.50 CNY an hour.
fn settle_document(lifetimes: &[(&str, &str)]) -> String {
    let resources: Vec<String> = lifetimes
        .iter()
        .enumerate()
        .map(|(i, (created, deleted))| {
            format!(
                r#"{{"resource": "r{i}", "events": [
                  {{"at": "{created}", "event": "created", "configuration": {{"items": [
                    {{"name": "capacity", "quantity": "1", "hourly_price": {{"amount": "0.50", "currency": "CNY"}}}}]}}}},
                  {{"at": "{deleted}", "event": "deleted"}}]}}"#
            )
        })
        .collect();
    format!(r#"{{"resources": [{}]}}"#, resources.join(", "))
}

/// Issue 14 item 2 through the binary: a lifetime from year 1 to year 9999 (87,649,392 hourly
/// lines, 7 GB had they been built) is refused with the line-count error, exit 1, in a process
/// limited to 256 MiB of address space (a run that builds the lines aborts with 134).
#[cfg(unix)]
#[test]
fn settle_refuses_too_many_lines_within_bounded_memory() {
    let settle = |spans: &[(&str, &str)]| {
        let out = crate::run_mediameter_within(262_144, &["settle"], &settle_document(spans));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        (out, err)
    };
    let (out, err) = settle(&[("0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z")]);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim_end(),
        "mediameter: resources[0]: settlement would produce 87649392 items, more than the limit of 5000000"
    );
    // Ten resources of 60 years: each under the limit, together over it (21,914 days × 24 h ×
    // 10 = 5,259,360 lines); the error names the tenth, which takes the total over.
    let (out, err) = settle(&[("1900-01-01T00:00:00Z", "1960-01-01T00:00:00Z"); 10]);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim_end(),
        "mediameter: resources[9]: settlement would produce 5259360 items, more than the limit of 5000000"
    );
    // The limit is what refuses them: two resources of a year each settle within the same
    // bound.
    let (out, err) = settle(&[("2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z"); 2]);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(r#""lines": 8760"#));
}

/// Issue 14 item 11: `docs/billing.md` says the billing commands refuse a JSON number where a
/// decimal (an amount, a price, a quantity) is expected, and with which message.
#[test]
fn billing_commands_refuse_json_numbers_for_amounts() {
    let prorate = r#"{"purchased_at": "2023-03-18T07:30:00Z", "months": 1, "zone": "GMT+8",
        "changed_at": "2023-03-20T01:00:00Z",
        "old_price": {"amount": "25950.00", "currency": "CNY"},
        "new_price": {"amount": 52168.5, "currency": "CNY"}}"#;
    let settle = settle_document(&[("2023-04-18T01:00:00Z", "2023-04-18T02:45:46Z")])
        .replace(r#""amount": "0.50""#, r#""amount": 0.5"#);
    let bill = r#"{"period": {"start": "2023-03-31T16:00:00Z", "end": "2023-04-30T16:00:00Z"},
        "tariff": {"currency": "CNY", "entries": [{"product": "rtc", "unit": "minute",
            "pricing": {"model": "flat", "unit_price": 0.028}}]}}"#;
    let settle_count = settle_document(&[("2023-04-18T01:00:00Z", "2023-04-18T02:45:46Z")])
        .replace(r#""quantity": "1""#, r#""quantity": 1"#);
    let cases = [
        (
            "prorate",
            prorate.to_owned(),
            "proration request",
            "floating point `52168.5`",
        ),
        ("settle", settle, "settlement input", "floating point `0.5`"),
        (
            "bill",
            bill.to_owned(),
            "bill input",
            "floating point `0.028`",
        ),
        ("settle", settle_count, "settlement input", "integer `1`"),
    ];
    for (command, input, document, number) in cases {
        let (code, err) = status(&[command], &input);
        assert_eq!(code, 1, "{command}: {err}");
        let expected = format!(
            "mediameter: invalid {document}: invalid type: {number}, expected a Decimal type \
             representing a fixed-point number at line "
        );
        assert!(err.starts_with(&expected), "{command}: {err}");
        // The place is given as the line and column of the number.
        assert!(err.trim_end().contains(" column "), "{command}: {err}");
    }
}
