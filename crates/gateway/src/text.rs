//! Writing admitted values as text without the formatting machinery: every routed request
//! prints its integers and times once, and `write!` was most of that cost.
//!
//! Each writer produces exactly the `Display` text of the value it writes (the tests compare
//! them); times are written by the query crate's `ParsedTime::write_text`, the one fast time
//! printer of the workspace. They write bytes (UTF-8 text and ASCII digits): the caller checks
//! the whole buffer once when it turns it into a `String`, rather than each group of digits
//! being checked as it is appended.

use mediameter_query::Value;

/// Appends `value` as its `Display` prints it.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match value {
        Value::Text(t) => out.extend_from_slice(t.as_bytes()),
        Value::Integer(n) => write_integer(out, *n),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(item.as_bytes());
            }
        }
        Value::Time(t, format) => t.write_text(*format, out),
        // Any kind of value the query crate adds later (`Value` is non-exhaustive): its
        // `Display`.
        _ => out.extend_from_slice(value.to_string().as_bytes()),
    }
}

/// Appends `n` in decimal.
pub(crate) fn write_integer(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    write_digits(out, n.unsigned_abs());
}

fn write_digits(out: &mut Vec<u8>, mut n: u64) {
    // u64::MAX has 20 digits.
    let mut buf = [b'0'; 20];
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0'.wrapping_add(u8::try_from(n.wrapping_rem(10)).unwrap_or(0));
        n = n.wrapping_div(10);
        start = start.saturating_sub(1);
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(start..).unwrap_or_default());
}

/// A generated request id: UUID-shaped, version 4 and variant bits set, the low 48 bits of
/// `n` in upper-case hex as the last group (what `format!("00000000-0000-4000-8000-{:012X}",
/// n & 0xFFFF_FFFF_FFFF)` prints).
pub(crate) fn generated_request_id(n: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut id = String::with_capacity(36);
    id.push_str("00000000-0000-4000-8000-");
    for shift in (0..12_u32).rev() {
        let nibble = n.wrapping_shr(shift.wrapping_mul(4)) & 0xF;
        let digit = usize::try_from(nibble).ok().and_then(|i| HEX.get(i));
        id.push(char::from(digit.copied().unwrap_or(b'0')));
    }
    id
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use mediameter_query::{ParsedTime, TimeFormat};

    fn written(v: &Value<'_>) -> String {
        let mut s = b"prefix:".to_vec();
        write_value(&mut s, v);
        String::from_utf8(s).unwrap()
    }

    #[test]
    fn each_kind_as_display() {
        let t = |s: &str, f| {
            let parsed =
                mediameter_query::parse_time(s, f, mediameter_query::Leniency::STRICT).unwrap();
            Value::Time(parsed, f)
        };
        for v in [
            Value::Text("a b"),
            Value::Integer(0),
            Value::Integer(-7),
            Value::Integer(i64::MIN),
            Value::Integer(i64::MAX),
            Value::List(vec![]),
            Value::List(vec!["domain", "type"]),
            t("2021-07-24T00:00:00+08:00", TimeFormat::Rfc3339),
            t("2021-07-24T00:00:00-05:30", TimeFormat::Rfc3339),
            t("2021-07-24T00:00:00Z", TimeFormat::Rfc3339),
            t("2020-04-23T07:00:00Z", TimeFormat::UtcSeconds),
        ] {
            assert_eq!(written(&v), format!("prefix:{v}"));
        }
    }

    /// The edges of the fast path, leap days and centuries, a leap second, every offset sign.
    #[test]
    fn time_edges_as_display() {
        let day = 86_400_i64;
        let mut secs = vec![
            -30_610_224_001, // 0999-12-31T23:59:59
            -30_610_224_000, // 1000-01-01
            253_402_300_799, // 9999-12-31T23:59:59
            253_402_300_800, // 10000-01-01
            -62_135_596_800, // 0001-01-01
            -1,
            0,
            951_782_400,    // 2000-02-29
            951_868_800,    // 2000-03-01
            -2_203_891_200, // 1900-03-01
            4_107_456_000,  // 2100-02-28
            1_483_228_799,  // 2016-12-31T23:59:59, a leap second's minute
        ];
        secs.extend((0..800).map(|i| 946_684_800 + i * day)); // every day of 2000 and 2001
        let mut checked = 0;
        for s in secs {
            for nanos in [0, 1, 120_000_000, 999_999_999, 1_500_000_000] {
                let Some(instant) = chrono::DateTime::from_timestamp(s, nanos) else {
                    continue;
                };
                for offset in [0_i16, 1, -1, 480, -330, 1439, -1439] {
                    let Ok(t) = ParsedTime::new(instant, offset) else {
                        continue;
                    };
                    for f in [TimeFormat::UtcSeconds, TimeFormat::Rfc3339] {
                        let v = Value::Time(t, f);
                        assert_eq!(written(&v), format!("prefix:{v}"));
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 40_000, "{checked}");
    }

    proptest::proptest! {
        /// Times of every year the library accepts (the fast path covers 1000–9999, the rest
        /// goes through `Display`), any offset, with and without a fraction.
        #[test]
        fn times_as_display(secs in -62_135_596_800_i64..253_402_300_800, nanos in 0_u32..1_000_000_000,
                            whole in proptest::prelude::any::<bool>(), offset in -1439_i16..=1439,
                            rfc in proptest::prelude::any::<bool>()) {
            let nanos = if whole { 0 } else { nanos };
            let Some(instant) = chrono::DateTime::from_timestamp(secs, nanos) else { return Ok(()) };
            let Ok(t) = ParsedTime::new(instant, offset) else { return Ok(()) };
            let f = if rfc { TimeFormat::Rfc3339 } else { TimeFormat::UtcSeconds };
            let v = Value::Time(t, f);
            proptest::prop_assert_eq!(written(&v), format!("prefix:{v}"));
        }

        #[test]
        fn request_ids_as_format(n in proptest::prelude::any::<u64>()) {
            proptest::prop_assert_eq!(generated_request_id(n), format!("00000000-0000-4000-8000-{:012X}", n & 0xFFFF_FFFF_FFFF));
        }

        #[test]
        fn integers_as_display(n in proptest::prelude::any::<i64>()) {
            let v = Value::Integer(n);
            proptest::prop_assert_eq!(written(&v), format!("prefix:{v}"));
        }
    }
}
