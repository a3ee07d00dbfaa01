//! Communication records (Alibaba Cloud RTC console guide §3): channel sessions and per-user
//! detail.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use mediameter_core::{Role, StreamSegment};

use crate::error::{Error, Result};
use crate::spec_table::PerSpec;

/// One user's part in a channel session.
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
///     Role::Publish, MediaSpec::Audio, TimeRange::from_unix(0, 60)?);
/// let sessions = communication_records([&s])?;
/// let u = &sessions[0].users[0];
/// assert_eq!((u.user.as_str(), u.publish_seconds.total()), ("u", 60));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct UserDetail {
    /// The user id.
    pub user: String,
    /// When the user's first segment of the session started.
    pub join: DateTime<Utc>,
    /// When the user's last segment of the session ended.
    pub leave: DateTime<Utc>,
    /// Each stretch of presence (union of the user's segments, touching ones joined): one
    /// join/leave pair per stretch.
    pub presence: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Seconds published per spec.
    pub publish_seconds: PerSpec<u64>,
    /// Seconds subscribed per spec.
    pub subscribe_seconds: PerSpec<u64>,
}

/// A channel session: a maximal stretch during which the channel had at least one open
/// segment (segments that touch or overlap belong to the same session).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ChannelSession {
    /// The app.
    pub app: String,
    /// The channel.
    pub channel: String,
    /// The domain of the session's first segment that has one (Huawei's room list reports it).
    pub domain: Option<String>,
    /// When the first user joined.
    pub start: DateTime<Utc>,
    /// When the last user left.
    pub end: DateTime<Utc>,
    /// Distinct users who published.
    pub publishers: u64,
    /// Distinct users who subscribed.
    pub subscribers: u64,
    /// Seconds published per spec (reported, not billed).
    pub publish_seconds: PerSpec<u64>,
    /// Seconds subscribed per spec (billed).
    pub subscribe_seconds: PerSpec<u64>,
    /// Every participant, by user id.
    pub users: Vec<UserDetail>,
}

impl ChannelSession {
    /// The session's length in seconds.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Publish, MediaSpec::Audio, TimeRange::from_unix(0, 60)?);
    /// assert_eq!(communication_records([&s])?[0].duration_seconds(), 60);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn duration_seconds(&self) -> u64 {
        u64::try_from(self.end.signed_duration_since(self.start).num_seconds()).unwrap_or(0)
    }
}

struct UserAcc {
    spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    secs: [PerSpec<u64>; 2],
}

/// Builds the communication records of `segments`: sessions ordered by app, channel and start,
/// users within a session by user id.
///
/// # Errors
///
/// [`Error::Overflow`] if a duration sum overflows `u64`.
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let seg = |u: &str, role, s, e| -> mediameter_core::Result<StreamSegment> {
///     Ok(StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?,
///         UserId::new(u)?, role, MediaSpec::Audio, TimeRange::from_unix(s, e)?))
/// };
/// let sessions = communication_records([
///     seg("host", Role::Publish, 0, 600)?,
///     seg("guest", Role::Subscribe, 100, 400)?,
///     seg("guest", Role::Subscribe, 700, 800)?, // a new session: the channel was empty at 600
/// ])?;
/// assert_eq!(sessions.len(), 2);
/// assert_eq!((sessions[0].publishers, sessions[0].subscribers), (1, 1));
/// assert_eq!(sessions[0].subscribe_seconds.total(), 300);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn communication_records<I>(segments: I) -> Result<Vec<ChannelSession>>
where
    I: IntoIterator,
    I::Item: Borrow<StreamSegment>,
{
    let mut by_channel: BTreeMap<(String, String), Vec<StreamSegment>> = BTreeMap::new();
    for s in segments {
        let s = s.borrow();
        by_channel
            .entry((s.app.as_str().to_owned(), s.channel.as_str().to_owned()))
            .or_default()
            .push(s.clone());
    }
    let mut out = Vec::new();
    for ((app, channel), mut segs) in by_channel {
        segs.sort_by_key(|s| (s.range.start(), s.range.end()));
        let mut i = 0_usize;
        while let Some(first) = segs.get(i) {
            let start = first.range.start();
            let mut end = first.range.end();
            let mut j = i;
            while let Some(s) = segs.get(j) {
                if s.range.start() > end {
                    break;
                }
                end = end.max(s.range.end());
                j = j.saturating_add(1);
            }
            out.push(session(
                &app,
                &channel,
                segs.get(i..j).unwrap_or_default(),
                start,
                end,
            )?);
            i = j;
        }
    }
    Ok(out)
}

fn session(
    app: &str,
    channel: &str,
    segs: &[StreamSegment],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<ChannelSession> {
    let mut users: BTreeMap<&str, UserAcc> = BTreeMap::new();
    let mut publishers = BTreeSet::new();
    let mut subscribers = BTreeSet::new();
    let mut totals = [PerSpec::<u64>::default(); 2];
    for s in segs {
        let role = usize::from(s.role == Role::Subscribe);
        match s.role {
            Role::Publish => publishers.insert(s.user.as_str()),
            Role::Subscribe => subscribers.insert(s.user.as_str()),
        };
        let secs = s.range.seconds();
        let acc = users.entry(s.user.as_str()).or_insert_with(|| UserAcc {
            spans: Vec::new(),
            secs: [PerSpec::default(); 2],
        });
        // Segments arrive sorted by start: extend the last span or open a new one.
        match acc.spans.last_mut() {
            Some(last) if s.range.start() <= last.1 => last.1 = last.1.max(s.range.end()),
            _ => acc.spans.push((s.range.start(), s.range.end())),
        }
        if let (Some(u), Some(t)) = (acc.secs.get_mut(role), totals.get_mut(role)) {
            let v = &mut u[s.spec];
            *v = v
                .checked_add(secs)
                .ok_or(Error::overflow("session seconds"))?;
            let w = &mut t[s.spec];
            *w = w
                .checked_add(secs)
                .ok_or(Error::overflow("session seconds"))?;
        }
    }
    let count = |s: &BTreeSet<&str>| u64::try_from(s.len()).unwrap_or(u64::MAX);
    Ok(ChannelSession {
        app: app.to_owned(),
        channel: channel.to_owned(),
        domain: segs
            .iter()
            .find_map(|s| s.domain.as_ref().map(|d| d.as_str().to_owned())),
        start,
        end,
        publishers: count(&publishers),
        subscribers: count(&subscribers),
        publish_seconds: totals[0],
        subscribe_seconds: totals[1],
        users: users
            .into_iter()
            .map(|(u, acc)| UserDetail {
                user: u.to_owned(),
                join: acc.spans.first().map_or(start, |s| s.0),
                leave: acc.spans.iter().map(|s| s.1).max().unwrap_or(end),
                presence: acc.spans,
                publish_seconds: acc.secs[0],
                subscribe_seconds: acc.secs[1],
            })
            .collect(),
    })
}
