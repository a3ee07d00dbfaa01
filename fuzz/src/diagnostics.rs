//! Fuzz targets of mediameter-diagnostics: one per parser of outside input, and whole-request
//! analysis. Plain functions; the libFuzzer binaries and the stable replay test call them.
//!
//! * `request_json`: a diagnosis request in JSON. When it parses and validates, diagnosing it
//!   under the profile chosen by the first byte must not panic; every finding, gap and score
//!   window lies inside the requested range; the output is deterministic; the report renders;
//!   and the request re-serialized parses back to a request that validates.
//! * `profile_json`: a caller-supplied profile in JSON; when it passes `Profile::validate`,
//!   diagnosing a small fixed call under it must not panic and stays inside the range.
//! * `version`: the lenient version parser; an accepted version prints and parses back equal.

use mediameter_diagnostics::{
    Call, Diagnosis, DiagnosisRequest, Profile, Version, diagnose, render_report,
};

fn check(call: &Call, d: &Diagnosis) {
    let range = call.range();
    for f in &d.findings {
        assert!(
            range.contains_range(&f.window),
            "finding {} outside {}",
            f.window,
            range
        );
        assert!(!f.explanation.is_empty());
        if let Some(e) = &f.escalation {
            assert!(range.contains_range(&e.window));
        }
    }
    for g in &d.gaps {
        assert!(
            range.contains_range(&g.window),
            "gap {} outside {}",
            g.window,
            range
        );
    }
    for s in &d.scores {
        for w in &s.windows {
            assert!(range.contains_range(&w.window));
            assert!((1.0..=4.5).contains(&w.mos), "MOS {}", w.mos);
        }
    }
    assert!(d.grade.letter.is_none_or(|l| ('A'..='E').contains(&l)));
    assert!(render_report(call, d).contains("Grade"));
}

/// A diagnosis request in JSON, diagnosed under the profile picked by the first byte.
pub fn request_json(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(request) = serde_json::from_str::<DiagnosisRequest>(text) else {
        return;
    };
    let Ok(call) = request.validate() else {
        return;
    };
    let profile = match pick % 3 {
        0 => Profile::sensitive(),
        1 => Profile::default(),
        _ => Profile::tolerant(),
    };
    let d =
        diagnose(&call, &profile).unwrap_or_else(|e| panic!("built-in profiles are valid: {e}"));
    check(&call, &d);
    assert_eq!(
        diagnose(&call, &profile).ok().as_ref(),
        Some(&d),
        "diagnosis is deterministic"
    );
    let again =
        serde_json::to_string(&request).unwrap_or_else(|e| panic!("request serializes: {e}"));
    let back: DiagnosisRequest = serde_json::from_str(&again)
        .unwrap_or_else(|e| panic!("re-serialized request parses: {e}"));
    let back_call = back
        .validate()
        .unwrap_or_else(|e| panic!("re-serialized request validates: {e}"));
    assert_eq!(back_call.participants().len(), call.participants().len());
    assert_eq!(back_call.pairs(), call.pairs());
}

const SMALL_CALL: &str = r#"{"app_id":"a","channel_id":"c",
  "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
  "participants":[
    {"user_id":"u1","role":"pub","client":{"sdk_version":"1.0","os":"iOS 11","device_model":"iPhone 6","region":"r1"},
     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"video_tier":"720p","video_kbps":900,"fps":30,"loss_pct":0,"rtt_ms":50},
                {"t":"2024-05-01T10:00:10Z","audio_kbps":20,"video_tier":"360p","video_kbps":90,"fps":0,"loss_pct":40,"rtt_ms":900},
                {"t":"2024-05-01T10:00:20Z","audio_kbps":48,"video_tier":"720p","video_kbps":900,"fps":12,"loss_pct":8,"rtt_ms":300,"jitter_ms":40}]},
    {"user_id":"u2","role":"sub","client":{"sdk_version":"2.5","os":"Android 13"},
     "samples":[{"t":"2024-05-01T10:00:01Z","audio_kbps":10,"fps":5,"loss_pct":1,"rtt_ms":60},
                {"t":"2024-05-01T10:00:30Z","audio_kbps":48,"fps":30,"loss_pct":0,"rtt_ms":70}]}]}"#;

/// A caller-supplied profile in JSON, applied to a small fixed call.
pub fn profile_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(profile) = serde_json::from_str::<Profile>(text) else {
        return;
    };
    let Ok(call) = serde_json::from_str::<DiagnosisRequest>(SMALL_CALL)
        .map_err(|e| e.to_string())
        .and_then(|r| r.validate().map_err(|e| e.to_string()))
    else {
        panic!("the fixed call is valid");
    };
    match diagnose(&call, &profile) {
        Ok(d) => {
            assert!(profile.validate().is_ok());
            check(&call, &d);
        }
        Err(_) => assert!(profile.validate().is_err()),
    }
}

/// The lenient version parser: accepted versions print and parse back equal.
pub fn version(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = text.parse::<Version>() {
        let back: Version = v
            .to_string()
            .parse()
            .unwrap_or_else(|e| panic!("printed version {v} parses: {e}"));
        assert_eq!(back, v);
    }
    let _ = Version::find_in(text);
}
