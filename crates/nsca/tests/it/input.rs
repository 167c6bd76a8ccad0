//! send_nsca stdin parsing: the S-matrix of §7 and the rules of §4.2.

use reelcheck_nsca::codec::{CheckResult, PacketSize};
use reelcheck_nsca::error::InputError;
use reelcheck_nsca::input::{InputFormat, parse_all};
use rstest::rstest;

fn svc(h: &str, s: &str, rc: i16, o: &str) -> CheckResult {
    CheckResult::service(h, s, rc, o)
}

fn host(h: &str, rc: i16, o: &str) -> CheckResult {
    CheckResult::host(h, rc, o)
}

fn fmt(delim: Option<u8>) -> InputFormat {
    InputFormat {
        field_delimiter: delim,
        ..InputFormat::default()
    }
}

#[rstest]
#[case::case_s1_newline_is_not_a_separator("h1\tsvc1\t0\tfirst\nh1\tsvc2\t1\tsecond\n", fmt(Some(b'\t')), vec![svc("h1", "svc1", 0, "first\nh1\tsvc2\t1\tsecond")])]
#[case::case_s2_etb_separates_sets("a\tb\t0\tone\x17a\tb\t1\tmulti\nline\x17a\t2\thost\x17", fmt(Some(b'\t')), vec![svc("a", "b", 0, "one"), svc("a", "b", 1, "multi\nline"), host("a", 2, "host")])]
#[case::case_s3_semicolon_delimiter("h;s;0;out;with;semis", fmt(Some(b';')), vec![svc("h", "s", 0, "out;with;semis")])]
#[case::case_s3_comma_delimiter("h,s,0,a,b", fmt(Some(b',')), vec![svc("h", "s", 0, "a,b")])]
#[case::case_s4_empty_service_is_host_check("h4\t\t0\toutput", fmt(Some(b'\t')), vec![host("h4", 0, "output")])]
#[case::case_s5_host_output_with_tab_becomes_service("h5\t0\tout\twith tab", fmt(Some(b'\t')), vec![svc("h5", "0", 0, "with tab")])]
#[case::case_s6_service_output_keeps_tabs("h6\tsvc\t2\tout\twith\ttabs", fmt(Some(b'\t')), vec![svc("h6", "svc", 2, "out\twith\ttabs")])]
#[case::case_s7_non_numeric_rc_is_zero("h7\tsvc\tabc\tout", fmt(Some(b'\t')), vec![svc("h7", "svc", 0, "out")])]
#[case::case_s8_trailing_space_and_crlf_stripped("h8\tsvc\t1\tout  \r\n", fmt(Some(b'\t')), vec![svc("h8", "svc", 1, "out")])]
#[case::case_s9_two_fields_skipped("h9\t0", fmt(Some(b'\t')), vec![])]
#[case::case_s10_empty_input("", fmt(Some(b'\t')), vec![])]
#[case::case_rc_truncated_to_16_bits("h\ts\t70000\to", fmt(Some(b'\t')), vec![svc("h", "s", 4464, "o")])]
#[case::case_negative_rc("h\ts\t-1\to", fmt(Some(b'\t')), vec![svc("h", "s", -1, "o")])]
#[case::case_leading_delimiters_skipped("\t\th\ts\t0\to", fmt(Some(b'\t')), vec![svc("h", "s", 0, "o")])]
#[case::case_set_cut_at_nul("h\ts\t0\tab\0cd", fmt(Some(b'\t')), vec![svc("h", "s", 0, "ab")])]
#[case::case_empty_delimiter_skips_everything("h\ts\t0\to", fmt(None), vec![])]
fn it_parses_stdin_like_send_nsca(
    #[case] input: &str,
    #[case] format: InputFormat,
    #[case] want: Vec<CheckResult>,
) {
    let (got, err) = parse_all(input.as_bytes(), &format);
    assert_eq!(err, None);
    assert_eq!(got, want);
}

#[test]
fn it_truncates_fields_like_send_nsca() {
    let input = format!(
        "{}\t{}\t0\t{}",
        "H".repeat(70),
        "S".repeat(130),
        "O".repeat(4200)
    );
    let (got, _) = parse_all(input.as_bytes(), &InputFormat::default());
    assert_eq!(
        (got[0].host.len(), got[0].service.len(), got[0].output.len()),
        (63, 127, 4095)
    );
    let legacy = InputFormat {
        packet_size: PacketSize::Legacy,
        ..InputFormat::default()
    };
    let (got, _) = parse_all(input.as_bytes(), &legacy);
    assert_eq!(got[0].output.len(), 511);
}

#[test]
fn it_stops_at_a_set_longer_than_5120_bytes_after_sending_earlier_sets() {
    let input = format!("a\tb\t0\tfirst\x17{}\x17c\td\t0\tlast", "x".repeat(5120));
    let (got, err) = parse_all(input.as_bytes(), &InputFormat::default());
    assert_eq!(got, vec![svc("a", "b", 0, "first")]);
    assert_eq!(err, Some(InputError::SetTooLong { record: 2 }));
    let ok = format!("{}\x17", "x".repeat(5119));
    assert_eq!(parse_all(ok.as_bytes(), &InputFormat::default()).1, None);
}
