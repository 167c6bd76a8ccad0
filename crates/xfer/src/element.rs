//! The [`Element`] trait (Amanda's `XferElement`) and [`Cx`], an element's
//! view of its transfer.
//!
//! Lifecycle, driven by [`crate::transfer::Xfer`]:
//! 1. `setup` on every element, source to destination, with the mechanisms
//!    the linker chose; elements create the fds their neighbours will take
//!    (`take_output_fd` for READFD, `take_input_fd` for WRITEFD).
//! 2. `start` on every element, destination to source; elements that need a
//!    thread (glue) or a child process spawn it through [`Cx::spawn`].
//!    Every spawned thread counts as an active element and ends with a `DONE`.
//! 3. Data moves through the entry points: `pull_buffer`, `pull_buffer_static`,
//!    `push_buffer`, `push_buffer_static` (called by a neighbour's thread,
//!    reaching the next neighbour through [`Cx`]), or through fds.
//! 4. `cancel(expect_eof)` is called once, source to destination, from the
//!    dispatcher thread; it must not block.
//!
//! Elements hold their state behind `&self` (interior mutability) because
//! the element upstream of a PUSH→PULL queue is driven by one thread and the
//! one downstream by another.
//!
//! [`Cx`] reaches its neighbours through the crate-private `Chain`, the
//! linked elements plus the runtime state they share; the trait, `Cx` and
//! `Chain` live together because each names the others.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::cancel::{CancelToken, Registry, TrackedFd};
use crate::error::Error;
use crate::mech::{Mech, MechPair};
use crate::msg::{EltRef, MsgKind};
use crate::tables::TableVersion;
use crate::transfer::chain::Shared;
use crate::transfer::config::Faults;

/// One stage of a transfer (source, filter, destination or glue).
pub trait Element: Send + Sync {
    /// Short name used in messages and linkage renderings (`random`, `xor`, ...).
    fn name(&self) -> &str;

    /// The mechanism pairs this element supports under `version`'s tables,
    /// in Amanda's table order; `None` if the element does not exist there.
    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]>;

    /// Whether the element can end its output early when cancelled
    /// (Amanda's `can_generate_eof`).
    fn can_generate_eof(&self) -> bool {
        false
    }

    /// Whether a broken pipe while writing to this element's input fd is an
    /// orderly early end rather than an error (Amanda's `ignore_broken_pipe`).
    fn ignore_broken_pipe(&self) -> bool {
        false
    }

    /// `Ok` if this runtime can run the element as configured; cost-only
    /// descriptors and unsupported glue say [`Error::NotSupported`].
    fn check_runnable(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Prepares the element for the chosen mechanisms; creates fds for neighbours.
    fn setup(&self, cx: &Cx<'_>, input: Mech, output: Mech) -> Result<(), Error> {
        let _ = (cx, input, output);
        Ok(())
    }

    /// Starts the element: takes neighbours' fds, spawns threads or children.
    fn start(&self, cx: &Cx<'_>) -> Result<(), Error> {
        let _ = cx;
        Ok(())
    }

    /// Tells the element the transfer is cancelled; returns whether it can
    /// still generate an EOF downstream. Must not block.
    fn cancel(&self, expect_eof: bool) -> bool {
        let _ = expect_eof;
        self.can_generate_eof()
    }

    /// PULL_BUFFER: returns the next owned buffer, `None` at EOF.
    fn pull_buffer(&self, cx: &Cx<'_>) -> Result<Option<Vec<u8>>, Error> {
        let _ = cx;
        Err(Error::Unsupported { op: "pull_buffer" })
    }

    /// PULL_BUFFER_STATIC: fills the caller's buffer; returns `Some(n)` with
    /// `n >= 1`, or `None` at EOF.
    fn pull_buffer_static(&self, cx: &Cx<'_>, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        let _ = (cx, buf);
        Err(Error::Unsupported {
            op: "pull_buffer_static",
        })
    }

    /// PUSH_BUFFER: takes ownership of a buffer; `None` is EOF.
    fn push_buffer(&self, cx: &Cx<'_>, buf: Option<Vec<u8>>) -> Result<(), Error> {
        let _ = (cx, buf);
        Err(Error::Unsupported { op: "push_buffer" })
    }

    /// PUSH_BUFFER_STATIC: reads a borrowed buffer; `None` is EOF.
    fn push_buffer_static(&self, cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        let _ = (cx, buf);
        Err(Error::Unsupported {
            op: "push_buffer_static",
        })
    }

    /// READFD: hands the fd the downstream element will read (once).
    fn take_output_fd(&self) -> Option<TrackedFd> {
        None
    }

    /// WRITEFD: hands the fd the upstream element will write (once).
    fn take_input_fd(&self) -> Option<TrackedFd> {
        None
    }
}

/// The linked elements of a transfer (glue included) plus the runtime state they share.
pub(crate) struct Chain {
    /// The elements, by index.
    pub elems: Vec<Box<dyn Element>>,
    /// What the runtime keeps outside the elements.
    pub shared: Shared,
}

impl AsRef<Shared> for Chain {
    fn as_ref(&self) -> &Shared {
        &self.shared
    }
}

impl Chain {
    /// Element `idx` by name and index.
    pub(crate) fn elt(&self, idx: usize) -> EltRef {
        self.shared.elt(idx)
    }

    /// Cancels every element, source to destination, then raises the token.
    pub(crate) fn cancel_all(&self) {
        let mut expect_eof = false;
        for (i, e) in self.elems.iter().enumerate() {
            self.shared.flags[i]
                .expect_eof
                .store(expect_eof, Ordering::SeqCst);
            self.shared.flags[i].cancelled.store(true, Ordering::SeqCst);
            expect_eof = e.cancel(expect_eof) || expect_eof;
        }
        self.shared.token.trigger();
    }
}

/// An element's view of its running transfer: neighbours, messages,
/// cancellation state, configuration and resource accounting.
pub struct Cx<'a> {
    chain: &'a Arc<Chain>,
    idx: usize,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(chain: &'a Arc<Chain>, idx: usize) -> Cx<'a> {
        Cx { chain, idx }
    }

    fn at(&self, idx: usize) -> Cx<'a> {
        Cx {
            chain: self.chain,
            idx,
        }
    }

    /// This element's index in the linked chain.
    pub fn index(&self) -> usize {
        self.idx
    }

    /// This element's name.
    pub fn name(&self) -> &str {
        self.chain
            .shared
            .names
            .get(self.idx)
            .map_or("?", String::as_str)
    }

    /// Size of the buffers glue allocates and sources produce (default 32 KiB).
    pub fn buffer_size(&self) -> usize {
        self.chain.shared.config.buffer_size.max(1)
    }

    /// Bytes a glue thread moves per fd syscall (at least [`Cx::buffer_size`]).
    pub fn io_chunk(&self) -> usize {
        self.chain.shared.config.io_chunk.max(self.buffer_size())
    }

    /// Pipe buffer size glue asks the kernel for.
    pub fn pipe_size(&self) -> usize {
        self.chain.shared.config.pipe_size
    }

    /// The transfer's fault hooks.
    pub fn faults(&self) -> &Faults {
        &self.chain.shared.config.faults
    }

    /// Largest chunk to read at once (fault hook `max_read`, else `len`).
    pub fn read_cap(&self, len: usize) -> usize {
        self.faults().max_read.map_or(len, |m| len.min(m.max(1)))
    }

    /// Largest chunk to write at once (fault hook `max_write`, else `len`).
    pub fn write_cap(&self, len: usize) -> usize {
        self.faults().max_write.map_or(len, |m| len.min(m.max(1)))
    }

    /// The transfer's resource registry (pipes and fds go through it).
    pub fn registry(&self) -> &Arc<Registry> {
        &self.chain.shared.registry
    }

    /// The transfer-wide cancel token (poll its fd next to data fds).
    pub fn token(&self) -> &CancelToken {
        &self.chain.shared.token
    }

    /// Whether this element has been cancelled (set before its `cancel` call).
    pub fn cancelled(&self) -> bool {
        self.chain.shared.flags[self.idx]
            .cancelled
            .load(Ordering::SeqCst)
    }

    /// Whether, once cancelled, this element should drain until upstream EOF.
    pub fn expect_eof(&self) -> bool {
        self.chain.shared.flags[self.idx]
            .expect_eof
            .load(Ordering::SeqCst)
    }

    /// Whether anyone has asked to cancel the transfer (possibly not yet processed).
    pub fn cancel_requested(&self) -> bool {
        self.chain.shared.cancel_requested.load(Ordering::SeqCst)
    }

    /// Sends an INFO message from this element.
    pub fn info(&self, text: impl Into<String>) {
        self.chain.shared.send(self.idx, MsgKind::Info(text.into()));
    }

    /// Sends a CRC message from this element.
    pub fn crc(&self, crc: u32, size: u64) {
        self.chain.shared.send(self.idx, MsgKind::Crc { crc, size });
    }

    /// Reports an error from this element and requests cancellation
    /// (Amanda's `xfer_cancel_with_error`).
    pub fn fail(&self, err: impl std::fmt::Display) {
        self.chain.shared.fail(self.idx, err.to_string());
    }

    /// Requests cancellation of the transfer without an error.
    pub fn request_cancel(&self) {
        self.chain.shared.request_cancel();
    }

    /// Counts `n` bytes delivered into element `receiver` and fires the
    /// byte-triggered fault hooks.
    pub fn account(&self, receiver: usize, n: usize) {
        self.chain.shared.account(receiver, n);
    }

    /// Index of the downstream neighbour.
    pub fn downstream(&self) -> usize {
        self.idx + 1
    }

    /// Pulls an owned buffer from the upstream neighbour; `None` at EOF or
    /// after an upstream error (already reported).
    pub fn pull(&self) -> Option<Vec<u8>> {
        let up = self.idx.checked_sub(1)?;
        let ucx = self.at(up);
        match self.chain.elems[up].pull_buffer(&ucx) {
            Ok(Some(buf)) => {
                self.account(self.idx, buf.len());
                Some(buf)
            }
            Ok(None) => None,
            Err(e) => {
                ucx.fail(e);
                None
            }
        }
    }

    /// Pulls into `buf` from the upstream neighbour; `Some(n)` with `n >= 1`,
    /// `None` at EOF or after an upstream error (already reported).
    pub fn pull_static(&self, buf: &mut [u8]) -> Option<usize> {
        let up = self.idx.checked_sub(1)?;
        if buf.is_empty() {
            return None;
        }
        let ucx = self.at(up);
        match self.chain.elems[up].pull_buffer_static(&ucx, buf) {
            Ok(Some(n)) if n > 0 && n <= buf.len() => {
                self.account(self.idx, n);
                Some(n)
            }
            Ok(Some(n)) => {
                ucx.fail(Error::Misuse(format!(
                    "pull_buffer_static returned {n} bytes for a {}-byte buffer",
                    buf.len()
                )));
                None
            }
            Ok(None) => None,
            Err(e) => {
                ucx.fail(e);
                None
            }
        }
    }

    /// Pushes an owned buffer (or EOF) to the downstream neighbour; errors
    /// are reported on the neighbour's behalf.
    pub fn push(&self, buf: Option<Vec<u8>>) {
        let down = self.idx + 1;
        let Some(elem) = self.chain.elems.get(down) else {
            return;
        };
        if let Some(b) = &buf {
            if b.is_empty() {
                return;
            }
            self.account(down, b.len());
        }
        let dcx = self.at(down);
        if let Err(e) = elem.push_buffer(&dcx, buf) {
            dcx.fail(e);
        }
    }

    /// Pushes a borrowed buffer (or EOF) to the downstream neighbour.
    pub fn push_static(&self, buf: Option<&[u8]>) {
        let down = self.idx + 1;
        let Some(elem) = self.chain.elems.get(down) else {
            return;
        };
        if let Some(b) = buf {
            if b.is_empty() {
                return;
            }
            self.account(down, b.len());
        }
        let dcx = self.at(down);
        if let Err(e) = elem.push_buffer_static(&dcx, buf) {
            dcx.fail(e);
        }
    }

    /// Takes the upstream neighbour's output fd (READFD input).
    pub fn take_upstream_output_fd(&self) -> Option<TrackedFd> {
        let up = self.idx.checked_sub(1)?;
        self.chain.elems[up].take_output_fd()
    }

    /// Takes the downstream neighbour's input fd (WRITEFD output).
    pub fn take_downstream_input_fd(&self) -> Option<TrackedFd> {
        self.chain.elems.get(self.idx + 1)?.take_input_fd()
    }

    /// Whether the downstream neighbour treats a broken pipe as an orderly end.
    pub fn downstream_ignores_broken_pipe(&self) -> bool {
        self.chain
            .elems
            .get(self.idx + 1)
            .is_some_and(|e| e.ignore_broken_pipe())
    }

    /// Spawns a worker thread for this element. The thread is an active
    /// element: when `work` returns (or panics) it sends this element's DONE.
    pub fn spawn<F>(&self, what: &str, work: F) -> Result<(), Error>
    where
        F: FnOnce(&Cx<'_>) + Send + 'static,
    {
        let idx = self.idx;
        Shared::spawn_worker(self.chain, idx, what, move |chain| {
            work(&Cx::new(chain, idx));
        })
    }
}
