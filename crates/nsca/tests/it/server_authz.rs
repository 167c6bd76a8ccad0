//! Granular authorization (`--authz FILE`): rules, trial decryption, denied results.

use std::path::Path;

use reelcheck_nsca::authz::{Action, Authz, AuthzErrorKind, Credential, Query};
use reelcheck_nsca::server::events::{RejectReason, ServerEvent};
use rstest::rstest;

use crate::support::server::*;

const RULES: &str = r#"# who may send what
allow from=127.0.0.0/8,::1 method=14 password=alpha host=web* service=*
allow from=127.0.0.1 method=1 password="beta pw" host=db01 service=""
deny  host=web99
allow method=2 password=gamma host=* service=HTTP
"#;

fn default_cred() -> Credential {
    Credential::new(1, b"secretpw".to_vec())
}

fn parse(text: &str) -> Authz {
    Authz::parse(Path::new("authz.rules"), text.as_bytes(), &default_cred()).expect("parse")
}

#[rstest]
#[case::case_authz_bad_action("permit host=x\n", 1, "unknown action 'permit'")]
#[case::case_authz_bad_cidr(
    "# c\nallow from=10.0.0.0/40\n",
    2,
    "bad address or network '10.0.0.0/40'"
)]
#[case::case_authz_bad_key("allow hots=web*\n", 1, "unknown key 'hots'")]
#[case::case_authz_bad_method("\n\nallow method=x\n", 3, "bad method 'x'")]
#[case::case_authz_unterminated_quote("allow password=\"abc\n", 1, "unterminated double quote")]
#[case::case_authz_bad_glob("allow host=[a-\n", 1, "bad glob '[a-'")]
#[case::case_authz_duplicate("allow host=a host=b\n", 1, "key 'host' given twice")]
#[case::case_authz_not_key_value("allow web01\n", 1, "field 'web01' is not key=value")]
fn case_authz_parse_errors_name_file_and_line(
    #[case] text: &str,
    #[case] line: usize,
    #[case] what: &str,
) {
    let err = Authz::parse(
        Path::new("/etc/nsca.authz"),
        text.as_bytes(),
        &default_cred(),
    )
    .expect_err("must fail");
    assert_eq!(err.line, line);
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("authz file '/etc/nsca.authz' line {line}: ")),
        "{msg}"
    );
    assert!(msg.contains(what), "{msg}");
}

#[test]
fn it_loads_missing_authz_file_as_an_error_with_the_path() {
    let err = Authz::load(Path::new("/nonexistent/authz"), &default_cred()).expect_err("missing");
    assert!(matches!(err.kind, AuthzErrorKind::Read(_)));
    assert!(
        err.to_string()
            .starts_with("authz file '/nonexistent/authz'")
    );
}

#[test]
fn it_decides_with_the_first_matching_rule_and_denies_by_default() {
    let authz = parse(RULES);
    let alpha = [Credential::new(14, b"alpha".to_vec())];
    let beta = [Credential::new(1, b"beta pw".to_vec())];
    let ask = |peer: &str, creds: &[Credential], host: &str, service: &str| {
        authz.decide(&Query {
            peer: Some(peer.parse().expect("ip")),
            credentials: creds,
            host: host.as_bytes(),
            service: service.as_bytes(),
        })
    };
    assert_eq!(ask("127.0.0.1", &alpha, "web01", "HTTP").line, Some(2));
    assert_eq!(
        ask("::ffff:127.0.0.9", &alpha, "web01", "").action,
        Action::Allow
    );
    assert_eq!(
        ask("::1", &alpha, "web99", "x").line,
        Some(2),
        "first match wins over the deny"
    );
    assert_eq!(
        ask("10.1.1.1", &alpha, "web01", "HTTP").action,
        Action::Deny
    );
    assert_eq!(ask("127.0.0.1", &beta, "db01", "").action, Action::Allow);
    assert_eq!(ask("127.0.0.1", &beta, "db01", "Disk").line, None);
    assert_eq!(
        ask("127.0.0.2", &beta, "db01", "").line,
        None,
        "rule 3 is for 127.0.0.1 only"
    );
    assert_eq!(ask("127.0.0.1", &beta, "web99", "x").line, Some(4));
    let gamma = [Credential::new(2, b"gamma".to_vec())];
    assert_eq!(
        ask("127.0.0.1", &gamma, "web99", "HTTP").line,
        Some(4),
        "credential-free deny applies to anyone"
    );
    assert_eq!(
        ask("127.0.0.1", &[], "web99", "HTTP").line,
        None,
        "no credential, no match"
    );
    assert_eq!(
        ask(
            "192.0.2.1",
            &[Credential::new(2, b"gamma".to_vec())],
            "any",
            "HTTP"
        )
        .line,
        Some(5)
    );
}

#[test]
fn it_lists_candidate_credentials_for_the_client_in_file_order() {
    let authz = parse(RULES);
    let local = authz.candidates(Some("127.0.0.1".parse().expect("ip")), &default_cred());
    assert_eq!(
        local,
        [
            default_cred(),
            Credential::new(14, b"alpha".to_vec()),
            Credential::new(1, b"beta pw".to_vec()),
            Credential::new(2, b"gamma".to_vec()),
        ]
    );
    let remote = authz.candidates(Some("10.0.0.1".parse().expect("ip")), &default_cred());
    assert_eq!(
        remote,
        [default_cred(), Credential::new(2, b"gamma".to_vec())]
    );
}

#[test]
fn it_decodes_quoted_values_with_escapes() {
    let authz = parse("allow password=\"a \\\"b\\\" \\x00\\xff\" host=\"web 1\"\n");
    let rule = &authz.rules()[0];
    assert_eq!(
        rule.credential,
        reelcheck_nsca::authz::CredentialMatch::Exactly(Credential::new(
            1,
            b"a \"b\" \x00\xff".to_vec()
        ))
    );
    assert!(rule.host.matches(b"web 1"));
}

fn authz_setup() -> Setup {
    let mut setup = Setup::new(1);
    setup.authz = Some(RULES.to_owned());
    setup.listen = vec!["127.0.0.1:0".parse().expect("addr")];
    setup
}

#[tokio::test(start_paused = true)]
async fn it_identifies_the_password_by_trial_decryption_and_applies_the_rules() {
    let mut s = start(authz_setup()).await;
    // alpha / AES: web* allowed, others denied (default).
    send_all(
        s.addr,
        14,
        "alpha",
        &[svc("web01", "HTTP", 0, "ok"), svc("mail", "SMTP", 0, "no")],
    )
    .await;
    // "beta pw" / XOR: only host checks of db01.
    send_all(
        s.addr,
        1,
        "beta pw",
        &[host("db01", 0, "up"), svc("db01", "Disk", 2, "no")],
    )
    .await;
    // gamma / DES: service HTTP of any host.
    send_all(s.addr, 2, "gamma", &[svc("edge", "HTTP", 1, "warn")]).await;
    s.wait_closed(3).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;ok",
            "[T] PROCESS_HOST_CHECK_RESULT;db01;0;up",
            "[T] PROCESS_SERVICE_CHECK_RESULT;edge;HTTP;1;warn",
        ]
    );
    let denied: Vec<String> = s
        .events
        .seen
        .iter()
        .filter(|e| matches!(e, ServerEvent::ResultDenied { .. }))
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        denied,
        [
            "result denied host=mail service=SMTP deny (no rule matched)",
            "result denied host=db01 service=Disk deny (no rule matched)",
        ]
    );
    assert!(s.log_text().iter().any(|l| l.starts_with(
        "Authorization - dropped check for host 'mail' service 'SMTP' from 127.0.0.1 port "
    )));
}

#[tokio::test(start_paused = true)]
async fn it_denies_the_nsca_cfg_password_when_no_rule_allows_it() {
    let mut s = start(authz_setup()).await;
    send_all(
        s.addr,
        1,
        "secretpw",
        &[svc("web01", "HTTP", 0, "cfg password")],
    )
    .await;
    let e = s
        .wait_for("denied", |e| matches!(e, ServerEvent::ResultDenied { .. }))
        .await;
    assert_eq!(
        e.to_string(),
        "result denied host=web01 service=HTTP deny (no rule matched)"
    );
    s.stop().await;
    assert!(s.lines().is_empty());
}

#[tokio::test(start_paused = true)]
async fn it_rejects_a_connection_that_no_known_credential_decrypts() {
    let mut s = start(authz_setup()).await;
    send_all(
        s.addr,
        14,
        "unknown",
        &[svc("web01", "HTTP", 0, "x"), svc("web01", "HTTP", 0, "y")],
    )
    .await;
    let e = s
        .wait_for("reject", |e| {
            matches!(e, ServerEvent::PacketRejected { .. })
        })
        .await;
    assert!(matches!(
        e,
        ServerEvent::PacketRejected {
            reason: RejectReason::NoCredential,
            ..
        }
    ));
    s.stop().await;
    assert!(s.lines().is_empty());
}

#[tokio::test(start_paused = true)]
async fn it_applies_address_ranges_to_ipv6_clients() {
    let bound = std::net::TcpListener::bind("[::1]:0");
    assert!(
        bound.is_ok(),
        "IPv6 loopback ::1 is missing on this machine: {bound:?}"
    );
    let mut setup = authz_setup();
    setup.listen = vec!["[::1]:0".parse().expect("addr")];
    let mut s = start(setup).await;
    // alpha covers ::1; "beta pw" is for 127.0.0.1 only, so it is not even a candidate.
    send_all(s.addr, 14, "alpha", &[svc("web02", "HTTP", 0, "v6 ok")]).await;
    send_all(s.addr, 1, "beta pw", &[host("db01", 0, "v6 no")]).await;
    s.wait_closed(2).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;web02;HTTP;0;v6 ok"]
    );
}

#[tokio::test(start_paused = true)]
async fn it_identifies_the_credential_of_a_legacy_packet() {
    let mut s = start(authz_setup()).await;
    let mut c = Client::connect(
        s.addr,
        2,
        "gamma",
        reelcheck_nsca::codec::PacketSize::Legacy,
    )
    .await;
    c.send(&svc("old", "HTTP", 0, "2.7 client")).await;
    c.finish().await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;old;HTTP;0;2.7 client"]
    );
}

#[test]
fn it_refuses_to_start_with_an_authz_method_that_cannot_be_used() {
    let dir = tempfile::tempdir().expect("dir");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut setup = Setup::new(1);
    setup.authz = Some("allow\nallow method=5 password=x\n".to_owned());
    let options = options(dir.path(), &setup, &log);
    let err = reelcheck_nsca::server::Server::new(options, None).expect_err("must fail");
    let msg = err.to_string();
    assert!(msg.contains("line 2") && msg.contains("cast-256"), "{msg}");
    assert_eq!(err.exit_code(), 2);
}

#[tokio::test(start_paused = true)]
async fn it_drops_spoofed_host_names_in_strict_mode_and_keeps_the_connection() {
    // strict_mode_spoofing=1: the claimed host must resolve to the client's address.
    // Numeric host names keep the test off DNS.
    let mut setup = Setup::new(1);
    setup.extra = "strict_mode_spoofing=1\n".to_owned();
    let mut s = start(setup).await;
    send_all(
        s.addr,
        1,
        "secretpw",
        &[
            svc("10.9.9.9", "s", 0, "spoofed"),
            svc("127.0.0.1", "s", 0, "genuine"),
        ],
    )
    .await;
    let e = s
        .wait_for("dropped", |e| {
            matches!(e, ServerEvent::StrictModeDropped { .. })
        })
        .await;
    assert_eq!(e.to_string(), "result dropped by strict mode host=10.9.9.9");
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;127.0.0.1;s;0;genuine"]
    );
    assert!(s.log_text().iter().any(|l| {
        l.starts_with("Strict mode - dropped check for 10.9.9.9 due to non-matching host name.")
    }));
}
