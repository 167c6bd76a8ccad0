//! Packet codec: the 132-byte init packet and the 4304/720-byte data packets.
//!
//! Layout (x86-64 C struct of nsca 2.10, big-endian fields):
//! `0 version i16 | 2 padding | 4 crc32 u32 | 8 timestamp u32 | 12 return code i16 |
//! 14 host[64] | 78 service[128] | 206 output[4096 or 512] | tail padding[2]`.
//! The CRC-32 (IEEE, as crc32fast) covers the whole plaintext packet with bytes 4..8 zeroed,
//! padding and filler included.
//!
//! Decoding reads each string up to its first NUL (at most field size − 1 bytes) and never
//! assumes zero filler.
//! Encoding truncates like send_nsca's `strncpy` (63 / 127 / 4095 or 511 bytes, and at the
//! first NUL) and fills the rest of the packet with a [`Filler`].
//! Nothing here does IO or reads a clock; randomness comes only from the caller.

use crate::error::DecodeError;

/// Size of the IV carried in the init packet.
pub const IV_LEN: usize = 128;
/// Size of the init packet (IV + big-endian u32 timestamp).
pub const INIT_PACKET_LEN: usize = 132;
/// The only packet version nsca 2.10 accepts.
pub const PACKET_VERSION: i16 = 3;
/// Size of a v3 data packet (nsca ≥ 2.9).
pub const V3_PACKET_LEN: usize = 4304;
/// Size of a legacy data packet (nsca ≤ 2.8, send_nsca `--legacy-2-7-mode`).
pub const LEGACY_PACKET_LEN: usize = 720;
/// Longest host name that fits (the field is 64 bytes with its NUL).
pub const MAX_HOST_LEN: usize = 63;
/// Longest service description that fits (128-byte field).
pub const MAX_SERVICE_LEN: usize = 127;

const OFF_VERSION: usize = 0;
const OFF_CRC: usize = 4;
const OFF_TIMESTAMP: usize = 8;
const OFF_RC: usize = 12;
const OFF_HOST: usize = 14;
const HOST_FIELD: usize = 64;
const OFF_SERVICE: usize = 78;
const SERVICE_FIELD: usize = 128;
const OFF_OUTPUT: usize = 206;

/// Which data packet format: v3 (4304 bytes) or legacy 2.7 (720 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketSize {
    /// 4304 bytes, output up to 4095 bytes.
    V3,
    /// 720 bytes, output up to 511 bytes.
    Legacy,
}

impl PacketSize {
    /// Total packet length in bytes.
    #[allow(clippy::len_without_is_empty, reason = "a packet size is never empty")]
    pub const fn len(self) -> usize {
        match self {
            Self::V3 => V3_PACKET_LEN,
            Self::Legacy => LEGACY_PACKET_LEN,
        }
    }

    /// Size of the output field (including its NUL).
    pub const fn output_field(self) -> usize {
        match self {
            Self::V3 => 4096,
            Self::Legacy => 512,
        }
    }

    /// Longest plugin output that fits.
    pub const fn max_output(self) -> usize {
        self.output_field() - 1
    }

    /// The format of a packet of `len` bytes, if any.
    pub const fn from_len(len: usize) -> Option<Self> {
        match len {
            V3_PACKET_LEN => Some(Self::V3),
            LEGACY_PACKET_LEN => Some(Self::Legacy),
            _ => None,
        }
    }
}

/// The server's first message: 128 IV bytes and its clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitPacket {
    /// The IV; ciphers use its first block-size bytes, XOR uses all of it.
    pub iv: [u8; IV_LEN],
    /// Server time in seconds (truncated to 32 bits); clients echo it in every packet.
    pub timestamp: u32,
}

impl InitPacket {
    /// The 132 wire bytes.
    pub fn encode(&self) -> [u8; INIT_PACKET_LEN] {
        let mut out = [0u8; INIT_PACKET_LEN];
        out[..IV_LEN].copy_from_slice(&self.iv);
        out[IV_LEN..].copy_from_slice(&self.timestamp.to_be_bytes());
        out
    }

    /// Parses the first 132 bytes of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() < INIT_PACKET_LEN {
            return Err(DecodeError::ShortInit {
                actual: bytes.len(),
            });
        }
        let mut iv = [0u8; IV_LEN];
        iv.copy_from_slice(&bytes[..IV_LEN]);
        let timestamp = be_u32(&bytes[IV_LEN..INIT_PACKET_LEN]);
        Ok(Self { iv, timestamp })
    }
}

/// One passive check result as carried by a data packet.
///
/// All text is bytes: NSCA passes host, service and output through without any charset.
/// An empty `service` makes it a host check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CheckResult {
    /// Host name (at most 63 bytes on the wire).
    pub host: Vec<u8>,
    /// Service description; empty for a host check (at most 127 bytes on the wire).
    pub service: Vec<u8>,
    /// Plugin return code, signed 16 bits, no range check (7 and −1 travel as-is).
    pub return_code: i16,
    /// Plugin output (at most 4095 bytes, 511 in legacy packets); any bytes but NUL.
    pub output: Vec<u8>,
}

impl CheckResult {
    /// A service check result.
    pub fn service(
        host: impl Into<Vec<u8>>,
        service: impl Into<Vec<u8>>,
        return_code: i16,
        output: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            host: host.into(),
            service: service.into(),
            return_code,
            output: output.into(),
        }
    }

    /// A host check result (empty service description).
    pub fn host(host: impl Into<Vec<u8>>, return_code: i16, output: impl Into<Vec<u8>>) -> Self {
        Self {
            host: host.into(),
            service: Vec::new(),
            return_code,
            output: output.into(),
        }
    }

    /// True when this is a host check (empty service description).
    pub fn is_host_check(&self) -> bool {
        self.service.is_empty()
    }

    /// What a receiver decodes after this result is encoded in a packet of `size`:
    /// each field cut at its first NUL, then to 63 / 127 / 4095 (511) bytes.
    pub fn normalized(&self, size: PacketSize) -> Self {
        Self {
            host: c_field(&self.host, MAX_HOST_LEN).to_vec(),
            service: c_field(&self.service, MAX_SERVICE_LEN).to_vec(),
            return_code: self.return_code,
            output: c_field(&self.output, size.max_output()).to_vec(),
        }
    }
}

/// The bytes a C `strncpy(dst, src, max)` keeps: up to the first NUL, at most `max`.
pub(crate) fn c_field(s: &[u8], max: usize) -> &[u8] {
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len()).min(max);
    &s[..end]
}

/// How the bytes of a packet that no field covers are filled before encoding.
pub enum Filler<'a> {
    /// All zero: deterministic packets, accepted by nsca 2.10 (test vectors use it).
    Zero,
    /// Like send_nsca: every byte drawn from `'0'..='w'` (0x30..0x77) with the caller's RNG.
    Printable(&'a mut dyn rand_core::Rng),
}

impl std::fmt::Debug for Filler<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Zero => f.write_str("Zero"),
            Self::Printable(_) => f.write_str("Printable"),
        }
    }
}

impl Filler<'_> {
    fn fill(&mut self, buf: &mut [u8]) {
        match self {
            Self::Zero => buf.fill(0),
            Self::Printable(rng) => {
                for b in buf.iter_mut() {
                    // send_nsca: '0' + (int)(72.0 * rand() / (RAND_MAX + 1.0)).
                    let r = u64::from(rng.next_u32());
                    *b = b'0' + ((72 * r) >> 32) as u8;
                }
            }
        }
    }
}

/// Encodes `result` as a plaintext data packet of `size` echoing `timestamp`, with the CRC set.
///
/// Fields are truncated as send_nsca truncates them (see [`CheckResult::normalized`]); each
/// string is followed by one NUL, everything else is filler.
pub fn encode_packet(
    result: &CheckResult,
    size: PacketSize,
    timestamp: u32,
    filler: &mut Filler<'_>,
) -> Vec<u8> {
    let mut buf = vec![0u8; size.len()];
    encode_packet_into(result, size, timestamp, filler, &mut buf);
    buf
}

/// Like [`encode_packet`] but writes into `buf`, which must be exactly `size.len()` bytes.
///
/// A buffer of another length is resized first.
pub fn encode_packet_into(
    result: &CheckResult,
    size: PacketSize,
    timestamp: u32,
    filler: &mut Filler<'_>,
    buf: &mut Vec<u8>,
) {
    buf.resize(size.len(), 0);
    filler.fill(buf);
    buf[OFF_VERSION..OFF_VERSION + 2].copy_from_slice(&PACKET_VERSION.to_be_bytes());
    buf[OFF_RC..OFF_RC + 2].copy_from_slice(&result.return_code.to_be_bytes());
    put_c_string(&mut buf[OFF_HOST..OFF_HOST + HOST_FIELD], &result.host);
    put_c_string(
        &mut buf[OFF_SERVICE..OFF_SERVICE + SERVICE_FIELD],
        &result.service,
    );
    put_c_string(
        &mut buf[OFF_OUTPUT..OFF_OUTPUT + size.output_field()],
        &result.output,
    );
    buf[OFF_TIMESTAMP..OFF_TIMESTAMP + 4].copy_from_slice(&timestamp.to_be_bytes());
    buf[OFF_CRC..OFF_CRC + 4].fill(0);
    let crc = crc32fast::hash(buf);
    buf[OFF_CRC..OFF_CRC + 4].copy_from_slice(&crc.to_be_bytes());
    debug_assert_eq!(buf.len(), size.len());
}

fn put_c_string(field: &mut [u8], s: &[u8]) {
    let s = c_field(s, field.len() - 1);
    field[..s.len()].copy_from_slice(s);
    field[s.len()] = 0;
}

/// A decoded data packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedPacket {
    /// The check result.
    pub result: CheckResult,
    /// The timestamp field (the client's echo of the init timestamp; 2.10 ignores it).
    pub timestamp: u32,
    /// The packet format.
    pub size: PacketSize,
}

/// CRC-32 of a plaintext packet with its CRC field (bytes 4..8) taken as zero.
pub fn packet_crc(packet: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    if packet.len() < OFF_CRC + 4 {
        h.update(packet);
        return h.finalize();
    }
    h.update(&packet[..OFF_CRC]);
    h.update(&[0u8; 4]);
    h.update(&packet[OFF_CRC + 4..]);
    h.finalize()
}

/// Decodes a plaintext (already decrypted) data packet of 4304 or 720 bytes.
///
/// Checks, in nsca 2.10's order: length, version == 3, CRC.
pub fn decode_packet(packet: &[u8]) -> Result<DecodedPacket, DecodeError> {
    let size = PacketSize::from_len(packet.len()).ok_or(DecodeError::WrongLength {
        actual: packet.len(),
    })?;
    let version = i16::from_be_bytes([packet[OFF_VERSION], packet[OFF_VERSION + 1]]);
    if version != PACKET_VERSION {
        return Err(DecodeError::BadVersion { found: version });
    }
    let expected = be_u32(&packet[OFF_CRC..OFF_CRC + 4]);
    let actual = packet_crc(packet);
    if expected != actual {
        return Err(DecodeError::BadCrc { expected, actual });
    }
    let field = |off: usize, len: usize| c_field(&packet[off..off + len], len - 1).to_vec();
    let result = CheckResult {
        host: field(OFF_HOST, HOST_FIELD),
        service: field(OFF_SERVICE, SERVICE_FIELD),
        return_code: i16::from_be_bytes([packet[OFF_RC], packet[OFF_RC + 1]]),
        output: field(OFF_OUTPUT, size.output_field()),
    };
    Ok(DecodedPacket {
        result,
        timestamp: be_u32(&packet[OFF_TIMESTAMP..OFF_TIMESTAMP + 4]),
        size,
    })
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_offsets_add_up() {
        assert_eq!(OFF_OUTPUT + 4096 + 2, V3_PACKET_LEN);
        assert_eq!(OFF_OUTPUT + 512 + 2, LEGACY_PACKET_LEN);
        assert_eq!(OFF_SERVICE + SERVICE_FIELD, OFF_OUTPUT);
        assert_eq!(OFF_HOST + HOST_FIELD, OFF_SERVICE);
    }

    #[test]
    fn crc_matches_zlib_check_value() {
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
    }
}
