//! Fuzz checks of the query-string parser and of join-token verification.
//!
//! * `query_string`: arbitrary bytes through `qs::parse` in both encodings under small limits:
//!   an accepted input respects every limit and has no repeated key; a refusal is a
//!   query-string error whose message holds no raw control character and is bounded: an echoed
//!   name is cut to `ECHO_LIMIT` characters *before* escaping, and one escaped character takes
//!   at most 10 bytes (`\u{10ffff}`), so the bound is fixed text plus `10 * ECHO_LIMIT`.
//!   The same bytes, split at the first NUL into a query string and a form body, through
//!   `qs::parse_request`: accepted exactly when both parts parse alone, together hold at most
//!   the limit and share no key, and then the query's pairs followed by the body's.
//! * `token_verify`: arbitrary text through `Token::from_str` and `Keyring::check`: only a token
//!   the keyring signed verifies; a parsed token prints back to the same text; a refusal is a
//!   `Token` error whose message is exactly `token refused: {reason}`, and a reason carries only
//!   static text, so nothing of the input can be in it. (Testing "the message does not contain
//!   the input" instead is unsound: the fuzzer found that the input can *be* the message text.)

use chrono::{DateTime, TimeDelta};
use mediameter_core::error::ECHO_LIMIT;
use mediameter_gateway::Error as GatewayError;
use mediameter_gateway::token::{AppKey, Binding, Keyring, Token};
use mediameter_query::Error;
use mediameter_query::qs::{self, Encoding, QsLimits};

pub fn query_string(data: &[u8]) {
    let limits = QsLimits::new(512, 8, 16, 64).unwrap();
    for enc in [Encoding::Query, Encoding::Form] {
        match qs::parse(data, enc, &limits) {
            Ok(p) => {
                assert!(data.len() <= 512 && p.len() <= 8);
                for (i, (k, v)) in p.pairs().iter().enumerate() {
                    assert!(!k.is_empty() && k.len() <= 16 && v.len() <= 64);
                    assert!(p.pairs()[..i].iter().all(|(o, _)| o != k));
                }
            }
            Err(e @ Error::QueryString { .. }) => {
                assert!(e.query_string_violation().is_some());
                let shown = e.to_string();
                assert!(
                    !shown.chars().any(char::is_control),
                    "raw control character: {shown}"
                );
                assert!(
                    shown.len() <= 200 + 10 * ECHO_LIMIT,
                    "unbounded message: {shown}"
                );
            }
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    let (query, form) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let reference = match (
        qs::parse(query, Encoding::Query, &limits),
        qs::parse(form, Encoding::Form, &limits),
    ) {
        (Ok(q), Ok(f)) => {
            let shared = q.pairs().iter().any(|(k, _)| f.get(k).is_some());
            (!shared && q.len() + f.len() <= 8).then(|| {
                let mut all = q.into_owned();
                all.extend(f.into_owned());
                all
            })
        }
        _ => None,
    };
    match qs::parse_request(query, form, &limits) {
        Ok(p) => assert_eq!(Some(p.into_owned()), reference),
        Err(e @ Error::QueryString { .. }) => {
            assert!(reference.is_none(), "refused {e}");
            assert!(e.query_string_violation().is_some());
        }
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

pub fn token_verify(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ring = Keyring::new(AppKey::from_secret(1, [3; 32]));
    let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    if let Ok(t) = text.parse::<Token>() {
        assert_eq!(t.to_string(), text);
    }
    let who = Binding::new("a", "c", "u");
    match ring.check(text, &who, now, TimeDelta::seconds(30)) {
        // Forging a signature by chance is not a fuzzer's job: accepted means signed by us.
        Ok(c) => assert_eq!((c.app(), c.channel(), c.user()), ("a", "c", "u")),
        Err(e) => match e {
            GatewayError::Token { reason, .. } => {
                assert_eq!(e.to_string(), format!("token refused: {reason}"));
            }
            other => panic!("verification refused with a non-token error: {other:?}"),
        },
    }
}
