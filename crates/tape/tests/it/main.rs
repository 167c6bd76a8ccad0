//! Integration tests for reelcheck-tape, one module per subject:

// The tests build volumes in temporary directories, read them back, and run real Amanda.
#![allow(
    clippy::disallowed_methods,
    reason = "integration tests write and read temp files and run Amanda's programs"
)]

mod amanda; // real Amanda 3.5.1 as the oracle: amrestore, its taper, Amanda::Header, its changer
mod header; // the header codec: Amanda's exact bytes, strict parsing, round-trip properties
mod inspect; // `inspect` and `label` on vfs volumes: notes, problems, the report's lines
mod misuse; // the misuse rule on both devices: Misuse returned, state/status/last_error unchanged
mod sim; // the simulated drive: reference cases, faults, the library
mod vfs; // the vfs device: Amanda's directory layout and its LEOM/PEOM/ENOSPC rules
mod vfs_model; // the vfs space rules against a model, as a property test
mod vtape; // the vtape slot library: slots, the data link, Amanda's state file
