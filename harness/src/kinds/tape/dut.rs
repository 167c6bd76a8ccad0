//! The device under test: a simulated drive, a drive in a library, or a vfs
//! volume in a temporary directory, each built with its own kind of faults.

use std::path::Path;

use reelcheck_tape::device::{DEFAULT_BLOCK_SIZE, Device, Property};
use reelcheck_tape::sim::library::Library;
use reelcheck_tape::sim::{EarlyWarningStyle, SimConfig, SimDrive, TapeFault, Volume, VolumeSpec};
use reelcheck_tape::vfs::{VfsDevice, VfsFault};

use crate::fault::Component;
use crate::scenario::{Scenario, ScenarioError};

use super::schema::{DeviceSection, DeviceType, VolumeSection};

/// The device under test.
pub(super) enum Dut {
    Sim(SimDrive),
    Library(Library),
    Vfs {
        dev: VfsDevice,
        dir: tempfile::TempDir,
    },
}

impl Dut {
    pub(super) fn dev(&mut self) -> &mut dyn Device {
        match self {
            Dut::Sim(d) => d,
            Dut::Library(l) => l.drive_mut(),
            Dut::Vfs { dev, .. } => dev,
        }
    }

    pub(super) fn dev_ref(&self) -> &dyn Device {
        match self {
            Dut::Sim(d) => d,
            Dut::Library(l) => l.drive(),
            Dut::Vfs { dev, .. } => dev,
        }
    }

    pub(super) fn drive(&self) -> Option<&SimDrive> {
        match self {
            Dut::Sim(d) => Some(d),
            Dut::Library(l) => Some(l.drive()),
            Dut::Vfs { .. } => None,
        }
    }

    /// The barcode of the volume in the drive (or its mouth); `vfs` for a vfs volume.
    pub(super) fn volume_id(&self) -> Option<String> {
        match self {
            Dut::Vfs { .. } => Some("vfs".into()),
            _ => self
                .drive()
                .and_then(|d| d.volume().or(d.ejected()))
                .map(|v| v.barcode().to_string()),
        }
    }

    pub(super) fn temp_dir(&self) -> Option<&Path> {
        match self {
            Dut::Vfs { dir, .. } => Some(dir.path()),
            _ => None,
        }
    }
}

/// The drive configuration shared by the device under test and the reader.
#[derive(Clone, Copy)]
pub(super) struct Geometry {
    pub(super) block_size: usize,
    pub(super) leom: bool,
    pub(super) style: EarlyWarningStyle,
}

impl Geometry {
    pub(super) fn sim_config(&self) -> SimConfig {
        SimConfig {
            block_size: self.block_size,
            min_block_size: self.block_size.min(DEFAULT_BLOCK_SIZE),
            leom: self.leom,
            early_warning: self.style,
            ..SimConfig::default()
        }
    }
}

/// The kind of device under test, with the faults that kind takes from the
/// scenario's plan: a drive its `[[faults.tape]]`, a vfs volume its `[[faults.vfs]]`.
pub(super) enum DutKind {
    /// One drive with one volume.
    Sim(Vec<TapeFault>),
    /// A drive and a changer.
    Library(Vec<TapeFault>),
    /// A vfs directory volume.
    Vfs(Vec<VfsFault>),
}

impl DutKind {
    /// The device kind `kind` with its faults from the scenario's plan.
    ///
    /// # Errors
    /// Faults for a component this kind does not have, located at their tables.
    pub(super) fn from_plan(scenario: &Scenario, kind: DeviceType) -> Result<Self, ScenarioError> {
        Ok(match kind {
            DeviceType::Sim => DutKind::Sim(scenario.plan_for(&[Component::Tape])?.tape),
            DeviceType::Library => DutKind::Library(scenario.plan_for(&[Component::Tape])?.tape),
            DeviceType::Vfs => DutKind::Vfs(scenario.plan_for(&[Component::Vfs])?.vfs_faults()),
            DeviceType::Model => {
                scenario.plan_for(&[])?;
                return Err(scenario.error_at(
                    "device.type",
                    "a model scenario has no device script of its own",
                ));
            }
        })
    }
}

/// Builds the device under test, its volumes loaded.
pub(super) fn build(
    kind: DutKind,
    spec_device: &DeviceSection,
    volumes: &[VolumeSection],
    geometry: Geometry,
) -> Result<Dut, String> {
    let make_volume = |v: &VolumeSection| {
        let spec = match v.early_warning {
            Some(ew) => VolumeSpec::with_early_warning(v.capacity.0, ew.0),
            None => VolumeSpec::new(v.capacity.0),
        };
        Volume::blank(v.barcode.clone(), spec)
    };
    match kind {
        DutKind::Sim(faults) => {
            let mut d = SimDrive::new("tape0", geometry.sim_config(), faults);
            if let Some(v) = volumes.first() {
                d.load(make_volume(v)).map_err(|e| e.to_string())?;
            }
            Ok(Dut::Sim(d))
        }
        DutKind::Library(faults) => {
            let d = SimDrive::new("tape0", geometry.sim_config(), faults);
            Ok(Dut::Library(Library::new(
                d,
                volumes.iter().map(make_volume).collect(),
            )))
        }
        DutKind::Vfs(faults) => {
            let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
            let mut dev = VfsDevice::new("vfs0", dir.path(), faults);
            dev.set_property(Property::BlockSize(geometry.block_size))
                .map_err(|e| e.to_string())?;
            dev.set_property(Property::Leom(geometry.leom))
                .map_err(|e| e.to_string())?;
            if let Some(mvu) = spec_device.max_volume_usage {
                dev.set_property(Property::MaxVolumeUsage(Some(mvu.0)))
                    .map_err(|e| e.to_string())?;
            }
            Ok(Dut::Vfs { dev, dir })
        }
    }
}
