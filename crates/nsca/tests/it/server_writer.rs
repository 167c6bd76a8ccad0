//! The command-file writer: nsca 2.10's opening rules, and never losing a result
//! where 2.10 does (missing command file, FIFO without reader, full disk).

use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

use nix::sys::stat::Mode;
use reelcheck_nsca::server::events::{ServerEvent, Sink};

use crate::support::server::*;

fn three() -> Vec<reelcheck_nsca::codec::CheckResult> {
    vec![
        svc("h", "s1", 0, "one"),
        svc("h", "s2", 1, "two"),
        host("h", 0, "up"),
    ]
}

const THREE: [&str; 3] = [
    "[T] PROCESS_SERVICE_CHECK_RESULT;h;s1;0;one",
    "[T] PROCESS_SERVICE_CHECK_RESULT;h;s2;1;two",
    "[T] PROCESS_HOST_CHECK_RESULT;h;0;up",
];

#[tokio::test(start_paused = true)]
async fn it_spools_while_the_command_file_is_missing_and_delivers_in_order_later() {
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let mut s = start(setup).await;
    send_all(s.addr, 1, "secretpw", &three()).await;
    s.wait_for("unavailable", |e| {
        matches!(e, ServerEvent::CommandFileUnavailable { .. })
    })
    .await;
    s.wait_for("spooled", |e| matches!(e, ServerEvent::Spooled { .. }))
        .await;
    assert_eq!(read_lines(&s.spool).len(), 3, "spool holds every result");
    // Nagios comes back: the command file appears.
    std::fs::write(&s.cmd, b"").expect("create");
    s.wait_for("drained", |e| {
        matches!(e, ServerEvent::SpoolDrained { count: 3 })
    })
    .await;
    // New results go after the spooled ones.
    send_all(s.addr, 1, "secretpw", &[svc("h", "s3", 2, "after")]).await;
    s.wait_for("written", |e| {
        matches!(
            e,
            ServerEvent::ResultsWritten {
                sink: Sink::CommandFile,
                ..
            }
        )
    })
    .await;
    s.stop().await;
    let mut expected: Vec<String> = THREE.iter().map(|s| s.to_string()).collect();
    expected.push("[T] PROCESS_SERVICE_CHECK_RESULT;h;s3;2;after".to_owned());
    assert_eq!(s.lines(), expected);
    assert_eq!(
        std::fs::read(&s.spool).expect("spool").len(),
        0,
        "spool emptied"
    );
    assert!(
        s.log_text()
            .iter()
            .any(|l| l.starts_with("Spooled 3 check result(s) to '"))
    );
}

#[tokio::test(start_paused = true)]
async fn it_writes_to_the_alternate_dump_file_when_the_command_file_is_missing() {
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let dir = tempfile::tempdir().expect("dir");
    let dump = dir.path().join("dump.txt");
    setup.extra = format!("alternate_dump_file={}\n", dump.display());
    let mut s = start(setup).await;
    send_all(s.addr, 1, "secretpw", &three()).await;
    s.wait_for("dump", |e| {
        matches!(
            e,
            ServerEvent::ResultsWritten {
                sink: Sink::AlternateDumpFile,
                ..
            }
        )
    })
    .await;
    s.wait_written(3).await;
    s.stop().await;
    assert_eq!(read_lines(&dump), THREE);
    assert!(!s.cmd.exists());
}

#[tokio::test(start_paused = true)]
async fn it_delivers_to_a_fifo_once_a_reader_opens_it() {
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let mut s = start(setup).await;
    nix::unistd::mkfifo(&s.cmd, Mode::from_bits_truncate(0o600)).expect("mkfifo");
    send_all(s.addr, 1, "secretpw", &three()).await;
    // No reader: 2.10 drops with ENXIO; we spool and retry.
    s.wait_for("spooled", |e| matches!(e, ServerEvent::Spooled { .. }))
        .await;
    let mut reader = OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(&s.cmd)
        .expect("open fifo reader");
    s.wait_for("drained", |e| {
        matches!(e, ServerEvent::SpoolDrained { count: 3 })
    })
    .await;
    let mut got = Vec::new();
    let _ = reader.read_to_end(&mut got);
    assert_eq!(mask(&got), THREE);
    s.stop().await;
}

#[tokio::test(start_paused = true)]
async fn it_keeps_order_when_a_slow_reader_lets_the_fifo_fill_up() {
    // 40 results of ~4 KiB = 160 KiB, more than a pipe holds (64 KiB).
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let mut s = start(setup).await;
    nix::unistd::mkfifo(&s.cmd, Mode::from_bits_truncate(0o600)).expect("mkfifo");
    let mut reader = OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(&s.cmd)
        .expect("open fifo reader");
    let results: Vec<_> = (0..40)
        .map(|i| svc("h", &format!("s{i}"), 0, &"x".repeat(4000)))
        .collect();
    send_all(s.addr, 1, "secretpw", &results).await;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    // Bounded: every writer event delivers at least one more line, and there are 40.
    for _ in 0..1000 {
        // Read whatever is in the pipe now.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        if got.iter().filter(|&&b| b == b'\n').count() == 40 {
            break;
        }
        // The writer retries on a full pipe; wait for its next delivery.
        s.wait_for("delivery", |e| {
            matches!(
                e,
                ServerEvent::ResultsWritten { .. }
                    | ServerEvent::SpoolDrained { .. }
                    | ServerEvent::Spooled { .. }
            )
        })
        .await;
    }
    let lines = mask(&got);
    assert_eq!(lines.len(), 40);
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.starts_with(&format!("[T] PROCESS_SERVICE_CHECK_RESULT;h;s{i};0;xxx")),
            "{i}: {line:.60}"
        );
    }
    s.stop().await;
}

#[tokio::test(start_paused = true)]
async fn it_spools_on_a_full_disk_and_delivers_after_reload() {
    // /dev/full fails every write with ENOSPC.
    let mut setup = Setup::new(1);
    setup.extra = "command_file=/dev/full\n".to_owned();
    let mut s = start(setup).await;
    send_all(s.addr, 1, "secretpw", &three()).await;
    let e = s
        .wait_for("unavailable", |e| {
            matches!(e, ServerEvent::CommandFileUnavailable { .. })
        })
        .await;
    assert!(e.to_string().contains("command file unavailable"));
    s.wait_for("spooled", |e| matches!(e, ServerEvent::Spooled { .. }))
        .await;
    assert!(
        s.log_text()
            .iter()
            .any(|l| l.contains("No space left on device"))
    );
    // The admin fixes the config and sends SIGHUP.
    let text = std::fs::read_to_string(&s.cfg)
        .expect("cfg")
        .replace("command_file=/dev/full\n", "");
    std::fs::write(&s.cfg, text).expect("cfg");
    s.handle.reload();
    s.wait_for("reloaded", |e| matches!(e, ServerEvent::Reloaded))
        .await;
    s.wait_for("drained", |e| {
        matches!(e, ServerEvent::SpoolDrained { count: 3 })
    })
    .await;
    s.stop().await;
    assert_eq!(s.lines(), THREE);
}

#[tokio::test(start_paused = true)]
async fn it_keeps_results_in_memory_when_the_spool_cannot_be_written_either() {
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let dir = tempfile::tempdir().expect("dir");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut options = options(dir.path(), &setup, &log);
    options.spool = Some(dir.path().join("no-such-dir").join("spool"));
    let (tx, events) = tokio::sync::mpsc::unbounded_channel();
    let mut events = Events::new(events);
    let server = reelcheck_nsca::server::Server::new(options, Some(tx)).expect("start");
    let addr = server.local_addrs()[0];
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    send_all(addr, 1, "secretpw", &three()).await;
    let cmd = dir.path().join("nagios.cmd");
    events
        .wait_for("spool failed", |e| {
            matches!(e, ServerEvent::SpoolFailed { .. })
        })
        .await;
    std::fs::write(&cmd, b"").expect("create");
    let mut written = 0;
    while written < 3 {
        let e = events
            .wait_for("results written", |e| {
                matches!(e, ServerEvent::ResultsWritten { .. })
            })
            .await;
        if let ServerEvent::ResultsWritten { count, .. } = e {
            written += count;
        }
    }
    handle.shutdown();
    joined(task, "server").await.expect("run");
    assert_eq!(read_lines(&cmd), THREE);
    assert!(
        log.lock()
            .expect("log")
            .iter()
            .any(|(_, m)| m.starts_with("Cannot write spool file"))
    );
}

#[tokio::test(start_paused = true)]
async fn it_delivers_results_spooled_by_an_earlier_run_at_start_up() {
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let mut s = start(setup.clone()).await;
    send_all(s.addr, 1, "secretpw", &three()).await;
    s.wait_for("spooled", |e| matches!(e, ServerEvent::Spooled { .. }))
        .await;
    // Shut down with the command file still missing: the results stay in the spool.
    s.stop().await;
    assert_eq!(read_lines(&s.spool), THREE);
    // Next run, with the command file present, starts by delivering the spool.
    std::fs::write(&s.cmd, b"").expect("create");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut options = ServeOptionsExt::from_running(&s, &log);
    options.listen = Some(vec!["127.0.0.1:0".parse().expect("addr")]);
    let (tx, events) = tokio::sync::mpsc::unbounded_channel();
    let mut events = Events::new(events);
    let server = reelcheck_nsca::server::Server::new(options, Some(tx)).expect("restart");
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    let drained = events
        .wait_for("spool drained", |e| {
            matches!(e, ServerEvent::SpoolDrained { .. })
        })
        .await;
    assert!(
        matches!(drained, ServerEvent::SpoolDrained { count: 3 }),
        "{drained}"
    );
    handle.shutdown();
    joined(task, "server").await.expect("run");
    assert_eq!(s.lines(), THREE);
}

/// Options that reuse a previous run's directory (config, spool).
struct ServeOptionsExt;

impl ServeOptionsExt {
    fn from_running(
        s: &Running,
        log: &std::sync::Arc<std::sync::Mutex<Vec<(reelcheck_nsca::server::log::Level, String)>>>,
    ) -> reelcheck_nsca::server::ServeOptions {
        let mut o = reelcheck_nsca::server::ServeOptions::new(s.cfg.clone());
        o.spool = Some(s.spool.clone());
        o.log = reelcheck_nsca::server::log::LogTarget::Memory(std::sync::Arc::clone(log));
        o
    }
}

#[tokio::test(start_paused = true)]
async fn it_writes_checkresult_files_like_nsca() {
    let mut setup = Setup::new(1);
    let dir = tempfile::tempdir().expect("dir");
    let crdir = dir.path().join("checkresults");
    std::fs::create_dir(&crdir).expect("mkdir");
    setup.extra = format!("check_result_path={}\n", crdir.display());
    let mut s = start(setup).await;
    send_all(
        s.addr,
        1,
        "secretpw",
        &[
            svc("h0", "svc", 0, "result number 0"),
            host("h1", 1, "a\nb"),
        ],
    )
    .await;
    s.wait_written(2).await;
    s.stop().await;
    let mut names: Vec<String> = std::fs::read_dir(&crdir)
        .expect("readdir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    let files: Vec<&String> = names.iter().filter(|n| !n.ends_with(".ok")).collect();
    let mut contents = Vec::new();
    for name in files {
        assert!(name.len() == 7 && name.starts_with('c'), "{name}");
        assert!(names.contains(&format!("{name}.ok")));
        let path = crdir.join(name);
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).expect("read");
        // Mask the times: "# Time: ...", file_time, start_time, finish_time.
        let masked: Vec<String> = text
            .lines()
            .map(|l| match l.split_once('=') {
                Some((k, _)) if ["file_time", "start_time", "finish_time"].contains(&k) => {
                    format!("{k}=T")
                }
                _ if l.starts_with("# Time: ") => "# Time: T".to_owned(),
                _ => l.to_owned(),
            })
            .collect();
        contents.push(masked.join("\n"));
    }
    contents.sort();
    let service = "### NSCA Passive Check Result ###\n# Time: T\nfile_time=T\n\n### Service Check Result ###\nhost_name=h0\nservice_description=svc\ncheck_type=1\nscheduled_check=0\nreschedule_check=0\nlatency=0\nstart_time=T\nfinish_time=T\nreturn_code=0\noutput=result number 0\n";
    let host = "### NSCA Passive Check Result ###\n# Time: T\nfile_time=T\n\n### Host Check Result ###\nhost_name=h1\ncheck_type=1\nscheduled_check=0\nreschedule_check=0\nlatency=0\nstart_time=T\nfinish_time=T\nreturn_code=1\noutput=a\\nb\n";
    // The file ends with a blank line ("output=...\n\n"), hence the trailing "\n" here.
    let mut expected = vec![host.to_owned(), service.to_owned()];
    expected.sort();
    assert_eq!(contents, expected);
    assert!(s.lines().is_empty());
}

#[tokio::test(start_paused = true)]
async fn it_falls_back_to_the_command_file_when_a_checkresult_file_fails() {
    let mut setup = Setup::new(1);
    let dir = tempfile::tempdir().expect("dir");
    let crdir = dir.path().join("checkresults");
    std::fs::create_dir(&crdir).expect("mkdir");
    setup.extra = format!("check_result_path={}\n", crdir.display());
    let mut s = start(setup).await;
    std::fs::remove_dir(&crdir).expect("rmdir");
    send_all(s.addr, 1, "secretpw", &[svc("h", "s", 0, "fallback")]).await;
    s.wait_for("failed", |e| {
        matches!(e, ServerEvent::CheckResultFileFailed { .. })
    })
    .await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;fallback"]
    );
    assert!(
        s.log_text()
            .iter()
            .any(|l| l.starts_with("Unable to open and write checkresult file '"))
    );
}

#[tokio::test(start_paused = true)]
async fn it_appends_to_a_regular_command_file_even_without_append_to_file() {
    // Deliberate difference: 2.10 with append_to_file=0 overwrites at offset 0 each time.
    let mut setup = Setup::new(1);
    setup.extra = "append_to_file=0\naggregate_writes=1\n".to_owned();
    let mut s = start(setup).await;
    std::fs::write(&s.cmd, b"existing line\n").expect("seed");
    for r in three() {
        send_all(s.addr, 1, "secretpw", &[r]).await;
    }
    s.wait_written(3).await;
    s.stop().await;
    let mut expected = vec!["existing line".to_owned()];
    expected.extend(THREE.iter().map(|s| s.to_string()));
    assert_eq!(s.lines(), expected);
}

#[tokio::test(start_paused = true)]
async fn it_shares_one_spool_between_servers_without_losing_or_duplicating() {
    // Two servers (as several inetd processes would) spool to the same file.
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let mut a = start(setup).await;
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut options = ServeOptionsExt::from_running(&a, &log);
    options.listen = Some(vec!["127.0.0.1:0".parse().expect("addr")]);
    let (tx, b_events) = tokio::sync::mpsc::unbounded_channel();
    let mut b_events = Events::new(b_events);
    let b = reelcheck_nsca::server::Server::new(options, Some(tx)).expect("second server");
    let b_addr = b.local_addrs()[0];
    let b_handle = b.handle();
    let b_task = tokio::spawn(b.run());
    send_all(
        a.addr,
        1,
        "secretpw",
        &[svc("a", "s", 0, "1"), svc("a", "s", 0, "2")],
    )
    .await;
    send_all(
        b_addr,
        1,
        "secretpw",
        &[svc("b", "s", 0, "1"), svc("b", "s", 0, "2")],
    )
    .await;
    a.wait_for("a spooled", |e| matches!(e, ServerEvent::Spooled { .. }))
        .await;
    b_events
        .wait_for("b spooled", |e| matches!(e, ServerEvent::Spooled { .. }))
        .await;
    assert_eq!(read_lines(&a.spool).len(), 4);
    std::fs::write(&a.cmd, b"").expect("create");
    a.stop().await;
    b_handle.shutdown();
    joined(b_task, "server").await.expect("run");
    let mut lines = a.lines();
    lines.sort();
    assert_eq!(
        lines,
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;a;s;0;1",
            "[T] PROCESS_SERVICE_CHECK_RESULT;a;s;0;2",
            "[T] PROCESS_SERVICE_CHECK_RESULT;b;s;0;1",
            "[T] PROCESS_SERVICE_CHECK_RESULT;b;s;0;2",
        ]
    );
    assert_eq!(std::fs::read(&a.spool).expect("spool").len(), 0);
}

#[tokio::test(start_paused = true)]
async fn it_logs_results_it_can_neither_write_nor_spool_at_shutdown() {
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let dir = tempfile::tempdir().expect("dir");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut options = options(dir.path(), &setup, &log);
    options.spool = Some(dir.path().join("no-such-dir").join("spool"));
    let (tx, events) = tokio::sync::mpsc::unbounded_channel();
    let mut events = Events::new(events);
    let server = reelcheck_nsca::server::Server::new(options, Some(tx)).expect("start");
    let addr = server.local_addrs()[0];
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    send_all(
        addr,
        1,
        "secretpw",
        &[svc("h", "a", 0, "1"), svc("h", "b", 2, "2")],
    )
    .await;
    events
        .wait_for("spool failed", |e| {
            matches!(e, ServerEvent::SpoolFailed { .. })
        })
        .await;
    handle.shutdown();
    joined(task, "server").await.expect("run");
    let undelivered: Vec<String> = log
        .lock()
        .expect("log")
        .iter()
        .filter_map(|(_, m)| {
            m.strip_prefix("Could not write or spool this check result, logging it instead: ")
        })
        .map(|l| mask(l.as_bytes()).join(""))
        .collect();
    assert_eq!(
        undelivered,
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;a;0;1",
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;b;2;2"
        ]
    );
}
