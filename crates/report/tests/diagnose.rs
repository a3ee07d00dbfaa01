//! The diagnosis report: what is drawn matches the samples, the findings and the scores.

use mediameter_diagnostics::{Call, Diagnosis, DiagnosisRequest, FindingKind, Profile, diagnose};
use mediameter_report::diagnosis_html;

use crate::svg::{figure, figures};

const LOSS: &str = "#D62728";
const RTT: &str = "#1F77B4";
const SHADE: &str = "#FFB000";

fn loss_at(s: i64) -> f64 {
    if (100..160).contains(&s) {
        12.0
    } else {
        0.2 + (s % 7) as f64 * 0.05
    }
}

fn rtt_at(s: i64) -> f64 {
    60.0 + (s % 11) as f64 * 3.0
}

/// The crate example's call: a publisher whose uplink loses 12 % for a minute, a subscriber;
/// 300 samples at 1 Hz, with `extra` spliced into the publisher's JSON object.
fn call(extra: &str, os: &str) -> (Call, Diagnosis) {
    let mut pubs = Vec::new();
    let mut subs = Vec::new();
    for s in 0..300 {
        let t = format!("2024-05-01T10:{:02}:{:02}Z", s / 60, s % 60);
        pubs.push(format!(
            r#"{{"t":"{t}","audio_kbps":48,"video_tier":"720p","video_kbps":1200,"fps":30,"loss_pct":{},"rtt_ms":{}}}"#,
            loss_at(s),
            rtt_at(s)
        ));
        subs.push(format!(
            r#"{{"t":"{t}","audio_kbps":48,"loss_pct":0.3,"rtt_ms":70}}"#
        ));
    }
    let json = format!(
        r#"{{"app_id":"app1","channel_id":"room-1",
            "range":{{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:05:00Z"}},
            "participants":[
              {{"user_id":"u1","role":"pub","client":{{"sdk_version":"2.5.1","os":{os:?}}},
                "samples":[{}]{extra}}},
              {{"user_id":"u2","role":"sub","client":{{"sdk_version":"2.5.1","os":"Android 13"}},
                "samples":[{}]}}]}}"#,
        pubs.join(","),
        subs.join(",")
    );
    let call = serde_json::from_str::<DiagnosisRequest>(&json)
        .unwrap()
        .validate()
        .unwrap();
    let d = diagnose(&call, &Profile::default()).unwrap();
    (call, d)
}

#[test]
fn network_panel_draws_every_sample_on_two_axes() {
    let (call, d) = call("", "iOS 16.2");
    let html = diagnosis_html(&call, &d).unwrap();
    let figs = figures(&html);
    let net = figure(&figs, "p0-network");
    // Axis ranges from the data: 5 minutes of time, loss to its maximum, RTT to its maximum
    // (each with a tenth of headroom).
    assert_eq!(net.x, (0.0, 300.0));
    assert!((net.y.1 - 12.0 * 1.1).abs() < 1e-9, "{:?}", net.y);
    let rtt_max = (0..300).map(rtt_at).fold(0.0, f64::max);
    assert!(
        (net.y2.unwrap().1 - rtt_max * 1.1).abs() < 1e-9,
        "{:?}",
        net.y2
    );

    let loss = net.line(LOSS, false);
    assert_eq!(loss.len(), 300, "one point per sample");
    for (s, (x, y)) in (0..300).zip(&loss) {
        assert!((x - s as f64).abs() <= net.x_px(), "t {s}: x {x}");
        assert!(
            (y - loss_at(s)).abs() <= net.y_px(false),
            "t {s}: loss {y} vs {}",
            loss_at(s)
        );
    }
    let rtt = net.line(RTT, true);
    assert_eq!(rtt.len(), 300);
    for (s, (_, y)) in (0..300).zip(&rtt) {
        assert!(
            (y - rtt_at(s)).abs() <= 1.5 * net.y_px(true),
            "t {s}: rtt {y} vs {}",
            rtt_at(s)
        );
    }
}

#[test]
fn findings_are_shaded_over_their_windows_with_their_text_beside() {
    let (call, d) = call("", "iOS 16.2");
    let f = d
        .of_kind(FindingKind::HighLoss)
        .next()
        .expect("the high-loss finding");
    let html = diagnosis_html(&call, &d).unwrap();
    let figs = figures(&html);
    let net = figure(&figs, "p0-network");
    let shades = net.rects(SHADE);
    assert_eq!(shades.len(), 1, "{shades:?}");
    let (a, b, lo, hi) = shades[0];
    let secs = |t: chrono::DateTime<chrono::Utc>| {
        (t - call.range().start()).num_milliseconds() as f64 / 1000.0
    };
    assert!((a - secs(f.window.start())).abs() <= net.x_px(), "{a}");
    assert!((b - secs(f.window.end())).abs() <= net.x_px(), "{b}");
    // Full height.
    assert!((lo - net.y.0).abs() <= net.y_px(false) && (hi - net.y.1).abs() <= net.y_px(false));
    assert!(
        net.body.contains(">\n#1\n</text>") || net.body.contains(">#1<"),
        "label #1"
    );
    // The publisher's audio and video panels carry the same shading; the subscriber's none.
    for id in ["p0-audio", "p0-tier", "p0-fps", "p0-video"] {
        assert_eq!(figure(&figs, id).rects(SHADE).len(), 1, "{id}");
    }
    assert!(figure(&figs, "p1-network").rects(SHADE).is_empty());
    // The finding's text sits in the publisher's card, numbered as on the chart.
    let card = &html[html.find("id=\"p0\"").unwrap()..html.find("id=\"p1\"").unwrap()];
    assert!(card.contains("<li value=\"1\">"));
    assert!(card.contains("lost packets for 1 min 0 s"), "{card}");
}

#[test]
fn mos_per_window_is_drawn_at_each_window() {
    let (call, d) = call("", "iOS 16.2");
    let html = diagnosis_html(&call, &d).unwrap();
    let figs = figures(&html);
    let mos = figure(&figs, "mos-0");
    assert_eq!(mos.y, (1.0, 4.5));
    let pts = mos.line("#9467BD", false);
    let windows = &d.scores[0].windows;
    assert_eq!(pts.len(), windows.len());
    let start = call.range().start();
    for ((x, y), w) in pts.iter().zip(windows) {
        let mid = ((w.window.start() - start).num_milliseconds()
            + (w.window.end() - start).num_milliseconds()) as f64
            / 2000.0;
        assert!((x - mid).abs() <= mos.x_px());
        assert!((y - w.mos).abs() <= mos.y_px(false), "{y} vs {}", w.mos);
    }
}

#[test]
fn publisher_is_left_and_subscriber_right_with_a_client_table() {
    let (call, d) = call("", "iOS 16.2");
    let html = diagnosis_html(&call, &d).unwrap();
    let publishers = html.find("<h3>Publishers</h3>").unwrap();
    let subscribers = html.find("<h3>Subscribers</h3>").unwrap();
    let p0 = html.find("id=\"p0\"").unwrap();
    let p1 = html.find("id=\"p1\"").unwrap();
    assert!(publishers < p0 && p0 < subscribers && subscribers < p1);
    assert!(html.contains("<td>u1</td><td>pub</td><td>2.5.1</td><td>iOS 16.2</td>"));
    assert!(html.contains("Grade D (bad)"));
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("http://") && !html.contains("https://")
            || html.contains("xmlns=\"http://www.w3.org/2000/svg\"")
    );
}

#[test]
fn input_text_is_escaped() {
    let (call, d) = call("", "<script>alert(1)</script> & \"x\"");
    let html = diagnosis_html(&call, &d).unwrap();
    assert!(!html.contains("<script"), "raw markup from input");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
}

#[test]
fn streams_are_drawn_per_kind_and_operations_listed() {
    let stream = (0..300)
        .map(|s| {
            let t = format!("2024-05-01T10:{:02}:{:02}Z", s / 60, s % 60);
            let fps = if (200..260).contains(&s) { 0 } else { 12 };
            format!(r#"{{"t":"{t}","video_tier":"1080p","video_kbps":900,"fps":{fps}}}"#)
        })
        .collect::<Vec<_>>()
        .join(",");
    let extra = format!(
        r#","streams":[{{"kind":"screen_share","samples":[{stream}]}}],"operations":[{{"t":"2024-05-01T10:03:19Z","op":"screen_share_stop"}},{{"t":"2024-05-01T10:04:21Z","op":"screen_share_start"}}]"#
    );
    let (call, d) = call(&extra, "iOS 16.2");
    let html = diagnosis_html(&call, &d).unwrap();
    let figs = figures(&html);
    let fps = figure(&figs, "p0-fps");
    assert!(fps.body.contains("screen-share stream") && fps.body.contains("camera stream"));
    let camera = fps.line("#1F77B4", false);
    let share = fps.line("#2CA02C", false);
    assert_eq!(camera.len(), 300);
    assert_eq!(share.len(), 300);
    for (s, (_, y)) in (0..300).zip(&share) {
        let want = if (200..260).contains(&s) { 0.0 } else { 12.0 };
        assert!((y - want).abs() <= fps.y_px(false), "t {s}: {y}");
    }
    let tier = figure(&figs, "p0-tier");
    // 1080p is the third tier, 720p the second.
    assert!(
        tier.line("#2CA02C", false)
            .iter()
            .all(|(_, y)| (y - 3.0).abs() <= tier.y_px(false))
    );
    assert!(
        tier.line("#1F77B4", false)
            .iter()
            .all(|(_, y)| (y - 2.0).abs() <= tier.y_px(false))
    );
    assert!(html.contains("Operations: 10:03:19 screen_share_stop, 10:04:21 screen_share_start"));
    let freeze = d
        .of_kind(FindingKind::Freeze)
        .next()
        .expect("a freeze of the screen share");
    assert!(freeze.explained_by.is_some());
    assert!(html.contains("explained by u1&#39;s operation screen_share_stop at 10:03:19 UTC"));
}

#[test]
fn a_call_without_samples_shows_no_grade() {
    let call = serde_json::from_str::<DiagnosisRequest>(
        r#"{"app_id":"a","channel_id":"c","range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:10:00Z"},"participants":[]}"#,
    )
    .unwrap()
    .validate()
    .unwrap();
    let d = diagnose(&call, &Profile::default()).unwrap();
    let html = diagnosis_html(&call, &d).unwrap();
    assert!(html.contains("No grade (not enough data)"));
    assert!(!html.contains("Grade A"));
    assert!(figures(&html).is_empty());
}
