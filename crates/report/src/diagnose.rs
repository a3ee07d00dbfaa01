//! The call-diagnosis report: the console's monitoring panels, publishers on the left and
//! subscribers on the right, with the findings shaded on the time axis.

use std::fmt::Write as _;

use chrono::TimeDelta;
use mediameter_core::{Role, VideoTier};
use mediameter_diagnostics::{Call, Diagnosis, Finding, Participant, Severity, Side, StreamKind};

use crate::Result;
use crate::chart::{Chart, Line, PALETTE, Shade, top};
use crate::html::{self, escape};

/// The most participant cards drawn on each side (publishers, subscribers); the rest are
/// listed in the client table only, so a large call still gives a readable page.
pub const MAX_PARTICIPANT_CARDS: usize = 24;
/// The most publisher→subscriber MOS charts drawn.
const MAX_MOS_CHARTS: usize = 24;
/// Samples further apart than this break a line (a gap, not a slope), seconds.
const BREAK_S: f64 = 10.0;
const PANEL: (u32, u32) = (560, 150);

fn tier_rank(t: VideoTier) -> f64 {
    VideoTier::ALL
        .iter()
        .position(|x| *x == t)
        .map_or(0.0, |i| (i as f64) + 1.0)
}

fn tier_label(v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 0.01 || i < 1.0 {
        return String::new();
    }
    VideoTier::ALL
        .iter()
        .zip(1_u8..)
        .find(|(_, k)| f64::from(*k) == i)
        .map(|(t, _)| t.vendor_label().to_owned())
        .unwrap_or_default()
}

fn kind_color(k: StreamKind) -> crate::chart::Rgb {
    let i = StreamKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    PALETTE.get(i).copied().unwrap_or(PALETTE[0])
}

/// Points from `(t_ms, value)`, with a break where samples are more than [`BREAK_S`] apart.
fn points(it: impl Iterator<Item = (i64, Option<f64>)>) -> Vec<(f64, Option<f64>)> {
    let mut out: Vec<(f64, Option<f64>)> = Vec::new();
    let mut prev: Option<f64> = None;
    for (t_ms, v) in it {
        let t = t_ms as f64 / 1000.0;
        if prev.is_some_and(|p| t - p > BREAK_S) {
            out.push((t, None));
        }
        prev = Some(t);
        out.push((t, v));
    }
    out
}

fn max_of(lines: &[Line]) -> f64 {
    lines
        .iter()
        .filter(|l| !l.secondary)
        .flat_map(|l| l.points.iter().filter_map(|p| p.1))
        .fold(0.0, f64::max)
}

/// One video series per stream kind: the samples' own video fields are the camera.
fn video_lines(
    p: &Participant,
    field: fn(Option<VideoTier>, Option<f64>, Option<f64>) -> Option<f64>,
) -> Vec<Line> {
    let mut out = Vec::new();
    let legacy: Vec<(f64, Option<f64>)> = points(
        p.samples()
            .iter()
            .map(|s| (s.t_ms, field(s.video_tier, s.video_kbps, s.fps))),
    );
    if legacy.iter().any(|x| x.1.is_some()) {
        out.push(Line {
            name: StreamKind::Camera.label().to_owned(),
            color: kind_color(StreamKind::Camera),
            points: legacy,
            secondary: false,
        });
    }
    for s in p.streams() {
        let pts = points(
            s.samples()
                .iter()
                .map(|x| (x.t_ms, field(x.video_tier, x.video_kbps, x.fps))),
        );
        if pts.iter().any(|x| x.1.is_some()) {
            out.push(Line {
                name: s.kind().label().to_owned(),
                color: kind_color(s.kind()),
                points: pts,
                secondary: false,
            });
        }
    }
    out
}

struct Ctx<'a> {
    call: &'a Call,
    d: &'a Diagnosis,
    range_s: f64,
}

impl Ctx<'_> {
    fn clock(&self, s: f64) -> String {
        let ms = crate::chart::millis(s, self.call.range_ms());
        let t = self
            .call
            .range()
            .start()
            .checked_add_signed(TimeDelta::milliseconds(ms))
            .unwrap_or(self.call.range().end());
        t.format("%H:%M:%S").to_string()
    }

    fn secs(&self, t: chrono::DateTime<chrono::Utc>) -> f64 {
        t.signed_duration_since(self.call.range().start())
            .num_milliseconds() as f64
            / 1000.0
    }

    /// The shaded windows of one participant's findings (client facts span the call: not shaded).
    fn shades(&self, p: &Participant) -> Vec<Shade> {
        let mut out = Vec::new();
        for (n, f) in self.numbered().filter(|(_, f)| concerns(f, p)) {
            if f.side == Side::Client {
                continue;
            }
            let windows: Vec<_> = if f.occurrences.is_empty() {
                vec![f.window]
            } else {
                f.occurrences.clone()
            };
            for w in windows {
                out.push(Shade {
                    from: self.secs(w.start()),
                    to: self.secs(w.end()),
                    label: format!("#{n}"),
                });
            }
        }
        out
    }

    fn numbered(&self) -> impl Iterator<Item = (usize, &Finding)> {
        self.d
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| (i.saturating_add(1), f))
    }

    fn chart<'f>(
        &self,
        id: String,
        title: &str,
        x_fmt: crate::chart::Fmt<'f>,
        y_fmt: crate::chart::Fmt<'f>,
    ) -> Chart<'f> {
        Chart {
            id,
            title: title.to_owned(),
            size: PANEL,
            x: (0.0, self.range_s),
            y: (0.0, 1.0),
            y_desc: String::new(),
            y2: None,
            x_fmt,
            y_fmt,
            lines: Vec::new(),
            shades: Vec::new(),
            stacks: Vec::new(),
        }
    }

    fn card(&self, out: &mut String, index: usize, p: &Participant) -> Result<()> {
        let _ = write!(
            out,
            "<section class=\"card\" id=\"p{index}\">\n<h3>{}</h3>\n",
            escape(p.label())
        );
        let clock = |v: &f64| self.clock(*v);
        let num = |v: &f64| crate::chart::tick(*v);
        let num1 = num;
        let shades = self.shades(p);
        // Network: loss on the left axis, RTT on the right, as in the console.
        let loss = points(p.samples().iter().map(|s| (s.t_ms, Some(s.loss_pct))));
        let rtt = points(p.samples().iter().map(|s| (s.t_ms, Some(s.rtt_ms))));
        let rtt_max = rtt.iter().filter_map(|x| x.1).fold(0.0, f64::max);
        let mut net = self.chart(
            format!("p{index}-network"),
            "Network: packet loss (%) and RTT (ms)",
            &clock,
            &num1,
        );
        net.lines = vec![
            Line {
                name: "packet loss %".to_owned(),
                color: PALETTE[1],
                points: loss,
                secondary: false,
            },
            Line {
                name: "RTT ms".to_owned(),
                color: PALETTE[0],
                points: rtt,
                secondary: true,
            },
        ];
        net.y = (0.0, top(max_of(&net.lines)));
        net.y_desc = "loss %".to_owned();
        net.y2 = Some(((0.0, top(rtt_max)), "RTT ms".to_owned()));
        net.shades = shades;
        net.render(out)?;
        let shades = || self.shades(p);

        let audio = points(p.samples().iter().map(|s| (s.t_ms, s.audio_kbps)));
        if audio.iter().any(|x| x.1.is_some()) {
            let mut c = self.chart(
                format!("p{index}-audio"),
                "Audio bitrate (kbps)",
                &clock,
                &num,
            );
            c.lines = vec![Line {
                name: "audio kbps".to_owned(),
                color: PALETTE[2],
                points: audio,
                secondary: false,
            }];
            c.y = (0.0, top(max_of(&c.lines)));
            c.y_desc = "kbps".to_owned();
            c.shades = shades();
            c.render(out)?;
        }
        let tiers = video_lines(p, |t, _, _| t.map(tier_rank));
        let fmt_tier = |v: &f64| tier_label(*v);
        if !tiers.is_empty() {
            let mut c = self.chart(
                format!("p{index}-tier"),
                "Video resolution tier, per stream",
                &clock,
                &fmt_tier,
            );
            c.lines = tiers;
            c.y = (0.5, VideoTier::ALL.len() as f64 + 0.5);
            c.shades = shades();
            c.render(out)?;
        }
        let fps = video_lines(p, |_, _, f| f);
        if !fps.is_empty() {
            let mut c = self.chart(
                format!("p{index}-fps"),
                "Video frame rate (fps), per stream",
                &clock,
                &num,
            );
            c.lines = fps;
            c.y = (0.0, top(max_of(&c.lines)));
            c.y_desc = "fps".to_owned();
            c.shades = shades();
            c.render(out)?;
        }
        let kbps = video_lines(p, |_, k, _| k);
        if !kbps.is_empty() {
            let mut c = self.chart(
                format!("p{index}-video"),
                "Video bitrate (kbps), per stream",
                &clock,
                &num,
            );
            c.lines = kbps;
            c.y = (0.0, top(max_of(&c.lines)));
            c.y_desc = "kbps".to_owned();
            c.shades = shades();
            c.render(out)?;
        }
        if !p.operations().is_empty() {
            out.push_str("<p class=\"note\">Operations: ");
            let ops: Vec<String> = p
                .operations()
                .iter()
                .map(|o| format!("{} {}", o.at.format("%H:%M:%S"), o.kind))
                .collect();
            out.push_str(&escape(&ops.join(", ")));
            out.push_str("</p>\n");
        }
        let mine: Vec<_> = self.numbered().filter(|(_, f)| concerns(f, p)).collect();
        if mine.is_empty() {
            out.push_str("<p class=\"note\">No findings.</p>\n");
        } else {
            out.push_str("<ol class=\"findings\">\n");
            for (n, f) in mine {
                finding_item(out, n, f);
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</section>\n");
        Ok(())
    }
}

fn concerns(f: &Finding, p: &Participant) -> bool {
    &f.user_id == p.user_id() && f.role == p.role()
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "sev-critical",
        Severity::Warning => "sev-warning",
        _ => "sev-info",
    }
}

fn finding_item(out: &mut String, n: usize, f: &Finding) {
    let _ = writeln!(
        out,
        "<li value=\"{n}\"><span class=\"{}\">{} {}</span> {}</li>",
        severity_class(f.severity),
        escape(&f.severity.to_string()),
        escape(f.kind.as_str()),
        escape(&f.explanation)
    );
}

/// Renders a diagnosis as one self-contained HTML page.
///
/// The page holds: the grade and summary; the client table (user, role, SDK, OS, device,
/// region, streams); the console's panels for each participant, publishers in the left column
/// and subscribers in the right (network with loss on the left axis and RTT on the right, audio
/// bitrate, and resolution tier, frame rate and bitrate per video stream kind), each finding
/// shaded on the time axis with its number and its text beside the charts; audio MOS per
/// window for each publisher→subscriber pair; every finding; gaps and notes. At most
/// [`MAX_PARTICIPANT_CARDS`] cards are drawn per side.
///
/// # Errors
///
/// [`Error::Draw`](crate::Error::Draw), located at the chart ([`Error::At`](crate::Error::At), kind
/// [`ErrorKind::Draw`](crate::ErrorKind::Draw)), if the chart library refuses a chart; the axis ranges
/// are always finite and non-empty, so this is not expected.
///
/// ```
/// use mediameter_diagnostics::{DiagnosisRequest, Profile};
/// let request: DiagnosisRequest = serde_json::from_str(r#"{"app_id":"a","channel_id":"c",
///   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:10:00Z"},"participants":[]}"#)?;
/// let call = request.validate()?;
/// let d = mediameter_diagnostics::diagnose(&call, &Profile::default())?;
/// let html = mediameter_report::diagnosis_html(&call, &d)?;
/// assert!(html.contains("not enough data"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diagnosis_html(call: &Call, d: &Diagnosis) -> Result<String> {
    let ctx = Ctx {
        call,
        d,
        range_s: (call.range_ms() as f64 / 1000.0).max(1.0),
    };
    let mut out = String::with_capacity(64 * 1024);
    html::open(
        &mut out,
        &format!("Call diagnosis: {} / {}", d.app_id, d.channel_id),
    );
    let _ = writeln!(
        out,
        "<h1>Call diagnosis: channel {} (app {})</h1>\n<p class=\"meta\">{} to {} UTC &middot; profile {} &middot; {} participant(s)</p>",
        escape(d.channel_id.as_str()),
        escape(d.app_id.as_str()),
        d.range.start().format("%Y-%m-%d %H:%M:%S"),
        d.range.end().format("%Y-%m-%d %H:%M:%S"),
        escape(&d.profile),
        call.participants().len()
    );
    match d.grade.letter {
        Some(l) => {
            let _ = write!(
                out,
                "<p><span class=\"grade\">Grade {} ({})</span>",
                escape(&l.to_string()),
                escape(d.grade.label)
            );
        }
        None => {
            let _ = write!(
                out,
                "<p><span class=\"grade none\">No grade ({})</span>",
                escape(d.grade.label)
            );
        }
    }
    let _ = writeln!(out, "{}</p>", escape(&d.grade.summary));

    out.push_str("<h2>Clients</h2>\n");
    let rows: Vec<Vec<String>> = call
        .participants()
        .iter()
        .map(|p| {
            let c = p.client();
            let mut streams: Vec<&str> = Vec::new();
            if p.samples()
                .iter()
                .any(|s| s.video_kbps.is_some() || s.fps.is_some() || s.video_tier.is_some())
            {
                streams.push(StreamKind::Camera.as_str());
            }
            streams.extend(p.streams().iter().map(|s| s.kind().as_str()));
            vec![
                p.user_id().to_string(),
                p.role().to_string(),
                c.sdk_version.clone(),
                c.os.clone(),
                c.device_model.clone().unwrap_or_default(),
                c.region
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                streams.join(", "),
                p.samples().len().to_string(),
            ]
        })
        .collect();
    html::table(
        &mut out,
        "clients",
        &[
            "user",
            "role",
            "SDK",
            "OS",
            "device",
            "region",
            "video streams",
            "samples",
        ],
        &[false, false, false, false, false, false, false, true],
        &rows,
    );

    out.push_str("<h2>Monitoring</h2>\n<div class=\"columns\">\n");
    for (role, title) in [
        (Role::Publish, "Publishers"),
        (Role::Subscribe, "Subscribers"),
    ] {
        let _ = writeln!(out, "<div class=\"column\">\n<h3>{title}</h3>");
        let mine: Vec<(usize, &Participant)> = call
            .participants()
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role() == role)
            .collect();
        for (i, p) in mine.iter().take(MAX_PARTICIPANT_CARDS) {
            ctx.card(&mut out, *i, p)?;
        }
        if mine.len() > MAX_PARTICIPANT_CARDS {
            let _ = writeln!(
                out,
                "<p class=\"note\">{} more {} not drawn (see the client table).</p>",
                mine.len().saturating_sub(MAX_PARTICIPANT_CARDS),
                title.to_lowercase()
            );
        }
        if mine.is_empty() {
            out.push_str("<p class=\"note\">None.</p>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");

    out.push_str("<h2>Audio quality (E-model MOS per window)</h2>\n");
    if d.scores.is_empty() {
        out.push_str("<p class=\"note\">No publisher/subscriber pair with audio samples.</p>\n");
    }
    let clock = |v: &f64| ctx.clock(*v);
    let mos_fmt = |v: &f64| format!("{v:.1}");
    for (k, s) in d.scores.iter().enumerate().take(MAX_MOS_CHARTS) {
        let mut c = ctx.chart(
            format!("mos-{k}"),
            &format!(
                "{} \u{2192} {}: MOS per window (mean {}, min {})",
                s.publisher,
                s.subscriber,
                s.mean_mos.map_or("-".to_owned(), |m| format!("{m:.2}")),
                s.min_mos.map_or("-".to_owned(), |m| format!("{m:.2}"))
            ),
            &clock,
            &mos_fmt,
        );
        // One point at the middle of each window, broken where windows are not adjacent.
        let mut pts: Vec<(f64, Option<f64>)> = Vec::new();
        let mut prev_end: Option<f64> = None;
        for w in &s.windows {
            let a = ctx.secs(w.window.start());
            let b = ctx.secs(w.window.end());
            if prev_end.is_some_and(|e| a > e) {
                pts.push((a, None));
            }
            prev_end = Some(b);
            pts.push(((a + b) / 2.0, Some(w.mos)));
        }
        c.lines = vec![Line {
            name: "MOS".to_owned(),
            color: PALETTE[4],
            points: pts,
            secondary: false,
        }];
        c.y = (1.0, 4.5);
        c.y_desc = "MOS".to_owned();
        c.render(&mut out)?;
    }
    if d.scores.len() > MAX_MOS_CHARTS {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more pairs not drawn.</p>",
            d.scores.len().saturating_sub(MAX_MOS_CHARTS)
        );
    }

    out.push_str("<h2>Findings</h2>\n");
    if d.findings.is_empty() {
        out.push_str("<p class=\"note\">No findings.</p>\n");
    } else {
        out.push_str("<ol class=\"findings\">\n");
        for (n, f) in ctx.numbered() {
            finding_item(&mut out, n, f);
        }
        out.push_str("</ol>\n");
    }
    if !d.gaps.is_empty() || !d.notes.is_empty() {
        out.push_str("<h2>Gaps and notes</h2>\n<ul>\n");
        for g in &d.gaps {
            let _ = writeln!(
                out,
                "<li>{} ({}): no samples from {} to {} UTC</li>",
                escape(g.user_id.as_str()),
                g.role,
                g.window.start().format("%H:%M:%S"),
                g.window.end().format("%H:%M:%S")
            );
        }
        for n in &d.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>\n");
    }
    html::close(&mut out);
    Ok(out)
}
