//! Jobs on scoped threads, for the passes that split their work (the
//! table's reports and CSV loading), and memory that threads may touch cheaply.

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

/// `n` copies of `fill`, every one written now.
///
/// For a large array that is read before it is written (a hash table probed before a key is
/// placed, counters read then incremented). Not `vec![0; n]`: that is lazily zeroed memory,
/// whose pages a first read maps to the system's shared zero page, so that the first write to
/// each page takes a copy-on-write fault, and in a process with several threads each such
/// fault interrupts the other processors to flush their TLBs (in a two-thread CSV load that
/// interned 200,000 users, 4 % of the time). Written now, each page faults once, as a write.
/// The fill goes through `black_box` so that the compiler cannot turn allocation and fill back
/// into a zeroed allocation.
pub(crate) fn written<T: Clone>(n: usize, fill: T) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, std::hint::black_box(fill));
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn written_holds_the_fill() {
        let v = super::written(10_000, [0_u64; 4]);
        assert_eq!(v.len(), 10_000);
        assert!(v.iter().all(|s| *s == [0; 4]));
        assert!(super::written(0, 7_u8).is_empty());
    }
}
