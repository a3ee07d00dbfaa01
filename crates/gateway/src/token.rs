//! Channel join tokens: an application's `AppKey` signs who may join which channel until when.
//!
//! The Alibaba Cloud RTC console guide ("Query `AppKey`") describes each application's `AppKey` as
//! its authentication credential, from which channel authentication information is generated,
//! and says a leaked `AppKey` must be replaced. This module is that: [`AppKey::generate`] draws
//! a 256-bit secret from the operating system's CSPRNG; a [`Keyring`] issues [`Token`]s binding
//! an app, a channel, a user, an expiry and a random nonce with HMAC-SHA256; a
//! [`TokenVerifier`] checks them in constant time, with a bounded clock skew and a bounded
//! replay cache, and supports rotation (two keys valid during a changeover, then the old one
//! revoked).
//!
//! This module needs no HTTP: it is built without the `tower` feature, for a signalling server
//! or any other service that admits clients to channels.
//!
//! # Token format, version 1
//!
//! The token is the unpadded base64url (RFC 4648 §5) encoding of these bytes:
//!
//! | bytes | field |
//! | --- | --- |
//! | 1 | format version, `1` |
//! | 4 | key id, big-endian `u32` |
//! | 8 | expiry, big-endian `i64` seconds since 1970-01-01T00:00:00Z |
//! | 16 | nonce, random |
//! | 1 + n | app id: length n (1 to 64), then n bytes of UTF-8 |
//! | 1 + n | channel id, the same way |
//! | 1 + n | user id, the same way |
//! | 32 | HMAC-SHA256 under the key of that id, over every byte before it |
//!
//! So a token is 64 to 256 bytes, 86 to 342 characters. Anything longer is refused before it
//! is decoded.
//!
//! # Secrets stay secret
//!
//! An [`AppKey`]'s `Debug` prints its id only; a [`Token`]'s `Debug` prints the app, channel,
//! user and expiry but neither nonce nor signature; no error message carries token text (only
//! the name of what was wrong). [`Token`]'s `Display` is the token itself, for handing it to the
//! client: don't log it.
//!
//! # Example
//!
//! ```
//! use chrono::{DateTime, TimeDelta, Utc};
//! use mediameter_gateway::token::{AppKey, Binding, Keyring, TokenVerifier};
//!
//! let now = DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
//! let verifier = TokenVerifier::new(Keyring::new(AppKey::generate(1)?), 10_000);
//! let token = verifier.issue("app-1", "room-7", "alice", now + TimeDelta::minutes(10))?;
//! let text = token.to_string(); // what the client receives
//!
//! let who = Binding::new("app-1", "room-7", "alice");
//! let claims = verifier.verify(&text, &who, now)?;
//! assert_eq!(claims.user(), "alice");
//!
//! // The same token again is a replay.
//! let err = verifier.verify(&text, &who, now).unwrap_err();
//! assert_eq!(err.to_string(), "token refused: already used");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use crate::error::TokenErrorReason;
use crate::error::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

/// The format version this module writes and reads.
pub const TOKEN_VERSION: u8 = 1;
/// Longest app, channel or user id, in bytes.
pub const MAX_ID_LEN: usize = 64;
/// Longest token text accepted (the base64url length of the longest token).
pub const MAX_TOKEN_LEN: usize = 342;
/// Largest clock skew [`TokenVerifier::with_skew`] accepts (5 minutes).
pub const MAX_SKEW_SECONDS: i64 = 300;
/// Longest token lifetime accepted at issue and at verification (24 hours): it bounds how
/// long a nonce stays in the replay cache.
pub const MAX_LIFETIME_SECONDS: i64 = 86_400;

const NONCE_LEN: usize = 16;
const MAC_LEN: usize = 32;
const HEADER_LEN: usize = 1 + 4 + 8 + NONCE_LEN;

/// An application's signing secret: 32 bytes and an id that tokens name.
///
/// `Debug` prints the id only.
///
/// ```
/// use mediameter_gateway::token::AppKey;
/// let k = AppKey::generate(7)?;
/// assert_eq!(k.id(), 7);
/// assert_eq!(format!("{k:?}"), "AppKey { id: 7, .. }");
/// # Ok::<(), mediameter_gateway::Error>(())
/// ```
#[derive(Clone)]
pub struct AppKey {
    id: u32,
    secret: [u8; 32],
    /// HMAC-SHA256 keyed with `secret`: the inner and outer pad blocks already compressed, so
    /// signing or verifying clones it instead of running the key schedule (two SHA-256 blocks)
    /// again.
    prepared: HmacSha256,
}

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl AppKey {
    /// A new key with 256 random bits from the operating system.
    ///
    /// # Errors
    ///
    /// [`Error::Random`] when the operating system has no randomness to give.
    pub fn generate(id: u32) -> Result<Self> {
        let mut secret = [0_u8; 32];
        getrandom::fill(&mut secret).map_err(|_| Error::Random)?;
        Ok(AppKey::from_secret(id, secret))
    }

    /// A key from stored secret bytes (as kept in the service's secret store).
    ///
    /// ```
    /// let k = mediameter_gateway::token::AppKey::from_secret(1, [7; 32]);
    /// assert_eq!(k.secret(), &[7; 32]);
    /// ```
    #[must_use]
    pub fn from_secret(id: u32, secret: [u8; 32]) -> Self {
        // HMAC pads a key shorter than the hash's 64-byte block with zeros (RFC 2104), so the
        // padded block is the same key, and the fixed-size constructor cannot fail.
        let mut block = [0_u8; 64];
        for (d, s) in block.iter_mut().zip(secret) {
            *d = s;
        }
        AppKey {
            id,
            secret,
            prepared: <HmacSha256 as KeyInit>::new(&block.into()),
        }
    }

    /// The id tokens signed by this key carry.
    #[must_use]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The secret bytes, to store. Keep them out of logs.
    #[must_use]
    pub fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// A copy of the keyed HMAC state (a memory copy, no hashing).
    fn mac(&self) -> HmacSha256 {
        self.prepared.clone()
    }
}

/// The keys tokens are checked with: the current one (which signs), and during a rotation the
/// previous one (which still verifies until it is revoked).
///
/// ```
/// use mediameter_gateway::token::{AppKey, Keyring};
/// let mut ring = Keyring::new(AppKey::from_secret(1, [1; 32]));
/// ring.rotate(AppKey::from_secret(2, [2; 32]))?;
/// assert_eq!((ring.current_id(), ring.previous_id()), (2, Some(1)));
/// ring.revoke_previous();
/// assert_eq!(ring.previous_id(), None);
/// # Ok::<(), mediameter_gateway::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Keyring {
    current: AppKey,
    previous: Option<AppKey>,
}

impl Keyring {
    /// A keyring with one key.
    #[must_use]
    pub fn new(current: AppKey) -> Self {
        Keyring {
            current,
            previous: None,
        }
    }

    /// Starts a changeover: `next` signs from now on; the current key still verifies.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when `next` has the id of the current key (tokens name keys by id).
    pub fn rotate(&mut self, next: AppKey) -> Result<()> {
        if next.id == self.current.id {
            return Err(Error::invalid(
                "key id",
                &next.id.to_string(),
                "an id other than the current key's",
            ));
        }
        self.previous = Some(std::mem::replace(&mut self.current, next));
        Ok(())
    }

    /// Ends a changeover: tokens signed by the previous key are refused from now on.
    pub fn revoke_previous(&mut self) {
        self.previous = None;
    }

    /// The signing key's id.
    #[must_use]
    pub fn current_id(&self) -> u32 {
        self.current.id
    }

    /// The previous key's id, during a changeover.
    #[must_use]
    pub fn previous_id(&self) -> Option<u32> {
        self.previous.as_ref().map(AppKey::id)
    }

    fn key(&self, id: u32) -> Option<&AppKey> {
        if self.current.id == id {
            return Some(&self.current);
        }
        self.previous.as_ref().filter(|k| k.id == id)
    }

    /// Signs a token for `app`, `channel` and `user` until `expires_at`, with a random nonce.
    /// Checks of the lifetime are the verifier's ([`TokenVerifier::issue`] makes both).
    ///
    /// # Errors
    ///
    /// [`Error::Token`] with [`TokenErrorReason::InvalidClaim`] for an empty, over-long or
    /// control-character id; [`Error::Random`] without randomness.
    pub fn issue(
        &self,
        app: &str,
        channel: &str,
        user: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Token> {
        let mut nonce = [0_u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| Error::Random)?;
        let ids = Ids::new([
            checked_id(app, "app")?,
            checked_id(channel, "channel")?,
            checked_id(user, "user")?,
        ])
        .ok_or(Error::token(TokenErrorReason::InvalidClaim("app")))?;
        let claims = Claims {
            ids,
            expires_at: expires_at.timestamp(),
            nonce,
        };
        let mut mac = self.current.mac();
        mac.update(&claims.signed_bytes(self.current.id));
        Ok(Token {
            key_id: self.current.id,
            claims,
            mac: mac.finalize().into_bytes().into(),
        })
    }

    /// Checks `token`'s signature (in constant time), expiry (with `skew`) and binding, without
    /// the replay check ([`TokenVerifier::verify`] adds it).
    ///
    /// # Errors
    ///
    /// [`Error::Token`]: [`TokenErrorReason::Malformed`], [`TokenErrorReason::UnsupportedVersion`],
    /// [`TokenErrorReason::UnknownKey`], [`TokenErrorReason::BadSignature`],
    /// [`TokenErrorReason::Expired`], [`TokenErrorReason::TooLongLived`] or
    /// [`TokenErrorReason::Mismatch`].
    pub fn check(
        &self,
        token: &str,
        expected: &Binding<'_>,
        now: DateTime<Utc>,
        skew: TimeDelta,
    ) -> Result<Claims> {
        // The hot path: decode onto the stack, sign the decoded bytes as they are (no
        // re-serialising), clone the key's prepared HMAC state, no allocation.
        let mut buf = [0_u8; DECODE_BUF_LEN];
        let bytes = decode(token, &mut buf)?;
        let token = Layout::read(bytes)?;
        let key = self
            .key(token.key_id)
            .ok_or(Error::token(TokenErrorReason::UnknownKey))?;
        let mut mac = key.mac();
        mac.update(token.signed);
        mac.verify_slice(token.mac)
            .map_err(|_| Error::token(TokenErrorReason::BadSignature))?;
        let now_s = now.timestamp();
        let skew_s = skew.num_seconds().clamp(0, MAX_SKEW_SECONDS);
        if token.expires_at.saturating_add(skew_s) < now_s {
            return Err(Error::token(TokenErrorReason::Expired));
        }
        if token.expires_at
            > now_s
                .saturating_add(skew_s)
                .saturating_add(MAX_LIFETIME_SECONDS)
        {
            return Err(Error::token(TokenErrorReason::TooLongLived));
        }
        let [app, channel, user] = token.ids;
        for (field, want, got) in [
            ("app", expected.app, app),
            ("channel", expected.channel, channel),
            ("user", expected.user, user),
        ] {
            if want != got {
                return Err(Error::token(TokenErrorReason::Mismatch(field)));
            }
        }
        token.claims()
    }
}

/// Room for the longest token's decoded bytes: `base64`'s slice decoder wants the
/// conservative estimate, 3 bytes per started group of 4 characters.
const DECODE_BUF_LEN: usize = MAX_TOKEN_LEN.div_ceil(4) * 3;

/// Decodes token text into `buf` (refusing anything longer than [`MAX_TOKEN_LEN`] first).
fn decode<'b>(text: &str, buf: &'b mut [u8; DECODE_BUF_LEN]) -> Result<&'b [u8]> {
    let malformed = || Error::token(TokenErrorReason::Malformed);
    if text.len() > MAX_TOKEN_LEN {
        return Err(malformed());
    }
    let n = URL_SAFE_NO_PAD
        .decode_slice(text, buf)
        .map_err(|_| malformed())?;
    buf.get(..n).ok_or_else(malformed)
}

/// A decoded token's fields, borrowed from its bytes.
struct Layout<'a> {
    key_id: u32,
    expires_at: i64,
    nonce: [u8; NONCE_LEN],
    ids: [&'a str; 3],
    /// Every byte before the signature: what the HMAC covers.
    signed: &'a [u8],
    mac: &'a [u8],
}

impl<'a> Layout<'a> {
    /// Reads the documented layout: the version first (so another version is named as such),
    /// then every field, with nothing left over.
    fn read(bytes: &'a [u8]) -> Result<Self> {
        let malformed = || Error::token(TokenErrorReason::Malformed);
        match bytes.first() {
            None => return Err(malformed()),
            Some(&TOKEN_VERSION) => {}
            Some(_) => return Err(Error::token(TokenErrorReason::UnsupportedVersion)),
        }
        let signed_len = bytes.len().checked_sub(MAC_LEN).ok_or_else(malformed)?;
        let (signed, mac) = bytes.split_at_checked(signed_len).ok_or_else(malformed)?;
        let mut r = Reader(signed);
        r.array::<1>().ok_or_else(malformed)?;
        let key_id = u32::from_be_bytes(r.array().ok_or_else(malformed)?);
        let expires_at = i64::from_be_bytes(r.array().ok_or_else(malformed)?);
        let nonce = r.array().ok_or_else(malformed)?;
        let app = r.id().ok_or_else(malformed)?;
        let channel = r.id().ok_or_else(malformed)?;
        let user = r.id().ok_or_else(malformed)?;
        if !r.0.is_empty() {
            return Err(malformed());
        }
        Ok(Layout {
            key_id,
            expires_at,
            nonce,
            ids: [app, channel, user],
            signed,
            mac,
        })
    }

    fn claims(&self) -> Result<Claims> {
        Ok(Claims {
            ids: Ids::new(self.ids).ok_or(Error::token(TokenErrorReason::Malformed))?,
            expires_at: self.expires_at,
            nonce: self.nonce,
        })
    }

    fn mac_array(&self) -> Result<[u8; MAC_LEN]> {
        self.mac
            .try_into()
            .map_err(|_| Error::token(TokenErrorReason::Malformed))
    }
}

fn checked_id<'a>(id: &'a str, field: &'static str) -> Result<&'a str> {
    if id.is_empty() || id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
        return Err(Error::token(TokenErrorReason::InvalidClaim(field)));
    }
    Ok(id)
}

/// The app, channel and user ids, kept inline (each at most [`MAX_ID_LEN`] bytes) so that
/// returning verified claims does not allocate. Unused bytes are zero, so equality of the
/// buffers is equality of the ids.
#[derive(Clone, PartialEq, Eq)]
struct Ids {
    buf: [u8; 3 * MAX_ID_LEN],
    lens: [u8; 3],
}

impl Ids {
    /// `None` when an id is over [`MAX_ID_LEN`] bytes (callers have checked already).
    fn new(ids: [&str; 3]) -> Option<Self> {
        let mut out = Ids {
            buf: [0; 3 * MAX_ID_LEN],
            lens: [0; 3],
        };
        for ((id, chunk), len) in ids
            .iter()
            .zip(out.buf.chunks_exact_mut(MAX_ID_LEN))
            .zip(out.lens.iter_mut())
        {
            chunk.get_mut(..id.len())?.copy_from_slice(id.as_bytes());
            *len = u8::try_from(id.len()).ok()?;
        }
        Some(out)
    }

    fn get(&self, i: usize) -> &str {
        let len = usize::from(self.lens.get(i).copied().unwrap_or(0));
        self.buf
            .chunks_exact(MAX_ID_LEN)
            .nth(i)
            .and_then(|chunk| chunk.get(..len))
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

/// Who a client says it is, checked against the token: the app, channel and user of the join.
///
/// `#[non_exhaustive]`: a join may come to bind more (a role, say). Build one with
/// [`Binding::new`]; read the public fields.
///
/// ```
/// let b = mediameter_gateway::token::Binding::new("app", "room", "user");
/// assert_eq!(b.channel, "room");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Binding<'a> {
    /// The app id.
    pub app: &'a str,
    /// The channel id.
    pub channel: &'a str,
    /// The user id.
    pub user: &'a str,
}

impl<'a> Binding<'a> {
    /// A binding.
    #[must_use]
    pub fn new(app: &'a str, channel: &'a str, user: &'a str) -> Self {
        Binding { app, channel, user }
    }
}

/// What a token grants: app, channel, user, expiry and its nonce. `Debug` leaves the nonce
/// out.
#[derive(Clone, PartialEq, Eq)]
pub struct Claims {
    ids: Ids,
    expires_at: i64,
    nonce: [u8; NONCE_LEN],
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("app", &self.app())
            .field("channel", &self.channel())
            .field("user", &self.user())
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Claims {
    /// The app id.
    #[must_use]
    pub fn app(&self) -> &str {
        self.ids.get(0)
    }

    /// The channel id.
    #[must_use]
    pub fn channel(&self) -> &str {
        self.ids.get(1)
    }

    /// The user id.
    #[must_use]
    pub fn user(&self) -> &str {
        self.ids.get(2)
    }

    /// The expiry, in whole seconds.
    #[must_use]
    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.expires_at, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    fn signed_bytes(&self, key_id: u32) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            HEADER_LEN
                .saturating_add(3)
                .saturating_add(self.app().len())
                .saturating_add(self.channel().len())
                .saturating_add(self.user().len())
                .saturating_add(MAC_LEN),
        );
        out.push(TOKEN_VERSION);
        out.extend_from_slice(&key_id.to_be_bytes());
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        out.extend_from_slice(&self.nonce);
        for id in [self.app(), self.channel(), self.user()] {
            // Ids are at most MAX_ID_LEN (64) bytes by construction and by parsing.
            out.push(u8::try_from(id.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(id.as_bytes());
        }
        out
    }
}

/// A parsed token: its key id, claims and signature, not yet verified.
///
/// `Display` writes the token text and `FromStr` reads it back (checking its layout only; a
/// [`Keyring`] or [`TokenVerifier`] checks the signature). `Debug` shows the key id and the
/// claims, never the nonce or the signature.
///
/// ```
/// use mediameter_gateway::token::{AppKey, Keyring, Token};
/// let ring = Keyring::new(AppKey::from_secret(3, [9; 32]));
/// let t = ring.issue("a", "c", "u", chrono::DateTime::UNIX_EPOCH)?;
/// let back: Token = t.to_string().parse()?;
/// assert_eq!(back, t);
/// assert_eq!(back.key_id(), 3);
/// assert!(!format!("{t:?}").contains(&t.to_string()));
/// # Ok::<(), mediameter_gateway::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    key_id: u32,
    claims: Claims,
    mac: [u8; MAC_LEN],
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("key_id", &self.key_id)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

impl Token {
    /// The id of the key that signed it.
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The claims (unverified until a keyring checks the token).
    #[must_use]
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = self.claims.signed_bytes(self.key_id);
        bytes.extend_from_slice(&self.mac);
        f.write_str(&URL_SAFE_NO_PAD.encode(bytes))
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|s| s.try_into().ok())
    }

    fn id(&mut self) -> Option<&'a str> {
        let [len] = self.array::<1>()?;
        let len = usize::from(len);
        if len == 0 || len > MAX_ID_LEN {
            return None;
        }
        let s = std::str::from_utf8(self.take(len)?).ok()?;
        (!s.chars().any(char::is_control)).then_some(s)
    }
}

impl FromStr for Token {
    type Err = Error;

    /// Reads a token's layout.
    ///
    /// # Errors
    ///
    /// [`Error::Token`] with [`TokenErrorReason::Malformed`] or
    /// [`TokenErrorReason::UnsupportedVersion`]; the message never contains the input.
    fn from_str(s: &str) -> Result<Self> {
        let mut buf = [0_u8; DECODE_BUF_LEN];
        let layout = Layout::read(decode(s, &mut buf)?)?;
        Ok(Token {
            key_id: layout.key_id,
            claims: layout.claims()?,
            mac: layout.mac_array()?,
        })
    }
}

/// Nonces of accepted tokens until their expiry (plus skew) has passed, at most `capacity`.
///
/// When full of live nonces a new token is refused ([`TokenErrorReason::ReplayCacheFull`],
/// fail closed) rather than let a replay through.
#[derive(Debug)]
struct ReplayCache {
    seen: HashMap<[u8; NONCE_LEN], i64>,
    capacity: usize,
}

impl ReplayCache {
    fn admit(&mut self, nonce: [u8; NONCE_LEN], until: i64, now: i64) -> Result<()> {
        if let Some(&t) = self.seen.get(&nonce)
            && t >= now
        {
            return Err(Error::token(TokenErrorReason::Replayed));
        }
        if self.seen.len() >= self.capacity {
            self.seen.retain(|_, t| *t >= now);
        }
        if self.seen.len() >= self.capacity {
            return Err(Error::token(TokenErrorReason::ReplayCacheFull));
        }
        self.seen.insert(nonce, until);
        Ok(())
    }
}

/// A [`Keyring`] with a clock skew and a replay cache, shared between threads (`&self`
/// throughout; the keyring behind a read-write lock, the cache behind a mutex).
///
/// ```
/// use chrono::{DateTime, TimeDelta};
/// use mediameter_gateway::token::{AppKey, Binding, Keyring, TokenVerifier};
/// let now = DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
/// let v = TokenVerifier::new(Keyring::new(AppKey::from_secret(1, [1; 32])), 100);
/// let old = v.issue("a", "c", "u", now + TimeDelta::minutes(5))?.to_string();
/// v.rotate(AppKey::from_secret(2, [2; 32]))?;
/// let who = Binding::new("a", "c", "u");
/// assert!(v.verify(&old, &who, now).is_ok()); // during the changeover
/// v.revoke_previous();
/// let again = v.issue("a", "c", "u", now + TimeDelta::minutes(5))?;
/// assert_eq!(again.key_id(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TokenVerifier {
    keys: RwLock<Keyring>,
    replay: Mutex<ReplayCache>,
    skew: TimeDelta,
}

impl TokenVerifier {
    /// A verifier over `keys`, remembering at most `replay_capacity` nonces (at least 1), with a
    /// clock skew of 30 seconds.
    #[must_use]
    pub fn new(keys: Keyring, replay_capacity: usize) -> Self {
        TokenVerifier {
            keys: RwLock::new(keys),
            replay: Mutex::new(ReplayCache {
                seen: HashMap::new(),
                capacity: replay_capacity.max(1),
            }),
            skew: TimeDelta::seconds(30),
        }
    }

    /// The same verifier with another clock skew.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for a skew below zero or above [`MAX_SKEW_SECONDS`].
    ///
    /// ```
    /// use mediameter_gateway::token::{AppKey, Keyring, TokenVerifier};
    /// let v = TokenVerifier::new(Keyring::new(AppKey::from_secret(1, [1; 32])), 10);
    /// assert!(v.with_skew(chrono::TimeDelta::hours(1)).is_err());
    /// ```
    pub fn with_skew(mut self, skew: TimeDelta) -> Result<Self> {
        if skew < TimeDelta::zero() || skew > TimeDelta::seconds(MAX_SKEW_SECONDS) {
            // Whole seconds when it is some, else milliseconds: never rounded onto the limit.
            let value = if skew.subsec_nanos() == 0 {
                format!("{} s", skew.num_seconds())
            } else {
                format!("{} ms", skew.num_milliseconds())
            };
            return Err(Error::out_of_range(
                "clock skew",
                value,
                format!("0 to {MAX_SKEW_SECONDS} s"),
            ));
        }
        self.skew = skew;
        Ok(self)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keyring> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Signs a token with the current key; see [`Keyring::issue`].
    ///
    /// # Errors
    ///
    /// As [`Keyring::issue`].
    pub fn issue(
        &self,
        app: &str,
        channel: &str,
        user: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Token> {
        self.read().issue(app, channel, user, expires_at)
    }

    /// Verifies `token` for `expected` at `now` and records its nonce: a second use is
    /// refused.
    ///
    /// # Errors
    ///
    /// As [`Keyring::check`], and [`TokenErrorReason::Replayed`] or
    /// [`TokenErrorReason::ReplayCacheFull`].
    pub fn verify(
        &self,
        token: &str,
        expected: &Binding<'_>,
        now: DateTime<Utc>,
    ) -> Result<Claims> {
        let claims = self.read().check(token, expected, now, self.skew)?;
        let until = claims.expires_at.saturating_add(self.skew.num_seconds());
        self.replay
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .admit(claims.nonce, until, now.timestamp())?;
        Ok(claims)
    }

    /// Starts a changeover; see [`Keyring::rotate`].
    ///
    /// # Errors
    ///
    /// As [`Keyring::rotate`].
    pub fn rotate(&self, next: AppKey) -> Result<()> {
        self.keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .rotate(next)
    }

    /// Ends a changeover; see [`Keyring::revoke_previous`].
    pub fn revoke_previous(&self) {
        self.keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .revoke_previous();
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    fn ring() -> Keyring {
        Keyring::new(AppKey::from_secret(1, [42; 32]))
    }

    /// An unusable setting is `Error::Invalid` (a number out of its range `Error::OutOfRange`)
    /// with the workspace's fields and message, as in every other crate (it was a gateway-only
    /// `Config` kind).
    #[test]
    fn unusable_settings_are_invalid_in_the_workspace_shape() {
        use crate::ErrorKind;
        let mut keys = ring();
        let err = keys.rotate(AppKey::from_secret(1, [7; 32])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(matches!(
            &err,
            Error::Invalid { field: "key id", value, expected }
                if value == "1" && expected == "an id other than the current key's"
        ));
        assert_eq!(
            err.to_string(),
            "invalid key id \"1\": expected an id other than the current key's"
        );
        let err = TokenVerifier::new(ring(), 10)
            .with_skew(TimeDelta::seconds(301))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutOfRange);
        assert_eq!(
            err.to_string(),
            "clock skew 301 s is out of range: expected 0 to 300 s"
        );
        let err = TokenVerifier::new(ring(), 10)
            .with_skew(TimeDelta::milliseconds(300_001))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "clock skew 300001 ms is out of range: expected 0 to 300 s"
        );
    }

    fn reason(r: Result<Claims>) -> Option<TokenErrorReason> {
        match r {
            Err(Error::Token { reason }) => Some(reason),
            _ => None,
        }
    }

    #[test]
    fn every_byte_is_covered_by_the_signature() {
        let ring = ring();
        let who = Binding::new("app", "chan", "user");
        let t = ring
            .issue("app", "chan", "user", now() + TimeDelta::minutes(1))
            .unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(t.to_string()).unwrap();
        assert!(
            ring.check(&t.to_string(), &who, now(), TimeDelta::zero())
                .is_ok()
        );
        for i in 0..bytes.len() {
            bytes[i] ^= 0x01;
            let text = URL_SAFE_NO_PAD.encode(&bytes);
            let r = reason(ring.check(&text, &who, now(), TimeDelta::zero()));
            assert!(r.is_some(), "flipping byte {i} was accepted");
            bytes[i] ^= 0x01;
        }
    }

    #[test]
    fn expiry_with_skew_and_lifetime_bound() {
        let ring = ring();
        let who = Binding::new("a", "c", "u");
        let t = ring.issue("a", "c", "u", now()).unwrap().to_string();
        let skew = TimeDelta::seconds(30);
        assert!(ring.check(&t, &who, now() + skew, skew).is_ok());
        assert_eq!(
            reason(ring.check(&t, &who, now() + skew + TimeDelta::seconds(1), skew)),
            Some(TokenErrorReason::Expired)
        );
        let far = ring
            .issue("a", "c", "u", now() + TimeDelta::days(2))
            .unwrap()
            .to_string();
        assert_eq!(
            reason(ring.check(&far, &who, now(), skew)),
            Some(TokenErrorReason::TooLongLived)
        );
    }

    #[test]
    fn replay_cache_is_bounded_and_fails_closed() {
        let v = TokenVerifier::new(ring(), 2);
        let who = Binding::new("a", "c", "u");
        let exp = now() + TimeDelta::minutes(1);
        let toks: Vec<String> = (0..3)
            .map(|_| v.issue("a", "c", "u", exp).unwrap().to_string())
            .collect();
        assert!(v.verify(&toks[0], &who, now()).is_ok());
        assert!(v.verify(&toks[1], &who, now()).is_ok());
        assert_eq!(
            reason(v.verify(&toks[2], &who, now())),
            Some(TokenErrorReason::ReplayCacheFull)
        );
        // After the first two expired, their nonces go and the third gets in; the first, replayed,
        // is refused as expired (its nonce was dropped only because it can no longer verify).
        let later = exp + TimeDelta::seconds(31);
        let fresh = v
            .issue("a", "c", "u", later + TimeDelta::minutes(1))
            .unwrap()
            .to_string();
        assert!(v.verify(&fresh, &who, later).is_ok());
        assert_eq!(
            reason(v.verify(&toks[0], &who, later)),
            Some(TokenErrorReason::Expired)
        );
    }

    #[test]
    fn the_longest_token_decodes_on_the_stack() {
        // Three 64-byte ids (multi-byte UTF-8 in one): 256 bytes, 342 characters, the bound
        // the stack buffer of the verification path is sized for.
        let ring = ring();
        let (a, c, u) = ("a".repeat(64), "é".repeat(32), "u".repeat(64));
        let t = ring.issue(&a, &c, &u, now()).unwrap();
        let text = t.to_string();
        assert_eq!(text.len(), MAX_TOKEN_LEN);
        let claims = ring
            .check(&text, &Binding::new(&a, &c, &u), now(), TimeDelta::zero())
            .unwrap();
        assert_eq!(
            (claims.app(), claims.channel(), claims.user()),
            (&*a, &*c, &*u)
        );
        assert_eq!(text.parse::<Token>().unwrap(), t);
        // One character more is refused before decoding.
        assert_eq!(
            reason(ring.check(
                &format!("{text}A"),
                &Binding::new(&a, &c, &u),
                now(),
                TimeDelta::zero()
            )),
            Some(TokenErrorReason::Malformed)
        );
    }

    #[test]
    fn ids_are_checked_at_issue() {
        let ring = ring();
        for (a, c, u, field) in [
            ("", "c", "u", "app"),
            ("a", &*"c".repeat(65), "u", "channel"),
            ("a", "c", "u\n", "user"),
        ] {
            assert_eq!(
                ring.issue(a, c, u, now()).unwrap_err(),
                Error::token(TokenErrorReason::InvalidClaim(field))
            );
        }
    }
}
