use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::prelude::SessionContext;
use mediameter_core::{MinutePolicy, StreamSegment};
use mediameter_usage::{Aggregator, UsageQuery, UsageReport};

/// The usage crate's own example: a host and two viewers around 09:00 GMT+8, plus a second
/// app whose user ids repeat the first app's, and an unattributed viewer.
pub const CSV: &str = "app,channel,user,role,spec,region,start,end,publisher\n\
a1,room,host,pub,720p,cn-shanghai,1679273400,1679275800,\n\
a1,room,fan1,sub,720p,cn-shanghai,1679273700,1679274600,host\n\
a1,room,fan2,sub,720p,cn-shanghai,1679274000,1679275200,host\n\
a1,room2,fan1,sub,audio,cn-beijing,1679274100,1679274700,\n\
a2,room,host,pub,1080p,cn-beijing,1679270000,1679280000,\n\
a2,room,fan1,sub,1080p,cn-beijing,1679276000,1679276400,host\n";

pub fn segments() -> Vec<StreamSegment> {
    mediameter_usage::parse_csv(CSV).unwrap()
}

pub fn kernel(query: &UsageQuery, segs: &[StreamSegment], policy: MinutePolicy) -> UsageReport {
    let mut agg = Aggregator::new(query.clone()).unwrap();
    agg.extend(segs).unwrap();
    agg.report(policy).unwrap()
}

/// A fresh path in the temporary directory.
pub fn temp_path(ext: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("mm-df-{}-{n}.{ext}", std::process::id()))
}

/// A context with the functions and the segments as the memory table `t`, in `parts`
/// partitions.
pub fn memory_ctx(segs: &[StreamSegment], parts: usize) -> SessionContext {
    let ctx = SessionContext::new();
    mediameter_datafusion::register(&ctx);
    register_memory(&ctx, segs, parts);
    ctx
}

pub fn register_memory(ctx: &SessionContext, segs: &[StreamSegment], parts: usize) {
    let parts = parts.max(1);
    let chunk = segs.len().div_ceil(parts).max(1);
    let mut partitions: Vec<Vec<_>> = segs
        .chunks(chunk)
        .map(|c| vec![mediameter_datafusion::segments_to_batch(c).unwrap()])
        .collect();
    if partitions.is_empty() {
        partitions.push(vec![mediameter_datafusion::segments_to_batch(&[]).unwrap()]);
    }
    let table = datafusion::datasource::MemTable::try_new(
        mediameter_datafusion::segment_schema(),
        partitions,
    )
    .unwrap();
    ctx.register_table("t", std::sync::Arc::new(table)).unwrap();
}
