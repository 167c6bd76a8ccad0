//! The report of one inspection: the label, the files with their headers, the notes and
//! problems, and its stable one-line-per-item `Display` (for the CLI and golden files).

use std::fmt;
use std::path::PathBuf;

use super::findings::{Note, Problem};
use crate::header::{HEADER_SIZE, Header, quote_string};

/// The volume label as read from file 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelInfo {
    /// The label.
    pub label: String,
    /// The datestamp it was written with.
    pub datestamp: String,
    /// The label file's name (`00000.<label>`).
    pub file_name: String,
}

/// One numbered data file of the volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file number.
    pub fileno: u32,
    /// The file name.
    pub name: String,
    /// The file size, header included.
    pub size: u64,
    /// The parsed header; `None` when it could not be parsed (see the report's problems).
    pub header: Option<Header>,
}

impl FileReport {
    /// Data bytes after the 32 KiB header (0 for a header-only or truncated file).
    pub fn data_bytes(&self) -> u64 {
        self.size.saturating_sub(HEADER_SIZE as u64)
    }
}

/// What [`inspect`](super::inspect) found on a volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeReport {
    /// The directory holding the volume files (`data/` when it exists).
    pub dir: PathBuf,
    /// The label, when file 0 holds a readable one.
    pub label: Option<LabelInfo>,
    /// The data files (number ≥ 1), in file-number order.
    pub files: Vec<FileReport>,
    /// What real Amanda leaves behind.
    pub notes: Vec<Note>,
    /// What makes the volume unreadable.
    pub problems: Vec<Problem>,
}

impl VolumeReport {
    /// True when nothing is wrong (notes are fine).
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Bytes on the volume as Amanda counts them (every numbered file, label included).
    pub fn volume_bytes(&self) -> u64 {
        let label = if self.label.is_some() {
            HEADER_SIZE as u64
        } else {
            0
        };
        label + self.files.iter().map(|f| f.size).sum::<u64>()
    }
}

fn part_text(h: &Header) -> String {
    match h.as_dump() {
        Some(d) => {
            let (p, t) = d.parts();
            format!("{p}/{t}")
        }
        None => "-".to_owned(),
    }
}

impl fmt::Display for VolumeReport {
    /// One line per item; no paths other than the volume directory.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.label {
            Some(l) => writeln!(
                f,
                "volume {}: label {} date {}",
                self.dir.display(),
                l.label,
                l.datestamp
            )?,
            None => writeln!(f, "volume {}: no label", self.dir.display())?,
        }
        for file in &self.files {
            match &file.header {
                Some(h) => {
                    let (host, disk, level) = match h.as_dump() {
                        Some(d) => (d.host.as_str(), quote_string(&d.disk), d.level.to_string()),
                        None => ("-", "-".to_owned(), "-".to_owned()),
                    };
                    writeln!(
                        f,
                        "file {:>5} {:<10} host {} disk {} lev {} part {} data {} bytes",
                        file.fileno,
                        h.file_type(),
                        host,
                        disk,
                        level,
                        part_text(h),
                        file.data_bytes()
                    )?;
                }
                None => writeln!(
                    f,
                    "file {:>5} {:<10} {} ({} bytes)",
                    file.fileno, "?", file.name, file.size
                )?,
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        for p in &self.problems {
            writeln!(f, "error: {p}")?;
        }
        write!(
            f,
            "{} files, {} bytes, {} notes, {} errors",
            self.files.len(),
            self.volume_bytes(),
            self.notes.len(),
            self.problems.len()
        )
    }
}
