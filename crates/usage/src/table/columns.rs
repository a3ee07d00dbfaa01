//! One query's rows handed over in columns, as a columnar reader decodes them (a Parquet row
//! group, an Arrow record batch): the same load as [`RowLoader::push`](super::RowLoader::push)
//! of each row, with the work on a value done once per distinct value of a dictionary-encoded
//! column instead of once per row.
//!
//! A row whose values all pass the fast checks (exactly `pub` or `sub`, a spec core accepts,
//! ids core accepts, a span inside core's range) is added from its columns; any other row is
//! handed to the row loader's own path, which accepts it or words its error exactly as for a
//! row pushed alone. Records are loaded in order, so the first bad record of a batch is the
//! error in [`BadRecords::Fail`](crate::BadRecords::Fail) mode, with the rows before it
//! added, and ids are numbered as a row-by-row load numbers them.

use mediameter_core::{
    AppId, ChannelId, DomainName, InstanceId, MediaSpec, ProductType, RegionId, Role, UserId,
};

use super::load::{BATCH, Keep, Loader, Verdict, fast_role, fast_span, fast_spec, id_ok};
use super::rows::{UNREAD, filled};
use super::{Checked, Dict, Row, kind_of};
use crate::error::{Error, Result};
use crate::intern::Key;

/// One text column of a [`SegmentColumns`] batch.
///
/// ```
/// use mediameter_usage::TextColumn;
/// // Three rows: "sub", null, "sub", as plain values or dictionary-encoded.
/// let plain = TextColumn::Values(&[Some("sub"), None, Some("sub")]);
/// let coded = TextColumn::Coded { values: &[Some("sub"), None], codes: &[0, 1, 0] };
/// # let _ = (plain, coded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextColumn<'a> {
    /// The value of each row (`None`: a null).
    Values(&'a [Option<&'a str>]),
    /// Dictionary-encoded (Parquet's and Arrow's dictionary arrays): row `i` holds
    /// `values[codes[i]]` (`None`: a null). Each distinct value is checked and looked up once
    /// per batch, when a row first refers to it.
    Coded {
        /// The distinct values.
        values: &'a [Option<&'a str>],
        /// Each row's index into `values`.
        codes: &'a [u32],
    },
}

impl<'a> TextColumn<'a> {
    /// The values rows index (each row its own for [`TextColumn::Values`]).
    fn values(&self) -> &'a [Option<&'a str>] {
        match *self {
            TextColumn::Values(v) | TextColumn::Coded { values: v, .. } => v,
        }
    }

    /// The rows of the column.
    fn rows(&self) -> usize {
        match self {
            TextColumn::Values(v) => v.len(),
            TextColumn::Coded { codes, .. } => codes.len(),
        }
    }

    /// The index of row `row`'s value in [`TextColumn::values`].
    #[inline]
    fn code(&self, row: usize) -> usize {
        match self {
            TextColumn::Values(_) => row,
            TextColumn::Coded { codes, .. } => codes
                .get(row)
                .map_or(usize::MAX, |&c| usize::try_from(c).unwrap_or(usize::MAX)),
        }
    }
}

/// Unix seconds of each row, and which rows hold a null (`valid[i] == false`).
type Instants<'a> = (&'a [i64], Option<&'a [bool]>);

/// A batch of rows in columns, for [`RowLoader::push_columns`](super::RowLoader::push_columns):
/// the columns a columnar reader decoded, borrowed (nothing is copied). A column left unset
/// is absent from every row, as a field left out of a [`SegmentRow`](super::SegmentRow).
///
/// ```
/// use mediameter_usage::{SegmentColumns, TextColumn};
/// let starts = [0, 60];
/// let ends = [90, 120];
/// let batch = SegmentColumns::new(2)
///     .with_role(TextColumn::Coded { values: &[Some("sub")], codes: &[0, 0] })
///     .with_spec(TextColumn::Values(&[Some("audio"), Some("720p")]))
///     .with_start(&starts, None)
///     .with_end(&ends, None);
/// assert_eq!(batch.rows(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentColumns<'a> {
    rows: usize,
    /// The text columns in [`NAMES`](crate::input::NAMES) order (the instants' slots unset).
    text: [Option<TextColumn<'a>>; 12],
    start: Option<Instants<'a>>,
    end: Option<Instants<'a>>,
}

macro_rules! column_setter {
    ($(#[$doc:meta])* $name:ident, $k:literal) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, column: TextColumn<'a>) -> Self {
            if let Some(slot) = self.text.get_mut($k) {
                *slot = Some(column);
            }
            self
        }
    };
}

impl<'a> SegmentColumns<'a> {
    /// A batch of `rows` rows with no column set.
    #[must_use]
    pub fn new(rows: usize) -> Self {
        SegmentColumns {
            rows,
            text: [None; 12],
            start: None,
            end: None,
        }
    }

    /// The number of rows.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.rows
    }

    column_setter!(
        /// The app ids (required).
        with_app, 0
    );
    column_setter!(
        /// The channel ids (required).
        with_channel, 1
    );
    column_setter!(
        /// The user ids (required).
        with_user, 2
    );
    column_setter!(
        /// The roles, `pub` or `sub` or another spelling core's `Role` parses (required).
        with_role, 3
    );
    column_setter!(
        /// The media specs, `audio`, `360p`, `720p`, `1080p`... (required).
        with_spec, 4
    );
    column_setter!(
        /// The regions (optional).
        with_region, 7
    );
    column_setter!(
        /// The publishers subscribers watch (optional).
        with_publisher, 8
    );
    column_setter!(
        /// The domains (optional).
        with_domain, 9
    );
    column_setter!(
        /// The instances (optional).
        with_instance, 10
    );
    column_setter!(
        /// The product types (optional).
        with_product_type, 11
    );

    /// The starts, in Unix seconds (required); `valid[i] == false` marks a null (`None`: no
    /// null).
    #[must_use]
    pub fn with_start(mut self, seconds: &'a [i64], valid: Option<&'a [bool]>) -> Self {
        self.start = Some((seconds, valid));
        self
    }

    /// The ends, in Unix seconds, after the starts (required; intervals are half-open);
    /// `valid[i] == false` marks a null (`None`: no null).
    #[must_use]
    pub fn with_end(mut self, seconds: &'a [i64], valid: Option<&'a [bool]>) -> Self {
        self.end = Some((seconds, valid));
        self
    }

    /// [`Error::Invalid`] unless every column holds [`SegmentColumns::rows`] rows and every
    /// code indexes its values.
    pub(crate) fn check(&self) -> Result<()> {
        let rows = self.rows;
        let wrong = |what: String| {
            Err(Error::invalid(
                "columns",
                &what,
                format_args!("every column of {rows} rows, every code below its values' count"),
            ))
        };
        for (k, c) in self.text.iter().enumerate() {
            let Some(c) = c else { continue };
            let name = crate::input::NAMES.get(k).copied().unwrap_or_default();
            if c.rows() != rows {
                return wrong(format!("{} rows of {name}", c.rows()));
            }
            if let TextColumn::Coded { values, codes } = c
                && let Some(bad) = codes
                    .iter()
                    .find(|&&i| usize::try_from(i).map_or(true, |i| i >= values.len()))
            {
                return wrong(format!("code {bad} of {name} over {} values", values.len()));
            }
        }
        for (name, instants) in [("start", self.start), ("end", self.end)] {
            if let Some((seconds, valid)) = instants
                && (seconds.len() != rows || valid.is_some_and(|v| v.len() != rows))
            {
                return wrong(format!("{} rows of {name}", seconds.len()));
            }
        }
        Ok(())
    }

    /// Row `row`'s text fields, in [`NAMES`](crate::input::NAMES) order.
    fn text_of(&self, row: usize) -> [Option<&'a str>; 12] {
        self.text
            .map(|c| c.and_then(|c| c.values().get(c.code(row)).copied().flatten()))
    }

    /// Row `row`'s start and end.
    #[inline]
    fn instants_of(&self, row: usize) -> (Option<i64>, Option<i64>) {
        let at = |i: Option<Instants<'_>>| {
            let (seconds, valid) = i?;
            if valid.is_some_and(|v| !v.get(row).copied().unwrap_or(false)) {
                return None;
            }
            seconds.get(row).copied()
        };
        (at(self.start), at(self.end))
    }
}

/// The role and spec of each row of a batch as the fast checks take them ([`fast_role`],
/// [`fast_spec`]): each value of a dictionary-encoded column checked once, when a row first
/// refers to it.
pub(crate) struct KindChecks<'a> {
    role: Option<TextColumn<'a>>,
    spec: Option<TextColumn<'a>>,
    /// One verdict per value of the role column (`None`: not looked at yet).
    roles: Vec<Option<Option<Role>>>,
    /// One verdict per value of the spec column.
    specs: Vec<Option<Option<MediaSpec>>>,
}

impl<'a> KindChecks<'a> {
    /// The checks of `batch`'s role and spec columns (one slot per value: bounded by the
    /// caller's own slices).
    pub(crate) fn of(batch: &SegmentColumns<'a>) -> Self {
        let (role, spec) = (
            batch.text.get(3).copied().flatten(),
            batch.text.get(4).copied().flatten(),
        );
        KindChecks {
            roles: vec![None; role.map_or(0, |c| c.values().len())],
            specs: vec![None; spec.map_or(0, |c| c.values().len())],
            role,
            spec,
        }
    }

    /// Row `row`'s role and spec, when the fast checks take both.
    #[inline]
    pub(crate) fn at(&mut self, row: usize) -> Option<(Role, MediaSpec)> {
        fn cached<T: Copy>(
            column: Option<TextColumn<'_>>,
            verdicts: &mut [Option<Option<T>>],
            row: usize,
            check: fn(Option<&str>) -> Option<T>,
        ) -> Option<T> {
            let c = column?;
            let at = c.code(row);
            let slot = verdicts.get_mut(at)?;
            *slot.get_or_insert_with(|| check(c.values().get(at).copied().flatten()))
        }
        let role = cached(self.role, &mut self.roles, row, fast_role)?;
        let spec = cached(self.spec, &mut self.specs, row, fast_spec)?;
        Some((role, spec))
    }
}

impl<'a> SegmentColumns<'a> {
    /// Row `row` checked for an aggregator as record `line`: what
    /// [`SegmentRow::checked`](super::SegmentRow) gives for the same row, with the role and
    /// spec of `kinds` (checked once per value of a coded column).
    pub(crate) fn checked_row(
        &self,
        row: usize,
        line: u64,
        unread: [bool; 3],
        kinds: &mut KindChecks<'a>,
    ) -> Result<Checked<'a>> {
        let text = filled(self.text_of(row), unread);
        super::load::check_row(line, &text, self.instants_of(row), kinds.at(row))
    }
}

/// What the fast checks made of one value of an id column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Res {
    /// Not looked at yet.
    Todo,
    /// Refused by the fast checks (an empty or invalid required id, an invalid optional one):
    /// its rows take the row loader's path.
    Slow,
    /// An absent optional value (a null or an empty string).
    Absent,
    /// Valid, and not kept by the load.
    Checked,
    /// Valid and kept: its id.
    Found(u32),
    /// Valid and kept, not in the dictionary yet: added by the first kept row.
    New,
}

/// The id columns in [`NAMES`](crate::input::NAMES) order, with the most bytes of their ids
/// and whether a row needs them.
const IDS: [(usize, usize, bool); 8] = [
    (0, AppId::MAX_LEN, true),
    (1, ChannelId::MAX_LEN, true),
    (2, UserId::MAX_LEN, true),
    (7, RegionId::MAX_LEN, false),
    (8, UserId::MAX_LEN, false),
    (9, DomainName::MAX_LEN, false),
    (10, InstanceId::MAX_LEN, false),
    (11, ProductType::MAX_LEN, false),
];

/// One id column a batch holds, during its load.
struct IdColumn<'a> {
    column: TextColumn<'a>,
    /// Its position in [`NAMES`](crate::input::NAMES) order.
    k: usize,
    /// The most bytes of its ids, and whether a row needs it.
    check: (usize, bool),
    /// Where its id goes in a row: index into [`IDS`].
    at: usize,
    /// Whether the load keeps its ids.
    kept: bool,
    /// One state per value of the column.
    res: Vec<Res>,
}

impl Loader {
    /// The dictionary of id column `k`: publishers are users.
    fn dict_of(&self, k: usize) -> Option<&Dict> {
        match k {
            0 => Some(&self.table.apps),
            1 => Some(&self.table.channels),
            2 | 8 => Some(&self.table.users),
            7 => self.table.dims.first(),
            _ => self.table.dims.get(k.saturating_sub(8)),
        }
    }

    /// [`Loader::dict_of`], to add to.
    fn dict_of_mut(&mut self, k: usize) -> Option<&mut Dict> {
        match k {
            0 => Some(&mut self.table.apps),
            1 => Some(&mut self.table.channels),
            2 | 8 => Some(&mut self.table.users),
            7 => self.table.dims.first_mut(),
            _ => self.table.dims.get_mut(k.saturating_sub(8)),
        }
    }

    /// Loads the rows of `batch` as records `first`, `first + 1`...; `unread`: which of the
    /// required app, channel and user the query does not read (a batch may leave them out).
    /// Stops at the first error, with `self.line` its record.
    pub(super) fn load_columns(
        &mut self,
        first: u64,
        batch: &SegmentColumns<'_>,
        unread: [bool; 3],
    ) -> Result<()> {
        batch.check()?;
        let mut ids: Vec<IdColumn<'_>> = Vec::with_capacity(IDS.len());
        // A required id the batch leaves out and the query reads: every row is a bad record,
        // which the row path words.
        let mut missing = false;
        for (at, &(k, max, required)) in IDS.iter().enumerate() {
            match batch.text.get(k).copied().flatten() {
                Some(column) => {
                    let kept = self.proj.reads(k);
                    let mut res = vec![Res::Todo; column.values().len()];
                    // A plain column of kept ids: every row's value looked up ahead, in
                    // batches whose cache misses overlap (many users or channels).
                    if let (TextColumn::Values(values), true, Some(dict)) =
                        (column, kept, self.dict_of(k))
                    {
                        resolve_ahead(dict, values, &mut res, (max, required));
                    }
                    ids.push(IdColumn {
                        column,
                        k,
                        check: (max, required),
                        at,
                        kept,
                        res,
                    });
                }
                None => missing |= required && !unread.get(k).copied().unwrap_or(false),
            }
        }
        // Only a filter by app or dimension reads the text of a row's ids.
        let filtered = self.keep.as_ref().is_some_and(Keep::filters_text);
        let mut kinds = KindChecks::of(batch);
        for row in 0..batch.rows {
            self.line = first.saturating_add(u64::try_from(row).unwrap_or(u64::MAX));
            let instants = batch.instants_of(row);
            let done = match (missing, kinds.at(row), instants) {
                (false, Some((role, spec)), (Some(s), Some(e))) if fast_span(s, e) => {
                    let kind = kind_of(role, spec);
                    self.column_row(row, &mut ids, (kind, (s, e)), filtered)?
                }
                _ => false,
            };
            if !done {
                let v = filled(batch.text_of(row), unread);
                self.load_fields(&v, instants, (None, None))?;
            }
        }
        self.line = first.saturating_add(u64::try_from(batch.rows).unwrap_or(u64::MAX));
        Ok(())
    }

    /// Loads row `row` (of this kind and span, checked) from the columns `ids` when every id
    /// passes the fast checks: `Ok(true)` when added or dropped by the query's filters,
    /// `Ok(false)` for the row path, the error of a kept segment over the query's limit.
    /// `filtered`: whether the query filters by app or dimension (reads their text).
    #[inline]
    fn column_row(
        &mut self,
        row: usize,
        ids: &mut [IdColumn<'_>],
        (kind, span): (u8, (i64, i64)),
        filtered: bool,
    ) -> Result<bool> {
        // Every value checked (and kept ones looked up) first, as the row path does.
        let mut states = [(Res::Absent, usize::MAX); IDS.len()];
        for (col, state) in ids.iter_mut().zip(&mut states) {
            let at = col.column.code(row);
            let Some(slot) = col.res.get_mut(at) else {
                return Ok(false);
            };
            if *slot == Res::Todo {
                let dict = if col.kept { self.dict_of(col.k) } else { None };
                let value = col.column.values().get(at).copied().flatten();
                *slot = resolve(dict, value, col.check);
            }
            if *slot == Res::Slow {
                return Ok(false);
            }
            *state = (*slot, at);
        }
        let verdict = match &self.keep {
            Some(keep) if filtered => {
                let mut text = [None; IDS.len()];
                for (col, &(res, at)) in ids.iter().zip(&states) {
                    if let (Some(t), true) = (text.get_mut(col.at), res != Res::Absent) {
                        *t = col.column.values().get(at).copied().flatten();
                    }
                }
                let [app, _, _, region, _, domain, instance, product] = text;
                // A left-out app is one the query does not read: no app filter looks at it.
                keep.verdict(
                    kind,
                    span,
                    app.unwrap_or(UNREAD),
                    [region, domain, instance, product],
                )
            }
            Some(keep) if keep.kind_ok(kind) => keep.span_verdict(span),
            Some(_) => Verdict::Drop,
            None => Verdict::Keep,
        };
        match verdict {
            Verdict::Keep => {}
            Verdict::Drop => return Ok(true),
            Verdict::TooLong(secs) => {
                return match &self.keep {
                    Some(keep) => Err(keep.too_long(self.line, secs)),
                    None => Ok(false),
                };
            }
        }
        // The kept ids, new ones added to their dictionaries (a user before the publisher of
        // the same row, in the users' dictionary both, as the row path adds them).
        let mut out = [None; IDS.len()];
        for (col, &(res, at)) in ids.iter_mut().zip(&states) {
            let id = match res {
                Res::Found(id) if col.kept => id,
                Res::New if col.kept => {
                    let Some(s) = col.column.values().get(at).copied().flatten() else {
                        return Ok(false);
                    };
                    let k = col.k;
                    let Some(id) = self.dict_of_mut(k).and_then(|d| d.intern(s).ok()) else {
                        return Ok(false);
                    };
                    if let Some(r) = col.res.get_mut(at) {
                        *r = Res::Found(id);
                    }
                    id
                }
                _ => continue,
            };
            if let Some(o) = out.get_mut(col.at) {
                *o = Some(id);
            }
        }
        let [
            app,
            channel,
            user,
            region,
            publisher,
            domain,
            instance,
            product,
        ] = out;
        let r = Row {
            app: app.unwrap_or(0),
            channel: channel.unwrap_or(0),
            user: user.unwrap_or(0),
            publisher,
            dims: [region, domain, instance, product],
            kind,
            start: span.0,
            end: span.1,
        };
        let at = self.table.len();
        self.table.push_row_projected(r, at, self.proj);
        Ok(true)
    }
}

/// The state of one value of an id column: checked against the id type (`max` bytes,
/// `required` or optional), and looked up in `dict` when the load keeps the column.
fn resolve(dict: Option<&Dict>, s: Option<&str>, (max, required): (usize, bool)) -> Res {
    match s.filter(|s| !s.is_empty()) {
        None if required => Res::Slow,
        None => Res::Absent,
        Some(s) if !id_ok(s, (max, false)) => Res::Slow,
        Some(s) => match dict {
            None => Res::Checked,
            Some(d) => d.get(s).map_or(Res::New, Res::Found),
        },
    }
}

/// [`resolve`] of every value of a plain column whose ids the load keeps, [`BATCH`] values
/// at a time (as the CSV load looks up a batch of lines): their keys first, then a touch of the dictionary for each, then the lookups,
/// so that the cache misses of a large dictionary are in flight together.
fn resolve_ahead(
    dict: &Dict,
    values: &[Option<&str>],
    res: &mut [Res],
    (max, required): (usize, bool),
) {
    let mut keys: Vec<Option<Key>> = Vec::with_capacity(BATCH);
    for (values, res) in values.chunks(BATCH).zip(res.chunks_mut(BATCH)) {
        keys.clear();
        keys.extend(values.iter().map(|v| {
            v.filter(|s| !s.is_empty() && id_ok(s, (max, false)))
                .map(Key::of)
        }));
        std::hint::black_box(dict.warm(keys.iter().flatten()));
        for ((v, key), r) in values.iter().zip(&keys).zip(res) {
            *r = match (v, key) {
                (Some(s), Some(key)) => dict.find(key, s).map_or(Res::New, Res::Found),
                _ => resolve(None, *v, (max, required)),
            };
        }
    }
}
