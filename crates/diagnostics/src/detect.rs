//! The detectors: from validated series to explained findings.

use std::collections::BTreeMap;

use mediameter_core::{Role, TimeRange, UserId, VideoTier};

use crate::emodel::{CallInputs, Scorer};
use crate::finding::{
    Diagnosis, Escalation, ExplainedBy, Finding, FindingKind, GROUP_MAX_SECONDS, GROUP_MIN_COUNT,
    Gap, Grade, MAX_LISTED_OCCURRENCES, Observed, PairScore, Severity, Side, WindowScore, round2,
};
use crate::input::{Call, Participant, Sample};
use crate::media::{Effect, Operation, StreamKind, span_of};
use crate::profile::{MinVersion, Profile};
use crate::stats::{Robust, robust};
use crate::version::Version;

/// Floors for robust sigma, so that a perfectly flat series does not turn noise into z = ∞.
const LOSS_SIGMA_FLOOR: f64 = 0.5;
const RTT_SIGMA_FLOOR: f64 = 5.0;
/// How many earlier samples a bitrate is compared with to spot a downgrade.
const DOWNGRADE_LOOKBACK: usize = 5;

/// A per-block summary of one participant's samples.
#[derive(Debug, Clone, Copy)]
struct Block {
    index: i64,
    loss_mean: f64,
    rtt_mean: f64,
    rtt_median: f64,
    jitter_mean: Option<f64>,
    audio_mean: Option<f64>,
    video_kbps_mean: Option<f64>,
    fps_mean: Option<f64>,
    tier_min: Option<VideoTier>,
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Tier(VideoTier, VideoTier),
    Audio(f64, f64),
    Video(f64, f64),
}

#[derive(Debug, Clone, Copy)]
struct Downgrade {
    t_ms: i64,
    change: Change,
}

/// One participant's series with everything the detectors share.
struct Track<'a> {
    p: &'a Participant,
    ends: Vec<i64>,
    blocks: Vec<Block>,
    loss: Option<Robust>,
    rtt: Option<Robust>,
    fps_median: Option<f64>,
    /// Extremes over every sample, so a detector whose entry condition no sample can meet is
    /// skipped without a pass over the series.
    ext: Extremes,
}

#[derive(Debug, Clone, Copy)]
struct Extremes {
    loss_max: f64,
    rtt_max: f64,
    fps_min: f64,
    video_need_ratio_min: f64,
}

#[derive(Default)]
struct Acc {
    n: u32,
    sum: f64,
}

impl Acc {
    fn add(&mut self, v: Option<f64>) {
        if let Some(v) = v {
            self.n = self.n.saturating_add(1);
            self.sum += v;
        }
    }
    fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / f64::from(self.n))
    }
}

impl<'a> Track<'a> {
    fn new(p: &'a Participant, range_ms: i64, profile: &Profile, scratch: &mut Vec<f64>) -> Self {
        let s = p.samples();
        // The nominal sample interval: the median spacing, between 1 ms and the gap threshold.
        let nominal_ms = {
            let n = s.len().saturating_sub(1);
            let stride = n.div_ceil(crate::stats::ROBUST_CAP).max(1);
            let mut spacings: Vec<i64> = s
                .windows(2)
                .step_by(stride)
                .filter_map(|w| match w {
                    [a, b] => Some(b.t_ms.saturating_sub(a.t_ms)),
                    _ => None,
                })
                .collect();
            let mid = spacings.len() / 2;
            if spacings.is_empty() {
                1000
            } else {
                *spacings.select_nth_unstable(mid).1
            }
        }
        .clamp(1, profile.gap_ms);
        let ends = s
            .iter()
            .enumerate()
            .map(|(i, x)| match s.get(i.saturating_add(1)) {
                Some(next) if next.t_ms.saturating_sub(x.t_ms) <= profile.gap_ms => next.t_ms,
                _ => x.t_ms.saturating_add(nominal_ms).min(range_ms),
            })
            .collect();
        let loss = robust(s.iter().map(|x| x.loss_pct), scratch);
        let rtt = robust(s.iter().map(|x| x.rtt_ms), scratch);
        let fps_median = {
            // Stride over all samples (not only those with video) to stay within the cap.
            let stride = s.len().div_ceil(crate::stats::ROBUST_CAP).max(1);
            scratch.clear();
            scratch.extend(
                s.iter()
                    .step_by(stride)
                    .filter_map(|x| x.fps)
                    .filter(|&f| f >= 1.0),
            );
            crate::stats::median(scratch)
        };
        let (blocks, ext) = build_blocks(s, profile, scratch);
        Track {
            p,
            ends,
            blocks,
            loss,
            rtt,
            fps_median,
            ext,
        }
    }

    fn t(&self, i: usize) -> i64 {
        self.p.samples().get(i).map_or(0, |s| s.t_ms)
    }

    fn end(&self, i: usize) -> i64 {
        self.ends.get(i).copied().unwrap_or(0)
    }

    /// `[first sample, end of last sample)`, or `None` without samples.
    fn span(&self) -> Option<(i64, i64)> {
        let last = self.p.samples().len().checked_sub(1)?;
        Some((self.t(0), self.end(last)))
    }

    /// Hysteresis episodes: open on `enter`, stay open while `stay`, close at a gap.
    fn episodes(
        &self,
        gap_ms: i64,
        enter: impl Fn(&Sample) -> bool,
        stay: impl Fn(&Sample) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        let mut prev_t: Option<i64> = None;
        for (i, s) in self.p.samples().iter().enumerate() {
            let gap = prev_t.is_some_and(|p| s.t_ms.saturating_sub(p) > gap_ms);
            prev_t = Some(s.t_ms);
            if let Some((a, b)) = open {
                if !gap && stay(s) {
                    open = Some((a, i));
                    continue;
                }
                out.push((a, b));
                open = None;
            }
            if enter(s) {
                open = Some((i, i));
            }
        }
        out.extend(open);
        out
    }

    /// Mean of `f` over the samples inside `[a, b)`.
    fn mean_in(&self, a: i64, b: i64, f: impl Fn(&Sample) -> Option<f64>) -> Option<f64> {
        let s = self.p.samples();
        let from = s.partition_point(|x| x.t_ms < a);
        let mut acc = Acc::default();
        for x in s.iter().skip(from).take_while(|x| x.t_ms < b) {
            acc.add(f(x));
        }
        acc.mean()
    }
}

/// An iterator adapter that knows its length (for `robust`).
struct ExactIter<I> {
    inner: I,
    left: usize,
}

impl<I: Iterator<Item = f64>> Iterator for ExactIter<I> {
    type Item = f64;
    fn next(&mut self) -> Option<f64> {
        let v = self.inner.next()?;
        self.left = self.left.saturating_sub(1);
        Some(v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<I: Iterator<Item = f64>> ExactSizeIterator for ExactIter<I> {}

fn build_blocks(s: &[Sample], profile: &Profile, scratch: &mut Vec<f64>) -> (Vec<Block>, Extremes) {
    let block_ms = profile.block_ms;
    let mut ext = Extremes {
        loss_max: 0.0,
        rtt_max: 0.0,
        fps_min: f64::INFINITY,
        video_need_ratio_min: f64::INFINITY,
    };
    let mut blocks = Vec::new();
    let mut rest = s;
    while let Some(first) = rest.first() {
        // One division per block; samples are compared with the block's end.
        let index = first.t_ms.checked_div(block_ms).unwrap_or(0);
        let block_end = index.saturating_add(1).saturating_mul(block_ms);
        // A linear scan: blocks are short, and a binary search over the whole tail costs a
        // cache miss per step.
        let len = rest
            .iter()
            .take_while(|x| x.t_ms < block_end)
            .count()
            .max(1);
        let (part, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        let (mut loss, mut rtt, mut jit, mut audio, mut video, mut fps) = (
            Acc::default(),
            Acc::default(),
            Acc::default(),
            Acc::default(),
            Acc::default(),
            Acc::default(),
        );
        let mut tier_min: Option<VideoTier> = None;
        scratch.clear();
        for x in part {
            loss.add(Some(x.loss_pct));
            rtt.add(Some(x.rtt_ms));
            scratch.push(x.rtt_ms);
            jit.add(x.jitter_ms);
            audio.add(x.audio_kbps);
            video.add(x.video_kbps);
            fps.add(x.fps);
            ext.loss_max = ext.loss_max.max(x.loss_pct);
            ext.rtt_max = ext.rtt_max.max(x.rtt_ms);
            if let Some(f) = x.fps {
                ext.fps_min = ext.fps_min.min(f);
            }
            if let Some(t) = x.video_tier {
                tier_min = Some(tier_min.map_or(t, |m| m.min(t)));
                if let Some(v) = x.video_kbps {
                    ext.video_need_ratio_min = ext
                        .video_need_ratio_min
                        .min(v / profile.tier_min_kbps.get(t));
                }
            }
        }
        blocks.push(Block {
            index,
            loss_mean: loss.mean().unwrap_or(0.0),
            rtt_mean: rtt.mean().unwrap_or(0.0),
            rtt_median: crate::stats::median(scratch).unwrap_or(0.0),
            jitter_mean: jit.mean(),
            audio_mean: audio.mean(),
            video_kbps_mean: video.mean(),
            fps_mean: fps.mean(),
            tier_min,
        });
    }
    (blocks, ext)
}

/// The first downgrade at or after sample `from` and no later than `until_ms`: a tier drop, or
/// an audio or video bitrate below `1 − downgrade_ratio` of the highest of the previous
/// [`DOWNGRADE_LOOKBACK`] values. Only the stretch after a swing is scanned, so the cost is
/// per swing, not per sample.
fn first_downgrade(
    s: &[Sample],
    from: usize,
    until_ms: i64,
    profile: &Profile,
) -> Option<Downgrade> {
    let keep = 1.0 - profile.downgrade_ratio;
    let start = from.saturating_sub(DOWNGRADE_LOOKBACK);
    let mut last_tier: Option<VideoTier> = None;
    let mut audio = Lookback::default();
    let mut video = Lookback::default();
    let mut prev_t: Option<i64> = None;
    for (i, x) in s.iter().enumerate().skip(start) {
        if x.t_ms > until_ms {
            break;
        }
        if prev_t.is_some_and(|p| x.t_ms.saturating_sub(p) > profile.gap_ms) {
            audio = Lookback::default();
            video = Lookback::default();
            last_tier = None;
        }
        prev_t = Some(x.t_ms);
        let counts = i >= from;
        if let Some(t) = x.video_tier {
            if let Some(before) = last_tier.filter(|&b| counts && t < b) {
                return Some(Downgrade {
                    t_ms: x.t_ms,
                    change: Change::Tier(before, t),
                });
            }
            last_tier = Some(t);
        }
        if let Some((a, b)) = audio.push(x.audio_kbps, keep).filter(|_| counts) {
            return Some(Downgrade {
                t_ms: x.t_ms,
                change: Change::Audio(a, b),
            });
        }
        if let Some((a, b)) = video.push(x.video_kbps, keep).filter(|_| counts) {
            return Some(Downgrade {
                t_ms: x.t_ms,
                change: Change::Video(a, b),
            });
        }
    }
    None
}

/// The last few values of a bitrate, to spot a fall below `keep` × the recent maximum. Only the
/// first sample of a fall counts: a bitrate that stays low is one downgrade, not many.
#[derive(Default)]
struct Lookback {
    values: [f64; DOWNGRADE_LOOKBACK],
    len: usize,
    next: usize,
    last: Option<f64>,
}

impl Lookback {
    fn push(&mut self, v: Option<f64>, keep: f64) -> Option<(f64, f64)> {
        let v = v?;
        let reference = self.reference();
        let threshold = keep * reference;
        let fell = self.len > 0 && v < threshold && self.last.is_none_or(|l| l >= threshold);
        if let Some(slot) = self.values.get_mut(self.next) {
            *slot = v;
        }
        self.next = if self.next.saturating_add(1) >= DOWNGRADE_LOOKBACK {
            0
        } else {
            self.next.saturating_add(1)
        };
        self.len = self.len.saturating_add(1).min(DOWNGRADE_LOOKBACK);
        self.last = Some(v);
        fell.then_some((reference, v))
    }

    /// The largest of the remembered values (unused slots are 0, bitrates are never negative).
    fn reference(&self) -> f64 {
        let [a, b, c, d, e] = self.values;
        a.max(b).max(c).max(d).max(e)
    }
}

/// A finding before attribution and wording.
#[derive(Debug, Clone)]
struct Raw {
    kind: FindingKind,
    severity: Severity,
    part: usize,
    peer: Option<usize>,
    start: i64,
    end: i64,
    values: Vec<Observed>,
    test: String,
    /// The sentence after the subject ("lost 12 % of packets..."), before the attribution.
    what: String,
    /// What follows the attribution clause ("; this is the SDK adapting...").
    tail: String,
    side: Option<Side>,
    escalation: Option<Escalation>,
    /// The video stream the finding is about, when it is about one.
    stream: Option<StreamKind>,
    /// The participant and operation that explain the finding.
    explained_by: Option<(usize, Operation)>,
}

impl Raw {
    fn overlaps(&self, a: i64, b: i64) -> bool {
        self.start < b && a < self.end
    }
}

fn dur(ms: i64) -> String {
    let s = ms.checked_div(1000).unwrap_or(0);
    let (m, s) = (
        s.checked_div(60).unwrap_or(0),
        s.checked_rem(60).unwrap_or(0),
    );
    if m > 0 {
        format!("{m} min {s} s")
    } else {
        format!("{s} s")
    }
}

fn stats(
    track: &Track<'_>,
    a: usize,
    b: usize,
    f: impl Fn(&Sample) -> Option<f64>,
) -> (f64, f64, f64) {
    let mut acc = Acc::default();
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    for x in track
        .p
        .samples()
        .iter()
        .skip(a)
        .take(b.saturating_sub(a).saturating_add(1))
    {
        if let Some(v) = f(x) {
            acc.add(Some(v));
            min = min.min(v);
            max = max.max(v);
        }
    }
    (
        acc.mean().unwrap_or(0.0),
        if min.is_finite() { min } else { 0.0 },
        if max.is_finite() { max } else { 0.0 },
    )
}

/// Runs every detector. The profile must be valid.
pub(crate) fn run(call: &Call, profile: &Profile) -> Diagnosis {
    let range_ms = call.range_ms();
    let mut scratch = Vec::new();
    let tracks: Vec<Track<'_>> = call
        .participants()
        .iter()
        .map(|p| Track::new(p, range_ms, profile, &mut scratch))
        .collect();
    // Each explicit video stream, seen as a participant of its own for the video tests.
    let views: Vec<(usize, StreamKind, Participant)> = call
        .participants()
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.streams()
                .iter()
                .map(move |s| (i, s.kind(), p.stream_view(s)))
        })
        .collect();
    let stream_tracks: Vec<StreamTrack<'_>> = views
        .iter()
        .map(|(i, kind, p)| StreamTrack {
            part: *i,
            kind: *kind,
            track: Track::new(p, range_ms, profile, &mut scratch),
        })
        .collect();
    let mut raws: Vec<Raw> = Vec::new();
    let mut notes = Vec::new();
    let mut gaps = Vec::new();
    for (i, tr) in tracks.iter().enumerate() {
        find_gaps(call, tr, profile, &mut gaps);
        client_findings(i, tr, profile, range_ms, &mut raws, &mut notes);
        sustained(i, tr, profile, &mut raws);
        rtt_trend(i, tr, profile, &mut raws);
        spikes(i, tr, profile, &mut raws);
        let from = raws.len();
        video(i, tr, profile, &mut raws);
        // The samples' own video fields are the camera stream.
        for r in raws.iter_mut().skip(from) {
            r.stream = Some(StreamKind::Camera);
        }
    }
    for st in &stream_tracks {
        let from = raws.len();
        video(st.part, &st.track, profile, &mut raws);
        for r in raws.iter_mut().skip(from) {
            r.stream = Some(st.kind);
        }
    }
    drop_inherited(call, &mut raws);
    attribute(call, &tracks, &mut raws);
    let mut media_pairs: Vec<MediaPair<'_, '_>> = call
        .pairs()
        .iter()
        .filter_map(|&(pi, si)| {
            Some(MediaPair {
                pi,
                si,
                pt: tracks.get(pi)?,
                st: tracks.get(si)?,
                stream: None,
            })
        })
        .collect();
    for &(pi, si) in call.pairs() {
        for a in stream_tracks.iter().filter(|a| a.part == pi) {
            if let Some(b) = stream_tracks
                .iter()
                .find(|b| b.part == si && b.kind == a.kind)
            {
                media_pairs.push(MediaPair {
                    pi,
                    si,
                    pt: &a.track,
                    st: &b.track,
                    stream: Some(a.kind),
                });
            }
        }
    }
    disagreements(call, &media_pairs, profile, &mut raws);
    explain_by_operations(call, &mut raws);
    let scores = score_pairs(call, &tracks, profile);
    let mut findings: Vec<Finding> = raws.into_iter().filter_map(|r| finish(call, r)).collect();
    sort_findings(&mut findings);
    // Grouping lengthens a group's window to its last occurrence: sort again.
    let mut findings = group_short(findings);
    sort_findings(&mut findings);
    let has_samples = call.participants().iter().any(|p| !p.samples().is_empty());
    let grade = grade(&findings, &scores, has_samples);
    Diagnosis {
        app_id: call.app_id().clone(),
        channel_id: call.channel_id().clone(),
        range: call.range(),
        profile: profile.name.clone(),
        grade,
        findings,
        scores,
        gaps,
        notes,
    }
}

fn find_gaps(call: &Call, tr: &Track<'_>, profile: &Profile, out: &mut Vec<Gap>) {
    let range_ms = call.range_ms();
    let mut push = |a: i64, b: i64| {
        if let Some(window) = call.window(a, b) {
            out.push(Gap {
                user_id: tr.p.user_id().clone(),
                role: tr.p.role(),
                window,
            });
        }
    };
    let s = tr.p.samples();
    match (s.first(), s.last()) {
        (Some(first), Some(last)) => {
            if first.t_ms > profile.gap_ms {
                push(0, first.t_ms);
            }
            for (i, w) in s.windows(2).enumerate() {
                if let [a, b] = w
                    && b.t_ms.saturating_sub(a.t_ms) > profile.gap_ms
                {
                    push(tr.end(i), b.t_ms);
                }
            }
            if range_ms.saturating_sub(last.t_ms) > profile.gap_ms {
                push(tr.end(s.len().saturating_sub(1)), range_ms);
            }
        }
        _ => push(0, range_ms),
    }
}

fn os_platform_matches(os: &str, platform: &str) -> bool {
    platform == "*"
        || os
            .trim()
            .to_ascii_lowercase()
            .starts_with(&platform.to_ascii_lowercase())
}

/// The most specific row for `os`: a named platform beats `*`, a longer name beats a shorter.
fn min_for<'p>(rows: &'p [MinVersion], os: &str) -> Option<&'p MinVersion> {
    rows.iter()
        .filter(|m| os_platform_matches(os, &m.platform))
        .max_by_key(|m| {
            if m.platform == "*" {
                0
            } else {
                m.platform.len().saturating_add(1)
            }
        })
}

fn client_findings(
    i: usize,
    tr: &Track<'_>,
    profile: &Profile,
    range_ms: i64,
    out: &mut Vec<Raw>,
    notes: &mut Vec<String>,
) {
    let c = tr.p.client();
    let (start, end) = tr.span().unwrap_or((0, range_ms));
    let raw = |kind, severity, side, values, test: String, what: String| Raw {
        kind,
        severity,
        part: i,
        peer: None,
        start,
        end,
        values,
        test,
        what,
        tail: String::new(),
        side: Some(side),
        escalation: None,
        stream: None,
        explained_by: None,
    };
    match c.sdk_version.parse::<Version>() {
        Err(_) => notes.push(format!(
            "{}: SDK version {:?} is not a dotted version; not checked",
            tr.p.label(),
            crate::error_truncate(&c.sdk_version)
        )),
        Ok(v) => {
            if let Some(m) = min_for(&profile.clients.min_sdk, &c.os)
                && let Ok(min) = m.min.parse::<Version>()
                && v < min
            {
                out.push(raw(
                    FindingKind::OutdatedSdk,
                    Severity::Warning,
                    Side::Client,
                    vec![Observed::text("sdk_version", &c.sdk_version), Observed::text("min_sdk_version", &m.min)],
                    format!("SDK version {v} < minimum {min} for platform {:?} (numeric, part by part)", m.platform),
                    format!(
                        "runs RTC SDK {} on {}, older than the minimum {}; old SDKs lack fixes that protect quality, so upgrade it",
                        c.sdk_version, c.os, m.min
                    ),
                ));
            }
        }
    }
    let mut reasons = Vec::new();
    let mut values = Vec::new();
    if let Some(m) = min_for(&profile.clients.min_os, &c.os).filter(|m| m.platform != "*") {
        match (Version::find_in(&c.os), m.min.parse::<Version>()) {
            (Some(v), Ok(min)) if v < min => {
                reasons.push(format!(
                    "OS {} is older than {} {}",
                    c.os, m.platform, m.min
                ));
                values.push(Observed::text("os", &c.os));
                values.push(Observed::text("min_os_version", &m.min));
            }
            (None, _) => notes.push(format!(
                "{}: OS {:?} carries no version; not checked",
                tr.p.label(),
                crate::error_truncate(&c.os)
            )),
            _ => {}
        }
    }
    if let Some(model) = &c.device_model {
        let lower = model.to_ascii_lowercase();
        if let Some(legacy) = profile
            .clients
            .legacy_devices
            .iter()
            .find(|d| !d.is_empty() && lower.contains(&d.to_ascii_lowercase()))
        {
            reasons.push(format!("device {model} is on the legacy list ({legacy})"));
            values.push(Observed::text("device_model", model));
        }
    }
    if !reasons.is_empty() {
        out.push(raw(
            FindingKind::OutdatedDevice,
            Severity::Warning,
            Side::Client,
            values,
            "OS version below the per-platform minimum, or device model on the legacy list".to_owned(),
            format!("uses an old device or OS ({}), which can lower capture, encoding and decoding quality", reasons.join("; ")),
        ));
    }
    if let Some(region) = &c.region
        && profile
            .clients
            .poor_regions
            .iter()
            .any(|r| r.eq_ignore_ascii_case(region.as_str()))
    {
        out.push(raw(
            FindingKind::PoorNetworkRegion,
            Severity::Info,
            Side::of(tr.p.role()),
            vec![Observed::text("region", region.as_str())],
            "region is on the profile's poor-network list".to_owned(),
            format!("was in region {region}, listed as having poor networks, so its link is more likely to lose packets or lag"),
        ));
    }
}

fn sustained(i: usize, tr: &Track<'_>, p: &Profile, out: &mut Vec<Raw>) {
    type Metric = (
        FindingKind,
        fn(&Sample) -> f64,
        f64,
        f64,
        f64,
        &'static str,
        &'static str,
        &'static str,
    );
    let metrics: [Metric; 2] = [
        (
            FindingKind::HighLoss,
            |s| s.loss_pct,
            p.loss_high_pct,
            p.loss_high_exit_pct,
            p.loss_critical_pct,
            "loss",
            "%",
            "lost packets",
        ),
        (
            FindingKind::HighRtt,
            |s| s.rtt_ms,
            p.rtt_high_ms,
            p.rtt_high_exit_ms,
            p.rtt_critical_ms,
            "rtt",
            "ms",
            "had a high round-trip time",
        ),
    ];
    for (kind, f, enter, exit, critical, name, unit, verb) in metrics {
        let max = if kind == FindingKind::HighLoss {
            tr.ext.loss_max
        } else {
            tr.ext.rtt_max
        };
        if max < enter {
            continue;
        }
        for (a, b) in tr.episodes(p.gap_ms, |s| f(s) >= enter, |s| f(s) >= exit) {
            let (start, end) = (tr.t(a), tr.end(b));
            if end.saturating_sub(start) < p.sustained_min_ms {
                continue;
            }
            let (mean, min, max) = stats(tr, a, b, |s| Some(f(s)));
            let severity = if mean >= critical {
                Severity::Critical
            } else {
                Severity::Warning
            };
            let (mean_name, max_name, min_name) = if name == "loss" {
                ("loss_mean_pct", "loss_max_pct", "loss_min_pct")
            } else {
                ("rtt_mean_ms", "rtt_max_ms", "rtt_min_ms")
            };
            out.push(Raw {
                kind,
                severity,
                part: i,
                peer: None,
                start,
                end,
                values: vec![Observed::new(mean_name, mean), Observed::new(min_name, min), Observed::new(max_name, max)],
                test: format!(
                    "{name} ≥ {enter} {unit} to open, < {exit} {unit} to close (hysteresis), for at least {}; critical when the mean reaches {critical} {unit}",
                    dur(p.sustained_min_ms)
                ),
                what: format!("{verb} for {} (mean {:.1} {unit}, peak {:.1} {unit})", dur(end.saturating_sub(start)), mean, max),
                tail: String::new(),
                side: None,
                escalation: None,
                stream: None,
                explained_by: None,
            });
        }
    }
}

fn rtt_trend(i: usize, tr: &Track<'_>, p: &Profile, out: &mut Vec<Raw>) {
    let Some(first) = tr.p.samples().first() else {
        return;
    };
    let baseline_end = first.t_ms.saturating_add(p.trend_baseline_ms);
    let mut scratch: Vec<f64> = tr
        .blocks
        .iter()
        .filter(|b| b.index.saturating_mul(p.block_ms) < baseline_end)
        .map(|b| b.rtt_median)
        .collect();
    let n_base = scratch.len();
    let Some(mu0) = crate::stats::median(&mut scratch) else {
        return;
    };
    let base_samples = tr.p.samples().iter().take_while(|s| s.t_ms < baseline_end);
    let count = tr.p.samples().partition_point(|s| s.t_ms < baseline_end);
    let sigma = robust(
        ExactIter {
            inner: base_samples.map(|s| s.rtt_ms),
            left: count,
        },
        &mut scratch,
    )
    .map_or(0.0, |r| r.sigma)
    .max(2.0);
    let delta = p.rtt_shift_min_ms.max(4.0 * sigma);
    let h = p.cusum_h * delta / 2.0;
    let blocks = tr.blocks.get(n_base..).unwrap_or_default();
    let mut s = 0.0f64;
    let mut start: Option<usize> = None;
    let mut alarmed = false;
    let mut episodes = Vec::new();
    for (j, b) in blocks.iter().enumerate() {
        let inc = (b.rtt_median - mu0 - delta / 2.0).clamp(-delta, delta);
        let next = (s + inc).max(0.0);
        if s == 0.0 && next > 0.0 {
            start = Some(j);
            alarmed = false;
        }
        s = next;
        if s >= h {
            alarmed = true;
        }
        if s == 0.0 {
            if let (Some(a), true) = (start, alarmed) {
                episodes.push((a, j.saturating_sub(1)));
            }
            start = None;
            alarmed = false;
        }
    }
    if let (Some(a), true) = (start, alarmed) {
        episodes.push((a, blocks.len().saturating_sub(1)));
    }
    for (a, b) in episodes {
        let Some(ep) = blocks.get(a..=b) else {
            continue;
        };
        let (Some(fb), Some(lb)) = (ep.first(), ep.last()) else {
            continue;
        };
        let start_ms = fb.index.saturating_mul(p.block_ms).max(first.t_ms);
        let last_sample_end = tr.span().map_or(0, |(_, e)| e);
        let end_ms = lb
            .index
            .saturating_add(1)
            .saturating_mul(p.block_ms)
            .min(last_sample_end);
        if end_ms.saturating_sub(start_ms) < p.trend_min_ms {
            continue;
        }
        let mut meds: Vec<f64> = ep.iter().map(|b| b.rtt_median).collect();
        let level = crate::stats::median(&mut meds).unwrap_or(mu0);
        let peak = ep
            .iter()
            .map(|b| b.rtt_median)
            .fold(f64::NEG_INFINITY, f64::max);
        if level - mu0 < delta / 2.0 || peak - mu0 < delta {
            continue; // a spike, not a sustained change
        }
        // The final level: median of the last three blocks. A shift reaches 80 % of it fast.
        let mut tail: Vec<f64> = ep.iter().rev().take(3).map(|b| b.rtt_median).collect();
        let final_level = crate::stats::median(&mut tail).unwrap_or(level);
        let target = mu0 + 0.8 * (final_level - mu0);
        let rise = ep.iter().position(|b| b.rtt_median >= target).unwrap_or(0);
        let fast = rise <= 2.max(ep.len() / 5);
        let kind = if fast {
            FindingKind::RttLevelShift
        } else {
            FindingKind::RttDrift
        };
        let shape = if fast { "step up" } else { "drift up" };
        out.push(Raw {
            kind,
            severity: if final_level.max(level) >= p.rtt_high_ms { Severity::Critical } else { Severity::Warning },
            part: i,
            peer: None,
            start: start_ms,
            end: end_ms,
            values: vec![
                Observed::new("baseline_rtt_ms", mu0),
                Observed::new("level_rtt_ms", level),
                Observed::new("final_rtt_ms", final_level),
                Observed::new("shift_ms", level - mu0),
                Observed::new("baseline_sigma_ms", sigma),
            ],
            test: format!(
                "one-sided CUSUM on {}-block RTT medians against the first {} (baseline {:.0} ms, reference shift δ = max({} ms, 4σ) = {:.0} ms, increments clipped to ±δ, alarm at h = {}·δ/2), sustained ≥ {} with the episode median ≥ baseline + δ/2",
                dur(p.block_ms),
                dur(p.trend_baseline_ms),
                mu0,
                p.rtt_shift_min_ms,
                delta,
                p.cusum_h,
                dur(p.trend_min_ms)
            ),
            what: format!("saw RTT {shape} from a baseline of {:.0} ms to about {:.0} ms for {}", mu0, final_level, dur(end_ms.saturating_sub(start_ms))),
            tail: String::new(),
            side: None,
            escalation: None,
            stream: None,
            explained_by: None,
        });
    }
}

fn spikes(i: usize, tr: &Track<'_>, p: &Profile, out: &mut Vec<Raw>) {
    let (Some(loss), Some(rtt)) = (tr.loss, tr.rtt) else {
        return;
    };
    let loss_dev = |s: &Sample, k: f64| {
        s.loss_pct - loss.median
            >= (k * loss.sigma.max(LOSS_SIGMA_FLOOR)).max(p.loss_swing_min_pp * k / p.swing_z)
    };
    let rtt_dev = |s: &Sample, k: f64| {
        s.rtt_ms - rtt.median
            >= (k * rtt.sigma.max(RTT_SIGMA_FLOOR)).max(p.rtt_swing_min_ms * k / p.swing_z)
    };
    let loss_floor =
        loss.median + (p.swing_z * loss.sigma.max(LOSS_SIGMA_FLOOR)).max(p.loss_swing_min_pp);
    let rtt_floor =
        rtt.median + (p.swing_z * rtt.sigma.max(RTT_SIGMA_FLOOR)).max(p.rtt_swing_min_ms);
    if tr.ext.loss_max < loss_floor && tr.ext.rtt_max < rtt_floor {
        return; // no sample can open a swing
    }
    let enter = |s: &Sample| loss_dev(s, p.swing_z) || rtt_dev(s, p.swing_z);
    let stay = |s: &Sample| loss_dev(s, p.swing_z / 2.0) || rtt_dev(s, p.swing_z / 2.0);
    for (a, b) in tr.episodes(p.gap_ms, enter, stay) {
        let (start, end) = (tr.t(a), tr.end(b));
        if end.saturating_sub(start) >= p.sustained_min_ms {
            continue; // long: a sustained problem, judged by the threshold and trend detectors
        }
        let sustained_overlap = out.iter().any(|r| {
            r.part == i
                && matches!(r.kind, FindingKind::HighLoss | FindingKind::HighRtt)
                && r.overlaps(start, end)
        });
        if sustained_overlap {
            continue;
        }
        let (_, _, loss_peak) = stats(tr, a, b, |s| Some(s.loss_pct));
        let (_, _, rtt_peak) = stats(tr, a, b, |s| Some(s.rtt_ms));
        let loss_z = loss.z(loss_peak, LOSS_SIGMA_FLOOR);
        let rtt_z = rtt.z(rtt_peak, RTT_SIGMA_FLOOR);
        let loss_surge = loss_peak >= p.loss_surge_min_pct && loss_z >= p.surge_z;
        let rtt_surge = rtt_peak >= p.rtt_surge_min_ms && rtt_z >= p.surge_z;
        let values = vec![
            Observed::new("loss_peak_pct", loss_peak),
            Observed::new("loss_median_pct", loss.median),
            Observed::new("loss_robust_z", loss_z),
            Observed::new("rtt_peak_ms", rtt_peak),
            Observed::new("rtt_median_ms", rtt.median),
            Observed::new("rtt_robust_z", rtt_z),
        ];
        let peaks = format!(
            "loss peaked at {loss_peak:.1} % (median {:.1} %), RTT at {rtt_peak:.0} ms (median {:.0} ms)",
            loss.median, rtt.median
        );
        let length = dur(end.saturating_sub(start).max(1000));
        if loss_surge || rtt_surge {
            let critical =
                loss_peak >= 2.0 * p.loss_surge_min_pct || rtt_peak >= 2.0 * p.rtt_surge_min_ms;
            out.push(Raw {
                kind: FindingKind::NetworkSurge,
                severity: if critical { Severity::Critical } else { Severity::Warning },
                part: i,
                peer: None,
                start,
                end,
                values,
                test: format!(
                    "robust z = (x − median)/(1.4826·MAD) ≥ {} with loss ≥ {} % or RTT ≥ {} ms, shorter than {}",
                    p.surge_z,
                    p.loss_surge_min_pct,
                    p.rtt_surge_min_ms,
                    dur(p.sustained_min_ms)
                ),
                what: format!("had an extreme network surge for {length}: {peaks}"),
                tail: "; a surge this large hurts quality outright".to_owned(),
                side: None,
                escalation: None,
                stream: None,
                explained_by: None,
            });
            continue;
        }
        let adapt_end = end.saturating_add(p.adaptation_window_ms);
        let downgrade = first_downgrade(tr.p.samples(), a, adapt_end, p);
        let test = format!(
            "robust z ≥ {} (loss also ≥ median + {} pp, or RTT ≥ median + {} ms), shorter than {}, below the surge floors",
            p.swing_z,
            p.loss_swing_min_pp,
            p.rtt_swing_min_ms,
            dur(p.sustained_min_ms)
        );
        match downgrade {
            Some(d) => {
                let mut values = values;
                let change = match d.change {
                    Change::Tier(from, to) => {
                        values.push(Observed::text("tier_from", from.as_str()));
                        values.push(Observed::text("tier_to", to.as_str()));
                        format!(
                            "video resolution went from {} to {}",
                            from.vendor_label(),
                            to.vendor_label()
                        )
                    }
                    Change::Audio(from, to) => {
                        values.push(Observed::new("audio_kbps_from", from));
                        values.push(Observed::new("audio_kbps_to", to));
                        format!("audio bitrate went from {from:.0} to {to:.0} kbps")
                    }
                    Change::Video(from, to) => {
                        values.push(Observed::new("video_kbps_from", from));
                        values.push(Observed::new("video_kbps_to", to));
                        format!("video bitrate went from {from:.0} to {to:.0} kbps")
                    }
                };
                values.push(Observed::new(
                    "downgrade_delay_ms",
                    d.t_ms.saturating_sub(start) as f64,
                ));
                out.push(Raw {
                    kind: FindingKind::ExpectedAdaptation,
                    severity: Severity::Info,
                    part: i,
                    peer: None,
                    start,
                    end: end.max(d.t_ms.saturating_add(1)),
                    values,
                    test: format!(
                        "{test}; followed within {} by a tier drop or a bitrate fall of ≥ {:.0} %",
                        dur(p.adaptation_window_ms),
                        p.downgrade_ratio * 100.0
                    ),
                    what: format!("had a short network swing ({peaks})"),
                    tail: format!("; then {change}, which is the SDK adapting to keep the call smooth, not a fault"),
                    side: None,
                    escalation: None,
                    stream: None,
                    explained_by: None,
                });
            }
            None => out.push(Raw {
                kind: FindingKind::NetworkJitter,
                severity: Severity::Info,
                part: i,
                peer: None,
                start,
                end,
                values,
                test,
                what: format!(
                    "had a short network swing for {length} ({peaks}) with no downgrade after it"
                ),
                tail: String::new(),
                side: None,
                escalation: None,
                stream: None,
                explained_by: None,
            }),
        }
    }
}

fn video(i: usize, tr: &Track<'_>, p: &Profile, out: &mut Vec<Raw>) {
    // Video bitrate far below the tier's need.
    let floor = |s: &Sample| s.video_tier.map(|t| p.tier_min_kbps.get(t));
    let low = |s: &Sample, ratio: f64| matches!((s.video_kbps, floor(s)), (Some(v), Some(f)) if v < ratio * f);
    let stay_ratio = (p.low_bitrate_ratio * 1.2).min(1.0);
    let episodes = if tr.ext.video_need_ratio_min < p.low_bitrate_ratio {
        tr.episodes(
            p.gap_ms,
            |s| low(s, p.low_bitrate_ratio),
            |s| low(s, stay_ratio),
        )
    } else {
        Vec::new()
    };
    for (a, b) in episodes {
        let (start, end) = (tr.t(a), tr.end(b));
        if end.saturating_sub(start) < p.low_bitrate_min_ms {
            continue;
        }
        let (mean, _, _) = stats(tr, a, b, |s| s.video_kbps);
        let (need, _, _) = stats(tr, a, b, floor);
        let tier =
            tr.p.samples()
                .get(a)
                .and_then(|s| s.video_tier)
                .map_or("?", VideoTier::vendor_label);
        out.push(Raw {
            kind: FindingKind::LowVideoBitrate,
            severity: Severity::Warning,
            part: i,
            peer: None,
            start,
            end,
            values: vec![Observed::new("video_kbps_mean", mean), Observed::new("tier_need_kbps", need), Observed::text("tier", tier)],
            test: format!(
                "video bitrate < {} × the tier's need (360p {} / 720p {} / 1080p {} / 2k {} / 4k {} kbps) for at least {}, closing above {:.2} ×",
                p.low_bitrate_ratio,
                p.tier_min_kbps.p360,
                p.tier_min_kbps.p720,
                p.tier_min_kbps.p1080,
                p.tier_min_kbps.k2,
                p.tier_min_kbps.k4,
                dur(p.low_bitrate_min_ms),
                stay_ratio
            ),
            what: format!("carried {tier} video at {mean:.0} kbps for {}, far below the {need:.0} kbps that tier needs, so the picture is blocky or blurred", dur(end.saturating_sub(start))),
            tail: String::new(),
            side: None,
            escalation: None,
            stream: None,
            explained_by: None,
        });
    }
    // Frame-rate collapse.
    if let Some(base) = tr
        .fps_median
        .filter(|&b| b >= 5.0 && tr.ext.fps_min < p.fps_collapse_ratio * b)
    {
        let below = |s: &Sample, r: f64| s.fps.is_some_and(|f| f < r * base);
        for (a, b) in tr.episodes(
            p.gap_ms,
            |s| below(s, p.fps_collapse_ratio),
            |s| below(s, p.fps_collapse_exit_ratio),
        ) {
            let (start, end) = (tr.t(a), tr.end(b));
            let (mean, _, max) = stats(tr, a, b, |s| s.fps);
            if end.saturating_sub(start) < p.fps_collapse_min_ms || max < 1.0 {
                continue;
            }
            out.push(Raw {
                kind: FindingKind::FpsCollapse,
                severity: Severity::Warning,
                part: i,
                peer: None,
                start,
                end,
                values: vec![Observed::new("fps_mean", mean), Observed::new("fps_median_call", base)],
                test: format!(
                    "fps < {} × the participant's median ({base:.1}) to open, < {} × to stay, for at least {}",
                    p.fps_collapse_ratio,
                    p.fps_collapse_exit_ratio,
                    dur(p.fps_collapse_min_ms)
                ),
                what: format!(
                    "dropped to {mean:.1} fps for {} against its usual {base:.0} fps, so motion looked choppy",
                    dur(end.saturating_sub(start))
                ),
                tail: String::new(),
                side: None,
                escalation: None,
                stream: None,
                explained_by: None,
            });
        }
    }
    // Freezes.
    let frozen = |s: &Sample| s.fps.is_some_and(|f| f < 1.0);
    let freezes = if tr.ext.fps_min < 1.0 {
        tr.episodes(p.gap_ms, frozen, frozen)
    } else {
        Vec::new()
    };
    for (a, b) in freezes {
        let (start, end) = (tr.t(a), tr.end(b));
        let length = end.saturating_sub(start);
        if length < p.freeze_min_ms {
            continue;
        }
        out.push(Raw {
            kind: FindingKind::Freeze,
            severity: if length >= p.freeze_min_ms.saturating_mul(5) {
                Severity::Critical
            } else {
                Severity::Warning
            },
            part: i,
            peer: None,
            start,
            end,
            values: vec![Observed::new("freeze_ms", length as f64)],
            test: format!(
                "fps < 1 on consecutive samples for at least {}",
                dur(p.freeze_min_ms)
            ),
            what: format!("showed a frozen picture (no frames) for {}", dur(length)),
            tail: String::new(),
            side: None,
            escalation: None,
            stream: None,
            explained_by: None,
        });
    }
}

/// One explicit video stream of a participant, with its track.
struct StreamTrack<'a> {
    part: usize,
    kind: StreamKind,
    track: Track<'a>,
}

/// A publisher/subscriber pair compared block by block: the participants themselves (audio and
/// the camera shorthand), or one stream kind on both ends.
struct MediaPair<'t, 'a> {
    pi: usize,
    si: usize,
    pt: &'t Track<'a>,
    st: &'t Track<'a>,
    stream: Option<StreamKind>,
}

/// Which medium a finding is about, as an operation's [`Effect`] covers it.
fn covers(effect: Effect, kind: FindingKind, stream: Option<StreamKind>, audio: bool) -> bool {
    match effect {
        Effect::All => true,
        Effect::Network => matches!(
            kind,
            FindingKind::NetworkSurge
                | FindingKind::NetworkJitter
                | FindingKind::ExpectedAdaptation
        ),
        Effect::Audio => audio && kind == FindingKind::UnexplainedDisagreement,
        Effect::Video => {
            !audio
                && matches!(
                    kind,
                    FindingKind::LowVideoBitrate
                        | FindingKind::FpsCollapse
                        | FindingKind::Freeze
                        | FindingKind::UnexplainedDisagreement
                )
        }
        Effect::ScreenShare => {
            stream == Some(StreamKind::ScreenShare)
                && matches!(
                    kind,
                    FindingKind::LowVideoBitrate
                        | FindingKind::FpsCollapse
                        | FindingKind::Freeze
                        | FindingKind::UnexplainedDisagreement
                )
        }
    }
}

/// Findings that a user operation explains (camera off, background, mute, a stream switch, a
/// network change, leaving) on the participant or its counterparts, overlapping the finding
/// (a network change from a few seconds before it): reported as explained, at info severity,
/// naming the operation and its time, and never escalated. The vendor console's advice is to
/// escalate only when devices, versions, network and the users' operations show nothing wrong.
fn explain_by_operations(call: &Call, raws: &mut [Raw]) {
    let range_ms = call.range_ms();
    for r in raws.iter_mut() {
        if matches!(
            r.kind,
            FindingKind::OutdatedSdk | FindingKind::OutdatedDevice | FindingKind::PoorNetworkRegion
        ) {
            continue;
        }
        // An audio-only disagreement is explained by audio operations, any other by video ones.
        let audio = r.kind == FindingKind::UnexplainedDisagreement
            && r.values.iter().any(|v| v.name == "pub_audio_kbps")
            && !r
                .values
                .iter()
                .any(|v| v.name == "pub_video_kbps" || v.name == "pub_fps");
        let who = std::iter::once(r.part).chain(r.peer).chain(
            (r.peer.is_none() && !r.kind.is_network())
                .then(|| counterparts(call, r.part).collect::<Vec<_>>())
                .into_iter()
                .flatten(),
        );
        let mut best: Option<(usize, Operation)> = None;
        for q in who {
            let Some(part) = call.participants().get(q) else {
                continue;
            };
            let ops = part.operations();
            for (k, op) in ops.iter().enumerate() {
                let Some(effect) = op.kind.effect() else {
                    continue;
                };
                let Some((from, until)) = span_of(ops, k, range_ms) else {
                    continue;
                };
                // A network change is logged around the swing it causes, not always before it.
                let from = if effect == Effect::Network {
                    from.saturating_sub(crate::media::SETTLE_MS)
                } else {
                    from
                };
                if from < r.end
                    && r.start < until
                    && covers(effect, r.kind, r.stream, audio)
                    && best.is_none_or(|(_, b)| op.t_ms < b.t_ms)
                {
                    best = Some((q, *op));
                }
            }
        }
        let Some((q, op)) = best else { continue };
        let Some(who) = call.participants().get(q) else {
            continue;
        };
        if r.kind == FindingKind::UnexplainedDisagreement {
            r.kind = FindingKind::ExplainedByOperation;
            r.escalation = None;
            r.what = r
                .what
                .split(" while devices")
                .next()
                .unwrap_or_default()
                .to_owned();
        }
        r.severity = Severity::Info;
        r.what.push_str(&format!(
            "; explained by {}'s operation {} at {} UTC, so it is not escalated",
            who.user_id(),
            op.kind,
            op.at.format("%H:%M:%S")
        ));
        r.values.push(Observed::text("operation", op.kind.as_str()));
        r.explained_by = Some((q, op));
    }
}

fn counterparts(call: &Call, i: usize) -> impl Iterator<Item = usize> + '_ {
    call.pairs().iter().filter_map(move |&(p, s)| {
        if p == i {
            Some(s)
        } else if s == i {
            Some(p)
        } else {
            None
        }
    })
}

/// A subscriber's video problem that its publisher shows too is the publisher's: drop it.
fn drop_inherited(call: &Call, raws: &mut Vec<Raw>) {
    let inherited: Vec<bool> = raws
        .iter()
        .map(|r| {
            matches!(
                r.kind,
                FindingKind::LowVideoBitrate | FindingKind::FpsCollapse | FindingKind::Freeze
            ) && call
                .participants()
                .get(r.part)
                .is_some_and(|p| p.role() == Role::Subscribe)
                && raws.iter().any(|q| {
                    q.kind == r.kind
                        && q.stream == r.stream
                        && q.start < r.end
                        && r.start < q.end
                        && call
                            .pairs()
                            .iter()
                            .any(|&(pp, ss)| ss == r.part && pp == q.part)
                })
        })
        .collect();
    let mut it = inherited.into_iter();
    raws.retain(|_| !it.next().unwrap_or(false));
}

/// Decides the side of network findings by comparing the participant with its counterparts.
fn attribute(call: &Call, tracks: &[Track<'_>], raws: &mut [Raw]) {
    let snapshot: Vec<(FindingKind, usize, i64, i64)> = raws
        .iter()
        .map(|r| (r.kind, r.part, r.start, r.end))
        .collect();
    for r in raws.iter_mut() {
        if r.side.is_some() {
            continue;
        }
        let Some(me) = call.participants().get(r.part) else {
            continue;
        };
        let own = Side::of(me.role());
        let network = matches!(
            r.kind,
            FindingKind::HighLoss
                | FindingKind::HighRtt
                | FindingKind::RttLevelShift
                | FindingKind::RttDrift
                | FindingKind::NetworkSurge
                | FindingKind::NetworkJitter
                | FindingKind::ExpectedAdaptation
        );
        if !network {
            r.side = Some(own);
            continue;
        }
        let spike = matches!(
            r.kind,
            FindingKind::NetworkSurge
                | FindingKind::NetworkJitter
                | FindingKind::ExpectedAdaptation
        );
        let loss_led = r.kind == FindingKind::HighLoss
            || (spike && r.value_of("loss_robust_z") >= r.value_of("rtt_robust_z"));
        let use_rtt = !loss_led;
        let peers: Vec<usize> = counterparts(call, r.part).collect();
        // Sustained findings compare the peers' level with the threshold; short swings compare
        // each peer with its own usual level (robust z), since a peer may sit on another level.
        let mut worst: Option<f64> = None;
        for &q in &peers {
            let Some(t) = tracks.get(q) else { continue };
            let m = if use_rtt {
                t.mean_in(r.start, r.end, |s| Some(s.rtt_ms))
            } else {
                t.mean_in(r.start, r.end, |s| Some(s.loss_pct))
            };
            let v = match (spike, m) {
                (false, m) => m,
                (true, Some(m)) if use_rtt => t.rtt.map(|b| b.z(m, RTT_SIGMA_FLOOR)),
                (true, Some(m)) => t.loss.map(|b| b.z(m, LOSS_SIGMA_FLOOR)),
                (true, None) => None,
            };
            if let Some(v) = v {
                worst = Some(worst.map_or(v, |w: f64| w.max(v)));
            }
        }
        let family = |k: FindingKind| match k {
            FindingKind::RttLevelShift | FindingKind::RttDrift => 1,
            FindingKind::NetworkSurge
            | FindingKind::NetworkJitter
            | FindingKind::ExpectedAdaptation => 2,
            _ => 0,
        };
        let same_kind =
            |k: FindingKind| k == r.kind || (family(k) != 0 && family(k) == family(r.kind));
        let shared = snapshot.iter().any(|&(k, part, a, b)| {
            same_kind(k) && peers.contains(&part) && a < r.end && r.start < b
        });
        let metric = if use_rtt { "RTT" } else { "loss" };
        let (unit, name) = match (spike, use_rtt) {
            (true, true) => ("", "peer_rtt_robust_z"),
            (true, false) => ("", "peer_loss_robust_z"),
            (false, true) => (" ms", "peer_rtt_mean_ms"),
            (false, false) => (" %", "peer_loss_mean_pct"),
        };
        let others = match me.role() {
            Role::Publish => "its subscribers",
            Role::Subscribe => "its publisher",
        };
        let mine = match me.role() {
            Role::Publish => "publisher's uplink",
            Role::Subscribe => "subscriber's downlink",
        };
        let (side, clause) = match (shared, worst) {
            (true, _) => (
                Side::Both,
                format!(
                    ", and {others} saw the same at the time, so both ends' networks or the path between them are affected"
                ),
            ),
            (false, Some(w)) if spike => (
                own,
                format!(
                    ", while the {metric} of {others} stayed near its usual level (robust z {w:.1}), so the cause is this {mine}"
                ),
            ),
            (false, Some(w)) => (
                own,
                format!(
                    ", while {others} measured {metric} {w:.1}{unit} at the same time, so the cause is this {mine}"
                ),
            ),
            (false, None) => (
                own,
                format!(
                    "; {others} had no samples to compare, so it is attributed to this participant's own link"
                ),
            ),
        };
        if let Some(w) = worst {
            r.values.push(Observed::new(name, w));
        }
        r.what.push_str(&clause);
        r.what.push_str(&std::mem::take(&mut r.tail));
        r.side = Some(side);
    }
}

impl Raw {
    fn value_of(&self, name: &str) -> f64 {
        self.values
            .iter()
            .find(|v| v.name == name)
            .map_or(0.0, |v| v.value)
    }
}

fn disagreements(call: &Call, pairs: &[MediaPair<'_, '_>], p: &Profile, raws: &mut Vec<Raw>) {
    let mut found = Vec::new();
    for pair in pairs {
        let (pi, si, pt, st, stream) = (pair.pi, pair.si, pair.pt, pair.st, pair.stream);
        let mut run: Vec<(i64, [f64; 8])> = Vec::new();
        let mut flush = |run: &mut Vec<(i64, [f64; 8])>| {
            if let (Some(&(first, _)), Some(&(last, _))) = (run.first(), run.last()) {
                let start = first.saturating_mul(p.block_ms);
                let end = last
                    .saturating_add(1)
                    .saturating_mul(p.block_ms)
                    .min(call.range_ms());
                if end.saturating_sub(start) >= p.disagreement_min_ms {
                    let n = run.len() as f64;
                    let mut sums = [0.0f64; 8];
                    for (_, v) in run.iter() {
                        for (s, x) in sums.iter_mut().zip(v) {
                            *s += x;
                        }
                    }
                    found.push((pi, si, stream, start, end, sums.map(|s| s / n)));
                }
            }
            run.clear();
        };
        let mut j = 0usize;
        let mut prev_index: Option<i64> = None;
        for pb in &pt.blocks {
            while st.blocks.get(j).is_some_and(|b| b.index < pb.index) {
                j = j.saturating_add(1);
            }
            let Some(sb) = st.blocks.get(j).filter(|b| b.index == pb.index) else {
                continue;
            };
            let ratio = |pv: Option<f64>, sv: Option<f64>, min: f64, r: f64| match (pv, sv) {
                (Some(a), Some(b)) if a >= min => Some((a, b, b < r * a)),
                _ => None,
            };
            let audio = ratio(pb.audio_mean, sb.audio_mean, 4.0, p.disagreement_ratio);
            let videob = ratio(
                pb.video_kbps_mean,
                sb.video_kbps_mean,
                50.0,
                p.disagreement_ratio,
            );
            let fps = ratio(pb.fps_mean, sb.fps_mean, 5.0, p.fps_disagreement_ratio);
            let tier = matches!((pb.tier_min, sb.tier_min), (Some(a), Some(b)) if b < a);
            let disagree = tier
                || [audio, videob, fps]
                    .iter()
                    .any(|x| x.is_some_and(|(_, _, d)| d));
            if disagree && prev_index.is_some_and(|k| k.saturating_add(1) != pb.index) {
                flush(&mut run);
            }
            if disagree {
                let pick = |x: Option<(f64, f64, bool)>| x.map_or((0.0, 0.0), |(a, b, _)| (a, b));
                let (a1, a2) = pick(audio);
                let (v1, v2) = pick(videob);
                let (f1, f2) = pick(fps);
                let tier_pub = pb.tier_min.map_or(0.0, |t| t.max_pixels() as f64);
                let tier_sub = sb.tier_min.map_or(0.0, |t| t.max_pixels() as f64);
                run.push((pb.index, [a1, a2, v1, v2, f1, f2, tier_pub, tier_sub]));
                prev_index = Some(pb.index);
            } else {
                flush(&mut run);
                prev_index = None;
            }
        }
        flush(&mut run);
    }
    for (pi, si, stream, start, end, m) in found {
        let explained = raws.iter().any(|r| {
            (r.part == pi || r.part == si)
                && (r.kind.is_network()
                    || matches!(
                        r.kind,
                        FindingKind::OutdatedSdk | FindingKind::OutdatedDevice
                    ))
                && r.overlaps(start, end)
        });
        if explained {
            continue;
        }
        let (Some(pp), Some(sp)) = (call.participants().get(pi), call.participants().get(si))
        else {
            continue;
        };
        let [a1, a2, v1, v2, f1, f2, t1, t2] = m;
        let mut evidence = Vec::new();
        let mut values = Vec::new();
        let share = |a: f64, b: f64| if a > 0.0 { b / a } else { 0.0 };
        if a1 > 0.0 && a2 < p.disagreement_ratio * a1 {
            evidence.push(format!(
                "audio: publisher sent {a1:.1} kbps, subscriber received {a2:.1} kbps ({:.2}×)",
                share(a1, a2)
            ));
        }
        if v1 > 0.0 && v2 < p.disagreement_ratio * v1 {
            evidence.push(format!(
                "video: publisher sent {v1:.0} kbps, subscriber received {v2:.0} kbps ({:.2}×)",
                share(v1, v2)
            ));
        }
        if f1 > 0.0 && f2 < p.fps_disagreement_ratio * f1 {
            evidence.push(format!(
                "frame rate: publisher {f1:.1} fps, subscriber {f2:.1} fps ({:.2}×)",
                share(f1, f2)
            ));
        }
        if t2 < t1 {
            evidence.push(format!("resolution: subscriber received fewer pixels than published ({t2:.0} vs {t1:.0} px per frame)"));
        }
        for (name, v) in [
            ("pub_audio_kbps", a1),
            ("sub_audio_kbps", a2),
            ("pub_video_kbps", v1),
            ("sub_video_kbps", v2),
            ("pub_fps", f1),
            ("sub_fps", f2),
        ] {
            if v > 0.0 {
                values.push(Observed::new(name, v));
            }
        }
        evidence.push(
            "no loss, RTT, surge, region, device or SDK finding on either end in this window"
                .to_owned(),
        );
        let Some(window) = call.window(start, end) else {
            continue;
        };
        let escalation = Escalation {
            app_id: call.app_id().clone(),
            channel_id: call.channel_id().clone(),
            range: call.range(),
            window,
            publisher: pp.user_id().clone(),
            subscriber: sp.user_id().clone(),
            evidence: evidence.clone(),
        };
        raws.push(Raw {
            kind: FindingKind::UnexplainedDisagreement,
            severity: Severity::Warning,
            part: si,
            peer: Some(pi),
            start,
            end,
            values,
            test: format!(
                "per {} block: subscriber bitrate < {} × publisher's, fps < {} × publisher's, or a lower tier, for at least {}, with no network, region, device or SDK finding on either end",
                dur(p.block_ms),
                p.disagreement_ratio,
                p.fps_disagreement_ratio,
                dur(p.disagreement_min_ms)
            ),
            what: format!(
                "received media that disagrees with what publisher {} sent for {} ({}) while devices, versions and networks on both ends look normal: escalate to the vendor with the attached bundle",
                pp.user_id(),
                dur(end.saturating_sub(start)),
                evidence.first().map_or("", String::as_str)
            ),
            tail: String::new(),
            side: Some(Side::Both),
            escalation: Some(escalation),
            stream,
            explained_by: None,
        });
    }
}

fn score_pairs(call: &Call, tracks: &[Track<'_>], p: &Profile) -> Vec<PairScore> {
    let scorer = Scorer::new(call.codec());
    let (model, ie, bpl) = call.codec().impairment();
    let mut out = Vec::with_capacity(call.pairs().len());
    for &(pi, si) in call.pairs() {
        let (Some(pt), Some(st)) = (tracks.get(pi), tracks.get(si)) else {
            continue;
        };
        let mut windows = Vec::new();
        let mut j = 0usize;
        for pb in &pt.blocks {
            while st.blocks.get(j).is_some_and(|b| b.index < pb.index) {
                j = j.saturating_add(1);
            }
            let Some(sb) = st.blocks.get(j).filter(|b| b.index == pb.index) else {
                continue;
            };
            if pb.audio_mean.is_none() {
                continue;
            }
            let start = pb.index.saturating_mul(p.block_ms);
            let Some(window) = call.window(start, start.saturating_add(p.block_ms)) else {
                continue;
            };
            let ppl = 100.0 * (1.0 - (1.0 - pb.loss_mean / 100.0) * (1.0 - sb.loss_mean / 100.0));
            let jitter = sb.jitter_mean.or(pb.jitter_mean).unwrap_or(0.0);
            let jb = (p.jitter_buffer_factor * jitter).max(p.jitter_buffer_min_ms);
            let ta = pb.rtt_mean / 2.0 + sb.rtt_mean / 2.0 + jb;
            let s = scorer.score(&CallInputs { ppl, ta_ms: ta });
            windows.push(WindowScore {
                window,
                ppl_pct: round2(ppl),
                rtt_publisher_ms: round2(pb.rtt_mean),
                rtt_subscriber_ms: round2(sb.rtt_mean),
                jitter_buffer_ms: round2(jb),
                ta_ms: round2(ta),
                r: round2(s.r),
                r_narrowband: round2(s.r_narrowband),
                mos: round2(s.mos),
            });
        }
        let n = windows.len() as f64;
        let mean_mos =
            (!windows.is_empty()).then(|| round2(windows.iter().map(|w| w.mos).sum::<f64>() / n));
        let min_mos = windows.iter().map(|w| w.mos).min_by(f64::total_cmp);
        let (Some(pp), Some(sp)) = (call.participants().get(pi), call.participants().get(si))
        else {
            continue;
        };
        out.push(PairScore {
            publisher: pp.user_id().clone(),
            subscriber: sp.user_id().clone(),
            model,
            codec: call.codec(),
            ie,
            bpl,
            windows,
            mean_mos,
            min_mos,
        });
    }
    out
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.window.start(),
            a.window.end(),
            a.kind,
            &a.user_id,
            a.role,
            &a.peer,
        )
            .cmp(&(
                b.window.start(),
                b.window.end(),
                b.kind,
                &b.user_id,
                b.role,
                &b.peer,
            ))
    });
}

/// Groups repeated short findings of one kind on one participant (same side and peer): with
/// [`GROUP_MIN_COUNT`] or more findings of at most [`GROUP_MAX_SECONDS`] each, they become one
/// finding with the count, the span from first to last, and the first
/// [`MAX_LISTED_OCCURRENCES`] windows. A one-sample spike every few seconds over an hour is one
/// line in a report, not a thousand. `findings` is sorted on entry and the result is sorted.
fn group_short(findings: Vec<Finding>) -> Vec<Finding> {
    type Key = (
        FindingKind,
        UserId,
        Role,
        Option<UserId>,
        Side,
        Option<StreamKind>,
    );
    let key = |f: &Finding| -> Key {
        (
            f.kind,
            f.user_id.clone(),
            f.role,
            f.peer.clone(),
            f.side,
            f.stream,
        )
    };
    let short = |f: &Finding| f.window.seconds() <= GROUP_MAX_SECONDS && f.escalation.is_none();
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for f in findings.iter().filter(|f| short(f)) {
        let n = counts.entry(key(f)).or_default();
        *n = n.saturating_add(1);
    }
    // The index in `out` of each group's finding, once created.
    let mut slots: BTreeMap<Key, usize> = BTreeMap::new();
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        let k = key(&f);
        if !short(&f) || counts.get(&k).is_none_or(|&n| n < GROUP_MIN_COUNT) {
            out.push(f);
            continue;
        }
        match slots.get(&k).and_then(|&i| out.get_mut(i)) {
            Some(g) => {
                g.count = g.count.saturating_add(1);
                if g.occurrences.len() < MAX_LISTED_OCCURRENCES {
                    g.occurrences.push(f.window);
                }
                if f.severity > g.severity {
                    g.severity = f.severity;
                    g.values = f.values;
                    g.test = f.test;
                }
                if let Ok(span) =
                    TimeRange::new(g.window.start(), f.window.end().max(g.window.end()))
                {
                    g.window = span;
                }
            }
            None => {
                slots.insert(k, out.len());
                let mut g = f;
                g.occurrences = vec![g.window];
                out.push(g);
            }
        }
    }
    for g in out.iter_mut().filter(|g| g.count > 1) {
        let listed = if g.count > g.occurrences.len() {
            format!(" (the first {} listed)", g.occurrences.len())
        } else {
            String::new()
        };
        let first = g.explanation.trim_end_matches('.');
        g.explanation = format!(
            "{first}; seen {} times between {} and {} UTC{listed}.",
            g.count,
            g.window.start().format("%H:%M:%S"),
            g.window.end().format("%H:%M:%S"),
        );
    }
    out
}

fn grade(findings: &[Finding], scores: &[PairScore], has_samples: bool) -> Grade {
    if !has_samples {
        return Grade {
            letter: None,
            label: Grade::label_for(None),
            r_p10: None,
            mos_p10: None,
            summary: format!(
                "Grade: none (not enough data). The call has no samples, so nothing can be \
                 graded. {} finding(s) from client information.",
                findings.len()
            ),
        };
    }
    let mut rs: Vec<f64> = scores
        .iter()
        .flat_map(|s| s.windows.iter().map(|w| w.r_narrowband))
        .collect();
    rs.sort_by(f64::total_cmp);
    // Nearest-rank 10th percentile: the value at rank ceil(0.1·n).
    let r_p10 = rs
        .len()
        .checked_sub(1)
        .and_then(|last| rs.get(rs.len().div_ceil(10).saturating_sub(1).min(last)))
        .copied();
    let mut letter = r_p10.map_or('A', Grade::letter_for_r);
    let worst = findings.iter().map(|f| f.severity).max();
    match worst {
        Some(Severity::Critical) => letter = letter.max('D'),
        Some(Severity::Warning) => letter = letter.max('B'),
        _ => {}
    }
    let label = Grade::label_for(Some(letter));
    let mos_p10 = r_p10.map(|r| round2(crate::emodel::mos_from_r(r)));
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut summary = format!("Grade {letter} ({label}). ");
    match (r_p10, mos_p10) {
        (Some(r), Some(m)) => summary.push_str(&format!(
            "Audio: 90 % of scored windows reach MOS {m:.2} or better (R {r:.1}, {}). ",
            crate::emodel::satisfaction(r)
        )),
        _ => summary.push_str(
            "Audio: no window could be scored (no publisher/subscriber pair with audio samples). ",
        ),
    }
    summary.push_str(&format!(
        "{} critical, {} warning and {} info finding(s).",
        count(Severity::Critical),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    // The main problem: the most severe; then media or network over client facts; then one
    // that overlaps the worst audio window; then the longest; then the earliest.
    let worst_window = scores
        .iter()
        .flat_map(|s| s.windows.iter())
        .min_by(|a, b| a.r_narrowband.total_cmp(&b.r_narrowband))
        .map(|w| w.window);
    let rank = |f: &Finding| {
        (
            f.severity,
            f.side != Side::Client,
            worst_window.is_some_and(|w| w.overlaps(&f.window)),
            f.window.duration(),
            std::cmp::Reverse(f.window.start()),
        )
    };
    if let Some(main) = findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .max_by_key(|f| rank(f))
    {
        summary.push_str(&format!(" Main problem: {}", main.explanation));
    }
    Grade {
        letter: Some(letter),
        label,
        r_p10: r_p10.map(round2),
        mos_p10,
        summary,
    }
}

fn finish(call: &Call, r: Raw) -> Option<Finding> {
    let me = call.participants().get(r.part)?;
    let window = call.window(r.start, r.end)?;
    let mut subject = match me.role() {
        Role::Publish => format!("Publisher {}", me.user_id()),
        Role::Subscribe => format!("Subscriber {}", me.user_id()),
    };
    if let Some(kind) = r.stream {
        subject.push_str(&format!(" ({})", kind.label()));
    }
    let explained_by = r.explained_by.and_then(|(q, op)| {
        let who = call.participants().get(q)?;
        Some(ExplainedBy {
            user_id: who.user_id().clone(),
            role: who.role(),
            operation: op.kind,
            at: op.at,
        })
    });
    let at = format!(
        " between {} and {} UTC",
        window.start().format("%H:%M:%S"),
        window.end().format("%H:%M:%S")
    );
    let explanation = match r.kind {
        FindingKind::OutdatedSdk | FindingKind::OutdatedDevice | FindingKind::PoorNetworkRegion => {
            format!("{subject} {}{}.", r.what, r.tail)
        }
        _ => format!("{subject}{at} {}{}.", r.what, r.tail),
    };
    Some(Finding {
        kind: r.kind,
        severity: r.severity,
        side: r.side.unwrap_or(Side::of(me.role())),
        user_id: me.user_id().clone(),
        role: me.role(),
        peer: r
            .peer
            .and_then(|q| call.participants().get(q))
            .map(|q| q.user_id().clone()),
        stream: r.stream,
        explained_by,
        window,
        count: 1,
        occurrences: Vec::new(),
        values: r.values,
        test: r.test,
        explanation,
        escalation: r.escalation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t_ms: i64, audio: f64, tier: VideoTier) -> Sample {
        Sample {
            t_ms,
            audio_kbps: Some(audio),
            video_tier: Some(tier),
            video_kbps: None,
            fps: None,
            loss_pct: 0.0,
            rtt_ms: 50.0,
            jitter_ms: None,
        }
    }

    #[test]
    fn downgrade_needs_a_fall_below_the_recent_maximum() {
        let p = Profile::default();
        let s: Vec<Sample> = (0..10)
            .map(|i| sample(i * 1000, if i < 6 { 48.0 } else { 30.0 }, VideoTier::P720))
            .collect();
        // 30 < 0.7 × 48 = 33.6: a downgrade at the first low sample.
        let d = first_downgrade(&s, 0, 10_000, &p).unwrap();
        assert_eq!(d.t_ms, 6000);
        assert!(matches!(d.change, Change::Audio(a, b) if a == 48.0 && b == 30.0));
        // Not before `from`, and not after `until_ms`.
        assert!(first_downgrade(&s, 7, 10_000, &p).is_none());
        assert!(first_downgrade(&s, 0, 5_000, &p).is_none());
    }

    #[test]
    fn tier_drop_is_a_downgrade() {
        let p = Profile::default();
        let s = [
            sample(0, 48.0, VideoTier::P1080),
            sample(1000, 48.0, VideoTier::P360),
        ];
        let d = first_downgrade(&s, 0, 2000, &p).unwrap();
        assert!(matches!(
            d.change,
            Change::Tier(VideoTier::P1080, VideoTier::P360)
        ));
    }

    #[test]
    fn most_specific_minimum_wins() {
        let rows = [
            MinVersion::new("*", "1.0"),
            MinVersion::new("ios", "2.0"),
            MinVersion::new("android", "3.0"),
        ];
        assert_eq!(
            min_for(&rows, "iOS 16").map(|m| m.min.as_str()),
            Some("2.0")
        );
        assert_eq!(
            min_for(&rows, "Windows 11").map(|m| m.min.as_str()),
            Some("1.0")
        );
        assert_eq!(min_for(&rows[1..], "Windows 11"), None);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(dur(45_000), "45 s");
        assert_eq!(dur(130_000), "2 min 10 s");
    }
}
