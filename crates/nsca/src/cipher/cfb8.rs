//! 8-bit cipher feedback (CFB-8) over any RustCrypto block cipher, as libmcrypt's `"cfb"` mode.
//!
//! Each byte is XORed with the first byte of `E(shift register)`; the ciphertext byte is then
//! shifted into the register.
//! Encryption is serial: the next register depends on the byte just produced.
//! Decryption is not: the register for position *i* is made of ciphertext bytes that have all
//! been received, so [`Cfb8::decrypt`] builds the registers of as many positions as the
//! backend encrypts at once (64 for AES with VAES-512) and encrypts them together, which lets
//! AES-NI pipeline the rounds.

use cipher::array::{Array, ArraySize};
use cipher::typenum::Unsigned;
use cipher::{
    Block, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser,
    ParBlocks,
};

/// A CFB-8 stream: one block cipher and the current shift register.
pub(crate) struct Cfb8<C: BlockCipherEncrypt> {
    cipher: C,
    reg: Block<C>,
    /// Register ‖ ciphertext of the chunk being decrypted (kept to reuse its allocation).
    window: Vec<u8>,
}

/// Serial CFB-8 encryption inside one backend call (no per-byte dispatch).
struct EncryptSerial<'a, BS: ArraySize> {
    reg: &'a mut Array<u8, BS>,
    buf: &'a mut [u8],
}

impl<BS: ArraySize> BlockSizeUser for EncryptSerial<'_, BS> {
    type BlockSize = BS;
}

impl<BS: ArraySize> BlockCipherEncClosure for EncryptSerial<'_, BS> {
    fn call<B: BlockCipherEncBackend<BlockSize = BS>>(self, backend: &B) {
        let bs = BS::USIZE;
        let mut tmp = Array::<u8, BS>::default();
        for b in self.buf.iter_mut() {
            tmp.clone_from(self.reg);
            backend.encrypt_block((&mut tmp).into());
            let c = *b ^ tmp[0];
            *b = c;
            self.reg.copy_within(1.., 0);
            self.reg[bs - 1] = c;
        }
    }
}

/// Batched CFB-8 decryption inside one backend call: the registers of as many positions as
/// the backend encrypts in parallel are built from `window` and encrypted together.
struct DecryptBatched<'a, BS: ArraySize> {
    /// Register ‖ ciphertext: the register for position *i* is `window[i..i + block size]`.
    window: &'a [u8],
    buf: &'a mut [u8],
    _block_size: std::marker::PhantomData<BS>,
}

impl<BS: ArraySize> BlockSizeUser for DecryptBatched<'_, BS> {
    type BlockSize = BS;
}

impl<BS: ArraySize> BlockCipherEncClosure for DecryptBatched<'_, BS> {
    fn call<B: BlockCipherEncBackend<BlockSize = BS>>(self, backend: &B) {
        let bs = BS::USIZE;
        let par = B::ParBlocksSize::USIZE;
        let mut blocks = ParBlocks::<B>::default();
        for (i, chunk) in self.buf.chunks_mut(par).enumerate() {
            let registers = self.window[i * par..].windows(bs);
            if par == 1 {
                // No parallelism to exploit: one block, no padding.
                let block = &mut blocks[0];
                block.copy_from_slice(&self.window[i..i + bs]);
                backend.encrypt_block_inplace(block);
            } else {
                // A short last chunk leaves stale registers at the end; their output is ignored.
                for (block, register) in blocks.iter_mut().zip(registers) {
                    block.copy_from_slice(register);
                }
                backend.encrypt_par_blocks_inplace(&mut blocks);
            }
            for (p, block) in chunk.iter_mut().zip(blocks.iter()) {
                *p ^= block[0];
            }
        }
    }
}

impl<C: BlockCipherEncrypt> Cfb8<C> {
    /// A stream with `iv` (exactly block size bytes) as the initial register.
    pub(crate) fn new(cipher: C, iv: &[u8]) -> Self {
        let mut reg = Block::<C>::default();
        reg.copy_from_slice(iv);
        Self {
            cipher,
            reg,
            window: Vec::new(),
        }
    }

    /// Encrypts `buf` in place (inherently serial: one block-cipher call per byte).
    pub(crate) fn encrypt(&mut self, buf: &mut [u8]) {
        self.cipher.encrypt_with_backend(EncryptSerial {
            reg: &mut self.reg,
            buf,
        });
    }

    /// Decrypts `buf` in place, batching the block-cipher calls.
    pub(crate) fn decrypt(&mut self, buf: &mut [u8]) {
        let bs = self.reg.len();
        let mut window = std::mem::take(&mut self.window);
        window.clear();
        window.extend_from_slice(&self.reg);
        window.extend_from_slice(buf);
        self.cipher
            .encrypt_with_backend(DecryptBatched::<C::BlockSize> {
                window: &window,
                buf,
                _block_size: std::marker::PhantomData,
            });
        self.reg.copy_from_slice(&window[window.len() - bs..]);
        self.window = window;
    }

    /// Decrypts `buf` in place one byte at a time (reference for tests and benches).
    #[cfg(test)]
    pub(crate) fn decrypt_serial(&mut self, buf: &mut [u8]) {
        let bs = self.reg.len();
        let mut tmp = Block::<C>::default();
        for b in buf.iter_mut() {
            tmp.clone_from(&self.reg);
            self.cipher.encrypt_block(&mut tmp);
            let c = *b;
            *b = c ^ tmp[0];
            self.reg.copy_within(1.., 0);
            self.reg[bs - 1] = c;
        }
    }
}

/// Object-safe view of a CFB-8 stream, so one connection can hold any algorithm.
pub(crate) trait Cfb8Stream: Send {
    fn encrypt(&mut self, buf: &mut [u8]);
    fn decrypt(&mut self, buf: &mut [u8]);
}

impl<C: BlockCipherEncrypt + Send> Cfb8Stream for Cfb8<C> {
    fn encrypt(&mut self, buf: &mut [u8]) {
        Cfb8::encrypt(self, buf)
    }

    fn decrypt(&mut self, buf: &mut [u8]) {
        Cfb8::decrypt(self, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cipher::{InnerIvInit, KeyInit};
    use rand_chacha::ChaCha8Rng;
    use rand_core::{Rng, SeedableRng};

    fn check_against_cfb8_crate<C>(key: &[u8], iv_len: usize, seed: u64)
    where
        C: BlockCipherEncrypt + KeyInit + Clone,
    {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut iv = vec![0u8; iv_len];
        rng.fill_bytes(&mut iv);
        let cipher = C::new_from_slice(key).expect("key length");
        for len in [0usize, 1, 7, 127, 128, 129, 4304, 9000] {
            let mut plain = vec![0u8; len];
            rng.fill_bytes(&mut plain);
            // Reference: the cfb8 crate, fed in uneven pieces to keep its state across calls.
            let mut reference = plain.clone();
            let mut enc =
                cfb8::Encryptor::<C>::inner_iv_slice_init(cipher.clone(), &iv).expect("iv length");
            for piece in reference.chunks_mut(333) {
                enc.encrypt(piece);
            }
            let mut ours = plain.clone();
            let mut stream = Cfb8::new(cipher.clone(), &iv);
            for piece in ours.chunks_mut(1000) {
                stream.encrypt(piece);
            }
            assert_eq!(ours, reference, "encrypt len {len}");
            let mut fast = reference.clone();
            let mut dec = Cfb8::new(cipher.clone(), &iv);
            for piece in fast.chunks_mut(517) {
                dec.decrypt(piece);
            }
            assert_eq!(fast, plain, "batched decrypt len {len}");
            let mut serial = reference.clone();
            let mut dec = Cfb8::new(cipher.clone(), &iv);
            dec.decrypt_serial(&mut serial);
            assert_eq!(serial, plain, "serial decrypt len {len}");
            let mut crate_dec = reference.clone();
            cfb8::Decryptor::<C>::inner_iv_slice_init(cipher.clone(), &iv)
                .expect("iv length")
                .decrypt(&mut crate_dec);
            assert_eq!(crate_dec, plain, "cfb8 crate decrypt len {len}");
        }
    }

    #[test]
    fn batched_decrypt_matches_cfb8_crate_for_random_data_aes256() {
        check_against_cfb8_crate::<aes::Aes256>(&[7u8; 32], 16, 1);
    }

    #[test]
    fn batched_decrypt_matches_cfb8_crate_for_random_data_des() {
        check_against_cfb8_crate::<des::Des>(b"secretpw", 8, 2);
    }

    #[test]
    fn batched_decrypt_matches_cfb8_crate_for_random_data_twofish() {
        check_against_cfb8_crate::<::twofish::Twofish>(&[9u8; 32], 16, 3);
    }

    #[test]
    fn batched_decrypt_matches_serial_for_any_split() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let cipher = aes::Aes256::new_from_slice(&[1u8; 32]).expect("key");
        let iv = [3u8; 16];
        let mut data = vec![0u8; 5000];
        rng.fill_bytes(&mut data);
        let mut whole = data.clone();
        Cfb8::new(cipher.clone(), &iv).decrypt_serial(&mut whole);
        for split in [1usize, 2, 15, 16, 17, 255, 256, 4304] {
            let mut pieces = data.clone();
            let mut dec = Cfb8::new(cipher.clone(), &iv);
            for piece in pieces.chunks_mut(split) {
                dec.decrypt(piece);
            }
            assert_eq!(pieces, whole, "split {split}");
        }
        let _ = rng.next_u32();
    }
}
