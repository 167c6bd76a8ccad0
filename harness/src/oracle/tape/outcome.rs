//! What the model says a call returns, in terms both sides can be compared in.

use reelcheck_tape::device::{DeviceError, WriteResult};

use super::flags;

/// The kind of a device error (the variant of `DeviceError`, without its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A broken precondition (amanda.md §5.2): nothing changes.
    Misuse,
    /// No volume in the drive (`VOLUME_MISSING`).
    VolumeMissing,
    /// The drive stopped answering (`DEVICE_ERROR`).
    Offline,
    /// No readable label (`VOLUME_UNLABELED`).
    Unlabeled,
    /// A media error reading (`VOLUME_ERROR`).
    ReadError,
    /// A media error writing (`VOLUME_ERROR`).
    WriteError,
    /// End of medium (`VOLUME_ERROR`, "No space left on device").
    NoSpace,
    /// "Short write on tape device" (`DEVICE_ERROR`).
    ShortWrite,
    /// `device_in_error`: the device refuses work (`DEVICE_ERROR`).
    InError,
    /// `seek_file` past last file + 1 (`DEVICE_ERROR`).
    NoSuchFile,
    /// Anything else (header, property, I/O errors).
    Other,
}

impl ErrorKind {
    /// The kind of a drive's error.
    pub fn of(error: &DeviceError) -> ErrorKind {
        match error {
            DeviceError::Misuse(_) => ErrorKind::Misuse,
            DeviceError::VolumeMissing { .. } => ErrorKind::VolumeMissing,
            DeviceError::Offline { .. } => ErrorKind::Offline,
            DeviceError::Unlabeled { .. } => ErrorKind::Unlabeled,
            DeviceError::ReadError { .. } => ErrorKind::ReadError,
            DeviceError::WriteError { .. } => ErrorKind::WriteError,
            DeviceError::NoSpace { .. } => ErrorKind::NoSpace,
            DeviceError::ShortWrite { .. } => ErrorKind::ShortWrite,
            DeviceError::InError { .. } => ErrorKind::InError,
            DeviceError::NoSuchFile { .. } => ErrorKind::NoSuchFile,
            _ => ErrorKind::Other,
        }
    }

    /// The status flags Amanda sets for this error (amanda.md §5.3 `DeviceStatusFlags`;
    /// §5.6: media and space errors are `VOLUME_ERROR`, short writes `DEVICE_ERROR`;
    /// an offline drive is a device error).
    pub fn flags(self) -> u8 {
        match self {
            ErrorKind::Misuse | ErrorKind::Other => 0,
            ErrorKind::VolumeMissing => flags::VOLUME_MISSING,
            ErrorKind::Unlabeled => flags::VOLUME_UNLABELED,
            ErrorKind::WriteError | ErrorKind::NoSpace => flags::VOLUME_ERROR,
            // tape-device.c `read_block`: "Error reading ... bytes" is
            // DEVICE_ERROR | VOLUME_ERROR.
            ErrorKind::ReadError => flags::DEVICE_ERROR | flags::VOLUME_ERROR,
            // tape-device.c `seek_file`: "Could not seek forward to file %d" is
            // DEVICE_ERROR | VOLUME_ERROR.
            ErrorKind::NoSuchFile => flags::DEVICE_ERROR | flags::VOLUME_ERROR,
            ErrorKind::Offline | ErrorKind::ShortWrite | ErrorKind::InError => flags::DEVICE_ERROR,
        }
    }
}

/// What a call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Success without a value.
    Ok,
    /// `read_label`'s status bits.
    Status(u8),
    /// `start_file`'s file number.
    File(u32),
    /// `write_block`'s result and, when it is not a success, the reason the device keeps
    /// as its last error.
    Write(WriteResult, Option<ErrorKind>),
    /// `seek_file`: the file reached and whether it is the end of tape.
    Seek(u32, bool),
    /// `read_block` data.
    Block(Vec<u8>),
    /// `read_block` end of file.
    Eof,
    /// An error of this kind.
    Error(ErrorKind),
}
