//! Huawei Cloud RTC room list response (Huawei Cloud RTC API reference).

use chrono::{DateTime, Utc};

use crate::records::ChannelSession;

/// A room's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "UPPERCASE"))]
#[non_exhaustive]
pub enum RoomState {
    /// Someone is still in the room.
    Running,
    /// The last user left.
    Closed,
}

/// When a room closed: an instant, or `-` while it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoomEnd {
    /// Still open: written `-`.
    Open,
    /// Closed at this instant.
    At(DateTime<Utc>),
}

#[cfg(feature = "serde")]
impl serde::Serialize for RoomEnd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RoomEnd::Open => s.serialize_str("-"),
            RoomEnd::At(t) => {
                s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            }
        }
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for RoomEnd {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if s == "-" {
            return Ok(RoomEnd::Open);
        }
        DateTime::parse_from_rfc3339(&s)
            .map(|t| RoomEnd::At(t.with_timezone(&Utc)))
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "end_time {s:?}: expected \"-\" or YYYY-MM-DDThh:mm:ssZ ({e})"
                ))
            })
    }
}

/// One room (`RtcServerRoomInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RoomInfo {
    /// Domain.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub domain: Option<String>,
    /// App.
    pub app: String,
    /// Room id.
    pub room_id: String,
    /// State.
    pub state: RoomState,
    /// Seconds from the first join to the last leave (to `as_of` while open).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub duration: Option<u64>,
    /// When the first user joined.
    pub start_time: DateTime<Utc>,
    /// When the last user left, or open.
    pub end_time: RoomEnd,
}

/// The room list response.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_usage::vendor::{RoomEnd, RoomListResponse};
/// let json = r#"{"total":1,"room_info_list":[{"domain":"d","app":"a","room_id":"r","state":"RUNNING",
///   "start_time":"2021-04-23T09:55:30Z","end_time":"-"}],"offset":0,"limit":2}"#;
/// let r: RoomListResponse = serde_json::from_str(json)?;
/// assert_eq!(r.room_info_list[0].end_time, RoomEnd::Open);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RoomListResponse {
    /// Rooms matching the query (before paging).
    pub total: u64,
    /// Page size.
    pub limit: u64,
    /// Page offset.
    pub offset: u64,
    /// The page of rooms.
    pub room_info_list: Vec<RoomInfo>,
}

impl RoomListResponse {
    /// A page of the room list for channel sessions, as seen at `as_of`: a session still going
    /// at `as_of` (its end is later) is `RUNNING` with end `-` and the duration so far; a
    /// session starting after `as_of` is left out. `state` filters; rooms are ordered by start.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// use mediameter_usage::vendor::{RoomListResponse, RoomState};
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("r1")?, UserId::new("u")?,
    ///     Role::Publish, MediaSpec::Audio, TimeRange::from_unix(0, 600)?);
    /// let sessions = communication_records([&s])?;
    /// let at = chrono::DateTime::from_timestamp(300, 0).ok_or("out of range")?;
    /// let page = RoomListResponse::from_sessions(&sessions, at, None, 10, 0);
    /// assert_eq!(page.room_info_list[0].state, RoomState::Running);
    /// assert_eq!(page.room_info_list[0].duration, Some(300));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn from_sessions(
        sessions: &[ChannelSession],
        as_of: DateTime<Utc>,
        state: Option<RoomState>,
        limit: u64,
        offset: u64,
    ) -> Self {
        let mut rooms: Vec<RoomInfo> = sessions
            .iter()
            .filter(|s| s.start <= as_of)
            .map(|s| {
                let running = s.end > as_of;
                let end = if running { as_of } else { s.end };
                RoomInfo {
                    domain: s.domain.clone(),
                    app: s.app.clone(),
                    room_id: s.channel.clone(),
                    state: if running {
                        RoomState::Running
                    } else {
                        RoomState::Closed
                    },
                    duration: u64::try_from(end.signed_duration_since(s.start).num_seconds()).ok(),
                    start_time: s.start,
                    end_time: if running {
                        RoomEnd::Open
                    } else {
                        RoomEnd::At(s.end)
                    },
                }
            })
            .filter(|r| state.is_none_or(|st| st == r.state))
            .collect();
        rooms.sort_by(|a, b| {
            (a.start_time, &a.app, &a.room_id).cmp(&(b.start_time, &b.app, &b.room_id))
        });
        let total = u64::try_from(rooms.len()).unwrap_or(u64::MAX);
        let page = rooms
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect();
        RoomListResponse {
            total,
            limit,
            offset,
            room_info_list: page,
        }
    }
}
