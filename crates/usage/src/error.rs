//! The one error type of `mediameter-usage`.

/// Everything that can go wrong in this crate.
///
/// The type follows the workspace's error convention (`docs/architecture.md`, "Error
/// convention"): errors of `mediameter-core` are carried whole in [`Error::Core`];
/// [`Error::Invalid`], [`Error::OutOfRange`], [`Error::Overflow`] and [`Error::TooLarge`] have the
/// shared fields and messages; a located error is an [`Error::At`], whose [`Error::kind`] and
/// [`Error::as_core`] are those of the error inside.
///
/// A bad input record is the error of what was wrong with it (a core id that did not parse, an
/// [`Error::Invalid`] instant, an [`Error::EmptyRange`], a [`Error::Document`] line that is not
/// CSV) located at its [`Place`]: the line number (1-based, counting the header line of a CSV
/// file) and, when one field is at fault, the field. [`Error::line`] reads the line back.
/// Query and configuration errors name their field and have no place.
///
/// ```
/// use mediameter_usage::{Error, ErrorKind, parse_csv};
/// let err = parse_csv("app,channel,user,role,spec,region,start,end\na,c,u,sub,8k,r,0,60\n").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Core);
/// assert_eq!(err.line(), Some(2));
/// assert!(err.as_core().is_some());
/// assert!(err.to_string().starts_with("line 2, field spec: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from `mediameter-core` (ids, ranges, zones, specs), carried as it is: read it
    /// with [`Error::as_core`].
    #[error(transparent)]
    Core(#[from] mediameter_core::Error),
    /// A value of the wrong form: a field of a query, an option or a vendor request, or a
    /// field of an input record (then located at the record with [`Error::At`]). Build it with
    /// [`Error::invalid`].
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// The field (`"interval"`, `"split by"`, `"StartTime"`, `"start"`...).
        field: &'static str,
        /// The value given, cut to [`mediameter_core::error::ECHO_LIMIT`] characters.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A number is outside the range this crate supports (an approximate-count precision
    /// outside 4..=16, a segment starting before the previous one in a sorted input). Build
    /// it with [`Error::out_of_range`].
    #[error("{field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// What was checked.
        field: &'static str,
        /// The offending value, rendered.
        value: String,
        /// The accepted range, in words.
        expected: String,
    },
    /// A counter would overflow. Build it with [`Error::overflow`].
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// What was being counted or added.
        operation: &'static str,
    },
    /// More items than a limit allows (a segment longer than an aggregation's limit on the
    /// seconds of one segment). Build it with [`Error::too_large`].
    #[error("{what} would produce {count} items, more than the limit of {limit}")]
    TooLarge {
        /// What was being counted.
        what: &'static str,
        /// How many there would have been.
        count: u64,
        /// The limit that applied.
        limit: u64,
    },
    /// An input record's end is not after its start (in Unix seconds): its half-open range
    /// would be empty or reversed. A shape of this crate's own, without text fields, so that
    /// skipping such records (common in exported usage data) costs no more than it did
    /// before the workspace's convention.
    #[error("end {end} is not after start {start}")]
    EmptyRange {
        /// The record's start.
        start: i64,
        /// The record's end.
        end: i64,
    },
    /// Two aggregation states built under different settings cannot be merged
    /// ([`UsageState::merge`](crate::UsageState::merge) and the states of a parallel report).
    #[error("cannot merge states: {field} differs ({left} vs {right})")]
    Incompatible {
        /// The query field that differs.
        field: &'static str,
        /// Its value on the left.
        left: String,
        /// Its value on the right.
        right: String,
    },
    /// A document could not be read or written: a vendor document (JSON or XML) or a CSV or
    /// JSON Lines input whose text is broken (no header, a stray quote, a line too long, a
    /// failed read). An input's broken line is located at its line with [`Error::At`].
    #[error("{format} document: {reason}")]
    Document {
        /// `json`, `xml` or `csv`.
        format: &'static str,
        /// What went wrong, with the position when known.
        reason: String,
    },
    /// An error located in the input: `place` says where, `source` what went wrong there.
    /// [`Error::kind`], [`Error::as_core`] and [`Error::line`] look through it.
    #[error("{place}: {source}")]
    At {
        /// Where: an input line and field (`line 7, field start`), or a place in words.
        place: Place,
        /// What went wrong there.
        source: Box<Error>,
    },
}

/// Where in the input a located error ([`Error::At`]) happened.
///
/// A record's place keeps its line as a number and its field as a name, not as text: readers
/// that load a large input in blocks number each block's lines from 1 and shift the errors'
/// lines afterwards, and building a place costs no allocation on the path that skips bad
/// records. It prints as `line 7, field start` (or `line 7` for the line as a whole). Any other
/// place is text given to [`Error::at`], its control characters escaped and cut to 256
/// characters.
///
/// ```
/// use mediameter_usage::Error;
/// let e = Error::overflow("rows").at_field(7, "start");
/// let Error::At { place, .. } = &e else { unreachable!() };
/// assert_eq!((place.line(), place.field()), (Some(7), Some("start")));
/// assert_eq!(place.to_string(), "line 7, field start");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place(Where);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Where {
    Line {
        line: u64,
        field: Option<&'static str>,
    },
    Text(String),
}

impl Place {
    /// The 1-based input line, for a record's place.
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        match &self.0 {
            Where::Line { line, .. } => Some(*line),
            Where::Text(_) => None,
        }
    }

    /// The field at fault, for a record's place that names one.
    #[must_use]
    pub fn field(&self) -> Option<&'static str> {
        match &self.0 {
            Where::Line { field, .. } => *field,
            Where::Text(_) => None,
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Where::Line {
                line,
                field: Some(field),
            } => write!(f, "line {line}, field {field}"),
            Where::Line { line, field: None } => write!(f, "line {line}"),
            Where::Text(text) => f.write_str(text),
        }
    }
}

/// Most characters of a place given as text: room for a few ids, each cut to
/// [`ECHO_LIMIT`](mediameter_core::error::ECHO_LIMIT).
const PLACE_LIMIT: usize = 4 * mediameter_core::error::ECHO_LIMIT;

/// The first `limit` characters of `text`.
fn cut(text: &str, limit: usize) -> &str {
    match text.char_indices().nth(limit) {
        None => text,
        Some((end, _)) => text.get(..end).unwrap_or(text),
    }
}

/// What kind of [`Error`] happened, for callers that branch.
///
/// ```
/// use mediameter_usage::{Error, ErrorKind};
/// assert_eq!(Error::overflow("seconds").kind(), ErrorKind::Overflow);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Invalid`].
    Invalid,
    /// [`Error::OutOfRange`].
    OutOfRange,
    /// [`Error::Incompatible`].
    Incompatible,
    /// [`Error::Overflow`].
    Overflow,
    /// [`Error::TooLarge`].
    TooLarge,
    /// [`Error::EmptyRange`].
    EmptyRange,
    /// [`Error::Core`].
    Core,
    /// [`Error::Document`].
    Document,
}

impl Error {
    /// The kind of error; for an [`Error::At`], the kind of the error inside.
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e = Error::invalid("interval", "7", "3600 or 86400");
    /// assert_eq!(e.kind(), ErrorKind::Invalid);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::Incompatible { .. } => ErrorKind::Incompatible,
            Error::Overflow { .. } => ErrorKind::Overflow,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::EmptyRange { .. } => ErrorKind::EmptyRange,
            Error::Core(_) => ErrorKind::Core,
            Error::Document { .. } => ErrorKind::Document,
            Error::At { source, .. } => source.kind(),
        }
    }

    /// The input line of a located error (the first place with a line, outermost first).
    ///
    /// ```
    /// use mediameter_usage::Error;
    /// assert_eq!(Error::invalid("end", "x", "a number").at_field(7, "end").line(), Some(7));
    /// assert_eq!(Error::overflow("x").line(), None);
    /// ```
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        match self {
            Error::At { place, source } => place.line().or_else(|| source.line()),
            _ => None,
        }
    }

    /// This error located at `line` of the input, as a whole (a broken CSV line, a failed
    /// read). Building the place allocates nothing.
    ///
    /// ```
    /// let e = mediameter_usage::Error::overflow("rows").at_line(3);
    /// assert_eq!(e.to_string(), "line 3: arithmetic overflow in rows");
    /// ```
    #[must_use]
    pub fn at_line(self, line: u64) -> Self {
        self.located(Where::Line { line, field: None })
    }

    /// This error located at `field` of the record on `line`. Building the place allocates
    /// nothing.
    ///
    /// ```
    /// let e = mediameter_usage::Error::invalid("start", "soon", "Unix seconds").at_field(3, "start");
    /// assert_eq!(e.to_string(), "line 3, field start: invalid start \"soon\": expected Unix seconds");
    /// ```
    #[must_use]
    pub fn at_field(self, line: u64, field: &'static str) -> Self {
        self.located(Where::Line {
            line,
            field: Some(field),
        })
    }

    /// This error located at `place`, given in words (`"segment 3 of the state"`), with the
    /// place's control characters escaped and the place cut to 256 characters. Locating an
    /// error twice keeps both places, outer first.
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e = Error::overflow("seconds").at("user u1");
    /// assert_eq!(e.kind(), ErrorKind::Overflow);
    /// assert_eq!(e.to_string(), "user u1: arithmetic overflow in seconds");
    /// ```
    #[must_use]
    pub fn at(self, place: impl AsRef<str>) -> Self {
        let text = mediameter_core::echo::escape_controls(cut(place.as_ref(), PLACE_LIMIT));
        self.located(Where::Text(text.to_string()))
    }

    fn located(self, place: Where) -> Self {
        Error::At {
            place: Place(place),
            source: Box::new(self),
        }
    }

    /// Adds `offset` to the line of the outermost place with a line (a block's lines made
    /// the input's): the line is a number in the place, so nothing is parsed or formatted.
    pub(crate) fn shift_line(&mut self, offset: u64) {
        if let Some(line) = self.line_mut() {
            *line = line.saturating_add(offset);
        }
    }

    /// This error with the line of its outermost place with a line set to `line` (a record
    /// renumbered by a test that counts its own input); unchanged when it has none.
    #[cfg(test)]
    pub(crate) fn with_line(mut self, line: u64) -> Self {
        if let Some(l) = self.line_mut() {
            *l = line;
        }
        self
    }

    fn line_mut(&mut self) -> Option<&mut u64> {
        match self {
            Error::At {
                place: Place(Where::Line { line, .. }),
                ..
            } => Some(line),
            Error::At { source, .. } => source.line_mut(),
            _ => None,
        }
    }

    /// The core error this error carries, if it is an [`Error::Core`] (looking through
    /// [`Error::At`]).
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e: Error = mediameter_core::UserId::new("").unwrap_err().into();
    /// let e = e.at_field(4, "user");
    /// assert_eq!(e.kind(), ErrorKind::Core);
    /// assert_eq!(e.as_core().map(|c| c.kind()), Some(mediameter_core::ErrorKind::Invalid));
    /// assert!(Error::overflow("seconds").at_line(2).as_core().is_none());
    /// ```
    #[must_use]
    pub fn as_core(&self) -> Option<&mediameter_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            Error::At { source, .. } => source.as_core(),
            _ => None,
        }
    }

    /// An [`Error::Invalid`], the value cut to [`mediameter_core::error::ECHO_LIMIT`]
    /// characters.
    ///
    /// ```
    /// let e = mediameter_usage::Error::invalid("zone", "Mars", "an offset");
    /// assert_eq!(e.to_string(), "invalid zone \"Mars\": expected an offset");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl std::fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: mediameter_core::error::truncate(value),
            expected: expected.to_string(),
        }
    }

    /// An [`Error::OutOfRange`].
    ///
    /// ```
    /// let e = mediameter_usage::Error::out_of_range("precision", 20, "4..=16");
    /// assert_eq!(e.to_string(), "precision 20 is out of range: expected 4..=16");
    /// ```
    #[must_use]
    pub fn out_of_range(
        field: &'static str,
        value: impl std::fmt::Display,
        expected: impl std::fmt::Display,
    ) -> Self {
        Error::OutOfRange {
            field,
            value: mediameter_core::error::truncate(&value.to_string()),
            expected: expected.to_string(),
        }
    }

    /// An [`Error::Overflow`] in `operation`.
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e = Error::overflow("seconds");
    /// assert_eq!(e.to_string(), "arithmetic overflow in seconds");
    /// assert!(matches!(e, Error::Overflow { operation: "seconds" }));
    /// ```
    #[must_use]
    pub const fn overflow(operation: &'static str) -> Self {
        Error::Overflow { operation }
    }

    /// An [`Error::TooLarge`] from collection lengths (a count past `u64` reads as
    /// `u64::MAX`).
    ///
    /// ```
    /// use mediameter_usage::{Error, ErrorKind};
    /// let e = Error::too_large("groups", 11, 10);
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert_eq!(e.to_string(), "groups would produce 11 items, more than the limit of 10");
    /// ```
    #[must_use]
    pub fn too_large(what: &'static str, count: usize, limit: usize) -> Self {
        Error::TooLarge {
            what,
            count: u64::try_from(count).unwrap_or(u64::MAX),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        }
    }

    /// A segment (record `line` of its input, 1-based) longer than an aggregation's limit on
    /// the seconds of one segment: no text is formatted, so skipping it allocates only the
    /// located error's box.
    pub(crate) fn segment_too_long(line: u64, seconds: i64, limit: u64) -> Self {
        Error::TooLarge {
            what: "a segment's seconds",
            count: u64::try_from(seconds).unwrap_or(0),
            limit,
        }
        .at_field(line, "start/end")
    }

    /// A segment (record `line` of its input, 1-based) whose range has an instant with a
    /// fraction of a second (every vendor source has whole seconds).
    pub(crate) fn fractional_seconds(line: u64, range: &mediameter_core::TimeRange) -> Self {
        Error::invalid("start/end", &range.to_string(), "instants in whole seconds")
            .at_field(line, "start/end")
    }

    pub(crate) fn document(format: &'static str, reason: impl Into<String>) -> Self {
        Error::Document {
            format,
            reason: reason.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn check<T: Send + Sync + 'static + std::error::Error>() {}
        check::<Error>();
    }

    #[test]
    fn core_errors_convert() {
        let e: Error = mediameter_core::UserId::new("").unwrap_err().into();
        assert_eq!(e.kind(), ErrorKind::Core);
    }
}
