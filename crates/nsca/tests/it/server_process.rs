//! `reelcheck nsca serve` as a process: command line, privilege drop, pid file,
//! signals, log lines on standard error.
//!
//! Privileges can only be dropped for a whole process, so the server runs in a child:
//! this test binary re-executed with only [`serve_child_process_entry`] selected.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::{Command, Stdio};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use reelcheck_nsca::server::log::LogTarget;
use reelcheck_nsca::server::{EXIT_USAGE, ServeCommand, ServeOptions, parse_args, serve};
use rstest::rstest;

use crate::support::server::*;

const CHILD_ENV: &str = "REELCHECK_NSCA_SERVE_CHILD_DIR";

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

#[test]
fn it_parses_the_nsca_command_line() {
    let cmd = parse_args(&args(&[
        "-f",
        "-c",
        "/etc/nsca.cfg",
        "--authz",
        "/etc/nsca.authz",
        "--single",
    ]))
    .expect("parse");
    let ServeCommand::Serve(o) = cmd else {
        panic!("not serve")
    };
    assert_eq!(o.config, std::path::PathBuf::from("/etc/nsca.cfg"));
    assert_eq!(o.authz, Some("/etc/nsca.authz".into()));
    assert!(!o.inetd);
    let ServeCommand::Serve(o) = parse_args(&args(&["--inetd", "-c", "rel.cfg"])).expect("parse")
    else {
        panic!("not serve")
    };
    assert!(o.inetd);
    assert_eq!(
        o.config,
        std::env::current_dir().expect("cwd").join("rel.cfg"),
        "made absolute as nsca does"
    );
}

#[rstest]
#[case::case_serve_cli_help(&["-h"])]
#[case::case_serve_cli_version(&["-V"])]
#[case::case_serve_cli_license(&["-l"])]
#[case::case_serve_cli_no_args(&[])]
fn case_serve_cli_prints_and_exits_3(#[case] list: &[&str]) {
    assert!(matches!(
        parse_args(&args(list)),
        Ok(ServeCommand::Print(_))
    ));
}

#[rstest]
#[case::case_serve_cli_unknown(&["-c", "x", "--bogus"])]
#[case::case_serve_cli_missing_value(&["-c"])]
#[case::case_serve_cli_no_config(&["-f"])]
fn case_serve_cli_usage_errors_exit_3(#[case] list: &[&str]) {
    let err = parse_args(&args(list)).expect_err("usage error");
    assert_eq!(err.exit_code(), EXIT_USAGE);
}

#[test]
fn it_exits_2_on_a_config_error() {
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("nsca.cfg");
    std::fs::write(&cfg, "allowed_hosts=127.0.0.1\n").expect("cfg");
    let mut options = ServeOptions::new(cfg);
    options.log = LogTarget::Silent;
    assert_eq!(serve(options), 2);
}

/// Entry point of the child process of the test below; does nothing in a normal run.
#[test]
fn serve_child_process_entry() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let mut options = ServeOptions::new(dir.join("nsca.cfg"));
    options.spool = Some(dir.join("spool"));
    options.log = LogTarget::Stderr;
    options.listen = Some(vec!["127.0.0.1:0".parse().expect("addr")]);
    std::process::exit(serve(options));
}

#[test]
fn it_drops_privileges_writes_its_pid_file_and_stops_cleanly_on_sigterm() {
    if !nix::unistd::getuid().is_root() {
        // Only root can drop privileges; as another user the server keeps its own
        // (as nsca does), which the rest of this test still checks. CI runs as root:
        // there, not being root would silently skip the drop's asserts.
        assert!(
            std::env::var_os("CI").is_none_or(|v| v != "true"),
            "CI=true but not root: the privilege drop must be exercised in CI"
        );
        eprintln!("not root: the privilege drop itself is not exercised");
    }
    let dir = tempfile::tempdir().expect("dir");
    // The server runs as nobody after the drop: it must be able to write here.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let setup = {
        let mut s = Setup::new(14);
        s.extra = format!(
            "nsca_user=nobody\nnsca_group=nogroup\npid_file={}\n",
            dir.path().join("nsca.pid").display()
        );
        s
    };
    write_config(dir.path(), &setup);
    let cmd = dir.path().join("nagios.cmd");
    std::fs::set_permissions(&cmd, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "server_process::serve_child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut log = Vec::new();
    let mut port = None;
    // Bounded by the child's output: it logs the port once it listens (debug=1).
    for _ in 0..100 {
        let mut line = String::new();
        if stderr.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(p) = line
            .trim_end()
            .strip_prefix("nsca: Listening for connections on port ")
        {
            port = Some(p.parse::<u16>().expect("port"));
        }
        log.push(line);
        if port.is_some() {
            break;
        }
    }
    let Some(port) = port else {
        let _ = kill(pid, Signal::SIGKILL);
        let _ = child.wait();
        panic!("the child never listened: {log:?}");
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    runtime.block_on(send_all(
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        14,
        "secretpw",
        &[svc("app01", "API", 0, "served by nobody")],
    ));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let uid_line = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .expect("Uid line")
        .to_owned();
    let pid_meta = std::fs::metadata(dir.path().join("nsca.pid")).expect("pid file");
    kill(pid, Signal::SIGTERM).expect("SIGTERM");
    let exit = child.wait().expect("reap child");
    for line in stderr.lines() {
        log.push(line.expect("read"));
    }
    assert_eq!(exit.code(), Some(0), "{log:?}");
    if nix::unistd::getuid().is_root() {
        assert_eq!(
            uid_line.split_whitespace().skip(1).collect::<Vec<_>>(),
            ["65534"; 4],
            "{uid_line}"
        );
        assert_eq!(
            (pid_meta.uid(), pid_meta.gid()),
            (65534, 65534),
            "pid file handed to nobody:nogroup"
        );
    }
    assert!(
        !dir.path().join("nsca.pid").exists(),
        "pid file removed at shutdown"
    );
    assert_eq!(
        read_lines(&cmd),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;app01;API;0;served by nobody"]
    );
    let text = log.join("\n");
    assert!(text.contains("nsca: Starting up daemon"), "{text}");
    assert!(
        text.contains("nsca: Caught SIGTERM - shutting down..."),
        "{text}"
    );
    assert!(text.contains("nsca: Daemon shutdown"), "{text}");
}

#[test]
fn it_describes_recordings_without_addresses() {
    let rec = reelcheck_nsca::fake::Recording {
        index: 2,
        peer: "127.0.0.1:4000".parse().expect("addr"),
        init_sent: vec![0; 132],
        iv: vec![0; 128],
        timestamp: 0,
        received: vec![0; 8700],
        end: reelcheck_nsca::fake::RecordingEnd::ServerReset,
    };
    assert_eq!(
        rec.to_string(),
        "connection 2: init 132 bytes, received 8700 bytes (2 x 4304 + 92), server reset"
    );
}
