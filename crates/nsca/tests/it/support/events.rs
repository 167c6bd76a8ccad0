//! Bounded waits on a server's events: every wait gives up after [`WAIT`] and then panics
//! listing every event it saw, so a hung test says what happened instead of hanging.

use std::time::Duration;

use reelcheck_nsca::server::events::ServerEvent;
use tokio::sync::mpsc;

/// Upper bound for any wait in a test: above the server's own timers (10 s read timeout,
/// 5 s longest spool backoff, 30 s shutdown grace), which run on virtual time under
/// `start_paused`, and below nextest's 300 s limit, so a hung real-time test still prints
/// what it saw.
pub const WAIT: Duration = Duration::from_secs(60);

/// A server's observer channel and every event taken from it so far.
pub struct Events {
    rx: mpsc::UnboundedReceiver<ServerEvent>,
    /// Every event received so far, in order.
    pub seen: Vec<ServerEvent>,
}

impl Events {
    /// Wraps the receiving side of a server's observer channel.
    pub fn new(rx: mpsc::UnboundedReceiver<ServerEvent>) -> Self {
        Self {
            rx,
            seen: Vec::new(),
        }
    }

    /// Waits for the first event (after those already seen) matching `pred`; panics with
    /// `what` and the events seen when none comes within [`WAIT`] or the server ends.
    pub async fn wait_for(
        &mut self,
        what: &str,
        pred: impl Fn(&ServerEvent) -> bool,
    ) -> ServerEvent {
        let got = tokio::time::timeout(WAIT, async {
            while let Some(e) = self.rx.recv().await {
                self.seen.push(e.clone());
                if pred(&e) {
                    return Some(e);
                }
            }
            None
        })
        .await;
        match got {
            Ok(Some(e)) => e,
            Ok(None) => panic!("no event '{what}': the server ended; {}", self.listing()),
            Err(_) => panic!("no event '{what}' within {WAIT:?}; {}", self.listing()),
        }
    }

    /// How many events seen so far match `pred`.
    pub fn count(&self, pred: impl Fn(&ServerEvent) -> bool) -> usize {
        self.seen.iter().filter(|e| pred(e)).count()
    }

    /// The events seen so far, one per line.
    fn listing(&self) -> String {
        let lines: Vec<String> = self.seen.iter().map(|e| format!("  {e}")).collect();
        format!("events seen:\n{}", lines.join("\n"))
    }
}

/// Awaits `future` at most [`WAIT`]; panics saying `what` when it does not finish in time.
pub async fn within<F: std::future::Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(WAIT, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {WAIT:?}"),
    }
}

/// Waits for a spawned task (a server's run) at most [`WAIT`]; panics, saying `what`, when
/// it does not end in time or panicked.
pub async fn joined<T>(task: tokio::task::JoinHandle<T>, what: &str) -> T {
    match within(what, task).await {
        Ok(value) => value,
        Err(e) => panic!("{what} failed: {e}"),
    }
}
