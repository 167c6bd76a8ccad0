//! The Device API: Amanda's calling order as a state machine every device shares.
//!
//! Calling order (Amanda `Device.pod`):
//! - read: [`Device::read_label`] (optional) → [`Device::start`]`(Read)` →
//!   [`Device::seek_file`] → [`Device::read_block`]* → [`Device::finish`];
//! - write/append: [`Device::read_label`] (optional) →
//!   [`Device::start`]`(Write | Append, label, timestamp)` →
//!   { [`Device::start_file`] → [`Device::write_block`]* → [`Device::finish_file`] }* →
//!   [`Device::finish`].
//!
//! The preconditions Amanda asserts in `device.c` are checked by [`DeviceState`]'s
//! `check_*` methods; breaking one returns [`DeviceError::Misuse`] and leaves the device
//! exactly as it was (Amanda aborts the process instead).
//!
//! Headers cross this API as opaque bytes: [`Device::start_file`] takes the serialized
//! header (at most [`Device::header_block_size`] bytes; the device pads it with NULs) and
//! [`Device::seek_file`] returns the stored header block.
//! Turning those bytes into typed headers is [`crate::header`]'s job, so devices never
//! depend on the codec and the codec never depends on a device.
//!
//! Error model: misuse and hard failures are `Err(DeviceError)`.
//! [`Device::write_block`] reports media outcomes the way Amanda does, as a [`WriteResult`]
//! (`Failed`, `Space`, `Full`), and keeps the typed reason in [`Device::last_error`];
//! every failure also ORs its [`StatusFlags`] into [`DeviceState::status`].

use std::fmt;

use crate::header::HeaderError;

/// Amanda's default block size, and the size of every vfs header block: 32 KiB.
pub const DEFAULT_BLOCK_SIZE: usize = 32 * 1024;

/// Size of the Amanda header block on vfs volumes (`VFS_DEVICE_LABEL_SIZE`): 32 KiB.
pub const HEADER_BLOCK_SIZE: usize = 32 * 1024;

/// Amanda's `EOM_EARLY_WARNING_ZONE_BLOCKS` for vfs: LEOM is flagged 4 blocks before the limit.
pub const EOM_EARLY_WARNING_ZONE_BLOCKS: u64 = 4;

/// Amanda's `DeviceAccessMode`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum AccessMode {
    /// Not started (`ACCESS_NULL`).
    #[default]
    Null,
    /// Reading (`ACCESS_READ`).
    Read,
    /// Writing a fresh volume from the start, labelling it (`ACCESS_WRITE`).
    Write,
    /// Appending files after the existing ones (`ACCESS_APPEND`).
    Append,
}

impl AccessMode {
    /// True for `Write` and `Append`.
    pub fn is_writable(self) -> bool {
        matches!(self, AccessMode::Write | AccessMode::Append)
    }
}

impl fmt::Display for AccessMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessMode::Null => "NULL",
            AccessMode::Read => "READ",
            AccessMode::Write => "WRITE",
            AccessMode::Append => "APPEND",
        })
    }
}

/// Amanda's `DeviceStatusFlags` bitfield (`SUCCESS` is the empty set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StatusFlags(u8);

impl StatusFlags {
    /// No flag set (`DEVICE_STATUS_SUCCESS`).
    pub const SUCCESS: StatusFlags = StatusFlags(0);
    /// The device is in an unrecoverable error state (`DEVICE_STATUS_DEVICE_ERROR`, 1<<0).
    pub const DEVICE_ERROR: StatusFlags = StatusFlags(1 << 0);
    /// The device is busy (`DEVICE_STATUS_DEVICE_BUSY`, 1<<1).
    pub const DEVICE_BUSY: StatusFlags = StatusFlags(1 << 1);
    /// No volume is loaded (`DEVICE_STATUS_VOLUME_MISSING`, 1<<2).
    pub const VOLUME_MISSING: StatusFlags = StatusFlags(1 << 2);
    /// The volume has no readable Amanda label (`DEVICE_STATUS_VOLUME_UNLABELED`, 1<<3).
    pub const VOLUME_UNLABELED: StatusFlags = StatusFlags(1 << 3);
    /// The volume is in error: full, damaged, write-protected (`DEVICE_STATUS_VOLUME_ERROR`, 1<<4).
    pub const VOLUME_ERROR: StatusFlags = StatusFlags(1 << 4);

    const NAMES: [(StatusFlags, &'static str); 5] = [
        (StatusFlags::DEVICE_ERROR, "DEVICE_ERROR"),
        (StatusFlags::DEVICE_BUSY, "DEVICE_BUSY"),
        (StatusFlags::VOLUME_MISSING, "VOLUME_MISSING"),
        (StatusFlags::VOLUME_UNLABELED, "VOLUME_UNLABELED"),
        (StatusFlags::VOLUME_ERROR, "VOLUME_ERROR"),
    ];

    /// The raw bits, as Amanda numbers them.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Flags from raw bits; bits at or above `FLAGS_MAX` (1<<5) are dropped.
    pub fn from_bits_truncate(bits: u8) -> StatusFlags {
        StatusFlags(bits & 0x1f)
    }

    /// True when no flag is set.
    pub fn is_success(self) -> bool {
        self.0 == 0
    }

    /// True when every flag of `other` is set in `self`.
    pub fn contains(self, other: StatusFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets the flags of `other` (Amanda's `device_set_error` ORs them in).
    pub fn insert(&mut self, other: StatusFlags) {
        self.0 |= other.0;
    }

    /// Clears the flags of `other`.
    pub fn remove(&mut self, other: StatusFlags) {
        self.0 &= !other.0;
    }

    /// Amanda's `device_in_error`: true only when `DEVICE_ERROR` is the sole flag.
    pub fn in_error(self) -> bool {
        self == StatusFlags::DEVICE_ERROR
    }
}

impl std::ops::BitOr for StatusFlags {
    type Output = StatusFlags;
    fn bitor(self, rhs: StatusFlags) -> StatusFlags {
        StatusFlags(self.0 | rhs.0)
    }
}

impl fmt::Display for StatusFlags {
    /// `SUCCESS`, or the set flags joined by `|` in bit order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_success() {
            return f.write_str("SUCCESS");
        }
        let mut first = true;
        for (flag, name) in StatusFlags::NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

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

/// What one [`Device::read_block`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadResult {
    /// A block of this many bytes was copied to the start of the buffer.
    Block(usize),
    /// End of the current file; `is_eof` is set, `in_file` cleared and the status stays
    /// `SUCCESS`. Reading again keeps returning `Eof` (never an error, as in Amanda).
    Eof,
}

/// What one [`Device::seek_file`] found (Amanda's `seek_file` return header).
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

/// Amanda's `ConcurrencyParadigm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Concurrency {
    /// One user at a time (`CONCURRENCY_PARADIGM_EXCLUSIVE`), as a tape drive.
    Exclusive,
    /// Several readers (`CONCURRENCY_PARADIGM_SHARED_READ`).
    SharedRead,
    /// Random access by several users (`CONCURRENCY_PARADIGM_RANDOM_ACCESS`), as vfs.
    RandomAccess,
}

/// Amanda's `StreamingRequirement`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Streaming {
    /// `STREAMING_REQUIREMENT_NONE` (vfs).
    None,
    /// `STREAMING_REQUIREMENT_DESIRED` (tape drives).
    Desired,
    /// `STREAMING_REQUIREMENT_REQUIRED`.
    Required,
}

/// Amanda's `MediaAccessMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediumAccess {
    /// `MEDIA_ACCESS_MODE_READ_ONLY`.
    ReadOnly,
    /// `MEDIA_ACCESS_MODE_WORM`: write once.
    Worm,
    /// `MEDIA_ACCESS_MODE_READ_WRITE`.
    ReadWrite,
    /// `MEDIA_ACCESS_MODE_WRITE_ONLY`.
    WriteOnly,
}

/// The vfs `USE_DATA` property: whether files go in `<node>/data/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UseData {
    /// Never use `data/`.
    No,
    /// Always use `data/`.
    Yes,
    /// Use `data/` when it exists (Amanda's default).
    Exist,
}

/// The typed device properties (Amanda `property.c`), as one snapshot.
///
/// Device-specific properties are `Option`s: `None` means the device lacks the property.
#[derive(Debug, Clone, PartialEq)]
pub struct Properties {
    /// `block_size`: the size of every block written (the last of a file may be shorter).
    pub block_size: usize,
    /// `min_block_size`: smallest block size the device accepts.
    pub min_block_size: usize,
    /// `max_block_size`: largest block size the device accepts.
    pub max_block_size: usize,
    /// `max_volume_usage`: artificial limit on bytes written to a volume (`None` = unset).
    pub max_volume_usage: Option<u64>,
    /// `enforce_max_volume_usage`: whether `max_volume_usage` is applied.
    pub enforce_max_volume_usage: bool,
    /// `leom`: the device detects the logical end of medium and reports it through
    /// `is_eom` before the volume is full. Amanda's scribe reads this as "LEOM supported";
    /// tape drives let it be set (Amanda: "for testing purposes").
    pub leom: bool,
    /// `appendable`: files can be appended to a written volume.
    pub appendable: bool,
    /// `partial_deletion`: single files of a volume can be recycled.
    pub partial_deletion: bool,
    /// `full_deletion`: the whole volume can be recycled.
    pub full_deletion: bool,
    /// `streaming`: how much the device wants a steady data flow.
    pub streaming: Streaming,
    /// `concurrency`: how many users the device supports at once.
    pub concurrency: Concurrency,
    /// `medium_access_type`.
    pub medium_access: MediumAccess,
    /// `compression`: the device compresses data itself.
    pub compression: bool,
    /// vfs only, `monitor_free_space`: watch filesystem free space for LEOM.
    pub monitor_free_space: Option<bool>,
    /// vfs only, `use_data`: whether files live in `data/`.
    pub use_data: Option<UseData>,
}

impl Properties {
    /// The vfs device's defaults, as verified on Debian Amanda 3.5.1 (reference §5.5).
    pub fn vfs() -> Properties {
        Properties {
            block_size: DEFAULT_BLOCK_SIZE,
            min_block_size: 1,
            max_block_size: i32::MAX as usize,
            max_volume_usage: None,
            enforce_max_volume_usage: true,
            leom: true,
            appendable: true,
            partial_deletion: true,
            full_deletion: true,
            streaming: Streaming::None,
            concurrency: Concurrency::RandomAccess,
            medium_access: MediumAccess::ReadWrite,
            compression: false,
            monitor_free_space: Some(true),
            use_data: Some(UseData::Exist),
        }
    }

    /// The tape device's defaults (reference §5.6): block 32 KiB, minimum 32 KiB, LEOM off.
    ///
    /// `max_block_size` is the given drive maximum (Amanda's `LARGEST_BLOCK_ESTIMATE`
    /// for a real drive).
    pub fn tape(max_block_size: usize) -> Properties {
        Properties {
            block_size: DEFAULT_BLOCK_SIZE,
            min_block_size: DEFAULT_BLOCK_SIZE,
            max_block_size,
            max_volume_usage: None,
            enforce_max_volume_usage: false,
            leom: false,
            appendable: true,
            partial_deletion: false,
            full_deletion: true,
            streaming: Streaming::Desired,
            concurrency: Concurrency::Exclusive,
            medium_access: MediumAccess::ReadWrite,
            compression: false,
            monitor_free_space: None,
            use_data: None,
        }
    }

    /// The value of one property, `None` when the device lacks it.
    pub fn get(&self, name: PropertyName) -> Option<Property> {
        Some(match name {
            PropertyName::BlockSize => Property::BlockSize(self.block_size),
            PropertyName::MaxVolumeUsage => Property::MaxVolumeUsage(self.max_volume_usage),
            PropertyName::EnforceMaxVolumeUsage => {
                Property::EnforceMaxVolumeUsage(self.enforce_max_volume_usage)
            }
            PropertyName::Leom => Property::Leom(self.leom),
            PropertyName::Streaming => Property::Streaming(self.streaming),
            PropertyName::Compression => Property::Compression(self.compression),
            PropertyName::MonitorFreeSpace => Property::MonitorFreeSpace(self.monitor_free_space?),
            PropertyName::UseData => Property::UseData(self.use_data?),
        })
    }

    /// Applies a settable property with the generic checks: the device must have the
    /// property, `block_size` must lie in `min..=max` and may only change before `start`.
    ///
    /// Devices call this from [`Device::set_property`] after their own checks.
    pub fn apply(&mut self, value: Property, state: &DeviceState) -> Result<(), DeviceError> {
        let name = value.name();
        let unsupported = DeviceError::UnsupportedProperty {
            name: name.as_str(),
        };
        match value {
            Property::BlockSize(size) => {
                if state.access_mode != AccessMode::Null {
                    return Err(Misuse::PropertyPhase {
                        name: name.as_str(),
                        mode: state.access_mode,
                    }
                    .into());
                }
                if size < self.min_block_size || size > self.max_block_size {
                    return Err(DeviceError::BadProperty {
                        name: name.as_str(),
                        reason: format!(
                            "{size} is outside {}..={}",
                            self.min_block_size, self.max_block_size
                        ),
                    });
                }
                self.block_size = size;
            }
            Property::MaxVolumeUsage(limit) => self.max_volume_usage = limit,
            Property::EnforceMaxVolumeUsage(on) => self.enforce_max_volume_usage = on,
            Property::Leom(on) => self.leom = on,
            Property::Streaming(s) => self.streaming = s,
            Property::Compression(on) => self.compression = on,
            Property::MonitorFreeSpace(on) => match &mut self.monitor_free_space {
                Some(v) => *v = on,
                None => return Err(unsupported),
            },
            Property::UseData(u) => match &mut self.use_data {
                Some(v) => *v = u,
                None => return Err(unsupported),
            },
        }
        Ok(())
    }
}

/// The name of a settable property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyName {
    /// `BLOCK_SIZE`.
    BlockSize,
    /// `MAX_VOLUME_USAGE`.
    MaxVolumeUsage,
    /// `ENFORCE_MAX_VOLUME_USAGE`.
    EnforceMaxVolumeUsage,
    /// `LEOM`.
    Leom,
    /// `STREAMING`.
    Streaming,
    /// `COMPRESSION`.
    Compression,
    /// `MONITOR_FREE_SPACE` (vfs).
    MonitorFreeSpace,
    /// `USE_DATA` (vfs).
    UseData,
}

impl PropertyName {
    /// Amanda's property name, upper case as in `amanda.conf` device-property lines.
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyName::BlockSize => "BLOCK_SIZE",
            PropertyName::MaxVolumeUsage => "MAX_VOLUME_USAGE",
            PropertyName::EnforceMaxVolumeUsage => "ENFORCE_MAX_VOLUME_USAGE",
            PropertyName::Leom => "LEOM",
            PropertyName::Streaming => "STREAMING",
            PropertyName::Compression => "COMPRESSION",
            PropertyName::MonitorFreeSpace => "MONITOR_FREE_SPACE",
            PropertyName::UseData => "USE_DATA",
        }
    }
}

/// A settable property with its typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Property {
    /// `BLOCK_SIZE` in bytes; only before `start`.
    BlockSize(usize),
    /// `MAX_VOLUME_USAGE` in bytes; `None` unsets it.
    MaxVolumeUsage(Option<u64>),
    /// `ENFORCE_MAX_VOLUME_USAGE`.
    EnforceMaxVolumeUsage(bool),
    /// `LEOM`: enable/disable logical end-of-medium detection.
    Leom(bool),
    /// `STREAMING`.
    Streaming(Streaming),
    /// `COMPRESSION`.
    Compression(bool),
    /// `MONITOR_FREE_SPACE` (vfs).
    MonitorFreeSpace(bool),
    /// `USE_DATA` (vfs).
    UseData(UseData),
}

impl Property {
    /// The name of this property.
    pub fn name(&self) -> PropertyName {
        match self {
            Property::BlockSize(_) => PropertyName::BlockSize,
            Property::MaxVolumeUsage(_) => PropertyName::MaxVolumeUsage,
            Property::EnforceMaxVolumeUsage(_) => PropertyName::EnforceMaxVolumeUsage,
            Property::Leom(_) => PropertyName::Leom,
            Property::Streaming(_) => PropertyName::Streaming,
            Property::Compression(_) => PropertyName::Compression,
            Property::MonitorFreeSpace(_) => PropertyName::MonitorFreeSpace,
            Property::UseData(_) => PropertyName::UseData,
        }
    }
}

/// The Device API operations, named in errors and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// [`Device::read_label`].
    ReadLabel,
    /// [`Device::start`].
    Start,
    /// [`Device::start_file`].
    StartFile,
    /// [`Device::write_block`].
    WriteBlock,
    /// [`Device::finish_file`].
    FinishFile,
    /// [`Device::finish`].
    Finish,
    /// [`Device::seek_file`].
    SeekFile,
    /// [`Device::seek_block`].
    SeekBlock,
    /// [`Device::read_block`].
    ReadBlock,
    /// [`Device::eject`].
    Eject,
    /// Loading a volume into the drive.
    Load,
    /// [`Device::set_property`].
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
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The caller broke a precondition; nothing changed.
    #[error("misuse: {0}")]
    Misuse(#[from] Misuse),
    /// A filesystem or OS call failed (vfs).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The OS error.
        source: std::io::Error,
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
    /// outside a file, e.g. after end of file, returns [`ReadResult::Eof`]).
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

/// What a device reports in its event trace (one line each, see [`DeviceEvent`]'s `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A volume was loaded; its label if it could be read cheaply.
    Load {
        /// Label of the loaded volume, if known.
        label: Option<String>,
    },
    /// The volume was ejected.
    Eject,
    /// `read_label` finished with these flags.
    ReadLabel {
        /// The label found.
        label: Option<String>,
        /// Resulting status.
        status: StatusFlags,
    },
    /// `start` succeeded.
    Start {
        /// Mode started in.
        mode: AccessMode,
        /// Volume label.
        label: Option<String>,
    },
    /// `start_file` opened `file`; `eom` when LEOM was reached while writing the header.
    StartFile {
        /// The new file number.
        file: u32,
        /// LEOM reached while writing the header.
        eom: bool,
    },
    /// One `write_block`: result, whether LEOM was flagged, bytes offered.
    Write {
        /// File number.
        file: u32,
        /// Block number within the file.
        block: u64,
        /// Bytes offered.
        len: usize,
        /// The result returned.
        result: WriteResult,
        /// LEOM was flagged by this write.
        leom: bool,
    },
    /// `finish_file` closed `file` after `blocks` data blocks.
    FinishFile {
        /// File number.
        file: u32,
        /// Data blocks in the file.
        blocks: u64,
    },
    /// `finish` returned the device to NULL mode.
    Finish,
    /// `seek_file` reached `file` (or the end of tape).
    SeekFile {
        /// File requested.
        requested: u32,
        /// File reached.
        file: u32,
        /// True when the result is the end of tape.
        tape_end: bool,
    },
    /// `seek_block` moved to `block`.
    SeekBlock {
        /// File number.
        file: u32,
        /// Block number.
        block: u64,
    },
    /// One `read_block`: `Some(len)` for data, `None` for end of file.
    Read {
        /// File number.
        file: u32,
        /// Block number within the file.
        block: u64,
        /// Bytes read, `None` at end of file.
        len: Option<usize>,
    },
    /// An operation failed (misuse or media error), with the error text.
    Error {
        /// The operation.
        op: Op,
        /// The error's `Display`.
        message: String,
    },
    /// A planned fault fired.
    Fault {
        /// The fault's one-line description.
        what: String,
    },
    /// A changer (library) action on this drive, e.g. `load slot=2`.
    Changer {
        /// The action's one-line description.
        action: String,
    },
}

/// One event of a device's trace: the device name and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEvent {
    /// The device name (`tape0`, `vtape1`, ...).
    pub device: String,
    /// What happened.
    pub kind: EventKind,
}

impl fmt::Display for DeviceEvent {
    /// One stable line, e.g. `tape0 write file=1 blk=17 -> LEOM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.device;
        match &self.kind {
            EventKind::Load { label } => {
                write!(f, "{d} load label={}", label.as_deref().unwrap_or("-"))
            }
            EventKind::Eject => write!(f, "{d} eject"),
            EventKind::ReadLabel { label, status } => write!(
                f,
                "{d} read_label label={} -> {status}",
                label.as_deref().unwrap_or("-")
            ),
            EventKind::Start { mode, label } => write!(
                f,
                "{d} start mode={mode} label={}",
                label.as_deref().unwrap_or("-")
            ),
            EventKind::StartFile { file, eom } => {
                write!(f, "{d} start_file file={file}")?;
                if *eom {
                    f.write_str(" -> LEOM")?;
                }
                Ok(())
            }
            EventKind::Write {
                file,
                block,
                len,
                result,
                leom,
            } => {
                write!(f, "{d} write file={file} blk={block} len={len} -> ")?;
                match (result, leom) {
                    (WriteResult::Success, true) => f.write_str("LEOM"),
                    (r, true) => write!(f, "{r} LEOM"),
                    (r, false) => write!(f, "{r}"),
                }
            }
            EventKind::FinishFile { file, blocks } => {
                write!(f, "{d} finish_file file={file} blocks={blocks}")
            }
            EventKind::Finish => write!(f, "{d} finish"),
            EventKind::SeekFile {
                requested,
                file,
                tape_end,
            } => {
                write!(f, "{d} seek_file {requested} -> file={file}")?;
                if *tape_end {
                    f.write_str(" TAPEEND")?;
                }
                Ok(())
            }
            EventKind::SeekBlock { file, block } => {
                write!(f, "{d} seek_block file={file} blk={block}")
            }
            EventKind::Read { file, block, len } => match len {
                Some(n) => write!(f, "{d} read file={file} blk={block} -> {n}"),
                None => write!(f, "{d} read file={file} blk={block} -> EOF"),
            },
            EventKind::Error { op, message } => write!(f, "{d} {op} error: {message}"),
            EventKind::Fault { what } => write!(f, "{d} fault {what}"),
            EventKind::Changer { action } => write!(f, "{d} changer {action}"),
        }
    }
}

/// Amanda's Device API. See the module docs for the calling order and error model.
pub trait Device {
    /// The device name used in errors and events (`tape0`, `vtape1`).
    fn name(&self) -> &str;

    /// The current state (Amanda's public `Device` fields).
    fn state(&self) -> &DeviceState;

    /// The current properties.
    fn properties(&self) -> &Properties;

    /// Sets one property; see [`Properties::apply`] for the generic checks.
    fn set_property(&mut self, value: Property) -> Result<(), DeviceError>;

    /// Size of the header block every file starts with (32 KiB for vfs; the block size
    /// for tape).
    fn header_block_size(&self) -> usize;

    /// The reason for the last failure (including a `Failed`/`Space`/`Full` write), if any.
    fn last_error(&self) -> Option<&DeviceError>;

    /// Reads the volume label (only in NULL mode); sets `volume_label`, `volume_time`
    /// and `status`, and returns the status (`SUCCESS` when a label was read).
    fn read_label(&mut self) -> StatusFlags;

    /// Starts the device in `mode`. WRITE labels the volume with `label` and `timestamp`
    /// (erasing it); APPEND positions after the last file; READ reads the label.
    fn start(
        &mut self,
        mode: AccessMode,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<(), DeviceError>;

    /// Opens the next file and writes its header (`header` is padded with NULs to
    /// [`Device::header_block_size`]). Returns the new file number.
    /// Hitting LEOM while writing the header still opens the file and sets `is_eom`;
    /// a full volume returns [`DeviceError::NoSpace`] with `is_eom` set.
    fn start_file(&mut self, header: &[u8]) -> Result<u32, DeviceError>;

    /// Writes one block (`0 < data.len() <= block_size`; only the last block of a file may
    /// be short). Media outcomes are in the `Ok` value; `Err` is misuse only.
    fn write_block(&mut self, data: &[u8]) -> Result<WriteResult, DeviceError>;

    /// Closes the current file (writes the filemark).
    fn finish_file(&mut self) -> Result<(), DeviceError>;

    /// Ends the session: closes any open file and returns to NULL mode.
    /// In NULL mode it does nothing and succeeds.
    fn finish(&mut self) -> Result<(), DeviceError>;

    /// Positions at the start of the data of file `file` (or the next existing file);
    /// see [`SeekResult`]. Beyond last file + 1 is [`DeviceError::NoSuchFile`].
    fn seek_file(&mut self, file: u32) -> Result<SeekResult, DeviceError>;

    /// Positions at data block `block` of the current file (READ mode).
    fn seek_block(&mut self, block: u64) -> Result<(), DeviceError>;

    /// Reads the next block of the current file into `buf`.
    /// A buffer shorter than the block is [`Misuse::BufferTooSmall`] naming the size needed.
    fn read_block(&mut self, buf: &mut [u8]) -> Result<ReadResult, DeviceError>;

    /// Ejects the volume (only in NULL mode, outside a file). Devices without an eject
    /// succeed and do nothing, as in Amanda.
    fn eject(&mut self) -> Result<(), DeviceError> {
        self.state().check_eject()?;
        Ok(())
    }

    /// Takes the events recorded since the last call (oldest first). Devices that keep
    /// no trace return nothing.
    fn take_events(&mut self) -> Vec<DeviceEvent> {
        Vec::new()
    }
}

/// Errors are cloned by hand because `Io` holds an `io::Error`, which is not
/// `Clone`: the copy keeps the io error's kind and message.
impl Clone for DeviceError {
    fn clone(&self) -> DeviceError {
        match self {
            DeviceError::Io { context, source } => DeviceError::Io {
                context: context.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            DeviceError::Misuse(m) => DeviceError::Misuse(m.clone()),
            DeviceError::Header(h) => DeviceError::Header(h.clone()),
            DeviceError::VolumeMissing { device } => DeviceError::VolumeMissing {
                device: device.clone(),
            },
            DeviceError::Offline { device } => DeviceError::Offline {
                device: device.clone(),
            },
            DeviceError::Unlabeled { device, reason } => DeviceError::Unlabeled {
                device: device.clone(),
                reason: reason.clone(),
            },
            DeviceError::ReadError {
                device,
                file,
                block,
            } => DeviceError::ReadError {
                device: device.clone(),
                file: *file,
                block: *block,
            },
            DeviceError::WriteError {
                device,
                file,
                block,
            } => DeviceError::WriteError {
                device: device.clone(),
                file: *file,
                block: *block,
            },
            DeviceError::NoSpace { device, context } => DeviceError::NoSpace {
                device: device.clone(),
                context: context.clone(),
            },
            DeviceError::ShortWrite {
                device,
                file,
                block,
                tried,
                wrote,
            } => DeviceError::ShortWrite {
                device: device.clone(),
                file: *file,
                block: *block,
                tried: *tried,
                wrote: *wrote,
            },
            DeviceError::InError { device, op } => DeviceError::InError {
                device: device.clone(),
                op: *op,
            },
            DeviceError::NoSuchFile { device, file } => DeviceError::NoSuchFile {
                device: device.clone(),
                file: *file,
            },
            DeviceError::UnsupportedProperty { name } => DeviceError::UnsupportedProperty { name },
            DeviceError::BadProperty { name, reason } => DeviceError::BadProperty {
                name,
                reason: reason.clone(),
            },
        }
    }
}
