//! The ITU-T G.107 E-model (narrowband) and a G.107.2-style fullband variant for Opus.
//!
//! The narrowband model is computed in full from the electro-acoustic parameters of G.107
//! clause 3 (Ro from the noise sums, Is from Iolr, Ist and Iq, Id from Idte, Idle and Idd), so
//! that the default parameter set yields R = 93.2 as the standard says (ITU-T G.107). Packet
//! loss enters through Ie,eff with the codec's Ie and Bpl from ITU-T G.113 Appendix I.
//!
//! The fullband variant rates on the 0–148 scale of G.107.2 and is mapped back to the
//! narrowband scale (R / 1.48) before MOS, so that every score can be compared; each score says
//! which model produced it ([`Model`]).

use std::fmt;

/// The narrowband R of the default parameter set, as ITU-T G.107 gives it.
pub const DEFAULT_R: f64 = 93.2;
/// The top of the fullband (G.107.2) transmission rating scale.
pub const FULLBAND_R_MAX: f64 = 148.0;
/// The factor mapping a fullband R back to the narrowband scale: 148 / 100.
pub const FULLBAND_SCALE: f64 = 1.48;

/// Which model produced a score.
///
/// ```
/// use mediameter_diagnostics::emodel::Model;
/// assert_eq!(Model::G107.to_string(), "ITU-T G.107 (narrowband E-model)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Model {
    /// ITU-T G.107, narrowband, R on 0–100.
    #[cfg_attr(feature = "serde", serde(rename = "g107"))]
    G107,
    /// ITU-T G.107.2 fullband, R on 0–148, mapped back by 1/1.48 for MOS.
    #[cfg_attr(feature = "serde", serde(rename = "g107_2"))]
    G1072,
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

impl Model {
    /// The short name used in JSON: `g107` or `g107_2`.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::Model;
    /// assert_eq!(Model::G1072.as_str(), "g107_2");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Model::G107 => "g107",
            Model::G1072 => "g107_2",
        }
    }

    const fn title(self) -> &'static str {
        match self {
            Model::G107 => "ITU-T G.107 (narrowband E-model)",
            Model::G1072 => "ITU-T G.107.2 (fullband E-model)",
        }
    }
}

/// Reads what `Display` prints or the JSON name (`g107`, `g107_2`).
///
/// ```
/// use mediameter_diagnostics::emodel::Model;
/// assert_eq!(Model::G107.to_string().parse::<Model>()?, Model::G107);
/// assert_eq!("g107_2".parse::<Model>()?, Model::G1072);
/// # Ok::<(), mediameter_diagnostics::Error>(())
/// ```
impl std::str::FromStr for Model {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Model::G107, Model::G1072]
            .into_iter()
            .find(|m| m.as_str() == s || m.title() == s)
            .ok_or_else(|| crate::Error::invalid("model", s, "g107 or g107_2"))
    }
}

/// An audio codec with its equipment impairment Ie and packet-loss robustness Bpl.
///
/// Named codecs serialize as strings (`"g711_plc"`, `"opus"`); any other codec as
/// `{"custom": {"model": "g107", "ie": 5.0, "bpl": 10.0}}`.
///
/// | codec | model | Ie | Bpl | source |
/// | --- | --- | --- | --- | --- |
/// | `g711_plc` | G.107 | 0 | 25.1 | G.113 Appendix I (G.711 with G.711 Appendix I PLC) |
/// | `g711` | G.107 | 0 | 4.3 | G.113 Appendix I (G.711 without PLC) |
/// | `g729a_vad` | G.107 | 11 | 19.0 | G.113 Appendix I (G.729A + VAD) |
/// | `g723_1_vad` | G.107 | 15 | 16.1 | G.113 Appendix I (G.723.1 6.3 kbit/s + VAD) |
/// | `opus` | G.107.2 | 10 | 20.0 | provisional: no ITU-T table lists Opus; see docs/diagnostics.md |
///
/// ```
/// use mediameter_diagnostics::emodel::{Codec, Model};
/// assert_eq!(Codec::G711Plc.impairment(), (Model::G107, 0.0, 25.1));
/// assert_eq!(Codec::default(), Codec::Opus);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Codec {
    /// G.711 with packet-loss concealment.
    G711Plc,
    /// G.711 without packet-loss concealment.
    G711,
    /// G.729A with voice activity detection.
    G729aVad,
    /// G.723.1 at 6.3 kbit/s with voice activity detection.
    #[cfg_attr(feature = "serde", serde(rename = "g723_1_vad"))]
    G7231Vad,
    /// Opus in fullband mode, rated with the fullband model (the RTC default).
    #[default]
    Opus,
    /// Any other codec, with its model and factors.
    Custom {
        /// Which scale `ie` is on.
        model: Model,
        /// Equipment impairment factor on that scale.
        ie: f64,
        /// Packet-loss robustness factor.
        bpl: f64,
    },
}

impl Codec {
    /// The model, Ie and Bpl of the codec.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::{Codec, Model};
    /// assert_eq!(Codec::G729aVad.impairment(), (Model::G107, 11.0, 19.0));
    /// ```
    #[must_use]
    pub fn impairment(self) -> (Model, f64, f64) {
        match self {
            Codec::G711Plc => (Model::G107, 0.0, 25.1),
            Codec::G711 => (Model::G107, 0.0, 4.3),
            Codec::G729aVad => (Model::G107, 11.0, 19.0),
            Codec::G7231Vad => (Model::G107, 15.0, 16.1),
            Codec::Opus => (Model::G1072, 10.0, 20.0),
            Codec::Custom { model, ie, bpl } => (model, ie, bpl),
        }
    }

    /// The codec's name as written in JSON (`custom` for a custom codec).
    ///
    /// ```
    /// assert_eq!(mediameter_diagnostics::emodel::Codec::G7231Vad.name(), "g723_1_vad");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Codec::G711Plc => "g711_plc",
            Codec::G711 => "g711",
            Codec::G729aVad => "g729a_vad",
            Codec::G7231Vad => "g723_1_vad",
            Codec::Opus => "opus",
            Codec::Custom { .. } => "custom",
        }
    }

    /// Checks a custom codec's factors: finite, Ie within its scale, Bpl positive.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Invalid`] naming `audio_codec.ie` or `audio_codec.bpl` for a factor out
    /// of range.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::{Codec, Model};
    /// assert!(Codec::Opus.validate().is_ok());
    /// assert!(Codec::Custom { model: Model::G107, ie: f64::NAN, bpl: 1.0 }.validate().is_err());
    /// ```
    pub fn validate(self) -> crate::Result<()> {
        let (model, ie, bpl) = self.impairment();
        let max = match model {
            Model::G107 => 95.0,
            Model::G1072 => FULLBAND_R_MAX,
        };
        if !(ie.is_finite() && (0.0..=max).contains(&ie)) {
            return Err(crate::Error::invalid(
                "audio_codec.ie",
                &ie.to_string(),
                format!("a finite number from 0 to {max}"),
            ));
        }
        if !(bpl.is_finite() && bpl > 0.0 && bpl <= 1000.0) {
            return Err(crate::Error::invalid(
                "audio_codec.bpl",
                &bpl.to_string(),
                "a finite number above 0 and at most 1000",
            ));
        }
        Ok(())
    }
}

/// The narrowband E-model input parameters (ITU-T G.107 Table 3), defaults included.
///
/// The whole of the table, so not `#[non_exhaustive]`: a new parameter would change the
/// model, not extend it. Build it from [`Params::default`] with the fields to change
/// (`Params { ppl: 2.0, ..Params::default() }`).
///
/// ```
/// use mediameter_diagnostics::emodel::Params;
/// let r = Params::default().rating();
/// assert!((r.r - 93.2).abs() < 0.05);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Params {
    /// Send loudness rating, dB (default 8).
    pub slr: f64,
    /// Receive loudness rating, dB (default 2).
    pub rlr: f64,
    /// Sidetone masking rating, dB (default 15).
    pub stmr: f64,
    /// Listener sidetone rating, dB (default 18).
    pub lstr: f64,
    /// D-value of the telephone, send side (default 3).
    pub ds: f64,
    /// D-value of the telephone, receive side (default 3).
    pub dr: f64,
    /// Talker echo loudness rating, dB (default 65).
    pub telr: f64,
    /// Weighted echo path loss, dB (default 110).
    pub wepl: f64,
    /// Mean one-way delay of the echo path, ms (default 0).
    pub t: f64,
    /// Round-trip delay in a 4-wire loop, ms (default 0).
    pub tr: f64,
    /// Absolute (mouth-to-ear) delay, ms (default 0).
    pub ta: f64,
    /// Number of quantization distortion units (default 1).
    pub qdu: f64,
    /// Equipment impairment factor (default 0).
    pub ie: f64,
    /// Packet-loss robustness factor (default 4.3).
    pub bpl: f64,
    /// Random packet-loss probability, % (default 0).
    pub ppl: f64,
    /// Burst ratio, 1 for random loss (default 1).
    pub burst_r: f64,
    /// Circuit noise referred to the 0 dBr point, dBm0p (default −70).
    pub nc: f64,
    /// Noise floor at the receive side, dBmp (default −64).
    pub nfor: f64,
    /// Room noise at the send side, dB(A) (default 35).
    pub ps: f64,
    /// Room noise at the receive side, dB(A) (default 35).
    pub pr: f64,
    /// Advantage factor (default 0).
    pub a: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            slr: 8.0,
            rlr: 2.0,
            stmr: 15.0,
            lstr: 18.0,
            ds: 3.0,
            dr: 3.0,
            telr: 65.0,
            wepl: 110.0,
            t: 0.0,
            tr: 0.0,
            ta: 0.0,
            qdu: 1.0,
            ie: 0.0,
            bpl: 4.3,
            ppl: 0.0,
            burst_r: 1.0,
            nc: -70.0,
            nfor: -64.0,
            ps: 35.0,
            pr: 35.0,
            a: 0.0,
        }
    }
}

/// Every term of one R computation, for explaining a score.
///
/// ```
/// use mediameter_diagnostics::emodel::Params;
/// let b = Params::default().rating();
/// assert!((b.ro - 94.77).abs() < 0.01);
/// assert!((b.is - 1.41).abs() < 0.01);
/// assert_eq!(b.idd, 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Rating {
    /// Basic signal-to-noise ratio Ro.
    pub ro: f64,
    /// Simultaneous impairment factor Is.
    pub is: f64,
    /// Talker echo impairment Idte.
    pub idte: f64,
    /// Listener echo impairment Idle.
    pub idle: f64,
    /// Pure delay impairment Idd.
    pub idd: f64,
    /// Delay impairment Id = Idte + Idle + Idd.
    pub id: f64,
    /// Effective equipment impairment Ie,eff.
    pub ie_eff: f64,
    /// Advantage factor A.
    pub a: f64,
    /// R = Ro − Is − Id − Ie,eff + A.
    pub r: f64,
}

fn lg(x: f64) -> f64 {
    x.log10()
}

fn p10(x: f64) -> f64 {
    10f64.powf(x)
}

impl Params {
    /// Computes R and its terms with the formulas of ITU-T G.107 clause 3.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::Params;
    /// let lossy = Params { ppl: 2.0, bpl: 25.1, ..Params::default() };
    /// assert!(lossy.rating().r < 93.2);
    /// ```
    #[must_use]
    pub fn rating(&self) -> Rating {
        let base = self.base();
        self.rating_with(&base)
    }

    /// Ro, Is and the noise sum: the terms that do not depend on delay or loss.
    fn base(&self) -> Base {
        let olr = self.slr + self.rlr;
        // Noise sums (G.107 §3.2): Nos, Nor, Nfo and the total No.
        let nos =
            self.ps - self.slr - self.ds - 100.0 + 0.004 * (self.ps - olr - self.ds - 14.0).powi(2);
        let pre = self.pr + 10.0 * lg(1.0 + p10((10.0 - self.lstr) / 10.0));
        let nor = self.rlr - 121.0 + pre + 0.008 * (pre - 35.0).powi(2);
        let nfo = self.nfor + self.rlr;
        let no =
            10.0 * lg(p10(self.nc / 10.0) + p10(nos / 10.0) + p10(nor / 10.0) + p10(nfo / 10.0));
        let ro = 15.0 - 1.5 * (self.slr + no);
        // Simultaneous impairments (G.107 §3.3): Iolr, Ist, Iq.
        let xolr = olr + 0.2 * (64.0 + no - self.rlr);
        let iolr = 20.0 * ((1.0 + (xolr / 8.0).powi(8)).powf(1.0 / 8.0) - xolr / 8.0);
        let stmro =
            -10.0 * lg(p10(-self.stmr / 10.0) + (-self.t / 4.0).exp() * p10(-self.telr / 10.0));
        let ist = 12.0 * (1.0 + ((stmro - 13.0) / 6.0).powi(8)).powf(1.0 / 8.0)
            - 28.0 * (1.0 + ((stmro + 1.0) / 19.4).powi(35)).powf(1.0 / 35.0)
            - 13.0 * (1.0 + ((stmro - 3.0) / 33.0).powi(13)).powf(1.0 / 13.0)
            + 29.0;
        let q = 37.0 - 15.0 * lg(self.qdu);
        let g = 1.07 + 0.258 * q + 0.0602 * q * q;
        let y = (ro - 100.0) / 15.0 + 46.0 / 8.4 - g / 9.0;
        let z = 46.0 / 30.0 - g / 40.0;
        let iq = 15.0 * lg(1.0 + p10(y) + p10(z));
        Base {
            no,
            ro,
            is: iolr + ist + iq,
        }
    }

    fn rating_with(&self, base: &Base) -> Rating {
        let Base { no, ro, is } = *base;
        // Talker echo (G.107 §3.4), without the STMR < 9 dB correction (defaults are 15 dB).
        let terv = self.telr - 40.0 * lg((1.0 + self.t / 10.0) / (1.0 + self.t / 150.0))
            + 6.0 * (-0.3 * self.t * self.t).exp();
        let re = 80.0 + 2.5 * (terv - 14.0);
        let roe = -1.5 * (no - self.rlr);
        let idte = ((roe - re) / 2.0 + ((roe - re).powi(2) / 4.0 + 100.0).sqrt() - 1.0)
            * (1.0 - (-self.t).exp());
        // Listener echo.
        let rle = 10.5 * (self.wepl + 7.0) * (self.tr + 1.0).powf(-0.25);
        let idle = (ro - rle) / 2.0 + ((ro - rle).powi(2) / 4.0 + 169.0).sqrt();
        let idd = idd(self.ta);
        let id = idte + idle + idd;
        let ie_eff = ie_eff(self.ie, self.bpl, self.ppl, self.burst_r, 95.0);
        let r = ro - is - id - ie_eff + self.a;
        Rating {
            ro,
            is,
            idte,
            idle,
            idd,
            id,
            ie_eff,
            a: self.a,
            r,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Base {
    no: f64,
    ro: f64,
    is: f64,
}

/// The pure delay impairment Idd of G.107 for a mouth-to-ear delay `ta` in ms.
///
/// 0 up to 100 ms; above, 25·[(1 + X⁶)^(1/6) − 3·(1 + (X/3)⁶)^(1/6) + 2] with X = log₂(Ta/100).
///
/// ```
/// use mediameter_diagnostics::emodel::idd;
/// assert_eq!(idd(100.0), 0.0);
/// // Ta = 200 ms: X = 1, Idd = 25·(2^(1/6) − 3·(1 + 1/729)^(1/6) + 2) ≈ 3.04.
/// assert!((idd(200.0) - 3.04).abs() < 0.01);
/// ```
#[must_use]
pub fn idd(ta: f64) -> f64 {
    if ta.is_nan() || ta <= 100.0 {
        return 0.0;
    }
    let x = (ta / 100.0).log2();
    25.0 * ((1.0 + x.powi(6)).powf(1.0 / 6.0) - 3.0 * (1.0 + (x / 3.0).powi(6)).powf(1.0 / 6.0)
        + 2.0)
}

/// The effective equipment impairment Ie,eff = Ie + (max − Ie)·Ppl/(Ppl/BurstR + Bpl).
///
/// `max` is 95 on the narrowband scale (G.107) and [`FULLBAND_R_MAX`] on the fullband scale.
///
/// ```
/// use mediameter_diagnostics::emodel::ie_eff;
/// // G.711 with PLC at 1 % random loss: 95·1/(1 + 25.1) ≈ 3.64.
/// assert!((ie_eff(0.0, 25.1, 1.0, 1.0, 95.0) - 3.640).abs() < 0.001);
/// assert_eq!(ie_eff(11.0, 19.0, 0.0, 1.0, 95.0), 11.0);
/// ```
#[must_use]
pub fn ie_eff(ie: f64, bpl: f64, ppl: f64, burst_r: f64, max: f64) -> f64 {
    let ppl = if ppl.is_finite() {
        ppl.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let burst_r = if burst_r.is_finite() && burst_r >= 1.0 {
        burst_r
    } else {
        1.0
    };
    let denom = ppl / burst_r + bpl;
    if denom <= 0.0 || !denom.is_finite() {
        return ie;
    }
    ie + (max - ie) * ppl / denom
}

/// MOS (conversational quality, estimated) from a narrowband R, per G.107 Annex B.
///
/// 1 below R = 0, 4.5 above R = 100, else 1 + 0.035·R + 7·10⁻⁶·R·(R − 60)·(100 − R).
/// The polynomial dips below 1 for 0 < R < 6.5 (to 0.989 near R = 3); the result is kept at
/// the floor of the MOS scale, 1, there.
///
/// ```
/// use mediameter_diagnostics::emodel::mos_from_r;
/// assert!((mos_from_r(93.2) - 4.41).abs() < 0.005);
/// assert_eq!(mos_from_r(-3.0), 1.0);
/// assert_eq!(mos_from_r(120.0), 4.5);
/// ```
#[must_use]
pub fn mos_from_r(r: f64) -> f64 {
    if r.is_nan() || r < 0.0 {
        1.0
    } else if r > 100.0 {
        4.5
    } else {
        (1.0 + 0.035 * r + 7.0e-6 * r * (r - 60.0) * (100.0 - r)).max(1.0)
    }
}

/// What a user of the call would say at this R, per the G.107 Annex B satisfaction bands.
///
/// ```
/// use mediameter_diagnostics::emodel::satisfaction;
/// assert_eq!(satisfaction(93.2), "very satisfied");
/// assert_eq!(satisfaction(65.0), "many users dissatisfied");
/// ```
#[must_use]
pub fn satisfaction(r: f64) -> &'static str {
    if r >= 90.0 {
        "very satisfied"
    } else if r >= 80.0 {
        "satisfied"
    } else if r >= 70.0 {
        "some users dissatisfied"
    } else if r >= 60.0 {
        "many users dissatisfied"
    } else if r >= 50.0 {
        "nearly all users dissatisfied"
    } else {
        "not recommended"
    }
}

/// The inputs measured on a call for one score window.
///
/// Plain data with public fields; `#[non_exhaustive]` because a later model may take more
/// of the call (a burst ratio, jitter), so build it with [`CallInputs::new`].
///
/// ```
/// use mediameter_diagnostics::emodel::{CallInputs, Codec, Scorer};
/// let s = Scorer::new(Codec::G711Plc).score(&CallInputs::new(0.0, 0.0));
/// assert!((s.r - 93.2).abs() < 0.05);
/// ```
///
/// A literal does not compile outside the crate:
///
/// ```compile_fail,E0639
/// let i = mediameter_diagnostics::emodel::CallInputs { ppl: 0.0, ta_ms: 0.0 };
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CallInputs {
    /// End-to-end packet loss, %.
    pub ppl: f64,
    /// Mouth-to-ear delay Ta, ms.
    pub ta_ms: f64,
}

impl CallInputs {
    /// End-to-end packet loss `ppl` (%) and mouth-to-ear delay `ta_ms` (ms).
    ///
    /// ```
    /// let i = mediameter_diagnostics::emodel::CallInputs::new(1.5, 120.0);
    /// assert_eq!((i.ppl, i.ta_ms), (1.5, 120.0));
    /// ```
    #[must_use]
    pub const fn new(ppl: f64, ta_ms: f64) -> Self {
        CallInputs { ppl, ta_ms }
    }
}

/// One score: the model, the native R, the R on the narrowband scale, and the MOS.
///
/// ```
/// use mediameter_diagnostics::emodel::{CallInputs, Codec, Model, Scorer};
/// let s = Scorer::new(Codec::Opus).score(&CallInputs::new(0.0, 50.0));
/// assert_eq!(s.model, Model::G1072);
/// assert!(s.r > 100.0 && s.r <= 148.0);
/// assert!((s.r_narrowband - s.r / 1.48).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Score {
    /// The model that produced the score.
    pub model: Model,
    /// R on the model's own scale (0–100 narrowband, 0–148 fullband).
    pub r: f64,
    /// R on the narrowband scale (fullband R / 1.48), the one MOS is computed from.
    pub r_narrowband: f64,
    /// MOS from `r_narrowband` (G.107 Annex B).
    pub mos: f64,
}

/// Scores call windows for one codec, computing the delay-independent terms once.
///
/// Per window, Ta comes from the measurements; following the ITU-T E-model calculator's
/// convention the echo path delay T is set to Ta and the four-wire loop delay Tr to 2·Ta, with
/// every electro-acoustic parameter at its G.107 default.
///
/// ```
/// use mediameter_diagnostics::emodel::{CallInputs, Codec, Scorer};
/// let scorer = Scorer::new(Codec::G711Plc);
/// let good = scorer.score(&CallInputs::new(0.0, 80.0));
/// let bad = scorer.score(&CallInputs::new(5.0, 400.0));
/// assert!(good.mos > 4.0 && bad.mos < good.mos);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Scorer {
    codec: Codec,
    model: Model,
    ie: f64,
    bpl: f64,
    params: Params,
    base: Base,
}

impl Scorer {
    /// A scorer for `codec`.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::{Codec, Model, Scorer};
    /// assert_eq!(Scorer::new(Codec::G729aVad).model(), Model::G107);
    /// ```
    #[must_use]
    pub fn new(codec: Codec) -> Self {
        let (model, ie, bpl) = codec.impairment();
        let params = Params::default();
        let base = params.base();
        Scorer {
            codec,
            model,
            ie,
            bpl,
            params,
            base,
        }
    }

    /// The model this scorer uses.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::{Codec, Model, Scorer};
    /// assert_eq!(Scorer::new(Codec::Opus).model(), Model::G1072);
    /// ```
    #[must_use]
    pub const fn model(&self) -> Model {
        self.model
    }

    /// The codec this scorer rates.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::{Codec, Scorer};
    /// assert_eq!(Scorer::new(Codec::G711).codec(), Codec::G711);
    /// ```
    #[must_use]
    pub const fn codec(&self) -> Codec {
        self.codec
    }

    /// Scores one window.
    ///
    /// Narrowband: the full G.107 R. Fullband: `R_FB` = 148 − 1.48·Id − Ie,eff,FB, with Id the
    /// G.107 delay impairment at the same delays (scaled to the fullband scale) and Ie,eff,FB
    /// the loss formula with 148 in place of 95; then R / 1.48 for MOS.
    ///
    /// ```
    /// use mediameter_diagnostics::emodel::{CallInputs, Codec, Scorer};
    /// let s = Scorer::new(Codec::G711Plc).score(&CallInputs::new(1.0, 0.0));
    /// assert!((s.r - (93.2 - 3.64)).abs() < 0.06);
    /// ```
    #[must_use]
    pub fn score(&self, inputs: &CallInputs) -> Score {
        let ta = if inputs.ta_ms.is_finite() {
            inputs.ta_ms.max(0.0)
        } else {
            0.0
        };
        let p = Params {
            t: ta,
            tr: 2.0 * ta,
            ta,
            ie: self.ie,
            bpl: self.bpl,
            ppl: inputs.ppl,
            ..self.params
        };
        match self.model {
            Model::G107 => {
                let r = p.rating_with(&self.base).r;
                Score {
                    model: Model::G107,
                    r,
                    r_narrowband: r,
                    mos: mos_from_r(r),
                }
            }
            Model::G1072 => {
                // Delay terms only: loss is rated on the fullband scale below.
                let delay = Params {
                    ie: 0.0,
                    ppl: 0.0,
                    ..p
                }
                .rating_with(&self.base);
                let ie_eff_fb = ie_eff(self.ie, self.bpl, inputs.ppl, 1.0, FULLBAND_R_MAX);
                let r =
                    (FULLBAND_R_MAX - FULLBAND_SCALE * delay.id - ie_eff_fb).min(FULLBAND_R_MAX);
                let r_narrowband = r / FULLBAND_SCALE;
                Score {
                    model: Model::G1072,
                    r,
                    r_narrowband,
                    mos: mos_from_r(r_narrowband),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_parameters_give_93_2() {
        // ITU-T G.107 §3.7: "the default values ... result in R = 93.2".
        let b = Params::default().rating();
        assert!((b.r - DEFAULT_R).abs() < 0.05, "R = {}", b.r);
        assert!((b.ro - 94.77).abs() < 0.01, "Ro = {}", b.ro);
        assert!((b.is - 1.41).abs() < 0.01, "Is = {}", b.is);
        assert!((b.idle - 0.15).abs() < 0.01, "Idle = {}", b.idle);
        assert_eq!(b.idte, 0.0);
    }

    #[test]
    fn idd_hand_computed() {
        // Ta = 400 ms: X = 2; (1 + 64)^(1/6) = 2.00517; (1 + (2/3)^6)^(1/6) = 1.01413;
        // 25·(2.00517 − 3.04238 + 2) = 24.07.
        assert!((idd(400.0) - 24.07).abs() < 0.01, "{}", idd(400.0));
        assert_eq!(idd(50.0), 0.0);
    }

    #[test]
    fn mos_mapping_hand_computed() {
        // R = 80: 1 + 2.8 + 7e-6·80·20·20 = 4.024.
        assert!((mos_from_r(80.0) - 4.024).abs() < 1e-9);
        // R = 50: 1 + 1.75 + 7e-6·50·(−10)·50 = 2.575.
        assert!((mos_from_r(50.0) - 2.575).abs() < 1e-9);
        // R = 3 would give 0.989: floored at 1.
        assert_eq!(mos_from_r(3.0), 1.0);
    }

    #[test]
    fn g729a_at_two_percent_loss() {
        // Ie,eff = 11 + 84·2/(2 + 19) = 19.0; R = 93.2 − 19 = 74.2 at zero delay.
        let p = Params {
            ie: 11.0,
            bpl: 19.0,
            ppl: 2.0,
            ..Params::default()
        };
        let b = p.rating();
        assert!((b.ie_eff - 19.0).abs() < 1e-9);
        assert!((b.r - 74.2).abs() < 0.05, "{}", b.r);
    }

    #[test]
    fn fullband_clean_is_near_top_of_scale() {
        let s = Scorer::new(Codec::Opus).score(&CallInputs::new(0.0, 0.0));
        // 148 − 1.48·Idle(0.15) − 10 = 137.78; /1.48 = 93.09.
        assert!((s.r - 137.78).abs() < 0.02, "{}", s.r);
        assert!((s.mos - mos_from_r(s.r / 1.48)).abs() < 1e-12);
    }

    #[test]
    fn more_loss_or_delay_never_helps() {
        let sc = Scorer::new(Codec::G711Plc);
        let mut last = f64::INFINITY;
        for i in 0..50 {
            let s = sc.score(&CallInputs::new(f64::from(i) * 0.5, f64::from(i) * 20.0));
            assert!(s.r <= last + 1e-9);
            last = s.r;
        }
    }
}
