//! Writing: `start_file`, `write_block` and Amanda's `tape_device_robust_write`, with the
//! write faults.
//!
//! Rules, by source:
//! - amanda.md §5.2: `write_block` needs a writable mode, an open file, `0 < size <=
//!   block_size` and no short block before it; `start_file` needs no open file.
//! - amanda.md §5.6 `write_block`: a short block is zero-padded to the block size.
//! - §5.6 `robust_write`: ENOSPC or a 0-byte write is the early warning when `LEOM` is on
//!   and it is the first for this write: `is_eom` is set and the write retried; a second
//!   one, or any with LEOM off, is "No space left on device" (VOLUME_ERROR, `is_eom`,
//!   WRITE_FAILED; a tape never returns WRITE_SPACE or WRITE_FULL). EIO is taken for end of
//!   tape without a retry. A short positive write is "Short write on tape device"
//!   (RESULT_ERROR: DEVICE_ERROR, `is_eom` untouched).
//! - §5.6 `start_file`: a header that does not fit is a device error with `is_eom` set.
//! - The fault model (sim/fault.rs): each `TapeFault` placed on a data block acts on the
//!   write of that block, as documented there.

use reelcheck_tape::device::WriteResult;
use reelcheck_tape::sim::TapeFault;

use super::config::BARCODE;
use super::faults::Reach;
use super::flags::DEVICE_ERROR;
use super::medium::{ModelFile, Physical};
use super::model::Model;
use super::outcome::{ErrorKind, Outcome};

impl Model {
    /// `robust_write` of one block at the end of the data: true when it is on the tape.
    /// `first` is the medium's answer to the first attempt, when a fault decided it.
    pub(super) fn robust_write_from(&mut self, first: Option<Physical>) -> bool {
        let mut answer = first.unwrap_or_else(|| self.medium.write());
        let mut retried = false;
        loop {
            match answer {
                Physical::Written => return true,
                Physical::NoSpace if self.leom && !retried => {
                    // "empty write to tape; treating as LEOM early warning and retrying"
                    self.is_eom = true;
                    retried = true;
                    answer = self.medium.write();
                }
                Physical::NoSpace => return false,
            }
        }
    }

    /// `robust_write` with no fault deciding the first attempt.
    pub(super) fn robust_write(&mut self) -> bool {
        self.robust_write_from(None)
    }

    /// `start_file(header)`: the header takes one block (§5.6).
    pub(super) fn start_file(&mut self) -> Outcome {
        if !self.mode.is_writable() || self.in_file {
            return Outcome::Error(ErrorKind::Misuse);
        }
        if let Some(kind) = self.refusal() {
            // A header that cannot be written is tape-device.c's "Error writing file
            // header": DEVICE_ERROR on top of the reason.
            if kind != ErrorKind::InError {
                self.status |= DEVICE_ERROR;
            }
            return self.fail(kind);
        }
        if !self.robust_write() {
            self.is_eom = true;
            self.status |= DEVICE_ERROR;
            self.last_error = Some(ErrorKind::NoSpace);
            return Outcome::Error(ErrorKind::NoSpace);
        }
        self.medium.files.push(ModelFile::default());
        self.file = self.medium.files.len() as u32;
        self.in_file = true;
        self.block = 0;
        self.short = false;
        Outcome::File(self.file)
    }

    /// A failed write: its flags join the status and it is the device's last error.
    fn write_failed(&mut self, kind: ErrorKind) -> Outcome {
        self.status |= kind.flags();
        self.last_error = Some(kind);
        Outcome::Write(WriteResult::Failed, Some(kind))
    }

    /// `write_block` of `len` bytes of `fill`.
    pub(super) fn write_block(&mut self, len: usize, fill: u8) -> Outcome {
        if !self.mode.is_writable() || !self.in_file || len == 0 || len > self.bs || self.short {
            return Outcome::Error(ErrorKind::Misuse);
        }
        // device.c sets `wrote_short_block` before it calls the class's write_block, so a
        // short block counts even when its write then fails.
        self.short = len < self.bs;
        // tape-device.c `write_block`: `if (device_in_error(self)) return WRITE_FAILED;`
        // — no new error: the last one stays.
        if self.in_error() {
            return Outcome::Write(WriteResult::Failed, self.last_error);
        }
        if let Some(kind) = self.refusal() {
            return self.write_failed(kind);
        }
        let fault = self
            .faults
            .take_block(Reach::Write, BARCODE, self.file, self.block);
        let first = match fault {
            Some(TapeFault::WriteError { .. }) => {
                // EIO: "Got EIO on %s, assuming end of tape" — no retry (§5.6).
                self.is_eom = true;
                return self.write_failed(ErrorKind::WriteError);
            }
            Some(TapeFault::ShortWrite { written, .. }) => {
                // The drive took the first `written` bytes of the padded block (0 taken as
                // 1): they are on the tape as a short block (mhvtl records what it got).
                // Never more than the medium holds: mhvtl accepts no byte past its capacity,
                // so a short write takes at most the room left, and with none left the
                // write meets the end of the medium like any other.
                let room = self.medium.capacity.saturating_sub(self.medium.used());
                let kept = written
                    .clamp(1, self.bs - 1)
                    .min(usize::try_from(room).unwrap_or(usize::MAX));
                if kept == 0 {
                    Some(Physical::NoSpace)
                } else {
                    let mut data = vec![fill; len];
                    data.resize(kept, 0);
                    if let Some(f) = self.medium.files.last_mut() {
                        f.blocks.push(data);
                    }
                    return self.write_failed(ErrorKind::ShortWrite);
                }
            }
            Some(TapeFault::Offline { .. }) => {
                self.offline = true;
                return self.write_failed(ErrorKind::Offline);
            }
            Some(TapeFault::Ejected { .. }) => {
                self.volume_gone();
                return self.write_failed(ErrorKind::VolumeMissing);
            }
            Some(TapeFault::EarlyWarning { .. }) => Some(Physical::NoSpace),
            Some(TapeFault::EndOfMedium { .. }) => {
                self.medium.end_here();
                None
            }
            _ => None,
        };
        if !self.robust_write_from(first) {
            self.is_eom = true;
            return self.write_failed(ErrorKind::NoSpace);
        }
        let mut data = vec![fill; len];
        data.resize(self.bs, 0);
        if let Some(f) = self.medium.files.last_mut() {
            f.blocks.push(data);
        }
        self.block += 1;
        Outcome::Write(WriteResult::Success, None)
    }
}
