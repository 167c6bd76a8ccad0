//! A simulated tape drive: in memory, deterministic, with injectable faults.
//!
//! [`SimDrive`] implements [`Device`](crate::device::Device) with the semantics of Amanda's tape device over a
//! Linux `st` drive backed by mhvtl (references: amanda.md §5.6, testbed.md "mhvtl"):
//!
//! - Every block is written whole: a short last block is zero-padded to the block size.
//!   File headers and the TAPESTART label take one block each; filemarks take no space.
//! - End of medium, in three zones. A block that would end past the capacity is refused
//!   (ENOSPC, nothing written). A block ending inside the early-warning zone is written and
//!   the drive signals the early warning as [`EarlyWarningStyle`] says: Linux `st` returns
//!   ENOSPC (nothing written) on the next write, then alternates success and ENOSPC; BSD
//!   and Solaris return one empty write at the first write into the zone.
//! - Amanda's `robust_write`: the first ENOSPC of a write, when `LEOM` is on, sets
//!   `is_eom` and retries; a second ENOSPC, or any ENOSPC with `LEOM` off, is
//!   "No space left on device": the write returns [`WriteResult::Failed`](crate::device::WriteResult::Failed) with `is_eom`.
//!   A tape drive never returns `Space` or `Full`.
//! - A media write error (EIO) is taken as end of tape (`Failed`, `is_eom`), as Amanda does;
//!   a short write is a device error (`Failed`, `DEVICE_ERROR`, then every write fails).
//! - Optional compression: with the `COMPRESSION` property on, a block takes
//!   `len * 100 / compression_percent` bytes of medium (rounded up).
//!
//! - `start` rewinds the drive but, like `tape_device_start`, leaves `is_eom` and `is_eof`
//!   alone; [`SimDrive::reset`] (Amanda's `device_reset`) clears `is_eom`, and loading a volume clears both.
//!   A failed label or header write sets `DEVICE_ERROR`, and while it is the only status flag
//!   (`device_in_error`) the drive refuses to start, start files, seek or read, and fails
//!   every write, until it is reset or a volume is loaded.
//!
//! Faults ([`TapeFault`]) are data passed to [`SimDrive::new`]; each fires once where it is
//! placed and is recorded in [`SimDrive::faults`] and in the event trace.
//! There are no clocks and no threads: the same calls give the same trace.
//!
//! Simplifications, all deliberate: mhvtl's programmable early-warning zone is not modelled;
//! `seek_file(0)` in WRITE/APPEND mode returns the label block without moving;
//! `read_block` outside a file returns end of file; a failed read does not move the
//! position; faults are placed on data blocks (and label reads), not on header blocks.
//!
//! Module map: `config` (how a drive is built), `drive` (the drive's state and medium
//! helpers), `write` (the early-warning write path and `robust_write`), `read` (seeking
//! and reading), `ops` (the rest of [`Device`](crate::device::Device)), `fault`, `volume`,
//! `label`; [`library`] is the changer over one drive. The reference model the drive is
//! checked against lives in the harness (`oracle::tape`).

mod config;
mod drive;
mod fault;
mod label;
pub mod library;
mod ops;
mod read;
mod volume;
mod write;

pub use config::{EarlyWarningStyle, LARGEST_BLOCK_ESTIMATE, SimConfig};
pub use drive::{LoadError, SimDrive};
pub use fault::{FaultState, TapeFault};
pub use label::{build_tapestart, parse_tapestart};
pub use volume::{MHVTL_EARLY_WARNING, TapeFile, Volume, VolumeSpec};
