//! Glue: the element the linker inserts between neighbours that speak
//! different mechanisms (Amanda's `element-glue.c`). Glue owns the threads.
//!
//! Thread model, as the 3.5 glue table's `nthreads` says:
//! - no thread: WRITEFD→READFD (a pipe), fd→PULL(_STATIC) (read on demand in
//!   the puller's thread), PUSH(_STATIC)→fd (write on demand in the pusher's
//!   thread), PUSH→PULL and PUSH_STATIC→PULL_STATIC (a [`ring::Ring`]);
//! - one thread: fd→fd (`splice(2)`, read/write fallback), fd→PUSH(_STATIC),
//!   PULL(_STATIC)→fd, PULL→PUSH, PULL_STATIC→PUSH_STATIC.
//!
//! An fd input side is READFD (take the upstream's output fd at start) or
//! WRITEFD (a pipe made at setup, whose write end upstream takes); an fd
//! output side is WRITEFD (take the downstream's input fd) or READFD (a pipe
//! whose read end downstream takes). DirectTCP, MEM_RING and SHM_RING pairs
//! link for cost comparisons but do not run: [`Glue::runnable_mode`] says
//! [`Error::NotSupported`].
//!
//! Files: `mode` (which pairs run, and how), `io` (the data path's fd state
//! and on-demand IO in the caller's thread), `worker` (the threaded modes),
//! `fdio` (cancellable fd syscalls), `ring` (the PUSH→PULL queue).

pub mod fdio;
mod io;
mod mode;
pub mod ring;
mod worker;

pub use mode::GlueMode;

use std::sync::Mutex;

use crate::cancel::TrackedFd;
use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::{Mech, MechPair};
use crate::sync::lock;
use crate::tables::{self, TableVersion};
use io::{Io, ensure_read, ensure_write, nonblocking, read_on_demand, write_on_demand};
use ring::{RING_SLOTS, Ring};
use worker::worker;

/// Fds handed to neighbours (kept apart from [`Io`] so a handover never
/// waits for a blocked read or write).
#[derive(Debug, Default)]
struct Handoff {
    /// WRITEFD input: the pipe's write end, for upstream.
    input_fd: Option<TrackedFd>,
    /// READFD output: the pipe's read end, for downstream.
    output_fd: Option<TrackedFd>,
}

/// A glue element for one mechanism pair.
#[derive(Debug)]
pub struct Glue {
    pair: MechPair,
    mode: Option<GlueMode>,
    handoff: Mutex<Handoff>,
    io: Mutex<Io>,
    ring: Option<Ring>,
    /// PUSH_BUFFER_STATIC→PULL_BUFFER_STATIC: a spent buffer the ring handed back, filled by
    /// the next push (only the pushing thread touches it).
    spare: Mutex<Option<Vec<u8>>>,
}

impl Glue {
    /// Glue for `pair` (as chosen by the linker).
    pub fn new(pair: MechPair) -> Glue {
        let mode = GlueMode::of(pair.input, pair.output);
        let ring = matches!(mode, Some(GlueMode::Queue | GlueMode::QueueStatic))
            .then(|| Ring::new(RING_SLOTS));
        Glue {
            pair,
            mode,
            handoff: Mutex::default(),
            io: Mutex::default(),
            ring,
            spare: Mutex::default(),
        }
    }

    /// The pair this glue runs.
    pub fn pair(&self) -> MechPair {
        self.pair
    }

    /// The runtime mode, if the pair can run.
    pub fn mode(&self) -> Option<GlueMode> {
        self.mode
    }

    /// The mode if this runtime can run the pair, else [`Error::NotSupported`].
    pub fn runnable_mode(&self) -> Result<GlueMode, Error> {
        self.mode.ok_or_else(|| Error::NotSupported {
            what: format!("glue {}->{}", self.pair.input, self.pair.output),
        })
    }
}

impl Element for Glue {
    fn name(&self) -> &str {
        "glue"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        Some(tables::glue_pairs(version))
    }

    fn can_generate_eof(&self) -> bool {
        true
    }

    fn check_runnable(&self) -> Result<(), Error> {
        self.runnable_mode().map(|_| ())
    }

    fn setup(&self, cx: &Cx<'_>, input: Mech, output: Mech) -> Result<(), Error> {
        let mode = self.runnable_mode()?;
        debug_assert_eq!((input, output), (self.pair.input, self.pair.output));
        let pipe = || {
            let (r, w) = cx
                .registry()
                .pipe()
                .map_err(|e| Error::errno("creating a pipe", e))?;
            r.try_set_pipe_size(cx.pipe_size());
            Ok::<_, Error>((r, w))
        };
        let mut handoff = lock(&self.handoff);
        let mut io = lock(&self.io);
        if mode == GlueMode::Pipe {
            let (r, w) = pipe()?;
            handoff.input_fd = Some(w);
            handoff.output_fd = Some(r);
            return Ok(());
        }
        if input == Mech::WriteFd {
            let (r, w) = pipe()?;
            nonblocking(&r)?;
            handoff.input_fd = Some(w);
            io.read_fd = Some(r);
            io.read_taken = true;
        }
        if output == Mech::ReadFd {
            let (r, w) = pipe()?;
            nonblocking(&w)?;
            handoff.output_fd = Some(r);
            io.write_fd = Some(w);
            io.write_taken = true;
        }
        Ok(())
    }

    fn start(&self, cx: &Cx<'_>) -> Result<(), Error> {
        let mode = self.runnable_mode()?;
        // On-demand modes fetch neighbour fds lazily, on first use, from the
        // calling thread (as Amanda's glue does): a puller downstream may
        // call before this start, and start must never wait on a data-path lock.
        if !mode.has_thread() {
            return Ok(());
        }
        let (read_fd, write_fd) = {
            let mut io = lock(&self.io);
            ensure_read(cx, &mut io)?;
            ensure_write(cx, &mut io)?;
            (io.read_fd.take(), io.write_fd.take())
        };
        cx.spawn(
            &format!("{}-{}", self.pair.input, self.pair.output),
            move |cx| {
                worker(cx, mode, read_fd, write_fd);
            },
        )
    }

    fn cancel(&self, _expect_eof: bool) -> bool {
        if let Some(r) = &self.ring {
            r.cancel();
        }
        true
    }

    fn take_input_fd(&self) -> Option<TrackedFd> {
        lock(&self.handoff).input_fd.take()
    }

    fn take_output_fd(&self) -> Option<TrackedFd> {
        lock(&self.handoff).output_fd.take()
    }

    fn pull_buffer(&self, cx: &Cx<'_>) -> Result<Option<Vec<u8>>, Error> {
        match self.mode {
            Some(GlueMode::Queue) => Ok(self.ring.as_ref().and_then(Ring::pull)),
            Some(GlueMode::FdToPull) => {
                let mut io = lock(&self.io);
                let mut buf = vec![0u8; cx.read_cap(cx.buffer_size())];
                let n = read_on_demand(cx, &mut io, &mut buf)?;
                buf.truncate(n);
                Ok((n > 0).then_some(buf))
            }
            _ => Err(Error::Unsupported { op: "pull_buffer" }),
        }
    }

    fn pull_buffer_static(&self, cx: &Cx<'_>, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        match self.mode {
            Some(GlueMode::QueueStatic) => {
                let mut io = lock(&self.io);
                if io.partial_at >= io.partial.len() {
                    let spent = std::mem::take(&mut io.partial);
                    let next = self
                        .ring
                        .as_ref()
                        .and_then(|r| r.pull_recycling(Some(spent)));
                    match next {
                        Some(b) => {
                            io.partial = b;
                            io.partial_at = 0;
                        }
                        None => return Ok(None),
                    }
                }
                let at = io.partial_at;
                let n = buf.len().min(io.partial.len() - at);
                buf[..n].copy_from_slice(&io.partial[at..at + n]);
                io.partial_at += n;
                Ok(Some(n))
            }
            Some(GlueMode::FdToPullStatic) => {
                let mut io = lock(&self.io);
                let cap = cx.read_cap(buf.len());
                let n = read_on_demand(cx, &mut io, &mut buf[..cap])?;
                Ok((n > 0).then_some(n))
            }
            _ => Err(Error::Unsupported {
                op: "pull_buffer_static",
            }),
        }
    }

    fn push_buffer(&self, cx: &Cx<'_>, buf: Option<Vec<u8>>) -> Result<(), Error> {
        match self.mode {
            Some(GlueMode::Queue) => {
                if let Some(r) = &self.ring {
                    r.push(buf);
                }
                Ok(())
            }
            Some(GlueMode::PushToFd) => write_on_demand(cx, &mut lock(&self.io), buf.as_deref()),
            _ => Err(Error::Unsupported { op: "push_buffer" }),
        }
    }

    fn push_buffer_static(&self, cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        match self.mode {
            Some(GlueMode::QueueStatic) => {
                if let Some(r) = &self.ring {
                    let mut spare = lock(&self.spare);
                    let copy = buf.map(|data| {
                        let mut b = spare.take().unwrap_or_default();
                        b.clear();
                        b.extend_from_slice(data);
                        b
                    });
                    *spare = r.push_recycling(copy).1;
                }
                Ok(())
            }
            Some(GlueMode::PushStaticToFd) => write_on_demand(cx, &mut lock(&self.io), buf),
            _ => Err(Error::Unsupported {
                op: "push_buffer_static",
            }),
        }
    }
}
