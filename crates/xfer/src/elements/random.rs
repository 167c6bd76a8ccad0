//! `random`: seeded pseudo-random bytes (Amanda's source-random).
//!
//! The stream is splitmix64 from `seed`: each step adds 0x9e3779b97f4a7c15
//! to the state and mixes it; the outputs' little-endian bytes, concatenated,
//! cut to `size`. The stream does not depend on buffer sizes.
//!
//! [`Prng::SimplePrng`] instead produces Amanda's own source-random stream,
//! written from Amanda 3.5's `common-src/simpleprng.c` (zmanda/amanda, branch
//! 3_5): a 32-bit linear congruential generator `val = 1664525 * val +
//! 1013904223` (Numerical Recipes constants) started at the seed, one byte per
//! step, the top byte of the new value (`simpleprng_rand_byte`: `rand >> 24`).
//! Amanda's `Dest::Null` verifies that stream when given the same seed.

use std::sync::Mutex;

use super::generate::{Fill, Generator};
use crate::tables::AmandaElement;

/// Which generator a [`RandomSource`] runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Prng {
    /// splitmix64 (the default).
    #[default]
    SplitMix64,
    /// Amanda's simpleprng (the seed's low 32 bits; Amanda asserts a seed != 0).
    SimplePrng,
}

/// simpleprng's multiplier (`A` in simpleprng.c).
const SIMPLEPRNG_A: u32 = 1_664_525;
/// simpleprng's increment (`C` in simpleprng.c).
const SIMPLEPRNG_C: u32 = 1_013_904_223;

/// `size` seeded pseudo-random bytes.
#[derive(Debug)]
pub struct RandomSource {
    size: u64,
    seed: u64,
    prng: Prng,
    st: Mutex<Gen>,
}

/// `random`'s state: the splitmix64 state, the bytes left and the unused bytes of the last word.
#[derive(Debug)]
pub(crate) struct Gen {
    prng: Prng,
    state: u64,
    left: u64,
    pending: [u8; 8],
    pending_at: usize,
}

impl Gen {
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl Fill for Gen {
    fn remaining(&self) -> u64 {
        self.left
    }

    fn fill(&mut self, buf: &mut [u8]) {
        debug_assert!(buf.len() as u64 <= self.left);
        self.left -= buf.len() as u64;
        if self.prng == Prng::SimplePrng {
            // simpleprng_fill_buffer: one simpleprng_rand_byte per byte.
            let mut val = self.state as u32;
            for b in buf.iter_mut() {
                val = SIMPLEPRNG_A.wrapping_mul(val).wrapping_add(SIMPLEPRNG_C);
                *b = (val >> 24) as u8;
            }
            self.state = u64::from(val);
            return;
        }
        let mut out = buf;
        // Bytes left over from the previous word first.
        let from_pending = (8 - self.pending_at).min(out.len());
        if self.pending_at < 8 {
            out[..from_pending]
                .copy_from_slice(&self.pending[self.pending_at..self.pending_at + from_pending]);
            self.pending_at += from_pending;
            out = &mut out[from_pending..];
        }
        let mut words = out.chunks_exact_mut(8);
        for w in &mut words {
            let v = self.next();
            w.copy_from_slice(&v.to_le_bytes());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            self.pending = self.next().to_le_bytes();
            let n = tail.len();
            tail.copy_from_slice(&self.pending[..n]);
            self.pending_at = n;
        }
    }
}

impl RandomSource {
    /// `size` bytes of the splitmix64 stream seeded with `seed`.
    pub fn new(size: u64, seed: u64) -> RandomSource {
        RandomSource::with_prng(size, seed, Prng::SplitMix64)
    }

    /// `size` bytes of `prng`'s stream seeded with `seed` (simpleprng uses
    /// the seed's low 32 bits).
    pub fn with_prng(size: u64, seed: u64, prng: Prng) -> RandomSource {
        RandomSource {
            size,
            seed,
            prng,
            st: Mutex::new(Gen::new(prng, seed, size)),
        }
    }

    /// The configured generator.
    pub fn prng(&self) -> Prng {
        self.prng
    }

    /// The configured size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The configured seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// The bytes `RandomSource::new(len, seed)` produces.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    prng_bytes(Prng::SplitMix64, seed, len)
}

/// The bytes `RandomSource::with_prng(len, seed, prng)` produces.
pub fn prng_bytes(prng: Prng, seed: u64, len: usize) -> Vec<u8> {
    let mut g = Gen::new(prng, seed, len as u64);
    let mut v = vec![0u8; len];
    g.fill(&mut v);
    v
}

impl Gen {
    fn new(prng: Prng, seed: u64, left: u64) -> Gen {
        let state = match prng {
            Prng::SplitMix64 => seed,
            Prng::SimplePrng => u64::from(seed as u32),
        };
        Gen {
            prng,
            state,
            left,
            pending: [0; 8],
            pending_at: 8,
        }
    }
}

impl Generator for RandomSource {
    const NAME: &'static str = "random";
    const AMANDA: AmandaElement = AmandaElement::SourceRandom;
    type State = Gen;

    fn state(&self) -> &Mutex<Gen> {
        &self.st
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_does_not_depend_on_chunking() {
        let whole = random_bytes(7, 1000);
        let mut g = Gen::new(Prng::SplitMix64, 7, 1000);
        let mut parts = Vec::new();
        for n in [1usize, 3, 8, 13, 64, 911] {
            let mut b = vec![0u8; n];
            g.fill(&mut b);
            parts.extend_from_slice(&b);
        }
        assert_eq!(parts, whole);
    }

    #[test]
    fn simpleprng_steps_the_numerical_recipes_lcg() {
        // By hand from simpleprng.c: 1664525 * 42 + 1013904223 = 0x4099_B181
        // (top byte 0x40); then the same step once more.
        let first = 1_664_525u32.wrapping_mul(42).wrapping_add(1_013_904_223);
        assert_eq!(first, 0x4099_b181);
        let second = 1_664_525u32.wrapping_mul(first).wrapping_add(1_013_904_223);
        let got = prng_bytes(Prng::SimplePrng, 42, 2);
        assert_eq!(got, vec![0x40, (second >> 24) as u8]);
    }

    #[test]
    fn simpleprng_does_not_depend_on_chunking() {
        let whole = prng_bytes(Prng::SimplePrng, 9, 5000);
        let mut g = Gen::new(Prng::SimplePrng, 9, 5000);
        let mut parts = Vec::new();
        for n in [1usize, 10240, 7, 3000] {
            let n = n.min(5000 - parts.len());
            let mut b = vec![0u8; n];
            g.fill(&mut b);
            parts.extend_from_slice(&b);
        }
        assert_eq!(parts, whole);
    }
}
