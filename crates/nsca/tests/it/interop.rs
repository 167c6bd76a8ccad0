//! Against the real Debian nsca / send_nsca 2.10.2 (apt-get install nsca nsca-client).
//!
//! Our client → `nsca --inetd` on a socketpair (no port), asserting on the command file;
//! real `send_nsca` → an in-test server on 127.0.0.1:0 decoding with our server session,
//! compared with our own parse of the same standard input.

use crate::support::session::accepted;
use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{CheckResult, Filler, IV_LEN, InitPacket, PacketSize};
use reelcheck_nsca::input::{InputFormat, parse_all};
use reelcheck_nsca::session::{ClientSession, ReadEnd, ServerSession};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};

const NSCA: &str = "/usr/sbin/nsca";
const SEND_NSCA: &str = "/usr/sbin/send_nsca";

fn require(bin: &str) {
    assert!(
        Path::new(bin).exists(),
        "{bin} is missing: apt-get install nsca nsca-client"
    );
}

/// Runs `nsca --inetd` on one end of a socketpair; `client` talks on the other end.
/// Returns the command-file lines with the timestamp replaced by `[T]`.
fn with_inetd_nsca(
    method: i64,
    password: &str,
    client: impl FnOnce(&mut UnixStream),
) -> Vec<String> {
    require(NSCA);
    let dir = tempfile::tempdir().expect("tempdir");
    let cmd = dir.path().join("cmd.txt");
    std::fs::write(&cmd, "").expect("command file");
    let cfg = dir.path().join("nsca.cfg");
    std::fs::write(
        &cfg,
        format!(
            "command_file={}\nalternate_dump_file={}\naggregate_writes=0\nappend_to_file=1\npassword={password}\ndecryption_method={method}\n",
            cmd.display(),
            dir.path().join("dump.txt").display()
        ),
    )
    .expect("config");
    let (mut ours, theirs) = UnixStream::pair().expect("socketpair");
    let theirs_in = theirs.try_clone().expect("clone");
    let mut child = Command::new(NSCA)
        .arg("-c")
        .arg(&cfg)
        .arg("--inetd")
        .stdin(Stdio::from(OwnedFd::from(theirs_in)))
        .stdout(Stdio::from(OwnedFd::from(theirs)))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nsca");
    client(&mut ours);
    let _ = ours.shutdown(std::net::Shutdown::Write);
    let status = child.wait().expect("reap nsca");
    assert!(status.success(), "nsca exited with {status}");
    let text = std::fs::read_to_string(&cmd).expect("read command file");
    text.lines()
        .map(|l| match l.find("] ") {
            Some(i) if l.starts_with('[') => format!("[T] {}", &l[i + 2..]),
            _ => l.to_string(),
        })
        .collect()
}

fn send_packets(
    method: Method,
    password: &str,
    size: PacketSize,
    results: &[CheckResult],
) -> impl FnOnce(&mut UnixStream) {
    let results = results.to_vec();
    let password = password.as_bytes().to_vec();
    move |s: &mut UnixStream| {
        let mut init = [0u8; 132];
        s.read_exact(&mut init).expect("init packet");
        let mut c = ClientSession::new(method, &password, size);
        c.handle_init_bytes(&init);
        let mut rng = rand_chacha::ChaCha8Rng::from_seed([7; 32]);
        for r in &results {
            let bytes = c
                .encode(r, &mut Filler::Printable(&mut rng))
                .expect("ready");
            s.write_all(&bytes).expect("send");
        }
    }
}

use rand_core::SeedableRng;

fn three() -> Vec<CheckResult> {
    vec![
        CheckResult::service("h1", "svcA", 0, "out A"),
        CheckResult::host("h1", 2, "host down"),
        CheckResult::service(
            "esc",
            "svc",
            -1,
            "line1\nline2 back\\slash semi;colon|perf=1",
        ),
    ]
}

const THREE_LINES: [&str; 3] = [
    "[T] PROCESS_SERVICE_CHECK_RESULT;h1;svcA;0;out A",
    "[T] PROCESS_HOST_CHECK_RESULT;h1;2;host down",
    "[T] PROCESS_SERVICE_CHECK_RESULT;esc;svc;-1;line1\\nline2 back\\\\slash semi;colon|perf=1",
];

#[rstest::rstest]
#[case::case_method_0(0)]
#[case::case_method_1(1)]
#[case::case_method_2(2)]
#[case::case_method_3(3)]
#[case::case_method_4(4)]
#[case::case_method_6(6)]
#[case::case_method_8(8)]
#[case::case_method_9(9)]
#[case::case_method_11(11)]
#[case::case_method_14(14)]
#[case::case_method_20(20)]
fn it_is_accepted_by_the_real_nsca_daemon(#[case] method: i64) {
    let m = Method::from_number(method).expect("supported");
    let password = "a-much-longer-password-for-3des-tests";
    let lines = with_inetd_nsca(
        method,
        password,
        send_packets(m, password, PacketSize::V3, &three()),
    );
    assert_eq!(lines, THREE_LINES);
}

#[test]
fn it_is_accepted_by_the_real_nsca_daemon_with_one_legacy_packet() {
    let r = vec![CheckResult::service("old", "svc", 1, "o".repeat(600))];
    let lines = with_inetd_nsca(
        3,
        "secretpw",
        send_packets(Method::TripleDes, "secretpw", PacketSize::Legacy, &r),
    );
    assert_eq!(
        lines,
        vec![format!(
            "[T] PROCESS_SERVICE_CHECK_RESULT;old;svc;1;{}",
            "o".repeat(511)
        )]
    );
}

#[test]
fn it_is_dropped_by_the_real_nsca_daemon_with_two_legacy_packets() {
    let lines = with_inetd_nsca(
        1,
        "pw",
        send_packets(Method::Xor, "pw", PacketSize::Legacy, &three()[..2]),
    );
    assert!(lines.is_empty(), "{lines:?}");
}

/// Runs the real send_nsca against an in-test server; returns its exit code, stdout and the
/// results our server session decoded.
fn real_send_nsca(
    method: Method,
    password: &str,
    args: &[&str],
    stdin: &[u8],
) -> (i32, String, Vec<CheckResult>) {
    require(SEND_NSCA);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("send_nsca.cfg");
    std::fs::write(
        &cfg,
        format!(
            "password={password}\nencryption_method={}\n",
            method.number()
        ),
    )
    .expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let iv: [u8; IV_LEN] = std::array::from_fn(|i| (i * 7 + 3) as u8);
    let pw = password.as_bytes().to_vec();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        let mut session = ServerSession::new(method, &pw, iv, 0x0102_0304);
        let init = session.poll_transmit().expect("init");
        s.write_all(&init).expect("init");
        let mut events = Vec::new();
        let mut buf = vec![0u8; 3000];
        loop {
            let n = s.read(&mut buf).expect("read");
            if n == 0 {
                session.handle_read_end(ReadEnd::Eof);
            } else {
                session.handle_data(&buf[..n]);
            }
            events.extend(std::iter::from_fn(|| session.poll_event()));
            if n == 0 || session.is_closed() {
                break;
            }
        }
        assert_eq!(
            InitPacket::decode(&init).expect("init").timestamp,
            0x0102_0304
        );
        accepted(&events)
    });
    let mut child = Command::new(SEND_NSCA)
        .args(["-H", "127.0.0.1", "-p", &port.to_string(), "-c"])
        .arg(&cfg)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn send_nsca");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    let out = child.wait_with_output().expect("reap send_nsca");
    let results = server.join().expect("server thread");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        results,
    )
}

#[rstest::rstest]
#[case::case_method_0(0)]
#[case::case_method_1(1)]
#[case::case_method_2(2)]
#[case::case_method_3(3)]
#[case::case_method_4(4)]
#[case::case_method_6(6)]
#[case::case_method_8(8)]
#[case::case_method_9(9)]
#[case::case_method_11(11)]
#[case::case_method_14(14)]
#[case::case_method_20(20)]
fn it_decodes_what_the_real_send_nsca_sends(#[case] method: i64) {
    let m = Method::from_number(method).expect("supported");
    let input = b"web01\tHTTP\t0\tOK - all good\x17web01\t1\tHost warn output\x17db\tDisk\t2\tCRITICAL two\x17";
    let (code, stdout, got) = real_send_nsca(m, "secretpw", &[], input);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "3 data packet(s) sent to host successfully.\n")
    );
    assert_eq!(got, parse_all(input, &InputFormat::default()).0);
}

#[rstest::rstest]
#[case::case_s1(&[], b"h1\tsvc1\t0\tfirst\nh1\tsvc2\t1\tsecond\n" as &[u8])]
#[case::case_s2(&[], b"h2\tsvc\t0\tone\x17h2\tsvc\t1\tmulti\nline\x17h2\t2\thost\x17" as &[u8])]
#[case::case_s3(&["-d", ";"], b"h3;svc;0;out;with;semis" as &[u8])]
#[case::case_s3_hex(&["-d", "0x2c"], b"h3,svc,0,a,b,c" as &[u8])]
#[case::case_s4(&[], b"h4\t\t0\toutput" as &[u8])]
#[case::case_s5(&[], b"h5\t0\tout\twith tab" as &[u8])]
#[case::case_s6(&[], b"h6\tsvc\t2\tout\twith\ttabs" as &[u8])]
#[case::case_s7(&[], b"h7\tsvc\tabc\tout" as &[u8])]
#[case::case_s8(&[], b"h8\tsvc\t1\tout  \r\n" as &[u8])]
#[case::case_s9(&[], b"h9\t0" as &[u8])]
#[case::case_s10(&[], b"" as &[u8])]
#[case::case_set_delimiter_newline(&["-ds", "0x0a"], b"a\tb\t0\tone\nc\t1\ttwo\n" as &[u8])]
#[case::case_long_fields(&[], b"HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH\tsvc\t70000\tout" as &[u8])]
fn it_parses_stdin_exactly_like_the_real_send_nsca(#[case] args: &[&str], #[case] input: &[u8]) {
    let (code, stdout, got) = real_send_nsca(Method::Xor, "pw", args, input);
    let mut ours = reelcheck_nsca::cli::parse_args(
        &std::iter::once("send_nsca")
            .chain(args.iter().copied())
            .map(std::ffi::OsString::from)
            .collect::<Vec<_>>(),
    )
    .expect("args");
    ours.host.clear();
    let format = InputFormat {
        field_delimiter: ours.delimiter,
        set_delimiter: ours.set_delimiter,
        packet_size: PacketSize::V3,
    };
    let want = parse_all(input, &format).0;
    assert_eq!(got, want);
    assert_eq!(code, if want.is_empty() { 2 } else { 0 });
    assert_eq!(
        stdout,
        format!("{} data packet(s) sent to host successfully.\n", want.len())
    );
}

/// Runs the real send_nsca and ours with the same arguments and stdin; returns both
/// `(exit code, stdout, stderr)`.
fn both_send_nsca(args: &[String], stdin: &[u8]) -> [(i32, String, String); 2] {
    require(SEND_NSCA);
    let mut child = Command::new(SEND_NSCA)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn send_nsca");
    // send_nsca may exit before reading its input (usage errors): a broken pipe is expected.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    let out = child.wait_with_output().expect("reap send_nsca");
    let real = (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    let argv: Vec<std::ffi::OsString> = std::iter::once(SEND_NSCA.to_string())
        .chain(args.iter().cloned())
        .map(Into::into)
        .collect();
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let code = reelcheck_nsca::cli::send_nsca_main(argv, &mut &stdin[..], &mut o, &mut e);
    let ours = (
        code,
        String::from_utf8_lossy(&o).into_owned(),
        String::from_utf8_lossy(&e).into_owned(),
    );
    [real, ours]
}

#[rstest::rstest]
#[case::case_cli_no_arguments(&[])]
#[case::case_cli_help(&["-h"])]
#[case::case_cli_help_legacy(&["-h", "--legacy-2-7-mode"])]
#[case::case_cli_version(&["-V"])]
#[case::case_cli_license(&["-l"])]
#[case::case_cli_zero_timeout(&["-H", "127.0.0.1", "-to", "0"])]
#[case::case_cli_stray_argument(&["-H", "127.0.0.1", "extra"])]
#[case::case_cli_missing_config(&["-H", "127.0.0.1", "-c", "{dir}/missing.cfg"])]
#[case::case_cli_invalid_method(&["-H", "127.0.0.1", "-c", "{dir}/rc6.cfg"])]
#[case::case_cli_unknown_option(&["-H", "127.0.0.1", "-c", "{dir}/unknown.cfg"])]
#[case::case_cli_connection_refused(&["-H", "127.0.0.1", "-p", "{port}", "-c", "{dir}/ok.cfg"])]
fn it_prints_the_same_messages_and_exit_codes_as_the_real_send_nsca(#[case] args: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rc6.cfg"),
        "password=x\nencryption_method=13\n",
    )
    .expect("cfg");
    std::fs::write(dir.path().join("unknown.cfg"), "# c\nserver=1\n").expect("cfg");
    std::fs::write(dir.path().join("ok.cfg"), "password=x\n").expect("cfg");
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("{dir}", &dir.path().to_string_lossy())
                .replace("{port}", &port.to_string())
        })
        .collect();
    let [real, ours] = both_send_nsca(&args, b"h\ts\t0\to");
    assert_eq!(ours, real);
}
