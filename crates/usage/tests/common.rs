//! Shared builders and strategies.

use mediameter_core::{
    AppId, ChannelId, MediaSpec, RegionId, Role, StreamSegment, TimeRange, UserId,
};
use mediameter_usage::{Aggregator, Error, UsageQuery, UsageState};
use proptest::prelude::*;

/// The state of `segments` under `query`: one mergeable aggregator fed every segment.
pub fn aggregate<I>(query: &UsageQuery, segments: I) -> Result<UsageState, Error>
where
    I: IntoIterator,
    I::Item: std::borrow::Borrow<StreamSegment>,
{
    let mut agg = Aggregator::new(query.clone())?;
    agg.extend(segments)?;
    agg.finish()
}

/// A segment from short strings and Unix seconds.
pub fn seg(
    app: &str,
    ch: &str,
    user: &str,
    role: &str,
    spec: &str,
    start: i64,
    end: i64,
) -> StreamSegment {
    StreamSegment::new(
        AppId::new(app).unwrap(),
        ChannelId::new(ch).unwrap(),
        UserId::new(user).unwrap(),
        role.parse::<Role>().unwrap(),
        spec.parse::<MediaSpec>().unwrap(),
        TimeRange::from_unix(start, end).unwrap(),
    )
}

/// Sets the region.
pub fn region(s: StreamSegment, r: &str) -> StreamSegment {
    s.with_region(RegionId::new(r).unwrap())
}

/// Sets the publisher.
pub fn publisher(s: StreamSegment, p: &str) -> StreamSegment {
    s.with_publisher(UserId::new(p).unwrap())
}

/// 2023-03-20T00:00:00+08:00.
pub const DAY0_GMT8: i64 = 1_679_241_600;

/// Segments that overlap a lot: 2 apps, 4 channels, 6 users, 2 regions, inside a 6-hour window,
/// some crossing hour boundaries, some subscribe segments naming a publisher.
pub fn dense_segment() -> impl Strategy<Value = StreamSegment> {
    (
        0_u8..2,
        0_u8..4,
        0_u8..6,
        any::<bool>(),
        0_usize..6,
        0_i64..6 * 3600,
        1_i64..5400,
        0_u8..3,
        proptest::option::of(0_u8..6),
    )
        .prop_map(|(app, ch, user, publish, spec, start, dur, reg, publ)| {
            let role = if publish { "pub" } else { "sub" };
            let s = seg(
                &format!("app{app}"),
                &format!("ch{ch}"),
                &format!("u{user}"),
                role,
                MediaSpec::ALL[spec].as_str(),
                DAY0_GMT8 + start,
                DAY0_GMT8 + start + dur,
            );
            let s = if reg < 2 {
                region(s, &format!("r{reg}"))
            } else {
                s
            };
            match (publ, publish) {
                (Some(p), false) => publisher(s, &format!("u{p}")),
                _ => s,
            }
        })
}
