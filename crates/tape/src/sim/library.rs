//! A simulated tape library: one [`SimDrive`], numbered slots of volumes, and a changer.
//!
//! Slots are numbered from 1, as in Amanda's `chg-disk` (`slot1/`, `slot2/`, ...).
//! The changer moves a volume from its slot into the drive ([`Library::load_slot`],
//! [`Library::load_next`], [`Library::load_label`]) and back ([`Library::unload`]);
//! a volume always returns to the slot it came from.
//! Changer actions appear in the drive's event trace (`tape0 changer load slot=2`).

use super::drive::SimDrive;
use super::volume::Volume;
use crate::device::{AccessMode, Device, DeviceError};

/// Why a changer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChangerError {
    /// The slot number is not in `1..=slots`.
    #[error("no slot {slot} (the library has {slots} slots)")]
    NoSuchSlot {
        /// Slot requested.
        slot: usize,
        /// Number of slots.
        slots: usize,
    },
    /// The slot holds no volume.
    #[error("slot {slot} is empty")]
    EmptySlot {
        /// Slot requested.
        slot: usize,
    },
    /// No slot after the current one holds a volume.
    #[error("no volume after slot {after}")]
    NoMoreVolumes {
        /// The slot the search started after (0 = before the first slot).
        after: usize,
    },
    /// No volume carries this Amanda label.
    #[error("no volume labelled {label}")]
    NoSuchLabel {
        /// Label requested.
        label: String,
    },
    /// The drive is started; `finish` it before changing volumes.
    #[error("drive busy in {mode} mode")]
    DriveBusy {
        /// The drive's access mode.
        mode: AccessMode,
    },
    /// The drive refused (offline, or it kept the volume).
    #[error(transparent)]
    Drive(#[from] DeviceError),
}

/// A tape library with one drive.
#[derive(Debug)]
pub struct Library {
    drive: SimDrive,
    slots: Vec<Option<Volume>>,
    loaded_from: Option<usize>,
}

impl Library {
    /// A library whose slots 1..=n hold `volumes` in order, with an empty `drive`.
    pub fn new(drive: SimDrive, volumes: Vec<Volume>) -> Library {
        Library {
            drive,
            slots: volumes.into_iter().map(Some).collect(),
            loaded_from: None,
        }
    }

    /// Number of slots.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The slot whose volume is in the drive.
    pub fn current_slot(&self) -> Option<usize> {
        self.loaded_from
    }

    /// The volume belonging to `slot`, wherever it is (in the slot or in the drive).
    pub fn volume(&self, slot: usize) -> Option<&Volume> {
        if self.loaded_from == Some(slot) {
            return self.drive.volume().or(self.drive.ejected());
        }
        self.slots.get(slot.checked_sub(1)?)?.as_ref()
    }

    /// The drive.
    pub fn drive(&self) -> &SimDrive {
        &self.drive
    }

    /// The drive, to run the Device API on it.
    pub fn drive_mut(&mut self) -> &mut SimDrive {
        &mut self.drive
    }

    /// Takes the library apart: the drive and the volumes by slot (a volume still in the
    /// drive is returned in its slot when the drive lets go of it).
    pub fn into_parts(mut self) -> (SimDrive, Vec<Option<Volume>>) {
        if let Some(slot) = self.loaded_from
            && let Some(v) = self.drive.take_volume()
            && let Some(s) = self.slots.get_mut(slot - 1)
        {
            *s = Some(v);
        }
        (self.drive, self.slots)
    }

    /// Ejects the drive's volume and puts it back in its slot. Nothing to do when the
    /// drive is empty. The drive must not be started.
    pub fn unload(&mut self) -> Result<(), ChangerError> {
        let mode = self.drive.state().access_mode;
        if mode != AccessMode::Null {
            return Err(ChangerError::DriveBusy { mode });
        }
        let Some(slot) = self.loaded_from else {
            return Ok(());
        };
        if self.drive.volume().is_some() {
            self.drive.eject()?;
        }
        if let Some(v) = self.drive.take_volume() {
            if let Some(s) = self.slots.get_mut(slot - 1) {
                *s = Some(v);
            }
            self.loaded_from = None;
            self.drive.record_changer(format!("unload slot={slot}"));
        }
        Ok(())
    }

    /// Loads the volume of `slot` (unloading the current one first).
    pub fn load_slot(&mut self, slot: usize) -> Result<(), ChangerError> {
        if self.loaded_from == Some(slot) && self.drive.volume().is_some() {
            return Ok(());
        }
        let slots = self.slots.len();
        if slot == 0 || slot > slots {
            return Err(ChangerError::NoSuchSlot { slot, slots });
        }
        if self.slots[slot - 1].is_none() {
            return Err(ChangerError::EmptySlot { slot });
        }
        self.unload()?;
        let Some(volume) = self.slots[slot - 1].take() else {
            return Err(ChangerError::EmptySlot { slot });
        };
        match self.drive.load(volume) {
            Ok(()) => {
                self.loaded_from = Some(slot);
                self.drive.record_changer(format!("load slot={slot}"));
                Ok(())
            }
            Err(refused) => {
                self.slots[slot - 1] = Some(*refused.volume);
                Err(refused.error.into())
            }
        }
    }

    /// Loads the first volume in a slot after the current one (after slot 0 when the
    /// drive is empty); returns its slot. It does not wrap around.
    pub fn load_next(&mut self) -> Result<usize, ChangerError> {
        let after = self.loaded_from.unwrap_or(0);
        let next = (after + 1..=self.slots.len())
            .find(|&s| self.slots[s - 1].is_some())
            .ok_or(ChangerError::NoMoreVolumes { after })?;
        self.load_slot(next)?;
        Ok(next)
    }

    /// Loads the volume whose Amanda label (file 0) is `label`; returns its slot.
    pub fn load_label(&mut self, label: &str) -> Result<usize, ChangerError> {
        if let Some(slot) = self.loaded_from
            && self
                .drive
                .volume()
                .and_then(Volume::amanda_label)
                .is_some_and(|(l, _)| l == label)
        {
            return Ok(slot);
        }
        let slot = (1..=self.slots.len())
            .find(|&s| {
                self.slots[s - 1]
                    .as_ref()
                    .and_then(Volume::amanda_label)
                    .is_some_and(|(l, _)| l == label)
            })
            .ok_or_else(|| ChangerError::NoSuchLabel {
                label: label.to_string(),
            })?;
        self.load_slot(slot)?;
        Ok(slot)
    }
}
