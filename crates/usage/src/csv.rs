//! A small RFC 4180 CSV reader and writer, and the console's "export" tables.

use std::borrow::Borrow;
use std::fmt::Write as _;
use std::io::BufRead;

use mediameter_core::{MediaSpec, StreamSegment};

use crate::error::{Error, Result};
use crate::records::ChannelSession;
use crate::report::UsageReport;

/// Longest physical line accepted, and longest record (a quoted field may span lines).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Appends one CSV record to `out`, quoting a field when it contains a comma, a quote, a line
/// break or leading/trailing spaces (quotes are doubled), and ending with `\n`.
///
/// ```
/// let mut s = String::new();
/// mediameter_usage::csv::write_record(&mut s, ["a", "b,c", "say \"hi\""]);
/// assert_eq!(s, "a,\"b,c\",\"say \"\"hi\"\"\"\n");
/// ```
pub fn write_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, f);
    }
    out.push('\n');
}

/// Appends `n` in decimal (what `Display` prints, without the formatting machinery, which
/// costs more than the rest of a report's row).
fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0_u8; 20];
    let mut at = digits.len();
    loop {
        at = at.saturating_sub(1);
        if let Some(d) = digits.get_mut(at) {
            *d = b'0'.saturating_add(u8::try_from(n % 10).unwrap_or(0));
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(digits.get(at..).unwrap_or_default()).unwrap_or_default());
}

/// Appends one field, quoted when it holds a comma, a quote or a line break, or starts or
/// ends with a blank.
fn push_field(out: &mut String, f: &str) {
    let needs = f.contains([',', '"', '\n', '\r']) || f.starts_with(' ') || f.ends_with(' ');
    if needs {
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(f);
    }
}

/// Reads CSV records from a buffered reader, with the line number each starts on.
///
/// ```
/// use mediameter_usage::csv::CsvReader;
/// let mut r = CsvReader::new("a,b\n\"x\ny\",2\n".as_bytes());
/// assert_eq!(r.next_record()?, Some((1, vec!["a".to_owned(), "b".to_owned()])));
/// assert_eq!(r.next_record()?, Some((2, vec!["x\ny".to_owned(), "2".to_owned()])));
/// assert_eq!(r.next_record()?, None);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug)]
pub struct CsvReader<R> {
    input: R,
    line: u64,
    buf: String,
}

impl<R: BufRead> CsvReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        CsvReader {
            input,
            line: 0,
            buf: String::new(),
        }
    }

    /// A reader over the rest of an input of which `line` lines were read elsewhere.
    pub(crate) fn resume(input: R, line: u64) -> Self {
        CsvReader {
            input,
            line,
            buf: String::new(),
        }
    }

    /// The number of physical lines read so far.
    ///
    /// ```
    /// let mut r = mediameter_usage::csv::CsvReader::new("a\nb\n".as_bytes());
    /// r.next_record()?;
    /// assert_eq!(r.lines_read(), 1);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub fn lines_read(&self) -> u64 {
        self.line
    }

    fn read_line(&mut self) -> Result<bool> {
        self.buf.clear();
        let input: &mut R = &mut self.input;
        let limit = u64::try_from(MAX_RECORD_BYTES)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let n = std::io::Read::take(input, limit)
            .read_line(&mut self.buf)
            .map_err(|e| {
                Error::document("csv", format!("cannot read: {e}"))
                    .at_line(self.line.saturating_add(1))
            })?;
        if n == 0 {
            return Ok(false);
        }
        self.line = self.line.saturating_add(1);
        if n > MAX_RECORD_BYTES {
            return Err(Error::document(
                "csv",
                format!("line longer than {MAX_RECORD_BYTES} bytes"),
            )
            .at_line(self.line));
        }
        Ok(true)
    }

    /// The next record and the line it starts on; `None` at the end. Blank lines are skipped.
    ///
    /// # Errors
    ///
    /// [`Error::Document`], located at the record's first line, for an unterminated quoted field, a quote in the middle of an unquoted
    /// field, a record over [`MAX_RECORD_BYTES`], or bytes that are not UTF-8.
    ///
    /// ```
    /// let mut r = mediameter_usage::csv::CsvReader::new("\"open\n".as_bytes());
    /// assert!(r.next_record().is_err());
    /// ```
    pub fn next_record(&mut self) -> Result<Option<(u64, Vec<String>)>> {
        let mut fields = Vec::new();
        Ok(self.next_into(&mut fields)?.map(|line| (line, fields)))
    }

    /// Like [`CsvReader::next_record`], reusing `fields` (its strings keep their capacity):
    /// the allocation-free path for long inputs. Returns the line the record starts on.
    ///
    /// # Errors
    ///
    /// As [`CsvReader::next_record`].
    ///
    /// ```
    /// let mut r = mediameter_usage::csv::CsvReader::new("a,b\nc\n".as_bytes());
    /// let mut f = Vec::new();
    /// assert_eq!(r.next_into(&mut f)?, Some(1));
    /// assert_eq!(f, ["a", "b"]);
    /// assert_eq!(r.next_into(&mut f)?, Some(2));
    /// assert_eq!(f, ["c"]);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn next_into(&mut self, fields: &mut Vec<String>) -> Result<Option<u64>> {
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if !self.buf.trim_end_matches(['\n', '\r']).is_empty() {
                break;
            }
        }
        let start_line = self.line;
        let mut used = 0_usize;
        let slot = |fields: &mut Vec<String>, used: &mut usize| -> usize {
            if *used >= fields.len() {
                fields.push(String::new());
            } else if let Some(f) = fields.get_mut(*used) {
                f.clear();
            }
            let i = *used;
            *used = used.saturating_add(1);
            i
        };
        if !self.buf.contains('"') {
            // Fast path: no quoting on this line.
            for part in self.buf.trim_end_matches(['\n', '\r']).split(',') {
                let i = slot(fields, &mut used);
                if let Some(f) = fields.get_mut(i) {
                    f.push_str(part);
                }
            }
            fields.truncate(used);
            return Ok(Some(start_line));
        }
        let mut cur = slot(fields, &mut used);
        let mut in_quotes = false;
        let mut was_quoted = false;
        let mut field_empty = true;
        let mut total = 0_usize;
        loop {
            total = total.saturating_add(self.buf.len());
            if total > MAX_RECORD_BYTES {
                return Err(Error::document(
                    "csv",
                    format!("record longer than {MAX_RECORD_BYTES} bytes"),
                )
                .at_line(start_line));
            }
            let mut chars = self.buf.chars().peekable();
            while let Some(c) = chars.next() {
                let push = |fields: &mut Vec<String>, ch: char| {
                    if let Some(f) = fields.get_mut(cur) {
                        f.push(ch);
                    }
                };
                if in_quotes {
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            push(fields, '"');
                            chars.next();
                        } else {
                            in_quotes = false;
                        }
                    } else {
                        push(fields, c);
                    }
                    continue;
                }
                match c {
                    ',' => {
                        cur = slot(fields, &mut used);
                        was_quoted = false;
                        field_empty = true;
                    }
                    '"' if field_empty && !was_quoted => {
                        in_quotes = true;
                        was_quoted = true;
                    }
                    '"' => {
                        return Err(Error::document("csv", "a quote inside an unquoted field")
                            .at_line(start_line));
                    }
                    '\r' if chars.peek() == Some(&'\n') || chars.peek().is_none() => {}
                    '\n' => {}
                    _ if was_quoted => {
                        return Err(Error::document("csv", "text after a closing quote")
                            .at_line(start_line));
                    }
                    _ => {
                        push(fields, c);
                        field_empty = false;
                    }
                }
            }
            if !in_quotes {
                break;
            }
            if !self.read_line()? {
                return Err(Error::document("csv", "unterminated quoted field").at_line(start_line));
            }
        }
        fields.truncate(used);
        Ok(Some(start_line))
    }
}

/// Parses a whole CSV text into records (line number, fields).
///
/// # Errors
///
/// As [`CsvReader::next_record`].
///
/// ```
/// let rows = mediameter_usage::csv::parse_records("a,b\n1,2\n")?;
/// assert_eq!(rows[1].1, vec!["1", "2"]);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
pub fn parse_records(text: &str) -> Result<Vec<(u64, Vec<String>)>> {
    let mut r = CsvReader::new(text.as_bytes());
    let mut out = Vec::new();
    while let Some(rec) = r.next_record()? {
        out.push(rec);
    }
    Ok(out)
}

/// The columns of the raw segment table, as read by [`parse_csv`](crate::parse_csv).
pub const SEGMENT_COLUMNS: [&str; 12] = [
    "app",
    "channel",
    "user",
    "role",
    "spec",
    "region",
    "start",
    "end",
    "publisher",
    "domain",
    "instance",
    "type",
];

/// The raw data table (the console's "export raw data"): one line per segment, the
/// [`SEGMENT_COLUMNS`], instants as Unix seconds, absent optional values empty.
///
/// ```
/// # use mediameter_core::*;
/// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 60)?);
/// let text = mediameter_usage::csv::segments_csv([&s]);
/// assert_eq!(text.lines().nth(1), Some("a,c,u,sub,audio,,0,60,,,,"));
/// assert_eq!(mediameter_usage::parse_csv(&text)?, vec![s]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn segments_csv<I>(segments: I) -> String
where
    I: IntoIterator,
    I::Item: Borrow<StreamSegment>,
{
    let mut out = String::new();
    write_record(&mut out, SEGMENT_COLUMNS);
    for s in segments {
        let s = s.borrow();
        let start = s.range.start().timestamp().to_string();
        let end = s.range.end().timestamp().to_string();
        let opt = |v: Option<&str>| v.unwrap_or("").to_owned();
        let fields = [
            s.app.as_str().to_owned(),
            s.channel.as_str().to_owned(),
            s.user.as_str().to_owned(),
            s.role.as_str().to_owned(),
            s.spec.as_str().to_owned(),
            opt(s.region.as_ref().map(|v| v.as_str())),
            start,
            end,
            opt(s.publisher.as_ref().map(|v| v.as_str())),
            opt(s.domain.as_ref().map(|v| v.as_str())),
            opt(s.instance.as_ref().map(|v| v.as_str())),
            opt(s.product_type.as_ref().map(|v| v.as_str())),
        ];
        write_record(&mut out, fields.iter().map(String::as_str));
    }
    out
}

/// The aggregated table: one line per row of the report. Columns: `bucket_start` (RFC 3339
/// UTC), the split dimensions, `publish_seconds_<spec>` ×6, `subscribe_seconds_<spec>` ×6,
/// `billable_minutes_<spec>` ×6, `active_users`, `channels`, `peak_channels`,
/// `peak_communications`, `peak_streams` (empty when not computed).
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let r = UsageState::new(UsageQuery::new(BillingZone::UTC, Granularity::HOUR)).report(MinutePolicy::Exact)?;
/// let text = mediameter_usage::csv::report_csv(&r);
/// assert!(text.starts_with("bucket_start,publish_seconds_audio,"));
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[must_use]
pub fn report_csv(report: &UsageReport) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = vec!["bucket_start".to_owned()];
    header.extend(report.split_by.iter().map(|d| d.as_str().to_owned()));
    for prefix in ["publish_seconds", "subscribe_seconds", "billable_minutes"] {
        header.extend(MediaSpec::ALL.iter().map(|s| format!("{prefix}_{s}")));
    }
    header.extend(
        [
            "active_users",
            "channels",
            "peak_channels",
            "peak_communications",
            "peak_streams",
        ]
        .map(str::to_owned),
    );
    write_record(&mut out, header.iter().map(String::as_str));
    // Written in place, without a string per field: a report of tens of thousands of rows is
    // printed in a few milliseconds. Only the group's values may need quoting.
    for row in &report.rows {
        out.push_str(
            &row.bucket_start
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        for (_, v) in &row.group {
            out.push(',');
            push_field(&mut out, v.as_deref().unwrap_or_default());
        }
        for &n in row
            .publish_seconds
            .0
            .iter()
            .chain(row.subscribe_seconds.0.iter())
        {
            out.push(',');
            push_u64(&mut out, n);
        }
        for m in &row.billable_minutes.0 {
            let m = m.normalize();
            out.push(',');
            match u64::try_from(m).ok().filter(|_| m.scale() == 0) {
                Some(n) => push_u64(&mut out, n),
                // Writing into a `String` cannot fail.
                None => {
                    let _ = write!(out, "{m}");
                }
            }
        }
        for v in [
            row.active_users,
            row.channels,
            row.peak_channels,
            row.peak_communications,
            row.peak_streams,
        ] {
            out.push(',');
            if let Some(n) = v {
                push_u64(&mut out, n);
            }
        }
        out.push('\n');
    }
    out
}

/// The per-user detail list of communication records (Alibaba Cloud RTC console guide §3, "export
/// the detail"): one line per user per session, with join, leave and seconds per spec.
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 60)?);
/// let text = mediameter_usage::csv::user_detail_csv(&communication_records([&s])?);
/// assert!(text.lines().nth(1).ok_or("missing detail line")?.starts_with("a,c,1970-01-01T00:00:00Z,u,1970-01-01T00:00:00Z,1970-01-01T00:01:00Z,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn user_detail_csv(sessions: &[ChannelSession]) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = ["app", "channel", "session_start", "user", "join", "leave"]
        .map(str::to_owned)
        .to_vec();
    for prefix in ["publish_seconds", "subscribe_seconds"] {
        header.extend(MediaSpec::ALL.iter().map(|s| format!("{prefix}_{s}")));
    }
    write_record(&mut out, header.iter().map(String::as_str));
    let ts =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for s in sessions {
        for u in &s.users {
            let mut f = vec![
                s.app.clone(),
                s.channel.clone(),
                ts(s.start),
                u.user.clone(),
                ts(u.join),
                ts(u.leave),
            ];
            f.extend(u.publish_seconds.0.iter().map(u64::to_string));
            f.extend(u.subscribe_seconds.0.iter().map(u64::to_string));
            write_record(&mut out, f.iter().map(String::as_str));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn integers_print_as_display_does(n in any::<u64>()) {
            let mut out = String::from("x");
            super::push_u64(&mut out, n);
            prop_assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn integer_edges_print_as_display_does() {
        for n in [0, 1, 9, 10, 99, 100, u64::from(u32::MAX), u64::MAX] {
            let mut out = String::new();
            super::push_u64(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }
}
