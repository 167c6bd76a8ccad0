//! Logging: syslog datagrams with nsca's ident and the configured facility; IVs.

use std::os::unix::net::UnixDatagram;

use reelcheck_nsca::codec::PacketSize;
use reelcheck_nsca::server::Server;
use reelcheck_nsca::server::log::LogTarget;

use crate::support::server::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_logs_to_syslog_with_nsca_ident_and_the_configured_facility() {
    let dir = tempfile::tempdir().expect("dir");
    let sock_path = dir.path().join("log.sock");
    let syslog = UnixDatagram::bind(&sock_path).expect("bind syslog socket");
    syslog.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut setup = Setup::new(1);
    setup.extra = "log_facility=local0\ndebug=0\n".to_owned();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut opts = options(dir.path(), &setup, &log);
    opts.log = LogTarget::Syslog(sock_path.clone());
    let server = Server::new(opts, None).expect("start");
    let addr = server.local_addrs()[0];
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    send_all(addr, 1, "wrong", &[svc("h", "s", 0, "x")]).await;
    let pid = std::process::id();
    let messages = tokio::task::spawn_blocking(move || {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 4096];
        // "Starting up daemon", then the rejection.
        for _ in 0..10 {
            let n = syslog.recv(&mut buf).expect("datagram");
            let m = String::from_utf8_lossy(&buf[..n]).into_owned();
            let done = m.contains("invalid packet");
            got.push(m);
            if done {
                break;
            }
        }
        got
    })
    .await
    .expect("join");
    handle.shutdown();
    joined(task, "server").await.expect("run");
    // local0 = 16: LOG_NOTICE → 16*8+5 = 133, LOG_ERR → 16*8+3 = 131.
    assert_eq!(
        messages.first().map(String::as_str),
        Some(format!("<133>nsca[{pid}]: Starting up daemon").as_str())
    );
    let last = messages.last().expect("rejection");
    assert!(
        last.starts_with(&format!(
            "<131>nsca[{pid}]: Received invalid packet type/version from client - possibly due to client using wrong password or crypto algorithm? (client 127.0.0.1 port "
        )),
        "{last}"
    );
}

#[tokio::test(start_paused = true)]
async fn it_sends_a_fresh_random_iv_on_every_connection() {
    let mut s = start(Setup::new(14)).await;
    let mut ivs = Vec::new();
    for _ in 0..8 {
        let c = Client::connect(s.addr, 14, "secretpw", PacketSize::V3).await;
        ivs.push(c.init[..128].to_vec());
        c.finish().await;
    }
    s.wait_closed(8).await;
    s.stop().await;
    for (i, a) in ivs.iter().enumerate() {
        assert!(a.iter().any(|&b| b != 0));
        for b in &ivs[i + 1..] {
            assert_ne!(a, b, "IVs repeat");
        }
    }
}
