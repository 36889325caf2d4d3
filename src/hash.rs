//! A stable hash for what must not change between builds or Rust releases: the PDF's
//! document ID, font subset tags and the edition manifest's page hashes.

/// 64-bit FNV-1a: a tiny, stable hash (std's hashers may change between Rust releases).
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
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            // The FNV-1a 64-bit prime.
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}
