//! `mediameter report` and the HTML part of `mediameter demo`, and what `diagnose` echoes.

use std::path::PathBuf;

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const CALL: &str = include_str!("../data/diagnostics_call.json");
const SEGMENTS: &str = include_str!("../data/usage_sample.csv");

#[test]
fn demo_writes_both_reports_where_it_says() {
    let dir = out_dir("demo-reports");
    let out = crate::run_mediameter(&["demo", "--out-dir", dir.to_str().unwrap()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    for name in ["call.html", "usage.html"] {
        let path = dir.join(name);
        assert!(
            stdout.contains(&format!("wrote {}", path.display())),
            "{stdout}"
        );
        let html = std::fs::read_to_string(&path).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        assert!(!html.contains("<script") && !html.contains("@import") && !html.contains("url("));
        assert!(html.contains("<svg"));
    }
}

#[test]
fn report_diagnose_writes_the_page_of_the_diagnosis() {
    let dir = out_dir("report-diagnose");
    let path = dir.join("call.html");
    let out = crate::run_mediameter(
        &["report", "diagnose", "-", "-o", path.to_str().unwrap()],
        CALL,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&path).unwrap();
    // The same grade as `mediameter diagnose` gives.
    let json = crate::run_mediameter(&["diagnose"], CALL);
    let d: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let letter = d["grade"]["letter"].as_str().unwrap();
    assert!(
        html.contains(&format!("Grade {letter} (")),
        "grade {letter}"
    );
    let findings = d["findings"].as_array().unwrap().len();
    assert_eq!(
        html.matches("<li value=").count(),
        2 * findings,
        "each finding in its card and in the list"
    );
}

#[test]
fn report_usage_draws_regions_when_split_by_region() {
    let out = crate::run_mediameter(
        &[
            "report",
            "usage",
            "--input-format",
            "csv",
            "--interval",
            "86400",
            "--split-by",
            "region",
            "-o",
            "-",
        ],
        SEGMENTS,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("<h2>Distribution by region</h2>"));
    for region in ["cn-beijing", "cn-hangzhou", "cn-shanghai"] {
        assert!(html.contains(&format!("<td>{region}</td>")), "{region}");
    }
    let plain = crate::run_mediameter(
        &["report", "usage", "--input-format", "csv", "-o", "-"],
        SEGMENTS,
    );
    assert!(
        !String::from_utf8(plain.stdout)
            .unwrap()
            .contains("Distribution by region")
    );
}

/// Issue 14 item 8 through the binary: the rejected OS is echoed escaped on stderr.
#[test]
fn diagnose_never_echoes_control_bytes() {
    let req = r#"{"app_id":"a","channel_id":"c","range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
      "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"1","os":"iOS\u001b[31m\u0007"}}]}"#;
    for args in [&["diagnose"][..], &["report", "diagnose", "-o", "-"][..]] {
        let out = crate::run_mediameter(args, req);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            !stderr.chars().any(|c| c == '\u{1b}' || c == '\u{7}'),
            "{stderr:?}"
        );
        assert!(stderr.contains(r#""iOS\u{1b}[31m\u{7}""#), "{stderr}");
    }
}
