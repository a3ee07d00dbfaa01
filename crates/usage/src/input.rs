//! Reading segments from CSV and JSON Lines, strictly or skipping bad records.

use std::io::BufRead;

use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, Role,
    StreamSegment, TimeRange, UserId,
};

use crate::csv::CsvReader;
#[cfg(feature = "serde")]
use crate::csv::MAX_RECORD_BYTES;
use crate::error::{Error, Result};
use crate::hash::{FastMap, Inline};

/// The input formats.
///
/// ```
/// use mediameter_usage::InputFormat;
/// assert_eq!("jsonl".parse::<InputFormat>()?, InputFormat::JsonLines);
/// assert_eq!(InputFormat::detect("{\"app\":1}"), InputFormat::JsonLines);
/// assert_eq!(InputFormat::detect("app,channel"), InputFormat::Csv);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line. Reading it needs the `serde` feature: without it,
    /// [`SegmentReader::new`] refuses this format.
    JsonLines,
}

impl InputFormat {
    /// JSON Lines when the first non-blank character is `{`, CSV otherwise.
    ///
    /// ```
    /// assert_eq!(mediameter_usage::InputFormat::detect("  \n{}"), mediameter_usage::InputFormat::JsonLines);
    /// ```
    #[must_use]
    pub fn detect(head: &str) -> Self {
        if head.trim_start().starts_with('{') {
            InputFormat::JsonLines
        } else {
            InputFormat::Csv
        }
    }
}

impl InputFormat {
    /// The canonical spelling, as accepted by [`FromStr`](std::str::FromStr): `csv` or
    /// `jsonl`.
    ///
    /// ```
    /// use mediameter_usage::InputFormat;
    /// assert_eq!(InputFormat::JsonLines.as_str(), "jsonl");
    /// assert_eq!("jsonl".parse::<InputFormat>()?, InputFormat::JsonLines);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            InputFormat::Csv => "csv",
            InputFormat::JsonLines => "jsonl",
        }
    }
}

impl std::fmt::Display for InputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for InputFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "csv" => Ok(InputFormat::Csv),
            "jsonl" | "json-lines" | "ndjson" => Ok(InputFormat::JsonLines),
            _ => Err(Error::invalid("input format", s, "csv or jsonl")),
        }
    }
}

/// How many records were skipped, and the first few errors.
///
/// ```
/// let r = mediameter_usage::SkipReport::default();
/// assert_eq!(r.skipped, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct SkipReport {
    /// Records skipped.
    pub skipped: u64,
    /// The first [`SkipReport::KEPT`] errors, as messages naming line and field.
    pub first_errors: Vec<String>,
}

impl SkipReport {
    /// How many error messages are kept.
    pub const KEPT: usize = 20;

    pub(crate) fn record(&mut self, e: &Error) {
        self.skipped = self.skipped.saturating_add(1);
        if self.first_errors.len() < Self::KEPT {
            self.first_errors.push(e.to_string());
        }
    }
}

/// What to do with a bad record. Prints and parses as `fail` or `skip`.
///
/// ```
/// use mediameter_usage::BadRecords;
/// assert_eq!(BadRecords::default(), BadRecords::Fail);
/// assert_eq!(BadRecords::Skip.to_string(), "skip");
/// assert_eq!("skip".parse::<BadRecords>()?, BadRecords::Skip);
/// assert!("ignore".parse::<BadRecords>().is_err());
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
///
/// `#[non_exhaustive]`: another policy may come (stop after so many bad records, say), so a
/// `match` needs a `_` arm:
///
/// ```compile_fail,E0004
/// use mediameter_usage::BadRecords;
/// fn stops(b: BadRecords) -> bool {
///     match b {
///         BadRecords::Fail => true,
///         BadRecords::Skip => false,
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BadRecords {
    /// Stop at the first bad record with its error (the default).
    #[default]
    Fail,
    /// Skip it, count it and keep its error in the [`SkipReport`]: never silently.
    Skip,
}

impl BadRecords {
    /// The spelling [`Display`](std::fmt::Display) prints and
    /// [`FromStr`](std::str::FromStr) reads.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            BadRecords::Fail => "fail",
            BadRecords::Skip => "skip",
        }
    }
}

impl std::fmt::Display for BadRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for BadRecords {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "fail" => Ok(BadRecords::Fail),
            "skip" => Ok(BadRecords::Skip),
            _ => Err(Error::invalid("bad records", s, "fail or skip")),
        }
    }
}

/// Reads stream segments one at a time from CSV or JSON Lines.
///
/// CSV needs a header line naming the columns; `app`, `channel`, `user`, `role`, `spec`,
/// `start`, `end` are required, `region`, `publisher`, `domain`, `instance`, `type` optional
/// (an empty value is absent), other columns are ignored. JSON Lines objects use the same
/// names. `start`/`end` are Unix seconds or RFC 3339 instants; the range is half-open.
///
/// ```
/// use mediameter_usage::{BadRecords, InputFormat, SegmentReader};
/// let text = "app,channel,user,role,spec,region,start,end\n\
///             a,c,u,sub,720p,r1,0,60\n\
///             a,c,u,sub,720p,r1,60,60\n";
/// let mut r = SegmentReader::new(text.as_bytes(), InputFormat::Csv, BadRecords::Skip)?;
/// let segs: Vec<_> = r.by_ref().collect::<Result<_, _>>()?;
/// assert_eq!(segs.len(), 1);
/// assert_eq!(r.skip_report().skipped, 1);
/// assert_eq!(r.skip_report().first_errors, ["line 3, field end: end 60 is not after start 60"]);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug)]
pub struct SegmentReader<R> {
    source: Source<R>,
    bad: BadRecords,
    skips: SkipReport,
    read: u64,
    done: bool,
}

// One per reader: the size difference between the variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Source<R> {
    Csv {
        reader: CsvReader<R>,
        columns: Columns,
        fields: Vec<String>,
        ids: Box<IdCache>,
    },
    #[cfg(feature = "serde")]
    Jsonl { input: R, line: u64, buf: String },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns(pub(crate) [Option<usize>; 12]);

impl Columns {
    /// The highest position of a required column: a record needs more fields than this.
    pub(crate) fn needed(&self) -> usize {
        self.0
            .iter()
            .take(REQUIRED)
            .flatten()
            .max()
            .copied()
            .unwrap_or(0)
    }
    /// The position of each of [`NAMES`] in a CSV header (read from line `line`).
    ///
    /// # Errors
    ///
    /// [`Error::Document`] located at the header line, naming the first required column the
    /// header lacks.
    pub(crate) fn of_header(line: u64, header: &[String]) -> Result<Self> {
        let mut cols = [None; 12];
        for (i, h) in header.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}');
            let k = NAMES
                .iter()
                .position(|n| *n == h || (*n == "type" && h == "product_type"));
            if let Some(c) = k.and_then(|k| cols.get_mut(k)) {
                *c = Some(i);
            }
        }
        for (k, name) in NAMES.iter().enumerate().take(REQUIRED) {
            if cols.get(k).copied().flatten().is_none() {
                return Err(
                    Error::document("csv", format!("missing column {name} in the header"))
                        .at_line(line),
                );
            }
        }
        Ok(Columns(cols))
    }
}

pub(crate) const NAMES: [&str; 12] = [
    "app",
    "channel",
    "user",
    "role",
    "spec",
    "start",
    "end",
    "region",
    "publisher",
    "domain",
    "instance",
    "type",
];
pub(crate) const REQUIRED: usize = 7;

impl<R: BufRead> SegmentReader<R> {
    /// A reader of `format` over `input`.
    ///
    /// # Errors
    ///
    /// [`Error::Document`] at line 1 for a CSV header that is missing or lacks a required
    /// column (in either mode: without a header nothing can be read); [`Error::Invalid`] for
    /// [`InputFormat::JsonLines`] when the crate is built without the `serde` feature.
    ///
    /// ```
    /// use mediameter_usage::{BadRecords, InputFormat, SegmentReader};
    /// let e = SegmentReader::new("app,user\n".as_bytes(), InputFormat::Csv, BadRecords::Skip).unwrap_err();
    /// assert!(e.to_string().contains("channel"));
    /// ```
    pub fn new(input: R, format: InputFormat, bad: BadRecords) -> Result<Self> {
        let source = match format {
            InputFormat::Csv => {
                let mut reader = CsvReader::new(input);
                let (line, header) = reader.next_record()?.ok_or_else(no_header)?;
                let columns = Columns::of_header(line, &header)?;
                Source::Csv {
                    reader,
                    columns,
                    fields: Vec::new(),
                    ids: Box::default(),
                }
            }
            #[cfg(feature = "serde")]
            InputFormat::JsonLines => Source::Jsonl {
                input,
                line: 0,
                buf: String::new(),
            },
            #[cfg(not(feature = "serde"))]
            InputFormat::JsonLines => {
                return Err(Error::invalid(
                    "input format",
                    "jsonl",
                    "csv (reading JSON Lines needs the serde feature)",
                ));
            }
        };
        Ok(SegmentReader {
            source,
            bad,
            skips: SkipReport::default(),
            read: 0,
            done: false,
        })
    }

    /// What was skipped so far.
    ///
    /// ```
    /// # use mediameter_usage::*;
    /// let csv = "app,channel,user,role,spec,start,end\n";
    /// let r = SegmentReader::new(csv.as_bytes(), InputFormat::Csv, BadRecords::Fail)?;
    /// assert_eq!(r.skip_report().skipped, 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub fn skip_report(&self) -> &SkipReport {
        &self.skips
    }

    /// Segments read successfully so far.
    ///
    /// ```
    /// # use mediameter_usage::*;
    /// let csv = "app,channel,user,role,spec,start,end\n";
    /// let r = SegmentReader::new(csv.as_bytes(), InputFormat::Csv, BadRecords::Fail)?;
    /// assert_eq!(r.segments_read(), 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub fn segments_read(&self) -> u64 {
        self.read
    }

    fn next_raw(&mut self) -> Option<Result<StreamSegment>> {
        match &mut self.source {
            Source::Csv {
                reader,
                columns,
                fields,
                ids,
            } => match reader.next_into(fields) {
                Err(e) => {
                    // A broken quote may swallow the rest: stop after reporting it.
                    self.done = true;
                    Some(Err(e))
                }
                Ok(None) => None,
                Ok(Some(line)) => Some(csv_segment(line, fields, columns, ids)),
            },
            #[cfg(feature = "serde")]
            Source::Jsonl { input, line, buf } => loop {
                buf.clear();
                let limit = u64::try_from(MAX_RECORD_BYTES)
                    .unwrap_or(u64::MAX)
                    .saturating_add(1);
                let reader: &mut R = input;
                match std::io::Read::take(reader, limit).read_line(buf) {
                    Err(e) => {
                        self.done = true;
                        return Some(Err(Error::document("json", format!("cannot read: {e}"))
                            .at_line(line.saturating_add(1))));
                    }
                    Ok(0) => return None,
                    Ok(n) => {
                        *line = line.saturating_add(1);
                        if n > MAX_RECORD_BYTES {
                            // The rest of the line would be read as the next record: stop.
                            self.done = true;
                            return Some(Err(Error::document(
                                "json",
                                format!("line longer than {MAX_RECORD_BYTES} bytes"),
                            )
                            .at_line(*line)));
                        }
                        if buf.trim().is_empty() {
                            continue;
                        }
                        return Some(json_segment(*line, buf));
                    }
                }
            },
        }
    }
}

impl<R: BufRead> Iterator for SegmentReader<R> {
    type Item = Result<StreamSegment>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            match self.next_raw() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Ok(s)) => {
                    self.read = self.read.saturating_add(1);
                    return Some(Ok(s));
                }
                Some(Err(e)) => match self.bad {
                    BadRecords::Fail => {
                        self.done = true;
                        return Some(Err(e));
                    }
                    BadRecords::Skip => self.skips.record(&e),
                },
            }
        }
    }
}

/// The error of a CSV input without a header line.
pub(crate) fn no_header() -> Error {
    Error::document("csv", "empty input: expected a header line").at_line(1)
}

/// An instant of field `field` on `line`.
///
/// A bad value costs three allocations (the value, what was expected, the located error's
/// box), as many as the message text, the value and the field's name did before the errors
/// were located with [`Error::At`].
fn parse_instant(line: u64, field: &'static str, v: &str) -> Result<i64> {
    let v = v.trim();
    if v.is_empty() {
        return Err(
            Error::invalid(field, v, "Unix seconds or an RFC 3339 instant").at_field(line, field),
        );
    }
    if let Ok(n) = v.parse::<i64>() {
        return Ok(n);
    }
    match chrono::DateTime::parse_from_rfc3339(v) {
        Ok(t) if t.timestamp_subsec_nanos() == 0 => Ok(t.timestamp()),
        Ok(_) => Err(Error::invalid(
            field,
            v,
            "whole seconds (an instant without a fraction of a second)",
        )
        .at_field(line, field)),
        Err(_) => Err(
            Error::invalid(field, v, "Unix seconds or an RFC 3339 instant").at_field(line, field),
        ),
    }
}

/// Ids of the few-valued columns (app, region, domain, instance, type) already built, by their
/// text, so that the segments of a long input share one allocation per distinct value (a clone
/// is a reference-count increment) instead of allocating a string per field. Values of at
/// most 23 bytes are cached. Users and channels are not: there are hundreds of thousands of
/// them, and a probe in a table that large costs more than the allocation it saves. Each table is cleared when it reaches [`IdCache::CAP`] entries,
/// which bounds its memory whatever the input.
#[derive(Debug, Default)]
pub(crate) struct IdCache {
    apps: FastMap<Inline, AppId>,
    regions: FastMap<Inline, RegionId>,
    domains: FastMap<Inline, DomainName>,
    instances: FastMap<Inline, InstanceId>,
    types: FastMap<Inline, ProductType>,
}

impl IdCache {
    /// Entries kept per kind of id.
    const CAP: usize = 1 << 19;
}

/// The id of text `s` from `map`, or built by `make` (then cached); the same result and the
/// same error as `make(s)`.
#[inline]
fn cached<T: Clone>(
    map: Option<&mut FastMap<Inline, T>>,
    s: &str,
    make: impl FnOnce(&str) -> mediameter_core::Result<T>,
) -> mediameter_core::Result<T> {
    // Only short ids are cached: their key is inline, so a lookup reads no other memory.
    let (Some(map), Some(key)) = (map, Inline::new(s)) else {
        return make(s);
    };
    if let Some(v) = map.get(&key) {
        return Ok(v.clone());
    }
    let v = make(s)?;
    if map.len() >= IdCache::CAP {
        map.clear();
    }
    map.insert(key, v.clone());
    Ok(v)
}

/// [`MediaSpec`]'s parser, with the canonical spellings matched first: the general parser
/// lowercases into a new string, which costs more than the rest of a record's fields.
#[inline]
pub(crate) fn parse_spec(s: &str) -> mediameter_core::Result<MediaSpec> {
    use mediameter_core::VideoTier;
    Ok(match s {
        "audio" => MediaSpec::Audio,
        "360p" => MediaSpec::Video(VideoTier::P360),
        "720p" => MediaSpec::Video(VideoTier::P720),
        "1080p" => MediaSpec::Video(VideoTier::P1080),
        other => other.parse()?,
    })
}

/// Builds a segment from raw field values in [`NAMES`] order (absent optional: `None`).
pub(crate) fn build(
    line: u64,
    v: [Option<&str>; 12],
    mut ids: Option<&mut IdCache>,
) -> Result<StreamSegment> {
    // A bad field is located at the line and the field without formatting either: a
    // skipped record costs the inner error and one box (the empty value allocates nothing).
    let name = |k: usize| NAMES.get(k).copied().unwrap_or("record");
    let req = |k: usize| -> Result<&str> {
        match v.get(k).copied().flatten() {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(Error::invalid(name(k), "", "a non-empty value").at_field(line, name(k))),
        }
    };
    let wrap = |k: usize| move |e: mediameter_core::Error| Error::Core(e).at_field(line, name(k));
    let app = cached(
        ids.as_deref_mut().map(|c| &mut c.apps),
        req(0)?,
        |x: &str| AppId::new(x),
    )
    .map_err(wrap(0))?;
    let channel = ChannelId::new(req(1)?).map_err(wrap(1))?;
    let user = UserId::new(req(2)?).map_err(wrap(2))?;
    let role: Role = req(3)?.trim().parse().map_err(wrap(3))?;
    let spec = parse_spec(req(4)?.trim()).map_err(wrap(4))?;
    let start = parse_instant(line, "start", req(5)?)?;
    let end = parse_instant(line, "end", req(6)?)?;
    if end <= start {
        return Err(Error::EmptyRange { start, end }.at_field(line, "end"));
    }
    let range =
        TimeRange::from_unix(start, end).map_err(|e| Error::Core(e).at_field(line, "start/end"))?;
    let mut s = StreamSegment::new(app, channel, user, role, spec, range);
    let opt = |k: usize| v.get(k).copied().flatten().filter(|x| !x.is_empty());
    if let Some(x) = opt(7) {
        s = s.with_region(
            cached(ids.as_deref_mut().map(|c| &mut c.regions), x, |x: &str| {
                RegionId::new(x)
            })
            .map_err(wrap(7))?,
        );
    }
    if let Some(x) = opt(8) {
        s = s.with_publisher(UserId::new(x).map_err(wrap(8))?);
    }
    if let Some(x) = opt(9) {
        s = s.with_domain(
            cached(ids.as_deref_mut().map(|c| &mut c.domains), x, |x: &str| {
                DomainName::new(x)
            })
            .map_err(wrap(9))?,
        );
    }
    if let Some(x) = opt(10) {
        s = s.with_instance(
            cached(
                ids.as_deref_mut().map(|c| &mut c.instances),
                x,
                |x: &str| InstanceId::new(x),
            )
            .map_err(wrap(10))?,
        );
    }
    if let Some(x) = opt(11) {
        s = s.with_product_type(
            cached(ids.map(|c| &mut c.types), x, |x: &str| ProductType::new(x))
                .map_err(wrap(11))?,
        );
    }
    Ok(s)
}

pub(crate) fn csv_segment(
    line: u64,
    fields: &[String],
    cols: &Columns,
    ids: &mut IdCache,
) -> Result<StreamSegment> {
    let mut v: [Option<&str>; 12] = [None; 12];
    for (slot, col) in v.iter_mut().zip(cols.0.iter()) {
        if let Some(i) = col {
            *slot = fields.get(*i).map(String::as_str);
        }
    }
    let needed = cols.needed();
    if fields.len() <= needed {
        let field = NAMES
            .iter()
            .zip(cols.0.iter())
            .find(|(_, c)| c.is_some_and(|i| i >= fields.len()))
            .map_or("record", |(n, _)| n);
        return Err(Error::invalid(
            field,
            "",
            format!("a value (the line has only {} fields)", fields.len()),
        )
        .at_field(line, field));
    }
    build(line, v, Some(ids))
}

#[cfg(feature = "serde")]
fn json_segment(line: u64, text: &str) -> Result<StreamSegment> {
    // serde_json keeps the last of two equal keys: a record naming a field twice is refused.
    mediameter_core::json::check_unique_keys(text).map_err(|e| {
        Error::document(
            "json",
            format!(
                "repeated key {} at column {}: expected each key at most once",
                mediameter_core::echo::echo(e.key()),
                e.column()
            ),
        )
        .at_line(line)
    })?;
    let value: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| {
        Error::document(
            "json",
            format!("invalid JSON at column {}: {e}", e.column()),
        )
        .at_line(line)
    })?;
    let obj = value
        .as_object()
        .ok_or_else(|| Error::document("json", "expected a JSON object").at_line(line))?;
    let mut owned: [Option<String>; 12] = Default::default();
    for (k, name) in NAMES.iter().enumerate() {
        let v = obj.get(*name).or_else(|| {
            if *name == "type" {
                obj.get("product_type")
            } else {
                None
            }
        });
        let s = match v {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) if k == 5 || k == 6 => Some(n.to_string()),
            Some(other) => {
                return Err(Error::invalid(
                    name,
                    &other.to_string(),
                    format!("a string, not {}", json_kind(other)),
                )
                .at_field(line, name));
            }
        };
        if let Some(slot) = owned.get_mut(k) {
            *slot = s;
        }
    }
    let mut v: [Option<&str>; 12] = [None; 12];
    for (slot, o) in v.iter_mut().zip(owned.iter()) {
        *slot = o.as_deref();
    }
    build(line, v, None)
}

#[cfg(feature = "serde")]
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads all segments of `text` in `format`.
///
/// # Errors
///
/// In [`BadRecords::Fail`] mode the first bad record's error; in both modes a bad CSV header.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_usage::{BadRecords, InputFormat, read_segments};
/// let (segs, skipped) = read_segments("{\"app\":\"a\",\"channel\":\"c\",\"user\":\"u\",\"role\":\"pub\",\"spec\":\"audio\",\"start\":0,\"end\":5}\n{\"app\":1}\n",
///     InputFormat::JsonLines, BadRecords::Skip)?;
/// assert_eq!((segs.len(), skipped.skipped), (1, 1));
/// # }
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
pub fn read_segments(
    text: &str,
    format: InputFormat,
    bad: BadRecords,
) -> Result<(Vec<StreamSegment>, SkipReport)> {
    let mut r = SegmentReader::new(text.as_bytes(), format, bad)?;
    let segs = r.by_ref().collect::<Result<Vec<_>>>()?;
    Ok((segs, r.skips))
}

/// Reads a CSV text strictly.
///
/// # Errors
///
/// The first bad record, naming its line and field.
///
/// ```
/// let segs = mediameter_usage::parse_csv("app,channel,user,role,spec,region,start,end\na,c,u,sub,720p,r1,1700000000,1700000600\n")?;
/// assert_eq!(segs[0].range.seconds(), 600);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
pub fn parse_csv(text: &str) -> Result<Vec<StreamSegment>> {
    read_segments(text, InputFormat::Csv, BadRecords::Fail).map(|(s, _)| s)
}

/// Reads a JSON Lines text strictly (with the `serde` feature).
///
/// # Errors
///
/// The first bad record, naming its line and field.
///
/// ```
/// let e = mediameter_usage::parse_jsonl("{\"app\":\"a\",\"channel\":\"c\",\"user\":\"u\",\"role\":\"pub\",\"spec\":\"8k\",\"start\":0,\"end\":5}").unwrap_err();
/// assert_eq!(e.line(), Some(1));
/// assert!(e.to_string().starts_with("line 1, field spec: "));
/// assert!(e.as_core().is_some());
/// ```
#[cfg(feature = "serde")]
pub fn parse_jsonl(text: &str) -> Result<Vec<StreamSegment>> {
    read_segments(text, InputFormat::JsonLines, BadRecords::Fail).map(|(s, _)| s)
}

/// One JSON Lines record for a segment (the inverse of the reader), without a newline.
///
/// # Errors
///
/// Never in practice (serializing strings and numbers).
///
/// ```
/// # use mediameter_core::*;
/// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 60)?);
/// let line = mediameter_usage::segment_jsonl(&s)?;
/// assert_eq!(mediameter_usage::parse_jsonl(&line)?, vec![s]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "serde")]
pub fn segment_jsonl(s: &StreamSegment) -> Result<String> {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        m.insert(k.to_owned(), v);
    };
    put("app", s.app.as_str().into());
    put("channel", s.channel.as_str().into());
    put("user", s.user.as_str().into());
    put("role", s.role.as_str().into());
    put("spec", s.spec.as_str().into());
    put("start", s.range.start().timestamp().into());
    put("end", s.range.end().timestamp().into());
    for (k, v) in [
        ("region", s.region.as_ref().map(|x| x.as_str())),
        ("publisher", s.publisher.as_ref().map(|x| x.as_str())),
        ("domain", s.domain.as_ref().map(|x| x.as_str())),
        ("instance", s.instance.as_ref().map(|x| x.as_str())),
        ("type", s.product_type.as_ref().map(|x| x.as_str())),
    ] {
        if let Some(v) = v {
            put(k, v.into());
        }
    }
    serde_json::to_string(&serde_json::Value::Object(m))
        .map_err(|e| Error::document("json", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_fast_path_agrees_with_the_parser() {
        for s in [
            "audio", "360p", "720p", "1080p", "2k", "4k", "1440p", "≤720P", "AUDIO", "8k", "",
        ] {
            assert_eq!(
                parse_spec(s).map_err(|e| e.to_string()),
                s.parse::<MediaSpec>().map_err(|e| e.to_string()),
                "{s}"
            );
        }
    }
}
