//! `--inetd`: one connection on a socket or pipe handed over as a file descriptor.

use std::os::fd::OwnedFd;

use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};
use reelcheck_nsca::codec::{INIT_PACKET_LEN, PacketSize};
use reelcheck_nsca::server::run_inetd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::server::*;

/// Plays a client on `stream`: reads the init packet, sends `results`, closes.
async fn client_on<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    method: u8,
    password: &str,
    results: &[reelcheck_nsca::codec::CheckResult],
) {
    let m = reelcheck_nsca::cipher::Method::from_number(i64::from(method)).expect("method");
    let mut init = [0u8; INIT_PACKET_LEN];
    within("init packet", stream.read_exact(&mut init))
        .await
        .expect("init");
    let mut session =
        reelcheck_nsca::session::ClientSession::new(m, password.as_bytes(), PacketSize::V3);
    session.handle_init_bytes(&init);
    for r in results {
        let bytes = session
            .encode(r, &mut reelcheck_nsca::codec::Filler::Zero)
            .expect("ready");
        stream.write_all(&bytes).await.expect("send");
    }
    stream.shutdown().await.expect("shutdown");
    let mut rest = Vec::new();
    let _ = within("server close", stream.read_to_end(&mut rest)).await;
}

#[tokio::test(start_paused = true)]
async fn it_serves_one_connection_on_a_socketpair() {
    let dir = tempfile::tempdir().expect("dir");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let opts = options(dir.path(), &Setup::new(3), &log);
    let (server_end, client_end): (OwnedFd, OwnedFd) = socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .expect("socketpair");
    let std_client = std::os::unix::net::UnixStream::from(client_end);
    std_client.set_nonblocking(true).expect("nonblocking");
    let client = tokio::net::UnixStream::from_std(std_client).expect("tokio");
    let serve = tokio::spawn(async move { run_inetd(&opts, server_end, None, None).await });
    client_on(
        client,
        3,
        "secretpw",
        &[
            svc("db01", "MySQL", 0, "OK 3des one"),
            host("db01", 0, "UP 3des host"),
        ],
    )
    .await;
    joined(serve, "inetd server").await.expect("inetd run");
    assert_eq!(
        read_lines(&dir.path().join("nagios.cmd")),
        [
            "[T] PROCESS_SERVICE_CHECK_RESULT;db01;MySQL;0;OK 3des one",
            "[T] PROCESS_HOST_CHECK_RESULT;db01;0;UP 3des host"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn it_knows_the_peer_of_an_inetd_tcp_socket() {
    let dir = tempfile::tempdir().expect("dir");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let opts = options(dir.path(), &Setup::new(1), &log);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (accepted, _) = listener.accept().expect("accept");
    let fd = OwnedFd::from(accepted);
    let serve = tokio::spawn(async move { run_inetd(&opts, fd, None, None).await });
    client_on(client, 1, "wrong", &[svc("h", "s", 0, "x")]).await;
    joined(serve, "inetd server").await.expect("inetd run");
    assert!(read_lines(&dir.path().join("nagios.cmd")).is_empty());
    let text: Vec<String> = log
        .lock()
        .expect("log")
        .iter()
        .map(|(_, m)| m.clone())
        .collect();
    assert!(
        text.iter().any(
            |l| l.starts_with("Received invalid packet type/version from client")
                && l.contains("(client 127.0.0.1 port ")
        ),
        "{text:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_serves_one_connection_on_a_pair_of_pipes() {
    let dir = tempfile::tempdir().expect("dir");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let opts = options(dir.path(), &Setup::new(1), &log);
    // stdin: the client writes into `to_server`; stdout: the server writes into `to_client`.
    let (server_in, client_out) = nix::unistd::pipe().expect("pipe");
    let (client_in, server_out) = nix::unistd::pipe().expect("pipe");
    let serve =
        tokio::spawn(async move { run_inetd(&opts, server_in, Some(server_out), None).await });
    let mut reader = tokio::fs::File::from_std(std::fs::File::from(client_in));
    let mut writer = tokio::fs::File::from_std(std::fs::File::from(client_out));
    let mut init = [0u8; INIT_PACKET_LEN];
    within("init packet", reader.read_exact(&mut init))
        .await
        .expect("init");
    let mut session = reelcheck_nsca::session::ClientSession::new(
        reelcheck_nsca::cipher::Method::Xor,
        b"secretpw",
        PacketSize::V3,
    );
    session.handle_init_bytes(&init);
    let bytes = session
        .encode(
            &svc("p", "pipe", 0, "over pipes"),
            &mut reelcheck_nsca::codec::Filler::Zero,
        )
        .expect("ready");
    writer.write_all(&bytes).await.expect("send");
    writer.flush().await.expect("flush");
    // Closing the pipe is the end of the connection.
    drop(writer);
    joined(serve, "inetd server").await.expect("inetd run");
    assert_eq!(
        read_lines(&dir.path().join("nagios.cmd")),
        ["[T] PROCESS_SERVICE_CHECK_RESULT;p;pipe;0;over pipes"]
    );
}
