//! §8.1 vectors: IV 00..7f, init timestamp 0x12345678, zero filler.

use crate::support::session::{accepted, client_bytes, hex, ref_iv, server_events, sha256};
use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{self, CheckResult, Filler, PacketSize};
use reelcheck_nsca::session::ReadEnd;
use rstest::rstest;

const TS: u32 = 0x1234_5678;

fn web01() -> CheckResult {
    CheckResult::service("web01", "HTTP", 0, "OK - all good")
}

#[test]
fn it_encodes_the_reference_plaintext_packet() {
    let p = codec::encode_packet(&web01(), PacketSize::V3, TS, &mut Filler::Zero);
    assert_eq!(p.len(), 4304);
    assert_eq!(
        hex(&p[..32]),
        "00030000b6d9f415123456780000776562303100000000000000000000000000"
    );
    assert_eq!(codec::packet_crc(&p), 0xb6d9_f415);
    assert_eq!(
        sha256(&p),
        "c4dd8021d8c8b2a51cf3fc07eda1b16604f5942fc79cbbcd2c11154b01087d70"
    );
}

#[rstest]
#[case::case_v3_xor(
    1,
    "secretpw",
    "73676171d7a8826569583f016979091d01444061716166606b7c796979696e68",
    Some("879ff9671ff8ba323c81c2b8e1d411026247af22d6ed6bacda723ff3bd92c687")
)]
#[case::case_v3_xor_empty_password(
    1,
    "",
    "00020203b2dcf2121a3d5c730c0d796a722123131415161718191a1b1c1d1e1f",
    None
)]
#[case::case_v3_des(
    2,
    "secretpw",
    "e9cc9f3a7889c4c62ce98c87b76370be9c5200ab28e778d2051c967e62d61e06",
    Some("d22f62ab2398d65cbbc173598617e3ebed56c9b4c8743bd9bf99f0f56d85b542")
)]
#[case::case_v3_3des_short_password_is_des(
    3,
    "secretpw",
    "e9cc9f3a7889c4c62ce98c87b76370be9c5200ab28e778d2051c967e62d61e06",
    Some("d22f62ab2398d65cbbc173598617e3ebed56c9b4c8743bd9bf99f0f56d85b542")
)]
#[case::case_v3_aes(
    14,
    "secretpw",
    "893e086fcaad792612c2df5f120649238cbb3dd3042799c1653e611f29a047e0",
    Some("aaf2455c1c15b234f30d9b6d179f764c5fc43568d5f3ed86df05d8a64e0b848c")
)]
fn it_encrypts_the_reference_service_packet(
    #[case] method: i64,
    #[case] password: &str,
    #[case] first32: &str,
    #[case] sha: Option<&str>,
) {
    let m = Method::from_number(method).expect("supported");
    let wire = client_bytes(
        m,
        password.as_bytes(),
        PacketSize::V3,
        ref_iv(),
        TS,
        &[web01()],
    );
    assert_eq!(hex(&wire[0][..32]), first32);
    if let Some(sha) = sha {
        assert_eq!(sha256(&wire[0]), sha);
    }
    let events = server_events(
        m,
        password.as_bytes(),
        ref_iv(),
        &[&wire[0]],
        Some(ReadEnd::Eof),
    );
    assert_eq!(accepted(&events), vec![web01()]);
}

#[test]
fn it_encodes_the_reference_host_check() {
    let r = CheckResult::host("web01", 1, "DOWN");
    let p = codec::encode_packet(&r, PacketSize::V3, TS, &mut Filler::Zero);
    assert_eq!(codec::packet_crc(&p), 0x1267_6dd8);
    assert_eq!(
        hex(&p[..32]),
        "0003000012676dd8123456780001776562303100000000000000000000000000"
    );
    let wire = client_bytes(
        Method::Rijndael128,
        b"secretpw",
        PacketSize::V3,
        ref_iv(),
        TS,
        std::slice::from_ref(&r),
    );
    assert_eq!(
        hex(&wire[0][..32]),
        "893e086f6eb2d8bb80fcdbef468478fb51f6ad49a2a0b56ab9bbac01eec80ff1"
    );
    let decoded = codec::decode_packet(&p).expect("valid");
    assert!(decoded.result.is_host_check());
    assert_eq!(decoded.result, r);
}

#[test]
fn it_encodes_the_reference_legacy_packet() {
    let r = CheckResult::service("web01", "HTTP", 2, "CRITICAL");
    let p = codec::encode_packet(&r, PacketSize::Legacy, TS, &mut Filler::Zero);
    assert_eq!(p.len(), 720);
    assert_eq!(codec::packet_crc(&p), 0x4236_5fe0);
    assert_eq!(
        sha256(&p),
        "cc8c424cbafc10f109358c9588e46b34539ef59eb974a51be2d39e2bb6d08c53"
    );
    let wire = client_bytes(
        Method::Xor,
        b"secretpw",
        PacketSize::Legacy,
        ref_iv(),
        TS,
        std::slice::from_ref(&r),
    );
    assert_eq!(
        hex(&wire[0][..32]),
        "736761712347299069583f01697b091d01444061716166606b7c796979696e68"
    );
    let events = server_events(
        Method::Xor,
        b"secretpw",
        ref_iv(),
        &[&wire[0]],
        Some(ReadEnd::Eof),
    );
    assert_eq!(accepted(&events), vec![r]);
}

#[test]
fn it_continues_the_cipher_stream_across_packets() {
    let p1 = CheckResult::service("h", "s1", 0, "one");
    let p2 = CheckResult::service("h", "s2", 0, "two");
    let wire = client_bytes(
        Method::Rijndael128,
        b"secretpw",
        PacketSize::V3,
        ref_iv(),
        TS,
        &[p1.clone(), p2.clone()],
    );
    assert_eq!(hex(&wire[1][..16]), "6a3dd386c2f32e808510a771596f63e2");
    let fresh = client_bytes(
        Method::Rijndael128,
        b"secretpw",
        PacketSize::V3,
        ref_iv(),
        TS,
        std::slice::from_ref(&p2),
    );
    assert_eq!(hex(&fresh[0][..16]), "893e086f2cc1bd2fff83f21c4d43bb19");
    let events = server_events(
        Method::Rijndael128,
        b"secretpw",
        ref_iv(),
        &[&wire[0], &wire[1]],
        Some(ReadEnd::Eof),
    );
    assert_eq!(accepted(&events), vec![p1, p2]);
}
