//! Jobs on scoped threads, for the passes that split their work (`report_parallel`, the
//! table's reports and CSV loading).

use crate::error::{Error, Result};

/// Runs `job(k)` for every `k` in `0..n`, each on its own thread when `n > 1`, and returns
/// the results in order of `k`. A job that could not finish (its thread panicked, which no
/// code of this crate does) gives an error.
pub(crate) fn on_threads<T: Send>(
    n: usize,
    job: impl Fn(usize) -> Result<T> + Sync,
) -> Vec<Result<T>> {
    if n <= 1 {
        return vec![job(0)];
    }
    std::thread::scope(|s| {
        let job = &job;
        let handles: Vec<_> = (0..n).map(|k| s.spawn(move || job(k))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or(Err(Error::overflow("a worker thread stopped")))
            })
            .collect()
    })
}
