//! Amanda's `DeviceStatusFlags` bits (amanda.md §5.3) and the timestamp model runs use.

/// `DEVICE_STATUS_DEVICE_ERROR` (amanda.md §5.3).
pub const DEVICE_ERROR: u8 = 1;
/// `DEVICE_STATUS_DEVICE_BUSY`.
pub const DEVICE_BUSY: u8 = 1 << 1;
/// `DEVICE_STATUS_VOLUME_MISSING`.
pub const VOLUME_MISSING: u8 = 1 << 2;
/// `DEVICE_STATUS_VOLUME_UNLABELED`.
pub const VOLUME_UNLABELED: u8 = 1 << 3;
/// `DEVICE_STATUS_VOLUME_ERROR`.
pub const VOLUME_ERROR: u8 = 1 << 4;

/// The timestamp `start` is given in model runs.
pub const TIMESTAMP: &str = "20240101000000";
