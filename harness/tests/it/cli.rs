//! The `reelcheck` binary end to end: exit codes, the table, reports.

use std::path::Path;
use std::process::{Command, Output};

fn reelcheck(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reelcheck"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("reelcheck runs")
}

const SCENARIO: &str = r#"name = "cli-tiny"
about = "A tiny chain for CLI tests"
kind = "xfer"
seed = 5

[xfer]
chain = "pattern:1KiB -> null"

[expect]
result = "done"
bytes = 1024
"#;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios/xfer")).unwrap();
    std::fs::write(dir.path().join("scenarios/xfer/cli-tiny.toml"), SCENARIO).unwrap();
    dir
}

#[test]
fn it_run_exits_one_without_golden_then_zero_once_the_golden_trace_exists() {
    let dir = setup();
    let out = reelcheck(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("xfer/cli-tiny")
            && stdout.contains("FAIL")
            && stdout.contains("0 passed, 1 failed"),
        "{stdout}"
    );
    let replay = reelcheck(
        dir.path(),
        &["replay", "scenarios/xfer/cli-tiny.toml", "--trace"],
    );
    let text = String::from_utf8_lossy(&replay.stdout);
    let trace: String = text
        .lines()
        .filter(|l| l.starts_with('+'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(trace.contains("DONE"), "{text}");
    std::fs::create_dir_all(dir.path().join("golden/xfer")).unwrap();
    std::fs::write(
        dir.path().join("golden/xfer/cli-tiny.snap"),
        format!("---\nsource: cli\n---\n{trace}"),
    )
    .unwrap();
    let out = reelcheck(
        dir.path(),
        &["run", "--report", "r.json", "--report", "r.xml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(dir.path().join("r.json").is_file() && dir.path().join("r.xml").is_file());
}

#[test]
fn it_reports_bad_scenarios_with_file_and_line_and_exits_one() {
    let dir = setup();
    std::fs::write(
        dir.path().join("scenarios/xfer/cli-tiny.toml"),
        SCENARIO.replace("seed = 5", "seed = 5\nsede = 1"),
    )
    .unwrap();
    let out = reelcheck(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("scenarios/xfer/cli-tiny.toml:5:1: unknown field `sede`"),
        "{stdout}"
    );
}

#[test]
fn it_rejects_bad_arguments_with_exit_two() {
    let dir = setup();
    for args in [
        &["run", "--shard", "0/3"][..],
        &["run", "--report", "r.txt"],
        &["run", "no-such-dir"],
        &["frobnicate"],
    ] {
        let out = reelcheck(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
}

#[test]
fn it_has_help_on_every_command() {
    let dir = setup();
    for args in [&["--help"][..], &["run", "--help"], &["replay", "--help"]] {
        let out = reelcheck(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn it_xfer_run_links_runs_and_reports_a_chain() {
    let dir = setup();
    let out = reelcheck(
        dir.path(),
        &["xfer", "run", "pattern:100KiB -> xor:0x5a -> null"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Final linkage: pattern -(PULL_BUFFER_STATIC)-> xor"),
        "{stdout}"
    );
    assert!(stdout.contains("done: 102400 bytes"), "{stdout}");
    let bad = reelcheck(
        dir.path(),
        &["xfer", "run", "pattern:1KiB -> bogus -> null"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("element 1 `bogus`"),
        "{bad:?}"
    );
}

#[test]
fn it_xfer_run_filters_stdin_to_stdout() {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelcheck"))
        .args(["xfer", "run", "- -> process:tr a-z A-Z -> -"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello, tape\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(out.stdout, b"HELLO, TAPE\n");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Final linkage"),
        "figures go to stderr"
    );
}

#[test]
fn it_nsca_send_is_the_send_nsca_program_under_another_name() {
    let dir = setup();
    let ours = reelcheck(dir.path(), &["nsca", "send", "-h"]);
    let named = Command::new(env!("CARGO_BIN_EXE_send_nsca"))
        .arg("-h")
        .output()
        .unwrap();
    // send_nsca 2.10 prints its help and exits 3.
    assert_eq!(ours.status.code(), Some(3), "{ours:?}");
    assert_eq!(named.status.code(), Some(3));
    // Usage names the program as invoked (argv[0]), like send_nsca does.
    let named_text = String::from_utf8_lossy(&named.stdout)
        .replace(env!("CARGO_BIN_EXE_send_nsca"), "send_nsca");
    assert_eq!(String::from_utf8_lossy(&ours.stdout), named_text);
    assert!(
        String::from_utf8_lossy(&ours.stdout).contains("-to"),
        "help lists send_nsca's flags"
    );
}

#[rstest::rstest]
#[case::given_as_a_fault_option(&["--fault", "short-init:50"])]
#[case::given_as_a_plan_file(&["--plan", "plan.toml"])]
fn it_send_nsca_reports_a_fake_server_that_closes_before_the_init_packet(#[case] fault: &[&str]) {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::process::Stdio;
    let dir = setup();
    std::fs::write(
        dir.path().join("plan.toml"),
        "seed = 7\n\n[[nsca]]\nfault = \"short-init\"\nbytes = 50\n",
    )
    .unwrap();
    let mut fake = Command::new(env!("CARGO_BIN_EXE_reelcheck"))
        .current_dir(dir.path())
        .args(["nsca", "fake-server", "--listen", "127.0.0.1:0"])
        .args(fault)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(fake.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr: std::net::SocketAddr = first
        .trim()
        .strip_prefix("listening on ")
        .expect(&first)
        .parse()
        .unwrap();
    let cfg = dir.path().join("send.cfg");
    std::fs::write(&cfg, "password=secretpw\nencryption_method=1\n").unwrap();
    let mut send = Command::new(env!("CARGO_BIN_EXE_send_nsca"))
        .args([
            "-H",
            "127.0.0.1",
            "-p",
            &addr.port().to_string(),
            "-c",
            cfg.to_str().unwrap(),
            "-to",
            "30",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // send_nsca may read the short init packet, fail and exit before it reads its
    // input: then this write meets a closed pipe, which is not the test's concern.
    let written = send
        .stdin
        .take()
        .unwrap()
        .write_all(b"web01\tHTTP\t0\tOK\n");
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = send.wait_with_output().unwrap();
    fake.kill().unwrap();
    fake.wait().unwrap();
    // Reference §4.3: partial init then close => these two messages, exit 2.
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Error: Server closed connection before init packet was received"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Error: Could not read init packet from server"),
        "{stderr}"
    );
}

#[test]
fn it_fake_server_refuses_a_plan_with_faults_for_another_component() {
    let dir = setup();
    std::fs::write(
        dir.path().join("plan.toml"),
        "[[tape]]\nkind = \"offline\"\nfile = 1\nblock = 0\n",
    )
    .unwrap();
    let out = reelcheck(
        dir.path(),
        &[
            "nsca",
            "fake-server",
            "--listen",
            "127.0.0.1:0",
            "--plan",
            "plan.toml",
        ],
    );
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("plan.toml: a fake NSCA server takes only [[nsca]] faults, not [[tape]]"),
        "{stderr}"
    );
}

/// `reelcheck fuzz tape ARGS --quiet --jobs 1` in a fresh directory, with `env` set.
fn fuzz_tape(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reelcheck"));
    cmd.current_dir(dir.path())
        .env_remove("REELCHECK_SEED")
        .args(["fuzz", "tape", "--quiet", "--jobs", "1"])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("reelcheck runs")
}

#[rstest::rstest]
#[case::explicit_seed_wins_over_the_variable(&["--seed", "99", "--cases", "2"], &[("REELCHECK_SEED", "0x10")], "2 cases of seeds 0x63 to 0x64,")]
#[case::variable_replaces_the_default_seed(&["--cases", "2"], &[("REELCHECK_SEED", "0x10")], "2 cases of seeds 0x10 to 0x11,")]
#[case::default_seed_is_one(&["--cases", "1"], &[], "1 cases of seeds 0x1 to 0x1,")]
#[case::the_last_seed_wraps_to_zero(&["--seed", "0xffffffffffffffff", "--cases", "3"], &[], "3 cases of seeds 0xffffffffffffffff to 0x1,")]
#[case::a_range(&["--seeds", "10..13"], &[], "3 cases of seeds 0xa to 0xc,")]
fn it_fuzz_runs_exactly_the_seeds_asked_for(
    #[case] args: &[&str],
    #[case] env: &[(&str, &str)],
    #[case] summary: &str,
) {
    let out = fuzz_tape(args, env);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text.contains(&format!("fuzz tape: {summary}")), "{text}");
}

#[rstest::rstest]
#[case::reversed_range(&["--seeds", "10..5"], "holds no seed")]
#[case::empty_range(&["--seeds", "5..5"], "holds no seed")]
#[case::range_and_seed(&["--seeds", "1..5", "--seed", "3"], "cannot be used with")]
#[case::range_and_cases(&["--seeds", "1..5", "--cases", "3"], "cannot be used with")]
#[case::zero_cases(&["--cases", "0"], "0 is not in 1..")]
fn it_fuzz_refuses_seed_arguments_that_contradict_or_run_nothing(
    #[case] args: &[&str],
    #[case] message: &str,
) {
    let out = fuzz_tape(args, &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(message), "{err}");
}

#[test]
fn it_run_of_a_directory_without_scenarios_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let out = reelcheck(dir.path(), &["run", "empty"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no scenario file (*.toml) under empty"),
        "{err}"
    );
}

#[test]
fn it_merges_the_reports_of_two_shards_into_one_summary() {
    let dir = tempfile::tempdir().unwrap();
    for k in ["1", "2"] {
        let report = format!("shard-{k}.jsonl");
        let shard = format!("{k}/2");
        let out = reelcheck(
            dir.path(),
            &[
                "fuzz", "tape", "--seeds", "1..5", "--shard", &shard, "--quiet", "--report",
                &report,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let out = reelcheck(
        dir.path(),
        &["report", "merge", "shard-1.jsonl", "shard-2.jsonl"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("merged 2 reports (tape): 4 cases,"),
        "{text}"
    );
    assert!(text.contains(" 0 distinct failures"), "{text}");
    let out = reelcheck(dir.path(), &["report", "merge", "missing.jsonl"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
