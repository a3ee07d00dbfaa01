//! Dense per-spec tables.

use std::fmt;

use mediameter_core::MediaSpec;

/// One value per [`MediaSpec`], stored densely in [`MediaSpec::index`] order. Serialized as a
/// map from the canonical spec name (`audio`, `360p`, ...) to the value, every spec present.
///
/// Exhaustive on purpose: one slot per spec of [`MediaSpec::ALL`], a set core keeps closed (the
/// vendors' price pages), so the array is public and `PerSpec([..])` builds a table.
///
/// ```
/// use mediameter_core::{MediaSpec, VideoTier};
/// use mediameter_usage::PerSpec;
/// let mut t = PerSpec::<u64>::default();
/// t[MediaSpec::Video(VideoTier::P720)] = 60;
/// assert_eq!(t.total(), 60);
/// assert_eq!(t.iter().filter(|(_, v)| **v > 0).count(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PerSpec<T>(pub [T; 6]);

impl<T> PerSpec<T> {
    /// `(spec, value)` pairs in [`MediaSpec::ALL`] order.
    ///
    /// ```
    /// let t = mediameter_usage::PerSpec([1_u64, 2, 3, 4, 5, 6]);
    /// assert_eq!(t.iter().next().map(|(s, v)| (s.as_str(), *v)), Some(("audio", 1)));
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (MediaSpec, &T)> {
        MediaSpec::ALL.into_iter().zip(self.0.iter())
    }
}

impl PerSpec<u64> {
    /// The sum over specs (saturating: a sum of seconds cannot reach 2^64 in practice).
    ///
    /// ```
    /// assert_eq!(mediameter_usage::PerSpec([1_u64, 2, 3, 0, 0, 0]).total(), 6);
    /// ```
    #[must_use]
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0_u64, |a, b| a.saturating_add(*b))
    }

    /// Adds `other` spec by spec.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] if a sum exceeds `u64`.
    ///
    /// ```
    /// let mut a = mediameter_usage::PerSpec([1_u64; 6]);
    /// a.checked_add_assign(&mediameter_usage::PerSpec([2_u64; 6]))?;
    /// assert_eq!(a.0, [3; 6]);
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    pub fn checked_add_assign(&mut self, other: &PerSpec<u64>) -> crate::Result<()> {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = a
                .checked_add(*b)
                .ok_or(crate::Error::overflow("seconds per spec"))?;
        }
        Ok(())
    }
}

impl<T> std::ops::Index<MediaSpec> for PerSpec<T> {
    type Output = T;
    fn index(&self, spec: MediaSpec) -> &T {
        // index() is always < 6, the array length.
        #[allow(clippy::indexing_slicing)]
        &self.0[spec.index()]
    }
}

impl<T> std::ops::IndexMut<MediaSpec> for PerSpec<T> {
    fn index_mut(&mut self, spec: MediaSpec) -> &mut T {
        #[allow(clippy::indexing_slicing)]
        &mut self.0[spec.index()]
    }
}

impl<T: fmt::Display> fmt::Display for PerSpec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (s, v)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{s}={v}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> serde::Serialize for PerSpec<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(6))?;
        for (spec, v) in self.iter() {
            m.serialize_entry(spec.as_str(), v)?;
        }
        m.end()
    }
}

#[cfg(feature = "serde")]
impl<'de, T: serde::Deserialize<'de> + Default + Copy> serde::Deserialize<'de> for PerSpec<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let m = std::collections::BTreeMap::<MediaSpec, T>::deserialize(d)?;
        let mut out = PerSpec([T::default(); 6]);
        for (k, v) in m {
            out[k] = v;
        }
        Ok(out)
    }
}
