//! Golden E-model values (ITU-T G.107, G.113 Appendix I) and hand-computed cases.

use mediameter_diagnostics::emodel::{
    CallInputs, Codec, Model, Params, Scorer, idd, ie_eff, mos_from_r,
};

#[test]
fn g107_default_parameter_set_gives_93_2() {
    // G.107 §3.7: every parameter at its default gives R = 93.2.
    let r = Params::default().rating();
    assert!((r.r - 93.2).abs() < 0.05, "R = {}", r.r);
    // The terms, hand-computed from G.107 §3.2–3.4 with the defaults:
    // No = −61.18 dBm0p, Ro = 15 − 1.5·(8 − 61.18) = 94.77, Is = 1.41, Idle = 0.15.
    assert!((r.ro - 94.77).abs() < 0.01);
    assert!((r.is - 1.41).abs() < 0.01);
    assert!((r.id - 0.15).abs() < 0.01);
    assert_eq!(r.ie_eff, 0.0);
}

#[test]
fn mos_mapping_from_domain() {
    // ITU-T G.107: 1 below 0, 4.5 above 100, else 1 + 0.035R + 7e-6·R(R − 60)(100 − R).
    assert_eq!(mos_from_r(-0.1), 1.0);
    assert_eq!(mos_from_r(100.1), 4.5);
    // R = 93.2: 1 + 3.262 + 7e-6·93.2·33.2·6.8 = 4.4093.
    assert!((mos_from_r(93.2) - 4.4093).abs() < 1e-4);
    // R = 70: 1 + 2.45 + 7e-6·70·10·30 = 3.597.
    assert!((mos_from_r(70.0) - 3.597).abs() < 1e-9);
}

#[test]
fn g711_plc_loss_impairment() {
    // ITU-T G.107 and G.113 Appendix I: G.711 with PLC, Ie 0, Bpl 25.1, random loss (BurstR 1).
    // Ppl = 2 %: Ie,eff = 95·2/(2 + 25.1) = 7.011.
    assert!((ie_eff(0.0, 25.1, 2.0, 1.0, 95.0) - 7.0111).abs() < 1e-4);
    // Ppl = 5 %: 95·5/30.1 = 15.781.
    assert!((ie_eff(0.0, 25.1, 5.0, 1.0, 95.0) - 15.7807).abs() < 1e-4);
    let r = Params {
        ie: 0.0,
        bpl: 25.1,
        ppl: 2.0,
        ..Params::default()
    }
    .rating();
    assert!((r.r - (93.2 - 7.011)).abs() < 0.05);
}

#[test]
fn burst_ratio_worsens_loss() {
    // BurstR 2 halves Ppl/BurstR: 95·2/(1 + 25.1) = 7.28 > 7.01.
    assert!((ie_eff(0.0, 25.1, 2.0, 2.0, 95.0) - 7.2797).abs() < 1e-4);
}

#[test]
fn delay_impairment_from_domain() {
    // ITU-T G.107: Idd = 0 up to 100 ms; X = log2(Ta/100).
    assert_eq!(idd(100.0), 0.0);
    // Ta = 200: X = 1: 25·(2^(1/6) − 3·(1 + 1/729)^(1/6) + 2) = 3.044.
    assert!((idd(200.0) - 3.044).abs() < 0.001);
    // Ta = 300: X = 1.585: 14.76.
    assert!((idd(300.0) - 14.761).abs() < 0.001);
}

#[test]
fn scorer_uses_the_right_model() {
    let nb = Scorer::new(Codec::G729aVad).score(&CallInputs::new(0.0, 0.0));
    assert_eq!(nb.model, Model::G107);
    // G.729A + VAD: Ie 11 → R = 93.2 − 11 = 82.2.
    assert!((nb.r - 82.2).abs() < 0.05);
    let fb = Scorer::new(Codec::Opus).score(&CallInputs::new(0.0, 0.0));
    assert_eq!(fb.model, Model::G1072);
    assert!(fb.r > 100.0);
    assert!((fb.r_narrowband * 1.48 - fb.r).abs() < 1e-9);
}

#[test]
fn scorer_with_delay_couples_echo_delays() {
    // Ta = 150 ms with T = Ta and Tr = 2·Ta: X = log2(1.5) = 0.585, Idd = 0.164, plus talker
    // echo (TELR 65 dB) and listener echo (WEPL 110 dB).
    let s = Scorer::new(Codec::G711Plc).score(&CallInputs::new(0.0, 150.0));
    let p = Params {
        t: 150.0,
        tr: 300.0,
        ta: 150.0,
        bpl: 25.1,
        ..Params::default()
    }
    .rating();
    // The scorer computes Is once at T = 0 (STMRo's echo term is 10^-6.5 of the sidetone's).
    assert!((s.r - p.r).abs() < 1e-3, "{} vs {}", s.r, p.r);
    assert!((p.idd - 0.164).abs() < 0.001, "{}", p.idd);
    assert!(p.idte > 1.0 && p.idte < 4.0, "{}", p.idte);
    assert!(p.r < 93.2 - p.idd, "{}", p.r);
    println!("Idte {} Idle {} R {}", p.idte, p.idle, p.r);
}

#[cfg(feature = "serde")]
#[test]
fn custom_codec_round_trips_in_json() {
    let c: Codec =
        serde_json::from_str(r#"{"custom":{"model":"g107","ie":5.0,"bpl":10.0}}"#).unwrap();
    assert_eq!(c.impairment(), (Model::G107, 5.0, 10.0));
    let named: Codec = serde_json::from_str(r#""g729a_vad""#).unwrap();
    assert_eq!(named, Codec::G729aVad);
    assert_eq!(
        serde_json::to_string(&Codec::G7231Vad).unwrap(),
        r#""g723_1_vad""#
    );
}
