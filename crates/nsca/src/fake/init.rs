//! The init packet a fake server sends on connection `i`, derived from its seed.
//!
//! A fake draws nothing from the OS and reads no clock: connection `i`'s IV and
//! timestamp come from splitmix64 (Vigna's `splitmix64.c`) started at
//! `seed + i * 0x9E3779B97F4A7C15`. Its first 16 outputs, little-endian, are the
//! 128 IV bytes; the low 32 bits of the 17th are the timestamp. So a failure
//! printed with its seed replays with the same bytes on the wire.
//! [`Fault::ZeroIv`], [`Fault::FixedIv`] and [`Fault::FixedTimestamp`] override them.

use super::fault::Fault;
use crate::codec::{IV_LEN, InitPacket};

/// splitmix64's increment (the golden ratio), also the step between connections.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64's next output from `state`.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The init packet of connection `connection` (0-based) of a fake seeded with `seed`.
pub fn init_packet(seed: u64, connection: usize, faults: &[Fault]) -> InitPacket {
    let mut state = seed.wrapping_add((connection as u64).wrapping_mul(GOLDEN));
    let mut iv = [0u8; IV_LEN];
    for chunk in iv.chunks_mut(8) {
        chunk.copy_from_slice(&next(&mut state).to_le_bytes()[..chunk.len()]);
    }
    let mut timestamp = next(&mut state) as u32;
    for f in faults {
        match f {
            Fault::ZeroIv => iv = [0; IV_LEN],
            Fault::FixedIv { byte } => iv = [*byte; IV_LEN],
            Fault::FixedTimestamp { timestamp: t } => timestamp = *t,
            _ => {}
        }
    }
    InitPacket { iv, timestamp }
}
