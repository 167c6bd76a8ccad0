//! What an inspection finds: [`Note`]s (what real Amanda leaves on a healthy volume) and
//! [`Problem`]s (what makes it unreadable), each with its one-line `Display`.

use std::fmt;

use crate::header::{FileType, HEADER_SIZE, HeaderError};

/// Something real Amanda leaves on a healthy volume: reported, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The file holds only its header: a failed part, an empty trailing part, or LEOM
    /// reached while writing the header.
    HeaderOnly {
        /// The file number.
        fileno: u32,
    },
    /// The file's last block is shorter than the block size.
    ShortFinalBlock {
        /// The file number.
        fileno: u32,
        /// Bytes in the last block.
        bytes: u64,
        /// The block size assumed.
        block_size: u64,
    },
    /// File numbers jump (files were recycled): `missing_from..=missing_to` are absent.
    Gap {
        /// First missing number.
        missing_from: u32,
        /// Last missing number.
        missing_to: u32,
    },
    /// The file name does not match its header (`%05d.host.disk.level`, sanitised).
    NameMismatch {
        /// The file number.
        fileno: u32,
        /// The name the header implies.
        expected: String,
    },
    /// The volume has a label and no data files.
    Empty,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::HeaderOnly { fileno } => write!(
                f,
                "file {fileno}: header only, no data (failed or empty trailing part, or LEOM at its header)"
            ),
            Note::ShortFinalBlock {
                fileno,
                bytes,
                block_size,
            } => write!(
                f,
                "file {fileno}: short final block of {bytes} bytes (block size {block_size})"
            ),
            Note::Gap {
                missing_from,
                missing_to,
            } if missing_from == missing_to => {
                write!(f, "gap: file {missing_from} is missing (recycled)")
            }
            Note::Gap {
                missing_from,
                missing_to,
            } => write!(
                f,
                "gap: files {missing_from}-{missing_to} are missing (recycled)"
            ),
            Note::NameMismatch { fileno, expected } => {
                write!(
                    f,
                    "file {fileno}: name does not match its header (expected {expected})"
                )
            }
            Note::Empty => f.write_str("volume is labelled and holds no files"),
        }
    }
}

/// Something that makes the volume (or a file of it) unreadable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Numbered files exist but there is no `00000.<label>` file.
    NoLabel {
        /// How many data files there are.
        files: usize,
    },
    /// The label file's header is not a `TAPESTART` header.
    BadLabel {
        /// The label file's name.
        name: String,
        /// Why.
        error: HeaderError,
    },
    /// The file is shorter than its 32 KiB header block.
    ShorterThanHeader {
        /// The file number.
        fileno: u32,
        /// The file size.
        size: u64,
    },
    /// The header text is cut off (no `\n\f\n` terminator).
    TruncatedHeader {
        /// The file number.
        fileno: u32,
        /// The parse error.
        error: HeaderError,
    },
    /// The header cannot be parsed.
    Unparseable {
        /// The file number.
        fileno: u32,
        /// The parse error.
        error: HeaderError,
    },
    /// A data file carries a header that is not a dump header.
    NotADump {
        /// The file number.
        fileno: u32,
        /// The header type found.
        found: FileType,
    },
    /// Several files carry the same number (Amanda picks one arbitrarily).
    DuplicateNumber {
        /// The file number.
        fileno: u32,
        /// The file names.
        names: Vec<String>,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NoLabel { files } => {
                write!(f, "no label file (00000.LABEL) but {files} data files")
            }
            Problem::BadLabel { name, error } => write!(f, "label file {name}: {error}"),
            Problem::ShorterThanHeader { fileno, size } => write!(
                f,
                "file {fileno}: {size} bytes, shorter than its {HEADER_SIZE}-byte header"
            ),
            Problem::TruncatedHeader { fileno, error } => {
                write!(f, "file {fileno}: truncated header: {error}")
            }
            Problem::Unparseable { fileno, error } => {
                write!(f, "file {fileno}: unparseable header: {error}")
            }
            Problem::NotADump { fileno, found } => {
                write!(
                    f,
                    "file {fileno}: {found} header where a dump header belongs"
                )
            }
            Problem::DuplicateNumber { fileno, names } => {
                write!(
                    f,
                    "file {fileno}: several files carry this number: {}",
                    names.join(", ")
                )
            }
        }
    }
}
