//! Lenient semantic versions for SDK and OS version strings.

use std::cmp::Ordering;
use std::fmt;

/// A dotted version such as `6.8.2`, `v2.1.0-beta.3` or `14`, compared numerically part by
/// part (`2.10` is newer than `2.9`), missing parts counting as zero (`13` equals `13.0.0`).
///
/// Up to four numeric parts are read; a pre-release suffix after `-` ranks below the release
/// it precedes, as in Semantic Versioning 2.0.0 §11 (`2.0.0-rc1` < `2.0.0`); build metadata
/// after `+` is ignored. Pre-releases of the same numbers compare equal to each other: the
/// library only needs "older than the minimum".
///
/// ```
/// use mediameter_diagnostics::Version;
/// let v: Version = "v2.10.1".parse()?;
/// assert!(v > "2.9.7".parse()?);
/// assert_eq!("13".parse::<Version>()?, "13.0.0".parse()?);
/// assert!("2.0.0-rc1".parse::<Version>()? < "2.0.0".parse()?);
/// assert!("latest".parse::<Version>().is_err());
/// # Ok::<(), mediameter_diagnostics::Error>(())
/// ```
///
/// A version is only made by parsing; its parts cannot be set by hand:
///
/// ```compile_fail,E0451
/// let v = mediameter_diagnostics::Version { parts: [1, 0, 0, 0], pre_release: false };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    parts: [u64; 4],
    pre_release: bool,
}

/// What [`Version`]'s `FromStr` says it expected.
const EXPECTED: &str = "a dotted version of up to four numbers such as 6.8.2";

impl Version {
    /// The numeric parts, padded with zeros to four.
    ///
    /// ```
    /// let v: mediameter_diagnostics::Version = "6.8".parse()?;
    /// assert_eq!(v.parts(), [6, 8, 0, 0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn parts(&self) -> [u64; 4] {
        self.parts
    }

    /// Whether the version carried a pre-release suffix.
    ///
    /// ```
    /// let v: mediameter_diagnostics::Version = "6.8.0-beta".parse()?;
    /// assert!(v.is_pre_release());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn is_pre_release(&self) -> bool {
        self.pre_release
    }

    /// Finds the first version-looking token in free text such as `iOS 12.4.1` or
    /// `Android 9 (Pie)`.
    ///
    /// ```
    /// use mediameter_diagnostics::Version;
    /// assert_eq!(Version::find_in("Android 9 (Pie)"), Some("9".parse()?));
    /// assert_eq!(Version::find_in("Windows"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn find_in(text: &str) -> Option<Version> {
        text.split(|c: char| c.is_whitespace() || c == '/' || c == '(' || c == ')' || c == ',')
            .filter(|tok| {
                tok.starts_with(|c: char| c.is_ascii_digit()) || tok.starts_with(['v', 'V'])
            })
            .find_map(|tok| tok.parse().ok())
    }
}

/// Reads a version; a string that is not one is an [`Error::Invalid`](crate::Error::Invalid)
/// with the field `version`.
///
/// ```
/// use mediameter_diagnostics::{ErrorKind, Version};
/// let e = "x.y".parse::<Version>().unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::Invalid);
/// assert_eq!(
///     e.to_string(),
///     "invalid version \"x.y\": expected a dotted version of up to four numbers such as 6.8.2"
/// );
/// ```
impl std::str::FromStr for Version {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || crate::Error::invalid("version", s, EXPECTED);
        let trimmed = s.trim();
        let body = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let body = body.split('+').next().unwrap_or(body);
        let (numbers, pre_release) = match body.split_once('-') {
            Some((n, pre)) => (n, !pre.is_empty()),
            None => (body, false),
        };
        if numbers.is_empty() {
            return Err(err());
        }
        let mut parts = [0u64; 4];
        let mut count = 0usize;
        for piece in numbers.split('.') {
            let slot = parts.get_mut(count).ok_or_else(err)?;
            if piece.is_empty() || piece.len() > 18 || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            *slot = piece.parse().map_err(|_| err())?;
            count = count.saturating_add(1);
        }
        Ok(Version { parts, pre_release })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts
            .cmp(&other.parts)
            // A release (false) ranks above its pre-release (true).
            .then_with(|| other.pre_release.cmp(&self.pre_release))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.parts;
        write!(f, "{a}.{b}.{c}")?;
        if d != 0 {
            write!(f, ".{d}")?;
        }
        if self.pre_release {
            f.write_str("-pre")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn numeric_not_lexical() {
        assert!(v("2.10.0") > v("2.9.99"));
        assert!(v("10") > v("9.9.9.9"));
        assert_eq!(v("1.2.3+build.7"), v("1.2.3"));
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "v",
            "1..2",
            "1.2.3.4.5",
            "a.b",
            "1.-2",
            "99999999999999999999",
        ] {
            assert!(s.parse::<Version>().is_err(), "{s}");
        }
    }

    #[test]
    fn finds_versions_in_os_strings() {
        assert_eq!(Version::find_in("iOS 12.4.1"), Some(v("12.4.1")));
        assert_eq!(Version::find_in("macOS/10.15"), Some(v("10.15")));
    }
}
