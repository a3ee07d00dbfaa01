//! Communication records (Alibaba Cloud RTC console guide §3).

use mediameter_core::MediaSpec;
use mediameter_usage::{communication_records, csv::user_detail_csv};

use crate::common::*;

#[test]
fn sessions_users_and_durations() {
    let t = DAY0_GMT8;
    let segs = [
        seg("a", "c", "host", "pub", "720p", t, t + 600),
        publisher(seg("a", "c", "v1", "sub", "720p", t + 60, t + 300), "host"),
        publisher(seg("a", "c", "v1", "sub", "720p", t + 400, t + 500), "host"),
        publisher(
            seg("a", "c", "v2", "sub", "audio", t + 100, t + 700),
            "host",
        ),
        // After a gap: a second session of the same channel.
        seg("a", "c", "host", "pub", "720p", t + 1000, t + 1100),
        seg("a", "other", "x", "pub", "audio", t, t + 10),
    ];
    let s = communication_records(&segs).unwrap();
    assert_eq!(s.len(), 3);
    let first = &s[0];
    assert_eq!(
        (
            first.channel.as_str(),
            first.start.timestamp(),
            first.end.timestamp()
        ),
        ("c", t, t + 700)
    );
    assert_eq!((first.publishers, first.subscribers), (1, 2));
    let p720 = "720p".parse::<MediaSpec>().unwrap();
    assert_eq!(first.publish_seconds[p720], 600);
    assert_eq!(first.subscribe_seconds[p720], 340);
    assert_eq!(first.subscribe_seconds[MediaSpec::Audio], 600);
    let v1 = first.users.iter().find(|u| u.user == "v1").unwrap();
    assert_eq!(
        (v1.join.timestamp(), v1.leave.timestamp()),
        (t + 60, t + 500)
    );
    assert_eq!(v1.presence.len(), 2);
    assert_eq!(s[1].channel, "c");
    assert_eq!(s[1].start.timestamp(), t + 1000);
    let csv = user_detail_csv(&s);
    assert_eq!(csv.lines().count(), 1 + 3 + 1 + 1);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("a,c,2023-03-19T16:00:00Z,v2,"))
    );
}
