//! The bounded queue behind PUSH→PULL glue (Amanda's 32-slot ring buffer).
//!
//! [`RingState`] is the whole protocol as plain data; [`Ring`] makes it
//! blocking through a [`Monitor`] (a mutex plus one condition variable), so the
//! same code runs on `std::sync` ([`StdMonitor`]) and, in tests, on a schedule
//! explorer's primitives.
//!
//! Protocol: `push(Some(buf))` waits for a free slot; `push(None)` is EOF;
//! `pull` waits for a buffer and returns `None` after EOF. After `cancel`,
//! pushes drop their buffer and pulls return `None` at once, so no thread
//! stays blocked on the ring. For PUSH_BUFFER_STATIC→PULL_BUFFER_STATIC the
//! puller hands spent buffers back through the ring and the pusher refills
//! them, so a steady stream allocates nothing.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};

/// Amanda's `GLUE_RING_BUFFER_SIZE`: slots in a PUSH→PULL ring.
pub const RING_SLOTS: usize = 32;

/// A mutex-protected state with one condition variable.
pub trait Monitor<S>: Send + Sync {
    /// Wraps `state`.
    fn new(state: S) -> Self;
    /// Locks, waits until `ready(state)` (which may note in the state that its caller is about
    /// to wait), applies `update`, and wakes every waiter if `update` says a waiter may now
    /// proceed — so a thread that nobody waits for pays no wake-up.
    fn update<R>(
        &self,
        ready: impl FnMut(&mut S) -> bool,
        update: impl FnOnce(&mut S) -> (R, bool),
    ) -> R;
}

/// [`Monitor`] on `std::sync::{Mutex, Condvar}`.
#[derive(Debug, Default)]
pub struct StdMonitor<S> {
    state: Mutex<S>,
    cond: Condvar,
}

impl<S: Send> Monitor<S> for StdMonitor<S> {
    fn new(state: S) -> Self {
        StdMonitor {
            state: Mutex::new(state),
            cond: Condvar::new(),
        }
    }

    fn update<R>(
        &self,
        mut ready: impl FnMut(&mut S) -> bool,
        update: impl FnOnce(&mut S) -> (R, bool),
    ) -> R {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while !ready(&mut guard) {
            guard = self
                .cond
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let (r, wake) = update(&mut guard);
        drop(guard);
        if wake {
            self.cond.notify_all();
        }
        r
    }
}

/// The ring's state: queued buffers, EOF and cancel flags, who waits, and spent buffers kept
/// for reuse.
///
/// Wake-ups are rationed, so the two threads trade batches of buffers rather than one
/// wake-up (a system call and a context switch, which cost more than copying a 32 KiB
/// buffer) per slot: a pusher that finds the ring full waits until the puller has drained it
/// to half, a puller that finds it empty waits until it is half full or at EOF, and a side is
/// woken only if it noted that it waits. Neither can wait on the other for ever: the pusher
/// waits only on a full ring, which has woken the puller; the puller waits only on an empty
/// ring, and it woke the pusher on its way down through half.
#[derive(Debug)]
pub struct RingState {
    slots: VecDeque<Vec<u8>>,
    capacity: usize,
    eof: bool,
    cancelled: bool,
    /// A pusher found the ring full and waits until it is at most half full.
    pusher_waiting: bool,
    /// A puller found the ring empty and waits until it is half full, at EOF or cancelled.
    puller_waiting: bool,
    /// Buffers the puller has finished with, for the pusher to fill again.
    spare: Vec<Vec<u8>>,
}

impl RingState {
    /// An empty ring of `capacity` slots (at least 1).
    pub fn new(capacity: usize) -> RingState {
        RingState {
            slots: VecDeque::new(),
            capacity: capacity.max(1),
            eof: false,
            cancelled: false,
            pusher_waiting: false,
            puller_waiting: false,
            spare: Vec::new(),
        }
    }

    /// Whether a push can proceed now; if not, notes that a pusher waits.
    pub fn can_push(&mut self) -> bool {
        if self.cancelled || self.eof {
            return true;
        }
        if !self.pusher_waiting && self.slots.len() < self.capacity {
            return true;
        }
        self.pusher_waiting = true;
        false
    }

    /// Whether a pull can proceed now; if not, notes that a puller waits.
    pub fn can_pull(&mut self) -> bool {
        if self.cancelled || self.eof {
            return true;
        }
        if !self.puller_waiting && !self.slots.is_empty() {
            return true;
        }
        self.puller_waiting = true;
        false
    }

    /// Buffers a waiting side waits for: a pusher until the ring is down to this many, a
    /// puller until it is up to this many (or EOF).
    fn half(&self) -> usize {
        (self.capacity / 2).max(1)
    }

    /// Applies a push; returns whether the buffer (or EOF) was accepted and whether to wake
    /// a waiting puller.
    pub fn push(&mut self, buf: Option<Vec<u8>>) -> (bool, bool) {
        if self.cancelled || self.eof {
            return (false, false);
        }
        match buf {
            Some(b) => self.slots.push_back(b),
            None => self.eof = true,
        }
        debug_assert!(self.slots.len() <= self.capacity);
        let wake = self.puller_waiting && (self.eof || self.slots.len() >= self.half());
        if wake {
            self.puller_waiting = false;
        }
        (true, wake)
    }

    /// Applies a pull: the next buffer (`None` at EOF or after cancel) and whether to wake a
    /// waiting pusher (once the ring is down to half).
    pub fn pull(&mut self) -> (Option<Vec<u8>>, bool) {
        if self.cancelled {
            return (None, false);
        }
        let buf = self.slots.pop_front();
        let wake = self.pusher_waiting && self.slots.len() <= self.half();
        if wake {
            self.pusher_waiting = false;
        }
        (buf, wake)
    }

    /// Keeps a spent buffer for reuse (at most one ring's worth are kept).
    pub fn recycle(&mut self, spent: Vec<u8>) {
        if !self.cancelled && spent.capacity() > 0 && self.spare.len() < self.capacity {
            self.spare.push(spent);
        }
    }

    /// A spent buffer to fill again, if one was recycled.
    pub fn take_spare(&mut self) -> Option<Vec<u8>> {
        self.spare.pop()
    }

    /// Cancels: drops queued and spare buffers; every later push and pull returns at once.
    pub fn cancel(&mut self) {
        self.cancelled = true;
        self.slots.clear();
        self.spare.clear();
        self.pusher_waiting = false;
        self.puller_waiting = false;
    }

    /// Buffers currently queued.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no buffer is queued.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// A blocking bounded queue of buffers between two threads.
#[derive(Debug)]
pub struct Ring<M: Monitor<RingState> = StdMonitor<RingState>> {
    monitor: M,
}

impl<M: Monitor<RingState>> Ring<M> {
    /// A ring of `capacity` slots.
    pub fn new(capacity: usize) -> Self {
        Ring {
            monitor: M::new(RingState::new(capacity)),
        }
    }

    /// Queues a buffer (`None` = EOF), waiting for a free slot; returns
    /// whether it was accepted (false after cancel or a second EOF).
    pub fn push(&self, buf: Option<Vec<u8>>) -> bool {
        self.push_recycling(buf).0
    }

    /// [`Ring::push`], also handing back a spent buffer to fill next, if the puller
    /// recycled one.
    pub fn push_recycling(&self, buf: Option<Vec<u8>>) -> (bool, Option<Vec<u8>>) {
        self.monitor.update(RingState::can_push, |s| {
            let (accepted, wake) = s.push(buf);
            ((accepted, s.take_spare()), wake)
        })
    }

    /// Takes the next buffer, waiting for one; `None` at EOF or after cancel.
    pub fn pull(&self) -> Option<Vec<u8>> {
        self.pull_recycling(None)
    }

    /// [`Ring::pull`], first giving the pusher back a buffer the caller has finished with.
    pub fn pull_recycling(&self, spent: Option<Vec<u8>>) -> Option<Vec<u8>> {
        self.monitor.update(RingState::can_pull, |s| {
            if let Some(b) = spent {
                s.recycle(b);
            }
            s.pull()
        })
    }

    /// Cancels the ring and wakes every waiter.
    pub fn cancel(&self) {
        self.monitor.update(|_| true, |s| (s.cancel(), true));
    }
}
