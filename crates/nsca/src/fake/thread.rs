//! The fake server on its own thread and runtime, for blocking tests and the CLI.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use super::fault::Fault;
use super::recording::{Recording, RecordingLog};
use super::server::FakeServer;

/// A fake server on its own thread and runtime, for blocking tests and the CLI.
pub struct FakeServerThread {
    addr: SocketAddr,
    recordings: RecordingLog,
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
    /// Starts a fake server on `addr` (port 0 for any) with `faults` in a new thread, seed 0.
    pub fn start(addr: SocketAddr, faults: Vec<Fault>) -> std::io::Result<Self> {
        Self::start_seeded(addr, 0, faults)
    }

    /// As [`FakeServerThread::start`], drawing each connection's IV and timestamp
    /// from `seed` ([`super::init`]).
    pub fn start_seeded(addr: SocketAddr, seed: u64, faults: Vec<Fault>) -> std::io::Result<Self> {
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
                    let mut server = match FakeServer::bind_seeded(addr, seed, faults).await {
                        Ok(s) => s,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok((server.local_addr(), server.recording_log())));
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
        self.recordings.snapshot()
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
