//! Twofish encryption with precomputed key-dependent tables (method 9, 256-bit keys).
//!
//! The RustCrypto `twofish` crate recomputes the key-dependent S-boxes and the MDS products
//! for every g-function call (about 9 µs per block here), which would cap a server at a few
//! dozen method-9 packets per second. This is the same algorithm with the four g-function
//! tables computed once per key (the "full keying" option of the Twofish paper); tests check
//! it block for block against the crate and against libmcrypt's output.

use cipher::consts::{U1, U16};
use cipher::{
    Block, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut,
    ParBlocksSizeUser,
};

/// Column order of the q permutations for each byte of g (k = 4).
const QORD: [[usize; 5]; 4] = [
    [1, 1, 0, 0, 1],
    [0, 1, 1, 0, 0],
    [0, 0, 0, 1, 1],
    [1, 0, 1, 1, 0],
];

/// The q0/q1 nibble boxes of the Twofish specification.
#[rustfmt::skip]
const QBOX: [[[u8; 16]; 4]; 2] = [
    [
        [
            0x8, 0x1, 0x7, 0xD, 0x6, 0xF, 0x3, 0x2,
            0x0, 0xB, 0x5, 0x9, 0xE, 0xC, 0xA, 0x4,
        ], [
            0xE, 0xC, 0xB, 0x8, 0x1, 0x2, 0x3, 0x5,
            0xF, 0x4, 0xA, 0x6, 0x7, 0x0, 0x9, 0xD,
        ], [
            0xB, 0xA, 0x5, 0xE, 0x6, 0xD, 0x9, 0x0,
            0xC, 0x8, 0xF, 0x3, 0x2, 0x4, 0x7, 0x1,
        ], [
            0xD, 0x7, 0xF, 0x4, 0x1, 0x2, 0x6, 0xE,
            0x9, 0xB, 0x3, 0x0, 0x8, 0x5, 0xC, 0xA,
        ],
    ], [
        [
            0x2, 0x8, 0xB, 0xD, 0xF, 0x7, 0x6, 0xE,
            0x3, 0x1, 0x9, 0x4, 0x0, 0xA, 0xC, 0x5,
        ], [
            0x1, 0xE, 0x2, 0xB, 0x4, 0xC, 0x3, 0x7,
            0x6, 0xD, 0xA, 0x5, 0xF, 0x9, 0x0, 0x8,
        ], [
            0x4, 0xC, 0x7, 0x5, 0x1, 0x6, 0x9, 0xA,
            0x0, 0xE, 0xD, 0x8, 0x2, 0xB, 0x3, 0xF,
        ], [
            0xB, 0x9, 0x5, 0x1, 0xC, 0x3, 0xD, 0xE,
            0x6, 0x4, 0x7, 0xF, 0x2, 0x0, 0x8, 0xA,
        ],
    ]
];

/// The Reed-Solomon matrix of the key schedule.
const RS: [[u8; 8]; 4] = [
    [0x01, 0xa4, 0x55, 0x87, 0x5a, 0x58, 0xdb, 0x9e],
    [0xa4, 0x56, 0x82, 0xf3, 0x1e, 0xc6, 0x68, 0xe5],
    [0x02, 0xa1, 0xfc, 0xc1, 0x47, 0xae, 0x3d, 0x19],
    [0xa4, 0x55, 0x87, 0x5a, 0x58, 0xdb, 0x9e, 0x03],
];

/// x^8 + x^6 + x^5 + x^3 + 1 (the MDS field), low byte.
const MDS_POLY: u8 = 0x69;
/// x^8 + x^6 + x^3 + x^2 + 1 (the RS field), low byte.
const RS_POLY: u8 = 0x4d;

fn gf_mult(mut a: u8, mut b: u8, p: u8) -> u8 {
    let mut result = 0;
    while a > 0 {
        if a & 1 == 1 {
            result ^= b;
        }
        a >>= 1;
        b = if b & 0x80 == 0x80 {
            (b << 1) ^ p
        } else {
            b << 1
        };
    }
    result
}

fn q(i: usize, x: u8) -> u8 {
    let (a0, b0) = ((x >> 4) & 15, x & 15);
    let a1 = a0 ^ b0;
    let b1 = (a0 ^ ((b0 << 3) | (b0 >> 1)) ^ (a0 << 3)) & 15;
    let (a2, b2) = (QBOX[i][0][a1 as usize], QBOX[i][1][b1 as usize]);
    let a3 = a2 ^ b2;
    let b3 = (a2 ^ ((b2 << 3) | (b2 >> 1)) ^ (a2 << 3)) & 15;
    let (a4, b4) = (QBOX[i][2][a3 as usize], QBOX[i][3][b3 as usize]);
    (b4 << 4) + a4
}

fn mds_column(x: u8, column: usize) -> u32 {
    let x5b = gf_mult(x, 0x5b, MDS_POLY);
    let xef = gf_mult(x, 0xef, MDS_POLY);
    let v = match column {
        0 => [x, x5b, xef, xef],
        1 => [xef, xef, x5b, x],
        2 => [x5b, xef, x, xef],
        _ => [x5b, x, xef, x5b],
    };
    u32::from_le_bytes(v)
}

/// The h function of the key schedule for a 256-bit key.
fn h(x: u32, m: &[u8; 32], offset: usize) -> u32 {
    let mut y = x.to_le_bytes();
    let o = |i: usize, j: usize| m[4 * (i + offset) + j];
    y[0] = q(1, y[0]) ^ o(6, 0);
    y[1] = q(0, y[1]) ^ o(6, 1);
    y[2] = q(0, y[2]) ^ o(6, 2);
    y[3] = q(1, y[3]) ^ o(6, 3);
    y[0] = q(1, y[0]) ^ o(4, 0);
    y[1] = q(1, y[1]) ^ o(4, 1);
    y[2] = q(0, y[2]) ^ o(4, 2);
    y[3] = q(0, y[3]) ^ o(4, 3);
    y[0] = q(1, q(0, q(0, y[0]) ^ o(2, 0)) ^ o(0, 0));
    y[1] = q(0, q(0, q(1, y[1]) ^ o(2, 1)) ^ o(0, 1));
    y[2] = q(1, q(1, q(0, y[2]) ^ o(2, 2)) ^ o(0, 2));
    y[3] = q(0, q(1, q(1, y[3]) ^ o(2, 3)) ^ o(0, 3));
    (0..4).fold(0, |acc, i| acc ^ mds_column(y[i], i))
}

/// Twofish-256 with full keying (encryption only: CFB uses the forward direction).
#[derive(Clone)]
pub(crate) struct FastTwofish {
    k: [u32; 40],
    t: Box<[[u32; 256]; 4]>,
}

impl FastTwofish {
    /// Expands a 32-byte key.
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let rho: u32 = 0x0101_0101;
        let mut k = [0u32; 40];
        for x in 0..20u32 {
            let a = h(rho.wrapping_mul(2 * x), key, 0);
            let b = h(rho.wrapping_mul(2 * x + 1), key, 1).rotate_left(8);
            let v = a.wrapping_add(b);
            k[(2 * x) as usize] = v;
            k[(2 * x + 1) as usize] = v.wrapping_add(b).rotate_left(9);
        }
        let mut s = [0u8; 16];
        for i in 0..4 {
            for (r, row) in RS.iter().enumerate() {
                s[i * 4 + r] =
                    (0..8).fold(0, |acc, j| acc ^ gf_mult(key[i * 8 + j], row[j], RS_POLY));
            }
        }
        let mut t = Box::new([[0u32; 256]; 4]);
        for (y, table) in t.iter_mut().enumerate() {
            for (x, entry) in table.iter_mut().enumerate() {
                let mut g = q(QORD[y][0], x as u8);
                for z in 1..5 {
                    g ^= s[4 * (z - 1) + y];
                    g = q(QORD[y][z], g);
                }
                *entry = mds_column(g, y);
            }
        }
        Self { k, t }
    }

    #[inline(always)]
    fn g(&self, x: u32) -> u32 {
        let b = x.to_le_bytes();
        self.t[0][b[0] as usize]
            ^ self.t[1][b[1] as usize]
            ^ self.t[2][b[2] as usize]
            ^ self.t[3][b[3] as usize]
    }

    /// Encrypts one block.
    pub(crate) fn encrypt(&self, b: &[u8; 16]) -> [u8; 16] {
        let w = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let k = &self.k;
        let mut p = [w(0) ^ k[0], w(4) ^ k[1], w(8) ^ k[2], w(12) ^ k[3]];
        for r in 0..8 {
            let kk = 4 * r + 8;
            let t1 = self.g(p[1].rotate_left(8));
            let t0 = self.g(p[0]).wrapping_add(t1);
            p[2] = (p[2] ^ t0.wrapping_add(k[kk])).rotate_right(1);
            p[3] = p[3].rotate_left(1) ^ t1.wrapping_add(t0).wrapping_add(k[kk + 1]);
            let t1 = self.g(p[3].rotate_left(8));
            let t0 = self.g(p[2]).wrapping_add(t1);
            p[0] = (p[0] ^ t0.wrapping_add(k[kk + 2])).rotate_right(1);
            p[1] = p[1].rotate_left(1) ^ t1.wrapping_add(t0).wrapping_add(k[kk + 3]);
        }
        let out = [p[2] ^ k[4], p[3] ^ k[5], p[0] ^ k[6], p[1] ^ k[7]];
        let mut o = [0u8; 16];
        for (i, v) in out.iter().enumerate() {
            o[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        o
    }
}

impl BlockSizeUser for FastTwofish {
    type BlockSize = U16;
}

impl ParBlocksSizeUser for FastTwofish {
    type ParBlocksSize = U1;
}

impl BlockCipherEncrypt for FastTwofish {
    fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = Self::BlockSize>) {
        f.call(self)
    }
}

impl BlockCipherEncBackend for FastTwofish {
    fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let mut input = [0u8; 16];
        input.copy_from_slice(block.get_in());
        let out = self.encrypt(&input);
        block.get_out().copy_from_slice(&out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cipher::KeyInit;

    #[test]
    fn fast_twofish_matches_the_crate_block_for_block() {
        for seed in 0..8u8 {
            let key: [u8; 32] =
                std::array::from_fn(|i| (i as u8).wrapping_mul(31).wrapping_add(seed));
            let ours = FastTwofish::new(&key);
            let theirs = ::twofish::Twofish::new_from_slice(&key).expect("key");
            let mut block = Block::<::twofish::Twofish>::default();
            for i in 0..64u8 {
                block
                    .iter_mut()
                    .enumerate()
                    .for_each(|(j, b)| *b = i.wrapping_mul(7) ^ j as u8 ^ seed);
                let input: [u8; 16] = block.into();
                let mine = ours.encrypt(&input);
                BlockCipherEncrypt::encrypt_block(&theirs, &mut block);
                assert_eq!(mine[..], block[..]);
            }
        }
    }
}
