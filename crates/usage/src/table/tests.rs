//! Compiled only under `#[cfg(test)]` (see `mod.rs`).
//!
//! The table against the aggregator and the general reader, on random inputs, through every
//! path (dense and hashed groups and cells, bitsets and sorted pairs, difference arrays and
//! sorted events, one and several threads, small read chunks).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_wrap
)]

use mediameter_core::{
    AppId, BillingZone, ChannelId, DomainName, Granularity, MediaSpec, MinutePolicy, RegionId,
    Role, StreamSegment, TimeRange, UserId,
};
use proptest::prelude::*;

use super::SegmentTable;
use super::engine::Limits;
use crate::{
    Aggregator, BadRecords, Dimension, DistinctMode, IdScope, InputFormat, Metrics, SegmentReader,
    SkipReport, UsageQuery,
};

const T0: i64 = 1_679_241_600;

fn segment() -> impl Strategy<Value = StreamSegment> {
    (
        (0_u8..3, 0_u8..4, 0_u8..6, any::<bool>(), 0_usize..6),
        (
            0_i64..8 * 3600,
            1_i64..6000,
            0_u8..4,
            0_u8..3,
            proptest::option::of(0_u8..6),
        ),
    )
        .prop_map(
            |((app, ch, user, publish, spec), (start, dur, reg, dom, publ))| {
                let role = if publish {
                    Role::Publish
                } else {
                    Role::Subscribe
                };
                let mut s = StreamSegment::new(
                    AppId::new(format!("app{app}")).unwrap(),
                    ChannelId::new(format!("ch{ch}")).unwrap(),
                    UserId::new(format!("u{user}")).unwrap(),
                    role,
                    MediaSpec::ALL[spec],
                    TimeRange::from_unix(T0 + start, T0 + start + dur).unwrap(),
                );
                if reg < 3 {
                    s = s.with_region(RegionId::new(format!("r{reg}")).unwrap());
                }
                if dom < 2 {
                    s = s.with_domain(DomainName::new(format!("d{dom}.example")).unwrap());
                }
                if let (Some(p), false) = (publ, publish) {
                    s = s.with_publisher(UserId::new(format!("u{p}")).unwrap());
                }
                s
            },
        )
}

fn queries() -> Vec<UsageQuery> {
    let hour = |z| UsageQuery::new(z, Granularity::HOUR);
    vec![
        hour(BillingZone::GMT8),
        hour(BillingZone::UTC)
            .with_split_by([Dimension::Region, Dimension::Spec])
            .with_filter(Dimension::Role, ["sub"])
            .unwrap(),
        UsageQuery::new(BillingZone::UTC, Granularity::DAY)
            .with_split_by([Dimension::App, Dimension::Role])
            .with_id_scope(IdScope::Global),
        hour(BillingZone::GMT8)
            .with_split_by([Dimension::Domain, Dimension::Region])
            .with_filter(Dimension::Region, ["r0", "r2"])
            .unwrap()
            .with_filter(Dimension::App, ["app1", "app2"])
            .unwrap()
            .with_range(TimeRange::from_unix(T0 + 1800, T0 + 5 * 3600 + 17).unwrap()),
        hour(BillingZone::GMT8)
            .with_split_by([Dimension::App])
            .with_distinct(DistinctMode::Approximate { precision: 8 }),
        UsageQuery::new(BillingZone::GMT8, Granularity::from_seconds(900).unwrap())
            .with_split_by([Dimension::Spec, Dimension::Instance])
            .with_metrics(Metrics::DURATIONS),
        hour(BillingZone::UTC)
            .with_filter(Dimension::Spec, ["720p", "audio"])
            .unwrap()
            .with_metrics(Metrics {
                users: false,
                channels: false,
                peaks: false,
                stream_peaks: true,
            }),
        // One distinct count without the other, exact and sketched.
        UsageQuery::new(BillingZone::GMT8, Granularity::DAY)
            .with_split_by([Dimension::Region])
            .with_id_scope(IdScope::Global)
            .with_metrics(Metrics {
                users: true,
                ..Metrics::DURATIONS
            }),
        hour(BillingZone::UTC)
            .with_split_by([Dimension::App])
            .with_metrics(Metrics {
                channels: true,
                peaks: true,
                ..Metrics::DURATIONS
            }),
        hour(BillingZone::UTC)
            .with_distinct(DistinctMode::Approximate { precision: 6 })
            .with_metrics(Metrics {
                channels: true,
                ..Metrics::DURATIONS
            }),
    ]
}

/// Every fallback forced.
const TINY: Limits = Limits {
    dense_groups: 0,
    dense_slots: 0,
    bitset_words: 0,
    cell_bits_words: 0,
    diff_slots: 0,
    slots_per_row: 0,
    rows_per_thread: 1,
};

/// The per-second difference array whatever the span per row (the random segments spread
/// over hours, which the default plan sweeps as sorted events instead).
const DIFF: Limits = Limits {
    slots_per_row: u64::MAX,
    rows_per_thread: 1,
    ..Limits::DEFAULT
};

/// Dense paths, several threads even for a few rows.
const DENSE_THREADS: Limits = Limits {
    slots_per_row: u64::MAX,
    rows_per_thread: 1,
    ..Limits::DEFAULT
};

/// Distinct ids listed per cell rather than in a bitset per cell (the scratch bitsets of the
/// test data's few ids take one word).
const LISTS: Limits = Limits {
    bitset_words: 1,
    cell_bits_words: 0,
    slots_per_row: u64::MAX,
    rows_per_thread: 1,
    ..Limits::DEFAULT
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn report_equals_the_aggregators(segs in proptest::collection::vec(segment(), 0..60)) {
        let table = SegmentTable::from_segments(&segs).unwrap();
        for q in queries() {
            let mut agg = Aggregator::new(q.clone()).unwrap();
            agg.extend(&segs).unwrap();
            for policy in [MinutePolicy::CeilPerPeriod, MinutePolicy::CeilPerRecord] {
                let expected = agg.report(policy).unwrap();
                for (threads, limits) in [(1, Limits::DEFAULT), (3, DENSE_THREADS), (1, TINY), (4, TINY), (1, LISTS), (2, LISTS), (1, DIFF), (2, DIFF)] {
                    let got = table.report_with(&q, policy, threads, limits).unwrap();
                    prop_assert_eq!(&got, &expected, "threads {} limits {:?} query {:?}", threads, limits, q);
                }
            }
        }
    }

    #[test]
    fn the_first_overlong_segment_is_the_error(segs in proptest::collection::vec(segment(), 1..40)) {
        let table = SegmentTable::from_segments(&segs).unwrap();
        let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_max_segment_seconds(3000);
        let mut agg = Aggregator::new(q.clone()).unwrap();
        let expected = agg.extend(&segs).and_then(|()| agg.report(MinutePolicy::Exact));
        for (threads, limits) in [(1, Limits::DEFAULT), (3, DENSE_THREADS), (2, TINY), (2, DIFF)] {
            prop_assert_eq!(&table.report_with(&q, MinutePolicy::Exact, threads, limits), &expected);
        }
    }

    #[test]
    fn rows_round_trip_and_tables_append(segs in proptest::collection::vec(segment(), 0..40), cut in any::<proptest::sample::Index>()) {
        let table = SegmentTable::from_segments(&segs).unwrap();
        prop_assert_eq!(table.segments().collect::<Vec<_>>(), segs.clone());
        let k = if segs.is_empty() { 0 } else { cut.index(segs.len() + 1) };
        let mut a = SegmentTable::from_segments(&segs[..k]).unwrap();
        a.append(SegmentTable::from_segments(&segs[k..]).unwrap()).unwrap();
        prop_assert_eq!(a.segments().collect::<Vec<_>>(), segs);
        prop_assert_eq!(a.bounds, table.bounds);
    }

    #[test]
    fn csv_loading_equals_the_general_reader(
        lines in proptest::collection::vec(csv_line(), 0..40),
        header in 0_usize..3,
        crlf in any::<bool>(),
    ) {
        let mut text: Vec<u8> = HEADERS[header].as_bytes().to_vec();
        let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        text.extend_from_slice(end);
        for l in &lines {
            text.extend_from_slice(&l.render(header));
            text.extend_from_slice(end);
        }
        for bad in [BadRecords::Fail, BadRecords::Skip] {
            let expected = reference(&text, bad);
            for chunk in [1, 7, 64, 1 << 22] {
                let got = SegmentTable::read_csv_chunked(text.as_slice(), bad, chunk).map(summary);
                prop_assert_eq!(&got, &expected, "chunk {} {:?}", chunk, bad);
            }
            for threads in 1..5 {
                let got = SegmentTable::read_csv_parts(&text, bad, threads, 1).map(summary);
                prop_assert_eq!(&got, &expected, "threads {} {:?}", threads, bad);
            }
        }
    }
}

/// A query's report over a CSV text the plain way: the general reader's segments, in input
/// order, each pushed into an aggregator as it comes, so the first error in input order
/// (a bad record or a segment the query refuses) is the error. The aggregator names a
/// segment by its position among the segments; it is renamed by its line, found by reading
/// each line alone (the test texts have no line break inside a field).
fn query_reference(
    text: &[u8],
    q: &UsageQuery,
    bad: BadRecords,
) -> crate::Result<(crate::UsageReport, SkipReport)> {
    let mut lines = text.split(|&b| b == b'\n');
    let header = lines.next().unwrap_or_default();
    let segment_lines: Vec<u64> = (2_u64..)
        .zip(lines)
        .filter(|(_, l)| {
            let alone = [header, b"\n", l, b"\n"].concat();
            SegmentReader::new(alone.as_slice(), InputFormat::Csv, BadRecords::Fail)
                .is_ok_and(|mut r| matches!(r.next(), Some(Ok(_))))
        })
        .map(|(n, _)| n)
        .collect();
    let mut r = SegmentReader::new(text, InputFormat::Csv, bad)?;
    let mut agg = Aggregator::new(q.clone())?;
    for s in r.by_ref() {
        agg.push(&s?).map_err(|e| match e.line() {
            Some(line) => e.with_line(segment_lines[usize::try_from(line).unwrap() - 1]),
            None => e,
        })?;
    }
    Ok((
        agg.report(MinutePolicy::CeilPerRecord)?,
        r.skip_report().clone(),
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_streamed_query_equals_reading_then_aggregating(
        lines in proptest::collection::vec(csv_line(), 0..40),
        header in 0_usize..3,
        limit in proptest::option::of(60_u64..4000),
    ) {
        let mut text: Vec<u8> = HEADERS[header].as_bytes().to_vec();
        text.push(b'\n');
        for l in &lines {
            text.extend_from_slice(&l.render(header));
            text.push(b'\n');
        }
        let mut all = queries();
        // Each metric alone, so each column a metric reads is needed by one query only.
        let hour = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
        for m in [
            Metrics::DURATIONS.with_peaks(true),
            Metrics::DURATIONS.with_users(true),
            Metrics::DURATIONS.with_channels(true),
            Metrics::DURATIONS.with_stream_peaks(true),
        ] {
            all.push(hour.clone().with_metrics(m));
        }
        for mut q in all {
            if let Some(limit) = limit {
                q = q.with_max_segment_seconds(limit);
            }
            for bad in [BadRecords::Fail, BadRecords::Skip] {
                let expected = query_reference(&text, &q, bad);
                for (threads, block) in [(1, 1 << 22), (1, 7), (2, 1), (3, 64), (4, 200)] {
                    let got = super::stream::load(text.as_slice(), &q, bad, threads, block)
                        .and_then(|(t, skips)| Ok((t.report(&q, MinutePolicy::CeilPerRecord)?, skips)));
                    prop_assert_eq!(&got, &expected, "threads {} block {} {:?} {:?}", threads, block, bad, q);
                }
            }
        }
    }
}

#[test]
fn a_streamed_query_keeps_only_what_it_reads() {
    let text = "app,channel,user,role,spec,region,start,end,publisher,domain\n\
                a,c,u1,sub,720p,r1,0,4000,p,d.example\n\
                a,c,u2,pub,720p,r1,0,60,,d.example\n\
                a,c,u3,sub,720p,r2,3500,3700,,\n";
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
        .with_split_by([Dimension::Region])
        .with_filter(Dimension::Role, ["sub"])
        .unwrap()
        .with_metrics(Metrics::DURATIONS);
    let (t, _) = super::stream::load(text.as_bytes(), &q, BadRecords::Fail, 2, 16).unwrap();
    // The publication is dropped; no id column is kept but the region.
    assert_eq!(t.len(), 2);
    assert!(t.app.is_empty() && t.channel.is_empty() && t.user.is_empty());
    assert_eq!((t.apps.len(), t.channels.len(), t.users.len()), (0, 0, 0));
    assert_eq!(t.dims[0].len(), 2);
    assert_eq!(t.dims[1].len(), 0);
    // Users counted: users and apps kept; not channels, nor publishers (only communication
    // peaks read them).
    let q = q.with_metrics(Metrics::DURATIONS.with_users(true));
    let (t, _) = super::stream::load(text.as_bytes(), &q, BadRecords::Fail, 1, 1 << 22).unwrap();
    assert_eq!((t.apps.len(), t.channels.len(), t.users.len()), (1, 0, 2));
    assert!(t.publisher.values.is_empty());
    // Users counted by id alone: the app is not kept either.
    let global = q.clone().with_id_scope(IdScope::Global);
    let (t, _) = super::stream::load(text.as_bytes(), &global, BadRecords::Fail, 1, 64).unwrap();
    assert_eq!((t.apps.len(), t.channels.len(), t.users.len()), (0, 0, 2));
    assert!(t.app.is_empty());
    // Communication peaks: the publishers too, in the users' dictionary.
    let q = q.with_metrics(Metrics::DURATIONS.with_peaks(true));
    let (t, _) = super::stream::load(text.as_bytes(), &q, BadRecords::Fail, 1, 1 << 22).unwrap();
    assert_eq!((t.apps.len(), t.channels.len(), t.users.len()), (1, 1, 3));
    assert_eq!(t.users.get("p"), t.publisher.values.first().copied());
}

#[test]
fn a_streamed_query_names_the_first_error_in_input_order() {
    // A segment over the limit (line 3) before a bad record (line 5): the segment's error, as
    // the aggregator reading the input in order gives it, named by its line.
    let text = "app,channel,user,role,spec,start,end\n\
                a,c,u,sub,720p,0,60\n\
                a,c,u,sub,720p,0,9000\n\
                a,c,u,sub,720p,0,60\n\
                a,c,u,sub,720p,60,0\n";
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_max_segment_seconds(3600);
    for (threads, block) in [(1, 1 << 22), (2, 1), (3, 30)] {
        let e =
            super::stream::load(text.as_bytes(), &q, BadRecords::Fail, threads, block).unwrap_err();
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(
            e.to_string()
                .starts_with("line 3, field start/end: a segment's seconds would produce 9000 items, more than the limit of 3600"),
            "{e}"
        );
    }
    // Without the long segment, the bad record at line 5.
    let text = text.replace("0,9000", "0,90");
    let e = super::stream::load(text.as_bytes(), &q, BadRecords::Fail, 2, 1).unwrap_err();
    assert_eq!(e.line(), Some(5), "{e}");
    // Skipped instead: counted, named, the rest read.
    let (t, skips) = super::stream::load(text.as_bytes(), &q, BadRecords::Skip, 2, 1).unwrap();
    assert_eq!((t.len(), skips.skipped), (3, 1));
    assert_eq!(skips.first_errors.len(), 1);
    assert!(
        skips.first_errors[0] == "line 5, field end: end 0 is not after start 60",
        "{:?}",
        skips.first_errors
    );
}

#[test]
fn a_streamed_query_reads_a_quoted_field_on_the_calling_thread() {
    let mut text = String::from("app,channel,user,role,spec,region,start,end,note\n");
    for i in 0..200 {
        text.push_str(&format!(
            "a,c{},u{},sub,720p,r1,{},{},\n",
            i % 7,
            i % 11,
            i * 10,
            i * 10 + 90
        ));
    }
    text.push_str("a,c,u,sub,720p,\"r,2\",0,60,\"two\nlines\"\n");
    for i in 0..50 {
        text.push_str(&format!(
            "a,c{},u{},pub,audio,r3,{},{},\n",
            i % 5,
            i % 3,
            i * 7,
            i * 7 + 30
        ));
    }
    let q =
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
    let expected = query_reference(text.as_bytes(), &q, BadRecords::Fail).unwrap();
    for (threads, block) in [(1, 1 << 22), (2, 100), (3, 1000)] {
        let (t, skips) =
            super::stream::load(text.as_bytes(), &q, BadRecords::Fail, threads, block).unwrap();
        assert_eq!(t.len(), 251);
        assert_eq!(
            (t.report(&q, MinutePolicy::CeilPerRecord).unwrap(), skips),
            expected
        );
    }
}

type Summary = (Vec<StreamSegment>, SkipReport);

fn summary((t, r): (SegmentTable, SkipReport)) -> Summary {
    (t.segments().collect(), r)
}

/// The general reader's result.
fn reference(text: &[u8], bad: BadRecords) -> crate::Result<Summary> {
    let mut r = SegmentReader::new(text, InputFormat::Csv, bad)?;
    let segs = r.by_ref().collect::<crate::Result<Vec<_>>>()?;
    Ok((segs, r.skip_report().clone()))
}

const HEADERS: [&str; 3] = [
    "app,channel,user,role,spec,region,start,end,publisher",
    "\u{feff}start,end,extra,user,channel,app,spec,role",
    "app,channel,user,role,spec,region,start,end,publisher,domain,instance,type",
];

#[derive(Debug, Clone)]
struct CsvLine {
    fields: [String; 12],
    blank: bool,
    raw: Option<Vec<u8>>,
}

impl CsvLine {
    /// The line under header `h`: fields in NAMES order (app, channel, user, role, spec,
    /// start, end, region, publisher, domain, instance, type).
    fn render(&self, h: usize) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        if self.blank {
            return Vec::new();
        }
        let f = &self.fields;
        let order: &[usize] = match h {
            0 => &[0, 1, 2, 3, 4, 7, 5, 6, 8],
            1 => &[5, 6, 99, 2, 1, 0, 4, 3],
            _ => &[0, 1, 2, 3, 4, 7, 5, 6, 8, 9, 10, 11],
        };
        order
            .iter()
            .map(|&i| f.get(i).cloned().unwrap_or_else(|| "x".to_owned()))
            .collect::<Vec<_>>()
            .join(",")
            .into_bytes()
    }
}

fn csv_line() -> impl Strategy<Value = CsvLine> {
    let pick = |v: &'static [&'static str]| proptest::sample::select(v).prop_map(str::to_owned);
    (
        (
            pick(&["a", "a", "b", "", " a"]),
            pick(&["c1", "c2", "\"c,3\"", "c1"]),
            pick(&["u1", "u2", "u3", "u1"]),
            pick(&["pub", "sub", "sub", " sub", "publish", "x"]),
            pick(&["audio", "720p", "1080P", " 360p", "8k", "720p"]),
        ),
        (
            0_i64..20_000,
            -5_i64..5000,
            0_u8..8,
            pick(&["", "r1", "r2", "r1"]),
            pick(&["", "", "u1", "u9"]),
            pick(&["", "d.example", ""]),
        ),
        (0_u8..30, any::<u8>()),
    )
        .prop_map(
            |(
                (app, ch, user, role, spec),
                (start, dur, timefmt, region, publ, dom),
                (odd, byte),
            )| {
                let (s, e) = (T0 + start, T0 + start + dur);
                let (start, end) = match timefmt {
                    0 => (
                        chrono::DateTime::from_timestamp(s, 0).unwrap().to_rfc3339(),
                        e.to_string(),
                    ),
                    1 => (format!(" {s}"), e.to_string()),
                    2 => (String::new(), e.to_string()),
                    3 => ("-5".to_owned(), e.to_string()),
                    _ => (s.to_string(), e.to_string()),
                };
                let long = "l".repeat(130);
                let user = if odd == 1 { long } else { user };
                let raw = match odd {
                    2 => Some(b"a,c1".to_vec()),
                    3 => Some(vec![b'a', b',', byte, 0xff, b',']),
                    4 => Some(b"\r".to_vec()),
                    _ => None,
                };
                CsvLine {
                    fields: [
                        app,
                        ch,
                        user,
                        role,
                        spec,
                        start,
                        end,
                        region,
                        publ,
                        dom,
                        "i-1".to_owned(),
                        String::new(),
                    ],
                    blank: odd == 5,
                    raw,
                }
            },
        )
}

#[test]
fn a_quoted_field_with_a_line_break_is_read_whole() {
    let text = "app,channel,user,role,spec,region,start,end,note\n\
                a,c,u,sub,720p,r1,0,60,\n\
                a,c,u,sub,720p,\"r,2\",0,60,\"two\nlines\"\n\
                a,c,u,pub,audio,r1,0,60,\n";
    let (t, _) = SegmentTable::read_csv(text.as_bytes(), BadRecords::Fail).unwrap();
    assert_eq!(t.len(), 3);
    let (p, _) = SegmentTable::read_csv_parts(text.as_bytes(), BadRecords::Fail, 3, 1).unwrap();
    assert_eq!(
        p.segments().collect::<Vec<_>>(),
        t.segments().collect::<Vec<_>>()
    );
    assert_eq!(t.segment(1).unwrap().region.unwrap().as_str(), "r,2");
    let e = SegmentTable::read_csv_parts(
        "app,channel,user,role,spec,start,end\na,c,u,sub,720p,0,60\na,c,u,sub,720p,60,0\n"
            .as_bytes(),
        BadRecords::Fail,
        2,
        1,
    )
    .unwrap_err();
    assert_eq!(e.line(), Some(3));
}

#[test]
fn an_empty_input_has_no_header() {
    assert!(SegmentTable::read_csv(&b""[..], BadRecords::Skip).is_err());
    let (t, r) = SegmentTable::read_csv(
        &b"app,channel,user,role,spec,start,end"[..],
        BadRecords::Fail,
    )
    .unwrap();
    assert!(t.is_empty());
    assert_eq!(r.skipped, 0);
}

#[test]
fn large_synthetic_input_is_equal_through_every_path() {
    let segs = mediameter_testdata::segments(40_000, 3).unwrap();
    let table = SegmentTable::from_segments(&segs).unwrap();
    let csv = crate::csv::segments_csv(&segs);
    let (loaded, skipped) =
        SegmentTable::read_csv_parallel(csv.as_bytes(), BadRecords::Fail, 2).unwrap();
    assert_eq!(skipped.skipped, 0);
    let q =
        UsageQuery::new(BillingZone::GMT8, Granularity::HOUR).with_split_by([Dimension::Region]);
    let mut agg = Aggregator::new(q.clone()).unwrap();
    agg.extend(&segs).unwrap();
    let expected = agg.report(MinutePolicy::CeilPerPeriod).unwrap();
    assert_eq!(
        table
            .report_parallel(&q, MinutePolicy::CeilPerPeriod, 2)
            .unwrap(),
        expected
    );
    assert_eq!(
        loaded.report(&q, MinutePolicy::CeilPerPeriod).unwrap(),
        expected
    );
}

/// A segment as the fields a columnar reader hands over.
fn row_of(s: &StreamSegment) -> super::SegmentRow<'_> {
    super::SegmentRow::new()
        .with_app(Some(s.app.as_str()))
        .with_channel(Some(s.channel.as_str()))
        .with_user(Some(s.user.as_str()))
        .with_role(Some(s.role.as_str()))
        .with_spec(Some(s.spec.as_str()))
        .with_start(Some(s.range.start().timestamp()))
        .with_end(Some(s.range.end().timestamp()))
        .with_publisher(s.publisher.as_ref().map(|v| v.as_str()))
        .with_region(s.region.as_ref().map(|v| v.as_str()))
        .with_domain(s.domain.as_ref().map(|v| v.as_str()))
        .with_instance(s.instance.as_ref().map(|v| v.as_str()))
        .with_product_type(s.product_type.as_ref().map(|v| v.as_str()))
}

/// A bad row of each kind the readers refuse: a missing required field, an empty span, an
/// unknown role, a bad id.
fn bad_row(kind: u8, s: &StreamSegment) -> super::SegmentRow<'_> {
    let r = row_of(s);
    match kind % 4 {
        0 => r.with_end(None),
        1 => r.with_end(Some(s.range.start().timestamp())),
        2 => r.with_role(Some("watcher")),
        _ => r.with_user(Some("bad\nid")),
    }
}

/// Up to three places among the rows, each with a kind below `kinds` (of a bad row, or of an
/// odd spelling: see `odd_and_bad_rows`).
fn places(kinds: u8) -> impl Strategy<Value = Vec<(proptest::sample::Index, u8)>> {
    proptest::collection::vec((any::<proptest::sample::Index>(), 0..kinds), 0..3)
}

/// The rows of `segs`, some spelled oddly (`odd`: another spelling of the role, an empty
/// region, a spec with a leading space; each takes the row path from a batch), with bad rows
/// inserted (`bad`).
fn odd_and_bad_rows<'a>(
    segs: &'a [StreamSegment],
    odd: &[(proptest::sample::Index, u8)],
    bad: &[(proptest::sample::Index, u8)],
) -> Vec<super::SegmentRow<'a>> {
    let mut rows: Vec<super::SegmentRow<'_>> = segs.iter().map(row_of).collect();
    for (at, kind) in odd {
        if !rows.is_empty() {
            let i = at.index(rows.len());
            rows[i] = match kind {
                0 => rows[i].with_role(Some(if segs[i].role == Role::Publish {
                    "publish"
                } else {
                    "subscribe"
                })),
                1 => rows[i].with_region(Some("")),
                _ => rows[i].with_spec(Some(" 720p")),
            };
        }
    }
    for (at, kind) in bad {
        if let Some(s) = segs.first() {
            rows.insert(at.index(rows.len() + 1), bad_row(*kind, s));
        }
    }
    rows
}

/// `rows` as column batches of `len` rows (the last shorter), each text column
/// dictionary-encoded, plain, or (when every row lacks it) left out, as `coded` and `omit`
/// pick by column; each batch handed to `push` with its first record number. Returns the
/// first error.
fn push_as_columns(
    rows: &[super::SegmentRow<'_>],
    len: usize,
    (coded, omit): (u16, u16),
    mut push: impl FnMut(u64, &super::SegmentColumns<'_>) -> crate::Result<()>,
) -> crate::Result<()> {
    for (j, part) in rows.chunks(len.max(1)).enumerate() {
        // Per column: its values (row by row, or distinct) and each row's code.
        let mut values: Vec<Vec<Option<&str>>> = Vec::new();
        let mut codes: Vec<Vec<u32>> = Vec::new();
        for k in 0..12 {
            let column: Vec<Option<&str>> = part.iter().map(|r| r.text[k]).collect();
            if coded & (1 << k) != 0 {
                let mut distinct: Vec<Option<&str>> = Vec::new();
                let mut code = Vec::new();
                for v in &column {
                    let at = distinct.iter().position(|d| d == v).unwrap_or_else(|| {
                        distinct.push(*v);
                        distinct.len() - 1
                    });
                    code.push(u32::try_from(at).unwrap());
                }
                // A value no row refers to (it must not be checked, nor added).
                distinct.push(Some("bad\nunused"));
                values.push(distinct);
                codes.push(code);
            } else {
                values.push(column);
                codes.push(Vec::new());
            }
        }
        let instants = |f: fn(&super::SegmentRow<'_>) -> Option<i64>| {
            let seconds: Vec<i64> = part.iter().map(|r| f(r).unwrap_or(-1)).collect();
            let valid: Vec<bool> = part.iter().map(|r| f(r).is_some()).collect();
            (seconds, valid)
        };
        let (start, start_valid) = instants(|r| r.start);
        let (end, end_valid) = instants(|r| r.end);
        let mut batch = super::SegmentColumns::new(part.len())
            .with_start(&start, Some(&start_valid))
            .with_end(
                &end,
                (!end_valid.iter().all(|v| *v)).then_some(&end_valid[..]),
            );
        for k in [0, 1, 2, 3, 4, 7, 8, 9, 10, 11] {
            if omit & (1 << k) != 0 && part.iter().all(|r| r.text[k].is_none()) {
                continue;
            }
            let column = if coded & (1 << k) != 0 {
                super::TextColumn::Coded {
                    values: &values[k],
                    codes: &codes[k],
                }
            } else {
                super::TextColumn::Values(&values[k])
            };
            batch = match k {
                0 => batch.with_app(column),
                1 => batch.with_channel(column),
                2 => batch.with_user(column),
                3 => batch.with_role(column),
                4 => batch.with_spec(column),
                7 => batch.with_region(column),
                8 => batch.with_publisher(column),
                9 => batch.with_domain(column),
                10 => batch.with_instance(column),
                _ => batch.with_product_type(column),
            };
        }
        push((j * len.max(1)) as u64 + 1, &batch)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Rows pushed field by field, spread over one to three loaders, one at a time or by
    /// slices (`RowLoader::push_rows`), give the aggregator's report of the good rows; bad rows
    /// are skipped and counted, or the first one is the error, named by its record number.
    #[test]
    fn rows_pushed_by_field_report_as_the_aggregator(
        segs in proptest::collection::vec(segment(), 0..50),
        bad in places(4),
        loaders in 1_usize..4,
        slices in proptest::option::of(1_usize..20),
    ) {
        // Rows in record order: the segments, with the bad rows inserted.
        let mut rows: Vec<(bool, super::SegmentRow<'_>)> = segs.iter().map(|s| (true, row_of(s))).collect();
        for (at, kind) in &bad {
            if let Some(s) = segs.first() {
                rows.insert(at.index(rows.len() + 1), (false, bad_row(*kind, s)));
            }
        }
        for q in queries() {
            let mut agg = Aggregator::new(q.clone()).unwrap();
            agg.extend(&segs).unwrap();
            let expected = agg.report(MinutePolicy::CeilPerRecord).unwrap();
            let first_bad = rows.iter().position(|(ok, _)| !ok).map(|i| i as u64 + 1);
            for mode in [BadRecords::Skip, BadRecords::Fail] {
                let mut ls: Vec<super::RowLoader> = (0..loaders).map(|_| super::RowLoader::new(&q, mode)).collect();
                let chunk = rows.len().div_ceil(loaders).max(1);
                let mut failed = None;
                match slices {
                    None => {
                        for (i, (_, r)) in rows.iter().enumerate() {
                            if let Err(e) = ls[i / chunk].push(i as u64 + 1, r) {
                                failed = Some(e);
                                break;
                            }
                        }
                    }
                    Some(len) => {
                        // Each loader's rows by slices of `len` (a slice never spans two).
                        let all: Vec<super::SegmentRow<'_>> = rows.iter().map(|(_, r)| *r).collect();
                        'load: for (l, part) in all.chunks(chunk).enumerate() {
                            for (j, slice) in part.chunks(len).enumerate() {
                                let first = (l * chunk + j * len) as u64 + 1;
                                if let Err(e) = ls[l].push_rows(first, slice) {
                                    failed = Some(e);
                                    break 'load;
                                }
                            }
                        }
                    }
                }
                match (mode, first_bad) {
                    (BadRecords::Fail, Some(line)) => {
                        prop_assert_eq!(failed.map(|e| e.line()), Some(Some(line)));
                    }
                    _ => {
                        prop_assert!(failed.is_none());
                        let (got, skips) = super::RowLoader::report(&q, ls, MinutePolicy::CeilPerRecord, 2).unwrap();
                        prop_assert_eq!(&got, &expected, "{:?}", q);
                        prop_assert_eq!(skips.skipped, rows.len() as u64 - segs.len() as u64);
                    }
                }
            }
        }
    }

    /// Rows pushed to an aggregator (`Aggregator::push_row`) give the report of the
    /// aggregator fed the segments, in both modes (sorted by start for the sorted mode); the
    /// first bad row is the error, named by its position and worded as the row loader words
    /// it. Roles spelled out take the general builder's path, with the same result.
    #[test]
    fn rows_pushed_to_an_aggregator_are_its_segments(
        segs in proptest::collection::vec(segment(), 0..40),
        bad in proptest::option::of((any::<proptest::sample::Index>(), 0_u8..4)),
        spelled in any::<bool>(),
    ) {
        let rows: Vec<super::SegmentRow<'_>> = segs
            .iter()
            .map(|s| {
                let r = row_of(s);
                match (spelled, s.role) {
                    (true, mediameter_core::Role::Publish) => r.with_role(Some("publish")),
                    (true, mediameter_core::Role::Subscribe) => r.with_role(Some("subscribe")),
                    _ => r,
                }
            })
            .collect();
        for q in queries() {
            let mut want = Aggregator::new(q.clone()).unwrap();
            want.extend(&segs).unwrap();
            let mut got = Aggregator::new(q.clone()).unwrap();
            for r in &rows {
                got.push_row(r).unwrap();
            }
            let want_report = want.report(MinutePolicy::CeilPerRecord).unwrap();
            prop_assert_eq!(&got.report(MinutePolicy::CeilPerRecord).unwrap(), &want_report);
            // The same rows by batches.
            let mut batched = Aggregator::new(q.clone()).unwrap();
            batched.extend_rows(rows.iter().copied()).unwrap();
            prop_assert_eq!(&batched.report(MinutePolicy::CeilPerRecord).unwrap(), &want_report);
            // The mode for sorted input takes rows too: the same rows sorted by start.
            let mut order: Vec<usize> = (0..segs.len()).collect();
            order.sort_by_key(|&i| segs[i].range.start());
            let mut swept = Aggregator::sorted(q.clone()).unwrap();
            swept.extend_rows(order.iter().map(|&i| rows[i])).unwrap();
            prop_assert_eq!(&swept.report(MinutePolicy::CeilPerRecord).unwrap(), &want_report);
            if let (Some((at, kind)), Some(first)) = (bad, segs.first()) {
                let at = at.index(rows.len() + 1);
                let bad_row = bad_row(kind, first);
                let mut agg = Aggregator::new(q.clone()).unwrap();
                let mut err = None;
                for r in rows.iter().take(at).chain([&bad_row]) {
                    if let Err(e) = agg.push_row(r) {
                        err = Some(e);
                        break;
                    }
                }
                let err = err.expect("the bad row is refused");
                prop_assert_eq!(err.line(), Some(at as u64 + 1));
                // Worded as the row loader (the CSV readers' checks) words the same record.
                let worded = super::RowLoader::new(&q, BadRecords::Fail)
                    .push(at as u64 + 1, &bad_row)
                    .err()
                    .map(|e| e.to_string());
                prop_assert_eq!(Some(err.to_string()), worded.clone());
                // By batches: the same error, and the rows before it are added.
                let mut batched = Aggregator::new(q.clone()).unwrap();
                let err = batched
                    .extend_rows(rows.iter().take(at).copied().chain([bad_row]))
                    .unwrap_err();
                prop_assert_eq!(err.line(), Some(at as u64 + 1));
                prop_assert_eq!(Some(err.to_string()), worded);
                let mut before = Aggregator::new(q.clone()).unwrap();
                before.extend(&segs[..at]).unwrap();
                prop_assert_eq!(
                    batched.report(MinutePolicy::CeilPerRecord).unwrap(),
                    before.report(MinutePolicy::CeilPerRecord).unwrap()
                );
            }
        }
    }

    /// Rows pushed in column batches, each column dictionary-encoded or plain, load as the
    /// same rows pushed one at a time: the same error (record and wording) in Fail mode,
    /// else the same report, skip report and ids. Rows with another spelling of a role, an
    /// empty optional value, or a span over the query's limit take the row path from a batch.
    #[test]
    fn rows_pushed_by_columns_load_as_one_at_a_time(
        segs in proptest::collection::vec(segment(), 0..60),
        bad in places(4),
        odd in places(3),
        len in 1_usize..40,
        coded in any::<u16>(),
        omit in any::<u16>(),
        limit in proptest::option::of(600_u64..4000),
    ) {
        let rows = odd_and_bad_rows(&segs, &odd, &bad);
        for q in queries() {
            let q = match limit {
                Some(l) => q.with_max_segment_seconds(l),
                None => q,
            };
            for mode in [BadRecords::Skip, BadRecords::Fail] {
                let mut one = super::RowLoader::new(&q, mode);
                let want = rows
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, r)| one.push(i as u64 + 1, r));
                let mut cols = super::RowLoader::new(&q, mode);
                let got = push_as_columns(&rows, len, (coded, omit), |first, b| cols.push_columns(first, b));
                prop_assert_eq!(
                    got.as_ref().err().map(ToString::to_string),
                    want.as_ref().err().map(ToString::to_string),
                    "{:?}", q
                );
                let t = |l: &super::RowLoader| {
                    let t = &l.loader.table;
                    (t.len(), t.users.len(), t.channels.len(), t.user.clone(), t.channel.clone(), t.kind.clone(), t.start.clone())
                };
                prop_assert_eq!(t(&cols), t(&one));
                if want.is_ok() {
                    let (want, want_skips) = super::RowLoader::report(&q, [one], MinutePolicy::CeilPerRecord, 1).unwrap();
                    let (got, got_skips) = super::RowLoader::report(&q, [cols], MinutePolicy::CeilPerRecord, 1).unwrap();
                    prop_assert_eq!(got, want);
                    prop_assert_eq!(got_skips, want_skips);
                }
            }
        }
    }

    /// Rows pushed to an aggregator in column batches (`Aggregator::push_columns`), each
    /// column dictionary-encoded or plain, add as the same rows pushed one at a time
    /// (`Aggregator::push_row`): the same error (record and wording), the same report of
    /// what was added. With `unread`, every row leaves out the required ids the query does
    /// not read (and a batch may leave their columns out).
    #[test]
    fn columns_pushed_to_an_aggregator_add_as_rows(
        segs in proptest::collection::vec(segment(), 0..60),
        bad in places(4),
        odd in places(3),
        len in 1_usize..40,
        coded in any::<u16>(),
        omit in any::<u16>(),
        unread in any::<bool>(),
    ) {
        let rows = odd_and_bad_rows(&segs, &odd, &bad);
        for q in queries() {
            let mut rows = rows.clone();
            if unread {
                let reads = super::RowLoader::new(&q, BadRecords::Fail);
                for r in &mut rows {
                    for (k, name) in ["app", "channel", "user"].into_iter().enumerate() {
                        if !reads.reads(name) {
                            r.text[k] = None;
                        }
                    }
                }
            }
            let mut one = Aggregator::new(q.clone()).unwrap();
            let want = rows.iter().try_for_each(|r| one.push_row(r));
            let mut cols = Aggregator::new(q.clone()).unwrap();
            let got = push_as_columns(&rows, len, (coded, omit), |_, b| cols.push_columns(b));
            prop_assert_eq!(
                got.as_ref().err().map(ToString::to_string),
                want.as_ref().err().map(ToString::to_string),
                "{:?}", q
            );
            prop_assert_eq!(cols.segments(), one.segments());
            prop_assert_eq!(
                cols.report(MinutePolicy::CeilPerRecord).unwrap(),
                one.report(MinutePolicy::CeilPerRecord).unwrap()
            );
        }
    }
}

#[test]
fn a_row_loader_needs_only_the_columns_its_query_reads() {
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
        .with_split_by([Dimension::Spec])
        .with_metrics(Metrics::DURATIONS);
    let mut l = super::RowLoader::new(&q, BadRecords::Fail);
    for c in ["role", "spec", "start", "end"] {
        assert!(l.reads(c), "{c}");
    }
    for c in [
        "app",
        "channel",
        "user",
        "publisher",
        "region",
        "domain",
        "instance",
        "type",
        "nope",
    ] {
        assert!(!l.reads(c), "{c}");
    }
    // No id at all: the query does not read them.
    let row = super::SegmentRow::new()
        .with_role(Some("sub"))
        .with_spec(Some("audio"))
        .with_start(Some(T0))
        .with_end(Some(T0 + 90));
    l.push(1, &row).unwrap();
    let (r, _) = super::RowLoader::report(&q, [l], MinutePolicy::Exact, 1).unwrap();
    assert_eq!(r.rows[0].subscribe_seconds[MediaSpec::Audio], 90);
    // A query that counts users needs them.
    let users = q.clone().with_metrics(Metrics::DURATIONS.with_users(true));
    let mut l = super::RowLoader::new(&users, BadRecords::Fail);
    assert!(l.reads("user") && l.reads("app"));
    let e = l.push(7, &row).unwrap_err();
    assert_eq!(e.line(), Some(7));
    // Loaders of another query are refused.
    let other = super::RowLoader::new(&users, BadRecords::Fail);
    assert!(super::RowLoader::report(&q, [other], MinutePolicy::Exact, 1).is_err());
}

/// A required id that the query does not read may be left out of a row pushed to an
/// aggregator, by row, by slice or in columns: the report is the one of the full rows. One
/// the query reads is a bad record when left out.
#[test]
fn aggregator_rows_may_leave_out_the_ids_the_query_does_not_read() {
    let segs = mediameter_testdata::segments(500, 3).unwrap();
    let full: Vec<super::SegmentRow<'_>> = segs.iter().map(row_of).collect();
    let bare: Vec<super::SegmentRow<'_>> = full
        .iter()
        .map(|r| r.with_app(None).with_channel(None).with_user(None))
        .collect();
    let q = UsageQuery::new(BillingZone::GMT8, Granularity::HOUR)
        .with_split_by([Dimension::Region])
        .with_metrics(Metrics::DURATIONS.with_stream_peaks(true));
    let mut want = Aggregator::new(q.clone()).unwrap();
    want.extend_rows(full.iter().copied()).unwrap();
    let want = want.report(MinutePolicy::CeilPerPeriod).unwrap();
    assert!(want.rows.iter().any(|r| r.peak_streams > Some(1)));
    let mut by_row = Aggregator::new(q.clone()).unwrap();
    for r in &bare {
        by_row.push_row(r).unwrap();
    }
    let mut by_slice = Aggregator::new(q.clone()).unwrap();
    by_slice.extend_rows(bare.iter().copied()).unwrap();
    let mut by_columns = Aggregator::new(q.clone()).unwrap();
    push_as_columns(&bare, 64, (0, u16::MAX), |_, b| by_columns.push_columns(b)).unwrap();
    for agg in [by_row, by_slice, by_columns] {
        assert_eq!(agg.report(MinutePolicy::CeilPerPeriod).unwrap(), want);
    }
    // Users counted: a row without its user is the bad record at its position.
    let users = q.with_metrics(Metrics::DURATIONS.with_users(true));
    let mut agg = Aggregator::new(users.clone()).unwrap();
    let e = agg.push_row(&full[0].with_user(None)).unwrap_err();
    assert_eq!(e.line(), Some(1));
    let mut agg = Aggregator::new(users).unwrap();
    let e = push_as_columns(&bare, 64, (0, u16::MAX), |_, b| agg.push_columns(b)).unwrap_err();
    assert_eq!(e.line(), Some(1));
}

/// A batch whose columns disagree with its row count, or whose code is past its values, is
/// refused whole.
#[test]
fn column_batches_are_checked_before_any_row_is_added() {
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_metrics(Metrics::DURATIONS);
    let (starts, ends) = ([T0, T0], [T0 + 60, T0 + 90]);
    let ok = super::SegmentColumns::new(2)
        .with_role(super::TextColumn::Coded {
            values: &[Some("sub")],
            codes: &[0, 0],
        })
        .with_spec(super::TextColumn::Values(&[Some("audio"), Some("720p")]))
        .with_start(&starts, None)
        .with_end(&ends, None);
    let mut l = super::RowLoader::new(&q, BadRecords::Skip);
    for bad in [
        ok.with_role(super::TextColumn::Coded {
            values: &[Some("sub")],
            codes: &[0, 1],
        }),
        ok.with_spec(super::TextColumn::Values(&[Some("audio")])),
        ok.with_end(&ends[..1], None),
        ok.with_start(&starts, Some(&[true])),
    ] {
        let e = l.push_columns(1, &bad).unwrap_err();
        assert!(matches!(e, crate::Error::Invalid { .. }), "{e}");
        assert_eq!(l.loader.table.len(), 0);
        let mut agg = Aggregator::new(q.clone()).unwrap();
        let e = agg.push_columns(&bad).unwrap_err();
        assert!(matches!(e, crate::Error::Invalid { .. }), "{e}");
        assert_eq!(agg.segments(), 0);
    }
    l.push_columns(1, &ok).unwrap();
    assert_eq!(l.loader.table.len(), 2);
    let mut agg = Aggregator::new(q).unwrap();
    agg.push_columns(&ok).unwrap();
    assert_eq!(agg.segments(), 2);
}

/// Rows pushed by slices longer than a lookup batch, many of them repeating the users and
/// channels of earlier slices (ids found ahead) or of their own (ids added within the batch),
/// give the table of the rows pushed one at a time, ids included; a bad row in Fail mode
/// stops the slice there, with the rows before it added.
#[test]
fn rows_pushed_by_slices_load_as_one_at_a_time() {
    let segs = mediameter_testdata::segments(1_000, 5).unwrap();
    // 97 users and 31 channels, so that most rows repeat ids seen before.
    let names: Vec<String> = (0..97).map(|i| format!("id{i}")).collect();
    let rows: Vec<super::SegmentRow<'_>> = segs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            row_of(s)
                .with_user(Some(&names[i % 97]))
                .with_channel(Some(&names[i % 31]))
        })
        .collect();
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_metrics(
        Metrics::DURATIONS
            .with_users(true)
            .with_channels(true)
            .with_peaks(true),
    );
    let mut one = super::RowLoader::new(&q, BadRecords::Fail);
    for (i, r) in rows.iter().enumerate() {
        one.push(i as u64 + 1, r).unwrap();
    }
    let mut sliced = super::RowLoader::new(&q, BadRecords::Fail);
    for (j, slice) in rows.chunks(300).enumerate() {
        sliced.push_rows(j as u64 * 300 + 1, slice).unwrap();
    }
    assert_eq!(sliced.loader.table.len(), rows.len());
    assert!(sliced.loader.table.users.len() < 200, "users repeat");
    let ids = |l: &super::RowLoader| {
        let t = &l.loader.table;
        (
            t.users.len(),
            t.channels.len(),
            t.user.clone(),
            t.channel.clone(),
        )
    };
    assert_eq!(ids(&sliced), ids(&one));
    let (want, _) = super::RowLoader::report(&q, [one], MinutePolicy::Exact, 1).unwrap();
    let (got, _) = super::RowLoader::report(&q, [sliced], MinutePolicy::Exact, 1).unwrap();
    assert_eq!(got, want);
    // A bad row at record 151 of a slice of 200 starting at record 101.
    let mut bad = rows[..200].to_vec();
    bad[50] = bad[50].with_role(Some("watcher"));
    let mut l = super::RowLoader::new(&q, BadRecords::Fail);
    assert_eq!(l.push_rows(101, &bad).unwrap_err().line(), Some(151));
    assert_eq!(l.loader.table.len(), 50);
}

/// The two-thread append (the kinds and instants copied beside the re-interning) gives the
/// rows of the one-thread append, in order, ids and bounds included.
#[test]
fn two_thread_append_equals_the_sequential_one() {
    let segs = mediameter_testdata::segments(2 * super::PARALLEL_APPEND + 100, 11).unwrap();
    let (first, second) = segs.split_at(super::PARALLEL_APPEND - 50);
    assert!(second.len() >= super::PARALLEL_APPEND);
    let mut one = SegmentTable::from_segments(first).unwrap();
    let mut two = one.clone();
    one.append_on(SegmentTable::from_segments(second).unwrap(), false)
        .unwrap();
    two.append_on(SegmentTable::from_segments(second).unwrap(), true)
        .unwrap();
    assert_eq!(two.bounds, one.bounds);
    assert!(two.segments().eq(one.segments()));
    assert!(two.segments().eq(segs.iter().cloned()));
}
