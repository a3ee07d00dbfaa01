//! HyperLogLog: approximate distinct counting in fixed memory, mergeable across machines.
//!
//! A sketch of precision `p` keeps `m = 2^p` one-byte registers. Each item is hashed with the
//! crate's [`stable_hash`](crate::hash::stable_hash) (fixed forever, so sketches built on
//! different machines and releases merge); the low `p` bits choose a register, and the register
//! keeps the largest "position of the first 1 bit" seen in the remaining 64 − p bits. The
//! estimate is Flajolet et al.'s harmonic mean with the small-range correction (linear counting
//! while at least one register is zero and the raw estimate is under 2.5 m).
//!
//! **Error bound.** The relative standard error is `1.04 / √m`: 1.63 % at the default
//! precision 12 (4 KiB per sketch), 0.81 % at 14. About 95 % of estimates fall within two
//! standard errors. Below 2.5 m the sketch switches to linear counting, whose standard error
//! `√(m(eᵗ − t − 1)) / n` (t = n/m) is smaller still (about 1.1 % at n = 100, m = 4096, and an
//! exact count for the first few items). The crate's tests check every estimate of a sweep
//! from 1 to 200,000 items against three standard errors.
//!
//! Merging takes the register-wise maximum: associative, commutative and idempotent, and
//! `merge(sketch(A), sketch(B)) == sketch(A ∪ B)` exactly, register for register.

use crate::error::{Error, Result};

/// A HyperLogLog sketch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "HllRepr", into = "HllRepr"))]
pub(crate) struct Hll {
    precision: u8,
    registers: Vec<u8>,
}

/// Serialized form: precision and the registers as a hex string (two digits per register).
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct HllRepr {
    precision: u8,
    registers: String,
}

#[cfg(feature = "serde")]
impl From<Hll> for HllRepr {
    fn from(h: Hll) -> Self {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(h.registers.len().saturating_mul(2));
        for r in &h.registers {
            let _ = write!(s, "{r:02x}");
        }
        HllRepr {
            precision: h.precision,
            registers: s,
        }
    }
}

#[cfg(feature = "serde")]
impl TryFrom<HllRepr> for Hll {
    type Error = Error;
    fn try_from(r: HllRepr) -> Result<Self> {
        let hex = |pair: &[u8]| {
            if pair.len() != 2 || !pair.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
        };
        let registers = r
            .registers
            .as_bytes()
            .chunks(2)
            .map(|pair| {
                hex(pair).ok_or_else(|| {
                    Error::invalid("hll registers", &r.registers, "two hex digits per register")
                })
            })
            .collect::<Result<Vec<u8>>>()?;
        Hll::from_registers(r.precision, &registers)
    }
}

impl Hll {
    /// Smallest accepted precision.
    pub(crate) const MIN_PRECISION: u8 = 4;
    /// Largest accepted precision.
    pub(crate) const MAX_PRECISION: u8 = 16;
    /// The default precision: 4,096 registers, 1.63 % standard error.
    pub(crate) const DEFAULT_PRECISION: u8 = 12;

    /// An empty sketch with `2^precision` registers.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] unless `4 <= precision <= 16`.
    pub(crate) fn new(precision: u8) -> Result<Self> {
        if !(Self::MIN_PRECISION..=Self::MAX_PRECISION).contains(&precision) {
            return Err(Error::out_of_range("hll precision", precision, "4 to 16"));
        }
        Ok(Hll {
            precision,
            registers: vec![0; 1_usize << precision],
        })
    }

    /// The registers, one byte each.
    #[cfg(feature = "serde")]
    pub(crate) fn registers(&self) -> &[u8] {
        &self.registers
    }

    /// The sketch of precision `precision` with `registers`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for a precision outside 4..=16; [`Error::Invalid`] unless there
    /// are `2^precision` registers, each at most `65 - precision`.
    #[cfg(feature = "serde")]
    pub(crate) fn from_registers(precision: u8, registers: &[u8]) -> Result<Self> {
        let mut h = Hll::new(precision)?;
        if registers.len() != h.registers.len() {
            return Err(Error::invalid(
                "hll registers",
                &format!("{} registers", registers.len()),
                "2^precision registers",
            ));
        }
        let max = 64_u8.saturating_sub(precision).saturating_add(1);
        if let Some(v) = registers.iter().find(|&&v| v > max) {
            return Err(Error::invalid(
                "hll registers",
                &format!("a register of {v}"),
                "register values up to 65 - precision",
            ));
        }
        h.registers.copy_from_slice(registers);
        Ok(h)
    }

    /// The precision `p` (the sketch has `2^p` registers).
    #[must_use]
    pub(crate) const fn precision(&self) -> u8 {
        self.precision
    }

    /// The relative standard error of an estimate at this precision, `1.04 / √(2^p)`.
    #[cfg(test)]
    #[must_use]
    pub(crate) fn standard_error(&self) -> f64 {
        1.04 / f64::from(1_u32 << self.precision).sqrt()
    }

    /// Adds an item given by its [`stable_hash`](crate::hash::stable_hash).
    #[inline]
    pub(crate) fn insert_hash(&mut self, hash: u64) {
        let p = u32::from(self.precision);
        let mask = (1_u64 << p).wrapping_sub(1);
        let index = usize::try_from(hash & mask).unwrap_or(0);
        // The remaining 64 − p bits, with a sentinel bit so the rank is at most 65 − p.
        let rest = (hash >> p) | (1_u64 << (64_u32.saturating_sub(p)));
        let rank = u8::try_from(rest.trailing_zeros().saturating_add(1)).unwrap_or(u8::MAX);
        if let Some(r) = self.registers.get_mut(index) {
            *r = (*r).max(rank);
        }
    }

    /// Merges `other` into `self` (register-wise maximum).
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] if the precisions differ.
    pub(crate) fn merge(&mut self, other: &Hll) -> Result<()> {
        if self.precision != other.precision {
            return Err(Error::Incompatible {
                field: "hll precision",
                left: self.precision.to_string(),
                right: other.precision.to_string(),
            });
        }
        for (a, b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(*b);
        }
        Ok(())
    }

    /// The estimated number of distinct items.
    #[must_use]
    pub(crate) fn estimate(&self) -> f64 {
        let m = f64::from(1_u32 << self.precision);
        let mut sum = 0.0_f64;
        let mut zeros = 0_u32;
        for &r in &self.registers {
            sum += 0.5_f64.powi(i32::from(r));
            if r == 0 {
                zeros = zeros.saturating_add(1);
            }
        }
        let alpha = match self.precision {
            4 => 0.673,
            5 => 0.697,
            6 => 0.709,
            _ => 0.7213 / (1.0 + 1.079 / m),
        };
        let raw = alpha * m * m / sum;
        if raw <= 2.5 * m && zeros > 0 {
            m * (m / f64::from(zeros)).ln()
        } else {
            raw
        }
    }

    /// The estimate rounded to the nearest whole count.
    #[must_use]
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub(crate) fn count(&self) -> u64 {
        // The estimate is finite, non-negative and far below 2^64 for at most 2^16 registers.
        self.estimate().round().max(0.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::stable_hash;

    #[test]
    fn error_within_three_standard_errors() {
        let mut h = Hll::new(Hll::DEFAULT_PRECISION).unwrap();
        let se = h.standard_error();
        let mut n = 0_u64;
        for target in [1_u64, 10, 100, 400, 1_000, 5_000, 20_000, 60_000, 200_000] {
            while n < target {
                h.insert_hash(stable_hash(&[b"app", format!("user-{n}").as_bytes()]));
                n += 1;
            }
            let est = h.estimate();
            let err = (est - n as f64).abs() / n as f64;
            // Linear counting (estimates under 2.5 m) has standard error √(m(eᵗ − t − 1)) / n.
            let m = 4096.0_f64;
            let t = n as f64 / m;
            let lc = (m * (t.exp() - t - 1.0)).sqrt() / n as f64;
            let bound = 3.0 * if est < 2.5 * m { lc.min(se) } else { se };
            assert!(err <= bound, "n={n} est={est} err={err} bound={bound}");
        }
    }

    #[test]
    fn precision_bounds_and_small_counts() {
        assert!(Hll::new(3).is_err());
        assert!(Hll::new(17).is_err());
        let h = Hll::new(10).unwrap();
        assert_eq!(h.precision(), 10);
        assert_eq!(h.estimate(), 0.0);
        assert!((Hll::new(12).unwrap().standard_error() - 0.01625).abs() < 1e-5);
        let mut h = Hll::new(8).unwrap();
        h.insert_hash(12345);
        h.insert_hash(12345);
        assert!((h.estimate() - 1.0).abs() < 0.01);
        let mut h = Hll::new(12).unwrap();
        for i in 0..10_u64 {
            h.insert_hash(crate::hash::fmix64(i + 1));
        }
        assert_eq!(h.count(), 10);
        let mut h = Hll::new(12).unwrap();
        for i in 0..1000_u32 {
            h.insert_hash(stable_hash(&[&i.to_le_bytes()]));
        }
        let est = h.estimate();
        assert!((est - 1000.0).abs() < 1000.0 * 0.05, "{est}");
    }

    #[test]
    fn merge_needs_equal_precisions() {
        let (mut a, mut b) = (Hll::new(8).unwrap(), Hll::new(8).unwrap());
        a.insert_hash(1);
        b.insert_hash(2);
        a.merge(&b).unwrap();
        assert!((a.estimate() - 2.0).abs() < 0.1);
        assert!(a.merge(&Hll::new(9).unwrap()).is_err());
    }

    #[test]
    fn merge_equals_union() {
        let (mut a, mut b, mut u) = (
            Hll::new(10).unwrap(),
            Hll::new(10).unwrap(),
            Hll::new(10).unwrap(),
        );
        for i in 0..5000_u32 {
            let x = stable_hash(&[&i.to_le_bytes()]);
            if i % 3 == 0 {
                a.insert_hash(x)
            } else {
                b.insert_hash(x)
            }
            u.insert_hash(x);
        }
        a.merge(&b).unwrap();
        assert_eq!(a, u);
    }
}
