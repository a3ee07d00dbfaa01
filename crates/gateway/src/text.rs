//! Writing admitted values as text without the formatting machinery: every routed request
//! prints its integers and times once, and `write!` was most of that cost.
//!
//! Each writer produces exactly the `Display` text of the value it writes (the tests compare
//! them); the rare cases the fast paths do not cover (years outside 1000–9999, a leap second,
//! an offset that leaves chrono's range) go through `Display` itself.

use chrono::{Datelike, NaiveDateTime, TimeDelta, Timelike};
use mediameter_query::Value;
use mediameter_query::time::{ParsedTime, TimeFormat};

/// Appends `value` as its `Display` prints it.
pub(crate) fn write_value(out: &mut String, value: &Value<'_>) {
    match value {
        Value::Text(t) => out.push_str(t),
        Value::Integer(n) => write_integer(out, *n),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(item);
            }
        }
        Value::Time(t, format) => {
            if !write_time(out, t, *format) {
                // Writing into a String cannot fail.
                let _ = std::fmt::Write::write_fmt(out, format_args!("{value}"));
            }
        }
    }
}

/// Appends `n` in decimal.
pub(crate) fn write_integer(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    write_digits(out, n.unsigned_abs());
}

fn write_digits(out: &mut String, mut n: u64) {
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
    push_ascii(out, buf.get(start..).unwrap_or_default());
}

/// Appends ASCII digits and punctuation.
fn push_ascii(out: &mut String, bytes: &[u8]) {
    // Always ASCII here; a failed conversion would write nothing rather than panic.
    out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
}

/// `v`'s last `N` decimal digits, zero-padded.
fn digits<const N: usize>(mut v: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for d in out.iter_mut().rev() {
        *d = b'0'.wrapping_add(u8::try_from(v.wrapping_rem(10)).unwrap_or(0));
        v = v.wrapping_div(10);
    }
    out
}

/// Appends `t` in `format` as `Value::Time` displays it, for local years 1000–9999 without a
/// leap second; `false` (nothing written) otherwise.
fn write_time(out: &mut String, t: &ParsedTime, format: TimeFormat) -> bool {
    let utc = t.instant().naive_utc();
    let (local, offset) = match format {
        TimeFormat::UtcSeconds => (utc, 0),
        TimeFormat::Rfc3339 => {
            let offset = t.offset_minutes();
            match utc.checked_add_signed(TimeDelta::minutes(i64::from(offset))) {
                Some(local) => (local, offset),
                None => return false,
            }
        }
    };
    if !write_local(out, &local) {
        return false;
    }
    if offset == 0 {
        out.push('Z');
    } else {
        let abs = u32::from(offset.unsigned_abs());
        let [h0, h1] = digits::<2>(abs.wrapping_div(60));
        let [m0, m1] = digits::<2>(abs.wrapping_rem(60));
        let sign = if offset < 0 { b'-' } else { b'+' };
        push_ascii(out, &[sign, h0, h1, b':', m0, m1]);
    }
    true
}

/// `yyyy-MM-ddTHH:mm:ss[.fraction]`, the fraction without trailing zeros.
fn write_local(out: &mut String, t: &NaiveDateTime) -> bool {
    let nanos = t.nanosecond();
    let Some(year) = u32::try_from(t.year())
        .ok()
        .filter(|y| (1000..=9999).contains(y))
    else {
        return false;
    };
    if nanos >= 1_000_000_000 {
        return false;
    }
    let [y0, y1, y2, y3] = digits::<4>(year);
    let [mo0, mo1] = digits::<2>(t.month());
    let [d0, d1] = digits::<2>(t.day());
    let [h0, h1] = digits::<2>(t.hour());
    let [mi0, mi1] = digits::<2>(t.minute());
    let [s0, s1] = digits::<2>(t.second());
    push_ascii(
        out,
        &[
            y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0,
            s1,
        ],
    );
    if nanos != 0 {
        let fraction = digits::<9>(nanos);
        let end = fraction
            .iter()
            .rposition(|d| *d != b'0')
            .map_or(0, |i| i.saturating_add(1));
        out.push('.');
        push_ascii(out, fraction.get(..end).unwrap_or_default());
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn written(v: &Value<'_>) -> String {
        let mut s = String::from("prefix:");
        write_value(&mut s, v);
        s
    }

    #[test]
    fn each_kind_as_display() {
        let t = |s: &str, f| {
            let parsed =
                mediameter_query::time::parse(s, f, mediameter_query::time::Leniency::STRICT)
                    .unwrap();
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
        fn integers_as_display(n in proptest::prelude::any::<i64>()) {
            let v = Value::Integer(n);
            proptest::prop_assert_eq!(written(&v), format!("prefix:{v}"));
        }
    }
}
