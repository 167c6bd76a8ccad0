//! `reelcheck tape label`: labelling a vfs volume as `amlabel` does.

use std::fmt;
use std::path::Path;

use super::error::InspectError;
use super::scan::list_volume;
use crate::device::{AccessMode, Device};
use crate::vfs::{VfsDevice, layout};

/// What [`label`](super::label) did.
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
    let (vol, entries) = list_volume(dir)?;
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
