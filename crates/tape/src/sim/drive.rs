//! The simulated drive's state and its medium-side helpers: loading, ejecting, readiness,
//! medium cost and the label read. The Device API lives in `ops` and `read`, the write path
//! in `write`.

use crate::device::{
    AccessMode, DeviceCore, DeviceError, DeviceState, EventKind, Misuse, Op, Properties,
    StatusFlags,
};

use super::config::{EarlyWarningStyle, SimConfig};
use super::fault::{FaultState, TapeFault};
use super::label::parse_tapestart;
use super::volume::Volume;

/// A volume the drive refused to load, handed back with the reason.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct LoadError {
    /// Why the volume was refused.
    pub error: DeviceError,
    /// The volume, unchanged.
    pub volume: Box<Volume>,
}

/// A simulated tape drive; see the module docs for its semantics.
#[derive(Debug)]
pub struct SimDrive {
    pub(super) core: DeviceCore,
    pub(super) compression_percent: u32,
    pub(super) style: EarlyWarningStyle,
    pub(super) volume: Option<Volume>,
    pub(super) ejected: Option<Volume>,
    pub(super) offline: bool,
    /// Linux `st`: the next write returns ENOSPC.
    pub(super) ew_armed: bool,
    /// BSD: the early warning was already signalled since the last rewind.
    pub(super) ew_signalled: bool,
    pub(super) faults: FaultState,
}

impl SimDrive {
    /// An empty drive named `name` (used in events and errors) with its faults.
    pub fn new(name: impl Into<String>, config: SimConfig, faults: Vec<TapeFault>) -> SimDrive {
        let mut props = Properties::tape(config.max_block_size);
        props.min_block_size = config.min_block_size;
        props.block_size = config.block_size;
        props.leom = config.leom;
        let state = DeviceState {
            status: StatusFlags::VOLUME_MISSING,
            ..DeviceState::default()
        };
        SimDrive {
            core: DeviceCore::new(name, props, state),
            compression_percent: if config.compression_percent == 0 {
                100
            } else {
                config.compression_percent
            },
            style: config.early_warning,
            volume: None,
            ejected: None,
            offline: false,
            ew_armed: false,
            ew_signalled: false,
            faults: FaultState::new(faults),
        }
    }

    /// Puts `volume` in the drive (only when the drive is empty, not started and online).
    /// A load is a fresh start: status, label and end-of-medium flags are cleared.
    pub fn load(&mut self, volume: Volume) -> Result<(), LoadError> {
        let refused = if self.core.state.access_mode != AccessMode::Null {
            Some(DeviceError::from(Misuse::WrongMode {
                op: Op::Load,
                mode: self.core.state.access_mode,
            }))
        } else if self.offline {
            Some(self.offline_error())
        } else if self.volume.is_some() || self.ejected.is_some() {
            Some(DeviceError::from(Misuse::WrongMode {
                op: Op::Load,
                mode: self.core.state.access_mode,
            }))
        } else {
            None
        };
        if let Some(error) = refused {
            self.core.event(EventKind::Error {
                op: Op::Load,
                message: error.to_string(),
            });
            return Err(LoadError {
                error,
                volume: Box::new(volume),
            });
        }
        let label = volume.amanda_label().map(|(l, _)| l);
        self.volume = Some(volume);
        self.core.state = DeviceState::default();
        self.ew_armed = false;
        self.ew_signalled = false;
        self.core.clear_last_error();
        self.core.event(EventKind::Load { label });
        Ok(())
    }

    /// Takes the volume out of the drive: the ejected one, or the loaded one when the
    /// drive is not started. `None` when the drive is empty or started.
    pub fn take_volume(&mut self) -> Option<Volume> {
        if let Some(v) = self.ejected.take() {
            return Some(v);
        }
        if self.core.state.access_mode != AccessMode::Null {
            return None;
        }
        let v = self.volume.take()?;
        self.forget_volume();
        Some(v)
    }

    /// Amanda's `device_reset`: status back to `SUCCESS` (`VOLUME_MISSING` in an empty
    /// drive), `is_eom` cleared, last error forgotten. Nothing else changes.
    pub fn reset(&mut self) {
        self.core.state.status = if self.volume.is_some() {
            StatusFlags::SUCCESS
        } else {
            StatusFlags::VOLUME_MISSING
        };
        self.core.state.is_eom = false;
        self.core.clear_last_error();
    }

    /// The loaded volume.
    pub fn volume(&self) -> Option<&Volume> {
        self.volume.as_ref()
    }

    /// The volume waiting in the drive's mouth after an eject.
    pub fn ejected(&self) -> Option<&Volume> {
        self.ejected.as_ref()
    }

    /// True once an `Offline` fault fired.
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// The faults, pending and fired.
    pub fn faults(&self) -> &FaultState {
        &self.faults
    }

    /// Records a changer action in this drive's trace.
    pub fn record_changer(&mut self, action: String) {
        self.core.event(EventKind::Changer { action });
    }

    pub(super) fn offline_error(&self) -> DeviceError {
        DeviceError::Offline {
            device: self.core.name().to_owned(),
        }
    }

    pub(super) fn missing_error(&self) -> DeviceError {
        DeviceError::VolumeMissing {
            device: self.core.name().to_owned(),
        }
    }

    pub(super) fn forget_volume(&mut self) {
        self.core.state.volume_label = None;
        self.core.state.volume_time = None;
        self.core.state.status.insert(StatusFlags::VOLUME_MISSING);
    }

    /// `Err` when the drive cannot do anything: offline or no volume.
    pub(super) fn ready(&self) -> Result<(), DeviceError> {
        if self.offline {
            return Err(self.offline_error());
        }
        if self.volume.is_none() {
            return Err(self.missing_error());
        }
        Ok(())
    }

    pub(super) fn cost(&self, len: usize) -> u64 {
        let len = len as u64;
        if self.core.props.compression {
            (len * 100).div_ceil(u64::from(self.compression_percent))
        } else {
            len
        }
    }

    pub(super) fn barcode(&self) -> String {
        self.volume
            .as_ref()
            .map(|v| v.barcode().to_string())
            .unwrap_or_default()
    }

    pub(super) fn eject_now(&mut self) {
        if let Some(v) = self.volume.take() {
            self.ejected = Some(v);
        }
        self.forget_volume();
    }

    pub(super) fn read_label_inner(&mut self) -> Result<(String, String), DeviceError> {
        self.ready()?;
        let barcode = self.barcode();
        if let Some(fault) = self.faults.take_label(&barcode) {
            self.core.event(EventKind::Fault {
                what: fault.to_string(),
            });
            return Err(self.core.unlabeled("label block unreadable".to_string()));
        }
        let block = self
            .volume
            .as_ref()
            .and_then(|v| v.file(0))
            .and_then(|f| f.header());
        let parsed = match block {
            None => Err("blank volume".to_string()),
            Some(b) => parse_tapestart(b),
        };
        parsed.map_err(|reason| self.core.unlabeled(reason))
    }

    pub(super) fn pad(&self, data: &[u8]) -> Vec<u8> {
        let mut block = data.to_vec();
        block.resize(self.core.props.block_size.max(data.len()), 0);
        block
    }
}
