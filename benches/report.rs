//! Benchmarks of mediameter-report: drawing a one-hour call at 1 Hz with 6 participants of 3
//! video streams each (target < 50 ms), and a usage report of 10,000 rows (target < 200 ms).

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{Criterion, black_box};
use mediameter_core::{BillingZone, Granularity, MinutePolicy, Role};
use mediameter_diagnostics::{
    DiagnosisRequest, Profile, StreamInput, StreamKind, StreamSampleInput, diagnose,
};
use mediameter_usage::{Aggregator, Dimension, UsageQuery};

use crate::diagnostics::participant;

fn streams(seed: u64) -> Vec<StreamInput> {
    let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
    StreamKind::ALL
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            StreamInput::new(
                *kind,
                (0..3600i64)
                    .map(|s| {
                        let wobble = ((seed as i64 + s * (k as i64 + 3)) % 17) as f64;
                        StreamSampleInput::new(
                            t0 + TimeDelta::seconds(s),
                            Some(400.0 * (k as f64 + 1.0) + wobble * 10.0),
                            Some(15.0 + wobble / 2.0),
                        )
                        .with_tier(["720p", "360p", "1080p"][k % 3])
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Six participants (three publishers, three subscribers), an hour at 1 Hz, three streams each.
fn call_request() -> DiagnosisRequest {
    let mut req = crate::diagnostics::request(0);
    req.participants.clear();
    for (k, role) in [
        Role::Publish,
        Role::Publish,
        Role::Publish,
        Role::Subscribe,
        Role::Subscribe,
        Role::Subscribe,
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = participant(&format!("u{k}"), role, 10 + k as u64, k == 0);
        for s in &mut p.samples {
            s.video_kbps = None;
            s.video_tier = None;
            s.fps = None;
        }
        p.streams = streams(k as u64);
        req.participants.push(p);
    }
    req
}

/// Segments whose report has 10,000 rows: 100 hourly buckets × 100 regions.
fn usage_report() -> mediameter_usage::UsageReport {
    let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let mut csv = String::from("app,channel,user,role,spec,region,start,end\n");
    for h in 0..100i64 {
        for r in 0..100 {
            let start = t0 + TimeDelta::hours(h) + TimeDelta::minutes(r % 30);
            let end = start + TimeDelta::minutes(20);
            csv.push_str(&format!(
                "app1,ch{r},u{r},{},720p,region-{r},{},{}\n",
                if r % 2 == 0 { "pub" } else { "sub" },
                start.format("%Y-%m-%dT%H:%M:%SZ"),
                end.format("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
    }
    let segs = mediameter_usage::parse_csv(&csv).unwrap();
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by([Dimension::Region]);
    let mut agg = Aggregator::new(q).unwrap();
    agg.extend(&segs).unwrap();
    agg.report(MinutePolicy::CeilPerPeriod).unwrap()
}

/// Registers the benchmarks of this crate.
pub fn define(c: &mut Criterion) {
    let call = call_request().validate().expect("bench request is valid");
    let d = diagnose(&call, &Profile::default()).expect("default profile is valid");
    c.bench_function("report/diagnose/1h-6p-3s", |b| {
        b.iter(|| {
            let html = mediameter_report::diagnosis_html(black_box(&call), black_box(&d)).unwrap();
            assert_eq!(html.matches("id=\"p5-fps\"").count(), 1);
            html
        });
    });
    let report = usage_report();
    assert_eq!(report.rows.len(), 10_000);
    c.bench_function("report/usage/10k-rows", |b| {
        b.iter(|| {
            let html = mediameter_report::usage_html(black_box(&report), None).unwrap();
            assert!(html.contains("id=\"trend\""));
            html
        });
    });
}
