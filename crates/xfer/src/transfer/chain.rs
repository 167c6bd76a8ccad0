//! The chain runtime's shared state: what every element's thread, the
//! dispatcher and the lifecycle see of one running transfer, and the one
//! place worker threads are spawned.
//!
//! [`Shared`] holds the elements' names and mechanisms, the per-element
//! flags, the cancel token, the event channel to the dispatcher, the
//! resource registry, the configuration and the join handles. It knows
//! nothing of the elements themselves ([`crate::element::Chain`] pairs the
//! two), so it sits below the [`Element`](crate::element::Element) trait.
//!
//! Shell: `Shared::spawn_worker` starts an element's thread (glue workers,
//! child reapers); every other function here is plain data and atomics.
#![allow(clippy::disallowed_methods)] // Shell: spawns the elements' worker threads.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::cancel::{CancelToken, Registry};
use crate::error::Error;
use crate::mech::Mech;
use crate::msg::{EltRef, Msg, MsgKind};
use crate::transfer::config::XferConfig;

/// Per-element state the runtime keeps outside the element.
#[derive(Debug, Default)]
pub(crate) struct EltFlags {
    /// Set (before the element's `cancel` call) once the transfer is cancelled.
    pub cancelled: AtomicBool,
    /// Whether, once cancelled, the element should drain until upstream EOF.
    pub expect_eof: AtomicBool,
    /// Bytes delivered into the element.
    pub bytes_in: AtomicU64,
}

/// What elements tell the dispatcher.
pub(crate) enum Event {
    /// A message from an element (its DONE included).
    Msg(Msg),
    /// Someone asked to cancel the transfer.
    Cancel,
}

/// The runtime state one transfer's elements, dispatcher and lifecycle share.
pub(crate) struct Shared {
    /// Names of the linked elements (glue included), by index.
    pub names: Vec<String>,
    /// Mechanisms `(input, output)` of the linked elements, by index.
    pub mechs: Vec<(Mech, Mech)>,
    /// Per-element flags, by index.
    pub flags: Vec<EltFlags>,
    /// The transfer-wide cancel signal.
    pub token: CancelToken,
    /// Whether anyone has asked to cancel (the first asker sends [`Event::Cancel`]).
    pub cancel_requested: AtomicBool,
    /// The dispatcher's inbox.
    pub events: Sender<Event>,
    /// The transfer's resource counters.
    pub registry: Arc<Registry>,
    /// How the transfer runs.
    pub config: XferConfig,
    /// Worker threads to join at the end.
    pub handles: Mutex<Vec<JoinHandle<()>>>,
    /// True only while `start` runs: the one time threads may be spawned.
    pub starting: AtomicBool,
    /// Active elements: each sends one DONE.
    pub active: AtomicUsize,
    /// Whether the `error_at` fault hook has fired.
    pub error_fired: AtomicBool,
    /// Whether the `cancel_after` fault hook has fired.
    pub cancel_fired: AtomicBool,
}

impl Shared {
    /// Element `idx` by name and index.
    pub(crate) fn elt(&self, idx: usize) -> EltRef {
        EltRef {
            index: idx,
            name: self.names.get(idx).cloned().unwrap_or_default(),
        }
    }

    /// Sends a message from element `idx` to the dispatcher.
    pub(crate) fn send(&self, idx: usize, kind: MsgKind) {
        // The dispatcher outlives every sender; a send can only fail after
        // the final DONE, when nothing is listening any more.
        let _ = self.events.send(Event::Msg(Msg {
            elt: self.elt(idx),
            kind,
        }));
    }

    /// Asks the dispatcher to cancel the transfer (once; idempotent).
    pub(crate) fn request_cancel(&self) {
        if !self.cancel_requested.swap(true, Ordering::SeqCst) {
            let _ = self.events.send(Event::Cancel);
        }
    }

    /// Reports an error from element `idx` and requests cancellation.
    pub(crate) fn fail(&self, idx: usize, text: String) {
        self.send(idx, MsgKind::Error(text));
        self.request_cancel();
    }

    /// Counts `n` bytes delivered into `receiver` and fires the byte-triggered fault hooks.
    pub(crate) fn account(&self, receiver: usize, n: usize) {
        let Some(flags) = self.flags.get(receiver) else {
            return;
        };
        let n = n as u64;
        let after = flags.bytes_in.fetch_add(n, Ordering::SeqCst) + n;
        let faults = &self.config.faults;
        if let Some(ea) = &faults.error_at {
            let name = &self.names[receiver];
            let hit = ea.element == *name || ea.element == format!("{name}[{receiver}]");
            if hit && after > ea.byte && !self.error_fired.swap(true, Ordering::SeqCst) {
                self.fail(receiver, Error::Injected { byte: ea.byte }.to_string());
            }
        }
        if let Some(limit) = faults.cancel_after
            && after >= limit
            && !self.cancel_fired.swap(true, Ordering::SeqCst)
        {
            self.request_cancel();
        }
    }

    /// Spawns a worker thread for element `idx` of the transfer `owner` leads
    /// to (only while `start` runs). The thread keeps `owner` alive and is an
    /// active element: when `work` returns (or panics) it sends the element's
    /// DONE, after an ERROR if it panicked.
    pub(crate) fn spawn_worker<O, F>(
        owner: &Arc<O>,
        idx: usize,
        what: &str,
        work: F,
    ) -> Result<(), Error>
    where
        O: AsRef<Shared> + Send + Sync + 'static,
        F: FnOnce(&Arc<O>) + Send + 'static,
    {
        let shared: &Shared = (**owner).as_ref();
        if !shared.starting.load(Ordering::SeqCst) {
            return Err(Error::Misuse(
                "threads may only be spawned from start()".into(),
            ));
        }
        let owned = Arc::clone(owner);
        let handle = std::thread::Builder::new()
            .name(format!("xfer-{}-{}", shared.names[idx], what))
            .spawn(move || {
                let guard = DoneGuard {
                    shared: (*owned).as_ref(),
                    idx,
                };
                work(&owned);
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
}

/// Sends the element's DONE when its thread ends, also on panic.
struct DoneGuard<'a> {
    shared: &'a Shared,
    idx: usize,
}

impl Drop for DoneGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.shared
                .fail(self.idx, "worker thread panicked".to_string());
        }
        self.shared.send(self.idx, MsgKind::Done);
    }
}
