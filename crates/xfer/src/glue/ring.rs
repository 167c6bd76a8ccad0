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
//! stays blocked on the ring.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};

/// Amanda's `GLUE_RING_BUFFER_SIZE`: slots in a PUSH→PULL ring.
pub const RING_SLOTS: usize = 32;

/// A mutex-protected state with one condition variable.
pub trait Monitor<S>: Send + Sync {
    /// Wraps `state`.
    fn new(state: S) -> Self;
    /// Locks, waits until `ready(state)`, applies `update`, wakes all waiters.
    fn update<R>(&self, ready: impl FnMut(&S) -> bool, update: impl FnOnce(&mut S) -> R) -> R;
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

    fn update<R>(&self, mut ready: impl FnMut(&S) -> bool, update: impl FnOnce(&mut S) -> R) -> R {
        let guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut guard = self
            .cond
            .wait_while(guard, |s| !ready(s))
            .unwrap_or_else(PoisonError::into_inner);
        let r = update(&mut guard);
        drop(guard);
        self.cond.notify_all();
        r
    }
}

/// The ring's state: queued buffers, EOF and cancel flags.
#[derive(Debug)]
pub struct RingState {
    slots: VecDeque<Vec<u8>>,
    capacity: usize,
    eof: bool,
    cancelled: bool,
}

impl RingState {
    /// An empty ring of `capacity` slots (at least 1).
    pub fn new(capacity: usize) -> RingState {
        RingState {
            slots: VecDeque::new(),
            capacity: capacity.max(1),
            eof: false,
            cancelled: false,
        }
    }

    /// Whether a push can proceed without waiting.
    pub fn can_push(&self) -> bool {
        self.cancelled || self.eof || self.slots.len() < self.capacity
    }

    /// Whether a pull can proceed without waiting.
    pub fn can_pull(&self) -> bool {
        self.cancelled || self.eof || !self.slots.is_empty()
    }

    /// Applies a push; returns whether the buffer (or EOF) was accepted.
    pub fn push(&mut self, buf: Option<Vec<u8>>) -> bool {
        debug_assert!(self.can_push());
        if self.cancelled || self.eof {
            return false;
        }
        match buf {
            Some(b) => self.slots.push_back(b),
            None => self.eof = true,
        }
        debug_assert!(self.slots.len() <= self.capacity);
        true
    }

    /// Applies a pull: the next buffer, or `None` at EOF or after cancel.
    pub fn pull(&mut self) -> Option<Vec<u8>> {
        debug_assert!(self.can_pull());
        if self.cancelled {
            return None;
        }
        self.slots.pop_front()
    }

    /// Cancels: drops queued buffers; every later push and pull returns at once.
    pub fn cancel(&mut self) {
        self.cancelled = true;
        self.slots.clear();
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
        self.monitor.update(RingState::can_push, |s| s.push(buf))
    }

    /// Takes the next buffer, waiting for one; `None` at EOF or after cancel.
    pub fn pull(&self) -> Option<Vec<u8>> {
        self.monitor.update(RingState::can_pull, RingState::pull)
    }

    /// Cancels the ring and wakes every waiter.
    pub fn cancel(&self) {
        self.monitor.update(|_| true, RingState::cancel);
    }
}
