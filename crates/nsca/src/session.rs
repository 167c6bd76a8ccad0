//! Sans-IO NSCA sessions: the client and the server side of one connection.
//!
//! Neither type does IO, reads a clock or draws randomness: the shell feeds bytes, events and
//! `now`, and sends or stores what comes out.
//!
//! # Client ([`ClientSession`])
//! Inputs: [`ClientSession::handle_init_bytes`] with whatever the server sent (the first 132
//! bytes are the init packet).
//! Outputs: once [`ClientSession::is_ready`], [`ClientSession::encode`] turns each
//! [`CheckResult`] into the encrypted wire bytes of one packet, cipher state continuing.
//!
//! # Server ([`ServerSession`])
//! Inputs, in any order after construction:
//! [`ServerSession::handle_data`] with each chunk read from the peer (any split),
//! [`ServerSession::handle_read_end`] when a read ends without a full packet: [`ReadEnd::Eof`]
//! when the peer closed, [`ReadEnd::Timeout`] when the shell's read timeout fired (nsca 2.10:
//! 10 s after the read of the current packet started; in its single-process mode a read
//! starts when the first byte of the packet arrives, so idle connections never time out).
//! Outputs, polled in this order after every input:
//! 1. [`ServerSession::poll_transmit`] — the 132-byte init packet, exactly once, first;
//! 2. [`ServerSession::poll_event`] until `None` — results, rejections, and finally
//!    [`SessionEvent::Closed`], after which the shell closes the socket and feeds nothing more.
//!
//! Packet rules are nsca 2.10's: a full 4304-byte packet is decoded as soon as it is
//! complete; a 720-byte (2.7) packet is accepted only when a read ends (EOF or timeout) with
//! exactly 720 bytes buffered; a bad version or CRC rejects the packet and closes the
//! connection (later packets are lost, as in 2.10); a read that ends with any other count is
//! a silent close.

use std::collections::VecDeque;

use crate::cipher::{CipherState, Method};
use crate::codec::{
    self, CheckResult, DecodedPacket, Filler, INIT_PACKET_LEN, IV_LEN, InitPacket,
    LEGACY_PACKET_LEN, PacketSize, V3_PACKET_LEN,
};
use crate::error::{ApiMisuse, DecodeError};

/// The client side of one connection.
#[derive(Debug)]
pub struct ClientSession {
    method: Method,
    password: Vec<u8>,
    size: PacketSize,
    init_buf: Vec<u8>,
    ready: Option<(InitPacket, CipherState)>,
    packets: u64,
}

impl ClientSession {
    /// A session that will send `size` packets encrypted with `method` and `password`.
    pub fn new(method: Method, password: &[u8], size: PacketSize) -> Self {
        Self {
            method,
            password: password.to_vec(),
            size,
            init_buf: Vec::with_capacity(INIT_PACKET_LEN),
            ready: None,
            packets: 0,
        }
    }

    /// Feeds bytes from the server; returns how many were used (the rest are not part of the
    /// init packet, and nsca never sends any).
    pub fn handle_init_bytes(&mut self, bytes: &[u8]) -> usize {
        if self.ready.is_some() {
            return 0;
        }
        let take = (INIT_PACKET_LEN - self.init_buf.len()).min(bytes.len());
        self.init_buf.extend_from_slice(&bytes[..take]);
        if self.init_buf.len() == INIT_PACKET_LEN
            && let Ok(init) = InitPacket::decode(&self.init_buf)
        {
            let cipher = CipherState::new(self.method, &self.password, &init.iv);
            self.ready = Some((init, cipher));
        }
        take
    }

    /// Bytes of the init packet still missing.
    pub fn init_missing(&self) -> usize {
        if self.ready.is_some() {
            0
        } else {
            INIT_PACKET_LEN - self.init_buf.len()
        }
    }

    /// True once the whole init packet has arrived.
    pub fn is_ready(&self) -> bool {
        self.ready.is_some()
    }

    /// The init packet, once received.
    pub fn init_packet(&self) -> Option<&InitPacket> {
        self.ready.as_ref().map(|(init, _)| init)
    }

    /// The packet format this session sends.
    pub fn packet_size(&self) -> PacketSize {
        self.size
    }

    /// Number of packets encoded so far.
    pub fn packets_encoded(&self) -> u64 {
        self.packets
    }

    /// The encrypted wire bytes of one packet carrying `result` (timestamp = init timestamp).
    pub fn encode(
        &mut self,
        result: &CheckResult,
        filler: &mut Filler<'_>,
    ) -> Result<Vec<u8>, ApiMisuse> {
        let (init, cipher) = self.ready.as_mut().ok_or(ApiMisuse::NotReady)?;
        let mut buf = codec::encode_packet(result, self.size, init.timestamp, filler);
        cipher.encrypt(&mut buf, 0);
        self.packets += 1;
        Ok(buf)
    }
}

/// How a read without a complete packet ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadEnd {
    /// The peer closed its side (recv returned 0) or the read failed.
    Eof,
    /// The shell's read timeout fired.
    Timeout,
}

/// Why a server session closed, as the sans-IO session sees it (the server's
/// `server::events::CloseReason` adds IO errors and shutdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The peer closed; `leftover` bytes of an incomplete packet were dropped (nsca: silently).
    Eof {
        /// Bytes buffered that did not form a packet.
        leftover: usize,
    },
    /// The read timed out with `leftover` bytes that did not form a packet.
    Timeout {
        /// Bytes buffered that did not form a packet.
        leftover: usize,
    },
    /// A packet failed its version or CRC check.
    BadPacket,
}

/// What a server session reports to its shell (the server turns these into its own
/// `server::events::ServerEvent`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// With candidate ciphers: the first packet decoded with candidate number `candidate`.
    Identified {
        /// Index into the candidate list given to [`ServerSession::with_candidates`].
        candidate: usize,
    },
    /// A packet passed every check; the result must be written.
    Accepted {
        /// 1-based packet number on this connection.
        packet: u64,
        /// The decoded packet.
        decoded: DecodedPacket,
    },
    /// A packet failed a check; the connection closes next (nsca 2.10 behaviour).
    Rejected {
        /// 1-based packet number on this connection.
        packet: u64,
        /// What was wrong (with candidates: the error of the first candidate).
        error: DecodeError,
    },
    /// The connection is over; nothing more will be reported.
    Closed {
        /// Why.
        reason: SessionEnd,
        /// Packets accepted on this connection.
        accepted: u64,
    },
}

impl std::fmt::Display for SessionEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Identified { candidate } => write!(f, "identified candidate {candidate}"),
            Self::Accepted { packet, decoded } => {
                let r = &decoded.result;
                let size = decoded.size.len();
                if r.is_host_check() {
                    write!(
                        f,
                        "packet {packet} accepted: host {} rc={} ({size} bytes)",
                        String::from_utf8_lossy(&r.host),
                        r.return_code
                    )
                } else {
                    write!(
                        f,
                        "packet {packet} accepted: service {}/{} rc={} ({size} bytes)",
                        String::from_utf8_lossy(&r.host),
                        String::from_utf8_lossy(&r.service),
                        r.return_code
                    )
                }
            }
            Self::Rejected { packet, error } => write!(f, "packet {packet} rejected: {error}"),
            Self::Closed { reason, accepted } => match reason {
                SessionEnd::Eof { leftover } => {
                    write!(
                        f,
                        "closed: end of stream, {accepted} accepted, {leftover} bytes left over"
                    )
                }
                SessionEnd::Timeout { leftover } => {
                    write!(
                        f,
                        "closed: read timeout, {accepted} accepted, {leftover} bytes left over"
                    )
                }
                SessionEnd::BadPacket => write!(f, "closed: bad packet, {accepted} accepted"),
            },
        }
    }
}

/// The cipher side of a server session.
enum Decrypt {
    /// Cipher known: bytes are decrypted as they arrive.
    Known(CipherState),
    /// Cipher to be found by trial decryption of the first packet; `raw` holds its ciphertext.
    Candidates {
        list: Vec<(Method, Vec<u8>)>,
        raw: Vec<u8>,
    },
}

/// The server side of one connection.
pub struct ServerSession {
    iv: [u8; IV_LEN],
    init: Option<[u8; INIT_PACKET_LEN]>,
    decrypt: Decrypt,
    /// Plaintext of the current, incomplete packet (Known mode).
    plain: Vec<u8>,
    packets: u64,
    accepted: u64,
    closed: bool,
    events: VecDeque<SessionEvent>,
}

impl std::fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSession")
            .field("packets", &self.packets)
            .field("accepted", &self.accepted)
            .field("buffered", &self.buffered())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl ServerSession {
    /// A session whose init packet carries `iv` and `now` (seconds, truncated to 32 bits),
    /// decrypting with `method` and `password`.
    pub fn new(method: Method, password: &[u8], iv: [u8; IV_LEN], now: u32) -> Self {
        let cipher = CipherState::new(method, password, &iv);
        Self::build(iv, now, Decrypt::Known(cipher))
    }

    /// A session that identifies the client's cipher by trial decryption of its first packet:
    /// the first candidate whose decryption passes both the version and the CRC check wins
    /// (reported as [`SessionEvent::Identified`]) and is used for the rest of the connection.
    pub fn with_candidates(candidates: Vec<(Method, Vec<u8>)>, iv: [u8; IV_LEN], now: u32) -> Self {
        Self::build(
            iv,
            now,
            Decrypt::Candidates {
                list: candidates,
                raw: Vec::new(),
            },
        )
    }

    fn build(iv: [u8; IV_LEN], now: u32, decrypt: Decrypt) -> Self {
        let init = InitPacket { iv, timestamp: now }.encode();
        Self {
            iv,
            init: Some(init),
            decrypt,
            plain: Vec::with_capacity(V3_PACKET_LEN),
            packets: 0,
            accepted: 0,
            closed: false,
            events: VecDeque::new(),
        }
    }

    /// The init packet to send, returned once.
    pub fn poll_transmit(&mut self) -> Option<[u8; INIT_PACKET_LEN]> {
        self.init.take()
    }

    /// The next event, in order.
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    /// True once [`SessionEvent::Closed`] has been queued.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Bytes of the current incomplete packet held (what a read end would see).
    pub fn buffered(&self) -> usize {
        match &self.decrypt {
            Decrypt::Known(_) => self.plain.len(),
            Decrypt::Candidates { raw, .. } => raw.len(),
        }
    }

    /// Packets accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Feeds bytes received from the peer. Bytes after a close are ignored.
    pub fn handle_data(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && !self.closed {
            match &mut self.decrypt {
                Decrypt::Candidates { raw, .. } => {
                    let take = (V3_PACKET_LEN - raw.len()).min(bytes.len());
                    raw.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if raw.len() == V3_PACKET_LEN {
                        self.identify(V3_PACKET_LEN);
                    }
                }
                Decrypt::Known(cipher) => {
                    let start = self.plain.len();
                    let take = (V3_PACKET_LEN - start).min(bytes.len());
                    self.plain.extend_from_slice(&bytes[..take]);
                    cipher.decrypt(&mut self.plain[start..], start);
                    bytes = &bytes[take..];
                    if self.plain.len() == V3_PACKET_LEN {
                        self.finish_packet();
                    }
                }
            }
        }
    }

    /// A read ended without a full packet: `Eof` closes the session, `Timeout` closes it unless
    /// exactly 720 bytes were buffered; 720 buffered bytes are decoded as a legacy packet.
    pub fn handle_read_end(&mut self, end: ReadEnd) {
        if self.closed {
            return;
        }
        if self.buffered() == LEGACY_PACKET_LEN {
            match &self.decrypt {
                Decrypt::Candidates { .. } => self.identify(LEGACY_PACKET_LEN),
                Decrypt::Known(_) => self.finish_packet(),
            }
            if self.closed {
                return;
            }
            if end == ReadEnd::Timeout {
                return;
            }
        }
        let leftover = self.buffered();
        let reason = match end {
            ReadEnd::Eof => SessionEnd::Eof { leftover },
            ReadEnd::Timeout => SessionEnd::Timeout { leftover },
        };
        self.close(reason);
    }

    fn close(&mut self, reason: SessionEnd) {
        self.closed = true;
        self.events.push_back(SessionEvent::Closed {
            reason,
            accepted: self.accepted,
        });
    }

    /// Decodes the buffered plaintext packet (Known mode) and emits its events.
    fn finish_packet(&mut self) {
        self.packets += 1;
        let outcome = codec::decode_packet(&self.plain);
        self.plain.clear();
        self.report(outcome);
    }

    fn report(&mut self, outcome: Result<DecodedPacket, DecodeError>) {
        let packet = self.packets;
        match outcome {
            Ok(decoded) => {
                self.accepted += 1;
                self.events
                    .push_back(SessionEvent::Accepted { packet, decoded });
            }
            Err(error) => {
                self.events
                    .push_back(SessionEvent::Rejected { packet, error });
                self.close(SessionEnd::BadPacket);
            }
        }
    }

    /// Trial-decrypts the first packet (`len` buffered ciphertext bytes) with each candidate.
    fn identify(&mut self, len: usize) {
        let Decrypt::Candidates { list, raw } = &mut self.decrypt else {
            return;
        };
        debug_assert_eq!(raw.len(), len);
        self.packets += 1;
        let mut first_error = None;
        let mut winner = None;
        for (i, (method, password)) in list.iter().enumerate() {
            let mut cipher = CipherState::new(*method, password, &self.iv);
            let mut buf = raw.clone();
            cipher.decrypt(&mut buf, 0);
            match codec::decode_packet(&buf) {
                Ok(decoded) => {
                    winner = Some((i, cipher, decoded));
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match winner {
            Some((candidate, cipher, decoded)) => {
                self.decrypt = Decrypt::Known(cipher);
                self.events
                    .push_back(SessionEvent::Identified { candidate });
                self.report(Ok(decoded));
            }
            None => {
                raw.clear();
                let error = first_error.unwrap_or(DecodeError::BadVersion { found: 0 });
                self.report(Err(error));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_after_timeout_keeps_connection_open() {
        let iv = [5u8; IV_LEN];
        let mut server = ServerSession::new(Method::Xor, b"pw", iv, 77);
        let init = server.poll_transmit().expect("init");
        let mut client = ClientSession::new(Method::Xor, b"pw", PacketSize::Legacy);
        assert_eq!(client.handle_init_bytes(&init), INIT_PACKET_LEN);
        let bytes = client
            .encode(&CheckResult::host("h", 0, "up"), &mut Filler::Zero)
            .expect("ready");
        server.handle_data(&bytes);
        assert_eq!(server.poll_event(), None);
        server.handle_read_end(ReadEnd::Timeout);
        assert!(matches!(
            server.poll_event(),
            Some(SessionEvent::Accepted { packet: 1, .. })
        ));
        assert!(!server.is_closed());
    }
}
