//! Server behaviour vectors V1–V18 of the protocol reference (§8.2), on our server.
//!
//! Time is virtual (`start_paused`): the 10 s read timeout of V5, V17 and V18 takes
//! microseconds. Expected lines come from the reference table and the observed
//! examples of §3.4, not from the server's output.

use std::time::Duration;

use reelcheck_nsca::codec::{PacketSize, V3_PACKET_LEN};
use reelcheck_nsca::server::events::{CloseReason, RejectReason, ServerEvent};
use reelcheck_nsca::session::ClientSession;
use rstest::rstest;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use crate::server_support::*;

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

#[tokio::test(start_paused = true)]
async fn it_ignores_packet_timestamps_by_default() {
    // V10
    let mut s = start(Setup::new(1)).await;
    let mut client = RawClient::connect(s.addr, 1, "secretpw").await;
    let now = client.init.timestamp;
    for (i, ts) in [now.wrapping_sub(3600), now.wrapping_add(3600), 0]
        .into_iter()
        .enumerate()
    {
        client
            .send_plain(plain_packet(
                &svc("h", "s", 0, &format!("ts{i}")),
                PacketSize::V3,
                ts,
            ))
            .await;
    }
    client.finish().await;
    s.wait_written(3).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;ts0",
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;ts1",
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;ts2",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn it_drops_stale_packets_when_max_packet_age_is_enforced() {
    // Opt-in: max_packet_age=30 with --enforce-max-packet-age.
    let mut setup = Setup::new(1);
    setup.enforce_age = true;
    let mut s = start(setup).await;
    let mut client = RawClient::connect(s.addr, 1, "secretpw").await;
    let now = client.init.timestamp;
    client
        .send_plain(plain_packet(
            &svc("h", "s", 0, "fresh"),
            PacketSize::V3,
            now,
        ))
        .await;
    client
        .send_plain(plain_packet(
            &svc("h", "s", 0, "old"),
            PacketSize::V3,
            now.wrapping_sub(3600),
        ))
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
            reason: RejectReason::StaleTimestamp { .. },
            ..
        }
    ));
    s.stop().await;
    assert_eq!(s.lines(), ["[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;fresh"]);
    assert!(
        s.log_text()
            .iter()
            .any(|l| l.starts_with("Dropping packet with stale timestamp for h - packet was "))
    );
}

#[tokio::test(start_paused = true)]
async fn it_escapes_newlines_and_backslashes_in_output() {
    // V11
    let mut s = start(Setup::new(1)).await;
    send_all(
        s.addr,
        1,
        "secretpw",
        &[svc(
            "esc",
            "svc",
            0,
            "line1\nline2 back\\slash semi;colon|perf=1",
        )],
    )
    .await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;esc;svc;0;line1\\nline2 back\\\\slash semi;colon|perf=1"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn it_writes_return_codes_without_range_check() {
    // V12
    let mut s = start(Setup::new(1)).await;
    send_all(
        s.addr,
        1,
        "secretpw",
        &[
            svc("h", "s", 7, "seven"),
            svc("esc", "svc", -1, "rc minus one"),
        ],
    )
    .await;
    s.wait_written(2).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;7;seven",
            "[T] PROCESS_SERVICE_CHECK_RESULT;esc;svc;-1;rc minus one",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn it_cuts_unterminated_fields_at_their_limits() {
    // V13: fields filled to the end without a NUL: 63 / 127 / 4095 bytes survive.
    let mut s = start(Setup::new(1)).await;
    let mut client = RawClient::connect(s.addr, 1, "secretpw").await;
    let mut p = plain_packet(
        &svc("h", "s", 0, "o"),
        PacketSize::V3,
        client.init.timestamp,
    );
    p[14..78].fill(b'H');
    p[78..206].fill(b'S');
    p[206..V3_PACKET_LEN - 2].fill(b'O');
    fix_crc(&mut p);
    client.send_plain(p).await;
    client.finish().await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [format!(
            "[T] PROCESS_SERVICE_CHECK_RESULT;{};{};0;{}",
            "H".repeat(63),
            "S".repeat(127),
            "O".repeat(4095)
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn it_cuts_host_and_service_at_a_newline() {
    // V14
    let mut s = start(Setup::new(1)).await;
    send_all(
        s.addr,
        1,
        "secretpw",
        &[svc("ab\ncd", "sv\nc", 0, "out"), host("x\ny", 0, "up")],
    )
    .await;
    s.wait_written(2).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;ab;sv;0;out",
            "[T] PROCESS_HOST_CHECK_RESULT;x;0;up"
        ]
    );
}

#[rstest]
#[case::case_v15_wrong_password(1, "wrongpw")]
#[case::case_v15_method_0_against_xor(0, "secretpw")]
#[tokio::test(start_paused = true)]
async fn case_v15_wrong_credentials_are_rejected(#[case] method: u8, #[case] password: &str) {
    // V15
    let mut s = start(Setup::new(1)).await;
    send_all(s.addr, method, password, &[svc("h", "s", 0, "x")]).await;
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
async fn it_accepts_random_printable_filler() {
    // V16 (the other tests use zero filler): send_nsca-style filler '0'..'w'.
    use rand_chacha::rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut s = start(Setup::new(14)).await;
    let mut client = Client::connect(s.addr, 14, "secretpw", PacketSize::V3).await;
    let bytes = client
        .session
        .encode(
            &svc("web01", "HTTP", 0, "OK - all good|time=0.1s"),
            &mut reelcheck_nsca::codec::Filler::Printable(&mut rng),
        )
        .expect("ready");
    client.send_raw(&bytes).await;
    client.finish().await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;OK - all good|time=0.1s"]
    );
}

#[tokio::test(start_paused = true)]
async fn it_closes_an_idle_connection_after_the_read_timeout() {
    // V17 (deliberate difference: nsca --single keeps it open forever).
    let mut s = start(Setup::new(1)).await;
    let mut client = Client::connect(s.addr, 1, "secretpw", PacketSize::V3).await;
    let t0 = Instant::now();
    let mut rest = Vec::new();
    let n = client
        .stream
        .read_to_end(&mut rest)
        .await
        .expect("server closes");
    assert_eq!(n, 0);
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(11),
        "{waited:?}"
    );
    let closed = s
        .wait_for("close", |e| {
            matches!(e, ServerEvent::ConnectionClosed { .. })
        })
        .await;
    assert!(matches!(
        closed,
        ServerEvent::ConnectionClosed {
            reason: CloseReason::Timeout,
            discarded: 0,
            ..
        }
    ));
    s.stop().await;
}

#[tokio::test(start_paused = true)]
async fn it_times_out_a_partial_packet_without_stalling_other_clients() {
    // V18: the held connection closes after the timeout; the others go on meanwhile
    // (deliberate difference: nsca --single stalls every client for ~11 s).
    let mut s = start(Setup::new(1)).await;
    let mut slow = RawClient::connect(s.addr, 1, "secretpw").await;
    let t0 = Instant::now();
    slow.send_raw(&[0u8; 100]).await;
    send_all(s.addr, 1, "secretpw", &[svc("fast", "s", 0, "not stalled")]).await;
    s.wait_written(1).await;
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    let mut rest = Vec::new();
    let n = slow
        .stream
        .read_to_end(&mut rest)
        .await
        .expect("server closes");
    assert_eq!(n, 0);
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(11),
        "{waited:?}"
    );
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;fast;s;0;not stalled"]
    );
}

#[tokio::test(start_paused = true)]
async fn it_serves_ipv6_loopback() {
    let mut setup = Setup::new(14);
    setup.listen = vec!["[::1]:0".parse().expect("addr")];
    // Fails loudly (panics in start) when ::1 cannot be bound on this machine.
    let bound = std::net::TcpListener::bind("[::1]:0");
    assert!(
        bound.is_ok(),
        "IPv6 loopback ::1 is missing on this machine: {bound:?}"
    );
    let mut s = start(setup).await;
    assert!(s.addr.is_ipv6());
    send_all(s.addr, 14, "secretpw", &[host("v6host", 0, "over ::1")]).await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_HOST_CHECK_RESULT;v6host;0;over ::1"]
    );
    assert!(
        s.log_text()
            .iter()
            .any(|l| l.starts_with("Connection from ::1 port "))
    );
}
