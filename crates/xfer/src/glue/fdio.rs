//! Cancellable fd IO: reads, writes and `splice(2)` copies that wake up when
//! the transfer's [`CancelToken`] is raised.
//!
//! Every operation first tries the syscall; on `EAGAIN` (non-blocking pipes
//! the runtime created) it polls the data fd together with the token's fd.
//! For adopted fds that may block (`blocking = true`), it polls before each
//! read or write so a cancel still interrupts the wait.

use std::os::fd::{AsFd, BorrowedFd};

use nix::errno::Errno;
use nix::fcntl::{SpliceFFlags, splice};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::cancel::{CancelToken, TrackedFd};

/// Outcome of a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// This many bytes (at least 1) were read.
    Data(usize),
    /// End of file.
    Eof,
    /// The token was raised while waiting.
    Cancelled,
}

/// Outcome of writing a whole buffer, or of a copy loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrote {
    /// Everything was written (for copies: upstream reached EOF).
    All,
    /// The token was raised while waiting.
    Cancelled,
    /// The reader went away (`EPIPE`).
    BrokenPipe,
}

/// Whether IO on `fd` may block (an adopted fd rather than a runtime pipe).
pub fn may_block(fd: &TrackedFd) -> bool {
    !fd.is_runtime_pipe()
}

/// Waits until `fd` is ready for `events` or the token is raised;
/// returns `Ok(false)` when cancelled.
pub fn wait_ready(
    fd: BorrowedFd<'_>,
    events: PollFlags,
    token: Option<&CancelToken>,
) -> Result<bool, Errno> {
    loop {
        if token.is_some_and(CancelToken::is_triggered) {
            return Ok(false);
        }
        let mut fds = vec![PollFd::new(fd, events)];
        if let Some(t) = token {
            fds.push(PollFd::new(t.poll_fd(), PollFlags::POLLIN));
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
        if fds
            .get(1)
            .and_then(PollFd::revents)
            .is_some_and(|r| !r.is_empty())
        {
            return Ok(false);
        }
        if fds[0].revents().is_some_and(|r| !r.is_empty()) {
            return Ok(true);
        }
    }
}

/// Reads at most `buf.len()` bytes.
pub fn read_some(
    fd: &TrackedFd,
    buf: &mut [u8],
    token: Option<&CancelToken>,
) -> Result<Read, Errno> {
    if buf.is_empty() {
        return Ok(Read::Data(0));
    }
    let blocking = may_block(fd);
    loop {
        if blocking && !wait_ready(fd.as_fd(), PollFlags::POLLIN, token)? {
            return Ok(Read::Cancelled);
        }
        match nix::unistd::read(fd, buf) {
            Ok(0) => return Ok(Read::Eof),
            Ok(n) => return Ok(Read::Data(n)),
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => {
                if !wait_ready(fd.as_fd(), PollFlags::POLLIN, token)? {
                    return Ok(Read::Cancelled);
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Writes all of `data` in chunks of at most `cap` bytes, calling `moved`
/// after each successful write.
pub fn write_all(
    fd: &TrackedFd,
    mut data: &[u8],
    cap: usize,
    token: Option<&CancelToken>,
    mut moved: impl FnMut(usize),
) -> Result<Wrote, Errno> {
    let blocking = may_block(fd);
    let cap = cap.max(1);
    while !data.is_empty() {
        if blocking && !wait_ready(fd.as_fd(), PollFlags::POLLOUT, token)? {
            return Ok(Wrote::Cancelled);
        }
        let chunk = &data[..data.len().min(cap)];
        match nix::unistd::write(fd, chunk) {
            Ok(n) => {
                moved(n);
                data = &data[n..];
            }
            Err(Errno::EINTR) => {}
            Err(Errno::EPIPE) => return Ok(Wrote::BrokenPipe),
            Err(Errno::EAGAIN) => {
                if !wait_ready(fd.as_fd(), PollFlags::POLLOUT, token)? {
                    return Ok(Wrote::Cancelled);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Wrote::All)
}

/// Reads and discards until EOF (or an error, or the token if given).
pub fn drain(fd: &TrackedFd, token: Option<&CancelToken>) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(Read::Data(_)) = read_some(fd, &mut buf, token) {}
}

/// Outcome of [`splice_copy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spliced {
    /// Finished as a plain copy would (see [`Wrote`]).
    Done(Wrote),
    /// Neither end is a pipe (or splice is refused): nothing was moved, copy instead.
    Unsupported,
}

/// Moves bytes from `src` to `dst` with `splice(2)` in chunks of `chunk`
/// bytes until EOF, cancel or a broken pipe.
pub fn splice_copy(
    src: &TrackedFd,
    dst: &TrackedFd,
    chunk: usize,
    token: Option<&CancelToken>,
    mut moved: impl FnMut(usize),
) -> Result<Spliced, Errno> {
    let mut total = 0u64;
    let flags = SpliceFFlags::SPLICE_F_MOVE | SpliceFFlags::SPLICE_F_NONBLOCK;
    loop {
        if token.is_some_and(CancelToken::is_triggered) {
            return Ok(Spliced::Done(Wrote::Cancelled));
        }
        match splice(src, None, dst, None, chunk.max(1), flags) {
            Ok(0) => return Ok(Spliced::Done(Wrote::All)),
            Ok(n) => {
                total += n as u64;
                moved(n);
            }
            Err(Errno::EINTR) => {}
            Err(Errno::EPIPE) => return Ok(Spliced::Done(Wrote::BrokenPipe)),
            Err(Errno::EAGAIN) => {
                if !wait_ready(src.as_fd(), PollFlags::POLLIN, token)?
                    || !wait_ready(dst.as_fd(), PollFlags::POLLOUT, token)?
                {
                    return Ok(Spliced::Done(Wrote::Cancelled));
                }
            }
            Err(Errno::EINVAL | Errno::ENOSYS | Errno::EBADF) if total == 0 => {
                return Ok(Spliced::Unsupported);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Copies with read/write through a buffer of `buf_size` bytes until EOF,
/// cancel or a broken pipe.
pub fn copy_loop(
    src: &TrackedFd,
    dst: &TrackedFd,
    buf_size: usize,
    write_cap: usize,
    token: Option<&CancelToken>,
    mut moved: impl FnMut(usize),
) -> Result<Wrote, Errno> {
    let mut buf = vec![0u8; buf_size.max(1)];
    loop {
        match read_some(src, &mut buf, token)? {
            Read::Data(n) => match write_all(dst, &buf[..n], write_cap, token, &mut moved)? {
                Wrote::All => {}
                other => return Ok(other),
            },
            Read::Eof => return Ok(Wrote::All),
            Read::Cancelled => return Ok(Wrote::Cancelled),
        }
    }
}
