//! Accept loops: one task per listening socket, one task per accepted connection.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::conn::{self, ConnContext};
use super::error::ServerError;
use super::events::EventFn;
use super::settings::Settings;
use super::writer::WriterHandle;

/// What an accept loop needs to start connection tasks itself.
#[derive(Clone)]
pub(crate) struct Acceptor {
    /// The configuration in force (changes on reload).
    pub settings: watch::Receiver<Arc<Settings>>,
    /// The command-file writer.
    pub writer: WriterHandle,
    /// Event sink (logger and observer).
    pub events: EventFn,
    /// Read timeout per packet, and idle timeout.
    pub read_timeout: Duration,
    /// Becomes `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// Every connection task holds a clone, so the server knows when all have ended.
    pub alive: mpsc::Sender<()>,
}

impl Acceptor {
    /// A connection's context, with the configuration in force at this moment.
    fn context(&self) -> ConnContext {
        ConnContext {
            settings: Arc::clone(&self.settings.borrow()),
            writer: self.writer.clone(),
            events: Arc::clone(&self.events),
            read_timeout: self.read_timeout,
            shutdown: self.shutdown.clone(),
        }
    }
}

/// One accept loop per listener; each accepted connection gets its own task right
/// away, with the configuration in force at that moment.
pub(crate) fn spawn_acceptors(
    listeners: Vec<std::net::TcpListener>,
    acceptor: &Acceptor,
) -> Result<Vec<JoinHandle<()>>, ServerError> {
    let mut tasks = Vec::new();
    for std_listener in listeners {
        let addr = std_listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let listener = std_listener
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpListener::from_std(std_listener))
            .map_err(|source| ServerError::Bind {
                addr: addr.clone(),
                source,
            })?;
        tasks.push(tokio::spawn(accept_loop(listener, acceptor.clone())));
    }
    Ok(tasks)
}

/// Accepts connections until the server aborts the task.
async fn accept_loop(listener: tokio::net::TcpListener, acceptor: Acceptor) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let ctx = acceptor.context();
                let alive = acceptor.alive.clone();
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let (r, w) = stream.into_split();
                    conn::handle(r, w, Some(peer), ctx).await;
                    drop(alive);
                });
            }
            Err(_) => {
                // EMFILE and friends: back off briefly instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
