//! [`ServerHandle`]: reloads or stops a running server from another task or a signal.

use tokio::sync::mpsc;

/// A request to a running server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    /// Re-read the configuration.
    Reload,
    /// Stop; the name of the signal (or "request").
    Shutdown(&'static str),
}

/// Controls a running [`Server`](super::daemon::Server) from another task (or a signal
/// handler).
#[derive(Clone, Debug)]
pub struct ServerHandle {
    tx: mpsc::UnboundedSender<Control>,
}

impl ServerHandle {
    /// A handle sending to `tx`.
    pub(crate) fn new(tx: mpsc::UnboundedSender<Control>) -> Self {
        Self { tx }
    }

    /// Re-reads nsca.cfg and the authz file (like SIGHUP).
    pub fn reload(&self) {
        let _ = self.tx.send(Control::Reload);
    }

    /// Stops accepting, ends connections and writes every accepted result (like SIGTERM).
    pub fn shutdown(&self) {
        let _ = self.tx.send(Control::Shutdown("request"));
    }

    /// Stops the server on `signal` (TERM, INT, QUIT).
    pub(crate) fn shutdown_by(&self, signal: &'static str) {
        let _ = self.tx.send(Control::Shutdown(signal));
    }
}
