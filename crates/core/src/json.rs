//! A strict pre-check of JSON text: every object names each key at most once.
//!
//! RFC 8259 leaves repeated keys to the reader, and serde's readers keep the last value
//! (`{"AppId":"a","AppId":"b"}` reads as `"b"`) whenever the target is a map, a
//! `serde_json::Value`, a flattened or an untagged type; only derived structs refuse a
//! repeated field. A document that says two things about one key is ambiguous, and which one
//! wins differs between readers, so mediameter refuses it before deserializing:
//! [`check_unique_keys`] scans the text once, with no dependency on a JSON library, and every
//! place the workspace reads JSON (the CLI's documents, usage's JSON Lines) calls it first.
//! Callers that deserialize mediameter types from JSON themselves should do the same.
//!
//! Keys are compared after unescaping, so `"a"` and `"\u0061"` are the same key.

use std::collections::HashSet;
use std::fmt;

use crate::echo::echo;

/// A key that an object of the input names twice: which key, in which object, and where.
///
/// Thread-safety: plain owned data, `Send` and `Sync`.
///
/// ```
/// use mediameter_core::json::check_unique_keys;
/// let err = check_unique_keys(r#"{"AppId":"a","AppId":"b"}"#).unwrap_err();
/// assert_eq!(err.key(), "AppId");
/// assert_eq!((err.line(), err.column()), (1, 14));
/// assert_eq!(
///     err.to_string(),
///     r#"repeated key "AppId" at line 1 column 14 (in the top-level object): expected each key at most once per object"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    key: String,
    pointer: String,
    line: u64,
    column: u64,
}

impl DuplicateKey {
    /// The repeated key, unescaped and truncated to
    /// [`ECHO_LIMIT`](crate::error::ECHO_LIMIT) characters.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The object holding the key, as a JSON Pointer (RFC 6901; empty for the top-level
    /// object), truncated to [`ECHO_LIMIT`](crate::error::ECHO_LIMIT) characters.
    #[must_use]
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The 1-based line of the second occurrence of the key.
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The 1-based column (in characters) of the opening quote of the second occurrence.
    #[must_use]
    pub fn column(&self) -> u64 {
        self.column
    }
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "repeated key {} at line {} column {} (",
            echo(&self.key),
            self.line,
            self.column
        )?;
        if self.pointer.is_empty() {
            f.write_str("in the top-level object")?;
        } else {
            write!(f, "in the object at {}", echo(&self.pointer))?;
        }
        f.write_str("): expected each key at most once per object")
    }
}

impl std::error::Error for DuplicateKey {}

/// One open object or array while scanning.
enum Frame {
    /// An object: the keys seen so far, and the key whose value is being read.
    Object {
        keys: HashSet<String>,
        current: String,
    },
    /// An array: the index of the element being read.
    Array { index: u64 },
}

/// Checks that no object of the JSON text `text` names a key twice.
///
/// Only repeated keys are looked for: text that is not JSON is left to the JSON reader that
/// follows, which reports the syntax error with its position (the scan stops where the syntax
/// breaks and returns `Ok`). Memory is bounded by the input: the keys of the objects still open.
///
/// # Errors
///
/// [`DuplicateKey`] for the first key (in reading order) that repeats one of the same object.
///
/// ```
/// use mediameter_core::json::check_unique_keys;
/// assert!(check_unique_keys(r#"{"a":{"b":1},"c":[{"b":2},{"b":3}]}"#).is_ok());
/// let err = check_unique_keys(r#"{"a":[{"b":1,"\u0062":2}]}"#).unwrap_err();
/// assert_eq!((err.key(), err.pointer()), ("b", "/a/0"));
/// assert!(check_unique_keys("not json").is_ok()); // left to the JSON reader
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_unique_keys(text: &str) -> Result<(), DuplicateKey> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut pos = 0usize;
    loop {
        // A value starts at `pos`.
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            Some(b'{') => {
                pos = skip_ws(bytes, pos.saturating_add(1));
                if bytes.get(pos) == Some(&b'}') {
                    pos = pos.saturating_add(1);
                } else {
                    let mut keys = HashSet::new();
                    let Some((key, next)) = read_key(bytes, pos) else {
                        return Ok(());
                    };
                    keys.insert(key.clone());
                    pos = next;
                    stack.push(Frame::Object { keys, current: key });
                    continue;
                }
            }
            Some(b'[') => {
                pos = skip_ws(bytes, pos.saturating_add(1));
                if bytes.get(pos) == Some(&b']') {
                    pos = pos.saturating_add(1);
                } else {
                    stack.push(Frame::Array { index: 0 });
                    continue;
                }
            }
            Some(b'"') => match skip_string(bytes, pos) {
                Some(next) => pos = next,
                None => return Ok(()),
            },
            Some(_) => {
                // A number or a literal: up to the next delimiter; the JSON reader checks it.
                while let Some(b) = bytes.get(pos) {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    pos = pos.saturating_add(1);
                }
            }
            None => return Ok(()),
        }
        // A value ended at `pos`: close the containers it ends, or move to the next member.
        loop {
            pos = skip_ws(bytes, pos);
            let Some(frame) = stack.last_mut() else {
                return Ok(());
            };
            match (frame, bytes.get(pos)) {
                (Frame::Object { keys, current }, Some(b',')) => {
                    let at = skip_ws(bytes, pos.saturating_add(1));
                    let Some((key, next)) = read_key(bytes, at) else {
                        return Ok(());
                    };
                    if keys.contains(&key) {
                        return Err(duplicate(text, &stack, key, at));
                    }
                    keys.insert(key.clone());
                    *current = key;
                    pos = next;
                    break;
                }
                (Frame::Array { index }, Some(b',')) => {
                    *index = index.saturating_add(1);
                    pos = pos.saturating_add(1);
                    break;
                }
                (Frame::Object { .. }, Some(b'}')) | (Frame::Array { .. }, Some(b']')) => {
                    stack.pop();
                    pos = pos.saturating_add(1);
                }
                _ => return Ok(()),
            }
        }
    }
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos = pos.saturating_add(1);
    }
    pos
}

/// Reads `"key"` and the `:` after it at `pos`; returns the unescaped key and the position of
/// the value. `None` where the syntax breaks.
fn read_key(bytes: &[u8], pos: usize) -> Option<(String, usize)> {
    if bytes.get(pos) != Some(&b'"') {
        return None;
    }
    let end = skip_string(bytes, pos)?;
    let raw = bytes.get(pos.saturating_add(1)..end.saturating_sub(1))?;
    let key = unescape(raw)?;
    let colon = skip_ws(bytes, end);
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    Some((key, colon.saturating_add(1)))
}

/// The position just past the string that opens at `pos` (a `"`), or `None` if it never closes.
fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos.saturating_add(1);
    loop {
        match bytes.get(i)? {
            b'"' => return Some(i.saturating_add(1)),
            b'\\' => i = i.saturating_add(2),
            _ => i = i.saturating_add(1),
        }
    }
}

/// The text of a JSON string body (between the quotes) with its escapes resolved; a lone
/// surrogate becomes U+FFFD (the JSON reader refuses it afterwards anyway).
fn unescape(raw: &[u8]) -> Option<String> {
    if !raw.contains(&b'\\') {
        return std::str::from_utf8(raw).ok().map(str::to_owned);
    }
    let mut out = String::with_capacity(raw.len());
    let mut i = 0usize;
    while let Some(&b) = raw.get(i) {
        if b != b'\\' {
            // Copy the run of plain bytes up to the next backslash.
            let end = raw
                .get(i..)?
                .iter()
                .position(|&c| c == b'\\')
                .map_or(raw.len(), |n| i.saturating_add(n));
            out.push_str(std::str::from_utf8(raw.get(i..end)?).ok()?);
            i = end;
            continue;
        }
        let esc = *raw.get(i.saturating_add(1))?;
        i = i.saturating_add(2);
        let c = match esc {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(raw, i)?;
                i = i.saturating_add(4);
                if (0xD800..0xDC00).contains(&hi)
                    && raw.get(i) == Some(&b'\\')
                    && raw.get(i.saturating_add(1)) == Some(&b'u')
                {
                    let lo = hex4(raw, i.saturating_add(2))?;
                    if (0xDC00..0xE000).contains(&lo) {
                        i = i.saturating_add(6);
                        let code = 0x10000u32
                            .saturating_add((hi.saturating_sub(0xD800)) << 10)
                            .saturating_add(lo.saturating_sub(0xDC00));
                        char::from_u32(code).unwrap_or('\u{FFFD}')
                    } else {
                        '\u{FFFD}'
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            _ => return None,
        };
        out.push(c);
    }
    Some(out)
}

fn hex4(raw: &[u8], at: usize) -> Option<u32> {
    let digits = raw.get(at..at.checked_add(4)?)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

/// Builds the error for `key` repeated at byte `at`, inside the objects and arrays of `stack`.
fn duplicate(text: &str, stack: &[Frame], key: String, at: usize) -> DuplicateKey {
    let mut pointer = String::new();
    // The innermost frame is the object holding the key; the frames around it name its path.
    for frame in stack.iter().take(stack.len().saturating_sub(1)) {
        pointer.push('/');
        match frame {
            Frame::Object { current, .. } => {
                pointer.push_str(&current.replace('~', "~0").replace('/', "~1"));
            }
            Frame::Array { index } => pointer.push_str(&index.to_string()),
        }
    }
    let before = text.get(..at).unwrap_or_default();
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |n| n.saturating_add(1));
    let column = before.get(line_start..).unwrap_or_default().chars().count();
    DuplicateKey {
        key: crate::error::truncate(&key),
        pointer: crate::error::truncate(&pointer),
        line: u64::try_from(line).unwrap_or(u64::MAX).saturating_add(1),
        column: u64::try_from(column).unwrap_or(u64::MAX).saturating_add(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(text: &str) -> Option<(String, String, u64, u64)> {
        check_unique_keys(text).err().map(|e| {
            (
                e.key().to_owned(),
                e.pointer().to_owned(),
                e.line(),
                e.column(),
            )
        })
    }

    #[test]
    fn unique_keys_pass() {
        for ok in [
            "{}",
            "[]",
            "1",
            r#""{\"a\":1,\"a\":2}""#,
            r#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#,
            r#"{"a":"x\"y","a\"":1}"#,
            r#"{"":1,"\u0000":2}"#,
            r#"  { "a" : [ ] , "b" : { } }  "#,
        ] {
            assert_eq!(dup(ok), None, "{ok}");
        }
    }

    #[test]
    fn repeated_keys_are_found_with_their_place() {
        assert_eq!(
            dup(r#"{"AppId":"a","AppId":"b"}"#),
            Some(("AppId".into(), String::new(), 1, 14))
        );
        assert_eq!(
            dup("{\n  \"x\": {\"k\": 1,\n \"k\": 2}}"),
            Some(("k".into(), "/x".into(), 3, 2))
        );
        assert_eq!(
            dup(r#"[0, {"a/b~": [{}, {"q":1,"q":[1]}]}]"#),
            Some(("q".into(), "/1/a~1b~0/1".into(), 1, 26))
        );
        // Escapes are resolved before keys are compared.
        assert_eq!(dup(r#"{"é":1,"\u00e9":2}"#).map(|d| d.0), Some("é".into()));
        assert_eq!(
            dup(r#"{"😀":1,"\ud83d\ude00":2}"#).map(|d| d.0),
            Some("😀".into())
        );
        assert_eq!(
            dup(r#"{"a\/b":1,"a/b":2}"#).map(|d| d.0),
            Some("a/b".into())
        );
        // Columns count characters, not bytes.
        assert_eq!(dup(r#"{"é":1, "é":2}"#).map(|d| d.3), Some(9));
    }

    #[test]
    fn only_the_first_repeat_is_reported_and_broken_text_is_left_alone() {
        assert_eq!(
            dup(r#"{"a":1,"b":2,"b":3,"a":4}"#).map(|d| d.0),
            Some("b".into())
        );
        for broken in [
            "{",
            r#"{"a":1,"a""#,
            r#"{"a" 1, "a": 2}"#,
            "[1,",
            "\"open",
            "{,}",
        ] {
            assert_eq!(dup(broken), None, "{broken}");
        }
    }

    #[test]
    fn the_message_escapes_and_cuts_the_key() {
        let long = "k".repeat(500);
        let text = format!(r#"{{"{long}":1,"{long}":2}}"#);
        let msg = check_unique_keys(&text).unwrap_err().to_string();
        assert!(msg.len() < 200, "{msg}");
        let msg = check_unique_keys("{\"\\u001b[2J\":1,\"\\u001b[2J\":2}")
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains(r#""\u{1b}[2J""#) && !msg.contains('\u{1b}'),
            "{msg}"
        );
    }
}
