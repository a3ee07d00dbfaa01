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
        "demo",
        "bill",
        "invoice",
        "refund",
        "app-status",
        "prorate",
        "settle",
        "usage",
        "diagnose",
        "validate",
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

mod invoice {
    use super::mediameter;

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

    fn path(name: &str) -> String {
        format!("{DATA}/{name}")
    }

    fn sample_args(extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = [
            "invoice",
            &path("usage_sample.csv"),
            "--packs",
            &path("invoice_packs.json"),
            "--tariff",
            &path("invoice_tariff.json"),
            "--period",
            "2023-03",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    }

    fn run(args: &[String], stdin: &str) -> (bool, String, String) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        mediameter(&args, stdin)
    }

    /// The bundled month: both packs drawn (the March pack exhausted), the overflow of every
    /// spec priced, the total the sum of the rounded lines.
    #[test]
    fn the_bundled_month_as_json_and_as_a_table() {
        let (ok, out, err) = run(&sample_args(&[]), "");
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let s = &v["statement"];
        assert_eq!(s["packs"][0]["pack"], "pk-march-500");
        assert_eq!(s["packs"][0]["usage"], "30000");
        assert_eq!(s["packs"][1]["drawn"], "72000.00");
        assert_eq!(s["lines"].as_array().unwrap().len(), 4);
        assert_eq!(s["total"], "32.85");
        assert_eq!(v["metered_seconds"], "151312");
        assert_eq!(v["unbilled"]["publish"], 159402);
        let (ok, table, err) = run(&sample_args(&["--format", "table"]), "");
        assert!(ok, "{err}");
        assert!(table.contains("pk-year-1200"), "{table}");
        assert!(table.contains("32.844    32.85 CNY"), "{table}");
        assert!(table.contains("tier 0 .. 372 at 0.063 = 23.436"), "{table}");
    }

    /// JSON Lines on standard input, continuing from the printed state: the same segments
    /// again bill nothing.
    #[test]
    fn jsonl_from_stdin_and_a_replay_from_the_printed_state() {
        let jsonl = r#"{"app":"a","channel":"c","user":"u","role":"sub","spec":"720p","start":1709341200,"end":1709341290}
"#;
        let tariff = path("invoice_tariff.json");
        let args = |extra: &[&str]| -> Vec<String> {
            let mut a: Vec<String> = [
                "invoice",
                "-",
                "--input-format",
                "jsonl",
                "--tariff",
                &tariff,
                "--period",
                "2024-03",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
            a.extend(extra.iter().map(|s| (*s).to_owned()));
            a
        };
        let (ok, out, err) = run(&args(&[]), jsonl);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["statement"]["lines"][0]["quantity"], "2"); // 90 s → 2 minutes
        assert_eq!(v["statement"]["total"], "0.06");
        let state = std::env::temp_dir().join(format!(
            "mediameter-invoice-state-{}.json",
            std::process::id()
        ));
        std::fs::write(&state, v["state"].to_string()).unwrap();
        let (ok, again, err) = run(&args(&["--state", state.to_str().unwrap()]), jsonl);
        let _ = std::fs::remove_file(&state);
        assert!(ok, "{err}");
        let a: serde_json::Value = serde_json::from_str(&again).unwrap();
        assert_eq!(
            (a["applied"].as_u64(), a["replayed"].as_u64()),
            (Some(0), Some(1))
        );
        assert_eq!(a["statement"]["total"], "0.00");
    }

    /// Usage outside the month: refused naming the segment and field, or carried.
    #[test]
    fn usage_outside_the_month_is_refused_or_carried() {
        let (ok, _, err) = run(
            &sample_args(&[])
                .into_iter()
                .map(|a| {
                    if a == "2023-03" {
                        "2023-02".to_owned()
                    } else {
                        a
                    }
                })
                .collect::<Vec<_>>(),
            "",
        );
        assert!(!ok);
        assert!(
            err.contains("segment 2, field start: invalid segment instant"),
            "{err}"
        );
        let csv = "app,channel,user,role,spec,region,start,end\n\
                   a,c,u,sub,720p,,1709222340,1709222460\n";
        let tariff = path("invoice_tariff.json");
        let base = ["invoice", "--tariff", &tariff, "--period", "2024-03"];
        let (ok, _, err) = mediameter(&base, csv);
        assert!(!ok && err.contains("segment 1, field start"), "{err}");
        let (ok, out, err) = mediameter(&[&base[..], &["--out-of-period", "carry"]].concat(), csv);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["carried"][0]["quantity"]["value"], "60");
        assert_eq!(v["metered_seconds"], "60");
    }

    /// Argument mistakes exit 2 before any input is read; bad documents exit 1 naming them.
    #[test]
    fn bad_arguments_and_documents() {
        let tariff = path("invoice_tariff.json");
        for bad in [
            &["invoice", "--tariff", &tariff, "--period", "2024-13"][..],
            &[
                "invoice", "--tariff", &tariff, "--period", "2024-03", "--zone", "Mars",
            ],
            &[
                "invoice",
                "--tariff",
                &tariff,
                "--period",
                "2024-03",
                "--out-of-period",
                "bill",
            ],
            &[
                "invoice",
                "--tariff",
                &tariff,
                "--period",
                "2024-03",
                "--minute-policy",
                "round",
            ],
            &[
                "invoice",
                "--tariff",
                &tariff,
                "--period",
                "2024-03",
                "--currency",
                "EURO",
            ],
            &["invoice", "--period", "2024-03"],
        ] {
            let out = crate::run_mediameter(bad, "");
            assert_eq!(
                out.status.code(),
                Some(2),
                "{bad:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let (ok, _, err) = mediameter(
            &[
                "invoice",
                "--tariff",
                &tariff,
                "--period",
                "2024-03",
                "--currency",
                "USD",
            ],
            "",
        );
        assert!(
            !ok && err.contains("currency mismatch in invoice: CNY and USD"),
            "{err}"
        );
        let (ok, _, err) = mediameter(
            &["invoice", "--tariff", &tariff, "--period", "2024-03"],
            "app,channel,user,role,spec,region,start,end\na,c,u,sub,720p,,1709222460,1709222400\n",
        );
        assert!(!ok && err.contains("line 2"), "{err}");
    }
}

#[test]
fn demo_shows_the_invoice_of_the_bundled_segments() {
    let (ok, out, err) = mediameter(&["demo"], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("== invoice: the sample month's segments to a statement"),
        "{out}"
    );
    assert!(out.contains("32.844    32.85 CNY"), "{out}");
}

#[test]
fn the_demo_invoice_explains_itself() {
    use rust_decimal::Decimal;
    let (ok, out, err) = mediameter(&["demo"], "");
    assert!(ok, "{err}");
    let start = out.find("== invoice:").unwrap();
    let section = &out[start..];
    let section = &section[..section[3..].find("\n== ").map_or(section.len(), |e| e + 3)];

    // The command it prints, run from the repository's root, prints the same invoice.
    let command = section
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("mediameter invoice "))
        .unwrap_or_else(|| panic!("no command in:\n{section}"));
    let args: Vec<&str> = std::iter::once("invoice")
        .chain(command.split_whitespace())
        .collect();
    for file in [
        "crates/cli/data/usage_sample.csv",
        "--packs crates/cli/data/invoice_packs.json",
        "--tariff crates/cli/data/invoice_tariff.json",
        "--mapping crates/cli/data/invoice_mapping.json",
        "--period 2023-03",
        "--format table",
    ] {
        assert!(command.contains(file), "{file} not in {command}");
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let typed = std::process::Command::new(env!("CARGO_BIN_EXE_mediameter"))
        .args(&args)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        typed.status.success(),
        "{}",
        String::from_utf8_lossy(&typed.stderr)
    );
    let typed = String::from_utf8(typed.stdout).unwrap();
    assert!(typed.contains("-- pay-as-you-go overflow --"), "{typed}");
    assert!(
        section.contains(&typed),
        "the demo shows:\n{section}\nthe command prints:\n{typed}"
    );

    // How the pack with coefficients draws down.
    assert!(
        section
            .lines()
            .any(|l| l.starts_with("note: pack pk-year-1200 draws")
                && l.contains("1080p 2")
                && l.contains("1135.43 min of usage drew 1200 min")),
        "{section}"
    );

    // The printed total is the sum of the printed line amounts, and the note says so.
    let table = &section[section.find("-- pay-as-you-go overflow --").unwrap()..];
    let mut rows = table.lines().skip(2);
    let mut sum = Decimal::ZERO;
    let mut amounts = Vec::new();
    let total = loop {
        let row = rows.next().unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        if cells[0] == "total" {
            assert_eq!(cells.last(), Some(&"CNY"), "{row}");
            break cells[cells.len() - 2].parse::<Decimal>().unwrap();
        }
        if cells[0] != "tier" {
            let amount = *cells.last().unwrap();
            sum += amount.parse::<Decimal>().unwrap();
            amounts.push(amount);
        }
    };
    assert_eq!(amounts.len(), 4, "{table}");
    assert_eq!(total, sum, "{table}");
    let note = format!(
        "note: the total, {total} CNY, is the sum of the lines, each rounded once: {}",
        amounts.join(" + ")
    );
    assert!(section.contains(&note), "{note} not in:\n{section}");
}

/// The month `mediameter-testdata month N DIR` writes for the speed measurement of
/// docs/invoice.md: the command line invoices it exactly as the library does.
#[test]
fn the_generated_month_invoices_the_same_through_the_cli_and_the_library() {
    use mediameter::billing::Pack;
    use mediameter::billing::Tariff;
    const N: u64 = 20_000;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("generated-month-{}", std::process::id()));
    mediameter_testdata::write_month(N, 1, &dir).unwrap();
    let path = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    let (ok, out, err) = mediameter(
        &[
            "invoice",
            &path("segments.csv"),
            "--packs",
            &path("packs.json"),
            "--tariff",
            &path("tariff.json"),
            "--period",
            "2024-03",
        ],
        "",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(ok, "{err}");
    let cli: serde_json::Value = serde_json::from_str(&out).unwrap();

    let segments: Vec<_> = mediameter_testdata::month_stream(N, 1).unwrap().collect();
    let packs: Vec<Pack> = serde_json::from_str(&mediameter_testdata::month_packs(N)).unwrap();
    let tariff: Tariff = serde_json::from_str(mediameter_testdata::MONTH_TARIFF).unwrap();
    let request =
        mediameter::InvoiceRequest::new("2024-03".parse().unwrap(), tariff).with_packs(packs);
    let lib = mediameter::invoice(&segments, request).unwrap();
    assert_eq!(lib.segments, N);
    assert_eq!(lib.statement.packs.len(), 2);
    assert!(!lib.statement.lines.is_empty() && lib.statement.total > rust_decimal::Decimal::ZERO);

    let lib = serde_json::to_value(&lib).unwrap();
    for field in ["segments", "metered_seconds", "billed_seconds", "balances"] {
        assert_eq!(cli[field], lib[field], "{field}");
    }
    assert_eq!(cli["statement"]["total"], lib["statement"]["total"]);
    assert_eq!(cli["statement"]["lines"], lib["statement"]["lines"]);
    assert_eq!(cli, lib);
}

mod account {
    use super::mediameter;

    const PACKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/invoice_packs.json");

    /// The 7-day unconsumed rule (Alibaba Cloud RTC pricing): bought 2023-03-10 10:00 GMT+8,
    /// refundable through 2023-03-17 10:00, not after, and not once drawn.
    #[test]
    fn refund_follows_the_seven_day_unconsumed_rule() {
        let ask = |at: &str, extra: &[&str]| {
            let mut args = vec![
                "refund",
                "--packs",
                PACKS,
                "--pack",
                "pk-year-1200",
                "--at",
                at,
            ];
            args.extend_from_slice(extra);
            let (ok, out, err) = mediameter(&args, "");
            assert!(ok, "{err}");
            serde_json::from_str::<serde_json::Value>(&out).unwrap()
        };
        assert_eq!(ask("2023-03-17T02:00:00Z", &[])["allowed"], true);
        let late = ask("2023-03-17T02:00:01Z", &[]);
        assert_eq!(late["allowed"], false);
        assert!(
            late["message"]
                .as_str()
                .unwrap()
                .contains("more than 7 days")
        );
        let applied = ask("2023-03-11T00:00:00Z", &["--apply"]);
        assert_eq!(applied["state"]["packs"][1]["refunded"], true);
        let (ok, _, err) = mediameter(
            &[
                "refund",
                "--packs",
                PACKS,
                "--pack",
                "pk-none",
                "--at",
                "2023-03-11T00:00:00Z",
            ],
            "",
        );
        assert!(!ok && err.contains("unknown pack"), "{err}");
        let out = crate::run_mediameter(&["refund", "--pack", "p", "--at", "soon"], "");
        assert_eq!(out.status.code(), Some(2));
    }

    /// Enabling needs a valid pack with balance; an overdue app with arrears stays overdue.
    #[test]
    fn app_status_answers_from_the_packs() {
        let ask = |args: &[&str]| {
            let mut all = vec!["app-status", "--packs", PACKS];
            all.extend_from_slice(args);
            let (ok, out, err) = mediameter(&all, "");
            assert!(ok, "{err}");
            serde_json::from_str::<serde_json::Value>(&out).unwrap()
        };
        let on = ask(&["--action", "enable", "--at", "2023-03-05T00:00:00Z"]);
        assert_eq!(
            (on["allowed"].as_bool(), on["to"].as_str()),
            (Some(true), Some("enabled"))
        );
        let expired = ask(&["--action", "enable", "--at", "2025-03-05T00:00:00Z"]);
        assert_eq!(expired["refusal"], "no_pack_balance");
        let overdue = ask(&[
            "--status",
            "overdue",
            "--action",
            "enable",
            "--arrears",
            "--at",
            "2023-03-05T00:00:00Z",
        ]);
        assert_eq!(overdue["refusal"], "arrears_unpaid");
        let unpaid = ask(&[
            "--status",
            "enabled",
            "--action",
            "charges-unpaid",
            "--at",
            "2023-03-05T00:00:00Z",
        ]);
        assert_eq!(
            (unpaid["to"].as_str(), unpaid["can_communicate"].as_bool()),
            (Some("overdue"), Some(false))
        );
        let out = crate::run_mediameter(&["app-status", "--action", "resume", "--at", "0"], "");
        assert_eq!(out.status.code(), Some(2));
    }
}
