//! Cancellation and leak accounting for one transfer.
//!
//! [`CancelToken`] is the transfer-wide "stop" signal: an atomic flag plus a
//! pipe whose write end is closed on cancel, so every thread blocked in
//! `poll(2)` on an fd it moves data through wakes up at once.
//! [`Registry`] counts the threads, file descriptors and child processes a
//! transfer creates and releases; [`TrackedFd`] is an fd that reports its
//! close to the registry.
//! Tests run as threads of one process, so leak checks use these
//! per-transfer counts rather than process-wide ones.

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use serde::{Deserialize, Serialize};

/// Per-transfer counters of resources created and released.
#[derive(Debug, Default)]
pub struct Registry {
    threads_spawned: AtomicU64,
    threads_joined: AtomicU64,
    fds_opened: AtomicU64,
    fds_closed: AtomicU64,
    children_spawned: AtomicU64,
    children_reaped: AtomicU64,
}

impl Registry {
    /// A registry with every counter at zero.
    pub fn new() -> Arc<Registry> {
        Arc::new(Registry::default())
    }

    /// Records a spawned thread.
    pub fn thread_spawned(&self) {
        self.threads_spawned.fetch_add(1, Ordering::SeqCst);
    }

    /// Records a joined thread.
    pub fn thread_joined(&self) {
        self.threads_joined.fetch_add(1, Ordering::SeqCst);
    }

    /// Records a spawned child process.
    pub fn child_spawned(&self) {
        self.children_spawned.fetch_add(1, Ordering::SeqCst);
    }

    /// Records a reaped child process.
    pub fn child_reaped(&self) {
        self.children_reaped.fetch_add(1, Ordering::SeqCst);
    }

    /// Takes ownership of `fd`, counting it open until the [`TrackedFd`] drops.
    /// The fd is marked close-on-exec, so no child process inherits it.
    pub fn track(self: &Arc<Self>, fd: OwnedFd) -> TrackedFd {
        // Adopted fds may lack FD_CLOEXEC; a leaked copy in an unrelated child
        // would hold a pipe open and delay EOF. Failure leaves the flag as it was.
        let _ = fcntl(&fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC));
        self.fds_opened.fetch_add(1, Ordering::SeqCst);
        TrackedFd {
            fd: Some(fd),
            registry: Arc::clone(self),
            runtime_pipe: false,
        }
    }

    /// Creates a close-on-exec pipe `(read end, write end)`, both tracked.
    pub fn pipe(self: &Arc<Self>) -> nix::Result<(TrackedFd, TrackedFd)> {
        let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        let (mut r, mut w) = (self.track(r), self.track(w));
        r.runtime_pipe = true;
        w.runtime_pipe = true;
        Ok((r, w))
    }

    /// A snapshot of the counters.
    pub fn counts(&self) -> LeakCounts {
        LeakCounts {
            threads_spawned: self.threads_spawned.load(Ordering::SeqCst),
            threads_joined: self.threads_joined.load(Ordering::SeqCst),
            fds_opened: self.fds_opened.load(Ordering::SeqCst),
            fds_closed: self.fds_closed.load(Ordering::SeqCst),
            children_spawned: self.children_spawned.load(Ordering::SeqCst),
            children_reaped: self.children_reaped.load(Ordering::SeqCst),
        }
    }
}

/// Resource counters of one transfer, as [`crate::transfer::Summary`] reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakCounts {
    /// Threads started by glue and process elements and by the dispatcher.
    pub threads_spawned: u64,
    /// Threads joined.
    pub threads_joined: u64,
    /// File descriptors created or adopted by the transfer.
    pub fds_opened: u64,
    /// File descriptors closed (or handed to a child and closed in the parent).
    pub fds_closed: u64,
    /// Child processes spawned.
    pub children_spawned: u64,
    /// Child processes reaped.
    pub children_reaped: u64,
}

impl LeakCounts {
    /// True when everything created was released.
    pub fn is_clean(&self) -> bool {
        self.threads_spawned == self.threads_joined
            && self.fds_opened == self.fds_closed
            && self.children_spawned == self.children_reaped
    }
}

impl fmt::Display for LeakCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "threads {}/{} fds {}/{} children {}/{}",
            self.threads_joined,
            self.threads_spawned,
            self.fds_closed,
            self.fds_opened,
            self.children_reaped,
            self.children_spawned
        )
    }
}

/// An owned fd whose close is counted by its transfer's [`Registry`].
#[derive(Debug)]
pub struct TrackedFd {
    fd: Option<OwnedFd>,
    registry: Arc<Registry>,
    runtime_pipe: bool,
}

impl TrackedFd {
    /// Whether this is an end of a pipe the transfer created (so the runtime
    /// may switch it to non-blocking mode), rather than an adopted user fd.
    pub fn is_runtime_pipe(&self) -> bool {
        self.runtime_pipe
    }

    /// Gives up tracking and returns the raw owned fd (counted as closed here:
    /// the caller hands it to a child process, which closes the parent's copy).
    pub fn into_owned(mut self) -> Option<OwnedFd> {
        let fd = self.fd.take();
        if fd.is_some() {
            self.registry.fds_closed.fetch_add(1, Ordering::SeqCst);
        }
        fd
    }

    /// Sets or clears `O_NONBLOCK` on the open file description.
    pub fn set_nonblocking(&self, on: bool) -> nix::Result<()> {
        let Some(fd) = self.fd.as_ref() else {
            return Ok(());
        };
        let flags = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL)?);
        let want = if on {
            flags | OFlag::O_NONBLOCK
        } else {
            flags - OFlag::O_NONBLOCK
        };
        if want != flags {
            fcntl(fd, FcntlArg::F_SETFL(want))?;
        }
        Ok(())
    }

    /// Asks the kernel for a pipe buffer of `bytes`; refusals are ignored.
    pub fn try_set_pipe_size(&self, bytes: usize) {
        if let (Some(fd), Ok(size)) = (self.fd.as_ref(), i32::try_from(bytes)) {
            // A refusal (EPERM above pipe-max-size, EINVAL on a non-pipe) keeps
            // the default size, which is correct, only slower.
            let _ = fcntl(fd, FcntlArg::F_SETPIPE_SZ(size));
        }
    }
}

impl AsFd for TrackedFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self.fd.as_ref() {
            Some(fd) => fd.as_fd(),
            // `fd` is only `None` after `into_owned`, which consumes `self`.
            None => unreachable!("TrackedFd used after into_owned"),
        }
    }
}

impl AsRawFd for TrackedFd {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

impl Drop for TrackedFd {
    fn drop(&mut self) {
        if self.fd.take().is_some() {
            self.registry.fds_closed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// The transfer-wide cancel signal: a flag plus a pipe that becomes readable
/// (hang-up) when the flag is raised, for `poll(2)`.
#[derive(Debug)]
pub struct CancelToken {
    flag: AtomicBool,
    read_end: TrackedFd,
    write_end: Mutex<Option<TrackedFd>>,
}

impl CancelToken {
    /// A fresh, unraised token whose pipe is counted in `registry`.
    pub fn new(registry: &Arc<Registry>) -> nix::Result<CancelToken> {
        let (r, w) = registry.pipe()?;
        Ok(CancelToken {
            flag: AtomicBool::new(false),
            read_end: r,
            write_end: Mutex::new(Some(w)),
        })
    }

    /// Raises the token; idempotent, never blocks on IO.
    pub fn trigger(&self) {
        self.flag.store(true, Ordering::SeqCst);
        let w = self
            .write_end
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(w);
    }

    /// Whether [`CancelToken::trigger`] was called.
    pub fn is_triggered(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// The fd to poll for `POLLIN`/`POLLHUP`; ready once triggered.
    pub fn poll_fd(&self) -> BorrowedFd<'_> {
        self.read_end.as_fd()
    }
}
