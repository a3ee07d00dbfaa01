//! A readable text report with sparklines of the series around each finding.

use std::fmt::Write;

use mediameter_core::{Role, UserId};

use crate::finding::{Diagnosis, Finding, FindingKind};
use crate::input::{Call, Participant, Sample};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Columns of a sparkline.
const WIDTH: i64 = 60;
/// Samples further apart than this leave blank columns between them (the default profile's
/// gap threshold).
const GAP_MS: i64 = 5_000;

type Getter = fn(&Sample) -> Option<f64>;

fn series_for(kind: FindingKind) -> &'static [(&'static str, Getter)] {
    const LOSS: (&str, Getter) = ("loss %", |s| Some(s.loss_pct));
    const RTT: (&str, Getter) = ("rtt ms", |s| Some(s.rtt_ms));
    const AUDIO: (&str, Getter) = ("audio kbps", |s| s.audio_kbps);
    const VIDEO: (&str, Getter) = ("video kbps", |s| s.video_kbps);
    const FPS: (&str, Getter) = ("fps", |s| s.fps);
    match kind {
        FindingKind::HighLoss => &[LOSS],
        FindingKind::HighRtt | FindingKind::RttLevelShift | FindingKind::RttDrift => &[RTT],
        FindingKind::NetworkSurge | FindingKind::NetworkJitter => &[LOSS, RTT],
        FindingKind::ExpectedAdaptation => &[LOSS, RTT, AUDIO, VIDEO],
        FindingKind::LowVideoBitrate => &[VIDEO],
        FindingKind::FpsCollapse | FindingKind::Freeze => &[FPS],
        FindingKind::UnexplainedDisagreement | FindingKind::ExplainedByOperation => {
            &[AUDIO, VIDEO, FPS]
        }
        FindingKind::OutdatedSdk | FindingKind::OutdatedDevice | FindingKind::PoorNetworkRegion => {
            &[]
        }
    }
}

fn find<'c>(call: &'c Call, user: &UserId, role: Role) -> Option<&'c Participant> {
    call.participants()
        .iter()
        .find(|p| p.user_id() == user && p.role() == role)
}

fn level(v: f64, min: f64, max: f64) -> char {
    let span = max - min;
    if span <= 0.0 {
        return BARS[3];
    }
    let frac = (v - min) / span;
    let mut out = BARS[0];
    for (k, c) in BARS.iter().enumerate() {
        // Level k covers fractions from k/8 upwards.
        if frac >= (k as f64) / 8.0 {
            out = *c;
        }
    }
    out
}

/// A sparkline of `get` over `[a, b)` (ms from the range start): one column per equal slice,
/// the mean of the samples in it; a blank where there are none (a gap is never drawn over).
fn sparkline(p: &Participant, get: Getter, a: i64, b: i64) -> Option<(String, f64, f64)> {
    let span = b.saturating_sub(a);
    if span <= 0 {
        return None;
    }
    let mut cols: Vec<Option<f64>> = Vec::with_capacity(60);
    let s = p.samples();
    let mut idx = s.partition_point(|x| x.t_ms < a);
    // The last sample before the current column, to carry across columns narrower than the
    // sample spacing, but never across a gap (more than `GAP_MS` to the next sample).
    let mut last: Option<(i64, f64)> = idx
        .checked_sub(1)
        .and_then(|i| s.get(i))
        .and_then(|x| get(x).map(|v| (x.t_ms, v)));
    for c in 0..WIDTH {
        let end = a.saturating_add(
            span.saturating_mul(c.saturating_add(1))
                .checked_div(WIDTH)
                .unwrap_or(0),
        );
        let (mut sum, mut n) = (0.0, 0u32);
        while let Some(x) = s.get(idx).filter(|x| x.t_ms < end) {
            if let Some(v) = get(x) {
                sum += v;
                n = n.saturating_add(1);
                last = Some((x.t_ms, v));
            }
            idx = idx.saturating_add(1);
        }
        let carried = match (last, s.get(idx)) {
            (Some((t, v)), Some(next)) if next.t_ms.saturating_sub(t) <= GAP_MS => Some(v),
            _ => None,
        };
        cols.push(if n > 0 {
            Some(sum / f64::from(n))
        } else {
            carried
        });
    }
    // Every series here is non-negative: anchor the scale at 0 so noise does not look like a
    // swing.
    let max = cols
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return None;
    }
    let min = 0.0;
    Some((
        cols.iter()
            .map(|c| c.map_or(' ', |v| level(v, min, max)))
            .collect(),
        min,
        max,
    ))
}

fn marker(a: i64, b: i64, start: i64, end: i64) -> String {
    let span = b.saturating_sub(a).max(1);
    (0..WIDTH)
        .map(|c| {
            let col_start =
                a.saturating_add(span.saturating_mul(c).checked_div(WIDTH).unwrap_or(0));
            let col_end = a.saturating_add(
                span.saturating_mul(c.saturating_add(1))
                    .checked_div(WIDTH)
                    .unwrap_or(0),
            );
            if col_start < end && start < col_end {
                '^'
            } else {
                ' '
            }
        })
        .collect()
}

fn write_finding(out: &mut String, call: &Call, n: usize, f: &Finding) {
    let _ = writeln!(
        out,
        "{n:>3}. [{}] {} — {} — {} ({}){} — {}–{}",
        f.severity,
        f.kind,
        f.side,
        f.user_id,
        f.role,
        f.peer.as_ref().map_or(String::new(), |p| format!(" ← {p}")),
        f.window.start().format("%H:%M:%S"),
        f.window.end().format("%H:%M:%S"),
    );
    let _ = writeln!(out, "     {}", f.explanation);
    let _ = writeln!(out, "     test: {}", f.test);
    let values: Vec<String> = f
        .values
        .iter()
        .map(|v| match &v.text {
            Some(t) => format!("{}={t}", v.name),
            None => format!("{}={}", v.name, v.value),
        })
        .collect();
    if !values.is_empty() {
        let _ = writeln!(out, "     values: {}", values.join(", "));
    }
    let start = f
        .window
        .start()
        .signed_duration_since(call.range().start())
        .num_milliseconds();
    let end = f
        .window
        .end()
        .signed_duration_since(call.range().start())
        .num_milliseconds();
    let pad = end
        .saturating_sub(start)
        .checked_div(2)
        .unwrap_or(0)
        .max(30_000);
    let a = start.saturating_sub(pad).max(0);
    let b = end.saturating_add(pad).min(call.range_ms());
    let mut who: Vec<(&str, &Participant)> = Vec::new();
    if let Some(p) = find(call, &f.user_id, f.role) {
        who.push(("", p));
    }
    if let Some(peer) = f.peer.as_ref().and_then(|u| find(call, u, Role::Publish)) {
        who.insert(0, ("pub ", peer));
        if let Some(first) = who.get_mut(1) {
            first.0 = "sub ";
        }
    }
    let mut drew = false;
    for &(name, get) in series_for(f.kind) {
        for &(tag, p) in &who {
            if let Some((line, min, max)) = sparkline(p, get, a, b) {
                let _ = writeln!(
                    out,
                    "     {:<15} {line} {min:.1}..{max:.1}",
                    format!("{tag}{name}")
                );
                drew = true;
            }
        }
    }
    if drew {
        let _ = writeln!(
            out,
            "     {:<15} {} {}–{}",
            "finding",
            marker(a, b, start, end),
            call.instant(a).format("%H:%M:%S"),
            call.instant(b).format("%H:%M:%S")
        );
    }
    if let Some(e) = &f.escalation {
        let _ = writeln!(out, "     escalate to the vendor:");
        for line in e.to_ticket().lines() {
            let _ = writeln!(out, "       {line}");
        }
    }
}

/// Renders a diagnosis for a person: grade, participants, audio scores with a MOS sparkline per
/// pair, each finding with its explanation, test, values and small charts of the series around
/// it (a `^` line marks the finding's window), then gaps and notes.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_diagnostics::{diagnose, render_report, DiagnosisRequest, Profile};
/// let request: DiagnosisRequest = serde_json::from_str(r#"{"app_id":"a","channel_id":"c",
///   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:10:00Z"},"participants":[]}"#)?;
/// let call = request.validate()?;
/// let text = render_report(&call, &diagnose(&call, &Profile::default())?);
/// assert!(text.contains("Grade: none (not enough data)"));
/// assert!(text.contains("No findings."));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn render_report(call: &Call, d: &Diagnosis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Call diagnosis: app {}, channel {}, range {} (profile {})",
        d.app_id, d.channel_id, d.range, d.profile
    );
    let _ = writeln!(out, "{}", d.grade.summary);
    let _ = writeln!(out);
    let _ = writeln!(out, "Participants:");
    for p in call.participants() {
        let c = p.client();
        let _ = writeln!(
            out,
            "  {:<24} SDK {:<10} OS {:<16} device {:<14} region {:<14} {} samples",
            p.label(),
            c.sdk_version,
            c.os,
            c.device_model.as_deref().unwrap_or("-"),
            c.region.as_ref().map_or("-", |r| r.as_str()),
            p.samples().len()
        );
    }
    let _ = writeln!(out);
    if !d.scores.is_empty() {
        let _ = writeln!(out, "Audio scores:");
    }
    for s in &d.scores {
        let (pmin, pmax) = s
            .windows
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), w| {
                (lo.min(w.mos), hi.max(w.mos))
            });
        let line: String = s
            .windows
            .iter()
            .map(|w| level(w.mos, pmin.min(1.0_f64.max(pmin - 0.5)), pmax))
            .take(120)
            .collect();
        let _ = writeln!(
            out,
            "  {} → {}: {}, codec {} (Ie {}, Bpl {}), {} windows, mean MOS {}, min MOS {}",
            s.publisher,
            s.subscriber,
            s.model,
            s.codec.name(),
            s.ie,
            s.bpl,
            s.windows.len(),
            s.mean_mos.map_or("-".to_owned(), |m| format!("{m:.2}")),
            s.min_mos.map_or("-".to_owned(), |m| format!("{m:.2}")),
        );
        if !line.is_empty() {
            let _ = writeln!(out, "    MOS {line}");
        }
    }
    let _ = writeln!(out);
    if d.findings.is_empty() {
        let _ = writeln!(out, "No findings.");
    } else {
        let _ = writeln!(out, "Findings ({}):", d.findings.len());
        for (i, f) in d.findings.iter().enumerate() {
            write_finding(&mut out, call, i.saturating_add(1), f);
        }
    }
    if !d.gaps.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Gaps (no samples, nothing assumed):");
        for g in &d.gaps {
            let _ = writeln!(
                out,
                "  {} ({}): {} ({} s)",
                g.user_id,
                g.role,
                g.window,
                g.window.seconds()
            );
        }
    }
    if !d.notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Notes:");
        for n in &d.notes {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_span_the_bars() {
        assert_eq!(level(0.0, 0.0, 8.0), '▁');
        assert_eq!(level(8.0, 0.0, 8.0), '█');
        assert_eq!(level(4.0, 0.0, 8.0), '▅');
        assert_eq!(level(3.0, 3.0, 3.0), '▄');
    }

    #[test]
    fn markers_cover_the_window() {
        let m = marker(0, 60_000, 30_000, 40_000);
        assert_eq!(m.chars().filter(|&c| c == '^').count(), 10);
        assert_eq!(m.chars().position(|c| c == '^'), Some(30));
    }
}
