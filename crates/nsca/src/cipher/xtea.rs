//! XTEA (64-bit block, 128-bit key, 32 cycles, big-endian words) in CFB-8, as libmcrypt's
//! `xtea` (method 6).
//!
//! The RustCrypto `xtea` crate reads words little-endian and does not reproduce libmcrypt,
//! so the algorithm lives here; it is small and checked against the standard vector.

use super::cfb8::Cfb8Stream;

const DELTA: u32 = 0x9E37_79B9;

/// XTEA in CFB-8 mode with its shift register.
pub(crate) struct XteaCfb8 {
    key: [u32; 4],
    reg: [u8; 8],
}

impl XteaCfb8 {
    /// `key` is 16 bytes, `iv` 8 bytes.
    pub(crate) fn new(key: &[u8], iv: &[u8]) -> Self {
        let word = |i: usize| u32::from_be_bytes([key[i], key[i + 1], key[i + 2], key[i + 3]]);
        let mut reg = [0u8; 8];
        reg.copy_from_slice(&iv[..8]);
        Self {
            key: [word(0), word(4), word(8), word(12)],
            reg,
        }
    }

    /// Encrypts one 8-byte block.
    pub(crate) fn encrypt_block(&self, block: [u8; 8]) -> [u8; 8] {
        let mut v0 = u32::from_be_bytes([block[0], block[1], block[2], block[3]]);
        let mut v1 = u32::from_be_bytes([block[4], block[5], block[6], block[7]]);
        let k = &self.key;
        let mut sum: u32 = 0;
        for _ in 0..32 {
            v0 = v0.wrapping_add(
                ((v1 << 4) ^ (v1 >> 5)).wrapping_add(v1) ^ sum.wrapping_add(k[(sum & 3) as usize]),
            );
            sum = sum.wrapping_add(DELTA);
            v1 = v1.wrapping_add(
                ((v0 << 4) ^ (v0 >> 5)).wrapping_add(v0)
                    ^ sum.wrapping_add(k[((sum >> 11) & 3) as usize]),
            );
        }
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&v0.to_be_bytes());
        out[4..].copy_from_slice(&v1.to_be_bytes());
        out
    }

    fn step(&mut self, b: &mut u8, decrypt: bool) {
        let ks = self.encrypt_block(self.reg)[0];
        let c = if decrypt { *b } else { *b ^ ks };
        *b ^= ks;
        self.reg.copy_within(1.., 0);
        self.reg[7] = c;
    }
}

impl Cfb8Stream for XteaCfb8 {
    fn encrypt(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.step(b, false);
        }
    }

    fn decrypt(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.step(b, true);
        }
    }
}
