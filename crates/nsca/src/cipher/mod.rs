//! NSCA encryption methods: none, XOR and the libmcrypt-compatible CFB-8 block ciphers.
//!
//! A [`CipherState`] is created once per connection from the method, the password and the
//! 128-byte IV of the init packet, and is then used for every packet of that connection:
//! the CFB-8 shift register continues across packets, XOR restarts at the packet start.
//! The key is the password (up to its first NUL) truncated or zero-padded to the algorithm's
//! *maximum* key size; the IV is the first block-size bytes of the transmitted IV.
//!
//! Supported: 0 none, 1 XOR, 2 DES, 3 3DES (a password of ≤ 8 bytes degenerates to DES, as in
//! libmcrypt), 4 CAST-128, 6 XTEA, 8 Blowfish (big-endian, 56-byte key), 9 Twofish, 11 RC2
//! (128-byte key, 1024 effective bits), 14 Rijndael-128 (= AES-256, 32-byte key), 20 Serpent.
//! Every other number yields a [`MethodError`] that says why.

mod cfb8;
mod twofish;
mod xtea;

use crate::codec::{IV_LEN, V3_PACKET_LEN};
use crate::error::{MethodError, MethodUnavailable};
use cfb8::{Cfb8, Cfb8Stream};
use cipher::{BlockCipherEncrypt, KeyInit};

/// An encryption method both sides can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// 0: plaintext.
    None,
    /// 1: XOR with the IV and the password (the nsca default).
    Xor,
    /// 2: DES, CFB-8.
    Des,
    /// 3: triple DES (EDE3), CFB-8.
    TripleDes,
    /// 4: CAST-128, CFB-8.
    Cast128,
    /// 6: XTEA, CFB-8.
    Xtea,
    /// 8: Blowfish (big-endian), CFB-8.
    Blowfish,
    /// 9: Twofish, CFB-8.
    Twofish,
    /// 11: RC2, CFB-8.
    Rc2,
    /// 14: Rijndael-128 with a 32-byte key, i.e. AES-256, CFB-8.
    Rijndael128,
    /// 20: Serpent, CFB-8.
    Serpent,
}

/// The 27 method names of nsca's `common.h` (libmcrypt names where there is one).
const NAMES: [&str; 27] = [
    "none",
    "xor",
    "des",
    "tripledes",
    "cast-128",
    "cast-256",
    "xtea",
    "threeway",
    "blowfish",
    "twofish",
    "loki97",
    "rc2",
    "arcfour",
    "rc6",
    "rijndael-128",
    "rijndael-192",
    "rijndael-256",
    "mars",
    "panama",
    "wake",
    "serpent",
    "idea",
    "enigma",
    "gost",
    "safer-sk64",
    "safer-sk128",
    "saferplus",
];

/// The name nsca gives method `number`, or `"unknown"`.
pub fn method_name(number: i64) -> &'static str {
    usize::try_from(number)
        .ok()
        .and_then(|n| NAMES.get(n))
        .copied()
        .unwrap_or("unknown")
}

/// True when the nsca/send_nsca 2.10 config parsers accept `number` (built with libmcrypt).
pub fn config_parser_accepts(number: i64) -> bool {
    (0..=26).contains(&number) && !matches!(number, 13 | 17 | 18 | 21)
}

impl Method {
    /// Every supported method, in number order.
    pub const ALL: [Method; 11] = [
        Method::None,
        Method::Xor,
        Method::Des,
        Method::TripleDes,
        Method::Cast128,
        Method::Xtea,
        Method::Blowfish,
        Method::Twofish,
        Method::Rc2,
        Method::Rijndael128,
        Method::Serpent,
    ];

    /// The method with nsca number `number`, or why it cannot be used.
    pub fn from_number(number: i64) -> Result<Self, MethodError> {
        let method = match number {
            0 => Self::None,
            1 => Self::Xor,
            2 => Self::Des,
            3 => Self::TripleDes,
            4 => Self::Cast128,
            6 => Self::Xtea,
            8 => Self::Blowfish,
            9 => Self::Twofish,
            11 => Self::Rc2,
            14 => Self::Rijndael128,
            20 => Self::Serpent,
            _ => {
                let reason = match number {
                    13 | 17 | 18 | 21 => MethodUnavailable::RejectedByConfigParser,
                    7 | 12 | 19 | 22 | 24 | 25 => MethodUnavailable::NotInLibmcrypt,
                    5 | 10 | 15 | 16 | 23 | 26 => MethodUnavailable::NotImplemented,
                    _ => MethodUnavailable::Unknown,
                };
                return Err(MethodError {
                    number,
                    name: method_name(number),
                    reason,
                });
            }
        };
        Ok(method)
    }

    /// The nsca method number.
    pub const fn number(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Xor => 1,
            Self::Des => 2,
            Self::TripleDes => 3,
            Self::Cast128 => 4,
            Self::Xtea => 6,
            Self::Blowfish => 8,
            Self::Twofish => 9,
            Self::Rc2 => 11,
            Self::Rijndael128 => 14,
            Self::Serpent => 20,
        }
    }

    /// The name nsca/libmcrypt use.
    pub fn name(self) -> &'static str {
        NAMES[usize::from(self.number())]
    }

    /// Key length passed to the cipher (libmcrypt's maximum key size); 0 for none/XOR.
    pub const fn key_len(self) -> usize {
        match self {
            Self::None | Self::Xor => 0,
            Self::Des => 8,
            Self::TripleDes => 24,
            Self::Cast128 | Self::Xtea => 16,
            Self::Blowfish => 56,
            Self::Twofish | Self::Rijndael128 | Self::Serpent => 32,
            Self::Rc2 => 128,
        }
    }

    /// Block (= IV) size of the cipher; 0 for none/XOR.
    pub const fn block_len(self) -> usize {
        match self {
            Self::None | Self::Xor => 0,
            Self::Des
            | Self::TripleDes
            | Self::Cast128
            | Self::Xtea
            | Self::Blowfish
            | Self::Rc2 => 8,
            Self::Twofish | Self::Rijndael128 | Self::Serpent => 16,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.number(), self.name())
    }
}

/// The password bytes nsca uses: everything before the first NUL.
fn c_password(password: &[u8]) -> &[u8] {
    let end = password
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(password.len());
    &password[..end]
}

/// The cipher key: password truncated or zero-padded to `key_len`.
pub fn derive_key(password: &[u8], key_len: usize) -> Vec<u8> {
    let pw = c_password(password);
    let mut key = vec![0u8; key_len];
    let n = pw.len().min(key_len);
    key[..n].copy_from_slice(&pw[..n]);
    key
}

enum Inner {
    None,
    /// Keystream of one packet: `iv[i % 128] ^ password[i % len]`, long enough for 4304 bytes.
    Xor(Box<[u8]>),
    Block(Box<dyn Cfb8Stream>),
}

/// One connection's cipher state (same type on both sides).
pub struct CipherState {
    method: Method,
    inner: Inner,
}

impl std::fmt::Debug for CipherState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CipherState")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

fn block<C: BlockCipherEncrypt + Send + 'static>(c: C, iv: &[u8]) -> Inner {
    let bs = <C as cipher::BlockSizeUser>::block_size();
    Inner::Block(Box::new(Cfb8::new(c, &iv[..bs])))
}

fn key_init<C: KeyInit>(key: &[u8]) -> C {
    match C::new_from_slice(key) {
        Ok(c) => c,
        // derive_key always produces the cipher's key size.
        Err(_) => unreachable!("derived key has the cipher's key size"),
    }
}

impl CipherState {
    /// Initialises `method` with `password` and the transmitted `iv` (from the init packet).
    pub fn new(method: Method, password: &[u8], iv: &[u8; IV_LEN]) -> Self {
        let key = derive_key(password, method.key_len());
        let inner = match method {
            Method::None => Inner::None,
            Method::Xor => {
                let pw = c_password(password);
                let mut ks: Box<[u8]> = iv.iter().copied().cycle().take(V3_PACKET_LEN).collect();
                for (k, p) in ks.iter_mut().zip(pw.iter().cycle()) {
                    *k ^= p;
                }
                Inner::Xor(ks)
            }
            Method::Des => block(key_init::<des::Des>(&key), iv),
            Method::TripleDes => block(key_init::<des::TdesEde3>(&key), iv),
            Method::Cast128 => block(key_init::<cast5::Cast5>(&key), iv),
            Method::Xtea => Inner::Block(Box::new(xtea::XteaCfb8::new(&key, &iv[..8]))),
            Method::Blowfish => block(key_init::<blowfish::Blowfish>(&key), iv),
            Method::Twofish => {
                let mut k = [0u8; 32];
                k.copy_from_slice(&key);
                block(twofish::FastTwofish::new(&k), iv)
            }
            Method::Rc2 => block(rc2::Rc2::new_with_eff_key_len(&key, 1024), iv),
            Method::Rijndael128 => block(key_init::<aes::Aes256>(&key), iv),
            Method::Serpent => block(key_init::<serpent::Serpent>(&key), iv),
        };
        Self { method, inner }
    }

    /// The method of this state.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Encrypts the next `buf.len()` bytes of the stream; `packet_offset` is the position of
    /// `buf[0]` inside its packet (only XOR, which restarts every packet, uses it).
    pub fn encrypt(&mut self, buf: &mut [u8], packet_offset: usize) {
        match &mut self.inner {
            Inner::None => {}
            Inner::Xor(ks) => xor(ks, buf, packet_offset),
            Inner::Block(s) => s.encrypt(buf),
        }
    }

    /// Decrypts the next `buf.len()` bytes of the stream (batched for block ciphers); see
    /// [`CipherState::encrypt`] for `packet_offset`.
    pub fn decrypt(&mut self, buf: &mut [u8], packet_offset: usize) {
        match &mut self.inner {
            Inner::None => {}
            Inner::Xor(ks) => xor(ks, buf, packet_offset),
            Inner::Block(s) => s.decrypt(buf),
        }
    }
}

/// XORs `buf` with the keystream `ks` starting at `packet_offset` (past the end of `ks` — a
/// packet is at most 4304 bytes — the pattern simply repeats).
fn xor(ks: &[u8], buf: &mut [u8], packet_offset: usize) {
    let mut pos = packet_offset % ks.len();
    for piece in buf.chunks_mut(ks.len()) {
        // A piece spans at most two runs of the keystream: ks[pos..] and ks[..pos].
        let (head, tail) = piece.split_at_mut(piece.len().min(ks.len() - pos));
        head.iter_mut().zip(&ks[pos..]).for_each(|(b, k)| *b ^= k);
        tail.iter_mut().zip(ks).for_each(|(b, k)| *b ^= k);
        pos = (pos + piece.len()) % ks.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv() -> [u8; IV_LEN] {
        std::array::from_fn(|i| i as u8)
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    const PLAIN: &[u8] = b"NSCA test vector plaintext 0123456789";

    /// §2.7 of the protocol reference: libmcrypt CFB-8, password "secretpw", IV 00..7f.
    #[test]
    fn libmcrypt_reference_ciphertexts() {
        let cases: [(i64, &str); 10] = [
            (
                2,
                "a7bd12270b631c0c325e4bcaf6545cc4e5d9c7de9fb8a968805936d8a9dd42004e76aadb89",
            ),
            (
                3,
                "a7bd12270b631c0c325e4bcaf6545cc4e5d9c7de9fb8a968805936d8a9dd42004e76aadb89",
            ),
            (
                4,
                "1caefccba103b84b35e53239e2de845df0a7686223b0dc0ee89e57543a297f928b88b76e2f",
            ),
            (
                6,
                "d8566e228a0bc47c8acc37c6e00d49aaa8d813865865c7cbd38712b4f3aca44bc467d61219",
            ),
            (
                8,
                "bc225a28e30fb19cace3e022a18728ce8015495dc23e7e2ff94ee82c1a9b035b4404a26066",
            ),
            (
                9,
                "5023abb7b20f017ba528e744d2a869147a5f4160bbe88ac70518526756b9606361af7cf1bc",
            ),
            (
                11,
                "9d2e273c0a1351eea235214ebd7bf448aaa59be7551392c779ec9ad2ca953397702c3bf8bb",
            ),
            (
                14,
                "c7cce1e4912f7dc7219114482e73050f452961b770558ceba934a1930956da4666f765c952",
            ),
            (
                20,
                "59e905c7ad900d0f00b5669fd8897d8cd9b3793b1ee2a5a01f6e5fe03f0b759182d33fb9a1",
            ),
            (1, ""),
        ];
        for (n, want) in cases {
            if want.is_empty() {
                continue;
            }
            let m = Method::from_number(n).expect("supported");
            let mut buf = PLAIN.to_vec();
            CipherState::new(m, b"secretpw", &iv()).encrypt(&mut buf, 0);
            assert_eq!(hex(&buf), want, "method {n}");
            CipherState::new(m, b"secretpw", &iv()).decrypt(&mut buf, 0);
            assert_eq!(buf, PLAIN, "method {n} decrypt");
        }
    }

    #[test]
    fn long_password_distinguishes_3des_from_des() {
        let pw = b"a-much-longer-password-for-3des-tests";
        let mut a = PLAIN.to_vec();
        CipherState::new(Method::TripleDes, pw, &iv()).encrypt(&mut a, 0);
        assert_eq!(hex(&a[..16]), "a333549c3572427d62dd155d04415009");
        let mut b = PLAIN.to_vec();
        CipherState::new(Method::Des, pw, &iv()).encrypt(&mut b, 0);
        assert_eq!(hex(&b[..16]), "f266b1364e255b0fb2b3873e138ae96e");
    }

    #[test]
    fn xtea_matches_standard_ecb_vector() {
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let c = xtea::XteaCfb8::new(&key, &[0u8; 8]);
        assert_eq!(hex(&c.encrypt_block(*b"ABCDEFGH")), "497df3d072612cb5");
    }

    #[test]
    fn xor_keystream_starts_as_documented() {
        let mut buf = [0u8; 8];
        CipherState::new(Method::Xor, b"secretpw", &iv()).encrypt(&mut buf, 0);
        assert_eq!(hex(&buf), "7364617161717670");
    }

    #[test]
    fn every_unsupported_number_names_a_reason() {
        for n in -1..=30i64 {
            match Method::from_number(n) {
                Ok(m) => assert_eq!(i64::from(m.number()), n),
                Err(e) => {
                    let want = match n {
                        13 | 17 | 18 | 21 => MethodUnavailable::RejectedByConfigParser,
                        7 | 12 | 19 | 22 | 24 | 25 => MethodUnavailable::NotInLibmcrypt,
                        5 | 10 | 15 | 16 | 23 | 26 => MethodUnavailable::NotImplemented,
                        _ => MethodUnavailable::Unknown,
                    };
                    assert_eq!(e.reason, want, "method {n}");
                    assert!(e.to_string().contains(&format!("method {n}")));
                }
            }
        }
    }
}
