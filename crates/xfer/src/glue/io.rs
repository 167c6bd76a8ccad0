//! The fd state of glue's data path ([`Io`]) and the IO every mode shares:
//! making runtime pipes non-blocking, taking neighbours' fds on first use,
//! reporting broken pipes, and the on-demand reads and writes that fd→PULL
//! and PUSH→fd glue does in the calling neighbour's thread.

use crate::cancel::TrackedFd;
use crate::element::Cx;
use crate::error::Error;
use crate::glue::fdio::{self, Read, Wrote};

/// State used by the data path.
#[derive(Debug, Default)]
pub(super) struct Io {
    /// The fd data is read from (fd input side).
    pub(super) read_fd: Option<TrackedFd>,
    /// The fd data is written to (fd output side).
    pub(super) write_fd: Option<TrackedFd>,
    /// Whether `read_fd` was already made or taken from upstream.
    pub(super) read_taken: bool,
    /// Whether `write_fd` was already made or taken from downstream.
    pub(super) write_taken: bool,
    /// Leftover of a queued buffer for static pulls.
    pub(super) partial: Vec<u8>,
    /// How much of `partial` was already handed out.
    pub(super) partial_at: usize,
    /// Writing downstream stopped (broken pipe or cancel): drop further data.
    pub(super) stopped: bool,
}

/// Makes a runtime pipe non-blocking (adopted fds stay as they are).
pub(super) fn nonblocking(fd: &TrackedFd) -> Result<(), Error> {
    if fd.is_runtime_pipe() {
        fd.set_nonblocking(true)
            .map_err(|e| Error::errno("setting O_NONBLOCK", e))?;
    }
    Ok(())
}

/// Reports a broken pipe unless it is an orderly end.
pub(super) fn broken_pipe(cx: &Cx<'_>) {
    if !cx.cancel_requested() && !cx.downstream_ignores_broken_pipe() {
        cx.fail(Error::Io {
            context: "writing downstream".into(),
            source: std::io::Error::from(nix::errno::Errno::EPIPE),
        });
    }
}

/// Takes the upstream's output fd (READFD input) the first time it is needed.
pub(super) fn ensure_read(cx: &Cx<'_>, io: &mut Io) -> Result<(), Error> {
    if !io.read_taken {
        io.read_taken = true;
        io.read_fd = cx.take_upstream_output_fd();
        if let Some(fd) = &io.read_fd {
            nonblocking(fd)?;
        }
    }
    Ok(())
}

/// Takes the downstream's input fd (WRITEFD output) the first time it is needed.
pub(super) fn ensure_write(cx: &Cx<'_>, io: &mut Io) -> Result<(), Error> {
    if !io.write_taken {
        io.write_taken = true;
        io.write_fd = cx.take_downstream_input_fd();
        if let Some(fd) = &io.write_fd {
            nonblocking(fd)?;
        }
    }
    Ok(())
}

/// fd→PULL: one read into `buf`; 0 means EOF (the fd is then closed).
pub(super) fn read_on_demand(cx: &Cx<'_>, io: &mut Io, buf: &mut [u8]) -> Result<usize, Error> {
    ensure_read(cx, io)?;
    let Some(fd) = io.read_fd.as_ref() else {
        return Ok(0);
    };
    if cx.cancelled() {
        finish_reading(cx, io, false);
        return Ok(0);
    }
    match fdio::read_some(fd, buf, Some(cx.token())) {
        Ok(Read::Data(n)) => {
            cx.account(cx.index(), n);
            Ok(n)
        }
        Ok(Read::Eof) => {
            finish_reading(cx, io, true);
            Ok(0)
        }
        Ok(Read::Cancelled) => {
            finish_reading(cx, io, false);
            Ok(0)
        }
        Err(e) => {
            io.read_fd = None;
            Err(Error::errno("reading upstream fd", e))
        }
    }
}

/// Closes the read side, first draining it if cancelled with `expect_eof`.
fn finish_reading(cx: &Cx<'_>, io: &mut Io, at_eof: bool) {
    if let Some(fd) = io.read_fd.take()
        && !at_eof
        && cx.cancelled()
        && cx.expect_eof()
    {
        fdio::drain(&fd, None);
    }
}

/// PUSH→fd: writes one buffer, or closes the fd at EOF.
pub(super) fn write_on_demand(cx: &Cx<'_>, io: &mut Io, buf: Option<&[u8]>) -> Result<(), Error> {
    let Some(data) = buf else {
        // EOF: close our end; take it first if no data ever came, so the
        // downstream reader sees EOF instead of waiting on an untaken fd.
        let _ = ensure_write(cx, io);
        io.write_fd = None;
        return Ok(());
    };
    if io.stopped || cx.cancelled() {
        io.stopped = true;
        return Ok(());
    }
    ensure_write(cx, io)?;
    let Some(fd) = io.write_fd.as_ref() else {
        return Ok(());
    };
    let down = cx.downstream();
    match fdio::write_all(fd, data, cx.write_cap(data.len()), Some(cx.token()), |n| {
        cx.account(down, n)
    }) {
        Ok(Wrote::All) => Ok(()),
        Ok(Wrote::Cancelled) => {
            io.stopped = true;
            Ok(())
        }
        Ok(Wrote::BrokenPipe) => {
            io.stopped = true;
            io.write_fd = None;
            broken_pipe(cx);
            Ok(())
        }
        Err(e) => {
            io.stopped = true;
            io.write_fd = None;
            Err(Error::errno("writing downstream fd", e))
        }
    }
}
