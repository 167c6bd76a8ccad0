//! SIGHUP reloads the configuration; SIGTERM shuts down after writing every result.
//!
//! Real signals are raised at this test process: only this test installs handlers for
//! them, and it installs them before raising, so no other test is affected.

use nix::sys::signal::{Signal, raise};
use reelcheck_nsca::server::events::{RejectReason, ServerEvent};
use reelcheck_nsca::server::{Server, spawn_signal_watcher};

use crate::support::server::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_reloads_on_sighup_and_writes_every_accepted_result_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut setup = Setup::new(14);
    setup.password = "before".to_owned();
    let opts = options(dir.path(), &setup, &log);
    let cfg = opts.config.clone();
    let cmd = dir.path().join("nagios.cmd");
    let (tx, events) = tokio::sync::mpsc::unbounded_channel();
    let server = Server::new(opts, Some(tx)).expect("start");
    let addr = server.local_addrs()[0];
    let watcher = spawn_signal_watcher(server.handle()).expect("handlers");
    let task = tokio::spawn(server.run());
    let mut s = Events::new(events);

    send_all(addr, 14, "before", &[svc("h", "s", 0, "old password")]).await;
    s.wait_for("accepted", |e| {
        matches!(e, ServerEvent::ResultAccepted { .. })
    })
    .await;

    // The admin changes the password and sends SIGHUP.
    let text = std::fs::read_to_string(&cfg)
        .expect("cfg")
        .replace("password=before", "password=after");
    std::fs::write(&cfg, text).expect("cfg");
    raise(Signal::SIGHUP).expect("raise SIGHUP");
    s.wait_for("reloaded", |e| matches!(e, ServerEvent::Reloaded))
        .await;

    send_all(addr, 14, "before", &[svc("h", "s", 0, "stale password")]).await;
    let e = s
        .wait_for("reject", |e| {
            matches!(e, ServerEvent::PacketRejected { .. })
        })
        .await;
    assert!(matches!(
        e,
        ServerEvent::PacketRejected {
            reason: RejectReason::BadVersion,
            ..
        }
    ));

    // Many results in flight, then SIGTERM as soon as they are accepted.
    let mut clients = Vec::new();
    for c in 0..20 {
        clients.push(tokio::spawn(async move {
            let results: Vec<_> = (0..5)
                .map(|i| svc(&format!("c{c}"), &format!("s{i}"), 0, "new password"))
                .collect();
            send_all(addr, 14, "after", &results).await;
        }));
    }
    for c in clients {
        c.await.expect("client");
    }
    let mut accepted = 0;
    while accepted < 100 {
        s.wait_for("accepted", |e| {
            matches!(e, ServerEvent::ResultAccepted { .. })
        })
        .await;
        accepted += 1;
    }
    raise(Signal::SIGTERM).expect("raise SIGTERM");
    let e = s
        .wait_for("shutdown requested", |e| {
            matches!(e, ServerEvent::ShutdownRequested { .. })
        })
        .await;
    assert_eq!(e.to_string(), "shutdown requested (TERM)");
    s.wait_for("shutdown", |e| matches!(e, ServerEvent::Shutdown))
        .await;
    joined(task, "server").await.expect("clean shutdown");
    watcher.abort();

    let lines = read_lines(&cmd);
    assert_eq!(lines.len(), 101, "every accepted result is written");
    assert_eq!(
        lines[0],
        "[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;old password"
    );
    for c in 0..20 {
        let mine: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains(&format!(";c{c};")))
            .collect();
        let expected: Vec<String> = (0..5)
            .map(|i| format!("[T] PROCESS_SERVICE_CHECK_RESULT;c{c};s{i};0;new password"))
            .collect();
        assert_eq!(
            mine,
            expected.iter().collect::<Vec<_>>(),
            "order within connection c{c}"
        );
    }
    let text: Vec<String> = log
        .lock()
        .expect("log")
        .iter()
        .map(|(_, m)| m.clone())
        .collect();
    assert!(text.contains(&"Caught SIGHUP - restarting...".to_owned()));
    assert!(text.contains(&"Caught SIGTERM - shutting down...".to_owned()));
    assert!(text.contains(&"Daemon shutdown".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn it_keeps_the_old_configuration_when_the_new_one_has_errors() {
    let mut s = start(Setup::new(1)).await;
    std::fs::write(&s.cfg, "no_such_option=1\n").expect("cfg");
    s.handle.reload();
    let e = s
        .wait_for("reload failed", |e| {
            matches!(e, ServerEvent::ReloadFailed { .. })
        })
        .await;
    assert_eq!(e.to_string(), "reload failed");
    send_all(s.addr, 1, "secretpw", &[svc("h", "s", 0, "still served")]).await;
    s.wait_written(1).await;
    s.stop().await;
    assert_eq!(
        s.lines(),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;h;s;0;still served"]
    );
    assert!(s.log_text().iter().any(
        |l| l.starts_with("Unknown option specified in config file '")
            && l.ends_with("' - Line 1 - keeping the previous configuration")
    ));
}

#[tokio::test(start_paused = true)]
async fn it_spools_accepted_results_when_shut_down_during_an_outage() {
    let mut setup = Setup::new(1);
    setup.create_command_file = false;
    let mut s = start(setup).await;
    send_all(
        s.addr,
        1,
        "secretpw",
        &[svc("h", "a", 0, "1"), svc("h", "b", 0, "2")],
    )
    .await;
    s.wait_closed(1).await;
    s.stop().await;
    assert_eq!(
        read_lines(&s.spool),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;a;0;1",
            "[T] PROCESS_SERVICE_CHECK_RESULT;h;b;0;2"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn it_removes_its_pid_file_and_refuses_to_start_over_a_live_one() {
    let dir = tempfile::tempdir().expect("dir");
    let pid = dir.path().join("nsca.pid");
    let mut setup = Setup::new(1);
    setup.extra = format!("pid_file={}\n", pid.display());
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    // A live process (pid 1) holds the pid file: refuse, as 2.10 does.
    std::fs::write(&pid, "1\n").expect("pid");
    let err = Server::new(options(dir.path(), &setup, &log), None).expect_err("refuses");
    assert_eq!(
        err.to_string(),
        "There's already an NSCA server running (PID 1).  Bailing out..."
    );
    // A stale one is replaced by ours and removed at shutdown.
    std::fs::write(&pid, "999999999\n").expect("pid");
    let server = Server::new(options(dir.path(), &setup, &log), None).expect("starts");
    assert_eq!(
        std::fs::read_to_string(&pid).expect("pid"),
        format!("{}\n", std::process::id())
    );
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    handle.shutdown();
    joined(task, "server").await.expect("run");
    assert!(!pid.exists());
}
