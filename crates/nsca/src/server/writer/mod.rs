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
//!
//! Files: `job` (what connections hand over, and the configuration), `handle` (the
//! sending side and [`spawn`]), `task` (the writer task: batches, delivery, outages),
//! `target` (opening the command file and writing it in FIFO-safe chunks), `spool`
//! (the locked spool file) and `checkresult` (checkresult files).

mod checkresult;
mod handle;
mod job;
mod spool;
mod target;
mod task;

pub use checkresult::write_checkresult;
pub use handle::{SHUTDOWN_GRACE, WriterHandle, spawn};
pub use job::{Job, SpoolConfig, WriterConfig, job_lines};
pub use task::MEMORY_LIMIT;
