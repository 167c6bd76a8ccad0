//! Amanda's vfs space rules (`vfs-device.c`): the bytes on the volume, the LEOM check
//! (`check_at_leom`, with its free-space monitor) and the PEOM check (`check_at_peom`).
//! No IO: the filesystem's free space is asked through the closure the device passes.

use std::io;

use crate::device::Properties;

/// Amanda's `EOM_EARLY_WARNING_ZONE_BLOCKS` for vfs: LEOM is flagged 4 blocks before the limit.
pub const EOM_EARLY_WARNING_ZONE_BLOCKS: u64 = 4;

/// Re-check the filesystem's free space when the estimate is within this many blocks
/// (`MONITOR_FREE_SPACE_CLOSELY_WITHIN_BLOCKS`).
pub const MONITOR_FREE_SPACE_CLOSELY_WITHIN_BLOCKS: u64 = 128;

/// Re-check the filesystem's free space after this many KiB written (`MONITOR_FREE_SPACE_EVERY_KB`).
pub const MONITOR_FREE_SPACE_EVERY_KB: u64 = 102_400;

/// Free-space bookkeeping for the LEOM check (`checked_fs_free_*` in Amanda).
#[derive(Debug, Clone, Copy)]
pub(super) struct FreeSpaceMonitor {
    /// Free bytes at the last check (`u64::MAX` before the first).
    checked_free: u64,
    /// Bytes written since the last check.
    used_since: u64,
    /// A check has been made.
    checked: bool,
}

/// The volume's byte count and the free-space monitor, as Amanda keeps them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Space {
    /// Bytes on the volume: label, headers and data.
    pub(super) volume_bytes: u64,
    monitor: FreeSpaceMonitor,
}

impl Space {
    /// Nothing counted and no free-space check made yet.
    pub(super) fn new() -> Space {
        Space {
            volume_bytes: 0,
            monitor: FreeSpaceMonitor {
                checked_free: u64::MAX,
                used_since: 0,
                checked: false,
            },
        }
    }

    /// Counts `n` bytes written.
    pub(super) fn account_written(&mut self, n: u64) {
        self.volume_bytes += n;
        self.monitor.used_since += n;
    }

    /// The volume limit when it is enforced (`enforce_volume_limit && volume_limit`).
    fn volume_limit(props: &Properties) -> Option<u64> {
        props
            .max_volume_usage
            .filter(|&l| props.enforce_max_volume_usage && l > 0)
    }

    /// Amanda's `check_at_leom(size)`; `free_bytes` asks the filesystem. A filesystem that
    /// cannot tell turns `MONITOR_FREE_SPACE` off, as Amanda does.
    pub(super) fn check_at_leom(
        &mut self,
        props: &mut Properties,
        size: u64,
        free_bytes: impl FnOnce() -> io::Result<u64>,
    ) -> bool {
        if !props.leom || props.monitor_free_space != Some(true) {
            return false;
        }
        let block = props.block_size as u64;
        let warning = EOM_EARLY_WARNING_ZONE_BLOCKS * block;
        if let Some(limit) = Space::volume_limit(props)
            && self.volume_bytes + size + warning > limit
        {
            return true;
        }
        let m = self.monitor;
        let est_avail = m.checked_free.saturating_sub(m.used_since + size);
        let recheck = !m.checked
            || est_avail <= block * MONITOR_FREE_SPACE_CLOSELY_WITHIN_BLOCKS
            || m.used_since > MONITOR_FREE_SPACE_EVERY_KB * 1024;
        if !recheck {
            return false;
        }
        match free_bytes() {
            Ok(free) => {
                self.monitor = FreeSpaceMonitor {
                    checked_free: free,
                    used_since: 0,
                    checked: true,
                };
                // Amanda computes this in unsigned arithmetic: when `size` exceeds the free
                // space the difference wraps and LEOM is *not* reported.
                free.wrapping_sub(size) <= warning
            }
            Err(_) => {
                // "Filesystem cannot provide free space; setting MONITOR_FREE_SPACE false".
                props.monitor_free_space = Some(false);
                false
            }
        }
    }

    /// Amanda's `check_at_peom(size)`: only `MAX_VOLUME_USAGE` counts.
    pub(super) fn check_at_peom(&self, props: &Properties, size: u64) -> bool {
        Space::volume_limit(props).is_some_and(|limit| self.volume_bytes + size > limit)
    }
}
