//! A bounded query-string and form-body parser.
//!
//! Query strings arrive from strangers, so the parser checks sizes before it reads values:
//! the whole input against [`QsLimits::max_len`] first (one comparison), then the parameter
//! count (a scan of the bounded input before any parameter is read, so 10,000 parameters are
//! refused with no allocation), then, in one pass over the bytes, each decoded key and value.
//! It never panics and never allocates more than the input's length plus one slot per
//! parameter.
//!
//! Rules:
//!
//! * `&` separates parameters; empty segments (`a=1&&b=2`, a trailing `&`) are skipped.
//! * The first `=` separates key and value; a key without `=` has an empty value. An empty key
//!   (`=x`) is refused.
//! * `%XY` (two hex digits, either case) is one byte; a `%` not followed by two hex digits is
//!   refused. The decoded bytes must be UTF-8.
//! * `+` is a space in [`Encoding::Form`] (`application/x-www-form-urlencoded` bodies) and a
//!   literal `+` in [`Encoding::Query`], so an RFC 3339 offset such as `+08:00` survives in a
//!   URL. (Vendors' SDKs percent-encode both, `%20` and `%2B`, and those decode the same in
//!   either mode.)
//! * A key given twice is refused: which one wins differs between frameworks, so a request
//!   relying on it is ambiguous.
//!
//! A refusal is [`Error::QueryString`]; [`QsErrorReason::violation_kind`] maps it onto the
//! validator's vocabulary so it is answered in the vendor's shape like any other bad query.
//!
//! ```
//! use mediameter_query::qs::{self, Encoding, QsLimits};
//! let limits = QsLimits::default();
//! let params = qs::parse(b"StartTime=2021-07-24T00:00:00+08:00&AppId=a%20b", Encoding::Query, &limits)?;
//! assert_eq!(params.get("StartTime"), Some("2021-07-24T00:00:00+08:00"));
//! assert_eq!(params.get("AppId"), Some("a b"));
//!
//! let form = qs::parse(b"q=a+b", Encoding::Form, &limits)?;
//! assert_eq!(form.get("q"), Some("a b"));
//!
//! let err = qs::parse(b"a=1&a=2", Encoding::Query, &limits).unwrap_err();
//! assert_eq!(err.to_string(), "invalid query string at parameter \"a\": the parameter is repeated");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use crate::error::{Error, Result};
pub use crate::qs_reason::QsErrorReason;
use crate::reject::Violation;

/// Largest total length [`QsLimits::new`] accepts (1 MiB).
pub const MAX_QS_LEN: usize = 1 << 20;
/// Largest parameter count [`QsLimits::new`] accepts (duplicates are found by comparing every
/// pair, so the count is kept small).
pub const MAX_QS_PARAMS: usize = 1024;

/// How `+` reads.
///
/// `#[non_exhaustive]`: another body encoding may be read one day, so a `match` needs a `_`
/// arm.
///
/// ```
/// use mediameter_query::qs::Encoding;
/// assert_ne!(Encoding::Query, Encoding::Form);
/// ```
///
/// ```compile_fail,E0004
/// use mediameter_query::qs::Encoding;
/// fn plus(e: Encoding) -> char {
///     match e {
///         Encoding::Query => '+',
///         Encoding::Form => ' ',
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// A URL's query: `+` is a literal plus.
    Query,
    /// An `application/x-www-form-urlencoded` body: `+` is a space.
    Form,
}

/// Size limits of one query string, validated on construction.
///
/// The defaults (8 KiB in all, 64 parameters, keys of 128 bytes, values of 4 KiB) are above
/// every built-in profile's needs (the longest declared value is a 20-item list) and below
/// what a common HTTP server accepts in a request line.
///
/// ```
/// use mediameter_query::qs::QsLimits;
/// let l = QsLimits::default();
/// assert_eq!((l.max_len(), l.max_params(), l.max_key_len(), l.max_value_len()), (8192, 64, 128, 4096));
/// assert!(QsLimits::new(0, 1, 1, 1).is_err());
/// # Ok::<(), mediameter_query::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "QsLimitsRepr", into = "QsLimitsRepr")
)]
pub struct QsLimits {
    max_len: usize,
    max_params: usize,
    max_key_len: usize,
    max_value_len: usize,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QsLimitsRepr {
    max_len: usize,
    max_params: usize,
    max_key_len: usize,
    max_value_len: usize,
}

#[cfg(feature = "serde")]
impl TryFrom<QsLimitsRepr> for QsLimits {
    type Error = Error;
    fn try_from(r: QsLimitsRepr) -> Result<Self> {
        QsLimits::new(r.max_len, r.max_params, r.max_key_len, r.max_value_len)
    }
}

#[cfg(feature = "serde")]
impl From<QsLimits> for QsLimitsRepr {
    fn from(l: QsLimits) -> Self {
        QsLimitsRepr {
            max_len: l.max_len,
            max_params: l.max_params,
            max_key_len: l.max_key_len,
            max_value_len: l.max_value_len,
        }
    }
}

impl Default for QsLimits {
    fn default() -> Self {
        QsLimits {
            max_len: 8192,
            max_params: 64,
            max_key_len: 128,
            max_value_len: 4096,
        }
    }
}

impl QsLimits {
    /// Limits: total bytes (1 to [`MAX_QS_LEN`]), parameters (1 to [`MAX_QS_PARAMS`]), decoded
    /// key and value bytes (at least 1, at most the total).
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] naming the first limit out of range.
    ///
    /// ```
    /// use mediameter_query::qs::QsLimits;
    /// let l = QsLimits::new(1024, 8, 32, 256)?;
    /// assert_eq!(l.max_params(), 8);
    /// let err = QsLimits::new(1024, 8, 32, 4096).unwrap_err();
    /// assert_eq!(err.to_string(), "max_value_len 4096 is out of range: expected 1 to max_len (1024)");
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    pub fn new(
        max_len: usize,
        max_params: usize,
        max_key_len: usize,
        max_value_len: usize,
    ) -> Result<Self> {
        let check = |field: &'static str, value: usize, max: usize, expected: String| {
            if (1..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::out_of_range(field, value, expected))
            }
        };
        check("max_len", max_len, MAX_QS_LEN, format!("1 to {MAX_QS_LEN}"))?;
        check(
            "max_params",
            max_params,
            MAX_QS_PARAMS,
            format!("1 to {MAX_QS_PARAMS}"),
        )?;
        let expected = || format!("1 to max_len ({max_len})");
        check("max_key_len", max_key_len, max_len, expected())?;
        check("max_value_len", max_value_len, max_len, expected())?;
        Ok(QsLimits {
            max_len,
            max_params,
            max_key_len,
            max_value_len,
        })
    }

    /// Most bytes of the whole input.
    #[must_use]
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Most parameters.
    #[must_use]
    pub fn max_params(&self) -> usize {
        self.max_params
    }

    /// Most bytes of one decoded key.
    #[must_use]
    pub fn max_key_len(&self) -> usize {
        self.max_key_len
    }

    /// Most bytes of one decoded value.
    #[must_use]
    pub fn max_value_len(&self) -> usize {
        self.max_value_len
    }
}

/// The parameters of one query string, in input order, decoded (borrowed from the input when
/// nothing needed decoding).
///
/// ```
/// use mediameter_query::qs::{self, Encoding, QsLimits};
/// let p = qs::parse(b"a=1&b", Encoding::Query, &QsLimits::default())?;
/// assert_eq!(p.len(), 2);
/// assert_eq!(p.get("b"), Some(""));
/// assert_eq!(p.pairs()[0].0, "a");
/// # Ok::<(), mediameter_query::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Params<'a> {
    /// The value of `key`, if given.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// Every (key, value), in input order: pass it to [`crate::validate()`] as is.
    #[must_use]
    pub fn pairs(&self) -> &[(Cow<'a, str>, Cow<'a, str>)] {
        &self.pairs
    }

    /// How many parameters.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pairs, owned.
    #[must_use]
    pub fn into_owned(self) -> Vec<(String, String)> {
        self.pairs
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

#[cold]
fn refuse(reason: QsErrorReason, param: Option<&str>) -> Error {
    Error::QueryString {
        reason,
        param: param.map(mediameter_core::error::truncate),
    }
}

/// Parses `input` (a URL's query without the `?`, or a form body) under `limits`.
///
/// # Errors
///
/// [`Error::QueryString`] with the first [`QsErrorReason`] met, and the parameter's decoded
/// name (truncated) when it is known.
///
/// ```
/// use mediameter_query::qs::{self, Encoding, QsErrorReason, QsLimits};
/// use mediameter_query::Error;
/// let l = QsLimits::default();
/// let many = "a=1&".repeat(10_000);
/// assert!(matches!(qs::parse(many.as_bytes(), Encoding::Query, &l),
///     Err(Error::QueryString { reason: QsErrorReason::TooLong, .. })));
/// assert!(matches!(qs::parse(b"a=%zz", Encoding::Query, &l),
///     Err(Error::QueryString { reason: QsErrorReason::InvalidEscape, .. })));
/// assert!(matches!(qs::parse(b"a=%ff", Encoding::Query, &l),
///     Err(Error::QueryString { reason: QsErrorReason::NotUtf8, .. })));
/// ```
pub fn parse<'a>(input: &'a [u8], encoding: Encoding, limits: &QsLimits) -> Result<Params<'a>> {
    if input.len() > limits.max_len {
        return Err(refuse(QsErrorReason::TooLong, None));
    }
    if input.is_empty() {
        return Ok(Params::default());
    }
    let text = std::str::from_utf8(input).map_err(|_| refuse(QsErrorReason::NotUtf8, None))?;
    // The parameter count before any parameter is read, so a flood of them is refused after one
    // scan and no allocation. The `&`s are counted eight bytes at a time; the exact count
    // (empty segments skipped) is only needed when the `&`s alone pass the limit.
    let segments = count_byte(input, b'&').saturating_add(1);
    if segments > limits.max_params {
        let count = input
            .split(|b| *b == b'&')
            .filter(|s| !s.is_empty())
            .count();
        if count > limits.max_params {
            return Err(refuse(QsErrorReason::TooManyParams, None));
        }
    }
    let mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)> =
        Vec::with_capacity(segments.min(limits.max_params));
    // One pass over the bytes: where each segment ends, where its first `=` is, and whether
    // its key or value needs decoding (a `%`, or a `+` in a form). Eight bytes at a time, only
    // those bytes looked at one by one.
    let plus = encoding == Encoding::Form;
    let mut seg = Segment::default();
    let mut step = |i: usize, b: u8, seg: &mut Segment| -> Result<()> {
        match b {
            b'&' => {
                seg.end = i;
                push(&mut pairs, text, seg, encoding, limits)?;
                *seg = Segment {
                    start: i.saturating_add(1),
                    ..Segment::default()
                };
            }
            b'=' if seg.eq.is_none() => seg.eq = Some(i),
            b'%' => seg.mark_escape(),
            b'+' if plus => seg.mark_escape(),
            _ => {}
        }
        Ok(())
    };
    let chunks = input.chunks_exact(8);
    // The last bytes as one more word, padded with zeros (a zero byte is none of the bytes
    // looked for), so that every byte goes through the one loop below.
    let mut last = [0_u8; 8];
    let tail = chunks.remainder();
    if let Some(dst) = last.get_mut(..tail.len()) {
        dst.copy_from_slice(tail);
    }
    let mut base = 0_usize;
    for chunk in chunks.chain((!tail.is_empty()).then_some(&last[..])) {
        let word = word(chunk);
        let mut found = byte_mask(word, b'&') | byte_mask(word, b'=') | byte_mask(word, b'%');
        if plus {
            found |= byte_mask(word, b'+');
        }
        while found != 0 {
            let at = usize::try_from(found.trailing_zeros() / 8).unwrap_or(0);
            found &= found.wrapping_sub(1);
            let b = chunk.get(at).copied().unwrap_or(0);
            step(base.saturating_add(at), b, &mut seg)?;
        }
        base = base.saturating_add(8);
    }
    seg.end = input.len();
    push(&mut pairs, text, &seg, encoding, limits)?;
    Ok(Params { pairs })
}

/// Eight bytes as one word, the first byte lowest.
fn word(chunk: &[u8]) -> u64 {
    u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]))
}

/// `0x80` in each byte of `word` that equals `b`, zero elsewhere (exact: no borrow crosses
/// bytes, so a bit is set for each equal byte and no other).
fn byte_mask(word: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ 0x0101_0101_0101_0101_u64.wrapping_mul(u64::from(b));
    // A byte of `x` is zero exactly when neither its low seven bits (which carry into the high
    // bit when added to 0x7f) nor its high bit are set.
    !((((x & LOW7).wrapping_add(LOW7)) | x) | LOW7)
}

/// How many bytes of `input` equal `b`.
fn count_byte(input: &[u8], b: u8) -> usize {
    let chunks = input.chunks_exact(8);
    let tail = chunks.remainder().iter().filter(|x| **x == b).count();
    chunks.fold(tail, |n, chunk| {
        // One bit per equal byte moved to the bottom of its byte, then every byte summed into
        // the top one (at most 8, so no byte overflows): cheaper than `count_ones` on targets
        // without a population-count instruction.
        let ones = byte_mask(word(chunk), b) >> 7;
        let sum = ones.wrapping_mul(0x0101_0101_0101_0101) >> 56;
        n.saturating_add(usize::try_from(sum).unwrap_or(8))
    })
}

/// One `&`-separated segment of the input, as the single pass of [`parse`] found it.
#[derive(Debug, Default)]
struct Segment {
    start: usize,
    end: usize,
    /// The first `=`, separating the key from the value.
    eq: Option<usize>,
    key_escaped: bool,
    value_escaped: bool,
}

impl Segment {
    fn mark_escape(&mut self) {
        if self.eq.is_some() {
            self.value_escaped = true;
        } else {
            self.key_escaped = true;
        }
    }
}

/// Decodes and checks `seg` (skipped when empty) and appends it to `pairs` (which has room:
/// [`parse`] counted the segments first).
#[inline]
fn push<'a>(
    pairs: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
    text: &'a str,
    seg: &Segment,
    encoding: Encoding,
    limits: &QsLimits,
) -> Result<()> {
    if seg.end <= seg.start {
        return Ok(());
    }
    // Every boundary is an ASCII byte of UTF-8 text, so these slices cannot fail.
    let not_utf8 = || refuse(QsErrorReason::NotUtf8, None);
    let (raw_key, raw_value) = match seg.eq {
        Some(eq) => (
            text.get(seg.start..eq).ok_or_else(not_utf8)?,
            text.get(eq.saturating_add(1)..seg.end)
                .ok_or_else(not_utf8)?,
        ),
        None => (text.get(seg.start..seg.end).ok_or_else(not_utf8)?, ""),
    };
    let key = if seg.key_escaped {
        decode_escaped(raw_key, encoding).map_err(|r| refuse(r, None))?
    } else {
        Cow::Borrowed(raw_key)
    };
    if key.is_empty() {
        return Err(refuse(QsErrorReason::EmptyKey, None));
    }
    if key.len() > limits.max_key_len {
        return Err(refuse(QsErrorReason::KeyTooLong, Some(&key)));
    }
    let value = if seg.value_escaped {
        decode_escaped(raw_value, encoding).map_err(|r| refuse(r, Some(&key)))?
    } else {
        Cow::Borrowed(raw_value)
    };
    if value.len() > limits.max_value_len {
        return Err(refuse(QsErrorReason::ValueTooLong, Some(&key)));
    }
    if pairs.iter().any(|(k, _)| *k == key) {
        return Err(refuse(QsErrorReason::Repeated, Some(&key)));
    }
    pairs.push((key, value));
    Ok(())
}

/// Parses one request's parameters from its URL query ([`Encoding::Query`]) and its
/// `application/x-www-form-urlencoded` body ([`Encoding::Form`]) together, as the vendors'
/// RPC-style APIs accept them (Alibaba Cloud takes the same parameters by GET or by POST).
///
/// Each part is checked against `limits` as [`parse`] does (so each may be up to
/// [`QsLimits::max_len`] bytes); together they hold at most [`QsLimits::max_params`]
/// parameters, and a key given in both is refused as repeated, like a key given twice in one
/// part: which one would win is exactly the ambiguity the parser refuses. Query parameters come
/// first in the result, then the body's.
///
/// # Errors
///
/// As [`parse`], for either part or for the combination.
///
/// ```
/// use mediameter_query::qs::{self, QsErrorReason, QsLimits};
/// use mediameter_query::Error;
/// let l = QsLimits::default();
/// let p = qs::parse_request(b"Action=X&Version=1", b"AppId=a+b&Note=1%2B1", &l)?;
/// assert_eq!(p.get("AppId"), Some("a b"));
/// assert_eq!(p.get("Note"), Some("1+1"));
/// assert_eq!(p.len(), 4);
///
/// let err = qs::parse_request(b"AppId=a", b"AppId=a", &l).unwrap_err();
/// assert!(matches!(err, Error::QueryString { reason: QsErrorReason::Repeated, .. }));
/// assert_eq!(err.to_string(), "invalid query string at parameter \"AppId\": the parameter is repeated");
/// # Ok::<(), mediameter_query::Error>(())
/// ```
pub fn parse_request<'a>(query: &'a [u8], form: &'a [u8], limits: &QsLimits) -> Result<Params<'a>> {
    let mut params = parse(query, Encoding::Query, limits)?;
    let body = parse(form, Encoding::Form, limits)?;
    if params.len().saturating_add(body.len()) > limits.max_params {
        return Err(refuse(QsErrorReason::TooManyParams, None));
    }
    params.pairs.reserve_exact(body.len());
    for (key, value) in body.pairs {
        if params.pairs.iter().any(|(k, _)| *k == key) {
            return Err(refuse(QsErrorReason::Repeated, Some(&key)));
        }
        params.pairs.push((key, value));
    }
    Ok(params)
}

impl Error {
    /// This error as a [`Violation`] when it is an [`Error::QueryString`], for
    /// [`crate::Rejection::new`] (so a malformed query string is answered in the vendor's
    /// shape).
    ///
    /// ```
    /// use mediameter_query::{builtin, qs, Rejection};
    /// let err = qs::parse(b"app=1&app=2", qs::Encoding::Query, &qs::QsLimits::default()).unwrap_err();
    /// let v = err.query_string_violation().ok_or("not a query-string error")?;
    /// let r = Rejection::new(&builtin::huawei_rtc_rooms(), vec![v]);
    /// assert_eq!(r.huawei_body().error_msg, "Invalid String parameter 'app': the parameter is repeated");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn query_string_violation(&self) -> Option<Violation> {
        match self {
            Error::QueryString { reason, param } => Some(Violation::new(
                reason.violation_kind(),
                param.as_deref(),
                None,
                reason.as_str(),
            )),
            _ => None,
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => b.checked_sub(b'0'),
        b'a'..=b'f' => b.checked_sub(b'a' - 10),
        b'A'..=b'F' => b.checked_sub(b'A' - 10),
        _ => None,
    }
}

/// Decodes `raw`, which holds a `%` (or a `+` in a form).
fn decode_escaped(
    raw: &str,
    encoding: Encoding,
) -> std::result::Result<Cow<'_, str>, QsErrorReason> {
    let plus = encoding == Encoding::Form;
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'%' => {
                let hi = bytes.next().and_then(hex);
                let lo = bytes.next().and_then(hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi.wrapping_shl(4) | lo),
                    _ => return Err(QsErrorReason::InvalidEscape),
                }
            }
            b'+' if plus => out.push(b' '),
            _ => out.push(b),
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| QsErrorReason::NotUtf8)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Vec<(String, String)>> {
        parse(s.as_bytes(), Encoding::Query, &QsLimits::default()).map(Params::into_owned)
    }

    fn reason(s: &[u8], enc: Encoding, l: &QsLimits) -> Option<QsErrorReason> {
        match parse(s, enc, l) {
            Err(Error::QueryString { reason, .. }) => Some(reason),
            _ => None,
        }
    }

    #[test]
    fn decodes_and_keeps_order() {
        let v = p("b=%E4%B8%AD&a=x%2By&&c").unwrap();
        assert_eq!(
            v,
            [
                ("b".to_owned(), "中".to_owned()),
                ("a".to_owned(), "x+y".to_owned()),
                ("c".to_owned(), String::new())
            ]
        );
        let form = parse(b"a=x+y%2B", Encoding::Form, &QsLimits::default()).unwrap();
        assert_eq!(form.get("a"), Some("x y+"));
        let query = parse(b"a=x+y", Encoding::Query, &QsLimits::default()).unwrap();
        assert_eq!(query.get("a"), Some("x+y"));
    }

    #[test]
    fn refusals() {
        let l = QsLimits::new(64, 3, 4, 8).unwrap();
        let q = Encoding::Query;
        assert_eq!(reason(&[b'a'; 65], q, &l), Some(QsErrorReason::TooLong));
        assert_eq!(reason(&[b'a'; 64], q, &l), Some(QsErrorReason::KeyTooLong));
        assert_eq!(
            reason(b"a&b&c&d", q, &l),
            Some(QsErrorReason::TooManyParams)
        );
        assert_eq!(reason(b"a&b&c&&", q, &l), None);
        // The count is a check of the whole input, made before any parameter is read.
        assert_eq!(
            reason(b"%zz&b&c&d", q, &l),
            Some(QsErrorReason::TooManyParams)
        );
        assert_eq!(
            reason(b"%zz&b&c&&", q, &l),
            Some(QsErrorReason::InvalidEscape)
        );
        assert_eq!(
            reason(b"a=123456789", q, &l),
            Some(QsErrorReason::ValueTooLong)
        );
        assert_eq!(reason(b"a=12345678", q, &l), None);
        // Decoded length counts: nine bytes written as escapes of one byte each are still nine.
        assert_eq!(reason(b"a=%41%41%41%41%41%41%41%41", q, &l), None);
        assert_eq!(reason(b"a=%4", q, &l), Some(QsErrorReason::InvalidEscape));
        assert_eq!(reason(b"a=%", q, &l), Some(QsErrorReason::InvalidEscape));
        assert_eq!(reason(b"a=%g0", q, &l), Some(QsErrorReason::InvalidEscape));
        assert_eq!(reason(b"a=%C3", q, &l), Some(QsErrorReason::NotUtf8));
        assert_eq!(reason(b"a=\xff", q, &l), Some(QsErrorReason::NotUtf8));
        assert_eq!(reason(b"=1", q, &l), Some(QsErrorReason::EmptyKey));
        assert_eq!(reason(b"a=1&a=", q, &l), Some(QsErrorReason::Repeated));
        // The same key written two ways is the same key.
        assert_eq!(reason(b"a=1&%61=2", q, &l), Some(QsErrorReason::Repeated));
    }

    #[test]
    fn query_and_form_together() {
        let l = QsLimits::new(64, 3, 8, 8).unwrap();
        let r = |q: &[u8], f: &[u8]| match parse_request(q, f, &l) {
            Err(Error::QueryString { reason, param }) => Some((reason, param)),
            _ => None,
        };
        assert_eq!(r(b"a=1", b"b=2&c=3"), None);
        assert_eq!(
            r(b"a=1&b=2", b"c=3&d=4"),
            Some((QsErrorReason::TooManyParams, None))
        );
        // A key in both parts, however each part spells it, is repeated.
        assert_eq!(
            r(b"a=1", b"%61=1"),
            Some((QsErrorReason::Repeated, Some("a".to_owned())))
        );
        // `+` is a space in the body only.
        let p = parse_request(b"q=x+y", b"f=x+y", &l).unwrap();
        assert_eq!((p.get("q"), p.get("f")), (Some("x+y"), Some("x y")));
        // Each part has the whole length budget.
        let long = [b'a'; 64];
        assert!(parse_request(b"", &long, &QsLimits::new(64, 3, 64, 8).unwrap()).is_ok());
        assert_eq!(
            r(b"", &[b'a'; 65]).map(|x| x.0),
            Some(QsErrorReason::TooLong)
        );
        assert_eq!(r(b"", b"\xff").map(|x| x.0), Some(QsErrorReason::NotUtf8));
    }

    #[test]
    fn limits_validate() {
        assert!(QsLimits::new(MAX_QS_LEN + 1, 1, 1, 1).is_err());
        assert!(QsLimits::new(10, 0, 1, 1).is_err());
        assert!(QsLimits::new(10, MAX_QS_PARAMS + 1, 1, 1).is_err());
        assert!(QsLimits::new(10, 1, 11, 1).is_err());
        assert!(QsLimits::new(10, 1, 10, 10).is_ok());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn limits_deserialize_through_validation() {
        let ok: QsLimits = serde_json::from_str(
            r#"{"max_len":100,"max_params":2,"max_key_len":10,"max_value_len":10}"#,
        )
        .unwrap();
        assert_eq!(ok.max_params(), 2);
        let back: QsLimits = serde_json::from_str(&serde_json::to_string(&ok).unwrap()).unwrap();
        assert_eq!(back, ok);
        assert!(
            serde_json::from_str::<QsLimits>(
                r#"{"max_len":100,"max_params":0,"max_key_len":10,"max_value_len":10}"#
            )
            .is_err()
        );
    }

    /// The parser as it was before the single pass: split on `&` twice (count, then read),
    /// search each segment for `=`, scan each key and value for escapes. The reference
    /// [`parse`] must agree with, result for result and error for error.
    mod reference {
        use super::super::{Cow, Encoding, Params, QsErrorReason, QsLimits, Result, hex, refuse};

        pub(super) fn parse<'a>(
            input: &'a [u8],
            encoding: Encoding,
            limits: &QsLimits,
        ) -> Result<Params<'a>> {
            if input.len() > limits.max_len {
                return Err(refuse(QsErrorReason::TooLong, None));
            }
            let text =
                std::str::from_utf8(input).map_err(|_| refuse(QsErrorReason::NotUtf8, None))?;
            // Segments are split on bytes (`&` and `=` are ASCII, so every split falls on a character
            // boundary): a plain loop, cheaper than a string searcher on segments this short.
            let segments = || input.split(|b| *b == b'&').filter(|s| !s.is_empty());
            // Count first, so the vector is sized once and a flood of parameters allocates nothing.
            let count = segments().count();
            if count > limits.max_params {
                return Err(refuse(QsErrorReason::TooManyParams, None));
            }
            let mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(count);
            let mut start = 0_usize;
            for segment in input.split(|b| *b == b'&') {
                let seg_start = start;
                start = start.saturating_add(segment.len()).saturating_add(1);
                if segment.is_empty() {
                    continue;
                }
                let seg_end = seg_start.saturating_add(segment.len());
                let eq = segment
                    .iter()
                    .position(|b| *b == b'=')
                    .map(|i| seg_start.saturating_add(i));
                let not_utf8 = || refuse(QsErrorReason::NotUtf8, None);
                let (raw_key, raw_value) = match eq {
                    Some(eq) => (
                        text.get(seg_start..eq).ok_or_else(not_utf8)?,
                        text.get(eq.saturating_add(1)..seg_end)
                            .ok_or_else(not_utf8)?,
                    ),
                    None => (text.get(seg_start..seg_end).ok_or_else(not_utf8)?, ""),
                };
                let key = decode(raw_key, encoding).map_err(|r| refuse(r, None))?;
                if key.is_empty() {
                    return Err(refuse(QsErrorReason::EmptyKey, None));
                }
                if key.len() > limits.max_key_len {
                    return Err(refuse(QsErrorReason::KeyTooLong, Some(&key)));
                }
                let value = decode(raw_value, encoding).map_err(|r| refuse(r, Some(&key)))?;
                if value.len() > limits.max_value_len {
                    return Err(refuse(QsErrorReason::ValueTooLong, Some(&key)));
                }
                if pairs.iter().any(|(k, _)| *k == key) {
                    return Err(refuse(QsErrorReason::Repeated, Some(&key)));
                }
                pairs.push((key, value));
            }
            Ok(Params { pairs })
        }

        fn decode(
            raw: &str,
            encoding: Encoding,
        ) -> std::result::Result<Cow<'_, str>, QsErrorReason> {
            let plus = encoding == Encoding::Form;
            if !raw.bytes().any(|b| b == b'%' || (plus && b == b'+')) {
                return Ok(Cow::Borrowed(raw));
            }
            let mut out = Vec::with_capacity(raw.len());
            let mut bytes = raw.bytes();
            while let Some(b) = bytes.next() {
                match b {
                    b'%' => {
                        let hi = bytes.next().and_then(hex);
                        let lo = bytes.next().and_then(hex);
                        match (hi, lo) {
                            (Some(hi), Some(lo)) => out.push(hi.wrapping_shl(4) | lo),
                            _ => return Err(QsErrorReason::InvalidEscape),
                        }
                    }
                    b'+' if plus => out.push(b' '),
                    _ => out.push(b),
                }
            }
            String::from_utf8(out)
                .map(Cow::Owned)
                .map_err(|_| QsErrorReason::NotUtf8)
        }
    }

    /// A parse's outcome in comparable form.
    fn outcome(r: Result<Params<'_>>) -> std::result::Result<Vec<(String, String)>, String> {
        r.map(Params::into_owned).map_err(|e| format!("{e:?}"))
    }

    /// Bytes drawn mostly from the characters the parser acts on, so that separators, escapes,
    /// repeats and invalid UTF-8 all occur often.
    fn qs_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        let alphabet: &[u8] = b"ab==&&&%%++2fFgz \xc3\xa9\xff";
        proptest::collection::vec(proptest::sample::select(alphabet.to_vec()), 0..48)
    }

    proptest::proptest! {
        /// The eight-bytes-at-a-time mask against a byte-by-byte comparison.
        #[test]
        fn byte_mask_is_exact(bytes in proptest::prelude::any::<[u8; 8]>(), b in proptest::prelude::any::<u8>(),
                              tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20)) {
            let mask = byte_mask(u64::from_le_bytes(bytes), b);
            let expected = bytes.iter().enumerate().fold(0_u64, |m, (i, x)| if *x == b { m | 0x80_u64.wrapping_shl(u32::try_from(i).unwrap().wrapping_mul(8)) } else { m });
            proptest::prop_assert_eq!(mask, expected);
            let mut all = bytes.to_vec();
            all.extend(&tail);
            proptest::prop_assert_eq!(count_byte(&all, b), all.iter().filter(|x| **x == b).count());
        }

        #[test]
        fn never_panics_and_round_trips(pairs in proptest::collection::vec(("[a-zA-Z_]{1,8}", "\\PC{0,16}"), 0..8)) {
            let mut seen = std::collections::HashSet::new();
            let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect();
            let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
            let text = pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
            let l = QsLimits::new(MAX_QS_LEN, 64, 1024, 1024).unwrap();
            let back = parse(text.as_bytes(), Encoding::Form, &l).unwrap().into_owned();
            proptest::prop_assert_eq!(back, pairs);
        }

        /// `parse_request` against a plain reference: both parts parsed alone, then joined when
        /// they share no key and fit the count.
        #[test]
        fn request_is_query_then_form(q in proptest::collection::vec(("[a-d]{1,2}", "[a-z+%0-9]{0,4}"), 0..6),
                                      f in proptest::collection::vec(("[a-d]{1,2}", "[a-z+%0-9]{0,4}"), 0..6)) {
            let join = |pairs: &[(String, String)]| pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
            let (query, form) = (join(&q), join(&f));
            let l = QsLimits::new(256, 8, 8, 8).unwrap();
            let reference = match (parse(query.as_bytes(), Encoding::Query, &l), parse(form.as_bytes(), Encoding::Form, &l)) {
                (Ok(a), Ok(b)) if a.len().saturating_add(b.len()) <= 8 && a.pairs().iter().all(|(k, _)| b.get(k).is_none()) => {
                    let mut all = a.into_owned();
                    all.extend(b.into_owned());
                    Some(all)
                }
                _ => None,
            };
            let got = parse_request(query.as_bytes(), form.as_bytes(), &l).ok().map(Params::into_owned);
            proptest::prop_assert_eq!(got, reference);
        }

        /// The single-pass parser against the reference, on inputs dense in separators and
        /// escapes, under limits small enough that every refusal occurs.
        #[test]
        fn single_pass_matches_reference(bytes in qs_bytes(), form in proptest::prelude::any::<bool>(),
                                         max_len in 1_usize..64, max_params in 1_usize..6,
                                         max_key in 1_usize..6, max_value in 1_usize..6) {
            let enc = if form { Encoding::Form } else { Encoding::Query };
            let l = QsLimits::new(max_len, max_params, max_key.min(max_len), max_value.min(max_len)).unwrap();
            proptest::prop_assert_eq!(outcome(parse(&bytes, enc, &l)), outcome(reference::parse(&bytes, enc, &l)));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let l = QsLimits::new(128, 8, 16, 16).unwrap();
            if let Ok(p) = parse(&bytes, Encoding::Form, &l) {
                proptest::prop_assert!(p.len() <= 8);
                proptest::prop_assert!(p.pairs().iter().all(|(k, v)| !k.is_empty() && k.len() <= 16 && v.len() <= 16));
            }
        }
    }
}
