//! NSCA end to end: one load generator (tokio, the same code for every
//! target), a discard sink that measures the generator's own ceiling, the C
//! daemon `/usr/sbin/nsca --single` with its own temp config, and our server
//! in-process; plus counting the command-file lines so no result goes missing.

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{CheckResult, Filler, INIT_PACKET_LEN, InitPacket, PacketSize};
use reelcheck_nsca::server::log::LogTarget;
use reelcheck_nsca::server::{ServeOptions, Server, ServerHandle};
use reelcheck_nsca::session::ClientSession;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The C daemon Debian's `nsca` package installs.
pub const C_DAEMON: &str = "/usr/sbin/nsca";

/// The shared password of every end-to-end run.
pub const PASSWORD: &str = "benchpw";

/// The load shapes of the end-to-end comparison: (connections, packets per connection,
/// connections open at the same time at most). 100 in flight stays below the usual listen
/// backlog of 128, so the run measures the servers, not SYN retransmissions. Under a burst of
/// short connections nsca 2.10's single-process poll loop leaves a few of them stalled until
/// the generator gives up (protocol reference §3.2, §3.7); the second 2 000 × 1 shape keeps
/// only 4 in flight, so the comparison also has a run that measures its servicing speed.
pub const SHAPES: [(usize, usize, usize); 4] = [
    (1, 20_000, 100),
    (200, 50, 100),
    (2_000, 1, 100),
    (2_000, 1, 4),
];

/// How long one connection may take before it counts as stalled and is dropped.
pub const CONNECTION_LIMIT: Duration = Duration::from_secs(60);

/// One load: `connections` × `packets` results with `method`.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    /// Connections, each opened once.
    pub connections: usize,
    /// Results sent on every connection.
    pub packets: usize,
    /// Cipher method.
    pub method: Method,
    /// Connections open at the same time at most.
    pub in_flight: usize,
}

impl Load {
    /// Results sent in total.
    pub fn total(&self) -> usize {
        self.connections * self.packets
    }
}

/// What a generator run did.
#[derive(Clone, Copy, Debug)]
pub struct Sent {
    /// Results written to sockets.
    pub results: usize,
    /// Connections the peer had not closed within [`CONNECTION_LIMIT`] (dropped then).
    pub stalled: usize,
    /// From the first connect to the last connection closed by the peer.
    pub elapsed: Duration,
}

/// The result number `i` of a load (distinct hosts and services).
pub fn result(i: usize) -> CheckResult {
    CheckResult::service(
        format!("host{}", i % 97),
        format!("svc{i}"),
        (i % 4) as i16,
        format!("OK load result {i}|n={i}"),
    )
}

async fn one_connection(
    addr: SocketAddr,
    load: Load,
    first: usize,
    written: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut init = [0u8; INIT_PACKET_LEN];
    s.read_exact(&mut init).await?;
    let mut session = ClientSession::new(load.method, PASSWORD.as_bytes(), PacketSize::V3);
    session.handle_init_bytes(&init);
    let mut wire = Vec::with_capacity(load.packets * PacketSize::V3.len());
    for i in 0..load.packets {
        let bytes = session
            .encode(&result(first + i), &mut Filler::Zero)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        wire.extend_from_slice(&bytes);
    }
    s.write_all(&wire).await?;
    written.fetch_add(load.packets, Ordering::SeqCst);
    s.shutdown().await?;
    // The peer closes once it has read (and handled) everything.
    let mut sink = [0u8; 256];
    while s.read(&mut sink).await? > 0 {}
    Ok(())
}

/// Runs `load` against `addr` on a 2-worker runtime; every connection must succeed.
pub fn generate(addr: SocketAddr, load: Load) -> Result<Sent, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("generator runtime: {e}"))?;
    rt.block_on(async move {
        let gate = Arc::new(tokio::sync::Semaphore::new(load.in_flight.max(1)));
        let start = Instant::now();
        let written = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::with_capacity(load.connections);
        for c in 0..load.connections {
            let permit = Arc::clone(&gate)
                .acquire_owned()
                .await
                .map_err(|e| e.to_string())?;
            let w = Arc::clone(&written);
            tasks.push(tokio::spawn(async move {
                let r = tokio::time::timeout(
                    CONNECTION_LIMIT,
                    one_connection(addr, load, c * load.packets, w),
                )
                .await;
                drop(permit);
                r
            }));
        }
        let mut stalled = 0;
        for t in tasks {
            match t.await.map_err(|e| format!("generator task: {e}"))? {
                Ok(r) => r.map_err(|e| format!("connection: {e}"))?,
                Err(_) => stalled += 1,
            }
        }
        Ok(Sent {
            results: written.load(Ordering::SeqCst),
            stalled,
            elapsed: start.elapsed(),
        })
    })
}

/// A sink that speaks just enough NSCA for the generator: it sends an init
/// packet, reads everything and closes. Measures the generator's ceiling.
pub struct DiscardSink {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DiscardSink {
    /// Binds 127.0.0.1:0 and serves on a thread of its own.
    pub fn start() -> Result<DiscardSink, String> {
        let std_listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("sink bind: {e}"))?;
        let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    return;
                };
                let init = InitPacket {
                    iv: std::array::from_fn(|i| i as u8),
                    timestamp: 0x1234_5678,
                }
                .encode();
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            let Ok((mut s, _)) = accepted else { continue };
                            tokio::spawn(async move {
                                if s.write_all(&init).await.is_err() { return; }
                                let mut buf = vec![0u8; 64 * 1024];
                                while let Ok(n) = s.read(&mut buf).await {
                                    if n == 0 { break; }
                                }
                            });
                        }
                    }
                }
            });
        });
        Ok(DiscardSink {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for DiscardSink {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Writes an nsca.cfg usable by both the C daemon and ours.
pub fn write_config(
    dir: &Path,
    port: u16,
    method: Method,
    command_file: &Path,
) -> Result<PathBuf, String> {
    let cfg = dir.join("nsca.cfg");
    let text = format!(
        "server_port={port}\nserver_address=127.0.0.1\ndebug=0\ncommand_file={}\nalternate_dump_file={}\n\
         aggregate_writes=1\nappend_to_file=1\nmax_packet_age=30\npassword={PASSWORD}\ndecryption_method={}\n",
        command_file.display(),
        dir.join("dump.txt").display(),
        method.number()
    );
    std::fs::write(&cfg, text).map_err(|e| format!("writing {}: {e}", cfg.display()))?;
    std::fs::write(command_file, b"")
        .map_err(|e| format!("creating {}: {e}", command_file.display()))?;
    Ok(cfg)
}

/// A free port on 127.0.0.1 (bound, read and released).
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("probe bind: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Counts complete lines in `path` until there are `expected` (or `limit` passes).
pub fn wait_lines(path: &Path, expected: usize, limit: Duration) -> Result<usize, String> {
    let deadline = Instant::now() + limit;
    let mut seen = 0usize;
    let mut offset = 0usize;
    loop {
        let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        if bytes.len() > offset {
            seen += bytes[offset..].iter().filter(|&&b| b == b'\n').count();
            offset = bytes.len();
        }
        if seen >= expected || Instant::now() >= deadline {
            return Ok(seen);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Counts command-file lines on a thread of its own while a load runs, remembering when the
/// count last grew: the time the last result was written, even if the generator is still
/// waiting for connections the server never served.
pub struct LineWatcher {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Result<(usize, Instant), String>>>,
}

impl LineWatcher {
    /// Starts watching `path` (polling every 2 ms); `start` is the time of the first line 0.
    pub fn start(path: &Path, start: Instant) -> LineWatcher {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let path = path.to_path_buf();
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut seen = 0usize;
            let mut offset = 0usize;
            let mut last = start;
            loop {
                let done = flag.load(Ordering::SeqCst);
                let bytes =
                    std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
                if bytes.len() > offset {
                    seen += bytes[offset..].iter().filter(|&&b| b == b'\n').count();
                    offset = bytes.len();
                    last = Instant::now();
                }
                if done {
                    return Ok((seen, last));
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        LineWatcher {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops watching: (lines seen, when the count last grew).
    pub fn finish(mut self) -> Result<(usize, Instant), String> {
        self.stop.store(true, Ordering::SeqCst);
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| "line watcher panicked".to_string())?,
            None => Err("line watcher already finished".into()),
        }
    }
}

impl Drop for LineWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The C daemon, `nsca -f -c CFG --single`, on its own port; killed and reaped on drop.
pub struct CDaemon {
    child: Child,
    addr: SocketAddr,
}

impl CDaemon {
    /// Starts the daemon with `cfg` (which names `port`) and waits until it accepts connections.
    pub fn start(cfg: &Path, port: u16) -> Result<CDaemon, String> {
        if !Path::new(C_DAEMON).exists() {
            return Err(format!("{C_DAEMON} not found: apt-get install nsca"));
        }
        let child = Command::new(C_DAEMON)
            .arg("-f")
            .arg("-c")
            .arg(cfg)
            .arg("--single")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawning {C_DAEMON}: {e}"))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut d = CDaemon { child, addr };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut s) = TcpStream::connect(addr) {
                // Take the init packet so the daemon sees a complete, empty connection.
                let mut init = [0u8; INIT_PACKET_LEN];
                let _ = s.read_exact(&mut init);
                return Ok(d);
            }
            if let Ok(Some(status)) = d.child.try_wait() {
                return Err(format!("{C_DAEMON} exited at start: {status}"));
            }
            if Instant::now() >= deadline {
                return Err(format!("{C_DAEMON} did not listen on {addr} within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for CDaemon {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// Our server, in-process on a multi-thread runtime of its own, bound to 127.0.0.1:0.
pub struct OurServer {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

impl OurServer {
    /// Loads `cfg` (listening on 127.0.0.1:0 instead of its port) and serves.
    pub fn start(cfg: &Path, spool: &Path) -> Result<OurServer, String> {
        let mut options = ServeOptions::new(cfg);
        options.listen = Some(vec![SocketAddr::from(([127, 0, 0, 1], 0))]);
        options.log = LogTarget::Silent;
        options.spool = Some(spool.to_path_buf());
        let server = Server::new(options, None).map_err(|e| format!("our server: {e}"))?;
        let addr = *server
            .local_addrs()
            .first()
            .ok_or("our server bound nothing")?;
        let handle = server.handle();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("server runtime: {e}"))?;
            rt.block_on(server.run())
                .map_err(|e| format!("our server: {e}"))
        });
        Ok(OurServer {
            addr,
            handle,
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Shuts down (every accepted result written) and joins.
    pub fn stop(mut self) -> Result<(), String> {
        self.handle.shutdown();
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| "server thread panicked".to_string())?,
            None => Ok(()),
        }
    }
}

impl Drop for OurServer {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Which server an end-to-end run targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The generator against [`DiscardSink`].
    Sink,
    /// `/usr/sbin/nsca --single`.
    CDaemon,
    /// Our server.
    Ours,
}

/// One end-to-end measurement.
#[derive(Clone, Copy, Debug)]
pub struct E2e {
    /// Results sent.
    pub sent: usize,
    /// Connections that stalled (see [`Sent::stalled`]).
    pub stalled: usize,
    /// Command-file lines found (equal to `sent` for a servers that loses nothing; `sent` for the sink).
    pub written: usize,
    /// From the first connect until every line was in the command file and every connection
    /// was closed by the server (or given up as stalled).
    pub elapsed: Duration,
    /// From the first connect until the last line appeared in the command file: what the
    /// server served, leaving out the time the generator waited on stalled connections.
    pub served: Duration,
}

impl E2e {
    /// Results per second, end to end.
    pub fn rate(&self) -> f64 {
        self.written as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Results per second over the time the server was writing them ([`E2e::served`]).
    pub fn served_rate(&self) -> f64 {
        self.written as f64 / self.served.as_secs_f64().max(1e-9)
    }
}

/// Runs the generator against `addr` while watching `cmd`, then waits for the remaining lines.
fn measure(addr: SocketAddr, load: Load, cmd: &Path, limit: Duration) -> Result<E2e, String> {
    let start = Instant::now();
    let watcher = LineWatcher::start(cmd, start);
    let sent = generate(addr, load)?;
    let written = wait_lines(cmd, sent.results, limit)?;
    let elapsed = start.elapsed();
    let (_, last_line) = watcher.finish()?;
    Ok(E2e {
        sent: sent.results,
        stalled: sent.stalled,
        written,
        elapsed,
        served: last_line.saturating_duration_since(start),
    })
}

/// Runs `load` against a fresh `target` in its own temp dir.
pub fn end_to_end(target: Target, load: Load) -> Result<E2e, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let cmd = dir.path().join("nagios.cmd");
    let limit = Duration::from_secs(30);
    match target {
        Target::Sink => {
            let sink = DiscardSink::start()?;
            let sent = generate(sink.addr(), load)?;
            Ok(E2e {
                sent: sent.results,
                stalled: sent.stalled,
                written: sent.results,
                elapsed: sent.elapsed,
                served: sent.elapsed,
            })
        }
        Target::CDaemon => {
            let port = free_port()?;
            let cfg = write_config(dir.path(), port, load.method, &cmd)?;
            let daemon = CDaemon::start(&cfg, port)?;
            let e2e = measure(daemon.addr(), load, &cmd, limit)?;
            drop(daemon);
            Ok(e2e)
        }
        Target::Ours => {
            let cfg = write_config(dir.path(), 5667, load.method, &cmd)?;
            let server = OurServer::start(&cfg, &dir.path().join("spool"))?;
            let e2e = measure(server.addr(), load, &cmd, limit)?;
            server.stop()?;
            Ok(e2e)
        }
    }
}
