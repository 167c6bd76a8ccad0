//! Amanda's public `Device` fields and the preconditions `device.c` asserts on them.

use super::error::{Misuse, Op};
use super::status::{AccessMode, StatusFlags};

/// The public fields of Amanda's `Device` struct, plus the private `wrote_short_block`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceState {
    /// Current access mode.
    pub access_mode: AccessMode,
    /// A file is open (between `start_file` and `finish_file`, or after `seek_file` in READ).
    pub in_file: bool,
    /// Current file number (0 = the label; in write mode, the last file started).
    pub file: u32,
    /// Next block number within the current file (data blocks, from 0).
    pub block: u64,
    /// End of medium: LEOM was reached (writes may still succeed) or the volume is full.
    pub is_eom: bool,
    /// End of the current file was reached while reading.
    pub is_eof: bool,
    /// The last block written to the current file was short (no more writes allowed).
    pub wrote_short_block: bool,
    /// Label read by `read_label` or written by `start`.
    pub volume_label: Option<String>,
    /// Timestamp read by `read_label` or written by `start`.
    pub volume_time: Option<String>,
    /// Status flags, ORed by every failure and reset by a successful `read_label`/`start`.
    pub status: StatusFlags,
    /// Data bytes written to the current file.
    pub bytes_written: u64,
    /// Data bytes read from the current file.
    pub bytes_read: u64,
}

impl DeviceState {
    /// Preconditions of `read_label`: not started.
    pub fn check_read_label(&self) -> Result<(), Misuse> {
        self.check_null(Op::ReadLabel)
    }

    /// Preconditions of `start` (Amanda: mode not NULL, WRITE needs a label; we also
    /// require a WRITE timestamp because devices read no clock, and refuse a second start).
    pub fn check_start(
        &self,
        mode: AccessMode,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<(), Misuse> {
        if self.access_mode != AccessMode::Null {
            return Err(Misuse::AlreadyStarted {
                mode: self.access_mode,
            });
        }
        match mode {
            AccessMode::Null => Err(Misuse::StartNull),
            AccessMode::Write if label.is_none() => Err(Misuse::MissingLabel),
            AccessMode::Write if timestamp.is_none() => Err(Misuse::MissingTimestamp),
            _ => Ok(()),
        }
    }

    /// Preconditions of `start_file`: writable mode, no file open, header fits.
    pub fn check_start_file(&self, header_len: usize, header_max: usize) -> Result<(), Misuse> {
        self.check_writable(Op::StartFile)?;
        if self.in_file {
            return Err(Misuse::InFile {
                op: Op::StartFile,
                file: self.file,
            });
        }
        if header_len > header_max {
            return Err(Misuse::HeaderTooLarge {
                len: header_len,
                max: header_max,
            });
        }
        Ok(())
    }

    /// Preconditions of `write_block`: writable mode, in a file, `0 < len <= block_size`,
    /// no short block written before in this file.
    pub fn check_write_block(&self, len: usize, block_size: usize) -> Result<(), Misuse> {
        self.check_writable(Op::WriteBlock)?;
        if !self.in_file {
            return Err(Misuse::NotInFile { op: Op::WriteBlock });
        }
        if self.wrote_short_block {
            return Err(Misuse::AfterShortBlock {
                file: self.file,
                block: self.block,
            });
        }
        if len == 0 {
            return Err(Misuse::EmptyBlock {
                file: self.file,
                block: self.block,
            });
        }
        if len > block_size {
            return Err(Misuse::BlockTooLarge {
                size: len,
                block_size,
                file: self.file,
                block: self.block,
            });
        }
        Ok(())
    }

    /// Preconditions of `finish_file`: writable mode and a file open
    /// (Amanda aborts the process otherwise).
    pub fn check_finish_file(&self) -> Result<(), Misuse> {
        self.check_writable(Op::FinishFile)?;
        if !self.in_file {
            return Err(Misuse::NotInFile { op: Op::FinishFile });
        }
        Ok(())
    }

    /// Preconditions of `seek_file(n)`: started, and `n == 0` or READ mode.
    pub fn check_seek_file(&self, file: u32) -> Result<(), Misuse> {
        if self.access_mode == AccessMode::Null {
            return Err(Misuse::WrongMode {
                op: Op::SeekFile,
                mode: self.access_mode,
            });
        }
        if file != 0 && self.access_mode != AccessMode::Read {
            return Err(Misuse::SeekOutsideRead {
                file,
                mode: self.access_mode,
            });
        }
        Ok(())
    }

    /// Preconditions of `seek_block`: READ mode and a file open.
    pub fn check_seek_block(&self) -> Result<(), Misuse> {
        self.check_read_in_file(Op::SeekBlock)
    }

    /// Preconditions of `read_block`: READ mode (Amanda asserts nothing more; reading
    /// outside a file, e.g. after end of file, returns [`ReadResult::Eof`](super::ReadResult::Eof)).
    pub fn check_read_block(&self) -> Result<(), Misuse> {
        if self.access_mode != AccessMode::Read {
            return Err(Misuse::WrongMode {
                op: Op::ReadBlock,
                mode: self.access_mode,
            });
        }
        Ok(())
    }

    /// Preconditions of `eject`: not started and no file open.
    pub fn check_eject(&self) -> Result<(), Misuse> {
        self.check_null(Op::Eject)
    }

    fn check_null(&self, op: Op) -> Result<(), Misuse> {
        if self.access_mode != AccessMode::Null {
            return Err(Misuse::WrongMode {
                op,
                mode: self.access_mode,
            });
        }
        if self.in_file {
            return Err(Misuse::InFile {
                op,
                file: self.file,
            });
        }
        Ok(())
    }

    fn check_writable(&self, op: Op) -> Result<(), Misuse> {
        if !self.access_mode.is_writable() {
            return Err(Misuse::WrongMode {
                op,
                mode: self.access_mode,
            });
        }
        Ok(())
    }

    fn check_read_in_file(&self, op: Op) -> Result<(), Misuse> {
        if self.access_mode != AccessMode::Read {
            return Err(Misuse::WrongMode {
                op,
                mode: self.access_mode,
            });
        }
        if !self.in_file {
            return Err(Misuse::NotInFile { op });
        }
        Ok(())
    }
}
