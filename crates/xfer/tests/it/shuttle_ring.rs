//! Schedule exploration (shuttle) of the PUSH→PULL ring and its cancel flag:
//! the real `Ring` code runs on shuttle's mutex and condition variable, and
//! shuttle reports any interleaving that deadlocks or breaks an assertion.

use reelcheck_xfer::glue::ring::{Monitor, Ring, RingState};
use shuttle::sync::{Arc, Condvar, Mutex};
use shuttle::thread;

/// [`Monitor`] on shuttle's primitives.
struct ShuttleMonitor<S> {
    state: Mutex<S>,
    cond: Condvar,
}

impl<S: Send> Monitor<S> for ShuttleMonitor<S> {
    fn new(state: S) -> Self {
        ShuttleMonitor {
            state: Mutex::new(state),
            cond: Condvar::new(),
        }
    }

    fn update<R>(
        &self,
        mut ready: impl FnMut(&mut S) -> bool,
        update: impl FnOnce(&mut S) -> (R, bool),
    ) -> R {
        let mut guard = self.state.lock().expect("not poisoned");
        while !ready(&mut guard) {
            guard = self.cond.wait(guard).expect("not poisoned");
        }
        let (r, wake) = update(&mut guard);
        drop(guard);
        if wake {
            self.cond.notify_all();
        }
        r
    }
}

type TestRing = Ring<ShuttleMonitor<RingState>>;

const ITEMS: u8 = 5;

fn producer(ring: &TestRing) -> Vec<u8> {
    let mut accepted = Vec::new();
    for i in 0..ITEMS {
        if ring.push(Some(vec![i])) {
            accepted.push(i);
        }
    }
    ring.push(None);
    accepted
}

fn consumer(ring: &TestRing) -> Vec<u8> {
    let mut got = Vec::new();
    // Bounded: at most ITEMS buffers, then EOF.
    for _ in 0..=ITEMS {
        match ring.pull() {
            Some(b) => got.extend_from_slice(&b),
            None => return got,
        }
    }
    panic!("more buffers than were pushed: {got:?}");
}

fn without_cancel(capacity: usize) {
    let ring = Arc::new(TestRing::new(capacity));
    let r = Arc::clone(&ring);
    let p = thread::spawn(move || producer(&r));
    let got = consumer(&ring);
    let accepted = p.join().expect("producer");
    assert_eq!(accepted, (0..ITEMS).collect::<Vec<_>>());
    assert_eq!(got, accepted, "every buffer arrives, in order");
    assert_eq!(ring.pull(), None, "EOF is sticky");
}

fn with_cancel(capacity: usize) {
    let ring = Arc::new(TestRing::new(capacity));
    let (r1, r2) = (Arc::clone(&ring), Arc::clone(&ring));
    let p = thread::spawn(move || producer(&r1));
    let c = thread::spawn(move || r2.cancel());
    let got = consumer(&ring);
    let accepted = p.join().expect("producer ends although cancelled");
    c.join().expect("canceller");
    assert!(
        accepted.starts_with(&got),
        "consumer sees a prefix of what was accepted: {got:?} / {accepted:?}"
    );
    assert_eq!(ring.pull(), None, "after cancel, pulls return at once");
    assert!(
        !ring.push(Some(vec![9])),
        "after cancel, pushes are dropped"
    );
}

/// The STATIC pair's use of the ring: the pusher refills buffers the puller hands back.
fn with_recycling(capacity: usize) {
    let ring = Arc::new(TestRing::new(capacity));
    let r = Arc::clone(&ring);
    let p = thread::spawn(move || {
        let mut spare: Option<Vec<u8>> = None;
        for i in 0..ITEMS {
            let mut b = spare.take().unwrap_or_default();
            b.clear();
            b.extend_from_slice(&[i, i]);
            let (accepted, next) = r.push_recycling(Some(b));
            assert!(accepted, "push {i} accepted");
            spare = next;
        }
        r.push(None);
    });
    let mut got = Vec::new();
    let mut spent = None;
    while let Some(b) = ring.pull_recycling(spent.take()) {
        got.extend_from_slice(&b);
        spent = Some(b);
    }
    p.join().expect("producer");
    let want: Vec<u8> = (0..ITEMS).flat_map(|i| [i, i]).collect();
    assert_eq!(
        got, want,
        "recycled buffers carry exactly what was pushed, in order"
    );
}

// Capacity 4 makes a waiting side wait for two buffers (half a ring), not one.
#[test]
fn it_ring_delivers_everything_in_order_under_every_explored_schedule() {
    for capacity in [2, 4] {
        shuttle::check_random(move || without_cancel(capacity), 2000);
        shuttle::check_pct(move || without_cancel(capacity), 1000, 3);
    }
}

#[test]
fn it_ring_cancel_never_deadlocks_under_explored_schedules() {
    for capacity in [2, 4] {
        shuttle::check_random(move || with_cancel(capacity), 3000);
        shuttle::check_pct(move || with_cancel(capacity), 2000, 3);
    }
}

#[test]
fn it_ring_recycling_delivers_everything_in_order_under_explored_schedules() {
    for capacity in [1, 2, 3, 4] {
        shuttle::check_random(move || with_recycling(capacity), 1000);
        shuttle::check_pct(move || with_recycling(capacity), 500, 3);
    }
}
