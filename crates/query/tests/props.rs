//! Properties: parse∘print is the identity; parsers and the validator never panic and always
//! answer with a result.

use chrono::{DateTime, Utc};
use mediameter_core::time::{END_UNIX_SECONDS, MIN_UNIX_SECONDS};
use mediameter_query::{Error, Options, Registry, builtin};
use mediameter_query::{Leniency, ParsedTime, TimeFormat, format_utc, parse_time};
use proptest::prelude::*;

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (MIN_UNIX_SECONDS..END_UNIX_SECONDS).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

fn any_leniency() -> impl Strategy<Value = Leniency> {
    proptest::collection::vec(any::<bool>(), 6).prop_map(|b| {
        Leniency::STRICT
            .with_lowercase(b[0])
            .with_fractional_seconds(b[1])
            .with_leap_second(b[2])
            .with_unknown_offset(b[3])
            .with_basic_offset(b[4])
            .with_surrounding_space(b[5])
    })
}

/// Strings that look like times, with random damage, to reach deep into the parsers.
fn near_time() -> impl Strategy<Value = String> {
    let good = (any_instant(), -1439_i16..=1439).prop_filter_map("printable", |(t, o)| {
        ParsedTime::new(t, o).ok().map(|p| p.to_string())
    });
    (
        good,
        proptest::collection::vec((0usize..40, any::<char>()), 0..3),
    )
        .prop_map(|(s, edits)| {
            let mut chars: Vec<char> = s.chars().collect();
            for (i, c) in edits {
                if chars.is_empty() {
                    break;
                }
                let i = i % chars.len();
                chars[i] = c;
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #[test]
    fn utc_seconds_print_then_parse_is_identity(t in any_instant()) {
        let s = format_utc(t);
        prop_assert_eq!(s.len(), 20);
        let back = parse_time(&s, TimeFormat::UtcSeconds, Leniency::STRICT).unwrap();
        prop_assert_eq!(back.instant(), t);
        prop_assert_eq!(format_utc(back.instant()), s);
    }

    #[test]
    fn rfc3339_print_then_parse_is_identity(t in any_instant(), offset in -1439_i16..=1439, nanos in 0_u32..1_000_000_000) {
        let t = DateTime::from_timestamp(t.timestamp(), nanos).unwrap();
        if let Ok(p) = ParsedTime::new(t, offset) {
            let s = p.to_string();
            let lenient = Leniency::STRICT.with_fractional_seconds(true);
            let back = parse_time(&s, TimeFormat::Rfc3339, lenient).unwrap();
            prop_assert_eq!(back.instant(), t);
            prop_assert_eq!(back.to_string(), s.clone());
            if nanos == 0 {
                prop_assert_eq!(parse_time(&s, TimeFormat::Rfc3339, Leniency::STRICT).unwrap(), back);
            }
        }
    }

    #[test]
    fn parsers_never_panic_and_accepted_values_round_trip(s in prop_oneof![any::<String>(), near_time()], l in any_leniency()) {
        for f in [TimeFormat::UtcSeconds, TimeFormat::Rfc3339] {
            match parse_time(&s, f, l) {
                Ok(p) => {
                    // What was accepted prints canonically and parses back to the same instant.
                    let again = parse_time(&p.format(f), f, Leniency::STRICT.with_fractional_seconds(true)).unwrap();
                    prop_assert_eq!(again.instant(), p.instant());
                    // A strict acceptance is also a lenient one with the same meaning.
                    if l == Leniency::STRICT {
                        prop_assert_eq!(parse_time(&s, f, Leniency::ALL).unwrap(), p);
                    }
                }
                Err(e) => {
                    // The echoed value is bounded whatever the input.
                    prop_assert!(e.value().chars().count() <= 65);
                    prop_assert!(e.to_string().len() < 400);
                }
            }
        }
    }

    #[test]
    fn validation_never_panics_and_always_answers(
        profile_index in 0usize..18,
        picks in proptest::collection::vec((0usize..12, prop_oneof![any::<String>(), near_time(), "[0-9]{1,6}", "[a-z,]{0,30}"]), 0..14),
        now in any_instant(),
        strict in any::<bool>(),
        l in any_leniency(),
    ) {
        let reg = Registry::builtin();
        let p = &reg.profiles()[profile_index];
        let input: Vec<(String, String)> = picks
            .into_iter()
            .map(|(i, v)| (p.params().get(i).map_or_else(|| format!("X{i}"), |q| q.name().to_owned()), v))
            .collect();
        match reg.validate(p.name(), &input, now, &Options::default().with_leniency(l).with_strict(strict)) {
            Ok(q) => {
                for param in p.params().iter().filter(|q| q.is_required()) {
                    prop_assert!(q.get(param.name()).is_some());
                }
                if let Some(rule) = p.time_range()
                    && let Some(r) = q.range()
                    && let Some(max) = rule.max_span_seconds()
                {
                    prop_assert!(r.seconds() <= max);
                }
            }
            Err(Error::Rejected(r)) => {
                prop_assert!(!r.violations().is_empty());
                prop_assert!(r.violations().contains(r.primary()));
                prop_assert!(!r.code().is_empty());
                prop_assert!((400..600).contains(&r.status()));
                for v in r.violations() {
                    prop_assert!(v.value.as_ref().is_none_or(|s| s.chars().count() <= 65));
                }
                let problems = r.problems(p);
                prop_assert_eq!(problems.len(), r.violations().len());
            }
            Err(e) => prop_assert!(false, "unexpected error {}", e),
        }
    }

    #[test]
    fn every_builtin_profile_accepts_its_own_defaults(now in any_instant()) {
        // With only the required non-time parameters given, a profile whose times all default
        // must accept (or refuse only for time reasons at the edges of the calendar).
        for p in builtin::all() {
            let input: Vec<(String, String)> = p
                .params()
                .iter()
                .filter(|q| q.is_required())
                .filter_map(|q| match q.kind() {
                    mediameter_query::ParamKind::Text => Some((q.name().to_owned(), "x".to_owned())),
                    mediameter_query::ParamKind::Choice { values, .. } => Some((q.name().to_owned(), values[0].clone())),
                    _ => None,
                })
                .collect();
            let all_times_default = p.params().iter().filter(|q| q.is_required()).all(|q| {
                !matches!(q.kind(), mediameter_query::ParamKind::Time { .. })
            });
            let safe_now = now.timestamp() > MIN_UNIX_SECONDS + 86_400;
            if all_times_default && safe_now {
                let result = mediameter_query::validate(&p, &input, now, &Options::default());
                prop_assert!(result.is_ok(), "{}: {:?}", p.name(), result.err());
            }
        }
    }
}
