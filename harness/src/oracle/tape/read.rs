//! Reading: `seek_file`, `seek_block` and `read_block`, with the read faults.
//!
//! Rules, by source:
//! - amanda.md §5.2: `seek_file(n)` needs `n == 0` or READ mode; `seek_block` needs READ
//!   and an open file; `read_block` needs READ.
//! - §5.3 `seek_file`: file n, or TAPEEND at the last file + 1, or an error beyond;
//!   `read_block` at the end of a file is EOF (`is_eof`, status stays SUCCESS), and
//!   reading after EOF is never an error.
//! - §5.6: blocks were written whole, so every block reads back as one full block.
//! - mhvtl (testbed.md): a media read error is sense 11/00, the block is not transferred.
//! - The fault model (sim/fault.rs): read error, silent corruption (XOR of one byte),
//!   offline and eject placed on a data block act on its read.

use reelcheck_tape::device::AccessMode;
use reelcheck_tape::sim::TapeFault;

use super::config::BARCODE;
use super::faults::Reach;
use super::model::Model;
use super::outcome::{ErrorKind, Outcome};

impl Model {
    /// `seek_file(n)`.
    pub(super) fn seek_file(&mut self, n: u32) -> Outcome {
        // §5.1: seeking comes after `start`; §5.2: `n == 0 || access_mode == READ`.
        if self.mode == AccessMode::Null || (n != 0 && self.mode != AccessMode::Read) {
            return Outcome::Error(ErrorKind::Misuse);
        }
        if let Some(kind) = self.refusal() {
            return self.fail(kind);
        }
        if n == 0 && self.mode != AccessMode::Read {
            // The label block, without moving.
            return Outcome::Seek(0, false);
        }
        // tape-device.c `seek_file` leaves the current file before it moves: `in_file`,
        // `is_eof` and `block` are reset even when the seek then fails.
        self.in_file = false;
        self.is_eof = false;
        self.block = 0;
        let last = self.medium.files.len() as u32;
        if n > last + 1 {
            return self.fail(ErrorKind::NoSuchFile);
        }
        self.file = n;
        // File 0 is the label: Amanda returns its TAPESTART header and is then in a file
        // with no data blocks.
        self.in_file = n <= last;
        Outcome::Seek(n, n == last + 1)
    }

    /// `seek_block(b)`.
    pub(super) fn seek_block(&mut self, b: u64) -> Outcome {
        if self.mode != AccessMode::Read || !self.in_file {
            return Outcome::Error(ErrorKind::Misuse);
        }
        if let Some(kind) = self.refusal() {
            return self.fail(kind);
        }
        self.block = b;
        Outcome::Ok
    }

    /// `read_block` with a one-block buffer.
    pub(super) fn read_block(&mut self) -> Outcome {
        if self.mode != AccessMode::Read {
            return Outcome::Error(ErrorKind::Misuse);
        }
        if let Some(kind) = self.refusal() {
            return self.fail(kind);
        }
        if !self.in_file {
            self.is_eof = true;
            return Outcome::Eof;
        }
        let stored = (self.file as usize)
            .checked_sub(1)
            .and_then(|i| self.medium.files.get(i))
            .and_then(|f| f.blocks.get(self.block as usize));
        let Some(stored) = stored else {
            self.is_eof = true;
            self.in_file = false;
            return Outcome::Eof;
        };
        let mut data = stored.clone();
        match self
            .faults
            .take_block(Reach::Read, BARCODE, self.file, self.block)
        {
            Some(TapeFault::ReadError { .. }) => return self.fail(ErrorKind::ReadError),
            Some(TapeFault::Offline { .. }) => {
                self.offline = true;
                return self.fail(ErrorKind::Offline);
            }
            Some(TapeFault::Ejected { .. }) => {
                self.volume_gone();
                return self.fail(ErrorKind::VolumeMissing);
            }
            Some(TapeFault::CorruptRead { offset, mask, .. }) => {
                let at = offset % data.len();
                data[at] ^= if mask == 0 { 0xff } else { mask };
            }
            _ => {}
        }
        self.block += 1;
        Outcome::Block(data)
    }
}
