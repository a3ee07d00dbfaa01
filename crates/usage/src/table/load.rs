//! Loading a [`SegmentTable`] straight from the bytes of a CSV file.
//!
//! The reader of [`SegmentReader`](crate::SegmentReader) builds a `String` per field and an
//! `Arc<str>` per id; this one splits each line in place, looks every id up in the table's
//! dictionaries by its bytes, and allocates only for an id never seen before. Its result is
//! the same as reading the file with [`SegmentReader`](crate::SegmentReader) and adding every
//! segment to a table, errors and skip reports included:
//!
//! * a line whose fields are all plain (no quote, UTF-8, within the record size) is parsed
//!   here; a value this fast path does not take (another spelling of a role, an RFC 3339
//!   instant, a bad value) sends the line to the segment builder of
//!   [`SegmentReader`](crate::SegmentReader), which returns the segment or the error;
//! * from the first line with a quote (a quoted field may hold a line break), an invalid
//!   UTF-8 byte or more than [`MAX_RECORD_BYTES`], the rest of the input goes through the
//!   general CSV reader.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};

use mediameter_core::time::{END_UNIX_SECONDS, MIN_UNIX_SECONDS};
use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, Role,
    StreamSegment, UserId,
};

use super::engine::kind_filter;
use super::{Dict, Row, SegmentTable, kind_of};
use crate::csv::{CsvReader, MAX_RECORD_BYTES};
use crate::error::{Error, Result};
use crate::input::{BadRecords, Columns, IdCache, SkipReport, build, csv_segment, parse_spec};
use crate::intern::Key;
use crate::query::{Dimension, IdScope, UsageQuery};
use crate::threads::on_threads;

/// Bytes read from the input at a time by [`SegmentTable::read_csv`].
const CHUNK: usize = 1 << 22;

/// Lines split before their ids are looked up together (see [`Loader::scan_lines`]).
pub(super) const BATCH: usize = 64;

/// The most fields of a line looked at (columns beyond are ignored, as by the general reader).
const MAX_FIELDS: usize = 64;

/// Loads lines into a table; line numbers are relative to `line` at the start.
pub(super) struct Loader {
    pub(super) table: SegmentTable,
    columns: Columns,
    /// The highest position of a required column: a line needs more fields than this.
    needed: usize,
    /// The highest position of any known column.
    last: usize,
    bad: BadRecords,
    pub(super) skipped: u64,
    /// The first [`SkipReport::KEPT`] errors of skipped records.
    pub(super) errors: Vec<Error>,
    /// Physical lines consumed.
    pub(super) line: u64,
    /// The columns interned (the others are checked, not kept).
    pub(super) proj: Projection,
    /// The query's row filter, range and segment limit, for a load that answers one query.
    pub(super) keep: Option<Keep>,
}

/// The columns a load interns. A table loaded for one query keeps only what that query reads;
/// the other values are still checked, so a bad record is the same error either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Projection {
    pub(super) app: bool,
    pub(super) channel: bool,
    /// Users (the row's own).
    pub(super) user: bool,
    /// Publishers of subscriptions, interned in the users' dictionary: only communication
    /// peaks read them, so a user count never looks a publisher up.
    pub(super) publisher: bool,
    /// Region, domain, instance, product type.
    pub(super) dims: [bool; 4],
}

impl Projection {
    /// Every column: a table for any query.
    pub(crate) const ALL: Projection = Projection {
        app: true,
        channel: true,
        user: true,
        publisher: true,
        dims: [true; 4],
    };

    /// The columns `query` reads: those it splits or filters by, the app when it counts or
    /// pairs ids scoped per app (not under [`IdScope::Global`]), channels for channel counts
    /// and peaks, users for user counts and communication peaks, publishers for
    /// communication peaks only. Durations and stream peaks need no id at all.
    pub(crate) fn of(query: &UsageQuery) -> Projection {
        let m = query.metrics();
        let ids = m.users || m.channels || m.peaks;
        let mut p = Projection {
            app: ids && query.id_scope() == IdScope::PerApp,
            channel: m.channels || m.peaks,
            user: m.users || m.peaks,
            publisher: m.peaks,
            dims: [false; 4],
        };
        let named = query.split_by().iter().copied().chain(
            Dimension::ALL
                .into_iter()
                .filter(|d| query.filter(*d).is_some()),
        );
        for d in named {
            match d {
                Dimension::App => p.app = true,
                Dimension::Spec | Dimension::Role => {}
                other => {
                    if let Some(k) = p.dims.get_mut(other.index().saturating_sub(1)) {
                        *k = true;
                    }
                }
            }
        }
        p
    }

    /// Whether the column at `k` in [`NAMES`](crate::input::NAMES) order is read: role,
    /// spec and the instants always, the others when the projection keeps them.
    pub(crate) fn reads(self, k: usize) -> bool {
        match k {
            0 => self.app,
            1 => self.channel,
            2 => self.user,
            8 => self.publisher,
            3..=6 => true,
            7 => self.dims[0],
            9..=11 => self.dims.get(k.saturating_sub(8)).copied().unwrap_or(false),
            _ => false,
        }
    }

    /// Which of the required app, channel and user this projection leaves unread: a row may
    /// leave them out (see [`filled`](super::rows::filled)).
    pub(crate) const fn unread_ids(self) -> [bool; 3] {
        [!self.app, !self.channel, !self.user]
    }
}

/// What a load for one query keeps: rows its filters pass and that overlap its range. The
/// segment limit is checked here, on the clipped span of a kept row, as the aggregator checks
/// it.
#[derive(Debug, Clone)]
pub(crate) struct Keep {
    kind: Option<[bool; 16]>,
    app: Option<BTreeSet<String>>,
    /// Region, domain, instance, product type.
    dims: [Option<BTreeSet<String>>; 4],
    clip: Option<(i64, i64)>,
    max_segment: u64,
}

/// A kept row's fate under [`Keep`].
pub(super) enum Verdict {
    Keep,
    Drop,
    /// Kept, but its clipped span (in seconds) is over the query's limit.
    TooLong(i64),
}

impl Keep {
    pub(crate) fn of(query: &UsageQuery) -> Keep {
        let set = |d: Dimension| query.filter(d).cloned();
        Keep {
            kind: kind_filter(query),
            app: set(Dimension::App),
            dims: [
                set(Dimension::Region),
                set(Dimension::Domain),
                set(Dimension::Instance),
                set(Dimension::ProductType),
            ],
            clip: query
                .range()
                .map(|r| (r.start().timestamp(), r.end().timestamp())),
            max_segment: query.max_segment_seconds(),
        }
    }

    /// Whether [`Keep::verdict`] reads the app or a dimension (the query filters by one).
    pub(super) fn filters_text(&self) -> bool {
        self.app.is_some() || self.dims.iter().any(Option::is_some)
    }

    /// The fate of a row of this kind, span, app and optional dimensions.
    #[inline]
    pub(super) fn verdict(
        &self,
        kind: u8,
        span: (i64, i64),
        app: &str,
        dims: [Option<&str>; 4],
    ) -> Verdict {
        if !self.kind_ok(kind) || !self.text_ok(app, dims) {
            return Verdict::Drop;
        }
        self.span_verdict(span)
    }

    /// Whether the query's filters by role and spec keep a row of this kind.
    #[inline(always)]
    pub(super) fn kind_ok(&self, kind: u8) -> bool {
        self.kind
            .as_ref()
            .is_none_or(|k| k.get(usize::from(kind)).copied().unwrap_or(false))
    }

    /// Whether the query's filters keep a row of this role, spec, app and optional
    /// dimensions (what the aggregator checks of a segment).
    #[inline]
    pub(crate) fn accepts(
        &self,
        role: Role,
        spec: MediaSpec,
        app: &str,
        dims: [Option<&str>; 4],
    ) -> bool {
        self.kind_ok(super::kind_of(role, spec)) && self.text_ok(app, dims)
    }

    /// Whether the query's filters by app and dimension keep a row of this app and optional
    /// dimensions.
    #[inline]
    fn text_ok(&self, app: &str, dims: [Option<&str>; 4]) -> bool {
        if self.app.as_ref().is_some_and(|set| !set.contains(app)) {
            return false;
        }
        self.dims.iter().zip(dims).all(|(set, v)| {
            set.as_ref()
                .is_none_or(|set| v.is_some_and(|v| set.contains(v)))
        })
    }

    /// The fate of a row the filters keep, by its span: dropped outside the query's range,
    /// over the limit once clipped to it, else kept.
    #[inline(always)]
    pub(super) fn span_verdict(&self, (start, end): (i64, i64)) -> Verdict {
        let (mut s, mut e) = (start, end);
        if let Some((lo, hi)) = self.clip {
            s = s.max(lo);
            e = e.min(hi);
            if s >= e {
                return Verdict::Drop;
            }
        }
        if u64::try_from(e.saturating_sub(s)).unwrap_or(u64::MAX) > self.max_segment {
            return Verdict::TooLong(e.saturating_sub(s));
        }
        Verdict::Keep
    }

    /// The error of a segment over the limit, on `line`.
    pub(super) fn too_long(&self, line: u64, seconds: i64) -> Error {
        Error::segment_too_long(line, seconds, self.max_segment)
    }
}

/// What [`Loader::lines`] stopped at.
pub(super) enum Stop {
    /// Every line was loaded.
    Done,
    /// The line starting at this offset needs the general reader (and so does the rest).
    General(usize),
}

impl Loader {
    fn new(columns: Columns, line: u64, bad: BadRecords) -> Self {
        let needed = columns.needed();
        let last = columns.0.iter().flatten().max().copied().unwrap_or(0);
        Loader {
            table: SegmentTable::new(),
            columns,
            needed,
            last,
            bad,
            skipped: 0,
            errors: Vec::new(),
            line,
            proj: Projection::ALL,
            keep: None,
        }
    }

    /// A loader for one query: only the rows it keeps, only the columns it reads.
    pub(crate) fn for_query(columns: Columns, bad: BadRecords, query: &UsageQuery) -> Self {
        let mut l = Loader::new(columns, 0, bad);
        l.proj = Projection::of(query);
        l.keep = Some(Keep::of(query));
        l
    }

    /// A bad record: the error in fail mode, counted and kept in skip mode.
    fn bad_record(&mut self, e: Error) -> Result<()> {
        match self.bad {
            BadRecords::Fail => Err(e),
            BadRecords::Skip => {
                self.skipped = self.skipped.saturating_add(1);
                if self.errors.len() < SkipReport::KEPT {
                    self.errors.push(e);
                }
                Ok(())
            }
        }
    }

    /// Loads the complete lines of `buf` (the last one may lack its line break only at the end
    /// of the input).
    ///
    /// The user and channel of the next line are looked up before the current line is
    /// loaded: in a dictionary of hundreds of thousands of ids a lookup is a cache miss, and
    /// this way it overlaps with the work on the current line instead of stalling it.
    pub(super) fn lines(&mut self, buf: &[u8]) -> Result<Stop> {
        let text = if buf.contains(&b'"') {
            None
        } else {
            std::str::from_utf8(buf).ok()
        };
        self.scan_lines(Scanner::new(
            buf,
            text,
            self.columns,
            self.needed,
            self.last,
        ))
    }

    /// [`Loader::lines`] of a text known to hold no quote.
    pub(super) fn lines_of_text(&mut self, text: &str) -> Result<Stop> {
        let scanner = Scanner::new(
            text.as_bytes(),
            Some(text),
            self.columns,
            self.needed,
            self.last,
        );
        self.scan_lines(scanner)
    }

    /// Loads the lines of `scanner`, [`BATCH`] at a time: a batch is split first, then the
    /// users and channels of all its lines are looked up, then its lines are loaded. In a
    /// dictionary of hundreds of thousands of ids a lookup is a cache miss; looked up in a
    /// loop of their own, the batch's misses are in flight together instead of one after the
    /// other. (A lookup finds only ids added before the batch; a line whose id was added by
    /// an earlier line of the same batch looks it up again when loaded.)
    fn scan_lines<'a>(&mut self, mut scanner: Scanner<'a>) -> Result<Stop> {
        let mut pos = 0_usize;
        // The values of a batch's lines, written in place by the scanner (never moved).
        let mut values: Vec<[Option<&'a str>; 12]> = vec![[None; 12]; BATCH];
        let mut scans: Vec<Scan<'a>> = Vec::with_capacity(BATCH);
        let mut hints: Vec<Hint> = Vec::with_capacity(BATCH);
        let mut keys: Vec<Ahead<'a>> = Vec::with_capacity(BATCH);
        loop {
            scans.clear();
            let mut stop = None;
            while let Some(v) = values.get_mut(scans.len()) {
                let scan = scanner.scan(pos, v);
                let len = match &scan {
                    Scan::End => {
                        stop = Some(Stop::Done);
                        break;
                    }
                    Scan::General => {
                        stop = Some(Stop::General(pos));
                        break;
                    }
                    Scan::Blank { len } | Scan::Short { len, .. } | Scan::Fields { len, .. } => {
                        *len
                    }
                };
                pos = pos.saturating_add(len);
                scans.push(scan);
            }
            keys.clear();
            keys.extend(scans.iter().zip(&values).map(|(scan, v)| match scan {
                Scan::Fields { .. } => self.ahead(v),
                _ => (None, None),
            }));
            self.find_ahead(&keys, &mut hints);
            for ((scan, v), &hint) in scans.iter().zip(&values).zip(&hints) {
                self.line = self.line.saturating_add(1);
                self.load_line(scan, v, hint)?;
            }
            if let Some(stop) = stop {
                return Ok(stop);
            }
        }
    }

    /// The ids the table already has for a batch's users and channels (`keys`, from
    /// [`Loader::ahead`]), written to `hints`: the keys were computed first, then the table is
    /// touched for each, then looked up, in loops of independent iterations whose cache misses
    /// are in flight together.
    #[inline]
    fn find_ahead(&self, keys: &[Ahead<'_>], hints: &mut Vec<Hint>) {
        let (users, channels) = (&self.table.users, &self.table.channels);
        std::hint::black_box(
            users.warm(keys.iter().filter_map(|(u, _)| u.as_ref().map(|(k, _)| k)))
                ^ channels.warm(keys.iter().filter_map(|(_, c)| c.as_ref().map(|(k, _)| k))),
        );
        let find = |d: &Dict, id: &Option<(Key, &str)>| id.and_then(|(k, s)| d.find(&k, s));
        hints.clear();
        hints.extend(
            keys.iter()
                .map(|(u, c)| (find(users, u), find(channels, c))),
        );
    }

    /// Loads rows given by field (in [`NAMES`](crate::input::NAMES) order) with their instants
    /// as numbers, as records `first`, `first + 1`...: [`Loader::load_fields`] of each, with
    /// their users and channels looked up [`BATCH`] rows at a time as [`Loader::scan_lines`]
    /// looks up a batch of lines. Stops at the first error, with `self.line` its record.
    pub(super) fn load_rows<'a>(
        &mut self,
        first: u64,
        rows: impl ExactSizeIterator<Item = ([Option<&'a str>; 12], (Option<i64>, Option<i64>))>,
    ) -> Result<()> {
        self.line = first;
        let mut batch = Vec::with_capacity(rows.len().min(BATCH));
        let mut keys: Vec<Ahead<'a>> = Vec::with_capacity(batch.capacity());
        let mut hints: Vec<Hint> = Vec::with_capacity(batch.capacity());
        let mut rows = rows.peekable();
        while rows.peek().is_some() {
            batch.clear();
            batch.extend(rows.by_ref().take(BATCH));
            keys.clear();
            keys.extend(batch.iter().map(|(v, _)| self.ahead(v)));
            self.find_ahead(&keys, &mut hints);
            for ((v, instants), &hint) in batch.iter().zip(&hints) {
                self.load_fields(v, *instants, hint)?;
                self.line = self.line.saturating_add(1);
            }
        }
        Ok(())
    }

    /// Loads one scanned line (`hint`: its user and channel ids when already known).
    #[inline]
    fn load_line(&mut self, scan: &Scan<'_>, v: &[Option<&str>; 12], hint: Hint) -> Result<()> {
        match scan {
            Scan::Fields { printable, .. } => {
                let fate = fast_row(
                    &mut self.table,
                    v,
                    (None, *printable),
                    hint,
                    self.proj,
                    self.keep.as_ref(),
                );
                match (fate, &self.keep) {
                    (Some(Fate::Added | Fate::Dropped), _) => Ok(()),
                    (Some(Fate::TooLong(secs)), Some(keep)) => Err(keep.too_long(self.line, secs)),
                    (Some(Fate::TooLong(_)) | None, _) => {
                        let seg = build(self.line, *v, None);
                        self.general_segment(seg, self.line)
                    }
                }
            }
            Scan::Short { body, .. } => {
                // Too few fields (the general reader words the error), or columns beyond
                // the ones a scan keeps.
                let fields: Vec<String> = body.split(',').map(str::to_owned).collect();
                let seg = csv_segment(self.line, &fields, &self.columns, &mut IdCache::default());
                self.general_segment(seg, self.line)
            }
            Scan::Blank { .. } | Scan::End | Scan::General => Ok(()),
        }
    }

    /// Loads one row given by field (in [`NAMES`](crate::input::NAMES) order) with its
    /// instants as numbers (`None` where the source has none), as record `self.line`: the
    /// fast path when it takes the row, else the general builder, which words the error.
    /// `hint`: its user and channel ids when already known.
    pub(super) fn load_fields(
        &mut self,
        v: &[Option<&str>; 12],
        (start, end): (Option<i64>, Option<i64>),
        hint: Hint,
    ) -> Result<()> {
        let fate = match (start, end) {
            (Some(s), Some(e)) => fast_row(
                &mut self.table,
                v,
                (Some((s, e)), false),
                hint,
                self.proj,
                self.keep.as_ref(),
            ),
            _ => None,
        };
        match (fate, &self.keep) {
            (Some(Fate::Added | Fate::Dropped), _) => Ok(()),
            (Some(Fate::TooLong(secs)), Some(keep)) => Err(keep.too_long(self.line, secs)),
            (Some(Fate::TooLong(_)) | None, _) => {
                let seg = build_with_instants(self.line, v, (start, end));
                self.general_segment(seg, self.line)
            }
        }
    }

    /// The user and channel of a row's fields that the load looks up, with their keys.
    #[inline]
    fn ahead<'a>(&self, v: &[Option<&'a str>; 12]) -> Ahead<'a> {
        let get = |on: bool, k: usize| {
            v.get(k)
                .copied()
                .flatten()
                .filter(|_| on)
                .map(|s| (Key::of(s), s))
        };
        (get(self.proj.user, 2), get(self.proj.channel, 1))
    }

    /// A segment (or error) from the general reader's builder, read on `line`.
    ///
    /// # Errors
    ///
    /// A bad record in [`BadRecords::Fail`] mode; for a load for a query, a kept segment it
    /// refuses (over its limit, or not in whole seconds) in either mode.
    fn general_segment(
        &mut self,
        seg: Result<mediameter_core::StreamSegment>,
        line: u64,
    ) -> Result<()> {
        let s = match seg {
            Ok(s) => s,
            Err(e) => return self.bad_record(e),
        };
        let Some(keep) = &self.keep else {
            return self.table.push(&s);
        };
        // As the aggregator: the filters first, then whole seconds, then the clipped span.
        let (start, end) = (s.range.start(), s.range.end());
        let kind = kind_of(s.role, s.spec);
        let dims = [
            s.region.as_ref().map(|v| v.as_str()),
            s.domain.as_ref().map(|v| v.as_str()),
            s.instance.as_ref().map(|v| v.as_str()),
            s.product_type.as_ref().map(|v| v.as_str()),
        ];
        let span = (start.timestamp(), end.timestamp());
        match keep.verdict(kind, span, s.app.as_str(), dims) {
            Verdict::Drop => Ok(()),
            _ if start.timestamp_subsec_nanos() != 0 || end.timestamp_subsec_nanos() != 0 => {
                Err(Error::fractional_seconds(line, &s.range))
            }
            Verdict::TooLong(secs) => Err(keep.too_long(line, secs)),
            Verdict::Keep => self.table.push_projected(&s, self.proj),
        }
    }

    /// Loads the rest of the input with the general CSV reader.
    pub(super) fn general<R: BufRead>(&mut self, input: R) -> Result<()> {
        let mut reader = CsvReader::resume(input, self.line);
        let mut fields = Vec::new();
        let mut ids = IdCache::default();
        loop {
            match reader.next_into(&mut fields) {
                // The reader cannot go on after a broken quote or an unreadable line.
                Err(e) => {
                    self.bad_record(e)?;
                    break;
                }
                Ok(None) => break,
                Ok(Some(line)) => {
                    let seg = csv_segment(line, &fields, &self.columns, &mut ids);
                    self.general_segment(seg, line)?;
                }
            }
        }
        self.line = reader.lines_read();
        Ok(())
    }

    /// Loads `input` to its end, `chunk` bytes at a time: the fast path line by line, and
    /// from the first line it does not take the general reader.
    ///
    /// # Errors
    ///
    /// The first bad record in [`BadRecords::Fail`] mode, a segment a load for a query
    /// refuses, or a read failure.
    pub(super) fn drive<R: Read>(&mut self, mut input: BufReader<R>, chunk: usize) -> Result<()> {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            // The buffer starts small and grows with what is read: a small input costs a small
            // buffer, not a chunk.
            buf.reserve(chunk.min(1 << 16));
            let read = (&mut input)
                .take(u64::try_from(chunk.max(1)).unwrap_or(u64::MAX))
                .read_to_end(&mut buf)
                .map_err(|e| self.read_error(&e))?;
            let at_end = read == 0;
            // Complete lines only, unless the input is over.
            let upto = if at_end {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(i) => i.saturating_add(1),
                    // No line break in more than a record's size: the general reader words it.
                    None if buf.len() > MAX_RECORD_BYTES => 0,
                    None => {
                        continue;
                    }
                }
            };
            let stop = match buf.get(..upto) {
                Some(lines) if upto > 0 => self.lines(lines)?,
                _ if at_end => Stop::Done,
                _ => Stop::General(0),
            };
            match stop {
                Stop::Done if at_end => return Ok(()),
                Stop::Done => {
                    buf.drain(..upto);
                }
                Stop::General(at) => {
                    let rest = buf.get(at..).unwrap_or_default();
                    return self.general(std::io::Cursor::new(rest).chain(input));
                }
            }
        }
    }

    /// The error of a failed read, at the next line.
    fn read_error(&self, e: &std::io::Error) -> Error {
        read_error(self.line.saturating_add(1), e)
    }

    /// Adds `offset` to the line numbers of the kept errors.
    fn shift_lines(&mut self, offset: u64) {
        for e in &mut self.errors {
            shift_line(e, offset);
        }
    }

    fn finish(self) -> (SegmentTable, SkipReport) {
        let report = SkipReport {
            skipped: self.skipped,
            first_errors: self.errors.iter().map(ToString::to_string).collect(),
        };
        (self.table, report)
    }
}

/// One line of the input, split.
enum Scan<'a> {
    /// No more input.
    End,
    /// The line needs the general reader (a quote, bytes that are not UTF-8, an oversized
    /// record).
    General,
    /// A line with nothing but a line break.
    Blank { len: usize },
    /// Too few fields, or columns beyond the ones a scan keeps: its text.
    Short { len: usize, body: &'a str },
    /// Its values, written into the scanner's output (see [`Scanner::scan`]); `printable`
    /// when every byte of the line before its break is printable ASCII (0x20 to 0x7e), so
    /// that no value holds a control character.
    Fields { len: usize, printable: bool },
}

/// Splits the lines of a buffer.
///
/// A buffer without a quote that is UTF-8 throughout (the common case, checked once) is
/// split as text: a line is a slice of it, with no check of its own. Any other buffer is
/// checked line by line, up to the first line that needs the general reader.
struct Scanner<'a> {
    buf: &'a [u8],
    /// The whole buffer as text, when it has no quote and is UTF-8.
    text: Option<&'a str>,
    columns: Columns,
    needed: usize,
    last: usize,
    /// Scratch: the offsets of a line's commas (only as many as the known columns need).
    commas: [usize; MAX_FIELDS],
}

impl<'a> Scanner<'a> {
    /// A scanner of `buf`; `text` is `buf` as text when it has no quote and is UTF-8.
    fn new(
        buf: &'a [u8],
        text: Option<&'a str>,
        columns: Columns,
        needed: usize,
        last: usize,
    ) -> Self {
        Scanner {
            buf,
            text,
            columns,
            needed,
            last,
            commas: [0; MAX_FIELDS],
        }
    }

    /// Splits the line starting at `pos`, in one pass for its commas and its line break (and
    /// a quote, when the buffer may have one). For [`Scan::Fields`], `v` holds the values of
    /// [`NAMES`](crate::input::NAMES) (absent: `None`); otherwise it is left as it was.
    #[inline]
    fn scan(&mut self, pos: usize, v: &mut [Option<&'a str>; 12]) -> Scan<'a> {
        let Some(rest) = self.buf.get(pos..).filter(|r| !r.is_empty()) else {
            return Scan::End;
        };
        // Commas past the last known column change nothing: they are not recorded.
        let cap = self.last.saturating_add(1).min(MAX_FIELDS);
        let (n_commas, len, quote, printable) = if self.text.is_some() {
            let (n, len, printable) = split_words(rest, cap, &mut self.commas);
            (n, len, false, printable)
        } else {
            let (n, len, quote) = split_bytes(rest, cap, &mut self.commas);
            (n, len, quote, false)
        };
        if quote || len > MAX_RECORD_BYTES {
            return Scan::General;
        }
        let raw = match self.text {
            Some(t) => t.get(pos..pos.saturating_add(len)),
            None => rest.get(..len).and_then(|r| std::str::from_utf8(r).ok()),
        };
        let Some(text) = raw else {
            return Scan::General;
        };
        let body = text.trim_end_matches(['\n', '\r']);
        if body.is_empty() {
            return Scan::Blank { len };
        }
        // The fields: between commas, the last one up to the end of the body.
        let n_fields = n_commas.saturating_add(1);
        if n_fields <= self.needed || self.last >= MAX_FIELDS {
            return Scan::Short { len, body };
        }
        let commas = &self.commas;
        let field = |k: usize| -> Option<&'a str> {
            if k >= n_fields {
                return None;
            }
            let from = match k.checked_sub(1) {
                None => 0,
                Some(p) => commas.get(p)?.saturating_add(1),
            };
            let to = if k == n_commas {
                body.len()
            } else {
                *commas.get(k)?
            };
            body.get(from..to.min(body.len()))
        };
        for (slot, col) in v.iter_mut().zip(self.columns.0.iter()) {
            *slot = col.and_then(field);
        }
        Scan::Fields { len, printable }
    }
}

/// The commas (their offsets, at most `cap` recorded in `commas`, which are counted) and the
/// length with its line break of the line starting `rest`, a byte at a time; and whether the
/// line has a quote.
#[inline]
fn split_bytes(rest: &[u8], cap: usize, commas: &mut [usize; MAX_FIELDS]) -> (usize, usize, bool) {
    let mut n = 0_usize;
    let mut quote = false;
    for (i, &b) in rest.iter().enumerate() {
        match b {
            b',' if n < cap => {
                if let Some(c) = commas.get_mut(n) {
                    *c = i;
                }
                n = n.saturating_add(1);
            }
            b'\n' => return (n, i.saturating_add(1), quote),
            b'"' => quote = true,
            _ => {}
        }
    }
    (n, rest.len(), quote)
}

/// [`split_bytes`] eight bytes at a time, for a line known to hold no quote: each word gives
/// the positions of its commas and line break as bit masks, so the loop branches per word,
/// not per byte. Also says whether every byte before the line break is printable ASCII
/// (0x20 to 0x7e), found in the same words: the values of such a line need no check for
/// control characters.
#[inline]
fn split_words(rest: &[u8], cap: usize, commas: &mut [usize; MAX_FIELDS]) -> (usize, usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = !LOW7;
    // The high bit of each byte of `x` that is zero (exact: no carry crosses bytes).
    let zeros = |x: u64| !((x & LOW7).wrapping_add(LOW7) | x | LOW7);
    // The high bit of each byte of `x` that is not printable ASCII: a high bit of its own, a
    // byte below 0x20 (adding 0x60 to its low seven bits leaves the high bit clear; the sum
    // is at most 0xdf, so no carry crosses bytes), or 0x7f.
    let (space, del) = (ONES.wrapping_mul(0x60), ONES.wrapping_mul(0x7f));
    let unprintable = |x: u64| (x | !(x & LOW7).wrapping_add(space) | zeros(x ^ del)) & HIGH;
    let (comma, newline) = (
        ONES.wrapping_mul(u64::from(b',')),
        ONES.wrapping_mul(u64::from(b'\n')),
    );
    let mut odd = 0_u64;
    let mut n = 0_usize;
    let mut record = |mut mask: u64, base: usize, n: &mut usize| {
        while mask != 0 && *n < cap {
            let at = base.saturating_add(usize::try_from(mask.trailing_zeros() / 8).unwrap_or(0));
            if let Some(c) = commas.get_mut(*n) {
                *c = at;
            }
            *n = n.saturating_add(1);
            mask &= mask.wrapping_sub(1);
        }
    };
    let mut words = rest.chunks_exact(8);
    let mut base = 0_usize;
    for w in &mut words {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or([0; 8]));
        let found = zeros(w ^ comma);
        let ends = zeros(w ^ newline);
        if ends != 0 {
            // Only the bytes before the line break (its bit is a byte's high bit: < 64).
            let stop = ends.trailing_zeros();
            let before = (1_u64 << stop).wrapping_sub(1);
            record(found & before, base, &mut n);
            odd |= unprintable(w) & before;
            let len = base.saturating_add(usize::try_from(stop / 8).unwrap_or(0));
            return (n, len.saturating_add(1), odd == 0);
        }
        record(found, base, &mut n);
        odd |= unprintable(w);
        base = base.saturating_add(8);
    }
    // The last bytes (fewer than eight), one at a time.
    let mut printable = odd == 0;
    for (i, &b) in words.remainder().iter().enumerate() {
        let at = base.saturating_add(i);
        if b == b'\n' {
            return (n, at.saturating_add(1), printable);
        }
        printable &= (0x20..0x7f).contains(&b);
        if b == b',' && n < cap {
            if let Some(c) = commas.get_mut(n) {
                *c = at;
            }
            n = n.saturating_add(1);
        }
    }
    (n, rest.len(), printable)
}

/// The user and channel of a line that a batch looks up ahead, with their keys.
type Ahead<'a> = (Option<(Key, &'a str)>, Option<(Key, &'a str)>);

/// The ids of a line's user and channel when the table already had them before its batch.
type Hint = (Option<u32>, Option<u32>);

/// What the fast path did with a line.
enum Fate {
    /// Its row was added.
    Added,
    /// A load for a query does not keep it (another kind, outside the range).
    Dropped,
    /// A load for a query keeps it, but its clipped span (seconds) is over the limit.
    TooLong(i64),
}

/// The general builder's segment (or error) of a row given by field with its instants as
/// numbers. The builder reads instants as text: a rare path (a row the fast checks refuse),
/// so the two numbers are formatted only here.
fn build_with_instants(
    line: u64,
    v: &[Option<&str>; 12],
    (start, end): (Option<i64>, Option<i64>),
) -> Result<StreamSegment> {
    let (s, e) = (start.map(|x| x.to_string()), end.map(|x| x.to_string()));
    let mut text = *v;
    if let Some(slot) = text.get_mut(5) {
        *slot = s.as_deref();
    }
    if let Some(slot) = text.get_mut(6) {
        *slot = e.as_deref();
    }
    build(line, text, None)
}

/// A row's fields checked for an aggregator ([`check_row`]).
pub(crate) enum Checked<'a> {
    /// Every field passed the fast checks: read in place.
    Row(RowFields<'a>),
    /// Built by the general builder (another spelling of a role, an RFC 3339 instant...).
    Segment(StreamSegment),
}

/// The fields of a row that passed the checks of every id, role, spec and span: what
/// [`Fields`](crate::aggregate::Fields) reads, borrowed from the source.
pub(crate) struct RowFields<'a> {
    /// In [`NAMES`](crate::input::NAMES) order; optional values present only when not empty.
    text: [Option<&'a str>; 12],
    role: Role,
    spec: MediaSpec,
    span: (i64, i64),
}

/// Checks the fields of a row (in [`NAMES`](crate::input::NAMES) order, instants as numbers)
/// as the readers check a record on `line`: the fast checks of [`fast_row`] (exact `pub` or
/// `sub`, a spec core accepts, a span inside core's range, every id one core accepts), else
/// the general builder, which accepts what they do not cover or words the error.
/// `role_spec`: what [`fast_role_spec`] makes of `v` (a caller may have it already, checked
/// once for many rows).
pub(crate) fn check_row<'a>(
    line: u64,
    v: &[Option<&'a str>; 12],
    (start, end): (Option<i64>, Option<i64>),
    role_spec: Option<(Role, MediaSpec)>,
) -> Result<Checked<'a>> {
    match role_spec.and_then(|rs| fast_fields(v, (start, end), rs)) {
        Some(row) => Ok(Checked::Row(row)),
        None => build_with_instants(line, v, (start, end)).map(Checked::Segment),
    }
}

/// The role (exactly `pub` or `sub`) and the spec of a row's fields, when the fast checks
/// take them.
#[inline]
pub(super) fn fast_role_spec(v: &[Option<&str>; 12]) -> Option<(Role, MediaSpec)> {
    let get = |k: usize| v.get(k).copied().flatten();
    Some((fast_role(get(3))?, fast_spec(get(4))?))
}

/// The role of a value when the fast checks take it: exactly `pub` or `sub`.
#[inline]
pub(super) fn fast_role(s: Option<&str>) -> Option<Role> {
    match s? {
        "pub" => Some(Role::Publish),
        "sub" => Some(Role::Subscribe),
        _ => None,
    }
}

/// The spec of a value when the fast checks take it: a spec core accepts, not empty.
#[inline]
pub(super) fn fast_spec(s: Option<&str>) -> Option<MediaSpec> {
    parse_spec(trimmed(s.filter(|s| !s.is_empty())?)).ok()
}

/// Whether a span passes the fast checks: not empty, inside core's time range.
#[inline]
pub(super) fn fast_span(start: i64, end: i64) -> bool {
    end > start && start >= MIN_UNIX_SECONDS && end <= END_UNIX_SECONDS
}

/// The fields of a row whose role and spec passed the fast checks, when its span and ids
/// pass them too.
fn fast_fields<'a>(
    v: &[Option<&'a str>; 12],
    (start, end): (Option<i64>, Option<i64>),
    (role, spec): (Role, MediaSpec),
) -> Option<RowFields<'a>> {
    let get = |k: usize| v.get(k).copied().flatten().filter(|s| !s.is_empty());
    let (start, end) = (start?, end?);
    if !fast_span(start, end) {
        return None;
    }
    let mut text = [None; 12];
    let required = [
        (0, AppId::MAX_LEN),
        (1, ChannelId::MAX_LEN),
        (2, UserId::MAX_LEN),
    ];
    for (k, max) in required {
        let s = get(k)?;
        if !id_ok(s, (max, false)) {
            return None;
        }
        *text.get_mut(k)? = Some(s);
    }
    let optional = [
        (7, RegionId::MAX_LEN),
        (8, UserId::MAX_LEN),
        (9, DomainName::MAX_LEN),
        (10, InstanceId::MAX_LEN),
        (11, ProductType::MAX_LEN),
    ];
    for (k, max) in optional {
        if let Some(s) = get(k) {
            if !id_ok(s, (max, false)) {
                return None;
            }
            *text.get_mut(k)? = Some(s);
        }
    }
    Some(RowFields {
        text,
        role,
        spec,
        span: (start, end),
    })
}

impl crate::aggregate::Fields for RowFields<'_> {
    fn app(&self) -> &str {
        self.text[0].unwrap_or_default()
    }
    fn channel(&self) -> &str {
        self.text[1].unwrap_or_default()
    }
    fn user(&self) -> &str {
        self.text[2].unwrap_or_default()
    }
    fn publisher(&self) -> Option<&str> {
        self.text[8]
    }
    fn role(&self) -> Role {
        self.role
    }
    fn spec(&self) -> MediaSpec {
        self.spec
    }
    fn dims(&self) -> [Option<&str>; 4] {
        [self.text[7], self.text[9], self.text[10], self.text[11]]
    }
    fn span(&self, _line: u64) -> Result<(i64, i64)> {
        Ok(self.span)
    }
}

impl crate::aggregate::Fields for Checked<'_> {
    fn app(&self) -> &str {
        match self {
            Checked::Row(r) => r.app(),
            Checked::Segment(s) => s.app(),
        }
    }
    fn channel(&self) -> &str {
        match self {
            Checked::Row(r) => r.channel(),
            Checked::Segment(s) => s.channel(),
        }
    }
    fn user(&self) -> &str {
        match self {
            Checked::Row(r) => r.user(),
            Checked::Segment(s) => s.user(),
        }
    }
    fn publisher(&self) -> Option<&str> {
        match self {
            Checked::Row(r) => r.publisher(),
            Checked::Segment(s) => s.publisher(),
        }
    }
    fn role(&self) -> Role {
        match self {
            Checked::Row(r) => r.role(),
            Checked::Segment(s) => s.role(),
        }
    }
    fn spec(&self) -> MediaSpec {
        match self {
            Checked::Row(r) => r.spec(),
            Checked::Segment(s) => s.spec(),
        }
    }
    fn dims(&self) -> [Option<&str>; 4] {
        match self {
            Checked::Row(r) => r.dims(),
            Checked::Segment(s) => s.dims(),
        }
    }
    fn span(&self, line: u64) -> Result<(i64, i64)> {
        match self {
            Checked::Row(r) => r.span(line),
            Checked::Segment(s) => s.span(line),
        }
    }
}

/// Whether `s` passes the checks of every id type (non-empty, at most `max` bytes, no control
/// character) without building one: for the values a load checks but does not keep.
#[inline]
pub(super) fn id_ok(s: &str, (max, printable): Check) -> bool {
    !s.is_empty()
        && s.len() <= max
        && (printable
            || s.bytes().all(|b| (0x20..0x7f).contains(&b))
            || !s.chars().any(char::is_control))
}

/// Whether `s` is an id core accepts, at most `max` bytes long, without building one (see
/// [`id_ok`]).
#[cfg(any(test, feature = "serde"))]
pub(crate) fn valid_id(s: &str, max: usize) -> bool {
    id_ok(s, (max, false))
}

/// What [`id_ok`] checks a value against: the id type's most bytes, and whether the value is
/// known to be printable ASCII already (its line was, [`Scan::Fields`]).
type Check = (usize, bool);

/// The row of a line whose values the fast path takes, added to `table` under `proj` and
/// `keep`; `None` (and the table untouched) for anything else, which the general builder then
/// reads or rejects. Every value is checked whether it is kept or not, so that the fast path
/// never takes a line the general builder would refuse.
#[inline]
fn fast_row(
    table: &mut SegmentTable,
    v: &[Option<&str>; 12],
    (instants, printable): (Option<(i64, i64)>, bool),
    (user_hint, channel_hint): Hint,
    proj: Projection,
    keep: Option<&Keep>,
) -> Option<Fate> {
    let req = |k: usize| v.get(k).copied().flatten().filter(|s| !s.is_empty());
    let opt = |k: usize| v.get(k).copied().flatten().filter(|s| !s.is_empty());
    let (role, spec) = fast_role_spec(v)?;
    let (start, end) = match instants {
        Some(pair) => pair,
        None => (plain_seconds(req(5)?)?, plain_seconds(req(6)?)?),
    };
    if !fast_span(start, end) {
        return None;
    }
    let kind = kind_of(role, spec);
    let verdict = keep.map_or(Verdict::Keep, |k| {
        k.verdict(
            kind,
            (start, end),
            req(0).unwrap_or(""),
            [opt(7), opt(9), opt(10), opt(11)],
        )
    });
    let kept = matches!(verdict, Verdict::Keep);
    // Look every kept id up before adding any, so that a rejected line adds nothing; check
    // the others.
    let app = lookup(
        kept && proj.app,
        &table.apps,
        req(0)?,
        (AppId::MAX_LEN, printable),
    )?;
    // A hint is an id found before this line was loaded: ids never change, so it holds.
    let channel = match channel_hint {
        Some(i) if kept && proj.channel => Some(Lookup::Found(i)),
        _ => lookup(
            kept && proj.channel,
            &table.channels,
            req(1)?,
            (ChannelId::MAX_LEN, printable),
        )?,
    };
    let user = match user_hint {
        Some(i) if kept && proj.user => Some(Lookup::Found(i)),
        _ => lookup(
            kept && proj.user,
            &table.users,
            req(2)?,
            (UserId::MAX_LEN, printable),
        )?,
    };
    let publisher = match opt(8) {
        Some(p) => lookup(
            kept && proj.publisher,
            &table.users,
            p,
            (UserId::MAX_LEN, printable),
        )?,
        None => None,
    };
    let max_lens = [
        RegionId::MAX_LEN,
        DomainName::MAX_LEN,
        InstanceId::MAX_LEN,
        ProductType::MAX_LEN,
    ];
    // The four optional dimensions at fields 7, 9, 10 and 11 (an index loop: a chain of
    // four zips is not inlined in this, the hottest loop of a load).
    let mut dims = [None; 4];
    for (d, k) in [7, 9, 10, 11].into_iter().enumerate() {
        if let (Some(x), Some(slot), Some(dict), Some(&max), Some(&on)) = (
            opt(k),
            dims.get_mut(d),
            table.dims.get(d),
            max_lens.get(d),
            proj.dims.get(d),
        ) {
            *slot = lookup(kept && on, dict, x, (max, printable))?;
        }
    }
    match verdict {
        Verdict::Keep => {}
        Verdict::Drop => return Some(Fate::Dropped),
        Verdict::TooLong(secs) => return Some(Fate::TooLong(secs)),
    }
    let id = |l: Option<Lookup<'_>>, dict: &mut Dict| -> Option<Option<u32>> {
        match l {
            Some(l) => l.id(dict).map(Some),
            None => Some(None),
        }
    };
    let row = Row {
        app: id(app, &mut table.apps)?.unwrap_or(0),
        channel: id(channel, &mut table.channels)?.unwrap_or(0),
        user: id(user, &mut table.users)?.unwrap_or(0),
        publisher: id(publisher, &mut table.users)?,
        dims: {
            let mut out = [None; 4];
            for ((o, d), dict) in out.iter_mut().zip(dims).zip(table.dims.iter_mut()) {
                *o = id(d, dict)?;
            }
            out
        },
        kind,
        start,
        end,
    };
    let at = table.len();
    table.push_row_projected(row, at, proj);
    Some(Fate::Added)
}

/// `s` trimmed of whitespace, as `str::trim` does; without a call when its first and last
/// bytes are ASCII and not whitespace (a spec as written almost always).
#[inline]
fn trimmed(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace());
    let b = s.as_bytes();
    if solid(b.first()) && solid(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// A value of a line: looked up when the load keeps it (`Some`), else only checked (`None`);
/// `None` overall when it fails the checks, for the general builder to word.
#[inline]
fn lookup<'a>(keep: bool, dict: &Dict, s: &'a str, check: Check) -> Option<Option<Lookup<'a>>> {
    if keep {
        Lookup::of(dict, s, |s| id_ok(s, check)).map(Some)
    } else if id_ok(s, check) {
        Some(None)
    } else {
        None
    }
}

/// An id looked up in a dictionary: found, or new and valid.
#[derive(Clone, Copy)]
enum Lookup<'a> {
    Found(u32),
    New(&'a str),
}

impl<'a> Lookup<'a> {
    #[inline]
    fn of(dict: &Dict, s: &'a str, valid: impl Fn(&str) -> bool) -> Option<Self> {
        match dict.get(s) {
            Some(i) => Some(Lookup::Found(i)),
            None if valid(s) => Some(Lookup::New(s)),
            None => None,
        }
    }

    /// The id, adding the string when new (it may have been added by another field of the
    /// same line since the lookup: a user who is also the publisher).
    #[inline]
    fn id(self, dict: &mut Dict) -> Option<u32> {
        match self {
            Lookup::Found(i) => Some(i),
            Lookup::New(s) => dict.intern(s).ok(),
        }
    }
}

/// Unix seconds written as 1 to 12 ASCII digits (years 1970 to 33658); anything else (a sign,
/// blanks, an RFC 3339 instant) is left to the general parser. The last eight digits (every
/// instant since 1973 has ten) are read as one word.
#[inline]
fn plain_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 12 {
        return None;
    }
    let (head, tail) = b.split_at(b.len().saturating_sub(8));
    // Twelve digits stay below 10^12: no step can overflow.
    let mut n = digits(head)?;
    match <[u8; 8]>::try_from(tail) {
        Ok(word) => {
            n = n
                .wrapping_mul(100_000_000)
                .wrapping_add(eight_digits(word)?)
        }
        Err(_) => n = digits(tail)?,
    }
    i64::try_from(n).ok()
}

/// The value of at most twelve ASCII digits, one at a time; `None` for any other byte.
#[inline]
fn digits(b: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.wrapping_mul(10).wrapping_add(u64::from(d));
    }
    Some(n)
}

/// The value of eight ASCII digits in one word (the first digit in the lowest byte): checked
/// eight at a time, then combined in pairs, fours and the eight with three multiplications.
#[inline]
fn eight_digits(word: [u8; 8]) -> Option<u64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    let w = u64::from_le_bytes(word);
    // A digit's high nibble is 3, and stays 3 when 6 is added (0x3a to 0x3f reach 0x40).
    if w & HIGH != ZEROS || w.wrapping_add(0x0606_0606_0606_0606) & HIGH != ZEROS {
        return None;
    }
    let v = w.wrapping_sub(ZEROS);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    const LOW: u64 = 0x0000_00ff_0000_00ff;
    let hundreds = (v & LOW).wrapping_mul(100 + (1_000_000 << 32));
    let units = ((v >> 16) & LOW).wrapping_mul(1 + (10_000 << 32));
    Some(hundreds.wrapping_add(units) >> 32)
}

/// The error of a failed read, naming `line`.
pub(super) fn read_error(line: u64, e: &std::io::Error) -> Error {
    Error::document("csv", format!("cannot read: {e}")).at_line(line)
}

/// Adds `offset` to the line number of a record error (a part's lines made the input's). The
/// line is a number inside the error's [`Place`](crate::Place): nothing is parsed or
/// formatted again.
pub(super) fn shift_line(e: &mut Error, offset: u64) {
    e.shift_line(offset);
}

/// Reads the header; returns its columns and the number of lines it took.
pub(super) fn header<R: BufRead>(input: &mut R) -> Result<(Columns, u64)> {
    let mut reader = CsvReader::new(input);
    let (line, header) = reader.next_record()?.ok_or_else(crate::input::no_header)?;
    let columns = Columns::of_header(line, &header)?;
    Ok((columns, reader.lines_read()))
}

impl SegmentTable {
    /// Reads a CSV input (the columns of [`SegmentReader`](crate::SegmentReader)) into a
    /// table, without a `String` or an `Arc` per field.
    ///
    /// The result equals reading `input` with [`SegmentReader`](crate::SegmentReader) under
    /// `bad` and adding every segment: the same rows, the same first error in
    /// [`BadRecords::Fail`] mode, the same [`SkipReport`] in [`BadRecords::Skip`] mode.
    ///
    /// # Errors
    ///
    /// A located [`Error::Document`] for a missing header or required column (in either mode)
    /// or for a read failure; the first bad record's error, located at its line and field
    /// ([`Error::At`]), in [`BadRecords::Fail`] mode.
    ///
    /// ```
    /// use mediameter_usage::{BadRecords, SegmentTable};
    /// let csv = "app,channel,user,role,spec,region,start,end\n\
    ///            a,c,u,sub,720p,r1,0,60\n\
    ///            a,c,u,sub,720p,r1,60,60\n";
    /// let (table, skipped) = SegmentTable::read_csv(csv.as_bytes(), BadRecords::Skip)?;
    /// assert_eq!(table.len(), 1);
    /// assert_eq!(skipped.first_errors, ["line 3, field end: end 60 is not after start 60"]);
    /// assert!(SegmentTable::read_csv(csv.as_bytes(), BadRecords::Fail).is_err());
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn read_csv<R: Read>(input: R, bad: BadRecords) -> Result<(SegmentTable, SkipReport)> {
        SegmentTable::read_csv_chunked(input, bad, CHUNK)
    }

    /// [`SegmentTable::read_csv`] reading `chunk` bytes at a time (the tests cut lines).
    pub(crate) fn read_csv_chunked<R: Read>(
        input: R,
        bad: BadRecords,
        chunk: usize,
    ) -> Result<(SegmentTable, SkipReport)> {
        let mut input = BufReader::with_capacity(1 << 16, input);
        let (columns, line) = header(&mut input)?;
        let mut loader = Loader::new(columns, line, bad);
        loader.drive(input, chunk)?;
        Ok(loader.finish())
    }

    /// [`SegmentTable::read_csv`] of an input held in memory, on `threads` threads at most
    /// and one per 64 KiB of input at least (a thread costs about what loading that much
    /// does): the lines are cut into that many parts at line breaks, each part is loaded on
    /// its own thread, and the parts' tables are appended in order. The same result as
    /// [`SegmentTable::read_csv`] (row order, errors and line numbers included). An input
    /// with a quote anywhere is read on one thread, as a quoted field may hold a line break.
    ///
    /// # Errors
    ///
    /// As [`SegmentTable::read_csv`].
    ///
    /// ```
    /// use mediameter_usage::{BadRecords, SegmentTable};
    /// let mut csv = String::from("app,channel,user,role,spec,region,start,end\n");
    /// for i in 0..1000 {
    ///     csv.push_str(&format!("a,c{},u{},sub,720p,r1,{},{}\n", i % 7, i % 13, i, i + 60));
    /// }
    /// let (two, _) = SegmentTable::read_csv_parallel(csv.as_bytes(), BadRecords::Fail, 2)?;
    /// let (one, _) = SegmentTable::read_csv(csv.as_bytes(), BadRecords::Fail)?;
    /// assert_eq!(two.segments().collect::<Vec<_>>(), one.segments().collect::<Vec<_>>());
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn read_csv_parallel(
        input: &[u8],
        bad: BadRecords,
        threads: usize,
    ) -> Result<(SegmentTable, SkipReport)> {
        SegmentTable::read_csv_parts(input, bad, threads, MIN_PART)
    }

    /// [`SegmentTable::read_csv_parallel`] with parts of at least `min_part` bytes (the tests
    /// cut small inputs).
    pub(crate) fn read_csv_parts(
        input: &[u8],
        bad: BadRecords,
        threads: usize,
        min_part: usize,
    ) -> Result<(SegmentTable, SkipReport)> {
        let mut rest = input;
        let (columns, header_lines) = header(&mut rest)?;
        let threads = threads
            .clamp(1, 64)
            .min(rest.len().div_ceil(min_part.max(1)).max(1));
        let parts = cut(rest, threads);
        let results = on_threads(parts.len(), |k| {
            let mut l = Loader::new(columns, 0, bad);
            let stop = match parts.get(k) {
                Some(p) => l.lines(p)?,
                None => Stop::Done,
            };
            Ok((l, stop))
        });
        let mut loaders = Vec::with_capacity(results.len());
        let mut general = false;
        let mut offset = header_lines;
        for r in results {
            match r {
                Ok((mut l, stop)) => {
                    if !matches!(stop, Stop::Done) {
                        general = true;
                        break;
                    }
                    l.shift_lines(offset);
                    offset = offset.saturating_add(l.line);
                    loaders.push(l);
                }
                Err(mut e) => {
                    shift_line(&mut e, offset);
                    // Every earlier part was read through: this is the input's first error.
                    return Err(e);
                }
            }
        }
        if general {
            return SegmentTable::read_csv(input, bad);
        }
        let mut all = Loader::new(columns, header_lines, bad);
        for l in loaders {
            all.skipped = all.skipped.saturating_add(l.skipped);
            let room = SkipReport::KEPT.saturating_sub(all.errors.len());
            all.errors.extend(l.errors.into_iter().take(room));
            all.line = all.line.saturating_add(l.line);
            all.table.append_on(l.table, threads > 1)?;
        }
        Ok(all.finish())
    }
}

/// Cuts `body` into at most `n` parts of about equal size, each ending at a line break (the
/// last at the end).
/// Bytes of CSV below which [`SegmentTable::read_csv_parallel`] gives a part no thread of its
/// own: starting and joining a thread costs some tens of microseconds, about what loading
/// 64 KiB does, so a small input is read on the calling thread.
const MIN_PART: usize = 1 << 16;

fn cut(body: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = body;
    for k in (1..=n).rev() {
        if rest.is_empty() {
            break;
        }
        if k == 1 {
            parts.push(rest);
            break;
        }
        let target = rest.len().checked_div(k).unwrap_or(rest.len());
        let split = rest
            .get(target..)
            .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
            .map_or(rest.len(), |i| target.saturating_add(i).saturating_add(1));
        let (head, tail) = rest.split_at(split.min(rest.len()));
        parts.push(head);
        rest = tail;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Against a plain reading: digits only, 1 to 12 of them, the value as `str::parse`
        /// gives it.
        #[test]
        fn plain_seconds_reads_as_parse_does(
            s in proptest::string::string_regex("[0-9:;<=>?/ a+-]{0,14}|[0-9:;<=>?/]{8,12}").unwrap(),
            n in 0_u64..1_000_000_000_000,
        ) {
            for text in [s.clone(), n.to_string(), format!("{n:012}")] {
                let plain = (!text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| text.parse::<i64>().ok())
                    .flatten();
                proptest::prop_assert_eq!(plain_seconds(&text), plain, "{:?}", text);
            }
        }
    }

    proptest::proptest! {
        /// The check without building an id agrees with every id type's constructor.
        #[test]
        fn valid_id_is_what_core_accepts(s in "[a-z\u{0}\u{1f}\u{7f}\u{85}\u{9f}é ]{0,70}") {
            use mediameter_core::{AppId, ChannelId, UserId, RegionId, DomainName, InstanceId, ProductType};
            proptest::prop_assert_eq!(valid_id(&s, AppId::MAX_LEN), AppId::new(s.as_str()).is_ok());
            proptest::prop_assert_eq!(valid_id(&s, ChannelId::MAX_LEN), ChannelId::new(s.as_str()).is_ok());
            proptest::prop_assert_eq!(valid_id(&s, UserId::MAX_LEN), UserId::new(s.as_str()).is_ok());
            proptest::prop_assert_eq!(valid_id(&s, RegionId::MAX_LEN), RegionId::new(s.as_str()).is_ok());
            proptest::prop_assert_eq!(valid_id(&s, DomainName::MAX_LEN), DomainName::new(s.as_str()).is_ok());
            proptest::prop_assert_eq!(valid_id(&s, InstanceId::MAX_LEN), InstanceId::new(s.as_str()).is_ok());
            proptest::prop_assert_eq!(valid_id(&s, ProductType::MAX_LEN), ProductType::new(s.as_str()).is_ok());
        }

        #[test]
        fn trimmed_is_trim(s in "[ a\t\u{a0}\u{3000}é]{0,6}") {
            proptest::prop_assert_eq!(trimmed(&s), s.trim());
        }
    }

    #[test]
    fn plain_seconds_takes_only_plain_digits() {
        assert_eq!(plain_seconds("0"), Some(0));
        assert_eq!(plain_seconds("1679241600"), Some(1_679_241_600));
        assert_eq!(plain_seconds("999999999999"), Some(999_999_999_999));
        for s in [
            "",
            "-5",
            "+5",
            " 5",
            "5 ",
            "1e3",
            "2023-03-20T00:00:00Z",
            "9999999999999",
        ] {
            assert_eq!(plain_seconds(s), None, "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn words_split_a_line_as_bytes_do(
            line in proptest::collection::vec(proptest::sample::select(vec![
                b'a', b',', b'\n', b'\r', 0xc3, 0xa9, b' ', b'~', 0x00, 0x1f, 0x7f, 0x80, 0x9f, 0xff,
            ]), 0..70),
            cap in 0_usize..=MAX_FIELDS,
        ) {
            let (mut a, mut b) = ([0; MAX_FIELDS], [0; MAX_FIELDS]);
            let (n, len, quote) = split_bytes(&line, cap, &mut a);
            proptest::prop_assert!(!quote);
            // Printable: every byte of the line before its break is 0x20 to 0x7e.
            let body = line.get(..len).unwrap_or_default();
            let body = body.strip_suffix(b"\n").unwrap_or(body);
            let printable = body.iter().all(|b| (0x20..0x7f).contains(b));
            proptest::prop_assert_eq!(split_words(&line, cap, &mut b), (n, len, printable));
            proptest::prop_assert_eq!(&a[..n], &b[..n]);
        }
    }

    #[test]
    fn cut_ends_every_part_at_a_line_break() {
        let body = b"a\nbb\nccc\ndddd\neeeee\n";
        for n in 1..8 {
            let parts = cut(body, n);
            assert!(parts.len() <= n);
            assert_eq!(parts.concat(), body.to_vec());
            assert!(parts.iter().all(|p| p.ends_with(b"\n")), "{n}: {parts:?}");
        }
        // No final line break: the last part ends where the input does.
        let parts = cut(b"a\nb", 2);
        assert_eq!(parts.concat(), b"a\nb".to_vec());
        assert!(cut(b"", 3).is_empty());
        // One long line cannot be cut.
        assert_eq!(cut(b"abcdefgh", 4), vec![&b"abcdefgh"[..]]);
    }
}
