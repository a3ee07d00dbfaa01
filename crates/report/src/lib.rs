//! Self-contained HTML reports of what mediameter computes: a call diagnosis laid out like
//! the vendor console's monitoring page, and a usage report with its trend charts and table.
//!
//! Each report is one HTML file with inline SVG charts and inline CSS: no script, no font or
//! image fetched from anywhere, and a print style sheet (A4 landscape, charts never split across
//! pages). Every text taken from the input (ids, client strings, group values) is escaped.
//!
//! Charts are drawn with [`plotters`] through its SVG backend only (no bitmap, font-loading or
//! image dependencies). Each chart's `<figure>` carries its plot area in pixels and its axis
//! ranges as `data-plot`, `data-x`, `data-y` (and `data-y2`) attributes, so every drawn point
//! can be mapped back to a value; the tests do exactly that.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "diagnostics")] {
//! use mediameter_diagnostics::{DiagnosisRequest, Profile};
//! let request: DiagnosisRequest = serde_json::from_str(r#"{"app_id":"app1","channel_id":"room-1",
//!   "range":{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T10:01:00Z"},
//!   "participants":[{"user_id":"u1","role":"pub","client":{"sdk_version":"6.8.2","os":"iOS 17"},
//!     "samples":[{"t":"2024-05-01T10:00:00Z","audio_kbps":48,"loss_pct":0.5,"rtt_ms":60},
//!                {"t":"2024-05-01T10:00:01Z","audio_kbps":47,"loss_pct":0.7,"rtt_ms":62}]}]}"#)?;
//! let call = request.validate()?;
//! let diagnosis = mediameter_diagnostics::diagnose(&call, &Profile::default())?;
//! let html = mediameter_report::diagnosis_html(&call, &diagnosis)?;
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(!html.contains("<script"));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Feature flags
//!
//! * `diagnostics` (default): [`diagnosis_html`]. Pulls in `mediameter-diagnostics`.
//! * `usage` (default): [`usage_html`]. Pulls in `mediameter-usage` and `rust_decimal`.
//!
//! # Thread safety
//!
//! Every function is pure and the crate holds no state: it is safe to call from any thread.
//! The functions read their inputs through `&` references (a call, a diagnosis, a usage report)
//! and return an owned `String`; [`Error`] is `Send + Sync`. `tests/thread_safety.rs` checks
//! this at compile time.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(any(feature = "diagnostics", feature = "usage"))]
mod chart;
#[cfg(feature = "diagnostics")]
mod diagnose;
#[cfg(any(feature = "diagnostics", feature = "usage"))]
mod html;
#[cfg(feature = "usage")]
mod usage;

#[cfg(feature = "diagnostics")]
pub use diagnose::{MAX_PARTICIPANT_CARDS, diagnosis_html};
#[cfg(feature = "usage")]
pub use usage::{MAX_TABLE_ROWS, usage_html};

/// What can go wrong while drawing a report.
///
/// ```
/// let e = mediameter_report::Error::Draw("backend".to_owned());
/// assert_eq!(e.to_string(), "drawing a chart failed: backend");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The chart library refused to draw (an empty or non-finite axis range, for example).
    #[error("drawing a chart failed: {0}")]
    Draw(String),
}

/// The result type of `mediameter-report`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
