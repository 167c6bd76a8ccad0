//! splitmix64 (Sebastiano Vigna, `splitmix64.c`): the stream the `random`
//! source emits, written from the published algorithm.
//!
//! The state starts at the seed; each step adds the golden-ratio increment
//! and mixes the new state with two xor-shift-multiply rounds. The source's
//! bytes are the outputs' little-endian bytes, concatenated and cut to size.

/// splitmix64's generator state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose state is `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The first `size` bytes of the stream seeded with `seed`.
pub fn bytes(seed: u64, size: usize) -> Vec<u8> {
    let mut g = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        out.extend_from_slice(&g.next_u64().to_le_bytes());
    }
    out.truncate(size);
    out
}

#[cfg(test)]
mod tests {
    use super::{SplitMix64, bytes};

    /// Published values: the test `reference` of rand_xoshiro's splitmix64.rs
    /// (rust-random/rngs), produced with Vigna's reference `splitmix64.c`.
    const SEED: u64 = 1_477_776_061_723_855_037;
    const REFERENCE: [u64; 13] = [
        1_985_237_415_132_408_290,
        2_979_275_885_539_914_483,
        13_511_426_838_097_143_398,
        8_488_337_342_461_049_707,
        15_141_737_807_933_549_159,
        17_093_170_987_380_407_015,
        16_389_528_042_912_955_399,
        13_177_319_091_862_933_652,
        10_841_969_400_225_389_492,
        17_094_824_097_954_834_098,
        3_336_622_647_361_835_228,
        9_678_412_372_263_018_368,
        11_111_587_619_974_030_187,
    ];

    #[test]
    fn it_matches_the_published_reference_values() {
        let mut g = SplitMix64::new(SEED);
        let got: Vec<u64> = (0..REFERENCE.len()).map(|_| g.next_u64()).collect();
        assert_eq!(got, REFERENCE);
    }

    #[test]
    fn bytes_are_the_outputs_little_endian_cut_to_size() {
        let b = bytes(SEED, 11);
        assert_eq!(b[..8], REFERENCE[0].to_le_bytes());
        assert_eq!(b[8..], REFERENCE[1].to_le_bytes()[..3]);
        assert!(bytes(SEED, 0).is_empty());
    }
}
