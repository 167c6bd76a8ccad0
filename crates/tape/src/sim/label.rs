//! The TAPESTART label block a drive writes in `start(Write)` and reads in `read_label`,
//! through the header codec ([`crate::header`]).
//!
//! Amanda's format (reference §6): `"AMANDA: TAPESTART DATE %s TAPE %s\n\014\n"`, NUL
//! padded to the block. File headers stay opaque to the drive.

use crate::header::{Header, HeaderError, TapeStart};

/// The TAPESTART block for `label` written at `timestamp`, padded with NULs to `size`.
/// `None` when it does not fit or the label or timestamp is not valid in a header.
pub fn build_tapestart(label: &str, timestamp: &str, size: usize) -> Option<Vec<u8>> {
    tapestart_block(label, timestamp, size).ok()
}

/// [`build_tapestart`] with the codec's reason on failure.
pub(crate) fn tapestart_block(
    label: &str,
    timestamp: &str,
    size: usize,
) -> Result<Vec<u8>, HeaderError> {
    Header::tape_start(timestamp, label).to_block_of(size)
}

/// Parses a TAPESTART block into `(label, timestamp)`; the error says what is wrong.
pub fn parse_tapestart(block: &[u8]) -> Result<(String, String), String> {
    match Header::parse(block) {
        Ok(Header::TapeStart(TapeStart { datestamp, label })) => Ok((label, datestamp)),
        Ok(other) => Err(format!(
            "not a TAPESTART header: {}",
            other.file_type().as_str()
        )),
        Err(e) => Err(e.to_string()),
    }
}
