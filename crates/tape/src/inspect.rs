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

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::device::{AccessMode, DEFAULT_BLOCK_SIZE, Device, DeviceError, UseData};
use crate::header::{FileType, HEADER_SIZE, Header, HeaderError};
use crate::vfs::{VfsDevice, layout};

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

/// What [`inspect`] found on a volume.
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
                        Some(d) => (
                            d.host.as_str(),
                            crate::header::quote_string(&d.disk),
                            d.level.to_string(),
                        ),
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

fn read_header_block(path: &Path) -> Result<Vec<u8>, InspectError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|source| InspectError::Io {
        context: "opening",
        path: path.to_path_buf(),
        source,
    })?;
    let mut buf = Vec::with_capacity(HEADER_SIZE);
    file.take(HEADER_SIZE as u64)
        .read_to_end(&mut buf)
        .map_err(|source| InspectError::Io {
            context: "reading",
            path: path.to_path_buf(),
            source,
        })?;
    Ok(buf)
}

/// Inspects the vfs volume in `dir` (its `data/` subdirectory when that exists), with
/// Amanda's 32 KiB block size for the short-block note.
pub fn inspect(dir: &Path) -> Result<VolumeReport, InspectError> {
    inspect_with_block_size(dir, DEFAULT_BLOCK_SIZE as u64)
}

/// [`inspect`] with another block size for the short-final-block note.
pub fn inspect_with_block_size(dir: &Path, block_size: u64) -> Result<VolumeReport, InspectError> {
    let vol = layout::volume_dir(dir, UseData::Exist);
    let entries = layout::list_files(&vol).map_err(|source| InspectError::Io {
        context: "listing volume",
        path: vol.clone(),
        source,
    })?;
    let mut report = VolumeReport {
        dir: vol.clone(),
        label: None,
        files: Vec::new(),
        notes: Vec::new(),
        problems: Vec::new(),
    };
    // Duplicate numbers: Amanda warns and takes an arbitrary one; we report them all.
    let mut i = 0;
    while i < entries.len() {
        let same: Vec<&layout::VolumeEntry> = entries[i..]
            .iter()
            .take_while(|e| e.fileno == entries[i].fileno)
            .collect();
        if same.len() > 1 {
            report.problems.push(Problem::DuplicateNumber {
                fileno: entries[i].fileno,
                names: same.iter().map(|e| e.name.clone()).collect(),
            });
        }
        i += same.len();
    }
    let data_files: Vec<&layout::VolumeEntry> = entries.iter().filter(|e| e.fileno > 0).collect();
    match layout::find_file(&entries, 0) {
        None => {
            if !data_files.is_empty() {
                report.problems.push(Problem::NoLabel {
                    files: data_files.len(),
                });
            }
        }
        Some(entry) => {
            let block = read_header_block(&vol.join(&entry.name))?;
            if (block.len() as u64) < HEADER_SIZE as u64 {
                report.problems.push(Problem::ShorterThanHeader {
                    fileno: 0,
                    size: entry.size,
                });
            }
            match Header::parse(&block) {
                Ok(Header::TapeStart(ts)) => {
                    report.label = Some(LabelInfo {
                        label: ts.label,
                        datestamp: ts.datestamp,
                        file_name: entry.name.clone(),
                    });
                }
                Ok(other) => report.problems.push(Problem::BadLabel {
                    name: entry.name.clone(),
                    error: HeaderError::Field {
                        field: "type",
                        expected: "TAPESTART",
                        found: other.file_type().to_string(),
                    },
                }),
                Err(error) => report.problems.push(Problem::BadLabel {
                    name: entry.name.clone(),
                    error,
                }),
            }
        }
    }
    let mut last: Option<u32> = Some(0).filter(|_| report.label.is_some());
    let mut seen_numbers: Vec<u32> = Vec::new();
    for entry in data_files {
        if seen_numbers.last() == Some(&entry.fileno) {
            continue;
        }
        seen_numbers.push(entry.fileno);
        if let Some(prev) = last
            && entry.fileno > prev + 1
        {
            report.notes.push(Note::Gap {
                missing_from: prev + 1,
                missing_to: entry.fileno - 1,
            });
        }
        last = Some(entry.fileno);
        let block = read_header_block(&vol.join(&entry.name))?;
        let mut file = FileReport {
            fileno: entry.fileno,
            name: entry.name.clone(),
            size: entry.size,
            header: None,
        };
        let short = entry.size < HEADER_SIZE as u64;
        if short {
            report.problems.push(Problem::ShorterThanHeader {
                fileno: entry.fileno,
                size: entry.size,
            });
        }
        match Header::parse(&block) {
            Ok(h) => {
                match &h {
                    Header::Dump(d) => {
                        let expected =
                            layout::data_file_name(entry.fileno, &d.host, &d.disk, d.level);
                        if expected != entry.name {
                            report.notes.push(Note::NameMismatch {
                                fileno: entry.fileno,
                                expected,
                            });
                        }
                    }
                    other => report.problems.push(Problem::NotADump {
                        fileno: entry.fileno,
                        found: other.file_type(),
                    }),
                }
                file.header = Some(h);
            }
            Err(error @ (HeaderError::Unterminated { .. } | HeaderError::Empty)) => {
                // A cut-off header; a file shorter than its header is already reported.
                if !short {
                    report.problems.push(Problem::TruncatedHeader {
                        fileno: entry.fileno,
                        error,
                    });
                }
            }
            Err(error) => report.problems.push(Problem::Unparseable {
                fileno: entry.fileno,
                error,
            }),
        }
        if !short {
            let data = file.data_bytes();
            if data == 0 {
                report.notes.push(Note::HeaderOnly {
                    fileno: entry.fileno,
                });
            } else if block_size > 0 && !data.is_multiple_of(block_size) {
                report.notes.push(Note::ShortFinalBlock {
                    fileno: entry.fileno,
                    bytes: data % block_size,
                    block_size,
                });
            }
        }
        report.files.push(file);
    }
    if report.label.is_some() && report.files.is_empty() && report.problems.is_empty() {
        report.notes.push(Note::Empty);
    }
    Ok(report)
}

/// What [`label`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelOutcome {
    /// An empty volume was labelled.
    Labelled {
        /// The new label.
        label: String,
    },
    /// A volume with files was erased and relabelled (force).
    Relabelled {
        /// The previous label, if there was one.
        previous: Option<String>,
        /// The new label.
        label: String,
    },
}

impl fmt::Display for LabelOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelOutcome::Labelled { label } => write!(f, "labelled {label}"),
            LabelOutcome::Relabelled {
                previous: Some(p),
                label,
            } => write!(f, "relabelled {p} as {label} (previous contents erased)"),
            LabelOutcome::Relabelled {
                previous: None,
                label,
            } => {
                write!(f, "labelled {label} (previous contents erased)")
            }
        }
    }
}

/// Labels the vfs volume in `dir` as `label`, datestamped now (UTC, `YYYYMMDDhhmmss`),
/// as `amlabel` does; see [`label_at`].
pub fn label(dir: &Path, label: &str, force: bool) -> Result<LabelOutcome, InspectError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    label_at(dir, label, &datestamp_from_unix(now), force)
}

/// Labels the vfs volume in `dir` as `label` with `timestamp`. An empty volume is
/// labelled; a labelled volume, or one with files, is refused unless `force`, which
/// erases it first (every numbered file, as Amanda does).
pub fn label_at(
    dir: &Path,
    label: &str,
    timestamp: &str,
    force: bool,
) -> Result<LabelOutcome, InspectError> {
    let vol = layout::volume_dir(dir, UseData::Exist);
    let entries = layout::list_files(&vol).map_err(|source| InspectError::Io {
        context: "listing volume",
        path: vol.clone(),
        source,
    })?;
    let previous = layout::find_file(&entries, 0)
        .map(|e| e.name.strip_prefix("00000.").unwrap_or(&e.name).to_owned());
    if !force {
        if let Some(label) = previous {
            return Err(InspectError::AlreadyLabelled { dir: vol, label });
        }
        if !entries.is_empty() {
            return Err(InspectError::NotEmpty {
                dir: vol,
                files: entries.len(),
            });
        }
    }
    let mut dev = VfsDevice::new("label", dir, vec![]);
    dev.start(AccessMode::Write, Some(label), Some(timestamp))
        .and_then(|()| dev.finish())
        .map_err(|source| InspectError::Device {
            dir: vol.clone(),
            source,
        })?;
    Ok(if entries.is_empty() {
        LabelOutcome::Labelled {
            label: label.to_owned(),
        }
    } else {
        LabelOutcome::Relabelled {
            previous,
            label: label.to_owned(),
        }
    })
}

/// `YYYYMMDDhhmmss` (UTC) for seconds since the Unix epoch.
pub fn datestamp_from_unix(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
