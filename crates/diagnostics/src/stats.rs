//! Small robust-statistics helpers on f64 slices.

/// The most values a robust estimate reads: longer series are read at an even stride.
///
/// The standard error of a median over 512 points is about 6 % of the spread (1.25·σ/√n), far
/// below what any threshold here resolves, and it keeps an hour of samples within the time
/// budget.
pub(crate) const ROBUST_CAP: usize = 512;

/// Median of `buf` (reordered in place); the mean of the two middle values for even lengths.
pub(crate) fn median(buf: &mut [f64]) -> Option<f64> {
    let n = buf.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    if n <= 16 {
        // Short slices (a 10 s block at 1 Hz): an insertion sort beats selection's set-up.
        for i in 1..n {
            let mut j = i;
            while let Some(k) = j.checked_sub(1) {
                let (Some(&a), Some(&b)) = (buf.get(k), buf.get(j)) else {
                    break;
                };
                if a.total_cmp(&b).is_le() {
                    break;
                }
                buf.swap(k, j);
                j = k;
            }
        }
        let upper = buf.get(mid).copied()?;
        return Some(if n % 2 == 1 {
            upper
        } else {
            (buf.get(mid.saturating_sub(1)).copied().unwrap_or(upper) + upper) / 2.0
        });
    }
    let (left, m, _) = buf.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *m;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((lower + upper) / 2.0)
}

/// Median and robust sigma (1.4826 × median absolute deviation) of a strided subsample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Robust {
    pub(crate) median: f64,
    pub(crate) sigma: f64,
}

impl Robust {
    /// The robust z-score of `x`, with `floor` as the smallest sigma.
    pub(crate) fn z(&self, x: f64, floor: f64) -> f64 {
        (x - self.median) / self.sigma.max(floor)
    }
}

/// Robust location and scale of `values`, reading at most [`ROBUST_CAP`] of them at an even
/// stride. `scratch` is reused to avoid allocating per call.
pub(crate) fn robust<I: ExactSizeIterator<Item = f64>>(
    values: I,
    scratch: &mut Vec<f64>,
) -> Option<Robust> {
    let n = values.len();
    let stride = n.div_ceil(ROBUST_CAP).max(1);
    scratch.clear();
    scratch.extend(values.step_by(stride));
    let med = median(scratch)?;
    for v in scratch.iter_mut() {
        *v = (*v - med).abs();
    }
    let mad = median(scratch)?;
    Some(Robust {
        median: med,
        sigma: 1.4826 * mad,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        let mut long: Vec<f64> = (0..41).rev().map(f64::from).collect();
        assert_eq!(median(&mut long), Some(20.0));
        let mut long_even: Vec<f64> = (0..40).map(f64::from).collect();
        assert_eq!(median(&mut long_even), Some(19.5));
    }

    #[test]
    fn robust_ignores_outliers() {
        let mut v: Vec<f64> = (0..100).map(|i| 50.0 + f64::from(i % 5)).collect();
        v[10] = 10_000.0;
        let r = robust(v.iter().copied(), &mut Vec::new()).unwrap();
        assert_eq!(r.median, 52.0);
        assert!((r.sigma - 1.4826).abs() < 1e-9);
    }
}
