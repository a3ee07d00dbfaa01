//! The usage report: the console's usage trend per bucket, active users and channels, peak
//! concurrency, the distribution by region, and the table the charts were drawn from.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use mediameter_core::MediaSpec;
use mediameter_usage::{DistributionRow, UsageReport, UsageRow};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::Result;
use crate::chart::{Chart, Line, PALETTE, Stack, index_at, top};
use crate::html::{self, escape};

/// The most rows of a table written into the page; the charts still use every row.
pub const MAX_TABLE_ROWS: usize = 2_000;
/// The most groups drawn as separate lines (the largest by billable minutes).
const MAX_GROUP_LINES: usize = 8;
const WIDE: (u32, u32) = (1100, 260);

/// One bucket summed over groups: what the trend chart draws and the table lists.
#[derive(Default, Clone)]
struct Bucket {
    /// Publish plus subscribe seconds, per spec.
    seconds: [u64; 6],
    billable: Decimal,
}

fn group_label(row_group: &[(mediameter_usage::Dimension, Option<String>)]) -> String {
    if row_group.is_empty() {
        return "all".to_owned();
    }
    row_group
        .iter()
        .map(|(d, v)| format!("{d}={}", v.as_deref().unwrap_or("(none)")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn minutes(seconds: u64) -> f64 {
    seconds as f64 / 60.0
}

fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Renders a usage report as one self-contained HTML page.
///
/// The page holds: the trend per bucket (publish plus subscribe minutes stacked by spec, with
/// the billable minutes as a line), active users, channels and peak concurrency per bucket (one
/// line per group, the largest eight groups), the distribution by region with each region's
/// proportion when `regions` is given, and the tables the charts were drawn from (per bucket,
/// per group; at most [`MAX_TABLE_ROWS`] rows each). Bucket labels are in the report's zone.
///
/// # Errors
///
/// [`Error::Draw`](crate::Error::Draw), located at the chart ([`Error::At`](crate::Error::At), kind
/// [`ErrorKind::Draw`](crate::ErrorKind::Draw)), if the chart library refuses a chart; the axis ranges
/// are always finite and non-empty, so this is not expected.
///
/// ```
/// use mediameter_usage::{Aggregator, UsageQuery};
/// use mediameter_core::{BillingZone, Granularity, MinutePolicy};
/// let mut agg = Aggregator::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR))?;
/// let report = agg.report(MinutePolicy::Exact)?;
/// let html = mediameter_report::usage_html(&report, None)?;
/// assert!(html.contains("<h1>Usage</h1>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn usage_html(report: &UsageReport, regions: Option<&[DistributionRow]>) -> Result<String> {
    let zone = report.zone.fixed_offset();
    let mut buckets: BTreeMap<DateTime<Utc>, Bucket> = BTreeMap::new();
    for row in &report.rows {
        let b = buckets.entry(row.bucket_start).or_default();
        for (slot, (p, s)) in b.seconds.iter_mut().zip(
            row.publish_seconds
                .0
                .iter()
                .zip(row.subscribe_seconds.0.iter()),
        ) {
            *slot = slot.saturating_add(p.saturating_add(*s));
        }
        let bill: Decimal = row.billable_minutes.0.iter().copied().sum();
        b.billable = b.billable.checked_add(bill).unwrap_or(b.billable);
    }
    let starts: Vec<DateTime<Utc>> = buckets.keys().copied().collect();
    let label_of = |i: usize| {
        starts.get(i).map_or_else(String::new, |t| {
            let local = t.with_timezone(&zone);
            if report.interval.seconds() >= 86_400 {
                local.format("%Y-%m-%d").to_string()
            } else {
                local.format("%m-%d %H:%M").to_string()
            }
        })
    };
    let x_fmt = |v: &f64| index_at(*v, starts.len()).map(label_of).unwrap_or_default();
    let n = starts.len().max(1) as f64;
    let num = |v: &f64| crate::chart::tick(*v);

    let mut out = String::with_capacity(64 * 1024);
    html::open(&mut out, "Usage report");
    let split: Vec<String> = report.split_by.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "<h1>Usage</h1>\n<p class=\"meta\">{} segments &middot; buckets of {} s aligned in {} &middot; split by {} &middot; minute policy {}{}</p>",
        report.segments,
        report.interval.seconds(),
        escape(&report.zone.to_string()),
        escape(&if split.is_empty() {
            "nothing".to_owned()
        } else {
            split.join(", ")
        }),
        escape(&format!("{:?}", report.minute_policy)),
        if report.approximate {
            " &middot; distinct counts approximate"
        } else {
            ""
        }
    );

    // Trend: durations stacked by spec, billable minutes as a line.
    let mut trend = Chart {
        id: "trend".to_owned(),
        title: "Usage trend per bucket: publish + subscribe minutes stacked by spec, billable minutes as a line".to_owned(),
        size: WIDE,
        x: (-0.5, n - 0.5),
        y: (0.0, 1.0),
        y_desc: "minutes".to_owned(),
        y2: None,
        x_fmt: &x_fmt,
        y_fmt: &num,
        lines: Vec::new(),
        shades: Vec::new(),
        stacks: Vec::new(),
    };
    let mut y_max: f64 = 0.0;
    for (i, b) in buckets.values().enumerate() {
        let parts: Vec<_> = b
            .seconds
            .iter()
            .zip(PALETTE)
            .map(|(s, c)| (c, minutes(*s)))
            .collect();
        y_max = y_max
            .max(parts.iter().map(|p| p.1).sum())
            .max(to_f64(b.billable));
        trend.stacks.push(Stack {
            x: i as f64 - 0.35,
            width: 0.7,
            parts,
        });
    }
    trend.lines.push(Line {
        name: "billable minutes".to_owned(),
        color: BILLABLE,
        points: buckets
            .values()
            .enumerate()
            .map(|(i, b)| (i as f64, Some(to_f64(b.billable))))
            .collect(),
        secondary: false,
    });
    trend.y = (0.0, top(y_max));
    trend.render(&mut out)?;
    out.push_str("<ul class=\"legend\">");
    for (spec, c) in MediaSpec::ALL.iter().zip(PALETTE) {
        let _ = write!(
            out,
            "<li><span class=\"swatch\" style=\"background:{};height:10px\"></span>{}</li>",
            c.hex(),
            escape(spec.as_str())
        );
    }
    out.push_str("</ul>\n");

    // Users, channels, peak concurrency: one line per group (the largest groups).
    let mut groups: BTreeMap<String, (Decimal, Vec<&UsageRow>)> = BTreeMap::new();
    for row in &report.rows {
        let g = groups.entry(group_label(&row.group)).or_default();
        let bill: Decimal = row.billable_minutes.0.iter().copied().sum();
        g.0 = g.0.checked_add(bill).unwrap_or(g.0);
        g.1.push(row);
    }
    let mut ranked: Vec<(&String, &(Decimal, Vec<&UsageRow>))> = groups.iter().collect();
    ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let index_of = |t: DateTime<Utc>| starts.binary_search(&t).ok().map(|i| i as f64);
    let metric_chart =
        |id: &str, title: &str, f: fn(&UsageRow) -> Option<u64>, out: &mut String| -> Result<()> {
            let mut c = Chart {
                id: id.to_owned(),
                title: title.to_owned(),
                size: WIDE,
                x: (-0.5, n - 0.5),
                y: (0.0, 1.0),
                y_desc: String::new(),
                y2: None,
                x_fmt: &x_fmt,
                y_fmt: &num,
                lines: Vec::new(),
                shades: Vec::new(),
                stacks: Vec::new(),
            };
            let mut max: f64 = 0.0;
            for ((name, (_, rows)), color) in ranked.iter().take(MAX_GROUP_LINES).zip(PALETTE) {
                let pts: Vec<(f64, Option<f64>)> = rows
                    .iter()
                    .filter_map(|r| Some((index_of(r.bucket_start)?, f(r).map(|v| v as f64))))
                    .collect();
                if pts.iter().all(|p| p.1.is_none()) {
                    continue;
                }
                max = pts.iter().filter_map(|p| p.1).fold(max, f64::max);
                c.lines.push(Line {
                    name: (*name).clone(),
                    color,
                    points: pts,
                    secondary: false,
                });
            }
            if c.lines.is_empty() {
                let _ = writeln!(
                    out,
                    "<p class=\"note\">{}: not computed for this report.</p>",
                    escape(title)
                );
                return Ok(());
            }
            c.y = (0.0, top(max));
            c.render(out)?;
            if ranked.len() > MAX_GROUP_LINES {
                let _ = writeln!(
                    out,
                    "<p class=\"note\">The {MAX_GROUP_LINES} largest of {} groups are drawn.</p>",
                    ranked.len()
                );
            }
            Ok(())
        };
    out.push_str("<h2>Active users and channels</h2>\n");
    metric_chart(
        "users",
        "Active users per bucket",
        |r| r.active_users,
        &mut out,
    )?;
    metric_chart(
        "channels",
        "Channels with activity per bucket",
        |r| r.channels,
        &mut out,
    )?;
    out.push_str("<h2>Peak concurrency</h2>\n");
    metric_chart(
        "peak-streams",
        "Peak concurrent streams per bucket",
        |r| r.peak_streams,
        &mut out,
    )?;
    metric_chart(
        "peak-channels",
        "Peak concurrent channels per bucket",
        |r| r.peak_channels,
        &mut out,
    )?;

    if let Some(rows) = regions {
        out.push_str("<h2>Distribution by region</h2>\n");
        let fmt_region = |v: &f64| {
            index_at(*v, rows.len())
                .and_then(|i| rows.get(i))
                .map(|r| r.name.clone())
                .unwrap_or_default()
        };

        let mut c = Chart {
            id: "regions".to_owned(),
            title: "Users by region (bar) with each region's proportion".to_owned(),
            size: (1100, 240),
            x: (-0.5, rows.len().max(1) as f64 - 0.5),
            y: (
                0.0,
                top(rows.iter().map(|r| r.value as f64).fold(0.0, f64::max)),
            ),
            y_desc: "users".to_owned(),
            y2: None,
            x_fmt: &fmt_region,
            y_fmt: &num,
            lines: Vec::new(),
            shades: Vec::new(),
            stacks: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Stack {
                    x: i as f64 - 0.35,
                    width: 0.7,
                    parts: vec![(PALETTE[0], r.value as f64)],
                })
                .collect(),
        };
        c.shades.clear();
        c.render(&mut out)?;
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                // Already a percentage with two decimals (the vendor's own rounding).
                let pct = r.proportion;
                vec![r.name.clone(), r.value.to_string(), format!("{pct:.2} %")]
            })
            .collect();
        html::table(
            &mut out,
            "regions",
            &["region", "users", "proportion"],
            &[false, true, true],
            &table,
        );
    }

    out.push_str("<h2>Table per bucket (what the trend chart draws)</h2>\n");
    let mut head: Vec<&str> = vec!["bucket"];
    head.extend(MediaSpec::ALL.iter().map(|s| s.as_str()));
    head.extend(["total minutes", "billable minutes"]);
    let numeric: Vec<bool> = head.iter().enumerate().map(|(i, _)| i > 0).collect();
    let rows: Vec<Vec<String>> = buckets
        .values()
        .enumerate()
        .take(MAX_TABLE_ROWS)
        .map(|(i, b)| {
            let mut r = vec![label_of(i)];
            r.extend(b.seconds.iter().map(|s| format!("{:.2}", minutes(*s))));
            r.push(format!("{:.2}", minutes(b.seconds.iter().sum())));
            r.push(b.billable.to_string());
            r
        })
        .collect();
    html::table(&mut out, "buckets", &head, &numeric, &rows);
    if buckets.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more buckets not listed.</p>",
            buckets.len().saturating_sub(MAX_TABLE_ROWS)
        );
    }

    out.push_str("<h2>Table per bucket and group</h2>\n");
    let head = [
        "bucket",
        "group",
        "publish minutes",
        "subscribe minutes",
        "billable minutes",
        "users",
        "channels",
        "peak streams",
        "peak channels",
    ];
    let numeric = [false, false, true, true, true, true, true, true, true];
    let opt = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .take(MAX_TABLE_ROWS)
        .map(|r| {
            let i = starts.binary_search(&r.bucket_start).unwrap_or(0);
            let bill: Decimal = r.billable_minutes.0.iter().copied().sum();
            vec![
                label_of(i),
                group_label(&r.group),
                format!("{:.2}", minutes(r.publish_seconds.total())),
                format!("{:.2}", minutes(r.subscribe_seconds.total())),
                bill.to_string(),
                opt(r.active_users),
                opt(r.channels),
                opt(r.peak_streams),
                opt(r.peak_channels),
            ]
        })
        .collect();
    html::table(&mut out, "rows", &head, &numeric, &rows);
    if report.rows.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more rows not listed (export them with mediameter usage --format csv).</p>",
            report.rows.len().saturating_sub(MAX_TABLE_ROWS)
        );
    }
    html::close(&mut out);
    Ok(out)
}

/// The billable-minutes line: near-black, apart from the spec colours and the black axes.
const BILLABLE: crate::chart::Rgb = crate::chart::Rgb(0x11, 0x11, 0x11);
