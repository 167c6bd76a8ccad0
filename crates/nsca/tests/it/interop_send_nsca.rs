//! The real send_nsca 2.10 (Debian) against our server, asserting on the command file.

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use rstest::rstest;

use crate::support::interop::{SEND_NSCA, require};
use crate::support::server::*;

/// Runs send_nsca against `addr` with `stdin`; returns (exit code, stdout, stderr).
async fn send_nsca(
    addr: SocketAddr,
    method: u8,
    password: &str,
    args: &[&str],
    stdin: &[u8],
) -> (i32, String, String) {
    let bin = require(SEND_NSCA);
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("send_nsca.cfg");
    std::fs::write(
        &cfg,
        format!("password={password}\nencryption_method={method}\n"),
    )
    .expect("cfg");
    let host = addr.ip().to_string();
    let port = addr.port().to_string();
    let mut command = Command::new(bin);
    command
        .args(["-H", &host, "-p", &port, "-to", "30", "-c"])
        .arg(&cfg)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("spawn send_nsca");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&stdin)
            .expect("feed stdin");
        let out = child.wait_with_output().expect("reap send_nsca");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .expect("join")
}

const RECORDS: &[u8] = b"web01\tHTTP\t0\tOK - all good|time=0.1s\x17web01\t1\tHost warn output\x17db01\tDisk\t2\tline1\nline2 back\\slash\x17";

const LINES: [&str; 3] = [
    "[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;OK - all good|time=0.1s",
    "[T] PROCESS_HOST_CHECK_RESULT;web01;1;Host warn output",
    "[T] PROCESS_SERVICE_CHECK_RESULT;db01;Disk;2;line1\\nline2 back\\\\slash",
];

#[rstest]
#[case::case_send_nsca_method_0(0)]
#[case::case_send_nsca_method_1(1)]
#[case::case_send_nsca_method_2(2)]
#[case::case_send_nsca_method_3(3)]
#[case::case_send_nsca_method_4(4)]
#[case::case_send_nsca_method_8(8)]
#[case::case_send_nsca_method_9(9)]
#[case::case_send_nsca_method_11(11)]
#[case::case_send_nsca_method_14(14)]
#[case::case_send_nsca_method_20(20)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_send_nsca_delivers_several_packets_per_connection(#[case] method: u8) {
    let mut s = start(Setup::new(method)).await;
    let (code, out, err) = send_nsca(s.addr, method, "secretpw", &[], RECORDS).await;
    assert_eq!(
        (code, out.as_str()),
        (0, "3 data packet(s) sent to host successfully.\n"),
        "stderr: {err}"
    );
    s.wait_written(3).await;
    s.stop().await;
    assert_eq!(s.lines(), LINES);
    let connections = s
        .events
        .seen
        .iter()
        .filter(|e| {
            matches!(
                e,
                reelcheck_nsca::server::events::ServerEvent::ConnectionOpened { .. }
            )
        })
        .count();
    assert_eq!(
        connections, 1,
        "send_nsca sends every record on one connection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_accepts_a_single_legacy_packet_from_send_nsca() {
    let mut s = start(Setup::new(3)).await;
    let long = "y".repeat(600);
    let input = format!("old01\tPING\t0\t{long}\x17");
    let (code, out, err) = send_nsca(
        s.addr,
        3,
        "secretpw",
        &["--legacy-2-7-mode"],
        input.as_bytes(),
    )
    .await;
    assert_eq!(
        (code, out.as_str()),
        (0, "1 data packet(s) sent to host successfully.\n"),
        "stderr: {err}"
    );
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [format!(
            "[T] PROCESS_SERVICE_CHECK_RESULT;old01;PING;0;{}",
            "y".repeat(511)
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_drops_two_legacy_packets_from_send_nsca_like_nsca() {
    // §1.7 / S13: 1440 bytes on one connection are neither one v3 nor one legacy packet.
    let mut s = start(Setup::new(1)).await;
    let (code, out, _) = send_nsca(
        s.addr,
        1,
        "secretpw",
        &["--legacy-2-7-mode"],
        b"a\tb\t0\tone\x17a\tb\t0\ttwo\x17",
    )
    .await;
    assert_eq!(
        (code, out.as_str()),
        (0, "2 data packet(s) sent to host successfully.\n")
    );
    s.wait_closed(1).await;
    s.stop().await;
    assert!(s.lines().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_serves_send_nsca_over_ipv6_loopback() {
    let bound = std::net::TcpListener::bind("[::1]:0");
    assert!(
        bound.is_ok(),
        "IPv6 loopback ::1 is missing on this machine: {bound:?}"
    );
    let mut setup = Setup::new(14);
    setup.listen = vec!["[::1]:0".parse().expect("addr")];
    let mut s = start(setup).await;
    let (code, out, err) =
        send_nsca(s.addr, 14, "secretpw", &[], b"v6\tsvc\t0\tover ::1\x17").await;
    assert_eq!(
        (code, out.as_str()),
        (0, "1 data packet(s) sent to host successfully.\n"),
        "stderr: {err}"
    );
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;v6;svc;0;over ::1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_passes_non_utf8_and_multibyte_output_through() {
    let mut s = start(Setup::new(14)).await;
    let mut input = b"h\xe9\tsvc\t0\tcaf\xc3\xa9 \xe2\x82\xac \xff\xfe raw\x17".to_vec();
    input.extend_from_slice(b"h2\t0\t\xf0\x9f\x98\x80\x17");
    let (code, _, err) = send_nsca(s.addr, 14, "secretpw", &[], &input).await;
    assert_eq!(code, 0, "stderr: {err}");
    s.wait_written(2).await;
    s.stop().await;
    let bytes = std::fs::read(&s.cmd).expect("cmd");
    let lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with(
        b"] PROCESS_SERVICE_CHECK_RESULT;h\xe9;svc;0;caf\xc3\xa9 \xe2\x82\xac \xff\xfe raw"
    ));
    assert!(lines[1].ends_with(b"] PROCESS_HOST_CHECK_RESULT;h2;0;\xf0\x9f\x98\x80"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_gets_an_init_packet_timestamp_echo_from_send_nsca() {
    // send_nsca echoes the fake server's timestamp in every packet (§1.2).
    use reelcheck_nsca::fake::{FakeServer, Fault};
    let mut fake = FakeServer::bind(
        "127.0.0.1:0".parse().expect("addr"),
        vec![Fault::FixedTimestamp {
            timestamp: 0x1234_5678,
        }],
    )
    .await
    .expect("fake");
    let (code, _, err) = send_nsca(
        fake.local_addr(),
        14,
        "secretpw",
        &[],
        b"a\tb\t0\tone\x17a\t1\ttwo\x17",
    )
    .await;
    assert_eq!(code, 0, "stderr: {err}");
    let rec = fake.next_recording().await.expect("recording");
    let decoded = rec.decode(
        reelcheck_nsca::cipher::Method::Rijndael128,
        b"secretpw",
        reelcheck_nsca::codec::PacketSize::V3,
    );
    assert_eq!(decoded.len(), 2);
    for d in decoded {
        assert_eq!(d.expect("valid").timestamp, 0x1234_5678);
    }
    fake.shutdown().await;
}

#[rstest]
#[case::case_send_nsca_no_init(
    reelcheck_nsca::fake::Fault::NoInit,
    "Error: Timeout after 2 seconds"
)]
#[case::case_send_nsca_short_init(reelcheck_nsca::fake::Fault::ShortInit { bytes: 50 }, "Error: Server closed connection before init packet was received")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_send_nsca_against_faulty_fake(
    #[case] fault: reelcheck_nsca::fake::Fault,
    #[case] message: &str,
) {
    use reelcheck_nsca::fake::FakeServer;
    let fake = FakeServer::bind("127.0.0.1:0".parse().expect("addr"), vec![fault])
        .await
        .expect("fake");
    let bin = require(SEND_NSCA);
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("send_nsca.cfg");
    std::fs::write(&cfg, "password=secretpw\nencryption_method=1\n").expect("cfg");
    let port = fake.local_addr().port().to_string();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port, "-to", "2", "-c"])
            .arg(&cfg)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"a\tb\t0\tx\x17")
            .expect("stdin");
        child.wait_with_output().expect("reap")
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(message), "{stderr}");
    fake.shutdown().await;
}
