//! nsca.cfg (§3.6) and send_nsca.cfg (§4.4) parsing, as 2.10 parses them.

use reelcheck_nsca::config::{LogFacility, NscaConfig, ParseEnv, SendNscaConfig};
use reelcheck_nsca::error::ConfigError;
use rstest::rstest;
use std::path::{Path, PathBuf};

fn parse_nsca(text: &str, root: bool) -> Result<NscaConfig, ConfigError> {
    let env = ParseEnv {
        euid_is_root: root,
        dir_writable: &|p: &Path| p != Path::new("/ro"),
    };
    NscaConfig::parse(Path::new("nsca.cfg"), text.as_bytes(), &env)
}

#[test]
fn it_reads_the_keys_an_admin_relies_on() {
    let cfg = parse_nsca(
        "# comment\n\nserver_port=15667\nserver_address=127.0.0.1\ncommand_file=/tmp/cmd\n\
         alternate_dump_file=/tmp/dump\naggregate_writes=1\nappend_to_file=1\npassword=secret pw \r\n\
         decryption_method=14\ndebug=1\nmax_packet_age=0\nnsca_user=nagios\nnsca_group=nogroup\n\
         pid_file=/run/nsca.pid\nlog_facility=local3\ncheck_result_path=/tmp\nstrict_mode_spoofing=1\n",
        false,
    )
    .expect("valid");
    assert_eq!(cfg.server_port, 15667);
    assert_eq!(cfg.server_address, "127.0.0.1");
    assert_eq!(cfg.command_file, PathBuf::from("/tmp/cmd"));
    assert_eq!(cfg.alternate_dump_file, PathBuf::from("/tmp/dump"));
    assert!(cfg.aggregate_writes && cfg.append_to_file && cfg.debug && cfg.strict_mode_spoofing);
    assert_eq!(
        cfg.password,
        b"secret pw \r".to_vec(),
        "password is not trimmed"
    );
    assert_eq!(cfg.decryption_method, 14);
    assert_eq!(cfg.max_packet_age, 0);
    assert_eq!(cfg.nsca_user.as_deref(), Some("nagios"));
    assert_eq!(cfg.pid_file, Some(PathBuf::from("/run/nsca.pid")));
    assert_eq!(cfg.log_facility, LogFacility::Local(3));
    assert_eq!(cfg.check_result_path, Some(PathBuf::from("/tmp")));
}

#[test]
fn it_uses_2_10_defaults() {
    let cfg = parse_nsca("", false).expect("empty is valid");
    assert_eq!(cfg.server_port, 5667);
    assert_eq!(cfg.decryption_method, 1);
    assert_eq!(cfg.max_packet_age, 30);
    assert_eq!(cfg.alternate_dump_file, PathBuf::from("/dev/null"));
    assert_eq!(cfg.log_facility, LogFacility::Daemon);
}

#[rstest]
#[case::case_unknown_option(
    "allowed_hosts=127.0.0.1\n",
    "Unknown option specified in config file 'nsca.cfg' - Line 1"
)]
#[case::case_empty_value(
    "debug=1\npassword=\n",
    "No variable value specified in config file 'nsca.cfg' - Line 2"
)]
#[case::case_no_equals(
    "password\n",
    "No variable value specified in config file 'nsca.cfg' - Line 1"
)]
#[case::case_only_equals("=", "No variable name specified in config file 'nsca.cfg' - Line 1")]
#[case::case_rc6_rejected(
    "decryption_method=13\n",
    "Invalid decryption method (13) in config file 'nsca.cfg' - Line 1"
)]
#[case::case_method_27_rejected(
    "decryption_method=27\n",
    "Invalid decryption method (27) in config file 'nsca.cfg' - Line 1"
)]
#[case::case_low_port_needs_root(
    "server_port=80\n",
    "Invalid port number specified in config file 'nsca.cfg' - Line 1"
)]
#[case::case_packet_age_over_900(
    "max_packet_age=901\n",
    "Max packet age cannot be greater than 15 minutes (900 seconds)."
)]
#[case::case_negative_packet_age(
    "max_packet_age=-1\n",
    "Max packet age cannot be greater than 15 minutes (900 seconds)."
)]
#[case::case_check_result_path_read_only(
    "check_result_path=/ro\n",
    "check_result_path config variable found, but directory not writeable."
)]
#[case::case_exact_match_keys_do_not_match_substrings(
    "my_server_port=5667\n",
    "Unknown option specified in config file 'nsca.cfg' - Line 1"
)]
fn it_rejects_what_2_10_rejects(#[case] text: &str, #[case] message: &str) {
    let err = parse_nsca(text, false).expect_err("fatal");
    assert_eq!(err.to_string(), message);
}

#[rstest]
#[case::case_substring_command_file("nagios_command_file=/x\n")]
#[case::case_substring_password("my_password=/x\n")]
#[case::case_leading_equals_are_skipped("==debug=1\n")]
#[case::case_method_7_accepted_by_parser("decryption_method=7\n")]
#[case::case_low_port_as_root("server_port=80\n")]
fn it_accepts_what_2_10_accepts(#[case] text: &str) {
    parse_nsca(text, true).expect("valid");
}

#[test]
fn it_warns_and_falls_back_to_daemon_for_an_invalid_log_facility() {
    let cfg = parse_nsca("log_facility=lpr\n", false).expect("not fatal");
    assert_eq!(cfg.log_facility, LogFacility::Daemon);
    assert_eq!(
        cfg.warnings[0].to_string(),
        "Invalid log_facility specified in config file 'nsca.cfg' - Line 1"
    );
    assert_eq!(
        parse_nsca("log_facility=lrp\n", false)
            .expect("valid")
            .log_facility,
        LogFacility::Lpr
    );
}

#[test]
fn it_counts_a_line_longer_than_fgets_reads_as_two_lines() {
    let long = format!("password={}\nbogus=1\n", "p".repeat(6000));
    let err = parse_nsca(&long, false).expect_err("second chunk has no '='");
    assert_eq!(
        err.to_string(),
        "No variable value specified in config file 'nsca.cfg' - Line 2"
    );
}

#[test]
fn it_reports_a_missing_file_with_its_path() {
    let err = NscaConfig::load(Path::new("/nonexistent/nsca.cfg")).expect_err("missing");
    assert_eq!(
        err.to_string(),
        "Could not open config file '/nonexistent/nsca.cfg' for reading"
    );
}

#[rstest]
#[case::case_defaults("", b"" as &[u8], 1, None)]
#[case::case_password_untrimmed("password=secretpw \n", b"secretpw " as &[u8], 1, None)]
#[case::case_method_and_legacy_yes("encryption_method=3\nlegacy_2_7_mode=yes\n", b"" as &[u8], 3, Some(true))]
#[case::case_legacy_false("legacy_2_7_mode=false\n", b"" as &[u8], 1, Some(false))]
#[case::case_legacy_neither("legacy_2_7_mode=maybe\n", b"" as &[u8], 1, None)]
#[case::case_crlf_password("password=pw\r\n", b"pw\r" as &[u8], 1, None)]
fn it_parses_send_nsca_cfg(
    #[case] text: &str,
    #[case] password: &[u8],
    #[case] method: i32,
    #[case] legacy: Option<bool>,
) {
    let cfg = SendNscaConfig::parse(Path::new("send_nsca.cfg"), text.as_bytes()).expect("valid");
    assert_eq!(cfg.password, password);
    assert_eq!(cfg.encryption_method, method);
    assert_eq!(cfg.legacy_2_7_mode, legacy);
}

#[rstest]
#[case::case_send_rc6(
    "encryption_method=13\n",
    "Invalid encryption method (13) in config file 'send_nsca.cfg' - Line 1"
)]
#[case::case_send_unknown(
    "server=1\n",
    "Unknown option specified in config file 'send_nsca.cfg' - Line 1"
)]
fn it_rejects_bad_send_nsca_cfg(#[case] text: &str, #[case] message: &str) {
    let err =
        SendNscaConfig::parse(Path::new("send_nsca.cfg"), text.as_bytes()).expect_err("fatal");
    assert_eq!(err.to_string(), message);
}

/// Whether the real nsca 2.10.2 accepts `text` as its config file: with a bad file
/// it exits 2 (STATE_CRITICAL) before serving; with a good one, in `--inetd` mode on
/// /dev/null, it serves the empty connection and exits 0.
fn real_nsca_accepts(text: &str) -> bool {
    use crate::support::interop::{NSCA, require};
    let nsca = require(NSCA);
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("nsca.cfg");
    std::fs::write(&cfg, text).expect("write cfg");
    let status = std::process::Command::new("timeout")
        .arg("30")
        .arg(nsca)
        .arg("-c")
        .arg(&cfg)
        .arg("--inetd")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run nsca");
    match status.code() {
        Some(0) => true,
        Some(2) => false,
        other => panic!("nsca exited with {other:?} on {text:?}"),
    }
}

/// The same files, accepted or refused by ours and by the real nsca alike (the euid
/// is the test's own, for both).
#[rstest]
#[case::case_keys_an_admin_relies_on(
    "server_port=15667\ncommand_file=/tmp/cmd\npassword=pw\ndecryption_method=14\nmax_packet_age=0\n"
)]
#[case::case_empty("")]
#[case::case_unknown_option("allowed_hosts=127.0.0.1\n")]
#[case::case_empty_value("debug=1\npassword=\n")]
#[case::case_no_equals("password\n")]
#[case::case_only_equals("=")]
#[case::case_rc6("decryption_method=13\n")]
#[case::case_method_27("decryption_method=27\n")]
#[case::case_method_7("decryption_method=7\n")]
#[case::case_low_port("server_port=80\n")]
#[case::case_packet_age_over_900("max_packet_age=901\n")]
#[case::case_negative_packet_age("max_packet_age=-1\n")]
#[case::case_check_result_path_missing("check_result_path=/no/such/dir\n")]
#[case::case_exact_match_keys("my_server_port=5667\n")]
#[case::case_substring_password("my_password=/x\n")]
#[case::case_leading_equals("==debug=1\n")]
fn it_accepts_and_refuses_the_files_the_real_nsca_does(#[case] text: &str) {
    let root = nix::unistd::geteuid().is_root();
    let env = ParseEnv {
        euid_is_root: root,
        dir_writable: &|p: &Path| p.is_dir(),
    };
    let ours = NscaConfig::parse(Path::new("nsca.cfg"), text.as_bytes(), &env).is_ok();
    assert_eq!(
        ours,
        real_nsca_accepts(text),
        "ours vs nsca 2.10.2 on {text:?}"
    );
}
