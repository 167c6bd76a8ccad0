//! Transfers: build a chain from elements and a [`Linkage`], run it, cancel
//! it, and collect its messages and [`Summary`].
//!
//! A running transfer has one dispatcher thread (Amanda's main loop): it
//! receives every element's messages, performs cancellation (calling each
//! element's `cancel` source to destination, then raising the
//! [`CancelToken`](crate::cancel::CancelToken)), eats all but the last DONE
//! and forwards the rest to the user's channel.
//! Every other thread belongs to an element (glue workers, child reapers).
//!
//! Guarantees: exactly one [`MsgKind::Done`], always last; every error
//! becomes ERROR then CANCEL; after [`Xfer::wait`] every thread is joined,
//! every fd closed and every child reaped, which [`Summary::leaks`] shows.
//!
//! ```
//! use reelcheck_xfer::element::Element;
//! use reelcheck_xfer::elements::{NullDest, RandomSource, XorFilter};
//! use reelcheck_xfer::tables::TableVersion;
//! use reelcheck_xfer::xfer::{Status, Xfer, XferConfig};
//!
//! let chain: Vec<Box<dyn Element>> =
//!     vec![Box::new(RandomSource::new(1 << 20, 7)), Box::new(XorFilter::new(0x5a)), Box::new(NullDest::new())];
//! let mut xfer = Xfer::linked(chain, TableVersion::V3_5, XferConfig::default())?;
//! assert_eq!(
//!     xfer.render_linkage(),
//!     "random -(PULL_BUFFER_STATIC)-> xor -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> null"
//! );
//! xfer.start()?;
//! let summary = xfer.wait();
//! assert_eq!(summary.status, Status::Done);
//! assert_eq!(summary.bytes, 1 << 20);
//! assert!(summary.leaks.is_clean());
//! assert_eq!(summary.messages.last().map(ToString::to_string).as_deref(), Some("null[3] DONE"));
//! # Ok::<(), reelcheck_xfer::xfer::Error>(())
//! ```

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cancel::{CancelToken, LeakCounts, Registry};
use crate::element::{Cx, Element};
use crate::glue::Glue;
use crate::link::{self, LinkError, Linkage};
use crate::mech::Mech;
use crate::msg::{EltRef, Msg, MsgKind};
use crate::spec::SpecError;
use crate::tables::{self, TableVersion};

/// Glue's default buffer size (Amanda's `GLUE_BUFFER_SIZE`).
pub const DEFAULT_BUFFER_SIZE: usize = 32 * 1024;
/// Default bytes per syscall for glue threads' fd IO.
pub const DEFAULT_IO_CHUNK: usize = 128 * 1024;
/// Pipe buffer size glue asks for with `F_SETPIPE_SZ`.
pub const DEFAULT_PIPE_SIZE: usize = 1024 * 1024;

/// Everything that can go wrong building or running a transfer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The chain cannot be linked.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// A one-line chain spec is malformed.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// An element has no mechanism pairs in the chosen table version.
    #[error("element {index} ({name}) does not exist in the Amanda {version} tables")]
    NoPairs {
        /// Index of the element in the user chain.
        index: usize,
        /// Its name.
        name: String,
        /// The table version asked for.
        version: TableVersion,
    },
    /// The linkage given to [`Xfer::new`] does not fit the chain.
    #[error("linkage does not fit the chain: {0}")]
    BadLinkage(String),
    /// The runtime cannot run this mechanism pair or element (DirectTCP, SHM ring, cost-only).
    #[error("not supported by this runtime: {what}")]
    NotSupported {
        /// What was asked for, e.g. `glue PULL_BUFFER_STATIC->SHM_RING`.
        what: String,
    },
    /// An element was called through an entry point it does not implement.
    #[error("{op} is not supported by this element")]
    Unsupported {
        /// The entry point (`pull_buffer`, ...).
        op: &'static str,
    },
    /// An operating-system call failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (`reading fd 7`, `spawning gzip -n`).
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A child process ended unsuccessfully.
    #[error("child `{command}` {status}")]
    Child {
        /// The command line.
        command: String,
        /// How it ended (`exited with status 3`, `killed by SIGKILL`).
        status: String,
    },
    /// The data's CRC32 or size differs from what a crc-checker expected.
    #[error(
        "crc mismatch: expected crc={expected_crc:#010x} size={expected_size}, \
         got crc={crc:#010x} size={size}"
    )]
    CrcMismatch {
        /// Expected CRC32.
        expected_crc: u32,
        /// Expected size in bytes.
        expected_size: u64,
        /// CRC32 of the data received.
        crc: u32,
        /// Bytes received.
        size: u64,
    },
    /// A fault hook fired (data: [`Faults::error_at`]).
    #[error("injected error at byte {byte}")]
    Injected {
        /// The byte offset the hook named.
        byte: u64,
    },
    /// A destination buffer would exceed its limit.
    #[error("buffer limit of {limit} bytes exceeded")]
    BufferFull {
        /// The limit.
        limit: usize,
    },
    /// The API was used out of order (start twice, spawn after start, ...).
    #[error("api misuse: {0}")]
    Misuse(String),
    /// A transfer did not finish within the watchdog's time.
    #[error("transfer did not finish within {secs} s (threads left running)")]
    Timeout {
        /// The watchdog's limit in seconds.
        secs: u64,
    },
}

impl Error {
    /// An [`Error::Io`] from a nix errno.
    pub fn errno(context: impl Into<String>, errno: nix::Error) -> Error {
        Error::Io {
            context: context.into(),
            source: std::io::Error::from(errno),
        }
    }
}

/// Fault hooks of one transfer; plain data so a fault plan can embed them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
    /// Largest chunk any fd read or static pull asks for (short reads).
    pub max_read: Option<usize>,
    /// Largest chunk any fd write or push delivers at once (short writes).
    pub max_write: Option<usize>,
    /// Fail the named element when byte `byte` (0-based) reaches it.
    pub error_at: Option<ErrorAt>,
    /// Cancel the transfer (as from outside) once any element has received this many bytes.
    pub cancel_after: Option<u64>,
}

/// Where [`Faults::error_at`] strikes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorAt {
    /// Element name (`xor`, every element so named) or `name[index]` (one element).
    pub element: String,
    /// 0-based offset of the byte whose arrival triggers the error.
    pub byte: u64,
}

/// How a transfer runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct XferConfig {
    /// Buffer size for glue and sources (default 32 KiB).
    pub buffer_size: usize,
    /// Bytes a glue thread moves per syscall on its fd side, and so the size of
    /// the buffers it reads from an fd and pushes (default 128 KiB; at least `buffer_size`).
    pub io_chunk: usize,
    /// Pipe buffer size for pipes glue creates (default 1 MiB; refused sizes fall back silently).
    pub pipe_size: usize,
    /// Fault hooks.
    pub faults: Faults,
}

impl Default for XferConfig {
    fn default() -> Self {
        XferConfig {
            buffer_size: DEFAULT_BUFFER_SIZE,
            io_chunk: DEFAULT_IO_CHUNK,
            pipe_size: DEFAULT_PIPE_SIZE,
            faults: Faults::default(),
        }
    }
}

/// How a transfer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Ran to the end without cancellation.
    Done,
    /// Cancelled without any element error.
    Cancelled,
    /// At least one element reported an error.
    Failed,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Done => "done",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
        })
    }
}

/// An error an element reported during the transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementError {
    /// The element.
    pub elt: EltRef,
    /// The error text.
    pub message: String,
}

/// The result of a finished transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// How it ended.
    pub status: Status,
    /// Bytes delivered into the destination where the runtime moved them
    /// (pull/push calls and glue IO); 0 when a child writes straight into a destination fd.
    pub bytes: u64,
    /// Element errors, in delivery order.
    pub errors: Vec<ElementError>,
    /// Every message delivered, in order (the last is DONE).
    pub messages: Vec<Msg>,
    /// Resource counters after everything was released.
    pub leaks: LeakCounts,
    /// Names of the linked elements (glue included).
    pub elements: Vec<String>,
}

/// Per-element state the runtime keeps outside the element.
#[derive(Debug, Default)]
pub(crate) struct EltFlags {
    pub cancelled: AtomicBool,
    pub expect_eof: AtomicBool,
    pub bytes_in: AtomicU64,
}

/// What elements tell the dispatcher.
pub(crate) enum Event {
    Msg(Msg),
    Cancel,
}

pub(crate) struct Shared {
    pub names: Vec<String>,
    pub mechs: Vec<(Mech, Mech)>,
    pub flags: Vec<EltFlags>,
    pub token: CancelToken,
    pub cancel_requested: AtomicBool,
    pub events: Sender<Event>,
    pub registry: Arc<Registry>,
    pub config: XferConfig,
    pub handles: Mutex<Vec<JoinHandle<()>>>,
    pub starting: AtomicBool,
    pub active: AtomicUsize,
    pub error_fired: AtomicBool,
    pub cancel_fired: AtomicBool,
}

/// The linked elements of a transfer plus the runtime state they share.
pub(crate) struct Chain {
    pub elems: Vec<Box<dyn Element>>,
    pub shared: Shared,
}

impl Chain {
    fn elt(&self, idx: usize) -> EltRef {
        EltRef {
            index: idx,
            name: self.shared.names.get(idx).cloned().unwrap_or_default(),
        }
    }

    pub(crate) fn send(&self, idx: usize, kind: MsgKind) {
        // The dispatcher outlives every sender; a send can only fail after
        // the final DONE, when nothing is listening any more.
        let _ = self.shared.events.send(Event::Msg(Msg {
            elt: self.elt(idx),
            kind,
        }));
    }

    pub(crate) fn request_cancel(&self) {
        if !self.shared.cancel_requested.swap(true, Ordering::SeqCst) {
            let _ = self.shared.events.send(Event::Cancel);
        }
    }

    pub(crate) fn fail(&self, idx: usize, text: String) {
        self.send(idx, MsgKind::Error(text));
        self.request_cancel();
    }

    pub(crate) fn account(&self, receiver: usize, n: usize) {
        let Some(flags) = self.shared.flags.get(receiver) else {
            return;
        };
        let n = n as u64;
        let after = flags.bytes_in.fetch_add(n, Ordering::SeqCst) + n;
        let faults = &self.shared.config.faults;
        if let Some(ea) = &faults.error_at {
            let name = &self.shared.names[receiver];
            let hit = ea.element == *name || ea.element == format!("{name}[{receiver}]");
            if hit && after > ea.byte && !self.shared.error_fired.swap(true, Ordering::SeqCst) {
                self.fail(receiver, Error::Injected { byte: ea.byte }.to_string());
            }
        }
        if let Some(limit) = faults.cancel_after
            && after >= limit
            && !self.shared.cancel_fired.swap(true, Ordering::SeqCst)
        {
            self.request_cancel();
        }
    }

    pub(crate) fn spawn_active<F>(
        chain: &Arc<Chain>,
        idx: usize,
        what: &str,
        work: F,
    ) -> Result<(), Error>
    where
        F: FnOnce(&Cx<'_>) + Send + 'static,
    {
        let shared = &chain.shared;
        if !shared.starting.load(Ordering::SeqCst) {
            return Err(Error::Misuse(
                "threads may only be spawned from start()".into(),
            ));
        }
        let c = Arc::clone(chain);
        let handle = std::thread::Builder::new()
            .name(format!("xfer-{}-{}", shared.names[idx], what))
            .spawn(move || {
                let cx = Cx::new(&c, idx);
                let guard = DoneGuard { chain: &c, idx };
                work(&cx);
                drop(guard);
            })
            .map_err(|e| Error::Io {
                context: format!("spawning {what} thread"),
                source: e,
            })?;
        shared.registry.thread_spawned();
        shared.active.fetch_add(1, Ordering::SeqCst);
        shared
            .handles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
        Ok(())
    }

    /// Cancels every element, source to destination, then raises the token.
    fn cancel_all(&self) {
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

/// Sends the element's DONE when its thread ends, also on panic.
struct DoneGuard<'a> {
    chain: &'a Chain,
    idx: usize,
}

impl Drop for DoneGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.chain
                .fail(self.idx, "worker thread panicked".to_string());
        }
        self.chain.send(self.idx, MsgKind::Done);
    }
}

/// What the dispatcher hands back when the transfer is done.
struct Dispatched {
    messages: Vec<Msg>,
    cancelled: bool,
}

fn dispatch(
    chain: Arc<Chain>,
    rx: Receiver<Event>,
    active: usize,
    user: Sender<Msg>,
    done: Sender<()>,
) -> Dispatched {
    let mut remaining = active;
    let mut cancelled = false;
    let mut messages = Vec::new();
    let last = chain.elems.len().saturating_sub(1);
    let deliver = |m: Msg, messages: &mut Vec<Msg>| {
        let _ = user.send(m.clone());
        messages.push(m);
    };
    while remaining > 0 {
        let Ok(ev) = rx.recv() else { break };
        match ev {
            Event::Msg(Msg {
                kind: MsgKind::Done,
                ..
            }) => remaining -= 1,
            Event::Msg(m) => deliver(m, &mut messages),
            Event::Cancel => {
                if !cancelled {
                    cancelled = true;
                    chain.cancel_all();
                    deliver(
                        Msg {
                            elt: chain.elt(0),
                            kind: MsgKind::Cancel,
                        },
                        &mut messages,
                    );
                }
            }
        }
    }
    deliver(
        Msg {
            elt: chain.elt(last),
            kind: MsgKind::Done,
        },
        &mut messages,
    );
    let _ = done.send(());
    Dispatched {
        messages,
        cancelled,
    }
}

/// A transfer: linked elements, then (after [`Xfer::start`]) running threads.
pub struct Xfer {
    chain: Option<Arc<Chain>>,
    linkage: Linkage,
    user_names: Vec<String>,
    events_rx: Option<Receiver<Event>>,
    msgs_rx: Receiver<Msg>,
    msgs_tx: Option<Sender<Msg>>,
    done_rx: Option<Receiver<()>>,
    dispatcher: Option<JoinHandle<Dispatched>>,
    registry: Arc<Registry>,
    finished: bool,
}

impl fmt::Debug for Xfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Xfer")
            .field("elements", &self.names())
            .field("linkage", &self.linkage)
            .finish()
    }
}

impl Xfer {
    /// Builds a transfer from user elements and their linkage, inserting glue
    /// after every element whose step says so.
    pub fn new(
        chain: Vec<Box<dyn Element>>,
        linkage: &Linkage,
        config: XferConfig,
    ) -> Result<Xfer, Error> {
        check_linkage(&chain, linkage)?;
        let user_names: Vec<String> = chain.iter().map(|e| e.name().to_string()).collect();
        let mut elems: Vec<Box<dyn Element>> = Vec::new();
        let mut mechs = Vec::new();
        for (elem, step) in chain.into_iter().zip(&linkage.steps) {
            elems.push(elem);
            mechs.push((step.pair.input, step.pair.output));
            if let Some(g) = step.glue {
                elems.push(Box::new(Glue::new(g)));
                mechs.push((g.input, g.output));
            }
        }
        let registry = Registry::new();
        let token =
            CancelToken::new(&registry).map_err(|e| Error::errno("creating the cancel pipe", e))?;
        let (events, events_rx) = mpsc::channel();
        let (msgs_tx, msgs_rx) = mpsc::channel();
        let names: Vec<String> = elems.iter().map(|e| e.name().to_string()).collect();
        let flags = names.iter().map(|_| EltFlags::default()).collect();
        let shared = Shared {
            names,
            mechs,
            flags,
            token,
            cancel_requested: AtomicBool::new(false),
            events,
            registry: Arc::clone(&registry),
            config,
            handles: Mutex::new(Vec::new()),
            starting: AtomicBool::new(false),
            active: AtomicUsize::new(0),
            error_fired: AtomicBool::new(false),
            cancel_fired: AtomicBool::new(false),
        };
        Ok(Xfer {
            chain: Some(Arc::new(Chain { elems, shared })),
            linkage: linkage.clone(),
            user_names,
            events_rx: Some(events_rx),
            msgs_rx,
            msgs_tx: Some(msgs_tx),
            done_rx: None,
            dispatcher: None,
            registry,
            finished: false,
        })
    }

    /// Links `chain` with `version`'s tables (Amanda's linker) and builds the transfer.
    pub fn linked(
        chain: Vec<Box<dyn Element>>,
        version: TableVersion,
        config: XferConfig,
    ) -> Result<Xfer, Error> {
        let linkage = link_chain(&chain, version)?;
        Xfer::new(chain, &linkage, config)
    }

    /// The linkage this transfer runs.
    pub fn linkage(&self) -> &Linkage {
        &self.linkage
    }

    /// Amanda's `Final linkage:` rendering, with the user elements' names.
    pub fn render_linkage(&self) -> String {
        let names: Vec<&str> = self.user_names.iter().map(String::as_str).collect();
        self.linkage.render(&names)
    }

    /// Names of the linked elements (glue included), by index.
    pub fn names(&self) -> Vec<String> {
        self.chain
            .as_ref()
            .map(|c| c.shared.names.clone())
            .unwrap_or_default()
    }

    /// Mechanisms `(input, output)` of the linked elements, by index.
    pub fn mechs(&self) -> Vec<(Mech, Mech)> {
        self.chain
            .as_ref()
            .map(|c| c.shared.mechs.clone())
            .unwrap_or_default()
    }

    /// The live message stream (every message also lands in [`Summary::messages`]).
    pub fn messages(&self) -> &Receiver<Msg> {
        &self.msgs_rx
    }

    /// Sets up and starts every element, then the dispatcher. An element or
    /// glue pair this runtime cannot run is an `Err` ([`Error::NotSupported`])
    /// and nothing starts; a setup failure is not an `Err`: it becomes ERROR,
    /// CANCEL, DONE on the message stream.
    pub fn start(&mut self) -> Result<(), Error> {
        if let Some(chain) = &self.chain {
            for e in &chain.elems {
                e.check_runnable()?;
            }
        }
        let (Some(chain), Some(events_rx), Some(msgs_tx)) = (
            self.chain.clone(),
            self.events_rx.take(),
            self.msgs_tx.take(),
        ) else {
            return Err(Error::Misuse("transfer started twice".into()));
        };
        let shared = &chain.shared;
        let mut setup_ok = true;
        for (i, e) in chain.elems.iter().enumerate() {
            let (input, output) = shared.mechs[i];
            if let Err(err) = e.setup(&Cx::new(&chain, i), input, output) {
                chain.fail(i, err.to_string());
                setup_ok = false;
                break;
            }
        }
        if setup_ok {
            shared.starting.store(true, Ordering::SeqCst);
            for i in (0..chain.elems.len()).rev() {
                if let Err(err) = chain.elems[i].start(&Cx::new(&chain, i)) {
                    chain.fail(i, err.to_string());
                }
            }
            shared.starting.store(false, Ordering::SeqCst);
        }
        let mut active = shared.active.load(Ordering::SeqCst);
        if active == 0 {
            // Nothing will send DONE (all passive, or setup failed): Amanda
            // queues a fake one from the last element.
            let last = chain.elems.len().saturating_sub(1);
            chain.send(last, MsgKind::Done);
            active = 1;
        }
        let (done_tx, done_rx) = mpsc::channel();
        let dchain = Arc::clone(&chain);
        let handle = std::thread::Builder::new()
            .name("xfer-dispatch".into())
            .spawn(move || dispatch(dchain, events_rx, active, msgs_tx, done_tx))
            .map_err(|e| Error::Io {
                context: "spawning the dispatcher".into(),
                source: e,
            })?;
        self.registry.thread_spawned();
        self.dispatcher = Some(handle);
        self.done_rx = Some(done_rx);
        Ok(())
    }

    /// Cancels the transfer (from any thread, at any moment; idempotent, never blocks).
    pub fn cancel(&self) {
        if let Some(c) = &self.chain {
            c.request_cancel();
        }
    }

    /// A handle that can cancel this transfer from another thread.
    pub fn canceller(&self) -> Canceller {
        Canceller {
            chain: self.chain.clone(),
        }
    }

    /// Waits for DONE, joins every thread, releases every fd and returns the summary.
    /// A transfer that was never started only releases its fds: its summary
    /// has no messages and status [`Status::Done`].
    pub fn wait(mut self) -> Summary {
        self.finish()
    }

    /// Like [`Xfer::wait`], but gives up after `limit` (a watchdog that turns a
    /// hang into an error; the stuck threads are left behind).
    pub fn wait_timeout(mut self, limit: Duration) -> Result<Summary, Error> {
        if let Some(rx) = &self.done_rx {
            match rx.recv_timeout(limit) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => {}
                Err(RecvTimeoutError::Timeout) => {
                    self.finished = true;
                    // Leave the threads behind: joining them would hang too.
                    std::mem::forget(self.dispatcher.take());
                    std::mem::forget(self.chain.take());
                    return Err(Error::Timeout {
                        secs: limit.as_secs(),
                    });
                }
            }
        }
        Ok(self.finish())
    }

    fn finish(&mut self) -> Summary {
        self.finished = true;
        let names = self.names();
        let dispatched = match self.dispatcher.take() {
            Some(h) => {
                let d = h.join().unwrap_or_else(|_| Dispatched {
                    messages: Vec::new(),
                    cancelled: true,
                });
                self.registry.thread_joined();
                Some(d)
            }
            None => None,
        };
        let mut bytes = 0;
        if let Some(chain) = self.chain.take() {
            let handles = std::mem::take(
                &mut *chain
                    .shared
                    .handles
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            for h in handles {
                let _ = h.join();
                self.registry.thread_joined();
            }
            bytes = chain
                .shared
                .flags
                .last()
                .map_or(0, |f| f.bytes_in.load(Ordering::SeqCst));
            drop(chain);
        }
        let (messages, cancelled) = match dispatched {
            Some(d) => (d.messages, d.cancelled),
            None => (Vec::new(), false),
        };
        let errors: Vec<ElementError> = messages
            .iter()
            .filter_map(|m| match &m.kind {
                MsgKind::Error(text) => Some(ElementError {
                    elt: m.elt.clone(),
                    message: text.clone(),
                }),
                _ => None,
            })
            .collect();
        let status = if !errors.is_empty() {
            Status::Failed
        } else if cancelled {
            Status::Cancelled
        } else {
            Status::Done
        };
        Summary {
            status,
            bytes,
            errors,
            messages,
            leaks: self.registry.counts(),
            elements: names,
        }
    }
}

impl Drop for Xfer {
    fn drop(&mut self) {
        if !self.finished && self.dispatcher.is_some() {
            self.cancel();
            let _ = self.finish();
        }
    }
}

/// Cancels a transfer from another thread.
#[derive(Clone)]
pub struct Canceller {
    chain: Option<Arc<Chain>>,
}

impl Canceller {
    /// Requests cancellation (idempotent, never blocks).
    pub fn cancel(&self) {
        if let Some(c) = &self.chain {
            c.request_cancel();
        }
    }
}

impl fmt::Debug for Canceller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Canceller")
    }
}

/// Links user elements with `version`'s cost tables.
pub fn link_chain(chain: &[Box<dyn Element>], version: TableVersion) -> Result<Linkage, Error> {
    let mut pairs = Vec::with_capacity(chain.len());
    for (index, e) in chain.iter().enumerate() {
        let p = e.mech_pairs(version).ok_or_else(|| Error::NoPairs {
            index,
            name: e.name().to_string(),
            version,
        })?;
        pairs.push(p);
    }
    Ok(link::link(&pairs, tables::glue_pairs(version))?)
}

/// Links `chain` with `version`'s tables, runs it with the default
/// configuration and returns its summary.
pub fn run_chain(chain: Vec<Box<dyn Element>>, version: TableVersion) -> Result<Summary, Error> {
    let mut xfer = Xfer::linked(chain, version, XferConfig::default())?;
    xfer.start()?;
    Ok(xfer.wait())
}

fn check_linkage(chain: &[Box<dyn Element>], linkage: &Linkage) -> Result<(), Error> {
    if chain.len() < 2 {
        return Err(Error::BadLinkage(format!(
            "a transfer needs at least 2 elements, got {}",
            chain.len()
        )));
    }
    if linkage.steps.len() != chain.len() {
        return Err(Error::BadLinkage(format!(
            "{} steps for {} elements",
            linkage.steps.len(),
            chain.len()
        )));
    }
    let mut prev = Mech::None;
    for (i, step) in linkage.steps.iter().enumerate() {
        if step.element != i {
            return Err(Error::BadLinkage(format!(
                "step {i} names element {}",
                step.element
            )));
        }
        let last = i + 1 == linkage.steps.len();
        if (i > 0 && step.pair.input == Mech::None) || (!last && step.pair.output == Mech::None) {
            return Err(Error::BadLinkage(format!(
                "element {i} ({}) is a source or destination inside the chain",
                chain[i].name()
            )));
        }
        if step.pair.input != prev {
            return Err(Error::BadLinkage(format!(
                "element {i} ({}) takes {} but receives {prev}",
                chain[i].name(),
                step.pair.input
            )));
        }
        prev = step.pair.output;
        if let Some(g) = step.glue {
            if g.input != prev {
                return Err(Error::BadLinkage(format!(
                    "glue after element {i} takes {} but receives {prev}",
                    g.input
                )));
            }
            prev = g.output;
        }
    }
    if prev != Mech::None {
        return Err(Error::BadLinkage(format!(
            "the last element outputs {prev}, not NONE"
        )));
    }
    Ok(())
}
