//! Join tokens through the demo's `/token` and `/join`: valid, expired, tampered in each field,
//! replayed, bound to someone else, and signed by a rotated-out key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use mediameter_gateway::token::{AppKey, Keyring, Token};

use crate::{Server, now};

const JOIN: &str = "/join?app=demo-app&channel=room-1&user=alice";

async fn join(s: &Server, token: &str, path: &str) -> (u16, String) {
    let auth = format!("Bearer {token}");
    let r = s.get(path, &[("authorization", &auth)]).await;
    // Whatever the answer, it never echoes the token.
    assert!(!r.body.contains(token), "the token leaked into {}", r.body);
    (
        r.status,
        r.json()["error"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn issue_join_and_replay() {
    let s = Server::start().await;
    let refused = s
        .get(
            "/token?app=demo-app&channel=room-1&user=alice",
            &[("x-tenant", "viewer")],
        )
        .await;
    assert_eq!(refused.status, 403);
    let t = s
        .get(
            "/token?app=demo-app&channel=room-1&user=alice",
            &[("x-tenant", "admin")],
        )
        .await;
    assert_eq!(t.status, 200);
    let token = t.body.clone();
    // Someone else's seat: another user, channel or app.
    for (path, field) in [
        ("/join?app=demo-app&channel=room-1&user=bob", "user"),
        ("/join?app=demo-app&channel=room-2&user=alice", "channel"),
        ("/join?app=edu-app&channel=room-1&user=alice", "app"),
    ] {
        assert_eq!(
            join(&s, &token, path).await,
            (401, format!("token refused: issued for another {field}"))
        );
    }
    assert_eq!(join(&s, &token, JOIN).await.0, 200);
    assert_eq!(
        join(&s, &token, JOIN).await,
        (401, "token refused: already used".to_owned())
    );
    s.stop().await;
}

#[tokio::test]
async fn expired_and_tampered_in_each_field() {
    let s = Server::start().await;
    // Expired: 31 s past its expiry is beyond the default 30 s skew.
    let old = s
        .tokens
        .issue(
            "demo-app",
            "room-1",
            "alice",
            now() - TimeDelta::seconds(31),
        )
        .unwrap()
        .to_string();
    assert_eq!(
        join(&s, &old, JOIN).await,
        (401, "token refused: expired".to_owned())
    );

    let good = s
        .tokens
        .issue("demo-app", "room-1", "alice", now() + TimeDelta::minutes(5))
        .unwrap()
        .to_string();
    let bytes = URL_SAFE_NO_PAD.decode(&good).unwrap();
    // Offsets of the version-1 layout: version 0, key id 1..5, expiry 5..13, nonce 13..29,
    // app length 29 then "demo-app" 30..38, channel length 38 then "room-1" 39..45,
    // user length 45 then "alice" 46..51, the signature after.
    let edits: [(&str, usize, &str); 8] = [
        ("version", 0, "unsupported format version"),
        ("key id", 4, "signed by an unknown or revoked key"),
        ("expiry", 12, "bad signature"),
        ("nonce", 20, "bad signature"),
        ("app", 30, "bad signature"),
        ("channel", 39, "bad signature"),
        ("user", 46, "bad signature"),
        ("signature", bytes.len() - 1, "bad signature"),
    ];
    for (field, at, why) in edits {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        let tampered = URL_SAFE_NO_PAD.encode(&b);
        assert_eq!(
            join(&s, &tampered, JOIN).await,
            (401, format!("token refused: {why}")),
            "tampered {field}"
        );
    }
    // Truncated, padded with garbage, not base64: malformed.
    for bad in [
        &good[..good.len() - 2],
        &format!("{good}AA"),
        "not a token!",
    ] {
        assert_eq!(
            join(&s, bad, JOIN).await,
            (401, "token refused: malformed".to_owned())
        );
    }
    // The untouched token still works (none of the above consumed its nonce).
    assert_eq!(join(&s, &good, JOIN).await.0, 200);
    s.stop().await;
}

#[tokio::test]
async fn rotation_then_revocation() {
    let s = Server::start().await;
    let by_old = s
        .tokens
        .issue("demo-app", "room-1", "alice", now() + TimeDelta::minutes(5))
        .unwrap()
        .to_string();
    let by_old_2 = s
        .tokens
        .issue("demo-app", "room-1", "alice", now() + TimeDelta::minutes(5))
        .unwrap()
        .to_string();
    s.tokens.rotate(AppKey::from_secret(2, [22; 32])).unwrap();
    let by_new = s
        .tokens
        .issue("demo-app", "room-1", "alice", now() + TimeDelta::minutes(5))
        .unwrap();
    assert_eq!(by_new.key_id(), 2);
    // During the changeover both keys verify.
    assert_eq!(join(&s, &by_old, JOIN).await.0, 200);
    assert_eq!(join(&s, &by_new.to_string(), JOIN).await.0, 200);
    s.tokens.revoke_previous();
    assert_eq!(
        join(&s, &by_old_2, JOIN).await,
        (
            401,
            "token refused: signed by an unknown or revoked key".to_owned()
        )
    );
    s.stop().await;
}

#[test]
fn tokens_stay_out_of_debug_and_errors() {
    let ring = Keyring::new(AppKey::from_secret(9, [5; 32]));
    let token = ring.issue("app", "chan", "user", now()).unwrap();
    let text = token.to_string();
    let parsed: Token = text.parse().unwrap();
    assert_eq!(parsed, token);
    assert_eq!(parsed.to_string(), text);
    for shown in [
        format!("{token:?}"),
        format!("{:?}", token.claims()),
        format!("{ring:?}"),
        format!("{:?}", AppKey::from_secret(9, [5; 32])),
    ] {
        assert!(!shown.contains(&text), "{shown}");
        assert!(!shown.contains("[5, 5"), "key bytes in {shown}");
    }
    // Every refusal's Display and Debug: no token text, not even a part of it.
    let mut bad = text.clone();
    bad.replace_range(10..11, if &text[10..11] == "A" { "B" } else { "A" });
    let who = mediameter_gateway::token::Binding::new("app", "chan", "user");
    let err = ring
        .check(&bad, &who, now(), TimeDelta::zero())
        .unwrap_err();
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(
            !shown.contains(&text[..20]) && !shown.contains(&bad[..20]),
            "{shown}"
        );
    }
}
