//! The on-disk layout of an Amanda vfs volume (`device-src/vfs-device.c`).
//!
//! A volume is a directory (its `data/` subdirectory when that exists and
//! `USE_DATA` is `EXIST`).
//! File 0 is the label, `00000.<LABEL>`; every other file is
//! `%05d.<host>.<disk>.<level>` passed through Amanda's `sanitise_filename`
//! (`/`, `:` and `\` become `_`).
//! Each file starts with a 32 KiB header block.
//! A name belongs to the volume when it matches `^[0-9]+[.-]` (lock files
//! such as `00000-lock` included); a data file when it matches `^[0-9]+\.`;
//! file N is the name matching `^0*N\.`.
//! File numbers are never reused: the next file is 1 + the highest present.

use std::io;
use std::path::{Path, PathBuf};

use crate::device::UseData;

/// Name of the volume lock file Amanda skips when erasing (`VOLUME_LOCKFILE_NAME`).
pub const VOLUME_LOCKFILE_NAME: &str = "00000-lock";

/// Amanda's `sanitise_filename`: `/`, `:` and `\` become `_`.
pub fn sanitise_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '/' | ':' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The file name of data file `fileno`: `sanitise("%05d.host.disk.level")`.
pub fn data_file_name(fileno: u32, host: &str, disk: &str, level: u32) -> String {
    sanitise_filename(&format!("{fileno:05}.{host}.{disk}.{level}"))
}

/// The file name of the label: `00000.<label>` (not sanitised, as in Amanda).
pub fn label_file_name(label: &str) -> String {
    format!("00000.{label}")
}

/// The leading decimal digits of `name` and the byte after them, if any.
fn leading_number(name: &str) -> Option<(u64, Option<u8>)> {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    // Like g_ascii_strtoull, saturate instead of failing on huge numbers.
    let n = name[..digits].bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    Some((n, name.as_bytes().get(digits).copied()))
}

/// True when `name` matches `^[0-9]+[.-]`: a file the volume owns (data,
/// label or lock file); Amanda deletes these when it relabels the volume.
pub fn is_volume_file(name: &str) -> bool {
    matches!(leading_number(name), Some((_, Some(b'.' | b'-'))))
}

/// The file number of a data or label file (`^[0-9]+\.`), `None` for other
/// names and for numbers above `i32::MAX` (Amanda ignores those).
pub fn file_number(name: &str) -> Option<u32> {
    match leading_number(name) {
        Some((n, Some(b'.'))) if n <= i32::MAX as u64 => u32::try_from(n).ok(),
        _ => None,
    }
}

/// The directory holding the volume files for device node `node`.
pub fn volume_dir(node: &Path, use_data: UseData) -> PathBuf {
    let data = node.join("data");
    match use_data {
        UseData::No => node.to_path_buf(),
        UseData::Yes => data,
        UseData::Exist => {
            if data.exists() {
                data
            } else {
                node.to_path_buf()
            }
        }
    }
}

/// One numbered file of a volume directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeEntry {
    /// The file number (0 = label).
    pub fileno: u32,
    /// The file name within the volume directory.
    pub name: String,
    /// The file size in bytes.
    pub size: u64,
}

/// The numbered regular files of a volume directory (`^[0-9]+\.`), sorted by
/// file number then name; names that are not UTF-8 are skipped.
pub fn list_files(dir: &Path) -> io::Result<Vec<VolumeEntry>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Some(fileno) = file_number(&name) else {
            continue;
        };
        // Amanda stats (follows links) and keeps regular files only.
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        out.push(VolumeEntry {
            fileno,
            name,
            size: meta.len(),
        });
    }
    out.sort_by(|a, b| (a.fileno, &a.name).cmp(&(b.fileno, &b.name)));
    Ok(out)
}

/// The entry for file `fileno` (the first by name if several match, where
/// Amanda warns and takes an arbitrary one).
pub fn find_file(entries: &[VolumeEntry], fileno: u32) -> Option<&VolumeEntry> {
    entries.iter().find(|e| e.fileno == fileno)
}
