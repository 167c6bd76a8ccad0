//! What a script run observed: the files it wrote as the device reported them,
//! each step's outcome, and the trace recorder that writes device events and
//! script lines in order.

use std::time::Duration;

use reelcheck_tape::device::{DeviceEvent, EventKind};

use crate::trace::Trace;

use super::schema::{ReadEnd, WriteEnd};

/// What a script wrote to one file, as the device reported it.
#[derive(Debug)]
pub(super) struct WrittenFile {
    pub(super) volume: String,
    pub(super) file: u32,
    /// The blocks whose write returned success, as offered.
    pub(super) blocks: Vec<Vec<u8>>,
    /// The file ended with a `FAILED` write: something more may be on the medium.
    pub(super) failed: bool,
}

/// One `write-file` step's result.
#[derive(Debug)]
pub(super) struct WriteOutcome {
    pub(super) file: Option<u32>,
    pub(super) blocks: u64,
    pub(super) bytes: u64,
    pub(super) leom_block: Option<u64>,
    pub(super) leom_at_header: bool,
    pub(super) end: WriteEnd,
    pub(super) at_block: Option<u64>,
}

/// One `read-file` step's result.
#[derive(Debug)]
pub(super) struct ReadOutcome {
    pub(super) file: u32,
    pub(super) result: ReadEnd,
    pub(super) block: Option<u64>,
}

/// Everything a run observed, for the `[expect]` checks.
#[derive(Default)]
pub(super) struct Observed {
    pub(super) writes: Vec<WriteOutcome>,
    pub(super) reads: Vec<ReadOutcome>,
    pub(super) label_reads: Vec<String>,
    pub(super) loads: Vec<usize>,
    pub(super) errors: Vec<String>,
    pub(super) written: Vec<WrittenFile>,
}

/// Records the device's new events and the script's own lines in the trace.
pub(super) struct Recorder<'a> {
    pub(super) trace: &'a mut Trace,
    pub(super) at: Duration,
    pub(super) redact: Option<String>,
    /// Script lines of the current step, written after the device's events.
    pub(super) pending: Vec<(String, String)>,
}

impl Recorder<'_> {
    /// `s` with the temporary directory shown as `$VOL`.
    pub(super) fn text(&self, s: String) -> String {
        match &self.redact {
            Some(p) => s.replace(p.as_str(), "$VOL"),
            None => s,
        }
    }

    /// Writes the device's events to the trace, noting its errors in `obs`.
    pub(super) fn events(&mut self, events: Vec<DeviceEvent>, obs: &mut Observed) {
        for e in events {
            if let EventKind::Error { message, .. } = &e.kind {
                obs.errors.push(self.text(message.clone()));
            }
            let text = self.text(event_text(&e));
            self.trace.push(self.at, e.device.clone(), text);
        }
    }

    /// Queues a script line for the current step.
    pub(super) fn line(&mut self, actor: &str, text: String) {
        let text = self.text(text);
        self.pending.push((actor.to_string(), text));
    }

    /// Writes the queued script lines after the step's device events.
    pub(super) fn flush(&mut self) {
        for (actor, text) in std::mem::take(&mut self.pending) {
            self.trace.push(self.at, actor, text);
        }
    }
}

/// A device event's trace line without its device name, which the trace shows
/// as the line's actor.
pub(super) fn event_text(e: &DeviceEvent) -> String {
    let line = e.to_string();
    let prefix = format!("{} ", e.device);
    line.strip_prefix(&prefix).unwrap_or(&line).to_string()
}
