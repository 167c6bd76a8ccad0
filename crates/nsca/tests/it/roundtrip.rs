//! Round trips through every supported method and any split of the stream; robustness.

use crate::support::session::{accepted, client_bytes};
use proptest::prelude::*;
use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{self, CheckResult, IV_LEN, PacketSize};
use reelcheck_nsca::session::{ReadEnd, ServerSession, SessionEvent};

fn text(max: usize) -> impl Strategy<Value = Vec<u8>> {
    // Any bytes but NUL (C strings end there), including LF, high bytes and invalid UTF-8.
    proptest::collection::vec(1u8..=255, 0..max)
}

fn result(max_output: usize) -> impl Strategy<Value = CheckResult> {
    (
        text(80),
        prop_oneof![Just(Vec::new()), text(150)],
        any::<i16>(),
        text(max_output),
    )
        .prop_map(|(host, service, return_code, output)| CheckResult {
            host,
            service,
            return_code,
            output,
        })
}

fn method() -> impl Strategy<Value = Method> {
    proptest::sample::select(Method::ALL.to_vec())
}

/// Splits `bytes` at the given cut points.
fn split<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for p in points {
        out.push(&bytes[last..p]);
        last = p;
    }
    out.push(&bytes[last..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn prop_v3_stream_round_trips_for_any_method_and_split(
        method in method(),
        password in text(40),
        iv in proptest::array::uniform32(any::<u8>()),
        iv_rest in proptest::collection::vec(any::<u8>(), IV_LEN - 32),
        ts in any::<u32>(),
        results in proptest::collection::vec(result(5000), 1..4),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut full_iv = [0u8; IV_LEN];
        full_iv[..32].copy_from_slice(&iv);
        full_iv[32..].copy_from_slice(&iv_rest);
        let wire: Vec<u8> = client_bytes(method, &password, PacketSize::V3, full_iv, ts, &results).concat();
        let mut s = ServerSession::new(method, &password, full_iv, ts);
        let mut events = Vec::new();
        for chunk in split(&wire, &cuts) {
            s.handle_data(chunk);
            events.extend(std::iter::from_fn(|| s.poll_event()));
        }
        s.handle_read_end(ReadEnd::Eof);
        events.extend(std::iter::from_fn(|| s.poll_event()));
        let want: Vec<CheckResult> = results.iter().map(|r| r.normalized(PacketSize::V3)).collect();
        prop_assert_eq!(accepted(&events), want);
        for e in &events {
            if let SessionEvent::Accepted { decoded, .. } = e {
                prop_assert_eq!(decoded.timestamp, ts);
            }
        }
        prop_assert!(
            matches!(events.last(), Some(SessionEvent::Closed { .. })),
            "last event must be Closed"
        );
    }

    #[test]
    fn prop_legacy_packet_round_trips_for_any_method_and_split(
        method in method(),
        password in text(40),
        seed in any::<u8>(),
        r in result(700),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        by_timeout in any::<bool>(),
    ) {
        let iv = [seed; IV_LEN];
        let wire = client_bytes(method, &password, PacketSize::Legacy, iv, 9, std::slice::from_ref(&r)).concat();
        prop_assert_eq!(wire.len(), 720);
        let mut s = ServerSession::new(method, &password, iv, 9);
        for chunk in split(&wire, &cuts) {
            s.handle_data(chunk);
        }
        prop_assert_eq!(s.poll_event(), None);
        s.handle_read_end(if by_timeout { ReadEnd::Timeout } else { ReadEnd::Eof });
        let events: Vec<SessionEvent> = std::iter::from_fn(|| s.poll_event()).collect();
        prop_assert_eq!(accepted(&events), vec![r.normalized(PacketSize::Legacy)]);
        prop_assert_eq!(s.is_closed(), !by_timeout);
    }

    #[test]
    fn prop_decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..5000)) {
        let _ = codec::decode_packet(&bytes);
        let _ = codec::InitPacket::decode(&bytes);
    }

    #[test]
    fn prop_decoding_random_full_packets_returns_a_typed_error(
        bytes in proptest::collection::vec(any::<u8>(), 4304..=4304),
    ) {
        prop_assert!(codec::decode_packet(&bytes).is_err());
    }

    #[test]
    fn prop_server_session_survives_arbitrary_streams(
        method in method(),
        bytes in proptest::collection::vec(any::<u8>(), 0..10_000),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut s = ServerSession::new(method, b"pw", [1u8; IV_LEN], 0);
        for chunk in split(&bytes, &cuts) {
            s.handle_data(chunk);
        }
        s.handle_read_end(ReadEnd::Eof);
        let events: Vec<SessionEvent> = std::iter::from_fn(|| s.poll_event()).collect();
        prop_assert!(matches!(events.last(), Some(SessionEvent::Closed { .. })), "closed at the end");
        prop_assert!(s.is_closed());
    }
}
