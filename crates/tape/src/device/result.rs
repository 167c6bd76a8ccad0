//! What the data operations return: write outcomes, read blocks, seek positions.

use std::fmt;

/// Amanda's `DeviceWriteResult` (3.4+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteResult {
    /// `WRITE_SUCCEED`: everything was written.
    Success,
    /// `WRITE_FAILED`: something may have been written; the file is not usable past this point.
    Failed,
    /// `WRITE_SPACE`: nothing was written, global space is full; freeing space could make
    /// the same write succeed (vfs ENOSPC with LEOM).
    Space,
    /// `WRITE_FULL`: nothing was written, the volume is full (vfs PEOM with LEOM).
    Full,
}

impl fmt::Display for WriteResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteResult::Success => "OK",
            WriteResult::Failed => "FAILED",
            WriteResult::Space => "SPACE",
            WriteResult::Full => "FULL",
        })
    }
}

/// What one [`Device::read_block`](super::Device::read_block) produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadResult {
    /// A block of this many bytes was copied to the start of the buffer.
    Block(usize),
    /// End of the current file; `is_eof` is set, `in_file` cleared and the status stays
    /// `SUCCESS`. Reading again keeps returning `Eof` (never an error, as in Amanda).
    Eof,
}

/// What one [`Device::seek_file`](super::Device::seek_file) found (Amanda's `seek_file` return header).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SeekResult {
    /// Positioned at the start of the data of `file` (the first existing file ≥ the
    /// requested one); `header` is its stored header block, NUL padding included.
    File {
        /// The file number actually reached.
        file: u32,
        /// The header block as stored on the volume.
        header: Vec<u8>,
    },
    /// The requested file is one past the last file (Amanda returns an `F_TAPEEND` header).
    TapeEnd {
        /// The file number now current (last file + 1).
        file: u32,
    },
}
