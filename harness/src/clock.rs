//! A virtual clock: time that moves only when the simulation says so.
//!
//! Components with timeouts take `now` from a [`VirtualClock`]; a test of a
//! 10-second timeout advances the clock by 10 s in one call and takes
//! microseconds. Timers fire in deadline order, ties in arming order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

/// A point in virtual time: the offset from the simulation's epoch.
pub type Instant = Duration;

/// A monotonic virtual clock with a timer queue.
#[derive(Debug, Default)]
pub struct VirtualClock {
    now: Instant,
    next_id: u64,
    timers: BinaryHeap<Reverse<(Instant, u64)>>,
}

/// Identifies an armed timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerId(pub u64);

impl VirtualClock {
    /// A clock at the epoch with no timers.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Arms a timer `after` from now.
    pub fn arm(&mut self, after: Duration) -> TimerId {
        let id = self.next_id;
        self.next_id += 1;
        self.timers.push(Reverse((self.now + after, id)));
        TimerId(id)
    }

    /// The deadline of the earliest armed timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.peek().map(|Reverse((at, _))| *at)
    }

    /// Jumps to the earliest deadline and returns the timer that fired.
    pub fn fire_next(&mut self) -> Option<TimerId> {
        let Reverse((at, id)) = self.timers.pop()?;
        debug_assert!(at >= self.now, "timers never fire in the past");
        self.now = self.now.max(at);
        Some(TimerId(id))
    }

    /// Moves time forward by `by`, returning the timers that fired, in order.
    pub fn advance(&mut self, by: Duration) -> Vec<TimerId> {
        let target = self.now + by;
        let mut fired = Vec::new();
        while let Some(at) = self.next_deadline() {
            if at > target {
                break;
            }
            fired.extend(self.fire_next());
        }
        self.now = target;
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_second_timeout_fires_without_waiting() {
        let mut clock = VirtualClock::new();
        let t = clock.arm(Duration::from_secs(10));
        assert!(clock.advance(Duration::from_millis(9_999)).is_empty());
        assert_eq!(clock.advance(Duration::from_millis(1)), vec![t]);
        assert_eq!(clock.now(), Duration::from_secs(10));
    }

    #[test]
    fn timers_fire_in_deadline_then_arming_order() {
        let mut clock = VirtualClock::new();
        let late = clock.arm(Duration::from_secs(2));
        let early_a = clock.arm(Duration::from_secs(1));
        let early_b = clock.arm(Duration::from_secs(1));
        assert_eq!(
            clock.advance(Duration::from_secs(5)),
            vec![early_a, early_b, late]
        );
        assert_eq!(clock.next_deadline(), None);
    }
}
