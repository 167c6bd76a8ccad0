//! The writer task: takes jobs in batches, delivers them in order (spool first), and
//! through an outage spools, retries with backoff and keeps nothing only in memory.

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use tokio::sync::mpsc;

use super::checkresult::write_checkresult;
use super::job::{Job, SpoolConfig, WriterConfig};
use super::spool::{count_lines_in, lock_spool, replace_file};
use super::target::{Target, open_target, write_chunks};
use crate::server::events::{EventFn, ServerEvent, Sink};

/// Bytes of undelivered results held in memory before the writer stops reading its
/// channel (only when the spool file cannot be written either).
pub const MEMORY_LIMIT: usize = 64 << 20;

/// Jobs taken from the channel per batch.
const BATCH_JOBS: usize = 4096;

/// Delay between attempts while a FIFO is full.
const FULL_FIFO_RETRY: Duration = Duration::from_millis(10);

/// Attempts on a full FIFO (about 2 s) before the results are spooled.
const FULL_FIFO_ATTEMPTS: u32 = 200;

/// The writer task's state.
pub(super) struct Writer {
    config: WriterConfig,
    spool: SpoolConfig,
    events: EventFn,
    /// Open target when aggregating writes.
    open: Option<Target>,
    /// Undelivered bytes that are not in the spool file (whole lines, except that
    /// the first one may have been partly written already).
    pending: Vec<u8>,
    /// Lines in `pending` (counting a partly written first line).
    pending_lines: usize,
    /// Lines in the spool file.
    spooled_lines: usize,
    /// Whether the last delivery failed (retrying with backoff).
    outage: bool,
    /// Whether the spool file failed (results in memory).
    spool_broken: bool,
    /// Consecutive attempts that found the FIFO full.
    full: u32,
    backoff: Duration,
}

impl Writer {
    /// A writer that finds the spool an earlier run left.
    pub(super) fn new(config: WriterConfig, spool: SpoolConfig, events: EventFn) -> Self {
        let spooled_lines = count_lines_in(&spool.path);
        Self {
            backoff: spool.initial_backoff,
            config,
            spool,
            events,
            open: None,
            pending: Vec::new(),
            pending_lines: 0,
            spooled_lines,
            outage: false,
            spool_broken: false,
            full: 0,
        }
    }

    fn emit(&self, event: ServerEvent) {
        (self.events)(event);
    }

    /// Runs until every sender is gone and everything received is delivered or spooled.
    pub(super) async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        // Results left in the spool by an earlier run are delivered first.
        if self.spooled_lines > 0 {
            self.deliver();
        }
        let mut jobs = Vec::with_capacity(64);
        loop {
            let can_receive = !(self.spool_broken && self.pending.len() >= MEMORY_LIMIT);
            let retry = if self.full > 0 {
                Some(FULL_FIFO_RETRY)
            } else if self.outage {
                Some(self.backoff)
            } else {
                None
            };
            tokio::select! {
                n = rx.recv_many(&mut jobs, BATCH_JOBS), if can_receive => {
                    if n == 0 {
                        break;
                    }
                    self.handle_batch(&mut jobs);
                }
                () = tokio::time::sleep(retry.unwrap_or_default()), if retry.is_some() => {
                    let full = self.full > 0;
                    self.deliver();
                    if !full {
                        self.backoff = (self.backoff * 2).min(self.spool.max_backoff);
                    }
                    if !can_receive && rx.is_closed() {
                        // Saturated and every sender gone: take what is queued and finish.
                        while let Ok(job) = rx.try_recv() {
                            jobs.push(job);
                        }
                        self.handle_batch(&mut jobs);
                        break;
                    }
                }
            }
        }
        // Every sender is gone: one last attempt, then make sure nothing stays in memory.
        self.deliver();
        if !self.pending.is_empty() {
            self.spool_pending();
        }
        if !self.pending.is_empty() {
            // Last resort: the log is the only place left.
            let bytes = std::mem::take(&mut self.pending);
            for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                self.emit(ServerEvent::Undelivered {
                    line: line.to_vec(),
                });
            }
        }
        self.open = None;
    }

    fn handle_batch(&mut self, jobs: &mut Vec<Job>) {
        let mut flushes = Vec::new();
        for job in jobs.drain(..) {
            match job {
                Job::Lines { bytes, count } => {
                    self.pending.extend_from_slice(&bytes);
                    self.pending_lines += count;
                }
                Job::CheckResult { file, line } => {
                    let dir = self.config.check_result_path.clone();
                    match dir {
                        Some(dir) => {
                            if let Err(e) = write_checkresult(&dir, &file) {
                                self.emit(ServerEvent::CheckResultFileFailed {
                                    dir: dir.clone(),
                                    error: e.to_string(),
                                });
                                self.push_line(&line);
                            } else {
                                self.emit(ServerEvent::ResultsWritten {
                                    sink: Sink::CheckResultDir,
                                    count: 1,
                                });
                            }
                        }
                        None => self.push_line(&line),
                    }
                }
                Job::Reconfigure(config) => {
                    // Earlier lines go out under the old configuration.
                    self.deliver();
                    self.open = None;
                    self.config = config;
                }
                Job::Flush(ack) => {
                    self.deliver();
                    flushes.push(ack);
                }
            }
        }
        self.deliver();
        for ack in flushes {
            let _ = ack.send(());
        }
    }

    fn push_line(&mut self, line: &[u8]) {
        self.pending.extend(line);
        self.pending_lines += 1;
    }

    /// Delivers the spool, then the pending bytes; on failure spools what is left.
    fn deliver(&mut self) {
        if self.outage || self.spooled_lines > 0 {
            match self.deliver_spool() {
                Ok(()) => {}
                Err(error) => {
                    self.fail(error);
                    self.spool_pending();
                    return;
                }
            }
        }
        if self.pending.is_empty() {
            self.recovered();
            return;
        }
        let bytes = std::mem::take(&mut self.pending);
        let outcome = self.write_target(&bytes);
        self.pending = bytes;
        match outcome {
            Ok((sink, _)) => {
                let count = self.pending_lines;
                self.pending.clear();
                self.pending_lines = 0;
                self.full = 0;
                self.emit(ServerEvent::ResultsWritten { sink, count });
                self.recovered();
            }
            Err((written, error)) => {
                let written = written.min(self.pending.len());
                let lines_done = self.pending[..written]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                self.pending.drain(..written);
                self.pending_lines = self.pending_lines.saturating_sub(lines_done);
                if lines_done > 0 {
                    self.emit(ServerEvent::ResultsWritten {
                        sink: Sink::CommandFile,
                        count: lines_done,
                    });
                }
                if error.kind() == ErrorKind::WouldBlock && self.full < FULL_FIFO_ATTEMPTS {
                    // A full FIFO: the reader is slow; keep the rest in memory a little.
                    self.full += 1;
                    return;
                }
                self.full = 0;
                self.fail(error);
                self.spool_pending();
            }
        }
    }

    fn recovered(&mut self) {
        if self.outage && self.spooled_lines == 0 && self.pending.is_empty() {
            self.outage = false;
            self.backoff = self.spool.initial_backoff;
        }
    }

    fn fail(&mut self, error: std::io::Error) {
        self.open = None;
        if !self.outage {
            self.outage = true;
            self.backoff = self.spool.initial_backoff;
            self.emit(ServerEvent::CommandFileUnavailable {
                path: self.config.command_file.clone(),
                error: error.to_string(),
            });
        }
    }

    /// Appends the pending bytes to the spool file.
    fn spool_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let bytes = &self.pending;
        let result = lock_spool(&self.spool.path, true).and_then(|locked| match locked {
            Some(mut f) => {
                f.write_all(bytes)?;
                f.sync_data()
            }
            None => Err(std::io::Error::new(
                ErrorKind::NotFound,
                "spool file vanished",
            )),
        });
        match result {
            Ok(()) => {
                let count = self.pending_lines;
                self.pending.clear();
                self.pending_lines = 0;
                self.spooled_lines += count;
                self.spool_broken = false;
                self.emit(ServerEvent::Spooled {
                    path: self.spool.path.clone(),
                    count,
                });
            }
            Err(e) => {
                if !self.spool_broken {
                    self.spool_broken = true;
                    self.emit(ServerEvent::SpoolFailed {
                        path: self.spool.path.clone(),
                        error: e.to_string(),
                    });
                }
            }
        }
    }

    /// Writes the spool file's content to the command file and empties it.
    fn deliver_spool(&mut self) -> Result<(), std::io::Error> {
        // Locked, so that other server processes (inetd) sharing the spool neither
        // append while it is being emptied nor deliver the same lines twice.
        let Some(mut locked) = lock_spool(&self.spool.path, false)? else {
            self.spooled_lines = 0;
            return Ok(());
        };
        let mut bytes = Vec::new();
        locked.read_to_end(&mut bytes)?;
        if bytes.is_empty() {
            self.spooled_lines = 0;
            return Ok(());
        }
        match self.write_target(&bytes) {
            Ok(_) => {
                locked.set_len(0)?;
                let count = std::mem::take(&mut self.spooled_lines)
                    .max(bytes.iter().filter(|&&b| b == b'\n').count());
                self.emit(ServerEvent::SpoolDrained { count });
                Ok(())
            }
            Err((written, error)) => {
                if written > 0 {
                    // Keep only what was not delivered.
                    let rest = bytes.get(written..).unwrap_or_default();
                    replace_file(&self.spool.path, rest)?;
                    let done = bytes
                        .get(..written)
                        .unwrap_or_default()
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    self.spooled_lines = self.spooled_lines.saturating_sub(done);
                    if done > 0 {
                        self.emit(ServerEvent::SpoolDrained { count: done });
                    }
                }
                Err(error)
            }
        }
    }

    /// Opens (or reuses) the target and writes all of `bytes`.
    ///
    /// On error returns how many bytes were written before it.
    fn write_target(&mut self, bytes: &[u8]) -> Result<(Sink, usize), (usize, std::io::Error)> {
        let mut target = match self.open.take() {
            Some(t) => t,
            None => open_target(&self.config).map_err(|e| (0, e))?,
        };
        let result = write_chunks(&mut target, bytes);
        let sink = target.sink;
        let keep = match &result {
            Ok(_) => self.config.aggregate && sink == Sink::CommandFile,
            Err((_, e)) => e.kind() == ErrorKind::WouldBlock,
        };
        if keep {
            self.open = Some(target);
        }
        result.map(|n| (sink, n))
    }
}
