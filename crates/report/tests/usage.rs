//! The usage report: stacked minutes, billable line, per-group lines, regions and tables
//! checked against the report they were drawn from.

use mediameter_core::{BillingZone, Granularity, MinutePolicy};
use mediameter_report::usage_html;
use mediameter_usage::{Aggregator, Dimension, ProportionMode, UsageQuery, distribution_by};

use crate::svg::{figure, figures};

const CSV: &str = "app,channel,user,role,spec,region,start,end
app1,ch1,u1,pub,720p,cn-beijing,2024-05-01T01:00:00Z,2024-05-01T01:30:00Z
app1,ch1,u2,sub,720p,cn-beijing,2024-05-01T01:00:00Z,2024-05-01T01:20:00Z
app1,ch1,u3,sub,audio,cn-shanghai,2024-05-01T01:10:00Z,2024-05-01T01:40:00Z
app1,ch2,u4,pub,360p,cn-shanghai,2024-05-01T02:00:00Z,2024-05-01T02:45:00Z
app1,ch2,u5,sub,360p,cn-shanghai,2024-05-01T02:05:00Z,2024-05-01T02:35:30Z
app1,ch2,u6,sub,1080p,cn-beijing,2024-05-01T04:00:00Z,2024-05-01T04:10:00Z
";

fn build(split: &[Dimension]) -> (mediameter_usage::UsageReport, Aggregator) {
    let segs = mediameter_usage::parse_csv(CSV).unwrap();
    let q =
        UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by(split.iter().copied());
    let mut agg = Aggregator::new(q).unwrap();
    agg.extend(&segs).unwrap();
    (agg.report(MinutePolicy::CeilPerPeriod).unwrap(), agg)
}

const SPEC_COLORS: [&str; 6] = [
    "#1F77B4", "#D62728", "#2CA02C", "#FF7F0E", "#9467BD", "#8C564B",
];

#[test]
fn trend_stacks_minutes_by_spec_per_bucket_with_the_billable_line() {
    let (report, _) = build(&[Dimension::Region]);
    let html = usage_html(&report, None).unwrap();
    let figs = figures(&html);
    let trend = figure(&figs, "trend");
    // Buckets 01:00, 02:00 and 04:00 UTC: three categories.
    assert_eq!(trend.x, (-0.5, 2.5));
    let mut buckets: Vec<_> = report.rows.iter().map(|r| r.bucket_start).collect();
    buckets.sort();
    buckets.dedup();
    assert_eq!(buckets.len(), 3);
    let mut max_total: f64 = 0.0;
    for (i, b) in buckets.iter().enumerate() {
        let rows: Vec<_> = report
            .rows
            .iter()
            .filter(|r| r.bucket_start == *b)
            .collect();
        let mut base = 0.0;
        for (k, color) in SPEC_COLORS.iter().enumerate() {
            let secs: u64 = rows
                .iter()
                .map(|r| r.publish_seconds.0[k] + r.subscribe_seconds.0[k])
                .sum();
            let minutes = secs as f64 / 60.0;
            let rects: Vec<_> = trend
                .rects(color)
                .into_iter()
                .filter(|r| ((r.0 + r.1) / 2.0 - i as f64).abs() < 0.3)
                .collect();
            if secs == 0 {
                assert!(rects.is_empty(), "bucket {i} spec {k}");
                continue;
            }
            assert_eq!(rects.len(), 1, "bucket {i} spec {k}");
            let (_, _, lo, hi) = rects[0];
            assert!(
                (lo - base).abs() <= 1.5 * trend.y_px(false),
                "bucket {i} spec {k}: {lo} vs {base}"
            );
            assert!(
                (hi - (base + minutes)).abs() <= 1.5 * trend.y_px(false),
                "bucket {i} spec {k}: {hi} vs {}",
                base + minutes
            );
            base += minutes;
        }
        max_total = max_total.max(base);
    }
    assert!(
        (trend.y.1 - max_total * 1.1).abs() < 1e-6,
        "{:?} vs {max_total}",
        trend.y
    );
    // Billable minutes: one point per bucket, the sum over groups and specs.
    let bill: Vec<f64> = buckets
        .iter()
        .map(|b| {
            report
                .rows
                .iter()
                .filter(|r| r.bucket_start == *b)
                .flat_map(|r| r.billable_minutes.0.iter())
                .map(|d| d.to_string().parse::<f64>().unwrap())
                .sum()
        })
        .collect();
    let drawn = trend.line("#111111", false);
    assert_eq!(drawn.len(), bill.len());
    for (i, want) in bill.iter().enumerate() {
        let got = drawn[i];
        assert!(
            (got.0 - i as f64).abs() <= 1.5 * trend.x_px(),
            "bucket {i} at x {}",
            got.0
        );
        assert!(
            (got.1 - want).abs() <= 1.5 * trend.y_px(false),
            "bucket {i}: {} vs {want}",
            got.1
        );
    }
}

#[test]
fn users_are_drawn_per_group_and_regions_with_proportions() {
    let (report, agg) = build(&[Dimension::Region]);
    let regions = distribution_by(
        &agg.to_state().unwrap(),
        Dimension::Region,
        ProportionMode::VENDOR,
    )
    .unwrap();
    let html = usage_html(&report, Some(&regions)).unwrap();
    let figs = figures(&html);
    let users = figure(&figs, "users");
    assert!(users.body.contains("region=cn-beijing") && users.body.contains("region=cn-shanghai"));
    // Region bars: one per region, as tall as its user count, labelled with its proportion.
    let bars = figure(&figs, "regions").rects("#1F77B4");
    assert_eq!(bars.len(), regions.len());
    for (bar, r) in bars.iter().zip(&regions) {
        assert!((bar.3 - r.value as f64).abs() <= 1.5 * figure(&figs, "regions").y_px(false));
        assert!(html.contains(&format!(
            "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2} %</td>",
            r.name, r.value, r.proportion
        )));
    }
    let total: rust_decimal::Decimal = regions.iter().map(|r| r.proportion).sum();
    assert!(total <= rust_decimal::Decimal::ONE_HUNDRED);
    // The per-bucket table lists what the chart draws: the 02:00 bucket has 360p minutes.
    assert!(
        html.contains("<td>05-01 02:00</td>"),
        "bucket label in the report zone"
    );
}

#[test]
fn group_values_are_escaped() {
    // Ids accept any text without control characters, markup included: the page escapes it.
    let csv = CSV.replace("cn-beijing", "<b>bj</b>");
    let segs = mediameter_usage::parse_csv(&csv).unwrap();
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by([Dimension::Region]);
    let mut agg = Aggregator::new(q).unwrap();
    agg.extend(&segs).unwrap();
    let html = usage_html(&agg.report(MinutePolicy::Exact).unwrap(), None).unwrap();
    assert!(!html.contains("<b>bj</b>"));
    assert!(html.contains("region=&lt;b&gt;bj&lt;/b&gt;"));
}

#[test]
fn an_empty_report_is_a_page_without_bars() {
    let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR);
    let agg = Aggregator::new(q).unwrap();
    let html = usage_html(&agg.report(MinutePolicy::Exact).unwrap(), None).unwrap();
    let figs = figures(&html);
    assert!(figure(&figs, "trend").rects("#1F77B4").is_empty());
    assert!(figure(&figs, "trend").line("#111111", false).is_empty());
}
