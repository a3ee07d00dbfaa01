//! One query over a CSV input, streamed: [`SegmentTable::query_csv`].
//!
//! The input is read in blocks of [`BLOCK`] bytes cut at line breaks; each block goes to one
//! of the worker threads, which loads it into its own table with the fast path of
//! [`load`](super::load), keeping only the rows the query keeps (its filters, its range) and
//! only the columns it reads ([`Projection`](super::Projection)). The calling thread only
//! reads. At most two blocks per worker are in flight, so memory is the tables' columns (a
//! few bytes per kept row) plus a few blocks, never the file.
//!
//! Blocks finish in any order; what must follow the input's order is worked out at the end
//! from each block's line count: the line numbers of errors, and which error comes first. A block the fast path cannot take whole (a quote, which may hide a line break
//! inside a field, bytes that are not UTF-8, a line longer than a record may be) stops the
//! reading: the workers finish the blocks before it, and the rest of the input is read on the
//! calling thread, as [`SegmentTable::read_csv`] reads it.

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};

use mediameter_core::MinutePolicy;

use super::SegmentTable;
use super::load::{Loader, Stop, header, read_error, shift_line};
use crate::csv::MAX_RECORD_BYTES;
use crate::error::{Error, Result};
use crate::input::{BadRecords, SkipReport};
use crate::query::UsageQuery;
use crate::report::UsageReport;

/// Bytes per block.
pub(crate) const BLOCK: usize = 1 << 22;

/// What a worker made of one block.
struct Done {
    seq: u64,
    lines: u64,
    skipped: u64,
    /// What stopped the load in this block (its line counted from the block's start): a bad
    /// record in [`BadRecords::Fail`] mode, or a kept segment the query refuses.
    fatal: Option<Error>,
}

/// The blocks' results, shared by the workers.
#[derive(Default)]
struct Results {
    done: Vec<Done>,
    /// The kept errors of skipped records, by block: only as many blocks as can hold the
    /// first [`SkipReport::KEPT`] errors in input order.
    errors: BTreeMap<u64, Vec<Error>>,
    kept: usize,
}

impl Results {
    fn add(&mut self, done: Done, errors: Vec<Error>) {
        let seq = done.seq;
        self.done.push(done);
        if errors.is_empty() {
            return;
        }
        self.kept = self.kept.saturating_add(errors.len());
        self.errors.insert(seq, errors);
        // Drop the latest block's errors while the blocks before it already hold enough.
        while let Some((_, last)) = self.errors.last_key_value() {
            if self.kept.saturating_sub(last.len()) < SkipReport::KEPT {
                break;
            }
            self.kept = self.kept.saturating_sub(last.len());
            self.errors.pop_last();
        }
    }
}

/// `block` (cut at a line break) as text when the fast path takes every line of it: no
/// quote, UTF-8 throughout, and no line longer than [`MAX_RECORD_BYTES`]; else the block
/// back. A longer line holds a whole aligned window of half that size without a line break,
/// so the windows are what is checked (a few searches per block instead of one per line).
fn fast(block: Vec<u8>) -> std::result::Result<String, Vec<u8>> {
    let short_lines = block
        .chunks(MAX_RECORD_BYTES / 2)
        .all(|w| w.len() < MAX_RECORD_BYTES / 2 || w.contains(&b'\n'));
    if !short_lines || block.contains(&b'"') {
        return Err(block);
    }
    String::from_utf8(block).map_err(std::string::FromUtf8Error::into_bytes)
}

/// Reads the next block into `buf` (a block handed back by a worker, or a new one): `carry`
/// (the unfinished line of the last one) and up to `size` more bytes, cut after the last line
/// break unless the input is over. Returns the block, the new carry and whether the input is
/// over.
fn next_block<R: Read>(
    input: &mut BufReader<R>,
    mut buf: Vec<u8>,
    carry: &[u8],
    size: usize,
) -> std::io::Result<(Vec<u8>, Vec<u8>, bool)> {
    buf.clear();
    buf.extend_from_slice(carry);
    loop {
        // A new buffer starts small and grows with what is read (a small input costs a small
        // buffer); the buffers handed back already hold a block.
        buf.reserve(size.min(1 << 16));
        let read = input
            .by_ref()
            .take(u64::try_from(size.max(1)).unwrap_or(u64::MAX))
            .read_to_end(&mut buf)?;
        if read == 0 {
            return Ok((buf, Vec::new(), true));
        }
        match buf.iter().rposition(|&b| b == b'\n') {
            Some(i) => {
                let carry = buf.split_off(i.saturating_add(1));
                return Ok((buf, carry, false));
            }
            // No line break in more than a record's size: the calling thread's reader words
            // it (the block is not fast).
            None if buf.len() > MAX_RECORD_BYTES => return Ok((buf, Vec::new(), false)),
            None => {}
        }
    }
}

/// A worker: loads blocks until the channel closes; skips those after a block that stopped
/// the load.
fn work(
    rx: &Mutex<mpsc::Receiver<(u64, String)>>,
    back: &mpsc::Sender<Vec<u8>>,
    mut loader: Loader,
    stop_at: &AtomicU64,
    results: &Mutex<Results>,
) -> SegmentTable {
    loop {
        let next = match rx.lock() {
            Ok(r) => r.recv(),
            Err(_) => break,
        };
        let Ok((seq, block)) = next else {
            break;
        };
        if seq > stop_at.load(Ordering::Acquire) {
            continue;
        }
        loader.line = 0;
        let skipped = loader.skipped;
        let fatal = match loader.lines_of_text(&block) {
            Ok(Stop::Done) => None,
            // Not reached: the reader sends only blocks the fast path takes whole (`fast`).
            // Read on with the general reader all the same, as the sequential load would.
            Ok(Stop::General(at)) => loader
                .general(block.as_bytes().get(at..).unwrap_or_default())
                .err(),
            Err(e) => Some(e),
        };
        if fatal.is_some() {
            stop_at.fetch_min(seq, Ordering::AcqRel);
        }
        let done = Done {
            seq,
            lines: loader.line,
            skipped: loader.skipped.saturating_sub(skipped),
            fatal,
        };
        let errors = std::mem::take(&mut loader.errors);
        if let Ok(mut r) = results.lock() {
            r.add(done, errors);
        }
        // The reader fills it again: no new allocation, no page touched for the first time.
        let _ = back.send(block.into_bytes());
    }
    loader.table
}

impl SegmentTable {
    /// The report of `query` over a CSV input (the columns of
    /// [`SegmentReader`](crate::SegmentReader)), read once, streaming, on `threads` threads
    /// (0: as many as the machine has; at most 64).
    ///
    /// The input is never held whole: it is read in blocks of a few megabytes, and only the
    /// rows the query keeps (its filters, its range) and the columns it reads are kept, in a
    /// table that lives for this call. Use it for one query over a file; load a
    /// table with [`SegmentTable::read_csv`] to ask several.
    ///
    /// The report equals that of an [`Aggregator`](crate::Aggregator) fed the segments in
    /// input order, and the error is the first in input order, whether a bad record (in
    /// [`BadRecords::Fail`] mode) or a segment the query keeps but refuses (over its segment
    /// limit, or not in whole seconds: the aggregator's checks, in either mode); both are
    /// named by line and field. In [`BadRecords::Skip`] mode the [`SkipReport`] counts the
    /// skipped records and keeps the first errors in input order.
    ///
    /// The work is spread over the threads by the library: the calling thread reads, each
    /// worker loads whole blocks, and the report runs on as many threads.
    ///
    /// # Errors
    ///
    /// A located error ([`Error::At`]) for a missing header or required column, a read failure, the first
    /// bad record in [`BadRecords::Fail`] mode, or a segment over the query's limit;
    /// the errors of [`SegmentTable::report`].
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Granularity, MinutePolicy};
    /// use mediameter_usage::{BadRecords, Dimension, Metrics, SegmentTable, UsageQuery};
    /// let csv = "app,channel,user,role,spec,region,start,end\n\
    ///            a,c,u1,sub,720p,r1,0,4000\n\
    ///            a,c,u2,pub,720p,r1,0,60\n\
    ///            a,c,u3,sub,720p,r2,3500,3700\n";
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR)
    ///     .with_split_by([Dimension::Region])
    ///     .with_filter(Dimension::Role, ["sub"])?
    ///     .with_metrics(Metrics::DURATIONS);
    /// let (report, skipped) =
    ///     SegmentTable::query_csv(csv.as_bytes(), &q, MinutePolicy::Exact, BadRecords::Fail, 2)?;
    /// let (table, _) = SegmentTable::read_csv(csv.as_bytes(), BadRecords::Fail)?;
    /// assert_eq!(report, table.report(&q, MinutePolicy::Exact)?);
    /// assert_eq!(report.segments, 2);
    /// assert_eq!(skipped.skipped, 0);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn query_csv<R: Read>(
        input: R,
        query: &UsageQuery,
        policy: MinutePolicy,
        bad: BadRecords,
        threads: usize,
    ) -> Result<(UsageReport, SkipReport)> {
        let threads = crate::threads::resolve(threads);
        let (table, skips) = load(input, query, bad, threads, BLOCK)?;
        let report = table.report_parallel(query, policy, threads)?;
        Ok((report, skips))
    }
}

/// Loads the rows and columns `query` needs from a CSV input on `threads` workers, in blocks of
/// `block` bytes at most (the tests use small ones).
pub(crate) fn load<R: Read>(
    input: R,
    query: &UsageQuery,
    bad: BadRecords,
    threads: usize,
    block: usize,
) -> Result<(SegmentTable, SkipReport)> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let (columns, header_lines) = header(&mut input)?;
    let threads = threads.clamp(1, crate::threads::MAX_THREADS);
    let stop_at = AtomicU64::new(u64::MAX);
    let results = Mutex::new(Results::default());
    let (tx, rx) = mpsc::sync_channel::<(u64, String)>(threads);
    let rx = Mutex::new(rx);
    // Blocks handed back (at most the blocks in flight: the channel's and the workers').
    let (back, spare) = mpsc::channel::<Vec<u8>>();
    // What the calling thread read: the blocks sent, where the fast path stopped (the rest
    // is read here, after the workers), or a read failure.
    let mut sent: u64 = 0;
    let mut rest: Option<Vec<u8>> = None;
    let mut failure: Option<std::io::Error> = None;
    let tables = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let loader = Loader::for_query(columns, bad, query);
                let (rx, stop_at, results, back) = (&rx, &stop_at, &results, back.clone());
                s.spawn(move || work(rx, &back, loader, stop_at, results))
            })
            .collect();
        let mut carry = Vec::new();
        loop {
            if stop_at.load(Ordering::Acquire) != u64::MAX {
                break;
            }
            let buf = spare.try_recv().unwrap_or_default();
            let (block, next, at_end) = match next_block(&mut input, buf, &carry, block) {
                Ok(b) => b,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            let block = match fast(block) {
                Ok(text) => text,
                Err(mut all) => {
                    all.extend_from_slice(&next);
                    rest = Some(all);
                    break;
                }
            };
            if !block.is_empty() && tx.send((sent, block)).is_err() {
                break;
            }
            sent = sent.saturating_add(1);
            if at_end {
                break;
            }
            carry = next;
        }
        drop(tx);
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .map_err(|_| Error::overflow("a worker thread stopped"))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let Results {
        mut done, errors, ..
    } = results
        .into_inner()
        .map_err(|_| Error::overflow("a worker thread stopped"))?;
    done.sort_by_key(|d| d.seq);
    // In input order: offsets of lines and positions, the first error that stops the load.
    let (mut line, mut skipped) = (header_lines, 0_u64);
    let mut offsets = BTreeMap::new();
    for d in &mut done {
        offsets.insert(d.seq, line);
        if let Some(mut e) = d.fatal.take() {
            shift_line(&mut e, line);
            return Err(e);
        }
        line = line.saturating_add(d.lines);
        skipped = skipped.saturating_add(d.skipped);
    }
    let mut kept: Vec<Error> = errors
        .into_iter()
        .flat_map(|(seq, es)| {
            let off = offsets.get(&seq).copied().unwrap_or(0);
            es.into_iter().map(move |mut e| {
                shift_line(&mut e, off);
                e
            })
        })
        .take(SkipReport::KEPT)
        .collect();
    if let Some(e) = failure {
        return Err(read_error(line.saturating_add(1), &e));
    }
    // The largest table takes the others' rows: its own are neither re-interned nor copied.
    let mut tables = tables;
    tables.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut table = SegmentTable::new();
    for t in tables {
        table.append_on(t, threads > 1)?;
    }
    if let Some(first) = rest {
        // The rest, on this thread, from where the blocks ended.
        let mut l = Loader::for_query(columns, bad, query);
        l.line = line;
        let from = std::io::Cursor::new(first).chain(input);
        l.drive(BufReader::with_capacity(1 << 16, from), BLOCK)?;
        skipped = skipped.saturating_add(l.skipped);
        let room = SkipReport::KEPT.saturating_sub(kept.len());
        kept.extend(std::mem::take(&mut l.errors).into_iter().take(room));
        table.append(l.table)?;
    }
    let report = SkipReport {
        skipped,
        first_errors: kept.iter().map(ToString::to_string).collect(),
    };
    Ok((table, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_blocks_have_no_quote_no_bad_utf8_no_long_line() {
        assert_eq!(fast(b"a,b\nc,d\n".to_vec()), Ok("a,b\nc,d\n".to_owned()));
        assert_eq!(fast(Vec::new()), Ok(String::new()));
        assert!(fast(b"a,\"b\"\n".to_vec()).is_err());
        assert_eq!(fast(b"a,\xff\n".to_vec()), Err(b"a,\xff\n".to_vec()));
        let long = vec![b'x'; MAX_RECORD_BYTES + 1];
        assert!(fast(long).is_err());
        let mut ok = vec![b'x'; MAX_RECORD_BYTES / 2 - 1];
        ok.push(b'\n');
        ok.extend(vec![b'y'; MAX_RECORD_BYTES / 2 - 1]);
        ok.push(b'\n');
        assert!(fast(ok).is_ok());
    }
}
