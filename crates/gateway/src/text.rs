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

/// Whether `raw`, the text a time value was read from, is the text [`write_value`] writes for
/// that value in either format, so that it can be copied instead of written: exactly
/// `yyyy-MM-ddTHH:mm:ssZ` (20 bytes, an upper-case `T` and `Z`, no fraction, no offset) and not
/// a leap second. Those readings map each field to the instant one to one; a lenient `t`, `z`
/// or fraction, or a leap second (read as the next second), would be written otherwise. The
/// caller passes only text the validator accepted as a time; the tests check, over times the
/// parser accepts, that each text this admits is written back unchanged.
pub(crate) fn time_as_written(raw: &[u8]) -> bool {
    matches!(raw, [_, _, _, _, b'-', _, _, b'-', _, _, b'T', _, _, b':', _, _, b':', s0, s1, b'Z']
        if !(*s0 == b'6' && *s1 == b'0'))
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
#[allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]
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

    /// The texts a time is copied as: accepted readings written back unchanged, and the
    /// readings left out written otherwise (so leaving them out matters).
    #[test]
    fn times_copied_as_given() {
        let all = mediameter_query::Leniency::ALL;
        for raw in [
            "2021-04-23T09:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert!(time_as_written(raw.as_bytes()), "{raw}");
        }
        for raw in [
            "2016-12-31T23:59:60Z",
            "2021-04-23t09:00:00Z",
            "2021-04-23T09:00:00z",
        ] {
            assert!(!time_as_written(raw.as_bytes()), "{raw}");
            let f = TimeFormat::UtcSeconds;
            let t = mediameter_query::parse_time(raw, f, all).unwrap();
            assert_ne!(
                written(&Value::Time(t, f)),
                format!("prefix:{raw}"),
                "{raw}"
            );
        }
    }

    proptest::proptest! {
        /// Every text `time_as_written` admits that the parser accepts (in either format,
        /// with every leniency) is written back as given.
        #[test]
        fn times_as_written_round_trip(
            digits in proptest::collection::vec(0_u8..10, 14),
            t in proptest::sample::select(vec![b'T', b't', b' ']),
            z in proptest::sample::select(vec![b'Z', b'z']),
            rfc in proptest::prelude::any::<bool>(),
            strict in proptest::prelude::any::<bool>(),
        ) {
            let d = |i: usize| b'0' + digits[i];
            // Months, days, hours... often in range, sometimes not.
            let raw = [
                d(0), d(1), d(2), d(3), b'-', b'0' + digits[4] % 2, d(5), b'-', b'0' + digits[6] % 4, d(7),
                t, b'0' + digits[8] % 3, d(9), b':', b'0' + digits[10] % 7, d(11), b':',
                b'0' + digits[12] % 7, d(13), z,
            ];
            let text = std::str::from_utf8(&raw).unwrap();
            let f = if rfc { TimeFormat::Rfc3339 } else { TimeFormat::UtcSeconds };
            let leniency = if strict { mediameter_query::Leniency::STRICT } else { mediameter_query::Leniency::ALL };
            if let Ok(parsed) = mediameter_query::parse_time(text, f, leniency)
                && time_as_written(&raw)
            {
                proptest::prop_assert_eq!(written(&Value::Time(parsed, f)), format!("prefix:{text}"));
            }
        }

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
