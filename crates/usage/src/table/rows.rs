//! One query over rows a columnar reader hands over (Parquet, Arrow, a database cursor): the
//! same load as [`SegmentTable::query_csv`], fed field by field instead of from CSV bytes.

use mediameter_core::MinutePolicy;

use super::SegmentTable;
use super::load::Loader;
use crate::error::{Error, Result};
use crate::input::{BadRecords, Columns, SkipReport};
use crate::query::UsageQuery;
use crate::report::UsageReport;

/// One segment's fields as a columnar source holds them: ids, names, role and spec as text,
/// instants as Unix seconds; any of them may be absent (a null).
///
/// The values are checked when the row is pushed to a [`RowLoader`], exactly as the CSV
/// readers check the same fields: a missing required value, a bad id, an unknown role or spec
/// or an empty span is a bad record, named by its record number and field.
///
/// ```
/// use mediameter_usage::SegmentRow;
/// let row = SegmentRow::new()
///     .with_app(Some("a1")).with_channel(Some("room")).with_user(Some("fan1"))
///     .with_role(Some("sub")).with_spec(Some("720p"))
///     .with_start(Some(1_679_273_700)).with_end(Some(1_679_274_600))
///     .with_publisher(Some("host")).with_region(Some("cn-shanghai"));
/// # let _ = row;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentRow<'a> {
    /// The text fields in [`NAMES`] order (the two instants' slots stay `None`).
    pub(super) text: [Option<&'a str>; 12],
    pub(super) start: Option<i64>,
    pub(super) end: Option<i64>,
}

macro_rules! text_setter {
    ($(#[$doc:meta])* $name:ident, $k:literal) => {
        $(#[$doc])*
        #[must_use]
        #[inline]
        pub fn $name(mut self, value: Option<&'a str>) -> Self {
            if let Some(slot) = self.text.get_mut($k) {
                *slot = value;
            }
            self
        }
    };
}

impl<'a> SegmentRow<'a> {
    /// A row with no field set.
    #[must_use]
    pub fn new() -> Self {
        SegmentRow::default()
    }

    text_setter!(
        /// The app id (required).
        with_app, 0
    );
    text_setter!(
        /// The channel id (required).
        with_channel, 1
    );
    text_setter!(
        /// The user id (required).
        with_user, 2
    );
    text_setter!(
        /// The role, `pub` or `sub` or another spelling core's `Role` parses (required).
        with_role, 3
    );
    text_setter!(
        /// The media spec, `audio`, `360p`, `720p`, `1080p`... (required).
        with_spec, 4
    );
    text_setter!(
        /// The region (optional).
        with_region, 7
    );
    text_setter!(
        /// The publisher a subscriber watches (optional).
        with_publisher, 8
    );
    text_setter!(
        /// The domain (optional).
        with_domain, 9
    );
    text_setter!(
        /// The instance (optional).
        with_instance, 10
    );
    text_setter!(
        /// The product type (optional).
        with_product_type, 11
    );

    /// The start, in Unix seconds (required).
    #[must_use]
    #[inline]
    pub fn with_start(mut self, value: Option<i64>) -> Self {
        self.start = value;
        self
    }

    /// The end, in Unix seconds, after the start (required; the interval is half-open).
    #[must_use]
    #[inline]
    pub fn with_end(mut self, value: Option<i64>) -> Self {
        self.end = value;
        self
    }
}

impl<'a> SegmentRow<'a> {
    /// The row checked for an aggregator as record `line` (see
    /// [`Aggregator::push_row`](crate::Aggregator::push_row)), with [`UNREAD`] for the
    /// required ids it leaves out that the query does not read (`unread`).
    pub(crate) fn checked(&self, line: u64, unread: [bool; 3]) -> Result<super::Checked<'a>> {
        let text = filled(self.text, unread);
        let role_spec = super::load::fast_role_spec(&text);
        super::load::check_row(line, &text, (self.start, self.end), role_spec)
    }
}

/// Loads the rows of one [`UsageQuery`] from any row source, keeping only the rows and columns
/// the query reads, as [`SegmentTable::query_csv`] does for CSV; [`RowLoader::report`] then
/// answers the query from one or several loaders.
///
/// For a source read on several threads (a Parquet file's row groups), give each thread a
/// loader of its own and hand them all to [`RowLoader::report`]: their rows are combined, in
/// any order (the report does not depend on it). [`RowLoader::reads`] says which columns the
/// query reads, so that a columnar reader decodes only those: a column it does not read may
/// be left out of every row, and is then not checked either.
///
/// Record numbers are the caller's (a row's position in its file, from 1): errors name them
/// as the CSV readers name lines. A bad record fails the push in [`BadRecords::Fail`] mode,
/// and is counted and skipped in [`BadRecords::Skip`] mode; a segment longer than the query's
/// limit fails in both, as in the other readers.
///
/// ```
/// use mediameter_core::{BillingZone, Granularity, MinutePolicy, MediaSpec, VideoTier};
/// use mediameter_usage::{BadRecords, Dimension, RowLoader, SegmentRow, UsageQuery};
/// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by([Dimension::Region]);
/// let mut loader = RowLoader::new(&q, BadRecords::Fail);
/// assert!(loader.reads("region") && !loader.reads("domain"));
/// let row = SegmentRow::new()
///     .with_app(Some("a")).with_channel(Some("c")).with_user(Some("u1"))
///     .with_role(Some("sub")).with_spec(Some("720p")).with_region(Some("r1"))
///     .with_start(Some(0)).with_end(Some(4000));
/// loader.push(1, &row)?;
/// let bad = row.with_end(Some(0));
/// assert_eq!(loader.push(2, &bad).unwrap_err().line(), Some(2));
/// let (report, skipped) = RowLoader::report(&q, [loader], MinutePolicy::Exact, 2)?;
/// assert_eq!(report.rows[0].subscribe_seconds[MediaSpec::Video(VideoTier::P720)], 3600);
/// assert_eq!(skipped.skipped, 0);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
pub struct RowLoader {
    pub(super) loader: Loader,
    query: UsageQuery,
    /// Whether the query leaves the app, channel and user unread (so a row may omit them).
    unread: [bool; 3],
}

impl std::fmt::Debug for RowLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowLoader")
            .field("query", &self.query)
            .field("rows", &self.loader.table.len())
            .field("skipped", &self.loader.skipped)
            .finish_non_exhaustive()
    }
}

/// The loader's column positions: the fields of a [`SegmentRow`] are in [`NAMES`] order.
const IDENTITY: Columns = Columns([
    Some(0),
    Some(1),
    Some(2),
    Some(3),
    Some(4),
    Some(5),
    Some(6),
    Some(7),
    Some(8),
    Some(9),
    Some(10),
    Some(11),
]);

/// The value of a required id column the query does not read, when the row leaves it out:
/// a valid id that is checked and never kept.
pub(crate) const UNREAD: &str = "-";

/// A row's text fields, with [`UNREAD`] for the required ids (app, channel, user) that the
/// query does not read (`unread`) and the row leaves out: a columnar reader may skip them.
#[inline]
pub(crate) fn filled(mut text: [Option<&str>; 12], unread: [bool; 3]) -> [Option<&str>; 12] {
    for (slot, unread) in text.iter_mut().zip(unread) {
        if unread && slot.is_none() {
            *slot = Some(UNREAD);
        }
    }
    text
}

impl RowLoader {
    /// An empty loader for `query`.
    #[must_use]
    pub fn new(query: &UsageQuery, bad: BadRecords) -> Self {
        RowLoader {
            loader: Loader::for_query(IDENTITY, bad, query),
            query: query.clone(),
            unread: super::Projection::of(query).unread_ids(),
        }
    }

    /// Whether the query reads the column named `column`: [`UsageQuery::reads`].
    #[must_use]
    pub fn reads(&self, column: &str) -> bool {
        self.query.reads(column)
    }

    /// Adds `row`, record number `record` of its source.
    ///
    /// # Errors
    ///
    /// In [`BadRecords::Fail`] mode, a bad record ([`Error::At`] naming `record` and the
    /// field); in either mode, a kept segment longer than the query's limit; [`Error::Overflow`]
    /// beyond 2^32 − 1 rows or distinct ids of one kind.
    pub fn push(&mut self, record: u64, row: &SegmentRow<'_>) -> Result<()> {
        let text = filled(row.text, self.unread);
        self.loader.line = record;
        self.loader
            .load_fields(&text, (row.start, row.end), (None, None))
    }

    /// Adds `rows`, records `first`, `first + 1`... of their source: the same as
    /// [`RowLoader::push`] of each in turn, and faster when the query counts users or
    /// channels among many distinct ids. The rows' users and channels are looked up a batch
    /// at a time, so that the cache misses of a large dictionary overlap instead of stalling
    /// one row after the other: hand over rows by the dozen or more (a columnar reader's
    /// batch).
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Granularity, MinutePolicy};
    /// use mediameter_usage::{BadRecords, RowLoader, SegmentRow, UsageQuery};
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::DAY);
    /// let users = ["u1", "u2", "u1"];
    /// let rows: Vec<SegmentRow> = users
    ///     .iter()
    ///     .map(|u| {
    ///         SegmentRow::new()
    ///             .with_app(Some("a")).with_channel(Some("c")).with_user(Some(u))
    ///             .with_role(Some("sub")).with_spec(Some("audio"))
    ///             .with_start(Some(0)).with_end(Some(60))
    ///     })
    ///     .collect();
    /// let mut loader = RowLoader::new(&q, BadRecords::Fail);
    /// loader.push_rows(1, &rows)?;
    /// let bad = [rows[0], rows[1].with_role(Some("host"))];
    /// assert_eq!(loader.push_rows(4, &bad).unwrap_err().line(), Some(5));
    /// let (report, _) = RowLoader::report(&q, [loader], MinutePolicy::Exact, 1)?;
    /// assert_eq!(report.rows[0].active_users, Some(2));
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`RowLoader::push`], for the first record that fails (in
    /// [`BadRecords::Fail`] mode): the rows before it are added, the rows after it are not.
    pub fn push_rows(&mut self, first: u64, rows: &[SegmentRow<'_>]) -> Result<()> {
        let unread = self.unread;
        self.loader.load_rows(
            first,
            rows.iter()
                .map(|r| (filled(r.text, unread), (r.start, r.end))),
        )
    }

    /// Adds the rows of `batch`, records `first`, `first + 1`... of their source, in columns
    /// as a columnar reader decodes them: the same as [`RowLoader::push`] of each row in turn,
    /// faster. A row whose values pass the fast checks is added from its columns; the role,
    /// spec and ids of a dictionary-encoded column
    /// ([`TextColumn::Coded`](super::TextColumn::Coded)) are checked and looked up once per
    /// distinct value, the ids of a plain one a batch at a time, as [`RowLoader::push_rows`]
    /// does. Any other row takes [`RowLoader::push`]'s path, which
    /// accepts it or words its error.
    ///
    /// ```
    /// use mediameter_core::{BillingZone, Granularity, MediaSpec, MinutePolicy};
    /// use mediameter_usage::{BadRecords, Dimension, RowLoader, SegmentColumns, TextColumn, UsageQuery};
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::HOUR).with_split_by([Dimension::Region]);
    /// let mut loader = RowLoader::new(&q, BadRecords::Skip);
    /// let (starts, ends) = ([0, 0, 600], [3600, 0, 1200]);
    /// let sub = [Some("sub")];
    /// let batch = SegmentColumns::new(3)
    ///     .with_app(TextColumn::Values(&[Some("a"); 3]))
    ///     .with_channel(TextColumn::Values(&[Some("c"); 3]))
    ///     .with_user(TextColumn::Values(&[Some("u1"), Some("u2"), Some("u3")]))
    ///     .with_role(TextColumn::Coded { values: &sub, codes: &[0, 0, 0] })
    ///     .with_spec(TextColumn::Coded { values: &[Some("audio")], codes: &[0, 0, 0] })
    ///     .with_region(TextColumn::Coded { values: &[Some("r1"), None], codes: &[0, 0, 1] })
    ///     .with_start(&starts, None)
    ///     .with_end(&ends, None);
    /// loader.push_columns(1, &batch)?;
    /// let (report, skipped) = RowLoader::report(&q, [loader], MinutePolicy::Exact, 1)?;
    /// // Record 2 is an empty span: skipped and named.
    /// assert_eq!(skipped.skipped, 1);
    /// assert!(skipped.first_errors[0].contains("line 2"));
    /// // One row for region r1, one for no region.
    /// assert_eq!(report.rows.len(), 2);
    /// let audio: u64 = report.rows.iter().map(|r| r.subscribe_seconds[MediaSpec::Audio]).sum();
    /// assert_eq!(audio, 3600 + 600);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`], with nothing added, if a column does not hold
    /// [`SegmentColumns::rows`](super::SegmentColumns::rows) rows or a code is not below its
    /// values' count; else those of [`RowLoader::push`], for the first record that fails (in
    /// [`BadRecords::Fail`] mode): the rows before it are added, the rows after it are not.
    pub fn push_columns(&mut self, first: u64, batch: &super::SegmentColumns<'_>) -> Result<()> {
        self.loader.load_columns(first, batch, self.unread)
    }

    /// The report of `query` over the rows of `loaders` (all made for `query`), computed on
    /// `threads` threads (0: all the machine has), and what was skipped: the skip counts
    /// added, the first errors of the first loaders.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] if a loader was made for another query; the errors of
    /// [`SegmentTable::report_parallel`].
    pub fn report(
        query: &UsageQuery,
        loaders: impl IntoIterator<Item = RowLoader>,
        policy: MinutePolicy,
        threads: usize,
    ) -> Result<(UsageReport, SkipReport)> {
        let mut tables = Vec::new();
        let mut skips = SkipReport::default();
        for l in loaders {
            if l.query != *query {
                return Err(Error::invalid(
                    "loaders",
                    "a loader of another query",
                    "loaders made for the query reported",
                ));
            }
            skips.skipped = skips.skipped.saturating_add(l.loader.skipped);
            let room = SkipReport::KEPT.saturating_sub(skips.first_errors.len());
            skips
                .first_errors
                .extend(l.loader.errors.iter().take(room).map(ToString::to_string));
            tables.push(l.loader.table);
        }
        // The largest table takes the others' rows: its own are neither re-interned nor copied.
        tables.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let threads = crate::threads::resolve(threads);
        let mut table = SegmentTable::new();
        for t in tables {
            table.append_on(t, threads > 1)?;
        }
        Ok((table.report_parallel(query, policy, threads)?, skips))
    }
}
