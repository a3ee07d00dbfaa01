//! Hashing: a stable 64-bit hash for sketches that travel between machines (public as
//! [`stable_id_hash`], the one item of this module in the crate's API), and a fast hasher for
//! the in-memory tables of the hot path.
//!
//! `std`'s `DefaultHasher` is SipHash with keys that may change between Rust releases, so a
//! HyperLogLog sketch built with it on one machine could not be merged with one built on
//! another. `stable_hash` is fixed forever: FNV-1a 64 over the bytes, then the `fmix64`
//! finalizer of MurmurHash3 so that every output bit depends on every input bit (FNV alone has
//! weak low bits, and HyperLogLog reads the low bits for the register index).

use std::hash::{BuildHasherDefault, Hasher};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The `fmix64` finalizer of MurmurHash3: a bijection on `u64` with full avalanche.
#[must_use]
#[inline]
pub(crate) const fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// FNV-1a 64 of `parts`, each followed by a 0xFF separator byte (which never occurs in UTF-8,
/// so `("ab","c")` and `("a","bc")` differ), finished with [`fmix64`]. Stable across
/// platforms, Rust versions and releases of this crate: sketches built anywhere merge.
#[must_use]
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h = FNV_OFFSET;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        h ^= 0xff;
        h = h.wrapping_mul(FNV_PRIME);
    }
    fmix64(h)
}

/// The stable 64-bit hash of an id scoped to its app: the item that approximate distinct
/// counting ([`DistinctMode::Approximate`](crate::DistinctMode::Approximate)) puts into its
/// HyperLogLog sketches. `app` is the empty string under
/// [`IdScope::Global`](crate::IdScope::Global).
///
/// It is public for one reason: sketches travel. A state serialized here merges with one built
/// by another engine (another machine, another release, a query engine that runs the same
/// aggregation elsewhere) only if both hash ids the same way, so this function is fixed
/// forever: FNV-1a 64 over each part's bytes followed by a 0xFF separator, finished with
/// MurmurHash3's `fmix64` finalizer, the two parts combined as
/// `fmix64(rotl(h(app), 29) ^ h(id) · 0x9e3779b97f4a7c15)` (`docs/usage.md`, "HyperLogLog").
/// The pinned value below is tested: a change would break merging with stored sketches.
///
/// ```
/// use mediameter_usage::stable_id_hash;
/// assert_eq!(stable_id_hash("a", "u1"), stable_id_hash("a", "u1"));
/// assert_ne!(stable_id_hash("a", "u1"), stable_id_hash("b", "u1"));
/// assert_ne!(stable_id_hash("a", "b"), stable_id_hash("b", "a"));
/// assert_eq!(stable_id_hash("app1", "u1"), 0xdeb0_e25f_5a03_31cd);
/// ```
#[must_use]
pub fn stable_id_hash(app: &str, id: &str) -> u64 {
    combine(
        stable_hash(&[app.as_bytes()]),
        stable_hash(&[id.as_bytes()]),
    )
}

/// Combines the stable hashes of an app and an id (order-sensitive).
#[inline]
#[must_use]
pub(crate) const fn combine(app: u64, id: u64) -> u64 {
    fmix64(app.rotate_left(29) ^ id.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A fast, non-cryptographic hasher for in-process tables keyed by small integers and short
/// ids (the multiply-rotate scheme of rustc's `FxHasher`). Not stable across releases and not
/// resistant to hash flooding: use it only for data already validated and bounded.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0_u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0_u8; 8];
            for (d, s) in w.iter_mut().zip(rest) {
                *d = *s;
            }
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i.cast_unsigned());
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // hashbrown takes the top 7 bits as a tag and the low bits as the index: mix once so
        // both are good even for sequential keys.
        fmix64(self.hash)
    }
}

/// `BuildHasher` of [`FastHasher`].
pub(crate) type FastBuild = BuildHasherDefault<FastHasher>;

/// A `HashMap` with the [`FastHasher`].
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, FastBuild>;

/// An id of at most 23 bytes stored inline (its length in the last byte), so that looking it
/// up compares three words instead of chasing a pointer to the interned copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Inline([u64; 3]);

impl Inline {
    pub(crate) const MAX: usize = 23;

    #[inline]
    pub(crate) fn new(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() > Self::MAX {
            return None;
        }
        // Word by word from the bytes (no copy through a stack buffer, which would cost a
        // call to `memcpy` and a failed store-to-load forwarding).
        let mut words = [0_u64; 3];
        for (w, chunk) in words.iter_mut().zip(b.chunks(8)) {
            *w = match <[u8; 8]>::try_from(chunk) {
                Ok(full) => u64::from_le_bytes(full),
                Err(_) => chunk
                    .iter()
                    .rev()
                    .fold(0_u64, |acc, &byte| (acc << 8) | u64::from(byte)),
            };
        }
        // The length in the last byte (at most 23, so it never overlaps an id byte).
        words[2] |= u64::try_from(b.len()).unwrap_or(0) << 56;
        Some(Inline(words))
    }

    /// The most bytes of a tiny key ([`Inline::is_tiny`]).
    pub(crate) const TINY: usize = 11;

    /// Whether the key has at most [`Inline::TINY`] bytes: its bytes are then in the first
    /// word and the low three bytes of the second, and the third word holds only the length.
    #[inline]
    pub(crate) const fn is_tiny(&self) -> bool {
        self.0[2] >> 56 <= Self::TINY as u64
    }

    /// The words of the key.
    #[inline]
    pub(crate) const fn words(&self) -> [u64; 3] {
        self.0
    }

    /// The key of [`Inline::words`].
    #[inline]
    pub(crate) const fn from_words(words: [u64; 3]) -> Self {
        Inline(words)
    }

    /// A 64-bit hash of the key for [`crate::intern::InlineTable`] (every output bit depends
    /// on every input bit; not stable across releases).
    #[inline]
    pub(crate) const fn hash64(&self) -> u64 {
        let [a, b, c] = self.0;
        fmix64(
            a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
                ^ c.wrapping_mul(0xc2b2_ae3d_27d4_eb4f),
        )
    }
}

/// A 64-bit hash of a string of any length for the in-memory tables (eight bytes at a time,
/// every output bit depending on every input bit; not stable across releases).
#[inline]
pub(crate) fn text_hash(s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut h = u64::try_from(bytes.len())
        .unwrap_or(u64::MAX)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for c in chunks.by_ref() {
        let mut w = [0_u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w))
            .wrapping_mul(0xff51_afd7_ed55_8ccd)
            .rotate_left(31);
    }
    let mut last = [0_u8; 8];
    for (d, b) in last.iter_mut().zip(chunks.remainder()) {
        *d = *b;
    }
    fmix64(h ^ u64::from_le_bytes(last).wrapping_mul(0xc4ce_b9fe_1a85_ec53))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmix64_is_a_mixing_bijection() {
        assert_eq!(fmix64(0), 0);
        assert_ne!(fmix64(1), fmix64(2));
    }

    #[test]
    fn stable_hash_is_pinned_and_separates_parts() {
        assert_eq!(
            stable_hash(&[b"app1", b"u1"]),
            stable_hash(&[b"app1", b"u1"])
        );
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
        // Pinned value: a change here breaks merging with sketches already stored.
        assert_eq!(stable_hash(&[b"u1"]), 0x3395_9af5_9324_5c77);
    }

    #[test]
    fn fast_build_is_deterministic() {
        use std::hash::BuildHasher;
        let b = FastBuild::default();
        assert_eq!(b.hash_one(42_u32), b.hash_one(42_u32));
    }

    #[test]
    fn fnv_core_matches_reference() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; our hash appends the separator and
        // finalizes, so check the inner loop separately.
        let mut h = FNV_OFFSET;
        h ^= u64::from(b'a');
        h = h.wrapping_mul(FNV_PRIME);
        assert_eq!(h, 0xaf63_dc4c_8601_ec8c);
    }

    proptest::proptest! {
        #[test]
        fn inline_keeps_bytes_and_length(s in "\\PC{0,12}", t in "[a-z0-9]{0,30}") {
            for x in [s.as_str(), t.as_str()] {
                let b = x.as_bytes();
                let k = Inline::new(x);
                if b.len() > Inline::MAX {
                    proptest::prop_assert!(k.is_none());
                    continue;
                }
                // The reference layout: the bytes, zero padding, the length in byte 23.
                let mut buf = [0_u8; 24];
                buf[..b.len()].copy_from_slice(b);
                buf[23] = u8::try_from(b.len()).unwrap();
                let words: Vec<u64> = buf
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
                    .collect();
                let k = k.unwrap();
                proptest::prop_assert_eq!(k.0.to_vec(), words);
                proptest::prop_assert_eq!(k.hash64(), Inline::new(x).unwrap().hash64());
            }
        }
    }

    #[test]
    fn inline_keys_differ_by_length() {
        // "a" and "a\0" share their bytes but not their length.
        assert_ne!(Inline::new("a"), Inline::new("a\0"));
    }

    #[test]
    fn fast_hasher_differs_on_tail_bytes() {
        use std::hash::BuildHasher;
        let b = FastBuild::default();
        assert_ne!(b.hash_one("abcdefghi"), b.hash_one("abcdefghj"));
    }
}
