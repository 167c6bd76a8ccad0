//! Server behaviour vectors V1–V9 of the protocol reference (§8.2), on our server: packets
//! of one connection, the cipher state, legacy packets, bad CRC and version, truncation.
//!
//! Time is virtual (`start_paused`): the 10 s read timeout of V5 takes microseconds.
//! Expected lines come from the reference table and the observed examples of §3.4, not
//! from the server's output.

use std::time::Duration;

use reelcheck_nsca::codec::PacketSize;
use reelcheck_nsca::server::events::{CloseReason, RejectReason, ServerEvent};
use reelcheck_nsca::session::ClientSession;
use rstest::rstest;
use tokio::time::Instant;

use crate::support::server::*;

fn v1_results() -> Vec<reelcheck_nsca::codec::CheckResult> {
    vec![
        svc("h1", "svcA", 0, "out A"),
        host("h1", 2, "host down"),
        svc("h1", "svcB", 1, "out B"),
    ]
}

const V1_LINES: [&str; 3] = [
    "[T] PROCESS_SERVICE_CHECK_RESULT;h1;svcA;0;out A",
    "[T] PROCESS_HOST_CHECK_RESULT;h1;2;host down",
    "[T] PROCESS_SERVICE_CHECK_RESULT;h1;svcB;1;out B",
];

#[tokio::test(start_paused = true)]
async fn it_writes_three_xor_packets_of_one_connection_in_order() {
    // V1
    let mut s = start(Setup::new(1)).await;
    send_all(s.addr, 1, "secretpw", &v1_results()).await;
    s.wait_written(3).await;
    s.stop().await;
    assert_eq!(s.lines(), V1_LINES);
    // The event trace of one connection, as a golden trace would show it.
    let trace: Vec<String> = s
        .trace()
        .into_iter()
        .filter(|l| !l.contains("written to") && l != "listening")
        .collect();
    assert_eq!(
        trace,
        [
            "connection opened",
            "result accepted host=h1 service=svcA rc=0",
            "result accepted host=h1 rc=2",
            "result accepted host=h1 service=svcB rc=1",
            "connection closed: end of connection results=3 discarded=0",
            "shutdown requested (request)",
            "shutdown",
        ]
    );
}

#[rstest]
#[case::case_v2_method_0(0)]
#[case::case_v2_method_2(2)]
#[case::case_v2_method_3(3)]
#[case::case_v2_method_4(4)]
#[case::case_v2_method_8(8)]
#[case::case_v2_method_9(9)]
#[case::case_v2_method_11(11)]
#[case::case_v2_method_14(14)]
#[case::case_v2_method_20(20)]
#[tokio::test(start_paused = true)]
async fn case_v2_cipher_state_continues_across_packets(#[case] method: u8) {
    // V2
    let mut s = start(Setup::new(method)).await;
    send_all(s.addr, method, "secretpw", &v1_results()).await;
    s.wait_written(3).await;
    s.stop().await;
    assert_eq!(s.lines(), V1_LINES);
}

#[tokio::test(start_paused = true)]
async fn it_keeps_only_the_first_packet_when_the_client_resets_its_cipher() {
    // V3: a client that re-initialises AES-CFB8 for every packet.
    let mut s = start(Setup::new(14)).await;
    let mut client = Client::connect(s.addr, 14, "secretpw", PacketSize::V3).await;
    let first = client.packet(&svc("h", "s1", 0, "one"));
    let mut fresh = ClientSession::new(
        reelcheck_nsca::cipher::Method::Rijndael128,
        b"secretpw",
        PacketSize::V3,
    );
    fresh.handle_init_bytes(&client.init);
    let second = fresh
        .encode(
            &svc("h", "s2", 0, "two"),
            &mut reelcheck_nsca::codec::Filler::Zero,
        )
        .expect("ready");
    client.send_raw(&first).await;
    client.send_raw(&second).await;
    client.finish().await;
    let closed = s
        .wait_for("close", |e| {
            matches!(e, ServerEvent::ConnectionClosed { .. })
        })
        .await;
    assert!(matches!(
        closed,
        ServerEvent::ConnectionClosed {
            reason: CloseReason::Rejected,
            results: 1,
            ..
        }
    ));
    s.stop().await;
    assert_eq!(s.lines(), ["[T] PROCESS_SERVICE_CHECK_RESULT;h;s1;0;one"]);
    assert!(s.log_text().iter().any(|l| l.starts_with(
        "Received invalid packet type/version from client - possibly due to client using wrong password or crypto algorithm? (client 127.0.0.1 port "
    )));
}

#[tokio::test(start_paused = true)]
async fn it_accepts_one_legacy_packet_followed_by_close() {
    // V4: output is cut to 511 bytes in a 720-byte packet.
    let mut s = start(Setup::new(1)).await;
    let mut client = Client::connect(s.addr, 1, "secretpw", PacketSize::Legacy).await;
    client
        .send(&svc("web01", "HTTP", 2, &"x".repeat(600)))
        .await;
    client.finish().await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [format!(
            "[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;2;{}",
            "x".repeat(511)
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn it_accepts_a_held_legacy_packet_at_the_read_timeout_and_keeps_the_connection() {
    // V5: nsca processes it after ~11 s; ours after the 10 s timeout.
    let mut s = start(Setup::new(1)).await;
    let mut client = Client::connect(s.addr, 1, "secretpw", PacketSize::Legacy).await;
    let t0 = Instant::now();
    client.send(&svc("web01", "HTTP", 2, "CRITICAL")).await;
    s.wait_written(1).await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(12),
        "{waited:?}"
    );
    // The connection is still open: a v3 packet with the continuing state follows.
    let mut v3 = ClientSession::new(
        reelcheck_nsca::cipher::Method::Xor,
        b"secretpw",
        PacketSize::V3,
    );
    v3.handle_init_bytes(&client.init);
    let bytes = v3
        .encode(
            &svc("web01", "HTTP", 0, "OK"),
            &mut reelcheck_nsca::codec::Filler::Zero,
        )
        .expect("ready");
    client.send_raw(&bytes).await;
    client.finish().await;
    s.wait_written(2).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;2;CRITICAL",
            "[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;OK",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn it_drops_two_legacy_packets_on_one_connection() {
    // V6
    let mut s = start(Setup::new(1)).await;
    let mut client = Client::connect(s.addr, 1, "secretpw", PacketSize::Legacy).await;
    client.send(&svc("a", "b", 0, "one")).await;
    client.send(&svc("a", "b", 0, "two")).await;
    client.finish().await;
    let closed = s
        .wait_for("close", |e| {
            matches!(e, ServerEvent::ConnectionClosed { .. })
        })
        .await;
    assert!(matches!(
        closed,
        ServerEvent::ConnectionClosed {
            reason: CloseReason::Eof,
            results: 0,
            discarded: 1440,
            ..
        }
    ));
    s.stop().await;
    assert!(s.lines().is_empty());
}

#[tokio::test(start_paused = true)]
async fn it_closes_the_connection_after_a_bad_crc_and_drops_the_rest() {
    // V7
    let mut s = start(Setup::new(1)).await;
    let mut client = RawClient::connect(s.addr, 1, "secretpw").await;
    let ts = client.init.timestamp;
    let mut bad = plain_packet(&svc("h", "s", 0, "bad"), PacketSize::V3, ts);
    bad[300] ^= 1;
    client.send_plain(bad).await;
    client
        .send_plain(plain_packet(&svc("h", "s", 0, "good"), PacketSize::V3, ts))
        .await;
    client.finish().await;
    let rejected = s
        .wait_for("reject", |e| {
            matches!(e, ServerEvent::PacketRejected { .. })
        })
        .await;
    assert!(matches!(
        rejected,
        ServerEvent::PacketRejected {
            reason: RejectReason::BadCrc,
            ..
        }
    ));
    s.wait_closed(1).await;
    s.stop().await;
    assert!(s.lines().is_empty());
    assert!(s.log_text().iter().any(|l| l.starts_with(
        "Dropping packet with invalid CRC32 - possibly due to client using wrong password or crypto algorithm? (client 127.0.0.1 port "
    )));
}

#[tokio::test(start_paused = true)]
async fn it_rejects_packet_version_2() {
    // V8
    let mut s = start(Setup::new(1)).await;
    let mut client = RawClient::connect(s.addr, 1, "secretpw").await;
    let mut p = plain_packet(
        &svc("h", "s", 0, "v2"),
        PacketSize::V3,
        client.init.timestamp,
    );
    p[0..2].copy_from_slice(&2i16.to_be_bytes());
    fix_crc(&mut p);
    client.send_plain(p).await;
    client.finish().await;
    let rejected = s
        .wait_for("reject", |e| {
            matches!(e, ServerEvent::PacketRejected { .. })
        })
        .await;
    assert!(matches!(
        rejected,
        ServerEvent::PacketRejected {
            reason: RejectReason::BadVersion,
            ..
        }
    ));
    s.stop().await;
    assert!(s.lines().is_empty());
}

#[tokio::test(start_paused = true)]
async fn it_drops_a_truncated_packet_silently() {
    // V9: 1000 bytes then close — no error message (only debug's "End of connection...").
    let mut s = start(Setup::new(1)).await;
    let mut client = RawClient::connect(s.addr, 1, "secretpw").await;
    let p = plain_packet(
        &svc("h", "s", 0, "cut"),
        PacketSize::V3,
        client.init.timestamp,
    );
    let mut p = p[..1000].to_vec();
    client.cipher.encrypt(&mut p, 0);
    client.send_raw(&p).await;
    client.finish().await;
    let closed = s
        .wait_for("close", |e| {
            matches!(e, ServerEvent::ConnectionClosed { .. })
        })
        .await;
    assert!(matches!(
        closed,
        ServerEvent::ConnectionClosed {
            reason: CloseReason::Eof,
            discarded: 1000,
            ..
        }
    ));
    s.stop().await;
    assert!(s.lines().is_empty());
    let errors: Vec<String> = s
        .log
        .lock()
        .expect("log")
        .iter()
        .filter(|(l, m)| {
            *l == reelcheck_nsca::server::log::Level::Err && m != "End of connection..."
        })
        .map(|(_, m)| m.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
