//! Fuzz targets of mediameter-query: one per parser of outside input, and whole-request
//! validation. Plain functions; the libFuzzer binaries and the stable replay test call them.
//!
//! * `time_utc_seconds`, `time_rfc3339`: the time parsers under every leniency
//!   (chosen by the first byte); an accepted value must print and parse back to the same
//!   instant, and a strict acceptance must mean the same under full leniency.
//! * `validate_query_string`: a whole request as a query string (`k=v&k=v`) against a built-in profile
//!   chosen by the first byte, at a "now" taken from the next 4 bytes; the answer is always a
//!   result, a rejection always has a primary violation and truncated echoes.
//! * `validate_json`: the same with a flat JSON object, as the CLI reads it.
//! * `profile_json`: a caller-supplied profile in JSON; when it passes `Profile::check`,
//!   validating a small request under it must not panic.
//! * `policy_json`: a caller-supplied policy in JSON, evaluated for every built-in
//!   profile's action.

use mediameter_query::{Error, Options, Profile, Registry, perm};
use mediameter_query::{Leniency, TimeFormat, parse_time};

fn leniency(bits: u8) -> Leniency {
    Leniency::STRICT
        .with_lowercase(bits & 1 != 0)
        .with_fractional_seconds(bits & 2 != 0)
        .with_leap_second(bits & 4 != 0)
        .with_unknown_offset(bits & 8 != 0)
        .with_basic_offset(bits & 16 != 0)
        .with_surrounding_space(bits & 32 != 0)
}

fn time_target(data: &[u8], format: TimeFormat) {
    let Some((&bits, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let l = leniency(bits);
    match parse_time(text, format, l) {
        Ok(p) => {
            let printed = p.format(format);
            let back = parse_time(
                &printed,
                format,
                Leniency::STRICT.with_fractional_seconds(true),
            );
            assert!(
                back.is_ok(),
                "{text:?} was accepted but its print {printed:?} does not parse: {back:?}"
            );
            assert_eq!(
                back.ok().map(|b| b.instant()),
                Some(p.instant()),
                "{text:?}"
            );
            if l == Leniency::STRICT {
                assert_eq!(
                    parse_time(text, format, Leniency::ALL).ok(),
                    Some(p),
                    "{text:?}"
                );
            }
        }
        Err(e) => {
            assert!(e.value().chars().count() <= 65, "{e:?}");
            assert!(e.to_string().len() < 512);
        }
    }
}

/// `yyyy-MM-ddTHH:mm:ssZ` parser.
pub fn time_utc_seconds(data: &[u8]) {
    time_target(data, TimeFormat::UtcSeconds);
}

/// RFC 3339 parser.
pub fn time_rfc3339(data: &[u8]) {
    time_target(data, TimeFormat::Rfc3339);
}

fn check_answer(
    registry: &Registry,
    api: &str,
    input: &[(String, String)],
    now_secs: i64,
    options: &Options,
) {
    // The instant is built through mediameter-core so that this file needs no chrono import.
    let Ok(now) = mediameter_core::TimeRange::from_unix(now_secs, now_secs.saturating_add(1))
        .map(|r| r.start())
    else {
        return;
    };
    let result = registry.validate(api, input, now, options);
    let answered = matches!(result, Ok(_) | Err(Error::Rejected(_)));
    assert!(answered, "unexpected error {result:?}");
    match result {
        Ok(q) => {
            if let Ok(p) = registry.get(api) {
                for param in p.params().iter().filter(|q| q.is_required()) {
                    assert!(
                        q.get(param.name()).is_some(),
                        "{} accepted without {}",
                        api,
                        param.name()
                    );
                }
            }
        }
        Err(Error::Rejected(r)) => {
            assert!(!r.violations().is_empty());
            assert!(r.violations().contains(r.primary()));
            assert!(!r.code().is_empty());
            for v in r.violations() {
                assert!(v.value.as_ref().is_none_or(|s| s.chars().count() <= 65));
            }
        }
        Err(_) => {}
    }
}

fn split_header(data: &[u8]) -> Option<(usize, i64, Options, &[u8])> {
    let (&pick, rest) = data.split_first()?;
    let (now, rest) = rest.split_at_checked(4)?;
    let (&flags, rest) = rest.split_first()?;
    let now = i64::from(u32::from_le_bytes(<[u8; 4]>::try_from(now).ok()?)).saturating_mul(2);
    Some((
        usize::from(pick),
        now,
        Options::default()
            .with_leniency(leniency(flags))
            .with_strict(flags & 64 != 0),
        rest,
    ))
}

/// Whole-request validation from a query string.
pub fn validate_query_string(data: &[u8]) {
    let Some((pick, now, options, rest)) = split_header(data) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let registry = Registry::builtin();
    let profiles = registry.profiles();
    let Some(p) = profiles.get(pick.checked_rem(profiles.len()).unwrap_or(0)) else {
        return;
    };
    let input: Vec<(String, String)> = text
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (pair.to_owned(), String::new()),
        })
        .collect();
    check_answer(&registry, p.name(), &input, now, &options);
}

/// Whole-request validation from a flat JSON object.
pub fn validate_json(data: &[u8]) {
    let Some((pick, now, options, rest)) = split_header(data) else {
        return;
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(rest)
    else {
        return;
    };
    let input: Vec<(String, String)> = map
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect();
    let registry = Registry::builtin();
    let profiles = registry.profiles();
    let Some(p) = profiles.get(pick.checked_rem(profiles.len()).unwrap_or(0)) else {
        return;
    };
    check_answer(&registry, p.name(), &input, now, &options);
}

/// A caller-supplied profile.
pub fn profile_json(data: &[u8]) {
    let Ok(profile) = serde_json::from_slice::<Profile>(data) else {
        return;
    };
    // Reading checks the profile: what comes back is always usable.
    let checked = profile.check();
    assert!(
        checked.is_ok(),
        "a profile read from JSON fails its check: {checked:?}"
    );
    let input: Vec<(String, String)> = profile
        .params()
        .iter()
        .map(|p| {
            (
                p.name().to_owned(),
                p.default_value().unwrap_or("x").to_owned(),
            )
        })
        .collect();
    let mut registry = Registry::new();
    let name = profile.name().to_owned();
    let inserted = registry.insert(profile);
    assert!(
        inserted.is_ok(),
        "a profile read from JSON is refused: {inserted:?}"
    );
    check_answer(&registry, &name, &input, 1_700_000_000, &Options::default());
}

/// A caller-supplied policy.
pub fn policy_json(data: &[u8]) {
    // Reading checks the policy: what comes back is always valid.
    let Ok(policy) = serde_json::from_slice::<perm::Policy>(data) else {
        return;
    };
    let Ok(deny_all) = perm::Policy::new(
        "deny-all",
        vec![perm::Statement::new(perm::Effect::Deny, &["*"], &["*"])],
    ) else {
        return;
    };
    let policies = [policy];
    for p in mediameter_query::builtin::all() {
        for resource in [None, Some("app-1")] {
            let a = perm::check(&policies, p.action(), resource);
            // Deny must never turn into allow by adding a deny-everything policy.
            let mut stricter = policies.to_vec();
            stricter.push(deny_all.clone());
            assert!(!perm::check(&stricter, p.action(), resource).is_allowed());
            let _ = a.is_allowed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_accept_their_seeds() {
        time_utc_seconds(b"\x002018-09-30T16:00:00Z");
        time_rfc3339(b"\x3f 2021-07-24t00:00:00.5+0800 ");
        validate_query_string(b"\x00\x00\x00\x00\x2c\x00StartTime=2018-09-30T16:00:00Z&EndTime=2018-10-31T15:59:59Z&SplitBy=type");
        validate_json(b"\x02\x00\x00\x00\x2c\x00{\"app\":\"a\",\"limit\":5}");
        profile_json(include_bytes!("../corpus/query_profile_json/seed1"));
        policy_json(br#"{"Name":"p","Statement":[{"Effect":"Allow","Action":["live:*"],"Resource":["*"]}]}"#);
    }
}
