//! Jobs on scoped threads, for the passes that split their work (the
//! table's reports and CSV loading).

use crate::error::{Error, Result};

/// The most threads a report or load starts.
pub(crate) const MAX_THREADS: usize = 64;

/// The threads a caller's `threads` asks for: 0 is all the machine has; never above
/// [`MAX_THREADS`].
pub(crate) fn resolve(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .min(MAX_THREADS)
}

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
