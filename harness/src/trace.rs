//! Structured trace events and their stable one-line-per-event rendering.
//!
//! Components emit their own typed events; scenario runners turn them into
//! [`Event`]s stamped with virtual time and an actor name (`tape0`, `xfer`,
//! `client`). A rendered [`Trace`] has no addresses, wall-clock times or
//! thread ids, so it can be a golden file and its hash a determinism check.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One thing that happened, at a virtual time, to one actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Virtual time since the scenario's epoch.
    pub at: Duration,
    /// Who it happened to (`tape0`, `xfer`, `server`).
    pub actor: String,
    /// What happened, one line, stable wording.
    pub text: String,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.at.as_micros();
        if micros.is_multiple_of(1000) {
            write!(f, "+{}ms {} {}", micros / 1000, self.actor, self.text)
        } else {
            write!(
                f,
                "+{}.{:03}ms {} {}",
                micros / 1000,
                micros % 1000,
                self.actor,
                self.text
            )
        }
    }
}

/// An ordered list of events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    events: Vec<Event>,
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an event; the text must be a single line.
    pub fn push(&mut self, at: Duration, actor: impl Into<String>, text: impl fmt::Display) {
        let text = text.to_string();
        debug_assert!(!text.contains('\n'), "trace events are one line: {text:?}");
        let text = text.replace('\n', "\\n");
        self.events.push(Event {
            at,
            actor: actor.into(),
            text,
        });
    }

    /// The events in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The golden-file text: one event per line, each line ending in `\n`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            out.push_str(&e.to_string());
            out.push('\n');
        }
        out
    }

    /// SHA-256 of [`Trace::render`], hex; equal hashes mean identical traces.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.render().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_line_per_event_with_relative_virtual_time() {
        let mut t = Trace::new();
        t.push(
            Duration::from_millis(12),
            "tape0",
            "write part=3 blk=17 -> LEOM",
        );
        t.push(Duration::from_micros(1500), "xfer", "done");
        assert_eq!(
            t.render(),
            "+12ms tape0 write part=3 blk=17 -> LEOM\n+1.500ms xfer done\n"
        );
    }

    #[test]
    fn hash_changes_with_any_event() {
        let mut a = Trace::new();
        a.push(Duration::ZERO, "x", "one");
        let mut b = a.clone();
        assert_eq!(a.hash(), b.hash());
        b.push(Duration::ZERO, "x", "two");
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash().len(), 64);
    }
}
