//! The fake server on the caller's tokio runtime: accept loop and one task per connection.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

use super::fault::Fault;
use super::init::init_packet;
use super::recording::{Recording, RecordingEnd, RecordingLog};
use crate::codec::{self, INIT_PACKET_LEN, InitPacket};

/// A running fake server.
pub struct FakeServer {
    addr: SocketAddr,
    recordings: RecordingLog,
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
    /// Binds `addr` (use port 0) and starts serving with `faults` on the current runtime,
    /// seed 0 (see [`FakeServer::bind_seeded`]).
    pub async fn bind(addr: SocketAddr, faults: Vec<Fault>) -> std::io::Result<Self> {
        Self::bind_seeded(addr, 0, faults).await
    }

    /// As [`FakeServer::bind`], with each connection's IV and timestamp drawn from
    /// `seed` ([`super::init`]).
    pub async fn bind_seeded(
        addr: SocketAddr,
        seed: u64,
        faults: Vec<Fault>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let recordings = RecordingLog::default();
        let (done_tx, done) = mpsc::unbounded_channel();
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(
            listener,
            seed,
            Arc::new(faults),
            recordings.clone(),
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
        self.recordings.snapshot()
    }

    /// The shared log behind [`FakeServer::recordings`] (for [`super::thread::FakeServerThread`]).
    pub(crate) fn recording_log(&self) -> RecordingLog {
        self.recordings.clone()
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    seed: u64,
    faults: Arc<Vec<Fault>>,
    recordings: RecordingLog,
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
                let recordings = recordings.clone();
                let done = done.clone();
                let stop = stop.clone();
                let i = index;
                index += 1;
                tasks.spawn(async move {
                    let init = init_packet(seed, i, &faults);
                    let rec = serve_one(stream, peer, i, init, &faults, stop).await;
                    recordings.push(rec.clone());
                    let _ = done.send(rec);
                });
            }
            _ = stop.changed() => break,
        }
    }
    // Connections see the stop signal too; wait for their recordings.
    while tasks.join_next().await.is_some() {}
}

/// Plays one connection under `faults` and returns what it saw.
async fn serve_one(
    mut stream: TcpStream,
    peer: SocketAddr,
    index: usize,
    init: InitPacket,
    faults: &[Fault],
    mut stop: watch::Receiver<bool>,
) -> Recording {
    let mut rec = Recording {
        index,
        peer,
        init_sent: Vec::new(),
        iv: init.iv.to_vec(),
        timestamp: init.timestamp,
        received: Vec::new(),
        end: RecordingEnd::ClientClosed,
    };
    if let Some(end) = init_stage(&mut stream, faults, &init, &mut rec.init_sent, &mut stop).await {
        rec.end = end;
        return rec;
    }
    rec.end = data_stage(&mut stream, faults, &mut rec.received, &mut stop).await;
    rec
}

/// Sends the init packet as the init-stage faults say (recording what was sent);
/// `Some(end)` when the connection ends there.
async fn init_stage(
    stream: &mut TcpStream,
    faults: &[Fault],
    init: &InitPacket,
    init_sent: &mut Vec<u8>,
    stop: &mut watch::Receiver<bool>,
) -> Option<RecordingEnd> {
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
        Some(Fault::CloseImmediately) => return Some(RecordingEnd::ServerClosed),
        Some(Fault::ShortInit { bytes: n }) => {
            let n = (*n).min(INIT_PACKET_LEN);
            let part = bytes.get(..n).unwrap_or_default();
            if stream.write_all(part).await.is_ok() {
                *init_sent = part.to_vec();
            }
            let _ = stream.shutdown().await;
            return Some(RecordingEnd::ServerClosed);
        }
        Some(Fault::NoInit) => return None,
        Some(Fault::DelayInit { millis }) => {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(*millis)) => {}
                _ = stop.changed() => return Some(RecordingEnd::Shutdown),
            }
        }
        _ => {}
    }
    if stream.write_all(&bytes).await.is_ok() {
        *init_sent = bytes.to_vec();
    }
    None
}

/// The data-stage close fault: after how many bytes, and whether with a reset.
fn close_fault(faults: &[Fault]) -> Option<(usize, bool)> {
    faults.iter().find_map(|f| match f {
        Fault::CloseAfterBytes { bytes } => Some((*bytes, false)),
        Fault::CloseBetweenPackets { packets } => {
            Some((packets.saturating_mul(codec::V3_PACKET_LEN), false))
        }
        Fault::ResetAfterBytes { bytes } => Some((*bytes, true)),
        _ => None,
    })
}

/// The slow-reads fault: bytes per read and the pause before each.
fn slow_fault(faults: &[Fault]) -> Option<(usize, Duration)> {
    faults.iter().find_map(|f| match f {
        Fault::SlowReads {
            chunk,
            interval_millis,
        } => Some(((*chunk).max(1), Duration::from_millis(*interval_millis))),
        _ => None,
    })
}

/// Reads what the client sends into `received`, applying the data-stage faults, until the
/// connection ends; returns how it ended.
async fn data_stage(
    stream: &mut TcpStream,
    faults: &[Fault],
    received: &mut Vec<u8>,
    stop: &mut watch::Receiver<bool>,
) -> RecordingEnd {
    let close_at = close_fault(faults);
    let slow = slow_fault(faults);
    let mut buf = vec![0u8; 65536];
    // Bounded by the client: every iteration consumes bytes or ends the connection.
    loop {
        if let Some((limit, reset)) = close_at
            && received.len() >= limit
        {
            if reset {
                let _ = stream.set_zero_linger();
                return RecordingEnd::ServerReset;
            }
            let _ = stream.shutdown().await;
            return RecordingEnd::ServerClosed;
        }
        let mut want = buf.len();
        if let Some((limit, _)) = close_at {
            want = want.min(limit - received.len());
        }
        if let Some((chunk, interval)) = slow {
            want = want.min(chunk);
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stop.changed() => return RecordingEnd::Shutdown,
            }
        }
        let read = tokio::select! {
            r = stream.read(&mut buf[..want]) => r,
            _ = stop.changed() => return RecordingEnd::Shutdown,
        };
        match read {
            Ok(0) => return RecordingEnd::ClientClosed,
            Ok(n) => received.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(_) => return RecordingEnd::ReadError,
        }
    }
}
