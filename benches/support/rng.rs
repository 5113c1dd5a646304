//! A tiny deterministic generator shared by the benchmarks' data generators (xorshift64).
#![allow(dead_code)] // each benchmark uses part of it

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A Zipf-like rank in 1..=n (s = 1): a few are very common, most are rare.
    pub fn zipf(&mut self, n: u64) -> u64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) as u64).clamp(1, n)
    }
}
