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
/// The crate follows the workspace's error convention (`docs/architecture.md`, "Error
/// convention"): one `Error` with an [`ErrorKind`] for callers that branch, and a located
/// error ([`Error::At`], naming the chart) whose [`Error::kind`] is the kind of the error
/// inside. The report functions take values that were validated by the libraries, so the
/// only failure left is the chart library refusing to draw.
///
/// ```
/// use mediameter_report::{Error, ErrorKind};
/// let e = Error::draw("backend").at("chart p0-network");
/// assert_eq!(e.kind(), ErrorKind::Draw);
/// assert_eq!(e.to_string(), "chart p0-network: drawing a chart failed: backend");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The chart library refused to draw (an empty or non-finite axis range, for example).
    #[error("drawing a chart failed: {reason}")]
    Draw {
        /// What the chart library said, cut to [`mediameter_core::error::ECHO_LIMIT`]
        /// characters with control characters escaped.
        reason: String,
    },
    /// An error located in the report: the chart it happened in.
    #[error("{place}: {source}")]
    At {
        /// Where: `"chart p0-network"`.
        place: String,
        /// What went wrong there.
        source: Box<Error>,
    },
}

/// The category of an [`Error`], for callers that branch on it.
///
/// ```
/// use mediameter_report::{Error, ErrorKind};
/// assert_eq!(Error::draw("no range").kind(), ErrorKind::Draw);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Draw`].
    Draw,
}

impl Error {
    /// The category of this error; for a located error ([`Error::At`]), of the error inside.
    ///
    /// ```
    /// use mediameter_report::{Error, ErrorKind};
    /// assert_eq!(Error::draw("x").at("chart a").at("card 0").kind(), ErrorKind::Draw);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Draw { .. } => ErrorKind::Draw,
            Error::At { source, .. } => source.kind(),
        }
    }

    /// Builds an [`Error::Draw`], cutting and escaping what the chart library said.
    ///
    /// ```
    /// let e = mediameter_report::Error::draw("\u{1b}[2J".repeat(100));
    /// assert!(!e.to_string().chars().any(char::is_control));
    /// assert!(e.to_string().len() < 700);
    /// ```
    #[must_use]
    pub fn draw(reason: impl std::fmt::Display) -> Self {
        Error::Draw {
            reason: shown(&reason.to_string()),
        }
    }

    /// This error located at `place` (a chart), escaped and cut as every echoed value is.
    ///
    /// ```
    /// use mediameter_report::Error;
    /// assert!(Error::draw("x").at("chart loss").to_string().starts_with("chart loss: "));
    /// ```
    #[must_use]
    pub fn at(self, place: impl AsRef<str>) -> Self {
        Error::At {
            place: shown(place.as_ref()),
            source: Box::new(self),
        }
    }
}

/// Text as an error shows it: cut to [`mediameter_core::error::ECHO_LIMIT`] characters,
/// control characters escaped, so that nothing reaches a terminal or a log raw.
fn shown(text: &str) -> String {
    mediameter_core::echo::escape_controls(&mediameter_core::error::truncate(text)).to_string()
}

/// The result type of `mediameter-report`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
