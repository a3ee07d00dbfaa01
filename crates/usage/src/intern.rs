//! The crate's one interner, [`Dict`]: each distinct string of a column once, numbered
//! densely from 0 in order of first appearance, for every engine (the aggregators and the
//! table alike).
//!
//! Ids of at most 23 bytes live in open-addressing tables ([`InlineTable`]) keyed by the
//! bytes themselves ([`Inline`]). Each slot holds the key and its id (all zeros when free),
//! probed linearly from the key's hash: a lookup reads one slot, usually, and compares its
//! words, with no pointer to chase. Ids of at most 11 bytes (numeric user ids, the usual
//! generated names) have a table of their own whose slots are 16 bytes ([`Tiny`]), four to a
//! cache line, the others 32 bytes ([`Short`]): a dictionary of 200,000 such users takes
//! 8 MiB instead of 16, and its lookups miss the caches less (the figures are in the
//! dictionaries section of `docs/usage.md`). A batch of lookups can first touch the home slot
//! of every key in a tight loop of independent loads ([`Dict::warm`]), so that the processor
//! overlaps their cache misses, and then resolve each lookup from the cache. Longer ids (a UUID
//! is 36 bytes) go to a table of `(hash, id)` slots ([`LongTable`]) whose strings are compared
//! in the dictionary's own text, warmed the same way. The strings themselves are kept once,
//! one after the other in one allocation.

use crate::error::{Error, Result};
use crate::hash::Inline;

/// The largest id (`u32::MAX` is kept free: a slot stores `id + 1`).
const MAX_ID: u32 = u32::MAX - 1;

/// Smallest number of slots once the table holds a key.
const MIN_SLOTS: usize = 16;

/// How the slots of an [`InlineTable`] hold a key and its id.
pub(crate) trait Packed: Copy {
    /// A free slot.
    const FREE: Self;
    /// The slot of `key` (of this table's kind) with `id` (at most [`MAX_ID`]).
    fn pack(key: &Inline, id: u32) -> Self;
    /// Whether the slot is free.
    fn is_free(&self) -> bool;
    /// Whether the slot (not free) holds `key`.
    fn holds(&self, key: &Inline) -> bool;
    /// The id in the slot (not free).
    fn id(&self) -> Option<u32>;
    /// The key in the slot (not free).
    fn key(&self) -> Inline;
    /// A value read from both ends of the slot (see [`InlineTable::warm_one`]).
    fn touch(&self) -> u64;
}

/// A slot of a key of 12 to 23 bytes: the key's three words, then `id + 1` (0: free).
pub(crate) type Short = [u64; 4];

impl Packed for Short {
    const FREE: Self = [0; 4];

    #[inline]
    fn pack(key: &Inline, id: u32) -> Self {
        let [a, b, c] = key.words();
        [a, b, c, u64::from(id).saturating_add(1)]
    }

    #[inline]
    fn is_free(&self) -> bool {
        self[3] == 0
    }

    #[inline]
    fn holds(&self, key: &Inline) -> bool {
        [self[0], self[1], self[2]] == key.words()
    }

    #[inline]
    fn id(&self) -> Option<u32> {
        u32::try_from(self[3].saturating_sub(1)).ok()
    }

    #[inline]
    fn key(&self) -> Inline {
        Inline::from_words([self[0], self[1], self[2]])
    }

    #[inline]
    fn touch(&self) -> u64 {
        // Both ends of the slot: it may straddle two cache lines.
        self[0] ^ self[3]
    }
}

/// A slot of a key of at most 11 bytes: its first eight bytes, then a word of its next three
/// bytes (bits 0 to 23), its length (bits 24 to 31) and `id + 1` (bits 32 up; 0: free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tiny([u64; 2]);

impl Tiny {
    /// The second word of a tiny key: bytes 8 to 10 and the length.
    #[inline]
    fn low(key: &Inline) -> u64 {
        let [_, b, c] = key.words();
        (b & 0xff_ffff) | (c >> 56) << 24
    }
}

impl Packed for Tiny {
    const FREE: Self = Tiny([0; 2]);

    #[inline]
    fn pack(key: &Inline, id: u32) -> Self {
        let [a, _, _] = key.words();
        Tiny([a, Tiny::low(key) | u64::from(id).saturating_add(1) << 32])
    }

    #[inline]
    fn is_free(&self) -> bool {
        self.0[1] == 0
    }

    #[inline]
    fn holds(&self, key: &Inline) -> bool {
        let [a, _, _] = key.words();
        self.0[0] == a && self.0[1] & 0xffff_ffff == Tiny::low(key)
    }

    #[inline]
    fn id(&self) -> Option<u32> {
        u32::try_from((self.0[1] >> 32).saturating_sub(1)).ok()
    }

    #[inline]
    fn key(&self) -> Inline {
        let [a, w] = self.0;
        Inline::from_words([a, w & 0xff_ffff, (w >> 24 & 0xff) << 56])
    }

    #[inline]
    fn touch(&self) -> u64 {
        self.0[0] ^ self.0[1]
    }
}

/// An open-addressing table of inline keys, in slots of kind `S`.
#[derive(Debug, Clone)]
pub(crate) struct InlineTable<S> {
    /// A power of two long (or empty), at most half full.
    slots: Vec<S>,
    len: usize,
}

impl<S> Default for InlineTable<S> {
    fn default() -> Self {
        InlineTable {
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl<S: Packed> InlineTable<S> {
    /// Index mask of the slots (their number is a power of two).
    #[inline]
    fn mask(&self) -> usize {
        self.slots.len().saturating_sub(1)
    }

    #[inline]
    fn home(&self, h: u64) -> usize {
        // Truncation intended: the low bits pick the slot.
        #[allow(clippy::cast_possible_truncation)]
        let i = h as usize;
        i & self.mask()
    }

    /// The id of `key` (`h` = `key.hash64()`), if present.
    #[inline]
    pub(crate) fn find(&self, key: &Inline, h: u64) -> Option<u32> {
        let mut i = self.home(h);
        for _ in 0..self.slots.len() {
            let slot = *self.slots.get(i)?;
            if slot.is_free() {
                return None;
            }
            if slot.holds(key) {
                return slot.id();
            }
            i = i.wrapping_add(1) & self.mask();
        }
        None
    }

    /// Adds `key` (of this table's kind, absent: check with [`InlineTable::find`] first) with
    /// `id` (at most `u32::MAX − 1`). Returns false (and adds nothing) when it cannot.
    pub(crate) fn insert(&mut self, key: Inline, h: u64, id: u32) -> bool {
        if id > MAX_ID {
            return false;
        }
        if self.len.saturating_add(1).saturating_mul(2) > self.slots.len() && !self.grow() {
            return false;
        }
        self.len = self.len.saturating_add(1);
        self.place(S::pack(&key, id), h);
        true
    }

    /// Puts `slot` in the first free slot from the home of `h`.
    fn place(&mut self, slot: S, h: u64) {
        let mut i = self.home(h);
        let mask = self.mask();
        for _ in 0..self.slots.len() {
            if let Some(s) = self.slots.get_mut(i)
                && s.is_free()
            {
                *s = slot;
                return;
            }
            i = i.wrapping_add(1) & mask;
        }
    }

    /// Doubles the slots and places every key again (in slot order: a key's new home is its
    /// old home or that plus the old length, so the writes run through the new table almost
    /// in order).
    fn grow(&mut self) -> bool {
        let Some(n) = self.slots.len().checked_mul(2) else {
            return false;
        };
        // Written now, not lazily zeroed: lookups read a table before keys are placed in it
        // (see `written`).
        let fresh = crate::threads::written(n.max(MIN_SLOTS), S::FREE);
        let old = std::mem::replace(&mut self.slots, fresh);
        for slot in old {
            if !slot.is_free() {
                self.place(slot, slot.key().hash64());
            }
        }
        true
    }

    /// Loads the home slot of hash `h` (for its cache miss to start early); returns a value
    /// derived from the load.
    #[inline]
    pub(crate) fn warm_one(&self, h: u64) -> u64 {
        self.slots.get(self.home(h)).map_or(0, Packed::touch)
    }
}

/// The ids longer than [`Inline::MAX`] bytes: open addressing over `(hash, id + 1)` slots
/// (16 bytes, four to a cache line; all zeros when free), the strings themselves compared in
/// the dictionary's own text. No string is copied into the table, and a batch can touch home
/// slots ahead ([`LongTable::warm_one`]) as for short ids.
#[derive(Debug, Clone, Default)]
struct LongTable {
    /// A power of two long (or empty), at most half full.
    slots: Vec<[u64; 2]>,
    len: usize,
}

impl LongTable {
    #[inline]
    fn home(&self, h: u64) -> usize {
        // Truncation intended: the low bits pick the slot.
        #[allow(clippy::cast_possible_truncation)]
        let i = h as usize;
        i & self.slots.len().saturating_sub(1)
    }

    /// The id whose hash is `h` and for which `same(id)` holds, if present.
    #[inline]
    fn find(&self, h: u64, same: impl Fn(u32) -> bool) -> Option<u32> {
        let mut i = self.home(h);
        let mask = self.slots.len().saturating_sub(1);
        for _ in 0..self.slots.len() {
            let [hash, id] = *self.slots.get(i)?;
            if id == 0 {
                return None;
            }
            if hash == h
                && let Ok(id) = u32::try_from(id.saturating_sub(1))
                && same(id)
            {
                return Some(id);
            }
            i = i.wrapping_add(1) & mask;
        }
        None
    }

    /// Adds `id` (absent: check with [`LongTable::find`] first) under hash `h`. Returns
    /// false (and adds nothing) when it cannot.
    fn insert(&mut self, h: u64, id: u32) -> bool {
        if id > MAX_ID {
            return false;
        }
        if self.len.saturating_add(1).saturating_mul(2) > self.slots.len() {
            let Some(n) = self.slots.len().checked_mul(2) else {
                return false;
            };
            let old = std::mem::replace(
                &mut self.slots,
                crate::threads::written(n.max(MIN_SLOTS), [0; 2]),
            );
            for slot in old {
                if slot[1] != 0 {
                    self.place(slot);
                }
            }
        }
        self.len = self.len.saturating_add(1);
        self.place([h, u64::from(id).saturating_add(1)]);
        true
    }

    /// Puts `slot` in the first free slot from its hash's home.
    fn place(&mut self, slot: [u64; 2]) {
        let mut i = self.home(slot[0]);
        let mask = self.slots.len().saturating_sub(1);
        for _ in 0..self.slots.len() {
            if let Some(s) = self.slots.get_mut(i)
                && s[1] == 0
            {
                *s = slot;
                return;
            }
            i = i.wrapping_add(1) & mask;
        }
    }

    /// Loads the home slot of hash `h` (for its cache miss to start early).
    #[inline]
    fn warm_one(&self, h: u64) -> u64 {
        self.slots.get(self.home(h)).map_or(0, |s| s[0] ^ s[1])
    }
}

/// A string ready to be looked up: its inline key (`None` beyond [`Inline::MAX`] bytes) and
/// the key's hash. Built apart from the lookup so that a batch can build every key, then
/// touch the table for all of them ([`Dict::warm`]), then resolve them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    inline: Option<Inline>,
    hash: u64,
}

impl Key {
    /// The key of `s`.
    #[inline]
    pub(crate) fn of(s: &str) -> Self {
        let inline = Inline::new(s);
        Key {
            hash: inline
                .as_ref()
                .map_or_else(|| crate::hash::text_hash(s), Inline::hash64),
            inline,
        }
    }
}

/// Maps each distinct string to a dense `u32` (in order of first appearance) and back.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dict {
    tiny: InlineTable<Tiny>,
    short: InlineTable<Short>,
    long: LongTable,
    /// Every string, one after the other (one allocation, not one per id).
    text: String,
    /// End of each id's string in `text`.
    ends: Vec<usize>,
    /// While the dictionary holds at most [`SMALL`] strings (apps, regions, specs of a
    /// file), each inline key also in a direct-mapped array of [`SLOTS`] keys, found with one
    /// multiply: most lookups of such a column never hash the key. Empty before the first
    /// string and once the dictionary outgrows [`SMALL`].
    small: Vec<Option<(Inline, u32)>>,
}

/// Slots of the direct-mapped array of a small dictionary.
const SLOTS: usize = 256;

/// The most strings a dictionary keeps in its direct-mapped array.
const SMALL: usize = 64;

/// The slot of `k` in the direct-mapped array (the top bits of a multiplicative hash).
#[inline]
fn slot(k: &Inline) -> usize {
    let [a, b, c] = k.words();
    let h = (a ^ b.rotate_left(21) ^ c.rotate_left(42)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    usize::try_from(h >> 56).unwrap_or(0)
}

impl Dict {
    /// The number of distinct strings.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The id of `s` (whose key is `key`), if present.
    #[inline]
    pub(crate) fn find(&self, key: &Key, s: &str) -> Option<u32> {
        match &key.inline {
            Some(k) => self.find_inline(k, key.hash),
            None => self.find_long(key.hash, s),
        }
    }

    /// The id of inline key `k` (of hash `h`), if present: in the table of its kind.
    #[inline]
    fn find_inline(&self, k: &Inline, h: u64) -> Option<u32> {
        if k.is_tiny() {
            self.tiny.find(k, h)
        } else {
            self.short.find(k, h)
        }
    }

    /// The id of `s`, if present.
    #[inline]
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        match Inline::new(s) {
            Some(k) => {
                if let Some(Some((key, id))) = self.small.get(slot(&k))
                    && *key == k
                {
                    return Some(*id);
                }
                self.find_inline(&k, k.hash64())
            }
            None => self.find_long(crate::hash::text_hash(s), s),
        }
    }

    /// The id of `s`, longer than [`Inline::MAX`] bytes and of hash `h`, if present. Not
    /// inlined: the short ids' lookups, inlined in the loads' loops, stay small.
    #[inline(never)]
    fn find_long(&self, h: u64, s: &str) -> Option<u32> {
        self.long.find(h, |id| self.name(id) == Some(s))
    }

    /// The id of `s`, added when new.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] beyond 2^32 − 1 distinct strings.
    #[inline]
    pub(crate) fn intern(&mut self, s: &str) -> Result<u32> {
        match self.get(s) {
            Some(i) => Ok(i),
            None => self.add(Key::of(s), s),
        }
    }

    /// [`Dict::intern`] with the key of `s` already built.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] beyond 2^32 − 1 distinct strings.
    #[inline]
    pub(crate) fn intern_keyed(&mut self, key: Key, s: &str) -> Result<u32> {
        match self.find(&key, s) {
            Some(i) => Ok(i),
            None => self.add(key, s),
        }
    }

    /// Adds `s`, absent so far (the slow path of [`Dict::intern_keyed`]).
    #[cold]
    #[inline(never)]
    fn add(&mut self, key: Key, s: &str) -> Result<u32> {
        let overflow = || Error::overflow("distinct ids (more than 2^32 - 1)");
        let i = u32::try_from(self.ends.len())
            .ok()
            .filter(|&i| i <= MAX_ID)
            .ok_or_else(overflow)?;
        match key.inline {
            Some(k) => {
                let added = if k.is_tiny() {
                    self.tiny.insert(k, key.hash, i)
                } else {
                    self.short.insert(k, key.hash, i)
                };
                if !added {
                    return Err(overflow());
                }
                if self.ends.len() >= SMALL {
                    self.small = Vec::new();
                } else {
                    if self.small.is_empty() {
                        self.small = vec![None; SLOTS];
                    }
                    // A key already in the slot keeps it (the table has both).
                    if let Some(free @ None) = self.small.get_mut(slot(&k)) {
                        *free = Some((k, i));
                    }
                }
            }
            None => {
                if !self.long.insert(key.hash, i) {
                    return Err(overflow());
                }
            }
        }
        self.text.push_str(s);
        self.ends.push(self.text.len());
        Ok(i)
    }

    /// The string of id `i`.
    #[inline]
    pub(crate) fn name(&self, i: u32) -> Option<&str> {
        let i = usize::try_from(i).ok()?;
        let start = match i.checked_sub(1) {
            Some(prev) => *self.ends.get(prev)?,
            None => 0,
        };
        self.text.get(start..*self.ends.get(i)?)
    }

    /// Every string, by id.
    pub(crate) fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        // Ids are below `MAX_ID`: every one converts.
        let ids = u32::try_from(self.ends.len()).unwrap_or(MAX_ID);
        (0..ids).map(|i| self.name(i).unwrap_or_default())
    }

    /// Adds every string of `other`; returns, for each id of `other`, its id here.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] beyond 2^32 − 1 distinct strings.
    pub(crate) fn absorb(&mut self, other: &Dict) -> Result<Vec<u32>> {
        let names: Vec<&str> = other.names().collect();
        let mut map = Vec::with_capacity(names.len());
        self.intern_each(
            &names,
            |s| s,
            |_, id| {
                map.push(id);
                Ok(())
            },
        )?;
        Ok(map)
    }

    /// Interns the text of each of `items` (`text` reads it) and calls `f` with the item and
    /// its id, in order. In chunks of 64 items, every key is built and its slot touched before
    /// any is looked up, so that the cache misses of a large dictionary overlap.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] beyond 2^32 − 1 distinct strings; any error of `f` (the items after
    /// it are not interned).
    pub(crate) fn intern_each<T>(
        &mut self,
        items: &[T],
        text: impl Fn(&T) -> &str,
        mut f: impl FnMut(&T, u32) -> Result<()>,
    ) -> Result<()> {
        let mut keys = Vec::with_capacity(64);
        for chunk in items.chunks(64) {
            keys.clear();
            keys.extend(chunk.iter().map(|t| Key::of(text(t))));
            std::hint::black_box(self.warm(keys.iter()));
            for (t, &k) in chunk.iter().zip(&keys) {
                let id = self.intern_keyed(k, text(t))?;
                f(t, id)?;
            }
        }
        Ok(())
    }

    /// Touches the table where each of `keys` will be looked up: loads only, for their cache
    /// misses to overlap before the lookups. Returns a value derived from the loads (to be
    /// passed to `std::hint::black_box`).
    #[inline]
    pub(crate) fn warm<'k>(&self, keys: impl Iterator<Item = &'k Key>) -> u64 {
        // While the dictionary holds ids of one kind only (the usual case: a column's ids
        // have one shape), the loop has no branch per key: a key of another kind touches a
        // useless slot, which costs a load, not a wrong answer.
        match (self.tiny.len, self.short.len, self.long.len) {
            (_, 0, 0) => keys.fold(0, |acc, k| acc ^ self.tiny.warm_one(k.hash)),
            (0, _, 0) => keys.fold(0, |acc, k| acc ^ self.short.warm_one(k.hash)),
            _ => keys.fold(0, |acc, k| {
                acc ^ match &k.inline {
                    Some(i) if i.is_tiny() => self.tiny.warm_one(k.hash),
                    Some(_) => self.short.warm_one(k.hash),
                    None => self.long.warm_one(k.hash),
                }
            }),
        }
    }
}

/// The ids of a dictionary ranked by their text (byte order, as strings compare).
#[derive(Debug, Default)]
pub(crate) struct Ranks {
    /// The rank of each id.
    rank: Vec<u32>,
    /// The id of each rank.
    id: Vec<u32>,
}

impl Ranks {
    pub(crate) fn of(dict: &Dict) -> Self {
        let names: Vec<&str> = dict.names().collect();
        let mut id: Vec<u32> = (0..u32::try_from(names.len()).unwrap_or(u32::MAX)).collect();
        id.sort_unstable_by_key(|&i| names.get(usize::try_from(i).unwrap_or(usize::MAX)));
        let mut rank = vec![0; id.len()];
        for (r, &i) in (0_u32..).zip(&id) {
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| rank.get_mut(i)) {
                *slot = r;
            }
        }
        Ranks { rank, id }
    }

    /// The rank of id `i` (`i` itself when the dictionary is not ranked: the apps of the
    /// global scope, whose keys all hold app 0 and whose pairs all name the empty app).
    pub(crate) fn rank(&self, i: u32) -> u32 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.rank.get(i))
            .copied()
            .unwrap_or(i)
    }

    /// The id of rank `r` (`r` itself when the dictionary is not ranked).
    pub(crate) fn id(&self, r: u32) -> u32 {
        usize::try_from(r)
            .ok()
            .and_then(|r| self.id.get(r))
            .copied()
            .unwrap_or(r)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn key(s: &str) -> Inline {
        Inline::new(s).unwrap()
    }

    /// A tiny key (`u1`, `k1`...) and a short one (the same, padded past 11 bytes) of `n`.
    fn tiny_key(prefix: &str, n: u32) -> Inline {
        key(&format!("{prefix}{n}"))
    }

    fn short_key(prefix: &str, n: u32) -> Inline {
        key(&format!("{prefix}-{n:0>12}"))
    }

    fn finds_what_it_holds_across_growth<S: Packed>(make: fn(&str, u32) -> Inline) {
        let mut t = InlineTable::<S>::default();
        for i in 0..5000_u32 {
            let k = make("u", i);
            assert_eq!(t.find(&k, k.hash64()), None);
            assert!(t.insert(k, k.hash64(), i.saturating_mul(3)));
        }
        for i in 0..5000_u32 {
            let k = make("u", i);
            assert_eq!(t.find(&k, k.hash64()), Some(i.saturating_mul(3)));
        }
        assert!(t.slots.len() >= 2 * 5000);
        assert_eq!(t.len, 5000);
        let k = make("u", 5000);
        assert_eq!(t.find(&k, k.hash64()), None);
    }

    #[test]
    fn both_tables_find_what_they_hold_across_growth() {
        finds_what_it_holds_across_growth::<Tiny>(tiny_key);
        finds_what_it_holds_across_growth::<Short>(short_key);
    }

    fn colliding_homes_probe_on<S: Packed>(make: fn(&str, u32) -> Inline) {
        // Keys whose hashes share their low bits start probing at the same slot of the first
        // 16-slot table: lookups must compare the keys and go on past the others.
        let keys: Vec<Inline> = (0..2000)
            .map(|i| make("k", i))
            .filter(|k| k.hash64() & 15 == 15)
            .take(7)
            .collect();
        assert_eq!(keys.len(), 7);
        let mut t = InlineTable::<S>::default();
        for (i, k) in (0_u32..).zip(&keys) {
            assert!(t.insert(*k, k.hash64(), i));
        }
        assert_eq!(t.slots.len(), 16);
        for (i, k) in (0_u32..).zip(&keys) {
            assert_eq!(t.find(k, k.hash64()), Some(i));
        }
        let absent = make("absent", 0);
        assert_eq!(t.find(&absent, absent.hash64()), None);
        assert!(!t.insert(absent, absent.hash64(), u32::MAX));
        assert!(t.insert(absent, absent.hash64(), u32::MAX - 1));
        assert_eq!(t.find(&absent, absent.hash64()), Some(u32::MAX - 1));
        let _ = t.warm_one(absent.hash64()) ^ t.warm_one(7);
    }

    #[test]
    fn both_tables_probe_on_past_colliding_homes() {
        colliding_homes_probe_on::<Tiny>(tiny_key);
        colliding_homes_probe_on::<Short>(short_key);
    }

    /// A tiny slot gives back its key and id, at every tiny length, with zero bytes inside
    /// (told apart from a shorter key by the length) and the largest id.
    #[test]
    fn tiny_slots_keep_key_and_id() {
        for len in 0..=Inline::TINY {
            for text in [
                "\u{0}".repeat(len),
                "z".repeat(len),
                "\u{0}z".repeat(len).chars().take(len).collect(),
            ] {
                let k = key(&text);
                assert!(k.is_tiny());
                for id in [0, 1, MAX_ID] {
                    let slot = Tiny::pack(&k, id);
                    assert!(!slot.is_free());
                    assert_eq!(slot.id(), Some(id));
                    assert_eq!(slot.key(), k);
                    assert!(slot.holds(&k));
                    let longer = key(&format!("{text}\u{0}"));
                    if longer.is_tiny() {
                        assert!(!slot.holds(&longer));
                    }
                }
            }
        }
        assert!(!key(&"x".repeat(Inline::TINY + 1)).is_tiny());
    }

    proptest::proptest! {
        #[test]
        fn tables_match_a_hash_map(ops in proptest::collection::vec("[a-c]{0,23}", 0..600)) {
            let mut tiny = InlineTable::<Tiny>::default();
            let mut short = InlineTable::<Short>::default();
            let mut m: HashMap<String, u32> = HashMap::new();
            for (i, s) in ops.iter().enumerate() {
                let k = key(s);
                let h = k.hash64();
                let (found, _) = if k.is_tiny() {
                    (tiny.find(&k, h), tiny.warm_one(h))
                } else {
                    (short.find(&k, h), short.warm_one(h))
                };
                proptest::prop_assert_eq!(found, m.get(s).copied());
                if !m.contains_key(s) {
                    let id = u32::try_from(i).unwrap();
                    let added = if k.is_tiny() { tiny.insert(k, h, id) } else { short.insert(k, h, id) };
                    proptest::prop_assert!(added);
                    m.insert(s.clone(), id);
                }
            }
            for (s, id) in &m {
                let k = key(s);
                let found = if k.is_tiny() { tiny.find(&k, k.hash64()) } else { short.find(&k, k.hash64()) };
                proptest::prop_assert_eq!(found, Some(*id));
            }
        }
    }

    #[test]
    fn dict_ids_are_dense_and_stable() {
        let mut d = Dict::default();
        let long = "x".repeat(40);
        assert_eq!(d.intern("a").unwrap(), 0);
        assert_eq!(d.intern(&long).unwrap(), 1);
        assert_eq!(d.intern("a").unwrap(), 0);
        assert_eq!(d.intern(&long).unwrap(), 1);
        assert_eq!(d.get("b"), None);
        assert_eq!(d.name(1), Some(long.as_str()));
        assert_eq!(d.name(2), None);
        assert_eq!(d.names().collect::<Vec<_>>(), ["a", long.as_str()]);
        let mut e = Dict::default();
        e.intern("b").unwrap();
        e.intern("a").unwrap();
        assert_eq!(d.absorb(&e).unwrap(), [2, 0]);
        assert_eq!(d.len(), 3);
        assert_eq!(d.names().len(), 3);
    }

    /// Long ids that share a hash are told apart by their text, through the table's growth.
    #[test]
    fn long_ids_with_one_hash_stay_apart() {
        let names: Vec<String> = (0..100).map(|i| format!("{i:0>40}")).collect();
        let mut t = LongTable::default();
        for id in 0..100_u32 {
            assert!(t.insert(7, id));
        }
        for (id, n) in (0_u32..).zip(&names) {
            let same = |i: u32| names.get(usize::try_from(i).unwrap()) == Some(n);
            assert_eq!(t.find(7, same), Some(id));
            assert_eq!(t.find(8, same), None);
        }
        assert_eq!(t.find(7, |_| false), None);
    }

    /// Many long ids (UUID-like, one prefix) through the dictionary's growth and batches.
    #[test]
    fn many_long_ids_keep_their_ids() {
        let names: Vec<String> = (0..5_000)
            .map(|i| format!("3f2a9c1e-7b4d-4e0a-9c55-{i:012}"))
            .collect();
        let mut d = Dict::default();
        let mut ids = Vec::new();
        d.intern_each(
            &names,
            |s| s.as_str(),
            |_, id| {
                ids.push(id);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(ids, (0..5_000).collect::<Vec<u32>>());
        for (id, n) in (0_u32..).zip(&names) {
            assert_eq!(d.get(n), Some(id));
            assert_eq!(d.intern(n).unwrap(), id);
            assert_eq!(d.name(id), Some(n.as_str()));
        }
        assert_eq!(d.get("3f2a9c1e-7b4d-4e0a-9c55-999999999999"), None);
        assert_eq!(d.len(), 5_000);
    }

    proptest::proptest! {
        /// A dictionary gives the ids a plain map gives, for short and long strings, below
        /// and above the size where the direct-mapped array is dropped, and names each id by
        /// its string.
        #[test]
        fn dict_agrees_with_a_map(
            names in proptest::collection::vec("[a-z0-9]{0,30}", 0..150),
            probes in proptest::collection::vec("[a-z0-9]{0,30}", 0..40),
        ) {
            let mut d = Dict::default();
            let mut plain: HashMap<String, u32> = HashMap::new();
            for n in &names {
                let next = u32::try_from(plain.len()).unwrap();
                let want = *plain.entry(n.clone()).or_insert(next);
                proptest::prop_assert_eq!(d.intern(n).unwrap(), want);
                for p in names.iter().chain(&probes) {
                    proptest::prop_assert_eq!(d.get(p), plain.get(p).copied());
                    proptest::prop_assert_eq!(d.find(&Key::of(p), p), plain.get(p).copied());
                }
            }
            for (n, &id) in &plain {
                proptest::prop_assert_eq!(d.name(id), Some(n.as_str()));
            }
            proptest::prop_assert_eq!(d.names().len(), plain.len());
        }
    }
}
