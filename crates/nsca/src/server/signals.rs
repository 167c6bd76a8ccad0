//! Unix signals to server controls: SIGHUP reloads, SIGTERM, SIGINT and SIGQUIT stop.

use super::error::ServerError;
use super::handle::ServerHandle;

/// Installs the signal handlers now (SIGHUP → [`ServerHandle::reload`], SIGTERM, SIGINT,
/// SIGQUIT → shutdown) and forwards signals to `handle` from a task.
///
/// The handlers are installed before this returns, so a signal raised afterwards is
/// never lost. Must be called within a tokio runtime.
pub fn spawn_signal_watcher(
    handle: ServerHandle,
) -> Result<tokio::task::JoinHandle<()>, ServerError> {
    use tokio::signal::unix::{SignalKind, signal};
    let io = || ServerError::io("installing signal handlers");
    let mut hup = signal(SignalKind::hangup()).map_err(io())?;
    let mut term = signal(SignalKind::terminate()).map_err(io())?;
    let mut int = signal(SignalKind::interrupt()).map_err(io())?;
    let mut quit = signal(SignalKind::quit()).map_err(io())?;
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = hup.recv() => handle.reload(),
                Some(()) = term.recv() => { handle.shutdown_by("TERM"); break; }
                Some(()) = int.recv() => { handle.shutdown_by("INT"); break; }
                Some(()) = quit.recv() => { handle.shutdown_by("QUIT"); break; }
                else => break,
            }
        }
    }))
}
