//! Amanda-style Device API, simulated tape drives, the vfs device and the taper.
//!
//! The [`device::Device`] trait is Amanda's calling order as a state machine;
//! [`sim`] is an in-memory deterministic tape drive and library with
//! injectable faults; [`vfs`] is Amanda's on-disk "file:" device;
//! [`header`] parses and writes the 32 KiB Amanda file headers.

pub mod device;
pub mod header;
pub mod inspect;
pub mod library;
pub mod sim;
pub mod vfs;
pub mod vtape;
