//! Reading CSV and JSON Lines: errors name line and field; skip mode counts and reports.

#[cfg(feature = "serde")]
use mediameter_usage::parse_jsonl;
use mediameter_usage::{BadRecords, ErrorKind, InputFormat, parse_csv, read_segments};
use proptest::prelude::*;

const HEADER: &str = "app,channel,user,role,spec,region,start,end\n";

fn csv_err(body: &str) -> mediameter_usage::Error {
    parse_csv(&format!("{HEADER}{body}")).unwrap_err()
}

#[test]
fn peers_generator_format_reads() {
    let text = format!(
        "{HEADER}app3,ch12,u99,pub,1080p,r7,1700000000,1700000600\napp3,ch12,u100,sub,360p,r7,1700000100,1700000700\n"
    );
    let segs = parse_csv(&text).unwrap();
    assert_eq!(segs.len(), 2);
    assert_eq!(segs[1].region.as_ref().unwrap().as_str(), "r7");
}

#[test]
fn errors_name_line_and_field() {
    let cases = [
        ("a,c,u,sub,720p,r,100,100\n", "end"),
        ("a,c,u,sub,720p,r,100,50\n", "end"),
        ("a,c,u,sub,8k,r,0,60\n", "spec"),
        ("a,c,u,watch,720p,r,0,60\n", "role"),
        ("a,c,u,sub,720p,r,zero,60\n", "start"),
        ("a,c,u,sub,720p\n", "start"),
        ("a,,u,sub,720p,r,0,60\n", "channel"),
    ];
    for (body, field) in cases {
        let e = csv_err(body);
        assert!(
            matches!(e, mediameter_usage::Error::At { .. }),
            "{body}: {e:?}"
        );
        assert_eq!(e.line(), Some(2), "{body}");
        assert!(
            e.to_string().contains(&format!("field {field}")),
            "{body}: {e}"
        );
    }
    let long = "x".repeat(200);
    let e = csv_err(&format!("a,c,{long},sub,720p,r,0,60\n"));
    assert!(e.to_string().contains("field user"), "{e}");
    let e = csv_err("a,c,u,sub,720p,r,0,60\n\"broken,c,u\n");
    assert_eq!(e.line(), Some(3));
}

#[test]
fn skip_mode_counts_and_reports() {
    let text = format!(
        "{HEADER}a,c,u,sub,720p,r,0,60\na,c,u,sub,8k,r,0,60\na,c,u,sub,720p,r,5,1\na,c,u2,pub,audio,r,0,10\n"
    );
    let (segs, report) = read_segments(&text, InputFormat::Csv, BadRecords::Skip).unwrap();
    assert_eq!(segs.len(), 2);
    assert_eq!(report.skipped, 2);
    assert!(
        report.first_errors[0].starts_with("line 3, field spec: "),
        "{:?}",
        report.first_errors
    );
    assert!(
        report.first_errors[1] == "line 4, field end: end 1 is not after start 5",
        "{:?}",
        report.first_errors
    );
    // Strict mode stops at the first.
    assert_eq!(
        read_segments(&text, InputFormat::Csv, BadRecords::Fail)
            .unwrap_err()
            .line(),
        Some(3)
    );
}

#[cfg(feature = "serde")]
#[test]
fn jsonl_errors_and_instants() {
    let ok = r#"{"app":"a","channel":"c","user":"u","role":"sub","spec":"≤720P","start":"2023-03-20T00:00:00Z","end":1679270460,"publisher":"p"}"#;
    let segs = parse_jsonl(ok).unwrap();
    assert_eq!(segs[0].range.seconds(), 60);
    assert_eq!(segs[0].publisher.as_ref().unwrap().as_str(), "p");
    let e = parse_jsonl(&format!("{ok}\n\n{{\"app\":\"a\",\"channel\":7}}")).unwrap_err();
    assert_eq!(e.line(), Some(3));
    assert!(e.to_string().contains("field channel"), "{e}");
    let e = parse_jsonl("not json").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("line 1: json document: invalid JSON"),
        "{e}"
    );
}

#[test]
fn csv_quoting_and_optional_columns() {
    let text = "channel,app,user,role,spec,start,end,publisher,type,extra\n\"room, 1\",a,\"u \"\"q\"\"\",sub,audio,0,60,p,universal,ignored\n";
    let segs = parse_csv(text).unwrap();
    assert_eq!(segs[0].channel.as_str(), "room, 1");
    assert_eq!(segs[0].user.as_str(), "u \"q\"");
    assert_eq!(segs[0].product_type.as_ref().unwrap().as_str(), "universal");
    assert!(parse_csv("app,user\n").is_err());
}

proptest! {
    /// The raw CSV export and JSON Lines read back to the same segments.
    #[cfg(feature = "serde")]
    #[test]
    fn export_parse_roundtrip(segs in proptest::collection::vec(crate::common::dense_segment(), 0..20)) {
        let text = mediameter_usage::csv::segments_csv(&segs);
        prop_assert_eq!(parse_csv(&text).unwrap(), segs.clone());
        let lines: Vec<String> = segs.iter().map(|s| mediameter_usage::segment_jsonl(s).unwrap()).collect();
        prop_assert_eq!(parse_jsonl(&lines.join("\n")).unwrap(), segs);
    }

    /// Arbitrary text never panics either reader, in either mode.
    #[test]
    fn never_panics(text in "[a-z0-9,\"\n{}:]{0,200}") {
        let _ = read_segments(&format!("{HEADER}{text}"), InputFormat::Csv, BadRecords::Skip);
        let _ = read_segments(&text, InputFormat::JsonLines, BadRecords::Skip);
        let _ = read_segments(&text, InputFormat::Csv, BadRecords::Fail);
    }
}

#[cfg(feature = "serde")]
#[test]
fn a_jsonl_record_naming_a_field_twice_is_refused() {
    // serde_json alone would keep the last "app" and read the record as app "b".
    let line = r#"{"app":"a","channel":"c","user":"u","role":"sub","spec":"audio","start":0,"end":60,"app":"b"}"#;
    let e = parse_jsonl(line).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Document);
    assert_eq!(e.line(), Some(1));
    assert_eq!(
        e.to_string(),
        r#"line 1: json document: repeated key "app" at column 84: expected each key at most once"#
    );
    // The same key in two records is fine.
    let two = "{\"app\":\"a\",\"channel\":\"c\",\"user\":\"u\",\"role\":\"sub\",\"spec\":\"audio\",\"start\":0,\"end\":60}\n".repeat(2);
    assert_eq!(parse_jsonl(&two).unwrap().len(), 2);
}

#[cfg(not(feature = "serde"))]
#[test]
fn without_serde_json_lines_are_refused_before_reading() {
    let e = mediameter_usage::SegmentReader::new(
        "{}".as_bytes(),
        InputFormat::JsonLines,
        BadRecords::Skip,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("serde feature"), "{e}");
}
