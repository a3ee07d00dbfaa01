//! The workspace's error convention (`docs/architecture.md`, "Error convention") as
//! `mediameter-usage` follows it: the shared shapes' messages, located errors, and `kind()` /
//! `as_core()` looking through the location to the error inside.

use mediameter_usage::{
    BadRecords, Error, ErrorKind, InputFormat, SegmentReader, SegmentTable, parse_csv,
};

const HEADER: &str = "app,channel,user,role,spec,region,start,end\n";

#[test]
fn a_core_error_inside_a_bad_record_is_reached_through_its_location() {
    let err = parse_csv(&format!("{HEADER}a,c,u,sub,8k,r,0,60\n")).unwrap_err();
    let core = err
        .as_core()
        .expect("the bad spec is core's error, carried whole");
    assert_eq!(core.kind(), mediameter_core::ErrorKind::Invalid);
    assert_eq!(err.kind(), ErrorKind::Core);
    assert_eq!(err.line(), Some(2));
    assert_eq!(err.to_string(), format!("line 2, field spec: {core}"));
}

#[test]
fn a_bad_value_is_an_invalid_located_at_its_line_and_field() {
    let err = parse_csv(&format!("{HEADER}a,c,u,sub,audio,r,soon,60\n")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.as_core().is_none());
    assert_eq!(
        err.to_string(),
        "line 2, field start: invalid start \"soon\": expected Unix seconds or an RFC 3339 instant"
    );
    let err = parse_csv(&format!("{HEADER}a,c,,sub,audio,r,0,60\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 2, field user: invalid user \"\": expected a non-empty value"
    );
}

#[test]
fn an_end_not_after_its_start_names_both() {
    let err = parse_csv(&format!("{HEADER}a,c,u,sub,audio,r,60,60\n")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EmptyRange);
    assert_eq!(
        err.to_string(),
        "line 2, field end: end 60 is not after start 60"
    );
}

#[test]
fn a_broken_csv_line_is_a_located_document_error() {
    let err = parse_csv(&format!("{HEADER}a,c\"x,u,sub,audio,r,0,60\n")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Document);
    assert_eq!(err.line(), Some(2));
    assert_eq!(
        err.to_string(),
        "line 2: csv document: a quote inside an unquoted field"
    );
}

#[test]
fn skipped_records_keep_their_located_messages() {
    let text =
        format!("{HEADER}a,c,u,sub,8k,r,0,60\na,c,u,sub,audio,r,0,60\na,c,u,sub,audio,r,9,5\n");
    let mut r = SegmentReader::new(text.as_bytes(), InputFormat::Csv, BadRecords::Skip).unwrap();
    assert_eq!(r.by_ref().filter_map(Result::ok).count(), 1);
    let report = r.skip_report();
    assert_eq!(report.skipped, 2);
    assert!(
        report.first_errors[0].starts_with("line 2, field spec: "),
        "{report:?}"
    );
    assert_eq!(
        report.first_errors[1],
        "line 4, field end: end 5 is not after start 9"
    );
}

/// The table loader reads a large input in blocks and numbers each block's lines from 1: the
/// errors it keeps are shifted to the input's lines, through the location.
#[test]
fn block_read_errors_name_the_input_line() {
    let mut text = String::from(HEADER);
    for i in 0..5000 {
        text.push_str(&format!("a,c{i},u{i},sub,audio,r,{i},{}\n", i + 60));
    }
    text.push_str("a,c,u,sub,8k,r,0,60\n");
    for i in 0..5000 {
        text.push_str(&format!("a,c{i},u{i},sub,audio,r,{i},{}\n", i + 60));
    }
    text.push_str("a,c,u,sub,audio,r,70,70\n");
    let (_, skipped) =
        SegmentTable::read_csv_parallel(text.as_bytes(), BadRecords::Skip, 2).unwrap();
    assert_eq!(skipped.skipped, 2);
    assert!(
        skipped.first_errors[0].starts_with("line 5002, field spec: "),
        "{skipped:?}"
    );
    assert_eq!(
        skipped.first_errors[1],
        "line 10003, field end: end 70 is not after start 70"
    );
    let err = SegmentTable::read_csv_parallel(text.as_bytes(), BadRecords::Fail, 2).unwrap_err();
    assert_eq!(err.line(), Some(5002));
    assert!(err.as_core().is_some(), "{err:?}");
}

#[test]
fn the_shared_shapes_have_the_workspace_messages() {
    let e = Error::invalid("interval", "7", "3600 or 86400");
    assert_eq!(
        e.to_string(),
        "invalid interval \"7\": expected 3600 or 86400"
    );
    let e = Error::out_of_range("precision", 20, "4..=16");
    assert_eq!(
        e.to_string(),
        "precision 20 is out of range: expected 4..=16"
    );
    assert_eq!(
        Error::overflow("seconds").to_string(),
        "arithmetic overflow in seconds"
    );
    let e = Error::too_large("groups", 11, 10);
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert_eq!(
        e.to_string(),
        "groups would produce 11 items, more than the limit of 10"
    );
}

#[test]
fn located_errors_look_through_and_escape_their_place() {
    let core: Error = mediameter_core::UserId::new("").unwrap_err().into();
    let e = core.clone().at("segment 3\u{1b}[2J");
    assert_eq!(e.kind(), ErrorKind::Core);
    assert_eq!(e.as_core(), core.as_core());
    assert_eq!(e.line(), None);
    assert!(!e.to_string().chars().any(char::is_control), "{e}");
    assert!(e.to_string().starts_with("segment 3\\u{1b}[2J: "), "{e}");
    let e = Error::overflow("seconds").at("x".repeat(10_000));
    assert!(e.to_string().len() < 400, "{e}");
    let e = Error::invalid("end", "x", "a number").at_field(7, "end");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(e.line(), Some(7));
    assert_eq!(
        e.to_string(),
        "line 7, field end: invalid end \"x\": expected a number"
    );
    assert_eq!(
        Error::overflow("rows").at_line(3).to_string(),
        "line 3: arithmetic overflow in rows"
    );
}
