//! Server behaviour vectors V10–V18 of the protocol reference (§8.2), on our server:
//! timestamps, field escaping and limits, credentials, filler, read timeouts and IPv6.
//!
//! Time is virtual (`start_paused`): the 10 s read timeout of V17 and V18 takes
//! microseconds. Expected lines come from the reference table and the observed examples of
//! §3.4, not from the server's output.

use std::time::Duration;

use reelcheck_nsca::codec::{PacketSize, V3_PACKET_LEN};
use reelcheck_nsca::server::events::{CloseReason, RejectReason, ServerEvent};
use rstest::rstest;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use crate::support::server::*;

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
    let n = within("server close", client.stream.read_to_end(&mut rest))
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
    let n = within("server close", slow.stream.read_to_end(&mut rest))
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
