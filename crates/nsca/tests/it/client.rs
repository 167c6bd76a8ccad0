//! The blocking client and send_nsca CLI against in-test fake servers on loopback.

use crate::support::session::accepted;
use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::cli::send_nsca_main;
use reelcheck_nsca::client::{ClientOptions, send_results};
use reelcheck_nsca::codec::{CheckResult, Filler, IV_LEN, InitPacket, PacketSize};
use reelcheck_nsca::session::{ReadEnd, ServerSession, SessionEvent};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;

const IV: [u8; IV_LEN] = [0x5a; IV_LEN];
const TS: u32 = 0x1234_5678;

/// What the fake server does after accepting one connection.
#[derive(Clone, Copy)]
enum Fake {
    /// Sends the init packet, then records everything until EOF.
    Record,
    /// Closes without sending anything.
    CloseAtOnce,
    /// Sends 50 bytes of the init packet and closes.
    ShortInit,
    /// Never sends the init packet; waits for the client to give up.
    Silent,
}

fn fake_server(bind: &str, fake: Fake) -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind(bind).expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        let init = InitPacket {
            iv: IV,
            timestamp: TS,
        }
        .encode();
        let mut got = Vec::new();
        match fake {
            Fake::Record => {
                s.write_all(&init).expect("init");
                s.read_to_end(&mut got).expect("read");
            }
            Fake::CloseAtOnce => {}
            Fake::ShortInit => s.write_all(&init[..50]).expect("partial init"),
            Fake::Silent => {
                let _ = s.read_to_end(&mut got);
            }
        }
        got
    });
    (addr, handle)
}

fn decode_all(method: Method, password: &[u8], bytes: &[u8]) -> Vec<SessionEvent> {
    let mut s = ServerSession::new(method, password, IV, TS);
    s.handle_data(bytes);
    s.handle_read_end(ReadEnd::Eof);
    std::iter::from_fn(|| s.poll_event()).collect()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn send_nsca(args: &[&str], config: &str, stdin: &[u8]) -> (Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("send_nsca.cfg");
    std::fs::write(&cfg, config).expect("write cfg");
    let mut argv: Vec<OsString> = vec!["send_nsca".into()];
    argv.extend(args.iter().map(OsString::from));
    argv.push("-c".into());
    argv.push(cfg.into_os_string());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = send_nsca_main(argv, &mut &stdin[..], &mut out, &mut err);
    let run = Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    };
    (run, dir)
}

const THREE: &[u8] =
    b"web01\tHTTP\t0\tOK - all good\x17web01\t1\thost warn\x17db\tDisk\t2\tCRITICAL\x17";

fn three() -> Vec<CheckResult> {
    vec![
        CheckResult::service("web01", "HTTP", 0, "OK - all good"),
        CheckResult::host("web01", 1, "host warn"),
        CheckResult::service("db", "Disk", 2, "CRITICAL"),
    ]
}

#[test]
fn it_sends_every_result_on_one_connection_with_the_init_timestamp() {
    let (addr, server) = fake_server("127.0.0.1:0", Fake::Record);
    let port = addr.port().to_string();
    let (run, _dir) = send_nsca(
        &["-H", "127.0.0.1", "-p", &port],
        "password=secretpw\nencryption_method=14\n",
        THREE,
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "3 data packet(s) sent to host successfully.\n", "")
    );
    let bytes = server.join().expect("server");
    assert_eq!(bytes.len(), 3 * 4304);
    let events = decode_all(Method::Rijndael128, b"secretpw", &bytes);
    assert_eq!(accepted(&events), three());
    for e in &events {
        if let SessionEvent::Accepted { decoded, .. } = e {
            assert_eq!(decoded.timestamp, TS);
        }
    }
}

#[test]
fn it_sends_over_ipv6_loopback() {
    let (addr, server) = fake_server("[::1]:0", Fake::Record);
    let port = addr.port().to_string();
    let (run, _dir) = send_nsca(
        &["-H", "::1", "-p", &port, "--quiet"],
        "password=pw\n",
        THREE,
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert_eq!(
        accepted(&decode_all(
            Method::Xor,
            b"pw",
            &server.join().expect("server")
        )),
        three()
    );
}

#[test]
fn it_sends_legacy_packets_with_the_legacy_flag() {
    let (addr, server) = fake_server("127.0.0.1:0", Fake::Record);
    let port = addr.port().to_string();
    let (run, _dir) = send_nsca(
        &["127.0.0.1", "-p", &port, "--legacy-2-7-mode"],
        "password=pw\n",
        b"h\ts\t0\tout\x17",
    );
    assert_eq!(run.code, 0);
    let bytes = server.join().expect("server");
    assert_eq!(bytes.len(), 720);
    assert_eq!(
        accepted(&decode_all(Method::Xor, b"pw", &bytes)),
        vec![CheckResult::service("h", "s", 0, "out")]
    );
}

#[test]
fn it_exits_2_when_no_result_was_sent_even_when_quiet() {
    let (addr, server) = fake_server("127.0.0.1:0", Fake::Record);
    let port = addr.port().to_string();
    let (run, _dir) = send_nsca(&["-H", "127.0.0.1", "-p", &port, "--quiet"], "", b"h9\t0\n");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (2, "0 data packet(s) sent to host successfully.\n")
    );
    assert!(server.join().expect("server").is_empty());
}

#[rstest::rstest]
#[case::case_server_closes_before_init(Fake::CloseAtOnce)]
#[case::case_server_sends_50_bytes_and_closes(Fake::ShortInit)]
fn it_exits_2_when_the_server_closes_before_the_init_packet(#[case] fake: Fake) {
    let (addr, server) = fake_server("127.0.0.1:0", fake);
    let port = addr.port().to_string();
    let (run, _dir) = send_nsca(&["-H", "127.0.0.1", "-p", &port], "", THREE);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "Error: Server closed connection before init packet was received\nError: Could not read init packet from server\n"
    );
    server.join().expect("server");
}

#[test]
fn it_times_out_when_the_server_never_sends_the_init_packet() {
    let (addr, server) = fake_server("127.0.0.1:0", Fake::Silent);
    let port = addr.port().to_string();
    let (run, _dir) = send_nsca(&["-H", "127.0.0.1", "-p", &port, "-to", "1"], "", THREE);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (2, "Error: Timeout after 1 seconds\n")
    );
    server.join().expect("server");
}

#[test]
fn it_reports_a_refused_connection() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let p = port.to_string();
    let (run, _dir) = send_nsca(&["-H", "127.0.0.1", "-p", &p], "", THREE);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "Connection refused by host\nError: Could not connect to host 127.0.0.1 on port {port}\n"
        )
    );
}

#[test]
fn it_fails_like_send_nsca_for_a_method_libmcrypt_cannot_open() {
    let (addr, server) = fake_server("127.0.0.1:0", Fake::Record);
    let port = addr.port().to_string();
    let (run, _dir) = send_nsca(
        &["-H", "127.0.0.1", "-p", &port],
        "encryption_method=12\n",
        THREE,
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "Error: Failed to initialize encryption libraries for method 12\n"
        )
    );
    assert!(server.join().expect("server").is_empty());
}

#[test]
fn it_sends_results_through_the_library_api() {
    let (addr, server) = fake_server("127.0.0.1:0", Fake::Record);
    let options = ClientOptions {
        host: "127.0.0.1".into(),
        port: addr.port(),
        timeout_secs: 5,
        method: 20,
        password: b"serpent pw".to_vec(),
        packet_size: PacketSize::V3,
    };
    let sent = send_results(&options, &three(), &mut Filler::Zero).expect("sent");
    assert_eq!(sent, 3);
    assert_eq!(
        accepted(&decode_all(
            Method::Serpent,
            b"serpent pw",
            &server.join().expect("server")
        )),
        three()
    );
}
