//! Amanda-style Device API, simulated tape drives, the vfs device and the taper.
//!
//! The [`device::Device`] trait is Amanda's calling order as a state machine, and
//! [`device::DeviceCore`] the bookkeeping every device shares;
//! [`sim`] is an in-memory deterministic tape drive ([`sim::SimDrive`]) and library
//! ([`sim::library`]) with injectable faults; [`vfs`] is Amanda's on-disk "file:" device
//! ([`vfs::VfsDevice`]) and its `chg-disk` slot library ([`vfs::vtape`]);
//! [`header`] parses and writes the 32 KiB Amanda file headers; [`inspect`] reads and
//! labels vfs volumes for the CLI.
//!
//! The sans-IO core is `device`, `header` and `sim`: no clock, no thread, no file or
//! socket (enforced by `clippy.toml`). The shells that do file IO are `vfs` (with
//! `vfs::vtape`) and `inspect`.

pub mod device;
pub mod header;
pub mod inspect;
pub mod sim;
pub mod vfs;
