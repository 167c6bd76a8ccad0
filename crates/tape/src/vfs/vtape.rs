//! A vtape library: a directory laid out as Amanda's `chg-disk` changer expects
//! (`perl/Amanda/Changer/disk.pm`), so Amanda's own tools can use our volumes.
//!
//! ```text
//! root/
//!   data -> slot2      current slot (symlink), so "file:root" reads the current volume
//!   slot1/             one vfs volume per slot, files directly inside (USE_DATA NO)
//!   slot2/00000.VOL-2
//!   state              written by Amanda's changer (Perl Data::Dumper), optional
//! ```
//!
//! As in `chg-disk`: slots are the `slotN` directories, sorted by number; a slot's
//! label is the name after `00000.` of its label file; the current slot is the one
//! the `state` file names (`'current' => 'slotN'`), else the target of the `data`
//! symlink, else the first slot. [`VtapeLibrary::set_current`] moves the `data`
//! symlink and, when a `state` file exists, its current-slot entries, so both
//! sides agree.
//!
//! This module does file IO only; it never runs Amanda.

use std::io;
use std::path::{Path, PathBuf};

use super::device::VfsDevice;
use crate::device::{AccessMode, Device, DeviceError, Property, UseData};

/// Why a library operation failed.
#[derive(Debug, thiserror::Error)]
pub enum VtapeError {
    /// A filesystem call failed.
    #[error("{context} {}: {source}", path.display())]
    Io {
        /// What was being done.
        context: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The slot does not exist.
    #[error("vtape library {}: no slot {slot}", root.display())]
    NoSuchSlot {
        /// The library root.
        root: PathBuf,
        /// The slot asked for.
        slot: u32,
    },
    /// The library has no slots.
    #[error("vtape library {}: no slotN directories", root.display())]
    Empty {
        /// The library root.
        root: PathBuf,
    },
    /// The slot's vfs device failed.
    #[error("vtape library slot {slot}: {source}")]
    Device {
        /// The slot.
        slot: u32,
        /// The device error.
        source: DeviceError,
    },
}

fn io_err(context: &'static str, path: &Path) -> impl FnOnce(io::Error) -> VtapeError {
    let path = path.to_path_buf();
    move |source| VtapeError::Io {
        context,
        path,
        source,
    }
}

/// One slot of the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    /// The slot number (`slotN`).
    pub slot: u32,
    /// The slot directory.
    pub path: PathBuf,
    /// The label of the volume in the slot (`00000.<label>`), `None` when unlabelled.
    pub label: Option<String>,
}

/// A `chg-disk` vtape library rooted at a directory.
#[derive(Debug, Clone)]
pub struct VtapeLibrary {
    root: PathBuf,
}

/// The slot number of a `slotN` name.
fn slot_number(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("slot")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl VtapeLibrary {
    /// Creates a library with slots `1..=slots` under `root` (created if missing;
    /// existing slots are kept) and makes slot 1 current if nothing is.
    pub fn create(root: impl Into<PathBuf>, slots: u32) -> Result<VtapeLibrary, VtapeError> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(io_err("creating library", &root))?;
        let lib = VtapeLibrary { root };
        for n in 1..=slots {
            let dir = lib.slot_dir(n);
            if !dir.is_dir() {
                std::fs::create_dir(&dir).map_err(io_err("creating slot", &dir))?;
            }
        }
        if slots > 0 && lib.data_link_target().is_none() {
            lib.set_current(1)?;
        }
        Ok(lib)
    }

    /// Opens an existing library directory.
    pub fn open(root: impl Into<PathBuf>) -> Result<VtapeLibrary, VtapeError> {
        let root = root.into();
        let meta = std::fs::metadata(&root).map_err(io_err("opening library", &root))?;
        if !meta.is_dir() {
            return Err(VtapeError::Io {
                context: "opening library",
                path: root,
                source: io::Error::from(io::ErrorKind::NotADirectory),
            });
        }
        Ok(VtapeLibrary { root })
    }

    /// The library root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of slot `slot` (it may not exist).
    pub fn slot_dir(&self, slot: u32) -> PathBuf {
        self.root.join(format!("slot{slot}"))
    }

    /// The slot numbers present, ascending (`chg-disk` `_all_slots`).
    pub fn slot_numbers(&self) -> Result<Vec<u32>, VtapeError> {
        let mut slots = Vec::new();
        for entry in std::fs::read_dir(&self.root).map_err(io_err("listing library", &self.root))? {
            let entry = entry.map_err(io_err("listing library", &self.root))?;
            let Some(n) = entry.file_name().to_str().and_then(slot_number) else {
                continue;
            };
            if entry.path().is_dir() {
                slots.push(n);
            }
        }
        slots.sort_unstable();
        slots.dedup();
        Ok(slots)
    }

    /// Every slot with its label.
    pub fn slots(&self) -> Result<Vec<SlotInfo>, VtapeError> {
        self.slot_numbers()?
            .into_iter()
            .map(|slot| {
                Ok(SlotInfo {
                    slot,
                    path: self.slot_dir(slot),
                    label: self.label_of(slot)?,
                })
            })
            .collect()
    }

    fn existing_slot(&self, slot: u32) -> Result<PathBuf, VtapeError> {
        let dir = self.slot_dir(slot);
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(VtapeError::NoSuchSlot {
                root: self.root.clone(),
                slot,
            })
        }
    }

    /// The label of the volume in `slot` (`chg-disk` `_get_slot_label`: the name after
    /// `00000.` of the first label file), `None` when unlabelled.
    pub fn label_of(&self, slot: u32) -> Result<Option<String>, VtapeError> {
        let dir = self.existing_slot(slot)?;
        let mut labels: Vec<String> = std::fs::read_dir(&dir)
            .map_err(io_err("listing slot", &dir))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| n.strip_prefix("00000.").map(str::to_owned))
            .collect();
        labels.sort();
        Ok(labels.into_iter().next())
    }

    /// The slot holding the volume labelled `label` (`chg-disk` `_find_label`).
    pub fn find_label(&self, label: &str) -> Result<Option<u32>, VtapeError> {
        for slot in self.slot_numbers()? {
            if self.slot_dir(slot).join(format!("00000.{label}")).is_file() {
                return Ok(Some(slot));
            }
        }
        Ok(None)
    }

    fn state_path(&self) -> PathBuf {
        self.root.join("state")
    }

    fn data_link_target(&self) -> Option<u32> {
        let target = std::fs::read_link(self.root.join("data")).ok()?;
        let name = target.to_str()?.trim_end_matches('/');
        slot_number(name)
    }

    /// The `'current' => 'slotN'` entry of Amanda's state file, if any.
    fn state_current(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.state_path()).ok()?;
        text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix("'current' => '")?;
            slot_number(rest.split('\'').next()?)
        })
    }

    /// The current slot, as `chg-disk` `_get_current` finds it: the state file's
    /// `current`, else the `data` symlink, else the first slot.
    pub fn current(&self) -> Result<Option<u32>, VtapeError> {
        if let Some(n) = self.state_current().or_else(|| self.data_link_target()) {
            return Ok(Some(n));
        }
        Ok(self.slot_numbers()?.first().copied())
    }

    /// Makes `slot` current (`chg-disk` `_set_current`): `data` becomes a symlink to
    /// `slotN`, and an existing state file's `'current'` and per-changer current-slot
    /// entries name `slotN` too.
    pub fn set_current(&self, slot: u32) -> Result<(), VtapeError> {
        self.existing_slot(slot)?;
        let link = self.root.join("data");
        if std::fs::symlink_metadata(&link).is_ok() {
            std::fs::remove_file(&link).map_err(io_err("removing the data link", &link))?;
        }
        std::os::unix::fs::symlink(format!("slot{slot}"), &link)
            .map_err(io_err("creating the data link", &link))?;
        let state = self.state_path();
        if let Ok(text) = std::fs::read_to_string(&state) {
            let updated: Vec<String> = text
                .lines()
                .map(|line| rewrite_current_line(line, slot))
                .collect();
            let mut out = updated.join("\n");
            if text.ends_with('\n') {
                out.push('\n');
            }
            std::fs::write(&state, out).map_err(io_err("updating the state file", &state))?;
        }
        Ok(())
    }

    /// The slot after `slot` (`chg-disk` `_get_next`): `slot + 1` if it exists, else the
    /// next slot in order, wrapping to the first.
    pub fn next_slot(&self, slot: u32) -> Result<u32, VtapeError> {
        let all = self.slot_numbers()?;
        let first = *all.first().ok_or_else(|| VtapeError::Empty {
            root: self.root.clone(),
        })?;
        if let Some(next) = slot.checked_add(1)
            && all.contains(&next)
        {
            return Ok(next);
        }
        Ok(all.iter().copied().find(|&s| s > slot).unwrap_or(first))
    }

    /// A vfs device on `slot`, set up as `chg-disk` sets it up (`USE_DATA` NO).
    pub fn device(&self, slot: u32) -> Result<VfsDevice, VtapeError> {
        let dir = self.existing_slot(slot)?;
        let mut dev = VfsDevice::new(format!("slot{slot}"), dir, vec![]);
        dev.set_property(Property::UseData(UseData::No))
            .map_err(|source| VtapeError::Device { slot, source })?;
        Ok(dev)
    }

    /// Labels the volume in `slot` (erasing it), as `amlabel` would.
    pub fn label_volume(&self, slot: u32, label: &str, timestamp: &str) -> Result<(), VtapeError> {
        let mut dev = self.device(slot)?;
        dev.start(AccessMode::Write, Some(label), Some(timestamp))
            .map_err(|source| VtapeError::Device { slot, source })?;
        dev.finish()
            .map_err(|source| VtapeError::Device { slot, source })
    }
}

/// Rewrites `'current' => 'slotN'` and `'chg-disk:...' => 'slotN'` lines of a state
/// file to name `slot`; other lines (drive reservations) are kept.
fn rewrite_current_line(line: &str, slot: u32) -> String {
    let trimmed = line.trim_start();
    let is_current = trimmed.starts_with("'current' => 'slot") || trimmed.starts_with("'chg-disk:");
    let Some(pos) = line.rfind("=> 'slot").filter(|_| is_current) else {
        return line.to_owned();
    };
    let value_start = pos + "=> '".len();
    let Some(end) = line[value_start..].find('\'') else {
        return line.to_owned();
    };
    format!(
        "{}slot{slot}{}",
        &line[..value_start],
        &line[value_start + end..]
    )
}
