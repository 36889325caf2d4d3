//! A stable hash for what must not change between builds or Rust releases: the PDF's
//! document ID, font subset tags and the edition manifest's page hashes.

/// The FNV-1a 64-bit prime.
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a over words: a tiny, stable hash (std's hashers may change between Rust
/// releases).
#[derive(Debug, Clone)]
pub struct Fnv(u64);

impl Fnv {
    /// The FNV-1a 64-bit offset basis.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    /// A second, independent stream (for 128-bit IDs): the basis run through one more byte.
    pub fn with_seed(seed: u8) -> Fnv {
        let mut h = Fnv::new();
        h.write(&[seed]);
        h
    }
    /// Eight bytes at a time (a build hashes megabytes: every input file, every page
    /// stream), each word folded down after its multiply so its high bits reach the low
    /// ones; the tail a byte at a time.
    pub fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.write_u64(word(w));
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    /// One 32-bit value in one step (a float's bits, a glyph id): the same as writing
    /// its four little-endian bytes in a word of their own, without the byte loop.
    pub fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    /// One 64-bit value in one step (several small fields packed into a word).
    pub fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(PRIME);
        self.0 ^= self.0 >> 32;
    }
    /// Like [`Fnv::write`], with the tail as one zero-padded word (its length in the top
    /// bits, so "a" and "a\0" differ) instead of a byte at a time: for the short texts
    /// hashed per glyph and per word.
    pub fn write_words(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.write_u64(word(w));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut tail = [0u8; 8];
            tail[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 59));
        }
    }
    /// One of several texts: its length, then its bytes, so that no two sequences of
    /// texts hash the same concatenation.
    pub fn write_part(&mut self, bytes: &[u8]) {
        self.write_u64(bytes.len() as u64);
        self.write_words(bytes);
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// The hash of `bytes` (a file's, an output's).
pub fn of(bytes: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.write(bytes);
    h.finish()
}

/// A hasher for maps keyed by addresses (`Arc::as_ptr`): one multiply instead of SipHash,
/// for the memo tables looked up once per row of every page on every rebuild.
#[derive(Default, Clone, Copy)]
pub struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    fn write_usize(&mut self, v: usize) {
        // Fibonacci hashing: addresses are multiples of 8, the multiply spreads them.
        self.0 = (v as u64).wrapping_mul(GOLDEN);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// `HashMap`/`HashSet` state for address keys.
pub type Addresses = std::hash::BuildHasherDefault<AddressHasher>;

/// Eight bytes as a little-endian word.
fn word(w: &[u8]) -> u64 {
    u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]])
}

/// A hasher for the in-memory memo tables keyed by text (shaped words, prepared words,
/// hyphenations): looked up for every word of a book, where SipHash cost a tenth of the
/// layout. Word-wise like [`Fnv`]; the keys are the book's own words, so no protection
/// against chosen collisions is needed, and nothing here is stored or compared between
/// builds (only results, which do not depend on a table's order).
#[derive(Clone)]
pub struct TextHasher(Fnv);

impl Default for TextHasher {
    fn default() -> TextHasher {
        TextHasher(Fnv::new())
    }
}

/// Fibonacci hashing's multiplier (2^64 / φ): spreads every input bit over the high bits.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl std::hash::Hasher for TextHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write_words(bytes);
    }
    fn write_u8(&mut self, v: u8) {
        self.0.write_u64(u64::from(v));
    }
    fn write_u32(&mut self, v: u32) {
        self.0.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0.write_u64(v);
    }
    fn write_usize(&mut self, v: usize) {
        self.0.write_u64(v as u64);
    }
    fn finish(&self) -> u64 {
        // Tables index buckets by the low bits and tag them with the high ones: one more
        // multiply spreads the state over both.
        let h = self.0.finish();
        (h ^ (h >> 29)).wrapping_mul(GOLDEN)
    }
}

/// `HashMap`/`HashSet` state for the memo tables keyed by text.
pub type Texts = std::hash::BuildHasherDefault<TextHasher>;

/// A `HashMap` with [`Texts`] state.
pub type TextMap<K, V> = std::collections::HashMap<K, V, Texts>;

#[cfg(test)]
mod tests {
    use super::Fnv;

    #[test]
    fn every_byte_and_its_place_count() {
        let hash = |b: &[u8]| {
            let mut h = Fnv::new();
            h.write(b);
            h.finish()
        };
        let base = b"the quick brown fox jumps over the lazy dog".to_vec();
        let mut seen = std::collections::HashSet::new();
        seen.insert(hash(&base));
        for i in 0..base.len() {
            for bit in 0..8 {
                let mut b = base.clone();
                b[i] ^= 1 << bit;
                assert!(seen.insert(hash(&b)), "byte {i} bit {bit}");
            }
        }
        // Two halves swapped differ.
        assert_ne!(hash(b"abcdefgh12345678"), hash(b"12345678abcdefgh"));
    }
}
