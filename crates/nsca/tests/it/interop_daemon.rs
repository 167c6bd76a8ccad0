//! Our server against the real nsca 2.10 daemon on the same client behaviour (§8.2).
//!
//! Both run in `--inetd` mode on a socketpair (no port), each in its own temp dir.
//! The client plays the same steps against each; the bytes differ only by each
//! server's random IV. The command files must match line by line (timestamps
//! masked), and match the reference's expected lines.
//! Timing vectors (V5, V17, V18) are covered with virtual time in `server_vectors`.

use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{CheckResult, PacketSize};
use rstest::rstest;

use crate::support::interop::*;
use crate::support::server::{host, mask, svc};

/// Runs `steps` (client: `method`/`client_pw`) against both daemons (`server_pw`).
fn both(
    method: u8,
    client_method: u8,
    server_pw: &str,
    client_pw: &str,
    steps: Vec<Step>,
) -> (Vec<String>, Vec<String>) {
    let m = Method::from_number(i64::from(client_method)).expect("method");
    let pw = client_pw.as_bytes().to_vec();
    let make = move |init: &[u8; 132]| client_bytes(init, m, &pw, &steps);
    let c_dir = tempfile::tempdir().expect("dir");
    let ours_dir = tempfile::tempdir().expect("dir");
    let theirs = run_c_daemon(c_dir.path(), method, server_pw, &make);
    let ours = run_ours(ours_dir.path(), method, server_pw, &make);
    (mask(&theirs), mask(&ours))
}

fn same(method: u8, steps: Vec<Step>, expected: &[&str]) {
    let (theirs, ours) = both(method, method, "secretpw", "secretpw", steps);
    assert_eq!(
        theirs, expected,
        "nsca 2.10 wrote something else than the reference says"
    );
    assert_eq!(ours, theirs, "our server differs from nsca 2.10");
}

fn v1() -> Vec<Step> {
    vec![
        packet(svc("h1", "svcA", 0, "out A")),
        packet(host("h1", 2, "host down")),
        packet(svc("h1", "svcB", 1, "out B")),
    ]
}

const V1: [&str; 3] = [
    "[T] PROCESS_SERVICE_CHECK_RESULT;h1;svcA;0;out A",
    "[T] PROCESS_HOST_CHECK_RESULT;h1;2;host down",
    "[T] PROCESS_SERVICE_CHECK_RESULT;h1;svcB;1;out B",
];

#[rstest]
#[case::case_daemon_v1_xor(1)]
#[case::case_daemon_v2_none(0)]
#[case::case_daemon_v2_des(2)]
#[case::case_daemon_v2_3des(3)]
#[case::case_daemon_v2_cast128(4)]
#[case::case_daemon_v2_blowfish(8)]
#[case::case_daemon_v2_twofish(9)]
#[case::case_daemon_v2_rc2(11)]
#[case::case_daemon_v2_rijndael128(14)]
#[case::case_daemon_v2_serpent(20)]
fn case_daemon_v1_v2_three_packets(#[case] method: u8) {
    same(method, v1(), &V1);
}

fn legacy(result: CheckResult) -> Step {
    Step::Packet {
        result,
        size: PacketSize::Legacy,
        ts_offset: 0,
        edit: Edit::None,
    }
}

fn edited(result: CheckResult, edit: Edit) -> Step {
    Step::Packet {
        result,
        size: PacketSize::V3,
        ts_offset: 0,
        edit,
    }
}

#[test]
fn case_daemon_v3_cipher_reset_per_packet() {
    same(
        14,
        vec![
            packet(svc("h", "s1", 0, "one")),
            Step::ResetCipher,
            packet(svc("h", "s2", 0, "two")),
        ],
        &["[T] PROCESS_SERVICE_CHECK_RESULT;h;s1;0;one"],
    );
}

#[test]
fn case_daemon_v4_one_legacy_packet_then_close() {
    let long = "x".repeat(600);
    let line = format!(
        "[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;2;{}",
        "x".repeat(511)
    );
    same(
        1,
        vec![legacy(svc("web01", "HTTP", 2, &long))],
        &[line.as_str()],
    );
}

#[test]
fn case_daemon_v6_two_legacy_packets() {
    same(
        3,
        vec![
            legacy(svc("a", "b", 0, "one")),
            legacy(svc("a", "b", 0, "two")),
        ],
        &[],
    );
}

#[test]
fn case_daemon_v7_bad_crc_then_valid() {
    same(
        1,
        vec![
            edited(svc("h", "s", 0, "bad"), Edit::BreakCrc),
            packet(svc("h", "s", 0, "good")),
        ],
        &[],
    );
}

#[test]
fn case_daemon_v8_version_2() {
    same(
        1,
        vec![
            edited(svc("h", "s", 0, "v2"), Edit::Version(2)),
            packet(svc("h", "s", 0, "after")),
        ],
        &[],
    );
}

#[test]
fn case_daemon_v9_truncated_packet() {
    same(
        1,
        vec![
            packet(svc("h", "s", 0, "whole")),
            Step::Truncated {
                result: svc("h", "s", 0, "cut"),
                n: 1000,
            },
        ],
        &["[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;whole"],
    );
}

#[test]
fn case_daemon_v10_timestamps_are_ignored() {
    same(
        14,
        vec![
            Step::Packet {
                result: svc("h", "s", 0, "past"),
                size: PacketSize::V3,
                ts_offset: -3600,
                edit: Edit::None,
            },
            Step::Packet {
                result: svc("h", "s", 0, "future"),
                size: PacketSize::V3,
                ts_offset: 3600,
                edit: Edit::None,
            },
            edited(svc("h", "s", 0, "zero"), Edit::AbsoluteTimestamp(0)),
        ],
        &[
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;past",
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;future",
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;zero",
        ],
    );
}

#[test]
fn case_daemon_v11_v12_escaping_and_return_codes() {
    same(
        1,
        vec![
            packet(svc(
                "esc",
                "svc",
                0,
                "line1\nline2 back\\slash semi;colon|perf=1",
            )),
            packet(svc("esc", "svc", -1, "rc minus one")),
            packet(svc("h", "s", 7, "tab\there\rcr")),
        ],
        &[
            "[T] PROCESS_SERVICE_CHECK_RESULT;esc;svc;0;line1\\nline2 back\\\\slash semi;colon|perf=1",
            "[T] PROCESS_SERVICE_CHECK_RESULT;esc;svc;-1;rc minus one",
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;7;tab\there\rcr",
        ],
    );
}

#[test]
fn case_daemon_v13_unterminated_fields() {
    let line = format!(
        "[T] PROCESS_SERVICE_CHECK_RESULT;{};{};0;{}",
        "H".repeat(63),
        "S".repeat(127),
        "O".repeat(4095)
    );
    same(
        1,
        vec![edited(svc("h", "s", 0, "o"), Edit::FillFields)],
        &[line.as_str()],
    );
}

#[test]
fn case_daemon_v14_newline_in_host_and_service() {
    same(
        1,
        vec![
            packet(svc("ab\ncd", "sv\nc", 0, "out")),
            packet(host("x\ny", 0, "up")),
        ],
        &[
            "[T] PROCESS_SERVICE_CHECK_RESULT;ab;sv;0;out",
            "[T] PROCESS_HOST_CHECK_RESULT;x;0;up",
        ],
    );
}

#[rstest]
#[case::case_daemon_v15_wrong_password(1, 1, "wrongpw")]
#[case::case_daemon_v15_method_0_against_xor(1, 0, "secretpw")]
#[case::case_daemon_v15_xor_against_3des(3, 1, "secretpw")]
fn case_daemon_v15_wrong_credentials(#[case] server: u8, #[case] client: u8, #[case] pw: &str) {
    let (theirs, ours) = both(server, client, "secretpw", pw, v1());
    assert!(theirs.is_empty(), "{theirs:?}");
    assert_eq!(ours, theirs);
}

#[test]
fn case_daemon_v16_printable_filler() {
    same(
        20,
        vec![
            edited(svc("web01", "HTTP", 0, "OK"), Edit::PrintableFiller),
            edited(host("web01", 0, "UP"), Edit::PrintableFiller),
        ],
        &[
            "[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;OK",
            "[T] PROCESS_HOST_CHECK_RESULT;web01;0;UP",
        ],
    );
}

#[test]
fn case_daemon_empty_connection() {
    same(1, vec![], &[]);
}

#[test]
fn case_daemon_non_utf8_output_passes_through() {
    let m = Method::Xor;
    let steps = vec![packet(CheckResult::service(
        b"h\xe9".to_vec(),
        b"s".to_vec(),
        0,
        b"caf\xc3\xa9 \xff\xfe".to_vec(),
    ))];
    let make = move |init: &[u8; 132]| client_bytes(init, m, b"secretpw", &steps);
    let c_dir = tempfile::tempdir().expect("dir");
    let ours_dir = tempfile::tempdir().expect("dir");
    let theirs = run_c_daemon(c_dir.path(), 1, "secretpw", &make);
    let ours = run_ours(ours_dir.path(), 1, "secretpw", &make);
    let strip = |b: &[u8]| {
        b.iter()
            .position(|&c| c == b']')
            .map(|p| b[p..].to_vec())
            .unwrap_or_default()
    };
    assert_eq!(
        strip(&theirs),
        b"] PROCESS_SERVICE_CHECK_RESULT;h\xe9;s;0;caf\xc3\xa9 \xff\xfe\n"
    );
    assert_eq!(strip(&ours), strip(&theirs));
}
