//! Helpers shared by the golden tests.

use chrono::{DateTime, TimeZone, Utc};
use mediameter_query::{Error, Options, Registry, Rejection, ValidQuery};

pub(crate) fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

pub(crate) fn ok<'a>(
    reg: &'a Registry,
    api: &str,
    input: &'a [(&str, &str)],
    now: DateTime<Utc>,
) -> ValidQuery<'a> {
    match reg.validate(api, input, now, &Options::default()) {
        Ok(q) => q,
        Err(e) => panic!("expected {api} {input:?} to pass, got {e}"),
    }
}

pub(crate) fn rejected(
    reg: &Registry,
    api: &str,
    input: &[(&str, &str)],
    now: DateTime<Utc>,
    options: &Options,
) -> Rejection {
    match reg.validate(api, input, now, options) {
        Err(Error::Rejected(r)) => *r,
        Ok(q) => panic!("expected {api} {input:?} to be rejected, got {q:?}"),
        Err(e) => panic!("expected a rejection, got {e}"),
    }
}

pub(crate) fn code(
    reg: &Registry,
    api: &str,
    input: &[(&str, &str)],
    now: DateTime<Utc>,
) -> (u16, String, String) {
    let r = rejected(reg, api, input, now, &Options::default());
    (r.status(), r.code().to_owned(), r.message().to_owned())
}
