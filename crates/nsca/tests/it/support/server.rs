//! Test kit for the server tests: a server in a temp dir, clients that speak NSCA.
//!
//! Each test gets its own directory (nsca.cfg, command file, spool) and binds port 0
//! on loopback; events come through the observer channel so tests wait on events,
//! never on wall-clock sleeps.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{CheckResult, Filler, INIT_PACKET_LEN, PacketSize};
use reelcheck_nsca::server::events::ServerEvent;
use reelcheck_nsca::server::log::{Level, LogTarget};
use reelcheck_nsca::server::{ServeOptions, Server, ServerError, ServerHandle};
use reelcheck_nsca::session::ClientSession;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub use super::events::{Events, WAIT, joined, within};

/// How to set up a test server.
#[derive(Clone, Debug)]
pub struct Setup {
    /// `decryption_method`.
    pub method: u8,
    /// `password`.
    pub password: String,
    /// Extra nsca.cfg lines (`key=value\n`...).
    pub extra: String,
    /// Authz file content, if any.
    pub authz: Option<String>,
    /// Whether to pre-create the command file as an empty regular file.
    pub create_command_file: bool,
    /// Addresses to listen on.
    pub listen: Vec<SocketAddr>,
    /// Enforce max_packet_age.
    pub enforce_age: bool,
}

impl Setup {
    /// XOR with password `secretpw`, a regular command file, append_to_file=1.
    pub fn new(method: u8) -> Self {
        Self {
            method,
            password: "secretpw".to_owned(),
            extra: String::new(),
            authz: None,
            create_command_file: true,
            listen: vec![SocketAddr::from(([127, 0, 0, 1], 0))],
            enforce_age: false,
        }
    }
}

/// A running server and everything a test looks at.
pub struct Running {
    /// The test's directory (kept alive here, removed on drop).
    pub _dir: tempfile::TempDir,
    /// The command file path.
    pub cmd: PathBuf,
    /// The spool file path.
    pub spool: PathBuf,
    /// The nsca.cfg path.
    pub cfg: PathBuf,
    /// The first listening address.
    pub addr: SocketAddr,
    /// Reload/stop.
    pub handle: ServerHandle,
    /// Events, and every one seen so far by the waits.
    pub events: Events,
    /// Log messages.
    pub log: Arc<Mutex<Vec<(Level, String)>>>,
    /// The server task.
    pub task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

/// Writes nsca.cfg for `setup` into `dir`.
pub fn write_config(dir: &std::path::Path, setup: &Setup) -> PathBuf {
    let cmd = dir.join("nagios.cmd");
    let cfg = dir.join("nsca.cfg");
    let text = format!(
        "# test config\nserver_port=5667\ncommand_file={}\nalternate_dump_file=/dev/null\naggregate_writes=0\nappend_to_file=1\nmax_packet_age=30\ndebug=1\npassword={}\ndecryption_method={}\n{}",
        cmd.display(),
        setup.password,
        setup.method,
        setup.extra
    );
    std::fs::write(&cfg, text).expect("write nsca.cfg");
    if setup.create_command_file {
        std::fs::write(&cmd, b"").expect("create command file");
    }
    cfg
}

/// Options for a server described by `setup` in `dir`.
pub fn options(
    dir: &std::path::Path,
    setup: &Setup,
    log: &Arc<Mutex<Vec<(Level, String)>>>,
) -> ServeOptions {
    let cfg = write_config(dir, setup);
    let mut options = ServeOptions::new(cfg);
    if let Some(authz) = &setup.authz {
        let path = dir.join("authz.rules");
        std::fs::write(&path, authz).expect("write authz");
        options.authz = Some(path);
    }
    options.spool = Some(dir.join("results.spool"));
    options.log = LogTarget::Memory(Arc::clone(log));
    options.listen = Some(setup.listen.clone());
    options.enforce_max_packet_age = setup.enforce_age;
    options
}

/// Starts a server for `setup` on the current runtime.
pub async fn start(setup: Setup) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = Arc::new(Mutex::new(Vec::new()));
    let options = options(dir.path(), &setup, &log);
    let cfg = options.config.clone();
    let (tx, events) = mpsc::unbounded_channel();
    let server = Server::new(options, Some(tx)).expect("server starts");
    let addr = server.local_addrs()[0];
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    Running {
        cmd: dir.path().join("nagios.cmd"),
        spool: dir.path().join("results.spool"),
        cfg,
        _dir: dir,
        addr,
        handle,
        events: Events::new(events),
        log,
        task,
    }
}

impl Running {
    /// Waits for the first event (after those already seen) matching `pred`, at most
    /// [`WAIT`]; panics listing the events seen.
    pub async fn wait_for(
        &mut self,
        what: &str,
        pred: impl Fn(&ServerEvent) -> bool,
    ) -> ServerEvent {
        self.events.wait_for(what, pred).await
    }

    /// Waits until `n` connections have closed (counting from the start).
    pub async fn wait_closed(&mut self, n: usize) {
        let mut count = self
            .events
            .count(|e| matches!(e, ServerEvent::ConnectionClosed { .. }));
        while count < n {
            self.wait_for("connection closed", |e| {
                matches!(e, ServerEvent::ConnectionClosed { .. })
            })
            .await;
            count += 1;
        }
    }

    /// Waits until the writer has delivered `n` results in total.
    pub async fn wait_written(&mut self, n: usize) {
        let total = |seen: &[ServerEvent]| -> usize {
            seen.iter()
                .map(|e| match e {
                    ServerEvent::ResultsWritten { count, .. } => *count,
                    ServerEvent::SpoolDrained { count } => *count,
                    _ => 0,
                })
                .sum()
        };
        while total(&self.events.seen) < n {
            self.wait_for("results written", |e| {
                matches!(
                    e,
                    ServerEvent::ResultsWritten { .. } | ServerEvent::SpoolDrained { .. }
                )
            })
            .await;
        }
    }

    /// Stops the server and waits for it (every accepted result written).
    pub async fn stop(&mut self) {
        self.handle.shutdown();
        self.wait_for("shutdown", |e| matches!(e, ServerEvent::Shutdown))
            .await;
    }

    /// Command-file lines with the timestamp masked as `[T]`.
    pub fn lines(&self) -> Vec<String> {
        read_lines(&self.cmd)
    }

    /// Log messages so far.
    pub fn log_text(&self) -> Vec<String> {
        self.log
            .lock()
            .expect("log")
            .iter()
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// Event `Display`s so far.
    pub fn trace(&self) -> Vec<String> {
        self.events.seen.iter().map(|e| e.to_string()).collect()
    }
}

/// Lines of a command file with `[digits]` masked as `[T]` (lossy UTF-8).
pub fn read_lines(path: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_default();
    mask(&bytes)
}

/// Masks the leading `[timestamp]` of every line.
pub fn mask(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| match (l.starts_with('['), l.find(']')) {
            (true, Some(end)) if l[1..end].bytes().all(|b| b.is_ascii_digit()) => {
                format!("[T]{}", &l[end + 1..])
            }
            _ => l.to_owned(),
        })
        .collect()
}

/// A connected client that has read the init packet.
pub struct Client {
    /// The socket.
    pub stream: TcpStream,
    /// The client session (cipher state continues across packets).
    pub session: ClientSession,
    /// The init packet bytes received.
    pub init: [u8; INIT_PACKET_LEN],
}

impl Client {
    /// Connects, reads the 132-byte init packet.
    pub async fn connect(addr: SocketAddr, method: u8, password: &str, size: PacketSize) -> Self {
        let method = Method::from_number(i64::from(method)).expect("method");
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut init = [0u8; INIT_PACKET_LEN];
        within("init packet", stream.read_exact(&mut init))
            .await
            .expect("init packet");
        let mut session = ClientSession::new(method, password.as_bytes(), size);
        assert_eq!(session.handle_init_bytes(&init), INIT_PACKET_LEN);
        Self {
            stream,
            session,
            init,
        }
    }

    /// Encrypted bytes of one packet (zero filler).
    pub fn packet(&mut self, result: &CheckResult) -> Vec<u8> {
        self.session
            .encode(result, &mut Filler::Zero)
            .expect("ready")
    }

    /// Sends one packet.
    pub async fn send(&mut self, result: &CheckResult) {
        let bytes = self.packet(result);
        self.stream.write_all(&bytes).await.expect("send");
    }

    /// Sends raw bytes.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("send raw");
    }

    /// Closes the write side and waits (at most [`WAIT`]) for the server to close.
    pub async fn finish(self) {
        close_and_drain(self.stream).await;
    }
}

/// Closes the write side of `stream` and reads until the server closes, at most [`WAIT`].
async fn close_and_drain(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut rest)).await;
}

/// Sends `results` on one connection, then closes.
pub async fn send_all(addr: SocketAddr, method: u8, password: &str, results: &[CheckResult]) {
    let mut client = Client::connect(addr, method, password, PacketSize::V3).await;
    for r in results {
        client.send(r).await;
    }
    client.finish().await;
}

/// A service result.
pub fn svc(host: &str, service: &str, rc: i16, output: &str) -> CheckResult {
    CheckResult::service(host, service, rc, output)
}

/// A host result.
pub fn host(host: &str, rc: i16, output: &str) -> CheckResult {
    CheckResult::host(host, rc, output)
}

/// A client that encrypts hand-made plaintext packets (for malformed input).
pub struct RawClient {
    /// The socket.
    pub stream: TcpStream,
    /// The init packet received.
    pub init: reelcheck_nsca::codec::InitPacket,
    /// The connection's cipher state.
    pub cipher: reelcheck_nsca::cipher::CipherState,
}

impl RawClient {
    /// Connects and reads the init packet.
    pub async fn connect(addr: SocketAddr, method: u8, password: &str) -> Self {
        let method = Method::from_number(i64::from(method)).expect("method");
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut init = [0u8; INIT_PACKET_LEN];
        within("init packet", stream.read_exact(&mut init))
            .await
            .expect("init packet");
        let init = reelcheck_nsca::codec::InitPacket::decode(&init).expect("init");
        let cipher =
            reelcheck_nsca::cipher::CipherState::new(method, password.as_bytes(), &init.iv);
        Self {
            stream,
            init,
            cipher,
        }
    }

    /// Encrypts a whole plaintext packet with the continuing state and sends it.
    pub async fn send_plain(&mut self, mut plain: Vec<u8>) {
        self.cipher.encrypt(&mut plain, 0);
        self.stream.write_all(&plain).await.expect("send");
    }

    /// Sends raw bytes.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("send raw");
    }

    /// Closes the write side and waits (at most [`WAIT`]) for the server to close.
    pub async fn finish(self) {
        close_and_drain(self.stream).await;
    }
}

/// A plaintext packet (zero filler) echoing `timestamp`, CRC set.
pub fn plain_packet(result: &CheckResult, size: PacketSize, timestamp: u32) -> Vec<u8> {
    reelcheck_nsca::codec::encode_packet(result, size, timestamp, &mut Filler::Zero)
}

/// Recomputes the CRC of a plaintext packet after it was edited.
pub fn fix_crc(packet: &mut [u8]) {
    packet[4..8].fill(0);
    let crc = reelcheck_nsca::codec::packet_crc(packet);
    packet[4..8].copy_from_slice(&crc.to_be_bytes());
}
