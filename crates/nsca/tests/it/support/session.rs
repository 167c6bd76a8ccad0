//! Helpers shared by the test modules.

use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{CheckResult, Filler, IV_LEN, PacketSize};
use reelcheck_nsca::session::{ClientSession, ReadEnd, ServerSession, SessionEvent};

/// The reference IV: 00 01 02 … 7f.
pub fn ref_iv() -> [u8; IV_LEN] {
    std::array::from_fn(|i| i as u8)
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 as hex.
pub fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(b))
}

/// Encodes `results` on one connection as a client would after receiving `iv`/`ts`.
pub fn client_bytes(
    method: Method,
    password: &[u8],
    size: PacketSize,
    iv: [u8; IV_LEN],
    ts: u32,
    results: &[CheckResult],
) -> Vec<Vec<u8>> {
    let init = reelcheck_nsca::codec::InitPacket { iv, timestamp: ts }.encode();
    let mut c = ClientSession::new(method, password, size);
    assert_eq!(c.handle_init_bytes(&init), init.len());
    results
        .iter()
        .map(|r| c.encode(r, &mut Filler::Zero).expect("ready"))
        .collect()
}

/// Feeds `chunks` then `end` to a fresh server session and returns every event.
pub fn server_events(
    method: Method,
    password: &[u8],
    iv: [u8; IV_LEN],
    chunks: &[&[u8]],
    end: Option<ReadEnd>,
) -> Vec<SessionEvent> {
    let mut s = ServerSession::new(method, password, iv, 0x1234_5678);
    assert!(s.poll_transmit().is_some());
    let mut events = Vec::new();
    for c in chunks {
        s.handle_data(c);
        while let Some(e) = s.poll_event() {
            events.push(e);
        }
    }
    if let Some(end) = end {
        s.handle_read_end(end);
        while let Some(e) = s.poll_event() {
            events.push(e);
        }
    }
    events
}

/// The results of the `Accepted` events.
pub fn accepted(events: &[SessionEvent]) -> Vec<CheckResult> {
    events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Accepted { decoded, .. } => Some(decoded.result.clone()),
            _ => None,
        })
        .collect()
}
