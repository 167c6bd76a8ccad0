//! What the writer is given: its configuration, the spool's, and the jobs connections
//! hand over.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::oneshot;

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
