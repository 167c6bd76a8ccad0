//! Transfers: build a chain from elements and a [`Linkage`], run it, cancel
//! it, and collect its messages and [`Summary`].
//!
//! Files: `config` (buffer sizes, fault hooks), `chain` (the state the
//! runtime shares, worker threads), `dispatch` (the dispatcher thread),
//! `linkage` (linking and checking a linkage), `summary` (the result);
//! this file is the lifecycle: [`Xfer::new`], [`Xfer::start`], [`Xfer::wait`].
//!
//! A running transfer has one dispatcher thread (Amanda's main loop): it
//! receives every element's messages, performs cancellation (calling each
//! element's `cancel` source to destination, then raising the
//! [`CancelToken`]), eats all but the last DONE
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
//! use reelcheck_xfer::{Status, Xfer, XferConfig};
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
//! # Ok::<(), reelcheck_xfer::Error>(())
//! ```

pub(crate) mod chain;
pub(crate) mod config;
mod dispatch;
mod linkage;
mod summary;

pub use config::{
    DEFAULT_BUFFER_SIZE, DEFAULT_IO_CHUNK, DEFAULT_PIPE_SIZE, ErrorAt, Faults, XferConfig,
};
pub use linkage::link_chain;
pub use summary::{ElementError, Status, Summary};

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cancel::{CancelToken, Registry};
use crate::element::{Chain, Cx, Element};
use crate::error::Error;
use crate::glue::Glue;
use crate::link::Linkage;
use crate::mech::Mech;
use crate::msg::{Msg, MsgKind};
use crate::tables::TableVersion;
use chain::{EltFlags, Event, Shared};
use dispatch::Dispatched;
use linkage::check_linkage;

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
                shared.fail(i, err.to_string());
                setup_ok = false;
                break;
            }
        }
        if setup_ok {
            shared.starting.store(true, Ordering::SeqCst);
            for i in (0..chain.elems.len()).rev() {
                if let Err(err) = chain.elems[i].start(&Cx::new(&chain, i)) {
                    shared.fail(i, err.to_string());
                }
            }
            shared.starting.store(false, Ordering::SeqCst);
        }
        let mut active = shared.active.load(Ordering::SeqCst);
        if active == 0 {
            // Nothing will send DONE (all passive, or setup failed): Amanda
            // queues a fake one from the last element.
            let last = chain.elems.len().saturating_sub(1);
            shared.send(last, MsgKind::Done);
            active = 1;
        }
        let (done_tx, done_rx) = mpsc::channel();
        let handle = dispatch::spawn(Arc::clone(&chain), events_rx, active, msgs_tx, done_tx)?;
        self.registry.thread_spawned();
        self.dispatcher = Some(handle);
        self.done_rx = Some(done_rx);
        Ok(())
    }

    /// Cancels the transfer (from any thread, at any moment; idempotent, never blocks).
    pub fn cancel(&self) {
        if let Some(c) = &self.chain {
            c.shared.request_cancel();
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
        Summary::new(messages, cancelled, bytes, self.registry.counts(), names)
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
            c.shared.request_cancel();
        }
    }
}

impl fmt::Debug for Canceller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Canceller")
    }
}

/// Links `chain` with `version`'s tables, runs it with the default
/// configuration and returns its summary.
pub fn run_chain(chain: Vec<Box<dyn Element>>, version: TableVersion) -> Result<Summary, Error> {
    let mut xfer = Xfer::linked(chain, version, XferConfig::default())?;
    xfer.start()?;
    Ok(xfer.wait())
}
