//! A reference model of the simulated tape drive (`reelcheck_tape::sim::SimDrive`), with
//! its faults, written from the specification and not from the drive's code.
//!
//! Sources, cited rule by rule in each module: amanda.md §5.2–§5.3 (the Device API's
//! preconditions and return conventions, from device.c), §5.6 (Amanda's tape-device.c:
//! padding, `robust_write`, LEOM, EIO, short writes), testbed.md (mhvtl's capacity and
//! early-warning zone, Linux `st` and BSD signalling), and the fault model documented on
//! `TapeFault` (sim/fault.rs). It uses reelcheck_tape's public types to drive the drive
//! and read its state, never its code to compute an expectation.
//!
//! - [`config`]: the drive and volume of a run ([`ModelConfig`]).
//! - [`step`]: one Device API call ([`Step`]).
//! - [`flags`]: Amanda's status bits and the timestamp model runs use.
//! - [`outcome`]: what a call returns ([`Outcome`], [`ErrorKind`]).
//! - [`medium`]: files of whole blocks, capacity, the early-warning zone.
//! - [`faults`]: where each fault fires, once.
//! - [`model`]: the device fields and the calls that move no data.
//! - [`write`](mod@write) / [`read`](mod@read): the data path with its faults.
//! - [`compare`]: one step on both sides, and everything observable compared.
//! - [`choose`]: how a fuzz case draws steps and faults.
//! - [`vfs`]: the vfs device's space rules (amanda.md §5.5) with its filesystem faults;
//!   [`vfs_run`] runs a script on the real vfs device in a temporary directory against it.

pub mod choose;
pub mod compare;
pub mod config;
pub mod faults;
pub mod flags;
pub mod medium;
pub mod model;
pub mod outcome;
mod read;
pub mod step;
pub mod vfs;
pub mod vfs_run;
mod write;

pub use compare::{Mismatch, replay, run_step};
pub use config::ModelConfig;
pub use model::Model;
pub use outcome::{ErrorKind, Outcome};
pub use step::Step;
