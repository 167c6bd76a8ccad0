//! A model of Amanda's vfs device's space rules, from amanda.md §5.5 (vfs-device.c),
//! with the filesystem faults of `VfsFault` (vfs/fs.rs: the filesystem has room for N
//! more bytes, or one write call fails with EIO).
//!
//! A run is a [`VfsScript`]: `start(WRITE)`, then files of blocks, then `finish`. Rules:
//! - §5.5: `volume_bytes` counts the 32 KiB label, every 32 KiB header and every data
//!   byte. `check_at_leom(size)` (LEOM and MONITOR_FREE_SPACE on): MAX_VOLUME_USAGE
//!   within `size + 4 * block_size`, or the filesystem's free space minus `size` at most
//!   `4 * block_size`; LEOM sets `is_eom` and the write proceeds. `check_at_peom(size)`:
//!   `volume_bytes + size > MAX_VOLUME_USAGE`: nothing written, `is_eom`, VOLUME_ERROR,
//!   WRITE_FULL with LEOM, WRITE_FAILED without.
//! - §5.5: ENOSPC from the filesystem truncates back to the last whole block: nothing of
//!   the block stays; WRITE_SPACE with LEOM, WRITE_FAILED without; `is_eom` untouched.
//! - §5.5 `start_file`: `is_eom` reset, then the same checks with size 32768; PEOM fails
//!   the file.
//! - Free space is exact here: scripts keep the room under Amanda's 128-block
//!   re-`statfs` threshold, so every check measures it.

use serde::{Deserialize, Serialize};

use reelcheck_tape::device::WriteResult;
use reelcheck_tape::vfs::VfsFault;

use super::flags::{DEVICE_ERROR, VOLUME_ERROR};
use super::outcome::ErrorKind;

/// `VFS_DEVICE_LABEL_SIZE`, and the size of every file header (§5.5).
pub const HEADER: u64 = 32768;
/// `EOM_EARLY_WARNING_ZONE_BLOCKS` (§5.5).
pub const ZONE_BLOCKS: u64 = 4;

/// One vfs run: the device's settings and the files to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VfsScript {
    /// `BLOCK_SIZE`.
    pub block_size: usize,
    /// `LEOM`.
    pub leom: bool,
    /// `MAX_VOLUME_USAGE`, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_volume_usage: Option<u64>,
    /// The lengths of the blocks of each file, in order.
    pub files: Vec<Vec<usize>>,
}

/// What one vfs call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VfsOutcome {
    /// `start` or `finish_file` or `finish` succeeded.
    Ok,
    /// `start_file` opened this file.
    File(u32),
    /// `write_block`'s result.
    Write(WriteResult),
    /// An error of this kind.
    Error(ErrorKind),
}

/// The model's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VfsModel {
    bs: u64,
    leom: bool,
    limit: Option<u64>,
    /// Room left on the filesystem (`None`: plenty).
    room: Option<u64>,
    /// Write calls that fail with EIO.
    eio: Vec<u64>,
    /// Write calls made so far.
    calls: u64,
    /// `volume_bytes`.
    pub volume_bytes: u64,
    /// `is_eom`.
    pub is_eom: bool,
    /// `status` bits.
    pub status: u8,
    /// Bytes in each file written (header included), file 1 first.
    pub files: Vec<u64>,
}

/// How a filesystem write went.
enum FsWrite {
    Done,
    NoSpace,
    Eio,
}

impl VfsModel {
    /// A fresh device over an empty directory with `faults` on its filesystem.
    pub fn new(script: &VfsScript, faults: &[VfsFault]) -> VfsModel {
        let mut room = None;
        let mut eio = Vec::new();
        for f in faults {
            match f {
                VfsFault::EnospcAfter { bytes } => {
                    room = Some(room.map_or(*bytes, |r: u64| r.min(*bytes)))
                }
                VfsFault::EioOnWrite { nth } => eio.push(*nth),
            }
        }
        VfsModel {
            bs: script.block_size as u64,
            leom: script.leom,
            limit: script.max_volume_usage,
            room,
            eio,
            calls: 0,
            volume_bytes: 0,
            is_eom: false,
            status: 0,
            files: Vec::new(),
        }
    }

    /// One `write()` call of `n` bytes; on ENOSPC the partial bytes are truncated away.
    fn fs_write(&mut self, n: u64) -> FsWrite {
        let call = self.calls;
        self.calls += 1;
        if self.eio.contains(&call) {
            return FsWrite::Eio;
        }
        match self.room {
            Some(room) if room < n => FsWrite::NoSpace,
            Some(room) => {
                self.room = Some(room - n);
                FsWrite::Done
            }
            None => FsWrite::Done,
        }
    }

    /// `check_at_leom(size)`.
    fn at_leom(&self, size: u64) -> bool {
        if !self.leom {
            return false;
        }
        let zone = ZONE_BLOCKS * self.bs;
        if self
            .limit
            .is_some_and(|limit| self.volume_bytes + size + zone > limit)
        {
            return true;
        }
        self.room
            // vfs-device.c compares `checked_fs_free_bytes - size` in guint64: with less
            // free space than `size` the difference wraps and the check says "not at LEOM".
            .is_some_and(|free| free.wrapping_sub(size) <= zone)
    }

    /// `check_at_peom(size)`.
    fn at_peom(&self, size: u64) -> bool {
        self.limit
            .is_some_and(|limit| limit > 0 && self.volume_bytes + size > limit)
    }

    fn fail(&mut self, kind: ErrorKind, flags: u8) -> VfsOutcome {
        self.status |= flags;
        VfsOutcome::Error(kind)
    }

    /// `start(WRITE)`: the label file.
    pub fn start(&mut self) -> VfsOutcome {
        match self.fs_write(HEADER) {
            FsWrite::Done => {
                self.volume_bytes = HEADER;
                self.status = 0;
                VfsOutcome::Ok
            }
            // vfs-device.c `start`: a label that cannot be written fails the start with
            // DEVICE_ERROR | VOLUME_ERROR.
            FsWrite::NoSpace => self.fail(ErrorKind::NoSpace, DEVICE_ERROR | VOLUME_ERROR),
            FsWrite::Eio => self.fail(ErrorKind::Other, DEVICE_ERROR | VOLUME_ERROR),
        }
    }

    /// `start_file(header)`.
    pub fn start_file(&mut self) -> VfsOutcome {
        self.is_eom = false;
        if self.at_leom(HEADER) {
            self.is_eom = true;
        }
        if self.at_peom(HEADER) {
            self.is_eom = true;
            return self.fail(ErrorKind::NoSpace, DEVICE_ERROR);
        }
        match self.fs_write(HEADER) {
            FsWrite::Done => {
                self.volume_bytes += HEADER;
                self.files.push(HEADER);
                VfsOutcome::File(self.files.len() as u32)
            }
            FsWrite::NoSpace => {
                // Only `write_block` truncates back after ENOSPC (§5.5): a header that did
                // not fit stays on disk as far as it got.
                self.files.push(self.room.take().unwrap_or(0));
                self.room = Some(0);
                self.fail(ErrorKind::NoSpace, VOLUME_ERROR)
            }
            FsWrite::Eio => {
                // The file was created before its header write failed.
                self.files.push(0);
                self.fail(ErrorKind::Other, VOLUME_ERROR)
            }
        }
    }

    /// `write_block(len)`.
    pub fn write_block(&mut self, len: usize) -> VfsOutcome {
        let size = len as u64;
        if self.at_leom(size) {
            self.is_eom = true;
        }
        if self.at_peom(size) {
            self.is_eom = true;
            self.status |= VOLUME_ERROR;
            return VfsOutcome::Write(if self.leom {
                WriteResult::Full
            } else {
                WriteResult::Failed
            });
        }
        match self.fs_write(size) {
            FsWrite::Done => {
                self.volume_bytes += size;
                if let Some(f) = self.files.last_mut() {
                    *f += size;
                }
                VfsOutcome::Write(WriteResult::Success)
            }
            FsWrite::NoSpace => {
                self.status |= VOLUME_ERROR;
                VfsOutcome::Write(if self.leom {
                    WriteResult::Space
                } else {
                    WriteResult::Failed
                })
            }
            // vfs-device.c `write_block`: any other write error is a volume error.
            FsWrite::Eio => {
                self.status |= VOLUME_ERROR;
                VfsOutcome::Write(WriteResult::Failed)
            }
        }
    }
}
