//! Fuzz targets of mediameter-usage: one per parser of outside input. Plain functions; the
//! libFuzzer binaries and the stable replay test call them.
//!
//! * `csv_segments`: CSV segment input, strict and skipping; every accepted segment exports to
//!   CSV and JSON Lines and reads back equal, and aggregating them conserves seconds.
//! * `jsonl_segments`: the same for JSON Lines.
//! * `vendor_json`: the vendors' JSON shapes (first byte chooses Alibaba, Volcengine or
//!   Huawei); an accepted document serializes and reads back equal.
//! * `vendor_xml`: the Alibaba XML shape; an accepted document prints and reads back equal.
//! * `state_json`: a serialized partial aggregate; an accepted one (reading checks it against
//!   its query) reports with no error but an overflow, and survives a JSON round trip.
//! * `table_csv`: CSV bytes (any bytes) loaded into a `SegmentTable`, on one thread, in small
//!   chunks and on three threads: the same rows, errors and skip reports as `SegmentReader`,
//!   and the table's report equals the aggregator's, in its mergeable mode and (over the
//!   segments sorted by start) in its mode for sorted input.
//! * `query_csv`: a query chosen by the first bytes (split dimensions, role and spec filters,
//!   metrics, id scope, zone, interval, minute policy, range, segment limit) over the rest as
//!   CSV lines under a valid header, streamed by `SegmentTable::query_csv` on one and two
//!   threads: the same report and skip report as `SegmentReader` feeding an `Aggregator` in
//!   input order, or the same error (a segment the aggregator refuses is named by its position
//!   there and by its line in `query_csv`, so those compare by kind, field and reason).
//! * `rows`: a query chosen by the first bytes over the rest as rows of fields (each line cut
//!   at commas into the twelve fields; an instant that is not an integer is a null), the way a
//!   columnar reader hands them over: `Aggregator::push_row` and a `RowLoader` give the same
//!   report, or refuse the same record first.

use mediameter_core::{BillingZone, Granularity, MinutePolicy, StreamSegment};
use mediameter_usage::vendor::{DistributionResponse, ProducerUsageResponse, RoomListResponse};
use mediameter_usage::{
    Aggregator, BadRecords, InputFormat, UsageQuery, UsageState, read_segments,
};

/// The state of `segs` under `q`, through one mergeable aggregator.
fn aggregate(
    q: &UsageQuery,
    segs: &[StreamSegment],
) -> Result<UsageState, mediameter_usage::Error> {
    let mut agg = Aggregator::new(q.clone())?;
    agg.extend(segs)?;
    agg.finish()
}

fn check_segments(segs: &[StreamSegment]) {
    let csv = mediameter_usage::csv::segments_csv(segs);
    let back = read_segments(&csv, InputFormat::Csv, BadRecords::Fail);
    assert!(
        back.as_ref().is_ok_and(|(b, _)| b == segs),
        "CSV export did not read back: {back:?}"
    );
    let mut lines = String::new();
    for s in segs {
        let line = mediameter_usage::segment_jsonl(s);
        assert!(line.is_ok());
        lines.push_str(&line.unwrap_or_default());
        lines.push('\n');
    }
    let back = read_segments(&lines, InputFormat::JsonLines, BadRecords::Fail);
    assert!(
        back.as_ref().is_ok_and(|(b, _)| b == segs),
        "JSON Lines export did not read back"
    );
    // Conservation: every second of every segment lands in exactly one bucket.
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR);
    if let Ok(state) = aggregate(&q, segs) {
        let want = segs
            .iter()
            .fold(0_u64, |a, s| a.saturating_add(s.range.seconds()));
        if let Ok(report) = state.report(MinutePolicy::CeilPerRecord) {
            let got = report.totals.iter().fold(0_u64, |a, t| {
                a.saturating_add(t.publish_seconds.total())
                    .saturating_add(t.subscribe_seconds.total())
            });
            assert_eq!(got, want, "seconds not conserved");
        }
    }
}

fn segments_target(data: &[u8], format: InputFormat) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = read_segments(text, format, BadRecords::Fail);
    if let Ok((segs, skipped)) = read_segments(text, format, BadRecords::Skip) {
        // Skip mode never drops silently: what it kept plus what it counted covers the input,
        // and strict mode accepts exactly when nothing was skipped.
        assert_eq!(strict.is_ok(), skipped.skipped == 0);
        if let Ok((all, _)) = &strict {
            assert_eq!(all, &segs);
        }
        check_segments(&segs);
    }
}

/// CSV segment input.
pub fn csv_segments(data: &[u8]) {
    segments_target(data, InputFormat::Csv);
}

/// JSON Lines segment input.
pub fn jsonl_segments(data: &[u8]) {
    segments_target(data, InputFormat::JsonLines);
}

/// The general reader's result on `data`: the segments and skip report, or the first error.
fn reader_result(
    data: &[u8],
    bad: BadRecords,
) -> mediameter_usage::Result<(Vec<StreamSegment>, mediameter_usage::SkipReport)> {
    let mut r = mediameter_usage::SegmentReader::new(data, InputFormat::Csv, bad)?;
    let segs = r.by_ref().collect::<mediameter_usage::Result<Vec<_>>>()?;
    Ok((segs, r.skip_report().clone()))
}

/// CSV bytes into a `SegmentTable`.
pub fn table_csv(data: &[u8]) {
    use mediameter_usage::SegmentTable;
    let rows = |t: SegmentTable| t.segments().collect::<Vec<_>>();
    for bad in [BadRecords::Fail, BadRecords::Skip] {
        let want = reader_result(data, bad);
        let one = SegmentTable::read_csv(data, bad).map(|(t, r)| (rows(t), r));
        assert_eq!(one, want, "read_csv differs from SegmentReader ({bad:?})");
        let three = SegmentTable::read_csv_parallel(data, bad, 3).map(|(t, r)| (rows(t), r));
        assert_eq!(three, want, "read_csv_parallel differs ({bad:?})");
    }
    let Ok((segs, _)) = reader_result(data, BadRecords::Skip) else {
        return;
    };
    let Ok(table) = SegmentTable::from_segments(&segs) else {
        return;
    };
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_split_by([mediameter_usage::Dimension::Region]);
    let from_agg = aggregate(&q, &segs).and_then(|st| st.report(MinutePolicy::CeilPerRecord));
    let from_table = table.report_parallel(&q, MinutePolicy::CeilPerRecord, 2);
    assert_eq!(
        from_table, from_agg,
        "the table's report differs from the aggregator's"
    );
    // The aggregator's mode for sorted input, over the same segments sorted by start: the
    // same report, or the same kind of error (a refused segment is named by its position,
    // which sorting changes).
    let mut by_start = segs;
    by_start.sort_by_key(|s| s.range.start());
    let swept = Aggregator::sorted(q).and_then(|mut agg| {
        agg.extend(&by_start)?;
        agg.report(MinutePolicy::CeilPerRecord)
    });
    match (&swept, &from_agg) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the sorted mode's report differs"),
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{a} against {b}"),
        _ => panic!("the sorted mode gives {swept:?}, the mergeable mode {from_agg:?}"),
    }
}

macro_rules! json_roundtrip {
    ($t:ty, $text:expr) => {
        if let Ok(v) = serde_json::from_str::<$t>($text) {
            let printed = serde_json::to_string(&v);
            assert!(printed.is_ok());
            let back = serde_json::from_str::<$t>(&printed.unwrap_or_default());
            assert!(
                back.as_ref().is_ok_and(|b| *b == v),
                "JSON round trip changed {v:?}"
            );
        }
    };
}

/// The vendors' JSON response shapes.
pub fn vendor_json(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 3 {
        0 => json_roundtrip!(ProducerUsageResponse, text),
        1 => json_roundtrip!(DistributionResponse, text),
        _ => json_roundtrip!(RoomListResponse, text),
    }
}

/// The Alibaba XML response shape.
pub fn vendor_xml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = ProducerUsageResponse::from_xml(text) {
        let back = ProducerUsageResponse::from_xml(&doc.to_xml());
        assert!(
            back.as_ref().is_ok_and(|b| *b == doc),
            "XML round trip changed {doc:?}"
        );
    }
}

/// A serialized partial aggregate.
pub fn state_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(state) = serde_json::from_str::<UsageState>(text) {
        assert_reports(&state);
        json_roundtrip!(UsageState, text);
    }
}

/// Reading a state back checked it against its query: reporting it can only overflow.
fn assert_reports(state: &UsageState) {
    let report = state.report(MinutePolicy::Exact);
    let overflow = |e: &mediameter_usage::Error| {
        e.kind() == mediameter_usage::ErrorKind::Overflow
            || e.as_core()
                .is_some_and(|c| c.kind() == mediameter_core::ErrorKind::Overflow)
    };
    assert!(
        report.as_ref().map_or_else(overflow, |_| true),
        "an accepted state did not report: {report:?}"
    );
}

/// A state read from its compact binary form: an accepted state reports (only an overflow
/// may fail), writes bytes that read back as the same state and write themselves again, and
/// is accepted from its JSON as well (the two readers check the same rules).
pub fn state_bytes(data: &[u8]) {
    let Ok(state) = UsageState::from_bytes(data) else {
        return;
    };
    assert_reports(&state);
    let bytes = state.to_bytes();
    let again = UsageState::from_bytes(&bytes).expect("a written state reads back");
    assert_eq!(again, state);
    assert_eq!(again.to_bytes(), bytes);
    let json = serde_json::to_string(&state).expect("a state serializes");
    let from_json: UsageState =
        serde_json::from_str(&json).expect("a state the bytes accept, JSON accepts");
    assert_eq!(from_json, state);
}

/// The query the first [`QUERY_BYTES`] bytes of a `query_csv` input choose, and the header
/// line put before the rest.
const QUERY_BYTES: usize = 6;

fn query_of(b: [u8; QUERY_BYTES]) -> Option<(UsageQuery, MinutePolicy, &'static str)> {
    use mediameter_core::TimeRange;
    use mediameter_usage::{Dimension, IdScope, Metrics};
    let zone = if b[0] & 0x80 == 0 {
        BillingZone::UTC
    } else {
        BillingZone::GMT8
    };
    let granularity = match b[2] & 3 {
        0 => Granularity::MINUTE,
        1 => Granularity::HOUR,
        2 => Granularity::DAY,
        _ => Granularity::from_seconds(900).ok()?,
    };
    let split = Dimension::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| b[0] >> i & 1 == 1)
        .map(|(_, d)| *d);
    let metrics = Metrics::DURATIONS
        .with_users(b[1] & 0x04 != 0)
        .with_channels(b[1] & 0x08 != 0)
        .with_peaks(b[1] & 0x10 != 0)
        .with_stream_peaks(b[1] & 0x20 != 0);
    let scope = if b[1] & 0x40 == 0 {
        IdScope::PerApp
    } else {
        IdScope::Global
    };
    let mut q = UsageQuery::new(zone, granularity)
        .with_split_by(split)
        .with_metrics(metrics)
        .with_id_scope(scope);
    q = match b[1] & 3 {
        0 => q,
        1 => q.with_filter(Dimension::Role, ["pub"]).ok()?,
        2 => q.with_filter(Dimension::Role, ["sub"]).ok()?,
        _ => q.with_filter(Dimension::Role, ["pub", "sub"]).ok()?,
    };
    if b[1] & 0x80 != 0 {
        q = q.with_filter(Dimension::Spec, ["720p", "audio"]).ok()?;
    }
    if b[2] & 0x10 != 0 {
        // A range of whole quarters of an hour around the small instants of the seeds.
        let start = (i64::from(b[4]) - 16) * 1800;
        let end = start + (i64::from(b[5]) + 1) * 900;
        let at = |s| chrono::DateTime::from_timestamp(s, 0);
        q = q.with_range(TimeRange::new(at(start)?, at(end)?).ok()?);
    }
    if b[3] < 128 {
        q = q.with_max_segment_seconds(u64::from(b[3]) * 60);
    }
    let policy = match b[2] >> 2 & 3 {
        0 => MinutePolicy::Exact,
        1 => MinutePolicy::CeilPerRecord,
        _ => MinutePolicy::CeilPerPeriod,
    };
    let header = if b[2] & 0x20 == 0 {
        "app,channel,user,role,spec,region,start,end\n"
    } else {
        "app,channel,user,role,spec,region,start,end,publisher,domain,instance,type\n"
    };
    Some((q, policy, header))
}

/// Where the reference's error came from: the reader names lines as `query_csv` does, the
/// aggregator names a segment by its position among the segments.
#[derive(Debug)]
enum Refused {
    Reader(mediameter_usage::Error),
    Aggregator(mediameter_usage::Error),
}

/// `SegmentReader` feeding an `Aggregator` in input order.
fn query_reference(
    csv: &[u8],
    q: &UsageQuery,
    policy: MinutePolicy,
    bad: BadRecords,
) -> Result<(mediameter_usage::UsageReport, mediameter_usage::SkipReport), Refused> {
    let mut agg = mediameter_usage::Aggregator::new(q.clone()).map_err(Refused::Reader)?;
    let mut r = mediameter_usage::SegmentReader::new(csv, InputFormat::Csv, bad)
        .map_err(Refused::Reader)?;
    for seg in r.by_ref() {
        let seg = seg.map_err(Refused::Reader)?;
        agg.push(&seg).map_err(Refused::Aggregator)?;
    }
    let report = agg.report(policy).map_err(Refused::Reader)?;
    Ok((report, r.skip_report().clone()))
}

/// A query over CSV lines, streamed on one and two threads, against the aggregator.
pub fn query_csv(data: &[u8]) {
    use mediameter_usage::{Error, SegmentTable};
    let Some((head, body)) = data.split_first_chunk::<QUERY_BYTES>() else {
        return;
    };
    let Some((q, policy, header)) = query_of(*head) else {
        return;
    };
    let mut csv = header.as_bytes().to_vec();
    csv.extend_from_slice(body);
    for bad in [BadRecords::Fail, BadRecords::Skip] {
        let want = query_reference(&csv, &q, policy, bad);
        for threads in [1, 2] {
            let got = SegmentTable::query_csv(csv.as_slice(), &q, policy, bad, threads);
            let same = match (&got, &want) {
                (Ok(g), Ok(w)) => g == w,
                (Err(g), Err(Refused::Reader(w))) => g == w,
                // The aggregator numbers segments, the table lines: the same field and error.
                (
                    Err(Error::At {
                        place: gp,
                        source: gs,
                    }),
                    Err(Refused::Aggregator(Error::At {
                        place: wp,
                        source: ws,
                    })),
                ) => gp.field() == wp.field() && gs == ws,
                (Err(g), Err(Refused::Aggregator(w))) => g == w,
                _ => false,
            };
            assert!(
                same,
                "query_csv ({threads} threads, {bad:?}) differs from the aggregator: \
                 {got:?}\nwant {want:?}\nquery {q:?}, {policy:?}"
            );
        }
    }
}

/// Rows of fields, pushed to an aggregator and to a row loader: the same report or the same
/// first refused record.
/// The record number of the row at `index` (from 0).
fn first_record(index: usize) -> u64 {
    u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1)
}

/// The rows of `fields` (split lines, fields in the loader's column order) as one column
/// batch, records `first`, `first + 1`...: the app, user, role, region and domain columns
/// dictionary-encoded, the others plain, instants with their nulls.
fn push_as_columns(
    j: usize,
    fields: &[&Vec<&str>],
    push: impl FnOnce(&mediameter_usage::SegmentColumns<'_>) -> mediameter_usage::Result<()>,
) -> mediameter_usage::Result<()> {
    use mediameter_usage::{SegmentColumns, TextColumn};
    let texts: [Vec<Option<&str>>; 12] =
        std::array::from_fn(|k| fields.iter().map(|f| f.get(k).copied()).collect());
    let coded: [(Vec<Option<&str>>, Vec<u32>); 12] = std::array::from_fn(|k| {
        let mut values: Vec<Option<&str>> = Vec::new();
        let codes = texts[k]
            .iter()
            .map(|v| {
                let at = values.iter().position(|x| x == v).unwrap_or_else(|| {
                    values.push(*v);
                    values.len() - 1
                });
                u32::try_from(at).unwrap_or(u32::MAX)
            })
            .collect();
        (values, codes)
    });
    // Every other column dictionary-encoded, the other half in the next batch.
    let column = |k: usize| {
        if (k + j).is_multiple_of(2) {
            TextColumn::Coded {
                values: &coded[k].0,
                codes: &coded[k].1,
            }
        } else {
            TextColumn::Values(&texts[k])
        }
    };
    let instants = |k: usize| {
        let all: Vec<Option<i64>> = texts[k]
            .iter()
            .map(|v| v.and_then(|s| s.parse::<i64>().ok()))
            .collect();
        (
            all.iter().map(|v| v.unwrap_or(0)).collect::<Vec<i64>>(),
            all.iter().map(Option::is_some).collect::<Vec<bool>>(),
        )
    };
    let ((start, start_ok), (end, end_ok)) = (instants(5), instants(6));
    let batch = SegmentColumns::new(fields.len())
        .with_app(column(0))
        .with_channel(column(1))
        .with_user(column(2))
        .with_role(column(3))
        .with_spec(column(4))
        .with_region(column(7))
        .with_publisher(column(8))
        .with_domain(column(9))
        .with_instance(column(10))
        .with_product_type(column(11))
        .with_start(&start, Some(&start_ok))
        .with_end(&end, Some(&end_ok));
    push(&batch)
}

pub fn rows(data: &[u8]) {
    use mediameter_usage::{Aggregator, RowLoader, SegmentRow};
    let Some((head, body)) = data.split_first_chunk::<QUERY_BYTES>() else {
        return;
    };
    let Some((q, policy, _)) = query_of(*head) else {
        return;
    };
    let text = String::from_utf8_lossy(body);
    let fields: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    // Rows may leave out any field: a required id the query does not read is then filled in
    // by the loader and the aggregator alike.
    let kept: Vec<&Vec<&str>> = fields.iter().collect();
    let rows: Vec<SegmentRow<'_>> = kept
        .iter()
        .map(|f| {
            let t = |k: usize| f.get(k).copied();
            let n = |k: usize| t(k).and_then(|s| s.parse::<i64>().ok());
            SegmentRow::new()
                .with_app(t(0))
                .with_channel(t(1))
                .with_user(t(2))
                .with_role(t(3))
                .with_spec(t(4))
                .with_start(n(5))
                .with_end(n(6))
                .with_region(t(7))
                .with_publisher(t(8))
                .with_domain(t(9))
                .with_instance(t(10))
                .with_product_type(t(11))
        })
        .collect();
    let Ok(mut agg) = Aggregator::new(q.clone()) else {
        return;
    };
    let mut loader = RowLoader::new(&q, BadRecords::Fail);
    let (mut by_agg, mut by_loader) = (None, None);
    for (i, r) in rows.iter().enumerate() {
        let record = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
        if by_agg.is_none() {
            by_agg = agg.push_row(r).err();
        }
        if by_loader.is_none() {
            by_loader = loader.push(record, r).err();
        }
    }
    // The same rows by slices (`push_rows`) and in column batches (`push_columns`, every
    // other column dictionary-encoded): the loader's and the aggregator's own results,
    // error for error.
    let mut sliced = RowLoader::new(&q, BadRecords::Fail);
    let mut by_columns = RowLoader::new(&q, BadRecords::Fail);
    let by_slices = rows
        .chunks(7)
        .enumerate()
        .try_for_each(|(j, part)| sliced.push_rows(first_record(j * 7), part))
        .err();
    let in_columns = kept
        .chunks(7)
        .enumerate()
        .try_for_each(|(j, part)| {
            push_as_columns(j, part, |b| by_columns.push_columns(first_record(j * 7), b))
        })
        .err();
    let mut agg_columns = Aggregator::new(q.clone()).ok();
    let agg_in_columns = agg_columns.as_mut().and_then(|a| {
        kept.chunks(7)
            .enumerate()
            .try_for_each(|(j, part)| push_as_columns(j, part, |b| a.push_columns(b)))
            .err()
    });
    let words = |e: &Option<mediameter_usage::Error>| e.as_ref().map(ToString::to_string);
    assert_eq!(
        words(&by_slices),
        words(&by_loader),
        "rows: push_rows differs from push"
    );
    assert_eq!(
        words(&in_columns),
        words(&by_loader),
        "rows: push_columns differs from push"
    );
    let same =
        |got: &Result<mediameter_usage::UsageReport, mediameter_usage::Error>,
         want: &Result<mediameter_usage::UsageReport, mediameter_usage::Error>| {
            match (got, want) {
                (Ok(g), Ok(w)) => g == w,
                (Err(g), Err(w)) => g.kind() == w.kind(),
                _ => false,
            }
        };
    assert_eq!(
        words(&agg_in_columns),
        words(&by_agg),
        "rows: Aggregator::push_columns differs from push_row"
    );
    if let Some(a) = &agg_columns {
        let (got, want) = (a.report(policy), agg.report(policy));
        assert!(
            same(&got, &want),
            "rows: the aggregator's columns report otherwise than its rows: {got:?}\nwant {want:?}"
        );
    }
    match (by_agg, by_loader) {
        (None, None) => {
            let want = agg.report(policy);
            let got = RowLoader::report(&q, [loader], policy, 1).map(|(r, _)| r);
            for (name, other) in [("push_rows", sliced), ("push_columns", by_columns)] {
                let theirs = RowLoader::report(&q, [other], policy, 1).map(|(r, _)| r);
                assert!(
                    same(&theirs, &got),
                    "rows: {name} reports otherwise than push: {theirs:?}\nwant {got:?}"
                );
            }
            assert!(
                same(&got, &want),
                "rows: the loader's report differs from the aggregator's: {got:?}\nwant {want:?}\nquery {q:?}"
            );
        }
        (Some(a), Some(l)) => assert_eq!(
            a.line(),
            l.line(),
            "rows: refused at another record: aggregator {a}, loader {l}"
        ),
        (a, l) => panic!("rows: only one refused: aggregator {a:?}, loader {l:?}"),
    }
}
