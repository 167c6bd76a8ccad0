//! The operations, the misuse they can suffer and the errors they report.

use std::fmt;
use std::sync::Arc;

use super::status::{AccessMode, StatusFlags};
use crate::header::HeaderError;

/// The Device API operations, named in errors and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// [`Device::read_label`](super::Device::read_label).
    ReadLabel,
    /// [`Device::start`](super::Device::start).
    Start,
    /// [`Device::start_file`](super::Device::start_file).
    StartFile,
    /// [`Device::write_block`](super::Device::write_block).
    WriteBlock,
    /// [`Device::finish_file`](super::Device::finish_file).
    FinishFile,
    /// [`Device::finish`](super::Device::finish).
    Finish,
    /// [`Device::seek_file`](super::Device::seek_file).
    SeekFile,
    /// [`Device::seek_block`](super::Device::seek_block).
    SeekBlock,
    /// [`Device::read_block`](super::Device::read_block).
    ReadBlock,
    /// [`Device::eject`](super::Device::eject).
    Eject,
    /// Loading a volume into the drive.
    Load,
    /// [`Device::set_property`](super::Device::set_property).
    SetProperty,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::ReadLabel => "read_label",
            Op::Start => "start",
            Op::StartFile => "start_file",
            Op::WriteBlock => "write_block",
            Op::FinishFile => "finish_file",
            Op::Finish => "finish",
            Op::SeekFile => "seek_file",
            Op::SeekBlock => "seek_block",
            Op::ReadBlock => "read_block",
            Op::Eject => "eject",
            Op::Load => "load",
            Op::SetProperty => "set_property",
        })
    }
}

/// A broken precondition (Amanda's `device.c` assertions): a bug in the caller.
/// The device state is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Misuse {
    /// `start` with `ACCESS_NULL`.
    #[error("start: NULL is not an access mode to start in")]
    StartNull,
    /// `start` while already started.
    #[error("start: device already started in {mode} mode")]
    AlreadyStarted {
        /// The current mode.
        mode: AccessMode,
    },
    /// `start(Write)` without a label.
    #[error("start: WRITE mode needs a volume label")]
    MissingLabel,
    /// `start(Write)` without a timestamp (devices read no clock; the caller supplies it).
    #[error("start: WRITE mode needs a timestamp")]
    MissingTimestamp,
    /// The operation is not allowed in the current access mode.
    #[error("{op}: not allowed in {mode} mode")]
    WrongMode {
        /// The operation attempted.
        op: Op,
        /// The current mode.
        mode: AccessMode,
    },
    /// The operation needs the device outside a file, and file `file` is open.
    #[error("{op}: file {file} is still open")]
    InFile {
        /// The operation attempted.
        op: Op,
        /// The open file.
        file: u32,
    },
    /// The operation needs an open file.
    #[error("{op}: no file is open")]
    NotInFile {
        /// The operation attempted.
        op: Op,
    },
    /// `write_block` with zero bytes.
    #[error("write_block: empty block at file {file} block {block}")]
    EmptyBlock {
        /// Current file.
        file: u32,
        /// Current block.
        block: u64,
    },
    /// `write_block` with more bytes than the block size.
    #[error(
        "write_block: {size} bytes exceed the block size {block_size} at file {file} block {block}"
    )]
    BlockTooLarge {
        /// Bytes given.
        size: usize,
        /// The device block size.
        block_size: usize,
        /// Current file.
        file: u32,
        /// Current block.
        block: u64,
    },
    /// `write_block` after a short block: only the last block of a file may be short.
    #[error("write_block: file {file} already ended with a short block before block {block}")]
    AfterShortBlock {
        /// Current file.
        file: u32,
        /// The block that would have been written.
        block: u64,
    },
    /// `start_file` with a header longer than the header block.
    #[error("start_file: header of {len} bytes does not fit in a {max}-byte header block")]
    HeaderTooLarge {
        /// Header length given.
        len: usize,
        /// The device header block size.
        max: usize,
    },
    /// `seek_file(n)` with `n != 0` outside READ mode.
    #[error("seek_file({file}): only file 0 may be sought outside READ mode ({mode})")]
    SeekOutsideRead {
        /// The file requested.
        file: u32,
        /// The current mode.
        mode: AccessMode,
    },
    /// `read_block` with a buffer smaller than the block.
    #[error("read_block: buffer of {len} bytes, the block needs {needed}")]
    BufferTooSmall {
        /// Buffer length given.
        len: usize,
        /// Bytes the block needs.
        needed: usize,
    },
    /// A property set in a phase that does not allow it.
    #[error("set_property {name}: not settable in {mode} mode")]
    PropertyPhase {
        /// Amanda's property name.
        name: &'static str,
        /// The current mode.
        mode: AccessMode,
    },
}

/// Why a device operation failed.
///
/// `Clone`, so a device can keep the error as [`Device::last_error`](super::Device::last_error)
/// and hand the caller a copy; the OS error is shared through an `Arc`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DeviceError {
    /// The caller broke a precondition; nothing changed.
    #[error("misuse: {0}")]
    Misuse(#[from] Misuse),
    /// A filesystem or OS call failed (vfs).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The OS error, shared by the copies of this error.
        source: Arc<std::io::Error>,
    },
    /// A header block could not be parsed or built.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// No volume in the drive.
    #[error("{device}: no volume loaded")]
    VolumeMissing {
        /// Device name.
        device: String,
    },
    /// The drive stopped answering.
    #[error("{device}: drive offline")]
    Offline {
        /// Device name.
        device: String,
    },
    /// The volume has no readable Amanda label.
    #[error("{device}: volume unlabeled: {reason}")]
    Unlabeled {
        /// Device name.
        device: String,
        /// Why the label could not be read.
        reason: String,
    },
    /// A media error while reading.
    #[error("{device}: media error reading file {file} block {block}")]
    ReadError {
        /// Device name.
        device: String,
        /// File number.
        file: u32,
        /// Block number within the file.
        block: u64,
    },
    /// A media error while writing.
    #[error("{device}: media error writing file {file} block {block}")]
    WriteError {
        /// Device name.
        device: String,
        /// File number.
        file: u32,
        /// Block number within the file (the header block of a file is reported as block 0).
        block: u64,
    },
    /// End of medium: nothing (more) fits on the volume.
    #[error("{device}: No space left on device: {context}")]
    NoSpace {
        /// Device name.
        device: String,
        /// Where it happened and why (e.g. "more than MAX_VOLUME_USAGE bytes written").
        context: String,
    },
    /// The drive accepted only part of a block (Amanda: "Short write on tape device").
    #[error(
        "{device}: Short write on tape device: Tried {tried}, got {wrote} (file {file} block {block})"
    )]
    ShortWrite {
        /// Device name.
        device: String,
        /// File number.
        file: u32,
        /// Block number within the file.
        block: u64,
        /// Bytes offered.
        tried: usize,
        /// Bytes accepted.
        wrote: usize,
    },
    /// The device is in error (Amanda's `device_in_error`: `DEVICE_ERROR` is the only
    /// status flag) and refuses to work until a volume is loaded again.
    #[error("{device}: device in error, refusing {op}")]
    InError {
        /// Device name.
        device: String,
        /// The operation refused.
        op: Op,
    },
    /// `seek_file` beyond the end of the volume.
    #[error("{device}: file {file} is beyond the end of the volume")]
    NoSuchFile {
        /// Device name.
        device: String,
        /// File requested.
        file: u32,
    },
    /// The device lacks this property.
    #[error("property {name} is not supported by this device")]
    UnsupportedProperty {
        /// Amanda's property name.
        name: &'static str,
    },
    /// A property value the device refuses.
    #[error("property {name}: {reason}")]
    BadProperty {
        /// Amanda's property name.
        name: &'static str,
        /// Why.
        reason: String,
    },
}

impl DeviceError {
    /// True for [`DeviceError::Misuse`]: a caller bug, state unchanged.
    pub fn is_misuse(&self) -> bool {
        matches!(self, DeviceError::Misuse(_))
    }

    /// The status flags Amanda would set for this error (`SUCCESS` for misuse and
    /// property errors, which leave the status alone).
    pub fn status_flags(&self) -> StatusFlags {
        match self {
            DeviceError::Misuse(_)
            | DeviceError::UnsupportedProperty { .. }
            | DeviceError::BadProperty { .. } => StatusFlags::SUCCESS,
            DeviceError::Io { .. }
            | DeviceError::Offline { .. }
            | DeviceError::ShortWrite { .. }
            | DeviceError::InError { .. }
            | DeviceError::NoSuchFile { .. } => StatusFlags::DEVICE_ERROR,
            DeviceError::Header(_) | DeviceError::Unlabeled { .. } => StatusFlags::VOLUME_UNLABELED,
            DeviceError::VolumeMissing { .. } => StatusFlags::VOLUME_MISSING,
            DeviceError::ReadError { .. }
            | DeviceError::WriteError { .. }
            | DeviceError::NoSpace { .. } => StatusFlags::VOLUME_ERROR,
        }
    }
}
