//! Amanda's vfs ("file:") device: one directory per volume, one file per
//! dump part, each file starting with a 32 KiB header.
//!
//! This is a shell: it does real file IO (and only file IO; it reads no clock).
//! The layout is in [`layout`], the filesystem and its injectable faults in
//! [`VfsFault`].
//!
//! Space rules, exactly as `vfs-device.c` in Amanda 3.5:
//! - `volume_bytes` counts the 32 KiB label, every 32 KiB file header and
//!   every data byte; APPEND and READ recompute it from the file sizes.
//! - LEOM (`check_at_leom(size)`, only when the `LEOM` and
//!   `MONITOR_FREE_SPACE` properties are on): when `volume_bytes + size +
//!   4 * block_size > MAX_VOLUME_USAGE`, or when the filesystem's free space
//!   minus `size` is at most `4 * block_size`. LEOM sets `is_eom` and the
//!   write **still proceeds**.
//! - PEOM (`check_at_peom(size)`, only `MAX_VOLUME_USAGE`): when
//!   `volume_bytes + size > MAX_VOLUME_USAGE` nothing is written, `is_eom` is
//!   set, and the write returns `Full` with LEOM on, `Failed` without;
//!   `start_file` fails with [`DeviceError::NoSpace`](crate::device::DeviceError::NoSpace).
//! - `ENOSPC` from the filesystem: the file is truncated back to the end of
//!   the last whole block written, and the write returns `Space` with LEOM
//!   on, `Failed` without (`is_eom` is left alone, as in Amanda).
//!
//! [`Device::start_file`](crate::device::Device::start_file) needs a parseable Amanda header: the file name comes from its
//! host, disk and level, and a dump header is re-encoded with `bs=32k` ("the VFS header
//! is always 32k regardless of the block_size setting").
//! Injected faults that fire are traced as `fault` events.
//!
//! Differences from Amanda, all deliberate: the free-space check is redone
//! when Amanda's byte heuristics ask for it (within 128 blocks of the
//! estimate, or after 100 MiB) and on the first check, but never because 5
//! seconds passed; the `data/` choice is made at each `read_label`/`start`
//! from the current `USE_DATA`; a successful WRITE `start` clears an earlier
//! `DEVICE_ERROR`; failures OR their status flags in, as the [`Device`](crate::device::Device)
//! contract says.
//!
//! Module map: `device` (the device's state, directory and listing), `space` (the LEOM and
//! PEOM accounting, no IO), `files` (volume file IO), `read` (seeking and reading), `ops`
//! (the rest of the Device API), `fs` (faults), [`layout`] (names and directories);
//! [`vtape`] is the chg-disk slot library.

// Shell: the vfs device and its vtape library are Amanda's on-disk volumes, so they open,
// create and write files (clippy.toml forbids that to the core).
#![allow(
    clippy::disallowed_methods,
    reason = "shell: vfs and vtape do the file IO of Amanda's on-disk volumes"
)]

pub mod layout;

mod device;
mod files;
mod fs;
mod ops;
mod read;
mod space;
pub mod vtape;

pub use device::VfsDevice;
pub use fs::VfsFault;
pub use space::{
    EOM_EARLY_WARNING_ZONE_BLOCKS, MONITOR_FREE_SPACE_CLOSELY_WITHIN_BLOCKS,
    MONITOR_FREE_SPACE_EVERY_KB,
};
