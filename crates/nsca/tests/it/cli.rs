//! send_nsca command line (§4.1) and exit codes (§4.3).

use reelcheck_nsca::cli::{SendNscaArgs, parse_args, send_nsca_main};
use rstest::rstest;
use std::ffi::OsString;
use std::path::Path;

fn argv(args: &[&str]) -> Vec<OsString> {
    std::iter::once("send_nsca")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect()
}

#[rstest]
#[case::case_flags(&["-H", "10.0.0.1", "-p", "15667", "-to", "3", "-c", "/x.cfg"], |a: &SendNscaArgs| a.host == "10.0.0.1" && a.port == 15667 && a.timeout_secs == 3 && a.config_file == Path::new("/x.cfg"))]
#[case::case_old_positional_syntax(&["127.0.0.1", "-p", "15667"], |a: &SendNscaArgs| a.host == "127.0.0.1" && a.port == 15667)]
#[case::case_defaults(&["-H", "h"], |a: &SendNscaArgs| a.port == 5667 && a.timeout_secs == 10 && a.config_file == Path::new("/etc/send_nsca.cfg") && a.delimiter == Some(b'\t') && a.set_delimiter == 0x17)]
#[case::case_delimiter_literal(&["-H", "h", "-d", ";"], |a: &SendNscaArgs| a.delimiter == Some(b';'))]
#[case::case_delimiter_hex(&["-H", "h", "-d", "0x2c"], |a: &SendNscaArgs| a.delimiter == Some(b','))]
#[case::case_delimiter_octal(&["-H", "h", "-d", "054"], |a: &SendNscaArgs| a.delimiter == Some(b','))]
#[case::case_delimiter_decimal(&["-H", "h", "-d", "44"], |a: &SendNscaArgs| a.delimiter == Some(b','))]
#[case::case_single_digit_is_literal(&["-H", "h", "-d", "9"], |a: &SendNscaArgs| a.delimiter == Some(b'9'))]
#[case::case_set_delimiter_newline(&["-H", "h", "-ds", "0x0a"], |a: &SendNscaArgs| a.set_delimiter == b'\n')]
#[case::case_quiet_and_legacy(&["--quiet", "-H", "h", "--legacy-2-7-mode"], |a: &SendNscaArgs| a.quiet && a.legacy_2_7_mode && a.host == "h")]
#[case::case_ipv6_host(&["-H", "::1"], |a: &SendNscaArgs| a.host == "::1")]
#[case::case_help(&["-h"], |a: &SendNscaArgs| a.help)]
#[case::case_version(&["-V"], |a: &SendNscaArgs| a.version)]
#[case::case_no_arguments(&[], |a: &SendNscaArgs| a.help)]
fn it_parses_the_send_nsca_command_line(
    #[case] args: &[&str],
    #[case] check: fn(&SendNscaArgs) -> bool,
) {
    let parsed = parse_args(&argv(args)).expect("valid");
    assert!(check(&parsed), "{parsed:?}");
}

#[rstest]
#[case::case_zero_timeout(&["-H", "h", "-to", "0"])]
#[case::case_non_numeric_timeout(&["-H", "h", "-to", "x"])]
#[case::case_missing_host_value(&["-H"])]
#[case::case_missing_port_value(&["-H", "h", "-p"])]
#[case::case_missing_delimiter_value(&["-H", "h", "-d"])]
#[case::case_stray_argument(&["-H", "h", "extra"])]
fn it_rejects_bad_command_lines_with_exit_3(#[case] args: &[&str]) {
    assert!(parse_args(&argv(args)).is_err());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = send_nsca_main(argv(args), &mut &b""[..], &mut out, &mut err);
    assert_eq!(code, 3);
    assert_eq!(
        String::from_utf8_lossy(&err),
        "Incorrect command line arguments supplied\n"
    );
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("NSCA Client 2.10.2\n"));
    assert!(out.contains("Usage: send_nsca [--quiet] -H <host_address>"));
}

#[rstest]
#[case::case_help_exits_3(&["-h"], true)]
#[case::case_version_exits_3(&["-V"], false)]
#[case::case_license_exits_3(&["-l"], false)]
fn it_prints_help_version_and_license_and_exits_3(#[case] args: &[&str], #[case] usage: bool) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        send_nsca_main(argv(args), &mut &b""[..], &mut out, &mut err),
        3
    );
    let out = String::from_utf8_lossy(&out);
    assert!(out.starts_with("\nNSCA Client 2.10.2\n"));
    assert_eq!(out.contains("Usage:"), usage);
    assert!(err.is_empty());
}

#[test]
fn it_reports_a_missing_config_file_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("missing.cfg");
    let cfg_s = cfg.to_string_lossy().into_owned();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = send_nsca_main(
        argv(&["-H", "127.0.0.1", "-c", &cfg_s]),
        &mut &b""[..],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 2);
    assert_eq!(
        String::from_utf8_lossy(&out),
        format!(
            "Could not open config file '{cfg_s}' for reading.\nError: Config file '{cfg_s}' contained errors...\n"
        )
    );
}

#[test]
fn it_reports_an_invalid_method_in_the_config_file_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("send.cfg");
    std::fs::write(&cfg, "encryption_method=13\n").expect("write");
    let cfg_s = cfg.to_string_lossy().into_owned();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = send_nsca_main(
        argv(&["-H", "127.0.0.1", "-c", &cfg_s]),
        &mut &b""[..],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 2);
    assert_eq!(
        String::from_utf8_lossy(&out),
        format!(
            "Invalid encryption method (13) in config file '{cfg_s}' - Line 1\nError: Config file '{cfg_s}' contained errors...\n"
        )
    );
}
