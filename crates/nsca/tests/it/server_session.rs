//! Server session rules of nsca 2.10 (§1.7, §3.2, §3.3, §8.2) and command-file output (§3.4).

use crate::support::session::{accepted, client_bytes, ref_iv, server_events};
use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::cmdfile;
use reelcheck_nsca::codec::{CheckResult, Filler, PacketSize, encode_packet};
use reelcheck_nsca::error::DecodeError;
use reelcheck_nsca::session::{ReadEnd, ServerSession, SessionEnd, SessionEvent};

fn three() -> Vec<CheckResult> {
    vec![
        CheckResult::service("h1", "svcA", 0, "out A"),
        CheckResult::host("h1", 2, "host down"),
        CheckResult::service("h1", "svcB", 1, "out B"),
    ]
}

#[test]
fn it_accepts_three_packets_in_order_on_one_connection() {
    for m in Method::ALL {
        let wire = client_bytes(m, b"secretpw", PacketSize::V3, ref_iv(), 1, &three()).concat();
        let events = server_events(m, b"secretpw", ref_iv(), &[&wire], Some(ReadEnd::Eof));
        assert_eq!(accepted(&events), three(), "method {m}");
        assert_eq!(
            events.last(),
            Some(&SessionEvent::Closed {
                reason: SessionEnd::Eof { leftover: 0 },
                accepted: 3
            })
        );
    }
}

#[test]
fn it_rejects_the_second_packet_when_the_client_resets_its_cipher_per_packet() {
    let r = three();
    let mut wire = Vec::new();
    for one in &r[..2] {
        wire.extend(
            client_bytes(
                Method::Rijndael128,
                b"pw",
                PacketSize::V3,
                ref_iv(),
                1,
                std::slice::from_ref(one),
            )
            .concat(),
        );
    }
    let events = server_events(
        Method::Rijndael128,
        b"pw",
        ref_iv(),
        &[&wire],
        Some(ReadEnd::Eof),
    );
    assert_eq!(accepted(&events), r[..1].to_vec());
    assert!(matches!(
        events[1],
        SessionEvent::Rejected { packet: 2, .. }
    ));
    assert!(matches!(
        events[2],
        SessionEvent::Closed {
            reason: SessionEnd::BadPacket,
            accepted: 1
        }
    ));
}

#[test]
fn it_accepts_one_legacy_packet_at_eof() {
    let r = CheckResult::service("h", "s", 0, "x".repeat(600));
    let wire = client_bytes(
        Method::Xor,
        b"pw",
        PacketSize::Legacy,
        ref_iv(),
        1,
        std::slice::from_ref(&r),
    )
    .concat();
    let events = server_events(Method::Xor, b"pw", ref_iv(), &[&wire], Some(ReadEnd::Eof));
    let got = accepted(&events);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].output.len(), 511);
}

#[test]
fn it_keeps_the_connection_open_after_a_legacy_packet_ends_by_timeout() {
    let r = three();
    let wire = client_bytes(
        Method::Rijndael128,
        b"pw",
        PacketSize::Legacy,
        ref_iv(),
        1,
        &r[..1],
    )
    .concat();
    let mut s = ServerSession::new(Method::Rijndael128, b"pw", ref_iv(), 1);
    s.handle_data(&wire);
    assert_eq!(s.poll_event(), None);
    s.handle_read_end(ReadEnd::Timeout);
    assert!(matches!(
        s.poll_event(),
        Some(SessionEvent::Accepted { packet: 1, .. })
    ));
    assert_eq!(s.poll_event(), None);
    assert!(!s.is_closed());
}

#[test]
fn it_drops_two_legacy_packets_on_one_connection() {
    let wire = client_bytes(
        Method::Xor,
        b"pw",
        PacketSize::Legacy,
        ref_iv(),
        1,
        &three()[..2],
    )
    .concat();
    let events = server_events(Method::Xor, b"pw", ref_iv(), &[&wire], Some(ReadEnd::Eof));
    assert_eq!(
        events,
        vec![SessionEvent::Closed {
            reason: SessionEnd::Eof { leftover: 1440 },
            accepted: 0
        }]
    );
}

#[test]
fn it_closes_on_bad_crc_and_loses_the_following_valid_packet() {
    let mut wire = client_bytes(Method::None, b"", PacketSize::V3, ref_iv(), 1, &three()).concat();
    wire[300] ^= 1;
    let events = server_events(Method::None, b"", ref_iv(), &[&wire], Some(ReadEnd::Eof));
    assert!(matches!(
        events[0],
        SessionEvent::Rejected {
            packet: 1,
            error: DecodeError::BadCrc { .. }
        }
    ));
    assert_eq!(events.len(), 2);
    assert!(matches!(
        events[1],
        SessionEvent::Closed {
            reason: SessionEnd::BadPacket,
            accepted: 0
        }
    ));
}

#[test]
fn it_rejects_packet_version_2() {
    let mut p = encode_packet(&three()[0], PacketSize::V3, 1, &mut Filler::Zero);
    p[1] = 2;
    let events = server_events(Method::None, b"", ref_iv(), &[&p], None);
    assert_eq!(
        events[0],
        SessionEvent::Rejected {
            packet: 1,
            error: DecodeError::BadVersion { found: 2 }
        }
    );
}

#[test]
fn it_drops_a_truncated_packet_silently() {
    let events = server_events(
        Method::None,
        b"",
        ref_iv(),
        &[&[0u8; 1000]],
        Some(ReadEnd::Eof),
    );
    assert_eq!(
        events,
        vec![SessionEvent::Closed {
            reason: SessionEnd::Eof { leftover: 1000 },
            accepted: 0
        }]
    );
}

#[test]
fn it_rejects_a_wrong_xor_password_with_a_version_error() {
    let wire = client_bytes(
        Method::Xor,
        b"wrong",
        PacketSize::V3,
        ref_iv(),
        1,
        &three()[..1],
    )
    .concat();
    let events = server_events(Method::Xor, b"secretpw", ref_iv(), &[&wire], None);
    assert!(matches!(
        events[0],
        SessionEvent::Rejected {
            error: DecodeError::BadVersion { .. },
            ..
        }
    ));
}

#[test]
fn it_identifies_the_client_password_by_trial_decryption() {
    let wire = client_bytes(
        Method::Des,
        b"second",
        PacketSize::V3,
        ref_iv(),
        1,
        &three(),
    )
    .concat();
    let candidates = vec![
        (Method::Xor, b"first".to_vec()),
        (Method::Des, b"second".to_vec()),
        (Method::Rijndael128, b"third".to_vec()),
    ];
    let mut s = ServerSession::with_candidates(candidates, ref_iv(), 1);
    for chunk in wire.chunks(1000) {
        s.handle_data(chunk);
    }
    s.handle_read_end(ReadEnd::Eof);
    let events: Vec<SessionEvent> = std::iter::from_fn(|| s.poll_event()).collect();
    assert_eq!(events[0], SessionEvent::Identified { candidate: 1 });
    assert_eq!(accepted(&events), three());
}

#[test]
fn it_displays_events_on_one_stable_line() {
    let events = server_events(
        Method::None,
        b"",
        ref_iv(),
        &[&[0u8; 10]],
        Some(ReadEnd::Eof),
    );
    assert_eq!(
        events[0].to_string(),
        "closed: end of stream, 0 accepted, 10 bytes left over"
    );
}

#[test]
fn it_writes_command_lines_like_nsca_2_10_2() {
    // V11, V12 and the observed examples of §3.4.
    let cases: [(CheckResult, &str); 5] = [
        (
            CheckResult::service("h1", "svcA", 0, "out A"),
            "[1795549801] PROCESS_SERVICE_CHECK_RESULT;h1;svcA;0;out A\n",
        ),
        (
            CheckResult::host("h1", 2, "host down"),
            "[1795549801] PROCESS_HOST_CHECK_RESULT;h1;2;host down\n",
        ),
        (
            CheckResult::service(
                "esc",
                "svc",
                0,
                "line1\nline2 back\\slash semi;colon|perf=1",
            ),
            "[1795549801] PROCESS_SERVICE_CHECK_RESULT;esc;svc;0;line1\\nline2 back\\\\slash semi;colon|perf=1\n",
        ),
        (
            CheckResult::service("esc", "svc", -1, "rc minus one"),
            "[1795549801] PROCESS_SERVICE_CHECK_RESULT;esc;svc;-1;rc minus one\n",
        ),
        (
            CheckResult::service("ab\ncd", "s\nt", 7, "o"),
            "[1795549801] PROCESS_SERVICE_CHECK_RESULT;ab;s;7;o\n",
        ),
    ];
    for (r, want) in cases {
        assert_eq!(
            String::from_utf8(cmdfile::command_line(&r, 1_795_549_801)).expect("utf8"),
            want
        );
    }
}

#[test]
fn it_truncates_long_fields_to_63_127_4095_bytes() {
    // V13.
    let r = CheckResult::service("H".repeat(80), "S".repeat(200), 0, "O".repeat(5000));
    let wire = client_bytes(
        Method::Xor,
        b"pw",
        PacketSize::V3,
        ref_iv(),
        1,
        std::slice::from_ref(&r),
    )
    .concat();
    let got = accepted(&server_events(Method::Xor, b"pw", ref_iv(), &[&wire], None));
    assert_eq!(
        (got[0].host.len(), got[0].service.len(), got[0].output.len()),
        (63, 127, 4095)
    );
}

#[test]
fn it_passes_non_utf8_output_through_exactly() {
    let out = vec![0xff, 0xfe, b'a', 0xc3, 0xa9, 0x80, b'\r', b'\t'];
    let r = CheckResult::service("h", "s", 0, out.clone());
    let wire = client_bytes(
        Method::Serpent,
        b"pw",
        PacketSize::V3,
        ref_iv(),
        1,
        std::slice::from_ref(&r),
    )
    .concat();
    let got = accepted(&server_events(
        Method::Serpent,
        b"pw",
        ref_iv(),
        &[&wire],
        None,
    ));
    assert_eq!(got[0].output, out);
    let line = cmdfile::command_line(&got[0], 5);
    assert!(line.ends_with(&[
        b';', 0xff, 0xfe, b'a', 0xc3, 0xa9, 0x80, b'\r', b'\t', b'\n'
    ]));
}

#[test]
fn it_writes_checkresult_files_like_nsca_2_10_2() {
    let r = CheckResult::service("h0", "svc", 0, "result number 0");
    let want = "### NSCA Passive Check Result ###\n# Time: Tue Nov 24 19:55:55 2026\nfile_time=1795550155\n\n\
### Service Check Result ###\nhost_name=h0\nservice_description=svc\ncheck_type=1\nscheduled_check=0\n\
reschedule_check=0\nlatency=0\nstart_time=1795550155.0\nfinish_time=1795550155.0\nreturn_code=0\n\
output=result number 0\n\n";
    assert_eq!(
        String::from_utf8(cmdfile::checkresult_file(&r, 1_795_550_155, 0)).expect("utf8"),
        want
    );
    let host = cmdfile::checkresult_file(&CheckResult::host("h0", 1, "x"), 1_795_550_155, 0);
    let host = String::from_utf8(host).expect("utf8");
    assert!(host.contains("### Host Check Result ###\nhost_name=h0\ncheck_type=1\n"));
}
