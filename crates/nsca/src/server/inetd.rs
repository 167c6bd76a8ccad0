//! `--inetd`: one connection on a descriptor inetd hands over (a socket or a pipe).

use std::os::fd::OwnedFd;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::conn::{self, ConnContext};
use super::error::ServerError;
use super::events::ServerEvent;
use super::listen::{self, FdKind};
use super::options::ServeOptions;
use super::startup::{Startup, spawn_writer};

/// Handles one connection on `fd` (a socket or pipe given by inetd) and returns once
/// every accepted result is written.
///
/// For a socket, the peer address comes from `getpeername`; for a pipe the init
/// packet goes to `out` (standard output under inetd) and the peer is unknown.
pub async fn run_inetd(
    options: &ServeOptions,
    fd: OwnedFd,
    out: Option<OwnedFd>,
    observer: Option<mpsc::UnboundedSender<ServerEvent>>,
) -> Result<(), ServerError> {
    let Startup {
        logger: _,
        settings,
        events,
    } = Startup::load(options, observer)?;
    let (writer, writer_task) = spawn_writer(options, &settings, &events);
    let (_shutdown_tx, shutdown_rx) = watch::channel(false);
    let ctx = ConnContext {
        settings: Arc::new(settings),
        writer: writer.clone(),
        events,
        read_timeout: options.read_timeout,
        shutdown: shutdown_rx,
    };
    serve_fd(fd, out, ctx).await?;
    drop(writer);
    let _ = writer_task.await;
    Ok(())
}

/// Runs the connection on `fd` as what it is: a TCP socket, a Unix socket or a pipe.
async fn serve_fd(fd: OwnedFd, out: Option<OwnedFd>, ctx: ConnContext) -> Result<(), ServerError> {
    let io = || ServerError::io("inetd socket");
    match listen::classify_fd(&fd) {
        FdKind::Inet(peer) => {
            let std = std::net::TcpStream::from(fd);
            std.set_nonblocking(true).map_err(io())?;
            let stream = tokio::net::TcpStream::from_std(std).map_err(io())?;
            let (r, w) = stream.into_split();
            conn::handle(r, w, peer, ctx).await;
        }
        FdKind::Unix => {
            let std = std::os::unix::net::UnixStream::from(fd);
            std.set_nonblocking(true).map_err(io())?;
            let stream = tokio::net::UnixStream::from_std(std).map_err(io())?;
            let (r, w) = stream.into_split();
            conn::handle(r, w, None, ctx).await;
        }
        FdKind::Other => {
            let reader = tokio::fs::File::from_std(std::fs::File::from(fd));
            let out = match out {
                Some(o) => o,
                None => std::io::stdout()
                    .lock()
                    .as_fd_owned()
                    .map_err(ServerError::io("standard output"))?,
            };
            let writer_half = tokio::fs::File::from_std(std::fs::File::from(out));
            conn::handle(reader, writer_half, None, ctx).await;
        }
    }
    Ok(())
}

/// An owned duplicate of a borrowed descriptor (standard input or output).
pub(crate) trait AsFdOwned {
    /// `dup`s the descriptor.
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd>;
}

impl<T: std::os::fd::AsFd> AsFdOwned for T {
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}
