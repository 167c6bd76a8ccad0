//! Fake NSCA servers with injected faults, for testing clients (send_nsca, ours).
//!
//! # Fault model
//!
//! A fake server accepts connections on a loopback address and plays the server's
//! side of the protocol: it sends a 132-byte init packet (random IV, server time)
//! and then only reads.
//! It never writes a command file; instead it *records* every connection (the init
//! bytes it actually sent and every byte it received) so a test can decrypt and
//! check what the client sent ([`Recording::decode`]).
//! Faults are data ([`Fault`], serde-serialisable) passed to [`FakeServer::bind`]
//! and applied to every connection, at three stages:
//!
//! * **init stage** — [`Fault::NoInit`] (never send the init packet, hold the
//!   connection until the client gives up), [`Fault::DelayInit`],
//!   [`Fault::ShortInit`] (send only the first bytes, then close),
//!   [`Fault::CloseImmediately`];
//! * **init content** — [`Fault::ZeroIv`], [`Fault::FixedIv`] (XOR then reduces to
//!   the password), [`Fault::FixedTimestamp`] (clients must echo it);
//! * **data stage** — [`Fault::CloseAfterBytes`] (close in the middle of a packet),
//!   [`Fault::CloseBetweenPackets`] (close after whole packets),
//!   [`Fault::ResetAfterBytes`] (TCP reset instead of an orderly close),
//!   [`Fault::SlowReads`] (read a few bytes at a time, so the client meets TCP
//!   back-pressure).
//!
//! When several faults of one stage are given, the first one wins.
//! Delays use tokio time, so tests with a paused clock run them instantly.
//! The fake has no cipher of its own: faults act on bytes, and decoding is done
//! afterwards on the recording.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

use crate::cipher::{CipherState, Method};
use crate::codec::{self, DecodedPacket, INIT_PACKET_LEN, IV_LEN, InitPacket, PacketSize};
use crate::error::DecodeError;

/// One injectable misbehaviour of a fake server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "kebab-case")]
pub enum Fault {
    /// Never send the init packet; keep the connection open until the client closes.
    NoInit,
    /// Send the init packet only after this many milliseconds.
    DelayInit {
        /// Delay in milliseconds.
        millis: u64,
    },
    /// Send only the first `bytes` bytes of the init packet, then close.
    ShortInit {
        /// Bytes of the init packet sent (less than 132).
        bytes: usize,
    },
    /// Close the connection without sending anything.
    CloseImmediately,
    /// Send an all-zero IV.
    ZeroIv,
    /// Send this IV byte repeated 128 times.
    FixedIv {
        /// The IV byte.
        byte: u8,
    },
    /// Send this timestamp instead of the clock.
    FixedTimestamp {
        /// Seconds since the epoch (32 bits, as on the wire).
        timestamp: u32,
    },
    /// Close after receiving this many data bytes (counted after the init packet).
    CloseAfterBytes {
        /// Bytes received before closing.
        bytes: usize,
    },
    /// Close after receiving this many whole 4304-byte packets.
    CloseBetweenPackets {
        /// Packets received before closing.
        packets: usize,
    },
    /// Reset the connection (RST) after receiving this many data bytes.
    ResetAfterBytes {
        /// Bytes received before the reset.
        bytes: usize,
    },
    /// Read at most `chunk` bytes every `interval_millis` milliseconds.
    SlowReads {
        /// Bytes per read.
        chunk: usize,
        /// Pause between reads, in milliseconds.
        interval_millis: u64,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoInit => f.write_str("no-init"),
            Self::DelayInit { millis } => write!(f, "delay-init:{millis}"),
            Self::ShortInit { bytes } => write!(f, "short-init:{bytes}"),
            Self::CloseImmediately => f.write_str("close-immediately"),
            Self::ZeroIv => f.write_str("zero-iv"),
            Self::FixedIv { byte } => write!(f, "fixed-iv:{byte}"),
            Self::FixedTimestamp { timestamp } => write!(f, "fixed-timestamp:{timestamp}"),
            Self::CloseAfterBytes { bytes } => write!(f, "close-after-bytes:{bytes}"),
            Self::CloseBetweenPackets { packets } => write!(f, "close-between-packets:{packets}"),
            Self::ResetAfterBytes { bytes } => write!(f, "reset-after-bytes:{bytes}"),
            Self::SlowReads {
                chunk,
                interval_millis,
            } => write!(f, "slow-reads:{chunk}:{interval_millis}"),
        }
    }
}

/// A `--fault` argument that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad fault '{0}' (expected no-init, delay-init:MS, short-init:N, close-immediately, zero-iv, fixed-iv:BYTE, fixed-timestamp:T, close-after-bytes:N, close-between-packets:N, reset-after-bytes:N or slow-reads:CHUNK:MS)"
)]
pub struct FaultParseError(pub String);

impl FromStr for Fault {
    type Err = FaultParseError;

    /// Parses the `Display` form, e.g. `short-init:50` or `slow-reads:10:100`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || FaultParseError(s.to_owned());
        let mut parts = s.split(':');
        let name = parts.next().unwrap_or_default();
        let args: Vec<&str> = parts.collect();
        let num = |i: usize| -> Result<u64, FaultParseError> {
            args.get(i)
                .and_then(|a| a.parse::<u64>().ok())
                .ok_or_else(bad)
        };
        let size = |i: usize| num(i).and_then(|n| usize::try_from(n).map_err(|_| bad()));
        let want = |n: usize| if args.len() == n { Ok(()) } else { Err(bad()) };
        let fault = match name {
            "no-init" => want(0).map(|()| Self::NoInit)?,
            "delay-init" => want(1).and_then(|()| Ok(Self::DelayInit { millis: num(0)? }))?,
            "short-init" => want(1).and_then(|()| Ok(Self::ShortInit { bytes: size(0)? }))?,
            "close-immediately" => want(0).map(|()| Self::CloseImmediately)?,
            "zero-iv" => want(0).map(|()| Self::ZeroIv)?,
            "fixed-iv" => want(1).and_then(|()| {
                Ok(Self::FixedIv {
                    byte: u8::try_from(num(0)?).map_err(|_| bad())?,
                })
            })?,
            "fixed-timestamp" => want(1).and_then(|()| {
                Ok(Self::FixedTimestamp {
                    timestamp: u32::try_from(num(0)?).map_err(|_| bad())?,
                })
            })?,
            "close-after-bytes" => {
                want(1).and_then(|()| Ok(Self::CloseAfterBytes { bytes: size(0)? }))?
            }
            "close-between-packets" => {
                want(1).and_then(|()| Ok(Self::CloseBetweenPackets { packets: size(0)? }))?
            }
            "reset-after-bytes" => {
                want(1).and_then(|()| Ok(Self::ResetAfterBytes { bytes: size(0)? }))?
            }
            "slow-reads" => want(2).and_then(|()| {
                Ok(Self::SlowReads {
                    chunk: size(0)?.max(1),
                    interval_millis: num(1)?,
                })
            })?,
            _ => return Err(bad()),
        };
        Ok(fault)
    }
}

/// How a recorded connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordingEnd {
    /// The client closed the connection.
    ClientClosed,
    /// The fake closed it (a fault).
    ServerClosed,
    /// The fake reset it (a fault).
    ServerReset,
    /// Reading failed (e.g. the client reset the connection).
    ReadError,
    /// The fake was shut down.
    Shutdown,
}

/// Everything one connection to a fake server saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// 0-based connection number, in accept order.
    pub index: usize,
    /// The client's address.
    pub peer: SocketAddr,
    /// The init bytes actually sent (fewer than 132 under init faults).
    pub init_sent: Vec<u8>,
    /// The IV the fake chose (also when it was not sent).
    pub iv: Vec<u8>,
    /// The timestamp the fake chose.
    pub timestamp: u32,
    /// Every byte received after the init packet.
    pub received: Vec<u8>,
    /// How it ended.
    pub end: RecordingEnd,
}

impl Recording {
    /// Decrypts the received stream with `method`/`password` (one cipher state for the
    /// whole connection) and decodes it as consecutive packets of `size`.
    ///
    /// A trailing partial packet yields a [`DecodeError::WrongLength`].
    pub fn decode(
        &self,
        method: Method,
        password: &[u8],
        size: PacketSize,
    ) -> Vec<Result<DecodedPacket, DecodeError>> {
        let mut iv = [0u8; IV_LEN];
        for (dst, src) in iv.iter_mut().zip(&self.iv) {
            *dst = *src;
        }
        let mut state = CipherState::new(method, password, &iv);
        self.received
            .chunks(size.len())
            .map(|chunk| {
                let mut buf = chunk.to_vec();
                state.decrypt(&mut buf, 0);
                codec::decode_packet(&buf)
            })
            .collect()
    }
}

/// A running fake server.
pub struct FakeServer {
    addr: SocketAddr,
    recordings: Arc<Mutex<Vec<Recording>>>,
    done: mpsc::UnboundedReceiver<Recording>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// Binds `addr` (use port 0) and starts serving with `faults` on the current runtime.
    pub async fn bind(addr: SocketAddr, faults: Vec<Fault>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let recordings = Arc::new(Mutex::new(Vec::new()));
        let (done_tx, done) = mpsc::unbounded_channel();
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::new(faults),
            Arc::clone(&recordings),
            done_tx,
            stop_rx,
        ));
        Ok(Self {
            addr,
            recordings,
            done,
            stop,
            task,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the next connection to end and returns its recording.
    pub async fn next_recording(&mut self) -> Option<Recording> {
        self.done.recv().await
    }

    /// Recordings of every connection that has ended so far, in the order they ended.
    pub fn recordings(&self) -> Vec<Recording> {
        self.recordings
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    faults: Arc<Vec<Fault>>,
    recordings: Arc<Mutex<Vec<Recording>>>,
    done: mpsc::UnboundedSender<Recording>,
    mut stop: watch::Receiver<bool>,
) {
    let mut index = 0usize;
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let faults = Arc::clone(&faults);
                let recordings = Arc::clone(&recordings);
                let done = done.clone();
                let stop = stop.clone();
                let i = index;
                index += 1;
                tasks.spawn(async move {
                    let rec = serve_one(stream, peer, i, &faults, stop).await;
                    if let Ok(mut all) = recordings.lock() {
                        all.push(rec.clone());
                    }
                    let _ = done.send(rec);
                });
            }
            _ = stop.changed() => break,
        }
    }
    // Connections see the stop signal too; wait for their recordings.
    while tasks.join_next().await.is_some() {}
}

fn init_for(faults: &[Fault]) -> InitPacket {
    let mut iv = [0u8; IV_LEN];
    let iv_fault = faults
        .iter()
        .find(|f| matches!(f, Fault::ZeroIv | Fault::FixedIv { .. }));
    match iv_fault {
        Some(Fault::FixedIv { byte }) => iv = [*byte; IV_LEN],
        Some(_) => {}
        None => {
            // A CSPRNG failure leaves the IV zero; a fake server may live with that.
            let _ = getrandom::fill(&mut iv);
        }
    }
    let timestamp = faults
        .iter()
        .find_map(|f| match f {
            Fault::FixedTimestamp { timestamp } => Some(*timestamp),
            _ => None,
        })
        .unwrap_or_else(now_u32);
    InitPacket { iv, timestamp }
}

/// Seconds since the epoch, truncated to 32 bits as nsca does.
pub(crate) fn now_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(0)
}

async fn serve_one(
    mut stream: TcpStream,
    peer: SocketAddr,
    index: usize,
    faults: &[Fault],
    mut stop: watch::Receiver<bool>,
) -> Recording {
    let init = init_for(faults);
    let mut rec = Recording {
        index,
        peer,
        init_sent: Vec::new(),
        iv: init.iv.to_vec(),
        timestamp: init.timestamp,
        received: Vec::new(),
        end: RecordingEnd::ClientClosed,
    };
    let bytes = init.encode();
    let init_fault = faults.iter().find(|f| {
        matches!(
            f,
            Fault::NoInit
                | Fault::DelayInit { .. }
                | Fault::ShortInit { .. }
                | Fault::CloseImmediately
        )
    });
    match init_fault {
        Some(Fault::CloseImmediately) => {
            rec.end = RecordingEnd::ServerClosed;
            return rec;
        }
        Some(Fault::ShortInit { bytes: n }) => {
            let n = (*n).min(INIT_PACKET_LEN);
            let part = bytes.get(..n).unwrap_or_default();
            if stream.write_all(part).await.is_ok() {
                rec.init_sent = part.to_vec();
            }
            let _ = stream.shutdown().await;
            rec.end = RecordingEnd::ServerClosed;
            return rec;
        }
        Some(Fault::NoInit) => {}
        Some(Fault::DelayInit { millis }) => {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(*millis)) => {}
                _ = stop.changed() => {
                    rec.end = RecordingEnd::Shutdown;
                    return rec;
                }
            }
            if stream.write_all(&bytes).await.is_ok() {
                rec.init_sent = bytes.to_vec();
            }
        }
        _ => {
            if stream.write_all(&bytes).await.is_ok() {
                rec.init_sent = bytes.to_vec();
            }
        }
    }
    let close_at = faults.iter().find_map(|f| match f {
        Fault::CloseAfterBytes { bytes } => Some((*bytes, false)),
        Fault::CloseBetweenPackets { packets } => {
            Some((packets.saturating_mul(codec::V3_PACKET_LEN), false))
        }
        Fault::ResetAfterBytes { bytes } => Some((*bytes, true)),
        _ => None,
    });
    let slow = faults.iter().find_map(|f| match f {
        Fault::SlowReads {
            chunk,
            interval_millis,
        } => Some(((*chunk).max(1), Duration::from_millis(*interval_millis))),
        _ => None,
    });
    let mut buf = vec![0u8; 65536];
    // Bounded by the client: every iteration consumes bytes or ends the connection.
    loop {
        if let Some((limit, reset)) = close_at
            && rec.received.len() >= limit
        {
            if reset {
                let _ = stream.set_zero_linger();
                rec.end = RecordingEnd::ServerReset;
            } else {
                let _ = stream.shutdown().await;
                rec.end = RecordingEnd::ServerClosed;
            }
            return rec;
        }
        let mut want = buf.len();
        if let Some((limit, _)) = close_at {
            want = want.min(limit - rec.received.len());
        }
        if let Some((chunk, interval)) = slow {
            want = want.min(chunk);
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stop.changed() => {
                    rec.end = RecordingEnd::Shutdown;
                    return rec;
                }
            }
        }
        let read = tokio::select! {
            r = stream.read(&mut buf[..want]) => r,
            _ = stop.changed() => {
                rec.end = RecordingEnd::Shutdown;
                return rec;
            }
        };
        match read {
            Ok(0) => {
                rec.end = RecordingEnd::ClientClosed;
                return rec;
            }
            Ok(n) => rec
                .received
                .extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(_) => {
                rec.end = RecordingEnd::ReadError;
                return rec;
            }
        }
    }
}

/// A fake server on its own thread and runtime, for blocking tests and the CLI.
pub struct FakeServerThread {
    addr: SocketAddr,
    recordings: Arc<Mutex<Vec<Recording>>>,
    done: std::sync::mpsc::Receiver<Recording>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl fmt::Debug for FakeServerThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServerThread")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FakeServerThread {
    /// Starts a fake server on `addr` (port 0 for any) with `faults` in a new thread.
    pub fn start(addr: SocketAddr, faults: Vec<Fault>) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (done_tx, done) = std::sync::mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("nsca-fake-server".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let mut server = match FakeServer::bind(addr, faults).await {
                        Ok(s) => s,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ =
                        ready_tx.send(Ok((server.local_addr(), Arc::clone(&server.recordings))));
                    tokio::pin!(stop_rx);
                    loop {
                        tokio::select! {
                            rec = server.next_recording() => match rec {
                                Some(rec) => { let _ = done_tx.send(rec); }
                                None => break,
                            },
                            _ = &mut stop_rx => break,
                        }
                    }
                    server.shutdown().await;
                });
            })?;
        let (addr, recordings) = ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("fake server thread ended before binding"))??;
        Ok(Self {
            addr,
            recordings,
            done,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits up to `timeout` for the next connection to end.
    pub fn next_recording(&self, timeout: Duration) -> Option<Recording> {
        self.done.recv_timeout(timeout).ok()
    }

    /// Recordings of every connection that has ended so far.
    pub fn recordings(&self) -> Vec<Recording> {
        self.recordings
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Stops the server and joins its thread.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FakeServerThread {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

impl fmt::Display for RecordingEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClientClosed => "client closed",
            Self::ServerClosed => "server closed",
            Self::ServerReset => "server reset",
            Self::ReadError => "read error",
            Self::Shutdown => "shutdown",
        })
    }
}

impl fmt::Display for Recording {
    /// One line without the peer address: `connection 0: init 132 bytes, received 8608 bytes (2 × 4304 + 0), client closed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.received.len();
        write!(
            f,
            "connection {}: init {} bytes, received {n} bytes ({} x 4304 + {}), {}",
            self.index,
            self.init_sent.len(),
            n / codec::V3_PACKET_LEN,
            n % codec::V3_PACKET_LEN,
            self.end
        )
    }
}

/// `reelcheck nsca fake-server --fault ...`: serves on `addr` with `faults` until SIGINT
/// or SIGTERM, printing `listening on ADDR` and then one line per finished connection
/// on standard output; returns the exit code (0, or 2 when it cannot start).
pub fn fake_server_main(addr: SocketAddr, faults: Vec<Fault>) -> i32 {
    use std::io::Write;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fake-server: cannot start the runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            eprintln!("fake-server: cannot install signal handlers");
            return 2;
        };
        let mut server = match FakeServer::bind(addr, faults).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("fake-server: cannot bind {addr}: {e}");
                return 2;
            }
        };
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {}", server.local_addr());
        let _ = out.flush();
        loop {
            tokio::select! {
                rec = server.next_recording() => match rec {
                    Some(rec) => {
                        let _ = writeln!(out, "{rec}");
                        let _ = out.flush();
                    }
                    None => break,
                },
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        server.shutdown().await;
        0
    })
}
