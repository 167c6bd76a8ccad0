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

pub mod fdio;
pub mod ring;

use std::sync::Mutex;

use crate::cancel::TrackedFd;
use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::{Mech, MechPair};
use crate::sync::lock;
use crate::tables::{self, TableVersion};
use fdio::{Read, Spliced, Wrote};
use ring::{RING_SLOTS, Ring};

/// What a glue pair does at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlueMode {
    /// WRITEFD→READFD: a pipe, no thread, no copy.
    Pipe,
    /// fd→fd: one thread, `splice(2)` or read/write.
    FdToFd,
    /// fd→PUSH_BUFFER: one thread, a fresh buffer per read.
    FdToPush,
    /// fd→PUSH_BUFFER_STATIC: one thread, one reused buffer.
    FdToPushStatic,
    /// fd→PULL_BUFFER: read on demand.
    FdToPull,
    /// fd→PULL_BUFFER_STATIC: read on demand into the caller's buffer.
    FdToPullStatic,
    /// PUSH_BUFFER→fd: write on demand.
    PushToFd,
    /// PUSH_BUFFER_STATIC→fd: write on demand.
    PushStaticToFd,
    /// PUSH_BUFFER→PULL_BUFFER: bounded queue.
    Queue,
    /// PUSH_BUFFER_STATIC→PULL_BUFFER_STATIC: bounded queue of copies (buffers recycled).
    QueueStatic,
    /// PULL_BUFFER→fd: one thread.
    PullToFd,
    /// PULL_BUFFER_STATIC→fd: one thread.
    PullStaticToFd,
    /// PULL_BUFFER→PUSH_BUFFER: one thread ("call and call").
    PullToPush,
    /// PULL_BUFFER_STATIC→PUSH_BUFFER_STATIC: one thread.
    PullStaticToPushStatic,
}

impl GlueMode {
    /// The runtime mode of a glue pair, or `None` if it cannot run here.
    pub fn of(input: Mech, output: Mech) -> Option<GlueMode> {
        use Mech::{PullBuffer, PullBufferStatic, PushBuffer, PushBufferStatic, ReadFd, WriteFd};
        let fd = |m: Mech| matches!(m, ReadFd | WriteFd);
        Some(match (input, output) {
            (WriteFd, ReadFd) => GlueMode::Pipe,
            (i, o) if fd(i) && fd(o) => GlueMode::FdToFd,
            (i, PushBuffer) if fd(i) => GlueMode::FdToPush,
            (i, PushBufferStatic) if fd(i) => GlueMode::FdToPushStatic,
            (i, PullBuffer) if fd(i) => GlueMode::FdToPull,
            (i, PullBufferStatic) if fd(i) => GlueMode::FdToPullStatic,
            (PushBuffer, o) if fd(o) => GlueMode::PushToFd,
            (PushBufferStatic, o) if fd(o) => GlueMode::PushStaticToFd,
            (PushBuffer, PullBuffer) => GlueMode::Queue,
            (PushBufferStatic, PullBufferStatic) => GlueMode::QueueStatic,
            (PullBuffer, o) if fd(o) => GlueMode::PullToFd,
            (PullBufferStatic, o) if fd(o) => GlueMode::PullStaticToFd,
            (PullBuffer, PushBuffer) => GlueMode::PullToPush,
            (PullBufferStatic, PushBufferStatic) => GlueMode::PullStaticToPushStatic,
            _ => return None,
        })
    }

    /// Whether the mode runs a thread of its own.
    pub fn has_thread(self) -> bool {
        matches!(
            self,
            GlueMode::FdToFd
                | GlueMode::FdToPush
                | GlueMode::FdToPushStatic
                | GlueMode::PullToFd
                | GlueMode::PullStaticToFd
                | GlueMode::PullToPush
                | GlueMode::PullStaticToPushStatic
        )
    }
}

/// Fds handed to neighbours (kept apart from [`Io`] so a handover never
/// waits for a blocked read or write).
#[derive(Debug, Default)]
struct Handoff {
    /// WRITEFD input: the pipe's write end, for upstream.
    input_fd: Option<TrackedFd>,
    /// READFD output: the pipe's read end, for downstream.
    output_fd: Option<TrackedFd>,
}

/// State used by the data path.
#[derive(Debug, Default)]
struct Io {
    read_fd: Option<TrackedFd>,
    write_fd: Option<TrackedFd>,
    /// Whether `read_fd` was already made or taken from upstream.
    read_taken: bool,
    /// Whether `write_fd` was already made or taken from downstream.
    write_taken: bool,
    /// Leftover of a queued buffer for static pulls.
    partial: Vec<u8>,
    partial_at: usize,
    /// Writing downstream stopped (broken pipe or cancel): drop further data.
    stopped: bool,
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

/// Makes a runtime pipe non-blocking (adopted fds stay as they are).
fn nonblocking(fd: &TrackedFd) -> Result<(), Error> {
    if fd.is_runtime_pipe() {
        fd.set_nonblocking(true)
            .map_err(|e| Error::errno("setting O_NONBLOCK", e))?;
    }
    Ok(())
}

/// Reports a broken pipe unless it is an orderly end.
fn broken_pipe(cx: &Cx<'_>) {
    if !cx.cancel_requested() && !cx.downstream_ignores_broken_pipe() {
        cx.fail(Error::Io {
            context: "writing downstream".into(),
            source: std::io::Error::from(nix::errno::Errno::EPIPE),
        });
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

/// Takes the upstream's output fd (READFD input) the first time it is needed.
fn ensure_read(cx: &Cx<'_>, io: &mut Io) -> Result<(), Error> {
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
fn ensure_write(cx: &Cx<'_>, io: &mut Io) -> Result<(), Error> {
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
fn read_on_demand(cx: &Cx<'_>, io: &mut Io, buf: &mut [u8]) -> Result<usize, Error> {
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
fn write_on_demand(cx: &Cx<'_>, io: &mut Io, buf: Option<&[u8]>) -> Result<(), Error> {
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

/// The body of a glue thread.
fn worker(cx: &Cx<'_>, mode: GlueMode, read_fd: Option<TrackedFd>, write_fd: Option<TrackedFd>) {
    match mode {
        GlueMode::FdToFd => fd_to_fd(cx, read_fd, write_fd),
        GlueMode::FdToPush | GlueMode::FdToPushStatic => {
            fd_to_push(cx, read_fd, mode == GlueMode::FdToPushStatic)
        }
        GlueMode::PullToFd | GlueMode::PullStaticToFd => {
            pull_to_fd(cx, write_fd, mode == GlueMode::PullStaticToFd);
        }
        GlueMode::PullToPush => pull_to_push(cx),
        GlueMode::PullStaticToPushStatic => pull_static_to_push_static(cx),
        _ => {}
    }
}

fn fd_to_fd(cx: &Cx<'_>, read_fd: Option<TrackedFd>, write_fd: Option<TrackedFd>) {
    let (Some(r), Some(w)) = (read_fd, write_fd) else {
        return;
    };
    let down = cx.downstream();
    let token = Some(cx.token());
    let faulty = cx.faults().max_read.is_some() || cx.faults().max_write.is_some();
    let chunk = cx.write_cap(cx.read_cap(cx.pipe_size().max(cx.buffer_size())));
    let mut outcome = if faulty {
        Ok(Spliced::Unsupported)
    } else {
        fdio::splice_copy(&r, &w, chunk, token, |n| cx.account(down, n))
    };
    if let Ok(Spliced::Unsupported) = outcome {
        let buf = cx.read_cap(cx.io_chunk());
        outcome = fdio::copy_loop(&r, &w, buf, cx.write_cap(buf), token, |n| {
            cx.account(down, n)
        })
        .map(Spliced::Done);
    }
    match outcome {
        Ok(Spliced::Done(Wrote::All)) | Ok(Spliced::Unsupported) => {}
        Ok(Spliced::Done(Wrote::Cancelled)) => {
            if cx.cancelled() && cx.expect_eof() {
                fdio::drain(&r, None);
            }
        }
        Ok(Spliced::Done(Wrote::BrokenPipe)) => {
            broken_pipe(cx);
            drop(w);
            // Let upstream finish normally instead of dying of SIGPIPE.
            fdio::drain(&r, Some(cx.token()));
        }
        Err(e) => cx.fail(Error::errno("copying between fds", e)),
    }
}

fn fd_to_push(cx: &Cx<'_>, read_fd: Option<TrackedFd>, stat: bool) {
    let me = cx.index();
    let size = cx.read_cap(cx.io_chunk());
    let mut reused = if stat { vec![0u8; size] } else { Vec::new() };
    let mut at_eof = read_fd.is_none();
    if let Some(r) = &read_fd {
        loop {
            if cx.cancelled() {
                break;
            }
            let mut fresh;
            let buf: &mut Vec<u8> = if stat {
                &mut reused
            } else {
                fresh = vec![0u8; size];
                &mut fresh
            };
            match fdio::read_some(r, buf, Some(cx.token())) {
                Ok(Read::Data(n)) => {
                    cx.account(me, n);
                    if stat {
                        push_static_chunks(cx, &buf[..n]);
                    } else {
                        buf.truncate(n);
                        push_chunks(cx, std::mem::take(buf));
                    }
                }
                Ok(Read::Eof) => {
                    at_eof = true;
                    break;
                }
                Ok(Read::Cancelled) => break,
                Err(e) => {
                    cx.fail(Error::errno("reading upstream fd", e));
                    break;
                }
            }
        }
        if !at_eof && cx.cancelled() && cx.expect_eof() {
            fdio::drain(r, None);
        }
    }
    drop(read_fd);
    if stat {
        cx.push_static(None);
    } else {
        cx.push(None);
    }
}

/// Pushes an owned buffer, split into `max_write` chunks if the fault hook asks.
fn push_chunks(cx: &Cx<'_>, buf: Vec<u8>) {
    let cap = cx.write_cap(buf.len());
    if cap >= buf.len() {
        cx.push(Some(buf));
    } else {
        for c in buf.chunks(cap) {
            cx.push(Some(c.to_vec()));
        }
    }
}

/// Pushes a borrowed buffer, split into `max_write` chunks if the fault hook asks.
fn push_static_chunks(cx: &Cx<'_>, buf: &[u8]) {
    let cap = cx.write_cap(buf.len()).max(1);
    for c in buf.chunks(cap) {
        cx.push_static(Some(c));
    }
}

/// Pulls until upstream's EOF, discarding (Amanda's `xfer_element_drain_buffers`).
fn drain_upstream(cx: &Cx<'_>, stat: bool) {
    let mut buf = vec![0u8; if stat { cx.buffer_size() } else { 0 }];
    loop {
        let more = if stat {
            cx.pull_static(&mut buf).is_some()
        } else {
            cx.pull().is_some()
        };
        if !more {
            break;
        }
    }
}

fn pull_to_fd(cx: &Cx<'_>, write_fd: Option<TrackedFd>, stat: bool) {
    let down = cx.downstream();
    let mut buf = vec![0u8; if stat { cx.read_cap(cx.io_chunk()) } else { 0 }];
    let mut at_eof = false;
    let mut w = write_fd;
    loop {
        if cx.cancelled() {
            break;
        }
        let data: Option<Vec<u8>>;
        let slice: &[u8] = if stat {
            match cx.pull_static(&mut buf) {
                Some(n) => &buf[..n],
                None => {
                    at_eof = true;
                    break;
                }
            }
        } else {
            data = cx.pull();
            match &data {
                Some(d) => d,
                None => {
                    at_eof = true;
                    break;
                }
            }
        };
        let Some(fd) = w.as_ref() else { continue };
        match fdio::write_all(
            fd,
            slice,
            cx.write_cap(slice.len()),
            Some(cx.token()),
            |n| cx.account(down, n),
        ) {
            Ok(Wrote::All) => {}
            Ok(Wrote::Cancelled) => break,
            Ok(Wrote::BrokenPipe) => {
                // Keep pulling (and discarding) so upstream ends normally.
                w = None;
                broken_pipe(cx);
            }
            Err(e) => {
                cx.fail(Error::errno("writing downstream fd", e));
                break;
            }
        }
    }
    drop(w);
    if !at_eof && cx.cancelled() && cx.expect_eof() {
        drain_upstream(cx, stat);
    }
}

fn pull_to_push(cx: &Cx<'_>) {
    let mut at_eof = false;
    while !cx.cancelled() {
        match cx.pull() {
            Some(b) => push_chunks(cx, b),
            None => {
                at_eof = true;
                break;
            }
        }
    }
    if !at_eof && cx.cancelled() && cx.expect_eof() {
        drain_upstream(cx, false);
    }
    cx.push(None);
}

fn pull_static_to_push_static(cx: &Cx<'_>) {
    let mut buf = vec![0u8; cx.read_cap(cx.buffer_size())];
    let mut at_eof = false;
    while !cx.cancelled() {
        match cx.pull_static(&mut buf) {
            Some(n) => push_static_chunks(cx, &buf[..n]),
            None => {
                at_eof = true;
                break;
            }
        }
    }
    if !at_eof && cx.cancelled() && cx.expect_eof() {
        drain_upstream(cx, true);
    }
    cx.push_static(None);
}
