//! Why a volume could not be inspected or labelled.

use std::io;
use std::path::PathBuf;

use crate::device::DeviceError;

/// Why a volume could not be inspected or labelled at all.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The directory or a file could not be read.
    #[error("{context} {}: {source}", path.display())]
    Io {
        /// What was being done.
        context: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// `label` without force on a volume that already has a label.
    #[error("{} is already labelled {label:?}; use --force to relabel (this erases it)", dir.display())]
    AlreadyLabelled {
        /// The volume directory.
        dir: PathBuf,
        /// Its current label.
        label: String,
    },
    /// `label` without force on a volume with files but no label.
    #[error("{} is not empty ({files} volume files, no label); use --force to erase it", dir.display())]
    NotEmpty {
        /// The volume directory.
        dir: PathBuf,
        /// How many numbered files it holds.
        files: usize,
    },
    /// The vfs device refused to write the label.
    #[error("labelling {}: {source}", dir.display())]
    Device {
        /// The volume directory.
        dir: PathBuf,
        /// The device error.
        source: DeviceError,
    },
}
