//! Reading a volume: the listing, duplicate numbers, the label file and each data file,
//! into a [`VolumeReport`].

use std::path::{Path, PathBuf};

use super::error::InspectError;
use super::findings::{Note, Problem};
use super::report::{FileReport, LabelInfo, VolumeReport};
use crate::device::{DEFAULT_BLOCK_SIZE, UseData};
use crate::header::{HEADER_SIZE, Header, HeaderError};
use crate::vfs::layout::{self, VolumeEntry};

/// The first 32 KiB of `path` (less when the file is shorter).
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
    let (vol, entries) = list_volume(dir)?;
    let mut report = VolumeReport {
        dir: vol.clone(),
        label: None,
        files: Vec::new(),
        notes: Vec::new(),
        problems: Vec::new(),
    };
    report_duplicate_numbers(&entries, &mut report);
    let data_files: Vec<&VolumeEntry> = entries.iter().filter(|e| e.fileno > 0).collect();
    match layout::find_file(&entries, 0) {
        None if !data_files.is_empty() => report.problems.push(Problem::NoLabel {
            files: data_files.len(),
        }),
        None => {}
        Some(entry) => read_label_file(&vol, entry, &mut report)?,
    }
    let mut last: Option<u32> = Some(0).filter(|_| report.label.is_some());
    for entry in data_files {
        if last == Some(entry.fileno) {
            // A duplicate number, reported above: the first file of that number counts.
            continue;
        }
        if let Some(prev) = last
            && entry.fileno > prev + 1
        {
            report.notes.push(Note::Gap {
                missing_from: prev + 1,
                missing_to: entry.fileno - 1,
            });
        }
        last = Some(entry.fileno);
        let file = read_data_file(&vol, entry, block_size, &mut report)?;
        report.files.push(file);
    }
    if report.label.is_some() && report.files.is_empty() && report.problems.is_empty() {
        report.notes.push(Note::Empty);
    }
    Ok(report)
}

/// The volume directory under `dir` (`data/` when it exists) and its numbered files.
pub(super) fn list_volume(dir: &Path) -> Result<(PathBuf, Vec<VolumeEntry>), InspectError> {
    let vol = layout::volume_dir(dir, UseData::Exist);
    let entries = layout::list_files(&vol).map_err(|source| InspectError::Io {
        context: "listing volume",
        path: vol.clone(),
        source,
    })?;
    Ok((vol, entries))
}

/// Duplicate numbers: Amanda warns and takes an arbitrary one; we report them all.
fn report_duplicate_numbers(entries: &[VolumeEntry], report: &mut VolumeReport) {
    let mut i = 0;
    while i < entries.len() {
        let same: Vec<&VolumeEntry> = entries[i..]
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
}

/// File 0: the label, or why it is not one.
fn read_label_file(
    vol: &Path,
    entry: &VolumeEntry,
    report: &mut VolumeReport,
) -> Result<(), InspectError> {
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
    Ok(())
}

/// One data file: its header, and the notes and problems it gives.
fn read_data_file(
    vol: &Path,
    entry: &VolumeEntry,
    block_size: u64,
    report: &mut VolumeReport,
) -> Result<FileReport, InspectError> {
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
            check_dump_header(entry, &h, report);
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
    Ok(file)
}

/// A data file must hold a dump header whose host, disk and level give its name.
fn check_dump_header(entry: &VolumeEntry, h: &Header, report: &mut VolumeReport) {
    match h {
        Header::Dump(d) => {
            let expected = layout::data_file_name(entry.fileno, &d.host, &d.disk, d.level);
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
}
