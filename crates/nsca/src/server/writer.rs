//! The single writer task: the only code that writes the command file.
//!
//! Connections hand complete lines (already formatted with the time of acceptance)
//! to one task through a bounded channel, so lines never interleave and a stalled
//! command file slows clients down (TCP back-pressure) instead of dropping results.
//!
//! Opening follows nsca 2.10: `open(command_file, O_WRONLY|O_NONBLOCK[|O_APPEND])`
//! without `O_CREAT`; when the command file does not exist, results go to
//! `alternate_dump_file` if one other than `/dev/null` is configured.
//! `aggregate_writes=1` keeps the file open between batches; otherwise it is opened
//! and closed around each batch.
//! With `check_result_path`, each result becomes a `cXXXXXX` file (mode 0600) plus an
//! empty `cXXXXXX.ok`, falling back to the command file when that fails.
//!
//! Where 2.10 loses results, this writer keeps them (deliberate differences):
//! * a FIFO without a reader (ENXIO), a missing command file with no alternate dump
//!   file, a full disk or any other write error start an *outage*: the undelivered
//!   bytes are appended to the spool file, the outage is logged loudly, and delivery
//!   is retried with exponential backoff; the spool is delivered first, in order;
//! * when the spool file cannot be written either, results stay in memory (up to
//!   [`MEMORY_LIMIT`] bytes, then the channel stops being read, which stalls clients);
//! * a partial write resumes at the first byte not written;
//! * a regular command file is always opened with `O_APPEND` (2.10 without
//!   `append_to_file=1` overwrites the previous line);
//! * lines are written in batches (several lines per `write`, each write at most
//!   `PIPE_BUF` bytes on a FIFO and cut only at line ends, so other writers of the
//!   FIFO cannot split a line).
//!
//! Delivery is at least once: a crash between delivering the spool and truncating
//! it can deliver spooled lines twice, never zero times.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::fcntl::{Flock, FlockArg, OFlag};
use tokio::sync::{mpsc, oneshot};

use super::events::{EventFn, ServerEvent, Sink};

/// Bytes of undelivered results held in memory before the writer stops reading its
/// channel (only when the spool file cannot be written either).
pub const MEMORY_LIMIT: usize = 64 << 20;

/// Largest write to a FIFO that the kernel keeps atomic.
const PIPE_BUF: usize = 4096;

/// Jobs taken from the channel per batch.
const BATCH_JOBS: usize = 4096;

/// How long a connection still waits for a saturated writer once shutdown began.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Delay between attempts while a FIFO is full.
const FULL_FIFO_RETRY: Duration = Duration::from_millis(10);

/// Attempts on a full FIFO (about 2 s) before the results are spooled.
const FULL_FIFO_ATTEMPTS: u32 = 200;

/// Where and how results are written; part of the reloadable configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterConfig {
    /// The Nagios external command file (usually a FIFO).
    pub command_file: PathBuf,
    /// Where results go when the command file does not exist (`None`: spool them).
    pub alternate_dump_file: Option<PathBuf>,
    /// `append_to_file=1`: open with `O_APPEND` (always done for regular files).
    pub append: bool,
    /// `aggregate_writes=1`: keep the command file open between batches.
    pub aggregate: bool,
    /// `check_result_path`: write checkresult files there instead.
    pub check_result_path: Option<PathBuf>,
}

/// Where undelivered results are kept and how often delivery is retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpoolConfig {
    /// The spool file (created when needed, emptied once delivered).
    pub path: PathBuf,
    /// First retry delay after a failure.
    pub initial_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
}

impl SpoolConfig {
    /// A spool file at `path` with 100 ms initial and 5 s maximum backoff.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// One unit of work for the writer.
#[derive(Debug)]
pub enum Job {
    /// Complete command-file lines, each ending in `\n`.
    Lines {
        /// The lines.
        bytes: Vec<u8>,
        /// How many lines `bytes` holds.
        count: usize,
    },
    /// A checkresult file's content, and the command-file line to use if it fails.
    CheckResult {
        /// The checkresult file content.
        file: Vec<u8>,
        /// The command-file line (fallback).
        line: Vec<u8>,
    },
    /// Switch to a new configuration (after SIGHUP); earlier jobs use the old one.
    Reconfigure(WriterConfig),
    /// Answer once every earlier job is delivered or safely spooled.
    Flush(oneshot::Sender<()>),
}

/// The sending side of the writer's channel.
#[derive(Clone, Debug)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
}

impl WriterHandle {
    /// Queues a job; waits while the writer is saturated. `false` once the writer stopped.
    pub async fn submit(&self, job: Job) -> bool {
        self.tx.send(job).await.is_ok()
    }

    /// Queues a job, waiting while the writer is saturated; after `shutdown` turns true
    /// it waits at most [`SHUTDOWN_GRACE`] more. Gives the job back when it could not
    /// be queued (the writer stopped, or it stayed saturated through the grace time).
    pub async fn submit_unless_stuck(
        &self,
        job: Job,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), Job> {
        let give_up = async {
            let _ = shutdown.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            permit = self.tx.reserve() => match permit {
                Ok(permit) => {
                    permit.send(job);
                    Ok(())
                }
                Err(_) => Err(job),
            },
            () = give_up => self.tx.try_send(job).map_err(|e| e.into_inner()),
        }
    }

    /// Waits until every job submitted before this call is delivered or spooled.
    pub async fn flush(&self) -> bool {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Job::Flush(tx)).await.is_err() {
            return false;
        }
        rx.await.is_ok()
    }
}

/// The command-file lines a job carries (each without its `\n`).
pub fn job_lines(job: &Job) -> Vec<Vec<u8>> {
    let bytes: &[u8] = match job {
        Job::Lines { bytes, .. } => bytes,
        Job::CheckResult { line, .. } => line,
        Job::Reconfigure(_) | Job::Flush(_) => &[],
    };
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Starts the writer task on the current runtime; it ends when every handle is dropped
/// and everything received is delivered or spooled.
pub fn spawn(
    config: WriterConfig,
    spool: SpoolConfig,
    capacity: usize,
    events: EventFn,
) -> (WriterHandle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let writer = Writer::new(config, spool, events);
    let task = tokio::spawn(writer.run(rx));
    (WriterHandle { tx }, task)
}

/// An open command file (or alternate dump file).
struct Target {
    file: File,
    sink: Sink,
    fifo: bool,
}

struct Writer {
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
    fn new(config: WriterConfig, spool: SpoolConfig, events: EventFn) -> Self {
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

    async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
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
            None => self.open_target().map_err(|e| (0, e))?,
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

    fn open_target(&self) -> Result<Target, std::io::Error> {
        let path = &self.config.command_file;
        let meta = std::fs::metadata(path);
        match meta {
            Err(e) if e.kind() == ErrorKind::NotFound => match &self.config.alternate_dump_file {
                Some(alt) => {
                    let file = OpenOptions::new().append(true).create(true).open(alt)?;
                    Ok(Target {
                        file,
                        sink: Sink::AlternateDumpFile,
                        fifo: false,
                    })
                }
                None => Err(std::io::Error::new(
                    ErrorKind::NotFound,
                    format!("command file does not exist and no alternate_dump_file is set ({e})"),
                )),
            },
            Err(e) => Err(e),
            Ok(meta) => {
                let fifo = meta.file_type().is_fifo();
                let append = self.config.append || meta.file_type().is_file();
                let mut options = OpenOptions::new();
                options
                    .write(true)
                    .custom_flags(OFlag::O_NONBLOCK.bits())
                    .append(append);
                let file = options.open(path)?;
                Ok(Target {
                    file,
                    sink: Sink::CommandFile,
                    fifo,
                })
            }
        }
    }
}

/// Writes `bytes` in chunks ending at line ends (≤ `PIPE_BUF` on a FIFO).
///
/// Never blocks: a full FIFO returns `WouldBlock` with the count written so far.
fn write_chunks(target: &mut Target, bytes: &[u8]) -> Result<usize, (usize, std::io::Error)> {
    let mut off = 0;
    let mut interrupted = 0u32;
    // Bounded: each iteration writes bytes or counts one of at most 100 EINTRs.
    while off < bytes.len() {
        let rest = bytes.get(off..).unwrap_or_default();
        let chunk = if target.fifo { fifo_chunk(rest) } else { rest };
        match target.file.write(chunk) {
            Ok(0) => {
                return Err((
                    off,
                    std::io::Error::new(ErrorKind::WriteZero, "write returned 0"),
                ));
            }
            Ok(n) => off += n,
            Err(e) if e.kind() == ErrorKind::Interrupted && interrupted < 100 => {
                interrupted += 1;
            }
            Err(e) => return Err((off, e)),
        }
    }
    Ok(off)
}

/// The longest prefix of whole lines that fits in `PIPE_BUF` (or one long line).
fn fifo_chunk(rest: &[u8]) -> &[u8] {
    if rest.len() <= PIPE_BUF {
        return rest;
    }
    let window = rest.get(..PIPE_BUF).unwrap_or(rest);
    match window.iter().rposition(|&b| b == b'\n') {
        Some(end) => rest.get(..=end).unwrap_or(rest),
        None => {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| p + 1);
            rest.get(..end).unwrap_or(rest)
        }
    }
}

fn count_lines_in(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Opens the spool file and takes an exclusive `flock` on it.
///
/// `None` when it does not exist and `create` is false. A process that waited for
/// the lock while the file was replaced (see [`replace_file`]) retries on the new one.
fn lock_spool(path: &Path, create: bool) -> std::io::Result<Option<Flock<File>>> {
    use std::os::unix::fs::MetadataExt;
    for _ in 0..16 {
        let file = match OpenOptions::new()
            .read(true)
            .append(true)
            .create(create)
            .mode(0o600)
            .open(path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound && !create => return Ok(None),
            Err(e) => return Err(e),
        };
        let locked = Flock::lock(file, FlockArg::LockExclusive)
            .map_err(|(_, errno)| std::io::Error::from(errno))?;
        let same = match (locked.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
            _ => false,
        };
        if same {
            return Ok(Some(locked));
        }
    }
    Err(std::io::Error::other("spool file keeps being replaced"))
}

/// Atomically replaces `path` with `bytes` (write to a sibling, then rename); the
/// caller holds the lock of the old file.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_data()?;
    }
    std::fs::rename(&tmp, path)
}

/// Creates `dir/cXXXXXX` (mode 0600, exclusive) with `content`, then `dir/cXXXXXX.ok`.
pub fn write_checkresult(dir: &Path, content: &[u8]) -> std::io::Result<PathBuf> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut last = std::io::Error::new(ErrorKind::AlreadyExists, "no free name");
    for _ in 0..100 {
        let mut random = [0u8; 6];
        getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let name: String = random
            .iter()
            .map(|b| char::from(ALNUM[usize::from(*b) % ALNUM.len()]))
            .collect();
        let path = dir.join(format!("c{name}"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(content)?;
                f.sync_data()?;
                let mut ok = path.as_os_str().to_owned();
                ok.push(".ok");
                OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(PathBuf::from(ok))?;
                return Ok(path);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}
