//! Device properties (Amanda `property.c`): the typed snapshot and the settable values.

use super::error::{DeviceError, Misuse};
use super::state::DeviceState;
use super::status::AccessMode;

/// Amanda's default block size, and the size of every vfs header block: 32 KiB.
pub const DEFAULT_BLOCK_SIZE: usize = 32 * 1024;

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
    /// Devices call this from [`Device::set_property`](super::Device::set_property) after their own checks.
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
