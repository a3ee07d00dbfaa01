//! How a value from outside is shown inside a message: quoted, escaped, cut to
//! [`ECHO_LIMIT`] characters.
//!
//! Every error of the workspace that repeats what it was given goes through [`echo`] (or
//! through [`truncate`](crate::error::truncate) followed by `{:?}`, which prints the same):
//! a control byte such as ESC or BEL in an id, a file name or a parameter never reaches a
//! terminal or a log line raw, and a megabyte value is not repeated whole.

use std::fmt::{self, Write as _};

use crate::error::ECHO_LIMIT;

/// A value from outside as a message shows it: see [`echo`].
///
/// Thread-safety: a borrowed `&str`, `Send` and `Sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echo<'a>(&'a str);

/// Shows `value` in a message: in double quotes, with control characters, quotes and
/// backslashes escaped as Rust's `{:?}` does (`\u{1b}`, `\n`, `\"`...), and cut after
/// [`ECHO_LIMIT`] characters with `…` marking the cut.
///
/// The output is exactly `format!("{:?}", truncate(value))`, without the intermediate
/// `String`.
///
/// ```
/// use mediameter_core::echo::echo;
/// assert_eq!(echo("Linux\u{1b}[2J\u{7}").to_string(), r#""Linux\u{1b}[2J\u{7}""#);
/// assert_eq!(echo("say \"hi\"").to_string(), r#""say \"hi\"""#);
/// let long = echo(&"x".repeat(1000)).to_string();
/// assert_eq!(long.chars().count(), 64 + 3); // 64 characters, the cut mark and two quotes
/// ```
#[must_use]
pub fn echo(value: &str) -> Echo<'_> {
    Echo(value)
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(ECHO_LIMIT) {
            match c {
                // `{:?}` on a `str` leaves single quotes alone; `char::escape_debug` would not.
                '\'' => f.write_char(c)?,
                _ => {
                    for e in c.escape_debug() {
                        f.write_char(e)?;
                    }
                }
            }
        }
        if chars.next().is_some() {
            f.write_char('…')?;
        }
        f.write_char('"')
    }
}

/// Text with its control characters escaped: see [`escape_controls`].
///
/// Thread-safety: a borrowed `&str`, `Send` and `Sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Controls<'a>(&'a str);

/// Shows `text` with every control character (C0, DEL and C1: `char::is_control`) written
/// as its escape (`\n`, `\t`, `\u{1b}`...) and everything else as is, without quotes and
/// without cutting.
///
/// For text that is already cut (a value kept by [`truncate`](crate::error::truncate)) and
/// must read naturally, such as a vendor's error message with the value inside it; a
/// message of mediameter's own quotes its values with [`echo`] instead.
///
/// ```
/// use mediameter_core::echo::escape_controls;
/// assert_eq!(escape_controls("a'b \"c\" d\\e").to_string(), "a'b \"c\" d\\e");
/// assert_eq!(escape_controls("x\u{1b}[2J\u{7}\n").to_string(), "x\\u{1b}[2J\\u{7}\\n");
/// ```
#[must_use]
pub fn escape_controls(text: &str) -> Controls<'_> {
    Controls(text)
}

impl fmt::Display for Controls<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(char::is_control) {
            let (plain, tail) = rest.split_at(at);
            f.write_str(plain)?;
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                for e in c.escape_debug() {
                    f.write_char(e)?;
                }
            }
            rest = chars.as_str();
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::truncate;

    #[test]
    fn echo_is_debug_of_the_truncated_value() {
        for s in [
            "",
            "plain",
            "it's",
            "tab\there\r\n",
            "\u{1b}]0;title\u{7}",
            "back\\slash \"quoted\"",
            "\u{0}\u{7f}\u{9b}\u{202e}",
            &"é".repeat(64),
            &"é".repeat(65),
            &"\u{1b}".repeat(200),
        ] {
            assert_eq!(echo(s).to_string(), format!("{:?}", truncate(s)), "{s:?}");
        }
    }

    #[test]
    fn escape_controls_leaves_other_text_alone() {
        assert_eq!(escape_controls("").to_string(), "");
        assert_eq!(
            escape_controls("plain é \\ \"").to_string(),
            "plain é \\ \""
        );
        assert_eq!(
            escape_controls("\u{0}a\u{7f}b\u{9b}c\td").to_string(),
            "\\0a\\u{7f}b\\u{9b}c\\td"
        );
        let all: String = (0u32..0x100).filter_map(char::from_u32).collect();
        assert!(
            !escape_controls(&all)
                .to_string()
                .chars()
                .any(char::is_control)
        );
    }

    #[test]
    fn no_control_character_survives() {
        let all: String = (0u32..0x100).filter_map(char::from_u32).collect();
        for chunk in all.chars().collect::<Vec<_>>().chunks(16) {
            let s: String = chunk.iter().collect();
            let shown = echo(&s).to_string();
            assert!(!shown.chars().any(char::is_control), "{shown}");
        }
    }
}
