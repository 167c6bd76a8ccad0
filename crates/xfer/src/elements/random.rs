//! `random`: seeded pseudo-random bytes (Amanda's source-random).
//!
//! The stream is splitmix64 from `seed`: each step adds 0x9e3779b97f4a7c15
//! to the state and mixes it; the outputs' little-endian bytes, concatenated,
//! cut to `size`. The stream does not depend on buffer sizes.

use std::sync::Mutex;

use super::generate::{Fill, Generator};
use crate::tables::AmandaElement;

/// `size` seeded pseudo-random bytes.
#[derive(Debug)]
pub struct RandomSource {
    size: u64,
    seed: u64,
    st: Mutex<Gen>,
}

/// `random`'s state: the splitmix64 state, the bytes left and the unused bytes of the last word.
#[derive(Debug)]
pub(crate) struct Gen {
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
        RandomSource {
            size,
            seed,
            st: Mutex::new(Gen {
                state: seed,
                left: size,
                pending: [0; 8],
                pending_at: 8,
            }),
        }
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
    let mut g = Gen {
        state: seed,
        left: len as u64,
        pending: [0; 8],
        pending_at: 8,
    };
    let mut v = vec![0u8; len];
    g.fill(&mut v);
    v
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
        let mut g = Gen {
            state: 7,
            left: 1000,
            pending: [0; 8],
            pending_at: 8,
        };
        let mut parts = Vec::new();
        for n in [1usize, 3, 8, 13, 64, 911] {
            let mut b = vec![0u8; n];
            g.fill(&mut b);
            parts.extend_from_slice(&b);
        }
        assert_eq!(parts, whole);
    }
}
