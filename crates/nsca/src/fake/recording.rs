//! What one connection to a fake server saw, and how to decode it afterwards.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::cipher::{CipherState, Method};
use crate::codec::{self, DecodedPacket, IV_LEN, PacketSize};
use crate::error::DecodeError;

/// How a recorded connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordingEnd {
    /// The client closed the connection.
    ClientClosed,
    /// The fake closed it (a fault).
    ServerClosed,
    /// The fake reset it (a fault).
    ServerReset,
    /// Reading failed (e.g. the client reset the connection).
    ReadError,
    /// The fake was shut down.
    Shutdown,
}

/// Everything one connection to a fake server saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// 0-based connection number, in accept order.
    pub index: usize,
    /// The client's address.
    pub peer: SocketAddr,
    /// The init bytes actually sent (fewer than 132 under init faults).
    pub init_sent: Vec<u8>,
    /// The IV the fake chose (also when it was not sent).
    pub iv: Vec<u8>,
    /// The timestamp the fake chose.
    pub timestamp: u32,
    /// Every byte received after the init packet.
    pub received: Vec<u8>,
    /// How it ended.
    pub end: RecordingEnd,
}

impl Recording {
    /// Decrypts the received stream with `method`/`password` (one cipher state for the
    /// whole connection) and decodes it as consecutive packets of `size`.
    ///
    /// A trailing partial packet yields a [`DecodeError::WrongLength`].
    pub fn decode(
        &self,
        method: Method,
        password: &[u8],
        size: PacketSize,
    ) -> Vec<Result<DecodedPacket, DecodeError>> {
        let mut iv = [0u8; IV_LEN];
        for (dst, src) in iv.iter_mut().zip(&self.iv) {
            *dst = *src;
        }
        let mut state = CipherState::new(method, password, &iv);
        self.received
            .chunks(size.len())
            .map(|chunk| {
                let mut buf = chunk.to_vec();
                state.decrypt(&mut buf, 0);
                codec::decode_packet(&buf)
            })
            .collect()
    }
}

impl fmt::Display for RecordingEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClientClosed => "client closed",
            Self::ServerClosed => "server closed",
            Self::ServerReset => "server reset",
            Self::ReadError => "read error",
            Self::Shutdown => "shutdown",
        })
    }
}

impl fmt::Display for Recording {
    /// One line without the peer address: `connection 0: init 132 bytes, received 8608 bytes (2 × 4304 + 0), client closed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.received.len();
        write!(
            f,
            "connection {}: init {} bytes, received {n} bytes ({} x 4304 + {}), {}",
            self.index,
            self.init_sent.len(),
            n / codec::V3_PACKET_LEN,
            n % codec::V3_PACKET_LEN,
            self.end
        )
    }
}

/// The recordings of every connection that has ended, shared by a fake and its handles.
#[derive(Clone, Debug, Default)]
pub(crate) struct RecordingLog(Arc<Mutex<Vec<Recording>>>);

impl RecordingLog {
    /// Adds the recording of a connection that has ended.
    pub(crate) fn push(&self, rec: Recording) {
        if let Ok(mut all) = self.0.lock() {
            all.push(rec);
        }
    }

    /// Every recording so far, in the order the connections ended.
    pub(crate) fn snapshot(&self) -> Vec<Recording> {
        self.0.lock().map(|r| r.clone()).unwrap_or_default()
    }
}
