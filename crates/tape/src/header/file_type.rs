//! The file types Amanda writes (`filetype_t`).

use std::fmt;

/// The file types Amanda writes (`filetype_t`, `filetypetab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// `TAPESTART` (`F_TAPESTART` = 1): the volume label.
    TapeStart,
    /// `TAPEEND` (`F_TAPEEND` = 2).
    TapeEnd,
    /// `FILE` (`F_DUMPFILE` = 3): a whole dump in one file.
    File,
    /// `CONT_FILE` (`F_CONT_DUMPFILE` = 4): a continuation file (pre-3.x chunking).
    ContFile,
    /// `SPLIT_FILE` (`F_SPLIT_DUMPFILE` = 5): one part of a split dump.
    SplitFile,
    /// `NOOP` (`F_NOOP` = 6).
    Noop,
}

impl FileType {
    /// The word Amanda writes for this type (`filetype2str`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::TapeStart => "TAPESTART",
            FileType::TapeEnd => "TAPEEND",
            FileType::File => "FILE",
            FileType::ContFile => "CONT_FILE",
            FileType::SplitFile => "SPLIT_FILE",
            FileType::Noop => "NOOP",
        }
    }

    /// Amanda's numeric `filetype_t` value (as `Amanda::Header` reports it).
    pub fn amanda_code(self) -> i32 {
        match self {
            FileType::TapeStart => 1,
            FileType::TapeEnd => 2,
            FileType::File => 3,
            FileType::ContFile => 4,
            FileType::SplitFile => 5,
            FileType::Noop => 6,
        }
    }

    /// The type named by `word`, as `parse_file_header` reads it.
    pub(super) fn from_word(word: &str) -> Option<FileType> {
        Some(match word {
            "TAPESTART" => FileType::TapeStart,
            "TAPEEND" => FileType::TapeEnd,
            "FILE" => FileType::File,
            "CONT_FILE" => FileType::ContFile,
            "SPLIT_FILE" => FileType::SplitFile,
            "NOOP" => FileType::Noop,
            _ => return None,
        })
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
