//! The drive and volume a model run uses, and how a fuzz case draws them.

use serde::{Deserialize, Serialize};

use reelcheck_tape::sim::{EarlyWarningStyle, SimConfig, SimDrive, TapeFault, Volume, VolumeSpec};

/// Barcode of the one volume a model run uses.
pub const BARCODE: &str = "VOL-1";

/// The drive and volume a model run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Block size (at least 49 bytes, so that the TAPESTART label of `VOL` fits).
    pub block_size: usize,
    /// Volume capacity in bytes.
    pub capacity: u64,
    /// Early-warning zone in bytes (at most the capacity).
    pub early_warning: u64,
    /// BSD early-warning style instead of Linux `st`.
    pub bsd: bool,
    /// Initial `LEOM` property.
    pub leom: bool,
}

impl ModelConfig {
    /// The drive under test: a simulated drive with this configuration, the blank volume
    /// [`BARCODE`] loaded, and `faults` pending.
    pub fn drive(&self, faults: Vec<TapeFault>) -> SimDrive {
        let config = SimConfig {
            block_size: self.block_size,
            min_block_size: 1,
            leom: self.leom,
            early_warning: if self.bsd {
                EarlyWarningStyle::Bsd
            } else {
                EarlyWarningStyle::Linux
            },
            ..SimConfig::default()
        };
        let mut drive = SimDrive::new("tape0", config, faults);
        let spec = VolumeSpec::with_early_warning(self.capacity, self.early_warning);
        // A new drive is empty, online and not started: the load cannot be refused.
        let _ = drive.load(Volume::blank(BARCODE, spec));
        drive
    }
}

/// A random configuration; `rand(n)` returns a number in `0..n` (the case's seeded generator).
pub fn choose_config(rand: &mut dyn FnMut(u32) -> u32) -> ModelConfig {
    let block_size = [64usize, 96, 128][rand(3) as usize % 3];
    let bs = block_size as u64;
    let capacity = (2 + u64::from(rand(38))) * bs + u64::from(rand(block_size as u32));
    let early_warning = (u64::from(rand(20)) * bs + u64::from(rand(5))).min(capacity);
    ModelConfig {
        block_size,
        capacity,
        early_warning,
        bsd: rand(2) == 1,
        leom: rand(2) == 1,
    }
}
