//! Faults a simulated drive can be told to inject, as data.
//!
//! Fault model: every fault names the place it fires (a data block of a file, or the
//! next label read) and optionally the volume (by barcode) it applies to.
//! Each fault fires once, the first time the drive reaches its place, and is then spent;
//! a drive whose faults are spent behaves like a healthy one.
//! Block numbers count data blocks from 0 (the header block of a file is not counted);
//! file numbers count from 1 (file 0 is the label).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One fault the simulated drive injects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum TapeFault {
    /// The write of data block `block` of file `file` fails with a media error (EIO).
    /// Nothing is written; Amanda's tape device takes EIO for end of tape, so the write
    /// returns `Failed` with `is_eom` set.
    WriteError {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
    },
    /// Reading data block `block` of file `file` fails with a media error (sense 11/00).
    ReadError {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
    },
    /// The drive accepts only `written` bytes of data block `block` of file `file`
    /// (Amanda: "Short write on tape device", a device error, not end of tape).
    ShortWrite {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
        /// Bytes the drive accepts (less than the block; 0 is taken as 1).
        written: usize,
    },
    /// The drive goes offline when it reaches data block `block` of file `file`
    /// (reading or writing); every later operation fails.
    Offline {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
    },
    /// The volume is ejected when the drive reaches data block `block` of file `file`
    /// (reading or writing); the operation fails and the drive is empty.
    Ejected {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
    },
    /// The next label read (`read_label`, or `start` in READ/APPEND mode) fails:
    /// the volume looks unlabeled.
    LabelUnreadable {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
    },
    /// Reading data block `block` of file `file` silently returns wrong data: the byte at
    /// `offset` (modulo the block length) is XORed with `mask` (0 is taken as 0xff).
    CorruptRead {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
        /// Byte offset in the block.
        offset: usize,
        /// XOR mask.
        mask: u8,
    },
    /// The drive signals the early warning (ENOSPC, nothing written) on the write of data
    /// block `block` of file `file`, as if the early-warning zone started there.
    EarlyWarning {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
    },
    /// The physical end of medium is where data block `block` of file `file` would go:
    /// the volume's capacity shrinks to the bytes already used.
    EndOfMedium {
        /// Barcode of the volume; `None` = any volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<String>,
        /// File number (from 1).
        file: u32,
        /// Data block number within the file (from 0).
        block: u64,
    },
}

/// Which drive operation is reaching a place (faults choose the ones they fire on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// `write_block`.
    Write,
    /// `read_block`.
    Read,
}

impl TapeFault {
    /// The barcode the fault is limited to, if any.
    pub fn volume(&self) -> Option<&str> {
        match self {
            TapeFault::WriteError { volume, .. }
            | TapeFault::ReadError { volume, .. }
            | TapeFault::ShortWrite { volume, .. }
            | TapeFault::Offline { volume, .. }
            | TapeFault::Ejected { volume, .. }
            | TapeFault::LabelUnreadable { volume }
            | TapeFault::CorruptRead { volume, .. }
            | TapeFault::EarlyWarning { volume, .. }
            | TapeFault::EndOfMedium { volume, .. } => volume.as_deref(),
        }
    }

    /// The `(file, data block)` place the fault fires at; `None` for label faults.
    pub fn place(&self) -> Option<(u32, u64)> {
        match *self {
            TapeFault::WriteError { file, block, .. }
            | TapeFault::ReadError { file, block, .. }
            | TapeFault::ShortWrite { file, block, .. }
            | TapeFault::Offline { file, block, .. }
            | TapeFault::Ejected { file, block, .. }
            | TapeFault::CorruptRead { file, block, .. }
            | TapeFault::EarlyWarning { file, block, .. }
            | TapeFault::EndOfMedium { file, block, .. } => Some((file, block)),
            TapeFault::LabelUnreadable { .. } => None,
        }
    }

    /// True when this fault fires on `access` at `(file, block)` of volume `barcode`.
    pub(crate) fn fires_at(&self, access: Access, barcode: &str, file: u32, block: u64) -> bool {
        if self.volume().is_some_and(|v| v != barcode) || self.place() != Some((file, block)) {
            return false;
        }
        match self {
            TapeFault::WriteError { .. }
            | TapeFault::ShortWrite { .. }
            | TapeFault::EarlyWarning { .. }
            | TapeFault::EndOfMedium { .. } => access == Access::Write,
            TapeFault::ReadError { .. } | TapeFault::CorruptRead { .. } => access == Access::Read,
            TapeFault::Offline { .. } | TapeFault::Ejected { .. } => true,
            TapeFault::LabelUnreadable { .. } => false,
        }
    }

    /// True when this is a label fault for volume `barcode`.
    pub(crate) fn fires_on_label(&self, barcode: &str) -> bool {
        matches!(self, TapeFault::LabelUnreadable { .. })
            && self.volume().is_none_or(|v| v == barcode)
    }
}

impl fmt::Display for TapeFault {
    /// One stable line, e.g. `write-error file=1 blk=3` or `label-unreadable volume=VOL-2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            TapeFault::WriteError { .. } => "write-error",
            TapeFault::ReadError { .. } => "read-error",
            TapeFault::ShortWrite { .. } => "short-write",
            TapeFault::Offline { .. } => "offline",
            TapeFault::Ejected { .. } => "ejected",
            TapeFault::LabelUnreadable { .. } => "label-unreadable",
            TapeFault::CorruptRead { .. } => "corrupt-read",
            TapeFault::EarlyWarning { .. } => "early-warning",
            TapeFault::EndOfMedium { .. } => "end-of-medium",
        };
        f.write_str(name)?;
        if let Some(v) = self.volume() {
            write!(f, " volume={v}")?;
        }
        if let Some((file, block)) = self.place() {
            write!(f, " file={file} blk={block}")?;
        }
        match self {
            TapeFault::ShortWrite { written, .. } => write!(f, " written={written}"),
            TapeFault::CorruptRead { offset, mask, .. } => {
                write!(f, " offset={offset} mask={mask:#04x}")
            }
            _ => Ok(()),
        }
    }
}

/// The faults of one drive: those still pending and those that fired, in firing order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultState {
    pending: Vec<TapeFault>,
    fired: Vec<TapeFault>,
}

impl FaultState {
    /// All faults pending.
    pub fn new(faults: Vec<TapeFault>) -> FaultState {
        FaultState {
            pending: faults,
            fired: Vec::new(),
        }
    }

    /// Faults that have not fired yet.
    pub fn pending(&self) -> &[TapeFault] {
        &self.pending
    }

    /// Faults that fired, oldest first.
    pub fn fired(&self) -> &[TapeFault] {
        &self.fired
    }

    /// Removes and returns the first pending fault firing on `access` at the place.
    pub(crate) fn take_at(
        &mut self,
        access: Access,
        barcode: &str,
        file: u32,
        block: u64,
    ) -> Option<TapeFault> {
        let i = self
            .pending
            .iter()
            .position(|f| f.fires_at(access, barcode, file, block))?;
        let fault = self.pending.remove(i);
        self.fired.push(fault.clone());
        Some(fault)
    }

    /// Removes and returns the first pending label fault for `barcode`.
    pub(crate) fn take_label(&mut self, barcode: &str) -> Option<TapeFault> {
        let i = self
            .pending
            .iter()
            .position(|f| f.fires_on_label(barcode))?;
        let fault = self.pending.remove(i);
        self.fired.push(fault.clone());
        Some(fault)
    }
}
