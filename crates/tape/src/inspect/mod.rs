//! `reelcheck tape inspect DIR` and `reelcheck tape label DIR LABEL`: read a vfs volume
//! and report on it; label an empty volume.
//!
//! [`inspect`] lists the label and every numbered file with its parsed header. What
//! real Amanda leaves behind on a healthy volume is a [`Note`]: header-only files (a
//! failed part, an empty trailing part, LEOM reached while writing a header), a short
//! final block, gaps in file numbers after a recycle. What makes the volume unreadable
//! is a [`Problem`]: an unparseable or truncated header, data files without a label,
//! a file shorter than its 32 KiB header. The report's `Display` is stable, one line
//! per item, for the CLI and golden files.

// Shell: inspect reads volume files, and `label` reads the wall clock for its datestamp.
#![allow(
    clippy::disallowed_methods,
    reason = "shell: inspect reads volume files and `label` reads the clock"
)]

mod error;
mod findings;
mod labelling;
mod report;
mod scan;

pub use error::InspectError;
pub use findings::{Note, Problem};
pub use labelling::{LabelOutcome, datestamp_from_unix, label, label_at};
pub use report::{FileReport, LabelInfo, VolumeReport};
pub use scan::{inspect, inspect_with_block_size};
