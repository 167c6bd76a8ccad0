//! The command file (or alternate dump file): opened as nsca 2.10 opens it, written in
//! chunks that a FIFO keeps whole.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};

use nix::fcntl::OFlag;

use super::job::WriterConfig;
use crate::server::events::Sink;

/// Largest write to a FIFO that the kernel keeps atomic.
const PIPE_BUF: usize = 4096;

/// An open command file (or alternate dump file).
pub(super) struct Target {
    /// The open file.
    pub(super) file: File,
    /// Which file it is.
    pub(super) sink: Sink,
    /// Whether it is a FIFO (writes are then cut at `PIPE_BUF`).
    pub(super) fifo: bool,
}

/// Writes `bytes` in chunks ending at line ends (≤ `PIPE_BUF` on a FIFO).
///
/// Never blocks: a full FIFO returns `WouldBlock` with the count written so far.
pub(super) fn write_chunks(
    target: &mut Target,
    bytes: &[u8],
) -> Result<usize, (usize, std::io::Error)> {
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

/// Opens the command file like nsca 2.10 (`O_WRONLY|O_NONBLOCK`, no `O_CREAT`), or the
/// alternate dump file when the command file does not exist.
pub(super) fn open_target(config: &WriterConfig) -> Result<Target, std::io::Error> {
    let path = &config.command_file;
    let meta = std::fs::metadata(path);
    match meta {
        Err(e) if e.kind() == ErrorKind::NotFound => match &config.alternate_dump_file {
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
            let append = config.append || meta.file_type().is_file();
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
