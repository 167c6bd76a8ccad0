//! Access modes and status flags: what state a device is in.

use std::fmt;

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
